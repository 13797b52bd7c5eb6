// Guardrail scanning throughput: every built-in detector plus a 100-term banned list over 1 MB of
// mixed English and Chinese prose with personal data sprinkled in, then the same text streamed
// through StreamGuard in 20-character deltas.
// Usage: npm run build && node bench/guard.mjs [--rounds 7] [--bytes 1048576] [--delta 20]
//        [--module ./dist/index.js]   (any module exporting the guard API, e.g. an esbuild bundle)
//
// MB/s counts UTF-8 bytes (1 MB = 1,048,576 bytes), so a Chinese character counts 3 bytes.
// Each figure is the median over the rounds after a warm-up, with the slowest round next to it.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    bytes: { type: 'string', default: String(1024 * 1024) },
    delta: { type: 'string', default: '20' },
    module: { type: 'string' },
  },
});
const guard = await import(
  values.module === undefined ? '../dist/index.js' : pathToFileURL(values.module).href
);
const { detectorMatcher, detectorNames, redactText, regexMatcher, scanText, StreamGuard, termMatcher } =
  guard;

// ---- The text: deterministic, from a fixed seed.

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
const pick = (next, list) => list[Math.floor(next() * list.length)];
const digits = (next, count) => Array.from({ length: count }, () => Math.floor(next() * 10)).join('');

const englishWords = `the a model token budget request response provider latency cost user system prompt
  answer context window stream retry timeout error quickly carefully every often never always between
  through after before while because although however therefore server client network cache memory
  engineer team report measure count limit price invoice customer order shipment warehouse weather
  river mountain city language translation summary document paragraph sentence question reason result
  method data training inference evaluation benchmark throughput median percentile deploy release
  version feature bug fix test small large fast slow cheap expensive reliable noisy careful honest
  simple complex modern ancient bright writes reads sends receives counts checks builds breaks improves
  reduces doubles explains describes we they it she he you nobody everyone someone our their its could
  should would might must will can class pass assess classic bypass`
  .split(/\s+/)
  .filter(Boolean);
const chineseWords = `模型 语言 数据 训练 推理 用户 系统 服务 请求 响应 成本 预算 时间 问题 方法 结果 文本
  代码 网络 性能 我们 他们 需要 可以 通过 使用 提供 支持 进行 实现 分析 处理 生成 计算 重要 简单 快速
  稳定 安全 准确 天气 城市 河流 山脉 历史 文化 经济 市场 价格 订单 客户 仓库 发货 报告 测试 版本 发布
  功能 修复 错误 延迟 上下文 窗口 词元 计费 缓存 内存 工程师 团队 研究 论文 翻译 摘要 段落 句子 原因
  评估 基准 吞吐量 中位数 部署 今天 明天 昨天 北京 上海 深圳 杭州 非常 已经 正在 仍然 因为 所以 但是`
  .split(/\s+/)
  .filter(Boolean);
const particles = ['的', '了', '在', '和', '是', '也', '都', '就', '把', '被', '与', '对'];
const chinesePunctuation = ['，', '，', '，', '。', '；', '！', '？', '、'];

// 50 Chinese and 50 English banned terms; a few of them occur in the text (see `banned` below).
const bannedChinese =
  `机密 绝密 内部资料 内部文件 商业秘密 泄露 泄密 密码本 身份证复印件 银行流水 工资单 病历 诊断书
  赌博 博彩 代开发票 刷单 套现 洗钱 走私 毒品 枪支 黑客攻击 木马程序 钓鱼网站 盗号 外挂 私服 传销 非法集资
  高利贷 裸聊 色情 暴力 恐怖 爆炸物 假证 办证 代考 替考 作弊器 监听器 跟踪器 偷拍 人肉搜索 开房记录 快递单号
  通话记录 定位服务 翻墙`
    .split(/\s+/)
    .filter(Boolean);
const bannedEnglish = `confidential top-secret internal-only password dump credit-report payroll ssn
  social-security malware ransomware keylogger phishing exploit-kit botnet carding skimmer counterfeit
  money-laundering smuggling narcotics firearm explosive bomb-making hitman darknet torrent warez
  keygen crack cheat-engine aimbot gambling casino escort porn nude violence terror extremist hate-speech
  doxxing stalkerware spyware surveillance leaked classified insider trade-secret blackmail extortion ass`
  .split(/\s+/)
  .filter(Boolean);
const banned = [...bannedChinese, ...bannedEnglish];

function chineseIdNumber(next) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const birth = `${1950 + Math.floor(next() * 60)}${String(1 + Math.floor(next() * 12)).padStart(2, '0')}${String(1 + Math.floor(next() * 28)).padStart(2, '0')}`;
  const body = `${pick(next, ['11', '31', '44', '33', '51'])}0${digits(next, 3)}${birth}${digits(next, 3)}`;
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * weights[index], 0);
  return body + '10X98765432'[sum % 11];
}
function cardNumber(next) {
  const body = `${pick(next, ['4', '5', '62'])}${digits(next, 20)}`.slice(0, 15);
  for (let check = 0; check < 10; check += 1) {
    const candidate = body + check;
    let sum = 0;
    for (let index = 0; index < 16; index += 1) {
      let digit = Number(candidate[15 - index]);
      if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      sum += digit;
    }
    if (sum % 10 === 0) return next() < 0.5 ? candidate : candidate.replace(/(\d{4})(?=\d)/g, '$1 ');
  }
  throw new Error('unreachable');
}
const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomToken = (next, length, alphabet = alphanumeric) =>
  Array.from({ length }, () => pick(next, alphabet)).join('');

/** One piece of personal data or a credential, rotating through every detector's shapes. */
function sensitive(next, index) {
  const kinds = [
    () =>
      `${pick(next, ['li.wei', 'j.smith', 'ops-team', 'zhang_san'])}${Math.floor(next() * 100)}@${pick(next, ['example.com', 'corp.example.cn', 'mail.qq.com'])}`,
    () => `1${pick(next, ['38', '39', '50', '86', '77'])}${digits(next, 8)}`,
    () => `+86 1${pick(next, ['38', '59'])} ${digits(next, 4)} ${digits(next, 4)}`,
    () => `+1 415 ${digits(next, 3)} ${digits(next, 4)}`,
    () => chineseIdNumber(next),
    () => cardNumber(next),
    () =>
      `${10 + Math.floor(next() * 200)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${1 + Math.floor(next() * 254)}`,
    () => `2001:db8:${Math.floor(next() * 65535).toString(16)}::${Math.floor(next() * 65535).toString(16)}`,
    () => `sk-proj-${randomToken(next, 40, `${alphanumeric}_-`)}`,
    () => `AKIA${randomToken(next, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
    () => `Bearer ${randomToken(next, 36)}`,
    () => `ghp_${randomToken(next, 36)}`,
  ];
  return kinds[index % kinds.length]();
}

/** Numbers that look like personal data and are not: the detectors must reject them. */
function nearMiss(next) {
  return pick(next, [
    () => `${1700000000000 + Math.floor(next() * 1e11)}`,
    () => `v${Math.floor(next() * 10)}.${Math.floor(next() * 20)}.${Math.floor(next() * 30)}`,
    () =>
      `${String(Math.floor(next() * 24)).padStart(2, '0')}:${String(Math.floor(next() * 60)).padStart(2, '0')}:${String(Math.floor(next() * 60)).padStart(2, '0')}`,
    () => `order ${digits(next, 12)}`,
    () => `¥${(next() * 10000).toFixed(2)}`,
    () => `std::vector<int>`,
    () => `${2000 + Math.floor(next() * 30)}年${1 + Math.floor(next() * 12)}月`,
  ])();
}

function englishSentence(next) {
  const words = [];
  for (let length = 6 + Math.floor(next() * 14); length > 0; length -= 1) {
    const roll = next();
    if (roll < 0.03) words.push(String(Math.floor(next() * 100000)));
    else if (roll < 0.06) words.push(`${pick(next, englishWords)},`);
    else words.push(pick(next, englishWords));
  }
  const sentence = words.join(' ');
  return `${sentence[0].toUpperCase()}${sentence.slice(1)}${pick(next, ['.', '.', '.', '?', '!'])}`;
}

function chineseClause(next) {
  let clause = '';
  for (let words = 3 + Math.floor(next() * 7); words > 0; words -= 1) {
    const roll = next();
    if (roll < 0.04) clause += ` ${pick(next, ['GPT-4o', 'API', 'JSON', 'HTTP', 'Qwen', 'token'])} `;
    else if (roll < 0.07) clause += `${Math.floor(next() * 10000)}`;
    else clause += roll < 0.3 ? pick(next, particles) : pick(next, chineseWords);
  }
  return clause + pick(next, chinesePunctuation);
}

/**
 * `bytes` of UTF-8 prose, half English and half Chinese by paragraph, with one piece of personal
 * data or a credential every ~2 KB, a near miss every ~1 KB and a banned term every ~8 KB.
 */
function benchText(seed, bytes) {
  const next = random(seed);
  const paragraphs = [];
  let size = 0;
  let sinceSensitive = 0;
  let sinceNearMiss = 0;
  let sinceBanned = 0;
  let sensitiveCount = 0;
  while (size < bytes) {
    const english = next() < 0.5;
    let paragraph = '';
    for (let parts = 3 + Math.floor(next() * 5); parts > 0; parts -= 1) {
      let part = english ? `${englishSentence(next)} ` : chineseClause(next);
      const partBytes = Buffer.byteLength(part);
      sinceSensitive += partBytes;
      sinceNearMiss += partBytes;
      sinceBanned += partBytes;
      if (sinceSensitive >= 2048) {
        const item = sensitive(next, sensitiveCount);
        sensitiveCount += 1;
        part += english ? `Contact: ${item}. ` : `联系方式${item}，`;
        sinceSensitive = 0;
      }
      if (sinceNearMiss >= 1024) {
        part += english ? `At ${nearMiss(next)} nothing happened. ` : `在${nearMiss(next)}，`;
        sinceNearMiss = 0;
      }
      if (sinceBanned >= 8192) {
        const term = english ? pick(next, bannedEnglish) : pick(next, bannedChinese);
        part += english ? `It was ${term} data. ` : `这是${term}，`;
        sinceBanned = 0;
      }
      paragraph += part;
    }
    paragraph += '\n\n';
    paragraphs.push(paragraph);
    size += Buffer.byteLength(paragraph);
  }
  // Cut at a character boundary close to `bytes`.
  const text = paragraphs.join('');
  return Buffer.from(text)
    .subarray(0, bytes)
    .toString()
    .replace(/\uFFFD$/, '');
}

// ---- Measurement.

const rounds = Number(values.rounds);
const text = benchText(20261124, Number(values.bytes));
const megabytes = Buffer.byteLength(text) / (1024 * 1024);
const matchers = [
  ...detectorNames.map((name) => detectorMatcher('pii', name)),
  termMatcher('banned', banned),
];

function measure(work) {
  for (let warmUp = 0; warmUp < 3; warmUp += 1) work();
  const rates = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    work();
    rates.push(megabytes / ((performance.now() - started) / 1000));
  }
  rates.sort((a, b) => a - b);
  return { median: rates[Math.floor(rates.length / 2)], min: rates[0] };
}

const ticketRegex = regexMatcher('tickets', 'ticket-\\d+', { flags: 'i' });
const deltaLength = Number(values.delta);
function streamed() {
  const stream = new StreamGuard(matchers);
  let output = '';
  for (let index = 0; index < text.length; index += deltaLength) {
    output += stream.push(text.slice(index, index + deltaLength)).text;
  }
  return output + stream.flush().text;
}

const findings = scanText(text, matchers);
const byKind = {};
for (const finding of findings) {
  const key = finding.detector ?? finding.kind;
  byKind[key] = (byKind[key] ?? 0) + 1;
}
const redacted = redactText(text, findings);
if (streamed() !== redacted) throw new Error('StreamGuard output differs from redactText on the whole text');

const results = [
  ['scan (every detector + 100 terms)', measure(() => scanText(text, matchers))],
  ['scan + redact', measure(() => redactText(text, scanText(text, matchers)))],
  ...detectorNames.map((name) => [
    `  detector ${name} alone`,
    measure(() => scanText(text, [matchers[detectorNames.indexOf(name)]])),
  ]),
  ['  100 terms alone', measure(() => scanText(text, [matchers.at(-1)]))],
  // Not part of the goal: user patterns run on V8's linear-time engine, slower but hang-proof.
  ['  a user regex /ticket-\\d+/i alone', measure(() => scanText(text, [ticketRegex]))],
  [`StreamGuard, ${deltaLength}-char deltas`, measure(streamed)],
];

console.log(
  `${megabytes.toFixed(2)} MB (${text.length} UTF-16 units) of mixed English/Chinese; node ${process.versions.node}; ` +
    `${rounds} rounds after 3 warm-ups; findings: ${Object.entries(byKind)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')}\n`,
);
console.log('| work | MB/s median | MB/s slowest round |');
console.log('| ---- | ----------- | ------------------ |');
for (const [name, { median, min }] of results) {
  console.log(`| ${name} | ${median.toFixed(1)} | ${min.toFixed(1)} |`);
}
