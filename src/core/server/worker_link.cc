#include "core/server/worker_link.h"

#include <unordered_map>

#include "core/ipc/process_messages.h"
#include "core/server/command_executor.h"

namespace wsserver {

int WorkerLink::attach_master(std::vector<UniqueFd> channels) {
    master_.clear();
    for (UniqueFd &fd : channels) {
        auto ch = PacketChannel::open(
            ctx_.loop(), std::move(fd), master_scratch_,
            [this](const ChannelHeader &h, std::string_view payload) { on_master_event(h, payload); },
            [this] { ctx_.loop().defer(on_lost_); });
        if (!ch) return ch.error().code;
        master_.push_back(std::move(ch.value()));
    }
    return 0;
}

int WorkerLink::connect_to_manager(UniqueFd channel) {
    auto ch = MessageChannel::open(
        ctx_.loop(), std::move(channel),
        [this](const ChannelHeader &h, std::string_view payload) { commands_.execute(h, payload); },
        [this] { ctx_.loop().defer(on_lost_); });
    if (!ch) return ch.error().code;
    manager_ = std::move(ch.value());
    return 0;
}

void WorkerLink::flush_master(int timeout_ms) {
    for (auto &ch : master_) {
        if (ch && ch->open()) ch->flush_blocking(timeout_ms);
    }
}

void WorkerLink::drain_master() {
    for (auto &ch : master_) {
        if (ch && ch->open()) ch->drain();
    }
}

std::optional<ConnectionInfo> WorkerLink::remote_session(SessionId id) const {
    if (!ctx_.table || (!manager_ && master_.empty())) return std::nullopt;
    ConnectionInfo info;
    if (ctx_.table->get(id, info) != SlotStatus::kOk || info.worker_id == ctx_.worker_id) return std::nullopt;
    return info;
}

bool WorkerLink::forward(const ConnectionInfo &owner, ChannelMessageType type, uint8_t opcode, uint32_t aux,
                         std::string_view payload) {
    ChannelHeader h;
    h.type = type;
    h.opcode = opcode;
    h.aux = aux;
    h.target_worker = owner.worker_id;
    h.session = owner.session_id;
    if (owner.worker_id < 0) {  // a session of the master's reactor thread owner.reactor_id
        if (owner.reactor_id < 0 || static_cast<size_t>(owner.reactor_id) >= master_.size())
            return ctx_.fail(ServerError::SessionNotExist, "session does not exist");
        if (!master_[static_cast<size_t>(owner.reactor_id)]->send(h, payload))
            return ctx_.fail(ServerError::OutputBufferOverflow, "the channel to the master is full");
        return true;
    }
    if (!manager_) return ctx_.fail(ServerError::SessionNotExist, "session does not exist");
    if (!manager_->send(h, payload)) return ctx_.fail(ServerError::OutputBufferOverflow, "the worker channel is full");
    return true;
}

bool WorkerLink::forward_response(SessionId id, ChannelMessageType type, std::string_view payload) {
    auto owner = remote_session(id);
    if (!owner || owner->worker_id >= 0) return ctx_.fail(ServerError::SessionNotExist, "session does not exist");
    return forward(*owner, type, 0, 0, payload);
}

bool WorkerLink::send_to_worker(int32_t dst, ChannelMessageType type, int64_t id, uint32_t flags,
                                std::string_view data) {
    if (!manager_ || dst == ctx_.worker_id || dst < 0)
        return ctx_.fail(ServerError::SessionNotExist, "no such worker to send a message to");
    ChannelHeader h;
    h.type = type;
    h.aux = flags;
    h.target_worker = dst;
    h.session = id;
    h.reserved = static_cast<uint16_t>(ctx_.worker_id);
    if (!manager_->send(h, data)) return ctx_.fail(ServerError::OutputBufferOverflow, "the worker channel is full");
    return true;
}

size_t WorkerLink::wait_task_results(const std::vector<int64_t> &task_ids, int timeout_ms,
                                     const std::function<void(size_t, std::string_view, uint32_t)> &on_result) {
    if (!manager_ || task_ids.empty()) return 0;
    std::unordered_map<int64_t, size_t> pending;  // task id -> position, until its result came
    for (size_t i = 0; i < task_ids.size(); i++) pending.emplace(task_ids[i], i);
    return manager_->wait_for(timeout_ms, pending.size(), [&](const ChannelHeader &h, std::string_view payload) {
        if (h.type != ChannelMessageType::Finish) return false;
        auto it = pending.find(h.session);
        if (it == pending.end()) return false;
        size_t index = it->second;
        pending.erase(it);  // a duplicate result is not ours any more
        on_result(index, payload, h.aux);
        return true;
    });
}

void WorkerLink::on_master_event(const ChannelHeader &h, std::string_view payload) {
    const SessionId id = h.session;
    ServerEvents &events = ctx_.events;
    event_reactor_ = h.reserved;
    switch (h.type) {
    case ChannelMessageType::EvConnect:
        // The master may have read the upgrade request (and answered it) by now; onConnect
        // still sees the connection as it was when it connected, as Swoole's worker does.
        connecting_ = id;
        events.on_connect(id);
        connecting_ = 0;
        return;
    case ChannelMessageType::EvMessage:
        ctx_.counters.requests++;
        events.on_message(id, h.opcode, payload, h.aux);
        return;
    case ChannelMessageType::EvReceive:
        ctx_.counters.requests++;
        events.on_receive(id, payload);
        return;
    case ChannelMessageType::EvRequest:
    case ChannelMessageType::EvHandshake:
    case ChannelMessageType::EvOpen: {
        HttpParser request(limits_for_encoded_request(payload));
        if (!decode_request(payload, request)) return;
        if (h.type == ChannelMessageType::EvRequest) {
            ctx_.counters.requests++;
            events.on_request(id, request);
        } else if (h.type == ChannelMessageType::EvOpen) {
            events.on_open(id, request);
        } else if (h.aux == 1) {
            HttpResponse extra(101);
            events.on_before_handshake_response(id, request, extra);
            forward_response(id, ChannelMessageType::HandshakeExtra, encode_response(extra, {}));
        } else {
            events.on_handshake(id, request);
        }
        return;
    }
    case ChannelMessageType::EvClose:
    case ChannelMessageType::EvDisconnect: {
        ClosedSession closed;
        closed.id = id;
        if (!decode_closed(payload, closed.client, closed.close, closed.has_close_info)) return;
        closed_ = std::move(closed);
        if (h.type == ChannelMessageType::EvClose) {
            events.on_close(id);
        } else {
            events.on_disconnect(id);
        }
        closed_.reset();
        return;
    }
    case ChannelMessageType::EvBufferFull:
        events.on_buffer_full(id);
        return;
    case ChannelMessageType::EvBufferEmpty:
        events.on_buffer_empty(id);
        return;
    case ChannelMessageType::EvCloseBarrier:
        forward_response(id, ChannelMessageType::CloseBarrier, {});
        return;
    default:
        commands_.execute(h, payload);  // pipe messages, tasks, results
        return;
    }
}

}  // namespace wsserver
