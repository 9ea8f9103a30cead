// Swoole\Atomic and Swoole\Atomic\Long: thin wrappers over the shared counters of
// core/table/shared_atomic.h. The counter is mapped when the object is created, so one
// made before start() is shared by every process of the server.
#include "php/classes.h"

#include "zend_exceptions.h"

#include <cstring>
#include <optional>

#include "core/table/shared_atomic.h"
#include "stubs/atomic_arginfo.h"

zend_class_entry *wsserver_ce_atomic = nullptr;
zend_class_entry *wsserver_ce_atomic_long = nullptr;

namespace {

namespace ws = wsserver;

template <class Counter>
struct CounterObject {
    std::optional<Counter> counter;
    zend_object std;
};
using AtomicObject = CounterObject<ws::SharedAtomic32>;
using AtomicLongObject = CounterObject<ws::SharedAtomic64>;

zend_object_handlers atomic_handlers;
zend_object_handlers atomic_long_handlers;

template <class Object, class Counter>
zend_object *counter_create(zend_class_entry *ce, const zend_object_handlers &handlers) {
    auto *o = new_object<Object>(ce, handlers);
    construct_member(o->counter);
    auto made = Counter::create(0);
    if (made) {
        o->counter.emplace(std::move(*made));
    } else {
        zend_throw_exception_ex(wsserver_ce_exception, made.error().code, "global memory allocation failure: %s",
                                made.error().message.c_str());
    }
    return &o->std;
}

template <class Object>
void counter_free(zend_object *obj) {
    auto *o = object_from<Object>(obj);
    destroy_member(o->counter);
    zend_object_std_dtor(obj);
}

zend_object *atomic_create(zend_class_entry *ce) {
    return counter_create<AtomicObject, ws::SharedAtomic32>(ce, atomic_handlers);
}
zend_object *atomic_long_create(zend_class_entry *ce) {
    return counter_create<AtomicLongObject, ws::SharedAtomic64>(ce, atomic_long_handlers);
}

// The counter of $this, or null after an Error was thrown (mapping failed at creation).
template <class Object>
auto *counter_of(zval *this_zv) {
    auto &counter = object_from<Object>(Z_OBJ_P(this_zv))->counter;
    if (!counter) {
        zend_throw_error(nullptr, "%s: the shared counter could not be created", ZSTR_VAL(Z_OBJCE_P(this_zv)->name));
        return static_cast<decltype(&*counter)>(nullptr);
    }
    return &*counter;
}

void init_handlers(zend_class_entry *ce, zend_object_handlers &handlers, zend_object *(*create)(zend_class_entry *),
                   size_t offset, void (*free_obj)(zend_object *)) {
    ce->create_object = create;
    std::memcpy(&handlers, zend_get_std_object_handlers(), sizeof(handlers));
    handlers.offset = static_cast<int>(offset);
    handlers.free_obj = free_obj;
    handlers.clone_obj = nullptr;  // a clone would share the counter silently: refused, as Swoole
}

}  // namespace

// Swoole casts to 32 bits: values wrap modulo 2^32, results are 0..4294967295.
ZEND_METHOD(Swoole_Atomic, __construct) {
    (void)return_value;
    zend_long value = 0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(value)
    ZEND_PARSE_PARAMETERS_END();
    if (auto *c = counter_of<AtomicObject>(ZEND_THIS)) c->set(static_cast<uint32_t>(value));
}

ZEND_METHOD(Swoole_Atomic, add) {
    zend_long n = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(n)
    ZEND_PARSE_PARAMETERS_END();
    auto *c = counter_of<AtomicObject>(ZEND_THIS);
    if (!c) RETURN_THROWS();
    RETURN_LONG(c->add(static_cast<uint32_t>(n)));
}

ZEND_METHOD(Swoole_Atomic, sub) {
    zend_long n = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(n)
    ZEND_PARSE_PARAMETERS_END();
    auto *c = counter_of<AtomicObject>(ZEND_THIS);
    if (!c) RETURN_THROWS();
    RETURN_LONG(c->sub(static_cast<uint32_t>(n)));
}

ZEND_METHOD(Swoole_Atomic, get) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto *c = counter_of<AtomicObject>(ZEND_THIS);
    if (!c) RETURN_THROWS();
    RETURN_LONG(c->get());
}

ZEND_METHOD(Swoole_Atomic, set) {
    zend_long value;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_LONG(value)
    ZEND_PARSE_PARAMETERS_END();
    auto *c = counter_of<AtomicObject>(ZEND_THIS);
    if (!c) RETURN_THROWS();
    c->set(static_cast<uint32_t>(value));
}

ZEND_METHOD(Swoole_Atomic, cmpset) {
    zend_long expected, desired;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_LONG(expected)
    Z_PARAM_LONG(desired)
    ZEND_PARSE_PARAMETERS_END();
    auto *c = counter_of<AtomicObject>(ZEND_THIS);
    if (!c) RETURN_THROWS();
    RETURN_BOOL(c->cmpset(static_cast<uint32_t>(expected), static_cast<uint32_t>(desired)));
}

ZEND_METHOD(Swoole_Atomic, wait) {
    double timeout = 1.0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    auto *c = counter_of<AtomicObject>(ZEND_THIS);
    if (!c) RETURN_THROWS();
    RETURN_BOOL(c->wait(timeout));
}

ZEND_METHOD(Swoole_Atomic, wakeup) {
    zend_long count = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(count)
    ZEND_PARSE_PARAMETERS_END();
    auto *c = counter_of<AtomicObject>(ZEND_THIS);
    if (!c) RETURN_THROWS();
    const int n = count < 1 ? 1 : (count > INT32_MAX ? INT32_MAX : static_cast<int>(count));
    RETURN_BOOL(c->wakeup(n));
}

ZEND_METHOD(Swoole_Atomic_Long, __construct) {
    (void)return_value;
    zend_long value = 0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(value)
    ZEND_PARSE_PARAMETERS_END();
    if (auto *c = counter_of<AtomicLongObject>(ZEND_THIS)) c->set(value);
}

ZEND_METHOD(Swoole_Atomic_Long, add) {
    zend_long n = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(n)
    ZEND_PARSE_PARAMETERS_END();
    auto *c = counter_of<AtomicLongObject>(ZEND_THIS);
    if (!c) RETURN_THROWS();
    RETURN_LONG(c->add(n));
}

ZEND_METHOD(Swoole_Atomic_Long, sub) {
    zend_long n = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(n)
    ZEND_PARSE_PARAMETERS_END();
    auto *c = counter_of<AtomicLongObject>(ZEND_THIS);
    if (!c) RETURN_THROWS();
    RETURN_LONG(c->sub(n));
}

ZEND_METHOD(Swoole_Atomic_Long, get) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto *c = counter_of<AtomicLongObject>(ZEND_THIS);
    if (!c) RETURN_THROWS();
    RETURN_LONG(c->get());
}

ZEND_METHOD(Swoole_Atomic_Long, set) {
    zend_long value;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_LONG(value)
    ZEND_PARSE_PARAMETERS_END();
    auto *c = counter_of<AtomicLongObject>(ZEND_THIS);
    if (!c) RETURN_THROWS();
    c->set(value);
}

ZEND_METHOD(Swoole_Atomic_Long, cmpset) {
    zend_long expected, desired;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_LONG(expected)
    Z_PARAM_LONG(desired)
    ZEND_PARSE_PARAMETERS_END();
    auto *c = counter_of<AtomicLongObject>(ZEND_THIS);
    if (!c) RETURN_THROWS();
    RETURN_BOOL(c->cmpset(expected, desired));
}

void wsserver_register_atomic_classes() {
    wsserver_ce_atomic = register_class_Swoole_Atomic();
    init_handlers(wsserver_ce_atomic, atomic_handlers, atomic_create, XtOffsetOf(AtomicObject, std),
                  counter_free<AtomicObject>);
    wsserver_ce_atomic_long = register_class_Swoole_Atomic_Long();
    init_handlers(wsserver_ce_atomic_long, atomic_long_handlers, atomic_long_create, XtOffsetOf(AtomicLongObject, std),
                  counter_free<AtomicLongObject>);
}
