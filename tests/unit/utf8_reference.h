// Reference UTF-8 validator shared by the unit tests and the fuzz targets: an
// independent implementation to check src/core/websocket/utf8.cc against.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wstest {

// Reference UTF-8 validator (RFC 3629), written for clarity rather than speed.
// Returns the number of bytes that form a "viable" prefix: every byte up to it either
// completes a valid code point or is a proper prefix of one. `complete` is set when
// the whole input is valid and ends on a code point boundary.
inline size_t reference_utf8_viable(const uint8_t *p, size_t n, bool &complete) {
    size_t i = 0;
    complete = false;
    while (i < n) {
        uint8_t b = p[i];
        size_t need;
        uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
        if (b < 0x80) {
            i++;
            continue;
        } else if (b >= 0xc2 && b <= 0xdf) {
            need = 1;
        } else if (b == 0xe0) {
            need = 2, lo = 0xa0;
        } else if ((b >= 0xe1 && b <= 0xec) || b == 0xee || b == 0xef) {
            need = 2;
        } else if (b == 0xed) {
            need = 2, hi = 0x9f;
        } else if (b == 0xf0) {
            need = 3, lo = 0x90;
        } else if (b >= 0xf1 && b <= 0xf3) {
            need = 3;
        } else if (b == 0xf4) {
            need = 3, hi = 0x8f;
        } else {
            return i;  // 80..C1, F5..FF: never valid
        }
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= n) return n;  // truncated but viable so far
            uint8_t c = p[i + k];
            uint8_t l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xbf;
            if (c < l || c > h) return i + k;
        }
        i += need + 1;
    }
    complete = true;
    return n;
}

inline bool reference_utf8_valid(const uint8_t *p, size_t n) {
    bool complete;
    reference_utf8_viable(p, n, complete);
    return complete;
}

}  // namespace wstest
