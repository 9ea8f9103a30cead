// Swoole\WebSocket\Server extends Swoole\Http\Server. Its static pack()/unpack() are
// Frame::pack()/unpack() (src/php/websocket_frame.cc).
#include "php/classes.h"

#include "stubs/websocket_server_arginfo.h"

zend_class_entry *wsserver_ce_websocket_server = nullptr;

ZEND_METHOD(Swoole_WebSocket_Server, pack) {
    wsserver_frame_pack(INTERNAL_FUNCTION_PARAM_PASSTHRU);
}

ZEND_METHOD(Swoole_WebSocket_Server, unpack) {
    wsserver_frame_unpack(INTERNAL_FUNCTION_PARAM_PASSTHRU);
}

void wsserver_register_websocket_server_class() {
    wsserver_ce_websocket_server = register_class_Swoole_WebSocket_Server(wsserver_ce_http_server);
}
