//! `bool_and` / `every` and `bool_or` / `some` / `any`.

use arrow_schema::DataType;

use super::fold::Fold;

/// `bool_and` (`all`) or `bool_or` (not `all`) of the values that are not NULL; NULL
/// for a group without any.
pub(super) fn bool_and_or(all: bool) -> Fold<bool> {
    let op: fn(bool, bool) -> bool = if all { |a, b| a && b } else { |a, b| a || b };
    Fold::new(op, DataType::Boolean)
}
