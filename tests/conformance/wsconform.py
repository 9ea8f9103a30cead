#!/usr/bin/python3
"""wsconform: a WebSocket (RFC 6455 + RFC 7692) conformance client of our own.

    /usr/bin/python3 wsconform.py PORT [-v] [--only PREFIX[,PREFIX...]] [--skip PREFIX[,PREFIX...]]
                                  [--budget SECONDS] [--times] [--tls]

It runs against an echo server (tests/conformance/echo_server.inc: every data message
is pushed back with FIN | COMPRESS) on 127.0.0.1:PORT. Raw sockets, standard library
only, so it can send what a normal client library refuses to send. The client masks
every frame it sends, except in the cases that test unmasked frames.

The case groups follow the Autobahn testsuite's numbering loosely:
    1 framing, 2 ping/pong, 3 reserved bits, 4 opcodes, 5 fragmentation, 6 UTF-8,
    7 close handling, 9 large messages, 12 permessage-deflate messages,
    13 permessage-deflate negotiation.

Each case is judged the Autobahn way: what the server sent back is compared exactly
(echoes, pongs, their order), then how it closed: for valid input a clean closing
handshake answering ours, for invalid input a close frame with the expected code
(1002 protocol error, 1007 invalid payload, 1009 too big) followed by the TCP close.
Verdicts:
    OK          exactly what RFC 6455 / RFC 7692 ask for
    NON-STRICT  acceptable but not the strict answer (e.g. TCP dropped without a
                close frame, or another failure code than the expected one)
    FAILED      wrong (an echo of invalid input, a missing reply, no close, ...)

Output: one summary line per group, totals, then one line per case that is not OK.
Exit status 0 when no case FAILED, 1 otherwise, 2 on usage errors.
Every wait is bounded; the whole run is bounded by --budget (default 100 s).

--tls speaks wss://: every connection is wrapped in TLS (Python's ssl module, SNI
"localhost", no certificate verification: the test certificate is self-signed), and
the very same bytes are sent through it, so no protocol outcome may differ. A
close_notify or a TCP EOF (also one without close_notify) counts as the TCP close.
--skip leaves cases out (e.g. --skip 9.2.6,12.6.3 for the 16 MiB ones).
Only 127.0.0.1. Our own code, written from the RFCs.
"""

import base64
import errno
import hashlib
import os
import select
import socket
import ssl
import struct
import sys
import time
import zlib

OK, NON_STRICT, FAILED = 'OK', 'NON-STRICT', 'FAILED'
GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
HOST = '127.0.0.1'
WAIT = 3.0          # default wait for an expected reply
TCP_CLOSE_WAIT = 2.0  # wait for the server's TCP close after its close frame
FAIL_FAST_WAIT = 2.0  # a fail-fast case waits this long for the close before sending more
TLS_CTX = None      # an ssl.SSLContext with --tls
TLS_SEND_MAX = 64 * 1024  # bytes per SSL write (no partial writes: a retry must repeat them)

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10
RSV1, RSV2, RSV3 = 0x40, 0x20, 0x10

# RFC 6455 7.4.1/7.4.2 and the IANA registry: the codes an endpoint may put in a
# close frame. 1004 is reserved, 1005/1006/1015 must never be sent.
def close_code_valid(code):
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


class Fail(Exception):
    """The case FAILED; the message says why."""


class NonStrict(Exception):
    """The case passed NON-STRICT; the message says what was not strict."""


def short(b, limit=24):
    """A bytes value in one short line: length and the first bytes in hex."""
    if b is None:
        return 'None'
    h = b[:limit].hex()
    return '%d bytes %s%s' % (len(b), h, '...' if len(b) > limit else '')


def mask_bytes(data, key):
    n = len(data)
    if n == 0:
        return b''
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, 'little') ^ int.from_bytes(k, 'little')).to_bytes(n, 'little')


def frame(opcode, payload=b'', fin=True, rsv=0, mask=True, length=None, key=None):
    """One frame as bytes. `length` overrides the announced payload length (the
    encoding is then the shortest for that value); `rsv` is the raw RSV bits (0x70)."""
    b0 = (0x80 if fin else 0) | (rsv & 0x70) | (opcode & 0x0F)
    n = len(payload) if length is None else length
    m = 0x80 if mask else 0
    if n <= 125:
        head = struct.pack('!BB', b0, m | n)
    elif n <= 0xFFFF:
        head = struct.pack('!BBH', b0, m | 126, n)
    else:
        head = struct.pack('!BBQ', b0, m | 127, n)
    if not mask:
        return head + payload
    if key is None:
        key = os.urandom(4)
    return head + key + mask_bytes(payload, key)


def close_payload(code=None, reason=b''):
    if code is None:
        return b''
    return struct.pack('!H', code) + reason


def utf8_cut(b, n):
    """The first n bytes of b, ending on a character boundary (padded with 'x')."""
    out = b[:n]
    i = len(out)
    while i > 0 and (out[i - 1] & 0xC0) == 0x80:
        i -= 1
    if i > 0 and out[i - 1] >= 0xC0:
        lead = out[i - 1]
        need = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        if len(out) - (i - 1) < need:
            out = out[:i - 1]
    return out + b'x' * (n - len(out))


_TEXT_BLOCK = None


def text_payload(n, seed=0):
    """n bytes of compressible, valid UTF-8 text (multi-byte characters included)."""
    global _TEXT_BLOCK
    if _TEXT_BLOCK is None:
        words = ['Hello-µ@ßöäüàá-UTF-8!!', 'κόσμε', 'websocket', 'frame', 'deflate', 'echo',
                 'server', 'message', '中文', 'payload', 'mask', 'close', '😀', 'ping', 'pong']
        x, parts = 12345, []
        for _ in range(6000):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            parts.append(words[x % len(words)])
        _TEXT_BLOCK = ' '.join(parts).encode('utf-8')
    prefix = ('%d:' % seed).encode()
    base = prefix + _TEXT_BLOCK
    if n <= len(base):
        return utf8_cut(base, n)
    reps = n // len(_TEXT_BLOCK) + 1
    return utf8_cut(prefix + _TEXT_BLOCK * reps, n)


def ascii_payload(n, seed=0):
    unit = bytes((0x61 + (i + seed) % 26) for i in range(26))
    return (unit * (n // 26 + 1))[:n]


# ---------------------------------------------------------------- permessage-deflate

def parse_extensions(value):
    """Sec-WebSocket-Extensions value -> [(name, [(param, value-or-None)])]; None if malformed."""
    out = []
    for item in value.split(','):
        item = item.strip()
        if not item:
            continue
        parts = [p.strip() for p in item.split(';')]
        name = parts[0]
        if not name:
            return None
        params = []
        for p in parts[1:]:
            if not p:
                return None
            if '=' in p:
                k, v = p.split('=', 1)
                k, v = k.strip(), v.strip()
                if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
                    v = v[1:-1]
                params.append((k, v))
            else:
                params.append((p, None))
        out.append((name, params))
    return out


def window_bits_value(v):
    if v is None or not v.isdigit() or v.startswith('0'):
        return None
    n = int(v)
    return n if 8 <= n <= 15 else None


def check_deflate_response(offers, value):
    """Checks the server's permessage-deflate answer against what we offered (RFC 7692).
    `offers` is a list of param dicts (one per offer we sent, only valid ones matter).
    Returns the agreed params dict; raises Fail if the answer is not allowed."""
    exts = parse_extensions(value)
    if exts is None:
        raise Fail('malformed Sec-WebSocket-Extensions answer %r' % value)
    if len(exts) != 1 or exts[0][0].lower() != 'permessage-deflate':
        raise Fail('extension answer %r: exactly one permessage-deflate expected' % value)
    params = {}
    for k, v in exts[0][1]:
        k = k.lower()
        if k in params:
            raise Fail('answer %r repeats %s (RFC 7692 7.1)' % (value, k))
        if k in ('server_no_context_takeover', 'client_no_context_takeover'):
            if v is not None:
                raise Fail('answer %r: %s takes no value' % (value, k))
            params[k] = True
        elif k in ('server_max_window_bits', 'client_max_window_bits'):
            bits = window_bits_value(v)
            if bits is None:
                raise Fail('answer %r: %s needs a value 8..15 (RFC 7692 7.1.2)' % (value, k))
            params[k] = bits
        else:
            raise Fail('answer %r: unknown parameter %s' % (value, k))
    problems = []
    for offer in offers:
        why = None
        if offer.get('server_no_context_takeover') and 'server_no_context_takeover' not in params:
            why = 'server_no_context_takeover was offered but not answered (7.1.1.1)'
        elif 'server_max_window_bits' in offer and (
                params.get('server_max_window_bits', 99) > offer['server_max_window_bits']):
            why = 'server_max_window_bits=%d was offered, answer must carry <= it (7.1.2.1)' % \
                offer['server_max_window_bits']
        elif 'client_max_window_bits' in params and 'client_max_window_bits' not in offer:
            why = 'client_max_window_bits answered but not offered (7.1.2.2)'
        elif 'client_max_window_bits' in params and offer.get('client_max_window_bits') not in (None, True) \
                and params['client_max_window_bits'] > offer['client_max_window_bits']:
            why = 'client_max_window_bits answered larger than offered'
        if why is None:
            return params
        problems.append(why)
    raise Fail('answer %r matches none of our offers: %s' % (value, '; '.join(problems)))


def offer_params(offer):
    """An offer string we send -> its params dict (True for a parameter without a value),
    or None if the offer is itself invalid (the server must decline it)."""
    exts = parse_extensions(offer)
    result = []
    for name, params in exts:
        if name != 'permessage-deflate':
            continue
        d, bad = {}, False
        for k, v in params:
            if k in d:
                bad = True
            elif k in ('server_no_context_takeover', 'client_no_context_takeover'):
                bad = bad or v is not None
                d[k] = True
            elif k == 'server_max_window_bits':
                bits = window_bits_value(v)
                bad = bad or bits is None
                d[k] = bits
            elif k == 'client_max_window_bits':
                if v is None:
                    d[k] = True
                else:
                    bits = window_bits_value(v)
                    bad = bad or bits is None
                    d[k] = bits
            else:
                bad = True
        if not bad:
            result.append(d)
    return result


class Deflate:
    """Our side of permessage-deflate: compress what we send, inflate what we receive."""

    def __init__(self, params):
        self.params = params
        cbits = params.get('client_max_window_bits', 15)
        # zlib cannot produce a 256-byte window; Huffman-only output has no back
        # references at all, so it is valid for any window.
        self.c_huffman = cbits == 8
        self.c_bits = max(cbits, 9)
        self.c_reset = bool(params.get('client_no_context_takeover'))
        self.d_bits = params.get('server_max_window_bits', 15)
        self.d_reset = bool(params.get('server_no_context_takeover'))
        self.comp = None
        self.decomp = None

    def _compressor(self, level=zlib.Z_DEFAULT_COMPRESSION):
        strategy = zlib.Z_HUFFMAN_ONLY if self.c_huffman else zlib.Z_DEFAULT_STRATEGY
        return zlib.compressobj(level, zlib.DEFLATED, -self.c_bits, 8, strategy)

    def compress(self, data, final_block=False, level=None):
        """One message's payload: raw deflate, sync flush tail removed (RFC 7692 7.2.1).
        final_block: end with a BFINAL block (no tail to strip) instead."""
        if final_block or level is not None:
            comp = self._compressor(zlib.Z_DEFAULT_COMPRESSION if level is None else level)
            if final_block:
                return comp.compress(data) + comp.flush(zlib.Z_FINISH)
        else:
            if self.comp is None or self.c_reset:
                self.comp = self._compressor()
            comp = self.comp
        out = comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH)
        if not out.endswith(b'\x00\x00\xff\xff'):
            raise Fail('internal: sync flush without its tail')
        return out[:-4]

    def inflate(self, payload, expect_max):
        if self.decomp is None or self.d_reset:
            self.decomp = zlib.decompressobj(-self.d_bits)
        try:
            out = self.decomp.decompress(payload + b'\x00\x00\xff\xff', expect_max + 1)
        except zlib.error as e:
            raise Fail('server message does not inflate with window %d%s: %s' % (
                self.d_bits, ', fresh context' if self.d_reset else '', e))
        if self.decomp.eof:
            self.decomp = None  # a BFINAL block ended the stream; the next one starts fresh
        return out


# ---------------------------------------------------------------- the connection

class Conn:
    def __init__(self, port, timeout=WAIT):
        self.port = port
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.tls = TLS_CTX is not None
        if self.tls:
            # The TLS handshake blocks (bounded by the socket timeout); then non-blocking
            # like the plain socket.
            raw = self.sock
            try:
                self.sock = TLS_CTX.wrap_socket(raw, server_hostname='localhost')
            except (OSError, ssl.SSLError) as e:
                raw.close()
                raise Fail('TLS handshake failed: %r' % (e,))
        self.sock.setblocking(False)
        self.rbuf = bytearray()
        self.eof = False
        self.write_failed = None
        self.deflate = None
        self.ext_answer = None
        self.msg_op = None
        self.msg_rsv1 = False
        self.msg_parts = []
        self.msg_size = 0
        self.expect_max = 64 * 1024 * 1024

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- raw I/O, always bounded

    def _read_some(self):
        if self.tls:
            return self._read_some_tls()
        try:
            d = self.sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError as e:
            if e.errno in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED):
                self.eof = True
                return False
            raise
        if not d:
            self.eof = True
            return False
        self.rbuf += d
        return True

    def _read_some_tls(self):
        """One SSL read returns at most one record: read until the socket has no more
        (SSLWantRead), bounded. A close_notify (SSLZeroReturnError or b''), an EOF
        without it (SSLEOFError) or a reset is the TCP close. Like a plain recv, the
        result is True when bytes arrived (even if the EOF came right behind them: the
        caller parses them first and sees self.eof next time), False on a bare EOF."""
        got = False
        for _ in range(256):
            try:
                d = self.sock.recv(1 << 20)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError, InterruptedError):
                return True
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                d = b''
            except ssl.SSLError:
                raise
            except OSError as e:
                if e.errno not in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED):
                    raise
                d = b''
            if not d:
                self.eof = True
                return got
            self.rbuf += d
            got = True
        return True

    def _fill(self, deadline):
        """Reads what arrives before the deadline; False on EOF or timeout."""
        if self.eof:
            return False
        if self.tls and self.sock.pending():
            return self._read_some()  # decrypted bytes already buffered in the SSL object
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.sock], [], [], left)
        if not r:
            return False
        return self._read_some()

    def send_raw(self, data, chop=None, delay=0.0, budget=60.0):
        """Sends bytes (in pieces of `chop` bytes with `delay` between them), reading
        whatever the server sends meanwhile so neither side can block the other.
        Returns False when the server closed the connection under us."""
        if self.write_failed:
            return False
        deadline = time.monotonic() + budget
        view = memoryview(data)
        step = chop or len(view) or 1
        pos = 0
        while pos < len(view):
            piece = view[pos:pos + step]
            pos += len(piece)
            off = 0
            while off < len(piece):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Fail('sending timed out (%d of %d bytes sent)' % (pos - len(piece) + off, len(view)))
                rl = [self.sock] if not self.eof else []
                r, w, _ = select.select(rl, [self.sock], [], min(left, 1.0))
                if r:
                    self._read_some()
                if w:
                    try:
                        if self.tls:
                            # The same slice again after SSLWant*: SSL_write must be retried
                            # with the same bytes.
                            off += self.sock.send(piece[off:off + TLS_SEND_MAX])
                        else:
                            off += self.sock.send(piece[off:])
                    except (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                        pass
                    except (ssl.SSLEOFError, ssl.SSLZeroReturnError):
                        self.write_failed = errno.EPIPE
                        return False
                    except OSError as e:
                        if e.errno in (errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED):
                            self.write_failed = e.errno
                            return False
                        raise
            if delay and pos < len(view):
                time.sleep(delay)
        return True

    def send(self, opcode, payload=b'', fin=True, rsv=0, chop=None, delay=0.0, **kw):
        return self.send_raw(frame(opcode, payload, fin, rsv, **kw), chop, delay)

    def send_message(self, opcode, payload, compress=None):
        """A whole message in one frame, compressed when deflate is on (or forced)."""
        if compress is None:
            compress = self.deflate is not None and len(payload) > 0
        if compress:
            return self.send(opcode, self.deflate.compress(payload), rsv=RSV1)
        return self.send(opcode, payload)

    def send_close(self, code=1000, reason=b''):
        return self.send(OP_CLOSE, close_payload(code, reason))

    # -- handshake

    def handshake(self, offer=None, timeout=WAIT):
        key = base64.b64encode(os.urandom(16))
        req = (b'GET /conformance HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n'
               b'Connection: Upgrade\r\nSec-WebSocket-Key: ' + key + b'\r\nSec-WebSocket-Version: 13\r\n')
        if offer is not None:
            req += b'Sec-WebSocket-Extensions: ' + offer.encode() + b'\r\n'
        self.send_raw(req + b'\r\n')
        deadline = time.monotonic() + timeout
        while b'\r\n\r\n' not in self.rbuf:
            if len(self.rbuf) > 16384 or not self._fill(deadline):
                raise Fail('handshake: no complete response (%r)' % bytes(self.rbuf[:200]))
        end = self.rbuf.index(b'\r\n\r\n')
        head = bytes(self.rbuf[:end]).decode('latin-1')
        del self.rbuf[:end + 4]
        lines = head.split('\r\n')
        if not lines[0].startswith('HTTP/1.1 101'):
            raise Fail('handshake refused: %s' % lines[0])
        headers = {}
        for line in lines[1:]:
            if ':' in line:
                k, v = line.split(':', 1)
                k = k.strip().lower()
                headers[k] = (headers[k] + ', ' + v.strip()) if k in headers else v.strip()
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        if headers.get('sec-websocket-accept') != accept:
            raise Fail('handshake: bad Sec-WebSocket-Accept %r' % headers.get('sec-websocket-accept'))
        if headers.get('upgrade', '').lower() != 'websocket' or \
                'upgrade' not in [t.strip().lower() for t in headers.get('connection', '').split(',')]:
            raise Fail('handshake: Upgrade/Connection headers missing in the 101')
        ext = headers.get('sec-websocket-extensions')
        self.ext_answer = ext
        if ext is not None:
            if offer is None:
                raise Fail('server answered extension %r that was never offered' % ext)
            valid = offer_params(offer)
            if not valid:
                raise Fail('server accepted %r for the invalid offer %r (RFC 7692 5.1: decline)' % (ext, offer))
            self.deflate = Deflate(check_deflate_response(valid, ext))

    # -- frames and events from the server

    def _parse(self):
        b = self.rbuf
        if len(b) < 2:
            return None
        n = b[1] & 0x7F
        pos = 2
        if n == 126:
            if len(b) < 4:
                return None
            n = struct.unpack_from('!H', b, 2)[0]
            pos = 4
        elif n == 127:
            if len(b) < 10:
                return None
            n = struct.unpack_from('!Q', b, 2)[0]
            pos = 10
        masked = bool(b[1] & 0x80)
        if masked:
            pos += 4
        if len(b) < pos + n:
            return None
        b0 = b[0]
        payload = bytes(b[pos:pos + n])
        if masked:
            payload = mask_bytes(payload, bytes(b[pos - 4:pos]))
        del b[:pos + n]
        return (bool(b0 & 0x80), b0 & 0x70, b0 & 0x0F, masked, payload)

    def next_event(self, deadline):
        """('text'|'binary', payload, compressed) | ('ping'|'pong', payload) |
        ('close', code-or-None, reason) | ('eof',) | ('timeout',).
        Raises Fail for frames no server may send."""
        while True:
            f = self._parse()
            if f is None:
                if self.eof:
                    return ('eof',)
                if not self._fill(deadline):
                    return ('eof',) if self.eof else ('timeout',)
                continue
            fin, rsv, op, masked, payload = f
            if masked:
                raise Fail('server sent a masked frame (RFC 6455 5.1)')
            if op >= 8:
                if not fin or len(payload) > 125:
                    raise Fail('server sent an invalid control frame (fin=%d len=%d)' % (fin, len(payload)))
                if rsv:
                    raise Fail('server sent RSV bits 0x%x on a control frame' % rsv)
                if op == OP_CLOSE:
                    if len(payload) == 0:
                        return ('close', None, b'')
                    if len(payload) == 1:
                        raise Fail('server sent a close frame with a 1-byte payload')
                    code = struct.unpack('!H', payload[:2])[0]
                    if not close_code_valid(code):
                        raise Fail('server sent close code %d, which may not be sent (RFC 6455 7.4)' % code)
                    try:
                        payload[2:].decode('utf-8')
                    except UnicodeDecodeError:
                        raise Fail('server sent a close reason that is not UTF-8')
                    return ('close', code, payload[2:])
                if op == OP_PING:
                    return ('ping', payload)
                if op == OP_PONG:
                    return ('pong', payload)
                raise Fail('server sent reserved opcode %d' % op)
            if rsv & (RSV2 | RSV3):
                raise Fail('server sent RSV2/RSV3')
            if op in (OP_TEXT, OP_BINARY):
                if self.msg_op is not None:
                    raise Fail('server started a new message inside a fragmented one')
                if rsv & RSV1 and self.deflate is None:
                    raise Fail('server sent RSV1 without negotiating permessage-deflate')
                self.msg_op, self.msg_rsv1, self.msg_parts = op, bool(rsv & RSV1), []
            elif op == OP_CONT:
                if self.msg_op is None:
                    raise Fail('server sent a continuation frame without a message')
                if rsv:
                    raise Fail('server sent RSV bits on a continuation frame')
            else:
                raise Fail('server sent reserved opcode %d' % op)
            self.msg_parts.append(payload)
            if not fin:
                continue
            data = b''.join(self.msg_parts)
            op, compressed = self.msg_op, self.msg_rsv1
            self.msg_op, self.msg_parts = None, []
            if compressed:
                data = self.deflate.inflate(data, self.expect_max)
            if op == OP_TEXT:
                try:
                    data.decode('utf-8')
                except UnicodeDecodeError as e:
                    raise Fail('server sent a text message that is not UTF-8 (%s)' % e)
            return ('text' if op == OP_TEXT else 'binary', data, compressed)

    def collect(self, timeout=WAIT, until_count=None):
        """Events until a close frame, EOF or the timeout (or until `until_count` events).
        Returns (events, last) where last is the close/eof/timeout event or None."""
        deadline = time.monotonic() + timeout
        events = []
        while True:
            if until_count is not None and len(events) >= until_count:
                return events, None
            ev = self.next_event(deadline)
            if ev[0] in ('close', 'eof', 'timeout'):
                return events, ev
            events.append(ev)

    def wait_tcp_close(self, timeout=TCP_CLOSE_WAIT):
        """After the server's close frame: nothing but the TCP close may follow."""
        deadline = time.monotonic() + timeout
        while True:
            f = self._parse()
            if f is not None:
                raise Fail('server sent a frame (opcode %d) after its close frame' % f[2])
            if self.eof:
                return True
            if not self._fill(deadline) and not self.eof:
                return False


# ---------------------------------------------------------------- verdict helpers

def describe(ev):
    if ev is None:
        return 'nothing'
    if ev[0] in ('text', 'binary', 'ping', 'pong'):
        return '%s(%s)' % (ev[0], short(ev[1]))
    if ev[0] == 'close':
        return 'close(%s%s)' % (ev[1], (', %r' % ev[2][:60]) if ev[2] else '')
    return ev[0]


def compare(got, expected, c=None, check_compressed=True):
    """Exact comparison of received events with [(kind, payload)]."""
    for i in range(max(len(got), len(expected))):
        g = got[i] if i < len(got) else None
        e = expected[i] if i < len(expected) else None
        if g is None:
            raise Fail('expected %s as reply #%d, got nothing more' % (describe(e), i + 1))
        if e is None:
            raise Fail('unexpected reply #%d: %s' % (i + 1, describe(g)))
        if g[0] != e[0] or g[1] != e[1]:
            raise Fail('reply #%d: expected %s, got %s' % (i + 1, describe(e), describe(g)))
    if c is not None and c.deflate is not None and check_compressed:
        for g in got:
            if g[0] in ('text', 'binary') and len(g[1]) > 0 and not g[2]:
                raise NonStrict('a reply pushed with FLAG_COMPRESS came back uncompressed')


def finish_clean(c, expected, code=1000, reason=b'', ok_codes=None, timeout=WAIT):
    """Valid input: the expected replies, then our close answered by the server's close
    (same code, or 1000; for an empty close an empty one or 1000) and the TCP close."""
    if ok_codes is None:
        ok_codes = (None, 1000) if code is None else (code, 1000)
    c.send_close(code, reason)
    got, last = c.collect(timeout)
    try:
        compare(got, expected, c)
    except Fail as e:
        raise Fail('%s; then %s' % (e, describe(last)))
    if last[0] == 'timeout':
        raise Fail('no close frame in answer to our close within %.1f s' % timeout)
    if last[0] == 'eof':
        raise Fail('server dropped TCP without answering our close frame')
    if last[1] not in ok_codes:
        raise Fail('server answered our close %s with close %s' % (code, last[1]))
    if not c.wait_tcp_close():
        raise Fail('server did not close TCP after the closing handshake')
    return OK


def finish_fail(c, expected_before, codes=(1002,), other_codes=(), timeout=WAIT, what=''):
    """Invalid input: the expected replies (for what came before the bad part), then a
    close frame with a code in `codes` and the TCP close."""
    got, last = c.collect(timeout)
    compare(got, expected_before, c)
    if last[0] == 'timeout':
        raise Fail('no close frame within %.1f s: the server accepted %s' % (timeout, what or 'the invalid input'))
    if last[0] == 'eof':
        raise NonStrict('server dropped TCP without a close frame (expected close %s)' % '/'.join(map(str, codes)))
    code = last[1]
    c.send_close(code if code is not None and close_code_valid(code) else 1000)
    if code not in codes:
        if code in other_codes:
            c.wait_tcp_close()
            raise NonStrict('closed with %s, expected %s' % (code, '/'.join(map(str, codes))))
        raise Fail('closed with %s, expected %s' % (code, '/'.join(map(str, codes))))
    if not c.wait_tcp_close():
        raise Fail('no TCP close after the server\'s close frame')
    return OK


def fail_fast(c, first, rest, codes=(1007,), expected_before=(), what='invalid UTF-8'):
    """Sends `first`; the server must close (with `codes`) before `rest` is sent."""
    c.send_raw(first)
    got, last = c.collect(FAIL_FAST_WAIT)
    compare(got, list(expected_before), c)
    if last[0] == 'timeout':
        c.send_raw(rest)
        got2, last2 = c.collect(WAIT)
        if last2[0] == 'close' and last2[1] in codes:
            raise Fail('not fail-fast: close %s came only after the rest of the message was sent' % last2[1])
        raise Fail('no close within %.1f s after %s arrived (rest not yet sent), then %s' % (
            FAIL_FAST_WAIT, what, describe(last2)))
    if last[0] == 'eof':
        raise NonStrict('server dropped TCP without a close frame on %s' % what)
    c.send_raw(rest)  # must be ignored
    c.send_close(last[1] if last[1] and close_code_valid(last[1]) else 1000)
    if last[1] not in codes:
        raise Fail('closed with %s, expected %s' % (last[1], '/'.join(map(str, codes))))
    if not c.wait_tcp_close():
        raise Fail('no TCP close after the server\'s close frame')
    return OK


def kind(op):
    return 'text' if op == OP_TEXT else 'binary'


# ---------------------------------------------------------------- the case table

CASES = []  # (id, group, description, function, offer)

GROUPS = {
    '1': 'framing', '2': 'ping/pong', '3': 'reserved bits', '4': 'opcodes', '5': 'fragmentation',
    '6': 'UTF-8', '7': 'close handling', '9': 'large messages', '12': 'deflate messages',
    '13': 'deflate negotiation',
}


def add(cid, desc, fn, offer=None):
    CASES.append((cid, cid.split('.')[0], desc, fn, offer))


def echo_case(op, payload, chop=None, delay=0.0, timeout=WAIT):
    def run(c):
        c.expect_max = len(payload)
        c.send(op, payload, chop=chop, delay=delay)
        return finish_clean(c, [(kind(op), payload)], timeout=timeout)
    return run


def raw_fail_case(data, codes=(1002,), before=b'', expected=(), chop=None, delay=0.0, other=()):
    """Sends `before` (valid frames), then `data` (bad); expects `expected` then close."""
    def run(c):
        c.send_raw(before + data, chop=chop, delay=delay)
        return finish_fail(c, list(expected), codes, other)
    return run


# 1.x framing ------------------------------------------------------------------

def build_framing():
    lengths = [0, 1, 125, 126, 127, 128, 65535, 65536, 65537, 131072]
    for gi, op in ((1, OP_TEXT), (2, OP_BINARY)):
        gen = ascii_payload if op == OP_TEXT else (lambda n, s=0: os.urandom(n))
        for i, n in enumerate(lengths, 1):
            add('1.%d.%d' % (gi, i), '%s message of %d bytes' % (kind(op), n), echo_case(op, gen(n)))
        i = len(lengths)
        add('1.%d.%d' % (gi, i + 1), '%s 65536 bytes sent in 997-byte chops' % kind(op),
            echo_case(op, gen(65536), chop=997))
        add('1.%d.%d' % (gi, i + 2), '%s 125 bytes sent byte by byte' % kind(op),
            echo_case(op, gen(125), chop=1, delay=0.0005))
        add('1.%d.%d' % (gi, i + 3), '%s 300 bytes (16-bit length) sent byte by byte' % kind(op),
            echo_case(op, gen(300), chop=1, delay=0.0002))
        add('1.%d.%d' % (gi, i + 4), '%s 70000 bytes, header split in 1-byte pieces then the rest' % kind(op),
            echo_case_split_header(op, gen(70000)))

    def pipelined(c):
        msgs = [(OP_TEXT if i % 2 else OP_BINARY, ascii_payload(i * 37 % 300, i)) for i in range(20)]
        c.send_raw(b''.join(frame(op, p) for op, p in msgs) + frame(OP_CLOSE, close_payload(1000)))
        got, last = c.collect(WAIT)
        compare(got, [(kind(op), p) for op, p in msgs], c)
        if last[0] != 'close' or last[1] not in (1000,):
            raise Fail('expected close 1000 after the echoes, got %s' % describe(last))
        if not c.wait_tcp_close():
            raise Fail('no TCP close')
        return OK
    add('1.3.1', '20 messages and a close in one TCP write', pipelined)

    def stream(c):
        for i in range(50):
            p = ascii_payload(1 + i * 13, i)
            c.send(OP_TEXT, p)
            got, last = c.collect(WAIT, until_count=1)
            compare(got, [('text', p)], c)
        return finish_clean(c, [])
    add('1.3.2', '50 request/response round trips on one connection', stream)
    add('1.3.3', 'unmasked text frame from a client (RFC 6455 5.1)',
        raw_fail_case(frame(OP_TEXT, b'Hello', mask=False)))
    add('1.3.4', 'unmasked empty binary frame after a valid message',
        raw_fail_case(frame(OP_BINARY, b'', mask=False), before=frame(OP_TEXT, b'ok'), expected=[('text', b'ok')]))
    add('1.3.5', 'unmasked ping', raw_fail_case(frame(OP_PING, b'x', mask=False)))
    add('1.3.6', '64-bit length with the most significant bit set',
        raw_fail_case(struct.pack('!BBQ', 0x82, 0xFF, 1 << 63) + os.urandom(4) + b'abcd'))
    add('1.3.7', 'text frame announcing 64 MiB + 1 (over package_max_length): 1009',
        raw_fail_case(struct.pack('!BBQ', 0x81, 0xFF, 64 * 1024 * 1024 + 1) + os.urandom(4) + b'abcd',
                      codes=(1009,)))
    add('1.3.8', 'binary frame announcing 2^62 bytes: 1009',
        raw_fail_case(struct.pack('!BBQ', 0x82, 0xFF, 1 << 62) + os.urandom(4), codes=(1009,)))


def echo_case_split_header(op, payload):
    def run(c):
        data = frame(op, payload)
        for i in range(14):
            c.send_raw(data[i:i + 1])
            time.sleep(0.001)
        c.send_raw(data[14:])
        return finish_clean(c, [(kind(op), payload)])
    return run


# 2.x ping / pong --------------------------------------------------------------

def build_ping():
    sizes = [0, 1, 2, 7, 8, 64, 124, 125]
    for i, n in enumerate(sizes, 1):
        p = os.urandom(n)
        add('2.1.%d' % i, 'ping with %d-byte payload gets a pong with it' % n, ping_case([p]))
    add('2.2.1', 'ping with a text payload', ping_case([b'Hello, world!']))
    add('2.2.2', 'ping with a 125-byte payload sent byte by byte', ping_case([os.urandom(125)], chop=1))
    add('2.2.3', '10 pings in one write get 10 pongs in order',
        ping_case([('ping %d' % i).encode() for i in range(10)]))
    add('2.2.4', '10 pings sent in 3-byte chops', ping_case([os.urandom(i * 12) for i in range(10)], chop=3))
    for i, n in enumerate([126, 127, 1000, 65535, 65536], 1):
        add('2.3.%d' % i, 'ping with %d-byte payload (over 125): 1002' % n,
            raw_fail_case(frame(OP_PING, os.urandom(n))))
    add('2.3.6', 'pong with 126-byte payload: 1002', raw_fail_case(frame(OP_PONG, os.urandom(126))))

    def unsolicited(payloads, then_ping=False):
        def run(c):
            for p in payloads:
                c.send(OP_PONG, p)
            exp = []
            if then_ping:
                c.send(OP_PING, b'after pong')
                exp = [('pong', b'after pong')]
            return finish_clean(c, exp)
        return run
    add('2.4.1', 'unsolicited empty pong is ignored', unsolicited([b'']))
    add('2.4.2', 'unsolicited pong with payload is ignored', unsolicited([b'unsolicited pong payload']))
    add('2.4.3', 'unsolicited pong, then a ping: only the pong answer', unsolicited([b'x'], True))
    add('2.4.4', '10 unsolicited 125-byte pongs are ignored', unsolicited([os.urandom(125)] * 10))


def ping_case(payloads, chop=None):
    def run(c):
        c.send_raw(b''.join(frame(OP_PING, p) for p in payloads), chop=chop,
                   delay=0.0002 if chop else 0.0)
        return finish_clean(c, [('pong', p) for p in payloads])
    return run


# 3.x reserved bits ------------------------------------------------------------

def build_rsv():
    n = 0
    for rsv_n in range(1, 8):
        rsv = rsv_n << 4
        name = 'RSV=%d' % rsv_n
        kinds = [
            ('text frame', frame(OP_TEXT, b'Hello', rsv=rsv), b'', []),
            ('binary frame after a valid echo', frame(OP_BINARY, os.urandom(10), rsv=rsv),
             frame(OP_TEXT, b'first'), [('text', b'first')]),
            ('ping', frame(OP_PING, b'ping', rsv=rsv), b'', []),
            ('close 1000', frame(OP_CLOSE, close_payload(1000), rsv=rsv), b'', []),
            ('continuation of a fragmented text', frame(OP_CONT, b'lo', rsv=rsv),
             frame(OP_TEXT, b'Hel', fin=False), []),
        ]
        for desc, bad, before, exp in kinds:
            n += 1
            add('3.1.%d' % n, '%s on a %s (no extension): 1002' % (name, desc),
                raw_fail_case(bad, before=before, expected=exp))
    add('3.2.1', 'RSV=4 on a text frame, sent byte by byte, then a ping: 1002, no pong',
        raw_fail_case(frame(OP_TEXT, b'Hello', rsv=0x40) + frame(OP_PING, b'p'), chop=1, delay=0.0005))
    add('3.2.2', 'valid text, then RSV=2 text and a ping in the same write: echo, then 1002',
        raw_fail_case(frame(OP_TEXT, b'x', rsv=0x20) + frame(OP_PING, b'p'),
                      before=frame(OP_TEXT, b'valid'), expected=[('text', b'valid')]))
    # With permessage-deflate negotiated only RSV1, only on the first frame of a data message.
    pmd = 'permessage-deflate'
    defl = [
        ('RSV2 on a text frame', frame(OP_TEXT, b'Hello', rsv=RSV2), b''),
        ('RSV3 on a binary frame', frame(OP_BINARY, b'Hello', rsv=RSV3), b''),
        ('RSV1|RSV2 on a text frame', frame(OP_TEXT, b'Hello', rsv=RSV1 | RSV2), b''),
        ('RSV1 on a ping', frame(OP_PING, b'Hello', rsv=RSV1), b''),
        ('RSV1 on a pong', frame(OP_PONG, b'Hello', rsv=RSV1), b''),
        ('RSV1 on a close', frame(OP_CLOSE, close_payload(1000), rsv=RSV1), b''),
        ('RSV1 on a continuation frame', frame(OP_CONT, b'\x00', rsv=RSV1),
         frame(OP_TEXT, b'', fin=False)),
    ]
    for i, (desc, bad, before) in enumerate(defl, 1):
        add('3.3.%d' % i, '%s with permessage-deflate negotiated: 1002' % desc,
            with_deflate_required(raw_fail_case(bad, before=before)), offer=pmd)


def with_deflate_required(fn):
    def run(c):
        if c.deflate is None:
            raise Fail('permessage-deflate was not negotiated (answer %r)' % c.ext_answer)
        return fn(c)
    return run


# 4.x opcodes ------------------------------------------------------------------

def build_opcodes():
    for i, op in enumerate([3, 4, 5, 6, 7], 1):
        add('4.1.%d' % i, 'reserved data opcode %d, empty: 1002' % op, raw_fail_case(frame(op)))
    for i, op in enumerate([3, 4, 5, 6, 7], 1):
        add('4.2.%d' % i, 'valid echo, reserved data opcode %d with payload, then a ping: echo, 1002' % op,
            raw_fail_case(frame(op, b'reserved') + frame(OP_PING, b'p'),
                          before=frame(OP_TEXT, b'Hello'), expected=[('text', b'Hello')]))
    for i, op in enumerate([11, 12, 13, 14, 15], 1):
        add('4.3.%d' % i, 'reserved control opcode %d, empty: 1002' % op, raw_fail_case(frame(op)))
    for i, op in enumerate([11, 12, 13, 14, 15], 1):
        add('4.4.%d' % i, 'valid echo, reserved control opcode %d with payload, then a ping: echo, 1002' % op,
            raw_fail_case(frame(op, b'reserved') + frame(OP_PING, b'p'),
                          before=frame(OP_TEXT, b'Hello'), expected=[('text', b'Hello')]))
    add('4.5.1', 'reserved opcode 3 inside a fragmented message: 1002',
        raw_fail_case(frame(OP_TEXT, b'frag', fin=False) + frame(3, b'x') + frame(OP_CONT, b'end')))
    add('4.5.2', 'reserved opcode 11 between fragments: 1002',
        raw_fail_case(frame(OP_BINARY, b'frag', fin=False) + frame(11, b'x') + frame(OP_CONT, b'end')))


# 5.x fragmentation --------------------------------------------------------------

def frags(op, parts, rsv_first=0):
    out = b''
    for i, p in enumerate(parts):
        out += frame(op if i == 0 else OP_CONT, p, fin=(i == len(parts) - 1), rsv=rsv_first if i == 0 else 0)
    return out


def build_fragmentation():
    add('5.1', 'ping split in two fragments: 1002',
        raw_fail_case(frame(OP_PING, b'frag1', fin=False) + frame(OP_CONT, b'frag2')))
    add('5.2', 'pong split in two fragments: 1002',
        raw_fail_case(frame(OP_PONG, b'frag1', fin=False) + frame(OP_CONT, b'frag2')))

    def frag_echo(op, parts, chop=None, delay=0.0, per_frame=False, interleave=None):
        def run(c):
            whole = b''.join(parts)
            expected = []
            for i, p in enumerate(parts):
                f = frame(op if i == 0 else OP_CONT, p, fin=(i == len(parts) - 1))
                c.send_raw(f, chop=chop, delay=delay)
                if interleave is not None and i < len(parts) - 1:
                    c.send_raw(frame(interleave[0], interleave[1]), chop=chop, delay=delay)
                    if interleave[0] == OP_PING:
                        expected.append(('pong', interleave[1]))
                if per_frame:
                    time.sleep(0.005)
            expected.append((kind(op), whole))
            return finish_clean(c, expected)
        return run
    add('5.3', 'text in two fragments', frag_echo(OP_TEXT, [b'frag1', b'frag2']))
    add('5.4', 'text in two fragments, each sent separately', frag_echo(OP_TEXT, [b'frag1', b'frag2'], per_frame=True))
    add('5.5', 'text in two fragments, byte by byte', frag_echo(OP_TEXT, [b'frag1', b'frag2'], chop=1, delay=0.0005))
    add('5.6', 'text in two fragments with a ping between',
        frag_echo(OP_TEXT, [b'frag1', b'frag2'], interleave=(OP_PING, b'between')))
    add('5.7', 'same, each frame sent separately',
        frag_echo(OP_TEXT, [b'frag1', b'frag2'], interleave=(OP_PING, b'between'), per_frame=True))
    add('5.8', 'same, byte by byte',
        frag_echo(OP_TEXT, [b'frag1', b'frag2'], interleave=(OP_PING, b'between'), chop=1, delay=0.0005))
    bad_cont = frame(OP_CONT, b'cont', fin=True) + frags(OP_TEXT, [b'frag1', b'frag2'])
    add('5.9', 'continuation (FIN) without a message, then a valid fragmented text: 1002', raw_fail_case(bad_cont))
    add('5.10', 'same, frames sent separately', raw_fail_case(bad_cont, chop=len(frame(OP_CONT, b'cont'))))
    add('5.11', 'same, byte by byte', raw_fail_case(bad_cont, chop=1, delay=0.0005))
    bad_cont2 = frame(OP_CONT, b'cont', fin=False) + frags(OP_TEXT, [b'frag1', b'frag2'])
    add('5.12', 'continuation (no FIN) without a message, then text: 1002', raw_fail_case(bad_cont2))
    add('5.13', 'same, frames sent separately', raw_fail_case(bad_cont2, chop=len(frame(OP_CONT, b'cont'))))
    add('5.14', 'same, byte by byte', raw_fail_case(bad_cont2, chop=1, delay=0.0005))
    add('5.15', 'text in two fragments, then a continuation and a text FIN: echo, then 1002',
        raw_fail_case(frags(OP_TEXT, [b'fragment1', b'fragment2']) + frame(OP_CONT, b'fragment3', fin=False)
                      + frame(OP_TEXT, b'fragment4'), expected=[('text', b'fragment1fragment2')]))
    add('5.16', 'continuation, text start, continuation FIN, repeated: 1002',
        raw_fail_case((frame(OP_CONT, b'fragment1', fin=False) + frags(OP_TEXT, [b'fragment2', b'fragment3'])) * 2))
    add('5.17', 'continuation FIN, text start, continuation FIN, repeated: 1002',
        raw_fail_case((frame(OP_CONT, b'fragment1') + frags(OP_TEXT, [b'fragment2', b'fragment3'])) * 2))
    add('5.18', 'text start (no FIN), then a text FIN frame: 1002',
        raw_fail_case(frame(OP_TEXT, b'fragment1', fin=False) + frame(OP_TEXT, b'fragment2')))
    add('5.19', 'binary start, then a text start inside it: 1002',
        raw_fail_case(frame(OP_BINARY, b'a', fin=False) + frame(OP_TEXT, b'b', fin=False) + frame(OP_CONT, b'c')))

    def five_frags(per_frame, chop=None):
        def run(c):
            parts = [('fragment%d' % i).encode() for i in range(1, 6)]
            exp = []
            for i, p in enumerate(parts):
                c.send(OP_TEXT if i == 0 else OP_CONT, p, fin=(i == 4), chop=chop)
                if i in (0, 2):
                    c.send(OP_PING, ('pongme %d!' % i).encode(), chop=chop)
                    exp.append(('pong', ('pongme %d!' % i).encode()))
                if per_frame:
                    time.sleep(0.05)
            exp.append(('text', b''.join(parts)))
            return finish_clean(c, exp)
        return run
    add('5.20', 'text in 5 fragments, 2 pings between, 50 ms pauses', five_frags(True))
    add('5.21', 'same, frames sent in 3-byte chops', five_frags(True, chop=3))
    add('5.22', 'binary in 3 fragments', frag_echo(OP_BINARY, [os.urandom(100), os.urandom(70000), os.urandom(1)]))
    add('5.23', 'text in 100 fragments of 1 byte', frag_echo(OP_TEXT, [bytes([0x41 + i % 26]) for i in range(100)]))
    add('5.24', 'text in 3 empty fragments', frag_echo(OP_TEXT, [b'', b'', b'']))
    add('5.25', 'binary: empty first fragment, data, empty last', frag_echo(OP_BINARY, [b'', b'middle', b'']))
    add('5.26', 'text fragments with an unsolicited pong between (ignored)',
        frag_echo(OP_TEXT, [b'frag1', b'frag2', b'frag3'], interleave=(OP_PONG, b'unsolicited')))
    add('5.27', 'text in 1000 fragments of 64 bytes',
        frag_echo(OP_TEXT, [ascii_payload(64, i) for i in range(1000)]))

    def started_not_ended(c):
        c.send(OP_TEXT, b'never', fin=False)
        c.send(OP_CONT, b' finished', fin=False)
        return finish_clean(c, [])
    add('5.28', 'message started and never ended, then close 1000: close answered, nothing echoed', started_not_ended)

    def ten_pings_in_message(c):
        exp = []
        data = frame(OP_BINARY, b'start', fin=False)
        for i in range(10):
            p = os.urandom(125)
            data += frame(OP_PING, p) + frame(OP_CONT, bytes([i]), fin=(i == 9))
            exp.append(('pong', p))
        c.send_raw(data)
        exp.append(('binary', b'start' + bytes(range(10))))
        return finish_clean(c, exp)
    add('5.29', 'binary message with 10 interleaved 125-byte pings', ten_pings_in_message)
    add('5.30', 'text fragment, close frame, then the last fragment: close, no echo',
        close_mid_message)


def close_mid_message(c):
    c.send_raw(frame(OP_TEXT, b'frag1', fin=False) + frame(OP_CLOSE, close_payload(1000)) + frame(OP_CONT, b'frag2'))
    got, last = c.collect(WAIT)
    compare(got, [], c)
    if last[0] != 'close' or last[1] != 1000:
        raise Fail('expected close 1000, got %s' % describe(last))
    if not c.wait_tcp_close():
        raise Fail('no TCP close')
    return OK


# 6.x UTF-8 ----------------------------------------------------------------------

KOSME = 'κόσμε'.encode('utf-8')

VALID_UTF8 = [
    ('Greek kosme', KOSME),
    ('Hello-µ@ßöäüàá-UTF-8!!', 'Hello-µ@ßöäüàá-UTF-8!!'.encode('utf-8')),
    ('first 1-byte: U+0000', b'\x00'),
    ('first 2-byte: U+0080', b'\xc2\x80'),
    ('first 3-byte: U+0800', b'\xe0\xa0\x80'),
    ('first 4-byte: U+10000', b'\xf0\x90\x80\x80'),
    ('last 1-byte: U+007F', b'\x7f'),
    ('last 2-byte: U+07FF', b'\xdf\xbf'),
    ('last 3-byte: U+FFFF', b'\xef\xbf\xbf'),
    ('last 4-byte: U+10FFFF', b'\xf4\x8f\xbf\xbf'),
    ('U+D7FF (before the surrogates)', b'\xed\x9f\xbf'),
    ('U+E000 (after the surrogates)', b'\xee\x80\x80'),
    ('U+FFFD replacement character', b'\xef\xbf\xbd'),
    ('U+FEFF byte order mark', b'\xef\xbb\xbf'),
    ('noncharacter U+FFFE', b'\xef\xbf\xbe'),
    ('noncharacters U+FDD0..U+FDEF', ''.join(chr(c) for c in range(0xFDD0, 0xFDF0)).encode('utf-8')),
    ('noncharacters U+nFFFE/U+nFFFF, planes 1-16',
     ''.join(chr(p * 0x10000 + 0xFFFE) + chr(p * 0x10000 + 0xFFFF) for p in range(1, 17)).encode('utf-8')),
    ('emoji U+1F600', '😀'.encode('utf-8')),
    ('CJK and mixed scripts', '中文 русский ελληνικά עברית'.encode('utf-8')),
    ('every code point of the BMP below the surrogates, step 97',
     ''.join(chr(c) for c in range(0, 0xD800, 97)).encode('utf-8')),
    ('every code point above the surrogates, step 4099',
     ''.join(chr(c) for c in range(0xE000, 0x110000, 4099)).encode('utf-8')),
]

INVALID_UTF8 = [
    ('first 5-byte sequence', b'\xf8\x88\x80\x80\x80'),
    ('first 6-byte sequence', b'\xfc\x84\x80\x80\x80\x80'),
    ('last 5-byte sequence', b'\xfb\xbf\xbf\xbf\xbf'),
    ('last 6-byte sequence', b'\xfd\xbf\xbf\xbf\xbf\xbf'),
    ('U+110000 (above the range)', b'\xf4\x90\x80\x80'),
    ('lead F5', b'\xf5\x80\x80\x80'),
    ('lead F7, max 4-byte form', b'\xf7\xbf\xbf\xbf'),
    ('lone continuation 0x80', b'\x80'),
    ('lone continuation 0xBF', b'\xbf'),
    ('2 continuation bytes', b'\x80\xbf'),
    ('3 continuation bytes', b'\x80\xbf\x80'),
    ('4 continuation bytes', b'\x80\xbf\x80\xbf'),
    ('5 continuation bytes', b'\x80\xbf\x80\xbf\x80'),
    ('6 continuation bytes', b'\x80\xbf\x80\xbf\x80\xbf'),
    ('7 continuation bytes', b'\x80\xbf\x80\xbf\x80\xbf\x80'),
    ('all 64 continuation bytes', bytes(range(0x80, 0xC0))),
    ('all 2-byte leads followed by a space', b''.join(bytes([b, 0x20]) for b in range(0xC0, 0xE0))),
    ('all 3-byte leads followed by a space', b''.join(bytes([b, 0x20]) for b in range(0xE0, 0xF0))),
    ('all 4-byte leads followed by a space', b''.join(bytes([b, 0x20]) for b in range(0xF0, 0xF8))),
    ('all 5-byte leads followed by a space', b''.join(bytes([b, 0x20]) for b in range(0xF8, 0xFC))),
    ('all 6-byte leads followed by a space', b'\xfc\x20\xfd\x20'),
    ('2-byte sequence, last byte missing (C0)', b'\xc0'),
    ('3-byte sequence, last byte missing (E0 80)', b'\xe0\x80'),
    ('4-byte sequence, last byte missing (F0 80 80)', b'\xf0\x80\x80'),
    ('5-byte sequence, last byte missing', b'\xf8\x80\x80\x80'),
    ('6-byte sequence, last byte missing', b'\xfc\x80\x80\x80\x80'),
    ('U+07FF, last byte missing (DF)', b'\xdf'),
    ('U+FFFF, last byte missing (EF BF)', b'\xef\xbf'),
    ('max 4-byte, last byte missing (F7 BF BF)', b'\xf7\xbf\xbf'),
    ('valid lead C2 at the end of the message', b'Hello\xc2'),
    ('valid E0 A0 at the end of the message', b'Hello\xe0\xa0'),
    ('valid F0 90 80 at the end of the message', b'Hello\xf0\x90\x80'),
    ('all incomplete sequences concatenated',
     b'\xc0\xe0\x80\xf0\x80\x80\xf8\x80\x80\x80\xfc\x80\x80\x80\x80\xdf\xef\xbf\xf7\xbf\xbf'),
    ('impossible byte FE', b'\xfe'),
    ('impossible byte FF', b'\xff'),
    ('impossible bytes FE FE FF FF', b'\xfe\xfe\xff\xff'),
    ('overlong "/" in 2 bytes', b'\xc0\xaf'),
    ('overlong "/" in 3 bytes', b'\xe0\x80\xaf'),
    ('overlong "/" in 4 bytes', b'\xf0\x80\x80\xaf'),
    ('overlong "/" in 5 bytes', b'\xf8\x80\x80\x80\xaf'),
    ('overlong "/" in 6 bytes', b'\xfc\x80\x80\x80\x80\xaf'),
    ('maximum overlong 2-byte (C1 BF)', b'\xc1\xbf'),
    ('maximum overlong 3-byte (E0 9F BF)', b'\xe0\x9f\xbf'),
    ('maximum overlong 4-byte (F0 8F BF BF)', b'\xf0\x8f\xbf\xbf'),
    ('maximum overlong 5-byte', b'\xf8\x87\xbf\xbf\xbf'),
    ('maximum overlong 6-byte', b'\xfc\x83\xbf\xbf\xbf\xbf'),
    ('overlong NUL in 2 bytes (C0 80)', b'\xc0\x80'),
    ('overlong NUL in 3 bytes', b'\xe0\x80\x80'),
    ('overlong NUL in 4 bytes', b'\xf0\x80\x80\x80'),
    ('overlong NUL in 5 bytes', b'\xf8\x80\x80\x80\x80'),
    ('overlong NUL in 6 bytes', b'\xfc\x80\x80\x80\x80\x80'),
    ('surrogate U+D800', b'\xed\xa0\x80'),
    ('surrogate U+DB7F', b'\xed\xad\xbf'),
    ('surrogate U+DB80', b'\xed\xae\x80'),
    ('surrogate U+DBFF', b'\xed\xaf\xbf'),
    ('surrogate U+DC00', b'\xed\xb0\x80'),
    ('surrogate U+DF80', b'\xed\xbe\x80'),
    ('surrogate U+DFFF', b'\xed\xbf\xbf'),
    ('surrogate pair D800 DC00', b'\xed\xa0\x80\xed\xb0\x80'),
    ('surrogate pair D800 DFFF', b'\xed\xa0\x80\xed\xbf\xbf'),
    ('surrogate pair DB7F DC00', b'\xed\xad\xbf\xed\xb0\x80'),
    ('surrogate pair DB7F DFFF', b'\xed\xad\xbf\xed\xbf\xbf'),
    ('surrogate pair DB80 DC00', b'\xed\xae\x80\xed\xb0\x80'),
    ('surrogate pair DB80 DFFF', b'\xed\xae\x80\xed\xbf\xbf'),
    ('surrogate pair DBFF DC00', b'\xed\xaf\xbf\xed\xb0\x80'),
    ('surrogate pair DBFF DFFF', b'\xed\xaf\xbf\xed\xbf\xbf'),
    ('kosme, then a surrogate, then text', KOSME + b'\xed\xa0\x80edited'),
]


def build_utf8():
    add('6.1.1', 'empty text message', echo_case(OP_TEXT, b''))

    def frag_text(parts, per_frame_delay=0.0, chop=None):
        def run(c):
            for i, p in enumerate(parts):
                c.send(OP_TEXT if i == 0 else OP_CONT, p, fin=(i == len(parts) - 1), chop=chop,
                       delay=0.0002 if chop else 0.0)
                if per_frame_delay:
                    time.sleep(per_frame_delay)
            return finish_clean(c, [('text', b''.join(parts))])
        return run
    add('6.1.2', 'text of 3 empty fragments', frag_text([b'', b'', b'']))
    add('6.1.3', 'empty, "middle", empty fragments', frag_text([b'', b'middle', b'']))
    hello = 'Hello-µ@ßöäüàá-UTF-8!!'.encode('utf-8')
    add('6.2.1', 'valid UTF-8 in one frame', echo_case(OP_TEXT, hello))
    add('6.2.2', 'valid UTF-8 in 1-byte fragments (split inside characters)',
        frag_text([hello[i:i + 1] for i in range(len(hello))]))
    add('6.2.3', 'valid UTF-8 in one frame sent byte by byte', echo_case(OP_TEXT, hello, chop=1, delay=0.0005))
    add('6.2.4', 'valid UTF-8 in 1-byte fragments, 1 ms apart',
        frag_text([KOSME[i:i + 1] for i in range(len(KOSME))], per_frame_delay=0.001))
    for i in range(1, len(KOSME)):
        add('6.3.%d' % i, 'kosme split into 2 fragments at byte %d' % i, frag_text([KOSME[:i], KOSME[i:]]))
    emoji = '😀'.encode('utf-8')
    for i in range(1, 4):
        add('6.3.%d' % (len(KOSME) - 1 + i), '4-byte character split into 2 fragments at byte %d' % i,
            frag_text([b'a' + emoji[:i], emoji[i:] + b'z']))
    for i, (desc, seq) in enumerate(VALID_UTF8, 1):
        add('6.4.%d' % i, 'valid: %s' % desc, echo_case(OP_TEXT, seq))
    for i, (desc, seq) in enumerate(INVALID_UTF8, 1):
        add('6.5.%d' % i, 'invalid: %s: 1007' % desc, raw_fail_case(frame(OP_TEXT, seq), codes=(1007,)))
    # An invalid sequence split across a fragment boundary.
    split_cases = [(b'\xed\xa0\x80', 'surrogate'), (b'\xe0\x80\xaf', 'overlong'), (b'\xf4\x90\x80\x80', 'U+110000')]
    n = 0
    for seq, name in split_cases:
        for cut in range(1, len(seq)):
            n += 1
            data = frame(OP_TEXT, b'ab' + seq[:cut], fin=False) + frame(OP_CONT, seq[cut:] + b'cd')
            add('6.6.%d' % n, 'invalid %s split across 2 fragments at byte %d: 1007' % (name, cut),
                raw_fail_case(data, codes=(1007,)))
    n += 1
    add('6.6.%d' % n, 'kosme + surrogate + text in 1-byte fragments: 1007',
        raw_fail_case(frags(OP_TEXT, [bytes([b]) for b in KOSME + b'\xed\xa0\x80edited']), codes=(1007,)))
    n += 1
    add('6.6.%d' % n, 'valid fragments, then a final fragment that ends inside a character: 1007',
        raw_fail_case(frags(OP_TEXT, [KOSME, b'ok', b'\xe2\x82']), codes=(1007,)))
    n += 1
    add('6.6.%d' % n, 'text whose last fragment is an empty one after a truncated character: 1007',
        raw_fail_case(frags(OP_TEXT, [KOSME + b'\xce', b'']), codes=(1007,)))
    # Fail fast: the close must come before the rest of the message is sent.
    ff = 0

    def add_ff(desc, first, rest):
        nonlocal ff
        ff += 1
        add('6.7.%d' % ff, 'fail-fast: %s: 1007 before the rest is sent' % desc,
            lambda c, first=first, rest=rest: fail_fast(c, first, rest))
    add_ff('valid fragment, then a fragment with U+110000 (F4 90 80 80)',
           frame(OP_TEXT, KOSME, fin=False) + frame(OP_CONT, b'\xf4\x90\x80\x80', fin=False),
           frame(OP_CONT, b'edited'))
    add_ff('fragment ending in F4, next fragment 90 80 80',
           frame(OP_TEXT, KOSME + b'\xf4', fin=False) + frame(OP_CONT, b'\x90\x80\x80', fin=False),
           frame(OP_CONT, b'edited'))
    key = os.urandom(4)
    body = KOSME + b'\xf4\x90\x80\x80' + b'edited' * 10
    whole = frame(OP_TEXT, body, key=key)
    at = len(whole) - len(body) + len(KOSME)
    add_ff('one frame: valid part, then F4 90 80 80, the rest of its payload withheld',
           whole[:at + 4], whole[at + 4:])
    add_ff('one frame: valid part, then F4 90 (already invalid), rest withheld',
           whole[:at + 2], whole[at + 2:])
    big = b'\xc0' + b'a' * (1024 * 1024 - 1)
    bigf = frame(OP_TEXT, big)
    hl = len(bigf) - len(big)
    add_ff('1 MiB text frame whose first byte is C0: only 64 bytes sent', bigf[:hl + 64], bigf[hl + 64:])
    sur = frame(OP_TEXT, b'x' * 100 + b'\xed\xa0\x80' + b'y' * 5000)
    add_ff('surrogate ED A0 inside a frame, rest withheld', sur[:len(sur) - 5000 - 1], sur[len(sur) - 5000 - 1:])
    add_ff('overlong C1 in the first fragment of a message',
           frame(OP_TEXT, b'abc\xc1\xbf', fin=False), frame(OP_CONT, b'end'))
    add_ff('FF in the 3rd fragment',
           frame(OP_TEXT, b'one ', fin=False) + frame(OP_CONT, b'two ', fin=False) + frame(OP_CONT, b'\xff', fin=False),
           frame(OP_CONT, b'end'))


# 7.x close handling -------------------------------------------------------------

def build_close():
    add('7.1.1', 'echo, then close 1000', lambda c: (c.send(OP_TEXT, b'Hello'), finish_clean(c, [('text', b'Hello')]))[1])

    def close_then(extra, desc):
        def run(c):
            c.send_raw(frame(OP_CLOSE, close_payload(1000)) + extra)
            got, last = c.collect(WAIT)
            compare(got, [], c)
            if last[0] != 'close' or last[1] != 1000:
                raise Fail('expected close 1000 and nothing else (%s ignored), got %s' % (desc, describe(last)))
            if not c.wait_tcp_close():
                raise Fail('no TCP close')
            return OK
        return run
    add('7.1.2', 'close 1000 sent twice: one close answered', close_then(frame(OP_CLOSE, close_payload(1000)), 'second close'))
    add('7.1.3', 'close, then a ping: no pong', close_then(frame(OP_PING, b'after close'), 'ping'))
    add('7.1.4', 'close, then a text message: no echo', close_then(frame(OP_TEXT, b'after close'), 'text'))
    add('7.1.5', 'text fragment, close, continuation: close, no echo', close_mid_message)
    add('7.1.6', 'close, then invalid bytes (reserved opcode, unmasked): ignored, clean close',
        close_then(frame(5, b'x') + frame(OP_TEXT, b'y', mask=False) + b'\xff' * 20, 'garbage'))
    add('7.1.7', 'close, then a 64 KiB text: ignored', close_then(frame(OP_TEXT, ascii_payload(65536)), 'text'))

    def big_then_close(c):
        p = ascii_payload(256 * 1024)
        c.send_raw(frame(OP_TEXT, p) + frame(OP_CLOSE, close_payload(1000)))
        got, last = c.collect(WAIT)
        if got:
            compare(got, [('text', p)], c)
        if last[0] != 'close' or last[1] != 1000:
            raise Fail('expected close 1000, got %s' % describe(last))
        if not c.wait_tcp_close():
            raise Fail('no TCP close')
        return OK
    add('7.1.8', '256 KiB text immediately followed by close', big_then_close)

    add('7.2.1', 'close with an empty payload: answered with an empty close (or 1000)',
        lambda c: finish_clean(c, [], code=None))
    add('7.2.2', 'close with a 1-byte payload: 1002', raw_fail_case(frame(OP_CLOSE, b'\x03')))
    add('7.2.3', 'close 1000 without a reason', lambda c: finish_clean(c, [], code=1000))
    add('7.2.4', 'close 1000 with a reason', lambda c: finish_clean(c, [], code=1000, reason=b'Hello World!'))
    for i, n in enumerate([1, 50, 122, 123], 5):
        add('7.2.%d' % i, 'close 1000 with a %d-byte reason' % n,
            lambda c, n=n: finish_clean(c, [], code=1000, reason=ascii_payload(n)))
    add('7.2.9', 'close 1000 with a 124-byte reason (payload 126): 1002',
        raw_fail_case(frame(OP_CLOSE, close_payload(1000, ascii_payload(124)))))
    add('7.2.10', 'close 1000 with a 123-byte UTF-8 reason of 2-byte characters',
        lambda c: finish_clean(c, [], code=1000, reason=utf8_cut(('µ' * 70).encode('utf-8'), 123)))
    add('7.3.1', 'close reason not UTF-8 (surrogate): 1007',
        raw_fail_case(frame(OP_CLOSE, close_payload(1000, KOSME + b'\xed\xa0\x80edited')), codes=(1007,)))
    add('7.3.2', 'close reason ending inside a character: 1007',
        raw_fail_case(frame(OP_CLOSE, close_payload(1000, b'bye \xe2\x82')), codes=(1007,)))
    add('7.3.3', 'close reason with an overlong NUL: 1007',
        raw_fail_case(frame(OP_CLOSE, close_payload(1000, b'\xc0\x80')), codes=(1007,)))
    add('7.3.4', 'close reason: valid UTF-8 (kosme)', lambda c: finish_clean(c, [], code=1000, reason=KOSME))
    valid_codes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                   3000, 3001, 3500, 3999, 4000, 4001, 4500, 4999]
    for i, code in enumerate(valid_codes, 1):
        add('7.7.%d' % i, 'close with valid code %d: echoed' % code,
            lambda c, code=code: finish_clean(c, [], code=code, reason=b'code %d' % code))
    invalid_codes = [0, 1, 500, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 6000,
                     32768, 65535]
    for i, code in enumerate(invalid_codes, 1):
        add('7.9.%d' % i, 'close with invalid code %d: 1002' % code,
            raw_fail_case(frame(OP_CLOSE, close_payload(code))))
    add('7.9.%d' % (len(invalid_codes) + 1), 'close 1005 with a reason: 1002',
        raw_fail_case(frame(OP_CLOSE, close_payload(1005, b'no status'))))
    add('7.9.%d' % (len(invalid_codes) + 2), 'valid echo, then close 1006: echo, then 1002',
        raw_fail_case(frame(OP_CLOSE, close_payload(1006)), before=frame(OP_TEXT, b'hi'), expected=[('text', b'hi')]))
    add('7.9.%d' % (len(invalid_codes) + 3), 'close with invalid code 1004, byte by byte: 1002',
        raw_fail_case(frame(OP_CLOSE, close_payload(1004)), chop=1, delay=0.0005))

    def close_chopped(c):
        c.send_raw(frame(OP_CLOSE, close_payload(4000, b'chopped close')), chop=1, delay=0.0005)
        got, last = c.collect(WAIT)
        compare(got, [], c)
        if last[0] != 'close' or last[1] not in (4000, 1000):
            raise Fail('expected close 4000, got %s' % describe(last))
        if not c.wait_tcp_close():
            raise Fail('no TCP close')
        return OK
    add('7.13.1', 'close 4000 with a reason, sent byte by byte', close_chopped)


# 9.x large messages ---------------------------------------------------------------

def build_large():
    MiB = 1024 * 1024
    for i, n in enumerate([64 * 1024, 256 * 1024, MiB, 4 * MiB], 1):
        add('9.1.%d' % i, 'text message of %d KiB' % (n // 1024), echo_case(OP_TEXT, text_payload(n), timeout=20))
    for i, n in enumerate([64 * 1024, 256 * 1024, MiB, 4 * MiB], 1):
        add('9.2.%d' % i, 'binary message of %d KiB' % (n // 1024),
            lambda c, n=n: echo_case(OP_BINARY, os.urandom(n), timeout=30)(c))

    def big_ping_close(n):
        # The message, a ping and our close in one write: the server must echo, answer
        # the ping and the close, whatever its output buffer holds at that moment
        # (RFC 6455 5.5.2, 5.5.1); socket_buffer_size limits pushes, not protocol replies.
        def run(c):
            p = os.urandom(n)
            c.expect_max = n
            c.send_raw(frame(OP_BINARY, p) + frame(OP_PING, b'after big') + frame(OP_CLOSE, close_payload(1000)))
            got, last = c.collect(30)
            try:
                compare(got, [('binary', p), ('pong', b'after big')], c)
            except Fail as e:
                raise Fail('%s; then %s' % (e, describe(last)))
            if last[0] != 'close' or last[1] != 1000:
                raise Fail('expected close 1000 after the echo and the pong, got %s' % describe(last))
            if not c.wait_tcp_close():
                raise Fail('no TCP close')
            return OK
        return run
    add('9.2.5', 'binary 4 MiB, a ping and close 1000 in one write: echo, pong, close', big_ping_close(4 * MiB))
    add('9.2.6', 'binary 16 MiB, a ping and close 1000 in one write: echo, pong, close', big_ping_close(16 * MiB))

    def fragmented(op, total, size):
        def run(c):
            p = text_payload(total) if op == OP_TEXT else os.urandom(total)
            parts = [p[i:i + size] for i in range(0, total, size)]
            c.send_raw(frags(op, parts))
            return finish_clean(c, [(kind(op), p)], timeout=20)
        return run
    sizes = [64, 256, 1024, 4096, 16384, 65536, 256 * 1024, MiB]
    for i, s in enumerate(sizes, 1):
        add('9.3.%d' % i, 'text 1 MiB in fragments of %d bytes' % s, fragmented(OP_TEXT, MiB, s))
    for i, s in enumerate(sizes, 1):
        add('9.4.%d' % i, 'binary 1 MiB in fragments of %d bytes' % s, fragmented(OP_BINARY, MiB, s))
    for i, s in enumerate([64, 256, 1024, 4096], 1):
        add('9.5.%d' % i, 'text 512 KiB in one frame, sent in %d-byte chops' % s,
            echo_case(OP_TEXT, text_payload(MiB // 2), chop=s, timeout=20))

    def round_trips(op, n, size):
        def run(c):
            for i in range(n):
                p = ascii_payload(size, i) if op == OP_TEXT else os.urandom(size)
                c.send(op, p)
                got, last = c.collect(WAIT, until_count=1)
                compare(got, [(kind(op), p)], c)
            return finish_clean(c, [])
        return run

    def pipelined(op, n, size):
        def run(c):
            msgs = [ascii_payload(size, i) if op == OP_TEXT else os.urandom(size) for i in range(n)]
            c.send_raw(b''.join(frame(op, p) for p in msgs))
            return finish_clean(c, [(kind(op), p) for p in msgs], timeout=20)
        return run
    add('9.7.1', '500 text round trips of 16 bytes', round_trips(OP_TEXT, 500, 16))
    add('9.7.2', '1000 pipelined text messages of 64 bytes', pipelined(OP_TEXT, 1000, 64))
    add('9.7.3', '1000 pipelined text messages of 4 KiB', pipelined(OP_TEXT, 1000, 4096))
    add('9.8.1', '500 binary round trips of 16 bytes', round_trips(OP_BINARY, 500, 16))
    add('9.8.2', '1000 pipelined binary messages of 64 bytes', pipelined(OP_BINARY, 1000, 64))
    add('9.8.3', '1000 pipelined binary messages of 4 KiB', pipelined(OP_BINARY, 1000, 4096))


# 12.x / 13.x permessage-deflate -------------------------------------------------------

def deflate_exchange(messages, timeout=WAIT):
    """Sends each (op, payload) compressed, expects each echoed (and inflating right)."""
    def run(c):
        if c.deflate is None:
            raise Fail('permessage-deflate not negotiated (answer %r)' % c.ext_answer)
        c.expect_max = max([len(p) for _, p in messages] + [0])
        for op, p in messages:
            c.send_message(op, p)
        return finish_clean(c, [(kind(op), p) for op, p in messages], timeout=timeout)
    return run


def build_deflate_messages():
    pmd = 'permessage-deflate'
    sizes = [16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072]
    for i, n in enumerate(sizes, 1):
        add('12.1.%d' % i, '10 compressible text messages of %d bytes' % n,
            deflate_exchange([(OP_TEXT, text_payload(n, k)) for k in range(10)]), offer=pmd)
    for i, n in enumerate(sizes, 1):
        add('12.2.%d' % i, '10 random binary messages of %d bytes' % n,
            lambda c, n=n: deflate_exchange([(OP_BINARY, os.urandom(n)) for _ in range(10)])(c), offer=pmd)
    nct = 'permessage-deflate; client_no_context_takeover; server_no_context_takeover'
    for i, n in enumerate([64, 4096, 65536], 1):
        add('12.3.%d' % i, '10 text messages of %d bytes, no context takeover both ways' % n,
            deflate_exchange([(OP_TEXT, text_payload(n, k)) for k in range(10)]), offer=nct)

    def same_twice(c):
        p = text_payload(30000, 7)
        return deflate_exchange([(OP_TEXT, p)] * 5)(c)
    add('12.3.4', 'the same 30000-byte text 5 times (back references into earlier messages)', same_twice, offer=pmd)

    def fragmented_compressed(split, ping=False, chop=None, op=OP_TEXT, size=20000):
        def run(c):
            if c.deflate is None:
                raise Fail('permessage-deflate not negotiated')
            p = text_payload(size, 3) if op == OP_TEXT else os.urandom(size)
            comp = c.deflate.compress(p)
            step = max(1, len(comp) // split + 1)
            parts = [comp[i:i + step] for i in range(0, len(comp), step)] or [b'']
            exp = []
            data = b''
            for i, part in enumerate(parts):
                data += frame(op if i == 0 else OP_CONT, part, fin=(i == len(parts) - 1),
                              rsv=RSV1 if i == 0 else 0)
                if ping and i == 0:
                    data += frame(OP_PING, b'between compressed fragments')
                    exp.append(('pong', b'between compressed fragments'))
            c.send_raw(data, chop=chop, delay=0.0002 if chop else 0.0)
            exp.append((kind(op), p))
            return finish_clean(c, exp)
        return run
    add('12.4.1', 'compressed text in 2 fragments', fragmented_compressed(2), offer=pmd)
    add('12.4.2', 'compressed text in 10 fragments', fragmented_compressed(10), offer=pmd)
    add('12.4.3', 'compressed binary in 50 fragments', fragmented_compressed(50, op=OP_BINARY), offer=pmd)
    add('12.4.4', 'compressed text in 3 fragments, a ping after the first',
        fragmented_compressed(3, ping=True), offer=pmd)
    add('12.4.5', 'compressed text (300 bytes) in 4 fragments, byte by byte',
        fragmented_compressed(4, chop=1, size=300), offer=pmd)
    add('12.4.6', 'compressed text, fragments of 1 byte each',
        fragmented_compressed(10 ** 6, size=2000), offer=pmd)

    def special(kind_):
        def run(c):
            if c.deflate is None:
                raise Fail('permessage-deflate not negotiated')
            p = text_payload(5000, 9)
            if kind_ == 'plain':
                c.send(OP_TEXT, p)
                return finish_clean(c, [('text', p)])
            if kind_ == 'empty':
                c.send(OP_TEXT, b'', rsv=RSV1)
                c.send(OP_BINARY, b'\x00', rsv=RSV1)  # an empty stored block, tail stripped
                return finish_clean(c, [('text', b''), ('binary', b'')])
            if kind_ == 'bfinal':
                c.send(OP_TEXT, c.deflate.compress(p, final_block=True), rsv=RSV1)
                c.send(OP_TEXT, c.deflate.compress(p[:100], final_block=True), rsv=RSV1)
                return finish_clean(c, [('text', p), ('text', p[:100])])
            if kind_ == 'stored':
                c.send(OP_BINARY, c.deflate.compress(p, level=0), rsv=RSV1)
                return finish_clean(c, [('binary', p)])
            if kind_ == 'mixed':
                q = os.urandom(3000)
                c.send_message(OP_TEXT, p)
                c.send(OP_BINARY, q)
                c.send_message(OP_TEXT, p)
                return finish_clean(c, [('text', p), ('binary', q), ('text', p)])
            raise Fail('internal: unknown kind')
        return run
    add('12.5.1', 'uncompressed message on a deflate connection (RSV1 clear)', special('plain'), offer=pmd)
    add('12.5.2', 'empty compressed messages (empty payload, and one empty stored block)',
        special('empty'), offer=pmd)
    add('12.5.3', 'messages ending in a BFINAL block (RFC 7692 7.2.3.4), no context takeover',
        special('bfinal'), offer='permessage-deflate; client_no_context_takeover')
    add('12.5.4', 'message compressed as stored (level 0) blocks', special('stored'), offer=pmd)
    add('12.5.5', 'compressed, uncompressed, compressed with context takeover', special('mixed'), offer=pmd)
    MiB = 1024 * 1024
    add('12.6.1', 'compressible text of 4 MiB', deflate_exchange([(OP_TEXT, text_payload(4 * MiB))], 20), offer=pmd)
    add('12.6.2', 'random binary of 1 MiB',
        lambda c: deflate_exchange([(OP_BINARY, os.urandom(MiB))], 20)(c), offer=pmd)
    add('12.6.3', 'compressible text of 16 MiB', deflate_exchange([(OP_TEXT, text_payload(16 * MiB))], 30), offer=pmd)

    def bad(kind_):
        def run(c):
            if c.deflate is None:
                raise Fail('permessage-deflate not negotiated')
            if kind_ == 'corrupt':
                c.send(OP_BINARY, b'\xff\xff\xff\xff\xff\xff', rsv=RSV1)
                return finish_fail(c, [], (1007, 1002), what='a corrupt deflate stream')
            if kind_ == 'utf8':
                c.send(OP_TEXT, c.deflate.compress(KOSME + b'\xed\xa0\x80edited'), rsv=RSV1)
                return finish_fail(c, [], (1007,), what='compressed invalid UTF-8')
            if kind_ == 'bomb':
                comp = zlib.compressobj(9, zlib.DEFLATED, -15)
                payload = b''
                chunk = bytes(MiB)
                for _ in range(65):
                    payload += comp.compress(chunk)
                payload += comp.flush(zlib.Z_SYNC_FLUSH)
                c.send(OP_BINARY, payload[:-4], rsv=RSV1)
                return finish_fail(c, [], (1009,), timeout=10, what='65 MiB inflated')
            if kind_ == 'failfast':
                comp = zlib.compressobj(6, zlib.DEFLATED, -15)
                first = comp.compress(b'valid start ' + b'\xc0\xaf' + b'x' * 100) + comp.flush(zlib.Z_SYNC_FLUSH)
                rest = comp.compress(b'the rest') + comp.flush(zlib.Z_SYNC_FLUSH)
                return fail_fast(c, frame(OP_TEXT, first, fin=False, rsv=RSV1), frame(OP_CONT, rest[:-4]),
                                 what='compressed invalid UTF-8 in the first fragment')
            if kind_ == 'cont_rsv1':
                comp = c.deflate.compress(text_payload(1000))
                c.send_raw(frame(OP_TEXT, comp[:10], fin=False, rsv=RSV1) + frame(OP_CONT, comp[10:], rsv=RSV1))
                return finish_fail(c, [], (1002,))
            raise Fail('internal')
        return run
    add('12.7.1', 'corrupt deflate data: 1007 (1002 accepted)', bad('corrupt'), offer=pmd)
    add('12.7.2', 'compressed text that inflates to invalid UTF-8: 1007', bad('utf8'), offer=pmd)
    add('12.7.3', 'compression bomb: 65 MiB of zeros in ~65 KiB (limit 64 MiB): 1009', bad('bomb'), offer=pmd)
    add('12.7.4', 'fail-fast: compressed first fragment with invalid UTF-8: 1007 before the rest',
        bad('failfast'), offer=pmd)
    add('12.7.5', 'RSV1 on the continuation of a compressed message: 1002', bad('cont_rsv1'), offer=pmd)


def build_deflate_negotiation():
    base = 'permessage-deflate'
    offers = [
        base,
        base + '; client_max_window_bits',
        base + '; server_no_context_takeover',
        base + '; client_no_context_takeover',
        base + '; server_no_context_takeover; client_no_context_takeover',
    ]
    offers += [base + '; server_max_window_bits=%d' % n for n in range(9, 16)]
    offers += [base + '; client_max_window_bits=%d' % n for n in range(8, 16)]
    for s in (9, 12, 15):
        for cb in (8, 11, 15):
            for snct, cnct in ((False, False), (True, True)):
                o = base + '; server_max_window_bits=%d; client_max_window_bits=%d' % (s, cb)
                if snct:
                    o += '; server_no_context_takeover'
                if cnct:
                    o += '; client_no_context_takeover'
                offers.append(o)
    offers += [
        base + '; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits',
        base + '; server_max_window_bits=8, ' + base,      # 8 cannot be honoured by zlib: fallback
        base + '; server_max_window_bits=8; client_max_window_bits=8, ' + base + '; client_max_window_bits=8',
        'x-webkit-deflate-frame, ' + base + '; client_max_window_bits',
        base + '; client_max_window_bits="10"',
        base + '; foo=1, ' + base + '; server_no_context_takeover',
        base + ' ; server_max_window_bits = 11',
    ]

    def messages():
        return [(OP_TEXT, text_payload(64, 1)), (OP_TEXT, text_payload(4096, 2)), (OP_BINARY, os.urandom(2000)),
                (OP_TEXT, text_payload(70000, 3)), (OP_TEXT, text_payload(64, 1)), (OP_TEXT, text_payload(4096, 2)),
                (OP_BINARY, bytes(5000)), (OP_TEXT, text_payload(70000, 3))]
    for i, o in enumerate(offers, 1):
        add('13.1.%d' % i, 'offer "%s": valid answer, messages both ways' % o,
            lambda c: deflate_exchange(messages())(c), offer=o)
    invalid = [
        base + '; foo',
        base + '; server_no_context_takeover; server_no_context_takeover',
        base + '; server_max_window_bits',
        base + '; server_max_window_bits=7',
        base + '; server_max_window_bits=16',
        base + '; server_max_window_bits=08',
        base + '; client_max_window_bits=abc',
        base + '; client_no_context_takeover=1',
        'x-unknown-extension',
    ]

    def declined(c):
        if c.deflate is not None or c.ext_answer is not None:
            raise Fail('offer should have been declined, answer %r' % c.ext_answer)
        p = text_payload(3000)
        c.send(OP_TEXT, p)
        return finish_clean(c, [('text', p)])
    for i, o in enumerate(invalid, 1):
        add('13.2.%d' % i, 'offer "%s" must be declined; plain echo after' % o, declined, offer=o)

    def either(c):
        if c.deflate is None:
            return declined(c)
        return deflate_exchange(messages())(c)
    add('13.3.1', 'offer "%s; server_max_window_bits=8": declined, or answered with 8' % base, either,
        offer=base + '; server_max_window_bits=8')
    add('13.3.2', 'offer "%s; client_max_window_bits=8; client_no_context_takeover"' % base, either,
        offer=base + '; client_max_window_bits=8; client_no_context_takeover')


def build_deflate_matrix():
    # Every combination of the offer's parameters: for each server_max_window_bits (absent,
    # 9..15), every client_max_window_bits (absent, without value, 8..15) with every
    # context takeover pair, one connection each; the case reports the first failure.
    base = 'permessage-deflate'
    cbits_opts = [None, True] + list(range(8, 16))
    nct_opts = [(False, False), (True, False), (False, True), (True, True)]

    def matrix(sbits):
        def run(c):
            combos = 0
            for cb in cbits_opts:
                for snct, cnct in nct_opts:
                    o = base
                    if sbits is not None:
                        o += '; server_max_window_bits=%d' % sbits
                    if cb is True:
                        o += '; client_max_window_bits'
                    elif cb is not None:
                        o += '; client_max_window_bits=%d' % cb
                    if snct:
                        o += '; server_no_context_takeover'
                    if cnct:
                        o += '; client_no_context_takeover'
                    sub = Conn(c.port)
                    try:
                        sub.handshake(o)
                        p = text_payload(3000, combos)
                        deflate_exchange([(OP_TEXT, p), (OP_BINARY, os.urandom(500)), (OP_TEXT, p)])(sub)
                    except (Fail, NonStrict) as e:
                        raise type(e)('offer "%s" (answer %r): %s' % (o, sub.ext_answer, e))
                    finally:
                        sub.close()
                    combos += 1
            return finish_clean(c, [])
        return run
    for i, sb in enumerate([None] + list(range(9, 16)), 1):
        add('13.4.%d' % i, 'server_max_window_bits=%s with all %d client_max_window_bits x context takeover offers'
            % ('absent' if sb is None else sb, len(cbits_opts) * len(nct_opts)), matrix(sb))


def build_all():
    build_framing()
    build_ping()
    build_rsv()
    build_opcodes()
    build_fragmentation()
    build_utf8()
    build_close()
    build_large()
    build_deflate_messages()
    build_deflate_negotiation()
    build_deflate_matrix()


# ---------------------------------------------------------------- runner

def run_case(port, case):
    cid, group, desc, fn, offer = case
    c = None
    try:
        c = Conn(port)
        c.handshake(offer)
        verdict = fn(c)
        return (verdict or OK), ''
    except Fail as e:
        return FAILED, str(e)
    except NonStrict as e:
        return NON_STRICT, str(e)
    except (OSError, ValueError, struct.error) as e:
        return FAILED, 'client error: %r' % (e,)
    finally:
        if c is not None:
            c.close()


def main(argv):
    args = list(argv[1:])
    verbose = '-v' in args
    times = '--times' in args
    only = None
    skip = []
    tls = False
    budget = 100.0
    port = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == '--only' and i + 1 < len(args):
            only = args[i + 1].split(',')
            i += 1
        elif a == '--skip' and i + 1 < len(args):
            skip = args[i + 1].split(',')
            i += 1
        elif a == '--budget' and i + 1 < len(args):
            budget = float(args[i + 1])
            i += 1
        elif a.isdigit():
            port = int(a)
        elif a == '--tls':
            tls = True
        elif a not in ('-v', '--times'):
            print('unknown argument %r' % a)
            return 2
        i += 1
    build_all()
    if port is None:
        print(__doc__)
        return 2
    if tls:
        global TLS_CTX
        TLS_CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        TLS_CTX.check_hostname = False
        TLS_CTX.verify_mode = ssl.CERT_NONE
    seen = set()
    for case in CASES:
        if case[0] in seen:
            print('internal: duplicate case id %s' % case[0])
            return 2
        seen.add(case[0])
    def matches(cid, prefixes):
        return any(cid == p or cid.startswith(p + '.') for p in prefixes)
    cases = [c for c in CASES if (only is None or matches(c[0], only)) and not matches(c[0], skip)]
    start = time.monotonic()
    results = []
    for case in cases:
        t0 = time.monotonic()
        if t0 - start > budget:
            verdict, reason = FAILED, 'not run: suite time budget of %.0f s exhausted' % budget
        else:
            verdict, reason = run_case(port, case)
        dt = time.monotonic() - t0
        results.append((case, verdict, reason, dt))
        if verbose:
            print('%-10s %-10s %6.3fs %s%s' % (case[0], verdict, dt, case[2], (': ' + reason) if reason else ''),
                  flush=True)
    order = []
    for case in cases:
        if case[1] not in order:
            order.append(case[1])
    totals = {OK: 0, NON_STRICT: 0, FAILED: 0}
    for g in order:
        rs = [r for r in results if r[0][1] == g]
        cnt = {OK: 0, NON_STRICT: 0, FAILED: 0}
        for r in rs:
            cnt[r[1]] += 1
            totals[r[1]] += 1
        line = '%s.x %s: %d cases, %d OK, %d NON-STRICT, %d FAILED' % (
            g, GROUPS.get(g, '?'), len(rs), cnt[OK], cnt[NON_STRICT], cnt[FAILED])
        if times:
            line += ' (%.1f s)' % sum(r[3] for r in rs)
        print(line)
    line = 'total: %d cases, %d OK, %d NON-STRICT, %d FAILED' % (
        len(results), totals[OK], totals[NON_STRICT], totals[FAILED])
    if times:
        line += ' (%.1f s)' % (time.monotonic() - start)
    print(line)
    for case, verdict, reason, dt in results:
        if verdict != OK:
            print('%s %s (%s): %s' % (verdict, case[0], case[2], reason))
    sys.stdout.flush()
    return 1 if totals[FAILED] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
