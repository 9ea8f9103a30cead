// TLS (wss://, https://) for the server, decoupled from its socket I/O: the server still
// reads the socket into its buffer and still writes through its OutputQueue; a TlsSession
// sits in between, turning the ciphertext read into plaintext for the protocol code and the
// protocol code's output into ciphertext to send.
//
//   socket --read--> feed(ciphertext) --> plaintext for HttpParser / WebSocketSession
//   push(head, body) --> encrypt() --> ciphertext --> OutputQueue::send(fd, ...)
//   after every feed(): take_pending_output() --> OutputQueue (handshake records, alerts)
//
// OpenSSL never touches the descriptor. Instead of two BIO_s_mem buffers, each session has
// one BIO that reads straight from the span given to feed() and appends what OpenSSL writes
// straight to the caller's string: ciphertext is copied neither into nor out of a BIO
// buffer, and no BIO buffer keeps the capacity of the largest message forever (a BIO_s_mem
// never shrinks, so one 4 MiB push would pin 4 MiB per connection).
//
// Idle cost: with SSL_MODE_RELEASE_BUFFERS OpenSSL frees its record buffers whenever they
// are empty, so an idle session is the SSL object, its SSL_SESSION and one BIO (measured in
// tests/unit/tls_test.cc, TlsMemory). Handshake state is freed by OpenSSL when the handshake
// ends.
//
// Everything here is used from one thread per session (the reactor's); a TlsContext (a
// reference to one SSL_CTX) may be copied and shared by the sessions of several threads
// (SWOOLE_PROCESS's reactor threads) and is inherited by forked workers (which then share
// its session-ticket keys, so a ticket issued by one worker resumes on another).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/syscall.h"

// OpenSSL's types, so that including this header does not pull in <openssl/ssl.h>.
struct ssl_st;
struct ssl_ctx_st;

namespace wsserver {

// Protocol versions as on the wire (the values of OpenSSL's TLS1_2_VERSION etc.).
namespace tls_version {
constexpr int kTls1_0 = 0x0301;
constexpr int kTls1_1 = 0x0302;
constexpr int kTls1_2 = 0x0303;
constexpr int kTls1_3 = 0x0304;
}  // namespace tls_version

// A server's TLS settings. Error messages name the fields by Swoole's setting names, given
// in the comments.
struct TlsOptions {
    std::string cert_file;   // ssl_cert_file: PEM, the certificate then its chain
    std::string key_file;    // ssl_key_file: PEM private key
    std::string passphrase;  // ssl_passphrase: for an encrypted key_file ("" never prompts)
    // ssl_client_cert_file: PEM CA certificates that client certificates must chain to; also
    // sent to clients as the list of acceptable CAs. Only used with verify_peer.
    std::string ca_file;
    std::string ciphers;       // ssl_ciphers: OpenSSL cipher list (TLS <= 1.2); "" = OpenSSL default
    std::string ciphersuites;  // TLS 1.3 suites (SSL_CTX_set_ciphersuites); "" = OpenSSL default
    int min_version = tls_version::kTls1_2;  // ssl_protocols, as a range: 0 = lowest supported
    int max_version = 0;                     // 0 = highest supported
    bool verify_peer = false;        // ssl_verify_peer: require a valid client certificate
    bool allow_self_signed = false;  // ssl_allow_self_signed: accept a self-signed client cert
    int verify_depth = 0;            // ssl_verify_depth; <= 0 = OpenSSL's default (100)
    // ALPN protocols the server accepts, in its order of preference (e.g. {"http/1.1"}). The
    // first of them the client also offers is selected; with no overlap the handshake goes
    // on without ALPN (lenient: a client that offered only "h2" sees the server's HTTP/1.1
    // and fails on its own terms). Empty: ALPN is not negotiated.
    std::vector<std::string> alpn;
};

// One per server (or per listening port): the SSL_CTX with the certificate, key and
// settings loaded. Movable. Sessions keep the shared state alive on their own, so the
// context may be destroyed before its sessions.
class TlsContext {
public:
    // Loads and checks everything; errors read like
    //   "ssl_cert_file '/etc/x.pem': No such file or directory"
    //   "ssl_key_file '/etc/k.pem': private key does not match the certificate (error:...)"
    // with OpenSSL's error string in parentheses when OpenSSL had one. SysError::code is the
    // errno for file errors, 0 otherwise.
    static Result<TlsContext> create(const TlsOptions &options);

    ssl_ctx_st *native() const;  // for tests and future settings (SNI, OCSP)

    struct Shared;  // SSL_CTX + ALPN list; defined in tls.cc

private:
    explicit TlsContext(std::shared_ptr<const Shared> shared) : shared_(std::move(shared)) {}
    friend class TlsSession;
    std::shared_ptr<const Shared> shared_;
};

// One TLS connection, server side. Movable (one pointer); a moved-from session is empty
// (valid() false) and must only be destroyed or assigned to.
//
// Order of output: every call that may produce ciphertext (feed through the handshake and
// post-handshake messages, encrypt, shutdown) produces it in the order TLS requires; bytes
// produced by feed() wait in the session until take_pending_output() or the next
// encrypt()/shutdown(), which put them first.
class TlsSession {
public:
    enum class Status {
        Ok,             // handshake done earlier; plaintext_out got what arrived (maybe nothing)
        HandshakeDone,  // the handshake completed in this call; plaintext may have come too
        WantMore,       // handshake still in progress: feed more ciphertext
        Closed,         // the peer's close_notify arrived (plaintext before it was appended)
        Error,          // fatal: error() says why; send take_pending_output() (an alert), close
    };

    static Result<TlsSession> create(const TlsContext &context);
    TlsSession() noexcept;  // empty
    TlsSession(TlsSession &&) noexcept;
    TlsSession &operator=(TlsSession &&) noexcept;
    TlsSession(const TlsSession &) = delete;
    TlsSession &operator=(const TlsSession &) = delete;
    ~TlsSession();

    bool valid() const { return impl_ != nullptr; }

    // Takes `len` bytes of ciphertext as read from the socket (all of them; nothing needs to
    // be fed again), advances the handshake, and appends all plaintext now available to
    // `plaintext_out` (its existing content and capacity are kept: pass one reused string;
    // it may grow by up to len + 16 KiB while decrypting and is then trimmed). Plaintext
    // that preceded a close_notify or an error is appended too. Closed and Error win over
    // HandshakeDone when both happen in one call (handshake_done() still tells). After
    // Closed or Error, further calls return the same status and do nothing. An empty
    // (moved-from) session returns Error.
    Status feed(const uint8_t *ciphertext, size_t len, std::string &plaintext_out);

    // Encrypts head then body (either may be empty) and appends the records to
    // `ciphertext_out`, after any output still pending. Only valid once the handshake is
    // done (feed() returned HandshakeDone) and before shutdown(); false otherwise, or when
    // OpenSSL fails (error() says why). Any size works: a multi-megabyte body becomes
    // 16 KiB records. A head + body that fit one record go out as one record.
    bool encrypt(const void *head, size_t head_len, const void *body, size_t body_len, std::string &ciphertext_out);
    bool encrypt(const void *data, size_t len, std::string &ciphertext_out) {
        return encrypt(nullptr, 0, data, len, ciphertext_out);
    }

    // Appends the ciphertext feed() produced (handshake flights, session tickets, alerts,
    // replies to key updates) to `ciphertext_out`. Call after every feed() and send it,
    // whatever the status was.
    void take_pending_output(std::string &ciphertext_out);
    bool has_pending_output() const;

    // Queues our close_notify (after any pending output) into `ciphertext_out`. Nothing is
    // produced before the handshake completed or after a fatal error. Later encrypt() calls
    // fail. Idempotent.
    void shutdown(std::string &ciphertext_out);

    bool handshake_done() const;
    bool closed() const;  // Closed or Error was returned
    // The failure behind Error (or a failed encrypt()), e.g.
    // "tls: handshake failed: wrong version number"; empty otherwise.
    const std::string &error() const;

    // After the handshake: the ALPN protocol selected ("" if none), the protocol version
    // ("TLSv1.3") and the cipher ("TLS_AES_256_GCM_SHA384").
    std::string_view alpn() const;
    std::string_view protocol() const;
    std::string_view cipher() const;
    // The client's certificate as PEM ("" if it sent none); with verify_peer it was
    // verified during the handshake (Swoole's ssl_client_cert / getPeerCert()).
    std::string peer_certificate_pem() const;

    ssl_st *native() const;  // for tests

    struct Impl;  // defined in tls.cc

private:
    explicit TlsSession(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace wsserver
