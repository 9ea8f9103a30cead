// Tests for src/core/websocket/permessage_deflate.h (RFC 7692), checked against a plain zlib raw
// deflate stream set up here.
#include "core/websocket/permessage_deflate.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

using namespace wsserver;
using Result = Inflater::Result;

namespace {

const uint8_t *u8(const std::string &s) { return reinterpret_cast<const uint8_t *>(s.data()); }

const char *name(Result r) {
    switch (r) {
        case Result::Ok: return "Ok";
        case Result::TooBig: return "TooBig";
        case Result::Corrupt: return "Corrupt";
    }
    return "?";
}

bool ends_with_tail(const std::string &s) {
    return s.size() >= 4 && std::memcmp(s.data() + s.size() - 4, "\x00\x00\xff\xff", 4) == 0;
}

std::string random_string(size_t n, uint32_t seed) {
    wstest::Bytes b = wstest::random_bytes(n, seed);
    return std::string(b.begin(), b.end());
}

// Compressible but not trivial: words from a small vocabulary.
std::string text_string(size_t n, uint32_t seed) {
    static const char *const words[] = {"websocket", "frame ", "deflate", " the ", "message", "\n", "swoole",
                                        "server", "{\"op\":1}", "0123", "ping", "pong"};
    std::mt19937 rng(seed);
    std::string s;
    while (s.size() < n) s += words[rng() % (sizeof words / sizeof *words)];
    s.resize(n);
    return s;
}

std::string compress(Deflater &d, const std::string &msg) {
    std::string out;
    EXPECT_TRUE(d.compress(u8(msg), msg.size(), out));
    EXPECT_FALSE(ends_with_tail(out)) << msg.size();
    return out;
}

// Feeds a compressed message in chunks of `chunk` bytes, then finish().
Result inflate_with(Inflater &inf, const std::string &compressed, std::string &out, size_t cap,
                    size_t chunk = SIZE_MAX) {
    size_t pos = 0;
    while (pos < compressed.size()) {
        size_t n = std::min(chunk, compressed.size() - pos);
        Result r = inf.feed(u8(compressed) + pos, n, out, cap);
        if (out.size() > cap) ADD_FAILURE() << "out grew to " << out.size() << " past cap " << cap;
        if (r != Result::Ok) return r;
        pos += n;
    }
    Result r = inf.finish(out, cap);
    if (out.size() > cap) ADD_FAILURE() << "out grew to " << out.size() << " past cap " << cap;
    return r;
}

// A raw deflate stream under the test's control (the "other peer").
class RawDeflate {
public:
    explicit RawDeflate(int window_bits = 15, int level = Z_DEFAULT_COMPRESSION) {
        ok_ = deflateInit2(&z_, level, Z_DEFLATED, -window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~RawDeflate() {
        if (ok_) deflateEnd(&z_);
    }
    bool ok() const { return ok_; }
    // Z_SYNC_FLUSH with the tail removed (RFC 7692 7.2.1), or Z_FINISH (BFINAL set).
    std::string message(const std::string &in, int flush = Z_SYNC_FLUSH) {
        std::string out;
        z_.next_in = const_cast<Bytef *>(u8(in));
        z_.avail_in = static_cast<uInt>(in.size());
        uint8_t buf[16384];
        int rc;
        do {
            z_.next_out = buf;
            z_.avail_out = sizeof buf;
            rc = deflate(&z_, flush);
            EXPECT_NE(rc, Z_STREAM_ERROR);
            out.append(reinterpret_cast<char *>(buf), sizeof buf - z_.avail_out);
        } while (z_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
        if (flush == Z_SYNC_FLUSH) {
            EXPECT_TRUE(ends_with_tail(out));
            out.resize(out.size() - 4);
        }
        return out;
    }

private:
    z_stream z_{};
    bool ok_ = false;
};

class RawInflate {
public:
    explicit RawInflate(int window_bits = 15) { ok_ = inflateInit2(&z_, -window_bits) == Z_OK; }
    ~RawInflate() {
        if (ok_) inflateEnd(&z_);
    }
    bool ok() const { return ok_; }
    // Inflates one message whose 00 00 ff ff tail was removed. Returns false on error.
    bool message(const std::string &compressed, std::string &out) {
        std::string in = compressed + std::string("\x00\x00\xff\xff", 4);
        z_.next_in = const_cast<Bytef *>(u8(in));
        z_.avail_in = static_cast<uInt>(in.size());
        uint8_t buf[16384];
        for (;;) {
            z_.next_out = buf;
            z_.avail_out = sizeof buf;
            int rc = inflate(&z_, Z_SYNC_FLUSH);
            out.append(reinterpret_cast<char *>(buf), sizeof buf - z_.avail_out);
            if (rc == Z_STREAM_END) return true;
            if (rc == Z_BUF_ERROR && z_.avail_in == 0) return true;
            if (rc != Z_OK) return false;
            if (z_.avail_in == 0 && z_.avail_out != 0) return true;
        }
    }

private:
    z_stream z_{};
    bool ok_ = false;
};

void expect_round_trip(const std::string &msg, int window_bits = 15, bool nct = false) {
    Deflater d(window_bits, nct);
    Inflater i(window_bits, nct);
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE(i.ok());
    std::string c = compress(d, msg);
    std::string out;
    ASSERT_EQ(inflate_with(i, c, out, msg.size()), Result::Ok);
    ASSERT_TRUE(out == msg) << "size " << msg.size() << " got " << out.size();
    // A zlib raw stream understands it too.
    RawInflate raw(15);
    std::string raw_out;
    ASSERT_TRUE(raw.message(c, raw_out));
    ASSERT_TRUE(raw_out == msg);
}

}  // namespace

// ---------------------------------------------------------------------------------
// Round trips

TEST(PermessageDeflate, RoundTripEmpty) {
    ASSERT_NO_FATAL_FAILURE(expect_round_trip(""));
    std::string out;
    ASSERT_TRUE(deflate_message(nullptr, 0, out));
    std::string back;
    EXPECT_EQ(inflate_message(u8(out), out.size(), back, 0), Result::Ok) << wstest::hex(out);
    EXPECT_TRUE(back.empty());
    // RFC 7692 7.2.1 (ends with an empty stored block, minus 00 00 ff ff): an empty
    // message compresses to the single byte 00.
    EXPECT_EQ(wstest::hex(out), "00");
}

TEST(PermessageDeflate, EmptyMessagesWithContextTakeover) {
    // RFC 7692 7.2.1: the compressed data must end with an empty stored block before its
    // 00 00 ff ff is removed, so every message (even an empty one right after another
    // flush, where zlib itself emits nothing) is at least one byte: 0x00. An empty
    // payload would make the receiver read the appended tail as a truncated stored-block
    // header and lose sync with the stream (found by fuzz_inflater).
    for (int level : {Z_DEFAULT_COMPRESSION, 0, 1, 9}) {
        SCOPED_TRACE(level);
        Deflater d(15, false, level);
        Inflater i(15, false);
        RawInflate raw;
        const std::string msgs[] = {"", "", "", "x", "", "", "hello", "hello", ""};
        for (size_t k = 0; k < sizeof msgs / sizeof *msgs; k++) {
            std::string c = compress(d, msgs[k]);
            EXPECT_FALSE(c.empty()) << "message " << k;
            std::string out, raw_out;
            ASSERT_EQ(inflate_with(i, c, out, msgs[k].size()), Result::Ok) << "message " << k;
            EXPECT_EQ(out, msgs[k]) << "message " << k;
            ASSERT_TRUE(raw.message(c, raw_out)) << "message " << k;
            EXPECT_EQ(raw_out, msgs[k]) << "message " << k;
        }
    }
}

TEST(PermessageDeflate, RoundTripSmall) {
    for (const char *msg : {"a", "Hello", "Hello, Hello, Hello, Hello!", "\x00\x00\xff\xff", "\x00"}) {
        ASSERT_NO_FATAL_FAILURE(expect_round_trip(msg));
    }
    ASSERT_NO_FATAL_FAILURE(expect_round_trip(std::string("\x00\x00\xff\xff", 4)));
    for (size_t n = 0; n < 300; n += 7) {
        ASSERT_NO_FATAL_FAILURE(expect_round_trip(random_string(n, static_cast<uint32_t>(n))));
        ASSERT_NO_FATAL_FAILURE(expect_round_trip(text_string(n, static_cast<uint32_t>(n))));
    }
}

TEST(PermessageDeflate, RoundTripOneMebibyteRandom) {
    std::string msg = random_string(1 << 20, 42);
    ASSERT_NO_FATAL_FAILURE(expect_round_trip(msg));
    Deflater d;
    std::string c = compress(d, msg);
    EXPECT_LT(c.size(), msg.size() + msg.size() / 100 + 64);  // stored blocks at worst
}

TEST(PermessageDeflate, RoundTripOneMebibyteRepetitive) {
    std::string msg;
    while (msg.size() < (1u << 20)) msg += "repetitive websocket payload ";
    msg.resize(1 << 20);
    ASSERT_NO_FATAL_FAILURE(expect_round_trip(msg));
    Deflater d;
    std::string c = compress(d, msg);
    EXPECT_LT(c.size(), msg.size() / 100);
}

TEST(PermessageDeflate, ChunkedFeedMatchesWhole) {
    std::string msg = text_string(50000, 7);
    Deflater d;
    std::string c = compress(d, msg);
    for (size_t chunk : {1, 2, 3, 7, 100, 4096}) {
        Inflater i;
        std::string out;
        ASSERT_EQ(inflate_with(i, c, out, msg.size(), chunk), Result::Ok) << chunk;
        ASSERT_TRUE(out == msg) << chunk;
    }
}

TEST(PermessageDeflate, OutputNeverEndsWithSyncTail) {
    std::mt19937 rng(11);
    Deflater ctx;
    Deflater fresh(15, true);
    for (int round = 0; round < 300; round++) {
        size_t n = rng() % 2000;
        std::string msg = round % 2 ? random_string(n, rng()) : text_string(n, rng());
        std::string a = compress(ctx, msg), b = compress(fresh, msg);
        std::string c;
        ASSERT_TRUE(deflate_message(u8(msg), msg.size(), c));
        EXPECT_FALSE(ends_with_tail(c)) << n;
    }
}

TEST(PermessageDeflate, CompressAppendsToOut) {
    Deflater d(15, true);
    std::string msg = "append me";
    std::string alone = compress(d, msg);
    std::string out = "prefix";
    ASSERT_TRUE(d.compress(u8(msg), msg.size(), out));
    EXPECT_EQ(out, "prefix" + alone);
    std::string one;
    ASSERT_TRUE(deflate_message(u8(msg), msg.size(), one));
    std::string two = "xy";
    ASSERT_TRUE(deflate_message(u8(msg), msg.size(), two));
    EXPECT_EQ(two, "xy" + one);
}

TEST(PermessageDeflate, InflateAppendsToOut) {
    std::string c;
    ASSERT_TRUE(deflate_message(u8(std::string("body")), 4, c));
    std::string out = "head:";
    EXPECT_EQ(inflate_message(u8(c), c.size(), out, 100), Result::Ok);
    EXPECT_EQ(out, "head:body");
    Inflater i;
    std::string out2 = "head:";
    EXPECT_EQ(inflate_with(i, c, out2, 100), Result::Ok);
    EXPECT_EQ(out2, "head:body");
}

TEST(PermessageDeflate, Levels) {
    std::string msg = text_string(20000, 3);
    for (int level = -1; level <= 9; level++) {
        std::string c;
        ASSERT_TRUE(deflate_message(u8(msg), msg.size(), c, level)) << level;
        EXPECT_FALSE(ends_with_tail(c));
        std::string back;
        ASSERT_EQ(inflate_message(u8(c), c.size(), back, msg.size()), Result::Ok) << level;
        EXPECT_TRUE(back == msg) << level;
        Deflater d(15, false, level);
        ASSERT_TRUE(d.ok()) << level;
        Inflater i;
        std::string out;
        ASSERT_EQ(inflate_with(i, compress(d, msg), out, msg.size()), Result::Ok) << level;
        EXPECT_TRUE(out == msg) << level;
    }
}

// ---------------------------------------------------------------------------------
// Context takeover and window bits

TEST(PermessageDeflate, ContextTakeoverShrinksRepeatedMessages) {
    std::string msg = text_string(3000, 5);
    Deflater d(15, false);
    std::string first = compress(d, msg);
    std::string second = compress(d, msg);
    EXPECT_LT(second.size(), first.size());
    EXPECT_LT(second.size(), 50u);  // almost all of it is one back-reference
    Inflater i(15, false);
    std::string out1, out2;
    ASSERT_EQ(inflate_with(i, first, out1, msg.size()), Result::Ok);
    ASSERT_EQ(inflate_with(i, second, out2, msg.size()), Result::Ok);
    EXPECT_TRUE(out1 == msg);
    EXPECT_TRUE(out2 == msg);
    // A fresh zlib stream reading both in order agrees.
    RawInflate raw;
    std::string r1, r2;
    ASSERT_TRUE(raw.message(first, r1));
    ASSERT_TRUE(raw.message(second, r2));
    EXPECT_TRUE(r1 == msg);
    EXPECT_TRUE(r2 == msg);
}

TEST(PermessageDeflate, NoContextTakeoverCompressesEachMessageAlone) {
    std::string msg = text_string(3000, 5);
    Deflater d(15, true);
    std::string first = compress(d, msg);
    std::string second = compress(d, msg);
    std::string third = compress(d, msg);
    EXPECT_EQ(first.size(), second.size());
    EXPECT_EQ(first, second);
    EXPECT_EQ(first, third);
    // Each message inflates on its own.
    for (const std::string *c : {&first, &second}) {
        std::string out;
        ASSERT_EQ(inflate_message(u8(*c), c->size(), out, msg.size()), Result::Ok);
        EXPECT_TRUE(out == msg);
    }
    Inflater i(15, true);
    for (int k = 0; k < 3; k++) {
        std::string out;
        ASSERT_EQ(inflate_with(i, second, out, msg.size()), Result::Ok) << k;
        EXPECT_TRUE(out == msg);
    }
}

TEST(PermessageDeflate, InflaterWithoutContextTakeoverForgetsTheWindow) {
    // A peer that (wrongly) keeps its context: the second message refers back into the
    // first, which an inflater without context takeover must not resolve.
    std::string msg = random_string(3000, 9);
    Deflater d(15, false);
    std::string first = compress(d, msg);
    std::string second = compress(d, msg);
    Inflater i(15, true);
    std::string out1, out2;
    ASSERT_EQ(inflate_with(i, first, out1, msg.size()), Result::Ok);
    EXPECT_EQ(inflate_with(i, second, out2, msg.size()), Result::Corrupt);
}

TEST(PermessageDeflate, WindowBitsRoundTrip) {
    // For every window size the API accepts, a deflater/inflater pair with the same
    // setting round-trips messages that refer back into earlier messages, at distances
    // beyond 256 bytes and up to 3/4 of the window. zlib has no raw 8-bit deflate window
    // (the Deflater uses 9), so 8 is checked end to end, and against a strict 256-byte
    // zlib inflate window: zlib's 9-bit deflate never emits distances beyond
    // 512 - 262 = 250, so the output still honours a negotiated 8.
    for (int wb = 8; wb <= 15; wb++) {
        SCOPED_TRACE(wb);
        Deflater d(wb, false);
        Inflater i(wb, false);
        ASSERT_TRUE(d.ok());
        ASSERT_TRUE(i.ok());
        std::vector<std::string> msgs;
        std::string block = random_string(300, wb);
        msgs.push_back(block);
        msgs.push_back(block);
        std::string big = random_string((size_t(1) << wb) * 3 / 4, wb + 100);
        msgs.push_back(big);
        msgs.push_back(big);
        msgs.push_back(text_string(5000, wb));
        msgs.push_back(block + big);
        Inflater wide(15, false);  // a larger inflate window is always enough
        RawInflate strict(wb);     // exactly the negotiated window
        ASSERT_TRUE(strict.ok());
        for (size_t k = 0; k < msgs.size(); k++) {
            std::string c = compress(d, msgs[k]);
            std::string out, out_wide, out_strict;
            ASSERT_TRUE(strict.message(c, out_strict)) << "message " << k;
            ASSERT_TRUE(out_strict == msgs[k]) << "message " << k;
            ASSERT_EQ(inflate_with(i, c, out, msgs[k].size()), Result::Ok) << "message " << k;
            ASSERT_TRUE(out == msgs[k]) << "message " << k;
            ASSERT_EQ(inflate_with(wide, c, out_wide, msgs[k].size()), Result::Ok) << "message " << k;
            ASSERT_TRUE(out_wide == msgs[k]) << "message " << k;
        }
    }
}

TEST(PermessageDeflate, WindowBitsRoundTripNoContextTakeover) {
    for (int wb = 8; wb <= 15; wb++) {
        SCOPED_TRACE(wb);
        ASSERT_NO_FATAL_FAILURE(expect_round_trip(random_string(2000, wb), wb, true));
        std::string msg = random_string(700, wb);
        msg += msg;  // a match 700 bytes back, inside one message
        ASSERT_NO_FATAL_FAILURE(expect_round_trip(msg, wb, true));
    }
}

TEST(PermessageDeflate, WindowBitsAreHonoured) {
    // A 2000-byte random block sent twice: with a 15-bit window the second copy is one
    // back-reference, with a 9-bit (512-byte) window it cannot be.
    std::string block = random_string(2000, 77);
    Deflater wide(15, false), narrow(9, false);
    compress(wide, block);
    compress(narrow, block);
    EXPECT_LT(compress(wide, block).size(), 50u);
    EXPECT_GT(compress(narrow, block).size(), 1900u);
}

TEST(PermessageDeflate, InflaterAcceptsPeerWithSmallerWindow) {
    // A zlib peer asked for client_max_window_bits=N sends with window N; our inflater
    // configured for N must read it, across messages (context takeover). For N=8 zlib
    // peers fall back to 9 (no raw 8-bit deflate window in zlib), which an inflater for 8
    // must read too.
    for (int wb = 9; wb <= 15; wb++) {
        RawDeflate peer(wb);
        ASSERT_TRUE(peer.ok());
        Inflater i(wb, false);
        std::string block = random_string((size_t(1) << wb) * 3 / 4, wb);
        for (int k = 0; k < 3; k++) {
            std::string out;
            ASSERT_EQ(inflate_with(i, peer.message(block), out, block.size()), Result::Ok) << wb << " " << k;
            ASSERT_TRUE(out == block);
        }
    }
    RawDeflate peer9(9);
    Inflater i8(8, false);
    std::string block = random_string(400, 8);  // > 256: needs a 9-bit window
    for (int k = 0; k < 3; k++) {
        std::string out;
        ASSERT_EQ(inflate_with(i8, peer9.message(block), out, block.size()), Result::Ok) << k;
        ASSERT_TRUE(out == block);
    }
}

// ---------------------------------------------------------------------------------
// Output cap

TEST(PermessageDeflate, InflaterCapStopsDecompressionBomb) {
    const size_t big = 10u << 20, cap = 1u << 20;
    std::string zeros(big, '\0');
    std::string bomb;
    ASSERT_TRUE(deflate_message(u8(zeros), zeros.size(), bomb));
    EXPECT_LT(bomb.size(), 20000u);

    {
        Inflater i;
        std::string out;
        EXPECT_EQ(inflate_with(i, bomb, out, cap), Result::TooBig);
        EXPECT_LE(out.size(), cap);
        EXPECT_LE(out.capacity(), 2 * cap + 65536) << "memory should stay near the cap";
    }
    {
        // Fed in small pieces, the cap still holds across calls on the same out.
        Inflater i;
        std::string out;
        EXPECT_EQ(inflate_with(i, bomb, out, cap, 100), Result::TooBig);
        EXPECT_LE(out.size(), cap);
        EXPECT_LE(out.capacity(), 2 * cap + 65536);
    }
    {
        std::string out;
        EXPECT_EQ(inflate_message(u8(bomb), bomb.size(), out, cap), Result::TooBig);
        EXPECT_LE(out.size(), cap);
        EXPECT_LE(out.capacity(), 2 * cap + 65536);
    }
    {
        std::string out;
        EXPECT_EQ(inflate_message(u8(bomb), bomb.size(), out, big), Result::Ok);
        EXPECT_EQ(out.size(), big);
        EXPECT_TRUE(out == zeros);
    }
}

TEST(PermessageDeflate, CapIsExact) {
    for (size_t n : {1, 100, 5000, 70000}) {
        std::string msg = text_string(n, static_cast<uint32_t>(n));
        std::string c;
        ASSERT_TRUE(deflate_message(u8(msg), msg.size(), c));
        std::string out;
        EXPECT_EQ(inflate_message(u8(c), c.size(), out, n), Result::Ok) << n;
        EXPECT_TRUE(out == msg);
        out.clear();
        EXPECT_EQ(inflate_message(u8(c), c.size(), out, n - 1), Result::TooBig) << n;
        EXPECT_LE(out.size(), n - 1);

        Inflater ok_inf, small_inf;
        std::string a, b;
        EXPECT_EQ(inflate_with(ok_inf, c, a, n), Result::Ok) << n;
        EXPECT_TRUE(a == msg);
        EXPECT_EQ(inflate_with(small_inf, c, b, n - 1), Result::TooBig) << n;
        EXPECT_LE(b.size(), n - 1);
    }
}

TEST(PermessageDeflate, CapCountsWhatOutAlreadyHolds) {
    // "appending to out, which never grows beyond max_output bytes"
    std::string msg = text_string(1000, 1);
    std::string c;
    ASSERT_TRUE(deflate_message(u8(msg), msg.size(), c));
    std::string out = "123456";
    EXPECT_EQ(inflate_message(u8(c), c.size(), out, 1006), Result::Ok);
    EXPECT_EQ(out, "123456" + msg);
    out = "123456";
    EXPECT_EQ(inflate_message(u8(c), c.size(), out, 1005), Result::TooBig);
    EXPECT_LE(out.size(), 1005u);
    Inflater i;
    out = "123456";
    EXPECT_EQ(inflate_with(i, c, out, 1005), Result::TooBig);
    EXPECT_LE(out.size(), 1005u);
}

// ---------------------------------------------------------------------------------
// Corrupt input and reset

TEST(PermessageDeflate, CorruptInput) {
    const std::string corrupt[] = {
        std::string("\xff\xff\xff\xff", 4),          // reserved block type 3
        std::string("\x07", 1),                      // BFINAL + BTYPE=11
        std::string("\x00\x05\x00\x00\x00", 5),      // stored block, LEN/NLEN mismatch
        std::string("\x06\x00", 2),                  // BTYPE=11 again, not final
    };
    for (const auto &c : corrupt) {
        std::string out;
        EXPECT_EQ(inflate_message(u8(c), c.size(), out, 1 << 20), Result::Corrupt) << wstest::hex(c);
        Inflater i;
        std::string out2;
        EXPECT_EQ(inflate_with(i, c, out2, 1 << 20), Result::Corrupt) << wstest::hex(c);
    }
    // A valid message followed by a corrupt one on the same inflater.
    Inflater i;
    std::string good;
    ASSERT_TRUE(deflate_message(u8(std::string("fine")), 4, good));
    std::string out;
    ASSERT_EQ(inflate_with(i, good, out, 100), Result::Ok);
    std::string bad = corrupt[0];
    std::string out2;
    EXPECT_EQ(inflate_with(i, bad, out2, 100), Result::Corrupt);
}

TEST(PermessageDeflate, DistanceTooFarBackIsCorrupt) {
    // A fixed-Huffman block whose first symbol is a match: nothing to copy from.
    // Build it with zlib by compressing "abcabc..." with a preset dictionary, which
    // the receiver does not have.
    z_stream z{};
    ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    const std::string dict = random_string(1000, 3);
    ASSERT_EQ(deflateSetDictionary(&z, u8(dict), static_cast<uInt>(dict.size())), Z_OK);
    uint8_t buf[4096];
    z.next_in = const_cast<Bytef *>(u8(dict));
    z.avail_in = static_cast<uInt>(dict.size());
    z.next_out = buf;
    z.avail_out = sizeof buf;
    ASSERT_EQ(deflate(&z, Z_SYNC_FLUSH), Z_OK);
    std::string c(reinterpret_cast<char *>(buf), sizeof buf - z.avail_out - 4);
    deflateEnd(&z);
    ASSERT_LT(c.size(), 100u);
    std::string out;
    EXPECT_EQ(inflate_message(u8(c), c.size(), out, 1 << 20), Result::Corrupt);
}

TEST(PermessageDeflate, InflaterUsableAfterReset) {
    for (bool nct : {false, true}) {
        SCOPED_TRACE(nct);
        Inflater i(15, nct);
        std::string msg = text_string(4000, 2);
        std::string good;
        ASSERT_TRUE(deflate_message(u8(msg), msg.size(), good));

        std::string out;
        EXPECT_EQ(inflate_with(i, std::string("\xff\xff", 2), out, 1 << 20), Result::Corrupt);
        i.reset();
        out.clear();
        ASSERT_EQ(inflate_with(i, good, out, msg.size()), Result::Ok);
        EXPECT_TRUE(out == msg);

        // After TooBig, mid-message.
        out.clear();
        EXPECT_EQ(inflate_with(i, good, out, 10), Result::TooBig);
        EXPECT_LE(out.size(), 10u);
        i.reset();
        out.clear();
        ASSERT_EQ(inflate_with(i, good, out, msg.size()), Result::Ok);
        EXPECT_TRUE(out == msg);

        // After half a message.
        out.clear();
        ASSERT_EQ(i.feed(u8(good), good.size() / 2, out, msg.size()), Result::Ok);
        i.reset();
        out.clear();
        ASSERT_EQ(inflate_with(i, good, out, msg.size()), Result::Ok);
        EXPECT_TRUE(out == msg);
    }
}

// ---------------------------------------------------------------------------------
// Interoperability with a plain zlib raw stream

TEST(PermessageDeflate, DeflateMessageReadByZlib) {
    for (size_t n : {0, 1, 50, 1000, 100000}) {
        std::string msg = text_string(n, static_cast<uint32_t>(n));
        std::string c;
        ASSERT_TRUE(deflate_message(u8(msg), msg.size(), c));
        RawInflate raw;
        std::string out;
        ASSERT_TRUE(raw.message(c, out)) << n;
        EXPECT_TRUE(out == msg) << n;
    }
}

TEST(PermessageDeflate, ZlibSyncFlushReadByInflateMessage) {
    for (size_t n : {0, 1, 50, 1000, 100000}) {
        std::string msg = text_string(n, static_cast<uint32_t>(n) + 1);
        RawDeflate peer;
        std::string c = peer.message(msg);
        std::string out;
        ASSERT_EQ(inflate_message(u8(c), c.size(), out, msg.size()), Result::Ok) << n;
        EXPECT_TRUE(out == msg) << n;
    }
}

TEST(PermessageDeflate, ZlibFinalBlockReadByInflateMessage) {
    // RFC 7692 7.2.3.3: a sender may end the message with a BFINAL block instead of a
    // sync flush; the appended 00 00 ff ff then follows the end of the stream.
    for (size_t n : {0, 1, 50, 1000, 100000}) {
        std::string msg = text_string(n, static_cast<uint32_t>(n) + 2);
        RawDeflate peer;
        std::string c = peer.message(msg, Z_FINISH);
        // Output exactly at the cap, and with room to spare (different code paths).
        for (size_t cap : {msg.size(), msg.size() + 1, size_t(1) << 20}) {
            std::string out;
            ASSERT_EQ(inflate_message(u8(c), c.size(), out, cap), Result::Ok) << n << " cap " << cap;
            EXPECT_TRUE(out == msg) << n;
            Inflater i(15, true);
            std::string out2;
            ASSERT_EQ(inflate_with(i, c, out2, cap, 5), Result::Ok) << n << " cap " << cap;
            EXPECT_TRUE(out2 == msg) << n;
        }
    }
}

TEST(PermessageDeflate, ContextTakeoverInteropBothWays) {
    std::vector<std::string> msgs;
    for (int k = 0; k < 20; k++) msgs.push_back(text_string(1000 + 997 * k, k % 3));
    // Our deflater -> zlib inflate stream.
    {
        Deflater d(15, false);
        RawInflate raw;
        for (const auto &m : msgs) {
            std::string out;
            ASSERT_TRUE(raw.message(compress(d, m), out));
            ASSERT_TRUE(out == m);
        }
    }
    // zlib deflate stream -> our inflater, fed in odd-sized chunks.
    {
        RawDeflate peer;
        Inflater i(15, false);
        for (const auto &m : msgs) {
            std::string out;
            ASSERT_EQ(inflate_with(i, peer.message(m), out, m.size(), 333), Result::Ok);
            ASSERT_TRUE(out == m);
        }
    }
}

TEST(PermessageDeflate, LargeContextTakeoverStream) {
    // Many messages whose inflated size exceeds the window, so the inflater's window
    // handling across output boundaries is exercised.
    Deflater d(15, false);
    Inflater i(15, false);
    for (int k = 0; k < 30; k++) {
        std::string m = k % 2 ? text_string(70000, k) : random_string(40000, k);
        std::string c = compress(d, m);
        std::string out;
        ASSERT_EQ(inflate_with(i, c, out, m.size(), 1000), Result::Ok) << k;
        ASSERT_TRUE(out == m) << k;
    }
}

TEST(PermessageDeflate, ResultNames) {
    // Keeps the helper honest (and documents the enum).
    EXPECT_STREQ(name(Result::Ok), "Ok");
    EXPECT_STREQ(name(Result::TooBig), "TooBig");
    EXPECT_STREQ(name(Result::Corrupt), "Corrupt");
}

// A peer may send a compressed message with an empty payload; the inflater must take it
// as an empty message and stay in step with the peer's stream for the next message.
TEST(PermessageDeflate, EmptyPayloadFromPeerKeepsStreamInStep) {
    Deflater deflater(15, false);
    Inflater inflater(15, false);
    const std::string first = "the same words, the same words, the same words";
    std::string wire;
    ASSERT_TRUE(deflater.compress(reinterpret_cast<const uint8_t *>(first.data()), first.size(), wire));
    std::string out;
    ASSERT_EQ(inflater.feed(reinterpret_cast<const uint8_t *>(wire.data()), wire.size(), out, 1 << 20),
              Inflater::Result::Ok);
    ASSERT_EQ(inflater.finish(out, 1 << 20), Inflater::Result::Ok);
    EXPECT_EQ(out, first);

    out.clear();
    EXPECT_EQ(inflater.feed(nullptr, 0, out, 1 << 20), Inflater::Result::Ok);
    EXPECT_EQ(inflater.finish(out, 1 << 20), Inflater::Result::Ok);
    EXPECT_EQ(out, "");

    wire.clear();
    out.clear();
    ASSERT_TRUE(deflater.compress(reinterpret_cast<const uint8_t *>(first.data()), first.size(), wire));
    ASSERT_EQ(inflater.feed(reinterpret_cast<const uint8_t *>(wire.data()), wire.size(), out, 1 << 20),
              Inflater::Result::Ok);
    ASSERT_EQ(inflater.finish(out, 1 << 20), Inflater::Result::Ok);
    EXPECT_EQ(out, first);
}
