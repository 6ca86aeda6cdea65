//! DECIMAL values on Arrow `Decimal128` columns with Spark's semantics: exact i128/i256
//! arithmetic, HALF_UP rounding to the result's scale, NULL on overflow and division by
//! zero (non-ANSI), exact comparisons across scales, casts, and the `sum` / `avg` states.
//! The types these compute in are decided by the planner (`sql::decimal`).

pub mod arith;
pub mod cast;
pub mod compare;
