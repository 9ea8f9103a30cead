#include "core/server/connection_reader.h"

#include <algorithm>

#include "core/server/connection_set.h"
#include "core/server/connection_writer.h"
#include "core/server/http_front.h"
#include "core/server/server_parts.h"
#include "core/server/websocket_front.h"

namespace wsserver {

void Connection::on_io(int, uint32_t events) { parts_.reader.on_io(*this, events); }
void Connection::on_high_watermark(OutputQueue &) { parts_.ctx.events.on_buffer_full(id_); }
void Connection::on_low_watermark(OutputQueue &) { parts_.ctx.events.on_buffer_empty(id_); }

ConnectionReader::ConnectionReader(ServerContext &ctx, ConnectionSet &connections, ConnectionWriter &writer,
                                   HttpFront &http, WebSocketFront &websocket)
    : ctx_(ctx), connections_(connections), writer_(writer), http_(http), websocket_(websocket) {
    set_buffer_size(ctx_.config.read_buffer_size);
}

void ConnectionReader::set_buffer_size(size_t size) { read_buffer_.resize(std::max<size_t>(size, 4096)); }

void ConnectionReader::on_io(Connection &c, uint32_t events) {
    if (events & Reactor::kWrite) {
        writer_.on_writable(c);
        if (c.phase_ == Phase::Closed) return;
    }
    if (events & Reactor::kRead) {
        writer_.begin_reading(c);
        read(c);
        writer_.end_reading(c);
    } else if ((events & Reactor::kError) && !(events & Reactor::kWrite)) {
        connections_.on_eof(c);
    }
}

void ConnectionReader::read(Connection &c) {
    for (size_t i = 0; i < ctx_.config.reads_per_wakeup; i++) {
        if (c.phase_ != Phase::Http && c.phase_ != Phase::WebSocket) break;
        IoResult r = read_some(c.fd_.get(), read_buffer_.data(), read_buffer_.size());
        if (r.status == IoStatus::WouldBlock) break;
        if (r.status != IoStatus::Ok) {
            connections_.on_eof(c);
            return;
        }
        // The row follows when the time enters another millisecond (so it is never 1 ms
        // behind); the connection keeps the exact time.
        const int64_t before = c.last_recv_us_;
        c.last_recv_us_ = ctx_.wall_us();
        if (c.last_recv_us_ / ServerContext::kTimePublishUs != before / ServerContext::kTimePublishUs)
            connections_.publish_times(c);
        writer_.set_reading_time(c.last_recv_us_);
        ctx_.counters.recv_bytes += r.bytes;
        uint8_t *data = read_buffer_.data();
        size_t len = r.bytes;
        if (c.tls_.valid()) {
            tls_plain_.clear();
            const bool was_ready = c.tls_.handshake_done();
            TlsSession::Status st = c.tls_.feed(data, len, tls_plain_);
            writer_.send_tls_output(c);
            if (c.phase_ == Phase::Closed) return;
            if (!was_ready && c.tls_.handshake_done()) {
                ctx_.events.on_connect(c.id_);
                if (c.phase_ == Phase::Closed) return;
            }
            if (st == TlsSession::Status::Error || st == TlsSession::Status::Closed) {
                if (!tls_plain_.empty()) consume(c, reinterpret_cast<uint8_t *>(tls_plain_.data()), tls_plain_.size());
                if (c.phase_ == Phase::Closed) return;
                if (st == TlsSession::Status::Error && !c.out_.empty()) {
                    // The fatal alert (unknown_ca, certificate_required...) is queued: the
                    // peer learns why it was refused rather than seeing a bare EOF.
                    if (c.ws_) c.ws_->connection_lost();
                    connections_.drain_and_close(c);
                } else {
                    connections_.on_eof(c);
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
    writer_.update_interest(c);
}

size_t ConnectionReader::consume(Connection &c, uint8_t *data, size_t len) {
    if (c.protocol().raw_tcp) {
        if (c.phase_ == Phase::Http) {
            ctx_.counters.requests++;
            ctx_.events.on_receive(c.id_, std::string_view(reinterpret_cast<char *>(data), len));
        }
        return len;
    }
    size_t pos = 0;
    while (pos < len) {
        if (c.phase_ == Phase::Http) {
            pos += http_.consume(c, data + pos, len - pos);
        } else if (c.phase_ == Phase::WebSocket) {
            pos += websocket_.consume(c, data + pos, len - pos);
        } else {
            break;
        }
    }
    return pos;
}

void ConnectionReader::schedule_resume(Connection &c) {
    if (c.resume_scheduled_) return;
    c.resume_scheduled_ = true;
    ctx_.loop().defer([this, id = c.id_] { resume(id); });
}

void ConnectionReader::resume(SessionId id) {
    Connection *c = connections_.find_live(id);
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
    writer_.update_interest(*c);
}

}  // namespace wsserver
