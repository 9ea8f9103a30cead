#!/usr/bin/env python3
"""Regenerates the small seed corpora in tests/fuzz/corpus/<target>/.

The seeds are committed, so this only needs running when the input layout of a fuzz
target changes. Layouts (see the targets):
  fuzz_frame_decoder: [options byte][chunking byte] stream
  fuzz_inflater:      [inflate options][deflate options] data
  fuzz_utf8:          [chunking byte] text
  fuzz_multipart:     [limits byte] Content-Type value "\n" body
  fuzz_server:        [configuration][limits] [chunking] client byte stream
"""
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

# fuzz_frame_decoder option bits (byte 0)
REQUIRE_MASKED = 1
DISALLOW_MASKED = 2
ALLOW_RSV1 = 4
ALLOW_RSV23 = 8
NO_CHECK_FRAGMENTS = 16
MAX_125 = 3 << 5
MAX_1000 = 5 << 5

SERVER = REQUIRE_MASKED
CLIENT = DISALLOW_MASKED


def frame(opcode, payload=b"", fin=True, mask=b"\x37\xfa\x21\x3d", rsv1=False, rsv2=False, length=None):
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | (0x20 if rsv2 else 0) | opcode
    n = len(payload) if length is None else length
    mbit = 0x80 if mask else 0
    if n <= 125:
        head = bytes([b0, mbit | n])
    elif n <= 0xFFFF:
        head = bytes([b0, mbit | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, mbit | 127]) + struct.pack(">Q", n)
    if mask:
        head += mask
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return head + payload


def raw_deflate(data, flush=zlib.Z_SYNC_FLUSH, wbits=15, level=6):
    c = zlib.compressobj(level, zlib.DEFLATED, -wbits)
    out = c.compress(data) + c.flush(flush)
    if flush == zlib.Z_SYNC_FLUSH:
        assert out.endswith(b"\x00\x00\xff\xff")
        out = out[:-4]
    return out


def frame_decoder_seeds():
    s = {}
    s["hello_server"] = bytes([SERVER, 0]) + frame(1, b"Hello")
    s["hello_client"] = bytes([CLIENT, 1]) + frame(1, b"Hello", mask=None)
    s["fragmented_with_ping"] = bytes([SERVER, 2]) + (
        frame(1, b"frag", fin=False) + frame(9, b"ping") + frame(0, b"ment", fin=False) + frame(0, b"!", fin=True))
    s["control_frames"] = bytes([SERVER, 3]) + (
        frame(9) + frame(10, b"pong") + frame(8, struct.pack(">H", 1000) + b"bye"))
    s["len16"] = bytes([SERVER, 4]) + frame(2, bytes(range(256)) * 2)
    s["len64_header_only"] = bytes([SERVER, 5]) + frame(2, length=70000)
    s["compressed"] = bytes([SERVER | ALLOW_RSV1, 6]) + (
        frame(1, raw_deflate(b"Hello Hello Hello"), rsv1=True) +
        frame(2, raw_deflate(b"abc")[:2], fin=False, rsv1=True) + frame(0, raw_deflate(b"abc")[2:]))
    s["rsv2_allowed"] = bytes([SERVER | ALLOW_RSV23, 7]) + frame(2, b"x", rsv2=True)
    s["max_payload"] = bytes([SERVER | MAX_125, 8]) + frame(2, b"y" * 125) + frame(2, b"z" * 126)
    s["no_fragment_check"] = bytes([SERVER | NO_CHECK_FRAGMENTS, 9]) + frame(0, b"c") + frame(1, b"a", fin=False) + frame(2, b"b")
    s["reserved_opcode"] = bytes([SERVER, 10]) + frame(3, b"?")
    s["msb_length"] = bytes([SERVER, 11]) + frame(2, length=1 << 63)
    s["many_small"] = bytes([SERVER | MAX_1000, 12]) + b"".join(frame(1 + (i % 2), bytes([i]) * i) for i in range(20))
    return s


def inflater_seeds():
    text = b"permessage-deflate test message " * 8
    s = {}
    s["hello_sync"] = bytes([0x2F, 0x00]) + raw_deflate(b"Hello, World!")
    s["text_sync"] = bytes([0x3F, 0x15]) + raw_deflate(text)
    s["bfinal"] = bytes([0x2F, 0x26]) + raw_deflate(text, zlib.Z_FINISH)
    s["bomb_small_cap"] = bytes([0x1F, 0x37]) + raw_deflate(b"\0" * 100000, level=9)
    s["stored"] = bytes([0x2F, 0x01]) + raw_deflate(b"stored block data", level=0)
    s["empty"] = bytes([0x0F, 0x88])
    s["corrupt"] = bytes([0x2F, 0x99]) + b"\xff\xff\xff\xff"
    s["window9"] = bytes([0xA1, 0x9A]) + raw_deflate(bytes(range(256)) * 3, wbits=9)
    s["binary_roundtrip"] = bytes([0x6F, 0xF4]) + bytes((i * 37) & 0xFF for i in range(300))
    return s


def utf8_seeds():
    s = {}
    s["ascii"] = b"\x00" + b"plain ascii text, long enough for the fast path" * 2
    s["multibyte"] = b"\x01" + "Grüße € 𝄞 日本語 \U0010FFFF".encode()
    s["boundaries"] = b"\x02" + "\u0080\u07ff\u0800\ud7ff\ue000\uffff\U00010000".encode("utf-8", "surrogatepass")
    s["overlong"] = b"\x03" + b"ok \xc0\x80 \xe0\x80\x80 \xf0\x80\x80\x80"
    s["surrogate"] = b"\x00" + b"abc\xed\xa0\x80def"
    s["too_big"] = b"\x01" + b"\xf4\x90\x80\x80"
    s["truncated"] = b"\x02" + b"text \xe2\x82"
    s["five_six_byte"] = b"\x03" + b"\xf8\x88\x80\x80\x80\xfc\x84\x80\x80\x80\x80\xfe\xff"
    s["stray"] = b"\x00" + b"x" * 40 + b"\x80" + b"y" * 20
    return s


def multipart_seeds():
    def body(boundary, parts, preamble=b"", epilogue=b""):
        out = preamble
        for headers, content in parts:
            out += b"--" + boundary + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + content + b"\r\n"
        return out + b"--" + boundary + b"--" + epilogue

    form = [
        ([b'Content-Disposition: form-data; name="title"'], b"hello"),
        ([b'Content-Disposition: form-data; name="a[]"'], b"1"),
        ([b'Content-Disposition: form-data; name="up"; filename="a.txt"', b"Content-Type: text/plain"],
         b"line1\r\nline2"),
        ([b'Content-Disposition: form-data; name="none"; filename=""'], b""),
    ]
    ct = b"multipart/form-data; boundary="
    s = {}
    s["browser"] = b"\x00" + ct + b"----WebKitFormBoundaryX\n" + body(b"----WebKitFormBoundaryX", form)
    s["quoted"] = b"\x00" + ct + b'"a b"\n' + body(b"a b", form[:2], b"preamble\r\n", b"\r\nepilogue")
    s["escapes"] = b"\x00" + ct + b"q\n" + body(
        b"q", [([b'Content-Disposition: form-data; name="x\\"y"; filename="C:\\dir\\f.txt"'], b"--q junk\r\n")])
    s["limits"] = b"\x3f" + ct + b"b\n" + body(b"b", form)
    s["truncated"] = b"\x00" + ct + b"b\n" + body(b"b", form)[:-9]
    s["raw_boundary"] = b"\x40b\n" + body(b"b", form[:1])
    return s


# fuzz_server configuration bits (byte 0) and limits bits (byte 1); see fuzz_server.cc
USER_HANDSHAKE, DELIVER_CONTROL, DEFER, PRELUDE, SMALL_OUTPUT, BROADCAST, BEFORE_HANDSHAKE, RAW_TCP = (
    1, 2, 4, 8, 16, 32, 64, 128)
MAX_64, MAX_1024, MAX_16K, MAX_128K = 0, 1, 2, 3
SMALL_READS, NO_COMPRESSION, NO_TAKEOVER, SUBPROTOCOL, NO_REQUEST_HANDLER = 4, 8, 16, 32, 64
ZERO_MASK = b"\0\0\0\0"


def server_seeds():
    def http(method, target, fields=(), body=b""):
        head = f"{method} {target} HTTP/1.1\r\nHost: x\r\n".encode()
        for f in fields:
            head += f.encode() + b"\r\n"
        if body and not any(f.lower().startswith(("content-length", "transfer-encoding")) for f in fields):
            head += b"Content-Length: %d\r\n" % len(body)
        return head + b"\r\n" + body

    def upgrade(target="/ws", fields=()):
        return http("GET", target, ("Upgrade: websocket", "Connection: Upgrade",
                                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13")
                    + tuple(fields))

    deflate_offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"
    s = {}
    s["get"] = bytes([0, MAX_1024, 1]) + http("GET", "/index?x=1", ("X-Echo: hi",))
    s["pipelined_then_upgrade"] = bytes([0, MAX_1024, 2]) + (
        http("GET", "/a") + http("POST", "/b", body=b"body") + upgrade() + frame(1, b"after upgrade"))
    s["deferred_user_handshake"] = bytes([USER_HANDSHAKE | DEFER, MAX_1024, 3]) + (
        http("GET", "/first") + upgrade("/ws") + frame(2, b"\x00\x01binary") + frame(8, struct.pack(">H", 1000)))
    s["user_handshake_deny"] = bytes([USER_HANDSHAKE, MAX_1024, 4]) + upgrade("/deny")
    s["body_too_large"] = bytes([0, MAX_64, 5]) + http("POST", "/big", body=b"x" * 100)
    s["chunked_stream"] = bytes([DEFER, MAX_1024, 6]) + (
        http("POST", "/stream", ("Transfer-Encoding: chunked", "X-Echo: a\tb"), b"4\r\nwiki\r\n0\r\n\r\n"))
    s["expect_continue"] = bytes([0, MAX_1024, 7]) + http("PUT", "/put", ("Expect: 100-continue", "Content-Length: 3")) + b"abc"
    s["close_reset_paths"] = bytes([0, MAX_1024, 8]) + http("GET", "/close") + http("GET", "/reset")
    s["prelude_commands"] = bytes([PRELUDE, MAX_16K, 9]) + b"".join(
        frame(1, c) for c in (b"hello", b"!f", b"!b", b"!p", b"!x", b"!d")) + frame(8, struct.pack(">H", 4000))
    s["prelude_compressed"] = bytes([PRELUDE, MAX_1024, 10]) + (
        frame(1, raw_deflate(b"Hello compressed Hello"), rsv1=True, mask=ZERO_MASK) +
        frame(2, raw_deflate(b"x" * 5000), rsv1=True, mask=ZERO_MASK))
    s["prelude_no_takeover"] = bytes([PRELUDE | BROADCAST, MAX_1024 | NO_TAKEOVER | SUBPROTOCOL, 11]) + (
        frame(1, raw_deflate(b"one"), rsv1=True, mask=ZERO_MASK) + frame(1, raw_deflate(b"two"), rsv1=True, mask=ZERO_MASK))
    s["fragments_and_ping"] = bytes([PRELUDE | DELIVER_CONTROL, MAX_1024 | SMALL_READS, 12]) + (
        frame(1, b"frag", fin=False) + frame(9, b"ping") + frame(0, b"ment") + frame(10, b"pong") +
        frame(8, struct.pack(">H", 1001) + b"going"))
    s["too_big_message"] = bytes([PRELUDE, MAX_64, 13]) + frame(2, b"y" * 100)
    s["invalid_utf8"] = bytes([PRELUDE | DELIVER_CONTROL, MAX_1024, 14]) + frame(1, b"\xed\xa0\x80")
    s["small_output_big_pushes"] = bytes([PRELUDE | SMALL_OUTPUT, MAX_1024 | NO_COMPRESSION, 15]) + frame(1, b"!b") * 8
    s["broadcast_before_handshake"] = bytes([BROADCAST | BEFORE_HANDSHAKE, MAX_1024, 16]) + (
        upgrade("/ws", (deflate_offer,)) + frame(1, b"to everyone"))
    s["kick_in_before_handshake"] = bytes([BEFORE_HANDSHAKE, MAX_1024, 17]) + upgrade("/kick")
    s["no_request_handler"] = bytes([0, MAX_1024 | NO_REQUEST_HANDLER, 18]) + http("GET", "/")
    s["raw_tcp"] = bytes([RAW_TCP, MAX_1024, 19]) + b"hello raw\n" + http("GET", "/") + b"!c"
    s["bad_version"] = bytes([0, MAX_1024, 20]) + http("GET", "/", ("Upgrade: websocket", "Connection: Upgrade",
                                                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                                                                   "Sec-WebSocket-Version: 8"))
    return s


def handshake_seeds():
    base = ("GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
    s = {}
    s["plain"] = bytes([0]) + (base + "\r\n").encode()
    s["deflate"] = bytes([1]) + (base + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n").encode()
    s["subprotocol"] = bytes([2]) + (base + "Sec-WebSocket-Protocol: superchat, chat\r\n\r\n").encode()
    s["repeated_extensions"] = bytes([1]) + (base + "Sec-WebSocket-Extensions: x-foo\r\n"
                                                    "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9\r\n\r\n").encode()
    s["post"] = bytes([0]) + (base.replace("GET", "POST") + "Content-Length: 2\r\n\r\nab").encode()
    s["version8"] = bytes([0]) + (base.replace("Version: 13", "Version: 8") + "\r\n").encode()
    return s


def write(target, seeds):
    d = os.path.join(CORPUS, target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("fuzz_frame_decoder", frame_decoder_seeds())
    write("fuzz_inflater", inflater_seeds())
    write("fuzz_utf8", utf8_seeds())
    write("fuzz_multipart", multipart_seeds())
    write("fuzz_server", server_seeds())
    write("fuzz_handshake", handshake_seeds())
