// The server-wide table of worker states: one anonymous shared mapping created before fork
// and inherited by the manager and every worker, one slot per worker id (event workers
// first, then task workers, as Swoole numbers them). getWorkerStatus($id) reads it from
// any process; a dispatcher that wants an idle worker (Swoole's dispatch_mode 3) asks
// idle(id).
//
// Each slot is written by the worker it describes (begin() right after its fork, its state
// around every dispatched event, its request count) and by the manager (end() once it
// died, before a replacement is forked, so the two never write at once); readers
// get each field as one atomic load. No locks: a worker that dies mid-update leaves at most
// a stale state, which the manager overwrites.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/net/syscall.h"

namespace wsserver {

// Swoole's SWOOLE_WORKER_* values (getWorkerStatus()); kNone: never started.
enum class WorkerState : uint32_t {
    kNone = 0,
    kBusy = 1,  // SWOOLE_WORKER_BUSY: running a PHP callback for an event
    kIdle = 2,  // SWOOLE_WORKER_IDLE: waiting in its event loop
    kExit = 3,  // SWOOLE_WORKER_EXIT: leaving (max_request, shutdown) or gone
};

class WorkerStatusTable {
public:
    static constexpr int kMaxWorkers = 1 << 16;

    // Maps `worker_count` zeroed slots (every state kNone). EINVAL outside 1..kMaxWorkers.
    static Result<WorkerStatusTable> create(int worker_count);

    WorkerStatusTable(WorkerStatusTable &&other) noexcept;
    WorkerStatusTable &operator=(WorkerStatusTable &&other) noexcept;
    WorkerStatusTable(const WorkerStatusTable &) = delete;
    WorkerStatusTable &operator=(const WorkerStatusTable &) = delete;
    ~WorkerStatusTable();  // unmaps this process's view only

    int size() const { return size_; }
    bool valid_id(int worker_id) const { return worker_id >= 0 && worker_id < size_; }

    // Readers; an unknown id reads as kNone / 0.
    WorkerState state(int worker_id) const;
    bool idle(int worker_id) const { return state(worker_id) == WorkerState::kIdle; }
    bool busy(int worker_id) const { return state(worker_id) == WorkerState::kBusy; }
    pid_t pid(int worker_id) const;
    // How many of the ids [first, first + count) are kIdle right now (stats()' idle_worker_num).
    int idle_count(int first, int count) const;
    uint64_t requests(int worker_id) const;

    // Writers; an unknown id is ignored.
    void set_state(int worker_id, WorkerState state);
    // A new process took the slot (called by that process): its pid, request count back
    // to 0, state kNone until it marks itself idle.
    void begin(int worker_id, pid_t pid);
    // The process left: state kExit, pid 0 (the request count stays for inspection).
    void end(int worker_id);
    // One more request handled; returns the new count (0 for an unknown id).
    uint64_t add_request(int worker_id);

private:
    struct Slot;
    WorkerStatusTable(void *base, size_t length, int size);
    Slot *slot(int worker_id) const;

    void *base_ = nullptr;
    size_t length_ = 0;
    int size_ = 0;
};

}  // namespace wsserver
