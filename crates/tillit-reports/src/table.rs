//! Registers as tables of text: read from an XLSX workbook (its first sheet) or a CSV file,
//! and written back to both. Every cell is a string; the importer decides what it means.
//!
//! Row numbers are the ones the spreadsheet shows: the header is the first row with any text
//! (row 1 unless blank rows come first), and blank rows below it are kept, empty, so that
//! `Table::row_number` names the row a person sees in Excel.
//!
//! Whatever the bytes, reading answers with a [`TableError`], never a panic (see the
//! property test at the end), and refuses files that would unpack into more than
//! [`MAX_ROWS`] rows, [`MAX_COLUMNS`] columns or [`MAX_UNPACKED_BYTES`].

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};
use serde::{Deserialize, Serialize};

/// Data rows a file may hold (below the header).
pub const MAX_ROWS: usize = 100_000;
/// Columns a file may use.
pub const MAX_COLUMNS: usize = 200;
/// Cells (data rows × columns) a table may hold.
pub const MAX_CELLS: usize = 2_000_000;
/// What the parts of an XLSX file may add up to once unpacked (against zip bombs).
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;
/// Excel's limit on the text of one cell.
pub const XLSX_CELL_MAX_CHARS: usize = 32_767;

const MAX_ZIP_ENTRIES: usize = 10_000;
const XLSX_MAX_ROWS: usize = 1_048_576;

/// The file formats of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Xlsx, Format::Csv];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    /// `xlsx` or `csv`, any case.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.as_str()
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The format of a file by its name (`.xlsx`; `.csv` or `.txt`).
    pub fn from_file_name(name: &str) -> Option<Self> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" => Some(Format::Xlsx),
            "csv" | "txt" => Some(Format::Csv),
            _ => None,
        }
    }

    /// The format the bytes look like: a zip archive is XLSX, anything else is read as CSV.
    pub fn sniff(bytes: &[u8]) -> Self {
        if bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

/// A table of text: the header row and the rows below it, all as wide as the widest row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    /// The rows below the header; a blank row in the file is a row of empty cells here.
    pub rows: Vec<Vec<String>>,
    /// The spreadsheet's number of the header row (1 unless the file starts with blank rows).
    pub header_row: usize,
}

impl Table {
    /// A table whose header is row 1.
    pub fn new(headers: Vec<String>, rows: Vec<Vec<String>>) -> Self {
        Self {
            headers,
            rows,
            header_row: 1,
        }
    }

    /// The spreadsheet's number of the row at `index` in [`Table::rows`].
    pub fn row_number(&self, index: usize) -> usize {
        self.header_row + 1 + index
    }

    /// The text of a cell, "" outside the table.
    pub fn cell(&self, row: usize, column: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|r| r.get(column))
            .map_or("", String::as_str)
    }

    /// Whether every cell of the row is empty or blank.
    pub fn is_blank(row: &[String]) -> bool {
        row.iter().all(|c| c.trim().is_empty())
    }
}

/// Why a file could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not a {expected} file ({found})")]
    WrongFormat {
        expected: &'static str,
        found: &'static str,
    },
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
    #[error("row {row}: the file is not text in UTF-8 or Windows-1252")]
    Encoding { row: usize },
    #[error("the file is too large: {0}")]
    TooLarge(String),
    #[error("the file could not be written: {0}")]
    Write(String),
}

impl TableError {
    /// A stable key for the error, for translations.
    pub fn code(&self) -> &'static str {
        match self {
            TableError::Empty => "error-import-file-empty",
            TableError::WrongFormat { .. } => "error-import-file-wrong-format",
            TableError::Unreadable(_) => "error-import-file-unreadable",
            TableError::Encoding { .. } => "error-import-file-encoding",
            TableError::TooLarge(_) => "error-import-file-too-large",
            TableError::Write(_) => "error-import-file-write",
        }
    }

    /// The row the problem is on, when it has one.
    pub fn row(&self) -> Option<usize> {
        match self {
            TableError::Encoding { row } => Some(*row),
            _ => None,
        }
    }
}

/// Reads the first sheet of an XLSX workbook, or a CSV file, into a table.
pub fn read_table(bytes: &[u8], format: Format) -> Result<Table, TableError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(TableError::Empty);
    }
    match format {
        Format::Xlsx => read_xlsx(bytes),
        Format::Csv => read_csv(bytes),
    }
}

// ---- assembling -----------------------------------------------------------------------------

/// Rows as read: the spreadsheet row number (1-based) and the cells, in order.
type RawRows = Vec<(usize, Vec<String>)>;

fn too_large(what: String) -> TableError {
    TableError::TooLarge(what)
}

/// The table from rows as read: the first row with text is the header; blank rows in
/// between are filled in and trailing ones dropped; every row padded to the widest.
fn assemble(raw: RawRows) -> Result<Table, TableError> {
    let used = |cells: &[String]| cells.iter().rposition(|c| !c.trim().is_empty());
    let mut rows = raw.into_iter().filter(|(_, cells)| used(cells).is_some());
    let Some((header_row, headers)) = rows.next() else {
        return Err(TableError::Empty);
    };
    let body: Vec<(usize, Vec<String>)> = rows.collect();
    let width = body
        .iter()
        .chain(std::iter::once(&(header_row, headers.clone())))
        .filter_map(|(_, c)| used(c))
        .max()
        .map_or(0, |w| w + 1);
    if width > MAX_COLUMNS {
        return Err(too_large(format!("more than {MAX_COLUMNS} columns")));
    }
    let last = body.last().map_or(header_row, |(r, _)| *r);
    let height = last - header_row;
    if height > MAX_ROWS {
        return Err(too_large(format!("more than {MAX_ROWS} rows")));
    }
    if height.saturating_mul(width) > MAX_CELLS {
        return Err(too_large(format!("more than {MAX_CELLS} cells")));
    }
    let pad = |mut cells: Vec<String>| {
        cells.resize(width, String::new());
        cells
    };
    let mut out = Vec::with_capacity(height);
    for (row, cells) in body {
        while header_row + 1 + out.len() < row {
            out.push(vec![String::new(); width]);
        }
        out.push(pad(cells));
    }
    Ok(Table {
        headers: pad(headers)
            .into_iter()
            .map(|h| h.trim().to_owned())
            .collect(),
        rows: out,
        header_row,
    })
}

// ---- XLSX -----------------------------------------------------------------------------------

fn read_xlsx(bytes: &[u8]) -> Result<Table, TableError> {
    if !bytes.starts_with(b"PK") {
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err(TableError::WrongFormat {
                expected: "XLSX",
                found: "an old .xls workbook or a protected file; save it as .xlsx",
            });
        }
        return Err(TableError::WrongFormat {
            expected: "XLSX",
            found: "it is not a zip archive; is it CSV?",
        });
    }
    check_unpacked_size(bytes)?;
    let unreadable = |e: calamine::XlsxError| TableError::Unreadable(e.to_string());
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let Some(sheet) = book.sheet_names().into_iter().next() else {
        return Err(TableError::Unreadable("the workbook has no sheets".into()));
    };
    let mut cells: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let mut min_col = u32::MAX;
    let mut count = 0usize;
    {
        let mut reader = book.worksheet_cells_reader(&sheet).map_err(unreadable)?;
        while let Some(cell) = reader.next_cell().map_err(unreadable)? {
            let (row, col) = cell.get_position();
            let text = cell_text(cell.get_value());
            if text.is_empty() {
                continue;
            }
            if row as usize > XLSX_MAX_ROWS {
                return Err(TableError::Unreadable("a cell outside the sheet".into()));
            }
            count += 1;
            if count > MAX_CELLS {
                return Err(too_large(format!("more than {MAX_CELLS} cells")));
            }
            min_col = min_col.min(col);
            cells.entry(row).or_default().push((col, text));
        }
    }
    if cells.is_empty() {
        return Err(TableError::Empty);
    }
    // The table starts at the first used column; rows and columns are checked in `assemble`,
    // but a row is only as wide as its last cell, so check the columns before padding.
    let mut raw = RawRows::with_capacity(cells.len());
    for (row, mut list) in cells {
        list.sort_by_key(|(c, _)| *c);
        let Some(last) = list.last().map(|(c, _)| (c - min_col) as usize) else {
            continue;
        };
        if last >= MAX_COLUMNS {
            return Err(too_large(format!("more than {MAX_COLUMNS} columns")));
        }
        let mut out = vec![String::new(); last + 1];
        for (c, text) in list {
            out[(c - min_col) as usize] = text;
        }
        raw.push((row as usize + 1, out));
    }
    assemble(raw)
}

/// Refuses archives whose parts claim to unpack into more than we read.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), TableError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| TableError::Unreadable(format!("not a valid zip archive: {e}")))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(too_large(format!("more than {MAX_ZIP_ENTRIES} parts")));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip
            .by_index_raw(i)
            .map_err(|e| TableError::Unreadable(format!("a broken zip entry: {e}")))?;
        total = total.saturating_add(part.size());
        if total > MAX_UNPACKED_BYTES {
            return Err(too_large(format!(
                "it unpacks into more than {} MiB",
                MAX_UNPACKED_BYTES / 1024 / 1024
            )));
        }
    }
    Ok(())
}

/// A cell as the text a person sees: whole numbers without ".0", dates as YYYY-MM-DD
/// (with the time when it is not midnight), booleans as true/false.
fn cell_text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => {
            if dt.is_duration() {
                return number_text(dt.as_f64());
            }
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            let date = format!("{y:04}-{mo:02}-{d:02}");
            match (h, mi, s) {
                (0, 0, 0) => date,
                (h, mi, 0) => format!("{date} {h:02}:{mi:02}"),
                (h, mi, s) => format!("{date} {h:02}:{mi:02}:{s:02}"),
            }
        }
        DataRef::Error(e) => e.to_string(),
    }
}

fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

// ---- CSV ------------------------------------------------------------------------------------

fn read_csv(bytes: &[u8]) -> Result<Table, TableError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(TableError::WrongFormat {
            expected: "CSV",
            found: "it is an XLSX workbook; choose XLSX",
        });
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(TableError::WrongFormat {
            expected: "CSV",
            found: "it is an old .xls workbook; save it as .xlsx or CSV",
        });
    }
    let text = decode_text(bytes)?;
    // Binary data decodes too (every byte is a Windows-1252 character): refuse control codes.
    if let Some(pos) = text
        .char_indices()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .map(|(i, _)| i)
    {
        return Err(TableError::Encoding {
            row: line_of(text.as_bytes(), pos),
        });
    }
    let delimiter = detect_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut raw = RawRows::new();
    let bytes = text.as_bytes();
    let mut row = 0usize;
    for record in reader.records() {
        let record = record.map_err(|e| TableError::Unreadable(format!("row {}: {e}", row + 1)))?;
        // A blank line is a row in Excel but no record here: count the ones skipped.
        let at = record.position().map_or(0, |p| p.byte() as usize);
        row = row.saturating_add(1 + blank_lines_at(bytes, at));
        if row > MAX_ROWS + 1 + raw.first().map_or(0, |(r, _)| *r) {
            return Err(too_large(format!("more than {MAX_ROWS} rows")));
        }
        let cells: Vec<String> = record.iter().map(unescape_formula).collect();
        if cells
            .iter()
            .rposition(|c| !c.trim().is_empty())
            .is_some_and(|last| last >= MAX_COLUMNS)
        {
            return Err(too_large(format!("more than {MAX_COLUMNS} columns")));
        }
        raw.push((row, cells));
    }
    assemble(raw)
}

/// The blank lines at `at`, where the CSV reader started on a record: just after the line
/// break of the record before (inside it, for CRLF), or at the start of the text.
fn blank_lines_at(bytes: &[u8], at: usize) -> usize {
    let mut i = at.min(bytes.len());
    if i > 0 && bytes[i - 1] == b'\r' && bytes.get(i) == Some(&b'\n') {
        i += 1;
    }
    let mut blanks = 0;
    while let Some(b) = bytes.get(i) {
        match b {
            b'\r' => {
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
            }
            b'\n' => i += 1,
            _ => break,
        }
        blanks += 1;
    }
    blanks
}

/// UTF-8 (with or without a byte-order mark), UTF-16 with one (Excel's "Unicode text"), or
/// else Windows-1252 (what Swedish Excel saves as "CSV (semikolonavgränsad)").
fn decode_text(bytes: &[u8]) -> Result<String, TableError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom..];
        if encoding == encoding_rs::UTF_8 {
            return std::str::from_utf8(body).map(str::to_owned).map_err(|e| {
                TableError::Encoding {
                    row: line_of(body, e.valid_up_to()),
                }
            });
        }
        let (text, had_errors) = encoding.decode_without_bom_handling(body);
        if had_errors {
            let at = text.find('\u{FFFD}').unwrap_or(0);
            return Err(TableError::Encoding {
                row: line_of(text.as_bytes(), at),
            });
        }
        return Ok(text.into_owned());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(_) => Ok(encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()),
    }
}

/// The 1-based line of a byte position.
fn line_of(bytes: &[u8], pos: usize) -> usize {
    1 + bytes[..pos.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

/// The delimiter the header line uses most, outside quotes: `;` (Swedish Excel), `,` or tab.
fn detect_delimiter(text: &str) -> u8 {
    let (mut semi, mut comma, mut tab) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if tab > semi && tab > comma {
        b'\t'
    } else if comma > semi {
        b','
    } else {
        b';'
    }
}

/// What spreadsheet programs would run as a formula when they open a CSV file; written
/// with a leading apostrophe, which reading takes off again. A value that starts with an
/// apostrophe itself gets one more, so it too reads back unchanged.
fn starts_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn escape_formula(s: &str) -> std::borrow::Cow<'_, [u8]> {
    if starts_like_formula(s) || s.starts_with('\'') {
        format!("'{s}").into_bytes().into()
    } else {
        s.as_bytes().into()
    }
}

fn unescape_formula(s: &str) -> String {
    match s.strip_prefix('\'') {
        Some(rest) if starts_like_formula(rest) || rest.starts_with('\'') => rest.to_owned(),
        _ => s.to_owned(),
    }
}

// ---- writing --------------------------------------------------------------------------------

/// A workbook of one sheet: a bold, frozen header row with filters, and columns as wide as
/// their text (within reason). Every cell is written as text, so it reads back unchanged.
pub fn write_xlsx(
    sheet_name: &str,
    headers: &[String],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, TableError> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};

    let err = |e: rust_xlsxwriter::XlsxError| TableError::Write(e.to_string());
    let width = rows
        .iter()
        .map(Vec::len)
        .chain(std::iter::once(headers.len()))
        .max()
        .unwrap_or(0);
    if rows.len() >= XLSX_MAX_ROWS {
        return Err(too_large(format!("more than {} rows", XLSX_MAX_ROWS - 1)));
    }
    if width > usize::from(u16::MAX) {
        return Err(too_large("too many columns".into()));
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_title(sheet_name)).map_err(err)?;
    let bold = CellFormat::new().set_bold();
    let mut chars = vec![0usize; width];
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, clip(h), &bold)
            .map_err(err)?;
        // Room for the filter button too.
        chars[c] = display_width(h) + 3;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            sheet
                .write_string((r + 1) as u32, c as u16, clip(v))
                .map_err(err)?;
            chars[c] = chars[c].max(display_width(v));
        }
    }
    for (c, n) in chars.iter().enumerate() {
        let w = (*n as f64 * 1.1 + 1.0).clamp(8.0, 60.0);
        sheet.set_column_width(c as u16, w).map_err(err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    if width > 0 {
        sheet
            .autofilter(0, 0, rows.len() as u32, (width - 1) as u16)
            .map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}

/// The width of the longest line of a cell, in characters.
fn display_width(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// Text Excel accepts in one cell.
fn clip(s: &str) -> &str {
    match s.char_indices().nth(XLSX_CELL_MAX_CHARS) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, not starting or
/// ending with an apostrophe.
fn sheet_title(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .filter(|c| !c.is_control())
        .take(31)
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim().to_owned();
    if cleaned.is_empty() {
        "Blad1".to_owned()
    } else {
        cleaned
    }
}

/// CSV as Swedish Excel opens it: UTF-8 with a byte-order mark, `;` between cells, CRLF
/// between rows, quotes where needed; cells that would start a formula get an apostrophe.
pub fn write_csv(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .flexible(true)
            .from_writer(&mut out);
        for record in std::iter::once(headers).chain(rows.iter().map(Vec::as_slice)) {
            let cells = record.iter().map(|c| escape_formula(c));
            // Writing into memory cannot fail; a failure would only shorten the output.
            if w.write_record(cells).is_err() {
                break;
            }
        }
        let _ = w.flush();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    fn sample() -> (Vec<String>, Vec<Vec<String>>) {
        let headers = s(&["Namn", "Enhet", "Beskrivning", "Leverantör"]);
        let rows = vec![
            s(&[
                "Procapita",
                "Socialförvaltningen",
                "Verksamhetssystem för IFO",
                "Tieto",
            ]),
            s(&[
                "Åtgärdsplan \"ÄR\"",
                "Utbildningsförvaltningen",
                "Rad ett\nRad två",
                "",
            ]),
            s(&[
                "Växel; telefoni",
                "Stadsbyggnadskontoret",
                "",
                "Telia, Sverige",
            ]),
            s(&["=SUM(A1)", "", "-5 grader", "@leverantör"]),
            s(&["", "", "", ""]),
            s(&["Sista", "Ö", "  mellanslag  ", "x"]),
        ];
        (headers, rows)
    }

    #[test]
    fn csv_round_trips_with_swedish_text_quotes_newlines_and_blanks() {
        let (h, rows) = sample();
        let bytes = write_csv(&h, &rows);
        assert!(bytes.starts_with(b"\xEF\xBB\xBFNamn;Enhet;"));
        assert!(bytes.windows(2).any(|w| w == b"\r\n"));
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("'=SUM(A1)"), "formulas are defused: {text}");
        let t = read_table(&bytes, Format::Csv).unwrap();
        assert_eq!(t.headers, h);
        assert_eq!(t.rows, rows[..rows.len()].to_vec());
        assert_eq!(t.header_row, 1);
        // The blank row keeps its place: the last row is row 8 as Excel shows it.
        assert_eq!(t.row_number(5), 7);
        assert_eq!(t.rows[5][0], "Sista");
    }

    #[test]
    fn xlsx_round_trips() {
        let (h, rows) = sample();
        let bytes = write_xlsx("Tillgångar [export]", &h, &rows).unwrap();
        assert_eq!(Format::sniff(&bytes), Format::Xlsx);
        let t = read_table(&bytes, Format::Xlsx).unwrap();
        assert_eq!(t.headers, h);
        assert_eq!(t.rows, rows);
        assert_eq!(t.row_number(0), 2);
    }

    #[test]
    fn xlsx_numbers_dates_and_booleans_read_as_people_see_them() {
        use rust_xlsxwriter::{ExcelDateTime, Format as F, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        // A blank first row: the header is row 2.
        for (c, h) in ["Nr", "Andel", "Datum", "NIS2", "Tid"].iter().enumerate() {
            sheet.write_string(1, c as u16, *h).unwrap();
        }
        sheet.write_number(2, 0, 42.0).unwrap();
        sheet.write_number(2, 1, 0.25).unwrap();
        let date = F::new().set_num_format("yyyy-mm-dd");
        let d = ExcelDateTime::from_ymd(2026, 3, 10).unwrap();
        sheet.write_datetime_with_format(2, 2, &d, &date).unwrap();
        sheet.write_boolean(2, 3, true).unwrap();
        let dt = ExcelDateTime::from_ymd(2026, 1, 15)
            .unwrap()
            .and_hms(13, 30, 0)
            .unwrap();
        let f = F::new().set_num_format("yyyy-mm-dd hh:mm");
        sheet.write_datetime_with_format(2, 4, &dt, &f).unwrap();
        sheet.write_number(4, 0, 7.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let t = read_table(&bytes, Format::Xlsx).unwrap();
        assert_eq!(t.header_row, 2);
        assert_eq!(t.headers, s(&["Nr", "Andel", "Datum", "NIS2", "Tid"]));
        assert_eq!(
            t.rows[0],
            s(&["42", "0.25", "2026-03-10", "true", "2026-01-15 13:30"])
        );
        assert_eq!(t.rows[1], s(&["", "", "", "", ""]));
        assert_eq!(t.rows[2][0], "7");
        assert_eq!(t.row_number(2), 5);
    }

    #[test]
    fn csv_with_a_bom_and_commas_and_crlf() {
        let bytes =
            "\u{feff}Name,Unit,Description\r\nLön,HR,\"a, b\"\r\n\r\nSkola24,Utbildning,\r\n"
                .as_bytes();
        let t = read_table(bytes, Format::Csv).unwrap();
        assert_eq!(t.headers, s(&["Name", "Unit", "Description"]));
        assert_eq!(t.rows[0], s(&["Lön", "HR", "a, b"]));
        assert!(Table::is_blank(&t.rows[1]));
        assert_eq!(t.rows[2][0], "Skola24");
        assert_eq!(t.row_number(2), 4);
    }

    #[test]
    fn rows_after_a_cell_with_newlines_keep_their_spreadsheet_numbers() {
        let bytes = b"Namn;Beskrivning\n\"A\";\"rad 1\nrad 2\nrad 3\"\n\nB;x\n";
        let t = read_table(bytes, Format::Csv).unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0][1], "rad 1\nrad 2\nrad 3");
        assert_eq!(t.rows[2][0], "B");
        assert_eq!(t.row_number(2), 4);
    }

    #[test]
    fn windows_1252_from_swedish_excel_is_read() {
        // "Namn;Enhet\nÅtgärd;Förvaltning" in Windows-1252.
        let mut bytes = b"Namn;Enhet\n".to_vec();
        bytes.extend([0xC5, b't', b'g', 0xE4, b'r', b'd', b';']);
        bytes.extend([
            b'F', 0xF6, b'r', b'v', b'a', b'l', b't', b'n', b'i', b'n', b'g',
        ]);
        let t = read_table(&bytes, Format::Csv).unwrap();
        assert_eq!(t.rows[0], s(&["Åtgärd", "Förvaltning"]));
    }

    #[test]
    fn utf16_text_from_excel_is_read() {
        let text = "Namn\tEnhet\r\nÖverförmyndare\tKansli\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let t = read_table(&bytes, Format::Csv).unwrap();
        assert_eq!(t.headers, s(&["Namn", "Enhet"]));
        assert_eq!(t.rows[0], s(&["Överförmyndare", "Kansli"]));
    }

    #[test]
    fn invalid_utf8_after_a_bom_names_its_row() {
        let mut bytes = b"\xEF\xBB\xBFNamn\nA\nB\xFF\n".to_vec();
        bytes.extend(b"C\n");
        assert_eq!(
            read_table(&bytes, Format::Csv),
            Err(TableError::Encoding { row: 3 })
        );
    }

    #[test]
    fn garbage_and_wrong_formats_are_errors() {
        assert_eq!(read_table(b"", Format::Csv), Err(TableError::Empty));
        assert_eq!(read_table(b" \r\n\n", Format::Xlsx), Err(TableError::Empty));
        assert_eq!(
            read_table(b";;;\n;;\n", Format::Csv),
            Err(TableError::Empty)
        );
        let garbage: Vec<u8> = (0..2000u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert!(matches!(
            read_table(&garbage, Format::Csv),
            Err(TableError::Encoding { .. })
        ));
        assert!(matches!(
            read_table(&garbage, Format::Xlsx),
            Err(TableError::WrongFormat { .. })
        ));
        assert!(matches!(
            read_table(b"PK\x03\x04 not really a zip", Format::Xlsx),
            Err(TableError::Unreadable(_))
        ));
        let (h, rows) = sample();
        let xlsx = write_xlsx("x", &h, &rows).unwrap();
        assert!(matches!(
            read_table(&xlsx, Format::Csv),
            Err(TableError::WrongFormat { .. })
        ));
        assert!(matches!(
            read_table(&xlsx[..xlsx.len() / 2], Format::Xlsx),
            Err(TableError::Unreadable(_))
        ));
        let csv = write_csv(&h, &rows);
        assert!(matches!(
            read_table(&csv, Format::Xlsx),
            Err(TableError::WrongFormat { .. })
        ));
    }

    #[test]
    fn too_many_columns_is_an_error_not_an_allocation() {
        let line = vec!["x"; MAX_COLUMNS + 1].join(";");
        assert!(matches!(
            read_table(line.as_bytes(), Format::Csv),
            Err(TableError::TooLarge(_))
        ));
    }

    #[test]
    fn the_delimiter_is_taken_from_the_header() {
        assert_eq!(detect_delimiter("a;b;c\n1,5;2,5;3"), b';');
        assert_eq!(detect_delimiter("a,b,c\n1;2"), b',');
        assert_eq!(detect_delimiter("\"a;b\",c\n"), b',');
        assert_eq!(detect_delimiter("a\tb;c\tb\n"), b'\t');
        assert_eq!(detect_delimiter("Namn\n"), b';');
    }

    #[test]
    fn formats_parse_and_sniff() {
        assert_eq!(Format::parse("XLSX"), Some(Format::Xlsx));
        assert_eq!(Format::parse("csv"), Some(Format::Csv));
        assert_eq!(Format::parse("xls"), None);
        assert_eq!(
            Format::from_file_name("Register 2026.XLSX"),
            Some(Format::Xlsx)
        );
        assert_eq!(Format::from_file_name("register.csv"), Some(Format::Csv));
        assert_eq!(Format::from_file_name("register"), None);
        assert_eq!(Format::sniff(b"Namn;Enhet"), Format::Csv);
        assert_eq!(sheet_title("a/b:c*d?e[f]g\\h"), "a b c d e f g h");
        assert_eq!(sheet_title("''"), "Blad1");
        assert_eq!(sheet_title(&"x".repeat(40)).len(), 31);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Whatever the bytes, reading answers (no panic).
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let _ = read_table(&bytes, Format::Csv);
            let _ = read_table(&bytes, Format::Xlsx);
            let _ = Format::sniff(&bytes);
        }

        /// Text made of the characters CSV cares about.
        #[test]
        fn csv_like_text_never_panics(text in "[a-zåäö;,\"\t\r\n' =+-]{0,400}") {
            let _ = read_table(text.as_bytes(), Format::Csv);
        }

        /// A damaged XLSX file (bytes flipped or cut) is an error or a table, never a panic.
        #[test]
        fn damaged_xlsx_never_panics(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let (h, rows) = sample();
            let mut bytes = write_xlsx("x", &h, &rows).unwrap();
            for (at, b) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= b;
            }
            let _ = read_table(&bytes, Format::Xlsx);
            let _ = read_table(&bytes[..cut.index(bytes.len())], Format::Xlsx);
        }

        /// Any table of text survives both formats unchanged.
        #[test]
        fn tables_round_trip(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a-zA-ZåäöÅÄÖ0-9 ;,\"'\n=@-]{0,12}", 3),
                1..12,
            )
        ) {
            let headers = s(&["Namn", "Enhet", "Typ"]);
            // Surrounding blanks and blank rows are the reader's to normalise; keep them out.
            let rows: Vec<Vec<String>> = rows
                .into_iter()
                .map(|r| r.into_iter().map(|c| c.trim().to_owned()).collect::<Vec<_>>())
                .filter(|r| !Table::is_blank(r))
                .collect();
            prop_assume!(!rows.is_empty());
            let t = read_table(&write_csv(&headers, &rows), Format::Csv).unwrap();
            prop_assert_eq!(&t.rows, &rows);
            let t = read_table(&write_xlsx("t", &headers, &rows).unwrap(), Format::Xlsx).unwrap();
            prop_assert_eq!(&t.rows, &rows);
        }
    }
}
