// Hostile clients for the slow-and-oversized row, on raw sockets: what they send is exactly what a
// misbehaving client sends, with no HTTP library smoothing it out.
import { fork } from 'node:child_process';
import net from 'node:net';

export interface AttackResult {
  /** The status line's code when the server answered, else undefined. */
  status?: number;
  /** The server closed (or reset) the connection. */
  closed: boolean;
  ms: number;
}

/**
 * Connects, writes `head` (request line and headers), then `bodyBytes` bytes of body in 64 KB chunks, and
 * resolves at the first answer or close, or after `timeoutMs` (then neither status nor closed is set).
 */
export function rawRequest(
  port: number,
  head: string,
  options: { bodyBytes?: number; timeoutMs?: number } = {},
): Promise<AttackResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let settled = false;
    let received = '';
    const finish = (result: Omit<AttackResult, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...result, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish({ closed: false }), options.timeoutMs ?? 30_000);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (match) finish({ status: Number(match[1]), closed: false });
    });
    socket.on('error', () => finish({ closed: true }));
    socket.on('close', () => finish({ closed: true }));
    socket.on('connect', async () => {
      socket.write(head);
      let left = options.bodyBytes ?? 0;
      const chunk = Buffer.alloc(64 * 1024, 'a');
      while (left > 0 && !settled) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        // Respect back-pressure: a server that stopped reading stops the upload, as it should.
        if (!socket.write(piece)) await new Promise((resolve) => socket.once('drain', resolve));
      }
    });
  });
}

/**
 * `count` sockets that send a request's headers one byte every `intervalMs` and never finish them
 * (slowloris). Resolves when every socket has been closed by the server, or after `timeoutMs`, with the
 * time each one was closed after (undefined: still open).
 */
export function slowloris(
  port: number,
  options: { count: number; intervalMs: number; timeoutMs: number },
): Promise<(number | undefined)[]> {
  const started = Date.now();
  const text = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(10_000);
  const closedAfter: (number | undefined)[] = Array.from({ length: options.count }, () => undefined);
  const sockets = closedAfter.map((_, i) => {
    const socket = net.connect(port, '127.0.0.1');
    let sent = 0;
    socket.on('error', () => {});
    socket.on('close', () => {
      closedAfter[i] = Date.now() - started;
      clearInterval(timer);
    });
    const timer = setInterval(() => {
      if (socket.writable) socket.write(text[sent++ % text.length] as string);
    }, options.intervalMs);
    return { socket, timer };
  });
  return new Promise((resolve) => {
    const check = setInterval(() => {
      const open = closedAfter.some((ms) => ms === undefined);
      if (!open || Date.now() - started > options.timeoutMs) {
        clearInterval(check);
        for (const { socket, timer } of sockets) {
          clearInterval(timer);
          socket.destroy();
        }
        // The 'close' events of the sockets destroyed just now must not count as the server's doing.
        resolve([...closedAfter]);
      }
    }, 100);
  });
}

export interface AttackResults {
  /** Per slowloris socket, when the server closed it (ms), or undefined: still open. */
  loris: (number | undefined)[];
  oversized: Record<string, AttackResult>;
}

/** Every attack of the slow-clients row at once, against the tasks list of a project. */
export async function runAttacks(port: number, tasksPath: string, token: string): Promise<AttackResults> {
  const bearer = `Authorization: Bearer ${token}\r\n`;
  const get = (target: string, extra = '') =>
    rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${bearer}${extra}\r\n`);
  const [loris, bigBody, manyParams, paramsWithinUrlLimit, bigHeader, longUrl] = await Promise.all([
    slowloris(port, { count: 200, intervalMs: 500, timeoutMs: 20_000 }),
    rawRequest(
      port,
      `POST ${tasksPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n${bearer}Content-Type: application/json\r\n` +
        `Content-Length: ${10 * 1024 * 1024}\r\n\r\n`,
      { bodyBytes: 10 * 1024 * 1024 },
    ),
    get(`${tasksPath}?${Array.from({ length: 10_000 }, (_, i) => `p${i}=1`).join('&')}`),
    // 10 000 parameters do not fit in a URL the server accepts; 1 500 short ones do, and meet the
    // parameter count limit (HTTP_MAX_QUERY_PARAMS) itself.
    get(`${tasksPath}?${'a=&'.repeat(1_500)}`),
    get(tasksPath, `X-Big: ${'a'.repeat(64 * 1024)}\r\n`),
    get(`${tasksPath}?q=${'a'.repeat(100 * 1024)}`),
  ]);
  return { loris, oversized: { bigBody, manyParams, paramsWithinUrlLimit, bigHeader, longUrl } };
}

/** runAttacks in a child process (this file, forked), so that its sockets do not share the caller's event loop. */
export function attackInChild(port: number, tasksPath: string, token: string): Promise<AttackResults> {
  return new Promise((resolve, reject) => {
    const child = fork(import.meta.filename, [], {
      env: { ...process.env, CHAOS_ATTACK: JSON.stringify({ port, tasksPath, token }) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (message) => resolve(message as AttackResults));
    child.once('exit', (code) =>
      reject(new Error(`the attack process exited with ${code} before reporting`)),
    );
  });
}

if (process.env.CHAOS_ATTACK && process.send) {
  const { port, tasksPath, token } = JSON.parse(process.env.CHAOS_ATTACK) as {
    port: number;
    tasksPath: string;
    token: string;
  };
  // undefined does not survive IPC's JSON: still-open sockets travel as null and are read back as such.
  const results = await runAttacks(port, tasksPath, token);
  process.send(results, () => process.exit(0));
}
