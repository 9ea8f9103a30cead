// Private to src/core/server: a connection's HTTP/1.1 life before (or instead of)
// WebSocket. Parses requests, hands them to on_request / on_handshake, runs the built-in
// opening handshake (with onBeforeHandShakeResponse's extra fields, answered here or by a
// PROCESS worker), writes responses (whole, or streamed chunked / until close), and after
// a response either waits for the next pipelined request or closes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/http/http_response.h"
#include "core/server/connection.h"
#include "core/server/server_context.h"

namespace wsserver {

class ConnectionReader;
class ConnectionSet;
class ConnectionWriter;
class WebSocketFront;

class HttpFront {
public:
    HttpFront(ServerContext &ctx, ConnectionSet &connections, ConnectionWriter &writer, ConnectionReader &reader,
              WebSocketFront &websocket)
        : ctx_(ctx), connections_(connections), writer_(writer), reader_(reader), websocket_(websocket) {}
    HttpFront(const HttpFront &) = delete;
    HttpFront &operator=(const HttpFront &) = delete;

    // Request bytes (phase Http); returns the bytes used (up to the end of a request).
    size_t consume(Connection &c, uint8_t *data, size_t len);

    // The answers to on_request / on_handshake (Server's respond() & co. on a local
    // session). False: last_error says why.
    bool respond(Connection &c, const HttpResponse &response, std::string_view body);
    bool respond_head(Connection &c, const HttpResponse &response);
    bool write_body(Connection &c, std::string_view data);
    bool end_body(Connection &c, std::string_view data);

    // Answers an upgrade request that passed validate_handshake(): the 101 (with `extra`'s
    // fields), then WebSocket mode and on_open. extra null: asks onBeforeHandShakeResponse
    // first, if there is one.
    void complete_builtin_handshake(Connection &c, const HttpResponse *extra);
    // The HandshakeExtra of a PROCESS worker: the deferred built-in handshake goes on.
    void resume_handshake(Connection &c, const HttpResponse &extra);

private:
    void dispatch_request(Connection &c);
    void finish_http_response(Connection &c, bool keep_alive);
    bool write_chunk(Connection &c, std::string_view data);
    void send_http_error(Connection &c, int status);

    ServerContext &ctx_;
    ConnectionSet &connections_;
    ConnectionWriter &writer_;
    ConnectionReader &reader_;
    WebSocketFront &websocket_;
};

}  // namespace wsserver
