// The coroutine runtime of the process: the engine's Scheduler switching on PHP's own
// fiber context (zend_fiber_init_context / zend_fiber_switch_context, which also save
// and restore the VM state, notify the observer API and handle ASan's stack switching),
// the Reactor that drives it (its own outside a server, the worker's inside one), and
// the loop of Coroutine\run() and Event::wait().
//
// Each coroutine gets its own VM stack with a dummy bottom frame, as PHP's Fiber does,
// so PHP code in it (including a Fiber started from it) sees an ordinary call stack. A
// fatal error (bailout) inside a coroutine is caught on its own C stack, the coroutine
// ends, and the error is re-raised in the context that resumed it once the scheduler is
// consistent again (ContextBackend::after_switch), up to the main context.
#include "php/coroutine_runtime.h"

#include "zend_exceptions.h"
#include "zend_fibers.h"
#include "zend_ini.h"

#include <cmath>
#include <cstring>

namespace ws = wsserver;

zend_class_entry *wsserver_ce_swoole_error = nullptr;

// ---------------------------------------------------------------------------------
// PhpCallable

PhpCallable::PhpCallable(zval *fn, zval *args, uint32_t argc) {
    ZVAL_COPY(&fn_, fn);
    args_.resize(argc);
    for (uint32_t i = 0; i < argc; i++) ZVAL_COPY(&args_[i], &args[i]);
}

PhpCallable::~PhpCallable() {
    zval_ptr_dtor(&fn_);
    for (zval &v : args_) zval_ptr_dtor(&v);
}

bool PhpCallable::call(const zval *prefix, uint32_t prefix_count) const {
    std::vector<zval> argv;
    argv.reserve(prefix_count + args_.size());
    for (uint32_t i = 0; i < prefix_count; i++) argv.push_back(prefix[i]);  // borrowed
    for (const zval &v : args_) argv.push_back(v);                          // borrowed
    zval retval;
    ZVAL_UNDEF(&retval);
    zend_fcall_info fci;
    fci.size = sizeof(fci);
    ZVAL_COPY_VALUE(&fci.function_name, &fn_);
    fci.object = nullptr;
    fci.retval = &retval;
    fci.params = argv.empty() ? nullptr : argv.data();
    fci.param_count = uint32_t(argv.size());
    fci.named_params = nullptr;
    // Resolved at each call (no cached fcall_info_cache): a trampoline (__call) would
    // not survive between calls.
    zend_result r = zend_call_function(&fci, nullptr);
    zval_ptr_dtor(&retval);
    return r == SUCCESS && !EG(exception);
}

namespace {

// ---------------------------------------------------------------------------------
// The context switch on PHP's fiber context

char coroutine_context_kind;  // its address tags our zend_fiber_context (PHP's Fiber uses its class entry)

// The bottom frame of every coroutine's VM stack, a nameless internal function as in
// PHP's Fiber: frames always have a function, and backtraces end here.
zend_function coroutine_bottom_function = {ZEND_INTERNAL_FUNCTION};

class PhpCoroutineContext;

// zend_fiber_context first, so the running context (EG(current_fiber_context)) leads
// back to its owner.
struct FiberSlot {
    zend_fiber_context fiber;
    PhpCoroutineContext *owner;
};

class PhpCoroutineContext final : public ws::CoroutineContext {
public:
    explicit PhpCoroutineContext(ws::Coroutine &c) : co(c) {
        std::memset(&slot.fiber, 0, sizeof slot.fiber);
        slot.owner = this;
    }
    ~PhpCoroutineContext() override {
        if (context_object) OBJ_RELEASE(context_object);
        // A finished context was destroyed by the switch that left it; one still
        // suspended (the loop ended with it waiting) is freed here without unwinding.
        if (initialized && slot.fiber.status != ZEND_FIBER_STATUS_DEAD) zend_fiber_destroy_context(&slot.fiber);
    }

    FiberSlot slot;
    ws::Coroutine &co;
    zend_fiber_context *resumer = nullptr;      // where yield() and the end go back to
    zend_fiber_context *suspended_in = nullptr;  // a PHP Fiber's context if it yielded inside one
    zend_execute_data *saved_frame = nullptr;   // for getBackTrace() while suspended
    zend_object *context_object = nullptr;      // Swoole\Coroutine\Context, on demand
    bool initialized = false;
    bool bailout = false;
};

PhpCoroutineContext &context_of(ws::Coroutine &co) { return *static_cast<PhpCoroutineContext *>(co.context()); }

void coroutine_entry(zend_fiber_transfer *transfer) {
    PhpCoroutineContext &ctx = *reinterpret_cast<FiberSlot *>(EG(current_fiber_context))->owner;
    ctx.resumer = transfer->context;

    // As PHP's Fiber: the error_reporting of the ini, not of an @ around go().
    zend_long error_reporting = INI_INT("error_reporting");
    if (!error_reporting && !INI_STR("error_reporting")) error_reporting = E_ALL;

    zend_vm_stack stack = zend_vm_stack_new_page(ZEND_FIBER_VM_STACK_SIZE, nullptr);
    EG(vm_stack) = stack;
    EG(vm_stack_top) = stack->top + ZEND_CALL_FRAME_SLOT;
    EG(vm_stack_end) = stack->end;
    EG(vm_stack_page_size) = ZEND_FIBER_VM_STACK_SIZE;
    auto *bottom = reinterpret_cast<zend_execute_data *>(stack->top);
    std::memset(bottom, 0, sizeof *bottom);
    bottom->func = &coroutine_bottom_function;
    EG(current_execute_data) = bottom;
    EG(jit_trace_num) = 0;
    EG(error_reporting) = int(error_reporting);
    EG(active_fiber) = nullptr;  // Fiber::suspend() here is "outside of a fiber"

    zend_first_try {
        ctx.co.run();
    } zend_catch {
        ctx.bailout = true;
        ctx.co.abandon();
    } zend_end_try();

    zend_vm_stack_destroy();
    EG(vm_stack) = nullptr;
    ZVAL_NULL(&transfer->value);
    transfer->flags = 0;
    transfer->context = ctx.resumer;
}

class PhpContextBackend final : public ws::ContextBackend {
public:
    std::unique_ptr<ws::CoroutineContext> create(ws::Coroutine &co) override {
        if (zend_fiber_switch_blocked()) return nullptr;
        auto ctx = std::make_unique<PhpCoroutineContext>(co);
        size_t stack_size = stack_size_ ? stack_size_ : size_t(EG(fiber_stack_size));
        if (!zend_fiber_init_context(&ctx->slot.fiber, &coroutine_context_kind, coroutine_entry, stack_size)) {
            return nullptr;  // PHP threw "Fiber stack allocate failed" or similar
        }
        ctx->initialized = true;
        return ctx;
    }

    void resume(ws::Coroutine &co) override {
        PhpCoroutineContext &ctx = context_of(co);
        zend_fiber_transfer transfer;
        transfer.context = ctx.suspended_in ? ctx.suspended_in : &ctx.slot.fiber;
        ZVAL_NULL(&transfer.value);
        transfer.flags = 0;
        ctx.saved_frame = nullptr;
        zend_fiber_switch_context(&transfer);
        if (ctx.bailout) pending_bailout_ = true;
    }

    void yield(ws::Coroutine &co) override {
        PhpCoroutineContext &ctx = context_of(co);
        ctx.saved_frame = EG(current_execute_data);
        // Inside a PHP Fiber the running context is the Fiber's: resume goes back there.
        ctx.suspended_in = EG(current_fiber_context) != &ctx.slot.fiber ? EG(current_fiber_context) : nullptr;
        zend_fiber_transfer transfer;
        transfer.context = ctx.resumer;
        ZVAL_NULL(&transfer.value);
        transfer.flags = 0;
        zend_fiber_switch_context(&transfer);
        ctx.resumer = transfer.context;  // whoever resumed us this time
        ctx.suspended_in = nullptr;
    }

    void after_switch() override {
        if (pending_bailout_) {
            pending_bailout_ = false;
            zend_bailout();
        }
    }

    void set_pending_bailout() { pending_bailout_ = true; }
    void set_stack_size(size_t n) { stack_size_ = n; }
    size_t stack_size() const { return stack_size_ ? stack_size_ : size_t(EG(fiber_stack_size)); }

private:
    size_t stack_size_ = 0;  // 0: PHP's fiber.stack_size
    bool pending_bailout_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------------
// The runtime

struct CoroutineRuntime {
    std::unique_ptr<ws::Reactor> own_reactor;  // outside a server
    ws::Reactor *reactor = nullptr;            // own_reactor's, or a server worker's
    bool in_server = false;
    std::function<void()> on_uncaught;  // in a server worker
    PhpContextBackend backend;
    std::unique_ptr<ws::Scheduler> scheduler;
    bool loop_running = false;
    bool exit_requested = false;
    bool shutdown_hook = false;
};

namespace {

// One per process (NTS) or thread: the process model's event loop. Reset at RSHUTDOWN.
std::unique_ptr<CoroutineRuntime> g_runtime;

}  // namespace

CoroutineRuntime &wsserver_coroutine_runtime() {
    if (!g_runtime) {
        auto rt = std::make_unique<CoroutineRuntime>();
        auto reactor = ws::Reactor::create();
        if (!reactor.ok()) {
            zend_error_noreturn(E_ERROR, "wsserver: cannot create the event loop: %s", reactor.error().message.c_str());
        }
        rt->own_reactor = std::move(reactor.value());
        rt->reactor = rt->own_reactor.get();
        rt->scheduler = std::make_unique<ws::Scheduler>(rt->backend, *rt->reactor);
        g_runtime = std::move(rt);
    }
    return *g_runtime;
}

bool wsserver_coroutine_runtime_exists() { return g_runtime != nullptr; }
ws::Scheduler &wsserver_scheduler() { return *wsserver_coroutine_runtime().scheduler; }
ws::Reactor &wsserver_coroutine_reactor() { return *wsserver_coroutine_runtime().reactor; }

void wsserver_coroutine_runtime_shutdown() {
    if (!g_runtime) return;
    // The scheduler first: its coroutines' timers live in the reactor.
    g_runtime->scheduler.reset();
    g_runtime.reset();
}

void wsserver_coroutine_attach_server_reactor(ws::Reactor &reactor, std::function<void()> on_uncaught) {
    // Coroutine::set() before start() applies in the workers too.
    size_t stack_size = g_runtime ? g_runtime->backend.stack_size() : 0;
    size_t max_coroutines = g_runtime ? g_runtime->scheduler->max_coroutines() : 0;
    // Whatever this process inherited (coroutines, timers of the parent's loop) stays
    // with the parent; a forked child may destroy its copy of the parent's reactor.
    wsserver_coroutine_runtime_shutdown();
    auto rt = std::make_unique<CoroutineRuntime>();
    rt->reactor = &reactor;
    rt->in_server = true;
    rt->on_uncaught = std::move(on_uncaught);
    if (stack_size) rt->backend.set_stack_size(stack_size);
    rt->scheduler = std::make_unique<ws::Scheduler>(rt->backend, reactor);
    if (max_coroutines) rt->scheduler->set_max_coroutines(max_coroutines);
    g_runtime = std::move(rt);
}

void wsserver_coroutine_detach_server_reactor() {
    if (g_runtime && g_runtime->in_server) wsserver_coroutine_runtime_shutdown();
}

bool wsserver_coroutine_in_server() { return g_runtime && g_runtime->in_server; }

void wsserver_coroutine_set_stack_size(size_t n) { wsserver_coroutine_runtime().backend.set_stack_size(n); }
size_t wsserver_coroutine_stack_size() { return wsserver_coroutine_runtime().backend.stack_size(); }

void wsserver_coroutine_uncaught() {
    // As in Swoole: an exception nobody caught in a coroutine is a fatal error. It is
    // reported here, the coroutine ends without its defers, and the bailout happens in
    // the resumer once this stack is left (a longjmp on the coroutine's own stack is
    // what a fatal error raised by PHP itself does; this path avoids it).
    zend_exception_error(EG(exception), E_ERROR);
    if (ws::Coroutine *co = g_runtime->scheduler->current()) co->abandon();
    if (g_runtime->in_server && g_runtime->on_uncaught) {
        // A longjmp from here would cross the server's C++ frames; the worker stops its
        // loop instead and ends from start() (PHP's unwind_exit).
        std::function<void()> hook = g_runtime->on_uncaught;
        hook();
        return;
    }
    g_runtime->backend.set_pending_bailout();
}

zend_long wsserver_coroutine_start(std::shared_ptr<PhpCallable> callable) {
    ws::Scheduler &s = wsserver_scheduler();
    ws::Scheduler::CreateError err = ws::Scheduler::CreateError::kNone;
    ws::CoroutineId id = s.create(
        [callable] {
            if (!callable->call() && EG(exception)) wsserver_coroutine_uncaught();
        },
        &err);
    if (id < 0) {
        if (err == ws::Scheduler::CreateError::kTooMany) {
            php_error_docref(nullptr, E_WARNING, "exceed max number of coroutine %zu", s.count());
        } else if (!EG(exception)) {
            php_error_docref(nullptr, E_WARNING, "create coroutine failed");
        }
        return -1;
    }
    return id;
}

ws::Coroutine *wsserver_current_coroutine_or_throw() {
    ws::Coroutine *co = g_runtime ? g_runtime->scheduler->current() : nullptr;
    if (!co) zend_throw_exception(wsserver_ce_swoole_error, "API must be called in the coroutine", 0);
    return co;
}

int64_t wsserver_timeout_ms(double seconds) {
    if (!(seconds > 0)) return -1;
    double ms = std::ceil(seconds * 1000.0);
    if (ms >= 9.2e18) return INT64_MAX;
    return int64_t(ms) < 1 ? 1 : int64_t(ms);
}

zend_object *wsserver_coroutine_context_object(ws::Coroutine &co) {
    PhpCoroutineContext &ctx = context_of(co);
    if (!ctx.context_object) {
        zval obj;
        object_init_ex(&obj, wsserver_ce_coroutine_context);
        ctx.context_object = Z_OBJ(obj);
    }
    return ctx.context_object;
}

zend_execute_data *wsserver_coroutine_saved_frame(ws::Coroutine &co) { return context_of(co).saved_frame; }

// ---------------------------------------------------------------------------------
// The loop

// Inside a server worker the server's loop is running whenever PHP code runs.
bool wsserver_event_loop_running() { return g_runtime && (g_runtime->loop_running || g_runtime->in_server); }

bool wsserver_event_loop_run() {
    CoroutineRuntime &rt = wsserver_coroutine_runtime();
    if (rt.loop_running || rt.in_server || rt.scheduler->current()) return false;
    rt.loop_running = true;
    rt.exit_requested = false;
    ws::Reactor &r = *rt.reactor;
    ws::Scheduler &s = *rt.scheduler;
    while (!rt.exit_requested && !EG(exception) &&
           (!r.timers().empty() || r.deferred_count() > 0 || s.fd_waiters() > 0 || s.ready_count() > 0)) {
        int n = r.run_once(-1);
        if (n < 0 && n != -EINTR) break;
    }
    rt.loop_running = false;
    rt.exit_requested = false;
    if (s.count() > 0 && !EG(exception)) {
        // What Swoole prints when run() ends with coroutines nobody can wake.
        php_printf(
            "\n ==================================================================="
            "\n  [FATAL ERROR]: all coroutines (count: %zu) are asleep - deadlock! "
            "\n ==================================================================="
            "\n",
            s.count());
    }
    return true;
}

void wsserver_event_loop_exit() {
    if (!g_runtime || g_runtime->in_server) return;  // a worker's loop ends with the server
    g_runtime->exit_requested = true;
    g_runtime->reactor->stop();
}

void wsserver_event_loop_at_shutdown() {
    CoroutineRuntime &rt = wsserver_coroutine_runtime();
    if (rt.shutdown_hook) return;
    rt.shutdown_hook = true;
    zval fn, retval, arg;
    ZVAL_STRING(&fn, "register_shutdown_function");
    ZVAL_STRING(&arg, "Swoole\\Event::wait");
    call_user_function(nullptr, nullptr, &fn, &retval, 1, &arg);
    zval_ptr_dtor(&retval);
    zval_ptr_dtor(&arg);
    zval_ptr_dtor(&fn);
}
