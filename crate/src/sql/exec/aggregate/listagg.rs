//! `listagg` / `string_agg`: each group's strings that are not NULL joined by the
//! delimiter, in the order of the WITHIN GROUP keys (ties, and a call without keys, in
//! row order: Spark sorts a group's collected values stably), NULL for a group without
//! any. Like `collect_list`, the rows are kept as arrow columns until the end.

use std::any::Any;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::UInt32Type;
use arrow_array::{Array, ArrayRef, UInt32Array};
use arrow_schema::SortOptions;
use arrow_select::concat::concat;
use arrow_select::take::take;

use super::accumulator::{downcast, Accumulator};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::float_keys::spark_comparator;
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::ordered_aggregates::direction_name;

/// One batch's (or partial's) rows with a value: their groups, values and order keys.
struct Part {
    groups: UInt32Array,
    values: ArrayRef,
    keys: Vec<ArrayRef>,
}

pub(super) struct ListAgg {
    delimiter: String,
    /// Per order key.
    directions: Vec<SortOptions>,
    groups: usize,
    parts: Vec<Part>,
}

impl ListAgg {
    /// `directions` as the planner writes them: one [`direction_name`] per key, joined by
    /// `", "` (empty without keys).
    pub fn new(delimiter: String, directions: &str) -> Result<Self> {
        let directions = directions
            .split(", ")
            .filter(|d| !d.is_empty())
            .map(|d| {
                [(true, true), (true, false), (false, true), (false, false)]
                    .into_iter()
                    .find(|&(asc, first)| direction_name(asc, first) == d)
                    .map(|(asc, first)| SortOptions {
                        descending: !asc,
                        nulls_first: first,
                    })
                    .ok_or_else(|| Error::new(ErrorCode::Internal, format!("listagg order {d:?}")))
            })
            .collect::<Result<_>>()?;
        Ok(ListAgg {
            delimiter,
            directions,
            groups: 0,
            parts: vec![],
        })
    }
}

/// Rows `rows` of every column of `part`.
fn take_part(part: Part, rows: &UInt32Array) -> Result<Part> {
    let pick = |c: &ArrayRef| take(c, rows, None).map_err(kernel_error);
    Ok(Part {
        groups: take(&part.groups, rows, None)
            .map_err(kernel_error)?
            .as_primitive::<UInt32Type>()
            .clone(),
        values: pick(&part.values)?,
        keys: part.keys.iter().map(pick).collect::<Result<_>>()?,
    })
}

/// Every part's column `column` as one.
fn concat_column(parts: &[Part], column: impl Fn(&Part) -> &dyn Array) -> Result<ArrayRef> {
    let columns: Vec<&dyn Array> = parts.iter().map(column).collect();
    concat(&columns).map_err(kernel_error)
}

impl Accumulator for ListAgg {
    fn resize(&mut self, n: usize) {
        self.groups = n;
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let keys = match args[1].as_struct_opt() {
            Some(keys) => keys.columns().to_vec(),
            None => vec![],
        };
        let part = Part {
            groups: UInt32Array::from(groups.to_vec()),
            values: Arc::clone(&args[0]),
            keys,
        };
        let part = match args[0].logical_nulls().filter(|n| n.null_count() > 0) {
            None => part,
            Some(nulls) => {
                let rows = UInt32Array::from_iter_values(nulls.valid_indices().map(|i| i as u32));
                take_part(part, &rows)?
            }
        };
        self.parts.push(part);
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for part in downcast::<Self>(other)?.parts {
            self.parts.push(Part {
                groups: part.groups.unary(|g| mapping[g as usize]),
                ..part
            });
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let mut out = StringBuilder::new();
        if self.parts.is_empty() {
            (0..self.groups).for_each(|_| out.append_null());
            return Ok(Arc::new(out.finish()));
        }
        let groups = concat_column(&self.parts, |p| &p.groups)?;
        let groups = groups.as_primitive::<UInt32Type>().values();
        let values = concat_column(&self.parts, |p| p.values.as_ref())?;
        let values = values.as_string::<i32>();
        let keys = (0..self.directions.len())
            .map(|k| concat_column(&self.parts, |p| p.keys[k].as_ref()))
            .collect::<Result<Vec<_>>>()?;
        let comparators = keys
            .iter()
            .zip(&self.directions)
            .map(|(k, &options)| spark_comparator(k, k, options).map_err(kernel_error))
            .collect::<Result<Vec<_>>>()?;
        // A stable sort: by group, then by the keys; ties stay in row order.
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by(|&a, &b| {
            groups[a].cmp(&groups[b]).then_with(|| {
                comparators
                    .iter()
                    .map(|c| c(a, b))
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
        });
        let mut rows = order.into_iter().peekable();
        let mut joined = String::new();
        for g in 0..self.groups as u32 {
            joined.clear();
            let mut any = false;
            while let Some(row) = rows.next_if(|&r| groups[r] == g) {
                if any {
                    joined.push_str(&self.delimiter);
                }
                joined.push_str(values.value(row));
                any = true;
            }
            if any {
                out.append_value(&joined);
            } else {
                out.append_null();
            }
        }
        Ok(Arc::new(out.finish()))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
