import { describe, expect, it } from 'vitest';
import { divideRounded, formatUsd, scaledInteger, usdToNanos } from './money.js';

describe('money', () => {
  it('turns USD into integer nano-dollars from the decimal a price page states', () => {
    expect(usdToNanos(0.15)).toBe(150_000_000);
    expect(usdToNanos(0.000435)).toBe(435_000);
    expect(usdToNanos(1.1)).toBe(1_100_000_000);
    expect(usdToNanos(2.5e-7)).toBe(250);
    expect(usdToNanos(0)).toBe(0);
    // Floats would say 0.1 + 0.2 = 0.30000000000000004.
    expect(usdToNanos(0.1) + usdToNanos(0.2)).toBe(usdToNanos(0.3));
  });

  it('rounds half-up when a price has more decimals than the unit holds', () => {
    expect(scaledInteger(0.0000000005, 9)).toBe(1n);
    expect(scaledInteger(0.0000000004, 9)).toBe(0n);
    expect(scaledInteger(0.003625, 9)).toBe(3_625_000n);
    expect(scaledInteger(12, 3)).toBe(12_000n);
    expect(divideRounded(15n, 10n)).toBe(2n);
    expect(divideRounded(14n, 10n)).toBe(1n);
  });

  it('formats nano-dollars as dollars, with the decimals a small cost needs', () => {
    expect(formatUsd(435_000)).toBe('$0.000435');
    expect(formatUsd(1_500_000_000)).toBe('$1.50');
    expect(formatUsd(12_000_000_000)).toBe('$12.00');
    expect(formatUsd(1)).toBe('$0.000000001');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(null)).toBe('—');
  });
});
