// WorkerStatusTable: the shared mapping is seen by a forked child and its parent.
#include "core/ipc/worker_status.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

using namespace wsserver;

TEST(WorkerStatusTable, RejectsBadSizes) {
    EXPECT_FALSE(WorkerStatusTable::create(0).ok());
    EXPECT_FALSE(WorkerStatusTable::create(-1).ok());
    EXPECT_FALSE(WorkerStatusTable::create(WorkerStatusTable::kMaxWorkers + 1).ok());
    EXPECT_EQ(WorkerStatusTable::create(0).error().code, EINVAL);
}

TEST(WorkerStatusTable, StartsEmptyAndTracksOneWorker) {
    auto t = WorkerStatusTable::create(3);
    ASSERT_TRUE(t.ok()) << t.error().message;
    WorkerStatusTable &table = t.value();
    EXPECT_EQ(table.size(), 3);
    for (int i = 0; i < 3; i++) {
        EXPECT_EQ(table.state(i), WorkerState::kNone);
        EXPECT_EQ(table.pid(i), 0);
        EXPECT_EQ(table.requests(i), 0u);
    }
    EXPECT_EQ(table.idle_count(0, 3), 0);
    table.begin(1, 4242);
    table.set_state(1, WorkerState::kIdle);
    EXPECT_TRUE(table.idle(1));
    table.set_state(2, WorkerState::kIdle);
    EXPECT_EQ(table.idle_count(0, 3), 2);
    EXPECT_EQ(table.idle_count(0, 2), 1);
    EXPECT_EQ(table.idle_count(2, 5), 1);  // ids past the end are not idle
    table.set_state(2, WorkerState::kNone);
    EXPECT_FALSE(table.busy(1));
    table.set_state(1, WorkerState::kBusy);
    EXPECT_TRUE(table.busy(1));
    EXPECT_FALSE(table.idle(1));
    EXPECT_EQ(table.add_request(1), 1u);
    EXPECT_EQ(table.add_request(1), 2u);
    EXPECT_EQ(table.requests(1), 2u);
    EXPECT_EQ(table.pid(1), 4242);
    // Neighbours untouched.
    EXPECT_EQ(table.state(0), WorkerState::kNone);
    EXPECT_EQ(table.requests(2), 0u);
    table.end(1);
    EXPECT_EQ(table.state(1), WorkerState::kExit);
    EXPECT_EQ(table.pid(1), 0);
    EXPECT_EQ(table.requests(1), 2u);
    // A restart begins afresh.
    table.begin(1, 4343);
    EXPECT_EQ(table.requests(1), 0u);
    EXPECT_EQ(table.state(1), WorkerState::kNone);
    EXPECT_EQ(static_cast<uint32_t>(WorkerState::kBusy), 1u);  // SWOOLE_WORKER_BUSY
    EXPECT_EQ(static_cast<uint32_t>(WorkerState::kIdle), 2u);  // SWOOLE_WORKER_IDLE
    EXPECT_EQ(static_cast<uint32_t>(WorkerState::kExit), 3u);  // SWOOLE_WORKER_EXIT
}

TEST(WorkerStatusTable, UnknownIdsAreIgnored) {
    auto t = WorkerStatusTable::create(1);
    ASSERT_TRUE(t.ok());
    WorkerStatusTable &table = t.value();
    table.set_state(5, WorkerState::kBusy);
    table.set_state(-1, WorkerState::kBusy);
    EXPECT_EQ(table.add_request(1), 0u);
    EXPECT_EQ(table.state(5), WorkerState::kNone);
    EXPECT_FALSE(table.valid_id(1));
    EXPECT_TRUE(table.valid_id(0));
    EXPECT_EQ(table.state(0), WorkerState::kNone);
}

TEST(WorkerStatusTable, SharedAcrossFork) {
    auto t = WorkerStatusTable::create(2);
    ASSERT_TRUE(t.ok());
    WorkerStatusTable &table = t.value();
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        table.begin(1, ::getpid());
        table.set_state(1, WorkerState::kBusy);
        for (int i = 0; i < 1000; i++) table.add_request(1);
        table.set_state(1, WorkerState::kIdle);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(table.pid(1), child);
    EXPECT_EQ(table.requests(1), 1000u);
    EXPECT_TRUE(table.idle(1));
    EXPECT_EQ(table.state(0), WorkerState::kNone);
}

TEST(WorkerStatusTable, MoveKeepsTheMapping) {
    auto t = WorkerStatusTable::create(2);
    ASSERT_TRUE(t.ok());
    t.value().set_state(0, WorkerState::kBusy);
    WorkerStatusTable moved(std::move(t.value()));
    EXPECT_TRUE(moved.busy(0));
    EXPECT_EQ(t.value().size(), 0);
    EXPECT_EQ(t.value().state(0), WorkerState::kNone);  // the moved-from table reads nothing
}
