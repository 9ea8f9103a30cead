// PacketChannel: messages over a SOCK_SEQPACKET pair, small ones batched into one record,
// large ones cut into pieces, a message whose start was never seen skipped. Both ends live
// in this process on one Reactor, pumped with run_once() in bounded loops.
#include "core/ipc/packet_channel.h"

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

using namespace wsserver;

namespace {

struct Received {
    ChannelHeader header;
    std::string payload;
};

struct End {
    std::vector<char> scratch;
    std::vector<Received> got;
    int closed = 0;
    std::unique_ptr<PacketChannel> ch;

    bool open(Reactor &reactor, UniqueFd fd) {
        auto r = PacketChannel::open(
            reactor, std::move(fd), scratch,
            [this](const ChannelHeader &h, std::string_view payload) { got.push_back({h, std::string(payload)}); },
            [this] { closed++; });
        if (!r) {
            ADD_FAILURE() << r.error().message;
            return false;
        }
        ch = std::move(r.value());
        return true;
    }
};

template <typename Pred>
bool pump_until(Reactor &reactor, Pred pred, int ms = 3000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        reactor.run_once(5);
    }
    return true;
}

ChannelHeader header(ChannelMessageType type, SessionId session) {
    ChannelHeader h;
    h.type = type;
    h.session = session;
    return h;
}

// A record as a peer writes it: pieces of [size u32][flags u8][3 pad] + bytes.
std::string piece(uint8_t flags, std::string_view bytes) {
    std::string p(8, '\0');
    uint32_t n = static_cast<uint32_t>(bytes.size());
    std::memcpy(&p[0], &n, 4);
    p[4] = static_cast<char>(flags);
    p.append(bytes.data(), bytes.size());
    return p;
}

std::string message_bytes(const ChannelHeader &h0, std::string_view payload) {
    ChannelHeader h = h0;
    h.length = static_cast<uint32_t>(payload.size());
    std::string m(reinterpret_cast<const char *>(&h), sizeof h);
    m.append(payload.data(), payload.size());
    return m;
}

class PacketChannelTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto r = Reactor::create();
        ASSERT_TRUE(r.ok());
        reactor_ = std::move(r.value());
        auto pair = PacketChannel::socket_pair();
        ASSERT_TRUE(pair.ok()) << pair.error().message;
        a_fd_ = std::move(pair.value().first);
        b_fd_ = std::move(pair.value().second);
    }
    std::unique_ptr<Reactor> reactor_;
    UniqueFd a_fd_, b_fd_;
};

TEST_F(PacketChannelTest, SmallMessagesOfOneIterationShareOneRecord) {
    End a;
    ASSERT_TRUE(a.open(*reactor_, std::move(a_fd_)));
    for (int i = 0; i < 16; i++)
        ASSERT_TRUE(a.ch->send(header(ChannelMessageType::EvMessage, i + 1), "message " + std::to_string(i)));
    reactor_->run_once(0);  // the deferred flush
    std::vector<char> buf(PacketChannel::kMaxRecordSize);
    ssize_t n = ::recv(b_fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
    ASSERT_GT(n, 0);
    EXPECT_EQ(::recv(b_fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT), -1);  // one record only
    // Sent back from the other end, the same record reaches `a`, which unpacks all 16.
    ASSERT_EQ(::send(b_fd_.get(), buf.data(), static_cast<size_t>(n), 0), n);
    ASSERT_TRUE(pump_until(*reactor_, [&] { return a.got.size() >= 16; }));
    std::vector<Received> &got = a.got;
    ASSERT_EQ(got.size(), 16u);
    for (int i = 0; i < 16; i++) {
        EXPECT_EQ(got[i].header.session, static_cast<SessionId>(i + 1));
        EXPECT_EQ(got[i].payload, "message " + std::to_string(i));
    }
}

TEST_F(PacketChannelTest, LargeMessagesArePutBackTogetherInOrder) {
    End a, b;
    ASSERT_TRUE(a.open(*reactor_, std::move(a_fd_)));
    ASSERT_TRUE(b.open(*reactor_, std::move(b_fd_)));
    std::string big(5 * 1024 * 1024 + 3, '\0');
    for (size_t i = 0; i < big.size(); i++) big[i] = static_cast<char>(i * 7 + (i >> 12));
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Push, 1), "before"));
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Push, 2), big));  // more than the socket holds
    ASSERT_TRUE(a.ch->send(header(ChannelMessageType::Push, 3), "after"));
    ASSERT_TRUE(pump_until(*reactor_, [&] { return b.got.size() >= 3; }));
    ASSERT_EQ(b.got.size(), 3u);
    EXPECT_EQ(b.got[0].payload, "before");
    EXPECT_EQ(b.got[1].header.session, 2u);
    EXPECT_TRUE(b.got[1].payload == big);
    EXPECT_EQ(b.got[2].payload, "after");
    EXPECT_EQ(a.ch->queued_bytes(), 0u);
}

// A worker killed in the middle of a large message leaves its tail for its successor; a
// writer killed mid-message leaves a start without an end. Both are skipped, whole
// messages around them are delivered.
TEST_F(PacketChannelTest, PiecesOfAMessageWhoseStartOrEndIsMissingAreSkipped) {
    End b;
    ASSERT_TRUE(b.open(*reactor_, std::move(b_fd_)));
    std::string m1 = message_bytes(header(ChannelMessageType::Push, 1), "whole one");
    std::string m2 = message_bytes(header(ChannelMessageType::Push, 2), "whole two");
    std::vector<std::string> records = {
        piece(2, "tail of a message whose start was read by a dead worker"),  // last, no first
        piece(0, "middle without start"),
        piece(3, m1),
        piece(1, message_bytes(header(ChannelMessageType::Push, 9), "start of a message ")),  // never ends
        piece(3, m2),  // a new start: the unfinished one is dropped
    };
    for (const std::string &r : records)
        ASSERT_EQ(::send(a_fd_.get(), r.data(), r.size(), 0), static_cast<ssize_t>(r.size()));
    ASSERT_TRUE(pump_until(*reactor_, [&] { return b.got.size() >= 2; }));
    reactor_->run_once(10);
    ASSERT_EQ(b.got.size(), 2u);
    EXPECT_EQ(b.got[0].payload, "whole one");
    EXPECT_EQ(b.got[1].payload, "whole two");
}

TEST_F(PacketChannelTest, DrainDeliversWhatIsAlreadyThereAndFlushBlockingWritesEverything) {
    End a, b;
    ASSERT_TRUE(a.open(*reactor_, std::move(a_fd_)));
    ASSERT_TRUE(b.open(*reactor_, std::move(b_fd_)));
    for (int i = 0; i < 100; i++) ASSERT_TRUE(a.ch->send(header(ChannelMessageType::EvMessage, i), std::string(1000, 'z')));
    EXPECT_TRUE(a.ch->flush_blocking(1000));
    b.ch->drain();  // no loop iteration
    EXPECT_EQ(b.got.size(), 100u);
}

TEST_F(PacketChannelTest, PeerGoneIsReportedOnce) {
    End a;
    ASSERT_TRUE(a.open(*reactor_, std::move(a_fd_)));
    b_fd_.reset();
    ASSERT_TRUE(pump_until(*reactor_, [&] { return a.closed > 0; }));
    EXPECT_EQ(a.closed, 1);
    EXPECT_FALSE(a.ch->send(header(ChannelMessageType::Push, 1), "x"));
}

}  // namespace
