import type { ServerResponse } from 'node:http';

/** Delays tied to one response: when the client disconnects, every pending timer is cleared. */
export interface ConnectionScope {
  readonly closed: boolean;
  /** Resolves once the response is closed, whether it finished or the client went away. */
  readonly whenClosed: Promise<void>;
  /** Resolves true after `ms`, or false as soon as the connection closes. */
  delay(ms: number): Promise<boolean>;
}

/**
 * Without this, a test that aborts a slow request would leave the fake's timers running past
 * the test, keeping the process alive and writing into a dead socket.
 */
export function connectionScope(response: ServerResponse): ConnectionScope {
  let closed = false;
  let markClosed = () => {};
  const whenClosed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const pending = new Map<NodeJS.Timeout, (completed: boolean) => void>();
  response.once('close', () => {
    closed = true;
    markClosed();
    for (const [timer, resolve] of pending) {
      clearTimeout(timer);
      resolve(false);
    }
    pending.clear();
  });
  return {
    get closed() {
      return closed;
    },
    whenClosed,
    delay(ms) {
      if (closed) return Promise.resolve(false);
      if (ms <= 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(timer);
          resolve(true);
        }, ms);
        pending.set(timer, resolve);
      });
    },
  };
}
