import { exitCodes, LlmkitError, type LlmkitErrorFields } from './llmkit-error.js';

/** One reason a model's output failed its schema: where (`$.people[0].name`) and what. */
export interface OutputIssue {
  path: string;
  message: string;
}

/** What one structured-output attempt produced, kept so a failure can be debugged. */
export interface OutputAttempt {
  /** The raw text (or tool-call arguments) the model returned. */
  text: string;
  issues: OutputIssue[];
  /** llmkit's id of the call, matching its ledger row. */
  requestId: string;
}

/**
 * A schema llmkit cannot use: not a zod schema, not valid JSON Schema, or one that uses a
 * keyword llmkit cannot validate. Nothing was sent.
 */
export class SchemaError extends LlmkitError {
  override readonly code = 'schema';
  override readonly exitCode = exitCodes.usage;
  constructor(detail: string, fields: LlmkitErrorFields & { hint?: string } = {}) {
    super(
      detail,
      fields.hint ??
        'pass a zod schema or a JSON Schema object such as {"type":"object","properties":{...},"required":[...]}',
      fields,
    );
  }
}

/**
 * No attempt of `generateObject` produced output that parsed and validated. Every attempt was
 * sent and billed; `attempts` holds each raw text and its issues, `text`/`issues` the last one.
 */
export class StructuredOutputError extends LlmkitError {
  override readonly code = 'structured_output';
  override readonly exitCode = exitCodes.provider;
  readonly text: string;
  readonly issues: OutputIssue[];
  readonly attempts: OutputAttempt[];
  constructor(detail: string, attempts: OutputAttempt[], fields: LlmkitErrorFields = {}) {
    super(
      detail,
      'raise maxAttempts, use a stronger model, simplify the schema, or describe the fields in the prompt',
      fields,
    );
    const last = attempts.at(-1);
    this.text = last?.text ?? '';
    this.issues = last?.issues ?? [];
    this.attempts = attempts;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), text: this.text, issues: this.issues, attempts: this.attempts.length };
  }
}

/** Where a guard rule matched: in the caller's input or in the model's output. */
export type GuardDirection = 'input' | 'output';

export interface GuardrailErrorFields extends LlmkitErrorFields {
  rule: string;
  /** The detector (`email`, `cn-id`...), `term`, `regex` or `limit`. */
  matcher: string;
  direction: GuardDirection;
  /** UTF-16 offsets of the match: in the message's text for input, in the output so far for output. */
  start?: number | undefined;
  end?: number | undefined;
  /** Index of the message the match is in (input only). */
  messageIndex?: number | undefined;
}

/**
 * A guard rule with the `block` action matched. For input nothing was sent upstream and
 * nothing was billed; for output the stream was cut at the match, before it reached the caller.
 */
export class GuardrailError extends LlmkitError {
  override readonly code = 'guardrail';
  override readonly exitCode = exitCodes.refused;
  readonly rule: string;
  readonly matcher: string;
  readonly direction: GuardDirection;
  readonly start: number | undefined;
  readonly end: number | undefined;
  readonly messageIndex: number | undefined;
  constructor(detail: string, fields: GuardrailErrorFields & { hint?: string }) {
    super(
      detail,
      fields.hint ??
        "remove the matched text, or change the rule's action to redact or mask-logs; `llmkit guard check` shows what fires",
      fields,
    );
    this.rule = fields.rule;
    this.matcher = fields.matcher;
    this.direction = fields.direction;
    this.start = fields.start;
    this.end = fields.end;
    this.messageIndex = fields.messageIndex;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      rule: this.rule,
      matcher: this.matcher,
      direction: this.direction,
      start: this.start,
      end: this.end,
      messageIndex: this.messageIndex,
    };
  }
}
