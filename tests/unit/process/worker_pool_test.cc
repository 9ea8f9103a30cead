// WorkerPool: forks real worker processes. The test process is the manager (run() blocks
// in it, guarded by alarm()); every worker runs a small body, reports through a pipe as
// fixed-size records and always leaves with _exit() (run() returns in the child too, and
// nothing may unwind into GoogleTest there). Workers coordinate through a MAP_SHARED
// anonymous page; every wait is bounded in iterations and time, and every child arms
// alarm() as a last resort.
//
// A test ends the manager by having one worker send SIGTERM to getppid() once the scenario
// is complete; workers then wait to be SIGTERMed by the manager (an exit asked for by stop:
// no worker_exit hook), so the hooks observed are deterministic.
#include "core/process/worker_pool.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

using namespace wsserver;

namespace {

using Clock = std::chrono::steady_clock;

uint64_t mono_ms() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}

// State shared by the manager and every worker (fork keeps MAP_SHARED mappings shared).
struct Shared {
    std::atomic<int> restarted;  // second starts so far
    std::atomic<int> ready;      // scenario-specific flags
    std::atomic<int> counter;
};

struct SharedPage {
    Shared *s = nullptr;
    SharedPage() {
        void *p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            ADD_FAILURE() << "mmap: " << std::strerror(errno);
            return;
        }
        s = new (p) Shared();
        s->restarted = 0;
        s->ready = 0;
        s->counter = 0;
    }
    ~SharedPage() {
        if (s) munmap(s, 4096);
    }
};

// What a worker reports. Written with one write() (< PIPE_BUF: atomic).
struct Record {
    int32_t kind = 0;
    int32_t worker_id = -1;
    int32_t a = 0;
    int32_t b = 0;
    int64_t c = 0;
    int64_t d = 0;
};
enum RecordKind : int32_t {
    kStart = 1,     // a = first_start, b = channel fd looks right, c = pid, d = getppid()
    kMessage = 2,   // a = type, b = opcode, c = session, d = aux/target/length packed
    kPayload = 3,   // a = payload ok, c = payload size
    kNote = 4,      // a = scenario-specific code, c/d values
};

struct Pipe {
    UniqueFd read_end;
    UniqueFd write_end;
    Pipe() {
        int fds[2];
        if (pipe(fds) != 0) {
            ADD_FAILURE() << "pipe: " << std::strerror(errno);
            return;
        }
        read_end.reset(fds[0]);
        write_end.reset(fds[1]);
    }
};

void report(int fd, const Record &r) {
    while (write(fd, &r, sizeof r) < 0 && errno == EINTR) {
    }
}

// Everything until EOF (the manager returns only after every worker is gone).
std::vector<Record> read_records(int fd) {
    std::string bytes;
    char buf[4096];
    for (int i = 0; i < 100000; i++) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        bytes.append(buf, size_t(n));
    }
    std::vector<Record> out(bytes.size() / sizeof(Record));
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(Record));
    return out;
}

// Waits (bounded) until `pred()`; false on timeout.
template <typename Pred>
bool wait_for(Pred pred, int max_ms = 4000) {
    for (int i = 0; i < max_ms && !pred(); i++) usleep(1000);
    return pred();
}

// In a worker: park until the manager's SIGTERM ends the process (default action). Returns
// only if it never comes.
int wait_for_sigterm(int max_ms = 4000) {
    for (int i = 0; i < max_ms / 10; i++) usleep(10000);
    return 99;  // the manager never stopped us
}

bool channel_fd_ok(int fd) {
    if (fd < 0 || fcntl(fd, F_GETFD) < 0) return false;
    int type = 0;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) return false;
    return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
}

struct Outcome {
    WorkerPool::RunResult result;
    int manager_starts = 0;
    int manager_stops = 0;
    std::vector<WorkerExit> exits;
    std::vector<Record> records;
    uint64_t run_ms = 0;
    uint64_t returned_at_ms = 0;
    std::vector<pid_t> pids_after;  // worker_pid(i) once run() returned
};

// Runs a pool in this process (the manager). Each worker runs `worker(result, report_fd)`
// and _exit()s with its return value.
using WorkerBody = std::function<int(WorkerPool::RunResult &, int report_fd)>;

Outcome run_pool(WorkerPoolOptions options, const WorkerBody &worker) {
    Outcome out;
    Pipe pipe;
    WorkerPool::Hooks hooks;
    hooks.manager_start = [&] { out.manager_starts++; };
    hooks.manager_stop = [&] { out.manager_stops++; };
    hooks.worker_exit = [&](const WorkerExit &e) { out.exits.push_back(e); };
    auto pool_r = WorkerPool::create(options, hooks);
    if (!pool_r) {
        ADD_FAILURE() << pool_r.error().message;
        return out;
    }
    std::unique_ptr<WorkerPool> pool = std::move(pool_r.value());
    int report_fd = pipe.write_end.get();

    alarm(9);  // last resort: a hung manager kills the test instead of hanging the run
    uint64_t t0 = mono_ms();
    WorkerPool::RunResult r = pool->run();
    if (r.role == WorkerPool::Role::Worker) {
        alarm(8);
        _exit(worker(r, report_fd));
    }
    out.returned_at_ms = mono_ms();
    alarm(0);
    out.run_ms = out.returned_at_ms - t0;
    out.result = std::move(r);
    for (int i = 0; i < pool->worker_num(); i++) out.pids_after.push_back(pool->worker_pid(i));
    pool.reset();
    pipe.write_end.reset();
    out.records = read_records(pipe.read_end.get());
    return out;
}

WorkerPoolOptions fast_options(int workers) {
    WorkerPoolOptions o;
    o.worker_num = workers;
    o.stop_timeout_ms = 2000;
    o.min_uptime_ms = 1000;
    o.respawn_delay_ms = 20;
    return o;
}

void report_start(int fd, WorkerPool::RunResult &r) {
    Record rec;
    rec.kind = kStart;
    rec.worker_id = r.worker_id;
    rec.a = r.first_start ? 1 : 0;
    rec.b = channel_fd_ok(r.channel.get()) ? 1 : 0;
    rec.c = getpid();
    rec.d = getppid();
    report(fd, rec);
}

// The common ending: on its second start each worker counts itself; the last one to get
// there stops the manager. Every second-start worker then waits for the manager's SIGTERM.
int second_start_then_stop(Shared *shared, int worker_num) {
    if (shared->restarted.fetch_add(1) + 1 == worker_num) kill(getppid(), SIGTERM);
    return wait_for_sigterm();
}

std::vector<Record> of_kind(const std::vector<Record> &records, int kind) {
    std::vector<Record> out;
    for (const Record &r : records) {
        if (r.kind == kind) out.push_back(r);
    }
    return out;
}

}  // namespace

TEST(WorkerPool, CreateRejectsZeroWorkers) {
    WorkerPoolOptions o;
    o.worker_num = 0;
    auto pool = WorkerPool::create(o, {});
    ASSERT_FALSE(pool);
    EXPECT_EQ(pool.error().code, EINVAL);
}

TEST(WorkerPool, WorkersGetDistinctIdsAndAreRestartedAfterExit) {
    SharedPage shared;
    ASSERT_TRUE(shared.s);
    constexpr int kWorkers = 3;
    pid_t me = getpid();
    Outcome o = run_pool(fast_options(kWorkers), [&](WorkerPool::RunResult &r, int fd) {
        report_start(fd, r);
        if (r.first_start) return 0;  // an unexpected exit: the manager restarts it
        return second_start_then_stop(shared.s, kWorkers);
    });
    EXPECT_EQ(getpid(), me);
    EXPECT_EQ(o.result.role, WorkerPool::Role::Manager);
    EXPECT_EQ(o.result.error, 0);
    EXPECT_EQ(o.result.worker_id, -1);
    EXPECT_FALSE(o.result.channel.valid());
    EXPECT_EQ(o.manager_starts, 1);
    EXPECT_EQ(o.manager_stops, 1);
    EXPECT_LT(o.run_ms, 5000u);

    std::vector<Record> starts = of_kind(o.records, kStart);
    std::map<int, int> first, second;
    std::set<int64_t> pids;
    for (const Record &s : starts) {
        EXPECT_GE(s.worker_id, 0);
        EXPECT_LT(s.worker_id, kWorkers);
        EXPECT_EQ(s.b, 1) << "worker " << s.worker_id << ": bad channel fd";
        EXPECT_EQ(s.d, me) << "the manager is the parent";
        EXPECT_NE(s.c, me);
        pids.insert(s.c);
        (s.a ? first : second)[s.worker_id]++;
    }
    EXPECT_EQ(pids.size(), starts.size()) << "every start is a new process";
    for (int id = 0; id < kWorkers; id++) {
        EXPECT_EQ(first[id], 1) << "first starts of worker " << id;
        EXPECT_EQ(second[id], 1) << "second starts of worker " << id;
    }
    // The first exits were not asked for: one hook each, exit code 0, with the right pid.
    ASSERT_EQ(o.exits.size(), size_t(kWorkers));
    std::set<int> exited;
    for (const WorkerExit &e : o.exits) {
        exited.insert(e.worker_id);
        EXPECT_EQ(e.exit_code, 0);
        EXPECT_EQ(e.signal, 0);
        bool pid_matches = false;
        for (const Record &s : starts) {
            if (s.worker_id == e.worker_id && s.a == 1 && s.c == e.pid) pid_matches = true;
        }
        EXPECT_TRUE(pid_matches) << "worker_exit pid for worker " << e.worker_id;
    }
    EXPECT_EQ(exited.size(), size_t(kWorkers));
    for (pid_t pid : o.pids_after) EXPECT_EQ(pid, 0);
    // No zombie or stray child left behind.
    EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
}

TEST(WorkerPool, WorkerExitHookReportsExitCodeAndSignal) {
    SharedPage shared;
    ASSERT_TRUE(shared.s);
    constexpr int kWorkers = 3;
    Outcome o = run_pool(fast_options(kWorkers), [&](WorkerPool::RunResult &r, int fd) {
        report_start(fd, r);
        if (r.first_start) {
            if (r.worker_id == 0) return 7;
            if (r.worker_id == 1) kill(getpid(), SIGKILL);
            if (r.worker_id == 2) abort();  // SIGABRT
            return 98;
        }
        return second_start_then_stop(shared.s, kWorkers);
    });
    EXPECT_EQ(o.result.role, WorkerPool::Role::Manager);
    EXPECT_EQ(o.result.error, 0);
    EXPECT_EQ(o.manager_starts, 1);
    EXPECT_EQ(o.manager_stops, 1);
    ASSERT_EQ(o.exits.size(), size_t(kWorkers));
    std::map<int, WorkerExit> by_id;
    for (const WorkerExit &e : o.exits) by_id[e.worker_id] = e;
    ASSERT_EQ(by_id.size(), size_t(kWorkers));
    EXPECT_EQ(by_id[0].exit_code, 7);
    EXPECT_EQ(by_id[0].signal, 0);
    EXPECT_EQ(by_id[1].exit_code, 0);
    EXPECT_EQ(by_id[1].signal, SIGKILL);
    EXPECT_EQ(by_id[2].exit_code, 0);
    EXPECT_EQ(by_id[2].signal, SIGABRT);
    for (auto &[id, e] : by_id) EXPECT_GT(e.pid, 0) << id;
    EXPECT_EQ(of_kind(o.records, kStart).size(), size_t(2 * kWorkers));
}

// A short-lived worker is restarted only after respawn_delay_ms; one that lived past
// min_uptime_ms is restarted at once.
TEST(WorkerPool, RespawnDelayAppliesOnlyToShortLivedWorkers) {
    SharedPage shared;
    ASSERT_TRUE(shared.s);
    WorkerPoolOptions options = fast_options(2);
    options.min_uptime_ms = 150;
    options.respawn_delay_ms = 400;
    Outcome o = run_pool(options, [&](WorkerPool::RunResult &r, int fd) {
        Record rec;
        rec.kind = kNote;
        rec.worker_id = r.worker_id;
        rec.a = r.first_start;
        rec.c = int64_t(mono_ms());
        report(fd, rec);
        if (r.first_start) {
            if (r.worker_id == 1) usleep(300 * 1000);  // outlives min_uptime_ms
            return 0;
        }
        return second_start_then_stop(shared.s, 2);
    });
    std::map<std::pair<int, int>, int64_t> at;
    for (const Record &r : of_kind(o.records, kNote)) at[{r.worker_id, r.a}] = r.c;
    ASSERT_EQ(at.size(), 4u);
    int64_t gap0 = at[{0, 0}] - at[{0, 1}];  // worker 0 exited at once: delayed restart
    int64_t gap1 = at[{1, 0}] - at[{1, 1}];  // worker 1 ran 300 ms: restarted at once
    EXPECT_GE(gap0, 400);
    EXPECT_LT(gap0, 2000);
    EXPECT_GE(gap1, 300);
    EXPECT_LT(gap1, 300 + 250) << "a long-lived worker must not wait respawn_delay_ms";
}

TEST(WorkerPool, ManagerRoutesMessagesByTargetWorker) {
    SharedPage shared;
    ASSERT_TRUE(shared.s);
    const std::string big(1536 * 1024 + 5, 'q');  // past the socket buffers on both hops
    Outcome o = run_pool(fast_options(2), [&](WorkerPool::RunResult &r, int fd) {
        auto reactor_r = Reactor::create();
        if (!reactor_r) return 90;
        std::unique_ptr<Reactor> reactor = std::move(reactor_r.value());
        std::vector<std::pair<ChannelHeader, std::string>> got;
        bool closed = false;
        auto ch_r = MessageChannel::open(
            *reactor, std::move(r.channel),
            [&](const ChannelHeader &h, std::string_view payload) { got.emplace_back(h, std::string(payload)); },
            [&] { closed = true; });
        if (!ch_r) return 91;
        std::unique_ptr<MessageChannel> ch = std::move(ch_r.value());
        auto end = Clock::now() + std::chrono::seconds(4);
        if (r.worker_id == 0) {
            ChannelHeader h;
            h.type = ChannelMessageType::Push;
            h.opcode = 2;
            h.aux = 0xabcd;
            h.session = 0x1122334455LL;
            h.target_worker = 7;  // no such worker: dropped by the manager
            if (!ch->send(h, "lost")) return 92;
            h.target_worker = -1;  // for the manager itself: not routed anywhere
            if (!ch->send(h, "lost too")) return 92;
            h.target_worker = 1;
            if (!ch->send(h, "hello worker 1")) return 92;
            h.aux = 2;
            h.type = ChannelMessageType::Send;
            if (!ch->send(h, big)) return 92;
            for (int i = 0; i < 10000 && ch->queued_bytes() > 0 && !closed && Clock::now() < end; i++)
                reactor->run_once(10);
            Record rec;
            rec.kind = kNote;
            rec.worker_id = 0;
            rec.a = ch->queued_bytes() == 0 ? 1 : 0;
            report(fd, rec);
            ch.reset();
            reactor.reset();
            return wait_for_sigterm();
        }
        for (int i = 0; i < 10000 && got.size() < 2 && !closed && Clock::now() < end; i++) reactor->run_once(10);
        // Anything else that arrives later would be a misrouted message.
        for (int i = 0; i < 10; i++) reactor->run_once(5);
        for (auto &[h, payload] : got) {
            Record rec;
            rec.kind = kMessage;
            rec.worker_id = r.worker_id;
            rec.a = int32_t(h.type);
            rec.b = h.opcode;
            rec.c = h.session;
            rec.d = (int64_t(h.aux) << 32) | uint32_t(h.target_worker);
            report(fd, rec);
            Record p;
            p.kind = kPayload;
            p.worker_id = r.worker_id;
            p.a = (payload == "hello worker 1" || payload == big) ? 1 : 0;
            p.c = int64_t(payload.size());
            p.d = int64_t(h.length);
            report(fd, p);
        }
        ch.reset();
        reactor.reset();
        kill(getppid(), SIGTERM);
        return wait_for_sigterm();
    });
    EXPECT_EQ(o.result.role, WorkerPool::Role::Manager);
    EXPECT_EQ(o.result.error, 0);
    EXPECT_TRUE(o.exits.empty()) << "worker " << o.exits[0].worker_id << " exited: code " << o.exits[0].exit_code
                                 << " signal " << o.exits[0].signal;
    std::vector<Record> notes = of_kind(o.records, kNote);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0].a, 1) << "worker 0 could not flush its channel";
    std::vector<Record> msgs = of_kind(o.records, kMessage);
    std::vector<Record> payloads = of_kind(o.records, kPayload);
    ASSERT_EQ(msgs.size(), 2u);
    ASSERT_EQ(payloads.size(), 2u);
    for (const Record &m : msgs) EXPECT_EQ(m.worker_id, 1);
    EXPECT_EQ(msgs[0].a, int32_t(ChannelMessageType::Push));
    EXPECT_EQ(msgs[0].b, 2);
    EXPECT_EQ(msgs[0].c, 0x1122334455LL);
    EXPECT_EQ(msgs[0].d, (int64_t(0xabcd) << 32) | 1);  // aux and target_worker passed on verbatim
    EXPECT_EQ(payloads[0].a, 1);
    EXPECT_EQ(payloads[0].c, int64_t(strlen("hello worker 1")));
    EXPECT_EQ(msgs[1].a, int32_t(ChannelMessageType::Send));
    EXPECT_EQ(msgs[1].d, (int64_t(2) << 32) | 1);
    EXPECT_EQ(payloads[1].a, 1);
    EXPECT_EQ(payloads[1].c, int64_t(big.size()));
    EXPECT_EQ(payloads[1].d, int64_t(big.size()));
}

TEST(WorkerPool, WorkerIgnoringSigtermIsKilledAfterStopTimeout) {
    SharedPage shared;
    ASSERT_TRUE(shared.s);
    WorkerPoolOptions options = fast_options(2);
    options.stop_timeout_ms = 300;
    Outcome o = run_pool(options, [&](WorkerPool::RunResult &r, int fd) {
        if (r.worker_id == 0) {
            signal(SIGTERM, SIG_IGN);
            shared.s->ready = 1;
            for (int i = 0; i < 400; i++) usleep(10000);  // 4 s at most
            Record rec;
            rec.kind = kNote;
            rec.worker_id = 0;
            rec.a = 1;  // survived: never killed
            report(fd, rec);
            return 0;
        }
        if (!wait_for([&] { return shared.s->ready.load() == 1; })) return 97;
        Record rec;
        rec.kind = kNote;
        rec.worker_id = 1;
        rec.a = 2;
        rec.c = int64_t(mono_ms());  // when the stop was asked for
        report(fd, rec);
        kill(getppid(), SIGTERM);
        return wait_for_sigterm();
    });
    EXPECT_EQ(o.result.role, WorkerPool::Role::Manager);
    EXPECT_EQ(o.result.error, 0);
    EXPECT_EQ(o.manager_stops, 1);
    EXPECT_TRUE(o.exits.empty());  // stop asked for both exits
    std::vector<Record> notes = of_kind(o.records, kNote);
    ASSERT_EQ(notes.size(), 1u) << "worker 0 was not killed";
    EXPECT_EQ(notes[0].a, 2);
    int64_t stop_took = int64_t(o.returned_at_ms) - notes[0].c;
    EXPECT_GE(stop_took, 290) << "SIGKILL came before stop_timeout_ms";
    EXPECT_LT(stop_took, 1500) << "SIGKILL came far too late";
}

TEST(WorkerPool, StopWithoutStubbornWorkersDoesNotWaitForTheTimeout) {
    SharedPage shared;
    ASSERT_TRUE(shared.s);
    WorkerPoolOptions options = fast_options(3);
    options.stop_timeout_ms = 3000;
    Outcome o = run_pool(options, [&](WorkerPool::RunResult &r, int) {
        if (shared.s->ready.fetch_add(1) + 1 == 3) {
            usleep(20000);
            kill(getppid(), SIGTERM);
        }
        (void)r;
        return wait_for_sigterm();
    });
    EXPECT_EQ(o.result.error, 0);
    EXPECT_EQ(o.manager_stops, 1);
    EXPECT_TRUE(o.exits.empty());
    EXPECT_LT(o.run_ms, 1500u);
}

TEST(WorkerPool, SessionsOfAnExitedWorkerAreReleased) {
    SharedPage shared;
    ASSERT_TRUE(shared.s);
    ConnectionTable::Options topts;
    topts.capacity = 64;
    auto table_r = ConnectionTable::create(topts);
    ASSERT_TRUE(table_r) << table_r.error().message;
    ConnectionTable table = std::move(table_r.value());
    // A session no worker owns (worker_id 5 does not exist): must survive.
    ConnectionInfo mine;
    mine.worker_id = 5;
    auto kept = table.allocate(mine);
    ASSERT_TRUE(kept);

    WorkerPoolOptions options = fast_options(2);
    options.table = &table;
    auto owned_by = [&table](int worker) {
        int n = 0;
        for (SessionId id : table.list(0, 1000)) {
            ConnectionInfo info;
            if (table.get(id, info) == SlotStatus::kOk && info.worker_id == worker) n++;
        }
        return n;
    };
    Outcome o = run_pool(options, [&](WorkerPool::RunResult &r, int fd) {
        Record rec;
        rec.kind = kNote;
        rec.worker_id = r.worker_id;
        rec.a = r.first_start;
        if (r.worker_id == 0 && r.first_start) {
            // Crashes with three sessions of its own.
            ConnectionInfo info;
            info.worker_id = 0;
            for (int i = 0; i < 3; i++) {
                if (!table.allocate(info)) return 96;
            }
            return 3;
        }
        if (r.worker_id == 0) {
            // Restarted: its predecessor's sessions are gone, the others are still there.
            if (!wait_for([&] { return shared.s->ready.load() == 1; })) return 97;
            rec.c = owned_by(0);
            rec.d = owned_by(1) * 100 + owned_by(5);
            report(fd, rec);
            kill(getppid(), SIGTERM);
            return wait_for_sigterm();
        }
        // Worker 1: two sessions, then it is stopped with them.
        ConnectionInfo info;
        info.worker_id = 1;
        for (int i = 0; i < 2; i++) {
            if (!table.allocate(info)) return 96;
        }
        shared.s->ready = 1;
        return wait_for_sigterm();
    });
    EXPECT_EQ(o.result.error, 0);
    ASSERT_EQ(o.exits.size(), 1u);
    EXPECT_EQ(o.exits[0].worker_id, 0);
    EXPECT_EQ(o.exits[0].exit_code, 3);
    std::vector<Record> notes = of_kind(o.records, kNote);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0].c, 0) << "sessions of the crashed worker 0 still in the table";
    EXPECT_EQ(notes[0].d, 2 * 100 + 1);
    // Worker 1 was stopped: its sessions went with it. The unowned one stays.
    EXPECT_EQ(table.count(), 1u);
    EXPECT_TRUE(table.exists(*kept));
    EXPECT_EQ(owned_by(0) + owned_by(1), 0);
}

TEST(WorkerPool, RunTwiceIsRefused) {
    WorkerPoolOptions options = fast_options(1);
    auto pool_r = WorkerPool::create(options, {});
    ASSERT_TRUE(pool_r);
    std::unique_ptr<WorkerPool> pool = std::move(pool_r.value());
    alarm(9);
    WorkerPool::RunResult r = pool->run();
    if (r.role == WorkerPool::Role::Worker) {
        alarm(8);
        kill(getppid(), SIGTERM);
        _exit(wait_for_sigterm());
    }
    alarm(0);
    EXPECT_EQ(r.error, 0);
    WorkerPool::RunResult again = pool->run();
    EXPECT_EQ(again.role, WorkerPool::Role::Manager);
    EXPECT_EQ(again.error, EALREADY);
}

// A SIGTERM (or SIGUSR1) addressed to the manager that arrives after run()'s last loop
// iteration stays pending in the pool's signalfd. Destroying the pool must discard it, as
// ~Reactor does, not unblock it: its default action would kill the process that called
// start(). The manager runs in a forked child here, so a failure cannot kill the test run.
TEST(WorkerPool, SignalPendingWhenThePoolIsDestroyedDoesNotKillTheProcess) {
    for (int signo : {SIGTERM, SIGUSR1}) {
        pid_t manager = fork();
        ASSERT_GE(manager, 0);
        if (manager == 0) {
            alarm(8);
            auto pool_r = WorkerPool::create(fast_options(1), {});
            if (!pool_r) _exit(90);
            std::unique_ptr<WorkerPool> pool = std::move(pool_r.value());
            WorkerPool::RunResult r = pool->run();
            if (r.role == WorkerPool::Role::Worker) {
                kill(getppid(), SIGTERM);
                _exit(wait_for_sigterm());
            }
            if (r.error != 0) _exit(91);
            kill(getpid(), signo);  // late: the loop is over, the signal is still blocked
            pool.reset();
            _exit(0);
        }
        int status = 0;
        ASSERT_EQ(waitpid(manager, &status, 0), manager);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "signal " << signo << ": manager "
            << (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                    : "exit " + std::to_string(WEXITSTATUS(status)));
    }
}

// With a WorkerStatusTable: each child finds its slot begun (its pid, state kNone); a
// worker that sets kExit and exits 0 (max_request) is replaced without the respawn delay
// (60 s here: without that rule the test would hit its alarm); the manager ends the slot
// of every worker that exited.
TEST(WorkerPool, StatusTableSlotsAndPlannedExit) {
    SharedPage shared;
    ASSERT_TRUE(shared.s);
    auto table = WorkerStatusTable::create(2);
    ASSERT_TRUE(table.ok());
    WorkerStatusTable &status = table.value();
    WorkerPoolOptions options = fast_options(2);
    options.min_uptime_ms = 60000;
    options.respawn_delay_ms = 60000;
    options.status = &status;
    Outcome o = run_pool(options, [&](WorkerPool::RunResult &r, int fd) {
        Record rec;
        rec.kind = kNote;
        rec.worker_id = r.worker_id;
        rec.a = r.first_start;
        rec.b = status.pid(r.worker_id) == getpid() && status.state(r.worker_id) == WorkerState::kNone &&
                status.requests(r.worker_id) == 0;
        report(fd, rec);
        status.add_request(r.worker_id);
        if (r.first_start) {
            status.set_state(r.worker_id, WorkerState::kExit);
            return 0;
        }
        status.set_state(r.worker_id, WorkerState::kIdle);
        return second_start_then_stop(shared.s, 2);
    });
    auto notes = of_kind(o.records, kNote);
    ASSERT_EQ(notes.size(), 4u);
    for (const Record &r : notes) EXPECT_EQ(r.b, 1) << "worker " << r.worker_id << " first=" << r.a;
    for (int id = 0; id < 2; id++) {
        EXPECT_EQ(status.state(id), WorkerState::kExit);  // ended by the manager
        EXPECT_EQ(status.pid(id), 0);
        EXPECT_EQ(status.requests(id), 1u);  // the second life's count (begin() reset it)
    }
    EXPECT_EQ(o.exits.size(), 2u);  // exits not asked for are still reported (status 0)
    for (const WorkerExit &e : o.exits) EXPECT_EQ(e.exit_code, 0);
}
