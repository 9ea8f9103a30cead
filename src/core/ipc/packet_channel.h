// The pipes of SWOOLE_PROCESS between the master's reactor threads and the worker
// processes: one SOCK_SEQPACKET socketpair per (worker, reactor thread), created once
// before the manager forks and kept for the server's whole life. A restarted worker
// inherits the same pipe from the manager, so the master never has to learn about the
// restart, and events addressed to a dead worker wait in the socket for its successor.
//
// Seqpacket, not a stream: record boundaries survive a worker killed in the middle of a
// message. Its successor meets at worst the tail of a message whose start it never saw,
// which it recognises (a piece without the "first" flag) and skips; a stream would have
// left it decoding garbage.
//
// Messages are ChannelHeader + payload, as on a MessageChannel. They are packed into
// records, each message a "piece" with an 8-byte piece header:
//   - small messages share a record (up to kBatchSize): send() appends to the open record,
//     which goes out at the end of the loop iteration (one deferred flush), so 16 echoes
//     cost one syscall;
//   - a larger message goes out at once in records of up to record_limit() bytes (what the
//     socket's send buffer allows, at most kMaxRecordSize: a 64 KiB message is one record),
//     written straight from the caller's memory when nothing is queued (only what the
//     socket refuses is copied).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ipc/message_channel.h"
#include "core/net/reactor.h"
#include "core/net/syscall.h"

namespace wsserver {

class PacketChannel final : public IoHandler {
public:
    static constexpr size_t kMaxRecordSize = 256 * 1024;  // also the receive buffer's size
    static constexpr size_t kBatchSize = 64 * 1024;       // a record of small messages
    static constexpr size_t kBatchedMessageMax = 8 * 1024;  // larger ones go out at once
    using MessageFn = MessageChannel::MessageFn;
    using ClosedFn = MessageChannel::ClosedFn;

    struct Limits {
        size_t max_message = 256u * 1024 * 1024;  // a reassembly past this is dropped
        size_t max_queued = 1024u * 1024 * 1024;  // output beyond this is refused
    };

    // `scratch` is the receive buffer (kMaxRecordSize bytes), shared by every channel of one
    // thread: payloads handed to on_message point into it and are valid during the call.
    static Result<std::unique_ptr<PacketChannel>> open(Reactor &reactor, UniqueFd fd, std::vector<char> &scratch,
                                                       MessageFn on_message, ClosedFn on_closed, Limits limits);
    static Result<std::unique_ptr<PacketChannel>> open(Reactor &reactor, UniqueFd fd, std::vector<char> &scratch,
                                                       MessageFn on_message, ClosedFn on_closed) {
        return open(reactor, std::move(fd), scratch, std::move(on_message), std::move(on_closed), Limits());
    }

    PacketChannel(Reactor &reactor, UniqueFd fd, std::vector<char> &scratch, MessageFn on_message,
                  ClosedFn on_closed, Limits limits);
    PacketChannel(const PacketChannel &) = delete;
    PacketChannel &operator=(const PacketChannel &) = delete;
    ~PacketChannel();

    // Queues one message; it leaves at the end of this loop iteration (or now, for a
    // message larger than a record). False when the channel failed or its queue is full.
    bool send(ChannelHeader header, std::string_view payload);
    // Writes what is queued, as far as the socket takes it (the rest on writability).
    void flush();
    // Blocks (poll) until everything queued is written or `timeout_ms` passed: for the
    // master's last events before it exits. True when nothing is left.
    bool flush_blocking(int timeout_ms);
    // Reads and delivers what is already in the socket, without waiting (a worker that
    // stops handles the events sent before it was told to).
    void drain();

    bool open() const { return fd_.valid(); }
    size_t queued_bytes() const { return queued_bytes_ + batch_.size(); }
    int fd() const { return fd_.get(); }
    size_t record_limit() const { return record_limit_; }

    void on_io(int fd, uint32_t events) override;

    // A connected pair, non-blocking, close-on-exec, with send buffers sized for several
    // records.
    static Result<std::pair<UniqueFd, UniqueFd>> socket_pair();

private:
    enum : uint8_t { kFirst = 1, kLast = 2 };
    struct PieceHeader {
        uint32_t size = 0;  // bytes of this piece after the piece header
        uint8_t flags = 0;
        uint8_t pad[3] = {};
    };
    static_assert(sizeof(PieceHeader) == 8, "the piece header is 8 bytes");

    void schedule_flush();
    void close_batch();
    // Sends one record made of up to three parts; false if the socket would block.
    bool send_record(const void *a, size_t alen, const void *b, size_t blen, const void *c, size_t clen);
    bool queue_record(std::string record);
    void read_records(size_t max_records);
    void handle_record(const char *data, size_t len);
    void deliver(const char *data, size_t len);
    void fail();
    void update_interest();

    Reactor &reactor_;
    UniqueFd fd_;
    std::vector<char> &scratch_;
    MessageFn on_message_;
    ClosedFn on_closed_;
    Limits limits_;
    size_t record_limit_ = kBatchSize;  // from the socket's send buffer
    std::string batch_;                 // the open record (small messages)
    std::deque<std::string> records_;   // closed records the socket has not taken yet
    size_t queued_bytes_ = 0;           // bytes in records_
    bool flush_scheduled_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for the deferred flush
    std::string assembly_;  // a large message being put back together
    bool assembling_ = false;
};

}  // namespace wsserver
