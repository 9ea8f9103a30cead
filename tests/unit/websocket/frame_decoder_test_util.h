// Shared by the FrameDecoder tests (frame_decoder_test.cc, frame_decoder_errors_test.cc): a
// driver that feeds a stream in given pieces and records the events, and stream corpora.
#pragma once

#include "core/websocket/frame_decoder.h"

#include <gtest/gtest.h>

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace decoder_test {

using namespace wsserver;
using wstest::Bytes;
using wstest::bytes;
using wstest::client_frame;
using wstest::FrameSpec;
using wstest::server_frame;
using Event = FrameDecoder::Event;

constexpr uint8_t kCont = 0, kText = 1, kBin = 2, kClose = 8, kPing = 9, kPong = 10;

// One normalized event: consecutive Payload steps are merged and NeedMore is not
// recorded, so that the same stream split differently gives the same list.
struct Ev {
    Event kind;
    FrameHeader header;   // FrameStart
    std::string payload;  // Payload (still masked, as the decoder reports it)
    uint16_t code = 0;    // Error
    // Decoder state observed right after the step.
    bool in_message = false;
    uint8_t message_opcode = 0;
    bool message_compressed = false;
};

inline bool same_header(const FrameHeader &a, const FrameHeader &b) {
    return a.fin == b.fin && a.rsv1 == b.rsv1 && a.rsv2 == b.rsv2 && a.rsv3 == b.rsv3 && a.opcode == b.opcode &&
           a.masked == b.masked && a.payload_length == b.payload_length &&
           (!a.masked || std::memcmp(a.mask_key, b.mask_key, 4) == 0);
}

inline bool same_event(const Ev &a, const Ev &b, bool with_state) {
    if (a.kind != b.kind) return false;
    if (with_state && (a.in_message != b.in_message || a.message_opcode != b.message_opcode ||
                       a.message_compressed != b.message_compressed))
        return false;
    switch (a.kind) {
        case Event::FrameStart: return same_header(a.header, b.header);
        case Event::Payload: return a.payload == b.payload;
        case Event::Error: return a.code == b.code;
        default: return true;
    }
}

inline std::string describe(const std::vector<Ev> &evs) {
    std::ostringstream os;
    for (const auto &e : evs) {
        switch (e.kind) {
            case Event::NeedMore: os << "NeedMore "; break;
            case Event::FrameStart:
                os << "Start(op=" << int(e.header.opcode) << " fin=" << e.header.fin << " rsv=" << e.header.rsv1
                   << e.header.rsv2 << e.header.rsv3 << " mask=" << e.header.masked
                   << " len=" << e.header.payload_length << ") ";
                break;
            case Event::Payload: os << "Payload(" << e.payload.size() << ") "; break;
            case Event::FrameEnd: os << "End "; break;
            case Event::Error: os << "Error(" << e.code << ") "; break;
        }
    }
    return os.str();
}

inline ::testing::AssertionResult events_equal(const std::vector<Ev> &a, const std::vector<Ev> &b, bool with_state) {
    bool eq = a.size() == b.size();
    for (size_t i = 0; eq && i < a.size(); i++) eq = same_event(a[i], b[i], with_state);
    if (eq) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "\n  got:      " << describe(a) << "\n  expected: " << describe(b);
}

// Drives a FrameDecoder over chunks, checking the Step contract on every step.
class Driver {
public:
    explicit Driver(DecoderOptions options = {}) : decoder(options) {}

    // Feeds one chunk; returns false once the decoder reported an error.
    bool feed(const uint8_t *p, size_t n) {
        if (errored_) return false;
        size_t pos = 0;
        for (int guard = 0;; guard++) {
            if (guard > 1000000) {
                ADD_FAILURE() << "decoder does not make progress";
                return false;
            }
            FrameDecoder::Step s = decoder.next(p + pos, n - pos);
            if (s.consumed > n - pos) {
                ADD_FAILURE() << "consumed " << s.consumed << " of " << n - pos;
                return false;
            }
            Ev ev;
            ev.kind = s.event;
            switch (s.event) {
                case Event::NeedMore:
                    if (s.consumed != n - pos) ADD_FAILURE() << "NeedMore left " << n - pos - s.consumed << " bytes";
                    return true;
                case Event::FrameStart:
                    if (in_frame_) ADD_FAILURE() << "FrameStart inside a frame";
                    in_frame_ = true;
                    seen_ = 0;
                    ev.header = decoder.header();
                    break;
                case Event::Payload:
                    if (!in_frame_) ADD_FAILURE() << "Payload outside a frame";
                    if (s.size == 0) ADD_FAILURE() << "empty Payload step";
                    if (s.data != p + pos) ADD_FAILURE() << "Payload does not point at the consumed input";
                    if (s.consumed != s.size) ADD_FAILURE() << "Payload consumed " << s.consumed << " size " << s.size;
                    if (s.offset != seen_) ADD_FAILURE() << "Payload offset " << s.offset << " expected " << seen_;
                    seen_ += s.size;
                    if (seen_ > decoder.header().payload_length) ADD_FAILURE() << "payload longer than announced";
                    ev.payload.assign(reinterpret_cast<const char *>(s.data), s.size);
                    break;
                case Event::FrameEnd:
                    if (!in_frame_) ADD_FAILURE() << "FrameEnd outside a frame";
                    if (seen_ != decoder.header().payload_length)
                        ADD_FAILURE() << "FrameEnd after " << seen_ << " of " << decoder.header().payload_length;
                    in_frame_ = false;
                    break;
                case Event::Error:
                    ev.code = decoder.error().close_code;
                    errored_ = true;
                    break;
            }
            ev.in_message = decoder.in_message();
            ev.message_opcode = decoder.message_opcode();
            ev.message_compressed = decoder.message_compressed();
            if (ev.kind == Event::Payload && !events.empty() && events.back().kind == Event::Payload) {
                events.back().payload += ev.payload;
                events.back().in_message = ev.in_message;
            } else {
                events.push_back(ev);
            }
            pos += s.consumed;
            if (s.event == Event::Error) return false;
        }
    }
    bool feed(const Bytes &b) { return feed(b.data(), b.size()); }

    bool errored() const { return errored_; }
    uint16_t error_code() const { return errored_ ? decoder.error().close_code : 0; }
    size_t count(Event kind) const {
        size_t n = 0;
        for (const auto &e : events) n += e.kind == kind;
        return n;
    }

    FrameDecoder decoder;
    std::vector<Ev> events;

private:
    bool in_frame_ = false;
    uint64_t seen_ = 0;
    bool errored_ = false;
};

inline std::vector<Ev> decode_whole(const Bytes &stream, DecoderOptions options = {}) {
    Driver d(options);
    d.feed(stream);
    return d.events;
}

inline std::vector<Ev> decode_split(const Bytes &stream, const std::vector<size_t> &cuts, DecoderOptions options = {}) {
    Driver d(options);
    size_t prev = 0;
    for (size_t cut : cuts) {
        if (!d.feed(stream.data() + prev, cut - prev)) return d.events;
        prev = cut;
    }
    d.feed(stream.data() + prev, stream.size() - prev);
    return d.events;
}

inline std::vector<Ev> decode_bytewise(const Bytes &stream, DecoderOptions options = {}) {
    Driver d(options);
    for (size_t i = 0; i < stream.size(); i++) {
        if (!d.feed(stream.data() + i, 1)) break;
    }
    return d.events;
}

// The events a correct decoder reports for a list of frames (state fields not set).
struct Expect {
    std::vector<Ev> events;
    Bytes stream;

    void add(const FrameSpec &spec) {
        Bytes wire = wstest::build_frame(spec);
        wstest::append(stream, wire);
        Ev start;
        start.kind = Event::FrameStart;
        start.header.fin = spec.fin;
        start.header.rsv1 = spec.rsv1;
        start.header.rsv2 = spec.rsv2;
        start.header.rsv3 = spec.rsv3;
        start.header.opcode = spec.opcode;
        start.header.masked = spec.masked;
        std::memcpy(start.header.mask_key, spec.key, 4);
        start.header.payload_length = spec.payload.size();
        events.push_back(start);
        if (!spec.payload.empty()) {
            Ev payload;
            payload.kind = Event::Payload;
            payload.payload.assign(wire.end() - spec.payload.size(), wire.end());  // masked bytes
            events.push_back(payload);
        }
        Ev end;
        end.kind = Event::FrameEnd;
        events.push_back(end);
    }
    void add(uint8_t opcode, const Bytes &payload, bool fin = true, bool masked = true, bool rsv1 = false) {
        FrameSpec spec;
        spec.opcode = opcode;
        spec.payload = payload;
        spec.fin = fin;
        spec.masked = masked;
        spec.rsv1 = rsv1;
        spec.key[0] = static_cast<uint8_t>(events.size() * 37 + 1);
        spec.key[1] = static_cast<uint8_t>(payload.size());
        spec.key[2] = 0xa5;
        spec.key[3] = static_cast<uint8_t>(0x80 | opcode);
        add(spec);
    }
};

inline Bytes text(size_t n, char c = 'a') { return Bytes(n, static_cast<uint8_t>(c)); }

// A stream of small client frames covering every length encoding and frame kind that a
// server with default options accepts, including a fragmented message with control
// frames interleaved.
inline Expect client_corpus() {
    Expect e;
    e.add(kText, bytes("Hello"));
    e.add(kBin, {});
    e.add(kPing, {});
    e.add(kText, bytes("frag1"), false);
    e.add(kPing, bytes("p"));
    e.add(kCont, bytes("frag2"), false);
    e.add(kPong, text(125, 'q'));
    e.add(kCont, {}, false);
    e.add(kCont, bytes("end"), true);
    e.add(kBin, wstest::random_bytes(126, 1));
    e.add(kBin, wstest::random_bytes(127, 2));
    e.add(kText, {});
    e.add(kBin, wstest::random_bytes(1, 3));
    e.add(kBin, wstest::random_bytes(300, 4));
    e.add(kBin, {}, false);
    e.add(kCont, wstest::random_bytes(2, 5), true);
    e.add(kClose, bytes({0x03, 0xe8, 'b', 'y', 'e'}));
    return e;
}

// The same from the client's point of view: unmasked server frames.
inline Expect server_corpus() {
    Expect e;
    e.add(kText, bytes("hi"), true, false);
    e.add(kBin, {}, true, false);
    e.add(kText, bytes("a"), false, false);
    e.add(kPong, {}, true, false);
    e.add(kCont, text(200, 'z'), true, false);
    e.add(kPing, text(125, 'p'), true, false);
    e.add(kClose, {}, true, false);
    return e;
}

inline DecoderOptions client_side_options() {
    DecoderOptions o;
    o.require_masked = false;
    o.allow_masked = true;
    return o;
}

// Feeds `stream` whole and split in various ways and expects the same error code, and
// no FrameStart beyond `good_frames`.
inline void expect_error(const Bytes &stream, uint16_t code, DecoderOptions options = {}, size_t good_frames = 0) {
    SCOPED_TRACE(wstest::hex(Bytes(stream.begin(), stream.begin() + std::min<size_t>(stream.size(), 16))));
    Driver whole(options);
    whole.feed(stream);
    ASSERT_TRUE(whole.errored()) << describe(whole.events);
    EXPECT_EQ(whole.error_code(), code) << whole.decoder.error().message;
    EXPECT_EQ(whole.count(Event::FrameStart), good_frames) << describe(whole.events);
    EXPECT_NE(whole.decoder.error().message, nullptr);
    if (whole.decoder.error().message) {
        EXPECT_STRNE(whole.decoder.error().message, "");
    }

    std::vector<Ev> bytewise = decode_bytewise(stream, options);
    EXPECT_TRUE(events_equal(bytewise, whole.events, true));
}

}  // namespace decoder_test
