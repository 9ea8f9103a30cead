// Shared by the TLS tests (tls_test.cc, tls_handshake_test.cc): keys and certificates made
// with the OpenSSL API, the files tls_test.cc's environment writes once for the binary, an
// OpenSSL client over memory BIOs, and handshake helpers.
#pragma once

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

namespace tls_test {

using namespace wsserver;
using Status = TlsSession::Status;

#if defined(__SANITIZE_ADDRESS__)
#define TLS_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TLS_TEST_ASAN 1
#endif
#endif

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

inline PKey make_key(int type) {
    std::unique_ptr<EVP_PKEY_CTX, PKeyCtxFree> ctx(EVP_PKEY_CTX_new_id(type, nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0) return nullptr;
    if (type == EVP_PKEY_EC) EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), NID_X9_62_prime256v1);
    if (type == EVP_PKEY_RSA) EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048);
    EVP_PKEY *key = nullptr;
    if (EVP_PKEY_keygen(ctx.get(), &key) <= 0) return nullptr;
    return PKey(key);
}

inline void add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
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
inline Cert make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, bool ca) {
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

inline bool write_cert(const std::string &path, X509 *cert) {
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    bool ok = PEM_write_X509(f, cert) == 1;
    return std::fclose(f) == 0 && ok;
}

inline bool write_key(const std::string &path, EVP_PKEY *key, const char *passphrase = nullptr) {
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    bool ok = passphrase ? PEM_write_PrivateKey(f, key, EVP_aes_256_cbc(),
                                                reinterpret_cast<unsigned char *>(const_cast<char *>(passphrase)),
                                                static_cast<int>(std::strlen(passphrase)), nullptr, nullptr) == 1
                         : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    return std::fclose(f) == 0 && ok;
}

inline bool write_text(const std::string &path, const std::string &text) {
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

inline Files *g_files = nullptr;


inline TlsOptions server_options() {
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
inline void feed(TlsSession &server, const std::string &bytes, ServerSide &side, size_t chunk = SIZE_MAX) {
    for (size_t off = 0; off < bytes.size();) {
        size_t n = std::min(chunk, bytes.size() - off);
        Status st = server.feed(reinterpret_cast<const uint8_t *>(bytes.data()) + off, n, side.plaintext);
        side.statuses.push_back(st);
        off += n;
        if (st == Status::Error || st == Status::Closed) return;
    }
}

// Runs the handshake in a bounded number of round trips. True when both sides finished.
inline bool handshake(Client &client, TlsSession &server, ServerSide &side, size_t chunk = SIZE_MAX) {
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

inline TlsContext make_context(const TlsOptions &options) {
    auto ctx = TlsContext::create(options);
    EXPECT_TRUE(ctx.ok()) << ctx.error().message;
    return std::move(ctx.value());
}

inline TlsSession make_session(const TlsContext &ctx) {
    auto s = TlsSession::create(ctx);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return std::move(s.value());
}

inline std::string context_error(const TlsOptions &options) {
    auto ctx = TlsContext::create(options);
    EXPECT_FALSE(ctx.ok());
    return ctx.ok() ? std::string() : ctx.error().message;
}

}  // namespace tls_test
