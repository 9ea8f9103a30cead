#include "core/table/shared_memory.h"

#include <fcntl.h>
#include <pthread.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <atomic>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <utility>

namespace wsserver {

Result<SharedMemory> SharedMemory::create(size_t length) {
    if (length == 0) return SysError::from_errno(EINVAL, "mmap(shared memory of 0 bytes)");
    void *base = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        return SysError::from_errno(errno, "mmap(shared memory, " + std::to_string(length) + " bytes)");
    }
    return SharedMemory(base, length);
}

SharedMemory::SharedMemory(SharedMemory &&other) noexcept
    : base_(std::exchange(other.base_, nullptr)), length_(std::exchange(other.length_, 0)) {}

SharedMemory &SharedMemory::operator=(SharedMemory &&other) noexcept {
    if (this != &other) {
        reset();
        base_ = std::exchange(other.base_, nullptr);
        length_ = std::exchange(other.length_, 0);
    }
    return *this;
}

SharedMemory::~SharedMemory() { reset(); }

void SharedMemory::reset() {
    if (base_) ::munmap(base_, length_);
    base_ = nullptr;
    length_ = 0;
}

namespace {

// Process-wide by nature: one pid per process. 0 until first asked for.
std::atomic<pid_t> g_cached_pid{0};
std::once_flag g_atfork_registered;

void forget_pid_in_child() { g_cached_pid.store(0, std::memory_order_relaxed); }

}  // namespace

pid_t current_pid() {
    pid_t pid = g_cached_pid.load(std::memory_order_relaxed);
    if (pid != 0) return pid;
    std::call_once(g_atfork_registered, [] { pthread_atfork(nullptr, nullptr, forget_pid_in_child); });
    pid = ::getpid();
    g_cached_pid.store(pid, std::memory_order_relaxed);
    return pid;
}

bool process_gone(pid_t pid) {
    if (pid <= 0) return false;
    if (::kill(pid, 0) != 0) return errno == ESRCH;
    // Still in the process table: a zombie has exited all the same. /proc/<pid>/stat is
    // "pid (comm) S ...": the state follows the last ')' (comm may contain one).
    char path[64];
    std::snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(pid));
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT;
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
    ::close(fd);
    if (n <= 0) return false;
    buf[n] = '\0';
    const char *paren = std::strrchr(buf, ')');
    return paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

bool futex_wait(const void *word, uint32_t expected, long timeout_ms) {
    timespec timeout{};
    timespec *limit = nullptr;
    if (timeout_ms >= 0) {
        timeout.tv_sec = timeout_ms / 1000;
        timeout.tv_nsec = (timeout_ms % 1000) * 1000000L;
        limit = &timeout;
    }
    long rc = ::syscall(SYS_futex, word, FUTEX_WAIT, expected, limit, nullptr, 0);
    return !(rc != 0 && errno == ETIMEDOUT);
}

void futex_wake(const void *word, int count) {
    ::syscall(SYS_futex, word, FUTEX_WAKE, count < 1 ? 1 : count, nullptr, nullptr, 0);
}

}  // namespace wsserver
