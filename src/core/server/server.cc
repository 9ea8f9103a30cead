#include "core/server/server.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <optional>

#include "core/http/http_tokens.h"
#include "core/websocket/deflate_negotiation.h"
#include "core/websocket/frame.h"
#include "core/ipc/process_messages.h"
#include "core/websocket/websocket_handshake.h"
#include "core/websocket/websocket_session.h"

namespace wsserver {

namespace {

enum class Phase : uint8_t { Http, HttpWaiting, HttpStreaming, WebSocket, Draining, Closed };

// Request header values with repeated fields joined by ", " (what HeaderLookup requires).
class JoinedHeaders {
public:
    explicit JoinedHeaders(const HttpParser &parser) : parser_(parser) {}

    std::optional<std::string_view> get(std::string_view name) {
        size_t i = parser_.find_header(name);
        if (i == HttpParser::npos) return std::nullopt;
        size_t j = parser_.find_header(name, i + 1);
        if (j == HttpParser::npos) return parser_.header_at(i).value;
        std::string &joined = store_.emplace_back(parser_.header_at(i).value);
        for (; j != HttpParser::npos; j = parser_.find_header(name, j + 1)) {
            joined += ", ";
            joined += parser_.header_at(j).value;
        }
        return std::string_view(joined);
    }
    HeaderLookup lookup() {
        return [this](std::string_view name) { return get(name); };
    }

private:
    const HttpParser &parser_;
    std::deque<std::string> store_;  // stable addresses for the joined values
};

}  // namespace

// ---- Connection

class Server::Connection final : public IoHandler, public OutputQueue::Observer {
public:
    Connection(Server &server, SessionId id, Accepted &&accepted, int64_t now)
        : server_(server),
          id_(id),
          fd_(std::move(accepted.fd)),
          peer_(accepted.peer),
          out_(server.pool_, server.output_limits_, this),
          connect_time_(now) {}

    void on_io(int, uint32_t events) override { server_.on_connection_io(*this, events); }
    void on_high_watermark(OutputQueue &) override { server_.events_.on_buffer_full(id_); }
    void on_low_watermark(OutputQueue &) override { server_.events_.on_buffer_empty(id_); }

    Server &server_;
    SessionId id_;
    UniqueFd fd_;
    InetAddress peer_;
    OutputQueue out_;
    std::unique_ptr<HttpParser> http_;      // created on the first byte, dropped after a 101
    std::unique_ptr<WebSocketSession> ws_;  // created by the 101
    TlsSession tls_;                        // SWOOLE_SSL: created at accept
    std::string pending_;                   // input read ahead while a response is awaited
    int64_t connect_time_;
    int64_t last_recv_ = 0;
    int64_t last_send_ = 0;
    TimerId timer_ = 0;  // handshake timeout, then the close timeout
    struct HeldControls {
        std::string now;   // written when the barrier in flight is answered
        std::string next;  // came after an event that followed that barrier: the next one
        bool in_flight = false;
        bool event_after = false;  // an event went to the worker after the barrier
    };
    // close_barrier: control frames (pongs, the close reply) wait for the worker to have
    // handled the events before them; allocated by the first held frame.
    std::unique_ptr<HeldControls> held_;
    Phase phase_ = Phase::Http;
    bool opened_ = false;           // became a WebSocket: on_close, not on_disconnect
    bool upgrade_pending_ = false;  // the awaited response answers an upgrade request
    bool head_request_ = false;     // the awaited response carries no body bytes
    bool keep_alive_ = true;        // of the streamed response
    bool chunked_ = false;          // the streamed response is chunked
    bool resume_scheduled_ = false;
    bool continue_sent_ = false;    // "100 Continue" went out for the current request
    // Small writes are queued and go out in one writev later (while its input is decoded,
    // or while a batch of worker commands is handled): see reading_ and command_batch_.
    bool batching_ = false;
    // close_barrier: the connection closes (and reads no more) once everything held went out.
    bool awaiting_barrier_ = false;
    uint8_t published_status_ = 0;  // websocket_status last written to the table
    uint16_t listener_index_ = 0;   // the listener it came in on (0: the main one)

    // The per-connection settings of its listener (the server's own for the main one).
    const ServerConfig &protocol() const { return server_.protocol_of(listener_index_); }
};

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
    auto listener = proto.listener_.share();
    if (!listener) return listener.error();
    ServerConfig c = config;
    c.host = proto.config_.host;
    c.port = proto.config_.port;
    auto server = std::make_unique<Server>(Passkey(), c, events, std::move(reactor.value()), std::move(listener.value()));
    // The listen() ports too, with their protocols; TLS contexts are shared (an SSL_CTX
    // serves sessions in several threads).
    server->tls_ = proto.tls_;
    server->logger_ = proto.logger_;
    for (const auto &extra : proto.extra_listeners_) {
        auto shared = extra->listener.share();
        if (!shared) return shared.error();
        server->extra_listeners_.push_back(
            std::make_unique<ExtraListener>(ExtraListener{std::move(shared.value()), extra->protocol, extra->tls}));
    }
    if (int err = server->listen_on_reactor(); err != 0) return SysError::from_errno(err, "epoll_ctl(listener)");
    return server;
}

int Server::listen_on_reactor() {
    reactor_->set_wake_handler([this] {
        if (stop_requested_.exchange(false)) begin_stop();
    });
    int err = reactor_->add(listener_.fd(), Reactor::kRead, [this](uint32_t) { on_listener_ready(); });
    if (err == 0) err = watch_extra_listeners();
    if (err != 0) return err;
    if (config_.handle_sigterm) return reactor_->on_signal(SIGTERM, [this](int) { begin_stop(); });
    return 0;
}

bool Server::attach_table(ConnectionTable &table, int32_t worker_id) {
    if (next_session_id_ != 1 || !connections_.empty()) return false;
    table_ = &table;
    worker_id_ = worker_id;
    reactor_id_ = worker_id;
    return true;
}

int Server::renew_reactor_after_fork() {
    auto reactor = Reactor::create();
    if (!reactor) return reactor.error().code;
    manager_.reset();
    reactor_ = std::move(reactor.value());  // the old one closes its fds, touches no epoll set
    return listen_on_reactor();
}

int Server::attach_master(std::vector<UniqueFd> channels) {
    master_.clear();
    for (UniqueFd &fd : channels) {
        auto ch = PacketChannel::open(
            *reactor_, std::move(fd), master_scratch_,
            [this](const ChannelHeader &h, std::string_view payload) { execute_event(h, payload); },
            [this] { reactor_->defer([this] { begin_stop(); }); });
        if (!ch) return ch.error().code;
        master_.push_back(std::move(ch.value()));
    }
    return 0;
}

int Server::connect_to_manager(UniqueFd channel) {
    auto ch = MessageChannel::open(
        *reactor_, std::move(channel), [this](const ChannelHeader &h, std::string_view payload) { execute(h, payload); },
        [this] { reactor_->defer([this] { begin_stop(); }); });
    if (!ch) return ch.error().code;
    manager_ = std::move(ch.value());
    return 0;
}

Server::Server(Passkey, const ServerConfig &config, ServerEvents &events, std::unique_ptr<Reactor> reactor,
               Listener listener)
    : config_(config), events_(events), reactor_(std::move(reactor)), listener_(std::move(listener)) {
    output_limits_.max_bytes = config_.socket_buffer_size;
    output_limits_.high_watermark = config_.buffer_high_watermark;
    output_limits_.low_watermark = config_.buffer_low_watermark;
    read_buffer_.resize(std::max<size_t>(config_.read_buffer_size, 4096));
}

bool Server::reconfigure(const ServerConfig &config) {
    if (next_session_id_ != 1 || !connections_.empty()) return false;
    ServerConfig next = config;
    next.host = config_.host;
    next.port = config_.port;
    next.backlog = config_.backlog;
    next.handle_sigterm = config_.handle_sigterm;
    config_ = std::move(next);
    output_limits_.max_bytes = config_.socket_buffer_size;
    output_limits_.high_watermark = config_.buffer_high_watermark;
    output_limits_.low_watermark = config_.buffer_low_watermark;
    read_buffer_.resize(std::max<size_t>(config_.read_buffer_size, 4096));
    return true;
}

Server::~Server() {
    // No callbacks: the binding is being torn down too.
    for (auto &[id, c] : connections_) {
        if (c->fd_.valid()) reactor_->remove(c->fd_.get());
    }
    if (reactor_->contains(listener_.fd())) reactor_->remove(listener_.fd());
    unwatch_extra_listeners();
    if (config_.handle_sigterm) reactor_->on_signal(SIGTERM, {});
}

int64_t Server::wall_seconds() const { return static_cast<int64_t>(::time(nullptr)); }

bool Server::fail(ServerError error, const char *message) {
    last_error_ = error;
    last_error_message_ = message;
    return false;
}

Server::Connection *Server::find(SessionId id) const {
    auto it = connections_.find(id);
    return it == connections_.end() ? nullptr : it->second.get();
}

Server::Connection *Server::find_live(SessionId id) {
    Connection *c = find(id);
    return c && c->phase_ != Phase::Closed ? c : nullptr;
}

// ---- loop

int Server::run() {
    arm_heartbeat();
    int err = reactor_->run();
    // A SWOOLE_PROCESS worker that stops: the replies it queued must reach the master.
    for (auto &ch : master_) {
        if (ch && ch->open()) ch->flush_blocking(1000);
    }
    return err;
}

void Server::arm_heartbeat() {
    if (heartbeat_timer_ || config_.heartbeat_check_interval == 0) return;
    uint32_t idle = config_.heartbeat_idle_time ? config_.heartbeat_idle_time : 2 * config_.heartbeat_check_interval;
    heartbeat_timer_ = reactor_->tick(uint64_t{config_.heartbeat_check_interval} * 1000,
                                      [this, idle](TimerId) { idle_sessions(idle, true); });
}

std::vector<SessionId> Server::idle_sessions(uint32_t idle_seconds, bool close_them) {
    std::vector<SessionId> idle;
    const int64_t now = wall_seconds();
    if (!master_.empty() && table_) {
        // A SWOOLE_PROCESS worker: the master's sessions, by the times their rows carry
        // (updated by the owning thread once a second at most).
        for (SessionId id : session_ids()) {
            ConnectionInfo row;
            if (table_->get(id, row) != SlotStatus::kOk || row.worker_id >= 0) continue;
            int64_t last = (row.last_recv_time_us ? row.last_recv_time_us : row.connect_time_us) / 1000000;
            if (now - last >= static_cast<int64_t>(idle_seconds)) idle.push_back(id);
        }
    }
    for (SessionId id : local_session_ids()) {
        Connection *c = find_live(id);
        if (!c) continue;
        int64_t last = c->last_recv_ ? c->last_recv_ : c->connect_time_;
        if (now - last >= static_cast<int64_t>(idle_seconds)) idle.push_back(id);
    }
    if (close_them) {
        for (SessionId id : idle) close(id, false);
    }
    return idle;
}

int Server::poll(int timeout_ms) { return reactor_->run_once(timeout_ms); }

void Server::stop() {
    stop_requested_ = true;
    reactor_->wake();
}

void Server::begin_stop() {
    if (stopping_) return;
    stopping_ = true;
    // A SWOOLE_PROCESS worker first handles the events the master sent before it was told
    // to stop (close events of a shutdown, messages in flight).
    for (auto &ch : master_) {
        if (ch && ch->open()) ch->drain();
    }
    if (listening_) {
        reactor_->remove(listener_.fd());
        unwatch_extra_listeners();
        listening_ = false;
    }
    for (SessionId id : local_session_ids()) {
        Connection *c = find_live(id);
        if (!c) continue;
        if (c->phase_ == Phase::WebSocket && c->ws_->state() == WebSocketSession::State::Open) {
            WebSocketSession::OutgoingFrame f;
            if (c->ws_->close(close_code::kGoingAway, {}, f) == WebSocketSession::SendStatus::Ok) {
                send_close_frame(*c, f);
            } else {
                drain_and_close(*c);
            }
        } else if (c->phase_ == Phase::Http) {
            close_now(*c, false);
        }
    }
    if (heartbeat_timer_) {
        reactor_->clear_timer(heartbeat_timer_);
        heartbeat_timer_ = 0;
    }
    stop_timer_ = reactor_->after(config_.stop_timeout_ms, [this](TimerId) {
        stop_timer_ = 0;
        for (SessionId id : local_session_ids()) {
            if (Connection *c = find_live(id)) close_now(*c, false);
        }
        reactor_->stop();
    });
    check_stopped();
}

void Server::check_stopped() {
    if (!stopping_ || live_count_ != 0) return;
    if (stop_timer_) {
        reactor_->clear_timer(stop_timer_);
        stop_timer_ = 0;
    }
    reactor_->stop();
}

// ---- accept

void Server::on_listener_ready() { accept_ready(0); }

void Server::accept_ready(size_t index) {
    Listener &l = index == 0 ? listener_ : extra_listeners_[index - 1]->listener;
    AcceptResult r = l.accept_batch(config_.accept_batch, [this, index](Accepted &&a) { accept_one(std::move(a), index); });
    if (r.status == AcceptStatus::Error && listening_) {
        // Out of descriptors or memory: level-triggered epoll would spin; retry later.
        reactor_->modify(l.fd(), 0);
        reactor_->after(100, [this, fd = l.fd()](TimerId) {
            if (listening_ && reactor_->contains(fd)) reactor_->modify(fd, Reactor::kRead);
        });
    }
}

// ---- extra listeners

Result<size_t> Server::add_listener(const ListenOptions &options, const ServerConfig &protocol) {
    if (next_session_id_ != 1 || !connections_.empty() || stopping_)
        return SysError::from_errno(EBUSY, "listen(): the server is already serving");
    auto l = Listener::open(options);
    if (!l) return l.error();
    extra_listeners_.push_back(std::make_unique<ExtraListener>(ExtraListener{std::move(l.value()), protocol, std::nullopt}));
    const size_t index = extra_listeners_.size();
    if (listening_) {
        int err = reactor_->add(extra_listeners_.back()->listener.fd(), Reactor::kRead,
                                [this, index](uint32_t) { accept_ready(index); });
        if (err != 0) {
            extra_listeners_.pop_back();
            return SysError::from_errno(err, "epoll_ctl(listener)");
        }
    }
    return index;
}

bool Server::set_listener_protocol(size_t index, const ServerConfig &protocol) {
    if (index == 0 || index > extra_listeners_.size() || next_session_id_ != 1 || !connections_.empty()) return false;
    extra_listeners_[index - 1]->protocol = protocol;
    return true;
}

bool Server::set_listener_tls(size_t index, TlsContext context) {
    if (index > extra_listeners_.size()) return false;
    (index == 0 ? tls_ : extra_listeners_[index - 1]->tls) = std::move(context);
    return true;
}

const Listener &Server::listener(size_t index) const {
    return index == 0 || index > extra_listeners_.size() ? listener_ : extra_listeners_[index - 1]->listener;
}

const ServerConfig &Server::protocol_of(size_t index) const {
    return index == 0 || index > extra_listeners_.size() ? config_ : extra_listeners_[index - 1]->protocol;
}

int Server::listener_of(SessionId id) const {
    if (Connection *c = find(id)) return c->listener_index_;
    // Another process's session (a SWOOLE_PROCESS worker: every one): by the port its row
    // (or the closed session's snapshot) names.
    uint16_t port = 0;
    if (closed_ && closed_->id == id) {
        port = closed_->client.server_port;
    } else if (auto row = remote_session(id)) {
        port = row->server_port;
    } else {
        return -1;
    }
    for (size_t i = 0; i < listener_count(); i++)
        if (listener(i).port() == port) return static_cast<int>(i);
    return -1;
}

int Server::watch_extra_listeners() {
    for (size_t i = 0; i < extra_listeners_.size(); i++) {
        const size_t index = i + 1;
        int fd = extra_listeners_[i]->listener.fd();
        if (reactor_->contains(fd)) continue;
        if (int err = reactor_->add(fd, Reactor::kRead, [this, index](uint32_t) { accept_ready(index); })) return err;
    }
    return 0;
}

void Server::unwatch_extra_listeners() {
    for (auto &extra : extra_listeners_) {
        if (reactor_->contains(extra->listener.fd())) reactor_->remove(extra->listener.fd());
    }
}

void Server::accept_one(Accepted &&accepted, size_t listener_index) {
    if (stopping_) return;  // the fd closes with `accepted`
    SessionId id;
    const int64_t now = wall_seconds();
    if (table_) {
        ConnectionInfo info;
        info.connect_time_us = now * 1000000;
        info.worker_id = worker_id_;
        info.reactor_id = reactor_id_;
        const Listener &l = listener(listener_index);
        info.server_fd = l.fd();
        info.socket_fd = accepted.fd.get();
        info.server_port = l.port();
        info.socket_type = l.address().is_ipv6() ? 3 : 1;  // SWOOLE_SOCK_TCP6 / TCP
        info.flags = kConnEstablished;
        info.set_remote(accepted.peer.sockaddr_ptr(), accepted.peer.sockaddr_len());
        auto allocated = table_->allocate(info);
        if (!allocated) {  // max_connection reached: the socket closes with `accepted`
            if (logger_ && now != overflow_logged_at_) {
                overflow_logged_at_ = now;
                logger_->logf(LogLevel::kWarning, "Too many connections [now: %llu]: max_connection reached, %s:%u refused",
                              static_cast<unsigned long long>(table_->count()), accepted.peer.ip().c_str(),
                              accepted.peer.port());
            }
            return;
        }
        id = allocated.value();
        next_session_id_ = id + 1;
    } else {
        id = next_session_id_++;
    }
    auto conn = std::make_unique<Connection>(*this, id, std::move(accepted), now);
    Connection &c = *conn;
    c.listener_index_ = static_cast<uint16_t>(listener_index);
    const std::optional<TlsContext> &tls = listener_index == 0 ? tls_ : extra_listeners_[listener_index - 1]->tls;
    if (tls) {
        auto session = TlsSession::create(*tls);
        if (!session) {
            if (table_) table_->release(id);
            return;
        }
        c.tls_ = std::move(session.value());
    }
    if (reactor_->add(c.fd_.get(), Reactor::kRead, c) != 0) {
        if (table_) table_->release(id);
        return;
    }
    connections_.emplace(id, std::move(conn));
    live_count_++;
    if (c.protocol().handshake_timeout_ms && !c.protocol().raw_tcp) {
        c.timer_ = reactor_->after(c.protocol().handshake_timeout_ms, [this, id](TimerId) {
            if (Connection *t = find_live(id)) {
                t->timer_ = 0;
                close_now(*t, false);
            }
        });
    }
    // Over TLS the connection exists for PHP once its handshake completed (as in Swoole):
    // a client refused there causes neither onConnect nor onClose.
    if (!c.tls_.valid()) events_.on_connect(id);
}

// ---- input

void Server::on_connection_io(Connection &c, uint32_t events) {
    if (events & Reactor::kWrite) {
        on_writable(c);
        if (c.phase_ == Phase::Closed) return;
    }
    if (events & Reactor::kRead) {
        reading_ = &c;
        c.batching_ = true;
        read_connection(c);
        reading_ = nullptr;
        c.batching_ = false;
        flush_batched(c);
    } else if ((events & Reactor::kError) && !(events & Reactor::kWrite)) {
        on_eof(c);
    }
}

void Server::read_connection(Connection &c) {
    for (size_t i = 0; i < config_.reads_per_wakeup; i++) {
        if (c.phase_ != Phase::Http && c.phase_ != Phase::WebSocket) break;
        IoResult r = read_some(c.fd_.get(), read_buffer_.data(), read_buffer_.size());
        if (r.status == IoStatus::WouldBlock) break;
        if (r.status != IoStatus::Ok) {
            on_eof(c);
            return;
        }
        if (int64_t now = wall_seconds(); now != c.last_recv_) {
            c.last_recv_ = now;
            publish_times(c);
        }
        reading_time_ = c.last_recv_;
        counters_.recv_bytes += r.bytes;
        uint8_t *data = read_buffer_.data();
        size_t len = r.bytes;
        if (c.tls_.valid()) {
            tls_plain_.clear();
            const bool was_ready = c.tls_.handshake_done();
            TlsSession::Status st = c.tls_.feed(data, len, tls_plain_);
            send_tls_output(c);
            if (c.phase_ == Phase::Closed) return;
            if (!was_ready && c.tls_.handshake_done()) {
                events_.on_connect(c.id_);
                if (c.phase_ == Phase::Closed) return;
            }
            if (st == TlsSession::Status::Error || st == TlsSession::Status::Closed) {
                if (!tls_plain_.empty()) consume(c, reinterpret_cast<uint8_t *>(tls_plain_.data()), tls_plain_.size());
                if (c.phase_ == Phase::Closed) return;
                if (st == TlsSession::Status::Error && !c.out_.empty()) {
                    // The fatal alert (unknown_ca, certificate_required...) is queued: the
                    // peer learns why it was refused rather than seeing a bare EOF.
                    if (c.ws_) c.ws_->connection_lost();
                    drain_and_close(c);
                } else {
                    on_eof(c);
                }
                return;
            }
            data = reinterpret_cast<uint8_t *>(tls_plain_.data());
            len = tls_plain_.size();
        }
        size_t used = len ? consume(c, data, len) : 0;
        if (c.phase_ == Phase::Closed) return;
        if (used < len && (c.phase_ == Phase::HttpWaiting || c.phase_ == Phase::HttpStreaming)) {
            c.pending_.append(reinterpret_cast<const char *>(data) + used, len - used);
        }
        if (r.bytes < read_buffer_.size()) break;
    }
    update_interest(c);
}

void Server::on_eof(Connection &c) {
    if (c.ws_) c.ws_->connection_lost();
    close_now(c, false);
}

size_t Server::consume(Connection &c, uint8_t *data, size_t len) {
    if (c.protocol().raw_tcp) {
        if (c.phase_ == Phase::Http) {
            counters_.requests++;
            events_.on_receive(c.id_, std::string_view(reinterpret_cast<char *>(data), len));
        }
        return len;
    }
    size_t pos = 0;
    while (pos < len) {
        if (c.phase_ == Phase::Http) {
            pos += consume_http(c, data + pos, len - pos);
        } else if (c.phase_ == Phase::WebSocket) {
            pos += consume_websocket(c, data + pos, len - pos);
        } else {
            break;
        }
    }
    return pos;
}

size_t Server::consume_http(Connection &c, uint8_t *data, size_t len) {
    if (!c.http_) {
        HttpParserLimits limits;
        limits.max_header_bytes = c.protocol().http_header_max_size;
        limits.max_body = c.protocol().package_max_length;
        c.http_ = std::make_unique<HttpParser>(limits);
    } else if (c.http_->status() == HttpParser::Status::Done) {
        // The previous request was answered; it is forgotten only now, so the request a
        // callback saw stays readable until that callback returned.
        c.http_->reset();
        c.continue_sent_ = false;
    }
    HttpParser::Result r = c.http_->feed(reinterpret_cast<const char *>(data), len);
    switch (r.status) {
    case HttpParser::Status::NeedMore:
        if (!c.continue_sent_ && c.http_->headers_complete() && c.http_->expects_continue()) {
            static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
            c.continue_sent_ = true;
            write(c, nullptr, 0, kContinue, sizeof kContinue - 1);
        }
        return len;
    case HttpParser::Status::Error:
        send_http_error(c, c.http_->error().status);
        return len;
    case HttpParser::Status::Done:
        dispatch_request(c);
        return r.consumed;
    }
    return len;
}

void Server::dispatch_request(Connection &c) {
    if (c.timer_) {  // the handshake timeout guards only the first request
        reactor_->clear_timer(c.timer_);
        c.timer_ = 0;
    }
    const HttpParser &req = *c.http_;
    JoinedHeaders headers(req);
    c.head_request_ = req.method() == "HEAD";
    if (is_websocket_upgrade(headers.lookup())) {
        if (c.protocol().user_handshake) {
            c.phase_ = Phase::HttpWaiting;
            c.upgrade_pending_ = true;
            publish_status(c);
            events_.on_handshake(c.id_, req);
        } else {
            builtin_handshake(c);
        }
        return;
    }
    if (!c.protocol().has_request_handler) {
        send_http_error(c, 400);
        return;
    }
    c.phase_ = Phase::HttpWaiting;
    counters_.requests++;
    events_.on_request(c.id_, req);
}

void Server::builtin_handshake(Connection &c) { complete_builtin_handshake(c, nullptr); }

void Server::complete_builtin_handshake(Connection &c, const HttpResponse *extra) {
    const HttpParser &req = *c.http_;
    JoinedHeaders headers(req);
    HandshakeRequest hr;
    hr.method = req.method();
    hr.http_minor = req.version_minor();
    hr.header = headers.lookup();
    HandshakeSettings settings;
    settings.deflate.enabled = c.protocol().websocket_compression;
    settings.subprotocol = c.protocol().websocket_subprotocol;
    HandshakeResponse resp = validate_handshake(hr, settings);
    HttpResponse own_extra(101);  // outlives `resp`'s views of its field names
    if (resp.accepted() && c.protocol().has_before_handshake_response && !extra) {
        if (config_.defer_before_handshake) {
            // The callback runs in a worker; its HandshakeExtra resumes here.
            c.phase_ = Phase::HttpWaiting;
            c.upgrade_pending_ = true;
            publish_status(c);
            events_.on_before_handshake_response(c.id_, req, own_extra);
            return;
        }
        events_.on_before_handshake_response(c.id_, req, own_extra);
        if (c.phase_ != Phase::Http) return;  // the callback closed it
        extra = &own_extra;
    }
    if (extra) {
        for (const auto &[name, value] : extra->headers()) {
            bool reserved = false;
            for (const auto &own : resp.headers) reserved = reserved || http::iequals(own.first, name);
            if (!reserved && !http::iequals(name, "Content-Length") && !http::iequals(name, "Transfer-Encoding"))
                resp.headers.emplace_back(name, value);
        }
    }
    std::string bytes = serialize_handshake_response(resp);
    if (!resp.accepted()) {
        c.phase_ = Phase::Draining;
        write_owned(c, std::move(bytes));
        if (c.phase_ != Phase::Closed) drain_and_close(c);
        return;
    }
    if (!write_owned(c, std::move(bytes))) return;
    const bool deferred = c.phase_ == Phase::HttpWaiting;
    start_websocket(c, resp.deflate ? &*resp.deflate : nullptr);
    events_.on_open(c.id_, req);
    if (deferred) {
        schedule_resume(c);  // frames read ahead while the worker answered; frees the parser
    } else {
        c.http_.reset();
    }
}

void Server::start_websocket(Connection &c, const DeflateParams *deflate) {
    SessionOptions o;
    o.max_message_size = c.protocol().package_max_length;
    o.deliver_ping = c.protocol().open_websocket_ping_frame;
    o.deliver_pong = c.protocol().open_websocket_pong_frame;
    o.deliver_close = c.protocol().open_websocket_close_frame;
    if (deflate) o.deflate = *deflate;
    c.ws_ = std::make_unique<WebSocketSession>(o);
    c.phase_ = Phase::WebSocket;
    c.opened_ = true;
    c.upgrade_pending_ = false;
    publish_status(c);
}

size_t Server::consume_websocket(Connection &c, uint8_t *data, size_t len) {
    c.http_.reset();  // the upgrade request is no longer needed (its callback returned)
    size_t pos = 0;
    for (;;) {
        WebSocketSession::Event ev = c.ws_->next(data + pos, len - pos);
        pos += ev.consumed;
        using T = WebSocketSession::EventType;
        switch (ev.type) {
        case T::NeedMore:
            return len;
        case T::Message:
        case T::Ping:
        case T::Pong:
        case T::Close:
            counters_.requests++;
            if (ev.type == T::Close) publish_status(c);
            if (c.held_ && c.held_->in_flight) c.held_->event_after = true;
            events_.on_message(c.id_, ev.opcode, ev.payload(), ev.flags);
            break;
        case T::Send:
            if (config_.close_barrier) {
                if (!c.held_) c.held_ = std::make_unique<Connection::HeldControls>();
                (c.held_->event_after ? c.held_->next : c.held_->now)
                    .append(reinterpret_cast<const char *>(ev.data), ev.size);
                if (!c.held_->in_flight) request_barrier(c);
                break;
            }
            write_control(c, ev.data, ev.size);
            break;
        case T::Disconnect:
            if (c.phase_ == Phase::Closed) return len;
            if (config_.close_barrier) {
                await_close_barrier(c);
            } else {
                drain_and_close(c);
            }
            return len;
        }
        if (c.phase_ != Phase::WebSocket) return len;  // closed or draining: the rest is moot
    }
}

void Server::schedule_resume(Connection &c) {
    if (c.resume_scheduled_) return;
    c.resume_scheduled_ = true;
    reactor_->defer([this, id = c.id_] { resume(id); });
}

void Server::resume(SessionId id) {
    Connection *c = find_live(id);
    if (!c) return;
    c->resume_scheduled_ = false;
    if (c->phase_ != Phase::Http && c->phase_ != Phase::WebSocket) return;
    if (c->phase_ == Phase::WebSocket) c->http_.reset();
    if (!c->pending_.empty()) {
        std::string input = std::move(c->pending_);
        c->pending_.clear();
        size_t used = consume(*c, reinterpret_cast<uint8_t *>(input.data()), input.size());
        if (c->phase_ == Phase::Closed) return;
        if (used < input.size() && (c->phase_ == Phase::HttpWaiting || c->phase_ == Phase::HttpStreaming)) {
            c->pending_.assign(input, used, std::string::npos);
        }
    }
    update_interest(*c);
}

// ---- output

void Server::update_interest(Connection &c) {
    if (c.phase_ == Phase::Closed || c.batching_) return;  // flush_batched() does it
    uint32_t want = 0;
    if ((c.phase_ == Phase::Http || c.phase_ == Phase::WebSocket) && !c.awaiting_barrier_) want |= Reactor::kRead;
    if (!c.out_.empty()) want |= Reactor::kWrite;
    if (reactor_->interest(c.fd_.get()) != want) reactor_->modify(c.fd_.get(), want);
}

bool Server::seal(Connection &c, const void *&head, size_t &head_len, const void *&body, size_t &body_len,
                  std::string &sealed) {
    if (!c.tls_.valid()) return true;
    sealed.clear();
    if (!c.tls_.encrypt(head, head_len, body, body_len, sealed)) {
        close_now(c, true);
        return false;
    }
    head = nullptr;
    head_len = 0;
    body = sealed.data();
    body_len = sealed.size();
    return true;
}

void Server::send_tls_output(Connection &c) {
    if (!c.tls_.has_pending_output()) return;
    tls_output_.clear();
    c.tls_.take_pending_output(tls_output_);
    if (c.out_.empty() && !c.batching_) {
        write_bytes(c, nullptr, 0, tls_output_.data(), tls_output_.size());
    } else {
        c.out_.enqueue_uncapped(tls_output_.data(), tls_output_.size());  // the handshake must proceed
        if (!c.batching_) update_interest(c);
    }
}

bool Server::write(Connection &c, const void *head, size_t head_len, const void *body, size_t body_len) {
    if (c.phase_ == Phase::Closed) return false;
    counters_.send_bytes += head_len + body_len;
    if (c.tls_.valid()) {
        std::string sealed;
        if (!seal(c, head, head_len, body, body_len, sealed)) return false;
        return write_bytes(c, head, head_len, body, body_len);
    }
    return write_bytes(c, head, head_len, body, body_len);
}

bool Server::write_bytes(Connection &c, const void *head, size_t head_len, const void *body, size_t body_len) {
    if (c.phase_ == Phase::Closed) return false;
    if (c.batching_) {
        // Batched until the input is consumed (or the iteration's commands are handled). Small writes only: a large payload would be
        // copied into the queue, so it goes out now, behind what is batched.
        if (head_len + body_len <= kBatchedWriteMax) {
            if (!c.out_.enqueue(head, head_len, body, body_len)) return false;
            c.last_send_ = &c == reading_ ? reading_time_ : wall_seconds();
            return true;
        }
        if (!c.out_.empty()) {
            OutputQueue::FlushResult f = c.out_.flush(c.fd_.get());
            if (f.status == OutputQueue::FlushStatus::Error) {
                on_eof(c);
                return false;
            }
        }
    }
    OutputQueue::SendResult r = c.out_.send(c.fd_.get(), head, head_len, body, body_len);
    switch (r.status) {
    case OutputQueue::SendStatus::Written:
        c.last_send_ = wall_seconds();
        return true;
    case OutputQueue::SendStatus::Queued:
        c.last_send_ = wall_seconds();
        update_interest(c);
        return true;
    case OutputQueue::SendStatus::Full:
        return false;
    case OutputQueue::SendStatus::Error:
        on_eof(c);
        return false;
    }
    return false;
}

// A pong or the close echo: the protocol requires it, so the output cap (which bounds what
// the application queues) does not refuse it.
void Server::write_control(Connection &c, const void *data, size_t len) {
    if (c.phase_ == Phase::Closed) return;
    std::string sealed;
    const void *none = nullptr;
    size_t none_len = 0;
    if (!seal(c, none, none_len, data, len, sealed)) return;
    if (!c.out_.empty() || c.batching_) {
        c.out_.enqueue_uncapped(data, len);
        if (!c.batching_) update_interest(c);
        return;
    }
    write_bytes(c, nullptr, 0, data, len);
}

void Server::flush_batched(Connection &c) {
    if (c.phase_ == Phase::Closed) return;
    if (!c.out_.empty()) {
        on_writable(c);  // one writev for the batch; then interest (or the close if draining)
        return;
    }
    update_interest(c);
}

bool Server::write_owned(Connection &c, std::string &&bytes) {
    if (c.phase_ == Phase::Closed) return false;
    if (c.tls_.valid()) {
        std::string sealed;
        if (!c.tls_.encrypt(bytes.data(), bytes.size(), sealed)) {
            close_now(c, true);
            return false;
        }
        bytes = std::move(sealed);
    }
    OutputQueue::SendResult r = c.out_.send(c.fd_.get(), nullptr, 0, std::move(bytes));
    if (r.status == OutputQueue::SendStatus::Error) {
        on_eof(c);
        return false;
    }
    if (r.status == OutputQueue::SendStatus::Full) return false;
    c.last_send_ = wall_seconds();
    update_interest(c);
    return c.phase_ != Phase::Closed;
}

void Server::on_writable(Connection &c) {
    OutputQueue::FlushResult r = c.out_.flush(c.fd_.get());
    if (c.phase_ == Phase::Closed) return;  // a low-watermark callback closed it
    if (r.bytes) c.last_send_ = wall_seconds();
    if (r.status == OutputQueue::FlushStatus::Error) {
        on_eof(c);
        return;
    }
    if (r.status == OutputQueue::FlushStatus::Done && c.phase_ == Phase::Draining) {
        close_now(c, false);
        return;
    }
    update_interest(c);
}

void Server::send_http_error(Connection &c, int status) {
    HttpResponse r(status);
    c.phase_ = Phase::Draining;
    write_owned(c, build_response_head(r, Framing::Length, 0, false));
    if (c.phase_ != Phase::Closed) drain_and_close(c);
}

void Server::start_close_timer(Connection &c, uint64_t ms) {
    if (c.timer_) reactor_->clear_timer(c.timer_);
    c.timer_ = reactor_->after(ms, [this, id = c.id_](TimerId) {
        if (Connection *t = find_live(id)) {
            t->timer_ = 0;
            close_now(*t, false);
        }
    });
}

void Server::drain_and_close(Connection &c) {
    if (c.phase_ == Phase::Closed) return;
    c.phase_ = Phase::Draining;
    if (c.tls_.valid() && c.tls_.handshake_done() && !c.tls_.closed()) {
        tls_output_.clear();
        c.tls_.shutdown(tls_output_);  // close_notify: the peer can tell the end from a cut
        if (!tls_output_.empty()) c.out_.enqueue_uncapped(tls_output_.data(), tls_output_.size());
    }
    if (c.out_.empty()) {
        close_now(c, false);
        return;
    }
    update_interest(c);
    start_close_timer(c, config_.websocket_close_timeout_ms);  // a peer that never reads
}

void Server::close_now(Connection &c, bool reset) {
    if (c.phase_ == Phase::Closed) return;
    c.phase_ = Phase::Closed;
    if (c.timer_) {
        reactor_->clear_timer(c.timer_);
        c.timer_ = 0;
    }
    if (reset) {
        linger lg{1, 0};  // RST instead of FIN: queued bytes are dropped
        ::setsockopt(c.fd_.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    reactor_->remove(c.fd_.get());
    c.fd_.reset();
    c.out_.clear();
    c.pending_.clear();
    c.pending_.shrink_to_fit();
    if (c.ws_ && c.ws_->state() != WebSocketSession::State::Closed) c.ws_->connection_lost();
    live_count_--;
    SessionId id = c.id_;
    if (table_) table_->release(id);
    if (c.opened_) {
        events_.on_close(id);
    } else if (config_.has_disconnect_handler && (!c.tls_.valid() || c.tls_.handshake_done())) {
        events_.on_disconnect(id);
    }
    auto it = connections_.find(id);
    if (it != connections_.end()) {
        if (graveyard_.empty()) reactor_->defer([this] { graveyard_.clear(); });
        graveyard_.push_back(std::move(it->second));
        connections_.erase(it);
    }
    check_stopped();
}

// ---- WebSocket API

bool Server::push(SessionId id, uint8_t opcode, std::string_view data, unsigned flags) {
    Connection *c = find_live(id);
    if (!c) {
        auto owner = remote_session(id);
        if (!owner) return fail(ServerError::SessionNotExist, "session does not exist");
        // A session of the master's: Closing, it may still be holding its close frame back
        // for this reply; Connection, a 101 this worker sent may not have reached it yet
        // (commands arrive in order, so the push follows the 101). The master drops a push
        // that finds no open WebSocket.
        const bool in_master = owner->worker_id < 0;
        if (owner->websocket_status != kWsStatusActive &&
            !(in_master && (owner->websocket_status == kWsStatusClosing ||
                            owner->websocket_status == kWsStatusConnection)))
            return fail(ServerError::Unconnected, "the connection is not an open WebSocket");
        if (!is_known_opcode(opcode)) return fail(ServerError::BadOpcode, "bad opcode");
        return forward(*owner, ChannelMessageType::Push, opcode, flags, data);
    }
    if (c->phase_ != Phase::WebSocket ||
        (c->ws_->state() != WebSocketSession::State::Open && !c->awaiting_barrier_))
        return fail(ServerError::Unconnected, "the connection is not an open WebSocket");
    // Refuse before encoding so a refused push leaves the session (fragment state, close
    // state) untouched; the uncompressed size bounds the compressed one.
    size_t frame_size = frame_header_size(data.size(), false) + data.size();
    if (!c->out_.empty() &&
        (c->out_.queued_bytes() > config_.socket_buffer_size ||
         config_.socket_buffer_size - c->out_.queued_bytes() < frame_size))
        return fail(ServerError::OutputBufferOverflow, "output buffer overflow");
    WebSocketSession::OutgoingFrame f;
    WebSocketSession::SendStatus st =
        c->ws_->encode(opcode, reinterpret_cast<const uint8_t *>(data.data()), data.size(), flags, f,
                       c->awaiting_barrier_);
    if (st == WebSocketSession::SendStatus::BadOpcode) return fail(ServerError::BadOpcode, "bad opcode");
    if (st != WebSocketSession::SendStatus::Ok) return fail(ServerError::PackFailed, "invalid frame");
    if (!write(*c, f.header, f.header_size, f.payload, f.payload_size))
        return fail(ServerError::OutputBufferOverflow, "output buffer overflow or connection lost");
    if (c->phase_ == Phase::WebSocket && c->ws_->state() == WebSocketSession::State::Closing &&
        !c->awaiting_barrier_)
        start_close_timer(*c, config_.websocket_close_timeout_ms);  // a pushed close frame
    return true;
}

bool Server::disconnect(SessionId id, uint16_t code, std::string_view reason) {
    if (!(code == close_code::kNormal || (code >= 4000 && code <= 4999)) || reason.size() > kMaxCloseReason)
        return fail(ServerError::PackFailed, "close code must be 1000 or 4000-4999, reason at most 123 bytes");
    Connection *c = find_live(id);
    if (!c) {
        auto owner = remote_session(id);
        if (!owner) return fail(ServerError::SessionNotExist, "session does not exist");
        if (owner->websocket_status != kWsStatusActive)
            return fail(ServerError::Unconnected, "the connection is not an open WebSocket");
        return forward(*owner, ChannelMessageType::Disconnect, 0, code, reason);
    }
    if (c->phase_ != Phase::WebSocket || c->ws_->state() != WebSocketSession::State::Open)
        return fail(ServerError::Unconnected, "the connection is not an open WebSocket");
    WebSocketSession::OutgoingFrame f;
    if (c->ws_->close(code, reason, f) != WebSocketSession::SendStatus::Ok)
        return fail(ServerError::PackFailed, "invalid close reason");
    send_close_frame(*c, f);
    return true;
}

void Server::send_close_frame(Connection &c, const WebSocketSession::OutgoingFrame &f) {
    publish_status(c);
    // At most 14 + 125 bytes, past the cap if need be: the close handshake must happen.
    char frame[160];
    if (f.header_size + f.payload_size > sizeof frame) return;  // cannot happen: control frames are small
    std::memcpy(frame, f.header, f.header_size);
    if (f.payload_size) std::memcpy(frame + f.header_size, f.payload, f.payload_size);
    write_control(c, frame, f.header_size + f.payload_size);
    if (c.phase_ == Phase::WebSocket) start_close_timer(c, config_.websocket_close_timeout_ms);
}

// ---- any connection

bool Server::send(SessionId id, std::string_view data) {
    Connection *c = find_live(id);
    if (!c) {
        auto owner = remote_session(id);
        if (!owner) return fail(ServerError::SessionNotExist, "session does not exist");
        return forward(*owner, ChannelMessageType::Send, 0, 0, data);
    }
    if (c->phase_ == Phase::Draining) return fail(ServerError::HttpContextUnavailable, "the connection is closing");
    if (!write(*c, nullptr, 0, data.data(), data.size()))
        return fail(ServerError::OutputBufferOverflow, "output buffer overflow or connection lost");
    return true;
}

bool Server::close(SessionId id, bool reset) {
    Connection *c = find_live(id);
    if (!c) {
        auto owner = remote_session(id);
        if (!owner) return fail(ServerError::SessionNotExist, "session does not exist");
        return forward(*owner, ChannelMessageType::Close, 0, reset ? 1 : 0, {});
    }
    if (reset || c->out_.empty()) {
        close_now(*c, reset);
    } else {
        drain_and_close(*c);
    }
    return true;
}

// ---- HTTP responses

bool Server::respond(SessionId id, const HttpResponse &response, std::string_view body) {
    Connection *c = find_live(id);
    if (!c && !master_.empty()) return forward_response(id, ChannelMessageType::Respond, encode_response(response, body));
    if (!c) return fail(ServerError::SessionNotExist, "session does not exist");
    if (c->phase_ != Phase::HttpWaiting) return fail(ServerError::HttpContextUnavailable, "no request awaits a response");
    if (response.status() == 101) {
        if (!c->upgrade_pending_) return fail(ServerError::HttpContextUnavailable, "101 answers only an upgrade request");
        HttpResponse r = response;
        std::optional<DeflateAgreement> deflate;
        if (c->protocol().websocket_compression && !r.has_header("Sec-WebSocket-Extensions")) {
            JoinedHeaders headers(*c->http_);
            DeflateSettings ds;
            ds.enabled = true;
            deflate = negotiate_permessage_deflate(headers.get("Sec-WebSocket-Extensions").value_or(""), ds);
            if (deflate) r.add_header("Sec-WebSocket-Extensions", deflate->response);
        }
        if (!write_owned(*c, build_response_head(r, Framing::None, 0, true))) return true;  // connection lost
        start_websocket(*c, deflate ? &deflate->params : nullptr);
        schedule_resume(*c);  // frames read ahead with the request; frees the parser  // frames read ahead with the request
        return true;
    }
    // An upgrade request answered otherwise is refused: the connection closes after it.
    bool keep_alive = c->http_->keep_alive() && !c->upgrade_pending_ && !stopping_;
    std::string head = build_response_head(response, Framing::Length, body.size(), keep_alive);
    bool no_body = c->head_request_ || response.status() == 204 || response.status() == 304;
    if (no_body) body = {};
    // The cap does not apply to a response: queue it whole rather than lose it.
    const void *h = head.data(), *b = body.data();
    size_t hl = head.size(), bl = body.size();
    std::string sealed;
    if (!seal(*c, h, hl, b, bl, sealed)) return true;  // the TLS session failed: closed
    counters_.send_bytes += hl + bl;
    if (!c->out_.empty() || !write_bytes(*c, h, hl, b, bl)) {
        if (c->phase_ == Phase::Closed) return true;
        c->out_.enqueue_uncapped(h, hl);
        c->out_.enqueue_uncapped(b, bl);
        update_interest(*c);
    }
    if (c->phase_ == Phase::Closed) return true;
    finish_http_response(*c, keep_alive);
    return true;
}

void Server::finish_http_response(Connection &c, bool keep_alive) {
    c.upgrade_pending_ = false;
    if (!keep_alive || stopping_) {
        drain_and_close(c);
        return;
    }
    c.phase_ = Phase::Http;  // the parser is reset when the next request's bytes arrive
    update_interest(c);
    schedule_resume(c);
}

bool Server::respond_head(SessionId id, const HttpResponse &response) {
    Connection *c = find_live(id);
    if (!c && !master_.empty()) return forward_response(id, ChannelMessageType::RespondHead, encode_response(response, {}));
    if (!c) return fail(ServerError::SessionNotExist, "session does not exist");
    if (c->phase_ != Phase::HttpWaiting || c->upgrade_pending_ || response.status() < 200)
        return fail(ServerError::HttpContextUnavailable, "no request awaits a streamed response");
    c->chunked_ = c->http_->version_minor() >= 1;
    c->keep_alive_ = c->chunked_ && c->http_->keep_alive() && !stopping_;
    std::string head =
        build_response_head(response, c->chunked_ ? Framing::Chunked : Framing::UntilClose, 0, c->keep_alive_);
    c->phase_ = Phase::HttpStreaming;
    if (!write_owned(*c, std::move(head)) && c->phase_ != Phase::Closed)
        return fail(ServerError::OutputBufferOverflow, "output buffer overflow");
    return true;
}

bool Server::write_chunk(Connection &c, std::string_view data) {
    if (data.empty() || c.head_request_) return true;  // an empty chunk would end the body
    if (!c.chunked_) return write(c, nullptr, 0, data.data(), data.size());
    char size_line[24];
    int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
    if (!write(c, size_line, static_cast<size_t>(n), data.data(), data.size())) return false;
    return write(c, nullptr, 0, "\r\n", 2);
}

bool Server::write_body(SessionId id, std::string_view data) {
    Connection *c = find_live(id);
    if (!c && !master_.empty()) return forward_response(id, ChannelMessageType::WriteBody, data);
    if (!c) return fail(ServerError::SessionNotExist, "session does not exist");
    if (c->phase_ != Phase::HttpStreaming) return fail(ServerError::HttpContextUnavailable, "no streamed response");
    if (!write_chunk(*c, data)) return fail(ServerError::OutputBufferOverflow, "output buffer overflow");
    return true;
}

bool Server::end_body(SessionId id, std::string_view data) {
    Connection *c = find_live(id);
    if (!c && !master_.empty()) return forward_response(id, ChannelMessageType::EndBody, data);
    if (!c) return fail(ServerError::SessionNotExist, "session does not exist");
    if (c->phase_ != Phase::HttpStreaming) return fail(ServerError::HttpContextUnavailable, "no streamed response");
    if (!write_chunk(*c, data)) return fail(ServerError::OutputBufferOverflow, "output buffer overflow");
    if (c->chunked_ && !c->head_request_) {
        static const char kLastChunk[] = "0\r\n\r\n";
        write_control(*c, kLastChunk, sizeof kLastChunk - 1);  // past the cap: the body must end
        if (c->phase_ == Phase::Closed) return true;
    }
    finish_http_response(*c, c->keep_alive_);
    return true;
}

// ---- other workers' sessions

std::optional<ConnectionInfo> Server::remote_session(SessionId id) const {
    if (!table_ || (!manager_ && master_.empty())) return std::nullopt;
    ConnectionInfo info;
    if (table_->get(id, info) != SlotStatus::kOk || info.worker_id == worker_id_) return std::nullopt;
    return info;
}

bool Server::forward(const ConnectionInfo &owner, ChannelMessageType type, uint8_t opcode, uint32_t aux,
                     std::string_view payload) {
    ChannelHeader h;
    h.type = type;
    h.opcode = opcode;
    h.aux = aux;
    h.target_worker = owner.worker_id;
    h.session = owner.session_id;
    if (owner.worker_id < 0) {  // a session of the master's reactor thread owner.reactor_id
        if (owner.reactor_id < 0 || static_cast<size_t>(owner.reactor_id) >= master_.size())
            return fail(ServerError::SessionNotExist, "session does not exist");
        if (!master_[static_cast<size_t>(owner.reactor_id)]->send(h, payload))
            return fail(ServerError::OutputBufferOverflow, "the channel to the master is full");
        return true;
    }
    if (!manager_) return fail(ServerError::SessionNotExist, "session does not exist");
    if (!manager_->send(h, payload)) return fail(ServerError::OutputBufferOverflow, "the worker channel is full");
    return true;
}

bool Server::forward_response(SessionId id, ChannelMessageType type, std::string_view payload) {
    auto owner = remote_session(id);
    if (!owner || owner->worker_id >= 0) return fail(ServerError::SessionNotExist, "session does not exist");
    return forward(*owner, type, 0, 0, payload);
}

bool Server::send_to_worker(int32_t dst, ChannelMessageType type, int64_t id, uint32_t flags, std::string_view data) {
    if (!manager_ || dst == worker_id_ || dst < 0)
        return fail(ServerError::SessionNotExist, "no such worker to send a message to");
    ChannelHeader h;
    h.type = type;
    h.aux = flags;
    h.target_worker = dst;
    h.session = id;
    h.reserved = static_cast<uint16_t>(worker_id_);
    if (!manager_->send(h, data)) return fail(ServerError::OutputBufferOverflow, "the worker channel is full");
    return true;
}

bool Server::send_pipe_message(int32_t dst, std::string_view data, uint32_t flags) {
    return send_to_worker(dst, ChannelMessageType::Pipe, worker_id_, flags, data);
}

bool Server::send_task(int32_t dst, int64_t task_id, std::string_view data, uint32_t flags) {
    return send_to_worker(dst, ChannelMessageType::Task, task_id, flags, data);
}

bool Server::send_finish(int32_t dst, int64_t task_id, std::string_view data, uint32_t flags) {
    return send_to_worker(dst, ChannelMessageType::Finish, task_id, flags, data);
}

bool Server::wait_task_result(int64_t task_id, int timeout_ms, std::string &data, uint32_t &flags) {
    return wait_task_results({task_id}, timeout_ms, [&](size_t, std::string_view payload, uint32_t result_flags) {
               data.assign(payload);
               flags = result_flags;
           }) == 1;
}

size_t Server::wait_task_results(const std::vector<int64_t> &task_ids, int timeout_ms, const TaskResultFn &on_result) {
    if (!manager_ || task_ids.empty()) return 0;
    std::unordered_map<int64_t, size_t> pending;  // task id -> position, until its result came
    for (size_t i = 0; i < task_ids.size(); i++) pending.emplace(task_ids[i], i);
    return manager_->wait_for(timeout_ms, pending.size(), [&](const ChannelHeader &h, std::string_view payload) {
        if (h.type != ChannelMessageType::Finish) return false;
        auto it = pending.find(h.session);
        if (it == pending.end()) return false;
        size_t index = it->second;
        pending.erase(it);  // a duplicate result is not ours any more
        on_result(index, payload, h.aux);
        return true;
    });
}

void Server::serve_no_connections() {
    if (!listening_) return;
    if (reactor_->contains(listener_.fd())) reactor_->remove(listener_.fd());
    unwatch_extra_listeners();
    listening_ = false;
}

void Server::execute(const ChannelHeader &h, std::string_view payload) {
    switch (h.type) {
    case ChannelMessageType::Pipe:
        events_.on_pipe_message(static_cast<int32_t>(h.session), payload, h.aux);
        return;
    case ChannelMessageType::Task:
        events_.on_task(h.session, h.reserved, payload, h.aux);
        return;
    case ChannelMessageType::Finish:
        events_.on_finish(h.session, payload, h.aux);
        return;
    default:
        break;
    }
    // The session may have closed since the sender looked: then the command is moot.
    Connection *c = find_live(h.session);
    if (!c) return;
    if (!c->batching_) {
        if (!command_batch_) {
            command_batch_ = true;
            reactor_->defer([this] { end_command_batch(); });
        }
        c->batching_ = true;
        batch_ids_.push_back(h.session);
    }
    HttpResponse response;
    std::string_view body;
    switch (h.type) {
    case ChannelMessageType::Push:
        push(h.session, h.opcode, payload, h.aux);
        break;
    case ChannelMessageType::Send:
        send(h.session, payload);
        break;
    case ChannelMessageType::Close:
        close(h.session, h.aux != 0);
        break;
    case ChannelMessageType::Disconnect:
        disconnect(h.session, static_cast<uint16_t>(h.aux), payload);
        break;
    case ChannelMessageType::Respond:
        if (decode_response(payload, response, body)) respond(h.session, response, body);
        break;
    case ChannelMessageType::RespondHead:
        if (decode_response(payload, response, body)) respond_head(h.session, response);
        break;
    case ChannelMessageType::WriteBody:
        write_body(h.session, payload);
        break;
    case ChannelMessageType::EndBody:
        end_body(h.session, payload);
        break;
    case ChannelMessageType::CloseBarrier:
        if (c->held_ && c->held_->in_flight) {
            Connection::HeldControls &held = *c->held_;
            held.in_flight = false;
            held.event_after = false;
            std::string bytes = std::move(held.now);
            held.now = std::move(held.next);
            held.next.clear();
            if (!bytes.empty()) write_control(*c, bytes.data(), bytes.size());
            if (c->phase_ == Phase::Closed) break;
            if (!c->held_->now.empty()) {
                request_barrier(*c);  // what came after the answered barrier waits for another
            } else if (c->awaiting_barrier_) {
                c->awaiting_barrier_ = false;
                drain_and_close(*c);
            }
        }
        break;
    case ChannelMessageType::HandshakeExtra:
        if (c->phase_ == Phase::HttpWaiting && c->upgrade_pending_ && c->http_ &&
            decode_response(payload, response, body))
            complete_builtin_handshake(*c, &response);
        break;
    default:
        break;
    }
}

void Server::request_barrier(Connection &c) {
    if (!c.held_) c.held_ = std::make_unique<Connection::HeldControls>();
    c.held_->in_flight = true;
    events_.on_close_barrier(c.id_);
}

void Server::await_close_barrier(Connection &c) {
    if (c.awaiting_barrier_) return;
    c.awaiting_barrier_ = true;
    publish_status(c);
    update_interest(c);  // stops reading
    // A worker that never answers (stuck, killed): close after the usual close timeout.
    start_close_timer(c, config_.websocket_close_timeout_ms);
    if (!c.held_ || !c.held_->in_flight) request_barrier(c);
}

void Server::end_command_batch() {
    command_batch_ = false;
    std::vector<SessionId> ids;
    ids.swap(batch_ids_);
    for (SessionId id : ids) {
        Connection *c = find(id);
        if (!c || c == reading_) continue;
        c->batching_ = false;
        flush_batched(*c);
    }
}

void Server::execute_event(const ChannelHeader &h, std::string_view payload) {
    const SessionId id = h.session;
    event_reactor_ = h.reserved;
    switch (h.type) {
    case ChannelMessageType::EvConnect:
        events_.on_connect(id);
        return;
    case ChannelMessageType::EvMessage:
        counters_.requests++;
        events_.on_message(id, h.opcode, payload, h.aux);
        return;
    case ChannelMessageType::EvReceive:
        counters_.requests++;
        events_.on_receive(id, payload);
        return;
    case ChannelMessageType::EvRequest:
    case ChannelMessageType::EvHandshake:
    case ChannelMessageType::EvOpen: {
        HttpParser request(limits_for_encoded_request(payload));
        if (!decode_request(payload, request)) return;
        if (h.type == ChannelMessageType::EvRequest) {
            counters_.requests++;
            events_.on_request(id, request);
        } else if (h.type == ChannelMessageType::EvOpen) {
            events_.on_open(id, request);
        } else if (h.aux == 1) {
            HttpResponse extra(101);
            events_.on_before_handshake_response(id, request, extra);
            forward_response(id, ChannelMessageType::HandshakeExtra, encode_response(extra, {}));
        } else {
            events_.on_handshake(id, request);
        }
        return;
    }
    case ChannelMessageType::EvClose:
    case ChannelMessageType::EvDisconnect: {
        ClosedSession closed;
        closed.id = id;
        if (!decode_closed(payload, closed.client, closed.close, closed.has_close_info)) return;
        closed_ = std::move(closed);
        if (h.type == ChannelMessageType::EvClose) {
            events_.on_close(id);
        } else {
            events_.on_disconnect(id);
        }
        closed_.reset();
        return;
    }
    case ChannelMessageType::EvBufferFull:
        events_.on_buffer_full(id);
        return;
    case ChannelMessageType::EvBufferEmpty:
        events_.on_buffer_empty(id);
        return;
    case ChannelMessageType::EvCloseBarrier:
        forward_response(id, ChannelMessageType::CloseBarrier, {});
        return;
    default:
        execute(h, payload);  // pipe messages, tasks, results
        return;
    }
}

void Server::publish_status(Connection &c) {
    if (!table_) return;
    ClientInfo info;
    client_info(c.id_, info);
    uint8_t status = static_cast<uint8_t>(info.websocket_status);
    if (status == c.published_status_) return;
    c.published_status_ = status;
    table_->update(c.id_, [status](ConnectionInfo &row) {
        row.websocket_status = status;
        if (status == kWsStatusClosing) row.flags |= kConnClosing;
    });
}

void Server::publish_times(Connection &c) {
    if (!table_) return;
    table_->update(c.id_, [&c](ConnectionInfo &row) {
        row.last_recv_time_us = c.last_recv_ * 1000000;
        row.last_send_time_us = c.last_send_ * 1000000;
    });
}

// ---- introspection

bool Server::exists(SessionId id) const {
    if (Connection *c = find(id)) return c->phase_ != Phase::Closed;
    return remote_session(id).has_value();
}

bool Server::is_established(SessionId id) const {
    if (Connection *c = find(id))
        return c->phase_ == Phase::WebSocket && c->ws_->state() == WebSocketSession::State::Open;
    auto owner = remote_session(id);
    return owner && owner->websocket_status == kWsStatusActive;
}

bool Server::client_info(SessionId id, ClientInfo &out) const {
    if (closed_ && closed_->id == id) {
        out = closed_->client;
        return true;
    }
    Connection *c = find(id);  // a Closed one is still found during on_close/on_disconnect
    if (!c) {
        auto row = remote_session(id);
        if (!row) return false;
        out.remote_ip = row->remote_ip();
        out.remote_port = row->remote_port;
        out.server_port = row->server_port;
        out.connect_time = row->connect_time_us / 1000000;
        out.last_recv_time = row->last_recv_time_us / 1000000;
        out.last_send_time = row->last_send_time_us / 1000000;
        out.websocket_status = row->websocket_status;
        out.send_queued_bytes = row->send_queued_bytes;
        out.worker_id = std::max(row->worker_id, 0);
        out.reactor_id = row->reactor_id;
        out.server_fd = row->server_fd;
        out.socket_fd = row->socket_fd;
        out.socket_type = row->socket_type;
        return true;
    }
    const Listener &l = listener(c->listener_index_);
    out.worker_id = std::max(worker_id_, 0);
    out.reactor_id = reactor_id_;
    out.server_fd = l.fd();
    out.socket_fd = c->fd_.get();
    out.socket_type = l.address().is_ipv6() ? 3 : 1;
    out.remote_ip = c->peer_.ip();
    out.remote_port = c->peer_.port();
    out.server_port = l.port();
    out.connect_time = c->connect_time_;
    out.last_recv_time = c->last_recv_;
    out.last_send_time = c->last_send_;
    out.send_queued_bytes = c->out_.queued_bytes();
    if (c->opened_) {
        bool open = c->phase_ == Phase::WebSocket && c->ws_->state() == WebSocketSession::State::Open;
        out.websocket_status = open ? websocket_status::kActive : websocket_status::kClosing;
    } else {
        out.websocket_status = c->upgrade_pending_ ? websocket_status::kConnection : websocket_status::kNone;
    }
    return true;
}

bool Server::close_info(SessionId id, CloseInfo &out) const {
    if (closed_ && closed_->id == id) {
        out = closed_->close;
        return closed_->has_close_info;
    }
    Connection *c = find(id);
    if (!c || !c->ws_) return false;
    out.peer_code = c->ws_->peer_close_code();
    out.peer_reason = std::string(c->ws_->peer_close_reason());
    out.sent_code = c->ws_->sent_close_code();
    return true;
}

std::vector<SessionId> Server::session_ids() const {
    if (!table_) return local_session_ids();
    std::vector<SessionId> ids;
    for (int guard = 0; guard < 1 << 20; guard++) {
        size_t before = ids.size();
        auto page = table_->list(ids.empty() ? 0 : ids.back(), 1024);
        ids.insert(ids.end(), page.begin(), page.end());
        if (ids.size() - before < 1024) break;
    }
    return ids;
}

std::vector<SessionId> Server::session_ids(SessionId after, size_t max_count) const {
    if (table_) return table_->list(after, max_count);
    std::vector<SessionId> ids = local_session_ids();
    ids.erase(ids.begin(), std::upper_bound(ids.begin(), ids.end(), after));
    if (ids.size() > max_count) ids.resize(max_count);
    return ids;
}

void Server::abort_local_connections() {
    for (SessionId id : local_session_ids()) {
        if (Connection *c = find_live(id)) close_now(*c, true);
    }
}

std::vector<SessionId> Server::local_session_ids() const {
    std::vector<SessionId> ids;
    ids.reserve(live_count_);
    for (const auto &[id, c] : connections_)
        if (c->phase_ != Phase::Closed) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

size_t Server::connection_count() const { return table_ ? static_cast<size_t>(table_->count()) : live_count_; }

}  // namespace wsserver
