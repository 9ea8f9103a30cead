#include "core/ipc/process_messages.h"

#include <cstdio>
#include <cstring>

#include "core/http/http_tokens.h"

namespace wsserver {

namespace {

class Writer {
public:
    explicit Writer(std::string &out) : out_(out) {}
    template <typename T>
    void num(T v) {
        out_.append(reinterpret_cast<const char *>(&v), sizeof v);
    }
    void str(std::string_view s) {
        num(static_cast<uint32_t>(s.size()));
        out_.append(s.data(), s.size());
    }

private:
    std::string &out_;
};

class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    template <typename T>
    bool num(T &v) {
        if (in_.size() < sizeof v) return false;
        std::memcpy(&v, in_.data(), sizeof v);
        in_.remove_prefix(sizeof v);
        return true;
    }
    bool str(std::string_view &s) {
        uint32_t n = 0;
        if (!num(n) || in_.size() < n) return false;
        s = in_.substr(0, n);
        in_.remove_prefix(n);
        return true;
    }
    std::string_view rest() const { return in_; }

private:
    std::string_view in_;
};

}  // namespace

std::string encode_request(const HttpParser &r) {
    // Every field as received, in arrival order, framing fields included, so the worker's
    // `header` array is the one BASE mode shows; a chunked body goes as one chunk (the
    // re-parse decodes it to the same bytes).
    std::string out;
    out.reserve(256 + r.body().size());
    out += r.method();
    out += ' ';
    out += r.target();
    out += r.version_minor() ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n";
    for (size_t i = 0; i < r.header_count(); i++) {
        HttpHeader h = r.header_at(i);
        out += h.name;
        out += ": ";
        out += h.value;
        out += "\r\n";
    }
    out += "\r\n";
    if (r.chunked()) {
        if (!r.body().empty()) {
            char size_line[24];
            int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", r.body().size());
            out.append(size_line, static_cast<size_t>(n));
            out += r.body();
            out += "\r\n";
        }
        out += "0\r\n\r\n";
    } else {
        out += r.body();
    }
    return out;
}

HttpParserLimits limits_for_encoded_request(std::string_view encoded) {
    HttpParserLimits limits;
    limits.max_request_line = encoded.size();
    limits.max_header_bytes = encoded.size();
    limits.max_headers = encoded.size();
    limits.max_body = encoded.size();
    return limits;
}

bool decode_request(std::string_view encoded, HttpParser &out) {
    HttpParser::Result r = out.feed(encoded);
    return r.status == HttpParser::Status::Done && r.consumed == encoded.size();
}

std::string encode_response(const HttpResponse &response, std::string_view body) {
    std::string out;
    Writer w(out);
    w.num(static_cast<int32_t>(response.status()));
    w.str(response.reason());
    w.num(static_cast<uint32_t>(response.headers().size()));
    for (const auto &[name, value] : response.headers()) {
        w.str(name);
        w.str(value);
    }
    out.append(body.data(), body.size());
    return out;
}

bool decode_response(std::string_view encoded, HttpResponse &response, std::string_view &body) {
    Reader r(encoded);
    int32_t status = 0;
    std::string_view reason;
    uint32_t count = 0;
    if (!r.num(status) || !r.str(reason) || !r.num(count)) return false;
    response = HttpResponse(status, reason);
    for (uint32_t i = 0; i < count; i++) {
        std::string_view name, value;
        if (!r.str(name) || !r.str(value)) return false;
        response.add_header(name, value);
    }
    body = r.rest();
    return true;
}

std::string encode_closed(const ClientInfo &c, const CloseInfo &close, bool has_close_info) {
    std::string out;
    Writer w(out);
    w.str(c.remote_ip);
    w.num(c.remote_port);
    w.num(c.server_port);
    w.num(c.connect_time_us);
    w.num(c.last_recv_time_us);
    w.num(c.last_send_time_us);
    w.num(static_cast<int32_t>(c.websocket_status));
    w.num(static_cast<uint64_t>(c.send_queued_bytes));
    w.num(static_cast<int32_t>(c.worker_id));
    w.num(static_cast<int32_t>(c.reactor_id));
    w.num(static_cast<int32_t>(c.server_fd));
    w.num(static_cast<int32_t>(c.socket_fd));
    w.num(static_cast<int32_t>(c.socket_type));
    w.num(static_cast<uint8_t>(has_close_info));
    w.num(static_cast<uint8_t>(c.closing));
    w.num(close.peer_code);
    w.num(close.sent_code);
    w.str(close.peer_reason);
    return out;
}

bool decode_closed(std::string_view encoded, ClientInfo &c, CloseInfo &close, bool &has_close_info) {
    Reader r(encoded);
    std::string_view ip, reason;
    int32_t status = 0, worker = 0, reactor = 0, server_fd = 0, socket_fd = 0, socket_type = 0;
    uint64_t queued = 0;
    uint8_t has = 0, closing = 0;
    if (!r.str(ip) || !r.num(c.remote_port) || !r.num(c.server_port) || !r.num(c.connect_time_us) ||
        !r.num(c.last_recv_time_us) || !r.num(c.last_send_time_us) || !r.num(status) || !r.num(queued) ||
        !r.num(worker) || !r.num(reactor) || !r.num(server_fd) || !r.num(socket_fd) || !r.num(socket_type) ||
        !r.num(has) || !r.num(closing) ||
        !r.num(close.peer_code) || !r.num(close.sent_code) || !r.str(reason))
        return false;
    c.remote_ip = std::string(ip);
    c.websocket_status = status;
    c.send_queued_bytes = static_cast<size_t>(queued);
    c.worker_id = worker;
    c.reactor_id = reactor;
    c.server_fd = server_fd;
    c.socket_fd = socket_fd;
    c.socket_type = socket_type;
    c.closing = closing != 0;
    has_close_info = has != 0;
    close.peer_reason = std::string(reason);
    return true;
}

}  // namespace wsserver
