// Swoole\Timer and the swoole_timer_*() functions on the coroutine runtime's reactor
// (Swoole\Event is in event.cc). Every callback runs in a new coroutine, as in Swoole.
//
// The reactor's TimerQueue also holds the scheduler's own timers (sleep() and wait
// timeouts), so the PHP timers are tracked by id here: list(), clear() and clearAll()
// see only those.
#include "php/coroutine_extras.h"

#include <unordered_set>

namespace ws = wsserver;

namespace {

// Ids of the live PHP timers; cleared with the runtime at the end of the request.
std::unordered_set<ws::TimerId> g_php_timers;

void add_timer(INTERNAL_FUNCTION_PARAMETERS, bool repeat) {
    zend_long ms;
    zval *params = nullptr;
    uint32_t param_count = 0;
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    ZEND_PARSE_PARAMETERS_START(2, -1)
        Z_PARAM_LONG(ms)
        Z_PARAM_FUNC(fci, fcc)
        Z_PARAM_VARIADIC('*', params, param_count)
    ZEND_PARSE_PARAMETERS_END();
    if (ms < 1) {
        php_error_docref(nullptr, E_WARNING, "Timer must be greater than or equal to 1");
        RETURN_FALSE;
    }
    auto callable = std::make_shared<PhpCallable>(&fci.function_name, params, param_count);
    ws::Reactor &r = wsserver_coroutine_reactor();
    auto fire = [callable, repeat](ws::TimerId id) {
        if (!repeat) g_php_timers.erase(id);
        // tick callbacks get the timer id first, after callbacks only the bound params.
        wsserver_coroutine_start(std::make_shared<PhpCallable>(*callable, repeat ? id : 0));
    };
    ws::TimerId id = repeat ? r.tick(uint64_t(ms), fire) : r.after(uint64_t(ms), fire);
    g_php_timers.insert(id);
    if (!wsserver_event_loop_running()) wsserver_event_loop_at_shutdown();
    RETURN_LONG(id);
}

bool clear_timer(zend_long id) {
    if (!wsserver_coroutine_runtime_exists() || g_php_timers.erase(id) == 0) return false;
    return wsserver_coroutine_reactor().clear_timer(id);
}

bool clear_all_timers() {
    if (!wsserver_coroutine_runtime_exists()) return true;
    ws::Reactor &r = wsserver_coroutine_reactor();
    std::unordered_set<ws::TimerId> ids;
    ids.swap(g_php_timers);
    for (ws::TimerId id : ids) r.clear_timer(id);
    return true;
}

bool timer_exists(zend_long id) {
    return wsserver_coroutine_runtime_exists() && g_php_timers.count(id) != 0 &&
           wsserver_coroutine_reactor().timers().exists(id);
}

void timer_info(zval *return_value, zend_long id) {
    ws::TimerInfo info;
    if (!wsserver_coroutine_runtime_exists() || g_php_timers.count(id) == 0 ||
        !wsserver_coroutine_reactor().timers().info(id, info)) {
        RETURN_NULL();
    }
    array_init(return_value);
    add_assoc_long(return_value, "exec_msec", zend_long(info.deadline_ms));
    add_assoc_long(return_value, "exec_count", zend_long(info.exec_count));
    add_assoc_long(return_value, "interval", zend_long(info.interval_ms));
    add_assoc_long(return_value, "round", 0);
    add_assoc_bool(return_value, "removed", info.removed);
}

void timer_stats(zval *return_value) {
    array_init(return_value);
    bool have = wsserver_coroutine_runtime_exists();
    add_assoc_bool(return_value, "initialized", have);
    // The PHP timers only: the scheduler's own (sleep, wait timeouts) are not counted,
    // so a coroutine woken by its sleep timer does not see that timer as live.
    zend_long num = 0;
    if (have) {
        for (ws::TimerId id : g_php_timers) num += wsserver_coroutine_reactor().timers().exists(id) ? 1 : 0;
    }
    add_assoc_long(return_value, "num", num);
    add_assoc_long(return_value, "round", 0);
}

void timer_list(zval *return_value) {
    zval ids;
    array_init(&ids);
    if (wsserver_coroutine_runtime_exists()) {
        for (ws::TimerId id : wsserver_coroutine_reactor().timers().ids()) {
            if (g_php_timers.count(id)) add_next_index_long(&ids, id);
        }
    }
    object_init_ex(return_value, wsserver_ce_timer_iterator);
    zend_call_known_instance_method_with_1_params(wsserver_ce_timer_iterator->constructor, Z_OBJ_P(return_value),
                                                  nullptr, &ids);
    zval_ptr_dtor(&ids);
}

}  // namespace

void wsserver_timers_reset() {
    g_php_timers.clear();
    wsserver_events_reset();
}

PhpCallable::PhpCallable(const PhpCallable &bound, zend_long first_arg) {
    ZVAL_COPY(&fn_, &bound.fn_);
    if (first_arg != 0) {
        args_.emplace_back();
        ZVAL_LONG(&args_.back(), first_arg);
    }
    for (const zval &v : bound.args_) {
        args_.emplace_back();
        ZVAL_COPY(&args_.back(), &v);
    }
}

ZEND_METHOD(Swoole_Timer, tick) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }
ZEND_METHOD(Swoole_Timer, after) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }

ZEND_METHOD(Swoole_Timer, exists) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    RETURN_BOOL(timer_exists(id));
}

ZEND_METHOD(Swoole_Timer, info) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    timer_info(return_value, id);
}

ZEND_METHOD(Swoole_Timer, stats) {
    ZEND_PARSE_PARAMETERS_NONE();
    timer_stats(return_value);
}

ZEND_METHOD(Swoole_Timer, list) {
    ZEND_PARSE_PARAMETERS_NONE();
    timer_list(return_value);
}

ZEND_METHOD(Swoole_Timer, clear) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    RETURN_BOOL(clear_timer(id));
}

ZEND_METHOD(Swoole_Timer, clearAll) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_BOOL(clear_all_timers());
}

ZEND_FUNCTION(swoole_timer_tick) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }
ZEND_FUNCTION(swoole_timer_after) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }

ZEND_FUNCTION(swoole_timer_exists) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    RETURN_BOOL(timer_exists(id));
}

ZEND_FUNCTION(swoole_timer_info) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    timer_info(return_value, id);
}

ZEND_FUNCTION(swoole_timer_stats) {
    ZEND_PARSE_PARAMETERS_NONE();
    timer_stats(return_value);
}

ZEND_FUNCTION(swoole_timer_list) {
    ZEND_PARSE_PARAMETERS_NONE();
    timer_list(return_value);
}

ZEND_FUNCTION(swoole_timer_clear) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    RETURN_BOOL(clear_timer(id));
}

ZEND_FUNCTION(swoole_timer_clear_all) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_BOOL(clear_all_timers());
}
