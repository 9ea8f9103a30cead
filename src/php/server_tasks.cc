// Swoole\Server's messages between workers: sendMessage() to any worker, task() and its
// blocking forms (taskwait, taskWaitMulti, taskCo) to the task workers, finish() back from
// them, and the packing of the values they carry.
#include "php/classes.h"
#include "php/server_internal.h"

extern "C" {
#include "ext/standard/php_var.h"  // declared without C linkage
}

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace ws = wsserver;

namespace {

// Values sent between workers (sendMessage, task, finish): strings travel as they are,
// anything else serialized (flag kSerialized).
constexpr uint32_t kSerialized = 1;

}  // namespace

bool PackedValue::pack(zval *value) {
    if (Z_TYPE_P(value) == IS_STRING) {
        bytes = std::string_view(Z_STRVAL_P(value), Z_STRLEN_P(value));
        return true;
    }
    php_serialize_data_t var_hash;
    PHP_VAR_SERIALIZE_INIT(var_hash);
    php_var_serialize(&buf, value, &var_hash);
    PHP_VAR_SERIALIZE_DESTROY(var_hash);
    if (EG(exception)) return false;
    bytes = buf.s ? std::string_view(ZSTR_VAL(buf.s), ZSTR_LEN(buf.s)) : std::string_view();
    flags = kSerialized;
    return true;
}

void wsserver_unpack_value(zval *out, std::string_view data, uint32_t flags) {
    if (!(flags & kSerialized)) {
        ZVAL_STR(out, zstr_from(data));
        return;
    }
    php_unserialize_data_t var_hash;
    PHP_VAR_UNSERIALIZE_INIT(var_hash);
    const auto *p = reinterpret_cast<const unsigned char *>(data.data());
    if (!php_var_unserialize(out, &p, p + data.size(), &var_hash)) {
        zval_ptr_dtor(out);
        ZVAL_FALSE(out);
    }
    PHP_VAR_UNSERIALIZE_DESTROY(var_hash);
}

ZEND_METHOD(Swoole_Server, sendMessage) {
    zval *message;
    zend_long dst;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_ZVAL(message)
        Z_PARAM_LONG(dst)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    ws::Server *s = wsserver_running_engine(impl);
    if (!s) RETURN_FALSE;
    if (dst < 0 || dst >= impl.config.worker_num + impl.config.task_worker_num) {
        php_error_docref(nullptr, E_WARNING, "worker_id[" ZEND_LONG_FMT "] is invalid", dst);
        RETURN_FALSE;
    }
    if (dst == impl.worker_id) {
        php_error_docref(nullptr, E_WARNING, "can't send messages to self");
        RETURN_FALSE;
    }
    PackedValue packed;
    if (!packed.pack(message)) RETURN_THROWS();
    bool ok = s->send_pipe_message(static_cast<int32_t>(dst), packed.bytes, packed.flags);
    if (!ok) impl.last_error = static_cast<int>(s->last_error());
    RETURN_BOOL(ok);
}

namespace {

// Whether this process may send tasks now; false after a warning naming `method`.
bool task_allowed(ServerImpl &impl, const char *method) {
    if (!impl.running || !impl.server || impl.is_manager) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        return false;
    }
    if (impl.config.task_worker_num <= 0) {
        php_error_docref(nullptr, E_WARNING, "task method can't be executed without task worker");
        return false;
    }
    if (impl.is_task_worker) {
        php_error_docref(nullptr, E_WARNING, "%s method can't be executed in the task worker", method);
        return false;
    }
    return true;
}

// What task() and taskwait() share: the checks, the choice of task worker (round robin
// for -1) and the send. The new task id, or -1 after a warning (or with an exception
// pending: a value that cannot be serialized).
int64_t send_task_checked(ServerImpl &impl, const char *method, zval *data, zend_long index) {
    if (!task_allowed(impl, method)) return -1;
    ws::Server *s = impl.server.get();
    const int tasks = impl.config.task_worker_num;
    if (index >= tasks || index < -1) {
        php_error_docref(nullptr, E_WARNING, "worker_id must be less than task_worker_num[%d]", tasks);
        return -1;
    }
    if (index < 0) {
        index = impl.next_task_worker;
        impl.next_task_worker = (impl.next_task_worker + 1) % tasks;
    }
    PackedValue packed;
    if (!packed.pack(data)) return -1;
    const int64_t id = impl.next_task_id++;
    if (!s->send_task(impl.config.worker_num + static_cast<int32_t>(index), id, packed.bytes, packed.flags)) {
        impl.last_error = static_cast<int>(s->last_error());
        return -1;
    }
    return id;
}

}  // namespace

// task($data, $taskWorkerIndex = -1, $finishCallback = null): from a worker to a task
// worker (round robin for -1); the result comes back to onFinish or the callback.
ZEND_METHOD(Swoole_Server, task) {
    zval *data;
    zend_long index = -1;
    zval *finish = nullptr;
    ZEND_PARSE_PARAMETERS_START(1, 3)
        Z_PARAM_ZVAL(data)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(index)
        Z_PARAM_ZVAL_OR_NULL(finish)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    zend_fcall_info_cache fcc;
    if (finish && !wsserver_parse_callable(finish, fcc)) {
        zend_argument_type_error(3, "must be a valid callback or null");
        RETURN_THROWS();
    }
    const int64_t id = send_task_checked(impl, "task", data, index);
    if (id < 0) {
        if (EG(exception)) RETURN_THROWS();
        RETURN_FALSE;
    }
    if (finish) wsserver_store_callback(impl.task_callbacks[id], finish, fcc);
    RETURN_LONG(id);
}

// In a task worker, during onTask: the task's result, sent to the worker that asked.
ZEND_METHOD(Swoole_Server, finish) {
    zval *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ZVAL(data)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    ws::Server *s = impl.server.get();
    if (!impl.running || !s || !impl.is_task_worker || impl.current_task_id < 0) {
        php_error_docref(nullptr, E_WARNING, "finish() is only for the task worker, inside onTask");
        RETURN_FALSE;
    }
    PackedValue packed;
    if (!packed.pack(data)) RETURN_THROWS();
    bool ok = s->send_finish(impl.current_task_src, impl.current_task_id, packed.bytes, packed.flags);
    impl.current_task_finished = true;
    RETURN_BOOL(ok);
}

// task() and a blocking wait (poll on the worker's channel, up to $timeout seconds) for
// the result; messages for this worker that arrive meanwhile are handled afterwards.
ZEND_METHOD(Swoole_Server, taskwait) {
    zval *data;
    double timeout = 0.5;
    zend_long index = -1;
    ZEND_PARSE_PARAMETERS_START(1, 3)
        Z_PARAM_ZVAL(data)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(timeout)
        Z_PARAM_LONG(index)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    const int64_t id = send_task_checked(impl, "taskwait", data, index);
    if (id < 0) {
        if (EG(exception)) RETURN_THROWS();
        RETURN_FALSE;
    }
    const int ms = timeout <= 0 ? 0 : static_cast<int>(std::min(timeout, 86400.0) * 1000.0);
    std::string result;
    uint32_t result_flags = 0;
    if (!impl.server->wait_task_result(id, ms, result, result_flags)) {
        impl.timed_out_tasks.insert(id);
        php_error_docref(nullptr, E_WARNING, "taskwait(" ZEND_LONG_FMT ") timeout", static_cast<zend_long>(id));
        RETURN_FALSE;
    }
    wsserver_unpack_value(return_value, result, result_flags);
}

namespace {

constexpr int kErrorTaskDispatchFail = 2002;  // SW_ERROR_TASK_DISPATCH_FAIL
constexpr uint32_t kMaxConcurrentTasks = 1024;  // Swoole's SW_MAX_CONCURRENT_TASK

// taskWaitMulti() and taskCo(): every task goes to a task worker (round robin), then one
// blocking wait for all the results, up to $timeout seconds in total. The result array
// has $tasks' keys in $tasks' order; a task that could not be sent is false. A task whose
// result did not come in time is left out (taskWaitMulti, as Swoole) or false (taskCo,
// as Swoole's coroutine version reports it); its late result is dropped.
void task_wait_multi(INTERNAL_FUNCTION_PARAMETERS, const char *method, bool timed_out_as_false) {
    HashTable *tasks;
    double timeout = 0.5;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_ARRAY_HT(tasks)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (!task_allowed(impl, method)) RETURN_FALSE;
    const uint32_t count = zend_hash_num_elements(tasks);
    if (count >= kMaxConcurrentTasks) {
        php_error_docref(nullptr, E_WARNING, "too many concurrent tasks");
        RETURN_FALSE;
    }
    // Keys are copied first: packing a task may run user code (__serialize) that changes
    // the array.
    zval keys;
    array_init_size(&keys, count);
    std::vector<int64_t> ids;  // -1: not sent
    ids.reserve(count);
    zend_ulong index;
    zend_string *key;
    zval *task;
    ZEND_HASH_FOREACH_KEY_VAL(tasks, index, key, task) {
        zval k;
        if (key) {
            ZVAL_STR_COPY(&k, key);
        } else {
            ZVAL_LONG(&k, static_cast<zend_long>(index));
        }
        zend_hash_next_index_insert_new(Z_ARRVAL(keys), &k);
        ZVAL_DEREF(task);
        ids.push_back(send_task_checked(impl, method, task, -1));
        if (EG(exception)) break;
    }
    ZEND_HASH_FOREACH_END();
    const size_t sent = static_cast<size_t>(std::count_if(ids.begin(), ids.end(), [](int64_t id) { return id >= 0; }));
    if (EG(exception) || sent == 0) {
        for (int64_t id : ids) {
            if (id >= 0) impl.timed_out_tasks.insert(id);  // nobody waits for these results now
        }
        zval_ptr_dtor(&keys);
        if (EG(exception)) RETURN_THROWS();
        impl.last_error = kErrorTaskDispatchFail;
        RETURN_FALSE;
    }
    std::vector<zval> results(ids.size());
    for (zval &r : results) ZVAL_UNDEF(&r);
    const int ms = timeout <= 0 ? 0 : static_cast<int>(std::min(timeout, 86400.0) * 1000.0);
    impl.server->wait_task_results(ids, ms, [&](size_t i, std::string_view data, uint32_t flags) {
        wsserver_unpack_value(&results[i], data, flags);
    });
    array_init_size(return_value, count);
    for (size_t i = 0; i < ids.size(); i++) {
        zval *k = zend_hash_index_find(Z_ARRVAL(keys), i);
        if (Z_ISUNDEF(results[i])) {
            if (ids[i] >= 0) impl.timed_out_tasks.insert(ids[i]);
            if (ids[i] >= 0 && !timed_out_as_false) continue;
            ZVAL_FALSE(&results[i]);
        }
        if (Z_TYPE_P(k) == IS_STRING) {
            zend_hash_update(Z_ARRVAL_P(return_value), Z_STR_P(k), &results[i]);
        } else {
            zend_hash_index_update(Z_ARRVAL_P(return_value), static_cast<zend_ulong>(Z_LVAL_P(k)), &results[i]);
        }
    }
    zval_ptr_dtor(&keys);
}

}  // namespace

ZEND_METHOD(Swoole_Server, taskWaitMulti) { task_wait_multi(INTERNAL_FUNCTION_PARAM_PASSTHRU, "taskWaitMulti", false); }

// Without coroutines, taskCo() blocks as taskWaitMulti() does.
ZEND_METHOD(Swoole_Server, taskCo) { task_wait_multi(INTERNAL_FUNCTION_PARAM_PASSTHRU, "taskCo", true); }
