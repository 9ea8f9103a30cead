// Fuzz target: a server TlsSession fed attacker bytes. Fed whole and in chunks derived
// from the input it must reach the same outcome (still waiting, closed or failed) with the
// same plaintext (none: no input can finish a handshake keyed by the server's fresh
// randomness); every status must respect the feed() contract; nothing may crash or leak.
//
// Input: byte 0 picks the chunking, byte 1 the mode, the rest is the stream:
//   mode % 4 == 0  the stream alone
//   mode % 4 == 1  a real TLS 1.3 ClientHello, then the stream (reaches the encrypted
//                  handshake: garbage where the client's Finished belongs)
//   mode % 4 == 2  a real TLS 1.2-only ClientHello, then the stream (ClientKeyExchange,
//                  ChangeCipherSpec...)
//   mode % 4 == 3  the TLS 1.3 ClientHello with the stream written over it from byte
//                  (mode / 4) on: mutated extensions, lengths and key shares
//
// Needs -lssl (scripts/fuzz.sh links -lcrypto only as of this writing).
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "core/net/tls.h"
#include "fuzz_common.h"

using namespace wsserver;
using Status = TlsSession::Status;

namespace {

TlsContext *g_context = nullptr;
std::string g_hello13, g_hello12;

// A ClientHello exactly as an OpenSSL client sends it.
std::string client_hello(int max_version) {
    std::string out;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_max_proto_version(ctx, max_version);
    SSL *ssl = SSL_new(ctx);
    BIO *rbio = BIO_new(BIO_s_mem()), *wbio = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(rbio, -1);
    SSL_set_bio(ssl, rbio, wbio);
    SSL_set_connect_state(ssl);
    SSL_do_handshake(ssl);
    char buf[4096];
    int n;
    while ((n = BIO_read(wbio, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return out;
}

// A self-signed EC P-256 certificate and key, written to a temporary directory just long
// enough for TlsContext::create() to load them.
bool make_context() {
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr);
    EVP_PKEY *key = nullptr;
    bool ok = kctx && EVP_PKEY_keygen_init(kctx) > 0 &&
              EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kctx, NID_X9_62_prime256v1) > 0 &&
              EVP_PKEY_keygen(kctx, &key) > 0;
    EVP_PKEY_CTX_free(kctx);
    if (!ok) return false;
    X509 *cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400 * 365);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("fuzz"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());

    char dir[] = "/tmp/wsserver-fuzz-tls-XXXXXX";
    ok = mkdtemp(dir) != nullptr;
    std::string cert_path = std::string(dir) + "/cert.pem", key_path = std::string(dir) + "/key.pem";
    if (ok) {
        FILE *f = std::fopen(cert_path.c_str(), "w");
        ok = f && PEM_write_X509(f, cert) == 1;
        if (f) std::fclose(f);
        f = std::fopen(key_path.c_str(), "w");
        ok = ok && f && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
        if (f) std::fclose(f);
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    if (ok) {
        TlsOptions options;
        options.cert_file = cert_path;
        options.key_file = key_path;
        options.alpn = {"http/1.1"};
        auto ctx = TlsContext::create(options);
        if (ctx.ok()) {
            static TlsContext context = std::move(ctx.value());
            g_context = &context;
        } else {
            std::fprintf(stderr, "%s\n", ctx.error().message.c_str());
        }
    }
    unlink(cert_path.c_str());
    unlink(key_path.c_str());
    rmdir(dir);
    return g_context != nullptr;
}

struct Outcome {
    Status last = Status::WantMore;
    std::string plaintext;
};

Outcome run(const std::string &stream, fuzz::Chunker *chunker) {
    auto created = TlsSession::create(*g_context);
    FUZZ_CHECK(created.ok(), "%s", created.error().message.c_str());
    TlsSession &session = created.value();
    Outcome o;
    std::string wire;
    size_t off = 0;
    while (off < stream.size()) {
        size_t n = stream.size() - off;
        if (chunker) n = std::min(n, chunker->next() + 1);
        Status st = session.feed(reinterpret_cast<const uint8_t *>(stream.data()) + off, n, o.plaintext);
        off += n;
        session.take_pending_output(wire);
        FUZZ_CHECK(st != Status::Ok && st != Status::HandshakeDone, "handshake completed on fuzz input");
        FUZZ_CHECK(!session.has_pending_output(), "output left after take_pending_output");
        if (st == Status::Error) {
            FUZZ_CHECK(session.error().rfind("tls: ", 0) == 0, "error message: %s", session.error().c_str());
        } else {
            FUZZ_CHECK(session.error().empty(), "error set with status %d", static_cast<int>(st));
        }
        o.last = st;
        if (st == Status::Error || st == Status::Closed) {
            // Sticky, and nothing more to read.
            FUZZ_CHECK(session.feed(reinterpret_cast<const uint8_t *>(stream.data()), stream.size(),
                                    o.plaintext) == st,
                       "status not sticky");
            FUZZ_CHECK(session.closed(), "closed() false after %d", static_cast<int>(st));
            break;
        }
    }
    std::string out;
    FUZZ_CHECK(!session.encrypt("x", 1, out), "encrypt before the handshake");
    session.shutdown(out);
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    if (!make_context()) {
        std::fprintf(stderr, "fuzz_tls_server: could not build the TLS context\n");
        std::abort();
    }
    g_hello13 = client_hello(0);
    g_hello12 = client_hello(TLS1_2_VERSION);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    const uint8_t chunk_seed = data[0], mode = data[1];
    std::string rest(reinterpret_cast<const char *>(data + 2), size - 2);
    std::string stream;
    switch (mode % 4) {
    case 0:
        stream = rest;
        break;
    case 1:
        stream = g_hello13 + rest;
        break;
    case 2:
        stream = g_hello12 + rest;
        break;
    default: {
        stream = g_hello13;
        size_t at = std::min<size_t>(mode / 4, stream.size());
        if (at + rest.size() > stream.size()) stream.resize(at + rest.size());
        std::memcpy(&stream[at], rest.data(), rest.size());
        break;
    }
    }

    Outcome whole = run(stream, nullptr);
    fuzz::Chunker chunker(chunk_seed, chunk_seed % 3 == 0 ? 1 : 97);
    Outcome chunked = run(stream, &chunker);
    FUZZ_CHECK(whole.last == chunked.last, "whole %d vs chunked %d", static_cast<int>(whole.last),
               static_cast<int>(chunked.last));
    FUZZ_CHECK(whole.plaintext.empty() && chunked.plaintext.empty(), "plaintext before a handshake");
    return 0;
}
