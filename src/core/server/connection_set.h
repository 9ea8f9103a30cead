// Private to src/core/server: the connections this process owns, and the end of their
// lives. Lookup by session id, the close (now, or after the output drained), the close
// timers, the mirror of a connection's state in the shared table, and the last close of
// a stopping server, which ends the loop.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/server/connection.h"
#include "core/server/server_context.h"

namespace wsserver {

class ConnectionWriter;

class ConnectionSet {
public:
    ConnectionSet(ServerContext &ctx, ServerParts &parts, ConnectionWriter &writer);
    ConnectionSet(const ConnectionSet &) = delete;
    ConnectionSet &operator=(const ConnectionSet &) = delete;
    ~ConnectionSet();  // takes every socket off the loop, without callbacks

    // ---- membership
    // A connection for `accepted` (not yet in the set: insert() it once it is on the loop).
    std::unique_ptr<Connection> make(SessionId id, Accepted &&accepted, int64_t now_us);
    void insert(std::unique_ptr<Connection> c);
    // The next id when no table hands them out; ids are never reused.
    SessionId next_id() { return next_session_id_++; }
    void ids_from_table(SessionId allocated) { next_session_id_ = allocated + 1; }
    // Nothing was ever accepted: settings may still change.
    bool pristine() const { return next_session_id_ == 1 && map_.empty(); }
    void set_output_limits(const ServerConfig &config);

    Connection *find(SessionId id) const {
        auto it = map_.find(id);
        return it == map_.end() ? nullptr : it->second.get();
    }
    Connection *find_live(SessionId id) const {
        Connection *c = find(id);
        return c && c->phase_ != Phase::Closed ? c : nullptr;
    }
    std::vector<SessionId> local_ids() const;  // this process's live sessions, increasing
    size_t live_count() const { return live_count_; }

    // ---- the end of a connection
    // close(): reset, or nothing queued: now; else once the output is flushed.
    void close(Connection &c, bool reset);
    // The peer is gone (EOF, a read or write error).
    void on_eof(Connection &c);
    // Closes TCP once the output queue is empty.
    void drain_and_close(Connection &c);
    // reset: RST, dropping queued output. Calls on_close/on_disconnect.
    void close_now(Connection &c, bool reset);
    void start_close_timer(Connection &c, uint64_t ms);

    // ---- what other workers may read of a connection, mirrored into the table
    void publish_status(Connection &c);
    void publish_times(Connection &c);

    // ---- a stopping server
    // After `ms`, closes whatever is left and stops the loop; the loop stops earlier when
    // the last connection closes.
    void stop_after(uint64_t ms);
    void check_stopped();

private:
    ServerContext &ctx_;
    ServerParts &parts_;  // handed to each connection
    ConnectionWriter &writer_;
    OutputLimits output_limits_;
    BufferPool pool_;
    std::unordered_map<SessionId, std::unique_ptr<Connection>> map_;
    std::vector<std::unique_ptr<Connection>> graveyard_;  // closed during a callback
    std::string close_notify_;  // TLS close_notify records, reused
    SessionId next_session_id_ = 1;
    size_t live_count_ = 0;
    TimerId stop_timer_ = 0;
};

}  // namespace wsserver
