// Helpers shared by the fuzz targets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define FUZZ_CHECK(cond, ...)                                                          \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            std::fprintf(stderr, "%s:%d: check failed: %s\n  ", __FILE__, __LINE__, #cond); \
            std::fprintf(stderr, __VA_ARGS__);                                         \
            std::fprintf(stderr, "\n");                                                \
            std::abort();                                                              \
        }                                                                              \
    } while (0)

namespace fuzz {

// Deterministic chunk sizes derived from the input (xorshift32).
class Chunker {
public:
    Chunker(uint32_t seed, size_t max_chunk) : state_(seed * 2654435761u + 1), max_(max_chunk) {}
    size_t next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return max_ == 0 ? 0 : state_ % (max_ + 1);
    }

private:
    uint32_t state_;
    size_t max_;
};

// Reference UTF-8 check (RFC 3629): length of the viable prefix; `complete` when the
// whole input is valid and ends on a code point boundary.
inline size_t reference_utf8_viable(const uint8_t *p, size_t n, bool &complete) {
    complete = false;
    size_t i = 0;
    while (i < n) {
        const uint8_t b = p[i];
        size_t need;
        uint8_t lo = 0x80, hi = 0xbf;
        if (b < 0x80) {
            i++;
            continue;
        } else if (b >= 0xc2 && b <= 0xdf) {
            need = 1;
        } else if (b == 0xe0) {
            need = 2, lo = 0xa0;
        } else if (b == 0xed) {
            need = 2, hi = 0x9f;
        } else if (b >= 0xe1 && b <= 0xef) {
            need = 2;
        } else if (b == 0xf0) {
            need = 3, lo = 0x90;
        } else if (b == 0xf4) {
            need = 3, hi = 0x8f;
        } else if (b >= 0xf1 && b <= 0xf3) {
            need = 3;
        } else {
            return i;
        }
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= n) return n;
            const uint8_t c = p[i + k];
            if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xbf)) return i + k;
        }
        i += need + 1;
    }
    complete = true;
    return n;
}

// boundary[pos] is true when the first `pos` bytes are valid UTF-8 ending on a code
// point boundary (the prefix is "complete").
inline std::vector<bool> reference_utf8_boundaries(const uint8_t *p, size_t n) {
    std::vector<bool> boundary(n + 1, false);
    boundary[0] = true;
    size_t i = 0;
    while (i < n) {
        bool complete;
        // Length of the code point at i: run the reference on the remainder until the
        // first code point is decoded.
        const uint8_t b = p[i];
        size_t len = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
        if (i + len > n) break;
        if (reference_utf8_viable(p + i, len, complete) != len || !complete) break;
        i += len;
        boundary[i] = true;
    }
    return boundary;
}

}  // namespace fuzz
