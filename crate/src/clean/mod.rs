//! Cleaning, the PySpark way: DataFrame transformations (`filter`, `drop`, `select`,
//! `dropna`, `fillna`, `withColumn`, `cast`, `dropDuplicates`, `repartition`, `cache`) and
//! Spark ML's estimators for preparing features (`Imputer`, `StringIndexer`,
//! `OneHotEncoder`), as steps of a serialisable pipeline ([`spec`]) that is run by
//! [`pipeline`].
//!
//! Estimators follow Spark ML's fit → model → transform shape: `fit` makes one parallel
//! pass over the partitions and merges partial statistics; the fitted state is stored in
//! the step, so a fitted pipeline replays exactly on another file. Every step runs in
//! parallel over partitions and returns a typed error naming the step, column and row.

pub mod columns;
pub mod dedupe;
pub mod expr;
pub mod fold_fit;
pub mod imputer;
pub mod indexer;
pub mod missing;
pub mod onehot;
pub mod pipeline;
pub mod spec;

pub use pipeline::{run_pipeline, run_pipeline_part, PipelineRun, StepCache, StepReport};
pub use spec::{PipelineSpec, Step};
