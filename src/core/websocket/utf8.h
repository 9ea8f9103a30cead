// Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates, max U+10FFFF).
// A text message may be split across fragments, and a fragment may end inside a code
// point, so the validator keeps its state between feed() calls.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wsserver {

class Utf8Validator {
public:
    // Validates the next bytes; false as soon as the input can no longer be UTF-8
    // (and from then on). A pending partial code point is not an error until complete().
    bool feed(const uint8_t *data, size_t len);
    // True when everything fed so far is valid and ends on a code point boundary.
    bool complete() const { return state_ == kAccept; }
    bool failed() const { return state_ == kReject; }
    void reset() { state_ = kAccept; }

    static constexpr uint8_t kAccept = 0;
    static constexpr uint8_t kReject = 1;

private:
    uint8_t state_ = kAccept;
};

bool is_valid_utf8(const uint8_t *data, size_t len);

}  // namespace wsserver
