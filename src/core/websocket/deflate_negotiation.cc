#include "core/websocket/deflate_negotiation.h"

#include "core/http/http_tokens.h"

#include <algorithm>

namespace wsserver {

namespace {

using http::iequals;
using http::is_tchar;

class Scanner {
public:
    explicit Scanner(std::string_view s) : s_(s) {}

    bool done() const { return pos_ >= s_.size(); }
    char peek() const { return s_[pos_]; }
    void advance() { pos_++; }

    void skip_ows() {
        while (!done() && (peek() == ' ' || peek() == '\t')) {
            pos_++;
        }
    }

    // 1*tchar; false (nothing consumed) when there is none.
    bool token(std::string &out) {
        const size_t start = pos_;
        while (!done() && is_tchar(static_cast<unsigned char>(peek()))) {
            pos_++;
        }
        out.assign(s_.substr(start, pos_ - start));
        return pos_ > start;
    }

    // RFC 9110 5.6.4 quoted-string, unescaped into `out`; the opening quote is current.
    bool quoted_string(std::string &out) {
        out.clear();
        pos_++;  // opening DQUOTE
        while (!done()) {
            const unsigned char c = static_cast<unsigned char>(peek());
            pos_++;
            if (c == '"') {
                return true;
            }
            if (c == '\\') {
                if (done()) {
                    return false;
                }
                const unsigned char e = static_cast<unsigned char>(peek());
                pos_++;
                if (e != '\t' && e != ' ' && (e < 0x21 || e == 0x7F)) {
                    return false;
                }
                out += static_cast<char>(e);
            } else if (c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x7E) || c >= 0x80) {
                out += static_cast<char>(c);
            } else {
                return false;
            }
        }
        return false;  // no closing quote
    }

private:
    std::string_view s_;
    size_t pos_ = 0;
};

// A window-bits value: a decimal integer 8..15 without leading zeros (RFC 7692 7.1.2).
bool parse_window_bits(const std::string &v, int &bits) {
    if (v.empty() || v.size() > 2 || v[0] == '0') {
        return false;
    }
    int n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') {
            return false;
        }
        n = n * 10 + (c - '0');
    }
    if (n < 8 || n > 15) {
        return false;
    }
    bits = n;
    return true;
}

// What one permessage-deflate offer asks for; false if it must be declined (RFC 7692
// 5.1: unknown parameter, invalid value, or the same parameter twice).
struct Offer {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    bool has_server_max_window_bits = false;
    int server_max_window_bits = 15;
    bool has_client_max_window_bits = false;
    bool client_max_window_bits_value = false;  // the parameter carried a value
    int client_max_window_bits = 15;
};

bool read_offer(const ExtensionOffer &ext, Offer &offer) {
    for (const ExtensionParam &p : ext.params) {
        if (iequals(p.name, "server_no_context_takeover")) {
            if (offer.server_no_context_takeover || p.value) {
                return false;
            }
            offer.server_no_context_takeover = true;
        } else if (iequals(p.name, "client_no_context_takeover")) {
            if (offer.client_no_context_takeover || p.value) {
                return false;
            }
            offer.client_no_context_takeover = true;
        } else if (iequals(p.name, "server_max_window_bits")) {
            // In an offer this parameter must carry a value (7.1.2.1).
            if (offer.has_server_max_window_bits || !p.value ||
                !parse_window_bits(*p.value, offer.server_max_window_bits)) {
                return false;
            }
            offer.has_server_max_window_bits = true;
        } else if (iequals(p.name, "client_max_window_bits")) {
            // Without a value it only says "you may limit my window" (7.1.2.2).
            if (offer.has_client_max_window_bits) {
                return false;
            }
            if (p.value) {
                if (!parse_window_bits(*p.value, offer.client_max_window_bits)) {
                    return false;
                }
                offer.client_max_window_bits_value = true;
            }
            offer.has_client_max_window_bits = true;
        } else {
            return false;
        }
    }
    return true;
}

}  // namespace

bool parse_extension_offers(std::string_view header, std::vector<ExtensionOffer> &out) {
    out.clear();
    Scanner sc(header);
    for (;;) {
        sc.skip_ows();
        if (sc.done()) {
            return true;
        }
        if (sc.peek() == ',') {  // empty list element
            sc.advance();
            continue;
        }
        ExtensionOffer ext;
        if (!sc.token(ext.name)) {
            return false;
        }
        sc.skip_ows();
        while (!sc.done() && sc.peek() == ';') {
            sc.advance();
            sc.skip_ows();
            ExtensionParam param;
            if (!sc.token(param.name)) {
                return false;
            }
            sc.skip_ows();
            if (!sc.done() && sc.peek() == '=') {
                sc.advance();
                sc.skip_ows();
                std::string value;
                if (sc.done()) {
                    return false;
                }
                if (sc.peek() == '"') {
                    if (!sc.quoted_string(value)) {
                        return false;
                    }
                } else if (!sc.token(value)) {
                    return false;
                }
                param.value = std::move(value);
                sc.skip_ows();
            }
            ext.params.push_back(std::move(param));
        }
        if (!sc.done() && sc.peek() != ',') {
            return false;
        }
        out.push_back(std::move(ext));
        if (sc.done()) {
            return true;
        }
        sc.advance();  // ','
    }
}

std::optional<DeflateAgreement> negotiate_permessage_deflate(std::string_view header,
                                                             const DeflateSettings &settings) {
    if (!settings.enabled) {
        return std::nullopt;
    }
    std::vector<ExtensionOffer> offers;
    if (!parse_extension_offers(header, offers)) {
        return std::nullopt;
    }
    const int our_server_bits = std::clamp(settings.server_max_window_bits, 9, 15);
    const int our_client_bits = std::clamp(settings.client_max_window_bits, 8, 15);

    for (const ExtensionOffer &ext : offers) {
        if (!iequals(ext.name, "permessage-deflate")) {
            continue;
        }
        Offer offer;
        if (!read_offer(ext, offer)) {
            continue;  // declined; a later offer may still be acceptable
        }
        // server_max_window_bits=8: accepting means answering with a value <= 8
        // (7.1.2.1: "the same or smaller value as the offer"), i.e. promising a 256-byte
        // window, which zlib cannot produce for raw deflate (it silently uses 512). A
        // larger answer is not allowed, so this offer is declined; clients that ask for 8
        // list a fallback offer after it (the RFC 7692 examples do).
        if (offer.has_server_max_window_bits && offer.server_max_window_bits < 9) {
            continue;
        }

        DeflateAgreement a;
        DeflateParams &p = a.params;
        // server_no_context_takeover requested by the client must be honoured (7.1.1.1);
        // we may also choose it ourselves.
        p.server_no_context_takeover = offer.server_no_context_takeover || settings.server_no_context_takeover;
        // client_no_context_takeover: we may always ask for it (7.1.1.2). When the client
        // offered it, echoing it costs nothing and turns the client's hint into a promise,
        // which lets our inflater forget its window between messages.
        p.client_no_context_takeover = offer.client_no_context_takeover || settings.client_no_context_takeover;

        p.server_max_window_bits = our_server_bits;
        if (offer.has_server_max_window_bits) {
            p.server_max_window_bits = std::min(our_server_bits, offer.server_max_window_bits);
        }
        // Announced when the client asked for a limit (then it must be, 7.1.2.1) or when we
        // use a smaller window than the default anyway (allowed, and tells the client it
        // can size its inflater accordingly).
        const bool announce_server_bits = offer.has_server_max_window_bits || p.server_max_window_bits < 15;

        // client_max_window_bits may only be answered if it was offered (7.1.2.2), and
        // the answer then needs a value no larger than the offered one.
        bool announce_client_bits = false;
        p.client_max_window_bits = 15;
        if (offer.has_client_max_window_bits) {
            p.client_max_window_bits = std::min(our_client_bits, offer.client_max_window_bits);
            announce_client_bits = offer.client_max_window_bits_value || p.client_max_window_bits < 15;
        }

        a.response = "permessage-deflate";
        if (p.server_no_context_takeover) {
            a.response += "; server_no_context_takeover";
        }
        if (p.client_no_context_takeover) {
            a.response += "; client_no_context_takeover";
        }
        if (announce_server_bits) {
            a.response += "; server_max_window_bits=" + std::to_string(p.server_max_window_bits);
        }
        if (announce_client_bits) {
            a.response += "; client_max_window_bits=" + std::to_string(p.client_max_window_bits);
        }
        return a;
    }
    return std::nullopt;
}

}  // namespace wsserver
