// WebSocket frame format (RFC 6455 section 5): opcodes, flags, header encoding,
// masking and close-frame payloads. Pure C++17, no Zend headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wsserver {

enum class Opcode : uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

constexpr bool is_control_opcode(unsigned op) { return (op & 0x8) != 0; }
constexpr bool is_known_opcode(unsigned op) { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

// Flag bits exactly as PHP sees them (SWOOLE_WEBSOCKET_FLAG_*). FIN must stay 1 so that
// a PHP `true` passed as $flags means "final frame".
namespace flag {
constexpr unsigned kFin = 1;
constexpr unsigned kCompress = 2;
constexpr unsigned kRsv1 = 4;
constexpr unsigned kRsv2 = 8;
constexpr unsigned kRsv3 = 16;
constexpr unsigned kMask = 32;
constexpr unsigned kAll = kFin | kCompress | kRsv1 | kRsv2 | kRsv3 | kMask;
}  // namespace flag

constexpr size_t kMaxControlPayload = 125;
constexpr size_t kMaxCloseReason = kMaxControlPayload - 2;
// 2 bytes base header + 8 bytes extended length + 4 bytes masking key.
constexpr size_t kMaxHeaderSize = 14;

// RFC 6455 section 7.4.1 close codes used by the engine.
namespace close_code {
constexpr uint16_t kNormal = 1000;
constexpr uint16_t kGoingAway = 1001;
constexpr uint16_t kProtocolError = 1002;
constexpr uint16_t kUnsupportedData = 1003;
constexpr uint16_t kNoStatus = 1005;  // never on the wire: "the peer sent no code"
constexpr uint16_t kAbnormal = 1006;  // never on the wire: "no close frame at all"
constexpr uint16_t kInvalidPayload = 1007;
constexpr uint16_t kPolicyViolation = 1008;
constexpr uint16_t kMessageTooBig = 1009;
constexpr uint16_t kMandatoryExtension = 1010;
constexpr uint16_t kInternalError = 1011;
}  // namespace close_code

// A code a peer may legitimately put in a close frame (RFC 6455 7.4.1/7.4.2 and the
// IANA registry: 1000-1003, 1007-1014, 3000-4999).
constexpr bool is_sendable_close_code(unsigned code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

struct FrameHeader {
    bool fin = true;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    uint8_t opcode = 0;  // raw 4-bit value; may be a reserved opcode when decoding leniently
    bool masked = false;
    uint8_t mask_key[4] = {0, 0, 0, 0};
    uint64_t payload_length = 0;

    // The SWOOLE_WEBSOCKET_FLAG_* view of the header bits (COMPRESS is not a header bit).
    unsigned flags() const {
        return (fin ? flag::kFin : 0) | (rsv1 ? flag::kRsv1 : 0) | (rsv2 ? flag::kRsv2 : 0) |
               (rsv3 ? flag::kRsv3 : 0) | (masked ? flag::kMask : 0);
    }
};

// Writes the header for `h` into `out` (at least kMaxHeaderSize bytes) and returns its
// size. The payload is written separately (e.g. as a second iovec), so no copy is made.
size_t encode_frame_header(const FrameHeader &h, uint8_t *out);

// Size of the header encode_frame_header() would write.
size_t frame_header_size(uint64_t payload_length, bool masked);

// XORs `len` bytes of `src` with the masking key into `dst` (which may equal `src`).
// `phase` is the payload offset of `src[0]` (mod 4), so a payload can be unmasked in
// chunks as it arrives. Works a machine word at a time.
void apply_mask(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4], size_t phase = 0);

// Fills key with 4 unpredictable bytes (RFC 6455 5.3), for frames this side masks.
void random_mask_key(uint8_t key[4]);

// Close frame payload: optional 2-byte code, then a UTF-8 reason.
struct ClosePayload {
    uint16_t code = close_code::kNoStatus;
    std::string_view reason;
};

enum class CloseParse {
    Ok,
    TooShort,         // a 1-byte body: malformed (1002)
    InvalidCode,      // a code that must not appear on the wire (1002)
    InvalidUtf8,      // reason is not UTF-8 (1007)
};

// Parses the (already unmasked) payload of a close frame. `strict` validates the code and
// the UTF-8 of the reason as RFC 6455 requires of a server; without it only the structure
// is checked, as Frame::unpack() does.
CloseParse parse_close_payload(const uint8_t *payload, size_t len, bool strict, ClosePayload &out);

}  // namespace wsserver
