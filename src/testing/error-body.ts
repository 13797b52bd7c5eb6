/** Error `type` per status, as OpenAI-compatible servers name them. */
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

/** An OpenAI-shaped error body: `{ error: { message, type, param, code } }`. */
export function errorBody(status: number, message?: string, code: string | null = null): object {
  const type = TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
  return { error: { message: message ?? `fake upstream error ${status}`, type, param: null, code } };
}
