// Server over real sockets: the HTTP front. Requests with and without a handler, pipelining
// and deferred responses, handshake refusals, the user handshake, 100-continue.
#include "server_test_util.h"

using namespace server_test;

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
    // Swoole's WEBSOCKET_STATUS_*: HANDSHAKE while onHandShake runs, ACTIVE once it sent the 101.
    EXPECT_EQ(events_.status_seen["handshake"], websocket_status::kHandshake);
    EXPECT_EQ(events_.status_seen["after_101"], websocket_status::kActive);
    c.close();
    ASSERT_TRUE(pump_until([&] { return events_.closes.size() == 1; }));
    EXPECT_EQ(events_.close_status[events_.handshakes[0]], websocket_status::kActive);  // the peer went away
}

TEST_F(ServerTest, BuiltInHandshakeIsActiveFromBeforeHandshakeResponseOn) {
    ServerConfig cfg;
    cfg.has_before_handshake_response = true;
    start(cfg);
    Client c(server_->port());
    SessionId id = open_client(c);
    EXPECT_EQ(events_.status_seen["before_handshake_response"], websocket_status::kActive);
    EXPECT_EQ(events_.status_seen["open"], websocket_status::kActive);
    // A close handshake the peer began keeps ACTIVE (as Swoole reports it in onClose) but
    // is no longer established.
    ASSERT_TRUE(c.send(client_frame(8, close_payload(1000))));
    ASSERT_TRUE(pump_until([&] { return !events_.closes.empty(); }));
    EXPECT_EQ(events_.close_status[id], websocket_status::kActive);
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
