// Private to src/core/server: this process's lines to the other processes of a
// multi-process server. Through the manager (BASE mode, several workers): commands for
// sessions other workers own, sendMessage(), tasks and their results, both ways. Through
// the master's reactor threads (a SWOOLE_PROCESS worker): the master's events in, which
// become ServerEvents calls as if this process owned the connections, and the commands
// for those connections out. The session's row in the shared table says who owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/ipc/message_channel.h"
#include "core/ipc/packet_channel.h"
#include "core/server/server_context.h"

namespace wsserver {

class CommandExecutor;

class WorkerLink {
public:
    // `on_lost`: the manager or the master went away (the worker then stops); called
    // from the loop, after the iteration's events.
    WorkerLink(ServerContext &ctx, CommandExecutor &commands, std::function<void()> on_lost)
        : ctx_(ctx), commands_(commands), on_lost_(std::move(on_lost)) {}
    WorkerLink(const WorkerLink &) = delete;
    WorkerLink &operator=(const WorkerLink &) = delete;

    // 0 or an errno value.
    int connect_to_manager(UniqueFd channel);
    int attach_master(std::vector<UniqueFd> channels);
    // A forked worker renews its loop: the inherited channel belongs to the old one.
    void forget_manager() { manager_.reset(); }
    bool has_master() const { return !master_.empty(); }
    // run() returns: the replies a stopping PROCESS worker queued must reach the master.
    void flush_master(int timeout_ms);
    // stop(): first the events the master sent before it was told to stop.
    void drain_master();

    // A live session of another process (table attached): its row, else nullopt.
    std::optional<ConnectionInfo> remote_session(SessionId id) const;
    // A command for that session, to the process that owns it.
    bool forward(const ConnectionInfo &owner, ChannelMessageType type, uint8_t opcode, uint32_t aux,
                 std::string_view payload);
    // A worker of SWOOLE_PROCESS: a response for a session of the master.
    bool forward_response(SessionId id, ChannelMessageType type, std::string_view payload);
    bool send_to_worker(int32_t dst, ChannelMessageType type, int64_t id, uint32_t flags, std::string_view data);
    // taskWaitMulti(): see Server::wait_task_results().
    size_t wait_task_results(const std::vector<int64_t> &task_ids, int timeout_ms,
                             const std::function<void(size_t, std::string_view, uint32_t)> &on_result);

    // A worker's on_close/on_disconnect: what the master reported of the closed connection,
    // for client_info()/close_info() during the callback.
    struct ClosedSession {
        SessionId id = 0;
        ClientInfo client;
        CloseInfo close;
        bool has_close_info = false;
    };
    const ClosedSession *closed(SessionId id) const { return closed_ && closed_->id == id ? &*closed_ : nullptr; }
    // A worker's on_connect for a session of the master's: its websocket_status is still
    // none there, whatever the master did with it since.
    bool connecting(SessionId id) const { return connecting_ != 0 && connecting_ == id; }
    // The master's thread that sent the event being handled.
    int32_t event_reactor() const { return event_reactor_; }

private:
    void on_master_event(const ChannelHeader &h, std::string_view payload);  // a worker: the master's event

    ServerContext &ctx_;
    CommandExecutor &commands_;
    std::function<void()> on_lost_;
    std::unique_ptr<MessageChannel> manager_;
    // SWOOLE_PROCESS worker: one channel per master reactor thread, and their read buffer.
    std::vector<char> master_scratch_;
    std::vector<std::unique_ptr<PacketChannel>> master_;
    int32_t event_reactor_ = 0;  // of the master's event being handled
    std::optional<ClosedSession> closed_;
    SessionId connecting_ = 0;  // the session whose on_connect runs
};

}  // namespace wsserver
