// permessage-deflate negotiation on the server side (RFC 7692 sections 5 and 7.1): reads
// the client's Sec-WebSocket-Extensions offers, picks the first one this server can
// honour, and produces both the agreed parameters and the response header value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/websocket/permessage_deflate.h"

namespace wsserver {

// Server settings (Swoole: websocket_compression plus the knobs Swoole does not have).
struct DeflateSettings {
    bool enabled = false;  // websocket_compression
    // Reset our compressor after every message even if the client does not ask for it:
    // worse compression, but no 32 KiB history has to be kept between messages.
    bool server_no_context_takeover = false;
    // Ask the client to reset its compressor after every message, so our inflater keeps
    // no history between messages (its memory can then be released while idle).
    bool client_no_context_takeover = false;
    // Largest LZ77 window our compressor uses, 9..15 (8 is raised to 9: zlib cannot
    // produce raw deflate with a 256-byte window).
    int server_max_window_bits = 15;
    // Largest window we ask the client to use, 8..15, when its offer lets us
    // (client_max_window_bits present in the offer).
    int client_max_window_bits = 15;
};

// One element of a Sec-WebSocket-Extensions list (RFC 6455 9.1), quoted values unescaped.
struct ExtensionParam {
    std::string name;
    std::optional<std::string> value;
};
struct ExtensionOffer {
    std::string name;
    std::vector<ExtensionParam> params;
};

// Parses a Sec-WebSocket-Extensions value: a comma-separated list (empty elements
// allowed, RFC 9110 5.6.1) of `token *( OWS ";" OWS token [ "=" ( token / quoted-string ) ] )`.
// Returns false on a syntax error (`out` then holds the elements before it).
bool parse_extension_offers(std::string_view header, std::vector<ExtensionOffer> &out);

struct DeflateAgreement {
    DeflateParams params;  // what the Deflater/Inflater of the connection use
    std::string response;  // the Sec-WebSocket-Extensions value to answer with
};

// Picks the first acceptable permessage-deflate offer of `header` (the request's
// Sec-WebSocket-Extensions value; repeated fields joined with ", ").
// nullopt: compression is disabled, not offered, or every offer was declined. A
// syntactically broken header declines compression too (the handshake itself goes on:
// extensions are optional, and a client must cope with none being accepted).
std::optional<DeflateAgreement> negotiate_permessage_deflate(std::string_view header,
                                                             const DeflateSettings &settings);

}  // namespace wsserver
