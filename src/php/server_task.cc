// Swoole\Server\Task: what onTask($server, $task) receives when task_enable_coroutine or
// task_object is on. It remembers which task of which worker it answers, so finish()
// works from any coroutine, however many tasks the task worker runs at once.
#include "php/classes.h"
#include "php/server_internal.h"

#include "zend_exceptions.h"

#include <sys/time.h>

#include <cstring>
#include <string>

#include "stubs/server_task_arginfo.h"

namespace ws = wsserver;

zend_class_entry *wsserver_ce_server_task = nullptr;

namespace {

zend_object_handlers task_handlers;

// Task::pack()'s string: a tag, the PackedValue flags (little endian), then the bytes.
constexpr char kPackTag[4] = {'W', 'S', 'T', 'K'};
constexpr size_t kPackHead = sizeof kPackTag + 4;

struct TaskObject {
    zval server;  // the Swoole\Server (a reference)
    int64_t task_id;
    int32_t src_worker;
    bool finished;
    zend_object std;
};

TaskObject *task_from(zend_object *obj) { return object_from<TaskObject>(obj); }

zend_object *task_create(zend_class_entry *ce) {
    auto *t = new_object<TaskObject>(ce, task_handlers);
    ZVAL_UNDEF(&t->server);
    t->task_id = -1;
    t->src_worker = -1;
    t->finished = false;
    return &t->std;
}

void task_free(zend_object *obj) {
    TaskObject *t = task_from(obj);
    zval_ptr_dtor(&t->server);
    ZVAL_UNDEF(&t->server);
    zend_object_std_dtor(obj);
}

HashTable *task_get_gc(zend_object *obj, zval **table, int *n) {
    TaskObject *t = task_from(obj);
    *table = Z_ISUNDEF(t->server) ? nullptr : &t->server;
    *n = Z_ISUNDEF(t->server) ? 0 : 1;
    return zend_std_get_properties(obj);
}

}  // namespace

void wsserver_make_task(zval *out, ServerObject *o, int64_t task_id, int32_t src_worker, zval *data, uint32_t flags) {
    object_init_ex(out, wsserver_ce_server_task);
    TaskObject *t = task_from(Z_OBJ_P(out));
    ZVAL_OBJ_COPY(&t->server, &o->std);
    t->task_id = task_id;
    t->src_worker = src_worker;
    zend_object *obj = Z_OBJ_P(out);
    zend_update_property(wsserver_ce_server_task, obj, ZEND_STRL("data"), data);
    struct timeval now;
    gettimeofday(&now, nullptr);
    zend_update_property_double(wsserver_ce_server_task, obj, ZEND_STRL("dispatch_time"),
                                double(now.tv_sec) + double(now.tv_usec) / 1e6);
    zend_update_property_long(wsserver_ce_server_task, obj, ZEND_STRL("id"), task_id);
    zend_update_property_long(wsserver_ce_server_task, obj, ZEND_STRL("worker_id"), src_worker);
    zend_update_property_long(wsserver_ce_server_task, obj, ZEND_STRL("flags"), flags);
}

bool wsserver_task_finished(zval *task) { return task_from(Z_OBJ_P(task))->finished; }

ZEND_METHOD(Swoole_Server_Task, finish) {
    zval *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ZVAL(data)
    ZEND_PARSE_PARAMETERS_END();
    TaskObject *t = task_from(Z_OBJ_P(ZEND_THIS));
    ServerObject *o = Z_ISUNDEF(t->server) ? nullptr : wsserver_server_from(Z_OBJ(t->server));
    ws::Server *s = o && o->impl ? o->impl->server.get() : nullptr;
    if (!s || !o->impl->running) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        RETURN_FALSE;
    }
    PackedValue packed;
    if (!packed.pack(data)) RETURN_THROWS();
    t->finished = true;
    RETURN_BOOL(s->send_finish(t->src_worker, t->task_id, packed.bytes, packed.flags));
}

ZEND_METHOD(Swoole_Server_Task, pack) {
    zval *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ZVAL(data)
    ZEND_PARSE_PARAMETERS_END();
    PackedValue packed;
    if (!packed.pack(data)) RETURN_THROWS();
    zend_string *out = zend_string_alloc(kPackHead + packed.bytes.size(), 0);
    char *p = ZSTR_VAL(out);
    std::memcpy(p, kPackTag, sizeof kPackTag);
    for (int i = 0; i < 4; i++) p[sizeof kPackTag + i] = char((packed.flags >> (8 * i)) & 0xff);
    if (!packed.bytes.empty()) std::memcpy(p + kPackHead, packed.bytes.data(), packed.bytes.size());
    p[kPackHead + packed.bytes.size()] = '\0';
    RETURN_NEW_STR(out);
}

ZEND_METHOD(Swoole_Server_Task, unpack) {
    zend_string *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    const char *p = ZSTR_VAL(data);
    if (ZSTR_LEN(data) < kPackHead || std::memcmp(p, kPackTag, sizeof kPackTag) != 0) {
        php_error_docref(nullptr, E_WARNING, "invalid task package");
        RETURN_FALSE;
    }
    uint32_t flags = 0;
    for (int i = 0; i < 4; i++) flags |= uint32_t(uint8_t(p[sizeof kPackTag + i])) << (8 * i);
    wsserver_unpack_value(return_value, std::string_view(p + kPackHead, ZSTR_LEN(data) - kPackHead), flags);
}

void wsserver_register_server_task_class() {
    wsserver_ce_server_task = register_class_Swoole_Server_Task();
    wsserver_ce_server_task->create_object = task_create;
    std::memcpy(&task_handlers, zend_get_std_object_handlers(), sizeof(task_handlers));
    task_handlers.offset = XtOffsetOf(TaskObject, std);
    task_handlers.free_obj = task_free;
    task_handlers.get_gc = task_get_gc;
    task_handlers.clone_obj = nullptr;
}
