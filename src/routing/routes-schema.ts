import { z } from 'zod';

/*
 * Placeholder: the routing helper owns this file. A route is a model name callers use, mapped to
 * weighted targets and ordered fallbacks; `routing` holds the circuit breaker settings.
 */
export const routesSchema = z.record(z.string(), z.unknown(), { error: 'must be an object' });
export const routingSchema = z.strictObject({}, { error: 'must be an object' });
