// Per-connection output: what the socket did not take yet, in order, bounded, with the
// watermark events behind Swoole's onBufferFull/onBufferEmpty.
//
// Copies per push: send() first writes [header, payload] straight from the caller's memory
// with one gather write whenever nothing is queued (the common case: no copy, no
// allocation). Only the unsent tail is queued, and then copied exactly once: into 16 KiB
// blocks recycled through a BufferPool shared by the loop's connections (small frames pack
// into the tail block instead of costing a malloc each), or not copied at all when the
// payload is an std::string the caller moves in (deflate output, handshake responses).
// Header bytes that find no room in a block go into a short std::string, which stays in
// its inline (SSO) buffer. A PHP string is therefore copied 0 or 1 times; pinning the
// zend_string instead would need Zend refcounting in the engine.
//
// Idle cost: an empty queue owns no memory (sizeof only); blocks and the chunk array are
// released as soon as the queue drains.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace wsserver {

// Recycles the fixed-size blocks output queues copy into. One per loop (not thread-safe).
class BufferPool {
public:
    static constexpr size_t kBlockSize = 16 * 1024;
    struct Block {
        char bytes[kBlockSize];
    };

    // Keeps at most `max_cached` free blocks (default 4 MiB); the rest go back to malloc so
    // a burst does not pin its peak memory forever.
    explicit BufferPool(size_t max_cached = 256) : max_cached_(max_cached) {}
    BufferPool(const BufferPool &) = delete;
    BufferPool &operator=(const BufferPool &) = delete;

    std::unique_ptr<Block> acquire();
    void release(std::unique_ptr<Block> block);
    size_t cached() const { return free_.size(); }
    size_t in_use() const { return in_use_; }  // acquired and not yet released

private:
    std::vector<std::unique_ptr<Block>> free_;
    size_t max_cached_;
    size_t in_use_ = 0;
};

// Swoole's socket_buffer_size / buffer_high_watermark / buffer_low_watermark. Usually one
// per listening port, shared by its connections.
struct OutputLimits {
    size_t max_bytes = 8 * 1024 * 1024;
    size_t high_watermark = 8 * 1024 * 1024 / 5 * 4;  // 0 disables the watermark events
    size_t low_watermark = 0;
};

class OutputQueue {
public:
    // Implemented by the connection; called at most once per crossing.
    class Observer {
    public:
        // queued_bytes() reached high_watermark (Swoole's onBufferFull).
        virtual void on_high_watermark(OutputQueue &queue) = 0;
        // After a high-watermark event, queued_bytes() fell to low_watermark (onBufferEmpty).
        virtual void on_low_watermark(OutputQueue &queue) = 0;

    protected:
        ~Observer() = default;
    };

    enum class SendStatus {
        Written,  // everything went to the socket; nothing queued
        Queued,   // some or all bytes queued: flush() when the fd is writable
        Full,     // over max_bytes: nothing written, nothing queued, the queue is unchanged
        Error,    // fatal errno from the socket (EPIPE, ECONNRESET...): close the connection
    };
    struct SendResult {
        SendStatus status = SendStatus::Written;
        int error = 0;
    };

    enum class FlushStatus {
        Done,   // queue empty: drop write interest
        Again,  // the socket is full (EAGAIN or a short write): wait for writability
        Error,  // fatal errno: close the connection
    };
    struct FlushResult {
        FlushStatus status = FlushStatus::Done;
        int error = 0;
        size_t bytes = 0;  // written by this call
    };

    // `pool` and `limits` must outlive the queue.
    OutputQueue(BufferPool &pool, const OutputLimits &limits, Observer *observer = nullptr)
        : pool_(&pool), limits_(&limits), observer_(observer) {}
    OutputQueue(const OutputQueue &) = delete;
    OutputQueue &operator=(const OutputQueue &) = delete;
    ~OutputQueue() { clear(); }

    // Sends header + payload in order after what is queued. With an empty queue the socket
    // gets them directly and only the unsent tail is queued; otherwise both are queued.
    //
    // The cap: a non-empty queue refuses what would take it past max_bytes (Full, nothing
    // changes). An empty queue accepts any one message, else a message larger than the cap
    // could never be sent; memory stays bounded by max(max_bytes, largest message).
    //
    // Watermark callbacks run as the very last step, so an observer may even destroy the
    // queue from inside them.
    SendResult send(int fd, const void *head, size_t head_len, const void *body, size_t body_len);
    SendResult send(int fd, const void *data, size_t len) { return send(fd, nullptr, 0, data, len); }
    // As above, but an unsent `body` is moved in rather than copied.
    SendResult send(int fd, const void *head, size_t head_len, std::string &&body);

    // Queue without attempting a write (same cap rule). False when Full.
    bool enqueue(const void *data, size_t len) { return enqueue(nullptr, 0, data, len); }
    bool enqueue(const void *head, size_t head_len, const void *body, size_t body_len);
    bool enqueue(std::string &&data) { return enqueue(nullptr, 0, std::move(data)); }
    bool enqueue(const void *head, size_t head_len, std::string &&body);

    // Queues past the cap: only for the few bytes a protocol obliges us to send whatever
    // the application queued (a pong, the close echo: at most 131 bytes each).
    void enqueue_uncapped(const void *data, size_t len);

    // Writes as much as the socket takes with gather writes of up to IOV_MAX chunks.
    FlushResult flush(int fd);

    size_t queued_bytes() const { return queued_; }
    bool empty() const { return queued_ == 0; }
    size_t chunk_count() const { return chunks_.size() - head_; }
    // Between a high-watermark event and the matching low-watermark event.
    bool above_high_watermark() const { return high_; }

    // Drops everything queued (connection closing); no callbacks.
    void clear();
    void set_observer(Observer *observer) { observer_ = observer; }

private:
    struct Chunk {
        std::unique_ptr<BufferPool::Block> block;  // copied bytes, or null
        std::string text;                          // moved-in bytes, or a short copy kept inline
        size_t begin = 0;                          // first unsent byte
        size_t end = 0;  // past the last byte; grows while a block is the tail

        const char *data() const { return block ? block->bytes : text.data(); }
    };

    bool fits(size_t len) const {
        return queued_ == 0 || (queued_ <= limits_->max_bytes && limits_->max_bytes - queued_ >= len);
    }
    // Copies into the tail block, then new blocks; `inline_ok` lets a few header bytes in
    // front of a moved-in payload go into an inline string instead of a fresh block.
    void append_copy(const char *data, size_t len, bool inline_ok);
    void append_owned(std::string &&data, size_t offset);
    void consume(size_t len);
    void release_storage();
    // Fires on_high_watermark if this push crossed it. Must be a caller's last action.
    void notify_if_high();

    BufferPool *pool_;
    const OutputLimits *limits_;
    Observer *observer_;
    std::vector<Chunk> chunks_;  // [head_, size) unsent, in order
    size_t head_ = 0;
    size_t queued_ = 0;
    bool high_ = false;
};

}  // namespace wsserver
