/** One-shot commands on the database: migrate, organizations, users, the member directory, credentials. */
import { constants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import readline from 'node:readline';
import { loadConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { findMemberIdByEmail } from '../db/members.ts';
import { findOrganizationByRef, type Organization } from '../db/organizations.ts';
import { normalizeEmail } from '../domain/email.ts';
import type { Role } from '../domain/principal.ts';
import { createVault } from '../domain/vault.ts';
import { createLogger } from '../log.ts';
import { openRuntime } from '../runtime.ts';
import { createAccessToken, createOrganization, createUser } from '../services/accounts.ts';
import { importMembers } from '../services/directory.ts';
import { carrySuppressions, rotateKeys } from '../services/keys.ts';
import { progressLine, UsageError } from './output.ts';

/** Runs `work` against a migrated database, then closes everything, whatever happens. */
async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn');
  const runtime = await openRuntime(config, logger, { migrate: true, poolSize: 4 });
  try {
    return await work(runtime.connection.db);
  } finally {
    await runtime.close();
  }
}

export async function migrateCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const runtime = await openRuntime(config, logger, { migrate: true });
  await runtime.close();
  process.stdout.write('database is up to date\n');
}

export async function orgCreate(options: { name: string; domain: string }): Promise<void> {
  const org = await withDatabase((db) =>
    createOrganization(db, { name: options.name, primaryDomain: options.domain }),
  );
  process.stdout.write(`organization ${org.id} created: ${org.name} (${org.primaryDomain})\n`);
}

export async function userCreate(options: {
  org: string;
  email: string;
  name: string;
  role: string;
}): Promise<void> {
  if (options.role !== 'admin' && options.role !== 'member') {
    throw new UsageError(`--role must be admin or member, got "${options.role}"`);
  }
  const role: Role = options.role;
  const { user, token } = await withDatabase(async (db) => {
    const org = await oneOrganization(db, options.org);
    return createUser(db, org.id, { email: options.email, name: options.name, role });
  });
  process.stdout.write(
    `user ${user.id} created: ${user.name} <${user.email}> (${user.role})\n` +
      `access token (shown once, keep it safe):\n${token}\n`,
  );
}

export async function operatorToken(options: { name: string }): Promise<void> {
  const token = await withDatabase((db) => createAccessToken(db, { kind: 'operator' }, options.name));
  process.stdout.write(`operator token (shown once, keep it safe):\n${token}\n`);
}

export async function memberToken(options: { email: string; name: string }): Promise<void> {
  const token = await withDatabase(async (db) => {
    const memberId = await findMemberIdByEmail(db, normalizeEmail(options.email));
    if (!memberId) throw new UsageError('no member has that address');
    return createAccessToken(db, { kind: 'member', memberId }, options.name);
  });
  process.stdout.write(`member token (shown once, keep it safe):\n${token}\n`);
}

/** Imports JSON Lines; exits 1 when any line was refused (the good ones are imported all the same). */
export async function memberImport(file: string): Promise<number> {
  await access(file, constants.R_OK).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${readProblem(error)}`);
  });
  if ((await stat(file)).isDirectory()) throw new UsageError(`cannot read ${file}: it is a directory`);
  const progress = progressLine();
  const started = Date.now();
  const summary = await withDatabase((db) => {
    const lines = readline.createInterface({
      input: createReadStream(file),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    return importMembers(db, lines, (p) => {
      const rate = Math.round(p.lines / Math.max((Date.now() - started) / 1000, 0.001));
      progress.update(`${p.lines.toLocaleString('en')} lines read (${rate.toLocaleString('en')}/s)`);
    });
  });
  progress.done();
  const shown = summary.problems.slice(0, 100);
  for (const problem of shown) process.stderr.write(`line ${problem.line}: ${problem.message}\n`);
  if (summary.problems.length > shown.length) {
    process.stderr.write(`… and ${summary.problems.length - shown.length} more refused lines\n`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `${summary.lines} lines in ${seconds} s: ${summary.created} members created, ${summary.updated} updated, ` +
      `${summary.rejected} lines refused${summary.blank > 0 ? `, ${summary.blank} blank lines skipped` : ''}\n`,
  );
  return summary.rejected > 0 ? 1 : 0;
}

export async function keysRotate(): Promise<void> {
  const config = loadConfig();
  const vault = createVault(config.encryptionKeys);
  const progress = progressLine();
  const { total, carried } = await withDatabase(async (db) => ({
    total: await rotateKeys(db, vault, (done) => progress.update(`${done} secrets re-sealed`)),
    carried: await carrySuppressions(db, vault),
  }));
  progress.done();
  process.stdout.write(
    `${total} stored secrets re-sealed under key "${vault.currentKeyId}"; ${carried} erased members' address suppressions carried to it; keys after it in TOKEN_ENCRYPTION_KEY can now be removed\n`,
  );
}

/** Why a file cannot be read, in words rather than an errno. */
function readProblem(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return 'no such file';
  if (error.code === 'EACCES') return 'permission denied';
  return error.code ?? error.message;
}

async function oneOrganization(db: Database, ref: string): Promise<Organization> {
  const found = await findOrganizationByRef(db, ref);
  if (found.length === 1 && found[0]) return found[0];
  if (found.length === 0) throw new UsageError(`no organization has the id or domain "${ref}"`);
  throw new UsageError(`several organizations use the domain "${ref}"; give the organization id instead`);
}
