#include "core/websocket/frame.h"

#include <openssl/rand.h>

#include <cstring>
#include <random>

#include "core/websocket/utf8.h"

namespace wsserver {

size_t frame_header_size(uint64_t payload_length, bool masked) {
    size_t size = 2;
    if (payload_length > 0xFFFF) {
        size += 8;
    } else if (payload_length > 125) {
        size += 2;
    }
    return size + (masked ? 4 : 0);
}

size_t encode_frame_header(const FrameHeader &h, uint8_t *out) {
    out[0] = static_cast<uint8_t>((h.fin ? 0x80 : 0) | (h.rsv1 ? 0x40 : 0) | (h.rsv2 ? 0x20 : 0) |
                                  (h.rsv3 ? 0x10 : 0) | (h.opcode & 0x0F));
    const uint8_t mask_bit = h.masked ? 0x80 : 0;
    size_t pos = 2;
    const uint64_t len = h.payload_length;
    if (len <= 125) {
        out[1] = static_cast<uint8_t>(mask_bit | len);
    } else if (len <= 0xFFFF) {
        out[1] = mask_bit | 126;
        out[2] = static_cast<uint8_t>(len >> 8);
        out[3] = static_cast<uint8_t>(len);
        pos = 4;
    } else {
        out[1] = mask_bit | 127;
        for (int i = 0; i < 8; i++) {
            out[2 + i] = static_cast<uint8_t>(len >> (56 - 8 * i));
        }
        pos = 10;
    }
    if (h.masked) {
        std::memcpy(out + pos, h.mask_key, 4);
        pos += 4;
    }
    return pos;
}

void apply_mask(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4], size_t phase) {
    // Rotate the key so that rotated[0] applies to src[0].
    uint8_t rotated[8];
    for (size_t i = 0; i < 8; i++) {
        rotated[i] = key[(phase + i) & 3];
    }
    uint64_t word_key;
    std::memcpy(&word_key, rotated, 8);

    size_t i = 0;
    // 32 bytes per round in 16-byte vectors (GCC/Clang vector extensions: SSE2 on x86-64,
    // NEON on arm64, plain words elsewhere); memcpy keeps the loads and stores legal for
    // any alignment and compiles to unaligned vector moves.
#if defined(__GNUC__)
    typedef uint64_t Vec __attribute__((vector_size(16)));
    const Vec vec_key = {word_key, word_key};
    for (; i + 32 <= len; i += 32) {
        Vec a, b;
        std::memcpy(&a, src + i, 16);
        std::memcpy(&b, src + i + 16, 16);
        a ^= vec_key;
        b ^= vec_key;
        std::memcpy(dst + i, &a, 16);
        std::memcpy(dst + i + 16, &b, 16);
    }
#endif
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        std::memcpy(&w, src + i, 8);
        w ^= word_key;
        std::memcpy(dst + i, &w, 8);
    }
    for (; i < len; i++) {
        dst[i] = src[i] ^ rotated[i & 3];
    }
}

void random_mask_key(uint8_t key[4]) {
    if (RAND_bytes(key, 4) != 1) {
        // OpenSSL's generator failing is near impossible; fall back rather than send
        // a predictable key.
        std::random_device rd;
        uint32_t v = rd();
        std::memcpy(key, &v, 4);
    }
}

CloseParse parse_close_payload(const uint8_t *payload, size_t len, bool strict, ClosePayload &out) {
    out = ClosePayload{};
    if (len == 0) {
        return CloseParse::Ok;
    }
    if (len == 1) {
        return CloseParse::TooShort;
    }
    out.code = static_cast<uint16_t>((payload[0] << 8) | payload[1]);
    out.reason = std::string_view(reinterpret_cast<const char *>(payload + 2), len - 2);
    if (strict) {
        if (!is_sendable_close_code(out.code)) {
            return CloseParse::InvalidCode;
        }
        if (!is_valid_utf8(payload + 2, len - 2)) {
            return CloseParse::InvalidUtf8;
        }
    }
    return CloseParse::Ok;
}

}  // namespace wsserver
