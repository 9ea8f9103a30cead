// Tests for src/core/net/timer_queue.h, on a fake millisecond clock (the queue takes `now`
// as an argument, so nothing here sleeps).
#include "core/net/timer_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

using namespace wsserver;

TEST(TimerQueue, FiresInDeadlineOrderTiesByCreation) {
    TimerQueue q;
    std::vector<int> order;
    q.after(0, 30, [&](TimerId) { order.push_back(30); });
    q.after(0, 10, [&](TimerId) { order.push_back(10); });
    q.after(0, 20, [&](TimerId) { order.push_back(20); });
    q.after(0, 10, [&](TimerId) { order.push_back(11); });  // same deadline, created later

    EXPECT_EQ(q.next_deadline(), std::optional<uint64_t>(10));
    EXPECT_EQ(q.run_due(9), 0u);
    EXPECT_EQ(q.run_due(10), 2u);
    EXPECT_EQ(order, (std::vector<int>{10, 11}));
    EXPECT_EQ(q.run_due(1000), 2u);
    EXPECT_EQ(order, (std::vector<int>{10, 11, 20, 30}));
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.next_deadline(), std::nullopt);
}

TEST(TimerQueue, IdsArePositiveUniqueAndNeverReused) {
    TimerQueue q;
    TimerId last = 0;
    for (int i = 0; i < 1000; i++) {
        TimerId id = i % 2 ? q.tick(0, 5, [](TimerId) {}) : q.after(0, 5, [](TimerId) {});
        EXPECT_GT(id, last);
        last = id;
        if (i % 3 == 0) {
            EXPECT_TRUE(q.clear(id));
        }
    }
    q.run_due(5);
    q.clear_all();
    EXPECT_GT(q.after(0, 1, [](TimerId) {}), last);
}

TEST(TimerQueue, ClearReportsWhetherTheTimerWasLive) {
    TimerQueue q;
    int fired = 0;
    TimerId id = q.after(0, 10, [&](TimerId) { fired++; });
    EXPECT_TRUE(q.exists(id));
    EXPECT_TRUE(q.clear(id));
    EXPECT_FALSE(q.clear(id));
    EXPECT_FALSE(q.exists(id));
    EXPECT_FALSE(q.clear(0));
    EXPECT_FALSE(q.clear(-1));
    EXPECT_FALSE(q.clear(12345));
    EXPECT_EQ(q.run_due(100), 0u);
    EXPECT_EQ(fired, 0);

    // A one-shot timer is gone once it has run.
    TimerId once = q.after(0, 1, [](TimerId) {});
    q.run_due(1);
    EXPECT_FALSE(q.clear(once));
}

TEST(TimerQueue, OneShotClearsItselfInsideItsCallback) {
    TimerQueue q;
    std::vector<bool> results;
    TimerId id = q.after(0, 5, [&](TimerId self) {
        results.push_back(q.exists(self));
        results.push_back(q.clear(self));  // Swoole: true, the timer is marked removed
        results.push_back(q.clear(self));  // already removed
        results.push_back(q.exists(self));
    });
    EXPECT_EQ(q.run_due(5), 1u);
    EXPECT_EQ(results, (std::vector<bool>{true, true, false, false}));
    EXPECT_FALSE(q.exists(id));
    EXPECT_EQ(q.size(), 0u);
}

TEST(TimerQueue, TickClearsItselfAndNeverFiresAgain) {
    TimerQueue q;
    int runs = 0;
    TimerId id = q.tick(0, 10, [&](TimerId self) {
        if (++runs == 3) {
            EXPECT_TRUE(q.clear(self));
        }
    });
    for (uint64_t now = 10; now <= 100; now += 10) q.run_due(now);
    EXPECT_EQ(runs, 3);
    EXPECT_FALSE(q.exists(id));
    EXPECT_TRUE(q.empty());
}

TEST(TimerQueue, TickCadenceOnFakeClock) {
    TimerQueue q;
    std::vector<uint64_t> fired_at;
    uint64_t now = 1000;
    q.tick(now, 25, [&](TimerId) { fired_at.push_back(now); });
    for (; now <= 1200; now += 5) q.run_due(now);
    EXPECT_EQ(fired_at, (std::vector<uint64_t>{1025, 1050, 1075, 1100, 1125, 1150, 1175, 1200}));
}

TEST(TimerQueue, LateTickSkipsMissedPeriodsWithoutBurst) {
    TimerQueue q;
    int runs = 0;
    TimerId id = q.tick(0, 10, [&](TimerId) { runs++; });
    // The loop stalled for 5.5 periods: one call, not five.
    EXPECT_EQ(q.run_due(55), 1u);
    EXPECT_EQ(runs, 1);
    // Phase kept: the next expiry is the next multiple of 10 after 55.
    TimerInfo info;
    ASSERT_TRUE(q.info(id, info));
    EXPECT_EQ(info.deadline_ms, 60u);
    EXPECT_EQ(info.interval_ms, 10u);
    EXPECT_EQ(info.exec_count, 1u);
    EXPECT_EQ(q.run_due(59), 0u);
    EXPECT_EQ(q.run_due(60), 1u);
    // Exactly on a multiple: that expiry is "now", the next one a period later.
    EXPECT_EQ(q.run_due(80), 1u);
    ASSERT_TRUE(q.info(id, info));
    EXPECT_EQ(info.deadline_ms, 90u);
}

TEST(TimerQueue, ZeroIntervalTickIsTreatedAsOneMillisecond) {
    TimerQueue q;
    int runs = 0;
    q.tick(0, 0, [&](TimerId) { runs++; });
    EXPECT_EQ(q.run_due(0), 0u);
    EXPECT_EQ(q.run_due(1), 1u);
    EXPECT_EQ(q.run_due(1), 0u);  // no re-run within the same millisecond
    EXPECT_EQ(q.run_due(2), 1u);
    EXPECT_EQ(runs, 2);
}

TEST(TimerQueue, TimersAddedByCallbacksWaitForTheNextRound) {
    TimerQueue q;
    int chained = 0;
    std::function<void(TimerId)> again = [&](TimerId) {
        chained++;
        q.after(100, 0, again);  // already due, but must not run in this round
    };
    q.after(0, 100, again);
    EXPECT_EQ(q.run_due(100), 1u);
    EXPECT_EQ(chained, 1);
    EXPECT_EQ(q.run_due(100), 1u);
    EXPECT_EQ(chained, 2);
}

TEST(TimerQueue, CallbackClearsALaterTimerOfTheSameBatch) {
    TimerQueue q;
    bool second_ran = false;
    TimerId second = 0;
    q.after(0, 10, [&](TimerId) { EXPECT_TRUE(q.clear(second)); });
    second = q.after(0, 10, [&](TimerId) { second_ran = true; });
    EXPECT_EQ(q.run_due(10), 1u);
    EXPECT_FALSE(second_ran);
    EXPECT_TRUE(q.empty());
}

TEST(TimerQueue, ClearAllFromInsideACallback) {
    TimerQueue q;
    int others = 0;
    TimerId self_id = q.tick(0, 10, [&](TimerId self) {
        q.clear_all();
        EXPECT_FALSE(q.exists(self));
        EXPECT_FALSE(q.clear(self));  // clear_all() already marked it removed
    });
    q.after(0, 10, [&](TimerId) { others++; });
    q.after(0, 20, [&](TimerId) { others++; });
    q.run_due(10);
    EXPECT_EQ(others, 0);
    EXPECT_FALSE(q.exists(self_id));
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.run_due(1000), 0u);
}

TEST(TimerQueue, InfoAndIds) {
    TimerQueue q;
    TimerId a = q.after(0, 10, [](TimerId) {});
    TimerId b = q.tick(0, 20, [](TimerId) {});
    TimerId c = q.after(0, 30, [](TimerId) {});
    q.clear(c);
    EXPECT_EQ(q.ids(), (std::vector<TimerId>{a, b}));
    TimerInfo info;
    ASSERT_TRUE(q.info(a, info));
    EXPECT_EQ(info.deadline_ms, 10u);
    EXPECT_EQ(info.interval_ms, 0u);
    EXPECT_FALSE(info.removed);
    EXPECT_FALSE(q.info(c, info));
}

TEST(TimerQueue, NextDeadlineSkipsClearedTimers) {
    TimerQueue q;
    TimerId early = q.after(0, 5, [](TimerId) {});
    q.after(0, 50, [](TimerId) {});
    EXPECT_EQ(q.next_deadline(), std::optional<uint64_t>(5));
    q.clear(early);
    EXPECT_EQ(q.next_deadline(), std::optional<uint64_t>(50));
}

TEST(TimerQueue, ThrowingCallbackLeavesTheQueueConsistent) {
    TimerQueue q;
    std::vector<int> ran;
    q.after(0, 10, [&](TimerId) {
        ran.push_back(1);
        throw std::runtime_error("boom");
    });
    q.after(0, 10, [&](TimerId) { ran.push_back(2); });
    TimerId tick = q.tick(0, 10, [&](TimerId) { ran.push_back(3); });
    EXPECT_THROW(q.run_due(10), std::runtime_error);
    EXPECT_EQ(ran, (std::vector<int>{1}));
    EXPECT_EQ(q.size(), 2u);  // the thrower is finished, the rest still pending
    EXPECT_EQ(q.run_due(10), 2u);
    EXPECT_EQ(ran, (std::vector<int>{1, 2, 3}));
    EXPECT_TRUE(q.exists(tick));
}

TEST(TimerQueue, HundredThousandTimersAddClearAndRun) {
    TimerQueue q;
    std::mt19937 rng(42);
    constexpr int kCount = 100000;
    std::vector<TimerId> ids;
    ids.reserve(kCount);
    uint64_t last_deadline = 0;
    bool in_order = true;
    size_t fired = 0;
    for (int i = 0; i < kCount; i++) {
        uint64_t delay = rng() % 60000;
        ids.push_back(q.after(0, delay, [&, delay](TimerId) {
            in_order = in_order && delay >= last_deadline;
            last_deadline = delay;
            fired++;
        }));
    }
    EXPECT_EQ(q.size(), size_t(kCount));
    // Clear every other one (the pattern of idle timeouts being re-armed).
    for (int i = 0; i < kCount; i += 2) ASSERT_TRUE(q.clear(ids[size_t(i)]));
    EXPECT_EQ(q.size(), size_t(kCount / 2));
    // Re-arm a quarter of them, as handshake/idle timers do.
    for (int i = 0; i < kCount / 4; i++) q.after(0, 60000 + uint64_t(i), [&](TimerId) { fired++; });
    for (uint64_t now = 0; now <= 60000 + kCount; now += 1000) q.run_due(now);
    EXPECT_TRUE(in_order);
    EXPECT_EQ(fired, size_t(kCount / 2 + kCount / 4));
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.next_deadline(), std::nullopt);
}

TEST(TimerQueue, HugeDelaysSaturateInsteadOfWrapping) {
    TimerQueue q;
    bool fired = false;
    q.after(1000, UINT64_MAX, [&](TimerId) { fired = true; });
    q.tick(1000, UINT64_MAX - 10, [&](TimerId) { fired = true; });
    EXPECT_EQ(q.next_deadline(), std::optional<uint64_t>(UINT64_MAX));
    EXPECT_EQ(q.run_due(1000000), 0u);
    EXPECT_FALSE(fired);
}
