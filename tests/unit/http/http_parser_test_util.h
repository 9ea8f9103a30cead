// Shared by the HttpParser tests (http_parser_test.cc, http_parser_body_test.cc): a parse
// outcome captured by value, parsing whole / split / byte by byte, request builders.
#pragma once

#include "core/http/http_parser.h"

#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parser_test {

using namespace wsserver;
using Status = HttpParser::Status;

inline std::string lower(std::string s) {
    for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

const std::string kNul(1, '\0');

// Everything observable after a parse, so that differently split runs can be compared.
struct Outcome {
    Status status = Status::NeedMore;
    size_t consumed = 0;
    uint16_t error_status = 0;
    std::string reason;
    bool headers_complete = false;
    std::string method, target, path, query;
    int minor = -1;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool keep_alive = false;
    bool expects_continue = false;
    bool websocket = false;
    bool chunked = false;
    std::optional<uint64_t> content_length;

    std::string header(std::string_view name) const {
        for (const auto &h : headers) {
            if (lower(h.first) == lower(std::string(name))) return h.second;
        }
        return "<none>";
    }
};

inline bool operator==(const Outcome &a, const Outcome &b) {
    return a.status == b.status && a.consumed == b.consumed && a.error_status == b.error_status &&
           a.reason == b.reason && a.headers_complete == b.headers_complete && a.method == b.method &&
           a.target == b.target && a.path == b.path && a.query == b.query && a.minor == b.minor &&
           a.headers == b.headers && a.body == b.body && a.keep_alive == b.keep_alive &&
           a.expects_continue == b.expects_continue && a.websocket == b.websocket && a.chunked == b.chunked &&
           a.content_length == b.content_length;
}

inline std::ostream &operator<<(std::ostream &os, const Outcome &o) {
    static const char *names[] = {"NeedMore", "Done", "Error"};
    os << names[static_cast<int>(o.status)] << " consumed=" << o.consumed;
    if (o.status == Status::Error) return os << " " << o.error_status << " (" << o.reason << ")";
    os << " complete=" << o.headers_complete << " [" << o.method << "] [" << o.target << "] 1." << o.minor << " "
       << o.headers.size() << " headers, body " << o.body.size() << " bytes";
    return os;
}

inline Outcome capture(const HttpParser &p, size_t consumed) {
    Outcome o;
    o.status = p.status();
    o.consumed = consumed;
    if (o.status == Status::Error) {
        o.error_status = p.error().status;
        o.reason = p.error().reason;
        return o;
    }
    o.headers_complete = p.headers_complete();
    if (!o.headers_complete) return o;
    o.method = std::string(p.method());
    o.target = std::string(p.target());
    o.path = std::string(p.path());
    o.query = std::string(p.query());
    o.minor = p.version_minor();
    for (size_t i = 0; i < p.header_count(); i++) {
        const HttpHeader h = p.header_at(i);
        o.headers.emplace_back(std::string(h.name), std::string(h.value));
    }
    o.body = std::string(p.body());
    o.keep_alive = p.keep_alive();
    o.expects_continue = p.expects_continue();
    o.websocket = p.is_websocket_upgrade();
    o.chunked = p.chunked();
    o.content_length = p.content_length();
    return o;
}

// Feeds `input` to `p` in pieces ending at `cuts` (ascending), checking the Result
// contract on every call; stops at Done or Error like a server would.
inline Outcome run(HttpParser &p, std::string_view input, const std::vector<size_t> &cuts) {
    size_t pos = 0;
    size_t consumed = 0;
    std::vector<size_t> ends = cuts;
    ends.push_back(input.size());
    for (size_t end : ends) {
        const std::string_view piece = input.substr(pos, end - pos);
        const HttpParser::Result r = p.feed(piece);
        EXPECT_LE(r.consumed, piece.size());
        EXPECT_EQ(r.status, p.status());
        consumed += r.consumed;
        pos = end;
        if (r.status == Status::NeedMore) {
            EXPECT_EQ(r.consumed, piece.size()) << "NeedMore must consume everything";
        } else {
            break;
        }
    }
    return capture(p, consumed);
}

inline Outcome parse(std::string_view input, HttpParserLimits limits = {}) {
    HttpParser p(limits);
    return run(p, input, {});
}

inline Outcome parse_bytewise(std::string_view input, HttpParserLimits limits = {}) {
    HttpParser p(limits);
    std::vector<size_t> cuts;
    for (size_t i = 1; i < input.size(); i++) cuts.push_back(i);
    return run(p, input, cuts);
}

// The whole input, every single cut, byte by byte and (for short inputs) every pair of
// cuts must give the same outcome.
inline ::testing::AssertionResult split_invariant(std::string_view input, HttpParserLimits limits = {},
                                           bool all_pairs = false) {
    const Outcome whole = parse(input, limits);
    for (size_t i = 0; i <= input.size(); i++) {
        HttpParser p(limits);
        const Outcome o = run(p, input, {i});
        if (!(o == whole)) {
            return ::testing::AssertionFailure() << "cut at " << i << ": " << o << "\n  whole: " << whole;
        }
    }
    const Outcome bytes = parse_bytewise(input, limits);
    if (!(bytes == whole)) {
        return ::testing::AssertionFailure() << "byte-wise: " << bytes << "\n  whole: " << whole;
    }
    if (all_pairs) {
        for (size_t i = 0; i <= input.size(); i++) {
            for (size_t j = i; j <= input.size(); j++) {
                HttpParser p(limits);
                const Outcome o = run(p, input, {i, j});
                if (!(o == whole)) {
                    return ::testing::AssertionFailure() << "cuts at " << i << "," << j << ": " << o;
                }
            }
        }
    }
    return ::testing::AssertionSuccess();
}

// Parses and expects an error with this status (and reason, when given).
inline ::testing::AssertionResult fails_with(std::string_view input, uint16_t status, const char *reason = nullptr,
                                      HttpParserLimits limits = {}) {
    const Outcome o = parse(input, limits);
    if (o.status != Status::Error || o.error_status != status || (reason && o.reason != reason)) {
        return ::testing::AssertionFailure()
               << "expected " << status << (reason ? std::string(" (") + reason + ")" : "") << ", got " << o;
    }
    // Errors must not depend on the split either (checked on inputs small enough to try every cut).
    return input.size() <= 2048 ? split_invariant(input, limits) : ::testing::AssertionSuccess();
}

inline std::string get(std::string_view target = "/", std::string_view fields = "Host: x\r\n") {
    return "GET " + std::string(target) + " HTTP/1.1\r\n" + std::string(fields) + "\r\n";
}

inline std::string post(std::string_view fields, std::string_view body) {
    return "POST /upload HTTP/1.1\r\nHost: x\r\n" + std::string(fields) + "\r\n" + std::string(body);
}

inline std::string chunked_post(std::string_view chunks) { return post("Transfer-Encoding: chunked\r\n", chunks); }

const char *const kBareLf = "bare LF line ending";
const char *const kCrWithoutLf = "CR not followed by LF";

}  // namespace parser_test
