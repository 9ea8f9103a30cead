// Swoole\Server (the methods shared by every server class) and Swoole\Connection\Iterator.
// The engine is wsserver::Server (src/core/server.h); this file only turns its events into
// PHP callback calls and PHP arguments into engine calls.
//
// One PHP server object owns one engine (created, and so bound, by the constructor) and
// runs it in the calling process: SWOOLE_BASE with a single worker.
#include "php/classes.h"
#include "php/server_object.h"

extern "C" {
#include "ext/standard/php_var.h"  // declared without C linkage
}
#include "zend_exceptions.h"
#include "zend_smart_str.h"
#include "zend_interfaces.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <random>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "stubs/server_arginfo.h"

zend_class_entry *wsserver_ce_server = nullptr;
zend_class_entry *wsserver_ce_exception = nullptr;
zend_class_entry *wsserver_ce_connection_iterator = nullptr;

namespace ws = wsserver;

namespace {

zend_object_handlers server_handlers;
zend_object_handlers iterator_handlers;

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

// ---------------------------------------------------------------- Swoole\Connection\Iterator

struct IteratorObject {
    zval server;  // the Swoole\Server, kept alive
    std::vector<ws::SessionId> ids;
    size_t pos;
    uint16_t server_port;  // a Port's iterator: only connections to that port; 0: all
    zend_object std;
};

IteratorObject *iterator_from(zend_object *obj) {
    return object_from<IteratorObject>(obj);
}

zend_object *iterator_create(zend_class_entry *ce) {
    auto *it = new_object<IteratorObject>(ce, iterator_handlers);
    ZVAL_UNDEF(&it->server);
    construct_member(it->ids);
    it->pos = 0;
    it->server_port = 0;
    return &it->std;
}

void iterator_free(zend_object *obj) {
    IteratorObject *it = iterator_from(obj);
    zval_ptr_dtor(&it->server);
    ZVAL_UNDEF(&it->server);
    destroy_member(it->ids);
    zend_object_std_dtor(obj);
}

HashTable *iterator_get_gc(zend_object *obj, zval **table, int *n) {
    IteratorObject *it = iterator_from(obj);
    if (Z_ISUNDEF(it->server)) {
        *table = nullptr;
        *n = 0;
    } else {
        *table = &it->server;
        *n = 1;
    }
    return zend_std_get_properties(obj);
}

// Every session, or those that came in on `server_port` (0: all).
std::vector<ws::SessionId> port_session_ids(ws::Server &s, uint16_t server_port) {
    std::vector<ws::SessionId> ids = s.session_ids();
    if (server_port == 0) return ids;
    ws::ClientInfo info;
    ids.erase(std::remove_if(ids.begin(), ids.end(),
                             [&](ws::SessionId id) { return !s.client_info(id, info) || info.server_port != server_port; }),
              ids.end());
    return ids;
}

ws::Server *iterator_engine(IteratorObject *it) {
    if (Z_TYPE(it->server) != IS_OBJECT) return nullptr;
    ServerObject *o = wsserver_server_from(Z_OBJ(it->server));
    return o->impl ? o->impl->server.get() : nullptr;
}

// ---------------------------------------------------------------- Swoole\Server

void callback_reset(Callback &cb) {
    zval_ptr_dtor(&cb.fn);
    ZVAL_UNDEF(&cb.fn);
    zval_ptr_dtor(&cb.params);
    ZVAL_UNDEF(&cb.params);
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
        for (auto &cb : o->impl->callbacks) callback_reset(cb);
        for (auto &[id, cb] : o->impl->timers) callback_reset(cb);
        for (auto &[id, cb] : o->impl->defers) callback_reset(cb);
        for (auto &[id, cb] : o->impl->task_callbacks) callback_reset(cb);
        for (auto &port : o->impl->ports) {
            for (auto &cb : port->callbacks) callback_reset(cb);
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

ServerObject *this_server(zval *this_ptr) { return wsserver_server_from(Z_OBJ_P(this_ptr)); }

// The engine, or nullptr after an exception (constructor not run or failed).
ws::Server *engine_of(zval *this_ptr) {
    ServerObject *o = this_server(this_ptr);
    if (!o->impl || !o->impl->server) {
        zend_throw_error(nullptr, "%s object is not initialized (its constructor did not complete)",
                         ZSTR_VAL(Z_OBJCE_P(this_ptr)->name));
        return nullptr;
    }
    return o->impl->server.get();
}

void store_callback(Callback &cb, zval *fn, const zend_fcall_info_cache &fcc) {
    callback_reset(cb);
    ZVAL_COPY(&cb.fn, fn);
    cb.fcc = fcc;
}

// ---- set()

enum class Kind { Size, Bool, String, Millis, WorkerNum };

struct SettingKey {
    const char *name;
    Kind kind;
};

constexpr SettingKey kSettings[] = {
    {"package_max_length", Kind::Size},
    {"socket_buffer_size", Kind::Size},
    {"buffer_output_size", Kind::Size},
    {"output_buffer_size", Kind::Size},
    {"buffer_high_watermark", Kind::Size},
    {"buffer_low_watermark", Kind::Size},
    {"websocket_compression", Kind::Bool},
    {"websocket_subprotocol", Kind::String},
    {"open_websocket_close_frame", Kind::Bool},
    {"open_websocket_ping_frame", Kind::Bool},
    {"open_websocket_pong_frame", Kind::Bool},
    {"http_header_max_size", Kind::Size},
    {"upload_tmp_dir", Kind::String},
    {"backlog", Kind::Size},
    {"worker_num", Kind::WorkerNum},
    {"max_connection", Kind::Size},
    {"task_worker_num", Kind::Size},
    {"heartbeat_check_interval", Kind::Size},
    {"handshake_timeout", Kind::Millis},
    {"ssl_cert_file", Kind::String},
    {"ssl_key_file", Kind::String},
    {"ssl_passphrase", Kind::String},
    {"ssl_client_cert_file", Kind::String},
    {"ssl_ciphers", Kind::String},
    {"ssl_verify_peer", Kind::Bool},
    {"ssl_allow_self_signed", Kind::Bool},
    {"ssl_verify_depth", Kind::Size},
    {"ssl_protocols", Kind::Size},
    {"heartbeat_idle_time", Kind::Size},
    {"max_conn", Kind::Size},
    {"reactor_num", Kind::Size},
    {"dispatch_mode", Kind::Size},
    {"max_request", Kind::Size},
    {"max_request_grace", Kind::Size},
    {"task_max_request", Kind::Size},
    {"task_max_request_grace", Kind::Size},
    {"daemonize", Kind::Bool},
    {"pid_file", Kind::String},
    {"log_file", Kind::String},
    {"log_level", Kind::Size},
    {"user", Kind::String},
    {"group", Kind::String},
};

const char *type_name(zval *v) { return zend_zval_type_name(v); }

bool wrong_type(const SettingKey &key, const char *expected, zval *v) {
    php_error_docref(nullptr, E_WARNING, "setting '%s' must be %s, %s given", key.name, expected, type_name(v));
    return false;
}

// Checks and applies one known key; false after a warning naming the key.
bool apply_setting(ws::ServerConfig &c, ProcessSettings &p, const SettingKey &key, zval *v) {
    ZVAL_DEREF(v);
    zend_long n = 0;
    bool b = false;
    switch (key.kind) {
    case Kind::Millis:
        // Seconds, as Swoole's timeouts are given (0.5 = 500 ms); 0 disables.
        if ((Z_TYPE_P(v) == IS_LONG || Z_TYPE_P(v) == IS_DOUBLE) && zval_get_double(v) >= 0 && zval_get_double(v) < 1e9) {
            n = static_cast<zend_long>(zval_get_double(v) * 1000.0 + 0.5);
        } else {
            return wrong_type(key, "a number of seconds >= 0", v);
        }
        break;
    case Kind::Size:
    case Kind::WorkerNum:
        if (Z_TYPE_P(v) == IS_LONG) {
            n = Z_LVAL_P(v);
        } else if (Z_TYPE_P(v) == IS_DOUBLE && Z_DVAL_P(v) >= 0 && Z_DVAL_P(v) < 9.0e18) {
            n = static_cast<zend_long>(Z_DVAL_P(v));
        } else if (Z_TYPE_P(v) == IS_STRING &&
                   is_numeric_string(Z_STRVAL_P(v), Z_STRLEN_P(v), &n, nullptr, false) == IS_LONG) {
        } else {
            return wrong_type(key, "of type int", v);
        }
        if (n < 0) {
            php_error_docref(nullptr, E_WARNING, "setting '%s' must be greater than or equal to 0", key.name);
            return false;
        }
        break;
    case Kind::Bool:
        if (Z_TYPE_P(v) == IS_TRUE || Z_TYPE_P(v) == IS_FALSE) {
            b = Z_TYPE_P(v) == IS_TRUE;
        } else if (Z_TYPE_P(v) == IS_LONG) {
            b = Z_LVAL_P(v) != 0;
        } else {
            return wrong_type(key, "of type bool", v);
        }
        break;
    case Kind::String:
        if (Z_TYPE_P(v) != IS_STRING) {
            return wrong_type(key, "of type string", v);
        }
        break;
    }
    const std::string_view name(key.name);
    const auto size = static_cast<size_t>(n);
    if (name == "package_max_length") c.package_max_length = size;
    else if (name == "socket_buffer_size") c.socket_buffer_size = size;
    // Swoole: the largest response a worker hands to the master in PROCESS mode; BASE
    // mode (no such hop) ignores it, as Swoole does. Kept in $server->setting only.
    else if (name == "buffer_output_size" || name == "output_buffer_size") {}
    else if (name == "buffer_high_watermark") c.buffer_high_watermark = size;
    else if (name == "buffer_low_watermark") c.buffer_low_watermark = size;
    else if (name == "websocket_compression") c.websocket_compression = b;
    else if (name == "websocket_subprotocol") c.websocket_subprotocol.assign(Z_STRVAL_P(v), Z_STRLEN_P(v));
    else if (name == "open_websocket_close_frame") c.open_websocket_close_frame = b;
    else if (name == "open_websocket_ping_frame") c.open_websocket_ping_frame = b;
    else if (name == "open_websocket_pong_frame") c.open_websocket_pong_frame = b;
    else if (name == "http_header_max_size") c.http_header_max_size = size;
    else if (name == "upload_tmp_dir") c.upload_tmp_dir.assign(Z_STRVAL_P(v), Z_STRLEN_P(v));
    else if (name == "handshake_timeout") c.handshake_timeout_ms = static_cast<uint64_t>(n);
    else if (name == "ssl_cert_file") c.tls.cert_file.assign(Z_STRVAL_P(v), Z_STRLEN_P(v));
    else if (name == "ssl_key_file") c.tls.key_file.assign(Z_STRVAL_P(v), Z_STRLEN_P(v));
    else if (name == "ssl_passphrase") c.tls.passphrase.assign(Z_STRVAL_P(v), Z_STRLEN_P(v));
    else if (name == "ssl_client_cert_file") c.tls.ca_file.assign(Z_STRVAL_P(v), Z_STRLEN_P(v));
    else if (name == "ssl_ciphers") c.tls.ciphers.assign(Z_STRVAL_P(v), Z_STRLEN_P(v));
    else if (name == "ssl_verify_peer") c.tls.verify_peer = b;
    else if (name == "ssl_allow_self_signed") c.tls.allow_self_signed = b;
    else if (name == "ssl_verify_depth") c.tls.verify_depth = static_cast<int>(std::min<zend_long>(n, 100));
    else if (name == "ssl_protocols") {
        // Swoole's bitmask (SWOOLE_SSL_TLSv1 8, _1 16, _2 32, _3 64) as the range it spans.
        static constexpr struct { zend_long bit; int version; } kVersions[] = {
            {8, ws::tls_version::kTls1_0}, {16, ws::tls_version::kTls1_1},
            {32, ws::tls_version::kTls1_2}, {64, ws::tls_version::kTls1_3}};
        int lo = 0, hi = 0;
        for (const auto &v : kVersions) {
            if (n & v.bit) {
                if (!lo) lo = v.version;
                hi = v.version;
            }
        }
        if (!lo) {
            php_error_docref(nullptr, E_WARNING, "setting 'ssl_protocols' names no TLS version (SWOOLE_SSL_TLSv1_2...)");
            return false;
        }
        c.tls.min_version = lo;
        c.tls.max_version = hi;
    } else if (name == "heartbeat_check_interval" || name == "heartbeat_idle_time") {
        if (n > 86400 * 365) {
            php_error_docref(nullptr, E_WARNING, "setting '%s' is too large (seconds)", key.name);
            return false;
        }
        (name == "heartbeat_check_interval" ? c.heartbeat_check_interval : c.heartbeat_idle_time) =
            static_cast<uint32_t>(n);
    } else if (name == "worker_num" || name == "reactor_num") {
        // Swoole: 0 means one per CPU; more than 1000 per CPU is refused. (reactor_num 0 is
        // resolved by start(): also at most 8 and at most worker_num.)
        const long cpus = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
        if (n == 0 && name == "worker_num") n = cpus;
        if (n > cpus * 1000) {
            php_error_docref(nullptr, E_WARNING, "%s=" ZEND_LONG_FMT " is too large (at most %ld)", key.name, n,
                             cpus * 1000);
            return false;
        }
        (name == "worker_num" ? c.worker_num : c.reactor_num) = static_cast<int>(n);
    } else if (name == "task_worker_num") {
        if (n > 1024) {
            php_error_docref(nullptr, E_WARNING, "setting 'task_worker_num' is too large (at most 1024)");
            return false;
        }
        c.task_worker_num = static_cast<int>(n);
    } else if (name == "max_connection" || name == "max_conn") {
        if (n == 0 || n > static_cast<zend_long>(ws::ConnectionTable::kMaxCapacity)) {
            php_error_docref(nullptr, E_WARNING, "setting '%s' must be between 1 and %u", key.name,
                             ws::ConnectionTable::kMaxCapacity);
            return false;
        }
        c.max_connection = static_cast<uint32_t>(n);
    } else if (name == "dispatch_mode") {
        if (n < 1 || n > 4) {
            php_error_docref(nullptr, E_WARNING,
                             "dispatch_mode=" ZEND_LONG_FMT " is not supported (1 round robin, 2 fd modulo, "
                             "3 idle worker, 4 ip modulo)", n);
            return false;
        }
        c.dispatch_mode = static_cast<int>(n);
    } else if (name == "max_request" || name == "task_max_request" || name == "max_request_grace" ||
               name == "task_max_request_grace") {
        if (n > static_cast<zend_long>(UINT32_MAX)) {
            php_error_docref(nullptr, E_WARNING, "setting '%s' is too large (at most %u)", key.name, UINT32_MAX);
            return false;
        }
        if (name == "max_request") p.max_request = static_cast<uint32_t>(n);
        else if (name == "task_max_request") p.task_max_request = static_cast<uint32_t>(n);
        else if (name == "max_request_grace") p.max_request_grace = n;
        else p.task_max_request_grace = n;
    } else if (name == "log_level") {
        if (n > static_cast<zend_long>(ws::LogLevel::kNone)) {
            php_error_docref(nullptr, E_WARNING,
                             "setting 'log_level' must be between SWOOLE_LOG_DEBUG (0) and SWOOLE_LOG_NONE (6)");
            return false;
        }
        p.log_level = static_cast<int>(n);
    } else if (name == "daemonize") {
        p.daemonize = b;
    } else if (name == "pid_file" || name == "log_file" || name == "user" || name == "group") {
        std::string value(Z_STRVAL_P(v), Z_STRLEN_P(v));
        if (value.find('\0') != std::string::npos) {
            php_error_docref(nullptr, E_WARNING, "setting '%s' must not contain NUL bytes", key.name);
            return false;
        }
        (name == "pid_file" ? p.pid_file : name == "log_file" ? p.log_file : name == "user" ? p.user : p.group) =
            std::move(value);
    }
    return true;
}

// ---- client info

// False when the session is unknown.
bool client_info_array(zval *out, ws::Server *s, ws::SessionId id, bool websocket) {
    ws::ClientInfo info;
    if (!s->client_info(id, info)) return false;
    array_init(out);
    // Swoole's keys in Swoole's order: worker_id only when not 0, websocket_status only on
    // a WebSocket server, times of the last receive/send as floats.
    if (info.worker_id > 0) add_assoc_long(out, "worker_id", info.worker_id);
    if (websocket) add_assoc_long(out, "websocket_status", info.websocket_status);
    add_assoc_long(out, "server_port", info.server_port);
    add_assoc_long(out, "server_fd", info.server_fd);
    add_assoc_long(out, "socket_fd", info.socket_fd);
    add_assoc_long(out, "socket_type", info.socket_type);
    add_assoc_long(out, "remote_port", info.remote_port);
    add_assoc_stringl(out, "remote_ip", info.remote_ip.data(), info.remote_ip.size());
    add_assoc_long(out, "reactor_id", info.reactor_id);  // BASE: the worker; PROCESS: the reactor thread
    add_assoc_long(out, "connect_time", info.connect_time);
    add_assoc_long(out, "last_time", info.last_recv_time ? info.last_recv_time : info.connect_time);
    add_assoc_double(out, "last_recv_time", static_cast<double>(info.last_recv_time));
    add_assoc_double(out, "last_send_time", static_cast<double>(info.last_send_time));
    add_assoc_double(out, "last_dispatch_time", static_cast<double>(info.last_recv_time));
    add_assoc_long(out, "close_errno", 0);
    add_assoc_long(out, "recv_queued_bytes", 0);
    add_assoc_long(out, "send_queued_bytes", static_cast<zend_long>(info.send_queued_bytes));
    // Our addition: the peer's close code and reason once the close handshake began.
    ws::CloseInfo ci;
    if (info.websocket_status == ws::websocket_status::kClosing && s->close_info(id, ci)) {
        add_assoc_long(out, "close_code", ci.peer_code);
        add_assoc_stringl(out, "close_reason", ci.peer_reason.data(), ci.peer_reason.size());
    }
    return true;
}

void client_info_method(INTERNAL_FUNCTION_PARAMETERS) {
    zend_long fd;
    zend_long reactor_id = -1;
    bool ignore_error = false;
    ZEND_PARSE_PARAMETERS_START(1, 3)
        Z_PARAM_LONG(fd)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(reactor_id)
        Z_PARAM_BOOL(ignore_error)
    ZEND_PARSE_PARAMETERS_END();
    (void)reactor_id;
    (void)ignore_error;
    ws::Server *s = engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    if (fd <= 0 || !client_info_array(return_value, s, static_cast<ws::SessionId>(fd),
                                       instanceof_function(Z_OBJCE_P(ZEND_THIS), wsserver_ce_websocket_server))) {
        RETURN_FALSE;
    }
}

void client_list_method(INTERNAL_FUNCTION_PARAMETERS) {
    zend_long start_fd = 0;
    zend_long find_count = 10;
    ZEND_PARSE_PARAMETERS_START(0, 2)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(start_fd)
        Z_PARAM_LONG(find_count)
    ZEND_PARSE_PARAMETERS_END();
    ws::Server *s = engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    if (find_count > 100) {
        php_error_docref(nullptr, E_WARNING, "swoole connection list max_find_count=100");
        RETURN_FALSE;
    }
    array_init(return_value);
    zend_long found = 0;
    if (find_count > 0) {
        for (ws::SessionId id : s->session_ids(std::max<zend_long>(start_fd, 0), static_cast<size_t>(find_count))) {
            add_next_index_long(return_value, static_cast<zend_long>(id));
            found++;
        }
    }
    if (found == 0) {
        zval_ptr_dtor(return_value);
        RETURN_FALSE;
    }
}

bool parse_callable(zval *arg, zend_fcall_info_cache &fcc) {
    char *error = nullptr;
    if (!zend_is_callable_ex(arg, nullptr, 0, nullptr, &fcc, &error)) {
        if (error) efree(error);
        return false;
    }
    if (error) efree(error);
    return true;
}

}  // namespace

int wsserver_event_index(zend_string *name) { return event_index(name); }

void wsserver_make_connection_iterator(zval *out, zval *server, uint16_t server_port) {
    object_init_ex(out, wsserver_ce_connection_iterator);
    IteratorObject *it = iterator_from(Z_OBJ_P(out));
    ZVAL_COPY(&it->server, server);
    it->server_port = server_port;
}
bool wsserver_parse_callable(zval *arg, zend_fcall_info_cache &fcc) { return parse_callable(arg, fcc); }
void wsserver_store_callback(Callback &cb, zval *fn, const zend_fcall_info_cache &fcc) { store_callback(cb, fn, fcc); }
void wsserver_callback_reset(Callback &cb) { callback_reset(cb); }

bool wsserver_apply_settings(ws::ServerConfig &c, HashTable *settings) {
    for (const SettingKey &key : kSettings) {
        zval *v = zend_hash_str_find(settings, key.name, std::strlen(key.name));
        ProcessSettings ignored;  // process keys are the server's, not a port's
        if (v && !apply_setting(c, ignored, key, v)) return false;
    }
    return true;
}

// ---------------------------------------------------------------- events


ServerObject *wsserver_server_from(zend_object *obj) {
    return object_from<ServerObject>(obj);
}

bool wsserver_call(ServerObject *o, const Callback &cb, uint32_t argc, zval *argv, zval *result) {
    if (EG(exception) || Z_ISUNDEF(cb.fn)) return !EG(exception);
    zval fn;
    ZVAL_COPY(&fn, &cb.fn);  // the callback may replace itself through on()
    zend_fcall_info_cache fcc = cb.fcc;
    zval retval;
    ZVAL_UNDEF(&retval);
    zend_fcall_info fci;
    fci.size = sizeof(fci);
    ZVAL_COPY_VALUE(&fci.function_name, &fn);
    fci.object = nullptr;
    fci.retval = &retval;
    fci.params = argv;
    fci.param_count = argc;
    fci.named_params = nullptr;
    zend_call_function(&fci, &fcc);
    if (result && !EG(exception)) {
        ZVAL_COPY_VALUE(result, &retval);  // the caller owns it now
    } else {
        zval_ptr_dtor(&retval);
    }
    zval_ptr_dtor(&fn);
    if (EG(exception)) {
        // As an uncaught exception ends a Swoole worker: every connection is dropped at
        // once (no close handshake, no more PHP callbacks), run() returns and the
        // exception propagates from start().
        if (o->impl && o->impl->server && o->impl->running) {
            ws::Server &s = *o->impl->server;
            s.abort_local_connections();
            s.stop();
        }
        return false;
    }
    return true;
}

namespace {

// max_request reached: the worker finishes what it is doing and leaves as if the manager
// had told it to (onWorkerExit, then the graceful stop: connections closed, onWorkerStop);
// the manager, seeing the state kExit and a clean exit, forks its replacement at once.
void leave_after_max_request(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    impl.leaving = true;
    impl.worker_status->set_state(impl.worker_id, ws::WorkerState::kExit);
    ws::Server *s = impl.server.get();
    if (!s || s->stopping()) return;
    zval args[2];
    ZVAL_OBJ(&args[0], &o->std);
    ZVAL_LONG(&args[1], impl.worker_id);
    wsserver_call(o, impl.callbacks[WSSERVER_EVENT_WORKER_EXIT], 2, args);
    s->stop();
}

// Around every engine event that runs PHP in a worker: the worker is SWOOLE_WORKER_BUSY
// while it runs, SWOOLE_WORKER_IDLE again once the outermost event returned (Swoole's
// getWorkerStatus), and an event that is a request as Swoole counts them (onReceive,
// onRequest, the upgrade request, onMessage, onTask; not onConnect/onClose/onPipeMessage/
// onFinish, nor timers) counts towards max_request once its callback returned.
class DispatchScope {
public:
    DispatchScope(ServerObject *o, bool is_request) : o_(o), is_request_(is_request) {
        ServerImpl &impl = *o_->impl;
        if (impl.dispatch_depth++ == 0 && impl.worker_status && !impl.leaving) {
            impl.worker_status->set_state(impl.worker_id, ws::WorkerState::kBusy);
        }
    }
    DispatchScope(const DispatchScope &) = delete;
    DispatchScope &operator=(const DispatchScope &) = delete;
    ~DispatchScope() {
        ServerImpl &impl = *o_->impl;
        if (--impl.dispatch_depth == 0 && impl.worker_status && !impl.leaving) {
            impl.worker_status->set_state(impl.worker_id, ws::WorkerState::kIdle);
        }
        if (!is_request_ || !impl.worker_status) return;
        const uint64_t handled = impl.worker_status->add_request(impl.worker_id);
        if (impl.request_limit != 0 && handled >= impl.request_limit && !impl.leaving && !EG(exception)) {
            leave_after_max_request(o_);
        }
    }

private:
    ServerObject *o_;
    bool is_request_;
};

void call_fd_event(ServerObject *o, int ev, ws::SessionId id, bool with_reactor) {
    const Callback &cb = wsserver_callback(o, ev, id);
    if (Z_ISUNDEF(cb.fn)) return;
    DispatchScope scope(o, false);
    zval args[3];
    ZVAL_OBJ(&args[0], &o->std);
    ZVAL_LONG(&args[1], static_cast<zend_long>(id));
    ZVAL_LONG(&args[2], o->impl->server->event_reactor_id());  // BASE: the worker; PROCESS: the thread
    wsserver_call(o, cb, with_reactor ? 3 : 2, args);
}

}  // namespace

void ServerEventsImpl::on_connect(ws::SessionId id) { call_fd_event(o_, WSSERVER_EVENT_CONNECT, id, true); }

void ServerEventsImpl::on_request(ws::SessionId id, const ws::HttpParser &parser) {
    const Callback &cb = wsserver_callback(o_, WSSERVER_EVENT_REQUEST, id);
    DispatchScope scope(o_, true);
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    zval args[2];
    wsserver_make_request(&args[0], o_, id, parser);
    wsserver_make_response(&args[1], o_, id);
    wsserver_call(o_, cb, 2, args);
    zval_ptr_dtor(&args[0]);
    zval_ptr_dtor(&args[1]);  // a response nobody kept and nobody ended is ended here
}

// Http\Server (no WebSocket): an upgrade request is just a request.
// WebSocket\Server with onHandShake: the callback answers with $response->status(101) and
// end() (no onOpen follows, as in Swoole). Http\Server: an upgrade request is a request.
void ServerEventsImpl::on_handshake(ws::SessionId id, const ws::HttpParser &parser) {
    const Callback &cb = wsserver_callback(o_, WSSERVER_EVENT_HANDSHAKE, id);
    if (Z_ISUNDEF(cb.fn)) {
        on_request(id, parser);
        return;
    }
    DispatchScope scope(o_, true);
    if (EG(exception)) return;
    zval args[2];
    wsserver_make_request(&args[0], o_, id, parser);
    wsserver_make_response(&args[1], o_, id);
    wsserver_call(o_, cb, 2, args);
    zval_ptr_dtor(&args[0]);
    zval_ptr_dtor(&args[1]);  // not ended: ended here, a 200 that refuses the upgrade
}

// The spec shows ($request, $response), Swoole passes ($server, $request, $response): a
// callable that declares three or more parameters (or is variadic) gets the server first.
void ServerEventsImpl::on_before_handshake_response(ws::SessionId id, const ws::HttpParser &parser,
                                                    ws::HttpResponse &extra) {
    const Callback &cb = wsserver_callback(o_, WSSERVER_EVENT_BEFORE_HANDSHAKE_RESPONSE, id);
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    DispatchScope scope(o_, false);  // the request counts once, at onOpen
    const zend_function *fn = cb.fcc.function_handler;
    const bool with_server = fn && (fn->common.num_args >= 3 || (fn->common.fn_flags & ZEND_ACC_VARIADIC));
    zval args[3];
    ZVAL_OBJ(&args[0], &o_->std);
    wsserver_make_request(&args[1], o_, id, parser);
    wsserver_make_response(&args[2], o_, id);
    wsserver_call(o_, cb, with_server ? 3 : 2, with_server ? args : args + 1);
    wsserver_response_export(&args[2], extra);
    zval_ptr_dtor(&args[1]);
    zval_ptr_dtor(&args[2]);
}

// The upgrade request answered by the built-in handshake: one request, onOpen or not.
void ServerEventsImpl::on_open(ws::SessionId id, const ws::HttpParser &parser) {
    const Callback &cb = wsserver_callback(o_, WSSERVER_EVENT_OPEN, id);
    DispatchScope scope(o_, true);
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    zval args[2];
    ZVAL_OBJ(&args[0], &o_->std);
    wsserver_make_request(&args[1], o_, id, parser);
    wsserver_call(o_, cb, 2, args);
    zval_ptr_dtor(&args[1]);
}

void ServerEventsImpl::on_message(ws::SessionId id, uint8_t opcode, std::string_view data, unsigned flags) {
    const Callback &cb = wsserver_callback(o_, WSSERVER_EVENT_MESSAGE, id);
    DispatchScope scope(o_, true);
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    zval frame;
    wsserver_frame_received(&frame, static_cast<zend_long>(id), opcode, data, flags);
    zval args[2];
    ZVAL_OBJ(&args[0], &o_->std);
    ZVAL_COPY_VALUE(&args[1], &frame);
    wsserver_call(o_, cb, 2, args);
    zval_ptr_dtor(&frame);
}

void ServerEventsImpl::on_close(ws::SessionId id) { call_fd_event(o_, WSSERVER_EVENT_CLOSE, id, true); }

void ServerEventsImpl::on_disconnect(ws::SessionId id) {
    // Swoole: onDisconnect when set, else onClose, for a connection that never upgraded.
    int ev = Z_ISUNDEF(wsserver_callback(o_, WSSERVER_EVENT_DISCONNECT, id).fn) ? WSSERVER_EVENT_CLOSE
                                                                          : WSSERVER_EVENT_DISCONNECT;
    call_fd_event(o_, ev, id, ev == WSSERVER_EVENT_CLOSE);
}

void ServerEventsImpl::on_receive(ws::SessionId id, std::string_view data) {
    const Callback &cb = wsserver_callback(o_, WSSERVER_EVENT_RECEIVE, id);
    DispatchScope scope(o_, true);
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    zval args[4];
    ZVAL_OBJ(&args[0], &o_->std);
    ZVAL_LONG(&args[1], static_cast<zend_long>(id));
    ZVAL_LONG(&args[2], o_->impl->server->event_reactor_id());
    ZVAL_STR(&args[3], zstr_from(data));
    wsserver_call(o_, cb, 4, args);
    zval_ptr_dtor(&args[3]);
}

// Values sent between workers (sendMessage, task, finish): strings travel as they are,
// anything else serialized (flag kSerialized).
constexpr uint32_t kSerialized = 1;

// A worker-to-worker payload: `bytes` views the string itself, or the serialization this
// object owns (flags kSerialized). pack() is false with an exception pending (a value that
// cannot be serialized).
struct PackedValue {
    smart_str buf = {};
    std::string_view bytes;
    uint32_t flags = 0;

    PackedValue() = default;
    PackedValue(const PackedValue &) = delete;
    PackedValue &operator=(const PackedValue &) = delete;
    ~PackedValue() { smart_str_free(&buf); }

    bool pack(zval *value) {
        if (Z_TYPE_P(value) == IS_STRING) {
            bytes = std::string_view(Z_STRVAL_P(value), Z_STRLEN_P(value));
            return true;
        }
        php_serialize_data_t var_hash;
        PHP_VAR_SERIALIZE_INIT(var_hash);
        php_var_serialize(&buf, value, &var_hash);
        PHP_VAR_SERIALIZE_DESTROY(var_hash);
        if (EG(exception)) return false;
        bytes = buf.s ? std::string_view(ZSTR_VAL(buf.s), ZSTR_LEN(buf.s)) : std::string_view();
        flags = kSerialized;
        return true;
    }
};

void unpack_value(zval *out, std::string_view data, uint32_t flags) {
    if (!(flags & kSerialized)) {
        ZVAL_STR(out, zstr_from(data));
        return;
    }
    php_unserialize_data_t var_hash;
    PHP_VAR_UNSERIALIZE_INIT(var_hash);
    const auto *p = reinterpret_cast<const unsigned char *>(data.data());
    if (!php_var_unserialize(out, &p, p + data.size(), &var_hash)) {
        zval_ptr_dtor(out);
        ZVAL_FALSE(out);
    }
    PHP_VAR_UNSERIALIZE_DESTROY(var_hash);
}

void ServerEventsImpl::on_pipe_message(int32_t src_worker, std::string_view data, uint32_t flags) {
    DispatchScope scope(o_, false);
    const Callback &cb = o_->impl->callbacks[WSSERVER_EVENT_PIPE_MESSAGE];
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    zval args[3];
    ZVAL_OBJ(&args[0], &o_->std);
    ZVAL_LONG(&args[1], src_worker);
    unpack_value(&args[2], data, flags);
    wsserver_call(o_, cb, 3, args);
    zval_ptr_dtor(&args[2]);
}

// In a task worker: onTask($server, $task_id, $src_worker_id, $data); a non-null return
// value is the result, as finish($value) would send it.
void ServerEventsImpl::on_task(int64_t task_id, int32_t src_worker, std::string_view data, uint32_t flags) {
    ServerImpl &impl = *o_->impl;
    DispatchScope scope(o_, true);
    const Callback &cb = impl.callbacks[WSSERVER_EVENT_TASK];
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    zval args[4];
    ZVAL_OBJ(&args[0], &o_->std);
    ZVAL_LONG(&args[1], task_id);
    ZVAL_LONG(&args[2], src_worker);
    unpack_value(&args[3], data, flags);
    impl.current_task_id = task_id;
    impl.current_task_src = src_worker;
    impl.current_task_finished = false;
    zval retval;
    ZVAL_UNDEF(&retval);
    wsserver_call(o_, cb, 4, args, &retval);
    if (!EG(exception) && !Z_ISUNDEF(retval) && Z_TYPE(retval) != IS_NULL && !impl.current_task_finished) {
        PackedValue result;
        if (result.pack(&retval)) impl.server->send_finish(src_worker, task_id, result.bytes, result.flags);
    }
    impl.current_task_id = -1;
    zval_ptr_dtor(&retval);
    zval_ptr_dtor(&args[3]);
}

// In the worker that called task(): the callback given to task(), else onFinish.
void ServerEventsImpl::on_finish(int64_t task_id, std::string_view data, uint32_t flags) {
    ServerImpl &impl = *o_->impl;
    if (impl.timed_out_tasks.erase(task_id)) return;  // its taskwait() already returned false
    DispatchScope scope(o_, false);
    Callback own;
    auto it = impl.task_callbacks.find(task_id);
    if (it != impl.task_callbacks.end()) {
        own = it->second;
        impl.task_callbacks.erase(it);
    }
    const Callback &cb = Z_ISUNDEF(own.fn) ? impl.callbacks[WSSERVER_EVENT_FINISH] : own;
    if (!Z_ISUNDEF(cb.fn) && !EG(exception)) {
        zval args[3];
        ZVAL_OBJ(&args[0], &o_->std);
        ZVAL_LONG(&args[1], task_id);
        unpack_value(&args[2], data, flags);
        wsserver_call(o_, cb, 3, args);
        zval_ptr_dtor(&args[2]);
    }
    zval_ptr_dtor(&own.fn);
}

void ServerEventsImpl::on_buffer_full(ws::SessionId id) {
    call_fd_event(o_, WSSERVER_EVENT_BUFFER_FULL, id, false);
}

void ServerEventsImpl::on_buffer_empty(ws::SessionId id) {
    call_fd_event(o_, WSSERVER_EVENT_BUFFER_EMPTY, id, false);
}

// ---------------------------------------------------------------- the process model

namespace {

// An event whose only argument is the server (managerStart, beforeReload, ...).
void call_server_event(ServerObject *o, int ev) {
    zval args[1];
    ZVAL_OBJ(&args[0], &o->std);
    wsserver_call(o, o->impl->callbacks[ev], 1, args);
}

void set_process_properties(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    zend_object *obj = &o->std;
    zend_update_property_long(wsserver_ce_server, obj, "master_pid", 10, impl.master_pid);
    zend_update_property_long(wsserver_ce_server, obj, "manager_pid", 11, impl.manager_pid);
    zend_update_property_long(wsserver_ce_server, obj, "worker_id", 9, impl.is_manager ? -1 : impl.worker_id);
    zend_update_property_long(wsserver_ce_server, obj, "worker_pid", 10, impl.is_manager ? 0 : getpid());
    zend_update_property_bool(wsserver_ce_server, obj, "taskworker", 10, impl.is_task_worker);
}

// The request count at which this worker leaves: max_request (task_max_request) plus, as
// Swoole does so that workers started together do not all restart together, a random
// 1..grace more, grace being max_request_grace or by default max_request / 2 above 10.
uint64_t request_limit_for(uint32_t max_request, int64_t grace_setting) {
    if (max_request == 0) return 0;
    const uint64_t grace = grace_setting >= 0 ? static_cast<uint64_t>(grace_setting)
                                              : (max_request > 10 ? max_request / 2 : 0);
    if (grace == 0) return max_request;
    std::mt19937_64 rng(static_cast<uint64_t>(getpid()) * 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(::time(nullptr)));
    return max_request + std::uniform_int_distribution<uint64_t>(1, grace)(rng);
}

// This process as a worker: who the log lines say it is, its user/group (Swoole switches
// workers only, and only when started as root), its request limit, and IDLE before
// workerStart runs. False with an exception pending.
bool become_worker(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    impl.logger.set_role(impl.is_task_worker ? ws::ProcessRole::kTaskWorker : ws::ProcessRole::kWorker, impl.worker_id);
    auto switched = ws::switch_identity(impl.identity);
    if (!switched) {
        zend_throw_exception_ex(wsserver_ce_exception, switched.error().code, "worker#%d cannot switch to user [%s] group [%s]: %s",
                                impl.worker_id, impl.process.user.c_str(), impl.process.group.c_str(),
                                switched.error().message.c_str());
        return false;
    }
    const ProcessSettings &p = impl.process;
    impl.request_limit = impl.is_task_worker ? request_limit_for(p.task_max_request, p.task_max_request_grace)
                                             : request_limit_for(p.max_request, p.max_request_grace);
    impl.leaving = false;
    if (impl.worker_status) impl.worker_status->set_state(impl.worker_id, ws::WorkerState::kIdle);
    return true;
}

// One worker's life in this process: workerStart, the loop until stop, workerStop.
// onStart/onShutdown run here when there is no manager. False after a warning.
bool run_worker(ServerObject *o, int worker_id, bool call_start) {
    ServerImpl &impl = *o->impl;
    ws::Server *s = impl.server.get();
    impl.worker_id = worker_id;
    if (impl.manager_pid == 0) impl.master_pid = getpid();  // no manager: this process is the master
    if (!become_worker(o)) return false;
    set_process_properties(o);
    zval args[2];
    ZVAL_OBJ(&args[0], &o->std);
    ZVAL_LONG(&args[1], worker_id);
    // The signals are taken before onStart/onWorkerStart run: a SIGTERM that arrives while
    // they run (a reload or shutdown right after a fork) waits in the loop's signalfd and
    // still ends the worker gracefully (onWorkerExit, onWorkerStop), instead of killing it.
    // Graceful stop. With no manager, this process is the master: beforeShutdown here.
    int err = s->reactor().on_signal(SIGTERM, [o, s](int) {
        if (!s->stopping()) {
            if (o->impl->manager_pid == 0) {
                call_server_event(o, WSSERVER_EVENT_BEFORE_SHUTDOWN);
            } else {
                // A worker told to go (reload, shutdown): Swoole's onWorkerExit, once here.
                if (o->impl->worker_status) o->impl->worker_status->set_state(o->impl->worker_id, ws::WorkerState::kExit);
                o->impl->leaving = true;
                zval args[2];
                ZVAL_OBJ(&args[0], &o->std);
                ZVAL_LONG(&args[1], o->impl->worker_id);
                wsserver_call(o, o->impl->callbacks[WSSERVER_EVENT_WORKER_EXIT], 2, args);
            }
        }
        s->stop();
    });
    // SIGUSR1/SIGUSR2 reload workers: the manager's business. Here they must not take
    // the default action (terminate).
    if (err == 0) err = s->reactor().on_signal(SIGUSR1, [](int) {});
    if (err == 0) err = s->reactor().on_signal(SIGUSR2, [](int) {});
    if (call_start) wsserver_call(o, impl.callbacks[WSSERVER_EVENT_START], 1, args);
    wsserver_call(o, impl.callbacks[WSSERVER_EVENT_WORKER_START], 2, args);
    if (err == 0 && !EG(exception)) err = s->run();
    (void)s->reactor().on_signal(SIGTERM, {});
    (void)s->reactor().on_signal(SIGUSR1, {});
    (void)s->reactor().on_signal(SIGUSR2, {});
    wsserver_call(o, impl.callbacks[WSSERVER_EVENT_WORKER_STOP], 2, args);
    if (impl.manager_pid == 0) wsserver_call(o, impl.callbacks[WSSERVER_EVENT_SHUTDOWN], 1, args);
    if (err != 0 && !EG(exception)) {
        php_error_docref(nullptr, E_WARNING, "the event loop failed: %s", std::strerror(err));
        return false;
    }
    return true;
}

// A forked worker never returns into the script: it ends as exit() would (shutdown
// functions and destructors run), or with an uncaught exception's report and status 255,
// even if the script wrapped start() in a try block.
void end_worker_process() {
    if (EG(exception) && zend_is_unwind_exit(EG(exception))) return;  // exit() was called: its status stands
    EG(exit_status) = 0;
    if (EG(exception)) {
        zend_object *ex = EG(exception);
        GC_ADDREF(ex);
        zend_clear_exception();
        zend_exception_error(ex, E_ERROR);  // "PHP Fatal error: Uncaught ..."; releases ex
        EG(exit_status) = 255;
    }
    if (!EG(exception)) zend_throw_unwind_exit();
}

// worker_num > 1: this process becomes the manager, forks the workers and supervises them
// until shutdown. In each forked worker, run() returns with the worker's identity.
bool run_manager(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    impl.manager_pid = getpid();
    if (!impl.process_mode) impl.master_pid = impl.manager_pid;  // PROCESS: the master forked us
    impl.is_manager = true;
    ws::WorkerPoolOptions po;
    po.worker_num = impl.config.worker_num;
    po.task_worker_num = impl.config.task_worker_num;
    po.table = impl.table.get();
    po.stop_timeout_ms = impl.config.stop_timeout_ms + 2000;
    po.status = impl.worker_status.get();
    impl.logger.set_role(ws::ProcessRole::kManager, 0);
    ws::WorkerPool::Hooks hooks;
    hooks.manager_start = [o] { call_server_event(o, WSSERVER_EVENT_MANAGER_START); };
    hooks.manager_stop = [o] { call_server_event(o, WSSERVER_EVENT_MANAGER_STOP); };
    hooks.worker_exit = [o](const ws::WorkerExit &e) {
        zval args[5];
        ZVAL_OBJ(&args[0], &o->std);
        ZVAL_LONG(&args[1], e.worker_id);
        ZVAL_LONG(&args[2], e.pid);
        ZVAL_LONG(&args[3], e.exit_code);
        ZVAL_LONG(&args[4], e.signal);
        if (e.signal == 0 && e.exit_code == 0) return;  // a clean exit (stop() in the worker) is no error
        if (!Z_ISUNDEF(o->impl->callbacks[WSSERVER_EVENT_WORKER_ERROR].fn)) {
            wsserver_call(o, o->impl->callbacks[WSSERVER_EVENT_WORKER_ERROR], 5, args);
        } else {
            o->impl->logger.logf(ws::LogLevel::kWarning, "worker(pid=%d, id=%d) abnormal exit, status=%d, signal=%d",
                                 static_cast<int>(e.pid), e.worker_id, e.exit_code, e.signal);
        }
    };
    hooks.before_reload = [o] { call_server_event(o, WSSERVER_EVENT_BEFORE_RELOAD); };
    hooks.after_reload = [o] { call_server_event(o, WSSERVER_EVENT_AFTER_RELOAD); };
    if (!impl.process_mode)  // PROCESS: beforeShutdown runs in the master
        hooks.before_shutdown = [o] { call_server_event(o, WSSERVER_EVENT_BEFORE_SHUTDOWN); };
    auto pool = ws::WorkerPool::create(po, std::move(hooks));
    if (!pool) {
        php_error_docref(nullptr, E_WARNING, "cannot start the workers: %s", pool.error().message.c_str());
        return false;
    }
    impl.pool = std::move(pool.value());
    set_process_properties(o);
    ws::WorkerPool::RunResult r = impl.pool->run();
    if (r.role == ws::WorkerPool::Role::Worker) {
        impl.pool.reset();
        impl.is_manager = false;
        impl.logger.set_role(r.task_worker ? ws::ProcessRole::kTaskWorker : ws::ProcessRole::kWorker, r.worker_id);
        ws::Server *s = impl.server.get();
        int err = s->renew_reactor_after_fork();
        if (err == 0) {
            s->attach_table(*impl.table, r.worker_id);
            err = s->connect_to_manager(std::move(r.channel));
        }
        if (r.task_worker) {
            s->serve_no_connections();
            impl.is_task_worker = true;
        }
        if (err == 0 && impl.process_mode) {
            // The master's threads own the sockets: this worker serves their events.
            s->serve_no_connections();
            std::vector<ws::UniqueFd> mine;
            if (static_cast<size_t>(r.worker_id) < impl.worker_ends.size())
                mine = std::move(impl.worker_ends[static_cast<size_t>(r.worker_id)]);
            impl.worker_ends.clear();  // the other members' ends
            err = s->attach_master(std::move(mine));
        }
        if (err != 0) {
            impl.logger.logf(ws::LogLevel::kError, "worker#%d cannot start: %s", r.worker_id, std::strerror(err));
            EG(exit_status) = 255;
            zend_throw_unwind_exit();
            return false;
        }
        // Swoole (BASE): onStart runs once, in worker 0; PROCESS: in the master.
        run_worker(o, r.worker_id, r.worker_id == 0 && r.first_start && !impl.process_mode);
        end_worker_process();
        return false;
    }
    impl.is_manager = false;
    zval args[1];
    ZVAL_OBJ(&args[0], &o->std);
    if (!impl.process_mode) wsserver_call(o, impl.callbacks[WSSERVER_EVENT_SHUTDOWN], 1, args);
    if (r.error != 0 && !EG(exception)) {
        php_error_docref(nullptr, E_WARNING, "the manager loop failed: %s", std::strerror(r.error));
        return false;
    }
    return true;
}

// SWOOLE_PROCESS: this process becomes the master. It forks the manager (which forks the
// workers, as in BASE mode), then its reactor threads (ws::ProcessMaster) serve every
// connection and dispatch the events to the workers over the channels created here. The
// master's own thread runs only onStart/onBeforeShutdown/onShutdown, timers set there,
// and the signals: SIGTERM shuts the server down, SIGUSR1/SIGUSR2 go to the manager.
bool run_process_master(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    ws::Server *s = impl.server.get();
    const int pool_size = impl.config.worker_num + impl.config.task_worker_num;
    const long cpus = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
    int reactors = impl.config.reactor_num > 0 ? impl.config.reactor_num : static_cast<int>(std::min(cpus, 8L));
    reactors = std::max(1, std::min(reactors, impl.config.worker_num));  // Swoole caps it so
    auto channels = ws::ProcessChannels::create(reactors, pool_size);
    if (!channels) {
        php_error_docref(nullptr, E_WARNING, "cannot create the worker channels: %s",
                         channels.error().message.c_str());
        return false;
    }
    impl.master_pid = getpid();
    pid_t manager = fork();
    if (manager < 0) {
        php_error_docref(nullptr, E_WARNING, "fork() of the manager failed: %s", std::strerror(errno));
        return false;
    }
    if (manager == 0) {
        channels.value().master_ends.clear();
        impl.worker_ends = std::move(channels.value().worker_ends);
        run_manager(o);  // workers never come back here
        end_worker_process();
        return false;
    }
    channels.value().worker_ends.clear();
    impl.manager_pid = manager;
    impl.is_master = true;
    impl.logger.set_role(ws::ProcessRole::kMaster, 0);
    s->serve_no_connections();  // the threads accept; this reactor only runs the master's own work

    ws::ProcessMasterOptions mo;
    mo.reactor_num = reactors;
    mo.worker_num = impl.config.worker_num;
    mo.dispatch_mode = impl.config.dispatch_mode;
    mo.table = impl.table.get();
    mo.status = impl.worker_status.get();
    auto master = ws::ProcessMaster::create(*s, impl.config, mo, std::move(channels.value().master_ends));
    if (!master) {
        php_error_docref(nullptr, E_WARNING, "cannot start the reactor threads: %s", master.error().message.c_str());
        kill(manager, SIGTERM);
        while (waitpid(manager, nullptr, 0) < 0 && errno == EINTR) {}
        return false;
    }
    impl.master = std::move(master.value());

    ws::Reactor &loop = s->reactor();
    bool manager_gone = false;
    auto shut_down = [&] {
        call_server_event(o, WSSERVER_EVENT_BEFORE_SHUTDOWN);
        impl.master->stop();  // 1001 to every client; their close events reach the workers
        impl.master->join();
        if (!manager_gone) {
            kill(manager, SIGTERM);
            while (waitpid(manager, nullptr, 0) < 0 && errno == EINTR) {}
            manager_gone = true;
        }
        loop.stop();
    };
    bool stopping = false;
    int err = loop.on_signal(SIGTERM, [&](int) {
        if (stopping) return;
        stopping = true;
        shut_down();
    });
    if (err == 0) err = loop.on_signal(SIGUSR1, [manager](int) { kill(manager, SIGUSR1); });
    if (err == 0) err = loop.on_signal(SIGUSR2, [manager](int) { kill(manager, SIGUSR2); });
    if (err == 0) err = loop.on_signal(SIGCHLD, [&](int) {
        int status = 0;
        if (manager_gone || waitpid(manager, &status, WNOHANG) != manager) return;
        manager_gone = true;  // it died on its own: the workers went with it
        if (!stopping) {
            stopping = true;
            php_error_docref(nullptr, E_WARNING, "the manager process exited: the server shuts down");
            shut_down();
        }
    });
    if (err == 0) {
        impl.master->start();
        set_process_properties(o);
        zval args[1];
        ZVAL_OBJ(&args[0], &o->std);
        wsserver_call(o, impl.callbacks[WSSERVER_EVENT_START], 1, args);
        if (EG(exception)) {
            stopping = true;
            shut_down();
        } else {
            err = loop.run();
        }
    } else {
        stopping = true;
        shut_down();
    }
    (void)loop.on_signal(SIGTERM, {});
    (void)loop.on_signal(SIGUSR1, {});
    (void)loop.on_signal(SIGUSR2, {});
    (void)loop.on_signal(SIGCHLD, {});
    impl.master.reset();
    zval args[1];
    ZVAL_OBJ(&args[0], &o->std);
    wsserver_call(o, impl.callbacks[WSSERVER_EVENT_SHUTDOWN], 1, args);
    if (err != 0 && !EG(exception)) {
        php_error_docref(nullptr, E_WARNING, "the master loop failed: %s", std::strerror(err));
        return false;
    }
    return true;
}

// Before any fork: user/group looked up (a name that does not exist stops start() here,
// not in every worker), the worker status table, the log file and level, daemonize, the
// pid file (the pid of the process that stays: the manager, or the only process). False
// after a warning.
bool prepare_processes(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    const ProcessSettings &p = impl.process;
    auto identity = ws::lookup_identity(p.user, p.group);
    if (!identity) {
        php_error_docref(nullptr, E_WARNING, "%s", identity.error().message.c_str());
        return false;
    }
    impl.identity = identity.value();
    auto status = ws::WorkerStatusTable::create(std::max(1, impl.config.worker_num + impl.config.task_worker_num));
    if (!status) {
        php_error_docref(nullptr, E_WARNING, "cannot create the worker status table: %s", status.error().message.c_str());
        return false;
    }
    impl.worker_status = std::make_unique<ws::WorkerStatusTable>(std::move(status.value()));
    impl.logger.set_level(static_cast<ws::LogLevel>(p.log_level));
    if (!p.log_file.empty()) {
        auto opened = impl.logger.open(p.log_file);
        if (!opened) {
            php_error_docref(nullptr, E_WARNING, "%s", opened.error().message.c_str());
            return false;
        }
    }
    impl.pid_file = ws::absolute_path(p.pid_file);  // daemonize() moves to "/"
    if (p.daemonize) {
        fflush(stdout);
        fflush(stderr);
        // Standard output and error go to the log file (PHP's own warnings included), or
        // nowhere; the calling process exits here with status 0.
        auto detached = ws::daemonize(impl.logger.has_file() ? impl.logger.fd() : -1);
        if (!detached) {
            php_error_docref(nullptr, E_WARNING, "daemonize failed: %s", detached.error().message.c_str());
            return false;
        }
    }
    if (!impl.pid_file.empty()) {
        auto written = ws::write_pid_file(impl.pid_file, getpid());
        if (!written) {
            php_error_docref(nullptr, E_WARNING, "%s", written.error().message.c_str());
            impl.pid_file.clear();
            return false;
        }
    }
    return true;
}

}  // namespace

// ---------------------------------------------------------------- methods

namespace {

// The engine of a running worker (not the manager); else a warning and nullptr.
ws::Server *running_engine(ServerImpl &impl) {
    ws::Server *s = impl.server.get();
    if (!impl.running || !s || impl.is_manager) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        return nullptr;
    }
    return s;
}

}  // namespace

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
    object_init_ex(&it, wsserver_ce_connection_iterator);
    ZVAL_COPY(&iterator_from(Z_OBJ(it))->server, ZEND_THIS);
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
    if (!parse_callable(fn, fcc)) {
        zend_argument_type_error(2, "must be a valid callback");
        RETURN_THROWS();
    }
    int ev = event_index(name);
    if (ev < 0) {
        php_error_docref(nullptr, E_WARNING, "unknown event types[%s]", ZSTR_VAL(name));
        RETURN_FALSE;
    }
    store_callback(this_server(ZEND_THIS)->impl->callbacks[ev], fn, fcc);
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
    if (!wsserver_apply_settings(next, settings)) RETURN_FALSE;
    ProcessSettings next_process = o->impl->process;
    for (const SettingKey &key : kSettings) {
        zval *v = zend_hash_str_find(settings, key.name, std::strlen(key.name));
        if (v && !apply_setting(next, next_process, key, v)) RETURN_FALSE;
    }
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
    ws::Server *s = engine_of(ZEND_THIS);
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
    if (!prepare_processes(o)) RETURN_FALSE;

    zend_object *obj = Z_OBJ_P(ZEND_THIS);
    GC_ADDREF(obj);  // alive until the loop returned, whatever the callbacks do
    impl.running = true;
    impl.start_time = static_cast<zend_long>(::time(nullptr));
    // Swoole: max_request needs a manager to replace the worker, even a single one.
    const bool with_manager =
        impl.config.worker_num > 1 || impl.config.task_worker_num > 0 || impl.process.max_request > 0;
    bool ok = impl.process_mode ? run_process_master(o) : with_manager ? run_manager(o) : run_worker(o, 0, true);
    if (!impl.pid_file.empty()) ws::remove_pid_file(impl.pid_file, getpid());  // workers: not theirs
    impl.running = false;
    impl.finished = true;
    OBJ_RELEASE(obj);
    if (EG(exception)) RETURN_THROWS();
    RETURN_BOOL(ok);
}

ZEND_METHOD(Swoole_Server, send) {
    zval *fd;
    zend_string *data;
    zend_long server_socket = -1;
    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_ZVAL(fd)
        Z_PARAM_STR(data)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(server_socket)
    ZEND_PARSE_PARAMETERS_END();
    (void)server_socket;
    ws::Server *s = engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    zend_long id = zval_get_long(fd);
    if (id <= 0 || !s->send(static_cast<ws::SessionId>(id), std::string_view(ZSTR_VAL(data), ZSTR_LEN(data)))) {
        this_server(ZEND_THIS)->impl->last_error = static_cast<int>(s->last_error());
        if (s->last_error() == ws::ServerError::SessionNotExist || id <= 0) {
            php_error_docref(nullptr, E_WARNING, "session#" ZEND_LONG_FMT " does not exists", id);
        }
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

namespace {
void exists_method(INTERNAL_FUNCTION_PARAMETERS) {
    zend_long fd;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(fd)
    ZEND_PARSE_PARAMETERS_END();
    ws::Server *s = engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    RETURN_BOOL(fd > 0 && s->exists(static_cast<ws::SessionId>(fd)));
}

// stop(): this worker ends (a manager starts a new one); shutdown(): the whole server.
void stop_server(INTERNAL_FUNCTION_PARAMETERS, bool whole_server) {
    ws::Server *s = engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (!impl.running) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        RETURN_FALSE;
    }
    if (impl.process_mode && whole_server && impl.master_pid != 0) {
        RETURN_BOOL(kill(impl.master_pid, SIGTERM) == 0);  // the master shuts everything down
    }
    if (impl.manager_pid != 0 && (whole_server || impl.is_manager)) {
        RETURN_BOOL(kill(impl.manager_pid, SIGTERM) == 0);
    }
    s->stop();
    RETURN_TRUE;
}

// tick()/after(): the callback receives (timer id, ...params) for tick, (...params) for
// after, as Swoole's timers do.
void add_timer(INTERNAL_FUNCTION_PARAMETERS, bool repeat) {
    zend_long ms;
    zval *fn;
    zval *params = nullptr;
    uint32_t param_count = 0;
    ZEND_PARSE_PARAMETERS_START(2, -1)
        Z_PARAM_LONG(ms)
        Z_PARAM_ZVAL(fn)
        Z_PARAM_VARIADIC('*', params, param_count)
    ZEND_PARSE_PARAMETERS_END();
    zend_fcall_info_cache fcc;
    if (!parse_callable(fn, fcc)) {
        zend_argument_type_error(2, "must be a valid callback");
        RETURN_THROWS();
    }
    if (ms < 1) {
        zend_argument_value_error(1, "must be greater than or equal to 1");
        RETURN_THROWS();
    }
    ws::Server *s = engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    ServerObject *o = this_server(ZEND_THIS);
    auto fire = [o, repeat](ws::TimerId id) {
        auto it = o->impl->timers.find(id);
        if (it == o->impl->timers.end()) return;
        Callback cb;
        ZVAL_COPY(&cb.fn, &it->second.fn);
        if (!Z_ISUNDEF(it->second.params)) ZVAL_COPY(&cb.params, &it->second.params);
        cb.fcc = it->second.fcc;
        if (!repeat) {
            callback_reset(it->second);
            o->impl->timers.erase(it);
        }
        std::vector<zval> args;
        if (repeat) {
            args.emplace_back();
            ZVAL_LONG(&args.back(), static_cast<zend_long>(id));
        }
        if (!Z_ISUNDEF(cb.params)) {
            zval *v;
            ZEND_HASH_FOREACH_VAL(Z_ARRVAL(cb.params), v) {
                args.emplace_back();
                ZVAL_COPY_VALUE(&args.back(), v);  // borrowed: cb.params keeps them alive
            }
            ZEND_HASH_FOREACH_END();
        }
        wsserver_call(o, cb, static_cast<uint32_t>(args.size()), args.empty() ? nullptr : args.data());
        callback_reset(cb);
    };
    ws::TimerId id = repeat ? s->tick(static_cast<uint64_t>(ms), fire) : s->after(static_cast<uint64_t>(ms), fire);
    if (id <= 0) RETURN_FALSE;
    Callback &cb = o->impl->timers[id];
    ZVAL_COPY(&cb.fn, fn);
    cb.fcc = fcc;
    if (param_count > 0) {
        array_init_size(&cb.params, param_count);
        for (uint32_t i = 0; i < param_count; i++) {
            Z_TRY_ADDREF(params[i]);
            add_next_index_zval(&cb.params, &params[i]);
        }
    }
    RETURN_LONG(static_cast<zend_long>(id));
}
}  // namespace

ZEND_METHOD(Swoole_Server, exists) { exists_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Server, exist) { exists_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Server, close) {
    zend_long fd;
    bool reset = false;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_LONG(fd)
        Z_PARAM_OPTIONAL
        Z_PARAM_BOOL(reset)
    ZEND_PARSE_PARAMETERS_END();
    ws::Server *s = engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    RETURN_BOOL(fd > 0 && s->close(static_cast<ws::SessionId>(fd), reset));
}

ZEND_METHOD(Swoole_Server, shutdown) {
    ZEND_PARSE_PARAMETERS_NONE();
    stop_server(INTERNAL_FUNCTION_PARAM_PASSTHRU, true);
}

ZEND_METHOD(Swoole_Server, sendMessage) {
    zval *message;
    zend_long dst;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_ZVAL(message)
        Z_PARAM_LONG(dst)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    ws::Server *s = running_engine(impl);
    if (!s) RETURN_FALSE;
    if (dst < 0 || dst >= impl.config.worker_num + impl.config.task_worker_num) {
        php_error_docref(nullptr, E_WARNING, "worker_id[" ZEND_LONG_FMT "] is invalid", dst);
        RETURN_FALSE;
    }
    if (dst == impl.worker_id) {
        php_error_docref(nullptr, E_WARNING, "can't send messages to self");
        RETURN_FALSE;
    }
    PackedValue packed;
    if (!packed.pack(message)) RETURN_THROWS();
    bool ok = s->send_pipe_message(static_cast<int32_t>(dst), packed.bytes, packed.flags);
    if (!ok) impl.last_error = static_cast<int>(s->last_error());
    RETURN_BOOL(ok);
}

// What task() and taskwait() share: the checks, the choice of task worker (round robin
// for -1) and the send. The new task id, or -1 after a warning (or with an exception
// pending: a value that cannot be serialized).
// Whether this process may send tasks now; false after a warning naming `method`.
bool task_allowed(ServerImpl &impl, const char *method) {
    if (!impl.running || !impl.server || impl.is_manager) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        return false;
    }
    if (impl.config.task_worker_num <= 0) {
        php_error_docref(nullptr, E_WARNING, "task method can't be executed without task worker");
        return false;
    }
    if (impl.is_task_worker) {
        php_error_docref(nullptr, E_WARNING, "%s method can't be executed in the task worker", method);
        return false;
    }
    return true;
}

int64_t send_task_checked(ServerImpl &impl, const char *method, zval *data, zend_long index) {
    if (!task_allowed(impl, method)) return -1;
    ws::Server *s = impl.server.get();
    const int tasks = impl.config.task_worker_num;
    if (index >= tasks || index < -1) {
        php_error_docref(nullptr, E_WARNING, "worker_id must be less than task_worker_num[%d]", tasks);
        return -1;
    }
    if (index < 0) {
        index = impl.next_task_worker;
        impl.next_task_worker = (impl.next_task_worker + 1) % tasks;
    }
    PackedValue packed;
    if (!packed.pack(data)) return -1;
    const int64_t id = impl.next_task_id++;
    if (!s->send_task(impl.config.worker_num + static_cast<int32_t>(index), id, packed.bytes, packed.flags)) {
        impl.last_error = static_cast<int>(s->last_error());
        return -1;
    }
    return id;
}

// task($data, $taskWorkerIndex = -1, $finishCallback = null): from a worker to a task
// worker (round robin for -1); the result comes back to onFinish or the callback.
ZEND_METHOD(Swoole_Server, task) {
    zval *data;
    zend_long index = -1;
    zval *finish = nullptr;
    ZEND_PARSE_PARAMETERS_START(1, 3)
        Z_PARAM_ZVAL(data)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(index)
        Z_PARAM_ZVAL_OR_NULL(finish)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    zend_fcall_info_cache fcc;
    if (finish && !parse_callable(finish, fcc)) {
        zend_argument_type_error(3, "must be a valid callback or null");
        RETURN_THROWS();
    }
    const int64_t id = send_task_checked(impl, "task", data, index);
    if (id < 0) {
        if (EG(exception)) RETURN_THROWS();
        RETURN_FALSE;
    }
    if (finish) store_callback(impl.task_callbacks[id], finish, fcc);
    RETURN_LONG(id);
}

// In a task worker, during onTask: the task's result, sent to the worker that asked.
ZEND_METHOD(Swoole_Server, finish) {
    zval *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ZVAL(data)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    ws::Server *s = impl.server.get();
    if (!impl.running || !s || !impl.is_task_worker || impl.current_task_id < 0) {
        php_error_docref(nullptr, E_WARNING, "finish() is only for the task worker, inside onTask");
        RETURN_FALSE;
    }
    PackedValue packed;
    if (!packed.pack(data)) RETURN_THROWS();
    bool ok = s->send_finish(impl.current_task_src, impl.current_task_id, packed.bytes, packed.flags);
    impl.current_task_finished = true;
    RETURN_BOOL(ok);
}

// task() and a blocking wait (poll on the worker's channel, up to $timeout seconds) for
// the result; messages for this worker that arrive meanwhile are handled afterwards.
ZEND_METHOD(Swoole_Server, taskwait) {
    zval *data;
    double timeout = 0.5;
    zend_long index = -1;
    ZEND_PARSE_PARAMETERS_START(1, 3)
        Z_PARAM_ZVAL(data)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(timeout)
        Z_PARAM_LONG(index)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    const int64_t id = send_task_checked(impl, "taskwait", data, index);
    if (id < 0) {
        if (EG(exception)) RETURN_THROWS();
        RETURN_FALSE;
    }
    const int ms = timeout <= 0 ? 0 : static_cast<int>(std::min(timeout, 86400.0) * 1000.0);
    std::string result;
    uint32_t result_flags = 0;
    if (!impl.server->wait_task_result(id, ms, result, result_flags)) {
        impl.timed_out_tasks.insert(id);
        php_error_docref(nullptr, E_WARNING, "taskwait(" ZEND_LONG_FMT ") timeout", static_cast<zend_long>(id));
        RETURN_FALSE;
    }
    unpack_value(return_value, result, result_flags);
}

namespace {

constexpr int kErrorTaskDispatchFail = 2002;  // SW_ERROR_TASK_DISPATCH_FAIL
constexpr uint32_t kMaxConcurrentTasks = 1024;  // Swoole's SW_MAX_CONCURRENT_TASK

// taskWaitMulti() and taskCo(): every task goes to a task worker (round robin), then one
// blocking wait for all the results, up to $timeout seconds in total. The result array
// has $tasks' keys in $tasks' order; a task that could not be sent is false. A task whose
// result did not come in time is left out (taskWaitMulti, as Swoole) or false (taskCo,
// as Swoole's coroutine version reports it); its late result is dropped.
void task_wait_multi(INTERNAL_FUNCTION_PARAMETERS, const char *method, bool timed_out_as_false) {
    HashTable *tasks;
    double timeout = 0.5;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_ARRAY_HT(tasks)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (!task_allowed(impl, method)) RETURN_FALSE;
    const uint32_t count = zend_hash_num_elements(tasks);
    if (count >= kMaxConcurrentTasks) {
        php_error_docref(nullptr, E_WARNING, "too many concurrent tasks");
        RETURN_FALSE;
    }
    // Keys are copied first: packing a task may run user code (__serialize) that changes
    // the array.
    zval keys;
    array_init_size(&keys, count);
    std::vector<int64_t> ids;  // -1: not sent
    ids.reserve(count);
    zend_ulong index;
    zend_string *key;
    zval *task;
    ZEND_HASH_FOREACH_KEY_VAL(tasks, index, key, task) {
        zval k;
        if (key) {
            ZVAL_STR_COPY(&k, key);
        } else {
            ZVAL_LONG(&k, static_cast<zend_long>(index));
        }
        zend_hash_next_index_insert_new(Z_ARRVAL(keys), &k);
        ZVAL_DEREF(task);
        ids.push_back(send_task_checked(impl, method, task, -1));
        if (EG(exception)) break;
    }
    ZEND_HASH_FOREACH_END();
    const size_t sent = static_cast<size_t>(std::count_if(ids.begin(), ids.end(), [](int64_t id) { return id >= 0; }));
    if (EG(exception) || sent == 0) {
        for (int64_t id : ids) {
            if (id >= 0) impl.timed_out_tasks.insert(id);  // nobody waits for these results now
        }
        zval_ptr_dtor(&keys);
        if (EG(exception)) RETURN_THROWS();
        impl.last_error = kErrorTaskDispatchFail;
        RETURN_FALSE;
    }
    std::vector<zval> results(ids.size());
    for (zval &r : results) ZVAL_UNDEF(&r);
    const int ms = timeout <= 0 ? 0 : static_cast<int>(std::min(timeout, 86400.0) * 1000.0);
    impl.server->wait_task_results(ids, ms, [&](size_t i, std::string_view data, uint32_t flags) {
        unpack_value(&results[i], data, flags);
    });
    array_init_size(return_value, count);
    for (size_t i = 0; i < ids.size(); i++) {
        zval *k = zend_hash_index_find(Z_ARRVAL(keys), i);
        if (Z_ISUNDEF(results[i])) {
            if (ids[i] >= 0) impl.timed_out_tasks.insert(ids[i]);
            if (ids[i] >= 0 && !timed_out_as_false) continue;
            ZVAL_FALSE(&results[i]);
        }
        if (Z_TYPE_P(k) == IS_STRING) {
            zend_hash_update(Z_ARRVAL_P(return_value), Z_STR_P(k), &results[i]);
        } else {
            zend_hash_index_update(Z_ARRVAL_P(return_value), static_cast<zend_ulong>(Z_LVAL_P(k)), &results[i]);
        }
    }
    zval_ptr_dtor(&keys);
}

}  // namespace

ZEND_METHOD(Swoole_Server, taskWaitMulti) { task_wait_multi(INTERNAL_FUNCTION_PARAM_PASSTHRU, "taskWaitMulti", false); }

// Without coroutines, taskCo() blocks as taskWaitMulti() does.
ZEND_METHOD(Swoole_Server, taskCo) { task_wait_multi(INTERNAL_FUNCTION_PARAM_PASSTHRU, "taskCo", true); }

ZEND_METHOD(Swoole_Server, reload) {
    bool only_reload_taskworker = false;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_BOOL(only_reload_taskworker)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (!impl.running) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        RETURN_FALSE;
    }
    if (impl.manager_pid == 0) {
        php_error_docref(nullptr, E_WARNING, "no manager process: reload needs worker_num > 1");
        RETURN_FALSE;
    }
    if (only_reload_taskworker) RETURN_TRUE;  // no task workers
    RETURN_BOOL(kill(impl.manager_pid, SIGUSR1) == 0);
}

ZEND_METHOD(Swoole_Server, stop) {
    zend_long worker_id = -1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(worker_id)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (worker_id != -1 && (impl.is_manager || worker_id != impl.worker_id)) {
        if (worker_id < 0 || worker_id >= impl.config.worker_num) {
            php_error_docref(nullptr, E_WARNING, "worker#" ZEND_LONG_FMT " does not exist", worker_id);
            RETURN_FALSE;
        }
        pid_t pid = impl.pool ? impl.pool->worker_pid(static_cast<int>(worker_id)) : 0;
        if (pid != 0) RETURN_BOOL(kill(pid, SIGTERM) == 0);
        php_error_docref(nullptr, E_WARNING, "only the manager can stop another worker (worker#" ZEND_LONG_FMT ")",
                         worker_id);
        RETURN_FALSE;
    }
    stop_server(INTERNAL_FUNCTION_PARAM_PASSTHRU, false);
}

ZEND_METHOD(Swoole_Server, getLastError) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_LONG(this_server(ZEND_THIS)->impl->last_error);
}

ZEND_METHOD(Swoole_Server, getClientInfo) { client_info_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Server, connection_info) { client_info_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Server, getClientList) { client_list_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Server, connection_list) { client_list_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Server, getWorkerId) {
    ZEND_PARSE_PARAMETERS_NONE();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (!impl.running || impl.is_manager) RETURN_FALSE;
    RETURN_LONG(impl.worker_id);
}

ZEND_METHOD(Swoole_Server, getWorkerPid) {
    zend_long worker_id = -1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(worker_id)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (impl.pool && worker_id >= 0) {  // the manager knows every worker
        pid_t pid = impl.pool->worker_pid(static_cast<int>(worker_id));
        if (pid == 0) RETURN_FALSE;
        RETURN_LONG(pid);
    }
    if (worker_id != -1 && worker_id != impl.worker_id) RETURN_FALSE;
    if (impl.is_manager) RETURN_FALSE;
    RETURN_LONG(static_cast<zend_long>(getpid()));
}

// SWOOLE_WORKER_BUSY / IDLE / EXIT of any worker (task workers included) from any
// process; -1: the calling worker. 0 for a worker that has not started yet.
ZEND_METHOD(Swoole_Server, getWorkerStatus) {
    zend_long worker_id = -1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(worker_id)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (!impl.running || !impl.worker_status) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        RETURN_FALSE;
    }
    if (worker_id < 0) {
        if (impl.is_manager) RETURN_FALSE;  // the manager is no worker
        worker_id = impl.worker_id;
    }
    if (worker_id >= impl.worker_status->size()) {
        php_error_docref(nullptr, E_WARNING, "worker#" ZEND_LONG_FMT " does not exist (%d workers)", worker_id,
                         impl.worker_status->size());
        RETURN_FALSE;
    }
    RETURN_LONG(static_cast<zend_long>(impl.worker_status->state(static_cast<int>(worker_id))));
}

ZEND_METHOD(Swoole_Server, getManagerPid) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_LONG(this_server(ZEND_THIS)->impl->manager_pid);  // 0: one worker, no manager
}

// This process's idle connections (Swoole: the calling worker's reactor), closed unless
// $ifCloseConnection is false. The idle time is heartbeat_idle_time (or twice the check
// interval); false when no heartbeat is configured.
ZEND_METHOD(Swoole_Server, heartbeat) {
    bool close_them = true;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_BOOL(close_them)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    ws::Server *s = running_engine(impl);
    if (!s) RETURN_FALSE;
    const ws::ServerConfig &c = impl.config;
    uint32_t idle = c.heartbeat_idle_time ? c.heartbeat_idle_time : 2 * c.heartbeat_check_interval;
    if (idle == 0) {
        php_error_docref(nullptr, E_WARNING, "heartbeat_check_interval or heartbeat_idle_time must be set");
        RETURN_FALSE;
    }
    array_init(return_value);
    for (ws::SessionId id : s->idle_sessions(idle, close_them)) add_next_index_long(return_value, id);
}

// Swoole's keys; what a BASE server without tasks or coroutines does not have is 0. The
// connection figures are server-wide (the shared table); the byte and request counts are
// this process's.
ZEND_METHOD(Swoole_Server, stats) {
    ZEND_PARSE_PARAMETERS_NONE();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    ws::Server *s = impl.server.get();
    if (!impl.running || !impl.table || !s) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        RETURN_FALSE;
    }
    const ws::ConnectionTableStats t = impl.table->stats();
    const ws::ServerCounters &c = s->counters();
    array_init(return_value);
    add_assoc_long(return_value, "start_time", impl.start_time);
    add_assoc_long(return_value, "connection_num", static_cast<zend_long>(t.connection_num));
    add_assoc_long(return_value, "abort_count", 0);
    add_assoc_long(return_value, "accept_count", static_cast<zend_long>(t.accept_count));
    add_assoc_long(return_value, "close_count", static_cast<zend_long>(t.close_count));
    add_assoc_long(return_value, "worker_num", impl.config.worker_num);
    add_assoc_long(return_value, "task_worker_num", impl.config.task_worker_num);
    add_assoc_long(return_value, "user_worker_num", 0);
    // Event workers whose state is SWOOLE_WORKER_IDLE (the caller, inside its callback, is busy).
    add_assoc_long(return_value, "idle_worker_num",
                   impl.worker_status ? impl.worker_status->idle_count(0, impl.config.worker_num) : 0);
    add_assoc_long(return_value, "dispatch_count", static_cast<zend_long>(c.requests));
    add_assoc_long(return_value, "request_count", static_cast<zend_long>(c.requests));
    add_assoc_long(return_value, "response_count", static_cast<zend_long>(c.requests));
    add_assoc_long(return_value, "total_recv_bytes", static_cast<zend_long>(c.recv_bytes));
    add_assoc_long(return_value, "total_send_bytes", static_cast<zend_long>(c.send_bytes));
    add_assoc_long(return_value, "pipe_packet_msg_id", 0);
    add_assoc_long(return_value, "concurrency", 0);
    add_assoc_long(return_value, "session_round", static_cast<zend_long>(t.last_id));
    add_assoc_long(return_value, "min_fd", 0);
    add_assoc_long(return_value, "max_fd", 0);
    if (!impl.is_manager) {
        add_assoc_long(return_value, "worker_request_count", static_cast<zend_long>(c.requests));
        add_assoc_long(return_value, "worker_response_count", static_cast<zend_long>(c.requests));
        add_assoc_long(return_value, "worker_dispatch_count", static_cast<zend_long>(c.requests));
        add_assoc_long(return_value, "worker_concurrency", 1);
    }
    add_assoc_long(return_value, "coroutine_num", 0);
    add_assoc_long(return_value, "coroutine_peek_num", 0);
}

ZEND_METHOD(Swoole_Server, getMasterPid) {
    ZEND_PARSE_PARAMETERS_NONE();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    RETURN_LONG(impl.master_pid ? impl.master_pid : getpid());
}

ZEND_METHOD(Swoole_Server, tick) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }

ZEND_METHOD(Swoole_Server, after) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }

ZEND_METHOD(Swoole_Server, clearTimer) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    ws::Server *s = engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    auto it = impl.timers.find(static_cast<ws::TimerId>(id));
    if (it == impl.timers.end()) RETURN_FALSE;
    s->clear_timer(it->first);
    callback_reset(it->second);
    impl.timers.erase(it);
    RETURN_TRUE;
}

ZEND_METHOD(Swoole_Server, defer) {
    zval *fn;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ZVAL(fn)
    ZEND_PARSE_PARAMETERS_END();
    zend_fcall_info_cache fcc;
    if (!parse_callable(fn, fcc)) {
        zend_argument_type_error(1, "must be a valid callback");
        RETURN_THROWS();
    }
    ws::Server *s = engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    ServerObject *o = this_server(ZEND_THIS);
    const uint64_t key = o->impl->next_defer++;
    Callback &cb = o->impl->defers[key];
    ZVAL_COPY(&cb.fn, fn);
    cb.fcc = fcc;
    s->defer([o, key] {
        auto it = o->impl->defers.find(key);
        if (it == o->impl->defers.end()) return;
        Callback copy = it->second;  // owns the reference now
        o->impl->defers.erase(it);
        wsserver_call(o, copy, 0, nullptr);
        callback_reset(copy);
    });
    RETURN_TRUE;
}

// ---- Swoole\Connection\Iterator

ZEND_METHOD(Swoole_Connection_Iterator, rewind) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    IteratorObject *it = iterator_from(Z_OBJ_P(ZEND_THIS));
    ws::Server *s = iterator_engine(it);
    it->ids.clear();
    if (s) it->ids = port_session_ids(*s, it->server_port);
    it->pos = 0;
}

ZEND_METHOD(Swoole_Connection_Iterator, next) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    iterator_from(Z_OBJ_P(ZEND_THIS))->pos++;
}

ZEND_METHOD(Swoole_Connection_Iterator, current) {
    ZEND_PARSE_PARAMETERS_NONE();
    IteratorObject *it = iterator_from(Z_OBJ_P(ZEND_THIS));
    if (it->pos >= it->ids.size()) RETURN_NULL();
    RETURN_LONG(static_cast<zend_long>(it->ids[it->pos]));
}

ZEND_METHOD(Swoole_Connection_Iterator, key) {
    ZEND_PARSE_PARAMETERS_NONE();
    IteratorObject *it = iterator_from(Z_OBJ_P(ZEND_THIS));
    if (it->pos >= it->ids.size()) RETURN_NULL();
    RETURN_LONG(static_cast<zend_long>(it->pos));
}

ZEND_METHOD(Swoole_Connection_Iterator, valid) {
    ZEND_PARSE_PARAMETERS_NONE();
    IteratorObject *it = iterator_from(Z_OBJ_P(ZEND_THIS));
    RETURN_BOOL(it->pos < it->ids.size());
}

ZEND_METHOD(Swoole_Connection_Iterator, count) {
    ZEND_PARSE_PARAMETERS_NONE();
    IteratorObject *it = iterator_from(Z_OBJ_P(ZEND_THIS));
    ws::Server *s = iterator_engine(it);
    if (s && it->server_port) RETURN_LONG(static_cast<zend_long>(port_session_ids(*s, it->server_port).size()));
    RETURN_LONG(s ? static_cast<zend_long>(s->connection_count()) : 0);
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
    wsserver_ce_connection_iterator->create_object = iterator_create;
    std::memcpy(&iterator_handlers, zend_get_std_object_handlers(), sizeof(iterator_handlers));
    iterator_handlers.offset = XtOffsetOf(IteratorObject, std);
    iterator_handlers.free_obj = iterator_free;
    iterator_handlers.get_gc = iterator_get_gc;
    iterator_handlers.clone_obj = nullptr;

}
