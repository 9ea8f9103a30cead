// Tests for src/core/websocket/frame_decoder.h: incremental decoding split at every byte
// boundary, every protocol error with its close code, and fragmented-message tracking.
//
// Decoding and message tracking; protocol errors are in frame_decoder_errors_test.cc.
#include "frame_decoder_test_util.h"

using namespace decoder_test;

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
