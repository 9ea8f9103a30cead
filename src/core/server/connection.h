// Private to src/core/server: one accepted connection's state, from accept to close. The
// pieces of the Server (reader, writer, HTTP and WebSocket fronts) act on it; it holds
// only data and the phase it is in, and is kept small (Server::connection_size()).
//
// Phases:
//   Http          reading and parsing a request (handshake timeout armed until the first
//                 request is complete)
//   HttpWaiting   a request was handed to on_request/on_handshake; reading is paused (so
//                 pipelined requests are answered in order) until the response is sent
//   HttpStreaming a chunked response started with respond_head(); write_body()/end_body()
//   WebSocket     frames both ways through a WebSocketSession; control replies written
//                 at once
//   Draining      the last bytes (error response, close frame) are flushed, then TCP closes
//   Closed        gone from the loop; kept until the end of the iteration (callbacks may
//                 still look at it)
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/http/http_parser.h"
#include "core/ipc/session_id.h"
#include "core/ipc/session_info.h"
#include "core/net/output_queue.h"
#include "core/net/reactor.h"
#include "core/net/socket.h"
#include "core/net/syscall.h"
#include "core/net/timer_queue.h"
#include "core/net/tls.h"
#include "core/websocket/websocket_session.h"

namespace wsserver {

struct ServerConfig;
struct ServerParts;

enum class Phase : uint8_t { Http, HttpWaiting, HttpStreaming, WebSocket, Draining, Closed };

class Connection final : public IoHandler, public OutputQueue::Observer {
public:
    Connection(ServerParts &parts, SessionId id, Accepted &&accepted, int64_t now_us, BufferPool &pool,
               const OutputLimits &limits)
        : parts_(parts), id_(id), fd_(std::move(accepted.fd)), peer_(accepted.peer), out_(pool, limits, this),
          connect_time_us_(now_us) {}

    // Defined in connection_reader.cc, beside what they call.
    void on_io(int, uint32_t events) override;
    void on_high_watermark(OutputQueue &) override;
    void on_low_watermark(OutputQueue &) override;

    // The per-connection settings of its listener (the server's own for the main one).
    // Inline in server_parts.h.
    const ServerConfig &protocol() const;

    // Swoole's WEBSOCKET_STATUS_* of this connection (getClientInfo(), the table), as
    // Swoole reports it: CONNECTION once an upgrade request arrived, HANDSHAKE while the
    // user's onHandShake answers it, ACTIVE from the 101 (from onBeforeHandshakeResponse
    // in the built-in handshake) to the end, also in on_close; CLOSING only once the
    // server began the close handshake (disconnect(), the 1001 of a shutdown).
    int websocket_status() const { return ws_status_; }
    // A WebSocket whose close handshake began (either side) or that is gone.
    bool close_started() const {
        return opened_ && !(phase_ == Phase::WebSocket && ws_->state() == WebSocketSession::State::Open);
    }

    ServerParts &parts_;
    SessionId id_;
    UniqueFd fd_;
    InetAddress peer_;
    OutputQueue out_;
    std::unique_ptr<HttpParser> http_;      // created on the first byte, dropped after a 101
    std::unique_ptr<WebSocketSession> ws_;  // created by the 101
    TlsSession tls_;                        // SWOOLE_SSL: created at accept
    std::string pending_;                   // input read ahead while a response is awaited
    // Microseconds since the epoch (ServerContext::wall_us()); 0: nothing received/sent yet.
    int64_t connect_time_us_;
    int64_t last_recv_us_ = 0;
    int64_t last_send_us_ = 0;
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
    // or while a batch of worker commands is handled): see ConnectionWriter's reading
    // connection and CommandExecutor.
    bool batching_ = false;
    // close_barrier: the connection closes (and reads no more) once everything held went out.
    bool awaiting_barrier_ = false;
    uint8_t ws_status_ = websocket_status::kNone;  // see websocket_status()
    uint8_t published_status_ = 0;  // websocket_status and the closing flag last written to the table
    uint16_t listener_index_ = 0;   // the listener it came in on (0: the main one)
};

}  // namespace wsserver
