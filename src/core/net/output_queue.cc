#include "core/net/output_queue.h"

#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cstring>

namespace wsserver {

namespace {

#ifdef IOV_MAX
constexpr int kMaxIov = IOV_MAX;
#else
constexpr int kMaxIov = 1024;
#endif

// Copies up to this size fit std::string's inline buffer (15 in libstdc++, 22 in libc++).
constexpr size_t kInlineCopy = 15;

// sendmsg() is writev() with flags: MSG_NOSIGNAL turns a dead peer into EPIPE instead of
// a process-wide SIGPIPE. Non-sockets (pipes) fall back to writev().
ssize_t gather_write(int fd, iovec *iov, int count) {
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = size_t(count);
    bool is_socket = true;
    for (;;) {
        ssize_t n = is_socket ? sendmsg(fd, &msg, MSG_NOSIGNAL) : writev(fd, iov, count);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (errno == ENOTSOCK && is_socket) {
            is_socket = false;
            continue;
        }
        return -1;
    }
}

// One direct attempt at [head, body]; sets `sent` (0 on EAGAIN). Returns 0 or a fatal errno.
int write_direct(int fd, const char *head, size_t head_len, const char *body, size_t body_len, size_t &sent) {
    iovec iov[2];
    int count = 0;
    if (head_len > 0) iov[count++] = iovec{const_cast<char *>(head), head_len};
    if (body_len > 0) iov[count++] = iovec{const_cast<char *>(body), body_len};
    ssize_t n = gather_write(fd, iov, count);
    if (n >= 0) {
        sent = size_t(n);
        return 0;
    }
    sent = 0;
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : errno;
}

}  // namespace

// ---------------------------------------------------------------------------------
// BufferPool

std::unique_ptr<BufferPool::Block> BufferPool::acquire() {
    in_use_++;
    if (free_.empty()) return std::make_unique<Block>();
    std::unique_ptr<Block> block = std::move(free_.back());
    free_.pop_back();
    return block;
}

void BufferPool::release(std::unique_ptr<Block> block) {
    if (!block) return;
    in_use_--;
    if (free_.size() < max_cached_) free_.push_back(std::move(block));
}

// ---------------------------------------------------------------------------------
// OutputQueue

OutputQueue::SendResult OutputQueue::send(int fd, const void *head, size_t head_len, const void *body,
                                          size_t body_len) {
    const char *h = static_cast<const char *>(head);
    const char *b = static_cast<const char *>(body);
    size_t total = head_len + body_len;
    if (total == 0) return {};
    if (!empty()) {
        if (!fits(total)) return {SendStatus::Full, 0};
        append_copy(h, head_len, false);
        append_copy(b, body_len, false);
        notify_if_high();
        return {SendStatus::Queued, 0};
    }

    size_t sent = 0;
    if (int err = write_direct(fd, h, head_len, b, body_len, sent)) return {SendStatus::Error, err};
    if (sent == total) return {};
    if (sent < head_len) {
        append_copy(h + sent, head_len - sent, false);
        append_copy(b, body_len, false);
    } else {
        append_copy(b + (sent - head_len), total - sent, false);
    }
    notify_if_high();
    return {SendStatus::Queued, 0};
}

OutputQueue::SendResult OutputQueue::send(int fd, const void *head, size_t head_len, std::string &&body) {
    const char *h = static_cast<const char *>(head);
    size_t total = head_len + body.size();
    if (total == 0) return {};
    if (!empty()) {
        if (!fits(total)) return {SendStatus::Full, 0};
        append_copy(h, head_len, true);
        append_owned(std::move(body), 0);
        notify_if_high();
        return {SendStatus::Queued, 0};
    }

    size_t sent = 0;
    if (int err = write_direct(fd, h, head_len, body.data(), body.size(), sent)) return {SendStatus::Error, err};
    if (sent == total) return {};
    if (sent < head_len) {
        append_copy(h + sent, head_len - sent, true);
        append_owned(std::move(body), 0);
    } else {
        append_owned(std::move(body), sent - head_len);
    }
    notify_if_high();
    return {SendStatus::Queued, 0};
}

bool OutputQueue::enqueue(const void *head, size_t head_len, const void *body, size_t body_len) {
    if (!fits(head_len + body_len)) return false;
    append_copy(static_cast<const char *>(head), head_len, false);
    append_copy(static_cast<const char *>(body), body_len, false);
    notify_if_high();
    return true;
}

void OutputQueue::enqueue_uncapped(const void *data, size_t len) {
    append_copy(static_cast<const char *>(data), len, false);
    notify_if_high();
}

bool OutputQueue::enqueue(const void *head, size_t head_len, std::string &&body) {
    if (!fits(head_len + body.size())) return false;
    append_copy(static_cast<const char *>(head), head_len, true);
    append_owned(std::move(body), 0);
    notify_if_high();
    return true;
}

OutputQueue::FlushResult OutputQueue::flush(int fd) {
    FlushResult result;
    while (head_ < chunks_.size()) {
        iovec iov[kMaxIov];
        int count = 0;
        size_t want = 0;
        for (size_t i = head_; i < chunks_.size() && count < kMaxIov; i++, count++) {
            const Chunk &c = chunks_[i];
            iov[count] = iovec{const_cast<char *>(c.data() + c.begin), c.end - c.begin};
            want += c.end - c.begin;
        }
        ssize_t n = gather_write(fd, iov, count);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                result.status = FlushStatus::Error;
                result.error = errno;
                return result;
            }
            result.status = FlushStatus::Again;
            break;
        }
        consume(size_t(n));
        result.bytes += size_t(n);
        // A short write means the socket buffer is full: asking again would only EAGAIN.
        if (size_t(n) < want) {
            result.status = FlushStatus::Again;
            break;
        }
    }
    if (high_ && queued_ <= limits_->low_watermark) {
        high_ = false;
        // Last action: the observer may destroy the queue.
        if (observer_) observer_->on_low_watermark(*this);
    }
    return result;
}

void OutputQueue::clear() {
    release_storage();
    high_ = false;
}

void OutputQueue::append_copy(const char *data, size_t len, bool inline_ok) {
    if (len == 0) return;
    queued_ += len;
    if (head_ < chunks_.size()) {
        Chunk &tail = chunks_.back();
        if (tail.block && tail.end < BufferPool::kBlockSize) {
            size_t n = std::min(len, BufferPool::kBlockSize - tail.end);
            std::memcpy(tail.block->bytes + tail.end, data, n);
            tail.end += n;
            data += n;
            len -= n;
        }
    }
    if (len > 0 && inline_ok && len <= kInlineCopy) {
        // A frame header in front of a moved-in payload: no block for a few bytes.
        Chunk c;
        c.text.assign(data, len);
        c.end = len;
        chunks_.push_back(std::move(c));
        return;
    }
    while (len > 0) {
        Chunk c;
        c.block = pool_->acquire();
        size_t n = std::min(len, BufferPool::kBlockSize);
        std::memcpy(c.block->bytes, data, n);
        c.end = n;
        chunks_.push_back(std::move(c));
        data += n;
        len -= n;
    }
}

void OutputQueue::append_owned(std::string &&data, size_t offset) {
    if (offset >= data.size()) return;
    Chunk c;
    c.text = std::move(data);
    c.begin = offset;
    c.end = c.text.size();
    queued_ += c.end - c.begin;
    chunks_.push_back(std::move(c));
}

void OutputQueue::consume(size_t len) {
    queued_ -= len;
    while (len > 0) {
        Chunk &c = chunks_[head_];
        size_t avail = c.end - c.begin;
        if (len < avail) {
            c.begin += len;
            break;
        }
        len -= avail;
        pool_->release(std::move(c.block));
        std::string().swap(c.text);
        head_++;
    }
    if (head_ == chunks_.size()) {
        release_storage();
    } else if (head_ >= 32 && head_ * 2 >= chunks_.size()) {
        // Drop the sent prefix now and then, so [head_, size) stays O(queued chunks).
        chunks_.erase(chunks_.begin(), chunks_.begin() + long(head_));
        head_ = 0;
    }
}

void OutputQueue::release_storage() {
    for (size_t i = head_; i < chunks_.size(); i++) pool_->release(std::move(chunks_[i].block));
    std::vector<Chunk>().swap(chunks_);
    head_ = 0;
    queued_ = 0;
}

void OutputQueue::notify_if_high() {
    if (high_ || limits_->high_watermark == 0 || queued_ < limits_->high_watermark) return;
    high_ = true;
    if (observer_) observer_->on_high_watermark(*this);
}

}  // namespace wsserver
