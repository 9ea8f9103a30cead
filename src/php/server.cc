// Swoole\Server. Only the class and its public properties for now; the methods come
// with the server engine.
#include "php/classes.h"

#include "stubs/server_arginfo.h"

zend_class_entry *wsserver_ce_server = nullptr;

void wsserver_register_server_class() {
    wsserver_ce_server = register_class_Swoole_Server();
}
