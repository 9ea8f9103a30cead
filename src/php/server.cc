// Swoole\Server: construction, on()/getCallback(), set(), start() and getLastError(), the
// object's lifetime (create, free, get_gc) and the registration of Swoole\Exception,
// Swoole\Server and Swoole\Connection\Iterator. The engine is wsserver::Server
// (src/core/server/server.h); the other methods live beside this file, by concern:
// server_settings.cc (set()'s keys), server_events.cc (engine events into PHP callbacks),
// server_processes.cc (the process model), server_connections.cc, server_tasks.cc and
// server_timers.cc.
//
// One PHP server object owns one engine (created, and so bound, by the constructor) and
// runs it in the calling process, or in the processes start() forks.
#include "php/classes.h"
#include "php/server_internal.h"

#include "zend_exceptions.h"
#include "zend_interfaces.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <string>

#include "stubs/server_arginfo.h"

zend_class_entry *wsserver_ce_server = nullptr;
zend_class_entry *wsserver_ce_exception = nullptr;
zend_class_entry *wsserver_ce_connection_iterator = nullptr;

namespace ws = wsserver;

namespace {

zend_object_handlers server_handlers;

constexpr zend_long kModeBase = 1;
constexpr zend_long kModeProcess = 2;
constexpr zend_long kSockTcp = 1;
constexpr zend_long kSockTcp6 = 3;
constexpr zend_long kSockSsl = 512;

// Lower-case event names, indexed by wsserver_event.
constexpr const char *kEventNames[WSSERVER_EVENT_COUNT] = {
    "start",        "shutdown",    "workerstart",  "workerstop",    "connect",      "open",
    "message",      "close",       "disconnect",   "request",       "handshake",    "bufferfull",
    "bufferempty",  "receive",     "packet",       "task",          "finish",       "pipemessage",
    "managerstart", "managerstop", "workerexit",   "workererror",   "beforeshutdown",
    "beforereload", "afterreload",  "beforehandshakeresponse",
};

// The events this milestone can deliver; the others are accepted by on() (they are
// Swoole's) and refused by start() when set.
bool event_supported(int ev) {
    switch (ev) {
    case WSSERVER_EVENT_START:
    case WSSERVER_EVENT_SHUTDOWN:
    case WSSERVER_EVENT_WORKER_START:
    case WSSERVER_EVENT_WORKER_STOP:
    case WSSERVER_EVENT_CONNECT:
    case WSSERVER_EVENT_OPEN:
    case WSSERVER_EVENT_MESSAGE:
    case WSSERVER_EVENT_CLOSE:
    case WSSERVER_EVENT_DISCONNECT:
    case WSSERVER_EVENT_REQUEST:
    case WSSERVER_EVENT_BUFFER_FULL:
    case WSSERVER_EVENT_BUFFER_EMPTY:
    case WSSERVER_EVENT_RECEIVE:
    case WSSERVER_EVENT_PIPE_MESSAGE:
    case WSSERVER_EVENT_TASK:
    case WSSERVER_EVENT_FINISH:
    case WSSERVER_EVENT_MANAGER_START:
    case WSSERVER_EVENT_MANAGER_STOP:
    case WSSERVER_EVENT_WORKER_EXIT:
    case WSSERVER_EVENT_WORKER_ERROR:
    case WSSERVER_EVENT_BEFORE_SHUTDOWN:
    case WSSERVER_EVENT_BEFORE_RELOAD:
    case WSSERVER_EVENT_AFTER_RELOAD:
    case WSSERVER_EVENT_HANDSHAKE:
    case WSSERVER_EVENT_BEFORE_HANDSHAKE_RESPONSE:
        return true;
    default:
        return false;
    }
}

int event_index(zend_string *name) {
    for (int i = 0; i < WSSERVER_EVENT_COUNT; i++) {
        if (ZSTR_LEN(name) == std::strlen(kEventNames[i]) &&
            zend_binary_strcasecmp(ZSTR_VAL(name), ZSTR_LEN(name), kEventNames[i], ZSTR_LEN(name)) == 0) {
            return i;
        }
    }
    return -1;
}

zend_object *server_create(zend_class_entry *ce) {
    auto *o = new_object<ServerObject>(ce, server_handlers);
    construct_member(o->impl, std::make_unique<ServerImpl>(o));
    return &o->std;
}

void server_free(zend_object *obj) {
    ServerObject *o = wsserver_server_from(obj);
    if (o->impl) {
        o->impl->server.reset();  // no callbacks from here on
        for (auto &cb : o->impl->callbacks) wsserver_callback_reset(cb);
        for (auto &[id, cb] : o->impl->timers) wsserver_callback_reset(cb);
        for (auto &[id, cb] : o->impl->defers) wsserver_callback_reset(cb);
        for (auto &[id, cb] : o->impl->task_callbacks) wsserver_callback_reset(cb);
        for (auto &port : o->impl->ports) {
            for (auto &cb : port->callbacks) wsserver_callback_reset(cb);
        }
    }
    destroy_member(o->impl);
    zend_object_std_dtor(obj);
}

HashTable *server_get_gc(zend_object *obj, zval **table, int *n) {
    ServerObject *o = wsserver_server_from(obj);
    zend_get_gc_buffer *buf = zend_get_gc_buffer_create();
    if (o->impl) {
        for (auto &cb : o->impl->callbacks) {
            if (!Z_ISUNDEF(cb.fn)) zend_get_gc_buffer_add_zval(buf, &cb.fn);
        }
        for (auto &[id, cb] : o->impl->timers) {
            zend_get_gc_buffer_add_zval(buf, &cb.fn);
            if (!Z_ISUNDEF(cb.params)) zend_get_gc_buffer_add_zval(buf, &cb.params);
        }
        for (auto &[id, cb] : o->impl->defers) zend_get_gc_buffer_add_zval(buf, &cb.fn);
        for (auto &port : o->impl->ports) {
            for (auto &cb : port->callbacks) {
                if (!Z_ISUNDEF(cb.fn)) zend_get_gc_buffer_add_zval(buf, &cb.fn);
            }
        }
    }
    zend_get_gc_buffer_use(buf, table, n);
    return zend_std_get_properties(obj);
}

}  // namespace

ServerObject *wsserver_server_from(zend_object *obj) {
    return object_from<ServerObject>(obj);
}

void wsserver_callback_reset(Callback &cb) {
    zval_ptr_dtor(&cb.fn);
    ZVAL_UNDEF(&cb.fn);
    zval_ptr_dtor(&cb.params);
    ZVAL_UNDEF(&cb.params);
}

void wsserver_store_callback(Callback &cb, zval *fn, const zend_fcall_info_cache &fcc) {
    wsserver_callback_reset(cb);
    ZVAL_COPY(&cb.fn, fn);
    cb.fcc = fcc;
}

bool wsserver_parse_callable(zval *arg, zend_fcall_info_cache &fcc) {
    char *error = nullptr;
    if (!zend_is_callable_ex(arg, nullptr, 0, nullptr, &fcc, &error)) {
        if (error) efree(error);
        return false;
    }
    if (error) efree(error);
    return true;
}

int wsserver_event_index(zend_string *name) { return event_index(name); }

ws::Server *wsserver_engine_of(zval *this_ptr) {
    ServerObject *o = this_server(this_ptr);
    if (!o->impl || !o->impl->server) {
        zend_throw_error(nullptr, "%s object is not initialized (its constructor did not complete)",
                         ZSTR_VAL(Z_OBJCE_P(this_ptr)->name));
        return nullptr;
    }
    return o->impl->server.get();
}

ws::Server *wsserver_running_engine(ServerImpl &impl) {
    ws::Server *s = impl.server.get();
    if (!impl.running || !s || impl.is_manager) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        return nullptr;
    }
    return s;
}

ZEND_METHOD(Swoole_Server, __construct) {
    zend_string *host = nullptr;
    zend_long port = 0;
    zend_long mode = kModeBase;
    zend_long sock_type = kSockTcp;
    ZEND_PARSE_PARAMETERS_START(0, 4)
        Z_PARAM_OPTIONAL
        Z_PARAM_STR(host)
        Z_PARAM_LONG(port)
        Z_PARAM_LONG(mode)
        Z_PARAM_LONG(sock_type)
    ZEND_PARSE_PARAMETERS_END();

    ServerObject *o = this_server(ZEND_THIS);
    if (o->impl->server) {
        zend_throw_exception(wsserver_ce_exception, "the server is already constructed", 0);
        RETURN_THROWS();
    }
    if (mode != kModeBase && mode != kModeProcess) {
        zend_throw_exception_ex(wsserver_ce_exception, 0, "invalid server mode " ZEND_LONG_FMT, mode);
        RETURN_THROWS();
    }
    const bool ssl = (sock_type & kSockSsl) != 0;
    const zend_long base_type = sock_type & ~kSockSsl;
    if (base_type != kSockTcp && base_type != kSockTcp6) {
        zend_throw_exception_ex(wsserver_ce_exception, 0,
                                "socket type " ZEND_LONG_FMT " is not supported (SWOOLE_SOCK_TCP or SWOOLE_SOCK_TCP6)",
                                sock_type);
        RETURN_THROWS();
    }
    if (port < 0 || port > 65535) {
        zend_throw_exception_ex(wsserver_ce_exception, 0, "invalid port [" ZEND_LONG_FMT "]", port);
        RETURN_THROWS();
    }
    ServerImpl &impl = *o->impl;
    impl.config.host = host ? std::string(ZSTR_VAL(host), ZSTR_LEN(host)) : std::string("0.0.0.0");
    impl.config.port = static_cast<uint16_t>(port);
    impl.config.ssl = ssl;
    // SWOOLE_PROCESS, for now, runs on the BASE worker model with a manager (any worker
    // reaches any fd through the shared table); Swoole's default worker_num there is one
    // per CPU.
    impl.process_mode = mode == kModeProcess;
    if (impl.process_mode) impl.config.worker_num = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
    impl.config.has_disconnect_handler = true;  // on_disconnect becomes onClose/onDisconnect
    // SIGTERM is taken over by start() only, while the loop runs: a server object that is
    // constructed but not started leaves the process's signals alone.
    impl.config.handle_sigterm = false;
    auto created = ws::Server::create(impl.config, impl.events);
    if (!created) {
        zend_throw_exception(wsserver_ce_exception, created.error().message.c_str(), created.error().code);
        RETURN_THROWS();
    }
    impl.server = std::move(created.value());

    zend_object *obj = Z_OBJ_P(ZEND_THIS);
    zend_class_entry *ce = wsserver_ce_server;
    zend_update_property_stringl(ce, obj, "host", 4, impl.config.host.data(), impl.config.host.size());
    zend_update_property_long(ce, obj, "port", 4, impl.server->port());
    zend_update_property_long(ce, obj, "mode", 4, mode);
    zend_update_property_long(ce, obj, "type", 4, sock_type);

    zval it;
    wsserver_make_connection_iterator(&it, ZEND_THIS, 0);
    zend_update_property(ce, obj, "connections", 11, &it);
    zval_ptr_dtor(&it);
    impl.ports.push_back(std::make_unique<PortState>());
    wsserver_add_port_object(ZEND_THIS, 0, sock_type);
}

ZEND_METHOD(Swoole_Server, on) {
    zend_string *name;
    zval *fn;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_STR(name)
        Z_PARAM_ZVAL(fn)
    ZEND_PARSE_PARAMETERS_END();
    zend_fcall_info_cache fcc;
    if (!wsserver_parse_callable(fn, fcc)) {
        zend_argument_type_error(2, "must be a valid callback");
        RETURN_THROWS();
    }
    int ev = event_index(name);
    if (ev < 0) {
        php_error_docref(nullptr, E_WARNING, "unknown event types[%s]", ZSTR_VAL(name));
        RETURN_FALSE;
    }
    wsserver_store_callback(this_server(ZEND_THIS)->impl->callbacks[ev], fn, fcc);
    RETURN_TRUE;
}

ZEND_METHOD(Swoole_Server, getCallback) {
    zend_string *name;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    int ev = event_index(name);
    if (ev < 0) RETURN_NULL();
    const Callback &cb = this_server(ZEND_THIS)->impl->callbacks[ev];
    if (Z_ISUNDEF(cb.fn)) RETURN_NULL();
    RETURN_COPY(&cb.fn);
}

ZEND_METHOD(Swoole_Server, set) {
    HashTable *settings;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ARRAY_HT(settings)
    ZEND_PARSE_PARAMETERS_END();
    ServerObject *o = this_server(ZEND_THIS);
    if (o->impl->running) {
        php_error_docref(nullptr, E_WARNING, "server is running, unable to change settings");
        RETURN_FALSE;
    }
    ws::ServerConfig next = o->impl->config;
    ProcessSettings next_process = o->impl->process;
    if (!wsserver_apply_server_settings(next, next_process, settings)) RETURN_FALSE;
    o->impl->config = next;
    o->impl->process = std::move(next_process);

    zend_object *obj = Z_OBJ_P(ZEND_THIS);
    zval rv;
    zval *current = zend_read_property(wsserver_ce_server, obj, "setting", 7, true, &rv);
    zval merged;
    array_init(&merged);
    ZVAL_DEREF(current);
    if (Z_TYPE_P(current) == IS_ARRAY) {
        zend_hash_copy(Z_ARRVAL(merged), Z_ARRVAL_P(current), zval_add_ref);
    }
    zend_hash_merge(Z_ARRVAL(merged), settings, zval_add_ref, true);
    zend_update_property(wsserver_ce_server, obj, "setting", 7, &merged);
    zval_ptr_dtor(&merged);
    wsserver_main_port_settings(ZEND_THIS, settings);
    RETURN_TRUE;
}

ZEND_METHOD(Swoole_Server, start) {
    ZEND_PARSE_PARAMETERS_NONE();
    ws::Server *s = wsserver_engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    ServerObject *o = this_server(ZEND_THIS);
    ServerImpl &impl = *o->impl;
    if (impl.running) {
        php_error_docref(nullptr, E_WARNING, "server is running, unable to execute %s->start()",
                         ZSTR_VAL(Z_OBJCE_P(ZEND_THIS)->name));
        RETURN_FALSE;
    }
    if (impl.finished) {
        php_error_docref(nullptr, E_WARNING, "the server has already run; create a new one");
        RETURN_FALSE;
    }
    zend_class_entry *ce = Z_OBJCE_P(ZEND_THIS);
    const bool is_ws = instanceof_function(ce, wsserver_ce_websocket_server);
    const bool is_http = instanceof_function(ce, wsserver_ce_http_server);
    if (is_ws && Z_ISUNDEF(impl.callbacks[WSSERVER_EVENT_MESSAGE].fn)) {
        php_error_docref(nullptr, E_WARNING, "require onMessage callback");
        RETURN_FALSE;
    }
    if (!is_http && Z_ISUNDEF(impl.callbacks[WSSERVER_EVENT_RECEIVE].fn)) {
        php_error_docref(nullptr, E_WARNING, "require onReceive callback");
        RETURN_FALSE;
    }
    if (is_http && !is_ws && Z_ISUNDEF(impl.callbacks[WSSERVER_EVENT_REQUEST].fn)) {
        php_error_docref(nullptr, E_WARNING, "require onRequest callback");
        RETURN_FALSE;
    }
    for (int ev = 0; ev < WSSERVER_EVENT_COUNT; ev++) {
        if (!Z_ISUNDEF(impl.callbacks[ev].fn) && !event_supported(ev)) {
            php_error_docref(nullptr, E_WARNING, "the %s event is not implemented yet", kEventNames[ev]);
            RETURN_FALSE;
        }
    }
    if (impl.config.task_worker_num > 0 && Z_ISUNDEF(impl.callbacks[WSSERVER_EVENT_TASK].fn)) {
        php_error_docref(nullptr, E_WARNING, "require onTask callback");
        RETURN_FALSE;
    }
    impl.config.raw_tcp = !is_http;
    impl.config.has_request_handler = !Z_ISUNDEF(impl.callbacks[WSSERVER_EVENT_REQUEST].fn);
    // Http\Server answers an upgrade request through onRequest, WebSocket\Server through
    // onHandShake when it is set.
    impl.config.user_handshake = !is_ws || !Z_ISUNDEF(impl.callbacks[WSSERVER_EVENT_HANDSHAKE].fn);
    impl.config.has_before_handshake_response =
        is_ws && !Z_ISUNDEF(impl.callbacks[WSSERVER_EVENT_BEFORE_HANDSHAKE_RESPONSE].fn);
    impl.config.has_disconnect_handler = true;
    if (!wsserver_prepare_ports(o, is_http, is_ws)) RETURN_FALSE;
    if (!s->reconfigure(impl.config)) {
        php_error_docref(nullptr, E_WARNING, "the settings cannot be applied any more");
        RETURN_FALSE;
    }

    if (impl.config.ssl) {
        if (impl.config.tls.cert_file.empty() || impl.config.tls.key_file.empty()) {
            php_error_docref(nullptr, E_WARNING, "SWOOLE_SSL needs the ssl_cert_file and ssl_key_file settings");
            RETURN_FALSE;
        }
        impl.config.tls.alpn = {"http/1.1"};
        auto tls = ws::TlsContext::create(impl.config.tls);
        if (!tls) {
            php_error_docref(nullptr, E_WARNING, "%s", tls.error().message.c_str());
            RETURN_FALSE;
        }
        s->set_tls(std::move(tls.value()));
    }
    auto table = ws::ConnectionTable::create({impl.config.max_connection, 1});
    if (!table) {
        php_error_docref(nullptr, E_WARNING, "cannot create the connection table: %s", table.error().message.c_str());
        RETURN_FALSE;
    }
    impl.table = std::make_unique<ws::ConnectionTable>(std::move(table.value()));
    s->attach_table(*impl.table, 0);
    s->set_logger(&impl.logger);
    if (!wsserver_prepare_processes(o)) RETURN_FALSE;

    zend_object *obj = Z_OBJ_P(ZEND_THIS);
    GC_ADDREF(obj);  // alive until the loop returned, whatever the callbacks do
    impl.running = true;
    impl.start_time = static_cast<zend_long>(::time(nullptr));
    bool ok = wsserver_run_processes(o);
    if (!impl.pid_file.empty()) ws::remove_pid_file(impl.pid_file, getpid());  // workers: not theirs
    impl.running = false;
    impl.finished = true;
    OBJ_RELEASE(obj);
    if (EG(exception)) RETURN_THROWS();
    RETURN_BOOL(ok);
}

ZEND_METHOD(Swoole_Server, getLastError) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_LONG(this_server(ZEND_THIS)->impl->last_error);
}

void wsserver_register_server_class() {
    wsserver_ce_exception = register_class_Swoole_Exception(zend_ce_exception);

    wsserver_ce_server = register_class_Swoole_Server();
    wsserver_ce_server->create_object = server_create;
    std::memcpy(&server_handlers, zend_get_std_object_handlers(), sizeof(server_handlers));
    server_handlers.offset = XtOffsetOf(ServerObject, std);
    server_handlers.free_obj = server_free;
    server_handlers.get_gc = server_get_gc;
    server_handlers.clone_obj = nullptr;

    wsserver_ce_connection_iterator = register_class_Swoole_Connection_Iterator(zend_ce_iterator, zend_ce_countable);
    wsserver_init_connection_iterator_class(wsserver_ce_connection_iterator);
}
