// Swoole\Coroutine\Channel (alias Co\Channel, Chan) and Swoole\Coroutine\WaitGroup on the
// engine's Channel<T> and WaitGroup (src/core/coroutine/).
#include "php/coroutine_extras.h"

#include "zend_exceptions.h"
#include "ext/spl/spl_exceptions.h"

#include <cstring>
#include <optional>

#include "core/coroutine/channel.h"
#include "core/coroutine/wait_group.h"

namespace ws = wsserver;

namespace {

// A PHP value owned by the channel while it is queued.
class OwnedZval {
public:
    explicit OwnedZval(zval *v) { ZVAL_COPY(&value_, v); }
    OwnedZval(OwnedZval &&other) noexcept {
        ZVAL_COPY_VALUE(&value_, &other.value_);
        ZVAL_UNDEF(&other.value_);
    }
    OwnedZval &operator=(OwnedZval &&other) noexcept {
        if (this != &other) {
            zval_ptr_dtor(&value_);
            ZVAL_COPY_VALUE(&value_, &other.value_);
            ZVAL_UNDEF(&other.value_);
        }
        return *this;
    }
    OwnedZval(const OwnedZval &) = delete;
    OwnedZval &operator=(const OwnedZval &) = delete;
    ~OwnedZval() { zval_ptr_dtor(&value_); }

    // Hands the value to `out` (a return value); this object is left empty.
    void move_to(zval *out) {
        ZVAL_COPY_VALUE(out, &value_);
        ZVAL_UNDEF(&value_);
    }
    zval *get() { return &value_; }

private:
    zval value_;
};

using PhpChannel = ws::Channel<OwnedZval>;

// ---------------------------------------------------------------------------------
// Channel

zend_object_handlers channel_handlers;

struct ChannelObject {
    std::unique_ptr<PhpChannel> channel;
    zend_object std;
};

zend_object *channel_create(zend_class_entry *ce) {
    auto *o = new_object<ChannelObject>(ce, channel_handlers);
    construct_member(o->channel);
    return &o->std;
}

void channel_free(zend_object *obj) {
    auto *o = object_from<ChannelObject>(obj);
    destroy_member(o->channel);
    zend_object_std_dtor(obj);
}

// What the channel holds is reachable from it: a queued object that refers back to the
// channel makes a cycle PHP's collector must see.
HashTable *channel_get_gc(zend_object *obj, zval **table, int *n) {
    auto *o = object_from<ChannelObject>(obj);
    zend_get_gc_buffer *buf = zend_get_gc_buffer_create();
    if (o->channel) o->channel->for_each_value([buf](OwnedZval &v) { zend_get_gc_buffer_add_zval(buf, v.get()); });
    zend_get_gc_buffer_use(buf, table, n);
    return zend_std_get_properties(obj);
}

PhpChannel *channel_of(zval *self) {
    auto *o = object_from<ChannelObject>(Z_OBJ_P(self));
    if (!o->channel) zend_throw_error(nullptr, "Swoole\\Coroutine\\Channel: must call constructor first");
    return o->channel.get();
}

// The slot of the declared errCode property (found in MINIT): every push() and pop() sets
// it, and a write by name (a hash lookup through the write_property handler) was a
// quarter of a channel round trip.
uint32_t err_code_offset = 0;

void set_err_code(zval *self, ws::ChannelError err) {
    const zend_long code = zend_long(int(err));
    if (err_code_offset == 0) {
        zend_update_property_long(Z_OBJCE_P(self), Z_OBJ_P(self), ZEND_STRL("errCode"), code);
        return;
    }
    zval *slot = OBJ_PROP(Z_OBJ_P(self), err_code_offset);
    if (Z_TYPE_P(slot) == IS_LONG) {
        Z_LVAL_P(slot) = code;
        return;
    }
    zval old;
    ZVAL_COPY_VALUE(&old, slot);
    ZVAL_LONG(slot, code);
    zval_ptr_dtor(&old);
}

// ---------------------------------------------------------------------------------
// WaitGroup

zend_object_handlers wait_group_handlers;

struct WaitGroupObject {
    std::unique_ptr<ws::WaitGroup> group;
    bool waiting;
    zend_object std;
};

zend_object *wait_group_create(zend_class_entry *ce) {
    auto *o = new_object<WaitGroupObject>(ce, wait_group_handlers);
    construct_member(o->group, std::make_unique<ws::WaitGroup>(wsserver_scheduler()));
    o->waiting = false;
    return &o->std;
}

void wait_group_free(zend_object *obj) {
    auto *o = object_from<WaitGroupObject>(obj);
    destroy_member(o->group);
    zend_object_std_dtor(obj);
}

WaitGroupObject *wait_group_of(zval *self) { return object_from<WaitGroupObject>(Z_OBJ_P(self)); }

}  // namespace

ZEND_METHOD(Swoole_Coroutine_Channel, __construct) {
    (void)return_value;
    zend_long size = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(size)
    ZEND_PARSE_PARAMETERS_END();
    auto *o = object_from<ChannelObject>(Z_OBJ_P(ZEND_THIS));
    if (o->channel) {
        zend_throw_error(nullptr, "Swoole\\Coroutine\\Channel: channel has already been constructed");
        RETURN_THROWS();
    }
    if (size <= 0) size = 1;
    o->channel = std::make_unique<PhpChannel>(wsserver_scheduler(), size_t(size));
    zend_update_property_long(Z_OBJCE_P(ZEND_THIS), Z_OBJ_P(ZEND_THIS), ZEND_STRL("capacity"), size);
}

ZEND_METHOD(Swoole_Coroutine_Channel, push) {
    zval *data;
    double timeout = -1;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_ZVAL(data)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    PhpChannel *ch = channel_of(ZEND_THIS);
    if (!ch) RETURN_THROWS();
    if (!wsserver_current_coroutine_or_throw()) RETURN_THROWS();
    zval self;
    ZVAL_COPY(&self, ZEND_THIS);  // the object must outlive the wait
    bool ok = ch->push(OwnedZval(data), wsserver_timeout_ms(timeout));
    set_err_code(&self, ch->error());
    zval_ptr_dtor(&self);
    if (wsserver_coroutine_throw_pending()) RETURN_THROWS();
    RETURN_BOOL(ok);
}

ZEND_METHOD(Swoole_Coroutine_Channel, pop) {
    double timeout = -1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    PhpChannel *ch = channel_of(ZEND_THIS);
    if (!ch) RETURN_THROWS();
    if (!wsserver_current_coroutine_or_throw()) RETURN_THROWS();
    zval self;
    ZVAL_COPY(&self, ZEND_THIS);
    std::optional<OwnedZval> v = ch->pop(wsserver_timeout_ms(timeout));
    set_err_code(&self, ch->error());
    zval_ptr_dtor(&self);
    if (wsserver_coroutine_throw_pending()) RETURN_THROWS();
    if (!v) RETURN_FALSE;
    v->move_to(return_value);
}

ZEND_METHOD(Swoole_Coroutine_Channel, isEmpty) {
    ZEND_PARSE_PARAMETERS_NONE();
    PhpChannel *ch = channel_of(ZEND_THIS);
    if (!ch) RETURN_THROWS();
    RETURN_BOOL(ch->empty());
}

ZEND_METHOD(Swoole_Coroutine_Channel, isFull) {
    ZEND_PARSE_PARAMETERS_NONE();
    PhpChannel *ch = channel_of(ZEND_THIS);
    if (!ch) RETURN_THROWS();
    RETURN_BOOL(ch->full());
}

ZEND_METHOD(Swoole_Coroutine_Channel, close) {
    ZEND_PARSE_PARAMETERS_NONE();
    PhpChannel *ch = channel_of(ZEND_THIS);
    if (!ch) RETURN_THROWS();
    zval self;
    ZVAL_COPY(&self, ZEND_THIS);  // waking the waiters runs PHP code that may drop it
    bool ok = ch->close();
    zval_ptr_dtor(&self);
    RETURN_BOOL(ok);
}

ZEND_METHOD(Swoole_Coroutine_Channel, stats) {
    ZEND_PARSE_PARAMETERS_NONE();
    PhpChannel *ch = channel_of(ZEND_THIS);
    if (!ch) RETURN_THROWS();
    array_init(return_value);
    add_assoc_long(return_value, "consumer_num", zend_long(ch->consumer_count()));
    add_assoc_long(return_value, "producer_num", zend_long(ch->producer_count()));
    add_assoc_long(return_value, "queue_num", zend_long(ch->length()));
}

ZEND_METHOD(Swoole_Coroutine_Channel, length) {
    ZEND_PARSE_PARAMETERS_NONE();
    PhpChannel *ch = channel_of(ZEND_THIS);
    if (!ch) RETURN_THROWS();
    RETURN_LONG(zend_long(ch->length()));
}

// ---------------------------------------------------------------------------------
// WaitGroup: Swoole's is PHP code in its library; these are its checks and messages.

ZEND_METHOD(Swoole_Coroutine_WaitGroup, __construct) {
    (void)return_value;
    zend_long delta = 0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(delta)
    ZEND_PARSE_PARAMETERS_END();
    if (delta < 0) {
        zend_throw_exception(spl_ce_InvalidArgumentException, "WaitGroup misuse: negative counter", 0);
        RETURN_THROWS();
    }
    wait_group_of(ZEND_THIS)->group->add(delta);
}

ZEND_METHOD(Swoole_Coroutine_WaitGroup, add) {
    (void)return_value;
    zend_long delta = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(delta)
    ZEND_PARSE_PARAMETERS_END();
    WaitGroupObject *o = wait_group_of(ZEND_THIS);
    if (o->waiting) {
        zend_throw_exception(spl_ce_BadMethodCallException, "WaitGroup misuse: add called concurrently with wait", 0);
        RETURN_THROWS();
    }
    if (!o->group->add(delta)) {
        zend_throw_exception(spl_ce_InvalidArgumentException, "WaitGroup misuse: negative counter", 0);
        RETURN_THROWS();
    }
}

ZEND_METHOD(Swoole_Coroutine_WaitGroup, done) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    zval self;
    ZVAL_COPY(&self, ZEND_THIS);  // done() may run the waiter, which may drop the group
    bool ok = wait_group_of(&self)->group->done();
    zval_ptr_dtor(&self);
    if (!ok) {
        zend_throw_exception(spl_ce_BadMethodCallException, "WaitGroup misuse: negative counter", 0);
        RETURN_THROWS();
    }
}

ZEND_METHOD(Swoole_Coroutine_WaitGroup, wait) {
    double timeout = -1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    WaitGroupObject *o = wait_group_of(ZEND_THIS);
    if (o->waiting) {
        zend_throw_exception(spl_ce_BadMethodCallException,
                             "WaitGroup misuse: reused before previous wait has returned", 0);
        RETURN_THROWS();
    }
    if (o->group->count() == 0) RETURN_TRUE;
    if (!wsserver_current_coroutine_or_throw()) RETURN_THROWS();
    zval self;
    ZVAL_COPY(&self, ZEND_THIS);
    o->waiting = true;
    bool ok = o->group->wait(wsserver_timeout_ms(timeout));
    o->waiting = false;
    zval_ptr_dtor(&self);
    if (wsserver_coroutine_throw_pending()) RETURN_THROWS();
    RETURN_BOOL(ok);
}

ZEND_METHOD(Swoole_Coroutine_WaitGroup, count) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_LONG(zend_long(wait_group_of(ZEND_THIS)->group->count()));
}

void wsserver_init_channel_class(zend_class_entry *ce) {
    ce->create_object = channel_create;
    std::memcpy(&channel_handlers, zend_get_std_object_handlers(), sizeof channel_handlers);
    channel_handlers.offset = XtOffsetOf(ChannelObject, std);
    channel_handlers.free_obj = channel_free;
    channel_handlers.get_gc = channel_get_gc;
    channel_handlers.clone_obj = nullptr;
    auto *info = static_cast<zend_property_info *>(zend_hash_str_find_ptr(&ce->properties_info, ZEND_STRL("errCode")));
    if (info && !(info->flags & ZEND_ACC_STATIC)) err_code_offset = info->offset;
}

void wsserver_init_wait_group_class(zend_class_entry *ce) {
    ce->create_object = wait_group_create;
    std::memcpy(&wait_group_handlers, zend_get_std_object_handlers(), sizeof wait_group_handlers);
    wait_group_handlers.offset = XtOffsetOf(WaitGroupObject, std);
    wait_group_handlers.free_obj = wait_group_free;
    wait_group_handlers.clone_obj = nullptr;
}
