/** A data profile as the engine computes it (`crate/src/profile`), one pass over a table. */
export type { ColumnProfile, Histogram, ColumnKind, NumberProfile, Profile } from '../../contract';
