// Server: the whole connection lifecycle over real sockets on 127.0.0.1. The server runs
// in the test thread through poll() loops; the client is a blocking socket read with
// MSG_DONTWAIT between iterations. Every wait is bounded (2 s by default).
//
// Accept, raw send/close, stop, session ids, timeouts, reconfigure, introspection, extra
// listeners. HTTP, WebSocket and SWOOLE_PROCESS cases have files of their own.
#include "server_test_util.h"

#include <cstdio>

using namespace server_test;

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

// During on_close the closed session still answers client_info(): ACTIVE after the
// peer's close, as Swoole reports it (CLOSING only after disconnect()).
TEST_F(ServerTest, ClientInfoDuringOnCloseAfterPeerCloseReportsActive) {
    start();
    Client c(server_->port());
    SessionId id = open_client(c);
    ASSERT_NE(id, 0u);
    ASSERT_TRUE(c.send(client_frame(0x8, close_payload(1000))));
    ASSERT_TRUE(pump_until([&] { return !events_.closes.empty(); }));
    EXPECT_EQ(events_.close_status[id], websocket_status::kActive);
    ClientInfo info;
    EXPECT_FALSE(server_->client_info(id, info));  // gone after on_close returned
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
