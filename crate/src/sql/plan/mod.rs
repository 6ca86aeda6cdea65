//! Logical planning: expressions and plans, the planner that builds them from SQL, and
//! the optimizer.

pub mod aggregates;
pub mod correlation;
pub mod decimal_exprs;
pub mod decorrelate;
pub mod explain;
pub mod expr;
pub mod exprs;
pub mod functions;
pub mod generate;
pub mod grouping_keys;
pub mod grouping_sets;
pub mod interval;
pub mod lambda;
pub mod logical;
pub mod optimize;
pub mod partition_filters;
pub mod pivot;
pub mod planner;
pub mod scalar;
pub mod schema;
pub mod sequence;
pub mod structs;
pub mod subquery;
pub mod value_joins;
pub mod window;
