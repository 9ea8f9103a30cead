// Server side of the RFC 6455 opening handshake (section 4.2): validates an upgrade
// request that the HTTP layer has already parsed and builds the 101 response, or says
// which error status to answer. It sees the request only through a header lookup, so it
// does not depend on the HTTP parser.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/websocket/deflate_negotiation.h"
#include "core/websocket/permessage_deflate.h"

namespace wsserver {

// Value of the request header field `name` (ASCII case-insensitive), or nullopt when
// absent. A field sent more than once must be returned as its values joined with ", "
// (RFC 9110 5.3); this matters for Sec-WebSocket-Extensions and Sec-WebSocket-Protocol,
// which clients may repeat.
using HeaderLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

struct HandshakeRequest {
    std::string_view method;  // case-sensitive (RFC 9110 9.1): "get" is not GET
    int http_major = 1;
    int http_minor = 1;
    HeaderLookup header;  // required; an empty one is treated as a request without fields
};

struct HandshakeSettings {
    DeflateSettings deflate;       // websocket_compression and friends
    std::string_view subprotocol;  // Swoole's websocket_subprotocol; empty = none
};

struct HandshakeResponse {
    // 101 (accepted) or the error to answer:
    //   405 the method is not GET (RFC 6455 4.1; with "Allow: GET", RFC 9110 15.5.6)
    //   400 HTTP/1.0 (4.1 requires 1.1), no "websocket" token in Upgrade, no "upgrade"
    //       token in Connection, Sec-WebSocket-Key missing or not base64 of 16 bytes (4.2.1)
    //   426 Sec-WebSocket-Version missing or not 13, with "Sec-WebSocket-Version: 13" (4.2.2)
    int status = 0;
    std::string_view reason_phrase;  // "Switching Protocols", "Bad Request", ...
    const char *error = "";          // why it failed, for logs; "" on success
    // Response header fields in order. 101: Upgrade, Connection, Sec-WebSocket-Accept,
    // Sec-WebSocket-Version (Swoole sends it), then Sec-WebSocket-Extensions and
    // Sec-WebSocket-Protocol when agreed. Errors: only the fields the status requires.
    std::vector<std::pair<std::string_view, std::string>> headers;
    std::optional<DeflateParams> deflate;  // agreed permessage-deflate (101 only)
    std::string_view subprotocol;          // agreed subprotocol (101 only; points into the settings)

    bool accepted() const { return status == 101; }
};

// True when `value`, a comma-separated list, holds `token` (ASCII case-insensitive,
// surrounding whitespace ignored). "keep-alive, Upgrade" holds "upgrade".
bool header_has_token(std::string_view value, std::string_view token);

// Whether the request asks for a WebSocket upgrade at all (an Upgrade field listing
// "websocket", as Swoole decides). Such a request goes to validate_handshake(); any other
// one is ordinary HTTP.
bool is_websocket_upgrade(const HeaderLookup &header);

// Validates the request and negotiates permessage-deflate and the subprotocol.
HandshakeResponse validate_handshake(const HandshakeRequest &request, const HandshakeSettings &settings);

// "HTTP/1.1 <status> <reason>\r\n", the header fields, then "\r\n". Error responses also
// get "Content-Length: 0" and "Connection: close": the connection is closed after them.
std::string serialize_handshake_response(const HandshakeResponse &response);

}  // namespace wsserver
