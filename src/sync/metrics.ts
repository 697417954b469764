/**
 * Prometheus metrics for sync, push and provider calls (served at /metrics). Counts and timings only:
 * never an address, a subject, or anything else of a message.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SkipReason } from '../domain/skip-reason.ts';

const registry = new Registry();

const syncDuration = new Histogram({
  name: 'talentsync_sync_duration_seconds',
  help: 'Time from the start of a mailbox sync run to being caught up.',
  labelNames: ['provider'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
  registers: [registry],
});
const ingested = new Counter({
  name: 'talentsync_messages_ingested_total',
  help: 'Messages stored by sync.',
  labelNames: ['provider'],
  registers: [registry],
});
const skipped = new Counter({
  name: 'talentsync_messages_skipped_total',
  help: 'Messages looked at and not synced, by the rule that left them out (R19).',
  labelNames: ['provider', 'rule'],
  registers: [registry],
});
const providerCalls = new Counter({
  name: 'talentsync_provider_calls_total',
  help: 'Sync operations against providers, by outcome (ok, or the error kind).',
  labelNames: ['provider', 'operation', 'outcome'],
  registers: [registry],
});
const recoveries = new Counter({
  name: 'talentsync_cursor_recoveries_total',
  help: 'Cursor losses recovered from (Gmail history 404, Graph delta 410).',
  labelNames: ['provider'],
  registers: [registry],
});
const webhooks = new Counter({
  name: 'talentsync_webhook_notifications_total',
  help: 'Push notifications received, by outcome (accepted, rejected, unknown, ignored).',
  labelNames: ['provider', 'outcome'],
  registers: [registry],
});
const queueDepth = new Gauge({
  name: 'talentsync_job_queue_depth',
  help: 'Jobs waiting in the queue, by task.',
  labelNames: ['task'],
  registers: [registry],
});

export const metrics = {
  registry,
  syncDuration,
  recoveries,
  webhooks,
  providerCalls,
  queueDepth,
  recordPage(provider: string, stored: number, skippedByRule: Partial<Record<SkipReason, number>>) {
    if (stored > 0) ingested.inc({ provider }, stored);
    for (const [rule, count] of Object.entries(skippedByRule)) skipped.inc({ provider, rule }, count ?? 0);
  },
};
