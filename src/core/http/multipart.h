// multipart/form-data (RFC 7578 on top of RFC 2046 5.1): the boundary from a Content-Type
// value, the parts of a complete body, and the temporary files uploads are saved to.
//
// The parser works on a whole body (the HTTP parser hands the application complete
// requests, bounded by package_max_length). It copies no content: each part's body is a
// string_view into the caller's buffer. Only the few header fields a form needs are kept
// (Content-Disposition name/filename, Content-Type), the rest are checked and skipped.
//
// Rules:
// - A preamble before the first delimiter and an epilogue after the close delimiter are
//   ignored (RFC 2046). The first delimiter may open the body without a CRLF before it.
// - A delimiter is CRLF "--" boundary followed by "--" (the close delimiter) or by optional
//   spaces/tabs (transport padding) and CRLF. "--boundary" followed by anything else is
//   content, not a delimiter.
// - Part header lines end in CRLF; a bare LF, obs-fold, a name that is not a token, a
//   control character in a value, or an unterminated quoted-string is an error.
// - A body without a close delimiter is an error (Unterminated), as is going over a
//   limit. Every error rejects the whole body: no part is returned.
// - Content-Disposition: its type ("form-data"; "attachment" is accepted too) and the
//   parameters name and filename. Values are tokens or quoted-strings; inside quotes a
//   backslash escapes '"' and '\' (PHP's rule), any other backslash stays (Windows paths).
//   Parameter names compare case-insensitively; the first occurrence wins; filename* (RFC
//   5987) is not decoded (RFC 7578 4.2 says senders must not use it).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/syscall.h"

namespace wsserver {

struct MultipartLimits {
    size_t max_parts = 1024;             // parts in one body
    size_t max_part_header_bytes = 16 * 1024;  // one part's header section, CRLFs included
    size_t max_part_headers = 32;        // field lines in one part's header section
};

struct MultipartPart {
    // Content-Disposition "name"; nullopt when the part has no Content-Disposition, a
    // type other than form-data/attachment, or no name parameter (PHP skips such parts).
    std::optional<std::string> name;
    // "filename", possibly empty (a file input left empty); nullopt: a plain field.
    std::optional<std::string> filename;
    std::string_view content_type;  // the part's Content-Type value, empty if absent
    std::string_view body;          // into the input
};

enum class MultipartError {
    None,
    NoDelimiter,     // no "--boundary" line in the body
    BadBoundary,     // empty, longer than kMaxBoundaryLength, or holding CR/LF/NUL
    BadPartHeader,   // a malformed header line in a part
    PartHeaderTooLarge,
    TooManyPartHeaders,
    TooManyParts,
    Unterminated,    // the body ends before the close delimiter
};

constexpr size_t kMaxBoundaryLength = 256;  // RFC 2046 says 70; be lenient, but bounded

const char *multipart_error_message(MultipartError e);

// Whether a Content-Type value is multipart/form-data (the media type, case-insensitive).
bool is_multipart_form_data(std::string_view content_type);

// The boundary parameter of a Content-Type value (quoted or not), without the quotes.
// nullopt when missing, empty, or malformed.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// Parses a whole body into `parts` (cleared first). On error `parts` is left empty.
MultipartError parse_multipart(std::string_view body, std::string_view boundary, std::vector<MultipartPart> &parts,
                               const MultipartLimits &limits = MultipartLimits{});

// An uploaded file saved by save_upload_file(). On success `path` is set and error.code
// is 0. `created` tells the two failures apart as PHP's $_FILES does: false, no file
// could be created in the directory (UPLOAD_ERR_NO_TMP_DIR); true with an error, the
// write failed and the file was removed again (UPLOAD_ERR_CANT_WRITE).
struct SavedUpload {
    std::string path;
    bool created = false;
    SysError error;
};

// Writes `data` to a new file "<dir>/swoole.upfile.XXXXXX" (Swoole's name pattern; mkstemp:
// mode 0600, a name no one else has), creating `dir` and its parents (mode 0700) when
// missing.
SavedUpload save_upload_file(const std::string &dir, std::string_view data);

}  // namespace wsserver
