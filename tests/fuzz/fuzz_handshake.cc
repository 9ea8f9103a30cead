// Fuzz target: the opening handshake as the server runs it. The input is parsed as one
// HTTP request; a complete one goes through is_websocket_upgrade() and validate_handshake()
// (with permessage-deflate offered or not, a subprotocol configured or not), and its 101
// or error response is serialized. Checked: the status is one the RFC allows, a 101 carries
// the right Sec-WebSocket-Accept for a valid key and only what the client offered, no
// response field can split the response. The request is also sent through the PROCESS
// hop's encoding (encode_request/decode_request), which must give back the same request.
//
// Input: byte 0 picks the settings, the rest is the request.
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "core/websocket/handshake.h"
#include "core/http/http_parser.h"
#include "core/ipc/process_messages.h"
#include "core/websocket/websocket_handshake.h"
#include "fuzz_common.h"

using namespace wsserver;

namespace {

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
        if (x != y) return false;
    }
    return true;
}

// Repeated fields joined with ", ", as the server's lookup does.
HeaderLookup lookup_of(const HttpParser &p, std::deque<std::string> &store) {
    return [&p, &store](std::string_view name) -> std::optional<std::string_view> {
        std::optional<std::string_view> found;
        std::string *joined = nullptr;
        for (size_t i = 0; i < p.header_count(); i++) {
            HttpHeader h = p.header_at(i);
            if (!iequal(h.name, name)) continue;
            if (!found) {
                found = h.value;
            } else {
                if (!joined) joined = &store.emplace_back(*found);
                *joined += ", ";
                *joined += h.value;
                found = *joined;
            }
        }
        return found;
    };
}

void check_round_trip(const HttpParser &p) {
    std::string encoded = encode_request(p);
    HttpParser again(limits_for_encoded_request(encoded));
    FUZZ_CHECK(decode_request(encoded, again), "encode_request() gave text the parser refuses: %s",
               encoded.substr(0, 200).c_str());
    FUZZ_CHECK(again.method() == p.method() && again.target() == p.target(), "request line changed");
    FUZZ_CHECK(again.version_minor() == p.version_minor(), "version changed");
    FUZZ_CHECK(again.body() == p.body(), "body changed (%zu -> %zu bytes)", p.body().size(), again.body().size());
    FUZZ_CHECK(again.chunked() == p.chunked(), "framing changed");
    FUZZ_CHECK(again.header_count() == p.header_count(), "a field was lost or added");
    for (size_t i = 0; i < p.header_count(); i++) {
        HttpHeader h = p.header_at(i);
        HttpHeader g = again.header_at(i);
        FUZZ_CHECK(g.name == h.name && g.value == h.value, "field changed");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const uint8_t mode = data[0];
    std::string_view text(reinterpret_cast<const char *>(data + 1), size - 1);

    HttpParser parser;
    HttpParser::Result r = parser.feed(text);
    if (r.status != HttpParser::Status::Done) return 0;
    check_round_trip(parser);

    std::deque<std::string> store;
    HeaderLookup header = lookup_of(parser, store);
    if (!is_websocket_upgrade(header)) return 0;

    HandshakeRequest req;
    req.method = parser.method();
    req.http_minor = parser.version_minor();
    req.header = header;
    HandshakeSettings settings;
    settings.deflate.enabled = (mode & 1) != 0;
    static const char *const kSubprotocols[] = {"", "chat", "mqtt", "chat, superchat"};
    settings.subprotocol = kSubprotocols[(mode >> 1) & 3];
    HandshakeResponse resp = validate_handshake(req, settings);

    FUZZ_CHECK(resp.status == 101 || resp.status == 400 || resp.status == 405 || resp.status == 426,
               "status %d", resp.status);
    std::string bytes = serialize_handshake_response(resp);
    FUZZ_CHECK(bytes.rfind("HTTP/1.1 " + std::to_string(resp.status) + " ", 0) == 0, "bad status line");
    FUZZ_CHECK(bytes.size() >= 4 && bytes.compare(bytes.size() - 4, 4, "\r\n\r\n") == 0, "no end of head");
    for (const auto &[name, value] : resp.headers) {
        FUZZ_CHECK(value.find_first_of("\r\n", 0) == std::string::npos && value.find('\0') == std::string::npos,
                   "field %.*s holds CR, LF or NUL", static_cast<int>(name.size()), name.data());
    }
    if (!resp.accepted()) {
        FUZZ_CHECK(!resp.deflate && resp.subprotocol.empty(), "an error response agreed on something");
        return 0;
    }
    FUZZ_CHECK(parser.method() == "GET" && parser.version_minor() == 1, "101 for a non-GET or HTTP/1.0 request");
    auto key = header("Sec-WebSocket-Key");
    FUZZ_CHECK(key && is_valid_websocket_key(*key), "101 without a valid key");
    bool accept_ok = false;
    for (const auto &[name, value] : resp.headers)
        if (iequal(name, "Sec-WebSocket-Accept")) accept_ok = value == websocket_accept_key(*key);
    FUZZ_CHECK(accept_ok, "wrong or missing Sec-WebSocket-Accept");
    FUZZ_CHECK(!resp.deflate || settings.deflate.enabled, "deflate agreed while disabled");
    if (resp.deflate) {
        auto offer = header("Sec-WebSocket-Extensions");
        std::string lower(offer ? *offer : std::string_view());
        for (char &c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        FUZZ_CHECK(lower.find("permessage-deflate") != std::string::npos, "deflate nobody offered");
    }
    if (!resp.subprotocol.empty()) {
        auto offered = header("Sec-WebSocket-Protocol");
        FUZZ_CHECK(offered && header_has_token(*offered, resp.subprotocol), "a subprotocol the client did not list");
    }
    return 0;
}
