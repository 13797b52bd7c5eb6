import { AbortedError, LlmkitError, TimeoutError } from '../../errors/index.js';
import type { StreamPart } from '../../providers/types.js';
import { retryDecision } from '../../retry/retry-policy.js';
import { abortReason, sleep } from '../../retry/sleep.js';
import type { AttemptRecord, CallContext } from '../call-context.js';
import type { NamedStep, Next } from '../pipeline.js';
import { isContentPart } from '../result-accumulator.js';

interface Attempt {
  reader: ReadableStreamDefaultReader<StreamPart>;
  controller: AbortController;
  record: AttemptRecord;
  gotFirstToken: boolean;
  /** Called on every part: clears the first-token timer, re-arms the idle one. */
  touch(part: StreamPart): void;
  end(outcome: unknown): AttemptRecord;
}

/**
 * Sends the call, and sends it again when the policy says so. A failure before the first
 * content delta reached the caller is retried transparently, even mid-stream; after it, never.
 * The first-token and idle timeouts are per attempt; the total one is the call's deadline.
 */
export const retryStep: NamedStep = {
  name: 'retry',
  async run(context, next) {
    let delivered = false;
    let current = await startAttempt(context, next, 0);
    return new ReadableStream<StreamPart>(
      {
        async pull(controller) {
          for (;;) {
            try {
              const { done, value } = await current.reader.read();
              if (done) {
                context.onAttempt(current.end(undefined));
                controller.close();
                return;
              }
              current.touch(value);
              if (isContentPart(value)) delivered = true;
              controller.enqueue(value);
              return;
            } catch (caught) {
              const error = current.controller.signal.aborted
                ? abortReason(current.controller.signal)
                : caught;
              const record = current.end(error);
              const decision = retryDecision(error, context.retry, {
                attempts: record.attempt,
                remainingMs: context.deadline - Date.now(),
                deliveredOutput: delivered && context.mode === 'stream',
              });
              Object.assign(
                record,
                decision.retry
                  ? { retryInMs: decision.delayMs, retryReason: decision.reason }
                  : { stopReason: decision.reason },
              );
              context.onAttempt(record);
              if (!decision.retry) {
                controller.error(error);
                return;
              }
              try {
                await sleep(decision.delayMs, context.signal);
                current = await startAttempt(context, next, record.attempt);
              } catch (failure) {
                controller.error(failure);
                return;
              }
            }
          }
        },
        async cancel(reason) {
          current.controller.abort(new AbortedError({ cause: reason }));
          context.onAttempt(current.end(new AbortedError({ cause: reason })));
          await current.reader.cancel(reason).catch(() => {});
        },
      },
      { highWaterMark: 0 },
    );
  },
};

async function startAttempt(context: CallContext, next: Next, previous: number): Promise<Attempt> {
  for (let number = previous + 1; ; number++) {
    const attempt = openAttempt(context, number);
    try {
      const stream = await next();
      attempt.reader = stream.getReader();
      return attempt;
    } catch (caught) {
      const error = attempt.controller.signal.aborted ? abortReason(attempt.controller.signal) : caught;
      const record = attempt.end(error);
      const decision = retryDecision(error, context.retry, {
        attempts: number,
        remainingMs: context.deadline - Date.now(),
      });
      Object.assign(
        record,
        decision.retry
          ? { retryInMs: decision.delayMs, retryReason: decision.reason }
          : { stopReason: decision.reason },
      );
      context.onAttempt(record);
      if (!decision.retry) throw error;
      await sleep(decision.delayMs, context.signal);
    }
  }
}

function openAttempt(context: CallContext, number: number): Attempt {
  const target = context.target;
  const controller = new AbortController();
  const fields = { provider: target?.provider, model: target?.model };
  const forward = () => controller.abort(context.signal.reason);
  if (context.signal.aborted) forward();
  else context.signal.addEventListener('abort', forward, { once: true });
  const startedAt = Date.now();
  const streaming = context.mode === 'stream';
  let firstTokenTimer: NodeJS.Timeout | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  if (streaming) {
    const { firstTokenMs } = context.timeouts;
    firstTokenTimer = setTimeout(
      () => controller.abort(new TimeoutError('first-token', firstTokenMs, fields)),
      firstTokenMs,
    );
  }
  const armIdle = () => {
    clearTimeout(idleTimer);
    const { idleMs } = context.timeouts;
    idleTimer = setTimeout(() => controller.abort(new TimeoutError('idle', idleMs, fields)), idleMs);
  };
  context.attemptSignal = controller.signal;
  context.attemptStartedAt = startedAt;
  const record: AttemptRecord = {
    attempt: number,
    provider: target?.provider ?? 'unknown',
    model: target?.model ?? 'unknown',
    startedAt,
    latencyMs: 0,
    status: 'ok',
  };
  const attempt: Attempt = {
    reader: undefined as unknown as ReadableStreamDefaultReader<StreamPart>, // set once headers arrive
    controller,
    record,
    gotFirstToken: false,
    touch(part) {
      if (part.type === 'response-metadata' && part.requestId) record.requestId = part.requestId;
      if (!attempt.gotFirstToken && isContentPart(part)) {
        attempt.gotFirstToken = true;
        record.ttftMs = Date.now() - startedAt;
        clearTimeout(firstTokenTimer);
      }
      if (streaming && attempt.gotFirstToken) armIdle();
    },
    end(outcome) {
      clearTimeout(firstTokenTimer);
      clearTimeout(idleTimer);
      context.signal.removeEventListener('abort', forward);
      record.latencyMs = Date.now() - startedAt;
      if (outcome !== undefined) {
        const error = LlmkitError.isInstance(outcome) ? outcome : undefined;
        record.status = error?.code === 'aborted' ? 'aborted' : 'error';
        record.error = error;
        record.httpStatus = error?.status;
        record.requestId = error?.requestId ?? record.requestId;
      }
      return record;
    },
  };
  return attempt;
}
