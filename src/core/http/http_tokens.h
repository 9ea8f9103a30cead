// RFC 9110 field-value helpers shared by the HTTP parser, the WebSocket handshake and
// the extension negotiation: ASCII case folding, OWS trimming, tokens and lists.
#pragma once

#include <string_view>

namespace wsserver::http {

constexpr bool is_ows(char c) { return c == ' ' || c == '\t'; }

// RFC 9110 5.6.2 tchar.
constexpr bool is_tchar(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return true;
    }
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

// Field names and most tokens compare case-insensitively, in ASCII only.
constexpr bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (size_t i = 0; i < a.size(); i++) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) {
            return false;
        }
    }
    return true;
}

constexpr std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

// Calls f(element) for each element of a comma-separated list (RFC 9110 5.6.1), OWS
// trimmed, empty elements included; stops early when f returns false.
template <class F>
void for_each_element(std::string_view list, F &&f) {
    for (;;) {
        const size_t comma = list.find(',');
        if (!f(trim_ows(list.substr(0, comma))) || comma == std::string_view::npos) {
            return;
        }
        list.remove_prefix(comma + 1);
    }
}

// Whether the list holds `token` (case-insensitive), e.g. "upgrade" in Connection.
inline bool has_element(std::string_view list, std::string_view token) {
    bool found = false;
    for_each_element(list, [&](std::string_view e) {
        found = iequals(e, token);
        return !found;
    });
    return found;
}

}  // namespace wsserver::http
