#!/usr/bin/python3
"""Interop client for tests/interop/python.phpt: Python's `websockets` (Debian's
python3-websockets, 10.x, legacy asyncio client) against a wsserver child.

    /usr/bin/python3 interop_client.py PORT MODE

MODE is one of
    deflate   offer permessage-deflate (websockets' default offer)
    plain     offer no extension (compression=None)
    narrow    offer permessage-deflate with server_max_window_bits=10 and
              no context takeover both ways

The server echoes every data message with push(..., FIN | COMPRESS) and answers
"cmd:close" with disconnect($fd, 4001, 'bye'). Prints one short line per check;
any failure prints "FAIL ..." and exits 1. Everything is bounded by TIMEOUT.
Only 127.0.0.1.
"""

import asyncio
import random
import sys
import warnings

# The legacy asyncio client (create_protocol) is the one websockets 10.x has; newer
# releases keep it under websockets.legacy but warn about it on import.
warnings.simplefilter("ignore", DeprecationWarning)

from websockets.exceptions import ConnectionClosed  # noqa: E402
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory, PerMessageDeflate  # noqa: E402
from websockets.legacy.client import WebSocketClientProtocol, connect  # noqa: E402

TIMEOUT = 10.0  # the whole run
STEP = 5.0  # one exchange


class CountingProtocol(WebSocketClientProtocol):
    """Counts the bytes read from TCP, to see whether the server compressed."""

    wire = 0

    def data_received(self, data):
        self.wire += len(data)
        super().data_received(data)


def say(mode, line):
    print(f"[{mode}] {line}", flush=True)


def connect_kwargs(mode):
    kw = dict(
        create_protocol=CountingProtocol,
        subprotocols=["other.v0", "chat.v1"],
        open_timeout=STEP,
        close_timeout=STEP,
        ping_interval=None,  # no keepalive pings of its own: deterministic traffic
        max_size=4 * 1024 * 1024,
    )
    if mode == "plain":
        kw["compression"] = None
    elif mode == "narrow":
        kw["compression"] = None
        kw["extensions"] = [
            ClientPerMessageDeflateFactory(
                server_no_context_takeover=True,
                client_no_context_takeover=True,
                server_max_window_bits=10,
                client_max_window_bits=True,
            )
        ]
    elif mode != "deflate":
        raise ValueError(f"unknown mode {mode}")
    return kw


async def echo(ws, payload):
    """Sends payload, returns (reply, bytes read from TCP meanwhile)."""
    before = ws.wire
    await asyncio.wait_for(ws.send(payload), STEP)
    reply = await asyncio.wait_for(ws.recv(), STEP)
    return reply, ws.wire - before


def check(mode, name, payload, reply):
    if type(reply) is not type(payload):
        raise AssertionError(f"{name}: got {type(reply).__name__}, sent {type(payload).__name__}")
    if reply != payload:
        raise AssertionError(f"{name}: {len(reply)} units back, {len(payload)} sent, content differs")
    say(mode, f"{name} ok")


async def main(port, mode):
    uri = f"ws://127.0.0.1:{port}/interop"
    rnd = random.Random(6455)  # deterministic "random" content

    ws = await connect(uri, **connect_kwargs(mode))
    exts = [e for e in ws.extensions if isinstance(e, PerMessageDeflate)]
    say(mode, f"subprotocol {ws.subprotocol}")
    say(mode, "permessage-deflate " + ("negotiated" if exts else "not negotiated"))
    if mode == "narrow" and exts:
        e = exts[0]
        # "remote" is the server side as seen from the client.
        say(
            mode,
            "params server_no_context_takeover=%s client_no_context_takeover=%s server_max_window_bits=%s"
            % (e.remote_no_context_takeover, e.local_no_context_takeover, e.remote_max_window_bits),
        )

    text = "hello interop"
    check(mode, "text", text, (await echo(ws, text))[0])

    binary = bytes(range(256)) * 4
    check(mode, "binary", binary, (await echo(ws, binary))[0])

    utf8 = "h\u00e9llo w\u00f6rld \u2014 \u65e5\u672c\u8a9e \u0416\u0436 \U0001F600\U0001F30D"
    check(mode, "utf8", utf8, (await echo(ws, utf8))[0])

    # Highly compressible: compressed on the wire only when deflate was negotiated.
    compressible = "".join("wsserver interop line %06d\n" % (i % 100) for i in range(10000))
    reply, wire = await echo(ws, compressible)
    check(mode, "compressible", compressible, reply)
    on_wire = "compressed" if wire < len(compressible) // 4 else "plain"
    say(mode, f"compressible wire {on_wire}")

    big70k = rnd.randbytes(70 * 1024)
    check(mode, "binary 70KB", big70k, (await echo(ws, big70k))[0])

    words = ["alpha", "beta", "gamma", "delta", "\u00e9t\u00e9", "\u65e5\u672c", "omega", "zeta"]
    parts, size = [], 0
    while size < 1024 * 1024:
        w = rnd.choice(words) + " "
        parts.append(w)
        size += len(w.encode())
    big1m = "".join(parts)
    check(mode, "text 1MB", big1m, (await echo(ws, big1m))[0])

    pong = await asyncio.wait_for(ws.ping(b"are you there"), STEP)
    await asyncio.wait_for(pong, STEP)
    say(mode, "ping answered")

    # Client-initiated close: the server sees 4000 in onClose.
    await asyncio.wait_for(ws.close(4000, "client bye"), STEP)
    say(mode, f"client close sent 4000, server answered {ws.close_code}")

    # Server-initiated close with a code and a reason.
    ws = await connect(uri, **connect_kwargs(mode))
    await asyncio.wait_for(ws.send("cmd:close"), STEP)
    try:
        extra = await asyncio.wait_for(ws.recv(), STEP)
        raise AssertionError(f"server close: got a message instead: {extra!r}")
    except ConnectionClosed:
        pass
    await asyncio.wait_for(ws.wait_closed(), STEP)
    say(mode, f"server close {ws.close_code} {ws.close_reason}")


def run():
    if len(sys.argv) != 3:
        print("usage: interop_client.py PORT MODE", file=sys.stderr)
        return 2
    port, mode = int(sys.argv[1]), sys.argv[2]
    try:
        asyncio.run(asyncio.wait_for(main(port, mode), TIMEOUT))
    except BaseException as e:  # noqa: B902 - report everything, including timeouts
        print(f"[{mode}] FAIL {type(e).__name__}: {e}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run())
