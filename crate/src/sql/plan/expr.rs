//! Logical expressions: resolved (columns are positions in the input), typed, with the
//! casts Spark's rules call for made explicit, so execution never has to guess.

use arrow_schema::DataType;

use crate::error::{Error, Result};
use crate::frame::interval_type::{IntervalField, IntervalFields};
use crate::frame::spark_type_name;
use crate::sql::decimal::Decimal;
use crate::sql::plan::functions::{
    AggregateFunction, DateTimeFunction, DecimalOp, HigherOrderFunction, ScalarFunction, Signature,
    WindowFunction,
};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::types::comparison_common;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    /// `/`: always on doubles, `NULL` when dividing by zero (Spark).
    Divide,
    /// `div`: integer division on `bigint`.
    IntDivide,
    Modulo,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    /// `<=>`: equality where `NULL <=> NULL` is true.
    NullSafeEq,
    And,
    Or,
    /// `||` on strings.
    Concat,
    /// `&`, `|` and `^` on integers of one type.
    BitAnd,
    BitOr,
    BitXor,
}

impl BinaryOp {
    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | NotEq | Lt | LtEq | Gt | GtEq | NullSafeEq)
    }

    /// The decimal operation this operator is on decimal operands, if it has one.
    pub fn on_decimals(self) -> Option<DecimalOp> {
        use crate::sql::decimal::Comparison as C;
        use BinaryOp::*;
        Some(match self {
            Add => DecimalOp::Add,
            Subtract => DecimalOp::Subtract,
            Multiply => DecimalOp::Multiply,
            Divide => DecimalOp::Divide,
            Modulo => DecimalOp::Remainder,
            Eq => DecimalOp::Compare(C::Eq),
            NotEq => DecimalOp::Compare(C::NotEq),
            Lt => DecimalOp::Compare(C::Lt),
            LtEq => DecimalOp::Compare(C::LtEq),
            Gt => DecimalOp::Compare(C::Gt),
            GtEq => DecimalOp::Compare(C::GtEq),
            NullSafeEq => DecimalOp::Compare(C::NullSafeEq),
            IntDivide | And | Or | Concat | BitAnd | BitOr | BitXor => return None,
        })
    }

    /// The operator a decimal operation is written with, if it is one.
    pub fn of_decimal(op: DecimalOp) -> Option<BinaryOp> {
        use crate::sql::decimal::Comparison as C;
        Some(match op {
            DecimalOp::Add => BinaryOp::Add,
            DecimalOp::Subtract => BinaryOp::Subtract,
            DecimalOp::Multiply => BinaryOp::Multiply,
            DecimalOp::Divide => BinaryOp::Divide,
            DecimalOp::Remainder => BinaryOp::Modulo,
            DecimalOp::Compare(c) => match c {
                C::Eq => BinaryOp::Eq,
                C::NotEq => BinaryOp::NotEq,
                C::Lt => BinaryOp::Lt,
                C::LtEq => BinaryOp::LtEq,
                C::Gt => BinaryOp::Gt,
                C::GtEq => BinaryOp::GtEq,
                C::NullSafeEq => BinaryOp::NullSafeEq,
            },
            _ => return None,
        })
    }

    pub fn sql(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "+",
            Subtract => "-",
            Multiply => "*",
            Divide => "/",
            IntDivide => "div",
            Modulo => "%",
            Eq => "=",
            NotEq => "!=",
            Lt => "<",
            LtEq => "<=",
            Gt => ">",
            GtEq => ">=",
            NullSafeEq => "<=>",
            And => "AND",
            Or => "OR",
            Concat => "||",
            BitAnd => "&",
            BitOr => "|",
            BitXor => "^",
        }
    }
}

/// The decimal type `e` (of type `t`) takes next to a decimal: its own, an integer's
/// (only the digits of its value for a literal, as Spark's `fromLiteral`), or `None` for
/// anything else (doubles, strings, NULL).
fn as_decimal(e: &Expr, t: &DataType) -> Option<Decimal> {
    if let Some(d) = Decimal::of(t) {
        return Some(d);
    }
    match e {
        Expr::Literal(ScalarValue::Int32(v)) => Some(Decimal::for_integer_literal(i128::from(*v))),
        Expr::Literal(ScalarValue::Int64(v)) => Some(Decimal::for_integer_literal(i128::from(*v))),
        _ if t.is_integer() => Decimal::for_integer(t),
        _ => None,
    }
}

/// Both operands as decimals when one is a decimal and the other a decimal, an integer or
/// NULL (which takes the decimal's type); `None` otherwise. Spark computes such pairs in
/// decimals (`sql::decimal`).
pub fn decimal_operands(
    left: &Expr,
    right: &Expr,
    scope: &PlanSchema,
) -> Option<(Decimal, Decimal)> {
    let (lt, rt) = (left.data_type(scope), right.data_type(scope));
    if Decimal::of(&lt).is_none() && Decimal::of(&rt).is_none() {
        return None;
    }
    let l = if lt == DataType::Null {
        Decimal::of(&rt)
    } else {
        as_decimal(left, &lt)
    };
    let r = if rt == DataType::Null {
        Decimal::of(&lt)
    } else {
        as_decimal(right, &rt)
    };
    Some((l?, r?))
}

/// A call of the decimal operation `op` on `args` (already of decimal types), typed by its
/// signature.
pub fn decimal_call(op: DecimalOp, args: Vec<Expr>, scope: &PlanSchema) -> Result<Expr> {
    let func = ScalarFunction::Decimal(op);
    let types: Vec<DataType> = args.iter().map(|a| a.data_type(scope)).collect();
    let signature = func.signature(&types)?;
    Ok(Expr::Function {
        func,
        args,
        return_type: signature.return_type,
    })
}

/// One key of an `ORDER BY` (Spark's default: NULLs first ascending, last descending).
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    pub ascending: bool,
    pub nulls_first: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AggregateCall {
    pub func: AggregateFunction,
    /// The data arguments, then the literal settings (see [`AggregateFunction::data_arity`]).
    pub args: Vec<Expr>,
    pub distinct: bool,
    /// `FILTER (WHERE ...)`: only the rows where it is true are aggregated.
    pub filter: Option<Box<Expr>>,
    pub return_type: DataType,
}

impl AggregateCall {
    /// The arguments that are columns, the ones evaluated over the rows.
    pub fn data_args(&self) -> &[Expr] {
        &self.args[..self.func.data_arity().min(self.args.len())]
    }

    /// The data arguments whose values the aggregate can give: all but the ordering of
    /// `max_by(x, ord)` / `min_by`, whose result has `x`'s type and interval fields.
    pub fn valued_args(&self) -> &[Expr] {
        match self.func {
            AggregateFunction::MaxBy | AggregateFunction::MinBy => {
                &self.args[..self.args.len().min(1)]
            }
            _ => self.data_args(),
        }
    }

    /// The literal settings after the data arguments.
    pub fn settings(&self) -> &[Expr] {
        &self.args[self.func.data_arity().min(self.args.len())..]
    }

    /// Every expression evaluated over the input rows: the arguments and the FILTER.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        self.args.iter().chain(self.filter.as_deref())
    }

    /// The call with `f` applied to each of its expressions.
    pub fn map_exprs(mut self, mut f: impl FnMut(Expr) -> Expr) -> Self {
        self.args = std::mem::take(&mut self.args)
            .into_iter()
            .map(&mut f)
            .collect();
        self.filter = self.filter.take().map(|e| Box::new(f(*e)));
        self
    }
}

/// How a frame bound is measured: in rows, or in values of the (single) order key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameUnits {
    Rows,
    Range,
}

/// A distance in a frame bound: a row count (`ROWS`), or a value added to the order key
/// (`RANGE`): integers for integer keys and days on dates, doubles for fractional keys,
/// microseconds for intervals on timestamps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FrameOffset {
    Int(i64),
    Float(f64),
    Micros(i64),
}

/// One end of a window frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FrameBound {
    UnboundedPreceding,
    Preceding(FrameOffset),
    CurrentRow,
    Following(FrameOffset),
    UnboundedFollowing,
}

/// The rows a window function sees for the current row: Spark's `ROWS` / `RANGE BETWEEN
/// start AND end`. Without a frame clause, Spark's defaults apply (see
/// [`WindowFrame::default_for`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowFrame {
    pub units: FrameUnits,
    pub start: FrameBound,
    pub end: FrameBound,
}

impl WindowFrame {
    /// Spark's default frame: with `ORDER BY`, `RANGE BETWEEN UNBOUNDED PRECEDING AND
    /// CURRENT ROW` (the current row's peers included); without, the whole partition.
    pub fn default_for(ordered: bool) -> WindowFrame {
        WindowFrame {
            units: if ordered {
                FrameUnits::Range
            } else {
                FrameUnits::Rows
            },
            start: FrameBound::UnboundedPreceding,
            end: if ordered {
                FrameBound::CurrentRow
            } else {
                FrameBound::UnboundedFollowing
            },
        }
    }

    /// The whole partition, whatever the units.
    pub fn is_partition(&self) -> bool {
        self.start == FrameBound::UnboundedPreceding && self.end == FrameBound::UnboundedFollowing
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WindowCall {
    pub func: WindowFunction,
    pub args: Vec<Expr>,
    pub partition_by: Vec<Expr>,
    pub order_by: Vec<SortKey>,
    pub frame: WindowFrame,
    /// `IGNORE NULLS` (first_value, last_value, nth_value).
    pub ignore_nulls: bool,
    pub return_type: DataType,
}

impl WindowCall {
    /// The arguments whose values the function can give (as
    /// [`AggregateCall::valued_args`]: not the ordering of `max_by` / `min_by`).
    pub fn valued_args(&self) -> &[Expr] {
        match self.func {
            WindowFunction::Aggregate(AggregateFunction::MaxBy | AggregateFunction::MinBy) => {
                &self.args[..self.args.len().min(1)]
            }
            _ => &self.args,
        }
    }
}

/// One lambda: its parameters' names and its body, which reads the call's captured
/// columns (`0..captured.len()`) then its parameters, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Lambda {
    pub params: Vec<String>,
    pub body: Expr,
}

/// A call of a higher-order function.
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaCall {
    pub func: HigherOrderFunction,
    /// The arrays, maps and start values, over the input rows.
    pub args: Vec<Expr>,
    pub lambdas: Vec<Lambda>,
    /// The input columns (or, inside another lambda, its columns and parameters) the
    /// lambdas read: column `i` of a body is `captured[i]`.
    pub captured: Vec<Expr>,
    pub return_type: DataType,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column of the input, by position.
    Column {
        index: usize,
        name: String,
    },
    Literal(ScalarValue),
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Not(Box<Expr>),
    Negate(Box<Expr>),
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    /// Spark's (non-ANSI) cast: a value that does not convert becomes NULL.
    Cast {
        expr: Box<Expr>,
        to: DataType,
    },
    Case {
        branches: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
        data_type: DataType,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
        case_insensitive: bool,
    },
    RLike {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
    },
    Function {
        func: ScalarFunction,
        args: Vec<Expr>,
        return_type: DataType,
    },
    /// Only before the planner moves it into an `Aggregate` node.
    Aggregate(Box<AggregateCall>),
    /// Only before the planner moves it into a `Window` node.
    Window(Box<WindowCall>),
    /// A function that takes lambdas (`transform(arr, x -> x + 1)`).
    HigherOrder(Box<LambdaCall>),
}

impl Expr {
    /// The expression as a condition: a boolean stays, a NULL literal becomes a boolean
    /// NULL, anything else is an analysis error saying `what` needs a boolean.
    pub fn into_boolean(self, scope: &PlanSchema, what: &str) -> Result<Expr> {
        match self.data_type(scope) {
            DataType::Boolean => Ok(self),
            DataType::Null => Ok(self.cast(&DataType::Boolean, scope)),
            other => Err(Error::analysis(format!(
                "{what} needs a boolean, got {}",
                spark_type_name(&other)
            ))),
        }
    }

    /// A comparison with both sides cast to the type Spark compares them in.
    pub fn compare(op: BinaryOp, left: Expr, right: Expr, scope: &PlanSchema) -> Result<Expr> {
        // Decimals of different types (or a decimal and an integer) compare exactly,
        // without a common type that could overflow.
        if let Some((l, r)) = decimal_operands(&left, &right, scope) {
            let nulls = [&left, &right]
                .iter()
                .any(|e| e.data_type(scope) == DataType::Null);
            if l != r && !nulls {
                if let Some(compare) = op.on_decimals() {
                    let args = vec![
                        left.cast(&l.data_type(), scope),
                        right.cast(&r.data_type(), scope),
                    ];
                    return decimal_call(compare, args, scope);
                }
            }
        }
        let (lt, rt) = (left.data_type(scope), right.data_type(scope));
        let common = comparison_common(&lt, &rt).ok_or_else(|| {
            Error::analysis(format!(
                "cannot compare {} with {}",
                spark_type_name(&lt),
                spark_type_name(&rt)
            ))
        })?;
        let common = if common == DataType::Null {
            DataType::Boolean
        } else {
            common
        };
        Ok(Expr::binary(
            op,
            left.cast(&common, scope),
            right.cast(&common, scope),
        ))
    }

    pub fn column(index: usize, name: impl Into<String>) -> Expr {
        Expr::Column {
            index,
            name: name.into(),
        }
    }

    pub fn literal(value: ScalarValue) -> Expr {
        Expr::Literal(value)
    }

    /// A call of `func` with `args` cast to the types `signature` gives them.
    pub fn signed_call(
        func: ScalarFunction,
        args: Vec<Expr>,
        signature: Signature,
        input: &PlanSchema,
    ) -> Expr {
        let args = args
            .into_iter()
            .zip(&signature.arg_types)
            .map(|(arg, t)| arg.cast(t, input))
            .collect();
        Expr::Function {
            func,
            args,
            return_type: signature.return_type,
        }
    }

    pub fn cast(self, to: &DataType, input: &PlanSchema) -> Expr {
        let from = self.data_type(input);
        if &from == to {
            return self;
        }
        // An interval's text depends on its fields, which only the plan knows.
        if crate::frame::interval_type::is_interval(&from) && crate::sql::types::is_string(to) {
            let fields = self.interval_fields(input).unwrap_or_default();
            let text = Expr::Function {
                func: ScalarFunction::DateTime(DateTimeFunction::IntervalToString),
                args: vec![
                    self,
                    Expr::Literal(ScalarValue::Int32(fields.start as i32)),
                    Expr::Literal(ScalarValue::Int32(fields.end as i32)),
                ],
                return_type: DataType::Utf8,
            };
            return text.cast(to, input);
        }
        match self {
            // NULL literals just take the type.
            Expr::Literal(ScalarValue::Null(_)) => Expr::Literal(ScalarValue::Null(to.clone())),
            other => Expr::Cast {
                expr: Box::new(other),
                to: to.clone(),
            },
        }
    }

    pub fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
        Expr::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
        }
    }

    /// The type of the value this expression computes over rows of `input`.
    pub fn data_type(&self, input: &PlanSchema) -> DataType {
        match self {
            Expr::Column { index, .. } => input.field(*index).data_type.clone(),
            Expr::Literal(value) => value.data_type(),
            Expr::Binary { op, left, .. } => match op {
                BinaryOp::Divide => DataType::Float64,
                BinaryOp::IntDivide => DataType::Int64,
                BinaryOp::Concat => DataType::Utf8,
                op if op.is_comparison() => DataType::Boolean,
                BinaryOp::And | BinaryOp::Or => DataType::Boolean,
                _ => left.data_type(input),
            },
            Expr::Not(_) | Expr::IsNull { .. } | Expr::InList { .. } => DataType::Boolean,
            Expr::Like { .. } | Expr::RLike { .. } => DataType::Boolean,
            Expr::Negate(inner) => inner.data_type(input),
            Expr::Cast { to, .. } => to.clone(),
            Expr::Case { data_type, .. } => data_type.clone(),
            Expr::Function { return_type, .. } => return_type.clone(),
            Expr::Aggregate(call) => call.return_type.clone(),
            Expr::Window(call) => call.return_type.clone(),
            Expr::HigherOrder(call) => call.return_type.clone(),
        }
    }

    /// Sub-expressions, in order.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Column { .. } | Expr::Literal(_) => vec![],
            Expr::Binary { left, right, .. } => vec![left, right],
            Expr::Not(e) | Expr::Negate(e) | Expr::Cast { expr: e, .. } => vec![e],
            Expr::IsNull { expr, .. } => vec![expr],
            Expr::Case {
                branches,
                otherwise,
                ..
            } => branches
                .iter()
                .flat_map(|(w, t)| [w, t])
                .chain(otherwise.as_deref())
                .collect(),
            Expr::InList { expr, list, .. } => std::iter::once(expr.as_ref()).chain(list).collect(),
            Expr::Like { expr, pattern, .. } | Expr::RLike { expr, pattern, .. } => {
                vec![expr, pattern]
            }
            Expr::Function { args, .. } => args.iter().collect(),
            Expr::Aggregate(call) => call.exprs().collect(),
            Expr::Window(call) => call
                .args
                .iter()
                .chain(&call.partition_by)
                .chain(call.order_by.iter().map(|k| &k.expr))
                .collect(),
            // The lambdas' bodies read another scope; what they read of this one is
            // `captured`.
            Expr::HigherOrder(call) => call.args.iter().chain(&call.captured).collect(),
        }
    }

    /// Whether any node of the tree satisfies `predicate`.
    pub fn any(&self, predicate: &dyn Fn(&Expr) -> bool) -> bool {
        predicate(self) || self.children().into_iter().any(|c| c.any(predicate))
    }

    /// Whether the expression holds a value made anew each time it is evaluated
    /// (`rand()`, `uuid()`, ...): it cannot be computed twice, or once ahead of time.
    pub fn computed_per_row(&self) -> bool {
        self.any(&|x| matches!(x, Expr::Function { func, .. } if func.is_per_row()))
    }

    pub fn contains_aggregate(&self) -> bool {
        self.any(&|e| matches!(e, Expr::Aggregate(_)))
    }

    pub fn contains_window(&self) -> bool {
        self.any(&|e| matches!(e, Expr::Window(_)))
    }

    /// Input columns the expression reads.
    pub fn columns(&self, out: &mut Vec<usize>) {
        if let Expr::Column { index, .. } = self {
            out.push(*index);
        }
        for child in self.children() {
            child.columns(out);
        }
    }

    /// For `a = b` over the columns of two inputs side by side (the first `split` columns
    /// from one, the rest from the other) where each side reads only one input and they
    /// read different ones: the side over the first input, and the side over the second
    /// with its columns numbered from 0 (what a join key on each input needs).
    pub fn split_equality(&self, split: usize) -> Option<(Expr, Expr)> {
        let Expr::Binary {
            op: BinaryOp::Eq,
            left,
            right,
        } = self
        else {
            return None;
        };
        // Which input a side reads: `Some(false)` the first, `Some(true)` the second.
        let input = |e: &Expr| {
            let mut columns = Vec::new();
            e.columns(&mut columns);
            if columns.is_empty() {
                None
            } else if columns.iter().all(|&c| c < split) {
                Some(false)
            } else if columns.iter().all(|&c| c >= split) {
                Some(true)
            } else {
                None
            }
        };
        let second = |e: &Expr| e.clone().remap_columns(&|i| i - split);
        match (input(left), input(right)) {
            (Some(false), Some(true)) => Some((left.as_ref().clone(), second(right))),
            (Some(true), Some(false)) => Some((right.as_ref().clone(), second(left))),
            _ => None,
        }
    }

    /// Rewrites the tree top-down: `f` may replace a node (and its subtree); otherwise the
    /// children are rewritten.
    pub fn rewrite(self, f: &mut dyn FnMut(&Expr) -> Option<Expr>) -> Expr {
        if let Some(replacement) = f(&self) {
            return replacement;
        }
        let mut go = |e: Expr| e.rewrite(f);
        match self {
            Expr::Column { .. } | Expr::Literal(_) => self,
            Expr::Binary { op, left, right } => Expr::Binary {
                op,
                left: Box::new(go(*left)),
                right: Box::new(go(*right)),
            },
            Expr::Not(e) => Expr::Not(Box::new(go(*e))),
            Expr::Negate(e) => Expr::Negate(Box::new(go(*e))),
            Expr::IsNull { expr, negated } => Expr::IsNull {
                expr: Box::new(go(*expr)),
                negated,
            },
            Expr::Cast { expr, to } => Expr::Cast {
                expr: Box::new(go(*expr)),
                to,
            },
            Expr::Case {
                branches,
                otherwise,
                data_type,
            } => Expr::Case {
                branches: branches.into_iter().map(|(w, t)| (go(w), go(t))).collect(),
                otherwise: otherwise.map(|e| Box::new(go(*e))),
                data_type,
            },
            Expr::InList {
                expr,
                list,
                negated,
            } => Expr::InList {
                expr: Box::new(go(*expr)),
                list: list.into_iter().map(&mut go).collect(),
                negated,
            },
            Expr::Like {
                expr,
                pattern,
                negated,
                case_insensitive,
            } => Expr::Like {
                expr: Box::new(go(*expr)),
                pattern: Box::new(go(*pattern)),
                negated,
                case_insensitive,
            },
            Expr::RLike {
                expr,
                pattern,
                negated,
            } => Expr::RLike {
                expr: Box::new(go(*expr)),
                pattern: Box::new(go(*pattern)),
                negated,
            },
            Expr::Function {
                func,
                args,
                return_type,
            } => Expr::Function {
                func,
                args: args.into_iter().map(&mut go).collect(),
                return_type,
            },
            Expr::Aggregate(call) => Expr::Aggregate(Box::new(call.map_exprs(&mut go))),
            Expr::Window(mut call) => {
                call.args = std::mem::take(&mut call.args)
                    .into_iter()
                    .map(&mut go)
                    .collect();
                call.partition_by = std::mem::take(&mut call.partition_by)
                    .into_iter()
                    .map(&mut go)
                    .collect();
                call.order_by = std::mem::take(&mut call.order_by)
                    .into_iter()
                    .map(|k| SortKey {
                        expr: go(k.expr),
                        ..k
                    })
                    .collect();
                Expr::Window(call)
            }
            Expr::HigherOrder(mut call) => {
                call.args = std::mem::take(&mut call.args)
                    .into_iter()
                    .map(&mut go)
                    .collect();
                call.captured = std::mem::take(&mut call.captured)
                    .into_iter()
                    .map(&mut go)
                    .collect();
                Expr::HigherOrder(call)
            }
        }
    }

    /// Renumbers column references through `map` (old index → new index).
    pub fn remap_columns(self, map: &dyn Fn(usize) -> usize) -> Expr {
        self.rewrite(&mut |e| match e {
            Expr::Column { index, name } => Some(Expr::Column {
                index: map(*index),
                name: name.clone(),
            }),
            _ => None,
        })
    }

    /// The input column this expression reads as is, if it is a plain column reference.
    pub fn as_column(&self) -> Option<usize> {
        match self {
            Expr::Column { index, .. } => Some(*index),
            _ => None,
        }
    }

    /// Splits `a AND b AND c` into its conjuncts.
    pub fn conjuncts(self) -> Vec<Expr> {
        match self {
            Expr::Binary {
                op: BinaryOp::And,
                left,
                right,
            } => {
                let mut out = left.conjuncts();
                out.extend(right.conjuncts());
                out
            }
            other => vec![other],
        }
    }

    /// `a AND b AND ...` of the given conjuncts (`None` if there are none).
    pub fn and_all(conjuncts: Vec<Expr>) -> Option<Expr> {
        conjuncts
            .into_iter()
            .reduce(|a, b| Expr::binary(BinaryOp::And, a, b))
    }
}

/// Interval fields (Spark's `DayTimeIntervalType(start, end)` and
/// `YearMonthIntervalType(start, end)`), which Arrow's types cannot carry: see
/// `plan::interval_fields`.
impl Expr {
    /// The fields of this expression, an interval over rows of `scope` (`None` when it is
    /// not one). As Spark: a column keeps its own, `+`, `-`, `CASE` and `coalesce` widen
    /// their operands', `*` and `/` by a number and `avg` give the type's default fields
    /// (`day to second`, `year to month`), a timestamp minus a timestamp `day to second`, a
    /// date minus a date `day`, a time minus a time `hour to second`.
    /// Whether the expression is a NULL literal typed by a signature or a cast (an
    /// untyped `NULL` next to other values). Reads no column: a correlated subquery's
    /// placeholder reads one past the scope.
    fn is_null_cast(&self) -> bool {
        match self {
            Expr::Literal(ScalarValue::Null(_)) => true,
            Expr::Cast { expr, .. } => {
                matches!(expr.as_ref(), Expr::Literal(v) if v.data_type() == DataType::Null)
            }
            _ => false,
        }
    }

    pub fn interval_fields(&self, scope: &PlanSchema) -> Option<IntervalFields> {
        let default = IntervalFields::default_of(&self.data_type(scope))?;
        let of = |e: &Expr| {
            e.interval_fields(scope)
                .filter(|f| f.is_year_month() == default.is_year_month())
                .unwrap_or(default)
        };
        // A NULL (cast to an interval by a signature) has no fields of its own: `INTERVAL
        // 1 DAY + NULL` is an `interval day`, as in Spark.
        let widest = |exprs: &mut dyn Iterator<Item = &Expr>| {
            exprs
                .filter(|e| !e.is_null_cast())
                .filter_map(|e| e.interval_fields(scope))
                .filter(|f| f.is_year_month() == default.is_year_month())
                .reduce(IntervalFields::widen)
                .unwrap_or(default)
        };
        Some(match self {
            Expr::Column { index, .. } => scope
                .field(*index)
                .interval
                .filter(|f| f.is_year_month() == default.is_year_month())
                .unwrap_or(default),
            Expr::Literal(ScalarValue::DayTime(_, f) | ScalarValue::YearMonth(_, f)) => *f,
            Expr::Negate(inner) | Expr::Cast { expr: inner, .. } => of(inner),
            Expr::Binary {
                op: BinaryOp::Add | BinaryOp::Subtract,
                left,
                right,
            } => widest(&mut [left.as_ref(), right.as_ref()].into_iter()),
            Expr::Case {
                branches,
                otherwise,
                ..
            } => widest(
                &mut branches
                    .iter()
                    .map(|(_, then)| then)
                    .chain(otherwise.as_deref()),
            ),
            Expr::Function { func, args, .. } => match func {
                ScalarFunction::DateTime(f) => match f {
                    DateTimeFunction::DateDiffInterval => {
                        IntervalFields::new(IntervalField::Day, IntervalField::Day)
                    }
                    DateTimeFunction::TimeDiffInterval => {
                        IntervalFields::new(IntervalField::Hour, IntervalField::Second)
                    }
                    DateTimeFunction::IntervalAdd
                    | DateTimeFunction::IntervalSubtract
                    | DateTimeFunction::IntervalNegate
                    | DateTimeFunction::IntervalAbs => widest(&mut args.iter()),
                    // Typed by their second argument, a constant interval.
                    DateTimeFunction::IntervalTruncate
                    | DateTimeFunction::MicrosToInterval
                    | DateTimeFunction::IntervalFromText
                    | DateTimeFunction::IntervalFromInteger => args.get(1).map_or(default, of),
                    _ => default,
                },
                // `coalesce`, `nvl`, `if`, `greatest`, ...: the widest of the intervals given.
                _ => widest(&mut args.iter()),
            },
            // `avg` of an interval has the default fields (Spark's `Average`); `sum`, `min`,
            // `max`, `first`, ... keep their argument's.
            Expr::Aggregate(call) => match call.func {
                AggregateFunction::Avg => default,
                _ => widest(&mut call.valued_args().iter()),
            },
            Expr::Window(call) => widest(&mut call.valued_args().iter()),
            _ => default,
        })
    }
}
