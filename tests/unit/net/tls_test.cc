// Tests for src/core/net/tls.h: a server TlsSession against an OpenSSL client over memory BIOs,
// driven in bounded loops in this thread. Certificates and keys are made at start-up with
// the OpenSSL API (EC P-256, plus one RSA key) in a temporary directory.
//
// Contexts, handshakes and data both ways; refusals, protocol versions, client certificates,
// resumption and memory are in tls_handshake_test.cc.
#include "tls_test_util.h"

using namespace tls_test;

namespace {

class TlsEnvironment : public ::testing::Environment {
public:
    void SetUp() override {
        char tmpl[] = "/tmp/wsserver-tls-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        auto f = std::make_unique<Files>();
        f->dir = tmpl;
        auto p = [&](const char *name) { return f->dir + "/" + name; };
        f->server_cert = p("server.pem");
        f->server_key = p("server.key");
        f->other_key = p("other.key");
        f->rsa_key = p("rsa.key");
        f->encrypted_key = p("encrypted.key");
        f->ca_cert = p("ca.pem");
        f->client_cert = p("client.pem");
        f->client_key = p("client.key");
        f->self_client_cert = p("self-client.pem");
        f->self_client_key = p("self-client.key");
        f->garbage = p("garbage.pem");

        PKey server_key = make_key(EVP_PKEY_EC), other = make_key(EVP_PKEY_EC), rsa = make_key(EVP_PKEY_RSA);
        PKey ca_key = make_key(EVP_PKEY_EC), client_key = make_key(EVP_PKEY_EC), self_key = make_key(EVP_PKEY_EC);
        ASSERT_TRUE(server_key && other && rsa && ca_key && client_key && self_key);
        Cert server = make_cert(server_key.get(), "localhost", nullptr, nullptr, false);
        Cert ca = make_cert(ca_key.get(), "wsserver test CA", nullptr, nullptr, true);
        Cert client = make_cert(client_key.get(), "client", ca.get(), ca_key.get(), false);
        Cert self_client = make_cert(self_key.get(), "self-client", nullptr, nullptr, false);
        ASSERT_TRUE(write_cert(f->server_cert, server.get()));
        ASSERT_TRUE(write_key(f->server_key, server_key.get()));
        ASSERT_TRUE(write_key(f->other_key, other.get()));
        ASSERT_TRUE(write_key(f->rsa_key, rsa.get()));
        ASSERT_TRUE(write_key(f->encrypted_key, server_key.get(), "secret"));
        ASSERT_TRUE(write_cert(f->ca_cert, ca.get()));
        ASSERT_TRUE(write_cert(f->client_cert, client.get()));
        ASSERT_TRUE(write_key(f->client_key, client_key.get()));
        ASSERT_TRUE(write_cert(f->self_client_cert, self_client.get()));
        ASSERT_TRUE(write_key(f->self_client_key, self_key.get()));
        ASSERT_TRUE(write_text(f->garbage, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n"));
        g_files = f.release();
    }
    void TearDown() override {
        if (!g_files) return;
        std::error_code ec;
        std::filesystem::remove_all(g_files->dir, ec);
        delete g_files;
        g_files = nullptr;
    }
};

const ::testing::Environment *const g_env = ::testing::AddGlobalTestEnvironment(new TlsEnvironment);

// --- TlsContext -------------------------------------------------------------------------------

TEST(TlsContextTest, LoadsCertificateAndKey) {
    auto ctx = TlsContext::create(server_options());
    ASSERT_TRUE(ctx.ok()) << ctx.error().message;
    EXPECT_NE(ctx->native(), nullptr);
}

TEST(TlsContextTest, MissingFilesNameTheSettingAndErrno) {
    TlsOptions o = server_options();
    o.cert_file = g_files->dir + "/nope.pem";
    auto ctx = TlsContext::create(o);
    ASSERT_FALSE(ctx.ok());
    EXPECT_EQ(ctx.error().message, "ssl_cert_file '" + o.cert_file + "': No such file or directory");
    EXPECT_EQ(ctx.error().code, ENOENT);

    o = server_options();
    o.key_file = g_files->dir + "/nope.key";
    EXPECT_EQ(context_error(o), "ssl_key_file '" + o.key_file + "': No such file or directory");

    o = server_options();
    o.cert_file = g_files->dir;
    EXPECT_EQ(context_error(o), "ssl_cert_file '" + g_files->dir + "': Is a directory");

    o = server_options();
    o.cert_file.clear();
    EXPECT_EQ(context_error(o), "ssl_cert_file is not set");
    o = server_options();
    o.key_file.clear();
    EXPECT_EQ(context_error(o), "ssl_key_file is not set");

    o = server_options();
    o.verify_peer = true;
    o.ca_file = g_files->dir + "/nope-ca.pem";
    EXPECT_EQ(context_error(o), "ssl_client_cert_file '" + o.ca_file + "': No such file or directory");
}

TEST(TlsContextTest, MismatchedKey) {
    TlsOptions o = server_options();
    o.key_file = g_files->other_key;  // EC, another key
    std::string msg = context_error(o);
    EXPECT_EQ(msg.rfind("ssl_key_file '" + o.key_file + "': private key does not match the certificate (error:", 0), 0u)
        << msg;

    o.key_file = g_files->rsa_key;  // another type altogether
    msg = context_error(o);
    EXPECT_EQ(msg.rfind("ssl_key_file '" + o.key_file + "': private key does not match the certificate", 0), 0u)
        << msg;
}

TEST(TlsContextTest, GarbagePem) {
    TlsOptions o = server_options();
    o.cert_file = g_files->garbage;
    std::string msg = context_error(o);
    EXPECT_EQ(msg.rfind("ssl_cert_file '" + o.cert_file + "': cannot load the certificate (error:", 0), 0u) << msg;

    o = server_options();
    o.key_file = g_files->garbage;
    msg = context_error(o);
    EXPECT_EQ(msg.rfind("ssl_key_file '" + o.key_file + "': cannot load the private key (error:", 0), 0u) << msg;

    // A key file given as the certificate: no certificate in it.
    o = server_options();
    o.cert_file = g_files->server_key;
    msg = context_error(o);
    EXPECT_NE(msg.find("cannot load the certificate"), std::string::npos) << msg;
}

TEST(TlsContextTest, EncryptedKeyNeedsThePassphraseAndNeverPrompts) {
    TlsOptions o = server_options();
    o.key_file = g_files->encrypted_key;
    std::string msg = context_error(o);
    EXPECT_NE(msg.find("cannot load the private key"), std::string::npos) << msg;
    o.passphrase = "wrong";
    msg = context_error(o);
    EXPECT_NE(msg.find("cannot load the private key"), std::string::npos) << msg;
    o.passphrase = "secret";
    auto ctx = TlsContext::create(o);
    EXPECT_TRUE(ctx.ok()) << ctx.error().message;
}

TEST(TlsContextTest, BadSettings) {
    TlsOptions o = server_options();
    o.ciphers = "NO-SUCH-CIPHER";
    std::string msg = context_error(o);
    EXPECT_EQ(msg.rfind("ssl_ciphers 'NO-SUCH-CIPHER': no usable cipher (error:", 0), 0u) << msg;

    o = server_options();
    o.ciphersuites = "TLS_NOPE";
    EXPECT_NE(context_error(o).find("no usable TLS 1.3 suite"), std::string::npos);

    o = server_options();
    o.min_version = tls_version::kTls1_3;
    o.max_version = tls_version::kTls1_2;
    EXPECT_EQ(context_error(o), "tls: min_version is above max_version");

    o = server_options();
    o.min_version = 0x9999;
    EXPECT_NE(context_error(o).find("unsupported min_version"), std::string::npos);

    o = server_options();
    o.alpn = {"http/1.1", ""};
    EXPECT_EQ(context_error(o), "tls alpn protocol '' must be 1 to 255 bytes");

    o = server_options();
    o.verify_peer = true;
    EXPECT_NE(context_error(o).find("ssl_verify_peer needs ssl_client_cert_file"), std::string::npos);

    o = server_options();
    o.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
    auto ctx = TlsContext::create(o);
    EXPECT_TRUE(ctx.ok()) << ctx.error().message;
}

// --- TlsSession -------------------------------------------------------------------------------

TEST(TlsSessionTest, HandshakeAndDataBothWays) {
    TlsContext ctx = make_context(server_options());
    TlsSession server = make_session(ctx);
    Client client;
    ServerSide side;
    EXPECT_FALSE(server.handshake_done());
    ASSERT_TRUE(handshake(client, server, side));
    EXPECT_EQ(side.count(Status::HandshakeDone), 1);
    EXPECT_EQ(side.count(Status::Error), 0);
    EXPECT_TRUE(server.handshake_done());
    EXPECT_EQ(server.protocol(), "TLSv1.3");
    EXPECT_FALSE(server.cipher().empty());
    EXPECT_EQ(server.alpn(), "");
    EXPECT_EQ(server.peer_certificate_pem(), "");

    ASSERT_TRUE(client.write("GET /chat HTTP/1.1\r\n\r\n"));
    side.statuses.clear();
    feed(server, client.output(), side);
    EXPECT_EQ(side.statuses, std::vector<Status>{Status::Ok});
    EXPECT_EQ(side.plaintext, "GET /chat HTTP/1.1\r\n\r\n");

    std::string wire;
    const char head[] = {'\x81', '\x05'};
    ASSERT_TRUE(server.encrypt(head, sizeof head, "hello", 5, wire));
    ASSERT_TRUE(server.encrypt(nullptr, 0, "!", 1, wire));
    ASSERT_TRUE(server.encrypt("??", 2, nullptr, 0, wire));
    ASSERT_TRUE(server.encrypt(nullptr, 0, nullptr, 0, wire));
    client.input(wire);
    EXPECT_EQ(client.read(), std::string("\x81\x05hello!??"));
}

TEST(TlsSessionTest, Tls12Handshake) {
    TlsContext ctx = make_context(server_options());
    TlsSession server = make_session(ctx);
    ClientOptions co;
    co.max_version = TLS1_2_VERSION;
    Client client(co);
    ServerSide side;
    ASSERT_TRUE(handshake(client, server, side));
    EXPECT_EQ(server.protocol(), "TLSv1.2");
    ASSERT_TRUE(client.write("ping"));
    feed(server, client.output(), side);
    EXPECT_EQ(side.plaintext, "ping");
    std::string wire;
    ASSERT_TRUE(server.encrypt("pong", 4, wire));
    client.input(wire);
    EXPECT_EQ(client.read(), "pong");
}

TEST(TlsSessionTest, ServerCertificateVerifiesAtTheClient) {
    TlsContext ctx = make_context(server_options());
    TlsSession server = make_session(ctx);
    ClientOptions co;
    co.verify_ca = g_files->server_cert;  // self-signed: its own trust anchor
    Client client(co);
    ServerSide side;
    ASSERT_TRUE(handshake(client, server, side));
    EXPECT_EQ(SSL_get_verify_result(client.ssl()), X509_V_OK);
}

TEST(TlsSessionTest, OneByteFeeds) {
    TlsContext ctx = make_context(server_options());
    TlsSession server = make_session(ctx);
    Client client;
    ServerSide side;
    ASSERT_TRUE(handshake(client, server, side, 1));
    EXPECT_EQ(side.count(Status::HandshakeDone), 1);
    // Before the handshake completed every call said WantMore.
    for (Status s : side.statuses) {
        if (s == Status::HandshakeDone) break;
        EXPECT_EQ(s, Status::WantMore);
    }
    std::string message = wstest::str(wstest::random_bytes(40000, 7));  // three records
    ASSERT_TRUE(client.write(message));
    std::string wire = client.output();
    side = {};
    feed(server, wire, side, 1);
    EXPECT_EQ(side.statuses.size(), wire.size());
    EXPECT_EQ(side.count(Status::Ok), static_cast<int>(wire.size()));
    EXPECT_EQ(side.plaintext, message);
}

TEST(TlsSessionTest, FourMiBBothWays) {
    TlsContext ctx = make_context(server_options());
    TlsSession server = make_session(ctx);
    Client client;
    ServerSide side;
    ASSERT_TRUE(handshake(client, server, side));
    const std::string big = wstest::str(wstest::random_bytes(4 << 20, 11));

    ASSERT_TRUE(client.write(big));
    side = {};
    feed(server, client.output(), side, 256 * 1024);  // the server's read buffer size
    EXPECT_EQ(side.count(Status::Ok), static_cast<int>(side.statuses.size()));
    EXPECT_EQ(side.plaintext.size(), big.size());
    EXPECT_TRUE(side.plaintext == big);

    const char head[] = {'\x82', '\x7f', 0, 0, 0, 0, 0, 0x40, 0, 0};
    std::string wire;
    ASSERT_TRUE(server.encrypt(head, sizeof head, big.data(), big.size(), wire));
    // Full records only: 257 records of at most ~22 bytes overhead each (TLS 1.3 GCM).
    size_t records = (sizeof head + big.size() + 16383) / 16384;
    EXPECT_EQ(records, 257u);
    EXPECT_LE(wire.size(), sizeof head + big.size() + records * 22);
    client.input(wire);
    std::string got = client.read();
    ASSERT_EQ(got.size(), sizeof head + big.size());
    EXPECT_EQ(got.compare(0, sizeof head, head, sizeof head), 0);
    EXPECT_TRUE(got.compare(sizeof head, std::string::npos, big) == 0);
}

TEST(TlsSessionTest, SeveralMessagesInOneFeedAndReusedBuffer) {
    TlsContext ctx = make_context(server_options());
    TlsSession server = make_session(ctx);
    Client client;
    ServerSide side;
    ASSERT_TRUE(handshake(client, server, side));
    ASSERT_TRUE(client.write("one;"));
    ASSERT_TRUE(client.write("two;"));
    ASSERT_TRUE(client.write("three"));
    std::string wire = client.output();
    std::string plain = "kept:";
    plain.reserve(1 << 20);
    const char *storage = plain.data();
    EXPECT_EQ(server.feed(reinterpret_cast<const uint8_t *>(wire.data()), wire.size(), plain), Status::Ok);
    EXPECT_EQ(plain, "kept:one;two;three");
    EXPECT_EQ(plain.data(), storage);  // appended in place, no reallocation
    // A feed of nothing is harmless.
    EXPECT_EQ(server.feed(nullptr, 0, plain), Status::Ok);
    EXPECT_EQ(plain, "kept:one;two;three");
}

TEST(TlsSessionTest, DataInTheSameFeedAsTheClientFinished) {
    TlsContext ctx = make_context(server_options());
    TlsSession server = make_session(ctx);
    Client client;
    ServerSide side;
    // ClientHello -> server flight.
    EXPECT_EQ(SSL_do_handshake(client.ssl()), -1);
    feed(server, client.output(), side);
    EXPECT_EQ(side.statuses, std::vector<Status>{Status::WantMore});
    std::string flight;
    server.take_pending_output(flight);
    EXPECT_FALSE(server.has_pending_output());
    client.input(flight);
    // Client Finished and the upgrade request leave together (as browsers do).
    ASSERT_TRUE(client.write("GET / HTTP/1.1\r\n"));
    side = {};
    feed(server, client.output(), side);
    EXPECT_EQ(side.statuses, std::vector<Status>{Status::HandshakeDone});
    EXPECT_EQ(side.plaintext, "GET / HTTP/1.1\r\n");
    // TLS 1.3 session tickets wait for take_pending_output() or go first in encrypt().
    EXPECT_TRUE(server.has_pending_output());
    std::string wire;
    ASSERT_TRUE(server.encrypt("HTTP/1.1 101\r\n", 14, wire));
    EXPECT_FALSE(server.has_pending_output());
    client.input(wire);
    EXPECT_EQ(client.read(), "HTTP/1.1 101\r\n");
}

TEST(TlsSessionTest, Alpn) {
    TlsOptions o = server_options();
    o.alpn = {"http/1.1"};
    TlsContext ctx = make_context(o);
    {
        TlsSession server = make_session(ctx);
        ClientOptions co;
        co.alpn = {"h2", "http/1.1"};
        Client client(co);
        ServerSide side;
        ASSERT_TRUE(handshake(client, server, side));
        EXPECT_EQ(server.alpn(), "http/1.1");
        const unsigned char *p = nullptr;
        unsigned len = 0;
        SSL_get0_alpn_selected(client.ssl(), &p, &len);
        EXPECT_EQ(std::string(reinterpret_cast<const char *>(p), len), "http/1.1");
    }
    {
        TlsSession server = make_session(ctx);
        ClientOptions co;
        co.alpn = {"h2"};  // no overlap: no ALPN, the handshake goes on
        Client client(co);
        ServerSide side;
        ASSERT_TRUE(handshake(client, server, side));
        EXPECT_EQ(server.alpn(), "");
    }
    {
        TlsSession server = make_session(ctx);
        Client client;  // offers nothing
        ServerSide side;
        ASSERT_TRUE(handshake(client, server, side));
        EXPECT_EQ(server.alpn(), "");
    }
}

TEST(TlsSessionTest, ClientCloseNotify) {
    TlsContext ctx = make_context(server_options());
    TlsSession server = make_session(ctx);
    Client client;
    ServerSide side;
    ASSERT_TRUE(handshake(client, server, side));
    ASSERT_TRUE(client.write("bye"));
    EXPECT_EQ(SSL_shutdown(client.ssl()), 0);
    side = {};
    feed(server, client.output(), side);
    EXPECT_EQ(side.statuses, std::vector<Status>{Status::Closed});
    EXPECT_EQ(side.plaintext, "bye");  // data before the close_notify is delivered
    EXPECT_TRUE(server.closed());
    EXPECT_TRUE(server.error().empty());
    EXPECT_EQ(server.feed(reinterpret_cast<const uint8_t *>("x"), 1, side.plaintext), Status::Closed);
    // Our answer.
    std::string wire;
    server.shutdown(wire);
    EXPECT_FALSE(wire.empty());
    client.input(wire);
    bool closed = false;
    client.read(&closed);
    EXPECT_TRUE(closed);
    EXPECT_EQ(SSL_get_shutdown(client.ssl()) & SSL_RECEIVED_SHUTDOWN, SSL_RECEIVED_SHUTDOWN);
}

TEST(TlsSessionTest, ServerCloseNotify) {
    TlsContext ctx = make_context(server_options());
    TlsSession server = make_session(ctx);
    Client client;
    ServerSide side;
    ASSERT_TRUE(handshake(client, server, side));
    std::string wire;
    ASSERT_TRUE(server.encrypt("last", 4, wire));
    server.shutdown(wire);
    size_t size = wire.size();
    server.shutdown(wire);  // idempotent
    EXPECT_EQ(wire.size(), size);
    EXPECT_FALSE(server.encrypt("more", 4, wire));
    client.input(wire);
    bool closed = false;
    EXPECT_EQ(client.read(&closed), "last");
    EXPECT_TRUE(closed);
    // The client's close_notify in reply.
    SSL_shutdown(client.ssl());
    side = {};
    feed(server, client.output(), side);
    EXPECT_EQ(side.statuses, std::vector<Status>{Status::Closed});
}

}  // namespace
