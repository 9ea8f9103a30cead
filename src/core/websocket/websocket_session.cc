#include "core/websocket/websocket_session.h"

#include <algorithm>
#include <cstring>

namespace wsserver {

namespace {

// Where an empty message points, so callers never see a null pointer.
constexpr uint8_t kEmpty[1] = {0};

constexpr uint8_t kClose = static_cast<uint8_t>(Opcode::Close);
constexpr uint8_t kPing = static_cast<uint8_t>(Opcode::Ping);
constexpr uint8_t kPong = static_cast<uint8_t>(Opcode::Pong);
constexpr uint8_t kText = static_cast<uint8_t>(Opcode::Text);
constexpr uint8_t kContinuation = static_cast<uint8_t>(Opcode::Continuation);

WebSocketSession::Event need_more(size_t consumed) {
    WebSocketSession::Event ev;
    ev.consumed = consumed;
    return ev;
}

}  // namespace

// zlib state, created only when permessage-deflate is used on this connection.
struct WebSocketSession::Compression {
    std::unique_ptr<Inflater> inflater;  // client -> server
    std::unique_ptr<Deflater> deflater;  // server -> client
    std::string deflated;                // encode()'s output, reused
    std::string scratch;                 // inflated bytes of a small read, see inflate()
};

uint64_t WebSocketSession::frame_limit(const SessionOptions &options) {
    const uint64_t max = options.max_message_size;
    if (!options.deflate) {
        return max;
    }
    // A compressed frame is limited by what it inflates to, which the inflater caps.
    // Its wire size may legitimately exceed the limit a little (incompressible data
    // grows by stored-block headers), so only absurd lengths fail here, before reading.
    const uint64_t slack = max / 64 + 1024;
    return max > UINT64_MAX - slack ? UINT64_MAX : max + slack;
}

WebSocketSession::WebSocketSession(const SessionOptions &options) : options_(options) {
    DecoderOptions d;
    d.require_masked = true;  // RFC 6455 5.1: a server fails unmasked client frames
    d.allow_masked = true;
    d.allow_rsv1 = options_.deflate.has_value();
    d.allow_rsv23 = false;
    d.check_fragments = true;
    d.max_payload = frame_limit(options_);
    decoder_.set_options(d);
}

WebSocketSession::~WebSocketSession() = default;
WebSocketSession::WebSocketSession(WebSocketSession &&) noexcept = default;
WebSocketSession &WebSocketSession::operator=(WebSocketSession &&) noexcept = default;

WebSocketSession::Compression &WebSocketSession::compression() {
    if (!compression_) {
        compression_ = std::make_unique<Compression>();
    }
    return *compression_;
}

void WebSocketSession::recycle(std::string &buffer) const {
    buffer.clear();
    if (buffer.capacity() > options_.retained_buffer_capacity) {
        std::string().swap(buffer);
    }
}

std::string_view WebSocketSession::peer_close_reason() const {
    if (!close_received_) {
        return {};
    }
    return {reinterpret_cast<const char *>(control_ + 4), peer_reason_size_};
}

size_t WebSocketSession::buffer_capacity() const {
    size_t total = message_.capacity();
    if (compression_) {
        total += compression_->deflated.capacity() + compression_->scratch.capacity();
    }
    return total;
}

void WebSocketSession::release_idle_memory() {
    if (!message_open_) {
        std::string().swap(message_);
    }
    if (compression_) {
        std::string().swap(compression_->deflated);
        std::string().swap(compression_->scratch);
        const DeflateParams &p = *options_.deflate;
        // Without context takeover a stream holds nothing worth keeping between messages.
        if (p.client_no_context_takeover && !message_open_) {
            compression_->inflater.reset();
        }
        if (p.server_no_context_takeover) {
            compression_->deflater.reset();
        }
    }
}

void WebSocketSession::connection_lost() {
    state_ = State::Closed;
    pending_send_ = 0;
    pending_disconnect_ = false;
    message_open_ = false;
}

WebSocketSession::Event WebSocketSession::take_pending() {
    Event ev;
    if (pending_send_ != 0) {
        ev.type = EventType::Send;
        ev.data = control_;
        ev.size = pending_send_;
        ev.opcode = kClose;
        ev.flags = flag::kFin;
        ev.close_code = sent_close_code_;
        pending_send_ = 0;
        return ev;
    }
    pending_disconnect_ = false;
    ev.type = EventType::Disconnect;
    return ev;
}

WebSocketSession::Event WebSocketSession::fail(const Failure &f, size_t consumed) {
    failure_.close_code = f.code;
    failure_.message = f.message;
    const bool may_send = state_ == State::Open;  // nothing may follow a close we already sent
    state_ = State::Closed;
    message_open_ = false;
    Event ev;
    ev.consumed = consumed;
    if (!may_send) {
        ev.type = EventType::Disconnect;
        return ev;
    }
    // Close frame with our code, and the reason in words for whoever debugs the client.
    const size_t reason = std::min(std::strlen(f.message), kMaxCloseReason);
    control_[0] = 0x80 | kClose;
    control_[1] = static_cast<uint8_t>(2 + reason);
    control_[2] = static_cast<uint8_t>(f.code >> 8);
    control_[3] = static_cast<uint8_t>(f.code);
    std::memcpy(control_ + 4, f.message, reason);
    sent_close_code_ = f.code;
    pending_disconnect_ = true;
    ev.type = EventType::Send;
    ev.data = control_;
    ev.size = 4 + reason;
    ev.opcode = kClose;
    ev.flags = flag::kFin;
    ev.close_code = f.code;
    return ev;
}

WebSocketSession::Event WebSocketSession::next(uint8_t *data, size_t len) {
    if (pending_send_ != 0 || pending_disconnect_) {
        return take_pending();
    }
    if (state_ == State::Closed) {
        return need_more(len);  // after a close, input is ignored
    }
    size_t pos = 0;
    for (;;) {
        const FrameDecoder::Step step = decoder_.next(data + pos, len - pos);
        uint8_t *const at = data + pos;  // where this step's input starts (step.data for Payload)
        pos += step.consumed;
        std::optional<Failure> failed;
        switch (step.event) {
        case FrameDecoder::Event::NeedMore:
            return need_more(pos);
        case FrameDecoder::Event::Error:
            return fail(Failure{decoder_.error().close_code, decoder_.error().message}, pos);
        case FrameDecoder::Event::FrameStart:
            failed = frame_start(len - pos);
            break;
        case FrameDecoder::Event::Payload: {
            const FrameHeader &h = decoder_.header();
            const size_t phase = static_cast<size_t>(step.offset & 3);
            if (is_control_opcode(h.opcode)) {
                // At most 125 bytes: unmasked while copied, so the reply can be built around it.
                apply_mask(control_ + 2 + step.offset, at, step.size, h.mask_key, phase);
            } else if (state_ == State::Open) {
                apply_mask(at, at, step.size, h.mask_key, phase);
                failed = data_payload(at, step.size);
            }
            break;
        }
        case FrameDecoder::Event::FrameEnd: {
            Event ev;
            if (frame_end(ev, failed)) {
                if (ev.type == EventType::Message && ev.data == nullptr) {
                    // A whole message from the read buffer: its payload ends right here.
                    ev.data = ev.size == 0 ? kEmpty : at - ev.size;
                }
                ev.consumed = pos;
                return ev;
            }
            break;
        }
        }
        if (failed) {
            return fail(*failed, pos);
        }
    }
}

void WebSocketSession::start_message() {
    message_open_ = true;
    message_text_ = decoder_.header().opcode == kText;
    utf8_.reset();
    recycle(message_);
}

std::optional<WebSocketSession::Failure> WebSocketSession::frame_start(size_t available) {
    const FrameHeader &h = decoder_.header();
    if (is_control_opcode(h.opcode)) {
        return std::nullopt;  // its payload (<= 125 bytes) is copied to control_ as it comes
    }
    message_direct_ = false;
    if (state_ != State::Open) {
        return std::nullopt;  // RFC 6455 5.5.1: data after a close is ignored
    }
    if (h.opcode != kContinuation) {
        start_message();
    }
    if (!decoder_.message_compressed()) {
        // message_ never exceeds the limit, so this cannot underflow.
        if (h.payload_length > options_.max_message_size - message_.size()) {
            return Failure{close_code::kMessageTooBig, "message exceeds the size limit"};
        }
        // The hot path: a whole message already in the read buffer is handed out in place.
        if (h.fin && h.opcode != kContinuation && h.payload_length <= available) {
            message_direct_ = true;
        }
    }
    return std::nullopt;
}

std::optional<WebSocketSession::Failure> WebSocketSession::data_payload(uint8_t *p, size_t n) {
    if (decoder_.message_compressed()) {
        return inflate(p, n, false);
    }
    // Checked piece by piece: invalid text fails as soon as it arrives, not at the end.
    if (message_text_ && !utf8_.feed(p, n)) {
        return Failure{close_code::kInvalidPayload, "text message is not valid UTF-8"};
    }
    // A direct message stays where it is: next() points the event at it.
    if (!message_direct_) {
        message_.append(reinterpret_cast<const char *>(p), n);
    }
    return std::nullopt;
}

std::optional<WebSocketSession::Failure> WebSocketSession::inflate(const uint8_t *p, size_t n, bool finish) {
    Compression &c = compression();
    if (!c.inflater) {
        const DeflateParams &params = *options_.deflate;
        c.inflater = std::make_unique<Inflater>(params.client_max_window_bits, params.client_no_context_takeover);
        if (!c.inflater->ok()) {
            c.inflater.reset();
            return Failure{close_code::kInternalError, "cannot allocate the inflater"};
        }
    }
    const size_t cap = options_.max_message_size;
    // Inflater grows its output in steps as large as what the output already holds, and
    // std::string::resize() zero-fills them: a big message arriving in small reads would
    // cost a memset of the whole message per read. A small read is therefore inflated
    // into a scratch buffer (capped at the room left) and appended, which costs in
    // proportion to what it produces.
    const bool via_scratch = !finish && n < message_.size() / 8;
    std::string &out = via_scratch ? c.scratch : message_;
    const size_t before = out.size();
    const Inflater::Result r = finish ? c.inflater->finish(message_, cap)
                                      : c.inflater->feed(p, n, out, via_scratch ? cap - message_.size() : cap);
    // UTF-8 first: what came out before a failure decides, whatever the read boundaries.
    const bool utf8_ok =
        !message_text_ || utf8_.feed(reinterpret_cast<const uint8_t *>(out.data()) + before, out.size() - before);
    if (via_scratch) {
        message_.append(c.scratch);
        recycle(c.scratch);
    }
    if (!utf8_ok) {
        return Failure{close_code::kInvalidPayload, "text message is not valid UTF-8"};
    }
    switch (r) {
    case Inflater::Result::Ok:
        return std::nullopt;
    case Inflater::Result::TooBig:
        return Failure{close_code::kMessageTooBig, "inflated message exceeds the size limit"};
    case Inflater::Result::Corrupt:
        break;
    }
    return Failure{close_code::kInvalidPayload, "compressed message does not inflate"};
}

bool WebSocketSession::frame_end(Event &ev, std::optional<Failure> &fail) {
    const FrameHeader &h = decoder_.header();
    if (is_control_opcode(h.opcode)) {
        return control_end(ev, fail);
    }
    if (state_ != State::Open || !h.fin) {
        return false;
    }
    const bool compressed = decoder_.message_compressed();
    if (compressed && (fail = inflate(nullptr, 0, true))) {
        return false;
    }
    if (message_text_ && !utf8_.complete()) {
        fail = Failure{close_code::kInvalidPayload, "text message ends inside a UTF-8 sequence"};
        return false;
    }
    ev.type = EventType::Message;
    ev.opcode = decoder_.message_opcode();
    ev.flags = flag::kFin | (compressed ? flag::kRsv1 | flag::kCompress : 0);
    if (message_direct_) {
        ev.data = nullptr;  // next() knows where the payload is in the read buffer
        ev.size = static_cast<size_t>(h.payload_length);
        message_direct_ = false;
    } else {
        ev.data = message_.empty() ? kEmpty : reinterpret_cast<const uint8_t *>(message_.data());
        ev.size = message_.size();
    }
    message_open_ = false;
    return true;
}

bool WebSocketSession::control_end(Event &ev, std::optional<Failure> &fail) {
    const FrameHeader &h = decoder_.header();
    uint8_t *const payload = control_ + 2;
    const size_t n = static_cast<size_t>(h.payload_length);  // <= 125, checked by the decoder
    ev.data = payload;
    ev.size = n;
    ev.opcode = h.opcode;
    ev.flags = flag::kFin;

    if (h.opcode == kPing) {
        if (state_ != State::Open) {
            return false;  // nothing may follow our close frame, not even a pong
        }
        if (options_.deliver_ping) {
            ev.type = EventType::Ping;  // the application answers (open_websocket_ping_frame)
            return true;
        }
        // RFC 6455 5.5.2: the pong carries the ping's payload.
        control_[0] = 0x80 | kPong;
        control_[1] = static_cast<uint8_t>(n);
        ev.type = EventType::Send;
        ev.opcode = kPong;
        ev.data = control_;
        ev.size = 2 + n;
        return true;
    }
    if (h.opcode == kPong) {
        if (state_ != State::Open || !options_.deliver_pong) {
            return false;
        }
        ev.type = EventType::Pong;
        return true;
    }

    // Close.
    ClosePayload cp;
    switch (parse_close_payload(payload, n, /*strict=*/true, cp)) {
    case CloseParse::Ok:
        break;
    case CloseParse::TooShort:
        fail = Failure{close_code::kProtocolError, "close frame with a 1-byte payload"};
        return false;
    case CloseParse::InvalidCode:
        fail = Failure{close_code::kProtocolError, "close code not allowed on the wire"};
        return false;
    case CloseParse::InvalidUtf8:
        fail = Failure{close_code::kInvalidPayload, "close reason is not valid UTF-8"};
        return false;
    }
    close_received_ = true;
    peer_close_code_ = cp.code;
    peer_reason_size_ = static_cast<uint8_t>(cp.reason.size());
    const bool reply = state_ == State::Open;  // in Closing our close frame is already out
    state_ = State::Closed;
    message_open_ = false;
    pending_disconnect_ = true;
    if (reply) {
        // Echo the peer's code (RFC 6455 5.5.1), which already sits in control_[2..3]; the
        // reason stays behind it for peer_close_reason(). An empty close body is answered
        // with an empty body: the peer gave no code, 1005 ("no status") must never be sent
        // (7.4.1), and inventing 1000 would state a reason the peer never gave.
        control_[0] = 0x80 | kClose;
        control_[1] = n == 0 ? 0 : 2;
        sent_close_code_ = cp.code;
        pending_send_ = static_cast<uint8_t>(2 + control_[1]);
    }
    if (options_.deliver_close) {
        ev.type = EventType::Close;
        ev.close_code = cp.code;
        ev.close_reason = cp.reason;
        return true;
    }
    ev = take_pending();
    return true;
}

WebSocketSession::SendStatus WebSocketSession::encode(uint8_t opcode, const uint8_t *data, size_t len,
                                                      unsigned flags, OutgoingFrame &out, bool late) {
    if (!is_known_opcode(opcode)) {
        return SendStatus::BadOpcode;
    }
    if (state_ != State::Open && !(late && !is_control_opcode(opcode))) {
        return SendStatus::NotOpen;
    }
    FrameHeader h;
    h.opcode = opcode;
    h.masked = false;  // RFC 6455 5.1: a server never masks
    const uint8_t *payload = data;
    size_t size = len;
    if (is_control_opcode(opcode)) {
        if (len > kMaxControlPayload) {
            return SendStatus::ControlTooLong;
        }
        if (opcode == kClose) {
            ClosePayload cp;
            if (parse_close_payload(data, len, /*strict=*/true, cp) != CloseParse::Ok) {
                return SendStatus::BadClosePayload;
            }
            state_ = State::Closing;
            sent_close_code_ = cp.code;
            message_open_ = false;  // whatever the peer was sending will be ignored
        }
        h.fin = true;
    } else {
        const bool continuation = opcode == kContinuation;
        if (continuation != out_in_message_) {
            return SendStatus::BadSequence;
        }
        h.fin = (flags & flag::kFin) != 0;
        // Compression only for a whole message (RFC 7692 allows fragments of a compressed
        // message, but the caller would have to split one deflate stream; Swoole does not
        // either). Empty messages stay uncompressed: deflate would make them longer.
        if (options_.deflate && (flags & flag::kCompress) && h.fin && !continuation && len > 0) {
            Compression &c = compression();
            recycle(c.deflated);
            if (!c.deflater) {
                const DeflateParams &p = *options_.deflate;
                c.deflater = std::make_unique<Deflater>(p.server_max_window_bits, p.server_no_context_takeover,
                                                        options_.compression_level);
            }
            if (c.deflater->ok() && c.deflater->compress(data, len, c.deflated)) {
                payload = reinterpret_cast<const uint8_t *>(c.deflated.data());
                size = c.deflated.size();
                h.rsv1 = true;
            } else {
                // Sent uncompressed instead. The stream may be half-advanced: start a fresh
                // one next time (a new stream never refers to the peer's older window).
                c.deflater.reset();
                c.deflated.clear();
            }
        }
        out_in_message_ = !h.fin;
    }
    h.payload_length = size;
    out.header_size = encode_frame_header(h, out.header);
    out.payload = payload;
    out.payload_size = size;
    out.flags = (h.fin ? flag::kFin : 0) | (h.rsv1 ? flag::kRsv1 | flag::kCompress : 0);
    return SendStatus::Ok;
}

WebSocketSession::SendStatus WebSocketSession::close(uint16_t code, std::string_view reason, OutgoingFrame &out) {
    if (state_ != State::Open) {
        return SendStatus::NotOpen;
    }
    if (reason.size() > kMaxCloseReason) {
        return SendStatus::ControlTooLong;
    }
    const uint8_t *r = reinterpret_cast<const uint8_t *>(reason.data());
    out.header[0] = 0x80 | kClose;
    if (code == close_code::kNoStatus) {
        if (!reason.empty()) {
            return SendStatus::BadClosePayload;
        }
        out.header[1] = 0;
        out.header_size = 2;
    } else {
        if (!is_sendable_close_code(code) || !is_valid_utf8(r, reason.size())) {
            return SendStatus::BadClosePayload;
        }
        // The code travels in the header buffer, the reason stays where the caller has it.
        out.header[1] = static_cast<uint8_t>(2 + reason.size());
        out.header[2] = static_cast<uint8_t>(code >> 8);
        out.header[3] = static_cast<uint8_t>(code);
        out.header_size = 4;
    }
    out.payload = reason.empty() ? nullptr : r;
    out.payload_size = reason.size();
    out.flags = flag::kFin;
    state_ = State::Closing;
    sent_close_code_ = code;
    message_open_ = false;  // whatever the peer was sending will be ignored
    return SendStatus::Ok;
}

}  // namespace wsserver
