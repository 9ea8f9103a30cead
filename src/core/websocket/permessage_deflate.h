// permessage-deflate (RFC 7692): raw DEFLATE per message, the trailing 00 00 ff ff of a
// sync flush removed on send and restored on receive, with window-size and
// context-takeover settings.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace wsserver {

struct DeflateParams {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    int server_max_window_bits = 15;  // 8..15
    int client_max_window_bits = 15;  // 8..15
};

// Compresses outgoing messages. With context takeover the window carries over from one
// message to the next, which compresses repetitive traffic much better. zlib cannot
// produce raw deflate with a 256-byte window, so window_bits 8 is raised to 9: the
// handshake must never agree to server_max_window_bits=8.
class Deflater {
public:
    explicit Deflater(int window_bits = 15, bool no_context_takeover = false, int level = Z_DEFAULT_COMPRESSION);
    ~Deflater();
    Deflater(const Deflater &) = delete;
    Deflater &operator=(const Deflater &) = delete;

    bool ok() const { return ok_; }
    // Appends the compressed form of one whole message to `out` (tail removed).
    bool compress(const uint8_t *data, size_t len, std::string &out);

private:
    z_stream stream_{};
    bool ok_ = false;
    bool no_context_takeover_;
};

// Inflates incoming messages, never producing more than the caller's limit: a small
// frame that would inflate past it is refused before the memory is spent.
class Inflater {
public:
    enum class Result { Ok, TooBig, Corrupt };

    explicit Inflater(int window_bits = 15, bool no_context_takeover = false);
    ~Inflater();
    Inflater(const Inflater &) = delete;
    Inflater &operator=(const Inflater &) = delete;

    bool ok() const { return ok_; }
    // Inflates the next compressed bytes of the current message, appending to `out`,
    // which never grows beyond `max_output` bytes.
    Result feed(const uint8_t *data, size_t len, std::string &out, size_t max_output);
    // Ends the current message (feeds the removed 00 00 ff ff tail). A message that
    // brought no compressed bytes at all is taken as empty, leaving the stream as it was.
    Result finish(std::string &out, size_t max_output);
    // Forgets the current message after an error, keeping the stream usable.
    void reset();

private:
    Result run(const uint8_t *data, size_t len, std::string &out, size_t max_output);

    z_stream stream_{};
    bool ok_ = false;
    bool no_context_takeover_;
    bool message_has_input_ = false;
};

// One-shot helpers for Frame::pack()/unpack(): a fresh stream per message.
bool deflate_message(const uint8_t *data, size_t len, std::string &out, int level = Z_DEFAULT_COMPRESSION);
Inflater::Result inflate_message(const uint8_t *data, size_t len, std::string &out, size_t max_output);

}  // namespace wsserver
