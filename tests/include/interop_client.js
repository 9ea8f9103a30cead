'use strict';
/*
 * Interop client for tests/interop/node.phpt: Node's `ws` package (Debian's node-ws,
 * found through NODE_PATH) against a wsserver child.
 *
 *     node interop_client.js PORT MODE
 *
 * MODE is one of
 *     deflate   perMessageDeflate: true (ws' default offer)
 *     plain     perMessageDeflate: false (no extension offered)
 *     narrow    permessage-deflate with server_max_window_bits=10 and no context
 *               takeover both ways
 *
 * The server echoes every data message with push(..., FIN | COMPRESS) and answers
 * "cmd:close" with disconnect($fd, 4001, 'bye'). Prints one short line per check;
 * any failure prints "FAIL ..." and exits 1. Everything is bounded by TIMEOUT_MS.
 * Only 127.0.0.1.
 */

const WebSocket = require('ws');

const TIMEOUT_MS = 10000; // the whole run
const STEP_MS = 5000; // one exchange

const port = Number(process.argv[2]);
const mode = process.argv[3];

function say(line) {
  process.stdout.write(`[${mode}] ${line}\n`);
}

function fail(err) {
  process.stdout.write(`[${mode}] FAIL ${err && err.stack ? err.stack.split('\n')[0] : err}\n`, () =>
    process.exit(1)
  );
}

const overall = setTimeout(() => fail(new Error(`timeout after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);

function options() {
  const o = { handshakeTimeout: STEP_MS, maxPayload: 4 * 1024 * 1024 };
  if (mode === 'deflate') {
    o.perMessageDeflate = true;
  } else if (mode === 'plain') {
    o.perMessageDeflate = false;
  } else if (mode === 'narrow') {
    o.perMessageDeflate = {
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 10,
    };
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  return o;
}

/* Resolves with the value `register(resolve, reject)` delivers, rejects after STEP_MS. */
function within(what, register) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no answer within ${STEP_MS} ms`)), STEP_MS);
    register(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      }
    );
  });
}

/* A connection whose incoming messages and close are queued, to be awaited in order. */
function open() {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/interop`, ['other.v0', 'chat.v1'], options());
  const messages = [];
  let waiter = null;
  let closed = null;
  let closeWaiter = null;
  let error = null;
  const wake = () => {
    if (waiter) {
      const w = waiter;
      waiter = null;
      w();
    }
    if (closeWaiter && closed) closeWaiter(closed);
  };
  ws.on('message', (data, isBinary) => {
    messages.push({ data, isBinary });
    wake();
  });
  ws.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() };
    wake();
  });
  ws.on('error', (e) => {
    error = e;
    wake();
  });
  const conn = {
    ws,
    opened: within('open', (resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
      ws.once('close', (code) => reject(new Error(`closed before open, code ${code}`)));
    }),
    recv: () =>
      within('recv', (resolve, reject) => {
        const poll = () => {
          if (messages.length) return resolve(messages.shift());
          if (error) return reject(error);
          if (closed) return reject(new Error(`closed (${closed.code} ${closed.reason}) while waiting for a message`));
          waiter = poll;
        };
        poll();
      }),
    closedEvent: () =>
      within('close', (resolve) => {
        if (closed) return resolve(closed);
        closeWaiter = resolve;
      }),
    hasMessages: () => messages.length > 0,
  };
  return conn;
}

function send(ws, payload, binary) {
  return within('send', (resolve, reject) => ws.send(payload, { binary }, (e) => (e ? reject(e) : resolve())));
}

async function echo(conn, payload, binary) {
  const before = conn.ws._socket.bytesRead;
  await send(conn.ws, payload, binary);
  const m = await conn.recv();
  return { m, wire: conn.ws._socket.bytesRead - before };
}

function check(name, payload, m, binary) {
  if (m.isBinary !== binary) throw new Error(`${name}: binary flag ${m.isBinary}, sent ${binary}`);
  const expected = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  if (!expected.equals(m.data)) {
    throw new Error(`${name}: ${m.data.length} bytes back, ${expected.length} sent, content differs`);
  }
  say(`${name} ok`);
}

/* Deterministic pseudo-random numbers (xorshift32). */
function prng(seed) {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

async function main() {
  const rnd = prng(6455);
  let conn = open();
  await conn.opened;
  const ext = conn.ws._extensions['permessage-deflate'];
  say(`subprotocol ${conn.ws.protocol || 'none'}`);
  say(`permessage-deflate ${ext ? 'negotiated' : 'not negotiated'}`);
  if (mode === 'narrow' && ext) {
    const p = ext.params;
    say(
      `params server_no_context_takeover=${!!p.server_no_context_takeover} ` +
        `client_no_context_takeover=${!!p.client_no_context_takeover} ` +
        `server_max_window_bits=${p.server_max_window_bits}`
    );
  }

  const text = 'hello interop';
  check('text', text, (await echo(conn, text, false)).m, false);

  const binary = Buffer.alloc(1024);
  for (let i = 0; i < binary.length; i++) binary[i] = i & 0xff;
  check('binary', binary, (await echo(conn, binary, true)).m, true);

  const utf8 = 'h\u00e9llo w\u00f6rld \u2014 \u65e5\u672c\u8a9e \u0416\u0436 \u{1F600}\u{1F30D}';
  check('utf8', utf8, (await echo(conn, utf8, false)).m, false);

  // Highly compressible: compressed on the wire only when deflate was negotiated.
  let compressible = '';
  for (let i = 0; i < 10000; i++) compressible += `wsserver interop line ${String(i % 100).padStart(6, '0')}\n`;
  const c = await echo(conn, compressible, false);
  check('compressible', compressible, c.m, false);
  say(`compressible wire ${c.wire < compressible.length / 4 ? 'compressed' : 'plain'}`);

  const big70k = Buffer.alloc(70 * 1024);
  for (let i = 0; i < big70k.length; i++) big70k[i] = rnd() & 0xff;
  check('binary 70KB', big70k, (await echo(conn, big70k, true)).m, true);

  const words = ['alpha', 'beta', 'gamma', 'delta', '\u00e9t\u00e9', '\u65e5\u672c', 'omega', 'zeta'];
  const parts = [];
  let size = 0;
  while (size < 1024 * 1024) {
    const w = words[rnd() % words.length] + ' ';
    parts.push(w);
    size += Buffer.byteLength(w);
  }
  const big1m = parts.join('');
  check('text 1MB', big1m, (await echo(conn, big1m, false)).m, false);

  const pingData = Buffer.from('are you there');
  const pong = within('pong', (resolve) => conn.ws.once('pong', resolve));
  conn.ws.ping(pingData);
  const pongData = await pong;
  if (!pingData.equals(pongData)) throw new Error(`pong carries ${JSON.stringify(pongData.toString())}`);
  say('ping answered');

  // Client-initiated close: the server sees 4000 in onClose.
  conn.ws.close(4000, 'client bye');
  const cc = await conn.closedEvent();
  say(`client close sent 4000, server answered ${cc.code}`);

  // Server-initiated close with a code and a reason.
  conn = open();
  await conn.opened;
  await send(conn.ws, 'cmd:close', false);
  const sc = await conn.closedEvent();
  if (conn.hasMessages()) throw new Error('server close: got a message before the close');
  say(`server close ${sc.code} ${sc.reason}`);
}

main().then(
  () => {
    clearTimeout(overall);
    process.stdout.write('', () => process.exit(0));
  },
  fail
);
