// Private to src/core/server: what this process does with a command another process sent
// it. Pipe messages, tasks and task results become ServerEvents calls; a command for one
// of its connections (push, send, close, a response...: a BASE worker's for another
// worker's session through the manager, or a SWOOLE_PROCESS worker's through a master
// reactor thread's pipe) is applied as if called here. The writes of all the commands one
// loop iteration brings are batched per connection and flushed once at its end.
#pragma once

#include <string_view>
#include <vector>

#include "core/ipc/message_channel.h"
#include "core/server/server_context.h"

namespace wsserver {

class ConnectionSet;
class ConnectionWriter;
class HttpFront;
class WebSocketFront;

class CommandExecutor {
public:
    CommandExecutor(ServerContext &ctx, Server &server, ConnectionSet &connections, ConnectionWriter &writer,
                    HttpFront &http, WebSocketFront &websocket)
        : ctx_(ctx), server_(server), connections_(connections), writer_(writer), http_(http),
          websocket_(websocket) {}
    CommandExecutor(const CommandExecutor &) = delete;
    CommandExecutor &operator=(const CommandExecutor &) = delete;

    void execute(const ChannelHeader &h, std::string_view payload);

private:
    void end_batch();

    ServerContext &ctx_;
    Server &server_;  // the commands are its public calls, applied here
    ConnectionSet &connections_;
    ConnectionWriter &writer_;
    HttpFront &http_;
    WebSocketFront &websocket_;
    // Commands handled in this loop iteration: their connections' writes are batched (as
    // those of the connection being read) and flushed once at the end of the iteration.
    bool batch_open_ = false;
    std::vector<SessionId> batch_ids_;
};

}  // namespace wsserver
