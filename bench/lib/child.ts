import { fork, type ChildProcess } from 'node:child_process';

export interface Child {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a server script in its own process (so the load generator never shares its event loop) and
 * waits for it to report the port it listens on: `process.send({ port })`.
 */
export function startChild(script: string, env: Record<string, string>): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 30 s`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        port: message.port,
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
