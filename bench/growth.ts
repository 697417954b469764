/** Growth of a measured figure across sizes, in words, for a stage's `Series`. */

/**
 * How `values` grow with `sizes`: the exponent of the best power law through the first and last point
 * (time ∝ size^k), named — "flat" (k < 0.15), "sublinear", "linear" (0.85–1.15), "worse than linear".
 */
export function growthInWords(sizes: number[], values: number[]): string {
  const first = values[0];
  const last = values.at(-1);
  const from = sizes[0];
  const to = sizes.at(-1);
  if (!first || !last || !from || !to || from === to) return 'one size only';
  const k = Math.log(last / first) / Math.log(to / from);
  const name =
    Math.abs(k) < 0.15
      ? 'flat'
      : k < 0
        ? 'falling'
        : k < 0.85
          ? 'sublinear'
          : k <= 1.15
            ? 'linear'
            : 'worse than linear';
  return `${name} (∝ size^${k.toFixed(2)} from ${from.toLocaleString('en')} to ${to.toLocaleString('en')})`;
}

/** The growth of several lines at once: each line's words, joined. */
export function linesGrowth(sizes: number[], lines: { name: string; values: number[] }[]): string {
  return lines.map((line) => `${line.name}: ${growthInWords(sizes, line.values)}`).join('; ');
}
