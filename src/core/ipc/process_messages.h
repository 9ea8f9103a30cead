// What crosses the master <-> worker hop of SWOOLE_PROCESS besides raw message bytes: the
// HTTP request of an event (the worker rebuilds an HttpParser from it, so the binding sees
// the very same interface as in BASE mode), a response, and the state of a connection
// that closed (its client info and close codes, readable in the worker's onClose although
// the master has already released the connection).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/http/http_parser.h"
#include "core/http/http_response.h"
#include "core/ipc/session_info.h"

namespace wsserver {

// The request as canonical HTTP/1.x text: request line, every field in arrival order
// (framing fields too), the body (a chunked one as a single chunk). Re-parsing it yields
// the same method, target, version, fields and body.
std::string encode_request(const HttpParser &request);
// Parses what encode_request() produced into `out` (fresh limits sized to the text).
// False if it is not a complete request.
bool decode_request(std::string_view encoded, HttpParser &out);
// A parser whose limits fit `encoded`.
HttpParserLimits limits_for_encoded_request(std::string_view encoded);

std::string encode_response(const HttpResponse &response, std::string_view body);
bool decode_response(std::string_view encoded, HttpResponse &response, std::string_view &body);

std::string encode_closed(const ClientInfo &client, const CloseInfo &close, bool has_close_info);
bool decode_closed(std::string_view encoded, ClientInfo &client, CloseInfo &close, bool &has_close_info);

}  // namespace wsserver
