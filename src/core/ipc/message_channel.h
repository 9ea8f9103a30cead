// Framed messages between the processes of one server (a worker and the manager) over one
// end of a SOCK_STREAM socketpair. A stream, not datagrams: a message can be as large as a
// WebSocket message (package_max_length, megabytes), far past a datagram socket's buffer.
// Each message is a fixed 24-byte header followed by `length` payload bytes.
//
// One writer per socket end (every channel is point to point), so large messages never
// interleave. Writes go straight to the socket when its queue is empty (header and payload
// in one writev, no copy) and are queued otherwise; reads decode every complete message a
// read brought in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/output_queue.h"
#include "core/net/reactor.h"
#include "core/ipc/session_id.h"
#include "core/net/socket.h"
#include "core/net/syscall.h"

namespace wsserver {

enum class ChannelMessageType : uint8_t {
    Push = 1,        // WebSocket frame to `session`: opcode, flags (`aux`), payload
    Send = 2,        // raw bytes to `session`
    Close = 3,       // close `session`; aux 1 = reset
    Disconnect = 4,  // close handshake with `session`: code in aux, reason as payload
    Pipe = 5,        // sendMessage(): `session` is the sending worker, aux the binding's flags
    Task = 6,        // task(): `session` is the task id, `reserved` the sending worker, aux flags
    Finish = 7,      // a task's result back to its sender: `session` is the task id, aux flags
    // SWOOLE_PROCESS, worker -> master (on a PacketChannel): answers to HTTP requests.
    Respond = 8,         // the whole response: encode_response() payload
    RespondHead = 9,     // a streamed response starts: encode_response() payload, no body
    WriteBody = 10,      // a piece of the streamed body
    EndBody = 11,        // the last piece, the body ends
    HandshakeExtra = 12,  // onBeforeHandShakeResponse's fields: encode_response() payload
    CloseBarrier = 13,    // the answer to EvCloseBarrier: every earlier event was handled
    // SWOOLE_PROCESS, master -> worker: the events of a connection (`reserved`: the reactor).
    EvConnect = 20,
    EvRequest = 21,    // payload: encode_request()
    EvHandshake = 22,  // payload: encode_request(); aux 1: run onBeforeHandShakeResponse only
    EvOpen = 23,       // payload: encode_request()
    EvMessage = 24,    // opcode, flags in aux, the message as payload
    EvClose = 25,      // payload: encode_closed()
    EvDisconnect = 26,  // payload: encode_closed()
    EvReceive = 27,    // raw TCP bytes
    EvBufferFull = 28,
    EvBufferEmpty = 29,
    // The connection is about to close (the peer's close frame, a protocol error): answered
    // with CloseBarrier once the worker handled the events before it, so the replies to
    // them go out before the close frame, as they would in BASE mode.
    EvCloseBarrier = 30,
};

struct ChannelHeader {
    uint32_t length = 0;      // payload bytes that follow
    ChannelMessageType type = ChannelMessageType::Push;
    uint8_t opcode = 0;
    uint16_t reserved = 0;
    int32_t target_worker = -1;  // which worker must execute it (the manager routes by it)
    uint32_t aux = 0;            // flags, close code, reset...
    SessionId session = 0;
};
static_assert(sizeof(ChannelHeader) == 24, "the wire header is 24 bytes");

class MessageChannel final : public IoHandler {
public:
    // `on_message` gets every decoded message; the payload is valid during the call only.
    // `on_closed` runs once when the peer closed its end or the socket failed; the channel
    // is unregistered by then. Neither callback may destroy the channel (defer that).
    using MessageFn = std::function<void(const ChannelHeader &, std::string_view payload)>;
    using ClosedFn = std::function<void()>;

    struct Limits {
        size_t max_message = 256u * 1024 * 1024;  // a peer announcing more is cut off
        size_t max_queued = 1024u * 1024 * 1024;  // output beyond this is refused
    };

    // Registers the (non-blocking) fd with the reactor for reading.
    static Result<std::unique_ptr<MessageChannel>> open(Reactor &reactor, UniqueFd fd, MessageFn on_message,
                                                        ClosedFn on_closed, Limits limits);
    static Result<std::unique_ptr<MessageChannel>> open(Reactor &reactor, UniqueFd fd, MessageFn on_message,
                                                        ClosedFn on_closed) {
        return open(reactor, std::move(fd), std::move(on_message), std::move(on_closed), Limits());
    }

    MessageChannel(Reactor &reactor, UniqueFd fd, MessageFn on_message, ClosedFn on_closed, Limits limits);
    MessageChannel(const MessageChannel &) = delete;
    MessageChannel &operator=(const MessageChannel &) = delete;
    ~MessageChannel();

    // Sends one message (header.length is set from the payload). False when the channel is
    // closed or its queue is past max_queued.
    bool send(ChannelHeader header, std::string_view payload);

    bool open() const { return fd_.valid(); }
    size_t queued_bytes() const { return out_.queued_bytes(); }
    int fd() const { return fd_.get(); }

    void on_io(int fd, uint32_t events) override;

    using MatchFn = std::function<bool(const ChannelHeader &, std::string_view)>;
    // Blocks (poll, not the loop) up to `timeout_ms` until `match` accepted `wanted`
    // messages (it sees each message once; the payload is valid during the call). Every
    // other message that arrives meanwhile is kept and handed to on_message from the loop,
    // right after the current callback returns, in arrival order. How many matched.
    size_t wait_for(int timeout_ms, size_t wanted, const MatchFn &match);
    // The same for one message: true when it matched.
    bool wait_for(int timeout_ms, const MatchFn &match) { return wait_for(timeout_ms, 1, match) == 1; }

    // In a forked child whose epoll set is still the parent's: closes this process's copy
    // of the fd without epoll_ctl (which would unregister it for the parent too).
    void abandon_after_fork();

    // Creates a connected, non-blocking, close-on-exec pair.
    static Result<std::pair<UniqueFd, UniqueFd>> socket_pair();

private:
    enum class Decode { Message, NeedMore, Corrupt };
    void read_input();
    IoStatus read_more(size_t &bytes);  // one read() appended to in_
    Decode decode_one(ChannelHeader &h, std::string_view &payload);
    void flush_output();
    void fail();
    void update_interest();

    Reactor &reactor_;
    UniqueFd fd_;
    MessageFn on_message_;
    ClosedFn on_closed_;
    Limits limits_;
    OutputLimits output_limits_;
    BufferPool pool_;
    OutputQueue out_;
    std::vector<char> in_;  // undecoded input; [in_start_, in_.size()) is pending
    size_t in_start_ = 0;
    std::vector<std::pair<ChannelHeader, std::string>> held_;  // set aside by wait_for()
};

}  // namespace wsserver
