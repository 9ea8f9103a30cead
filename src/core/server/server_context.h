// Private to src/core/server: what every piece of one Server shares. The settings, the
// binding's callbacks, the loop, the table of a multi-worker server, and what the Server
// reports (counters, the last error). One per Server; the pieces hold a reference to it.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <utility>

#include "core/server/server.h"

namespace wsserver {

struct ServerContext {
    ServerContext(const ServerConfig &c, ServerEvents &e, std::unique_ptr<Reactor> r)
        : config(c), events(e), reactor(std::move(r)) {}

    Reactor &loop() { return *reactor; }
    bool fail(ServerError error, const char *message) {
        last_error = error;
        last_error_message = message;
        return false;
    }
    static int64_t wall_seconds() { return static_cast<int64_t>(::time(nullptr)); }
    // Microseconds since the Unix epoch (CLOCK_REALTIME, a vDSO call): the connection
    // times (connect, last receive, last send) and the heartbeat's idle check.
    static int64_t wall_us() {
        timespec ts;
        ::clock_gettime(CLOCK_REALTIME, &ts);
        return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
    }
    // A row's receive time is republished when it enters another span of this length (the
    // owner's own Connection keeps the exact time), so it lags less; readers allow for it.
    static constexpr int64_t kTimePublishUs = 1000;

    ServerConfig config;
    ServerEvents &events;
    std::unique_ptr<Reactor> reactor;  // replaced in a forked worker (renew_reactor_after_fork)
    ConnectionTable *table = nullptr;  // shared with the other workers, when several
    int32_t worker_id = 0;
    int32_t reactor_id = 0;
    bool stopping = false;
    const Logger *logger = nullptr;
    ServerCounters counters;
    ServerError last_error = ServerError::None;
    const char *last_error_message = "";
};

}  // namespace wsserver
