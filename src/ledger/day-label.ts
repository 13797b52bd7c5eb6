/*
 * Day buckets are computed here, not in SQL: SQLite has no time zone database, and using one
 * source of zone rules keeps both backends' answers identical. The SQL side groups calls into
 * 15-minute UTC slots; every UTC offset in use today is a multiple of 15 minutes (Nepal +05:45,
 * Chatham +12:45), so a slot never straddles a local midnight or a DST change and each slot
 * maps to exactly one local day.
 */

export const daySlotMs = 15 * 60 * 1000;

/** Returns a function giving the `YYYY-MM-DD` local date of an epoch-ms instant in `timeZone`. */
export function dayLabeler(timeZone = 'UTC'): (epochMs: number) => string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      calendar: 'iso8601',
      numberingSystem: 'latn',
    });
  } catch {
    throw new RangeError(`unknown time zone "${timeZone}"; use an IANA name such as UTC or Asia/Shanghai`);
  }
  return (epochMs) => {
    let year = '';
    let month = '';
    let day = '';
    for (const part of format.formatToParts(epochMs)) {
      if (part.type === 'year') year = part.value;
      else if (part.type === 'month') month = part.value;
      else if (part.type === 'day') day = part.value;
    }
    return `${year.padStart(4, '0')}-${month}-${day}`;
  };
}
