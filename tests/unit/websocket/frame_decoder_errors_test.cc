// Tests for src/core/websocket/frame_decoder.h: protocol errors, each with its close code.
#include "frame_decoder_test_util.h"

using namespace decoder_test;

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
