// Shared by the Server tests (server_test.cc, server_http_test.cc, server_websocket_test.cc,
// server_process_test.cc): a blocking client socket, client frames built with the engine's
// encoder, server frames parsed by hand, recording ServerEvents, and a fixture that pumps
// the server in the test thread. Every wait is bounded (2 s by default).
#pragma once

#include "core/server/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/websocket/frame.h"
#include "core/websocket/handshake.h"
#include "core/websocket/permessage_deflate.h"
#include "core/process/process_master.h"

namespace server_test {

using namespace wsserver;

constexpr const char *kSampleKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr const char *kSampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

inline std::string upgrade_request(const std::string &key = kSampleKey, const std::string &path = "/chat") {
    return "GET " + path +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: " +
           key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// A masked client frame, built with the engine's encoder.
inline std::string client_frame(uint8_t opcode, std::string_view payload, bool fin = true, bool masked = true) {
    FrameHeader h;
    h.fin = fin;
    h.opcode = opcode;
    h.masked = masked;
    h.payload_length = payload.size();
    const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    std::memcpy(h.mask_key, key, 4);
    uint8_t head[kMaxHeaderSize];
    size_t n = encode_frame_header(h, head);
    std::string out(reinterpret_cast<char *>(head), n);
    size_t start = out.size();
    out.append(payload.data(), payload.size());
    if (masked) {
        auto *p = reinterpret_cast<uint8_t *>(&out[start]);
        apply_mask(p, p, payload.size(), key);
    }
    return out;
}

inline std::string close_payload(uint16_t code, std::string_view reason = {}) {
    std::string p;
    p += static_cast<char>(code >> 8);
    p += static_cast<char>(code & 0xff);
    p.append(reason.data(), reason.size());
    return p;
}

struct ServerFrame {
    bool fin = false;
    uint8_t opcode = 0;
    std::string payload;
    uint16_t close_code() const {
        return payload.size() >= 2 ? static_cast<uint16_t>((uint8_t(payload[0]) << 8) | uint8_t(payload[1])) : 1005;
    }
};

// Takes one unmasked server frame off the front of `buf`.
inline bool take_frame(std::string &buf, ServerFrame &out) {
    if (buf.size() < 2) return false;
    auto b = [&](size_t i) { return static_cast<uint8_t>(buf[i]); };
    size_t pos = 2;
    uint64_t len = b(1) & 0x7f;
    if (len == 126) {
        if (buf.size() < 4) return false;
        len = (uint64_t(b(2)) << 8) | b(3);
        pos = 4;
    } else if (len == 127) {
        if (buf.size() < 10) return false;
        len = 0;
        for (size_t i = 2; i < 10; i++) len = (len << 8) | b(i);
        pos = 10;
    }
    if (buf.size() < pos + len) return false;
    out.fin = (b(0) & 0x80) != 0;
    out.opcode = b(0) & 0x0f;
    out.payload = buf.substr(pos, len);
    buf.erase(0, pos + len);
    return true;
}

class Client {
public:
    explicit Client(uint16_t port, int rcvbuf = 0) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (rcvbuf) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
    }
    ~Client() { close(); }
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    bool connected() const { return connected_; }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    bool send(const std::string &data) {
        size_t off = 0;
        while (off < data.size()) {
            ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return false;
            off += static_cast<size_t>(n);
        }
        return true;
    }
    // Reads what is available without blocking.
    void drain() {
        char tmp[65536];
        for (int i = 0; i < 64 && !eof_; i++) {
            ssize_t n = ::recv(fd_, tmp, sizeof tmp, MSG_DONTWAIT);
            if (n > 0) {
                buf_.append(tmp, static_cast<size_t>(n));
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                eof_ = true;
            } else {
                break;
            }
        }
    }
    std::string &buf() { return buf_; }
    bool eof() const { return eof_; }

private:
    int fd_ = -1;
    bool connected_ = false;
    bool eof_ = false;
    std::string buf_;
};

struct Events : ServerEvents {
    Server *server = nullptr;
    bool echo = true;
    std::vector<SessionId> connects, opens, closes, disconnects, handshakes;
    struct Msg {
        SessionId id;
        uint8_t opcode;
        std::string data;
        unsigned flags;
    };
    std::vector<Msg> messages;
    std::map<SessionId, CloseInfo> close_infos;
    std::vector<std::string> request_paths;
    std::vector<SessionId> request_ids;
    bool respond_sync = true;

    void on_connect(SessionId id) override { connects.push_back(id); }
    void on_open(SessionId id, const HttpParser &) override {
        opens.push_back(id);
        status_seen["open"] = status_of(id);
    }
    // websocket_status seen by client_info() in on_handshake (before and after the 101),
    // on_before_handshake_response and on_open.
    std::map<std::string, int> status_seen;
    int status_of(SessionId id) {
        ClientInfo info;
        return server->client_info(id, info) ? info.websocket_status : -1;
    }
    void on_before_handshake_response(SessionId id, const HttpParser &, HttpResponse &) override {
        status_seen["before_handshake_response"] = status_of(id);
    }
    void on_handshake(SessionId id, const HttpParser &req) override {
        handshakes.push_back(id);
        status_seen["handshake"] = status_of(id);
        HttpResponse r(101);
        r.add_header("Upgrade", "websocket");
        r.add_header("Connection", "Upgrade");
        r.add_header("Sec-WebSocket-Accept", websocket_accept_key(*req.header("Sec-WebSocket-Key")));
        EXPECT_TRUE(server->respond(id, r, {}));
        status_seen["after_101"] = status_of(id);
    }
    void on_request(SessionId id, const HttpParser &req) override {
        request_paths.emplace_back(req.path());
        request_ids.push_back(id);
        if (respond_sync) {
            HttpResponse r(200);
            r.add_header("X-Path", req.path());
            EXPECT_TRUE(server->respond(id, r, "hello " + std::string(req.path())));
        }
    }
    void on_message(SessionId id, uint8_t opcode, std::string_view data, unsigned flags) override {
        messages.push_back({id, opcode, std::string(data), flags});
        if (echo && (opcode == 1 || opcode == 2)) server->push(id, opcode, data, flag::kFin);
    }
    void on_close(SessionId id) override {
        closes.push_back(id);
        CloseInfo ci;
        EXPECT_TRUE(server->close_info(id, ci));
        EXPECT_FALSE(server->exists(id));
        close_infos[id] = ci;
        ClientInfo info;
        close_status[id] = server->client_info(id, info) ? info.websocket_status : -1;
    }
    std::map<SessionId, int> close_status;  // websocket_status seen by client_info() in on_close
    void on_disconnect(SessionId id) override { disconnects.push_back(id); }
    void on_buffer_full(SessionId id) override { buffer_full.push_back(id); }
    void on_buffer_empty(SessionId id) override { buffer_empty.push_back(id); }
    std::vector<SessionId> buffer_full, buffer_empty;
};

class ServerTest : public ::testing::Test {
protected:
    void start(ServerConfig cfg = {}) {
        cfg.host = "127.0.0.1";
        cfg.port = 0;
        cfg.handle_sigterm = false;
        auto r = Server::create(cfg, events_);
        ASSERT_TRUE(r.ok()) << r.error().message;
        server_ = std::move(r.value());
        events_.server = server_.get();
    }

    template <typename Pred>
    bool pump_until(Pred pred, int ms = 2000) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (!pred()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            server_->poll(5);
        }
        return true;
    }
    // Pumps the server until the client has a complete HTTP head (and body per
    // Content-Length); returns the response and removes it from the client's buffer.
    std::string read_http(Client &c) {
        std::string out;
        pump_until([&] {
            c.drain();
            size_t end = c.buf().find("\r\n\r\n");
            if (end == std::string::npos) return c.eof();
            size_t total = end + 4;
            size_t cl = c.buf().find("Content-Length: ");
            if (cl != std::string::npos && cl < end) total += std::stoul(c.buf().substr(cl + 16));
            if (c.buf().size() < total) return c.eof();
            out = c.buf().substr(0, total);
            c.buf().erase(0, total);
            return true;
        });
        return out;
    }
    bool read_frame(Client &c, ServerFrame &f, int ms = 2000) {
        bool got = false;
        pump_until(
            [&] {
                c.drain();
                got = take_frame(c.buf(), f);
                return got || c.eof();
            },
            ms);
        return got;
    }
    bool wait_eof(Client &c) {
        return pump_until([&] {
            c.drain();
            return c.eof();
        });
    }
    // Connects and completes the built-in handshake; returns the session id.
    SessionId open_client(Client &c) {
        EXPECT_TRUE(c.connected());
        EXPECT_TRUE(c.send(upgrade_request()));
        size_t before = events_.opens.size();
        std::string resp = read_http(c);
        EXPECT_EQ(resp.rfind("HTTP/1.1 101 ", 0), 0u) << resp;
        EXPECT_TRUE(pump_until([&] { return events_.opens.size() > before; }));
        return events_.opens.empty() ? 0 : events_.opens.back();
    }

    Events events_;
    std::unique_ptr<Server> server_;
};

}  // namespace server_test
