// TCP sockets for the reactor: listening sockets (IPv4/IPv6), batch accept, and
// non-blocking stream helpers. Every fd is non-blocking and close-on-exec from birth.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "core/net/syscall.h"

namespace wsserver {

// An IPv4 or IPv6 address and port, stored as the sockaddr itself (28 bytes) so that a
// connection can keep its peer and format it only when asked (getClientInfo()).
class InetAddress {
public:
    InetAddress();

    // A numeric address: "127.0.0.1", "::1" or "[::1]". False for anything else.
    static bool parse(std::string_view host, uint16_t port, InetAddress &out);
    // From what accept4()/getsockname() filled in; false for a non-IP family.
    static bool from_sockaddr(const sockaddr *sa, socklen_t len, InetAddress &out);

    int family() const { return addr_.sa.sa_family; }
    bool is_ipv6() const { return family() == AF_INET6; }
    uint16_t port() const;
    std::string ip() const;         // "127.0.0.1", "::1"
    std::string to_string() const;  // "127.0.0.1:9501", "[::1]:9501"

    const sockaddr *sockaddr_ptr() const { return &addr_.sa; }
    socklen_t sockaddr_len() const;

private:
    union {
        sockaddr sa;
        sockaddr_in v4;
        sockaddr_in6 v6;
    } addr_;
};

struct ListenOptions {
    std::string host = "0.0.0.0";  // numeric IPv4/IPv6, or a name resolved once at startup
    uint16_t port = 0;             // 0: the kernel picks one (Listener::port() says which)
    int family = AF_UNSPEC;        // AF_UNSPEC: from the host; names resolve to IPv4 unless AF_INET6
    int backlog = 512;             // Swoole's default
    bool reuse_addr = true;        // restart without waiting for TIME_WAIT to expire
    bool reuse_port = false;       // SO_REUSEPORT: one listener per worker, kernel balances
    // IPV6_V6ONLY, set explicitly rather than left to net.ipv6.bindv6only: false (the
    // Linux default, what Swoole gets) makes "::" accept IPv4 too; true lets "::" and
    // "0.0.0.0" be bound to the same port by separate listeners.
    bool ipv6_only = false;
    bool tcp_nodelay = true;  // inherited by every accepted socket (Swoole's open_tcp_nodelay)
};

struct Accepted {
    UniqueFd fd;  // non-blocking, close-on-exec
    InetAddress peer;
};

enum class AcceptStatus {
    Drained,  // EAGAIN: nothing more pending
    Limit,    // `max` accepted; more may be pending (level-triggered epoll reports it again)
    Error,    // EMFILE/ENFILE/ENOBUFS/ENOMEM...: pause the listener for a while, or it spins
};

struct AcceptResult {
    size_t accepted = 0;
    AcceptStatus status = AcceptStatus::Drained;
    int error = 0;  // errno when status == Error
};

class Listener {
public:
    Listener() = default;
    static Result<Listener> open(const ListenOptions &options);
    // A second listener object on the same listening socket (its own descriptor, from dup):
    // each of several reactors registers its own.
    Result<Listener> share() const;

    int fd() const { return fd_.get(); }
    const InetAddress &address() const { return local_; }
    uint16_t port() const { return local_.port(); }

    // One accept4(); 0, EAGAIN or an errno that the caller should act on. Errors that
    // concern only the aborted connection (ECONNABORTED, EPROTO, Linux's pending network
    // errors) are skipped inside, a bounded number of times.
    int accept_one(Accepted &out);

    // Accepts until EAGAIN or `max` connections (so one busy listener cannot starve the
    // loop), calling on_accept(Accepted&&) for each.
    template <typename OnAccept>
    AcceptResult accept_batch(size_t max, OnAccept &&on_accept) {
        AcceptResult result;
        while (result.accepted < max) {
            Accepted conn;
            int err = accept_one(conn);
            if (err == EAGAIN) return result;
            if (err != 0) {
                result.status = AcceptStatus::Error;
                result.error = err;
                return result;
            }
            result.accepted++;
            on_accept(std::move(conn));
        }
        result.status = AcceptStatus::Limit;
        return result;
    }

private:
    UniqueFd fd_;
    InetAddress local_;
};

// ---- non-blocking stream helpers (EINTR retried, SIGPIPE never raised)

enum class IoStatus {
    Ok,          // `bytes` moved (maybe fewer than asked)
    WouldBlock,  // EAGAIN
    Closed,      // read: orderly EOF from the peer
    Error,       // `error` holds errno (ECONNRESET, EPIPE...)
};

struct IoResult {
    IoStatus status = IoStatus::Ok;
    size_t bytes = 0;
    int error = 0;
};

IoResult read_some(int fd, void *buf, size_t len);
IoResult write_some(int fd, const void *buf, size_t len);

// Each returns 0 or an errno value.
int set_nonblocking(int fd, bool on);
int set_tcp_nodelay(int fd, bool on);
// SO_ERROR: the outcome of a non-blocking connect(), or a pending socket error.
int socket_error(int fd);

// Starts a non-blocking connect (for tests and internal clients): the fd is returned as
// soon as the connect is under way; it is writable once done, then socket_error() says how.
Result<UniqueFd> connect_tcp(const InetAddress &to);

}  // namespace wsserver
