#include "core/websocket/frame_decoder.h"

#include <algorithm>
#include <cstring>

namespace wsserver {

namespace {

// Header size implied by the bytes seen so far (2 until the second byte is known).
size_t header_size_needed(const uint8_t *bytes, size_t available) {
    if (available < 2) {
        return 2;
    }
    const uint8_t len7 = bytes[1] & 0x7F;
    const size_t ext = len7 == 126 ? 2 : (len7 == 127 ? 8 : 0);
    return 2 + ext + ((bytes[1] & 0x80) ? 4 : 0);
}

void parse_header(const uint8_t *b, FrameHeader &h) {
    h.fin = (b[0] & 0x80) != 0;
    h.rsv1 = (b[0] & 0x40) != 0;
    h.rsv2 = (b[0] & 0x20) != 0;
    h.rsv3 = (b[0] & 0x10) != 0;
    h.opcode = b[0] & 0x0F;
    h.masked = (b[1] & 0x80) != 0;
    const uint8_t len7 = b[1] & 0x7F;
    size_t pos = 2;
    if (len7 == 126) {
        h.payload_length = (uint64_t(b[2]) << 8) | b[3];
        pos = 4;
    } else if (len7 == 127) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | b[2 + i];
        }
        h.payload_length = v;
        pos = 10;
    } else {
        h.payload_length = len7;
    }
    if (h.masked) {
        std::memcpy(h.mask_key, b + pos, 4);
    } else {
        std::memset(h.mask_key, 0, 4);
    }
}

}  // namespace

void FrameDecoder::reset() {
    state_ = State::Header;
    header_ = FrameHeader{};
    error_ = ProtocolError{};
    partial_len_ = 0;
    payload_read_ = 0;
    in_message_ = false;
    message_opcode_ = 0;
    message_compressed_ = false;
}

FrameDecoder::Step FrameDecoder::fail(uint16_t code, const char *message, size_t consumed) {
    state_ = State::Error;
    error_.close_code = code;
    error_.message = message;
    return Step{Event::Error, consumed};
}

const char *FrameDecoder::check_header(uint16_t &code) {
    const FrameHeader &h = header_;
    code = close_code::kProtocolError;
    if (!is_known_opcode(h.opcode)) {
        return "reserved opcode";
    }
    const bool control = is_control_opcode(h.opcode);
    if ((h.rsv2 || h.rsv3) && !options_.allow_rsv23) {
        return "RSV2/RSV3 set without a negotiated extension";
    }
    if (h.rsv1) {
        if (!options_.allow_rsv1) {
            return "RSV1 set without a negotiated extension";
        }
        if (control) {
            return "RSV1 set on a control frame";
        }
        if (h.opcode == static_cast<uint8_t>(Opcode::Continuation)) {
            return "RSV1 set on a continuation frame";
        }
    }
    if (control) {
        if (!h.fin) {
            return "fragmented control frame";
        }
        if (h.payload_length > kMaxControlPayload) {
            return "control frame payload longer than 125 bytes";
        }
    }
    if (!h.masked && options_.require_masked) {
        return "unmasked client frame";
    }
    if (h.masked && !options_.allow_masked) {
        return "masked server frame";
    }
    if (h.payload_length >> 63) {
        return "64-bit payload length with the most significant bit set";
    }
    if (options_.check_fragments && !control) {
        const bool continuation = h.opcode == static_cast<uint8_t>(Opcode::Continuation);
        if (continuation && !in_message_) {
            return "continuation frame without a message to continue";
        }
        if (!continuation && in_message_) {
            return "new data frame inside a fragmented message";
        }
    }
    if (h.payload_length > options_.max_payload) {
        code = close_code::kMessageTooBig;
        return "frame payload exceeds the size limit";
    }
    return nullptr;
}

FrameDecoder::Step FrameDecoder::next(const uint8_t *data, size_t len) {
    switch (state_) {
    case State::Error:
        return Step{Event::Error, 0};
    case State::End:
        state_ = State::Header;
        return Step{Event::FrameEnd, 0};
    case State::Payload: {
        const uint64_t remaining = header_.payload_length - payload_read_;
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining, len));
        if (take == 0) {
            return Step{Event::NeedMore, 0};
        }
        Step step{Event::Payload, take, data, take, payload_read_};
        payload_read_ += take;
        if (payload_read_ == header_.payload_length) {
            state_ = State::End;
        }
        return step;
    }
    case State::Header:
        break;
    }

    size_t consumed = 0;
    if (partial_len_ == 0 && len >= header_size_needed(data, len)) {
        // Fast path: the whole header is in the caller's buffer.
        parse_header(data, header_);
        consumed = header_size_needed(data, len);
    } else {
        for (;;) {
            const size_t need = header_size_needed(partial_, partial_len_);
            if (partial_len_ >= need) {
                break;
            }
            const size_t take = std::min(need - partial_len_, len - consumed);
            if (take == 0) {
                return Step{Event::NeedMore, consumed};
            }
            std::memcpy(partial_ + partial_len_, data + consumed, take);
            partial_len_ += take;
            consumed += take;
        }
        parse_header(partial_, header_);
        partial_len_ = 0;
    }

    uint16_t code = 0;
    if (const char *problem = check_header(code)) {
        return fail(code, problem, consumed);
    }

    if (!is_control_opcode(header_.opcode)) {
        if (header_.opcode != static_cast<uint8_t>(Opcode::Continuation)) {
            message_opcode_ = header_.opcode;
            message_compressed_ = header_.rsv1;
        }
        in_message_ = !header_.fin;
    }
    payload_read_ = 0;
    state_ = header_.payload_length > 0 ? State::Payload : State::End;
    return Step{Event::FrameStart, consumed};
}

}  // namespace wsserver
