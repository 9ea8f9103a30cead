// Tests for src/core/http/http_parser.h: request line, header fields, Content-Length and
// chunked bodies, connection semantics, limits at their exact boundaries, smuggling
// defences, pipelining, and the same outcome for every way of splitting the input.
#include "core/http/http_parser.h"

#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace wsserver;
using Status = HttpParser::Status;

namespace {

std::string lower(std::string s) {
    for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

const std::string kNul(1, '\0');

// Everything observable after a parse, so that differently split runs can be compared.
struct Outcome {
    Status status = Status::NeedMore;
    size_t consumed = 0;
    uint16_t error_status = 0;
    std::string reason;
    bool headers_complete = false;
    std::string method, target, path, query;
    int minor = -1;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool keep_alive = false;
    bool expects_continue = false;
    bool websocket = false;
    bool chunked = false;
    std::optional<uint64_t> content_length;

    std::string header(std::string_view name) const {
        for (const auto &h : headers) {
            if (lower(h.first) == lower(std::string(name))) return h.second;
        }
        return "<none>";
    }
};

bool operator==(const Outcome &a, const Outcome &b) {
    return a.status == b.status && a.consumed == b.consumed && a.error_status == b.error_status &&
           a.reason == b.reason && a.headers_complete == b.headers_complete && a.method == b.method &&
           a.target == b.target && a.path == b.path && a.query == b.query && a.minor == b.minor &&
           a.headers == b.headers && a.body == b.body && a.keep_alive == b.keep_alive &&
           a.expects_continue == b.expects_continue && a.websocket == b.websocket && a.chunked == b.chunked &&
           a.content_length == b.content_length;
}

std::ostream &operator<<(std::ostream &os, const Outcome &o) {
    static const char *names[] = {"NeedMore", "Done", "Error"};
    os << names[static_cast<int>(o.status)] << " consumed=" << o.consumed;
    if (o.status == Status::Error) return os << " " << o.error_status << " (" << o.reason << ")";
    os << " complete=" << o.headers_complete << " [" << o.method << "] [" << o.target << "] 1." << o.minor << " "
       << o.headers.size() << " headers, body " << o.body.size() << " bytes";
    return os;
}

Outcome capture(const HttpParser &p, size_t consumed) {
    Outcome o;
    o.status = p.status();
    o.consumed = consumed;
    if (o.status == Status::Error) {
        o.error_status = p.error().status;
        o.reason = p.error().reason;
        return o;
    }
    o.headers_complete = p.headers_complete();
    if (!o.headers_complete) return o;
    o.method = std::string(p.method());
    o.target = std::string(p.target());
    o.path = std::string(p.path());
    o.query = std::string(p.query());
    o.minor = p.version_minor();
    for (size_t i = 0; i < p.header_count(); i++) {
        const HttpHeader h = p.header_at(i);
        o.headers.emplace_back(std::string(h.name), std::string(h.value));
    }
    o.body = std::string(p.body());
    o.keep_alive = p.keep_alive();
    o.expects_continue = p.expects_continue();
    o.websocket = p.is_websocket_upgrade();
    o.chunked = p.chunked();
    o.content_length = p.content_length();
    return o;
}

// Feeds `input` to `p` in pieces ending at `cuts` (ascending), checking the Result
// contract on every call; stops at Done or Error like a server would.
Outcome run(HttpParser &p, std::string_view input, const std::vector<size_t> &cuts) {
    size_t pos = 0;
    size_t consumed = 0;
    std::vector<size_t> ends = cuts;
    ends.push_back(input.size());
    for (size_t end : ends) {
        const std::string_view piece = input.substr(pos, end - pos);
        const HttpParser::Result r = p.feed(piece);
        EXPECT_LE(r.consumed, piece.size());
        EXPECT_EQ(r.status, p.status());
        consumed += r.consumed;
        pos = end;
        if (r.status == Status::NeedMore) {
            EXPECT_EQ(r.consumed, piece.size()) << "NeedMore must consume everything";
        } else {
            break;
        }
    }
    return capture(p, consumed);
}

Outcome parse(std::string_view input, HttpParserLimits limits = {}) {
    HttpParser p(limits);
    return run(p, input, {});
}

Outcome parse_bytewise(std::string_view input, HttpParserLimits limits = {}) {
    HttpParser p(limits);
    std::vector<size_t> cuts;
    for (size_t i = 1; i < input.size(); i++) cuts.push_back(i);
    return run(p, input, cuts);
}

// The whole input, every single cut, byte by byte and (for short inputs) every pair of
// cuts must give the same outcome.
::testing::AssertionResult split_invariant(std::string_view input, HttpParserLimits limits = {},
                                           bool all_pairs = false) {
    const Outcome whole = parse(input, limits);
    for (size_t i = 0; i <= input.size(); i++) {
        HttpParser p(limits);
        const Outcome o = run(p, input, {i});
        if (!(o == whole)) {
            return ::testing::AssertionFailure() << "cut at " << i << ": " << o << "\n  whole: " << whole;
        }
    }
    const Outcome bytes = parse_bytewise(input, limits);
    if (!(bytes == whole)) {
        return ::testing::AssertionFailure() << "byte-wise: " << bytes << "\n  whole: " << whole;
    }
    if (all_pairs) {
        for (size_t i = 0; i <= input.size(); i++) {
            for (size_t j = i; j <= input.size(); j++) {
                HttpParser p(limits);
                const Outcome o = run(p, input, {i, j});
                if (!(o == whole)) {
                    return ::testing::AssertionFailure() << "cuts at " << i << "," << j << ": " << o;
                }
            }
        }
    }
    return ::testing::AssertionSuccess();
}

// Parses and expects an error with this status (and reason, when given).
::testing::AssertionResult fails_with(std::string_view input, uint16_t status, const char *reason = nullptr,
                                      HttpParserLimits limits = {}) {
    const Outcome o = parse(input, limits);
    if (o.status != Status::Error || o.error_status != status || (reason && o.reason != reason)) {
        return ::testing::AssertionFailure()
               << "expected " << status << (reason ? std::string(" (") + reason + ")" : "") << ", got " << o;
    }
    // Errors must not depend on the split either (checked on inputs small enough to try every cut).
    return input.size() <= 2048 ? split_invariant(input, limits) : ::testing::AssertionSuccess();
}

std::string get(std::string_view target = "/", std::string_view fields = "Host: x\r\n") {
    return "GET " + std::string(target) + " HTTP/1.1\r\n" + std::string(fields) + "\r\n";
}

std::string post(std::string_view fields, std::string_view body) {
    return "POST /upload HTTP/1.1\r\nHost: x\r\n" + std::string(fields) + "\r\n" + std::string(body);
}

std::string chunked_post(std::string_view chunks) { return post("Transfer-Encoding: chunked\r\n", chunks); }

const char *const kBareLf = "bare LF line ending";
const char *const kCrWithoutLf = "CR not followed by LF";

}  // namespace

// ---------------------------------------------------------------------------------------
// Request line

TEST(HttpParser, SimpleGet) {
    const std::string in = "GET /index.html?a=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
    HttpParser p;
    EXPECT_FALSE(p.headers_complete());
    const HttpParser::Result r = p.feed(in);
    EXPECT_EQ(r.status, Status::Done);
    EXPECT_EQ(r.consumed, in.size());
    EXPECT_EQ(p.status(), Status::Done);
    EXPECT_TRUE(p.headers_complete());
    EXPECT_EQ(p.method(), "GET");
    EXPECT_EQ(p.target(), "/index.html?a=1");
    EXPECT_EQ(p.path(), "/index.html");
    EXPECT_EQ(p.query(), "a=1");
    EXPECT_EQ(p.version_major(), 1);
    EXPECT_EQ(p.version_minor(), 1);
    ASSERT_EQ(p.header_count(), 2u);
    EXPECT_EQ(p.header_at(0).name, "Host");
    EXPECT_EQ(p.header_at(0).value, "example.com");
    EXPECT_EQ(p.header_at(1).name, "Accept");
    EXPECT_EQ(p.header_at(1).value, "*/*");
    EXPECT_EQ(p.header("host"), std::optional<std::string_view>("example.com"));
    EXPECT_EQ(p.header("HOST"), std::optional<std::string_view>("example.com"));
    EXPECT_EQ(p.header("aCCEPT"), std::optional<std::string_view>("*/*"));
    EXPECT_EQ(p.header("Accept-Encoding"), std::nullopt);
    EXPECT_EQ(p.header("Hos"), std::nullopt);
    EXPECT_EQ(p.body(), "");
    EXPECT_FALSE(p.chunked());
    EXPECT_EQ(p.content_length(), std::nullopt);
    EXPECT_TRUE(p.keep_alive());
    EXPECT_FALSE(p.expects_continue());
    EXPECT_FALSE(p.is_websocket_upgrade());
    EXPECT_EQ(p.error().status, 0);
    EXPECT_TRUE(split_invariant(in, {}, true));
}

TEST(HttpParser, MethodsAreTokensKeptAsSent) {
    for (const char *m :
         {"GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "PROPFIND", "get", "M-SEARCH", "X!#$%&'*+.^_`|~1"}) {
        const Outcome o = parse(std::string(m) + " / HTTP/1.1\r\n\r\n");
        EXPECT_EQ(o.status, Status::Done) << m;
        EXPECT_EQ(o.method, m);
    }
    EXPECT_TRUE(fails_with("G(T / HTTP/1.1\r\n\r\n", 400, "invalid method"));
    EXPECT_TRUE(fails_with("GE\"T / HTTP/1.1\r\n\r\n", 400, "invalid method"));
    EXPECT_TRUE(fails_with("G\xc3\xa9T / HTTP/1.1\r\n\r\n", 400, "invalid method"));
    EXPECT_TRUE(fails_with(" GET / HTTP/1.1\r\n\r\n", 400, "invalid method"));
    EXPECT_TRUE(fails_with("GET\t/ HTTP/1.1\r\n\r\n", 400, "invalid method"));
    EXPECT_TRUE(fails_with("\x16\x03\x01\x02\x00", 400, "invalid method"));  // a TLS ClientHello
}

TEST(HttpParser, PathAndQuery) {
    struct Case {
        const char *target, *path, *query;
    } cases[] = {
        {"/", "/", ""},
        {"/a/b/c", "/a/b/c", ""},
        {"/a?x=1&y=2", "/a", "x=1&y=2"},
        {"/?", "/", ""},
        {"/a?b?c", "/a", "b?c"},
        {"/%20a%3F?q=%3F", "/%20a%3F", "q=%3F"},
        {"*", "*", ""},
        {"example.com:443", "example.com:443", ""},  // authority-form (CONNECT)
        {"http://example.com/p/q?x=1", "/p/q", "x=1"},
        {"https://user@example.com:8080/p", "/p", ""},
        {"http://example.com", "/", ""},
        {"http://example.com?x", "/", "x"},
        {"HTTP+x.y-z://h/a", "/a", ""},
        {"/redirect?to=http://x/y", "/redirect", "to=http://x/y"},
        {"1http://h/a", "1http://h/a", ""},  // a scheme starts with a letter
        {"/caf\xc3\xa9", "/caf\xc3\xa9", ""},  // obs-text is accepted in the target
    };
    for (const Case &c : cases) {
        const Outcome o = parse(get(c.target));
        ASSERT_EQ(o.status, Status::Done) << c.target;
        EXPECT_EQ(o.target, c.target);
        EXPECT_EQ(o.path, c.path) << c.target;
        EXPECT_EQ(o.query, c.query) << c.target;
    }
}

TEST(HttpParser, TargetErrors) {
    EXPECT_TRUE(fails_with("GET  / HTTP/1.1\r\n\r\n", 400, "empty request target"));
    EXPECT_TRUE(fails_with("GET /a\x01 HTTP/1.1\r\n\r\n", 400, "invalid request target"));
    EXPECT_TRUE(fails_with("GET /a" + kNul + "b HTTP/1.1\r\n\r\n", 400, "invalid request target"));
    EXPECT_TRUE(fails_with("GET /a\x7f HTTP/1.1\r\n\r\n", 400, "invalid request target"));
    EXPECT_TRUE(fails_with("GET /a\tb HTTP/1.1\r\n\r\n", 400, "invalid request target"));
    EXPECT_TRUE(fails_with("GET /a\rb HTTP/1.1\r\n\r\n", 400, "invalid request target"));
    EXPECT_TRUE(fails_with("GET HTTP/1.1\r\n\r\n", 400, "invalid request target"));
    EXPECT_TRUE(fails_with("GET /\r\n\r\n", 400, "invalid request target"));  // HTTP/0.9 simple request
    EXPECT_TRUE(fails_with("GET /\n", 400, kBareLf));
    EXPECT_TRUE(fails_with("GET\r\n\r\n", 400, "invalid method"));
}

TEST(HttpParser, Versions) {
    EXPECT_EQ(parse("GET / HTTP/1.1\r\n\r\n").minor, 1);
    EXPECT_EQ(parse("GET / HTTP/1.0\r\n\r\n").minor, 0);
    // RFC 9110 2.5: a higher minor version of a major version we implement is processed as 1.1.
    EXPECT_EQ(parse("GET / HTTP/1.2\r\n\r\n").minor, 1);
    EXPECT_EQ(parse("GET / HTTP/1.9\r\n\r\n").minor, 1);
    EXPECT_EQ(parse("GET / HTTP/1.9\r\n\r\n").status, Status::Done);
    for (const char *v : {"HTTP/0.9", "HTTP/2.0", "HTTP/3.0", "HTTP/9.9", "HTTP/0.0", "HTTP/2.1"}) {
        EXPECT_TRUE(fails_with(std::string("GET / ") + v + "\r\n\r\n", 505, "unsupported HTTP version")) << v;
    }
    for (const char *v : {"HTTP/1.10", "HTTP/11", "HTTP/1", "http/1.1", "HTTP/1.x", "HTTP/a.1", "HTTP-1.1",
                          "HTTPS/1.1", "HTTP/1.1/", "", "H", "HTTP/1,1", "XTTP/1.1", "HTTP/+1.1"}) {
        EXPECT_TRUE(fails_with(std::string("GET / ") + v + "\r\n\r\n", 400, "invalid HTTP version")) << v;
    }
    EXPECT_TRUE(fails_with("GET / HTTP/1.1 \r\n\r\n", 400, "invalid HTTP version"));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\tx\r\n\r\n", 400, "invalid HTTP version"));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1 foo\r\n\r\n", 400, "invalid HTTP version"));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\n\r\n", 400, kBareLf));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\rX\r\n", 400, kCrWithoutLf));
    // The version is checked at its end; an unsupported one is 505 only when well-formed.
    EXPECT_TRUE(fails_with("GET / HTTP/2.0 \r\n\r\n", 400, "invalid HTTP version"));
}

TEST(HttpParser, EmptyLinesBeforeTheRequestLineAreSkipped) {
    const std::string in = "\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n";
    const Outcome o = parse(in);
    EXPECT_EQ(o.status, Status::Done);
    EXPECT_EQ(o.consumed, in.size());
    EXPECT_EQ(o.method, "GET");
    EXPECT_TRUE(split_invariant(in, {}, true));
    // Only as CRLF pairs.
    EXPECT_TRUE(fails_with("\nGET / HTTP/1.1\r\n\r\n", 400, kBareLf));
    EXPECT_TRUE(fails_with("\r\r\nGET / HTTP/1.1\r\n\r\n", 400, kCrWithoutLf));
    EXPECT_TRUE(fails_with("\r\n \r\nGET / HTTP/1.1\r\n\r\n", 400, "invalid method"));
    // Empty lines alone: all consumed, still waiting for a request.
    HttpParser p;
    const HttpParser::Result r = p.feed("\r\n\r\n\r");
    EXPECT_EQ(r.status, Status::NeedMore);
    EXPECT_EQ(r.consumed, 5u);
    EXPECT_FALSE(p.headers_complete());
}

// ---------------------------------------------------------------------------------------
// Header fields

TEST(HttpParser, FieldValuesAreTrimmedAndKeptInOrder) {
    const std::string in = get("/",
                               "Host: x\r\n"
                               "X-Spaces:    padded value  \t \r\n"
                               "X-Tight:v\r\n"
                               "X-Empty:\r\n"
                               "X-Blank: \t \r\n"
                               "X-Inner: a  b\tc\r\n"
                               "Set-Cookie: a=1\r\n"
                               "X-Colon: a:b: c\r\n"
                               "set-cookie: b=2\r\n"
                               "X-Obs-Text: caf\xc3\xa9\r\n"
                               "SET-COOKIE: c=3\r\n"
                               "X-Quote: \"q, r\"\r\n");
    const Outcome o = parse(in);
    ASSERT_EQ(o.status, Status::Done);
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"Host", "x"},          {"X-Spaces", "padded value"}, {"X-Tight", "v"},      {"X-Empty", ""},
        {"X-Blank", ""},        {"X-Inner", "a  b\tc"},       {"Set-Cookie", "a=1"}, {"X-Colon", "a:b: c"},
        {"set-cookie", "b=2"},  {"X-Obs-Text", "caf\xc3\xa9"}, {"SET-COOKIE", "c=3"}, {"X-Quote", "\"q, r\""},
    };
    EXPECT_EQ(o.headers, expected);
    EXPECT_TRUE(split_invariant(in));

    HttpParser p;
    ASSERT_EQ(p.feed(in).status, Status::Done);
    // Repeated fields: iterate every value in order.
    std::vector<std::string_view> cookies;
    for (size_t i = p.find_header("set-cookie"); i != HttpParser::npos; i = p.find_header("Set-Cookie", i + 1)) {
        cookies.push_back(p.header_at(i).value);
    }
    EXPECT_EQ(cookies, (std::vector<std::string_view>{"a=1", "b=2", "c=3"}));
    EXPECT_EQ(p.header("SET-cookie"), std::optional<std::string_view>("a=1"));
    EXPECT_EQ(p.find_header("X-Empty"), 3u);
    EXPECT_EQ(p.header("x-empty"), std::optional<std::string_view>(""));
    EXPECT_EQ(p.find_header("nope"), HttpParser::npos);
    EXPECT_EQ(p.find_header("Host", 1), HttpParser::npos);
    EXPECT_EQ(p.find_header("Host", 100), HttpParser::npos);
}

TEST(HttpParser, FieldNameTokens) {
    const Outcome o = parse(get("/", "Host: x\r\nA!#$%&'*+-.^_`|~0z: v\r\n"));
    ASSERT_EQ(o.status, Status::Done);
    EXPECT_EQ(o.header("a!#$%&'*+-.^_`|~0Z"), "v");
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\nBad(Name): v\r\n"), 400, "invalid field name"));
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\n: v\r\n"), 400, "invalid field name"));
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\nNa\xc3\xa9: v\r\n"), 400, "invalid field name"));
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\nNoColon\r\n"), 400, "invalid field name"));
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\nA@b: v\r\n"), 400, "invalid field name"));
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\nName\n"), 400, kBareLf));
    // RFC 9112 5.1: no whitespace between the name and the colon.
    EXPECT_TRUE(fails_with(get("/", "Host : x\r\n"), 400, "whitespace before the colon"));
    EXPECT_TRUE(fails_with(get("/", "Host\t: x\r\n"), 400, "whitespace before the colon"));
}

TEST(HttpParser, ObsFoldAndLeadingWhitespaceAreRejected) {
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\nX-A: one\r\n two\r\n"), 400, "obsolete line folding"));
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\nX-A: one\r\n\ttwo\r\n"), 400, "obsolete line folding"));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400, "whitespace before the first field line"));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\n\tHost: x\r\n\r\n", 400, "whitespace before the first field line"));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\n \r\n\r\n", 400, "whitespace before the first field line"));
}

TEST(HttpParser, ControlCharactersInValues) {
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\nX: a" + kNul + "b\r\n"), 400, "NUL in a field value"));
    EXPECT_TRUE(fails_with(get("/", "Host: " + kNul + "\r\n"), 400, "NUL in a field value"));
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\nX: a\rb\r\n"), 400, kCrWithoutLf));
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\nX: a\r\r\n"), 400, kCrWithoutLf));
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\nX: a\nb\r\n"), 400, kBareLf));
    for (int c = 1; c < 0x20; c++) {
        if (c == '\t' || c == '\r' || c == '\n') continue;
        std::string fields = "Host: x\r\nX: a";
        fields += static_cast<char>(c);
        fields += "b\r\n";
        EXPECT_TRUE(fails_with(get("/", fields), 400, "control character in a field value")) << c;
    }
    EXPECT_TRUE(fails_with(get("/", "Host: x\r\nX: a\x7f\r\n"), 400, "control character in a field value"));
    // Every byte >= 0x80 is obs-text, accepted.
    std::string high;
    for (int c = 0x80; c < 0x100; c++) high += static_cast<char>(c);
    const Outcome o = parse(get("/", "Host: x\r\nX: " + high + "\r\n"));
    ASSERT_EQ(o.status, Status::Done);
    EXPECT_EQ(o.header("x"), high);
}

TEST(HttpParser, BareLfIsRejectedEverywhere) {
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\nHost: x\r\n\r\n", 400, kBareLf));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\nHost: x\n\r\n", 400, kBareLf));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\nHost: x\r\n\n", 400, kBareLf));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\nHost: x\r\nX:\n\r\n", 400, kBareLf));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\n\n", 400, kBareLf));
    EXPECT_TRUE(fails_with(chunked_post("3\nabc\r\n0\r\n\r\n"), 400, kBareLf));
    EXPECT_TRUE(fails_with(chunked_post("3;x=1\nabc\r\n0\r\n\r\n"), 400, kBareLf));
    EXPECT_TRUE(fails_with(chunked_post("3\r\nabc\n0\r\n\r\n"), 400, "chunk data not followed by CRLF"));
    EXPECT_TRUE(fails_with(chunked_post("3\r\nabc\r\n0\n\r\n"), 400, kBareLf));
    EXPECT_TRUE(fails_with(chunked_post("3\r\nabc\r\n0\r\n\n"), 400, kBareLf));
    EXPECT_TRUE(fails_with(chunked_post("3\r\nabc\r\n0\r\nT: 1\n\r\n"), 400, kBareLf));
}

TEST(HttpParser, CrWithoutLf) {
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\r\n\r\n", 400, kCrWithoutLf));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\nHost: x\r\r\n", 400, kCrWithoutLf));
    EXPECT_TRUE(fails_with("GET / HTTP/1.1\r\nHost: x\r\n\rX", 400, kCrWithoutLf));
    EXPECT_TRUE(fails_with(chunked_post("3\rabc\r\n0\r\n\r\n"), 400, kCrWithoutLf));
    EXPECT_TRUE(fails_with(chunked_post("3\r\nabc\rx0\r\n\r\n"), 400, kCrWithoutLf));
}

TEST(HttpParser, HostField) {
    EXPECT_EQ(parse("GET / HTTP/1.1\r\n\r\n").status, Status::Done);  // a missing Host is the server's call
    EXPECT_TRUE(fails_with(get("/", "Host: a\r\nHost: a\r\n"), 400, "more than one Host field"));
    EXPECT_TRUE(fails_with(get("/", "Host: a\r\nX: 1\r\nhost: b\r\n"), 400, "more than one Host field"));
}

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
// Connection semantics

TEST(HttpParser, KeepAlive) {
    struct Case {
        const char *version, *connection;
        bool keep_alive;
    } cases[] = {
        {"HTTP/1.1", nullptr, true},
        {"HTTP/1.1", "close", false},
        {"HTTP/1.1", "Close", false},
        {"HTTP/1.1", "keep-alive", true},
        {"HTTP/1.1", "foo, CLOSE", false},
        {"HTTP/1.1", "keep-alive, close", false},
        {"HTTP/1.1", "closed", true},
        {"HTTP/1.1", "upgrade", true},
        {"HTTP/1.0", nullptr, false},
        {"HTTP/1.0", "keep-alive", true},
        {"HTTP/1.0", "Keep-Alive", true},
        {"HTTP/1.0", "te, keep-alive", true},
        {"HTTP/1.0", "keep-alive, close", false},
        {"HTTP/1.0", "keep-alives", false},
        {"HTTP/1.0", "close", false},
    };
    for (const Case &c : cases) {
        std::string in = std::string("GET / ") + c.version + "\r\n";
        if (c.connection) in += std::string("Connection: ") + c.connection + "\r\n";
        in += "\r\n";
        const Outcome o = parse(in);
        ASSERT_EQ(o.status, Status::Done) << in;
        EXPECT_EQ(o.keep_alive, c.keep_alive) << in;
    }
    // Tokens from repeated Connection fields add up.
    EXPECT_FALSE(parse("GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n").keep_alive);
    // An error means closing.
    HttpParser p;
    EXPECT_EQ(p.feed("GET / HTTP/1.1\r\nX\x01: y\r\n\r\n").status, Status::Error);
    EXPECT_FALSE(p.keep_alive());
}

TEST(HttpParser, ExpectContinue) {
    const std::string head = "POST / HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";
    HttpParser p;
    const HttpParser::Result r = p.feed(head);
    // The header section is complete while the body is pending: time to send 100 Continue.
    EXPECT_EQ(r.status, Status::NeedMore);
    EXPECT_EQ(r.consumed, head.size());
    EXPECT_TRUE(p.headers_complete());
    EXPECT_TRUE(p.expects_continue());
    EXPECT_EQ(p.feed("hello").status, Status::Done);
    EXPECT_EQ(p.body(), "hello");

    EXPECT_TRUE(parse("GET / HTTP/1.1\r\nExpect: 100-Continue\r\n\r\n").expects_continue);
    EXPECT_TRUE(parse("GET / HTTP/1.1\r\nExpect: foo, 100-continue\r\n\r\n").expects_continue);
    EXPECT_FALSE(parse("GET / HTTP/1.1\r\nExpect: 100-continued\r\n\r\n").expects_continue);
    EXPECT_FALSE(parse("GET / HTTP/1.1\r\nExpect: 200-ok\r\n\r\n").expects_continue);
    EXPECT_FALSE(parse("GET / HTTP/1.1\r\n\r\n").expects_continue);
    // RFC 9110 10.1.1: ignored in HTTP/1.0.
    EXPECT_FALSE(parse("GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").expects_continue);
    // A body over the limit is refused with the header section, before any 100 Continue.
    HttpParserLimits small;
    small.max_body = 4;
    EXPECT_TRUE(fails_with(head + "hello", 413, "request body too large", small));
}

TEST(HttpParser, WebSocketUpgrade) {
    const std::string handshake =
        "GET /chat HTTP/1.1\r\n"
        "Host: server.example.com\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        "\r\n";
    // Frame bytes right behind the handshake are not consumed.
    const std::string in = handshake + "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
    HttpParser p;
    const HttpParser::Result r = p.feed(in);
    EXPECT_EQ(r.status, Status::Done);
    EXPECT_EQ(r.consumed, handshake.size());
    EXPECT_TRUE(p.is_websocket_upgrade());
    EXPECT_TRUE(p.keep_alive());
    EXPECT_EQ(p.header("sec-websocket-key"), std::optional<std::string_view>("dGhlIHNhbXBsZSBub25jZQ=="));
    EXPECT_TRUE(split_invariant(in));

    const auto upgrade = [](const std::string &request_line, const std::string &upgrade, const std::string &conn) {
        std::string req = request_line + "\r\nHost: x\r\n";
        if (!upgrade.empty()) req += "Upgrade: " + upgrade + "\r\n";
        if (!conn.empty()) req += "Connection: " + conn + "\r\n";
        const Outcome o = parse(req + "\r\n");
        EXPECT_EQ(o.status, Status::Done) << req;
        return o.websocket;
    };
    EXPECT_TRUE(upgrade("GET / HTTP/1.1", "WebSocket", "upgrade"));
    EXPECT_TRUE(upgrade("GET / HTTP/1.1", "WEBSOCKET", "keep-alive, Upgrade"));
    EXPECT_TRUE(upgrade("GET / HTTP/1.1", "h2c, websocket", "Upgrade, HTTP2-Settings"));
    EXPECT_TRUE(upgrade("GET /?x=1 HTTP/1.2", "websocket", "UPGRADE"));
    EXPECT_FALSE(upgrade("POST / HTTP/1.1", "websocket", "upgrade"));
    EXPECT_FALSE(upgrade("get / HTTP/1.1", "websocket", "upgrade"));
    EXPECT_FALSE(upgrade("GET / HTTP/1.0", "websocket", "upgrade"));
    EXPECT_FALSE(upgrade("GET / HTTP/1.1", "websocket", ""));
    EXPECT_FALSE(upgrade("GET / HTTP/1.1", "", "upgrade"));
    EXPECT_FALSE(upgrade("GET / HTTP/1.1", "websocketx", "upgrade"));
    EXPECT_FALSE(upgrade("GET / HTTP/1.1", "websocket/13", "upgrade"));
    EXPECT_FALSE(upgrade("GET / HTTP/1.1", "h2c", "upgrade"));
    EXPECT_FALSE(upgrade("GET / HTTP/1.1", "websocket", "upgraded"));
    EXPECT_FALSE(upgrade("GET / HTTP/1.1", "websocket", "keep-alive"));
    // Repeated fields add up.
    EXPECT_TRUE(parse("GET / HTTP/1.1\r\nUpgrade: h2c\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n"
                      "Connection: upgrade\r\n\r\n")
                    .websocket);
    // Not before the header section is complete.
    HttpParser partial;
    EXPECT_EQ(partial.feed(handshake.substr(0, handshake.size() - 1)).status, Status::NeedMore);
    EXPECT_FALSE(partial.is_websocket_upgrade());
}

// ---------------------------------------------------------------------------------------
// Pipelining, stickiness, reset

TEST(HttpParser, PipelinedRequestsInOneBuffer) {
    const std::string a = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string b = post("Content-Length: 5\r\n", "hello");
    const std::string c = chunked_post("3\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n");
    const std::string d = "\r\nGET /d?q HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";  // stray CRLF before it
    const std::string all = a + b + c + d;
    HttpParser p;
    std::vector<std::string> paths, bodies;
    size_t pos = 0;
    while (pos < all.size()) {
        const HttpParser::Result r = p.feed(all.data() + pos, all.size() - pos);
        ASSERT_EQ(r.status, Status::Done) << "at " << pos;
        ASSERT_GT(r.consumed, 0u);
        paths.emplace_back(p.path());
        bodies.emplace_back(p.body());
        EXPECT_TRUE(p.keep_alive());
        pos += r.consumed;
        p.reset();
    }
    EXPECT_EQ(pos, all.size());
    EXPECT_EQ(paths, (std::vector<std::string>{"/a", "/upload", "/upload", "/d"}));
    EXPECT_EQ(bodies, (std::vector<std::string>{"", "hello", "abcde", ""}));

    // The same stream, fed in random pieces, with the leftover carried over.
    std::mt19937 rng(12345);
    for (int round = 0; round < 200; round++) {
        HttpParser q;
        std::string pending;
        std::vector<std::string> got;
        size_t fed = 0;
        while (fed < all.size() || !pending.empty()) {
            if (fed < all.size()) {
                const size_t n = std::min<size_t>(rng() % 40, all.size() - fed);
                pending.append(all, fed, n);
                fed += n;
            }
            size_t used = 0;
            for (;;) {
                const HttpParser::Result r = q.feed(pending.data() + used, pending.size() - used);
                used += r.consumed;
                ASSERT_NE(r.status, Status::Error);
                if (r.status == Status::NeedMore) break;
                got.push_back(std::string(q.path()) + "|" + std::string(q.body()));
                q.reset();
            }
            pending.erase(0, used);
            if (fed == all.size() && !pending.empty() && used == 0) break;
        }
        EXPECT_EQ(got, (std::vector<std::string>{"/a|", "/upload|hello", "/upload|abcde", "/d|"}));
    }
}

TEST(HttpParser, DoneAndErrorAreSticky) {
    HttpParser p;
    const std::string in = get("/first");
    EXPECT_EQ(p.feed(in + "GET /second").status, Status::Done);
    for (int i = 0; i < 3; i++) {
        const HttpParser::Result r = p.feed("GET /again HTTP/1.1\r\n\r\n");
        EXPECT_EQ(r.status, Status::Done);
        EXPECT_EQ(r.consumed, 0u);
        EXPECT_EQ(p.path(), "/first");
    }
    EXPECT_EQ(p.feed("", 0).status, Status::Done);

    HttpParser e;
    const HttpParser::Result r = e.feed("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n");
    EXPECT_EQ(r.status, Status::Error);
    EXPECT_EQ(r.consumed, 19u);  // up to the offending space
    EXPECT_EQ(e.error().status, 400);
    for (int i = 0; i < 3; i++) {
        const HttpParser::Result again = e.feed(get("/"));
        EXPECT_EQ(again.status, Status::Error);
        EXPECT_EQ(again.consumed, 0u);
        EXPECT_EQ(e.error().status, 400);
        EXPECT_STREQ(e.error().reason, "whitespace before the colon");
    }
    // reset() gives a parser equivalent to a fresh one.
    e.reset();
    EXPECT_EQ(e.status(), Status::NeedMore);
    EXPECT_EQ(e.error().status, 0);
    EXPECT_FALSE(e.headers_complete());
    EXPECT_EQ(e.header_count(), 0u);
    const std::string next = post("Content-Length: 2\r\nConnection: close\r\n", "ok");
    EXPECT_EQ(e.feed(next).status, Status::Done);
    HttpParser fresh;
    fresh.feed(next);
    EXPECT_EQ(capture(e, 0), capture(fresh, 0));
    e.reset();
    EXPECT_EQ(e.body(), "");
    EXPECT_FALSE(e.chunked());
    EXPECT_EQ(e.content_length(), std::nullopt);
}

TEST(HttpParser, ResetBetweenRequestsForgetsEverything) {
    HttpParser p;
    ASSERT_EQ(p.feed(chunked_post("1\r\na\r\n0\r\n\r\n")).status, Status::Done);
    ASSERT_TRUE(p.chunked());
    p.reset();
    ASSERT_EQ(p.feed("GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").status, Status::Done);
    EXPECT_FALSE(p.chunked());
    EXPECT_FALSE(p.keep_alive());
    EXPECT_EQ(p.header_count(), 1u);
    EXPECT_EQ(p.header("transfer-encoding"), std::nullopt);
    p.reset();
    // A body larger than what reset() retains still parses fine afterwards.
    const std::string big(200000, 'b');
    ASSERT_EQ(p.feed(post("Content-Length: 200000\r\n", big)).status, Status::Done);
    EXPECT_EQ(p.body(), big);
    p.reset();
    ASSERT_EQ(p.feed(post("Content-Length: 3\r\n", "xyz")).status, Status::Done);
    EXPECT_EQ(p.body(), "xyz");
    EXPECT_EQ(p.version_minor(), 1);
}

TEST(HttpParser, EmptyAndPartialInput) {
    HttpParser p;
    HttpParser::Result r = p.feed("", 0);
    EXPECT_EQ(r.status, Status::NeedMore);
    EXPECT_EQ(r.consumed, 0u);
    const std::string in = get("/x");
    for (size_t i = 0; i < in.size(); i++) {
        HttpParser q;
        r = q.feed(in.substr(0, i));
        EXPECT_EQ(r.status, Status::NeedMore) << i;
        EXPECT_EQ(r.consumed, i);
        EXPECT_FALSE(q.headers_complete());
    }
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

// ---------------------------------------------------------------------------------------
// Split invariance over a mixed set of inputs, valid and not

TEST(HttpParser, EverySplitGivesTheSameOutcome) {
    const std::vector<std::string> inputs = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\nGET /x?y=z HTTP/1.0\r\nConnection: keep-alive\r\nA:  b  \r\n\r\nGET",
        post("Content-Length: 10\r\nExpect: 100-continue\r\n", "0123456789trailing"),
        chunked_post("4;a=b\r\nWiki\r\n5\r\npedia\r\n0\r\nT: v\r\nU:\r\n\r\nnext"),
        chunked_post("4\r\nWiki\r\n5 \r\npedia\r\n0\r\n\r\n"),
        post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "abc"),
        "GET / HTTP/1.1\r\nX: y\r\n z\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
        "GET /a HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x80",
        "GET / HTTP/1.1\r\nX: " + kNul + "\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\n",
        post("Transfer-Encoding: gzip\r\n", ""),
        post("Content-Length: 1, 2\r\n", "ab"),
        chunked_post("ffffffffff\r\n"),
    };
    for (const std::string &in : inputs) {
        EXPECT_TRUE(split_invariant(in, {}, in.size() < 120)) << in;
        HttpParserLimits tight;
        tight.max_request_line = 16;
        tight.max_header_bytes = 24;
        tight.max_headers = 1;
        tight.max_body = 5;
        EXPECT_TRUE(split_invariant(in, tight, in.size() < 120)) << in;
    }
}
