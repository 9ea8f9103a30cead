// Server: the whole connection lifecycle over real sockets on 127.0.0.1. The server runs
// in the test thread through poll() loops; the client is a blocking socket read with
// MSG_DONTWAIT between iterations. Every wait is bounded (2 s by default).
#include "core/server/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

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

using namespace wsserver;

namespace {

constexpr const char *kSampleKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr const char *kSampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

std::string upgrade_request(const std::string &key = kSampleKey, const std::string &path = "/chat") {
    return "GET " + path +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: " +
           key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// A masked client frame, built with the engine's encoder.
std::string client_frame(uint8_t opcode, std::string_view payload, bool fin = true, bool masked = true) {
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

std::string close_payload(uint16_t code, std::string_view reason = {}) {
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
bool take_frame(std::string &buf, ServerFrame &out) {
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
    void on_open(SessionId id, const HttpParser &) override { opens.push_back(id); }
    void on_handshake(SessionId id, const HttpParser &req) override {
        handshakes.push_back(id);
        HttpResponse r(101);
        r.add_header("Upgrade", "websocket");
        r.add_header("Connection", "Upgrade");
        r.add_header("Sec-WebSocket-Accept", websocket_accept_key(*req.header("Sec-WebSocket-Key")));
        EXPECT_TRUE(server->respond(id, r, {}));
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

TEST_F(ServerTest, HandshakeWithRfcSampleKeyGivesExactAccept) {
    start();
    Client c(server_->port());
    ASSERT_TRUE(c.send(upgrade_request()));
    std::string resp = read_http(c);
    EXPECT_EQ(resp.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << resp;
    EXPECT_NE(resp.find(std::string("Sec-WebSocket-Accept: ") + kSampleAccept + "\r\n"), std::string::npos) << resp;
    ASSERT_TRUE(pump_until([&] { return events_.opens.size() == 1; }));
    SessionId id = events_.opens[0];
    EXPECT_TRUE(server_->is_established(id));
    ClientInfo info;
    ASSERT_TRUE(server_->client_info(id, info));
    EXPECT_EQ(info.websocket_status, websocket_status::kActive);
    EXPECT_EQ(info.remote_ip, "127.0.0.1");
    EXPECT_EQ(info.server_port, server_->port());
    EXPECT_GT(info.connect_time, 0);
    EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(ServerTest, EchoesTextAndBinaryMessages) {
    start();
    Client c(server_->port());
    SessionId id = open_client(c);
    std::string binary("\x00\x01\xff\xfe", 4);
    std::string big(70000, 'x');  // 64-bit length form, several reads
    ASSERT_TRUE(c.send(client_frame(1, "hello") + client_frame(2, binary) + client_frame(1, big)));
    ServerFrame f;
    ASSERT_TRUE(read_frame(c, f));
    EXPECT_EQ(f.opcode, 1);
    EXPECT_TRUE(f.fin);
    EXPECT_EQ(f.payload, "hello");
    ASSERT_TRUE(read_frame(c, f));
    EXPECT_EQ(f.opcode, 2);
    EXPECT_EQ(f.payload, binary);
    ASSERT_TRUE(read_frame(c, f));
    EXPECT_EQ(f.payload, big);
    ASSERT_EQ(events_.messages.size(), 3u);
    EXPECT_EQ(events_.messages[0].id, id);
    EXPECT_EQ(events_.messages[0].flags & flag::kFin, flag::kFin);
}

TEST_F(ServerTest, InterleavedPingIsAnsweredBeforeTheFragmentedMessage) {
    start();
    Client c(server_->port());
    open_client(c);
    ASSERT_TRUE(c.send(client_frame(1, "Hel", false) + client_frame(9, "p1")));
    ServerFrame f;
    ASSERT_TRUE(read_frame(c, f));
    EXPECT_EQ(f.opcode, 0xA);
    EXPECT_EQ(f.payload, "p1");
    EXPECT_TRUE(events_.messages.empty());
    ASSERT_TRUE(c.send(client_frame(0, "lo", true)));
    ASSERT_TRUE(read_frame(c, f));
    EXPECT_EQ(f.opcode, 1);
    EXPECT_EQ(f.payload, "Hello");
    ASSERT_EQ(events_.messages.size(), 1u);
    EXPECT_EQ(events_.messages[0].data, "Hello");
}

struct ProtocolErrorCase {
    const char *name;
    std::string frame;
    uint16_t code;
};

TEST_F(ServerTest, ProtocolErrorsCloseWithTheirCode) {
    ServerConfig cfg;
    cfg.package_max_length = 1000;
    start(cfg);
    const ProtocolErrorCase cases[] = {
        {"unmasked", client_frame(1, "hi", true, false), close_code::kProtocolError},
        {"invalid utf-8", client_frame(1, "\xc3\x28"), close_code::kInvalidPayload},
        {"too big", client_frame(2, std::string(2000, 'a')), close_code::kMessageTooBig},
    };
    for (const auto &tc : cases) {
        SCOPED_TRACE(tc.name);
        Client c(server_->port());
        SessionId id = open_client(c);
        ASSERT_TRUE(c.send(tc.frame));
        ServerFrame f;
        ASSERT_TRUE(read_frame(c, f));
        EXPECT_EQ(f.opcode, 8);
        EXPECT_EQ(f.close_code(), tc.code);
        EXPECT_TRUE(wait_eof(c));
        ASSERT_TRUE(pump_until([&] { return events_.close_infos.count(id) == 1; }));
        EXPECT_EQ(events_.close_infos[id].sent_code, tc.code);
    }
    EXPECT_TRUE(events_.messages.empty());
}

TEST_F(ServerTest, PeerCloseIsEchoedThenTcpClosedAndCloseFiresOnce) {
    start();
    Client c(server_->port());
    SessionId id = open_client(c);
    ASSERT_TRUE(c.send(client_frame(8, close_payload(4001, "bye"))));
    ServerFrame f;
    ASSERT_TRUE(read_frame(c, f));
    EXPECT_EQ(f.opcode, 8);
    EXPECT_EQ(f.close_code(), 4001);
    EXPECT_TRUE(wait_eof(c));
    ASSERT_TRUE(pump_until([&] { return !events_.closes.empty(); }));
    for (int i = 0; i < 5; i++) server_->poll(5);
    ASSERT_EQ(events_.closes.size(), 1u);
    EXPECT_EQ(events_.closes[0], id);
    EXPECT_EQ(events_.close_infos[id].peer_code, 4001);
    EXPECT_EQ(events_.close_infos[id].peer_reason, "bye");
    EXPECT_FALSE(server_->exists(id));
    EXPECT_EQ(server_->connection_count(), 0u);
    EXPECT_TRUE(events_.messages.empty());  // open_websocket_close_frame is off
}

TEST_F(ServerTest, AbruptEofRecords1006) {
    start();
    Client c(server_->port());
    SessionId id = open_client(c);
    c.close();
    ASSERT_TRUE(pump_until([&] { return !events_.closes.empty(); }));
    EXPECT_EQ(events_.closes.size(), 1u);
    EXPECT_EQ(events_.close_infos[id].peer_code, 1006);
    EXPECT_EQ(events_.close_infos[id].sent_code, 0);
}

TEST_F(ServerTest, PlainRequestWithoutHandlerGets400) {
    start();
    Client c(server_->port());
    ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string resp = read_http(c);
    EXPECT_EQ(resp.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << resp;
    EXPECT_TRUE(wait_eof(c));
    EXPECT_TRUE(events_.closes.empty());  // never a WebSocket: no on_close
}

TEST_F(ServerTest, RequestHandlerAnswersPipelinedRequestsInOrder) {
    ServerConfig cfg;
    cfg.has_request_handler = true;
    cfg.has_disconnect_handler = true;
    start(cfg);
    Client c(server_->port());
    ASSERT_TRUE(c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string r1 = read_http(c);
    std::string r2 = read_http(c);
    EXPECT_EQ(r1.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r1;
    EXPECT_NE(r1.find("X-Path: /a\r\n"), std::string::npos);
    EXPECT_NE(r1.find("Content-Length: 8\r\n"), std::string::npos);
    EXPECT_NE(r1.find("\r\n\r\nhello /a"), std::string::npos);
    EXPECT_NE(r2.find("\r\n\r\nhello /b"), std::string::npos) << r2;
    EXPECT_NE(r2.find("Connection: keep-alive\r\n"), std::string::npos);
    c.close();
    ASSERT_TRUE(pump_until([&] { return events_.disconnects.size() == 1; }));
    EXPECT_TRUE(events_.closes.empty());
}

TEST_F(ServerTest, DeferredResponsesKeepPipelinedOrder) {
    ServerConfig cfg;
    cfg.has_request_handler = true;
    start(cfg);
    events_.respond_sync = false;
    Client c(server_->port());
    ASSERT_TRUE(c.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    ASSERT_TRUE(pump_until([&] { return events_.request_ids.size() == 1; }));
    for (int i = 0; i < 5; i++) server_->poll(2);
    EXPECT_EQ(events_.request_ids.size(), 1u);  // the second waits for the first's response
    SessionId id = events_.request_ids[0];
    HttpResponse r(404);
    ASSERT_TRUE(server_->respond(id, r, "no"));
    EXPECT_FALSE(server_->respond(id, r, "twice"));
    EXPECT_EQ(server_->last_error(), ServerError::HttpContextUnavailable);
    ASSERT_TRUE(pump_until([&] { return events_.request_ids.size() == 2; }));
    // Streamed (chunked) answer to the second one.
    HttpResponse s(200);
    ASSERT_TRUE(server_->respond_head(id, s));
    ASSERT_TRUE(server_->write_body(id, "abc"));
    ASSERT_TRUE(server_->end_body(id, "de"));
    EXPECT_TRUE(wait_eof(c));
    std::string all = c.buf();
    EXPECT_EQ(all.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << all;
    size_t second = all.find("HTTP/1.1 200 OK\r\n");
    ASSERT_NE(second, std::string::npos) << all;
    EXPECT_NE(all.find("Transfer-Encoding: chunked\r\n", second), std::string::npos);
    EXPECT_NE(all.find("Connection: close\r\n", second), std::string::npos);
    EXPECT_NE(all.find("\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", second), std::string::npos) << all;
    EXPECT_EQ(events_.request_paths, (std::vector<std::string>{"/1", "/2"}));
}

TEST_F(ServerTest, BadHandshakeKeyGets400AndClose) {
    start();
    Client c(server_->port());
    ASSERT_TRUE(c.send(upgrade_request("not-a-key")));
    std::string resp = read_http(c);
    EXPECT_EQ(resp.rfind("HTTP/1.1 400 ", 0), 0u) << resp;
    EXPECT_TRUE(wait_eof(c));
    EXPECT_TRUE(events_.opens.empty());
}

TEST_F(ServerTest, MalformedRequestGetsParserStatus) {
    ServerConfig cfg;
    cfg.http_header_max_size = 256;
    start(cfg);
    Client c(server_->port());
    ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(400, 'a') + "\r\n\r\n"));
    std::string resp = read_http(c);
    EXPECT_EQ(resp.rfind("HTTP/1.1 431 ", 0), 0u) << resp;
    EXPECT_TRUE(wait_eof(c));
}

TEST_F(ServerTest, UserHandshakeSwitchesToWebSocketOn101) {
    ServerConfig cfg;
    cfg.user_handshake = true;
    start(cfg);
    Client c(server_->port());
    // The first frame comes in the same packet as the request.
    ASSERT_TRUE(c.send(upgrade_request() + client_frame(1, "early")));
    std::string resp = read_http(c);
    EXPECT_EQ(resp.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << resp;
    EXPECT_NE(resp.find(kSampleAccept), std::string::npos);
    ServerFrame f;
    ASSERT_TRUE(read_frame(c, f));
    EXPECT_EQ(f.payload, "early");
    ASSERT_EQ(events_.handshakes.size(), 1u);
    EXPECT_TRUE(events_.opens.empty());  // Swoole: with onHandShake, onOpen is the user's
    EXPECT_TRUE(server_->is_established(events_.handshakes[0]));
    c.close();
    ASSERT_TRUE(pump_until([&] { return events_.closes.size() == 1; }));
}

TEST_F(ServerTest, PushValidatesSessionAndFrame) {
    ServerConfig cfg;
    cfg.has_request_handler = true;
    cfg.handshake_timeout_ms = 0;
    start(cfg);
    EXPECT_FALSE(server_->push(999, 1, "x", flag::kFin));
    EXPECT_EQ(server_->last_error(), ServerError::SessionNotExist);
    Client http(server_->port());
    ASSERT_TRUE(pump_until([&] { return events_.connects.size() == 1; }));
    EXPECT_FALSE(server_->push(events_.connects[0], 1, "x", flag::kFin));
    EXPECT_EQ(server_->last_error(), ServerError::Unconnected);
    Client ws(server_->port());
    SessionId id = open_client(ws);
    EXPECT_FALSE(server_->push(id, 3, "x", flag::kFin));
    EXPECT_EQ(server_->last_error(), ServerError::BadOpcode);
    EXPECT_FALSE(server_->push(id, 9, std::string(126, 'p'), flag::kFin));
    EXPECT_EQ(server_->last_error(), ServerError::PackFailed);
    EXPECT_FALSE(server_->disconnect(id, 1001));
    EXPECT_FALSE(server_->disconnect(id, 4000, std::string(124, 'r')));
    EXPECT_TRUE(server_->is_established(id));
    EXPECT_TRUE(server_->push(id, 1, "still fine", flag::kFin));
    ServerFrame f;
    ASSERT_TRUE(read_frame(ws, f));
    EXPECT_EQ(f.payload, "still fine");
}

TEST_F(ServerTest, OutputCapRefusesPushWithoutHurtingOthers) {
    ServerConfig cfg;
    cfg.socket_buffer_size = 256 * 1024;
    cfg.buffer_high_watermark = 128 * 1024;
    start(cfg);
    Client slow(server_->port(), 4096);
    SessionId slow_id = open_client(slow);
    Client fast(server_->port());
    SessionId fast_id = open_client(fast);
    std::string chunk(32 * 1024, 'z');
    bool refused = false;
    for (int i = 0; i < 2000 && !refused; i++) refused = !server_->push(slow_id, 2, chunk, flag::kFin);
    ASSERT_TRUE(refused);
    EXPECT_EQ(server_->last_error(), ServerError::OutputBufferOverflow);
    ClientInfo info;
    ASSERT_TRUE(server_->client_info(slow_id, info));
    EXPECT_GT(info.send_queued_bytes, 0u);
    EXPECT_LE(info.send_queued_bytes, cfg.socket_buffer_size);
    EXPECT_TRUE(server_->is_established(slow_id));
    ASSERT_TRUE(fast.send(client_frame(1, "ping-pong")));
    ServerFrame f;
    ASSERT_TRUE(read_frame(fast, f));
    EXPECT_EQ(f.payload, "ping-pong");
    EXPECT_NE(fast_id, slow_id);
    // The slow client reads everything: the queue drains, pushes work again.
    size_t got = 0;
    ASSERT_TRUE(pump_until([&] {
        slow.drain();
        got += slow.buf().size();
        slow.buf().clear();
        ClientInfo i2;
        return server_->client_info(slow_id, i2) && i2.send_queued_bytes == 0;
    }));
    EXPECT_TRUE(server_->push(slow_id, 2, chunk, flag::kFin));
    EXPECT_EQ(events_.buffer_full, (std::vector<SessionId>{slow_id}));
    EXPECT_EQ(events_.buffer_empty, (std::vector<SessionId>{slow_id}));
}

TEST_F(ServerTest, NegotiatesPermessageDeflateAndCompressesPushes) {
    ServerConfig cfg;
    cfg.websocket_compression = true;
    start(cfg);
    events_.echo = false;
    Client c(server_->port());
    std::string req = upgrade_request();
    req.insert(req.size() - 2, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
    ASSERT_TRUE(c.send(req));
    std::string resp = read_http(c);
    EXPECT_NE(resp.find("Sec-WebSocket-Extensions: permessage-deflate"), std::string::npos) << resp;
    ASSERT_TRUE(pump_until([&] { return events_.opens.size() == 1; }));
    SessionId id = events_.opens[0];
    std::string text(4000, 'a');
    ASSERT_TRUE(server_->push(id, 1, text, flag::kFin | flag::kCompress));
    // The raw first byte: FIN + RSV1 + text.
    ASSERT_TRUE(pump_until([&] {
        c.drain();
        return !c.buf().empty();
    }));
    EXPECT_EQ(static_cast<uint8_t>(c.buf()[0]), 0xC1);
    ServerFrame f;
    ASSERT_TRUE(read_frame(c, f));
    EXPECT_LT(f.payload.size(), text.size());
    std::string plain;
    ASSERT_EQ(inflate_message(reinterpret_cast<const uint8_t *>(f.payload.data()), f.payload.size(), plain, 1 << 20),
              Inflater::Result::Ok);
    EXPECT_EQ(plain, text);
    // A compressed client message is inflated before on_message.
    std::string deflated;
    ASSERT_TRUE(deflate_message(reinterpret_cast<const uint8_t *>(text.data()), text.size(), deflated));
    std::string frame = client_frame(1, deflated);
    frame[0] = static_cast<char>(frame[0] | 0x40);
    ASSERT_TRUE(c.send(frame));
    ASSERT_TRUE(pump_until([&] { return events_.messages.size() == 1; }));
    EXPECT_EQ(events_.messages[0].data, text);
    EXPECT_TRUE(events_.messages[0].flags & flag::kCompress);
}

TEST_F(ServerTest, ExpectContinueGets100BeforeTheBody) {
    ServerConfig cfg;
    cfg.has_request_handler = true;
    start(cfg);
    Client c(server_->port());
    ASSERT_TRUE(c.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
    std::string interim = read_http(c);
    EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
    ASSERT_TRUE(c.send("data"));
    std::string resp = read_http(c);
    EXPECT_EQ(resp.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << resp;
    EXPECT_EQ(events_.request_paths, (std::vector<std::string>{"/up"}));
}

TEST_F(ServerTest, RawSendAndResetClose) {
    start();
    Client c(server_->port());
    SessionId id = open_client(c);
    ASSERT_TRUE(server_->send(id, std::string("\x81\x02hi", 4)));
    ServerFrame f;
    ASSERT_TRUE(read_frame(c, f));
    EXPECT_EQ(f.payload, "hi");
    ASSERT_TRUE(server_->close(id, true));
    EXPECT_FALSE(server_->exists(id));
    EXPECT_FALSE(server_->close(id));
    EXPECT_EQ(server_->last_error(), ServerError::SessionNotExist);
    EXPECT_TRUE(wait_eof(c));
    ASSERT_EQ(events_.closes.size(), 1u);
    EXPECT_EQ(events_.close_infos[id].peer_code, 1006);
}

TEST_F(ServerTest, DisconnectSendsCloseAndWaitsForTheReply) {
    start();
    Client c(server_->port());
    SessionId id = open_client(c);
    ASSERT_TRUE(server_->disconnect(id, 4000, "go"));
    ClientInfo info;
    ASSERT_TRUE(server_->client_info(id, info));
    EXPECT_EQ(info.websocket_status, websocket_status::kClosing);
    EXPECT_FALSE(server_->push(id, 1, "late", flag::kFin));
    ServerFrame f;
    ASSERT_TRUE(read_frame(c, f));
    EXPECT_EQ(f.opcode, 8);
    EXPECT_EQ(f.close_code(), 4000);
    EXPECT_EQ(f.payload.substr(2), "go");
    ASSERT_TRUE(c.send(client_frame(8, close_payload(4000))));
    EXPECT_TRUE(wait_eof(c));
    ASSERT_EQ(events_.closes.size(), 1u);
    EXPECT_EQ(events_.close_infos[id].sent_code, 4000);
    EXPECT_EQ(events_.close_infos[id].peer_code, 4000);
}

TEST_F(ServerTest, StopSends1001AndFinishes) {
    start();
    Client a(server_->port());
    SessionId ida = open_client(a);
    Client b(server_->port());
    open_client(b);
    server_->stop();
    ServerFrame f;
    ASSERT_TRUE(read_frame(a, f));
    EXPECT_EQ(f.opcode, 8);
    EXPECT_EQ(f.close_code(), 1001);
    ASSERT_TRUE(read_frame(b, f));
    EXPECT_EQ(f.close_code(), 1001);
    EXPECT_TRUE(server_->stopping());
    ASSERT_TRUE(a.send(client_frame(8, close_payload(1001))));
    ASSERT_TRUE(b.send(client_frame(8, close_payload(1001))));
    ASSERT_TRUE(pump_until([&] { return server_->connection_count() == 0; }));
    EXPECT_EQ(events_.closes.size(), 2u);
    EXPECT_EQ(events_.close_infos[ida].sent_code, 1001);
    EXPECT_TRUE(wait_eof(a));
    // No new connections are served.
    Client late(server_->port());
    for (int i = 0; i < 5; i++) server_->poll(2);
    EXPECT_EQ(events_.connects.size(), 2u);
}

TEST_F(ServerTest, RunReturnsAfterStopFromAnotherThreadWithinTheTimeout) {
    ServerConfig cfg;
    cfg.stop_timeout_ms = 200;
    start(cfg);
    Client c(server_->port());
    open_client(c);  // never answers the close: the stop timeout ends it
    std::thread stopper([this] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        server_->stop();
    });
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(server_->run(), 0);
    stopper.join();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(ms, 2000);
    EXPECT_EQ(server_->connection_count(), 0u);
    EXPECT_EQ(events_.closes.size(), 1u);
}

TEST_F(ServerTest, SessionIdsAreUniqueAndIncreasing) {
    ServerConfig cfg;
    cfg.handshake_timeout_ms = 0;
    start(cfg);
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 3; i++) clients.push_back(std::make_unique<Client>(server_->port()));
    ASSERT_TRUE(pump_until([&] { return events_.connects.size() == 3; }));
    EXPECT_EQ(events_.connects, (std::vector<SessionId>{1, 2, 3}));
    EXPECT_EQ(server_->session_ids(), (std::vector<SessionId>{1, 2, 3}));
    ASSERT_TRUE(server_->close(2));
    EXPECT_FALSE(server_->exists(2));
    EXPECT_EQ(server_->connection_count(), 2u);
    clients.push_back(std::make_unique<Client>(server_->port()));
    ASSERT_TRUE(pump_until([&] { return events_.connects.size() == 4; }));
    EXPECT_EQ(events_.connects.back(), 4);
    EXPECT_EQ(server_->session_ids(), (std::vector<SessionId>{1, 3, 4}));
}

TEST_F(ServerTest, HandshakeTimeoutClosesSilentConnections) {
    ServerConfig cfg;
    cfg.handshake_timeout_ms = 50;
    start(cfg);
    Client c(server_->port());
    EXPECT_TRUE(wait_eof(c));
    EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(ServerTest, IdleConnectionIsSmall) {
    std::printf("[ server ] sizeof(Connection) = %zu bytes\n", Server::connection_size());
    EXPECT_LE(Server::connection_size(), 256u);
}

}  // namespace

// reconfigure(): the binding's set() after the bind. Settings apply to the connections
// that come after; the listener keeps its address; refused once a connection arrived.
TEST_F(ServerTest, ReconfigureBeforeTheFirstConnectionAppliesTheSettings) {
    start();
    const uint16_t port = server_->port();
    ServerConfig next;
    next.host = "0.0.0.0";  // ignored: the listener is already bound
    next.port = 1;
    next.has_request_handler = true;
    next.websocket_subprotocol = "chat";
    events_.respond_sync = true;
    ASSERT_TRUE(server_->reconfigure(next));
    EXPECT_EQ(server_->port(), port);
    EXPECT_EQ(server_->config().host, "127.0.0.1");
    EXPECT_EQ(server_->config().websocket_subprotocol, "chat");

    Client c(server_->port());
    ASSERT_TRUE(c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"));
    std::string resp = read_http(c);
    EXPECT_EQ(resp.rfind("HTTP/1.1 200 ", 0), 0u) << resp;  // has_request_handler took effect
    EXPECT_FALSE(server_->reconfigure(next));
}

// During on_close the closed session still answers client_info() (status CLOSING).
TEST_F(ServerTest, ClientInfoDuringOnCloseReportsClosing) {
    start();
    Client c(server_->port());
    SessionId id = open_client(c);
    ASSERT_NE(id, 0u);
    ASSERT_TRUE(c.send(client_frame(0x8, close_payload(1000))));
    ASSERT_TRUE(pump_until([&] { return !events_.closes.empty(); }));
    EXPECT_EQ(events_.close_status[id], websocket_status::kClosing);
    ClientInfo info;
    EXPECT_FALSE(server_->client_info(id, info));  // gone after on_close returned
}

// ---- SWOOLE_PROCESS: a ProcessMaster (reactor thread) and a worker Server in this process.
// The master's thread owns the socket and does the protocol work; the worker Server, pumped
// here, gets the events over the PacketChannel and sends its pushes back.
class ProcessMasterTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto table = ConnectionTable::create({64, 1});
        ASSERT_TRUE(table.ok()) << table.error().message;
        table_ = std::make_unique<ConnectionTable>(std::move(table.value()));
        ServerConfig cfg;
        cfg.host = "127.0.0.1";
        cfg.port = 0;
        cfg.handle_sigterm = false;
        auto proto = Server::create(cfg, proto_events_);
        ASSERT_TRUE(proto.ok()) << proto.error().message;
        proto_ = std::move(proto.value());
        proto_->serve_no_connections();
        log_path_ = "/tmp/wsserver_process_master_test_" + std::to_string(::getpid()) + ".log";
        ASSERT_TRUE(logger_.open(log_path_).ok());
        proto_->set_logger(&logger_);
        auto channels = ProcessChannels::create(1, 1);
        ASSERT_TRUE(channels.ok()) << channels.error().message;
        ProcessMasterOptions mo;
        mo.reactor_num = 1;
        mo.worker_num = 1;
        mo.table = table_.get();
        auto master = ProcessMaster::create(*proto_, cfg, mo, std::move(channels.value().master_ends));
        ASSERT_TRUE(master.ok()) << master.error().message;
        master_ = std::move(master.value());
        auto worker = Server::create(cfg, events_);
        ASSERT_TRUE(worker.ok()) << worker.error().message;
        worker_ = std::move(worker.value());
        events_.server = worker_.get();
        worker_->serve_no_connections();
        ASSERT_TRUE(worker_->attach_table(*table_, 0));
        ASSERT_EQ(worker_->attach_master(std::move(channels.value().worker_ends[0])), 0);
        master_->start();
    }
    void TearDown() override {
        if (master_) {
            master_->stop();
            master_->join();
        }
        ::unlink(log_path_.c_str());
    }
    template <typename Pred>
    bool pump_until(Pred pred, int ms = 2000) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (!pred()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            worker_->poll(5);
        }
        return true;
    }
    bool read_frame(Client &c, ServerFrame &f) {
        bool got = false;
        pump_until([&] {
            c.drain();
            got = take_frame(c.buf(), f);
            return got || c.eof();
        });
        return got;
    }
    SessionId open_client(Client &c) {
        EXPECT_TRUE(c.send(upgrade_request()));
        EXPECT_TRUE(pump_until([&] {
            c.drain();
            return c.buf().find("\r\n\r\n") != std::string::npos || c.eof();
        }));
        EXPECT_EQ(c.buf().rfind("HTTP/1.1 101 ", 0), 0u) << c.buf();
        c.buf().erase(0, c.buf().find("\r\n\r\n") + 4);
        EXPECT_TRUE(pump_until([&] { return !events_.opens.empty(); }));
        return events_.opens.empty() ? 0 : events_.opens.back();
    }

    Events proto_events_;
    Events events_;
    Logger logger_;
    std::string log_path_;
    std::unique_ptr<ConnectionTable> table_;
    std::unique_ptr<Server> proto_;
    std::unique_ptr<Server> worker_;
    std::unique_ptr<ProcessMaster> master_;
};

TEST_F(ProcessMasterTest, WorkerGetsTheEventsAndItsEchoesComeBackInOrder) {
    Client c(proto_->port());
    ASSERT_TRUE(c.connected());
    SessionId id = open_client(c);
    ASSERT_NE(id, 0u);
    EXPECT_TRUE(worker_->is_established(id));  // from the shared table
    // 16 messages in one write, a ping between them, then a close: echoes and pong in the
    // order of the input (the pong and the close reply wait for the worker), then the close.
    std::string burst;
    for (int i = 0; i < 8; i++) burst += client_frame(0x1, "m" + std::to_string(i));
    burst += client_frame(0x9, "p");
    for (int i = 8; i < 16; i++) burst += client_frame(0x1, "m" + std::to_string(i));
    burst += client_frame(0x8, close_payload(1000, "bye"));
    ASSERT_TRUE(c.send(burst));
    std::vector<std::string> got;
    for (int i = 0; i < 18; i++) {
        ServerFrame f;
        ASSERT_TRUE(read_frame(c, f)) << "frame " << i;
        got.push_back(std::to_string(f.opcode) + ":" + (f.opcode == 0x8 ? std::to_string(f.close_code()) : f.payload));
    }
    std::vector<std::string> want;
    for (int i = 0; i < 8; i++) want.push_back("1:m" + std::to_string(i));
    want.push_back("10:p");
    for (int i = 8; i < 16; i++) want.push_back("1:m" + std::to_string(i));
    want.push_back("8:1000");
    EXPECT_EQ(got, want);
    ASSERT_TRUE(pump_until([&] {
        c.drain();
        return c.eof() && !events_.closes.empty();
    }));
    ASSERT_EQ(events_.closes.size(), 1u);
    EXPECT_EQ(events_.close_infos[id].peer_code, 1000);
    EXPECT_EQ(events_.close_infos[id].peer_reason, "bye");
    EXPECT_EQ(events_.close_status[id], websocket_status::kClosing);  // client_info() in on_close
}

TEST_F(ProcessMasterTest, LargeMessagesCrossTheHopBothWays) {
    Client c(proto_->port());
    SessionId id = open_client(c);
    ASSERT_NE(id, 0u);
    std::string big(1536 * 1024 + 17, 'x');  // under package_max_length (2 MiB), 25 records
    for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
    ASSERT_TRUE(c.send(client_frame(0x2, big)));
    ServerFrame f;
    ASSERT_TRUE(read_frame(c, f));
    EXPECT_EQ(f.opcode, 0x2);
    EXPECT_TRUE(f.payload == big);
}

// A worker that never reads: once its pipe holds the bound (64 MiB here), the connection
// whose event cannot be delivered is closed and the log says why; nothing is dropped silently.
TEST_F(ProcessMasterTest, StuckWorkerPipeFullClosesTheConnectionWithALogLine) {
    Client c(proto_->port());
    SessionId id = open_client(c);
    ASSERT_NE(id, 0u);
    const std::string frame = client_frame(0x2, std::string(1900 * 1024, 'x'));
    bool closed = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    // The worker is never pumped from here on. 60 x 1.9 MiB is past 64 MiB.
    for (int i = 0; i < 60 && !closed && std::chrono::steady_clock::now() < deadline; i++) {
        closed = !c.send(frame);
        c.drain();
        closed = closed || c.eof();
    }
    for (int i = 0; i < 400 && !closed; i++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        c.drain();
        closed = c.eof();
    }
    EXPECT_TRUE(closed);
    std::FILE *f = std::fopen(log_path_.c_str(), "r");
    ASSERT_NE(f, nullptr);
    char line[512] = {};
    bool logged = false;
    while (std::fgets(line, sizeof line, f)) logged = logged || std::strstr(line, "the pipe to worker#0 is full");
    std::fclose(f);
    EXPECT_TRUE(logged);
}

TEST_F(ProcessMasterTest, HttpRequestIsAnsweredByTheWorker) {
    Client c(proto_->port());
    // has_request_handler is the master's setting: without it the master answers 400 itself.
    ASSERT_TRUE(c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"));
    ASSERT_TRUE(pump_until([&] {
        c.drain();
        return c.buf().find("\r\n\r\n") != std::string::npos || c.eof();
    }));
    EXPECT_EQ(c.buf().rfind("HTTP/1.1 400 ", 0), 0u) << c.buf();
    EXPECT_TRUE(events_.request_paths.empty());
}

namespace {

struct RawEvents : Events {
    std::vector<std::pair<SessionId, std::string>> received;
    void on_receive(SessionId id, std::string_view data) override {
        received.emplace_back(id, std::string(data));
        server->send(id, "raw:" + std::string(data));
    }
};

}  // namespace

// listen(): an extra raw-TCP listener and an extra WebSocket listener with its own
// message cap serve beside the main WebSocket one; each connection follows its
// listener's protocol and reports its port.
TEST(ServerListeners, ExtraListenersServeWithTheirOwnProtocol) {
    RawEvents events;
    ServerConfig cfg;
    cfg.host = "127.0.0.1";
    cfg.handle_sigterm = false;
    auto created = Server::create(cfg, events);
    ASSERT_TRUE(created.ok()) << created.error().message;
    Server &server = *created.value();
    events.server = &server;
    ListenOptions lo;
    lo.host = "127.0.0.1";
    ServerConfig raw = cfg;
    raw.raw_tcp = true;
    auto raw_index = server.add_listener(lo, raw);
    ASSERT_TRUE(raw_index.ok()) << raw_index.error().message;
    ServerConfig small = cfg;
    small.package_max_length = 8;
    auto ws_index = server.add_listener(lo, small);
    ASSERT_TRUE(ws_index.ok());
    EXPECT_EQ(raw_index.value(), 1u);
    EXPECT_EQ(ws_index.value(), 2u);
    ASSERT_EQ(server.listener_count(), 3u);
    const uint16_t raw_port = server.listener(1).port(), ws_port = server.listener(2).port();
    EXPECT_NE(raw_port, server.port());
    EXPECT_NE(ws_port, raw_port);

    auto pump_until = [&](auto pred) {  // pred is called until it is true, never after
        for (int i = 0; i < 400; i++) {
            if (pred()) return true;
            server.poll(5);
        }
        return false;
    };
    Client main_client(server.port()), raw_client(raw_port), ws_client(ws_port);
    ASSERT_TRUE(raw_client.send("GET / HTTP/1.1\r\n\r\n"));  // bytes, not a request, on the raw port
    ASSERT_TRUE(pump_until([&] {
        raw_client.drain();
        return raw_client.buf() == "raw:GET / HTTP/1.1\r\n\r\n";
    })) << raw_client.buf();
    ASSERT_EQ(events.received.size(), 1u);
    SessionId raw_id = events.received[0].first;
    EXPECT_EQ(server.listener_of(raw_id), 1);
    ClientInfo info;
    ASSERT_TRUE(server.client_info(raw_id, info));
    EXPECT_EQ(info.server_port, raw_port);
    EXPECT_EQ(info.server_fd, server.listener(1).fd());

    for (Client *c : {&main_client, &ws_client}) {
        ASSERT_TRUE(c->send(upgrade_request()));
        ASSERT_TRUE(pump_until([&] {
            c->drain();
            return c->buf().find("\r\n\r\n") != std::string::npos;
        }));
        EXPECT_EQ(c->buf().rfind("HTTP/1.1 101 ", 0), 0u);
        c->buf().clear();
    }
    ASSERT_EQ(events.opens.size(), 2u);
    EXPECT_EQ(server.listener_of(events.opens[0]), 0);
    EXPECT_EQ(server.listener_of(events.opens[1]), 2);
    ASSERT_TRUE(server.client_info(events.opens[1], info));
    EXPECT_EQ(info.server_port, ws_port);
    // 12 bytes: within the main listener's cap, past the extra one's (1009).
    ASSERT_TRUE(main_client.send(client_frame(1, "twelve bytes")));
    ASSERT_TRUE(ws_client.send(client_frame(1, "twelve bytes")));
    ServerFrame f, closing;
    ASSERT_TRUE(pump_until([&] {
        main_client.drain();
        return take_frame(main_client.buf(), f);
    }));
    EXPECT_EQ(f.payload, "twelve bytes");
    ASSERT_TRUE(pump_until([&] {
        ws_client.drain();
        return take_frame(ws_client.buf(), closing);
    }));
    EXPECT_EQ(closing.opcode, 8);
    EXPECT_EQ(closing.close_code(), 1009);
    EXPECT_EQ(server.listener_of(9999), -1);
}
