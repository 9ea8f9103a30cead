// One WebSocket server on one reactor (Swoole's SWOOLE_BASE with a single worker): the
// listener, every connection's lifecycle from accept to close, the HTTP/1.1 front (plain
// requests, the opening handshake) and WebSocket mode after a 101. The PHP binding drives
// it through ServerEvents (callbacks in) and the Server methods (calls out); PHP never
// formats HTTP or WebSocket bytes itself.
//
// Server is the face; the work is done by private pieces of this folder, each with one
// job (server_parts.h wires them): Acceptor (listeners, accept), ConnectionSet (the
// connections and their end), ConnectionReader (socket -> phase), HttpFront, WebSocketFront,
// ConnectionWriter (queueing, TLS sealing, batching), WorkerLink (the other processes) and
// CommandExecutor (their commands). A Server method routes a session to the piece that
// serves it here, or to the process that owns it.
//
// Everything runs on the reactor's thread; only stop() may be called from another thread
// (it goes through the reactor's wakeup) and SIGTERM is delivered through the reactor too.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/http/http_parser.h"
#include "core/http/http_response.h"
#include "core/ipc/message_channel.h"
#include "core/ipc/session_id.h"
#include "core/ipc/session_info.h"
#include "core/net/log.h"
#include "core/net/reactor.h"
#include "core/net/socket.h"
#include "core/net/syscall.h"
#include "core/net/timer_queue.h"
#include "core/net/tls.h"
#include "core/server/connection_table.h"

namespace wsserver {


struct ServerConfig {
    std::string host = "0.0.0.0";
    uint16_t port = 0;  // 0: ephemeral, Server::port() says which
    int backlog = 512;
    size_t package_max_length = 2 * 1024 * 1024;  // request body and WebSocket message
    size_t socket_buffer_size = 8 * 1024 * 1024;  // output cap per connection
    size_t buffer_high_watermark = 8 * 1024 * 1024 / 5 * 4;  // 0: no onBufferFull/Empty
    size_t buffer_low_watermark = 0;
    bool websocket_compression = false;
    std::string websocket_subprotocol;
    bool open_websocket_close_frame = false;
    bool open_websocket_ping_frame = false;
    bool open_websocket_pong_frame = false;
    size_t http_header_max_size = 64 * 1024;
    // A connection that has not completed its first HTTP request by then is closed
    // (slowloris). 0 disables.
    uint64_t handshake_timeout_ms = 30000;
    // After we sent a close frame: how long to wait for the peer's before closing TCP.
    uint64_t websocket_close_timeout_ms = 3000;
    // stop(): how long open connections get to finish the close handshake and flush.
    uint64_t stop_timeout_ms = 3000;
    size_t accept_batch = 64;      // accept4() calls per listener wakeup
    size_t reads_per_wakeup = 4;   // read() calls per connection per wakeup
    // One per worker; large enough that a 64 KiB message (plus its header) usually arrives
    // whole in one read and is handed to PHP in place rather than reassembled.
    size_t read_buffer_size = 256 * 1024;
    bool handle_sigterm = true;    // SIGTERM -> stop()
    // Which PHP callbacks exist.
    bool user_handshake = false;  // onHandShake: the binding answers the upgrade itself
    bool has_request_handler = false;  // onRequest; without it a plain request gets 400
    bool has_disconnect_handler = false;  // onDisconnect for connections that never opened
    bool has_before_handshake_response = false;  // onBeforeHandShakeResponse
    // SWOOLE_PROCESS master: onBeforeHandShakeResponse runs in a worker, so the built-in
    // handshake sends it the request and waits for its HandshakeExtra before the 101.
    bool defer_before_handshake = false;
    // SWOOLE_PROCESS master: the control frames the engine answers by itself (pongs, the
    // close reply, our close after a protocol error) and the close wait for the answer to
    // on_close_barrier (a CloseBarrier command), so the worker's replies to the messages
    // before them are written first, in order, as in BASE mode.
    bool close_barrier = false;
    // A plain TCP server (Swoole\Server with onReceive): no HTTP, every byte read goes to
    // on_receive as it arrives (no framing, as Swoole without open_*_protocol).
    bool raw_tcp = false;
    // Swoole's heartbeat: every heartbeat_check_interval seconds, connections that received
    // nothing for heartbeat_idle_time seconds (default: twice the interval) are closed.
    // 0: off.
    uint32_t heartbeat_check_interval = 0;
    uint32_t heartbeat_idle_time = 0;
    // SWOOLE_SSL: the binding builds a TlsContext from these and hands it to set_tls().
    bool ssl = false;
    TlsOptions tls;
    // The process model (read by whoever starts the workers, not by Server itself).
    int worker_num = 1;
    int task_worker_num = 0;
    int reactor_num = 0;    // SWOOLE_PROCESS: the master's reactor threads (0: default)
    int dispatch_mode = 2;  // SWOOLE_PROCESS: 1 round robin, 2 by fd, 3 idle worker, 4 by ip
    uint32_t max_connection = 0;  // 0: ConnectionTable::default_capacity()
    std::string upload_tmp_dir = "/tmp";  // multipart uploads (read by the binding)
};

// Error numbers as Swoole reports them through swoole_last_error().
enum class ServerError : int {
    None = 0,
    SessionNotExist = 1005,       // SW_ERROR_SESSION_NOT_EXIST
    OutputBufferOverflow = 1009,  // SW_ERROR_OUTPUT_BUFFER_OVERFLOW
    BadOpcode = 8502,           // SWOOLE_ERROR_WEBSOCKET_BAD_OPCODE
    Unconnected = 8503,         // SWOOLE_ERROR_WEBSOCKET_UNCONNECTED: not an open WebSocket
    PackFailed = 8505,          // SWOOLE_ERROR_WEBSOCKET_PACK_FAILED: bad frame / close args
    HttpContextUnavailable = 7106,  // SW_ERROR_HTTP_CONTEXT_UNAVAILABLE: a response call at the wrong moment
};

// What this process's Server has done since it started (stats()).
struct ServerCounters {
    uint64_t recv_bytes = 0;
    uint64_t send_bytes = 0;  // handed to the kernel or queued
    uint64_t requests = 0;    // HTTP requests and WebSocket messages delivered to callbacks
};

// Implemented by the binding. Every callback runs on the reactor thread and may call any
// Server method, including close() of the very session it is about.
class ServerEvents {
public:
    // A new connection; with TLS, once its handshake completed (a client refused there
    // causes no event at all).
    virtual void on_connect(SessionId) {}
    // A plain HTTP request (has_request_handler). Answer with respond() or respond_head()
    // + write_body() + end_body(), now or later; the next pipelined request waits. The
    // parser (the request) stays valid until the callback returned and the response was
    // sent, whichever is later.
    virtual void on_request(SessionId, const HttpParser &) {}
    // An upgrade request when user_handshake: answer through respond(); a 101 switches the
    // connection to WebSocket (on_open is then the binding's business, as in Swoole).
    virtual void on_handshake(SessionId, const HttpParser &) {}
    // The built-in handshake accepted the request (has_before_handshake_response): fields
    // added to `extra` go out with the 101 (the handshake's own fields cannot be replaced;
    // its status stays 101). The callback may close the session instead.
    virtual void on_before_handshake_response(SessionId, const HttpParser &, HttpResponse &extra) { (void)extra; }
    // After the built-in handshake's 101 went out.
    virtual void on_open(SessionId, const HttpParser &) {}
    // A message (opcode Text/Binary), or a delivered control frame (Ping/Pong/Close with
    // open_websocket_*_frame; a close payload is code + reason as on the wire). `data` is
    // valid during the call only.
    virtual void on_message(SessionId, uint8_t opcode, std::string_view data, unsigned flags) = 0;
    // Once per connection that became a WebSocket; close_info() works during the call.
    virtual void on_close(SessionId) {}
    // A connection that never became a WebSocket closed (has_disconnect_handler).
    virtual void on_disconnect(SessionId) {}
    // A sendMessage() from another worker (flags: what the sender's binding set).
    virtual void on_pipe_message(int32_t src_worker, std::string_view data, uint32_t flags) {
        (void)src_worker, (void)data, (void)flags;
    }
    // A task for this task worker, and a task's result for the worker that sent it.
    virtual void on_task(int64_t task_id, int32_t src_worker, std::string_view data, uint32_t flags) {
        (void)task_id, (void)src_worker, (void)data, (void)flags;
    }
    virtual void on_finish(int64_t task_id, std::string_view data, uint32_t flags) {
        (void)task_id, (void)data, (void)flags;
    }
    // raw_tcp: bytes as read, valid during the call only.
    virtual void on_receive(SessionId, std::string_view data) { (void)data; }
    // close_barrier: control frames and the close wait until a CloseBarrier command for
    // `id` is executed (a closing connection gives up after websocket_close_timeout_ms).
    virtual void on_close_barrier(SessionId) {}
    virtual void on_buffer_full(SessionId) {}
    virtual void on_buffer_empty(SessionId) {}

protected:
    ~ServerEvents() = default;
};

struct ServerParts;

class Server {
    struct Passkey {
        explicit Passkey() = default;
    };

public:
    // Opens the listener (so port() is known) and the reactor; run() serves.
    static Result<std::unique_ptr<Server>> create(const ServerConfig &config, ServerEvents &events);
    // Another Server on `proto`'s listening socket (a dup of it): SWOOLE_PROCESS's reactor
    // threads each run one, accepting from the same port.
    static Result<std::unique_ptr<Server>> create_sharing(const Server &proto, const ServerConfig &config,
                                                          ServerEvents &events);

    Server(Passkey, const ServerConfig &config, ServerEvents &events, std::unique_ptr<Reactor> reactor,
           Listener listener);
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;
    ~Server();  // closes every connection without callbacks

    // ---- loop
    // Serves until stop() completes. 0, or an errno from epoll_wait.
    int run();
    // One reactor iteration (tests, embedding). As Reactor::run_once().
    int poll(int timeout_ms);
    // Graceful stop: stop accepting, close 1001 to WebSocket clients, close idle HTTP
    // connections, wait for flushes and close replies (at most stop_timeout_ms), then
    // make run() return. Thread-safe.
    void stop();
    bool stopping() const;
    Reactor &reactor();
    uint16_t port() const;
    const ServerConfig &config() const;
    // Replaces the settings before run() (the binding's set() comes after the bind):
    // host, port, backlog and handle_sigterm keep their values from create(). False,
    // nothing changed, once a connection was accepted.
    bool reconfigure(const ServerConfig &config);

    // wss:// and https://: every connection accepted from now on speaks TLS with `context`
    // (SWOOLE_SSL). Before run().
    void set_tls(TlsContext context);
    // Where the server's own warnings go (a connection refused at max_connection). The
    // logger must outlive the Server; without one nothing is logged.
    void set_logger(const Logger *logger);
    const Logger *logger() const;

    // ---- several workers (BASE mode, worker_num > 1); all before run()
    // Session ids come from `table` (shared by every worker, created before fork) and every
    // connection is registered there, so the introspection calls below see every worker's
    // connections. `table` must outlive the Server. False once a connection was accepted.
    bool attach_table(ConnectionTable &table, int32_t worker_id);
    int32_t worker_id() const;
    // The reactor id recorded for this Server's connections (default: the worker id). A
    // SWOOLE_PROCESS reactor thread attaches the table with worker id -1 ("the master")
    // and its thread index here; workers route commands for such rows to that thread.
    void set_reactor_id(int32_t id);
    // The $reactorId of the event being handled (onConnect, onReceive, onClose): in a
    // SWOOLE_PROCESS worker the master's thread that sent it, else this worker.
    int32_t event_reactor_id() const;
    // In a forked worker: a loop of its own (the inherited one's epoll set is the parent's),
    // serving the inherited listener. 0 or an errno value.
    int renew_reactor_after_fork();
    // The channel to the manager: commands for sessions of other workers go out through it
    // (the manager routes them), commands for ours come in. If the manager goes away, the
    // worker stops. 0 or an errno value.
    int connect_to_manager(UniqueFd channel);
    // SWOOLE_PROCESS worker: its channels to the master's reactor threads (index = reactor
    // id). Events come in through them and become ServerEvents calls, as if this Server
    // owned the connections; commands for the master's sessions go out through them. If
    // the master goes away, the worker stops. 0 or an errno value.
    int attach_master(std::vector<UniqueFd> channels);
    // SWOOLE_PROCESS master: a command a worker sent (push, send, close, respond...). The
    // writes of all commands handled in one loop iteration are batched per connection.
    void execute(const ChannelHeader &h, std::string_view payload);

    // ---- extra listening ports (Swoole's listen()/addListener()); before run()
    // Binds now (so its port is known; `options.port` 0: ephemeral) and serves it beside
    // the main listener, in every worker. Its connections follow `protocol`'s
    // per-connection fields (raw_tcp, user_handshake, has_request_handler,
    // has_before_handshake_response, package_max_length, http_header_max_size,
    // handshake_timeout_ms, websocket_compression, websocket_subprotocol,
    // open_websocket_*_frame); everything else comes from the server's config. Its index
    // (1, 2, ...; 0 is the listener of create()).
    Result<size_t> add_listener(const ListenOptions &options, const ServerConfig &protocol);
    // Replaces an extra listener's protocol; false for a bad index or once serving.
    bool set_listener_protocol(size_t index, const ServerConfig &protocol);
    // Connections accepted from now on by that listener speak TLS (set_tls() for index 0).
    bool set_listener_tls(size_t index, TlsContext context);
    size_t listener_count() const;
    const Listener &listener(size_t index) const;  // index < listener_count()
    // The listener a session came in on (another process's: by its row's port); -1 for a
    // session not found.
    int listener_of(SessionId id) const;

    // ---- WebSocket
    // One frame, as Swoole's push(). False (last_error() says why, the connection is not
    // touched) for an unknown session, one that is not an open WebSocket, an invalid
    // frame, or an output queue at its cap.
    bool push(SessionId id, uint8_t opcode, std::string_view data, unsigned flags);
    // Close handshake with `code` (1000 or 4000-4999) and `reason` (<= 123 bytes).
    bool disconnect(SessionId id, uint16_t code = 1000, std::string_view reason = {});

    // ---- between workers
    // To worker `dst` (not this one) through the manager; false without one, or if the
    // channel is full.
    bool send_pipe_message(int32_t dst, std::string_view data, uint32_t flags);
    bool send_task(int32_t dst, int64_t task_id, std::string_view data, uint32_t flags);
    bool send_finish(int32_t dst, int64_t task_id, std::string_view data, uint32_t flags);
    // taskwait(): blocks up to `timeout_ms` for task `task_id`'s Finish; other messages wait
    // for the loop. False on timeout (or without a manager).
    bool wait_task_result(int64_t task_id, int timeout_ms, std::string &data, uint32_t &flags);
    // taskWaitMulti(): the same for a set of tasks, until every one's Finish came or the
    // timeout passed. `on_result(i, data, flags)` for each that came (i: its position in
    // `task_ids`; data valid during the call). How many came.
    using TaskResultFn = std::function<void(size_t index, std::string_view data, uint32_t flags)>;
    size_t wait_task_results(const std::vector<int64_t> &task_ids, int timeout_ms, const TaskResultFn &on_result);
    // A task worker: stop accepting (its listener stays with the other workers).
    void serve_no_connections();

    // ---- any connection
    // Raw bytes (Swoole's send()); same cap rule as push().
    bool send(SessionId id, std::string_view data);
    // reset: close now, dropping queued output (RST); else after flushing what is queued.
    bool close(SessionId id, bool reset = false);

    // ---- HTTP responses (to on_request / on_handshake)
    // The whole response. A 101 to an upgrade request switches the connection to WebSocket.
    bool respond(SessionId id, const HttpResponse &response, std::string_view body);
    // Starts a streamed response: chunked for HTTP/1.1, close-delimited for HTTP/1.0.
    bool respond_head(SessionId id, const HttpResponse &response);
    bool write_body(SessionId id, std::string_view data);
    bool end_body(SessionId id, std::string_view data = {});

    // ---- introspection (any worker's sessions once a table is attached)
    bool exists(SessionId id) const;
    bool is_established(SessionId id) const;  // an open WebSocket (ACTIVE)
    // Also during on_close/on_disconnect (websocket_status as Swoole reports it there:
    // ACTIVE, or CLOSING after disconnect()).
    bool client_info(SessionId id, ClientInfo &out) const;
    bool close_info(SessionId id, CloseInfo &out) const;
    // The server's address of the connection ($request->server['server_addr']): the
    // loopback address for a loopback peer (as Swoole), else the listener's own address
    // when it is not a wildcard, else getsockname() where the socket is this process's;
    // empty when none of these tells it (a wildcard listener seen from a PROCESS worker).
    std::string local_ip(SessionId id) const;
    std::vector<SessionId> session_ids() const;  // increasing
    // Live ids greater than `after`, increasing, at most `max_count` (getClientList()).
    std::vector<SessionId> session_ids(SessionId after, size_t max_count) const;
    size_t connection_count() const;

    // This process's connections that received nothing for `idle_seconds` (since they
    // connected, if they never sent anything), timed to the microsecond; closed (close(),
    // flushing first) if `close`.
    std::vector<SessionId> idle_sessions(uint32_t idle_seconds, bool close);

    // Resets every connection of this process at once, without close handshakes (an
    // uncaught exception ends the worker).
    void abort_local_connections();

    // ---- timers and deferred work (reactor passthrough)
    TimerId after(uint64_t ms, TimerCallback fn);
    TimerId tick(uint64_t ms, TimerCallback fn);
    bool clear_timer(TimerId id);
    void defer(Reactor::Callback fn);

    const ServerCounters &counters() const;
    ServerError last_error() const;
    const char *last_error_message() const;

    // Size of one connection's bookkeeping while idle (no parser, no session, no output).
    static size_t connection_size();

private:
    int listen_on_reactor();
    void arm_heartbeat();
    void begin_stop();
    // Another process's session: its row's websocket_status becomes `to` if it was `from`.
    void set_remote_status(SessionId id, int from, int to);

    std::unique_ptr<ServerParts> parts_;  // the pieces (server_parts.h): one allocation at create()
    std::atomic<bool> stop_requested_{false};
    TimerId heartbeat_timer_ = 0;
};

}  // namespace wsserver
