/**
 * Partial responses (the "Performance tips" guide, "Partial response"; the same in Gmail and Calendar):
 * `fields=` names the parts of the answer to keep, as a comma-separated list where `a/b` selects `b`
 * inside `a`, `a(b,c)` selects `b` and `c` inside `a`, and `*` every field at its level. A selection
 * inside an array applies to each element. Fields the answer lacks (proto-JSON leaves out empty ones) are
 * simply absent. A mask that does not parse answers 400 "Invalid field selection".
 */

/** A parsed mask: each selected field, with the mask of its own fields (`true`: all of it). */
export type FieldMask = Map<string, FieldMask | true>;

/** A `fields` value that is not a field mask. */
export class InvalidFieldMask extends Error {}

/** Parses a `fields` parameter. */
export function parseFieldMask(text: string): FieldMask {
  let at = 0;
  const fail = (): never => {
    throw new InvalidFieldMask(`Invalid field selection ${text}`);
  };
  const name = (): string => {
    const match = /^(?:\*|[A-Za-z_$@][\w$@.-]*)/.exec(text.slice(at));
    if (!match) return fail();
    at += match[0].length;
    return match[0];
  };
  const list = (): FieldMask => {
    const mask: FieldMask = new Map();
    for (;;) {
      while (text[at] === ' ') at += 1;
      const path = [name()];
      while (text[at] === '/') {
        at += 1;
        path.push(name());
      }
      let leaf: FieldMask | true = true;
      if (text[at] === '(') {
        at += 1;
        leaf = list();
        if (text[at] !== ')') fail();
        at += 1;
      }
      merge(mask, path, leaf);
      while (text[at] === ' ') at += 1;
      if (text[at] !== ',') return mask;
      at += 1;
    }
  };
  const mask = list();
  if (at !== text.length) fail();
  return mask;
}

function merge(mask: FieldMask, path: string[], leaf: FieldMask | true): void {
  const [head = '', ...rest] = path;
  const sub: FieldMask | true = rest.length === 0 ? leaf : new Map();
  if (rest.length > 0) merge(sub as FieldMask, rest, leaf);
  const existing = mask.get(head);
  if (existing === true || sub === true) {
    mask.set(head, true);
    return;
  }
  if (!existing) {
    mask.set(head, sub);
    return;
  }
  for (const [key, value] of sub) merge(existing, [key], value);
}

/** The part of a JSON value a mask selects. */
export function applyFieldMask(value: unknown, mask: FieldMask | true): unknown {
  if (mask === true || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => applyFieldMask(item, mask));
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const all = mask.get('*');
  for (const [key, item] of Object.entries(source)) {
    const selected = mask.get(key) ?? all;
    if (selected !== undefined) out[key] = applyFieldMask(item, selected);
  }
  return out;
}
