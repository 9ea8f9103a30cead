// One anonymous MAP_SHARED mapping, owned by one object. Made before fork(), it is the same
// memory in every process forked afterwards (the server's master, workers and task
// workers); each process unmaps only its own view when its owner goes away.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "core/net/syscall.h"

namespace wsserver {

class SharedMemory {
public:
    // `length` zero-filled bytes; EINVAL for 0, ENOMEM (or mmap's errno) when the system
    // refuses.
    static Result<SharedMemory> create(size_t length);

    SharedMemory() = default;
    SharedMemory(SharedMemory &&other) noexcept;
    SharedMemory &operator=(SharedMemory &&other) noexcept;
    SharedMemory(const SharedMemory &) = delete;
    SharedMemory &operator=(const SharedMemory &) = delete;
    ~SharedMemory();

    void *data() const { return base_; }
    size_t size() const { return length_; }

private:
    SharedMemory(void *base, size_t length) : base_(base), length_(length) {}
    void reset();

    void *base_ = nullptr;
    size_t length_ = 0;
};

// Whether the process `pid` has exited: it no longer exists or is a zombie waiting to be
// reaped (a SIGKILLed worker stays a zombie until the manager's waitpid()). A pid of 0 or
// below is never gone. Used to take back locks whose owner was killed.
bool process_gone(pid_t pid);

// This process's pid, without a system call: cached, and refreshed in the child of every
// fork() (pthread_atfork). Lock words record it on every lock, and getpid() costs
// microseconds in some sandboxes.
pid_t current_pid();

// Futex wait/wake on a 32-bit word of shared memory (not FUTEX_PRIVATE: the waiters are in
// different processes). wait returns false on timeout, true otherwise (woken, value
// already changed, or interrupted); timeout_ms < 0 waits without a limit.
bool futex_wait(const void *word, uint32_t expected, long timeout_ms);
void futex_wake(const void *word, int count);

}  // namespace wsserver
