// Swoole\Server's process model, started by start(): this process as the only worker, or
// the manager of a pool of workers (and task workers), or the SWOOLE_PROCESS master; what
// each process sets up before and after a fork, and the methods about processes (stop,
// shutdown, reload, getWorkerId/Pid/Status, getManagerPid, getMasterPid).
#include "php/classes.h"
#include "php/coroutine_runtime.h"
#include "php/server_internal.h"

#include "zend_exceptions.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <vector>

namespace ws = wsserver;

namespace {

// An event whose only argument is the server (managerStart, beforeReload, ...).
void call_server_event(ServerObject *o, int ev) {
    zval args[1];
    ZVAL_OBJ(&args[0], &o->std);
    wsserver_call(o, o->impl->callbacks[ev], 1, args);
}

void set_process_properties(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    zend_object *obj = &o->std;
    zend_update_property_long(wsserver_ce_server, obj, "master_pid", 10, impl.master_pid);
    zend_update_property_long(wsserver_ce_server, obj, "manager_pid", 11, impl.manager_pid);
    zend_update_property_long(wsserver_ce_server, obj, "worker_id", 9, impl.is_manager ? -1 : impl.worker_id);
    zend_update_property_long(wsserver_ce_server, obj, "worker_pid", 10, impl.is_manager ? 0 : getpid());
    zend_update_property_bool(wsserver_ce_server, obj, "taskworker", 10, impl.is_task_worker);
}

// The request count at which this worker leaves: max_request (task_max_request) plus, as
// Swoole does so that workers started together do not all restart together, a random
// 1..grace more, grace being max_request_grace or by default max_request / 2 above 10.
uint64_t request_limit_for(uint32_t max_request, int64_t grace_setting) {
    if (max_request == 0) return 0;
    const uint64_t grace = grace_setting >= 0 ? static_cast<uint64_t>(grace_setting)
                                              : (max_request > 10 ? max_request / 2 : 0);
    if (grace == 0) return max_request;
    std::mt19937_64 rng(static_cast<uint64_t>(getpid()) * 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(::time(nullptr)));
    return max_request + std::uniform_int_distribution<uint64_t>(1, grace)(rng);
}

// This process as a worker: who the log lines say it is, its user/group (Swoole switches
// workers only, and only when started as root), its request limit, and IDLE before
// workerStart runs. False with an exception pending.
bool become_worker(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    impl.logger.set_role(impl.is_task_worker ? ws::ProcessRole::kTaskWorker : ws::ProcessRole::kWorker, impl.worker_id);
    auto switched = ws::switch_identity(impl.identity);
    if (!switched) {
        zend_throw_exception_ex(wsserver_ce_exception, switched.error().code, "worker#%d cannot switch to user [%s] group [%s]: %s",
                                impl.worker_id, impl.process.user.c_str(), impl.process.group.c_str(),
                                switched.error().message.c_str());
        return false;
    }
    const ProcessSettings &p = impl.process;
    impl.request_limit = impl.is_task_worker ? request_limit_for(p.task_max_request, p.task_max_request_grace)
                                             : request_limit_for(p.max_request, p.max_request_grace);
    impl.leaving = false;
    if (impl.worker_status) impl.worker_status->set_state(impl.worker_id, ws::WorkerState::kIdle);
    return true;
}

// One worker's life in this process: workerStart, the loop until stop, workerStop.
// onStart/onShutdown run here when there is no manager. False after a warning.
bool run_worker(ServerObject *o, int worker_id, bool call_start) {
    ServerImpl &impl = *o->impl;
    ws::Server *s = impl.server.get();
    impl.worker_id = worker_id;
    if (impl.manager_pid == 0) impl.master_pid = getpid();  // no manager: this process is the master
    if (!become_worker(o)) return false;
    set_process_properties(o);
    zval args[2];
    ZVAL_OBJ(&args[0], &o->std);
    ZVAL_LONG(&args[1], worker_id);
    // The signals are taken before onStart/onWorkerStart run: a SIGTERM that arrives while
    // they run (a reload or shutdown right after a fork) waits in the loop's signalfd and
    // still ends the worker gracefully (onWorkerExit, onWorkerStop), instead of killing it.
    // Graceful stop. With no manager, this process is the master: beforeShutdown here.
    int err = s->reactor().on_signal(SIGTERM, [o, s](int) {
        if (!s->stopping()) {
            if (o->impl->manager_pid == 0) {
                call_server_event(o, WSSERVER_EVENT_BEFORE_SHUTDOWN);
            } else {
                // A worker told to go (reload, shutdown): Swoole's onWorkerExit, once here.
                if (o->impl->worker_status) o->impl->worker_status->set_state(o->impl->worker_id, ws::WorkerState::kExit);
                o->impl->leaving = true;
                zval args[2];
                ZVAL_OBJ(&args[0], &o->std);
                ZVAL_LONG(&args[1], o->impl->worker_id);
                wsserver_call(o, o->impl->callbacks[WSSERVER_EVENT_WORKER_EXIT], 2, args);
            }
        }
        s->stop();
    });
    // SIGUSR1/SIGUSR2 reload workers: the manager's business. Here they must not take
    // the default action (terminate).
    if (err == 0) err = s->reactor().on_signal(SIGUSR1, [](int) {});
    if (err == 0) err = s->reactor().on_signal(SIGUSR2, [](int) {});
    // From here on go(), Coroutine::sleep(), Swoole\Timer... run on this worker's loop. A
    // coroutine that leaves an exception uncaught ends the worker as Swoole's fatal error
    // does: connections dropped, the loop stopped, then start() unwinds as after exit().
    impl.coroutine_fatal = false;
    wsserver_coroutine_attach_server_reactor(s->reactor(), [o, s] {
        o->impl->coroutine_fatal = true;
        s->abort_local_connections();
        s->stop();
    });
    const ProcessSettings &p = impl.process;
    impl.callbacks_in_coroutines = p.enable_coroutine && (!impl.is_task_worker || p.task_enable_coroutine);
    if (p.max_coroutine) wsserver_scheduler().set_max_coroutines(p.max_coroutine);
    if (call_start) wsserver_call(o, impl.callbacks[WSSERVER_EVENT_START], 1, args);
    wsserver_dispatch(o, impl.callbacks[WSSERVER_EVENT_WORKER_START], 2, args);
    if (err == 0 && !EG(exception) && !impl.coroutine_fatal) err = s->run();
    // Reported already (PHP Fatal error: Uncaught ..., exit status 255): no more callbacks.
    if (impl.coroutine_fatal && !EG(exception)) zend_throw_unwind_exit();
    if (!EG(exception)) wsserver_coroutine_unwind_all();  // finally blocks and defers of waiting callbacks
    (void)s->reactor().on_signal(SIGTERM, {});
    (void)s->reactor().on_signal(SIGUSR1, {});
    (void)s->reactor().on_signal(SIGUSR2, {});
    wsserver_call(o, impl.callbacks[WSSERVER_EVENT_WORKER_STOP], 2, args);
    if (impl.manager_pid == 0) wsserver_call(o, impl.callbacks[WSSERVER_EVENT_SHUTDOWN], 1, args);
    wsserver_coroutine_detach_server_reactor();  // before the server's reactor goes
    if (err != 0 && !EG(exception)) {
        php_error_docref(nullptr, E_WARNING, "the event loop failed: %s", std::strerror(err));
        return false;
    }
    return true;
}

// A forked worker never returns into the script: it ends as exit() would (shutdown
// functions and destructors run), or with an uncaught exception's report and status 255,
// even if the script wrapped start() in a try block.
void end_worker_process() {
    if (EG(exception) && zend_is_unwind_exit(EG(exception))) return;  // exit() was called: its status stands
    EG(exit_status) = 0;
    if (EG(exception)) {
        zend_object *ex = EG(exception);
        GC_ADDREF(ex);
        zend_clear_exception();
        zend_exception_error(ex, E_ERROR);  // "PHP Fatal error: Uncaught ..."; releases ex
        EG(exit_status) = 255;
    }
    if (!EG(exception)) zend_throw_unwind_exit();
}

// worker_num > 1: this process becomes the manager, forks the workers and supervises them
// until shutdown. In each forked worker, run() returns with the worker's identity.
bool run_manager(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    impl.manager_pid = getpid();
    if (!impl.process_mode) impl.master_pid = impl.manager_pid;  // PROCESS: the master forked us
    impl.is_manager = true;
    ws::WorkerPoolOptions po;
    po.worker_num = impl.config.worker_num;
    po.task_worker_num = impl.config.task_worker_num;
    po.table = impl.table.get();
    po.stop_timeout_ms = impl.config.stop_timeout_ms + 2000;
    po.status = impl.worker_status.get();
    impl.logger.set_role(ws::ProcessRole::kManager, 0);
    ws::WorkerPool::Hooks hooks;
    hooks.manager_start = [o] { call_server_event(o, WSSERVER_EVENT_MANAGER_START); };
    hooks.manager_stop = [o] { call_server_event(o, WSSERVER_EVENT_MANAGER_STOP); };
    hooks.worker_exit = [o](const ws::WorkerExit &e) {
        zval args[5];
        ZVAL_OBJ(&args[0], &o->std);
        ZVAL_LONG(&args[1], e.worker_id);
        ZVAL_LONG(&args[2], e.pid);
        ZVAL_LONG(&args[3], e.exit_code);
        ZVAL_LONG(&args[4], e.signal);
        if (e.signal == 0 && e.exit_code == 0) return;  // a clean exit (stop() in the worker) is no error
        if (!Z_ISUNDEF(o->impl->callbacks[WSSERVER_EVENT_WORKER_ERROR].fn)) {
            wsserver_call(o, o->impl->callbacks[WSSERVER_EVENT_WORKER_ERROR], 5, args);
        } else {
            o->impl->logger.logf(ws::LogLevel::kWarning, "worker(pid=%d, id=%d) abnormal exit, status=%d, signal=%d",
                                 static_cast<int>(e.pid), e.worker_id, e.exit_code, e.signal);
        }
    };
    hooks.before_reload = [o] { call_server_event(o, WSSERVER_EVENT_BEFORE_RELOAD); };
    hooks.after_reload = [o] { call_server_event(o, WSSERVER_EVENT_AFTER_RELOAD); };
    if (!impl.process_mode)  // PROCESS: beforeShutdown runs in the master
        hooks.before_shutdown = [o] { call_server_event(o, WSSERVER_EVENT_BEFORE_SHUTDOWN); };
    auto pool = ws::WorkerPool::create(po, std::move(hooks));
    if (!pool) {
        php_error_docref(nullptr, E_WARNING, "cannot start the workers: %s", pool.error().message.c_str());
        return false;
    }
    impl.pool = std::move(pool.value());
    set_process_properties(o);
    ws::WorkerPool::RunResult r = impl.pool->run();
    if (r.role == ws::WorkerPool::Role::Worker) {
        impl.pool.reset();
        impl.is_manager = false;
        impl.logger.set_role(r.task_worker ? ws::ProcessRole::kTaskWorker : ws::ProcessRole::kWorker, r.worker_id);
        ws::Server *s = impl.server.get();
        int err = s->renew_reactor_after_fork();
        if (err == 0) {
            s->attach_table(*impl.table, r.worker_id);
            err = s->connect_to_manager(std::move(r.channel));
        }
        if (r.task_worker) {
            s->serve_no_connections();
            impl.is_task_worker = true;
        }
        if (err == 0 && impl.process_mode) {
            // The master's threads own the sockets: this worker serves their events.
            s->serve_no_connections();
            std::vector<ws::UniqueFd> mine;
            if (static_cast<size_t>(r.worker_id) < impl.worker_ends.size())
                mine = std::move(impl.worker_ends[static_cast<size_t>(r.worker_id)]);
            impl.worker_ends.clear();  // the other members' ends
            err = s->attach_master(std::move(mine));
        }
        if (err != 0) {
            impl.logger.logf(ws::LogLevel::kError, "worker#%d cannot start: %s", r.worker_id, std::strerror(err));
            EG(exit_status) = 255;
            zend_throw_unwind_exit();
            return false;
        }
        // Swoole (BASE): onStart runs once, in worker 0; PROCESS: in the master.
        run_worker(o, r.worker_id, r.worker_id == 0 && r.first_start && !impl.process_mode);
        end_worker_process();
        return false;
    }
    impl.is_manager = false;
    zval args[1];
    ZVAL_OBJ(&args[0], &o->std);
    if (!impl.process_mode) wsserver_call(o, impl.callbacks[WSSERVER_EVENT_SHUTDOWN], 1, args);
    if (r.error != 0 && !EG(exception)) {
        php_error_docref(nullptr, E_WARNING, "the manager loop failed: %s", std::strerror(r.error));
        return false;
    }
    return true;
}

// SWOOLE_PROCESS: this process becomes the master. It forks the manager (which forks the
// workers, as in BASE mode), then its reactor threads (ws::ProcessMaster) serve every
// connection and dispatch the events to the workers over the channels created here. The
// master's own thread runs only onStart/onBeforeShutdown/onShutdown, timers set there,
// and the signals: SIGTERM shuts the server down, SIGUSR1/SIGUSR2 go to the manager.
bool run_process_master(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    ws::Server *s = impl.server.get();
    const int pool_size = impl.config.worker_num + impl.config.task_worker_num;
    const long cpus = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
    int reactors = impl.config.reactor_num > 0 ? impl.config.reactor_num : static_cast<int>(std::min(cpus, 8L));
    reactors = std::max(1, std::min(reactors, impl.config.worker_num));  // Swoole caps it so
    auto channels = ws::ProcessChannels::create(reactors, pool_size);
    if (!channels) {
        php_error_docref(nullptr, E_WARNING, "cannot create the worker channels: %s",
                         channels.error().message.c_str());
        return false;
    }
    impl.master_pid = getpid();
    pid_t manager = fork();
    if (manager < 0) {
        php_error_docref(nullptr, E_WARNING, "fork() of the manager failed: %s", std::strerror(errno));
        return false;
    }
    if (manager == 0) {
        channels.value().master_ends.clear();
        impl.worker_ends = std::move(channels.value().worker_ends);
        run_manager(o);  // workers never come back here
        end_worker_process();
        return false;
    }
    channels.value().worker_ends.clear();
    impl.manager_pid = manager;
    impl.is_master = true;
    impl.logger.set_role(ws::ProcessRole::kMaster, 0);
    s->serve_no_connections();  // the threads accept; this reactor only runs the master's own work

    ws::ProcessMasterOptions mo;
    mo.reactor_num = reactors;
    mo.worker_num = impl.config.worker_num;
    mo.dispatch_mode = impl.config.dispatch_mode;
    mo.table = impl.table.get();
    mo.status = impl.worker_status.get();
    auto master = ws::ProcessMaster::create(*s, impl.config, mo, std::move(channels.value().master_ends));
    if (!master) {
        php_error_docref(nullptr, E_WARNING, "cannot start the reactor threads: %s", master.error().message.c_str());
        kill(manager, SIGTERM);
        while (waitpid(manager, nullptr, 0) < 0 && errno == EINTR) {}
        return false;
    }
    impl.master = std::move(master.value());

    ws::Reactor &loop = s->reactor();
    bool manager_gone = false;
    auto shut_down = [&] {
        call_server_event(o, WSSERVER_EVENT_BEFORE_SHUTDOWN);
        impl.master->stop();  // 1001 to every client; their close events reach the workers
        impl.master->join();
        if (!manager_gone) {
            kill(manager, SIGTERM);
            while (waitpid(manager, nullptr, 0) < 0 && errno == EINTR) {}
            manager_gone = true;
        }
        loop.stop();
    };
    bool stopping = false;
    int err = loop.on_signal(SIGTERM, [&](int) {
        if (stopping) return;
        stopping = true;
        shut_down();
    });
    if (err == 0) err = loop.on_signal(SIGUSR1, [manager](int) { kill(manager, SIGUSR1); });
    if (err == 0) err = loop.on_signal(SIGUSR2, [manager](int) { kill(manager, SIGUSR2); });
    if (err == 0) err = loop.on_signal(SIGCHLD, [&](int) {
        int status = 0;
        if (manager_gone || waitpid(manager, &status, WNOHANG) != manager) return;
        manager_gone = true;  // it died on its own: the workers went with it
        if (!stopping) {
            stopping = true;
            php_error_docref(nullptr, E_WARNING, "the manager process exited: the server shuts down");
            shut_down();
        }
    });
    if (err == 0) {
        impl.master->start();
        set_process_properties(o);
        zval args[1];
        ZVAL_OBJ(&args[0], &o->std);
        wsserver_call(o, impl.callbacks[WSSERVER_EVENT_START], 1, args);
        if (EG(exception)) {
            stopping = true;
            shut_down();
        } else {
            err = loop.run();
        }
    } else {
        stopping = true;
        shut_down();
    }
    (void)loop.on_signal(SIGTERM, {});
    (void)loop.on_signal(SIGUSR1, {});
    (void)loop.on_signal(SIGUSR2, {});
    (void)loop.on_signal(SIGCHLD, {});
    impl.master.reset();
    zval args[1];
    ZVAL_OBJ(&args[0], &o->std);
    wsserver_call(o, impl.callbacks[WSSERVER_EVENT_SHUTDOWN], 1, args);
    if (err != 0 && !EG(exception)) {
        php_error_docref(nullptr, E_WARNING, "the master loop failed: %s", std::strerror(err));
        return false;
    }
    return true;
}


// stop(): this worker ends (a manager starts a new one); shutdown(): the whole server.
void stop_server(INTERNAL_FUNCTION_PARAMETERS, bool whole_server) {
    ws::Server *s = wsserver_engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (!impl.running) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        RETURN_FALSE;
    }
    if (impl.process_mode && whole_server && impl.master_pid != 0) {
        RETURN_BOOL(kill(impl.master_pid, SIGTERM) == 0);  // the master shuts everything down
    }
    if (impl.manager_pid != 0 && (whole_server || impl.is_manager)) {
        RETURN_BOOL(kill(impl.manager_pid, SIGTERM) == 0);
    }
    s->stop();
    RETURN_TRUE;
}

}  // namespace

// Before any fork: user/group looked up (a name that does not exist stops start() here,
// not in every worker), the worker status table, the log file and level, daemonize, the
// pid file (the pid of the process that stays: the manager, or the only process). False
// after a warning.
bool wsserver_prepare_processes(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    const ProcessSettings &p = impl.process;
    auto identity = ws::lookup_identity(p.user, p.group);
    if (!identity) {
        php_error_docref(nullptr, E_WARNING, "%s", identity.error().message.c_str());
        return false;
    }
    impl.identity = identity.value();
    auto status = ws::WorkerStatusTable::create(std::max(1, impl.config.worker_num + impl.config.task_worker_num));
    if (!status) {
        php_error_docref(nullptr, E_WARNING, "cannot create the worker status table: %s", status.error().message.c_str());
        return false;
    }
    impl.worker_status = std::make_unique<ws::WorkerStatusTable>(std::move(status.value()));
    impl.logger.set_level(static_cast<ws::LogLevel>(p.log_level));
    if (!p.log_file.empty()) {
        auto opened = impl.logger.open(p.log_file);
        if (!opened) {
            php_error_docref(nullptr, E_WARNING, "%s", opened.error().message.c_str());
            return false;
        }
    }
    impl.pid_file = ws::absolute_path(p.pid_file);  // daemonize() moves to "/"
    if (p.daemonize) {
        fflush(stdout);
        fflush(stderr);
        // Standard output and error go to the log file (PHP's own warnings included), or
        // nowhere; the calling process exits here with status 0.
        auto detached = ws::daemonize(impl.logger.has_file() ? impl.logger.fd() : -1);
        if (!detached) {
            php_error_docref(nullptr, E_WARNING, "daemonize failed: %s", detached.error().message.c_str());
            return false;
        }
    }
    if (!impl.pid_file.empty()) {
        auto written = ws::write_pid_file(impl.pid_file, getpid());
        if (!written) {
            php_error_docref(nullptr, E_WARNING, "%s", written.error().message.c_str());
            impl.pid_file.clear();
            return false;
        }
    }
    return true;
}

bool wsserver_run_processes(ServerObject *o) {
    ServerImpl &impl = *o->impl;
    // Swoole: max_request needs a manager to replace the worker, even a single one.
    const bool with_manager =
        impl.config.worker_num > 1 || impl.config.task_worker_num > 0 || impl.process.max_request > 0;
    return impl.process_mode ? run_process_master(o) : with_manager ? run_manager(o) : run_worker(o, 0, true);
}

ZEND_METHOD(Swoole_Server, shutdown) {
    ZEND_PARSE_PARAMETERS_NONE();
    stop_server(INTERNAL_FUNCTION_PARAM_PASSTHRU, true);
}

ZEND_METHOD(Swoole_Server, reload) {
    bool only_reload_taskworker = false;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_BOOL(only_reload_taskworker)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (!impl.running) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        RETURN_FALSE;
    }
    if (impl.manager_pid == 0) {
        php_error_docref(nullptr, E_WARNING, "no manager process: reload needs worker_num > 1");
        RETURN_FALSE;
    }
    if (only_reload_taskworker) RETURN_TRUE;  // no task workers
    RETURN_BOOL(kill(impl.manager_pid, SIGUSR1) == 0);
}

ZEND_METHOD(Swoole_Server, stop) {
    zend_long worker_id = -1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(worker_id)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (worker_id != -1 && (impl.is_manager || worker_id != impl.worker_id)) {
        if (worker_id < 0 || worker_id >= impl.config.worker_num) {
            php_error_docref(nullptr, E_WARNING, "worker#" ZEND_LONG_FMT " does not exist", worker_id);
            RETURN_FALSE;
        }
        pid_t pid = impl.pool ? impl.pool->worker_pid(static_cast<int>(worker_id)) : 0;
        if (pid != 0) RETURN_BOOL(kill(pid, SIGTERM) == 0);
        php_error_docref(nullptr, E_WARNING, "only the manager can stop another worker (worker#" ZEND_LONG_FMT ")",
                         worker_id);
        RETURN_FALSE;
    }
    stop_server(INTERNAL_FUNCTION_PARAM_PASSTHRU, false);
}

ZEND_METHOD(Swoole_Server, getWorkerId) {
    ZEND_PARSE_PARAMETERS_NONE();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (!impl.running || impl.is_manager) RETURN_FALSE;
    RETURN_LONG(impl.worker_id);
}

ZEND_METHOD(Swoole_Server, getWorkerPid) {
    zend_long worker_id = -1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(worker_id)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (impl.pool && worker_id >= 0) {  // the manager knows every worker
        pid_t pid = impl.pool->worker_pid(static_cast<int>(worker_id));
        if (pid == 0) RETURN_FALSE;
        RETURN_LONG(pid);
    }
    if (worker_id != -1 && worker_id != impl.worker_id) RETURN_FALSE;
    if (impl.is_manager) RETURN_FALSE;
    RETURN_LONG(static_cast<zend_long>(getpid()));
}

// SWOOLE_WORKER_BUSY / IDLE / EXIT of any worker (task workers included) from any
// process; -1: the calling worker. 0 for a worker that has not started yet.
ZEND_METHOD(Swoole_Server, getWorkerStatus) {
    zend_long worker_id = -1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(worker_id)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    if (!impl.running || !impl.worker_status) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        RETURN_FALSE;
    }
    if (worker_id < 0) {
        if (impl.is_manager) RETURN_FALSE;  // the manager is no worker
        worker_id = impl.worker_id;
    }
    if (worker_id >= impl.worker_status->size()) {
        php_error_docref(nullptr, E_WARNING, "worker#" ZEND_LONG_FMT " does not exist (%d workers)", worker_id,
                         impl.worker_status->size());
        RETURN_FALSE;
    }
    RETURN_LONG(static_cast<zend_long>(impl.worker_status->state(static_cast<int>(worker_id))));
}

ZEND_METHOD(Swoole_Server, getManagerPid) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_LONG(this_server(ZEND_THIS)->impl->manager_pid);  // 0: one worker, no manager
}

ZEND_METHOD(Swoole_Server, getMasterPid) {
    ZEND_PARSE_PARAMETERS_NONE();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    RETURN_LONG(impl.master_pid ? impl.master_pid : getpid());
}
