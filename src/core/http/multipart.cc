#include "core/http/multipart.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>

#include "core/http/http_tokens.h"

namespace wsserver {

namespace {

using http::iequals;
using http::is_ows;
using http::is_tchar;
using http::trim_ows;

constexpr std::string_view kCrlf("\r\n", 2);

// A field-value byte: HTAB, visible ASCII, SP, obs-text. No CR, LF, NUL, DEL...
bool is_value_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
}

// Parses `type *( OWS ";" OWS [ name [ OWS "=" OWS value ] ] )` where value is a token-ish
// run up to the next ';' (trimmed) or a quoted-string. Calls f(name, value) for each
// parameter that has a value. False when malformed (a stray character where a parameter
// name should be, "=value" without a name, an unterminated quoted-string, text after a
// closing quote). Every iteration moves forward, so the loop ends.
template <class F>
bool parse_params(std::string_view v, std::string_view &type, F &&f) {
    const size_t semi = v.find(';');
    type = trim_ows(v.substr(0, semi));
    if (semi == std::string_view::npos) return true;
    const size_t n = v.size();
    size_t i = semi + 1;
    while (i < n) {
        while (i < n && is_ows(v[i])) i++;
        if (i >= n) break;
        if (v[i] == ';') {  // an empty parameter ("a=1;;b=2", a trailing ';')
            i++;
            continue;
        }
        const size_t name_start = i;
        while (i < n && is_tchar(static_cast<unsigned char>(v[i]))) i++;
        const std::string_view name = v.substr(name_start, i - name_start);
        while (i < n && is_ows(v[i])) i++;
        if (i >= n || v[i] != '=') {
            if (name.empty()) return false;  // neither a name nor ';' nor '='
            if (i < n && v[i] != ';') return false;
            continue;  // a parameter without a value: ignored
        }
        if (name.empty()) return false;
        i++;  // '='
        while (i < n && is_ows(v[i])) i++;
        std::string value;
        if (i < n && v[i] == '"') {
            i++;
            bool closed = false;
            while (i < n) {
                const char c = v[i];
                if (c == '\\' && i + 1 < n && (v[i + 1] == '"' || v[i + 1] == '\\')) {
                    value.push_back(v[i + 1]);
                    i += 2;
                } else if (c == '"') {
                    closed = true;
                    i++;
                    break;
                } else {
                    value.push_back(c);
                    i++;
                }
            }
            if (!closed) return false;
            while (i < n && is_ows(v[i])) i++;
            if (i < n && v[i] != ';') return false;
        } else {
            size_t end = v.find(';', i);
            if (end == std::string_view::npos) end = n;
            value = std::string(trim_ows(v.substr(i, end - i)));
            i = end;
        }
        f(name, std::move(value));
    }
    return true;
}

class Parser {
public:
    Parser(std::string_view body, std::string_view boundary, const MultipartLimits &limits)
        : body_(body),
          boundary_(boundary),
          delimiter_("\r\n--" + std::string(boundary)),
          searcher_(delimiter_.cbegin(), delimiter_.cend()),
          limits_(limits) {}

    MultipartError run(std::vector<MultipartPart> &parts) {
        bool close = false;
        size_t after = 0;
        // The first delimiter may open the body; otherwise a preamble comes first.
        const bool at_start = body_.size() >= 2 + boundary_.size() && body_.substr(0, 2) == "--" &&
                              body_.substr(2, boundary_.size()) == boundary_ &&
                              delimiter_tail(2 + boundary_.size(), close, after);
        if (!at_start && next_delimiter(0, close, after) == std::string_view::npos) {
            return MultipartError::NoDelimiter;
        }
        while (!close) {
            if (parts.size() >= limits_.max_parts) return MultipartError::TooManyParts;
            MultipartPart part;
            size_t pos = after;
            const MultipartError e = headers(pos, part);
            if (e != MultipartError::None) return e;
            const size_t end = next_delimiter(pos, close, after);
            if (end == std::string_view::npos) return MultipartError::Unterminated;
            part.body = body_.substr(pos, end - pos);
            parts.push_back(std::move(part));
        }
        return MultipartError::None;
    }

private:
    // After "--boundary" at `pos`: "--" (close) or transport padding and CRLF. Sets
    // `after` to the first byte past it; false when this is not a delimiter.
    bool delimiter_tail(size_t pos, bool &close, size_t &after) const {
        if (body_.substr(pos, 2) == "--") {
            close = true;
            after = pos + 2;
            return true;
        }
        while (pos < body_.size() && is_ows(body_[pos])) pos++;
        if (body_.substr(pos, 2) != kCrlf) return false;
        close = false;
        after = pos + 2;
        return true;
    }

    // The offset of the next delimiter's CRLF at or after `from`, npos if none. A CRLF
    // "--boundary" that is not followed by a valid tail is content: the search goes on
    // after its first byte. Occurrences cannot overlap (the only CR of the pattern is its
    // first byte, and a boundary holds no CR), so the whole body is scanned about once.
    size_t next_delimiter(size_t from, bool &close, size_t &after) const {
        while (from <= body_.size()) {
            const auto it = std::search(body_.begin() + from, body_.end(), searcher_);
            if (it == body_.end()) return std::string_view::npos;
            const auto at = static_cast<size_t>(it - body_.begin());
            if (delimiter_tail(at + delimiter_.size(), close, after)) return at;
            from = at + 1;
        }
        return std::string_view::npos;
    }

    // Reads one part's header section starting at `pos`, leaves `pos` at its body.
    MultipartError headers(size_t &pos, MultipartPart &part) const {
        const size_t start = pos;
        const std::string_view window = body_.substr(start, limits_.max_part_header_bytes);
        size_t count = 0;
        bool seen_disposition = false;
        bool seen_type = false;
        for (;;) {
            const size_t rel = pos - start;
            const size_t eol = window.find(kCrlf, rel);
            if (eol == std::string_view::npos) {
                // Either the section is cut by the window (too large) or the body ends.
                return window.size() < body_.size() - start ? MultipartError::PartHeaderTooLarge
                                                            : MultipartError::Unterminated;
            }
            const std::string_view line = window.substr(rel, eol - rel);
            pos = start + eol + 2;
            if (line.empty()) return MultipartError::None;
            if (++count > limits_.max_part_headers) return MultipartError::TooManyPartHeaders;
            const size_t colon = line.find(':');
            if (colon == 0 || colon == std::string_view::npos) return MultipartError::BadPartHeader;
            const std::string_view name = line.substr(0, colon);
            for (char c : name) {
                if (!is_tchar(static_cast<unsigned char>(c))) return MultipartError::BadPartHeader;
            }
            const std::string_view value = trim_ows(line.substr(colon + 1));
            for (char c : value) {
                if (!is_value_byte(c)) return MultipartError::BadPartHeader;
            }
            if (iequals(name, "Content-Disposition")) {
                // Two of them would let two readers see two different names.
                if (seen_disposition) return MultipartError::BadPartHeader;
                seen_disposition = true;
                if (!disposition(value, part)) return MultipartError::BadPartHeader;
            } else if (iequals(name, "Content-Type")) {
                if (seen_type) return MultipartError::BadPartHeader;
                seen_type = true;
                part.content_type = value;
            }
        }
    }

    static bool disposition(std::string_view value, MultipartPart &part) {
        std::optional<std::string> name;
        std::optional<std::string> filename;
        std::string_view type;
        const bool ok = parse_params(value, type, [&](std::string_view key, std::string v) {
            if (iequals(key, "name")) {
                if (!name) name = std::move(v);
            } else if (iequals(key, "filename")) {
                if (!filename) filename = std::move(v);
            }
        });
        if (!ok) return false;
        if (iequals(type, "form-data") || iequals(type, "attachment")) {
            part.name = std::move(name);
            part.filename = std::move(filename);
        }
        return true;
    }

    std::string_view body_;
    std::string_view boundary_;
    std::string delimiter_;  // CRLF "--" boundary
    std::boyer_moore_searcher<std::string::const_iterator> searcher_;
    const MultipartLimits &limits_;
};

// mkdir -p: each missing component with mode 0700 (uploads are private). Bounded by the
// number of '/' in the path.
void make_directories(const std::string &dir) {
    for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
        const std::string prefix = dir.substr(0, slash);
        if (!prefix.empty()) ::mkdir(prefix.c_str(), 0700);  // EEXIST and the rest: mkstemp will tell
        if (slash == std::string::npos) return;
    }
}

}  // namespace

const char *multipart_error_message(MultipartError e) {
    switch (e) {
    case MultipartError::None: return "no error";
    case MultipartError::NoDelimiter: return "no boundary delimiter in the body";
    case MultipartError::BadBoundary: return "invalid boundary";
    case MultipartError::BadPartHeader: return "malformed part header";
    case MultipartError::PartHeaderTooLarge: return "part header section too large";
    case MultipartError::TooManyPartHeaders: return "too many part header fields";
    case MultipartError::TooManyParts: return "too many parts";
    case MultipartError::Unterminated: return "body ends before the close delimiter";
    }
    return "unknown error";
}

bool is_multipart_form_data(std::string_view content_type) {
    return iequals(trim_ows(content_type.substr(0, content_type.find(';'))), "multipart/form-data");
}

std::optional<std::string> multipart_boundary(std::string_view content_type) {
    std::optional<std::string> boundary;
    std::string_view type;
    const bool ok = parse_params(content_type, type, [&](std::string_view key, std::string v) {
        if (!boundary && iequals(key, "boundary")) boundary = std::move(v);
    });
    if (!ok || !boundary || boundary->empty() || boundary->size() > kMaxBoundaryLength) return std::nullopt;
    for (char c : *boundary) {
        if (c == '\r' || c == '\n' || c == '\0') return std::nullopt;
    }
    return boundary;
}

MultipartError parse_multipart(std::string_view body, std::string_view boundary, std::vector<MultipartPart> &parts,
                               const MultipartLimits &limits) {
    parts.clear();
    if (boundary.empty() || boundary.size() > kMaxBoundaryLength ||
        boundary.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
        return MultipartError::BadBoundary;
    }
    Parser parser(body, boundary, limits);
    const MultipartError e = parser.run(parts);
    if (e != MultipartError::None) parts.clear();
    return e;
}

SavedUpload save_upload_file(const std::string &dir, std::string_view data) {
    SavedUpload out;
    std::string path = dir.empty() ? std::string(".") : dir;
    if (path.back() != '/') path.push_back('/');
    path += "swoole.upfile.XXXXXX";
    std::vector<char> name(path.begin(), path.end());
    name.push_back('\0');
    int fd = ::mkstemp(name.data());
    if (fd < 0 && errno == ENOENT) {
        make_directories(dir);
        std::copy(path.begin(), path.end(), name.begin());  // mkstemp may have touched the Xs
        fd = ::mkstemp(name.data());
    }
    if (fd < 0) {
        out.error = SysError::from_errno(errno, "mkstemp(" + path + ")");
        return out;
    }
    UniqueFd file(fd);
    out.created = true;
    out.path.assign(name.data(), name.size() - 1);
    while (!data.empty()) {  // every pass writes at least one byte or fails (EINTR retries)
        const ssize_t n = ::write(file.get(), data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            out.error = SysError::from_errno(n < 0 ? errno : EIO, "write(" + out.path + ")");
            ::unlink(out.path.c_str());
            out.path.clear();
            return out;
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return out;
}

}  // namespace wsserver
