// Fuzz target: multipart_boundary() and parse_multipart() on arbitrary input. Every result
// must respect the contract of multipart.h: bodies are views into the input, in order and
// without overlap; no part body hides a real delimiter; names and types hold no CR/LF/NUL;
// an error leaves no part; limits hold; the same input always gives the same result; and
// the parts, written out again with the same boundary, parse back to the same parts.
//
// Input: byte 0 picks the limits; then a Content-Type value up to the first '\n'; the rest
// is the body. When the Content-Type has no usable boundary, the value itself (or "b") is
// tried as the boundary, so invalid boundaries reach the parser too.
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/multipart.h"
#include "fuzz_common.h"

using namespace wsserver;

namespace {

bool clean(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Whether "--boundary" ends at `pos` in `in` with a valid delimiter tail after it.
bool valid_tail(std::string_view in, size_t pos) {
    if (in.substr(pos, 2) == "--") return true;
    while (pos < in.size() && (in[pos] == ' ' || in[pos] == '\t')) pos++;
    return in.substr(pos, 2) == "\r\n";
}

std::string quote(const std::string &s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

bool same(const std::vector<MultipartPart> &a, const std::vector<MultipartPart> &b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); i++) {
        if (a[i].name != b[i].name || a[i].filename != b[i].filename || a[i].content_type != b[i].content_type ||
            a[i].body != b[i].body) {
            return false;
        }
    }
    return true;
}

void check(std::string_view body, std::string_view boundary, const MultipartLimits &l) {
    std::vector<MultipartPart> parts;
    const MultipartError e = parse_multipart(body, boundary, parts, l);
    FUZZ_CHECK(std::strcmp(multipart_error_message(e), "unknown error") != 0, "no message for %d", int(e));
    if (e != MultipartError::None) {
        FUZZ_CHECK(parts.empty(), "%zu parts after error %d", parts.size(), int(e));
        return;
    }
    FUZZ_CHECK(!boundary.empty() && boundary.size() <= kMaxBoundaryLength && clean(boundary), "bad boundary accepted");
    FUZZ_CHECK(parts.size() <= l.max_parts, "%zu parts, limit %zu", parts.size(), l.max_parts);

    const std::string delimiter = "\r\n--" + std::string(boundary);
    const char *prev_end = body.data();
    bool delimiter_inside = false;
    for (const MultipartPart &p : parts) {
        FUZZ_CHECK(p.body.data() >= prev_end && p.body.data() + p.body.size() <= body.data() + body.size(),
                   "part body outside the input or overlapping");
        prev_end = p.body.data() + p.body.size();
        const size_t end = static_cast<size_t>(prev_end - body.data());
        FUZZ_CHECK(body.substr(end, delimiter.size()) == delimiter, "part body not followed by the delimiter");
        FUZZ_CHECK(valid_tail(body, end + delimiter.size()), "part body followed by an invalid delimiter");
        for (size_t at = p.body.find(delimiter); at != std::string_view::npos; at = p.body.find(delimiter, at + 1)) {
            const size_t abs = static_cast<size_t>(p.body.data() - body.data()) + at;
            FUZZ_CHECK(!valid_tail(body, abs + delimiter.size()), "a real delimiter inside a part body");
            delimiter_inside = true;
        }
        FUZZ_CHECK(!p.name || clean(*p.name), "CR/LF/NUL in a name");
        FUZZ_CHECK(!p.filename || clean(*p.filename), "CR/LF/NUL in a filename");
        FUZZ_CHECK(clean(p.content_type), "CR/LF/NUL in a content type");
        FUZZ_CHECK(p.content_type.empty() ||
                       (p.content_type.front() != ' ' && p.content_type.front() != '\t' &&
                        p.content_type.back() != ' ' && p.content_type.back() != '\t'),
                   "untrimmed content type");
        FUZZ_CHECK(p.content_type.empty() ||
                       (p.content_type.data() >= body.data() &&
                        p.content_type.data() + p.content_type.size() <= body.data() + body.size()),
                   "content type outside the input");
    }

    std::vector<MultipartPart> again;
    FUZZ_CHECK(parse_multipart(body, boundary, again, l) == MultipartError::None && same(parts, again),
               "not deterministic");

    // Round trip, when no part body holds even a near-delimiter (which the new context
    // could complete into a real one).
    if (delimiter_inside) return;
    std::string out;
    for (const MultipartPart &p : parts) {
        out += "--" + std::string(boundary) + "\r\n";
        if (p.name || p.filename) {
            out += "Content-Disposition: form-data";
            if (p.name) out += "; name=" + quote(*p.name);
            if (p.filename) out += "; filename=" + quote(*p.filename);
            out += "\r\n";
        }
        if (!p.content_type.empty()) out += "Content-Type: " + std::string(p.content_type) + "\r\n";
        out += "\r\n";
        out += p.body;
        out += "\r\n";
    }
    out += "--" + std::string(boundary) + "--";
    MultipartLimits loose = l;
    loose.max_part_header_bytes = out.size() + 1;
    std::vector<MultipartPart> back;
    const MultipartError e2 = parse_multipart(out, boundary, back, loose);
    FUZZ_CHECK(e2 == MultipartError::None, "round trip fails: %s", multipart_error_message(e2));
    FUZZ_CHECK(back.size() == parts.size(), "round trip: %zu parts vs %zu", back.size(), parts.size());
    for (size_t i = 0; i < parts.size(); i++) {
        // Parts without a form-data name lose it on the way out; a part with only a
        // filename keeps both.
        FUZZ_CHECK(back[i].body == parts[i].body, "round trip: body %zu differs", i);
        FUZZ_CHECK(back[i].content_type == parts[i].content_type, "round trip: type %zu differs", i);
        FUZZ_CHECK(back[i].name == parts[i].name && back[i].filename == parts[i].filename,
                   "round trip: names of part %zu differ", i);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const uint8_t opt = data[0];
    const std::string_view rest(reinterpret_cast<const char *>(data + 1), size - 1);
    const size_t nl = rest.find('\n');
    const std::string_view content_type = rest.substr(0, nl);
    const std::string_view body = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);

    static const size_t kParts[4] = {1024, 0, 1, 5};
    static const size_t kHeaderBytes[4] = {16 * 1024, 0, 2, 60};
    static const size_t kHeaders[4] = {32, 0, 1, 3};
    MultipartLimits l;
    l.max_parts = kParts[opt & 3];
    l.max_part_header_bytes = kHeaderBytes[(opt >> 2) & 3];
    l.max_part_headers = kHeaders[(opt >> 4) & 3];

    (void)is_multipart_form_data(content_type);
    const std::optional<std::string> boundary = multipart_boundary(content_type);
    if (boundary) {
        FUZZ_CHECK(!boundary->empty() && boundary->size() <= kMaxBoundaryLength && clean(*boundary),
                   "bad boundary from the Content-Type");
        check(body, *boundary, l);
    } else {
        check(body, (opt & 0x40) ? content_type : std::string_view("b"), l);
    }
    return 0;
}
