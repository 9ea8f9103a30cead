#include "core/net/reactor.h"

#include <errno.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <iterator>

namespace wsserver {

namespace {

// Deadlines further out than this (about 139 years) are clamped, so ms -> ns never overflows.
constexpr uint64_t kMaxDelayMs = uint64_t(1) << 42;
constexpr int kMaxSignalReads = 4;  // signalfd reads per wakeup; the rest waits a round

uint32_t to_epoll(uint32_t interest) {
    return ((interest & Reactor::kRead) ? uint32_t(EPOLLIN) : 0) |
           ((interest & Reactor::kWrite) ? uint32_t(EPOLLOUT) : 0);
}

uint32_t from_epoll(uint32_t events, uint32_t interest) {
    uint32_t out = 0;
    if (events & (EPOLLIN | EPOLLPRI | EPOLLRDHUP)) out |= Reactor::kRead;
    if (events & EPOLLOUT) out |= Reactor::kWrite;
    if (events & (EPOLLERR | EPOLLHUP)) out |= Reactor::kError | Reactor::kRead | Reactor::kWrite;
    // Interest may have changed earlier in this batch: report only what is wanted now.
    return out & (interest | Reactor::kError);
}

uint64_t monotonic_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

}  // namespace

class Reactor::FunctionHandler final : public IoHandler {
public:
    explicit FunctionHandler(IoFunction fn) : fn_(std::move(fn)) {}
    void on_io(int, uint32_t events) override { fn_(events); }

private:
    IoFunction fn_;
};

Result<std::unique_ptr<Reactor>> Reactor::create(ReactorOptions options) {
    int max_events = options.max_events;
    auto reactor = std::make_unique<Reactor>(Passkey{}, std::move(options));
    SysError err = reactor->init(max_events);
    if (err.code != 0) return err;
    return Result<std::unique_ptr<Reactor>>(std::move(reactor));
}

Reactor::Reactor(Passkey, ReactorOptions options) : clock_(std::move(options.clock)) {
    sigemptyset(&signals_);
    sigemptyset(&blocked_by_us_);
}

SysError Reactor::init(int max_events) {
    epoll_fd_.reset(epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_fd_) return SysError::from_errno(errno, "epoll_create1()");
    wake_fd_.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!wake_fd_) return SysError::from_errno(errno, "eventfd()");
    if (int err = add(wake_fd_.get(), kRead, [this](uint32_t) { on_wake_fd(); })) {
        return SysError::from_errno(err, "epoll_ctl(eventfd)");
    }
    events_.resize(size_t(std::max(1, max_events)));
    return {};
}

Reactor::~Reactor() {
    if (signal_fd_) {
        // Signals that arrived but were never dispatched would hit their default action
        // (often: terminate) the moment they are unblocked. They were addressed to this
        // loop, which is going away, so they are discarded.
        signalfd_siginfo info[8];
        for (int i = 0; i < 64 && read(signal_fd_.get(), info, sizeof info) > 0; i++) {
        }
    }
    pthread_sigmask(SIG_UNBLOCK, &blocked_by_us_, nullptr);
}

// ---------------------------------------------------------------------------------
// fds

int Reactor::add(int fd, uint32_t interest, IoHandler &handler) { return register_fd(fd, interest, &handler, nullptr); }

int Reactor::add(int fd, uint32_t interest, IoFunction fn) {
    if (!fn) return EINVAL;
    auto owned = std::make_unique<FunctionHandler>(std::move(fn));
    IoHandler *raw = owned.get();
    return register_fd(fd, interest, raw, std::move(owned));
}

int Reactor::register_fd(int fd, uint32_t interest, IoHandler *handler, std::unique_ptr<FunctionHandler> owned) {
    if (fd < 0) return EBADF;
    if (contains(fd)) return EEXIST;
    if (++next_token_ == 0) next_token_ = 1;  // 0 marks a free slot
    epoll_event ev{};
    ev.events = to_epoll(interest);
    ev.data.u64 = (uint64_t(next_token_) << 32) | uint32_t(fd);
    if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return errno;
    if (size_t(fd) >= slots_.size()) slots_.resize(size_t(fd) + 1);
    Slot &slot = slots_[size_t(fd)];
    slot.handler = handler;
    slot.owned = std::move(owned);
    slot.token = next_token_;
    slot.interest = interest;
    return 0;
}

int Reactor::modify(int fd, uint32_t interest) {
    if (!contains(fd)) return ENOENT;
    Slot &slot = slots_[size_t(fd)];
    if (slot.interest == interest) return 0;  // toggling write interest is common: skip the syscall
    epoll_event ev{};
    ev.events = to_epoll(interest);
    ev.data.u64 = (uint64_t(slot.token) << 32) | uint32_t(fd);
    if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) return errno;
    slot.interest = interest;
    return 0;
}

int Reactor::remove(int fd) {
    if (!contains(fd)) return ENOENT;
    int err = 0;
    if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr) != 0) {
        // EBADF: closed before removal; the kernel dropped it with its last reference.
        if (errno != EBADF && errno != ENOENT) err = errno;
    }
    Slot &slot = slots_[size_t(fd)];
    slot.handler = nullptr;
    slot.token = 0;
    slot.interest = 0;
    if (slot.owned) {
        // The handler may be the one running right now (removing itself).
        if (dispatching_) {
            graveyard_.push_back(std::move(slot.owned));
        } else {
            slot.owned.reset();
        }
    }
    return err;
}

bool Reactor::contains(int fd) const { return fd >= 0 && size_t(fd) < slots_.size() && slots_[size_t(fd)].token != 0; }

uint32_t Reactor::interest(int fd) const { return contains(fd) ? slots_[size_t(fd)].interest : 0; }

// ---------------------------------------------------------------------------------
// loop

int Reactor::run() {
    while (!stop_.load(std::memory_order_acquire)) {
        int n = run_once(-1);
        if (n < 0) return -n;
    }
    stop_.store(false, std::memory_order_release);
    return 0;
}

void Reactor::stop() {
    stop_.store(true, std::memory_order_release);
    wake();
}

int Reactor::run_once(int timeout_ms) {
    if (in_loop_) return -EDEADLK;
    in_loop_ = true;
    struct Exit {
        bool &flag;
        ~Exit() { flag = false; }
    } exit{in_loop_};

    if (cycle_before_) {
        Callback fn = cycle_before_;  // a copy: it may replace itself
        fn();
    }
    int n = epoll_wait(epoll_fd_.get(), events_.data(), int(events_.size()), wait_timeout(timeout_ms));
    if (n < 0) {
        if (errno != EINTR) return -errno;
        n = 0;
    }
    dispatch(n);
    timers_.run_due(now_ms());
    run_deferred();
    if (cycle_after_) {
        Callback fn = cycle_after_;
        fn();
    }
    return n;
}

int Reactor::wait_timeout(int timeout_ms) {
    if (!deferred_.empty()) return 0;
    std::optional<uint64_t> next = timers_.next_deadline();
    if (!next || *next > UINT64_MAX / 1000000u) return timeout_ms;
    uint64_t now = now_ns();
    uint64_t deadline = *next * 1000000u;
    // Round up: waking a fraction of a millisecond early would find nothing due and spin.
    uint64_t wait_ms = deadline <= now ? 0 : (deadline - now + 999999u) / 1000000u;
    int until_timer = int(std::min<uint64_t>(wait_ms, INT_MAX));
    return timeout_ms < 0 ? until_timer : std::min(timeout_ms, until_timer);
}

void Reactor::dispatch(int count) {
    dispatching_ = true;
    struct Done {
        Reactor &r;
        ~Done() {
            r.dispatching_ = false;
            r.graveyard_.clear();
        }
    } done{*this};

    for (int i = 0; i < count; i++) {
        const epoll_event &ev = events_[size_t(i)];
        int fd = int(uint32_t(ev.data.u64));
        uint32_t token = uint32_t(ev.data.u64 >> 32);
        // Removed earlier in this batch (and perhaps its number re-added): drop the event.
        if (!contains(fd) || slots_[size_t(fd)].token != token) continue;
        // Copy out before the call: the handler may add fds and reallocate slots_.
        IoHandler *handler = slots_[size_t(fd)].handler;
        uint32_t events = from_epoll(ev.events, slots_[size_t(fd)].interest);
        if (events != 0) handler->on_io(fd, events);
    }
}

void Reactor::defer(Callback fn) {
    if (fn) deferred_.push_back(std::move(fn));
}

void Reactor::run_deferred() {
    if (deferred_.empty()) return;
    // Swap so callbacks deferred now go to the next iteration; both vectors keep their
    // capacity, so steady-state defer() does not allocate (beyond what std::function does).
    running_deferred_.swap(deferred_);
    size_t i = 0;
    try {
        for (; i < running_deferred_.size(); i++) running_deferred_[i]();
    } catch (...) {
        // Keep the callbacks that did not run, ahead of those deferred meanwhile.
        deferred_.insert(deferred_.begin(), std::make_move_iterator(running_deferred_.begin() + long(i) + 1),
                         std::make_move_iterator(running_deferred_.end()));
        running_deferred_.clear();
        throw;
    }
    running_deferred_.clear();
}

// ---------------------------------------------------------------------------------
// timers

uint64_t Reactor::now_ns() const { return clock_ ? clock_() : monotonic_ns(); }

TimerId Reactor::after(uint64_t ms, TimerCallback fn) {
    // Start from the next whole millisecond so the wait is at least `ms` (run_due() uses
    // the truncated time).
    uint64_t start = (now_ns() + 999999u) / 1000000u;
    return timers_.after(start, std::min(ms, kMaxDelayMs), std::move(fn));
}

TimerId Reactor::tick(uint64_t ms, TimerCallback fn) {
    uint64_t start = (now_ns() + 999999u) / 1000000u;
    return timers_.tick(start, std::min(ms, kMaxDelayMs), std::move(fn));
}

bool Reactor::clear_timer(TimerId id) { return timers_.clear(id); }

// ---------------------------------------------------------------------------------
// signals

int Reactor::on_signal(int signo, SignalCallback fn) {
    if (signo <= 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP) return EINVAL;
    auto it = std::find_if(signal_fns_.begin(), signal_fns_.end(), [signo](const auto &p) { return p.first == signo; });

    if (!fn) {
        if (it == signal_fns_.end()) return 0;
        signal_fns_.erase(it);
        sigdelset(&signals_, signo);
        int err = update_signalfd();
        if (sigismember(&blocked_by_us_, signo)) {
            sigset_t one;
            sigemptyset(&one);
            sigaddset(&one, signo);
            // One that arrived and was never dispatched is dropped, as ~Reactor does:
            // unblocking it would run its default action (terminate, for SIGTERM).
            const timespec zero{0, 0};
            for (int i = 0; i < 4 && sigtimedwait(&one, nullptr, &zero) == signo; i++) {
            }
            pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
            sigdelset(&blocked_by_us_, signo);
        }
        return err;
    }

    if (it != signal_fns_.end()) {
        it->second = std::move(fn);
        return 0;
    }
    sigset_t one, old;
    sigemptyset(&one);
    sigaddset(&one, signo);
    if (int err = pthread_sigmask(SIG_BLOCK, &one, &old)) return err;
    bool was_blocked = sigismember(&old, signo);
    sigaddset(&signals_, signo);
    if (int err = update_signalfd()) {
        sigdelset(&signals_, signo);
        if (!was_blocked) pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
        return err;
    }
    if (!was_blocked) sigaddset(&blocked_by_us_, signo);
    signal_fns_.emplace_back(signo, std::move(fn));
    return 0;
}

int Reactor::update_signalfd() {
    if (signal_fd_) {
        // Replaces the mask of the existing signalfd.
        return signalfd(signal_fd_.get(), &signals_, 0) < 0 ? errno : 0;
    }
    // Created on first use: most loops (reactor threads) never handle signals.
    UniqueFd fd(signalfd(-1, &signals_, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!fd) return errno;
    if (int err = add(fd.get(), kRead, [this](uint32_t) { on_signal_fd(); })) return err;
    signal_fd_ = std::move(fd);
    return 0;
}

void Reactor::on_signal_fd() {
    signalfd_siginfo info[8];
    for (int round = 0; round < kMaxSignalReads; round++) {
        ssize_t n = read(signal_fd_.get(), info, sizeof info);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        size_t count = size_t(n) / sizeof info[0];
        for (size_t i = 0; i < count; i++) {
            int signo = int(info[i].ssi_signo);
            auto it = std::find_if(signal_fns_.begin(), signal_fns_.end(),
                                   [signo](const auto &p) { return p.first == signo; });
            if (it == signal_fns_.end()) continue;
            // A copy: the callback may unregister itself. Signals are rare, so the possible
            // allocation does not matter.
            SignalCallback fn = it->second;
            fn(signo);
        }
        if (count < std::size(info)) return;
    }
}

// ---------------------------------------------------------------------------------
// wakeup

void Reactor::wake() {
    int saved = errno;  // async-signal-safe: don't disturb the interrupted code's errno
    uint64_t one = 1;
    // EAGAIN means the counter is saturated: a wakeup is pending anyway.
    while (write(wake_fd_.get(), &one, sizeof one) < 0 && errno == EINTR) {
    }
    errno = saved;
}

void Reactor::on_wake_fd() {
    uint64_t count;
    while (read(wake_fd_.get(), &count, sizeof count) < 0 && errno == EINTR) {
    }
    if (wake_fn_) wake_fn_();
}

}  // namespace wsserver
