#include "core/http/http_response.h"

#include <algorithm>

#include "core/http/http_tokens.h"

namespace wsserver {

std::string_view HttpResponse::standard_reason(int status) {
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

void HttpResponse::set_status(int status, std::string_view reason) {
    status_ = (status >= 100 && status <= 999) ? status : 500;
    bool clean = std::none_of(reason.begin(), reason.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
    reason_ = std::string(reason.empty() || !clean ? standard_reason(status_) : reason);
}

bool HttpResponse::add_header(std::string_view name, std::string_view value) {
    if (name.empty()) return false;
    for (char c : name)
        if (!http::is_tchar(static_cast<unsigned char>(c))) return false;
    for (char c : value)
        if (c == '\r' || c == '\n' || c == '\0') return false;
    headers_.emplace_back(std::string(name), std::string(value));
    return true;
}

bool HttpResponse::has_header(std::string_view name) const {
    return std::any_of(headers_.begin(), headers_.end(), [&](const auto &h) { return http::iequals(h.first, name); });
}

std::string build_response_head(const HttpResponse &r, Framing framing, size_t length, bool keep_alive) {
    std::string out;
    out.reserve(128);
    out += "HTTP/1.1 ";
    out += std::to_string(r.status());
    out += ' ';
    out += r.reason();
    out += "\r\n";
    for (const auto &[name, value] : r.headers()) {
        if (http::iequals(name, "Content-Length") || http::iequals(name, "Transfer-Encoding")) continue;
        if (framing != Framing::None && http::iequals(name, "Connection")) continue;
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    if (framing != Framing::None) {
        out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
        bool no_body = r.status() == 204 || r.status() == 304;
        if (!no_body && !r.has_header("Content-Type")) out += "Content-Type: text/html\r\n";
        if (framing == Framing::Length && !no_body) {
            out += "Content-Length: ";
            out += std::to_string(length);
            out += "\r\n";
        } else if (framing == Framing::Chunked) {
            out += "Transfer-Encoding: chunked\r\n";
        }
    }
    out += "\r\n";
    return out;
}

}  // namespace wsserver
