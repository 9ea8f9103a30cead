// Swoole\Http\Server extends Swoole\Server; Swoole\Http\Response: the answer to one
// onRequest call, passed to the engine's respond()/respond_head()/write_body()/end_body().
// The generated arginfo of the three HTTP classes is included here, so this file also
// registers Swoole\Http\Request (its code is in http_request.cc).
#include "php/classes.h"
#include "php/server_object.h"

extern "C" {
#include "ext/date/php_date.h"  // php_format_date(), declared without C linkage
#include "ext/standard/url.h"   // declares php_url_encode() without C linkage
}

#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
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

enum class Phase { Fresh, Streaming, Ended };

struct ResponseState {
    int status = 200;
    bool status_set = false;  // by status()/redirect(): else an unended response is a 500
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
    auto *r = new_object<ResponseObject>(ce, response_handlers);
    ZVAL_UNDEF(&r->server);
    r->id = 0;
    construct_member(r->state, std::make_unique<ResponseState>());
    return &r->std;
}

ws::Server *engine(ResponseObject *r) {
    if (Z_TYPE(r->server) != IS_OBJECT) return nullptr;
    ServerObject *o = wsserver_server_from(Z_OBJ(r->server));
    return o->impl ? o->impl->server.get() : nullptr;
}

// The head as the user set it: header() fields, then one Set-Cookie line per string in
// the `cookie` property (where cookie() appends, as in Swoole, so a script that edits
// the property edits what is sent; entries that are not strings or that the engine
// refuses, e.g. with CR/LF, are skipped, as Swoole skips them).
ws::HttpResponse build_head(ResponseObject *r) {
    const ResponseState &st = *r->state;
    ws::HttpResponse head(st.status, st.reason);
    for (const auto &[name, value] : st.headers) {
        head.add_header(name, value);  // checked when header() stored it
    }
    zval rv;
    zval *cookies = zend_read_property(wsserver_ce_http_response, &r->std, "cookie", 6, true, &rv);
    ZVAL_DEREF(cookies);
    if (Z_TYPE_P(cookies) == IS_ARRAY) {
        zval *line;
        ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(cookies), line) {
            ZVAL_DEREF(line);
            if (Z_TYPE_P(line) == IS_STRING) {
                head.add_header("Set-Cookie", std::string_view(Z_STRVAL_P(line), Z_STRLEN_P(line)));
            }
        }
        ZEND_HASH_FOREACH_END();
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
    return s->respond(r->id, build_head(r), body);
}

void response_free(zend_object *obj) {
    ResponseObject *r = response_from(obj);
    // A response the callback never ended is ended here, with an empty body, so the
    // connection does not wait forever: as in Swoole, a 500 unless a status was set.
    if (r->state && r->state->phase == Phase::Fresh && !r->state->status_set) r->state->status = 500;
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

// "content-TYPE" -> "Content-Type", as Swoole's header(..., format: true).
std::string format_name(std::string_view name) {
    std::string out(name);
    bool upper = true;
    for (char &ch : out) {
        if (upper && ch >= 'a' && ch <= 'z') {
            ch = static_cast<char>(ch - 'a' + 'A');
        } else if (!upper && ch >= 'A' && ch <= 'Z') {
            ch = static_cast<char>(ch - 'A' + 'a');
        }
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
    st.status_set = true;
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
    // A later header() replaces the earlier values of the same field, where they were.
    std::vector<std::pair<std::string, std::string>> kept;
    bool placed = false;
    for (auto &h : st.headers) {
        if (!same_name(h.first, name)) {
            kept.push_back(std::move(h));
        } else if (!placed) {
            placed = true;
            for (const std::string &v : values) kept.emplace_back(name, v);
        }
    }
    if (!placed) {
        for (const std::string &v : values) kept.emplace_back(name, v);
    }
    // The `header` property shows what was set, as Swoole's does: the field name as it
    // goes out, its value as given (a string, or an array of strings).
    zval rv, entry;
    zval *prop = zend_read_property(wsserver_ce_http_response, Z_OBJ_P(ZEND_THIS), "header", 6, true, &rv);
    ZVAL_DEREF(prop);
    zval shown;
    if (Z_TYPE_P(prop) == IS_ARRAY) {
        ZVAL_ARR(&shown, zend_array_dup(Z_ARRVAL_P(prop)));
        zend_string *k;
        ZEND_HASH_FOREACH_STR_KEY(Z_ARRVAL_P(prop), k) {
            // The same key is updated in place below; another spelling of it goes.
            if (k && same_name(std::string_view(ZSTR_VAL(k), ZSTR_LEN(k)), name) &&
                std::string_view(ZSTR_VAL(k), ZSTR_LEN(k)) != name)
                zend_hash_del(Z_ARRVAL(shown), k);
        }
        ZEND_HASH_FOREACH_END();
    } else {
        array_init(&shown);
    }
    if (Z_TYPE_P(value) == IS_ARRAY) {
        array_init_size(&entry, static_cast<uint32_t>(values.size()));
        for (const std::string &v : values) add_next_index_stringl(&entry, v.data(), v.size());
    } else {
        ZVAL_STRINGL(&entry, values[0].data(), values[0].size());
    }
    zend_symtable_str_update(Z_ARRVAL(shown), name.data(), name.size(), &entry);
    zend_update_property(wsserver_ce_http_response, Z_OBJ_P(ZEND_THIS), "header", 6, &shown);
    zval_ptr_dtor(&shown);
    st.headers = std::move(kept);
    RETURN_TRUE;
}

// ---- cookie(), rawCookie()

// Swoole's (and PHP's setcookie()) rules and words.
constexpr std::string_view kCookieIllegal(",; \t\r\n\013\014\0", 9);  // NUL too: we refuse it
#define WSSERVER_COOKIE_ILLEGAL_PRINT "\",\", \";\", \" \", \"\\t\", \"\\r\", \"\\n\", \"\\013\", or \"\\014\""
constexpr zend_long kCookieMaxExpires = 253402300800;  // 10000-01-01T00:00:00Z

bool has_any(zend_string *s, std::string_view chars) {
    return std::string_view(ZSTR_VAL(s), ZSTR_LEN(s)).find_first_of(chars) != std::string_view::npos;
}

void append(std::string &out, zend_string *s) { out.append(ZSTR_VAL(s), ZSTR_LEN(s)); }

void append_date(std::string &out, time_t ts) {
    zend_string *date = php_format_date("D, d-M-Y H:i:s T", sizeof("D, d-M-Y H:i:s T") - 1, ts, false);
    append(out, date);
    zend_string_release(date);
}

// The Set-Cookie value, as Swoole's Http\Cookie::toString() builds it: an empty value
// deletes the cookie ("name=deleted; expires=<1970>; Max-Age=0"), cookie() URL-encodes the
// value (spaces as '+', as setcookie()), rawCookie() refuses the characters a raw value
// cannot hold; attributes only when set. Empty optional when a warning was raised.
std::optional<std::string> cookie_line(zend_string *name, zend_string *value, zend_long expires, zend_string *path,
                                       zend_string *domain, bool secure, bool httponly, zend_string *samesite,
                                       zend_string *priority, bool partitioned, bool encode) {
    if (ZSTR_LEN(name) == 0) {
        php_error_docref(nullptr, E_WARNING, "The name cannot be empty");
        return std::nullopt;
    }
    if (has_any(name, "=") || has_any(name, kCookieIllegal)) {
        php_error_docref(nullptr, E_WARNING, "The name cannot contain \"=\", " WSSERVER_COOKIE_ILLEGAL_PRINT);
        return std::nullopt;
    }
    std::string out;
    append(out, name);
    if (!value || ZSTR_LEN(value) == 0) {
        out += "=deleted; expires=";
        append_date(out, 1);
        out += "; Max-Age=0";
    } else {
        if (!encode && has_any(value, kCookieIllegal)) {
            php_error_docref(nullptr, E_WARNING, "The value cannot contain " WSSERVER_COOKIE_ILLEGAL_PRINT);
            return std::nullopt;
        }
        out += '=';
        if (encode) {
            zend_string *encoded = php_url_encode(ZSTR_VAL(value), ZSTR_LEN(value));
            append(out, encoded);
            zend_string_release(encoded);
        } else {
            append(out, value);
        }
        if (expires > 0) {
            if (expires >= kCookieMaxExpires) {
                php_error_docref(nullptr, E_WARNING, "The expires cannot have a year greater than 9999");
                return std::nullopt;
            }
            out += "; expires=";
            append_date(out, static_cast<time_t>(expires));
            const zend_long left = expires - static_cast<zend_long>(std::time(nullptr));
            out += "; Max-Age=" + std::to_string(left > 0 ? left : 0);
        }
    }
    if (path && ZSTR_LEN(path) > 0) {
        if (has_any(path, kCookieIllegal)) {
            php_error_docref(nullptr, E_WARNING, "The path option cannot contain " WSSERVER_COOKIE_ILLEGAL_PRINT);
            return std::nullopt;
        }
        out += "; path=";
        append(out, path);
    }
    if (domain && ZSTR_LEN(domain) > 0) {
        if (has_any(domain, kCookieIllegal)) {
            php_error_docref(nullptr, E_WARNING, "The domain option cannot contain " WSSERVER_COOKIE_ILLEGAL_PRINT);
            return std::nullopt;
        }
        out += "; domain=";
        append(out, domain);
    }
    if (secure) out += "; secure";
    if (httponly) out += "; HttpOnly";
    if (samesite && ZSTR_LEN(samesite) > 0) {
        out += "; SameSite=";
        append(out, samesite);
    }
    if (priority && ZSTR_LEN(priority) > 0) {
        out += "; Priority=";
        append(out, priority);
    }
    if (partitioned) out += "; Partitioned";
    return out;
}

#undef WSSERVER_COOKIE_ILLEGAL_PRINT

// cookie()/setCookie() (encode) and rawCookie()/setRawCookie(). An omitted $path means no
// path attribute, as in Swoole (the '/' of the signature is what a named-argument call
// that skips it gets).
void cookie_method(INTERNAL_FUNCTION_PARAMETERS, bool encode) {
    zval *name_or_object;
    zend_string *value = nullptr, *path = nullptr, *domain = nullptr, *samesite = nullptr, *priority = nullptr;
    zend_long expires = 0;
    bool secure = false, httponly = false, partitioned = false;
    ZEND_PARSE_PARAMETERS_START(1, 10)
        Z_PARAM_ZVAL(name_or_object)
        Z_PARAM_OPTIONAL
        Z_PARAM_STR(value)
        Z_PARAM_LONG(expires)
        Z_PARAM_STR(path)
        Z_PARAM_STR(domain)
        Z_PARAM_BOOL(secure)
        Z_PARAM_BOOL(httponly)
        Z_PARAM_STR(samesite)
        Z_PARAM_STR(priority)
        Z_PARAM_BOOL(partitioned)
    ZEND_PARSE_PARAMETERS_END();
    ResponseObject *r = this_response(ZEND_THIS);
    if (r->state->phase != Phase::Fresh || !engine(r)) {
        php_error_docref(nullptr, E_WARNING, "http response is unavailable (maybe it has been ended or detached)");
        RETURN_FALSE;
    }
    // There is no Swoole\Http\Cookie class here: an object is refused as Swoole refuses
    // an object of another class.
    if (Z_TYPE_P(name_or_object) != IS_STRING) {
        php_error_docref(nullptr, E_WARNING, "The first argument must be a string or a Http\\Cookie object");
        RETURN_FALSE;
    }
    std::optional<std::string> line = cookie_line(Z_STR_P(name_or_object), value, expires, path, domain, secure,
                                                  httponly, samesite, priority, partitioned, encode);
    if (!line) RETURN_FALSE;
    zval rv;
    zval *cookies = zend_read_property(wsserver_ce_http_response, &r->std, "cookie", 6, true, &rv);
    ZVAL_DEREF(cookies);
    if (Z_TYPE_P(cookies) != IS_ARRAY) {
        zval fresh;
        array_init(&fresh);
        add_next_index_stringl(&fresh, line->data(), line->size());
        zend_update_property(wsserver_ce_http_response, &r->std, "cookie", 6, &fresh);
        zval_ptr_dtor(&fresh);
    } else {
        SEPARATE_ARRAY(cookies);
        add_next_index_stringl(cookies, line->data(), line->size());
    }
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

// Declared in server_object.h for onBeforeHandShakeResponse: what header()/cookie() set on
// a response that is never sent itself is handed to the engine, then the response counts
// as ended. The status is not exported: the engine's 101 keeps its own.
void wsserver_response_export(zval *response, ws::HttpResponse &out) {
    ResponseObject *r = response_from(Z_OBJ_P(response));
    if (r->state->phase == Phase::Fresh) {
        const ws::HttpResponse head = build_head(r);
        for (const auto &[name, value] : head.headers()) out.add_header(name, value);
    }
    r->state->phase = Phase::Ended;
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
        if (!s->respond_head(r->id, build_head(r))) {
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

ZEND_METHOD(Swoole_Http_Response, cookie) { cookie_method(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }

ZEND_METHOD(Swoole_Http_Response, setCookie) { cookie_method(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }

ZEND_METHOD(Swoole_Http_Response, rawcookie) { cookie_method(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }

ZEND_METHOD(Swoole_Http_Response, setRawCookie) { cookie_method(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }

// Status (302 unless given) + Location, then end(), as Swoole. On a response whose head
// already went out (write() was called) only the end() part can still happen.
ZEND_METHOD(Swoole_Http_Response, redirect) {
    zend_string *location;
    zend_long code = 302;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_STR(location)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(code)
    ZEND_PARSE_PARAMETERS_END();
    ResponseObject *r = this_response(ZEND_THIS);
    ResponseState &st = *r->state;
    if (st.phase == Phase::Ended || !engine(r)) {
        php_error_docref(nullptr, E_WARNING, "http response is unavailable (maybe it has been ended or detached)");
        RETURN_FALSE;
    }
    if (st.phase == Phase::Fresh) {
        if (code < 100 || code > 999) {
            php_error_docref(nullptr, E_WARNING, "invalid status code " ZEND_LONG_FMT, code);
            RETURN_FALSE;
        }
        const std::string_view value(ZSTR_VAL(location), ZSTR_LEN(location));
        ws::HttpResponse probe;
        if (!probe.add_header("Location", value)) {
            php_error_docref(nullptr, E_WARNING, "invalid header 'Location': a token name and no CR, LF or NUL");
            RETURN_FALSE;
        }
        st.status = static_cast<int>(code);
        st.status_set = true;
        st.reason.clear();
        std::vector<std::pair<std::string, std::string>> kept;
        for (auto &h : st.headers) {
            if (!same_name(h.first, "Location")) kept.push_back(std::move(h));
        }
        kept.emplace_back("Location", std::string(value));
        st.headers = std::move(kept);
    }
    RETURN_BOOL(finish(r, {}));
}

// Closes the connection (Server::close), whatever state the response is in; nothing is
// sent for it afterwards.
ZEND_METHOD(Swoole_Http_Response, close) {
    ZEND_PARSE_PARAMETERS_NONE();
    ResponseObject *r = this_response(ZEND_THIS);
    ws::Server *s = engine(r);
    if (!s) RETURN_FALSE;
    r->state->phase = Phase::Ended;
    RETURN_BOOL(s->close(r->id));
}

void wsserver_register_http_server_class() {
    wsserver_ce_http_server = register_class_Swoole_Http_Server(wsserver_ce_server);
    wsserver_ce_http_response = register_class_Swoole_Http_Response();
    wsserver_ce_http_request = register_class_Swoole_Http_Request();
    wsserver_init_http_request_class(wsserver_ce_http_request);
    wsserver_ce_http_response->create_object = response_create;
    std::memcpy(&response_handlers, zend_get_std_object_handlers(), sizeof(response_handlers));
    response_handlers.offset = XtOffsetOf(ResponseObject, std);
    response_handlers.free_obj = response_free;
    response_handlers.get_gc = response_get_gc;
    response_handlers.clone_obj = nullptr;
}
