// Swoole\Http\Server extends Swoole\Server.
#include "php/classes.h"

#include "stubs/http_server_arginfo.h"

zend_class_entry *wsserver_ce_http_server = nullptr;

void wsserver_register_http_server_class() {
    wsserver_ce_http_server = register_class_Swoole_Http_Server(wsserver_ce_server);
}
