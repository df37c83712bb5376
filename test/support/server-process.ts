import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

/** The built server (`npm start`'s entry point) as a child process, for start-up and signal tests. */
export class ServerProcess {
  output = '';
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /**
   * Starts `node dist/src/main.js` with exactly `env` (plus PATH and HOME), in an empty working
   * directory: the server reads `.env` from there, and a developer's `.env` must not leak in.
   */
  static start(env: Record<string, string>): ServerProcess {
    const child = spawn(process.execPath, [MAIN], {
      cwd: mkdtempSync(join(tmpdir(), 'sah-server-')),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // The leader of a process group of its own, as a shell makes a foreground job (`ctrlC`).
      detached: true,
    });
    return new ServerProcess(child);
  }

  /**
   * Ctrl-C in a terminal: SIGINT to the whole foreground process group, i.e. the server and every
   * process it started in its own group.
   */
  ctrlC(): Promise<number | null> {
    if (this.child.exitCode === null) process.kill(-this.child.pid!, 'SIGINT');
    return this.exited;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  exitCode(): Promise<number | null> {
    return this.exited;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited;
  }
}
