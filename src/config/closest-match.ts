function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/** Edit distance where swapping two neighbours counts as one edit, the most common typo (`retyr`). */
function editDistance(left: string, right: string): number {
  const rows = Array.from({ length: left.length + 1 }, (_, row) =>
    Array.from({ length: right.length + 1 }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)),
  );
  const at = (row: number, column: number) => rows[row]?.[column] ?? 0;
  for (let row = 1; row <= left.length; row++) {
    for (let column = 1; column <= right.length; column++) {
      const same = left[row - 1] === right[column - 1];
      let best = Math.min(
        at(row - 1, column) + 1,
        at(row, column - 1) + 1,
        at(row - 1, column - 1) + (same ? 0 : 1),
      );
      const swapped =
        row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1];
      if (swapped) best = Math.min(best, at(row - 2, column - 2) + 1);
      const current = rows[row];
      if (current !== undefined) current[column] = best;
    }
  }
  return at(left.length, right.length);
}

/**
 * The candidate a typo most likely meant (`base_url` -> `baseURL`, `deepsek` -> `deepseek`),
 * or undefined when nothing is close enough to be worth suggesting.
 */
export function closestMatch(name: string, candidates: readonly string[]): string | undefined {
  const wanted = normalize(name);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const known = normalize(candidate);
    // A truncated or extended word (`warning` for `warn`) is a likelier intent than any edit.
    const shorter = Math.min(known.length, wanted.length);
    const edits = editDistance(wanted, known);
    // A missing or extra tail costs half an edit a character, so `warn` beats edits for
    // `warning`, but `maxRetries` (3 edits) still beats `maxRetryAfterMs` (7 extra) for `maxRetry`.
    const prefix = shorter >= 3 && (known.startsWith(wanted) || wanted.startsWith(known));
    const distance = prefix ? Math.min(edits, 0.5 * Math.abs(known.length - wanted.length)) : edits;
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined) return undefined;
  // About two edits in five characters still reads as the same word; more is a different word.
  const allowed = Math.max(1, Math.floor(wanted.length * 0.4));
  return best.distance <= allowed ? best.candidate : undefined;
}
