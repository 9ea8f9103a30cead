#include "core/ipc/message_channel.h"

#include <sys/socket.h>

#include <cerrno>
#include <poll.h>

#include <chrono>
#include <cstring>

#include "core/net/socket.h"

namespace wsserver {

namespace {
constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kReadsPerWakeup = 16;  // bounded so one busy peer cannot starve the loop
}  // namespace

Result<std::pair<UniqueFd, UniqueFd>> MessageChannel::socket_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
        return SysError::from_errno(errno, "socketpair");
    return std::make_pair(UniqueFd(fds[0]), UniqueFd(fds[1]));
}

Result<std::unique_ptr<MessageChannel>> MessageChannel::open(Reactor &reactor, UniqueFd fd, MessageFn on_message,
                                                             ClosedFn on_closed, Limits limits) {
    auto ch = std::make_unique<MessageChannel>(reactor, std::move(fd), std::move(on_message), std::move(on_closed),
                                               limits);
    int err = reactor.add(ch->fd_.get(), Reactor::kRead, *ch);
    if (err != 0) return SysError::from_errno(err, "epoll_ctl(channel)");
    return ch;
}

MessageChannel::MessageChannel(Reactor &reactor, UniqueFd fd, MessageFn on_message, ClosedFn on_closed,
                               Limits limits)
    : reactor_(reactor),
      fd_(std::move(fd)),
      on_message_(std::move(on_message)),
      on_closed_(std::move(on_closed)),
      limits_(limits),
      pool_(16),
      out_(pool_, output_limits_) {
    output_limits_.max_bytes = limits_.max_queued;
    output_limits_.high_watermark = 0;
    output_limits_.low_watermark = 0;
}

MessageChannel::~MessageChannel() {
    if (fd_.valid() && reactor_.contains(fd_.get())) reactor_.remove(fd_.get());
}

bool MessageChannel::send(ChannelHeader header, std::string_view payload) {
    if (!fd_.valid()) return false;
    header.length = static_cast<uint32_t>(payload.size());
    if (payload.size() > limits_.max_message) return false;
    OutputQueue::SendResult r = out_.send(fd_.get(), &header, sizeof header, payload.data(), payload.size());
    switch (r.status) {
    case OutputQueue::SendStatus::Written:
        return true;
    case OutputQueue::SendStatus::Queued:
        update_interest();
        return true;
    case OutputQueue::SendStatus::Full:
        return false;
    case OutputQueue::SendStatus::Error:
        fail();
        return false;
    }
    return false;
}

void MessageChannel::on_io(int, uint32_t events) {
    if (events & Reactor::kWrite) {
        flush_output();
        if (!fd_.valid()) return;
    }
    if (events & (Reactor::kRead | Reactor::kError)) read_input();
}

void MessageChannel::flush_output() {
    OutputQueue::FlushResult r = out_.flush(fd_.get());
    if (r.status == OutputQueue::FlushStatus::Error) {
        fail();
        return;
    }
    update_interest();
}

void MessageChannel::update_interest() {
    if (!fd_.valid()) return;
    uint32_t want = Reactor::kRead | (out_.empty() ? 0 : Reactor::kWrite);
    if (reactor_.interest(fd_.get()) != want) reactor_.modify(fd_.get(), want);
}

IoStatus MessageChannel::read_more(size_t &bytes) {
    // Compact before growing: decoded messages leave a prefix that is no longer needed.
    if (in_start_ > 0 && in_start_ == in_.size()) {
        in_.clear();
        in_start_ = 0;
    } else if (in_start_ > kReadChunk) {
        in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(in_start_));
        in_start_ = 0;
    }
    size_t old = in_.size();
    in_.resize(old + kReadChunk);
    IoResult r = read_some(fd_.get(), in_.data() + old, kReadChunk);
    bytes = r.status == IoStatus::Ok ? r.bytes : 0;
    in_.resize(old + bytes);
    return r.status;
}

MessageChannel::Decode MessageChannel::decode_one(ChannelHeader &h, std::string_view &payload) {
    if (in_.size() - in_start_ < sizeof(ChannelHeader)) return Decode::NeedMore;
    std::memcpy(&h, in_.data() + in_start_, sizeof h);
    if (h.length > limits_.max_message) return Decode::Corrupt;  // nothing after it can be trusted
    if (in_.size() - in_start_ - sizeof h < h.length) {
        in_.reserve(in_start_ + sizeof h + h.length);
        return Decode::NeedMore;
    }
    payload = std::string_view(in_.data() + in_start_ + sizeof h, h.length);
    in_start_ += sizeof h + h.length;
    return Decode::Message;
}

void MessageChannel::read_input() {
    for (size_t n = 0; n < kReadsPerWakeup && fd_.valid(); n++) {
        size_t bytes = 0;
        IoStatus st = read_more(bytes);
        if (st == IoStatus::WouldBlock) return;
        if (st != IoStatus::Ok) {
            fail();
            return;
        }
        ChannelHeader h;
        std::string_view payload;
        for (Decode d; fd_.valid() && (d = decode_one(h, payload)) != Decode::NeedMore;) {
            if (d == Decode::Corrupt) {
                fail();
                return;
            }
            on_message_(h, payload);  // may send(), which leaves in_ alone
        }
        if (bytes < kReadChunk) return;
    }
}

size_t MessageChannel::wait_for(int timeout_ms, size_t wanted, const MatchFn &match) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    size_t taken = 0;
    for (int rounds = 0; rounds < 1000000 && fd_.valid() && taken < wanted; rounds++) {
        ChannelHeader h;
        std::string_view payload;
        Decode d;
        while (taken < wanted && (d = decode_one(h, payload)) != Decode::NeedMore) {
            if (d == Decode::Corrupt) {
                fail();
                break;
            }
            if (match(h, payload)) {
                taken++;
            } else {
                held_.emplace_back(h, std::string(payload));
            }
        }
        if (taken >= wanted || !fd_.valid()) break;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;  // timeout or EINTR: the deadline decides
        size_t bytes = 0;
        IoStatus st = read_more(bytes);
        if (st != IoStatus::Ok && st != IoStatus::WouldBlock) fail();
    }
    if (!held_.empty() || in_start_ < in_.size()) {
        // The rest is handled as if it had arrived now, once the caller returned to the loop:
        // what was set aside, then what is already read but not decoded (the socket may have
        // nothing more, so no readiness event would bring it).
        reactor_.defer([this] {
            std::vector<std::pair<ChannelHeader, std::string>> held = std::move(held_);
            held_.clear();
            for (auto &[hdr, bytes] : held) on_message_(hdr, bytes);
            ChannelHeader h;
            std::string_view payload;
            for (Decode d; fd_.valid() && (d = decode_one(h, payload)) != Decode::NeedMore;) {
                if (d == Decode::Corrupt) {
                    fail();
                    return;
                }
                on_message_(h, payload);
            }
        });
    }
    return taken;
}

void MessageChannel::abandon_after_fork() {
    fd_.reset();
    on_closed_ = nullptr;
}

void MessageChannel::fail() {
    if (!fd_.valid()) return;
    reactor_.remove(fd_.get());
    fd_.reset();
    out_.clear();
    in_.clear();
    in_start_ = 0;
    if (on_closed_) {
        ClosedFn fn = std::move(on_closed_);
        on_closed_ = nullptr;
        fn();
    }
}

}  // namespace wsserver
