//! Missing values the DataFrame way: `dropna` and `fillna` (Spark's `df.na` functions).
//! As in Spark, NaN counts as missing in floating-point columns, for both.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, Scalar};
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;
use arrow_select::zip::zip;

use crate::clean::columns::resolve;
use crate::clean::spec::{FillValue, HowNa};
use crate::error::{Error, Result};
use crate::frame::{spark_type_name, Table};
use crate::job::JobContext;
use crate::sql::exec::spark_cast;

/// Per row: true where the value is present (not NULL, not NaN).
pub fn present(column: &dyn Array) -> BooleanBuffer {
    let valid = match column.logical_nulls() {
        Some(nulls) => nulls.inner().clone(),
        None => BooleanBuffer::new_set(column.len()),
    };
    let not_nan = match column.data_type() {
        DataType::Float64 => Some(BooleanBuffer::collect_bool(column.len(), |i| {
            !column.as_primitive::<Float64Type>().value(i).is_nan()
        })),
        DataType::Float32 => Some(BooleanBuffer::collect_bool(column.len(), |i| {
            !column.as_primitive::<Float32Type>().value(i).is_nan()
        })),
        _ => None,
    };
    match not_nan {
        Some(not_nan) => &valid & &not_nan,
        None => valid,
    }
}

/// `df.dropna(how, thresh, subset)`: with `thresh`, keeps rows with at least that many
/// present values among `subset` (all columns by default); otherwise `any` drops a row
/// with any missing value and `all` one whose values are all missing.
pub fn dropna(
    table: &Table,
    how: HowNa,
    thresh: Option<usize>,
    subset: Option<&[String]>,
    ctx: &JobContext,
) -> Result<Table> {
    let columns: Vec<usize> = match subset {
        Some(names) if !names.is_empty() => names
            .iter()
            .map(|n| resolve(table.schema(), n))
            .collect::<Result<_>>()?,
        _ => (0..table.schema().fields().len()).collect(),
    };
    let needed = match (thresh, how) {
        (Some(t), _) => t,
        (None, HowNa::Any) => columns.len(),
        (None, HowNa::All) => 1,
    };
    table.map_partitions(table.schema_arc(), ctx, |batch, _| {
        let rows = batch.num_rows();
        let mut counts = vec![0u32; rows];
        for &c in &columns {
            for (count, ok) in counts
                .iter_mut()
                .zip(present(batch.column(c).as_ref()).iter())
            {
                *count += ok as u32;
            }
        }
        let keep = BooleanArray::from_iter(counts.iter().map(|&n| Some(n as usize >= needed)));
        if keep.true_count() == rows {
            return Ok(batch.clone());
        }
        arrow_select::filter::filter_record_batch(batch, &keep)
            .map_err(|e| Error::internal("dropping rows", e))
    })
}

/// `df.fillna({column: value})`: fills NULLs (and NaNs in floating columns) of each named
/// column with its value, converted to the column's type as Spark does (`2.7` fills an
/// integer column with `2`). A value of another kind than the column (text for a number)
/// is an error, where Spark would silently skip the column.
pub fn fillna(
    table: &Table,
    values: &BTreeMap<String, FillValue>,
    ctx: &JobContext,
) -> Result<Table> {
    if values.is_empty() {
        return Err(Error::clean(
            "give at least one column and the value to fill it with",
        ));
    }
    let mut fills: Vec<(usize, Scalar<ArrayRef>)> = Vec::new();
    for (name, value) in values {
        let i = resolve(table.schema(), name)?;
        let field = table.schema().field(i);
        fills.push((i, fill_scalar(field.name(), field.data_type(), value)?));
    }
    table.map_partitions(table.schema_arc(), ctx, |batch, _| {
        let mut columns = batch.columns().to_vec();
        for (i, scalar) in &fills {
            let column = &columns[*i];
            let keep = BooleanArray::new(present(column.as_ref()), None);
            if keep.true_count() < column.len() {
                columns[*i] = zip(&keep, column, scalar)
                    .map_err(|e| Error::internal("filling missing values", e))?;
            }
        }
        RecordBatch::try_new(batch.schema(), columns)
            .map_err(|e| Error::internal("filling missing values", e))
    })
}

/// The fill value as a one-row array of the column's type.
fn fill_scalar(name: &str, data_type: &DataType, value: &FillValue) -> Result<Scalar<ArrayRef>> {
    let mismatch = |kind: &str| {
        Error::clean(format!(
            "`{name}` has type {} and cannot be filled with {kind}",
            spark_type_name(data_type)
        ))
        .in_column(name)
    };
    let one: ArrayRef = match value {
        FillValue::Number(x) if data_type.is_numeric() => {
            Arc::new(arrow_array::Float64Array::from(vec![*x]))
        }
        FillValue::Number(x) => return Err(mismatch(&format!("the number {x}"))),
        FillValue::Text(s)
            if matches!(
                data_type,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) =>
        {
            Arc::new(arrow_array::StringArray::from(vec![s.as_str()]))
        }
        FillValue::Text(s) if matches!(data_type, DataType::Date32 | DataType::Timestamp(_, _)) => {
            Arc::new(arrow_array::StringArray::from(vec![s.as_str()]))
        }
        FillValue::Text(s) => return Err(mismatch(&format!("the text \"{s}\""))),
        FillValue::Bool(b) if *data_type == DataType::Boolean => {
            Arc::new(BooleanArray::from(vec![*b]))
        }
        FillValue::Bool(b) => return Err(mismatch(&format!("{b}"))),
    };
    let converted = spark_cast(&one, data_type)?;
    if converted.is_null(0) {
        return Err(Error::clean(format!(
            "{value:?} cannot be converted to {} for `{name}`",
            spark_type_name(data_type)
        ))
        .in_column(name));
    }
    Ok(Scalar::new(converted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::display_batch;
    use crate::testing::{table_in_parts, table_of};

    fn cells(t: &Table) -> Vec<String> {
        let b = display_batch(&t.window(0, t.num_rows()).unwrap()).unwrap();
        (0..b.num_rows())
            .map(|r| {
                (0..b.num_columns())
                    .map(|c| {
                        let col = b.column(c).as_string::<i32>();
                        if col.is_null(r) {
                            "∅".to_string()
                        } else {
                            col.value(r).to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect()
    }

    #[test]
    fn dropna_counts_nan_as_missing() {
        let t = table_in_parts(
            "a:int,b:double",
            &["1,1.0", ",2.0", "3,NaN", ",", "5,5.0"],
            2,
        );
        let ctx = JobContext::default();
        let any = dropna(&t, HowNa::Any, None, None, &ctx).unwrap();
        assert_eq!(cells(&any), ["1|1.0", "5|5.0"]);
        let all = dropna(&t, HowNa::All, None, None, &ctx).unwrap();
        assert_eq!(all.num_rows(), 4);
        let subset = dropna(&t, HowNa::Any, None, Some(&["A".into()]), &ctx).unwrap();
        assert_eq!(subset.num_rows(), 3);
        let thresh = dropna(&t, HowNa::Any, Some(1), None, &ctx).unwrap();
        assert_eq!(thresh.num_rows(), 4);
    }

    #[test]
    fn fillna_converts_like_spark_and_refuses_mismatches() {
        let t = table_of("a:int,b:double,s:string", &["1,1.5,x", ",NaN,", "3,,z"]);
        let ctx = JobContext::default();
        let values = BTreeMap::from([
            ("a".to_string(), FillValue::Number(2.7)),
            ("b".to_string(), FillValue::Number(0.0)),
            ("S".to_string(), FillValue::Text("none".into())),
        ]);
        let filled = fillna(&t, &values, &ctx).unwrap();
        assert_eq!(cells(&filled), ["1|1.5|x", "2|0.0|none", "3|0.0|z"]);
        let bad = BTreeMap::from([("a".to_string(), FillValue::Text("x".into()))]);
        let err = fillna(&t, &bad, &ctx).unwrap_err();
        assert!(
            err.message().contains("`a` has type int"),
            "{}",
            err.message()
        );
    }
}
