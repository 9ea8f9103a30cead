// Swoole\Http\Request: built from the engine's parsed request (headers, cookies, query,
// urlencoded and multipart bodies with PHP's own rules and $_FILES layout, uploads in temp
// files), for onRequest, onHandShake, onOpen and onBeforeHandShakeResponse.
#include "php/classes.h"
#include "php/server_object.h"

#include "SAPI.h"
extern "C" {
#include "ext/standard/url.h"   // declares php_url_decode() without C linkage
}
#include "main/php_variables.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/multipart.h"

namespace ws = wsserver;

namespace {

zend_object_handlers request_handlers;

double now_float() {
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

struct RequestObject {
    zend_string *body;
    zend_string *head;    // getData(): the request line and fields as text (see wsserver_make_request)
    zend_string *method;  // getMethod()
    bool chunked;
    // The temporary files of this request's uploads, removed when the object goes (the
    // `tmpfiles` property only shows them: what the script does to it changes nothing).
    std::vector<std::string> tmpfiles;
    zend_object std;
};

RequestObject *request_from(zend_object *obj) {
    return object_from<RequestObject>(obj);
}

zend_object *request_create(zend_class_entry *ce) {
    auto *r = new_object<RequestObject>(ce, request_handlers);
    r->body = nullptr;
    r->head = nullptr;
    r->method = nullptr;
    r->chunked = false;
    construct_member(r->tmpfiles);
    return &r->std;
}

void request_free(zend_object *obj) {
    RequestObject *r = request_from(obj);
    for (zend_string **str : {&r->body, &r->head, &r->method}) {
        if (*str) {
            zend_string_release(*str);
            *str = nullptr;
        }
    }
    // As Swoole: the uploads go with the request, unless the script moved them away
    // (then unlink() fails with ENOENT, which is fine).
    for (const std::string &path : r->tmpfiles) {
        ::unlink(path.c_str());
        if (SG(rfc1867_uploaded_files)) zend_hash_str_del(SG(rfc1867_uploaded_files), path.data(), path.size());
    }
    destroy_member(r->tmpfiles);
    zend_object_std_dtor(obj);
}

void add_sv(zval *arr, const char *key, std::string_view v) {
    add_assoc_str_ex(arr, key, std::strlen(key), zstr_from(v));
}

// "a=1; b=2" -> ['a' => '1', 'b' => '2'], values URL-decoded as PHP does for $_COOKIE.
void parse_cookies(zval *arr, std::string_view header) {
    size_t pos = 0;
    for (int guard = 0; pos < header.size() && guard < 4096; guard++) {
        size_t end = header.find(';', pos);
        if (end == std::string_view::npos) end = header.size();
        std::string_view pair = header.substr(pos, end - pos);
        pos = end + 1;
        while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
        while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t')) pair.remove_suffix(1);
        size_t eq = pair.find('=');
        if (pair.empty() || eq == 0) continue;
        std::string_view name = eq == std::string_view::npos ? pair : pair.substr(0, eq);
        std::string value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
        size_t len = php_url_decode(value.data(), value.size());
        add_assoc_stringl_ex(arr, name.data(), name.size(), value.data(), len);
    }
}

// ---- multipart/form-data

// PHP's UPLOAD_ERR_* values (main/rfc1867.c keeps them private).
constexpr zend_long kUploadErrOk = 0;
constexpr zend_long kUploadErrNoFile = 4;
constexpr zend_long kUploadErrNoTmpDir = 6;
constexpr zend_long kUploadErrCantWrite = 7;

// Makes move_uploaded_file() and is_uploaded_file() accept the path, as Swoole does. The
// table is PHP's own (SG), created the way PHP creates it (string values, released by
// ZVAL_PTR_DTOR), and destroyed by PHP at request shutdown.
void register_uploaded_file(const std::string &path) {
    if (!SG(rfc1867_uploaded_files)) {
        ALLOC_HASHTABLE(SG(rfc1867_uploaded_files));
        zend_hash_init(SG(rfc1867_uploaded_files), 8, nullptr, ZVAL_PTR_DTOR, 0);
    }
    zval v;
    ZVAL_STR(&v, zend_string_init(path.data(), path.size(), 0));
    if (!zend_hash_add(SG(rfc1867_uploaded_files), Z_STR(v), &v)) zval_ptr_dtor(&v);
}

// PHP's $_FILES naming: "f" -> "f[key]", "f[a][]" -> "f[key][a][]" (the key goes after the
// base name when the name is an array, i.e. holds '[' and ends in ']').
std::string files_var(const std::string &name, const char *key) {
    const size_t bracket = name.find('[');
    if (bracket != std::string::npos && name.back() == ']') {
        return name.substr(0, bracket) + "[" + key + "]" + name.substr(bracket);
    }
    return name + "[" + key + "]";
}

void register_file_string(zval *files, const std::string &name, const char *key, std::string_view value) {
    zval v;
    ZVAL_STR(&v, zstr_from(value));
    php_register_variable_ex(files_var(name, key).c_str(), &v, files);  // takes v
}

void register_file_long(zval *files, const std::string &name, const char *key, zend_long value) {
    zval v;
    ZVAL_LONG(&v, value);
    php_register_variable_ex(files_var(name, key).c_str(), &v, files);
}

// PHP's $_FILES 'name': the part after the last '/' or '\' of the filename the client sent
// ('full_path' keeps it whole).
std::string_view upload_basename(std::string_view filename) {
    const size_t slash = filename.find_last_of("/\\");
    return slash == std::string_view::npos ? filename : filename.substr(slash + 1);
}

// Fills `post` and `files` from a multipart/form-data body, with PHP's rules for both
// arrays: names go through php_register_variable_ex ("a[]" appends, "a[k]" nests, '.' and
// ' ' in the base name become '_'), and a file entry is ['name', 'full_path', 'type',
// 'tmp_name', 'error', 'size'] in that order, nested the way $_FILES nests "f[]" and
// "f[a][b]". Fields without a name are skipped, files without a name parameter are
// numbered (0, 1, ...) and files with name="" skipped, as PHP does. An empty filename (a file input left empty) gives
// UPLOAD_ERR_NO_FILE and no temp file.
//
// Differences from Swoole 6, on purpose: Swoole's entries lack 'full_path', come in the
// order type/tmp_name/size/name/error, and keep the client's whole filename in 'name'
// (URL-decoded); we follow PHP's $_FILES. A body that is not valid multipart (no boundary
// in the Content-Type, no delimiter, unterminated, malformed part headers, over 1024
// parts) is, in Swoole, a parse error that answers 400 and never reaches onRequest. Here
// the engine has already accepted the request, so it still reaches onRequest, with its raw
// body (getContent()) but no post, no files and no temp file: the body is validated whole
// before anything is registered or written.
void fill_multipart(zend_object *obj, RequestObject *r, std::string_view content_type, std::string_view body,
                    const std::string &upload_dir) {
    const std::optional<std::string> boundary = ws::multipart_boundary(content_type);
    if (!boundary) return;
    std::vector<ws::MultipartPart> parts;
    if (ws::parse_multipart(body, *boundary, parts) != ws::MultipartError::None) return;

    zval post, files, tmpfiles;
    ZVAL_UNDEF(&post);
    ZVAL_UNDEF(&files);
    ZVAL_UNDEF(&tmpfiles);
    zend_long anonymous = 0;
    for (const ws::MultipartPart &part : parts) {
        if (!part.filename) {
            if (!part.name || part.name->empty()) continue;
            if (Z_ISUNDEF(post)) array_init(&post);
            php_register_variable_safe(part.name->c_str(), part.body.data(), part.body.size(), &post);
            continue;
        }
        if (part.name && part.name->empty()) continue;  // name="": PHP drops it
        if (Z_ISUNDEF(files)) array_init(&files);
        // PHP numbers the file parts that have no name parameter: 0, 1, ...
        const std::string name = part.name ? *part.name : std::to_string(anonymous++);
        const std::string &filename = *part.filename;
        std::string tmp_name;
        zend_long error = kUploadErrOk;
        zend_long size = 0;
        if (filename.empty()) {
            error = kUploadErrNoFile;
        } else {
            ws::SavedUpload saved = ws::save_upload_file(upload_dir, part.body);
            if (saved.error.code != 0) {
                error = saved.created ? kUploadErrCantWrite : kUploadErrNoTmpDir;
                php_error_docref(nullptr, E_WARNING, "upload of '%s' failed: %s", filename.c_str(),
                                 saved.error.message.c_str());
            } else {
                tmp_name = std::move(saved.path);
                size = static_cast<zend_long>(part.body.size());
                r->tmpfiles.push_back(tmp_name);
                register_uploaded_file(tmp_name);
                if (Z_ISUNDEF(tmpfiles)) array_init(&tmpfiles);
                add_next_index_stringl(&tmpfiles, tmp_name.data(), tmp_name.size());
            }
        }
        const bool no_file = error == kUploadErrNoFile;
        register_file_string(&files, name, "name", upload_basename(filename));
        register_file_string(&files, name, "full_path", filename);
        register_file_string(&files, name, "type", no_file ? std::string_view() : part.content_type);
        register_file_string(&files, name, "tmp_name", tmp_name);
        register_file_long(&files, name, "error", error);
        register_file_long(&files, name, "size", size);
    }
    if (!Z_ISUNDEF(post)) {
        zend_update_property(wsserver_ce_http_request, obj, "post", 4, &post);
        zval_ptr_dtor(&post);
    }
    if (!Z_ISUNDEF(files)) {
        zend_update_property(wsserver_ce_http_request, obj, "files", 5, &files);
        zval_ptr_dtor(&files);
    }
    if (!Z_ISUNDEF(tmpfiles)) {
        zend_update_property(wsserver_ce_http_request, obj, "tmpfiles", 8, &tmpfiles);
        zval_ptr_dtor(&tmpfiles);
    }
}

bool has_form_method(std::string_view method) {
    return method == "POST" || method == "PUT" || method == "DELETE" || method == "PATCH";
}

}  // namespace

void wsserver_init_http_request_class(zend_class_entry *ce) {
    ce->create_object = request_create;
    std::memcpy(&request_handlers, zend_get_std_object_handlers(), sizeof(request_handlers));
    request_handlers.offset = XtOffsetOf(RequestObject, std);
    request_handlers.free_obj = request_free;
    request_handlers.clone_obj = nullptr;
}

void wsserver_make_request(zval *out, ServerObject *o, ws::SessionId id, const ws::HttpParser &p) {
    object_init_ex(out, wsserver_ce_http_request);
    zend_object *obj = Z_OBJ_P(out);
    zend_update_property_long(wsserver_ce_http_request, obj, "fd", 2, static_cast<zend_long>(id));

    zval header;
    array_init(&header);
    zval cookie;
    ZVAL_UNDEF(&cookie);
    // getData()'s text: the request line and the fields as received (a chunked body is
    // given back as one chunk: the body is kept decoded).
    std::string head;
    head.reserve(128);
    head.append(p.method()).append(" ").append(p.target()).append(p.version_minor() ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
    for (size_t i = 0; i < p.header_count(); i++) {
        ws::HttpHeader h = p.header_at(i);
        zend_string *key = zend_string_init(h.name.data(), h.name.size(), 0);
        zend_str_tolower(ZSTR_VAL(key), ZSTR_LEN(key));
        head.append(h.name).append(": ").append(h.value).append("\r\n");
        if (zend_string_equals_literal(key, "cookie")) {
            // As Swoole: the Cookie field goes to `cookie` only, not to `header`.
            if (Z_ISUNDEF(cookie)) array_init(&cookie);
            parse_cookies(&cookie, h.value);
        } else {
            zval v;
            ZVAL_STR(&v, zstr_from(h.value));
            zend_symtable_update(Z_ARRVAL(header), key, &v);
        }
        zend_string_release(key);
    }
    head.append("\r\n");
    request_from(obj)->chunked = p.chunked();
    request_from(obj)->head = zstr_from(head);
    request_from(obj)->method = zstr_from(p.method());
    zend_update_property(wsserver_ce_http_request, obj, "header", 6, &header);
    zval_ptr_dtor(&header);
    if (!Z_ISUNDEF(cookie)) {
        zend_update_property(wsserver_ce_http_request, obj, "cookie", 6, &cookie);
        zval_ptr_dtor(&cookie);
    }

    if (!p.query().empty()) {
        // PHP's own query-string parser, as parse_str() uses it (it frees the copy).
        zval get;
        array_init(&get);
        char *copy = estrndup(p.query().data(), p.query().size());
        sapi_module.treat_data(PARSE_STRING, copy, &get);
        zend_update_property(wsserver_ce_http_request, obj, "get", 3, &get);
        zval_ptr_dtor(&get);
    }

    ws::ClientInfo info;
    o->impl->server->client_info(id, info);
    const double now = now_float();
    zval server;
    array_init(&server);
    add_sv(&server, "query_string", p.query());
    add_sv(&server, "request_method", p.method());
    add_sv(&server, "request_uri", p.path());
    add_sv(&server, "path_info", p.path());
    add_assoc_long(&server, "request_time", static_cast<zend_long>(now));
    add_assoc_double(&server, "request_time_float", now);
    add_assoc_string(&server, "server_protocol", p.version_minor() == 0 ? "HTTP/1.0" : "HTTP/1.1");
    add_assoc_long(&server, "server_port", info.server_port);
    add_assoc_long(&server, "remote_port", info.remote_port);
    if (std::string local = o->impl->server->local_ip(id); !local.empty()) add_sv(&server, "server_addr", local);
    add_sv(&server, "remote_addr", info.remote_ip);
    add_assoc_long(&server, "master_time", static_cast<zend_long>(now));
    if (p.query().empty()) {
        zend_hash_str_del(Z_ARRVAL(server), "query_string", sizeof("query_string") - 1);
    }
    zend_update_property(wsserver_ce_http_request, obj, "server", 6, &server);
    zval_ptr_dtor(&server);

    request_from(obj)->body = zstr_from(p.body());

    auto type = p.header("Content-Type");
    if (!p.body().empty() && type && zend_binary_strncasecmp(type->data(), type->size(), "application/x-www-form-urlencoded", 33, 33) == 0) {
        zval post;
        array_init(&post);
        sapi_module.treat_data(PARSE_STRING, estrndup(p.body().data(), p.body().size()), &post);
        zend_update_property(wsserver_ce_http_request, obj, "post", 4, &post);
        zval_ptr_dtor(&post);
    } else if (type && ws::is_multipart_form_data(*type) && has_form_method(p.method())) {
        // Swoole parses multipart bodies of POST, PUT, DELETE and PATCH only.
        fill_multipart(obj, request_from(obj), *type, p.body(), o->impl->config.upload_tmp_dir);
    }
}

// ---- Swoole\Http\Request

// The body; '' when there is none (Swoole: false only for a request that has no server
// context, which a Request made by the server always has).
ZEND_METHOD(Swoole_Http_Request, getContent) {
    ZEND_PARSE_PARAMETERS_NONE();
    zend_string *body = request_from(Z_OBJ_P(ZEND_THIS))->body;
    if (!body) RETURN_EMPTY_STRING();
    RETURN_STR_COPY(body);
}

ZEND_METHOD(Swoole_Http_Request, rawContent) {
    ZEND_PARSE_PARAMETERS_NONE();
    zend_string *body = request_from(Z_OBJ_P(ZEND_THIS))->body;
    if (!body) RETURN_EMPTY_STRING();
    RETURN_STR_COPY(body);
}

// The whole request as text: head and body.
ZEND_METHOD(Swoole_Http_Request, getData) {
    ZEND_PARSE_PARAMETERS_NONE();
    RequestObject *r = request_from(Z_OBJ_P(ZEND_THIS));
    if (!r->head) RETURN_EMPTY_STRING();
    const size_t body_len = r->body ? ZSTR_LEN(r->body) : 0;
    if (r->chunked) {
        std::string data(ZSTR_VAL(r->head), ZSTR_LEN(r->head));
        if (body_len) {
            char size_line[24];
            int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", body_len);
            data.append(size_line, static_cast<size_t>(n)).append(ZSTR_VAL(r->body), body_len).append("\r\n");
        }
        data.append("0\r\n\r\n");
        RETURN_STR(zstr_from(data));
    }
    if (body_len == 0) RETURN_STR_COPY(r->head);
    RETURN_STR(zend_string_concat2(ZSTR_VAL(r->head), ZSTR_LEN(r->head), ZSTR_VAL(r->body), body_len));
}

ZEND_METHOD(Swoole_Http_Request, getMethod) {
    ZEND_PARSE_PARAMETERS_NONE();
    RequestObject *r = request_from(Z_OBJ_P(ZEND_THIS));
    if (!r->method) RETURN_FALSE;
    RETURN_STR_COPY(r->method);
}

// A request reaches a callback only once it is whole.
ZEND_METHOD(Swoole_Http_Request, isCompleted) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_BOOL(request_from(Z_OBJ_P(ZEND_THIS))->head != nullptr);
}
