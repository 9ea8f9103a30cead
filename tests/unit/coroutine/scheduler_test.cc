// Tests for src/core/coroutine/scheduler.h on a ucontext backend and a fake clock.
#include "core/coroutine/scheduler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "coroutine/coroutine_test_util.h"

using namespace wsserver;
using wsserver::test::SchedulerFixture;

TEST(Scheduler, CreateRunsAtOnceIdsFromOneNeverReused) {
    SchedulerFixture f;
    ASSERT_TRUE(f.reactor);
    Scheduler &s = *f.scheduler;
    std::vector<std::string> log;
    EXPECT_EQ(s.current_id(), -1);
    CoroutineId a = s.create([&] { log.push_back("a" + std::to_string(s.current_id())); });
    log.push_back("after a");
    CoroutineId b = s.create([&] { log.push_back("b" + std::to_string(s.current_id())); });
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, 2);  // 1 finished, but its id is not reused
    EXPECT_EQ(log, (std::vector<std::string>{"a1", "after a", "b2"}));
    EXPECT_EQ(s.count(), 0u);
    EXPECT_EQ(s.current_id(), -1);
}

TEST(Scheduler, ParentIdsAndNestedCreateReturnsWhenChildSuspends) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    std::vector<std::string> log;
    CoroutineId child = 0;
    s.create([&] {
        EXPECT_EQ(s.current()->parent_id(), -1);
        child = s.create([&] {
            EXPECT_EQ(s.current()->parent_id(), 1);
            log.push_back("child sleeps");
            s.sleep(5);
            log.push_back("child wakes");
        });
        log.push_back("parent continues");
        EXPECT_EQ(s.current_id(), 1);
    });
    EXPECT_EQ(child, 2);
    EXPECT_EQ(s.count(), 1u);  // the parent ended, the child sleeps
    EXPECT_EQ(s.find(2)->parent_id(), 1);
    f.run_all();
    EXPECT_EQ(log, (std::vector<std::string>{"child sleeps", "parent continues", "child wakes"}));
}

TEST(Scheduler, DeferRunsLastInFirstOutAfterTheBody) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    std::vector<int> log;
    EXPECT_FALSE(s.defer([] {}));  // outside a coroutine
    s.create([&] {
        s.defer([&] { log.push_back(1); });
        s.defer([&] {
            log.push_back(2);
            s.defer([&] { log.push_back(4); });  // deferred from a defer: runs next
        });
        s.defer([&] { log.push_back(3); });
        s.sleep(1);
        log.push_back(0);
    });
    f.run_all();
    EXPECT_EQ(log, (std::vector<int>{0, 3, 2, 4, 1}));
}

TEST(Scheduler, SleepersWakeInDeadlineOrder) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    std::vector<int> log;
    for (int ms : {30, 10, 20, 10, 0}) {
        s.create([&, ms] {
            EXPECT_EQ(s.sleep(uint64_t(ms)), WakeReason::kTimeout);
            log.push_back(ms * 100 + int(s.current_id()));
        });
    }
    EXPECT_TRUE(log.empty());  // even sleep(0) waits for the loop
    f.run_all();
    EXPECT_EQ(log, (std::vector<int>{5, 1002, 1004, 2003, 3001}));
}

TEST(Scheduler, WakeBeforeTimeoutAndTimeout) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    std::vector<WakeReason> reasons;
    CoroutineId a = s.create([&] { reasons.push_back(s.suspend(100)); });
    s.create([&] { reasons.push_back(s.suspend(10)); });
    EXPECT_TRUE(s.wake(a));
    EXPECT_FALSE(s.wake(a));  // finished
    f.run_all();
    EXPECT_EQ(reasons, (std::vector<WakeReason>{WakeReason::kWoken, WakeReason::kTimeout}));
    EXPECT_TRUE(f.reactor->timers().empty());  // a's timer was cleared when it woke
}

TEST(Scheduler, CancelWakesAWaitingCoroutine) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    WakeReason reason = WakeReason::kWoken;
    CoroutineId a = s.create([&] {
        reason = s.sleep(100000);
        EXPECT_TRUE(s.current()->canceled());
    });
    CoroutineId y = s.create([&] { s.suspend(-1, false); });
    CoroutineId yielded = s.create([&] { s.yield_current(); });
    CoroutineId self_cancel = s.create([&] { EXPECT_EQ(s.cancel(s.current_id()), Scheduler::CancelResult::kSelf); });
    EXPECT_GT(self_cancel, 0);
    EXPECT_EQ(s.cancel(99), Scheduler::CancelResult::kNotFound);
    EXPECT_EQ(s.cancel(y), Scheduler::CancelResult::kNotCancelable);
    EXPECT_EQ(s.cancel(a), Scheduler::CancelResult::kOk);
    EXPECT_EQ(reason, WakeReason::kCanceled);
    EXPECT_EQ(s.find(a), nullptr);
    EXPECT_TRUE(s.wake(y));
    EXPECT_EQ(s.cancel(yielded), Scheduler::CancelResult::kOk);  // Co::yield is cancelable
    EXPECT_EQ(s.count(), 0u);
}

TEST(Scheduler, InterruptWakesAnyWaitForUnwinding) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    std::vector<WakeReason> reasons;
    CoroutineId sleeping = s.create([&] { reasons.push_back(s.sleep(100000)); });
    CoroutineId uncancelable = s.create([&] { reasons.push_back(s.suspend(-1, false)); });
    CoroutineId yielded = s.create([&] {
        s.yield_current();
        reasons.push_back(WakeReason::kCanceled);
    });
    CoroutineId done = s.create([] {});
    EXPECT_EQ(s.count(), 3u);
    EXPECT_FALSE(s.interrupt(done));  // finished
    EXPECT_FALSE(s.interrupt(99));
    for (CoroutineId id : {sleeping, uncancelable, yielded}) EXPECT_TRUE(s.interrupt(id));
    EXPECT_EQ(reasons, (std::vector<WakeReason>(3, WakeReason::kCanceled)));
    EXPECT_EQ(s.count(), 0u);
    EXPECT_TRUE(f.reactor->timers().empty());  // the sleeper's timer went with it
    bool self = true;
    s.create([&] { self = s.interrupt(s.current_id()); });  // running, not suspended
    EXPECT_FALSE(self);
}

TEST(Scheduler, RebindDropsTheCoroutinesAndRunsOnTheNewReactor) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    bool old_sleeper_returned = false;
    s.create([&] {
        s.sleep(10);
        old_sleeper_returned = true;
    });
    EXPECT_EQ(s.count(), 1u);
    auto other = Reactor::create();
    ASSERT_TRUE(other.ok());
    s.rebind(*other.value());
    EXPECT_EQ(s.count(), 0u);
    EXPECT_TRUE(f.reactor->timers().empty());  // the dropped sleeper's timer was cleared
    EXPECT_EQ(&s.reactor(), other.value().get());
    bool new_sleeper_returned = false;
    CoroutineId id = s.create([&] {
        EXPECT_EQ(s.sleep(0), WakeReason::kTimeout);
        new_sleeper_returned = true;
    });
    EXPECT_EQ(id, 2);  // ids go on from where they were
    EXPECT_FALSE(other.value()->timers().empty());
    for (int i = 0; i < 100 && s.count() > 0; i++) other.value()->run_once(10);
    EXPECT_TRUE(new_sleeper_returned);
    EXPECT_FALSE(old_sleeper_returned);
}

TEST(Scheduler, YieldAndResume) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    std::vector<int> log;
    CoroutineId a = s.create([&] {
        log.push_back(1);
        s.yield_current();
        log.push_back(3);
    });
    log.push_back(2);
    EXPECT_FALSE(s.wake(a));  // a yield is woken only by resume()
    EXPECT_TRUE(s.resume(a));
    EXPECT_FALSE(s.resume(a));
    EXPECT_EQ(log, (std::vector<int>{1, 2, 3}));
    CoroutineId sleeper = s.create([&] { s.sleep(5); });
    EXPECT_FALSE(s.resume(sleeper));  // waiting on a timer, not yielded
    f.run_all();
}

TEST(Scheduler, RunnableQueueRunsInOrderFromTheLoop) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    std::vector<int> log;
    std::vector<CoroutineId> ids;
    for (int i = 0; i < 3; i++) {
        ids.push_back(s.create([&, i] {
            s.suspend();
            log.push_back(i);
        }));
    }
    EXPECT_TRUE(s.wake_later(ids[2]));
    EXPECT_TRUE(s.wake_later(ids[0]));
    EXPECT_FALSE(s.wake_later(ids[0]));  // already queued
    EXPECT_EQ(s.ready_count(), 2u);
    EXPECT_TRUE(log.empty());
    f.advance(0);
    EXPECT_EQ(log, (std::vector<int>{2, 0}));
    EXPECT_TRUE(s.wake(ids[1]));
    EXPECT_EQ(s.count(), 0u);
}

TEST(Scheduler, WaitFdWakesOnReadinessOrTimesOut) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    uint32_t ready = 0;
    WakeReason first = WakeReason::kCanceled, second = WakeReason::kCanceled;
    s.create([&] {
        first = s.wait_fd(fds[0], Reactor::kRead, 50, &ready);
        second = s.wait_fd(fds[0], Reactor::kRead, -1, &ready);
    });
    EXPECT_EQ(s.fd_waiters(), 1u);
    f.advance(60);
    EXPECT_EQ(first, WakeReason::kTimeout);
    ASSERT_EQ(write(fds[1], "x", 1), 1);
    f.advance(1);
    EXPECT_EQ(second, WakeReason::kWoken);
    EXPECT_TRUE(ready & Reactor::kRead);
    EXPECT_EQ(s.fd_waiters(), 0u);
    EXPECT_FALSE(f.reactor->contains(fds[0]));
    close(fds[0]);
    close(fds[1]);
}

TEST(Scheduler, ExitHooksRunAfterTheDefers) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    std::vector<int> log;
    CoroutineId a = s.create([&] {
        s.defer([&] { log.push_back(1); });
        s.sleep(3);
    });
    EXPECT_TRUE(s.on_exit(a, [&] { log.push_back(2); }));
    EXPECT_FALSE(s.on_exit(42, [] {}));
    f.run_all();
    EXPECT_EQ(log, (std::vector<int>{1, 2}));
}

TEST(Scheduler, MaxCoroutines) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    s.set_max_coroutines(2);
    EXPECT_GT(s.create([&] { s.sleep(1); }), 0);
    EXPECT_GT(s.create([&] { s.sleep(1); }), 0);
    Scheduler::CreateError err = Scheduler::CreateError::kNone;
    EXPECT_EQ(s.create([] {}, &err), -1);
    EXPECT_EQ(err, Scheduler::CreateError::kTooMany);
    EXPECT_EQ(s.peak_count(), 2u);
    f.run_all();
    EXPECT_EQ(s.create([] {}), 3);  // the refused create consumed no id
}

TEST(Scheduler, ManyCoroutinesSleepingAtOnce) {
    SchedulerFixture f;
    Scheduler &s = *f.scheduler;
    int woke = 0;
    for (int i = 0; i < 200; i++) s.create([&, i] {
        s.sleep(uint64_t(i % 7));
        woke++;
    });
    EXPECT_EQ(s.count(), 200u);
    f.run_all();
    EXPECT_EQ(woke, 200);
    EXPECT_EQ(s.ids().size(), 0u);
}
