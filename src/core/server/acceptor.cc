#include "core/server/acceptor.h"

#include <cerrno>

#include "core/server/connection_set.h"
#include "core/server/server_parts.h"

namespace wsserver {

Result<bool> Acceptor::share_from(const Acceptor &proto) {
    tls_ = proto.tls_;
    for (const auto &extra : proto.extra_) {
        auto shared = extra->listener.share();
        if (!shared) return shared.error();
        extra_.push_back(
            std::make_unique<ExtraListener>(ExtraListener{std::move(shared.value()), extra->protocol, extra->tls}));
    }
    return true;
}

int Acceptor::watch() {
    int err = ctx_.loop().add(listener_.fd(), Reactor::kRead, [this](uint32_t) { accept_ready(0); });
    if (err == 0) err = watch_extra();
    return err;
}

void Acceptor::stop_accepting() {
    if (ctx_.reactor && ctx_.loop().contains(listener_.fd())) ctx_.loop().remove(listener_.fd());
    unwatch_extra();
    listening_ = false;
}

int Acceptor::watch_extra() {
    for (size_t i = 0; i < extra_.size(); i++) {
        const size_t index = i + 1;
        int fd = extra_[i]->listener.fd();
        if (ctx_.loop().contains(fd)) continue;
        if (int err = ctx_.loop().add(fd, Reactor::kRead, [this, index](uint32_t) { accept_ready(index); })) return err;
    }
    return 0;
}

void Acceptor::unwatch_extra() {
    if (!ctx_.reactor) return;
    for (auto &extra : extra_) {
        if (ctx_.loop().contains(extra->listener.fd())) ctx_.loop().remove(extra->listener.fd());
    }
}

Result<size_t> Acceptor::add_listener(const ListenOptions &options, const ServerConfig &protocol) {
    if (!connections_.pristine() || ctx_.stopping)
        return SysError::from_errno(EBUSY, "listen(): the server is already serving");
    auto l = Listener::open(options);
    if (!l) return l.error();
    extra_.push_back(std::make_unique<ExtraListener>(ExtraListener{std::move(l.value()), protocol, std::nullopt}));
    const size_t index = extra_.size();
    if (listening_) {
        int err = ctx_.loop().add(extra_.back()->listener.fd(), Reactor::kRead,
                                  [this, index](uint32_t) { accept_ready(index); });
        if (err != 0) {
            extra_.pop_back();
            return SysError::from_errno(err, "epoll_ctl(listener)");
        }
    }
    return index;
}

bool Acceptor::set_listener_protocol(size_t index, const ServerConfig &protocol) {
    if (index == 0 || index > extra_.size() || !connections_.pristine()) return false;
    extra_[index - 1]->protocol = protocol;
    return true;
}

bool Acceptor::set_listener_tls(size_t index, TlsContext context) {
    if (index > extra_.size()) return false;
    (index == 0 ? tls_ : extra_[index - 1]->tls) = std::move(context);
    return true;
}

void Acceptor::accept_ready(size_t index) {
    Listener &l = index == 0 ? listener_ : extra_[index - 1]->listener;
    AcceptResult r =
        l.accept_batch(ctx_.config.accept_batch, [this, index](Accepted &&a) { accept_one(std::move(a), index); });
    if (r.status == AcceptStatus::Error && listening_) {
        // Out of descriptors or memory: level-triggered epoll would spin; retry later.
        ctx_.loop().modify(l.fd(), 0);
        ctx_.loop().after(100, [this, fd = l.fd()](TimerId) {
            if (listening_ && ctx_.loop().contains(fd)) ctx_.loop().modify(fd, Reactor::kRead);
        });
    }
}

void Acceptor::accept_one(Accepted &&accepted, size_t listener_index) {
    if (ctx_.stopping) return;  // the fd closes with `accepted`
    SessionId id;
    const int64_t now_us = ctx_.wall_us();
    if (ctx_.table) {
        ConnectionInfo info;
        info.connect_time_us = now_us;
        info.worker_id = ctx_.worker_id;
        info.reactor_id = ctx_.reactor_id;
        const Listener &l = listener(listener_index);
        info.server_fd = l.fd();
        info.socket_fd = accepted.fd.get();
        info.server_port = l.port();
        info.socket_type = l.address().is_ipv6() ? 3 : 1;  // SWOOLE_SOCK_TCP6 / TCP
        info.flags = kConnEstablished;
        info.set_remote(accepted.peer.sockaddr_ptr(), accepted.peer.sockaddr_len());
        auto allocated = ctx_.table->allocate(info);
        if (!allocated) {  // max_connection reached: the socket closes with `accepted`
            if (const int64_t now = now_us / 1000000; ctx_.logger && now != overflow_logged_at_) {
                overflow_logged_at_ = now;
                ctx_.logger->logf(LogLevel::kWarning,
                                  "Too many connections [now: %llu]: max_connection reached, %s:%u refused",
                                  static_cast<unsigned long long>(ctx_.table->count()), accepted.peer.ip().c_str(),
                                  accepted.peer.port());
            }
            return;
        }
        id = allocated.value();
        connections_.ids_from_table(id);
    } else {
        id = connections_.next_id();
    }
    auto conn = connections_.make(id, std::move(accepted), now_us);
    Connection &c = *conn;
    c.listener_index_ = static_cast<uint16_t>(listener_index);
    const std::optional<TlsContext> &tls = listener_index == 0 ? tls_ : extra_[listener_index - 1]->tls;
    if (tls) {
        auto session = TlsSession::create(*tls);
        if (!session) {
            if (ctx_.table) ctx_.table->release(id);
            return;
        }
        c.tls_ = std::move(session.value());
    }
    if (ctx_.loop().add(c.fd_.get(), Reactor::kRead, c) != 0) {
        if (ctx_.table) ctx_.table->release(id);
        return;
    }
    connections_.insert(std::move(conn));
    if (c.protocol().handshake_timeout_ms && !c.protocol().raw_tcp) {
        c.timer_ = ctx_.loop().after(c.protocol().handshake_timeout_ms, [this, id](TimerId) {
            if (Connection *t = connections_.find_live(id)) {
                t->timer_ = 0;
                connections_.close_now(*t, false);
            }
        });
    }
    // Over TLS the connection exists for PHP once its handshake completed (as in Swoole):
    // a client refused there causes neither onConnect nor onClose.
    if (!c.tls_.valid()) ctx_.events.on_connect(id);
}

}  // namespace wsserver
