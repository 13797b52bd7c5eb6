// Figures and tables of the gateway bench.

const median = (list) => {
  const sorted = list.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};

/**
 * Medians over the rounds; added latency is paired with direct round by round (measured seconds
 * apart under the same load), then the median is taken. Peak RSS is the largest of the rounds.
 */
export function summarizeCell({ latencyMs, connections, rounds }, names) {
  const contenders = {};
  for (const name of names) {
    const runs = rounds.map((round) => round[name]);
    const added = (key) =>
      rounds.map((round) => (round.direct ? round[name][key] - round.direct[key] : Number.NaN));
    contenders[name] = {
      requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
      addedP50: name === 'direct' ? 0 : median(added('p50')),
      addedP99: name === 'direct' ? 0 : median(added('p99')),
      cpuUsPerRequest: median(runs.map((run) => run.cpuUsPerRequest)),
      peakRssMb: Math.max(...runs.map((run) => run.peakRssMb)),
      failures: runs.reduce((sum, run) => sum + run.non2xx + run.errors + run.timeouts, 0),
      rounds: runs,
    };
  }
  return { latencyMs, connections, contenders };
}

const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const signed = (value) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(2)}` : '—');

/** What llmkit's /metrics says about the run, for the metrics it exposes. */
function metricsSummary(metrics) {
  if (!metrics) return undefined;
  const lines = metrics.text.split('\n');
  const sample = (name) => {
    const matching = lines.filter((line) => line.startsWith(name));
    if (matching.length === 0) return undefined;
    return matching.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  };
  const parts = [`llmkit /metrics: status ${metrics.status}, ${lines.length} lines`];
  const requests = sample('llmkit_http_requests_total');
  if (requests !== undefined) parts.push(`${requests} llmkit_http_requests_total`);
  const count = sample('llmkit_gateway_overhead_seconds_count');
  if (count) {
    const meanMs = (sample('llmkit_gateway_overhead_seconds_sum') / count) * 1000;
    parts.push(`mean llmkit_gateway_overhead_seconds ${fixed(meanMs, 3)} ms over ${count} calls`);
  }
  return parts.join('; ');
}

function header(report) {
  const load = (list) => list.map((value) => value.toFixed(2)).join(' ');
  const pinning = report.pinning
    ? `proxies on CPU ${report.pinning.proxies}, autocannon and fake upstream on CPU ${report.pinning.loadAndUpstream}`
    : 'not pinned';
  const versions = Object.entries(report.contenders)
    .filter(([, info]) => info.version)
    .map(([name, info]) => `${name} ${info.version}`);
  console.log(
    `node ${report.node}, autocannon ${report.autocannon}${versions.length ? `, ${versions.join(', ')}` : ''}; ${pinning}; load average ${load(report.loadAverageBefore)} before, ${load(report.loadAverageAfter)} after`,
  );
}

export function printSweep(report, names) {
  const { duration, warmup, rounds } = report.options;
  header(report);
  console.log(
    `${duration} s per run after ${warmup} s of warm-up, ${rounds} round(s); added = minus direct's`,
  );
  console.log(
    '| upstream ms | connections | contender | req/s | p50 ms | p99 ms | added p50 ms | added p99 ms | CPU µs/req | peak RSS MB | failed |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const cell of report.cells) {
    for (const name of names) {
      const row = cell.contenders[name];
      console.log(
        `| ${cell.latencyMs} | ${cell.connections} | ${name} | ${fixed(row.requestsPerSecond)} | ${fixed(row.p50, 2)} | ${fixed(row.p99, 2)} | ${name === 'direct' ? '' : signed(row.addedP50)} | ${name === 'direct' ? '' : signed(row.addedP99)} | ${fixed(row.cpuUsPerRequest)} | ${fixed(row.peakRssMb)} | ${row.failures} |`,
      );
    }
  }
  const summary = metricsSummary(report.contenders.llmkit?.metrics);
  if (summary) console.log(summary);
  if (report.contenders.llmkit)
    console.log(`llmkit ledger: ${fixed(report.contenders.llmkit.ledgerBytes / 1e6, 1)} MB`);
}

export function printStreams(report) {
  header(report);
  console.log(
    `${report.streams} streams at once (ramped over ${report.options.ramp} s), one token every ${report.tokenIntervalMs} ms, ${report.chunks} tokens each`,
  );
  console.log(
    '| contender | completed | failed | max streaming at once | first byte p50 ms | p99 ms | RSS before MB | peak RSS MB | KB per stream | CPU s |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of report.rows) {
    console.log(
      `| ${row.name} | ${row.completed} | ${row.failed} | ${row.maxStreaming} | ${fixed(row.firstByteP50, 1)} | ${fixed(row.firstByteP99, 1)} | ${fixed(row.baselineMb)} | ${fixed(row.peakMb)} | ${fixed(row.perStreamKb, 1)} | ${fixed(row.cpuMs / 1000, 2)} |`,
    );
  }
  const summary = metricsSummary(report.contenders.llmkit?.metrics);
  if (summary) console.log(summary);
}
