// Fuzz target for permessage-deflate:
//  1. the input as a compressed message: inflate_message() and a streaming Inflater fed
//     in chunks agree, and neither lets the output grow past the cap;
//  2. the input as a message: deflate -> inflate gives it back, with one-shot helpers
//     and with a Deflater/Inflater pair (window bits, context takeover, level from the
//     input) over two messages.
//
// Input: byte 0 = inflate options, byte 1 = deflate options, the rest is the data.
#include <cstring>
#include <string>

#include "core/websocket/permessage_deflate.h"
#include "fuzz_common.h"

using namespace wsserver;
using Result = Inflater::Result;

namespace {

const uint8_t *u8(const std::string &s) { return reinterpret_cast<const uint8_t *>(s.data()); }

bool ends_with_tail(const std::string &s) {
    return s.size() >= 4 && std::memcmp(s.data() + s.size() - 4, "\x00\x00\xff\xff", 4) == 0;
}

// Feeds in chunks, then finish(); checks the cap after every call.
Result stream_inflate(Inflater &inf, const uint8_t *data, size_t len, size_t chunk, std::string &out, size_t cap) {
    size_t pos = 0;
    while (pos < len) {
        const size_t c = len - pos < chunk ? len - pos : chunk;
        const Result r = inf.feed(data + pos, c, out, cap);
        FUZZ_CHECK(out.size() <= cap, "feed() grew out to %zu past cap %zu", out.size(), cap);
        if (r != Result::Ok) return r;
        pos += c;
    }
    const Result r = inf.finish(out, cap);
    FUZZ_CHECK(out.size() <= cap, "finish() grew out to %zu past cap %zu", out.size(), cap);
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    const uint8_t inflate_opts = data[0];
    const uint8_t deflate_opts = data[1];
    const uint8_t *payload = data + 2;
    const size_t n = size - 2;

    static const size_t kCaps[4] = {0, 100, 4096, 1 << 20};
    static const size_t kChunks[4] = {1, 7, 64, SIZE_MAX};
    const size_t cap = kCaps[(inflate_opts >> 4) & 3];
    const size_t chunk = kChunks[inflate_opts >> 6];

    // 1. Untrusted compressed input.
    {
        std::string one_shot;
        const Result r1 = inflate_message(payload, n, one_shot, cap);
        FUZZ_CHECK(one_shot.size() <= cap, "inflate_message grew out to %zu past cap %zu", one_shot.size(), cap);

        Inflater streaming(15, true);
        FUZZ_CHECK(streaming.ok(), "Inflater not ok");
        std::string out;
        const Result r2 = stream_inflate(streaming, payload, n, chunk, out, cap);
        FUZZ_CHECK(r1 == r2, "one-shot result %d, streaming (chunk %zu) result %d", int(r1), chunk, int(r2));
        if (r1 == Result::Ok) FUZZ_CHECK(out == one_shot, "one-shot and streaming output differ");

        // The same inflater is usable again after reset(), for a known-good message.
        streaming.reset();
        std::string good, back;
        FUZZ_CHECK(deflate_message(reinterpret_cast<const uint8_t *>("hello"), 5, good), "deflate_message failed");
        FUZZ_CHECK(stream_inflate(streaming, u8(good), good.size(), chunk, back, 5) == Result::Ok && back == "hello",
                   "inflater unusable after reset()");

        // Another window size / context mode only has to respect the cap.
        const int wb = 8 + (inflate_opts & 7);
        Inflater other(wb, inflate_opts & 8);
        FUZZ_CHECK(other.ok(), "Inflater(%d) not ok", wb);
        std::string other_out;
        stream_inflate(other, payload, n, chunk, other_out, cap);
    }

    // 2. Round trips.
    {
        const int level = static_cast<int>(deflate_opts % 11) - 1;  // -1 .. 9
        std::string c;
        FUZZ_CHECK(deflate_message(payload, n, c, level), "deflate_message failed");
        FUZZ_CHECK(!ends_with_tail(c), "deflate_message output ends with 00 00 ff ff");
        std::string back;
        const Result r = inflate_message(u8(c), c.size(), back, n);
        FUZZ_CHECK(r == Result::Ok, "round trip result %d", int(r));
        FUZZ_CHECK(back.size() == n && std::memcmp(back.data(), payload, n) == 0, "round trip changed the data");
        if (n > 0) {
            std::string small;
            FUZZ_CHECK(inflate_message(u8(c), c.size(), small, n - 1) == Result::TooBig,
                       "cap one below the size is not TooBig");
        }

        // Two messages through a Deflater/Inflater pair.
        const int wb = 8 + ((deflate_opts >> 4) & 7);
        const bool nct = deflate_opts & 0x80;
        Deflater d(wb, nct, level);
        Inflater i(wb, nct);
        FUZZ_CHECK(d.ok() && i.ok(), "Deflater/Inflater(%d) not ok", wb);
        const size_t cut = n ? (static_cast<size_t>(deflate_opts) * 31) % (n + 1) : 0;
        const uint8_t *parts[3] = {payload, payload + cut, payload};
        const size_t lens[3] = {cut, n - cut, n};  // the third repeats the whole input
        for (int k = 0; k < 3; k++) {
            std::string cm;
            FUZZ_CHECK(d.compress(parts[k], lens[k], cm), "compress failed");
            FUZZ_CHECK(!ends_with_tail(cm), "Deflater output ends with 00 00 ff ff");
            std::string out;
            const Result rk = stream_inflate(i, u8(cm), cm.size(), chunk, out, lens[k]);
            FUZZ_CHECK(rk == Result::Ok, "message %d: result %d (wb %d nct %d level %d)", k, int(rk), wb, nct, level);
            FUZZ_CHECK(out.size() == lens[k] && std::memcmp(out.data(), parts[k], lens[k]) == 0,
                       "message %d changed in the round trip", k);
        }
    }
    return 0;
}
