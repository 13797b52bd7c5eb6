import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The real entry point a user runs; it imports the build in dist/. */
export const cliPath = fileURLToPath(new URL('../../bin/llmkit.js', import.meta.url));
const builtCli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliResult {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /** The whole environment of the child: nothing is inherited from the test process. */
  env: Record<string, string>;
}

export interface RunCliOptions extends CliOptions {
  /** Written to stdin, which is then closed; without it stdin is an empty, closed pipe. */
  input?: string;
}

/** A running CLI whose stdin stays open, for conversations and signals. */
export interface CliProcess {
  readonly stdout: string;
  readonly stderr: string;
  write(text: string): void;
  /** Closes stdin, as Ctrl-D does in a terminal. */
  end(): void;
  /** Sends a signal to the CLI process, as Ctrl-C does (SIGINT) in a terminal. */
  signal(name: NodeJS.Signals): void;
  /** Resolves once stdout matches; rejects with what was printed if the CLI exits first. */
  waitForStdout(expected: string | RegExp): Promise<void>;
  readonly done: Promise<CliResult>;
}

// A safety net for a CLI that never exits: the test fails on its own timeout, the child does not linger.
const killAfterMs = 15_000;

export function startCli(args: readonly string[], options: CliOptions): CliProcess {
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run \`npm run build\` first`);
  // Async on purpose: the fake upstream lives in this process and must keep serving meanwhile.
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: killAfterMs,
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  // The CLI may exit before reading what we wrote; that is its business, not a test failure.
  child.stdin.on('error', () => {});
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      exited = true;
      notify();
      resolve({ code, signal, stdout, stderr });
    });
  });

  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    write: (text) => void child.stdin.write(text),
    end: () => void child.stdin.end(),
    signal: (name) => void child.kill(name),
    waitForStdout(expected) {
      const matches = () =>
        typeof expected === 'string' ? stdout.includes(expected) : expected.test(stdout);
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (matches()) {
            listeners.delete(check);
            resolve();
          } else if (exited) {
            listeners.delete(check);
            reject(new Error(`the CLI exited before printing ${String(expected)}\n${stdout}\n${stderr}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
    done,
  };
}

/** Runs the CLI to completion and returns what a user would see. */
export function runCli(args: readonly string[], options: RunCliOptions): Promise<CliResult> {
  const cli = startCli(args, options);
  if (options.input !== undefined) cli.write(options.input);
  cli.end();
  return cli.done;
}
