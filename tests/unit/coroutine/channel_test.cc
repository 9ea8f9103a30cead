// Tests for src/core/coroutine/channel.h and wait_group.h on the ucontext backend.
#include "core/coroutine/channel.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/coroutine/wait_group.h"
#include "coroutine/coroutine_test_util.h"

using namespace wsserver;
using wsserver::test::SchedulerFixture;

TEST(Channel, FifoAndProducersWaitWhenFull) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    Channel<std::unique_ptr<int>> ch(s, 2);
    std::vector<std::string> log;
    s.create([&] {
        for (int i = 0; i < 5; i++) {
            EXPECT_TRUE(ch.push(std::make_unique<int>(i)));
            log.push_back("pushed " + std::to_string(i));
        }
    });
    EXPECT_EQ(ch.length(), 2u);
    EXPECT_TRUE(ch.full());
    EXPECT_EQ(ch.producer_count(), 1u);
    s.create([&] {
        for (int i = 0; i < 5; i++) {
            auto v = ch.pop();
            ASSERT_TRUE(v.has_value());
            log.push_back("popped " + std::to_string(**v));
        }
    });
    EXPECT_EQ(s.count(), 0u);
    // The pop that frees a slot runs the waiting producer before it returns.
    EXPECT_EQ(log, (std::vector<std::string>{"pushed 0", "pushed 1", "pushed 2", "popped 0", "pushed 3",
                                             "popped 1", "pushed 4", "popped 2", "popped 3", "popped 4"}));
}

TEST(Channel, PopWaitsAndTimesOut) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    Channel<int> ch(s, 1);
    std::vector<int> got;
    ChannelError err = ChannelError::kOk;
    s.create([&] {
        auto v = ch.pop(20);
        EXPECT_FALSE(v.has_value());
        err = ch.error();
        v = ch.pop();
        got.push_back(v.value_or(-1));
    });
    f.advance(25);
    EXPECT_EQ(err, ChannelError::kTimeout);
    EXPECT_EQ(ch.consumer_count(), 1u);
    s.create([&] { ch.push(7); });
    EXPECT_EQ(got, (std::vector<int>{7}));
    EXPECT_EQ(s.count(), 0u);
}

TEST(Channel, PushTimesOutWhenFull) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    Channel<int> ch(s, 1);
    bool second = true;
    s.create([&] {
        EXPECT_TRUE(ch.push(1, 10));
        second = ch.push(2, 10);
        EXPECT_EQ(ch.error(), ChannelError::kTimeout);
    });
    f.run_all();
    EXPECT_FALSE(second);
    EXPECT_EQ(ch.length(), 1u);
    EXPECT_EQ(ch.producer_count(), 0u);
}

TEST(Channel, CloseWakesEveryWaiterAndKeepsData) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    Channel<int> ch(s, 1);
    std::vector<std::string> log;
    for (int i = 0; i < 2; i++) {
        s.create([&] {
            auto v = ch.pop();
            log.push_back(v ? "got" : "closed " + std::to_string(int(ch.error())));
        });
    }
    EXPECT_TRUE(ch.close());
    EXPECT_FALSE(ch.close());
    EXPECT_EQ(log, (std::vector<std::string>{"closed -2", "closed -2"}));
    s.create([&] { EXPECT_FALSE(ch.push(1)); });
    EXPECT_EQ(ch.error(), ChannelError::kClosed);

    Channel<int> full(s, 1);
    s.create([&] {
        full.push(1);
        log.push_back(full.push(2) ? "pushed" : "push closed");
    });
    full.close();
    s.create([&] {
        auto v = full.pop();
        log.push_back(v ? "drained " + std::to_string(*v) : "empty");
        log.push_back(full.pop() ? "more" : "then closed");
    });
    EXPECT_EQ(log.back(), "then closed");
    EXPECT_EQ(log[2], "push closed");
    EXPECT_EQ(log[3], "drained 1");
    EXPECT_EQ(s.count(), 0u);
}

TEST(Channel, CancelAWaitingPopper) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    Channel<int> ch(s, 1);
    ChannelError err = ChannelError::kOk;
    CoroutineId a = s.create([&] {
        EXPECT_FALSE(ch.pop());
        err = ch.error();
    });
    EXPECT_EQ(s.cancel(a), Scheduler::CancelResult::kOk);
    EXPECT_EQ(err, ChannelError::kCanceled);
    EXPECT_EQ(ch.consumer_count(), 0u);
}

TEST(WaitGroup, WaitsForTheCountToReachZero) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    WaitGroup wg(s);
    std::vector<std::string> log;
    s.create([&] {
        EXPECT_TRUE(wg.wait());  // count 0: at once
        for (int i = 1; i <= 3; i++) {
            wg.add(1);
            s.create([&, i] {
                s.sleep(uint64_t(i * 10));
                log.push_back("done " + std::to_string(i));
                wg.done();
            });
        }
        EXPECT_EQ(wg.count(), 3);
        EXPECT_TRUE(wg.wait());
        log.push_back("all done");
    });
    f.run_all();
    EXPECT_EQ(log, (std::vector<std::string>{"done 1", "done 2", "done 3", "all done"}));
    EXPECT_FALSE(wg.done());  // would go negative
    EXPECT_EQ(wg.count(), 0);
}

TEST(WaitGroup, WaitTimesOut) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    WaitGroup wg(s);
    wg.add(1);
    bool result = true;
    s.create([&] { result = wg.wait(15); });
    f.run_all();
    EXPECT_FALSE(result);
    EXPECT_EQ(wg.waiter_count(), 0u);
}
