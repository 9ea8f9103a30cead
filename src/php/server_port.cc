// Swoole\Server\Port and Swoole\Server::listen()/addlistener(): extra listening ports.
//
// The engine binds each port at listen() (wsserver::Server::add_listener) and serves it
// beside the main one in every worker. This file keeps, per port, the callbacks set with
// $port->on() and the settings of $port->set() (ServerImpl::ports), and at start() turns
// them into the protocol config the engine applies to that port's connections.
#include "php/classes.h"
#include "php/server_object.h"

#include "zend_interfaces.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "stubs/server_port_arginfo.h"

zend_class_entry *wsserver_ce_server_port = nullptr;

namespace ws = wsserver;

namespace {

zend_object_handlers port_handlers;

constexpr zend_long kSockTcp = 1;
constexpr zend_long kSockTcp6 = 3;
constexpr zend_long kSockSsl = 512;
constexpr size_t kMaxPorts = 60000;  // Swoole's SW_MAX_LISTEN_PORT

// A Port object: which listener of which server. It holds a reference to the server (as
// the connection iterator does); the server's `ports` property holds the Port, so the two
// form a cycle that get_gc exposes.
struct PortObject {
    zval server;
    size_t index;
    zend_object std;
};

PortObject *port_from(zend_object *obj) { return object_from<PortObject>(obj); }

zend_object *port_create(zend_class_entry *ce) {
    auto *p = new_object<PortObject>(ce, port_handlers);
    ZVAL_UNDEF(&p->server);
    p->index = 0;
    return &p->std;
}

void port_free(zend_object *obj) {
    PortObject *p = port_from(obj);
    zval_ptr_dtor(&p->server);
    ZVAL_UNDEF(&p->server);
    zend_object_std_dtor(obj);
}

HashTable *port_get_gc(zend_object *obj, zval **table, int *n) {
    PortObject *p = port_from(obj);
    *table = Z_ISUNDEF(p->server) ? nullptr : &p->server;
    *n = Z_ISUNDEF(p->server) ? 0 : 1;
    return zend_std_get_properties(obj);
}

// The server and the state of this port, or nullptr (a Port made without listen(), or a
// server whose constructor failed).
ServerObject *port_server(PortObject *p) {
    if (Z_TYPE(p->server) != IS_OBJECT) return nullptr;
    ServerObject *o = wsserver_server_from(Z_OBJ(p->server));
    if (!o->impl || p->index >= o->impl->ports.size()) return nullptr;
    return o;
}

// The server of a Port that listen() made; for any other, throws as Swoole does.
ServerObject *port_server_or_throw(PortObject *p) {
    ServerObject *o = port_server(p);
    if (!o) zend_throw_error(nullptr, "please use the Swoole\\Server->listen method");
    return o;
}

// The events a port can have (Swoole's server_port_event_map); the others belong to the
// server only.
bool is_port_event(int ev) {
    switch (ev) {
    case WSSERVER_EVENT_CONNECT:
    case WSSERVER_EVENT_RECEIVE:
    case WSSERVER_EVENT_CLOSE:
    case WSSERVER_EVENT_PACKET:
    case WSSERVER_EVENT_BUFFER_FULL:
    case WSSERVER_EVENT_BUFFER_EMPTY:
    case WSSERVER_EVENT_REQUEST:
    case WSSERVER_EVENT_HANDSHAKE:
    case WSSERVER_EVENT_BEFORE_HANDSHAKE_RESPONSE:
    case WSSERVER_EVENT_OPEN:
    case WSSERVER_EVENT_MESSAGE:
    case WSSERVER_EVENT_DISCONNECT:
        return true;
    default:
        return false;
    }
}

// The callback port `index` uses for `ev`: its own, else the server's.
const Callback &port_callback(ServerImpl &impl, size_t index, int ev) {
    if (index > 0 && index < impl.ports.size() && !Z_ISUNDEF(impl.ports[index]->callbacks[ev].fn))
        return impl.ports[index]->callbacks[ev];
    return impl.callbacks[ev];
}

bool has_callback(ServerImpl &impl, size_t index, int ev) { return !Z_ISUNDEF(port_callback(impl, index, ev).fn); }

void merge_setting_property(zend_object *obj, HashTable *settings) {
    zval rv;
    zval *current = zend_read_property(wsserver_ce_server_port, obj, "setting", 7, true, &rv);
    zval merged;
    array_init(&merged);
    ZVAL_DEREF(current);
    if (Z_TYPE_P(current) == IS_ARRAY) zend_hash_copy(Z_ARRVAL(merged), Z_ARRVAL_P(current), zval_add_ref);
    zend_hash_merge(Z_ARRVAL(merged), settings, zval_add_ref, true);
    zend_update_property(wsserver_ce_server_port, obj, "setting", 7, &merged);
    zval_ptr_dtor(&merged);
}

}  // namespace

const Callback &wsserver_callback(ServerObject *o, int ev, ws::SessionId id) {
    ServerImpl &impl = *o->impl;
    if (impl.ports.size() <= 1 || !impl.server) return impl.callbacks[ev];
    int index = impl.server->listener_of(id);
    return port_callback(impl, index > 0 ? static_cast<size_t>(index) : 0, ev);
}

void wsserver_add_port_object(zval *server, size_t index, zend_long sock_type, zval *port_out) {
    ServerObject *o = wsserver_server_from(Z_OBJ_P(server));
    const ws::Listener &l = o->impl->server->listener(index);
    zval port;
    object_init_ex(&port, wsserver_ce_server_port);
    PortObject *p = port_from(Z_OBJ(port));
    ZVAL_COPY(&p->server, server);
    p->index = index;
    zend_object *obj = Z_OBJ(port);
    zend_class_entry *ce = wsserver_ce_server_port;
    const std::string host = index == 0 ? o->impl->config.host : l.address().ip();
    zend_update_property_stringl(ce, obj, "host", 4, host.data(), host.size());
    zend_update_property_long(ce, obj, "port", 4, l.port());
    zend_update_property_long(ce, obj, "type", 4, sock_type & ~kSockSsl);
    zend_update_property_long(ce, obj, "sock", 4, l.fd());
    zend_update_property_bool(ce, obj, "ssl", 3, (sock_type & kSockSsl) != 0);
    zval connections;
    wsserver_make_connection_iterator(&connections, server, l.port());
    zend_update_property(ce, obj, "connections", 11, &connections);
    zval_ptr_dtor(&connections);
    if (port_out) ZVAL_COPY(port_out, &port);

    zval rv;
    zval *ports = zend_read_property(wsserver_ce_server, Z_OBJ_P(server), "ports", 5, true, &rv);
    zval list;
    array_init(&list);
    ZVAL_DEREF(ports);
    if (Z_TYPE_P(ports) == IS_ARRAY) zend_hash_copy(Z_ARRVAL(list), Z_ARRVAL_P(ports), zval_add_ref);
    add_next_index_zval(&list, &port);  // the list takes the reference
    zend_update_property(wsserver_ce_server, Z_OBJ_P(server), "ports", 5, &list);
    zval_ptr_dtor(&list);
}

void wsserver_main_port_settings(zval *server, HashTable *settings) {
    zval rv;
    zval *ports = zend_read_property(wsserver_ce_server, Z_OBJ_P(server), "ports", 5, true, &rv);
    ZVAL_DEREF(ports);
    zval *first = Z_TYPE_P(ports) == IS_ARRAY ? zend_hash_index_find(Z_ARRVAL_P(ports), 0) : nullptr;
    if (first) ZVAL_DEREF(first);
    if (first && Z_TYPE_P(first) == IS_OBJECT && Z_OBJCE_P(first) == wsserver_ce_server_port)
        merge_setting_property(Z_OBJ_P(first), settings);
}

bool wsserver_prepare_ports(ServerObject *o, bool is_http, bool is_ws) {
    ServerImpl &impl = *o->impl;
    for (size_t i = 1; i < impl.ports.size(); i++) {
        PortState &port = *impl.ports[i];
        // Swoole: a port never set() takes the server's settings, its protocol included.
        ws::ServerConfig cfg = port.has_settings ? port.settings : impl.config;
        const bool http = port.has_settings ? port.open_http_protocol || port.open_websocket_protocol : is_http;
        const bool websocket = port.has_settings ? port.open_websocket_protocol : is_ws;
        const uint16_t number = impl.server->listener(i).port();
        if (websocket && !has_callback(impl, i, WSSERVER_EVENT_MESSAGE)) {
            php_error_docref(nullptr, E_WARNING, "require onMessage callback (port %u)", number);
            return false;
        }
        if (http && !websocket && !has_callback(impl, i, WSSERVER_EVENT_REQUEST)) {
            php_error_docref(nullptr, E_WARNING, "require onRequest callback (port %u)", number);
            return false;
        }
        if (!http && !has_callback(impl, i, WSSERVER_EVENT_RECEIVE)) {
            php_error_docref(nullptr, E_WARNING, "require onReceive callback (port %u)", number);
            return false;
        }
        cfg.raw_tcp = !http;
        cfg.has_request_handler = has_callback(impl, i, WSSERVER_EVENT_REQUEST);
        cfg.user_handshake = !websocket || has_callback(impl, i, WSSERVER_EVENT_HANDSHAKE);
        cfg.has_before_handshake_response = websocket && has_callback(impl, i, WSSERVER_EVENT_BEFORE_HANDSHAKE_RESPONSE);
        cfg.has_disconnect_handler = true;
        if (!impl.server->set_listener_protocol(i, cfg)) {
            php_error_docref(nullptr, E_WARNING, "the settings of port %u cannot be applied any more", number);
            return false;
        }
        if (port.ssl) {
            if (cfg.tls.cert_file.empty() || cfg.tls.key_file.empty()) {
                php_error_docref(nullptr, E_WARNING,
                                 "SWOOLE_SSL needs the ssl_cert_file and ssl_key_file settings (port %u)", number);
                return false;
            }
            if (http) cfg.tls.alpn = {"http/1.1"};
            auto tls = ws::TlsContext::create(cfg.tls);
            if (!tls) {
                php_error_docref(nullptr, E_WARNING, "%s (port %u)", tls.error().message.c_str(), number);
                return false;
            }
            impl.server->set_listener_tls(i, std::move(tls.value()));
        }
    }
    return true;
}

// ---------------------------------------------------------------- Swoole\Server::listen()

// listen($host, $port, $sock_type) / addlistener(): before start(); binds now. A bind
// error is a warning with the message the constructor's exception carries, and false.
ZEND_METHOD(Swoole_Server, listen) {
    zend_string *host;
    zend_long port;
    zend_long sock_type;
    ZEND_PARSE_PARAMETERS_START(3, 3)
        Z_PARAM_STR(host)
        Z_PARAM_LONG(port)
        Z_PARAM_LONG(sock_type)
    ZEND_PARSE_PARAMETERS_END();
    ServerObject *o = wsserver_server_from(Z_OBJ_P(ZEND_THIS));
    if (!o->impl || !o->impl->server) {
        zend_throw_error(nullptr, "%s object is not initialized (its constructor did not complete)",
                         ZSTR_VAL(Z_OBJCE_P(ZEND_THIS)->name));
        RETURN_THROWS();
    }
    ServerImpl &impl = *o->impl;
    if (impl.running || impl.finished) {
        php_error_docref(nullptr, E_WARNING, "server is running, cannot add listener");
        RETURN_FALSE;
    }
    const zend_long base_type = sock_type & ~kSockSsl;
    if (base_type != kSockTcp && base_type != kSockTcp6) {
        php_error_docref(nullptr, E_WARNING,
                         "socket type " ZEND_LONG_FMT " is not supported (SWOOLE_SOCK_TCP or SWOOLE_SOCK_TCP6)",
                         sock_type);
        RETURN_FALSE;
    }
    if (port < 0 || port > 65535) {
        php_error_docref(nullptr, E_WARNING, "invalid port [" ZEND_LONG_FMT "]", port);
        RETURN_FALSE;
    }
    if (impl.ports.size() >= kMaxPorts) {
        php_error_docref(nullptr, E_WARNING, "up to %zu listening ports are allowed", kMaxPorts);
        RETURN_FALSE;
    }
    ws::ListenOptions lo;
    lo.host.assign(ZSTR_VAL(host), ZSTR_LEN(host));
    lo.port = static_cast<uint16_t>(port);
    lo.backlog = impl.config.backlog;
    if (base_type == kSockTcp6) lo.family = AF_INET6;
    auto added = impl.server->add_listener(lo, impl.config);
    if (!added) {
        impl.last_error = added.error().code;
        php_error_docref(nullptr, E_WARNING, "%s", added.error().message.c_str());
        RETURN_FALSE;
    }
    const size_t index = added.value();
    impl.ports.resize(std::max(impl.ports.size(), index + 1));
    impl.ports[index] = std::make_unique<PortState>();
    impl.ports[index]->ssl = (sock_type & kSockSsl) != 0;
    wsserver_add_port_object(ZEND_THIS, index, sock_type, return_value);
}

// ---------------------------------------------------------------- Swoole\Server\Port

ZEND_METHOD(Swoole_Server_Port, __construct) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    zend_throw_error(nullptr, "please use the Swoole\\Server->listen method");
}

ZEND_METHOD(Swoole_Server_Port, __destruct) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
}

// Port 0 is the server's own: set() is the server's set(). An extra port's set() replaces
// the server's protocol settings for it (Swoole's defaults plus these keys: a port set()
// without open_http_protocol/open_websocket_protocol speaks raw TCP).
ZEND_METHOD(Swoole_Server_Port, set) {
    (void)return_value;
    HashTable *settings;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ARRAY_HT(settings)
    ZEND_PARSE_PARAMETERS_END();
    PortObject *p = port_from(Z_OBJ_P(ZEND_THIS));
    ServerObject *o = port_server_or_throw(p);
    if (!o) RETURN_THROWS();
    ServerImpl &impl = *o->impl;
    if (impl.running) {
        php_error_docref(nullptr, E_WARNING, "server is running, unable to change settings");
        return;
    }
    if (p->index == 0) {
        zval arg, ret;
        ZVAL_ARR(&arg, settings);
        zend_call_method_with_1_params(Z_OBJ(p->server), Z_OBJCE(p->server), nullptr, "set", &ret, &arg);
        zval_ptr_dtor(&ret);  // the server's set() updated this Port's `setting` too
        return;
    }
    PortState &port = *impl.ports[p->index];
    ws::ServerConfig next = port.has_settings ? port.settings : ws::ServerConfig();
    bool http = port.open_http_protocol, websocket = port.open_websocket_protocol;
    if (!wsserver_apply_port_settings(next, http, websocket, settings)) return;
    port.settings = next;
    port.open_websocket_protocol = websocket;
    port.open_http_protocol = http || websocket;  // Swoole: WebSocket implies HTTP
    port.has_settings = true;
    merge_setting_property(Z_OBJ_P(ZEND_THIS), settings);
}

// Port 0: the server's on(). An extra port: a callback for this port's connections only.
ZEND_METHOD(Swoole_Server_Port, on) {
    zend_string *name;
    zval *fn;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_STR(name)
        Z_PARAM_ZVAL(fn)
    ZEND_PARSE_PARAMETERS_END();
    PortObject *p = port_from(Z_OBJ_P(ZEND_THIS));
    ServerObject *o = port_server_or_throw(p);
    if (!o) RETURN_THROWS();
    zend_fcall_info_cache fcc;
    if (!wsserver_parse_callable(fn, fcc)) {
        zend_argument_type_error(2, "must be a valid callback");
        RETURN_THROWS();
    }
    if (o->impl->running) {
        php_error_docref(nullptr, E_WARNING, "can't register event callback function after server started");
        RETURN_FALSE;
    }
    int ev = wsserver_event_index(name);
    if (ev < 0 || !is_port_event(ev)) {
        php_error_docref(nullptr, E_WARNING, "unknown event types[%s]", ZSTR_VAL(name));
        RETURN_FALSE;
    }
    Callback &cb = p->index == 0 ? o->impl->callbacks[ev] : o->impl->ports[p->index]->callbacks[ev];
    wsserver_store_callback(cb, fn, fcc);
    RETURN_TRUE;
}

ZEND_METHOD(Swoole_Server_Port, getCallback) {
    zend_string *name;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    PortObject *p = port_from(Z_OBJ_P(ZEND_THIS));
    ServerObject *o = port_server(p);
    int ev = wsserver_event_index(name);
    if (!o || ev < 0 || !is_port_event(ev)) RETURN_NULL();
    const Callback &cb = p->index == 0 ? o->impl->callbacks[ev] : o->impl->ports[p->index]->callbacks[ev];
    if (Z_ISUNDEF(cb.fn)) RETURN_NULL();
    RETURN_COPY(&cb.fn);
}

void wsserver_register_server_port_class() {
    wsserver_ce_server_port = register_class_Swoole_Server_Port();
    wsserver_ce_server_port->create_object = port_create;
    std::memcpy(&port_handlers, zend_get_std_object_handlers(), sizeof(port_handlers));
    port_handlers.offset = XtOffsetOf(PortObject, std);
    port_handlers.free_obj = port_free;
    port_handlers.get_gc = port_get_gc;
    port_handlers.clone_obj = nullptr;
}
