import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../src/index.ts';

// An echo server stands in for the database: what goes through the proxy comes back.
async function startEcho() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `text` and resolves with what comes back within `ms` ('' if nothing does). */
function roundTrip(socket: net.Socket, text: string, ms = 300): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString();
      if (received.length >= text.length) finish();
    };
    const timer = setTimeout(() => finish(), ms);
    function finish() {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      resolve(received);
    }
    socket.on('data', onData);
    socket.write(text);
  });
}

let echo: Awaited<ReturnType<typeof startEcho>>;
let proxy: TcpProxy;
const opened: net.Socket[] = [];

async function setUp() {
  echo = await startEcho();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: echo.port });
}

async function open(): Promise<net.Socket> {
  const socket = await connect(proxy.port);
  socket.on('error', () => {});
  opened.push(socket);
  return socket;
}

afterEach(async () => {
  for (const socket of opened.splice(0)) socket.destroy();
  await proxy.close();
  await echo.close();
});

describe('startTcpProxy', () => {
  it('forwards bytes both ways and rewrites a URL to point at itself', async () => {
    await setUp();
    expect(await roundTrip(await open(), 'ping')).toBe('ping');
    expect(proxy.urlFor('postgres://u:p@db.example.com:5432/app?x=1')).toBe(
      `postgres://u:p@127.0.0.1:${proxy.port}/app?x=1`,
    );
  });

  it('when refusing, new connections get ECONNREFUSED and open ones are reset; forwarding again on the same port', async () => {
    await setUp();
    const before = await open();
    const reset = new Promise((resolve) => before.once('close', resolve));
    await proxy.setMode('refuse');
    await reset;
    await expect(connect(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await proxy.setMode('forward');
    expect(await roundTrip(await open(), 'back')).toBe('back');
  });

  it('silenceExisting drops the bytes of open connections, which stay open, while new connections work', async () => {
    await setUp();
    const old = await open();
    expect(await roundTrip(old, 'a')).toBe('a');
    proxy.silenceExisting();
    expect(await roundTrip(old, 'lost')).toBe('');
    expect(old.destroyed).toBe(false);
    expect(await roundTrip(await open(), 'fresh')).toBe('fresh');
  });

  it('in blackhole mode, accepts connections but forwards nothing', async () => {
    await setUp();
    await proxy.setMode('blackhole');
    const socket = await open();
    expect(await roundTrip(socket, 'void')).toBe('');
    expect(proxy.openConnections).toBe(1);
  });

  it('resetAll resets every open connection', async () => {
    await setUp();
    const socket = await open();
    const error = new Promise<NodeJS.ErrnoException>((resolve) => socket.once('error', resolve));
    proxy.resetAll();
    expect((await error).code).toBe('ECONNRESET');
  });
});
