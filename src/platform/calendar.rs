//! The working-day calendar for people and for other systems: public read-only answers
//! (is this a working day; what date lies N working days on), and the administrators'
//! page for adding the next year's State Council notice.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::Datelike;
use maud::html;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::access::Action;
use crate::kernel::audit::{self, Change};
use crate::kernel::calendar::{self, DayInfo, MAX_WORKING_DAYS};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::web::form::{Fields, Retry, attempt, error, value};
use crate::kernel::web::layout::{self, Section, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::{ApiJson, AppState, Can, CsrfForm, Ctx, Q, need};
use crate::params;

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(day)).routes(routes!(add)).routes(routes!(year)).routes(routes!(set_day))
}

pub fn page_router() -> axum::Router<AppState> {
    axum::Router::new().route("/admin/calendar", get(page).post(submit))
}

fn public_limit(s: &AppState, ctx: &Ctx) -> AppResult<()> {
    s.limit_public(ctx, "calendar")
}

/// Whether a date is a working day (no sign-in needed).
#[utoipa::path(get, path = "/api/v1/calendar/days/{date}", tag = "calendar", security(()),
    responses((status = 200, body = DayInfo), (status = 422), (status = 429)))]
async fn day(State(s): State<AppState>, ctx: Ctx, Path(date): Path<String>) -> AppResult<Json<DayInfo>> {
    public_limit(&s, &ctx)?;
    let d = validate::date(&date, "date")?;
    Ok(Json(s.calendar().day(d)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AddQuery {
    /// Start date, YYYY-MM-DD (not counted).
    pub from: String,
    /// Working days to add (0 gives the next working day on or after `from`).
    pub days: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AddResult {
    pub from: String,
    pub days: u32,
    pub date: String,
    /// False when a year the count runs through has no holiday notice entered yet, so its
    /// holidays were not counted.
    pub holidays_known: bool,
}

/// The date N working days after a date (no sign-in needed).
#[utoipa::path(get, path = "/api/v1/calendar/add", tag = "calendar", params(AddQuery), security(()),
    responses((status = 200, body = AddResult), (status = 422), (status = 429)))]
async fn add(State(s): State<AppState>, ctx: Ctx, Q(q): Q<AddQuery>) -> AppResult<Json<AddResult>> {
    public_limit(&s, &ctx)?;
    let from = validate::date(&q.from, "from")?;
    if q.days > MAX_WORKING_DAYS {
        return Err(AppError::invalid_detail("bad_value", "days", format!("max {MAX_WORKING_DAYS}")));
    }
    let calendar = s.calendar();
    let date = calendar.add_working_days(from, q.days);
    let holidays_known = (from.year()..=date.year()).all(|y| calendar.knows_year(y));
    Ok(Json(AddResult { from: from.to_string(), days: q.days, date: date.to_string(), holidays_known }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct YearDays {
    pub year: i32,
    /// False when the year's notice has not been entered yet.
    pub known: bool,
    pub days: Vec<DayInfo>,
}

/// The special days (holidays and adjusted working days) of a year.
#[utoipa::path(get, path = "/api/v1/calendar/years/{year}", tag = "calendar", security(()),
    responses((status = 200, body = YearDays)))]
async fn year(State(s): State<AppState>, ctx: Ctx, Path(year): Path<i32>) -> AppResult<Json<YearDays>> {
    public_limit(&s, &ctx)?;
    Ok(Json(year_days(&s, year)))
}

fn year_days(s: &AppState, year: i32) -> YearDays {
    let cal = s.calendar();
    YearDays {
        year,
        known: cal.knows_year(year),
        days: cal.special_days(year).into_iter().map(|(d, _)| cal.day(d)).collect(),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct DayInput {
    pub date: String,
    /// `holiday` or `workday` (an adjusted working weekend).
    pub kind: String,
    pub name: String,
}

fn store_day(
    tx: &mut crate::kernel::db::Tx<'_>,
    who: &crate::kernel::audit::Who,
    input: &DayInput,
) -> AppResult<DayInput> {
    let d = validate::date(&input.date, "date")?;
    let working = match input.kind.as_str() {
        "holiday" => false,
        "workday" => true,
        _ => return Err(AppError::invalid("bad_value", "kind")),
    };
    let name = validate::text(&input.name, "name", 40)?;
    let before = tx.query_opt("SELECT working, name FROM calendar_days WHERE day = $1", params![d.to_string()])?;
    tx.execute("DELETE FROM calendar_days WHERE day = $1", params![d.to_string()])?;
    tx.execute(
        "INSERT INTO calendar_days (day, working, name, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        params![d.to_string(), working, name.as_str(), who.actor.as_str(), who.now],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "set_day",
            kind: "calendar_day",
            id: Some(i64::from(d.num_days_from_ce())),
            before: before.map(
                |r| serde_json::json!({ "working": r.bool(0).unwrap_or(false), "name": r.text(1).unwrap_or_default() }),
            ),
            after: Some(serde_json::json!({ "date": d.to_string(), "working": working, "name": name })),
        },
    )?;
    Ok(DayInput { date: d.to_string(), kind: input.kind.clone(), name })
}

async fn reload(s: &AppState) -> AppResult<()> {
    let cal = s.db.read(calendar::load).await?;
    s.set_calendar(cal);
    Ok(())
}

/// Add or replace one special day (administrators), e.g. from next year's notice.
#[utoipa::path(post, path = "/api/v1/calendar/days", tag = "calendar", request_body = DayInput,
    responses((status = 201, body = DayInfo), (status = 403), (status = 422)))]
async fn set_day(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageCalendar>,
    ApiJson(input): ApiJson<DayInput>,
) -> AppResult<(StatusCode, Json<DayInfo>)> {
    let stored = s.change(&ctx, Action::ManageCalendar, move |tx, who| store_day(tx, who, &input)).await?;
    reload(&s).await?;
    let d = validate::date(&stored.date, "date")?;
    Ok((StatusCode::CREATED, Json(s.calendar().day(d))))
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
}

async fn page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<YearQuery>) -> AppResult<Response> {
    render(&s, &ctx, q.year, None).await
}

async fn render(s: &AppState, ctx: &Ctx, year: Option<i32>, retry: Option<&Retry>) -> AppResult<Response> {
    ctx.require(Action::ManageCalendar)?;
    let this_year = crate::kernel::clock::local_date(ctx.now).year();
    let year = year.unwrap_or(this_year).clamp(2000, 2100);
    let y = year_days(s, year);
    let f = "day";
    let err = error(retry, f);
    let kinds = vec![
        ("holiday".to_owned(), ctx.t("pf-holiday-kind").to_owned()),
        ("workday".to_owned(), ctx.t("pf-adjusted-working-day").to_owned()),
    ];
    let body = html! {
        div.actions {
            a.button.secondary href=(format!("/admin/calendar?year={}", year - 1)) { "‹ " (year - 1) }
            a.button.secondary href=(format!("/admin/calendar?year={}", year + 1)) { (year + 1) " ›" }
        }
        @if !y.known {
            div.alert { (year) (ctx.t("pf-this-year-s-holiday-notice")) }
        }
        p.muted { (ctx.t("pf-rules-n-working-days-do")) }
        @if y.days.is_empty() { (layout::empty_state(ctx.t("pf-no-special-days-this-year"))) }
        @else {
            div.table-wrap { table {
                thead { tr { th { (ctx.t("pf-date")) } th { (ctx.t("pf-kind")) } th { (ctx.t("pf-name")) } } }
                tbody { @for d in &y.days { tr {
                    td { (d.date) }
                    td { @if d.working_day { (layout::badge(ctx.t("pf-adjusted-workday"), "yellow")) } @else { (layout::badge(ctx.t("pf-holiday"), "green")) } }
                    td { (d.name.clone().unwrap_or_default()) }
                } } }
            } }
        }
        h2 { (ctx.t("pf-add-a-special-day")) }
        form.filters method="post" action="/admin/calendar" {
            (csrf_field(ctx))
            (error_banner(ctx, err))
            (layout::input_field(ctx, "date", "date", ctx.t("pf-date"), value(retry, f, "date", ""), err, true))
            (select_field(ctx, "kind", ctx.t("pf-kind"), &kinds, value(retry, f, "kind", "holiday"), err))
            (text_field(ctx, "name", ctx.t("pf-name-e-g-spring-festival"), value(retry, f, "name", ""), err, true))
            button type="submit" { (ctx.t("common-save")) }
        }
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &format!("{} {year}", ctx.t("pf-working-day-calendar")), Section::Calendar, body))
        .into_response())
}

async fn submit(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let year = form.get("date").and_then(|d| d.get(..4)).and_then(|y| y.parse().ok());
    match attempt(&s, &ctx, Action::ManageCalendar, "day", form, |tx, who, input: DayInput| store_day(tx, who, &input))
        .await?
    {
        Ok(d) => {
            reload(&s).await?;
            Ok(Redirect::to(&format!("/admin/calendar?year={}", d.date.get(..4).unwrap_or(""))).into_response())
        }
        Err(retry) => render(&s, &ctx, year, Some(&retry)).await,
    }
}
