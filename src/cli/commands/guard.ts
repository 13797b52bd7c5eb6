import type { Command } from 'commander';
import type { LlmkitConfig } from '../../config/config-schema.js';
import { resolveModel } from '../../config/resolve-model.js';
import { exitCodes, UsageError } from '../../errors/index.js';
import { type CompiledRule, compileRule, type Decision, Guard, matcherName } from '../../guard/guard.js';
import { type GuardRuleConfig, guardRuleSchema } from '../../guard/guard-schema.js';
import { detectorNames } from '../../guard/types.js';
import { countTokens } from '../../tokens/count-tokens.js';
import { loadCliConfig, reportError } from '../cli-context.js';
import { readPrompt } from '../read-prompt.js';

interface CheckOptions {
  file?: string;
  direction: 'input' | 'output';
  detectors?: string;
  model?: string;
  json?: boolean;
}

interface Row {
  rule: string;
  matcher: string;
  action: string;
  start?: number;
  end?: number;
  label?: string;
  detail?: string;
}

export function registerGuard(program: Command): void {
  const guard = program.command('guard').description('check text against the guard rules');
  guard
    .command('check')
    .description(
      'show which guard rules fire on a text and where; exit 4 when a block rule fires (no call is made)',
    )
    .argument('[text]', 'the text; `-` (or no argument with piped input) reads stdin')
    .option('-f, --file <path>', 'read the text from a file')
    .option(
      '--direction <direction>',
      'check the rules that apply to input or to output',
      parseDirection,
      'input',
    )
    .option(
      '--detectors <list>',
      `run these built-in detectors instead of the configured rules (comma-separated: ${detectorNames.join(', ')}, or all)`,
    )
    .option('-m, --model <model>', 'model whose tokenizer counts tokens for maxInputTokens rules')
    .option('--json', 'print { ok, blocked, findings, redacted } as JSON')
    .action(async (text: string | undefined, options: CheckOptions, command: Command) => {
      process.exitCode = await check(text, options, command);
    });
}

function parseDirection(value: string): 'input' | 'output' {
  if (value === 'input' || value === 'output') return value;
  throw new UsageError(`--direction must be input or output, got "${value}"`);
}

async function check(argument: string | undefined, options: CheckOptions, command: Command): Promise<number> {
  try {
    const loaded = loadCliConfig(command);
    const text = await readPrompt(argument, options.file);
    const { rules, note } = rulesToCheck(loaded.config.guardrails, options);
    if (note) process.stderr.write(`llmkit: ${note}\n`);
    const rows: Row[] = [];
    for (const rule of rules) {
      const limit = limitRow(rule, text, options.model ?? loaded.config.defaultModel, loaded.config);
      if (limit) rows.push(limit);
    }
    const decisions = Guard.decide(text, rules);
    rows.push(...decisions.map(decisionRow));
    rows.sort((a, b) => (a.start ?? -1) - (b.start ?? -1));
    const blocked = rows.some((row) => row.action === 'block');
    // Every match is masked here, whatever its action: a blocked secret is not printed whole either.
    const redacted = Guard.redact(text, rules);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ok: true, blocked, findings: rows, redacted })}\n`);
    } else {
      process.stdout.write(render(rows, text, redacted));
    }
    return blocked ? exitCodes.refused : exitCodes.ok;
  } catch (error) {
    return reportError(error, options.json);
  }
}

/** The configured rules for the direction (every scope), or ad-hoc detectors that only report. */
function rulesToCheck(
  configured: readonly GuardRuleConfig[],
  options: CheckOptions,
): { rules: CompiledRule[]; note?: string } {
  if (options.detectors !== undefined || configured.length === 0) {
    const names =
      options.detectors === undefined || options.detectors.trim() === 'all'
        ? [...detectorNames]
        : options.detectors.split(',').map((name) => name.trim());
    const parsed = guardRuleSchema.safeParse({ name: 'check', detectors: names, action: 'redact' });
    if (!parsed.success) {
      throw new UsageError(`--detectors: ${parsed.error.issues[0]?.message ?? 'invalid list'}`, {
        hint: `use a comma-separated list of ${detectorNames.join(', ')}, or all`,
      });
    }
    return {
      rules: [compileRule(parsed.data)],
      ...(options.detectors === undefined
        ? { note: 'no guardrails are configured; checking every built-in detector (action shown: redact)' }
        : {}),
    };
  }
  return { rules: configured.filter((rule) => rule.apply.includes(options.direction)).map(compileRule) };
}

function limitRow(
  rule: CompiledRule,
  text: string,
  model: string | undefined,
  config: LlmkitConfig,
): Row | undefined {
  const { maxInputChars, maxInputTokens } = rule.config;
  if (maxInputChars !== undefined && text.length > maxInputChars) {
    return {
      rule: rule.name,
      matcher: 'limit',
      action: 'block',
      detail: `${text.length} characters > ${maxInputChars}`,
    };
  }
  if (maxInputTokens !== undefined) {
    const target = resolveModel(model ?? 'gpt-4o', config);
    const tokens = countTokens(text, `${target.provider}/${target.model}`).tokens;
    if (tokens > maxInputTokens) {
      return {
        rule: rule.name,
        matcher: 'limit',
        action: 'block',
        detail: `${tokens} tokens > ${maxInputTokens}`,
      };
    }
  }
  return undefined;
}

function decisionRow(decision: Decision): Row {
  return {
    rule: decision.rule,
    matcher: matcherName(decision),
    action: decision.action,
    start: decision.start,
    end: decision.end,
    label: decision.label,
  };
}

function render(rows: Row[], text: string, redacted: string): string {
  if (rows.length === 0) return 'no rule fired\n';
  const lines = rows.map((row) => {
    const where =
      row.start === undefined
        ? (row.detail ?? '')
        : `${row.start}-${row.end}  ${excerpt(text, row.start, row.end!)}`;
    return [row.rule, row.matcher, row.action, where];
  });
  const header = ['RULE', 'MATCHER', 'ACTION', 'WHERE'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]!.length)),
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const out = [format(header), ...lines.map(format)];
  if (redacted !== text) out.push('', `redacted: ${redacted}`);
  return `${out.join('\n')}\n`;
}

/** The match with its middle masked, so a secret shown on a terminal is not leaked whole. */
function excerpt(text: string, start: number, end: number): string {
  const match = text.slice(start, end).replace(/\s+/g, ' ');
  if (match.length <= 4) return JSON.stringify(match);
  const keep = Math.min(3, Math.floor(match.length / 4));
  return JSON.stringify(`${match.slice(0, keep)}${'*'.repeat(match.length - 2 * keep)}${match.slice(-keep)}`);
}
