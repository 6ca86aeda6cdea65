/** A data profile as the engine computes it (`crate/src/profile`), one pass over a table. */

export type ColumnKind = 'numeric' | 'temporal' | 'string' | 'boolean' | 'other';

export interface Histogram {
  start: number;
  width: number;
  /** Rows per bin; estimates (not integers) when the column was sampled. */
  counts: number[];
}

export interface NumberProfile {
  min: number;
  max: number;
  mean: number;
  /** Sample standard deviation, as Spark's `stddev`. */
  std: number;
  quantiles: { p: number; value: number }[];
  histogram: Histogram;
  minText: string;
  maxText: string;
  quantileTexts: string[];
  /** Quantiles and histogram come from a uniform sample of about 2^20 rows. */
  sampled: boolean;
}

export interface ColumnProfile {
  name: string;
  dataType: string;
  kind: ColumnKind;
  nulls: number;
  nans: number;
  distinct: number;
  /** False when the column has more than 10,000 distinct values (HyperLogLog estimate). */
  distinctExact: boolean;
  numbers: NumberProfile | null;
  topValues: { value: string; count: number }[];
  /** False when top counts are Misra–Gries estimates (low by at most rows / 10,001). */
  topExact: boolean;
  lengths: [number, number] | null;
}

export interface Profile {
  rows: number;
  columns: ColumnProfile[];
  elapsedMs: number;
}
