#include "core/net/timer_queue.h"

#include <algorithm>
#include <utility>

namespace wsserver {

namespace {

// Deadlines saturate instead of wrapping into the past (an after(PHP_INT_MAX) would fire now).
uint64_t saturating_add(uint64_t a, uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }

}  // namespace

TimerId TimerQueue::after(uint64_t now_ms, uint64_t delay_ms, TimerCallback fn) {
    return add(saturating_add(now_ms, delay_ms), 0, std::move(fn));
}

TimerId TimerQueue::tick(uint64_t now_ms, uint64_t interval_ms, TimerCallback fn) {
    // A zero interval would re-arm into the same round forever.
    if (interval_ms == 0) interval_ms = 1;
    return add(saturating_add(now_ms, interval_ms), interval_ms, std::move(fn));
}

TimerId TimerQueue::add(uint64_t deadline, uint64_t interval, TimerCallback fn) {
    TimerId id = next_id_++;
    Node &node = nodes_[id];
    node.callback = std::move(fn);
    node.deadline = deadline;
    node.interval = interval;
    push(Entry{deadline, id});
    return id;
}

bool TimerQueue::clear(TimerId id) {
    if (id == running_ && running_ != 0) {
        // Destroying the std::function that is executing would pull the rug from under
        // it; finish() erases the node once the callback has returned.
        if (running_removed_) return false;
        running_removed_ = true;
        return true;
    }
    if (nodes_.erase(id) == 0) return false;
    compact_if_sparse();
    return true;
}

void TimerQueue::clear_all() {
    for (auto it = nodes_.begin(); it != nodes_.end();) {
        if (it->first == running_) {
            running_removed_ = true;
            ++it;
        } else {
            it = nodes_.erase(it);
        }
    }
    compact_if_sparse();
}

bool TimerQueue::exists(TimerId id) const {
    if (id == running_ && running_removed_) return false;
    return nodes_.count(id) != 0;
}

bool TimerQueue::info(TimerId id, TimerInfo &out) const {
    auto it = nodes_.find(id);
    if (it == nodes_.end()) return false;
    out.deadline_ms = it->second.deadline;
    out.interval_ms = it->second.interval;
    out.exec_count = it->second.exec_count;
    out.removed = id == running_ && running_removed_;
    return true;
}

std::vector<TimerId> TimerQueue::ids() const {
    std::vector<TimerId> out;
    out.reserve(nodes_.size());
    for (const auto &kv : nodes_) {
        if (kv.first == running_ && running_removed_) continue;
        out.push_back(kv.first);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<uint64_t> TimerQueue::next_deadline() {
    while (!heap_.empty()) {
        if (is_current(heap_.front())) return heap_.front().deadline;
        pop_top();
    }
    return std::nullopt;
}

size_t TimerQueue::run_due(uint64_t now_ms) {
    // Collect first: what callbacks add lands in the heap for the next round.
    due_.clear();
    while (!heap_.empty() && heap_.front().deadline <= now_ms) {
        Entry e = heap_.front();
        pop_top();
        if (is_current(e)) due_.push_back(e);
    }

    size_t ran = 0;
    for (size_t i = 0; i < due_.size(); i++) {
        const Entry e = due_[i];
        // An earlier callback in this batch may have cleared it.
        if (!is_current(e)) continue;
        // References into an unordered_map survive rehashing, so `node` stays valid while
        // the callback adds timers; it cannot be erased because it is `running_`.
        Node &node = nodes_.find(e.id)->second;
        node.exec_count++;
        running_ = e.id;
        running_removed_ = false;
        try {
            node.callback(e.id);
        } catch (...) {
            // Leave the queue consistent for whoever catches: this timer is finished or
            // re-armed, the rest of the batch goes back into the heap.
            finish(e.id, now_ms);
            for (size_t k = i + 1; k < due_.size(); k++) push(due_[k]);
            due_.clear();
            throw;
        }
        finish(e.id, now_ms);
        ran++;
    }
    due_.clear();
    return ran;
}

void TimerQueue::finish(TimerId id, uint64_t now_ms) {
    bool removed = running_removed_;
    running_ = 0;
    running_removed_ = false;
    auto it = nodes_.find(id);
    if (it == nodes_.end()) return;
    Node &node = it->second;
    if (node.interval == 0 || removed) {
        nodes_.erase(it);
        return;
    }
    uint64_t next = saturating_add(node.deadline, node.interval);
    if (next <= now_ms) {
        // Late (a long callback or a stalled loop): skip the missed periods, keep the phase.
        next = saturating_add(next, ((now_ms - next) / node.interval + 1) * node.interval);
    }
    node.deadline = next;
    push(Entry{next, id});
}

bool TimerQueue::is_current(const Entry &e) const {
    auto it = nodes_.find(e.id);
    // A re-armed tick leaves no old entry behind (it was popped), but a deadline check
    // keeps this robust should one ever linger.
    return it != nodes_.end() && it->second.deadline == e.deadline;
}

void TimerQueue::push(Entry e) {
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), Later{});
}

void TimerQueue::pop_top() {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    heap_.pop_back();
}

void TimerQueue::compact_if_sparse() {
    // Rebuild only when stale entries dominate, so the O(n) pass is amortised over at
    // least n clears. Small heaps are left alone: their tops get popped soon anyway.
    if (heap_.size() < 64 || heap_.size() < 2 * nodes_.size()) return;
    heap_.erase(std::remove_if(heap_.begin(), heap_.end(), [this](const Entry &e) { return !is_current(e); }),
                heap_.end());
    std::make_heap(heap_.begin(), heap_.end(), Later{});
    if (nodes_.empty()) {
        heap_.shrink_to_fit();
    }
}

}  // namespace wsserver
