// Fuzz target: HttpParser run over a pipelined stream fed whole, in chunks derived from
// the input and byte by byte must give the same requests (or the same error at the same
// offset); every result must respect the feed() contract and the configured limits.
//
// Input: byte 0 picks the limits, byte 1 the chunking, the rest is the stream.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/http/http_parser.h"
#include "fuzz_common.h"

using namespace wsserver;
using Status = HttpParser::Status;

namespace {

// One request as the parser reported it (or the state it was left in at the end).
struct Req {
    Status status = Status::NeedMore;
    size_t consumed = 0;  // by this request, over all the feed() calls it took
    uint16_t error_status = 0;
    std::string reason;
    bool headers_complete = false;
    std::string method, target, path, query;
    int minor = -1;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool keep_alive = false, expects_continue = false, websocket = false, chunked = false;
    std::optional<uint64_t> content_length;

    bool operator==(const Req &o) const {
        return status == o.status && consumed == o.consumed && error_status == o.error_status && reason == o.reason &&
               headers_complete == o.headers_complete && method == o.method && target == o.target &&
               path == o.path && query == o.query && minor == o.minor && headers == o.headers && body == o.body &&
               keep_alive == o.keep_alive && expects_continue == o.expects_continue && websocket == o.websocket &&
               chunked == o.chunked && content_length == o.content_length;
    }
};

bool is_tchar(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

// Reads the parser's state and checks everything a caller may rely on.
Req capture(const HttpParser &p, size_t consumed, const HttpParserLimits &l) {
    Req r;
    r.status = p.status();
    r.consumed = consumed;
    if (r.status == Status::Error) {
        r.error_status = p.error().status;
        r.reason = p.error().reason;
        const uint16_t s = r.error_status;
        FUZZ_CHECK(s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505, "error status %u", s);
        FUZZ_CHECK(!r.reason.empty(), "error without a reason");
        FUZZ_CHECK(!p.keep_alive(), "keep-alive after an error");
        return r;
    }
    FUZZ_CHECK(p.error().status == 0, "error status %u without Error", p.error().status);
    r.headers_complete = p.headers_complete();
    if (r.status == Status::Done) FUZZ_CHECK(r.headers_complete, "Done before the header section");
    if (!r.headers_complete) {
        FUZZ_CHECK(p.body().empty(), "body before the header section");
        return r;
    }
    r.method = std::string(p.method());
    r.target = std::string(p.target());
    r.path = std::string(p.path());
    r.query = std::string(p.query());
    r.minor = p.version_minor();
    FUZZ_CHECK(!r.method.empty() && !r.target.empty(), "empty method or target");
    for (char c : r.method) FUZZ_CHECK(is_tchar(c), "method byte %02x", c & 0xff);
    for (char c : r.target) {
        const unsigned char u = static_cast<unsigned char>(c);
        FUZZ_CHECK(u > 0x20 && u != 0x7f, "target byte %02x", u);
    }
    FUZZ_CHECK(r.minor == 0 || r.minor == 1, "minor version %d", r.minor);
    FUZZ_CHECK(r.method.size() + r.target.size() + 10 <= l.max_request_line, "request line of %zu bytes, limit %zu",
               r.method.size() + r.target.size() + 10, l.max_request_line);
    FUZZ_CHECK(p.header_count() <= l.max_headers, "%zu header fields, limit %zu", p.header_count(), l.max_headers);
    size_t section = 2;  // the empty line
    for (size_t i = 0; i < p.header_count(); i++) {
        const HttpHeader h = p.header_at(i);
        FUZZ_CHECK(!h.name.empty(), "empty field name");
        for (char c : h.name) FUZZ_CHECK(is_tchar(c), "field name byte %02x", c & 0xff);
        for (char c : h.value) {
            const unsigned char u = static_cast<unsigned char>(c);
            FUZZ_CHECK(u >= 0x20 || u == '\t', "field value byte %02x", u);
            FUZZ_CHECK(u != 0x7f, "DEL in a field value");
        }
        FUZZ_CHECK(h.value.empty() || (!is_ows(h.value.front()) && !is_ows(h.value.back())), "untrimmed value");
        section += h.name.size() + 1 + h.value.size() + 2;
        const std::optional<std::string_view> first = p.header(h.name);
        FUZZ_CHECK(first.has_value(), "header() misses a field");
        FUZZ_CHECK(p.find_header(h.name) <= i, "find_header past the field");
        r.headers.emplace_back(std::string(h.name), std::string(h.value));
    }
    FUZZ_CHECK(section <= l.max_header_bytes, "header section of at least %zu bytes, limit %zu", section,
               l.max_header_bytes);
    r.body = std::string(p.body());
    r.keep_alive = p.keep_alive();
    r.expects_continue = p.expects_continue();
    r.websocket = p.is_websocket_upgrade();
    r.chunked = p.chunked();
    r.content_length = p.content_length();
    FUZZ_CHECK(r.body.size() <= l.max_body, "body of %zu bytes, limit %llu", r.body.size(),
               (unsigned long long)l.max_body);
    FUZZ_CHECK(!(r.chunked && r.content_length), "chunked and Content-Length");
    if (r.content_length) {
        FUZZ_CHECK(*r.content_length <= l.max_body, "accepted Content-Length over the limit");
        if (r.status == Status::Done) FUZZ_CHECK(r.body.size() == *r.content_length, "body size != Content-Length");
        else FUZZ_CHECK(r.body.size() < *r.content_length, "body complete but not Done");
    }
    if (!r.chunked && !r.content_length) FUZZ_CHECK(r.body.empty(), "body without framing");
    if (r.websocket) FUZZ_CHECK(r.method == "GET" && r.minor == 1, "websocket upgrade without GET HTTP/1.1");
    if (r.expects_continue) FUZZ_CHECK(r.minor == 1, "100-continue on HTTP/1.0");
    return r;
}

// Parses a stream of pipelined requests fed in the given pieces, the way a server would:
// after Done the parser is reset and the rest of the piece goes to the next request.
class Run {
public:
    explicit Run(const HttpParserLimits &l) : parser_(l), limits_(l) {}

    // Returns false once the stream hit an error (nothing more will be parsed).
    bool feed(const uint8_t *data, size_t n) {
        const char *p = reinterpret_cast<const char *>(data);
        const size_t max_calls = n + 1;  // every Done consumed at least one byte
        for (size_t calls = 0;; calls++) {
            FUZZ_CHECK(calls <= max_calls, "no progress");
            if (errored_) {
                const HttpParser::Result r = parser_.feed(p, n);
                FUZZ_CHECK(r.status == Status::Error && r.consumed == 0, "error is not sticky");
                return false;
            }
            const HttpParser::Result r = parser_.feed(p, n);
            FUZZ_CHECK(r.consumed <= n, "consumed %zu of %zu", r.consumed, n);
            FUZZ_CHECK(r.status == parser_.status(), "Result and status() disagree");
            current_ += r.consumed;
            total_ += r.consumed;
            switch (r.status) {
            case Status::NeedMore:
                FUZZ_CHECK(r.consumed == n, "NeedMore left %zu bytes", n - r.consumed);
                return true;
            case Status::Error:
                requests.push_back(capture(parser_, current_, limits_));
                errored_ = true;
                return false;
            case Status::Done: {
                requests.push_back(capture(parser_, current_, limits_));
                const HttpParser::Result again = parser_.feed(p + r.consumed, n - r.consumed);
                FUZZ_CHECK(again.status == Status::Done && again.consumed == 0, "Done is not sticky");
                FUZZ_CHECK(current_ > 0, "empty request");
                parser_.reset();
                current_ = 0;
                p += r.consumed;
                n -= r.consumed;
                break;
            }
            }
        }
    }

    // The request in progress when the input ran out.
    void finish() { requests.push_back(capture(parser_, current_, limits_)); }

    std::vector<Req> requests;
    size_t total() const { return total_; }

private:
    HttpParser parser_;
    HttpParserLimits limits_;
    size_t current_ = 0;
    size_t total_ = 0;
    bool errored_ = false;
};

void expect_same(const std::vector<Req> &a, const std::vector<Req> &b, const char *what) {
    FUZZ_CHECK(a.size() == b.size(), "%s: %zu requests vs %zu", what, a.size(), b.size());
    for (size_t i = 0; i < a.size(); i++) {
        FUZZ_CHECK(a[i] == b[i], "%s: request %zu differs (status %d/%d, consumed %zu/%zu, error %u/%u)", what, i,
                   int(a[i].status), int(b[i].status), a[i].consumed, b[i].consumed, a[i].error_status,
                   b[i].error_status);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    const uint8_t opt = data[0];
    const uint8_t split = data[1];
    const uint8_t *stream = data + 2;
    const size_t n = size - 2;

    // Small limits as well as the defaults, so the fuzzer reaches every boundary.
    static const size_t kLine[4] = {8 * 1024, 16, 40, 1};
    static const size_t kSection[4] = {64 * 1024, 24, 100, 0};
    static const size_t kCount[4] = {100, 0, 1, 3};
    static const uint64_t kBody[4] = {2 * 1024 * 1024, 0, 5, 100};
    HttpParserLimits l;
    l.max_request_line = kLine[opt & 3];
    l.max_header_bytes = kSection[(opt >> 2) & 3];
    l.max_headers = kCount[(opt >> 4) & 3];
    l.max_body = kBody[opt >> 6];

    Run whole(l);
    if (whole.feed(stream, n)) whole.finish();
    FUZZ_CHECK(whole.total() <= n, "consumed %zu of %zu", whole.total(), n);

    // Chunks derived from the input (zero-sized ones included).
    static const size_t kChunk[4] = {2, 7, 40, 300};
    Run chunked(l);
    fuzz::Chunker chunker(split * 7919u + static_cast<uint32_t>(n), kChunk[split & 3]);
    bool alive = true;
    for (size_t pos = 0; alive && pos < n;) {
        const size_t c = std::min(chunker.next(), n - pos);
        alive = chunked.feed(stream + pos, c);
        pos += c;
    }
    if (alive && chunked.feed(stream + n, 0)) chunked.finish();  // a final empty call changes nothing
    expect_same(chunked.requests, whole.requests, "chunked vs whole");

    Run bytewise(l);
    alive = true;
    for (size_t i = 0; alive && i < n; i++) alive = bytewise.feed(stream + i, 1);
    if (alive) bytewise.finish();
    expect_same(bytewise.requests, whole.requests, "byte-wise vs whole");

    // A request parsed on its own, by a fresh parser, from exactly its bytes: the same
    // (reset() leaves nothing behind, and Done does not depend on what follows).
    size_t offset = 0;
    for (const Req &r : whole.requests) {
        if (r.status != Status::Done) break;
        Run alone(l);
        alone.feed(stream + offset, r.consumed);
        FUZZ_CHECK(alone.requests.size() == 1 && alone.requests[0] == r, "request at %zu differs when parsed alone",
                   offset);
        offset += r.consumed;
    }
    return 0;
}
