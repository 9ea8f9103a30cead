// Swoole's Coroutine\WaitGroup: a counter that coroutines wait on until it drops to 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

#include "core/coroutine/scheduler.h"

namespace wsserver {

class WaitGroup {
public:
    explicit WaitGroup(Scheduler &scheduler) : scheduler_(scheduler) {}
    WaitGroup(const WaitGroup &) = delete;
    WaitGroup &operator=(const WaitGroup &) = delete;

    // Adds `delta` (may be negative). False, changing nothing, if the count would go
    // below 0. Reaching 0 wakes every waiter.
    bool add(int64_t delta);
    bool done() { return add(-1); }
    // From a coroutine: waits until the count is 0. timeout_ms <= 0 waits forever. True
    // at once if the count is 0; false on timeout or cancellation.
    bool wait(int64_t timeout_ms = -1);

    int64_t count() const { return count_; }
    size_t waiter_count() const { return waiters_.size(); }

private:
    Scheduler &scheduler_;
    int64_t count_ = 0;
    std::deque<CoroutineId> waiters_;
};

}  // namespace wsserver
