#include "core/net/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <optional>
#include <system_error>
#include <utility>

// The header mirrors these so that it need not include OpenSSL.
static_assert(wsserver::tls_version::kTls1_0 == TLS1_VERSION);
static_assert(wsserver::tls_version::kTls1_1 == TLS1_1_VERSION);
static_assert(wsserver::tls_version::kTls1_2 == TLS1_2_VERSION);
static_assert(wsserver::tls_version::kTls1_3 == TLS1_3_VERSION);

namespace wsserver {

namespace {

struct SslCtxFree {
    void operator()(SSL_CTX *ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
    void operator()(SSL *ssl) const { SSL_free(ssl); }
};
struct BioFree {
    void operator()(BIO *bio) const { BIO_free(bio); }
};
struct X509Free {
    void operator()(X509 *cert) const { X509_free(cert); }
};

// The largest plaintext one TLS record carries.
constexpr size_t kMaxRecordPlaintext = 16384;
// Generous per-record overhead (header, explicit IV, MAC or tag, CBC padding), only used to
// reserve output space once instead of growing it record by record.
constexpr size_t kRecordOverhead = 96;

// The earliest error of this thread's OpenSSL queue as ERR_error_string_n() renders it
// ("error:0480006C:PEM routines::no start line"), and clears the queue: a stale error left
// there would make a later SSL_get_error() on this thread misreport.
std::string take_openssl_error() {
    unsigned long err = ERR_get_error();
    std::string text;
    if (err != 0) {
        char buf[256];
        ERR_error_string_n(err, buf, sizeof buf);
        text = buf;
    }
    ERR_clear_error();
    return text;
}

// "<what>" or "<what> (<OpenSSL error>)".
SysError openssl_failure(std::string what) {
    std::string detail = take_openssl_error();
    if (!detail.empty()) what += " (" + detail + ")";
    return SysError{0, std::move(what)};
}

std::string quoted(const char *setting, const std::string &path) { return std::string(setting) + " '" + path + "'"; }

// Checks up front that a configured file can be opened, so that a typo reads
// "ssl_cert_file '/x.pem': No such file or directory" rather than OpenSSL's
// "system library" error chain.
std::optional<SysError> check_readable(const char *setting, const std::string &path) {
    if (path.empty()) return SysError{0, std::string(setting) + " is not set"};
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    int code = 0;
    struct stat st;
    if (!fd) {
        code = errno;
    } else if (::fstat(fd.get(), &st) != 0) {
        code = errno;
    } else if (S_ISDIR(st.st_mode)) {
        code = EISDIR;
    }
    if (code == 0) return std::nullopt;
    return SysError{code, quoted(setting, path) + ": " + std::generic_category().message(code)};
}

// Hands the configured passphrase to OpenSSL while the key loads. Also installed so that an
// encrypted key without ssl_passphrase fails instead of OpenSSL prompting on the terminal
// (which would block a daemon forever).
int passphrase_callback(char *buf, int size, int /*rwflag*/, void *userdata) {
    const auto *passphrase = static_cast<const std::string *>(userdata);
    if (passphrase == nullptr || passphrase->empty() || passphrase->size() > static_cast<size_t>(size)) return 0;
    std::memcpy(buf, passphrase->data(), passphrase->size());
    return static_cast<int>(passphrase->size());
}

// ssl_allow_self_signed: a client certificate that fails only because it is self-signed is
// accepted (and reported as verified, as Swoole does).
int verify_allow_self_signed(int preverify_ok, X509_STORE_CTX *store) {
    if (preverify_ok) return 1;
    int err = X509_STORE_CTX_get_error(store);
    if (err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN) {
        X509_STORE_CTX_set_error(store, X509_V_OK);
        return 1;
    }
    return 0;
}

bool is_key_mismatch(unsigned long err) {
    return ERR_GET_LIB(err) == ERR_LIB_X509 &&
           (ERR_GET_REASON(err) == X509_R_KEY_VALUES_MISMATCH || ERR_GET_REASON(err) == X509_R_KEY_TYPE_MISMATCH);
}

}  // namespace

// --- TlsContext ---------------------------------------------------------------------------

struct TlsContext::Shared {
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx;
    // The server's ALPN protocols in wire format (length-prefixed), for the select callback.
    std::string alpn_wire;
};

namespace {

int alpn_select(SSL *, const unsigned char **out, unsigned char *outlen, const unsigned char *in, unsigned int inlen,
                void *arg) {
    const auto *shared = static_cast<const TlsContext::Shared *>(arg);
    const auto *server = reinterpret_cast<const unsigned char *>(shared->alpn_wire.data());
    unsigned char *selected = nullptr;
    // Server list first: the server's preference order decides.
    if (SSL_select_next_proto(&selected, outlen, server, static_cast<unsigned int>(shared->alpn_wire.size()), in,
                              inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

}  // namespace

Result<TlsContext> TlsContext::create(const TlsOptions &options) {
    if (auto err = check_readable("ssl_cert_file", options.cert_file)) return *err;
    if (auto err = check_readable("ssl_key_file", options.key_file)) return *err;
    if (!options.ca_file.empty()) {
        if (auto err = check_readable("ssl_client_cert_file", options.ca_file)) return *err;
    }
    if (options.verify_peer && options.ca_file.empty() && !options.allow_self_signed) {
        return SysError{0, "ssl_verify_peer needs ssl_client_cert_file (the CA certificates client certificates "
                           "must chain to) or ssl_allow_self_signed"};
    }

    ERR_clear_error();
    auto shared = std::make_shared<Shared>();
    shared->ctx.reset(SSL_CTX_new(TLS_server_method()));
    SSL_CTX *ctx = shared->ctx.get();
    if (ctx == nullptr) return openssl_failure("tls: SSL_CTX_new failed");

    // No compression (CRIME), no renegotiation (a client-driven CPU drain, and pointless for
    // WebSocket), the server's cipher order.
    uint64_t ssl_options = SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE;
#ifdef SSL_OP_NO_RENEGOTIATION
    ssl_options |= SSL_OP_NO_RENEGOTIATION;
#endif
    SSL_CTX_set_options(ctx, ssl_options);
    // Record buffers (~34 KiB per connection) are freed whenever empty: idle connections
    // then hold only the SSL object.
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);

    // Set both bounds explicitly: the system openssl.cnf may have set others.
    if (options.max_version != 0 && options.min_version > options.max_version) {
        return SysError{0, "tls: min_version is above max_version"};
    }
    if (!SSL_CTX_set_min_proto_version(ctx, options.min_version)) {
        return openssl_failure("tls: unsupported min_version " + std::to_string(options.min_version));
    }
    if (!SSL_CTX_set_max_proto_version(ctx, options.max_version)) {
        return openssl_failure("tls: unsupported max_version " + std::to_string(options.max_version));
    }
    if (!options.ciphers.empty() && !SSL_CTX_set_cipher_list(ctx, options.ciphers.c_str())) {
        return openssl_failure("ssl_ciphers '" + options.ciphers + "': no usable cipher");
    }
    if (!options.ciphersuites.empty() && !SSL_CTX_set_ciphersuites(ctx, options.ciphersuites.c_str())) {
        return openssl_failure("tls ciphersuites '" + options.ciphersuites + "': no usable TLS 1.3 suite");
    }
    // DHE suites get parameters matching the certificate's strength (ECDHE needs nothing).
    SSL_CTX_set_dh_auto(ctx, 1);

    if (!SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str())) {
        return openssl_failure(quoted("ssl_cert_file", options.cert_file) + ": cannot load the certificate");
    }

    SSL_CTX_set_default_passwd_cb(ctx, passphrase_callback);
    // Only while loading: `options` does not outlive this call.
    SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string *>(&options.passphrase));
    int key_loaded = SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
    if (!key_loaded) {
        // OpenSSL checks the key against the certificate of its type while loading it.
        bool mismatch = is_key_mismatch(ERR_peek_error()) || is_key_mismatch(ERR_peek_last_error());
        return openssl_failure(quoted("ssl_key_file", options.key_file) +
                               (mismatch ? ": private key does not match the certificate"
                                         : ": cannot load the private key"));
    }
    // A key of another type than the certificate loads fine and only fails here.
    if (!SSL_CTX_check_private_key(ctx)) {
        return openssl_failure(quoted("ssl_key_file", options.key_file) +
                               ": private key does not match the certificate");
    }

    if (!options.ca_file.empty()) {
        if (!SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr)) {
            return openssl_failure(quoted("ssl_client_cert_file", options.ca_file) +
                                   ": cannot load CA certificates");
        }
        // The CA names sent in the CertificateRequest, so a client holding several
        // certificates picks the right one. Optional: a failure only loses the hint.
        if (STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(options.ca_file.c_str())) {
            SSL_CTX_set_client_CA_list(ctx, names);
        }
        ERR_clear_error();
    }
    if (options.verify_peer) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                           options.allow_self_signed ? verify_allow_self_signed : nullptr);
        if (options.verify_depth > 0) SSL_CTX_set_verify_depth(ctx, options.verify_depth);
    }

    // Required for resumption once client certificates are verified (else OpenSSL fails the
    // whole handshake of a client that tries to resume), harmless otherwise.
    static const unsigned char kSessionIdContext[] = "wsserver";
    SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1);
    // As nginx's default: no server-side session cache (it would hold up to 20480 sessions,
    // about 1 KiB each, per worker); resumption works through stateless session tickets,
    // whose key is made here, before any fork, so every worker can decrypt every ticket.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);

    if (!options.alpn.empty()) {
        for (const std::string &proto : options.alpn) {
            if (proto.empty() || proto.size() > 255) {
                return SysError{0, "tls alpn protocol '" + proto + "' must be 1 to 255 bytes"};
            }
            shared->alpn_wire += static_cast<char>(proto.size());
            shared->alpn_wire += proto;
        }
        // `shared` outlives the SSL_CTX's use: sessions hold it too.
        SSL_CTX_set_alpn_select_cb(ctx, alpn_select, shared.get());
    }

    ERR_clear_error();
    return TlsContext(std::move(shared));
}

ssl_ctx_st *TlsContext::native() const { return shared_ ? shared_->ctx.get() : nullptr; }

// --- TlsSession -----------------------------------------------------------------------------

struct TlsSession::Impl {
    // Declared first so it is destroyed last: the SSL refers to its SSL_CTX and ALPN list.
    std::shared_ptr<const TlsContext::Shared> shared;
    // The span the BIO reads from: the rest of what feed() was given.
    const uint8_t *in = nullptr;
    size_t in_len = 0;
    // Where the BIO appends what OpenSSL writes: `pending` by default, the caller's string
    // during encrypt() and shutdown().
    std::string *sink = nullptr;
    std::string pending;
    std::string error;
    bool handshake_done = false;
    bool failed = false;
    bool peer_closed = false;
    bool sent_shutdown = false;
    // Owns the BIO (whose data pointer is this Impl, which never moves: it lives on the heap).
    std::unique_ptr<SSL, SslFree> ssl;

    TlsSession::Status fail(const char *what, int ssl_error);
    void flush_pending(std::string &out) {
        if (pending.empty()) return;
        out.append(pending);
        // Handshake flights and alerts are rare: give the memory back rather than keep it
        // per connection.
        std::string().swap(pending);
    }
};

namespace {

// The BIO between OpenSSL and the session: reads from the span feed() was given (nothing
// left: "retry", which OpenSSL reports as SSL_ERROR_WANT_READ) and appends writes to the
// session's sink (never short, never "retry", so SSL_write never needs to be repeated).
int bio_write(BIO *bio, const char *data, int len) {
    auto *impl = static_cast<TlsSession::Impl *>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    if (impl == nullptr || len < 0) return -1;
    try {
        impl->sink->append(data, static_cast<size_t>(len));
    } catch (const std::bad_alloc &) {
        return -1;  // never unwind through OpenSSL's C frames; SSL_write then fails
    }
    return len;
}

int bio_read(BIO *bio, char *out, int len) {
    auto *impl = static_cast<TlsSession::Impl *>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    if (impl == nullptr || len < 0) return -1;
    if (impl->in_len == 0) {
        BIO_set_retry_read(bio);
        return -1;
    }
    size_t n = std::min(impl->in_len, static_cast<size_t>(len));
    std::memcpy(out, impl->in, n);
    impl->in += n;
    impl->in_len -= n;
    return static_cast<int>(n);
}

long bio_ctrl(BIO *bio, int cmd, long /*num*/, void * /*ptr*/) {
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;  // writes are already "sent" (appended)
    case BIO_CTRL_PENDING: {
        auto *impl = static_cast<TlsSession::Impl *>(BIO_get_data(bio));
        return impl ? static_cast<long>(std::min<size_t>(impl->in_len, 0x7fffffff)) : 0;
    }
    default:
        return 0;  // WPENDING (nothing buffered), kTLS queries, push/pop...: not supported
    }
}

int bio_create(BIO *bio) {
    BIO_set_init(bio, 1);
    return 1;
}

int bio_destroy(BIO *bio) {
    BIO_set_data(bio, nullptr);  // the Impl is not the BIO's to free
    return 1;
}

// Built once and never modified or freed afterwards: an immutable function table, like the
// ones OpenSSL itself returns from BIO_s_mem(). Null only if OpenSSL ran out of memory.
const BIO_METHOD *session_bio_method() {
    static BIO_METHOD *const method = [] {
        BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "wsserver tls session");
        if (m == nullptr) return m;
        BIO_meth_set_write(m, bio_write);
        BIO_meth_set_read(m, bio_read);
        BIO_meth_set_ctrl(m, bio_ctrl);
        BIO_meth_set_create(m, bio_create);
        BIO_meth_set_destroy(m, bio_destroy);
        return m;
    }();
    return method;
}

// Points a session's BIO output at the caller's string for the duration of one call.
class SinkScope {
public:
    SinkScope(TlsSession::Impl &impl, std::string &out) : impl_(impl) { impl_.sink = &out; }
    ~SinkScope() { impl_.sink = &impl_.pending; }
    SinkScope(const SinkScope &) = delete;
    SinkScope &operator=(const SinkScope &) = delete;

private:
    TlsSession::Impl &impl_;
};

// Forgets the caller's span when feed() returns, whatever the path.
class InputScope {
public:
    InputScope(TlsSession::Impl &impl, const uint8_t *data, size_t len) : impl_(impl) {
        impl_.in = data;
        impl_.in_len = len;
    }
    ~InputScope() {
        impl_.in = nullptr;
        impl_.in_len = 0;
    }
    InputScope(const InputScope &) = delete;
    InputScope &operator=(const InputScope &) = delete;

private:
    TlsSession::Impl &impl_;
};

}  // namespace

TlsSession::Status TlsSession::Impl::fail(const char *what, int ssl_error) {
    failed = true;
    unsigned long err = ERR_get_error();  // the earliest: the root cause
    std::string reason;
    if (err != 0) {
        if (ERR_GET_LIB(err) == ERR_LIB_SSL && ERR_GET_REASON(err) == SSL_R_HTTP_REQUEST) {
            reason = "http request (plain HTTP sent to the TLS port)";
        } else if (const char *text = ERR_reason_error_string(err)) {
            reason = text;
        } else {
            char buf[256];
            ERR_error_string_n(err, buf, sizeof buf);
            reason = buf;
        }
    } else {
        reason = "SSL error " + std::to_string(ssl_error);
    }
    ERR_clear_error();
    long verify = SSL_get_verify_result(ssl.get());
    if (!handshake_done && verify != X509_V_OK) {
        reason += " (";
        reason += X509_verify_cert_error_string(verify);
        reason += ")";
    }
    error = std::string("tls: ") + what + ": " + reason;
    return Status::Error;
}

TlsSession::TlsSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsSession::TlsSession() noexcept = default;
TlsSession::TlsSession(TlsSession &&) noexcept = default;
TlsSession &TlsSession::operator=(TlsSession &&) noexcept = default;
TlsSession::~TlsSession() = default;

Result<TlsSession> TlsSession::create(const TlsContext &context) {
    if (!context.shared_) return SysError{0, "tls: the TlsContext is empty"};
    const BIO_METHOD *method = session_bio_method();
    if (method == nullptr) return SysError{ENOMEM, "tls: BIO_meth_new failed"};

    ERR_clear_error();
    auto impl = std::make_unique<Impl>();
    impl->shared = context.shared_;
    impl->sink = &impl->pending;
    impl->ssl.reset(SSL_new(context.shared_->ctx.get()));
    if (!impl->ssl) return openssl_failure("tls: SSL_new failed");
    BIO *bio = BIO_new(method);
    if (bio == nullptr) return openssl_failure("tls: BIO_new failed");
    BIO_set_data(bio, impl.get());
    // One BIO both ways; SSL_set_bio takes the single reference, SSL_free frees it.
    SSL_set_bio(impl->ssl.get(), bio, bio);
    SSL_set_accept_state(impl->ssl.get());
    return TlsSession(std::move(impl));
}

TlsSession::Status TlsSession::feed(const uint8_t *ciphertext, size_t len, std::string &plaintext_out) {
    if (!impl_) return Status::Error;
    Impl &s = *impl_;
    if (s.failed) return Status::Error;
    if (s.peer_closed) return Status::Closed;
    SSL *ssl = s.ssl.get();
    InputScope input(s, ciphertext, len);
    ERR_clear_error();

    Status status = Status::Ok;
    if (!s.handshake_done) {
        int r = SSL_do_handshake(ssl);
        if (r != 1) {
            int e = SSL_get_error(ssl, r);
            // WANT_READ means the BIO ran dry: every byte was taken.
            if (e == SSL_ERROR_WANT_READ) return Status::WantMore;
            if (e == SSL_ERROR_ZERO_RETURN) {  // a close_notify alert before the handshake ended
                ERR_clear_error();
                s.peer_closed = true;
                return Status::Closed;
            }
            return s.fail("handshake failed", e);
        }
        s.handshake_done = true;
        status = Status::HandshakeDone;
    }

    // Decrypt straight into the caller's string. Room for everything this call can yield:
    // the rest of the input plus one record OpenSSL may hold from earlier partial feeds.
    size_t used = plaintext_out.size();
    for (;;) {
        if (plaintext_out.size() - used < 1024) {
            plaintext_out.resize(used + s.in_len + kMaxRecordPlaintext);
        }
        size_t n = 0;
        int r = SSL_read_ex(ssl, &plaintext_out[used], plaintext_out.size() - used, &n);
        if (r == 1) {
            used += n;
            continue;
        }
        plaintext_out.resize(used);
        int e = SSL_get_error(ssl, r);
        if (e == SSL_ERROR_WANT_READ) break;
        if (e == SSL_ERROR_ZERO_RETURN) {
            s.peer_closed = true;
            return Status::Closed;
        }
        return s.fail("read failed", e);
    }
    return status;
}

bool TlsSession::encrypt(const void *head, size_t head_len, const void *body, size_t body_len,
                         std::string &ciphertext_out) {
    if (!impl_) return false;
    Impl &s = *impl_;
    if (!s.handshake_done || s.failed || s.sent_shutdown) return false;
    s.flush_pending(ciphertext_out);
    if (head_len + body_len == 0) return true;

    SinkScope sink(s, ciphertext_out);
    size_t total = head_len + body_len;
    ciphertext_out.reserve(ciphertext_out.size() + total + (total / kMaxRecordPlaintext + 2) * kRecordOverhead);
    ERR_clear_error();

    auto write = [&](const void *data, size_t len) {
        if (len == 0) return true;
        size_t written = 0;
        // Never partial: the BIO takes every byte, so one call encrypts all of it.
        int r = SSL_write_ex(s.ssl.get(), data, len, &written);
        if (r == 1 && written == len) return true;
        s.fail("write failed", SSL_get_error(s.ssl.get(), r));
        return false;
    };

    const auto *h = static_cast<const char *>(head);
    const auto *b = static_cast<const char *>(body);
    if (head_len > 0 && body_len > 0 && head_len < kMaxRecordPlaintext) {
        // A WebSocket header alone would be a record of its own (22-29 bytes of overhead
        // for 2-14 bytes): put it and the start of the body in the first record.
        char first[kMaxRecordPlaintext];
        size_t take = std::min(body_len, kMaxRecordPlaintext - head_len);
        std::memcpy(first, h, head_len);
        std::memcpy(first + head_len, b, take);
        return write(first, head_len + take) && write(b + take, body_len - take);
    }
    return write(h, head_len) && write(b, body_len);
}

void TlsSession::take_pending_output(std::string &ciphertext_out) {
    if (impl_) impl_->flush_pending(ciphertext_out);
}

bool TlsSession::has_pending_output() const { return impl_ && !impl_->pending.empty(); }

void TlsSession::shutdown(std::string &ciphertext_out) {
    if (!impl_) return;
    Impl &s = *impl_;
    s.flush_pending(ciphertext_out);
    if (!s.handshake_done || s.failed || s.sent_shutdown) return;
    s.sent_shutdown = true;
    SinkScope sink(s, ciphertext_out);
    ERR_clear_error();
    // 0: close_notify sent, the peer's not seen yet; 1: both done. We never wait for the
    // peer's (the server closes TCP after flushing), so either is success.
    SSL_shutdown(s.ssl.get());
    ERR_clear_error();
}

bool TlsSession::handshake_done() const { return impl_ && impl_->handshake_done; }

bool TlsSession::closed() const { return impl_ && (impl_->failed || impl_->peer_closed); }

const std::string &TlsSession::error() const {
    static const std::string kNone;
    return impl_ ? impl_->error : kNone;
}

std::string_view TlsSession::alpn() const {
    if (!impl_) return {};
    const unsigned char *data = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(impl_->ssl.get(), &data, &len);
    return data ? std::string_view(reinterpret_cast<const char *>(data), len) : std::string_view();
}

std::string_view TlsSession::protocol() const {
    if (!impl_ || !impl_->handshake_done) return {};
    return SSL_get_version(impl_->ssl.get());
}

std::string_view TlsSession::cipher() const {
    if (!impl_ || !impl_->handshake_done) return {};
    const SSL_CIPHER *c = SSL_get_current_cipher(impl_->ssl.get());
    return c ? SSL_CIPHER_get_name(c) : std::string_view();
}

std::string TlsSession::peer_certificate_pem() const {
    if (!impl_ || !impl_->handshake_done) return {};
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    std::unique_ptr<X509, X509Free> cert(SSL_get1_peer_certificate(impl_->ssl.get()));
#else
    std::unique_ptr<X509, X509Free> cert(SSL_get_peer_certificate(impl_->ssl.get()));
#endif
    if (!cert) return {};
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    std::string pem;
    if (bio && PEM_write_bio_X509(bio.get(), cert.get())) {
        char *data = nullptr;
        long len = BIO_get_mem_data(bio.get(), &data);
        if (data && len > 0) pem.assign(data, static_cast<size_t>(len));
    }
    ERR_clear_error();
    return pem;
}

ssl_st *TlsSession::native() const { return impl_ ? impl_->ssl.get() : nullptr; }

}  // namespace wsserver
