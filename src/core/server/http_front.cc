#include "core/server/http_front.h"

#include <cstdio>
#include <deque>
#include <optional>
#include <string>

#include "core/http/http_tokens.h"
#include "core/server/connection_reader.h"
#include "core/server/connection_set.h"
#include "core/server/connection_writer.h"
#include "core/server/server_parts.h"
#include "core/server/websocket_front.h"
#include "core/websocket/deflate_negotiation.h"
#include "core/websocket/websocket_handshake.h"

namespace wsserver {

namespace {

// Request header values with repeated fields joined by ", " (what HeaderLookup requires).
class JoinedHeaders {
public:
    explicit JoinedHeaders(const HttpParser &parser) : parser_(parser) {}

    std::optional<std::string_view> get(std::string_view name) {
        size_t i = parser_.find_header(name);
        if (i == HttpParser::npos) return std::nullopt;
        size_t j = parser_.find_header(name, i + 1);
        if (j == HttpParser::npos) return parser_.header_at(i).value;
        std::string &joined = store_.emplace_back(parser_.header_at(i).value);
        for (; j != HttpParser::npos; j = parser_.find_header(name, j + 1)) {
            joined += ", ";
            joined += parser_.header_at(j).value;
        }
        return std::string_view(joined);
    }
    HeaderLookup lookup() {
        return [this](std::string_view name) { return get(name); };
    }

private:
    const HttpParser &parser_;
    std::deque<std::string> store_;  // stable addresses for the joined values
};

}  // namespace

size_t HttpFront::consume(Connection &c, uint8_t *data, size_t len) {
    if (!c.http_) {
        HttpParserLimits limits;
        limits.max_header_bytes = c.protocol().http_header_max_size;
        limits.max_body = c.protocol().package_max_length;
        c.http_ = std::make_unique<HttpParser>(limits);
    } else if (c.http_->status() == HttpParser::Status::Done) {
        // The previous request was answered; it is forgotten only now, so the request a
        // callback saw stays readable until that callback returned.
        c.http_->reset();
        c.continue_sent_ = false;
    }
    HttpParser::Result r = c.http_->feed(reinterpret_cast<const char *>(data), len);
    switch (r.status) {
    case HttpParser::Status::NeedMore:
        if (!c.continue_sent_ && c.http_->headers_complete() && c.http_->expects_continue()) {
            static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
            c.continue_sent_ = true;
            writer_.write(c, nullptr, 0, kContinue, sizeof kContinue - 1);
        }
        return len;
    case HttpParser::Status::Error:
        send_http_error(c, c.http_->error().status);
        return len;
    case HttpParser::Status::Done:
        dispatch_request(c);
        return r.consumed;
    }
    return len;
}

void HttpFront::dispatch_request(Connection &c) {
    if (c.timer_) {  // the handshake timeout guards only the first request
        ctx_.loop().clear_timer(c.timer_);
        c.timer_ = 0;
    }
    const HttpParser &req = *c.http_;
    JoinedHeaders headers(req);
    c.head_request_ = req.method() == "HEAD";
    if (is_websocket_upgrade(headers.lookup())) {
        c.ws_status_ = websocket_status::kConnection;
        if (c.protocol().user_handshake) {
            c.phase_ = Phase::HttpWaiting;
            c.upgrade_pending_ = true;
            c.ws_status_ = websocket_status::kHandshake;  // while onHandShake answers it
            connections_.publish_status(c);
            ctx_.events.on_handshake(c.id_, req);
        } else {
            complete_builtin_handshake(c, nullptr);
        }
        return;
    }
    if (!c.protocol().has_request_handler) {
        send_http_error(c, 400);
        return;
    }
    c.phase_ = Phase::HttpWaiting;
    ctx_.counters.requests++;
    ctx_.events.on_request(c.id_, req);
}

void HttpFront::resume_handshake(Connection &c, const HttpResponse &extra) {
    if (c.phase_ == Phase::HttpWaiting && c.upgrade_pending_ && c.http_) complete_builtin_handshake(c, &extra);
}

void HttpFront::complete_builtin_handshake(Connection &c, const HttpResponse *extra) {
    const HttpParser &req = *c.http_;
    JoinedHeaders headers(req);
    HandshakeRequest hr;
    hr.method = req.method();
    hr.http_minor = req.version_minor();
    hr.header = headers.lookup();
    HandshakeSettings settings;
    settings.deflate.enabled = c.protocol().websocket_compression;
    settings.subprotocol = c.protocol().websocket_subprotocol;
    HandshakeResponse resp = validate_handshake(hr, settings);
    HttpResponse own_extra(101);  // outlives `resp`'s views of its field names
    if (resp.accepted() && c.protocol().has_before_handshake_response && !extra) {
        c.ws_status_ = websocket_status::kActive;  // Swoole marks it before this callback
        if (ctx_.config.defer_before_handshake) {
            // The callback runs in a worker; its HandshakeExtra resumes here.
            c.phase_ = Phase::HttpWaiting;
            c.upgrade_pending_ = true;
            connections_.publish_status(c);
            ctx_.events.on_before_handshake_response(c.id_, req, own_extra);
            return;
        }
        connections_.publish_status(c);
        ctx_.events.on_before_handshake_response(c.id_, req, own_extra);
        if (c.phase_ != Phase::Http) return;  // the callback closed it
        extra = &own_extra;
    }
    if (extra) {
        for (const auto &[name, value] : extra->headers()) {
            bool reserved = false;
            for (const auto &own : resp.headers) reserved = reserved || http::iequals(own.first, name);
            if (!reserved && !http::iequals(name, "Content-Length") && !http::iequals(name, "Transfer-Encoding"))
                resp.headers.emplace_back(name, value);
        }
    }
    std::string bytes = serialize_handshake_response(resp);
    if (!resp.accepted()) {
        c.phase_ = Phase::Draining;
        writer_.write_owned(c, std::move(bytes));
        if (c.phase_ != Phase::Closed) connections_.drain_and_close(c);
        return;
    }
    if (!writer_.write_owned(c, std::move(bytes))) return;
    const bool deferred = c.phase_ == Phase::HttpWaiting;
    websocket_.start(c, resp.deflate ? &*resp.deflate : nullptr);
    ctx_.events.on_open(c.id_, req);
    if (deferred) {
        reader_.schedule_resume(c);  // frames read ahead while the worker answered; frees the parser
    } else {
        c.http_.reset();
    }
}

bool HttpFront::respond(Connection &c, const HttpResponse &response, std::string_view body) {
    if (c.phase_ != Phase::HttpWaiting)
        return ctx_.fail(ServerError::HttpContextUnavailable, "no request awaits a response");
    if (response.status() == 101) {
        if (!c.upgrade_pending_)
            return ctx_.fail(ServerError::HttpContextUnavailable, "101 answers only an upgrade request");
        HttpResponse r = response;
        std::optional<DeflateAgreement> deflate;
        if (c.protocol().websocket_compression && !r.has_header("Sec-WebSocket-Extensions")) {
            JoinedHeaders headers(*c.http_);
            DeflateSettings ds;
            ds.enabled = true;
            deflate = negotiate_permessage_deflate(headers.get("Sec-WebSocket-Extensions").value_or(""), ds);
            if (deflate) r.add_header("Sec-WebSocket-Extensions", deflate->response);
        }
        if (!writer_.write_owned(c, build_response_head(r, Framing::None, 0, true))) return true;  // connection lost
        websocket_.start(c, deflate ? &deflate->params : nullptr);
        reader_.schedule_resume(c);  // frames read ahead with the request; frees the parser
        return true;
    }
    // An upgrade request answered otherwise is refused: the connection closes after it.
    bool keep_alive = c.http_->keep_alive() && !c.upgrade_pending_ && !ctx_.stopping;
    std::string head = build_response_head(response, Framing::Length, body.size(), keep_alive);
    bool no_body = c.head_request_ || response.status() == 204 || response.status() == 304;
    if (no_body) body = {};
    // The cap does not apply to a response: queue it whole rather than lose it.
    const void *h = head.data(), *b = body.data();
    size_t hl = head.size(), bl = body.size();
    std::string sealed;
    if (!writer_.seal(c, h, hl, b, bl, sealed)) return true;  // the TLS session failed: closed
    ctx_.counters.send_bytes += hl + bl;
    if (!c.out_.empty() || !writer_.write_bytes(c, h, hl, b, bl)) {
        if (c.phase_ == Phase::Closed) return true;
        c.out_.enqueue_uncapped(h, hl);
        c.out_.enqueue_uncapped(b, bl);
        writer_.update_interest(c);
    }
    if (c.phase_ == Phase::Closed) return true;
    finish_http_response(c, keep_alive);
    return true;
}

void HttpFront::finish_http_response(Connection &c, bool keep_alive) {
    c.upgrade_pending_ = false;
    if (!keep_alive || ctx_.stopping) {
        connections_.drain_and_close(c);
        return;
    }
    c.phase_ = Phase::Http;  // the parser is reset when the next request's bytes arrive
    writer_.update_interest(c);
    reader_.schedule_resume(c);
}

bool HttpFront::respond_head(Connection &c, const HttpResponse &response) {
    if (c.phase_ != Phase::HttpWaiting || c.upgrade_pending_ || response.status() < 200)
        return ctx_.fail(ServerError::HttpContextUnavailable, "no request awaits a streamed response");
    c.chunked_ = c.http_->version_minor() >= 1;
    c.keep_alive_ = c.chunked_ && c.http_->keep_alive() && !ctx_.stopping;
    std::string head =
        build_response_head(response, c.chunked_ ? Framing::Chunked : Framing::UntilClose, 0, c.keep_alive_);
    c.phase_ = Phase::HttpStreaming;
    if (!writer_.write_owned(c, std::move(head)) && c.phase_ != Phase::Closed)
        return ctx_.fail(ServerError::OutputBufferOverflow, "output buffer overflow");
    return true;
}

bool HttpFront::write_chunk(Connection &c, std::string_view data) {
    if (data.empty() || c.head_request_) return true;  // an empty chunk would end the body
    if (!c.chunked_) return writer_.write(c, nullptr, 0, data.data(), data.size());
    char size_line[24];
    int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
    if (!writer_.write(c, size_line, static_cast<size_t>(n), data.data(), data.size())) return false;
    return writer_.write(c, nullptr, 0, "\r\n", 2);
}

bool HttpFront::write_body(Connection &c, std::string_view data) {
    if (c.phase_ != Phase::HttpStreaming) return ctx_.fail(ServerError::HttpContextUnavailable, "no streamed response");
    if (!write_chunk(c, data)) return ctx_.fail(ServerError::OutputBufferOverflow, "output buffer overflow");
    return true;
}

bool HttpFront::end_body(Connection &c, std::string_view data) {
    if (c.phase_ != Phase::HttpStreaming) return ctx_.fail(ServerError::HttpContextUnavailable, "no streamed response");
    if (!write_chunk(c, data)) return ctx_.fail(ServerError::OutputBufferOverflow, "output buffer overflow");
    if (c.chunked_ && !c.head_request_) {
        static const char kLastChunk[] = "0\r\n\r\n";
        writer_.write_control(c, kLastChunk, sizeof kLastChunk - 1);  // past the cap: the body must end
        if (c.phase_ == Phase::Closed) return true;
    }
    finish_http_response(c, c.keep_alive_);
    return true;
}

void HttpFront::send_http_error(Connection &c, int status) {
    HttpResponse r(status);
    c.phase_ = Phase::Draining;
    writer_.write_owned(c, build_response_head(r, Framing::Length, 0, false));
    if (c.phase_ != Phase::Closed) connections_.drain_and_close(c);
}

}  // namespace wsserver
