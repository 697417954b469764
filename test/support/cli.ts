/** Runs the real `talentsync` CLI in a child process, as an operator would. */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface CliResult {
  code: number | null;
  stdout: string;
  /** Problems, without progress lines (which appear only when a command takes over a second). */
  stderr: string;
  /** The progress lines `src/cli/output.ts` printed, if the command was slow enough. */
  progress: string[];
}

/** The progress lines commands print (`progressLine().update`): counts that say how far they got. */
const PROGRESS = /^[\d,]+ (lines read \([\d,]+\/s\)|secrets re-sealed)$/;

const BIN = path.resolve(import.meta.dirname, '../../bin/talentsync.js');

export function runCli(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stderr.split(/(?<=\n)/);
      resolve({
        code,
        stdout,
        stderr: lines.filter((line) => !PROGRESS.test(line.trimEnd())).join(''),
        progress: lines.filter((line) => PROGRESS.test(line.trimEnd())).map((line) => line.trimEnd()),
      });
    });
    child.stdin.end(input ?? '');
  });
}
