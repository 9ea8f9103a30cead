// Tests for src/core/net/tls.h: what a handshake refuses (plain HTTP, garbage, old protocols,
// missing client certificates), resumption, a session moved mid-handshake, idle memory.
#include "tls_test_util.h"

using namespace tls_test;

namespace {

TEST(TlsSessionTest, PlainHttpIsAnError) {
    TlsContext ctx = make_context(server_options());
    TlsSession server = make_session(ctx);
    std::string plain;
    const std::string http = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
    EXPECT_EQ(server.feed(reinterpret_cast<const uint8_t *>(http.data()), http.size(), plain), Status::Error);
    EXPECT_EQ(server.error(), "tls: handshake failed: http request (plain HTTP sent to the TLS port)");
    EXPECT_TRUE(server.closed());
    EXPECT_TRUE(plain.empty());
    EXPECT_EQ(server.feed(reinterpret_cast<const uint8_t *>(http.data()), http.size(), plain), Status::Error);
    std::string wire;
    EXPECT_FALSE(server.encrypt("x", 1, wire));
    server.shutdown(wire);
    EXPECT_TRUE(wire.empty());  // a plain-HTTP peer gets no alert
    // The thread's OpenSSL error queue is left clean.
    EXPECT_EQ(ERR_peek_error(), 0ul);
}

TEST(TlsSessionTest, GarbageIsAnError) {
    TlsContext ctx = make_context(server_options());
    {
        TlsSession server = make_session(ctx);
        std::string plain;
        const std::string junk("\x16\x03\x01\x00\x05hello", 10);  // a handshake record holding no ClientHello
        EXPECT_EQ(server.feed(reinterpret_cast<const uint8_t *>(junk.data()), junk.size(), plain), Status::Error);
        EXPECT_EQ(server.error().rfind("tls: handshake failed: ", 0), 0u) << server.error();
        EXPECT_GT(server.error().size(), std::string("tls: handshake failed: ").size());
        std::string alert;
        server.take_pending_output(alert);
        EXPECT_EQ(alert.size(), 7u) << wstest::hex(alert);  // one fatal alert record
    }
    {
        TlsSession server = make_session(ctx);
        std::string plain;
        const std::string junk("\x01\x02\x03\x04\x05\x06\x07\x08", 8);
        EXPECT_EQ(server.feed(reinterpret_cast<const uint8_t *>(junk.data()), junk.size(), plain), Status::Error);
        EXPECT_EQ(server.error(), "tls: handshake failed: wrong version number");
    }
    {
        // Corrupted application data after a good handshake.
        TlsSession server = make_session(ctx);
        Client client;
        ServerSide side;
        ASSERT_TRUE(handshake(client, server, side));
        ASSERT_TRUE(client.write("secret"));
        std::string wire = client.output();
        wire[wire.size() - 3] ^= 1;
        side = {};
        feed(server, wire, side);
        EXPECT_EQ(side.last(), Status::Error);
        EXPECT_EQ(server.error().rfind("tls: read failed: ", 0), 0u) << server.error();
        EXPECT_TRUE(side.plaintext.empty());
    }
}

TEST(TlsSessionTest, CloseNotifyDuringTheHandshake) {
    TlsContext ctx = make_context(server_options());
    TlsSession server = make_session(ctx);
    Client client;
    ServerSide side;
    EXPECT_EQ(SSL_do_handshake(client.ssl()), -1);
    // The ClientHello, then a plaintext warning alert close_notify (as a client that gives up).
    std::string wire = client.output() + std::string("\x15\x03\x03\x00\x02\x01\x00", 7);
    feed(server, wire, side);
    EXPECT_EQ(side.statuses, std::vector<Status>{Status::Closed});
    EXPECT_TRUE(server.closed());
    EXPECT_FALSE(server.handshake_done());
    EXPECT_EQ(server.error(), "");
    std::string out;
    server.shutdown(out);  // no close_notify before a handshake: only the server's flight
    EXPECT_FALSE(out.empty());
    EXPECT_EQ(ERR_peek_error(), 0ul);
}

TEST(TlsSessionTest, OldProtocolsRefusedByDefault) {
    TlsContext ctx = make_context(server_options());
    for (int version : {TLS1_VERSION, TLS1_1_VERSION}) {
        TlsSession server = make_session(ctx);
        ClientOptions co;
        co.min_version = version;
        co.max_version = version;
        co.seclevel0 = true;
        Client client(co);
        ServerSide side;
        EXPECT_FALSE(handshake(client, server, side));
        EXPECT_EQ(side.last(), Status::Error);
        EXPECT_EQ(server.error(), "tls: handshake failed: unsupported protocol") << server.error();
    }
}

TEST(TlsSessionTest, OldProtocolAcceptedWhenConfigured) {
    // Proves the refusal above is the server's min_version at work, not the client's.
    TlsOptions o = server_options();
    o.min_version = tls_version::kTls1_1;
    o.ciphers = "DEFAULT:@SECLEVEL=0";
    TlsContext ctx = make_context(o);
    TlsSession server = make_session(ctx);
    ClientOptions co;
    co.min_version = TLS1_1_VERSION;
    co.max_version = TLS1_1_VERSION;
    co.seclevel0 = true;
    Client client(co);
    ServerSide side;
    ASSERT_TRUE(handshake(client, server, side)) << server.error();
    EXPECT_EQ(server.protocol(), "TLSv1.1");
}

TEST(TlsSessionTest, ClientCertificates) {
    TlsOptions o = server_options();
    o.verify_peer = true;
    o.ca_file = g_files->ca_cert;
    TlsContext ctx = make_context(o);
    {
        // No certificate: refused.
        TlsSession server = make_session(ctx);
        Client client;
        ServerSide side;
        EXPECT_FALSE(handshake(client, server, side));
        EXPECT_EQ(side.last(), Status::Error);
        EXPECT_NE(server.error().find("peer did not return a certificate"), std::string::npos) << server.error();
    }
    {
        // Signed by the CA: accepted, and visible.
        TlsSession server = make_session(ctx);
        ClientOptions co;
        co.cert_file = g_files->client_cert;
        co.key_file = g_files->client_key;
        Client client(co);
        ServerSide side;
        ASSERT_TRUE(handshake(client, server, side)) << server.error();
        EXPECT_EQ(SSL_get_verify_result(server.native()), X509_V_OK);
        std::string pem = server.peer_certificate_pem();
        EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u) << pem;
        FILE *f = std::fopen(g_files->client_cert.c_str(), "r");
        ASSERT_NE(f, nullptr);
        std::string file(8192, '\0');
        file.resize(std::fread(&file[0], 1, file.size(), f));
        std::fclose(f);
        EXPECT_EQ(pem, file);
    }
    {
        // Self-signed: refused, with the verification error in the message.
        TlsSession server = make_session(ctx);
        ClientOptions co;
        co.cert_file = g_files->self_client_cert;
        co.key_file = g_files->self_client_key;
        Client client(co);
        ServerSide side;
        EXPECT_FALSE(handshake(client, server, side));
        EXPECT_EQ(server.error(), "tls: handshake failed: certificate verify failed (self-signed certificate)")
            << server.error();
    }
    {
        // ... unless ssl_allow_self_signed.
        o.allow_self_signed = true;
        TlsContext lenient = make_context(o);
        TlsSession server = make_session(lenient);
        ClientOptions co;
        co.cert_file = g_files->self_client_cert;
        co.key_file = g_files->self_client_key;
        Client client(co);
        ServerSide side;
        ASSERT_TRUE(handshake(client, server, side)) << server.error();
        EXPECT_EQ(SSL_get_verify_result(server.native()), X509_V_OK);
        EXPECT_FALSE(server.peer_certificate_pem().empty());
    }
}

TEST(TlsSessionTest, TicketResumption) {
    TlsContext ctx = make_context(server_options());
    std::unique_ptr<SSL_SESSION, SessionFree> ticket;
    {
        TlsSession server = make_session(ctx);
        Client client;
        ServerSide side;
        ASSERT_TRUE(handshake(client, server, side));
        client.read();  // processes the NewSessionTicket messages
        ticket.reset(SSL_get1_session(client.ssl()));
        ASSERT_TRUE(ticket);
        // OpenSSL marks the session of an SSL freed without close_notify as not resumable.
        SSL_shutdown(client.ssl());
        EXPECT_TRUE(SSL_SESSION_is_resumable(ticket.get()));
    }
    TlsSession server = make_session(ctx);
    ClientOptions co;
    co.resume = ticket.get();
    Client client(co);
    ServerSide side;
    ASSERT_TRUE(handshake(client, server, side));
    EXPECT_TRUE(SSL_session_reused(server.native()));
    EXPECT_TRUE(SSL_session_reused(client.ssl()));
}

TEST(TlsSessionTest, EncryptBeforeHandshakeFails) {
    TlsContext ctx = make_context(server_options());
    TlsSession server = make_session(ctx);
    std::string wire;
    EXPECT_FALSE(server.encrypt("x", 1, wire));
    server.shutdown(wire);
    EXPECT_TRUE(wire.empty());
    TlsSession empty;
    EXPECT_FALSE(empty.valid());
    EXPECT_FALSE(empty.encrypt("x", 1, wire));
    EXPECT_FALSE(empty.handshake_done());
    EXPECT_EQ(empty.error(), "");
}

TEST(TlsSessionTest, MovedMidHandshakeAndOutlivesItsContext) {
    auto ctx = std::make_unique<TlsContext>(make_context(server_options()));
    TlsSession first = make_session(*ctx);
    Client client;
    ServerSide side;
    EXPECT_EQ(SSL_do_handshake(client.ssl()), -1);
    feed(first, client.output(), side);
    TlsSession server(std::move(first));
    EXPECT_FALSE(first.valid());
    ctx.reset();  // the session keeps what it needs
    std::string flight;
    server.take_pending_output(flight);
    client.input(flight);
    TlsSession assigned;
    assigned = std::move(server);
    ASSERT_TRUE(handshake(client, assigned, side));
    ASSERT_TRUE(client.write("after move"));
    side.plaintext.clear();
    feed(assigned, client.output(), side);
    EXPECT_EQ(side.plaintext, "after move");
}

// Heap bytes held by one idle session after its handshake (glibc's count of allocated
// bytes; meaningless under ASan, whose allocator glibc does not see).
TEST(TlsMemory, IdleSessionAfterHandshake) {
#ifdef TLS_TEST_ASAN
    GTEST_SKIP() << "heap accounting is not glibc's under ASan";
#else
    for (int max_version : {0, TLS1_2_VERSION}) {
        TlsOptions o = server_options();
        o.alpn = {"http/1.1"};
        TlsContext ctx = make_context(o);
        constexpr int kSessions = 1000;
        std::vector<TlsSession> sessions;
        sessions.reserve(kSessions);
        // Warm up OpenSSL's lazily built tables before measuring.
        {
            TlsSession s = make_session(ctx);
            Client c;
            ServerSide side;
            ASSERT_TRUE(handshake(c, s, side));
        }
        const std::string payload(64 * 1024, 'x');
        size_t before = mallinfo2().uordblks;
        for (int i = 0; i < kSessions; i++) {
            sessions.push_back(make_session(ctx));
            ClientOptions co;
            co.max_version = max_version;
            Client c(co);
            ServerSide side;
            ASSERT_TRUE(handshake(c, sessions.back(), side));
            // Some traffic both ways: nothing of it may stay allocated once it is through.
            std::string wire;
            sessions.back().take_pending_output(wire);
            ASSERT_TRUE(sessions.back().encrypt(payload.data(), payload.size(), wire));
            c.input(wire);
            ASSERT_EQ(c.read().size(), payload.size());
            ASSERT_TRUE(c.write(payload));
            side.plaintext.clear();
            feed(sessions.back(), c.output(), side);
            ASSERT_EQ(side.plaintext.size(), payload.size());
            SSL_shutdown(c.ssl());
        }
        size_t after = mallinfo2().uordblks;
        size_t per_session = (after - before) / kSessions;
        std::printf("[ memory   ] idle %s session after handshake and 64 KiB each way: %zu bytes\n",
                    max_version ? "TLS 1.2" : "TLS 1.3", per_session);
        RecordProperty(max_version ? "bytes_per_idle_tls12_session" : "bytes_per_idle_tls13_session",
                       static_cast<int>(per_session));
        EXPECT_LT(per_session, 16384u);
    }
#endif
}

}  // namespace
