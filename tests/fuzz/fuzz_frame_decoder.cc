// Fuzz target: FrameDecoder fed whole, in chunks derived from the input, and byte by
// byte must report identical events, and every step must respect the Step contract.
//
// Input: byte 0 picks the DecoderOptions, byte 1 the chunking, the rest is the stream.
#include <cstring>
#include <string>
#include <vector>

#include "core/websocket/frame_decoder.h"
#include "fuzz_common.h"

using namespace wsserver;
using Event = FrameDecoder::Event;

namespace {

struct Ev {
    Event kind;
    FrameHeader header;
    std::string payload;  // merged consecutive Payload steps
    uint16_t code = 0;
    bool in_message = false;
    uint8_t message_opcode = 0;
    bool message_compressed = false;
};

bool same(const Ev &a, const Ev &b) {
    if (a.kind != b.kind || a.in_message != b.in_message || a.message_opcode != b.message_opcode ||
        a.message_compressed != b.message_compressed)
        return false;
    switch (a.kind) {
        case Event::FrameStart:
            return a.header.fin == b.header.fin && a.header.rsv1 == b.header.rsv1 && a.header.rsv2 == b.header.rsv2 &&
                   a.header.rsv3 == b.header.rsv3 && a.header.opcode == b.header.opcode &&
                   a.header.masked == b.header.masked && a.header.payload_length == b.header.payload_length &&
                   std::memcmp(a.header.mask_key, b.header.mask_key, 4) == 0;
        case Event::Payload: return a.payload == b.payload;
        case Event::Error: return a.code == b.code;
        default: return true;
    }
}

class Run {
public:
    explicit Run(const DecoderOptions &o) : decoder_(o), options_(o) {}

    // Feeds one chunk, checking every step. Returns false after an error.
    bool feed(const uint8_t *p, size_t n) {
        if (errored_) {
            FrameDecoder::Step s = decoder_.next(p, n);
            FUZZ_CHECK(s.event == Event::Error, "error is not sticky (event %d)", int(s.event));
            FUZZ_CHECK(decoder_.error().close_code == error_code_, "error code changed");
            return false;
        }
        size_t pos = 0;
        // Every step consumes input except FrameEnd (at most one per FrameStart, which
        // consumed >= 2 bytes), NeedMore and Error: bounded by the chunk size.
        const size_t max_steps = 2 * n + 4;
        for (size_t steps = 0;; steps++) {
            FUZZ_CHECK(steps <= max_steps, "no progress: %zu steps for %zu bytes", steps, n);
            const FrameDecoder::Step s = decoder_.next(p + pos, n - pos);
            FUZZ_CHECK(s.consumed <= n - pos, "consumed %zu of %zu", s.consumed, n - pos);
            total_consumed_ += s.consumed;
            Ev ev;
            ev.kind = s.event;
            switch (s.event) {
                case Event::NeedMore:
                    FUZZ_CHECK(s.consumed == n - pos, "NeedMore left %zu bytes", n - pos - s.consumed);
                    return true;
                case Event::FrameStart:
                    FUZZ_CHECK(!in_frame_, "FrameStart inside a frame");
                    FUZZ_CHECK(s.consumed <= kMaxHeaderSize, "header of %zu bytes", s.consumed);
                    in_frame_ = true;
                    seen_ = 0;
                    ev.header = decoder_.header();
                    check_header(ev.header);
                    break;
                case Event::Payload:
                    FUZZ_CHECK(in_frame_, "Payload outside a frame");
                    FUZZ_CHECK(s.size > 0, "empty Payload");
                    FUZZ_CHECK(s.data == p + pos, "Payload data is not the consumed input");
                    FUZZ_CHECK(s.consumed == s.size, "Payload consumed %zu size %zu", s.consumed, s.size);
                    FUZZ_CHECK(s.offset == seen_, "Payload offset %llu expected %llu", (unsigned long long)s.offset,
                               (unsigned long long)seen_);
                    seen_ += s.size;
                    FUZZ_CHECK(seen_ <= decoder_.header().payload_length, "payload longer than announced");
                    ev.payload.assign(reinterpret_cast<const char *>(s.data), s.size);
                    break;
                case Event::FrameEnd:
                    FUZZ_CHECK(in_frame_, "FrameEnd outside a frame");
                    FUZZ_CHECK(seen_ == decoder_.header().payload_length, "payload sizes sum to %llu, header says %llu",
                               (unsigned long long)seen_, (unsigned long long)decoder_.header().payload_length);
                    in_frame_ = false;
                    end_frame(decoder_.header());
                    break;
                case Event::Error:
                    error_code_ = decoder_.error().close_code;
                    FUZZ_CHECK(error_code_ == close_code::kProtocolError || error_code_ == close_code::kMessageTooBig,
                               "error code %u", error_code_);
                    FUZZ_CHECK(decoder_.error().message != nullptr && decoder_.error().message[0] != 0,
                               "error without a message");
                    ev.code = error_code_;
                    errored_ = true;
                    break;
            }
            ev.in_message = decoder_.in_message();
            ev.message_opcode = decoder_.message_opcode();
            ev.message_compressed = decoder_.message_compressed();
            if (ev.kind == Event::Payload && !events.empty() && events.back().kind == Event::Payload) {
                events.back().payload += ev.payload;
            } else {
                events.push_back(std::move(ev));
            }
            pos += s.consumed;
            if (s.event == Event::Error) {
                // Sticky.
                const FrameDecoder::Step again = decoder_.next(p + pos, n - pos);
                FUZZ_CHECK(again.event == Event::Error, "error is not sticky");
                return false;
            }
        }
    }

    std::vector<Ev> events;
    size_t total_consumed() const { return total_consumed_; }
    FrameDecoder &decoder() { return decoder_; }

private:
    // The decoder accepted this header: it must satisfy every rule the options enforce.
    void check_header(const FrameHeader &h) {
        const unsigned op = h.opcode;
        FUZZ_CHECK(is_known_opcode(op), "accepted reserved opcode %u", op);
        const bool control = is_control_opcode(op);
        if (control) {
            FUZZ_CHECK(h.fin, "accepted fragmented control frame");
            FUZZ_CHECK(h.payload_length <= kMaxControlPayload, "accepted control payload %llu",
                       (unsigned long long)h.payload_length);
            FUZZ_CHECK(!h.rsv1, "accepted RSV1 on a control frame");
        }
        FUZZ_CHECK(!h.rsv1 || options_.allow_rsv1, "accepted RSV1 without allow_rsv1");
        FUZZ_CHECK(!h.rsv1 || op != 0, "accepted RSV1 on a continuation");
        FUZZ_CHECK(!(h.rsv2 || h.rsv3) || options_.allow_rsv23, "accepted RSV2/RSV3");
        FUZZ_CHECK(h.masked || !options_.require_masked, "accepted unmasked frame");
        FUZZ_CHECK(!h.masked || options_.allow_masked, "accepted masked frame");
        FUZZ_CHECK((h.payload_length >> 63) == 0, "accepted 64-bit length with MSB set");
        FUZZ_CHECK(h.payload_length <= options_.max_payload, "accepted payload over max_payload");
        if (options_.check_fragments && !control) {
            FUZZ_CHECK((op == 0) == model_in_message_, "fragment order: opcode %u, in message %d", op,
                       model_in_message_);
        }
        if (!control) {
            if (op != 0) {
                model_opcode_ = static_cast<uint8_t>(op);
                model_compressed_ = h.rsv1;
            }
            if (options_.check_fragments) {
                FUZZ_CHECK(decoder_.message_opcode() == model_opcode_, "message_opcode %u expected %u",
                           decoder_.message_opcode(), model_opcode_);
                FUZZ_CHECK(decoder_.message_compressed() == model_compressed_, "message_compressed wrong");
            }
        }
    }
    void end_frame(const FrameHeader &h) {
        if (!is_control_opcode(h.opcode)) model_in_message_ = !h.fin;
        if (options_.check_fragments) {
            FUZZ_CHECK(decoder_.in_message() == model_in_message_, "in_message %d expected %d",
                       decoder_.in_message(), model_in_message_);
        }
    }

    FrameDecoder decoder_;
    DecoderOptions options_;
    bool in_frame_ = false;
    uint64_t seen_ = 0;
    bool errored_ = false;
    uint16_t error_code_ = 0;
    size_t total_consumed_ = 0;
    bool model_in_message_ = false;
    uint8_t model_opcode_ = 0;
    bool model_compressed_ = false;
};

void expect_same(const std::vector<Ev> &a, const std::vector<Ev> &b, const char *what) {
    FUZZ_CHECK(a.size() == b.size(), "%s: %zu events vs %zu", what, a.size(), b.size());
    for (size_t i = 0; i < a.size(); i++) {
        FUZZ_CHECK(same(a[i], b[i]), "%s: event %zu differs (kind %d vs %d)", what, i, int(a[i].kind),
                   int(b[i].kind));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    const uint8_t opt = data[0];
    const uint8_t split = data[1];
    const uint8_t *stream = data + 2;
    const size_t n = size - 2;

    DecoderOptions o;
    o.require_masked = opt & 1;
    o.allow_masked = !(opt & 2);
    o.allow_rsv1 = opt & 4;
    o.allow_rsv23 = opt & 8;
    o.check_fragments = !(opt & 16);
    static const uint64_t kMax[8] = {UINT64_MAX, 0, 1, 125, 126, 1000, 65535, 65536};
    o.max_payload = kMax[opt >> 5];

    // Whole buffer.
    Run whole(o);
    whole.feed(stream, n);
    FUZZ_CHECK(whole.total_consumed() <= n, "consumed %zu of %zu", whole.total_consumed(), n);

    // Chunks derived from the input (zero-sized chunks included).
    static const size_t kChunk[4] = {2, 7, 40, 300};
    Run chunked(o);
    fuzz::Chunker chunker(split * 7919u + static_cast<uint32_t>(n), kChunk[split & 3]);
    for (size_t pos = 0; pos <= n;) {
        size_t c = chunker.next();
        if (c > n - pos) c = n - pos;
        if (!chunked.feed(stream + pos, c)) break;
        pos += c;
        if (pos == n) {
            chunked.feed(stream + pos, 0);  // a final empty call changes nothing
            break;
        }
    }
    expect_same(chunked.events, whole.events, "chunked vs whole");

    // Byte by byte.
    Run bytewise(o);
    for (size_t i = 0; i < n; i++) {
        if (!bytewise.feed(stream + i, 1)) break;
    }
    expect_same(bytewise.events, whole.events, "byte-wise vs whole");

    // reset() gives a decoder equivalent to a fresh one.
    whole.decoder().reset();
    FUZZ_CHECK(!whole.decoder().in_message(), "in_message after reset");
    Run fresh(o);
    fresh.decoder() = whole.decoder();
    fresh.feed(stream, n);
    expect_same(fresh.events, whole.events, "after reset vs fresh");
    return 0;
}
