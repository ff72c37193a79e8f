//! `/api/v1` endpoints for matters, tasks and their figures.

use crate::kernel::workflow::directives::{self, Directive, Giving, May};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extensions::{self, Extension, ExtensionDecision, ExtensionRequest};
use super::matters::{self, Matter, MatterFilter, MatterInput};
use super::need;
use super::stats::{self, Figures};
use super::tasks::{self, ProgressInput, Task, TaskFilter, TaskInput, Update, View};
use crate::kernel::access::Action;
use crate::kernel::attachments::{self, Attachment};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::list::{ListParams, Listed, Page};
use crate::kernel::web::{ApiJson, AppState, Can, Ctx, Q};
use crate::kernel::workflow::{self, Event, Fired};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_matters, create_matter))
        .routes(routes!(get_matter, update_matter))
        .routes(routes!(matter_transition))
        .routes(routes!(matter_directive))
        .routes(routes!(create_task))
        .merge(OpenApiRouter::new().routes(routes!(super::task_import::import_api)).layer(attachments::body_limit()))
        .routes(routes!(list_tasks))
        .routes(routes!(get_task))
        .routes(routes!(task_transition))
        .routes(routes!(task_progress))
        .routes(routes!(task_directive))
        .routes(routes!(reassign_task))
        .routes(routes!(co_part))
        .routes(routes!(research_report))
        .merge(OpenApiRouter::new().routes(routes!(task_attachment)).layer(attachments::body_limit()))
        .routes(routes!(download_attachment))
        .routes(routes!(request_extension))
        .routes(routes!(decide_extension))
        .routes(routes!(figures))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TransitionInput {
    /// The transition's id in the process definition, e.g. `accept`.
    pub transition: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/matters", tag = "coordination", params(ListParams, MatterFilter),
    responses((status = 200, body = Page<Matter>), (status = 403)))]
async fn list_matters(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<MatterFilter>,
) -> AppResult<Listed<Matter>> {
    let params = p.clone();
    let now = ctx.now;
    s.look(&ctx, Action::ViewCoordination, move |tx, u| {
        matters::list(tx, u.ok_or(AppError::Unauthenticated)?, &f, &p, now)
    })
    .await
    .map(|page| Listed { page, params, name: "matters" })
}

/// Open a matter top-down: a city leader or department head, for themselves or for a
/// decider below them, with the kickoff record.
#[utoipa::path(post, path = "/api/v1/matters", tag = "coordination", request_body = MatterInput,
    responses((status = 201, body = Matter), (status = 403), (status = 422)))]
async fn create_matter(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::OpenMatter>,
    ApiJson(input): ApiJson<MatterInput>,
) -> AppResult<(StatusCode, Json<Matter>)> {
    let user = ctx.user()?.clone();
    let process = s.processes.get("matter")?;
    let m =
        s.change(&ctx, Action::OpenMatter, move |tx, who| matters::create(tx, who, &user, &process, &input)).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatterDetail {
    #[serde(flatten)]
    pub matter: Matter,
    pub tasks: Vec<Task>,
    pub history: Vec<Event>,
    /// 批示 and 催办 on the matter, oldest first.
    pub directives: Vec<Directive>,
}

#[utoipa::path(get, path = "/api/v1/matters/{id}", tag = "coordination",
    responses((status = 200, body = MatterDetail), (status = 404)))]
async fn get_matter(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<MatterDetail>> {
    let v = View::of(&s, ctx.now)?;
    let now = ctx.now;
    s.look(&ctx, Action::ViewCoordination, move |tx, u| {
        let u = u.ok_or(AppError::Unauthenticated)?;
        let matter = matters::get(tx, u, id, now)?;
        let f = TaskFilter { matter_id: Some(id), scope: Some("matter".into()), ..Default::default() };
        let tasks = tasks::list(
            tx,
            u,
            &f,
            &ListParams { per: Some(200), sort: Some("deadline".into()), ..Default::default() },
            &v,
        )?
        .items;
        Ok(MatterDetail {
            matter,
            tasks,
            history: workflow::history(tx, "matter", id)?,
            directives: directives::on(tx, "matter", id)?,
        })
    })
    .await
    .map(Json)
}

#[utoipa::path(put, path = "/api/v1/matters/{id}", tag = "coordination", request_body = MatterInput,
    responses((status = 200, body = Matter), (status = 403), (status = 404)))]
async fn update_matter(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MatterInput>,
) -> AppResult<Json<Matter>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ViewCoordination, move |tx, who| matters::update(tx, who, &user, id, &input)).await.map(Json)
}

/// Close (all tasks must be done) or reopen a matter.
#[utoipa::path(post, path = "/api/v1/matters/{id}/transitions", tag = "coordination", request_body = TransitionInput,
    responses((status = 200, body = Fired), (status = 403), (status = 409)))]
async fn matter_transition(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TransitionInput>,
) -> AppResult<Json<Fired>> {
    let user = ctx.user()?.clone();
    let rules = s.rules(&super::MATTER)?;
    s.change(&ctx, Action::ViewCoordination, move |tx, who| {
        matters::transition(tx, who, &user, &rules, id, &input.transition, input.note.as_deref())
    })
    .await
    .map(Json)
}

/// Assign a task under a matter: one responsible person in the lead department, optional
/// co-departments, and a deadline as a date or as `working_days` from today.
#[utoipa::path(post, path = "/api/v1/matters/{id}/tasks", tag = "coordination", request_body = TaskInput,
    responses((status = 201, body = Task), (status = 403), (status = 422)))]
async fn create_task(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TaskInput>,
) -> AppResult<(StatusCode, Json<Task>)> {
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    let t =
        s.change(&ctx, Action::ViewCoordination, move |tx, who| tasks::create(tx, who, &user, id, &input, &v)).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[utoipa::path(get, path = "/api/v1/tasks", tag = "coordination", params(ListParams, TaskFilter),
    responses((status = 200, body = Page<Task>), (status = 403)))]
async fn list_tasks(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<TaskFilter>,
) -> AppResult<Listed<Task>> {
    let params = p.clone();
    let v = View::of(&s, ctx.now)?;
    s.look(&ctx, Action::ViewCoordination, move |tx, u| {
        tasks::list(tx, u.ok_or(AppError::Unauthenticated)?, &f, &p, &v)
    })
    .await
    .map(|page| Listed { page, params, name: "tasks" })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub task: Task,
    /// Transitions the caller may fire now.
    pub available: Vec<String>,
    pub history: Vec<Event>,
    pub updates: Vec<Update>,
    pub extensions: Vec<Extension>,
    pub attachments: Vec<Attachment>,
    /// 批示 and 催办 on the task, oldest first.
    pub directives: Vec<Directive>,
    /// Whether the caller may give them.
    pub may_direct: May,
    /// Each co-department's part of the feedback.
    pub co_parts: Vec<super::co_feedback::CoPart>,
    /// The co-department the caller gives the part of, if any.
    pub co_department_id: Option<i64>,
    /// A research task's report, once written.
    pub research_report: Option<super::research::Report>,
    /// Whether the caller may write or revise it now.
    pub may_write_report: bool,
}

pub fn detail(
    tx: &mut crate::kernel::db::Tx<'_>,
    u: &crate::kernel::access::CurrentUser,
    id: i64,
    v: &View,
) -> AppResult<TaskDetail> {
    let task = tasks::get(tx, u, id, v)?;
    let rel = tasks::relations(u, &task);
    let available = v.process.available(&task.state, &rel).iter().map(|t| t.id.clone()).collect();
    Ok(TaskDetail {
        available,
        directives: directives::on(tx, "task", id)?,
        may_direct: directives::may(&v.process, u, &rel, &task.state),
        co_parts: super::co_feedback::parts(tx, &task)?,
        co_department_id: super::co_feedback::department_of(u, &task).filter(|_| !v.process.is_final(&task.state)),
        research_report: super::research::of(tx, id)?,
        may_write_report: super::research::may_write(u, &task, v),
        history: workflow::history(tx, "task", id)?,
        updates: tasks::updates(tx, id)?,
        extensions: extensions::of_task(tx, id)?,
        attachments: attachments::of(tx, "task", id)?,
        task,
    })
}

/// A co-department's own part of the feedback (its staff and heads), replaced until the
/// task is finished.
#[utoipa::path(put, path = "/api/v1/tasks/{id}/co-feedback", tag = "coordination", request_body = super::co_feedback::CoPartInput,
    responses((status = 200, body = super::co_feedback::CoPart), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn co_part(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<super::co_feedback::CoPartInput>,
) -> AppResult<Json<super::co_feedback::CoPart>> {
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    s.change(&ctx, Action::ViewCoordination, move |tx, who| super::co_feedback::give(tx, who, &user, id, &input, &v))
        .await
        .map(Json)
}

/// A research task's report (研究报告): its background, conclusions one per line and
/// recommended measures, written by the responsible person and revised until it is sent
/// with the `submit_report` transition.
#[utoipa::path(put, path = "/api/v1/tasks/{id}/report", tag = "coordination", request_body = super::research::ReportInput,
    responses((status = 200, body = super::research::Report), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn research_report(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<super::research::ReportInput>,
) -> AppResult<Json<super::research::Report>> {
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    s.change(&ctx, Action::ViewCoordination, move |tx, who| super::research::write(tx, who, &user, id, &input, &v))
        .await
        .map(Json)
}

/// 改派: hand an open task to another person of the lead department (its head or the
/// deciding leader).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/reassign", tag = "coordination", request_body = super::reassign::ReassignInput,
    responses((status = 200, body = Task), (status = 403), (status = 404), (status = 422)))]
async fn reassign_task(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<super::reassign::ReassignInput>,
) -> AppResult<Json<Task>> {
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    s.change(&ctx, Action::ViewCoordination, move |tx, who| super::reassign::reassign(tx, who, &user, id, &input, &v))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/v1/matters/{id}/directives", tag = "coordination", request_body = Giving,
    responses((status = 201, body = Directive), (status = 403), (status = 404)))]
async fn matter_directive(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<Giving>,
) -> AppResult<(StatusCode, Json<Directive>)> {
    let user = ctx.user()?.clone();
    let process = s.processes.get("matter")?;
    let d = s
        .change(&ctx, Action::ViewCoordination, move |tx, who| matters::direct(tx, who, &user, &process, id, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(d)))
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/directives", tag = "coordination", request_body = Giving,
    responses((status = 201, body = Directive), (status = 403), (status = 404)))]
async fn task_directive(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<Giving>,
) -> AppResult<(StatusCode, Json<Directive>)> {
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    let d =
        s.change(&ctx, Action::ViewCoordination, move |tx, who| tasks::direct(tx, who, &user, id, &input, &v)).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "coordination", responses((status = 200, body = TaskDetail), (status = 404)))]
async fn get_task(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<TaskDetail>> {
    let v = View::of(&s, ctx.now)?;
    s.look(&ctx, Action::ViewCoordination, move |tx, u| detail(tx, u.ok_or(AppError::Unauthenticated)?, id, &v))
        .await
        .map(Json)
}

/// Fire a transition: accept, start, submit_feedback, approve, return, archive.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/transitions", tag = "coordination", request_body = TransitionInput,
    responses((status = 200, body = Fired), (status = 403), (status = 409), (status = 422)))]
async fn task_transition(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TransitionInput>,
) -> AppResult<Json<Fired>> {
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    s.change(&ctx, Action::ViewCoordination, move |tx, who| {
        tasks::transition(tx, who, &user, id, &input.transition, input.note.as_deref(), &v)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/progress", tag = "coordination", request_body = ProgressInput,
    responses((status = 201, body = Update), (status = 403), (status = 409)))]
async fn task_progress(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProgressInput>,
) -> AppResult<(StatusCode, Json<Update>)> {
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    let u = s
        .change(&ctx, Action::ViewCoordination, move |tx, who| tasks::report_progress(tx, who, &user, id, &input, &v))
        .await?;
    Ok((StatusCode::CREATED, Json(u)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileName {
    /// The file's name; its extension must match its content (pdf, png, jpg, docx, xlsx, txt, csv).
    pub filename: String,
}

/// Attach a file (the raw body, at most 10 MB) to a task.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/attachments", tag = "coordination", params(FileName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Attachment), (status = 403), (status = 413), (status = 422)))]
async fn task_attachment(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    Q(q): Q<FileName>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    let a = s
        .change(&ctx, Action::ViewCoordination, move |tx, who| attach(tx, who, &user, id, &q.filename, &body, &v))
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

pub fn attach(
    tx: &mut crate::kernel::db::Tx<'_>,
    who: &crate::kernel::audit::Who,
    user: &crate::kernel::access::CurrentUser,
    id: i64,
    name: &str,
    bytes: &[u8],
    v: &View,
) -> AppResult<Attachment> {
    let t = tasks::get(tx, user, id, v)?;
    if !tasks::may_attach(user, &t, &v.process) {
        return Err(AppError::Forbidden);
    }
    attachments::store(tx, who, "task", id, name, bytes)
}

/// Download an attachment of a record the caller may see.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "coordination",
    responses((status = 200, content_type = "application/octet-stream"), (status = 404)))]
async fn download_attachment(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let v = View::of(&s, ctx.now)?;
    let (a, bytes) = s
        .look(&ctx, Action::ViewCoordination, move |tx, u| {
            let u = u.ok_or(AppError::Unauthenticated)?;
            let a = attachments::find(tx, id)?;
            match a.owner_kind.as_str() {
                "task" => tasks::get(tx, u, a.owner_id, &v).map(|_| ())?,
                _ => return Err(AppError::NotFound),
            }
            let bytes = attachments::content(tx, id)?;
            Ok((a, bytes))
        })
        .await?;
    Ok(attachments::download(&a, bytes))
}

/// Ask for a later deadline, before the current one passes.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/extensions", tag = "coordination", request_body = ExtensionRequest,
    responses((status = 201, body = Extension), (status = 409), (status = 422)))]
async fn request_extension(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ExtensionRequest>,
) -> AppResult<(StatusCode, Json<Extension>)> {
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    let e = s
        .change(&ctx, Action::ViewCoordination, move |tx, who| extensions::request(tx, who, &user, id, &input, &v))
        .await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// Grant or refuse an extension (the deciding leader).
#[utoipa::path(post, path = "/api/v1/extensions/{id}/decision", tag = "coordination", request_body = ExtensionDecision,
    responses((status = 200, body = Extension), (status = 403), (status = 409)))]
async fn decide_extension(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewCoordination>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ExtensionDecision>,
) -> AppResult<Json<Extension>> {
    let user = ctx.user()?.clone();
    let v = View::of(&s, ctx.now)?;
    s.change(&ctx, Action::ViewCoordination, move |tx, who| extensions::decide(tx, who, &user, id, &input, &v))
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FigureQuery {
    /// `department` (default) or `person`.
    pub group: Option<String>,
    /// Count the tasks assigned in this period, beside the period before: `2019`,
    /// `2019-Q2`, `2019-04`, `2019-W15` or `2019-04-01~2019-04-30`. All tasks when empty.
    pub period: Option<String>,
}

/// On-time rate, overdue count and average cycle time per department or per person: of
/// all tasks (overdue as of the scheduler's last run), or of those assigned in a period
/// with the period before beside each group (`previous`).
#[utoipa::path(get, path = "/api/v1/coordination/figures", tag = "coordination", params(FigureQuery),
    responses((status = 200, body = Vec<Figures>), (status = 422)))]
async fn figures(State(s): State<AppState>, ctx: Ctx, Q(q): Q<FigureQuery>) -> AppResult<Json<Vec<Figures>>> {
    let group = q.group.unwrap_or_else(|| "department".into());
    let period = crate::kernel::web::period::asked(q.period.as_deref(), None, None)?;
    let running = s.rules(&super::TASK)?.process.timing.running.clone();
    let today = crate::kernel::clock::local_date(ctx.now).to_string();
    s.look(&ctx, Action::ViewCoordination, move |tx, u| {
        let scope = stats::Scope { period: period.as_ref(), today: &today, running: &running };
        stats::figures(tx, u.ok_or(AppError::Unauthenticated)?, &group, &scope)
    })
    .await
    .map(Json)
}
