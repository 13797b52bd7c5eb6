// Token counting speed of gpt-tokenizer (what llmkit uses) against tiktoken (wasm) and
// js-tiktoken, on 1 MB of mixed English, Chinese, code and numbers, in the same run.
// Usage: node bench/tokenizer.mjs [--runs 5] [--rounds 5] [--encoding o200k_base] [--bytes 1048576]
//        [--text mixed|english|chinese]
//
// COLD: one fresh process per library per run, timed from before the import to after the count
// of the whole text, so loading the vocabulary is included; median of the runs.
// WARM: MB/s in one process that has every library loaded and warmed up, median of the rounds.
// Each round counts a text none of them has seen ("new text"), then counts it again ("same
// text"): gpt-tokenizer keeps a cache of merged chunks, which a recount (a growing chat counted
// turn after turn) hits and a new document does not.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '5' },
    encoding: { type: 'string', multiple: true },
    bytes: { type: 'string', default: String(1024 * 1024) },
    // `english` or `chinese` alone show where each library is fast; the default mixes all four kinds.
    text: { type: 'string', default: 'mixed' },
    child: { type: 'string' },
  },
});
const encodings = values.encoding ?? ['o200k_base', 'cl100k_base'];
const requireModule = createRequire(import.meta.url);

// ---- The text: deterministic, varied enough that caches do not see the same chunk all the time.

function random(seed) {
  // mulberry32: tiny, fast and the same on every machine.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const englishWords =
  `the a model token budget request response provider latency cost user system prompt answer
  context window stream retry timeout error quickly carefully every often never always between through
  after before while because although however therefore server client network cache memory engineer team
  report measure count limit price invoice customer order shipment warehouse weather river mountain city
  language translation summary document paragraph sentence question reason result method data training
  inference evaluation benchmark throughput median percentile deploy release version feature bug fix test
  small large fast slow cheap expensive reliable noisy careful honest simple complex modern ancient bright
  writes reads sends receives counts checks builds breaks improves reduces doubles explains describes
  we they it she he you nobody everyone someone our their its could should would might must will can`
    .split(/\s+/)
    .filter(Boolean);
const chineseWords =
  `模型 语言 数据 训练 推理 用户 系统 服务 请求 响应 成本 预算 时间 问题 方法 结果 文本 代码 网络
  性能 我们 他们 需要 可以 通过 使用 提供 支持 进行 实现 分析 处理 生成 计算 重要 简单 快速 稳定 安全 准确
  天气 城市 河流 山脉 历史 文化 经济 市场 价格 订单 客户 仓库 发货 报告 测试 版本 发布 功能 修复 错误 延迟
  上下文 窗口 词元 计费 缓存 内存 工程师 团队 研究 论文 翻译 摘要 段落 句子 问题 原因 评估 基准 吞吐量
  中位数 部署 今天 明天 昨天 北京 上海 深圳 杭州 非常 已经 正在 仍然 因为 所以 但是 虽然 如果 然后`
    .split(/\s+/)
    .filter(Boolean);
const particles = ['的', '了', '在', '和', '是', '也', '都', '就', '把', '被', '与', '对'];
const chinesePunctuation = ['，', '，', '，', '。', '；', '！', '？', '、'];

function pick(next, list) {
  return list[Math.floor(next() * list.length)];
}

function englishParagraph(next) {
  const sentences = [];
  for (let count = 3 + Math.floor(next() * 5); count > 0; count--) {
    const words = [];
    for (let length = 6 + Math.floor(next() * 14); length > 0; length--) {
      const roll = next();
      if (roll < 0.04) words.push(String(Math.floor(next() * 100000)));
      else if (roll < 0.07) words.push(`${pick(next, englishWords)},`);
      else words.push(pick(next, englishWords));
    }
    const sentence = words.join(' ');
    sentences.push(
      `${sentence[0].toUpperCase()}${sentence.slice(1)}${pick(next, ['.', '.', '.', '?', '!'])}`,
    );
  }
  return sentences.join(' ');
}

function chineseParagraph(next) {
  let paragraph = '';
  for (let clauses = 4 + Math.floor(next() * 8); clauses > 0; clauses--) {
    for (let words = 3 + Math.floor(next() * 7); words > 0; words--) {
      const roll = next();
      if (roll < 0.05) paragraph += ` ${pick(next, ['GPT-4o', 'API', 'JSON', 'HTTP', 'Qwen', 'token'])} `;
      else if (roll < 0.08) paragraph += `${Math.floor(next() * 10000)}`;
      else paragraph += roll < 0.3 ? pick(next, particles) : pick(next, chineseWords);
    }
    paragraph += pick(next, chinesePunctuation);
  }
  return paragraph;
}

function identifier(next) {
  const word = () =>
    pick(
      next,
      englishWords.filter((entry) => /^[a-z]+$/.test(entry)),
    );
  return `${word()}${word().replace(/^./, (letter) => letter.toUpperCase())}`;
}

function codeBlock(next) {
  const name = identifier(next);
  const argument = identifier(next);
  const limit = Math.floor(next() * 5000);
  return pick(next, [
    `export function ${name}(${argument}: number[]): number {\n  let total = 0;\n  for (const value of ${argument}) {\n    if (value > ${limit}) continue;\n    total += value * ${(next() * 10).toFixed(3)};\n  }\n  return total;\n}`,
    `def ${name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}(${argument}, limit=${limit}):\n    """Return the items under the limit."""\n    return [item for item in ${argument} if item < limit]\n`,
    `{"id": "${name}-${limit}", "model": "gpt-4o-mini", "usage": {"prompt_tokens": ${limit}, "completion_tokens": ${Math.floor(next() * 900)}}, "ok": true}`,
    `SELECT ${argument}, COUNT(*) AS total FROM ${name} WHERE created_at > '2026-0${1 + Math.floor(next() * 9)}-1${Math.floor(next() * 9)}' GROUP BY ${argument} ORDER BY total DESC LIMIT ${limit};`,
  ]);
}

function numbersLine(next) {
  const day = String(1 + Math.floor(next() * 28)).padStart(2, '0');
  const price = (next() * 10000).toFixed(2);
  return `2026-11-${day} ${String(Math.floor(next() * 24)).padStart(2, '0')}:${String(Math.floor(next() * 60)).padStart(2, '0')} order #${Math.floor(next() * 1e6)} total $${price} qty ${Math.floor(next() * 50)} ratio ${next().toFixed(4)} 订单金额 ¥${(Number(price) * 7.1).toFixed(2)}`;
}

/** `--bytes` (1 MiB) of UTF-8 text, the same for a seed on every run and machine. */
function benchText(seed, bytes = Number(values.bytes)) {
  const next = random(seed);
  const paragraphs = [];
  let size = 0;
  while (size < bytes) {
    const roll = values.text === 'english' ? 0 : values.text === 'chinese' ? 0.5 : next();
    const paragraph =
      roll < 0.4
        ? englishParagraph(next)
        : roll < 0.75
          ? chineseParagraph(next)
          : roll < 0.9
            ? codeBlock(next)
            : numbersLine(next);
    paragraphs.push(paragraph);
    size += Buffer.byteLength(paragraph) + 2;
  }
  // Cut at a character boundary, so every library gets the same valid string.
  return Buffer.from(paragraphs.join('\n\n'))
    .subarray(0, bytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

// ---- The contenders, each loaded the way its documentation suggests for Node.

const contenders = {
  // The entry point llmkit's src/tokens loads, through require, as llmkit does.
  'gpt-tokenizer': async (encoding) => {
    const tokenizer = requireModule(`gpt-tokenizer/encoding/${encoding}`);
    const options = { disallowedSpecial: new Set() };
    return { count: (text) => tokenizer.countTokens(text, options), free: () => {} };
  },
  tiktoken: async (encoding) => {
    const { get_encoding } = await import('tiktoken');
    const encoder = get_encoding(encoding);
    return { count: (text) => encoder.encode_ordinary(text).length, free: () => encoder.free() };
  },
  'js-tiktoken': async (encoding) => {
    const { Tiktoken } = await import('js-tiktoken/lite');
    const { default: ranks } = await import(`js-tiktoken/ranks/${encoding}`);
    const encoder = new Tiktoken(ranks);
    return { count: (text) => encoder.encode(text, [], []).length, free: () => {} };
  },
};
const names = Object.keys(contenders);

// ---- Child: one cold measurement.

if (values.child !== undefined) {
  const [name, encoding] = values.child.split(':');
  const text = benchText(1);
  const started = performance.now();
  const counter = await contenders[name](encoding);
  const loaded = performance.now();
  const tokens = counter.count(text);
  const finished = performance.now();
  process.stdout.write(
    JSON.stringify({ milliseconds: finished - started, loading: loaded - started, tokens }),
  );
  process.exit(0);
}

// ---- Parent.

const runs = Number(values.runs);
const rounds = Number(values.rounds);
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const script = fileURLToPath(import.meta.url);
const coldText = benchText(1);
const megabytes = Buffer.byteLength(coldText) / (1024 * 1024);
const warmUpText = benchText(2);
const warmTexts = Array.from({ length: rounds }, (_, round) => benchText(3 + round));

function coldRun(name, encoding) {
  const output = execFileSync(
    process.execPath,
    [script, '--bytes', values.bytes, '--text', values.text, '--child', `${name}:${encoding}`],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(output);
}

function rate(counter, text) {
  const started = performance.now();
  const tokens = counter.count(text);
  return {
    tokens,
    megabytesPerSecond: Buffer.byteLength(text) / (1024 * 1024) / ((performance.now() - started) / 1000),
  };
}

const results = [];
for (const encoding of encodings) {
  const cold = Object.fromEntries(names.map((name) => [name, []]));
  const loading = Object.fromEntries(names.map((name) => [name, []]));
  const counts = Object.fromEntries(names.map((name) => [name, new Set()]));
  // Rotate the order run by run, so drift on a noisy machine hits every contender alike.
  for (let run = 0; run < runs; run++) {
    for (let index = 0; index < names.length; index++) {
      const name = names[(index + run) % names.length];
      process.stderr.write(`${encoding} cold run ${run + 1}/${runs}: ${name}\n`);
      const { milliseconds, tokens, loading: loadingMilliseconds } = coldRun(name, encoding);
      cold[name].push(milliseconds);
      loading[name].push(loadingMilliseconds);
      counts[name].add(tokens);
    }
  }

  const counters = {};
  for (const name of names) counters[name] = await contenders[name](encoding);
  for (const name of names) {
    counts[name].add(counters[name].count(coldText));
    counters[name].count(warmUpText); // warm-up: JIT, wasm memory growth
  }
  const newText = Object.fromEntries(names.map((name) => [name, []]));
  const sameText = Object.fromEntries(names.map((name) => [name, []]));
  const warmCounts = warmTexts.map(() => new Set());
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`${encoding} warm round ${round + 1}/${rounds}\n`);
    for (let index = 0; index < names.length; index++) {
      const name = names[(index + round) % names.length];
      const first = rate(counters[name], warmTexts[round]);
      const again = rate(counters[name], warmTexts[round]);
      newText[name].push(first.megabytesPerSecond);
      sameText[name].push(again.megabytesPerSecond);
      warmCounts[round].add(first.tokens).add(again.tokens);
    }
  }
  for (const name of names) counters[name].free();

  const allCounts = new Set(names.flatMap((name) => [...counts[name]]));
  if (allCounts.size !== 1 || warmCounts.some((set) => set.size !== 1)) {
    console.error(
      `${encoding}: the libraries disagree on the count: ${JSON.stringify(names.map((name) => [name, [...counts[name]]]))}`,
    );
    process.exit(1);
  }
  results.push({ encoding, tokens: [...allCounts][0], cold, loading, newText, sameText });
}

const version = (name) =>
  JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
console.log(
  `${megabytes.toFixed(megabytes < 0.1 ? 4 : 2)} MB of ${values.text === 'mixed' ? 'mixed English, Chinese, code and numbers' : `${values.text} text`}; node ${process.versions.node}; ` +
    names.map((name) => `${name} ${version(name)}`).join(', ') +
    `; cold: median of ${runs} fresh processes; warm: median of ${rounds} rounds after a warm-up, each on a new text of the same size`,
);
console.log('');
console.log(
  '| encoding | tokens | library | cold ms (fastest) | of which loading | cold vs tiktoken | warm MB/s, new text | vs tiktoken | warm MB/s, same text again | vs tiktoken |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { encoding, tokens, cold, loading, newText, sameText } of results) {
  const baseCold = median(cold.tiktoken);
  const baseNew = median(newText.tiktoken);
  const baseSame = median(sameText.tiktoken);
  for (const name of names) {
    const coldMs = median(cold[name]);
    const newRate = median(newText[name]);
    const sameRate = median(sameText[name]);
    console.log(
      `| ${encoding} | ${tokens} | ${name} | ${coldMs.toFixed(0)} (${Math.min(...cold[name]).toFixed(0)}) | ${median(loading[name]).toFixed(0)} | ${(baseCold / coldMs).toFixed(2)}x | ` +
        `${newRate.toFixed(2)} | ${(newRate / baseNew).toFixed(2)}x | ${sameRate.toFixed(2)} | ${(sameRate / baseSame).toFixed(2)}x |`,
    );
  }
}
