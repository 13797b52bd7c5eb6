import { z } from 'zod';
import { periods } from '../../budget/budget-schema.js';
import { UsageError } from '../../errors/index.js';
import { isKeyId } from './key-format.js';

const nameMessage =
  'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit, e.g. team-search';
const countMessage = 'must be a whole number > 0';
const usdMessage = 'must be a number of USD >= 0';

/**
 * What a new key may carry. Names go into budget scopes (`key:<name>`), the ledger and log
 * lines, hence the narrow alphabet; a name shaped like an id would make `revoke` ambiguous.
 */
export const newKeySchema = z.strictObject({
  name: z
    .string({ error: nameMessage })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: nameMessage })
    .refine((name) => !isKeyId(name), { error: 'must not look like a key id (16 hex digits)' }),
  rpm: z
    .number({ error: countMessage })
    .int({ error: countMessage })
    .min(1, { error: countMessage })
    .optional(),
  tpm: z
    .number({ error: countMessage })
    .int({ error: countMessage })
    .min(1, { error: countMessage })
    .optional(),
  budget: z
    .strictObject({
      limitUsd: z.number({ error: usdMessage }).finite({ error: usdMessage }).min(0, { error: usdMessage }),
      period: z.enum(periods, { error: `must be one of ${periods.join(', ')}` }),
    })
    .optional(),
  models: z
    .array(
      z
        .string({ error: 'must be a model id' })
        .regex(/^[^\s,]+$/, { error: 'must be a model id without spaces or commas, e.g. openai/gpt-4o' }),
      { error: 'must be a list of model ids' },
    )
    .min(1, { error: 'must name at least one model; leave it out to allow every model' })
    .optional(),
});

export type ValidNewKey = z.output<typeof newKeySchema>;

/** Checks a new key's fields; the first problem is a UsageError naming the field. */
export function validateNewKey(input: unknown): ValidNewKey {
  const parsed = newKeySchema.safeParse(input);
  if (parsed.success)
    return { ...parsed.data, ...(parsed.data.models ? { models: [...new Set(parsed.data.models)] } : {}) };
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.');
  const problem = issue?.message ?? 'is invalid';
  throw new UsageError(field ? `key ${field} ${problem}` : `new key: ${problem}`, {
    hint: 'see docs/gateway-keys.md for what a key may carry',
  });
}
