// Private to src/core/server: everything that leaves through a connection's socket. It
// owns the order of the bytes: what is queued, TLS sealing, the batching of small writes
// (while a connection's input is decoded, or a batch of worker commands is handled, its
// writes are queued and go out in one writev), the epoll interest, and the flush when the
// socket is writable again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/server/connection.h"
#include "core/server/server_context.h"

namespace wsserver {

class ConnectionSet;

class ConnectionWriter {
public:
    ConnectionWriter(ServerContext &ctx, ConnectionSet &connections) : ctx_(ctx), connections_(connections) {}
    ConnectionWriter(const ConnectionWriter &) = delete;
    ConnectionWriter &operator=(const ConnectionWriter &) = delete;

    // Output. False when the queue is at its cap (Full) or the connection failed.
    bool write(Connection &c, const void *head, size_t head_len, const void *body, size_t body_len);
    bool write_owned(Connection &c, std::string &&bytes);
    // Socket bytes as they are (TLS records, or plaintext without TLS).
    bool write_bytes(Connection &c, const void *head, size_t head_len, const void *body, size_t body_len);
    // With TLS, encrypts head + body into `sealed` and points head/body at it (so the
    // caller's queue and cap logic see the records). False: the session failed, closed.
    bool seal(Connection &c, const void *&head, size_t &head_len, const void *&body, size_t &body_len,
              std::string &sealed);
    // A pong, the close echo, a last chunk: not refused by the output cap.
    void write_control(Connection &c, const void *data, size_t len);
    void send_tls_output(Connection &c);  // handshake records, alerts, close_notify
    void update_interest(Connection &c);
    // The end of a batch: one writev for what was queued, then the interest.
    void flush_batched(Connection &c);
    void on_writable(Connection &c);

    // The connection whose input is being decoded: what its callbacks write to it (echoes,
    // pongs) is queued and goes out in one writev when the input is consumed, so a read
    // that brought 16 messages costs one write, not 16.
    void begin_reading(Connection &c) {
        reading_ = &c;
        c.batching_ = true;
    }
    void end_reading(Connection &c) {
        reading_ = nullptr;
        c.batching_ = false;
        flush_batched(c);
    }
    const Connection *reading() const { return reading_; }
    void set_reading_time(int64_t now_us) { reading_time_us_ = now_us; }

private:
    static constexpr size_t kBatchedWriteMax = 16 * 1024;

    ServerContext &ctx_;
    ConnectionSet &connections_;
    Connection *reading_ = nullptr;
    int64_t reading_time_us_ = 0;  // wall time of that read, microseconds
    std::string tls_output_;    // records to send, reused
};

}  // namespace wsserver
