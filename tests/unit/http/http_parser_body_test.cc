// Tests for src/core/http/http_parser.h: message bodies (Content-Length, chunked, request
// smuggling through conflicting framing) and the size limits.
#include "http_parser_test_util.h"

using namespace parser_test;

// ---------------------------------------------------------------------------------------
// Content-Length bodies

TEST(HttpParser, ContentLengthBody) {
    const std::string in = post("Content-Length: 11\r\n", "hello world");
    HttpParser p;
    const HttpParser::Result r = p.feed(in);
    EXPECT_EQ(r.status, Status::Done);
    EXPECT_EQ(r.consumed, in.size());
    EXPECT_EQ(p.body(), "hello world");
    EXPECT_EQ(p.content_length(), std::optional<uint64_t>(11));
    EXPECT_FALSE(p.chunked());
    EXPECT_EQ(p.method(), "POST");
    EXPECT_TRUE(split_invariant(in, {}, true));

    // Partial body: the head is complete and the body arrives later.
    HttpParser q;
    const size_t head = in.size() - 11;
    EXPECT_EQ(q.feed(in.substr(0, head + 4)).status, Status::NeedMore);
    EXPECT_TRUE(q.headers_complete());
    EXPECT_EQ(q.body(), "hell");
    const std::string_view host = *q.header("host");
    const HttpParser::Result r2 = q.feed(in.substr(head + 4));
    EXPECT_EQ(r2.status, Status::Done);
    EXPECT_EQ(r2.consumed, 7u);
    EXPECT_EQ(q.body(), "hello world");
    EXPECT_EQ(host, "x");  // views into the header buffer stay valid while the body arrives
    EXPECT_EQ(host.data(), q.header("host")->data());
}

TEST(HttpParser, ZeroContentLengthAndNoBody) {
    const std::string in = post("Content-Length: 0\r\n", "GET / HTTP/1.1\r\n\r\n");
    const Outcome o = parse(in);
    EXPECT_EQ(o.status, Status::Done);
    EXPECT_EQ(o.consumed, in.size() - 18);
    EXPECT_EQ(o.body, "");
    EXPECT_EQ(o.content_length, std::optional<uint64_t>(0));
    // Without Content-Length or Transfer-Encoding a request has no body, even a POST and
    // even in HTTP/1.0: what follows is the next request.
    const std::string no_len = "POST / HTTP/1.0\r\n\r\nbody";
    const Outcome n = parse(no_len);
    EXPECT_EQ(n.status, Status::Done);
    EXPECT_EQ(n.consumed, no_len.size() - 4);
    EXPECT_EQ(n.body, "");
}

TEST(HttpParser, ContentLengthSyntax) {
    EXPECT_EQ(parse(post("Content-Length: 007\r\n", "abcdefg")).body, "abcdefg");
    EXPECT_EQ(parse(post("Content-Length:3\r\n", "abc")).body, "abc");
    EXPECT_EQ(parse(post("content-length: \t3 \t\r\n", "abc")).body, "abc");
    // Identical repeated values (or a merged list of them) are one value.
    EXPECT_EQ(parse(post("Content-Length: 3\r\nContent-Length: 3\r\n", "abc")).body, "abc");
    EXPECT_EQ(parse(post("Content-Length: 3, 3\r\n", "abc")).body, "abc");
    EXPECT_EQ(parse(post("Content-Length: 3,3 , 003\r\n", "abc")).body, "abc");
    for (const char *bad : {"-1", "+3", "3.0", "0x3", "3a", "a", "3 3", "", " ", "3,", ",3", "3,,3", "\"3\"",
                            "1e3", "3;", "\xd9\xa3"}) {
        EXPECT_TRUE(fails_with(post(std::string("Content-Length: ") + bad + "\r\n", "abc"), 400,
                               "invalid Content-Length"))
            << bad;
    }
    EXPECT_TRUE(fails_with(post("Content-Length: 3\r\nContent-Length: 4\r\n", "abcd"), 400,
                           "conflicting Content-Length values"));
    EXPECT_TRUE(fails_with(post("Content-Length: 3, 4\r\n", "abcd"), 400, "conflicting Content-Length values"));
    EXPECT_TRUE(fails_with(post("Content-Length: 3\r\nContent-Length: 3, 0\r\n", "abc"), 400,
                           "conflicting Content-Length values"));
    // Huge values are well-formed: too large, not malformed.
    EXPECT_TRUE(fails_with(post("Content-Length: 18446744073709551615\r\n", ""), 413, "request body too large"));
    EXPECT_TRUE(fails_with(post("Content-Length: 18446744073709551616\r\n", ""), 413, "request body too large"));
    EXPECT_TRUE(fails_with(post("Content-Length: 99999999999999999999999999999\r\n", ""), 413));
}

// ---------------------------------------------------------------------------------------
// Chunked bodies

TEST(HttpParserChunked, Basic) {
    const std::string in = chunked_post("4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n");
    const Outcome o = parse(in);
    ASSERT_EQ(o.status, Status::Done);
    EXPECT_EQ(o.consumed, in.size());
    EXPECT_EQ(o.body, "Wikipedia in\r\n\r\nchunks.");
    EXPECT_TRUE(o.chunked);
    EXPECT_EQ(o.content_length, std::nullopt);
    EXPECT_TRUE(split_invariant(in));
    EXPECT_TRUE(split_invariant(chunked_post("1\r\na\r\n0\r\n\r\n"), {}, true));
}

TEST(HttpParserChunked, SizesAndExtensions) {
    EXPECT_EQ(parse(chunked_post("a\r\n0123456789\r\n0\r\n\r\n")).body, "0123456789");
    EXPECT_EQ(parse(chunked_post("A\r\n0123456789\r\n0\r\n\r\n")).body, "0123456789");
    EXPECT_EQ(parse(chunked_post("000a\r\n0123456789\r\n000\r\n\r\n")).body, "0123456789");
    EXPECT_EQ(parse(chunked_post("000000000000000a\r\n0123456789\r\n0\r\n\r\n")).body, "0123456789");  // 16 digits
    EXPECT_EQ(parse(chunked_post("3;name=value\r\nabc\r\n0;last\r\n\r\n")).body, "abc");
    EXPECT_EQ(parse(chunked_post("3 ; a=1 ;b=\"x;y z\"\r\nabc\r\n0\r\n\r\n")).body, "abc");
    EXPECT_EQ(parse(chunked_post("3\t;a\r\nabc\r\n0\r\n\r\n")).body, "abc");
    EXPECT_EQ(parse(chunked_post("3;\xc3\xa9\r\nabc\r\n0\r\n\r\n")).body, "abc");
    EXPECT_EQ(parse(chunked_post("0\r\n\r\n")).body, "");
    const std::string ext = chunked_post("3 ; a=1 ;b=\"x;y z\"\r\nabc\r\n0;z\r\n\r\n");
    EXPECT_TRUE(split_invariant(ext, {}, true));
}

TEST(HttpParserChunked, SyntaxErrors) {
    EXPECT_TRUE(fails_with(chunked_post("\r\nabc\r\n0\r\n\r\n"), 400, "invalid chunk size"));
    EXPECT_TRUE(fails_with(chunked_post("g\r\n"), 400, "invalid chunk size"));
    EXPECT_TRUE(fails_with(chunked_post("-3\r\nabc\r\n0\r\n\r\n"), 400, "invalid chunk size"));
    EXPECT_TRUE(fails_with(chunked_post("+3\r\nabc\r\n0\r\n\r\n"), 400, "invalid chunk size"));
    EXPECT_TRUE(fails_with(chunked_post("0x3\r\nabc\r\n0\r\n\r\n"), 400, "invalid chunk size"));
    EXPECT_TRUE(fails_with(chunked_post(" 3\r\nabc\r\n0\r\n\r\n"), 400, "invalid chunk size"));
    EXPECT_TRUE(fails_with(chunked_post("3g\r\nabc\r\n0\r\n\r\n"), 400, "invalid chunk size"));
    EXPECT_TRUE(fails_with(chunked_post(";a\r\nabc\r\n0\r\n\r\n"), 400, "invalid chunk size"));
    EXPECT_TRUE(fails_with(chunked_post("3 \r\nabc\r\n0\r\n\r\n"), 400, "whitespace after the chunk size"));
    EXPECT_TRUE(fails_with(chunked_post("3 4\r\nabc\r\n0\r\n\r\n"), 400, "whitespace after the chunk size"));
    EXPECT_TRUE(fails_with(chunked_post("0000000000000000a\r\n"), 400, "chunk size has too many digits"));
    EXPECT_TRUE(fails_with(chunked_post("3;a\x01\r\nabc\r\n0\r\n\r\n"), 400, "invalid chunk extension"));
    EXPECT_TRUE(fails_with(chunked_post("3;a" + kNul + "\r\nabc\r\n0\r\n\r\n"), 400,
                           "invalid chunk extension"));
    EXPECT_TRUE(fails_with(chunked_post("3;a\rb\r\nabc\r\n0\r\n\r\n"), 400, kCrWithoutLf));
    EXPECT_TRUE(fails_with(chunked_post("3\r\nabcd\r\n0\r\n\r\n"), 400, "chunk data not followed by CRLF"));
    // The CR is the third data byte, then LF is no CR.
    EXPECT_TRUE(fails_with(chunked_post("3\r\nab\r\n0\r\n\r\n"), 400, "chunk data not followed by CRLF"));
    EXPECT_TRUE(fails_with(chunked_post("3\r\nabc0\r\n\r\n"), 400, "chunk data not followed by CRLF"));
    // Truncated: just waits.
    const Outcome o = parse(chunked_post("3\r\nabc\r\n0\r\n"));
    EXPECT_EQ(o.status, Status::NeedMore);
    EXPECT_EQ(o.body, "abc");
}

TEST(HttpParserChunked, TrailersAreCheckedAndDropped) {
    const std::string in = chunked_post("3\r\nabc\r\n0\r\nX-Checksum: 1234\r\nX-Other:  v \r\n\r\n");
    HttpParser p;
    const HttpParser::Result r = p.feed(in);
    ASSERT_EQ(r.status, Status::Done);
    EXPECT_EQ(r.consumed, in.size());
    EXPECT_EQ(p.body(), "abc");
    EXPECT_EQ(p.header_count(), 2u);  // Host and Transfer-Encoding only
    EXPECT_EQ(p.header("X-Checksum"), std::nullopt);
    EXPECT_TRUE(split_invariant(in, {}, true));
    // A Content-Length trailer changes nothing (RFC 9110 6.5.1: not merged).
    const Outcome cl = parse(chunked_post("3\r\nabc\r\n0\r\nContent-Length: 99\r\nHost: y\r\n\r\n"));
    EXPECT_EQ(cl.status, Status::Done);
    EXPECT_EQ(cl.content_length, std::nullopt);
    EXPECT_EQ(cl.header("host"), "x");

    EXPECT_TRUE(fails_with(chunked_post("0\r\nX: a\r\n b\r\n\r\n"), 400, "obsolete line folding"));
    EXPECT_TRUE(fails_with(chunked_post("0\r\n X: a\r\n\r\n"), 400, "whitespace before the first field line"));
    EXPECT_TRUE(fails_with(chunked_post("0\r\nX: a" + kNul + "\r\n\r\n"), 400, "NUL in a field value"));
    EXPECT_TRUE(fails_with(chunked_post("0\r\nX : a\r\n\r\n"), 400, "whitespace before the colon"));
    EXPECT_TRUE(fails_with(chunked_post("0\r\n(X): a\r\n\r\n"), 400, "invalid field name"));
}

TEST(HttpParserChunked, TransferEncodingValues) {
    EXPECT_EQ(parse(post("Transfer-Encoding: Chunked\r\n", "1\r\na\r\n0\r\n\r\n")).body, "a");
    EXPECT_EQ(parse(post("transfer-encoding: CHUNKED\r\n", "1\r\na\r\n0\r\n\r\n")).body, "a");
    EXPECT_EQ(parse(post("Transfer-Encoding: , chunked ,\r\n", "1\r\na\r\n0\r\n\r\n")).body, "a");
    EXPECT_EQ(parse(post("Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n", "1\r\na\r\n0\r\n\r\n")).body, "a");
    for (const char *te : {"gzip", "identity", "deflate", "compress", "gzip, chunked", "x-custom, chunked",
                           "chunked;a=b", "\"chunked\"", "xchunked", "chunkedx", "chunked-x"}) {
        EXPECT_TRUE(fails_with(post(std::string("Transfer-Encoding: ") + te + "\r\n", "1\r\na\r\n0\r\n\r\n"), 501,
                               "unsupported transfer coding"))
            << te;
    }
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", ""), 501));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: chunked, gzip\r\n", ""), 400,
                           "chunked is not the final transfer coding"));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", ""), 400,
                           "chunked is not the final transfer coding"));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: chunked, chunked\r\n", ""), 400, "chunked applied more than once"));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", ""), 400,
                           "chunked applied more than once"));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding:\r\n", ""), 400, "empty Transfer-Encoding"));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: , ,\r\n", ""), 400, "empty Transfer-Encoding"));
    EXPECT_TRUE(fails_with("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n", 400,
                           "Transfer-Encoding in an HTTP/1.0 request"));
}

// ---------------------------------------------------------------------------------------
// Request smuggling defences (RFC 9112 6.3, 11.2)

TEST(HttpParserSmuggling, ContentLengthAndTransferEncoding) {
    const char *const both = "both Content-Length and Transfer-Encoding";
    EXPECT_TRUE(fails_with(post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\nX"), 400, both));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: chunked\r\nContent-Length: 6\r\n", "0\r\n\r\nX"), 400, both));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n", "0\r\n\r\n"), 400, both));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: gzip\r\nContent-Length: 3\r\n", "abc"), 400, both));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding:\r\nContent-Length: 3\r\n", "abc"), 400, both));
    // The answer comes with the header section, before any body byte is read.
    const std::string in = post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\nX");
    const Outcome o = parse(in);
    EXPECT_EQ(o.consumed, in.size() - 6);
}

TEST(HttpParserSmuggling, ObfuscatedFraming) {
    // Variants that lenient parsers read differently from strict ones.
    EXPECT_TRUE(fails_with(post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n"), 400, "whitespace before the colon"));
    EXPECT_TRUE(fails_with(post("Content-Length : 3\r\n", "abc"), 400, "whitespace before the colon"));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding:\r\n chunked\r\n", "0\r\n\r\n"), 400, "obsolete line folding"));
    EXPECT_TRUE(fails_with(post("X: y\r\n Transfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400,
                           "obsolete line folding"));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: \x0b" "chunked\r\n", "0\r\n\r\n"), 400,
                           "control character in a field value"));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: chunked\r\n", "3\nabc\r\n0\r\n\r\n"), 400, kBareLf));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: chunked\n", "0\r\n\r\n"), 400, kBareLf));
    EXPECT_TRUE(fails_with(post("Content-Length: 3\r\nContent-Length: 30\r\n", "abc"), 400,
                           "conflicting Content-Length values"));
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: chunked\r\n", "3 \r\nabc\r\n0\r\n\r\n"), 400));
    // A chunk size that overflows 64 bits is not silently truncated: too large for the
    // limit long before, and refused by its digit count without a limit.
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: chunked\r\n", "10000000000000003\r\nabc\r\n0\r\n\r\n"), 413,
                           "request body too large"));
    HttpParserLimits unlimited;
    unlimited.max_body = UINT64_MAX;
    EXPECT_TRUE(fails_with(post("Transfer-Encoding: chunked\r\n", "10000000000000003\r\nabc\r\n0\r\n\r\n"), 400,
                           "chunk size has too many digits", unlimited));
    // The smuggled request stays part of the body.
    const std::string smuggle = post("Content-Length: 23\r\n", "GET /admin HTTP/1.1\r\n\r\n");
    const Outcome o = parse(smuggle);
    EXPECT_EQ(o.status, Status::Done);
    EXPECT_EQ(o.consumed, smuggle.size());
    EXPECT_EQ(o.body, "GET /admin HTTP/1.1\r\n\r\n");
}

// ---------------------------------------------------------------------------------------
// Limits: exactly at a limit passes, one more fails

TEST(HttpParserLimits, Defaults) {
    const HttpParserLimits l;
    EXPECT_EQ(l.max_request_line, 8192u);
    EXPECT_EQ(l.max_header_bytes, 65536u);
    EXPECT_EQ(l.max_headers, 100u);
    EXPECT_EQ(l.max_body, 2u * 1024 * 1024);
}

namespace {

// A request whose request line (without CRLF) is exactly `len` bytes.
std::string request_line_of(size_t len) {
    const std::string fixed = "GET / HTTP/1.1";
    return "GET /" + std::string(len - fixed.size(), 'a') + " HTTP/1.1\r\n\r\n";
}

// Field lines plus the final CRLF totalling exactly `len` bytes (len >= 7).
std::string section_of(size_t len) {
    // "X: " + value + CRLF + CRLF
    return "X: " + std::string(len - 7, 'v') + "\r\n\r\n";
}

std::string fields_count(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; i++) s += "F" + std::to_string(i) + ": v\r\n";
    return s;
}

}  // namespace

TEST(HttpParserLimits, RequestLine) {
    for (size_t limit : {size_t(20), size_t(100), size_t(8192)}) {
        HttpParserLimits l;
        l.max_request_line = limit;
        const Outcome ok = parse(request_line_of(limit), l);
        EXPECT_EQ(ok.status, Status::Done) << limit;
        EXPECT_EQ(ok.target.size(), limit - 13);
        const Outcome over = parse(request_line_of(limit + 1), l);
        EXPECT_EQ(over.status, Status::Error);
        EXPECT_EQ(over.error_status, 414);
        EXPECT_EQ(over.reason, "request line too long");
        EXPECT_EQ(over.consumed, limit);  // refused at the first byte past the limit
        if (limit == 20) {
            EXPECT_TRUE(split_invariant(request_line_of(limit), l, true));
            EXPECT_TRUE(split_invariant(request_line_of(limit + 1), l, true));
        }
    }
    // Each part of the line counts, the CRLF does not; leading empty lines do not either.
    HttpParserLimits l;
    l.max_request_line = 14;
    EXPECT_EQ(parse("\r\n\r\nGET / HTTP/1.1\r\n\r\n", l).status, Status::Done);
    EXPECT_TRUE(fails_with("GETT / HTTP/1.1\r\n\r\n", 414, nullptr, l));
    EXPECT_TRUE(fails_with("GET /a HTTP/1.1\r\n\r\n", 414, nullptr, l));  // the final '1' is the 15th byte
    // A byte that is wrong anyway is reported as such, even past the limit.
    EXPECT_TRUE(fails_with("GET / HTTP/1.10\r\n\r\n", 400, "invalid HTTP version", l));
    l.max_request_line = 3;
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\n\r\n", 414, nullptr, l));  // the space after GET
    l.max_request_line = 4;
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\n\r\n", 414, nullptr, l));
    // A long line is refused as it grows, long before its end.
    HttpParser p;
    const std::string huge = "GET /" + std::string(100000, 'a');
    const HttpParser::Result r = p.feed(huge);
    EXPECT_EQ(r.status, Status::Error);
    EXPECT_EQ(r.consumed, 8192u);
    EXPECT_EQ(p.error().status, 414);
}

TEST(HttpParserLimits, HeaderSectionBytes) {
    for (size_t limit : {size_t(7), size_t(64), size_t(65536)}) {
        HttpParserLimits l;
        l.max_header_bytes = limit;
        const std::string line = "GET / HTTP/1.1\r\n";
        const Outcome ok = parse(line + section_of(limit), l);
        EXPECT_EQ(ok.status, Status::Done) << limit;
        EXPECT_EQ(ok.header("x").size(), limit - 7);
        const Outcome over = parse(line + section_of(limit + 1), l);
        EXPECT_EQ(over.status, Status::Error) << limit;
        EXPECT_EQ(over.error_status, 431);
        EXPECT_EQ(over.reason, "header section too large");
        EXPECT_EQ(over.consumed, line.size() + limit);
        if (limit == 64) {
            EXPECT_TRUE(split_invariant(line + section_of(limit), l, true));
            EXPECT_TRUE(split_invariant(line + section_of(limit + 1), l, true));
        }
    }
    // Every byte counts: name, colon, OWS, value, trailing OWS, CRLF, the final CRLF.
    HttpParserLimits l;
    l.max_header_bytes = 12;  // "Ab:  c \t\r\n" is 10, plus 2
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nAb:  c \t\r\n\r\n", l).status, Status::Done);
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\nAbc:  c \t\r\n\r\n", 431, nullptr, l));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\nAb:   c \t\r\n\r\n", 431, nullptr, l));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\nAb:  c \t \r\n\r\n", 431, nullptr, l));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\nAb:  cc \t\r\n\r\n", 431, nullptr, l));
    l.max_header_bytes = 2;
    EXPECT_EQ(parse("GET / HTTP/1.1\r\n\r\n", l).status, Status::Done);
    l.max_header_bytes = 1;
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\n\r\n", 431, nullptr, l));
    l.max_header_bytes = 0;
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\n\r\n", 431, nullptr, l));
}

TEST(HttpParserLimits, HeaderCount) {
    for (size_t limit : {size_t(0), size_t(1), size_t(5), size_t(100)}) {
        HttpParserLimits l;
        l.max_headers = limit;
        const Outcome ok = parse("GET / HTTP/1.1\r\n" + fields_count(limit) + "\r\n", l);
        EXPECT_EQ(ok.status, Status::Done) << limit;
        EXPECT_EQ(ok.headers.size(), limit);
        const std::string over_in = "GET / HTTP/1.1\r\n" + fields_count(limit + 1) + "\r\n";
        const Outcome over = parse(over_in, l);
        EXPECT_EQ(over.status, Status::Error);
        EXPECT_EQ(over.error_status, 431);
        EXPECT_EQ(over.reason, "too many header fields");
        EXPECT_EQ(over.consumed, over_in.size() - 2 - ("F" + std::to_string(limit) + ": v\r\n").size());
        EXPECT_TRUE(split_invariant(over_in, l));
    }
}

TEST(HttpParserLimits, ContentLengthBody) {
    for (uint64_t limit : {uint64_t(0), uint64_t(1), uint64_t(10), uint64_t(2 * 1024 * 1024)}) {
        HttpParserLimits l;
        l.max_body = limit;
        const std::string body(limit, 'b');
        const Outcome ok = parse(post("Content-Length: " + std::to_string(limit) + "\r\n", body), l);
        EXPECT_EQ(ok.status, Status::Done) << limit;
        EXPECT_EQ(ok.body.size(), limit);
        // One more byte is refused with the header section, before the body is read.
        const std::string head = post("Content-Length: " + std::to_string(limit + 1) + "\r\n", "");
        const Outcome over = parse(head + body + "b", l);
        EXPECT_EQ(over.status, Status::Error);
        EXPECT_EQ(over.error_status, 413);
        EXPECT_EQ(over.reason, "request body too large");
        EXPECT_EQ(over.consumed, head.size());
    }
    // The default limit.
    HttpParser p;
    const std::string head = post("Content-Length: 2097153\r\n", "");
    EXPECT_EQ(p.feed(head).status, Status::Error);
    EXPECT_EQ(p.error().status, 413);
}

TEST(HttpParserLimits, ChunkedBody) {
    HttpParserLimits l;
    l.max_body = 10;
    EXPECT_EQ(parse(chunked_post("a\r\n0123456789\r\n0\r\n\r\n"), l).body, "0123456789");
    EXPECT_EQ(parse(chunked_post("5\r\n01234\r\n4\r\n5678\r\n1\r\n9\r\n0\r\n\r\n"), l).body, "0123456789");
    // Refused at the size digit that passes the limit, before any data of that chunk.
    const std::string head = chunked_post("");
    Outcome o = parse(chunked_post("b\r\n0123456789a\r\n0\r\n\r\n"), l);
    EXPECT_EQ(o.status, Status::Error);
    EXPECT_EQ(o.error_status, 413);
    EXPECT_EQ(o.reason, "request body too large");
    EXPECT_EQ(o.consumed, head.size());
    o = parse(chunked_post("5\r\n01234\r\n6\r\n567890\r\n0\r\n\r\n"), l);
    EXPECT_EQ(o.error_status, 413);
    EXPECT_EQ(o.consumed, head.size() + 10);
    o = parse(chunked_post("0000000000b\r\n"), l);
    EXPECT_EQ(o.error_status, 413);
    EXPECT_EQ(o.consumed, head.size() + 10);
    o = parse(chunked_post("10\r\n"), l);  // "1" fits, "10" does not
    EXPECT_EQ(o.error_status, 413);
    EXPECT_EQ(o.consumed, head.size() + 1);
    EXPECT_TRUE(split_invariant(chunked_post("5\r\n01234\r\n6\r\n567890\r\n0\r\n\r\n"), l, true));
    l.max_body = 0;
    EXPECT_EQ(parse(chunked_post("0\r\n\r\n"), l).status, Status::Done);
    EXPECT_TRUE(fails_with(chunked_post("1\r\na\r\n0\r\n\r\n"), 413, nullptr, l));
    // The default limit: 2 MiB passes in 4 KiB chunks, a byte more does not.
    std::string chunks;
    for (int i = 0; i < 512; i++) chunks += "1000\r\n" + std::string(4096, 'c') + "\r\n";
    const Outcome full = parse(chunked_post(chunks + "0\r\n\r\n"));
    EXPECT_EQ(full.status, Status::Done);
    EXPECT_EQ(full.body.size(), 2u * 1024 * 1024);
    EXPECT_TRUE(fails_with(chunked_post(chunks + "1\r\nx\r\n0\r\n\r\n"), 413));
}

TEST(HttpParserLimits, ChunkExtensions) {
    // Extension bytes (from the first BWS or ';' to the CR) share max_header_bytes per request.
    HttpParserLimits l;
    l.max_header_bytes = 40;  // also bounds the header section, which is 39 bytes here
    const std::string ext16 = ";" + std::string(15, 'e');
    EXPECT_EQ(parse(chunked_post("1" + ext16 + "\r\na\r\n1 " + ext16 + "\r\nb\r\n0;" + std::string(6, 'z') +
                                 "\r\n\r\n"),
                    l)
                  .body,
              "ab");  // 16 + 17 + 7 = 40
    const std::string over = chunked_post("1" + ext16 + "\r\na\r\n1 " + ext16 + "\r\nb\r\n0;" + std::string(7, 'z') +
                                          "\r\n\r\n");
    EXPECT_TRUE(fails_with(over, 413, "chunk extensions too large", l));
    EXPECT_EQ(parse(over, l).consumed, over.size() - 5);  // at the last 'z'
    EXPECT_TRUE(fails_with(chunked_post("1" + std::string(41, ' ')), 413, "chunk extensions too large", l));
}

TEST(HttpParserLimits, Trailers) {
    // The trailer section has its own budget, equal to the header section's.
    HttpParserLimits l;
    l.max_header_bytes = 48;
    l.max_headers = 2;
    const std::string ok = chunked_post("0\r\nA: 1\r\n" + section_of(48 - 6));
    EXPECT_EQ(parse(ok, l).status, Status::Done);
    EXPECT_TRUE(split_invariant(ok, l, true));
    EXPECT_TRUE(fails_with(chunked_post("0\r\nA: 1\r\n" + section_of(48 - 5)), 431, "trailer section too large", l));
    EXPECT_TRUE(fails_with(chunked_post("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"), 431, "too many trailer fields", l));
    EXPECT_EQ(parse(chunked_post("0\r\nA: 1\r\nB: 2\r\n\r\n"), l).status, Status::Done);
}
