#include "core/server/command_executor.h"

#include "core/ipc/process_messages.h"
#include "core/server/connection_set.h"
#include "core/server/connection_writer.h"
#include "core/server/http_front.h"
#include "core/server/websocket_front.h"

namespace wsserver {

void CommandExecutor::execute(const ChannelHeader &h, std::string_view payload) {
    switch (h.type) {
    case ChannelMessageType::Pipe:
        ctx_.events.on_pipe_message(static_cast<int32_t>(h.session), payload, h.aux);
        return;
    case ChannelMessageType::Task:
        ctx_.events.on_task(h.session, h.reserved, payload, h.aux);
        return;
    case ChannelMessageType::Finish:
        ctx_.events.on_finish(h.session, payload, h.aux);
        return;
    default:
        break;
    }
    // The session may have closed since the sender looked: then the command is moot.
    Connection *c = connections_.find_live(h.session);
    if (!c) return;
    if (!c->batching_) {
        if (!batch_open_) {
            batch_open_ = true;
            ctx_.loop().defer([this] { end_batch(); });
        }
        c->batching_ = true;
        batch_ids_.push_back(h.session);
    }
    HttpResponse response;
    std::string_view body;
    switch (h.type) {
    case ChannelMessageType::Push:
        server_.push(h.session, h.opcode, payload, h.aux);
        break;
    case ChannelMessageType::Send:
        server_.send(h.session, payload);
        break;
    case ChannelMessageType::Close:
        server_.close(h.session, h.aux != 0);
        break;
    case ChannelMessageType::Disconnect:
        server_.disconnect(h.session, static_cast<uint16_t>(h.aux), payload);
        break;
    case ChannelMessageType::Respond:
        if (decode_response(payload, response, body)) server_.respond(h.session, response, body);
        break;
    case ChannelMessageType::RespondHead:
        if (decode_response(payload, response, body)) server_.respond_head(h.session, response);
        break;
    case ChannelMessageType::WriteBody:
        server_.write_body(h.session, payload);
        break;
    case ChannelMessageType::EndBody:
        server_.end_body(h.session, payload);
        break;
    case ChannelMessageType::CloseBarrier:
        websocket_.release_barrier(*c);
        break;
    case ChannelMessageType::HandshakeExtra:
        if (decode_response(payload, response, body)) http_.resume_handshake(*c, response);
        break;
    default:
        break;
    }
}

void CommandExecutor::end_batch() {
    batch_open_ = false;
    std::vector<SessionId> ids;
    ids.swap(batch_ids_);
    for (SessionId id : ids) {
        Connection *c = connections_.find(id);
        if (!c || c == writer_.reading()) continue;
        c->batching_ = false;
        writer_.flush_batched(*c);
    }
}

}  // namespace wsserver
