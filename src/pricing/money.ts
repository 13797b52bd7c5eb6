/*
 * Money is held as integer nano-dollars (1e-9 USD). Sums of integers are exact, where sums of
 * float dollars drift (0.1 + 0.2 !== 0.3); a JS number holds integers exactly up to 2^53, which
 * is about $9M in nanos, and a single sum past that is not what a per-call ledger sees.
 */

export const nanosPerUsd = 1_000_000_000;

/**
 * `value × 10^shift` as a BigInt, rounded half-up once. The value is read from its shortest
 * decimal form (what `String(value)` prints and what a price page states), not from its binary
 * approximation: 0.15 × 10^9 must be 150000000, not 149999999.99999997.
 */
export function scaledInteger(value: number, shift: number): bigint {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const negative = value < 0;
  const [mantissa = '0', exponentText = '0'] = Math.abs(value).toString().split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  const digits = `${whole}${fraction}`;
  // Position of the decimal point in `digits`, once the exponent and the shift are applied.
  const point = whole.length + Number(exponentText) + shift;
  let result: bigint;
  if (point <= 0) {
    result = point === 0 && Number(digits[0] ?? '0') >= 5 ? 1n : 0n;
  } else if (point >= digits.length) {
    result = BigInt(digits + '0'.repeat(point - digits.length));
  } else {
    result = BigInt(digits.slice(0, point)) + (Number(digits[point]) >= 5 ? 1n : 0n);
  }
  return negative ? -result : result;
}

/** USD to integer nano-dollars, exact for any price written with up to 9 decimals. */
export function usdToNanos(usd: number): number {
  return Number(scaledInteger(usd, 9));
}

/** Integer division rounding half-up (away from zero for halves), as money is rounded once at the end. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const magnitude = numerator < 0n ? -numerator : numerator;
  const divisor = denominator < 0n ? -denominator : denominator;
  const quotient = (magnitude + divisor / 2n) / divisor;
  return negative ? -quotient : quotient;
}

/**
 * `$0.000435`, `$1.50`, `$12.00`: dollars with as many decimals as the amount needs (at least
 * two, at most nine), so a tiny call still shows its real cost. `—` when the cost is unknown.
 */
export function formatUsd(nanos: number | null | undefined): string {
  if (nanos === null || nanos === undefined) return '—';
  const sign = nanos < 0 ? '-' : '';
  const digits = String(Math.abs(Math.round(nanos))).padStart(10, '0');
  const whole = digits.slice(0, -9);
  const fraction = digits.slice(-9).replace(/0+$/, '').padEnd(2, '0');
  return `${sign}$${whole}.${fraction}`;
}
