#include "core/net/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cstring>

namespace wsserver {

namespace {

// accept4() errors that belong to one aborted connection, not to the listener. Linux also
// passes pending network errors of the new socket up through accept() (see accept(2)).
bool is_transient_accept_error(int err) {
    switch (err) {
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
        case EPERM:  // a firewall rule refused this one
        case ENETDOWN:
        case ENOPROTOOPT:
        case EHOSTDOWN:
        case ENONET:
        case EHOSTUNREACH:
        case EOPNOTSUPP:
        case ENETUNREACH:
            return true;
        default:
            return false;
    }
}
constexpr int kMaxSkippedAccepts = 16;

int set_int_option(int fd, int level, int name, int value) {
    return setsockopt(fd, level, name, &value, sizeof value) == 0 ? 0 : errno;
}

// Resolves a host name once, at startup (blocking is fine there). Like Swoole, a name
// means IPv4 unless IPv6 was asked for.
bool resolve(const std::string &host, uint16_t port, int family, InetAddress &out, SysError &err) {
    addrinfo hints{};
    hints.ai_family = family == AF_INET6 ? AF_INET6 : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *list = nullptr;
    int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
    if (rc != 0 || list == nullptr) {
        err.code = rc == EAI_SYSTEM ? errno : EINVAL;
        err.message = "getaddrinfo(" + host + ") failed: " + (rc == 0 ? "no address" : gai_strerror(rc));
        return false;
    }
    bool ok = InetAddress::from_sockaddr(list->ai_addr, list->ai_addrlen, out);
    freeaddrinfo(list);
    if (!ok) {
        err = SysError{EAFNOSUPPORT, "getaddrinfo(" + host + ") failed: not an IP address"};
        return false;
    }
    // getaddrinfo without a service leaves the port 0.
    InetAddress with_port;
    InetAddress::parse(out.ip(), port, with_port);
    out = with_port;
    return true;
}

}  // namespace

// ---------------------------------------------------------------------------------
// InetAddress

InetAddress::InetAddress() {
    std::memset(&addr_, 0, sizeof addr_);
    addr_.sa.sa_family = AF_UNSPEC;
}

bool InetAddress::parse(std::string_view host, uint16_t port, InetAddress &out) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    char text[INET6_ADDRSTRLEN];
    if (host.empty() || host.size() >= sizeof text) return false;
    std::memcpy(text, host.data(), host.size());
    text[host.size()] = '\0';

    InetAddress a;
    if (inet_pton(AF_INET, text, &a.addr_.v4.sin_addr) == 1) {
        a.addr_.v4.sin_family = AF_INET;
        a.addr_.v4.sin_port = htons(port);
    } else if (inet_pton(AF_INET6, text, &a.addr_.v6.sin6_addr) == 1) {
        a.addr_.v6.sin6_family = AF_INET6;
        a.addr_.v6.sin6_port = htons(port);
    } else {
        return false;
    }
    out = a;
    return true;
}

bool InetAddress::from_sockaddr(const sockaddr *sa, socklen_t len, InetAddress &out) {
    InetAddress a;
    if (sa->sa_family == AF_INET && len >= socklen_t(sizeof(sockaddr_in))) {
        std::memcpy(&a.addr_.v4, sa, sizeof(sockaddr_in));
    } else if (sa->sa_family == AF_INET6 && len >= socklen_t(sizeof(sockaddr_in6))) {
        std::memcpy(&a.addr_.v6, sa, sizeof(sockaddr_in6));
    } else {
        return false;
    }
    out = a;
    return true;
}

uint16_t InetAddress::port() const {
    if (family() == AF_INET) return ntohs(addr_.v4.sin_port);
    if (family() == AF_INET6) return ntohs(addr_.v6.sin6_port);
    return 0;
}

std::string InetAddress::ip() const {
    char text[INET6_ADDRSTRLEN] = "";
    if (family() == AF_INET) {
        inet_ntop(AF_INET, &addr_.v4.sin_addr, text, sizeof text);
    } else if (family() == AF_INET6) {
        inet_ntop(AF_INET6, &addr_.v6.sin6_addr, text, sizeof text);
    }
    return text;
}

std::string InetAddress::to_string() const {
    std::string port_text = std::to_string(port());
    return is_ipv6() ? "[" + ip() + "]:" + port_text : ip() + ":" + port_text;
}

socklen_t InetAddress::sockaddr_len() const {
    if (family() == AF_INET) return sizeof(sockaddr_in);
    if (family() == AF_INET6) return sizeof(sockaddr_in6);
    return 0;
}

// ---------------------------------------------------------------------------------
// Listener

Result<Listener> Listener::open(const ListenOptions &options) {
    InetAddress addr;
    std::string label;  // how errors name the endpoint
    if (InetAddress::parse(options.host, options.port, addr)) {
        label = addr.to_string();
        if (options.family != AF_UNSPEC && options.family != addr.family()) {
            return SysError::from_errno(EAFNOSUPPORT, "bind(" + label + ")");
        }
    } else {
        SysError err;
        if (!resolve(options.host, options.port, options.family, addr, err)) return err;
        label = options.host + ":" + std::to_string(options.port);
    }

    Listener listener;
    int family = addr.family();
    listener.fd_.reset(socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
    int fd = listener.fd_.get();
    if (fd < 0) return SysError::from_errno(errno, family == AF_INET6 ? "socket(AF_INET6)" : "socket(AF_INET)");

    if (options.reuse_addr) {
        if (int err = set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1)) {
            return SysError::from_errno(err, "setsockopt(" + label + ", SO_REUSEADDR)");
        }
    }
    if (options.reuse_port) {
        if (int err = set_int_option(fd, SOL_SOCKET, SO_REUSEPORT, 1)) {
            return SysError::from_errno(err, "setsockopt(" + label + ", SO_REUSEPORT)");
        }
    }
    if (family == AF_INET6) {
        if (int err = set_int_option(fd, IPPROTO_IPV6, IPV6_V6ONLY, options.ipv6_only ? 1 : 0)) {
            return SysError::from_errno(err, "setsockopt(" + label + ", IPV6_V6ONLY)");
        }
    }
    // Set once here: Linux copies TCP_NODELAY from the listener to every accepted socket,
    // which saves a setsockopt() per connection.
    if (options.tcp_nodelay) {
        if (int err = set_tcp_nodelay(fd, true)) return SysError::from_errno(err, "setsockopt(" + label + ", TCP_NODELAY)");
    }
    if (bind(fd, addr.sockaddr_ptr(), addr.sockaddr_len()) != 0) {
        return SysError::from_errno(errno, "bind(" + label + ")");
    }
    if (listen(fd, options.backlog) != 0) return SysError::from_errno(errno, "listen(" + label + ")");

    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr *>(&local), &len) != 0 ||
        !InetAddress::from_sockaddr(reinterpret_cast<sockaddr *>(&local), len, listener.local_)) {
        return SysError::from_errno(errno ? errno : EAFNOSUPPORT, "getsockname(" + label + ")");
    }
    return Result<Listener>(std::move(listener));
}

Result<Listener> Listener::share() const {
    int fd = ::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return SysError::from_errno(errno, "dup(listener)");
    Listener copy;
    copy.fd_ = UniqueFd(fd);
    copy.local_ = local_;
    return Result<Listener>(std::move(copy));
}

int Listener::accept_one(Accepted &out) {
    for (int skipped = 0; skipped < kMaxSkippedAccepts; skipped++) {
        sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd = accept4(fd_.get(), reinterpret_cast<sockaddr *>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            int err = errno;
            if (is_transient_accept_error(err)) continue;
            return err == EWOULDBLOCK ? EAGAIN : err;
        }
        out.fd.reset(fd);
        InetAddress::from_sockaddr(reinterpret_cast<sockaddr *>(&peer), len, out.peer);
        return 0;
    }
    return EAGAIN;  // a run of aborted connections: try again on the next wakeup
}

// ---------------------------------------------------------------------------------
// stream helpers

IoResult read_some(int fd, void *buf, size_t len) {
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n > 0) return IoResult{IoStatus::Ok, size_t(n), 0};
        if (n == 0) return IoResult{len == 0 ? IoStatus::Ok : IoStatus::Closed, 0, 0};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult{IoStatus::WouldBlock, 0, 0};
        return IoResult{IoStatus::Error, 0, errno};
    }
}

IoResult write_some(int fd, const void *buf, size_t len) {
    bool is_socket = true;
    for (;;) {
        // MSG_NOSIGNAL instead of ignoring SIGPIPE process-wide: PHP code may rely on it.
        ssize_t n = is_socket ? send(fd, buf, len, MSG_NOSIGNAL) : write(fd, buf, len);
        if (n >= 0) return IoResult{IoStatus::Ok, size_t(n), 0};
        if (errno == EINTR) continue;
        if (errno == ENOTSOCK && is_socket) {
            is_socket = false;
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult{IoStatus::WouldBlock, 0, 0};
        return IoResult{IoStatus::Error, 0, errno};
    }
}

int set_nonblocking(int fd, bool on) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return errno;
    int wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (wanted != flags && fcntl(fd, F_SETFL, wanted) != 0) return errno;
    return 0;
}

int set_tcp_nodelay(int fd, bool on) { return set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0); }

int socket_error(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
    return err;
}

Result<UniqueFd> connect_tcp(const InetAddress &to) {
    UniqueFd fd(socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
    if (!fd) return SysError::from_errno(errno, "socket()");
    if (connect(fd.get(), to.sockaddr_ptr(), to.sockaddr_len()) != 0 && errno != EINPROGRESS) {
        return SysError::from_errno(errno, "connect(" + to.to_string() + ")");
    }
    return Result<UniqueFd>(std::move(fd));
}

}  // namespace wsserver
