// Tests for src/core/net/socket.h: listeners on 127.0.0.1 / ::1 only, batch accept, address
// formatting, bind errors and the non-blocking stream helpers. Bounded waits (poll).
#include "core/net/socket.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

using namespace wsserver;

namespace {

using Clock = std::chrono::steady_clock;

bool wait_fd(int fd, short events, int timeout_ms) {
    pollfd p{fd, events, 0};
    return poll(&p, 1, timeout_ms) == 1;
}

Listener listen_or_fail(const std::string &host, uint16_t port = 0) {
    ListenOptions options;
    options.host = host;
    options.port = port;
    auto l = Listener::open(options);
    EXPECT_TRUE(l.ok()) << l.error().message;
    return l.ok() ? std::move(l.value()) : Listener();
}

UniqueFd connect_or_fail(const InetAddress &to) {
    auto c = connect_tcp(to);
    EXPECT_TRUE(c.ok()) << c.error().message;
    if (!c.ok()) return UniqueFd();
    EXPECT_TRUE(wait_fd(c->get(), POLLOUT, 1000));
    EXPECT_EQ(socket_error(c->get()), 0);
    return std::move(c.value());
}

// Waits (bounded) for one pending connection and accepts it.
bool accept_one_within(Listener &l, Accepted &out, int timeout_ms = 1000) {
    auto end = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (Clock::now() < end) {
        int err = l.accept_one(out);
        if (err == 0) return true;
        if (err != EAGAIN) return false;
        wait_fd(l.fd(), POLLIN, 10);
    }
    return false;
}

uint16_t local_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
    InetAddress a;
    InetAddress::from_sockaddr(reinterpret_cast<sockaddr *>(&ss), len, a);
    return a.port();
}

int int_option(int fd, int level, int name) {
    int v = -1;
    socklen_t len = sizeof v;
    getsockopt(fd, level, name, &v, &len);
    return v;
}

}  // namespace

TEST(SocketAddress, ParseAndFormat) {
    InetAddress a;
    ASSERT_TRUE(InetAddress::parse("127.0.0.1", 9501, a));
    EXPECT_EQ(a.family(), AF_INET);
    EXPECT_EQ(a.ip(), "127.0.0.1");
    EXPECT_EQ(a.port(), 9501);
    EXPECT_EQ(a.to_string(), "127.0.0.1:9501");
    EXPECT_EQ(a.sockaddr_len(), socklen_t(sizeof(sockaddr_in)));

    ASSERT_TRUE(InetAddress::parse("::1", 80, a));
    EXPECT_TRUE(a.is_ipv6());
    EXPECT_EQ(a.ip(), "::1");
    EXPECT_EQ(a.to_string(), "[::1]:80");
    ASSERT_TRUE(InetAddress::parse("[::1]", 81, a));
    EXPECT_EQ(a.to_string(), "[::1]:81");
    ASSERT_TRUE(InetAddress::parse("::", 0, a));
    EXPECT_EQ(a.to_string(), "[::]:0");
    ASSERT_TRUE(InetAddress::parse("0:0:0:0:0:ffff:7f00:1", 1, a));
    EXPECT_EQ(a.ip(), "::ffff:127.0.0.1");

    for (const char *bad : {"", "localhost", "1.2.3.4.5", "256.0.0.1", "::g", "[::1", "127.0.0.1:80"}) {
        EXPECT_FALSE(InetAddress::parse(bad, 1, a)) << bad;
    }
    InetAddress none;
    EXPECT_EQ(none.family(), AF_UNSPEC);
    EXPECT_EQ(none.port(), 0);
    EXPECT_EQ(none.ip(), "");
}

TEST(SocketListener, PortZeroThenConnectAndAccept) {
    Listener l = listen_or_fail("127.0.0.1");
    ASSERT_GE(l.fd(), 0);
    ASSERT_NE(l.port(), 0);
    EXPECT_EQ(l.address().ip(), "127.0.0.1");
    EXPECT_TRUE(fcntl(l.fd(), F_GETFL) & O_NONBLOCK);
    EXPECT_TRUE(fcntl(l.fd(), F_GETFD) & FD_CLOEXEC);
    EXPECT_EQ(int_option(l.fd(), SOL_SOCKET, SO_REUSEADDR), 1);

    Accepted none;
    EXPECT_EQ(l.accept_one(none), EAGAIN);

    UniqueFd client = connect_or_fail(l.address());
    Accepted conn;
    ASSERT_TRUE(accept_one_within(l, conn));
    EXPECT_TRUE(fcntl(conn.fd.get(), F_GETFL) & O_NONBLOCK);
    EXPECT_TRUE(fcntl(conn.fd.get(), F_GETFD) & FD_CLOEXEC);
    EXPECT_EQ(int_option(conn.fd.get(), IPPROTO_TCP, TCP_NODELAY), 1);
    EXPECT_EQ(conn.peer.ip(), "127.0.0.1");
    EXPECT_EQ(conn.peer.port(), local_port(client.get()));

    // Bytes flow both ways through the helpers.
    IoResult w = write_some(client.get(), "ping", 4);
    EXPECT_EQ(w.status, IoStatus::Ok);
    EXPECT_EQ(w.bytes, 4u);
    ASSERT_TRUE(wait_fd(conn.fd.get(), POLLIN, 1000));
    char buf[16];
    IoResult rd = read_some(conn.fd.get(), buf, sizeof buf);
    EXPECT_EQ(rd.status, IoStatus::Ok);
    EXPECT_EQ(std::string(buf, rd.bytes), "ping");
    EXPECT_EQ(read_some(conn.fd.get(), buf, sizeof buf).status, IoStatus::WouldBlock);
    client.reset();
    ASSERT_TRUE(wait_fd(conn.fd.get(), POLLIN, 1000));
    EXPECT_EQ(read_some(conn.fd.get(), buf, sizeof buf).status, IoStatus::Closed);
}

TEST(SocketListener, NoDelayCanBeTurnedOff) {
    ListenOptions options;
    options.host = "127.0.0.1";
    options.tcp_nodelay = false;
    auto l = Listener::open(options);
    ASSERT_TRUE(l.ok()) << l.error().message;
    UniqueFd client = connect_or_fail(l->address());
    Accepted conn;
    ASSERT_TRUE(accept_one_within(*l, conn));
    EXPECT_EQ(int_option(conn.fd.get(), IPPROTO_TCP, TCP_NODELAY), 0);
}

TEST(SocketListener, Ipv6Loopback) {
    ListenOptions options;
    options.host = "::1";
    options.ipv6_only = true;
    auto l = Listener::open(options);
    if (!l.ok() && (l.error().code == EAFNOSUPPORT || l.error().code == EADDRNOTAVAIL)) {
        GTEST_SKIP() << "no IPv6 loopback: " << l.error().message;
    }
    ASSERT_TRUE(l.ok()) << l.error().message;
    EXPECT_TRUE(l->address().is_ipv6());
    EXPECT_EQ(l->address().to_string(), "[::1]:" + std::to_string(l->port()));

    UniqueFd client = connect_or_fail(l->address());
    Accepted conn;
    ASSERT_TRUE(accept_one_within(*l, conn));
    EXPECT_TRUE(conn.peer.is_ipv6());
    EXPECT_EQ(conn.peer.ip(), "::1");
    EXPECT_EQ(conn.peer.port(), local_port(client.get()));
}

TEST(SocketListener, BindErrorNamesTheEndpoint) {
    Listener first = listen_or_fail("127.0.0.1");
    ASSERT_NE(first.port(), 0);
    ListenOptions options;
    options.host = "127.0.0.1";
    options.port = first.port();
    auto second = Listener::open(options);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().code, EADDRINUSE);
    EXPECT_EQ(second.error().message,
              "bind(127.0.0.1:" + std::to_string(first.port()) + ") failed: Address already in use");
}

TEST(SocketListener, ReusePortLetsTwoListenersShareAPort) {
    ListenOptions options;
    options.host = "127.0.0.1";
    options.reuse_port = true;
    auto first = Listener::open(options);
    ASSERT_TRUE(first.ok()) << first.error().message;
    options.port = first->port();
    auto second = Listener::open(options);
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(second->port(), first->port());
    EXPECT_EQ(int_option(second->fd(), SOL_SOCKET, SO_REUSEPORT), 1);
}

TEST(SocketListener, InvalidHostsAndFamilies) {
    ListenOptions options;
    options.host = "127.0.0.1";
    options.family = AF_INET6;
    auto mismatch = Listener::open(options);
    ASSERT_FALSE(mismatch.ok());
    EXPECT_EQ(mismatch.error().code, EAFNOSUPPORT);
    EXPECT_NE(mismatch.error().message.find("bind(127.0.0.1:0) failed"), std::string::npos);

    options.family = AF_UNSPEC;
    options.host = "no-such-host.invalid";
    auto unknown = Listener::open(options);
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().code, 0);
    EXPECT_EQ(unknown.error().message.rfind("getaddrinfo(no-such-host.invalid) failed: ", 0), 0u)
        << unknown.error().message;
}

TEST(SocketListener, LocalhostNameResolvesToIpv4) {
    Listener l = listen_or_fail("localhost");
    EXPECT_EQ(l.address().ip(), "127.0.0.1");
    EXPECT_NE(l.port(), 0);
}

TEST(SocketListener, BatchAcceptsFiftyConnectionsBoundedPerWakeup) {
    Listener l = listen_or_fail("127.0.0.1");
    constexpr size_t kClients = 50;
    constexpr size_t kBatch = 16;
    std::vector<UniqueFd> clients;
    for (size_t i = 0; i < kClients; i++) clients.push_back(connect_or_fail(l.address()));

    std::vector<Accepted> accepted;
    std::vector<AcceptStatus> statuses;
    auto end = Clock::now() + std::chrono::milliseconds(2000);
    for (int round = 0; round < 200 && accepted.size() < kClients && Clock::now() < end; round++) {
        if (!wait_fd(l.fd(), POLLIN, 20)) continue;
        AcceptResult r = l.accept_batch(kBatch, [&](Accepted &&a) { accepted.push_back(std::move(a)); });
        ASSERT_NE(r.status, AcceptStatus::Error) << r.error;
        EXPECT_LE(r.accepted, kBatch);
        statuses.push_back(r.status);
    }
    ASSERT_EQ(accepted.size(), kClients);
    // 50 pending connections need at least 4 batches of 16, the first ones hitting the limit.
    EXPECT_GE(statuses.size(), 4u);
    EXPECT_EQ(statuses.front(), AcceptStatus::Limit);
    AcceptResult last = l.accept_batch(kBatch, [&](Accepted &&) { ADD_FAILURE() << "51st connection"; });
    EXPECT_EQ(last.status, AcceptStatus::Drained);
    EXPECT_EQ(last.accepted, 0u);
    for (const Accepted &a : accepted) {
        EXPECT_TRUE(a.fd.valid());
        EXPECT_EQ(a.peer.ip(), "127.0.0.1");
    }
}

TEST(SocketHelpers, WriteToAClosedPeerIsAnErrorNotSigpipe) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    UniqueFd a(fds[0]), b(fds[1]);
    b.reset();
    IoResult w = write_some(a.get(), "x", 1);  // SIGPIPE here would kill the test
    EXPECT_EQ(w.status, IoStatus::Error);
    EXPECT_EQ(w.error, EPIPE);
}

TEST(SocketHelpers, WriteSomeFallsBackToWriteOnPipes) {
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    UniqueFd r(fds[0]), w(fds[1]);
    IoResult res = write_some(w.get(), "abc", 3);
    EXPECT_EQ(res.status, IoStatus::Ok);
    EXPECT_EQ(res.bytes, 3u);
    char buf[4];
    IoResult rd = read_some(r.get(), buf, sizeof buf);
    EXPECT_EQ(std::string(buf, rd.bytes), "abc");
}

TEST(SocketHelpers, NonblockingToggleAndUniqueFd) {
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    UniqueFd r(fds[0]), w(fds[1]);
    EXPECT_FALSE(fcntl(r.get(), F_GETFL) & O_NONBLOCK);
    EXPECT_EQ(set_nonblocking(r.get(), true), 0);
    EXPECT_TRUE(fcntl(r.get(), F_GETFL) & O_NONBLOCK);
    EXPECT_EQ(set_nonblocking(r.get(), false), 0);
    EXPECT_FALSE(fcntl(r.get(), F_GETFL) & O_NONBLOCK);
    EXPECT_EQ(set_nonblocking(-1, true), EBADF);

    int raw = w.get();
    UniqueFd moved(std::move(w));
    EXPECT_FALSE(w.valid());
    EXPECT_EQ(moved.get(), raw);
    moved.reset();
    EXPECT_EQ(fcntl(raw, F_GETFD), -1);  // closed exactly once
    EXPECT_EQ(errno, EBADF);
}

TEST(SocketHelpers, SysErrorMessage) {
    SysError e = SysError::from_errno(ECONNREFUSED, "connect(127.0.0.1:1)");
    EXPECT_EQ(e.code, ECONNREFUSED);
    EXPECT_EQ(e.message, "connect(127.0.0.1:1) failed: Connection refused");
}
