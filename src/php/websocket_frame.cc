// Swoole\WebSocket\Frame and CloseFrame: pack(), unpack() and __toString(), the PHP face
// of the frame codec in src/core. This file only moves values between zvals and the
// core types; docs/CODEC.md states the PHP-visible rules.
#include "php/classes.h"
#include "zend_interfaces.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/websocket/frame.h"
#include "core/websocket/frame_decoder.h"
#include "core/websocket/permessage_deflate.h"
#include "stubs/websocket_frame_arginfo.h"

zend_class_entry *wsserver_ce_frame = nullptr;
zend_class_entry *wsserver_ce_close_frame = nullptr;

namespace {

namespace ws = wsserver;

// unpack() refuses a compressed payload that would inflate to more than this.
constexpr size_t kMaxInflatedSize = 64 * 1024 * 1024;

// Property names, interned at startup.
struct {
    zend_string *fd, *data, *opcode, *flags, *finish, *code, *reason;
} names;

// Property slots of the objects unpack() creates (fd keeps its default, 0).
struct FrameSlots {
    uint32_t fd, data, opcode, flags, finish;
};
struct CloseFrameSlots {
    uint32_t fd, opcode, flags, finish, code, reason;
};
FrameSlots frame_slots;
CloseFrameSlots close_frame_slots;

uint32_t slot_of(zend_class_entry *ce, zend_string *name) {
    auto *info = static_cast<zend_property_info *>(zend_hash_find_ptr(&ce->properties_info, name));
    ZEND_ASSERT(info && !(info->flags & ZEND_ACC_STATIC));
    return info->offset;
}

// The property slot of an object this file just created, its old value released, ready
// for a ZVAL_*() to fill it.
zval *clear_slot(zend_object *obj, uint32_t offset) {
    zval *slot = OBJ_PROP(obj, offset);
    zval_ptr_dtor(slot);
    return slot;
}

// Owns one reference to a zend_string (or none).
class StringRef {
public:
    StringRef() = default;
    StringRef(const StringRef &) = delete;
    StringRef &operator=(const StringRef &) = delete;
    ~StringRef() {
        if (s_) {
            zend_string_release(s_);
        }
    }
    zend_string *get() const { return s_; }
    void reset(zend_string *s) {
        if (s_) {
            zend_string_release(s_);
        }
        s_ = s;
    }
    // Hands the reference to the caller.
    zend_string *release() {
        zend_string *s = s_;
        s_ = nullptr;
        return s;
    }

private:
    zend_string *s_ = nullptr;
};

// A property of a frame object the caller passed in. Reading goes through the object's
// handlers (a subclass may define __get); a missing property reads as null.
class PropertyValue {
public:
    PropertyValue(zend_object *obj, zend_string *name) {
        ZVAL_UNDEF(&rv_);
        value_ = zend_read_property_ex(wsserver_ce_frame, obj, name, /* silent */ true, &rv_);
        ZVAL_DEREF(value_);
    }
    PropertyValue(const PropertyValue &) = delete;
    PropertyValue &operator=(const PropertyValue &) = delete;
    ~PropertyValue() { zval_ptr_dtor(&rv_); }

    bool is_null() const { return Z_TYPE_P(value_) == IS_NULL; }
    zend_long to_long() const { return zval_get_long(value_); }
    bool to_bool() const { return zend_is_true(value_); }
    // nullptr when the value cannot be a string (an exception is then pending).
    zend_string *to_string() const { return zval_try_get_string(value_); }

private:
    zval rv_;
    zval *value_;
};

// Marks an object as being packed for as long as the guard lives.
class RecursionGuard {
public:
    explicit RecursionGuard(zend_object *obj) : obj_(obj) { GC_PROTECT_RECURSION(obj_); }
    RecursionGuard(const RecursionGuard &) = delete;
    RecursionGuard &operator=(const RecursionGuard &) = delete;
    ~RecursionGuard() { GC_UNPROTECT_RECURSION(obj_); }

private:
    zend_object *obj_;
};

// One frame to encode, as pack() received it.
struct FrameSpec {
    zend_long opcode;
    zend_long flags;
    const char *payload;   // the data, or the reason of a close frame
    size_t length;
    zend_long close_code;  // opcode 8 only
};

// The wire form of `spec`, or nullptr after a warning when RFC 6455 forbids the frame.
zend_string *encode(const FrameSpec &spec) {
    if (spec.opcode < 0 || spec.opcode > 0xF || !ws::is_known_opcode(static_cast<unsigned>(spec.opcode))) {
        php_error_docref(nullptr, E_WARNING,
                         "opcode " ZEND_LONG_FMT " is not a WebSocket opcode (expected 0, 1, 2, 8, 9 or 10)",
                         spec.opcode);
        return nullptr;
    }
    const unsigned flags = static_cast<unsigned>(spec.flags) & ws::flag::kAll;
    const auto opcode = static_cast<uint8_t>(spec.opcode);
    const bool control = ws::is_control_opcode(opcode);
    const bool close = opcode == static_cast<uint8_t>(ws::Opcode::Close);

    ws::FrameHeader header;
    header.opcode = opcode;
    header.fin = control || (flags & ws::flag::kFin);
    header.rsv1 = !control && (flags & ws::flag::kRsv1);
    header.masked = (flags & ws::flag::kMask) != 0;

    if (close) {
        if (spec.close_code < 0 || spec.close_code > 0xFFFF ||
            !ws::is_sendable_close_code(static_cast<unsigned>(spec.close_code))) {
            php_error_docref(nullptr, E_WARNING, "close code " ZEND_LONG_FMT " must not be sent in a close frame",
                             spec.close_code);
            return nullptr;
        }
        if (spec.length > ws::kMaxCloseReason) {
            php_error_docref(nullptr, E_WARNING, "close reason is %zu bytes, the maximum is %zu", spec.length,
                             ws::kMaxCloseReason);
            return nullptr;
        }
    } else if (control && spec.length > ws::kMaxControlPayload) {
        php_error_docref(nullptr, E_WARNING, "control frame payload is %zu bytes, the maximum is %zu", spec.length,
                         ws::kMaxControlPayload);
        return nullptr;
    }

    const auto *payload = reinterpret_cast<const uint8_t *>(spec.payload);
    size_t length = spec.length;
    std::string compressed;
    const bool starts_message = opcode != static_cast<uint8_t>(ws::Opcode::Continuation);
    if ((flags & ws::flag::kCompress) && !control && starts_message && header.fin && length > 0) {
        if (!ws::deflate_message(payload, length, compressed)) {
            php_error_docref(nullptr, E_WARNING, "failed to compress a %zu byte payload", length);
            return nullptr;
        }
        payload = reinterpret_cast<const uint8_t *>(compressed.data());
        length = compressed.size();
        header.rsv1 = true;
    }

    const size_t payload_length = close ? 2 + length : length;
    header.payload_length = payload_length;
    if (header.masked) {
        ws::random_mask_key(header.mask_key);
    }
    const size_t header_length = ws::frame_header_size(payload_length, header.masked);
    zend_string *out = zend_string_alloc(header_length + payload_length, 0);
    auto *dst = reinterpret_cast<uint8_t *>(ZSTR_VAL(out));
    const size_t written = ws::encode_frame_header(header, dst);
    ZEND_ASSERT(written == header_length);
    dst += written;

    if (close) {
        const auto code = static_cast<uint16_t>(spec.close_code);
        dst[0] = static_cast<uint8_t>(code >> 8);
        dst[1] = static_cast<uint8_t>(code & 0xFF);
        if (length > 0) {
            std::memcpy(dst + 2, payload, length);
        }
        if (header.masked) {
            ws::apply_mask(dst, dst, payload_length, header.mask_key);
        }
    } else if (header.masked) {
        ws::apply_mask(dst, payload, length, header.mask_key);
    } else if (length > 0) {
        std::memcpy(dst, payload, length);
    }
    ZSTR_VAL(out)[header_length + payload_length] = '\0';
    return out;
}

// Reads a Frame object as pack() and push() send it: its opcode, flags and data (code
// and reason for opcode 8); a non-null `finish` sets or clears FIN. `payload` keeps the
// data (or reason) alive. False after an exception (a subclass's __get may throw, so
// every read is checked before the next one).
bool read_object(zend_object *frame, FrameSpec &spec, StringRef &payload) {
    // A frame whose data (or reason) is the frame itself would convert itself to a
    // string through __toString() forever; the second visit throws instead.
    if (GC_IS_RECURSIVE(frame)) {
        zend_throw_error(nullptr, "Cannot pack a %s whose data contains the frame itself",
                         ZSTR_VAL(frame->ce->name));
        return false;
    }
    RecursionGuard guard(frame);

    spec = FrameSpec{};
    {
        PropertyValue opcode(frame, names.opcode);
        if (EG(exception)) {
            return false;
        }
        spec.opcode = opcode.to_long();
    }
    {
        PropertyValue flags(frame, names.flags);
        if (EG(exception)) {
            return false;
        }
        spec.flags = flags.to_long();
    }
    {
        PropertyValue finish(frame, names.finish);
        if (EG(exception)) {
            return false;
        }
        if (!finish.is_null()) {
            spec.flags = finish.to_bool() ? (spec.flags | ws::flag::kFin) : (spec.flags & ~zend_long{ws::flag::kFin});
        }
    }

    zend_string *payload_name = names.data;
    if (spec.opcode == static_cast<zend_long>(ws::Opcode::Close)) {
        PropertyValue code(frame, names.code);
        if (EG(exception)) {
            return false;
        }
        spec.close_code = code.is_null() ? ws::close_code::kNormal : code.to_long();
        payload_name = names.reason;
    }
    {
        PropertyValue value(frame, payload_name);
        if (EG(exception)) {
            return false;
        }
        payload.reset(value.to_string());
    }
    if (!payload.get() || EG(exception)) {
        return false;
    }
    spec.payload = ZSTR_VAL(payload.get());
    spec.length = ZSTR_LEN(payload.get());
    return true;
}

// Encodes a Frame object; nullptr after a warning or an exception.
zend_string *encode_object(zend_object *frame) {
    FrameSpec spec;
    StringRef payload;
    return read_object(frame, spec, payload) ? encode(spec) : nullptr;
}

// Fills `out` with a new Frame taking over `data`, or, given `close`, a CloseFrame with
// its code and reason (`data` stays ''), writing the property slots directly.
void build_frame(zval *out, zend_long fd, uint8_t opcode, unsigned flags, zend_string *data,
                 const ws::ClosePayload *close) {
    if (close) {
        object_init_ex(out, wsserver_ce_close_frame);
        zend_object *obj = Z_OBJ_P(out);
        ZVAL_LONG(clear_slot(obj, close_frame_slots.fd), fd);
        ZVAL_LONG(clear_slot(obj, close_frame_slots.opcode), opcode);
        ZVAL_LONG(clear_slot(obj, close_frame_slots.flags), flags);
        ZVAL_BOOL(clear_slot(obj, close_frame_slots.finish), (flags & ws::flag::kFin) != 0);
        ZVAL_LONG(clear_slot(obj, close_frame_slots.code), close->code);
        ZVAL_STR(clear_slot(obj, close_frame_slots.reason),
                 zend_string_init_fast(close->reason.data(), close->reason.size()));
        return;
    }
    object_init_ex(out, wsserver_ce_frame);
    zend_object *obj = Z_OBJ_P(out);
    ZVAL_LONG(clear_slot(obj, frame_slots.fd), fd);
    ZVAL_STR(clear_slot(obj, frame_slots.data), data);
    ZVAL_LONG(clear_slot(obj, frame_slots.opcode), opcode);
    ZVAL_LONG(clear_slot(obj, frame_slots.flags), flags);
    ZVAL_BOOL(clear_slot(obj, frame_slots.finish), (flags & ws::flag::kFin) != 0);
}

// Decodes the first frame of `input` into `return_value` (a Frame or a CloseFrame);
// false when the input is incomplete or the frame is invalid.
bool decode(zend_string *input, zval *return_value) {
    ws::DecoderOptions options;
    options.require_masked = false;
    options.allow_masked = true;
    options.allow_rsv1 = true;
    options.allow_rsv23 = true;
    options.check_fragments = false;
    ws::FrameDecoder decoder(options);

    const auto *bytes = reinterpret_cast<const uint8_t *>(ZSTR_VAL(input));
    const size_t size = ZSTR_LEN(input);
    const ws::FrameDecoder::Step step = decoder.next(bytes, size);
    if (step.event != ws::FrameDecoder::Event::FrameStart) {
        return false;  // NeedMore: a truncated header; Error: an invalid one
    }
    const ws::FrameHeader &header = decoder.header();
    if (header.payload_length > size - step.consumed) {
        return false;
    }
    const uint8_t *payload = bytes + step.consumed;
    const auto length = static_cast<size_t>(header.payload_length);

    // The input is never modified: a masked payload is unmasked into a new string.
    StringRef unmasked;
    if (header.masked && length > 0) {
        unmasked.reset(zend_string_alloc(length, 0));
        ws::apply_mask(reinterpret_cast<uint8_t *>(ZSTR_VAL(unmasked.get())), payload, length, header.mask_key);
        ZSTR_VAL(unmasked.get())[length] = '\0';
        payload = reinterpret_cast<const uint8_t *>(ZSTR_VAL(unmasked.get()));
    }

    if (header.opcode == static_cast<uint8_t>(ws::Opcode::Close)) {
        ws::ClosePayload close;
        if (ws::parse_close_payload(payload, length, /* strict */ false, close) != ws::CloseParse::Ok) {
            return false;
        }
        build_frame(return_value, 0, header.opcode, header.flags(), nullptr, &close);
        return true;
    }

    unsigned flags = header.flags();
    zend_string *data;
    if (header.rsv1) {
        // The decoder allows RSV1 only on the first frame of a data message: compressed.
        flags |= ws::flag::kCompress;
        std::string inflated;
        if (ws::inflate_message(payload, length, inflated, kMaxInflatedSize) != ws::Inflater::Result::Ok) {
            return false;
        }
        data = zend_string_init_fast(inflated.data(), inflated.size());
    } else if (unmasked.get()) {
        data = unmasked.release();
    } else {
        data = zend_string_init_fast(reinterpret_cast<const char *>(payload), length);
    }

    build_frame(return_value, 0, header.opcode, flags, data, nullptr);
    return true;
}

}  // namespace

bool wsserver_frame_read(zend_object *frame, zend_long &opcode, zend_long &flags, std::string &payload) {
    FrameSpec spec;
    StringRef data;
    if (!read_object(frame, spec, data)) {
        return false;
    }
    opcode = spec.opcode;
    flags = spec.flags;
    payload.clear();
    if (opcode == static_cast<zend_long>(ws::Opcode::Close)) {
        // The engine validates the code; out-of-range values must not wrap into valid ones.
        const auto code = static_cast<uint16_t>(std::clamp<zend_long>(spec.close_code, 0, 0xFFFF));
        payload.push_back(static_cast<char>(code >> 8));
        payload.push_back(static_cast<char>(code & 0xFF));
    }
    payload.append(spec.payload, spec.length);
    return true;
}

void wsserver_frame_received(zval *out, zend_long fd, uint8_t opcode, std::string_view payload, unsigned flags) {
    if (opcode == static_cast<uint8_t>(ws::Opcode::Close)) {
        // The engine validated the close payload already.
        ws::ClosePayload close;
        ws::parse_close_payload(reinterpret_cast<const uint8_t *>(payload.data()), payload.size(), false, close);
        build_frame(out, fd, opcode, flags, nullptr, &close);
        return;
    }
    build_frame(out, fd, opcode, flags, zend_string_init_fast(payload.data(), payload.size()), nullptr);
}

void wsserver_frame_pack(INTERNAL_FUNCTION_PARAMETERS) {
    zend_object *frame = nullptr;
    zend_string *data = nullptr;
    zend_long opcode = static_cast<zend_long>(ws::Opcode::Text);
    zend_long flags = ws::flag::kFin;

    ZEND_PARSE_PARAMETERS_START(1, 3)
        Z_PARAM_OBJ_OF_CLASS_OR_STR(frame, wsserver_ce_frame, data)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(opcode)
        Z_PARAM_LONG(flags)
    ZEND_PARSE_PARAMETERS_END();

    zend_string *packed;
    if (frame) {
        packed = encode_object(frame);  // ignores $opcode and $flags
    } else {
        packed = encode(FrameSpec{opcode, flags, ZSTR_VAL(data), ZSTR_LEN(data), ws::close_code::kNormal});
    }
    if (!packed) {
        if (EG(exception)) {
            RETURN_THROWS();
        }
        RETURN_FALSE;
    }
    RETURN_NEW_STR(packed);
}

void wsserver_frame_unpack(INTERNAL_FUNCTION_PARAMETERS) {
    zend_string *data;

    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();

    if (!decode(data, return_value)) {
        RETURN_FALSE;
    }
}

ZEND_METHOD(Swoole_WebSocket_Frame, pack) {
    wsserver_frame_pack(INTERNAL_FUNCTION_PARAM_PASSTHRU);
}

ZEND_METHOD(Swoole_WebSocket_Frame, unpack) {
    wsserver_frame_unpack(INTERNAL_FUNCTION_PARAM_PASSTHRU);
}

// Same as Frame::pack($this), except that a refused frame gives '' (after the warning):
// __toString() must return a string.
ZEND_METHOD(Swoole_WebSocket_Frame, __toString) {
    ZEND_PARSE_PARAMETERS_NONE();

    zend_string *packed = encode_object(Z_OBJ_P(ZEND_THIS));
    if (!packed) {
        if (EG(exception)) {
            RETURN_THROWS();
        }
        RETURN_EMPTY_STRING();
    }
    RETURN_NEW_STR(packed);
}

void wsserver_register_frame_classes() {
    wsserver_ce_frame = register_class_Swoole_WebSocket_Frame(zend_ce_stringable);
    wsserver_ce_close_frame = register_class_Swoole_WebSocket_CloseFrame(wsserver_ce_frame);

    names.fd = zend_string_init_interned(ZEND_STRL("fd"), 1);
    names.data = zend_string_init_interned(ZEND_STRL("data"), 1);
    names.opcode = zend_string_init_interned(ZEND_STRL("opcode"), 1);
    names.flags = zend_string_init_interned(ZEND_STRL("flags"), 1);
    names.finish = zend_string_init_interned(ZEND_STRL("finish"), 1);
    names.code = zend_string_init_interned(ZEND_STRL("code"), 1);
    names.reason = zend_string_init_interned(ZEND_STRL("reason"), 1);

    frame_slots = FrameSlots{
        slot_of(wsserver_ce_frame, names.fd),
        slot_of(wsserver_ce_frame, names.data),
        slot_of(wsserver_ce_frame, names.opcode),
        slot_of(wsserver_ce_frame, names.flags),
        slot_of(wsserver_ce_frame, names.finish),
    };
    close_frame_slots = CloseFrameSlots{
        slot_of(wsserver_ce_close_frame, names.fd),
        slot_of(wsserver_ce_close_frame, names.opcode),
        slot_of(wsserver_ce_close_frame, names.flags),
        slot_of(wsserver_ce_close_frame, names.finish),
        slot_of(wsserver_ce_close_frame, names.code),
        slot_of(wsserver_ce_close_frame, names.reason),
    };
}
