#include "core/server/websocket_front.h"

#include <cstring>
#include <string>

#include "core/server/connection_set.h"
#include "core/server/connection_writer.h"
#include "core/server/server_parts.h"
#include "core/websocket/frame.h"

namespace wsserver {

void WebSocketFront::start(Connection &c, const DeflateParams *deflate) {
    SessionOptions o;
    o.max_message_size = c.protocol().package_max_length;
    o.deliver_ping = c.protocol().open_websocket_ping_frame;
    o.deliver_pong = c.protocol().open_websocket_pong_frame;
    o.deliver_close = c.protocol().open_websocket_close_frame;
    if (deflate) o.deflate = *deflate;
    c.ws_ = std::make_unique<WebSocketSession>(o);
    c.phase_ = Phase::WebSocket;
    c.opened_ = true;
    c.upgrade_pending_ = false;
    c.ws_status_ = websocket_status::kActive;
    connections_.publish_status(c);
}

size_t WebSocketFront::consume(Connection &c, uint8_t *data, size_t len) {
    c.http_.reset();  // the upgrade request is no longer needed (its callback returned)
    size_t pos = 0;
    for (;;) {
        WebSocketSession::Event ev = c.ws_->next(data + pos, len - pos);
        pos += ev.consumed;
        using T = WebSocketSession::EventType;
        switch (ev.type) {
        case T::NeedMore:
            return len;
        case T::Message:
        case T::Ping:
        case T::Pong:
        case T::Close:
            ctx_.counters.requests++;
            if (ev.type == T::Close) connections_.publish_status(c);
            if (c.held_ && c.held_->in_flight) c.held_->event_after = true;
            ctx_.events.on_message(c.id_, ev.opcode, ev.payload(), ev.flags);
            break;
        case T::Send:
            if (ctx_.config.close_barrier) {
                if (!c.held_) c.held_ = std::make_unique<Connection::HeldControls>();
                (c.held_->event_after ? c.held_->next : c.held_->now)
                    .append(reinterpret_cast<const char *>(ev.data), ev.size);
                if (!c.held_->in_flight) request_barrier(c);
                break;
            }
            writer_.write_control(c, ev.data, ev.size);
            break;
        case T::Disconnect:
            if (c.phase_ == Phase::Closed) return len;
            if (ctx_.config.close_barrier) {
                await_close_barrier(c);
            } else {
                connections_.drain_and_close(c);
            }
            return len;
        }
        if (c.phase_ != Phase::WebSocket) return len;  // closed or draining: the rest is moot
    }
}

bool WebSocketFront::push(Connection &c, uint8_t opcode, std::string_view data, unsigned flags) {
    if (c.phase_ != Phase::WebSocket ||
        (c.ws_->state() != WebSocketSession::State::Open && !c.awaiting_barrier_))
        return ctx_.fail(ServerError::Unconnected, "the connection is not an open WebSocket");
    // Refuse before encoding so a refused push leaves the session (fragment state, close
    // state) untouched; the uncompressed size bounds the compressed one.
    const size_t cap = ctx_.config.socket_buffer_size;
    size_t frame_size = frame_header_size(data.size(), false) + data.size();
    if (!c.out_.empty() && (c.out_.queued_bytes() > cap || cap - c.out_.queued_bytes() < frame_size))
        return ctx_.fail(ServerError::OutputBufferOverflow, "output buffer overflow");
    WebSocketSession::OutgoingFrame f;
    WebSocketSession::SendStatus st = c.ws_->encode(opcode, reinterpret_cast<const uint8_t *>(data.data()),
                                                    data.size(), flags, f, c.awaiting_barrier_);
    if (st == WebSocketSession::SendStatus::BadOpcode) return ctx_.fail(ServerError::BadOpcode, "bad opcode");
    if (st != WebSocketSession::SendStatus::Ok) return ctx_.fail(ServerError::PackFailed, "invalid frame");
    if (!writer_.write(c, f.header, f.header_size, f.payload, f.payload_size))
        return ctx_.fail(ServerError::OutputBufferOverflow, "output buffer overflow or connection lost");
    if (c.phase_ == Phase::WebSocket && c.ws_->state() == WebSocketSession::State::Closing && !c.awaiting_barrier_)
        connections_.start_close_timer(c, ctx_.config.websocket_close_timeout_ms);  // a pushed close frame
    return true;
}

bool WebSocketFront::disconnect(Connection &c, uint16_t code, std::string_view reason) {
    if (c.phase_ != Phase::WebSocket || c.ws_->state() != WebSocketSession::State::Open)
        return ctx_.fail(ServerError::Unconnected, "the connection is not an open WebSocket");
    WebSocketSession::OutgoingFrame f;
    if (c.ws_->close(code, reason, f) != WebSocketSession::SendStatus::Ok)
        return ctx_.fail(ServerError::PackFailed, "invalid close reason");
    c.ws_status_ = websocket_status::kClosing;  // Swoole: only disconnect() sets CLOSING
    send_close_frame(c, f);
    return true;
}

void WebSocketFront::close_going_away(Connection &c) {
    WebSocketSession::OutgoingFrame f;
    if (c.ws_->close(close_code::kGoingAway, {}, f) == WebSocketSession::SendStatus::Ok) {
        c.ws_status_ = websocket_status::kClosing;  // ours, as disconnect()'s
        send_close_frame(c, f);
    } else {
        connections_.drain_and_close(c);
    }
}

void WebSocketFront::send_close_frame(Connection &c, const WebSocketSession::OutgoingFrame &f) {
    connections_.publish_status(c);
    // At most 14 + 125 bytes, past the cap if need be: the close handshake must happen.
    char frame[160];
    if (f.header_size + f.payload_size > sizeof frame) return;  // cannot happen: control frames are small
    std::memcpy(frame, f.header, f.header_size);
    if (f.payload_size) std::memcpy(frame + f.header_size, f.payload, f.payload_size);
    writer_.write_control(c, frame, f.header_size + f.payload_size);
    if (c.phase_ == Phase::WebSocket) connections_.start_close_timer(c, ctx_.config.websocket_close_timeout_ms);
}

void WebSocketFront::request_barrier(Connection &c) {
    if (!c.held_) c.held_ = std::make_unique<Connection::HeldControls>();
    c.held_->in_flight = true;
    ctx_.events.on_close_barrier(c.id_);
}

void WebSocketFront::await_close_barrier(Connection &c) {
    if (c.awaiting_barrier_) return;
    c.awaiting_barrier_ = true;
    connections_.publish_status(c);
    writer_.update_interest(c);  // stops reading
    // A worker that never answers (stuck, killed): close after the usual close timeout.
    connections_.start_close_timer(c, ctx_.config.websocket_close_timeout_ms);
    if (!c.held_ || !c.held_->in_flight) request_barrier(c);
}

void WebSocketFront::release_barrier(Connection &c) {
    if (!c.held_ || !c.held_->in_flight) return;
    Connection::HeldControls &held = *c.held_;
    held.in_flight = false;
    held.event_after = false;
    std::string bytes = std::move(held.now);
    held.now = std::move(held.next);
    held.next.clear();
    if (!bytes.empty()) writer_.write_control(c, bytes.data(), bytes.size());
    if (c.phase_ == Phase::Closed) return;
    if (!c.held_->now.empty()) {
        request_barrier(c);  // what came after the answered barrier waits for another
    } else if (c.awaiting_barrier_) {
        c.awaiting_barrier_ = false;
        connections_.drain_and_close(c);
    }
}

}  // namespace wsserver
