//! What the signature rules of every function family share: the arity check, the classes
//! of arguments Spark coerces implicitly (numbers, integers, dates, timestamps, strings),
//! and the common type of several branches.

use arrow_schema::DataType;

use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::types::{
    branches_common, is_integer, is_numeric, is_string, is_temporal, timestamp_type,
};
pub use crate::sql::types::{list_of, map_of, map_types};

/// How a call's arguments are converted and what it returns.
pub struct Signature {
    /// The type each argument is cast to before the call.
    pub arg_types: Vec<DataType>,
    pub return_type: DataType,
}

impl Signature {
    pub fn new(arg_types: Vec<DataType>, return_type: DataType) -> Result<Signature> {
        Ok(Signature {
            arg_types,
            return_type,
        })
    }
}

/// The argument types of one call, with the checks each family's rules are made of.
pub struct Args<'a> {
    pub name: &'static str,
    pub types: &'a [DataType],
}

impl Args<'_> {
    pub fn len(&self) -> usize {
        self.types.len()
    }

    pub fn arity(&self, min: usize, max: usize) -> Result<()> {
        let n = self.types.len();
        if n >= min && n <= max {
            return Ok(());
        }
        let expected = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        Err(Error::analysis(format!(
            "{} takes {expected} arguments, got {n}",
            self.name
        )))
    }

    /// A number computed as int, bigint or double (the narrowest that holds it).
    pub fn numeric(&self, i: usize) -> Result<DataType> {
        use DataType::*;
        match &self.types[i] {
            Int8 | Int16 | Int32 | UInt8 | UInt16 => Ok(Int32),
            Int64 | UInt32 | UInt64 => Ok(Int64),
            Null => Ok(Float64),
            // Spark casts a string to double where a number is expected.
            t if is_numeric(t) || is_string(t) => Ok(Float64),
            t => Err(self.error(i, "a number", t)),
        }
    }

    /// A number read as double; a string is cast (Spark's implicit cast, NULL if it is
    /// not a number).
    pub fn double(&self, i: usize) -> Result<DataType> {
        let t = &self.types[i];
        if is_numeric(t) || is_string(t) || t == &DataType::Null {
            Ok(DataType::Float64)
        } else {
            Err(self.error(i, "a number", t))
        }
    }

    /// An integer argument, computed as int (a string is cast, NULL if not a number).
    pub fn integer(&self, i: usize) -> Result<DataType> {
        let t = &self.types[i];
        if is_integer(t) || is_string(t) || t == &DataType::Null {
            Ok(DataType::Int32)
        } else {
            Err(self.error(i, "an integer", t))
        }
    }

    /// An integer argument, computed as bigint (a string is cast).
    pub fn long(&self, i: usize) -> Result<DataType> {
        let t = &self.types[i];
        if is_integer(t) || is_string(t) || t == &DataType::Null {
            Ok(DataType::Int64)
        } else {
            Err(self.error(i, "an integer", t))
        }
    }

    /// A date: dates, timestamps (their day) and strings (parsed) are accepted.
    pub fn date(&self, i: usize) -> Result<DataType> {
        let t = &self.types[i];
        if is_temporal(t) || is_string(t) || t == &DataType::Null {
            Ok(DataType::Date32)
        } else {
            Err(self.error(i, "a date", t))
        }
    }

    /// A timestamp: dates are midnight, strings are parsed.
    pub fn timestamp(&self, i: usize) -> Result<DataType> {
        let t = &self.types[i];
        if is_temporal(t) || is_string(t) || t == &DataType::Null {
            Ok(timestamp_type())
        } else {
            Err(self.error(i, "a timestamp", t))
        }
    }

    /// A `time`: strings are read as times (`'12:34'`), as Spark casts them implicitly;
    /// timestamps are not (Spark wants the explicit `CAST(ts AS TIME)`).
    pub fn time(&self, i: usize) -> Result<DataType> {
        let t = &self.types[i];
        if matches!(t, DataType::Time64(_) | DataType::Null) || is_string(t) {
            Ok(crate::sql::types::time_type())
        } else {
            Err(self.error(i, "a time", t))
        }
    }

    /// A day-time interval (or a NULL); Spark casts nothing to one implicitly.
    pub fn day_time(&self, i: usize) -> Result<DataType> {
        let t = &self.types[i];
        if crate::frame::interval_type::is_day_time(t) || t == &DataType::Null {
            Ok(crate::frame::interval_type::day_time_type())
        } else {
            Err(self.error(i, "a day-time interval", t))
        }
    }

    /// An interval of either family (its own type), or a NULL (`Null`: the caller picks).
    pub fn interval(&self, i: usize) -> Result<DataType> {
        let t = &self.types[i];
        if crate::frame::interval_type::is_interval(t) || t == &DataType::Null {
            Ok(t.clone())
        } else {
            Err(self.error(i, "an interval", t))
        }
    }

    /// The interval type of arguments `indexes`, which must agree (a NULL takes the other's
    /// type; all NULL is a day-time interval).
    pub fn same_interval(&self, indexes: &[usize]) -> Result<DataType> {
        let mut found: Option<DataType> = None;
        for &i in indexes {
            let t = self.interval(i)?;
            if t == DataType::Null {
                continue;
            }
            match &found {
                Some(f) if *f != t => {
                    return Err(self.error(i, &format!("an interval like {f}"), &t));
                }
                _ => found = Some(t),
            }
        }
        Ok(found.unwrap_or_else(crate::frame::interval_type::day_time_type))
    }

    /// A string; any scalar value is cast to its text, as Spark does implicitly.
    pub fn string(&self, i: usize) -> Result<DataType> {
        match &self.types[i] {
            t @ (DataType::List(_) | DataType::Struct(_) | DataType::Map(_, _)) => {
                Err(self.error(i, "a string", t))
            }
            _ => Ok(DataType::Utf8),
        }
    }

    /// Bytes: binary stays binary, anything else is cast to its text (UTF-8 bytes).
    pub fn bytes(&self, i: usize) -> Result<DataType> {
        match &self.types[i] {
            DataType::Binary => Ok(DataType::Binary),
            DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_) => {
                Ok(DataType::Binary)
            }
            _ => self.string(i),
        }
    }

    /// Bytes where Spark wants `binary` (`to_base32`, `hmac`): binary stays binary and a
    /// string is cast to its UTF-8 bytes (Spark's one implicit cast to binary); numbers,
    /// dates and the rest are refused, as Spark refuses them.
    pub fn binary(&self, i: usize) -> Result<DataType> {
        match &self.types[i] {
            DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
            | DataType::FixedSizeBinary(_)
            | DataType::Null => Ok(DataType::Binary),
            t if is_string(t) => Ok(DataType::Binary),
            t => Err(self.error(i, "binary", t)),
        }
    }

    pub fn strings(&self, n: usize) -> Result<Vec<DataType>> {
        (0..n).map(|i| self.string(i)).collect()
    }

    /// The common type of arguments `from..`, or an analysis error naming the function.
    pub fn common(&self, from: usize) -> Result<DataType> {
        common_type(self.name, &self.types[from..])
    }

    pub fn error(&self, index: usize, expected: &str, got: &DataType) -> Error {
        type_error(self.name, index, expected, got)
    }
}

/// The common type of several branches, or an analysis error naming the function.
pub fn common_type(what: &str, types: &[DataType]) -> Result<DataType> {
    let mut common = DataType::Null;
    for t in types {
        common = branches_common(&common, t).ok_or_else(|| {
            Error::analysis(format!(
                "{what} mixes incompatible types {} and {}",
                spark_type_name(&common),
                spark_type_name(t)
            ))
        })?;
    }
    Ok(common)
}

pub fn type_error(function: &str, index: usize, expected: &str, got: &DataType) -> Error {
    Error::analysis(format!(
        "argument {} of {function} must be {expected}, got {}",
        index + 1,
        spark_type_name(got)
    ))
}

/// `from_name`, `name` and `names` of a function family, from its table of names (the
/// first name of a function is the one it is shown by).
macro_rules! name_table {
    ($family:ty, $table:expr) => {
        impl $family {
            pub fn from_name(name: &str) -> Option<Self> {
                $crate::sql::plan::functions::signature::lookup($table, name)
            }

            pub fn name(self) -> &'static str {
                $crate::sql::plan::functions::signature::name_of($table, self)
            }

            pub fn names() -> impl Iterator<Item = &'static str> {
                $table.iter().map(|(n, _)| *n)
            }
        }
    };
}
pub(crate) use name_table;

/// A family's table of names: the first name of a function is the one it is shown by.
pub fn lookup<F: Copy>(table: &[(&'static str, F)], name: &str) -> Option<F> {
    table
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, f)| *f)
}

pub fn name_of<F: Copy + PartialEq>(table: &[(&'static str, F)], func: F) -> &'static str {
    table
        .iter()
        .find(|(_, f)| *f == func)
        .map_or("?", |(n, _)| n)
}
