#include "core/ipc/worker_status.h"

#include <sys/mman.h>

#include <cerrno>
#include <utility>

namespace wsserver {

static_assert(std::atomic<uint64_t>::is_always_lock_free, "shared-memory atomics must be lock-free");
static_assert(std::atomic<uint32_t>::is_always_lock_free, "shared-memory atomics must be lock-free");
static_assert(std::atomic<int32_t>::is_always_lock_free, "shared-memory atomics must be lock-free");

// One cache line per worker: a busy worker flipping its state does not slow down its
// neighbours' writes. The mapping is zero-filled, which is every slot's initial value.
struct alignas(64) WorkerStatusTable::Slot {
    std::atomic<uint32_t> state;
    std::atomic<int32_t> pid;
    std::atomic<uint64_t> requests;
};

Result<WorkerStatusTable> WorkerStatusTable::create(int worker_count) {
    if (worker_count < 1 || worker_count > kMaxWorkers) {
        return SysError::from_errno(EINVAL, "worker status table of " + std::to_string(worker_count) + " workers");
    }
    const size_t length = sizeof(Slot) * static_cast<size_t>(worker_count);
    void *base = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return SysError::from_errno(errno, "mmap(worker status table)");
    return WorkerStatusTable(base, length, worker_count);
}

WorkerStatusTable::WorkerStatusTable(void *base, size_t length, int size) : base_(base), length_(length), size_(size) {}

WorkerStatusTable::WorkerStatusTable(WorkerStatusTable &&other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      length_(std::exchange(other.length_, 0)),
      size_(std::exchange(other.size_, 0)) {}

WorkerStatusTable &WorkerStatusTable::operator=(WorkerStatusTable &&other) noexcept {
    if (this != &other) {
        if (base_) ::munmap(base_, length_);
        base_ = std::exchange(other.base_, nullptr);
        length_ = std::exchange(other.length_, 0);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

WorkerStatusTable::~WorkerStatusTable() {
    if (base_) ::munmap(base_, length_);
}

WorkerStatusTable::Slot *WorkerStatusTable::slot(int worker_id) const {
    if (!valid_id(worker_id)) return nullptr;
    return static_cast<Slot *>(base_) + worker_id;
}

WorkerState WorkerStatusTable::state(int worker_id) const {
    const Slot *s = slot(worker_id);
    return s ? static_cast<WorkerState>(s->state.load(std::memory_order_acquire)) : WorkerState::kNone;
}

pid_t WorkerStatusTable::pid(int worker_id) const {
    const Slot *s = slot(worker_id);
    return s ? static_cast<pid_t>(s->pid.load(std::memory_order_acquire)) : 0;
}

int WorkerStatusTable::idle_count(int first, int count) const {
    int idle_workers = 0;
    for (int id = first; id < first + count; id++) idle_workers += idle(id) ? 1 : 0;
    return idle_workers;
}

uint64_t WorkerStatusTable::requests(int worker_id) const {
    const Slot *s = slot(worker_id);
    return s ? s->requests.load(std::memory_order_relaxed) : 0;
}

void WorkerStatusTable::set_state(int worker_id, WorkerState state) {
    if (Slot *s = slot(worker_id)) s->state.store(static_cast<uint32_t>(state), std::memory_order_release);
}

void WorkerStatusTable::begin(int worker_id, pid_t pid) {
    Slot *s = slot(worker_id);
    if (!s) return;
    s->requests.store(0, std::memory_order_relaxed);
    s->pid.store(static_cast<int32_t>(pid), std::memory_order_release);
    s->state.store(static_cast<uint32_t>(WorkerState::kNone), std::memory_order_release);
}

void WorkerStatusTable::end(int worker_id) {
    Slot *s = slot(worker_id);
    if (!s) return;
    s->state.store(static_cast<uint32_t>(WorkerState::kExit), std::memory_order_release);
    s->pid.store(0, std::memory_order_release);
}

uint64_t WorkerStatusTable::add_request(int worker_id) {
    Slot *s = slot(worker_id);
    return s ? s->requests.fetch_add(1, std::memory_order_relaxed) + 1 : 0;
}

}  // namespace wsserver
