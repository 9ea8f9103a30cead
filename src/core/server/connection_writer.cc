#include "core/server/connection_writer.h"

#include "core/server/connection_set.h"

namespace wsserver {

void ConnectionWriter::update_interest(Connection &c) {
    if (c.phase_ == Phase::Closed || c.batching_) return;  // flush_batched() does it
    uint32_t want = 0;
    if ((c.phase_ == Phase::Http || c.phase_ == Phase::WebSocket) && !c.awaiting_barrier_) want |= Reactor::kRead;
    if (!c.out_.empty()) want |= Reactor::kWrite;
    if (ctx_.loop().interest(c.fd_.get()) != want) ctx_.loop().modify(c.fd_.get(), want);
}

bool ConnectionWriter::seal(Connection &c, const void *&head, size_t &head_len, const void *&body, size_t &body_len,
                            std::string &sealed) {
    if (!c.tls_.valid()) return true;
    sealed.clear();
    if (!c.tls_.encrypt(head, head_len, body, body_len, sealed)) {
        connections_.close_now(c, true);
        return false;
    }
    head = nullptr;
    head_len = 0;
    body = sealed.data();
    body_len = sealed.size();
    return true;
}

void ConnectionWriter::send_tls_output(Connection &c) {
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

bool ConnectionWriter::write(Connection &c, const void *head, size_t head_len, const void *body, size_t body_len) {
    if (c.phase_ == Phase::Closed) return false;
    ctx_.counters.send_bytes += head_len + body_len;
    if (c.tls_.valid()) {
        std::string sealed;
        if (!seal(c, head, head_len, body, body_len, sealed)) return false;
        return write_bytes(c, head, head_len, body, body_len);
    }
    return write_bytes(c, head, head_len, body, body_len);
}

bool ConnectionWriter::write_bytes(Connection &c, const void *head, size_t head_len, const void *body,
                                   size_t body_len) {
    if (c.phase_ == Phase::Closed) return false;
    if (c.batching_) {
        // Batched until the input is consumed (or the iteration's commands are handled). Small writes only: a large payload would be
        // copied into the queue, so it goes out now, behind what is batched.
        if (head_len + body_len <= kBatchedWriteMax) {
            if (!c.out_.enqueue(head, head_len, body, body_len)) return false;
            c.last_send_us_ = &c == reading_ ? reading_time_us_ : ctx_.wall_us();
            return true;
        }
        if (!c.out_.empty()) {
            OutputQueue::FlushResult f = c.out_.flush(c.fd_.get());
            if (f.status == OutputQueue::FlushStatus::Error) {
                connections_.on_eof(c);
                return false;
            }
        }
    }
    OutputQueue::SendResult r = c.out_.send(c.fd_.get(), head, head_len, body, body_len);
    switch (r.status) {
    case OutputQueue::SendStatus::Written:
        c.last_send_us_ = ctx_.wall_us();
        return true;
    case OutputQueue::SendStatus::Queued:
        c.last_send_us_ = ctx_.wall_us();
        update_interest(c);
        return true;
    case OutputQueue::SendStatus::Full:
        return false;
    case OutputQueue::SendStatus::Error:
        connections_.on_eof(c);
        return false;
    }
    return false;
}

// A pong or the close echo: the protocol requires it, so the output cap (which bounds what
// the application queues) does not refuse it.
void ConnectionWriter::write_control(Connection &c, const void *data, size_t len) {
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

void ConnectionWriter::flush_batched(Connection &c) {
    if (c.phase_ == Phase::Closed) return;
    if (!c.out_.empty()) {
        on_writable(c);  // one writev for the batch; then interest (or the close if draining)
        return;
    }
    update_interest(c);
}

bool ConnectionWriter::write_owned(Connection &c, std::string &&bytes) {
    if (c.phase_ == Phase::Closed) return false;
    if (c.tls_.valid()) {
        std::string sealed;
        if (!c.tls_.encrypt(bytes.data(), bytes.size(), sealed)) {
            connections_.close_now(c, true);
            return false;
        }
        bytes = std::move(sealed);
    }
    OutputQueue::SendResult r = c.out_.send(c.fd_.get(), nullptr, 0, std::move(bytes));
    if (r.status == OutputQueue::SendStatus::Error) {
        connections_.on_eof(c);
        return false;
    }
    if (r.status == OutputQueue::SendStatus::Full) return false;
    c.last_send_us_ = ctx_.wall_us();
    update_interest(c);
    return c.phase_ != Phase::Closed;
}

void ConnectionWriter::on_writable(Connection &c) {
    OutputQueue::FlushResult r = c.out_.flush(c.fd_.get());
    if (c.phase_ == Phase::Closed) return;  // a low-watermark callback closed it
    if (r.bytes) c.last_send_us_ = ctx_.wall_us();
    if (r.status == OutputQueue::FlushStatus::Error) {
        connections_.on_eof(c);
        return;
    }
    if (r.status == OutputQueue::FlushStatus::Done && c.phase_ == Phase::Draining) {
        connections_.close_now(c, false);
        return;
    }
    update_interest(c);
}

}  // namespace wsserver
