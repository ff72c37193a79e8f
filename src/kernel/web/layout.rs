//! The page shell and form pieces every page uses. Maud escapes all interpolated text.

use axum::http::StatusCode;
use axum::response::Html;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::Ctx;
use crate::kernel::access::{self, Action};
use crate::kernel::error::AppError;
use crate::kernel::i18n::{self, Lang};

/// Which top-level section a page belongs to, to highlight it in the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    /// A mechanism's page, by the section its navigation entry names.
    Of(&'static str),
    /// A page for the public, by its address.
    Public(&'static str),
    /// The placeholder of a mechanism not built yet.
    Mechanism(u8),
    Org,
    People,
    Leaders,
    Users,
    Audit,
    Account,
    Inbox,
    Calendar,
    Processes,
    Search,
    None,
}

struct NavItem {
    href: String,
    key: &'static str,
    section: Section,
}

fn nav(ctx: &Ctx) -> Vec<NavItem> {
    let mut items = vec![NavItem { href: "/".into(), key: "nav-home", section: Section::Home }];
    let public = ctx.registry.mechanisms.iter().flat_map(|m| m.public.iter());
    if !ctx.user.as_ref().is_some_and(|u| u.role.is_government()) {
        items.extend(public.map(|e| NavItem { href: e.href.into(), key: e.key, section: Section::Public(e.href) }));
    }
    let Some(user) = ctx.user.as_ref() else {
        return items;
    };
    items.push(NavItem { href: "/inbox".into(), key: "nav-inbox", section: Section::Inbox });
    if access::allows(user, Action::Search) {
        items.push(NavItem { href: "/search".into(), key: "nav-search", section: Section::Search });
    }
    for m in &ctx.registry.mechanisms {
        for e in m.nav.iter().filter(|e| access::allows(user, e.needs)) {
            items.push(NavItem { href: e.href.into(), key: e.key, section: Section::Of(e.section) });
        }
    }
    items.push(NavItem { href: "/org".into(), key: "nav-org", section: Section::Org });
    if access::allows(user, Action::ViewEnterprises) {
        items.push(NavItem {
            href: "/enterprises".into(),
            key: "nav-enterprises",
            section: Section::Of("enterprises"),
        });
    }
    if access::allows(user, Action::ViewPeople) {
        items.push(NavItem { href: "/org/people".into(), key: "nav-people", section: Section::People });
        items.push(NavItem { href: "/org/leaders".into(), key: "nav-leaders", section: Section::Leaders });
    }
    if access::allows(user, Action::ViewUsers) {
        items.push(NavItem { href: "/admin/users".into(), key: "nav-users", section: Section::Users });
    }
    if user.role == access::Role::Leader {
        items.push(NavItem {
            href: "/processes/slowest".into(),
            key: "nav-slowest-steps",
            section: Section::Processes,
        });
    }
    if access::allows(user, Action::ViewAudit) {
        items.push(NavItem { href: "/admin/audit".into(), key: "nav-audit", section: Section::Audit });
    }
    // Tools for those who run the system, not the daily work of the others (the pages stay
    // open to all government staff).
    if access::allows(user, Action::ManageProcesses) {
        items.push(NavItem { href: "/admin/processes".into(), key: "nav-processes", section: Section::Processes });
    }
    if access::allows(user, Action::ManageSettings) {
        items.push(NavItem { href: "/admin/settings".into(), key: "nav-settings", section: Section::Of("settings") });
    }
    if access::allows(user, Action::ManageDeliveries) {
        items.push(NavItem {
            href: "/admin/deliveries".into(),
            key: "nav-deliveries",
            section: Section::Of("deliveries"),
        });
    }
    if access::allows(user, Action::ManageCalendar) {
        items.push(NavItem { href: "/admin/calendar".into(), key: "nav-calendar", section: Section::Calendar });
    }
    if access::allows(user, Action::ManageSearch) {
        items.push(NavItem { href: "/admin/search".into(), key: "nav-search_index", section: Section::Search });
    }
    items
}

fn lang_switch(ctx: &Ctx) -> String {
    let other = match ctx.lang {
        Lang::Zh => "en",
        Lang::En => "zh",
    };
    format!("/lang/{other}?next={}", super::list::url_encode(&ctx.path))
}

/// A full page: header with navigation, the body, a footer.
pub fn page(ctx: &Ctx, title: &str, section: Section, body: Markup) -> Html<String> {
    let items = nav(ctx);
    let markup = html! {
        (DOCTYPE)
        html lang=(ctx.lang.html()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (ctx.t("app-short")) }
                link rel="stylesheet" href="/static/app.css";
                link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
                script src="/static/forms.js" defer {}
            }
            body {
                header.topbar {
                    a.brand href="/" { span.logo { "再造" } span.brand-name { (ctx.t("app-name")) } }
                    details.menu {
                        summary { (ctx.t("nav-menu")) }
                        nav {
                            @for item in &items {
                                a href=(item.href) class=@if item.section == section { "active" } { (ctx.t(item.key)) }
                            }
                        }
                    }
                    @if ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::Search)) {
                        form.topsearch method="get" action="/search" role="search" {
                            input type="search" name="q" aria-label=(ctx.t("nav-search")) placeholder=(ctx.t("nav-search_placeholder"));
                        }
                    }
                    div.userbox {
                        a href=(lang_switch(ctx)) { (ctx.t("nav-lang")) }
                        @if let Some(u) = &ctx.user {
                            a href="/inbox" { (ctx.t("nav-inbox")) @if ctx.unread > 0 { " " span.badge.red { (ctx.unread) } } }
                            a href="/account" { (u.display_name) " · " (ctx.t(&u.role.label_key())) }
                            form.inline method="post" action="/logout" {
                                (csrf_field(ctx))
                                button.link type="submit" { (ctx.t("nav-signout")) }
                            }
                        } @else {
                            a href="/login" { (ctx.t("nav-signin")) }
                        }
                    }
                }
                div.layout {
                    @if ctx.user.is_some() {
                        nav.side {
                            @for item in &items {
                                a href=(item.href) class=@if item.section == section { "active" } { (ctx.t(item.key)) }
                            }
                            @if ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ManageProcesses)) {
                                a href="/api/docs" { (ctx.t("nav-api")) }
                            }
                        }
                    }
                    main {
                        h1 { (title) }
                        @if let Some(done) = ctx.done { div.notice.done role="status" { (ctx.t(done)) } }
                        (body)
                    }
                }
                @if let Some(minutes) = ctx.idle_minutes {
                    div.idle-warning hidden role="alertdialog" aria-live="assertive" data-idle-minutes=(minutes) {
                        p { (ctx.t_args("k-idle-warning", &[("minutes", "2")])) }
                        button type="button" data-idle-stay { (ctx.t("k-idle-stay")) }
                    }
                }
                footer { (ctx.t("app-name")) " · " (ctx.t("common-request_id")) " " code { (ctx.request_id) } }
            }
        }
    };
    Html(markup.into_string())
}

/// A page without navigation, for people who are not signed in (sign-in, the public
/// rating form, errors).
pub fn bare_page(lang: Lang, title: &str, body: Markup) -> Html<String> {
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.html()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (i18n::t(lang, "app-short")) }
                link rel="stylesheet" href="/static/app.css";
                link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
            }
            body { main.narrow { (body) } }
        }
    };
    Html(markup.into_string())
}

pub fn error_page(lang: Lang, status: StatusCode, message: &str, request_id: &str) -> Html<String> {
    let body = html! {
        h1 { (i18n::t(lang, "common-error")) " (" (status.as_u16()) ")" }
        p.alert { (message) }
        p.muted { (i18n::t(lang, "common-request_id")) " " code { (request_id) } }
        p { a href="/" { (i18n::t(lang, "nav-home")) } }
    };
    bare_page(lang, &status.as_u16().to_string(), body)
}

pub fn csrf_field(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name="_csrf" value=(ctx.csrf.as_deref().unwrap_or("")); }
}

/// The message of an error, for a banner at the top of a form.
pub fn error_banner(ctx: &Ctx, err: Option<&AppError>) -> Markup {
    html! {
        @if let Some(e) = err {
            div.alert role="alert" {
                (ctx.t(e.code()))
                @if let Some(d) = e.detail() { " (" (d) ")" }
            }
        }
    }
}

fn field_error(ctx: &Ctx, name: &str, err: Option<&AppError>) -> Markup {
    html! {
        @if let Some(e) = err.filter(|e| e.field() == Some(name)) {
            span.field-error { (ctx.t(e.code())) }
        }
    }
}

/// A labelled text input that keeps what was typed.
pub fn text_field(ctx: &Ctx, name: &str, label: &str, value: &str, err: Option<&AppError>, required: bool) -> Markup {
    html! {
        label.field {
            span { (label) @if !required { " " span.muted { (ctx.t("common-optional")) } } }
            input type="text" name=(name) value=(value) required[required]
                aria-invalid=[err.filter(|e| e.field() == Some(name)).map(|_| "true")];
            (field_error(ctx, name, err))
        }
    }
}

pub fn input_field(
    ctx: &Ctx,
    kind: &str,
    name: &str,
    label: &str,
    value: &str,
    err: Option<&AppError>,
    required: bool,
) -> Markup {
    html! {
        label.field {
            span { (label) @if !required { " " span.muted { (ctx.t("common-optional")) } } }
            input type=(kind) name=(name) value=(value) required[required];
            (field_error(ctx, name, err))
        }
    }
}

/// A labelled select; `options` are (value, label).
pub fn select_field(
    ctx: &Ctx,
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
    err: Option<&AppError>,
) -> Markup {
    html! {
        label.field {
            span { (label) }
            select name=(name) { (option_list(options, selected)) }
            (field_error(ctx, name, err))
        }
    }
}

/// A labelled select that starts on "请选择" where any default would be a guess; with
/// `required` the browser also insists on a choice (the server checks either way).
pub fn choose_field(
    ctx: &Ctx,
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
    required: bool,
    err: Option<&AppError>,
) -> Markup {
    html! {
        label.field {
            span { (label) }
            select name=(name) required[required] {
                option value="" { (ctx.t("k-choose")) }
                (option_list(options, selected))
            }
            (field_error(ctx, name, err))
        }
    }
}

fn option_list(options: &[(String, String)], selected: &str) -> Markup {
    html! { @for (v, l) in options { option value=(v) selected[v == selected] { (l) } } }
}

/// Where a picker finds its choices, and which field narrows them.
pub struct Pick<'a> {
    /// The API answering `?q=` (and `&department_id=`) with suggestions.
    pub source: &'a str,
    /// The form field whose value narrows the choices (the department).
    pub narrow: Option<&'a str>,
    /// Whether a choice must be made.
    pub required: bool,
    /// What the box says before anything is typed (a translation key).
    pub placeholder: &'static str,
}

impl Pick<'_> {
    /// Any active person, found by name.
    pub const PERSON: Pick<'static> =
        Pick { source: "/api/v1/accounts/suggest", narrow: None, required: true, placeholder: "k-picker-placeholder" };
    /// People who can be made responsible, narrowed by the chosen department.
    pub fn person_in(department_field: &str) -> Pick<'_> {
        Pick { narrow: Some(department_field), ..Pick::PERSON }
    }
    /// A department or other unit, in the official order.
    pub const UNIT: Pick<'static> = Pick {
        source: "/api/v1/departments/suggest",
        narrow: None,
        required: true,
        placeholder: "k-picker-unit-placeholder",
    };
    pub const UNIT_OPTIONAL: Pick<'static> = Pick { required: false, ..Pick::UNIT };
    /// An enterprise of the registry, by name or credit code.
    pub const ENTERPRISE: Pick<'static> = Pick {
        source: "/api/v1/enterprises/suggest",
        narrow: None,
        required: true,
        placeholder: "k-picker-enterprise-placeholder",
    };
}

/// A choice among many (people, units): a plain select that works without script, which
/// `static/forms.js` turns into a type-ahead box asking `pick.source`. It starts empty
/// ("请选择") where a default would be a wrong guess.
#[allow(clippy::too_many_arguments)]
pub fn picker_field(
    ctx: &Ctx,
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
    err: Option<&AppError>,
    pick: &Pick<'_>,
) -> Markup {
    html! {
        label.field.picker data-source=(pick.source) data-narrow=[pick.narrow]
            data-placeholder=(ctx.t(pick.placeholder)) data-none=(ctx.t("k-picker-none")) data-unchosen=(ctx.t("k-picker-unchosen")) {
            span { (label) }
            select name=(name) required[pick.required] {
                option value="" { (ctx.t("k-choose")) }
                (option_list(options, selected))
            }
            (field_error(ctx, name, err))
        }
    }
}

/// The transitions a person may fire on a record, the step forward first: those without
/// a note as a row of buttons, then each that needs a note as its own small form with a
/// labelled box, so a note never sits between two unrelated buttons. `extra` adds the
/// fields a transition needs (the unit of a transfer).
pub fn transition_forms(
    ctx: &Ctx,
    action: &str,
    transitions: &[&crate::kernel::workflow::TransitionDef],
    extra: impl Fn(&crate::kernel::workflow::TransitionDef) -> Markup,
) -> Markup {
    use crate::kernel::workflow::Tone;
    let mut ordered: Vec<&crate::kernel::workflow::TransitionDef> = transitions.to_vec();
    ordered.sort_by_key(|t| match t.tone {
        Tone::Primary => 0,
        Tone::Plain => 1,
        Tone::Danger => 2,
    });
    let name = |t: &crate::kernel::workflow::TransitionDef| {
        if ctx.lang == Lang::En { t.name_en.clone() } else { t.name.clone() }
    };
    let class = |t: &crate::kernel::workflow::TransitionDef| match t.tone {
        Tone::Primary => "primary",
        Tone::Plain => "secondary",
        Tone::Danger => "danger",
    };
    let plain: Vec<_> = ordered.iter().filter(|t| !t.needs_note && extra(t).0.is_empty()).collect();
    let with_fields: Vec<_> = ordered.iter().filter(|t| t.needs_note || !extra(t).0.is_empty()).collect();
    html! {
        @if !plain.is_empty() {
            div.actions { @for t in &plain {
                form.inline method="post" action=(action) {
                    (csrf_field(ctx))
                    input type="hidden" name="transition" value=(t.id);
                    button type="submit" class=(class(t)) { (name(t)) }
                }
            } }
        }
        @for t in &with_fields {
            form.stack.transition method="post" action=(action) {
                (csrf_field(ctx))
                input type="hidden" name="transition" value=(t.id);
                (extra(t))
                @if t.needs_note {
                    label.field { span { (name(t)) " — " (ctx.t("k-note-required")) }
                        textarea name="note" rows="2" required {} }
                }
                div { button type="submit" class=(class(t)) { (name(t)) } }
            }
        }
    }
}

/// A deadline given as a date or as a number of working days from `today` (one of the
/// two); the page shows the date the working days give before saving.
pub fn deadline_fields(ctx: &Ctx, date: &str, working_days: &str, today: &str, err: Option<&AppError>) -> Markup {
    html! {
        fieldset.deadline {
            legend { (ctx.t("k-deadline-either")) }
            label.field { span { (ctx.t("k-deadline-date")) } input type="date" name="deadline" value=(date); }
            label.field { span { (ctx.t("k-deadline-working-days")) }
                input type="number" name="working_days" min="1" max="250" value=(working_days) data-working-days-from=(today); }
            output.muted aria-live="polite" data-says=(ctx.t("k-deadline-gives")) data-unknown=(ctx.t("k-deadline-holidays-unknown")) {}
            (field_error(ctx, "deadline", err))
        }
    }
}

/// Several choices from a list, as checkboxes (not a multiple select that needs Ctrl).
pub fn checks_field(name: &str, label: &str, options: &[(String, String)], selected: &[String]) -> Markup {
    html! {
        fieldset.checks {
            legend { (label) }
            div.checks-box {
                @for (v, l) in options {
                    label { input type="checkbox" name=(name) value=(v) checked[selected.contains(v)]; " " (l) }
                }
            }
        }
    }
}

/// A link to a record's changes in the audit trail, for those who may read it.
pub fn history_link(ctx: &Ctx, kind: &str, id: i64) -> Markup {
    let allowed = ctx.user.as_ref().is_some_and(|u| access::allows(u, Action::ViewAudit));
    html! {
        @if allowed {
            a href=(format!("/admin/audit?kind={kind}&record_id={id}")) { (ctx.t("common-history")) }
        }
    }
}

pub fn visibility_options(ctx: &Ctx) -> Vec<(String, String)> {
    crate::kernel::access::Visibility::ALL
        .iter()
        .map(|v| (v.as_str().to_owned(), ctx.t(&format!("vis-{}", v.as_str())).to_owned()))
        .collect()
}

/// A deadline's light as a badge.
pub fn light_badge(ctx: &Ctx, light: Option<crate::kernel::workflow::Light>) -> Markup {
    match light {
        Some(crate::kernel::workflow::Light::Green) => badge(ctx.t("k-on-track"), "green"),
        Some(crate::kernel::workflow::Light::Yellow) => badge(ctx.t("k-due-soon"), "yellow"),
        Some(crate::kernel::workflow::Light::Red) => badge(ctx.t("k-overdue"), "red"),
        None => html! {},
    }
}

/// One step of a record's history: when, who (by name), what was done and the state it
/// led to, and the note.
pub fn history_entry(
    ctx: &Ctx,
    process: &crate::kernel::workflow::Process,
    e: &crate::kernel::workflow::Event,
) -> Markup {
    let done = process
        .transition(&e.transition)
        .map_or(e.transition.clone(), |t| if ctx.lang == Lang::En { t.name_en.clone() } else { t.name.clone() });
    html! {
        (crate::kernel::clock::fmt_local(e.at)) " " strong { (e.actor_name) } " · " (done)
        " → " (process.state_name(&e.to_state, ctx.lang)) @if let Some(n) = &e.note { " — " (n) }
    }
}

/// A record's history, oldest first.
pub fn history(
    ctx: &Ctx,
    process: &crate::kernel::workflow::Process,
    events: &[crate::kernel::workflow::Event],
) -> Markup {
    html! { ul.history { @for e in events { li { (history_entry(ctx, process, e)) } } } }
}

/// A QR code of `text` as SVG, for a phone to scan (a rating link, a tracking address).
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(180, 180).build(),
        Err(_) => String::new(),
    }
}

/// A secret code written in groups of four (a1b2-c3d4-…), easier to read out and copy by
/// hand; pages accept it with or without the dashes.
pub fn grouped(code: &str) -> String {
    code.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

/// A deadline's light in words, for exports (红灯（逾期）…).
pub fn light_words(ctx: &Ctx, light: Option<crate::kernel::workflow::Light>) -> String {
    light.map(|l| ctx.t(&format!("light-{}", l.as_str())).to_owned()).unwrap_or_default()
}

pub fn empty_state(text: &str) -> Markup {
    html! { div.empty { p { (text) } } }
}

pub fn badge(text: &str, class: &str) -> Markup {
    html! { span class=(format!("badge {class}")) { (text) } }
}

pub fn raw(s: &'static str) -> PreEscaped<&'static str> {
    PreEscaped(s)
}
