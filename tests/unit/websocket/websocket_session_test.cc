// Tests for src/core/websocket/websocket_session.h: the server side of one connection. Client
// frames come from the independent builder in test_util.h; server output is parsed here
// by hand, not with the decoder under test.
//
// Reading, control frames, the close handshake, protocol errors, limits, encoding; the
// permessage-deflate cases are in websocket_session_deflate_test.cc.
#include "websocket_session_test_util.h"

#include <cstdio>

using namespace session_test;

namespace {

// ---------------------------------------------------------------------------------------
// Messages

TEST(WebSocketSession, WholeMessageIsHandedOutInPlaceUnmasked) {
    WebSocketSession s;
    Bytes buf = cf(kText, "Hello");
    const WebSocketSession::Event e = s.next(buf.data(), buf.size());
    EXPECT_EQ(e.type, ET::Message);
    EXPECT_EQ(e.consumed, buf.size());
    EXPECT_EQ(e.opcode, kText);
    EXPECT_EQ(e.flags, kFin);
    EXPECT_EQ(e.payload(), "Hello");
    EXPECT_EQ(e.data, buf.data() + 6) << "the payload is a span of the read buffer";
    EXPECT_EQ(wstest::str(Bytes(buf.begin() + 6, buf.end())), "Hello") << "unmasked in place";
    const WebSocketSession::Event e2 = s.next(buf.data() + e.consumed, 0);
    EXPECT_EQ(e2.type, ET::NeedMore);
    EXPECT_EQ(e2.consumed, 0u);
    EXPECT_EQ(s.buffer_capacity(), std::string().capacity()) << "no allocation";
}

TEST(WebSocketSession, ManyMessagesInOneReadNeedNoAllocation) {
    WebSocketSession s;
    Bytes input;
    std::vector<Ev> want;
    for (int i = 0; i < 200; i++) {
        std::string p = "message " + std::to_string(i) + std::string(size_t(i), 'x');
        uint8_t op = i % 3 == 0 ? kBin : kText;
        wstest::append(input, cf(op, p));
        want.push_back(message(p, op));
    }
    size_t pos = 0;
    std::vector<Ev> got;
    for (;;) {
        const WebSocketSession::Event e = s.next(input.data() + pos, input.size() - pos);
        if (e.type == ET::Message) {
            EXPECT_GE(e.data, input.data());
            EXPECT_LE(e.data + e.size, input.data() + input.size());
        }
        pos += e.consumed;
        if (e.type == ET::NeedMore) break;
        got.push_back(capture(e));
    }
    EXPECT_EQ(pos, input.size());
    EXPECT_EQ(got, want);
    EXPECT_EQ(s.buffer_capacity(), std::string().capacity());
}

TEST(WebSocketSession, LengthEncodings) {
    for (size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 200000u}) {
        WebSocketSession s;
        std::string p = text_of(n, uint32_t(n));
        EXPECT_EQ(feed(s, cf(kText, p)), std::vector<Ev>{message(p)}) << n;
        Bytes b = wstest::random_bytes(n, 7);
        EXPECT_EQ(feed(s, client_frame(kBin, b)), std::vector<Ev>{message(wstest::str(b), kBin)}) << n;
    }
}

TEST(WebSocketSession, EmptyMessagesHaveANonNullPointer) {
    WebSocketSession s;
    Bytes buf = cat({cf(kText, ""), cf(kBin, ""), cf(kText, "", false), cf(kCont, "")});
    size_t pos = 0;
    int messages = 0;
    for (;;) {
        const WebSocketSession::Event e = s.next(buf.data() + pos, buf.size() - pos);
        pos += e.consumed;
        if (e.type == ET::NeedMore) break;
        EXPECT_EQ(e.type, ET::Message);
        EXPECT_NE(e.data, nullptr);
        EXPECT_EQ(e.size, 0u);
        messages++;
    }
    EXPECT_EQ(messages, 3);
}

TEST(WebSocketSession, MessageSplitAcrossReadsIsAssembled) {
    WebSocketSession s;
    std::string p = text_of(100000, 1);
    Bytes frame = cf(kText, p);
    EXPECT_EQ(feed_reads(s, frame, {5, 30000, 40000}), std::vector<Ev>{message(p)});
    // The same session goes on with the fast path.
    EXPECT_EQ(feed(s, cf(kText, "next")), std::vector<Ev>{message("next")});
}

TEST(WebSocketSession, FragmentedMessageWithInterleavedControlFrames) {
    WebSocketSession s;
    Bytes input = cat({cf(kText, "Hel", false), cf(kPing, "p1"), cf(kCont, "lo, ", false), cf(kPong, "x"),
                       cf(kCont, "", false), cf(kPing, ""), cf(kCont, "w\xc3\xb6rld", true)});
    std::vector<Ev> want = {send_pong("p1"), send_pong(""), message("Hello, w\xc3\xb6rld")};
    EXPECT_EQ(feed(s, input), want);
    EXPECT_EQ(s.state(), WebSocketSession::State::Open);
}

TEST(WebSocketSession, FragmentedBinaryWithEmptyFragments) {
    WebSocketSession s;
    Bytes input = cat({cf(kBin, "", false), cf(kCont, "", false), cf(kCont, std::string("\0\xff", 2), false),
                       cf(kCont, "", true)});
    EXPECT_EQ(feed(s, input), std::vector<Ev>{message(std::string("\0\xff", 2), kBin)});
}

// The reference sequence for the split tests: every kind of frame.
Bytes mixed_sequence() {
    return cat({cf(kText, "first"), cf(kBin, std::string(300, '\x01')), cf(kPing, "are you there"),
                cf(kText, "fr\xe2\x82", false), cf(kPing, "mid"), cf(kCont, "\xac-ag", false),
                cf(kCont, "ment", true), cf(kPong, "unsolicited"), client_frame(kBin, wstest::random_bytes(70000, 3)),
                cf(kText, ""), cf(kClose, close_body(1000, "bye")), cf(kText, "ignored after close")});
}

std::vector<Ev> mixed_expected(bool deliver) {
    std::vector<Ev> want = {message("first"), message(std::string(300, '\x01'), kBin)};
    want.push_back(deliver ? ping("are you there") : send_pong("are you there"));
    want.push_back(deliver ? ping("mid") : send_pong("mid"));
    want.push_back(message("fr\xe2\x82\xac-agment"));
    if (deliver) want.push_back(pong("unsolicited"));
    want.push_back(message(wstest::str(wstest::random_bytes(70000, 3)), kBin));
    want.push_back(message(""));
    if (deliver) want.push_back(close_event(1000, "bye", close_body(1000, "bye")));
    want.push_back(send_close(1000));
    want.push_back(disconnect());
    return want;
}

TEST(WebSocketSession, AnySplitGivesTheSameEvents) {
    const Bytes input = mixed_sequence();
    for (bool deliver : {false, true}) {
        SessionOptions o;
        o.deliver_ping = o.deliver_pong = o.deliver_close = deliver;
        const std::vector<Ev> want = mixed_expected(deliver);
        {
            WebSocketSession s(o);
            ASSERT_EQ(feed(s, input), want);
        }
        for (size_t k = 0; k <= input.size(); k += (k < 600 || k > input.size() - 600) ? 1 : 97) {
            WebSocketSession s(o);
            ASSERT_EQ(feed_reads(s, input, {k}), want) << "split at " << k;
        }
        for (size_t a = 0; a < 40; a++) {
            for (size_t b = 1; b < 40; b += 3) {
                WebSocketSession s(o);
                ASSERT_EQ(feed_reads(s, input, {a, b}), want) << "splits " << a << ", " << b;
            }
        }
    }
}

TEST(WebSocketSession, ByteByByte) {
    const Bytes input = mixed_sequence();
    WebSocketSession s;
    EXPECT_EQ(feed_chunked(s, input, 1), mixed_expected(false));
    for (size_t chunk : {2u, 3u, 7u, 13u, 125u, 4096u}) {
        WebSocketSession t;
        EXPECT_EQ(feed_chunked(t, input, chunk), mixed_expected(false)) << chunk;
    }
}

TEST(WebSocketSession, ConsumedAddsUpAcrossEvents) {
    WebSocketSession s;
    Bytes input = cat({cf(kText, "a"), cf(kPing, "b"), cf(kText, "c")});
    WebSocketSession::Event e = s.next(input.data(), input.size());
    EXPECT_EQ(e.type, ET::Message);
    EXPECT_EQ(e.consumed, 7u);
    size_t pos = e.consumed;
    e = s.next(input.data() + pos, input.size() - pos);
    EXPECT_EQ(e.type, ET::Send);
    EXPECT_EQ(e.consumed, 7u);
    pos += e.consumed;
    e = s.next(input.data() + pos, input.size() - pos);
    EXPECT_EQ(e.type, ET::Message);
    pos += e.consumed;
    EXPECT_EQ(pos, input.size());
}

// ---------------------------------------------------------------------------------------
// Control frames

TEST(WebSocketSession, PingIsAnsweredWithItsPayload) {
    WebSocketSession s;
    std::string p(125, 'p');
    EXPECT_EQ(feed(s, cf(kPing, p)), std::vector<Ev>{send_pong(p)});
    EXPECT_EQ(feed_chunked(s, cf(kPing, "split ping"), 1), std::vector<Ev>{send_pong("split ping")});
}

TEST(WebSocketSession, DeliveredPingIsNotAnswered) {
    SessionOptions o;
    o.deliver_ping = true;
    WebSocketSession s(o);
    EXPECT_EQ(feed(s, cf(kPing, "hi")), std::vector<Ev>{ping("hi")});
}

TEST(WebSocketSession, PongIsIgnoredUnlessDelivered) {
    WebSocketSession s;
    EXPECT_EQ(feed(s, cf(kPong, "x")), std::vector<Ev>{});
    SessionOptions o;
    o.deliver_pong = true;
    WebSocketSession d(o);
    EXPECT_EQ(feed(d, cf(kPong, "x")), std::vector<Ev>{pong("x")});
}

// ---------------------------------------------------------------------------------------
// Close handshake

TEST(WebSocketSession, PeerCloseIsEchoedThenDisconnect) {
    WebSocketSession s;
    EXPECT_EQ(feed(s, cf(kClose, close_body(1001, "going"))), (std::vector<Ev>{send_close(1001), disconnect()}));
    EXPECT_EQ(s.state(), WebSocketSession::State::Closed);
    EXPECT_TRUE(s.close_received());
    EXPECT_EQ(s.peer_close_code(), 1001);
    EXPECT_EQ(s.peer_close_reason(), "going");
    EXPECT_EQ(s.sent_close_code(), 1001);
    EXPECT_EQ(s.failure().close_code, 0);
    // Everything after is ignored, all of it consumed.
    Bytes more = cf(kText, "late");
    const WebSocketSession::Event e = s.next(more.data(), more.size());
    EXPECT_EQ(e.type, ET::NeedMore);
    EXPECT_EQ(e.consumed, more.size());
    EXPECT_EQ(s.peer_close_reason(), "going");
}

TEST(WebSocketSession, DeliveredCloseComesFirst) {
    SessionOptions o;
    o.deliver_close = true;
    WebSocketSession s(o);
    std::string reason(123, 'r');
    EXPECT_EQ(feed(s, cf(kClose, close_body(4999, reason))),
              (std::vector<Ev>{close_event(4999, reason, close_body(4999, reason)), send_close(4999), disconnect()}));
    EXPECT_EQ(s.peer_close_reason(), reason);
}

TEST(WebSocketSession, EmptyCloseIsAnsweredWithEmptyClose) {
    SessionOptions o;
    o.deliver_close = true;
    WebSocketSession s(o);
    EXPECT_EQ(feed(s, cf(kClose, "")),
              (std::vector<Ev>{close_event(close_code::kNoStatus, "", ""), send_empty_close(), disconnect()}));
    EXPECT_EQ(s.peer_close_code(), close_code::kNoStatus);
    EXPECT_EQ(s.sent_close_code(), close_code::kNoStatus);
}

TEST(WebSocketSession, CloseCodesOnTheWire) {
    for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999}) {
        WebSocketSession s;
        EXPECT_EQ(feed(s, cf(kClose, close_body(code))), (std::vector<Ev>{send_close(code), disconnect()})) << code;
        EXPECT_EQ(s.peer_close_code(), code);
    }
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
        WebSocketSession s;
        expect_failure(feed(s, cf(kClose, close_body(code, "x"))), 1002);
        expect_failed_session(s, 1002);
    }
}

TEST(WebSocketSession, OneByteCloseBodyIs1002) {
    WebSocketSession s;
    expect_failure(feed(s, cf(kClose, "\x03")), 1002);
    expect_failed_session(s, 1002);
}

TEST(WebSocketSession, NonUtf8CloseReasonIs1007) {
    SessionOptions o;
    o.deliver_close = true;
    WebSocketSession s(o);
    expect_failure(feed(s, cf(kClose, close_body(1000, "ok\xc0\xaf"))), 1007);
    expect_failed_session(s, 1007);
}

TEST(WebSocketSession, DataAfterCloseIsIgnored) {
    WebSocketSession s;
    // A fragmented message is open when the close arrives; its rest never becomes a message.
    Bytes input = cat({cf(kText, "par", false), cf(kClose, close_body(1000)), cf(kCont, "tial"), cf(kText, "x")});
    EXPECT_EQ(feed(s, input), (std::vector<Ev>{send_close(1000), disconnect()}));
}

TEST(WebSocketSession, ConnectionLostWithoutClose) {
    WebSocketSession s;
    feed(s, cf(kText, "half", false));
    s.connection_lost();
    EXPECT_EQ(s.state(), WebSocketSession::State::Closed);
    EXPECT_EQ(s.peer_close_code(), close_code::kAbnormal);
    EXPECT_EQ(s.peer_close_reason(), "");
    EXPECT_EQ(feed(s, cf(kCont, "rest")), std::vector<Ev>{});
    WebSocketSession::OutgoingFrame out;
    EXPECT_EQ(s.close(1000, "", out), SS::NotOpen);
}

TEST(WebSocketSession, ConnectionLostAfterCloseKeepsThePeerCode) {
    WebSocketSession s;
    feed(s, cf(kClose, close_body(1000, "done")));
    s.connection_lost();
    EXPECT_EQ(s.peer_close_code(), 1000);
    EXPECT_EQ(s.peer_close_reason(), "done");
}

TEST(WebSocketSession, ServerInitiatedClose) {
    WebSocketSession s;
    WebSocketSession::OutgoingFrame out;
    ASSERT_EQ(s.close(1000, "bye", out), SS::Ok);
    ParsedFrame f = parse_outgoing(out);
    EXPECT_TRUE(f.fin);
    EXPECT_FALSE(f.masked);
    EXPECT_EQ(f.opcode, kClose);
    EXPECT_EQ(f.payload, close_body(1000, "bye"));
    EXPECT_EQ(out.header_size, 4u) << "code in the header buffer";
    EXPECT_EQ(s.state(), WebSocketSession::State::Closing);
    EXPECT_EQ(s.sent_close_code(), 1000);
    // Nothing more may be sent.
    EXPECT_EQ(s.close(1000, "", out), SS::NotOpen);
    EXPECT_EQ(s.encode(kText, nullptr, 0, kFin, out), SS::NotOpen);
    EXPECT_EQ(s.encode(kPing, nullptr, 0, kFin, out), SS::NotOpen);
    // While waiting: data is ignored, pings are not answered; the peer's close ends it
    // without a reply (ours is already out).
    Bytes input = cat({cf(kText, "still talking"), cf(kPing, "p"), cf(kBin, "x", false), cf(kCont, "y"),
                       cf(kClose, close_body(1000, "ok"))});
    EXPECT_EQ(feed(s, input), std::vector<Ev>{disconnect()});
    EXPECT_EQ(s.state(), WebSocketSession::State::Closed);
    EXPECT_EQ(s.peer_close_code(), 1000);
    EXPECT_EQ(s.peer_close_reason(), "ok");
}

TEST(WebSocketSession, ServerInitiatedCloseWithDeliveredReply) {
    SessionOptions o;
    o.deliver_close = o.deliver_ping = true;
    WebSocketSession s(o);
    WebSocketSession::OutgoingFrame out;
    ASSERT_EQ(s.close(4000, "", out), SS::Ok);
    EXPECT_EQ(parse_outgoing(out).payload, close_body(4000));
    EXPECT_EQ(feed(s, cat({cf(kPing, "p"), cf(kClose, close_body(4000))})),
              (std::vector<Ev>{close_event(4000, "", close_body(4000)), disconnect()}));
}

TEST(WebSocketSession, ServerInitiatedCloseTimesOut) {
    WebSocketSession s;
    WebSocketSession::OutgoingFrame out;
    ASSERT_EQ(s.close(1001, "restart", out), SS::Ok);
    EXPECT_EQ(feed(s, cf(kText, "x")), std::vector<Ev>{});
    s.connection_lost();  // the reactor's timeout
    EXPECT_EQ(s.peer_close_code(), close_code::kAbnormal);
}

TEST(WebSocketSession, ProtocolErrorWhileClosingSendsNothingMore) {
    WebSocketSession s;
    WebSocketSession::OutgoingFrame out;
    ASSERT_EQ(s.close(1000, "", out), SS::Ok);
    Bytes unmasked = wstest::server_frame(kText, bytes("x"));
    EXPECT_EQ(feed(s, unmasked), std::vector<Ev>{disconnect()});
    EXPECT_EQ(s.failure().close_code, 1002);
    EXPECT_EQ(s.sent_close_code(), 1000);
    WebSocketSession t;
    ASSERT_EQ(t.close(1000, "", out), SS::Ok);
    EXPECT_EQ(feed(t, cf(kClose, "\x03")), std::vector<Ev>{disconnect()});
    EXPECT_EQ(t.peer_close_code(), close_code::kAbnormal);
}

TEST(WebSocketSession, CloseArgumentsAreValidated) {
    WebSocketSession::OutgoingFrame out;
    for (int code : {0, 999, 1004, 1006, 1015, 2999, 5000}) {
        WebSocketSession s;
        EXPECT_EQ(s.close(uint16_t(code), "", out), SS::BadClosePayload) << code;
        EXPECT_EQ(s.state(), WebSocketSession::State::Open);
    }
    WebSocketSession s;
    EXPECT_EQ(s.close(1000, std::string(124, 'r'), out), SS::ControlTooLong);
    EXPECT_EQ(s.close(1000, "\xff", out), SS::BadClosePayload);
    EXPECT_EQ(s.close(close_code::kNoStatus, "reason", out), SS::BadClosePayload);
    EXPECT_EQ(s.state(), WebSocketSession::State::Open);
    const std::string longest(123, 'r');  // out.payload points at the caller's reason
    ASSERT_EQ(s.close(1000, longest, out), SS::Ok);
    EXPECT_EQ(out.payload, reinterpret_cast<const uint8_t *>(longest.data()));
    EXPECT_EQ(parse_outgoing(out).payload.size(), 125u);
    WebSocketSession e;
    ASSERT_EQ(e.close(close_code::kNoStatus, "", out), SS::Ok);
    EXPECT_EQ(out.header_size, 2u);
    EXPECT_EQ(out.header[0], 0x88);
    EXPECT_EQ(out.header[1], 0x00);
    EXPECT_EQ(out.payload_size, 0u);
    EXPECT_EQ(e.sent_close_code(), close_code::kNoStatus);
}

// ---------------------------------------------------------------------------------------
// Protocol errors

struct BadInput {
    const char *name;
    Bytes input;
    int code;
};

std::vector<BadInput> bad_inputs() {
    wstest::FrameSpec msb;
    msb.opcode = kBin;
    msb.length_bits = 64;
    msb.use_length_override = true;
    msb.length_override = 1ull << 63;
    wstest::FrameSpec rsv2;
    rsv2.rsv2 = true;
    rsv2.payload = bytes("x");
    wstest::FrameSpec rsv3;
    rsv3.rsv3 = true;
    return {
        {"unmasked", wstest::server_frame(kText, bytes("hi")), 1002},
        {"reserved opcode 3", cf(3, "x"), 1002},
        {"reserved opcode 11", cf(11, ""), 1002},
        {"rsv1 without deflate", cf(kText, "x", true, true), 1002},
        {"rsv2", wstest::build_frame(rsv2), 1002},
        {"rsv3", wstest::build_frame(rsv3), 1002},
        {"continuation first", cf(kCont, "x"), 1002},
        {"new message inside a fragmented one", cat({cf(kText, "a", false), cf(kText, "b")}), 1002},
        {"fragmented ping", cf(kPing, "x", false), 1002},
        {"126-byte ping", cf(kPing, std::string(126, 'x')), 1002},
        {"126-byte close", cf(kClose, close_body(1000, std::string(124, 'x'))), 1002},
        {"64-bit length with the top bit", wstest::build_frame(msb), 1002},
        {"invalid utf-8", cf(kText, "\xc0\x80"), 1007},
        {"surrogate", cf(kText, "\xed\xa0\x80"), 1007},
        {"truncated utf-8 at the end", cf(kText, "ab\xe2\x82"), 1007},
        {"truncated utf-8 at the end of fragments", cat({cf(kText, "a\xf0", false), cf(kCont, "\x9f\x98")}), 1007},
    };
}

TEST(WebSocketSession, ProtocolErrorsCloseWithTheirCode) {
    for (const BadInput &bad : bad_inputs()) {
        SCOPED_TRACE(bad.name);
        WebSocketSession s;
        // A good message first, and trailing input that must be ignored.
        Bytes input = cat({cf(kText, "ok"), bad.input, cf(kText, "ignored")});
        std::vector<Ev> got = feed(s, input);
        ASSERT_FALSE(got.empty());
        EXPECT_EQ(got[0], message("ok"));
        got.erase(got.begin());
        expect_failure(got, bad.code);
        expect_failed_session(s, bad.code);
        // Split anywhere, the outcome is the same.
        for (size_t k = 0; k <= input.size(); k++) {
            WebSocketSession t;
            std::vector<Ev> split = feed_reads(t, input, {k});
            ASSERT_EQ(split.size(), 3u) << k;
            EXPECT_EQ(split[1].code, bad.code) << k;
        }
    }
}

TEST(WebSocketSession, PendingEventsSurviveAnEmptyCall) {
    WebSocketSession s;
    Bytes input = cat({wstest::server_frame(kText, bytes("x")), cf(kText, "more")});
    WebSocketSession::Event e = s.next(input.data(), input.size());
    EXPECT_EQ(e.type, ET::Send);
    e = s.next(nullptr, 0);
    EXPECT_EQ(e.type, ET::Disconnect);
    EXPECT_EQ(e.consumed, 0u);
    e = s.next(input.data(), input.size());
    EXPECT_EQ(e.type, ET::NeedMore);
    EXPECT_EQ(e.consumed, input.size());
}

TEST(WebSocketSession, Utf8FailsFastBeforeTheFinalFragment) {
    WebSocketSession s;
    // First fragment valid, second one can no longer be UTF-8: the error comes now, with
    // the final fragment still unsent.
    EXPECT_EQ(feed(s, cf(kText, "valid \xe2\x82", false)), std::vector<Ev>{});
    expect_failure(feed(s, cf(kCont, "\x41", false)), 1007);
    expect_failed_session(s, 1007);
}

TEST(WebSocketSession, Utf8FailsFastInsideOneFrame) {
    WebSocketSession s;
    std::string p = std::string(1000, 'a') + "\xff" + std::string(100000, 'b');
    Bytes frame = cf(kText, p);
    // Only the header (64-bit length, mask) and the first 1001 payload bytes have arrived.
    Bytes head(frame.begin(), frame.begin() + 14 + 1001);
    expect_failure(feed(s, head), 1007);
}

TEST(WebSocketSession, Utf8SplitAcrossFragmentsIsFine) {
    WebSocketSession s;
    std::string euro = "\xe2\x82\xac";
    Bytes input = cat({cf(kText, std::string(1, euro[0]), false), cf(kCont, std::string(1, euro[1]), false),
                       cf(kCont, std::string(1, euro[2]) + "\xf0\x9f", false), cf(kCont, "\x98\x80")});
    EXPECT_EQ(feed(s, input), std::vector<Ev>{message(euro + "\xf0\x9f\x98\x80")});
    // Binary messages are not UTF-8 checked.
    EXPECT_EQ(feed(s, cf(kBin, "\xff\xfe")), std::vector<Ev>{message("\xff\xfe", kBin)});
}

// ---------------------------------------------------------------------------------------
// Size limit

TEST(WebSocketSession, FrameOverTheLimitFailsBeforeItsPayload) {
    SessionOptions o;
    o.max_message_size = 1000;
    WebSocketSession s(o);
    Bytes frame = cf(kBin, std::string(1001, 'x'));
    Bytes header(frame.begin(), frame.begin() + 8);  // 2 + 2 length + 4 key
    expect_failure(feed(s, header), 1009);
    expect_failed_session(s, 1009);
    WebSocketSession t(o);
    std::string exact(1000, 'x');
    EXPECT_EQ(feed(t, cf(kBin, exact)), std::vector<Ev>{message(exact, kBin)});
}

TEST(WebSocketSession, ReassembledMessageOverTheLimit) {
    SessionOptions o;
    o.max_message_size = 1000;
    WebSocketSession s(o);
    EXPECT_EQ(feed(s, cat({cf(kText, std::string(600, 'a'), false), cf(kPing, "")})),
              std::vector<Ev>{send_pong("")});
    // The next fragment's header alone is enough to know.
    Bytes next = cf(kCont, std::string(401, 'b'));
    expect_failure(feed(s, Bytes(next.begin(), next.begin() + 8)), 1009);
    WebSocketSession t(o);
    EXPECT_EQ(feed(t, cat({cf(kText, std::string(600, 'a'), false), cf(kCont, std::string(400, 'b'))})),
              std::vector<Ev>{message(std::string(600, 'a') + std::string(400, 'b'))});
}

TEST(WebSocketSession, BigBufferIsReleasedWhenTheNextMessageStarts) {
    SessionOptions o;
    o.retained_buffer_capacity = 4096;
    WebSocketSession s(o);
    std::string big(200000, 'z');
    EXPECT_EQ(feed_reads(s, cf(kBin, big), {1000}), std::vector<Ev>{message(big, kBin)});
    EXPECT_GE(s.buffer_capacity(), big.size());
    EXPECT_EQ(feed(s, cf(kText, "small")), std::vector<Ev>{message("small")});
    EXPECT_LE(s.buffer_capacity(), 4096u);
    // Small assembled messages keep their buffer.
    EXPECT_EQ(feed_reads(s, cf(kText, std::string(3000, 'q')), {100}), std::vector<Ev>{message(std::string(3000, 'q'))});
    const size_t kept = s.buffer_capacity();
    EXPECT_GE(kept, 3000u);
    EXPECT_EQ(feed_reads(s, cf(kText, std::string(2000, 'q')), {100}), std::vector<Ev>{message(std::string(2000, 'q'))});
    EXPECT_EQ(s.buffer_capacity(), kept);
    s.release_idle_memory();
    EXPECT_LE(s.buffer_capacity(), std::string().capacity());
}

TEST(WebSocketSession, ReleaseIdleMemoryKeepsAMessageInProgress) {
    WebSocketSession s;
    EXPECT_EQ(feed(s, cf(kText, "abc", false)), std::vector<Ev>{});
    s.release_idle_memory();
    EXPECT_EQ(feed(s, cf(kCont, "def")), std::vector<Ev>{message("abcdef")});
}

// ---------------------------------------------------------------------------------------
// Outgoing frames

TEST(WebSocketSession, EncodeUsesTheCallersPayload) {
    WebSocketSession s;
    WebSocketSession::OutgoingFrame out;
    const std::string p = "hello";
    ASSERT_EQ(s.encode(kText, reinterpret_cast<const uint8_t *>(p.data()), p.size(), kFin, out), SS::Ok);
    EXPECT_EQ(wstest::hex(out.header, out.header_size), "81 05");
    EXPECT_EQ(out.payload, reinterpret_cast<const uint8_t *>(p.data()));
    EXPECT_EQ(out.payload_size, 5u);
    EXPECT_EQ(out.flags, kFin);
    for (size_t n : {0u, 125u, 126u, 65535u, 65536u}) {
        std::string big(n, 'b');
        ASSERT_EQ(s.encode(kBin, reinterpret_cast<const uint8_t *>(big.data()), n, kFin, out), SS::Ok);
        ParsedFrame f = parse_outgoing(out);
        EXPECT_EQ(f.opcode, kBin);
        EXPECT_TRUE(f.fin);
        EXPECT_FALSE(f.masked);
        EXPECT_EQ(f.payload, big);
    }
}

TEST(WebSocketSession, EncodeIgnoresCompressRsvAndMaskWithoutNegotiation) {
    WebSocketSession s;
    WebSocketSession::OutgoingFrame out;
    std::string p(1000, 'a');
    ASSERT_EQ(s.encode(kText, reinterpret_cast<const uint8_t *>(p.data()), p.size(), flag::kAll, out), SS::Ok);
    ParsedFrame f = parse_outgoing(out);
    EXPECT_TRUE(f.fin);
    EXPECT_FALSE(f.rsv1 || f.rsv2 || f.rsv3 || f.masked);
    EXPECT_EQ(f.payload, p);
    EXPECT_EQ(out.flags, kFin);
}

TEST(WebSocketSession, EncodeFragmentedSequence) {
    WebSocketSession s;
    WebSocketSession::OutgoingFrame out;
    const uint8_t d[] = {'a', 'b'};
    EXPECT_EQ(s.encode(kCont, d, 2, kFin, out), SS::BadSequence);
    ASSERT_EQ(s.encode(kText, d, 2, 0, out), SS::Ok);
    EXPECT_EQ(wstest::hex(out.header, out.header_size), "01 02");
    EXPECT_EQ(s.encode(kText, d, 2, kFin, out), SS::BadSequence);
    EXPECT_EQ(s.encode(kBin, d, 2, kFin, out), SS::BadSequence);
    // Control frames may interleave; they are always final.
    ASSERT_EQ(s.encode(kPing, d, 2, 0, out), SS::Ok);
    EXPECT_EQ(wstest::hex(out.header, out.header_size), "89 02");
    ASSERT_EQ(s.encode(kCont, d, 2, 0, out), SS::Ok);
    EXPECT_EQ(wstest::hex(out.header, out.header_size), "00 02");
    ASSERT_EQ(s.encode(kCont, d, 2, kFin, out), SS::Ok);
    EXPECT_EQ(wstest::hex(out.header, out.header_size), "80 02");
    EXPECT_EQ(s.encode(kCont, d, 2, kFin, out), SS::BadSequence);
    ASSERT_EQ(s.encode(kBin, d, 2, kFin, out), SS::Ok);
}

TEST(WebSocketSession, EncodeControlFrames) {
    WebSocketSession s;
    WebSocketSession::OutgoingFrame out;
    std::string p(126, 'p');
    const uint8_t *d = reinterpret_cast<const uint8_t *>(p.data());
    EXPECT_EQ(s.encode(kPing, d, 126, kFin, out), SS::ControlTooLong);
    EXPECT_EQ(s.encode(kPong, d, 125, kFin | flag::kCompress, out), SS::Ok);
    EXPECT_EQ(wstest::hex(out.header, out.header_size), "8a 7d");
    for (uint8_t op : {3, 7, 11, 15}) EXPECT_EQ(s.encode(op, d, 1, kFin, out), SS::BadOpcode) << int(op);
    const std::string bad_bodies[] = {"\x03", close_body(1005), close_body(999), close_body(1000, "\xc3")};
    for (const std::string &body : bad_bodies) {
        EXPECT_EQ(s.encode(kClose, reinterpret_cast<const uint8_t *>(body.data()), body.size(), kFin, out),
                  SS::BadClosePayload);
    }
    EXPECT_EQ(s.state(), WebSocketSession::State::Open);
    std::string body = close_body(1000, "bye");
    ASSERT_EQ(s.encode(kClose, reinterpret_cast<const uint8_t *>(body.data()), body.size(), 0, out), SS::Ok);
    EXPECT_EQ(wstest::hex(out.header, out.header_size), "88 05");
    EXPECT_EQ(s.state(), WebSocketSession::State::Closing);
    EXPECT_EQ(s.sent_close_code(), 1000);
    EXPECT_EQ(s.encode(kPong, d, 1, kFin, out), SS::NotOpen);
}

TEST(WebSocketSession, EncodeAfterPeerClose) {
    WebSocketSession s;
    feed(s, cf(kClose, close_body(1000)));
    WebSocketSession::OutgoingFrame out;
    EXPECT_EQ(s.encode(kText, nullptr, 0, kFin, out), SS::NotOpen);
    EXPECT_EQ(s.close(1000, "", out), SS::NotOpen);
}

// ---------------------------------------------------------------------------------------
// Object

TEST(WebSocketSession, MoveKeepsTheState) {
    WebSocketSession a(deflate_options());
    std::string msg = text_of(1000, 30);
    std::string c = compress_once(msg);
    EXPECT_EQ(feed(a, cf(kText, c.substr(0, 10), false, true)), std::vector<Ev>{});
    WebSocketSession b(std::move(a));
    EXPECT_EQ(feed(b, cf(kCont, c.substr(10))), std::vector<Ev>{message(msg, kText, kCompressed)});
    WebSocketSession c2;
    c2 = std::move(b);
    EXPECT_EQ(feed(c2, cf(kText, "after")), std::vector<Ev>{message("after")});
}

TEST(WebSocketSession, IdleSizeIsSmall) {
    RecordProperty("sizeof_WebSocketSession", static_cast<int>(sizeof(WebSocketSession)));
    std::printf("sizeof(WebSocketSession) = %zu\n", sizeof(WebSocketSession));
    EXPECT_LE(sizeof(WebSocketSession), 384u);
    WebSocketSession s(deflate_options());
    EXPECT_EQ(s.buffer_capacity(), std::string().capacity()) << "nothing allocated before use";
}

}  // namespace
