//! Projects signed through a platform or an event: the enterprise, sector, district and
//! amount (integer fen), the stage on the workflow kernel with the date each stage was
//! reached, and the department and person responsible. Every stage change gives the
//! project `investment.stall_working_days` to reach the next; the kernel's deadline
//! engine reminds and escalates a project that stalls.

use serde::{Deserialize, Serialize};

use crate::enterprises::registry::{self as enterprises, Named};
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::clock;
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::registry::WorkItem;
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::kernel::workflow::{self, Deadlines, Fired, Firing, Light, Rules, Subject};
use crate::params;

pub static DEADLINES: Deadlines = Deadlines {
    deadline: "deadline",
    reminded: "reminded_at",
    escalated: "escalated_at",
    only: "",
    title: "title",
    link: "/investment/projects/",
    recipients: deadline_recipients,
    noted: None,
};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: i64,
    pub title: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub enterprise_uscc: Option<String>,
    pub event_id: Option<i64>,
    pub event_name: Option<String>,
    pub platform_id: Option<i64>,
    pub platform_name: Option<String>,
    pub sector: String,
    pub district: String,
    /// The amount, exact, in fen (1 yuan = 100 fen).
    pub amount_fen: i64,
    /// The amount in yuan with two decimals, e.g. `23,500,000.00`.
    pub amount_yuan: String,
    /// `negotiating`, `signed`, `landed`, `producing` or `dropped`.
    pub state: String,
    /// The day each stage was reached (`YYYY-MM-DD`).
    pub negotiating_on: String,
    pub signed_on: Option<String>,
    pub landed_on: Option<String>,
    pub producing_on: Option<String>,
    pub department_id: i64,
    pub department_name: String,
    pub responsible_id: i64,
    pub responsible_name: String,
    /// The next stage is expected by this day; past it the project has stalled.
    pub deadline: Option<String>,
    pub light: Option<Light>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProjectInput {
    pub title: String,
    /// The enterprise: one of the registry, or one gathered into it.
    #[serde(flatten)]
    pub enterprise: Named,
    #[serde(default)]
    pub event_id: Option<i64>,
    #[serde(default)]
    pub platform_id: Option<i64>,
    pub sector: String,
    pub district: String,
    /// Yuan, as a string or a number with at most two decimals.
    #[schema(value_type = String, example = "23500000.00")]
    pub amount_yuan: serde_json::Value,
    pub department_id: i64,
    pub responsible_id: i64,
    /// When negotiations began (default: today).
    #[serde(default)]
    pub negotiating_on: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectFilter {
    pub state: Option<String>,
    pub event_id: Option<i64>,
    pub platform_id: Option<i64>,
    pub sector: Option<String>,
    pub district: Option<String>,
    pub department_id: Option<i64>,
    /// `red` for stalled projects, `yellow` for those about to stall.
    pub light: Option<String>,
    /// `me` for the caller's own projects.
    pub responsible: Option<String>,
}

const COLUMNS: &str = "p.id, p.title, p.enterprise_id, e.name AS enterprise_name, e.uscc AS enterprise_uscc, \
    p.event_id, ev.name AS event_name, p.platform_id, pl.name AS platform_name, p.sector, p.district, p.amount_fen, \
    p.state, p.negotiating_on, p.signed_on, p.landed_on, p.producing_on, p.department_id, d.name AS department_name, \
    p.responsible_id, u.display_name AS responsible_name, p.deadline, p.created_at, p.updated_at";
const FROM: &str = "projects p JOIN enterprises e ON e.id = p.enterprise_id JOIN departments d ON d.id = p.department_id \
    JOIN users u ON u.id = p.responsible_id LEFT JOIN events ev ON ev.id = p.event_id \
    LEFT JOIN platforms pl ON pl.id = p.platform_id";

fn from_row(r: &Row, rules: Option<&Rules>, today: chrono::NaiveDate) -> AppResult<Project> {
    let state = r.text("state")?;
    let deadline = r.opt_text("deadline")?;
    let light =
        rules.zip(deadline.as_deref()).and_then(|(rules, d)| rules.process.light(&rules.calendar, &state, d, today));
    let amount_fen = r.int("amount_fen")?;
    Ok(Project {
        id: r.int("id")?,
        title: r.text("title")?,
        enterprise_id: r.int("enterprise_id")?,
        enterprise_name: r.text("enterprise_name")?,
        enterprise_uscc: r.opt_text("enterprise_uscc")?,
        event_id: r.opt_int("event_id")?,
        event_name: r.opt_text("event_name")?,
        platform_id: r.opt_int("platform_id")?,
        platform_name: r.opt_text("platform_name")?,
        sector: r.text("sector")?,
        district: r.text("district")?,
        amount_fen,
        amount_yuan: validate::fen_to_yuan(amount_fen),
        state,
        negotiating_on: r.text("negotiating_on")?,
        signed_on: r.opt_text("signed_on")?,
        landed_on: r.opt_text("landed_on")?,
        producing_on: r.opt_text("producing_on")?,
        department_id: r.int("department_id")?,
        department_name: r.text("department_name")?,
        responsible_id: r.int("responsible_id")?,
        responsible_name: r.text("responsible_name")?,
        deadline,
        light,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

pub fn find(tx: &mut Tx<'_>, rules: &Rules, id: i64, now: i64) -> AppResult<Project> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE p.id = $1");
    let row = tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?;
    from_row(&row, Some(rules), clock::local_date(now))
}

/// Whether `user` may record for department `department`: its own staff and heads, or a
/// leader or the administrator for any.
pub fn may_record_for(user: &CurrentUser, department: i64) -> bool {
    match user.role {
        Role::Leader => true,
        Role::Staff | Role::DivisionHead | Role::DeptHead => user.department_id == Some(department),
        _ => false,
    }
}

/// The caller's relations to a project.
pub fn relations(user: &CurrentUser, p: &Project) -> Vec<&'static str> {
    let mut r = Vec::new();
    if user.id == p.responsible_id {
        r.push("responsible");
    }
    if user.department_id == Some(p.department_id) && user.role.is_government() {
        r.push("department");
        if user.role == Role::DeptHead {
            r.push("department_head");
        }
    }
    if user.role == Role::Leader {
        r.push("department_head");
    }
    r
}

fn deadline_recipients(tx: &mut Tx<'_>, id: i64, relation: &str) -> AppResult<Vec<i64>> {
    let Some(r) = tx.query_opt("SELECT responsible_id, department_id FROM projects WHERE id = $1", params![id])? else {
        return Ok(Vec::new());
    };
    recipients_of(tx, relation, r.int(0)?, r.int(1)?)
}

fn recipients_of(tx: &mut Tx<'_>, relation: &str, responsible: i64, department: i64) -> AppResult<Vec<i64>> {
    match relation {
        "responsible" => Ok(vec![responsible]),
        "department_head" => crate::org::people::department_heads(tx, department),
        "department_leader" => crate::org::people::leaders_over(tx, department),
        _ => Ok(Vec::new()),
    }
}

struct Checked {
    title: String,
    sector: String,
    district: String,
    amount_fen: i64,
    negotiating_on: String,
}

fn check(input: &ProjectInput, today: chrono::NaiveDate) -> AppResult<Checked> {
    let amount_text = match &input.amount_yuan {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Null => return Err(AppError::invalid("required", "amount_yuan")),
        _ => return Err(AppError::invalid("bad_amount", "amount_yuan")),
    };
    let negotiating_on = match input.negotiating_on.trim() {
        "" => today,
        d => validate::date(d, "negotiating_on")?,
    };
    if negotiating_on > today {
        return Err(AppError::invalid("date_in_future", "negotiating_on"));
    }
    Ok(Checked {
        title: validate::text(&input.title, "title", 200)?,
        sector: validate::text(&input.sector, "sector", 60)?,
        district: validate::text(&input.district, "district", 60)?,
        amount_fen: validate::yuan_to_fen(&amount_text, "amount_yuan")?,
        negotiating_on: negotiating_on.to_string(),
    })
}

fn exists(tx: &mut Tx<'_>, table: &str, id: Option<i64>, field: &'static str) -> AppResult<()> {
    let Some(id) = id else { return Ok(()) };
    if tx.query_opt(&format!("SELECT 1 FROM {table} WHERE id = $1"), params![id])?.is_none() {
        return Err(AppError::invalid("unknown_reference", field));
    }
    Ok(())
}

/// The responsible person must be active staff of the responsible department.
fn check_people(tx: &mut Tx<'_>, input: &ProjectInput) -> AppResult<()> {
    exists(tx, "departments", Some(input.department_id), "department_id")?;
    let ok = tx
        .query_opt(
            "SELECT 1 FROM users WHERE id = $1 AND active = 1 AND department_id = $2 \
             AND role IN ('staff', 'division_head', 'dept_head')",
            params![input.responsible_id, input.department_id],
        )?
        .is_some();
    if !ok {
        return Err(AppError::invalid("not_of_department", "responsible_id"));
    }
    exists(tx, "events", input.event_id, "event_id")?;
    exists(tx, "platforms", input.platform_id, "platform_id")
}

/// The day a project stalls if it reaches no further stage.
fn stall_day(tx: &mut Tx<'_>, rules: &Rules, now: i64) -> AppResult<String> {
    let days = crate::kernel::settings::get(tx, &super::STALL_WORKING_DAYS)?;
    let days = u32::try_from(days).unwrap_or(20);
    Ok(rules.calendar.add_working_days(clock::local_date(now), days).to_string())
}

pub fn create(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    input: &ProjectInput,
) -> AppResult<Project> {
    let c = check(input, clock::local_date(who.now))?;
    if !may_record_for(user, input.department_id) {
        return Err(AppError::invalid("not_your_department", "department_id"));
    }
    check_people(tx, input)?;
    let enterprise = enterprises::named_one(tx, who, &input.enterprise, "event")?.id;
    let deadline = stall_day(tx, rules, who.now)?;
    let id = tx.insert(
        "INSERT INTO projects (title, enterprise_id, event_id, platform_id, sector, district, amount_fen, state, \
         negotiating_on, department_id, responsible_id, deadline, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
        params![
            c.title,
            enterprise,
            input.event_id,
            input.platform_id,
            c.sector,
            c.district,
            c.amount_fen,
            rules.process.initial.as_str(),
            c.negotiating_on,
            input.department_id,
            input.responsible_id,
            deadline,
            who.actor.as_str(),
            who.now
        ],
    )?;
    let p = find(tx, rules, id, who.now)?;
    audit::record(tx, who, Change::created("project", id, &p))?;
    Ok(p)
}

/// Correct a project's details (its stage moves only by transitions).
pub fn update(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    input: &ProjectInput,
) -> AppResult<Project> {
    let before = find(tx, rules, id, who.now)?;
    if relations(user, &before).is_empty() {
        return Err(AppError::Forbidden);
    }
    let c = check(input, clock::local_date(who.now))?;
    if input.department_id != before.department_id && !may_record_for(user, input.department_id) {
        return Err(AppError::invalid("not_your_department", "department_id"));
    }
    check_people(tx, input)?;
    let enterprise = enterprises::named_one(tx, who, &input.enterprise, "event")?.id;
    tx.execute(
        "UPDATE projects SET title = $1, enterprise_id = $2, event_id = $3, platform_id = $4, sector = $5, \
         district = $6, amount_fen = $7, negotiating_on = $8, department_id = $9, responsible_id = $10, \
         updated_at = $11 WHERE id = $12",
        params![
            c.title,
            enterprise,
            input.event_id,
            input.platform_id,
            c.sector,
            c.district,
            c.amount_fen,
            c.negotiating_on,
            input.department_id,
            input.responsible_id,
            who.now,
            id
        ],
    )?;
    let after = find(tx, rules, id, who.now)?;
    audit::record(tx, who, Change::updated("update", "project", id, &before, &after))?;
    Ok(after)
}

struct ProjectSubject<'a> {
    p: &'a Project,
    rules: &'a Rules,
}

impl Subject for ProjectSubject<'_> {
    fn guard(&self, _: &mut Tx<'_>, _: &str) -> AppResult<bool> {
        Ok(false)
    }
    fn recipients(&self, tx: &mut Tx<'_>, relation: &str) -> AppResult<Vec<i64>> {
        recipients_of(tx, relation, self.p.responsible_id, self.p.department_id)
    }
    fn title(&self) -> String {
        self.p.title.clone()
    }
    fn link(&self) -> String {
        format!("/investment/projects/{}", self.p.id)
    }
    /// The day each stage is reached; a fresh stall date while the project runs.
    fn after_fire(&self, tx: &mut Tx<'_>, who: &Who, fired: &Fired, _: Option<&str>) -> AppResult<()> {
        let today = clock::local_date(who.now).to_string();
        if let Some(column) = match fired.to.as_str() {
            "signed" => Some("signed_on"),
            "landed" => Some("landed_on"),
            "producing" => Some("producing_on"),
            _ => None,
        } {
            let sql = format!("UPDATE projects SET {column} = $1 WHERE id = $2");
            tx.execute(&sql, params![today, self.p.id])?;
        }
        let deadline =
            if self.rules.process.runs_deadline(&fired.to) { Some(stall_day(tx, self.rules, who.now)?) } else { None };
        tx.execute(
            "UPDATE projects SET deadline = $1, reminded_at = NULL, escalated_at = NULL WHERE id = $2",
            params![deadline, self.p.id],
        )?;
        Ok(())
    }
}

/// Move a project to its next stage (or skip one, with a reason; or drop or resume it).
pub fn transition(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    transition: &str,
    note: Option<&str>,
) -> AppResult<Project> {
    let p = find(tx, rules, id, who.now)?;
    let relations = relations(user, &p);
    let firing = Firing { id, transition, relations: &relations, note, calendar: &rules.calendar };
    workflow::fire(tx, who, &super::PROJECT, &rules.process, firing, &ProjectSubject { p: &p, rules })?;
    find(tx, rules, id, who.now)
}

/// Conditions of a project list, shared by the list and its export.
fn filtered(f: &ProjectFilter, p: &ListParams, user: &CurrentUser, rules: &Rules, now: i64) -> AppResult<Where> {
    let mut w = Where::default();
    if let Some(state) = f.state.as_deref().filter(|s| !s.is_empty()) {
        w.and("p.state = ?", state);
    }
    for (col, v) in [("p.event_id", f.event_id), ("p.platform_id", f.platform_id), ("p.department_id", f.department_id)]
    {
        if let Some(v) = v {
            w.and(&format!("{col} = ?"), v);
        }
    }
    for (col, v) in [("p.sector", &f.sector), ("p.district", &f.district)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            w.and(&format!("{col} = ?"), v);
        }
    }
    if f.responsible.as_deref() == Some("me") {
        w.and("p.responsible_id = ?", user.id);
    }
    let today = clock::local_date(now);
    let running: Vec<&str> = rules.process.timing.running.iter().map(String::as_str).collect();
    match f.light.as_deref().filter(|l| !l.is_empty()) {
        Some("red") => {
            let (states, day) = (w.marks(&running), w.push(today.to_string()));
            w.and_sql(&format!("p.state IN ({states}) AND p.deadline < {day}"));
        }
        Some("yellow") => {
            let yellow = rules.calendar.add_working_days(today, rules.process.timing.yellow_working_days);
            let (states, from, to) = (w.marks(&running), w.push(today.to_string()), w.push(yellow.to_string()));
            w.and_sql(&format!("p.state IN ({states}) AND p.deadline >= {from} AND p.deadline <= {to}"));
        }
        Some(_) => return Err(AppError::invalid("bad_value", "light")),
        None => {}
    }
    if let Some(like) = p.like() {
        w.contains(&["p.title", "e.name", "p.sector"], like);
    }
    Ok(w)
}

pub fn list(
    tx: &mut Tx<'_>,
    user: &CurrentUser,
    rules: &Rules,
    f: &ProjectFilter,
    p: &ListParams,
    now: i64,
) -> AppResult<Page<Project>> {
    let mut w = filtered(f, p, user, rules, now)?;
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by(
        "p.id",
        &[
            ("deadline", "COALESCE(p.deadline, '9999-12-31')"),
            ("amount", "p.amount_fen"),
            ("title", "p.title"),
            ("updated", "p.updated_at"),
            ("state", "p.state"),
        ],
    );
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let today = clock::local_date(now);
    let items = tx.query(&sql, &w.args)?.iter().map(|r| from_row(r, Some(rules), today)).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// The projects waiting for the caller: theirs (or their department's, for its head) that
/// have stalled or are about to, nearest date first.
pub fn queue(tx: &mut Tx<'_>, user: &CurrentUser, rules: &Rules, now: i64, lang: Lang) -> AppResult<Vec<WorkItem>> {
    let today = clock::local_date(now);
    let soon = rules.calendar.add_working_days(today, rules.process.timing.yellow_working_days).to_string();
    let mut w = Where::default();
    let running: Vec<&str> = rules.process.timing.running.iter().map(String::as_str).collect();
    let states = w.marks(&running);
    let day = w.push(soon);
    let mine = w.push(user.id);
    let mut whose = format!("p.responsible_id = {mine}");
    if let (Role::DeptHead, Some(d)) = (user.role, user.department_id) {
        whose = format!("({whose} OR p.department_id = {})", w.push(d));
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.state IN ({states}) AND p.deadline <= {day} AND {whose} \
         ORDER BY p.deadline, p.id LIMIT 20"
    );
    let kind = crate::kernel::i18n::t(lang, "inv-project");
    let mut items = Vec::new();
    for r in tx.query(&sql, &w.args)? {
        let p = from_row(&r, Some(rules), today)?;
        let asks = rules.process.asks(&p.state, &relations(user, &p), lang);
        items.push(WorkItem {
            ask: if asks.is_empty() { crate::kernel::i18n::t(lang, "inv-stalled").to_owned() } else { asks },
            kind: kind.to_owned(),
            title: p.title.clone(),
            href: format!("/investment/projects/{}", p.id),
            light: p.light,
            more: "/investment?light=red".to_owned(),
            deadline: p.deadline.clone(),
            since: p.updated_at,
        });
    }
    Ok(items)
}

/// How many projects have stalled: all of them for leaders, the caller's unit's otherwise.
pub fn stalled(tx: &mut Tx<'_>, user: &CurrentUser, rules: &Rules, now: i64) -> AppResult<i64> {
    let mut w = Where::default();
    let running: Vec<&str> = rules.process.timing.running.iter().map(String::as_str).collect();
    let (states, day) = (w.marks(&running), w.push(clock::local_date(now).to_string()));
    w.and_sql(&format!("p.state IN ({states}) AND p.deadline < {day}"));
    if user.role != Role::Leader {
        w.and("p.department_id = ?", user.department_id.unwrap_or(0));
    }
    Ok(tx.count(&format!("SELECT COUNT(*) FROM projects p{}", w.sql), &w.args)?)
}
