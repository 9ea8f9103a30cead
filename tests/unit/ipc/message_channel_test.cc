// MessageChannel: framed messages over one end of a SOCK_STREAM socketpair. Both ends live
// in this process on one Reactor, driven with run_once() in loops bounded in iterations and
// wall time. The one forked test (abandon_after_fork) reports through the child's exit code,
// leaves with _exit() and arms alarm() as a last resort.
#include "core/ipc/message_channel.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace wsserver;

namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<Reactor> make_reactor() {
    auto r = Reactor::create();
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r.value()) : nullptr;
}

struct Received {
    ChannelHeader header;
    std::string payload;
};

// One channel plus everything its callbacks saw.
struct End {
    std::vector<Received> got;
    int closed = 0;
    std::unique_ptr<MessageChannel> ch;

    bool open(Reactor &reactor, UniqueFd fd, MessageChannel::Limits limits = {}) {
        auto r = MessageChannel::open(
            reactor, std::move(fd),
            [this](const ChannelHeader &h, std::string_view payload) {
                got.push_back(Received{h, std::string(payload)});
            },
            [this] { closed++; }, limits);
        if (!r) {
            ADD_FAILURE() << r.error().message;
            return false;
        }
        ch = std::move(r.value());
        return true;
    }
};

struct Pair {
    UniqueFd a, b;
    Pair() {
        auto p = MessageChannel::socket_pair();
        if (!p) {
            ADD_FAILURE() << p.error().message;
            return;
        }
        a = std::move(p.value().first);
        b = std::move(p.value().second);
    }
};

// Runs the loop until `done()` or `budget` passes, at most `max_iterations` iterations.
template <typename Pred>
bool run_until(Reactor &r, Pred done, std::chrono::milliseconds budget = std::chrono::milliseconds(3000),
               int max_iterations = 100000) {
    auto end = Clock::now() + budget;
    for (int i = 0; i < max_iterations && !done() && Clock::now() < end; i++) r.run_once(10);
    return done();
}

ChannelHeader header(ChannelMessageType type, uint8_t opcode, int32_t target, uint32_t aux, SessionId session) {
    ChannelHeader h;
    h.type = type;
    h.opcode = opcode;
    h.target_worker = target;
    h.aux = aux;
    h.session = session;
    return h;
}

std::string pattern(size_t n, uint32_t seed) {
    std::string s(n, '\0');
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        s[i] = static_cast<char>(x >> 24);
    }
    return s;
}

bool write_all(int fd, const void *data, size_t len) {
    auto *p = static_cast<const char *>(data);
    auto end = Clock::now() + std::chrono::seconds(2);
    while (len > 0 && Clock::now() < end) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return false;
        p += n;
        len -= static_cast<size_t>(n);
    }
    return len == 0;
}

}  // namespace

TEST(MessageChannel, SocketPairIsNonBlockingAndCloseOnExec) {
    Pair p;
    ASSERT_TRUE(p.a.valid() && p.b.valid());
    for (int fd : {p.a.get(), p.b.get()}) {
        EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
        EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        int type = 0;
        socklen_t len = sizeof type;
        ASSERT_EQ(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len), 0);
        EXPECT_EQ(type, SOCK_STREAM);
    }
}

TEST(MessageChannel, RoundTripPreservesHeaderFields) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a, b;
    ASSERT_TRUE(a.open(*r, std::move(p.a)));
    ASSERT_TRUE(b.open(*r, std::move(p.b)));
    EXPECT_TRUE(a.ch->open());
    EXPECT_EQ(r->interest(a.ch->fd()), Reactor::kRead);

    ChannelHeader h = header(ChannelMessageType::Disconnect, 8, 3, 1001, SessionId(0x123456789abLL));
    h.length = 999;  // ignored: set from the payload
    ASSERT_TRUE(a.ch->send(h, "bye now"));
    EXPECT_EQ(a.ch->queued_bytes(), 0u);  // small: written straight away
    ASSERT_TRUE(run_until(*r, [&] { return !b.got.empty(); }));
    ASSERT_EQ(b.got.size(), 1u);
    const Received &m = b.got[0];
    EXPECT_EQ(m.header.length, 7u);
    EXPECT_EQ(m.header.type, ChannelMessageType::Disconnect);
    EXPECT_EQ(m.header.opcode, 8);
    EXPECT_EQ(m.header.target_worker, 3);
    EXPECT_EQ(m.header.aux, 1001u);
    EXPECT_EQ(m.header.session, SessionId(0x123456789abLL));
    EXPECT_EQ(m.payload, "bye now");

    // And back, with extreme field values and binary payload bytes.
    std::string binary("\0\xff\x01\x80", 4);
    ChannelHeader back = header(ChannelMessageType::Push, 0xff, -1, 0xffffffffu, INT64_MAX);
    ASSERT_TRUE(b.ch->send(back, binary));
    ASSERT_TRUE(run_until(*r, [&] { return !a.got.empty(); }));
    ASSERT_EQ(a.got.size(), 1u);
    EXPECT_EQ(a.got[0].header.type, ChannelMessageType::Push);
    EXPECT_EQ(a.got[0].header.opcode, 0xff);
    EXPECT_EQ(a.got[0].header.target_worker, -1);
    EXPECT_EQ(a.got[0].header.aux, 0xffffffffu);
    EXPECT_EQ(a.got[0].header.session, INT64_MAX);
    EXPECT_EQ(a.got[0].header.length, 4u);
    EXPECT_EQ(a.got[0].payload, binary);
    EXPECT_EQ(a.closed + b.closed, 0);
}

TEST(MessageChannel, EmptyPayload) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a, b;
    ASSERT_TRUE(a.open(*r, std::move(p.a)));
    ASSERT_TRUE(b.open(*r, std::move(p.b)));
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Close, 0, 1, 1, 42), {}));
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Send, 0, 2, 0, 43), ""));
    ASSERT_TRUE(run_until(*r, [&] { return b.got.size() >= 2; }));
    ASSERT_EQ(b.got.size(), 2u);
    EXPECT_EQ(b.got[0].header.type, ChannelMessageType::Close);
    EXPECT_EQ(b.got[0].header.length, 0u);
    EXPECT_EQ(b.got[0].header.session, 42);
    EXPECT_TRUE(b.got[0].payload.empty());
    EXPECT_EQ(b.got[1].header.type, ChannelMessageType::Send);
    EXPECT_EQ(b.got[1].header.session, 43);
    EXPECT_TRUE(b.got[1].payload.empty());
}

TEST(MessageChannel, ManySmallMessagesInOneBurstArriveInOrder) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a, b;
    ASSERT_TRUE(a.open(*r, std::move(p.a)));
    ASSERT_TRUE(b.open(*r, std::move(p.b)));
    // ~1.3 MB in all: well past the socket buffer, so the tail of the burst is queued and
    // later messages must wait behind it.
    constexpr int kCount = 20000;
    bool queued_seen = false;
    for (int i = 0; i < kCount; i++) {
        std::string payload = std::to_string(i) + ":" + pattern(static_cast<size_t>(i % 97), i);
        ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Push, 1, i % 5, static_cast<uint32_t>(i), i + 1), payload))
            << i;
        if (a.ch->queued_bytes() > 0) queued_seen = true;
    }
    EXPECT_TRUE(queued_seen);
    ASSERT_TRUE(run_until(*r, [&] { return b.got.size() >= size_t(kCount); }));
    ASSERT_EQ(b.got.size(), size_t(kCount));
    for (int i = 0; i < kCount; i++) {
        const Received &m = b.got[size_t(i)];
        ASSERT_EQ(m.header.aux, static_cast<uint32_t>(i)) << "out of order at " << i;
        ASSERT_EQ(m.header.session, i + 1);
        ASSERT_EQ(m.header.target_worker, i % 5);
        ASSERT_EQ(m.payload, std::to_string(i) + ":" + pattern(static_cast<size_t>(i % 97), i)) << i;
    }
    ASSERT_TRUE(run_until(*r, [&] { return a.ch->queued_bytes() == 0; }));
    EXPECT_EQ(r->interest(a.ch->fd()), Reactor::kRead);
}

TEST(MessageChannel, EightMegabyteMessageIsQueuedAndReassembled) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a, b;
    ASSERT_TRUE(a.open(*r, std::move(p.a)));
    ASSERT_TRUE(b.open(*r, std::move(p.b)));
    const std::string big = pattern(8u * 1024 * 1024, 7);
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Send, 2, 1, 5, 77), big));
    // The socket took only part of it: the rest waits for writability.
    EXPECT_GT(a.ch->queued_bytes(), 0u);
    EXPECT_LT(a.ch->queued_bytes(), big.size() + sizeof(ChannelHeader));
    EXPECT_EQ(r->interest(a.ch->fd()), Reactor::kRead | Reactor::kWrite);
    // A small message sent behind it must not overtake it.
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Push, 1, 1, 6, 78), "after"));

    ASSERT_TRUE(run_until(*r, [&] { return b.got.size() >= 2; }, std::chrono::milliseconds(5000)));
    ASSERT_EQ(b.got.size(), 2u);
    EXPECT_EQ(b.got[0].header.length, big.size());
    EXPECT_EQ(b.got[0].header.session, 77);
    EXPECT_EQ(b.got[0].header.aux, 5u);
    EXPECT_TRUE(b.got[0].payload == big) << "8 MiB payload differs";
    EXPECT_EQ(b.got[1].payload, "after");
    EXPECT_EQ(a.ch->queued_bytes(), 0u);
    EXPECT_EQ(r->interest(a.ch->fd()), Reactor::kRead);  // write interest dropped once drained

    // Both directions at once: each side has a large message queued.
    const std::string big2 = pattern(3u * 1024 * 1024 + 13, 9);
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Send, 0, 0, 1, 1), big2));
    ASSERT_TRUE(b.ch->send(header(ChannelMessageType::Send, 0, 0, 2, 2), big2));
    ASSERT_TRUE(run_until(*r, [&] { return b.got.size() >= 3 && a.got.size() >= 1; },
                          std::chrono::milliseconds(5000)));
    EXPECT_TRUE(b.got[2].payload == big2);
    EXPECT_TRUE(a.got[0].payload == big2);
    EXPECT_EQ(a.closed + b.closed, 0);
}

TEST(MessageChannel, MessageDeliveredByteByByte) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a;
    ASSERT_TRUE(a.open(*r, std::move(p.a)));
    ChannelHeader h = header(ChannelMessageType::Push, 2, 0, 9, 1234);
    std::string payload = "partial reads";
    h.length = static_cast<uint32_t>(payload.size());
    std::string wire(reinterpret_cast<const char *>(&h), sizeof h);
    wire += payload;
    wire += wire;  // two messages back to back
    for (size_t i = 0; i < wire.size(); i++) {
        ASSERT_EQ(write(p.b.get(), &wire[i], 1), 1);
        r->run_once(0);
        size_t complete = i + 1 >= wire.size() ? 2 : i + 1 >= wire.size() / 2 ? 1 : 0;
        ASSERT_EQ(a.got.size(), complete) << "after byte " << i;
    }
    EXPECT_EQ(a.got[0].payload, payload);
    EXPECT_EQ(a.got[1].payload, payload);
    EXPECT_EQ(a.got[1].header.session, 1234);
}

TEST(MessageChannel, MessagesQueuedWhilePeerIsNotReadArriveLaterInOrder) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a, b;
    ASSERT_TRUE(a.open(*r, std::move(p.a)));
    UniqueFd peer = std::move(p.b);  // nobody reads it for now
    constexpr int kCount = 200;
    const size_t kSize = 16 * 1024 + 7;
    for (int i = 0; i < kCount; i++) {
        ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Send, 0, 1, static_cast<uint32_t>(i), i), pattern(kSize, i)));
    }
    // Turning the loop flushes what the socket takes; the rest stays queued.
    for (int i = 0; i < 20; i++) r->run_once(5);
    EXPECT_GT(a.ch->queued_bytes(), 0u);
    EXPECT_EQ(r->interest(a.ch->fd()), Reactor::kRead | Reactor::kWrite);
    EXPECT_EQ(a.closed, 0);
    // Still accepted and queued behind the rest.
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Close, 0, 1, kCount, kCount), "last"));

    ASSERT_TRUE(b.open(*r, std::move(peer)));
    ASSERT_TRUE(run_until(*r, [&] { return b.got.size() >= size_t(kCount) + 1; }, std::chrono::milliseconds(5000)));
    ASSERT_EQ(b.got.size(), size_t(kCount) + 1);
    for (int i = 0; i < kCount; i++) {
        ASSERT_EQ(b.got[size_t(i)].header.aux, static_cast<uint32_t>(i));
        ASSERT_TRUE(b.got[size_t(i)].payload == pattern(kSize, i)) << i;
    }
    EXPECT_EQ(b.got.back().header.type, ChannelMessageType::Close);
    EXPECT_EQ(b.got.back().payload, "last");
    ASSERT_TRUE(run_until(*r, [&] { return a.ch->queued_bytes() == 0; }));
    EXPECT_EQ(r->interest(a.ch->fd()), Reactor::kRead);
}

TEST(MessageChannel, MaxQueuedRefusesOutputWithoutBreakingTheChannel) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a, b;
    MessageChannel::Limits limits;
    limits.max_queued = 256 * 1024;
    ASSERT_TRUE(a.open(*r, std::move(p.a), limits));
    UniqueFd peer = std::move(p.b);
    const std::string chunk = pattern(32 * 1024, 1);
    int accepted = 0;
    for (int i = 0; i < 1000; i++) {
        if (!a.ch->send(header(ChannelMessageType::Send, 0, 0, static_cast<uint32_t>(i), i), chunk)) break;
        accepted++;
    }
    EXPECT_GT(accepted, 0);
    EXPECT_LT(accepted, 1000);  // refused at some point
    EXPECT_LE(a.ch->queued_bytes(), limits.max_queued);
    EXPECT_TRUE(a.ch->open());  // refusing is not an error
    EXPECT_EQ(a.closed, 0);

    ASSERT_TRUE(b.open(*r, std::move(peer)));
    ASSERT_TRUE(run_until(*r, [&] { return b.got.size() >= size_t(accepted); }));
    ASSERT_EQ(b.got.size(), size_t(accepted));
    for (int i = 0; i < accepted; i++) ASSERT_EQ(b.got[size_t(i)].header.aux, static_cast<uint32_t>(i));
    // Room again.
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Push, 0, 0, 4242, 0), "again"));
    ASSERT_TRUE(run_until(*r, [&] { return b.got.size() > size_t(accepted); }));
    EXPECT_EQ(b.got.back().header.aux, 4242u);
}

TEST(MessageChannel, PeerCloseCallsOnClosedOnceThenSendFails) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a;
    ASSERT_TRUE(a.open(*r, std::move(p.a)));
    int fd = a.ch->fd();
    // A message written just before the close is still delivered, before on_closed.
    ChannelHeader h = header(ChannelMessageType::Push, 1, 0, 5, 6);
    h.length = 2;
    std::string wire(reinterpret_cast<const char *>(&h), sizeof h);
    wire += "hi";
    ASSERT_TRUE(write_all(p.b.get(), wire.data(), wire.size()));
    p.b.reset();
    ASSERT_TRUE(run_until(*r, [&] { return a.closed > 0; }));
    EXPECT_EQ(a.closed, 1);
    ASSERT_EQ(a.got.size(), 1u);
    EXPECT_EQ(a.got[0].payload, "hi");
    EXPECT_FALSE(a.ch->open());
    EXPECT_FALSE(r->contains(fd));  // unregistered by the time on_closed ran
    EXPECT_FALSE(a.ch->send(header(ChannelMessageType::Push, 1, 0, 0, 0), "late"));
    EXPECT_FALSE(a.ch->send(header(ChannelMessageType::Push, 1, 0, 0, 0), {}));
    for (int i = 0; i < 5; i++) r->run_once(5);
    EXPECT_EQ(a.closed, 1);
    a.ch.reset();  // destroying a closed channel is fine
}

TEST(MessageChannel, SendToClosedPeerBeforeTheLoopNoticesFailsOnce) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a;
    ASSERT_TRUE(a.open(*r, std::move(p.a)));
    p.b.reset();
    // The loop has not run: send() meets EPIPE itself (no SIGPIPE: the test would die).
    EXPECT_FALSE(a.ch->send(header(ChannelMessageType::Push, 1, 0, 0, 0), "into the void"));
    EXPECT_EQ(a.closed, 1);
    EXPECT_FALSE(a.ch->open());
    EXPECT_FALSE(a.ch->send(header(ChannelMessageType::Push, 1, 0, 0, 0), "again"));
    for (int i = 0; i < 5; i++) r->run_once(5);
    EXPECT_EQ(a.closed, 1);
}

TEST(MessageChannel, PeerCloseWithQueuedOutputFailsOnce) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a;
    ASSERT_TRUE(a.open(*r, std::move(p.a)));
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Send, 0, 0, 0, 0), pattern(4u * 1024 * 1024, 3)));
    ASSERT_GT(a.ch->queued_bytes(), 0u);
    p.b.reset();
    ASSERT_TRUE(run_until(*r, [&] { return a.closed > 0; }));
    for (int i = 0; i < 5; i++) r->run_once(5);
    EXPECT_EQ(a.closed, 1);
    EXPECT_FALSE(a.ch->open());
    EXPECT_EQ(a.ch->queued_bytes(), 0u);  // dropped
    EXPECT_FALSE(a.ch->send(header(ChannelMessageType::Push, 1, 0, 0, 0), "x"));
}

TEST(MessageChannel, CorruptHeaderAnnouncingMoreThanMaxMessageClosesTheChannel) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a;
    MessageChannel::Limits limits;
    limits.max_message = 1024;
    ASSERT_TRUE(a.open(*r, std::move(p.a), limits));
    int fd = a.ch->fd();

    // At the limit: accepted.
    ChannelHeader ok = header(ChannelMessageType::Send, 0, 0, 1, 1);
    ok.length = 1024;
    std::string wire(reinterpret_cast<const char *>(&ok), sizeof ok);
    wire += pattern(1024, 1);
    // One byte more: the stream cannot be trusted after it.
    ChannelHeader bad = header(ChannelMessageType::Send, 0, 0, 2, 2);
    bad.length = 1025;
    wire.append(reinterpret_cast<const char *>(&bad), sizeof bad);
    wire += pattern(1025, 2);
    ASSERT_TRUE(write_all(p.b.get(), wire.data(), wire.size()));

    ASSERT_TRUE(run_until(*r, [&] { return a.closed > 0; }));
    EXPECT_EQ(a.closed, 1);
    ASSERT_EQ(a.got.size(), 1u);
    EXPECT_EQ(a.got[0].header.aux, 1u);
    EXPECT_EQ(a.got[0].payload.size(), 1024u);
    EXPECT_FALSE(a.ch->open());
    EXPECT_FALSE(r->contains(fd));
    // The peer sees EOF.
    char c;
    ssize_t n = -1;
    auto end = Clock::now() + std::chrono::seconds(1);
    while (Clock::now() < end) {
        n = read(p.b.get(), &c, 1);
        if (!(n < 0 && errno == EAGAIN)) break;
        usleep(1000);
    }
    EXPECT_EQ(n, 0);
}

TEST(MessageChannel, CorruptHeaderWithHugeLength) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a;
    ASSERT_TRUE(a.open(*r, std::move(p.a)));  // default max_message: 256 MiB
    ChannelHeader bad;
    bad.length = 0xffffffffu;
    ASSERT_TRUE(write_all(p.b.get(), &bad, sizeof bad));
    ASSERT_TRUE(run_until(*r, [&] { return a.closed > 0; }));
    EXPECT_EQ(a.closed, 1);
    EXPECT_TRUE(a.got.empty());
}

TEST(MessageChannel, SendRefusesPayloadOverMaxMessage) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a, b;
    MessageChannel::Limits limits;
    limits.max_message = 100;
    ASSERT_TRUE(a.open(*r, std::move(p.a), limits));
    ASSERT_TRUE(b.open(*r, std::move(p.b), limits));
    EXPECT_FALSE(a.ch->send(header(ChannelMessageType::Send, 0, 0, 1, 1), std::string(101, 'x')));
    EXPECT_TRUE(a.ch->open());  // refused, not failed
    EXPECT_EQ(a.closed, 0);
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Send, 0, 0, 2, 2), std::string(100, 'y')));
    ASSERT_TRUE(run_until(*r, [&] { return !b.got.empty(); }));
    ASSERT_EQ(b.got.size(), 1u);
    EXPECT_EQ(b.got[0].header.aux, 2u);
    EXPECT_EQ(b.closed, 0);
}

TEST(MessageChannel, OnMessageMaySendBack) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End b;
    ASSERT_TRUE(b.open(*r, std::move(p.b)));
    // An echoing end: replies from inside on_message (allowed by the contract).
    std::unique_ptr<MessageChannel> echo;
    int echoed = 0;
    auto opened = MessageChannel::open(
        *r, std::move(p.a),
        [&](const ChannelHeader &h, std::string_view payload) {
            echoed++;
            EXPECT_TRUE(echo->send(h, payload));
        },
        [] {});
    ASSERT_TRUE(opened) << opened.error().message;
    echo = std::move(opened.value());
    for (int i = 0; i < 100; i++) {
        ASSERT_TRUE(b.ch->send(header(ChannelMessageType::Push, 1, 0, static_cast<uint32_t>(i), i), pattern(5000, i)));
    }
    ASSERT_TRUE(run_until(*r, [&] { return b.got.size() >= 100; }));
    EXPECT_EQ(echoed, 100);
    for (int i = 0; i < 100; i++) {
        ASSERT_EQ(b.got[size_t(i)].header.aux, static_cast<uint32_t>(i));
        ASSERT_TRUE(b.got[size_t(i)].payload == pattern(5000, i));
    }
}

// abandon_after_fork() in one process: the fd is closed without epoll_ctl. The reactor's
// slot for that number is NOT cleared (by design: in a forked child the reactor is destroyed
// right after); the kernel dropped the epoll registration with the last reference, so no
// event reaches the (possibly freed) channel. The peer sees EOF and on_closed never runs.
TEST(MessageChannel, AbandonAfterForkClosesTheFdWithoutTouchingTheReactor) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a;
    ASSERT_TRUE(a.open(*r, std::move(p.a)));
    int fd = a.ch->fd();
    // Queued output is simply dropped with the fd.
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Send, 0, 0, 0, 0), pattern(1u << 20, 1)));
    a.ch->abandon_after_fork();
    EXPECT_FALSE(a.ch->open());
    EXPECT_EQ(a.ch->fd(), -1);
    EXPECT_FALSE(a.ch->send(header(ChannelMessageType::Push, 0, 0, 0, 0), "x"));
    // No epoll_ctl happened: the reactor still has the (stale) registration.
    EXPECT_TRUE(r->contains(fd));
    a.ch.reset();  // the destructor must not touch the reactor either (fd is invalid)

    // The peer drains what had been written and then sees EOF.
    size_t drained = 0;
    ssize_t n = -1;
    char buf[65536];
    auto end = Clock::now() + std::chrono::seconds(2);
    while (Clock::now() < end) {
        n = read(p.b.get(), buf, sizeof buf);
        if (n > 0) {
            drained += size_t(n);
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            usleep(1000);
            continue;
        }
        break;
    }
    EXPECT_EQ(n, 0) << "no EOF after " << drained << " bytes";
    // The loop keeps running without dispatching to the freed channel (ASan would see it).
    for (int i = 0; i < 5; i++) EXPECT_GE(r->run_once(2), 0);
    EXPECT_EQ(a.closed, 0);
    // Clearing the stale slot is harmless (EBADF from epoll_ctl is ignored).
    EXPECT_EQ(r->remove(fd), 0);
    EXPECT_FALSE(r->contains(fd));
}

// The real use: a forked child abandons its copy; the parent's registration (same epoll set)
// must survive, so the parent's channel keeps working.
TEST(MessageChannel, AbandonInForkedChildKeepsTheParentsRegistration) {
    auto r = make_reactor();
    ASSERT_TRUE(r);
    Pair p;
    End a, b;
    ASSERT_TRUE(a.open(*r, std::move(p.a)));
    ASSERT_TRUE(b.open(*r, std::move(p.b)));
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        alarm(10);
        a.ch->abandon_after_fork();
        b.ch->abandon_after_fork();
        a.ch.reset();
        b.ch.reset();
        _exit(a.closed + b.closed == 0 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);

    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Push, 1, 0, 1, 1), "still here"));
    ASSERT_TRUE(b.ch->send(header(ChannelMessageType::Push, 1, 0, 2, 2), pattern(1u << 20, 2)));
    ASSERT_TRUE(run_until(*r, [&] { return b.got.size() >= 1 && a.got.size() >= 1; }));
    EXPECT_EQ(b.got[0].payload, "still here");
    EXPECT_TRUE(a.got[0].payload == pattern(1u << 20, 2));
    EXPECT_EQ(a.closed + b.closed, 0);
}

namespace {

// wait_for(): the awaited message is taken out of the stream, the others reach on_message
// later, from the loop, in order; a timeout returns false after about the time asked.
TEST(MessageChannel, WaitForTakesOneMessageAndKeepsTheOthersInOrder) {
    auto reactor = make_reactor();
    ASSERT_TRUE(reactor);
    Pair p;
    End a, b;
    ASSERT_TRUE(a.open(*reactor, std::move(p.a)));
    ASSERT_TRUE(b.open(*reactor, std::move(p.b)));
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Pipe, 0, 1, 0, 1), "first"));
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Finish, 0, 1, 0, 7), "result"));
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Pipe, 0, 1, 0, 2), "second"));

    std::string taken;
    bool found = b.ch->wait_for(2000, [&](const ChannelHeader &h, std::string_view payload) {
        if (h.type != ChannelMessageType::Finish || h.session != 7) return false;
        taken.assign(payload);
        return true;
    });
    EXPECT_TRUE(found);
    EXPECT_EQ(taken, "result");
    EXPECT_TRUE(b.got.empty());  // not delivered from inside wait_for()
    ASSERT_TRUE(run_until(*reactor, [&] { return b.got.size() == 2; }));
    EXPECT_EQ(b.got[0].payload, "first");
    EXPECT_EQ(b.got[1].payload, "second");

    auto t0 = Clock::now();
    EXPECT_FALSE(b.ch->wait_for(150, [](const ChannelHeader &, std::string_view) { return true; }));
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    EXPECT_GE(waited, 140);
    EXPECT_LT(waited, 2000);
}

// wait_for(n): stops once n messages matched, even when more would match; the rest,
// matching or not, reaches on_message afterwards in order. Fewer than n by the timeout:
// the count of those that came.
TEST(MessageChannel, WaitForSeveralStopsAtTheCountAndKeepsTheRest) {
    auto reactor = make_reactor();
    ASSERT_TRUE(reactor);
    Pair p;
    End a, b;
    ASSERT_TRUE(a.open(*reactor, std::move(p.a)));
    ASSERT_TRUE(b.open(*reactor, std::move(p.b)));
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Finish, 0, 1, 0, 3), "three"));
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Pipe, 0, 1, 0, 1), "between"));
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Finish, 0, 1, 0, 1), "one"));
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Finish, 0, 1, 0, 2), "two"));

    std::vector<std::string> taken;
    auto is_finish = [&](const ChannelHeader &h, std::string_view payload) {
        if (h.type != ChannelMessageType::Finish) return false;
        taken.emplace_back(payload);
        return true;
    };
    EXPECT_EQ(b.ch->wait_for(2000, 2, is_finish), 2u);
    EXPECT_EQ(taken, (std::vector<std::string>{"three", "one"}));
    EXPECT_TRUE(b.got.empty());
    ASSERT_TRUE(run_until(*reactor, [&] { return b.got.size() == 2; }));
    EXPECT_EQ(b.got[0].payload, "between");
    EXPECT_EQ(b.got[1].payload, "two");

    taken.clear();
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Finish, 0, 1, 0, 4), "four"));
    EXPECT_EQ(b.ch->wait_for(150, 3, is_finish), 1u);
    EXPECT_EQ(taken, (std::vector<std::string>{"four"}));
}

}  // namespace
