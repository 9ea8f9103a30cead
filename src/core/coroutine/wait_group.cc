#include "core/coroutine/wait_group.h"

#include <algorithm>

namespace wsserver {

bool WaitGroup::add(int64_t delta) {
    if (count_ + delta < 0) return false;
    count_ += delta;
    if (count_ == 0) {
        // Taken first: a woken waiter may wait again on the same group.
        std::deque<CoroutineId> waiters;
        waiters.swap(waiters_);
        for (CoroutineId id : waiters) scheduler_.wake(id);
    }
    return true;
}

bool WaitGroup::wait(int64_t timeout_ms) {
    if (count_ == 0) return true;
    CoroutineId self = scheduler_.current_id();
    if (self < 0) return false;
    waiters_.push_back(self);
    WakeReason reason = scheduler_.suspend(timeout_ms > 0 ? timeout_ms : -1, true);
    if (reason == WakeReason::kWoken) return true;
    auto it = std::find(waiters_.begin(), waiters_.end(), self);
    if (it != waiters_.end()) waiters_.erase(it);
    return false;
}

}  // namespace wsserver
