// Swoole\Lock across processes, robust: every holder is recorded by pid, and a holder that
// died (SIGKILL, OOM) is dropped by the next process that waits for the lock, where
// Swoole's pthread locks would stay locked for good.
//
// One design for the three Swoole types: a small state (writer pid, reader pids) guarded
// by a process-shared robust pthread mutex that is held only for a few stores, and a futex
// word bumped on every release that waiters sleep on (in short slices, so that a dead
// holder is noticed even though it never releases). MUTEX and SPINLOCK are exclusive only
// (LOCK_SH locks exclusively, as Swoole's mutex does); RWLOCK shares LOCK_SH.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "core/table/shared_memory.h"

namespace wsserver {

class SharedLock {
public:
    enum class Kind { kMutex, kReadWrite, kSpin };
    static constexpr int kMaxReaders = 128;

    static Result<SharedLock> create(Kind kind);

    SharedLock(SharedLock &&) noexcept = default;
    SharedLock &operator=(SharedLock &&) noexcept = default;
    ~SharedLock();

    Kind kind() const { return kind_; }

    // 0 or an errno, as Swoole's errCode: EBUSY (try-lock failed), ETIMEDOUT, EDEADLK (this
    // process holds it already: waiting would never end), EAGAIN (too many readers).
    // timeout_ms <= 0 waits without a limit; `try_only` is LOCK_NB.
    int lock(bool shared, bool try_only, long timeout_ms);
    // 0, or EPERM when this process holds nothing.
    int unlock();

private:
    struct State;
    SharedLock(Kind kind, SharedMemory memory) : kind_(kind), memory_(std::move(memory)) {}
    State &state() const { return *static_cast<State *>(memory_.data()); }

    Kind kind_;
    SharedMemory memory_;
};

}  // namespace wsserver
