#include "core/server/server.h"

#include <sys/socket.h>

#include <algorithm>
#include <csignal>

#include "core/ipc/process_messages.h"
#include "core/server/server_parts.h"
#include "core/websocket/frame.h"

namespace wsserver {

size_t Server::connection_size() { return sizeof(Connection); }

// ---- construction

Result<std::unique_ptr<Server>> Server::create(const ServerConfig &config, ServerEvents &events) {
    auto reactor = Reactor::create();
    if (!reactor) return reactor.error();
    ListenOptions lo;
    lo.host = config.host;
    lo.port = config.port;
    lo.backlog = config.backlog;
    auto listener = Listener::open(lo);
    if (!listener) return listener.error();
    auto server = std::make_unique<Server>(Passkey(), config, events, std::move(reactor.value()),
                                           std::move(listener.value()));
    if (int err = server->listen_on_reactor(); err != 0) return SysError::from_errno(err, "epoll_ctl(listener)");
    return server;
}

Result<std::unique_ptr<Server>> Server::create_sharing(const Server &proto, const ServerConfig &config,
                                                       ServerEvents &events) {
    auto reactor = Reactor::create();
    if (!reactor) return reactor.error();
    auto listener = proto.parts_->acceptor.listener(0).share();
    if (!listener) return listener.error();
    ServerConfig c = config;
    c.host = proto.parts_->ctx.config.host;
    c.port = proto.parts_->ctx.config.port;
    auto server = std::make_unique<Server>(Passkey(), c, events, std::move(reactor.value()), std::move(listener.value()));
    // The listen() ports too, with their protocols; TLS contexts are shared (an SSL_CTX
    // serves sessions in several threads).
    server->parts_->ctx.logger = proto.parts_->ctx.logger;
    if (auto shared = server->parts_->acceptor.share_from(proto.parts_->acceptor); !shared) return shared.error();
    if (int err = server->listen_on_reactor(); err != 0) return SysError::from_errno(err, "epoll_ctl(listener)");
    return server;
}

int Server::listen_on_reactor() {
    ServerContext &ctx = parts_->ctx;
    ctx.loop().set_wake_handler([this] {
        if (stop_requested_.exchange(false)) begin_stop();
    });
    if (int err = parts_->acceptor.watch(); err != 0) return err;
    if (ctx.config.handle_sigterm) return ctx.loop().on_signal(SIGTERM, [this](int) { begin_stop(); });
    return 0;
}

bool Server::attach_table(ConnectionTable &table, int32_t worker_id) {
    if (!parts_->connections.pristine()) return false;
    parts_->ctx.table = &table;
    parts_->ctx.worker_id = worker_id;
    parts_->ctx.reactor_id = worker_id;
    return true;
}

int Server::renew_reactor_after_fork() {
    auto reactor = Reactor::create();
    if (!reactor) return reactor.error().code;
    parts_->workers.forget_manager();
    parts_->ctx.reactor = std::move(reactor.value());  // the old one closes its fds, touches no epoll set
    return listen_on_reactor();
}

int Server::attach_master(std::vector<UniqueFd> channels) { return parts_->workers.attach_master(std::move(channels)); }

int Server::connect_to_manager(UniqueFd channel) { return parts_->workers.connect_to_manager(std::move(channel)); }

Server::Server(Passkey, const ServerConfig &config, ServerEvents &events, std::unique_ptr<Reactor> reactor,
               Listener listener)
    : parts_(std::make_unique<ServerParts>(*this, config, events, std::move(reactor), std::move(listener),
                                           [this] { begin_stop(); })) {}

bool Server::reconfigure(const ServerConfig &config) {
    if (!parts_->connections.pristine()) return false;
    ServerConfig &current = parts_->ctx.config;
    ServerConfig next = config;
    next.host = current.host;
    next.port = current.port;
    next.backlog = current.backlog;
    next.handle_sigterm = current.handle_sigterm;
    current = std::move(next);
    parts_->connections.set_output_limits(current);
    parts_->reader.set_buffer_size(current.read_buffer_size);
    return true;
}

Server::~Server() {
    // No callbacks: the binding is being torn down too. The pieces take their sockets off
    // the loop as they go (connections, then listeners), the loop goes last.
    if (parts_->ctx.config.handle_sigterm) parts_->ctx.loop().on_signal(SIGTERM, {});
}

// ---- accessors

bool Server::stopping() const { return parts_->ctx.stopping; }
Reactor &Server::reactor() { return parts_->ctx.loop(); }
uint16_t Server::port() const { return parts_->acceptor.listener(0).port(); }
const ServerConfig &Server::config() const { return parts_->ctx.config; }
void Server::set_tls(TlsContext context) { parts_->acceptor.set_tls(std::move(context)); }
void Server::set_logger(const Logger *logger) { parts_->ctx.logger = logger; }
const Logger *Server::logger() const { return parts_->ctx.logger; }
int32_t Server::worker_id() const { return parts_->ctx.worker_id; }
void Server::set_reactor_id(int32_t id) { parts_->ctx.reactor_id = id; }
int32_t Server::event_reactor_id() const {
    return parts_->workers.has_master() ? parts_->workers.event_reactor() : parts_->ctx.worker_id;
}
TimerId Server::after(uint64_t ms, TimerCallback fn) { return parts_->ctx.loop().after(ms, std::move(fn)); }
TimerId Server::tick(uint64_t ms, TimerCallback fn) { return parts_->ctx.loop().tick(ms, std::move(fn)); }
bool Server::clear_timer(TimerId id) { return parts_->ctx.loop().clear_timer(id); }
void Server::defer(Reactor::Callback fn) { parts_->ctx.loop().defer(std::move(fn)); }
const ServerCounters &Server::counters() const { return parts_->ctx.counters; }
ServerError Server::last_error() const { return parts_->ctx.last_error; }
const char *Server::last_error_message() const { return parts_->ctx.last_error_message; }

// ---- loop

int Server::run() {
    arm_heartbeat();
    int err = parts_->ctx.loop().run();
    // A SWOOLE_PROCESS worker that stops: the replies it queued must reach the master.
    parts_->workers.flush_master(1000);
    return err;
}

int Server::poll(int timeout_ms) { return parts_->ctx.loop().run_once(timeout_ms); }

void Server::stop() {
    stop_requested_ = true;
    parts_->ctx.loop().wake();
}

void Server::begin_stop() {
    ServerContext &ctx = parts_->ctx;
    ConnectionSet &connections = parts_->connections;
    if (ctx.stopping) return;
    ctx.stopping = true;
    // A SWOOLE_PROCESS worker first handles the events the master sent before it was told
    // to stop (close events of a shutdown, messages in flight).
    parts_->workers.drain_master();
    if (parts_->acceptor.listening()) parts_->acceptor.stop_accepting();
    for (SessionId id : connections.local_ids()) {
        Connection *c = connections.find_live(id);
        if (!c) continue;
        if (c->phase_ == Phase::WebSocket && c->ws_->state() == WebSocketSession::State::Open) {
            parts_->websocket.close_going_away(*c);
        } else if (c->phase_ == Phase::Http) {
            connections.close_now(*c, false);
        }
    }
    if (heartbeat_timer_) {
        ctx.loop().clear_timer(heartbeat_timer_);
        heartbeat_timer_ = 0;
    }
    connections.stop_after(ctx.config.stop_timeout_ms);
    connections.check_stopped();
}

// ---- heartbeat

void Server::arm_heartbeat() {
    const ServerConfig &config = parts_->ctx.config;
    if (heartbeat_timer_ || config.heartbeat_check_interval == 0) return;
    uint32_t idle = config.heartbeat_idle_time ? config.heartbeat_idle_time : 2 * config.heartbeat_check_interval;
    heartbeat_timer_ = parts_->ctx.loop().tick(uint64_t{config.heartbeat_check_interval} * 1000,
                                               [this, idle](TimerId) { idle_sessions(idle, true); });
}

std::vector<SessionId> Server::idle_sessions(uint32_t idle_seconds, bool close_them) {
    // Swoole's rule: idle once nothing was received for idle_seconds (last_recv_time <=
    // now - idle). Times in microseconds: with whole seconds, a connection whose last
    // frame came at x.9 s looked idle for 2 s at (x+2).0, 1.1 s later.
    std::vector<SessionId> idle;
    const int64_t now = ServerContext::wall_us();
    const int64_t idle_us = static_cast<int64_t>(idle_seconds) * 1000000;
    ConnectionTable *table = parts_->ctx.table;
    if (parts_->workers.has_master() && table) {
        // A SWOOLE_PROCESS worker: the master's sessions, by the times their rows carry
        // (republished by the owning thread when they enter another kTimePublishUs span,
        // so a row may be up to that much behind: counted in the connection's favour).
        for (SessionId id : session_ids()) {
            ConnectionInfo row;
            if (table->get(id, row) != SlotStatus::kOk || row.worker_id >= 0) continue;
            int64_t last = row.last_recv_time_us ? row.last_recv_time_us + ServerContext::kTimePublishUs
                                                 : row.connect_time_us;
            if (now - last >= idle_us) idle.push_back(id);
        }
    }
    for (SessionId id : parts_->connections.local_ids()) {
        Connection *c = parts_->connections.find_live(id);
        if (!c) continue;
        int64_t last = c->last_recv_us_ ? c->last_recv_us_ : c->connect_time_us_;
        if (now - last >= idle_us) idle.push_back(id);
    }
    if (close_them) {
        for (SessionId id : idle) close(id, false);
    }
    return idle;
}

// ---- listeners

Result<size_t> Server::add_listener(const ListenOptions &options, const ServerConfig &protocol) {
    return parts_->acceptor.add_listener(options, protocol);
}

bool Server::set_listener_protocol(size_t index, const ServerConfig &protocol) {
    return parts_->acceptor.set_listener_protocol(index, protocol);
}

bool Server::set_listener_tls(size_t index, TlsContext context) {
    return parts_->acceptor.set_listener_tls(index, std::move(context));
}

size_t Server::listener_count() const { return parts_->acceptor.listener_count(); }

const Listener &Server::listener(size_t index) const { return parts_->acceptor.listener(index); }

int Server::listener_of(SessionId id) const {
    if (Connection *c = parts_->connections.find(id)) return c->listener_index_;
    // Another process's session (a SWOOLE_PROCESS worker: every one): by the port its row
    // (or the closed session's snapshot) names.
    uint16_t port = 0;
    if (const WorkerLink::ClosedSession *closed = parts_->workers.closed(id)) {
        port = closed->client.server_port;
    } else if (auto row = parts_->workers.remote_session(id)) {
        port = row->server_port;
    } else {
        return -1;
    }
    for (size_t i = 0; i < listener_count(); i++)
        if (listener(i).port() == port) return static_cast<int>(i);
    return -1;
}

void Server::serve_no_connections() {
    if (parts_->acceptor.listening()) parts_->acceptor.stop_accepting();
}

// ---- sessions: served here, or forwarded to the process that owns them

bool Server::push(SessionId id, uint8_t opcode, std::string_view data, unsigned flags) {
    if (Connection *c = parts_->connections.find_live(id)) return parts_->websocket.push(*c, opcode, data, flags);
    ServerContext &ctx = parts_->ctx;
    auto owner = parts_->workers.remote_session(id);
    if (!owner) return ctx.fail(ServerError::SessionNotExist, "session does not exist");
    // A session of the master's: Closing, it may still be holding its close frame back
    // for this reply; Handshake, a 101 a worker sent may not have reached it yet
    // (commands arrive in order, so the push follows the 101). The master drops a push
    // that finds no open WebSocket.
    const bool in_master = owner->worker_id < 0;
    const int status = owner->websocket_status;
    if (status != websocket_status::kActive &&
        !(in_master && (status == websocket_status::kClosing || status == websocket_status::kHandshake ||
                        status == websocket_status::kConnection)))
        return ctx.fail(ServerError::Unconnected, "the connection is not an open WebSocket");
    if (!is_known_opcode(opcode)) return ctx.fail(ServerError::BadOpcode, "bad opcode");
    return parts_->workers.forward(*owner, ChannelMessageType::Push, opcode, flags, data);
}

bool Server::disconnect(SessionId id, uint16_t code, std::string_view reason) {
    ServerContext &ctx = parts_->ctx;
    if (!(code == close_code::kNormal || (code >= 4000 && code <= 4999)) || reason.size() > kMaxCloseReason)
        return ctx.fail(ServerError::PackFailed, "close code must be 1000 or 4000-4999, reason at most 123 bytes");
    if (Connection *c = parts_->connections.find_live(id)) return parts_->websocket.disconnect(*c, code, reason);
    auto owner = parts_->workers.remote_session(id);
    if (!owner) return ctx.fail(ServerError::SessionNotExist, "session does not exist");
    if (owner->websocket_status != websocket_status::kActive || owner->closing())
        return ctx.fail(ServerError::Unconnected, "the connection is not an open WebSocket");
    if (!parts_->workers.forward(*owner, ChannelMessageType::Disconnect, 0, code, reason)) return false;
    // As Swoole: CLOSING at once, for this process and every other (the owner confirms it
    // when it sends the close frame).
    set_remote_status(id, websocket_status::kActive, websocket_status::kClosing);
    return true;
}

bool Server::send(SessionId id, std::string_view data) {
    ServerContext &ctx = parts_->ctx;
    Connection *c = parts_->connections.find_live(id);
    if (!c) {
        auto owner = parts_->workers.remote_session(id);
        if (!owner) return ctx.fail(ServerError::SessionNotExist, "session does not exist");
        return parts_->workers.forward(*owner, ChannelMessageType::Send, 0, 0, data);
    }
    if (c->phase_ == Phase::Draining) return ctx.fail(ServerError::HttpContextUnavailable, "the connection is closing");
    if (!parts_->writer.write(*c, nullptr, 0, data.data(), data.size()))
        return ctx.fail(ServerError::OutputBufferOverflow, "output buffer overflow or connection lost");
    return true;
}

bool Server::close(SessionId id, bool reset) {
    Connection *c = parts_->connections.find_live(id);
    if (!c) {
        auto owner = parts_->workers.remote_session(id);
        if (!owner) return parts_->ctx.fail(ServerError::SessionNotExist, "session does not exist");
        return parts_->workers.forward(*owner, ChannelMessageType::Close, 0, reset ? 1 : 0, {});
    }
    parts_->connections.close(*c, reset);
    return true;
}

// A SWOOLE_PROCESS worker answers the master's sessions through it; anyone else answers
// only its own.
bool Server::respond(SessionId id, const HttpResponse &response, std::string_view body) {
    if (Connection *c = parts_->connections.find_live(id)) return parts_->http.respond(*c, response, body);
    if (parts_->workers.has_master()) {
        if (!parts_->workers.forward_response(id, ChannelMessageType::Respond, encode_response(response, body)))
            return false;
        // The 101 of onHandShake: ACTIVE at once, as Swoole's worker marks it, not once the
        // master has written it (this process could read HANDSHAKE meanwhile).
        if (response.status() == 101) set_remote_status(id, websocket_status::kHandshake, websocket_status::kActive);
        return true;
    }
    return parts_->ctx.fail(ServerError::SessionNotExist, "session does not exist");
}

void Server::set_remote_status(SessionId id, int from, int to) {
    if (!parts_->ctx.table) return;
    parts_->ctx.table->update(id, [from, to](ConnectionInfo &row) {
        if (row.websocket_status == from) row.websocket_status = static_cast<uint8_t>(to);
    });
}

bool Server::respond_head(SessionId id, const HttpResponse &response) {
    if (Connection *c = parts_->connections.find_live(id)) return parts_->http.respond_head(*c, response);
    if (parts_->workers.has_master())
        return parts_->workers.forward_response(id, ChannelMessageType::RespondHead, encode_response(response, {}));
    return parts_->ctx.fail(ServerError::SessionNotExist, "session does not exist");
}

bool Server::write_body(SessionId id, std::string_view data) {
    if (Connection *c = parts_->connections.find_live(id)) return parts_->http.write_body(*c, data);
    if (parts_->workers.has_master()) return parts_->workers.forward_response(id, ChannelMessageType::WriteBody, data);
    return parts_->ctx.fail(ServerError::SessionNotExist, "session does not exist");
}

bool Server::end_body(SessionId id, std::string_view data) {
    if (Connection *c = parts_->connections.find_live(id)) return parts_->http.end_body(*c, data);
    if (parts_->workers.has_master()) return parts_->workers.forward_response(id, ChannelMessageType::EndBody, data);
    return parts_->ctx.fail(ServerError::SessionNotExist, "session does not exist");
}

// ---- between workers

bool Server::send_pipe_message(int32_t dst, std::string_view data, uint32_t flags) {
    return parts_->workers.send_to_worker(dst, ChannelMessageType::Pipe, parts_->ctx.worker_id, flags, data);
}

bool Server::send_task(int32_t dst, int64_t task_id, std::string_view data, uint32_t flags) {
    return parts_->workers.send_to_worker(dst, ChannelMessageType::Task, task_id, flags, data);
}

bool Server::send_finish(int32_t dst, int64_t task_id, std::string_view data, uint32_t flags) {
    return parts_->workers.send_to_worker(dst, ChannelMessageType::Finish, task_id, flags, data);
}

bool Server::wait_task_result(int64_t task_id, int timeout_ms, std::string &data, uint32_t &flags) {
    return wait_task_results({task_id}, timeout_ms, [&](size_t, std::string_view payload, uint32_t result_flags) {
               data.assign(payload);
               flags = result_flags;
           }) == 1;
}

size_t Server::wait_task_results(const std::vector<int64_t> &task_ids, int timeout_ms, const TaskResultFn &on_result) {
    return parts_->workers.wait_task_results(task_ids, timeout_ms, on_result);
}

void Server::execute(const ChannelHeader &h, std::string_view payload) { parts_->commands.execute(h, payload); }

// ---- introspection

bool Server::exists(SessionId id) const {
    if (Connection *c = parts_->connections.find(id)) return c->phase_ != Phase::Closed;
    return parts_->workers.remote_session(id).has_value();
}

bool Server::is_established(SessionId id) const {
    if (Connection *c = parts_->connections.find(id))
        return c->phase_ == Phase::WebSocket && c->ws_->state() == WebSocketSession::State::Open;
    auto owner = parts_->workers.remote_session(id);
    return owner && owner->websocket_status == websocket_status::kActive && !owner->closing();
}

bool Server::client_info(SessionId id, ClientInfo &out) const {
    if (const WorkerLink::ClosedSession *closed = parts_->workers.closed(id)) {
        out = closed->client;
        return true;
    }
    Connection *c = parts_->connections.find(id);  // a Closed one is still found during on_close/on_disconnect
    if (!c) {
        auto row = parts_->workers.remote_session(id);
        if (!row) return false;
        out.remote_ip = row->remote_ip();
        out.remote_port = row->remote_port;
        out.server_port = row->server_port;
        out.connect_time_us = row->connect_time_us;
        out.last_recv_time_us = row->last_recv_time_us;
        out.last_send_time_us = row->last_send_time_us;
        out.websocket_status = parts_->workers.connecting(id) ? websocket_status::kNone : row->websocket_status;
        out.closing = row->closing();
        out.send_queued_bytes = row->send_queued_bytes;
        out.worker_id = std::max(row->worker_id, 0);
        out.reactor_id = row->reactor_id;
        out.server_fd = row->server_fd;
        out.socket_fd = row->socket_fd;
        out.socket_type = row->socket_type;
        return true;
    }
    const Listener &l = listener(c->listener_index_);
    out.worker_id = std::max(parts_->ctx.worker_id, 0);
    out.reactor_id = parts_->ctx.reactor_id;
    out.server_fd = l.fd();
    out.socket_fd = c->fd_.get();
    out.socket_type = l.address().is_ipv6() ? 3 : 1;
    out.remote_ip = c->peer_.ip();
    out.remote_port = c->peer_.port();
    out.server_port = l.port();
    out.connect_time_us = c->connect_time_us_;
    out.last_recv_time_us = c->last_recv_us_;
    out.last_send_time_us = c->last_send_us_;
    out.send_queued_bytes = c->out_.queued_bytes();
    out.websocket_status = c->websocket_status();
    out.closing = c->close_started();
    return true;
}

std::string Server::local_ip(SessionId id) const {
    ClientInfo info;
    if (!client_info(id, info)) return {};
    const bool v6 = info.remote_ip.find(':') != std::string::npos;
    if (info.remote_ip.rfind("127.", 0) == 0 || info.remote_ip == "::1") return v6 ? "::1" : "127.0.0.1";
    const int index = listener_of(id);
    if (index >= 0) {
        std::string bound = listener(static_cast<size_t>(index)).address().ip();
        if (bound != "0.0.0.0" && bound != "::") return bound;
    }
    if (Connection *c = parts_->connections.find(id); c && c->fd_.valid()) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        InetAddress local;
        if (::getsockname(c->fd_.get(), reinterpret_cast<sockaddr *>(&ss), &len) == 0 &&
            InetAddress::from_sockaddr(reinterpret_cast<sockaddr *>(&ss), len, local))
            return local.ip();
    }
    return {};
}

bool Server::close_info(SessionId id, CloseInfo &out) const {
    if (const WorkerLink::ClosedSession *closed = parts_->workers.closed(id)) {
        out = closed->close;
        return closed->has_close_info;
    }
    Connection *c = parts_->connections.find(id);
    if (!c || !c->ws_) return false;
    out.peer_code = c->ws_->peer_close_code();
    out.peer_reason = std::string(c->ws_->peer_close_reason());
    out.sent_code = c->ws_->sent_close_code();
    return true;
}

std::vector<SessionId> Server::session_ids() const {
    ConnectionTable *table = parts_->ctx.table;
    if (!table) return parts_->connections.local_ids();
    std::vector<SessionId> ids;
    for (int guard = 0; guard < 1 << 20; guard++) {
        size_t before = ids.size();
        auto page = table->list(ids.empty() ? 0 : ids.back(), 1024);
        ids.insert(ids.end(), page.begin(), page.end());
        if (ids.size() - before < 1024) break;
    }
    return ids;
}

std::vector<SessionId> Server::session_ids(SessionId after, size_t max_count) const {
    if (parts_->ctx.table) return parts_->ctx.table->list(after, max_count);
    std::vector<SessionId> ids = parts_->connections.local_ids();
    ids.erase(ids.begin(), std::upper_bound(ids.begin(), ids.end(), after));
    if (ids.size() > max_count) ids.resize(max_count);
    return ids;
}

void Server::abort_local_connections() {
    for (SessionId id : parts_->connections.local_ids()) {
        if (Connection *c = parts_->connections.find_live(id)) parts_->connections.close_now(*c, true);
    }
}

size_t Server::connection_count() const {
    return parts_->ctx.table ? static_cast<size_t>(parts_->ctx.table->count()) : parts_->connections.live_count();
}

}  // namespace wsserver
