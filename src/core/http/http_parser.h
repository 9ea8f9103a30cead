// Incremental HTTP/1.1 request parser (RFC 9112, RFC 9110): feed it bytes split anywhere,
// it stops at the end of one request and says how many bytes it used, so pipelined
// requests (or the WebSocket frames after an upgrade) stay in the caller's buffer.
//
// Storage: the request line and header fields are copied into one parser-owned buffer
// (method, target, names and values; separators, CRLFs and leading OWS are skipped) and
// handed out as string_views into it; the field index is a vector of offsets. Both keep their
// capacity across reset(), so a keep-alive connection parses later requests without
// allocating. The body is accumulated in a parser-owned buffer too: the Swoole API hands
// the application the whole body, chunked bodies must be reassembled anyway, and
// max_body bounds the memory.
//
// Strictness, chosen against request smuggling (RFC 9112 11.2):
// - Lines must end in CRLF. A bare LF is a 400 everywhere (RFC 9112 2.2 allows either
//   choice; accepting it where a proxy in front does not is how framing gets confused).
// - Empty lines before the request line are skipped (RFC 9112 2.2), without limit: they
//   cost no memory.
// - Exactly one SP between method, target and version. The target may hold obs-text
//   (bytes >= 0x80, sent raw by some clients) but no control characters.
// - HTTP/1.0 and HTTP/1.1 are served; HTTP/1.2..1.9 are processed as 1.1 (RFC 9110 2.5);
//   other well-formed versions (HTTP/0.9, HTTP/2.0, ...) are a 505, anything else a 400.
// - Field names are tokens followed directly by ':'; whitespace before the first field,
//   obs-fold, and control characters other than HTAB in a value (NUL, CR, DEL, ...) are 400.
// - Transfer-Encoding: only "chunked", once, is accepted. Broken framing (chunked twice or
//   not last, an empty list, TE in an HTTP/1.0 request, TE together with Content-Length)
//   is a 400; a well-formed list with another coding ("gzip", "gzip, chunked") a 501.
// - Content-Length: 1*DIGIT; repeated fields or lists ("5, 5") must agree, else 400. A
//   value over max_body, even one past 2^64, is a 413.
// - A second Host field is a 400 (RFC 9112 3.2); a missing Host is left to the server.
// - Chunk lines: hex size (at most 16 digits), extensions ignored but their characters
//   checked and their total size per request capped, whitespace only before ';'.
//   Trailer fields are checked like header fields, counted against the same limits, and
//   dropped: RFC 9110 6.5.1 forbids merging them into the header fields.
//
// A byte is refused as soon as it is seen, so the error and the bytes consumed before it
// never depend on how the input was split. When one byte breaks both a syntax rule and a
// limit, the syntax error (400) is reported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsserver {

// Every limit is inclusive: a request exactly at a limit passes, one byte more fails.
struct HttpParserLimits {
    // Request line without its CRLF. Longer -> 414, which is what an over-long URI makes it.
    size_t max_request_line = 8 * 1024;
    // Header section: every field line with its CRLF plus the final empty line (the same
    // budget again for the trailer section). More -> 431. 64 KiB like Swoole's
    // SW_HTTP_HEADER_MAX_SIZE, so big cookies that work there work here. Also caps the
    // total size of chunk extensions in one request (-> 413).
    size_t max_header_bytes = 64 * 1024;
    // Field lines in the header section (and, separately, in the trailer section).
    // More -> 431. Apache's LimitRequestFields default.
    size_t max_headers = 100;
    // Swoole's package_max_length: the decoded body. A larger Content-Length fails before
    // any body byte is read; a chunked body fails as soon as a chunk size would pass it. -> 413
    uint64_t max_body = 2 * 1024 * 1024;
};

struct HttpParseError {
    uint16_t status = 0;      // the response to send: 400, 413, 414, 431, 501 or 505
    const char *reason = "";  // short, for logs
};

struct HttpHeader {
    std::string_view name;   // as received, case preserved
    std::string_view value;  // leading and trailing OWS removed
};

class HttpParser {
public:
    enum class Status {
        NeedMore,  // everything given was consumed; feed more
        Done,      // one request is complete; Result::consumed may be less than the input
        Error,     // error() says which status to answer; sticky until reset()
    };

    struct Result {
        Status status;
        // Bytes of this call's input that belong to the request (on Error: the bytes
        // before the one that was refused).
        size_t consumed;
    };

    explicit HttpParser(HttpParserLimits limits = {});

    // Parses from `data`. After Done or Error further calls consume nothing and repeat the
    // status until reset().
    Result feed(const char *data, size_t len);
    Result feed(std::string_view data) { return feed(data.data(), data.size()); }

    // Forgets the request (keeping buffer capacity) so the next one can be parsed.
    void reset();

    Status status() const;
    const HttpParseError &error() const { return error_; }
    const HttpParserLimits &limits() const { return limits_; }

    // True once the header section was accepted: the request fields below are valid
    // from then on until reset(), while the body may still be arriving (the moment to
    // send "100 Continue" when expects_continue()).
    bool headers_complete() const { return req_.headers_complete; }

    std::string_view method() const { return view(0, req_.method_len); }  // case-sensitive, e.g. "GET"
    std::string_view target() const { return view(req_.method_len, req_.target_len); }  // raw request-target
    // Path and query of the target, split at the first '?' (query empty without one). For
    // an absolute-form target ("http://host/p?q") the path is the URI's path ("/" if empty).
    std::string_view path() const;
    std::string_view query() const;
    int version_major() const { return 1; }
    int version_minor() const { return req_.version_minor; }  // 0 or 1

    size_t header_count() const { return fields_.size(); }
    HttpHeader header_at(size_t index) const;  // index < header_count(), in arrival order
    // First value of the field `name` (ASCII case-insensitive), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const;
    // Index of the next field named `name` at or after `from`, or npos: iterates the values
    // of a repeated field in order.
    size_t find_header(std::string_view name, size_t from = 0) const;
    static constexpr size_t npos = static_cast<size_t>(-1);

    // The body received so far (all of it once Done). Valid until the next feed() or reset().
    std::string_view body() const { return body_; }
    bool chunked() const { return req_.chunked; }
    std::optional<uint64_t> content_length() const;

    // Persistent connection after this request: HTTP/1.1 unless "Connection: close",
    // HTTP/1.0 only with "Connection: keep-alive". False after an error.
    bool keep_alive() const;
    // "Expect: 100-continue" on an HTTP/1.1 request (HTTP/1.0 ones must be ignored, RFC 9110 10.1.1).
    bool expects_continue() const;
    // GET, HTTP/1.1, Upgrade listing "websocket" and Connection listing "upgrade". The
    // handshake fields (Sec-WebSocket-Key, -Version) are for the handshake code to check.
    bool is_websocket_upgrade() const;

private:
    enum class State : uint8_t {
        Start, StartLf,  // empty lines before the request line
        Method, Target, Version, RequestLineLf,
        FieldStart, FieldName, ValueStart, Value, FieldLf, SectionEndLf,  // headers and trailers
        Body,  // Content-Length
        ChunkSize, ChunkSizeWs, ChunkExt, ChunkSizeLf, ChunkData, ChunkDataCr, ChunkDataLf,
        Done, Error,
    };

    // Offsets into head_.
    struct Field {
        size_t name_off;
        size_t name_len;
        size_t value_off;
        size_t value_len;
    };

    std::string_view view(size_t off, size_t len) const { return std::string_view(head_.data() + off, len); }
    Result fail(uint16_t status, const char *reason, size_t consumed);
    // Copies request line and header bytes into head_ (not trailer bytes: those are dropped).
    void store(const uint8_t *p, size_t n);
    // Splits the target into path and query once the request line is complete.
    void split_target();
    // Interprets a completed header field; returns nullptr or the reason for a 400.
    const char *note_field(std::string_view name, std::string_view value);
    const char *note_content_length(std::string_view value);
    void note_transfer_encoding(std::string_view value);
    // Decides the body framing at the end of the header section (status 0: accepted).
    HttpParseError finish_head();

    HttpParserLimits limits_;
    State state_ = State::Start;
    HttpParseError error_;
    std::string head_;  // method, target, then each field's name and value, back to back
    std::vector<Field> fields_;
    std::string body_;

    // Where the parser is inside the current request.
    struct Cursor {
        size_t line_bytes = 0;     // request line so far
        size_t section_bytes = 0;  // header or trailer section so far
        size_t section_fields = 0;
        size_t ext_bytes = 0;  // chunk extensions in this request
        bool in_trailers = false;
        size_t name_off = 0;  // field being parsed
        size_t name_len = 0;
        size_t value_off = 0;
        size_t value_len = 0;  // up to the last non-OWS byte seen so far
        char version[8] = {};
        size_t version_len = 0;
        uint64_t body_left = 0;   // Content-Length bytes still to come
        uint64_t chunk_left = 0;  // size of the current chunk, then what is left of it
        unsigned chunk_digits = 0;
    };

    // What the request says.
    struct Request {
        bool headers_complete = false;
        size_t method_len = 0;
        size_t target_len = 0;
        size_t path_off = 0;  // relative to the target
        size_t path_len = 0;
        size_t query_off = 0;
        size_t query_len = 0;
        bool path_is_root = false;  // absolute-form target with an empty path
        int version_minor = 1;
        bool has_content_length = false;
        uint64_t content_length = 0;
        bool has_transfer_encoding = false;
        unsigned te_codings = 0;
        unsigned te_chunked = 0;
        bool te_chunked_last = false;
        bool te_unknown = false;
        bool chunked = false;
        bool has_host = false;
        bool connection_close = false;
        bool connection_keep_alive = false;
        bool connection_upgrade = false;
        bool upgrade_websocket = false;
        bool expect_continue = false;
    };

    Cursor cur_;
    Request req_;
};

}  // namespace wsserver
