//! One column spec per list: it draws the page's table (sortable headers, a label on
//! each cell for the phone layout) and writes the CSV or XLSX export, so the two cannot
//! drift apart. `respond` answers a list page with the page or, with `format=csv|xlsx`,
//! every matching row as a file.

use axum::response::Response;
use maud::{Markup, html};

use super::Ctx;
use super::layout;
use super::list::{ListParams, export, sort_header};
use crate::kernel::error::AppResult;

type Show<'a, T> = Box<dyn Fn(&T) -> Markup + 'a>;
type Text<'a, T> = Box<dyn Fn(&T) -> String + 'a>;
type RowClass<'a, T> = Box<dyn Fn(&T) -> &'static str + 'a>;

struct Column<'a, T> {
    /// Its name in the export; `None` for a column shown only.
    key: Option<&'static str>,
    label: String,
    /// The `sort` value that orders the list by it.
    sort: Option<&'static str>,
    show: Option<Show<'a, T>>,
    text: Option<Text<'a, T>>,
}

pub struct Table<'a, T> {
    columns: Vec<Column<'a, T>>,
    row_class: Option<RowClass<'a, T>>,
}

impl<'a, T> Default for Table<'a, T> {
    fn default() -> Self {
        Table { columns: Vec::new(), row_class: None }
    }
}

impl<'a, T> Table<'a, T> {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(
        mut self,
        key: Option<&'static str>,
        label: &str,
        show: Option<Show<'a, T>>,
        text: Option<Text<'a, T>>,
    ) -> Self {
        self.columns.push(Column { key, label: label.to_owned(), sort: None, show, text });
        self
    }

    /// A column shown and exported as the same text.
    pub fn text(self, key: &'static str, label: &str, text: impl Fn(&T) -> String + Clone + 'a) -> Self {
        let shown = text.clone();
        self.push(Some(key), label, Some(Box::new(move |row| html! { (shown(row)) })), Some(Box::new(text)))
    }

    /// A column drawn as markup on the page and exported as text.
    pub fn column(
        self,
        key: &'static str,
        label: &str,
        show: impl Fn(&T) -> Markup + 'a,
        text: impl Fn(&T) -> String + 'a,
    ) -> Self {
        self.push(Some(key), label, Some(Box::new(show)), Some(Box::new(text)))
    }

    /// A column on the page only (links, actions, badges that say what another column says).
    pub fn shown(self, label: &str, show: impl Fn(&T) -> Markup + 'a) -> Self {
        self.push(None, label, Some(Box::new(show)), None)
    }

    /// A column in the export only (long text the page shortens or leaves out).
    pub fn exported(self, key: &'static str, label: &str, text: impl Fn(&T) -> String + 'a) -> Self {
        self.push(Some(key), label, None, Some(Box::new(text)))
    }

    /// The list sorts by the last column added, with this `sort` value.
    pub fn sorts(mut self, sort: &'static str) -> Self {
        if let Some(last) = self.columns.last_mut() {
            last.sort = Some(sort);
        }
        self
    }

    /// A class for some rows (`inactive` greys a withdrawn record).
    pub fn row_class(mut self, class: impl Fn(&T) -> &'static str + 'a) -> Self {
        self.row_class = Some(Box::new(class));
        self
    }

    /// The table of `rows`, or `empty` when there are none.
    pub fn render(&self, ctx: &Ctx, p: &ListParams, extra: &[(&str, String)], rows: &[T], empty: &str) -> Markup {
        let shown: Vec<&Column<'a, T>> = self.columns.iter().filter(|c| c.show.is_some()).collect();
        html! {
            @if rows.is_empty() { (layout::empty_state(empty)) }
            @else {
                div.table-wrap { table.list {
                    thead { tr { @for c in &shown {
                        th { @if let Some(sort) = c.sort { (sort_header(ctx, p, extra, sort, &c.label)) } @else { (c.label) } }
                    } } }
                    tbody { @for row in rows { tr class=[self.row_class.as_ref().map(|c| c(row)).filter(|c| !c.is_empty())] {
                        @for c in &shown {
                            td data-label=(c.label) { div.cell { @if let Some(show) = &c.show { (show(row)) } } }
                        }
                    } } }
                } }
            }
        }
    }

    /// Every row as a file, in the columns that export, headed by their labels in the
    /// reader's language (the page's words, not the API's codes).
    pub fn export(&self, p: &ListParams, name: &str, rows: &[T]) -> AppResult<Response> {
        let exported: Vec<(&str, &Text<'a, T>)> = self
            .columns
            .iter()
            .filter(|c| c.key.is_some())
            .filter_map(|c| Some((c.label.as_str(), c.text.as_ref()?)))
            .collect();
        let header: Vec<&str> = exported.iter().map(|(label, _)| *label).collect();
        let cells = rows.iter().map(|row| exported.iter().map(|(_, text)| text(row)).collect()).collect();
        export(p, name, &header, cells)
    }
}

/// A list page: the page `page` builds around the table, or the export the caller asked for.
pub fn respond<T>(
    p: &ListParams,
    name: &str,
    table: &Table<'_, T>,
    rows: &[T],
    page: impl FnOnce() -> Response,
) -> AppResult<Response> {
    if p.is_export() { table.export(p, name, rows) } else { Ok(page()) }
}
