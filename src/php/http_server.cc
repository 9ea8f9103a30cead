// Swoole\Http\Server extends Swoole\Server; Swoole\Http\Request (built from the engine's
// parsed request) and Swoole\Http\Response: the answer to one onRequest call, passed to the engine's respond()/respond_head()/write_body()/end_body().
#include "php/classes.h"
#include "php/server_object.h"

#include "SAPI.h"
extern "C" {
#include "ext/standard/url.h"  // declares php_url_decode() without C linkage
}
#include "main/php_variables.h"

#include <sys/time.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stubs/http_server_arginfo.h"

zend_class_entry *wsserver_ce_http_server = nullptr;
zend_class_entry *wsserver_ce_http_response = nullptr;
zend_class_entry *wsserver_ce_http_request = nullptr;

namespace ws = wsserver;

namespace {

zend_object_handlers response_handlers;
zend_object_handlers request_handlers;

double now_float() {
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

// ---------------------------------------------------------------- Swoole\Http\Request

struct RequestObject {
    zend_string *body;
    zend_object std;
};

RequestObject *request_from(zend_object *obj) {
    return object_from<RequestObject>(obj);
}

zend_object *request_create(zend_class_entry *ce) {
    auto *r = static_cast<RequestObject *>(zend_object_alloc(sizeof(RequestObject), ce));
    r->body = nullptr;
    zend_object_std_init(&r->std, ce);
    object_properties_init(&r->std, ce);
    r->std.handlers = &request_handlers;
    return &r->std;
}

void request_free(zend_object *obj) {
    RequestObject *r = request_from(obj);
    if (r->body) {
        zend_string_release(r->body);
        r->body = nullptr;
    }
    zend_object_std_dtor(obj);
}

void add_sv(zval *arr, const char *key, std::string_view v) {
    add_assoc_stringl_ex(arr, key, std::strlen(key), v.data(), v.size());
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

enum class Phase { Fresh, Streaming, Ended };

struct ResponseState {
    int status = 200;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;  // one entry per field line
    Phase phase = Phase::Fresh;
};

struct ResponseObject {
    zval server;  // the Swoole\Server object, kept alive
    ws::SessionId id;
    std::unique_ptr<ResponseState> state;
    zend_object std;
};

ResponseObject *response_from(zend_object *obj) {
    return object_from<ResponseObject>(obj);
}

zend_object *response_create(zend_class_entry *ce) {
    auto *r = static_cast<ResponseObject *>(zend_object_alloc(sizeof(ResponseObject), ce));
    ZVAL_UNDEF(&r->server);
    r->id = 0;
    construct_member(r->state, std::make_unique<ResponseState>());
    zend_object_std_init(&r->std, ce);
    object_properties_init(&r->std, ce);
    r->std.handlers = &response_handlers;
    return &r->std;
}

ws::Server *engine(ResponseObject *r) {
    if (Z_TYPE(r->server) != IS_OBJECT) return nullptr;
    ServerObject *o = wsserver_server_from(Z_OBJ(r->server));
    return o->impl ? o->impl->server.get() : nullptr;
}

ws::HttpResponse build_head(const ResponseState &st) {
    ws::HttpResponse head(st.status, st.reason);
    for (const auto &[name, value] : st.headers) {
        head.add_header(name, value);  // checked when header() stored it
    }
    return head;
}

// Sends the response (an empty body when `body` is null). False when it was already
// sent or the connection is gone.
bool finish(ResponseObject *r, std::string_view body) {
    ResponseState &st = *r->state;
    ws::Server *s = engine(r);
    if (st.phase == Phase::Ended || !s) return false;
    const Phase was = st.phase;
    st.phase = Phase::Ended;
    if (was == Phase::Streaming) return s->end_body(r->id, body);
    return s->respond(r->id, build_head(st), body);
}

void response_free(zend_object *obj) {
    ResponseObject *r = response_from(obj);
    // A response the callback never ended is ended here, with an empty body, so the
    // connection does not wait forever.
    if (r->state && r->state->phase != Phase::Ended) finish(r, {});
    zval_ptr_dtor(&r->server);
    ZVAL_UNDEF(&r->server);
    destroy_member(r->state);
    zend_object_std_dtor(obj);
}

HashTable *response_get_gc(zend_object *obj, zval **table, int *n) {
    ResponseObject *r = response_from(obj);
    *table = Z_ISUNDEF(r->server) ? nullptr : &r->server;
    *n = Z_ISUNDEF(r->server) ? 0 : 1;
    return zend_std_get_properties(obj);
}

ResponseObject *this_response(zval *this_ptr) { return response_from(Z_OBJ_P(this_ptr)); }

// "content-type" -> "Content-Type", as Swoole's header(..., format: true).
std::string format_name(std::string_view name) {
    std::string out(name);
    bool upper = true;
    for (char &ch : out) {
        if (upper && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        upper = ch == '-';
    }
    return out;
}

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && zend_binary_strcasecmp(a.data(), a.size(), b.data(), b.size()) == 0;
}

void status_method(INTERNAL_FUNCTION_PARAMETERS) {
    zend_long code;
    zend_string *reason = nullptr;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_LONG(code)
        Z_PARAM_OPTIONAL
        Z_PARAM_STR(reason)
    ZEND_PARSE_PARAMETERS_END();
    ResponseState &st = *this_response(ZEND_THIS)->state;
    if (st.phase != Phase::Fresh) {
        php_error_docref(nullptr, E_WARNING, "http response is unavailable (maybe it has been ended or detached)");
        RETURN_FALSE;
    }
    if (code < 100 || code > 999) {
        php_error_docref(nullptr, E_WARNING, "invalid status code " ZEND_LONG_FMT, code);
        RETURN_FALSE;
    }
    if (reason && (std::memchr(ZSTR_VAL(reason), '\r', ZSTR_LEN(reason)) ||
                   std::memchr(ZSTR_VAL(reason), '\n', ZSTR_LEN(reason)))) {
        php_error_docref(nullptr, E_WARNING, "the reason phrase must not contain CR or LF");
        RETURN_FALSE;
    }
    st.status = static_cast<int>(code);
    st.reason = reason ? std::string(ZSTR_VAL(reason), ZSTR_LEN(reason)) : std::string();
    RETURN_TRUE;
}

void header_method(INTERNAL_FUNCTION_PARAMETERS) {
    zend_string *key;
    zval *value;
    bool format = true;
    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_STR(key)
        Z_PARAM_ZVAL(value)
        Z_PARAM_OPTIONAL
        Z_PARAM_BOOL(format)
    ZEND_PARSE_PARAMETERS_END();
    ResponseState &st = *this_response(ZEND_THIS)->state;
    if (st.phase != Phase::Fresh) {
        php_error_docref(nullptr, E_WARNING, "http response is unavailable (maybe it has been ended or detached)");
        RETURN_FALSE;
    }
    std::string name = format ? format_name(std::string_view(ZSTR_VAL(key), ZSTR_LEN(key)))
                              : std::string(ZSTR_VAL(key), ZSTR_LEN(key));
    std::vector<std::string> values;
    if (Z_TYPE_P(value) == IS_ARRAY) {
        zval *item;
        ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(value), item) {
            zend_string *s = zval_try_get_string(item);
            if (!s) RETURN_THROWS();
            values.emplace_back(ZSTR_VAL(s), ZSTR_LEN(s));
            zend_string_release(s);
        }
        ZEND_HASH_FOREACH_END();
    } else {
        values.emplace_back(Z_STRVAL_P(value), Z_STRLEN_P(value));
    }
    // Validate with the engine's own rules before storing anything.
    ws::HttpResponse probe;
    for (const std::string &v : values) {
        if (!probe.add_header(name, v)) {
            php_error_docref(nullptr, E_WARNING, "invalid header '%s': a token name and no CR, LF or NUL", name.c_str());
            RETURN_FALSE;
        }
    }
    // A later header() replaces the earlier values of the same field.
    std::vector<std::pair<std::string, std::string>> kept;
    for (auto &h : st.headers) {
        if (!same_name(h.first, name)) kept.push_back(std::move(h));
    }
    for (std::string &v : values) kept.emplace_back(name, std::move(v));
    st.headers = std::move(kept);
    RETURN_TRUE;
}

}  // namespace

void wsserver_make_request(zval *out, ServerObject *o, ws::SessionId id, const ws::HttpParser &p) {
    object_init_ex(out, wsserver_ce_http_request);
    zend_object *obj = Z_OBJ_P(out);
    zend_update_property_long(wsserver_ce_http_request, obj, "fd", 2, static_cast<zend_long>(id));

    zval header;
    array_init(&header);
    zval cookie;
    ZVAL_UNDEF(&cookie);
    for (size_t i = 0; i < p.header_count(); i++) {
        ws::HttpHeader h = p.header_at(i);
        zend_string *key = zend_string_init(h.name.data(), h.name.size(), 0);
        zend_str_tolower(ZSTR_VAL(key), ZSTR_LEN(key));
        zval v;
        ZVAL_STRINGL(&v, h.value.data(), h.value.size());
        zend_symtable_update(Z_ARRVAL(header), key, &v);
        if (zend_string_equals_literal(key, "cookie")) {
            if (Z_ISUNDEF(cookie)) array_init(&cookie);
            parse_cookies(&cookie, h.value);
        }
        zend_string_release(key);
    }
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
    add_sv(&server, "remote_addr", info.remote_ip);
    add_assoc_long(&server, "master_time", static_cast<zend_long>(now));
    if (p.query().empty()) {
        zend_hash_str_del(Z_ARRVAL(server), "query_string", sizeof("query_string") - 1);
    }
    zend_update_property(wsserver_ce_http_request, obj, "server", 6, &server);
    zval_ptr_dtor(&server);

    request_from(obj)->body = zend_string_init(p.body().data(), p.body().size(), 0);

    auto type = p.header("Content-Type");
    if (!p.body().empty() && type && zend_binary_strncasecmp(type->data(), type->size(), "application/x-www-form-urlencoded", 33, 33) == 0) {
        zval post;
        array_init(&post);
        sapi_module.treat_data(PARSE_STRING, estrndup(p.body().data(), p.body().size()), &post);
        zend_update_property(wsserver_ce_http_request, obj, "post", 4, &post);
        zval_ptr_dtor(&post);
    }
}

// ---- Swoole\Http\Request

ZEND_METHOD(Swoole_Http_Request, getContent) {
    ZEND_PARSE_PARAMETERS_NONE();
    zend_string *body = request_from(Z_OBJ_P(ZEND_THIS))->body;
    if (!body || ZSTR_LEN(body) == 0) RETURN_FALSE;
    RETURN_STR_COPY(body);
}

ZEND_METHOD(Swoole_Http_Request, rawContent) {
    ZEND_PARSE_PARAMETERS_NONE();
    zend_string *body = request_from(Z_OBJ_P(ZEND_THIS))->body;
    if (!body || ZSTR_LEN(body) == 0) RETURN_FALSE;
    RETURN_STR_COPY(body);
}


void wsserver_make_response(zval *out, ServerObject *o, ws::SessionId id) {
    object_init_ex(out, wsserver_ce_http_response);
    ResponseObject *r = response_from(Z_OBJ_P(out));
    GC_ADDREF(&o->std);
    ZVAL_OBJ(&r->server, &o->std);
    r->id = id;
    zend_update_property_long(wsserver_ce_http_response, Z_OBJ_P(out), "fd", 2, static_cast<zend_long>(id));
}

ZEND_METHOD(Swoole_Http_Response, status) { status_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Http_Response, setStatusCode) { status_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Http_Response, header) { header_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Http_Response, setHeader) { header_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Http_Response, write) {
    zend_string *content;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(content)
    ZEND_PARSE_PARAMETERS_END();
    ResponseObject *r = this_response(ZEND_THIS);
    ResponseState &st = *r->state;
    ws::Server *s = engine(r);
    if (st.phase == Phase::Ended || !s) {
        php_error_docref(nullptr, E_WARNING, "http response is unavailable (maybe it has been ended or detached)");
        RETURN_FALSE;
    }
    if (st.phase == Phase::Fresh) {
        if (!s->respond_head(r->id, build_head(st))) {
            st.phase = Phase::Ended;
            RETURN_FALSE;
        }
        st.phase = Phase::Streaming;
    }
    if (ZSTR_LEN(content) == 0) {
        RETURN_TRUE;  // an empty chunk would end a chunked body
    }
    RETURN_BOOL(s->write_body(r->id, std::string_view(ZSTR_VAL(content), ZSTR_LEN(content))));
}

ZEND_METHOD(Swoole_Http_Response, end) {
    zend_string *content = nullptr;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_STR_OR_NULL(content)
    ZEND_PARSE_PARAMETERS_END();
    ResponseObject *r = this_response(ZEND_THIS);
    if (r->state->phase == Phase::Ended || !engine(r)) {
        php_error_docref(nullptr, E_WARNING, "http response is unavailable (maybe it has been ended or detached)");
        RETURN_FALSE;
    }
    std::string_view body = content ? std::string_view(ZSTR_VAL(content), ZSTR_LEN(content)) : std::string_view();
    RETURN_BOOL(finish(r, body));
}

ZEND_METHOD(Swoole_Http_Response, isWritable) {
    ZEND_PARSE_PARAMETERS_NONE();
    ResponseObject *r = this_response(ZEND_THIS);
    ws::Server *s = engine(r);
    RETURN_BOOL(s && r->state->phase != Phase::Ended && s->exists(r->id));
}

void wsserver_register_http_server_class() {
    wsserver_ce_http_server = register_class_Swoole_Http_Server(wsserver_ce_server);
    wsserver_ce_http_response = register_class_Swoole_Http_Response();
    wsserver_ce_http_request = register_class_Swoole_Http_Request();
    wsserver_ce_http_request->create_object = request_create;
    std::memcpy(&request_handlers, zend_get_std_object_handlers(), sizeof(request_handlers));
    request_handlers.offset = XtOffsetOf(RequestObject, std);
    request_handlers.free_obj = request_free;
    request_handlers.clone_obj = nullptr;
    wsserver_ce_http_response->create_object = response_create;
    std::memcpy(&response_handlers, zend_get_std_object_handlers(), sizeof(response_handlers));
    response_handlers.offset = XtOffsetOf(ResponseObject, std);
    response_handlers.free_obj = response_free;
    response_handlers.get_gc = response_get_gc;
    response_handlers.clone_obj = nullptr;
}
