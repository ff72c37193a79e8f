//! Pages: the user's own account (password, API tokens) and account administration.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;
use serde::Deserialize;

use super::service::{self, NewUser, User, UserFilter, UserUpdate};
use super::sign_in;
use crate::kernel::access::{self, Action, Role};
use crate::kernel::auth::{self, NewToken};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n;
use crate::kernel::notify;
use crate::kernel::second_factor;
use crate::kernel::validate;
use crate::kernel::web::layout::{self, Section, csrf_field, error_banner, select_field, text_field};
use crate::kernel::web::list::{ListParams, pager};
use crate::kernel::web::table::{Table, respond};
use crate::kernel::web::{AppState, CsrfForm, Ctx, Q};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(sign_in::show).post(sign_in::submit))
        .route("/logout", post(sign_in::sign_out))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/notifications", post(set_notifications))
        .route("/account/second-factor", post(start_second_factor))
        .route("/account/second-factor/confirm", post(confirm_second_factor))
        .route("/account/second-factor/disable", post(disable_second_factor))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/new", get(new_user))
        .route("/admin/users/{id}", get(edit_user).post(update_user))
        .route("/admin/users/{id}/status", post(set_status))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/users/{id}/unlock", post(unlock))
        .route("/admin/users/{id}/role", post(set_role))
        .route("/admin/users/{id}/second-factor/reset", post(reset_second_factor))
        .route("/admin/users/{id}/personal-data", post(export_personal_data))
}

async fn account_page(
    s: &AppState,
    ctx: &Ctx,
    err: Option<&AppError>,
    new_token: Option<&NewToken>,
    notice: Option<&str>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let uid = user.id;
    let kinds = s.registry.note_kinds();
    let now = ctx.now;
    let (tokens, prefs, expired, factor, required, enrolment) =
        s.db.read(move |tx| {
            Ok((
                auth::list_tokens(tx, uid)?,
                notify::preferences(tx, uid, &kinds)?,
                auth::password_expired(tx, uid, now)?,
                second_factor::enabled(tx, uid)?,
                second_factor::must_set_up(tx, uid)?,
                second_factor::pending(tx, uid)?,
            ))
        })
        .await?;
    let reach = [
        ("now".to_owned(), ctx.t("acc-reach-now").to_owned()),
        ("digest".to_owned(), ctx.t("acc-reach-digest").to_owned()),
        ("inbox".to_owned(), ctx.t("acc-reach-inbox").to_owned()),
    ];
    let body = html! {
        @if let Some(n) = notice { div.notice { (n) } }
        @if expired && err.is_none() { div.alert role="alert" { (ctx.t("password_expired")) } }
        @if required && !expired && err.is_none() && enrolment.is_none() {
            div.alert role="alert" { (ctx.t("second_factor_required")) }
        }
        (error_banner(ctx, err))
        div.card { dl.facts {
            dt { (ctx.t("login-username")) } dd { (user.username) }
            dt { (ctx.t("home-your_role")) } dd { (ctx.t(&user.role.label_key())) }
        } }
        h2 { (ctx.t("acc-change-password")) }
        form.stack method="post" action="/account/password" {
            (csrf_field(ctx))
            label.field { span { (ctx.t("acc-current-password")) } input type="password" name="current" required autocomplete="current-password"; }
            label.field { span { (ctx.t("acc-new-password-10-characters-or")) } input type="password" name="password" required autocomplete="new-password"; }
            div { button type="submit" { (ctx.t("common-save")) } }
        }
        h2 { (ctx.t("acc-second-factor")) }
        @if let Some(e) = &enrolment {
            div.card {
                p { (ctx.t("acc-second-factor-scan")) }
                div.qr { (maud::PreEscaped(layout::qr_svg(&e.link))) }
                p { span.muted { (ctx.t("acc-second-factor-key")) " " } code.secret { (e.secret) } }
                form.filters method="post" action="/account/second-factor/confirm" {
                    (csrf_field(ctx))
                    (layout::input_field(ctx, "text", "code", ctx.t("login-code"), "", err, true))
                    button type="submit" { (ctx.t("acc-second-factor-confirm")) }
                }
            }
        } @else if factor {
            p { (layout::badge(ctx.t("acc-second-factor-on"), "green")) }
            form.filters method="post" action="/account/second-factor/disable" {
                (csrf_field(ctx))
                (layout::input_field(ctx, "text", "code", ctx.t("login-code"), "", err, true))
                button.secondary type="submit" { (ctx.t("acc-second-factor-turn-off")) }
            }
        } @else {
            p.muted { (ctx.t("acc-second-factor-intro")) }
            form.inline method="post" action="/account/second-factor" {
                (csrf_field(ctx))
                button type="submit" { (ctx.t("acc-second-factor-set-up")) }
            }
        }
        h2 { (ctx.t("acc-notifications")) }
        p.muted { (ctx.t("acc-notifications-intro")) }
        form.stack method="post" action="/account/notifications" {
            (csrf_field(ctx))
            @for p in &prefs {
                (select_field(ctx, &p.kind, i18n::lookup(ctx.lang, &format!("record-{}", p.kind)).unwrap_or(&p.kind), &reach, p.delivery.as_str(), None))
            }
            div { button type="submit" { (ctx.t("common-save")) } }
        }
        h2 { (ctx.t("acc-api-tokens")) }
        @if let Some(t) = new_token {
            div.notice {
                p { (ctx.t("acc-your-new-token-shown-this")) }
                p.secret { code { (t.secret) } }
            }
        }
        p.muted { (ctx.t("acc-integrations-call-the-api-with")) }
        form.filters method="post" action="/account/tokens" {
            (csrf_field(ctx))
            (text_field(ctx, "name", ctx.t("common-name"), "", None, true))
            (select_field(ctx, "scopes", ctx.t("acc-scope"), &[("read".into(), ctx.t("acc-scope-read").into()), ("read,write".into(), ctx.t("acc-scope-read-write").into())], "read", None))
            (layout::input_field(ctx, "number", "days", ctx.t("acc-days-valid"), "30", None, true))
            button type="submit" { (ctx.t("acc-create-token")) }
        }
        @if tokens.is_empty() {
            (layout::empty_state(ctx.t("acc-you-have-no-api-tokens")))
        } @else {
            div.table-wrap { table {
                thead { tr { th { (ctx.t("common-name")) } th { (ctx.t("acc-prefix")) } th { (ctx.t("acc-scope-2")) } th { (ctx.t("acc-expires")) } th { (ctx.t("common-status")) } th {} } }
                tbody { @for t in &tokens { tr {
                    td { (t.name) } td { code { (t.prefix) "…" } } td { (t.scopes.join(", ")) } td { (t.expires_at.get(..10).unwrap_or("")) }
                    td { @if t.revoked { (layout::badge(ctx.t("acc-revoked"), "red")) } @else { (layout::badge(ctx.t("common-active"), "green")) } }
                    td { @if !t.revoked { form.inline method="post" action=(format!("/account/tokens/{}/revoke", t.id)) { (csrf_field(ctx)) button.secondary type="submit" { (ctx.t("acc-revoke")) } } } }
                } } }
            } }
        }
    };
    let status = err.map_or(axum::http::StatusCode::OK, AppError::status);
    Ok((status, layout::page(ctx, ctx.t("nav-account"), Section::Account, body)).into_response())
}

async fn account(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    account_page(&s, &ctx, None, None, None).await
}

async fn start_second_factor(
    State(s): State<AppState>,
    f: CsrfForm<crate::kernel::web::form::Fields>,
) -> AppResult<Response> {
    let ctx = f.ctx;
    let me = ctx.user()?.clone();
    s.change(&ctx, Action::ManageOwnAccount, move |tx, who| second_factor::start(tx, who, me.id, &me.username)).await?;
    account_page(&s, &ctx, None, None, None).await
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn confirm_second_factor(State(s): State<AppState>, f: CsrfForm<CodeForm>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let id = ctx.user()?.id;
    let code = form.code;
    match s.change(&ctx, Action::ManageOwnAccount, move |tx, who| second_factor::confirm(tx, who, id, &code)).await {
        Ok(()) => account_page(&s, &ctx, None, None, Some(ctx.t("acc-second-factor-on"))).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            account_page(&s, &ctx, Some(&e), None, None).await
        }
        Err(e) => Err(e),
    }
}

async fn disable_second_factor(State(s): State<AppState>, f: CsrfForm<CodeForm>) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let me = ctx.user()?.clone();
    let code = form.code;
    let off = s
        .change(&ctx, Action::ManageOwnAccount, move |tx, who| second_factor::disable(tx, who, me.id, me.role, &code))
        .await;
    match off {
        Ok(()) => account_page(&s, &ctx, None, None, Some(ctx.t("common-saved"))).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            account_page(&s, &ctx, Some(&e), None, None).await
        }
        Err(e) => Err(e),
    }
}

/// The person's choice, per kind of note, of e-mail and SMS or the inbox only.
async fn set_notifications(
    State(s): State<AppState>,
    f: CsrfForm<crate::kernel::web::form::Fields>,
) -> AppResult<Response> {
    let CsrfForm { ctx, form } = f;
    let uid = ctx.user()?.id;
    let kinds = s.registry.note_kinds();
    let mut chosen = Vec::new();
    for kind in &kinds {
        let delivery = match form.get(*kind).map(String::as_str) {
            Some("inbox") => notify::Reach::Inbox,
            Some("digest") => notify::Reach::Digest,
            Some("now") | None => notify::Reach::Now,
            Some(_) => return Err(AppError::invalid("bad_value", "delivery")),
        };
        chosen.push(notify::Preference { kind: (*kind).to_owned(), delivery });
    }
    s.change(&ctx, Action::ManageOwnAccount, move |tx, who| notify::set_preferences(tx, who, uid, &kinds, &chosen))
        .await?;
    crate::kernel::web::form::confirm("k-done");
    Ok(Redirect::to("/account").into_response())
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    password: String,
}

async fn change_password(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    f: CsrfForm<PasswordForm>,
) -> AppResult<Response> {
    let ctx = f.ctx;
    let user = ctx.user()?.clone();
    let result = async {
        let pw = validate::password(&f.form.password, &user.username)?;
        auth::check_password(&s.db, &ctx.who(), &user.username, &f.form.current).await.map_err(|e| {
            if matches!(e, AppError::Invalid { .. }) { AppError::invalid("bad_credentials", "current") } else { e }
        })?;
        let (uid, candidate) = (user.id, pw.clone());
        s.db.read(move |tx| service::check_history(tx, uid, &candidate)).await?;
        let hash = service::hash(pw).await?;
        let keep = crate::kernel::web::cookie(&headers, auth::SESSION_COOKIE).map(str::to_owned);
        s.change(&ctx, Action::ManageOwnAccount, move |tx, who| {
            service::set_password(tx, who, user.id, &hash, keep.as_deref())
        })
        .await
    }
    .await;
    match result {
        Ok(()) => account_page(&s, &ctx, None, None, Some(ctx.t("common-saved"))).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Locked)) => account_page(&s, &ctx, Some(&e), None, None).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
    scopes: String,
    days: String,
}

async fn create_token(State(s): State<AppState>, f: CsrfForm<TokenForm>) -> AppResult<Response> {
    let ctx = f.ctx;
    let uid = ctx.user()?.id;
    let days = f.form.days.trim().parse::<i64>().map_err(|_| AppError::invalid("bad_value", "expires_in_days"));
    let result = match days {
        Ok(days) => {
            let (name, scopes, max_days) = (f.form.name, f.form.scopes, s.settings.max_token_days);
            s.change(&ctx, Action::ManageOwnAccount, move |tx, who| {
                auth::create_token(tx, who, uid, &name, &[scopes], days, max_days)
            })
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(t) => account_page(&s, &ctx, None, Some(&t), None).await,
        Err(e @ AppError::Invalid { .. }) => account_page(&s, &ctx, Some(&e), None, None).await,
        Err(e) => Err(e),
    }
}

async fn revoke_token(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    f: CsrfForm<sign_in::Empty>,
) -> AppResult<Response> {
    let actor = f.ctx.user()?.clone();
    s.change(&f.ctx, Action::ManageOwnAccount, move |tx, who| auth::revoke_token(tx, who, &actor, id)).await?;
    Ok(Redirect::to("/account").into_response())
}

/// The roles to choose from: every one, or only business roles (a new account made by
/// the system administrator).
fn role_options(ctx: &Ctx, business_only: bool) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .filter(|r| !(business_only && r.is_administrator()))
        .map(|r| (r.as_str().to_owned(), ctx.t(&r.label_key()).to_owned()))
        .collect()
}

fn with_none(ctx: &Ctx, opts: Vec<(i64, String)>) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), ctx.t("common-none").to_owned())];
    out.extend(opts.into_iter().map(|(id, name)| (id.to_string(), name)));
    out
}

async fn users(State(s): State<AppState>, ctx: Ctx, Q(p): Q<ListParams>, Q(f): Q<UserFilter>) -> AppResult<Response> {
    let (pq, fq) = (p.clone(), f.clone());
    let (page, depts) = s
        .look(&ctx, Action::ViewUsers, move |tx, _| {
            Ok((service::list(tx, &fq, &pq)?, crate::org::departments::options(tx)?))
        })
        .await?;
    let status_text = |u: &User| if u.active { ctx.t("common-active") } else { ctx.t("common-inactive") }.to_owned();
    let table = Table::new()
        .row_class(|u: &User| if u.active { "" } else { "inactive" })
        .exported("id", ctx.t("col-id"), |u| u.id.to_string())
        .column(
            "username",
            ctx.t("login-username"),
            |u| html! { a href=(format!("/admin/users/{}", u.id)) { (u.username) } },
            |u| u.username.clone(),
        )
        .sorts("username")
        .text("name", ctx.t("common-name"), |u| u.display_name.clone())
        .sorts("name")
        .text("role", ctx.t("acc-role"), |u| ctx.t(&u.role.label_key()).to_owned())
        .sorts("role")
        .column(
            "department",
            ctx.t("common-department"),
            |u| html! { (u.department_name.clone().unwrap_or_default()) @if let Some(v) = &u.division_name { " · " (v) } },
            |u| u.department_name.clone().unwrap_or_default(),
        )
        .exported("division", ctx.t("col-division"), |u| u.division_name.clone().unwrap_or_default())
        .column(
            "status",
            ctx.t("common-status"),
            |u| html! {
                @if u.active { (layout::badge(ctx.t("common-active"), "green")) } @else { (layout::badge(ctx.t("common-inactive"), "")) }
                @if u.locked_until.is_some_and(|t| t > ctx.now) { " " (layout::badge(ctx.t("acc-locked"), "red")) }
            },
            status_text,
        );
    let extra: Vec<(&str, String)> = vec![
        ("role", f.role.clone().unwrap_or_default()),
        ("department_id", f.department_id.map(|d| d.to_string()).unwrap_or_default()),
        ("status", f.status.clone().unwrap_or_default()),
    ];
    let mut roles = vec![(String::new(), ctx.t("common-all").to_owned())];
    roles.extend(role_options(&ctx, false));
    let mut dept_opts = vec![(String::new(), ctx.t("common-all").to_owned())];
    dept_opts.extend(depts.into_iter().map(|(id, n)| (id.to_string(), n)));
    let statuses = status_options(&ctx);
    respond(&p, "users", &table, &page.items, || {
        let creates = ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ManageUsers));
        let body = html! {
            @if creates { div.actions { a.button href="/admin/users/new" { (ctx.t("common-create")) } } }
            form.filters method="get" action="/admin/users" {
                (text_field(&ctx, "q", ctx.t("common-search"), p.q().unwrap_or(""), None, false))
                (select_field(&ctx, "role", ctx.t("acc-role"), &roles, f.role.as_deref().unwrap_or(""), None))
                (select_field(&ctx, "department_id", ctx.t("common-department"), &dept_opts, &f.department_id.map(|d| d.to_string()).unwrap_or_default(), None))
                (select_field(&ctx, "status", ctx.t("common-status"), &statuses, f.status.as_deref().unwrap_or(""), None))
                button type="submit" { (ctx.t("common-filter")) }
            }
            (table.render(&ctx, &p, &extra, &page.items, ctx.t("acc-no-users-match-use-create")))
            (pager(&ctx, &p, &extra, page.total))
        };
        layout::page(&ctx, ctx.t("nav-users"), Section::Users, body).into_response()
    })
}

fn status_options(ctx: &Ctx) -> Vec<(String, String)> {
    vec![
        (String::new(), ctx.t("common-all").to_owned()),
        ("active".into(), ctx.t("common-active").to_owned()),
        ("inactive".into(), ctx.t("common-inactive").to_owned()),
        ("locked".into(), ctx.t("acc-locked").to_owned()),
    ]
}

#[derive(Deserialize, Default, Clone)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    division_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
}

impl UserForm {
    fn ids(&self) -> AppResult<(Option<i64>, Option<i64>)> {
        let parse = |s: &str, field: &'static str| -> AppResult<Option<i64>> {
            let s = s.trim();
            if s.is_empty() { Ok(None) } else { s.parse().map(Some).map_err(|_| AppError::invalid("bad_value", field)) }
        };
        Ok((parse(&self.department_id, "department_id")?, parse(&self.division_id, "division_id")?))
    }
}

async fn user_form_page(
    s: &AppState,
    ctx: &Ctx,
    id: Option<i64>,
    form: UserForm,
    err: Option<&AppError>,
) -> AppResult<Response> {
    let (depts, divs, user, factor) = s
        .look(ctx, Action::ViewUsers, move |tx, _| {
            let user = id.map(|id| service::find(tx, id)).transpose()?;
            let factor = match id {
                Some(id) => second_factor::enabled(tx, id)?,
                None => false,
            };
            Ok((crate::org::departments::options(tx)?, crate::org::divisions::options(tx)?, user, factor))
        })
        .await?;
    let Some(actor) = ctx.user.as_ref() else { return Err(AppError::Unauthenticated) };
    let keeps = access::allows(actor, Action::ManageUsers)
        && user.as_ref().is_none_or(|u| access::require_account_duty(actor, u.role).is_ok());
    let grants = access::allows(actor, Action::ManageRoles);
    if user.is_none() && !keeps {
        return Err(AppError::Forbidden);
    }
    let action = id.map_or_else(|| "/admin/users".to_owned(), |id| format!("/admin/users/{id}"));
    let body = html! {
        (error_banner(ctx, err))
        @if let Some(u) = user.as_ref().filter(|_| !keeps) {
            dl.facts {
                dt { (ctx.t("login-username")) } dd { (u.username) }
                dt { (ctx.t("acc-display-name")) } dd { (u.display_name) }
                dt { (ctx.t("acc-role")) } dd { (ctx.t(&u.role.label_key())) }
                dt { (ctx.t("common-department")) } dd { (u.department_name.clone().unwrap_or_default()) }
            }
            @if u.role.is_administrator() && access::allows(actor, Action::ManageUsers) {
                p.muted { (ctx.t("acc-administrators-kept-on-the-host")) }
            }
        }
        @if keeps { form.stack method="post" action=(action) {
            (csrf_field(ctx))
            @if id.is_none() {
                (text_field(ctx, "username", ctx.t("login-username"), &form.username, err, true))
            }
            (text_field(ctx, "display_name", ctx.t("acc-display-name"), &form.display_name, err, true))
            @if id.is_none() {
                (select_field(ctx, "role", ctx.t("acc-role"), &role_options(ctx, true), &form.role, err))
            } @else {
                @if let Some(u) = &user { p { span.muted { (ctx.t("acc-role")) ": " } (ctx.t(&u.role.label_key())) } }
            }
            (select_field(ctx, "department_id", ctx.t("common-department"), &with_none(ctx, depts), &form.department_id, err))
            (select_field(ctx, "division_id", ctx.t("common-division"), &with_none(ctx, divs), &form.division_id, err))
            (layout::input_field(ctx, "email", "email", ctx.t("acc-e-mail-for-notifications"), &form.email, err, false))
            (layout::input_field(ctx, "tel", "phone", ctx.t("acc-mobile-for-sms"), &form.phone, err, false))
            @if id.is_none() {
                label.field { span { (ctx.t("login-password")) " " span.muted { (ctx.t("acc-10-characters-or-more")) } }
                    input type="password" name="password" required autocomplete="new-password"; }
            }
            div.actions { button type="submit" { (ctx.t("common-save")) } a href="/admin/users" { (ctx.t("common-cancel")) } }
        } }
        @if let Some(u) = user.as_ref().filter(|_| grants) {
            @if u.id != actor.id {
                h2 { (ctx.t("acc-role")) }
                form.filters method="post" action=(format!("/admin/users/{}/role", u.id)) {
                    (csrf_field(ctx))
                    (select_field(ctx, "role", ctx.t("acc-role"), &role_options(ctx, false), u.role.as_str(), err))
                    button.secondary type="submit" { (ctx.t("acc-grant-role")) }
                }
            }
            @if factor && u.id != actor.id {
                form.inline method="post" action=(format!("/admin/users/{}/second-factor/reset", u.id)) {
                    (csrf_field(ctx))
                    (layout::badge(ctx.t("acc-second-factor-on"), "green")) " "
                    button.secondary type="submit" { (ctx.t("acc-second-factor-reset")) }
                }
            }
            @if u.locked_until.is_some_and(|t| t > ctx.now) {
                form.inline method="post" action=(format!("/admin/users/{}/unlock", u.id)) {
                    (csrf_field(ctx))
                    (layout::badge(ctx.t("acc-locked-after-failed-sign-ins"), "red")) " "
                    button.secondary type="submit" { (ctx.t("acc-unlock")) }
                }
            }
        }
        @if let Some(u) = user.as_ref().filter(|_| keeps) {
            h2 { (ctx.t("common-status")) }
            form.inline method="post" action=(format!("/admin/users/{}/status", u.id)) {
                (csrf_field(ctx))
                input type="hidden" name="active" value=(if u.active { "false" } else { "true" });
                button.secondary type="submit" { @if u.active { (ctx.t("acc-disable-account")) } @else { (ctx.t("acc-enable-account")) } }
            }
            h2 { (ctx.t("acc-reset-password")) }
            form.filters method="post" action=(format!("/admin/users/{}/password", u.id)) {
                (csrf_field(ctx))
                label.field { span { (ctx.t("acc-new-password")) } input type="password" name="password" required autocomplete="new-password"; }
                button.secondary type="submit" { (ctx.t("common-save")) }
            }
            h2 { (ctx.t("acc-personal-data")) }
            form.inline method="post" action=(format!("/admin/users/{}/personal-data", u.id)) {
                (csrf_field(ctx))
                span.muted { (ctx.t("acc-personal-data-hint")) } " "
                button.secondary type="submit" { (ctx.t("acc-personal-data-export")) }
            }
        }
        @if let Some(u) = &user { p { (layout::history_link(ctx, "user", u.id)) } }
    };
    let title = match &user {
        Some(u) if keeps => format!("{} · {}", ctx.t("common-edit"), u.display_name),
        Some(u) => u.display_name.clone(),
        None => format!("{} · {}", ctx.t("common-create"), ctx.t("nav-users")),
    };
    let status = err.map_or(axum::http::StatusCode::OK, AppError::status);
    Ok((status, layout::page(ctx, &title, Section::Users, body)).into_response())
}

async fn new_user(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let form = UserForm { role: "staff".into(), ..Default::default() };
    user_form_page(&s, &ctx, None, form, None).await
}

async fn edit_user(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    edit_user_with(&s, &ctx, id, None).await
}

async fn edit_user_with(s: &AppState, ctx: &Ctx, id: i64, err: Option<&AppError>) -> AppResult<Response> {
    let u = super::api::read_user(s, ctx, id).await?;
    let form = UserForm {
        username: u.username,
        display_name: u.display_name,
        role: u.role.as_str().into(),
        department_id: u.department_id.map(|d| d.to_string()).unwrap_or_default(),
        division_id: u.division_id.map(|d| d.to_string()).unwrap_or_default(),
        password: String::new(),
        email: u.email.unwrap_or_default(),
        phone: u.phone.unwrap_or_default(),
    };
    user_form_page(s, ctx, Some(id), form, err).await
}

async fn create_user(State(s): State<AppState>, f: CsrfForm<UserForm>) -> AppResult<Response> {
    let ctx = f.ctx;
    let actor = ctx.require(Action::ManageUsers)?.clone();
    let form = f.form;
    let result = async {
        service::check_new_role(&actor, &form.role)?;
        let (department_id, division_id) = form.ids()?;
        let input = NewUser {
            username: form.username.clone(),
            display_name: form.display_name.clone(),
            role: form.role.clone(),
            department_id,
            division_id,
            password: form.password.clone(),
            email: Some(form.email.clone()),
            phone: Some(form.phone.clone()),
        };
        service::check_new(&input)?;
        let hash = service::hash(input.password.clone()).await?;
        s.change(&ctx, Action::ManageUsers, move |tx, who| service::create(tx, who, &input, &hash)).await
    }
    .await;
    match result {
        Ok(u) => Ok(Redirect::to(&format!("/admin/users/{}", u.id)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. } | AppError::Refused { .. })) => {
            user_form_page(&s, &ctx, None, form, Some(&e)).await
        }
        Err(e) => Err(e),
    }
}

async fn update_user(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<UserForm>) -> AppResult<Response> {
    let ctx = f.ctx;
    let form = f.form;
    let result = match form.ids() {
        Ok((department_id, division_id)) => {
            let input = UserUpdate {
                display_name: form.display_name.clone(),
                role: None,
                department_id,
                division_id,
                email: Some(form.email.clone()),
                phone: Some(form.phone.clone()),
            };
            let actor = ctx.require(Action::ManageUsers)?.clone();
            s.change(&ctx, Action::ManageUsers, move |tx, who| service::update(tx, who, &actor, id, &input)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            user_form_page(&s, &ctx, Some(id), form, Some(&e)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(deserialize_with = "crate::kernel::web::de::flag")]
    active: bool,
}

async fn set_status(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<StatusForm>) -> AppResult<Response> {
    let actor = f.ctx.user.clone();
    let active = f.form.active;
    s.change(&f.ctx, Action::ManageUsers, move |tx, who| service::set_active(tx, who, actor.as_ref(), id, active))
        .await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

async fn unlock(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    f: CsrfForm<crate::kernel::web::form::Fields>,
) -> AppResult<Response> {
    s.change(&f.ctx, Action::ManageRoles, move |tx, who| auth::unlock(tx, who, id)).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

async fn export_personal_data(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    f: CsrfForm<crate::kernel::web::form::Fields>,
) -> AppResult<Response> {
    let data = super::api::personal_data(&s, &f.ctx, id).await?;
    Ok(crate::kernel::web::list::download(&format!("personal-data-{id}.json"), "application/json", data.into_bytes()))
}

async fn reset_second_factor(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    f: CsrfForm<crate::kernel::web::form::Fields>,
) -> AppResult<Response> {
    let ctx = f.ctx;
    let reset = s
        .change(&ctx, Action::ManageRoles, move |tx, who| {
            service::find(tx, id)?;
            second_factor::reset(tx, who, id)
        })
        .await;
    match reset {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(e @ AppError::Conflict { .. }) => edit_user_with(&s, &ctx, id, Some(&e)).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
}

async fn set_role(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<RoleForm>) -> AppResult<Response> {
    let ctx = f.ctx;
    let actor = ctx.require(Action::ManageRoles)?.clone();
    let role = f.form.role;
    match s.change(&ctx, Action::ManageRoles, move |tx, who| service::set_role(tx, who, &actor, id, &role)).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => edit_user_with(&s, &ctx, id, Some(&e)).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct ResetForm {
    password: String,
}

async fn reset_password(State(s): State<AppState>, Path(id): Path<i64>, f: CsrfForm<ResetForm>) -> AppResult<Response> {
    let ctx = f.ctx;
    let actor = ctx.require(Action::ManageUsers)?.clone();
    let u = s.look(&ctx, Action::ManageUsers, move |tx, _| service::kept_by(tx, &actor, id)).await?;
    let candidate = f.form.password.clone();
    let checked = match validate::password(&f.form.password, &u.username) {
        Ok(pw) => s.db.read(move |tx| service::check_history(tx, id, &candidate)).await.map(|()| pw),
        Err(e) => Err(e),
    };
    let pw = match checked {
        Ok(pw) => pw,
        Err(e) => {
            let form = UserForm {
                username: u.username,
                display_name: u.display_name,
                role: u.role.as_str().into(),
                ..Default::default()
            };
            return user_form_page(&s, &ctx, Some(id), form, Some(&e)).await;
        }
    };
    let hash = service::hash(pw).await?;
    s.change(&ctx, Action::ManageUsers, move |tx, who| service::set_password(tx, who, id, &hash, None)).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}
