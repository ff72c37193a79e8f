//! Plans (作战方案): an offensive's, or a district's or department's policy, with its lead
//! city leader, implementing departments, goals with measurable targets, and text versions
//! that are never changed (a revision is a new version). The plan moves 起草 → 已答辩 →
//! 已修改完善 → 已印发实施 on the workflow kernel.

use serde::{Deserialize, Serialize};

use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::kernel::workflow::{self, Firing, Rules, Subject};
use crate::params;

pub const KINDS: [&str; 2] = ["offensive", "policy"];

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Goal {
    pub goal: String,
    /// A measurable target (到2019年底海洋生产总值增长15%).
    pub target: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = HearingPlan)]
pub struct Plan {
    pub id: i64,
    /// `offensive` or `policy`.
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub leader_id: i64,
    pub leader_name: String,
    pub owner_department_id: Option<i64>,
    pub owner_department_name: Option<String>,
    pub state: String,
    pub defended_version: Option<i64>,
    /// The latest version's number.
    pub version: i64,
    pub matter_id: Option<i64>,
    pub departments: Vec<(i64, String)>,
    pub goals: Vec<Goal>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlanInput {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// The lead city leader.
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub leader_id: i64,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub owner_department_id: Option<i64>,
    pub department_ids: Vec<i64>,
    #[serde(default)]
    pub goals: Vec<Goal>,
    /// The first version's text.
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PlanVersion)]
pub struct Version {
    pub version: i64,
    pub body: String,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct VersionInput {
    pub body: String,
    /// What changed, in a sentence.
    #[serde(default)]
    pub note: String,
}

const COLUMNS: &str = "p.id, p.kind, p.title, p.summary, p.leader_id, l.display_name AS leader_name, \
    p.owner_department_id, d.name AS owner_name, p.state, p.defended_version, p.matter_id, p.created_at, p.updated_at, \
    (SELECT MAX(v.version) FROM plan_versions v WHERE v.plan_id = p.id) AS version";
const FROM: &str = "plans p JOIN users l ON l.id = p.leader_id LEFT JOIN departments d ON d.id = p.owner_department_id";

fn from_row(r: &Row) -> AppResult<Plan> {
    Ok(Plan {
        id: r.int("id")?,
        kind: r.text("kind")?,
        title: r.text("title")?,
        summary: r.text("summary")?,
        leader_id: r.int("leader_id")?,
        leader_name: r.text("leader_name")?,
        owner_department_id: r.opt_int("owner_department_id")?,
        owner_department_name: r.opt_text("owner_name")?,
        state: r.text("state")?,
        defended_version: r.opt_int("defended_version")?,
        version: r.opt_int("version")?.unwrap_or(0),
        matter_id: r.opt_int("matter_id")?,
        departments: Vec::new(),
        goals: Vec::new(),
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Plan> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE p.id = $1");
    let mut p = tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)?;
    p.departments = tx
        .query(
            "SELECT d.id, d.name FROM plan_departments x JOIN departments d ON d.id = x.department_id \
             WHERE x.plan_id = $1 ORDER BY d.id",
            params![id],
        )?
        .iter()
        .map(|r| Ok((r.int(0)?, r.text(1)?)))
        .collect::<AppResult<_>>()?;
    p.goals = tx
        .query("SELECT goal, target FROM plan_goals WHERE plan_id = $1 ORDER BY position", params![id])?
        .iter()
        .map(|r| Ok(Goal { goal: r.text(0)?, target: r.text(1)? }))
        .collect::<AppResult<_>>()?;
    Ok(p)
}

/// The caller's relations to a plan: its lead leader (and the administrator), and the
/// staff of its implementing or owning departments.
pub fn relations(user: &CurrentUser, p: &Plan) -> Vec<&'static str> {
    let mut r = Vec::new();
    if user.id == p.leader_id {
        r.push("leader");
    }
    let ours =
        user.department_id.is_some_and(|d| p.owner_department_id == Some(d) || p.departments.iter().any(|x| x.0 == d));
    if ours && matches!(user.role, Role::Staff | Role::DivisionHead | Role::DeptHead) {
        r.push("department");
    }
    r
}

pub fn versions(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<Version>> {
    tx.query(
        "SELECT version, body, note, created_by, created_at FROM plan_versions WHERE plan_id = $1 ORDER BY version",
        params![id],
    )?
    .iter()
    .map(|r| {
        Ok(Version {
            version: r.int(0)?,
            body: r.text(1)?,
            note: r.text(2)?,
            created_by: r.text(3)?,
            created_at: r.int(4)?,
        })
    })
    .collect()
}

pub fn version(tx: &mut Tx<'_>, id: i64, version: i64) -> AppResult<Version> {
    versions(tx, id)?.into_iter().find(|v| v.version == version).ok_or(AppError::NotFound)
}

fn check(tx: &mut Tx<'_>, input: &PlanInput) -> AppResult<(String, String)> {
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_value", "kind"));
    }
    let leader = tx.query_opt(
        "SELECT 1 FROM users WHERE id = $1 AND role IN ('leader', 'dept_head') AND active = 1",
        params![input.leader_id],
    )?;
    if leader.is_none() {
        return Err(AppError::invalid("not_a_leader", "leader_id"));
    }
    if input.kind == "policy" && input.owner_department_id.is_none() {
        return Err(AppError::invalid("required", "owner_department_id"));
    }
    if input.department_ids.is_empty() || input.department_ids.len() > 40 {
        return Err(AppError::invalid("plan_needs_departments", "department_ids"));
    }
    for d in input.department_ids.iter().chain(input.owner_department_id.iter()) {
        if tx.query_opt("SELECT 1 FROM departments WHERE id = $1", params![*d])?.is_none() {
            return Err(AppError::invalid("unknown_reference", "department_ids"));
        }
    }
    for g in &input.goals {
        validate::text(&g.goal, "goals", 200)?;
        validate::text(&g.target, "goals", 200)?;
    }
    Ok((
        validate::text(&input.title, "title", 200)?,
        validate::opt_text(Some(&input.summary), "summary", 4000)?.unwrap_or_default(),
    ))
}

fn write_parts(tx: &mut Tx<'_>, id: i64, input: &PlanInput) -> AppResult<()> {
    tx.execute("DELETE FROM plan_departments WHERE plan_id = $1", params![id])?;
    let mut seen = Vec::new();
    for d in &input.department_ids {
        if !seen.contains(d) {
            seen.push(*d);
            tx.execute("INSERT INTO plan_departments (plan_id, department_id) VALUES ($1, $2)", params![id, *d])?;
        }
    }
    tx.execute("DELETE FROM plan_goals WHERE plan_id = $1", params![id])?;
    for (n, g) in input.goals.iter().enumerate() {
        tx.execute(
            "INSERT INTO plan_goals (plan_id, position, goal, target) VALUES ($1, $2, $3, $4)",
            params![id, n as i64, g.goal.trim(), g.target.trim()],
        )?;
    }
    Ok(())
}

/// Write a plan (a leader, or the staff of the department whose policy it is).
pub fn create(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, rules: &Rules, input: &PlanInput) -> AppResult<Plan> {
    let (title, summary) = check(tx, input)?;
    let mine = user.role == Role::Leader
        || user
            .department_id
            .is_some_and(|d| input.owner_department_id == Some(d) || input.department_ids.contains(&d));
    if !mine {
        return Err(AppError::invalid("not_your_department", "department_ids"));
    }
    let id = tx.insert(
        "INSERT INTO plans (kind, title, summary, leader_id, owner_department_id, state, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        params![
            input.kind.as_str(),
            title,
            summary,
            input.leader_id,
            input.owner_department_id,
            rules.process.initial.as_str(),
            user.id,
            who.now
        ],
    )?;
    write_parts(tx, id, input)?;
    let p = find(tx, id)?;
    audit::record(tx, who, Change::created("plan", id, &p))?;
    if !input.body.trim().is_empty() {
        add_version(tx, who, user, id, &VersionInput { body: input.body.clone(), note: String::new() })?;
    }
    find(tx, id)
}

/// A new version of the text (while the plan is not adopted).
pub fn add_version(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &VersionInput,
) -> AppResult<Version> {
    let p = find(tx, id)?;
    if relations(user, &p).is_empty() {
        return Err(AppError::Forbidden);
    }
    if p.state == "adopted" {
        return Err(AppError::Conflict { code: "plan_adopted", field: None });
    }
    let body = validate::text(&input.body, "body", 200_000)?;
    let note = validate::opt_text(Some(&input.note), "note", 500)?.unwrap_or_default();
    let sql = format!("SELECT id FROM plans WHERE id = $1{}", tx.dialect().for_update());
    tx.query_opt(&sql, params![id])?;
    let next = tx.count("SELECT COALESCE(MAX(version), 0) + 1 FROM plan_versions WHERE plan_id = $1", params![id])?;
    tx.execute(
        "INSERT INTO plan_versions (plan_id, version, body, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        params![id, next, body, note, who.actor.as_str(), who.now],
    )?;
    tx.execute("UPDATE plans SET updated_at = $1 WHERE id = $2", params![who.now, id])?;
    let v = version(tx, id, next)?;
    audit::record(tx, who, Change::created("plan_version", id, &v))?;
    Ok(v)
}

/// Change the plan's particulars (its text changes only by new versions).
pub fn update(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &PlanInput) -> AppResult<Plan> {
    let before = find(tx, id)?;
    if relations(user, &before).is_empty() {
        return Err(AppError::Forbidden);
    }
    if before.state == "adopted" {
        return Err(AppError::Conflict { code: "plan_adopted", field: None });
    }
    let (title, summary) = check(tx, input)?;
    tx.execute(
        "UPDATE plans SET kind = $1, title = $2, summary = $3, leader_id = $4, owner_department_id = $5, updated_at = $6 \
         WHERE id = $7",
        params![input.kind.as_str(), title, summary, input.leader_id, input.owner_department_id, who.now, id],
    )?;
    write_parts(tx, id, input)?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("update", "plan", id, &before, &after))?;
    Ok(after)
}

struct PlanSubject<'a> {
    p: &'a Plan,
}

impl Subject for PlanSubject<'_> {
    fn guard(&self, tx: &mut Tx<'_>, name: &str) -> AppResult<bool> {
        match name {
            "heard" => Ok(tx
                .query_opt(
                    "SELECT 1 FROM hearings WHERE plan_id = $1 AND kind = 'hearing' AND state IN ('closed', 'published')",
                    params![self.p.id],
                )?
                .is_some()),
            "new_version" => Ok(self.p.version > self.p.defended_version.unwrap_or(0)),
            _ => Ok(false),
        }
    }
    fn recipients(&self, tx: &mut Tx<'_>, relation: &str) -> AppResult<Vec<i64>> {
        match relation {
            "leader" => Ok(vec![self.p.leader_id]),
            "department" => {
                let mut to = Vec::new();
                for (d, _) in &self.p.departments {
                    to.extend(crate::org::people::department_heads(tx, *d)?);
                }
                Ok(to)
            }
            _ => Ok(Vec::new()),
        }
    }
    fn title(&self) -> String {
        self.p.title.clone()
    }
    fn link(&self) -> String {
        format!("/plans/{}", self.p.id)
    }
    /// The version defended is the one the last hearing held defended.
    fn after_fire(&self, tx: &mut Tx<'_>, _: &Who, fired: &workflow::Fired, _: Option<&str>) -> AppResult<()> {
        if fired.to == "defended" {
            tx.execute(
                "UPDATE plans SET defended_version = (SELECT MAX(h.plan_version) FROM hearings h WHERE h.plan_id = $1 \
                 AND h.kind = 'hearing' AND h.state IN ('closed', 'published')) WHERE id = $1",
                params![self.p.id],
            )?;
        }
        Ok(())
    }
}

pub fn transition(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    transition: &str,
    note: Option<&str>,
) -> AppResult<Plan> {
    let p = find(tx, id)?;
    let relations = relations(user, &p);
    let firing = Firing { id, transition, relations: &relations, note, calendar: &rules.calendar };
    workflow::fire(tx, who, &super::PLAN, &rules.process, firing, &PlanSubject { p: &p })?;
    find(tx, id)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanFilter {
    pub state: Option<String>,
    pub kind: Option<String>,
}

pub fn list(tx: &mut Tx<'_>, f: &PlanFilter, p: &ListParams) -> AppResult<Page<Plan>> {
    let mut w = Where::default();
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        w.and("p.state = ?", s);
    }
    if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
        w.and("p.kind = ?", k);
    }
    if let Some(like) = p.like() {
        w.contains(&["p.title", "p.summary"], like);
    }
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by("p.id", &[("title", "p.title"), ("state", "p.state"), ("updated", "p.updated_at")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}
