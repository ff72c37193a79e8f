//! Pages: the public report form and tracking page (no sign-in), the supervision
//! office's list and lead page, and the Open311 keys.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;

use super::api::detail;
use super::figures::Figures;
use super::judgement::{self, JudgementInput};
use super::leads::{self, LeadFilter, LeadInput, Step};
use super::{CHANNELS, LEAD};
use crate::kernel::access::Action;
use crate::kernel::clock::fmt_local;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::form::{Fields, Retry, attempt, error, typed, value};
use crate::kernel::web::layout::{
    self, Section, badge, csrf_field, error_banner, light_badge, select_field, text_field,
};
use crate::kernel::web::list::{ListParams, link_with, pager};
use crate::kernel::web::period;
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/report", get(report_form).post(report_submit))
        .route("/report/track", get(track))
        .route("/report/photos/{id}", get(photo))
        .route("/report/track/judgement", post(judge))
        .route("/supervision", get(list))
        .route("/supervision/leads/{id}", get(show).post(step))
        .route("/supervision/leads/{id}/link", post(link))
        .route("/supervision/leads/{id}/task", post(to_task))
        .route("/supervision/leads/{id}/directives", post(direct))
        .route("/admin/open311", get(keys).post(issue))
        .route("/supervision/channels", get(channels_page).post(set_channel))
        .route("/supervision/notices/{id}", get(notice_page))
        .route("/exposures", get(exposures_page))
        .route("/supervision/figures", get(figures_page))
        .route("/supervision/bulletins/{id}", get(super::bulletins::page))
}

async fn categories(s: &AppState) -> AppResult<Vec<(String, String)>> {
    s.db.read(|tx| {
        tx.query("SELECT code, name FROM lead_categories WHERE active = 1 ORDER BY code", &[])?
            .iter()
            .map(|r| Ok((r.text(0)?, r.text(1)?)))
            .collect()
    })
    .await
}

async fn report_form(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    s.limit_public(&ctx, "report")?;
    report_page(&s, &ctx, None, None).await
}

async fn report_page(
    s: &AppState,
    ctx: &Ctx,
    fields: Option<&Fields>,
    outcome: Option<Result<(i64, Option<String>), &AppError>>,
) -> AppResult<Response> {
    let z = ctx.zh();
    let cats = categories(s).await?;
    let v = |k: &str| fields.and_then(|f| f.get(k)).cloned().unwrap_or_default();
    let err = match &outcome {
        Some(Err(e)) => Some(*e),
        _ => None,
    };
    let body = html! {
        @match &outcome {
            Some(Ok((id, token))) => {
                div.notice {
                    p { (ctx.t("sv-received-number")) strong { (id) } "。" }
                    @if let Some(t) = token {
                        p { (ctx.t("sv-keep-this-tracking-code-shown")) }
                        p.secret { a href=(format!("/report/track?token={t}")) { (layout::grouped(t)) } }
                        p { button.secondary type="button" data-copy=(layout::grouped(t)) data-copied=(ctx.t("sv-copied")) { (ctx.t("sv-copy-the-code")) } }
                        div.qr { (maud::PreEscaped(layout::qr_svg(&format!("{}/report/track?token={t}", s.settings.public_base_url.trim_end_matches('/'))))) }
                        p.muted { (ctx.t("sv-scan-to-track")) }
                    } @else {
                        p { (ctx.t("sv-the-same-report-was-just")) }
                    }
                }
            }
            _ => {
                p.muted { (ctx.t("sv-no-sign-in-needed-you")) }
                @if let Some(e) = err { div.alert role="alert" { (ctx.t(e.code())) @if let Some(f) = e.field() { " (" (f) ")" } } }
                form.stack method="post" action="/report" enctype="multipart/form-data" {
                    (select_field(ctx, "category", ctx.t("sv-category"), &cats, &v("category"), err))
                    label.field { span { (ctx.t("sv-what-is-wrong")) } textarea name="description" rows="4" required { (v("description")) } }
                    (text_field(ctx, "address", ctx.t("sv-where"), &v("address"), err, false))
                    fieldset.place {
                        legend { (ctx.t("sv-place-on-the-map")) }
                        div.map-picker { (maud::PreEscaped(crate::kernel::web::map::picking(ctx.t("sv-place-on-the-map")))) }
                        p.muted.district-named aria-live="polite" {}
                        button.secondary type="button" data-locate { (ctx.t("sv-use-my-location")) }
                        div.coords {
                            (layout::input_field(ctx, "text", "lat", ctx.t("sv-latitude"), &v("lat"), err, false))
                            (layout::input_field(ctx, "text", "lon", ctx.t("sv-longitude"), &v("lon"), err, false))
                        }
                    }
                    label.field { span { (ctx.t("sv-photo")) } input type="file" name="photo" accept="image/jpeg,image/png"; }
                    label { input type="checkbox" name="keep_location" value="true"; " " (ctx.t("sv-keep-photo-location")) }
                    (text_field(ctx, "reporter_name", ctx.t("sv-your-name"), &v("reporter_name"), err, false))
                    (text_field(ctx, "reporter_contact", ctx.t("sv-contact"), &v("reporter_contact"), err, false))
                    label { input type="checkbox" name="reporter_confidential" value="true" checked[v("reporter_confidential") == "true"]; " " (ctx.t("sv-keep-me-confidential")) }
                    button type="submit" { (ctx.t("sv-submit")) }
                }
            }
        }
        p { a href="/report/track" { (ctx.t("sv-follow-a-report-by-its")) } " · "
            a href=(format!("/lang/{}?next=/report", if z { "en" } else { "zh" })) { (ctx.t("nav-lang")) } }
    };
    let status = err.map_or(StatusCode::OK, AppError::status);
    Ok((status, layout::page(ctx, ctx.t("sv-report-a-problem-2"), Section::Public("/report"), body)).into_response())
}

/// A report from the public: the form (multipart, with an optional photo) or plain fields.
async fn report_submit(State(s): State<AppState>, ctx: Ctx, req: axum::extract::Request) -> AppResult<Response> {
    use axum::extract::FromRequest;
    s.limit_public(&ctx, "report")?;
    s.limiter.check(&format!("report-filing:{}", ctx.ip), 30, 60_000)?;
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (mut fields, photo) = if multipart {
        let form = axum::extract::Multipart::from_request(req, &s)
            .await
            .map_err(|_| AppError::BadRequest { code: "bad_form", detail: None })?;
        crate::kernel::web::form::read_multipart(form, "photo").await?
    } else {
        let body = axum::body::Bytes::from_request(req, &s).await.map_err(|_| AppError::TooLarge)?;
        (crate::kernel::web::form::parse(&body)?, None)
    };
    fields.retain(|_, v| !v.trim().is_empty());
    let keep_location = fields.remove("keep_location").is_some();
    fields.insert("channel".into(), "public".into());
    let process = s.processes.get(LEAD.kind)?;
    let result = match typed::<LeadInput>(&fields) {
        Ok(input) => {
            let who = ctx.who();
            s.db.write(move |tx| {
                let filed = leads::file(tx, &who, &process, &input, "web", None)?;
                if let (Some((name, bytes)), false) = (&photo, filed.repeated) {
                    super::photos::attach(tx, &who, filed.id, name, bytes, keep_location)?;
                }
                Ok(filed)
            })
            .await
        }
        Err(_) => Err(AppError::invalid("bad_location", "lat")),
    };
    match result {
        Ok(f) => report_page(&s, &ctx, None, Some(Ok((f.id, f.token)))).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            report_page(&s, &ctx, Some(&fields), Some(Err(&e))).await
        }
        Err(e) => Err(e),
    }
}

/// A reporter's photo, for anyone while its lead is public.
async fn photo(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    s.limit_public(&ctx, "photo")?;
    let (a, bytes) = s.db.read(move |tx| super::photos::public(tx, id)).await?;
    let mut res = bytes.into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&a.content_type) {
        res.headers_mut().insert(axum::http::header::CONTENT_TYPE, v);
    }
    res.headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("public, max-age=300"));
    Ok(res)
}

#[derive(serde::Deserialize, Default)]
struct TrackQuery {
    token: Option<String>,
}

async fn track(State(s): State<AppState>, ctx: Ctx, Q(q): Q<TrackQuery>) -> AppResult<Response> {
    s.limit_public(&ctx, "track")?;
    let process = s.processes.get(LEAD.kind)?;
    let found = match q.token.clone().filter(|t| !t.trim().is_empty()) {
        Some(t) => Some(s.db.read(move |tx| leads::track(tx, &t, &process)).await),
        None => None,
    };
    track_page(&ctx, q.token.as_deref().unwrap_or(""), found, None, None)
}

async fn judge(State(s): State<AppState>, ctx: Ctx, body: axum::body::Bytes) -> AppResult<Response> {
    s.limit_public(&ctx, "track")?;
    let fields: Fields = crate::kernel::web::form::parse(&body)?;
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let token = field("token");
    let input = JudgementInput { judgement: field("judgement"), comment: field("comment") };
    let process = s.processes.get(LEAD.kind)?;
    let who = ctx.who();
    let (t, p) = (token.clone(), process.clone());
    match s.db.write(move |tx| judgement::judge(tx, &who, &p, &t, &input)).await {
        Ok(view) => track_page(&ctx, &token, Some(Ok(view)), None, None),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let t = token.clone();
            let view = s.db.read(move |tx| leads::track(tx, &t, &process)).await;
            track_page(&ctx, &token, Some(view), Some(&e), Some(&fields))
        }
        Err(e) => Err(e),
    }
}

fn track_page(
    ctx: &Ctx,
    token: &str,
    found: Option<AppResult<leads::PublicLead>>,
    err: Option<&AppError>,
    typed_in: Option<&Fields>,
) -> AppResult<Response> {
    let z = ctx.zh();
    let kept = |k: &str| typed_in.and_then(|f| f.get(k)).cloned().unwrap_or_default();
    let body = html! {
        form.filters method="get" action="/report/track" {
            (text_field(ctx, "token", ctx.t("sv-tracking-code"), token, None, true))
            button type="submit" { (ctx.t("common-search")) }
        }
        @match &found {
            Some(Ok(p)) => {
                dl.facts {
                    dt { (ctx.t("sv-number")) } dd { (p.id) }
                    dt { (ctx.t("sv-category-2")) } dd { (p.category_name) }
                    dt { (ctx.t("sv-report")) } dd { (p.description) }
                    @if let Some(photo) = p.photo_id {
                        dt { (ctx.t("sv-photo-2")) } dd { img.photo src=(format!("/report/photos/{photo}")) alt=(ctx.t("sv-photo-2")); }
                    }
                    dt { (ctx.t("sv-status")) } dd { (badge(if z { &p.status_name } else { &p.status_name_en }, if p.status == "closed" { "green" } else { "yellow" })) }
                    @if let Some(a) = &p.agency { dt { (ctx.t("sv-handled-by")) } dd { (a) } }
                    @if !p.outcome.is_empty() { dt { (ctx.t("sv-published-outcome")) } dd { (p.outcome) } }
                    dt { (ctx.t("sv-updated")) } dd { (fmt_local(p.updated_at)) }
                    @if let Some(j) = &p.judgement { dt { (ctx.t("sv-your-judgement")) } dd { (judgement::name(j, ctx.lang)) } }
                }
                (error_banner(ctx, err))
                @if p.can_judge {
                    form.card method="post" action="/report/track/judgement" {
                        h2 { (ctx.t("sv-are-you-satisfied-with-the")) }
                        input type="hidden" name="token" value=(token);
                        fieldset.choices {
                            @for code in judgement::JUDGEMENTS {
                                label { input type="radio" name="judgement" value=(code) required checked[kept("judgement") == code]; " " (judgement::name(code, ctx.lang)) }
                            }
                        }
                        label.field {
                            span { (ctx.t("sv-comment-optional-please-say-why")) }
                            textarea name="comment" maxlength="500" rows="3" { (kept("comment")) }
                        }
                        button type="submit" { (ctx.t("sv-submit-2")) }
                    }
                }
            }
            Some(Err(_)) => { div.alert { (ctx.t("sv-no-report-has-this-code")) } }
            None => {}
        }
        p { a href="/report" { (ctx.t("sv-report-a-problem-3")) } }
    };
    let status = match (&found, err) {
        (Some(Err(_)), _) => StatusCode::NOT_FOUND,
        (_, Some(AppError::Conflict { .. })) => StatusCode::CONFLICT,
        (_, Some(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    Ok((status, layout::page(ctx, ctx.t("sv-follow-a-report"), Section::Public("/report/track"), body)).into_response())
}

async fn list(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>, Q(f): Q<LeadFilter>) -> AppResult<Response> {
    let (pq, fq) = (p.clone(), f.clone());
    let page = s
        .look(&ctx, Action::ViewLeads, move |tx, u| leads::list(tx, u.ok_or(AppError::Unauthenticated)?, &fq, &pq))
        .await?;
    let process = s.processes.get(LEAD.kind)?;
    let cal = s.calendar();
    let today = crate::kernel::clock::local_date(ctx.now);
    let channel_name = |c: &str| super::channel_name(ctx.lang, c);
    let state_name = |l: &leads::Lead| {
        if l.primary_id.is_some() { ctx.t("sv-linked").to_owned() } else { process.state_name(&l.state, ctx.lang) }
    };
    let table = Table::new()
        .column("id", "#", |l: &leads::Lead| html! { a href=(format!("/supervision/leads/{}", l.id)) { (l.id) } }, |l| l.id.to_string())
        .text("channel", ctx.t("sv-channel"), |l| channel_name(&l.channel))
        .shown(ctx.t("sv-lead"), |l| html! { (l.category_name) br; span.muted { (l.description.chars().take(40).collect::<String>()) } })
        .exported("category", ctx.t("col-category"), |l| l.category_name.clone())
        .exported("description", ctx.t("col-description"), |l| l.description.clone())
        .exported("address", ctx.t("col-address"), |l| l.address.clone())
        .exported("reporter_contact", ctx.t("sv-reporter-contact-masked"), |l| l.reporter_contact.clone())
        .column(
            "unit",
            ctx.t("sv-unit"),
            |l| html! { (l.unit_name.clone().unwrap_or_default()) @if l.to_discipline { " " (badge(ctx.t("sv-discipline"), "red")) } },
            |l| l.unit_name.clone().unwrap_or_default(),
        )
        .column(
            "state",
            ctx.t("common-status"),
            |l| lead_status(&ctx, &process, l),
            state_name,
        )
        .column(
            "deadline",
            ctx.t("sv-feedback-due"),
            |l| html! { (l.deadline.clone().unwrap_or_default()) " " (light_badge(&ctx, l.deadline.as_deref().and_then(|d| process.light(&cal, &l.state, d, today)))) },
            |l| l.deadline.clone().unwrap_or_default(),
        )
        .exported("filed", ctx.t("col-filed"), |l| fmt_local(l.created_at));
    let extra: Vec<(&str, String)> =
        vec![("state", f.state.clone().unwrap_or_default()), ("channel", f.channel.clone().unwrap_or_default())];
    let mut states = vec![(String::new(), ctx.t("common-all").to_owned())];
    states.extend(process.states.iter().map(|st| (st.id.clone(), process.state_name(&st.id, ctx.lang))));
    let mut channels = vec![(String::new(), ctx.t("common-all").to_owned())];
    channels.extend(CHANNELS.iter().map(|c| ((*c).to_owned(), super::channel_name(ctx.lang, c))));
    respond(&p, "leads", &table, &page.items, || {
        let body = html! {
            div.actions { a.button href="/supervision/new" { (ctx.t("sv-file-lead")) } a.button.secondary href="/supervision/exposures/new" { (ctx.t("sv-register-exposure")) } a.button.secondary href="/supervision/import" { (ctx.t("sv-import-leads")) } a.button.secondary href="/supervision/categories" { (ctx.t("sv-categories")) } a.button.secondary href="/supervision/figures" { (ctx.t("sv-figures-and-map")) } a.button.secondary href="/supervision/teams" { (ctx.t("sv-work-teams")) } a.button.secondary href="/exposures" { (ctx.t("sv-exposures")) } a.button.secondary href="/supervision/channels" { (ctx.t("sv-channel-offices")) } }
            p.muted { (ctx.t("sv-leads-from-the-six-channels")) a href="/report" { "/report" } "。" }
            form.filters method="get" action="/supervision" {
                (text_field(&ctx, "q", ctx.t("common-search"), p.q().unwrap_or(""), None, false))
                (select_field(&ctx, "state", ctx.t("common-status"), &states, f.state.as_deref().unwrap_or(""), None))
                (select_field(&ctx, "channel", ctx.t("sv-channel"), &channels, f.channel.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("sv-no-leads")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("m7"), Section::Of("supervision"), body).into_response()
    })
}

async fn show(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&s, &ctx, id, None).await
}

async fn render(s: &AppState, ctx: &Ctx, id: i64, retry: Option<&Retry>) -> AppResult<Response> {
    let process = s.processes.get(LEAD.kind)?;
    let p2 = process.clone();
    let port = s.registry.tasks().ok();
    let decides = ctx.user.as_ref().zip(port).is_some_and(|(u, p)| crate::kernel::access::allows(u, p.decides));
    let (env, now) = (s.environment(), ctx.now);
    let (d, depts, task_choices) = s
        .look(ctx, Action::ViewLeads, move |tx, u| {
            let u = u.ok_or(AppError::Unauthenticated)?;
            let mut d = detail(tx, u, &p2, id)?;
            super::api::task_standing(tx, &mut d, port, &env, now)?;
            let choices = if decides && d.lead.task_id.is_none() && d.lead.primary_id.is_none() {
                port.map(|p| Ok::<_, AppError>(((p.open_matters)(tx, u)?, (p.assignable)(tx)?))).transpose()?
            } else {
                None
            };
            Ok((d, crate::org::departments::options(tx)?, choices))
        })
        .await?;

    super::api::log_contact_view(s, ctx, &d.lead).await?;
    let l = &d.lead;
    let dept_opts: Vec<(String, String)> = depts.iter().map(|(i, n)| (i.to_string(), n.clone())).collect();
    let body = html! {
        (error_banner(ctx, error(retry, "step")))
        div.card { dl.facts {
            dt { (ctx.t("sv-channel")) } dd { (super::channel_name(ctx.lang, &l.channel)) " · " (source_name(ctx, &l.source)) }
            dt { (ctx.t("sv-category-2")) } dd { (l.category_name) }
            dt { (ctx.t("sv-report")) } dd { (l.description) }
            dt { (ctx.t("sv-where")) } dd { (l.address) @if let (Some(a), Some(b)) = (l.lat, l.lon) { " (" @if let Some(d) = crate::kernel::geo::district_at(a, b) { (d) "，" } (format!("{a:.5}, {b:.5}")) ")" } }
            dt { (ctx.t("sv-reporter")) } dd {
                @if l.reporter_withheld { (badge(ctx.t("sv-reporter-withheld"), "red")) }
                @else if l.reporter_name.is_empty() && l.reporter_contact.is_empty() { (ctx.t("sv-anonymous")) }
                @else { (l.reporter_name) " " (l.reporter_contact) @if l.protects_reporter() { " " (badge(ctx.t("sv-reporter-protected"), "red")) } }
            }
            dt { (ctx.t("common-status")) } dd { (lead_status(ctx, &process, l)) }
            @if let Some(u) = &l.unit_name { dt { (ctx.t("sv-unit")) } dd { (u) @if l.to_discipline { " " (badge(ctx.t("sv-to-the-discipline-commission"), "red")) } } }
            @if let Some(dl) = &l.deadline { dt { (ctx.t("sv-feedback-due")) } dd { (dl) } }
            @if let Some(p) = l.primary_id { dt { (ctx.t("sv-linked-to")) } dd { a href=(format!("/supervision/leads/{p}")) { "#" (p) } } }
            @if !l.outcome.is_empty() { dt { (ctx.t("sv-notice")) } dd { (l.outcome) } }
            @if let Some(t) = l.task_id { dt { (ctx.t("sv-task")) } dd {
                a href=(format!("/tasks/{t}")) { "#" (t) }
                @if let Some(st) = &d.task {
                    " " (badge(if ctx.zh() { &st.state } else { &st.state_en }, if st.finished { "green" } else { "blue" }))
                    " " (ctx.t("sv-task-due")) " " (st.deadline) " " (layout::light_badge(ctx, st.light)) " · " (st.progress) "%"
                }
            } }
            @if let Some(j) = &l.judgement {
                dt { (ctx.t("sv-reporter-s-judgement")) }
                dd { (badge(&super::judgement::name(j, ctx.lang), if super::judgement::counts_as_satisfied(j) { "green" } else { "red" })) @if !l.judgement_comment.is_empty() { " " (l.judgement_comment) } }
            }
        } }
        @if !d.available.is_empty() {
            (layout::transition_forms(ctx, &format!("/supervision/leads/{}", l.id), &d.available.iter().filter_map(|id| process.transition(id)).collect::<Vec<_>>(), |t| html! {
                @if t.id == "transfer" {
                    (layout::picker_field(ctx, "unit_department_id", ctx.t("sv-unit"), &dept_opts, value(retry, "step", "unit_department_id", ""), None, &layout::Pick::UNIT))
                    label { input type="checkbox" name="to_discipline" value="true"; " " (ctx.t("sv-violation-suspected-discipline-commission")) }
                }
                @if t.id == "redirect" {
                    (layout::picker_field(ctx, "unit_department_id", ctx.t("sv-redirect-to"), &dept_opts, "", None, &layout::Pick::UNIT_OPTIONAL))
                }
            }))
        }
        @if ctx.user.as_ref().is_some_and(|u| u.department_id.is_some() && u.department_id == l.unit_department_id)
            && matches!(l.state.as_str(), "fed_back" | "verified" | "notified" | "closed")
            && !l.reporter_contact.trim().is_empty() {
            form.inline method="post" action="/evaluation/invite" {
                (csrf_field(ctx))
                input type="hidden" name="kind" value="lead";
                input type="hidden" name="ref_id" value=(l.id);
                input type="hidden" name="summary" value=(l.description.chars().take(60).collect::<String>());
                button.secondary type="submit" { (ctx.t("sv-ask-the-reporter-to-rate")) }
            }
        }
        @if !d.candidates.is_empty() {
            h2 { (ctx.t("sv-looks-like-the-same-problem")) }
            ul { @for c in &d.candidates { li {
                a href=(format!("/supervision/leads/{}", c.id)) { "#" (c.id) } " " (c.description.chars().take(50).collect::<String>()) " · " (c.address) " " (badge(&c.reason, "yellow"))
                form.inline method="post" action=(format!("/supervision/leads/{}/link", l.id)) {
                    (csrf_field(ctx))
                    input type="hidden" name="primary_id" value=(c.id);
                    " " button.link type="submit" { (ctx.t("sv-link-and-handle-there")) }
                }
            } } }
        }
        @if let Some((matters, people)) = &task_choices {
            @let terr = error(retry, "task");
            details.panel open[terr.is_some()] {
                summary { (ctx.t("sv-make-it-a-coordination-task")) }
                @if matters.is_empty() {
                    (layout::empty_state(ctx.t("sv-you-decide-no-open-matter")))
                } @else {
                    form.stack method="post" action=(format!("/supervision/leads/{}/task", l.id)) {
                        (csrf_field(ctx))
                        (error_banner(ctx, terr))
                        (select_field(ctx, "matter_id", ctx.t("sv-matter"), matters, value(retry, "task", "matter_id", ""), terr))
                        (layout::picker_field(ctx, "lead_department_id", ctx.t("sv-lead-department"), &dept_opts, value(retry, "task", "lead_department_id", ""), terr, &layout::Pick::UNIT))
                        (layout::picker_field(ctx, "assignee_id", ctx.t("sv-responsible-person"), people, value(retry, "task", "assignee_id", ""), terr, &layout::Pick::person_in("lead_department_id")))
                        (layout::input_field(ctx, "date", "deadline", ctx.t("sv-deadline-date"), value(retry, "task", "deadline", ""), terr, false))
                        (layout::input_field(ctx, "number", "working_days", ctx.t("sv-or-within-n-working-days"), value(retry, "task", "working_days", ""), terr, false))
                        div { button type="submit" { (ctx.t("sv-assign")) } }
                    }
                }
            }
        }
        (crate::kernel::web::directives::section(ctx, &d.directives, d.may_direct, &format!("/supervision/leads/{}/directives", l.id), retry))
        h2 { (ctx.t("sv-record")) }
        (layout::history(ctx, &process, &d.history))
    };
    let status = retry.map_or(StatusCode::OK, |r| r.err.status());
    Ok((status, layout::page(ctx, &format!("{} #{}", ctx.t("sv-lead"), l.id), Section::Of("supervision"), body))
        .into_response())
}

async fn step(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let rules = s.rules(&LEAD)?;
    match attempt(&s, &ctx, Action::ViewLeads, "step", form, move |tx, who, st: Step| {
        leads::transition(tx, who, &user, &rules, id, &st)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/supervision/leads/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn direct(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let process = s.processes.get(LEAD.kind)?;
    match attempt(
        &s,
        &ctx,
        Action::ViewLeads,
        "directive",
        form,
        move |tx, who, g: crate::kernel::workflow::directives::Giving| leads::direct(tx, who, &user, &process, id, &g),
    )
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/supervision/leads/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

/// How a lead came in, in words.
fn source_name(ctx: &Ctx, source: &str) -> String {
    match source {
        "web" | "open311" | "staff" => ctx.t(&format!("sv-source-{source}")).to_owned(),
        other => other.to_owned(),
    }
}

async fn to_task(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    let port = s.registry.tasks()?;
    let env = s.environment();
    match attempt(&s, &ctx, port.decides, "task", form, move |tx, who, input: super::to_task::LeadTaskInput| {
        super::to_task::assign_as_task(tx, who, &user, id, &input, (port, &env))
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/supervision/leads/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

#[derive(serde::Deserialize)]
struct LinkForm {
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    primary_id: i64,
}

async fn link(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let user = ctx.user()?.clone();
    match attempt(&s, &ctx, Action::ViewLeads, "step", form, move |tx, who, l: LinkForm| {
        leads::link(tx, who, &user, id, l.primary_id)
    })
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!("/supervision/leads/{id}")).into_response()),
        Err(retry) => render(&s, &ctx, id, Some(&retry)).await,
    }
}

async fn keys(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    keys_page(&s, &ctx, None).await
}

async fn keys_page(s: &AppState, ctx: &Ctx, issued: Option<String>) -> AppResult<Response> {
    let rows = s
        .look(ctx, Action::ManageUsers, |tx, _| {
            tx.query(
                "SELECT id, name, created_by, created_at, revoked_at FROM open311_keys ORDER BY id DESC LIMIT 200",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.int(0)?, r.text(1)?, r.text(2)?, r.int(3)?, r.opt_int(4)?.is_some())))
            .collect::<AppResult<Vec<_>>>()
        })
        .await?;
    let body = html! {
        p.muted { (ctx.t("sv-open311-georeport-v2")) code { "/open311/discovery.json" } " · " code { "/open311/v2/services.json" } }
        @if let Some(k) = &issued { div.notice { p { (ctx.t("sv-new-api-key-shown-once")) } p.secret { code { (k) } } } }
        form.filters method="post" action="/admin/open311" {
            (csrf_field(ctx))
            (text_field(ctx, "name", ctx.t("sv-for"), "", None, true))
            button type="submit" { (ctx.t("sv-issue-an-api-key")) }
        }
        @if rows.is_empty() { (layout::empty_state(ctx.t("sv-no-keys-yet"))) }
        @else { ul { @for (id, name, by, at, revoked) in &rows { li { "#" (id) " " (name) " · " (by) " · " (fmt_local(*at)) @if *revoked { " " (badge(ctx.t("sv-revoked"), "red")) } } } } }
    };
    Ok(layout::page(ctx, "Open311", Section::None, body).into_response())
}

#[derive(serde::Deserialize)]
struct KeyForm {
    name: String,
}

async fn issue(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageUsers, "key", form, |tx, who, k: KeyForm| {
        super::open311::issue_key(tx, who, &k.name)
    })
    .await?
    {
        Ok((_, key)) => keys_page(&s, &ctx, Some(key)).await,
        Err(retry) => Err(retry.err),
    }
}

/// A 通报 laid out as a 公文: issuing unit, number, title, addressees, text, date; the
/// print stylesheet puts it on A4.
async fn notice_page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let n = s
        .look(&ctx, Action::ViewLeads, move |tx, u| super::notices::get(tx, u.ok_or(AppError::Unauthenticated)?, id))
        .await?;
    let date = crate::kernel::clock::local_date(n.issued_at).format("%Y年%-m月%-d日").to_string();
    let body = html! {
        div.actions.no-print {
            button.secondary type="button" onclick="window.print()" { (ctx.t("sv-print")) }
            a.button.secondary href=(format!("/supervision/leads/{}", n.lead_id)) { (ctx.t("sv-lead")) " #" (n.lead_id) }
        }
        article.gongwen {
            header { p.issuer { (ctx.t("sv-notice-issuer")) } p.number { (n.number) } }
            h2.doc-title { (n.title) }
            p.addressees { (n.recipients.join("、")) "：" }
            @for para in n.body.split('\n').filter(|p| !p.trim().is_empty()) { p.para { (para) } }
            p.signature { (ctx.t("sv-notice-issuer")) br; (date) }
        }
    };
    Ok(layout::page(&ctx, &n.number, Section::Of("supervision"), body).into_response())
}

/// Each channel's office, and for administrators a unit picker to change it.
async fn channels_page(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let (offices, units) = s
        .look(&ctx, Action::ViewLeads, |tx, _| Ok((super::api::offices(tx)?, crate::org::departments::options(tx)?)))
        .await?;
    let admin = ctx.user.as_ref().is_some_and(|u| crate::kernel::access::allows(u, Action::ManageOrg));
    let units: Vec<(String, String)> = units.into_iter().map(|(i, n)| (i.to_string(), n)).collect();
    let body = html! {
        p.muted { (ctx.t("sv-channel-offices-explained")) }
        div.table-wrap { table {
            thead { tr { th { (ctx.t("sv-channel")) } th { (ctx.t("sv-channel-office")) } @if admin { th {} } } }
            tbody { @for o in &offices { tr {
                td { (super::channel_name(ctx.lang, &o.channel)) }
                td { (o.department_name.clone().unwrap_or_else(|| ctx.t("sv-no-channel-office").to_owned())) }
                @if admin { td {
                    form.inline method="post" action="/supervision/channels" {
                        (csrf_field(&ctx))
                        input type="hidden" name="channel" value=(o.channel);
                        (layout::picker_field(&ctx, "department_id", &super::channel_name(ctx.lang, &o.channel), &units,
                            &o.department_id.map(|d| d.to_string()).unwrap_or_default(), None, &layout::Pick::UNIT_OPTIONAL))
                        button.secondary type="submit" { (ctx.t("common-save")) }
                    }
                } }
            } } }
        } }
    };
    Ok(layout::page(&ctx, ctx.t("sv-channel-offices"), Section::Of("supervision"), body).into_response())
}

#[derive(serde::Deserialize)]
struct ChannelForm {
    channel: String,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    department_id: Option<i64>,
}

async fn set_channel(State(s): State<AppState>, f: CsrfForm<Fields>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    match attempt(&s, &ctx, Action::ManageOrg, "channel", form, |tx, who, c: ChannelForm| {
        if !super::sight::OFFICE_CHANNELS.contains(&c.channel.as_str()) {
            return Err(AppError::invalid("bad_value", "channel"));
        }
        crate::kernel::access::set_desk(tx, who, &super::sight::desk(&c.channel), c.department_id)
    })
    .await?
    {
        Ok(()) => {
            crate::kernel::web::form::confirm("k-done");
            Ok(Redirect::to("/supervision/channels").into_response())
        }
        Err(retry) => Err(retry.err),
    }
}

/// The public page of exposures, each problem with its unit's response beside it.
async fn exposures_page(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    s.limit_public(&ctx, "exposures")?;
    let list = s.db.read(|tx| super::exposures::recent(tx, 50)).await?;
    let process = s.processes.get(LEAD.kind)?;
    let body = html! {
        p.muted { (ctx.t("sv-units-must-answer-exposed-problems")) }
        @if list.is_empty() { (layout::empty_state(ctx.t("sv-no-exposures-yet"))) }
        @for e in &list {
            div.card {
                h3 { (e.outlet) "《" (e.column_name) "》 " (e.published_on) }
                p { strong { (e.title) } @if !e.link.is_empty() { " " a href=(e.link) rel="noopener noreferrer" { (ctx.t("sv-source")) } } }
                ul { @for p in &e.problems { li {
                    (p.description) " — " (p.unit.clone().unwrap_or_default()) " "
                    (badge(&process.state_name(&p.state, ctx.lang), if process.is_final(&p.state) { "green" } else { "blue" }))
                    @if super::exposures::late(p, ctx.now) { " " (badge(ctx.t("sv-answer-late"), "red")) }
                    @if let Some(r) = &p.response { div { strong { (ctx.t("sv-response")) } (r) } }
                    @if !p.outcome.is_empty() { div.muted { (ctx.t("sv-notice-2")) (p.outcome) } }
                } } }
            }
        }
    };
    Ok(layout::page(&ctx, ctx.t("sv-exposures"), Section::Public("/exposures"), body).into_response())
}

/// Work teams with their visits and inquiries, and the leads their findings became.
#[derive(serde::Deserialize, Default)]
struct FiguresQuery {
    format: Option<String>,
    group: Option<String>,
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// Figures per channel and unit, with their definitions, a chart and the map.
async fn figures_page(State(s): State<AppState>, ctx: Ctx, Q(q): Q<FiguresQuery>) -> AppResult<Response> {
    let today = crate::kernel::clock::local_date(ctx.now).to_string();
    let shown = period::asked(q.period.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let p = shown.clone();
    let (by_channel, by_unit, points, notices) = s
        .look(&ctx, Action::ViewLeads, move |tx, u| {
            let u = u.ok_or(AppError::Unauthenticated)?;
            let reader = (!leads::is_office(u)).then_some(u.id);
            Ok((
                super::figures::figures(tx, "channel", &today, p.as_ref())?,
                super::figures::figures(tx, "unit", &today, p.as_ref())?,
                super::figures::points(tx)?,
                crate::kernel::workflow::bulletins::recent(tx, &super::bulletins::SERIES, reader, 10)?,
            ))
        })
        .await?;
    let channel_name = |c: &str| super::channel_name(ctx.lang, c);
    let pct = |r: Option<f64>| r.map_or("—".to_owned(), |v| format!("{:.0}%", v * 100.0));
    let export_as = ListParams { format: q.format.clone(), ..Default::default() };
    let table = |group: &str, label: &'static dyn Fn(&Ctx, &str) -> String| {
        let ctx = &ctx;
        Table::new()
            .column("group", group, move |f: &Figures| html! { (label(ctx, &f.key)) }, move |f| label(ctx, &f.key))
            .column(
                "leads",
                ctx.t("sv-leads"),
                move |f: &Figures| period::beside(ctx, &f.leads.to_string(), f.previous.as_ref().map(|b| b.leads.to_string()).as_deref()),
                |f| f.leads.to_string(),
            )
            .text("transferred", ctx.t("sv-transferred"), |f| f.transferred.to_string())
            .column(
                "response_rate",
                ctx.t("sv-response-2"),
                move |f| period::beside(ctx, &pct(f.response_rate), f.previous.as_ref().map(|b| pct(b.response_rate)).as_deref()),
                move |f| pct(f.response_rate),
            )
            .column(
                "resolution_rate",
                ctx.t("sv-resolution"),
                move |f| period::beside(ctx, &pct(f.resolution_rate), f.previous.as_ref().map(|b| pct(b.resolution_rate)).as_deref()),
                move |f| pct(f.resolution_rate),
            )
            .column(
                "satisfaction_rate",
                ctx.t("sv-satisfaction-judged"),
                move |f| html! { (period::beside(ctx, &format!("{} ({})", pct(f.satisfaction_rate), f.judged), f.previous.as_ref().map(|b| pct(b.satisfaction_rate)).as_deref())) },
                move |f| pct(f.satisfaction_rate),
            )
            .exported("previous_period", ctx.t("col-previous-period"), |f| f.previous.as_ref().map(|b| b.period.clone()).unwrap_or_default())
            .exported("previous_leads", ctx.t("col-previous-leads"), |f| f.previous.as_ref().map(|b| b.leads.to_string()).unwrap_or_default())
            .exported("previous_response_rate", ctx.t("col-previous-response-rate"), move |f| f.previous.as_ref().map(|b| pct(b.response_rate)).unwrap_or_default())
            .exported("judged", ctx.t("col-judged"), |f| f.judged.to_string())
            .column(
                "overdue",
                ctx.t("sv-overdue"),
                |f| html! { @if f.overdue > 0 { (badge(&f.overdue.to_string(), "red")) } @else { "0" } },
                |f| f.overdue.to_string(),
            )
            .column(
                "hours_to_feedback",
                ctx.t("sv-hours-to-feedback"),
                |f| html! { (f.hours_to_feedback.map_or("—".to_owned(), |h| format!("{h:.1}"))) },
                |f| f.hours_to_feedback.map_or(String::new(), |h| format!("{h:.1}")),
            )
    };
    let (by_channel_table, by_unit_table) = (
        table(ctx.t("sv-channel"), &|ctx, k| super::channel_name(ctx.lang, k)),
        table(ctx.t("sv-unit"), &|ctx, k| {
            if k.is_empty() { ctx.t("sv-not-yet-transferred").to_owned() } else { k.to_owned() }
        }),
    );
    let (chosen, rows_of) =
        if q.group.as_deref() == Some("unit") { (&by_unit_table, &by_unit) } else { (&by_channel_table, &by_channel) };
    let pins: Vec<crate::kernel::web::map::Pin> = points
        .iter()
        .map(|p| crate::kernel::web::map::Pin {
            lat: p.lat,
            lon: p.lon,
            href: format!("/supervision/leads/{}", p.id),
            title: format!("#{}", p.id),
            finished: p.closed,
        })
        .collect();
    let bars: Vec<(String, f64, String)> = by_channel
        .iter()
        .map(|f| (channel_name(&f.key), f.response_rate.unwrap_or(0.0), pct(f.response_rate)))
        .collect();
    let keep = [("period", shown.as_ref().map(|p| p.key()).unwrap_or_default())];
    respond(&export_as, "lead-figures", chosen, rows_of, || {
        let body = html! {
            (period::chooser(&ctx, &[("group", q.group.clone().unwrap_or_default())], shown.as_ref(), true))
            p.muted { (ctx.t("sv-definitions-response-rate-leads-fed"))
                @if let Some(p) = &shown { " " (ctx.t("sv-definitions-period")) " " (ctx.t_args("k-period-compared", &[("previous", &period::label(&ctx, &p.previous()))])) } }
            @if by_channel.is_empty() { (layout::empty_state(ctx.t("sv-no-leads"))) }
            @else {
                div.card { (maud::PreEscaped(crate::kernel::web::chart::bars(ctx.t("sv-response-rate-by-channel"), &bars, 1.0, "#1f5fbf"))) }
                h2 { (ctx.t("sv-by-channel")) } p { a href=(link_with(&ctx, &keep, &[("format", "csv")])) { (ctx.t("common-export_csv")) } " · " a href=(link_with(&ctx, &keep, &[("format", "xlsx")])) { (ctx.t("common-export_xlsx")) } }
                (by_channel_table.render(&ctx, &export_as, &[], &by_channel, ""))
                h2 { (ctx.t("sv-by-unit")) } p { a href=(link_with(&ctx, &keep, &[("group", "unit"), ("format", "csv")])) { (ctx.t("common-export_csv")) } " · " a href=(link_with(&ctx, &keep, &[("group", "unit"), ("format", "xlsx")])) { (ctx.t("common-export_xlsx")) } }
                (by_unit_table.render(&ctx, &export_as, &[], &by_unit, ""))
            }
            @if !notices.is_empty() {
                h2 { (ctx.t("sv-bulletins")) }
                ul { @for (id, number, n) in &notices { li { a href=(format!("/supervision/bulletins/{id}")) { (number) } " · " (n) } } }
            }
            h2 { (ctx.t("sv-where-leads-with-coordinates-red")) }
            div.card { (maud::PreEscaped(crate::kernel::web::map::with_pins(ctx.t("sv-where-leads-with-coordinates-red"), &pins))) }
        };
        let title = match &shown {
            Some(p) => format!("{} · {}", ctx.t("sv-supervision-figures"), period::label(&ctx, p)),
            None => ctx.t("sv-supervision-figures").to_owned(),
        };
        layout::page(&ctx, &title, Section::Of("supervision"), body).into_response()
    })
}

/// A lead's status as the list and its page both show it: a lead handled with another is
/// 已合并, whatever state it was in when linked.
fn lead_status(ctx: &Ctx, process: &crate::kernel::workflow::Process, l: &super::leads::Lead) -> maud::Markup {
    if l.primary_id.is_some() {
        badge(ctx.t("sv-linked"), "")
    } else {
        badge(&process.state_name(&l.state, ctx.lang), if process.is_final(&l.state) { "green" } else { "blue" })
    }
}
