#include "core/coroutine/scheduler.h"

#include <algorithm>

#include "core/net/reactor.h"

namespace wsserver {

void Coroutine::run() noexcept {
    body_();
    body_ = nullptr;  // releases what the body captured before the defers run
    while (!defers_.empty()) {
        std::function<void()> fn = std::move(defers_.back());
        defers_.pop_back();
        fn();
    }
    for (size_t i = 0; i < exit_hooks_.size(); i++) exit_hooks_[i]();
    exit_hooks_.clear();
    state_ = CoroutineState::kDone;
}

void Coroutine::abandon() noexcept {
    defers_.clear();
    exit_hooks_.clear();
    state_ = CoroutineState::kDone;
}

Scheduler::Scheduler(ContextBackend &backend, Reactor &reactor, SchedulerOptions options)
    : backend_(backend), reactor_(&reactor), options_(options) {}

Scheduler::~Scheduler() {
    // Coroutines still suspended here never finish; their timers must not call into a
    // destroyed scheduler.
    for (auto &kv : coroutines_) {
        if (kv.second->wait_timer_ != 0) reactor_->clear_timer(kv.second->wait_timer_);
    }
}

uint64_t Scheduler::now_ms() const { return reactor_->now_ms(); }

CoroutineId Scheduler::create(Coroutine::Body body, CreateError *error) {
    if (coroutines_.size() >= options_.max_coroutines) {
        if (error) *error = CreateError::kTooMany;
        return -1;
    }
    CoroutineId id = next_id_;
    auto co = std::make_unique<Coroutine>(id, current_id(), now_ms(), std::move(body));
    co->context_ = backend_.create(*co);
    if (!co->context_) {
        if (error) *error = CreateError::kContext;
        return -1;
    }
    next_id_++;
    Coroutine &ref = *co;
    coroutines_.emplace(id, std::move(co));
    peak_ = std::max(peak_, coroutines_.size());
    if (error) *error = CreateError::kNone;
    switch_into(ref);
    return id;
}

Coroutine *Scheduler::find(CoroutineId id) const {
    auto it = coroutines_.find(id);
    return it == coroutines_.end() ? nullptr : it->second.get();
}

std::vector<CoroutineId> Scheduler::ids() const {
    std::vector<CoroutineId> out;
    out.reserve(coroutines_.size());
    for (const auto &kv : coroutines_) out.push_back(kv.first);
    std::sort(out.begin(), out.end());
    return out;
}

void Scheduler::switch_into(Coroutine &co) {
    Coroutine *resumer = current_;
    current_ = &co;
    co.state_ = CoroutineState::kRunning;
    backend_.resume(co);
    current_ = resumer;
    if (co.state_ == CoroutineState::kDone) {
        CoroutineId id = co.id();
        if (co.wait_timer_ != 0) reactor_->clear_timer(co.wait_timer_);
        coroutines_.erase(id);  // destroys the context, which no longer runs
    }
    backend_.after_switch();
}

WakeReason Scheduler::suspend(int64_t timeout_ms, bool cancelable) {
    Coroutine *co = current_;
    if (!co) return WakeReason::kCanceled;
    if (timeout_ms >= 0) {
        CoroutineId id = co->id();
        co->wait_timer_ = reactor_->after(uint64_t(timeout_ms), [this, id](TimerId) {
            Coroutine *c = find(id);
            if (!c || c->state_ != CoroutineState::kSuspended) return;
            c->wait_timer_ = 0;  // fired: nothing to clear
            wake_with(*c, WakeReason::kTimeout);
        });
    }
    co->cancelable_ = cancelable;
    co->manual_ = false;
    co->wake_reason_ = WakeReason::kWoken;
    co->state_ = CoroutineState::kSuspended;
    backend_.yield(*co);
    // Resumed by wake_with() (which set the reason and state) or by resume().
    co->cancelable_ = false;
    if (co->wait_timer_ != 0) {
        reactor_->clear_timer(co->wait_timer_);
        co->wait_timer_ = 0;
    }
    return co->wake_reason_;
}

WakeReason Scheduler::wait_fd(int fd, uint32_t events, int64_t timeout_ms, uint32_t *ready) {
    if (ready) *ready = 0;
    Coroutine *co = current_;
    if (!co) return WakeReason::kCanceled;
    CoroutineId id = co->id();
    uint32_t seen = 0;
    int err = reactor_->add(fd, events, [this, id, &seen](uint32_t ev) {
        seen = ev;
        Coroutine *c = find(id);
        if (c && c->state_ == CoroutineState::kSuspended) wake_with(*c, WakeReason::kWoken);
    });
    if (err != 0) return WakeReason::kCanceled;
    fd_waiters_++;
    WakeReason reason = suspend(timeout_ms, true);
    fd_waiters_--;
    reactor_->remove(fd);
    if (ready) *ready = seen;
    return reason;
}

void Scheduler::yield_current() {
    Coroutine *co = current_;
    if (!co) return;
    co->cancelable_ = true;
    co->manual_ = true;
    co->state_ = CoroutineState::kSuspended;
    backend_.yield(*co);
    co->manual_ = false;
    co->cancelable_ = false;
}

bool Scheduler::on_exit(CoroutineId id, std::function<void()> fn) {
    Coroutine *co = find(id);
    if (!co || co->state_ == CoroutineState::kDone) return false;
    co->exit_hooks_.push_back(std::move(fn));
    return true;
}

bool Scheduler::defer(std::function<void()> fn) {
    if (!current_) return false;
    current_->defers_.push_back(std::move(fn));
    return true;
}

void Scheduler::wake_with(Coroutine &co, WakeReason reason) {
    co.wake_reason_ = reason;
    co.queued_ = false;
    switch_into(co);
}

bool Scheduler::wake(CoroutineId id) {
    Coroutine *co = find(id);
    if (!co || co->state_ != CoroutineState::kSuspended || co->manual_ || co->queued_) return false;
    wake_with(*co, WakeReason::kWoken);
    return true;
}

bool Scheduler::wake_later(CoroutineId id) {
    Coroutine *co = find(id);
    if (!co || co->state_ != CoroutineState::kSuspended || co->manual_ || co->queued_) return false;
    co->queued_ = true;
    co->wake_reason_ = WakeReason::kWoken;
    ready_.push_back(id);
    if (!ready_scheduled_) {
        ready_scheduled_ = true;
        reactor_->defer([this] { run_ready(); });
    }
    return true;
}

void Scheduler::run_ready() {
    ready_scheduled_ = false;
    // Only what is queued now: a coroutine queued by these runs waits for the next round.
    size_t n = ready_.size();
    for (size_t i = 0; i < n && !ready_.empty(); i++) {
        CoroutineId id = ready_.front();
        ready_.pop_front();
        Coroutine *co = find(id);
        if (!co || !co->queued_) continue;
        co->queued_ = false;
        if (co->state_ == CoroutineState::kSuspended) switch_into(*co);
    }
    if (!ready_.empty() && !ready_scheduled_) {
        ready_scheduled_ = true;
        reactor_->defer([this] { run_ready(); });
    }
}

bool Scheduler::resume(CoroutineId id) {
    Coroutine *co = find(id);
    if (!co || co->state_ != CoroutineState::kSuspended || !co->manual_) return false;
    switch_into(*co);
    return true;
}

Scheduler::CancelResult Scheduler::cancel(CoroutineId id) {
    if (current_ && current_->id() == id) return CancelResult::kSelf;
    Coroutine *co = find(id);
    if (!co) return CancelResult::kNotFound;
    if (co->state_ != CoroutineState::kSuspended || !co->cancelable_) return CancelResult::kNotCancelable;
    co->canceled_ = true;
    co->manual_ = false;
    co->queued_ = false;  // a queued wake-up becomes the cancellation
    wake_with(*co, WakeReason::kCanceled);
    return CancelResult::kOk;
}

void Scheduler::rebind(Reactor &reactor) {
    for (auto &kv : coroutines_) {
        if (kv.second->wait_timer_ != 0) reactor_->clear_timer(kv.second->wait_timer_);
    }
    coroutines_.clear();
    ready_.clear();
    ready_scheduled_ = false;  // its deferred run stays with the old reactor
    fd_waiters_ = 0;
    current_ = nullptr;
    reactor_ = &reactor;
}

bool Scheduler::interrupt(CoroutineId id) {
    Coroutine *co = find(id);
    if (!co || co->state_ != CoroutineState::kSuspended) return false;
    co->manual_ = false;
    co->queued_ = false;
    wake_with(*co, WakeReason::kCanceled);
    return true;
}

}  // namespace wsserver
