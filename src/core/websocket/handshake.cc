#include "core/websocket/handshake.h"

#include <openssl/evp.h>

namespace wsserver {

namespace {

bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

bool is_valid_websocket_key(std::string_view key) {
    if (key.size() != 24 || key[22] != '=' || key[23] != '=') {
        return false;
    }
    for (size_t i = 0; i < 22; i++) {
        if (!is_base64_char(key[i])) {
            return false;
        }
    }
    // 16 bytes = 128 bits = 21 full sextets + 2 bits: the last character's low 4 bits
    // must be zero, which leaves A, Q, g and w.
    const char last = key[21];
    return last == 'A' || last == 'Q' || last == 'g' || last == 'w';
}

std::string websocket_accept_key(std::string_view key) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    std::string input;
    input.reserve(key.size() + kWebSocketGuid.size());
    input.append(key).append(kWebSocketGuid);
    if (EVP_Digest(input.data(), input.size(), digest, &digest_len, EVP_sha1(), nullptr) != 1) {
        return {};
    }
    unsigned char encoded[kAcceptKeyLength + 1];  // EVP_EncodeBlock NUL-terminates
    const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(digest_len));
    return std::string(reinterpret_cast<const char *>(encoded), static_cast<size_t>(n));
}

}  // namespace wsserver
