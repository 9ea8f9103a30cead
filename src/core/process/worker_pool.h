// The manager of SWOOLE_BASE with worker_num > 1: the process that called start() forks the
// workers, restarts any that exits (crash, fatal error, stop() in a worker), restarts them
// one by one on reload (SIGUSR1), stops them all on SIGTERM, and routes messages between
// them: each worker has one MessageChannel to the manager, and a message whose
// target_worker is another worker is passed on verbatim. Routing through the manager costs
// one hop more than a full mesh of socketpairs, but a restarted worker only needs a new
// pair with the manager, which a mesh created before fork could not give it.
//
// fork() happens only at the top of run()'s loop, never inside a reactor callback, so in
// the child run() can unwind everything the manager owns (its loop, the other workers'
// channels, its signal mask) and return; the caller then runs the worker's own loop.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/server/connection_table.h"
#include "core/ipc/message_channel.h"
#include "core/net/reactor.h"
#include "core/net/syscall.h"
#include "core/ipc/worker_status.h"

namespace wsserver {

struct WorkerPoolOptions {
    int worker_num = 2;
    // Task workers (Swoole's task_worker_num): ids worker_num .. worker_num+task_worker_num-1,
    // supervised like the others; they serve no connections.
    int task_worker_num = 0;
    // After SIGTERM, workers still running this long get SIGKILL.
    uint64_t stop_timeout_ms = 10000;
    // A worker that exited sooner than min_uptime_ms after its start is restarted only after
    // respawn_delay_ms, so a script failing in workerStart does not fork in a tight loop.
    uint64_t min_uptime_ms = 1000;
    uint64_t respawn_delay_ms = 1000;
    // Sessions of a worker that exited are released here (its sockets died with it).
    ConnectionTable *table = nullptr;
    // Optional: a child takes its slot (begin()) right after the fork, the manager marks it
    // ended once it exited. A worker that set its state to kExit and exited with status 0
    // left on purpose (max_request): it is replaced at once, however short its life.
    WorkerStatusTable *status = nullptr;
};

struct WorkerExit {
    int worker_id = 0;
    pid_t pid = 0;
    int exit_code = 0;  // when it exited
    int signal = 0;     // when a signal killed it
};

class WorkerPool {
    struct Passkey {
        explicit Passkey() = default;
    };

public:
    struct Hooks {
        std::function<void()> manager_start;           // in the manager, workers forked
        std::function<void()> manager_stop;            // in the manager, every worker gone
        std::function<void(const WorkerExit &)> worker_exit;  // any exit not asked for by stop/reload
        std::function<void()> before_reload;    // a reload (SIGUSR1) starts
        std::function<void()> after_reload;     // every worker of that reload was replaced
        std::function<void()> before_shutdown;  // SIGTERM: before the workers are told to stop
    };

    enum class Role { Manager, Worker };
    struct RunResult {
        Role role = Role::Manager;
        int error = 0;        // manager: an errno if the loop failed
        int worker_id = -1;   // worker: which one
        bool first_start = false;  // worker: the first start of this id (not a restart)
        bool task_worker = false;  // worker: one of the task workers
        UniqueFd channel;     // worker: its end of the channel to the manager
    };

    static Result<std::unique_ptr<WorkerPool>> create(const WorkerPoolOptions &options, Hooks hooks);
    WorkerPool(Passkey, const WorkerPoolOptions &options, Hooks hooks, std::unique_ptr<Reactor> reactor);
    WorkerPool(const WorkerPool &) = delete;
    WorkerPool &operator=(const WorkerPool &) = delete;
    ~WorkerPool();

    // Manager: forks and supervises until stop() (or SIGTERM) and every worker exited.
    // Worker: returns right after the fork (see RunResult).
    RunResult run();

    // Signal this process (the manager): SIGTERM to stop, SIGUSR1 to restart the workers
    // one by one. Async-signal-safe.
    static void stop();
    static void reload();

    pid_t manager_pid() const { return manager_pid_; }
    pid_t worker_pid(int worker_id) const;
    // Every supervised process, task workers included.
    int worker_num() const { return static_cast<int>(workers_.size()); }

private:
    struct Worker {
        pid_t pid = 0;
        uint64_t started_ms = 0;
        uint64_t respawn_at_ms = 0;  // when pid == 0 and !stopping_: fork at/after this time
        bool started_once = false;
        bool expected_exit = false;  // stop() or reload() asked it to go
        std::unique_ptr<MessageChannel> channel;
    };

    bool spawn(int id, RunResult &child);  // true in the child
    void on_sigchld();
    void on_worker_exited(int id, int status);
    void route(int from, const ChannelHeader &h, std::string_view payload);
    void begin_stop();
    void reload_next();
    void prepare_child(int id);
    int next_timeout_ms() const;

    WorkerPoolOptions options_;
    Hooks hooks_;
    std::unique_ptr<Reactor> reactor_;
    std::vector<Worker> workers_;
    std::vector<std::unique_ptr<MessageChannel>> dead_channels_;  // freed outside callbacks
    std::vector<int> reload_queue_;
    bool reloading_ = false;
    pid_t manager_pid_ = 0;
    bool stopping_ = false;
    bool started_ = false;
    TimerId kill_timer_ = 0;
};

}  // namespace wsserver
