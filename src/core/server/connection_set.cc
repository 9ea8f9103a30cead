#include "core/server/connection_set.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

#include "core/server/connection_writer.h"

namespace wsserver {

ConnectionSet::ConnectionSet(ServerContext &ctx, ServerParts &parts, ConnectionWriter &writer)
    : ctx_(ctx), parts_(parts), writer_(writer) {
    set_output_limits(ctx_.config);
}

ConnectionSet::~ConnectionSet() {
    // No callbacks: the binding is being torn down too.
    for (auto &[id, c] : map_) {
        if (c->fd_.valid()) ctx_.loop().remove(c->fd_.get());
    }
}

void ConnectionSet::set_output_limits(const ServerConfig &config) {
    output_limits_.max_bytes = config.socket_buffer_size;
    output_limits_.high_watermark = config.buffer_high_watermark;
    output_limits_.low_watermark = config.buffer_low_watermark;
}

std::unique_ptr<Connection> ConnectionSet::make(SessionId id, Accepted &&accepted, int64_t now_us) {
    return std::make_unique<Connection>(parts_, id, std::move(accepted), now_us, pool_, output_limits_);
}

void ConnectionSet::insert(std::unique_ptr<Connection> c) {
    const SessionId id = c->id_;
    map_.emplace(id, std::move(c));
    live_count_++;
}

std::vector<SessionId> ConnectionSet::local_ids() const {
    std::vector<SessionId> ids;
    ids.reserve(live_count_);
    for (const auto &[id, c] : map_)
        if (c->phase_ != Phase::Closed) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

void ConnectionSet::close(Connection &c, bool reset) {
    if (reset || c.out_.empty()) {
        close_now(c, reset);
    } else {
        drain_and_close(c);
    }
}

void ConnectionSet::on_eof(Connection &c) {
    if (c.ws_) c.ws_->connection_lost();
    close_now(c, false);
}

void ConnectionSet::start_close_timer(Connection &c, uint64_t ms) {
    if (c.timer_) ctx_.loop().clear_timer(c.timer_);
    c.timer_ = ctx_.loop().after(ms, [this, id = c.id_](TimerId) {
        if (Connection *t = find_live(id)) {
            t->timer_ = 0;
            close_now(*t, false);
        }
    });
}

void ConnectionSet::drain_and_close(Connection &c) {
    if (c.phase_ == Phase::Closed) return;
    c.phase_ = Phase::Draining;
    if (c.tls_.valid() && c.tls_.handshake_done() && !c.tls_.closed()) {
        close_notify_.clear();
        c.tls_.shutdown(close_notify_);  // close_notify: the peer can tell the end from a cut
        if (!close_notify_.empty()) c.out_.enqueue_uncapped(close_notify_.data(), close_notify_.size());
    }
    if (c.out_.empty()) {
        close_now(c, false);
        return;
    }
    writer_.update_interest(c);
    start_close_timer(c, ctx_.config.websocket_close_timeout_ms);  // a peer that never reads
}

void ConnectionSet::close_now(Connection &c, bool reset) {
    if (c.phase_ == Phase::Closed) return;
    c.phase_ = Phase::Closed;
    if (c.timer_) {
        ctx_.loop().clear_timer(c.timer_);
        c.timer_ = 0;
    }
    if (reset) {
        linger lg{1, 0};  // RST instead of FIN: queued bytes are dropped
        ::setsockopt(c.fd_.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    ctx_.loop().remove(c.fd_.get());
    c.fd_.reset();
    c.out_.clear();
    c.pending_.clear();
    c.pending_.shrink_to_fit();
    if (c.ws_ && c.ws_->state() != WebSocketSession::State::Closed) c.ws_->connection_lost();
    live_count_--;
    SessionId id = c.id_;
    if (ctx_.table) ctx_.table->release(id);
    if (c.opened_) {
        ctx_.events.on_close(id);
    } else if (ctx_.config.has_disconnect_handler && (!c.tls_.valid() || c.tls_.handshake_done())) {
        ctx_.events.on_disconnect(id);
    }
    auto it = map_.find(id);
    if (it != map_.end()) {
        if (graveyard_.empty()) ctx_.loop().defer([this] { graveyard_.clear(); });
        graveyard_.push_back(std::move(it->second));
        map_.erase(it);
    }
    check_stopped();
}

void ConnectionSet::publish_status(Connection &c) {
    if (!ctx_.table) return;
    const uint8_t status = static_cast<uint8_t>(c.websocket_status());
    const bool closing = c.close_started();
    const uint8_t published = static_cast<uint8_t>(status | (closing ? 0x80 : 0));
    if (published == c.published_status_) return;
    c.published_status_ = published;
    ctx_.table->update(c.id_, [status, closing](ConnectionInfo &row) {
        row.websocket_status = status;
        if (closing) row.flags |= kConnClosing;
    });
}

void ConnectionSet::publish_times(Connection &c) {
    if (!ctx_.table) return;
    ctx_.table->update(c.id_, [&c](ConnectionInfo &row) {
        row.last_recv_time_us = c.last_recv_us_;
        row.last_send_time_us = c.last_send_us_;
    });
}

void ConnectionSet::stop_after(uint64_t ms) {
    stop_timer_ = ctx_.loop().after(ms, [this](TimerId) {
        stop_timer_ = 0;
        for (SessionId id : local_ids()) {
            if (Connection *c = find_live(id)) close_now(*c, false);
        }
        ctx_.loop().stop();
    });
}

void ConnectionSet::check_stopped() {
    if (!ctx_.stopping || live_count_ != 0) return;
    if (stop_timer_) {
        ctx_.loop().clear_timer(stop_timer_);
        stop_timer_ = 0;
    }
    ctx_.loop().stop();
}

}  // namespace wsserver
