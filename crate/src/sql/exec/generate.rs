//! Generators (`explode`, `posexplode`, `inline`, `stack`, their `_outer` forms, and
//! `json_tuple`) over one partition: each input row is repeated once per element of its
//! array (or entry of its map), by gathering the input's columns with one `take` each and
//! the elements (a map's keys and values, a struct's fields) with one more each.
//! `json_tuple` makes one row per input row: its struct's fields are added as they are.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{
    make_array, Array, ArrayRef, Int32Array, RecordBatch, RecordBatchOptions, UInt32Array,
};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, SchemaRef};

use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::eval::evaluate_array;
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::expr::Expr;
use crate::sql::plan::logical::Generator;

pub fn generate(
    batch: &RecordBatch,
    generator: Generator,
    arg: &Expr,
    schema: &SchemaRef,
) -> Result<RecordBatch> {
    let array = evaluate_array(arg, batch)?;
    if generator.one_row_each() {
        let mut columns = batch.columns().to_vec();
        columns.extend(struct_fields(generator, &array)?);
        return assemble(schema, columns, batch.num_rows());
    }
    // Each row's elements (an array's values, or a map's keys then values) and where
    // they start: one column per generated value column.
    let (offsets, nulls, values): (Option<&[i32]>, _, Vec<ArrayRef>) = match array.data_type() {
        DataType::Null => (None, None, vec![]),
        DataType::Map(_, _) => {
            let map = array
                .as_map_opt()
                .ok_or_else(|| internal(generator, &array))?;
            (
                Some(map.value_offsets()),
                map.nulls(),
                vec![Arc::clone(map.keys()), Arc::clone(map.values())],
            )
        }
        _ => {
            let lists = array
                .as_list_opt::<i32>()
                .ok_or_else(|| internal(generator, &array))?;
            let values = if generator.spreads_structs() {
                struct_fields(generator, lists.values())?
            } else {
                vec![Arc::clone(lists.values())]
            };
            (Some(lists.value_offsets()), lists.nulls(), values)
        }
    };
    let mut rows: Vec<u32> = Vec::with_capacity(batch.num_rows());
    let mut elements: Vec<Option<u32>> = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let range = match offsets {
            Some(offsets) if nulls.is_none_or(|n| n.is_valid(row)) => {
                offsets[row] as u32..offsets[row + 1] as u32
            }
            _ => 0..0,
        };
        if range.is_empty() {
            if generator.outer {
                rows.push(row as u32);
                elements.push(None);
            }
            continue;
        }
        // The output's row numbers are u32.
        if u32::try_from(rows.len().saturating_add(range.len())).is_err() {
            return Err(Error::new(
                ErrorCode::OutOfMemory,
                format!(
                    "{} makes more than {} rows from one partition; filter the rows first",
                    generator.name(),
                    u32::MAX
                ),
            ));
        }
        for e in range {
            rows.push(row as u32);
            elements.push(Some(e));
        }
    }
    // posexplode's position: the element's index within its row's array.
    let positions = match offsets {
        Some(offsets) if generator.with_position() => {
            let at = |(e, &row): (&Option<u32>, &u32)| e.map(|e| e as i32 - offsets[row as usize]);
            Some(Int32Array::from_iter(elements.iter().zip(&rows).map(at)))
        }
        _ if generator.with_position() => Some(Int32Array::new_null(rows.len())),
        _ => None,
    };
    let rows = UInt32Array::from(rows);
    let mut columns: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .map(|c| arrow_select::take::take(c.as_ref(), &rows, None).map_err(kernel_error))
        .collect::<Result<_>>()?;
    if let Some(positions) = positions {
        columns.push(Arc::new(positions));
    }
    let generated = schema.fields().len() - columns.len();
    let elements = UInt32Array::from(elements);
    for k in 0..generated {
        let data_type = schema.field(columns.len()).data_type();
        columns.push(match values.get(k) {
            Some(values) if elements.null_count() < elements.len() => {
                arrow_select::take::take(values.as_ref(), &elements, None).map_err(kernel_error)?
            }
            _ => arrow_array::new_null_array(data_type, rows.len()),
        });
    }
    assemble(schema, columns, rows.len())
}

fn assemble(schema: &SchemaRef, columns: Vec<ArrayRef>, rows: usize) -> Result<RecordBatch> {
    RecordBatch::try_new_with_options(
        Arc::clone(schema),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )
    .map_err(|e| Error::internal("assembling generated rows", e))
}

/// The fields of `array`, a struct array, each NULL where the struct is (`inline` gives a
/// row of NULLs for a NULL struct).
fn struct_fields(generator: Generator, array: &ArrayRef) -> Result<Vec<ArrayRef>> {
    let structs = array
        .as_struct_opt()
        .ok_or_else(|| internal(generator, array))?;
    structs
        .columns()
        .iter()
        .map(|field| match structs.nulls() {
            None => Ok(Arc::clone(field)),
            Some(nulls) => {
                let merged = NullBuffer::union(Some(nulls), field.nulls());
                let data = field.to_data().into_builder().nulls(merged).build();
                Ok(make_array(data.map_err(kernel_error)?))
            }
        })
        .collect()
}

fn internal(generator: Generator, array: &ArrayRef) -> Error {
    Error::new(
        ErrorCode::Internal,
        format!("{} of {}", generator.name(), array.data_type()),
    )
}
