/** The stages of `npm run bench` (bench/run.ts), in the order they run. Each file holds one stage. */
import type { Stage } from '../stage.ts';
import { push } from './push.ts';
import { slots } from './slots.ts';

export const STAGES: Stage[] = [slots, push];
