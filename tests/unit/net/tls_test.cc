// Tests for src/core/net/tls.h: a server TlsSession against an OpenSSL client over memory BIOs,
// driven in bounded loops in this thread. Certificates and keys are made at start-up with
// the OpenSSL API (EC P-256, plus one RSA key) in a temporary directory.
#include "core/net/tls.h"

#include <gtest/gtest.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <malloc.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "test_util.h"

using namespace wsserver;
using Status = TlsSession::Status;

#if defined(__SANITIZE_ADDRESS__)
#define TLS_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TLS_TEST_ASAN 1
#endif
#endif

namespace {

struct PKeyFree {
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct PKeyCtxFree {
    void operator()(EVP_PKEY_CTX *c) const { EVP_PKEY_CTX_free(c); }
};
struct X509Free {
    void operator()(X509 *x) const { X509_free(x); }
};
struct CtxFree {
    void operator()(SSL_CTX *c) const { SSL_CTX_free(c); }
};
struct SslFree {
    void operator()(SSL *s) const { SSL_free(s); }
};
struct SessionFree {
    void operator()(SSL_SESSION *s) const { SSL_SESSION_free(s); }
};
using PKey = std::unique_ptr<EVP_PKEY, PKeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

PKey make_key(int type) {
    std::unique_ptr<EVP_PKEY_CTX, PKeyCtxFree> ctx(EVP_PKEY_CTX_new_id(type, nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0) return nullptr;
    if (type == EVP_PKEY_EC) EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), NID_X9_62_prime256v1);
    if (type == EVP_PKEY_RSA) EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048);
    EVP_PKEY *key = nullptr;
    if (EVP_PKEY_keygen(ctx.get(), &key) <= 0) return nullptr;
    return PKey(key);
}

void add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    if (ext) {
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
}

// Self-signed when issuer is null.
Cert make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, bool ca) {
    static long serial = 1;
    Cert cert(X509_new());
    X509 *x = cert.get();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>(cn), -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    add_ext(x, issuer ? issuer : x, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    if (ca) add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
    X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
    return cert;
}

bool write_cert(const std::string &path, X509 *cert) {
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    bool ok = PEM_write_X509(f, cert) == 1;
    return std::fclose(f) == 0 && ok;
}

bool write_key(const std::string &path, EVP_PKEY *key, const char *passphrase = nullptr) {
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    bool ok = passphrase ? PEM_write_PrivateKey(f, key, EVP_aes_256_cbc(),
                                                reinterpret_cast<unsigned char *>(const_cast<char *>(passphrase)),
                                                static_cast<int>(std::strlen(passphrase)), nullptr, nullptr) == 1
                         : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    return std::fclose(f) == 0 && ok;
}

bool write_text(const std::string &path, const std::string &text) {
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    return std::fclose(f) == 0 && ok;
}

// Files made once for the whole binary.
struct Files {
    std::string dir;
    std::string server_cert, server_key;  // self-signed EC server
    std::string other_key;                // EC key of no certificate
    std::string rsa_key;                  // RSA key of no certificate
    std::string encrypted_key;            // server_key under passphrase "secret"
    std::string ca_cert;                  // CA for client certificates
    std::string client_cert, client_key;  // signed by the CA
    std::string self_client_cert, self_client_key;  // self-signed client
    std::string garbage;
};

Files *g_files = nullptr;

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

TlsOptions server_options() {
    TlsOptions o;
    o.cert_file = g_files->server_cert;
    o.key_file = g_files->server_key;
    return o;
}

// --- the client -----------------------------------------------------------------------------

struct ClientOptions {
    int min_version = 0;
    int max_version = 0;
    bool seclevel0 = false;  // so that TLS 1.0/1.1 are really offered
    std::vector<std::string> alpn;
    std::string cert_file, key_file;
    std::string verify_ca;  // verify the server against this file
    SSL_SESSION *resume = nullptr;
};

class Client {
public:
    explicit Client(const ClientOptions &o = {}) {
        ctx_.reset(SSL_CTX_new(TLS_client_method()));
        SSL_CTX *ctx = ctx_.get();
        if (o.seclevel0) {
            SSL_CTX_set_security_level(ctx, 0);
            SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
        }
        SSL_CTX_set_min_proto_version(ctx, o.min_version);
        SSL_CTX_set_max_proto_version(ctx, o.max_version);
        if (!o.alpn.empty()) {
            std::string wire;
            for (auto &p : o.alpn) wire += static_cast<char>(p.size()) + p;
            SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char *>(wire.data()),
                                    static_cast<unsigned>(wire.size()));
        }
        if (!o.cert_file.empty()) {
            EXPECT_EQ(SSL_CTX_use_certificate_file(ctx, o.cert_file.c_str(), SSL_FILETYPE_PEM), 1);
            EXPECT_EQ(SSL_CTX_use_PrivateKey_file(ctx, o.key_file.c_str(), SSL_FILETYPE_PEM), 1);
        }
        if (!o.verify_ca.empty()) {
            EXPECT_EQ(SSL_CTX_load_verify_locations(ctx, o.verify_ca.c_str(), nullptr), 1);
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        }
        ssl_.reset(SSL_new(ctx));
        rbio_ = BIO_new(BIO_s_mem());
        wbio_ = BIO_new(BIO_s_mem());
        BIO_set_mem_eof_return(rbio_, -1);  // empty: "retry", not EOF
        SSL_set_bio(ssl_.get(), rbio_, wbio_);
        SSL_set_connect_state(ssl_.get());
        if (o.resume) SSL_set_session(ssl_.get(), o.resume);
    }

    SSL *ssl() const { return ssl_.get(); }

    std::string output() {
        std::string out;
        char buf[65536];
        int n;
        while ((n = BIO_read(wbio_, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
        return out;
    }
    void input(const std::string &bytes) {
        if (!bytes.empty()) BIO_write(rbio_, bytes.data(), static_cast<int>(bytes.size()));
    }
    bool write(const std::string &text) {
        size_t off = 0;
        while (off < text.size()) {
            size_t w = 0;
            if (SSL_write_ex(ssl_.get(), text.data() + off, text.size() - off, &w) != 1) return false;
            off += w;
        }
        return true;
    }
    // Everything readable now; `closed` when the server's close_notify came.
    std::string read(bool *closed = nullptr) {
        std::string out;
        char buf[65536];
        for (;;) {
            size_t n = 0;
            if (SSL_read_ex(ssl_.get(), buf, sizeof buf, &n) == 1) {
                out.append(buf, n);
                continue;
            }
            int e = SSL_get_error(ssl_.get(), 0);
            if (closed) *closed = (e == SSL_ERROR_ZERO_RETURN);
            ERR_clear_error();
            return out;
        }
    }

private:
    std::unique_ptr<SSL_CTX, CtxFree> ctx_;
    std::unique_ptr<SSL, SslFree> ssl_;
    BIO *rbio_ = nullptr;  // owned by ssl_
    BIO *wbio_ = nullptr;
};

// What the server side saw.
struct ServerSide {
    std::vector<Status> statuses;
    std::string plaintext;

    Status last() const { return statuses.empty() ? Status::WantMore : statuses.back(); }
    int count(Status s) const {
        int n = 0;
        for (Status x : statuses) n += (x == s);
        return n;
    }
};

// Feeds `bytes` to the server `chunk` bytes at a time, stopping at Error/Closed.
void feed(TlsSession &server, const std::string &bytes, ServerSide &side, size_t chunk = SIZE_MAX) {
    for (size_t off = 0; off < bytes.size();) {
        size_t n = std::min(chunk, bytes.size() - off);
        Status st = server.feed(reinterpret_cast<const uint8_t *>(bytes.data()) + off, n, side.plaintext);
        side.statuses.push_back(st);
        off += n;
        if (st == Status::Error || st == Status::Closed) return;
    }
}

// Runs the handshake in a bounded number of round trips. True when both sides finished.
bool handshake(Client &client, TlsSession &server, ServerSide &side, size_t chunk = SIZE_MAX) {
    for (int round = 0; round < 16; round++) {
        int r = SSL_do_handshake(client.ssl());
        int client_error = r == 1 ? SSL_ERROR_NONE : SSL_get_error(client.ssl(), r);
        ERR_clear_error();
        std::string to_server = client.output();
        if (!to_server.empty()) feed(server, to_server, side, chunk);
        std::string to_client;
        server.take_pending_output(to_client);
        client.input(to_client);
        if (side.last() == Status::Error) return false;
        if (client_error != SSL_ERROR_NONE && client_error != SSL_ERROR_WANT_READ) return false;
        if (r == 1 && server.handshake_done() && to_server.empty() && to_client.empty()) return true;
    }
    return false;
}

TlsContext make_context(const TlsOptions &options) {
    auto ctx = TlsContext::create(options);
    EXPECT_TRUE(ctx.ok()) << ctx.error().message;
    return std::move(ctx.value());
}

TlsSession make_session(const TlsContext &ctx) {
    auto s = TlsSession::create(ctx);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return std::move(s.value());
}

std::string context_error(const TlsOptions &options) {
    auto ctx = TlsContext::create(options);
    EXPECT_FALSE(ctx.ok());
    return ctx.ok() ? std::string() : ctx.error().message;
}

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
