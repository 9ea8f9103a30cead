#include "core/ipc/packet_channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace wsserver {

namespace {
constexpr size_t kRecordsPerWakeup = 64;  // bounded so one busy peer cannot starve the loop
constexpr size_t kPieceHeaderSize = 8;
}  // namespace

Result<std::pair<UniqueFd, UniqueFd>> PacketChannel::socket_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
        return SysError::from_errno(errno, "socketpair(SOCK_SEQPACKET)");
    UniqueFd a(fds[0]), b(fds[1]);
    // Room for a few large records in flight each way; the kernel caps the request at
    // net.core.wmem_max (then doubles it): with the default 208 KiB, a record may still be
    // about 200 KiB.
    int size = static_cast<int>(2 * kMaxRecordSize);
    ::setsockopt(a.get(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    ::setsockopt(b.get(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    return std::make_pair(std::move(a), std::move(b));
}

Result<std::unique_ptr<PacketChannel>> PacketChannel::open(Reactor &reactor, UniqueFd fd, std::vector<char> &scratch,
                                                           MessageFn on_message, ClosedFn on_closed, Limits limits) {
    auto ch = std::make_unique<PacketChannel>(reactor, std::move(fd), scratch, std::move(on_message),
                                              std::move(on_closed), limits);
    int err = reactor.add(ch->fd_.get(), Reactor::kRead, *ch);
    if (err != 0) return SysError::from_errno(err, "epoll_ctl(packet channel)");
    return ch;
}

PacketChannel::PacketChannel(Reactor &reactor, UniqueFd fd, std::vector<char> &scratch, MessageFn on_message,
                             ClosedFn on_closed, Limits limits)
    : reactor_(reactor),
      fd_(std::move(fd)),
      scratch_(scratch),
      on_message_(std::move(on_message)),
      on_closed_(std::move(on_closed)),
      limits_(limits) {
    if (scratch_.size() < kMaxRecordSize) scratch_.resize(kMaxRecordSize);
    // A seqpacket record must fit the send buffer (EMSGSIZE otherwise): half of it, so two
    // can be in flight.
    int sndbuf = 0;
    socklen_t len = sizeof sndbuf;
    if (fd_.valid() && ::getsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) == 0 && sndbuf > 0) {
        size_t half = static_cast<size_t>(sndbuf) / 2;
        record_limit_ = std::clamp(half > 1024 ? half - 1024 : half, size_t{4096}, kMaxRecordSize);
    }
}

PacketChannel::~PacketChannel() {
    *alive_ = false;
    if (fd_.valid() && reactor_.contains(fd_.get())) reactor_.remove(fd_.get());
}

// ---- output

bool PacketChannel::send(ChannelHeader header, std::string_view payload) {
    if (!fd_.valid()) return false;
    if (payload.size() > limits_.max_message) return false;
    if (queued_bytes() > limits_.max_queued) return false;
    header.length = static_cast<uint32_t>(payload.size());
    const size_t total = sizeof header + payload.size();
    const size_t batch_limit = std::min(kBatchSize, record_limit_);
    if (total <= kBatchedMessageMax && total + kPieceHeaderSize <= batch_limit) {
        if (batch_.size() + kPieceHeaderSize + total > batch_limit) close_batch();
        PieceHeader ph;
        ph.size = static_cast<uint32_t>(total);
        ph.flags = kFirst | kLast;
        if (batch_.empty()) batch_.reserve(4096);
        batch_.append(reinterpret_cast<const char *>(&ph), sizeof ph);
        batch_.append(reinterpret_cast<const char *>(&header), sizeof header);
        batch_.append(payload.data(), payload.size());
        schedule_flush();
        return true;
    }
    // A large message: what is batched goes first, then one record per piece.
    close_batch();
    const size_t max_piece = record_limit_ - kPieceHeaderSize;
    size_t offset = 0;  // into the payload
    bool first = true;
    while (first || offset < payload.size()) {
        PieceHeader ph;
        size_t room = max_piece - (first ? sizeof header : 0);
        size_t n = std::min(room, payload.size() - offset);
        ph.size = static_cast<uint32_t>(n + (first ? sizeof header : 0));
        ph.flags = static_cast<uint8_t>((first ? kFirst : 0) | (offset + n == payload.size() ? kLast : 0));
        const char *hp = first ? reinterpret_cast<const char *>(&header) : nullptr;
        size_t hl = first ? sizeof header : 0;
        if (records_.empty() && send_record(&ph, sizeof ph, hp, hl, payload.data() + offset, n)) {
            // written straight from the caller's memory
        } else {
            if (!fd_.valid()) return false;
            std::string rec;
            rec.reserve(sizeof ph + hl + n);
            rec.append(reinterpret_cast<const char *>(&ph), sizeof ph);
            if (hl) rec.append(hp, hl);
            rec.append(payload.data() + offset, n);
            if (!queue_record(std::move(rec))) return false;
        }
        offset += n;
        first = false;
    }
    update_interest();
    return true;
}

void PacketChannel::schedule_flush() {
    if (flush_scheduled_) return;
    flush_scheduled_ = true;
    reactor_.defer([this, alive = std::weak_ptr<bool>(alive_)] {
        auto a = alive.lock();
        if (!a || !*a) return;
        flush_scheduled_ = false;
        flush();
    });
}

void PacketChannel::close_batch() {
    if (batch_.empty()) return;
    std::string rec = std::move(batch_);
    batch_.clear();
    if (records_.empty() && send_record(rec.data(), rec.size(), nullptr, 0, nullptr, 0)) return;
    if (fd_.valid()) queue_record(std::move(rec));
}

bool PacketChannel::queue_record(std::string record) {
    queued_bytes_ += record.size();
    records_.push_back(std::move(record));
    return true;
}

bool PacketChannel::send_record(const void *a, size_t alen, const void *b, size_t blen, const void *c, size_t clen) {
    iovec iov[3];
    int n = 0;
    if (alen) iov[n++] = {const_cast<void *>(a), alen};
    if (blen) iov[n++] = {const_cast<void *>(b), blen};
    if (clen) iov[n++] = {const_cast<void *>(c), clen};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(n);
    for (;;) {
        ssize_t r = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r >= 0) return true;  // a seqpacket record goes whole or not at all
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return false;
        fail();
        return false;
    }
}

void PacketChannel::flush() {
    if (!fd_.valid()) return;
    close_batch();
    while (!records_.empty() && fd_.valid()) {
        const std::string &rec = records_.front();
        if (!send_record(rec.data(), rec.size(), nullptr, 0, nullptr, 0)) break;
        queued_bytes_ -= rec.size();
        records_.pop_front();
    }
    update_interest();
}

bool PacketChannel::flush_blocking(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (int round = 0; round < 1 << 20; round++) {
        flush();
        if (!fd_.valid()) return false;
        if (records_.empty() && batch_.empty()) return true;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_.get(), POLLOUT, 0};
        ::poll(&p, 1, static_cast<int>(left.count()));
    }
    return false;
}

void PacketChannel::update_interest() {
    if (!fd_.valid() || !reactor_.contains(fd_.get())) return;
    uint32_t want = Reactor::kRead | (records_.empty() ? 0 : Reactor::kWrite);
    if (reactor_.interest(fd_.get()) != want) reactor_.modify(fd_.get(), want);
}

void PacketChannel::fail() {
    if (!fd_.valid()) return;
    if (reactor_.contains(fd_.get())) reactor_.remove(fd_.get());
    fd_.reset();
    records_.clear();
    queued_bytes_ = 0;
    batch_.clear();
    if (on_closed_) on_closed_();
}

// ---- input

void PacketChannel::on_io(int, uint32_t events) {
    if (events & Reactor::kWrite) {
        flush();
        if (!fd_.valid()) return;
    }
    if (events & (Reactor::kRead | Reactor::kError)) read_records(kRecordsPerWakeup);
}

void PacketChannel::drain() { read_records(1u << 16); }

void PacketChannel::read_records(size_t max_records) {
    for (size_t i = 0; i < max_records && fd_.valid(); i++) {
        ssize_t n = ::recv(fd_.get(), scratch_.data(), scratch_.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            fail();
            return;
        }
        if (n == 0) {  // every copy of the other end is closed
            fail();
            return;
        }
        handle_record(scratch_.data(), static_cast<size_t>(n));
    }
}

void PacketChannel::handle_record(const char *data, size_t len) {
    size_t pos = 0;
    while (pos + kPieceHeaderSize <= len) {
        PieceHeader ph;
        std::memcpy(&ph, data + pos, sizeof ph);
        pos += sizeof ph;
        if (ph.size > len - pos) return;  // a malformed record: the rest of it is skipped
        const char *piece = data + pos;
        pos += ph.size;
        if ((ph.flags & kFirst) && (ph.flags & kLast)) {
            assembling_ = false;
            deliver(piece, ph.size);
        } else if (ph.flags & kFirst) {
            assembly_.assign(piece, ph.size);
            assembling_ = true;
        } else if (assembling_) {  // else: the tail of a message a predecessor started
            if (assembly_.size() + ph.size > limits_.max_message + sizeof(ChannelHeader)) {
                assembling_ = false;
                assembly_.clear();
                assembly_.shrink_to_fit();
                continue;
            }
            assembly_.append(piece, ph.size);
            if (ph.flags & kLast) {
                assembling_ = false;
                std::string whole = std::move(assembly_);
                assembly_.clear();
                deliver(whole.data(), whole.size());
            }
        }
        if (!fd_.valid()) return;
    }
}

void PacketChannel::deliver(const char *data, size_t len) {
    if (len < sizeof(ChannelHeader)) return;
    ChannelHeader h;
    std::memcpy(&h, data, sizeof h);
    if (h.length != len - sizeof h) return;
    on_message_(h, std::string_view(data + sizeof h, h.length));
}

}  // namespace wsserver
