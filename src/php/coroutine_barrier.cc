// Swoole\Coroutine\Barrier: Swoole's is PHP code in its library; this is the same
// behaviour natively. Barrier::wait($barrier) drops the caller's reference and suspends
// until the barrier object is destroyed, that is until every other holder (typically
// the coroutines that captured it) has let it go, or until the timeout.
#include "php/coroutine_extras.h"

#include "zend_exceptions.h"

#include <cstring>

namespace ws = wsserver;

namespace {

// Shared by the object and its waiter: the object may go while the waiter sleeps, and
// the waiter may return (timeout) while the object lives on.
struct BarrierState {
    ws::CoroutineId waiter = -1;  // set once wait() was called
    bool waiting = false;         // the waiter is suspended in wait()
    bool released = false;        // the object was destroyed
};

zend_object_handlers barrier_handlers;

struct BarrierObject {
    std::shared_ptr<BarrierState> state;
    zend_object std;
};

zend_object *barrier_create(zend_class_entry *ce) {
    auto *o = new_object<BarrierObject>(ce, barrier_handlers);
    construct_member(o->state, std::make_shared<BarrierState>());
    return &o->std;
}

// The last reference is gone: the waiter, if it sleeps, is woken (in Swoole, __destruct
// resumes it). Through the runnable queue, not nested: PHP blocks fiber switches while a
// destructor runs, and the waiter would run in that state (no go(), no Fiber).
void barrier_dtor(zend_object *obj) {
    auto *o = object_from<BarrierObject>(obj);
    std::shared_ptr<BarrierState> st = o->state;
    zend_objects_destroy_object(obj);
    if (!st || st->released) return;
    st->released = true;
    if (st->waiting && wsserver_coroutine_runtime_exists()) {
        ws::Scheduler &s = wsserver_scheduler();
        if (s.current_id() != st->waiter) s.wake_later(st->waiter);
    }
}

void barrier_free(zend_object *obj) {
    auto *o = object_from<BarrierObject>(obj);
    destroy_member(o->state);
    zend_object_std_dtor(obj);
}

}  // namespace

ZEND_METHOD(Swoole_Coroutine_Barrier, make) {
    ZEND_PARSE_PARAMETERS_NONE();
    object_init_ex(return_value, EX(func)->common.scope);  // new self(), as in Swoole
}

ZEND_METHOD(Swoole_Coroutine_Barrier, wait) {
    (void)return_value;
    zval *zbarrier;
    double timeout = -1;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_ZVAL(zbarrier)  // by reference: an object of this class (arginfo checks it)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    zval *target = Z_ISREF_P(zbarrier) ? Z_REFVAL_P(zbarrier) : zbarrier;
    if (Z_TYPE_P(target) != IS_OBJECT) RETURN_THROWS();
    std::shared_ptr<BarrierState> st = object_from<BarrierObject>(Z_OBJ_P(target))->state;
    if (st->waiter != -1) {
        zend_throw_exception(wsserver_ce_exception, "The barrier is waiting, cannot wait again.", 0);
        RETURN_THROWS();
    }
    ws::Coroutine *self = wsserver_current_coroutine_or_throw();
    if (!self) RETURN_THROWS();
    st->waiter = self->id();
    // The caller's reference goes; if it was the last one, there is nothing to wait for.
    ZEND_TRY_ASSIGN_REF_NULL(zbarrier);
    if (st->released) return;
    st->waiting = true;
    wsserver_scheduler().suspend(wsserver_timeout_ms(timeout), true);
    st->waiting = false;
    wsserver_coroutine_throw_pending();
}

void wsserver_init_barrier_class(zend_class_entry *ce) {
    ce->create_object = barrier_create;
    std::memcpy(&barrier_handlers, zend_get_std_object_handlers(), sizeof barrier_handlers);
    barrier_handlers.offset = XtOffsetOf(BarrierObject, std);
    barrier_handlers.dtor_obj = barrier_dtor;
    barrier_handlers.free_obj = barrier_free;
    barrier_handlers.clone_obj = nullptr;
}
