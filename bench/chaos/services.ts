// The services under test, run the production way: the built bundle (apps/<svc>/dist/server.js) in its
// own process with NODE_ENV=production, its logs appended to a file, its exits recorded.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A loopback port nothing listens on right now (the kernel's pick), for a service to listen on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The tool asked for it (SIGTERM rows, the auth-down row). */
  expected: boolean;
  at: number;
}

export class Service {
  readonly baseUrl: string;
  readonly exits: Exit[] = [];
  private child: ChildProcess | null = null;
  private stopping = false;
  private readonly log: WriteStream;
  readonly name: 'auth' | 'tasks';
  readonly port: number;
  private readonly env: Record<string, string>;

  constructor(name: 'auth' | 'tasks', port: number, env: Record<string, string>, logFile: string) {
    this.name = name;
    this.port = port;
    this.env = env;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Exits nobody asked for. */
  get unexpectedExits(): number {
    return this.exits.filter((exit) => !exit.expected).length;
  }

  /** Starts the bundle and resolves once GET /readyz answers 200 (at most 30 s). */
  async start(): Promise<void> {
    const { DATABASE_ADMIN_URL: _admin, ...inherited } = process.env;
    const child = spawn(process.execPath, ['dist/server.js'], {
      cwd: path.join(ROOT, 'apps', this.name),
      env: { ...inherited, ...this.env, NODE_ENV: 'production', PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.stopping = false;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.once('exit', (code, signal) => {
      this.exits.push({ code, signal, expected: this.stopping, at: Date.now() });
      if (this.child === child) this.child = null;
      if (!this.stopping)
        console.error(`  ! ${this.name} exited unexpectedly (code ${code}, signal ${signal})`);
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child !== child) throw new Error(`${this.name} exited during start-up: see its log`);
      if ((await this.status('/readyz')) === 200) return;
      await sleep(100);
    }
    throw new Error(`${this.name} was not ready within 30 s`);
  }

  /** Sends the signal and waits for the exit: its code and how long it took. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; ms: number }> {
    const child = this.child;
    if (!child) return { code: null, ms: 0 };
    this.stopping = true;
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const code = await exited;
    return { code, ms: Date.now() - started };
  }

  /** The status of a GET, or 0 when nothing answered within the timeout. */
  async status(pathname: string, timeoutMs = 2_000): Promise<number> {
    try {
      const res = await fetch(`${this.baseUrl}${pathname}`, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  /** Resident set size in bytes, from /proc (Linux). */
  rss(): number {
    if (!this.child?.pid) return Number.NaN;
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) * 1024;
  }

  /** One gauge of GET /metrics (the kit labels every metric with the service's name), NaN when absent. */
  async metric(name: string): Promise<number> {
    const res = await fetch(`${this.baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    const text = await res.text();
    const value = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1];
    return value === undefined ? Number.NaN : Number(value);
  }

  /**
   * Event-loop lag p99 in ms since the previous scrape (prom-client's nodejs_eventloop_lag_p99_seconds,
   * whose histogram restarts at every scrape).
   */
  async eventLoopLagP99Ms(): Promise<number> {
    return (await this.metric('nodejs_eventloop_lag_p99_seconds')) * 1000;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.log.end(resolve));
  }
}
