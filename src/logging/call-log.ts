import type { AttemptRecord, CallContext, CallRecord } from '../pipeline/call-context.js';
import type { ChatMessage } from '../providers/types.js';

/** One line per attempt: what was tried, how it ended, and whether another try follows. */
export function logAttempt(record: AttemptRecord, context: CallContext): void {
  const line = {
    event: 'attempt',
    requestId: context.requestId,
    provider: record.provider,
    model: record.model,
    attempt: record.attempt,
    status: record.status,
    httpStatus: record.httpStatus,
    latencyMs: record.latencyMs,
    ttftMs: record.ttftMs,
    upstreamRequestId: record.requestId,
    error: record.error ? { code: record.error.code, message: record.error.message } : undefined,
    retryInMs: record.retryInMs,
    stopReason: record.stopReason,
  };
  // Failures are thrown to the caller, who decides what they mean; logging them at error
  // level as well would print every failure twice. The log file (info) still has them all.
  if (record.status === 'ok') context.logger.debug(line, 'attempt ended');
  else if (record.retryInMs !== undefined)
    context.logger.info(line, `attempt failed, retrying in ${record.retryInMs} ms`);
  else context.logger.info(line, `attempt ${record.status === 'aborted' ? 'aborted' : 'failed'}`);
}

/**
 * One line per call, like the brief's "Generated N chars using T tokens in S s". With `content`,
 * the line also holds the input as sent (after `redact` guard rules) and the output, both
 * masked by `mask-logs` guard rules.
 */
export function callLog(options: { content: boolean }): (record: CallRecord, context: CallContext) => void {
  return (record, context) => logCall(record, context, options.content);
}

function logCall(record: CallRecord, context: CallContext, content: boolean): void {
  const result = record.result;
  const line = {
    event: 'call',
    requestId: record.requestId,
    provider: record.provider,
    model: record.model,
    mode: record.mode,
    status: record.status,
    attempts: record.attempts.length,
    cache: record.cache,
    latencyMs: record.latencyMs,
    ttftMs: record.ttftMs,
    inputTokens: record.usage?.inputTokens,
    outputTokens: record.usage?.outputTokens,
    totalTokens: record.usage?.totalTokens,
    finishReason: result?.finishReason,
    chars: result?.text.length,
    error: record.error ? { code: record.error.code, message: record.error.message } : undefined,
    ...(content ? contentFields(record, context) : {}),
  };
  const message =
    record.status === 'ok' ? 'call ended' : record.status === 'aborted' ? 'call aborted' : 'call failed';
  context.logger.info(line, message);
}

function contentFields(record: CallRecord, context: CallContext) {
  const mask = context.maskForLogs ?? ((text: string) => text);
  const input = context.request.messages.map((message) => ({
    role: message.role,
    content: mask(messageText(message.content), 'input'),
  }));
  const output = record.result === undefined ? undefined : mask(record.result.text, 'output');
  return { input, output };
}

function messageText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('');
}
