// Server over real sockets: the WebSocket front. The built-in handshake, echoes, control
// frames, protocol errors and the close handshake, push validation, the output cap,
// permessage-deflate, disconnect().
#include "server_test_util.h"

using namespace server_test;

namespace {

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
    EXPECT_GT(info.connect_time_us, 0);
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

// Swoole's heartbeat rule (idle once last_recv_time <= now - idle) to the microsecond: with
// whole seconds, a frame received at x.9 s counted as idle for 1 s at (x+1).0.
TEST_F(ServerTest, IdleSessionsCountFromTheLastReceiveToTheMicrosecond) {
    start();
    Client c(server_->port());
    SessionId id = open_client(c);
    auto listed = [&] {
        auto ids = server_->idle_sessions(1, false);
        return std::find(ids.begin(), ids.end(), id) != ids.end();
    };
    for (int round = 0; round < 3; round++) {
        auto sent = std::chrono::system_clock::now();
        size_t before = events_.messages.size();
        ASSERT_TRUE(c.send(client_frame(1, "tick")));
        ASSERT_TRUE(pump_until([&] { return events_.messages.size() > before; }));
        EXPECT_FALSE(listed());
        ASSERT_TRUE(pump_until(listed, 5000));
        std::chrono::duration<double> idle = std::chrono::system_clock::now() - sent;
        EXPECT_GE(idle.count(), 1.0) << "round " << round;
        // Land the next frame at another fraction of a second.
        std::this_thread::sleep_for(std::chrono::milliseconds(330));
    }
    ClientInfo info;
    ASSERT_TRUE(server_->client_info(id, info));
    EXPECT_GT(info.last_recv_time_us % 1000000 + info.connect_time_us % 1000000, 0);  // not whole seconds
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

}  // namespace
