// Private to src/core/server: the pieces of one Server and how they are wired. Each piece
// is a class with one job that holds references to the few others it uses; this struct
// owns them all (declaration order is construction order, and the loop in `ctx` outlives
// every piece that registered with it).
#pragma once

#include <functional>
#include <memory>

#include "core/server/acceptor.h"
#include "core/server/command_executor.h"
#include "core/server/connection.h"
#include "core/server/connection_reader.h"
#include "core/server/connection_set.h"
#include "core/server/connection_writer.h"
#include "core/server/http_front.h"
#include "core/server/server_context.h"
#include "core/server/websocket_front.h"
#include "core/server/worker_link.h"

namespace wsserver {

struct ServerParts {
    ServerParts(Server &server, const ServerConfig &config, ServerEvents &events, std::unique_ptr<Reactor> reactor,
                Listener listener, std::function<void()> on_link_lost)
        : ctx(config, events, std::move(reactor)),
          writer(ctx, connections),
          connections(ctx, *this, writer),
          websocket(ctx, connections, writer),
          http(ctx, connections, writer, reader, websocket),
          reader(ctx, connections, writer, http, websocket),
          acceptor(ctx, connections, std::move(listener)),
          commands(ctx, server, connections, writer, http, websocket),
          workers(ctx, commands, std::move(on_link_lost)) {}
    ServerParts(const ServerParts &) = delete;
    ServerParts &operator=(const ServerParts &) = delete;

    ServerContext ctx;
    ConnectionWriter writer;
    ConnectionSet connections;
    WebSocketFront websocket;
    HttpFront http;
    ConnectionReader reader;
    Acceptor acceptor;
    CommandExecutor commands;
    WorkerLink workers;
};

inline const ServerConfig &Connection::protocol() const { return parts_.acceptor.protocol_of(listener_index_); }

}  // namespace wsserver
