#include "core/table/shared_atomic.h"

#include <new>
#include <utility>

namespace wsserver {

static_assert(std::atomic<uint32_t>::is_always_lock_free && sizeof(std::atomic<uint32_t>) == 4,
              "the futex word must be a plain lock-free 32-bit integer");
static_assert(std::atomic<uint64_t>::is_always_lock_free, "shared-memory atomics must be lock-free");

Result<SharedAtomic32> SharedAtomic32::create(uint32_t initial) {
    auto memory = SharedMemory::create(sizeof(std::atomic<uint32_t>));
    if (!memory) return memory.error();
    ::new (memory->data()) std::atomic<uint32_t>(initial);
    return SharedAtomic32(std::move(*memory));
}

bool SharedAtomic32::wait(double timeout_seconds) {
    uint32_t one = 1;
    if (value().compare_exchange_strong(one, 0)) return true;
    long timeout_ms = timeout_seconds > 0 ? static_cast<long>(timeout_seconds * 1000.0) : -1;
    if (timeout_seconds > 0 && timeout_ms == 0) timeout_ms = 1;
    // One sleep, as Swoole: a value other than 0 returns at once; a wakeup makes it 1.
    futex_wait(memory_.data(), 0, timeout_ms);
    one = 1;
    return value().compare_exchange_strong(one, 0);
}

bool SharedAtomic32::wakeup(int count) {
    uint32_t zero = 0;
    if (value().compare_exchange_strong(zero, 1)) futex_wake(memory_.data(), count);
    return true;
}

Result<SharedAtomic64> SharedAtomic64::create(int64_t initial) {
    auto memory = SharedMemory::create(sizeof(std::atomic<uint64_t>));
    if (!memory) return memory.error();
    ::new (memory->data()) std::atomic<uint64_t>(static_cast<uint64_t>(initial));
    return SharedAtomic64(std::move(*memory));
}

}  // namespace wsserver
