// Tests for src/core/websocket/handshake.h: Sec-WebSocket-Key validation and the accept key.
#include "core/websocket/handshake.h"

#include <gtest/gtest.h>

#include <string>

using namespace wsserver;

namespace {

const std::string kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

TEST(Handshake, Constants) {
    EXPECT_EQ(kWebSocketGuid, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    EXPECT_EQ(kAcceptKeyLength, 28u);
}

TEST(Handshake, Rfc6455Example) {
    EXPECT_TRUE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=="));
    EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Handshake, MoreAcceptKeys) {
    // Reference values computed independently (Python hashlib/base64).
    EXPECT_EQ(websocket_accept_key("x3JJHMbDL1EzLkh9GBhXDw=="), "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
    EXPECT_EQ(websocket_accept_key("AAAAAAAAAAAAAAAAAAAAAA=="), "ICX+Yqv66kxgM0FcWaLWlFLwTAI=");
    EXPECT_EQ(websocket_accept_key("/////////////////////w=="), "XXpj4jYzLM2yUE0C7TIgMwTQh2g=");
    EXPECT_EQ(websocket_accept_key("+/+/+/+/+/+/+/+/+/+/+w=="), "M0DUs3om0SqzerhOhYSMM7WQuBQ=");
    // The computation itself does not judge the key.
    EXPECT_EQ(websocket_accept_key(""), "Kfh9QIsMVZcl6xEPYxPHzW8SZ8w=");
    EXPECT_EQ(websocket_accept_key("not a key"), "FNAF2a7s4zMv9y5Gqiqz8xpWqeE=");
}

TEST(Handshake, AcceptKeyShape) {
    std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
    for (size_t i = 0; i < 22; i++) {
        key[i] = kBase64[(i * 11) % 64];
        std::string accept = websocket_accept_key(key);
        ASSERT_EQ(accept.size(), kAcceptKeyLength);
        EXPECT_EQ(accept.back(), '=');  // 20 bytes -> 27 characters + one pad
        for (size_t j = 0; j < 27; j++) EXPECT_NE(kBase64.find(accept[j]), std::string::npos) << accept;
    }
    // Different keys, different answers.
    EXPECT_NE(websocket_accept_key("AAAAAAAAAAAAAAAAAAAAAA=="), websocket_accept_key("AAAAAAAAAAAAAAAAAAAAAQ=="));
}

TEST(Handshake, ValidKeys) {
    EXPECT_TRUE(is_valid_websocket_key("x3JJHMbDL1EzLkh9GBhXDw=="));
    EXPECT_TRUE(is_valid_websocket_key("AAAAAAAAAAAAAAAAAAAAAA=="));
    EXPECT_TRUE(is_valid_websocket_key("/////////////////////w=="));
    EXPECT_TRUE(is_valid_websocket_key("+/+/+/+/+/+/+/+/+/+/+w=="));
    EXPECT_TRUE(is_valid_websocket_key("zzzzzzzzzzzzzzzzzzzzzg=="));
    EXPECT_TRUE(is_valid_websocket_key("0123456789abcdefABCDEQ=="));
}

TEST(Handshake, EveryCharacterInEveryPosition) {
    for (size_t pos = 0; pos < 22; pos++) {
        for (int c = 0; c < 256; c++) {
            std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
            key[pos] = static_cast<char>(c);
            bool is_b64 = kBase64.find(static_cast<char>(c)) != std::string::npos;
            // The 22nd character carries 2 data bits and 4 zero bits: A, Q, g or w.
            bool expected = pos < 21 ? is_b64 : (c == 'A' || c == 'Q' || c == 'g' || c == 'w');
            EXPECT_EQ(is_valid_websocket_key(key), expected) << "pos " << pos << " char " << c;
        }
    }
}

TEST(Handshake, PaddingMustBeTwoEquals) {
    for (int c = 0; c < 256; c++) {
        if (c == '=') continue;
        std::string a = "dGhlIHNhbXBsZSBub25jZQ==";
        a[22] = static_cast<char>(c);
        EXPECT_FALSE(is_valid_websocket_key(a)) << c;
        std::string b = "dGhlIHNhbXBsZSBub25jZQ==";
        b[23] = static_cast<char>(c);
        EXPECT_FALSE(is_valid_websocket_key(b)) << c;
    }
}

TEST(Handshake, InvalidKeys) {
    const char *const bad[] = {
        "",
        "=",
        "==",
        "dGhlIHNhbXBsZSBub25jZQ",        // no padding (22 chars)
        "dGhlIHNhbXBsZSBub25jZQ=",       // one pad (23 chars)
        "dGhlIHNhbXBsZSBub25jZQ===",     // three pads (25 chars)
        "dGhlIHNhbXBsZSBub25jZQ==\r\n",  // trailing CRLF
        " dGhlIHNhbXBsZSBub25jZQ==",     // surrounding spaces are the HTTP parser's job
        "dGhlIHNhbXBsZSBub25jZQ== ",
        "dGhlIHNhbXBsZSBub25jZR==",      // last char has non-zero low bits
        "dGhlIHNhbXBsZSBub25jZf==",
        "AAAAAAAAAAAAAAAAAAAAAAA=",      // 17 bytes
        "AAAAAAAAAAAAAAAAAAAAAAAA",      // 18 bytes, no padding
        "AAAAAAAAAAAAAAAAAAAA====",      // 15 bytes, over-padded
        "AAAAAAAAAAAAAAAAAAAA",          // 15 bytes
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",  // 22 bytes
        "AAAAAAAAAAAAAAAAAAAAA==A",      // padding in the middle
        "AAAAAAAAAA==AAAAAAAAAA==",
        "dGhlIHNhbXBsZSBub25jZQ-_",      // base64url alphabet
        "dGhlIHNhbXBsZSBub25jZ-==",
        "dGhlIHNhbXBsZSBub25j_Q==",
        "dGhlIHNhbXBsZSBub25jZQ\0\0",    // NULs instead of padding (length taken below)
    };
    for (const char *key : bad) EXPECT_FALSE(is_valid_websocket_key(key)) << '"' << key << '"';
    EXPECT_FALSE(is_valid_websocket_key(std::string_view("dGhlIHNhbXBsZSBub25jZQ\0\0", 24)));
    EXPECT_FALSE(is_valid_websocket_key(std::string_view("dGhlIHNhbXBsZSBub25jZQ=\0", 24)));
    EXPECT_FALSE(is_valid_websocket_key(std::string_view("dGhlIHNhbXBs\0SBub25jZQ==", 24)));
}
