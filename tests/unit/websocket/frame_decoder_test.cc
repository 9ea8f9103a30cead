// Tests for src/core/websocket/frame_decoder.h: incremental decoding split at every byte
// boundary, every protocol error with its close code, and fragmented-message tracking.
#include "core/websocket/frame_decoder.h"

#include <gtest/gtest.h>

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

using namespace wsserver;
using wstest::Bytes;
using wstest::bytes;
using wstest::client_frame;
using wstest::FrameSpec;
using wstest::server_frame;
using Event = FrameDecoder::Event;

namespace {

constexpr uint8_t kCont = 0, kText = 1, kBin = 2, kClose = 8, kPing = 9, kPong = 10;

// One normalized event: consecutive Payload steps are merged and NeedMore is not
// recorded, so that the same stream split differently gives the same list.
struct Ev {
    Event kind;
    FrameHeader header;   // FrameStart
    std::string payload;  // Payload (still masked, as the decoder reports it)
    uint16_t code = 0;    // Error
    // Decoder state observed right after the step.
    bool in_message = false;
    uint8_t message_opcode = 0;
    bool message_compressed = false;
};

bool same_header(const FrameHeader &a, const FrameHeader &b) {
    return a.fin == b.fin && a.rsv1 == b.rsv1 && a.rsv2 == b.rsv2 && a.rsv3 == b.rsv3 && a.opcode == b.opcode &&
           a.masked == b.masked && a.payload_length == b.payload_length &&
           (!a.masked || std::memcmp(a.mask_key, b.mask_key, 4) == 0);
}

bool same_event(const Ev &a, const Ev &b, bool with_state) {
    if (a.kind != b.kind) return false;
    if (with_state && (a.in_message != b.in_message || a.message_opcode != b.message_opcode ||
                       a.message_compressed != b.message_compressed))
        return false;
    switch (a.kind) {
        case Event::FrameStart: return same_header(a.header, b.header);
        case Event::Payload: return a.payload == b.payload;
        case Event::Error: return a.code == b.code;
        default: return true;
    }
}

std::string describe(const std::vector<Ev> &evs) {
    std::ostringstream os;
    for (const auto &e : evs) {
        switch (e.kind) {
            case Event::NeedMore: os << "NeedMore "; break;
            case Event::FrameStart:
                os << "Start(op=" << int(e.header.opcode) << " fin=" << e.header.fin << " rsv=" << e.header.rsv1
                   << e.header.rsv2 << e.header.rsv3 << " mask=" << e.header.masked
                   << " len=" << e.header.payload_length << ") ";
                break;
            case Event::Payload: os << "Payload(" << e.payload.size() << ") "; break;
            case Event::FrameEnd: os << "End "; break;
            case Event::Error: os << "Error(" << e.code << ") "; break;
        }
    }
    return os.str();
}

::testing::AssertionResult events_equal(const std::vector<Ev> &a, const std::vector<Ev> &b, bool with_state) {
    bool eq = a.size() == b.size();
    for (size_t i = 0; eq && i < a.size(); i++) eq = same_event(a[i], b[i], with_state);
    if (eq) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "\n  got:      " << describe(a) << "\n  expected: " << describe(b);
}

// Drives a FrameDecoder over chunks, checking the Step contract on every step.
class Driver {
public:
    explicit Driver(DecoderOptions options = {}) : decoder(options) {}

    // Feeds one chunk; returns false once the decoder reported an error.
    bool feed(const uint8_t *p, size_t n) {
        if (errored_) return false;
        size_t pos = 0;
        for (int guard = 0;; guard++) {
            if (guard > 1000000) {
                ADD_FAILURE() << "decoder does not make progress";
                return false;
            }
            FrameDecoder::Step s = decoder.next(p + pos, n - pos);
            if (s.consumed > n - pos) {
                ADD_FAILURE() << "consumed " << s.consumed << " of " << n - pos;
                return false;
            }
            Ev ev;
            ev.kind = s.event;
            switch (s.event) {
                case Event::NeedMore:
                    if (s.consumed != n - pos) ADD_FAILURE() << "NeedMore left " << n - pos - s.consumed << " bytes";
                    return true;
                case Event::FrameStart:
                    if (in_frame_) ADD_FAILURE() << "FrameStart inside a frame";
                    in_frame_ = true;
                    seen_ = 0;
                    ev.header = decoder.header();
                    break;
                case Event::Payload:
                    if (!in_frame_) ADD_FAILURE() << "Payload outside a frame";
                    if (s.size == 0) ADD_FAILURE() << "empty Payload step";
                    if (s.data != p + pos) ADD_FAILURE() << "Payload does not point at the consumed input";
                    if (s.consumed != s.size) ADD_FAILURE() << "Payload consumed " << s.consumed << " size " << s.size;
                    if (s.offset != seen_) ADD_FAILURE() << "Payload offset " << s.offset << " expected " << seen_;
                    seen_ += s.size;
                    if (seen_ > decoder.header().payload_length) ADD_FAILURE() << "payload longer than announced";
                    ev.payload.assign(reinterpret_cast<const char *>(s.data), s.size);
                    break;
                case Event::FrameEnd:
                    if (!in_frame_) ADD_FAILURE() << "FrameEnd outside a frame";
                    if (seen_ != decoder.header().payload_length)
                        ADD_FAILURE() << "FrameEnd after " << seen_ << " of " << decoder.header().payload_length;
                    in_frame_ = false;
                    break;
                case Event::Error:
                    ev.code = decoder.error().close_code;
                    errored_ = true;
                    break;
            }
            ev.in_message = decoder.in_message();
            ev.message_opcode = decoder.message_opcode();
            ev.message_compressed = decoder.message_compressed();
            if (ev.kind == Event::Payload && !events.empty() && events.back().kind == Event::Payload) {
                events.back().payload += ev.payload;
                events.back().in_message = ev.in_message;
            } else {
                events.push_back(ev);
            }
            pos += s.consumed;
            if (s.event == Event::Error) return false;
        }
    }
    bool feed(const Bytes &b) { return feed(b.data(), b.size()); }

    bool errored() const { return errored_; }
    uint16_t error_code() const { return errored_ ? decoder.error().close_code : 0; }
    size_t count(Event kind) const {
        size_t n = 0;
        for (const auto &e : events) n += e.kind == kind;
        return n;
    }

    FrameDecoder decoder;
    std::vector<Ev> events;

private:
    bool in_frame_ = false;
    uint64_t seen_ = 0;
    bool errored_ = false;
};

std::vector<Ev> decode_whole(const Bytes &stream, DecoderOptions options = {}) {
    Driver d(options);
    d.feed(stream);
    return d.events;
}

std::vector<Ev> decode_split(const Bytes &stream, const std::vector<size_t> &cuts, DecoderOptions options = {}) {
    Driver d(options);
    size_t prev = 0;
    for (size_t cut : cuts) {
        if (!d.feed(stream.data() + prev, cut - prev)) return d.events;
        prev = cut;
    }
    d.feed(stream.data() + prev, stream.size() - prev);
    return d.events;
}

std::vector<Ev> decode_bytewise(const Bytes &stream, DecoderOptions options = {}) {
    Driver d(options);
    for (size_t i = 0; i < stream.size(); i++) {
        if (!d.feed(stream.data() + i, 1)) break;
    }
    return d.events;
}

// The events a correct decoder reports for a list of frames (state fields not set).
struct Expect {
    std::vector<Ev> events;
    Bytes stream;

    void add(const FrameSpec &spec) {
        Bytes wire = wstest::build_frame(spec);
        wstest::append(stream, wire);
        Ev start;
        start.kind = Event::FrameStart;
        start.header.fin = spec.fin;
        start.header.rsv1 = spec.rsv1;
        start.header.rsv2 = spec.rsv2;
        start.header.rsv3 = spec.rsv3;
        start.header.opcode = spec.opcode;
        start.header.masked = spec.masked;
        std::memcpy(start.header.mask_key, spec.key, 4);
        start.header.payload_length = spec.payload.size();
        events.push_back(start);
        if (!spec.payload.empty()) {
            Ev payload;
            payload.kind = Event::Payload;
            payload.payload.assign(wire.end() - spec.payload.size(), wire.end());  // masked bytes
            events.push_back(payload);
        }
        Ev end;
        end.kind = Event::FrameEnd;
        events.push_back(end);
    }
    void add(uint8_t opcode, const Bytes &payload, bool fin = true, bool masked = true, bool rsv1 = false) {
        FrameSpec spec;
        spec.opcode = opcode;
        spec.payload = payload;
        spec.fin = fin;
        spec.masked = masked;
        spec.rsv1 = rsv1;
        spec.key[0] = static_cast<uint8_t>(events.size() * 37 + 1);
        spec.key[1] = static_cast<uint8_t>(payload.size());
        spec.key[2] = 0xa5;
        spec.key[3] = static_cast<uint8_t>(0x80 | opcode);
        add(spec);
    }
};

Bytes text(size_t n, char c = 'a') { return Bytes(n, static_cast<uint8_t>(c)); }

// A stream of small client frames covering every length encoding and frame kind that a
// server with default options accepts, including a fragmented message with control
// frames interleaved.
Expect client_corpus() {
    Expect e;
    e.add(kText, bytes("Hello"));
    e.add(kBin, {});
    e.add(kPing, {});
    e.add(kText, bytes("frag1"), false);
    e.add(kPing, bytes("p"));
    e.add(kCont, bytes("frag2"), false);
    e.add(kPong, text(125, 'q'));
    e.add(kCont, {}, false);
    e.add(kCont, bytes("end"), true);
    e.add(kBin, wstest::random_bytes(126, 1));
    e.add(kBin, wstest::random_bytes(127, 2));
    e.add(kText, {});
    e.add(kBin, wstest::random_bytes(1, 3));
    e.add(kBin, wstest::random_bytes(300, 4));
    e.add(kBin, {}, false);
    e.add(kCont, wstest::random_bytes(2, 5), true);
    e.add(kClose, bytes({0x03, 0xe8, 'b', 'y', 'e'}));
    return e;
}

// The same from the client's point of view: unmasked server frames.
Expect server_corpus() {
    Expect e;
    e.add(kText, bytes("hi"), true, false);
    e.add(kBin, {}, true, false);
    e.add(kText, bytes("a"), false, false);
    e.add(kPong, {}, true, false);
    e.add(kCont, text(200, 'z'), true, false);
    e.add(kPing, text(125, 'p'), true, false);
    e.add(kClose, {}, true, false);
    return e;
}

DecoderOptions client_side_options() {
    DecoderOptions o;
    o.require_masked = false;
    o.allow_masked = true;
    return o;
}

// Feeds `stream` whole and split in various ways and expects the same error code, and
// no FrameStart beyond `good_frames`.
void expect_error(const Bytes &stream, uint16_t code, DecoderOptions options = {}, size_t good_frames = 0) {
    SCOPED_TRACE(wstest::hex(Bytes(stream.begin(), stream.begin() + std::min<size_t>(stream.size(), 16))));
    Driver whole(options);
    whole.feed(stream);
    ASSERT_TRUE(whole.errored()) << describe(whole.events);
    EXPECT_EQ(whole.error_code(), code) << whole.decoder.error().message;
    EXPECT_EQ(whole.count(Event::FrameStart), good_frames) << describe(whole.events);
    EXPECT_NE(whole.decoder.error().message, nullptr);
    if (whole.decoder.error().message) {
        EXPECT_STRNE(whole.decoder.error().message, "");
    }

    std::vector<Ev> bytewise = decode_bytewise(stream, options);
    EXPECT_TRUE(events_equal(bytewise, whole.events, true));
}

}  // namespace

// ---------------------------------------------------------------------------------
// Normal decoding

TEST(FrameDecoder, EmptyInputNeedsMore) {
    FrameDecoder d;
    uint8_t dummy = 0;
    FrameDecoder::Step s = d.next(&dummy, 0);
    EXPECT_EQ(s.event, Event::NeedMore);
    EXPECT_EQ(s.consumed, 0u);
    EXPECT_FALSE(d.in_message());
}

TEST(FrameDecoder, SingleMaskedTextFrame) {
    // RFC 6455 5.7: a masked "Hello".
    Bytes wire = bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    FrameDecoder d;
    FrameDecoder::Step s = d.next(wire.data(), wire.size());
    ASSERT_EQ(s.event, Event::FrameStart);
    EXPECT_EQ(s.consumed, 6u);
    EXPECT_TRUE(d.header().fin);
    EXPECT_EQ(d.header().opcode, kText);
    EXPECT_TRUE(d.header().masked);
    EXPECT_EQ(d.header().payload_length, 5u);
    EXPECT_EQ(wstest::hex(d.header().mask_key, 4), "37 fa 21 3d");
    EXPECT_EQ(d.message_opcode(), kText);
    EXPECT_FALSE(d.message_compressed());

    s = d.next(wire.data() + 6, wire.size() - 6);
    ASSERT_EQ(s.event, Event::Payload);
    EXPECT_EQ(s.consumed, 5u);
    EXPECT_EQ(s.size, 5u);
    EXPECT_EQ(s.offset, 0u);
    ASSERT_EQ(s.data, wire.data() + 6);
    uint8_t plain[5];
    apply_mask(plain, s.data, s.size, d.header().mask_key, s.offset);
    EXPECT_EQ(std::string(reinterpret_cast<char *>(plain), 5), "Hello");

    s = d.next(wire.data() + 11, 0);
    EXPECT_EQ(s.event, Event::FrameEnd);
    EXPECT_EQ(s.consumed, 0u);
    s = d.next(wire.data() + 11, 0);
    EXPECT_EQ(s.event, Event::NeedMore);
    EXPECT_FALSE(d.in_message());
}

TEST(FrameDecoder, UnmaskedServerFrameOnClientSide) {
    Bytes wire = bytes({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'});  // RFC 6455 5.7
    Expect e;
    e.add(kText, bytes("Hello"), true, false);
    ASSERT_EQ(e.stream, wire);
    EXPECT_TRUE(events_equal(decode_whole(wire, client_side_options()), e.events, false));
}

TEST(FrameDecoder, ZeroLengthPayloadIsStartThenEnd) {
    for (uint8_t op : {kText, kBin, kPing, kPong, kClose}) {
        Expect e;
        e.add(op, {});
        std::vector<Ev> got = decode_whole(e.stream);
        ASSERT_EQ(got.size(), 2u) << describe(got);
        EXPECT_EQ(got[0].kind, Event::FrameStart);
        EXPECT_EQ(got[1].kind, Event::FrameEnd);
        EXPECT_TRUE(events_equal(got, e.events, false));
        EXPECT_TRUE(events_equal(decode_bytewise(e.stream), e.events, false));
    }
}

TEST(FrameDecoder, MultipleFramesInOneBuffer) {
    Expect e = client_corpus();
    EXPECT_TRUE(events_equal(decode_whole(e.stream), e.events, false));
    Expect s = server_corpus();
    EXPECT_TRUE(events_equal(decode_whole(s.stream, client_side_options()), s.events, false));
}

TEST(FrameDecoder, SplitAtEveryByteBoundary) {
    for (bool server_side : {true, false}) {
        Expect e = server_side ? client_corpus() : server_corpus();
        DecoderOptions options = server_side ? DecoderOptions{} : client_side_options();
        std::vector<Ev> whole = decode_whole(e.stream, options);
        ASSERT_TRUE(events_equal(whole, e.events, false));
        for (size_t cut = 0; cut <= e.stream.size(); cut++) {
            ASSERT_TRUE(events_equal(decode_split(e.stream, {cut}, options), whole, true))
                << "cut at " << cut << " server_side=" << server_side;
        }
        ASSERT_TRUE(events_equal(decode_bytewise(e.stream, options), whole, true));
    }
}

TEST(FrameDecoder, EveryFrameSplitAtEveryPairOfBoundaries) {
    // Each frame of the corpus on its own, cut in three pieces at every pair of positions.
    Expect corpus = client_corpus();
    size_t pos = 0;
    std::vector<Bytes> frames;
    // Rebuild the individual frames from the corpus stream using the expected events.
    for (const Ev &ev : corpus.events) {
        if (ev.kind != Event::FrameStart) continue;
        size_t size = frame_header_size(ev.header.payload_length, ev.header.masked) + ev.header.payload_length;
        frames.emplace_back(corpus.stream.begin() + pos, corpus.stream.begin() + pos + size);
        pos += size;
    }
    ASSERT_EQ(pos, corpus.stream.size());
    // A fragmented-message context so that the continuation frames are legal on their own.
    DecoderOptions options;
    options.check_fragments = false;
    for (const Bytes &frame : frames) {
        if (frame.size() > 140) continue;  // the quadratic loop stays on the small frames
        std::vector<Ev> whole = decode_whole(frame, options);
        ASSERT_EQ(whole.back().kind, Event::FrameEnd) << describe(whole);
        for (size_t a = 0; a <= frame.size(); a++) {
            for (size_t b = a; b <= frame.size(); b++) {
                ASSERT_TRUE(events_equal(decode_split(frame, {a, b}, options), whole, true))
                    << "cuts " << a << "," << b << " of " << frame.size();
            }
        }
    }
}

TEST(FrameDecoder, RandomChunking) {
    Expect e = client_corpus();
    std::vector<Ev> whole = decode_whole(e.stream);
    std::mt19937 rng(2024);
    for (int round = 0; round < 300; round++) {
        std::vector<size_t> cuts;
        size_t pos = 0;
        while (true) {
            pos += rng() % 20;  // zero-sized chunks included
            if (pos > e.stream.size()) break;
            cuts.push_back(pos);
        }
        ASSERT_TRUE(events_equal(decode_split(e.stream, cuts), whole, true)) << "round " << round;
    }
}

TEST(FrameDecoder, LargeFrames) {
    for (size_t len : {65535, 65536, 100000}) {
        Expect e;
        e.add(kBin, wstest::random_bytes(len, static_cast<uint32_t>(len)));
        e.add(kText, bytes("after"));
        std::vector<Ev> whole = decode_whole(e.stream);
        ASSERT_TRUE(events_equal(whole, e.events, false)) << len;
        ASSERT_TRUE(events_equal(decode_bytewise(e.stream), whole, true)) << len;
        size_t header = frame_header_size(len, true);
        for (size_t cut = 0; cut <= header + 2; cut++) {
            ASSERT_TRUE(events_equal(decode_split(e.stream, {cut}), whole, true)) << len << " cut " << cut;
        }
        for (size_t cut = header + len - 3; cut <= e.stream.size(); cut++) {
            ASSERT_TRUE(events_equal(decode_split(e.stream, {cut}), whole, true)) << len << " cut " << cut;
        }
    }
}

TEST(FrameDecoder, PayloadIsReportedStillMasked) {
    Expect e;
    e.add(kBin, Bytes(6, 0));
    std::vector<Ev> got = decode_whole(e.stream);
    ASSERT_GE(got.size(), 2u);
    ASSERT_EQ(got[1].kind, Event::Payload);
    // Zero bytes masked are the key itself.
    EXPECT_EQ(wstest::hex(got[1].payload), wstest::hex(Bytes({got[0].header.mask_key[0], got[0].header.mask_key[1],
                                                               got[0].header.mask_key[2], got[0].header.mask_key[3],
                                                               got[0].header.mask_key[0], got[0].header.mask_key[1]})));
}

TEST(FrameDecoder, PayloadExactlyMaxPayloadIsAccepted) {
    DecoderOptions o;
    o.max_payload = 10;
    Expect e;
    e.add(kBin, text(10));
    e.add(kText, {});
    EXPECT_TRUE(events_equal(decode_whole(e.stream, o), e.events, false));
}

TEST(FrameDecoder, MaxPayloadZeroAllowsEmptyFrames) {
    DecoderOptions o;
    o.max_payload = 0;
    Expect e;
    e.add(kText, {});
    e.add(kPing, {});
    EXPECT_TRUE(events_equal(decode_whole(e.stream, o), e.events, false));
    Expect bad;
    bad.add(kPing, bytes("x"));
    expect_error(bad.stream, close_code::kMessageTooBig, o);
}

// ---------------------------------------------------------------------------------
// Protocol errors

TEST(FrameDecoderErrors, UnmaskedClientFrame) {
    expect_error(server_frame(kText, bytes("hi")), close_code::kProtocolError);
    expect_error(server_frame(kPing, {}), close_code::kProtocolError);
    // After good frames, the bad one is still caught.
    Bytes stream = client_frame(kText, bytes("ok"));
    wstest::append(stream, server_frame(kBin, bytes("x")));
    expect_error(stream, close_code::kProtocolError, {}, 1);
}

TEST(FrameDecoderErrors, MaskedServerFrameOnStrictClient) {
    DecoderOptions o;
    o.require_masked = false;
    // allow_masked=false is the client setting: server frames must not be masked.
    o.allow_masked = false;
    expect_error(client_frame(kText, bytes("hi")), close_code::kProtocolError, o);
    expect_error(client_frame(kPong, {}), close_code::kProtocolError, o);
    Expect ok;
    ok.add(kText, bytes("hi"), true, false);
    EXPECT_TRUE(events_equal(decode_whole(ok.stream, o), ok.events, false));
}

TEST(FrameDecoderErrors, ReservedOpcodes) {
    for (uint8_t op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
        SCOPED_TRACE(int(op));
        expect_error(client_frame(op, bytes("x")), close_code::kProtocolError);
        expect_error(client_frame(op, {}), close_code::kProtocolError);
        DecoderOptions all;
        all.allow_rsv1 = all.allow_rsv23 = true;
        all.check_fragments = false;
        expect_error(client_frame(op, bytes("x")), close_code::kProtocolError, all);
    }
}

TEST(FrameDecoderErrors, FragmentedControlFrame) {
    for (uint8_t op : {kClose, kPing, kPong}) {
        expect_error(client_frame(op, {}, false), close_code::kProtocolError);
        expect_error(client_frame(op, bytes("ab"), false), close_code::kProtocolError);
    }
}

TEST(FrameDecoderErrors, ControlPayloadOver125) {
    for (uint8_t op : {kClose, kPing, kPong}) {
        SCOPED_TRACE(int(op));
        // Only the header: the error must not wait for the payload.
        FrameSpec f;
        f.opcode = op;
        f.use_length_override = true;
        f.length_override = 126;
        expect_error(wstest::build_frame(f), close_code::kProtocolError);
        // The whole frame, and a 64-bit encoded length.
        expect_error(client_frame(op, text(126)), close_code::kProtocolError);
        f.length_override = 1000;
        f.length_bits = 64;
        expect_error(wstest::build_frame(f), close_code::kProtocolError);
    }
    // 125 is fine.
    Expect ok;
    ok.add(kPing, text(125));
    EXPECT_TRUE(events_equal(decode_whole(ok.stream), ok.events, false));
}

TEST(FrameDecoderErrors, Rsv1WithoutExtension) {
    expect_error(client_frame(kText, bytes("x"), true, true), close_code::kProtocolError);
    expect_error(client_frame(kBin, {}, false, true), close_code::kProtocolError);
    expect_error(client_frame(kPing, {}, true, true), close_code::kProtocolError);
}

TEST(FrameDecoderErrors, Rsv1OnControlFrameEvenWithDeflate) {
    DecoderOptions o;
    o.allow_rsv1 = true;
    for (uint8_t op : {kClose, kPing, kPong}) {
        expect_error(client_frame(op, {}, true, true), close_code::kProtocolError, o);
    }
}

TEST(FrameDecoderErrors, Rsv1OnContinuationEvenWithDeflate) {
    DecoderOptions o;
    o.allow_rsv1 = true;
    Bytes stream = client_frame(kText, bytes("a"), false, true);
    wstest::append(stream, client_frame(kCont, bytes("b"), true, true));
    expect_error(stream, close_code::kProtocolError, o, 1);
    // Also without check_fragments.
    o.check_fragments = false;
    expect_error(stream, close_code::kProtocolError, o, 1);
}

TEST(FrameDecoderErrors, Rsv2Rsv3WithoutExtension) {
    for (int which = 0; which < 3; which++) {
        FrameSpec f;
        f.opcode = kBin;
        f.payload = bytes("x");
        f.rsv2 = which != 1;
        f.rsv3 = which != 0;
        expect_error(wstest::build_frame(f), close_code::kProtocolError);
        DecoderOptions o;
        o.allow_rsv1 = true;  // RSV1 permission does not extend to RSV2/RSV3
        expect_error(wstest::build_frame(f), close_code::kProtocolError, o);

        DecoderOptions allow;
        allow.allow_rsv23 = true;
        Expect e;
        e.add(f);
        EXPECT_TRUE(events_equal(decode_whole(e.stream, allow), e.events, false)) << which;
    }
}

TEST(FrameDecoderErrors, SixtyFourBitLengthWithMsbSet) {
    for (uint64_t len : {0x8000000000000000ULL, 0xffffffffffffffffULL, 0x8000000000000005ULL}) {
        FrameSpec f;
        f.opcode = kBin;
        f.length_bits = 64;
        f.use_length_override = true;
        f.length_override = len;
        Bytes wire = wstest::build_frame(f);
        ASSERT_EQ(wire.size(), 14u);
        expect_error(wire, close_code::kProtocolError);
        expect_error(wire, close_code::kProtocolError, client_side_options());
    }
}

TEST(FrameDecoderErrors, PayloadOverMaxPayloadFailsAtHeader) {
    struct Case {
        uint64_t max;
        uint64_t len;
    } cases[] = {{9, 10}, {125, 126}, {1000, 65535}, {65535, 65536}, {1 << 20, (1 << 20) + 1}, {0, 1},
                 {100, 0x7fffffffffffffffULL}};
    for (const auto &c : cases) {
        SCOPED_TRACE(c.len);
        DecoderOptions o;
        o.max_payload = c.max;
        FrameSpec f;
        f.opcode = kBin;
        f.use_length_override = true;
        f.length_override = c.len;
        Bytes header_only = wstest::build_frame(f);  // no payload bytes at all
        expect_error(header_only, close_code::kMessageTooBig, o);
        // Same for a continuation of an open message and for text frames.
        f.opcode = kText;
        expect_error(wstest::build_frame(f), close_code::kMessageTooBig, o);
        Bytes stream = client_frame(kText, {}, false);
        f.opcode = kCont;
        wstest::append(stream, wstest::build_frame(f));
        expect_error(stream, close_code::kMessageTooBig, o, 1);
    }
}

TEST(FrameDecoderErrors, ContinuationWithoutMessage) {
    expect_error(client_frame(kCont, bytes("x")), close_code::kProtocolError);
    expect_error(client_frame(kCont, bytes("x"), false), close_code::kProtocolError);
    // After a complete message, a continuation is again an error.
    Bytes stream = client_frame(kText, bytes("a"), false);
    wstest::append(stream, client_frame(kCont, bytes("b"), true));
    wstest::append(stream, client_frame(kCont, bytes("c"), true));
    expect_error(stream, close_code::kProtocolError, {}, 2);
    // Without check_fragments the decoder leaves ordering to the caller.
    DecoderOptions o;
    o.check_fragments = false;
    Expect e;
    e.add(kCont, bytes("x"));
    EXPECT_TRUE(events_equal(decode_whole(e.stream, o), e.events, false));
}

TEST(FrameDecoderErrors, NewDataFrameInsideFragmentedMessage) {
    for (uint8_t first : {kText, kBin}) {
        for (uint8_t second : {kText, kBin}) {
            for (bool second_fin : {false, true}) {
                Bytes stream = client_frame(first, bytes("a"), false);
                wstest::append(stream, client_frame(second, bytes("b"), second_fin));
                expect_error(stream, close_code::kProtocolError, {}, 1);
                // With a control frame in between too.
                Bytes stream2 = client_frame(first, bytes("a"), false);
                wstest::append(stream2, client_frame(kPing, {}));
                wstest::append(stream2, client_frame(second, bytes("b"), second_fin));
                expect_error(stream2, close_code::kProtocolError, {}, 2);

                DecoderOptions o;
                o.check_fragments = false;
                Expect e;
                e.add(first, bytes("a"), false);
                e.add(second, bytes("b"), second_fin);
                EXPECT_TRUE(events_equal(decode_whole(e.stream, o), e.events, false));
            }
        }
    }
}

TEST(FrameDecoderErrors, ControlFramesInsideFragmentedMessageAreFine) {
    Expect e;
    e.add(kText, bytes("one "), false);
    e.add(kPing, bytes("are you there"));
    e.add(kCont, bytes("two "), false);
    e.add(kPong, {});
    e.add(kPing, {});
    e.add(kCont, bytes("three"), false);
    e.add(kClose, bytes({0x03, 0xe9}));
    e.add(kCont, {}, true);
    EXPECT_TRUE(events_equal(decode_whole(e.stream), e.events, false));
    EXPECT_TRUE(events_equal(decode_bytewise(e.stream), e.events, false));
}

TEST(FrameDecoderErrors, ErrorsAreSticky) {
    FrameDecoder d;
    Bytes bad = client_frame(5, {});
    FrameDecoder::Step s = d.next(bad.data(), bad.size());
    ASSERT_EQ(s.event, Event::Error);
    EXPECT_LE(s.consumed, bad.size());
    const uint16_t code = d.error().close_code;
    EXPECT_EQ(code, close_code::kProtocolError);
    Bytes good = client_frame(kText, bytes("fine"));
    for (int i = 0; i < 3; i++) {
        s = d.next(good.data(), good.size());
        EXPECT_EQ(s.event, Event::Error);
        EXPECT_EQ(d.error().close_code, code);
        s = d.next(good.data(), 0);
        EXPECT_EQ(s.event, Event::Error);
    }
}

TEST(FrameDecoderErrors, ErrorMidStreamAfterPartialFrames) {
    // The bad frame arrives after a good frame that is split over several calls.
    Bytes stream = client_frame(kBin, text(300));
    wstest::append(stream, client_frame(kPing, bytes("x"), false));
    for (size_t cut = 0; cut <= stream.size(); cut += 7) {
        Driver d;
        d.feed(stream.data(), cut);
        d.feed(stream.data() + cut, stream.size() - cut);
        EXPECT_EQ(d.error_code(), close_code::kProtocolError) << cut;
        EXPECT_EQ(d.count(Event::FrameStart), 1u) << cut;
        EXPECT_EQ(d.count(Event::FrameEnd), 1u) << cut;
    }
}

// ---------------------------------------------------------------------------------
// Message tracking and reset

TEST(FrameDecoderMessages, TracksFragmentedMessage) {
    DecoderOptions o;
    o.allow_rsv1 = true;
    Expect e;
    e.add(kBin, bytes("a"), false, true, true);  // compressed fragmented binary message
    e.add(kPing, bytes("p"));
    e.add(kCont, bytes("b"), false);
    e.add(kCont, bytes("c"), true);
    Driver d(o);
    d.feed(e.stream);
    ASSERT_FALSE(d.errored()) << describe(d.events);
    ASSERT_TRUE(events_equal(d.events, e.events, false));
    // Find the FrameStart/FrameEnd of each frame: frames are ping at index 1, etc.
    std::vector<const Ev *> starts, ends;
    for (const auto &ev : d.events) {
        if (ev.kind == Event::FrameStart) starts.push_back(&ev);
        if (ev.kind == Event::FrameEnd) ends.push_back(&ev);
    }
    ASSERT_EQ(starts.size(), 4u);
    ASSERT_EQ(ends.size(), 4u);
    // First fragment.
    EXPECT_EQ(starts[0]->message_opcode, kBin);
    EXPECT_TRUE(starts[0]->message_compressed);
    EXPECT_TRUE(ends[0]->in_message);
    EXPECT_EQ(ends[0]->message_opcode, kBin);
    EXPECT_TRUE(ends[0]->message_compressed);
    // The ping does not end the message.
    EXPECT_TRUE(ends[1]->in_message);
    // Continuations belong to the binary compressed message.
    EXPECT_TRUE(starts[2]->in_message);
    EXPECT_EQ(starts[2]->message_opcode, kBin);
    EXPECT_TRUE(starts[2]->message_compressed);
    EXPECT_TRUE(ends[2]->in_message);
    EXPECT_EQ(starts[3]->message_opcode, kBin);
    EXPECT_TRUE(starts[3]->message_compressed);
    // The final continuation closes it.
    EXPECT_FALSE(ends[3]->in_message);
    EXPECT_FALSE(d.decoder.in_message());

    // A following uncompressed text message.
    Driver d2(o);
    Bytes stream = e.stream;
    wstest::append(stream, client_frame(kText, bytes("t")));
    d2.feed(stream);
    ASSERT_FALSE(d2.errored());
    const Ev *last_start = nullptr;
    for (const auto &ev : d2.events)
        if (ev.kind == Event::FrameStart) last_start = &ev;
    ASSERT_NE(last_start, nullptr);
    EXPECT_EQ(last_start->message_opcode, kText);
    EXPECT_FALSE(last_start->message_compressed);
    EXPECT_FALSE(d2.decoder.in_message());
}

TEST(FrameDecoderMessages, SingleFrameMessages) {
    DecoderOptions o;
    o.allow_rsv1 = true;
    for (uint8_t op : {kText, kBin}) {
        for (bool rsv1 : {false, true}) {
            FrameDecoder d(o);
            Bytes wire = client_frame(op, bytes("xyz"), true, rsv1);
            FrameDecoder::Step s = d.next(wire.data(), wire.size());
            ASSERT_EQ(s.event, Event::FrameStart);
            EXPECT_EQ(d.header().rsv1, rsv1);
            EXPECT_EQ(d.message_opcode(), op);
            EXPECT_EQ(d.message_compressed(), rsv1);
        }
    }
}

TEST(FrameDecoderMessages, ResetAfterError) {
    FrameDecoder d;
    Bytes bad = server_frame(kText, bytes("x"));
    ASSERT_EQ(d.next(bad.data(), bad.size()).event, Event::Error);
    d.reset();
    EXPECT_FALSE(d.in_message());
    Driver check;  // compare against a fresh decoder
    Bytes good = client_frame(kText, bytes("fine"));
    check.feed(good);
    Driver after;
    after.decoder = d;
    after.feed(good);
    EXPECT_TRUE(events_equal(after.events, check.events, true));
    EXPECT_FALSE(after.errored());
}

TEST(FrameDecoderMessages, ResetDropsPartialHeaderAndMessage) {
    Bytes first = client_frame(kText, bytes("part"), false);
    // Decode the fragment, then half of another header.
    Driver drv;
    drv.feed(first);
    ASSERT_TRUE(drv.decoder.in_message());
    Bytes next = client_frame(kBin, text(200));
    drv.feed(next.data(), 3);
    drv.decoder.reset();
    EXPECT_FALSE(drv.decoder.in_message());
    // A continuation is now an error, a new message is fine, and the stale header
    // bytes are gone.
    Driver a;
    a.decoder = drv.decoder;
    a.feed(client_frame(kCont, bytes("x")));
    EXPECT_EQ(a.error_code(), close_code::kProtocolError);
    Driver b;
    b.decoder = drv.decoder;
    Expect e;
    e.add(kText, bytes("fresh"));
    b.feed(e.stream);
    EXPECT_TRUE(events_equal(b.events, e.events, false));
}

TEST(FrameDecoderMessages, ResetMidPayload) {
    Driver d;
    Bytes big = client_frame(kBin, text(1000));
    d.feed(big.data(), 500);
    d.decoder.reset();
    Driver after;
    after.decoder = d.decoder;
    Expect e;
    e.add(kPing, bytes("hi"));
    after.feed(e.stream);
    EXPECT_TRUE(events_equal(after.events, e.events, false));
}

TEST(FrameDecoderMessages, OptionsAccessors) {
    DecoderOptions o;
    o.max_payload = 77;
    o.allow_rsv1 = true;
    FrameDecoder d(o);
    EXPECT_EQ(d.options().max_payload, 77u);
    EXPECT_TRUE(d.options().allow_rsv1);
    o.max_payload = 5;
    d.set_options(o);
    EXPECT_EQ(d.options().max_payload, 5u);
    Bytes wire = client_frame(kBin, text(6));
    EXPECT_EQ(d.next(wire.data(), wire.size()).event, Event::Error);
    EXPECT_EQ(d.error().close_code, close_code::kMessageTooBig);
}

TEST(FrameDecoderMessages, DefaultOptions) {
    DecoderOptions o;
    EXPECT_TRUE(o.require_masked);
    EXPECT_TRUE(o.allow_masked);
    EXPECT_FALSE(o.allow_rsv1);
    EXPECT_FALSE(o.allow_rsv23);
    EXPECT_TRUE(o.check_fragments);
    EXPECT_EQ(o.max_payload, UINT64_MAX);
}
