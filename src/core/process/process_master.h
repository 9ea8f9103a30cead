// The master of SWOOLE_PROCESS: reactor threads that own every client socket and do all the
// protocol work (accept, TLS, HTTP parsing, handshake, frame decoding, UTF-8, inflate and
// deflate, output buffering, heartbeat), and hand whole events to the worker processes,
// which run the PHP callbacks and send commands back (push, send, close, responses).
//
// Each thread runs its own Server (engine) on a dup of the listening socket, with a
// ServerEvents that turns every event into a message on the PacketChannel of the worker
// chosen by dispatch_mode, and executes the commands that come back on those channels.
// Nothing is shared between threads but the connection table, whose rows they own: a
// thread only ever touches its own connections, so no lock is taken on the data path.
// No PHP runs here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/server/connection_table.h"
#include "core/server/server.h"
#include "core/net/syscall.h"
#include "core/net/tls.h"
#include "core/ipc/worker_status.h"

namespace wsserver {

struct ProcessMasterOptions {
    int reactor_num = 1;
    int worker_num = 1;     // the workers that receive events: ids 0 .. worker_num-1
    int dispatch_mode = 2;  // Swoole's: 1 round robin, 2 fd modulo, 3 idle worker, 4 ip modulo
    ConnectionTable *table = nullptr;
    // dispatch_mode 3: which workers are idle (marked by each worker around its callbacks).
    const WorkerStatusTable *status = nullptr;
};

class ProcessMaster {
    struct Passkey {
        explicit Passkey() = default;
    };

public:
    // `proto`: the bound server whose listening sockets (listen() ports included) and TLS
    // contexts the threads share, and whose settings they use. `channels[r][w]`: the master's end of the pipe between thread r
    // and pool member w (task workers included: they may push too).
    static Result<std::unique_ptr<ProcessMaster>> create(const Server &proto, const ServerConfig &config,
                                                         const ProcessMasterOptions &options,
                                                         std::vector<std::vector<UniqueFd>> channels);
    explicit ProcessMaster(Passkey);
    ProcessMaster(const ProcessMaster &) = delete;
    ProcessMaster &operator=(const ProcessMaster &) = delete;
    ~ProcessMaster();  // stop() and join()

    // Starts the threads. Signals should be blocked in the caller first (the threads
    // inherit its mask): they belong to the master's main thread.
    void start();
    // Graceful: every thread stops accepting, sends 1001 to WebSocket clients and waits
    // (stop_timeout_ms) for them; their close events still go to the workers. Thread-safe.
    void stop();
    // Waits for the threads; each flushes its last events to the workers first (bounded).
    void join();

private:
    class ReactorThread;
    std::vector<std::unique_ptr<ReactorThread>> threads_;
};

// The pipes of a PROCESS server, created before the manager forks: master_ends[r][w] for
// the master, worker_ends[w][r] for pool member w.
struct ProcessChannels {
    std::vector<std::vector<UniqueFd>> master_ends;
    std::vector<std::vector<UniqueFd>> worker_ends;
    static Result<ProcessChannels> create(int reactor_num, int pool_size);
};

}  // namespace wsserver
