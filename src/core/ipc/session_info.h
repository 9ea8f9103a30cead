// What the server knows of one session beyond its id, as getClientInfo() and onClose see
// it: a value the owning process fills in, and the PROCESS-mode hop carries to the worker
// when the master reports a closed connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace wsserver {

// Swoole's WEBSOCKET_STATUS_* as getClientInfo() reports them.
namespace websocket_status {
constexpr int kNone = 0;        // plain HTTP connection
constexpr int kConnection = 1;  // an upgrade request arrived, not answered yet
constexpr int kHandshake = 2;   // the user's onHandShake is answering it
constexpr int kActive = 3;      // from the 101 on, also while a close handshake the peer began runs
constexpr int kClosing = 4;     // the server began the close handshake (disconnect(), shutdown)
}  // namespace websocket_status

struct ClientInfo {
    std::string remote_ip;
    uint16_t remote_port = 0;
    uint16_t server_port = 0;
    int64_t connect_time_us = 0;    // microseconds since the Unix epoch
    int64_t last_recv_time_us = 0;  // 0 if nothing received
    int64_t last_send_time_us = 0;  // 0 if nothing sent
    int websocket_status = websocket_status::kNone;
    bool closing = false;  // a WebSocket whose close handshake began (either side), or closed
    size_t send_queued_bytes = 0;
    int worker_id = 0;   // the worker that owns the socket (0 in SWOOLE_PROCESS: the master does)
    int reactor_id = 0;  // BASE: that worker; PROCESS: the master's thread that owns it
    int server_fd = -1;  // the listening socket, in the owner
    int socket_fd = -1;  // the connection's descriptor, in the owner
    int socket_type = 1;  // SWOOLE_SOCK_TCP, or SWOOLE_SOCK_TCP6 (3)
};

// The peer's close frame (code 1005 if it had none, 1006 if none came) and the code of
// the close frame we sent (0: none). Readable in on_close.
struct CloseInfo {
    uint16_t peer_code = 1006;
    std::string peer_reason;
    uint16_t sent_code = 0;
};

}  // namespace wsserver
