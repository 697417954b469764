/**
 * What every provider emulator shares: sandbox time, a seeded random source, injected faults, call counters
 * and the push dispatcher. A provider module receives this and returns its routes.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { type Clock, createClock } from './clock.ts';
import { type Counters, createCounters } from './counters.ts';
import { createFaultInjector, type Fault, type FaultInjector, type Provider } from './faults.ts';
import { createPushDispatcher, type PushDispatcher } from './push.ts';
import { createRandom, type Random } from './random.ts';

export interface SandboxCore {
  /** The sandbox's base URL as its clients reach it, without a trailing slash. */
  baseUrl: string;
  clock: Clock;
  random: Random;
  faults: FaultInjector;
  counters: Counters;
  push: PushDispatcher;
  logger: Logger;
  /**
   * Applies injected faults to one call: waits out any injected latency, then returns the fault when the
   * call must fail (the provider answers it in its own error shape), else undefined.
   */
  fault(
    provider: Provider,
    endpoint: string,
    user: string | undefined,
    messageId?: string | undefined,
  ): Promise<Fault | undefined>;
}

/** A provider emulator: its public endpoints, its part of the control API, and a way to forget everything. */
export interface ProviderSandbox {
  /** Registered under `/{provider}` (e.g. `/google/gmail/v1/...`). */
  routes: FastifyPluginAsync;
  /** Registered under `/_sandbox/{provider}`. */
  control: FastifyPluginAsync;
  /**
   * What a saved sandbox keeps (persistence.ts): the emulator's state, whole, and the objects inside it
   * that are configuration or runtime rather than state (options, timers' windows), which a restart builds
   * afresh and a snapshot leaves alone.
   */
  snapshot: { state: object; config: object[] };
  reset(): void;
}

export function createCore(baseUrl: string, logger: Logger, seed?: number): SandboxCore {
  const clock = createClock();
  const random = createRandom(seed);
  const faults = createFaultInjector(random);
  return {
    baseUrl,
    clock,
    random,
    faults,
    counters: createCounters(),
    push: createPushDispatcher(random),
    logger,
    async fault(provider, endpoint, user, messageId) {
      const fault = faults.check(provider, endpoint, user, messageId);
      if (fault?.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
      return fault?.status === undefined ? undefined : fault;
    },
  };
}
