//! A hotline's export (12345 工单), imported as leads: each row is one citizen's report
//! with its category, place and contact, filed for a channel the importer's office may
//! file (the public channel unless a row says otherwise) with the same checks as filing
//! one by hand, and found again by its ticket number in the text. A preview checks every
//! row; the import keeps all rows or none.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::response::Response;
use axum::routing::{get, post};

use super::leads::{self, LeadInput};
use super::need;
use crate::kernel::access::Action;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::import::{self, Column, Report, Row, Values};
use crate::kernel::web::form::Fields;
use crate::kernel::web::import::{ImportQuery, Importer, api_answer};
use crate::kernel::web::layout::Section;
use crate::kernel::web::{AppState, Can, CsrfForm, Ctx, Q};

pub const COLUMNS: [Column; 8] = [
    Column { key: "ticket", headings: &["工单编号", "工单号", "ticket"], required: false },
    Column { key: "description", headings: &["诉求内容", "反映内容", "description"], required: true },
    Column { key: "category", headings: &["问题分类", "分类", "category"], required: true },
    Column { key: "address", headings: &["事发地址", "地址", "address"], required: false },
    Column { key: "lat", headings: &["纬度", "lat"], required: false },
    Column { key: "lon", headings: &["经度", "lon"], required: false },
    Column { key: "reporter_name", headings: &["来电人", "反映人", "name"], required: false },
    Column { key: "reporter_contact", headings: &["联系电话", "联系方式", "contact"], required: false },
];

const EXAMPLE: [&str; 8] = [
    "12345-20190410-0001",
    "企业开办材料被窗口退回三次，每次要求不同",
    "审批服务问题",
    "市南区香港中路 1 号",
    "36.0671",
    "120.3826",
    "张先生",
    "13800000000",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision/import", get(form_page).post(upload).layer(crate::kernel::attachments::body_limit()))
        .route("/supervision/import/confirm", post(confirm))
        .route("/supervision/import/template.xlsx", get(template))
}

fn cell<'a>(v: &'a Values, key: &str) -> &'a str {
    v.get(key).map_or("", String::as_str)
}

fn coordinate(v: &Values, key: &'static str) -> AppResult<Option<f64>> {
    match cell(v, key) {
        "" => Ok(None),
        n => n.parse::<f64>().map(Some).map_err(|_| AppError::invalid_detail("bad_value", key, n)),
    }
}

/// A row as the lead an office would file by hand.
fn lead_of(tx: &mut Tx<'_>, v: &Values) -> AppResult<LeadInput> {
    let written = cell(v, "category");
    let category = super::categories::named(tx, written)?
        .ok_or_else(|| AppError::invalid_detail("import_unknown_category", "category", written))?;
    let description = match cell(v, "ticket") {
        "" => cell(v, "description").to_owned(),
        ticket => format!("{}（工单 {ticket}）", cell(v, "description")),
    };
    Ok(LeadInput {
        channel: "public".to_owned(),
        category,
        description,
        address: cell(v, "address").to_owned(),
        lat: coordinate(v, "lat")?,
        lon: coordinate(v, "lon")?,
        reporter_name: cell(v, "reporter_name").to_owned(),
        reporter_contact: cell(v, "reporter_contact").to_owned(),
        reporter_confidential: false,
    })
}

async fn import(s: &AppState, ctx: &Ctx, rows: Vec<Row>, dry_run: bool) -> AppResult<Report> {
    let user = ctx.user()?.clone();
    let process = s.processes.get(super::LEAD.kind)?;
    let lang = ctx.lang;
    s.change(ctx, Action::ViewLeads, move |tx, who| {
        import::run(tx, &rows, dry_run, lang, |tx, values| {
            let input = lead_of(tx, values)?;
            Ok(leads::file_for_channel(tx, who, &user, &process, &input)?.id)
        })
    })
    .await
}

/// Import leads from a hotline's export (the raw body: Excel .xlsx, or CSV in UTF-8)
/// whose first row names the columns 工单编号, 诉求内容, 问题分类, 事发地址, 纬度, 经度, 来电人,
/// 联系电话. Every row or none is kept: with any row in error the answer is 422 with each
/// row's error, and nothing is kept.
#[utoipa::path(post, path = "/api/v1/leads/import", tag = "supervision", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = Report), (status = 403), (status = 413), (status = 422)))]
pub async fn import_api(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewLeads>,
    Q(q): Q<ImportQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let rows = import::read(&body, &COLUMNS)?;
    let report = import(&s, &ctx, rows, q.dry_run).await?;
    Ok(api_answer(report))
}

fn importer() -> Importer<'static> {
    Importer {
        title: "sv-import-leads",
        hint: "sv-import-leads-hint",
        columns: &COLUMNS,
        base: "/supervision/import".to_owned(),
        record_page: "/supervision/leads/",
        back: "/supervision".to_owned(),
        section: Section::Of("supervision"),
    }
}

async fn form_page(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ViewLeads)?;
    Ok(importer().form_page(&ctx))
}

async fn template(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ViewLeads)?;
    crate::kernel::web::import::template("hotline-import-template", &COLUMNS, &EXAMPLE)
}

async fn upload(State(s): State<AppState>, ctx: Ctx, form: Multipart) -> AppResult<Response> {
    let report = match importer().uploaded(&ctx, form).await? {
        Ok(rows) => import(&s, &ctx, rows, true).await,
        Err(e) => Err(e),
    };
    importer().outcome(&ctx, report)
}

async fn confirm(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let rows = Importer::confirmed(&form)?;
    let report = import(&s, &ctx, rows, false).await;
    importer().outcome(&ctx, report)
}
