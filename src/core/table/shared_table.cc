#include "core/table/shared_table.h"

#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <new>
#include <utility>

namespace wsserver {

static_assert(std::atomic<uint32_t>::is_always_lock_free, "shared-memory atomics must be lock-free");
static_assert(std::atomic<uint64_t>::is_always_lock_free, "shared-memory atomics must be lock-free");

namespace {

constexpr uint32_t kNone = 0;  // "no slot" in links (slot indexes are stored plus one)

size_t align8(size_t n) { return (n + 7) & ~static_cast<size_t>(7); }

uint64_t hash_key(std::string_view key) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (unsigned char c : key) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

void bump_max(std::atomic<uint64_t> &max, uint64_t value) {
    uint64_t seen = max.load(std::memory_order_relaxed);
    while (value > seen && !max.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
}

}  // namespace

struct SharedTable::Header {
    std::atomic<uint64_t> free_top;  // (ABA tag << 32) | (conflict slot index + 1)
    std::atomic<uint64_t> free_count;
    std::atomic<int64_t> rows;
    std::atomic<uint64_t> conflict_count;
    std::atomic<uint64_t> conflict_max_level;
    std::atomic<uint64_t> insert_count;
    std::atomic<uint64_t> update_count;
    std::atomic<uint64_t> delete_count;
};

struct SharedTable::Bucket {
    std::atomic<uint32_t> owner;      // pid of the process holding the lock, 0 when free
    std::atomic<uint32_t> head;       // first slot of the chain (index + 1)
    std::atomic<uint32_t> root_used;  // whether root slot i is in a chain
    uint32_t padding;
};

struct SharedTable::Slot {
    std::atomic<uint32_t> next;     // next slot of the chain, or of the free list (index + 1)
    std::atomic<uint8_t> current;   // which image is the row (0 or 1)
    uint8_t key_length;
    uint8_t padding[2];
    char key[kMaxKeyLength + 1];
    // followed by two row images
};

// The bucket's lock, held for one operation. Waiters spin a little, then yield; every 64
// yields they check whether the owner still lives, and take the lock over from a dead one.
class SharedTable::BucketLock {
public:
    explicit BucketLock(Bucket &b) : owner_(b.owner) {
        const uint32_t me = static_cast<uint32_t>(current_pid());
        uint32_t expected = 0;
        if (owner_.compare_exchange_strong(expected, me, std::memory_order_acquire)) return;
        for (unsigned round = 1;; ++round) {
            expected = owner_.load(std::memory_order_relaxed);
            if (expected == 0 || expected == me) {
                // Free, or left by an earlier process with our pid (pid reuse): we never
                // lock a bucket twice ourselves.
                if (owner_.compare_exchange_weak(expected, me, std::memory_order_acquire)) return;
                continue;
            }
            if (round % 64 == 0 && process_gone(static_cast<pid_t>(expected))) {
                if (owner_.compare_exchange_strong(expected, me, std::memory_order_acquire)) return;
                continue;
            }
            if (round < 32) {
#if defined(__x86_64__) || defined(__i386__)
                __builtin_ia32_pause();
#endif
            } else {
                ::sched_yield();
            }
        }
    }
    ~BucketLock() { owner_.store(0, std::memory_order_release); }
    BucketLock(const BucketLock &) = delete;
    BucketLock &operator=(const BucketLock &) = delete;

private:
    std::atomic<uint32_t> &owner_;
};

uint32_t SharedTable::round_size(int64_t requested) {
    if (requested >= static_cast<int64_t>(kMaxSize)) return kMaxSize;
    uint32_t size = kMinSize;
    while (static_cast<int64_t>(size) < requested) size <<= 1;
    return size;
}

double SharedTable::clamp_proportion(double requested) {
    if (std::isnan(requested) || requested < kMinConflictProportion) return kMinConflictProportion;
    return requested > 1.0 ? 1.0 : requested;
}

uint32_t SharedTable::string_capacity(int64_t requested) {
    if (requested < 1) return 0;
    if (requested > 0xFFFFFFF0ll) requested = 0xFFFFFFF0ll;
    return static_cast<uint32_t>(align8(static_cast<size_t>(requested)));
}

size_t SharedTable::slot_size(const std::vector<TableColumn> &columns) {
    static_assert(sizeof(Slot) % 8 == 0, "row images stay 8-byte aligned");
    size_t row = 0;
    for (const auto &c : columns) row += c.type == TableColumn::Type::kString ? 4 + c.capacity : 8;
    return sizeof(Slot) + 2 * align8(row);
}

size_t SharedTable::memory_size(uint32_t size, double conflict_proportion, const std::vector<TableColumn> &columns) {
    const size_t conflict = static_cast<size_t>(size * clamp_proportion(conflict_proportion));
    return align8(sizeof(Header)) + size * sizeof(Bucket) + (size + conflict) * slot_size(columns);
}

Result<SharedTable> SharedTable::create(uint32_t size, double conflict_proportion, std::vector<TableColumn> columns) {
    size = round_size(size);
    size_t row = 0;
    for (auto &c : columns) {
        c.offset = static_cast<uint32_t>(row);
        c.width = c.type == TableColumn::Type::kString ? 4 + c.capacity : 8;
        row += c.width;
    }
    const size_t row_size = align8(row);
    const uint32_t conflict = static_cast<uint32_t>(size * clamp_proportion(conflict_proportion));
    const size_t one_slot = slot_size(columns);
    auto memory = SharedMemory::create(memory_size(size, conflict_proportion, columns));
    if (!memory) return memory.error();
    SharedTable table(std::move(*memory), size, conflict, one_slot, row_size, std::move(columns));
    // Everything starts zeroed (the mapping is); only the free list needs building.
    for (uint32_t i = 0; i < conflict; ++i) {
        uint32_t index = size + i;
        table.slot(index).next.store(i + 1 < conflict ? index + 2 : kNone, std::memory_order_relaxed);
    }
    table.header().free_top.store(conflict ? size + 1 : kNone);
    table.header().free_count.store(conflict);
    return table;
}

SharedTable::SharedTable(SharedMemory memory, uint32_t size, uint32_t conflict_slots, size_t slot_size,
                         size_t row_size, std::vector<TableColumn> columns)
    : memory_(std::move(memory)),
      size_(size),
      conflict_slots_(conflict_slots),
      slot_size_(slot_size),
      row_size_(row_size),
      columns_(std::move(columns)) {}

const TableColumn *SharedTable::column(std::string_view name) const {
    for (const auto &c : columns_) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

SharedTable::Header &SharedTable::header() const { return *static_cast<Header *>(memory_.data()); }

SharedTable::Bucket &SharedTable::bucket(uint32_t index) const {
    char *base = static_cast<char *>(memory_.data()) + align8(sizeof(Header));
    return reinterpret_cast<Bucket *>(base)[index];
}

SharedTable::Bucket &SharedTable::bucket_of(std::string_view key) const {
    return bucket(static_cast<uint32_t>(hash_key(key) & (size_ - 1)));
}

SharedTable::Slot &SharedTable::slot(uint32_t index) const {
    char *base = static_cast<char *>(memory_.data()) + align8(sizeof(Header)) + size_ * sizeof(Bucket);
    return *reinterpret_cast<Slot *>(base + index * slot_size_);
}

uint32_t SharedTable::index_of(const Slot &s) const {
    const char *base = static_cast<const char *>(memory_.data()) + align8(sizeof(Header)) + size_ * sizeof(Bucket);
    return static_cast<uint32_t>((reinterpret_cast<const char *>(&s) - base) / slot_size_);
}

char *SharedTable::image(Slot &s, unsigned which) const {
    return reinterpret_cast<char *>(&s) + sizeof(Slot) + which * row_size_;
}

const char *SharedTable::current_image(const Slot &s) const {
    return reinterpret_cast<const char *>(&s) + sizeof(Slot) + s.current.load(std::memory_order_acquire) * row_size_;
}

SharedTable::Slot *SharedTable::find(Bucket &b, std::string_view key, Slot **previous, uint32_t *level) const {
    *previous = nullptr;
    uint32_t depth = 0;
    for (uint32_t link = b.head.load(std::memory_order_acquire); link != kNone;) {
        Slot &s = slot(link - 1);
        ++depth;
        if (s.key_length == key.size() && std::memcmp(s.key, key.data(), key.size()) == 0) {
            if (level) *level = depth;
            return &s;
        }
        *previous = &s;
        link = s.next.load(std::memory_order_acquire);
    }
    if (level) *level = depth;
    return nullptr;
}

SharedTable::Slot *SharedTable::take_slot(Bucket &b, std::string_view key) {
    Slot *s = nullptr;
    if (!b.root_used.load(std::memory_order_relaxed)) {
        b.root_used.store(1, std::memory_order_relaxed);
        s = &slot(static_cast<uint32_t>(&b - &bucket(0)));
    } else {
        auto &top = header().free_top;
        uint64_t seen = top.load(std::memory_order_acquire);
        for (;;) {
            const uint32_t link = static_cast<uint32_t>(seen);
            if (link == kNone) return nullptr;
            const uint64_t next = slot(link - 1).next.load(std::memory_order_acquire);
            const uint64_t tag = (seen >> 32) + 1;
            if (top.compare_exchange_weak(seen, (tag << 32) | next, std::memory_order_acq_rel)) {
                s = &slot(link - 1);
                break;
            }
        }
        header().free_count.fetch_sub(1, std::memory_order_relaxed);
    }
    s->next.store(kNone, std::memory_order_relaxed);
    s->current.store(0, std::memory_order_relaxed);
    s->key_length = static_cast<uint8_t>(key.size());
    std::memcpy(s->key, key.data(), key.size());
    s->key[key.size()] = '\0';
    std::memset(image(*s, 0), 0, row_size_);
    return s;
}

void SharedTable::release_slot(Bucket &b, Slot &s) {
    const uint32_t index = index_of(s);
    if (index < size_) {
        b.root_used.store(0, std::memory_order_relaxed);
        return;
    }
    auto &top = header().free_top;
    uint64_t seen = top.load(std::memory_order_acquire);
    for (;;) {
        s.next.store(static_cast<uint32_t>(seen), std::memory_order_relaxed);
        const uint64_t tag = (seen >> 32) + 1;
        if (top.compare_exchange_weak(seen, (tag << 32) | (index + 1), std::memory_order_acq_rel)) break;
    }
    header().free_count.fetch_add(1, std::memory_order_relaxed);
}

void SharedTable::link(Bucket &b, Slot *previous, Slot &s) {
    const uint32_t link = index_of(s) + 1;
    if (previous) {
        previous->next.store(link, std::memory_order_release);
    } else {
        b.head.store(link, std::memory_order_release);
    }
}

SharedTable::Slot *SharedTable::find_or_insert(Bucket &b, std::string_view key, bool *inserted) {
    Slot *previous = nullptr;
    uint32_t level = 0;
    *inserted = false;
    if (Slot *found = find(b, key, &previous, &level)) return found;
    Slot *s = take_slot(b, key);
    if (!s) return nullptr;
    *inserted = true;
    if (level > 0) {
        header().conflict_count.fetch_add(1, std::memory_order_relaxed);
        bump_max(header().conflict_max_level, level);
    }
    return s;
}

template <class Edit>
void SharedTable::rewrite(Slot &s, bool fresh, Edit edit) {
    if (fresh) {
        // Not linked yet: edit image 0 in place (take_slot zeroed it).
        edit(image(s, 0));
        return;
    }
    const unsigned now = s.current.load(std::memory_order_relaxed);
    char *spare = image(s, now ^ 1u);
    std::memcpy(spare, image(s, now), row_size_);
    edit(spare);
    s.current.store(static_cast<uint8_t>(now ^ 1u), std::memory_order_release);
}

namespace {

void write_value(char *row, const TableValue &v) {
    const TableColumn &c = *v.column;
    switch (c.type) {
        case TableColumn::Type::kInt:
            std::memcpy(row + c.offset, &v.int_value, 8);
            break;
        case TableColumn::Type::kFloat:
            std::memcpy(row + c.offset, &v.float_value, 8);
            break;
        case TableColumn::Type::kString: {
            uint32_t n = static_cast<uint32_t>(v.string_value.size() > c.capacity ? c.capacity : v.string_value.size());
            std::memcpy(row + c.offset, &n, 4);
            if (n) std::memcpy(row + c.offset + 4, v.string_value.data(), n);
            break;
        }
    }
}

}  // namespace

SharedTable::SetResult SharedTable::set(std::string_view key, const std::vector<TableValue> &values) {
    return write(key, values, WriteMode::kUpsert, nullptr);
}

SharedTable::SetResult SharedTable::add(std::string_view key, const std::vector<TableValue> &values) {
    return write(key, values, WriteMode::kInsertOnly, nullptr);
}

SharedTable::SetResult SharedTable::update(std::string_view key, const std::vector<TableValue> &values) {
    return write(key, values, WriteMode::kUpdateOnly, nullptr);
}

SharedTable::SetResult SharedTable::cmpset(std::string_view key, const std::vector<TableValue> &expected,
                                           const std::vector<TableValue> &values) {
    return write(key, values, WriteMode::kUpdateOnly, &expected);
}

SharedTable::SetResult SharedTable::write(std::string_view key, const std::vector<TableValue> &values, WriteMode mode,
                                          const std::vector<TableValue> *expected) {
    if (key.empty() || key.size() > kMaxKeyLength) return SetResult::kFull;
    Bucket &b = bucket_of(key);
    BucketLock hold(b);
    Slot *previous = nullptr;
    uint32_t level = 0;
    Slot *s = find(b, key, &previous, &level);
    const bool inserted = s == nullptr;
    if (inserted) {
        if (mode == WriteMode::kUpdateOnly) return SetResult::kNotDone;
        s = take_slot(b, key);
        if (!s) return SetResult::kFull;
        if (level > 0) {
            header().conflict_count.fetch_add(1, std::memory_order_relaxed);
            bump_max(header().conflict_max_level, level);
        }
    } else if (mode == WriteMode::kInsertOnly || (expected && !matches(*s, *expected))) {
        return SetResult::kNotDone;
    }
    rewrite(*s, inserted, [&](char *row) {
        for (const auto &v : values) write_value(row, v);
    });
    if (inserted) {
        link(b, previous, *s);  // `previous` is the chain's tail: find() walked it all
        header().rows.fetch_add(1, std::memory_order_relaxed);
        header().insert_count.fetch_add(1, std::memory_order_relaxed);
    } else {
        header().update_count.fetch_add(1, std::memory_order_relaxed);
    }
    return SetResult::kOk;
}

bool SharedTable::matches(const Slot &s, const std::vector<TableValue> &expected) const {
    const char *row = current_image(s);
    for (const auto &v : expected) {
        const TableColumn &c = *v.column;
        if (c.type == TableColumn::Type::kString) {
            uint32_t n;
            std::memcpy(&n, row + c.offset, 4);
            if (n != v.string_value.size() || (n && std::memcmp(row + c.offset + 4, v.string_value.data(), n) != 0)) {
                return false;
            }
        } else if (c.type == TableColumn::Type::kFloat) {
            if (std::memcmp(row + c.offset, &v.float_value, 8) != 0) return false;
        } else if (std::memcmp(row + c.offset, &v.int_value, 8) != 0) {
            return false;
        }
    }
    return true;
}

void SharedTable::unlink_and_release(Bucket &b, Slot *previous, Slot &s) {
    const uint32_t after = s.next.load(std::memory_order_relaxed);
    if (previous) {
        previous->next.store(after, std::memory_order_release);
    } else {
        b.head.store(after, std::memory_order_release);
    }
    release_slot(b, s);
    header().rows.fetch_sub(1, std::memory_order_relaxed);
    header().delete_count.fetch_add(1, std::memory_order_relaxed);
}

bool SharedTable::cmpdel(std::string_view key, const std::vector<TableValue> &expected) {
    if (key.empty() || key.size() > kMaxKeyLength) return false;
    Bucket &b = bucket_of(key);
    BucketLock hold(b);
    Slot *previous = nullptr;
    Slot *s = find(b, key, &previous, nullptr);
    if (!s || !matches(*s, expected)) return false;
    unlink_and_release(b, previous, *s);
    return true;
}

bool SharedTable::getdel(std::string_view key, std::string *out) {
    if (key.empty() || key.size() > kMaxKeyLength) return false;
    Bucket &b = bucket_of(key);
    BucketLock hold(b);
    Slot *previous = nullptr;
    Slot *s = find(b, key, &previous, nullptr);
    if (!s) return false;
    out->assign(current_image(*s), row_size_);
    unlink_and_release(b, previous, *s);
    return true;
}

template <class T>
static T read_number(const char *row, const TableColumn &c) {
    T v;
    std::memcpy(&v, row + c.offset, sizeof(v));
    return v;
}

// incr()/decr() of one column: the row is created (zeroed) when missing.
template <class Edit>
SharedTable::SetResult SharedTable::edit_or_insert(std::string_view key, Edit edit) {
    if (key.empty() || key.size() > kMaxKeyLength) return SetResult::kFull;
    Bucket &b = bucket_of(key);
    BucketLock hold(b);
    bool inserted = false;
    Slot *s = find_or_insert(b, key, &inserted);
    if (!s) return SetResult::kFull;
    rewrite(*s, inserted, edit);
    if (inserted) {
        Slot *previous = nullptr;
        find(b, key, &previous, nullptr);
        link(b, previous, *s);
        header().rows.fetch_add(1, std::memory_order_relaxed);
        header().insert_count.fetch_add(1, std::memory_order_relaxed);
    } else {
        header().update_count.fetch_add(1, std::memory_order_relaxed);
    }
    return SetResult::kOk;
}

SharedTable::SetResult SharedTable::incr_int(std::string_view key, const TableColumn &column, int64_t by, int64_t *out) {
    return edit_or_insert(key, [&](char *row) {
        // Wraps like Swoole's C long arithmetic, without signed-overflow UB.
        *out = static_cast<int64_t>(static_cast<uint64_t>(read_number<int64_t>(row, column)) + static_cast<uint64_t>(by));
        std::memcpy(row + column.offset, out, 8);
    });
}

SharedTable::SetResult SharedTable::incr_float(std::string_view key, const TableColumn &column, double by, double *out) {
    return edit_or_insert(key, [&](char *row) {
        *out = read_number<double>(row, column) + by;
        std::memcpy(row + column.offset, out, 8);
    });
}

bool SharedTable::get(std::string_view key, std::string *out) const {
    if (key.empty() || key.size() > kMaxKeyLength) return false;
    Bucket &b = bucket_of(key);
    BucketLock hold(b);
    Slot *previous = nullptr;
    const Slot *s = find(b, key, &previous, nullptr);
    if (!s) return false;
    out->assign(current_image(*s), row_size_);
    return true;
}

bool SharedTable::exists(std::string_view key) const {
    if (key.empty() || key.size() > kMaxKeyLength) return false;
    Bucket &b = bucket_of(key);
    BucketLock hold(b);
    Slot *previous = nullptr;
    return find(b, key, &previous, nullptr) != nullptr;
}

bool SharedTable::del(std::string_view key) {
    if (key.empty() || key.size() > kMaxKeyLength) return false;
    Bucket &b = bucket_of(key);
    BucketLock hold(b);
    Slot *previous = nullptr;
    Slot *s = find(b, key, &previous, nullptr);
    if (!s) return false;
    unlink_and_release(b, previous, *s);
    return true;
}

int64_t SharedTable::count() const {
    const int64_t n = header().rows.load(std::memory_order_relaxed);
    return n < 0 ? 0 : n;
}

TableStats SharedTable::stats() const {
    TableStats st;
    const Header &h = header();
    st.num = count();
    st.conflict_count = h.conflict_count.load();
    st.conflict_max_level = h.conflict_max_level.load();
    st.insert_count = h.insert_count.load();
    st.update_count = h.update_count.load();
    st.delete_count = h.delete_count.load();
    st.available_slice_num = h.free_count.load();
    st.total_slice_num = conflict_slots_;
    return st;
}

bool SharedTable::next(Cursor &cursor, std::string *key, std::string *out) const {
    for (; cursor.bucket < size_; ++cursor.bucket, cursor.position = 0) {
        Bucket &b = bucket(cursor.bucket);
        if (b.head.load(std::memory_order_acquire) == kNone) continue;
        BucketLock hold(b);
        uint32_t link = b.head.load(std::memory_order_acquire);
        for (uint32_t i = 0; link != kNone && i < cursor.position; ++i) link = slot(link - 1).next.load(std::memory_order_acquire);
        if (link == kNone) continue;
        const Slot &s = slot(link - 1);
        key->assign(s.key, s.key_length);
        out->assign(current_image(s), row_size_);
        ++cursor.position;
        return true;
    }
    return false;
}

int64_t SharedTable::read_int(const std::string &image, const TableColumn &column) {
    return read_number<int64_t>(image.data(), column);
}

double SharedTable::read_float(const std::string &image, const TableColumn &column) {
    return read_number<double>(image.data(), column);
}

std::string_view SharedTable::read_string(const std::string &image, const TableColumn &column) {
    uint32_t n = read_number<uint32_t>(image.data(), column);
    if (n > column.capacity) n = column.capacity;
    return std::string_view(image.data() + column.offset + 4, n);
}

}  // namespace wsserver
