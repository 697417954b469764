/**
 * The house's layers (docs/architecture.md): each folder of `src/` imports only from the layers below it,
 * so the sync engine never reaches up for services, the database code never for the job queue, and the
 * sandbox imports nothing of the app. A new arrow upwards fails here with the file that drew it.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

const SRC = path.resolve(import.meta.dirname, '../src');

/** For each layer, the other layers (folders, or top-level files) it may import from. */
const ALLOWED: Record<string, string[]> = {
  domain: ['config.ts'],
  db: ['domain', 'log.ts'],
  providers: ['domain', 'config.ts'],
  sync: ['db', 'domain', 'providers', 'log.ts'],
  sandbox: [],
  services: ['config.ts', 'db', 'domain', 'log.ts', 'providers', 'sync'],
  jobs: ['config.ts', 'db', 'domain', 'log.ts', 'providers', 'services', 'sync'],
};

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

test('house: every layer of src/ imports only from the layers below it', async () => {
  const arrows: string[] = [];
  for (const [layer, allowed] of Object.entries(ALLOWED)) {
    for (const file of await filesUnder(path.join(SRC, layer))) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
        const target = path.relative(SRC, path.resolve(path.dirname(file), match[1] as string));
        const targetLayer = target.split(path.sep)[0] as string;
        if (targetLayer !== layer && !allowed.includes(targetLayer)) {
          arrows.push(`${path.relative(SRC, file)} → ${target}`);
        }
      }
    }
  }
  assert.deepEqual(arrows, []);
});
