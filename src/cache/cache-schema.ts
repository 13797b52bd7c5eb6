import { z } from 'zod';

/* Placeholder: the cache helper owns this file. */
export const cacheSchema = z.strictObject({}, { error: 'must be an object' });
