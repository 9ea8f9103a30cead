// Swoole\WebSocket\Server extends Swoole\Http\Server: push(), disconnect(),
// isEstablished(). Its static pack()/unpack() are Frame::pack()/unpack()
// (src/php/websocket_frame.cc).
#include "php/classes.h"
#include "php/server_object.h"

#include <cstring>
#include <string>

#include "core/websocket/frame.h"
#include "stubs/websocket_server_arginfo.h"

zend_class_entry *wsserver_ce_websocket_server = nullptr;

namespace ws = wsserver;

namespace {

ws::Server *engine_of(zval *this_ptr, ServerObject **out = nullptr) {
    ServerObject *o = wsserver_server_from(Z_OBJ_P(this_ptr));
    if (out) *out = o;
    if (!o->impl || !o->impl->server) {
        zend_throw_error(nullptr, "%s object is not initialized (its constructor did not complete)",
                         ZSTR_VAL(Z_OBJCE_P(this_ptr)->name));
        return nullptr;
    }
    return o->impl->server.get();
}

// As Swoole: push(), ping() and isEstablished() warn and fail before start().
bool check_running(ServerObject *o) {
    if (o->impl->running) return true;
    php_error_docref(nullptr, E_WARNING, "server is not running");
    return false;
}

// The warning Swoole gives for a failed push()/disconnect() (its wording, "does not
// exists" included); records the error number.
void report(ServerObject *o, ws::Server *s, zend_long fd) {
    o->impl->last_error = static_cast<int>(s->last_error());
    switch (s->last_error()) {
    case ws::ServerError::SessionNotExist:
        php_error_docref(nullptr, E_WARNING, "session#" ZEND_LONG_FMT " does not exists", fd);
        break;
    case ws::ServerError::Unconnected:
        php_error_docref(nullptr, E_WARNING,
                         "the connected client of connection[" ZEND_LONG_FMT "] is not a websocket client or closed",
                         fd);
        break;
    default:
        php_error_docref(nullptr, E_WARNING, "%s", s->last_error_message());
        break;
    }
}
}  // namespace

ZEND_METHOD(Swoole_WebSocket_Server, push) {
    zend_long fd;
    zend_object *frame = nullptr;
    zend_string *data = nullptr;
    zend_long opcode = static_cast<zend_long>(ws::Opcode::Text);
    zend_long flags = ws::flag::kFin;
    ZEND_PARSE_PARAMETERS_START(2, 4)
        Z_PARAM_LONG(fd)
        Z_PARAM_OBJ_OF_CLASS_OR_STR(frame, wsserver_ce_frame, data)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(opcode)
        Z_PARAM_LONG(flags)
    ZEND_PARSE_PARAMETERS_END();
    ServerObject *o;
    ws::Server *s = engine_of(ZEND_THIS, &o);
    if (!s) RETURN_THROWS();
    if (!check_running(o)) RETURN_FALSE;

    // A string goes to the engine as it is: with nothing queued it is written straight
    // from PHP's memory. A Frame object is read as pack() reads it.
    std::string frame_payload;
    std::string_view payload;
    if (frame) {
        if (!wsserver_frame_read(frame, opcode, flags, frame_payload)) {
            RETURN_THROWS();
        }
        payload = frame_payload;
    } else {
        payload = std::string_view(ZSTR_VAL(data), ZSTR_LEN(data));
    }
    if (opcode < 0 || opcode > 0xF || flags < 0) {
        php_error_docref(nullptr, E_WARNING, "the maximum value of opcode is 10");
        RETURN_FALSE;
    }
    if (fd <= 0 || !s->push(static_cast<ws::SessionId>(fd), static_cast<uint8_t>(opcode), payload,
                            static_cast<unsigned>(flags))) {
        if (fd <= 0) {
            php_error_docref(nullptr, E_WARNING, "session#" ZEND_LONG_FMT " does not exists", fd);
            RETURN_FALSE;
        }
        report(o, s, fd);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

ZEND_METHOD(Swoole_WebSocket_Server, disconnect) {
    zend_long fd;
    zend_long code = 1000;
    zend_string *reason = nullptr;
    ZEND_PARSE_PARAMETERS_START(1, 3)
        Z_PARAM_LONG(fd)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(code)
        Z_PARAM_STR(reason)
    ZEND_PARSE_PARAMETERS_END();
    ServerObject *o;
    ws::Server *s = engine_of(ZEND_THIS, &o);
    if (!s) RETURN_THROWS();
    if (code < 0 || code > 0xffff) {
        php_error_docref(nullptr, E_WARNING, "the close code must be 1000 or 4000-4999");
        RETURN_FALSE;
    }
    std::string_view r = reason ? std::string_view(ZSTR_VAL(reason), ZSTR_LEN(reason)) : std::string_view();
    if (fd <= 0 || !s->disconnect(static_cast<ws::SessionId>(fd), static_cast<uint16_t>(code), r)) {
        if (fd > 0) report(o, s, fd);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

ZEND_METHOD(Swoole_WebSocket_Server, ping) {
    zend_long fd;
    zend_string *data = nullptr;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_LONG(fd)
        Z_PARAM_OPTIONAL
        Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    ServerObject *o;
    ws::Server *s = engine_of(ZEND_THIS, &o);
    if (!s) RETURN_THROWS();
    if (!check_running(o)) RETURN_FALSE;
    std::string_view payload = data ? std::string_view(ZSTR_VAL(data), ZSTR_LEN(data)) : std::string_view();
    if (fd <= 0 || !s->push(static_cast<ws::SessionId>(fd), static_cast<uint8_t>(ws::Opcode::Ping), payload,
                            ws::flag::kFin)) {
        if (fd <= 0) {
            php_error_docref(nullptr, E_WARNING, "session#" ZEND_LONG_FMT " does not exists", fd);
        } else {
            report(o, s, fd);
        }
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

ZEND_METHOD(Swoole_WebSocket_Server, isEstablished) {
    zend_long fd;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(fd)
    ZEND_PARSE_PARAMETERS_END();
    ServerObject *o;
    ws::Server *s = engine_of(ZEND_THIS, &o);
    if (!s) RETURN_THROWS();
    if (!check_running(o)) RETURN_FALSE;
    RETURN_BOOL(fd > 0 && s->is_established(static_cast<ws::SessionId>(fd)));
}

ZEND_METHOD(Swoole_WebSocket_Server, pack) {
    wsserver_frame_pack(INTERNAL_FUNCTION_PARAM_PASSTHRU);
}

ZEND_METHOD(Swoole_WebSocket_Server, unpack) {
    wsserver_frame_unpack(INTERNAL_FUNCTION_PARAM_PASSTHRU);
}

void wsserver_register_websocket_server_class() {
    wsserver_ce_websocket_server = register_class_Swoole_WebSocket_Server(wsserver_ce_http_server);
}
