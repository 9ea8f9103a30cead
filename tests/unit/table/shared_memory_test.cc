// SharedMemory, current_pid() and process_gone(): the pieces the locks rely on.
#include "core/table/shared_memory.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

using namespace wsserver;

TEST(SharedMemory, ZeroFilledAndSharedWithAForkedChild) {
    EXPECT_EQ(SharedMemory::create(0).error().code, EINVAL);
    auto m = SharedMemory::create(4096);
    ASSERT_TRUE(m);
    auto *word = static_cast<std::atomic<int> *>(m->data());
    EXPECT_EQ(word->load(), 0);
    pid_t pid = fork();
    if (pid == 0) {
        word->store(42);
        _exit(0);
    }
    waitpid(pid, nullptr, 0);
    EXPECT_EQ(word->load(), 42);
}

TEST(SharedMemory, CurrentPidFollowsFork) {
    EXPECT_EQ(current_pid(), getpid());
    auto m = SharedMemory::create(sizeof(std::atomic<int>) * 2);
    ASSERT_TRUE(m);
    auto *seen = static_cast<std::atomic<int> *>(m->data());
    pid_t pid = fork();
    if (pid == 0) {
        seen[0].store(current_pid());
        seen[1].store(getpid());
        _exit(0);
    }
    waitpid(pid, nullptr, 0);
    EXPECT_EQ(seen[0].load(), pid);
    EXPECT_EQ(seen[1].load(), pid);
    EXPECT_EQ(current_pid(), getpid());
}

TEST(SharedMemory, ProcessGoneSeesZombiesAndReapedChildren) {
    EXPECT_FALSE(process_gone(getpid()));
    EXPECT_FALSE(process_gone(0));
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 3000; ++i) usleep(10000);  // killed long before 30 s
        _exit(0);
    }
    EXPECT_FALSE(process_gone(pid));
    kill(pid, SIGKILL);
    // Not reaped yet: a zombie, which has exited all the same.
    bool gone = false;
    for (int i = 0; i < 500 && !gone; ++i) {
        gone = process_gone(pid);
        if (!gone) usleep(2000);
    }
    EXPECT_TRUE(gone);
    waitpid(pid, nullptr, 0);
    EXPECT_TRUE(process_gone(pid));
}
