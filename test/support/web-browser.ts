/**
 * A real browser for the web tests: Debian's Chromium driven by playwright-core (`.ci/run` installs it),
 * with axe-core run on each page, and screenshots kept in a temporary folder whose path the test prints.
 * Without Chromium (a developer's machine), the browser tests are skipped; under CI they fail instead.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { onCleanup } from './cleanup.ts';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Where Chromium is, or undefined (then the caller skips, outside CI). */
export function chromiumPath(): string | undefined {
  const found = CANDIDATES.find((candidate) => candidate && existsSync(candidate));
  if (!found && process.env.CI)
    throw new Error('Chromium is missing: .ci/run installs it (apt-get install chromium)');
  return found;
}

export async function launchBrowser(executablePath: string): Promise<Browser> {
  // As root (CI, this machine) Chromium's own sandbox cannot start; the pages are our own app's.
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'], headless: true });
  onCleanup(() => browser.close());
  return browser;
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page (through the devtools protocol, so the app's CSP need not allow it) and
 * answers its serious and critical violations. The mail frames run no script, so axe stays out of them.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      iframes: false,
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** A folder for this run's screenshots. */
export function screenshotFolder(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'talentsync-screenshots-'));
}
