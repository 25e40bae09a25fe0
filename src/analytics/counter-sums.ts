import type { RollupRow } from '../storage/ports';

export type Counters = Readonly<Record<string, number>>;

/**
 * Sums rows' counters. A year of rollups is tens of thousands of rows summed six ways, so each
 * row's counters are read once into a dense vector (by counter name) and the sums add vectors.
 */
export class CounterSums {
  private readonly index = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly vectors = new Map<RollupRow, Float64Array>();

  constructor(rows: Iterable<RollupRow>) {
    const all = [...rows];
    for (const row of all) for (const name of Object.keys(row.counters)) if (!this.index.has(name)) this.index.set(name, this.names.push(name) - 1);
    for (const row of all) {
      const vector = new Float64Array(this.names.length);
      for (const [name, value] of Object.entries(row.counters)) vector[this.index.get(name)!] = value;
      this.vectors.set(row, vector);
    }
  }

  /** The totals of every counter name met (a name absent from all rows reads as 0, as `n()` does). */
  sum(rows: readonly RollupRow[]): Record<string, number> {
    const total = new Float64Array(this.names.length);
    for (const row of rows) {
      const vector = this.vectors.get(row);
      if (vector) for (let i = 0; i < vector.length; i += 1) total[i]! += vector[i]!;
      else for (const [name, value] of Object.entries(row.counters)) if (this.index.has(name)) total[this.index.get(name)!]! += value;
    }
    const result: Record<string, number> = {};
    this.names.forEach((name, i) => {
      result[name] = total[i]!;
    });
    return result;
  }
}

export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

export function round1(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

export function n(c: Counters, name: string): number {
  return c[name] ?? 0;
}

export function resolved(c: Counters): number {
  return n(c, 'resolvedConfirmed') + n(c, 'resolvedAssumed');
}

/** Conversations self-help absorbed: answered by the bot, or correctly sent to another administration. */
export function absorbed(c: Counters): number {
  return resolved(c) + n(c, 'referred');
}
