// Swoole\Table's engine: a fixed-size hash table in one anonymous shared mapping, made by
// create() before fork() and shared by every process forked afterwards. Nothing is
// allocated after create(); a full table refuses new keys.
//
// Layout (all in the mapping): a header of counters, `size` buckets, then `size` root
// slots (slot i serves bucket i first, as Swoole's embedded rows do) and
// size * conflict_proportion conflict slots on a lock-free free list. A bucket is a lock
// word and the head of its chain of slots. A slot holds its key and TWO images of its
// row: a writer fills the spare image and publishes it by flipping one byte, and links or
// unlinks a slot with one store, so a process killed at any point leaves every row whole
// (old or new) and every chain walkable.
//
// Per-bucket locks: the lock word holds the owner's pid; readers lock too, so a row is
// always read whole. A waiter that finds the owner dead (process_gone) takes the lock
// over. Such a death can leak one slot (killed between taking it and linking it, or
// between unlinking and freeing it) and leave count() one off; nothing else.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/table/shared_memory.h"

namespace wsserver {

struct TableColumn {
    enum class Type : uint8_t { kInt = 1, kFloat = 2, kString = 3 };  // Swoole's TYPE_* values
    std::string name;
    Type type = Type::kInt;
    uint32_t capacity = 0;  // string columns: the bytes a value may hold
    uint32_t offset = 0;    // in a row image
    uint32_t width = 0;     // bytes in a row image (8, or 4 + capacity for strings)
};

// One column's new value for set(): an int, a float or string bytes (already at most the
// column's capacity: the caller truncates and warns).
struct TableValue {
    const TableColumn *column = nullptr;
    int64_t int_value = 0;
    double float_value = 0;
    std::string_view string_value{};
};

struct TableStats {
    int64_t num = 0;
    uint64_t conflict_count = 0;
    uint64_t conflict_max_level = 0;
    uint64_t insert_count = 0;
    uint64_t update_count = 0;
    uint64_t delete_count = 0;
    uint64_t available_slice_num = 0;
    uint64_t total_slice_num = 0;
};

class SharedTable {
public:
    static constexpr size_t kMaxKeyLength = 63;        // Swoole's SW_TABLE_KEY_SIZE - 1
    static constexpr uint32_t kMinSize = 64;           // sizes are rounded up to a power of 2
    static constexpr uint32_t kMaxSize = 0x80000000u;  // Swoole's SW_TABLE_MAX_ROW_SIZE
    static constexpr double kMinConflictProportion = 0.2;

    // Swoole's rules: the size rounded up to a power of two, at least 64, at most 2^31;
    // the proportion clamped to [0.2, 1].
    static uint32_t round_size(int64_t requested);
    static double clamp_proportion(double requested);
    // Swoole's string column rule: the capacity rounded up to a multiple of 8.
    static uint32_t string_capacity(int64_t requested);

    // Lays out `columns` (offsets and widths filled in) and maps the memory. A table
    // without columns is allowed (keys only), as in Swoole.
    static Result<SharedTable> create(uint32_t size, double conflict_proportion, std::vector<TableColumn> columns);
    // The bytes create() maps for these parameters, and the bytes each slot takes.
    static size_t memory_size(uint32_t size, double conflict_proportion, const std::vector<TableColumn> &columns);
    static size_t slot_size(const std::vector<TableColumn> &columns);

    SharedTable(SharedTable &&) noexcept = default;
    SharedTable &operator=(SharedTable &&) noexcept = default;

    uint32_t size() const { return size_; }
    size_t memory_size() const { return memory_.size(); }
    size_t row_size() const { return row_size_; }  // bytes of one row image
    const std::vector<TableColumn> &columns() const { return columns_; }
    const TableColumn *column(std::string_view name) const;

    // Row images are row_size() bytes: each column at its offset, ints as int64_t, floats
    // as double, strings as a uint32_t length then the bytes.
    enum class SetResult { kOk, kFull, kNotDone };
    // Writes the given columns; a new row starts zeroed.
    SetResult set(std::string_view key, const std::vector<TableValue> &values);
    // Swoole's add(): only a new key (kNotDone when it exists). update(): only an existing
    // key (kNotDone when absent). cmpset(): an existing key whose columns equal `expected`
    // (kNotDone otherwise).
    SetResult add(std::string_view key, const std::vector<TableValue> &values);
    SetResult update(std::string_view key, const std::vector<TableValue> &values);
    SetResult cmpset(std::string_view key, const std::vector<TableValue> &expected, const std::vector<TableValue> &values);
    // Deletes `key` if its columns equal `expected`.
    bool cmpdel(std::string_view key, const std::vector<TableValue> &expected);
    // Copies the row image into *image and deletes it; false when the key is absent.
    bool getdel(std::string_view key, std::string *image);
    // Adds `by` to an int or float column (a new row starts zeroed); the new value in *out
    // (int64_t or double, by the column's type). kFull when the key is new and no slot is left.
    SetResult incr_int(std::string_view key, const TableColumn &column, int64_t by, int64_t *out);
    SetResult incr_float(std::string_view key, const TableColumn &column, double by, double *out);
    // Copies the row image into *image; false when the key is absent.
    bool get(std::string_view key, std::string *image) const;
    bool exists(std::string_view key) const;
    bool del(std::string_view key);
    int64_t count() const;
    TableStats stats() const;

    // Iteration: rows in bucket order, each copied under its bucket's lock. A cursor starts
    // at {0, 0}; next() fills the key and the image and advances it; false at the end.
    // Rows written meanwhile may or may not be seen; a row is never seen torn.
    struct Cursor {
        uint32_t bucket = 0;
        uint32_t position = 0;
    };
    bool next(Cursor &cursor, std::string *key, std::string *image) const;

    // Reading an image.
    static int64_t read_int(const std::string &image, const TableColumn &column);
    static double read_float(const std::string &image, const TableColumn &column);
    static std::string_view read_string(const std::string &image, const TableColumn &column);

private:
    struct Header;
    struct Bucket;
    struct Slot;
    class BucketLock;

    SharedTable(SharedMemory memory, uint32_t size, uint32_t conflict_slots, size_t slot_size, size_t row_size,
                std::vector<TableColumn> columns);

    Header &header() const;
    Bucket &bucket(uint32_t index) const;
    Bucket &bucket_of(std::string_view key) const;
    Slot &slot(uint32_t index) const;
    char *image(Slot &s, unsigned which) const;
    const char *current_image(const Slot &s) const;
    uint32_t index_of(const Slot &s) const;

    // Under the bucket's lock. find: the slot holding `key` (and its predecessor), or null.
    Slot *find(Bucket &b, std::string_view key, Slot **previous, uint32_t *level) const;
    // A zeroed, unlinked slot holding `key` (root slot first, then a conflict slot), or null.
    Slot *take_slot(Bucket &b, std::string_view key);
    void release_slot(Bucket &b, Slot &s);
    void link(Bucket &b, Slot *previous, Slot &s);
    // Finds or inserts `key`; null when the table is full. *inserted tells which.
    Slot *find_or_insert(Bucket &b, std::string_view key, bool *inserted);
    enum class WriteMode { kUpsert, kInsertOnly, kUpdateOnly };
    SetResult write(std::string_view key, const std::vector<TableValue> &values, WriteMode mode,
                    const std::vector<TableValue> *expected);
    bool matches(const Slot &s, const std::vector<TableValue> &expected) const;
    void unlink_and_release(Bucket &b, Slot *previous, Slot &s);
    // Writes a new image: the current one with `edit` applied, then published.
    template <class Edit>
    void rewrite(Slot &s, bool fresh, Edit edit);
    template <class Edit>
    SetResult edit_or_insert(std::string_view key, Edit edit);

    SharedMemory memory_;
    uint32_t size_ = 0;
    uint32_t conflict_slots_ = 0;
    size_t slot_size_ = 0;
    size_t row_size_ = 0;
    std::vector<TableColumn> columns_;
};

}  // namespace wsserver
