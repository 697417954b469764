/**
 * The sandbox's state on disk, so the demo survives a restart: users, mailboxes, calendars, grants and the
 * tokens issued under them, subscriptions and signing keys (the app's stored refresh tokens keep working,
 * and so do the id_tokens and push JWTs it verifies against the published keys).
 *
 * Generic over the state, on purpose: the emulators' state is plain data (objects, arrays, Maps, Sets,
 * Dates, Buffers) that many modules add to, so a per-field format would rot with every new field. A
 * snapshot is the object graph reachable from each provider's state root, every object numbered, so shared
 * references (a token's grant, a mailbox's user) and cycles come back as they were. Functions are not data
 * and are left out; so are the objects the caller names as configuration (options, the shared core), which
 * a restart gets afresh.
 *
 * Restoring writes *into* the live objects rather than replacing them, because the emulators' closures hold
 * their Maps and arrays (a store's private index, a mailbox's well-known folders): a Map is emptied and
 * refilled, an object gets the saved fields (fields the snapshot lacks, added since, keep their fresh
 * defaults), and a saved object that sits where a live one does (the same property, the same Map key, the
 * same array index) becomes that live one, so closures that captured it see the saved data. A saved object
 * with methods that has no live counterpart is created by the factory its Map registered (`restorable`).
 *
 * On disk: JSON, written to a temporary file and renamed over the old one (never half a file), at most
 * every `debounceMs` after a change and once more on close. A file that cannot be read is reported, moved
 * aside, and the sandbox starts empty.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

const FORMAT = 'talentsync-sandbox-state';
const VERSION = 1;

type Value =
  | string
  | number
  | boolean
  | null
  | { $u: 1 }
  | { $n: string }
  | { $big: string }
  | { $r: number }
  | { $s: 1 };

type Entry =
  | { t: 'o'; p: Record<string, Value>; m?: 1 }
  | { t: 'a'; v: Value[] }
  | { t: 'map'; e: [Value, Value][] }
  | { t: 'set'; v: Value[] }
  | { t: 'date'; v: number }
  | { t: 'buf'; v: string };

export interface Snapshot {
  format: typeof FORMAT;
  version: number;
  savedAt: string;
  roots: Record<string, Value>;
  objects: Entry[];
}

const factories = new WeakMap<Map<unknown, unknown>, (key: unknown, saved: object) => object>();

/**
 * Registers how to create a live value of `map` when a snapshot holds one the live map lacks (values with
 * methods, which a snapshot cannot carry). The factory gets the key and the saved object, and returns a live
 * object for the saved fields to be written into.
 */
export function restorable<K, V extends object>(map: Map<K, V>, create: (key: K, saved: V) => V): void {
  factories.set(map as Map<unknown, unknown>, create as unknown as (key: unknown, saved: object) => object);
}

const isPlain = (value: object) => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** The graph reachable from `roots`, without functions and without the objects in `skip`. */
export function takeSnapshot(roots: Record<string, object>, skip: ReadonlySet<object>): Snapshot {
  const objects: Entry[] = [];
  const numbers = new Map<object, number>();
  const pending: [object, number][] = [];

  const value = (input: unknown): Value | undefined => {
    if (input === undefined) return { $u: 1 };
    if (input === null || typeof input === 'string' || typeof input === 'boolean') return input;
    if (typeof input === 'number') {
      return Number.isFinite(input) && !Object.is(input, -0)
        ? input
        : { $n: Object.is(input, -0) ? '-0' : String(input) };
    }
    if (typeof input === 'bigint') return { $big: input.toString() };
    if (typeof input !== 'object') return undefined; // functions, symbols: not data
    if (skip.has(input)) return { $s: 1 };
    const known = numbers.get(input);
    if (known !== undefined) return { $r: known };
    const storable =
      Array.isArray(input) ||
      input instanceof Map ||
      input instanceof Set ||
      input instanceof Date ||
      input instanceof Uint8Array ||
      isPlain(input);
    // Class instances (keys, timers, sockets) are the runtime's, not the emulator's data.
    if (!storable) return { $s: 1 };
    const index = objects.length;
    objects.push({ t: 'a', v: [] });
    numbers.set(input, index);
    pending.push([input, index]);
    return { $r: index };
  };

  const entry = (input: object): Entry => {
    if (Array.isArray(input)) return { t: 'a', v: input.map((item) => value(item) ?? { $u: 1 }) };
    if (input instanceof Map) {
      const e: [Value, Value][] = [];
      for (const [key, item] of input) {
        const k = value(key);
        const v = value(item);
        if (k !== undefined && v !== undefined) e.push([k, v]);
      }
      return { t: 'map', e };
    }
    if (input instanceof Set) {
      return { t: 'set', v: [...input].map(value).filter((item) => item !== undefined) };
    }
    if (input instanceof Date) return { t: 'date', v: input.getTime() };
    if (input instanceof Uint8Array) return { t: 'buf', v: Buffer.from(input).toString('base64') };
    const p: Record<string, Value> = {};
    let methods = false;
    for (const [key, item] of Object.entries(input)) {
      const v = value(item);
      if (v === undefined) methods = true;
      else p[key] = v;
    }
    return methods ? { t: 'o', p, m: 1 } : { t: 'o', p };
  };

  const encodedRoots: Record<string, Value> = {};
  for (const [name, root] of Object.entries(roots)) encodedRoots[name] = value(root) ?? { $u: 1 };
  for (let next = pending.shift(); next; next = pending.shift()) objects[next[1]] = entry(next[0]);
  return {
    format: FORMAT,
    version: VERSION,
    savedAt: new Date().toISOString(),
    roots: encodedRoots,
    objects,
  };
}

/** Writes a snapshot into the live `roots` (see the file's comment); throws on a malformed snapshot. */
export function restoreSnapshot(
  roots: Record<string, object>,
  skip: ReadonlySet<object>,
  snapshot: Snapshot,
): void {
  if (snapshot?.format !== FORMAT || !Array.isArray(snapshot.objects) || typeof snapshot.roots !== 'object') {
    throw new Error('not a sandbox state file');
  }
  if (snapshot.version !== VERSION)
    throw new Error(`state format version ${snapshot.version}, expected ${VERSION}`);
  const { objects } = snapshot;
  // Fresh shells first, so references between them resolve whatever their order.
  const shells: object[] = objects.map((entry) => {
    switch (entry?.t) {
      case 'o':
        return {};
      case 'a':
        return [];
      case 'map':
        return new Map();
      case 'set':
        return new Set();
      case 'date':
        return new Date(entry.v);
      case 'buf':
        return Buffer.from(entry.v, 'base64');
      default:
        throw new Error('unknown entry in the state file');
    }
  });
  const SKIPPED = Symbol('skipped');
  const decode = (input: Value): unknown => {
    if (input === null || typeof input !== 'object') return input;
    if ('$u' in input) return undefined;
    if ('$n' in input) return Number(input.$n);
    if ('$big' in input) return BigInt(input.$big);
    if ('$s' in input) return SKIPPED;
    const shell = shells[input.$r];
    if (!shell) throw new Error(`dangling reference ${input.$r} in the state file`);
    return shell;
  };
  const entryOf = new Map<object, Entry>(shells.map((shell, index) => [shell, objects[index] as Entry]));

  // Pass 1: which saved object becomes which live one.
  const live = new Map<object, object>();
  const taken = new Set<object>();
  const pair = (target: unknown, saved: unknown) => {
    if (typeof target !== 'object' || target === null || typeof saved !== 'object' || saved === null) return;
    if (skip.has(target) || live.has(saved) || taken.has(target)) return;
    const entry = entryOf.get(saved);
    if (!entry || entry.t === 'date' || entry.t === 'buf') return;
    const kind = (value: object) =>
      Array.isArray(value) ? 'a' : value instanceof Map ? 'map' : value instanceof Set ? 'set' : 'o';
    if (kind(target) !== entry.t) return;
    if (entry.t === 'o' && !isPlain(target)) return;
    live.set(saved, target);
    taken.add(target);
    if (entry.t === 'o') {
      for (const [key, item] of Object.entries(entry.p))
        pair((target as Record<string, unknown>)[key], decode(item));
    } else if (entry.t === 'a') {
      entry.v.forEach((item, index) => {
        pair((target as unknown[])[index], decode(item));
      });
    } else if (entry.t === 'map') {
      const map = target as Map<unknown, unknown>;
      for (const [k, v] of entry.e) {
        const key = decode(k);
        const value = decode(v);
        if (typeof key === 'object' && key !== null) continue;
        if (map.has(key)) pair(map.get(key), value);
        else {
          const create = factories.get(map);
          const savedEntry = typeof value === 'object' && value !== null ? entryOf.get(value) : undefined;
          if (create && savedEntry?.t === 'o') {
            // The factory reads the saved fields (a mailbox's user); pass 2 writes them again, resolved.
            fill(value as object, savedEntry, decode);
            pair(create(key, value as object), value);
          }
        }
      }
    }
  };
  const resolve = (input: Value): unknown => {
    const value = decode(input);
    return typeof value === 'object' && value !== null ? (live.get(value) ?? value) : value;
  };
  // Writes a saved entry's contents into `target`, with references mapped through `map`.
  const fill = (target: object, entry: Entry, map: (value: Value) => unknown) => {
    if (entry.t === 'o') {
      for (const [key, item] of Object.entries(entry.p)) {
        const value = map(item);
        if (value !== SKIPPED) (target as Record<string, unknown>)[key] = value;
      }
    } else if (entry.t === 'a') {
      const array = target as unknown[];
      array.length = 0;
      for (const item of entry.v) array.push(map(item));
    } else if (entry.t === 'map') {
      const out = target as Map<unknown, unknown>;
      out.clear();
      for (const [k, v] of entry.e) {
        const value = map(v);
        if (value !== SKIPPED) out.set(map(k), value);
      }
    } else if (entry.t === 'set') {
      const out = target as Set<unknown>;
      out.clear();
      for (const item of entry.v) out.add(map(item));
    }
  };

  for (const [name, root] of Object.entries(roots)) {
    const saved = snapshot.roots[name];
    if (saved !== undefined) pair(root, decode(saved));
  }
  // Pass 2: every saved object's contents, into its live counterpart or its own fresh shell.
  shells.forEach((shell, index) => {
    const entry = objects[index] as Entry;
    fill(live.get(shell) ?? shell, entry, (item) => resolve(item));
  });
}

export interface StateFile {
  /** Restores the file into the roots, if there is one; a bad file is moved aside and reported. */
  load(): { restored: boolean; problem?: string };
  /** Saves soon (debounced). */
  changed(): void;
  /** Saves now if anything changed, and stops the timer. */
  flush(): void;
}

/** The state file at `file` for these roots. `onBadFile` empties the live state after a failed restore. */
export function stateFile(
  file: string,
  roots: () => Record<string, object>,
  skip: () => ReadonlySet<object>,
  options: { logger: Logger; debounceMs?: number; onBadFile: () => void },
): StateFile {
  const { logger, debounceMs = 300 } = options;
  let timer: NodeJS.Timeout | undefined;
  let dirty = false;
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    try {
      const text = JSON.stringify(takeSnapshot(roots(), skip()));
      mkdirSync(path.dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, text, { mode: 0o600 });
      renameSync(temporary, file);
    } catch (error) {
      dirty = true;
      logger.error({ err: error }, `the sandbox could not save its state to ${file}`);
    }
  };
  return {
    load() {
      if (!existsSync(file)) return { restored: false };
      try {
        restoreSnapshot(roots(), skip(), JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
        return { restored: true };
      } catch (error) {
        options.onBadFile();
        const aside = `${file}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        const reason = error instanceof Error ? error.message : String(error);
        let moved = true;
        try {
          renameSync(file, aside);
        } catch {
          moved = false;
        }
        const problem =
          `the sandbox's saved state in ${file} could not be read (${reason}); ` +
          (moved ? `it was moved to ${aside} ` : 'it was left where it is ') +
          'and the sandbox starts empty';
        logger.warn(problem);
        return { restored: false, problem };
      }
    },
    changed() {
      dirty = true;
      timer ??= setTimeout(save, debounceMs);
      timer.unref?.();
    },
    flush: save,
  };
}
