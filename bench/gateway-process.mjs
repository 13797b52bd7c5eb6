// Process plumbing for the gateway bench: pinned children, readiness, /proc memory and CPU.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

function hasCommand(name, args) {
  try {
    execFileSync(name, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const hasTaskset = hasCommand('taskset', ['-p', String(process.pid)]);
const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Pins this process and every thread it already has (V8's, libuv's) to `cpus`, e.g. "1". */
export function pinSelf(cpus) {
  if (!hasTaskset || !cpus) return false;
  execFileSync('taskset', ['-a', '-cp', cpus, String(process.pid)], { stdio: 'ignore' });
  return true;
}

/**
 * Spawns `node <args>` under `taskset -c <cpus>`; taskset execs node, so `child.pid` is node's.
 * The last 16 KB of its output is kept for the error message when it fails to start.
 */
export function spawnNode(cpus, args, options = {}) {
  const [command, argv] =
    hasTaskset && cpus ? ['taskset', ['-c', cpus, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv, {
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? ['ipc'] : [])],
    ...options,
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-16_384);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.output = () => output;
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Polls `url` until it answers 200; fails early, with the child's output, if the child exits.
 * On failure the child is stopped, so a contender that never came up does not outlive the run.
 */
export async function waitReady(url, child, options) {
  try {
    return await pollReady(url, child, options);
  } catch (error) {
    await stopProcess(child, 2_000);
    throw error;
  }
}

async function pollReady(url, child, { name, timeoutMs = 30_000, init } = {}) {
  const started = performance.now();
  let exit;
  child.exited.then((result) => {
    exit = result;
  });
  let last = 'no answer';
  while (performance.now() - started < timeoutMs) {
    if (exit) {
      throw new Error(
        `${name} exited (${JSON.stringify(exit)}) before ${url} answered 200:\n${child.output()}`,
      );
    }
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - started;
      last = `status ${response.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(100);
  }
  throw new Error(
    `${name} did not answer ${url} with 200 within ${timeoutMs} ms (${last}):\n${child.output()}`,
  );
}

/** SIGTERM, then SIGKILL after `graceMs`; a clean exit is what lets --cpu-prof write its profile. */
export async function stopProcess(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const result = await child.exited;
  clearTimeout(timer);
  return result;
}

/** VmRSS and VmHWM (the peak RSS) of a live process, in MB. */
export function readMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rssMb: field('VmRSS'), hwmMb: field('VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0, our own child), so a peak covers one window. */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU time of the whole process (every thread: the ledger's writer too), in ms. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name, which may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/** Samples VmRSS every `everyMs` until stopped; the peak is the larger of samples and VmHWM. */
export function memoryWatch(pid, everyMs = 100) {
  const peakReset = resetPeak(pid);
  let sampledMb = readMemory(pid).rssMb;
  const timer = setInterval(() => {
    try {
      sampledMb = Math.max(sampledMb, readMemory(pid).rssMb);
    } catch {}
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const { rssMb, hwmMb } = readMemory(pid);
      return { peakMb: Math.max(sampledMb, rssMb, peakReset ? hwmMb : 0), endMb: rssMb, fromHwm: peakReset };
    },
  };
}
