// The server side of one WebSocket connection after the opening handshake: turns the
// bytes read from the client into messages and control events, answers pings and closes,
// enforces RFC 6455 / RFC 7692 (masking, fragmentation, UTF-8, size limit, compression),
// and encodes what the server pushes. No I/O: the reactor reads and writes, the session
// only says what the bytes mean and what to send back.
//
// Reading: the caller hands next() its read buffer (which the session unmasks in place)
// and loops until NeedMore, acting on each event as it comes:
//
//     size_t pos = 0;
//     for (;;) {
//         WebSocketSession::Event ev = session.next(buf + pos, len - pos);
//         pos += ev.consumed;
//         if (ev.type == EventType::NeedMore) break;
//         ...  // Message/Ping/Pong/Close -> onMessage, Send -> queue bytes, Disconnect -> close after flush
//     }
//
// Pulling events one at a time (rather than callbacks) lets the caller run PHP code, which
// may push() or disconnect() on this very connection, between two events.
//
// Memory: a message wholly inside the read buffer is handed out as a span of that buffer,
// without a copy. Only a message that is fragmented, compressed or split across reads is
// assembled in a session-owned buffer, reused from message to message. zlib streams are
// created on first use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/websocket/frame.h"
#include "core/websocket/frame_decoder.h"
#include "core/websocket/permessage_deflate.h"
#include "core/websocket/utf8.h"

namespace wsserver {

struct SessionOptions {
    // Swoole's package_max_length: the largest message, counted after reassembly and after
    // inflation. A message that would exceed it fails the connection with 1009 before the
    // memory is spent.
    size_t max_message_size = 2 * 1024 * 1024;
    // Swoole's open_websocket_ping_frame / _pong_frame / _close_frame: hand these control
    // frames to the caller. A delivered ping is not answered automatically; a close is
    // answered either way.
    bool deliver_ping = false;
    bool deliver_pong = false;
    bool deliver_close = false;
    // permessage-deflate as negotiated in the handshake (nullopt: not negotiated).
    std::optional<DeflateParams> deflate;
    int compression_level = Z_DEFAULT_COMPRESSION;
    // The message and compression buffers keep up to this much capacity between uses; a
    // bigger one (after a big message) is freed when it is next used.
    size_t retained_buffer_capacity = 64 * 1024;
};

class WebSocketSession {
public:
    enum class State : uint8_t {
        Open,     // messages flow both ways
        Closing,  // we sent a close frame and wait for the peer's (the reactor times out)
        Closed,   // close handshake done, or failed: close the TCP connection after flushing
    };

    enum class EventType : uint8_t {
        NeedMore,    // everything given was consumed (or ignored); read more
        Message,     // a complete text or binary message
        Ping,        // delivered control frames (deliver_ping / _pong / _close)
        Pong,
        Close,
        Send,        // bytes to write to the client (auto-pong, close reply, error close)
        Disconnect,  // close the TCP connection once everything queued is written
    };

    struct Event {
        EventType type = EventType::NeedMore;
        size_t consumed = 0;  // input bytes used, to advance the read position by
        // Message/Ping/Pong/Close: the (unmasked, inflated) payload. Send: the bytes to
        // write. Points into the caller's buffer or the session; valid until the next call
        // of next() or release_idle_memory(), and until the caller changes its buffer. It
        // may be passed straight to encode() (an echo).
        const uint8_t *data = nullptr;
        size_t size = 0;
        // Message: Text or Binary. Ping/Pong/Close: their opcode. Send: the opcode of the
        // frame in `data` (Pong or Close).
        uint8_t opcode = 0;
        // As PHP sees them: FIN, plus RSV1|COMPRESS for a message that came compressed
        // (MASK is not reported: every client frame is masked).
        unsigned flags = 0;
        // Close: the peer's code (1005 if none). Send of a close frame: ours (1005: empty body).
        uint16_t close_code = 0;
        std::string_view close_reason;  // Close: the peer's reason

        std::string_view payload() const { return {reinterpret_cast<const char *>(data), size}; }
    };

    // One outgoing frame, ready for writev([header, payload]).
    struct OutgoingFrame {
        uint8_t header[kMaxHeaderSize];
        size_t header_size = 0;
        // The caller's data, or the session's compression buffer (valid until the next
        // encode(), close() or release_idle_memory()).
        const uint8_t *payload = nullptr;
        size_t payload_size = 0;
        unsigned flags = 0;  // what was sent: FIN, RSV1|COMPRESS if compressed
    };

    enum class SendStatus : uint8_t {
        Ok,
        BadOpcode,        // not 0, 1, 2, 8, 9 or 10
        ControlTooLong,   // a control payload over 125 bytes (close reason over 123)
        BadClosePayload,  // a 1-byte body, a code not allowed on the wire, a non-UTF-8 reason
        BadSequence,      // a continuation outside a fragmented message, or a new message inside one
        NotOpen,          // a close was sent or received: nothing more may be sent
    };

    explicit WebSocketSession(const SessionOptions &options = {});
    ~WebSocketSession();
    WebSocketSession(WebSocketSession &&) noexcept;
    WebSocketSession &operator=(WebSocketSession &&) noexcept;
    WebSocketSession(const WebSocketSession &) = delete;
    WebSocketSession &operator=(const WebSocketSession &) = delete;

    // Consumes bytes from the client (unmasking them in place) up to the next event.
    // Once Disconnect was returned, every later call consumes all input and returns NeedMore.
    Event next(uint8_t *data, size_t len);

    // The TCP connection ended (EOF, error, close timeout): the session becomes Closed.
    // Without a close frame from the peer, peer_close_code() stays 1006.
    void connection_lost();

    // Encodes one frame for push(). opcode/flags as in Swoole: FLAG_FIN ends the message;
    // FLAG_COMPRESS deflates a final, non-empty text/binary frame that starts a message
    // when permessage-deflate was negotiated (ignored otherwise); RSV and MASK bits are
    // ignored (a server never masks, and a hand-set RSV1 would desynchronise the peer's
    // inflater). Control frames are always final and never compressed. A close frame
    // (payload: code and reason) moves the session to Closing, like close().
    // `late`: data frames are encoded even after the close handshake ended, for a server
    // that holds its close frame back until the replies to earlier messages are written
    // (SWOOLE_PROCESS: they come from a worker, after the peer's close arrived).
    SendStatus encode(uint8_t opcode, const uint8_t *data, size_t len, unsigned flags, OutgoingFrame &out,
                      bool late = false);

    // Server-initiated close (Swoole's disconnect()): encodes the close frame and moves to
    // Closing. The caller writes it, keeps reading until next() reports Disconnect (the
    // peer's close), and closes the connection itself if that takes too long. Code 1005
    // sends an empty body (the reason must then be empty).
    SendStatus close(uint16_t code, std::string_view reason, OutgoingFrame &out);

    State state() const { return state_; }
    bool close_received() const { return close_received_; }
    // The peer's close code: 1005 if its close frame had none, 1006 if none arrived (yet).
    uint16_t peer_close_code() const { return close_received_ ? peer_close_code_ : close_code::kAbnormal; }
    std::string_view peer_close_reason() const;
    // The code of the close frame we sent (error or close()/encode()), 0 if none.
    uint16_t sent_close_code() const { return sent_close_code_; }
    // Why the connection failed (code 0: it did not), for logs.
    const ProtocolError &failure() const { return failure_; }

    bool compression_negotiated() const { return options_.deflate.has_value(); }
    const SessionOptions &options() const { return options_; }
    // Capacity of the session's buffers (zlib streams not included).
    size_t buffer_capacity() const;
    // Frees what can be rebuilt: the message buffer between messages, the compression
    // buffer, and zlib streams that keep no context between messages. For idle connections.
    void release_idle_memory();

private:
    struct Compression;
    struct Failure {
        uint16_t code;
        const char *message;
    };

    Event take_pending();
    std::optional<Failure> frame_start(size_t available);
    std::optional<Failure> data_payload(uint8_t *p, size_t n);
    std::optional<Failure> inflate(const uint8_t *p, size_t n, bool finish);
    bool frame_end(Event &ev, std::optional<Failure> &fail);
    bool control_end(Event &ev, std::optional<Failure> &fail);
    Event fail(const Failure &f, size_t consumed);
    void start_message();
    Compression &compression();
    void recycle(std::string &buffer) const;
    static uint64_t frame_limit(const SessionOptions &options);

    SessionOptions options_;
    FrameDecoder decoder_;
    Utf8Validator utf8_;
    State state_ = State::Open;
    bool close_received_ = false;
    bool message_text_ = false;        // the incoming message is text (UTF-8 checked)
    bool message_direct_ = false;      // the incoming frame is a whole message in the read buffer
    bool message_open_ = false;        // an incoming data message has started and not ended
    bool out_in_message_ = false;      // an outgoing fragmented message is open
    bool pending_disconnect_ = false;
    uint8_t pending_send_ = 0;         // bytes of control_ still to be returned as Send
    uint8_t peer_reason_size_ = 0;
    uint16_t peer_close_code_ = close_code::kNoStatus;
    uint16_t sent_close_code_ = 0;
    ProtocolError failure_;
    std::string message_;              // reassembled / inflated incoming message
    std::unique_ptr<Compression> compression_;
    // A control frame being received: 2 bytes reserved for the reply header, then the
    // payload. The reply (pong, close echo) is built in place; the peer's close reason
    // stays at control_ + 4.
    uint8_t control_[2 + kMaxControlPayload];
};

}  // namespace wsserver
