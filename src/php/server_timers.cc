// Swoole\Server's timers on the worker's event loop: tick(), after(), clearTimer() and
// defer(). The engine owns the timers; the PHP callbacks (and their extra arguments) are
// kept here by timer id, so get_gc sees them.
#include "php/classes.h"
#include "php/server_internal.h"

#include <cstdint>
#include <vector>

namespace ws = wsserver;

namespace {

// tick()/after(): the callback receives (timer id, ...params) for tick, (...params) for
// after, as Swoole's timers do.
void add_timer(INTERNAL_FUNCTION_PARAMETERS, bool repeat) {
    zend_long ms;
    zval *fn;
    zval *params = nullptr;
    uint32_t param_count = 0;
    ZEND_PARSE_PARAMETERS_START(2, -1)
        Z_PARAM_LONG(ms)
        Z_PARAM_ZVAL(fn)
        Z_PARAM_VARIADIC('*', params, param_count)
    ZEND_PARSE_PARAMETERS_END();
    zend_fcall_info_cache fcc;
    if (!wsserver_parse_callable(fn, fcc)) {
        zend_argument_type_error(2, "must be a valid callback");
        RETURN_THROWS();
    }
    if (ms < 1) {
        zend_argument_value_error(1, "must be greater than or equal to 1");
        RETURN_THROWS();
    }
    ws::Server *s = wsserver_engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    ServerObject *o = this_server(ZEND_THIS);
    auto fire = [o, repeat](ws::TimerId id) {
        auto it = o->impl->timers.find(id);
        if (it == o->impl->timers.end()) return;
        Callback cb;
        ZVAL_COPY(&cb.fn, &it->second.fn);
        if (!Z_ISUNDEF(it->second.params)) ZVAL_COPY(&cb.params, &it->second.params);
        cb.fcc = it->second.fcc;
        if (!repeat) {
            wsserver_callback_reset(it->second);
            o->impl->timers.erase(it);
        }
        std::vector<zval> args;
        if (repeat) {
            args.emplace_back();
            ZVAL_LONG(&args.back(), static_cast<zend_long>(id));
        }
        if (!Z_ISUNDEF(cb.params)) {
            zval *v;
            ZEND_HASH_FOREACH_VAL(Z_ARRVAL(cb.params), v) {
                args.emplace_back();
                ZVAL_COPY_VALUE(&args.back(), v);  // borrowed: cb.params keeps them alive
            }
            ZEND_HASH_FOREACH_END();
        }
        wsserver_dispatch(o, cb, static_cast<uint32_t>(args.size()), args.empty() ? nullptr : args.data());
        wsserver_callback_reset(cb);
    };
    ws::TimerId id = repeat ? s->tick(static_cast<uint64_t>(ms), fire) : s->after(static_cast<uint64_t>(ms), fire);
    if (id <= 0) RETURN_FALSE;
    Callback &cb = o->impl->timers[id];
    ZVAL_COPY(&cb.fn, fn);
    cb.fcc = fcc;
    if (param_count > 0) {
        array_init_size(&cb.params, param_count);
        for (uint32_t i = 0; i < param_count; i++) {
            Z_TRY_ADDREF(params[i]);
            add_next_index_zval(&cb.params, &params[i]);
        }
    }
    RETURN_LONG(static_cast<zend_long>(id));
}
}  // namespace

ZEND_METHOD(Swoole_Server, tick) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }

ZEND_METHOD(Swoole_Server, after) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }

ZEND_METHOD(Swoole_Server, clearTimer) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    ws::Server *s = wsserver_engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    auto it = impl.timers.find(static_cast<ws::TimerId>(id));
    if (it == impl.timers.end()) RETURN_FALSE;
    s->clear_timer(it->first);
    wsserver_callback_reset(it->second);
    impl.timers.erase(it);
    RETURN_TRUE;
}

ZEND_METHOD(Swoole_Server, defer) {
    zval *fn;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ZVAL(fn)
    ZEND_PARSE_PARAMETERS_END();
    zend_fcall_info_cache fcc;
    if (!wsserver_parse_callable(fn, fcc)) {
        zend_argument_type_error(1, "must be a valid callback");
        RETURN_THROWS();
    }
    ws::Server *s = wsserver_engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    ServerObject *o = this_server(ZEND_THIS);
    const uint64_t key = o->impl->next_defer++;
    Callback &cb = o->impl->defers[key];
    ZVAL_COPY(&cb.fn, fn);
    cb.fcc = fcc;
    s->defer([o, key] {
        auto it = o->impl->defers.find(key);
        if (it == o->impl->defers.end()) return;
        Callback copy = it->second;  // owns the reference now
        o->impl->defers.erase(it);
        wsserver_dispatch(o, copy, 0, nullptr);
        wsserver_callback_reset(copy);
    });
    RETURN_TRUE;
}
