/**
 * The regular expressions that read mail, gathered from the source itself so that a pattern added later
 * is audited too: every regex literal in the audited files (parsed with acorn after Node strips the
 * types), and every pattern those modules build with `new RegExp` when they load.
 */
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { parse } from 'acorn';

/** The files whose patterns see mail content or headers. */
export const MAIL_FILES = [
  'src/domain/email.ts',
  'src/domain/html.ts',
  'src/domain/html-depth.ts',
  'src/domain/mime.ts',
  'src/domain/mime-repair.ts',
  'src/domain/participants.ts',
  'src/domain/snippet.ts',
  'src/domain/storable.ts',
  'src/domain/subject.ts',
  'src/domain/truncation.ts',
  'src/providers/google/map-message.ts',
  'src/providers/microsoft/map-message.ts',
];

export interface Pattern {
  source: string;
  flags: string;
  file: string;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every regex literal written in `file` (a path from the repository root). */
export function literalPatterns(file: string): Pattern[] {
  const code = stripTypeScriptTypes(readFileSync(path.join(ROOT, file), 'utf8'));
  const found: Pattern[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const regex = (node as { regex?: { pattern: string; flags: string } }).regex;
    if (regex) found.push({ source: regex.pattern, flags: regex.flags, file });
    for (const value of Object.values(node)) visit(value);
  };
  visit(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }));
  return found;
}

/**
 * Every pattern the modules build with `new RegExp(…)` while they load (each imported afresh, so even
 * a module already loaded builds its patterns again).
 */
export async function constructedPatterns(files: readonly string[]): Promise<Pattern[]> {
  const found: Pattern[] = [];
  const Original = globalThis.RegExp;
  let current = '';
  globalThis.RegExp = new Proxy(Original, {
    construct(target, args: [string | RegExp, string?]) {
      const made = new target(...args);
      // Only patterns built by the audited file itself, not by a library it loads for the first time.
      const caller = new Error().stack?.split('\n')[2] ?? '';
      if (caller.includes(current)) found.push({ source: made.source, flags: made.flags, file: current });
      return made;
    },
  });
  try {
    for (const file of files) {
      current = file;
      await import(`${path.join(ROOT, file)}?patterns=${Date.now()}`);
    }
  } finally {
    globalThis.RegExp = Original;
  }
  return found;
}
