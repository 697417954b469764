/**
 * Counts the work regular expressions do, without a clock: while `run` runs, every match attempt of a
 * listed pattern (through `exec`, which `test`, `replace`, `split`, `match` and `matchAll` all call once
 * `RegExp.prototype.exec` is replaced) adds the characters it was offered: up to the end of the match,
 * or to the end of the input when it failed; a sticky attempt that fails adds one. With each pattern
 * proven linear (recheck), this sum bounds the time the patterns take.
 */
export async function patternWork(sources: ReadonlySet<string>, run: () => unknown): Promise<number> {
  const original = RegExp.prototype.exec;
  let work = 0;
  RegExp.prototype.exec = function counted(this: RegExp, input: string) {
    const text = String(input);
    const from = this.global || this.sticky ? this.lastIndex : 0;
    const result = original.call(this, text);
    if (sources.has(this.source)) {
      if (result) work += Math.max(1, result.index + result[0].length - from);
      else work += this.sticky ? 1 : Math.max(1, text.length - from);
    }
    return result;
  };
  try {
    await run();
  } finally {
    RegExp.prototype.exec = original;
  }
  return work;
}
