// The engine's events (wsserver::ServerEvents) as PHP callback calls: ServerEventsImpl,
// wsserver_dispatch() (each callback in its own coroutine with enable_coroutine, else
// wsserver_call()) and, around every event that runs PHP in a worker, DispatchScope (the
// worker's BUSY/IDLE state and its max_request count).
#include "php/classes.h"
#include "php/coroutine_runtime.h"
#include "php/server_internal.h"

#include <memory>
#include <string_view>
#include <vector>

namespace ws = wsserver;

namespace {

// Calls `cb` (set) with `argv`; false if it threw. `result` (when given) receives the
// return value, else it is released.
bool invoke(const Callback &cb, uint32_t argc, zval *argv, zval *result) {
    zval fn;
    ZVAL_COPY(&fn, &cb.fn);  // the callback may replace itself through on()
    zend_fcall_info_cache fcc = cb.fcc;
    zval retval;
    ZVAL_UNDEF(&retval);
    zend_fcall_info fci;
    fci.size = sizeof(fci);
    ZVAL_COPY_VALUE(&fci.function_name, &fn);
    fci.object = nullptr;
    fci.retval = &retval;
    fci.params = argv;
    fci.param_count = argc;
    fci.named_params = nullptr;
    zend_call_function(&fci, &fcc);
    if (result && !EG(exception)) {
        ZVAL_COPY_VALUE(result, &retval);  // the caller owns it now
    } else {
        zval_ptr_dtor(&retval);
    }
    zval_ptr_dtor(&fn);
    return !EG(exception);
}

// An event callback, its arguments and what to do with its result, owned for as long as
// its coroutine runs. The arguments are kept inline (events pass at most four): one
// allocation per event (timers with more extra arguments take a second), and the
// coroutine's body captures only this (a std::function keeps that small capture without
// allocating).
class PendingCall {
public:
    static constexpr uint32_t kMaxArgs = 5;

    PendingCall(const Callback &cb, uint32_t argc, zval *argv, ResultHandler on_result)
        : argc_(argc), on_result_(std::move(on_result)) {
        ZVAL_COPY(&cb_.fn, &cb.fn);
        cb_.fcc = cb.fcc;
        if (argc > kMaxArgs) more_args_.resize(argc);
        zval *args = this->args();
        for (uint32_t i = 0; i < argc; i++) ZVAL_COPY(&args[i], &argv[i]);
    }
    PendingCall(const PendingCall &) = delete;
    PendingCall &operator=(const PendingCall &) = delete;
    ~PendingCall() { release(); }

    // In the coroutine: the call, its result handed on, then the references dropped (a
    // response nobody kept and nobody ended is ended here).
    void run() {
        zval retval;
        ZVAL_UNDEF(&retval);
        if (invoke(cb_, argc_, args(), on_result_ ? &retval : nullptr)) {
            if (on_result_) on_result_(&retval);
        } else {
            wsserver_coroutine_uncaught();  // reported; the worker ends (on_uncaught)
        }
        zval_ptr_dtor(&retval);
        release();
    }

private:
    zval *args() { return argc_ > kMaxArgs ? more_args_.data() : args_; }
    void release() {
        zval *args = this->args();
        for (uint32_t i = 0; i < argc_; i++) zval_ptr_dtor(&args[i]);
        argc_ = 0;
        zval_ptr_dtor(&cb_.fn);
        ZVAL_UNDEF(&cb_.fn);
    }

    Callback cb_;
    uint32_t argc_;
    zval args_[kMaxArgs];
    std::vector<zval> more_args_;
    ResultHandler on_result_;
};

}  // namespace

bool wsserver_call(ServerObject *o, const Callback &cb, uint32_t argc, zval *argv, zval *result) {
    if (EG(exception) || Z_ISUNDEF(cb.fn)) return !EG(exception);
    if (o->impl && o->impl->coroutine_fatal) return false;  // the worker is ending: no more PHP
    if (invoke(cb, argc, argv, result)) return true;
    // As an uncaught exception ends a Swoole worker: every connection is dropped at once
    // (no close handshake, no more PHP callbacks), run() returns and the exception
    // propagates from start().
    if (o->impl && o->impl->server && o->impl->running) {
        ws::Server &s = *o->impl->server;
        s.abort_local_connections();
        s.stop();
    }
    return false;
}

void wsserver_dispatch(ServerObject *o, const Callback &cb, uint32_t argc, zval *argv, ResultHandler on_result) {
    if (EG(exception) || Z_ISUNDEF(cb.fn) || o->impl->coroutine_fatal) return;
    if (!o->impl->callbacks_in_coroutines || !wsserver_coroutine_in_server()) {
        zval retval;
        ZVAL_UNDEF(&retval);
        if (wsserver_call(o, cb, argc, argv, on_result ? &retval : nullptr) && on_result) on_result(&retval);
        zval_ptr_dtor(&retval);
        return;
    }
    auto call = std::make_shared<PendingCall>(cb, argc, argv, std::move(on_result));
    ws::Scheduler &scheduler = wsserver_scheduler();
    ws::Scheduler::CreateError err = ws::Scheduler::CreateError::kNone;
    scheduler.create([call] { call->run(); }, &err);
    if (err == ws::Scheduler::CreateError::kTooMany) {
        php_error_docref(nullptr, E_WARNING, "exceed max number of coroutine %zu", scheduler.count());
    } else if (err != ws::Scheduler::CreateError::kNone && !EG(exception)) {
        wsserver_coroutine_create_failed();  // the event is dropped, the worker goes on
    }
}

namespace {

// max_request reached: the worker finishes what it is doing and leaves as if the manager
// had told it to (onWorkerExit, then the graceful stop: connections closed, onWorkerStop);
// the manager, seeing the state kExit and a clean exit, forks its replacement at once.
void leave_after_max_request(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    impl.leaving = true;
    impl.worker_status->set_state(impl.worker_id, ws::WorkerState::kExit);
    ws::Server *s = impl.server.get();
    if (!s || s->stopping()) return;
    zval args[2];
    ZVAL_OBJ(&args[0], &o->std);
    ZVAL_LONG(&args[1], impl.worker_id);
    wsserver_call(o, impl.callbacks[WSSERVER_EVENT_WORKER_EXIT], 2, args);
    s->stop();
}

// Around every engine event that runs PHP in a worker: the worker is SWOOLE_WORKER_BUSY
// while it runs, SWOOLE_WORKER_IDLE again once the outermost event returned (Swoole's
// getWorkerStatus), and an event that is a request as Swoole counts them (onReceive,
// onRequest, the upgrade request, onMessage, onTask; not onConnect/onClose/onPipeMessage/
// onFinish, nor timers) counts towards max_request once its callback returned.
class DispatchScope {
public:
    DispatchScope(ServerObject *o, bool is_request) : o_(o), is_request_(is_request) {
        ServerImpl &impl = *o_->impl;
        if (impl.dispatch_depth++ == 0 && impl.worker_status && !impl.leaving) {
            impl.worker_status->set_state(impl.worker_id, ws::WorkerState::kBusy);
        }
    }
    DispatchScope(const DispatchScope &) = delete;
    DispatchScope &operator=(const DispatchScope &) = delete;
    ~DispatchScope() {
        ServerImpl &impl = *o_->impl;
        if (--impl.dispatch_depth == 0 && impl.worker_status && !impl.leaving) {
            impl.worker_status->set_state(impl.worker_id, ws::WorkerState::kIdle);
        }
        if (!is_request_ || !impl.worker_status) return;
        const uint64_t handled = impl.worker_status->add_request(impl.worker_id);
        if (impl.request_limit != 0 && handled >= impl.request_limit && !impl.leaving && !EG(exception)) {
            leave_after_max_request(o_);
        }
    }

private:
    ServerObject *o_;
    bool is_request_;
};

void call_fd_event(ServerObject *o, int ev, ws::SessionId id, bool with_reactor) {
    const Callback &cb = wsserver_callback(o, ev, id);
    if (Z_ISUNDEF(cb.fn)) return;
    DispatchScope scope(o, false);
    zval args[3];
    ZVAL_OBJ(&args[0], &o->std);
    ZVAL_LONG(&args[1], static_cast<zend_long>(id));
    ZVAL_LONG(&args[2], o->impl->server->event_reactor_id());  // BASE: the worker; PROCESS: the thread
    wsserver_dispatch(o, cb, with_reactor ? 3 : 2, args);
}

}  // namespace

void ServerEventsImpl::on_connect(ws::SessionId id) { call_fd_event(o_, WSSERVER_EVENT_CONNECT, id, true); }

void ServerEventsImpl::on_request(ws::SessionId id, const ws::HttpParser &parser) {
    const Callback &cb = wsserver_callback(o_, WSSERVER_EVENT_REQUEST, id);
    DispatchScope scope(o_, true);
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    zval args[2];
    wsserver_make_request(&args[0], o_, id, parser);
    wsserver_make_response(&args[1], o_, id);
    wsserver_dispatch(o_, cb, 2, args);
    zval_ptr_dtor(&args[0]);
    zval_ptr_dtor(&args[1]);  // a response nobody kept and nobody ended is ended here
}

// Http\Server (no WebSocket): an upgrade request is just a request.
// WebSocket\Server with onHandShake: the callback answers with $response->status(101) and
// end() (no onOpen follows, as in Swoole). Http\Server: an upgrade request is a request.
void ServerEventsImpl::on_handshake(ws::SessionId id, const ws::HttpParser &parser) {
    const Callback &cb = wsserver_callback(o_, WSSERVER_EVENT_HANDSHAKE, id);
    if (Z_ISUNDEF(cb.fn)) {
        on_request(id, parser);
        return;
    }
    DispatchScope scope(o_, true);
    if (EG(exception)) return;
    zval args[2];
    wsserver_make_request(&args[0], o_, id, parser);
    wsserver_make_response(&args[1], o_, id);
    wsserver_dispatch(o_, cb, 2, args);
    zval_ptr_dtor(&args[0]);
    zval_ptr_dtor(&args[1]);  // not ended: ended here, a 200 that refuses the upgrade
}

// The spec shows ($request, $response), Swoole passes ($server, $request, $response): a
// callable that declares three or more parameters (or is variadic) gets the server first.
void ServerEventsImpl::on_before_handshake_response(ws::SessionId id, const ws::HttpParser &parser,
                                                    ws::HttpResponse &extra) {
    const Callback &cb = wsserver_callback(o_, WSSERVER_EVENT_BEFORE_HANDSHAKE_RESPONSE, id);
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    DispatchScope scope(o_, false);  // the request counts once, at onOpen
    const zend_function *fn = cb.fcc.function_handler;
    const bool with_server = fn && (fn->common.num_args >= 3 || (fn->common.fn_flags & ZEND_ACC_VARIADIC));
    zval args[3];
    ZVAL_OBJ(&args[0], &o_->std);
    wsserver_make_request(&args[1], o_, id, parser);
    wsserver_make_response(&args[2], o_, id);
    wsserver_call(o_, cb, with_server ? 3 : 2, with_server ? args : args + 1);
    wsserver_response_export(&args[2], extra);
    zval_ptr_dtor(&args[1]);
    zval_ptr_dtor(&args[2]);
}

// The upgrade request answered by the built-in handshake: one request, onOpen or not.
void ServerEventsImpl::on_open(ws::SessionId id, const ws::HttpParser &parser) {
    const Callback &cb = wsserver_callback(o_, WSSERVER_EVENT_OPEN, id);
    DispatchScope scope(o_, true);
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    zval args[2];
    ZVAL_OBJ(&args[0], &o_->std);
    wsserver_make_request(&args[1], o_, id, parser);
    wsserver_dispatch(o_, cb, 2, args);
    zval_ptr_dtor(&args[1]);
}

void ServerEventsImpl::on_message(ws::SessionId id, uint8_t opcode, std::string_view data, unsigned flags) {
    const Callback &cb = wsserver_callback(o_, WSSERVER_EVENT_MESSAGE, id);
    DispatchScope scope(o_, true);
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    zval frame;
    wsserver_frame_received(&frame, static_cast<zend_long>(id), opcode, data, flags);
    zval args[2];
    ZVAL_OBJ(&args[0], &o_->std);
    ZVAL_COPY_VALUE(&args[1], &frame);
    wsserver_dispatch(o_, cb, 2, args);
    zval_ptr_dtor(&frame);
}

void ServerEventsImpl::on_close(ws::SessionId id) { call_fd_event(o_, WSSERVER_EVENT_CLOSE, id, true); }

void ServerEventsImpl::on_disconnect(ws::SessionId id) {
    // Swoole: onDisconnect when set, else onClose, for a connection that never upgraded.
    int ev = Z_ISUNDEF(wsserver_callback(o_, WSSERVER_EVENT_DISCONNECT, id).fn) ? WSSERVER_EVENT_CLOSE
                                                                          : WSSERVER_EVENT_DISCONNECT;
    call_fd_event(o_, ev, id, ev == WSSERVER_EVENT_CLOSE);
}

void ServerEventsImpl::on_receive(ws::SessionId id, std::string_view data) {
    const Callback &cb = wsserver_callback(o_, WSSERVER_EVENT_RECEIVE, id);
    DispatchScope scope(o_, true);
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    zval args[4];
    ZVAL_OBJ(&args[0], &o_->std);
    ZVAL_LONG(&args[1], static_cast<zend_long>(id));
    ZVAL_LONG(&args[2], o_->impl->server->event_reactor_id());
    ZVAL_STR(&args[3], zstr_from(data));
    wsserver_dispatch(o_, cb, 4, args);
    zval_ptr_dtor(&args[3]);
}

void ServerEventsImpl::on_pipe_message(int32_t src_worker, std::string_view data, uint32_t flags) {
    DispatchScope scope(o_, false);
    const Callback &cb = o_->impl->callbacks[WSSERVER_EVENT_PIPE_MESSAGE];
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    zval args[3];
    ZVAL_OBJ(&args[0], &o_->std);
    ZVAL_LONG(&args[1], src_worker);
    wsserver_unpack_value(&args[2], data, flags);
    wsserver_dispatch(o_, cb, 3, args);
    zval_ptr_dtor(&args[2]);
}

// In a task worker: onTask($server, $task_id, $src_worker_id, $data); a non-null return
// value is the result, as finish($value) would send it.
void ServerEventsImpl::on_task(int64_t task_id, int32_t src_worker, std::string_view data, uint32_t flags) {
    ServerImpl &impl = *o_->impl;
    DispatchScope scope(o_, true);
    const Callback &cb = impl.callbacks[WSSERVER_EVENT_TASK];
    if (Z_ISUNDEF(cb.fn) || EG(exception)) return;
    zval args[4];
    ZVAL_OBJ(&args[0], &o_->std);
    ServerObject *o = o_;
    if (impl.process.task_object || impl.callbacks_in_coroutines) {
        // onTask($server, Swoole\Server\Task $task): the task answers itself (finish()),
        // even from a coroutine that runs after other tasks started.
        zval value;
        wsserver_unpack_value(&value, data, flags);
        wsserver_make_task(&args[1], o_, task_id, src_worker, &value, flags);
        zval_ptr_dtor(&value);
        zend_object *task = Z_OBJ(args[1]);  // alive until the result is handled: an argument
        wsserver_dispatch(o_, cb, 2, args, [o, task, task_id, src_worker](zval *retval) {
            zval t;
            ZVAL_OBJ(&t, task);
            if (Z_TYPE_P(retval) <= IS_NULL || wsserver_task_finished(&t)) return;
            PackedValue result;
            if (result.pack(retval)) o->impl->server->send_finish(src_worker, task_id, result.bytes, result.flags);
        });
        zval_ptr_dtor(&args[1]);
        return;
    }
    ZVAL_LONG(&args[1], task_id);
    ZVAL_LONG(&args[2], src_worker);
    wsserver_unpack_value(&args[3], data, flags);
    impl.current_task_id = task_id;
    impl.current_task_src = src_worker;
    impl.current_task_finished = false;
    wsserver_dispatch(o_, cb, 4, args, [o, task_id, src_worker](zval *retval) {
        ServerImpl &impl = *o->impl;
        if (Z_TYPE_P(retval) != IS_UNDEF && Z_TYPE_P(retval) != IS_NULL && !impl.current_task_finished) {
            PackedValue result;
            if (result.pack(retval)) impl.server->send_finish(src_worker, task_id, result.bytes, result.flags);
        }
    });
    impl.current_task_id = -1;
    zval_ptr_dtor(&args[3]);
}

// In the worker that called task(): the callback given to task(), else onFinish.
void ServerEventsImpl::on_finish(int64_t task_id, std::string_view data, uint32_t flags) {
    ServerImpl &impl = *o_->impl;
    if (impl.timed_out_tasks.erase(task_id)) return;  // its taskwait() already returned false
    DispatchScope scope(o_, false);
    Callback own;
    auto it = impl.task_callbacks.find(task_id);
    if (it != impl.task_callbacks.end()) {
        own = it->second;
        impl.task_callbacks.erase(it);
    }
    const Callback &cb = Z_ISUNDEF(own.fn) ? impl.callbacks[WSSERVER_EVENT_FINISH] : own;
    if (!Z_ISUNDEF(cb.fn) && !EG(exception)) {
        zval args[3];
        ZVAL_OBJ(&args[0], &o_->std);
        ZVAL_LONG(&args[1], task_id);
        wsserver_unpack_value(&args[2], data, flags);
        wsserver_dispatch(o_, cb, 3, args);
        zval_ptr_dtor(&args[2]);
    }
    zval_ptr_dtor(&own.fn);
}

void ServerEventsImpl::on_buffer_full(ws::SessionId id) {
    call_fd_event(o_, WSSERVER_EVENT_BUFFER_FULL, id, false);
}

void ServerEventsImpl::on_buffer_empty(ws::SessionId id) {
    call_fd_event(o_, WSSERVER_EVENT_BUFFER_EMPTY, id, false);
}
