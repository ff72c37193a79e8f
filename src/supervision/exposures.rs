//! Media exposure (舆论监督). An exposure in a newspaper's or broadcaster's column files
//! one lead per exposed problem, transferred at once, whose unit must respond within
//! hours; the responses are published beside the exposure.

use serde::{Deserialize, Serialize};

use super::leads::{self, LeadInput, Step};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::clock;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note};
use crate::kernel::settings;
use crate::kernel::validate;
use crate::kernel::workflow::Rules;
use crate::params;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    pub description: String,
    /// The unit that must respond.
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub unit_department_id: i64,
    /// A lead category code.
    pub category: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ExposureInput {
    /// e.g. 青岛日报, 青岛广播电视台.
    pub outlet: String,
    pub column_name: String,
    /// YYYY-MM-DD.
    pub published_on: String,
    #[serde(default)]
    pub link: String,
    pub title: String,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Exposure {
    pub id: i64,
    pub outlet: String,
    pub column_name: String,
    pub published_on: String,
    pub link: String,
    pub title: String,
    pub response_hours: i64,
    pub problems: Vec<ExposedProblem>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExposedProblem {
    pub lead_id: i64,
    pub description: String,
    pub unit: Option<String>,
    pub state: String,
    /// When the unit must have answered (ms since epoch).
    pub respond_by: Option<i64>,
    /// The unit's published response (its latest feedback).
    pub response: Option<String>,
    pub responded_at: Option<i64>,
    /// The published notice, once verified.
    pub outcome: String,
}

/// Register an exposure; each problem becomes a media-channel lead transferred at once.
pub fn expose(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    input: &ExposureInput,
) -> AppResult<Exposure> {
    if !leads::is_office(user) {
        return Err(AppError::Forbidden);
    }
    let outlet = leads::plain(&input.outlet, "outlet", 60)?;
    let column = leads::plain(&input.column_name, "column_name", 60)?;
    let published = validate::date(&input.published_on, "published_on")?.to_string();
    let title = leads::plain(&input.title, "title", 200)?;
    let link = validate::opt_text(Some(&input.link), "link", 500)?.unwrap_or_default();
    if !(link.is_empty() || link.starts_with("https://") || link.starts_with("http://")) {
        return Err(AppError::invalid("bad_value", "link"));
    }
    if input.problems.is_empty() || input.problems.len() > 20 {
        return Err(AppError::invalid("required", "problems"));
    }
    let hours = settings::get(tx, &super::EXPOSURE_HOURS)?;
    let id = tx.insert(
        "INSERT INTO exposures (outlet, column_name, published_on, link, title, response_hours, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        params![outlet, column, published, link, title, hours, who.actor.as_str(), who.now],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "expose",
            kind: "exposure",
            id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "outlet": input.outlet, "title": input.title })),
        },
    )?;
    for p in &input.problems {
        let lead = LeadInput {
            channel: "media".into(),
            category: p.category.clone(),
            description: p.description.clone(),
            address: format!("{}《{}》", input.outlet.trim(), input.column_name.trim()),
            ..Default::default()
        };
        let filed = leads::file(tx, who, &rules.process, &lead, "staff", None)?;
        tx.execute(
            "UPDATE leads SET exposure_id = $1, respond_by = $2, visibility = 'public' WHERE id = $3",
            params![id, who.now + hours * 3_600_000, filed.id],
        )?;
        let step = Step {
            transition: "transfer".into(),
            note: None,
            unit_department_id: Some(p.unit_department_id),
            to_discipline: false,
        };
        leads::transition(tx, who, user, rules, filed.id, &step)?;
    }
    find(tx, id)
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Exposure> {
    let r = tx
        .query_opt(
            "SELECT id, outlet, column_name, published_on, link, title, response_hours FROM exposures WHERE id = $1",
            params![id],
        )?
        .ok_or(AppError::NotFound)?;
    let rows = tx.query(
        "SELECT l.id, l.description, d.name, l.state, l.respond_by, l.outcome, \
         (SELECT e.note FROM workflow_events e WHERE e.kind = 'lead' AND e.record_id = l.id AND e.transition = 'feed_back' ORDER BY e.id DESC LIMIT 1), \
         (SELECT e.at FROM workflow_events e WHERE e.kind = 'lead' AND e.record_id = l.id AND e.transition = 'feed_back' ORDER BY e.id LIMIT 1) \
         FROM leads l LEFT JOIN departments d ON d.id = l.unit_department_id WHERE l.exposure_id = $1 ORDER BY l.id",
        params![id],
    )?;
    let problems = rows
        .iter()
        .map(|p| {
            Ok(ExposedProblem {
                lead_id: p.int(0)?,
                description: p.text(1)?,
                unit: p.opt_text(2)?,
                state: p.text(3)?,
                respond_by: p.opt_int(4)?,
                outcome: p.text(5)?,
                response: p.opt_text(6)?,
                responded_at: p.opt_int(7)?,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(Exposure {
        id: r.int(0)?,
        outlet: r.text(1)?,
        column_name: r.text(2)?,
        published_on: r.text(3)?,
        link: r.text(4)?,
        title: r.text(5)?,
        response_hours: r.int(6)?,
        problems,
    })
}

/// The latest exposures with their responses, for the public page.
pub fn recent(tx: &mut Tx<'_>, limit: i64) -> AppResult<Vec<Exposure>> {
    let ids: Vec<i64> = tx
        .query("SELECT id FROM exposures ORDER BY published_on DESC, id DESC LIMIT $1", params![limit.clamp(1, 100)])?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    ids.into_iter().map(|id| find(tx, id)).collect()
}

/// At most this many unanswered exposed problems are alerted per run.
const ALERT_BATCH: i64 = 200;

/// Exposed problems whose response hours have passed without the unit's feedback: once
/// each, the unit's heads are urged (催办) and the supervision office and the leaders in
/// charge (分管) of the unit are told (escalation).
pub fn alert_unanswered(tx: &mut Tx<'_>, who: &Who, _: &crate::kernel::registry::Environment) -> AppResult<usize> {
    let due = tx.query(
        "SELECT l.id, l.unit_department_id, l.description, l.respond_by FROM leads l \
         WHERE l.respond_by IS NOT NULL AND l.respond_alerted_at IS NULL AND l.respond_by < $1 \
         AND NOT EXISTS (SELECT 1 FROM workflow_events e WHERE e.kind = 'lead' AND e.record_id = l.id AND e.transition = 'feed_back') \
         ORDER BY l.respond_by LIMIT $2",
        params![who.now, ALERT_BATCH],
    )?;
    let mut sent = 0;
    for r in &due {
        let (id, unit) = (r.int(0)?, r.opt_int(1)?);
        let short: String = r.text(2)?.chars().take(30).collect();
        let by = clock::fmt_local(r.int(3)?);
        if tx.execute(
            "UPDATE leads SET respond_alerted_at = $1 WHERE id = $2 AND respond_alerted_at IS NULL",
            params![who.now, id],
        )? != 1
        {
            continue;
        }
        let link = format!("/supervision/leads/{id}");
        let params = vec![("id", id.to_string().into()), ("short", short.as_str().into()), ("by", by.as_str().into())];
        if let Some(u) = unit {
            let heads = leads::unit_heads(tx, u)?;
            let note = Note {
                kind: "reminder",
                message: "sv-note-exposure-urge",
                params: params.clone(),
                body: String::new(),
                link: link.clone(),
            };
            notify::send(tx, who, &heads, &note)?;
        }
        let mut told = leads::office_users(tx)?;
        if let Some(u) = unit {
            told.extend(crate::org::people::leaders_over(tx, u)?);
        }
        let note = Note { kind: "escalation", message: "sv-note-exposure-overdue", params, body: String::new(), link };
        notify::send(tx, who, &told, &note)?;
        audit::record(
            tx,
            who,
            Change {
                action: "escalate",
                kind: "lead",
                id: Some(id),
                before: None,
                after: Some(serde_json::json!({ "respond_by": by })),
            },
        )?;
        sent += 1;
    }
    Ok(sent)
}

/// Whether a problem's response is late now.
pub fn late(p: &ExposedProblem, now: i64) -> bool {
    match (p.respond_by, p.responded_at) {
        (Some(by), Some(at)) => at > by,
        (Some(by), None) => now > by,
        _ => false,
    }
}

/// Today's date in China, for forms.
pub fn today(now: i64) -> String {
    clock::local_date(now).to_string()
}
