// Tests for src/core/websocket/frame.h: header encoding, masking and close payloads.
#include "core/websocket/frame.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

using namespace wsserver;
using wstest::Bytes;
using wstest::bytes;
using wstest::hex;

namespace {

Bytes encode(const FrameHeader &h) {
    uint8_t buf[kMaxHeaderSize + 8];
    std::memset(buf, 0xcc, sizeof buf);
    size_t n = encode_frame_header(h, buf);
    EXPECT_LE(n, kMaxHeaderSize);
    return Bytes(buf, buf + n);
}

FrameHeader header(uint8_t opcode, uint64_t len, bool fin = true) {
    FrameHeader h;
    h.opcode = opcode;
    h.payload_length = len;
    h.fin = fin;
    return h;
}

}  // namespace

// ---------------------------------------------------------------------------------
// Opcode and close code predicates

TEST(FramePredicates, ControlAndKnownOpcodes) {
    for (unsigned op = 0; op < 16; op++) {
        EXPECT_EQ(is_control_opcode(op), op >= 8) << op;
        bool known = op == 0 || op == 1 || op == 2 || op == 8 || op == 9 || op == 10;
        EXPECT_EQ(is_known_opcode(op), known) << op;
    }
    EXPECT_EQ(static_cast<unsigned>(Opcode::Continuation), 0u);
    EXPECT_EQ(static_cast<unsigned>(Opcode::Text), 1u);
    EXPECT_EQ(static_cast<unsigned>(Opcode::Binary), 2u);
    EXPECT_EQ(static_cast<unsigned>(Opcode::Close), 8u);
    EXPECT_EQ(static_cast<unsigned>(Opcode::Ping), 9u);
    EXPECT_EQ(static_cast<unsigned>(Opcode::Pong), 10u);
}

TEST(FramePredicates, SendableCloseCodesMatchRfc6455) {
    for (unsigned code = 0; code < 70000; code++) {
        bool expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                        (code >= 3000 && code <= 4999);
        EXPECT_EQ(is_sendable_close_code(code), expected) << code;
    }
}

TEST(FramePredicates, FlagConstantsAreSwooleValues) {
    EXPECT_EQ(flag::kFin, 1u);
    EXPECT_EQ(flag::kCompress, 2u);
    EXPECT_EQ(flag::kRsv1, 4u);
    EXPECT_EQ(flag::kRsv2, 8u);
    EXPECT_EQ(flag::kRsv3, 16u);
    EXPECT_EQ(flag::kMask, 32u);
    EXPECT_EQ(flag::kAll, 63u);
}

TEST(FramePredicates, HeaderFlagsView) {
    FrameHeader h;
    EXPECT_EQ(h.flags(), flag::kFin);
    h.fin = false;
    EXPECT_EQ(h.flags(), 0u);
    h.rsv1 = true;
    EXPECT_EQ(h.flags(), flag::kRsv1);
    h.rsv2 = true;
    h.rsv3 = true;
    h.masked = true;
    h.fin = true;
    EXPECT_EQ(h.flags(), flag::kFin | flag::kRsv1 | flag::kRsv2 | flag::kRsv3 | flag::kMask);
    EXPECT_EQ(h.flags() & flag::kCompress, 0u);
}

// ---------------------------------------------------------------------------------
// encode_frame_header / frame_header_size

TEST(EncodeFrameHeader, SevenBitLengths) {
    EXPECT_EQ(hex(encode(header(1, 0))), "81 00");
    EXPECT_EQ(hex(encode(header(1, 1))), "81 01");
    EXPECT_EQ(hex(encode(header(2, 125))), "82 7d");
}

TEST(EncodeFrameHeader, SixteenBitLengths) {
    EXPECT_EQ(hex(encode(header(1, 126))), "81 7e 00 7e");
    EXPECT_EQ(hex(encode(header(2, 127))), "82 7e 00 7f");
    EXPECT_EQ(hex(encode(header(2, 256))), "82 7e 01 00");
    EXPECT_EQ(hex(encode(header(2, 65535))), "82 7e ff ff");
}

TEST(EncodeFrameHeader, SixtyFourBitLengths) {
    EXPECT_EQ(hex(encode(header(2, 65536))), "82 7f 00 00 00 00 00 01 00 00");
    EXPECT_EQ(hex(encode(header(2, 0x0123456789abcdefULL))), "82 7f 01 23 45 67 89 ab cd ef");
    EXPECT_EQ(hex(encode(header(2, 0x7fffffffffffffffULL))), "82 7f 7f ff ff ff ff ff ff ff");
}

TEST(EncodeFrameHeader, MaskedAddsBitAndKeyAfterLength) {
    struct Case {
        uint64_t len;
        const char *expected;
    } cases[] = {
        {0, "81 80 a1 b2 c3 d4"},
        {125, "81 fd a1 b2 c3 d4"},
        {126, "81 fe 00 7e a1 b2 c3 d4"},
        {65535, "81 fe ff ff a1 b2 c3 d4"},
        {65536, "81 ff 00 00 00 00 00 01 00 00 a1 b2 c3 d4"},
    };
    for (const auto &c : cases) {
        FrameHeader h = header(1, c.len);
        h.masked = true;
        h.mask_key[0] = 0xa1;
        h.mask_key[1] = 0xb2;
        h.mask_key[2] = 0xc3;
        h.mask_key[3] = 0xd4;
        EXPECT_EQ(hex(encode(h)), c.expected) << c.len;
    }
}

TEST(EncodeFrameHeader, EveryOpcodeAndFin) {
    for (unsigned op = 0; op < 16; op++) {
        for (bool fin : {false, true}) {
            Bytes b = encode(header(static_cast<uint8_t>(op), 5, fin));
            ASSERT_EQ(b.size(), 2u);
            EXPECT_EQ(b[0], (fin ? 0x80 : 0) | op) << op;
            EXPECT_EQ(b[1], 5);
        }
    }
}

TEST(EncodeFrameHeader, RsvBits) {
    for (int bits = 0; bits < 8; bits++) {
        FrameHeader h = header(2, 3);
        h.rsv1 = bits & 1;
        h.rsv2 = bits & 2;
        h.rsv3 = bits & 4;
        Bytes b = encode(h);
        uint8_t expected = 0x82 | ((bits & 1) ? 0x40 : 0) | ((bits & 2) ? 0x20 : 0) | ((bits & 4) ? 0x10 : 0);
        ASSERT_EQ(b.size(), 2u);
        EXPECT_EQ(b[0], expected) << bits;
    }
}

TEST(EncodeFrameHeader, SizeAgreesWithFrameHeaderSize) {
    const uint64_t lengths[] = {0, 1, 124, 125, 126, 127, 1000, 65534, 65535, 65536, 65537, 1ULL << 32,
                                0x7fffffffffffffffULL};
    for (uint64_t len : lengths) {
        for (bool masked : {false, true}) {
            FrameHeader h = header(2, len);
            h.masked = masked;
            size_t expected = (len <= 125 ? 2 : len <= 65535 ? 4 : 10) + (masked ? 4 : 0);
            EXPECT_EQ(frame_header_size(len, masked), expected) << len << " " << masked;
            EXPECT_EQ(encode(h).size(), expected) << len << " " << masked;
        }
    }
}

// ---------------------------------------------------------------------------------
// apply_mask

TEST(ApplyMask, MatchesReferenceForAllLengthsPhasesAndAlignments) {
    const uint8_t key[4] = {0x5a, 0x01, 0xf3, 0x80};
    Bytes input = wstest::random_bytes(64 + 16, 1234);
    for (size_t len = 0; len <= 64; len++) {
        for (size_t phase = 0; phase < 4; phase++) {
            Bytes expected(len);
            wstest::reference_mask(expected.data(), input.data(), len, key, phase);
            for (size_t src_off = 0; src_off < 8; src_off++) {
                // Out of place, with every relative misalignment of source and destination.
                for (size_t dst_off = 0; dst_off < 8; dst_off++) {
                    std::vector<uint8_t> src(len + 16, 0), dst(len + 16, 0xee);
                    std::memcpy(src.data() + src_off, input.data(), len);
                    apply_mask(dst.data() + dst_off, src.data() + src_off, len, key, phase);
                    ASSERT_EQ(Bytes(dst.begin() + dst_off, dst.begin() + dst_off + len), expected)
                        << "len=" << len << " phase=" << phase << " src_off=" << src_off << " dst_off=" << dst_off;
                    // Nothing written outside [dst_off, dst_off + len).
                    for (size_t i = 0; i < dst.size(); i++) {
                        if (i < dst_off || i >= dst_off + len) {
                            ASSERT_EQ(dst[i], 0xee) << "overwrite at " << i;
                        }
                    }
                    // The source is untouched.
                    ASSERT_EQ(0, std::memcmp(src.data() + src_off, input.data(), len));
                }
                // In place.
                std::vector<uint8_t> buf(len + 16, 0xee);
                std::memcpy(buf.data() + src_off, input.data(), len);
                apply_mask(buf.data() + src_off, buf.data() + src_off, len, key, phase);
                ASSERT_EQ(Bytes(buf.begin() + src_off, buf.begin() + src_off + len), expected)
                    << "in place len=" << len << " phase=" << phase << " off=" << src_off;
                for (size_t i = 0; i < buf.size(); i++) {
                    if (i < src_off || i >= src_off + len) {
                        ASSERT_EQ(buf[i], 0xee) << "overwrite at " << i;
                    }
                }
            }
        }
    }
}

TEST(ApplyMask, LongBuffers) {
    const uint8_t key[4] = {0xde, 0xad, 0xbe, 0xef};
    for (size_t len : {100, 255, 256, 1000, 4096, 65537}) {
        for (size_t phase = 0; phase < 4; phase++) {
            Bytes input = wstest::random_bytes(len + 1, static_cast<uint32_t>(len));
            Bytes expected(len), got(len + 1);
            wstest::reference_mask(expected.data(), input.data() + 1, len, key, phase);
            apply_mask(got.data() + 1, input.data() + 1, len, key, phase);
            ASSERT_EQ(Bytes(got.begin() + 1, got.end()), expected) << len << " " << phase;
        }
    }
}

TEST(ApplyMask, TwiceIsIdentity) {
    const uint8_t key[4] = {0x00, 0xff, 0x12, 0x9c};
    for (size_t len = 0; len <= 64; len++) {
        for (size_t phase = 0; phase < 4; phase++) {
            Bytes original = wstest::random_bytes(len, static_cast<uint32_t>(len * 4 + phase));
            Bytes buf = original;
            apply_mask(buf.data(), buf.data(), len, key, phase);
            apply_mask(buf.data(), buf.data(), len, key, phase);
            ASSERT_EQ(buf, original) << len << " " << phase;
        }
    }
}

TEST(ApplyMask, ChunkedWithPhaseEqualsWhole) {
    // Unmasking a payload as it arrives in arbitrary pieces, passing each piece's payload
    // offset mod 4 as the phase, gives the same bytes as unmasking it in one go.
    const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    Bytes payload = wstest::random_bytes(300, 99);
    Bytes whole(payload.size());
    apply_mask(whole.data(), payload.data(), payload.size(), key, 0);
    std::mt19937 rng(7);
    for (int round = 0; round < 200; round++) {
        Bytes chunked(payload.size());
        size_t pos = 0;
        while (pos < payload.size()) {
            size_t n = std::min<size_t>(payload.size() - pos, rng() % 23);
            apply_mask(chunked.data() + pos, payload.data() + pos, n, key, pos % 4);
            pos += n;
        }
        ASSERT_EQ(chunked, whole) << round;
    }
}

TEST(ApplyMask, PhaseIsTakenModuloFour) {
    // "phase is the payload offset of src[0] (mod 4)": a caller passing the raw offset
    // (e.g. Step::offset) must get the same result as passing offset % 4.
    const uint8_t key[4] = {1, 2, 4, 8};
    Bytes input = wstest::random_bytes(37, 5);
    for (size_t phase : {4, 5, 6, 7, 1001, 65539}) {
        Bytes a(input.size()), b(input.size());
        apply_mask(a.data(), input.data(), input.size(), key, phase);
        apply_mask(b.data(), input.data(), input.size(), key, phase % 4);
        EXPECT_EQ(a, b) << phase;
    }
}

TEST(ApplyMask, DefaultPhaseIsZero) {
    const uint8_t key[4] = {0x80, 0x40, 0x20, 0x10};
    Bytes input = bytes({0, 0, 0, 0, 0, 0xff});
    Bytes out(input.size());
    apply_mask(out.data(), input.data(), input.size(), key);
    EXPECT_EQ(hex(out), "80 40 20 10 80 bf");
}

TEST(RandomMaskKey, NotConstant) {
    std::set<uint32_t> seen;
    for (int i = 0; i < 16; i++) {
        uint8_t key[4] = {0, 0, 0, 0};
        random_mask_key(key);
        uint32_t v;
        std::memcpy(&v, key, 4);
        seen.insert(v);
    }
    // 16 draws of 32 random bits: a collision is astronomically unlikely, a fixed key certain.
    EXPECT_GE(seen.size(), 15u);
}

// ---------------------------------------------------------------------------------
// parse_close_payload

namespace {

Bytes close_body(unsigned code, const std::string &reason = "") {
    Bytes b;
    b.reserve(2 + reason.size());
    b.push_back(static_cast<uint8_t>(code >> 8));
    b.push_back(static_cast<uint8_t>(code));
    for (char c : reason) b.push_back(static_cast<uint8_t>(c));
    return b;
}

}  // namespace

TEST(ParseClosePayload, EmptyBodyMeansNoStatus) {
    for (bool strict : {false, true}) {
        ClosePayload out;
        out.code = 1;
        uint8_t dummy = 0;
        EXPECT_EQ(parse_close_payload(&dummy, 0, strict, out), CloseParse::Ok);
        EXPECT_EQ(out.code, close_code::kNoStatus);
        EXPECT_TRUE(out.reason.empty());
    }
}

TEST(ParseClosePayload, OneByteIsTooShort) {
    for (bool strict : {false, true}) {
        for (int b : {0x00, 0x03, 0xff}) {
            ClosePayload out;
            uint8_t byte = static_cast<uint8_t>(b);
            EXPECT_EQ(parse_close_payload(&byte, 1, strict, out), CloseParse::TooShort) << strict << " " << b;
        }
    }
}

TEST(ParseClosePayload, CodeAndReason) {
    for (bool strict : {false, true}) {
        Bytes body = close_body(1000);
        ClosePayload out;
        EXPECT_EQ(parse_close_payload(body.data(), body.size(), strict, out), CloseParse::Ok);
        EXPECT_EQ(out.code, 1000);
        EXPECT_TRUE(out.reason.empty());

        body = close_body(4321, "bye \xc3\xa9t\xc3\xa9");
        EXPECT_EQ(parse_close_payload(body.data(), body.size(), strict, out), CloseParse::Ok);
        EXPECT_EQ(out.code, 4321);
        EXPECT_EQ(out.reason, "bye \xc3\xa9t\xc3\xa9");
        // The reason refers to the caller's buffer (no copy).
        EXPECT_EQ(reinterpret_cast<const uint8_t *>(out.reason.data()), body.data() + 2);
    }
}

TEST(ParseClosePayload, BigEndianCode) {
    Bytes body = bytes({0x0b, 0xb8});  // 3000
    ClosePayload out;
    ASSERT_EQ(parse_close_payload(body.data(), body.size(), true, out), CloseParse::Ok);
    EXPECT_EQ(out.code, 3000);
}

TEST(ParseClosePayload, StrictRejectsCodesThatMustNotBeSent) {
    for (unsigned code : {0u, 1u, 999u, 1004u, 1005u, 1006u, 1015u, 1016u, 1100u, 2000u, 2999u, 5000u, 65535u}) {
        Bytes body = close_body(code, "x");
        ClosePayload out;
        EXPECT_EQ(parse_close_payload(body.data(), body.size(), true, out), CloseParse::InvalidCode) << code;
        // Without strict only the structure counts.
        ClosePayload lenient;
        EXPECT_EQ(parse_close_payload(body.data(), body.size(), false, lenient), CloseParse::Ok) << code;
        EXPECT_EQ(lenient.code, code);
        EXPECT_EQ(lenient.reason, "x");
    }
}

TEST(ParseClosePayload, StrictAcceptsSendableCodes) {
    std::vector<unsigned> codes = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                                   3000, 3999, 4000, 4999};
    for (unsigned code : codes) {
        Bytes body = close_body(code);
        ClosePayload out;
        EXPECT_EQ(parse_close_payload(body.data(), body.size(), true, out), CloseParse::Ok) << code;
        EXPECT_EQ(out.code, code);
    }
}

TEST(ParseClosePayload, StrictAgreesWithIsSendableForEveryCode) {
    for (unsigned code = 0; code <= 0xffff; code++) {
        Bytes body = close_body(code);
        ClosePayload out;
        CloseParse expected = is_sendable_close_code(code) ? CloseParse::Ok : CloseParse::InvalidCode;
        ASSERT_EQ(parse_close_payload(body.data(), body.size(), true, out), expected) << code;
    }
}

TEST(ParseClosePayload, InvalidUtf8ReasonOnlyInStrictMode) {
    const std::string bad_reasons[] = {
        "\xff",            // never valid
        "abc\xc3",         // truncated
        "\xc0\x80",        // overlong NUL
        "\xed\xa0\x80",    // surrogate
        "ok\xf4\x90\x80\x80",  // > U+10FFFF
    };
    for (const auto &reason : bad_reasons) {
        Bytes body = close_body(1000, reason);
        ClosePayload out;
        EXPECT_EQ(parse_close_payload(body.data(), body.size(), true, out), CloseParse::InvalidUtf8) << hex(reason);
        ClosePayload lenient;
        EXPECT_EQ(parse_close_payload(body.data(), body.size(), false, lenient), CloseParse::Ok) << hex(reason);
        EXPECT_EQ(lenient.code, 1000);
        EXPECT_EQ(lenient.reason, reason);
    }
}

TEST(ParseClosePayload, LongestReason) {
    std::string reason(kMaxCloseReason, 'r');
    Bytes body = close_body(1001, reason);
    ASSERT_EQ(body.size(), kMaxControlPayload);
    ClosePayload out;
    EXPECT_EQ(parse_close_payload(body.data(), body.size(), true, out), CloseParse::Ok);
    EXPECT_EQ(out.reason.size(), kMaxCloseReason);
}
