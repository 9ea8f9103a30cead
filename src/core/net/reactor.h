// The event loop of one thread: epoll for fds, a TimerQueue for after/tick, deferred
// callbacks, signals through a signalfd and a cross-thread wakeup through an eventfd.
//
// Level-triggered: a handler may stop reading before EAGAIN (to bound the work one busy
// connection or listener gets per wakeup) and epoll reports the fd again on the next
// round; with edge-triggering every handler would have to drain to EAGAIN or remember
// that it didn't, and a missed case hangs a connection silently. The price is an
// epoll_ctl to drop write interest once an output queue drains, and pausing a reader
// means removing read interest rather than just not reading.
//
// One iteration: epoll_wait (timeout = earliest timer, 0 if callbacks are deferred) ->
// fd handlers for the batch -> due timers -> deferred callbacks. Everything runs on the
// loop's thread; only wake() and stop() may be called from elsewhere.
//
// Timers drive epoll_wait's millisecond timeout instead of a timerfd: the resolution is
// the one Swoole offers, and re-arming costs no timerfd_settime() each time the earliest
// deadline changes (every new handshake or idle timeout would).
//
// Callbacks must not throw through the loop; if one does, the loop stays consistent
// (unrun deferred callbacks and due timers are kept) and the exception propagates out of
// run_once(). After fork(), a child must not use its parent's Reactor (the epoll set is
// shared with the parent); it destroys it and creates its own.
#pragma once

#include <signal.h>
#include <sys/epoll.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "core/net/syscall.h"
#include "core/net/timer_queue.h"

namespace wsserver {

// What a registered fd calls back into. Connections implement it directly, so registering
// one costs no allocation and dispatching is one virtual call.
class IoHandler {
public:
    // `events` mixes Reactor::kRead, kWrite and kError.
    virtual void on_io(int fd, uint32_t events) = 0;

protected:
    ~IoHandler() = default;
};

struct ReactorOptions {
    int max_events = 256;  // fds handled per epoll_wait
    // Monotonic nanoseconds; empty means CLOCK_MONOTONIC. Tests inject a fake clock.
    std::function<uint64_t()> clock;
};

class Reactor {
    struct Passkey {
        explicit Passkey() = default;
    };

public:
    // Interest and readiness bits.
    static constexpr uint32_t kRead = 1;
    static constexpr uint32_t kWrite = 2;
    // Readiness only: EPOLLERR/EPOLLHUP. It comes with the fd's read/write interest bits
    // so the handler meets the error in its next read()/write(). An fd with no interest
    // still gets it (the kernel always reports these); its handler should close it.
    static constexpr uint32_t kError = 4;

    using IoFunction = std::function<void(uint32_t events)>;
    using Callback = std::function<void()>;
    using SignalCallback = std::function<void(int signo)>;

    static Result<std::unique_ptr<Reactor>> create(ReactorOptions options = {});

    Reactor(Passkey, ReactorOptions options);  // use create()
    Reactor(const Reactor &) = delete;
    Reactor &operator=(const Reactor &) = delete;
    // Restores the signal mask it changed; closes only its own fds (epoll, signalfd,
    // eventfd) and issues no epoll_ctl, so a forked child may simply destroy its copy.
    ~Reactor();

    // ---- fds. Each returns 0 or an errno value.
    // `handler` must outlive the registration. An fd must be removed before it is closed.
    int add(int fd, uint32_t interest, IoHandler &handler);
    // The reactor owns `fn` until remove() (destroyed after the current batch if removed
    // during dispatch, so a handler may remove itself).
    int add(int fd, uint32_t interest, IoFunction fn);
    int modify(int fd, uint32_t interest);
    // Safe at any time, including for another fd of the same batch: that fd's pending
    // event is dropped even if its number is reused by an add() in the same batch.
    int remove(int fd);
    bool contains(int fd) const;
    uint32_t interest(int fd) const;  // 0 if not registered

    // ---- loop
    // Runs until stop(); returns 0, or an errno value if epoll_wait fails. The stop
    // request is consumed on return (a stop() before run() makes it return at once).
    int run();
    // One iteration; `timeout_ms` -1 waits for an event/timer. Returns the number of fd
    // events, or -errno (-EDEADLK if called from inside a callback of this loop).
    int run_once(int timeout_ms = -1);
    // Makes run() return after the current iteration. Thread-safe.
    void stop();

    // Runs `fn` after the current batch of events and timers, before the next wait
    // (Swoole's $server->defer). What a deferred callback defers runs one iteration later.
    void defer(Callback fn);
    size_t deferred_count() const { return deferred_.size(); }
    // Swoole's Event::cycle(): `before` runs at the start of each run_once() (before the
    // wait), `after` at its end (after the deferred callbacks). Empty: none. They keep no
    // loop alive, and either may replace them while it runs.
    void set_cycle_callbacks(Callback before, Callback after) {
        cycle_before_ = std::move(before);
        cycle_after_ = std::move(after);
    }

    // ---- timers (milliseconds on the loop clock; never fire early)
    TimerId after(uint64_t ms, TimerCallback fn);
    TimerId tick(uint64_t ms, TimerCallback fn);
    bool clear_timer(TimerId id);
    TimerQueue &timers() { return timers_; }
    uint64_t now_ms() const { return now_ns() / 1000000; }

    // ---- signals
    // Delivers `signo` through the loop; an empty `fn` unregisters. The signal is blocked
    // with pthread_sigmask in the calling thread, so register before starting threads
    // (they inherit the mask) or the kernel may run the default action in another thread.
    // Returns 0 or an errno value (EINVAL for SIGKILL/SIGSTOP/out of range).
    int on_signal(int signo, SignalCallback fn);

    // ---- wakeup
    // Interrupts epoll_wait from any thread, or from a process sharing wake_fd(); async-
    // signal-safe. Wakes coalesce: the handler runs once per iteration however many came.
    void wake();
    void set_wake_handler(Callback fn) { wake_fn_ = std::move(fn); }
    int wake_fd() const { return wake_fd_.get(); }

private:
    class FunctionHandler;
    struct Slot {
        IoHandler *handler = nullptr;
        std::unique_ptr<FunctionHandler> owned;  // set for add(fd, interest, IoFunction)
        uint32_t token = 0;                // which registration of this fd number
        uint32_t interest = 0;
    };

    SysError init(int max_events);
    uint64_t now_ns() const;
    int wait_timeout(int timeout_ms);
    int register_fd(int fd, uint32_t interest, IoHandler *handler, std::unique_ptr<FunctionHandler> owned);
    void dispatch(int count);
    void run_deferred();
    void on_wake_fd();
    void on_signal_fd();
    int update_signalfd();

    UniqueFd epoll_fd_;
    UniqueFd wake_fd_;
    UniqueFd signal_fd_;
    std::function<uint64_t()> clock_;
    std::vector<Slot> slots_;  // indexed by fd: 24 bytes per fd number in use
    std::vector<epoll_event> events_;
    std::vector<std::unique_ptr<FunctionHandler>> graveyard_;  // removed during dispatch
    uint32_t next_token_ = 0;
    bool dispatching_ = false;
    bool in_loop_ = false;
    std::atomic<bool> stop_{false};

    TimerQueue timers_;
    std::vector<Callback> deferred_;
    std::vector<Callback> running_deferred_;

    sigset_t signals_;        // delivered through signal_fd_
    sigset_t blocked_by_us_;  // to unblock on destruction
    std::vector<std::pair<int, SignalCallback>> signal_fns_;
    Callback wake_fn_;
    Callback cycle_before_;
    Callback cycle_after_;
};

}  // namespace wsserver
