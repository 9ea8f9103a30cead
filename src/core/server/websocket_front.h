// Private to src/core/server: a connection's life as a WebSocket, after the 101. Frames
// in (decoded by its WebSocketSession, delivered through on_message), frames out (push),
// the close handshake (ours, the peer's, the close timer), and the close barrier of a
// PROCESS master, which holds the engine's own control frames back until the worker has
// handled the events before them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/server/connection.h"
#include "core/server/server_context.h"

namespace wsserver {

class ConnectionSet;
class ConnectionWriter;

class WebSocketFront {
public:
    WebSocketFront(ServerContext &ctx, ConnectionSet &connections, ConnectionWriter &writer)
        : ctx_(ctx), connections_(connections), writer_(writer) {}
    WebSocketFront(const WebSocketFront &) = delete;
    WebSocketFront &operator=(const WebSocketFront &) = delete;

    // The 101 went out: the connection speaks WebSocket from now on.
    void start(Connection &c, const DeflateParams *deflate);
    // Frame bytes (phase WebSocket); returns the bytes used.
    size_t consume(Connection &c, uint8_t *data, size_t len);

    // Server's push() and disconnect() on a local session. False: last_error says why.
    bool push(Connection &c, uint8_t opcode, std::string_view data, unsigned flags);
    bool disconnect(Connection &c, uint16_t code, std::string_view reason);
    // stop(): 1001 to an open WebSocket, else drain and close.
    void close_going_away(Connection &c);

    // The answer to on_close_barrier: what was held goes out (and the close follows, if
    // it was waiting for it).
    void release_barrier(Connection &c);

private:
    // Writes our close frame and arms the close timeout; at the cap, closes after flushing.
    void send_close_frame(Connection &c, const WebSocketSession::OutgoingFrame &f);
    void request_barrier(Connection &c);
    void await_close_barrier(Connection &c);

    ServerContext &ctx_;
    ConnectionSet &connections_;
    ConnectionWriter &writer_;
};

}  // namespace wsserver
