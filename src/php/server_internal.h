// What the files of Swoole\Server share among themselves: server.cc (construction, on(),
// set(), start(), registration) and server_settings.cc, server_events.cc,
// server_processes.cc, server_connections.cc, server_tasks.cc, server_timers.cc. The
// other classes see only server_object.h.
#pragma once

#include "php/server_object.h"

#include "zend_smart_str.h"

#include <cstdint>
#include <string_view>

inline ServerObject *this_server(zval *this_ptr) { return wsserver_server_from(Z_OBJ_P(this_ptr)); }

// server.cc: the engine, or nullptr after an exception (constructor not run or failed).
wsserver::Server *wsserver_engine_of(zval *this_ptr);
// server.cc: the engine of a running worker (not the manager); else a warning and nullptr.
wsserver::Server *wsserver_running_engine(ServerImpl &impl);

// server_settings.cc: set()'s keys checked and applied to the server's config and process
// settings; false after a warning naming the bad key (`c` and `p` are then partly updated).
bool wsserver_apply_server_settings(wsserver::ServerConfig &c, ProcessSettings &p, HashTable *settings);

// server_processes.cc, for start(): before any fork, the user/group lookup, the worker
// status table, the log file, daemonize and the pid file; then the process model (the
// SWOOLE_PROCESS master, a manager and its workers, or this process as the only worker).
// False after a warning (or with an exception pending).
bool wsserver_prepare_processes(ServerObject *o);
bool wsserver_run_processes(ServerObject *o);

// server_connections.cc: the create/free handlers of Swoole\Connection\Iterator, whose
// class entry server.cc registers (with the generated server_arginfo.h).
void wsserver_init_connection_iterator_class(zend_class_entry *ce);

// server_tasks.cc: values sent between workers (sendMessage, task, finish). A payload:
// `bytes` views the string itself, or the serialization this object owns (other values,
// flagged in `flags`). pack() is false with an exception pending (a value that cannot be
// serialized).
struct PackedValue {
    smart_str buf = {};
    std::string_view bytes;
    uint32_t flags = 0;

    PackedValue() = default;
    PackedValue(const PackedValue &) = delete;
    PackedValue &operator=(const PackedValue &) = delete;
    ~PackedValue() { smart_str_free(&buf); }

    bool pack(zval *value);
};

// The value a PackedValue carried (false when it cannot be unserialized).
void wsserver_unpack_value(zval *out, std::string_view data, uint32_t flags);

// server_task.cc: the Swoole\Server\Task onTask receives (task_enable_coroutine or
// task_object) for task `task_id` from worker `src_worker`; whether its finish() was called.
void wsserver_make_task(zval *out, ServerObject *o, int64_t task_id, int32_t src_worker, zval *data, uint32_t flags);
bool wsserver_task_finished(zval *task);
