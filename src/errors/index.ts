export * from './classes.js';
export {
  errorFromResponse,
  oneLine,
  RequestTimeoutStatusError,
  readErrorBody,
} from './error-from-response.js';
export { type ExitCode, exitCodes, LlmkitError, type LlmkitErrorFields } from './llmkit-error.js';
export {
  type GuardDirection,
  GuardrailError,
  type GuardrailErrorFields,
  type OutputAttempt,
  type OutputIssue,
  SchemaError,
  StructuredOutputError,
} from './output-errors.js';
