// The coroutine scheduler of one process: ids, parents, suspension and wake-up (timer,
// fd readiness, explicit wake by a Channel/WaitGroup, cancellation), a runnable queue and
// per-coroutine defer stacks. No Zend include: the context switch is behind
// ContextBackend, which the PHP binding implements on PHP's fiber context and the unit
// tests implement on ucontext.
//
// Switching is asymmetric, as in Swoole: create() runs the new coroutine at once and
// returns when it first suspends or ends; resuming a coroutine (from the reactor or from
// another coroutine) runs it until it suspends again, then control returns to the
// resumer. So a Channel push that wakes a waiting popper runs the popper before push()
// returns, which gives Swoole's output ordering.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/net/timer_queue.h"

namespace wsserver {

class Reactor;
class Scheduler;

using CoroutineId = int64_t;

enum class CoroutineState { kInit, kRunning, kSuspended, kDone };

// Why suspend() returned.
enum class WakeReason { kWoken, kTimeout, kCanceled };

// The backend's per-coroutine state (its C stack, the saved VM state...).
class CoroutineContext {
public:
    virtual ~CoroutineContext() = default;
};

class Coroutine;

// The context switch. Exactly one context runs at a time; "main" is the context of the
// thread that owns the scheduler.
class ContextBackend {
public:
    // A context that, on its first resume(), calls co.run() on its own stack and, when
    // that returns, switches back to its last resumer for good. Null on failure.
    virtual std::unique_ptr<CoroutineContext> create(Coroutine &co) = 0;
    // From the running context (main or a coroutine) into `co`; returns when `co` yields
    // or finishes.
    virtual void resume(Coroutine &co) = 0;
    // From inside `co` back to the context that resumed it; returns when resumed again.
    virtual void yield(Coroutine &co) = 0;
    // Called by the scheduler once a resume() has returned and it has updated its own
    // state (the binding turns a fatal error inside the coroutine into one in the resumer
    // here, when nothing of the scheduler is left half done).
    virtual void after_switch() {}

protected:
    ~ContextBackend() = default;
};

class Coroutine {
public:
    using Body = std::function<void()>;

    Coroutine(CoroutineId id, CoroutineId parent, uint64_t start_ms, Body body)
        : id_(id), parent_(parent), start_ms_(start_ms), body_(std::move(body)) {}
    Coroutine(const Coroutine &) = delete;
    Coroutine &operator=(const Coroutine &) = delete;

    CoroutineId id() const { return id_; }
    CoroutineId parent_id() const { return parent_; }  // -1: created outside any coroutine
    CoroutineState state() const { return state_; }
    uint64_t start_ms() const { return start_ms_; }
    bool canceled() const { return canceled_; }
    // Suspended by yield_current() (Swoole's Co::yield): only resume() wakes it.
    bool manually_yielded() const { return manual_; }
    CoroutineContext *context() const { return context_.get(); }
    size_t defer_count() const { return defers_.size(); }

    // Called by the backend on the coroutine's own stack: the body, then the defer stack
    // last in, first out (a deferred function may defer more; those run too). Neither
    // may throw: a C++ exception cannot cross a context switch.
    void run() noexcept;
    // For the backend: the body was abandoned midway (a fatal error unwound it); the
    // coroutine counts as finished and its defers and exit hooks are dropped.
    void abandon() noexcept;

private:
    friend class Scheduler;

    CoroutineId id_;
    CoroutineId parent_;
    uint64_t start_ms_;
    Body body_;
    std::vector<std::function<void()>> defers_;
    std::vector<std::function<void()>> exit_hooks_;  // after the defers (join())
    std::unique_ptr<CoroutineContext> context_;
    CoroutineState state_ = CoroutineState::kInit;
    WakeReason wake_reason_ = WakeReason::kWoken;
    TimerId wait_timer_ = 0;
    bool cancelable_ = false;
    bool canceled_ = false;
    bool manual_ = false;
    bool queued_ = false;  // in the runnable queue
};

struct SchedulerOptions {
    size_t max_coroutines = 100000;  // Swoole's default max_coroutine
};

class Scheduler {
public:
    // `reactor` provides timers and fd readiness; it must outlive the scheduler.
    Scheduler(ContextBackend &backend, Reactor &reactor, SchedulerOptions options = {});
    Scheduler(const Scheduler &) = delete;
    Scheduler &operator=(const Scheduler &) = delete;
    ~Scheduler();

    enum class CreateError { kNone, kTooMany, kContext };
    // Creates a coroutine and runs it until it first suspends or ends. Returns its id
    // (from 1, never reused), or -1 with `error` set.
    CoroutineId create(Coroutine::Body body, CreateError *error = nullptr);

    Coroutine *current() const { return current_; }
    CoroutineId current_id() const { return current_ ? current_->id() : -1; }
    Coroutine *find(CoroutineId id) const;
    size_t count() const { return coroutines_.size(); }
    size_t peak_count() const { return peak_; }
    CoroutineId last_id() const { return next_id_ - 1; }
    std::vector<CoroutineId> ids() const;  // ascending
    void set_max_coroutines(size_t n) { options_.max_coroutines = n; }
    size_t max_coroutines() const { return options_.max_coroutines; }
    uint64_t now_ms() const;
    Reactor &reactor() { return *reactor_; }
    // Moves the scheduler to another reactor, dropping every coroutine it has (a forked
    // server worker leaves what it inherited to its parent), so that objects holding the
    // scheduler (channels, wait groups made before start()) stay valid across the switch.
    void rebind(Reactor &reactor);

    // ---- from inside a coroutine (each returns kCanceled at once outside one, and
    // callers check current() first)
    // Suspends the running coroutine until wake(), the timeout (< 0: none) or, if
    // `cancelable`, cancel().
    WakeReason suspend(int64_t timeout_ms = -1, bool cancelable = true);
    // Sleeps `ms` (0: yields to the reactor for one round). kTimeout means it slept fully.
    WakeReason sleep(uint64_t ms) { return suspend(int64_t(ms), true); }
    // Waits until `fd` is ready for `events` (Reactor::kRead/kWrite). `ready` gets the
    // events seen (0 on timeout/cancel). The fd must not be registered in the reactor.
    WakeReason wait_fd(int fd, uint32_t events, int64_t timeout_ms, uint32_t *ready);
    // Swoole's Co::yield(): suspends until resume() or cancel(); no timeout.
    void yield_current();
    // Pushes a function on the running coroutine's defer stack; false outside one.
    bool defer(std::function<void()> fn);
    // Runs `fn` when coroutine `id` ends, after its defers; false if there is no such
    // coroutine.
    bool on_exit(CoroutineId id, std::function<void()> fn);

    // ---- waking
    // Wakes a coroutine suspended in suspend()/wait_fd() and runs it now, returning when
    // it suspends again or ends. False if it is not waiting there.
    bool wake(CoroutineId id);
    // Same wake-up, but through the runnable queue: the coroutine runs from the reactor
    // after the current batch, not nested in the caller.
    bool wake_later(CoroutineId id);
    // Co::resume(): wakes a coroutine suspended by yield_current().
    bool resume(CoroutineId id);
    enum class CancelResult { kOk, kNotFound, kSelf, kNotCancelable };
    // Wakes a coroutine waiting cancelably with kCanceled and marks it canceled.
    CancelResult cancel(CoroutineId id);

    // Wakes a suspended coroutine whatever it waits for (a timer, an fd, a channel,
    // Co::yield), with kCanceled, cancelable or not: for unwinding at shutdown. False if
    // it is not suspended.
    bool interrupt(CoroutineId id);

    // Runs the runnable queue (the reactor does it through defer(); exposed for tests).
    void run_ready();
    size_t ready_count() const { return ready_.size(); }
    // Coroutines waiting on an fd: what keeps a run() loop alive besides timers.
    size_t fd_waiters() const { return fd_waiters_; }

private:
    void switch_into(Coroutine &co);
    void wake_with(Coroutine &co, WakeReason reason);

    ContextBackend &backend_;
    Reactor *reactor_;
    SchedulerOptions options_;
    std::unordered_map<CoroutineId, std::unique_ptr<Coroutine>> coroutines_;
    Coroutine *current_ = nullptr;
    CoroutineId next_id_ = 1;
    size_t peak_ = 0;
    size_t fd_waiters_ = 0;
    std::deque<CoroutineId> ready_;
    bool ready_scheduled_ = false;
};

}  // namespace wsserver
