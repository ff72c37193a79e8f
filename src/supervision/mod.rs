//! Mechanism 7 — 协同监督: leads from the six channels enter one intake and follow one
//! procedure (transfer, feedback by a deadline, verification, published notice); the
//! same problem reported twice is linked and handled once. The public files leads on a
//! web page or through Open311 GeoReport v2 and follows them by token.

pub mod api;
pub mod bulletins;
pub mod categories;
mod demo;
pub mod exposures;
pub mod figures;
mod intake_pages;
pub mod judgement;
mod lead_import;
pub mod leads;
pub mod notices;
pub mod open311;
mod pages;
pub mod photos;
pub mod search;
pub mod sight;
pub mod sweep;
pub mod teams;
pub mod to_task;

use crate::kernel::access::CurrentUser;
use crate::kernel::access::{Action, Rule};
use crate::kernel::analytics::{Facets, Link};
use crate::kernel::i18n::Lang;
use crate::kernel::i18n::Translations;
use crate::kernel::privacy::Personal;
use crate::kernel::registry::{Home, HomeFuture, Mechanism, NavEntry, PublicEntry};
use crate::kernel::settings::Setting;
use crate::kernel::web::AppState;
use crate::kernel::workflow::Spec;

#[allow(non_upper_case_globals)]
impl Action {
    /// Supervision leads (which ones is decided per lead: office, unit, leaders).
    pub const ViewLeads: Action = Action::new("view_leads", Rule::Government);
    /// Add and change lead categories.
    pub const ManageLeadCategories: Action = categories::MANAGE;
}

/// The markers of [`crate::kernel::web::Can`] this mechanism's endpoints use.
pub mod need {
    pub use crate::kernel::web::need::*;
    crate::needs!(ViewLeads, ManageLeadCategories);
}

pub static LEAD: Spec = Spec {
    kind: "lead",
    table: "leads",
    relations: &["office", "unit"],
    guards: &[],
    required_transitions: &["transfer", "feed_back", "notify"],
    required_states: &["registered", "closed"],
    builtin: include_str!("processes/lead.toml"),
    deadlines: Some(&sweep::DEADLINES),
};

/// The six channels, by code; named by `sv-channel-<code>`.
pub const CHANNELS: [&str; 6] = ["party", "congress", "cppcc", "government", "public", "media"];

/// A channel's name in `lang`.
pub fn channel_name(lang: crate::kernel::i18n::Lang, code: &str) -> String {
    crate::kernel::i18n::lookup(lang, &format!("sv-channel-{code}")).unwrap_or(code).to_owned()
}

/// How soon a media exposure must be answered.
pub const EXPOSURE_HOURS: Setting =
    Setting { key: "supervision.exposure_hours", default: 24, min: 1, max: 168, meaning: "sv-setting-exposure-hours" };

/// Open leads of the same category are offered for linking when their text is at least
/// this similar (percent of shared character pairs)…
pub const DEDUPE_SIMILARITY: Setting = Setting {
    key: "supervision.dedupe_similarity_percent",
    default: 40,
    min: 10,
    max: 100,
    meaning: "sv-setting-dedupe-similarity",
};
/// …or they lie within this many metres…
pub const DEDUPE_DISTANCE: Setting = Setting {
    key: "supervision.dedupe_distance_m",
    default: 500,
    min: 10,
    max: 10_000,
    meaning: "sv-setting-dedupe-distance",
};
/// …among this many newest open leads of the category.
pub const DEDUPE_WINDOW: Setting =
    Setting { key: "supervision.dedupe_window", default: 300, min: 10, max: 5000, meaning: "sv-setting-dedupe-window" };

/// A reporter's name and contact are kept this many days after their lead is closed.
pub const REPORTER_DAYS: Setting =
    Setting { key: "supervision.reporter_days", default: 1095, min: 0, max: 3650, meaning: "sv-setting-reporter-days" };

static REPORTER: Personal = Personal {
    kind: "lead_reporter",
    table: "leads",
    columns: &["reporter_name", "reporter_contact"],
    retention: Some(&REPORTER_DAYS),
    kept_from: "CASE WHEN state = 'closed' THEN updated_at END",
    owner: None,
};

/// The lead seam: another mechanism hands a problem to the supervision office, filed as
/// staff would file it, on the one procedure.
static LEAD_PORT: crate::kernel::registry::LeadPort = crate::kernel::registry::LeadPort {
    file: |tx, who, request, env| {
        let process = env.processes.get(LEAD.kind)?;
        let input = leads::LeadInput {
            channel: request.channel.to_owned(),
            category: request.category.to_owned(),
            description: request.description.clone(),
            address: request.address.clone(),
            lat: None,
            lon: None,
            reporter_name: String::new(),
            reporter_contact: String::new(),
            reporter_confidential: false,
        };
        Ok(leads::file(tx, who, &process, &input, "staff", None)?.id)
    },
};

/// Leads, for process analytics: by the responsible unit and the channel; a lead may be
/// handed over as a task, or be a duplicate of another lead.
static LEAD_FACETS: Facets = Facets {
    kind: "lead",
    department: "r.unit_department_id",
    channel: "r.channel",
    channels: &CHANNELS,
    channel_names: "sv-channel-",
    visibility: "r.visibility",
    links: &[
        Link {
            to: "task",
            qualifier: "handed over as",
            sql: "SELECT id AS source, task_id AS target FROM leads WHERE task_id IS NOT NULL",
        },
        Link {
            to: "lead",
            qualifier: "duplicate of",
            sql: "SELECT id AS source, primary_id AS target FROM leads WHERE primary_id IS NOT NULL",
        },
    ],
};

pub static MECHANISM: Mechanism = Mechanism {
    number: 7,
    id: "supervision",
    nav: &[NavEntry { href: "/supervision", key: "m7", section: "supervision", needs: Action::ViewLeads }],
    public: &[
        PublicEntry { href: "/report", key: "sv-public-report", desc: "sv-public-report-desc" },
        PublicEntry { href: "/report/track", key: "sv-public-track", desc: "sv-public-track-desc" },
        PublicEntry { href: "/exposures", key: "sv-public-exposures", desc: "sv-public-exposures-desc" },
    ],
    home: Some(home),
    processes: &[&LEAD],
    sweeps: &[exposures::alert_unanswered, bulletins::sweep],
    search: &[&search::SOURCE],
    api: api::router,
    pages: all_pages,
    tasks: None,
    follows_tasks: Some(to_task::task_done),
    leads: Some(&LEAD_PORT),
    assessment: &[],
    personal: &[&REPORTER],
    facets: &[&LEAD_FACETS],
    migrations: &[
        crate::migration!(7, "supervision", "0007_supervision"),
        crate::migration!(8, "exposures_teams", "0008_exposures_teams"),
        crate::migration!(10, "lead_judgement", "0010_lead_judgement"),
        crate::migration!(11, "lead_tasks", "0011_lead_tasks"),
        crate::migration!(12, "lead_figures", "0012_lead_figures"),
        crate::migration!(13, "lead_digest", "0013_lead_digest"),
        crate::migration!(14, "lead_reminders", "0014_lead_reminders"),
        crate::migration!(15, "lead_visibility", "0015_lead_visibility"),
        crate::migration!(28, "lead_notices", "0028_lead_notices"),
        crate::migration!(31, "exposure_alerts", "0031_exposure_alerts"),
        crate::migration!(35, "leads_by_time", "0035_leads_by_time"),
        crate::migration!(40, "team_members_inquiries", "0040_team_members_inquiries"),
        crate::migration!(60, "reporter_confidential", "0060_reporter_confidential"),
    ],
    settings: &[&EXPOSURE_HOURS, &DEDUPE_SIMILARITY, &DEDUPE_DISTANCE, &DEDUPE_WINDOW, &REPORTER_DAYS],
    demo: Some(demo::seed),
    datasets: &[],
    translations: Translations {
        folder: "supervision",
        zh: include_str!("i18n/zh-CN.ftl"),
        en: include_str!("i18n/en.ftl"),
    },
};

/// The pages, the public report and tracking pages, the office's intake forms, and
/// Open311.
fn all_pages() -> axum::Router<crate::kernel::web::AppState> {
    pages::router().merge(intake_pages::router()).merge(lead_import::router()).merge(open311::router())
}

/// The leads waiting for the caller.
fn home(s: AppState, user: CurrentUser, lang: Lang, now: i64) -> HomeFuture {
    Box::pin(async move {
        if !crate::kernel::access::allows(&user, Action::ViewLeads) {
            return Ok(Home::default());
        }
        let rules = s.rules(&LEAD)?;
        let queue = s.db.read(move |tx| leads::queue(tx, &user, &rules, now, lang)).await?;
        Ok(Home { queue, ..Home::default() })
    })
}
