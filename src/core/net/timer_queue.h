// One-shot and periodic timers with Swoole's semantics (Swoole\Timer::after/tick/clear),
// on an abstract millisecond clock: the caller passes `now` in, so the queue can be driven
// by the reactor's CLOCK_MONOTONIC or by a fake clock in tests.
//
// Structure: a binary min-heap of (deadline, id) entries plus a hash map id -> timer.
// clear() only erases the map entry; the heap entry goes stale and is dropped when it
// reaches the top, or all at once when stale entries outnumber live ones (lazy deletion
// keeps clear() O(1) and add O(log n) without heap back-pointers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

namespace wsserver {

// Positive, unique, never reused while the process lives (a PHP int).
using TimerId = int64_t;
using TimerCallback = std::function<void(TimerId id)>;

struct TimerInfo {
    uint64_t deadline_ms = 0;  // next expiry, on the queue's clock
    uint64_t interval_ms = 0;  // 0 for a one-shot timer
    uint64_t exec_count = 0;   // callbacks started so far
    bool removed = false;      // cleared from inside its own running callback
};

class TimerQueue {
public:
    TimerQueue() = default;
    TimerQueue(const TimerQueue &) = delete;
    TimerQueue &operator=(const TimerQueue &) = delete;

    // Runs `fn` once at now_ms + delay_ms (0: at the next run_due()).
    TimerId after(uint64_t now_ms, uint64_t delay_ms, TimerCallback fn);
    // Runs `fn` every interval_ms (at least 1) until cleared. A tick that runs late is not
    // repeated to catch up: missed periods are skipped, keeping the original phase.
    TimerId tick(uint64_t now_ms, uint64_t interval_ms, TimerCallback fn);

    // Cancels a timer. True if it was live; a running timer may clear itself (true once).
    bool clear(TimerId id);
    // Cancels every timer (the running one is marked removed, as with clear()).
    void clear_all();

    bool exists(TimerId id) const;
    bool info(TimerId id, TimerInfo &out) const;
    std::vector<TimerId> ids() const;
    // Live timers, not counting one that cleared itself and is still running.
    size_t size() const { return nodes_.size() - (running_removed_ ? 1 : 0); }
    bool empty() const { return size() == 0; }

    // Earliest deadline of a live timer. Drops stale heap tops on the way, hence not const.
    std::optional<uint64_t> next_deadline();

    // Runs every timer due at `now_ms`, earliest first (ties: oldest id first). Timers
    // added by these callbacks wait for the next call, even if already due, so a callback
    // that re-adds after(0) cannot starve the loop. Returns the number of callbacks run.
    // Not reentrant: a callback must not call run_due().
    size_t run_due(uint64_t now_ms);

private:
    struct Node {
        TimerCallback callback;
        uint64_t deadline = 0;
        uint64_t interval = 0;
        uint64_t exec_count = 0;
    };
    struct Entry {
        uint64_t deadline;
        TimerId id;
    };
    // std::*_heap build a max-heap; "greater" puts the earliest (deadline, id) on top.
    struct Later {
        bool operator()(const Entry &a, const Entry &b) const {
            return a.deadline != b.deadline ? a.deadline > b.deadline : a.id > b.id;
        }
    };

    TimerId add(uint64_t deadline, uint64_t interval, TimerCallback fn);
    bool is_current(const Entry &e) const;
    void push(Entry e);
    void pop_top();
    void compact_if_sparse();
    // After a callback: erase a one-shot or removed timer, or re-arm a tick.
    void finish(TimerId id, uint64_t now_ms);

    std::unordered_map<TimerId, Node> nodes_;
    std::vector<Entry> heap_;
    std::vector<Entry> due_;  // reused by run_due() so steady-state ticks don't allocate
    TimerId next_id_ = 1;
    TimerId running_ = 0;  // id whose callback is executing, 0 if none
    bool running_removed_ = false;
};

}  // namespace wsserver
