/** Users: recruiter seats, always read within their organization. */
import type { Role } from '../domain/principal.ts';
import type { Database } from './database.ts';

export interface User {
  orgId: string;
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
}

type Row = { org_id: string; id: string; email: string; name: string; role: Role; created_at: Date };

export async function insertUser(
  db: Database,
  orgId: string,
  input: { email: string; name: string; role: Role },
): Promise<User> {
  const row = await db
    .insertInto('users')
    .values({ org_id: orgId, email: input.email.toLowerCase(), name: input.name, role: input.role })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function findUser(db: Database, orgId: string, userId: string): Promise<User | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
  return row && toUser(row);
}

export async function findUserByEmail(db: Database, orgId: string, email: string): Promise<User | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return row && toUser(row);
}

/** One page of an organization's users, by email; `after` is the last email of the previous page. */
export async function listUsers(
  db: Database,
  orgId: string,
  page: { limit: number; after?: string | undefined },
): Promise<User[]> {
  let query = db.selectFrom('users').selectAll().where('org_id', '=', orgId);
  if (page.after !== undefined) query = query.where('email', '>', page.after);
  const rows = await query.orderBy('email').limit(page.limit).execute();
  return rows.map(toUser);
}

export async function updateUser(
  db: Database,
  orgId: string,
  userId: string,
  changes: { name?: string | undefined; role?: Role | undefined },
): Promise<User | undefined> {
  const values = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  if (Object.keys(values).length === 0) return findUser(db, orgId, userId);
  const row = await db
    .updateTable('users')
    .set(values)
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirst();
  return row && toUser(row);
}

export async function countAdmins(db: Database, orgId: string): Promise<number> {
  const { count } = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('org_id', '=', orgId)
    .where('role', '=', 'admin')
    .executeTakeFirstOrThrow();
  return Number(count);
}

function toUser(row: Row): User {
  return {
    orgId: row.org_id,
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
  };
}
