// Tests for src/core/websocket/websocket_session.h with permessage-deflate negotiated:
// compressed messages in, compression bombs, compressed frames out.
#include "websocket_session_test_util.h"

using namespace session_test;

namespace {

// ---------------------------------------------------------------------------------------
// permessage-deflate

TEST(WebSocketSession, CompressedMessage) {
    WebSocketSession s(deflate_options());
    std::string text = text_of(5000, 9);
    std::string c = compress_once(text);
    ASSERT_LT(c.size(), text.size());
    EXPECT_EQ(feed(s, cf(kText, c, true, true)), std::vector<Ev>{message(text, kText, kCompressed)});
    // An uncompressed message on the same connection.
    EXPECT_EQ(feed(s, cf(kBin, "raw")), std::vector<Ev>{message("raw", kBin)});
    // An empty compressed message (the single 00 byte, or nothing at all).
    EXPECT_EQ(feed(s, cf(kText, std::string(1, '\0'), true, true)), std::vector<Ev>{message("", kText, kCompressed)});
    EXPECT_EQ(feed(s, cf(kBin, "", true, true)), std::vector<Ev>{message("", kBin, kCompressed)});
}

TEST(WebSocketSession, CompressedFragmentedMessageAtEveryBoundary) {
    std::string text = text_of(3000, 4) + "\xe2\x82\xac" + text_of(2000, 5);
    std::string c = compress_once(text);
    size_t a = c.size() / 3, b = 2 * c.size() / 3;
    Bytes input = cat({cf(kText, c.substr(0, a), false, true), cf(kPing, "x"), cf(kCont, c.substr(a, b - a), false),
                       cf(kCont, c.substr(b))});
    std::vector<Ev> want = {send_pong("x"), message(text, kText, kCompressed)};
    for (size_t k = 0; k <= input.size(); k++) {
        WebSocketSession s(deflate_options());
        ASSERT_EQ(feed_reads(s, input, {k}), want) << k;
    }
    WebSocketSession s(deflate_options());
    EXPECT_EQ(feed_chunked(s, input, 1), want);
}

TEST(WebSocketSession, ClientContextTakeoverAcrossMessages) {
    Deflater client(15, false);  // keeps its window between messages
    WebSocketSession s(deflate_options());
    std::string msg = text_of(2000, 11);
    std::string c1 = compress(client, msg);
    std::string c2 = compress(client, msg);
    std::string c3 = compress(client, msg + "!");
    EXPECT_LT(c2.size(), c1.size() / 4) << "the second message refers to the first";
    Bytes input = cat({cf(kText, c1, true, true), cf(kText, c2, true, true), cf(kBin, "plain"),
                       cf(kText, c3.substr(0, 3), false, true), cf(kCont, c3.substr(3))});
    std::vector<Ev> want = {message(msg, kText, kCompressed), message(msg, kText, kCompressed), message("plain", kBin),
                            message(msg + "!", kText, kCompressed)};
    EXPECT_EQ(feed(s, input), want);
    for (size_t k = 0; k <= input.size(); k += 5) {
        WebSocketSession t(deflate_options());
        ASSERT_EQ(feed_reads(t, input, {k}), want) << k;
    }
}

TEST(WebSocketSession, ClientNoContextTakeoverResetsTheInflater) {
    DeflateParams p;
    p.client_no_context_takeover = true;
    Deflater honest(15, true);
    WebSocketSession s(deflate_options(p));
    std::string msg = text_of(2000, 12);
    EXPECT_EQ(feed(s, cat({cf(kText, compress(honest, msg), true, true), cf(kText, compress(honest, msg), true, true)})),
              (std::vector<Ev>{message(msg, kText, kCompressed), message(msg, kText, kCompressed)}));
    s.release_idle_memory();  // drops the inflater: nothing to keep between messages
    EXPECT_EQ(feed(s, cf(kText, compress(honest, msg), true, true)),
              std::vector<Ev>{message(msg, kText, kCompressed)});
    // A client that keeps its context anyway refers to a window we threw away.
    Deflater cheat(15, false);
    WebSocketSession t(deflate_options(p));
    std::vector<Ev> got =
        feed(t, cat({cf(kText, compress(cheat, msg), true, true), cf(kText, compress(cheat, msg), true, true)}));
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0], message(msg, kText, kCompressed));
    got.erase(got.begin());
    expect_failure(got, 1007);
}

TEST(WebSocketSession, NegotiatedClientWindow) {
    DeflateParams p;
    p.client_max_window_bits = 9;
    WebSocketSession s(deflate_options(p));
    Deflater client(9, false);
    std::string msg = text_of(20000, 13);
    EXPECT_EQ(feed(s, cat({cf(kBin, compress(client, msg), true, true), cf(kBin, compress(client, msg), true, true)})),
              (std::vector<Ev>{message(msg, kBin, kCompressed), message(msg, kBin, kCompressed)}));
}

TEST(WebSocketSession, CompressionBombIsStoppedAtTheLimit) {
    SessionOptions o = deflate_options();
    o.max_message_size = 1 << 20;
    std::string zeros(64u << 20, '\0');
    std::string c = compress_once(zeros);
    ASSERT_LT(c.size(), 100000u);
    for (size_t chunk : {size_t(0), size_t(4096)}) {
        WebSocketSession s(o);
        Bytes frame = cf(kBin, c, true, true);
        std::vector<Ev> got = chunk ? feed_chunked(s, frame, chunk) : feed(s, frame);
        expect_failure(got, 1009);
        expect_failed_session(s, 1009);
        EXPECT_LE(s.buffer_capacity(), 2 * o.max_message_size) << "memory stays within the limit";
    }
    // Exactly at the limit inflates; one byte more does not.
    WebSocketSession at(o);
    std::string exact(o.max_message_size, 'e');
    EXPECT_EQ(feed(at, cf(kBin, compress_once(exact), true, true)), std::vector<Ev>{message(exact, kBin, kCompressed)});
    WebSocketSession over(o);
    expect_failure(feed(over, cf(kBin, compress_once(exact + "e"), true, true)), 1009);
}

TEST(WebSocketSession, BombAcrossFragmentsFailsEarly) {
    SessionOptions o = deflate_options();
    o.max_message_size = 100000;
    std::string c = compress_once(std::string(10u << 20, 'a'));
    WebSocketSession s(o);
    // The first fragment alone inflates past the limit: no need for the rest.
    expect_failure(feed(s, cf(kText, c.substr(0, c.size() / 2), false, true)), 1009);
}

TEST(WebSocketSession, CompressedMessageInTinyReads) {
    // A big compressed message dribbled in one byte per read: each read must cost in
    // proportion to what it brings, not to the size of the message so far.
    std::string text = text_of(1u << 20, 17);
    std::string c = compress_once(text);
    ASSERT_GT(c.size(), 50000u);
    WebSocketSession s(deflate_options());
    EXPECT_EQ(feed_chunked(s, cf(kText, c, true, true), 1), std::vector<Ev>{message(text, kText, kCompressed)});
    EXPECT_LE(s.buffer_capacity(), 2 * text.size() + 65536);
}

TEST(WebSocketSession, CompressedInvalidUtf8FailsFast) {
    std::string bad = text_of(3000, 2) + "\xc0\xaf" + text_of(3000, 3);
    std::string c = compress_once(bad);
    WebSocketSession s(deflate_options());
    // The whole compressed payload, but FIN not set yet: the inflated bytes already fail.
    expect_failure(feed(s, cf(kText, c, false, true)), 1007);
    WebSocketSession t(deflate_options());
    expect_failure(feed(t, cf(kText, compress_once("ab\xe2\x82"), true, true)), 1007);
}

TEST(WebSocketSession, CorruptCompressedDataIs1007) {
    WebSocketSession s(deflate_options());
    expect_failure(feed(s, cf(kBin, "\xff\xff\xff\xff", true, true)), 1007);
}

TEST(WebSocketSession, Rsv1RulesWithDeflate) {
    {
        WebSocketSession s(deflate_options());
        expect_failure(feed(s, cat({cf(kText, compress_once("a"), false, true), cf(kCont, "", true, true)})), 1002);
    }
    {
        WebSocketSession s(deflate_options());
        expect_failure(feed(s, cf(kPing, "", true, true)), 1002);
    }
}

TEST(WebSocketSession, OutgoingCompression) {
    WebSocketSession s(deflate_options());
    WebSocketSession::OutgoingFrame out;
    std::string msg = text_of(4000, 21);
    const uint8_t *d = reinterpret_cast<const uint8_t *>(msg.data());
    ASSERT_EQ(s.encode(kText, d, msg.size(), kFin | flag::kCompress, out), SS::Ok);
    ParsedFrame f1 = parse_outgoing(out);
    EXPECT_TRUE(f1.rsv1);
    EXPECT_TRUE(f1.fin);
    EXPECT_EQ(out.flags, kCompressed);
    EXPECT_LT(f1.payload.size(), msg.size());
    ASSERT_EQ(s.encode(kText, d, msg.size(), kFin | flag::kCompress, out), SS::Ok);
    ParsedFrame f2 = parse_outgoing(out);
    EXPECT_LT(f2.payload.size(), f1.payload.size() / 4) << "server context takeover";
    // The client's inflater (context kept) reads both.
    Inflater client(15, false);
    for (const ParsedFrame *f : {&f1, &f2}) {
        std::string got;
        ASSERT_EQ(client.feed(reinterpret_cast<const uint8_t *>(f->payload.data()), f->payload.size(), got, SIZE_MAX),
                  Inflater::Result::Ok);
        ASSERT_EQ(client.finish(got, SIZE_MAX), Inflater::Result::Ok);
        EXPECT_EQ(got, msg);
    }
    // Without COMPRESS, on a fragment, or empty: sent as is.
    ASSERT_EQ(s.encode(kText, d, msg.size(), kFin, out), SS::Ok);
    EXPECT_EQ(out.payload, d);
    EXPECT_EQ(out.flags, kFin);
    ASSERT_EQ(s.encode(kText, d, 10, flag::kCompress, out), SS::Ok);
    EXPECT_EQ(out.payload, d);
    EXPECT_EQ(out.header[0], 0x01);
    ASSERT_EQ(s.encode(kCont, d, 10, kFin | flag::kCompress, out), SS::Ok);
    EXPECT_EQ(out.payload, d);
    EXPECT_EQ(out.header[0], 0x80);
    ASSERT_EQ(s.encode(kBin, d, 0, kFin | flag::kCompress, out), SS::Ok);
    EXPECT_EQ(out.header[0], 0x82);
    ASSERT_EQ(s.encode(kPing, d, 10, kFin | flag::kCompress, out), SS::Ok);
    EXPECT_EQ(out.header[0], 0x89);
}

TEST(WebSocketSession, OutgoingCompressionWithoutContextTakeover) {
    DeflateParams p;
    p.server_no_context_takeover = true;
    p.server_max_window_bits = 10;
    WebSocketSession s(deflate_options(p));
    WebSocketSession::OutgoingFrame out;
    std::string msg = text_of(4000, 22);
    const uint8_t *d = reinterpret_cast<const uint8_t *>(msg.data());
    ASSERT_EQ(s.encode(kBin, d, msg.size(), kFin | flag::kCompress, out), SS::Ok);
    std::string first = parse_outgoing(out).payload;
    s.release_idle_memory();  // may drop the deflater: it keeps nothing between messages
    ASSERT_EQ(s.encode(kBin, d, msg.size(), kFin | flag::kCompress, out), SS::Ok);
    EXPECT_EQ(parse_outgoing(out).payload, first) << "each message compressed on its own";
    EXPECT_EQ(inflate_all(first, 10), msg);
}

TEST(WebSocketSession, EchoThroughCompression) {
    // What a server does: every received message pushed back compressed.
    WebSocketSession s(deflate_options());
    Deflater client_out(15, false);
    Inflater client_in(15, false);
    for (int i = 0; i < 20; i++) {
        std::string msg = text_of(100 + 37 * i, i);
        std::vector<Ev> got = feed(s, cf(kText, compress(client_out, msg), true, true));
        ASSERT_EQ(got, std::vector<Ev>{message(msg, kText, kCompressed)});
        WebSocketSession::OutgoingFrame out;
        ASSERT_EQ(s.encode(kText, reinterpret_cast<const uint8_t *>(got[0].data.data()), got[0].data.size(),
                           got[0].flags, out),
                  SS::Ok);
        ParsedFrame f = parse_outgoing(out);
        EXPECT_TRUE(f.rsv1);
        std::string back;
        ASSERT_EQ(client_in.feed(reinterpret_cast<const uint8_t *>(f.payload.data()), f.payload.size(), back, SIZE_MAX),
                  Inflater::Result::Ok);
        ASSERT_EQ(client_in.finish(back, SIZE_MAX), Inflater::Result::Ok);
        EXPECT_EQ(back, msg);
    }
}

}  // namespace
