/** Narrows parsed JSON to an object whose fields can be read, before trusting any of them. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
