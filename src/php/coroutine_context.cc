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
#include <string>

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

// A C stack (PHP fiber context) with its VM stack, running one coroutine after another:
// creating a fiber context costs an mmap, a guard-page mprotect and page faults, so a
// runner whose coroutine ended parks itself in the backend's pool and the next coroutine
// reuses it. zend_fiber_context first, so the running context (EG(current_fiber_context))
// leads back to the runner.
struct Runner {
    zend_fiber_context fiber;
    PhpCoroutineContext *job = nullptr;  // the coroutine it runs now (null while parked)
    zend_vm_stack vm_stack = nullptr;    // its first page, kept between jobs
    size_t stack_size = 0;
    bool initialized = false;

    Runner() { std::memset(&fiber, 0, sizeof fiber); }
    Runner(const Runner &) = delete;
    Runner &operator=(const Runner &) = delete;
    ~Runner() {
        // A runner that ended (a fatal error in its job) was destroyed by the switch that
        // left it; one parked or still suspended in a job is freed here without unwinding.
        if (!initialized || fiber.status == ZEND_FIBER_STATUS_DEAD) return;
        zend_fiber_destroy_context(&fiber);
        for (zend_vm_stack page = vm_stack; page;) {  // parked: only the first page is left
            zend_vm_stack prev = page->prev;
            efree(page);
            page = prev;
        }
    }
};

class PhpCoroutineContext final : public ws::CoroutineContext {
public:
    explicit PhpCoroutineContext(ws::Coroutine &c) : co(c) {}
    ~PhpCoroutineContext() override {
        if (context_object) OBJ_RELEASE(context_object);
    }

    ws::Coroutine &co;
    std::unique_ptr<Runner> runner;              // its C stack while it runs or waits
    zend_fiber_context *resumer = nullptr;       // where yield() and the end go back to
    zend_fiber_context *suspended_in = nullptr;  // a PHP Fiber's context if it yielded inside one
    zend_execute_data *saved_frame = nullptr;    // for getBackTrace() while suspended
    zend_object *context_object = nullptr;       // Swoole\Coroutine\Context, on demand
    bool bailout = false;
};

PhpCoroutineContext &context_of(ws::Coroutine &co) { return *static_cast<PhpCoroutineContext *>(co.context()); }

// Parked runners, most recently used first out (its stack pages are the warmest).
class RunnerPool {
public:
    static constexpr size_t kMaxParked = 128;

    std::unique_ptr<Runner> take(size_t stack_size) {
        while (!parked_.empty()) {
            std::unique_ptr<Runner> r = std::move(parked_.back());
            parked_.pop_back();
            if (r->stack_size == stack_size) return r;
        }
        return nullptr;
    }
    // False when full: the runner then ends instead of parking.
    bool has_room() const { return parked_.size() < kMaxParked; }
    void park(std::unique_ptr<Runner> r) { parked_.push_back(std::move(r)); }
    void clear() { parked_.clear(); }

private:
    std::vector<std::unique_ptr<Runner>> parked_;
};

RunnerPool &runner_pool();
int ini_error_reporting();

// Prepares the runner's VM stack for a new job: a dummy bottom frame, as PHP's Fiber has,
// so PHP code in the coroutine (and a Fiber started from it) sees an ordinary call stack.
void start_job_vm_state(Runner &r, int error_reporting) {
    zend_vm_stack stack = r.vm_stack;
    stack->top = ZEND_VM_STACK_ELEMENTS(stack);
    EG(vm_stack) = stack;
    EG(vm_stack_top) = stack->top + ZEND_CALL_FRAME_SLOT;
    EG(vm_stack_end) = stack->end;
    EG(vm_stack_page_size) = ZEND_FIBER_VM_STACK_SIZE;
    auto *bottom = reinterpret_cast<zend_execute_data *>(stack->top);
    std::memset(bottom, 0, sizeof *bottom);
    bottom->func = &coroutine_bottom_function;
    EG(current_execute_data) = bottom;
    EG(jit_trace_num) = 0;
    EG(error_reporting) = error_reporting;
    EG(active_fiber) = nullptr;  // Fiber::suspend() here is "outside of a fiber"
}

void runner_entry(zend_fiber_transfer *transfer) {
    Runner &r = *reinterpret_cast<Runner *>(EG(current_fiber_context));
    r.vm_stack = zend_vm_stack_new_page(ZEND_FIBER_VM_STACK_SIZE, nullptr);
    zend_fiber_context *resumer = transfer->context;
    for (;;) {
        PhpCoroutineContext &ctx = *r.job;
        ctx.resumer = resumer;
        start_job_vm_state(r, ini_error_reporting());
        zend_first_try {
            ctx.co.run();
        } zend_catch {
            ctx.bailout = true;
            ctx.co.abandon();
        } zend_end_try();
        resumer = ctx.resumer;
        if (ctx.bailout || EG(vm_stack) != r.vm_stack || !runner_pool().has_room()) break;
        // Park: hand the runner to the pool and go back to whoever resumed the coroutine,
        // as its end would; the next create() that takes it resumes here with a new job.
        r.job = nullptr;
        runner_pool().park(std::move(ctx.runner));
        zend_fiber_transfer park;
        park.context = resumer;
        ZVAL_NULL(&park.value);
        park.flags = 0;
        zend_fiber_switch_context(&park);
        resumer = park.context;
    }
    zend_vm_stack_destroy();
    EG(vm_stack) = nullptr;
    r.vm_stack = nullptr;
    ZVAL_NULL(&transfer->value);
    transfer->flags = 0;
    transfer->context = resumer;
}

class PhpContextBackend final : public ws::ContextBackend {
public:
    std::unique_ptr<ws::CoroutineContext> create(ws::Coroutine &co) override {
        if (zend_fiber_switch_blocked()) return nullptr;
        auto ctx = std::make_unique<PhpCoroutineContext>(co);
        const size_t size = stack_size();
        ctx->runner = runner_pool().take(size);
        if (!ctx->runner) {
            auto runner = std::make_unique<Runner>();
            runner->stack_size = size;
            if (!zend_fiber_init_context(&runner->fiber, &coroutine_context_kind, runner_entry, size)) {
                // PHP threw "Fiber stack allocate failed" or similar (out of memory, or of
                // memory mappings: vm.max_map_count): Swoole's create() warns and returns
                // false instead, which callers report with this message.
                if (EG(exception)) {
                    zend_object *ex = EG(exception);
                    zval rv;
                    zval *m = zend_read_property_ex(ex->ce, ex, ZSTR_KNOWN(ZEND_STR_MESSAGE), true, &rv);
                    last_error_ = (m && Z_TYPE_P(m) == IS_STRING) ? std::string(Z_STRVAL_P(m), Z_STRLEN_P(m)) : "";
                    zend_clear_exception();
                }
                return nullptr;
            }
            runner->initialized = true;
            ctx->runner = std::move(runner);
        }
        ctx->runner->job = ctx.get();
        return ctx;
    }

    void resume(ws::Coroutine &co) override {
        PhpCoroutineContext &ctx = context_of(co);
        zend_fiber_transfer transfer;
        transfer.context = ctx.suspended_in ? ctx.suspended_in : &ctx.runner->fiber;
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
        ctx.suspended_in = EG(current_fiber_context) != &ctx.runner->fiber ? EG(current_fiber_context) : nullptr;
        zend_fiber_transfer transfer;
        transfer.context = ctx.resumer;
        ZVAL_NULL(&transfer.value);
        transfer.flags = 0;
        zend_fiber_switch_context(&transfer);
        ctx.resumer = transfer.context;  // whoever resumed us this time
        ctx.suspended_in = nullptr;
        if (unwinding_ && !EG(exception)) zend_throw_graceful_exit();
    }

    void set_unwinding(bool on) { unwinding_ = on; }

    void after_switch() override {
        if (pending_bailout_) {
            pending_bailout_ = false;
            zend_bailout();
        }
    }

    void set_pending_bailout() { pending_bailout_ = true; }
    // Why the last create() failed ("" if it did not say).
    const std::string &last_error() const { return last_error_; }
    RunnerPool &pool() { return pool_; }

    ~PhpContextBackend() {
        if (error_reporting_text_) zend_string_release(error_reporting_text_);
    }
    // As PHP's Fiber: a coroutine starts with the error_reporting of the ini, not of an @
    // around go(). Parsed again only when the ini value changed (the lookup and strtol
    // were a visible part of a server callback's cost).
    int error_reporting() {
        if (!error_reporting_entry_) {
            error_reporting_entry_ =
                static_cast<zend_ini_entry *>(zend_hash_str_find_ptr(EG(ini_directives), ZEND_STRL("error_reporting")));
        }
        zend_string *text = error_reporting_entry_ ? error_reporting_entry_->value : nullptr;
        if (!text) return E_ALL;  // never set: PHP's default
        if (!error_reporting_text_ || !zend_string_equals(text, error_reporting_text_)) {
            if (error_reporting_text_) zend_string_release(error_reporting_text_);
            error_reporting_text_ = zend_string_copy(text);
            error_reporting_value_ = int(ZEND_STRTOL(ZSTR_VAL(text), nullptr, 0));
        }
        return error_reporting_value_;
    }
    void set_stack_size(size_t n) { stack_size_ = n; }
    size_t stack_size() const { return stack_size_ ? stack_size_ : size_t(EG(fiber_stack_size)); }

private:
    size_t stack_size_ = 0;  // 0: PHP's fiber.stack_size
    bool pending_bailout_ = false;
    bool unwinding_ = false;  // wsserver_coroutine_unwind_all() is running
    std::string last_error_;
    RunnerPool pool_;
    zend_ini_entry *error_reporting_entry_ = nullptr;
    zend_string *error_reporting_text_ = nullptr;  // the value parsed into error_reporting_value_
    int error_reporting_value_ = E_ALL;
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

RunnerPool &runner_pool() { return g_runtime->backend.pool(); }
int ini_error_reporting() { return g_runtime->backend.error_reporting(); }

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

// The scheduler and the backend (its parked runners, Coroutine::set()'s stack size and
// max_coroutine) stay: channels and wait groups made before start() hold the scheduler.
// Whatever this process inherited (coroutines, timers of the parent's loop) stays with the
// parent; a forked child may destroy its copy of the parent's reactor.
void wsserver_coroutine_attach_server_reactor(ws::Reactor &reactor, std::function<void()> on_uncaught) {
    CoroutineRuntime &rt = wsserver_coroutine_runtime();
    rt.scheduler->rebind(reactor);
    rt.own_reactor.reset();
    rt.reactor = &reactor;
    rt.in_server = true;
    rt.on_uncaught = std::move(on_uncaught);
    rt.loop_running = false;
    rt.exit_requested = false;
    wsserver_timers_reset();
}

void wsserver_coroutine_detach_server_reactor() {
    if (!g_runtime || !g_runtime->in_server) return;
    CoroutineRuntime &rt = *g_runtime;
    auto reactor = ws::Reactor::create();
    if (!reactor.ok()) {
        wsserver_coroutine_runtime_shutdown();  // nothing can run coroutines after start() then
        return;
    }
    rt.own_reactor = std::move(reactor.value());
    rt.scheduler->rebind(*rt.own_reactor);
    rt.reactor = rt.own_reactor.get();
    rt.in_server = false;
    rt.on_uncaught = nullptr;
    wsserver_timers_reset();
}

bool wsserver_coroutine_in_server() { return g_runtime && g_runtime->in_server; }

void wsserver_coroutine_set_stack_size(size_t n) { wsserver_coroutine_runtime().backend.set_stack_size(n); }
size_t wsserver_coroutine_stack_size() { return wsserver_coroutine_runtime().backend.stack_size(); }

void wsserver_coroutine_unwind_all() {
    if (!g_runtime) return;
    CoroutineRuntime &rt = *g_runtime;
    rt.backend.set_unwinding(true);
    for (int round = 0; round < 3 && rt.scheduler->count() > 0 && !EG(exception); round++) {
        for (ws::CoroutineId id : rt.scheduler->ids()) rt.scheduler->interrupt(id);
    }
    rt.backend.set_unwinding(false);
}

void wsserver_coroutine_uncaught() {
    if (zend_is_graceful_exit(EG(exception))) {
        zend_clear_exception();  // unwound by wsserver_coroutine_unwind_all(): its defers run
        return;
    }
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
            wsserver_coroutine_create_failed();
        }
        return -1;
    }
    return id;
}

void wsserver_coroutine_create_failed() {
    const std::string &why = g_runtime ? g_runtime->backend.last_error() : std::string();
    if (why.empty()) {
        php_error_docref(nullptr, E_WARNING, "create coroutine failed");
    } else {
        php_error_docref(nullptr, E_WARNING, "create coroutine failed: %s", why.c_str());
    }
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
