// Private to src/core/server: everything that comes in through a connection's socket.
// Reads (a bounded number per wakeup, into one buffer per loop), TLS decryption and the
// TLS handshake's progress, and the hand-off of the bytes to the connection's current
// phase: the HTTP front, the WebSocket front, or on_receive for a raw TCP server. Input
// read ahead while a response is awaited is kept and consumed later (resume).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/server/connection.h"
#include "core/server/server_context.h"

namespace wsserver {

class ConnectionSet;
class ConnectionWriter;
class HttpFront;
class WebSocketFront;

class ConnectionReader {
public:
    ConnectionReader(ServerContext &ctx, ConnectionSet &connections, ConnectionWriter &writer, HttpFront &http,
                     WebSocketFront &websocket);
    ConnectionReader(const ConnectionReader &) = delete;
    ConnectionReader &operator=(const ConnectionReader &) = delete;

    void set_buffer_size(size_t size);

    // The connection's socket is ready (epoll events).
    void on_io(Connection &c, uint32_t events);
    // Feeds input to the connection's current phase; returns the bytes used. Stops early
    // when the connection waits for a response, drains or closed.
    size_t consume(Connection &c, uint8_t *data, size_t len);
    // Later in this iteration: consume what was read ahead, then read again.
    void schedule_resume(Connection &c);

private:
    void read(Connection &c);
    void resume(SessionId id);

    ServerContext &ctx_;
    ConnectionSet &connections_;
    ConnectionWriter &writer_;
    HttpFront &http_;
    WebSocketFront &websocket_;
    std::vector<uint8_t> read_buffer_;  // one per reactor, reused for every read
    std::string tls_plain_;             // plaintext of one read, reused
};

}  // namespace wsserver
