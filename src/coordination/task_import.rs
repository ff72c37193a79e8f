//! A meeting's list of decisions, imported as tasks of a matter from a spreadsheet: each
//! row names the task, its lead department and responsible person by name, and a deadline
//! as a date or working days. A preview checks every row with the same rules as assigning
//! one task by hand; the import keeps all rows or none.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use super::need;
use super::tasks::{self, TaskInput, View};
use crate::kernel::access::Action;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::import::{self, Column, Report, Row, Values};
use crate::kernel::web::form::Fields;
use crate::kernel::web::import::{ImportQuery, Importer, api_answer};
use crate::kernel::web::layout::Section;
use crate::kernel::web::{AppState, Can, CsrfForm, Ctx, Q};

pub const COLUMNS: [Column; 8] = [
    Column { key: "title", headings: &["任务名称", "任务", "title"], required: true },
    Column { key: "description", headings: &["具体要求", "任务内容", "description"], required: false },
    Column { key: "lead_department", headings: &["牵头单位", "责任单位", "lead department"], required: true },
    Column { key: "assignee", headings: &["责任人", "assignee"], required: true },
    Column { key: "co_departments", headings: &["协办单位", "配合单位", "co_departments"], required: false },
    Column { key: "deadline", headings: &["办结期限", "期限", "deadline"], required: false },
    Column {
        key: "working_days", headings: &["办理时限（工作日）", "工作日", "working days"], required: false
    },
    Column { key: "kind", headings: &["任务类型", "类型", "kind"], required: false },
];

const EXAMPLE: [&str; 8] = [
    "梳理春季央企青岛行签约项目清单",
    "逐个明确项目责任人和落地时间",
    "市发展和改革委员会",
    "张三",
    "市商务局、市自然资源和规划局",
    "",
    "5",
    "执行落实",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/matters/{id}/import", get(form_page).post(upload).layer(crate::kernel::attachments::body_limit()))
        .route("/matters/{id}/import/confirm", post(confirm))
        .route("/matters/{id}/import/template.xlsx", get(template))
}

fn cell<'a>(v: &'a Values, key: &str) -> &'a str {
    v.get(key).map_or("", String::as_str)
}

/// A row as the task a leader would assign by hand.
fn task_of(tx: &mut Tx<'_>, v: &Values) -> AppResult<TaskInput> {
    let written = cell(v, "lead_department");
    let department = crate::org::departments::named(tx, written)?
        .ok_or_else(|| AppError::invalid_detail("import_unknown_department", "lead_department_id", written))?;
    let name = cell(v, "assignee");
    let assignee = match crate::accounts::service::named_in(tx, department, name)?.as_slice() {
        [one] => *one,
        [] => return Err(AppError::invalid_detail("import_unknown_person", "assignee_id", name)),
        _ => return Err(AppError::invalid_detail("import_ambiguous_person", "assignee_id", name)),
    };
    let mut co_department_ids = Vec::new();
    for written in
        cell(v, "co_departments").split(['、', ',', '，', ';', '；']).map(str::trim).filter(|s| !s.is_empty())
    {
        co_department_ids.push(
            crate::org::departments::named(tx, written)?
                .ok_or_else(|| AppError::invalid_detail("import_unknown_department", "co_department_ids", written))?,
        );
    }
    let kind = match cell(v, "kind") {
        "" | "执行" | "执行落实" | "execute" => "execute",
        "研究" | "研究论证" | "research" => "research",
        other => return Err(AppError::invalid_detail("bad_value", "kind", other)),
    };
    let working_days = match cell(v, "working_days") {
        "" => None,
        n => Some(n.parse::<i64>().map_err(|_| AppError::invalid_detail("bad_value", "working_days", n))?),
    };
    Ok(TaskInput {
        title: cell(v, "title").to_owned(),
        description: cell(v, "description").to_owned(),
        kind: kind.to_owned(),
        assignee_id: assignee,
        lead_department_id: department,
        co_department_ids,
        deadline: Some(cell(v, "deadline").to_owned()).filter(|d| !d.is_empty()),
        working_days,
    })
}

async fn import(s: &AppState, ctx: &Ctx, matter: i64, rows: Vec<Row>, dry_run: bool) -> AppResult<Report> {
    let user = ctx.user()?.clone();
    let v = View::of(s, ctx.now)?;
    let lang = ctx.lang;
    s.change(ctx, Action::ViewCoordination, move |tx, who| {
        import::run(tx, &rows, dry_run, lang, |tx, values| {
            let input = task_of(tx, values)?;
            Ok(tasks::create(tx, who, &user, matter, &input, &v)?.id)
        })
    })
    .await
}

/// Import a matter's tasks from a spreadsheet (the raw body: Excel .xlsx, or CSV in
/// UTF-8) whose first row names the columns 任务名称, 具体要求, 牵头单位, 责任人, 协办单位,
/// 办结期限 or 办理时限（工作日）, 任务类型. Every row or none is kept: with any row in error
/// the answer is 422 with each row's error, and nothing is kept.
#[utoipa::path(post, path = "/api/v1/matters/{id}/tasks/import", tag = "coordination", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = Report), (status = 403), (status = 413), (status = 422)))]
pub async fn import_api(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    Q(q): Q<ImportQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let rows = import::read(&body, &COLUMNS)?;
    let report = import(&s, &ctx, id, rows, q.dry_run).await?;
    Ok(api_answer(report))
}

fn importer(matter: i64) -> Importer<'static> {
    Importer {
        title: "co-import-tasks",
        hint: "co-import-tasks-hint",
        columns: &COLUMNS,
        base: format!("/matters/{matter}/import"),
        record_page: "/tasks/",
        back: format!("/matters/{matter}"),
        section: Section::Of("matters"),
    }
}

async fn form_page(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ViewCoordination)?;
    Ok(importer(id).form_page(&ctx))
}

async fn template(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ViewCoordination)?;
    crate::kernel::web::import::template("tasks-import-template", &COLUMNS, &EXAMPLE)
}

async fn upload(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>, form: Multipart) -> AppResult<Response> {
    let report = match importer(id).uploaded(&ctx, form).await? {
        Ok(rows) => import(&s, &ctx, id, rows, true).await,
        Err(e) => Err(e),
    };
    importer(id).outcome(&ctx, report)
}

async fn confirm(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let rows = Importer::confirmed(&form)?;
    let report = import(&s, &ctx, id, rows, false).await;
    importer(id).outcome(&ctx, report)
}
