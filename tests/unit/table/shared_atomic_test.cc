// SharedAtomic32/64: arithmetic as Swoole's (wrapping), and sharing across fork().
#include "core/table/shared_atomic.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

using namespace wsserver;

namespace {

// Forks `n` children running `body`; waits for all; true when every one exited 0.
template <class Body>
bool run_children(int n, Body body) {
    std::vector<pid_t> pids;
    for (int i = 0; i < n; ++i) {
        pid_t pid = fork();
        if (pid == 0) {
            body(i);
            _exit(0);
        }
        pids.push_back(pid);
    }
    bool ok = true;
    for (pid_t pid : pids) {
        int status = 0;
        waitpid(pid, &status, 0);
        ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    return ok;
}

}  // namespace

TEST(SharedAtomic32, ArithmeticWrapsAt32Bits) {
    auto a = SharedAtomic32::create(5);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->add(3), 8u);
    EXPECT_EQ(a->sub(10), 0xFFFFFFFEu);
    a->set(7);
    EXPECT_FALSE(a->cmpset(6, 1));
    EXPECT_TRUE(a->cmpset(7, 1));
    EXPECT_EQ(a->get(), 1u);
}

TEST(SharedAtomic32, AddsFromFourProcessesExactly) {
    auto a = SharedAtomic32::create(0);
    ASSERT_TRUE(a);
    ASSERT_TRUE(run_children(4, [&](int) {
        for (int i = 0; i < 100000; ++i) a->add(1);
    }));
    EXPECT_EQ(a->get(), 400000u);
}

TEST(SharedAtomic32, WaitConsumesAWakeupAndTimesOut) {
    auto a = SharedAtomic32::create(0);
    ASSERT_TRUE(a);
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(a->wait(0.05));
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(40));
    EXPECT_TRUE(a->wakeup(1));
    EXPECT_EQ(a->get(), 1u);
    EXPECT_TRUE(a->wait(0.05));
    EXPECT_EQ(a->get(), 0u);
    a->set(5);
    EXPECT_FALSE(a->wait(1));  // neither 0 nor 1: returns at once
}

TEST(SharedAtomic32, WakeupReachesAnotherProcess) {
    auto a = SharedAtomic32::create(0);
    auto ready = SharedAtomic32::create(0);
    ASSERT_TRUE(a && ready);
    pid_t pid = fork();
    if (pid == 0) {
        ready->set(1);
        _exit(a->wait(10) ? 0 : 1);
    }
    for (int i = 0; i < 10000 && ready->get() == 0; ++i) usleep(1000);
    usleep(20000);  // let the child reach its futex sleep; the test passes either way
    a->wakeup(1);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(SharedAtomic64, SignedAndShared) {
    auto a = SharedAtomic64::create(-5);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->add(3), -2);
    EXPECT_EQ(a->sub(INT64_MAX), INT64_MAX);  // -2 - INT64_MAX wraps
    a->set(1ll << 40);
    ASSERT_TRUE(run_children(2, [&](int) {
        for (int i = 0; i < 1000; ++i) a->add(2);
    }));
    EXPECT_EQ(a->get(), (1ll << 40) + 4000);
    EXPECT_TRUE(a->cmpset((1ll << 40) + 4000, -1));
    EXPECT_EQ(a->get(), -1);
}
