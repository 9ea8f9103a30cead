#include "core/websocket/permessage_deflate.h"

#include <algorithm>
#include <cstring>

namespace wsserver {

namespace {

constexpr uint8_t kTail[4] = {0x00, 0x00, 0xFF, 0xFF};
constexpr size_t kMinChunk = 4096;

}  // namespace

Deflater::Deflater(int window_bits, bool no_context_takeover, int level) : no_context_takeover_(no_context_takeover) {
    // zlib refuses a 256-byte window for raw deflate; 9 is the smallest it can do.
    window_bits = std::clamp(window_bits, 9, 15);
    ok_ = deflateInit2(&stream_, level, Z_DEFLATED, -window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

Deflater::~Deflater() {
    if (ok_) {
        deflateEnd(&stream_);
    }
}

bool Deflater::compress(const uint8_t *data, size_t len, std::string &out) {
    if (!ok_ || len > UINT32_MAX) {  // zlib counts input in 32 bits
        return false;
    }
    const size_t start = out.size();
    stream_.next_in = const_cast<Bytef *>(data);
    stream_.avail_in = static_cast<uInt>(len);
    // deflateBound() covers a whole message; a sync flush adds at most a few bytes.
    size_t chunk = deflateBound(&stream_, static_cast<uLong>(len)) + 16;
    for (;;) {
        const size_t old = out.size();
        out.resize(old + chunk);
        stream_.next_out = reinterpret_cast<Bytef *>(&out[old]);
        stream_.avail_out = static_cast<uInt>(chunk);
        const int rc = deflate(&stream_, Z_SYNC_FLUSH);
        out.resize(old + chunk - stream_.avail_out);
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            out.resize(start);
            return false;
        }
        if (stream_.avail_in == 0 && stream_.avail_out != 0) {
            break;
        }
        chunk = std::max(chunk, kMinChunk);
    }
    // RFC 7692 7.2.1: a sync flush ends with 00 00 ff ff, which the sender removes.
    if (out.size() - start >= 4 && std::memcmp(out.data() + out.size() - 4, kTail, 4) == 0) {
        out.resize(out.size() - 4);
    } else if (out.size() == start) {
        // No input since the last flush: zlib emits nothing, but the message must still
        // end with an empty stored block (00 00 00 ff ff on the byte-aligned stream),
        // which is 00 once the tail is removed. An empty payload would desync the peer.
        out.push_back('\0');
    }
    if (no_context_takeover_) {
        deflateReset(&stream_);
    }
    return true;
}

Inflater::Inflater(int window_bits, bool no_context_takeover) : no_context_takeover_(no_context_takeover) {
    window_bits = std::clamp(window_bits, 8, 15);
    ok_ = inflateInit2(&stream_, -window_bits) == Z_OK;
}

Inflater::~Inflater() {
    if (ok_) {
        inflateEnd(&stream_);
    }
}

void Inflater::reset() {
    message_has_input_ = false;
    if (ok_) {
        inflateReset(&stream_);
    }
}

Inflater::Result Inflater::run(const uint8_t *data, size_t len, std::string &out, size_t max_output) {
    if (!ok_ || len > UINT32_MAX) {  // zlib counts input in 32 bits
        return Result::Corrupt;
    }
    stream_.next_in = const_cast<Bytef *>(data);
    stream_.avail_in = static_cast<uInt>(len);
    // Steps are sized from this call's input and grow while it keeps producing, so the
    // zero-filling resize() costs in proportion to the output of this call, never to
    // what earlier calls already inflated (tiny reads of a big message stay linear).
    size_t step = std::max(kMinChunk, len * 4);
    for (;;) {
        const size_t room = max_output - std::min(max_output, out.size());
        if (room == 0) {
            // At the cap: the message is too big if even one more byte would come out.
            Bytef probe;
            stream_.next_out = &probe;
            stream_.avail_out = 1;
            const int rc = inflate(&stream_, Z_SYNC_FLUSH);
            if (stream_.avail_out == 0) {
                return Result::TooBig;
            }
            if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
                return Result::Corrupt;
            }
            if (rc == Z_STREAM_END && stream_.avail_in > 0) {
                inflateReset(&stream_);
                continue;
            }
            return Result::Ok;
        }
        // Never past the cap, so a bomb costs at most max_output.
        const size_t chunk = std::min(room, step);
        step = std::min(step * 2, size_t{1} << 24);
        const size_t old = out.size();
        out.resize(old + chunk);
        stream_.next_out = reinterpret_cast<Bytef *>(&out[old]);
        stream_.avail_out = static_cast<uInt>(chunk);
        const int rc = inflate(&stream_, Z_SYNC_FLUSH);
        out.resize(old + chunk - stream_.avail_out);
        switch (rc) {
        case Z_OK:
        case Z_BUF_ERROR:
            break;
        case Z_STREAM_END:
            // The peer ended the DEFLATE stream (BFINAL); anything after starts a new one.
            inflateReset(&stream_);
            break;
        default:
            return Result::Corrupt;
        }
        if (stream_.avail_in == 0 && stream_.avail_out != 0) {
            return Result::Ok;
        }
        if (rc == Z_BUF_ERROR && stream_.avail_out != 0) {
            return Result::Ok;  // no progress possible and output not full: input exhausted
        }
    }
}

Inflater::Result Inflater::feed(const uint8_t *data, size_t len, std::string &out, size_t max_output) {
    message_has_input_ |= len > 0;
    return run(data, len, out, max_output);
}

Inflater::Result Inflater::finish(std::string &out, size_t max_output) {
    // The tail alone would be read as the start of a stored block and put the stream
    // out of step with the peer's, so an empty payload means an empty message.
    const Result r = message_has_input_ ? run(kTail, sizeof kTail, out, max_output) : Result::Ok;
    message_has_input_ = false;
    if (no_context_takeover_) {
        inflateReset(&stream_);
    }
    return r;
}

bool deflate_message(const uint8_t *data, size_t len, std::string &out, int level) {
    Deflater deflater(15, true, level);
    return deflater.compress(data, len, out);
}

Inflater::Result inflate_message(const uint8_t *data, size_t len, std::string &out, size_t max_output) {
    Inflater inflater(15, true);
    const Inflater::Result r = inflater.feed(data, len, out, max_output);
    return r == Inflater::Result::Ok ? inflater.finish(out, max_output) : r;
}

}  // namespace wsserver
