// Tests for src/core/net/reactor.h: fd dispatch and safe removal, timers on the loop (real and
// fake clock), deferred callbacks, signalfd and eventfd wakeups. Real waits stay < 200 ms
// and every loop is bounded in iterations and time.
#include "core/net/reactor.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace wsserver;

namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<Reactor> make_reactor(ReactorOptions options = {}) {
    auto r = Reactor::create(std::move(options));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r.value()) : nullptr;
}

struct SocketPair {
    UniqueFd a, b;
    SocketPair() {
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0) {
            a.reset(fds[0]);
            b.reset(fds[1]);
        }
    }
};

void write_byte(int fd) { ASSERT_EQ(write(fd, "x", 1), 1); }

// Runs the loop until `done()` or `budget` passes, at most 1000 iterations.
template <typename Pred>
void run_until(Reactor &r, Pred done, std::chrono::milliseconds budget = std::chrono::milliseconds(1000)) {
    auto end = Clock::now() + budget;
    for (int i = 0; i < 1000 && !done() && Clock::now() < end; i++) r.run_once(10);
}

bool signal_blocked(int signo) {
    sigset_t current;
    pthread_sigmask(SIG_BLOCK, nullptr, &current);
    return sigismember(&current, signo) == 1;
}

// A handler object that counts calls; optionally removes (and frees) a victim.
struct CountingHandler : IoHandler {
    int calls = 0;
    uint32_t last_events = 0;
    std::function<void(int fd, uint32_t)> action;
    void on_io(int fd, uint32_t events) override {
        calls++;
        last_events = events;
        if (action) action(fd, events);
    }
};

}  // namespace

// ---------------------------------------------------------------------------------
// fds

TEST(Reactor, DispatchesReadAndWriteReadiness) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    SocketPair p;
    CountingHandler h;
    ASSERT_EQ(r->add(p.a.get(), Reactor::kRead, h), 0);
    EXPECT_EQ(r->run_once(0), 0);
    EXPECT_EQ(h.calls, 0);

    write_byte(p.b.get());
    EXPECT_EQ(r->run_once(100), 1);
    EXPECT_EQ(h.calls, 1);
    EXPECT_EQ(h.last_events, Reactor::kRead);
    // Level-triggered: the unread byte is reported again.
    EXPECT_EQ(r->run_once(0), 1);
    EXPECT_EQ(h.calls, 2);

    // Add write interest: a socketpair with room is writable; then read-only again.
    ASSERT_EQ(r->modify(p.a.get(), Reactor::kRead | Reactor::kWrite), 0);
    EXPECT_EQ(r->interest(p.a.get()), Reactor::kRead | Reactor::kWrite);
    r->run_once(0);
    EXPECT_EQ(h.last_events, Reactor::kRead | Reactor::kWrite);
    ASSERT_EQ(r->modify(p.a.get(), Reactor::kWrite), 0);
    r->run_once(0);
    EXPECT_EQ(h.last_events, Reactor::kWrite);

    ASSERT_EQ(r->remove(p.a.get()), 0);
    int calls = h.calls;
    EXPECT_EQ(r->run_once(0), 0);
    EXPECT_EQ(h.calls, calls);
}

TEST(Reactor, RegistrationErrors) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    SocketPair p;
    CountingHandler h;
    EXPECT_EQ(r->add(-1, Reactor::kRead, h), EBADF);
    ASSERT_EQ(r->add(p.a.get(), Reactor::kRead, h), 0);
    EXPECT_EQ(r->add(p.a.get(), Reactor::kRead, h), EEXIST);
    EXPECT_EQ(r->modify(p.b.get(), Reactor::kRead), ENOENT);
    EXPECT_EQ(r->remove(p.b.get()), ENOENT);
    EXPECT_EQ(r->add(p.b.get(), Reactor::kRead, Reactor::IoFunction()), EINVAL);
    EXPECT_TRUE(r->contains(p.a.get()));
    EXPECT_FALSE(r->contains(p.b.get()));
    EXPECT_FALSE(r->contains(100000));
}

TEST(Reactor, HangupReportsErrorWithInterestBits) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    SocketPair p;
    CountingHandler h;
    ASSERT_EQ(r->add(p.a.get(), Reactor::kRead, h), 0);
    p.b.reset();
    EXPECT_EQ(r->run_once(100), 1);
    EXPECT_TRUE(h.last_events & Reactor::kRead);
    EXPECT_FALSE(h.last_events & Reactor::kWrite);  // not asked for
    char c;
    EXPECT_EQ(read(p.a.get(), &c, 1), 0);  // the handler meets EOF in read()
    r->remove(p.a.get());
}

TEST(Reactor, HandlerClosesAnotherFdOfTheSameBatch) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    SocketPair p1, p2;
    // Heap-allocated so that ASan catches any call into a handler freed mid-batch.
    auto h1 = std::make_unique<CountingHandler>();
    auto h2 = std::make_unique<CountingHandler>();
    int first = -1;
    int fd1 = p1.a.get(), fd2 = p2.a.get();
    h1->action = [&](int fd, uint32_t) {
        if (first < 0) first = fd;
        if (!h2) return;
        EXPECT_EQ(r->remove(fd2), 0);
        p2.a.reset();
        h2.reset();  // a connection freeing its peer's state
    };
    h2->action = [&](int fd, uint32_t) {
        if (first < 0) first = fd;
        if (!h1) return;
        EXPECT_EQ(r->remove(fd1), 0);
        p1.a.reset();
        h1.reset();
    };
    ASSERT_EQ(r->add(p1.a.get(), Reactor::kRead, *h1), 0);
    ASSERT_EQ(r->add(p2.a.get(), Reactor::kRead, *h2), 0);
    write_byte(p1.b.get());
    write_byte(p2.b.get());

    // Both fds are ready in one epoll_wait; whichever runs first removes the other.
    r->run_once(100);
    EXPECT_NE(first, -1);
    EXPECT_TRUE((h1 == nullptr) != (h2 == nullptr));
    CountingHandler *survivor = h1 ? h1.get() : h2.get();
    EXPECT_EQ(survivor->calls, 1);
}

TEST(Reactor, StaleEventDoesNotReachAReusedFdNumber) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    SocketPair p1, p2;
    CountingHandler h1, h2, h_new;
    UniqueFd reused_a, reused_b;
    int victim = p2.a.get();
    bool number_reused = false;
    auto swap_victim = [&](int, uint32_t) {
        if (!r->contains(victim) || reused_a) return;
        r->remove(victim);
        p2.a.reset();
        // The lowest free number comes back: the victim's.
        int fds[2];
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
        reused_a.reset(fds[0]);
        reused_b.reset(fds[1]);
        number_reused = reused_a.get() == victim;
        ASSERT_EQ(r->add(reused_a.get(), Reactor::kRead, h_new), 0);
    };
    bool victim_ran_first = false;
    h1.action = swap_victim;
    h2.action = [&](int, uint32_t) { victim_ran_first = h1.calls == 0; };
    ASSERT_EQ(r->add(p1.a.get(), Reactor::kRead, h1), 0);
    ASSERT_EQ(r->add(p2.a.get(), Reactor::kRead, h2), 0);
    write_byte(p1.b.get());
    write_byte(p2.b.get());
    r->run_once(100);
    ASSERT_EQ(h1.calls, 1);
    if (victim_ran_first) GTEST_SKIP() << "epoll reported the victim first; nothing to check";
    EXPECT_TRUE(number_reused);
    // The new socket has nothing to read: only the victim's stale event could call it.
    EXPECT_EQ(h_new.calls, 0);
    EXPECT_EQ(h2.calls, 0);
    r->remove(p1.a.get());
    r->remove(reused_a.get());
}

TEST(Reactor, FunctionHandlerMayRemoveItself) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    SocketPair p;
    int fd = p.a.get();
    auto state = std::make_shared<std::string>(100, 'z');  // captured: destroyed with the handler
    int calls = 0;
    ASSERT_EQ(r->add(fd, Reactor::kRead,
                     [&, state](uint32_t) {
                         calls++;
                         EXPECT_EQ(r->remove(fd), 0);
                         // Still alive after removing itself: destruction waits for the batch end.
                         EXPECT_EQ(state->size(), 100u);
                     }),
              0);
    std::weak_ptr<std::string> watch = state;
    state.reset();
    write_byte(p.b.get());
    r->run_once(100);
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(watch.expired());
    r->run_once(0);
    EXPECT_EQ(calls, 1);
}

TEST(Reactor, RunOnceFromInsideACallbackIsRefused) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    int nested = 1;
    r->defer([&] { nested = r->run_once(0); });
    r->run_once(0);
    EXPECT_EQ(nested, -EDEADLK);
}

// ---------------------------------------------------------------------------------
// timers

TEST(Reactor, TimersFireInOrderAndNeverEarly) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    auto start = Clock::now();
    std::vector<std::pair<int, std::chrono::milliseconds>> fired;
    auto record = [&](int ms) {
        return [&, ms](TimerId) {
            fired.emplace_back(ms, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start));
        };
    };
    r->after(30, record(30));
    r->after(10, record(10));
    r->after(20, record(20));
    run_until(*r, [&] { return fired.size() == 3; }, std::chrono::milliseconds(2000));
    ASSERT_EQ(fired.size(), 3u) << "after " << (Clock::now() - start).count() << " ns";
    for (size_t i = 0; i < 3; i++) {
        EXPECT_EQ(fired[i].first, int(i + 1) * 10) << i;
        EXPECT_GE(fired[i].second.count(), fired[i].first) << "timer " << fired[i].first << " fired early";
    }
}

TEST(Reactor, ClearTimerInsideItsCallback) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    int runs = 0;
    TimerId id = r->tick(2, [&](TimerId self) {
        if (++runs == 2) {
            EXPECT_TRUE(r->clear_timer(self));
        }
    });
    EXPECT_GT(id, 0);
    run_until(*r, [&] { return runs >= 2; });
    EXPECT_EQ(runs, 2);
    EXPECT_FALSE(r->timers().exists(id));
    // Let a few more periods pass: no further run.
    auto end = Clock::now() + std::chrono::milliseconds(20);
    while (Clock::now() < end) r->run_once(5);
    EXPECT_EQ(runs, 2);
}

TEST(Reactor, FakeClockTickCadenceWithoutBurst) {
    uint64_t fake_ns = 5000 * uint64_t(1000000);
    ReactorOptions options;
    options.clock = [&] { return fake_ns; };
    auto r = make_reactor(std::move(options));
    ASSERT_TRUE(r);
    auto advance = [&](uint64_t ms) { fake_ns += ms * 1000000; };

    int runs = 0;
    r->tick(100, [&](TimerId) { runs++; });
    r->run_once(0);
    EXPECT_EQ(runs, 0);
    advance(99);
    r->run_once(0);
    EXPECT_EQ(runs, 0);
    advance(1);
    r->run_once(0);
    EXPECT_EQ(runs, 1);
    advance(100);
    r->run_once(0);
    EXPECT_EQ(runs, 2);
    // The loop stalls for 3.5 periods: one late run, no burst.
    advance(350);
    r->run_once(0);
    EXPECT_EQ(runs, 3);
    r->run_once(0);
    EXPECT_EQ(runs, 3);
    advance(50);  // back on the original phase
    r->run_once(0);
    EXPECT_EQ(runs, 4);
}

TEST(Reactor, FakeClockSubMillisecondStartRoundsUp) {
    uint64_t fake_ns = 1000 * uint64_t(1000000) + 300000;  // 1000.3 ms
    ReactorOptions options;
    options.clock = [&] { return fake_ns; };
    auto r = make_reactor(std::move(options));
    ASSERT_TRUE(r);
    bool fired = false;
    r->after(5, [&](TimerId) { fired = true; });
    fake_ns = 1005 * uint64_t(1000000) + 200000;  // 4.9 ms later: too early
    r->run_once(0);
    EXPECT_FALSE(fired);
    fake_ns = 1006 * uint64_t(1000000);
    r->run_once(0);
    EXPECT_TRUE(fired);
}

TEST(Reactor, EpollTimeoutFollowsTheEarliestTimer) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    bool fired = false;
    r->after(15, [&](TimerId) { fired = true; });
    auto start = Clock::now();
    // An infinite wait must still return for the timer.
    for (int i = 0; i < 10 && !fired; i++) r->run_once(-1);
    EXPECT_TRUE(fired);
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(190));
}

TEST(Reactor, HugeTimerDoesNotTurnIntoABusyLoop) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    bool fired = false;
    TimerId id = r->after(UINT64_MAX, [&](TimerId) { fired = true; });
    auto start = Clock::now();
    EXPECT_EQ(r->run_once(20), 0);  // waits the 20 ms asked, not 0 and not forever
    EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(15));
    EXPECT_FALSE(fired);
    EXPECT_TRUE(r->clear_timer(id));
}

// ---------------------------------------------------------------------------------
// defer

TEST(Reactor, DeferRunsAfterTheBatchInOrder) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    SocketPair p1, p2;
    std::vector<std::string> log;
    auto on_io = [&](const char *name) {
        return [&, name](uint32_t) {
            log.push_back(name);
            r->defer([&, name] { log.push_back(std::string("defer:") + name); });
        };
    };
    ASSERT_EQ(r->add(p1.a.get(), Reactor::kRead, on_io("a")), 0);
    ASSERT_EQ(r->add(p2.a.get(), Reactor::kRead, on_io("b")), 0);
    write_byte(p1.b.get());
    write_byte(p2.b.get());
    r->run_once(100);
    ASSERT_EQ(log.size(), 4u);
    // Both I/O callbacks first (epoll's order), then the deferred ones in the same order.
    EXPECT_EQ(log[2], "defer:" + log[0]);
    EXPECT_EQ(log[3], "defer:" + log[1]);
    r->remove(p1.a.get());
    r->remove(p2.a.get());
}

TEST(Reactor, DeferFromDeferRunsNextIterationWithoutBlocking) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    std::vector<int> log;
    r->defer([&] {
        log.push_back(1);
        r->defer([&] { log.push_back(3); });
    });
    r->defer([&] { log.push_back(2); });
    EXPECT_EQ(r->deferred_count(), 2u);
    r->run_once(0);
    EXPECT_EQ(log, (std::vector<int>{1, 2}));
    auto start = Clock::now();
    r->run_once(-1);  // must not block: a callback is pending
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(100));
    EXPECT_EQ(log, (std::vector<int>{1, 2, 3}));
}

TEST(Reactor, CycleCallbacksRunAroundEachIterationAndMayReplaceThemselves) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    std::vector<std::string> log;
    r->defer([&] { log.push_back("defer"); });
    r->set_cycle_callbacks([&] { log.push_back("before"); },
                           [&] {
                               log.push_back("after");
                               if (log.size() > 4) r->set_cycle_callbacks(nullptr, nullptr);  // from inside
                           });
    // The before callback may defer: the wait that follows must not block.
    r->run_once(0);
    EXPECT_EQ(log, (std::vector<std::string>{"before", "defer", "after"}));
    r->run_once(0);
    r->run_once(0);
    EXPECT_EQ(log, (std::vector<std::string>{"before", "defer", "after", "before", "after"}));
}

TEST(Reactor, DeferredRunsAfterTimersOfTheSameIteration) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    std::vector<std::string> log;
    r->after(0, [&](TimerId) {
        log.push_back("timer");
        r->defer([&] { log.push_back("deferred by timer"); });
    });
    // after(0) is due at the next millisecond boundary; whichever iteration runs the timer
    // also runs what it deferred.
    auto end = Clock::now() + std::chrono::milliseconds(100);
    for (int i = 0; i < 1000 && log.empty() && Clock::now() < end; i++) {
        r->run_once(5);
        EXPECT_TRUE(log.empty() || log.size() == 2u);
    }
    EXPECT_EQ(log, (std::vector<std::string>{"timer", "deferred by timer"}));
}

TEST(Reactor, ThrowingDeferredCallbackKeepsTheRest) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    std::vector<int> log;
    r->defer([&] { log.push_back(1); });
    r->defer([&] { throw std::runtime_error("boom"); });
    r->defer([&] { log.push_back(3); });
    EXPECT_THROW(r->run_once(0), std::runtime_error);
    EXPECT_EQ(log, (std::vector<int>{1}));
    r->run_once(0);
    EXPECT_EQ(log, (std::vector<int>{1, 3}));
}

// ---------------------------------------------------------------------------------
// signals, wakeups, stop

TEST(Reactor, SignalDeliveredThroughTheLoop) {
    ASSERT_FALSE(signal_blocked(SIGUSR1));
    {
        auto r = make_reactor();
        ASSERT_TRUE(r);
        std::vector<int> got;
        ASSERT_EQ(r->on_signal(SIGUSR1, [&](int signo) { got.push_back(signo); }), 0);
        ASSERT_EQ(r->on_signal(SIGUSR2, [&](int signo) { got.push_back(signo); }), 0);
        EXPECT_TRUE(signal_blocked(SIGUSR1));
        ASSERT_EQ(raise(SIGUSR1), 0);  // would kill the test if not routed to the signalfd
        run_until(*r, [&] { return !got.empty(); }, std::chrono::milliseconds(150));
        EXPECT_EQ(got, (std::vector<int>{SIGUSR1}));

        // Unregistering restores the mask for that signal only.
        EXPECT_EQ(r->on_signal(SIGUSR2, nullptr), 0);
        EXPECT_FALSE(signal_blocked(SIGUSR2));
        EXPECT_TRUE(signal_blocked(SIGUSR1));

        EXPECT_EQ(r->on_signal(SIGKILL, [](int) {}), EINVAL);
        EXPECT_EQ(r->on_signal(0, [](int) {}), EINVAL);

        // Still pending at destruction: discarded, not delivered with the default action.
        ASSERT_EQ(raise(SIGUSR1), 0);
    }
    EXPECT_FALSE(signal_blocked(SIGUSR1));
}

TEST(Reactor, SignalHandlerMayUnregisterItself) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    int calls = 0;
    ASSERT_EQ(r->on_signal(SIGUSR2,
                           [&](int signo) {
                               calls++;
                               EXPECT_EQ(r->on_signal(signo, nullptr), 0);
                           }),
              0);
    ASSERT_EQ(raise(SIGUSR2), 0);
    run_until(*r, [&] { return calls > 0; }, std::chrono::milliseconds(150));
    EXPECT_EQ(calls, 1);
    EXPECT_FALSE(signal_blocked(SIGUSR2));
}

TEST(Reactor, WakeFromAnotherThread) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    int wakes = 0;
    r->set_wake_handler([&] { wakes++; });
    auto start = Clock::now();
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        r->wake();
        r->wake();  // coalesced with the first
    });
    // Bounded: a missed wakeup would show as a 500 ms timeout, not a hang.
    for (int i = 0; i < 5 && wakes == 0; i++) r->run_once(500);
    t.join();
    EXPECT_EQ(wakes, 1);
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(190));
}

TEST(Reactor, StopFromAnotherThreadEndsRun) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    r->after(1000, [&](TimerId) { ADD_FAILURE() << "run() outlived stop()"; r->stop(); });
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        r->stop();
    });
    auto start = Clock::now();
    EXPECT_EQ(r->run(), 0);
    t.join();
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));
}

TEST(Reactor, StopFromACallbackAndRunAgain) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    int ticks = 0;
    TimerId id = r->tick(1, [&](TimerId) {
        if (++ticks % 3 == 0) r->stop();
    });
    EXPECT_EQ(r->run(), 0);
    EXPECT_EQ(ticks, 3);
    EXPECT_EQ(r->run(), 0);  // the stop request was consumed
    EXPECT_EQ(ticks, 6);
    r->clear_timer(id);
}
