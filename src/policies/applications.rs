//! An enterprise applies for a policy that applies to it; the responsible department
//! delivers it (or refuses, with its reason) by the promised number of working days, and
//! the sweep reminds the department of applications past their day.

use serde::{Deserialize, Serialize};

use super::policy::{self, Policy};
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note, Param};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

/// The registry record an enterprise's account speaks for.
pub fn enterprise_of(tx: &mut Tx<'_>, user: &CurrentUser) -> AppResult<Option<i64>> {
    if user.role != Role::Enterprise {
        return Ok(None);
    }
    Ok(tx
        .query_opt("SELECT enterprise_id FROM users WHERE id = $1", params![user.id])?
        .map(|r| r.opt_int(0))
        .transpose()?
        .flatten())
}

/// The registry record a law firm's account speaks for, as a firm under contract.
pub fn firm_of(tx: &mut Tx<'_>, user: &CurrentUser) -> AppResult<Option<i64>> {
    if user.role != Role::LawFirm {
        return Ok(None);
    }
    Ok(tx
        .query_opt(
            "SELECT f.id FROM law_firms f JOIN users u ON u.enterprise_id = f.enterprise_id WHERE u.id = $1 AND f.active = 1",
            params![user.id],
        )?
        .map(|r| r.int(0))
        .transpose()?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PolicyApplication)]
pub struct Application {
    pub id: i64,
    pub policy_id: i64,
    pub policy_title: String,
    pub department_id: i64,
    pub department_name: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub due_on: String,
    /// `applied`, `delivered` or `refused`.
    pub state: String,
    pub outcome: String,
    pub decided_on: Option<String>,
    /// `on_time`, `late`, `overdue` or `under_way`.
    pub delivery: String,
    pub created_at: i64,
}

const COLUMNS: &str = "a.id, a.policy_id, p.title AS policy_title, p.responsible_department_id AS department_id, \
    d.name AS department_name, a.enterprise_id, e.name AS enterprise_name, a.due_on, a.state, a.outcome, a.decided_on, \
    a.created_at";
const FROM: &str = "policy_applications a JOIN policies p ON p.id = a.policy_id \
    JOIN departments d ON d.id = p.responsible_department_id JOIN enterprises e ON e.id = a.enterprise_id";

fn from_row(r: &Row, today: &str) -> AppResult<Application> {
    let due_on = r.text("due_on")?;
    let state = r.text("state")?;
    let decided_on = r.opt_text("decided_on")?;
    let delivered = decided_on.as_deref().filter(|_| state == "delivered");
    let delivery = match state.as_str() {
        "refused" => "refused",
        _ => crate::kernel::registry::delivery(&due_on, delivered, today),
    };
    Ok(Application {
        id: r.int("id")?,
        policy_id: r.int("policy_id")?,
        policy_title: r.text("policy_title")?,
        department_id: r.int("department_id")?,
        department_name: r.text("department_name")?,
        enterprise_id: r.int("enterprise_id")?,
        enterprise_name: r.text("enterprise_name")?,
        delivery: delivery.to_owned(),
        due_on,
        state,
        outcome: r.text("outcome")?,
        decided_on,
        created_at: r.int("created_at")?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64, now: i64) -> AppResult<Application> {
    let today = clock::local_date(now).to_string();
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE a.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r, &today)).transpose()?.ok_or(AppError::NotFound)
}

/// The condition on applications `user` may see: an enterprise its own, a firm those of
/// enterprises it serves, a department those of its policies, leaders and the
/// administrator all.
fn sight(tx: &mut Tx<'_>, user: &CurrentUser, w: &mut Where) -> AppResult<()> {
    if let Some(e) = enterprise_of(tx, user)? {
        w.and("a.enterprise_id = ?", e);
    } else if let Some(f) = firm_of(tx, user)? {
        w.and("a.enterprise_id IN (SELECT c.enterprise_id FROM service_cases c WHERE c.firm_id = ?)", f);
    } else if matches!(user.role, Role::Leader | Role::Supervisor) {
    } else if user.role.is_government() {
        w.and("p.responsible_department_id = ?", user.department_id.unwrap_or(0));
    } else {
        w.and_sql("1 = 0");
    }
    Ok(())
}

/// Application `id` as `user` may see it.
pub fn get(tx: &mut Tx<'_>, user: &CurrentUser, id: i64, now: i64) -> AppResult<Application> {
    let mut w = Where::default();
    w.and("a.id = ?", id);
    sight(tx, user, &mut w)?;
    let today = clock::local_date(now).to_string();
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}", w.sql);
    tx.query_opt(&sql, &w.args)?.map(|r| from_row(&r, &today)).transpose()?.ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationFilter {
    /// `applied`, `delivered` or `refused`.
    pub state: Option<String>,
    /// Only those past their day and not delivered.
    #[serde(default)]
    pub overdue: Option<bool>,
}

pub fn list(
    tx: &mut Tx<'_>,
    user: &CurrentUser,
    f: &ApplicationFilter,
    p: &ListParams,
    now: i64,
) -> AppResult<Page<Application>> {
    let today = clock::local_date(now).to_string();
    let mut w = Where::default();
    sight(tx, user, &mut w)?;
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        w.and("a.state = ?", s.to_owned());
    }
    if f.overdue == Some(true) {
        w.and("a.state = 'applied' AND a.due_on < ?", today.clone());
    }
    if let Some(like) = p.like() {
        w.contains(&["p.title", "e.name"], like);
    }
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by("a.id", &[("due", "a.due_on"), ("policy", "p.title")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(|r| from_row(r, &today)).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ApplicablePolicy)]
pub struct Applicable {
    #[serde(flatten)]
    pub policy: Policy,
    pub fit: policy::Fit,
    /// The caller's application, if made.
    pub application_id: Option<i64>,
}

/// The active policies and how each fits the caller's enterprise, given `answers`.
pub fn applicable(
    tx: &mut Tx<'_>,
    user: &CurrentUser,
    answers: &serde_json::Map<String, serde_json::Value>,
    now: i64,
) -> AppResult<Vec<Applicable>> {
    let enterprise = enterprise_of(tx, user)?.ok_or(AppError::Forbidden)?;
    let profile = policy::profile(tx, enterprise, clock::local_date(now))?;
    let ids: Vec<i64> = tx
        .query("SELECT id FROM policies WHERE active = 1 ORDER BY id LIMIT 500", &[])?
        .iter()
        .map(|r| Ok(r.int(0)?))
        .collect::<AppResult<_>>()?;
    let mut out = Vec::new();
    for id in ids {
        let p = policy::find(tx, id)?;
        let applied = tx
            .query_opt(
                "SELECT id FROM policy_applications WHERE policy_id = $1 AND enterprise_id = $2",
                params![id, enterprise],
            )?
            .map(|r| r.int(0))
            .transpose()?;
        out.push(Applicable { fit: policy::fit(&p, &profile, answers), application_id: applied, policy: p });
    }
    out.sort_by_key(|a| match a.fit.verdict.as_str() {
        "applies" => 0,
        "questions" => 1,
        _ => 2,
    });
    Ok(out)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = PolicyApplicationInput)]
pub struct ApplyInput {
    /// Answers to the questions the registry record leaves open, by field.
    #[serde(default)]
    pub answers: serde_json::Map<String, serde_json::Value>,
}

/// An enterprise applies for a policy that applies to it; the responsible department's
/// heads are told, and the promised day is set in working days.
pub fn apply(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    calendar: &WorkCalendar,
    policy_id: i64,
    input: &ApplyInput,
) -> AppResult<Application> {
    let enterprise = enterprise_of(tx, user)?.ok_or(AppError::Forbidden)?;
    let p = policy::find(tx, policy_id)?;
    if !p.active {
        return Err(AppError::NotFound);
    }
    let today = clock::local_date(who.now);
    let fit = policy::fit(&p, &policy::profile(tx, enterprise, today)?, &input.answers);
    match fit.verdict.as_str() {
        "applies" => {}
        "questions" => {
            return Err(AppError::invalid_detail("questions_unanswered", "answers", fit.questions.join(", ")));
        }
        _ => return Err(AppError::invalid("policy_not_applicable", "policy_id")),
    }
    let taken = tx.count(
        "SELECT COUNT(*) FROM policy_applications WHERE policy_id = $1 AND enterprise_id = $2",
        params![policy_id, enterprise],
    )?;
    if taken > 0 {
        return Err(AppError::conflict("already_applied"));
    }
    let due = calendar.add_working_days(today, u32::try_from(p.delivery_days).unwrap_or(1));
    let id = tx.insert(
        "INSERT INTO policy_applications (policy_id, enterprise_id, applicant_id, answers, due_on, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'applied', $6) RETURNING id",
        params![policy_id, enterprise, user.id, policy::to_json(&input.answers)?, due.to_string(), who.now],
    )?;
    let a = find(tx, id, who.now)?;
    audit::record(tx, who, Change::created("policy_application", id, &a))?;
    let heads = crate::org::people::department_heads(tx, p.responsible_department_id)?;
    tell(tx, who, &heads, &a, "pl-note-applied")?;
    Ok(a)
}

fn tell(tx: &mut Tx<'_>, who: &Who, users: &[i64], a: &Application, message: &str) -> AppResult<usize> {
    let note = Note {
        kind: "policy",
        message,
        params: vec![
            ("policy", Param::from(a.policy_title.clone())),
            ("enterprise", Param::from(a.enterprise_name.clone())),
        ],
        body: String::new(),
        link: format!("/policy-applications/{}", a.id),
    };
    notify::send(tx, who, users, &note)
}

/// The accounts that speak for enterprise `id`.
pub fn enterprise_accounts(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<i64>> {
    crate::enterprises::registry::enterprise_account_ids(tx, id)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = PolicyApplicationDecision)]
pub struct DecisionInput {
    /// `delivered` or `refused`.
    pub outcome: String,
    /// What was delivered, or why it was refused.
    pub note: String,
}

/// The responsible department delivers or refuses an application; the enterprise is told.
pub fn decide(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &DecisionInput,
) -> AppResult<Application> {
    let before = get(tx, user, id, who.now)?;
    if user.department_id != Some(before.department_id) {
        return Err(AppError::Forbidden);
    }
    if !matches!(input.outcome.as_str(), "delivered" | "refused") {
        return Err(AppError::invalid("bad_outcome", "outcome"));
    }
    let note = validate::text(&input.note, "note", 2000)?;
    let today = clock::local_date(who.now).to_string();
    let changed = tx.execute(
        "UPDATE policy_applications SET state = $1, outcome = $2, decided_by = $3, decided_on = $4 \
         WHERE id = $5 AND state = 'applied'",
        params![input.outcome.as_str(), note, user.id, today, id],
    )?;
    if changed != 1 {
        return Err(AppError::conflict("application_decided"));
    }
    let after = find(tx, id, who.now)?;
    audit::record(tx, who, Change::updated("decide", "policy_application", id, &before, &after))?;
    let accounts = enterprise_accounts(tx, after.enterprise_id)?;
    tell(tx, who, &accounts, &after, "pl-note-decided")?;
    Ok(after)
}

/// The kernel's sweep: remind once the responsible department's heads of each
/// application past its day and not yet delivered.
pub fn remind_due(tx: &mut Tx<'_>, who: &Who, _: &crate::kernel::registry::Environment) -> AppResult<usize> {
    let today = clock::local_date(who.now).to_string();
    let rows = tx.query(
        "SELECT id FROM policy_applications WHERE state = 'applied' AND due_on < $1 AND reminded_at IS NULL \
         ORDER BY id LIMIT 200",
        params![today],
    )?;
    for r in &rows {
        let a = find(tx, r.int(0)?, who.now)?;
        let heads = crate::org::people::department_heads(tx, a.department_id)?;
        tell(tx, who, &heads, &a, "pl-note-overdue")?;
        tx.execute("UPDATE policy_applications SET reminded_at = $1 WHERE id = $2", params![who.now, a.id])?;
    }
    Ok(rows.len())
}
