//! Non-fulfilment notices (督促函): a firm that finds a department has not delivered a
//! policy files a notice citing the clause and the application; the department responds
//! by a deadline in working days — delivered, or explained with its legal basis. Past the
//! deadline the sweep escalates the notice to the department's leader in charge (分管)
//! with a second deadline, and past that hands it to the supervision office as a lead of
//! mechanism 7 through the kernel's lead seam. The enterprise and the firm see each step.

use serde::{Deserialize, Serialize};

use super::applications::{self, enterprise_of, firm_of};
use super::policy;
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note, Param};
use crate::kernel::registry::{Environment, LeadRequest};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::org::people;
use crate::params;

/// Working days a department has to respond to a notice, and then its leader in charge.
pub const RESPONSE_DAYS: u32 = 5;
pub const ESCALATION_DAYS: u32 = 3;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PolicyNotice)]
pub struct Notice {
    pub id: i64,
    pub firm_id: i64,
    pub firm_name: String,
    pub application_id: i64,
    pub policy_id: i64,
    pub policy_title: String,
    pub enterprise_name: String,
    pub clause: String,
    /// The cited clause's words.
    pub clause_text: String,
    pub facts: String,
    pub department_id: i64,
    pub department_name: String,
    /// The department's deadline.
    pub due_on: String,
    /// The leader in charge's, once escalated.
    pub leader_due_on: Option<String>,
    /// `open`, `escalated` (to the leader in charge), `referred` (a lead of mechanism 7),
    /// `delivered` or `explained`.
    pub state: String,
    pub response: String,
    pub legal_basis: String,
    /// Responded after the deadline, and said so.
    pub late: bool,
    pub responded_at: Option<i64>,
    pub escalated_at: Option<i64>,
    pub lead_id: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str = "n.id, n.firm_id, fe.name AS firm_name, n.application_id, a.policy_id, p.title AS policy_title, \
    e.name AS enterprise_name, n.clause, p.clauses, n.facts, n.department_id, d.name AS department_name, n.due_on, n.leader_due_on, \
    n.state, n.response, n.legal_basis, n.late, n.responded_at, n.escalated_at, n.lead_id, n.created_at, a.enterprise_id";
const FROM: &str = "policy_notices n JOIN law_firms f ON f.id = n.firm_id JOIN enterprises fe ON fe.id = f.enterprise_id \
    JOIN policy_applications a ON a.id = n.application_id JOIN policies p ON p.id = a.policy_id \
    JOIN enterprises e ON e.id = a.enterprise_id JOIN departments d ON d.id = n.department_id";

fn from_row(r: &Row) -> AppResult<Notice> {
    let clause = r.text("clause")?;
    let clauses: Vec<policy::Clause> =
        serde_json::from_str(&r.text("clauses")?).map_err(|e| AppError::internal(e.to_string()))?;
    Ok(Notice {
        id: r.int("id")?,
        firm_id: r.int("firm_id")?,
        firm_name: r.text("firm_name")?,
        application_id: r.int("application_id")?,
        policy_id: r.int("policy_id")?,
        policy_title: r.text("policy_title")?,
        enterprise_name: r.text("enterprise_name")?,
        clause_text: clauses.into_iter().find(|c| c.number == clause).map(|c| c.text).unwrap_or_default(),
        clause,
        facts: r.text("facts")?,
        department_id: r.int("department_id")?,
        department_name: r.text("department_name")?,
        due_on: r.text("due_on")?,
        leader_due_on: r.opt_text("leader_due_on")?,
        state: r.text("state")?,
        response: r.text("response")?,
        legal_basis: r.text("legal_basis")?,
        late: r.bool("late")?,
        responded_at: r.opt_int("responded_at")?,
        escalated_at: r.opt_int("escalated_at")?,
        lead_id: r.opt_int("lead_id")?,
        created_at: r.int("created_at")?,
    })
}

fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Notice> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE n.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

/// Who sees notices: the firm its own, the enterprise those about it, the department
/// those addressed to it, its leaders in charge, the supervision office and the
/// administrator all.
fn sight(tx: &mut Tx<'_>, user: &CurrentUser, w: &mut Where) -> AppResult<()> {
    if let Some(f) = firm_of(tx, user)? {
        w.and("n.firm_id = ?", f);
    } else if let Some(e) = enterprise_of(tx, user)? {
        w.and("a.enterprise_id = ?", e);
    } else if user.role == Role::Supervisor {
    } else if user.role == Role::Leader {
        w.and(
            "n.department_id IN (SELECT f.department_id FROM portfolios f JOIN people pe ON pe.id = f.person_id \
             WHERE pe.user_id = ? AND f.end_date IS NULL)",
            user.id,
        );
    } else if user.role.is_government() {
        w.and("n.department_id = ?", user.department_id.unwrap_or(0));
    } else {
        w.and_sql("1 = 0");
    }
    Ok(())
}

pub fn get(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<Notice> {
    let mut w = Where::default();
    w.and("n.id = ?", id);
    sight(tx, user, &mut w)?;
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}", w.sql);
    tx.query_opt(&sql, &w.args)?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeFilter {
    pub state: Option<String>,
}

pub fn list(tx: &mut Tx<'_>, user: &CurrentUser, f: &NoticeFilter, p: &ListParams) -> AppResult<Page<Notice>> {
    let mut w = Where::default();
    sight(tx, user, &mut w)?;
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        w.and("n.state = ?", s.to_owned());
    }
    if let Some(like) = p.like() {
        w.contains(&["p.title", "e.name", "n.facts"], like);
    }
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by("n.id", &[("due", "n.due_on"), ("state", "n.state")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = PolicyNoticeInput)]
pub struct NoticeInput {
    pub application_id: i64,
    /// The number of the policy clause not fulfilled.
    pub clause: String,
    pub facts: String,
}

/// A firm files a notice on an application of an enterprise it serves; the responsible
/// department's heads are told.
pub fn file(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    calendar: &WorkCalendar,
    input: &NoticeInput,
) -> AppResult<Notice> {
    let firm = firm_of(tx, user)?.ok_or(AppError::Forbidden)?;
    let application = applications::get(tx, user, input.application_id, who.now)
        .map_err(|_| AppError::invalid("unknown_application", "application_id"))?;
    let clause = input.clause.trim();
    if clause.is_empty() {
        return Err(AppError::invalid("clause_required", "clause"));
    }
    let p = policy::find(tx, application.policy_id)?;
    if !p.clauses.iter().any(|c| c.number == clause) {
        return Err(AppError::invalid("unknown_clause", "clause"));
    }
    let facts = validate::text(&input.facts, "facts", 4000)?;
    if application.state == "delivered" {
        return Err(AppError::conflict("already_delivered"));
    }
    let due = calendar.add_working_days(clock::local_date(who.now), RESPONSE_DAYS);
    let id = tx.insert(
        "INSERT INTO policy_notices (firm_id, application_id, clause, facts, department_id, due_on, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
        params![firm, application.id, clause, facts, application.department_id, due.to_string(), who.now],
    )?;
    let n = find(tx, id)?;
    audit::record(tx, who, Change::created("policy_notice", id, &n))?;
    let mut told = people::department_heads(tx, n.department_id)?;
    told.extend(applications::enterprise_accounts(tx, application.enterprise_id)?);
    tell(tx, who, &told, &n, "pl-note-notice")?;
    Ok(n)
}

fn tell(tx: &mut Tx<'_>, who: &Who, users: &[i64], n: &Notice, message: &str) -> AppResult<usize> {
    let note = Note {
        kind: "policy",
        message,
        params: vec![
            ("policy", Param::from(n.policy_title.clone())),
            ("department", Param::from(n.department_name.clone())),
        ],
        body: String::new(),
        link: format!("/policy-notices/{}", n.id),
    };
    notify::send(tx, who, users, &note)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = PolicyNoticeResponse)]
pub struct ResponseInput {
    /// `delivered`, or `explained` with the legal basis.
    pub outcome: String,
    pub response: String,
    #[serde(default)]
    pub legal_basis: String,
    /// Said when responding after the deadline.
    #[serde(default)]
    pub late: bool,
}

/// The department responds: delivered (the application is then delivered too), or
/// explained with its legal basis. After the deadline only with the late flag.
pub fn respond(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &ResponseInput) -> AppResult<Notice> {
    let before = get(tx, user, id)?;
    if user.department_id != Some(before.department_id) {
        return Err(AppError::Forbidden);
    }
    if !matches!(before.state.as_str(), "open" | "escalated" | "referred") {
        return Err(AppError::conflict("notice_answered"));
    }
    let response = validate::text(&input.response, "response", 4000)?;
    let basis = validate::opt_text(Some(&input.legal_basis), "legal_basis", 2000)?.unwrap_or_default();
    match input.outcome.as_str() {
        "delivered" => {}
        "explained" if basis.is_empty() => return Err(AppError::invalid("legal_basis_required", "legal_basis")),
        "explained" => {}
        _ => return Err(AppError::invalid("bad_outcome", "outcome")),
    }
    let today = clock::local_date(who.now).to_string();
    let after_deadline = before.due_on < today;
    if after_deadline && !input.late {
        return Err(AppError::invalid("late_flag_required", "late"));
    }
    let changed = tx.execute(
        "UPDATE policy_notices SET state = $1, response = $2, legal_basis = $3, late = $4, responded_by = $5, \
         responded_at = $6 WHERE id = $7 AND state IN ('open', 'escalated', 'referred')",
        params![input.outcome.as_str(), response, basis, i64::from(after_deadline), user.id, who.now, id],
    )?;
    if changed != 1 {
        return Err(AppError::conflict("notice_answered"));
    }
    if input.outcome == "delivered" {
        tx.execute(
            "UPDATE policy_applications SET state = 'delivered', outcome = $1, decided_by = $2, decided_on = $3 \
             WHERE id = $4 AND state = 'applied'",
            params![input.response.trim(), user.id, today, before.application_id],
        )?;
    }
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("respond", "policy_notice", id, &before, &after))?;
    let mut told = firm_accounts(tx, after.firm_id)?;
    let enterprise = tx
        .query_opt("SELECT enterprise_id FROM policy_applications WHERE id = $1", params![after.application_id])?
        .ok_or(AppError::NotFound)?
        .int(0)?;
    told.extend(applications::enterprise_accounts(tx, enterprise)?);
    tell(tx, who, &told, &after, "pl-note-notice-answered")?;
    Ok(after)
}

fn firm_accounts(tx: &mut Tx<'_>, firm: i64) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT u.id FROM users u JOIN law_firms f ON f.enterprise_id = u.enterprise_id WHERE f.id = $1 \
         AND u.role = 'law_firm' AND u.active = 1 ORDER BY u.id",
        params![firm],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

/// The kernel's sweep, with the lead seam: an open notice past its day goes to the
/// department's leaders in charge with a second deadline; an escalated one past that is
/// handed to the supervision office as a lead.
pub fn escalate(tx: &mut Tx<'_>, who: &Who, env: &Environment) -> AppResult<usize> {
    let calendar = &env.calendar;
    let today = clock::local_date(who.now);
    let rows = tx.query(
        "SELECT id FROM policy_notices WHERE (state = 'open' AND due_on < $1) OR (state = 'escalated' AND leader_due_on < $1) \
         ORDER BY id LIMIT 200",
        params![today.to_string()],
    )?;
    let mut moved = 0;
    for r in &rows {
        let n = find(tx, r.int(0)?)?;
        if n.state == "open" {
            let due = calendar.add_working_days(today, ESCALATION_DAYS);
            tx.execute(
                "UPDATE policy_notices SET state = 'escalated', escalated_at = $1, leader_due_on = $2 WHERE id = $3",
                params![who.now, due.to_string(), n.id],
            )?;
            let leaders = people::leaders_over(tx, n.department_id)?;
            tell(tx, who, &leaders, &n, "pl-note-escalated")?;
        } else if let Some(port) = env.leads {
            let request = LeadRequest {
                channel: "government",
                category: "POLICY",
                description: format!(
                    "律师事务所督促函未获答复：{}（第{}条）未向{}兑现。{}",
                    n.policy_title, n.clause, n.enterprise_name, n.facts
                ),
                address: n.enterprise_name.clone(),
            };
            let lead = (port.file)(tx, who, &request, env)?;
            tx.execute(
                "UPDATE policy_notices SET state = 'referred', lead_id = $1 WHERE id = $2",
                params![lead, n.id],
            )?;
        } else {
            continue;
        }
        let after = find(tx, n.id)?;
        audit::record(tx, who, Change::updated("escalate", "policy_notice", n.id, &n.state, &after.state))?;
        moved += 1;
    }
    Ok(moved)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PolicyNoticeFigures)]
pub struct Figures {
    pub department: String,
    pub notices: i64,
    pub delivered: i64,
    pub explained: i64,
    pub escalated: i64,
    pub referred: i64,
    pub open: i64,
    /// Mean working days from filing to response, over those answered.
    pub mean_days_to_response: Option<f64>,
}

/// Notices filed in `[from, to)` per department, with their outcomes and the working days
/// each took to be answered.
pub fn figures(tx: &mut Tx<'_>, calendar: &WorkCalendar, from: i64, to: i64) -> AppResult<Vec<Figures>> {
    let rows = tx.query(
        "SELECT d.name, n.state, n.escalated_at, n.lead_id, n.created_at, n.responded_at FROM policy_notices n \
         JOIN departments d ON d.id = n.department_id WHERE n.created_at >= $1 AND n.created_at < $2 ORDER BY d.name, n.id",
        params![from, to],
    )?;
    let mut out: Vec<(Figures, Vec<f64>)> = Vec::new();
    for r in &rows {
        let name = r.text(0)?;
        if out.last().is_none_or(|(f, _)| f.department != name) {
            let empty = Figures {
                department: name.clone(),
                notices: 0,
                delivered: 0,
                explained: 0,
                escalated: 0,
                referred: 0,
                open: 0,
                mean_days_to_response: None,
            };
            out.push((empty, Vec::new()));
        }
        let Some((f, days)) = out.last_mut() else { continue };
        f.notices += 1;
        match r.text(1)?.as_str() {
            "delivered" => f.delivered += 1,
            "explained" => f.explained += 1,
            _ => f.open += 1,
        }
        f.escalated += i64::from(r.opt_int(2)?.is_some());
        f.referred += i64::from(r.opt_int(3)?.is_some());
        if let Some(at) = r.opt_int(5)? {
            let d = calendar.working_days_between(clock::local_date(r.int(4)?), clock::local_date(at));
            days.push(d as f64);
        }
    }
    Ok(out
        .into_iter()
        .map(|(mut f, days)| {
            f.mean_days_to_response = (!days.is_empty()).then(|| days.iter().sum::<f64>() / days.len() as f64);
            f
        })
        .collect())
}
