// SharedLock: Swoole's lock()/unlock() results, exclusion across processes, and recovery
// from a holder that was SIGKILLed.
#include "core/table/shared_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "core/table/shared_atomic.h"

using namespace wsserver;

namespace {

pid_t fork_holding(SharedLock &lock, SharedAtomic32 &ready, bool shared) {
    pid_t pid = fork();
    if (pid == 0) {
        if (lock.lock(shared, false, -1) != 0) _exit(2);
        ready.set(1);
        for (int i = 0; i < 30000; ++i) usleep(1000);  // held until killed (30 s at most)
        _exit(0);
    }
    for (int i = 0; i < 10000 && ready.get() == 0; ++i) usleep(1000);
    return pid;
}

void kill_and_reap(pid_t pid) {
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
}

}  // namespace

TEST(SharedLock, TryLockTimeoutAndErrors) {
    auto lock = SharedLock::create(SharedLock::Kind::kMutex);
    ASSERT_TRUE(lock);
    EXPECT_EQ(lock->unlock(), EPERM);
    EXPECT_EQ(lock->lock(false, false, -1), 0);
    EXPECT_EQ(lock->lock(false, true, -1), EBUSY);
    EXPECT_EQ(lock->lock(false, false, -1), EDEADLK);  // would wait for itself forever
    EXPECT_EQ(lock->unlock(), 0);
    EXPECT_EQ(lock->lock(false, true, -1), 0);
    EXPECT_EQ(lock->unlock(), 0);
}

TEST(SharedLock, OtherProcessBlocksThenTimesOut) {
    auto lock = SharedLock::create(SharedLock::Kind::kMutex);
    auto ready = SharedAtomic32::create(0);
    ASSERT_TRUE(lock && ready);
    pid_t pid = fork_holding(*lock, *ready, false);
    ASSERT_EQ(ready->get(), 1u);
    EXPECT_EQ(lock->lock(false, true, -1), EBUSY);
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(lock->lock(false, false, 100), ETIMEDOUT);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(90));
    kill_and_reap(pid);
}

TEST(SharedLock, KilledHolderDoesNotBlockOthers) {
    auto lock = SharedLock::create(SharedLock::Kind::kMutex);
    auto ready = SharedAtomic32::create(0);
    ASSERT_TRUE(lock && ready);
    pid_t pid = fork_holding(*lock, *ready, false);
    ASSERT_EQ(ready->get(), 1u);
    kill_and_reap(pid);
    EXPECT_EQ(lock->lock(false, false, 2000), 0);
    EXPECT_EQ(lock->unlock(), 0);
}

TEST(SharedLock, KilledWhileWaitedForWakesTheWaiter) {
    auto lock = SharedLock::create(SharedLock::Kind::kSpin);
    auto ready = SharedAtomic32::create(0);
    ASSERT_TRUE(lock && ready);
    pid_t pid = fork_holding(*lock, *ready, false);
    ASSERT_EQ(ready->get(), 1u);
    pid_t killer = fork();
    if (killer == 0) {
        usleep(50000);
        kill(pid, SIGKILL);
        _exit(0);
    }
    // The holder is our child: until we reap it it is a zombie, which counts as gone.
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(lock->lock(false, false, 5000), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
    EXPECT_EQ(lock->unlock(), 0);
    int status = 0;
    waitpid(killer, &status, 0);
    waitpid(pid, &status, 0);
}

TEST(SharedLock, ReadWriteSharesReadersOnly) {
    auto lock = SharedLock::create(SharedLock::Kind::kReadWrite);
    auto ready = SharedAtomic32::create(0);
    ASSERT_TRUE(lock && ready);
    pid_t pid = fork_holding(*lock, *ready, true);
    ASSERT_EQ(ready->get(), 1u);
    EXPECT_EQ(lock->lock(true, true, -1), 0);       // a second reader
    EXPECT_EQ(lock->unlock(), 0);
    EXPECT_EQ(lock->lock(false, true, -1), EBUSY);  // a writer waits for the reader
    kill_and_reap(pid);
    EXPECT_EQ(lock->lock(false, false, 2000), 0);   // the dead reader is dropped
    EXPECT_EQ(lock->lock(true, true, -1), EBUSY);
    EXPECT_EQ(lock->unlock(), 0);
}

TEST(SharedLock, MutexExcludesAcrossProcesses) {
    auto lock = SharedLock::create(SharedLock::Kind::kMutex);
    auto counter = SharedAtomic64::create(0);
    ASSERT_TRUE(lock && counter);
    std::vector<pid_t> pids;
    for (int c = 0; c < 3; ++c) {
        pid_t pid = fork();
        if (pid == 0) {
            for (int i = 0; i < 2000; ++i) {
                if (lock->lock(false, false, -1) != 0) _exit(2);
                int64_t v = counter->get();  // a non-atomic read-modify-write under the lock
                counter->set(v + 1);
                lock->unlock();
            }
            _exit(0);
        }
        pids.push_back(pid);
    }
    for (pid_t pid : pids) {
        int status = 0;
        waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    EXPECT_EQ(counter->get(), 6000);
}
