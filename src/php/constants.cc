// Every global constant wsserver defines, as one table (names and values are Swoole's).
#include "php/classes.h"

#include <string_view>

#include "core/websocket/frame.h"

namespace {

struct LongConstant {
    std::string_view name;
    zend_long value;
};

constexpr LongConstant kLongConstants[] = {
    // Server modes and socket types
    {"SWOOLE_BASE", 1},
    {"SWOOLE_PROCESS", 2},
    {"SWOOLE_SOCK_RAW", 7},
    {"SWOOLE_SOCK_RAW6", 8},
    {"SWOOLE_SOCK_TCP", 1},
    {"SWOOLE_SOCK_TCP6", 3},
    {"SWOOLE_SOCK_UDP", 2},
    {"SWOOLE_SOCK_UDP6", 4},
    {"SWOOLE_SOCK_UNIX_DGRAM", 6},
    {"SWOOLE_SOCK_UNIX_STREAM", 5},

    // Coroutines and timers (the channel codes are wsserver::ChannelError's)
    {"SWOOLE_CHANNEL_OK", 0},
    {"SWOOLE_CHANNEL_TIMEOUT", -1},
    {"SWOOLE_CHANNEL_CLOSED", -2},
    {"SWOOLE_CHANNEL_CANCELED", -3},
    {"SWOOLE_DEFAULT_MAX_CORO_NUM", 100000},
    {"SWOOLE_TIMER_MIN_MS", 1},
    {"SWOOLE_TIMER_MAX_MS", ZEND_LONG_MAX},

    // SSL/TLS
    {"SWOOLE_SSL", 512},
    {"SWOOLE_SSL_DTLS", 128},
    {"SWOOLE_SSL_SSLv2", 2},
    {"SWOOLE_SSL_TLSv1", 8},
    {"SWOOLE_SSL_TLSv1_1", 16},
    {"SWOOLE_SSL_TLSv1_2", 32},
    {"SWOOLE_SSL_TLSv1_3", 64},
    {"SWOOLE_SSLv23_CLIENT_METHOD", 5},
    {"SWOOLE_SSLv23_METHOD", 0},
    {"SWOOLE_SSLv23_SERVER_METHOD", 4},
    {"SWOOLE_SSLv3_CLIENT_METHOD", 3},
    {"SWOOLE_SSLv3_METHOD", 1},
    {"SWOOLE_SSLv3_SERVER_METHOD", 2},

    // Dispatch modes and dispatch_func results
    {"SWOOLE_DISPATCH_CONCURRENT_LB", 10},
    {"SWOOLE_DISPATCH_CO_CONN_LB", 8},
    {"SWOOLE_DISPATCH_CO_REQ_LB", 9},
    {"SWOOLE_DISPATCH_FDMOD", 2},
    {"SWOOLE_DISPATCH_IDLE_WORKER", 3},
    {"SWOOLE_DISPATCH_IPMOD", 4},
    {"SWOOLE_DISPATCH_RESULT_CLOSE_CONNECTION", -2},
    {"SWOOLE_DISPATCH_RESULT_DISCARD_PACKET", -1},
    {"SWOOLE_DISPATCH_RESULT_USERFUNC_FALLBACK", -3},
    {"SWOOLE_DISPATCH_ROUND", 1},
    {"SWOOLE_DISPATCH_STREAM", 7},
    {"SWOOLE_DISPATCH_UIDMOD", 5},
    {"SWOOLE_DISPATCH_USERFUNC", 6},

    // Swoole\Lock types
    {"SWOOLE_MUTEX", 3},
    {"SWOOLE_RWLOCK", 1},
    {"SWOOLE_SPINLOCK", 5},

    // IPC, tasks, workers, events, commands
    {"SWOOLE_EVENT_READ", 512},
    {"SWOOLE_EVENT_WRITE", 1024},
    {"SWOOLE_IPC_MSGQUEUE", 2},
    {"SWOOLE_IPC_NONE", 0},
    {"SWOOLE_IPC_PREEMPTIVE", 3},
    {"SWOOLE_IPC_SOCKET", 3},
    {"SWOOLE_IPC_UNIXSOCK", 1},
    {"SWOOLE_IPC_UNSOCK", 1},
    {"SWOOLE_SERVER_COMMAND_EVENT_WORKER", 8},
    {"SWOOLE_SERVER_COMMAND_MANAGER", 32},
    {"SWOOLE_SERVER_COMMAND_MASTER", 2},
    {"SWOOLE_SERVER_COMMAND_REACTOR_THREAD", 4},
    {"SWOOLE_SERVER_COMMAND_TASK_WORKER", 16},
    {"SWOOLE_SERVER_COMMAND_WORKER", 8},
    {"SWOOLE_TASK_CALLBACK", 8},
    {"SWOOLE_TASK_COROUTINE", 32},
    {"SWOOLE_TASK_NONBLOCK", 4},
    {"SWOOLE_TASK_NOREPLY", 128},
    {"SWOOLE_TASK_PEEK", 64},
    {"SWOOLE_TASK_SERIALIZE", 2},
    {"SWOOLE_TASK_TMPFILE", 1},
    {"SWOOLE_TASK_WAITALL", 16},
    {"SWOOLE_WORKER_BUSY", 1},
    {"SWOOLE_WORKER_EXIT", 3},
    {"SWOOLE_WORKER_IDLE", 2},

    // Logging and tracing
    {"SWOOLE_LOG_DEBUG", 0},
    {"SWOOLE_LOG_ERROR", 5},
    {"SWOOLE_LOG_INFO", 2},
    {"SWOOLE_LOG_NONE", 6},
    {"SWOOLE_LOG_NOTICE", 3},
    {"SWOOLE_LOG_ROTATION_DAILY", 2},
    {"SWOOLE_LOG_ROTATION_EVERY_MINUTE", 4},
    {"SWOOLE_LOG_ROTATION_HOURLY", 3},
    {"SWOOLE_LOG_ROTATION_MONTHLY", 1},
    {"SWOOLE_LOG_ROTATION_SINGLE", 0},
    {"SWOOLE_LOG_TRACE", 1},
    {"SWOOLE_LOG_WARNING", 4},
    {"SWOOLE_TRACE_WEBSOCKET", 32768},

    // Error codes
    {"SWOOLE_ERROR_WEBSOCKET_BAD_CLIENT", 8501},
    {"SWOOLE_ERROR_WEBSOCKET_BAD_OPCODE", 8502},
    {"SWOOLE_ERROR_WEBSOCKET_HANDSHAKE_FAILED", 8504},
    {"SWOOLE_ERROR_WEBSOCKET_INCOMPLETE_PACKET", 8507},
    {"SWOOLE_ERROR_WEBSOCKET_PACK_FAILED", 8505},
    {"SWOOLE_ERROR_WEBSOCKET_UNCONNECTED", 8503},
    {"SWOOLE_ERROR_WEBSOCKET_UNPACK_FAILED", 8506},

    // WebSocket opcodes
    {"SWOOLE_WEBSOCKET_OPCODE_BINARY", 2},
    {"SWOOLE_WEBSOCKET_OPCODE_CLOSE", 8},
    {"SWOOLE_WEBSOCKET_OPCODE_CONTINUATION", 0},
    {"SWOOLE_WEBSOCKET_OPCODE_PING", 9},
    {"SWOOLE_WEBSOCKET_OPCODE_PONG", 10},
    {"SWOOLE_WEBSOCKET_OPCODE_TEXT", 1},
    {"WEBSOCKET_OPCODE_BINARY", 2},
    {"WEBSOCKET_OPCODE_CLOSE", 8},
    {"WEBSOCKET_OPCODE_CONTINUATION", 0},
    {"WEBSOCKET_OPCODE_PING", 9},
    {"WEBSOCKET_OPCODE_PONG", 10},
    {"WEBSOCKET_OPCODE_TEXT", 1},

    // WebSocket frame flags (values shared with src/core, see the static_asserts)
    {"SWOOLE_WEBSOCKET_FLAG_COMPRESS", 2},
    {"SWOOLE_WEBSOCKET_FLAG_FIN", 1},
    {"SWOOLE_WEBSOCKET_FLAG_MASK", 32},
    {"SWOOLE_WEBSOCKET_FLAG_RSV1", 4},
    {"SWOOLE_WEBSOCKET_FLAG_RSV2", 8},
    {"SWOOLE_WEBSOCKET_FLAG_RSV3", 16},

    // WebSocket close codes (RFC 6455 7.4.1)
    {"SWOOLE_WEBSOCKET_CLOSE_ABNORMAL", 1006},
    {"SWOOLE_WEBSOCKET_CLOSE_BAD_GATEWAY", 1014},
    {"SWOOLE_WEBSOCKET_CLOSE_CLOSE_SERVICE_RESTART", 1012},
    {"SWOOLE_WEBSOCKET_CLOSE_DATA_ERROR", 1003},
    {"SWOOLE_WEBSOCKET_CLOSE_EXTENSION_MISSING", 1010},
    {"SWOOLE_WEBSOCKET_CLOSE_GOING_AWAY", 1001},
    {"SWOOLE_WEBSOCKET_CLOSE_MESSAGE_ERROR", 1007},
    {"SWOOLE_WEBSOCKET_CLOSE_MESSAGE_TOO_BIG", 1009},
    {"SWOOLE_WEBSOCKET_CLOSE_NORMAL", 1000},
    {"SWOOLE_WEBSOCKET_CLOSE_POLICY_ERROR", 1008},
    {"SWOOLE_WEBSOCKET_CLOSE_PROTOCOL_ERROR", 1002},
    {"SWOOLE_WEBSOCKET_CLOSE_SERVER_ERROR", 1011},
    {"SWOOLE_WEBSOCKET_CLOSE_STATUS_ERROR", 1005},
    {"SWOOLE_WEBSOCKET_CLOSE_TLS", 1015},
    {"SWOOLE_WEBSOCKET_CLOSE_TRY_AGAIN_LATER", 1013},
    {"WEBSOCKET_CLOSE_ABNORMAL", 1006},
    {"WEBSOCKET_CLOSE_BAD_GATEWAY", 1014},
    {"WEBSOCKET_CLOSE_CLOSE_SERVICE_RESTART", 1012},
    {"WEBSOCKET_CLOSE_DATA_ERROR", 1003},
    {"WEBSOCKET_CLOSE_EXTENSION_MISSING", 1010},
    {"WEBSOCKET_CLOSE_GOING_AWAY", 1001},
    {"WEBSOCKET_CLOSE_MESSAGE_ERROR", 1007},
    {"WEBSOCKET_CLOSE_MESSAGE_TOO_BIG", 1009},
    {"WEBSOCKET_CLOSE_NORMAL", 1000},
    {"WEBSOCKET_CLOSE_POLICY_ERROR", 1008},
    {"WEBSOCKET_CLOSE_PROTOCOL_ERROR", 1002},
    {"WEBSOCKET_CLOSE_SERVER_ERROR", 1011},
    {"WEBSOCKET_CLOSE_STATUS_ERROR", 1005},
    {"WEBSOCKET_CLOSE_TLS", 1015},
    {"WEBSOCKET_CLOSE_TRY_AGAIN_LATER", 1013},

    // WebSocket connection states
    {"SWOOLE_WEBSOCKET_STATUS_ACTIVE", 3},
    {"SWOOLE_WEBSOCKET_STATUS_CLOSING", 4},
    {"SWOOLE_WEBSOCKET_STATUS_CONNECTION", 1},
    {"SWOOLE_WEBSOCKET_STATUS_HANDSHAKE", 2},
    {"WEBSOCKET_STATUS_ACTIVE", 3},
    {"WEBSOCKET_STATUS_CLOSING", 4},
    {"WEBSOCKET_STATUS_CONNECTION", 1},
    {"WEBSOCKET_STATUS_FRAME", 3},
    {"WEBSOCKET_STATUS_HANDSHAKE", 2},
    {"WEBSOCKET_STATUS_HANDSHAKE_FAILED", 5},
};

// The PHP-visible flag and opcode values must be the ones src/core works with.
static_assert(wsserver::flag::kFin == 1 && wsserver::flag::kCompress == 2 && wsserver::flag::kRsv1 == 4 &&
              wsserver::flag::kRsv2 == 8 && wsserver::flag::kRsv3 == 16 && wsserver::flag::kMask == 32);
static_assert(static_cast<int>(wsserver::Opcode::Text) == 1 && static_cast<int>(wsserver::Opcode::Binary) == 2 &&
              static_cast<int>(wsserver::Opcode::Close) == 8 && static_cast<int>(wsserver::Opcode::Ping) == 9 &&
              static_cast<int>(wsserver::Opcode::Pong) == 10);
static_assert(wsserver::close_code::kNormal == 1000 && wsserver::close_code::kNoStatus == 1005);

}  // namespace

void wsserver_register_constants(int module_number) {
    for (const LongConstant &c : kLongConstants) {
        zend_register_long_constant(c.name.data(), c.name.size(), c.value, CONST_PERSISTENT, module_number);
    }
    // Kept from Swoole 1.x, where clients were created sync or async.
    zend_register_bool_constant(ZEND_STRL("SWOOLE_SOCK_ASYNC"), true, CONST_PERSISTENT, module_number);
    zend_register_bool_constant(ZEND_STRL("SWOOLE_SOCK_SYNC"), false, CONST_PERSISTENT, module_number);
    zend_register_double_constant(ZEND_STRL("SWOOLE_TIMER_MIN_SEC"), 0.001, CONST_PERSISTENT, module_number);
    zend_register_double_constant(ZEND_STRL("SWOOLE_TIMER_MAX_SEC"), double(ZEND_LONG_MAX) / 1000, CONST_PERSISTENT,
                                  module_number);
}
