//! Array functions: building arrays (`array`, `array_repeat`, `sequence`), reading them
//! (`size`, `element_at`, `get`, `array_contains`, `array_position`, `array_max` / `array_min`,
//! `array_join`) and making new ones from them (`sort_array`, `array_sort`,
//! `array_distinct`, `array_remove`, `array_compact`, `array_append` / `array_prepend`,
//! `slice`, `flatten`, `shuffle`, and the set operations `array_union`, `array_intersect`,
//! `array_except`, `arrays_overlap`), with Spark's result types. Elements keep their type; a value
//! compared with the elements (`array_contains`) and the elements meet in their common
//! type, as Spark's implicit casts make them.

use arrow_schema::{DataType, Field};

use super::signature::{common_type, list_of, map_types, name_table, Args, Signature};
use crate::error::{Error, Result};
use crate::sql::types::{is_integer, is_string};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayFunction {
    /// `array(a, b, ...)`: the arguments in their common type.
    Array,
    /// `size` / `cardinality`: -1 for a NULL array (Spark's non-ANSI `sizeOfNull`).
    Size,
    /// `array_size`: NULL for a NULL array.
    ArraySize,
    /// `element_at(array, i)`: 1-based, negative from the end, NULL out of range.
    ElementAt,
    /// `get(array, i)`: 0-based, NULL out of range (negative included); arrays only.
    Get,
    ArrayContains,
    /// 1-based position of the first equal element, 0 when there is none.
    ArrayPosition,
    ArrayMax,
    ArrayMin,
    /// `array_join(array, delimiter[, nullReplacement])`: NULL elements skipped unless
    /// a replacement is given.
    ArrayJoin,
    /// `sort_array(array[, ascending])`: NULLs first ascending, last descending.
    SortArray,
    /// `array_sort(array)`: ascending, NULLs last (with a comparator it is a higher-order
    /// function, `plan::lambda`).
    ArraySort,
    ArrayDistinct,
    ArrayRemove,
    /// The array without its NULL elements.
    ArrayCompact,
    ArrayAppend,
    ArrayPrepend,
    /// `array_insert(array, pos, value)`: `pos` 1-based, or negative from the end (-1
    /// appends); past either end the gap is filled with NULLs; 0 is an error.
    ArrayInsert,
    /// `slice(array, start, length)`: `start` 1-based or negative from the end.
    Slice,
    /// An array of arrays as one array (NULL when any inner array is NULL).
    Flatten,
    /// `array_repeat(value, count)`.
    ArrayRepeat,
    /// `sequence(start, stop[, step])` of integers, both ends included; of dates or
    /// timestamps (planned by `plan::sequence`), `sequence(start, stop[, months, days,
    /// micros])`.
    Sequence,
    /// The distinct elements of both arrays, in order of first appearance.
    ArrayUnion,
    /// The distinct elements of the first array that the second has too.
    ArrayIntersect,
    /// The distinct elements of the first array that the second lacks.
    ArrayExcept,
    /// Whether the arrays share a non-NULL element (NULL when they do not but a NULL
    /// element might).
    ArraysOverlap,
    /// `arrays_zip(a, b, ...)`: the arrays' elements side by side as structs, as long as the
    /// longest (NULL fields past a shorter one's end), NULL when any array is. Its fields
    /// are named after the columns given (`plan::structs::arrays_zip`), `0`, `1`, ... here.
    ArraysZip,
    /// `shuffle(array, seed)`: a random permutation, drawn as Spark draws it (a Mersenne
    /// Twister seeded with the seed plus the partition index, one per partition, going on
    /// from row to row). The planner gives a seed when the call has none.
    Shuffle,
}

use ArrayFunction::*;

const NAMES: &[(&str, ArrayFunction)] = &[
    ("array", Array),
    ("size", Size),
    ("cardinality", Size),
    ("array_size", ArraySize),
    ("element_at", ElementAt),
    // Non-ANSI, `element_at` is already NULL where `try_element_at` would be (and both
    // refuse the index 0, as Spark does).
    ("try_element_at", ElementAt),
    ("get", Get),
    ("array_contains", ArrayContains),
    ("array_position", ArrayPosition),
    ("array_max", ArrayMax),
    ("array_min", ArrayMin),
    ("array_join", ArrayJoin),
    ("sort_array", SortArray),
    ("array_sort", ArraySort),
    ("array_distinct", ArrayDistinct),
    ("array_remove", ArrayRemove),
    ("array_compact", ArrayCompact),
    ("array_append", ArrayAppend),
    ("array_prepend", ArrayPrepend),
    ("array_insert", ArrayInsert),
    ("slice", Slice),
    ("flatten", Flatten),
    ("array_repeat", ArrayRepeat),
    ("sequence", Sequence),
    ("array_union", ArrayUnion),
    ("array_intersect", ArrayIntersect),
    ("array_except", ArrayExcept),
    ("arrays_overlap", ArraysOverlap),
    ("arrays_zip", ArraysZip),
    ("shuffle", Shuffle),
];

name_table!(ArrayFunction, NAMES);

impl ArrayFunction {
    pub fn signature(self, a: &Args) -> Result<Signature> {
        use DataType::{Boolean, Int16, Int32, Int64, Int8, Null, Utf8};
        match self {
            Array => {
                let common = a.common(0)?;
                Signature::new(vec![common.clone(); a.len()], list_of(common))
            }
            Size | ArraySize => {
                a.arity(1, 1)?;
                if map_types(&a.types[0]).is_none() {
                    element(a, 0)?;
                }
                Signature::new(a.types.to_vec(), Int32)
            }
            ElementAt => {
                a.arity(2, 2)?;
                if let Some((key, value)) = map_types(&a.types[0]) {
                    return Signature::new(vec![a.types[0].clone(), key], value);
                }
                let e = element(a, 0)?;
                Signature::new(vec![a.types[0].clone(), a.integer(1)?], e)
            }
            Get => {
                a.arity(2, 2)?;
                // Spark refuses a map (and an untyped NULL) here, and casts the index to
                // int: a fraction is cut off, a bigint wraps.
                let e = match &a.types[0] {
                    DataType::List(field) => field.data_type().clone(),
                    other => return Err(a.error(0, "an array", other)),
                };
                let t = &a.types[1];
                if !(crate::sql::types::is_numeric(t) || is_string(t) || t == &Null) {
                    return Err(a.error(1, "an int", t));
                }
                Signature::new(vec![a.types[0].clone(), Int32], e)
            }
            Shuffle => {
                a.arity(2, 2)?;
                let list = match element(a, 0)? {
                    Null => list_of(Null),
                    _ => a.types[0].clone(),
                };
                Signature::new(vec![list.clone(), Int64], list)
            }
            ArrayContains | ArrayPosition | ArrayRemove | ArrayAppend | ArrayPrepend => {
                a.arity(2, 2)?;
                // Spark refuses a NULL literal where these need a type to compare in.
                let typed = match self {
                    ArrayContains | ArrayPosition => 0..2,
                    ArrayAppend | ArrayPrepend => 0..1,
                    _ => 0..0,
                };
                for i in typed {
                    if a.types[i] == DataType::Null {
                        return Err(Error::analysis(format!(
                            "argument {} of {} is an untyped NULL; CAST it to the type meant",
                            i + 1,
                            a.name
                        )));
                    }
                }
                let common = common_type(a.name, &[element(a, 0)?, a.types[1].clone()])?;
                let returns = match self {
                    ArrayContains => Boolean,
                    ArrayPosition => Int64,
                    _ => list_of(common.clone()),
                };
                Signature::new(vec![list_of(common.clone()), common], returns)
            }
            ArrayInsert => {
                a.arity(3, 3)?;
                // Spark wants an `int` position (a NULL literal, a bigint or a string is
                // refused) and the value in the elements' wider type.
                let position = match &a.types[1] {
                    t @ (Int8 | Int16 | Int32) => t.clone(),
                    t => return Err(a.error(1, "an int", t)),
                };
                if a.types[0] == Null {
                    return Err(Error::analysis(
                        "argument 1 of array_insert is an untyped NULL; CAST it to the array \
                         type meant",
                    ));
                }
                let (elements, value) = (element(a, 0)?, a.types[2].clone());
                if elements != Null && value != Null && is_string(&elements) != is_string(&value) {
                    return Err(a.error(2, "a value of the array's element type", &value));
                }
                let common = common_type(a.name, &[elements, value])?;
                Signature::new(
                    vec![list_of(common.clone()), position, common.clone()],
                    list_of(common),
                )
            }
            ArrayMax | ArrayMin => {
                a.arity(1, 1)?;
                let e = orderable(a, 0)?;
                Signature::new(a.types.to_vec(), e)
            }
            ArrayJoin => {
                a.arity(2, 3)?;
                let e = element(a, 0)?;
                if matches!(
                    e,
                    DataType::List(_) | DataType::Struct(_) | DataType::Map(_, _)
                ) {
                    return Err(a.error(0, "an array of simple values", &a.types[0]));
                }
                let mut types = vec![a.types[0].clone()];
                for i in 1..a.len() {
                    types.push(a.string(i)?);
                }
                Signature::new(types, Utf8)
            }
            SortArray => {
                a.arity(1, 2)?;
                orderable(a, 0)?;
                let mut types = vec![a.types[0].clone()];
                if a.len() == 2 {
                    if !matches!(a.types[1], Boolean | DataType::Null) {
                        return Err(a.error(1, "a boolean", &a.types[1]));
                    }
                    types.push(Boolean);
                }
                Signature::new(types, a.types[0].clone())
            }
            ArraySort | ArrayDistinct | ArrayCompact => {
                a.arity(1, 1)?;
                if self == ArrayCompact {
                    element(a, 0)?;
                } else {
                    orderable(a, 0)?;
                }
                Signature::new(a.types.to_vec(), a.types[0].clone())
            }
            Slice => {
                a.arity(3, 3)?;
                element(a, 0)?;
                Signature::new(
                    vec![a.types[0].clone(), a.integer(1)?, a.integer(2)?],
                    a.types[0].clone(),
                )
            }
            Flatten => {
                a.arity(1, 1)?;
                match element(a, 0)? {
                    inner @ DataType::List(_) => Signature::new(a.types.to_vec(), inner),
                    _ => Err(a.error(0, "an array of arrays", &a.types[0])),
                }
            }
            ArrayRepeat => {
                a.arity(2, 2)?;
                let value = a.types[0].clone();
                Signature::new(vec![value.clone(), a.integer(1)?], list_of(value))
            }
            ArrayUnion | ArrayIntersect | ArrayExcept | ArraysOverlap => {
                a.arity(2, 2)?;
                if let Some(i) = a.types.iter().position(|t| t == &DataType::Null) {
                    return Err(a.error(i, "an array", &DataType::Null));
                }
                let common = common_type(a.name, &[orderable(a, 0)?, orderable(a, 1)?])?;
                let returns = if self == ArraysOverlap {
                    Boolean
                } else {
                    list_of(common.clone())
                };
                Signature::new(vec![list_of(common.clone()), list_of(common)], returns)
            }
            ArraysZip => {
                a.arity(1, usize::MAX)?;
                let fields = (0..a.len())
                    .map(|i| Ok(Field::new(i.to_string(), element(a, i)?, true)))
                    .collect::<Result<Vec<_>>>()?;
                Signature::new(a.types.to_vec(), list_of(DataType::Struct(fields.into())))
            }
            Sequence => {
                a.arity(2, 3)?;
                for (i, t) in a.types.iter().enumerate() {
                    if !is_integer(t) && t != &DataType::Null {
                        return Err(a.error(i, "an integer", t));
                    }
                }
                let wide = a
                    .types
                    .iter()
                    .any(|t| matches!(t, Int64 | DataType::UInt32 | DataType::UInt64));
                let t = if wide { Int64 } else { Int32 };
                Signature::new(vec![t.clone(); a.len()], list_of(t))
            }
        }
    }
}

/// The element type of argument `i`, which must be an array.
fn element(a: &Args, i: usize) -> Result<DataType> {
    match &a.types[i] {
        DataType::List(field) => Ok(field.data_type().clone()),
        DataType::Null => Ok(DataType::Null),
        other => Err(a.error(i, "an array", other)),
    }
}

/// The element type of argument `i`, an array whose elements can be ordered and compared.
fn orderable(a: &Args, i: usize) -> Result<DataType> {
    let e = element(a, i)?;
    if matches!(e, DataType::Map(_, _)) {
        return Err(a.error(i, "an array of values that can be ordered", &a.types[i]));
    }
    Ok(e)
}
