// Tests for src/core/http/multipart.h: the boundary parameter, part headers and bodies, what
// counts as a delimiter, every way a body is rejected, the limits at their exact
// boundaries, and the temporary files of save_upload_file().
#include "core/http/multipart.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace wsserver;

namespace {

// One part of a body the tests build: the header lines as given, then the content.
struct Spec {
    std::vector<std::string> headers;
    std::string content;
};

std::string body_of(const std::string &boundary, const std::vector<Spec> &parts, const std::string &preamble = "",
                    const std::string &epilogue = "") {
    std::string out = preamble;
    if (!preamble.empty()) out += "\r\n";
    for (const Spec &p : parts) {
        out += "--" + boundary + "\r\n";
        for (const std::string &h : p.headers) out += h + "\r\n";
        out += "\r\n" + p.content + "\r\n";
    }
    out += "--" + boundary + "--" + epilogue;
    return out;
}

std::vector<MultipartPart> parse_ok(std::string_view body, std::string_view boundary,
                                    const MultipartLimits &limits = MultipartLimits{}) {
    std::vector<MultipartPart> parts;
    const MultipartError e = parse_multipart(body, boundary, parts, limits);
    EXPECT_EQ(e, MultipartError::None) << multipart_error_message(e);
    return parts;
}

MultipartError parse_err(std::string_view body, std::string_view boundary,
                         const MultipartLimits &limits = MultipartLimits{}) {
    std::vector<MultipartPart> parts;
    parts.push_back(MultipartPart{});  // must be cleared
    const MultipartError e = parse_multipart(body, boundary, parts, limits);
    if (e != MultipartError::None) {
        EXPECT_TRUE(parts.empty());
    }
    return e;
}

bool inside(std::string_view whole, std::string_view part) {
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A private directory under $TMPDIR (or /tmp), removed with its files at the end.
class TempDir {
public:
    TempDir() {
        const char *base = std::getenv("TMPDIR");
        std::string tmpl = std::string(base && *base ? base : "/tmp") + "/wsserver_mp_XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data())) path_ = buf.data();
    }
    ~TempDir() {
        if (!path_.empty()) {
            const std::string cmd = "rm -rf '" + path_ + "'";
            (void)std::system(cmd.c_str());
        }
    }
    const std::string &path() const { return path_; }

private:
    std::string path_;
};

// ---------------------------------------------------------------- boundary

TEST(MultipartBoundary, TokenQuotedAndOtherParameters) {
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc"), "abc");
    EXPECT_EQ(multipart_boundary("multipart/form-data;boundary=abc"), "abc");
    EXPECT_EQ(multipart_boundary("multipart/form-data; BOUNDARY=abc"), "abc");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"a b;c\""), "a b;c");
    EXPECT_EQ(multipart_boundary("multipart/form-data; charset=utf-8; boundary=xyz"), "xyz");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=xyz; charset=utf-8"), "xyz");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary = xyz "), "xyz");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"),
              "----WebKitFormBoundary7MA4YWxkTrZu0gW");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=a; boundary=b"), "a");  // first wins
}

TEST(MultipartBoundary, MissingEmptyOrMalformed) {
    EXPECT_EQ(multipart_boundary("multipart/form-data"), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data;"), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; charset=utf-8"), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary="), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"\""), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"abc"), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"abc\"x"), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; =abc"), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + std::string(kMaxBoundaryLength + 1, 'a')),
              std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + std::string(kMaxBoundaryLength, 'a')),
              std::string(kMaxBoundaryLength, 'a'));
}

TEST(MultipartBoundary, MediaType) {
    EXPECT_TRUE(is_multipart_form_data("multipart/form-data"));
    EXPECT_TRUE(is_multipart_form_data("Multipart/Form-Data; boundary=x"));
    EXPECT_TRUE(is_multipart_form_data(" multipart/form-data ;boundary=x"));
    EXPECT_FALSE(is_multipart_form_data("multipart/mixed; boundary=x"));
    EXPECT_FALSE(is_multipart_form_data("multipart/form-datax"));
    EXPECT_FALSE(is_multipart_form_data("application/x-www-form-urlencoded"));
    EXPECT_FALSE(is_multipart_form_data(""));
}

// ---------------------------------------------------------------- parts

TEST(MultipartParse, FieldsAndFilesAsBrowsersSendThem) {
    const std::string body = body_of(
        "XyZ", {
                   {{"Content-Disposition: form-data; name=\"title\""}, "hello world"},
                   {{"Content-Disposition: form-data; name=\"up\"; filename=\"a.txt\"", "Content-Type: text/plain"},
                    "line1\r\nline2"},
                   {{"Content-Disposition: form-data; name=\"empty\"; filename=\"\"",
                     "Content-Type: application/octet-stream"},
                    ""},
               });
    const auto parts = parse_ok(body, "XyZ");
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[0].name, "title");
    EXPECT_EQ(parts[0].filename, std::nullopt);
    EXPECT_EQ(parts[0].content_type, "");
    EXPECT_EQ(parts[0].body, "hello world");
    EXPECT_EQ(parts[1].name, "up");
    EXPECT_EQ(parts[1].filename, "a.txt");
    EXPECT_EQ(parts[1].content_type, "text/plain");
    EXPECT_EQ(parts[1].body, "line1\r\nline2");
    EXPECT_EQ(parts[2].name, "empty");
    EXPECT_EQ(parts[2].filename, "");
    EXPECT_EQ(parts[2].body, "");
    for (const auto &p : parts) EXPECT_TRUE(inside(body, p.body));  // no copies
}

TEST(MultipartParse, BinaryContentWithCrLfAndNearDelimiters) {
    std::string content;
    for (int i = 0; i < 256; i++) content.push_back(static_cast<char>(i));
    // Things that look like the delimiter but are content: no CRLF before, a longer
    // boundary, junk after the boundary, a lone CR.
    content += "--b\r\n\r\n--bx\r\n\r\n--b junk\r\n\r--b\r\n";
    const std::string body = body_of("b", {{{"Content-Disposition: form-data; name=f; filename=x.bin"}, content}});
    const auto parts = parse_ok(body, "b");
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0].body, content);
}

TEST(MultipartParse, PreambleEpilogueAndPadding) {
    const std::string body = body_of("b", {{{"Content-Disposition: form-data; name=a"}, "1"}}, "this is a preamble",
                                     "\r\nand an epilogue --b\r\n");
    auto parts = parse_ok(body, "b");
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0].body, "1");

    // Transport padding after the boundary, an extra leading CRLF (some clients), no
    // CRLF after the close delimiter.
    const std::string padded = "\r\n--b \t\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--b  \r\n"
                               "Content-Disposition: form-data; name=b\r\n\r\nw\r\n--b--";
    parts = parse_ok(padded, "b");
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].body, "v");
    EXPECT_EQ(parts[1].body, "w");
}

TEST(MultipartParse, EmptyBodyPartsAndNoParts) {
    EXPECT_TRUE(parse_ok("--b--", "b").empty());
    EXPECT_TRUE(parse_ok("--b--\r\n", "b").empty());
    // A part with no header at all and no content.
    auto parts = parse_ok("--b\r\n\r\n\r\n--b--", "b");
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0].name, std::nullopt);
    EXPECT_EQ(parts[0].body, "");
}

TEST(MultipartParse, DispositionParameters) {
    auto one = [](const std::string &disposition) {
        const std::string body = body_of("b", {{{disposition}, "x"}});
        auto parts = parse_ok(body, "b");
        EXPECT_EQ(parts.size(), 1u);
        return parts.empty() ? MultipartPart{} : parts[0];
    };
    auto p = one("Content-Disposition: form-data; name=\"a[]\"");
    EXPECT_EQ(p.name, "a[]");
    p = one("content-disposition:form-data;name=plain;filename=f.txt");
    EXPECT_EQ(p.name, "plain");
    EXPECT_EQ(p.filename, "f.txt");
    p = one("Content-Disposition: FORM-DATA; NAME=\"n\"; FileName=\"F\"");
    EXPECT_EQ(p.name, "n");
    EXPECT_EQ(p.filename, "F");
    // Escapes inside quotes: \" and \\ only; other backslashes stay (Windows paths).
    p = one(R"(Content-Disposition: form-data; name="q\"x"; filename="C:\dir\a\\b \"c\".txt")");
    EXPECT_EQ(p.name, "q\"x");
    EXPECT_EQ(p.filename, R"(C:\dir\a\b "c".txt)");
    // ';' and '=' inside quotes, UTF-8 bytes, a trailing ';', unknown and valueless parameters.
    p = one("Content-Disposition: form-data; foo; name=\"a;b=c\"; filename=\"\xc3\xa9t\xc3\xa9.txt\"; x=y;");
    EXPECT_EQ(p.name, "a;b=c");
    EXPECT_EQ(p.filename, "\xc3\xa9t\xc3\xa9.txt");
    // The first occurrence wins.
    p = one("Content-Disposition: form-data; name=first; name=second; filename=a; filename=b");
    EXPECT_EQ(p.name, "first");
    EXPECT_EQ(p.filename, "a");
    // filename* is not decoded; attachment accepted; other types and no name: no name.
    p = one("Content-Disposition: form-data; name=n; filename*=UTF-8''x.txt");
    EXPECT_EQ(p.filename, std::nullopt);
    p = one("Content-Disposition: attachment; name=att; filename=z");
    EXPECT_EQ(p.name, "att");
    p = one("Content-Disposition: inline; name=n");
    EXPECT_EQ(p.name, std::nullopt);
    p = one("Content-Disposition: form-data; filename=only-a-file");
    EXPECT_EQ(p.name, std::nullopt);
    EXPECT_EQ(p.filename, "only-a-file");
    p = one("X-Other: form-data; name=n");
    EXPECT_EQ(p.name, std::nullopt);
}

TEST(MultipartParse, MalformedPartHeaders) {
    const std::vector<std::string> bad = {
        "Content-Disposition: form-data; name=\"unterminated",
        "Content-Disposition: form-data; name=\"a\"junk",
        "Content-Disposition: form-data; =x",
        "Content-Disposition: form-data; \"x\"",
        "No colon here",
        ": empty name",
        "Bad Name: x",
        " Content-Disposition: form-data; name=a",  // obs-fold / leading space
        "X: a\x01 b",
        "X: a\rb",
        "X: a\nb",
        std::string("X: a\0b", 6),
        "X: a\x7f",
    };
    for (const std::string &h : bad) {
        const std::string body = body_of("b", {{{h}, "x"}});
        EXPECT_EQ(parse_err(body, "b"), MultipartError::BadPartHeader) << h;
    }
    // Duplicates that two readers could resolve differently.
    EXPECT_EQ(parse_err(body_of("b", {{{"Content-Disposition: form-data; name=a",
                                        "Content-Disposition: form-data; name=b"},
                                       "x"}}),
                        "b"),
              MultipartError::BadPartHeader);
    EXPECT_EQ(parse_err(body_of("b", {{{"Content-Disposition: form-data; name=a", "Content-Type: a/b",
                                        "content-type: c/d"},
                                       "x"}}),
                        "b"),
              MultipartError::BadPartHeader);
    // A bare LF ending a header line runs into the next line: not a valid value.
    EXPECT_EQ(parse_err("--b\r\nContent-Disposition: form-data; name=a\n\r\nx\r\n--b--", "b"),
              MultipartError::BadPartHeader);
}

TEST(MultipartParse, MissingDelimiterUnterminatedBadBoundary) {
    EXPECT_EQ(parse_err("", "b"), MultipartError::NoDelimiter);
    EXPECT_EQ(parse_err("name=value", "b"), MultipartError::NoDelimiter);
    EXPECT_EQ(parse_err("--other\r\n\r\nx\r\n--other--", "b"), MultipartError::NoDelimiter);
    // "--bjunk" is no delimiter: all of it is preamble before the close delimiter.
    EXPECT_TRUE(parse_ok("--bjunk\r\n\r\nx\r\n--b--", "b").empty());
    EXPECT_EQ(parse_err("--b", "b"), MultipartError::NoDelimiter);
    EXPECT_EQ(parse_err("--b\r\n", "b"), MultipartError::Unterminated);
    EXPECT_EQ(parse_err("--b\r\nContent-Disposition: form-data; name=a", "b"), MultipartError::Unterminated);
    EXPECT_EQ(parse_err("--b\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue", "b"),
              MultipartError::Unterminated);
    EXPECT_EQ(parse_err("--b\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue\r\n--b\r\n", "b"),
              MultipartError::Unterminated);
    EXPECT_EQ(parse_err("--b\r\n\r\nvalue\r\n--b-", "b"), MultipartError::Unterminated);
    // Missing the CRLF that ends the (empty) header section.
    EXPECT_EQ(parse_err("--b\r\n\r\n--b--", "b"), MultipartError::Unterminated);
    EXPECT_EQ(parse_err("--b--", ""), MultipartError::BadBoundary);
    EXPECT_EQ(parse_err("--b--", std::string(kMaxBoundaryLength + 1, 'b')), MultipartError::BadBoundary);
    EXPECT_EQ(parse_err("--b--", "b\r\n"), MultipartError::BadBoundary);
    EXPECT_EQ(parse_err("--b--", std::string("b\0", 2)), MultipartError::BadBoundary);
}

TEST(MultipartParse, PartCountLimitIsInclusive) {
    MultipartLimits l;
    l.max_parts = 3;
    std::vector<Spec> specs(3, Spec{{"Content-Disposition: form-data; name=a[]"}, "v"});
    EXPECT_EQ(parse_ok(body_of("b", specs), "b", l).size(), 3u);
    specs.push_back(specs[0]);
    EXPECT_EQ(parse_err(body_of("b", specs), "b", l), MultipartError::TooManyParts);
    // The default bound holds for a flood of empty parts.
    std::string flood;
    for (size_t i = 0; i <= MultipartLimits{}.max_parts; i++) flood += "--b\r\n\r\n\r\n";
    flood += "--b--";
    EXPECT_EQ(parse_err(flood, "b"), MultipartError::TooManyParts);
}

TEST(MultipartParse, HeaderSizeAndCountLimitsAreInclusive) {
    MultipartLimits l;
    l.max_part_header_bytes = 40;
    l.max_part_headers = 2;
    // A 36-byte line, its CRLF and the empty line's CRLF: exactly 40.
    const std::string line36 = "X: " + std::string(33, 'v');
    EXPECT_EQ(parse_ok(body_of("b", {{{line36}, "x"}}), "b", l).size(), 1u);
    EXPECT_EQ(parse_err(body_of("b", {{{line36 + "v"}, "x"}}), "b", l), MultipartError::PartHeaderTooLarge);
    EXPECT_EQ(parse_ok(body_of("b", {{{"A: 1", "B: 2"}, "x"}}), "b", l).size(), 1u);
    EXPECT_EQ(parse_err(body_of("b", {{{"A: 1", "B: 2", "C: 3"}, "x"}}), "b", l), MultipartError::TooManyPartHeaders);
}

TEST(MultipartParse, ErrorMessages) {
    for (int e = 0; e <= static_cast<int>(MultipartError::Unterminated); e++) {
        EXPECT_STRNE(multipart_error_message(static_cast<MultipartError>(e)), "unknown error");
    }
}

// Every proper prefix of a body without epilogue is an error: a truncated upload is never
// taken for a complete one.
TEST(MultipartParse, TruncationNeverSucceeds) {
    const std::string body = body_of("bb", {{{"Content-Disposition: form-data; name=a"}, "1"},
                                            {{"Content-Disposition: form-data; name=f; filename=x"}, "data\r\n"}});
    for (size_t n = 0; n < body.size(); n++) {
        std::vector<MultipartPart> parts;
        EXPECT_NE(parse_multipart(std::string_view(body).substr(0, n), "bb", parts), MultipartError::None) << n;
    }
    EXPECT_EQ(parse_ok(body, "bb").size(), 2u);
}

// ---------------------------------------------------------------- temp files

TEST(MultipartUpload, SavesContentInPrivateFile) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string content("bin\0ary\r\n", 9);
    const SavedUpload up = save_upload_file(dir.path(), content);
    ASSERT_EQ(up.error.code, 0) << up.error.message;
    EXPECT_TRUE(up.created);
    EXPECT_EQ(up.path.rfind(dir.path() + "/swoole.upfile.", 0), 0u) << up.path;
    EXPECT_EQ(up.path.size(), dir.path().size() + 1 + 14 + 6);
    EXPECT_EQ(read_file(up.path), content);
    struct stat st {};
    ASSERT_EQ(::stat(up.path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    const SavedUpload empty = save_upload_file(dir.path() + "/", "");  // trailing slash, empty file
    ASSERT_EQ(empty.error.code, 0);
    EXPECT_NE(empty.path, up.path);
    EXPECT_EQ(empty.path.find("//"), std::string::npos);
    EXPECT_EQ(read_file(empty.path), "");
}

TEST(MultipartUpload, CreatesMissingDirectories) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string nested = dir.path() + "/a/b/c";
    const SavedUpload up = save_upload_file(nested, "x");
    ASSERT_EQ(up.error.code, 0) << up.error.message;
    EXPECT_EQ(up.path.rfind(nested + "/", 0), 0u);
    EXPECT_EQ(read_file(up.path), "x");
}

TEST(MultipartUpload, UnusableDirectory) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string file = dir.path() + "/plain-file";
    std::ofstream(file) << "x";
    const SavedUpload up = save_upload_file(file + "/sub", "data");  // a path through a file
    EXPECT_FALSE(up.created);
    EXPECT_NE(up.error.code, 0);
    EXPECT_TRUE(up.path.empty());
    EXPECT_NE(up.error.message.find("mkstemp("), std::string::npos) << up.error.message;
}

}  // namespace
