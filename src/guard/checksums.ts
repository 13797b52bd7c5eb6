const idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idCheckCharacters = '10X98765432';
const daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Digit value of the character at `index`, or -1. */
const digitAt = (text: string, index: number) => {
  const value = text.charCodeAt(index) - 48;
  return value >= 0 && value <= 9 ? value : -1;
};

/**
 * Whether 18 characters are a Chinese resident identity number (GB 11643-1999): a region code
 * starting 1-8, a real birth date from 1900 to 2099, and the ISO 7064 MOD 11-2 check character.
 * The date and region cut the checksum's 1-in-11 false positives on arbitrary 18-digit numbers.
 */
export function isChineseIdNumber(text: string, start = 0): boolean {
  const first = digitAt(text, start);
  if (first < 1 || first > 8) return false;
  let sum = 0;
  for (let offset = 0; offset < 17; offset += 1) {
    const digit = digitAt(text, start + offset);
    if (digit < 0) return false;
    sum += digit * idWeights[offset]!;
  }
  const check = text.charAt(start + 17).toUpperCase();
  if (check !== idCheckCharacters.charAt(sum % 11)) return false;
  const number = (offset: number, width: number) =>
    Number(text.slice(start + offset, start + offset + width));
  const year = number(6, 4);
  const month = number(10, 2);
  const day = number(12, 2);
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && !leap ? 28 : daysInMonth[month - 1]!);
}

/** Whether a string of digits passes the Luhn check that every payment card number carries. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}
