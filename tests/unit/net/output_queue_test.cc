// Tests for src/core/net/output_queue.h against socketpairs whose peer reads only when told
// to, and once over a TCP connection on 127.0.0.1. Bounded in iterations and time.
#include "core/net/output_queue.h"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/net/socket.h"
#include "core/net/syscall.h"
#include "test_util.h"

using namespace wsserver;

namespace {

using Clock = std::chrono::steady_clock;

struct SocketPair {
    UniqueFd writer, reader;
    explicit SocketPair(int sndbuf = 0) {
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0) {
            writer.reset(fds[0]);
            reader.reset(fds[1]);
        }
        if (sndbuf > 0) setsockopt(writer.get(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    }
};

struct Recorder : OutputQueue::Observer {
    std::vector<std::pair<char, size_t>> events;  // ('H' | 'L', queued_bytes at the time)
    void on_high_watermark(OutputQueue &q) override { events.emplace_back('H', q.queued_bytes()); }
    void on_low_watermark(OutputQueue &q) override { events.emplace_back('L', q.queued_bytes()); }
    int count(char kind) const {
        int n = 0;
        for (const auto &e : events) n += e.first == kind;
        return n;
    }
};

std::string pattern(size_t len, uint32_t seed) {
    wstest::Bytes b = wstest::random_bytes(len, seed);
    return std::string(b.begin(), b.end());
}

std::string seq_header(uint32_t seq) {
    char h[4] = {char(seq >> 24), char(seq >> 16), char(seq >> 8), char(seq)};
    return std::string(h, 4);
}

// Reads from `reader` until `want` bytes arrived, flushing `q` into `writer` whenever it
// holds data, as the reactor does on writability. Bounded in time and iterations.
std::string drain(int reader, OutputQueue *q, int writer, size_t want, size_t read_chunk = 65536,
                  std::vector<OutputQueue::FlushStatus> *statuses = nullptr) {
    std::string got;
    std::vector<char> buf(read_chunk);
    auto end = Clock::now() + std::chrono::seconds(5);
    for (int i = 0; i < 2000000 && got.size() < want && Clock::now() < end; i++) {
        ssize_t n = read(reader, buf.data(), buf.size());
        if (n > 0) {
            got.append(buf.data(), size_t(n));
        } else if (n == 0 || errno != EAGAIN) {
            break;
        }
        if (q != nullptr && !q->empty()) {
            OutputQueue::FlushResult r = q->flush(writer);
            if (statuses) statuses->push_back(r.status);
            if (r.status == OutputQueue::FlushStatus::Error) break;
        } else if (n < 0) {
            pollfd p{reader, POLLIN, 0};
            poll(&p, 1, 10);
        }
    }
    return got;
}

}  // namespace

TEST(OutputQueue, EmptyQueueWritesDirectlyAndOwnsNothing) {
    SocketPair sp;
    BufferPool pool;
    OutputLimits limits;
    OutputQueue q(pool, limits);
    const char head[2] = {char(0x81), 5};
    auto r = q.send(sp.writer.get(), head, 2, "hello", 5);
    EXPECT_EQ(r.status, OutputQueue::SendStatus::Written);
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.chunk_count(), 0u);
    EXPECT_EQ(pool.in_use(), 0u);
    EXPECT_EQ(pool.cached(), 0u);  // no block was ever needed
    EXPECT_EQ(drain(sp.reader.get(), nullptr, -1, 7), std::string("\x81\x05hello", 7));

    // Nothing to send is a no-op.
    EXPECT_EQ(q.send(sp.writer.get(), nullptr, 0, nullptr, 0).status, OutputQueue::SendStatus::Written);
    EXPECT_EQ(q.flush(sp.writer.get()).status, OutputQueue::FlushStatus::Done);
    std::cout << "[          ] sizeof(OutputQueue) = " << sizeof(OutputQueue) << "\n";
}

TEST(OutputQueue, FillToTheCapThenDrainWithWatermarksOnce) {
    SocketPair sp;
    BufferPool pool;
    OutputLimits limits;
    limits.max_bytes = 256 * 1024;
    limits.high_watermark = 192 * 1024;
    limits.low_watermark = 16 * 1024;
    Recorder rec;
    OutputQueue q(pool, limits, &rec);

    std::string expected;
    int full = 0;
    size_t refused_size = 0;
    for (uint32_t seq = 0; seq < 100000 && full < 2; seq++) {
        std::string head = seq_header(seq);
        std::string body = pattern(1000 + seq % 37, seq);
        size_t before = q.queued_bytes();
        auto r = q.send(sp.writer.get(), head.data(), head.size(), body.data(), body.size());
        ASSERT_NE(r.status, OutputQueue::SendStatus::Error) << r.error;
        if (r.status == OutputQueue::SendStatus::Full) {
            // Refused whole: nothing written, nothing queued, the connection goes on.
            EXPECT_EQ(q.queued_bytes(), before);
            refused_size = head.size() + body.size();
            full++;
            continue;
        }
        expected += head + body;
    }
    ASSERT_EQ(full, 2);
    EXPECT_LE(q.queued_bytes(), limits.max_bytes);
    EXPECT_GT(q.queued_bytes() + refused_size, limits.max_bytes);
    ASSERT_EQ(rec.events.size(), 1u);
    EXPECT_EQ(rec.events[0].first, 'H');
    EXPECT_GE(rec.events[0].second, limits.high_watermark);
    EXPECT_TRUE(q.above_high_watermark());
    EXPECT_GT(pool.in_use(), 0u);

    // The peer starts reading: everything arrives, in order, intact.
    std::string got = drain(sp.reader.get(), &q, sp.writer.get(), expected.size());
    ASSERT_EQ(got.size(), expected.size());
    EXPECT_TRUE(got == expected);
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(rec.count('H'), 1);
    EXPECT_EQ(rec.count('L'), 1);
    EXPECT_EQ(rec.events.back().first, 'L');
    EXPECT_LE(rec.events.back().second, limits.low_watermark);
    EXPECT_FALSE(q.above_high_watermark());
    EXPECT_EQ(pool.in_use(), 0u);
    EXPECT_EQ(q.chunk_count(), 0u);

    // Usable again after the episode.
    EXPECT_EQ(q.send(sp.writer.get(), "z", 1).status, OutputQueue::SendStatus::Written);
}

TEST(OutputQueue, PartialWritesKeepBytesIntact) {
    SocketPair sp(4096);  // a tiny send buffer: every write is short
    BufferPool pool;
    OutputLimits limits;
    OutputQueue q(pool, limits);
    std::string head = "HEAD:";
    std::string body = pattern(1 << 20, 7);
    auto r = q.send(sp.writer.get(), head.data(), head.size(), body.data(), body.size());
    ASSERT_EQ(r.status, OutputQueue::SendStatus::Queued);
    size_t queued = q.queued_bytes();
    EXPECT_GT(queued, 0u);
    EXPECT_LT(queued, head.size() + body.size());  // some went out directly

    // More pushes queue behind, even small ones.
    EXPECT_EQ(q.send(sp.writer.get(), "tail", 4).status, OutputQueue::SendStatus::Queued);

    std::vector<OutputQueue::FlushStatus> statuses;
    std::string got = drain(sp.reader.get(), &q, sp.writer.get(), head.size() + body.size() + 4, 3000, &statuses);
    ASSERT_EQ(got.size(), head.size() + body.size() + 4);
    EXPECT_TRUE(got == head + body + "tail");
    EXPECT_TRUE(q.empty());
    size_t again = 0;
    for (auto s : statuses) again += s == OutputQueue::FlushStatus::Again;
    EXPECT_GT(again, 10u);
    EXPECT_EQ(statuses.back(), OutputQueue::FlushStatus::Done);
    EXPECT_EQ(pool.in_use(), 0u);
}

TEST(OutputQueue, MovedInStringIsNotCopied) {
    SocketPair sp;
    BufferPool pool;
    OutputLimits limits;
    OutputQueue q(pool, limits);

    // Header in front of an owned payload on an empty queue: the header stays inline
    // (no block) and the payload's own buffer is queued.
    std::string payload = pattern(100000, 3);
    const char *buffer = payload.data();
    std::string copy = payload;
    ASSERT_TRUE(q.enqueue("\x82\x7f", 2, std::move(payload)));
    EXPECT_EQ(pool.in_use(), 0u);
    EXPECT_EQ(q.chunk_count(), 2u);
    EXPECT_EQ(q.queued_bytes(), 100002u);

    // A copied push now fills a block; the next owned payload's header joins that block.
    ASSERT_TRUE(q.enqueue("abc", 3));
    EXPECT_EQ(pool.in_use(), 1u);
    std::string second = pattern(50000, 4);
    std::string second_copy = second;
    ASSERT_EQ(q.send(sp.writer.get(), "\x82\x7e", 2, std::move(second)).status, OutputQueue::SendStatus::Queued);
    EXPECT_EQ(pool.in_use(), 1u);
    EXPECT_EQ(q.chunk_count(), 4u);

    std::string expected = std::string("\x82\x7f", 2) + copy + "abc" + std::string("\x82\x7e", 2) + second_copy;
    std::string got = drain(sp.reader.get(), &q, sp.writer.get(), expected.size());
    EXPECT_TRUE(got == expected);
    EXPECT_EQ(pool.in_use(), 0u);
    (void)buffer;
}

TEST(OutputQueue, OwnedPayloadTailAfterAShortDirectWrite) {
    SocketPair sp(4096);
    BufferPool pool;
    OutputLimits limits;
    OutputQueue q(pool, limits);
    std::string payload = pattern(300000, 9);
    std::string copy = payload;
    auto r = q.send(sp.writer.get(), "HH", 2, std::move(payload));
    ASSERT_EQ(r.status, OutputQueue::SendStatus::Queued);
    EXPECT_EQ(pool.in_use(), 0u);  // the unsent tail is the moved string itself
    std::string got = drain(sp.reader.get(), &q, sp.writer.get(), copy.size() + 2);
    EXPECT_TRUE(got == "HH" + copy);
}

TEST(OutputQueue, MoreChunksThanIovMaxInOneFlush) {
    SocketPair sp;
    int big = 4 << 20;
    setsockopt(sp.writer.get(), SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    BufferPool pool;
    OutputLimits limits;
    OutputQueue q(pool, limits);
    std::string expected;
    for (uint32_t i = 0; i < 3000; i++) {
        std::string s = seq_header(i) + pattern(16 + i % 20, i);
        expected += s;
        ASSERT_TRUE(q.enqueue(std::move(s)));
    }
    EXPECT_EQ(q.chunk_count(), 3000u);
    auto r = q.flush(sp.writer.get());
    // The socket takes everything (it has room), in several gather writes.
    if (r.status == OutputQueue::FlushStatus::Done) {
        EXPECT_EQ(r.bytes, expected.size());
    }
    std::string got = drain(sp.reader.get(), &q, sp.writer.get(), expected.size());
    EXPECT_TRUE(got == expected);
    EXPECT_TRUE(q.empty());
}

TEST(OutputQueue, EmptyQueueAcceptsOneOversizedMessage) {
    SocketPair sp;
    BufferPool pool;
    OutputLimits limits;
    limits.max_bytes = 1000;
    limits.high_watermark = 0;  // no events
    Recorder rec;
    OutputQueue q(pool, limits, &rec);
    std::string big = pattern(5000, 1);
    EXPECT_TRUE(q.enqueue(big.data(), big.size()));
    EXPECT_FALSE(q.enqueue("x", 1));
    EXPECT_EQ(q.send(sp.writer.get(), "x", 1).status, OutputQueue::SendStatus::Full);
    EXPECT_EQ(q.queued_bytes(), 5000u);
    EXPECT_EQ(q.flush(sp.writer.get()).status, OutputQueue::FlushStatus::Done);
    EXPECT_TRUE(q.enqueue("x", 1));
    EXPECT_TRUE(rec.events.empty());
    q.clear();
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(pool.in_use(), 0u);
    EXPECT_EQ(drain(sp.reader.get(), nullptr, -1, 5000), big);
}

TEST(OutputQueue, FatalErrorsAreReportedNotSignalled) {
    BufferPool pool;
    OutputLimits limits;
    {
        SocketPair sp;
        OutputQueue q(pool, limits);
        sp.reader.reset();
        auto r = q.send(sp.writer.get(), "abc", 3);  // SIGPIPE here would kill the test
        EXPECT_EQ(r.status, OutputQueue::SendStatus::Error);
        EXPECT_EQ(r.error, EPIPE);
        EXPECT_TRUE(q.empty());
    }
    {
        SocketPair sp;
        OutputQueue q(pool, limits);
        ASSERT_TRUE(q.enqueue("abc", 3));
        sp.reader.reset();
        auto r = q.flush(sp.writer.get());
        EXPECT_EQ(r.status, OutputQueue::FlushStatus::Error);
        EXPECT_EQ(r.error, EPIPE);
        EXPECT_EQ(q.queued_bytes(), 3u);
    }
    EXPECT_EQ(pool.in_use(), 0u);  // the destructor returned the block
}

TEST(OutputQueue, ObserverMayDestroyTheQueueInsideCallbacks) {
    struct Killer : OutputQueue::Observer {
        std::unique_ptr<OutputQueue> *owner = nullptr;
        int calls = 0;
        void on_high_watermark(OutputQueue &) override {
            calls++;
            owner->reset();  // the connection closes itself on bufferFull
        }
        void on_low_watermark(OutputQueue &) override {
            calls++;
            owner->reset();
        }
    };
    BufferPool pool;
    OutputLimits limits;
    limits.high_watermark = 100;
    limits.low_watermark = 0;
    Killer killer;
    auto q = std::make_unique<OutputQueue>(pool, limits, &killer);
    killer.owner = &q;
    std::string big = pattern(1000, 2);
    EXPECT_TRUE(q->enqueue(big.data(), big.size()));
    EXPECT_EQ(killer.calls, 1);
    EXPECT_EQ(q, nullptr);
    EXPECT_EQ(pool.in_use(), 0u);

    // And from the low-watermark callback at the end of a flush.
    SocketPair sp;
    limits.high_watermark = 1000;
    q = std::make_unique<OutputQueue>(pool, limits, nullptr);
    struct LowKiller : OutputQueue::Observer {
        std::unique_ptr<OutputQueue> *owner = nullptr;
        int lows = 0;
        void on_high_watermark(OutputQueue &) override {}
        void on_low_watermark(OutputQueue &) override {
            lows++;
            owner->reset();
        }
    } low_killer;
    low_killer.owner = &q;
    q->set_observer(&low_killer);
    ASSERT_TRUE(q->enqueue(big.data(), big.size()));
    EXPECT_TRUE(q->above_high_watermark());
    auto r = q->flush(sp.writer.get());
    EXPECT_EQ(r.status, OutputQueue::FlushStatus::Done);
    EXPECT_EQ(low_killer.lows, 1);
    EXPECT_EQ(q, nullptr);
    EXPECT_EQ(pool.in_use(), 0u);
}

TEST(OutputQueue, BufferPoolRecyclesUpToItsCap) {
    BufferPool pool(2);
    auto a = pool.acquire();
    auto b = pool.acquire();
    auto c = pool.acquire();
    EXPECT_EQ(pool.in_use(), 3u);
    BufferPool::Block *first = a.get();
    pool.release(std::move(a));
    pool.release(std::move(b));
    pool.release(std::move(c));  // over the cap: freed
    EXPECT_EQ(pool.in_use(), 0u);
    EXPECT_EQ(pool.cached(), 2u);
    auto again = pool.acquire();
    auto again2 = pool.acquire();
    EXPECT_TRUE(again.get() == first || again2.get() == first);
    pool.release(std::move(again));
    pool.release(std::move(again2));
}

TEST(OutputQueue, OverTcpLoopback) {
    ListenOptions options;
    options.host = "127.0.0.1";
    auto listener = Listener::open(options);
    ASSERT_TRUE(listener.ok()) << listener.error().message;
    auto client = connect_tcp(listener->address());
    ASSERT_TRUE(client.ok()) << client.error().message;
    Accepted server;
    auto end = Clock::now() + std::chrono::seconds(2);
    while (listener->accept_one(server) == EAGAIN && Clock::now() < end) {
        pollfd p{listener->fd(), POLLIN, 0};
        poll(&p, 1, 10);
    }
    ASSERT_TRUE(server.fd.valid());

    BufferPool pool;
    OutputLimits limits;
    Recorder rec;
    OutputQueue q(pool, limits, &rec);
    std::string expected;
    for (uint32_t i = 0; i < 64; i++) {
        std::string head = seq_header(i);
        std::string body = pattern(64 * 1024, 100 + i);
        auto r = q.send(server.fd.get(), head.data(), head.size(), body.data(), body.size());
        ASSERT_TRUE(r.status == OutputQueue::SendStatus::Written || r.status == OutputQueue::SendStatus::Queued);
        expected += head + body;
    }
    std::string got = drain(client->get(), &q, server.fd.get(), expected.size());
    ASSERT_EQ(got.size(), expected.size());
    EXPECT_TRUE(got == expected);
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(rec.count('H'), rec.count('L'));  // every full episode ended
}
