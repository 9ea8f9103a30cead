// Shared by the WebSocketSession tests (websocket_session_test.cc, websocket_session_deflate_test.cc):
// events captured by value, expected events, client frames and server output parsed by hand
// (not with the decoder under test).
#pragma once

#include "core/websocket/websocket_session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "core/websocket/frame.h"
#include "core/websocket/permessage_deflate.h"
#include "test_util.h"

namespace session_test {

using namespace wsserver;
using wstest::Bytes;
using wstest::bytes;
using wstest::client_frame;
using ET = WebSocketSession::EventType;
using SS = WebSocketSession::SendStatus;

constexpr uint8_t kCont = 0, kText = 1, kBin = 2, kClose = 8, kPing = 9, kPong = 10;
constexpr unsigned kFin = flag::kFin;
constexpr unsigned kCompressed = flag::kFin | flag::kRsv1 | flag::kCompress;

inline const char *type_name(ET t) {
    switch (t) {
        case ET::NeedMore: return "NeedMore";
        case ET::Message: return "Message";
        case ET::Ping: return "Ping";
        case ET::Pong: return "Pong";
        case ET::Close: return "Close";
        case ET::Send: return "Send";
        case ET::Disconnect: return "Disconnect";
    }
    return "?";
}

// An event with its bytes copied out, comparable and printable.
struct Ev {
    ET type = ET::NeedMore;
    std::string data;
    int opcode = 0;
    unsigned flags = 0;
    int code = 0;
    std::string reason;
};

inline bool operator==(const Ev &a, const Ev &b) {
    return a.type == b.type && a.data == b.data && a.opcode == b.opcode && a.flags == b.flags && a.code == b.code &&
           a.reason == b.reason;
}

inline std::ostream &operator<<(std::ostream &os, const Ev &e) {
    os << type_name(e.type) << "{op=" << e.opcode << " flags=" << e.flags << " code=" << e.code;
    if (!e.reason.empty()) os << " reason=\"" << e.reason << "\"";
    if (e.data.size() <= 40) {
        os << " data=[" << wstest::hex(e.data) << "]";
    } else {
        os << " data=" << e.data.size() << " bytes";
    }
    return os << "}";
}

inline Ev capture(const WebSocketSession::Event &e) {
    Ev ev;
    ev.type = e.type;
    EXPECT_TRUE(e.data != nullptr || e.type == ET::Disconnect) << type_name(e.type) << " with a null pointer";
    if (e.data) ev.data.assign(reinterpret_cast<const char *>(e.data), e.size);
    ev.opcode = e.opcode;
    ev.flags = e.flags;
    ev.code = e.close_code;
    ev.reason = std::string(e.close_reason);
    return ev;
}

inline Ev message(const std::string &payload, uint8_t opcode = kText, unsigned flags = kFin) {
    return Ev{ET::Message, payload, opcode, flags, 0, ""};
}
inline Ev ping(const std::string &payload) { return Ev{ET::Ping, payload, kPing, kFin, 0, ""}; }
inline Ev pong(const std::string &payload) { return Ev{ET::Pong, payload, kPong, kFin, 0, ""}; }
inline Ev close_event(int code, const std::string &reason, const std::string &raw) {
    return Ev{ET::Close, raw, kClose, kFin, code, reason};
}
inline Ev disconnect() { return Ev{ET::Disconnect, "", 0, 0, 0, ""}; }

// A Send of the unmasked server frame [opcode, payload].
inline std::string server_bytes(uint8_t opcode, const std::string &payload) {
    return wstest::str(wstest::server_frame(opcode, wstest::bytes(payload)));
}
inline Ev send_pong(const std::string &payload) { return Ev{ET::Send, server_bytes(kPong, payload), kPong, kFin, 0, ""}; }
inline std::string close_body(int code, const std::string &reason = "") {
    std::string body;
    body += static_cast<char>(code >> 8);
    body += static_cast<char>(code & 0xff);
    return body + reason;
}
// The close frame the session sends: `code` and, for errors, any reason (checked apart).
inline Ev send_close(int code, const std::string &reason = "") {
    return Ev{ET::Send, server_bytes(kClose, close_body(code, reason)), kClose, kFin, code, ""};
}
inline Ev send_empty_close() { return Ev{ET::Send, server_bytes(kClose, ""), kClose, kFin, close_code::kNoStatus, ""}; }

inline Bytes cf(uint8_t opcode, const std::string &payload, bool fin = true, bool rsv1 = false) {
    return client_frame(opcode, bytes(payload), fin, rsv1);
}
inline Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes &p : parts) wstest::append(out, p);
    return out;
}

// Feeds `input` as consecutive reads of the given sizes (the last read takes the rest).
// Each read is a fresh buffer, scribbled over once processed, as a reused read buffer
// would be: a pointer kept past its validity shows up as wrong data.
inline std::vector<Ev> feed_reads(WebSocketSession &s, const Bytes &input, const std::vector<size_t> &reads) {
    std::vector<Ev> out;
    size_t off = 0;
    size_t r = 0;
    while (off < input.size() || (input.empty() && r == 0)) {
        size_t n = r < reads.size() ? std::min(reads[r], input.size() - off) : input.size() - off;
        r++;
        Bytes buf(input.begin() + off, input.begin() + off + n);
        off += n;
        size_t pos = 0;
        for (int guard = 0;; guard++) {
            if (guard > 100000) {
                ADD_FAILURE() << "next() does not make progress";
                return out;
            }
            const WebSocketSession::Event e = s.next(buf.data() + pos, buf.size() - pos);
            EXPECT_LE(e.consumed, buf.size() - pos);
            pos += std::min(e.consumed, buf.size() - pos);
            if (e.type == ET::NeedMore) {
                EXPECT_EQ(pos, buf.size()) << "NeedMore before the input was consumed";
                break;
            }
            out.push_back(capture(e));
        }
        std::fill(buf.begin(), buf.end(), 0xEE);
        if (input.empty()) break;
    }
    return out;
}

inline std::vector<Ev> feed(WebSocketSession &s, const Bytes &input) { return feed_reads(s, input, {}); }

inline std::vector<Ev> feed_chunked(WebSocketSession &s, const Bytes &input, size_t chunk) {
    std::vector<size_t> reads((input.size() + chunk - 1) / std::max<size_t>(chunk, 1) + 1, chunk);
    return feed_reads(s, input, reads);
}

inline SessionOptions deflate_options(DeflateParams p = {}) {
    SessionOptions o;
    o.deflate = p;
    return o;
}

// Client-side compression of one message with a Deflater (tested on its own elsewhere).
inline std::string compress(Deflater &d, const std::string &msg) {
    std::string out;
    EXPECT_TRUE(d.compress(reinterpret_cast<const uint8_t *>(msg.data()), msg.size(), out));
    return out;
}
inline std::string compress_once(const std::string &msg, int window_bits = 15) {
    Deflater d(window_bits, true);
    return compress(d, msg);
}

inline std::string text_of(size_t n, uint32_t seed) {
    static const char *const words[] = {"hello ", "world ", "websocket ", "frame ", "{\"id\":", "42}", "\n"};
    std::string s;
    uint32_t x = seed * 2654435761u + 1;
    while (s.size() < n) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        s += words[x % 7];
    }
    s.resize(n);
    return s;
}

// A server frame parsed by hand.
struct ParsedFrame {
    bool fin = false, rsv1 = false, rsv2 = false, rsv3 = false, masked = false;
    uint8_t opcode = 0;
    std::string payload;
};

// Parses the frame written by encode()/close() (header + payload), checking that the
// header is the shortest encoding of the length.
inline ParsedFrame parse_outgoing(const WebSocketSession::OutgoingFrame &out) {
    ParsedFrame f;
    const uint8_t *h = out.header;
    EXPECT_GE(out.header_size, 2u);
    f.fin = h[0] & 0x80;
    f.rsv1 = h[0] & 0x40;
    f.rsv2 = h[0] & 0x20;
    f.rsv3 = h[0] & 0x10;
    f.opcode = h[0] & 0x0f;
    f.masked = h[1] & 0x80;
    uint64_t len = h[1] & 0x7f;
    size_t pos = 2;
    if (len == 126) {
        len = (uint64_t(h[2]) << 8) | h[3];
        EXPECT_GT(len, 125u);
        pos = 4;
    } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++) len = (len << 8) | h[2 + i];
        EXPECT_GT(len, 0xffffu);
        pos = 10;
    }
    // close() puts the close code in the header buffer: it counts as payload.
    std::string payload(reinterpret_cast<const char *>(h + pos), out.header_size - pos);
    if (out.payload_size) payload.append(reinterpret_cast<const char *>(out.payload), out.payload_size);
    EXPECT_EQ(len, payload.size());
    f.payload = payload;
    return f;
}

inline std::string inflate_all(const std::string &compressed, int window_bits = 15) {
    Inflater inf(window_bits, true);
    std::string out;
    EXPECT_EQ(inf.feed(reinterpret_cast<const uint8_t *>(compressed.data()), compressed.size(), out, SIZE_MAX),
              Inflater::Result::Ok);
    EXPECT_EQ(inf.finish(out, SIZE_MAX), Inflater::Result::Ok);
    return out;
}

// The session's error close: code, then a reason in words; followed by Disconnect.
inline void expect_failure(const std::vector<Ev> &events, int code) {
    ASSERT_EQ(events.size(), 2u) << ::testing::PrintToString(events);
    const Ev &send = events[0];
    EXPECT_EQ(send.type, ET::Send);
    EXPECT_EQ(send.opcode, kClose);
    EXPECT_EQ(send.code, code);
    ASSERT_GE(send.data.size(), 4u);
    EXPECT_EQ(uint8_t(send.data[0]), 0x88);
    EXPECT_EQ(uint8_t(send.data[1]), send.data.size() - 2);
    EXPECT_EQ(send.data.substr(2, 2), close_body(code));
    EXPECT_LE(send.data.size(), 2 + kMaxControlPayload);
    EXPECT_TRUE(wsserver::is_valid_utf8(reinterpret_cast<const uint8_t *>(send.data.data()) + 4, send.data.size() - 4));
    EXPECT_EQ(events[1], disconnect());
}

inline void expect_failed_session(const WebSocketSession &s, int code) {
    EXPECT_EQ(s.state(), WebSocketSession::State::Closed);
    EXPECT_EQ(s.failure().close_code, code);
    EXPECT_STRNE(s.failure().message, "");
    EXPECT_EQ(s.sent_close_code(), code);
    EXPECT_EQ(s.peer_close_code(), close_code::kAbnormal);
}

}  // namespace session_test
