// Swoole\Atomic and Swoole\Atomic\Long in shared memory: one counter per mapping, made
// before fork() so every process of the server adds to the same number.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/table/shared_memory.h"

namespace wsserver {

// A 32-bit unsigned counter with Swoole's futex wait/wakeup: wakeup() turns 0 into 1 and
// wakes the waiters; wait() turns 1 back into 0, sleeping while the value is 0.
class SharedAtomic32 {
public:
    static Result<SharedAtomic32> create(uint32_t initial);

    uint32_t add(uint32_t n) { return value().fetch_add(n) + n; }
    uint32_t sub(uint32_t n) { return value().fetch_sub(n) - n; }
    uint32_t get() const { return value().load(); }
    void set(uint32_t v) { value().store(v); }
    bool cmpset(uint32_t expected, uint32_t desired) { return value().compare_exchange_strong(expected, desired); }

    // True when a wakeup was consumed; false on timeout or when the value is neither 0
    // nor 1. timeout_seconds <= 0 waits without a limit (Swoole's rule).
    bool wait(double timeout_seconds);
    // Wakes up to `count` waiters when the value was 0; always true, like Swoole's.
    bool wakeup(int count);

private:
    explicit SharedAtomic32(SharedMemory memory) : memory_(std::move(memory)) {}
    std::atomic<uint32_t> &value() const { return *static_cast<std::atomic<uint32_t> *>(memory_.data()); }

    SharedMemory memory_;
};

// A 64-bit signed counter (Swoole\Atomic\Long: no wait/wakeup).
class SharedAtomic64 {
public:
    static Result<SharedAtomic64> create(int64_t initial);

    int64_t add(int64_t n) { return static_cast<int64_t>(raw().fetch_add(static_cast<uint64_t>(n)) + static_cast<uint64_t>(n)); }
    int64_t sub(int64_t n) { return static_cast<int64_t>(raw().fetch_sub(static_cast<uint64_t>(n)) - static_cast<uint64_t>(n)); }
    int64_t get() const { return static_cast<int64_t>(raw().load()); }
    void set(int64_t v) { raw().store(static_cast<uint64_t>(v)); }
    bool cmpset(int64_t expected, int64_t desired) {
        uint64_t e = static_cast<uint64_t>(expected);
        return raw().compare_exchange_strong(e, static_cast<uint64_t>(desired));
    }

private:
    explicit SharedAtomic64(SharedMemory memory) : memory_(std::move(memory)) {}
    // Unsigned inside so that overflow wraps (signed overflow would be undefined).
    std::atomic<uint64_t> &raw() const { return *static_cast<std::atomic<uint64_t> *>(memory_.data()); }

    SharedMemory memory_;
};

}  // namespace wsserver
