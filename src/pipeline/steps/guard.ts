import { GuardrailError } from '../../errors/index.js';
import { type CompiledRule, type Decision, type Direction, Guard, matcherName } from '../../guard/guard.js';
import { mergeSpans, redactText } from '../../guard/scanner.js';
import { StreamGuard } from '../../guard/stream-guard.js';
import type { Finding } from '../../guard/types.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { ChatMessage, ModelRequest, StreamPart } from '../../providers/types.js';
import type { CallContext } from '../call-context.js';
import type { NamedStep } from '../pipeline.js';

export interface GuardServices {
  guard: Guard;
  metrics: Metrics;
  countInput(request: ModelRequest, provider: string, model: string): { tokens: number };
}

interface Reported {
  rule: string;
  matcher: string;
  action: Decision['action'];
  messageIndex?: number;
}

/**
 * The first step: rules in scope look at the input before anything is counted, reserved or
 * sent, and at the output on its way back. `block` refuses (input: nothing sent, nothing
 * billed; output: the stream ends with `GuardrailError` before the match reaches the caller),
 * `redact` replaces matches with `[LABEL]`, `mask-logs` leaves the text alone and masks it
 * where llmkit writes text down (the call log's `input`/`output` with `log.content`). Every
 * decision is logged (rule, matcher, action; never the matched text) and counted in metrics.
 */
export function guardStep(services: GuardServices): NamedStep {
  return {
    name: 'guard',
    async run(context, next) {
      const { provider, model } = context.planTarget(context.modelName);
      const subject = {
        provider,
        model,
        key: context.metadata.gatewayKey,
        project: context.metadata.project,
        tags: context.metadata.tags,
        user: context.metadata.user,
      };
      const input = services.guard.rulesFor(subject, 'input');
      const output = services.guard.rulesFor(subject, 'output');
      if (input.length === 0 && output.length === 0) return next();
      const report = (decisions: Reported[], direction: Direction) =>
        reportDecisions(decisions, direction, context, services.metrics);

      if (input.length > 0) {
        checkLimits(context, input, provider, model, services, report);
        context.request = guardInput(context.request, input, report);
      }
      const maskInput = input.filter((rule) => rule.action === 'mask-logs');
      const maskOutput = output.filter((rule) => rule.action === 'mask-logs');
      if (maskInput.length > 0 || maskOutput.length > 0) {
        context.maskForLogs = (text, direction) =>
          Guard.redact(text, direction === 'input' ? maskInput : maskOutput);
      }
      const stream = await next();
      return output.length === 0 ? stream : guardStream(stream, outputGuard(output, report));
    },
  };
}

function checkLimits(
  context: CallContext,
  rules: CompiledRule[],
  provider: string,
  model: string,
  services: GuardServices,
  report: (decisions: Reported[], direction: Direction) => void,
): void {
  for (const rule of rules) {
    const { maxInputChars, maxInputTokens } = rule.config;
    const checks: Array<[number | undefined, () => number, string]> = [
      [maxInputChars, () => inputChars(context.request.messages), 'characters'],
      [maxInputTokens, () => services.countInput(context.request, provider, model).tokens, 'tokens'],
    ];
    for (const [limit, measure, unit] of checks) {
      if (limit === undefined) continue;
      const size = measure();
      if (size <= limit) continue;
      report([{ rule: rule.name, matcher: 'limit', action: 'block' }], 'input');
      throw new GuardrailError(
        `guard rule "${rule.name}" blocked the input: ${size} ${unit}, over its limit of ${limit}`,
        {
          rule: rule.name,
          matcher: 'limit',
          direction: 'input',
          hint: 'shorten the input, or raise the rule\'s limit under "guardrails" in the config',
        },
      );
    }
  }
}

/** Scans every text of every message; throws on the first block, returns the request with redactions. */
function guardInput(
  request: ModelRequest,
  rules: CompiledRule[],
  report: (decisions: Reported[], direction: Direction) => void,
): ModelRequest {
  const textRules = rules.filter((rule) => rule.matchers.length > 0);
  if (textRules.length === 0) return request;
  const seen: Reported[] = [];
  let changed = false;
  const messages = request.messages.map((message, messageIndex) =>
    mapMessageText(message, (text) => {
      const decisions = Guard.decide(text, textRules);
      if (decisions.length === 0) return text;
      for (const decision of decisions) seen.push({ ...reported(decision), messageIndex });
      const block = decisions.find((decision) => decision.action === 'block');
      if (block) {
        report(seen, 'input');
        throw blockedError(block, 'input', messageIndex);
      }
      const redactions = decisions.filter((decision) => decision.action === 'redact');
      if (redactions.length === 0) return text;
      changed = true;
      return redactText(text, mergeSpans(redactions));
    }),
  );
  report(seen, 'input');
  return changed ? { ...request, messages } : request;
}

/**
 * Guards output as it streams: each choice's text goes through a `StreamGuard`, which holds back
 * just enough text for a match split across deltas to be caught whole. `mask-logs` rules need no
 * hold-back (the text passes as it is), so they are counted once the answer is complete.
 */
function outputGuard(
  rules: CompiledRule[],
  report: (decisions: Reported[], direction: Direction) => void,
): PartProcessor {
  const live = rules.filter((rule) => rule.action !== 'mask-logs');
  const masked = rules.filter((rule) => rule.action === 'mask-logs');
  const matchers = live.flatMap((rule) => rule.matchers);
  const actions = new Map(live.map((rule) => [rule.name, rule.action]));
  const guards = new Map<number, StreamGuard>();
  const texts = new Map<number, string>();
  // Tool-call arguments (the object of generateObject's tool mode, a tool's inputs) are output too.
  const callGuards = new Map<string, { choiceIndex: number; toolCallIndex: number; guard: StreamGuard }>();

  /** Reports what a guard released; a block ends the stream before its text goes anywhere. */
  const judge = (released: { findings: Finding[] }) => {
    const decisions = released.findings.map((finding) => ({
      ...finding,
      action: actions.get(finding.rule)!,
    }));
    report(decisions.map(reported), 'output');
    const block = decisions.find((decision) => decision.action === 'block');
    if (block) throw blockedError(block, 'output');
  };
  const release = (
    choiceIndex: number,
    released: { text: string; findings: Finding[] },
    out: StreamPart[],
  ) => {
    judge(released);
    if (released.text) out.push({ type: 'text-delta', choiceIndex, text: released.text });
  };
  const releaseArguments = (
    part: Extract<StreamPart, { type: 'tool-call-delta' }>,
    released: { text: string; findings: Finding[] },
    out: StreamPart[],
  ) => {
    judge(released);
    // The first delta of a call carries its id and name even when no argument text is released yet.
    if (released.text || part.id || part.name) out.push({ ...part, argumentsDelta: released.text });
  };
  const flushChoice = (choiceIndex: number, out: StreamPart[]) => {
    for (const [key, entry] of [...callGuards]) {
      if (entry.choiceIndex !== choiceIndex) continue;
      callGuards.delete(key);
      const { toolCallIndex } = entry;
      releaseArguments(
        { type: 'tool-call-delta', choiceIndex, toolCallIndex, argumentsDelta: '' },
        entry.guard.flush(),
        out,
      );
    }
    const guard = guards.get(choiceIndex);
    if (!guard) return;
    guards.delete(choiceIndex);
    release(choiceIndex, guard.flush(), out);
  };

  return {
    transform(part) {
      const out: StreamPart[] = [];
      if (part.type === 'text-delta') {
        if (masked.length > 0) texts.set(part.choiceIndex, (texts.get(part.choiceIndex) ?? '') + part.text);
        if (matchers.length === 0) return [part];
        let guard = guards.get(part.choiceIndex);
        if (!guard) {
          guard = new StreamGuard(matchers);
          guards.set(part.choiceIndex, guard);
        }
        release(part.choiceIndex, guard.push(part.text), out);
        return out;
      }
      if (part.type === 'tool-call-delta' && matchers.length > 0) {
        const key = `${part.choiceIndex}:${part.toolCallIndex}`;
        let entry = callGuards.get(key);
        if (!entry) {
          entry = {
            choiceIndex: part.choiceIndex,
            toolCallIndex: part.toolCallIndex,
            guard: new StreamGuard(matchers),
          };
          callGuards.set(key, entry);
        }
        releaseArguments(part, entry.guard.push(part.argumentsDelta), out);
        return out;
      }
      if (part.type === 'finish') flushChoice(part.choiceIndex, out);
      out.push(part);
      return out;
    },
    flush() {
      const out: StreamPart[] = [];
      const choices = new Set([
        ...guards.keys(),
        ...[...callGuards.values()].map((entry) => entry.choiceIndex),
      ]);
      for (const choiceIndex of choices) flushChoice(choiceIndex, out);
      for (const text of texts.values()) report(Guard.decide(text, masked).map(reported), 'output');
      return out;
    },
  };
}

interface PartProcessor {
  transform(part: StreamPart): StreamPart[];
  flush(): StreamPart[];
}

/**
 * Runs parts through `processor`. When it throws (a block), the upstream is cancelled first, so
 * the attempt is recorded (and billed for what arrived) before the call sees the error.
 */
function guardStream(
  stream: ReadableStream<StreamPart>,
  processor: PartProcessor,
): ReadableStream<StreamPart> {
  const reader = stream.getReader();
  return new ReadableStream<StreamPart>({
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          const parts = done ? processor.flush() : processor.transform(value);
          for (const part of parts) controller.enqueue(part);
          if (done) return controller.close();
          if (parts.length > 0) return;
        }
      } catch (error) {
        await reader.cancel(error).catch(() => {});
        controller.error(error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

function reported(decision: Decision): Reported {
  return { rule: decision.rule, matcher: matcherName(decision), action: decision.action };
}

function blockedError(decision: Decision, direction: Direction, messageIndex?: number): GuardrailError {
  const where =
    direction === 'input'
      ? `message ${messageIndex}, characters ${decision.start}-${decision.end}`
      : `output characters ${decision.start}-${decision.end}`;
  return new GuardrailError(
    `guard rule "${decision.rule}" (${matcherName(decision)}) blocked the ${direction}: ${decision.label} at ${where}`,
    {
      rule: decision.rule,
      matcher: matcherName(decision),
      direction,
      start: decision.start,
      end: decision.end,
      messageIndex,
    },
  );
}

/** One log line and the metric per rule, matcher and action; the matched text is never written. */
function reportDecisions(
  decisions: Reported[],
  direction: Direction,
  context: CallContext,
  metrics: Metrics,
): void {
  if (decisions.length === 0) return;
  const counts = new Map<string, Reported & { count: number }>();
  for (const decision of decisions) {
    const key = `${decision.rule}\u0000${decision.matcher}\u0000${decision.action}`;
    const entry = counts.get(key);
    if (entry) entry.count++;
    else
      counts.set(key, { rule: decision.rule, matcher: decision.matcher, action: decision.action, count: 1 });
  }
  const summary = [...counts.values()];
  for (const entry of summary) {
    metrics.guardDecisions.inc(
      { rule: entry.rule, matcher: entry.matcher, action: entry.action, direction },
      entry.count,
    );
  }
  const blocked = summary.some((entry) => entry.action === 'block');
  context.logger.info(
    { event: 'guard', requestId: context.requestId, direction, decisions: summary },
    blocked ? `guard blocked the ${direction}` : `guard rules matched the ${direction}`,
  );
}

function inputChars(messages: ChatMessage[]): number {
  let chars = 0;
  for (const message of messages) {
    mapMessageText(message, (text) => {
      chars += text.length;
      return text;
    });
  }
  return chars;
}

/** Applies `map` to every text of a message (string content or text parts); a new message only when one changed. */
function mapMessageText(message: ChatMessage, map: (text: string) => string): ChatMessage {
  let mapped = mapContent(message, map);
  // Tool-call arguments in the history are sent again on every step of a tool loop.
  if (mapped.role === 'assistant' && mapped.tool_calls) {
    let changed = false;
    const calls = mapped.tool_calls.map((call) => {
      const args = map(call.function.arguments);
      if (args === call.function.arguments) return call;
      changed = true;
      return { ...call, function: { ...call.function, arguments: args } };
    });
    if (changed) mapped = { ...mapped, tool_calls: calls };
  }
  return mapped;
}

function mapContent(message: ChatMessage, map: (text: string) => string): ChatMessage {
  const content = message.content;
  if (typeof content === 'string') {
    const mapped = map(content);
    return mapped === content ? message : ({ ...message, content: mapped } as ChatMessage);
  }
  if (!Array.isArray(content)) return message;
  let changed = false;
  const parts = content.map((part) => {
    if (part.type !== 'text') return part;
    const mapped = map(part.text);
    if (mapped === part.text) return part;
    changed = true;
    return { ...part, text: mapped };
  });
  return changed ? ({ ...message, content: parts } as ChatMessage) : message;
}
