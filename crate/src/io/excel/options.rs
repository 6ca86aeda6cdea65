//! The options a user can set when reading a workbook, named as in pandas'
//! `read_excel(sheet_name=..., header=...)` where Spark has no reader of its own.

use serde::Deserialize;
use ts_rs::TS;

/// A sheet by its name (as the workbook's tab shows it) or by its 0-based position among
/// the workbook's worksheets (pandas' `sheet_name=1`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(untagged)]
pub enum SheetRef {
    Name(String),
    Index(u32),
}

/// Options for reading an Excel workbook. Every field has a default, so `{}` is a valid
/// value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ExcelOptions {
    /// The sheet to read; `None` reads the first worksheet.
    pub sheet: Option<SheetRef>,
    /// Whether the sheet's first non-empty row is a header; `None` detects it (see
    /// `excel::columns::is_header`).
    pub header: Option<bool>,
}
