// Small helpers shared by the unit tests: byte strings, an independent frame builder
// (deliberately not using encode_frame_header) and reference implementations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "utf8_reference.h"

namespace wstest {

using Bytes = std::vector<uint8_t>;

inline Bytes bytes(std::initializer_list<int> list) {
    Bytes out;
    for (int b : list) out.push_back(static_cast<uint8_t>(b));
    return out;
}

inline Bytes bytes(const std::string &s) { return Bytes(s.begin(), s.end()); }

inline std::string str(const Bytes &b) { return std::string(b.begin(), b.end()); }

inline std::string hex(const uint8_t *p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < n; i++) {
        if (i) out += ' ';
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}
inline std::string hex(const Bytes &b) { return hex(b.data(), b.size()); }
inline std::string hex(const std::string &s) {
    return hex(reinterpret_cast<const uint8_t *>(s.data()), s.size());
}

inline Bytes random_bytes(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    Bytes out(n);
    for (auto &b : out) b = static_cast<uint8_t>(rng());
    return out;
}

// Byte-by-byte reference for masking.
inline void reference_mask(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4], size_t phase) {
    for (size_t i = 0; i < len; i++) dst[i] = src[i] ^ key[(phase + i) & 3];
}

struct FrameSpec {
    bool fin = true;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    uint8_t opcode = 1;
    bool masked = true;
    uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
    Bytes payload;  // unmasked payload
    // Force a length encoding: 0 = shortest, 7, 16 or 64 bits. `length_override`
    // replaces the announced length (the payload bytes still follow as given).
    int length_bits = 0;
    bool use_length_override = false;
    uint64_t length_override = 0;
};

// Builds the wire bytes of a frame, independently of the code under test.
inline Bytes build_frame(const FrameSpec &f) {
    Bytes out;
    out.push_back(static_cast<uint8_t>((f.fin ? 0x80 : 0) | (f.rsv1 ? 0x40 : 0) | (f.rsv2 ? 0x20 : 0) |
                                       (f.rsv3 ? 0x10 : 0) | (f.opcode & 0x0f)));
    uint64_t len = f.use_length_override ? f.length_override : f.payload.size();
    int bits = f.length_bits;
    if (bits == 0) bits = len <= 125 ? 7 : len <= 0xffff ? 16 : 64;
    uint8_t mask_bit = f.masked ? 0x80 : 0;
    if (bits == 7) {
        out.push_back(static_cast<uint8_t>(mask_bit | len));
    } else if (bits == 16) {
        out.push_back(mask_bit | 126);
        out.push_back(static_cast<uint8_t>(len >> 8));
        out.push_back(static_cast<uint8_t>(len));
    } else {
        out.push_back(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(len >> shift));
    }
    if (f.masked) out.insert(out.end(), f.key, f.key + 4);
    size_t start = out.size();
    out.insert(out.end(), f.payload.begin(), f.payload.end());
    if (f.masked) reference_mask(out.data() + start, out.data() + start, f.payload.size(), f.key, 0);
    return out;
}

// Convenience: a masked (client) frame or an unmasked (server) frame.
inline Bytes client_frame(uint8_t opcode, const Bytes &payload, bool fin = true, bool rsv1 = false) {
    FrameSpec f;
    f.opcode = opcode;
    f.payload = payload;
    f.fin = fin;
    f.rsv1 = rsv1;
    f.key[0] = static_cast<uint8_t>(0xa5 ^ payload.size());
    f.key[1] = static_cast<uint8_t>(0x3c + opcode);
    f.key[2] = 0x00;
    f.key[3] = 0xff;
    return build_frame(f);
}

inline Bytes server_frame(uint8_t opcode, const Bytes &payload, bool fin = true, bool rsv1 = false) {
    FrameSpec f;
    f.opcode = opcode;
    f.payload = payload;
    f.fin = fin;
    f.rsv1 = rsv1;
    f.masked = false;
    return build_frame(f);
}

inline void append(Bytes &to, const Bytes &from) { to.insert(to.end(), from.begin(), from.end()); }

// Appends the UTF-8 encoding of a scalar value (no validation: may encode surrogates).
inline void put_utf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

}  // namespace wstest
