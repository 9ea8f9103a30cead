// The parts of the RFC 6455 opening handshake that are pure computation.
#pragma once

#include <string>
#include <string_view>

namespace wsserver {

constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr size_t kAcceptKeyLength = 28;

// A Sec-WebSocket-Key must be the base64 encoding of 16 bytes (RFC 6455 4.1): 22
// base64 characters, the last one carrying only 2 bits, then "==".
bool is_valid_websocket_key(std::string_view key);

// Sec-WebSocket-Accept for `key`: base64(SHA-1(key + GUID)), 28 characters.
std::string websocket_accept_key(std::string_view key);

}  // namespace wsserver
