import { describe, expect, it } from 'vitest';
import { detectorMatcher } from './detectors.js';
import { GuardRuleError } from './guard-rule-error.js';
import { scanText } from './scanner.js';
import { type DetectorName, detectorNames } from './types.js';

/** What a detector finds in `text`, as the original substrings (so offsets are checked too). */
function found(detector: DetectorName, text: string): string[] {
  return scanText(text, [detectorMatcher('pii', detector)]).map((finding) => {
    expect(finding).toMatchObject({ rule: 'pii', kind: 'detector', detector });
    return text.slice(finding.start, finding.end);
  });
}

const idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** A 17-digit body completed with its real check character. */
const withCheck = (body: string) =>
  body +
  '10X98765432'[[...body].reduce((sum, digit, index) => sum + Number(digit) * idWeights[index]!, 0) % 11];
/** The check character that is NOT the right one. */
const withWrongCheck = (body: string) => body + (withCheck(body).endsWith('1') ? '2' : '1');

/** A digit string completed with its Luhn check digit. */
function luhn(body: string): string {
  for (let check = 0; check <= 9; check += 1) {
    const digits = body + check;
    let sum = 0;
    for (let index = 0; index < digits.length; index += 1) {
      let digit = Number(digits[digits.length - 1 - index]);
      if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      sum += digit;
    }
    if (sum % 10 === 0) return digits;
  }
  throw new Error('unreachable');
}
const group = (digits: string, separator = ' ') => digits.replace(/(\d{4})(?=\d)/g, `$1${separator}`);

describe('email', () => {
  it.each([
    ['write to a.b@example.com today', 'a.b@example.com'],
    ['请发邮件到test.user+tag@mail.example.cn谢谢', 'test.user+tag@mail.example.cn'],
    ['Contact: ops_team@corp.example.co.uk.', 'ops_team@corp.example.co.uk'],
    ['<li.wei@qq.com>', 'li.wei@qq.com'],
    ['zero\u200Bwidth: a\u200Bb@exa\u200Bmple.com', 'a\u200Bb@exa\u200Bmple.com'],
    ['full width: ａｂ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'ａｂ＠ｅｘａｍｐｌｅ．ｃｏｍ'],
  ])('finds the address in %j', (text, address) => {
    expect(found('email', text)).toEqual([address]);
  });

  it.each([
    'no at sign here',
    'user@localhost',
    'twitter handle @example.com',
    'a@b.c',
    'a@example.c0m',
    'a@-example.com',
    '@@@@',
    'x@-bad.com',
    `${'a'.repeat(65)}@example.com`,
  ])('finds nothing in %j', (text) => {
    expect(found('email', text)).toEqual([]);
  });

  it('looks at domains of up to 100 characters', () => {
    const longest = `${'a'.repeat(51)}.${'b'.repeat(44)}.com`;
    expect(longest).toHaveLength(100);
    expect(found('email', `x@${longest} y`)).toEqual([`x@${longest}`]);
    expect(found('email', `x@c${longest} y`)).toEqual([]);
  });

  it('treats a run of local characters as one local part, as a regex anchored at its start would', () => {
    expect(found('email', 'x@a.com_y@b.com')).toEqual(['x@a.com']);
    expect(found('email', 'x@a.com y@b.com')).toEqual(['x@a.com', 'y@b.com']);
  });
});

describe('phone', () => {
  it.each([
    ['请联系13800138000谢谢', '13800138000'],
    ['call 138 0013 8000 now', '138 0013 8000'],
    ['call 138-0013-8000 now', '138-0013-8000'],
    ['手机：+86 13912345678', '+86 13912345678'],
    ['手机：+8613912345678。', '+8613912345678'],
    ['0086-139-1234-5678', '0086-139-1234-5678'],
    ['full width １３８００１３８０００ here', '１３８００１３８０００'],
    ['US: +1 415 555 2671.', '+1 415 555 2671'],
    ['UK: +44 20 7946 0958', '+44 20 7946 0958'],
    ['E.164 +14155552671', '+14155552671'],
  ])('finds the number in %j', (text, number) => {
    expect(found('phone', text)).toEqual([number]);
  });

  it.each([
    ['inside a longer digit run', '订单号2138001380001'],
    ['followed by digits', '138001380001'],
    ['second digit not 3-9', '12800138000'],
    ['too short', '1380013800'],
    ['a 13-digit ms timestamp', '1700000000000'],
    ['plain number with plus, too short', '+1234567'],
    ['a year', 'in 2024 we shipped'],
  ])('finds nothing: %s', (_name, text) => {
    expect(found('phone', text)).toEqual([]);
  });
});

describe('cn-id', () => {
  const valid = [
    '11010519491231002X',
    withCheck('44030419900307123'),
    withCheck('31011520000229456'), // 29 Feb 2000: a leap year
    withCheck('51010720991231001'),
  ];

  it.each(valid)('finds the valid number %s, alone and inside Chinese text', (number) => {
    expect(found('cn-id', number)).toEqual([number]);
    expect(found('cn-id', `身份证号${number}，请核对`)).toEqual([number]);
  });

  it('accepts a lower-case x check character', () => {
    expect(found('cn-id', 'id 11010519491231002x.')).toEqual(['11010519491231002x']);
  });

  it('finds a number written in full-width digits, at its original offsets', () => {
    const fullWidth = '11010519491231002X'.replace(/[0-9X]/g, (digit) =>
      String.fromCharCode(digit.charCodeAt(0) + 0xfee0),
    );
    expect(found('cn-id', `证件：${fullWidth}。`)).toEqual([fullWidth]);
  });

  it.each([
    ['wrong check character', '110105194912310021'],
    ['wrong check digit', withWrongCheck('44030419900307123')],
    ['29 Feb in a non-leap year', withCheck('31011520010229456')],
    ['month 13', withCheck('31011520011329456')],
    ['born 1850', withCheck('31011518500101456')],
    ['region code starting 9', withCheck('91011519900101456')],
    ['inside a longer digit run', `1${withCheck('44030419900307123')}`],
    ['followed by a digit', `${withCheck('44030419900307123')}5`],
  ])('rejects: %s', (_name, text) => {
    expect(found('cn-id', text)).toEqual([]);
  });
});

describe('bank-card', () => {
  const unionPay = luhn('622202123456789012');

  it.each([
    ['4111111111111111', '4111111111111111'],
    ['card 4111 1111 1111 1111 expires', '4111 1111 1111 1111'],
    ['card 4111-1111-1111-1111.', '4111-1111-1111-1111'],
    ['Mastercard 5555555555554444', '5555555555554444'],
    ['Amex 378282246310005', '378282246310005'],
    [`卡号${unionPay}，谢谢`, unionPay],
    [`卡号 ${group(unionPay)} 谢谢`, group(unionPay)],
    ['full width ４１１１１１１１１１１１１１１１', '４１１１１１１１１１１１１１１１'],
  ])('finds the card in %j', (text, card) => {
    expect(found('bank-card', text)).toEqual([card]);
  });

  it('takes the longest Luhn-valid prefix when a number follows the card', () => {
    expect(found('bank-card', '4111 1111 1111 1111 2024')).toEqual(['4111 1111 1111 1111']);
  });

  it.each([
    ['Luhn fails', '4111111111111112'],
    ['Luhn fails, grouped', '4111 1111 1111 1112'],
    ['UnionPay with a wrong check digit', `${unionPay.slice(0, -1)}${(Number(unionPay.at(-1)) + 1) % 10}`],
    ['starts with 1 (a ms timestamp)', luhn('170000000000')],
    ['starts with 9', luhn('900000000000000')],
    ['too short', luhn('411111111111').slice(0, 12)],
    ['inside a longer digit run', `1${luhn('411111111111111')}1`],
    ['double separators', '4111  1111  1111  1111'],
  ])('rejects: %s', (_name, text) => {
    expect(found('bank-card', text)).toEqual([]);
  });

  it('leaves an 18-digit Luhn-valid identity number to cn-id', () => {
    let id = '';
    for (let sequence = 100; id === ''; sequence += 1) {
      const candidate = withCheck(`44030419900307${sequence}`);
      if (/^\d{18}$/.test(candidate) && luhn(candidate.slice(0, -1)) === candidate) id = candidate;
    }
    expect(found('cn-id', id)).toEqual([id]);
    expect(found('bank-card', id)).toEqual([]);
  });
});

describe('ip', () => {
  it.each([
    ['server 192.168.1.1 is down', '192.168.1.1'],
    ['服务器地址是10.0.0.1，端口8080', '10.0.0.1'],
    ['IP:172.16.254.1.', '172.16.254.1'],
    ['listen 0.0.0.0:8080', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['loopback ::1 only', '::1'],
    ['addr 2001:db8::8a2e:370:7334.', '2001:db8::8a2e:370:7334'],
    ['mapped ::ffff:192.0.2.1 here', '::ffff:192.0.2.1'],
    ['link fe80::1%eth0', 'fe80::1'],
    ['full 2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:0db8:0000:0000:0000:ff00:0042:8329'],
    ['[2001:db8::1]:443', '2001:db8::1'],
  ])('finds the address in %j', (text, address) => {
    expect(found('ip', text)).toEqual([address]);
  });

  it.each([
    ['a time', 'at 12:30:45 sharp'],
    ['C++ scope', 'use std::vector and a::b'],
    ['bare ::', 'the :: operator'],
    ['an octet over 255', '1.2.3.999'],
    ['256', '256.1.1.1'],
    ['leading zeros', '01.02.03.04'],
    ['a longer dotted run', '1.2.3.4.5'],
    ['a version with a v', 'v1.2.3.4'],
    ['hex words without a digit', 'cafe::bad'],
    ['a MAC address', '00:1a:2b:3c:4d:5e'],
    ['a timestamp', '2024-01-01T12:30:45.123Z'],
    ['three octets', '10.0.1'],
  ])('finds nothing: %s', (_name, text) => {
    expect(found('ip', text)).toEqual([]);
  });
});

describe('secret', () => {
  const key = 'sk-proj-AbC123dEf456GhI789jKl012MnO345';
  it.each([
    [`key ${key} leaked`, key],
    ['OPENAI_API_KEY=sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', 'sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'],
    ['sk-ant-api03-AbCdEf_123-456GhIjKlMnOp', 'sk-ant-api03-AbCdEf_123-456GhIjKlMnOp'],
    ['AWS AKIAIOSFODNN7EXAMPLE here', 'AKIAIOSFODNN7EXAMPLE'],
    ['ASIAIOSFODNN7EXAMPLE', 'ASIAIOSFODNN7EXAMPLE'],
    ['Authorization: Bearer abc123def456ghi789jkl.', 'Bearer abc123def456ghi789jkl'],
    [
      'authorization: bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ],
    ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789 ok', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['gho_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 'gho_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'],
    ['AIzaSyA-1234567890abcdefghijklmnopqrstu', 'AIzaSyA-1234567890abcdefghijklmnopqrstu'],
    ['slack xoxb-1234567890-abcdefghij', 'xoxb-1234567890-abcdefghij'],
    ['密钥是sk-proj-AbC123dEf456GhI789jKl012，别外传', 'sk-proj-AbC123dEf456GhI789jKl012'],
  ])('finds the secret in %j', (text, secret) => {
    expect(found('secret', text)).toEqual([secret]);
  });

  it('covers a key longer than any bound whole, so no part of it leaks', () => {
    const long = `sk-${'Ab1'.repeat(200)}`;
    expect(found('secret', `x ${long} y`)).toEqual([long]);
  });

  it.each([
    ['sk-short', 'sk-short'],
    ['skate', 'we skate on ice'],
    ['a hyphenated word', 'use scikit-learn or sk-learn-models-for-everyone-here'],
    ['inside a word', 'task-AbC123dEf456GhI789jKl012'],
    ['AKIA too short', 'AKIAIOSFODNN7EXAMP'],
    ['AKIA lower case', 'akiaiosfodnn7example'],
    ['AKIA too long', 'AKIAIOSFODNN7EXAMPLEXYZ'],
    ['bearer in prose', 'the bearer responsibilities are clear'],
    ['bearer token too short', 'Bearer abc123'],
    ['ghp too short', 'ghp_abc123'],
    ['xoxq is not slack', 'xoxq-1234567890-abcdefghij'],
  ])('finds nothing: %s', (_name, text) => {
    expect(found('secret', text)).toEqual([]);
  });
});

describe('every detector', () => {
  it('rejects an unknown detector name with a one-line GuardRuleError', () => {
    expect(() => detectorMatcher('pii', 'passport' as DetectorName)).toThrow(GuardRuleError);
    expect(() => detectorMatcher('pii', 'passport' as DetectorName)).toThrow(
      'guard rule "pii": "passport" is not a detector (use one of email, phone, cn-id, bank-card, ip, secret)',
    );
  });

  it('finds each kind in one mixed Chinese and English text, at original offsets', () => {
    const text =
      '您好，请联系１３８００１３８０００或 li.wei@example.com；身份证11010519491231002X，' +
      'card 4111 1111 1111 1111, host 192.168.0.1 / ::1, key AKIAIOSFODNN7EXAMPLE。';
    const findings = scanText(
      text,
      detectorNames.map((name) => detectorMatcher('pii', name)),
    );
    expect(findings.map((finding) => [finding.detector, text.slice(finding.start, finding.end)])).toEqual([
      ['phone', '１３８００１３８０００'],
      ['email', 'li.wei@example.com'],
      ['cn-id', '11010519491231002X'],
      ['bank-card', '4111 1111 1111 1111'],
      ['ip', '192.168.0.1'],
      ['ip', '::1'],
      ['secret', 'AKIAIOSFODNN7EXAMPLE'],
    ]);
    expect(findings.map((finding) => finding.label)).toEqual([
      'PHONE',
      'EMAIL',
      'CN_ID',
      'BANK_CARD',
      'IP',
      'IP',
      'SECRET',
    ]);
  });

  // No timing assertion: the test timeout is the guard. A pattern with unbounded backtracking
  // would take hours on these inputs.
  const size = 200_000;
  const adversarial: Record<string, string> = {
    letters: 'a'.repeat(size),
    digits: '1'.repeat(size),
    'digits and spaces': '1 '.repeat(size / 2),
    'dotted letters': 'a.'.repeat(size / 2),
    'dotted digits': '1.'.repeat(size / 2),
    colons: ':'.repeat(size),
    'hex and colons': 'a:'.repeat(size / 2),
    'local parts and at signs': 'a@'.repeat(size / 2),
    'a domain that never ends': `a@${'a.'.repeat(size / 2)}`,
    'sk- tokens': 'sk-'.repeat(size / 3),
    bearer: 'Bearer '.repeat(size / 7),
    'plus digits': '+1 '.repeat(size / 3),
    'full width digits': '１'.repeat(size),
    'zero-width joined digits': '1\u200B'.repeat(size / 2),
  };
  it.each(detectorNames)('scans 200 KB adversarial strings in linear time: %s', (name) => {
    const matcher = detectorMatcher('pii', name);
    for (const text of Object.values(adversarial)) {
      expect(Array.isArray(scanText(text, [matcher]))).toBe(true);
    }
  });
});
