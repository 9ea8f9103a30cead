// Tests for src/core/http/http_parser.h: request line, header fields, Content-Length and
// chunked bodies, connection semantics, limits at their exact boundaries, smuggling
// defences, pipelining, and the same outcome for every way of splitting the input.
//
// Request line, fields, connection semantics, pipelining; bodies and limits are in
// http_parser_body_test.cc.
#include "http_parser_test_util.h"

using namespace parser_test;

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
