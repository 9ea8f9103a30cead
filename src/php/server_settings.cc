// The keys of Swoole\Server::set() and Swoole\Server\Port::set(): checked, then applied
// to the engine's ServerConfig and to the process settings the binding keeps.
#include "php/classes.h"
#include "php/server_internal.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

namespace ws = wsserver;

namespace {

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

}  // namespace

bool wsserver_apply_settings(ws::ServerConfig &c, HashTable *settings) {
    for (const SettingKey &key : kSettings) {
        zval *v = zend_hash_str_find(settings, key.name, std::strlen(key.name));
        ProcessSettings ignored;  // process keys are the server's, not a port's
        if (v && !apply_setting(c, ignored, key, v)) return false;
    }
    return true;
}

bool wsserver_apply_server_settings(ws::ServerConfig &c, ProcessSettings &p, HashTable *settings) {
    for (const SettingKey &key : kSettings) {
        zval *v = zend_hash_str_find(settings, key.name, std::strlen(key.name));
        if (v && !apply_setting(c, p, key, v)) return false;
    }
    return true;
}
