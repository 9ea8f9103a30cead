#include "core/websocket/websocket_handshake.h"

#include "core/websocket/handshake.h"
#include "core/http/http_tokens.h"

namespace wsserver {

namespace {

using http::has_element;
using http::trim_ows;

HandshakeResponse failure(int status, std::string_view reason_phrase, const char *error) {
    HandshakeResponse r;
    r.status = status;
    r.reason_phrase = reason_phrase;
    r.error = error;
    return r;
}

}  // namespace

bool header_has_token(std::string_view value, std::string_view token) {
    return has_element(value, token);
}

bool is_websocket_upgrade(const HeaderLookup &header) {
    if (!header) {
        return false;
    }
    const std::optional<std::string_view> upgrade = header("Upgrade");
    return upgrade && header_has_token(*upgrade, "websocket");
}

HandshakeResponse validate_handshake(const HandshakeRequest &request, const HandshakeSettings &settings) {
    const HeaderLookup &header = request.header;

    if (request.method != "GET") {
        HandshakeResponse r = failure(405, "Method Not Allowed", "the opening handshake must be a GET request");
        r.headers.emplace_back("Allow", "GET");
        return r;
    }
    if (request.http_major < 1 || (request.http_major == 1 && request.http_minor < 1)) {
        return failure(400, "Bad Request", "the opening handshake needs HTTP/1.1");
    }
    if (!header) {
        return failure(400, "Bad Request", "Upgrade does not list \"websocket\"");  // no fields at all
    }
    const std::optional<std::string_view> upgrade = header("Upgrade");
    if (!upgrade || !header_has_token(*upgrade, "websocket")) {
        return failure(400, "Bad Request", "Upgrade does not list \"websocket\"");
    }
    const std::optional<std::string_view> connection = header("Connection");
    if (!connection || !header_has_token(*connection, "upgrade")) {
        return failure(400, "Bad Request", "Connection does not list \"upgrade\"");
    }
    // The version comes before the key: a client speaking another draft (hybi-08 also
    // sends a key) learns from the 426 which version to retry with.
    const std::optional<std::string_view> version = header("Sec-WebSocket-Version");
    if (!version || trim_ows(*version) != "13") {
        HandshakeResponse r = failure(426, "Upgrade Required",
                                      version ? "unsupported Sec-WebSocket-Version" : "no Sec-WebSocket-Version");
        r.headers.emplace_back("Sec-WebSocket-Version", "13");
        return r;
    }
    const std::optional<std::string_view> key_field = header("Sec-WebSocket-Key");
    if (!key_field) {
        return failure(400, "Bad Request", "no Sec-WebSocket-Key");
    }
    const std::string_view key = trim_ows(*key_field);
    if (!is_valid_websocket_key(key)) {
        return failure(400, "Bad Request", "Sec-WebSocket-Key is not the base64 encoding of 16 bytes");
    }

    HandshakeResponse r;
    r.status = 101;
    r.reason_phrase = "Switching Protocols";
    r.headers.reserve(6);
    r.headers.emplace_back("Upgrade", "websocket");
    r.headers.emplace_back("Connection", "Upgrade");
    r.headers.emplace_back("Sec-WebSocket-Accept", websocket_accept_key(key));
    r.headers.emplace_back("Sec-WebSocket-Version", "13");

    if (settings.deflate.enabled) {
        if (const std::optional<std::string_view> extensions = header("Sec-WebSocket-Extensions")) {
            if (std::optional<DeflateAgreement> agreed = negotiate_permessage_deflate(*extensions, settings.deflate)) {
                r.deflate = agreed->params;
                r.headers.emplace_back("Sec-WebSocket-Extensions", std::move(agreed->response));
            }
        }
    }

    // Swoole echoes websocket_subprotocol only if the client listed it; subprotocol
    // names are compared exactly (RFC 6455 4.1 does not make them case-insensitive).
    if (!settings.subprotocol.empty()) {
        if (const std::optional<std::string_view> offered = header("Sec-WebSocket-Protocol")) {
            const std::string_view wanted = settings.subprotocol;
            bool listed = false;
            http::for_each_element(*offered, [&](std::string_view e) {
                listed = e == wanted;
                return !listed;
            });
            if (listed) {
                r.subprotocol = wanted;
                r.headers.emplace_back("Sec-WebSocket-Protocol", std::string(wanted));
            }
        }
    }
    return r;
}

std::string serialize_handshake_response(const HandshakeResponse &response) {
    std::string out;
    out.reserve(160);
    out += "HTTP/1.1 ";
    out += std::to_string(response.status);
    out += ' ';
    out += response.reason_phrase;
    out += "\r\n";
    for (const auto &field : response.headers) {
        out += field.first;
        out += ": ";
        out += field.second;
        out += "\r\n";
    }
    if (!response.accepted()) {
        out += "Content-Length: 0\r\nConnection: close\r\n";
    }
    out += "\r\n";
    return out;
}

}  // namespace wsserver
