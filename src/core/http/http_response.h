// An HTTP/1.1 response head as the application sets it, and the bytes of that head once
// the server has chosen the framing. Shared by the server's HTTP front, the built-in
// WebSocket handshake (onBeforeHandShakeResponse's extra fields) and the PROCESS-mode
// hop, which carries responses from a worker to the master.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsserver {

// An HTTP response head; the server adds framing (Content-Length or chunked), Connection
// and a default Content-Type, so the binding only sets what the user set.
class HttpResponse {
public:
    explicit HttpResponse(int status = 200, std::string_view reason = {}) { set_status(status, reason); }

    // An empty reason takes the standard phrase ("OK", "Not Found", ...).
    void set_status(int status, std::string_view reason = {});
    // Appends a field. False (and nothing added) when the name is not a token or either
    // part holds CR, LF or NUL: no response splitting through user data.
    bool add_header(std::string_view name, std::string_view value);
    bool has_header(std::string_view name) const;  // ASCII case-insensitive

    int status() const { return status_; }
    const std::string &reason() const { return reason_; }
    const std::vector<std::pair<std::string, std::string>> &headers() const { return headers_; }

    static std::string_view standard_reason(int status);

private:
    int status_ = 200;
    std::string reason_;
    std::vector<std::pair<std::string, std::string>> headers_;
};

// How the body after a head is delimited. None: a head without framing fields (a 101).
enum class Framing { None, Length, Chunked, UntilClose };

// Status line and fields; the server's own fields (framing, Connection, a default
// Content-Type) are added unless the user set them. User framing fields are dropped: the
// server decides the framing. `length`: the body size with Framing::Length.
std::string build_response_head(const HttpResponse &r, Framing framing, size_t length, bool keep_alive);

}  // namespace wsserver
