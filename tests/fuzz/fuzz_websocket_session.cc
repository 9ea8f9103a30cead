// Fuzz target for WebSocketSession: client bytes in, events out.
//
// Input: byte 0 = options (bit 0-2 deliver ping/pong/close, bit 3 permessage-deflate,
// bit 4 client_no_context_takeover, bit 5 server_no_context_takeover, bit 6 structured
// mode); byte 1 = limits (bits 0-1 max message size, 2-4 client window, 5-7 server
// window); byte 2 = chunking seed; then the data.
//
// Raw mode: the data is the client's byte stream. Structured mode: the data is a list of
// records the harness turns into valid-looking frames (masked, optionally compressed with
// a client Deflater) or server actions (push, fragmented push, ping, close, release), so
// the fuzzer explores the protocol rather than fighting the masking.
//
// Everything runs twice: each segment of client bytes given whole, and split into
// input-derived chunks held in short-lived buffers (ASan catches stale pointers). The two
// event logs must be identical. Invariants on every event:
//  - Send carries exactly one well-formed unmasked control frame: a pong <= 125 bytes or a
//    close whose body parses strictly; an error close (failure() set) has code 1002, 1007
//    or 1009; a close echo carries the peer's code (empty body for 1005).
//  - Messages are text/binary, within max_message_size, text is valid UTF-8, RSV1|COMPRESS
//    only with deflate negotiated; Ping/Pong/Close only when delivered, <= 125 bytes.
//  - Disconnect comes once; afterwards nothing but NeedMore, all input consumed.
//  - buffer_capacity() stays within about twice the limit.
//  - Outgoing frames decode to what was pushed (inflated with the client's view).
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/websocket/frame.h"
#include "core/websocket/frame_decoder.h"
#include "core/websocket/permessage_deflate.h"
#include "core/websocket/utf8.h"
#include "core/websocket/websocket_session.h"
#include "fuzz_common.h"

using namespace wsserver;
using ET = WebSocketSession::EventType;

namespace {

const size_t kMaxSizes[4] = {64, 1000, 70000, 1u << 20};

struct Config {
    SessionOptions options;
    bool structured = false;
    uint8_t chunk_seed = 0;
};

// One step of a scenario: client bytes, or a server action.
struct Step {
    bool action = false;
    std::vector<uint8_t> bytes;  // client bytes, or the action's data
    uint8_t what = 0;            // action kind
};

bool parse_one_server_frame(const uint8_t *data, size_t len, FrameHeader &h, std::string &payload) {
    DecoderOptions d;
    d.require_masked = false;
    d.allow_masked = false;
    d.allow_rsv1 = true;
    d.check_fragments = false;
    FrameDecoder dec(d);
    size_t pos = 0;
    bool started = false, ended = false;
    while (!ended) {
        const FrameDecoder::Step st = dec.next(data + pos, len - pos);
        pos += st.consumed;
        switch (st.event) {
        case FrameDecoder::Event::NeedMore:
        case FrameDecoder::Event::Error:
            return false;
        case FrameDecoder::Event::FrameStart:
            started = true;
            h = dec.header();
            break;
        case FrameDecoder::Event::Payload:
            payload.append(reinterpret_cast<const char *>(st.data), st.size);
            break;
        case FrameDecoder::Event::FrameEnd:
            ended = true;
            break;
        }
    }
    return started && pos == len;
}

class Run {
public:
    Run(const Config &cfg, bool chunked) : cfg_(cfg), chunked_(chunked), session_(cfg.options),
                                           chunker_(cfg.chunk_seed, kChunkMax[cfg.chunk_seed & 3]) {
        if (cfg.options.deflate) {
            const DeflateParams &p = *cfg.options.deflate;
            client_inflater_ = std::make_unique<Inflater>(p.server_max_window_bits, p.server_no_context_takeover);
        }
    }

    void client_bytes(const std::vector<uint8_t> &bytes) {
        if (!chunked_) {
            std::vector<uint8_t> buf(bytes);
            consume(buf.data(), buf.size());
            return;
        }
        size_t off = 0;
        while (off < bytes.size()) {
            size_t n = chunker_.next();
            if (n == 0) {
                consume(nullptr, 0);  // an empty read must be harmless
                n = 1;
            }
            // At most ~512 reads per segment, so big payloads stay fast to run.
            n = std::max(n, bytes.size() / 512);
            n = std::min(n, bytes.size() - off);
            std::vector<uint8_t> buf(bytes.begin() + off, bytes.begin() + off + n);  // freed below
            consume(buf.data(), buf.size());
            off += n;
        }
    }

    void action(uint8_t what, const std::vector<uint8_t> &data) {
        WebSocketSession::OutgoingFrame out;
        WebSocketSession::SendStatus st = WebSocketSession::SendStatus::Ok;
        const uint8_t *d = data.data();
        const size_t n = data.size();
        uint8_t opcode = 0;
        std::string reason;  // close(): out.payload points into it
        switch (what % 7) {
        case 0:  // a whole message, compressed if negotiated
            opcode = n % 2 ? 1 : 2;
            st = session_.encode(opcode, d, n, flag::kFin | flag::kCompress, out);
            break;
        case 1:  // first fragment
            opcode = 2;
            st = session_.encode(opcode, d, n, flag::kCompress, out);
            break;
        case 2:  // continuation
            opcode = 0;
            st = session_.encode(opcode, d, n, n % 2 ? flag::kFin : 0, out);
            break;
        case 3:
            opcode = 9;
            st = session_.encode(opcode, d, n, 0, out);
            break;
        case 4: {
            // No data: code 1005, an empty close body.
            const uint16_t code = n >= 2 ? static_cast<uint16_t>((d[0] << 8) | d[1])
                                         : (n ? close_code::kNormal : close_code::kNoStatus);
            if (n > 2) reason.assign(reinterpret_cast<const char *>(d) + 2, n - 2);
            opcode = 8;
            st = session_.close(code, reason, out);
            break;
        }
        case 5:
            session_.release_idle_memory();
            log_ += "release;";
            return;
        default:  // any opcode (from `what`), any flags (from the data)
            opcode = (what / 7) & 0x0F;
            st = session_.encode(opcode, d, n, n ? d[0] : 0, out);
            break;
        }
        log_ += "encode " + std::to_string(int(st)) + ";";
        if (st != WebSocketSession::SendStatus::Ok) {
            return;
        }
        FUZZ_CHECK(out.header_size >= 2 && out.header_size <= kMaxHeaderSize, "header size %zu", out.header_size);
        std::vector<uint8_t> frame(out.header, out.header + out.header_size);
        if (out.payload_size) frame.insert(frame.end(), out.payload, out.payload + out.payload_size);
        FrameHeader h;
        std::string payload;
        FUZZ_CHECK(parse_one_server_frame(frame.data(), frame.size(), h, payload), "encode() wrote a bad frame");
        FUZZ_CHECK(!h.masked && !h.rsv2 && !h.rsv3, "masked or RSV2/3 outgoing frame");
        FUZZ_CHECK(h.opcode == opcode, "opcode %d, asked %d", h.opcode, opcode);
        if (is_control_opcode(opcode)) {
            FUZZ_CHECK(h.fin && !h.rsv1 && payload.size() <= kMaxControlPayload, "bad outgoing control frame");
        }
        if (h.rsv1) {
            FUZZ_CHECK(cfg_.options.deflate && h.fin && opcode != 0, "RSV1 without deflate or on a fragment");
            std::string back;
            const size_t cap = n;
            Inflater::Result r = client_inflater_->feed(reinterpret_cast<const uint8_t *>(payload.data()),
                                                        payload.size(), back, cap);
            if (r == Inflater::Result::Ok) r = client_inflater_->finish(back, cap);
            FUZZ_CHECK(r == Inflater::Result::Ok, "outgoing message does not inflate: %d", int(r));
            FUZZ_CHECK(back.size() == n && (n == 0 || std::memcmp(back.data(), d, n) == 0), "outgoing message changed");
        } else if (opcode != 8) {
            FUZZ_CHECK(payload.size() == n && (n == 0 || std::memcmp(payload.data(), d, n) == 0), "outgoing payload changed");
        }
        log_ += "sent " + payload + ";";
    }

    const std::string &log() const { return log_; }
    WebSocketSession &session() { return session_; }

private:
    static constexpr size_t kChunkMax[4] = {1, 7, 64, 4096};

    void consume(uint8_t *data, size_t len) {
        size_t pos = 0;
        for (int guard = 0;; guard++) {
            FUZZ_CHECK(guard < 1000000, "next() makes no progress");
            const WebSocketSession::Event ev = session_.next(data + (data ? pos : 0), len - pos);
            FUZZ_CHECK(ev.consumed <= len - pos, "consumed %zu of %zu", ev.consumed, len - pos);
            pos += ev.consumed;
            if (ev.type == ET::NeedMore) {
                FUZZ_CHECK(pos == len, "NeedMore with %zu bytes left", len - pos);
                break;
            }
            check(ev);
            record(ev);
        }
        const size_t limit = cfg_.options.max_message_size;
        FUZZ_CHECK(session_.buffer_capacity() <= 2 * limit + cfg_.options.retained_buffer_capacity + 4096,
                   "buffers hold %zu bytes with a limit of %zu", session_.buffer_capacity(), limit);
    }

    void record(const WebSocketSession::Event &ev) {
        log_ += std::to_string(int(ev.type)) + "/" + std::to_string(ev.opcode) + "/" + std::to_string(ev.flags) + "/" +
                std::to_string(ev.close_code) + "/" + std::string(ev.close_reason) + "/" +
                std::string(ev.payload()) + ";";
    }

    void check(const WebSocketSession::Event &ev) {
        const SessionOptions &o = cfg_.options;
        FUZZ_CHECK(!disconnected_, "event %d after Disconnect", int(ev.type));
        FUZZ_CHECK(ev.data != nullptr || ev.type == ET::Disconnect, "null data");
        switch (ev.type) {
        case ET::NeedMore:
            break;
        case ET::Message:
            FUZZ_CHECK(ev.opcode == 1 || ev.opcode == 2, "message opcode %d", ev.opcode);
            FUZZ_CHECK(ev.size <= o.max_message_size, "message of %zu bytes, limit %zu", ev.size, o.max_message_size);
            FUZZ_CHECK(ev.opcode != 1 || is_valid_utf8(ev.data, ev.size), "text message is not UTF-8");
            FUZZ_CHECK(ev.flags == flag::kFin || (o.deflate && ev.flags == (flag::kFin | flag::kRsv1 | flag::kCompress)),
                       "message flags %u", ev.flags);
            break;
        case ET::Ping:
        case ET::Pong:
        case ET::Close:
            FUZZ_CHECK(ev.size <= kMaxControlPayload, "control payload %zu", ev.size);
            FUZZ_CHECK((ev.type == ET::Ping && o.deliver_ping && ev.opcode == 9) ||
                           (ev.type == ET::Pong && o.deliver_pong && ev.opcode == 10) ||
                           (ev.type == ET::Close && o.deliver_close && ev.opcode == 8),
                       "undelivered control event %d", int(ev.type));
            if (ev.type == ET::Close) {
                FUZZ_CHECK(ev.close_code == session_.peer_close_code(), "close event code");
                FUZZ_CHECK(ev.close_reason == session_.peer_close_reason(), "close event reason");
            }
            break;
        case ET::Send: {
            FrameHeader h;
            std::string payload;
            FUZZ_CHECK(parse_one_server_frame(ev.data, ev.size, h, payload), "Send is not one well-formed frame");
            FUZZ_CHECK(h.fin && !h.rsv1 && !h.masked && h.opcode == ev.opcode, "bad Send header");
            FUZZ_CHECK(payload.size() <= kMaxControlPayload, "Send payload %zu", payload.size());
            if (h.opcode == 10) {
                FUZZ_CHECK(!o.deliver_ping, "auto-pong although pings are delivered");
                break;
            }
            FUZZ_CHECK(h.opcode == 8, "Send of opcode %d", h.opcode);
            FUZZ_CHECK(!close_sent_, "two close frames");
            close_sent_ = true;
            ClosePayload cp;
            FUZZ_CHECK(parse_close_payload(reinterpret_cast<const uint8_t *>(payload.data()), payload.size(), true,
                                           cp) == CloseParse::Ok,
                       "Send of a malformed close body");
            FUZZ_CHECK(cp.code == ev.close_code && cp.code == session_.sent_close_code(), "close code mismatch");
            const uint16_t failure = session_.failure().close_code;
            if (failure != 0) {
                FUZZ_CHECK(failure == 1002 || failure == 1007 || failure == 1009, "error close code %u", failure);
                FUZZ_CHECK(cp.code == failure, "error close with code %u, failure %u", cp.code, failure);
            } else {
                FUZZ_CHECK(session_.close_received() && cp.code == session_.peer_close_code(),
                           "close echo %u, peer sent %u", cp.code, session_.peer_close_code());
            }
            break;
        }
        case ET::Disconnect:
            disconnected_ = true;
            FUZZ_CHECK(session_.state() == WebSocketSession::State::Closed, "Disconnect while not Closed");
            break;
        }
    }

    const Config &cfg_;
    bool chunked_;
    WebSocketSession session_;
    fuzz::Chunker chunker_;
    std::unique_ptr<Inflater> client_inflater_;
    bool disconnected_ = false;
    bool close_sent_ = false;
    std::string log_;
};

// Structured records:
//   [ctrl][len][payload]      ctrl bit 7 clear: a client frame. Bits 0-3 opcode, bit 4 FIN,
//                             bit 5 compress (with the client's Deflater, sets RSV1), bit 6
//                             unmasked. len 255: a 2-byte count follows and the payload is
//                             the next <=16 bytes repeated to count*16 bytes.
//   [0x80|n][what][n bytes]   a server action with n bytes of data.
std::vector<Step> build_steps(const Config &cfg, const uint8_t *p, size_t n) {
    std::vector<Step> steps;
    std::unique_ptr<Deflater> client_deflater;
    if (cfg.options.deflate) {
        const DeflateParams &dp = *cfg.options.deflate;
        client_deflater = std::make_unique<Deflater>(dp.client_max_window_bits, dp.client_no_context_takeover);
    }
    size_t pos = 0;
    uint8_t key_counter = 0;
    while (pos + 2 <= n) {
        const uint8_t ctrl = p[pos];
        uint8_t len = p[pos + 1];
        pos += 2;
        if (ctrl & 0x80) {
            const size_t k = std::min<size_t>(ctrl & 0x7F, n - pos);
            Step s;
            s.action = true;
            s.what = len;
            s.bytes.assign(p + pos, p + pos + k);
            pos += k;
            steps.push_back(std::move(s));
            continue;
        }
        std::string payload;
        if (len == 255 && pos + 2 <= n) {
            const size_t count = (size_t(p[pos]) << 8 | p[pos + 1]) * 16;
            pos += 2;
            const size_t plen = std::min<size_t>(16, n - pos);
            for (size_t i = 0; i < count && plen; i++) payload += static_cast<char>(p[pos + i % plen]);
            pos += plen;
        } else {
            const size_t k = std::min<size_t>(len, n - pos);
            payload.assign(reinterpret_cast<const char *>(p + pos), k);
            pos += k;
        }
        bool rsv1 = false;
        if ((ctrl & 0x20) && client_deflater) {
            std::string c;
            if (client_deflater->compress(reinterpret_cast<const uint8_t *>(payload.data()), payload.size(), c)) {
                payload = std::move(c);
            }
            rsv1 = true;
        } else if (ctrl & 0x20) {
            rsv1 = true;
        }
        FrameHeader h;
        h.fin = ctrl & 0x10;
        h.rsv1 = rsv1;
        h.opcode = ctrl & 0x0F;
        h.masked = !(ctrl & 0x40);
        const uint8_t key[4] = {uint8_t(0x5A ^ key_counter), uint8_t(ctrl), uint8_t(len), uint8_t(0xA5 + key_counter)};
        key_counter++;
        std::memcpy(h.mask_key, key, 4);
        h.payload_length = payload.size();
        uint8_t header[kMaxHeaderSize];
        const size_t hs = encode_frame_header(h, header);
        if (steps.empty() || steps.back().action) steps.push_back(Step{});
        std::vector<uint8_t> &out = steps.back().bytes;
        out.insert(out.end(), header, header + hs);
        const size_t start = out.size();
        out.insert(out.end(), payload.begin(), payload.end());
        if (h.masked) apply_mask(out.data() + start, out.data() + start, payload.size(), key, 0);
    }
    return steps;
}

void play(Run &run, const std::vector<Step> &steps) {
    for (const Step &s : steps) {
        if (s.action) {
            run.action(s.what, s.bytes);
        } else {
            run.client_bytes(s.bytes);
        }
    }
    run.session().connection_lost();
    FUZZ_CHECK(run.session().state() == WebSocketSession::State::Closed, "not Closed after connection_lost()");
    const uint16_t peer = run.session().peer_close_code();
    FUZZ_CHECK(peer == close_code::kAbnormal || peer == close_code::kNoStatus || is_sendable_close_code(peer),
               "peer close code %u", peer);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 3) return 0;
    Config cfg;
    const uint8_t o = data[0], l = data[1];
    cfg.options.deliver_ping = o & 1;
    cfg.options.deliver_pong = o & 2;
    cfg.options.deliver_close = o & 4;
    if (o & 8) {
        DeflateParams p;
        p.client_no_context_takeover = o & 16;
        p.server_no_context_takeover = o & 32;
        p.client_max_window_bits = 8 + ((l >> 2) & 7);
        p.server_max_window_bits = 9 + ((l >> 5) % 7);
        cfg.options.deflate = p;
    }
    cfg.structured = o & 64;
    cfg.options.max_message_size = kMaxSizes[l & 3];
    cfg.options.retained_buffer_capacity = (o & 128) ? 0 : 64 * 1024;
    cfg.chunk_seed = data[2];

    std::vector<Step> steps;
    if (cfg.structured) {
        steps = build_steps(cfg, data + 3, size - 3);
    } else {
        Step s;
        s.bytes.assign(data + 3, data + size);
        steps.push_back(std::move(s));
    }

    Run whole(cfg, false);
    play(whole, steps);
    Run chunked(cfg, true);
    play(chunked, steps);
    FUZZ_CHECK(whole.log() == chunked.log(), "chunking changed the events:\n whole:   %s\n chunked: %s",
               whole.log().c_str(), chunked.log().c_str());
    return 0;
}
