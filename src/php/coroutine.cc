// Swoole\Coroutine (alias Co), Swoole\Coroutine\System::sleep(), and the functions
// go(), defer(), swoole_coroutine_create/defer(), Swoole\Coroutine\run() and Co\run():
// thin calls into the engine's Scheduler (src/core/coroutine/scheduler.h).
#include "php/coroutine_extras.h"

#include "zend_builtin_functions.h"
#include "zend_exceptions.h"
#include "ext/spl/spl_array.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>

#include "stubs/coroutine_arginfo.h"

namespace ws = wsserver;

zend_class_entry *wsserver_ce_coroutine = nullptr;
zend_class_entry *wsserver_ce_coroutine_context = nullptr;
zend_class_entry *wsserver_ce_coroutine_iterator = nullptr;
zend_class_entry *wsserver_ce_coroutine_system = nullptr;
zend_class_entry *wsserver_ce_timer_iterator = nullptr;
zend_class_entry *wsserver_ce_coroutine_canceled_exception = nullptr;

namespace {

// What Coroutine::set() stored (getOptions() returns null before the first set()).
zval g_options;

// The CanceledException that Coroutine::cancel($cid, true) left for a coroutine, thrown
// where it next returns from a wait. Keyed by id; the scheduler and coroutine are kept
// too, so an entry left by a runtime that was replaced (ids start again at 1 in a server
// worker) never matches a new coroutine.
struct PendingCancel {
    ws::Scheduler *scheduler;
    ws::Coroutine *coroutine;
    zend_object *exception;
};
std::unordered_map<ws::CoroutineId, PendingCancel> g_pending_cancel;

void drop_pending_cancel(ws::CoroutineId cid) {
    auto it = g_pending_cancel.find(cid);
    if (it == g_pending_cancel.end()) return;
    zend_object *ex = it->second.exception;
    g_pending_cancel.erase(it);
    OBJ_RELEASE(ex);
}

// Coroutine::cancel($cid, true): the exception is made where the coroutine waits (its
// file, line and trace), and it is woken if it waits cancelably; if not, it gets the
// exception whenever it is resumed. False if there is no such coroutine or one is
// already pending.
bool cancel_with_exception(zend_long cid) {
    if (!wsserver_coroutine_runtime_exists()) return false;
    ws::Scheduler &s = wsserver_scheduler();
    ws::Coroutine *co = s.find(cid);
    if (!co || co == s.current()) return false;  // the running one: see the report on self
    auto it = g_pending_cancel.find(cid);
    if (it != g_pending_cancel.end()) {
        if (it->second.scheduler == &s && it->second.coroutine == co) return false;
        drop_pending_cancel(cid);  // left by another runtime
    }
    zend_execute_data *saved = EG(current_execute_data);
    if (zend_execute_data *frame = wsserver_coroutine_saved_frame(*co)) EG(current_execute_data) = frame;
    zval ex;
    object_init_ex(&ex, wsserver_ce_coroutine_canceled_exception);
    EG(current_execute_data) = saved;
    g_pending_cancel[cid] = PendingCancel{&s, co, Z_OBJ(ex)};
    s.on_exit(cid, [cid] { drop_pending_cancel(cid); });
    s.cancel(cid);  // runs it now if it waits cancelably
    return true;
}

// The coroutine `cid` names: 0 is the running one. Null if there is none.
ws::Coroutine *coroutine_by_cid(zend_long cid) {
    if (!wsserver_coroutine_runtime_exists()) return nullptr;
    ws::Scheduler &s = wsserver_scheduler();
    return cid == 0 ? s.current() : s.find(cid);
}

void create_coroutine(INTERNAL_FUNCTION_PARAMETERS) {
    zval *fn;
    zval *params = nullptr;
    uint32_t param_count = 0;
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    ZEND_PARSE_PARAMETERS_START(1, -1)
        Z_PARAM_FUNC(fci, fcc)
        Z_PARAM_VARIADIC('*', params, param_count)
    ZEND_PARSE_PARAMETERS_END();
    fn = &fci.function_name;
    bool outside = !wsserver_coroutine_runtime_exists() || !wsserver_scheduler().current();
    zend_long id = wsserver_coroutine_start(std::make_shared<PhpCallable>(fn, params, param_count));
    if (id < 0) RETURN_FALSE;
    // A coroutine started by the script itself (not under run()) still needs the loop
    // to finish: Swoole runs it when the script ends.
    if (outside && !wsserver_event_loop_running()) wsserver_event_loop_at_shutdown();
    RETURN_LONG(id);
}

void defer_callback(INTERNAL_FUNCTION_PARAMETERS) {
    (void)return_value;
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_FUNC(fci, fcc)
    ZEND_PARSE_PARAMETERS_END();
    if (!wsserver_current_coroutine_or_throw()) RETURN_THROWS();
    auto callable = std::make_shared<PhpCallable>(&fci.function_name, nullptr, 0);
    wsserver_scheduler().defer([callable] {
        if (!callable->call() && EG(exception)) wsserver_coroutine_uncaught();
    });
}

void coroutine_run(INTERNAL_FUNCTION_PARAMETERS) {
    zval *params = nullptr;
    uint32_t param_count = 0;
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    ZEND_PARSE_PARAMETERS_START(1, -1)
        Z_PARAM_FUNC(fci, fcc)
        Z_PARAM_VARIADIC('*', params, param_count)
    ZEND_PARSE_PARAMETERS_END();
    if (wsserver_event_loop_running() || wsserver_scheduler().current()) {
        php_error_docref(nullptr, E_WARNING,
                         "eventLoop has already been created. unable to start Swoole\\Coroutine\\Scheduler");
        RETURN_FALSE;
    }
    if (wsserver_coroutine_start(std::make_shared<PhpCallable>(&fci.function_name, params, param_count)) < 0) {
        RETURN_FALSE;
    }
    RETURN_BOOL(wsserver_event_loop_run());
}

void return_iterator(zval *return_value, zend_class_entry *ce, zval *array) {
    object_init_ex(return_value, ce);
    zend_call_known_instance_method_with_1_params(ce->constructor, Z_OBJ_P(return_value), nullptr, array);
}

// Keys of Swoole's Coroutine::set() that are accepted; only some have an effect here.
constexpr const char *kKnownOptions[] = {
    "max_coroutine", "stack_size", "c_stack_size", "enable_deadlock_check", "hook_flags", "enable_preemptive_scheduler",
    "log_level", "trace_flags", "socket_connect_timeout", "socket_read_timeout", "socket_write_timeout",
    "socket_dns_timeout", "socket_timeout", "dns_cache_expire", "dns_cache_capacity", "dns_server", "exit_condition",
    "name_resolver", "max_concurrency", "enable_signalfd", "wait_signal", "enable_coroutine", "aio_core_worker_num",
    "aio_worker_num", "aio_max_wait_time", "aio_max_idle_time", "reactor_type", "use_async_resolver", "iouring_entries",
    "iouring_workers", "iouring_flag", "display_errors", "http2_header_table_size", "http2_enable_push",
    "http2_max_concurrent_streams", "http2_init_window_size", "http2_max_frame_size", "http2_max_header_list_size",
    "enable_reuse_port", "dns_lookup_random", "print_backtrace_on_error", "max_coro_num", "bailout_callback",
};

bool known_option(zend_string *key) {
    for (const char *k : kKnownOptions) {
        if (zend_string_equals_cstr(key, k, std::strlen(k))) return true;
    }
    return false;
}

}  // namespace

void wsserver_coroutine_options_reset() {
    zval_ptr_dtor(&g_options);
    ZVAL_UNDEF(&g_options);
    while (!g_pending_cancel.empty()) drop_pending_cancel(g_pending_cancel.begin()->first);
}

bool wsserver_coroutine_throw_pending() {
    if (g_pending_cancel.empty() || !wsserver_coroutine_runtime_exists()) return false;
    ws::Scheduler &s = wsserver_scheduler();
    ws::Coroutine *co = s.current();
    if (!co) return false;
    auto it = g_pending_cancel.find(co->id());
    if (it == g_pending_cancel.end() || it->second.scheduler != &s || it->second.coroutine != co) return false;
    zend_object *ex = it->second.exception;
    g_pending_cancel.erase(it);
    zval z;
    ZVAL_OBJ(&z, ex);
    zend_throw_exception_object(&z);  // takes our reference
    return true;
}

// ---------------------------------------------------------------------------------
// functions

ZEND_FUNCTION(swoole_coroutine_create) { create_coroutine(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_FUNCTION(swoole_coroutine_defer) { defer_callback(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_FUNCTION(Swoole_Coroutine_run) { coroutine_run(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_FUNCTION(Co_run) { coroutine_run(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

// ---------------------------------------------------------------------------------
// Swoole\Coroutine

ZEND_METHOD(Swoole_Coroutine, create) { create_coroutine(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_METHOD(Swoole_Coroutine, defer) { defer_callback(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Coroutine, set) {
    (void)return_value;
    HashTable *options;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    zend_string *key;
    zval *value;
    ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, value) {
        if (!key || !known_option(key)) {
            php_error_docref(nullptr, E_WARNING, "unsupported option \"%s\"", key ? ZSTR_VAL(key) : "(int key)");
            continue;
        }
        if (zend_string_equals_literal(key, "max_coroutine") || zend_string_equals_literal(key, "max_coro_num")) {
            zend_long n = zval_get_long(value);
            wsserver_scheduler().set_max_coroutines(n > 0 ? size_t(n) : 100000);
        } else if (zend_string_equals_literal(key, "stack_size") || zend_string_equals_literal(key, "c_stack_size")) {
            // As Swoole: clamped to 64 KiB .. 16 MiB, rounded up to 4 KiB.
            const zend_long n = std::clamp<zend_long>(zval_get_long(value), 64 * 1024, 16 * 1024 * 1024);
            wsserver_coroutine_set_stack_size((size_t(n) + 4095) & ~size_t(4095));
        }
        if (Z_ISUNDEF(g_options)) array_init(&g_options);
        Z_TRY_ADDREF_P(value);
        zend_hash_update(Z_ARRVAL(g_options), key, value);
    }
    ZEND_HASH_FOREACH_END();
}

ZEND_METHOD(Swoole_Coroutine, getOptions) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (Z_ISUNDEF(g_options)) RETURN_NULL();
    RETURN_COPY(&g_options);
}

ZEND_METHOD(Swoole_Coroutine, exists) {
    zend_long cid;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(cid)
    ZEND_PARSE_PARAMETERS_END();
    RETURN_BOOL(cid > 0 && coroutine_by_cid(cid) != nullptr);
}

ZEND_METHOD(Swoole_Coroutine, yield) {
    ZEND_PARSE_PARAMETERS_NONE();
    ws::Coroutine *co = wsserver_current_coroutine_or_throw();
    if (!co) RETURN_THROWS();
    wsserver_scheduler().yield_current();
    if (wsserver_coroutine_throw_pending()) RETURN_THROWS();
    RETURN_BOOL(!co->canceled());
}

ZEND_METHOD(Swoole_Coroutine, resume) {
    zend_long cid;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(cid)
    ZEND_PARSE_PARAMETERS_END();
    if (!wsserver_coroutine_runtime_exists() || !wsserver_scheduler().resume(cid)) {
        php_error_docref(nullptr, E_WARNING, "can not resume the coroutine which is in IO operation or non-existent");
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

ZEND_METHOD(Swoole_Coroutine, cancel) {
    zend_long cid;
    bool throw_exception = false;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_LONG(cid)
        Z_PARAM_OPTIONAL
        Z_PARAM_BOOL(throw_exception)
    ZEND_PARSE_PARAMETERS_END();
    if (throw_exception) RETURN_BOOL(cancel_with_exception(cid));
    if (!wsserver_coroutine_runtime_exists()) RETURN_FALSE;
    RETURN_BOOL(wsserver_scheduler().cancel(cid) == ws::Scheduler::CancelResult::kOk);
}

ZEND_METHOD(Swoole_Coroutine, isCanceled) {
    ZEND_PARSE_PARAMETERS_NONE();
    ws::Coroutine *co = wsserver_current_coroutine_or_throw();
    if (!co) RETURN_THROWS();
    RETURN_BOOL(co->canceled());
}

ZEND_METHOD(Swoole_Coroutine, join) {
    HashTable *cids;
    double timeout = -1;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_ARRAY_HT(cids)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    ws::Coroutine *self = wsserver_current_coroutine_or_throw();
    if (!self) RETURN_THROWS();
    if (zend_hash_num_elements(cids) == 0) RETURN_FALSE;
    ws::Scheduler &s = wsserver_scheduler();
    // Shared with the exit hooks, which may outlive this call after a timeout.
    struct JoinState {
        size_t pending = 0;
        ws::CoroutineId waiter = 0;
        bool waiting = false;
    };
    auto state = std::make_shared<JoinState>();
    state->waiter = self->id();
    zval *v;
    ZEND_HASH_FOREACH_VAL(cids, v) {
        zend_long cid = zval_get_long(v);
        if (cid == self->id()) {
            php_error_docref(nullptr, E_WARNING, "can not join self");
            RETURN_FALSE;
        }
    }
    ZEND_HASH_FOREACH_END();
    ZEND_HASH_FOREACH_VAL(cids, v) {
        zend_long cid = zval_get_long(v);
        bool hooked = s.on_exit(cid, [state] {
            if (--state->pending == 0 && state->waiting) wsserver_scheduler().wake(state->waiter);
        });
        if (hooked) state->pending++;
    }
    ZEND_HASH_FOREACH_END();
    if (state->pending == 0) RETURN_TRUE;
    state->waiting = true;
    ws::WakeReason reason = s.suspend(wsserver_timeout_ms(timeout), true);
    state->waiting = false;
    if (wsserver_coroutine_throw_pending()) RETURN_THROWS();
    RETURN_BOOL(reason == ws::WakeReason::kWoken);
}

ZEND_METHOD(Swoole_Coroutine, stats) {
    ZEND_PARSE_PARAMETERS_NONE();
    array_init(return_value);
    bool have = wsserver_coroutine_runtime_exists();
    ws::Scheduler *s = have ? &wsserver_scheduler() : nullptr;
    add_assoc_long(return_value, "event_num", s ? zend_long(s->fd_waiters()) : 0);
    add_assoc_long(return_value, "signal_listener_num", 0);
    for (const char *k : {"aio_task_num", "aio_worker_num", "aio_idle_worker_num", "aio_pending_release_worker_num",
                          "aio_peak_worker_num", "aio_created_worker_num", "aio_released_worker_num",
                          "aio_scale_up_count", "aio_scale_down_count", "aio_queue_size"}) {
        add_assoc_long(return_value, k, 0);
    }
    add_assoc_long(return_value, "c_stack_size", zend_long(have ? wsserver_coroutine_stack_size() : size_t(EG(fiber_stack_size))));
    add_assoc_long(return_value, "coroutine_num", s ? zend_long(s->count()) : 0);
    add_assoc_long(return_value, "coroutine_peak_num", s ? zend_long(s->peak_count()) : 0);
    add_assoc_long(return_value, "coroutine_last_cid", s ? zend_long(s->last_id()) : 0);
}

ZEND_METHOD(Swoole_Coroutine, getCid) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_LONG(wsserver_coroutine_runtime_exists() ? wsserver_scheduler().current_id() : -1);
}

ZEND_METHOD(Swoole_Coroutine, getPcid) {
    zend_long cid = 0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(cid)
    ZEND_PARSE_PARAMETERS_END();
    ws::Coroutine *co = coroutine_by_cid(cid);
    if (!co) RETURN_FALSE;
    RETURN_LONG(co->parent_id());
}

ZEND_METHOD(Swoole_Coroutine, getContext) {
    zend_long cid = 0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(cid)
    ZEND_PARSE_PARAMETERS_END();
    ws::Coroutine *co = coroutine_by_cid(cid);
    if (!co) RETURN_NULL();
    RETURN_OBJ_COPY(wsserver_coroutine_context_object(*co));
}

namespace {

// The backtrace of coroutine `cid` into return_value; false if there is no such coroutine.
bool fetch_backtrace(zval *return_value, zend_long cid, zend_long options, zend_long limit) {
    ws::Coroutine *co = coroutine_by_cid(cid);
    if (cid != 0 && !co) return false;
    if (!co || co == wsserver_scheduler().current()) {
        zend_fetch_debug_backtrace(return_value, 0, int(options), int(limit));
        return true;
    }
    // A suspended coroutine: walk its frames from where it stopped.
    zend_execute_data *saved = EG(current_execute_data);
    EG(current_execute_data) = wsserver_coroutine_saved_frame(*co);
    if (EG(current_execute_data)) {
        zend_fetch_debug_backtrace(return_value, 0, int(options), int(limit));
    } else {
        array_init(return_value);
    }
    EG(current_execute_data) = saved;
    return true;
}

}  // namespace

ZEND_METHOD(Swoole_Coroutine, getBackTrace) {
    zend_long cid = 0, options = DEBUG_BACKTRACE_PROVIDE_OBJECT, limit = 0;
    ZEND_PARSE_PARAMETERS_START(0, 3)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(cid)
        Z_PARAM_LONG(options)
        Z_PARAM_LONG(limit)
    ZEND_PARSE_PARAMETERS_END();
    if (!fetch_backtrace(return_value, cid, options, limit)) RETURN_FALSE;
}

ZEND_METHOD(Swoole_Coroutine, printBackTrace) {
    (void)return_value;
    zend_long cid = 0, options = 0, limit = 0;
    ZEND_PARSE_PARAMETERS_START(0, 3)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(cid)
        Z_PARAM_LONG(options)
        Z_PARAM_LONG(limit)
    ZEND_PARSE_PARAMETERS_END();
    zval trace;
    if (!fetch_backtrace(&trace, cid, options, limit)) return;
    zend_string *text = zend_trace_to_string(Z_ARRVAL(trace), false);
    ZEND_WRITE(ZSTR_VAL(text), ZSTR_LEN(text));
    zend_string_release(text);
    zval_ptr_dtor(&trace);
}

ZEND_METHOD(Swoole_Coroutine, getElapsed) {
    zend_long cid = 0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(cid)
    ZEND_PARSE_PARAMETERS_END();
    ws::Coroutine *co = coroutine_by_cid(cid);
    if (!co) RETURN_LONG(-1);
    RETURN_LONG(zend_long(wsserver_scheduler().now_ms() - co->start_ms()));
}

ZEND_METHOD(Swoole_Coroutine, getStackUsage) {
    zend_long cid = 0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(cid)
    ZEND_PARSE_PARAMETERS_END();
    ws::Coroutine *co = coroutine_by_cid(cid);
    if (!co) RETURN_FALSE;
    // Swoole's figure: over the pages of the coroutine's VM stack, the bytes from each
    // page's top to its end. Only the running coroutine's stack is reachable from here
    // (a suspended one's is saved inside coroutine_context.cc).
    if (co != wsserver_scheduler().current()) RETURN_FALSE;
    size_t usage = 0;
    for (zend_vm_stack page = EG(vm_stack); page; page = page->prev) {
        usage += size_t(page->end - page->top) * sizeof(zval);
    }
    RETURN_LONG(zend_long(usage));
}

ZEND_METHOD(Swoole_Coroutine, list) {
    ZEND_PARSE_PARAMETERS_NONE();
    zval ids;
    array_init(&ids);
    if (wsserver_coroutine_runtime_exists()) {
        for (ws::CoroutineId id : wsserver_scheduler().ids()) add_next_index_long(&ids, id);
    }
    return_iterator(return_value, wsserver_ce_coroutine_iterator, &ids);
    zval_ptr_dtor(&ids);
}

// ---------------------------------------------------------------------------------
// Swoole\Coroutine\System (Coroutine::sleep() is an alias)

ZEND_METHOD(Swoole_Coroutine_System, sleep) {
    double seconds;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_DOUBLE(seconds)
    ZEND_PARSE_PARAMETERS_END();
    if (seconds < 0.001) {
        php_error_docref(nullptr, E_WARNING, "Timer must be greater than or equal to 0.001");
        RETURN_FALSE;
    }
    if (!wsserver_current_coroutine_or_throw()) RETURN_THROWS();
    ws::WakeReason r = wsserver_scheduler().sleep(uint64_t(wsserver_timeout_ms(seconds)));
    if (wsserver_coroutine_throw_pending()) RETURN_THROWS();
    RETURN_BOOL(r != ws::WakeReason::kCanceled);
}

void wsserver_register_coroutine_classes() {
    ZVAL_UNDEF(&g_options);
    zend_class_entry ce;
    INIT_NS_CLASS_ENTRY(ce, "Swoole", "Error", nullptr);
    wsserver_ce_swoole_error = zend_register_internal_class_ex(&ce, zend_ce_error);

    wsserver_ce_coroutine = register_class_Swoole_Coroutine();
    wsserver_ce_coroutine_context = register_class_Swoole_Coroutine_Context(spl_ce_ArrayObject);
    wsserver_ce_coroutine_iterator = register_class_Swoole_Coroutine_Iterator(spl_ce_ArrayIterator);
    wsserver_ce_coroutine_system = register_class_Swoole_Coroutine_System();
    register_class_Swoole_Timer();
    wsserver_ce_timer_iterator = register_class_Swoole_Timer_Iterator(spl_ce_ArrayIterator);
    register_class_Swoole_Event();
    zend_class_entry *channel = register_class_Swoole_Coroutine_Channel();
    wsserver_init_channel_class(channel);
    zend_class_entry *wait_group = register_class_Swoole_Coroutine_WaitGroup();
    wsserver_init_wait_group_class(wait_group);
    wsserver_ce_coroutine_canceled_exception = register_class_Swoole_Coroutine_CanceledException(zend_ce_exception);
    wsserver_init_barrier_class(register_class_Swoole_Coroutine_Barrier());
    // The swoole_event_*() functions of this stub (the older ones are in wsserver.stub.php).
    zend_register_functions(nullptr, ext_functions, nullptr, MODULE_PERSISTENT);

    zend_register_class_alias("Co", wsserver_ce_coroutine);
    zend_register_class_alias("Co\\Channel", channel);
    zend_register_class_alias("Chan", channel);
    zend_register_class_alias("Co\\WaitGroup", wait_group);
    zend_register_class_alias("Co\\Context", wsserver_ce_coroutine_context);
    zend_register_class_alias("Co\\Iterator", wsserver_ce_coroutine_iterator);
    zend_register_class_alias("Co\\System", wsserver_ce_coroutine_system);
}
