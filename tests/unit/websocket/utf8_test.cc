// Tests for src/core/websocket/utf8.h: one-shot and incremental UTF-8 validation.
#include "core/websocket/utf8.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

using namespace wsserver;
using wstest::hex;

namespace {

const uint8_t *u8(const std::string &s) { return reinterpret_cast<const uint8_t *>(s.data()); }

bool valid(const std::string &s) { return is_valid_utf8(u8(s), s.size()); }

// Feeds `s` in pieces cut at `cuts`; returns complete().
struct IncrementalResult {
    bool all_feeds_ok;
    bool complete;
    bool failed;
};

IncrementalResult feed_split(const std::string &s, const std::vector<size_t> &cuts) {
    Utf8Validator v;
    bool ok = true;
    size_t prev = 0;
    for (size_t cut : cuts) {
        ok = v.feed(u8(s) + prev, cut - prev) && ok;
        prev = cut;
    }
    ok = v.feed(u8(s) + prev, s.size() - prev) && ok;
    return {ok, v.complete(), v.failed()};
}

// Byte by byte, checking after every byte that the validator fails exactly when the
// prefix can no longer be UTF-8 ("false as soon as the input can no longer be UTF-8").
void check_bytewise_against_reference(const std::string &s) {
    Utf8Validator v;
    for (size_t i = 0; i < s.size(); i++) {
        bool complete;
        size_t viable = wstest::reference_utf8_viable(u8(s), i + 1, complete);
        bool expect_ok = viable == i + 1;
        bool got = v.feed(u8(s) + i, 1);
        ASSERT_EQ(got, expect_ok) << "after byte " << i << " of " << hex(s);
        ASSERT_EQ(v.failed(), !expect_ok) << "after byte " << i << " of " << hex(s);
        ASSERT_EQ(v.complete(), expect_ok && complete) << "after byte " << i << " of " << hex(s);
        if (!expect_ok) {
            // Sticky: nothing fed afterwards repairs it.
            ASSERT_FALSE(v.feed(u8("a"), 1));
            ASSERT_TRUE(v.failed());
            ASSERT_FALSE(v.complete());
            return;
        }
    }
}

const char *const kValidSamples[] = {
    "",
    "plain ascii",
    "caf\xc3\xa9",
    "\xe2\x82\xac 100",
    "\xf0\x9d\x84\x9e clef",
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
    "\xf0\x9f\x98\x80\xf0\x9f\x98\x81\xf0\x9f\x98\x82",
    "\xc2\x80",          // U+0080
    "\xdf\xbf",          // U+07FF
    "\xe0\xa0\x80",      // U+0800
    "\xed\x9f\xbf",      // U+D7FF
    "\xee\x80\x80",      // U+E000
    "\xef\xbf\xbf",      // U+FFFF
    "\xef\xbb\xbf",      // BOM
    "\xf0\x90\x80\x80",  // U+10000
    "\xf4\x8f\xbf\xbf",  // U+10FFFF
    "\xf3\xbf\xbf\xbf",
};

struct Invalid {
    const char *bytes;
    bool truncated;  // a viable prefix: feed() succeeds, complete() is false
};

const Invalid kInvalidSamples[] = {
    {"\xc0\x80", false},              // overlong NUL
    {"\xc1\xbf", false},              // overlong
    {"\xe0\x80\x80", false},          // overlong
    {"\xe0\x9f\xbf", false},          // overlong U+07FF
    {"\xf0\x80\x80\x80", false},      // overlong
    {"\xf0\x8f\xbf\xbf", false},      // overlong U+FFFF
    {"\xed\xa0\x80", false},          // U+D800
    {"\xed\xbf\xbf", false},          // U+DFFF
    {"\xed\xa0\x80\xed\xb0\x80", false},  // CESU-8 surrogate pair
    {"\xf4\x90\x80\x80", false},      // U+110000
    {"\xf5\x80\x80\x80", false},
    {"\xf7\xbf\xbf\xbf", false},
    {"\x80", false},                  // stray continuation
    {"\xbf", false},
    {"a\x80" "b", false},
    {"\xc3\xa9\xa9", false},          // one continuation too many
    {"\xf8\x88\x80\x80\x80", false},  // 5-byte form
    {"\xfc\x84\x80\x80\x80\x80", false},  // 6-byte form
    {"\xfe", false},
    {"\xff", false},
    {"ab\xfe\xff", false},
    {"\xc3" "a", false},              // lead byte followed by ASCII
    {"\xe2\x82" "a", false},
    {"\xf0\x9f\x98" "a", false},
    {"\xc3", true},                   // truncated sequences
    {"\xe2\x82", true},
    {"\xe2", true},
    {"\xf0\x9f\x98", true},
    {"\xf4\x8f", true},
    {"abc\xf0", true},
};

}  // namespace

TEST(Utf8, ValidSamples) {
    for (const char *sample : kValidSamples) {
        std::string s(sample);
        EXPECT_TRUE(valid(s)) << hex(s);
        EXPECT_TRUE(wstest::reference_utf8_valid(u8(s), s.size())) << "reference disagrees: " << hex(s);
        Utf8Validator v;
        EXPECT_TRUE(v.feed(u8(s), s.size())) << hex(s);
        EXPECT_TRUE(v.complete()) << hex(s);
        EXPECT_FALSE(v.failed()) << hex(s);
    }
    std::string with_nul("a\0b\x7f", 4);
    EXPECT_TRUE(valid(with_nul));
}

TEST(Utf8, EmptyInput) {
    uint8_t dummy = 0xff;
    EXPECT_TRUE(is_valid_utf8(&dummy, 0));
    Utf8Validator v;
    EXPECT_TRUE(v.complete());
    EXPECT_FALSE(v.failed());
    EXPECT_TRUE(v.feed(&dummy, 0));
    EXPECT_TRUE(v.complete());
}

TEST(Utf8, InvalidSamples) {
    for (const auto &sample : kInvalidSamples) {
        std::string s(sample.bytes);
        SCOPED_TRACE(hex(s));
        EXPECT_FALSE(valid(s));
        EXPECT_FALSE(wstest::reference_utf8_valid(u8(s), s.size())) << "reference disagrees";
        Utf8Validator v;
        bool fed = v.feed(u8(s), s.size());
        EXPECT_FALSE(v.complete());
        if (sample.truncated) {
            EXPECT_TRUE(fed);
            EXPECT_FALSE(v.failed());
        } else {
            EXPECT_FALSE(fed);
            EXPECT_TRUE(v.failed());
        }
        check_bytewise_against_reference(s);
        // Embedded in valid text.
        std::string embedded = "prefix \xc3\xa9 " + s + (sample.truncated ? "" : " suffix");
        EXPECT_FALSE(valid(embedded));
    }
}

TEST(Utf8, ValidTextSplitAtEveryBoundary) {
    std::string text =
        "Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9d\x84\x9e \xe6\x97\xa5\xe6\x9c\xac "
        "\xf4\x8f\xbf\xbf \xef\xbf\xbf \xc2\x80 end";
    ASSERT_TRUE(valid(text));
    for (size_t cut = 0; cut <= text.size(); cut++) {
        Utf8Validator v;
        ASSERT_TRUE(v.feed(u8(text), cut)) << cut;
        // Mid-code-point is pending, not failed.
        bool complete;
        wstest::reference_utf8_viable(u8(text), cut, complete);
        EXPECT_EQ(v.complete(), complete) << cut;
        EXPECT_FALSE(v.failed()) << cut;
        ASSERT_TRUE(v.feed(u8(text) + cut, text.size() - cut)) << cut;
        EXPECT_TRUE(v.complete()) << cut;
    }
    for (size_t a = 0; a <= text.size(); a++) {
        for (size_t b = a; b <= text.size(); b++) {
            IncrementalResult r = feed_split(text, {a, b});
            ASSERT_TRUE(r.all_feeds_ok && r.complete && !r.failed) << a << "," << b;
        }
    }
    check_bytewise_against_reference(text);
}

TEST(Utf8, InvalidTextSplitAtEveryBoundary) {
    for (const auto &sample : kInvalidSamples) {
        std::string s = std::string("ok \xe2\x82\xac ") + sample.bytes + (sample.truncated ? "" : " more");
        for (size_t cut = 0; cut <= s.size(); cut++) {
            IncrementalResult r = feed_split(s, {cut});
            EXPECT_FALSE(r.complete) << hex(s) << " cut " << cut;
            EXPECT_EQ(r.failed, !sample.truncated) << hex(s) << " cut " << cut;
            EXPECT_EQ(r.all_feeds_ok, sample.truncated) << hex(s) << " cut " << cut;
        }
    }
}

TEST(Utf8, FailureIsStickyAndResetClears) {
    Utf8Validator v;
    EXPECT_FALSE(v.feed(u8("\xff"), 1));
    EXPECT_TRUE(v.failed());
    EXPECT_FALSE(v.feed(u8("abc"), 3));
    EXPECT_FALSE(v.complete());
    v.reset();
    EXPECT_FALSE(v.failed());
    EXPECT_TRUE(v.complete());
    EXPECT_TRUE(v.feed(u8("abc"), 3));
    EXPECT_TRUE(v.complete());
    // reset() also drops a pending partial code point.
    EXPECT_TRUE(v.feed(u8("\xe2\x82"), 2));
    EXPECT_FALSE(v.complete());
    v.reset();
    EXPECT_TRUE(v.complete());
    EXPECT_FALSE(v.feed(u8("\xac"), 1));  // the continuation is now stray
}

TEST(Utf8, LongAsciiWithOneBadByteAtEveryPosition) {
    // Exercises any word-at-a-time fast path: the bad byte lands in every lane, at every
    // alignment of the buffer start.
    const uint8_t bad_bytes[] = {0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xfe, 0xff};
    std::vector<uint8_t> storage(64 + 16);
    for (size_t align = 0; align < 8; align++) {
        uint8_t *buf = storage.data() + align;
        for (size_t pos = 0; pos < 64; pos++) {
            for (uint8_t bad : bad_bytes) {
                std::memset(buf, 'x', 64);
                buf[pos] = bad;
                ASSERT_FALSE(is_valid_utf8(buf, 64)) << "align " << align << " pos " << pos << " byte " << int(bad);
                Utf8Validator v;
                ASSERT_FALSE(v.feed(buf, 64)) << "align " << align << " pos " << pos << " byte " << int(bad);
                ASSERT_TRUE(v.failed());
            }
            // A lone lead byte in ASCII is invalid (the next byte is not a continuation),
            // except at the very end where it is only truncated.
            for (uint8_t lead : {0xc3, 0xe2, 0xf0}) {
                std::memset(buf, 'x', 64);
                buf[pos] = lead;
                ASSERT_FALSE(is_valid_utf8(buf, 64)) << "lead at " << pos;
                Utf8Validator v;
                bool fed = v.feed(buf, 64);
                ASSERT_EQ(fed, pos == 63) << "lead at " << pos;
                ASSERT_FALSE(v.complete());
            }
            // A valid 2-, 3- and 4-byte sequence at every position that fits.
            const char *seqs[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
            for (const char *seq : seqs) {
                size_t n = std::strlen(seq);
                if (pos + n > 64) continue;
                std::memset(buf, 'x', 64);
                std::memcpy(buf + pos, seq, n);
                ASSERT_TRUE(is_valid_utf8(buf, 64)) << "seq at " << pos;
                // A high byte alone is not enough to fail a fast path: corrupt the last byte.
                buf[pos + n - 1] = 'x';
                ASSERT_FALSE(is_valid_utf8(buf, 64)) << "corrupted seq at " << pos;
            }
        }
    }
}

TEST(Utf8, LongBuffers) {
    std::string ascii(100000, 'a');
    EXPECT_TRUE(valid(ascii));
    ascii[99999] = '\x80';
    EXPECT_FALSE(valid(ascii));
    std::string mixed;
    for (int i = 0; i < 20000; i++) wstest::put_utf8(mixed, static_cast<uint32_t>((i * 7919) % 0x10ffff));
    // put_utf8 may have produced surrogates: check against the reference.
    EXPECT_EQ(valid(mixed), wstest::reference_utf8_valid(u8(mixed), mixed.size()));
    std::string clean;
    for (uint32_t cp = 0; cp <= 0x10ffff; cp += 97) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        wstest::put_utf8(clean, cp);
    }
    EXPECT_TRUE(valid(clean));
}

TEST(Utf8, EveryCodePoint) {
    for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
        std::string s;
        wstest::put_utf8(s, cp);
        bool expected = !(cp >= 0xd800 && cp <= 0xdfff);
        ASSERT_EQ(valid(s), expected) << std::hex << cp;
    }
}

TEST(Utf8, EveryTwoByteAndThreeBytePrefix) {
    // All 2-byte strings, and all 3-byte strings starting with a multi-byte lead,
    // byte by byte against the reference.
    for (int a = 0; a < 256; a++) {
        for (int b = 0; b < 256; b++) {
            std::string s{static_cast<char>(a), static_cast<char>(b)};
            ASSERT_EQ(valid(s), wstest::reference_utf8_valid(u8(s), 2)) << hex(s);
        }
    }
    for (int a = 0xc0; a < 256; a++) {
        for (int b = 0x70; b < 0xd0; b++) {
            for (int c = 0x70; c < 0xd0; c++) {
                std::string s{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)};
                ASSERT_EQ(valid(s), wstest::reference_utf8_valid(u8(s), 3)) << hex(s);
                ASSERT_NO_FATAL_FAILURE(check_bytewise_against_reference(s));
            }
        }
    }
}

TEST(Utf8, RandomStringsAgainstReference) {
    std::mt19937 rng(0x5eed);
    // Pieces biased towards interesting bytes so that valid strings are common too.
    const std::vector<std::string> pieces = {
        "a", "Z", " ", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
        "\xed\x9f\xbf", "\xee\x80\x80", "\x80", "\xbf", "\xc0", "\xc2", "\xe0", "\xe0\xa0", "\xed", "\xed\xa0",
        "\xf0", "\xf0\x90", "\xf4", "\xf4\x90", "\xf5", "\xff",
    };
    for (int round = 0; round < 20000; round++) {
        std::string s;
        size_t len = rng() % 40;
        while (s.size() < len) {
            if (rng() % 3 == 0) {
                s += static_cast<char>(rng());
            } else {
                s += pieces[rng() % pieces.size()];
            }
        }
        bool expected = wstest::reference_utf8_valid(u8(s), s.size());
        ASSERT_EQ(valid(s), expected) << hex(s);
        // Incremental with a random split into up to 4 pieces.
        std::vector<size_t> cuts;
        size_t pos = 0;
        for (int k = 0; k < 3; k++) {
            pos += rng() % (s.size() + 1 - pos);
            cuts.push_back(pos);
        }
        IncrementalResult r = feed_split(s, cuts);
        ASSERT_EQ(r.complete, expected) << hex(s);
        bool complete;
        bool viable = wstest::reference_utf8_viable(u8(s), s.size(), complete) == s.size();
        ASSERT_EQ(r.failed, !viable) << hex(s);
        ASSERT_EQ(r.all_feeds_ok, viable) << hex(s);
        if (round % 10 == 0) {
            ASSERT_NO_FATAL_FAILURE(check_bytewise_against_reference(s));
        }
    }
}
