/**
 * What every stage of `npm run bench` (bench/run.ts) is: a named measurement that reports figures
 * (each a ratio measured side by side in the same run, or a percentile, with its goal), an optional
 * table of its own, and optional growth series (the same figure at several sizes) that become SVG charts.
 *
 * A stage gets a `StageContext`: whether this is a `--quick` run (tiny sizes; only checks that the stage
 * works, the figures mean nothing), a progress line writer, and `database()`, a fresh migrated database on
 * the run's one PostgreSQL server (cloned from a template in milliseconds), so stages neither start servers
 * of their own nor see each other's rows.
 */

export interface Goal {
  /** `<=`: the figure must not exceed `value`; `>=`: it must reach it. */
  op: '<=' | '>=';
  value: number;
}

export interface Figure {
  /** Short and stable, e.g. `peer.google.units_ratio`: the key in the JSON. */
  id: string;
  /** In words, for the table: "Gmail quota units, ours ÷ the peer's". */
  label: string;
  value: number;
  /** `×` for a ratio, `ms`, `/s`, `KiB`, `s`, … */
  unit: string;
  goal?: Goal;
  /** What bounds it, or why a goal is missed; one line. */
  note?: string;
}

export interface Series {
  /** The file name under bench/results/ (without `.svg`), e.g. `peer-units`. */
  id: string;
  title: string;
  x: { label: string; values: number[] };
  y: { label: string; unit: string };
  /** One line per name, one value per x. */
  lines: { name: string; values: number[] }[];
  /** The growth in words: "linear", "flat", "n log n", "worse than linear: …". */
  growth: string;
}

export interface StageResult {
  figures: Figure[];
  /** Extra rows printed under the figures (first row is the header). */
  table?: string[][];
  series?: Series[];
  /** Anything else worth keeping in the JSON (raw counts, sizes used). */
  details?: Record<string, unknown>;
}

export interface StageContext {
  quick: boolean;
  /** One progress line (stderr), prefixed with the stage's id. */
  progress(line: string): void;
  /** A fresh, migrated database on the run's PostgreSQL server; dropped when the run ends. */
  database(): Promise<{ url: string }>;
  /** The run's PostgreSQL server (for stages that must restart or inspect it, not for rows). */
  serverUrl: string;
}

export interface Stage {
  /** e.g. `peer`, `ingest`, `fetch`, `quota`, `push`, `scale`, `history`, `slots`, `cold-start`. */
  id: string;
  title: string;
  run(context: StageContext): Promise<StageResult>;
}

/** Whether a figure meets its goal (true when it has none). */
export function meets(figure: Figure): boolean {
  if (!figure.goal) return true;
  return figure.goal.op === '<=' ? figure.value <= figure.goal.value : figure.value >= figure.goal.value;
}
