//! Contacts gathered from a spreadsheet (event sign-in sheets, visit logs, platform
//! referrals): each row is one enterprise; a row whose credit code is already recorded
//! fills in what that record lacks, the rest become new records (likely duplicates among
//! them are then proposed for merging). A preview checks every row; the import keeps all
//! rows or none.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::response::Response;
use axum::routing::{get, post};

use super::registry::{self, EnterpriseInput};
use crate::kernel::access::Action;
use crate::kernel::error::AppResult;
use crate::kernel::import::{self, Column, Report, Row, Values};
use crate::kernel::web::form::Fields;
use crate::kernel::web::import::{ImportQuery, Importer, api_answer};
use crate::kernel::web::layout::Section;
use crate::kernel::web::need;
use crate::kernel::web::{AppState, Can, CsrfForm, Ctx, Q};

pub const COLUMNS: [Column; 10] = [
    Column { key: "name", headings: &["企业名称", "单位名称", "name"], required: true },
    Column { key: "uscc", headings: &["统一社会信用代码", "信用代码", "uscc"], required: false },
    Column { key: "legal_representative", headings: &["法定代表人", "legal representative"], required: false },
    Column { key: "contact_name", headings: &["联系人", "contact"], required: false },
    Column { key: "contact_phone", headings: &["联系电话", "电话", "phone"], required: false },
    Column { key: "industry", headings: &["行业", "industry"], required: false },
    Column { key: "size", headings: &["规模", "size"], required: false },
    Column { key: "district", headings: &["区（市）", "区市", "district"], required: false },
    Column { key: "registered_on", headings: &["成立日期", "registered on"], required: false },
    Column { key: "address", headings: &["地址", "address"], required: false },
];

const EXAMPLE: [&str; 10] = [
    "青岛某智能装备有限公司",
    "91370200163562681G",
    "张三",
    "李四",
    "13800000000",
    "高端装备",
    "中型",
    "黄岛区",
    "2015-06-01",
    "黄岛区长江路 1 号",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enterprises/import", get(form_page).post(upload).layer(crate::kernel::attachments::body_limit()))
        .route("/enterprises/import/confirm", post(confirm))
        .route("/enterprises/import/template.xlsx", get(template))
}

fn cell(v: &Values, key: &str) -> String {
    v.get(key).cloned().unwrap_or_default()
}

/// A row as the record it describes; sizes may be written in Chinese.
fn input_of(v: &Values) -> EnterpriseInput {
    let size = match cell(v, "size").as_str() {
        "大型" => "large".to_owned(),
        "中型" => "medium".to_owned(),
        "小型" => "small".to_owned(),
        "微型" => "micro".to_owned(),
        other => other.to_owned(),
    };
    EnterpriseInput {
        uscc: cell(v, "uscc"),
        name: cell(v, "name"),
        legal_representative: cell(v, "legal_representative"),
        contact_name: cell(v, "contact_name"),
        contact_phone: cell(v, "contact_phone"),
        industry: cell(v, "industry"),
        size,
        district: cell(v, "district"),
        registered_on: cell(v, "registered_on"),
        address: cell(v, "address"),
        source: "import".to_owned(),
    }
}

async fn run(s: &AppState, ctx: &Ctx, rows: Vec<Row>, dry_run: bool) -> AppResult<Report> {
    let lang = ctx.lang;
    s.change(ctx, Action::ManageEnterprises, move |tx, who| {
        import::run(tx, &rows, dry_run, lang, |tx, values| Ok(registry::gather(tx, who, &input_of(values))?.id))
    })
    .await
}

/// Gather enterprises from a spreadsheet (the raw body: Excel .xlsx, or CSV in UTF-8)
/// whose first row names the columns 企业名称, 统一社会信用代码, 法定代表人, 联系人, 联系电话,
/// 行业, 规模, 区（市）, 成立日期, 地址. A row with a recorded credit code fills in what that
/// record lacks. Every row or none is kept: with any row in error the answer is 422.
#[utoipa::path(post, path = "/api/v1/enterprises/import", tag = "enterprises", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = Report), (status = 403), (status = 413), (status = 422)))]
pub async fn import_api(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageEnterprises>,
    Q(q): Q<ImportQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let rows = import::read(&body, &COLUMNS)?;
    Ok(api_answer(run(&s, &ctx, rows, q.dry_run).await?))
}

fn importer() -> Importer<'static> {
    Importer {
        title: "ent-import",
        hint: "ent-import-hint",
        columns: &COLUMNS,
        base: "/enterprises/import".to_owned(),
        record_page: "/enterprises/",
        back: "/enterprises".to_owned(),
        section: Section::Of("enterprises"),
    }
}

async fn form_page(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageEnterprises)?;
    Ok(importer().form_page(&ctx))
}

async fn template(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageEnterprises)?;
    crate::kernel::web::import::template("enterprises-import-template", &COLUMNS, &EXAMPLE)
}

async fn upload(State(s): State<AppState>, ctx: Ctx, form: Multipart) -> AppResult<Response> {
    let report = match importer().uploaded(&ctx, form).await? {
        Ok(rows) => run(&s, &ctx, rows, true).await,
        Err(e) => Err(e),
    };
    importer().outcome(&ctx, report)
}

async fn confirm(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let rows = Importer::confirmed(&form)?;
    let report = run(&s, &ctx, rows, false).await;
    importer().outcome(&ctx, report)
}
