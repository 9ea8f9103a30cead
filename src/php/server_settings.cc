// The keys of Swoole\Server::set() and Swoole\Server\Port::set(), in one table (kSettings):
// one row per key with its type, default, range, where it applies, the field it sets, the
// wording of its range warning and a line of documentation. One generic function checks a
// value against its row and stores it; the only per-key code is in three setters:
// ssl_protocols (a bitmask), worker_num (0: one per CPU), ssl_verify_depth (capped at 100).
// docs/SETTINGS.md is printed from this table
// (wsserver_settings_table() -> scripts/settings_doc.php), and
// tests/server/settings_table.phpt fails when the two disagree.
//
// Keys not in the table are accepted and ignored (they still show in $server->setting), as
// Swoole ignores the keys it does not know.
#include "php/classes.h"
#include "php/server_internal.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>

namespace ws = wsserver;

namespace {

// How a value is read:
//   Int      an int, a float >= 0 (truncated) or an integer string; then >= 0
//   Bitmask  read as Int; its setter decodes the bits
//   Bool     a bool or an int
//   String   a string
//   CString  a string without NUL bytes (it goes to C APIs: paths, user names)
//   Seconds  an int or a float, >= 0: seconds, stored as milliseconds
enum class Type { Int, Bitmask, Bool, String, CString, Seconds };

// Where a key takes effect. A Server key given to a port's set() is checked, then ignored
// (the engine takes it from the server's config). A Port key is a port's own: the server's
// set() does not look at it (it only shows in $server->setting).
enum class Applies { Server, ServerAndPort, Port };

// The process model in which a key matters; for the docs (both models accept every key).
enum class Mode { Both, Process };

constexpr zend_long kNoMax = ZEND_LONG_MAX;

// Allowed values of Int and Bitmask keys; per_cpu: max is per CPU (sysconf).
struct Range {
    zend_long min;
    zend_long max;
    bool per_cpu;
};
constexpr Range kAny{0, kNoMax, false};
constexpr Range up_to(zend_long max) { return {0, max, false}; }
constexpr Range between(zend_long min, zend_long max) { return {min, max, false}; }
constexpr Range per_cpu(zend_long max) { return {0, max, true}; }

// What one set() call changes: the server's config and process settings, or a port's
// config and protocol switches (the pointers of the other side are null).
struct Target {
    ws::ServerConfig &config;
    ProcessSettings *process;
    bool *open_http_protocol;
    bool *open_websocket_protocol;
};

// A value that passed its type check: n (Int, Bitmask; Seconds: milliseconds), b, or s.
struct Value {
    zend_long n = 0;
    bool b = false;
    std::string_view s;
};

// Stores a checked value; false after a warning (only special setters can refuse).
using Setter = bool (*)(const Target &, const Value &);

void assign(bool &field, const Value &v) { field = v.b; }
void assign(std::string &field, const Value &v) { field.assign(v.s); }
template <class T>
std::enable_if_t<std::is_integral_v<T>> assign(T &field, const Value &v) {
    field = static_cast<T>(v.n);
}

template <auto Field>
bool config_field(const Target &t, const Value &v) {
    assign(t.config.*Field, v);
    return true;
}
template <auto Field>
bool tls_field(const Target &t, const Value &v) {
    assign(t.config.tls.*Field, v);
    return true;
}
template <auto Field>
bool process_field(const Target &t, const Value &v) {
    assign(t.process->*Field, v);
    return true;
}
bool set_open_http_protocol(const Target &t, const Value &v) {
    *t.open_http_protocol = v.b;
    return true;
}
bool set_open_websocket_protocol(const Target &t, const Value &v) {
    *t.open_websocket_protocol = v.b;
    return true;
}

long cpu_count() { return std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)); }

// Swoole: 0 means one per CPU. (reactor_num 0 is resolved by start(): at most 8 and at
// most worker_num.)
bool set_worker_num(const Target &t, const Value &v) {
    t.config.worker_num = static_cast<int>(v.n == 0 ? cpu_count() : v.n);
    return true;
}

bool set_ssl_verify_depth(const Target &t, const Value &v) {
    t.config.tls.verify_depth = static_cast<int>(std::min<zend_long>(v.n, 100));
    return true;
}

// Swoole's bitmask (SWOOLE_SSL_TLSv1 8, _1 16, _2 32, _3 64) as the range it spans.
bool set_ssl_protocols(const Target &t, const Value &v) {
    static constexpr struct {
        zend_long bit;
        int version;
    } kVersions[] = {{8, ws::tls_version::kTls1_0},
                     {16, ws::tls_version::kTls1_1},
                     {32, ws::tls_version::kTls1_2},
                     {64, ws::tls_version::kTls1_3}};
    int lo = 0, hi = 0;
    for (const auto &version : kVersions) {
        if (v.n & version.bit) {
            if (!lo) lo = version.version;
            hi = version.version;
        }
    }
    if (!lo) {
        php_error_docref(nullptr, E_WARNING, "setting 'ssl_protocols' names no TLS version (SWOOLE_SSL_TLSv1_2...)");
        return false;
    }
    t.config.tls.min_version = lo;
    t.config.tls.max_version = hi;
    return true;
}

struct Setting {
    const char *name;
    Type type;
    const char *default_text;  // as docs/SETTINGS.md shows it
    Range range;               // Int and Bitmask only
    Applies applies;
    Mode mode;
    Setter set;  // nullptr: checked, then only kept in $server->setting
    // The warning for an Int out of range, {name} {value} {min} {max} replaced; nullptr
    // when the range has no bound beyond >= 0.
    const char *range_error;
    const char *doc;
};

constexpr const char *kTooLarge = "setting '{name}' is too large (at most {max})";
constexpr const char *kTooManyPerCpu = "{name}={value} is too large (at most {max})";

using SC = ws::ServerConfig;
using TO = ws::TlsOptions;
using PS = ProcessSettings;

// In the order set() checks them (the first bad key is the one reported).
constexpr Setting kSettings[] = {
    {"package_max_length", Type::Int, "2097152", kAny, Applies::ServerAndPort, Mode::Both,
     config_field<&SC::package_max_length>, nullptr,
     "Largest HTTP request body or WebSocket message, in bytes; a larger one is refused."},
    {"socket_buffer_size", Type::Int, "8388608", kAny, Applies::Server, Mode::Both,
     config_field<&SC::socket_buffer_size>, nullptr,
     "Most bytes queued for output per connection; a send beyond it fails."},
    // Swoole: the largest response a worker hands to the master in PROCESS mode; BASE
    // mode (no such hop) ignores it, as Swoole does. Kept in $server->setting only.
    {"buffer_output_size", Type::Int, "-", kAny, Applies::Server, Mode::Process, nullptr, nullptr,
     "Accepted and checked, no effect (Swoole: largest response a worker hands to the master)."},
    {"output_buffer_size", Type::Int, "-", kAny, Applies::Server, Mode::Process, nullptr, nullptr,
     "Same as buffer_output_size."},
    {"buffer_high_watermark", Type::Int, "6710884", kAny, Applies::Server, Mode::Both,
     config_field<&SC::buffer_high_watermark>, nullptr,
     "Queued output bytes at which onBufferFull runs; 0: no onBufferFull/onBufferEmpty."},
    {"buffer_low_watermark", Type::Int, "0", kAny, Applies::Server, Mode::Both,
     config_field<&SC::buffer_low_watermark>, nullptr,
     "Queued output bytes at or below which onBufferEmpty runs after onBufferFull."},
    {"websocket_compression", Type::Bool, "false", kAny, Applies::ServerAndPort, Mode::Both,
     config_field<&SC::websocket_compression>, nullptr,
     "Accept permessage-deflate when the client offers it."},
    {"websocket_subprotocol", Type::String, "\"\"", kAny, Applies::ServerAndPort, Mode::Both,
     config_field<&SC::websocket_subprotocol>, nullptr,
     "Sec-WebSocket-Protocol sent in the handshake response; empty: none."},
    {"open_websocket_close_frame", Type::Bool, "false", kAny, Applies::ServerAndPort, Mode::Both,
     config_field<&SC::open_websocket_close_frame>, nullptr,
     "Deliver close frames to onMessage (the server still answers them)."},
    {"open_websocket_ping_frame", Type::Bool, "false", kAny, Applies::ServerAndPort, Mode::Both,
     config_field<&SC::open_websocket_ping_frame>, nullptr,
     "Deliver pings to onMessage instead of answering them with a pong."},
    {"open_websocket_pong_frame", Type::Bool, "false", kAny, Applies::ServerAndPort, Mode::Both,
     config_field<&SC::open_websocket_pong_frame>, nullptr,
     "Deliver pongs to onMessage."},
    {"http_header_max_size", Type::Int, "65536", kAny, Applies::ServerAndPort, Mode::Both,
     config_field<&SC::http_header_max_size>, nullptr,
     "Largest HTTP request head, in bytes; a larger one is refused (431)."},
    {"upload_tmp_dir", Type::String, "/tmp", kAny, Applies::Server, Mode::Both,
     config_field<&SC::upload_tmp_dir>, nullptr,
     "Directory of the temporary files of multipart uploads."},
    {"backlog", Type::Int, "512", kAny, Applies::Server, Mode::Both, nullptr, nullptr,
     "Accepted and checked, no effect: the constructor has already bound the listener."},
    {"worker_num", Type::Int, "1 (PROCESS: CPUs)", per_cpu(1000), Applies::Server, Mode::Both, set_worker_num,
     kTooManyPerCpu, "Event worker processes; 0: one per CPU."},
    {"max_connection", Type::Int, "min(ulimit -n, 100000)", between(1, ws::ConnectionTable::kMaxCapacity),
     Applies::Server, Mode::Both, config_field<&SC::max_connection>, "setting '{name}' must be between {min} and {max}",
     "Size of the connection table; a connection beyond it is refused."},
    {"task_worker_num", Type::Int, "0", up_to(1024), Applies::Server, Mode::Both,
     config_field<&SC::task_worker_num>, kTooLarge, "Task worker processes (task(), onTask)."},
    {"heartbeat_check_interval", Type::Int, "0", up_to(86400 * 365), Applies::Server, Mode::Both,
     config_field<&SC::heartbeat_check_interval>, "setting '{name}' is too large (seconds)",
     "Seconds between idle checks; 0: no heartbeat."},
    {"handshake_timeout", Type::Seconds, "30", kAny, Applies::ServerAndPort, Mode::Both,
     config_field<&SC::handshake_timeout_ms>, nullptr,
     "Seconds a connection has to complete its first HTTP request; 0: no limit."},
    {"ssl_cert_file", Type::String, "\"\"", kAny, Applies::ServerAndPort, Mode::Both, tls_field<&TO::cert_file>,
     nullptr, "PEM certificate (then its chain) of a SWOOLE_SSL listener."},
    {"ssl_key_file", Type::String, "\"\"", kAny, Applies::ServerAndPort, Mode::Both, tls_field<&TO::key_file>,
     nullptr, "PEM private key of a SWOOLE_SSL listener."},
    {"ssl_passphrase", Type::String, "\"\"", kAny, Applies::ServerAndPort, Mode::Both, tls_field<&TO::passphrase>,
     nullptr, "Passphrase of an encrypted ssl_key_file."},
    {"ssl_client_cert_file", Type::String, "\"\"", kAny, Applies::ServerAndPort, Mode::Both, tls_field<&TO::ca_file>,
     nullptr, "PEM CA certificates client certificates must chain to (with ssl_verify_peer)."},
    {"ssl_ciphers", Type::String, "\"\"", kAny, Applies::ServerAndPort, Mode::Both, tls_field<&TO::ciphers>,
     nullptr, "OpenSSL cipher list for TLS 1.2 and below; empty: OpenSSL's default."},
    {"ssl_verify_peer", Type::Bool, "false", kAny, Applies::ServerAndPort, Mode::Both,
     tls_field<&TO::verify_peer>, nullptr, "Require a valid client certificate."},
    {"ssl_allow_self_signed", Type::Bool, "false", kAny, Applies::ServerAndPort, Mode::Both,
     tls_field<&TO::allow_self_signed>, nullptr, "Accept a self-signed client certificate."},
    {"ssl_verify_depth", Type::Int, "0", kAny, Applies::ServerAndPort, Mode::Both, set_ssl_verify_depth, nullptr,
     "Longest client certificate chain; 0: OpenSSL's default (100); more than 100 counts as 100."},
    {"ssl_protocols", Type::Bitmask, "TLSv1_2 | TLSv1_3", kAny, Applies::ServerAndPort, Mode::Both,
     set_ssl_protocols, nullptr,
     "SWOOLE_SSL_TLSv1, _TLSv1_1, _TLSv1_2, _TLSv1_3 flags: the versions from the lowest to the highest set."},
    {"heartbeat_idle_time", Type::Int, "0", up_to(86400 * 365), Applies::Server, Mode::Both,
     config_field<&SC::heartbeat_idle_time>, "setting '{name}' is too large (seconds)",
     "Seconds without input after which a connection is closed; 0: twice heartbeat_check_interval."},
    {"max_conn", Type::Int, "min(ulimit -n, 100000)", between(1, ws::ConnectionTable::kMaxCapacity),
     Applies::Server, Mode::Both, config_field<&SC::max_connection>, "setting '{name}' must be between {min} and {max}",
     "Same as max_connection."},
    {"reactor_num", Type::Int, "min(CPUs, 8, worker_num)", per_cpu(1000), Applies::Server, Mode::Process,
     config_field<&SC::reactor_num>, kTooManyPerCpu, "Reactor threads of the master; 0: the default."},
    {"dispatch_mode", Type::Int, "2", between(1, 4), Applies::Server, Mode::Process,
     config_field<&SC::dispatch_mode>,
     "{name}={value} is not supported (1 round robin, 2 fd modulo, 3 idle worker, 4 ip modulo)",
     "How the master picks a worker for a connection: 1 round robin, 2 fd modulo, 3 idle worker, 4 ip modulo."},
    {"max_request", Type::Int, "0", up_to(UINT32_MAX), Applies::Server, Mode::Both,
     process_field<&PS::max_request>, kTooLarge,
     "Requests after which a worker is replaced; 0: never."},
    {"max_request_grace", Type::Int, "max_request / 2", up_to(UINT32_MAX), Applies::Server, Mode::Both,
     process_field<&PS::max_request_grace>, kTooLarge,
     "A worker leaves after max_request plus a random 1..grace more (the default only above 10)."},
    {"task_max_request", Type::Int, "0", up_to(UINT32_MAX), Applies::Server, Mode::Both,
     process_field<&PS::task_max_request>, kTooLarge,
     "Tasks after which a task worker is replaced; 0: never."},
    {"task_max_request_grace", Type::Int, "task_max_request / 2", up_to(UINT32_MAX), Applies::Server, Mode::Both,
     process_field<&PS::task_max_request_grace>, kTooLarge,
     "As max_request_grace, for task workers."},
    {"daemonize", Type::Bool, "false", kAny, Applies::Server, Mode::Both, process_field<&PS::daemonize>, nullptr,
     "Detach from the terminal; output goes to log_file (or nowhere)."},
    {"pid_file", Type::CString, "\"\"", kAny, Applies::Server, Mode::Both, process_field<&PS::pid_file>, nullptr,
     "File that holds the pid of the process that stays (the manager, or the only one); removed at shutdown."},
    {"log_file", Type::CString, "\"\"", kAny, Applies::Server, Mode::Both, process_field<&PS::log_file>, nullptr,
     "File the server's log lines are appended to; empty: standard output."},
    {"log_level", Type::Int, "2 (SWOOLE_LOG_INFO)", up_to(static_cast<zend_long>(ws::LogLevel::kNone)),
     Applies::Server, Mode::Both, process_field<&PS::log_level>,
     "setting '{name}' must be between SWOOLE_LOG_DEBUG ({min}) and SWOOLE_LOG_NONE ({max})",
     "Lowest level logged, SWOOLE_LOG_DEBUG (0) to SWOOLE_LOG_NONE (6)."},
    {"user", Type::CString, "\"\"", kAny, Applies::Server, Mode::Both, process_field<&PS::user>, nullptr,
     "User the workers switch to (when started as root)."},
    {"group", Type::CString, "\"\"", kAny, Applies::Server, Mode::Both, process_field<&PS::group>, nullptr,
     "Group the workers switch to (when started as root)."},
    {"enable_coroutine", Type::Bool, "true", kAny, Applies::Server, Mode::Both,
     process_field<&PS::enable_coroutine>, nullptr,
     "Run every event callback and server timer in its own coroutine (Coroutine::sleep(), channels, go() in callbacks)."},
    {"task_enable_coroutine", Type::Bool, "false", kAny, Applies::Server, Mode::Both,
     process_field<&PS::task_enable_coroutine>, nullptr,
     "Task workers run their callbacks in coroutines too; onTask then receives ($server, Swoole\\Server\\Task)."},
    {"task_object", Type::Bool, "false", kAny, Applies::Server, Mode::Both, process_field<&PS::task_object>, nullptr,
     "onTask receives ($server, Swoole\\Server\\Task) (without coroutines unless task_enable_coroutine)."},
    {"task_use_object", Type::Bool, "false", kAny, Applies::Server, Mode::Both, process_field<&PS::task_object>,
     nullptr, "Same as task_object."},
    {"max_coroutine", Type::Int, "100000", up_to(UINT32_MAX), Applies::Server, Mode::Both,
     process_field<&PS::max_coroutine>, kTooLarge,
     "Most coroutines alive at once in each worker; 0: the default. An event beyond it is dropped with a warning."},
    {"max_coro_num", Type::Int, "100000", up_to(UINT32_MAX), Applies::Server, Mode::Both,
     process_field<&PS::max_coroutine>, kTooLarge, "Same as max_coroutine."},
    {"open_http_protocol", Type::Bool, "false", kAny, Applies::Port, Mode::Both, set_open_http_protocol, nullptr,
     "The port speaks HTTP (else raw TCP, onReceive)."},
    {"open_websocket_protocol", Type::Bool, "false", kAny, Applies::Port, Mode::Both, set_open_websocket_protocol,
     nullptr, "The port speaks WebSocket (and so HTTP)."},
};

bool wrong_type(const Setting &key, const char *expected, zval *v) {
    php_error_docref(nullptr, E_WARNING, "setting '%s' must be %s, %s given", key.name, expected,
                     zend_zval_type_name(v));
    return false;
}

// Checks `v` against the type of `key`; false after a warning.
bool read_value(const Setting &key, zval *v, Value &out) {
    ZVAL_DEREF(v);
    switch (key.type) {
    case Type::Seconds:
        // Seconds, as Swoole's timeouts are given (0.5 = 500 ms); 0 disables.
        if ((Z_TYPE_P(v) == IS_LONG || Z_TYPE_P(v) == IS_DOUBLE) && zval_get_double(v) >= 0 &&
            zval_get_double(v) < 1e9) {
            out.n = static_cast<zend_long>(zval_get_double(v) * 1000.0 + 0.5);
            return true;
        }
        return wrong_type(key, "a number of seconds >= 0", v);
    case Type::Int:
    case Type::Bitmask:
        if (Z_TYPE_P(v) == IS_LONG) {
            out.n = Z_LVAL_P(v);
        } else if (Z_TYPE_P(v) == IS_DOUBLE && Z_DVAL_P(v) >= 0 && Z_DVAL_P(v) < 9.0e18) {
            out.n = static_cast<zend_long>(Z_DVAL_P(v));
        } else if (Z_TYPE_P(v) != IS_STRING ||
                   is_numeric_string(Z_STRVAL_P(v), Z_STRLEN_P(v), &out.n, nullptr, false) != IS_LONG) {
            return wrong_type(key, "of type int", v);
        }
        if (out.n < 0) {
            php_error_docref(nullptr, E_WARNING, "setting '%s' must be greater than or equal to 0", key.name);
            return false;
        }
        return true;
    case Type::Bool:
        if (Z_TYPE_P(v) == IS_TRUE || Z_TYPE_P(v) == IS_FALSE) {
            out.b = Z_TYPE_P(v) == IS_TRUE;
        } else if (Z_TYPE_P(v) == IS_LONG) {
            out.b = Z_LVAL_P(v) != 0;
        } else {
            return wrong_type(key, "of type bool", v);
        }
        return true;
    case Type::String:
    case Type::CString:
        if (Z_TYPE_P(v) != IS_STRING) return wrong_type(key, "of type string", v);
        out.s = std::string_view(Z_STRVAL_P(v), Z_STRLEN_P(v));
        if (key.type == Type::CString && out.s.find('\0') != std::string_view::npos) {
            php_error_docref(nullptr, E_WARNING, "setting '%s' must not contain NUL bytes", key.name);
            return false;
        }
        return true;
    }
    return false;
}

zend_long max_of(const Range &r) { return r.per_cpu ? r.max * cpu_count() : r.max; }

// `key`'s range warning for `value`.
std::string range_message(const Setting &key, zend_long value) {
    std::string_view text = key.range_error ? key.range_error : "setting '{name}' must be between {min} and {max}";
    std::string out;
    while (!text.empty()) {
        size_t open = text.find('{');
        size_t close = open == std::string_view::npos ? open : text.find('}', open);
        if (close == std::string_view::npos) break;
        out.append(text.substr(0, open));
        std::string_view token = text.substr(open + 1, close - open - 1);
        if (token == "name") out += key.name;
        else if (token == "value") out += std::to_string(value);
        else if (token == "min") out += std::to_string(key.range.min);
        else if (token == "max") out += std::to_string(max_of(key.range));
        text.remove_prefix(close + 1);
    }
    out.append(text);
    return out;
}

// Checks one given key and stores it when it applies here; false after a warning naming it.
bool apply(const Setting &key, zval *v, const Target &t, bool on_port) {
    Value value;
    if (!read_value(key, v, value)) return false;
    if ((key.type == Type::Int || key.type == Type::Bitmask) &&
        (value.n < key.range.min || value.n > max_of(key.range))) {
        php_error_docref(nullptr, E_WARNING, "%s", range_message(key, value.n).c_str());
        return false;
    }
    const bool applies = on_port ? key.applies != Applies::Server : key.applies != Applies::Port;
    return !key.set || !applies || key.set(t, value);
}

bool apply_all(HashTable *settings, const Target &t, bool on_port) {
    for (const Setting &key : kSettings) {
        if (!on_port && key.applies == Applies::Port) continue;
        zval *v = zend_hash_str_find(settings, key.name, std::strlen(key.name));
        if (v && !apply(key, v, t, on_port)) return false;
    }
    return true;
}

// ---- the table as data, for the docs

const char *type_text(Type type) {
    switch (type) {
    case Type::Int: return "int";
    case Type::Bitmask: return "int (flags)";
    case Type::Bool: return "bool";
    case Type::String:
    case Type::CString: return "string";
    case Type::Seconds: return "float (seconds)";
    }
    return "";
}

std::string range_text(const Setting &key) {
    if (key.type == Type::Seconds) return ">= 0";
    if (key.type != Type::Int) return "-";
    const Range &r = key.range;
    if (r.max == kNoMax) return ">= " + std::to_string(r.min);
    return std::to_string(r.min) + ".." + std::to_string(r.max) + (r.per_cpu ? " x CPUs" : "");
}

const char *applies_text(Applies applies) {
    switch (applies) {
    case Applies::Server: return "server";
    case Applies::ServerAndPort: return "server, port";
    case Applies::Port: return "port";
    }
    return "";
}

}  // namespace

bool wsserver_apply_server_settings(ws::ServerConfig &c, ProcessSettings &p, HashTable *settings) {
    return apply_all(settings, Target{c, &p, nullptr, nullptr}, false);
}

bool wsserver_apply_port_settings(ws::ServerConfig &c, bool &open_http_protocol, bool &open_websocket_protocol,
                                  HashTable *settings) {
    return apply_all(settings, Target{c, nullptr, &open_http_protocol, &open_websocket_protocol}, true);
}

// Internal (stubs/wsserver.stub.php): one array per row, in the table's order.
ZEND_FUNCTION(wsserver_settings_table) {
    ZEND_PARSE_PARAMETERS_NONE();
    array_init_size(return_value, static_cast<uint32_t>(std::size(kSettings)));
    for (const Setting &key : kSettings) {
        zval row;
        array_init(&row);
        add_assoc_string(&row, "name", key.name);
        add_assoc_string(&row, "type", type_text(key.type));
        add_assoc_string(&row, "default", key.default_text);
        const std::string range = range_text(key);
        add_assoc_stringl(&row, "range", range.data(), range.size());
        add_assoc_string(&row, "applies", applies_text(key.applies));
        add_assoc_string(&row, "mode", key.mode == Mode::Process ? "PROCESS" : "BASE, PROCESS");
        add_assoc_string(&row, "doc", key.doc);
        add_next_index_zval(return_value, &row);
    }
}
