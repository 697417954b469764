/** The stages of `npm run bench` (bench/run.ts), in the order they run. Each file holds one stage. */
import type { Stage } from '../stage.ts';
import { coldStart } from './cold-start.ts';
import { fetchStage } from './fetch.ts';
import { history } from './history.ts';
import { ingest } from './ingest.ts';
import { peer } from './peer.ts';
import { push } from './push.ts';
import { quota } from './quota.ts';
import { scale } from './scale.ts';
import { slots } from './slots.ts';

export const STAGES: Stage[] = [peer, ingest, fetchStage, quota, push, scale, history, slots, coldStart];
