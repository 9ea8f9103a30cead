// Swoole\Lock: a thin wrapper over core/table/shared_lock.h. lock() and unlock() return
// true, or false with the errno in $errCode, as Swoole's do.
#include "php/classes.h"

#include "zend_exceptions.h"

#include <sys/file.h>

#include <cstring>
#include <optional>

#include "core/table/shared_lock.h"
#include "stubs/lock_arginfo.h"

zend_class_entry *wsserver_ce_lock = nullptr;

namespace {

namespace ws = wsserver;

constexpr zend_long kMutex = 3;
constexpr zend_long kReadWrite = 1;
constexpr zend_long kSpin = 5;

struct LockObject {
    std::optional<ws::SharedLock> lock;
    zend_object std;
};

zend_object_handlers lock_handlers;

zend_object *lock_create(zend_class_entry *ce) {
    auto *o = new_object<LockObject>(ce, lock_handlers);
    construct_member(o->lock);
    return &o->std;
}

void lock_free(zend_object *obj) {
    auto *o = object_from<LockObject>(obj);
    destroy_member(o->lock);
    zend_object_std_dtor(obj);
}

ws::SharedLock *lock_of(zval *this_zv) {
    auto &lock = object_from<LockObject>(Z_OBJ_P(this_zv))->lock;
    if (!lock) {
        zend_throw_error(nullptr, "must call constructor first");
        return nullptr;
    }
    return &*lock;
}

void lock_result(zval *this_zv, int error, zval *return_value) {
    if (error == 0) {
        RETURN_TRUE;
    }
    zend_update_property_long(Z_OBJCE_P(this_zv), Z_OBJ_P(this_zv), ZEND_STRL("errCode"), error);
    RETURN_FALSE;
}

}  // namespace

ZEND_METHOD(Swoole_Lock, __construct) {
    zend_long type = kMutex;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(type)
    ZEND_PARSE_PARAMETERS_END();
    auto &lock = object_from<LockObject>(Z_OBJ_P(ZEND_THIS))->lock;
    if (lock) {
        zend_throw_error(nullptr, "Constructor of %s can only be called once", ZSTR_VAL(Z_OBJCE_P(ZEND_THIS)->name));
        RETURN_THROWS();
    }
    ws::SharedLock::Kind kind;
    switch (type) {
        case kMutex:
            kind = ws::SharedLock::Kind::kMutex;
            break;
        case kReadWrite:
            kind = ws::SharedLock::Kind::kReadWrite;
            break;
        case kSpin:
            kind = ws::SharedLock::Kind::kSpin;
            break;
        default:
            zend_throw_exception_ex(wsserver_ce_exception, 0, "lock type[" ZEND_LONG_FMT "] is not support", type);
            RETURN_THROWS();
    }
    auto made = ws::SharedLock::create(kind);
    if (!made) {
        zend_throw_exception_ex(wsserver_ce_exception, made.error().code, "%s", made.error().message.c_str());
        RETURN_THROWS();
    }
    lock.emplace(std::move(*made));
}

ZEND_METHOD(Swoole_Lock, lock) {
    zend_long operation = LOCK_EX;
    double timeout = -1;
    ZEND_PARSE_PARAMETERS_START(0, 2)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(operation)
    Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    auto *lock = lock_of(ZEND_THIS);
    if (!lock) RETURN_THROWS();
    // Swoole's rule: whole milliseconds, and no positive number of them means no limit.
    const double ms = timeout * 1000.0;
    const long timeout_ms = ms >= 1.0 ? (ms > 86400000.0 * 365 ? 86400000L * 365 : static_cast<long>(ms)) : -1;
    lock_result(ZEND_THIS, lock->lock((operation & LOCK_SH) != 0, (operation & LOCK_NB) != 0, timeout_ms),
                return_value);
}

ZEND_METHOD(Swoole_Lock, unlock) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto *lock = lock_of(ZEND_THIS);
    if (!lock) RETURN_THROWS();
    lock_result(ZEND_THIS, lock->unlock(), return_value);
}

void wsserver_register_lock_class() {
    wsserver_ce_lock = register_class_Swoole_Lock();
    wsserver_ce_lock->create_object = lock_create;
    std::memcpy(&lock_handlers, zend_get_std_object_handlers(), sizeof(lock_handlers));
    lock_handlers.offset = XtOffsetOf(LockObject, std);
    lock_handlers.free_obj = lock_free;
    lock_handlers.clone_obj = nullptr;
}
