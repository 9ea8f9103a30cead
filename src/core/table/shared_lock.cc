#include "core/table/shared_lock.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <new>
#include <utility>

namespace wsserver {

struct SharedLock::State {
    pthread_mutex_t guard;
    std::atomic<uint32_t> releases;  // futex word: bumped on every unlock and recovery
    pid_t writer;
    int reader_count;
    pid_t readers[kMaxReaders];
};

namespace {

// Holds the guard; a guard left locked by a dead process is made consistent again: the
// state behind it is written with single stores, so it is whole.
class GuardHold {
public:
    explicit GuardHold(pthread_mutex_t &m) : m_(m) {
        if (pthread_mutex_lock(&m_) == EOWNERDEAD) pthread_mutex_consistent(&m_);
    }
    ~GuardHold() { pthread_mutex_unlock(&m_); }
    GuardHold(const GuardHold &) = delete;
    GuardHold &operator=(const GuardHold &) = delete;

private:
    pthread_mutex_t &m_;
};

// How long one futex sleep lasts at most: a dead holder is looked for this often.
constexpr long kWaitSliceMs = 20;

}  // namespace

Result<SharedLock> SharedLock::create(Kind kind) {
    auto memory = SharedMemory::create(sizeof(State));
    if (!memory) return memory.error();
    auto *s = ::new (memory->data()) State();
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    int rc = pthread_mutex_init(&s->guard, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc != 0) return SysError::from_errno(rc, "pthread_mutex_init(lock)");
    return SharedLock(kind, std::move(*memory));
}

SharedLock::~SharedLock() {
    // Other processes may still use the mutex: it is never destroyed, only unmapped here.
}

int SharedLock::lock(bool shared, bool try_only, long timeout_ms) {
    State &s = state();
    const pid_t me = current_pid();
    const bool as_reader = shared && kind_ == Kind::kReadWrite;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 0);
    for (bool checked_dead = false;; checked_dead = true) {
        const uint32_t seen = s.releases.load();
        {
            GuardHold hold(s.guard);
            if (checked_dead) {
                // Drop holders that died without unlocking.
                bool freed = false;
                if (s.writer != 0 && process_gone(s.writer)) {
                    s.writer = 0;
                    freed = true;
                }
                for (int i = 0; i < kMaxReaders && s.reader_count > 0; ++i) {
                    if (s.readers[i] != 0 && process_gone(s.readers[i])) {
                        s.readers[i] = 0;
                        --s.reader_count;
                        freed = true;
                    }
                }
                if (freed) s.releases.fetch_add(1);
            }
            if (s.writer == me) return try_only ? EBUSY : EDEADLK;
            if (as_reader) {
                if (s.writer == 0) {
                    for (int i = 0; i < kMaxReaders; ++i) {
                        if (s.readers[i] == 0) {
                            s.readers[i] = me;
                            ++s.reader_count;
                            return 0;
                        }
                    }
                    if (try_only) return EAGAIN;
                }
            } else {
                if (s.writer == 0 && s.reader_count == 0) {
                    s.writer = me;
                    return 0;
                }
                if (s.writer == 0) {
                    for (int i = 0; i < kMaxReaders; ++i) {
                        if (s.readers[i] == me) return try_only ? EBUSY : EDEADLK;
                    }
                }
            }
        }
        if (try_only) return EBUSY;
        long slice = kWaitSliceMs;
        if (timeout_ms > 0) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
            if (left <= 0) return ETIMEDOUT;
            if (left < slice) slice = static_cast<long>(left);
        }
        futex_wait(&s.releases, seen, slice);
    }
}

int SharedLock::unlock() {
    State &s = state();
    const pid_t me = current_pid();
    {
        GuardHold hold(s.guard);
        if (s.writer == me) {
            s.writer = 0;
        } else {
            int slot = -1;
            for (int i = 0; i < kMaxReaders && slot < 0; ++i) {
                if (s.readers[i] == me) slot = i;
            }
            if (slot < 0) return EPERM;
            s.readers[slot] = 0;
            --s.reader_count;
        }
        s.releases.fetch_add(1);
    }
    futex_wake(&s.releases, INT32_MAX);
    return 0;
}

}  // namespace wsserver
