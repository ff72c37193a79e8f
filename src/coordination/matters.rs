//! Matters (事项): opened top-down by the leader whose final say they need.

use crate::kernel::workflow::directives::{self, Directive, Giving};
use serde::{Deserialize, Serialize};

use super::MATTER;
use crate::kernel::access::{self, CurrentUser, Role, Visibility};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Where, id_list};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::kernel::workflow::{self, Fired, Firing, Process, Rules, Subject};
use crate::params;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Matter {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// The leader whose final say the matter needs (拍板).
    pub leader_id: i64,
    pub leader_name: String,
    pub opened_by: i64,
    pub department_id: Option<i64>,
    pub visibility: Visibility,
    pub state: String,
    pub kickoff_date: Option<String>,
    /// Who was convened.
    pub kickoff_attendees: String,
    /// What was decided.
    pub kickoff_decisions: String,
    pub tasks_total: i64,
    pub tasks_finished: i64,
    pub tasks_overdue: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MatterInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The deciding leader; the caller when empty. A city leader may open a matter for a
    /// department head or a leader below them.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub leader_id: Option<i64>,
    #[serde(default)]
    pub visibility: Option<Visibility>,
    #[serde(default)]
    pub kickoff_date: Option<String>,
    #[serde(default)]
    pub kickoff_attendees: String,
    #[serde(default)]
    pub kickoff_decisions: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatterFilter {
    /// `open` or `closed`.
    pub state: Option<String>,
    /// `mine`: matters the caller decides.
    pub scope: Option<String>,
}

const COLUMNS: &str = "m.id, m.title, m.description, m.leader_id, u.display_name AS leader_name, m.opened_by, \
    m.department_id, m.visibility, m.state, m.kickoff_date, m.kickoff_attendees, \
    m.kickoff_decisions, COALESCE(c.total, 0) AS tasks_total, \
    COALESCE(c.finished, 0) AS tasks_finished, COALESCE(c.overdue, 0) AS tasks_overdue, \
    m.created_at, m.updated_at";

/// The task counts of the matters `which` selects (a condition on `matter_id`), in one
/// pass over their tasks, joined as `c`.
fn task_counts(today: &str, which: &str) -> String {
    format!(
        "LEFT JOIN (SELECT matter_id, COUNT(*) AS total, \
         SUM(CASE WHEN state IN ('done', 'archived') THEN 1 ELSE 0 END) AS finished, \
         SUM(CASE WHEN state IN ('assigned', 'accepted', 'in_progress') AND deadline < '{today}' THEN 1 ELSE 0 END) AS overdue \
         FROM tasks WHERE {which} GROUP BY matter_id) c ON c.matter_id = m.id"
    )
}
const FROM: &str = "matters m JOIN users u ON u.id = m.leader_id";

fn from_row(r: &Row) -> AppResult<Matter> {
    Ok(Matter {
        id: r.int("id")?,
        title: r.text("title")?,
        description: r.text("description")?,
        leader_id: r.int("leader_id")?,
        leader_name: r.text("leader_name")?,
        opened_by: r.int("opened_by")?,
        department_id: r.opt_int("department_id")?,
        visibility: Visibility::parse(&r.text("visibility")?).unwrap_or(Visibility::Confidential),
        state: r.text("state")?,
        kickoff_date: r.opt_text("kickoff_date")?,
        kickoff_attendees: r.text("kickoff_attendees")?,
        kickoff_decisions: r.text("kickoff_decisions")?,
        tasks_total: r.int("tasks_total")?,
        tasks_finished: r.int("tasks_finished")?,
        tasks_overdue: r.int("tasks_overdue")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

fn today(now: i64) -> String {
    crate::kernel::clock::local_date(now).to_string()
}

pub fn find(tx: &mut Tx<'_>, id: i64, now: i64) -> AppResult<Matter> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} {} WHERE m.id = $1", task_counts(&today(now), "matter_id = $1"));
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

/// Whether `user` holds a part in the matter: deciding leader, opener, or responsible
/// for one of its tasks.
fn involved(tx: &mut Tx<'_>, user: &CurrentUser, m: &Matter) -> AppResult<bool> {
    if user.id == m.leader_id || user.id == m.opened_by {
        return Ok(true);
    }
    Ok(tx.count("SELECT COUNT(*) FROM tasks WHERE matter_id = $1 AND assignee_id = $2", params![m.id, user.id])? > 0)
}

/// The matter, if `user` may see it (404 otherwise).
pub fn get(tx: &mut Tx<'_>, user: &CurrentUser, id: i64, now: i64) -> AppResult<Matter> {
    let m = find(tx, id, now)?;
    let tied = involved(tx, user, &m)?;
    access::require_visible_or_involved(Some(user), m.visibility, m.department_id, tied)?;
    Ok(m)
}

pub fn list(
    tx: &mut Tx<'_>,
    user: &CurrentUser,
    f: &MatterFilter,
    p: &ListParams,
    now: i64,
) -> AppResult<Page<Matter>> {
    let mut w = Where::default();
    access::restrict_visible_or_involved(
        user,
        &mut w,
        "m.visibility",
        "m.department_id",
        "(m.leader_id = ?1 OR m.opened_by = ?1 OR EXISTS (SELECT 1 FROM tasks t WHERE t.matter_id = m.id AND t.assignee_id = ?1))",
    );
    if f.scope.as_deref() == Some("mine") {
        w.and("m.leader_id = ?", user.id);
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        w.and("m.state = ?", s);
    }
    if let Some(like) = p.like() {
        w.contains(&["m.title"], like);
    }
    // Count and page over the matters alone; then the page's rows with their task counts,
    // in one pass over their tasks (by index, on both databases).
    let total = count_capped(tx, &format!("FROM matters m{}", w.sql), &w.args)?;
    let order = p.order_by("m.id", &[("updated", "m.updated_at"), ("title", "m.title"), ("created", "m.created_at")]);
    let (limit, offset) = p.window();
    let (l, o) = (w.push(limit), w.push(offset));
    let page = format!("SELECT m.id FROM matters m{}{order} LIMIT {l} OFFSET {o}", w.sql);
    let ids: Vec<i64> = tx.query(&page, &w.args)?.iter().map(|r| r.int(0)).collect::<Result<_, _>>()?;
    let list = id_list(&ids);
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} {} WHERE m.id IN ({list})",
        task_counts(&today(now), &format!("matter_id IN ({list})"))
    );
    let mut items: Vec<Matter> = tx.query(&sql, &[])?.iter().map(from_row).collect::<AppResult<_>>()?;
    items.sort_by_key(|m| ids.iter().position(|i| *i == m.id));
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// Leaders' precedence by title; earlier outranks later.
const PRECEDENCE: [&str; 6] = ["市委书记", "市长", "常务副市长", "副市长", "秘书长", "副秘书长"];

fn leader_rank(tx: &mut Tx<'_>, user_id: i64) -> AppResult<usize> {
    let title = tx
        .query_opt("SELECT leader_title FROM people WHERE user_id = $1", params![user_id])?
        .and_then(|r| r.opt_text(0).ok().flatten())
        .unwrap_or_default();
    Ok(PRECEDENCE.iter().position(|t| *t == title).unwrap_or(PRECEDENCE.len()))
}

/// Who may open a matter for `decider`: the decider, or someone above them.
fn check_opener(tx: &mut Tx<'_>, opener: &CurrentUser, decider: i64) -> AppResult<Option<i64>> {
    if !matches!(opener.role, Role::Leader | Role::DeptHead) {
        return Err(AppError::Forbidden);
    }
    if decider == opener.id {
        return Ok(opener.department_id);
    }
    let r = tx
        .query_opt("SELECT role, department_id FROM users WHERE id = $1 AND active = 1", params![decider])?
        .ok_or_else(|| AppError::invalid("unknown_user", "leader_id"))?;
    let role = Role::parse(&r.text(0)?).unwrap_or(Role::Public);
    let above = match (opener.role, role) {
        (Role::Leader, Role::DeptHead) => true,
        (Role::Leader, Role::Leader) => leader_rank(tx, opener.id)? < leader_rank(tx, decider)?,
        (Role::DeptHead, Role::DeptHead) => false,
        _ => false,
    };
    if !matches!(role, Role::Leader | Role::DeptHead) {
        return Err(AppError::invalid("not_a_decider", "leader_id"));
    }
    if !above {
        return Err(AppError::invalid("not_above_decider", "leader_id"));
    }
    Ok(r.opt_int(1)?)
}

struct Valid {
    title: String,
    description: String,
    kickoff_date: Option<String>,
    attendees: String,
    decisions: String,
}

fn validate_input(input: &MatterInput) -> AppResult<Valid> {
    Ok(Valid {
        title: validate::text(&input.title, "title", 120)?,
        description: validate::opt_text(Some(&input.description), "description", 4000)?.unwrap_or_default(),
        kickoff_date: validate::opt_date(input.kickoff_date.as_deref(), "kickoff_date")?.map(|d| d.to_string()),
        attendees: validate::opt_text(Some(&input.kickoff_attendees), "kickoff_attendees", 2000)?.unwrap_or_default(),
        decisions: validate::opt_text(Some(&input.kickoff_decisions), "kickoff_decisions", 4000)?.unwrap_or_default(),
    })
}

pub fn create(
    tx: &mut Tx<'_>,
    who: &Who,
    opener: &CurrentUser,
    process: &Process,
    input: &MatterInput,
) -> AppResult<Matter> {
    let v = validate_input(input)?;
    let decider = input.leader_id.unwrap_or(opener.id);
    let department = check_opener(tx, opener, decider)?;
    let vis = input.visibility.unwrap_or(Visibility::Internal);
    let id = tx.insert(
        "INSERT INTO matters (title, description, leader_id, opened_by, department_id, visibility, state, \
         kickoff_date, kickoff_attendees, kickoff_decisions, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        params![
            v.title,
            v.description,
            decider,
            opener.id,
            department,
            vis.as_str(),
            process.initial.as_str(),
            v.kickoff_date,
            v.attendees,
            v.decisions,
            who.now
        ],
    )?;
    let m = find(tx, id, who.now)?;
    audit::record(tx, who, Change::created("matter", id, &m))?;
    Ok(m)
}

/// Edit the matter's description and kickoff record (its deciding leader only).
pub fn update(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &MatterInput) -> AppResult<Matter> {
    let before = get(tx, user, id, who.now)?;
    if before.leader_id != user.id && before.opened_by != user.id {
        return Err(AppError::Forbidden);
    }
    let v = validate_input(input)?;
    let vis = input.visibility.unwrap_or(before.visibility);
    tx.execute(
        "UPDATE matters SET title = $1, description = $2, visibility = $3, kickoff_date = $4, kickoff_attendees = $5, \
         kickoff_decisions = $6, updated_at = $7 WHERE id = $8",
        params![v.title, v.description, vis.as_str(), v.kickoff_date, v.attendees, v.decisions, who.now, id],
    )?;
    let after = find(tx, id, who.now)?;
    audit::record(tx, who, Change::updated("update", "matter", id, &before, &after))?;
    Ok(after)
}

struct MatterSubject<'a> {
    m: &'a Matter,
}

impl Subject for MatterSubject<'_> {
    fn guard(&self, tx: &mut Tx<'_>, name: &str) -> AppResult<bool> {
        match name {
            "all_tasks_finished" => Ok(tx.count(
                "SELECT COUNT(*) FROM tasks WHERE matter_id = $1 AND state NOT IN ('done', 'archived')",
                params![self.m.id],
            )? == 0
                && self.m.tasks_total > 0),
            _ => Ok(false),
        }
    }
    fn recipients(&self, tx: &mut Tx<'_>, relation: &str) -> AppResult<Vec<i64>> {
        match relation {
            "leader" => Ok(vec![self.m.leader_id]),
            "assignees" => tx
                .query("SELECT DISTINCT assignee_id FROM tasks WHERE matter_id = $1", params![self.m.id])?
                .iter()
                .map(|r| Ok(r.int(0)?))
                .collect(),
            _ => Ok(Vec::new()),
        }
    }
    fn title(&self) -> String {
        self.m.title.clone()
    }
    fn link(&self) -> String {
        format!("/matters/{}", self.m.id)
    }
}

pub fn relations(user: &CurrentUser, m: &Matter) -> Vec<&'static str> {
    if user.id == m.leader_id { vec!["leader"] } else { Vec::new() }
}

pub fn transition(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    transition: &str,
    note: Option<&str>,
) -> AppResult<Fired> {
    let m = get(tx, user, id, who.now)?;
    let rel = relations(user, &m);
    workflow::fire(
        tx,
        who,
        &MATTER,
        &rules.process,
        Firing { id, transition, relations: &rel, note, calendar: &rules.calendar },
        &MatterSubject { m: &m },
    )
}

/// A 批示 or 催办 on a matter, by those its process file allows.
pub fn direct(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    process: &workflow::Process,
    id: i64,
    giving: &Giving,
) -> AppResult<Directive> {
    let m = get(tx, user, id, who.now)?;
    let rel = relations(user, &m);
    directives::give(tx, who, &MATTER, process, user, &rel, id, giving, &MatterSubject { m: &m })
}

/// The open matters `user` may add tasks to (as their deciding leader or opener), as
/// (id, title), for forms.
pub fn open_for(tx: &mut Tx<'_>, user: &CurrentUser) -> AppResult<Vec<(String, String)>> {
    tx.query(
        "SELECT id, title FROM matters WHERE state = 'open' AND (leader_id = $1 OR opened_by = $1) ORDER BY id DESC LIMIT 200",
        params![user.id],
    )?
    .iter()
    .map(|r| Ok((r.int(0)?.to_string(), r.text(1)?)))
    .collect()
}
