//! Excel workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`) and OpenDocument spreadsheets
//! (`.ods`), read with `calamine`: one sheet becomes a table, as pandas' `read_excel`
//! reads it (the first worksheet unless one is named; the header row detected; each
//! column's type from all of its values; see [`columns`]).
//!
//! The workbook is held whole while its sheet is read (a zip or OLE2 file is read from
//! its directory, at its end). xlsx and xlsb sheets are streamed cell by cell, so only
//! the cells that hold a value are kept, never the sheet's declared dimension; xls and
//! ods sheets are parsed whole by calamine when the workbook is opened.

pub mod columns;
mod options;

use std::io::{Cursor, Read, Seek, SeekFrom};

use calamine::{
    DataRef, Ods, OdsError, Reader, SheetType, Xls, XlsError, Xlsb, XlsbError, Xlsx, XlsxError,
};

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::memory;
use columns::{sheet_table, Cell, DateSystem, Value};
pub use options::{ExcelOptions, SheetRef};

/// A sheet read into a table, with the workbook's worksheets to offer the others.
pub struct ExcelTable {
    pub table: Table,
    pub warnings: Vec<String>,
    /// The sheet that was read.
    pub sheet: String,
    /// Every worksheet of the workbook, in order (chart sheets left out).
    pub sheets: Vec<String>,
    /// Whether the sheet's first row was read as the header (as given, or detected).
    pub header: bool,
}

/// The workbook formats calamine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

/// A zip file's first bytes (a local file header; an empty archive starts with its end
/// record).
const ZIP_MAGIC: [&[u8]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];
/// An OLE2 compound file's first bytes (`.xls`, and password-protected `.xlsx`).
pub const OLE2_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Whether `bytes` start as a workbook can: a zip archive or an OLE2 compound file.
pub fn looks_like_workbook(bytes: &[u8]) -> bool {
    ZIP_MAGIC.iter().any(|m| bytes.starts_with(m)) || bytes.starts_with(OLE2_MAGIC)
}

/// Reads one sheet of a workbook held in memory.
pub fn read_excel(bytes: &[u8], options: &ExcelOptions) -> Result<ExcelTable> {
    memory::check(
        bytes.len().saturating_mul(2),
        "opening this workbook",
        "save the sheet as CSV or Parquet and load that, or drop other tables first",
    )?;
    match detect(bytes)? {
        Format::Xlsx => {
            let mut book = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
            let (sheet, sheets) = choose(book.sheets_metadata(), options.sheet.as_ref())?;
            let dates = DateSystem {
                is_1904: book.has_1904_epoch(),
            };
            let mut reader = book.worksheet_cells_reader(&sheet).map_err(xlsx_error)?;
            let cells = streamed(&sheet, || reader.next_cell().map_err(xlsx_error))?;
            finish(cells, dates, options, sheet, sheets)
        }
        Format::Xlsb => {
            let mut book = Xlsb::new(Cursor::new(bytes)).map_err(xlsb_error)?;
            let (sheet, sheets) = choose(book.sheets_metadata(), options.sheet.as_ref())?;
            let dates = DateSystem {
                is_1904: book.has_1904_epoch(),
            };
            let mut reader = book.worksheet_cells_reader(&sheet).map_err(xlsb_error)?;
            let cells = streamed(&sheet, || reader.next_cell().map_err(xlsb_error))?;
            finish(cells, dates, options, sheet, sheets)
        }
        Format::Xls => {
            let mut book = open_xls(bytes)?;
            let (sheet, sheets) = choose(book.sheets_metadata(), options.sheet.as_ref())?;
            let dates = DateSystem {
                is_1904: book.has_1904_epoch(),
            };
            let range = book.worksheet_range(&sheet).map_err(xls_error)?;
            read_range(&range, dates, options, sheet, sheets)
        }
        Format::Ods => {
            let mut book: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(ods_error)?;
            let (sheet, sheets) = choose(book.sheets_metadata(), options.sheet.as_ref())?;
            // OpenDocument writes dates as ISO 8601 text, with no epoch to choose.
            let dates = DateSystem { is_1904: false };
            let range = book.worksheet_range(&sheet).map_err(ods_error)?;
            read_range(&range, dates, options, sheet, sheets)
        }
    }
}

/// The cells of a sheet calamine streams (xlsx, xlsb), one `next` at a time.
fn streamed<'a>(
    sheet: &str,
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>>,
) -> Result<Cells<'a>> {
    let mut cells = Cells::new(sheet);
    while let Some(cell) = next()? {
        cells.push(cell.get_position(), Value::of_ref(cell.get_value().clone()))?;
    }
    Ok(cells)
}

/// The cells of a sheet calamine read whole.
fn read_range(
    range: &calamine::Range<calamine::Data>,
    dates: DateSystem,
    options: &ExcelOptions,
    sheet: String,
    sheets: Vec<String>,
) -> Result<ExcelTable> {
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut cells = Cells::new(&sheet);
    for (row, col, value) in range.used_cells() {
        let position = (row0 + row as u32, col0 + col as u32);
        cells.push(position, Value::of_data(value))?;
    }
    finish(cells, dates, options, sheet, sheets)
}

fn finish(
    cells: Cells,
    dates: DateSystem,
    options: &ExcelOptions,
    sheet: String,
    sheets: Vec<String>,
) -> Result<ExcelTable> {
    let read = sheet_table(cells.cells, dates, options.header, &sheet)?;
    Ok(ExcelTable {
        table: read.table,
        warnings: read.warnings,
        sheet,
        sheets,
        header: read.header,
    })
}

/// A sheet's non-empty cells as they are read, refused with `OUT_OF_MEMORY` before they
/// outgrow the engine's memory (a small compressed file can hold millions of cells).
struct Cells<'a> {
    cells: Vec<Cell<'a>>,
    sheet: String,
}

impl<'a> Cells<'a> {
    fn new(sheet: &str) -> Self {
        Cells {
            cells: Vec::new(),
            sheet: sheet.to_string(),
        }
    }

    fn push(&mut self, (row, col): (u32, u32), value: Option<Value<'a>>) -> Result<()> {
        let Some(value) = value else {
            return Ok(());
        };
        if self.cells.len() == self.cells.capacity() && self.cells.len() >= 1 << 16 {
            // Growing copies the cells into twice the room: the old and the new vectors,
            // then about as much again for the columns built from them.
            let size = std::mem::size_of::<Cell>();
            memory::check(
                self.cells.len().saturating_mul(size).saturating_mul(4),
                &format!(
                    "reading sheet `{}` ({} cells so far)",
                    self.sheet,
                    self.cells.len()
                ),
                "save the sheet as CSV or Parquet and load that, or drop other tables first",
            )?;
        }
        self.cells.push(Cell { row, col, value });
        Ok(())
    }
}

/// The workbook's format, from its first bytes and, for a zip, the entries it holds.
fn detect(bytes: &[u8]) -> Result<Format> {
    if bytes.starts_with(OLE2_MAGIC) {
        return Ok(Format::Xls);
    }
    if !ZIP_MAGIC.iter().any(|m| bytes.starts_with(m)) {
        return Err(Error::new(
            ErrorCode::ExcelCorrupt,
            "this file is not an Excel workbook: a workbook is a zip archive (.xlsx, .xlsm, \
             .xlsb, .ods) or an OLE2 file (.xls), and this one starts with neither; if it \
             is a CSV or text file, rename it to .csv",
        ));
    }
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        corrupt(format!(
            "this workbook's zip archive cannot be read ({e}): the file ({}) is probably \
             truncated or damaged; download or export it again",
            memory::describe_bytes(bytes.len())
        ))
    })?;
    // (A name that is not valid text names no part of a workbook.)
    let original: Vec<String> = archive
        .file_names()
        .filter_map(|name| name.ok().map(|n| n.into_owned()))
        .collect();
    let names: Vec<String> = original.iter().map(|n| n.to_lowercase()).collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    if has("xl/workbook.xml") {
        Ok(Format::Xlsx)
    } else if has("xl/workbook.bin") {
        Ok(Format::Xlsb)
    } else if has("content.xml") && has("mimetype") {
        Ok(Format::Ods)
    } else if names.iter().any(|n| n.starts_with("xl/")) {
        // A workbook whose parts are named differently: calamine follows its
        // relationships.
        Ok(Format::Xlsx)
    } else {
        let shown = &original[..original.len().min(5)];
        Err(Error::new(
            ErrorCode::UnsupportedFile,
            format!(
                "this zip archive is not an Excel workbook (it has no xl/workbook.xml; it \
                 holds {} {}{}): extract the file you want from it and drop that",
                names.len(),
                if names.len() == 1 { "file" } else { "files" },
                if shown.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", such as {}",
                        shown
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
        ))
    }
}

/// An OLE2 file: an `.xls` workbook, or an encrypted `.xlsx` (Office encrypts a
/// password-protected workbook into an OLE2 container).
fn open_xls(bytes: &[u8]) -> Result<Xls<ZeroPadded<'_>>> {
    match Xls::new(ZeroPadded::new(bytes)) {
        Ok(book) => Ok(book),
        Err(XlsError::Password) => Err(encrypted()),
        Err(err) => match Xlsx::new(ZeroPadded::new(bytes)) {
            Err(XlsxError::Password) => Err(encrypted()),
            _ => Err(xls_error(err)),
        },
    }
}

/// An OLE2 file read as if zeros followed its end. calamine's compound-file reader
/// (0.38) panics when a truncated file's sector table points past the bytes it could
/// read (it slices from the sector's start to where reading stopped); read as zeros
/// instead, such a sector makes the damage an error further on. How far it reads is
/// still bounded by the file's real length, which seeking to the end reports.
struct ZeroPadded<'a> {
    bytes: &'a [u8],
    position: u64,
}

impl<'a> ZeroPadded<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        ZeroPadded { bytes, position: 0 }
    }
}

impl Read for ZeroPadded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let start = usize::try_from(self.position)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        let available = &self.bytes[start..];
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        if n == 0 {
            buf.fill(0);
        }
        let read = if n == 0 { buf.len() } else { n };
        self.position = self.position.saturating_add(read as u64);
        Ok(read)
    }
}

impl Seek for ZeroPadded<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => (self.bytes.len() as u64).checked_add_signed(d),
            SeekFrom::Current(d) => self.position.checked_add_signed(d),
        };
        self.position = target.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.position)
    }
}

/// The sheet to read and the workbook's worksheets.
fn choose(all: &[calamine::Sheet], wanted: Option<&SheetRef>) -> Result<(String, Vec<String>)> {
    let sheets: Vec<String> = all
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    let listed = || {
        sheets
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen = match wanted {
        None => sheets.first().cloned().ok_or_else(|| {
            Error::new(
                ErrorCode::ExcelEmpty,
                if all.is_empty() {
                    "this workbook has no sheets".to_string()
                } else {
                    "this workbook has no worksheet (only charts or macros), so there is no \
                     table in it"
                        .to_string()
                },
            )
        })?,
        Some(SheetRef::Name(name)) => {
            let found = sheets
                .iter()
                .find(|s| *s == name)
                .or_else(|| sheets.iter().find(|s| s.eq_ignore_ascii_case(name)));
            match found {
                Some(s) => s.clone(),
                None if all.iter().any(|s| s.name == *name) => {
                    return Err(Error::new(
                        ErrorCode::ExcelUnsupported,
                        format!(
                            "sheet `{name}` is a chart or macro sheet, not cells: pick one of \
                             the worksheets ({})",
                            listed()
                        ),
                    ))
                }
                None => {
                    return Err(Error::new(
                        ErrorCode::ExcelSheetNotFound,
                        format!(
                            "this workbook has no sheet `{name}`; its sheets are {}",
                            listed()
                        ),
                    ))
                }
            }
        }
        Some(SheetRef::Index(i)) => sheets.get(*i as usize).cloned().ok_or_else(|| {
            Error::new(
                ErrorCode::ExcelSheetNotFound,
                format!(
                    "this workbook has {} {}, so there is no sheet at index {i} (indexes \
                     count from 0); its sheets are {}",
                    sheets.len(),
                    if sheets.len() == 1 {
                        "worksheet"
                    } else {
                        "worksheets"
                    },
                    listed()
                ),
            )
        })?,
    };
    Ok((chosen, sheets))
}

fn corrupt(message: String) -> Error {
    Error::new(ErrorCode::ExcelCorrupt, message)
}

fn encrypted() -> Error {
    Error::new(
        ErrorCode::ExcelUnsupported,
        "this workbook is password-protected (encrypted), and Brasa cannot decrypt it: open \
         it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with \
         Password) and save it again, or save the sheet as CSV",
    )
}

fn damaged(what: &str, err: impl std::fmt::Display) -> Error {
    corrupt(format!(
        "this {what} cannot be read ({err}): it is probably truncated or damaged; open it \
         in Excel or LibreOffice and save it again, or export the sheet as CSV"
    ))
}

fn sheet_not_found(name: &str) -> Error {
    Error::new(
        ErrorCode::ExcelSheetNotFound,
        format!("this workbook lists sheet `{name}` but does not hold it: the file is damaged"),
    )
}

fn xlsx_error(err: XlsxError) -> Error {
    match err {
        XlsxError::Password => encrypted(),
        XlsxError::WorksheetNotFound(name) => sheet_not_found(&name),
        XlsxError::NotAWorksheet(name) => Error::new(
            ErrorCode::ExcelUnsupported,
            format!("sheet `{name}` is not a worksheet (it is a chart or a macro sheet)"),
        ),
        other => damaged("workbook", other),
    }
}

fn xlsb_error(err: XlsbError) -> Error {
    match err {
        XlsbError::Password => encrypted(),
        XlsbError::WorksheetNotFound(name) => sheet_not_found(&name),
        other => damaged("binary workbook (.xlsb)", other),
    }
}

fn xls_error(err: XlsError) -> Error {
    match err {
        XlsError::Password => encrypted(),
        XlsError::WorksheetNotFound(name) => sheet_not_found(&name),
        other => damaged("Excel 97-2003 workbook (.xls)", other),
    }
}

fn ods_error(err: OdsError) -> Error {
    match err {
        OdsError::Password => encrypted(),
        OdsError::WorksheetNotFound(name) => sheet_not_found(&name),
        other => damaged("OpenDocument spreadsheet (.ods)", other),
    }
}
