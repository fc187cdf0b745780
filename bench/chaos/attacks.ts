// Hostile clients for the slow-and-oversized row, on raw sockets: what they send is exactly what a
// misbehaving client sends, with no HTTP library smoothing it out.
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
