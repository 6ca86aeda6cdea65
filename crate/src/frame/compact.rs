//! Compact string columns: a large table holds each low-cardinality string column of a
//! partition as one-byte codes plus the partition's few distinct values, instead of the
//! full text of every row.
//!
//! The generated telecom table spends 37 of its ~90 bytes a row on `region`, `plan` and
//! `contract`; at 30M rows that text alone is 1.1 GB of the page's 4 GB. Stored compact,
//! the same columns take 3 bytes a row. Nothing above the table sees the difference: the
//! logical schema stays `string`, and a partition is handed out with its compact columns
//! decoded back to plain strings ([`decode_batch`]) — decoded when it is read, only the
//! columns the reader asks for, so at most the partitions in flight are ever decoded.
//! Each decoded column comes with its codes kept ([`kept_codes::decoded_strings`]), so
//! GROUP BY, DISTINCT and joins on it still run on the codes.
//!
//! Storage: a compact column is an Arrow `Dictionary(UInt8, Utf8)` whose keys are the
//! column's codes in order of first appearance, NULL a value of its own (the values array
//! holds a null at its code, the keys are never null) — the codes the coder gives
//! ([`super::codes`]), so the kept codes of a decoded column are the keys themselves.
//!
//! When: only when a table's string columns would take more than [`COMPACT_BYTES`] as
//! text (see [`worth_compacting`]); a smaller table keeps its strings as they are, so a
//! query on it pays no decoding.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::UInt8Type;
use arrow_array::{Array, ArrayRef, DictionaryArray, RecordBatch, UInt8Array};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::codes::code_column;
use super::kept_codes::{self, MAX_KEPT_DISTINCT};
use crate::error::{Error, Result};

/// Bytes of string columns (offsets, text and validity) beyond which a table stores its
/// low-cardinality string columns compact: an eighth of the engine's memory (512 MB of
/// the page's 4 GB). Below it the text costs less than decoding it on every read would
/// cost in time (the 10M-row telecom table, 0.37 GB of strings, stays plain and as fast
/// as before); above it the text alone would take a large share of the 4 GB (1.1 GB at
/// 30M rows), which compact storage brings down to about a twelfth.
pub const COMPACT_BYTES: usize = crate::memory::LIMIT / 8;

/// The physical type of a compact string column.
pub fn compact_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::UInt8), Box::new(DataType::Utf8))
}

/// Whether `column` is stored compact.
pub fn is_compact(column: &dyn Array) -> bool {
    column.data_type() == &compact_type()
}

/// Bytes the `Utf8` columns of `batch` hold for its own rows (offsets, text, validity):
/// what compacting them could save, at most.
///
/// Counted from the rows' offsets, not from the buffers' sizes: a Parquet row group is
/// sliced into many partitions that share its buffers, and each slice would otherwise
/// count the whole row group's text (the 10M-row telecom table read from Parquet was
/// stored compact for nothing, and its queries ran 3–6× slower).
pub fn string_bytes(batch: &RecordBatch) -> usize {
    batch
        .columns()
        .iter()
        .filter_map(|c| c.as_string_opt::<i32>())
        .map(|strings| {
            let offsets = strings.value_offsets();
            let text = offsets[offsets.len() - 1] - offsets[0];
            text as usize + std::mem::size_of_val(offsets) + strings.len().div_ceil(8)
        })
        .sum()
}

/// Whether a table whose string columns hold `string_bytes` should store them compact.
pub fn worth_compacting(string_bytes: usize) -> bool {
    string_bytes > COMPACT_BYTES
}

/// `column` stored compact if it is a `Utf8` column with at most [`MAX_KEPT_DISTINCT`]
/// distinct values (NULL counting as one); `None` otherwise (it stays as it is).
pub fn compact_column(column: &ArrayRef) -> Result<Option<ArrayRef>> {
    if column.data_type() != &DataType::Utf8 {
        return Ok(None);
    }
    // A decoded compact column has its codes kept: no need to code its strings again.
    let Some(coded) =
        kept_codes::kept_column_codes(column).or_else(|| code_column(column, MAX_KEPT_DISTINCT))
    else {
        return Ok(None);
    };
    let keys = UInt8Array::from_iter_values(coded.codes.iter().map(|&c| c as u8));
    let firsts = arrow_array::UInt32Array::from(coded.firsts);
    let values = arrow_select::take::take(column.as_ref(), &firsts, None)
        .map_err(|e| Error::internal("compacting a string column", e))?;
    let dictionary = DictionaryArray::<UInt8Type>::try_new(keys, values)
        .map_err(|e| Error::internal("compacting a string column", e))?;
    Ok(Some(Arc::new(dictionary)))
}

/// `batch` with every column [`compact_column`] can store compact stored so; its schema
/// says which columns are (their type is [`compact_type`]).
pub fn compact_batch(batch: &RecordBatch) -> Result<RecordBatch> {
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        match compact_column(column)? {
            Some(compact) => {
                fields.push(Arc::new(
                    field.as_ref().clone().with_data_type(compact_type()),
                ));
                columns.push(compact);
            }
            None => {
                fields.push(Arc::clone(field));
                columns.push(Arc::clone(column));
            }
        }
    }
    let schema = Arc::new(Schema::new_with_metadata(
        fields,
        batch.schema().metadata().clone(),
    ));
    RecordBatch::try_new_with_options(
        schema,
        columns,
        &arrow_array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )
    .map_err(|e| Error::internal("compacting a partition", e))
}

/// A stored batch of `columns` for the logical `schema`: the fields of compact columns
/// say they are.
pub fn stored_batch(
    schema: &SchemaRef,
    columns: Vec<ArrayRef>,
    rows: usize,
) -> Result<RecordBatch> {
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
    let schema = if columns.iter().any(|c| is_compact(c.as_ref())) {
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .zip(&columns)
            .map(|(f, c)| {
                let field = f.as_ref().clone();
                if is_compact(c.as_ref()) {
                    field.with_data_type(compact_type())
                } else {
                    field
                }
            })
            .collect();
        Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
    } else {
        Arc::clone(schema)
    };
    RecordBatch::try_new_with_options(schema, columns, &options)
        .map_err(|e| Error::internal("assembling a partition", e))
}

/// Whether a stored field holds a column of the logical field `logical`: the same field,
/// or its compact form when it is a string.
pub fn stores(logical: &Field, stored: &Field) -> bool {
    logical == stored
        || (logical.data_type() == &DataType::Utf8
            && stored.data_type() == &compact_type()
            && logical.name() == stored.name()
            && logical.is_nullable() == stored.is_nullable()
            && logical.metadata() == stored.metadata())
}

/// A stored partition with its compact columns decoded, as a batch of `schema` (the
/// logical schema of the same columns).
pub fn decode_batch(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    if batch.schema().fields() == schema.fields() {
        return if batch.schema().metadata() == schema.metadata() {
            Ok(batch.clone())
        } else {
            batch
                .clone()
                .with_schema(Arc::clone(schema))
                .map_err(|e| Error::internal("reading a partition", e))
        };
    }
    let columns = batch
        .columns()
        .iter()
        .map(|column| {
            if is_compact(column.as_ref()) {
                decode_column(column)
            } else {
                Ok(Arc::clone(column))
            }
        })
        .collect::<Result<Vec<_>>>()?;
    RecordBatch::try_new_with_options(
        Arc::clone(schema),
        columns,
        &arrow_array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )
    .map_err(|e| Error::internal("reading a partition", e))
}

/// A compact column as plain strings, with its codes kept for it (so grouping on it
/// reads the codes, not the text).
pub fn decode_column(column: &ArrayRef) -> Result<ArrayRef> {
    let dictionary = column.as_dictionary::<UInt8Type>();
    let keys = dictionary.keys().values();
    let values = dictionary.values().as_string::<i32>();
    let rows = keys.len();
    let mut text_bytes = 0usize;
    let mut offsets: Vec<i32> = Vec::with_capacity(rows + 1);
    offsets.push(0);
    let value_offsets = values.value_offsets();
    for &key in keys.iter() {
        let k = usize::from(key);
        let (start, end) = match (value_offsets.get(k), value_offsets.get(k + 1)) {
            (Some(&s), Some(&e)) => (s as usize, e as usize),
            _ => return Err(bad_key()),
        };
        text_bytes += end - start;
        let end = i32::try_from(text_bytes).map_err(|_| {
            Error::new(
                crate::error::ErrorCode::OutOfMemory,
                "a string column holds more than 2 GiB within one partition",
            )
        })?;
        offsets.push(end);
    }
    let text = values.value_data();
    let mut bytes = Vec::with_capacity(text_bytes);
    for &key in keys.iter() {
        let k = usize::from(key);
        bytes.extend_from_slice(&text[value_offsets[k] as usize..value_offsets[k + 1] as usize]);
    }
    let nulls = (values.null_count() > 0)
        .then(|| NullBuffer::from_iter(keys.iter().map(|&k| values.is_valid(usize::from(k)))));
    let mut firsts: Vec<u32> = vec![u32::MAX; values.len()];
    let mut seen = 0;
    for (row, &key) in keys.iter().enumerate() {
        let first = &mut firsts[usize::from(key)];
        if *first == u32::MAX {
            *first = row as u32;
            seen += 1;
        }
    }
    // Values no row of this slice holds (a window of a partition) are left out of the
    // kept codes' firsts by renumbering: the coder numbers only the values present.
    let codes: Vec<u8> = if seen == values.len() && firsts.windows(2).all(|w| w[0] < w[1]) {
        keys.to_vec()
    } else {
        let mut order: Vec<(u32, usize)> = firsts
            .iter()
            .enumerate()
            .filter(|(_, &f)| f != u32::MAX)
            .map(|(k, &f)| (f, k))
            .collect();
        order.sort_unstable();
        let mut renumber = vec![0u8; values.len()];
        for (code, &(_, k)) in order.iter().enumerate() {
            renumber[k] = code as u8;
        }
        firsts = order.iter().map(|&(f, _)| f).collect();
        keys.iter().map(|&k| renumber[usize::from(k)]).collect()
    };
    firsts.retain(|&f| f != u32::MAX);
    kept_codes::decoded_strings(
        OffsetBuffer::new(offsets.into()),
        bytes,
        nulls,
        codes,
        firsts,
    )
}

fn bad_key() -> Error {
    Error::new(
        crate::error::ErrorCode::Internal,
        "a compact string column has a code without a value",
    )
}

/// The logical schema of a stored batch's columns (compact columns as `string`).
pub fn logical_schema(stored: &Schema) -> SchemaRef {
    let fields: Vec<Field> = stored
        .fields()
        .iter()
        .map(|f| {
            if f.data_type() == &compact_type() {
                f.as_ref().clone().with_data_type(DataType::Utf8)
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, stored.metadata().clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::codes::code_column;
    use crate::frame::kept_codes::column_codes;
    use crate::testing::regions;
    use arrow_array::StringArray;

    #[test]
    fn a_compact_column_decodes_to_the_same_strings_with_the_coders_codes() {
        let column = regions(1000);
        let compact = compact_column(&column).unwrap().unwrap();
        assert!(is_compact(compact.as_ref()));
        assert!(compact.get_buffer_memory_size() < column.get_buffer_memory_size() / 4);
        let decoded = decode_column(&compact).unwrap();
        assert_eq!(decoded.as_string::<i32>(), column.as_string::<i32>());
        let kept = column_codes(&decoded).unwrap();
        let computed = code_column(&column, usize::MAX).unwrap();
        assert_eq!(kept.codes, computed.codes);
        assert_eq!(kept.firsts, computed.firsts);
        // A window that starts past some values' first rows renumbers them.
        let window = decode_column(&compact.slice(5, 100)).unwrap();
        assert_eq!(
            window.as_string::<i32>(),
            column.slice(5, 100).as_string::<i32>()
        );
        let kept = column_codes(&window).unwrap();
        let computed = code_column(&column.slice(5, 100), usize::MAX).unwrap();
        assert_eq!(kept.codes, computed.codes);
        assert_eq!(kept.firsts, computed.firsts);
    }

    #[test]
    fn slices_sharing_buffers_count_only_their_own_strings() {
        let ids: ArrayRef = Arc::new(StringArray::from_iter_values(
            (0..10_000).map(|i| format!("customer-{i:06}")),
        ));
        let batch = RecordBatch::try_from_iter([("id", ids)]).unwrap();
        let whole = string_bytes(&batch);
        assert!(whole >= 10_000 * 15, "{whole}");
        // As a Parquet row group is cut into partitions: ten zero-copy slices.
        let sliced: usize = (0..10)
            .map(|k| string_bytes(&batch.slice(k * 1000, 1000)))
            .sum();
        assert!(sliced.abs_diff(whole) <= 10 * 8, "{sliced} against {whole}");
    }

    #[test]
    fn wide_and_other_columns_stay_plain() {
        let ids: ArrayRef = Arc::new(StringArray::from_iter_values(
            (0..1000).map(|i| format!("id-{i}")),
        ));
        assert!(compact_column(&ids).unwrap().is_none());
        let numbers: ArrayRef = Arc::new(arrow_array::Int32Array::from(vec![1, 2, 3]));
        assert!(compact_column(&numbers).unwrap().is_none());
    }

    #[test]
    fn kept_codes_of_a_decoded_column_live_as_long_as_its_text() {
        let compact = compact_column(&regions(500)).unwrap().unwrap();
        let decoded = decode_column(&compact).unwrap();
        let copy = Arc::clone(&decoded);
        drop(decoded);
        assert!(kept_codes::kept_value_counts(&copy).is_some());
        let sliced = copy.slice(0, 10);
        drop(copy);
        // The slice holds the text, so the codes (of the whole array) are still kept, but
        // they are not the slice's.
        assert!(kept_codes::kept_value_counts(&sliced).is_none());
    }
}
