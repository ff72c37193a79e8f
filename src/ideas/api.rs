//! `/api/v1/ideas/…`: ideas and their versions, the division's decisions, commissions,
//! reports and declared ties, the criteria, support packages, the figures; and the public
//! list of adopted packages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::commissions::{
    self, Commission, CommissionInput, Criteria, CriteriaInput, Evaluator, RecuseInput, ReportInput,
};
use super::figures::{self, Figures};
use super::idea::{self, Difference, Idea, IdeaFilter, IdeaInput, Opened, Version};
use super::need;
use super::packages::{self, Approval, Package, PackageFilter, PackageInput, PublicPackage};
use crate::enterprises::ties::{self, DeclaredTie, TieInput};
use crate::kernel::access::{Action, CurrentUser, Role};
use crate::kernel::attachments::{self, Attachment};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::list::{ListParams, Listed, Page};
use crate::kernel::web::{ApiJson, AppState, Can, Ctx, Q, period};
use crate::kernel::workflow::Rules;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_ideas, create_idea))
        .routes(routes!(get_idea, update_idea))
        .routes(routes!(submit_idea))
        .routes(routes!(decide))
        .routes(routes!(commission))
        .routes(routes!(report))
        .routes(routes!(recuse))
        .merge(OpenApiRouter::new().routes(routes!(attach)).layer(attachments::body_limit()))
        .routes(routes!(download))
        .routes(routes!(evaluators))
        .routes(routes!(my_ties, declare_tie))
        .routes(routes!(criteria, publish_criteria))
        .routes(routes!(list_packages, create_package))
        .routes(routes!(get_package, update_package))
        .routes(routes!(transition_package))
        .routes(routes!(figures_of))
        .routes(routes!(public_packages))
}

/// The changes a submitted version made to the one before.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Changes {
    pub version: i64,
    pub differences: Vec<Difference>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = IdeaDetail)]
pub struct Detail {
    #[serde(flatten)]
    pub idea: Idea,
    /// The caller's relations to the idea (`enterprise`, `division`, `evaluator`…).
    pub relations: Vec<String>,
    /// The transitions the caller may fire by hand.
    pub may: Vec<String>,
    pub versions: Vec<Version>,
    pub changes: Vec<Changes>,
    /// An evaluator sees its own institution's only.
    pub commissions: Vec<Commission>,
    pub attachments: Vec<Attachment>,
    /// Who opened the idea and its reports: for the division head, leaders and the
    /// administrator.
    pub opens: Option<Vec<Opened>>,
}

/// An idea as the caller may see it; opening it (and a report) is recorded.
pub fn detail(tx: &mut Tx<'_>, user: &CurrentUser, rules: &Rules, id: i64, now: i64) -> AppResult<Detail> {
    let (idea, relations) = idea::get(tx, user, rules, id, now)?;
    let commissions = commissions::visible_to(tx, user, id)?;
    idea::opened(tx, user, id, "idea", now)?;
    if commissions.iter().any(|c| c.state == "reported") {
        idea::opened(tx, user, id, "report", now)?;
    }
    let versions = idea::versions(tx, id)?;
    let changes = versions
        .windows(2)
        .map(|w| Changes { version: w[1].version, differences: idea::differences(&w[0].snapshot, &w[1].snapshot) })
        .collect();
    let sees_opens = relations.contains(&"division_head") || user.role == Role::Leader;
    let opens = if sees_opens { Some(idea::opens(tx, id)?) } else { None };
    let may = rules
        .process
        .available(&idea.state, &relations)
        .iter()
        .filter(|t| idea::BY_HAND.contains(&t.id.as_str()))
        .map(|t| t.id.clone())
        .collect();
    Ok(Detail {
        attachments: attachments::of(tx, "idea", id)?,
        idea,
        relations: relations.iter().map(|r| (*r).to_owned()).collect(),
        may,
        versions,
        changes,
        commissions,
        opens,
    })
}

#[utoipa::path(get, path = "/api/v1/ideas", tag = "ideas", params(ListParams, IdeaFilter),
    responses((status = 200, body = Page<Idea>), (status = 403)))]
async fn list_ideas(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewIdeas>,
    Q(p): Q<ListParams>,
    Q(f): Q<IdeaFilter>,
) -> AppResult<Listed<Idea>> {
    let (rules, params, now, user) = (s.rules(&super::IDEA)?, p.clone(), ctx.now, ctx.user()?.clone());
    let page = s.look(&ctx, Action::ViewIdeas, move |tx, _| idea::list(tx, &user, &rules, &f, &p, now)).await?;
    Ok(Listed { page, params, name: "ideas" })
}

/// Save a new idea as a draft (an enterprise's account, for its own enterprise).
#[utoipa::path(post, path = "/api/v1/ideas", tag = "ideas", request_body = IdeaInput,
    responses((status = 201, body = Idea), (status = 403), (status = 409), (status = 422)))]
async fn create_idea(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::SubmitIdeas>,
    ApiJson(input): ApiJson<IdeaInput>,
) -> AppResult<(StatusCode, Json<Idea>)> {
    let (rules, user) = (s.rules(&super::IDEA)?, ctx.user()?.clone());
    let idea = s.change(&ctx, Action::SubmitIdeas, move |tx, who| idea::create(tx, who, &user, &rules, &input)).await?;
    Ok((StatusCode::CREATED, Json(idea)))
}

/// An idea with its versions and their differences, its commissions and reports.
#[utoipa::path(get, path = "/api/v1/ideas/{id}", tag = "ideas",
    responses((status = 200, body = Detail), (status = 403), (status = 404)))]
async fn get_idea(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewIdeas>,
    Path(id): Path<i64>,
) -> AppResult<Json<Detail>> {
    let (rules, now, user) = (s.rules(&super::IDEA)?, ctx.now, ctx.user()?.clone());
    s.change(&ctx, Action::ViewIdeas, move |tx, _| detail(tx, &user, &rules, id, now)).await.map(Json)
}

/// Change an idea: while it is a draft, or after the division asked for more.
#[utoipa::path(put, path = "/api/v1/ideas/{id}", tag = "ideas", request_body = IdeaInput,
    responses((status = 200, body = Idea), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn update_idea(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::SubmitIdeas>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<IdeaInput>,
) -> AppResult<Json<Idea>> {
    let (rules, user) = (s.rules(&super::IDEA)?, ctx.user()?.clone());
    s.change(&ctx, Action::SubmitIdeas, move |tx, who| idea::update(tx, who, &user, &rules, id, &input)).await.map(Json)
}

/// Submit the draft (or resubmit after a request for more): a new numbered version.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/submit", tag = "ideas",
    responses((status = 200, body = Idea), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn submit_idea(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::SubmitIdeas>,
    Path(id): Path<i64>,
) -> AppResult<Json<Idea>> {
    let (rules, user) = (s.rules(&super::IDEA)?, ctx.user()?.clone());
    s.change(&ctx, Action::SubmitIdeas, move |tx, who| idea::submit(tx, who, &user, &rules, id)).await.map(Json)
}

/// The division's decision on an idea.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/decisions", tag = "ideas", request_body = idea::Decision,
    responses((status = 200, body = Idea), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn decide(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::HandleIdeas>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<idea::Decision>,
) -> AppResult<Json<Idea>> {
    let (rules, user) = (s.rules(&super::IDEA)?, ctx.user()?.clone());
    s.change(&ctx, Action::HandleIdeas, move |tx, who| idea::decide(tx, who, &user, &rules, id, &input)).await.map(Json)
}

/// Commission an evaluator institution, by a deadline in working days. Refused with the
/// reasons when it is tied to the enterprise.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/commissions", tag = "ideas", request_body = CommissionInput,
    responses((status = 201, body = Commission), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn commission(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::HandleIdeas>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CommissionInput>,
) -> AppResult<(StatusCode, Json<Commission>)> {
    let (rules, user, lang) = (s.rules(&super::IDEA)?, ctx.user()?.clone(), ctx.lang);
    let c = s
        .change(&ctx, Action::HandleIdeas, move |tx, who| {
            commissions::commission(tx, who, &user, &rules, id, &input, lang)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// The evaluator's report: feasibility, a score per criterion, reasoning, conditions and
/// an opinion on every item asked for.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/report", tag = "ideas", request_body = ReportInput,
    responses((status = 200, body = Commission), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn report(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::EvaluateIdeas>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReportInput>,
) -> AppResult<Json<Commission>> {
    let (rules, user) = (s.rules(&super::IDEA)?, ctx.user()?.clone());
    s.change(&ctx, Action::EvaluateIdeas, move |tx, who| commissions::report(tx, who, &user, &rules, id, &input))
        .await
        .map(Json)
}

/// The evaluator declares a tie to the enterprise and steps aside.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/recuse", tag = "ideas", request_body = RecuseInput,
    responses((status = 200, body = Idea), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn recuse(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::EvaluateIdeas>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RecuseInput>,
) -> AppResult<Json<Idea>> {
    let (rules, user) = (s.rules(&super::IDEA)?, ctx.user()?.clone());
    s.change(&ctx, Action::EvaluateIdeas, move |tx, who| commissions::recuse(tx, who, &user, &rules, id, &input))
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileName {
    pub filename: String,
}

/// Attach a file to an idea the enterprise may still change (the raw bytes as the body).
#[utoipa::path(post, path = "/api/v1/ideas/{id}/attachments", tag = "ideas", params(FileName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Attachment), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn attach(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::SubmitIdeas>,
    Path(id): Path<i64>,
    Query(q): Query<FileName>,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    let (rules, user) = (s.rules(&super::IDEA)?, ctx.user()?.clone());
    let a = s
        .change(&ctx, Action::SubmitIdeas, move |tx, who| attach_file(tx, who, &user, &rules, id, &q.filename, &body))
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

pub fn attach_file(
    tx: &mut Tx<'_>,
    who: &crate::kernel::audit::Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    name: &str,
    bytes: &[u8],
) -> AppResult<Attachment> {
    let (idea, relations) = idea::get(tx, user, rules, id, who.now)?;
    if !relations.contains(&"enterprise") {
        return Err(AppError::Forbidden);
    }
    if !matches!(idea.state.as_str(), "draft" | "more_requested") {
        return Err(AppError::Conflict { code: "idea_locked", field: None });
    }
    attachments::store(tx, who, "idea", id, name, bytes)
}

/// Download a file of an idea the caller may see.
#[utoipa::path(get, path = "/api/v1/ideas/attachments/{id}", tag = "ideas",
    responses((status = 200, content_type = "application/octet-stream"), (status = 404)))]
async fn download(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewIdeas>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let (a, bytes) = s
        .look(&ctx, Action::ViewIdeas, move |tx, _| {
            let a = attachments::find(tx, id)?;
            if a.owner_kind != "idea" || !idea::may_see(tx, &user, a.owner_id)? {
                return Err(AppError::NotFound);
            }
            let bytes = attachments::content(tx, id)?;
            Ok((a, bytes))
        })
        .await?;
    Ok(attachments::download(&a, bytes))
}

/// The evaluator institutions, with their open and reported commissions.
#[utoipa::path(get, path = "/api/v1/ideas/evaluators", tag = "ideas",
    responses((status = 200, body = Vec<Evaluator>), (status = 403)))]
async fn evaluators(State(s): State<AppState>, Can(ctx, _): Can<need::HandleIdeas>) -> AppResult<Json<Vec<Evaluator>>> {
    s.look(&ctx, Action::HandleIdeas, |tx, _| commissions::evaluators(tx)).await.map(Json)
}

fn own_institution(tx: &mut Tx<'_>, user: &CurrentUser) -> AppResult<i64> {
    idea::organisation_of(tx, user)?.ok_or_else(|| AppError::conflict("no_enterprise_linked"))
}

/// The ties the caller's institution has declared.
#[utoipa::path(get, path = "/api/v1/ideas/ties", tag = "ideas",
    responses((status = 200, body = Vec<DeclaredTie>), (status = 403), (status = 409)))]
async fn my_ties(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::EvaluateIdeas>,
) -> AppResult<Json<Vec<DeclaredTie>>> {
    let user = ctx.user()?.clone();
    s.look(&ctx, Action::EvaluateIdeas, move |tx, _| {
        let org = own_institution(tx, &user)?;
        ties::declared(tx, org)
    })
    .await
    .map(Json)
}

/// Declare a tie of the caller's institution to an enterprise (ownership, shared people,
/// a contract): no idea of that enterprise is commissioned to it while the tie holds.
#[utoipa::path(post, path = "/api/v1/ideas/ties", tag = "ideas", request_body = TieInput,
    responses((status = 201, body = DeclaredTie), (status = 403), (status = 409), (status = 422)))]
async fn declare_tie(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::EvaluateIdeas>,
    ApiJson(input): ApiJson<TieInput>,
) -> AppResult<(StatusCode, Json<DeclaredTie>)> {
    let user = ctx.user()?.clone();
    let t = s
        .change(&ctx, Action::EvaluateIdeas, move |tx, who| {
            let org = own_institution(tx, &user)?;
            ties::declare(tx, who, org, &input)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// The published evaluation criteria and weights, every version, newest first.
#[utoipa::path(get, path = "/api/v1/ideas/criteria", tag = "ideas",
    responses((status = 200, body = Vec<Criteria>), (status = 403)))]
async fn criteria(State(s): State<AppState>, Can(ctx, _): Can<need::ViewIdeas>) -> AppResult<Json<Vec<Criteria>>> {
    s.look(&ctx, Action::ViewIdeas, |tx, _| commissions::criteria_versions(tx)).await.map(Json)
}

/// Publish a new version of the criteria (the weights add up to 100).
#[utoipa::path(post, path = "/api/v1/ideas/criteria", tag = "ideas", request_body = CriteriaInput,
    responses((status = 201, body = Criteria), (status = 403), (status = 422)))]
async fn publish_criteria(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::PublishCriteria>,
    ApiJson(input): ApiJson<CriteriaInput>,
) -> AppResult<(StatusCode, Json<Criteria>)> {
    let c =
        s.change(&ctx, Action::PublishCriteria, move |tx, who| commissions::publish_criteria(tx, who, &input)).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[utoipa::path(get, path = "/api/v1/ideas/packages", tag = "ideas", params(ListParams, PackageFilter),
    responses((status = 200, body = Page<Package>), (status = 403)))]
async fn list_packages(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewIdeas>,
    Q(p): Q<ListParams>,
    Q(f): Q<PackageFilter>,
) -> AppResult<Listed<Package>> {
    let (params, user) = (p.clone(), ctx.user()?.clone());
    let page = s.look(&ctx, Action::ViewIdeas, move |tx, _| packages::list(tx, &user, &f, &p)).await?;
    Ok(Listed { page, params, name: "support-packages" })
}

/// Draft a support package for evaluated, feasible ideas.
#[utoipa::path(post, path = "/api/v1/ideas/packages", tag = "ideas", request_body = PackageInput,
    responses((status = 201, body = Package), (status = 403), (status = 422)))]
async fn create_package(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::HandleIdeas>,
    ApiJson(input): ApiJson<PackageInput>,
) -> AppResult<(StatusCode, Json<Package>)> {
    let (rules, idea_rules, user) = (s.rules(&super::PACKAGE)?, s.rules(&super::IDEA)?, ctx.user()?.clone());
    let p = s
        .change(&ctx, Action::HandleIdeas, move |tx, who| packages::create(tx, who, &user, &rules, &idea_rules, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// A package with its ideas and measures, and how each measure's task stands.
#[utoipa::path(get, path = "/api/v1/ideas/packages/{id}", tag = "ideas",
    responses((status = 200, body = Package), (status = 403), (status = 404)))]
async fn get_package(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewIdeas>,
    Path(id): Path<i64>,
) -> AppResult<Json<Package>> {
    let (user, env, now) = (ctx.user()?.clone(), s.environment(), ctx.now);
    let port = s.registry.tasks()?;
    s.look(&ctx, Action::ViewIdeas, move |tx, _| Ok(packages::get(tx, &user, id, Some((port, &env, now)))?.0))
        .await
        .map(Json)
}

#[utoipa::path(put, path = "/api/v1/ideas/packages/{id}", tag = "ideas", request_body = PackageInput,
    responses((status = 200, body = Package), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn update_package(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::HandleIdeas>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PackageInput>,
) -> AppResult<Json<Package>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::HandleIdeas, move |tx, who| packages::update(tx, who, &user, id, &input)).await.map(Json)
}

/// Submit a package to its leader, or (the leader) approve or return it. Approval hands
/// every measure over as a task.
#[utoipa::path(post, path = "/api/v1/ideas/packages/{id}/transitions", tag = "ideas", request_body = packages::Step,
    responses((status = 200, body = Package), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn transition_package(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewIdeas>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<packages::Step>,
) -> AppResult<Json<Package>> {
    package_transition(&s, &ctx, id, input).await.map(Json)
}

/// Who may fire which package transition is decided by the process (the department
/// submits, the leader approves); the seam's permission is checked for approval.
pub async fn package_transition(s: &AppState, ctx: &Ctx, id: i64, step: packages::Step) -> AppResult<Package> {
    let (rules, idea_rules, user, env) =
        (s.rules(&super::PACKAGE)?, s.rules(&super::IDEA)?, ctx.user()?.clone(), s.environment());
    let port = s.registry.tasks()?;
    let action = if step.transition == "submit" { Action::HandleIdeas } else { Action::ApprovePackages };
    s.change(ctx, action, move |tx, who| {
        let approval = Approval { port, env: &env, idea_rules: &idea_rules };
        packages::transition(tx, who, &user, &rules, id, &step, &approval)
    })
    .await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// `2019`, `2019-Q2`, `2019-04`, `2019-W15` or `2019-04-01~2019-04-30`; all time when empty.
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Figures for a period: ideas by stage and field, decisions, delivery, evaluators.
#[utoipa::path(get, path = "/api/v1/ideas/figures", tag = "ideas", params(FiguresQuery),
    responses((status = 200, body = Figures), (status = 403), (status = 422)))]
async fn figures_of(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::HandleIdeas>,
    Q(q): Q<FiguresQuery>,
) -> AppResult<Json<Figures>> {
    let asked = period::asked(q.period.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let (calendar, now) = (s.calendar(), ctx.now);
    s.look(&ctx, Action::HandleIdeas, move |tx, _| figures::figures(tx, &calendar, asked.as_ref(), now)).await.map(Json)
}

/// The adopted support packages and how their measures are delivered (no sign-in;
/// confidential measures withheld).
#[utoipa::path(get, path = "/api/v1/public/support-packages", tag = "ideas", security(()),
    responses((status = 200, body = Vec<PublicPackage>), (status = 429)))]
async fn public_packages(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<PublicPackage>>> {
    s.limit_public(&ctx, "support")?;
    let now = ctx.now;
    s.db.read(move |tx| packages::public(tx, now)).await.map(Json)
}
