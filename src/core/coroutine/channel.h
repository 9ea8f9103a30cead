// Swoole's coroutine Channel: a bounded FIFO between coroutines. push() waits while the
// channel is full, pop() while it is empty, each with an optional timeout; close() wakes
// every waiter. Waiters are served first come, first served: a newcomer queues behind
// coroutines already waiting even if it could proceed.
//
// A template so the engine stays Zend-free: the binding stores PHP values in it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

#include "core/coroutine/scheduler.h"

namespace wsserver {

// Swoole's SWOOLE_CHANNEL_* values.
enum class ChannelError : int { kOk = 0, kTimeout = -1, kClosed = -2, kCanceled = -3 };

template <class T>
class Channel {
public:
    // `capacity` at least 1.
    Channel(Scheduler &scheduler, size_t capacity) : scheduler_(scheduler), capacity_(capacity ? capacity : 1) {}
    Channel(const Channel &) = delete;
    Channel &operator=(const Channel &) = delete;

    // From a coroutine. timeout_ms < 0 waits forever. False with error() set.
    bool push(T value, int64_t timeout_ms = -1) {
        if (closed_) return fail(ChannelError::kClosed);
        if (data_.size() >= capacity_ || !producers_.empty()) {
            if (!wait(producers_, timeout_ms)) return false;
            if (closed_) return fail(ChannelError::kClosed);
        }
        data_.push_back(std::move(value));
        error_ = ChannelError::kOk;
        notify(consumers_);
        return true;
    }

    // From a coroutine. Empty with error() set on failure; a closed channel still hands
    // out what it holds.
    std::optional<T> pop(int64_t timeout_ms = -1) {
        if (closed_ && data_.empty()) return fail_empty(ChannelError::kClosed);
        if (data_.empty() || !consumers_.empty()) {
            if (!wait(consumers_, timeout_ms)) return std::nullopt;
            if (data_.empty()) return fail_empty(ChannelError::kClosed);
        }
        std::optional<T> out(std::move(data_.front()));
        data_.pop_front();
        error_ = ChannelError::kOk;
        notify(producers_);
        return out;
    }

    // Wakes every waiter (they fail with kClosed, poppers once the data is gone). False
    // if already closed.
    bool close() {
        if (closed_) return false;
        closed_ = true;
        while (!producers_.empty() || !consumers_.empty()) {
            notify(producers_);
            notify(consumers_);
        }
        return true;
    }

    size_t length() const { return data_.size(); }
    size_t capacity() const { return capacity_; }
    bool empty() const { return data_.empty(); }
    bool full() const { return data_.size() >= capacity_; }
    bool closed() const { return closed_; }
    size_t producer_count() const { return producers_.size(); }
    size_t consumer_count() const { return consumers_.size(); }
    ChannelError error() const { return error_; }
    // Calls `f` on each queued value, oldest first (the PHP binding reports them to PHP's
    // cycle collector).
    template <class F>
    void for_each_value(F &&f) {
        for (T &v : data_) f(v);
    }
    void clear_error() { error_ = ChannelError::kOk; }

private:
    bool fail(ChannelError e) {
        error_ = e;
        return false;
    }
    std::optional<T> fail_empty(ChannelError e) {
        error_ = e;
        return std::nullopt;
    }

    bool wait(std::deque<CoroutineId> &queue, int64_t timeout_ms) {
        CoroutineId self = scheduler_.current_id();
        if (self < 0) return fail(ChannelError::kCanceled);
        queue.push_back(self);
        WakeReason reason = scheduler_.suspend(timeout_ms == 0 ? -1 : timeout_ms, true);
        if (reason == WakeReason::kWoken) return true;
        // Timed out or canceled: still queued, nobody took us out.
        for (auto it = queue.begin(); it != queue.end(); ++it) {
            if (*it == self) {
                queue.erase(it);
                break;
            }
        }
        return fail(reason == WakeReason::kTimeout ? ChannelError::kTimeout : ChannelError::kCanceled);
    }

    void notify(std::deque<CoroutineId> &queue) {
        while (!queue.empty()) {
            CoroutineId id = queue.front();
            queue.pop_front();
            if (scheduler_.wake(id)) return;
        }
    }

    Scheduler &scheduler_;
    size_t capacity_;
    std::deque<T> data_;
    std::deque<CoroutineId> producers_;
    std::deque<CoroutineId> consumers_;
    ChannelError error_ = ChannelError::kOk;
    bool closed_ = false;
};

}  // namespace wsserver
