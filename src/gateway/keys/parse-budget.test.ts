import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors/index.js';
import { parseBudget } from './parse-budget.js';

describe('parseBudget', () => {
  it.each([
    ['10/day', { limitUsd: 10, period: 'day' }],
    ['0.5/month', { limitUsd: 0.5, period: 'month' }],
    ['$25/total', { limitUsd: 25, period: 'total' }],
    [' 3 / hour ', { limitUsd: 3, period: 'hour' }],
    ['0/week', { limitUsd: 0, period: 'week' }],
  ])('reads %s', (text, expected) => {
    expect(parseBudget(text)).toEqual(expected);
  });

  it.each([
    ['10', 'budget "10" has no period'],
    ['abc/day', 'budget "abc/day": "abc" is not a number of USD >= 0'],
    ['-1/day', '"-1" is not a number of USD >= 0'],
    ['/day', '"" is not a number of USD >= 0'],
    ['10/fortnight', 'budget "10/fortnight": "fortnight" is not a period'],
    ['10/', '"" is not a period'],
  ])('refuses %s as a UsageError naming the problem and the form', (text, message) => {
    expect(() => parseBudget(text)).toThrow(UsageError);
    expect(() => parseBudget(text)).toThrow(message);
    expect(() => parseBudget(text)).toThrow('USD/period, e.g. 10/day');
  });
});
