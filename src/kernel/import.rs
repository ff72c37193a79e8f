//! Importing records from a spreadsheet (Excel .xlsx, or CSV in UTF-8): the first row
//! names the columns, each later row is one record. Every row is tried in a savepoint of
//! one transaction, so a preview shows each row's own error in plain words, and an import
//! with any error — or a preview — leaves nothing behind: all rows or none.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use serde::{Deserialize, Serialize};

use super::db::Tx;
use super::error::{AppError, AppResult};
use super::i18n::{self, Lang};

/// Rows read from one file at most.
pub const MAX_ROWS: usize = 2000;

/// A column the importer reads: its key, the headings that name it (Chinese first), and
/// whether every file must have it.
pub struct Column {
    pub key: &'static str,
    pub headings: &'static [&'static str],
    pub required: bool,
}

/// One row's values by column key.
pub type Values = BTreeMap<String, String>;

/// A row with its line number in the file (the heading is line 1).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Row {
    pub line: usize,
    pub values: Values,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub code: String,
    pub field: Option<String>,
    /// In the reader's language, with what was wrong.
    pub message: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowResult {
    pub line: usize,
    pub values: Values,
    /// The record made (none in a preview, or when anything failed).
    pub id: Option<i64>,
    pub error: Option<RowError>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// A preview: checked, nothing kept.
    pub dry_run: bool,
    /// Records kept: every row, or none.
    pub imported: usize,
    pub failed: usize,
    pub rows: Vec<RowResult>,
}

fn bad(code: &'static str, detail: impl Into<String>) -> AppError {
    AppError::invalid_detail(code, "file", detail)
}

/// Read the rows of an uploaded file against `columns`.
pub fn read(bytes: &[u8], columns: &[Column]) -> AppResult<Vec<Row>> {
    let table = if bytes.starts_with(b"PK\x03\x04") { xlsx_cells(bytes)? } else { csv_cells(bytes)? };
    let mut lines = table.into_iter().enumerate().filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, headings)) = lines.next() else { return Err(bad("import_empty", "")) };
    let heading = |h: &str| h.trim().trim_start_matches('*').trim().to_lowercase();
    let mut at = Vec::new();
    for c in columns {
        match headings.iter().position(|h| c.headings.iter().any(|name| heading(h) == name.to_lowercase())) {
            Some(i) => at.push((c.key, i)),
            None if c.required => return Err(bad("import_missing_column", c.headings[0])),
            None => {}
        }
    }
    let mut rows = Vec::new();
    for (i, cells) in lines {
        if rows.len() == MAX_ROWS {
            return Err(bad("import_too_many_rows", MAX_ROWS.to_string()));
        }
        let values = at
            .iter()
            .map(|(key, col)| ((*key).to_owned(), cells.get(*col).map_or("", |v| v.trim()).to_owned()))
            .collect();
        rows.push(Row { line: i + 1, values });
    }
    if rows.is_empty() {
        return Err(bad("import_empty", ""));
    }
    Ok(rows)
}

fn xlsx_cells(bytes: &[u8]) -> AppResult<Vec<Vec<String>>> {
    let unreadable = |_| bad("import_unreadable", "");
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).map_err(unreadable)?;
    let range =
        book.worksheet_range_at(0).ok_or_else(|| bad("import_empty", ""))?.map_err(|_| bad("import_unreadable", ""))?;
    Ok(range.rows().map(|r| r.iter().map(cell_text).collect()).collect())
}

/// A cell as a person reads it: dates as YYYY-MM-DD, whole numbers without ".0".
fn cell_text(c: &Data) -> String {
    match c {
        Data::DateTime(_) | Data::DateTimeIso(_) => c.as_date().map(|d| d.to_string()).unwrap_or_else(|| c.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Empty | Data::Error(_) => String::new(),
        other => other.to_string(),
    }
}

fn csv_cells(bytes: &[u8]) -> AppResult<Vec<Vec<String>>> {
    let text = std::str::from_utf8(bytes).map_err(|_| bad("import_not_utf8", ""))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()).map_err(|_| bad("import_unreadable", "")))
        .collect()
}

/// Make one record from each row with `each`, in savepoints of this transaction. On a
/// preview, or if any row fails, every row is undone and the report says why each failed.
/// A refusal that is not the row's fault (forbidden, not found) stops the import.
pub fn run(
    tx: &mut Tx<'_>,
    rows: &[Row],
    dry_run: bool,
    lang: Lang,
    mut each: impl FnMut(&mut Tx<'_>, &Values) -> AppResult<i64>,
) -> AppResult<Report> {
    if rows.is_empty() || rows.len() > MAX_ROWS {
        return Err(bad("import_empty", ""));
    }
    tx.execute("SAVEPOINT import_all", &[])?;
    let mut results = Vec::with_capacity(rows.len());
    for row in rows {
        tx.execute("SAVEPOINT import_row", &[])?;
        let (id, error) = match each(tx, &row.values) {
            Ok(id) => (Some(id), None),
            Err(e) if !matches!(e, AppError::Invalid { .. } | AppError::Conflict { .. }) => {
                // Not the row's fault (refused, not found, the database): nothing is kept.
                tx.execute("ROLLBACK TO SAVEPOINT import_all", &[])?;
                tx.execute("RELEASE SAVEPOINT import_all", &[])?;
                return Err(e);
            }
            Err(e) => {
                tx.execute("ROLLBACK TO SAVEPOINT import_row", &[])?;
                let mut message = i18n::t(lang, e.code()).to_owned();
                if let Some(d) = e.detail().filter(|d| !d.is_empty()) {
                    message = format!("{message}（{d}）");
                }
                (None, Some(RowError { code: e.code().to_owned(), field: e.field().map(str::to_owned), message }))
            }
        };
        tx.execute("RELEASE SAVEPOINT import_row", &[])?;
        results.push(RowResult { line: row.line, values: row.values.clone(), id, error });
    }
    let failed = results.iter().filter(|r| r.error.is_some()).count();
    let keep = !dry_run && failed == 0;
    if !keep {
        tx.execute("ROLLBACK TO SAVEPOINT import_all", &[])?;
        for r in &mut results {
            r.id = None;
        }
    }
    tx.execute("RELEASE SAVEPOINT import_all", &[])?;
    Ok(Report { dry_run, imported: if keep { results.len() } else { 0 }, failed, rows: results })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: [Column; 2] = [
        Column { key: "title", headings: &["任务名称", "title"], required: true },
        Column { key: "deadline", headings: &["办结期限", "deadline"], required: false },
    ];

    #[test]
    fn a_csv_is_read_by_its_headings() {
        let rows =
            read("\u{feff}序号,任务名称,办结期限\n1,梳理项目清单,2019-04-30\n,,\n2, 对接央企 ,\n".as_bytes(), &COLUMNS)
                .unwrap();
        assert_eq!(rows.len(), 2, "the empty line is skipped");
        assert_eq!((rows[0].line, rows[0].values["title"].as_str()), (2, "梳理项目清单"));
        assert_eq!(
            (rows[1].line, rows[1].values["title"].as_str(), rows[1].values["deadline"].as_str()),
            (4, "对接央企", "")
        );
    }

    #[test]
    fn an_xlsx_is_read_with_its_dates() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "* 任务名称").unwrap();
        sheet.write_string(0, 1, "办结期限").unwrap();
        sheet.write_string(1, 0, "梳理项目清单").unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 4, 30).unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_datetime_with_format(1, 1, &date, &format).unwrap();
        sheet.write_number(2, 0, 12.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let rows = read(&bytes, &COLUMNS).unwrap();
        assert_eq!(rows[0].values["deadline"], "2019-04-30");
        assert_eq!(rows[1].values["title"], "12");
    }

    #[test]
    fn what_cannot_be_read_is_said() {
        let code = |bytes: &[u8]| read(bytes, &COLUMNS).unwrap_err().code();
        assert_eq!(code("办结期限\n2019-04-30\n".as_bytes()), "import_missing_column");
        assert_eq!(code(b"\xff\xfe\x00"), "import_not_utf8");
        assert_eq!(code("任务名称\n".as_bytes()), "import_empty");
        assert_eq!(code(b"PK\x03\x04 not really a workbook"), "import_unreadable");
        let many = format!("任务名称\n{}", "x\n".repeat(MAX_ROWS + 1));
        assert_eq!(code(many.as_bytes()), "import_too_many_rows");
    }
}
