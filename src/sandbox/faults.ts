/**
 * Injected faults. A rule names a provider, an endpoint (a route's operation id such as
 * `gmail.users.messages.get`, or `*`), optionally one mailbox, and what to do to a share of the matching
 * calls: answer with an error status (formatted by the provider in its own error shape, with
 * `Retry-After` when given), and/or add latency. `count` limits how many calls a rule hits.
 */
import type { Random } from './random.ts';

export type Provider = 'google' | 'microsoft';

export interface FaultRule {
  id: string;
  provider: Provider;
  endpoint: string;
  /** A mailbox address; the rule hits only that mailbox's calls. */
  user?: string | undefined;
  /** A provider message id; the rule hits only calls about that message (a message get, its `$value`). */
  messageId?: string | undefined;
  /** HTTP status to answer with; absent means only latency. */
  status?: number | undefined;
  /** A provider error reason to answer with, where the provider knows it (Google 403 usage limits). */
  reason?: string | undefined;
  /** Share of matching calls hit, 0..1 (default 1). */
  share: number;
  retryAfterSeconds?: number | undefined;
  latencyMs?: number | undefined;
  /** How many more calls this rule may hit; absent means unlimited. */
  remaining?: number | undefined;
  /** Calls hit so far. */
  hits: number;
}

export type FaultInput = Omit<FaultRule, 'id' | 'hits' | 'share' | 'remaining'> & {
  share?: number | undefined;
  count?: number | undefined;
};

/** What to do to one call: delay it, and/or fail it. */
export interface Fault {
  status?: number | undefined;
  reason?: string | undefined;
  retryAfterSeconds?: number | undefined;
  latencyMs: number;
}

export interface FaultInjector {
  add(input: FaultInput): FaultRule;
  list(): FaultRule[];
  remove(id: string): boolean;
  clear(): void;
  /** The fault for this call, if any rule hits it (consumes one of each hitting rule's count). */
  check(
    provider: Provider,
    endpoint: string,
    user: string | undefined,
    messageId?: string | undefined,
  ): Fault | undefined;
}

export function createFaultInjector(random: Random): FaultInjector {
  let rules: FaultRule[] = [];
  let next = 1;
  return {
    add(input) {
      if (input.share !== undefined && (input.share < 0 || input.share > 1)) {
        throw new RangeError('share must be between 0 and 1');
      }
      if (input.status === undefined && !input.latencyMs)
        throw new RangeError('a fault needs a status or a latency');
      const { count, share, ...rest } = input;
      const rule: FaultRule = {
        ...rest,
        id: `fault-${next++}`,
        share: share ?? 1,
        remaining: count,
        hits: 0,
      };
      rules.push(rule);
      return rule;
    },
    list: () => rules.map((rule) => ({ ...rule })),
    remove(id) {
      const before = rules.length;
      rules = rules.filter((rule) => rule.id !== id);
      return rules.length < before;
    },
    clear() {
      rules = [];
    },
    check(provider, endpoint, user, messageId) {
      let fault: Fault | undefined;
      for (const rule of rules) {
        if (rule.provider !== provider) continue;
        if (rule.endpoint !== '*' && rule.endpoint !== endpoint) continue;
        if (rule.user !== undefined && rule.user.toLowerCase() !== user?.toLowerCase()) continue;
        if (rule.messageId !== undefined && rule.messageId !== messageId) continue;
        if (rule.remaining !== undefined && rule.remaining <= 0) continue;
        if (random.next() >= rule.share) continue;
        if (rule.remaining !== undefined) rule.remaining -= 1;
        rule.hits += 1;
        fault ??= { latencyMs: 0 };
        fault.latencyMs += rule.latencyMs ?? 0;
        if (rule.status !== undefined && fault.status === undefined) {
          fault.status = rule.status;
          fault.reason = rule.reason;
          fault.retryAfterSeconds = rule.retryAfterSeconds;
        }
      }
      return fault;
    },
  };
}
