// Incremental WebSocket frame decoder: feed it bytes split anywhere, it reports each
// frame's header, then its payload as spans of the caller's buffer, then its end, or a
// protocol error carrying the RFC 6455 close code to send. It never copies or buffers
// payload bytes itself; only a partial header (at most 14 bytes) is kept between calls.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/websocket/frame.h"

namespace wsserver {

struct DecoderOptions {
    bool require_masked = true;     // a server rejects unmasked client frames (RFC 6455 5.1)
    bool allow_masked = true;       // false on a client: server frames must not be masked
    bool allow_rsv1 = false;        // permessage-deflate negotiated: RSV1 marks a compressed message
    bool allow_rsv23 = false;       // RSV2/RSV3 are meaningless without an extension that defines them
    bool check_fragments = true;    // enforce continuation/data frame ordering across frames
    uint64_t max_payload = UINT64_MAX;  // larger frames fail with 1009 before any payload is read
};

struct ProtocolError {
    uint16_t close_code = 0;
    const char *message = "";
};

class FrameDecoder {
public:
    enum class Event {
        NeedMore,    // all input consumed; call again with more bytes
        FrameStart,  // header() describes a new frame
        Payload,     // `data`/`size` is a piece of the payload, still masked, at payload `offset`
        FrameEnd,    // the frame announced by the last FrameStart is complete
        Error,       // error() says why; the decoder stays in this state
    };

    struct Step {
        Event event;
        size_t consumed;  // bytes of the input used by this step
        const uint8_t *data = nullptr;
        size_t size = 0;
        uint64_t offset = 0;
    };

    explicit FrameDecoder(DecoderOptions options = {}) : options_(options) {}

    // Decodes from `data`; call repeatedly, advancing by Step::consumed, until NeedMore.
    Step next(const uint8_t *data, size_t len);

    const FrameHeader &header() const { return header_; }
    const ProtocolError &error() const { return error_; }
    const DecoderOptions &options() const { return options_; }
    void set_options(const DecoderOptions &options) { options_ = options; }

    // True between the first frame of a fragmented message and its final continuation.
    bool in_message() const { return in_message_; }
    // Opcode (Text/Binary) and RSV1 of the message the current frame belongs to.
    uint8_t message_opcode() const { return message_opcode_; }
    bool message_compressed() const { return message_compressed_; }

    void reset();

private:
    enum class State { Header, Payload, End, Error };

    Step fail(uint16_t code, const char *message, size_t consumed);
    // Validates a complete header; returns nullptr or an error message (and sets code).
    const char *check_header(uint16_t &code);

    DecoderOptions options_;
    State state_ = State::Header;
    FrameHeader header_;
    ProtocolError error_;
    uint8_t partial_[kMaxHeaderSize];
    size_t partial_len_ = 0;
    uint64_t payload_read_ = 0;
    bool in_message_ = false;
    uint8_t message_opcode_ = 0;
    bool message_compressed_ = false;
};

}  // namespace wsserver
