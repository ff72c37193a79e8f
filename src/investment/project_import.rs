//! An investment-promotion bureau's existing project ledger, imported from a spreadsheet:
//! each row names the project, its enterprise (by name and credit code, gathered into the
//! registry), the event or platform by name, the amount in yuan, and the unit and person
//! responsible by name. The preview checks every row with the same rules as recording one
//! by hand; the import keeps all rows or none. Stages move afterwards, on the kernel.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::response::Response;
use axum::routing::{get, post};

use super::need;
use super::projects::{self, ProjectInput};
use crate::enterprises::registry::Named;
use crate::kernel::access::Action;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::import::{self, Column, Report, Row, Values};
use crate::kernel::web::form::Fields;
use crate::kernel::web::import::{ImportQuery, Importer, api_answer};
use crate::kernel::web::{AppState, Can, CsrfForm, Ctx, Q};
use crate::params;

pub const COLUMNS: [Column; 10] = [
    Column { key: "title", headings: &["项目名称", "项目", "title"], required: true },
    Column { key: "enterprise", headings: &["企业名称", "签约企业", "enterprise"], required: true },
    Column { key: "uscc", headings: &["统一社会信用代码", "信用代码", "uscc"], required: false },
    Column { key: "event", headings: &["招商活动", "活动", "event"], required: false },
    Column { key: "platform", headings: &["平台", "platform"], required: false },
    Column { key: "sector", headings: &["行业", "产业", "sector"], required: true },
    Column { key: "district", headings: &["区市", "落地区市", "district"], required: true },
    Column { key: "amount", headings: &["投资额（元）", "投资额", "amount"], required: true },
    Column { key: "department", headings: &["责任单位", "department"], required: true },
    Column { key: "responsible", headings: &["责任人", "responsible"], required: true },
];

const EXAMPLE: [&str; 10] = [
    "轨道交通装备产业园",
    "中国中车股份有限公司",
    "",
    "2019春季央企青岛行",
    "",
    "高端装备",
    "城阳区",
    "3200000000",
    "市商务局",
    "张三",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/investment/import", get(form_page).post(upload).layer(crate::kernel::attachments::body_limit()))
        .route("/investment/import/confirm", post(confirm))
        .route("/investment/import/template.xlsx", get(template))
}

fn cell<'a>(v: &'a Values, key: &str) -> &'a str {
    v.get(key).map_or("", String::as_str)
}

/// A record of `table` by its exact name, or an error naming what was written.
fn by_name(tx: &mut Tx<'_>, table: &str, written: &str, field: &'static str) -> AppResult<Option<i64>> {
    if written.is_empty() {
        return Ok(None);
    }
    let sql = format!("SELECT id FROM {table} WHERE name = $1 ORDER BY id DESC LIMIT 1");
    match tx.query_opt(&sql, params![written])? {
        Some(r) => Ok(Some(r.int(0)?)),
        None => Err(AppError::invalid_detail("import_unknown_reference", field, written)),
    }
}

/// A row as the project staff would record by hand.
fn project_of(tx: &mut Tx<'_>, v: &Values) -> AppResult<ProjectInput> {
    let written = cell(v, "department");
    let department = crate::org::departments::named(tx, written)?
        .ok_or_else(|| AppError::invalid_detail("import_unknown_department", "department_id", written))?;
    let name = cell(v, "responsible");
    let responsible = match crate::accounts::service::named_in(tx, department, name)?.as_slice() {
        [one] => *one,
        [] => return Err(AppError::invalid_detail("import_unknown_person", "responsible_id", name)),
        _ => return Err(AppError::invalid_detail("import_ambiguous_person", "responsible_id", name)),
    };
    Ok(ProjectInput {
        title: cell(v, "title").to_owned(),
        enterprise: Named {
            enterprise_name: cell(v, "enterprise").to_owned(),
            enterprise_uscc: cell(v, "uscc").to_owned(),
            ..Named::default()
        },
        event_id: by_name(tx, "events", cell(v, "event"), "event_id")?,
        platform_id: by_name(tx, "platforms", cell(v, "platform"), "platform_id")?,
        sector: cell(v, "sector").to_owned(),
        district: cell(v, "district").to_owned(),
        amount_yuan: serde_json::Value::String(cell(v, "amount").to_owned()),
        department_id: department,
        responsible_id: responsible,
        negotiating_on: String::new(),
    })
}

async fn import(s: &AppState, ctx: &Ctx, rows: Vec<Row>, dry_run: bool) -> AppResult<Report> {
    let (user, rules, lang) = (ctx.user()?.clone(), s.rules(&super::PROJECT)?, ctx.lang);
    s.change(ctx, Action::RecordInvestment, move |tx, who| {
        import::run(tx, &rows, dry_run, lang, |tx, values| {
            let input = project_of(tx, values)?;
            Ok(projects::create(tx, who, &user, &rules, &input)?.id)
        })
    })
    .await
}

/// Import projects from a spreadsheet (the raw body: Excel .xlsx, or CSV in UTF-8) whose
/// first row names the columns 项目名称, 企业名称, 统一社会信用代码, 招商活动, 平台, 行业, 区市,
/// 投资额（元）, 责任单位, 责任人. Every row or none is kept: with any row in error the answer
/// is 422 with each row's error, and nothing is kept.
#[utoipa::path(post, path = "/api/v1/investment/projects/import", tag = "investment", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = Report), (status = 403), (status = 413), (status = 422)))]
pub async fn import_api(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::RecordInvestment>,
    Q(q): Q<ImportQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let rows = import::read(&body, &COLUMNS)?;
    let report = import(&s, &ctx, rows, q.dry_run).await?;
    Ok(api_answer(report))
}

fn importer() -> Importer<'static> {
    Importer {
        title: "inv-import",
        hint: "inv-import-hint",
        columns: &COLUMNS,
        base: "/investment/import".to_owned(),
        record_page: "/investment/projects/",
        back: "/investment".to_owned(),
        section: super::project_pages::SECTION,
    }
}

async fn form_page(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::RecordInvestment)?;
    Ok(importer().form_page(&ctx))
}

async fn template(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::RecordInvestment)?;
    crate::kernel::web::import::template("projects-import-template", &COLUMNS, &EXAMPLE)
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
