#include "core/process/worker_pool.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

namespace wsserver {

Result<std::unique_ptr<WorkerPool>> WorkerPool::create(const WorkerPoolOptions &options, Hooks hooks) {
    if (options.worker_num < 1) return SysError::from_errno(EINVAL, "worker_num must be at least 1");
    auto reactor = Reactor::create();
    if (!reactor) return reactor.error();
    return std::make_unique<WorkerPool>(Passkey(), options, std::move(hooks), std::move(reactor.value()));
}

WorkerPool::WorkerPool(Passkey, const WorkerPoolOptions &options, Hooks hooks, std::unique_ptr<Reactor> reactor)
    : options_(options),
      hooks_(std::move(hooks)),
      reactor_(std::move(reactor)),
      workers_(static_cast<size_t>(options.worker_num + std::max(0, options.task_worker_num))) {}

WorkerPool::~WorkerPool() {
    if (!reactor_) return;  // a worker: prepare_child() already let go of everything
    for (Worker &w : workers_) w.channel.reset();
    dead_channels_.clear();
    // ~Reactor discards signals that arrived but were never dispatched, then restores the
    // mask; unregistering them one by one would unblock (deliver) a late SIGTERM/SIGUSR1.
    reactor_.reset();
}

pid_t WorkerPool::worker_pid(int worker_id) const {
    if (worker_id < 0 || worker_id >= worker_num()) return 0;
    return workers_[worker_id].pid;
}

void WorkerPool::stop() { ::kill(::getpid(), SIGTERM); }

void WorkerPool::reload() { ::kill(::getpid(), SIGUSR1); }

WorkerPool::RunResult WorkerPool::run() {
    RunResult result;
    if (started_) {
        result.error = EALREADY;
        return result;
    }
    started_ = true;
    manager_pid_ = ::getpid();
    int err = reactor_->on_signal(SIGTERM, [this](int) { begin_stop(); });
    if (!err) err = reactor_->on_signal(SIGCHLD, [this](int) { on_sigchld(); });
    if (!err) err = reactor_->on_signal(SIGUSR1, [this](int) {
        if (stopping_ || reloading_) return;
        reloading_ = true;
        if (hooks_.before_reload) hooks_.before_reload();
        for (int i = 0; i < worker_num(); i++) reload_queue_.push_back(i);
        reload_next();
    });
    // SIGUSR2: the task workers only, as in Swoole.
    if (!err) err = reactor_->on_signal(SIGUSR2, [this](int) {
        if (stopping_ || reloading_ || options_.task_worker_num <= 0) return;
        reloading_ = true;
        if (hooks_.before_reload) hooks_.before_reload();
        for (int i = options_.worker_num; i < worker_num(); i++) reload_queue_.push_back(i);
        reload_next();
    });
    if (err) {
        result.error = err;
        return result;
    }
    for (int id = 0; id < worker_num(); id++) {
        if (spawn(id, result)) return result;
    }
    if (hooks_.manager_start) hooks_.manager_start();
    for (;;) {
        bool any_alive = std::any_of(workers_.begin(), workers_.end(), [](const Worker &w) { return w.pid != 0; });
        if (stopping_ && !any_alive) break;
        if (!stopping_) {
            uint64_t now = reactor_->now_ms();
            for (int id = 0; id < worker_num(); id++) {
                Worker &w = workers_[id];
                if (w.pid == 0 && w.respawn_at_ms <= now && spawn(id, result)) return result;
            }
        }
        dead_channels_.clear();
        int n = reactor_->run_once(next_timeout_ms());
        if (n < 0 && n != -EINTR) {
            result.error = -n;
            break;
        }
    }
    if (kill_timer_) reactor_->clear_timer(kill_timer_);
    kill_timer_ = 0;
    if (hooks_.manager_stop) hooks_.manager_stop();
    return result;
}

int WorkerPool::next_timeout_ms() const {
    if (stopping_) return -1;
    uint64_t now = reactor_->now_ms();
    int timeout = -1;
    for (const Worker &w : workers_) {
        if (w.pid != 0) continue;
        uint64_t wait = w.respawn_at_ms > now ? w.respawn_at_ms - now : 0;
        if (timeout < 0 || wait < static_cast<uint64_t>(timeout)) timeout = static_cast<int>(std::min<uint64_t>(wait, 60000));
    }
    return timeout;
}

bool WorkerPool::spawn(int id, RunResult &child) {
    Worker &w = workers_[id];
    auto pair = MessageChannel::socket_pair();
    if (!pair) {
        w.respawn_at_ms = reactor_->now_ms() + options_.respawn_delay_ms;
        return false;
    }
    pid_t pid = ::fork();
    if (pid < 0) {
        w.respawn_at_ms = reactor_->now_ms() + options_.respawn_delay_ms;
        return false;
    }
    if (pid == 0) {
        child.role = Role::Worker;
        child.worker_id = id;
        child.first_start = !w.started_once;
        child.task_worker = id >= options_.worker_num;
        child.channel = std::move(pair.value().second);
        if (options_.status) options_.status->begin(id, ::getpid());
        prepare_child(id);
        return true;
    }
    w.pid = pid;
    w.started_ms = reactor_->now_ms();
    w.started_once = true;
    w.expected_exit = false;
    auto ch = MessageChannel::open(
        *reactor_, std::move(pair.value().first),
        [this, id](const ChannelHeader &h, std::string_view payload) { route(id, h, payload); },
        [] {});  // the worker's exit (SIGCHLD) is what counts
    if (ch) w.channel = std::move(ch.value());
    return false;
}

void WorkerPool::prepare_child(int) {
    // The epoll set is shared with the manager: close the channels' fds without epoll_ctl,
    // then drop the loop (its destructor issues none either and restores the signal mask).
    for (Worker &w : workers_) {
        if (w.channel) w.channel->abandon_after_fork();
        w.channel.reset();
        w.pid = 0;
    }
    for (auto &ch : dead_channels_) ch->abandon_after_fork();
    dead_channels_.clear();
    reactor_.reset();
}

void WorkerPool::on_sigchld() {
    for (int guard = 0; guard < 1024; guard++) {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return;
        for (int id = 0; id < worker_num(); id++) {
            if (workers_[id].pid == pid) {
                on_worker_exited(id, status);
                break;
            }
        }
    }
}

void WorkerPool::on_worker_exited(int id, int status) {
    Worker &w = workers_[id];
    WorkerExit e;
    e.worker_id = id;
    e.pid = w.pid;
    if (WIFEXITED(status)) e.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
    bool expected = w.expected_exit || stopping_;
    // A worker that announced its exit (max_request) and left cleanly is no crash loop.
    const bool planned = options_.status && options_.status->state(id) == WorkerState::kExit &&
                         WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (options_.status) options_.status->end(id);
    w.pid = 0;
    if (w.channel) dead_channels_.push_back(std::move(w.channel));
    if (options_.table) options_.table->release_owned_by(id);
    uint64_t now = reactor_->now_ms();
    bool short_lived = now - w.started_ms < options_.min_uptime_ms;
    w.respawn_at_ms = (!expected && !planned && short_lived) ? now + options_.respawn_delay_ms : now;
    if (!expected && hooks_.worker_exit) hooks_.worker_exit(e);
    if (!reload_queue_.empty() && reload_queue_.front() == id) {
        reload_queue_.erase(reload_queue_.begin());
        // The replacement is forked at the top of the loop; the next one goes once it runs.
        reactor_->defer([this] { reload_next(); });
    }
}

void WorkerPool::reload_next() {
    while (!reload_queue_.empty() && !stopping_) {
        Worker &w = workers_[reload_queue_.front()];
        if (w.pid == 0) {
            // Not running right now (being respawned): it starts fresh anyway.
            reload_queue_.erase(reload_queue_.begin());
            continue;
        }
        w.expected_exit = true;
        ::kill(w.pid, SIGTERM);
        return;
    }
    if (reloading_ && reload_queue_.empty()) {
        reloading_ = false;
        if (!stopping_ && hooks_.after_reload) hooks_.after_reload();
    }
}

void WorkerPool::route(int from, const ChannelHeader &h, std::string_view payload) {
    (void)from;
    if (h.target_worker < 0 || h.target_worker >= worker_num()) return;
    Worker &to = workers_[h.target_worker];
    // A worker being replaced loses the message: the sessions it targets died with it.
    if (to.pid != 0 && to.channel) to.channel->send(h, payload);
}

void WorkerPool::begin_stop() {
    if (stopping_) return;
    if (hooks_.before_shutdown) hooks_.before_shutdown();
    stopping_ = true;
    reload_queue_.clear();
    reloading_ = false;
    for (Worker &w : workers_) {
        if (w.pid != 0) ::kill(w.pid, SIGTERM);
    }
    kill_timer_ = reactor_->after(options_.stop_timeout_ms, [this](TimerId) {
        kill_timer_ = 0;
        for (Worker &w : workers_) {
            if (w.pid != 0) ::kill(w.pid, SIGKILL);
        }
    });
}

}  // namespace wsserver
