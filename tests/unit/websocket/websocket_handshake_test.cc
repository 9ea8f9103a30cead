// Tests for src/core/websocket/websocket_handshake.h (RFC 6455 section 4.2, server side).
#include "core/websocket/websocket_handshake.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

using namespace wsserver;

namespace {

std::string lower(std::string s) {
    for (char &c : s) {
        if (c >= 'A' && c <= 'Z') c = char(c + 32);
    }
    return s;
}

// A request as the HTTP layer would present it: case-insensitive header lookup.
class Request {
public:
    Request() {
        set("Host", "example.com");
        set("Upgrade", "websocket");
        set("Connection", "Upgrade");
        set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        set("Sec-WebSocket-Version", "13");
    }
    Request &set(const std::string &name, const std::string &value) {
        fields_[lower(name)] = value;
        return *this;
    }
    Request &remove(const std::string &name) {
        fields_.erase(lower(name));
        return *this;
    }
    HandshakeRequest get(std::string_view method = "GET", int major = 1, int minor = 1) const {
        HandshakeRequest r;
        r.method = method;
        r.http_major = major;
        r.http_minor = minor;
        r.header = lookup();
        return r;
    }
    HeaderLookup lookup() const {
        return [this](std::string_view name) -> std::optional<std::string_view> {
            auto it = fields_.find(lower(std::string(name)));
            if (it == fields_.end()) return std::nullopt;
            return std::string_view(it->second);
        };
    }

private:
    std::map<std::string, std::string> fields_;
};

using Headers = std::vector<std::pair<std::string_view, std::string>>;

const std::string *find(const HandshakeResponse &r, std::string_view name) {
    for (const auto &h : r.headers) {
        if (h.first == name) return &h.second;
    }
    return nullptr;
}

TEST(WebSocketHandshake, Rfc6455Example) {
    Request req;
    HandshakeResponse r = validate_handshake(req.get(), {});
    ASSERT_TRUE(r.accepted()) << r.error;
    EXPECT_EQ(r.status, 101);
    EXPECT_EQ(r.reason_phrase, "Switching Protocols");
    EXPECT_STREQ(r.error, "");
    EXPECT_EQ(r.headers, (Headers{{"Upgrade", "websocket"},
                                  {"Connection", "Upgrade"},
                                  {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
                                  {"Sec-WebSocket-Version", "13"}}));
    EXPECT_FALSE(r.deflate);
    EXPECT_EQ(r.subprotocol, "");
    EXPECT_EQ(serialize_handshake_response(r),
              "HTTP/1.1 101 Switching Protocols\r\n"
              "Upgrade: websocket\r\n"
              "Connection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
              "Sec-WebSocket-Version: 13\r\n"
              "\r\n");
}

TEST(WebSocketHandshake, TokensAreCaseInsensitiveLists) {
    Request req;
    req.set("Upgrade", "WebSocket").set("Connection", "keep-alive, Upgrade");
    EXPECT_TRUE(validate_handshake(req.get(), {}).accepted());
    req.set("Upgrade", "h2c, websocket").set("Connection", "UPGRADE,keep-alive");
    EXPECT_TRUE(validate_handshake(req.get(), {}).accepted());
    req.set("Sec-WebSocket-Version", " 13 ").set("Sec-WebSocket-Key", " dGhlIHNhbXBsZSBub25jZQ== ");
    HandshakeResponse r = validate_handshake(req.get(), {});
    ASSERT_TRUE(r.accepted()) << r.error;
    EXPECT_EQ(*find(r, "Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, NonGetIs405) {
    Request req;
    for (const char *m : {"POST", "HEAD", "PUT", "get", "OPTIONS"}) {
        HandshakeResponse r = validate_handshake(req.get(m), {});
        EXPECT_EQ(r.status, 405) << m;
        EXPECT_EQ(r.reason_phrase, "Method Not Allowed");
        EXPECT_EQ(r.headers, (Headers{{"Allow", "GET"}}));
        EXPECT_STRNE(r.error, "");
    }
    EXPECT_EQ(serialize_handshake_response(validate_handshake(req.get("POST"), {})),
              "HTTP/1.1 405 Method Not Allowed\r\n"
              "Allow: GET\r\n"
              "Content-Length: 0\r\n"
              "Connection: close\r\n"
              "\r\n");
}

TEST(WebSocketHandshake, Http10Is400) {
    Request req;
    EXPECT_EQ(validate_handshake(req.get("GET", 1, 0), {}).status, 400);
    EXPECT_EQ(validate_handshake(req.get("GET", 0, 9), {}).status, 400);
    EXPECT_TRUE(validate_handshake(req.get("GET", 1, 2), {}).accepted());
}

TEST(WebSocketHandshake, MissingUpgradeOrConnectionIs400) {
    struct Case {
        const char *name;
        const char *value;  // nullptr: field removed
    };
    const Case cases[] = {{"Upgrade", nullptr},    {"Upgrade", "h2c"},          {"Upgrade", "websocket2"},
                          {"Upgrade", ""},         {"Connection", nullptr},     {"Connection", "keep-alive"},
                          {"Connection", "upgraded"}, {"Connection", ""}};
    for (const Case &c : cases) {
        Request req;
        if (c.value) {
            req.set(c.name, c.value);
        } else {
            req.remove(c.name);
        }
        HandshakeResponse r = validate_handshake(req.get(), {});
        EXPECT_EQ(r.status, 400) << c.name << ": " << (c.value ? c.value : "(none)");
        EXPECT_EQ(r.reason_phrase, "Bad Request");
        EXPECT_TRUE(r.headers.empty());
        EXPECT_FALSE(r.deflate);
    }
}

TEST(WebSocketHandshake, WrongVersionIs426) {
    for (const char *v : {"8", "12", "14", "13, 8", "", "thirteen"}) {
        Request req;
        req.set("Sec-WebSocket-Version", v);
        HandshakeResponse r = validate_handshake(req.get(), {});
        EXPECT_EQ(r.status, 426) << v;
        EXPECT_EQ(r.reason_phrase, "Upgrade Required");
        EXPECT_EQ(r.headers, (Headers{{"Sec-WebSocket-Version", "13"}}));
    }
    Request req;
    req.remove("Sec-WebSocket-Version");
    HandshakeResponse r = validate_handshake(req.get(), {});
    EXPECT_EQ(r.status, 426);
    EXPECT_EQ(serialize_handshake_response(r),
              "HTTP/1.1 426 Upgrade Required\r\n"
              "Sec-WebSocket-Version: 13\r\n"
              "Content-Length: 0\r\n"
              "Connection: close\r\n"
              "\r\n");
}

TEST(WebSocketHandshake, BadKeyIs400) {
    for (const char *key : {"", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ===", "dGhlIHNhbXBsZSBub25jZR==",
                            "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25j!Q==", "dGhlIHNhbXBsZSBub25jZQ==, x"}) {
        Request req;
        req.set("Sec-WebSocket-Key", key);
        HandshakeResponse r = validate_handshake(req.get(), {});
        EXPECT_EQ(r.status, 400) << key;
        EXPECT_TRUE(r.headers.empty());
    }
    Request req;
    req.remove("Sec-WebSocket-Key");
    EXPECT_EQ(validate_handshake(req.get(), {}).status, 400);
}

TEST(WebSocketHandshake, FailureOrder) {
    Request req;
    req.remove("Sec-WebSocket-Key").remove("Sec-WebSocket-Version").remove("Upgrade");
    EXPECT_EQ(validate_handshake(req.get("POST"), {}).status, 405);
    EXPECT_EQ(validate_handshake(req.get(), {}).status, 400);
    req.set("Upgrade", "websocket");
    EXPECT_EQ(validate_handshake(req.get(), {}).status, 426) << "version before key";
    req.set("Sec-WebSocket-Version", "13");
    EXPECT_EQ(validate_handshake(req.get(), {}).status, 400);
}

TEST(WebSocketHandshake, PermessageDeflate) {
    HandshakeSettings settings;
    settings.deflate.enabled = true;
    Request req;
    HandshakeResponse r = validate_handshake(req.get(), settings);
    ASSERT_TRUE(r.accepted());
    EXPECT_FALSE(r.deflate) << "not offered";
    EXPECT_EQ(find(r, "Sec-WebSocket-Extensions"), nullptr);

    req.set("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
    r = validate_handshake(req.get(), settings);
    ASSERT_TRUE(r.accepted());
    ASSERT_TRUE(r.deflate);
    EXPECT_EQ(r.deflate->server_max_window_bits, 15);
    ASSERT_NE(find(r, "Sec-WebSocket-Extensions"), nullptr);
    EXPECT_EQ(*find(r, "Sec-WebSocket-Extensions"), "permessage-deflate");
    EXPECT_EQ(r.headers.size(), 5u);

    // Only declined offers: the handshake still succeeds, without compression.
    req.set("Sec-WebSocket-Extensions", "permessage-deflate; server_max_window_bits=8");
    r = validate_handshake(req.get(), settings);
    ASSERT_TRUE(r.accepted());
    EXPECT_FALSE(r.deflate);
    EXPECT_EQ(find(r, "Sec-WebSocket-Extensions"), nullptr);

    // Disabled: offers are ignored.
    req.set("Sec-WebSocket-Extensions", "permessage-deflate");
    r = validate_handshake(req.get(), {});
    EXPECT_FALSE(r.deflate);
    EXPECT_EQ(find(r, "Sec-WebSocket-Extensions"), nullptr);
}

TEST(WebSocketHandshake, Subprotocol) {
    HandshakeSettings settings;
    settings.subprotocol = "chat";
    Request req;
    HandshakeResponse r = validate_handshake(req.get(), settings);
    EXPECT_EQ(find(r, "Sec-WebSocket-Protocol"), nullptr) << "not offered";

    req.set("Sec-WebSocket-Protocol", "superchat, chat");
    r = validate_handshake(req.get(), settings);
    ASSERT_TRUE(r.accepted());
    ASSERT_NE(find(r, "Sec-WebSocket-Protocol"), nullptr);
    EXPECT_EQ(*find(r, "Sec-WebSocket-Protocol"), "chat");
    EXPECT_EQ(r.subprotocol, "chat");

    for (const char *offered : {"superchat", "Chat", "chat2, xchat", "", "c hat"}) {
        req.set("Sec-WebSocket-Protocol", offered);
        r = validate_handshake(req.get(), settings);
        EXPECT_EQ(find(r, "Sec-WebSocket-Protocol"), nullptr) << offered;
        EXPECT_EQ(r.subprotocol, "");
    }
    req.set("Sec-WebSocket-Protocol", "chat");
    r = validate_handshake(req.get(), {});
    EXPECT_EQ(find(r, "Sec-WebSocket-Protocol"), nullptr) << "none configured";
}

TEST(WebSocketHandshake, EverythingAgreed) {
    HandshakeSettings settings;
    settings.subprotocol = "mqtt";
    settings.deflate.enabled = true;
    settings.deflate.client_no_context_takeover = true;
    Request req;
    req.set("Sec-WebSocket-Protocol", "mqtt").set("Sec-WebSocket-Extensions", "permessage-deflate");
    HandshakeResponse r = validate_handshake(req.get(), settings);
    EXPECT_EQ(serialize_handshake_response(r),
              "HTTP/1.1 101 Switching Protocols\r\n"
              "Upgrade: websocket\r\n"
              "Connection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
              "Sec-WebSocket-Version: 13\r\n"
              "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n"
              "Sec-WebSocket-Protocol: mqtt\r\n"
              "\r\n");
    ASSERT_TRUE(r.deflate);
    EXPECT_TRUE(r.deflate->client_no_context_takeover);
}

TEST(WebSocketHandshake, IsWebSocketUpgrade) {
    Request req;
    EXPECT_TRUE(is_websocket_upgrade(req.lookup()));
    req.set("Upgrade", "h2c");
    EXPECT_FALSE(is_websocket_upgrade(req.lookup()));
    req.remove("Upgrade");
    EXPECT_FALSE(is_websocket_upgrade(req.lookup()));
}

TEST(WebSocketHandshake, EmptyLookupIsARequestWithoutFields) {
    HandshakeRequest r;
    r.method = "GET";
    EXPECT_EQ(validate_handshake(r, {}).status, 400);
    r.method = "POST";
    EXPECT_EQ(validate_handshake(r, {}).status, 405);
    EXPECT_FALSE(is_websocket_upgrade(HeaderLookup()));
}

TEST(WebSocketHandshake, HeaderHasToken) {
    EXPECT_TRUE(header_has_token("Upgrade", "upgrade"));
    EXPECT_TRUE(header_has_token(" keep-alive ,\tUpgrade ", "upgrade"));
    EXPECT_TRUE(header_has_token(",,upgrade,,", "upgrade"));
    EXPECT_FALSE(header_has_token("upgrade2", "upgrade"));
    EXPECT_FALSE(header_has_token("up grade", "upgrade"));
    EXPECT_FALSE(header_has_token("", "upgrade"));
    EXPECT_FALSE(header_has_token(",", "upgrade"));
}

}  // namespace
