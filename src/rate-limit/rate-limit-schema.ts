import { z } from 'zod';

/* Placeholder: the rate-limit helper owns this file. */
export const rateLimitsSchema = z.strictObject({}, { error: 'must be an object' });
