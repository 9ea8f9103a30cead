// Private to src/core/server: the listening sockets and the accept loop. The main
// listener (create()) and the extra ones (listen()/addListener(), each with its own
// protocol settings and TLS context), their place on the loop, and what happens to a new
// socket: a session id (from the shared table when there is one, where max_connection
// may refuse it), a TLS session, the handshake timeout, on_connect.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/net/socket.h"
#include "core/net/tls.h"
#include "core/server/server_context.h"

namespace wsserver {

class ConnectionSet;

class Acceptor {
public:
    Acceptor(ServerContext &ctx, ConnectionSet &connections, Listener listener)
        : ctx_(ctx), connections_(connections), listener_(std::move(listener)) {}
    Acceptor(const Acceptor &) = delete;
    Acceptor &operator=(const Acceptor &) = delete;
    ~Acceptor() { stop_accepting(); }

    // Shares `proto`'s listening sockets (dups), protocols and TLS contexts (an SSL_CTX
    // serves sessions in several threads) beside this one's main listener.
    Result<bool> share_from(const Acceptor &proto);

    // Puts the listeners on the loop. 0 or an errno value.
    int watch();
    // Takes them off for good (stop(), a task worker).
    void stop_accepting();
    bool listening() const { return listening_; }

    Result<size_t> add_listener(const ListenOptions &options, const ServerConfig &protocol);
    bool set_listener_protocol(size_t index, const ServerConfig &protocol);
    void set_tls(TlsContext context) { tls_ = std::move(context); }
    bool set_listener_tls(size_t index, TlsContext context);
    size_t listener_count() const { return 1 + extra_.size(); }
    const Listener &listener(size_t index) const {
        return index == 0 || index > extra_.size() ? listener_ : extra_[index - 1]->listener;
    }
    // The config whose per-connection fields apply to connections of that listener.
    const ServerConfig &protocol_of(size_t index) const {
        return index == 0 || index > extra_.size() ? ctx_.config : extra_[index - 1]->protocol;
    }

private:
    struct ExtraListener {
        Listener listener;
        ServerConfig protocol;
        std::optional<TlsContext> tls;
    };

    int watch_extra();
    void unwatch_extra();
    void accept_ready(size_t index);
    void accept_one(Accepted &&accepted, size_t listener_index);

    ServerContext &ctx_;
    ConnectionSet &connections_;
    Listener listener_;
    std::optional<TlsContext> tls_;
    std::vector<std::unique_ptr<ExtraListener>> extra_;  // listen(): indexes 1, 2...
    bool listening_ = true;
    int64_t overflow_logged_at_ = 0;  // wall seconds: one "Too many connections" line per second
};

}  // namespace wsserver
