// The benchmarks' server child (bench:directline, bench:memory): the script forks itself with
// `--serve`, the child listens and sends its port, then answers requests over IPC.
import { fork, type Serializable } from 'node:child_process';

/** BENCH_NODE_FLAGS: Node or V8 flags for the server child (say '--optimize-for-size'), to measure their effect. */
export function benchNodeFlags(): string[] {
  return (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
}

/** A forked server: its port, a request/answer over IPC, and a stop (SIGKILL after `graceMs`). */
export interface ForkedServer {
  readonly port: number;
  /** Sends `request`; resolves with the first message `accept` turns into a value. */
  ask<T>(request: unknown, accept: (message: Record<string, unknown>) => T | undefined): Promise<T>;
  stop(): Promise<void>;
}

/** Forks `file` with `args` and resolves once the child has sent `{ port }`; rejects if it exits before. */
export function forkServer(file: string, args: readonly string[], execArgv: readonly string[], graceMs: number, label: string): Promise<ForkedServer> {
  const child = fork(file, [...args], { execArgv: [...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ask = <T>(request: unknown, accept: (message: Record<string, unknown>) => T | undefined) =>
    new Promise<T>((resolve) => {
      const onMessage = (message: Record<string, unknown>) => {
        const value = accept(message);
        if (value === undefined) return;
        child.off('message', onMessage);
        resolve(value);
      };
      child.on('message', onMessage);
      child.send(request as Serializable);
    });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.send('stop');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ port: message.port, ask, stop }));
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code} before listening`)));
  });
}
