// Helpers shared by the fuzz targets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "../unit/utf8_reference.h"

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

using wstest::reference_utf8_viable;

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
