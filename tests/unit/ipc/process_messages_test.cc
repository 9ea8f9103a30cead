// The PROCESS hop's encodings: a request re-parsed in the worker gives the fields the
// master parsed (framing fields included, in arrival order), a closed connection's info.
#include "core/ipc/process_messages.h"

#include <string>

#include <gtest/gtest.h>

namespace {

using namespace wsserver;

HttpParser parse(const std::string &text) {
    HttpParser p;
    EXPECT_EQ(p.feed(text).status, HttpParser::Status::Done) << text;
    return p;
}

std::string fields(const HttpParser &p) {
    std::string out;
    for (size_t i = 0; i < p.header_count(); i++) {
        HttpHeader h = p.header_at(i);
        out.append(h.name).append("=").append(h.value).append(";");
    }
    return out;
}

HttpParser round_trip(const HttpParser &p) {
    std::string encoded = encode_request(p);
    HttpParser again(limits_for_encoded_request(encoded));
    EXPECT_TRUE(decode_request(encoded, again)) << encoded;
    return again;
}

TEST(ProcessMessages, RequestKeepsEveryFieldInPlace) {
    HttpParser p = parse("POST /p?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nX-Last: z\r\n\r\nabc");
    HttpParser again = round_trip(p);
    EXPECT_EQ(again.method(), "POST");
    EXPECT_EQ(again.target(), "/p?x=1");
    EXPECT_EQ(fields(again), "Host=a;Content-Length=3;X-Last=z;");
    EXPECT_EQ(again.body(), "abc");
}

// The worker's `header` array says chunked, as BASE mode's does; the body arrives decoded.
TEST(ProcessMessages, ChunkedRequestStaysChunkedWithTheSameBody) {
    HttpParser p = parse("PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: a\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    HttpParser again = round_trip(p);
    EXPECT_TRUE(again.chunked());
    EXPECT_EQ(fields(again), "Transfer-Encoding=chunked;Host=a;");
    EXPECT_EQ(again.body(), "abcde");
    HttpParser empty = round_trip(parse("POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    EXPECT_TRUE(empty.chunked());
    EXPECT_EQ(empty.body(), "");
}

TEST(ProcessMessages, ClosedSessionKeepsTimesStatusAndClosing) {
    ClientInfo c;
    c.remote_ip = "127.0.0.1";
    c.connect_time_us = 1700000000123456;
    c.last_recv_time_us = 1700000001654321;
    c.websocket_status = websocket_status::kClosing;
    c.closing = true;
    CloseInfo close;
    close.peer_code = 4000;
    close.peer_reason = "bye";
    ClientInfo c2;
    CloseInfo close2;
    bool has = false;
    ASSERT_TRUE(decode_closed(encode_closed(c, close, true), c2, close2, has));
    EXPECT_TRUE(has);
    EXPECT_EQ(c2.connect_time_us, c.connect_time_us);
    EXPECT_EQ(c2.last_recv_time_us, c.last_recv_time_us);
    EXPECT_EQ(c2.websocket_status, websocket_status::kClosing);
    EXPECT_TRUE(c2.closing);
    EXPECT_EQ(close2.peer_reason, "bye");
}

}  // namespace
