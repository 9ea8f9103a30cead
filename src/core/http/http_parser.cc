#include "core/http/http_parser.h"

#include "core/http/http_tokens.h"

#include <algorithm>
#include <cstring>

namespace wsserver {

namespace {

// Byte classes (RFC 9110 5.6.2, 5.5; RFC 9112 3.2), one bit each.
constexpr uint8_t kToken = 1;   // tchar
constexpr uint8_t kTarget = 2;  // request-target and version bytes: VCHAR, obs-text
constexpr uint8_t kValue = 4;   // field-value and chunk-ext bytes: VCHAR, obs-text, SP, HTAB
constexpr uint8_t kHex = 8;

struct CharTable {
    uint8_t bits[256] = {};
    constexpr CharTable() {
        for (int c = 0; c < 256; c++) {
            const bool digit = c >= '0' && c <= '9';
            uint8_t b = 0;
            if (http::is_tchar(static_cast<unsigned char>(c))) b |= kToken;
            if ((c > 0x20 && c < 0x7f) || c >= 0x80) b |= kTarget | kValue;
            if (c == ' ' || c == '\t') b |= kValue;
            if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) b |= kHex;
            bits[c] = b;
        }
    }
};

constexpr CharTable kChars;

// Buffers above these sizes are released by reset(), so an idle keep-alive connection
// does not keep the memory of its largest request.
constexpr size_t kInitialHeadCapacity = 1024;
constexpr size_t kRetainedHeadCapacity = 16 * 1024;
constexpr size_t kRetainedBodyCapacity = 64 * 1024;
// A Content-Length body is reserved up front only up to this much: a client announcing
// 2 MiB and sending nothing should not cost 2 MiB.
constexpr size_t kBodyReserve = 64 * 1024;
constexpr unsigned kMaxChunkDigits = 16;  // fits uint64_t, leading zeros included

constexpr const char *kBareLf = "bare LF line ending";
constexpr const char *kCrWithoutLf = "CR not followed by LF";
constexpr const char *kBodyTooLarge = "request body too large";

inline bool is(uint8_t c, uint8_t cls) { return (kChars.bits[c] & cls) != 0; }

inline bool is_ows(int c) { return c == ' ' || c == '\t'; }

// Length of the run of bytes of class `cls` starting at p.
inline size_t span(const uint8_t *p, const uint8_t *end, uint8_t cls) {
    const uint8_t *q = p;
    while (q < end && is(*q, cls)) {
        q++;
    }
    return static_cast<size_t>(q - p);
}

// Counts n more bytes against a limit; returns how many fit (n when all of them do).
inline size_t add_bounded(size_t &used, size_t limit, size_t n) {
    const size_t room = limit - used;
    if (n > room) {
        used = limit;
        return room;
    }
    used += n;
    return n;
}

// The reason for an unexpected byte: a lone LF gets its own message.
inline const char *unexpected(uint8_t c, const char *reason) { return c == '\n' ? kBareLf : reason; }

using http::for_each_element;
using http::has_element;
using http::iequals;
using http::trim_ows;

inline unsigned hex_value(uint8_t c) {
    if (c <= '9') return c - '0';
    return (c | 0x20) - 'a' + 10;
}

inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Length of "scheme://" at the start of t, or 0 (RFC 3986 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )).
size_t scheme_prefix(std::string_view t) {
    if (t.empty() || !is_alpha(t[0])) {
        return 0;
    }
    size_t i = 1;
    while (i < t.size() && (is_alpha(t[i]) || (t[i] >= '0' && t[i] <= '9') || t[i] == '+' || t[i] == '-' ||
                            t[i] == '.')) {
        i++;
    }
    return t.substr(i, 3) == "://" ? i + 3 : 0;
}

}  // namespace

HttpParser::HttpParser(HttpParserLimits limits) : limits_(limits) {
    head_.reserve(kInitialHeadCapacity);
    fields_.reserve(16);
}

void HttpParser::reset() {
    state_ = State::Start;
    error_ = HttpParseError{};
    head_.clear();
    if (head_.capacity() > kRetainedHeadCapacity) {
        std::string().swap(head_);
        head_.reserve(kInitialHeadCapacity);
    }
    fields_.clear();
    body_.clear();
    if (body_.capacity() > kRetainedBodyCapacity) {
        std::string().swap(body_);
    }
    cur_ = Cursor{};
    req_ = Request{};
}

HttpParser::Status HttpParser::status() const {
    switch (state_) {
    case State::Done:
        return Status::Done;
    case State::Error:
        return Status::Error;
    default:
        return Status::NeedMore;
    }
}

HttpParser::Result HttpParser::fail(uint16_t status, const char *reason, size_t consumed) {
    state_ = State::Error;
    error_.status = status;
    error_.reason = reason;
    return Result{Status::Error, consumed};
}

void HttpParser::store(const uint8_t *p, size_t n) {
    if (!cur_.in_trailers) {
        head_.append(reinterpret_cast<const char *>(p), n);
    }
}

HttpParser::Result HttpParser::feed(const char *data, size_t len) {
    if (state_ == State::Done || state_ == State::Error) {
        return Result{status(), 0};
    }
    const uint8_t *const begin = reinterpret_cast<const uint8_t *>(data);
    const uint8_t *const end = begin + len;
    const uint8_t *p = begin;
    const auto at = [begin](const uint8_t *q) { return static_cast<size_t>(q - begin); };
    const size_t line_limit = limits_.max_request_line;
    const size_t section_limit = limits_.max_header_bytes;
    const auto section_too_large = [this] {
        return cur_.in_trailers ? "trailer section too large" : "header section too large";
    };

    // Each state looks at the byte at p (or a run of bytes from p); a byte is refused as
    // soon as it is seen, so the outcome cannot depend on how the input was split.
    while (p < end && state_ != State::Done) {
        switch (state_) {
        case State::Start:
            if (*p == '\r') {
                state_ = State::StartLf;
                p++;
                break;
            }
            if (!is(*p, kToken)) {
                return fail(400, unexpected(*p, "invalid method"), at(p));
            }
            state_ = State::Method;
            break;

        case State::StartLf:
            if (*p != '\n') {
                return fail(400, kCrWithoutLf, at(p));
            }
            state_ = State::Start;
            p++;
            break;

        case State::Method:
        case State::Target: {
            const bool method = state_ == State::Method;
            const size_t n = span(p, end, method ? kToken : kTarget);
            const size_t fit = add_bounded(cur_.line_bytes, line_limit, n);
            if (fit < n) {
                return fail(414, "request line too long", at(p) + fit);
            }
            store(p, n);
            p += n;
            if (p == end) {
                break;
            }
            if (*p != ' ') {
                return fail(400, unexpected(*p, method ? "invalid method" : "invalid request target"), at(p));
            }
            if (!method && head_.size() == req_.method_len) {
                return fail(400, "empty request target", at(p));
            }
            if (add_bounded(cur_.line_bytes, line_limit, 1) == 0) {
                return fail(414, "request line too long", at(p));
            }
            p++;
            if (method) {
                req_.method_len = head_.size();
                state_ = State::Target;
            } else {
                req_.target_len = head_.size() - req_.method_len;
                state_ = State::Version;
            }
            break;
        }

        case State::Version: {
            const uint8_t c = *p;
            if (c == '\r') {
                const char *v = cur_.version;
                const bool well_formed = cur_.version_len == 8 && std::memcmp(v, "HTTP/", 5) == 0 && v[5] >= '0' &&
                                         v[5] <= '9' && v[6] == '.' && v[7] >= '0' && v[7] <= '9';
                if (!well_formed) {
                    return fail(400, "invalid HTTP version", at(p));
                }
                if (v[5] != '1') {
                    return fail(505, "unsupported HTTP version", at(p));
                }
                req_.version_minor = v[7] == '0' ? 0 : 1;  // 1.2 and later minors are processed as 1.1
                state_ = State::RequestLineLf;
                p++;
                break;
            }
            if (!is(c, kTarget) || cur_.version_len == sizeof cur_.version) {
                return fail(400, unexpected(c, "invalid HTTP version"), at(p));
            }
            if (add_bounded(cur_.line_bytes, line_limit, 1) == 0) {
                return fail(414, "request line too long", at(p));
            }
            cur_.version[cur_.version_len++] = static_cast<char>(c);
            p++;
            break;
        }

        case State::RequestLineLf:
            if (*p != '\n') {
                return fail(400, kCrWithoutLf, at(p));
            }
            p++;
            split_target();
            state_ = State::FieldStart;
            break;

        case State::FieldStart: {
            const uint8_t c = *p;
            if (c == '\r') {
                if (add_bounded(cur_.section_bytes, section_limit, 1) == 0) {
                    return fail(431, section_too_large(), at(p));
                }
                state_ = State::SectionEndLf;
                p++;
                break;
            }
            if (is_ows(c)) {
                // RFC 9112 5.2 and 2.2: obs-fold, or whitespace ahead of the first field line.
                return fail(400, cur_.section_fields == 0 ? "whitespace before the first field line"
                                                          : "obsolete line folding",
                            at(p));
            }
            if (!is(c, kToken)) {
                return fail(400, unexpected(c, "invalid field name"), at(p));
            }
            if (cur_.section_fields == limits_.max_headers) {
                return fail(431, cur_.in_trailers ? "too many trailer fields" : "too many header fields", at(p));
            }
            cur_.section_fields++;
            cur_.name_off = head_.size();
            state_ = State::FieldName;
            break;
        }

        case State::FieldName: {
            const size_t n = span(p, end, kToken);
            const size_t fit = add_bounded(cur_.section_bytes, section_limit, n);
            if (fit < n) {
                return fail(431, section_too_large(), at(p) + fit);
            }
            store(p, n);
            p += n;
            if (p == end) {
                break;
            }
            if (*p != ':') {
                // RFC 9112 5.1: whitespace between name and colon MUST be rejected.
                return fail(400, is_ows(*p) ? "whitespace before the colon" : unexpected(*p, "invalid field name"),
                            at(p));
            }
            if (add_bounded(cur_.section_bytes, section_limit, 1) == 0) {
                return fail(431, section_too_large(), at(p));
            }
            cur_.name_len = head_.size() - cur_.name_off;
            p++;
            state_ = State::ValueStart;
            break;
        }

        case State::ValueStart: {
            const uint8_t *q = p;
            while (q < end && is_ows(*q)) {
                q++;
            }
            const size_t n = static_cast<size_t>(q - p);
            const size_t fit = add_bounded(cur_.section_bytes, section_limit, n);
            if (fit < n) {
                return fail(431, section_too_large(), at(p) + fit);
            }
            p = q;
            if (p == end) {
                break;
            }
            cur_.value_off = head_.size();
            cur_.value_len = 0;
            state_ = State::Value;
            break;
        }

        case State::Value: {
            const size_t n = span(p, end, kValue);
            const size_t fit = add_bounded(cur_.section_bytes, section_limit, n);
            if (fit < n) {
                return fail(431, section_too_large(), at(p) + fit);
            }
            // Trailing OWS is stored but left out of the value's length.
            for (size_t k = n; k > 0; k--) {
                if (!is_ows(p[k - 1])) {
                    cur_.value_len = head_.size() + k - cur_.value_off;
                    break;
                }
            }
            store(p, n);
            p += n;
            if (p == end) {
                break;
            }
            if (*p != '\r') {
                // RFC 9110 5.5: NUL, CR and LF MUST be rejected; other controls are too.
                const char *reason = *p == 0 ? "NUL in a field value" : "control character in a field value";
                return fail(400, unexpected(*p, reason), at(p));
            }
            if (add_bounded(cur_.section_bytes, section_limit, 1) == 0) {
                return fail(431, section_too_large(), at(p));
            }
            p++;
            state_ = State::FieldLf;
            break;
        }

        case State::FieldLf:
            if (*p != '\n') {
                return fail(400, kCrWithoutLf, at(p));
            }
            if (add_bounded(cur_.section_bytes, section_limit, 1) == 0) {
                return fail(431, section_too_large(), at(p));
            }
            p++;
            state_ = State::FieldStart;
            if (!cur_.in_trailers) {
                fields_.push_back(Field{cur_.name_off, cur_.name_len, cur_.value_off, cur_.value_len});
                if (const char *reason = note_field(view(cur_.name_off, cur_.name_len),
                                                    view(cur_.value_off, cur_.value_len))) {
                    return fail(400, reason, at(p));
                }
            }
            break;

        case State::SectionEndLf: {
            if (*p != '\n') {
                return fail(400, kCrWithoutLf, at(p));
            }
            if (add_bounded(cur_.section_bytes, section_limit, 1) == 0) {
                return fail(431, section_too_large(), at(p));
            }
            p++;
            if (cur_.in_trailers) {
                state_ = State::Done;
                break;
            }
            const HttpParseError problem = finish_head();
            if (problem.status != 0) {
                return fail(problem.status, problem.reason, at(p));
            }
            req_.headers_complete = true;
            break;
        }

        case State::Body: {
            const size_t n = static_cast<size_t>(std::min<uint64_t>(cur_.body_left, static_cast<size_t>(end - p)));
            body_.append(reinterpret_cast<const char *>(p), n);
            p += n;
            cur_.body_left -= n;
            if (cur_.body_left == 0) {
                state_ = State::Done;
            }
            break;
        }

        case State::ChunkSize: {
            const uint8_t c = *p;
            if (is(c, kHex)) {
                if (cur_.chunk_digits == kMaxChunkDigits) {
                    return fail(400, "chunk size has too many digits", at(p));
                }
                cur_.chunk_left = cur_.chunk_left * 16 + hex_value(c);
                cur_.chunk_digits++;
                // Refused as soon as the announced data would pass the limit, before it is read.
                if (cur_.chunk_left > limits_.max_body - body_.size()) {
                    return fail(413, kBodyTooLarge, at(p));
                }
                p++;
                break;
            }
            if (cur_.chunk_digits == 0) {
                return fail(400, unexpected(c, "invalid chunk size"), at(p));
            }
            if (c == '\r') {
                state_ = State::ChunkSizeLf;
                p++;
                break;
            }
            if (c != ';' && !is_ows(c)) {
                return fail(400, unexpected(c, "invalid chunk size"), at(p));
            }
            if (add_bounded(cur_.ext_bytes, section_limit, 1) == 0) {
                return fail(413, "chunk extensions too large", at(p));
            }
            state_ = c == ';' ? State::ChunkExt : State::ChunkSizeWs;
            p++;
            break;
        }

        case State::ChunkSizeWs: {
            // RFC 9112 7.1.1: BWS is allowed only before the ';' of an extension.
            const uint8_t c = *p;
            if (c != ';' && !is_ows(c)) {
                return fail(400, unexpected(c, "whitespace after the chunk size"), at(p));
            }
            if (add_bounded(cur_.ext_bytes, section_limit, 1) == 0) {
                return fail(413, "chunk extensions too large", at(p));
            }
            if (c == ';') {
                state_ = State::ChunkExt;
            }
            p++;
            break;
        }

        case State::ChunkExt: {
            // Extensions are ignored; only their bytes are checked, so the line end is unambiguous.
            const size_t n = span(p, end, kValue);
            const size_t fit = add_bounded(cur_.ext_bytes, section_limit, n);
            if (fit < n) {
                return fail(413, "chunk extensions too large", at(p) + fit);
            }
            p += n;
            if (p == end) {
                break;
            }
            if (*p != '\r') {
                return fail(400, unexpected(*p, "invalid chunk extension"), at(p));
            }
            state_ = State::ChunkSizeLf;
            p++;
            break;
        }

        case State::ChunkSizeLf:
            if (*p != '\n') {
                return fail(400, kCrWithoutLf, at(p));
            }
            p++;
            cur_.chunk_digits = 0;
            if (cur_.chunk_left == 0) {
                // Last chunk: a trailer section follows, with its own byte and field budget.
                cur_.in_trailers = true;
                cur_.section_bytes = 0;
                cur_.section_fields = 0;
                state_ = State::FieldStart;
            } else {
                state_ = State::ChunkData;
            }
            break;

        case State::ChunkData: {
            const size_t n = static_cast<size_t>(std::min<uint64_t>(cur_.chunk_left, static_cast<size_t>(end - p)));
            body_.append(reinterpret_cast<const char *>(p), n);
            p += n;
            cur_.chunk_left -= n;
            if (cur_.chunk_left == 0) {
                state_ = State::ChunkDataCr;
            }
            break;
        }

        case State::ChunkDataCr:
            if (*p != '\r') {
                return fail(400, "chunk data not followed by CRLF", at(p));
            }
            state_ = State::ChunkDataLf;
            p++;
            break;

        case State::ChunkDataLf:
            if (*p != '\n') {
                return fail(400, kCrWithoutLf, at(p));
            }
            state_ = State::ChunkSize;
            p++;
            break;

        case State::Done:
        case State::Error:
            break;  // not reached: the loop stops at Done, errors return
        }
    }
    if (state_ == State::Done) {
        return Result{Status::Done, at(p)};
    }
    return Result{Status::NeedMore, len};
}

void HttpParser::split_target() {
    const std::string_view t = target();
    const size_t question = t.find('?');
    const size_t path_end = question == std::string_view::npos ? t.size() : question;
    size_t path_begin = 0;
    if (const size_t authority = scheme_prefix(t.substr(0, path_end))) {
        // absolute-form (RFC 9112 3.2.2): the path starts after the authority.
        path_begin = std::min(t.find('/', authority), path_end);
        req_.path_is_root = path_begin == path_end;
    }
    req_.path_off = path_begin;
    req_.path_len = path_end - path_begin;
    req_.query_off = question == std::string_view::npos ? t.size() : question + 1;
    req_.query_len = t.size() - req_.query_off;
}

const char *HttpParser::note_field(std::string_view name, std::string_view value) {
    // Only the fields that change how the request is framed or answered; switch on the
    // length first so most names cost one comparison.
    switch (name.size()) {
    case 4:
        if (iequals(name, "host")) {
            if (req_.has_host) {
                return "more than one Host field";
            }
            req_.has_host = true;
        }
        break;
    case 6:
        if (iequals(name, "expect") && has_element(value, "100-continue")) {
            req_.expect_continue = true;
        }
        break;
    case 7:
        if (iequals(name, "upgrade") && has_element(value, "websocket")) {
            req_.upgrade_websocket = true;
        }
        break;
    case 10:
        if (iequals(name, "connection")) {
            for_each_element(value, [this](std::string_view e) {
                if (iequals(e, "close")) {
                    req_.connection_close = true;
                } else if (iequals(e, "keep-alive")) {
                    req_.connection_keep_alive = true;
                } else if (iequals(e, "upgrade")) {
                    req_.connection_upgrade = true;
                }
                return true;
            });
        }
        break;
    case 14:
        if (iequals(name, "content-length")) {
            return note_content_length(value);
        }
        break;
    case 17:
        if (iequals(name, "transfer-encoding")) {
            note_transfer_encoding(value);
        }
        break;
    default:
        break;
    }
    return nullptr;
}

const char *HttpParser::note_content_length(std::string_view value) {
    // RFC 9110 8.6: 1*DIGIT. A list of identical values ("5, 5", from an upstream that
    // merged repeated fields) is accepted, differing values are not.
    const char *problem = nullptr;
    for_each_element(value, [&](std::string_view e) {
        if (e.empty()) {
            problem = "invalid Content-Length";
            return false;
        }
        uint64_t v = 0;
        for (const char c : e) {
            if (c < '0' || c > '9') {
                problem = "invalid Content-Length";
                return false;
            }
            const uint64_t digit = static_cast<uint64_t>(c - '0');
            // Saturates: a value past 2^64 is well-formed and simply too large (413 later).
            v = v > (UINT64_MAX - digit) / 10 ? UINT64_MAX : v * 10 + digit;
        }
        if (req_.has_content_length && v != req_.content_length) {
            problem = "conflicting Content-Length values";
            return false;
        }
        req_.has_content_length = true;
        req_.content_length = v;
        return true;
    });
    return problem;
}

void HttpParser::note_transfer_encoding(std::string_view value) {
    req_.has_transfer_encoding = true;
    for_each_element(value, [this](std::string_view e) {
        if (e.empty()) {
            return true;  // RFC 9110 5.6.1: empty list elements are ignored
        }
        req_.te_codings++;
        req_.te_chunked_last = iequals(e, "chunked");
        if (req_.te_chunked_last) {
            req_.te_chunked++;
        } else {
            req_.te_unknown = true;
        }
        return true;
    });
}

HttpParseError HttpParser::finish_head() {
    if (req_.has_transfer_encoding) {
        // RFC 9112 6.1 and 6.3: either framing alone is fine; both, or chunked that is not
        // the last coding applied exactly once, leaves the body length in doubt.
        if (req_.has_content_length) {
            return {400, "both Content-Length and Transfer-Encoding"};
        }
        if (req_.version_minor == 0) {
            return {400, "Transfer-Encoding in an HTTP/1.0 request"};
        }
        if (req_.te_codings == 0) {
            return {400, "empty Transfer-Encoding"};
        }
        if (req_.te_chunked > 1) {
            return {400, "chunked applied more than once"};
        }
        if (req_.te_chunked == 1 && !req_.te_chunked_last) {
            return {400, "chunked is not the final transfer coding"};
        }
        if (req_.te_unknown) {
            return {501, "unsupported transfer coding"};
        }
        req_.chunked = true;
        state_ = State::ChunkSize;
        return {};
    }
    if (req_.has_content_length) {
        if (req_.content_length > limits_.max_body) {
            return {413, kBodyTooLarge};
        }
        cur_.body_left = req_.content_length;
        if (cur_.body_left == 0) {
            state_ = State::Done;
        } else {
            body_.reserve(static_cast<size_t>(std::min<uint64_t>(cur_.body_left, kBodyReserve)));
            state_ = State::Body;
        }
        return {};
    }
    state_ = State::Done;  // RFC 9112 6.3: a request without either has no body
    return {};
}

std::string_view HttpParser::path() const {
    if (req_.path_is_root) {
        return "/";
    }
    return target().substr(req_.path_off, req_.path_len);
}

std::string_view HttpParser::query() const { return target().substr(req_.query_off, req_.query_len); }

HttpHeader HttpParser::header_at(size_t index) const {
    const Field &f = fields_[index];
    return HttpHeader{view(f.name_off, f.name_len), view(f.value_off, f.value_len)};
}

size_t HttpParser::find_header(std::string_view name, size_t from) const {
    for (size_t i = from; i < fields_.size(); i++) {
        if (iequals(view(fields_[i].name_off, fields_[i].name_len), name)) {
            return i;
        }
    }
    return npos;
}

std::optional<std::string_view> HttpParser::header(std::string_view name) const {
    const size_t i = find_header(name);
    if (i == npos) {
        return std::nullopt;
    }
    return header_at(i).value;
}

std::optional<uint64_t> HttpParser::content_length() const {
    if (!req_.has_content_length) {
        return std::nullopt;
    }
    return req_.content_length;
}

bool HttpParser::keep_alive() const {
    if (state_ == State::Error) {
        return false;
    }
    if (req_.connection_close) {
        return false;
    }
    return req_.version_minor == 1 || req_.connection_keep_alive;
}

bool HttpParser::expects_continue() const { return req_.expect_continue && req_.version_minor == 1; }

bool HttpParser::is_websocket_upgrade() const {
    return req_.headers_complete && req_.version_minor == 1 && method() == "GET" && req_.upgrade_websocket &&
           req_.connection_upgrade;
}

}  // namespace wsserver
