#!/usr/bin/python3
"""Many concurrent WebSocket connections against the wsserver test server (127.0.0.1 only).

    many_clients.py PORT N [BATCH]

Opens N connections in batches of BATCH (asyncio.gather per batch; every connection stays
open), each sends one masked text message and checks the echo; once all N are open, every
connection sends a close frame 1000, waits for the server's close frame, waits (briefly)
for the server to close TCP, and closes its socket. Python 3 standard library only: the
handshake and the framing are done here, on raw non-blocking sockets, to keep the cost of
one connection low. Every socket operation has a deadline, and the whole run is bounded
by an overall timeout. Prints a deterministic summary:

    opened N    (handshake answered with 101 and the right Sec-WebSocket-Accept)
    echoed N    (the text message came back unchanged)
    closed N    (the server answered the close frame with code 1000)

and, on any failure, "FAIL ..." lines (counts per phase and reason, first examples) and a
non-zero exit status. Our own code.
"""

import asyncio
import base64
import collections
import hashlib
import os
import resource
import socket
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_TIMEOUT = 8.0       # one handshake / echo / close exchange
EOF_TIMEOUT = 3.0       # server closing TCP after its close frame (not counted as a failure)
OVERALL_TIMEOUT = float(os.environ.get("MANY_CLIENTS_TIMEOUT", "45"))


class Failure(Exception):
    pass


def raise_nofile(n_needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, n_needed + 256)
    if soft == resource.RLIM_INFINITY or soft >= want:
        return soft
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


def mask_frame(opcode, payload):
    """A final client frame (masked, as RFC 6455 requires); payloads < 64 KiB here."""
    key = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    else:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    masked = bytes(b ^ key[i & 3] for i, b in enumerate(payload))
    return head + key + masked


class Conn:
    __slots__ = ("idx", "sock", "buf")

    def __init__(self, idx):
        self.idx = idx
        self.sock = None
        self.buf = b""


async def recv_some(loop, c, deadline):
    left = deadline - loop.time()
    if left <= 0:
        raise Failure("timeout")
    try:
        d = await asyncio.wait_for(loop.sock_recv(c.sock, 65536), left)
    except asyncio.TimeoutError:
        raise Failure("timeout")
    except OSError as e:
        raise Failure("recv error %s" % (e.__class__.__name__,))
    if not d:
        raise Failure("eof")
    c.buf += d


async def read_frame(loop, c, deadline):
    """(opcode, payload) of the next server frame; server frames must not be masked."""
    while True:
        b = c.buf
        if len(b) >= 2:
            if b[1] & 0x80:
                raise Failure("masked server frame")
            n = b[1] & 0x7F
            pos = 2
            if n == 126:
                if len(b) >= 4:
                    n = struct.unpack_from("!H", b, 2)[0]
                    pos = 4
                else:
                    n = None
            elif n == 127:
                if len(b) >= 10:
                    n = struct.unpack_from("!Q", b, 2)[0]
                    pos = 10
                else:
                    n = None
            if n is not None and len(b) >= pos + n:
                c.buf = b[pos + n:]
                return b[0] & 0x0F, b[pos:pos + n]
        await recv_some(loop, c, deadline)


async def sendall(loop, c, data, deadline):
    left = deadline - loop.time()
    try:
        await asyncio.wait_for(loop.sock_sendall(c.sock, data), max(left, 0.001))
    except asyncio.TimeoutError:
        raise Failure("send timeout")
    except OSError as e:
        raise Failure("send error %s" % (e.__class__.__name__,))


async def open_and_echo(loop, port, c, stats):
    deadline = loop.time() + OP_TIMEOUT
    phase = "connect"
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.sock = s
        s.setblocking(False)
        try:
            await asyncio.wait_for(loop.sock_connect(s, ("127.0.0.1", port)), OP_TIMEOUT)
        except asyncio.TimeoutError:
            raise Failure("timeout")
        except OSError as e:
            raise Failure("error %s" % (e.__class__.__name__,))
        phase = "handshake"
        key = base64.b64encode(os.urandom(16))
        req = (b"GET /c" + str(c.idx).encode() + b" HTTP/1.1\r\nHost: 127.0.0.1:" + str(port).encode()
               + b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
               + b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
        await sendall(loop, c, req, deadline)
        while b"\r\n\r\n" not in c.buf:
            if len(c.buf) > 16384:
                raise Failure("response head too long")
            await recv_some(loop, c, deadline)
        head, c.buf = c.buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        if not lines[0].startswith(b"HTTP/1.1 101"):
            raise Failure("status %r" % (lines[0][:40],))
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        got = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"sec-websocket-accept":
                got = value.strip()
        if got != accept:
            raise Failure("bad Sec-WebSocket-Accept")
        stats["opened"] += 1
        phase = "echo"
        msg = b"hello " + str(c.idx).encode()
        await sendall(loop, c, mask_frame(1, msg), deadline)
        op, payload = await read_frame(loop, c, deadline)
        if op != 1 or payload != msg:
            raise Failure("got opcode %d payload %r" % (op, payload[:40]))
        stats["echoed"] += 1
        return True
    except Failure as e:
        stats["fail"][(phase, str(e))].append(c.idx)
        return False
    except Exception as e:  # noqa: BLE001 - any surprise is a failure of this connection
        stats["fail"][(phase, "exception %s" % (e.__class__.__name__,))].append(c.idx)
        return False


async def close_one(loop, c, stats):
    deadline = loop.time() + OP_TIMEOUT
    try:
        await sendall(loop, c, mask_frame(8, struct.pack("!H", 1000)), deadline)
        while True:
            op, payload = await read_frame(loop, c, deadline)
            if op == 8:
                break
            if op in (1, 2, 0):
                raise Failure("data frame before the close frame")
        if len(payload) < 2 or struct.unpack("!H", payload[:2])[0] != 1000:
            raise Failure("close frame %r" % (payload[:40],))
        stats["closed"] += 1
        # The server closes TCP after its close frame; wait a little for that EOF.
        eof_deadline = loop.time() + EOF_TIMEOUT
        try:
            while True:
                c.buf = b""
                await recv_some(loop, c, eof_deadline)
        except Failure as e:
            if str(e) != "eof":
                stats["no_eof"] += 1
    except Failure as e:
        stats["fail"][("close", str(e))].append(c.idx)
    except Exception as e:  # noqa: BLE001
        stats["fail"][("close", "exception %s" % (e.__class__.__name__,))].append(c.idx)


def close_socket(c):
    if c.sock is not None:
        try:
            c.sock.close()
        except OSError:
            pass
        c.sock = None


async def run(port, n, batch, stats):
    loop = asyncio.get_running_loop()
    conns = [Conn(i) for i in range(n)]
    ok = []
    t0 = time.monotonic()
    for start in range(0, n, batch):
        part = conns[start:start + batch]
        results = await asyncio.gather(*(open_and_echo(loop, port, c, stats) for c in part))
        for c, r in zip(part, results):
            if r:
                ok.append(c)
            else:
                close_socket(c)
    stats["t_open"] = time.monotonic() - t0
    t1 = time.monotonic()
    for start in range(0, len(ok), batch * 4):
        await asyncio.gather(*(close_one(loop, c, stats) for c in ok[start:start + batch * 4]))
    for c in conns:
        close_socket(c)
    stats["t_close"] = time.monotonic() - t1


def main():
    if len(sys.argv) < 3:
        print("usage: many_clients.py PORT N [BATCH]")
        return 2
    port = int(sys.argv[1])
    n = int(sys.argv[2])
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    limit = raise_nofile(n)
    if limit != resource.RLIM_INFINITY and limit < n + 64:
        print("FAIL RLIMIT_NOFILE %d is too low for %d connections" % (limit, n))
        return 1
    stats = {"opened": 0, "echoed": 0, "closed": 0, "no_eof": 0,
             "fail": collections.defaultdict(list)}
    timed_out = False
    try:
        asyncio.run(asyncio.wait_for(run(port, n, batch, stats), OVERALL_TIMEOUT))
    except asyncio.TimeoutError:
        timed_out = True
    print("opened %d" % stats["opened"])
    print("echoed %d" % stats["echoed"])
    print("closed %d" % stats["closed"])
    # Timings and the TCP-close detail go to stderr: not part of the deterministic output.
    sys.stderr.write("open+echo %.2fs, close %.2fs, server did not close TCP within %.0fs: %d\n"
                     % (stats.get("t_open", -1), stats.get("t_close", -1), EOF_TIMEOUT, stats["no_eof"]))
    failed = timed_out or stats["fail"] or not (stats["opened"] == stats["echoed"] == stats["closed"] == n)
    if timed_out:
        print("FAIL overall timeout %.0fs" % OVERALL_TIMEOUT)
    for (phase, why), idx in sorted(stats["fail"].items()):
        print("FAIL %s: %s: %d connections (first: %s)" % (phase, why, len(idx), idx[:5]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
