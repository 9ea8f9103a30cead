#include "core/server/connection_table.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <new>
#include <string>
#include <utility>

namespace wsserver {

namespace {

constexpr uint32_t kSlotFree = 0;
constexpr uint32_t kSlotClaimed = 1;

// Writer spin: a critical section is a ~240-byte copy, so only a preempted or dead holder
// keeps a slot locked this long. Yield between short bursts so a preempted holder on the
// same core can finish.
constexpr int kLockSpins = 64;
constexpr int kLockYields = 20000;
// Reader retries before answering kBusy.
constexpr int kReadSpins = 64;
constexpr int kReadYields = 2000;

size_t round_up(size_t n, size_t align) { return (n + align - 1) / align * align; }

// a <- max(a, v) / a <- min(a, v), from any process.
void atomic_max(std::atomic<uint32_t> &a, uint32_t v) {
    uint32_t cur = a.load(std::memory_order_relaxed);
    while (cur < v && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
}
void atomic_min(std::atomic<uint32_t> &a, uint32_t v) {
    uint32_t cur = a.load(std::memory_order_relaxed);
    while (cur > v && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
}

}  // namespace

// The shared header. Fields written on every accept/close sit on their own cache lines.
struct ConnectionTable::Header {
    alignas(64) std::atomic<uint64_t> next_id;  // the next id to hand out
    alignas(64) std::atomic<uint64_t> live;     // live sessions, plus allocations in progress
    alignas(64) std::atomic<uint64_t> accept_count;
    std::atomic<uint64_t> close_count;
    alignas(64) std::atomic<uint32_t> min_slot;  // lowest slot ever claimed (capacity: none)
    std::atomic<uint32_t> max_slot;              // highest slot ever claimed
    SessionId first_id;                          // written once before any fork
};

// ---------------------------------------------------------------- ConnectionInfo

bool ConnectionInfo::set_remote(const sockaddr *sa, socklen_t len) {
    if (sa == nullptr) return false;
    if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        sockaddr_in in;
        std::memcpy(&in, sa, sizeof in);
        std::memset(remote_addr, 0, sizeof remote_addr);
        std::memcpy(remote_addr, &in.sin_addr, 4);
        remote_port = ntohs(in.sin_port);
        remote_family = AF_INET;
        return true;
    }
    if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        sockaddr_in6 in6;
        std::memcpy(&in6, sa, sizeof in6);
        std::memcpy(remote_addr, &in6.sin6_addr, 16);
        remote_port = ntohs(in6.sin6_port);
        remote_family = AF_INET6;
        return true;
    }
    return false;
}

std::string ConnectionInfo::remote_ip() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (remote_family == AF_INET) {
        if (inet_ntop(AF_INET, remote_addr, buf, sizeof buf) != nullptr) return buf;
    } else if (remote_family == AF_INET6) {
        if (inet_ntop(AF_INET6, remote_addr, buf, sizeof buf) != nullptr) return buf;
    }
    return {};
}

// ---------------------------------------------------------------- ConnectionTable

uint32_t ConnectionTable::default_capacity() {
    constexpr uint32_t kSwooleDefault = 100000;
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return kSwooleDefault;
    if (rl.rlim_cur == 0) return 1;
    return static_cast<uint32_t>(std::min<rlim_t>(rl.rlim_cur, kSwooleDefault));
}

size_t ConnectionTable::slot_size() {
    static_assert(sizeof(ConnectionInfo) == 112, "ConnectionInfo layout changed: update docs");
    static_assert(sizeof(Slot) == 128, "a slot should stay two 64-byte cache lines");
    static_assert(std::is_trivially_default_constructible_v<Slot>);
    static_assert(std::is_trivially_destructible_v<Slot>);
    return sizeof(Slot);
}

size_t ConnectionTable::mapping_size(uint32_t capacity) {
    return round_up(sizeof(Header), alignof(Slot)) + size_t{capacity} * sizeof(Slot);
}

Result<ConnectionTable> ConnectionTable::create(const Options &options) {
    uint32_t capacity = options.capacity == 0 ? default_capacity() : options.capacity;
    if (capacity > kMaxCapacity) {
        return SysError{EINVAL, "connection table: max_connection " + std::to_string(capacity) +
                                    " exceeds " + std::to_string(kMaxCapacity)};
    }
    if (options.first_id <= 0 || options.first_id > INT64_MAX / 2) {
        return SysError{EINVAL, "connection table: first session id must be in [1, 2^62]"};
    }
    size_t length = mapping_size(capacity);
    void *base = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        return SysError::from_errno(errno, "mmap(connection table, " + std::to_string(length) + " bytes)");
    }
    return ConnectionTable(base, length, capacity, options.first_id);
}

ConnectionTable::ConnectionTable(void *base, size_t length, uint32_t capacity, SessionId first_id)
    : base_(base), length_(length), capacity_(capacity) {
    // Start the objects' lifetimes in the fresh zero-filled mapping. The slots' default
    // constructors are trivial (no stores), so untouched pages stay unbacked.
    header_ = new (base_) Header;
    auto *slot_base = static_cast<char *>(base_) + round_up(sizeof(Header), alignof(Slot));
    slots_ = reinterpret_cast<Slot *>(slot_base);
    for (uint32_t i = 0; i < capacity_; i++) new (slot_base + size_t{i} * sizeof(Slot)) Slot;
    header_->next_id.store(first_id, std::memory_order_relaxed);
    header_->live.store(0, std::memory_order_relaxed);
    header_->accept_count.store(0, std::memory_order_relaxed);
    header_->close_count.store(0, std::memory_order_relaxed);
    header_->min_slot.store(capacity_, std::memory_order_relaxed);
    header_->max_slot.store(0, std::memory_order_relaxed);
    header_->first_id = first_id;
}

ConnectionTable::ConnectionTable(ConnectionTable &&other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      length_(std::exchange(other.length_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      header_(std::exchange(other.header_, nullptr)),
      slots_(std::exchange(other.slots_, nullptr)) {}

ConnectionTable &ConnectionTable::operator=(ConnectionTable &&other) noexcept {
    if (this != &other) {
        if (base_ != nullptr) munmap(base_, length_);
        base_ = std::exchange(other.base_, nullptr);
        length_ = std::exchange(other.length_, 0);
        capacity_ = std::exchange(other.capacity_, 0);
        header_ = std::exchange(other.header_, nullptr);
        slots_ = std::exchange(other.slots_, nullptr);
    }
    return *this;
}

ConnectionTable::~ConnectionTable() {
    if (base_ != nullptr) munmap(base_, length_);
}

ConnectionTable::Slot &ConnectionTable::slot_for(SessionId id) const {
    // Callers reject ids <= 0 first; the unsigned cast keeps even a negative one in range.
    return slots_[static_cast<uint64_t>(id) % capacity_];
}

SessionId ConnectionTable::stored_id(const Slot &slot) {
    return slot.words[0].load(std::memory_order_acquire);
}

bool ConnectionTable::lock_slot(Slot &slot) {
    for (int round = 0; round <= kLockYields; round++) {
        for (int spin = 0; spin < kLockSpins; spin++) {
            uint32_t seq = slot.seq.load(std::memory_order_relaxed);
            if ((seq & 1) == 0 &&
                slot.seq.compare_exchange_weak(seq, seq + 1, std::memory_order_acquire,
                                               std::memory_order_relaxed)) {
                // Keeps the field stores below from moving above the odd sequence.
                std::atomic_thread_fence(std::memory_order_release);
                return true;
            }
        }
        sched_yield();
    }
    return false;
}

void ConnectionTable::unlock_slot(Slot &slot) {
    slot.seq.fetch_add(1, std::memory_order_release);
}

void ConnectionTable::load_info(const Slot &slot, ConnectionInfo &out) {
    uint64_t words[Slot::kWords];
    for (size_t i = 0; i < Slot::kWords; i++) words[i] = slot.words[i].load(std::memory_order_relaxed);
    std::memcpy(&out, words, sizeof out);
}

void ConnectionTable::store_info(Slot &slot, const ConnectionInfo &info) {
    uint64_t words[Slot::kWords];
    std::memcpy(words, &info, sizeof words);
    // words[0] (the id) last, with release: a reader of stored_id() that sees the id also
    // sees the fields. (Seqlock readers do not need this; exists()/list() fast paths do.)
    for (size_t i = 1; i < Slot::kWords; i++) slot.words[i].store(words[i], std::memory_order_relaxed);
    slot.words[0].store(words[0], std::memory_order_release);
}

Result<SessionId> ConnectionTable::allocate(const ConnectionInfo &info) {
    // Reserve a place first: with `live` <= capacity, a free slot exists for us.
    uint64_t live = header_->live.load(std::memory_order_relaxed);
    do {
        if (live >= capacity_) {
            return SysError{ENOSPC, "connection table full: " + std::to_string(live) + " of max_connection=" +
                                        std::to_string(capacity_) + " sessions in use"};
        }
    } while (!header_->live.compare_exchange_weak(live, live + 1, std::memory_order_acq_rel,
                                                  std::memory_order_relaxed));

    // Draw ids until one maps to a free slot. At load factor f this takes 1/(1-f) draws on
    // average; the bound only matters when other processes keep taking the free slots.
    const uint64_t max_draws = uint64_t{capacity_} * 2 + 64;
    for (uint64_t draw = 0; draw < max_draws; draw++) {
        SessionId id = header_->next_id.fetch_add(1, std::memory_order_relaxed);
        uint32_t index = static_cast<uint32_t>(id % capacity_);
        Slot &slot = slots_[index];
        uint32_t expected = kSlotFree;
        if (slot.state.load(std::memory_order_relaxed) != kSlotFree ||
            !slot.state.compare_exchange_strong(expected, kSlotClaimed, std::memory_order_acquire,
                                                std::memory_order_relaxed)) {
            continue;  // taken by a live session: this id is skipped for good
        }
        // Stale update()/release() calls may hold the write lock briefly (they find id 0).
        if (!lock_slot(slot)) {
            slot.state.store(kSlotFree, std::memory_order_release);
            header_->live.fetch_sub(1, std::memory_order_acq_rel);
            return SysError{EAGAIN, "connection table: slot " + std::to_string(index) + " stayed locked"};
        }
        ConnectionInfo copy = info;
        copy.session_id = id;
        store_info(slot, copy);
        unlock_slot(slot);
        atomic_min(header_->min_slot, index);
        atomic_max(header_->max_slot, index);
        header_->accept_count.fetch_add(1, std::memory_order_relaxed);
        return id;
    }
    header_->live.fetch_sub(1, std::memory_order_acq_rel);
    return SysError{EAGAIN, "connection table: no free slot after " + std::to_string(max_draws) + " ids"};
}

SlotStatus ConnectionTable::release(SessionId id) {
    if (id <= 0) return SlotStatus::kNotFound;
    Slot &slot = slot_for(id);
    if (stored_id(slot) != id) return SlotStatus::kNotFound;
    if (!lock_slot(slot)) return SlotStatus::kBusy;
    if (slot.words[0].load(std::memory_order_relaxed) != static_cast<uint64_t>(id)) {  // released first
        unlock_slot(slot);
        return SlotStatus::kNotFound;
    }
    store_info(slot, ConnectionInfo{});  // id 0: invisible from here on
    unlock_slot(slot);
    // Only now may an allocator claim the slot (it then waits for no one).
    slot.state.store(kSlotFree, std::memory_order_release);
    header_->live.fetch_sub(1, std::memory_order_acq_rel);
    header_->close_count.fetch_add(1, std::memory_order_relaxed);
    return SlotStatus::kOk;
}

SlotStatus ConnectionTable::get(SessionId id, ConnectionInfo &out) const {
    if (id <= 0) return SlotStatus::kNotFound;
    const Slot &slot = slot_for(id);
    for (int round = 0; round <= kReadYields; round++) {
        for (int spin = 0; spin < kReadSpins; spin++) {
            uint32_t before = slot.seq.load(std::memory_order_acquire);
            if (before & 1) continue;
            ConnectionInfo copy;
            load_info(slot, copy);
            std::atomic_thread_fence(std::memory_order_acquire);
            uint32_t after = slot.seq.load(std::memory_order_relaxed);
            if (before != after) continue;
            // A consistent snapshot: its own id says whose data it is.
            if (copy.session_id != id) return SlotStatus::kNotFound;
            out = copy;
            return SlotStatus::kOk;
        }
        if (stored_id(slot) != id) return SlotStatus::kNotFound;  // cheap early answer
        sched_yield();
    }
    return SlotStatus::kBusy;
}

bool ConnectionTable::exists(SessionId id) const {
    return id > 0 && stored_id(slot_for(id)) == id;
}

std::vector<SessionId> ConnectionTable::list(SessionId after, size_t max_count, bool established_only) const {
    std::vector<SessionId> out;
    if (max_count == 0) return out;
    uint32_t lo = header_->min_slot.load(std::memory_order_relaxed);
    uint32_t hi = header_->max_slot.load(std::memory_order_relaxed);
    // Keep the max_count smallest ids > after: a max-heap holding the best so far.
    for (uint64_t i = lo; i <= hi && i < capacity_; i++) {
        const Slot &slot = slots_[i];
        SessionId id = stored_id(slot);
        if (id == 0 || id <= after) continue;
        if (out.size() == max_count && id >= out.front()) continue;
        if (established_only) {
            ConnectionInfo info;
            if (get(id, info) != SlotStatus::kOk || !info.established() || info.closing()) continue;
        }
        if (out.size() == max_count) {
            std::pop_heap(out.begin(), out.end());
            out.back() = id;
        } else {
            out.push_back(id);
        }
        std::push_heap(out.begin(), out.end());
    }
    std::sort_heap(out.begin(), out.end());
    return out;
}

size_t ConnectionTable::release_owned_by(int32_t worker_id) {
    size_t freed = 0;
    uint32_t lo = header_->min_slot.load(std::memory_order_relaxed);
    uint32_t hi = header_->max_slot.load(std::memory_order_relaxed);
    for (uint64_t i = lo; i <= hi && i < capacity_; i++) {
        SessionId id = stored_id(slots_[i]);
        if (id == 0) continue;
        ConnectionInfo info;
        if (get(id, info) == SlotStatus::kOk && info.worker_id == worker_id &&
            release(id) == SlotStatus::kOk) {
            freed++;
        }
    }
    return freed;
}

uint64_t ConnectionTable::count() const { return header_->live.load(std::memory_order_relaxed); }

ConnectionTableStats ConnectionTable::stats() const {
    ConnectionTableStats s;
    s.capacity = capacity_;
    s.connection_num = header_->live.load(std::memory_order_relaxed);
    s.accept_count = header_->accept_count.load(std::memory_order_relaxed);
    s.close_count = header_->close_count.load(std::memory_order_relaxed);
    SessionId next = header_->next_id.load(std::memory_order_relaxed);
    s.last_id = next == header_->first_id ? 0 : next - 1;
    s.min_slot = header_->min_slot.load(std::memory_order_relaxed);
    s.max_slot = header_->max_slot.load(std::memory_order_relaxed);
    return s;
}

}  // namespace wsserver
