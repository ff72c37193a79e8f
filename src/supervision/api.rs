//! `/api/v1` endpoints for leads: filing from any channel, the procedure, linking, and
//! Open311 keys.

use crate::kernel::workflow::directives::{self, Directive, Giving, May};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::exposures::{self, Exposure, ExposureInput};
use super::judgement::{self, JudgementInput};
use super::leads::{self, Candidate, Filed, Lead, LeadFilter, LeadInput, PublicLead, Step};
use super::need;
use super::teams::{self, ActivityInput, AnswerInput, MemberInput, Question, Team, TeamInput};
use super::to_task::{self, LeadTaskInput};
use crate::kernel::access::Action;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::list::{ListParams, Listed, Page};
use crate::kernel::web::{ApiJson, AppState, Can, Ctx, Q};
use crate::kernel::workflow::Fired;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_leads, file_lead))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(super::lead_import::import_api))
                .layer(crate::kernel::attachments::body_limit()),
        )
        .routes(routes!(get_lead))
        .routes(routes!(get_reporter))
        .routes(routes!(lead_transition))
        .routes(routes!(lead_directive))
        .routes(routes!(link_lead))
        .routes(routes!(lead_to_task))
        .routes(routes!(track))
        .routes(routes!(judge))
        .routes(routes!(issue_key))
        .routes(routes!(list_exposures, expose))
        .routes(routes!(list_teams, create_team))
        .routes(routes!(get_team))
        .routes(routes!(add_team_member))
        .routes(routes!(answer_question))
        .routes(routes!(record_activity))
        .routes(routes!(lead_figures))
        .routes(routes!(channel_offices))
        .routes(routes!(get_notice))
        .routes(routes!(set_channel_office))
        .routes(routes!(list_categories))
        .routes(routes!(save_category))
}

/// A numbered 通报, for those who see its lead or are addressed by it.
#[utoipa::path(get, path = "/api/v1/notices/{id}", tag = "supervision",
    responses((status = 200, body = super::notices::Notice), (status = 404)))]
async fn get_notice(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<super::notices::Notice>> {
    s.look(&ctx, Action::ViewLeads, move |tx, u| super::notices::get(tx, u.ok_or(AppError::Unauthenticated)?, id))
        .await
        .map(Json)
}

/// A channel and the department that is its office.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChannelOffice {
    pub channel: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
}

pub fn offices(tx: &mut crate::kernel::db::Tx<'_>) -> AppResult<Vec<ChannelOffice>> {
    let desks: Vec<String> = super::sight::OFFICE_CHANNELS.iter().map(|c| super::sight::desk(c)).collect();
    let desks: Vec<&str> = desks.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for (desk, holder) in crate::kernel::access::desk_holders(tx, &desks)? {
        let name = match holder {
            Some(d) => Some(crate::org::departments::find(tx, d)?.name),
            None => None,
        };
        let channel = desk.trim_start_matches("channel:").to_owned();
        out.push(ChannelOffice { channel, department_id: holder, department_name: name });
    }
    Ok(out)
}

/// The office of each channel that has one: its staff register that channel's leads and
/// see them, and no other channel's.
#[utoipa::path(get, path = "/api/v1/leads/channel-offices", tag = "supervision",
    responses((status = 200, body = Vec<ChannelOffice>), (status = 403)))]
async fn channel_offices(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<ChannelOffice>>> {
    s.look(&ctx, Action::ViewLeads, move |tx, _| offices(tx)).await.map(Json)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ChannelOfficeInput {
    /// The department that is the channel's office; null for none.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub department_id: Option<i64>,
}

/// Name (or clear) a channel's office. Administrators.
#[utoipa::path(put, path = "/api/v1/leads/channel-offices/{channel}", tag = "supervision", request_body = ChannelOfficeInput,
    responses((status = 200, body = Vec<ChannelOffice>), (status = 403), (status = 404), (status = 422)))]
async fn set_channel_office(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageOrg>,
    Path(channel): Path<String>,
    ApiJson(input): ApiJson<ChannelOfficeInput>,
) -> AppResult<Json<Vec<ChannelOffice>>> {
    if !super::sight::OFFICE_CHANNELS.contains(&channel.as_str()) {
        return Err(AppError::NotFound);
    }
    s.change(&ctx, Action::ManageOrg, move |tx, who| {
        crate::kernel::access::set_desk(tx, who, &super::sight::desk(&channel), input.department_id)?;
        offices(tx)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/v1/leads", tag = "supervision", params(ListParams, LeadFilter),
    responses((status = 200, body = Page<Lead>), (status = 403)))]
async fn list_leads(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(p): Q<ListParams>,
    Q(f): Q<LeadFilter>,
) -> AppResult<Listed<Lead>> {
    let params = p.clone();
    s.look(&ctx, Action::ViewLeads, move |tx, u| leads::list(tx, u.ok_or(AppError::Unauthenticated)?, &f, &p))
        .await
        .map(|page| Listed { page, params, name: "leads" })
}

/// Register a lead: the supervision office for any channel, a channel's office (人大,
/// 政协, 纪委, 政府督查, 媒体) for its own; others are refused (`channel_not_yours`).
#[utoipa::path(post, path = "/api/v1/leads", tag = "supervision", request_body = LeadInput,
    responses((status = 201, body = Filed), (status = 403), (status = 422)))]
async fn file_lead(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewLeads>,
    ApiJson(input): ApiJson<LeadInput>,
) -> AppResult<(StatusCode, Json<Filed>)> {
    let process = s.processes.get(super::LEAD.kind)?;
    let user = ctx.user()?.clone();
    let f = s
        .change(&ctx, Action::ViewLeads, move |tx, who| leads::file_for_channel(tx, who, &user, &process, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(f)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeadDetail {
    #[serde(flatten)]
    pub lead: Lead,
    pub available: Vec<String>,
    /// Open leads that look like the same problem.
    pub candidates: Vec<Candidate>,
    pub history: Vec<crate::kernel::workflow::Event>,
    /// 批示 and 催办 on the lead, oldest first.
    pub directives: Vec<Directive>,
    /// Whether the caller may give them.
    pub may_direct: May,
    /// How the task it became stands.
    pub task: Option<crate::kernel::registry::TaskStanding>,
}

/// How the task a lead became stands, through the task seam.
pub fn task_standing(
    tx: &mut crate::kernel::db::Tx<'_>,
    d: &mut LeadDetail,
    port: Option<&crate::kernel::registry::TaskPort>,
    env: &crate::kernel::registry::Environment,
    now: i64,
) -> AppResult<()> {
    if let (Some(t), Some(p)) = (d.lead.task_id, port) {
        d.task = (p.standing)(tx, t, env, now)?;
    }
    Ok(())
}

pub fn detail(
    tx: &mut crate::kernel::db::Tx<'_>,
    user: &crate::kernel::access::CurrentUser,
    process: &crate::kernel::workflow::Process,
    id: i64,
) -> AppResult<LeadDetail> {
    let mut lead = leads::get(tx, user, id)?;
    // Who may know the reporter is decided in `sight`; each view in full is logged (see
    // `log_contact_view`).
    let reporter = super::sight::of(tx, user)?.reporter(&lead);
    lead.show_reporter(reporter);
    let available = if lead.primary_id.is_some() {
        Vec::new()
    } else {
        process.available(&lead.state, &leads::relations(user, &lead)).iter().map(|t| t.id.clone()).collect()
    };
    let candidates =
        if leads::is_office(user) && lead.primary_id.is_none() { leads::candidates(tx, &lead)? } else { Vec::new() };
    let may_direct = directives::may(process, user, &leads::relations(user, &lead), &lead.state);
    Ok(LeadDetail {
        available,
        candidates,
        history: crate::kernel::workflow::history(tx, super::LEAD.kind, id)?,
        directives: directives::on(tx, super::LEAD.kind, id)?,
        may_direct,
        task: None,
        lead,
    })
}

#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "supervision", responses((status = 200, body = LeadDetail), (status = 404)))]
async fn get_lead(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<LeadDetail>> {
    let process = s.processes.get(super::LEAD.kind)?;
    let (port, env, now) = (s.registry.tasks().ok(), s.environment(), ctx.now);
    let d = s
        .look(&ctx, Action::ViewLeads, move |tx, u| {
            let mut d = detail(tx, u.ok_or(AppError::Unauthenticated)?, &process, id)?;
            task_standing(tx, &mut d, port, &env, now)?;
            Ok(d)
        })
        .await?;
    log_contact_view(&s, &ctx, &d.lead).await?;
    Ok(Json(d))
}

/// Who reported a lead, as far as the caller's duty reaches.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reporter {
    pub name: String,
    /// In full for the supervision office (and the discipline commission on a protected
    /// lead), masked (138****5678) for others who see the lead.
    pub contact: String,
    pub in_full: bool,
}

/// The reporter of a lead. A protected reporter (discipline, confidential, or asked) is
/// refused to anyone outside the office and the commission: `403 reporter_protected`.
#[utoipa::path(get, path = "/api/v1/leads/{id}/reporter", tag = "supervision",
    responses((status = 200, body = Reporter), (status = 403), (status = 404)))]
async fn get_reporter(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Reporter>> {
    let lead = s
        .look(&ctx, Action::ViewLeads, move |tx, u| {
            let user = u.ok_or(AppError::Unauthenticated)?;
            let mut lead = leads::get(tx, user, id)?;
            let sight = super::sight::of(tx, user)?.reporter(&lead);
            if sight == leads::ReporterSight::Withheld {
                return Err(AppError::Refused { code: "reporter_protected" });
            }
            lead.show_reporter(sight);
            Ok(lead)
        })
        .await?;
    log_contact_view(&s, &ctx, &lead).await?;
    Ok(Json(Reporter { name: lead.reporter_name, contact: lead.reporter_contact, in_full: lead.reporter_in_full }))
}

/// A view of a reporter's contact in full goes into the audit trail.
pub async fn log_contact_view(s: &AppState, ctx: &Ctx, lead: &leads::Lead) -> AppResult<()> {
    let personal =
        !lead.reporter_contact.trim().is_empty() || lead.protects_reporter() && !lead.reporter_name.trim().is_empty();
    if lead.reporter_in_full && personal {
        let (who, id) = (ctx.who(), lead.id);
        s.db.write(move |tx| crate::kernel::privacy::record_view(tx, &who, "lead", id, "reporter")).await?;
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/leads/{id}/directives", tag = "supervision", request_body = Giving,
    responses((status = 201, body = Directive), (status = 403), (status = 404)))]
async fn lead_directive(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewLeads>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<Giving>,
) -> AppResult<(StatusCode, Json<Directive>)> {
    let user = ctx.user()?.clone();
    let process = s.processes.get(super::LEAD.kind)?;
    let d =
        s.change(&ctx, Action::ViewLeads, move |tx, who| leads::direct(tx, who, &user, &process, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// Transfer (to the unit, or the discipline commission), dispute, feed back, reject the
/// feedback, verify, publish the notice, close.
#[utoipa::path(post, path = "/api/v1/leads/{id}/transitions", tag = "supervision", request_body = Step,
    responses((status = 200, body = Fired), (status = 403), (status = 409), (status = 422)))]
async fn lead_transition(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewLeads>,
    Path(id): Path<i64>,
    ApiJson(step): ApiJson<Step>,
) -> AppResult<Json<Fired>> {
    let user = ctx.user()?.clone();
    let rules = s.rules(&super::LEAD)?;
    s.change(&ctx, Action::ViewLeads, move |tx, who| leads::transition(tx, who, &user, &rules, id, &step))
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LinkInput {
    /// The lead that handles the same problem.
    pub primary_id: i64,
}

/// Link a lead to another about the same problem: it is handled there, once.
#[utoipa::path(post, path = "/api/v1/leads/{id}/link", tag = "supervision", request_body = LinkInput,
    responses((status = 200, body = Lead), (status = 403), (status = 422)))]
async fn link_lead(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewLeads>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<LinkInput>,
) -> AppResult<Json<Lead>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ViewLeads, move |tx, who| leads::link(tx, who, &user, id, input.primary_id)).await.map(Json)
}

/// Turn a lead into a task in one of the caller's open matters (city leaders and
/// department heads who decide a matter); the lead keeps its own procedure.
#[utoipa::path(post, path = "/api/v1/leads/{id}/task", tag = "supervision", request_body = LeadTaskInput,
    responses((status = 201, body = Object, description = "The task, as GET /api/v1/tasks/{id} answers it"),
              (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn lead_to_task(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewLeads>,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let port = s.registry.tasks()?;
    // The seam names who decides; checked before the body is read, as `Can` does.
    let user = ctx.require(port.decides)?.clone();
    let input: LeadTaskInput = crate::kernel::web::parse_json(&body)?;
    let env = s.environment();
    let task = s
        .change(&ctx, port.decides, move |tx, who| to_task::assign_as_task(tx, who, &user, id, &input, (port, &env)))
        .await?;
    Ok((StatusCode::CREATED, Json(task)))
}

/// A lead's public status and outcome by its tracking token (no sign-in).
#[utoipa::path(get, path = "/api/v1/leads/track/{token}", tag = "supervision", security(()),
    responses((status = 200, body = PublicLead), (status = 404)))]
async fn track(State(s): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Json<PublicLead>> {
    s.limit_public(&ctx, "track")?;
    let process = s.processes.get(super::LEAD.kind)?;
    s.db.read(move |tx| leads::track(tx, &token, &process)).await.map(Json)
}

/// The reporter judges the published outcome (满意 / 基本满意 / 不满意), once, by tracking
/// token (no sign-in). 409 `not_resolved` before the outcome is published, 409
/// `already_judged` the second time.
#[utoipa::path(post, path = "/api/v1/leads/track/{token}/judgement", tag = "supervision", security(()),
    request_body = JudgementInput,
    responses((status = 200, body = PublicLead), (status = 404), (status = 409), (status = 422)))]
async fn judge(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    ApiJson(input): ApiJson<JudgementInput>,
) -> AppResult<Json<PublicLead>> {
    s.limit_public(&ctx, "track")?;
    let process = s.processes.get(super::LEAD.kind)?;
    let who = ctx.who();
    s.db.write(move |tx| judgement::judge(tx, &who, &process, &token, &input)).await.map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct KeyInput {
    /// Who the key is for, e.g. the city's 12345 hotline system.
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedKey {
    pub id: i64,
    /// The key, shown this once.
    pub api_key: String,
}

/// Issue an Open311 `api_key` (administrators).
#[utoipa::path(post, path = "/api/v1/open311/keys", tag = "supervision", request_body = KeyInput,
    responses((status = 201, body = IssuedKey), (status = 403)))]
async fn issue_key(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageUsers>,
    ApiJson(input): ApiJson<KeyInput>,
) -> AppResult<(StatusCode, Json<IssuedKey>)> {
    let (id, api_key) =
        s.change(&ctx, Action::ManageUsers, move |tx, who| super::open311::issue_key(tx, who, &input.name)).await?;
    Ok((StatusCode::CREATED, Json(IssuedKey { id, api_key })))
}

/// Exposures and the units' published responses (no sign-in).
#[utoipa::path(get, path = "/api/v1/exposures", tag = "supervision", security(()),
    responses((status = 200, body = Vec<Exposure>)))]
async fn list_exposures(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Exposure>>> {
    s.limit_public(&ctx, "exposures")?;
    s.db.read(|tx| exposures::recent(tx, 50)).await.map(Json)
}

/// Register a media exposure (the supervision office): each problem becomes a lead
/// transferred at once, to be answered within the configured hours.
#[utoipa::path(post, path = "/api/v1/exposures", tag = "supervision", request_body = ExposureInput,
    responses((status = 201, body = Exposure), (status = 403), (status = 422)))]
async fn expose(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewLeads>,
    ApiJson(input): ApiJson<ExposureInput>,
) -> AppResult<(StatusCode, Json<Exposure>)> {
    let user = ctx.user()?.clone();
    let rules = s.rules(&super::LEAD)?;
    let e = s.change(&ctx, Action::ViewLeads, move |tx, who| exposures::expose(tx, who, &user, &rules, &input)).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

#[utoipa::path(get, path = "/api/v1/work-teams", tag = "supervision", responses((status = 200, body = Vec<Team>)))]
async fn list_teams(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Team>>> {
    s.look(&ctx, Action::ViewLeads, |tx, _| teams::teams(tx)).await.map(Json)
}

/// Form a work team of the people's congress or the CPPCC (the supervision office).
#[utoipa::path(post, path = "/api/v1/work-teams", tag = "supervision", request_body = TeamInput,
    responses((status = 201, body = Team), (status = 403), (status = 422)))]
async fn create_team(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewLeads>,
    ApiJson(input): ApiJson<TeamInput>,
) -> AppResult<(StatusCode, Json<Team>)> {
    let user = ctx.user()?.clone();
    let t = s.change(&ctx, Action::ViewLeads, move |tx, who| teams::create_team(tx, who, &user, &input)).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[utoipa::path(get, path = "/api/v1/work-teams/{id}", tag = "supervision", responses((status = 200, body = Team), (status = 404)))]
async fn get_team(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Team>> {
    s.look(&ctx, Action::ViewLeads, move |tx, _| teams::team(tx, id)).await.map(Json)
}

/// Give a work team a member account (the supervision office); members record the
/// team's own visits and inquiries.
#[utoipa::path(post, path = "/api/v1/work-teams/{id}/members", tag = "supervision", request_body = MemberInput,
    responses((status = 200, body = Team), (status = 403), (status = 404), (status = 422)))]
async fn add_team_member(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewLeads>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MemberInput>,
) -> AppResult<Json<Team>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ViewLeads, move |tx, who| teams::add_member(tx, who, &user, id, &input)).await.map(Json)
}

/// Answer an inquiry's question in writing (the questioned unit's heads, or the office),
/// once; the team's members are told.
#[utoipa::path(post, path = "/api/v1/work-teams/questions/{id}/answer", tag = "supervision", request_body = AnswerInput,
    responses((status = 200, body = Question), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn answer_question(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewLeads>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> AppResult<Json<Question>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ViewLeads, move |tx, who| teams::answer(tx, who, &user, id, &input)).await.map(Json)
}

/// Record a site visit (现场调研督导) or work inquiry (工作质询) — the office or the team's
/// members; each finding becomes a lead, and an inquiry records the unit questioned and
/// its questions (with the answers given on the spot).
#[utoipa::path(post, path = "/api/v1/work-teams/{id}/activities", tag = "supervision", request_body = ActivityInput,
    responses((status = 201, body = Team), (status = 403), (status = 422)))]
async fn record_activity(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewLeads>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ActivityInput>,
) -> AppResult<(StatusCode, Json<Team>)> {
    let user = ctx.user()?.clone();
    let process = s.processes.get(super::LEAD.kind)?;
    let t = s
        .change(&ctx, Action::ViewLeads, move |tx, who| teams::record_activity(tx, who, &user, &process, id, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FigureQuery {
    /// `channel` (default) or `unit`.
    pub group: Option<String>,
    /// Count the leads filed in this period, beside the period before: `2019`, `2019-Q2`,
    /// `2019-04`, `2019-W15` or `2019-04-01~2019-04-30`. All leads when empty.
    pub period: Option<String>,
}

/// Response rate, resolution rate, overdue count and time to feedback per channel or
/// unit: of all leads, or of those filed in a period with the period before beside each
/// group (`previous`).
#[utoipa::path(get, path = "/api/v1/leads/figures", tag = "supervision", params(FigureQuery),
    responses((status = 200, body = Vec<super::figures::Figures>), (status = 422)))]
async fn lead_figures(
    State(s): State<AppState>,
    ctx: Ctx,
    Q(q): Q<FigureQuery>,
) -> AppResult<Json<Vec<super::figures::Figures>>> {
    let today = crate::kernel::clock::local_date(ctx.now).to_string();
    let group = q.group.unwrap_or_else(|| "channel".into());
    let period = crate::kernel::web::period::asked(q.period.as_deref(), None, None)?;
    s.look(&ctx, Action::ViewLeads, move |tx, _| super::figures::figures(tx, &group, &today, period.as_ref()))
        .await
        .map(Json)
}

/// The lead categories (Open311 services), active first.
#[utoipa::path(get, path = "/api/v1/lead-categories", tag = "supervision", responses((status = 200, body = Vec<super::categories::Category>)))]
async fn list_categories(State(s): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<super::categories::Category>>> {
    s.look(&ctx, Action::ViewLeads, |tx, _| super::categories::all(tx)).await.map(Json)
}

/// Add a lead category or change one (the supervision office and administrators); an
/// inactive category is no longer offered to the public or Open311 clients.
#[utoipa::path(put, path = "/api/v1/lead-categories/{code}", tag = "supervision", request_body = super::categories::CategoryInput,
    responses((status = 200, body = super::categories::Category), (status = 403), (status = 422)))]
async fn save_category(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageLeadCategories>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<super::categories::CategoryInput>,
) -> AppResult<Json<super::categories::Category>> {
    s.change(&ctx, super::categories::MANAGE, move |tx, who| super::categories::save(tx, who, &code, &input))
        .await
        .map(Json)
}
