// Fuzz target: a whole live Server (src/core/server/server.h) fed an attacker's byte stream over a
// real loopback connection. The server is what the PHP binding makes of an echo
// WebSocket\Server with onRequest: plain requests answered (at once or from a timer,
// whole or streamed), upgrades by the built-in handshake or by the "user's" onHandShake,
// messages echoed (compressed when negotiated) or broadcast, and a few commands a message
// can carry (close, reset, disconnect, fragmented push, big push, server ping). Limits
// are small so 413, 1009 and the output cap are reached.
//
// Input: byte 0 and byte 1 pick the configuration (bits below), byte 2 the chunking, the
// rest is what client A writes, in input-derived chunks with a server poll() and a read
// of every client socket after each.
//
// Besides A there is an observer B, a well-behaved WebSocket client opened first. Checked:
//  - nothing crashes or leaks (ASan/LSan), no loop runs away (every wait is bounded);
//  - every session's events come in order: connect once, then (after open) messages, and
//    exactly one close (opened) or disconnect (not opened), nothing after it;
//  - messages are text/binary within package_max_length, text valid UTF-8, control frames
//    only when delivered;
//  - what the server writes to B, and to A when A began with a valid upgrade (prelude),
//    is a 101 then well-formed unmasked frames, RSV1 only if deflate was negotiated,
//    nothing after a close frame;
//  - after A's stream, B still gets the echo of its own message (the server keeps
//    serving); after A half-closes and then B resets, both sessions end and the server
//    holds no connection.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/websocket/frame.h"
#include "core/websocket/frame_decoder.h"
#include "core/websocket/handshake.h"
#include "core/server/server.h"
#include "fuzz_common.h"

using namespace wsserver;

namespace {

constexpr uint8_t kContinuation = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xA;

// byte 0
constexpr uint8_t kUserHandshake = 1;     // onHandShake answers upgrades itself
constexpr uint8_t kDeliverControl = 2;    // open_websocket_{ping,pong,close}_frame
constexpr uint8_t kDeferResponses = 4;    // answers (HTTP and user handshake) from a 0 ms timer
constexpr uint8_t kPrelude = 8;           // A starts with a valid upgrade request
constexpr uint8_t kSmallOutput = 16;      // 4 KiB output cap, watermarks, small receive buffer at A
constexpr uint8_t kBroadcast = 32;        // messages go to every open session
constexpr uint8_t kBeforeHandshake = 64;  // onBeforeHandShakeResponse adds a field
constexpr uint8_t kRawTcp = 128;          // Swoole\Server with onReceive: bytes echoed as they come
// byte 1: bits 0-1 package_max_length
constexpr uint8_t kSmallReads = 4;        // 512-byte read buffer: messages span reads
constexpr uint8_t kNoCompression = 8;     // websocket_compression off
constexpr uint8_t kPreludeNoTakeover = 16;  // the prelude offers no_context_takeover both ways
constexpr uint8_t kSubprotocol = 32;      // websocket_subprotocol "chat" (the prelude asks for it)
constexpr uint8_t kNoRequestHandler = 64;  // no onRequest: plain requests get 400

constexpr size_t kMaxLengths[4] = {64, 1024, 16384, 131072};
constexpr size_t kChunkMax[4] = {1, 16, 700, 1 << 16};
constexpr int kQuickPolls = 2000;  // poll(0) rounds before a wait starts sleeping
constexpr int kSlowPolls = 300;    // then poll(5) rounds: 1.5 s, past every timer we set

std::string upgrade_request(std::string_view path, std::string_view extra_fields) {
    std::string r = "GET ";
    r.append(path);
    r += " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    r.append(extra_fields);
    return r + "\r\n";
}

std::string masked_frame(uint8_t opcode, std::string_view payload) {
    FrameHeader h;
    h.fin = true;
    h.opcode = opcode;
    h.masked = true;
    h.payload_length = payload.size();
    const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
    std::memcpy(h.mask_key, key, 4);
    uint8_t head[kMaxHeaderSize];
    std::string out(reinterpret_cast<char *>(head), encode_frame_header(h, head));
    const size_t start = out.size();
    out.append(payload);
    auto *p = reinterpret_cast<uint8_t *>(&out[start]);
    apply_mask(p, p, payload.size(), key);
    return out;
}

// What a well-behaved client sees from the server: a 101 head, then frames.
class ServerStreamCheck {
public:
    explicit ServerStreamCheck(const char *who) : who_(who) {}

    void feed(const uint8_t *data, size_t len) {
        size_t pos = 0;
        if (!head_done_) {
            const size_t before = head_.size();
            head_.append(reinterpret_cast<const char *>(data), len);
            const size_t end = head_.find("\r\n\r\n");
            if (end == std::string::npos) {
                FUZZ_CHECK(head_.size() < 8192, "%s: no end of the response head in 8 KiB", who_);
                return;
            }
            FUZZ_CHECK(head_.rfind("HTTP/1.1 101 ", 0) == 0, "%s: not a 101: %.80s", who_, head_.c_str());
            head_done_ = true;
            head_.resize(end + 4);
            DecoderOptions o;
            o.require_masked = false;
            o.allow_masked = false;
            o.allow_rsv1 = head_.find("permessage-deflate") != std::string::npos;
            decoder_ = std::make_unique<FrameDecoder>(o);
            pos = end + 4 - before;
        }
        for (;;) {  // until NeedMore: a frame's end is an event of its own, after its last byte
            FUZZ_CHECK(!closed_ || pos == len, "%s: %zu bytes after the close frame", who_, len - pos);
            const FrameDecoder::Step st = decoder_->next(data + pos, len - pos);
            pos += st.consumed;
            switch (st.event) {
            case FrameDecoder::Event::NeedMore:
                return;
            case FrameDecoder::Event::Error:
                FUZZ_CHECK(false, "%s: bad server frame: %s", who_, decoder_->error().message);
                break;
            case FrameDecoder::Event::FrameStart:
                payload_.clear();
                break;
            case FrameDecoder::Event::Payload:
                if (payload_.size() < 256) payload_.append(reinterpret_cast<const char *>(st.data), st.size);
                break;
            case FrameDecoder::Event::FrameEnd:
                frames_++;
                if (decoder_->header().opcode == kClose) closed_ = true;
                if (decoder_->header().opcode == kText && payload_ == "observer check") saw_check_ = true;
                break;
            }
        }
    }

    bool head_done() const { return head_done_; }
    bool saw_check() const { return saw_check_; }

private:
    const char *who_;
    std::string head_;
    bool head_done_ = false;
    std::unique_ptr<FrameDecoder> decoder_;
    std::string payload_;  // the first bytes of the current frame
    size_t frames_ = 0;
    bool closed_ = false;
    bool saw_check_ = false;
};

// One client socket, non-blocking; reset (RST) when destroyed so no TIME_WAIT piles up.
class Peer {
public:
    Peer(uint16_t port, int rcvbuf) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        FUZZ_CHECK(fd_ >= 0, "socket: %s", std::strerror(errno));
        if (rcvbuf) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        // Non-blocking from the start: libFuzzer's SIGALRM (-timeout) may interrupt a
        // blocking connect(), which then goes on in the background.
        ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
        if (::connect(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
            FUZZ_CHECK(errno == EINPROGRESS || errno == EINTR, "connect: %s", std::strerror(errno));
            pollfd p{fd_, POLLOUT, 0};
            int ready = 0;
            for (int i = 0; i < 100 && ready <= 0; i++) ready = ::poll(&p, 1, 20);
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
            FUZZ_CHECK(ready > 0 && err == 0, "connect: %s", std::strerror(err ? err : ETIMEDOUT));
        }
    }
    ~Peer() {
        linger lg{1, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        ::close(fd_);
    }
    Peer(const Peer &) = delete;
    Peer &operator=(const Peer &) = delete;

    // Writes what the kernel takes now; false once the server has gone (reset, closed).
    bool write_some(const uint8_t *data, size_t len, size_t &written) {
        written = 0;
        if (broken_) return false;
        const ssize_t n = ::send(fd_, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            written = static_cast<size_t>(n);
            return true;
        }
        if (errno == EAGAIN || errno == EINTR) return true;
        broken_ = true;
        return false;
    }
    void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

    // Reads what is there into `check` (or discards it).
    void drain(ServerStreamCheck *check) {
        uint8_t buf[16384];
        for (int i = 0; i < 64 && !eof_; i++) {
            const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                if (check) check->feed(buf, static_cast<size_t>(n));
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                eof_ = true;
            } else {
                break;
            }
        }
    }
    bool eof() const { return eof_; }

private:
    int fd_ = -1;
    bool eof_ = false;
    bool broken_ = false;
};

struct SessionLog {
    bool opened = false;
    bool ended = false;
};

class EchoServer final : public ServerEvents {
public:
    EchoServer(uint8_t flags, size_t max_length) : flags_(flags), max_length_(max_length) {}
    void attach(Server &server) { server_ = &server; }

    std::map<SessionId, SessionLog> sessions;
    SessionId last_connected = 0;

    void on_connect(SessionId id) override {
        FUZZ_CHECK(sessions.count(id) == 0, "session %lld connected twice", static_cast<long long>(id));
        sessions[id];
        last_connected = id;
    }

    void on_request(SessionId id, const HttpParser &req) override {
        live(id, "on_request");
        std::string path(req.path());
        std::string echo(req.header("X-Echo").value_or(""));
        const size_t body_size = req.body().size();
        FUZZ_CHECK(body_size <= max_length_, "request body %zu over the limit", body_size);
        answer([this, id, path, echo, body_size] { answer_request(id, path, echo, body_size); });
    }

    void on_handshake(SessionId id, const HttpParser &req) override {
        live(id, "on_handshake");
        std::string path(req.path());
        std::string key(req.header("Sec-WebSocket-Key").value_or(""));
        answer([this, id, path, key] { answer_upgrade(id, path, key); });
    }

    void on_before_handshake_response(SessionId id, const HttpParser &req, HttpResponse &extra) override {
        live(id, "on_before_handshake_response");
        extra.add_header("X-Fuzz", "1");
        extra.add_header("Upgrade", "not-this");  // the handshake's own fields are not replaced
        if (req.path().find("kick") != std::string_view::npos) server_->close(id);
    }

    void on_open(SessionId id, const HttpParser &) override {
        FUZZ_CHECK(!live(id, "on_open").opened, "opened twice");
        sessions[id].opened = true;
    }

    void on_message(SessionId id, uint8_t opcode, std::string_view data, unsigned flags) override {
        FUZZ_CHECK(live(id, "on_message").opened, "message before open");
        (void)flags;
        const bool control = opcode == kPing || opcode == kPong || opcode == kClose;
        FUZZ_CHECK(opcode == kText || opcode == kBinary || (control && (flags_ & kDeliverControl)),
                   "opcode %d delivered", opcode);
        FUZZ_CHECK(control ? data.size() <= kMaxControlPayload : data.size() <= max_length_,
                   "message of %zu bytes", data.size());
        if (opcode == kText) {
            bool complete = false;
            const auto *p = reinterpret_cast<const uint8_t *>(data.data());
            FUZZ_CHECK(fuzz::reference_utf8_viable(p, data.size(), complete) == data.size() && complete,
                       "invalid UTF-8 delivered");
        }
        if (opcode == kPing) {
            server_->push(id, kPong, data, flag::kFin);
            return;
        }
        if (control) return;
        if (data.size() >= 2 && data[0] == '!' && command(id, data[1])) return;
        if (flags_ & kBroadcast) {
            for (SessionId to : server_->session_ids())
                if (server_->is_established(to)) server_->push(to, opcode, data, flag::kFin | flag::kCompress);
        } else {
            server_->push(id, opcode, data, flag::kFin | flag::kCompress);
        }
    }

    void on_close(SessionId id) override {
        FUZZ_CHECK(live(id, "on_close").opened, "on_close for a session that never opened");
        CloseInfo info;
        FUZZ_CHECK(server_->close_info(id, info), "close_info() fails in on_close");
        FUZZ_CHECK(!server_->exists(id), "the session still exists in on_close");
        sessions[id].ended = true;
    }

    void on_disconnect(SessionId id) override {
        FUZZ_CHECK(!live(id, "on_disconnect").opened, "on_disconnect for an opened session");
        sessions[id].ended = true;
    }

    void on_receive(SessionId id, std::string_view data) override {
        live(id, "on_receive");
        if (data.find("!c") != std::string_view::npos) {
            server_->close(id);
            return;
        }
        server_->send(id, data);
    }

private:
    SessionLog &live(SessionId id, const char *what) {
        auto it = sessions.find(id);
        FUZZ_CHECK(it != sessions.end(), "%s for unknown session %lld", what, static_cast<long long>(id));
        FUZZ_CHECK(!it->second.ended, "%s after the session ended", what);
        return it->second;
    }

    template <typename Fn>
    void answer(Fn fn) {
        if (flags_ & kDeferResponses) {
            server_->after(0, [fn](TimerId) { fn(); });
        } else {
            fn();
        }
    }

    void answer_request(SessionId id, const std::string &path, const std::string &echo, size_t body_size) {
        if (path.find("close") != std::string::npos) {
            server_->close(id);
        } else if (path.find("reset") != std::string::npos) {
            server_->close(id, true);
        } else if (path.find("stream") != std::string::npos) {
            HttpResponse r(200);
            r.add_header("X-Echo", echo);  // refused when it holds CR or LF
            if (server_->respond_head(id, r)) {
                server_->write_body(id, "part one, ");
                server_->write_body(id, path);
                server_->end_body(id, " end");
            }
        } else {
            HttpResponse r(path.size() % 7 == 0 ? 404 : 200);
            r.add_header("X-Echo", echo);
            server_->respond(id, r, path + " " + std::to_string(body_size));
        }
    }

    void answer_upgrade(SessionId id, const std::string &path, const std::string &key) {
        if (path.find("deny") != std::string::npos || !is_valid_websocket_key(key)) {
            server_->respond(id, HttpResponse(path.find("deny") != std::string::npos ? 403 : 400), "no");
            return;
        }
        HttpResponse r(101);
        r.add_header("Upgrade", "websocket");
        r.add_header("Connection", "Upgrade");
        r.add_header("Sec-WebSocket-Accept", websocket_accept_key(key));
        if (server_->respond(id, r, {})) {
            auto it = sessions.find(id);
            FUZZ_CHECK(it != sessions.end() && !it->second.ended, "101 accepted for a gone session");
            it->second.opened = true;
        }
    }

    // "!x" messages; false: not a command, echo it.
    bool command(SessionId id, char what) {
        switch (what) {
        case 'c':
            server_->close(id);
            return true;
        case 'r':
            server_->close(id, true);
            return true;
        case 'd':
            server_->disconnect(id, 4000, "bye");
            return true;
        case 'f':
            if (server_->push(id, kBinary, "frag", 0)) server_->push(id, kContinuation, "ment", flag::kFin);
            return true;
        case 'b':
            server_->push(id, kBinary, std::string(20000, 'b'), flag::kFin | flag::kCompress);
            return true;
        case 'p':
            server_->push(id, kPing, "server ping", flag::kFin);
            return true;
        default:
            return false;
        }
    }

    uint8_t flags_;
    size_t max_length_;
    Server *server_ = nullptr;
};

class Run {
public:
    Run(uint8_t flags, uint8_t limits, uint8_t chunk_seed)
        : flags_(flags), limits_(limits), events_(flags, kMaxLengths[limits & 3]),
          chunker_(chunk_seed, kChunkMax[chunk_seed & 3]) {}

    void go(const uint8_t *data, size_t size) {
        start_server();
        const bool raw = flags_ & kRawTcp;
        if (!raw) open_observer();

        a_ = std::make_unique<Peer>(server_->port(), (flags_ & kSmallOutput) ? 2048 : 0);
        if ((flags_ & kPrelude) && !raw) {
            a_check_ = std::make_unique<ServerStreamCheck>("A");
            std::string fields;
            if (!(limits_ & kNoCompression)) {
                fields += "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits";
                if (limits_ & kPreludeNoTakeover) fields += "; client_no_context_takeover; server_no_context_takeover";
                fields += "\r\n";
            }
            if (limits_ & kSubprotocol) fields += "Sec-WebSocket-Protocol: other, chat\r\n";
            write_all(*a_, upgrade_request("/prelude", fields));
            FUZZ_CHECK(wait([&] { return a_check_->head_done(); }), "no 101 for A's prelude");
        }

        // A's stream, chunk by chunk, a server iteration after each.
        size_t off = 0;
        while (off < size) {
            const size_t n = std::min(std::max<size_t>(chunker_.next(), 1), size - off);
            if (!write_all(*a_, std::string(reinterpret_cast<const char *>(data) + off, n))) break;
            off += n;
            pump(0);
        }
        pump(0);

        if (b_) {
            // The server still serves: B's own message comes back.
            FUZZ_CHECK(wait([&] { return queued(b_id_) == 0; }), "B's output never drains");
            FUZZ_CHECK(write_all(*b_, masked_frame(kText, "observer check")), "B cannot write");
            FUZZ_CHECK(wait([&] { return b_check_->saw_check(); }), "no echo for B after A's stream");
        }

        // A half-closes: its session must end. Then B resets: so must it.
        a_->shutdown_write();
        FUZZ_CHECK(wait([&] { return a_id_ == 0 || events_.sessions[a_id_].ended; }), "A's session never ends");
        b_.reset();
        FUZZ_CHECK(wait([&] { return server_->connection_count() == 0; }), "connections left: %zu",
                   server_->connection_count());
        for (const auto &[id, log] : events_.sessions)
            FUZZ_CHECK(log.ended, "session %lld never ended", static_cast<long long>(id));
    }

private:
    void start_server() {
        ServerConfig cfg;
        cfg.host = "127.0.0.1";
        cfg.port = 0;
        cfg.handle_sigterm = false;
        cfg.package_max_length = kMaxLengths[limits_ & 3];
        cfg.websocket_compression = !(limits_ & kNoCompression);
        cfg.websocket_subprotocol = (limits_ & kSubprotocol) ? "chat" : "";
        cfg.open_websocket_ping_frame = cfg.open_websocket_pong_frame = cfg.open_websocket_close_frame =
            (flags_ & kDeliverControl) != 0;
        cfg.user_handshake = (flags_ & kUserHandshake) != 0;
        cfg.has_request_handler = !(limits_ & kNoRequestHandler);
        cfg.has_disconnect_handler = true;
        cfg.has_before_handshake_response = (flags_ & kBeforeHandshake) != 0;
        cfg.raw_tcp = (flags_ & kRawTcp) != 0;
        cfg.read_buffer_size = (limits_ & kSmallReads) ? 512 : 65536;
        if (flags_ & kSmallOutput) {
            cfg.socket_buffer_size = 4096;
            cfg.buffer_high_watermark = 3072;
            cfg.buffer_low_watermark = 1024;
        }
        cfg.websocket_close_timeout_ms = 200;
        auto created = Server::create(cfg, events_);
        FUZZ_CHECK(created.ok(), "Server::create: %s", created.error().message.c_str());
        server_ = std::move(created.value());
        events_.attach(*server_);
    }

    void open_observer() {
        b_ = std::make_unique<Peer>(server_->port(), 0);
        b_check_ = std::make_unique<ServerStreamCheck>("B");
        write_all(*b_, upgrade_request("/observer", ""));
        FUZZ_CHECK(wait([&] { return b_check_->head_done(); }), "no 101 for the observer");
        b_id_ = events_.last_connected;
        FUZZ_CHECK(b_id_ != 0 && events_.sessions[b_id_].opened, "the observer's session did not open");
    }

    // One server iteration, then every client reads what arrived.
    void pump(int timeout_ms) {
        server_->poll(timeout_ms);
        if (a_) {
            a_->drain(a_check_.get());
            if (a_id_ == 0 && events_.last_connected != b_id_) a_id_ = events_.last_connected;
        }
        if (b_) b_->drain(b_check_.get());
    }

    template <typename Pred>
    bool wait(Pred done) {
        for (int i = 0; i < kQuickPolls + kSlowPolls; i++) {
            if (done()) return true;
            pump(i < kQuickPolls ? 0 : 5);
        }
        return done();
    }

    // False once the server closed the connection (the rest cannot be written).
    bool write_all(Peer &p, const std::string &bytes) {
        size_t off = 0;
        for (int i = 0; off < bytes.size(); i++) {
            size_t n = 0;
            if (!p.write_some(reinterpret_cast<const uint8_t *>(bytes.data()) + off, bytes.size() - off, n))
                return false;
            off += n;
            if (off < bytes.size()) {
                // The server is not reading (a response awaited, output backed up): let it run.
                if (i >= kQuickPolls + kSlowPolls) return false;
                pump(i < kQuickPolls ? 0 : 5);
            }
        }
        return true;
    }

    size_t queued(SessionId id) const {
        ClientInfo info;
        return server_->client_info(id, info) ? info.send_queued_bytes : 0;
    }

    uint8_t flags_, limits_;
    EchoServer events_;  // declared before server_: outlives it
    std::unique_ptr<Server> server_;
    fuzz::Chunker chunker_;
    std::unique_ptr<Peer> b_, a_;
    std::unique_ptr<ServerStreamCheck> b_check_, a_check_;
    SessionId b_id_ = 0, a_id_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 3) return 0;
    Run run(data[0], data[1], data[2]);
    run.go(data + 3, size - 3);
    return 0;
}
