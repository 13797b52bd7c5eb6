import { z } from 'zod';

const count = (message: string) => z.number({ error: message }).int({ error: message });
const positive = count('must be a whole number > 0').min(1, { error: 'must be a whole number > 0' });

/** `llmkit serve`: where it listens, who may call it, and how it protects itself. */
export const gatewaySchema = z.strictObject(
  {
    host: z.string({ error: 'must be a host name or address' }).min(1).default('127.0.0.1'),
    port: count('must be a port number 0-65535')
      .min(0, { error: 'must be a port number 0-65535' })
      .max(65_535, { error: 'must be a port number 0-65535' })
      .default(8700),
    /** Environment variable holding the master key that unlocks `/admin/*` (and every model). */
    masterKeyEnv: z
      .string({ error: 'must be an environment variable name' })
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
        error: 'must be an environment variable name such as LLMKIT_MASTER_KEY',
      })
      .default('LLMKIT_MASTER_KEY'),
    /**
     * `required`: every `/v1` call needs a gateway key or the master key. `auto`: required once a
     * master key is set or a key exists; open otherwise, and then only on a loopback host.
     */
    auth: z.enum(['auto', 'required'], { error: 'must be "auto" or "required"' }).default('auto'),
    /** SQLite file of gateway keys; default `<home>/gateway.db`. */
    keysPath: z.string().min(1).optional(),
    /** Largest request body accepted; a bigger one is refused with 413 as soon as it is known. */
    bodyLimitBytes: positive.default(4 * 1024 * 1024),
    /** A client must send its request headers within this, or it is disconnected (slowloris). */
    headersTimeoutMs: positive.default(10_000),
    /** A client must send its whole request within this. */
    requestTimeoutMs: positive.default(30_000),
    keepAliveTimeoutMs: positive.default(72_000),
    /** On SIGTERM: how long in-flight calls may take to finish before they are cut. */
    shutdownGraceMs: count('must be a whole number >= 0').min(0).default(30_000),
    /**
     * When a streaming client disconnects: `abort` the upstream at once, or `drain` it to its usage
     * event (bounded by the call's timeouts) so the bill is the provider's own count.
     */
    onClientDisconnect: z.enum(['abort', 'drain'], { error: 'must be "abort" or "drain"' }).default('abort'),
    /** Largest `n` (choices per request) accepted. */
    maxChoices: positive.default(8),
  },
  { error: 'must be an object' },
);

export type GatewaySettings = z.output<typeof gatewaySchema>;
