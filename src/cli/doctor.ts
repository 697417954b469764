/**
 * `talentsync doctor`: read-only checks of a deployment, each answered by one line in words with what to do.
 *
 * Settings are checked one by one (not through `loadConfig`, which stops at the first bad one), so every
 * problem is named in one run. Exit codes: 0 all good (warnings allowed), 1 a problem found, 2 a check that
 * could not run at all (no database to ask). Nothing is written anywhere; `--probe` calls our own public URL
 * from here as a provider would, and the discovery checks read the providers' public metadata.
 */
import { type Config, ConfigError, loadConfig, withSecretFiles } from '../config.ts';
import { type Check, type Env, problem, type Status } from './doctor/check.ts';
import { databaseChecks } from './doctor/database.ts';
import { discoveryChecks, probeChecks } from './doctor/network.ts';
import { settingsChecks } from './doctor/settings.ts';
import { printConfig } from './print-config.ts';

export type { Check, Status } from './doctor/check.ts';

export async function doctorCommand(options: { json?: boolean; probe?: boolean; printConfig?: boolean }) {
  if (options.printConfig) return printConfig(options.json ?? false);
  const checks = await runChecks(process.env, { probe: options.probe ?? false });
  const code = exitCodeOf(checks);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ exitCode: code, checks }, null, 2)}\n`);
  } else {
    const marks: Record<Status, string> = { ok: 'ok', warning: 'warn', problem: 'FAIL', unchecked: 'skip' };
    for (const check of checks) {
      const action = check.action ? ` → ${check.action}` : '';
      process.stdout.write(`[${marks[check.status].padEnd(4)}] ${check.name}: ${check.message}${action}\n`);
    }
    const verdict = ['all good', 'problems found', 'some checks could not run'][code];
    process.stdout.write(`${verdict}\n`);
  }
  return code;
}

/** 1 when anything is wrong; else 2 when the database could not be asked; else 0. */
export function exitCodeOf(checks: Check[]): 0 | 1 | 2 {
  if (checks.some((check) => check.status === 'problem')) return 1;
  if (checks.some((check) => check.status === 'unchecked')) return 2;
  return 0;
}

/** Every check, in the order an operator would fix things. */
export async function runChecks(given: Env, options: { probe: boolean }): Promise<Check[]> {
  const checks: Check[] = [];
  let env: Env = given;
  let filesRead = true;
  try {
    env = withSecretFiles(given);
  } catch (error) {
    checks.push(problem('secret files', (error as Error).message, 'fix the path in the *_FILE variable'));
    filesRead = false;
  }
  checks.push(...settingsChecks(env));
  let config: Config | undefined;
  try {
    // From the settings as given: loadConfig reads the *_FILE secrets itself (and refuses a secret set both ways).
    if (filesRead) config = loadConfig(given);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    checks.push(
      problem('configuration', error.message, 'fix that variable; `talentsync api` refuses to start'),
    );
  }
  if (config) checks.push(...(await discoveryChecks(config)));
  if (config && options.probe) checks.push(...(await probeChecks(config.publicUrl)));
  checks.push(...(await databaseChecks(env, config)));
  return checks;
}
