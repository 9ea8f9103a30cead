// Swoole\Http\Server extends Swoole\Server, and Swoole\Http\Response: the answer to one
// onRequest call, passed to the engine's respond()/respond_head()/write_body()/end_body().
#include "php/classes.h"

#include <memory>
#include "php/server_object.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "stubs/http_server_arginfo.h"

zend_class_entry *wsserver_ce_http_server = nullptr;
zend_class_entry *wsserver_ce_http_response = nullptr;

namespace ws = wsserver;

namespace {

zend_object_handlers response_handlers;

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
    wsserver_ce_http_response->create_object = response_create;
    std::memcpy(&response_handlers, zend_get_std_object_handlers(), sizeof(response_handlers));
    response_handlers.offset = XtOffsetOf(ResponseObject, std);
    response_handlers.free_obj = response_free;
    response_handlers.get_gc = response_get_gc;
    response_handlers.clone_obj = nullptr;
}
