#include "core/websocket/utf8.h"

#include <cstring>

namespace wsserver {

namespace {

// States besides kAccept (0) and kReject (1): how many continuation bytes are still
// due, and for the first of them the narrower range that rules out overlong forms,
// surrogates and code points above U+10FFFF (RFC 3629 section 4).
constexpr uint8_t kNeed1 = 2;    // one more 80..BF
constexpr uint8_t kNeed2 = 3;    // two more 80..BF
constexpr uint8_t kNeed3 = 4;    // three more 80..BF
constexpr uint8_t kAfterE0 = 5;  // A0..BF, then one more
constexpr uint8_t kAfterED = 6;  // 80..9F (no surrogates), then one more
constexpr uint8_t kAfterF0 = 7;  // 90..BF, then two more
constexpr uint8_t kAfterF4 = 8;  // 80..8F (<= U+10FFFF), then two more

inline bool in(uint8_t b, uint8_t lo, uint8_t hi) { return b >= lo && b <= hi; }

inline uint8_t step(uint8_t state, uint8_t b) {
    switch (state) {
    case Utf8Validator::kAccept:
        if (b < 0x80) return Utf8Validator::kAccept;
        if (in(b, 0xC2, 0xDF)) return kNeed1;
        if (b == 0xE0) return kAfterE0;
        if (b == 0xED) return kAfterED;
        if (in(b, 0xE1, 0xEF)) return kNeed2;
        if (b == 0xF0) return kAfterF0;
        if (b == 0xF4) return kAfterF4;
        if (in(b, 0xF1, 0xF3)) return kNeed3;
        return Utf8Validator::kReject;
    case kNeed1:
        return in(b, 0x80, 0xBF) ? Utf8Validator::kAccept : Utf8Validator::kReject;
    case kNeed2:
        return in(b, 0x80, 0xBF) ? kNeed1 : Utf8Validator::kReject;
    case kNeed3:
        return in(b, 0x80, 0xBF) ? kNeed2 : Utf8Validator::kReject;
    case kAfterE0:
        return in(b, 0xA0, 0xBF) ? kNeed1 : Utf8Validator::kReject;
    case kAfterED:
        return in(b, 0x80, 0x9F) ? kNeed1 : Utf8Validator::kReject;
    case kAfterF0:
        return in(b, 0x90, 0xBF) ? kNeed2 : Utf8Validator::kReject;
    case kAfterF4:
        return in(b, 0x80, 0x8F) ? kNeed2 : Utf8Validator::kReject;
    default:
        return Utf8Validator::kReject;
    }
}

}  // namespace

bool Utf8Validator::feed(const uint8_t *data, size_t len) {
    uint8_t s = state_;
    size_t i = 0;
    while (i < len && s != kReject) {
        if (s == kAccept) {
            // Most text is ASCII: skip it 32, then 8 bytes at a time.
            while (i + 32 <= len) {
                uint64_t w[4];
                std::memcpy(w, data + i, 32);
                if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL) {
                    break;
                }
                i += 32;
            }
            while (i + 8 <= len) {
                uint64_t w;
                std::memcpy(&w, data + i, 8);
                if (w & 0x8080808080808080ULL) {
                    break;
                }
                i += 8;
            }
            if (i == len) {
                break;
            }
        }
        s = step(s, data[i]);
        i++;
    }
    state_ = s;
    return s != kReject;
}

bool is_valid_utf8(const uint8_t *data, size_t len) {
    Utf8Validator v;
    return v.feed(data, len) && v.complete();
}

}  // namespace wsserver
