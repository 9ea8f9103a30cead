// The C++ state behind a Swoole\Server object, shared by the files of Swoole\Server
// (server.cc and server_*.cc, which also share server_internal.h) and by the classes built
// on it: server_port.cc, http_request.cc, http_response.cc, websocket_server.cc.
#pragma once

#include "php/classes.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/server/connection_table.h"
#include "core/process/process_master.h"
#include "core/process/daemon.h"
#include "core/net/log.h"
#include "core/server/server.h"
#include "core/process/worker_pool.h"
#include "core/ipc/worker_status.h"

// Indexes of the callbacks set with on().
enum wsserver_event {
    WSSERVER_EVENT_START,
    WSSERVER_EVENT_SHUTDOWN,
    WSSERVER_EVENT_WORKER_START,
    WSSERVER_EVENT_WORKER_STOP,
    WSSERVER_EVENT_CONNECT,
    WSSERVER_EVENT_OPEN,
    WSSERVER_EVENT_MESSAGE,
    WSSERVER_EVENT_CLOSE,
    WSSERVER_EVENT_DISCONNECT,
    WSSERVER_EVENT_REQUEST,
    WSSERVER_EVENT_HANDSHAKE,
    WSSERVER_EVENT_BUFFER_FULL,
    WSSERVER_EVENT_BUFFER_EMPTY,
    WSSERVER_EVENT_RECEIVE,
    WSSERVER_EVENT_PACKET,
    WSSERVER_EVENT_TASK,
    WSSERVER_EVENT_FINISH,
    WSSERVER_EVENT_PIPE_MESSAGE,
    WSSERVER_EVENT_MANAGER_START,
    WSSERVER_EVENT_MANAGER_STOP,
    WSSERVER_EVENT_WORKER_EXIT,
    WSSERVER_EVENT_WORKER_ERROR,
    WSSERVER_EVENT_BEFORE_SHUTDOWN,
    WSSERVER_EVENT_BEFORE_RELOAD,
    WSSERVER_EVENT_AFTER_RELOAD,
    WSSERVER_EVENT_BEFORE_HANDSHAKE_RESPONSE,
    WSSERVER_EVENT_COUNT
};

// A PHP callable: the zval holds the reference, fcc is what zend_is_callable_ex found.
// params: extra arguments given to tick()/after() (an array, or undef).
struct Callback {
    Callback() {
        ZVAL_UNDEF(&fn);
        ZVAL_UNDEF(&params);
    }
    zval fn;
    zval params;
    zend_fcall_info_cache fcc{};
};

struct ServerObject;

// Turns engine events into PHP callback calls.
class ServerEventsImpl final : public wsserver::ServerEvents {
public:
    explicit ServerEventsImpl(ServerObject *o) : o_(o) {}
    void on_connect(wsserver::SessionId id) override;
    void on_request(wsserver::SessionId id, const wsserver::HttpParser &parser) override;
    void on_handshake(wsserver::SessionId id, const wsserver::HttpParser &parser) override;
    void on_before_handshake_response(wsserver::SessionId id, const wsserver::HttpParser &parser,
                                      wsserver::HttpResponse &extra) override;
    void on_open(wsserver::SessionId id, const wsserver::HttpParser &parser) override;
    void on_message(wsserver::SessionId id, uint8_t opcode, std::string_view data, unsigned flags) override;
    void on_close(wsserver::SessionId id) override;
    void on_disconnect(wsserver::SessionId id) override;
    void on_receive(wsserver::SessionId id, std::string_view data) override;
    void on_pipe_message(int32_t src_worker, std::string_view data, uint32_t flags) override;
    void on_task(int64_t task_id, int32_t src_worker, std::string_view data, uint32_t flags) override;
    void on_finish(int64_t task_id, std::string_view data, uint32_t flags) override;
    void on_buffer_full(wsserver::SessionId id) override;
    void on_buffer_empty(wsserver::SessionId id) override;

private:
    ServerObject *o_;
};

// One listening port as Swoole\Server\Port sees it (server_port.cc). Index 0 is the main
// listener, whose callbacks and settings are the server's own; an extra port's callbacks
// take precedence over the server's for its connections, and its settings (once set() was
// called) replace the server's protocol settings for them, as in Swoole.
struct PortState {
    Callback callbacks[WSSERVER_EVENT_COUNT];
    bool has_settings = false;  // set() was called: `settings` applies, not the server's
    wsserver::ServerConfig settings;
    bool open_http_protocol = false;
    bool open_websocket_protocol = false;
    bool ssl = false;  // listen() with SWOOLE_SSL: needs ssl_cert_file/ssl_key_file
};

// set() keys about processes that the binding applies itself (the engine never sees them).
struct ProcessSettings {
    uint32_t max_request = 0;          // 0: no limit
    int64_t max_request_grace = -1;    // -1: Swoole's default, max_request / 2 above 10
    uint32_t task_max_request = 0;
    int64_t task_max_request_grace = -1;
    bool daemonize = false;
    std::string pid_file;
    std::string log_file;
    int log_level = static_cast<int>(wsserver::LogLevel::kInfo);
    std::string user;
    std::string group;
    bool enable_coroutine = true;        // every event callback in its own coroutine (Swoole's default)
    bool task_enable_coroutine = false;  // task workers too; onTask then gets a Swoole\Server\Task
    bool task_object = false;            // onTask($server, Task $task) without coroutines
    uint32_t max_coroutine = 0;          // 0: the scheduler's default (100,000)
};

struct ServerImpl {
    explicit ServerImpl(ServerObject *o) : events(o) {}
    ServerEventsImpl events;
    wsserver::ServerConfig config;
    std::unique_ptr<wsserver::Server> server;  // declared after events: destroyed first
    Callback callbacks[WSSERVER_EVENT_COUNT];
    std::unordered_map<wsserver::TimerId, Callback> timers;
    std::unordered_map<uint64_t, Callback> defers;
    uint64_t next_defer = 1;
    bool running = false;
    bool finished = false;
    int last_error = 0;
    // The process model, set up by start(): the table every worker shares; the manager's
    // pool (worker_num > 1), which a worker drops right after the fork.
    std::unique_ptr<wsserver::ConnectionTable> table;
    std::unique_ptr<wsserver::WorkerPool> pool;
    int worker_id = 0;
    pid_t manager_pid = 0;  // 0: one worker, no manager
    pid_t master_pid = 0;
    bool is_manager = false;
    bool process_mode = false;  // SWOOLE_PROCESS: a master (reactor threads), a manager, workers
    bool is_master = false;     // SWOOLE_PROCESS: this is the master process
    std::unique_ptr<wsserver::ProcessMaster> master;  // the master's reactor threads
    // In the manager: every pool member's ends of the channels to the master (by worker id,
    // then reactor), handed to each worker it forks.
    std::vector<std::vector<wsserver::UniqueFd>> worker_ends;
    bool is_task_worker = false;
    // task(): ids per sending worker, the next task worker for dst -1, the callbacks given
    // to task() by id; in a task worker, the task onTask is running (finish() answers it).
    int64_t next_task_id = 0;
    int next_task_worker = 0;
    std::unordered_map<int64_t, Callback> task_callbacks;
    int64_t current_task_id = -1;
    int32_t current_task_src = -1;
    bool current_task_finished = false;
    std::unordered_set<int64_t> timed_out_tasks;  // taskwait() gave up: a late result is dropped
    zend_long start_time = 0;  // unix seconds when start() ran
    std::vector<std::unique_ptr<PortState>> ports;  // by listener index; [0] is the main one
    ProcessSettings process;
    // Shared by every process of this server (created by start() before any fork).
    std::unique_ptr<wsserver::WorkerStatusTable> worker_status;
    wsserver::Logger logger;
    wsserver::ProcessIdentity identity;  // user/group, looked up by start()
    std::string pid_file;                // absolute path written by start(), "" when none
    // This worker: how deep in engine events (busy while > 0), the request count at which
    // it leaves (max_request + grace; 0 none), whether it is leaving because of it.
    int dispatch_depth = 0;
    uint64_t request_limit = 0;
    bool leaving = false;
    // This worker runs its callbacks in coroutines (enable_coroutine, or task_enable_coroutine
    // in a task worker); a coroutine of it left an exception uncaught (the worker then ends
    // as after exit(): start() returns with PHP's unwind_exit pending).
    bool callbacks_in_coroutines = false;
    bool coroutine_fatal = false;
};

struct ServerObject {
    std::unique_ptr<ServerImpl> impl;  // reset when the object is freed
    zend_object std;
};

ServerObject *wsserver_server_from(zend_object *obj);

// server_events.cc: calls a callback (nothing when unset). False when an exception is pending, in which
// case the running server was told to stop.
// `result`, when given, receives the return value (the caller releases it; left undef if
// the callback threw or was not set).
bool wsserver_call(ServerObject *o, const Callback &cb, uint32_t argc, zval *argv, zval *result = nullptr);
// server_events.cc: runs an event callback as this worker runs them: in a new coroutine
// (enable_coroutine; the arguments are copied, since the coroutine may outlive this call,
// and `on_result` gets the return value when the callback returns), else as
// wsserver_call(). Returns once the callback returned or first suspended.
using ResultHandler = std::function<void(zval *retval)>;
void wsserver_dispatch(ServerObject *o, const Callback &cb, uint32_t argc, zval *argv,
                       ResultHandler on_result = nullptr);

// server_port.cc: the callback for event `ev` of session `id`: its port's own (listen())
// when set, else the server's.
const Callback &wsserver_callback(ServerObject *o, int ev, wsserver::SessionId id);

// server.cc, shared with server_port.cc: an event's index by name (case-insensitive, -1
// when unknown), a callable check, storing a callback, releasing one.
int wsserver_event_index(zend_string *name);
bool wsserver_parse_callable(zval *arg, zend_fcall_info_cache &fcc);
void wsserver_store_callback(Callback &cb, zval *fn, const zend_fcall_info_cache &fcc);
void wsserver_callback_reset(Callback &cb);
// server_connections.cc: a Swoole\Connection\Iterator over the connections of `server`
// that came in on `server_port` (0: every connection).
void wsserver_make_connection_iterator(zval *out, zval *server, uint16_t server_port);
// server_settings.cc: a port's set() keys applied to its protocol config and switches
// (false after a warning naming the bad key; they are then partly updated).
bool wsserver_apply_port_settings(wsserver::ServerConfig &c, bool &open_http_protocol, bool &open_websocket_protocol,
                                  HashTable *settings);

// server_port.cc: a Swoole\Server\Port for listener `index` of `server`, appended to its
// `ports` property (and copied to `port_out` when given); start()'s check and protocol setup of the extra ports, given
// the main listener's kind (false after a warning).
void wsserver_add_port_object(zval *server, size_t index, zend_long sock_type, zval *port_out = nullptr);
bool wsserver_prepare_ports(ServerObject *o, bool is_http, bool is_ws);
// The server's set() also shows in $server->ports[0]->setting, as in Swoole.
void wsserver_main_port_settings(zval *server, HashTable *settings);

// A Swoole\Http\Request for the parsed request of session `id` (http_request.cc).
void wsserver_make_request(zval *out, ServerObject *o, wsserver::SessionId id, const wsserver::HttpParser &parser);
// A Swoole\Http\Response answering session `id` (http_response.cc).
void wsserver_make_response(zval *out, ServerObject *o, wsserver::SessionId id);
// For onBeforeHandShakeResponse: the status and header fields (cookies included) set on a
// response that must not be sent itself, moved into `out`; the response is ended (its
// end()/write() then fail as after a real end()).
void wsserver_response_export(zval *response, wsserver::HttpResponse &out);
