//! Logical plans: what a query computes, as a tree of relational operators over
//! resolved expressions. The physical layer (`exec`) decides how, partition by partition.

use std::sync::Arc;

use crate::frame::Table;
use crate::sql::plan::expr::{AggregateCall, Expr, SortKey, WindowCall};
use crate::sql::plan::schema::PlanSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
    /// Rows of the left side with a match (from `IN (subquery)`).
    LeftSemi,
    /// Rows of the left side without a match (from `NOT IN (subquery)`).
    LeftAnti,
}

/// The qualifier (then a number) of the hidden columns a SELECT-list generator makes;
/// `qualifier.*` still lists them.
pub const SELECT_GENERATOR: &str = "__select_generator";

/// A generator function: what one input row becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneratorFunction {
    /// `explode`: one row per element of an array (or entry of a map: a key and a value).
    Explode,
    /// `posexplode`: as `explode`, each element's 0-based position first, as `pos`.
    PosExplode,
    /// `inline`: one row per struct of an array of structs, the struct's fields as the
    /// columns (a NULL struct gives a row of NULLs).
    Inline,
    /// `stack(n, v1, ..., vk)`: `n` rows of `⌈k / n⌉` columns; planned as `inline` over an
    /// array of `n` structs, so it runs as `inline` does.
    Stack,
    /// `json_tuple(json, k1, ...)`: one row per input row, one column per key; its
    /// argument is the struct of the keys' values, whose fields become the columns.
    JsonTuple,
}

/// Which generator, and how it treats an empty or NULL array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generator {
    pub function: GeneratorFunction,
    /// `_outer` or `LATERAL VIEW OUTER`: an empty or NULL array still gives one row, of
    /// NULLs, instead of none.
    pub outer: bool,
}

impl Generator {
    pub fn from_name(name: &str) -> Option<Generator> {
        use GeneratorFunction::*;
        let (function, outer) = match name.to_ascii_lowercase().as_str() {
            "explode" => (Explode, false),
            "explode_outer" => (Explode, true),
            "posexplode" => (PosExplode, false),
            "posexplode_outer" => (PosExplode, true),
            "inline" => (Inline, false),
            "inline_outer" => (Inline, true),
            "stack" => (Stack, false),
            "json_tuple" => (JsonTuple, false),
            _ => return None,
        };
        Some(Generator { function, outer })
    }

    /// `explode`, as the `EXCEPT ALL` and `INTERSECT ALL` rewrites repeat rows with it.
    pub fn explode() -> Generator {
        Generator {
            function: GeneratorFunction::Explode,
            outer: false,
        }
    }

    pub fn name(self) -> &'static str {
        use GeneratorFunction::*;
        match (self.function, self.outer) {
            (Explode, false) => "explode",
            (Explode, true) => "explode_outer",
            (PosExplode, false) => "posexplode",
            (PosExplode, true) => "posexplode_outer",
            (Inline, false) => "inline",
            (Inline, true) => "inline_outer",
            (Stack, _) => "stack",
            (JsonTuple, _) => "json_tuple",
        }
    }

    /// Whether each element's position comes first (`posexplode`).
    pub fn with_position(self) -> bool {
        self.function == GeneratorFunction::PosExplode
    }

    /// Whether the generated values are structs whose fields are the columns.
    pub fn spreads_structs(self) -> bool {
        matches!(
            self.function,
            GeneratorFunction::Inline | GeneratorFunction::Stack | GeneratorFunction::JsonTuple
        )
    }

    /// Whether each input row gives exactly one row (the argument is not a collection).
    pub fn one_row_each(self) -> bool {
        self.function == GeneratorFunction::JsonTuple
    }

    /// Spark's names for the columns `explode` and `posexplode` make when the query names
    /// none: of an array, `col`; of a map, `key` and `value`; `pos` before them for
    /// `posexplode`. (The other generators name their columns after their structs' fields.)
    pub fn default_names(self, of_map: bool) -> &'static [&'static str] {
        match (self.with_position(), of_map) {
            (true, false) => &["pos", "col"],
            (false, false) => &["col"],
            (true, true) => &["pos", "key", "value"],
            (false, true) => &["key", "value"],
        }
    }
}

/// The numbers of Spark's `range(start, end, step, numPartitions)`: `rows` of them from
/// `start` by `step` (all before `end`), cut into `slices` partitions as Spark cuts them,
/// so that `spark_partition_id()` and the seeded random functions see Spark's partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeSpec {
    pub start: i64,
    pub end: i64,
    pub step: i64,
    pub rows: u64,
    pub slices: usize,
}

impl RangeSpec {
    /// The positions (0-based, in `0..rows`) of slice `i`'s numbers: Spark's
    /// `i · rows / slices` up to `(i + 1) · rows / slices`.
    pub fn slice(&self, i: usize) -> std::ops::Range<u64> {
        let at = |i: usize| (i as u128 * self.rows as u128 / self.slices.max(1) as u128) as u64;
        at(i)..at(i + 1)
    }

    /// The number at `position` (within `0..rows`, so between `start` and `end`: no
    /// overflow).
    pub fn value(&self, position: u64) -> i64 {
        (self.start as i128 + position as i128 * self.step as i128) as i64
    }
}

#[derive(Debug, Clone)]
pub enum LogicalPlan {
    /// Rows of a catalog table: only `projection`'s columns, and only rows passing every
    /// filter (pushed down by the optimizer).
    Scan {
        table: Arc<Table>,
        projection: Vec<usize>,
        filters: Vec<Expr>,
        schema: PlanSchema,
    },
    /// One row and no columns: `SELECT 1 + 1` without `FROM`.
    OneRow,
    /// `range(...)` in FROM: one BIGINT column `id`, its numbers made when the plan runs.
    Range {
        range: RangeSpec,
        schema: PlanSchema,
    },
    Filter {
        input: Box<LogicalPlan>,
        predicate: Expr,
    },
    Project {
        input: Box<LogicalPlan>,
        exprs: Vec<Expr>,
        schema: PlanSchema,
    },
    /// Output: the grouping keys, then one column per aggregate.
    Aggregate {
        input: Box<LogicalPlan>,
        group: Vec<Expr>,
        aggregates: Vec<AggregateCall>,
        schema: PlanSchema,
    },
    /// Output: the input's columns, then one column per window function.
    Window {
        input: Box<LogicalPlan>,
        windows: Vec<WindowCall>,
        schema: PlanSchema,
    },
    /// Output: each input row once per element of the array `arg` (once with NULLs for an
    /// empty or NULL array when the generator is `outer`), the input's columns then the
    /// element's position (`posexplode`) and the element, or the element struct's fields
    /// (`inline`, `stack`); for `json_tuple`, each row once with the fields of the struct
    /// `arg`.
    Generate {
        input: Box<LogicalPlan>,
        generator: Generator,
        arg: Expr,
        schema: PlanSchema,
    },
    Sort {
        input: Box<LogicalPlan>,
        keys: Vec<SortKey>,
        /// Only the first `fetch` rows are needed (`ORDER BY ... LIMIT`): a top-k.
        fetch: Option<usize>,
    },
    Limit {
        input: Box<LogicalPlan>,
        skip: usize,
        fetch: Option<usize>,
    },
    /// Equi-join on `on` pairs (left expression, right expression) plus an optional
    /// residual `filter` over the joined row; no pairs is a cross join.
    Join {
        left: Box<LogicalPlan>,
        right: Box<LogicalPlan>,
        kind: JoinKind,
        on: Vec<(Expr, Expr)>,
        filter: Option<Expr>,
        schema: PlanSchema,
    },
    Distinct {
        input: Box<LogicalPlan>,
    },
    /// `UNION ALL` of inputs with the same column types.
    Union {
        inputs: Vec<LogicalPlan>,
        schema: PlanSchema,
    },
    /// Renames the qualifier of the input's columns (`(subquery) AS s`, CTEs).
    Alias {
        input: Box<LogicalPlan>,
        schema: PlanSchema,
    },
}

impl LogicalPlan {
    /// The plan's rows after the first `skip`, at most `fetch` of them (itself when there
    /// is nothing to cut).
    pub fn limited(self, skip: usize, fetch: Option<usize>) -> LogicalPlan {
        if skip == 0 && fetch.is_none() {
            return self;
        }
        LogicalPlan::Limit {
            input: Box::new(self),
            skip,
            fetch,
        }
    }

    /// The plan's first `width` columns (a projection of them).
    pub fn first_columns(self, width: usize) -> LogicalPlan {
        let schema = self.schema();
        let exprs = (0..width)
            .map(|i| Expr::column(i, schema.field(i).name.clone()))
            .collect();
        LogicalPlan::Project {
            input: Box::new(self),
            exprs,
            schema: PlanSchema::new(schema.fields()[..width].to_vec()),
        }
    }

    /// Every row and column of `table`, its columns qualified by `name`.
    pub fn scan_of(table: Arc<Table>, name: &str) -> LogicalPlan {
        let schema = PlanSchema::from_arrow(table.schema(), Some(name));
        LogicalPlan::Scan {
            projection: (0..schema.len()).collect(),
            table,
            filters: Vec::new(),
            schema,
        }
    }

    pub fn schema(&self) -> PlanSchema {
        match self {
            LogicalPlan::Scan { schema, .. }
            | LogicalPlan::Project { schema, .. }
            | LogicalPlan::Aggregate { schema, .. }
            | LogicalPlan::Window { schema, .. }
            | LogicalPlan::Generate { schema, .. }
            | LogicalPlan::Join { schema, .. }
            | LogicalPlan::Union { schema, .. }
            | LogicalPlan::Alias { schema, .. } => schema.clone(),
            LogicalPlan::OneRow => PlanSchema::default(),
            LogicalPlan::Range { schema, .. } => schema.clone(),
            LogicalPlan::Filter { input, .. }
            | LogicalPlan::Sort { input, .. }
            | LogicalPlan::Limit { input, .. }
            | LogicalPlan::Distinct { input } => input.schema(),
        }
    }
}
