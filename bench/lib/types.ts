// What a scenario gets and what it returns: rows of the one result table.
import type { BenchDb } from "./db.ts";
import type { LoadResult } from "./stats.ts";

export interface Figure {
  scenario: string;
  figure: string;
  value: number;
  unit: string;
  /** The same figure for the baseline measured in this run (null when there is none). */
  baseline: number | null;
  /** value / baseline. */
  ratio: number | null;
  target: string;
  pass: boolean | null;
  note?: string;
}

export interface BenchContext {
  db: BenchDb;
  quick: boolean;
  log(msg: string): void;
  /** The bare-handler baseline at this concurrency (measured once per run and concurrency). */
  bare(concurrency: number): Promise<LoadResult>;
}

export interface Scenario {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

export function fig(f: Omit<Figure, "ratio"> & { ratio?: number | null }): Figure {
  const ratio = f.ratio !== undefined ? f.ratio : f.baseline ? f.value / f.baseline : null;
  return { ...f, ratio };
}
