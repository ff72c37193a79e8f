//! Tasks (督办任务): one responsible person, a lead department, optional co-departments,
//! a deadline given as a date or as N working days, and a kind — execute, or research
//! with a feedback deadline. Their life is the `task` process on the workflow kernel.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::TASK;
use super::matters::{self, Matter};
use crate::kernel::access::{self, CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::{Row, Tx, Value, Where, id_list};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::notify::{self, Note};
use crate::kernel::registry::WorkItem;
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::kernel::workflow::deadlines::Kept;
use crate::kernel::workflow::directives::{self, Directive, Giving};
use crate::kernel::workflow::{self, Fired, Firing, Light, Process, Subject};
use crate::params;

pub const KINDS: [&str; 2] = ["execute", "research"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: i64,
    pub matter_id: i64,
    pub matter_title: String,
    pub leader_id: i64,
    pub title: String,
    pub description: String,
    /// `execute`, or `research` (研究论证) whose deadline is a feedback deadline.
    pub kind: String,
    pub assignee_id: i64,
    pub assignee_name: String,
    pub lead_department_id: i64,
    pub lead_department_name: String,
    pub co_departments: Vec<(i64, String)>,
    pub deadline: String,
    /// False when the deadline falls in a year whose holiday notice is not entered yet,
    /// so it was counted as if that year had no holidays.
    pub holidays_known: bool,
    pub state: String,
    pub progress: i64,
    /// Green, yellow or red while the deadline runs; none once feedback is in.
    pub light: Option<Light>,
    pub met_deadline: Option<bool>,
    pub created_at: i64,
    pub updated_at: i64,
    pub feedback_at: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TaskInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// `execute` or `research`.
    #[serde(default = "execute")]
    pub kind: String,
    /// The responsible person (责任人): an account in the lead department.
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub assignee_id: i64,
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub lead_department_id: i64,
    #[serde(default)]
    pub co_department_ids: Vec<i64>,
    /// A date (YYYY-MM-DD)…
    #[serde(default)]
    pub deadline: Option<String>,
    /// …or a number of working days from today.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub working_days: Option<i64>,
}

fn execute() -> String {
    "execute".into()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskFilter {
    /// `mine` (I am responsible), `department` (my department leads or co-operates),
    /// `leading` (matters I decide), or empty for everything I may see.
    pub scope: Option<String>,
    /// One state, or several separated by commas (`accepted,in_progress`).
    pub state: Option<String>,
    /// `green`, `yellow` or `red`.
    pub light: Option<String>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub matter_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub department_id: Option<i64>,
}

const COLUMNS: &str = "t.id, t.matter_id, m.title AS matter_title, m.leader_id, t.title, t.description, t.kind, \
    t.assignee_id, u.display_name AS assignee_name, t.lead_department_id, \
    d.name AS lead_department_name, t.deadline, t.state, t.progress, t.met_deadline, t.created_at, \
    t.updated_at, t.feedback_at";
const FROM: &str = "tasks t JOIN matters m ON m.id = t.matter_id JOIN users u ON u.id = t.assignee_id \
    JOIN departments d ON d.id = t.lead_department_id";

/// What a task's light and deadlines are judged by: the process, the calendar, today.
#[derive(Clone)]
pub struct View {
    pub process: std::sync::Arc<Process>,
    pub calendar: std::sync::Arc<WorkCalendar>,
    pub today: NaiveDate,
    /// Those told when a task is done (a lead made into a task is fed back).
    pub followers: Vec<crate::kernel::registry::TaskFinished>,
}

impl View {
    pub fn of(state: &crate::kernel::web::AppState, now: i64) -> AppResult<View> {
        View::from_environment(&state.environment(), now)
    }
    pub fn from_environment(env: &crate::kernel::registry::Environment, now: i64) -> AppResult<View> {
        Ok(View {
            process: env.processes.get("task")?,
            calendar: env.calendar.clone(),
            today: clock::local_date(now),
            followers: env.task_followers.clone(),
        })
    }
}

/// Full rows of some tasks, in the order of `ids`.
fn by_ids(tx: &mut Tx<'_>, ids: &[i64]) -> AppResult<Vec<Row>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids);
    let mut rows = tx.query(&format!("SELECT {COLUMNS} FROM {FROM} WHERE t.id IN ({})", list), &[])?;
    let place: std::collections::HashMap<i64, usize> = ids.iter().enumerate().map(|(n, id)| (*id, n)).collect();
    rows.sort_by_key(|r| r.int(0).ok().and_then(|id| place.get(&id).copied()));
    Ok(rows)
}

/// Co-departments of some tasks, in one query.
fn co_departments(tx: &mut Tx<'_>, ids: &[i64]) -> AppResult<Vec<(i64, i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids);
    let sql = format!(
        "SELECT c.task_id, d.id, d.name FROM task_codepartments c JOIN departments d ON d.id = c.department_id \
         WHERE c.task_id IN ({}) ORDER BY d.code",
        list
    );
    tx.query(&sql, &[])?.iter().map(|r| Ok((r.int(0)?, r.int(1)?, r.text(2)?))).collect()
}

fn from_row(r: &Row, co_all: &[(i64, i64, String)], v: &View) -> AppResult<Task> {
    let id = r.int("id")?;
    let co = co_all.iter().filter(|(t, _, _)| *t == id).map(|(_, d, n)| (*d, n.clone())).collect();
    let state = r.text("state")?;
    let deadline = r.text("deadline")?;
    Ok(Task {
        id,
        matter_id: r.int("matter_id")?,
        matter_title: r.text("matter_title")?,
        leader_id: r.int("leader_id")?,
        title: r.text("title")?,
        description: r.text("description")?,
        kind: r.text("kind")?,
        assignee_id: r.int("assignee_id")?,
        assignee_name: r.text("assignee_name")?,
        lead_department_id: r.int("lead_department_id")?,
        lead_department_name: r.text("lead_department_name")?,
        co_departments: co,
        light: v.process.light(&v.calendar, &state, &deadline, v.today),
        holidays_known: deadline.get(..4).and_then(|y| y.parse().ok()).is_none_or(|y| v.calendar.knows_year(y)),
        deadline,
        state,
        progress: r.int("progress")?,
        met_deadline: r.opt_int("met_deadline")?.map(|m| m != 0),
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
        feedback_at: r.opt_int("feedback_at")?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64, v: &View) -> AppResult<Task> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE t.id = $1");
    let r = tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?;
    let co = co_departments(tx, &[id])?;
    from_row(&r, &co, v)
}

/// The caller's relations to a task: assignee, leader, lead_head. The one who carries
/// a task out never decides on it: when the matter's leader assigned it to themselves,
/// the city leaders above decide instead.
pub fn relations(user: &CurrentUser, t: &Task) -> Vec<&'static str> {
    let mut r = Vec::new();
    let self_assigned = t.assignee_id == t.leader_id;
    if user.id == t.assignee_id {
        r.push("assignee");
        r.push(if t.kind == "research" { "researcher" } else { "executor" });
    }
    if (user.id == t.leader_id && !self_assigned)
        || (self_assigned && user.role == Role::Leader && user.id != t.assignee_id)
    {
        r.push("leader");
    }
    if user.role == Role::DeptHead && user.department_id == Some(t.lead_department_id) {
        r.push("lead_head");
    }
    r
}

/// The task, if `user` may see it: through its matter, or as lead or co-department.
pub fn get(tx: &mut Tx<'_>, user: &CurrentUser, id: i64, v: &View) -> AppResult<Task> {
    let t = find(tx, id, v)?;
    let in_department =
        user.department_id.is_some_and(|d| d == t.lead_department_id || t.co_departments.iter().any(|(c, _)| *c == d));
    if !relations(user, &t).is_empty() || (in_department && user.role.is_government()) {
        return Ok(t);
    }
    matters::get(tx, user, t.matter_id, clock_now(v))?;
    Ok(t)
}

fn clock_now(v: &View) -> i64 {
    v.today.and_hms_opt(12, 0, 0).map_or(0, |d| d.and_utc().timestamp_millis())
}

/// The date a task's `yellow` band starts: deadlines on or before it are near.
fn yellow_limit(v: &View) -> String {
    v.calendar.add_working_days(v.today, v.process.timing.yellow_working_days).to_string()
}

pub fn list(tx: &mut Tx<'_>, user: &CurrentUser, f: &TaskFilter, p: &ListParams, v: &View) -> AppResult<Page<Task>> {
    let mut w = Where::default();
    match f.scope.as_deref() {
        Some("mine") => {
            w.and("t.assignee_id = ?", user.id);
        }
        Some("department") => {
            let d = user.department_id.ok_or(AppError::Forbidden)?;
            w.and(
                "t.id IN (SELECT x.id FROM tasks x WHERE x.lead_department_id = ? \
                 UNION SELECT c.task_id FROM task_codepartments c WHERE c.department_id = ?)",
                d,
            );
        }
        Some("leading") => {
            w.and("m.leader_id = ?", user.id);
        }
        Some("matter") => {
            let m = f.matter_id.ok_or_else(|| AppError::invalid("required", "matter_id"))?;
            matters::get(tx, user, m, clock_now(v))?;
        }
        _ => {
            access::restrict_visible_or_involved(
                user,
                &mut w,
                "m.visibility",
                "m.department_id",
                "(t.assignee_id = ?1 OR m.leader_id = ?1 OR m.opened_by = ?1)",
            );
        }
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        let states: Vec<&str> = s.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        let marks = w.marks(&states);
        w.and_sql(&format!("t.state IN ({marks})"));
    }
    if let Some(m) = f.matter_id {
        w.and("t.matter_id = ?", m);
    }
    if let Some(d) = f.department_id {
        w.and("t.lead_department_id = ?", d);
    }
    if let Some(l) = f.light.as_deref().filter(|l| !l.is_empty()) {
        let running: Vec<Value> = v.process.timing.running.iter().map(|s| Value::from(s.as_str())).collect();
        if running.is_empty() {
            w.and_sql("1=0");
        } else {
            let marks: Vec<String> = (1..=running.len()).map(|i| format!("?{i}")).collect();
            w.and_args(&format!("t.state IN ({})", marks.join(", ")), running);
        }
        let today = v.today.to_string();
        match l {
            "red" => {
                w.and("t.deadline < ?", today);
            }
            "yellow" => {
                w.and_args("t.deadline >= ?1 AND t.deadline <= ?2", vec![today.into(), yellow_limit(v).into()]);
            }
            "green" => {
                w.and("t.deadline > ?", yellow_limit(v));
            }
            _ => return Err(AppError::invalid("bad_value", "light")),
        }
    }
    if let Some(like) = p.like() {
        w.contains(&["t.title", "m.title"], like);
    }
    // Count and page over the tasks (and their matters, which filters may need) only;
    // the other joins and the co-departments are fetched for the page's rows alone.
    let lean = "tasks t JOIN matters m ON m.id = t.matter_id";
    let total = count_capped(tx, &format!("FROM {lean}{}", w.sql), &w.args)?;
    let order = p.order_by(
        "t.id",
        &[("deadline", "t.deadline"), ("updated", "t.updated_at"), ("title", "t.title"), ("state", "t.state")],
    );
    let (limit, offset) = p.window();
    let (l, o) = (w.push(limit), w.push(offset));
    let ids: Vec<i64> = tx
        .query(&format!("SELECT t.id FROM {lean}{}{order} LIMIT {l} OFFSET {o}", w.sql), &w.args)?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    let rows = by_ids(tx, &ids)?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.int(0).ok()).collect();
    let co = co_departments(tx, &ids)?;
    let items = rows.iter().map(|r| from_row(r, &co, v)).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// The deadline a new or extended task gets, checked against today.
pub fn deadline_of(input_date: Option<&str>, working_days: Option<i64>, v: &View) -> AppResult<NaiveDate> {
    let date = match (input_date.map(str::trim).filter(|d| !d.is_empty()), working_days) {
        (Some(d), _) => validate::date(d, "deadline")?,
        (None, Some(n)) if (1..=i64::from(crate::kernel::calendar::MAX_WORKING_DAYS)).contains(&n) => {
            v.calendar.add_working_days(v.today, n as u32)
        }
        (None, Some(_)) => return Err(AppError::invalid("bad_value", "working_days")),
        (None, None) => return Err(AppError::invalid("required", "deadline")),
    };
    if date < v.today {
        return Err(AppError::invalid("deadline_past", "deadline"));
    }
    Ok(v.calendar.roll_forward(date))
}

/// Assign a task under a matter (its deciding leader or opener only).
pub fn create(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    matter_id: i64,
    input: &TaskInput,
    v: &View,
) -> AppResult<Task> {
    let m: Matter = matters::get(tx, user, matter_id, who.now)?;
    if m.leader_id != user.id && m.opened_by != user.id {
        return Err(AppError::Forbidden);
    }
    if m.state != "open" {
        return Err(AppError::conflict("matter_closed"));
    }
    let title = validate::text(&input.title, "title", 120)?;
    let description = validate::opt_text(Some(&input.description), "description", 4000)?.unwrap_or_default();
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_value", "kind"));
    }
    if tx.count("SELECT COUNT(*) FROM departments WHERE id = $1 AND active = 1", params![input.lead_department_id])?
        == 0
    {
        return Err(AppError::invalid("unknown_department", "lead_department_id"));
    }
    let assignee = tx
        .query_opt("SELECT role, department_id FROM users WHERE id = $1 AND active = 1", params![input.assignee_id])?
        .ok_or_else(|| AppError::invalid("unknown_user", "assignee_id"))?;
    let role = Role::parse(&assignee.text(0)?).unwrap_or(Role::Public);
    if !matches!(role, Role::Staff | Role::DivisionHead | Role::DeptHead)
        || assignee.opt_int(1)? != Some(input.lead_department_id)
    {
        return Err(AppError::invalid("assignee_outside_department", "assignee_id"));
    }
    let mut co = input.co_department_ids.clone();
    co.sort_unstable();
    co.dedup();
    co.retain(|d| *d != input.lead_department_id);
    if co.len() > 20 {
        return Err(AppError::invalid("too_long", "co_department_ids"));
    }
    for d in &co {
        if tx.count("SELECT COUNT(*) FROM departments WHERE id = $1 AND active = 1", params![*d])? == 0 {
            return Err(AppError::invalid("unknown_department", "co_department_ids"));
        }
    }
    let deadline = deadline_of(input.deadline.as_deref(), input.working_days, v)?;
    let id = tx.insert(
        "INSERT INTO tasks (matter_id, title, description, kind, assignee_id, lead_department_id, deadline, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        params![
            matter_id, title, description, input.kind.as_str(), input.assignee_id, input.lead_department_id,
            deadline.to_string(), v.process.initial.as_str(), who.now
        ],
    )?;
    for d in &co {
        tx.execute("INSERT INTO task_codepartments (task_id, department_id) VALUES ($1, $2)", params![id, *d])?;
    }
    tx.execute("UPDATE matters SET updated_at = $1 WHERE id = $2", params![who.now, matter_id])?;
    super::stats::task_added(tx, input.lead_department_id, input.assignee_id)?;
    let t = find(tx, id, v)?;
    audit::record(tx, who, Change::created("task", id, &t))?;
    let heads = department_heads(tx, t.lead_department_id)?;
    let mut to = vec![t.assignee_id];
    to.extend(heads);
    notify::send(
        tx,
        who,
        &to,
        &Note {
            kind: "task",
            message: "co-note-new-task",
            params: vec![
                ("title", t.title.as_str().into()),
                ("matter", m.title.as_str().into()),
                ("deadline", t.deadline.as_str().into()),
            ],
            body: t.description.clone(),
            link: format!("/tasks/{id}"),
        },
    )?;
    super::co_feedback::tell_co_departments(tx, who, &t)?;
    Ok(t)
}

pub(super) use crate::org::people::department_heads;

struct TaskSubject<'a> {
    t: &'a Task,
    /// Told once the task is done.
    followers: &'a [crate::kernel::registry::TaskFinished],
}

impl Subject for TaskSubject<'_> {
    fn guard(&self, tx: &mut Tx<'_>, name: &str) -> AppResult<bool> {
        match name {
            super::research::REPORT_WRITTEN => Ok(super::research::of(tx, self.t.id)?.is_some()),
            _ => Ok(false),
        }
    }
    fn recipients(&self, tx: &mut Tx<'_>, relation: &str) -> AppResult<Vec<i64>> {
        match relation {
            "assignee" | "executor" | "researcher" => Ok(vec![self.t.assignee_id]),
            "leader" => Ok(vec![self.t.leader_id]),
            "lead_head" => department_heads(tx, self.t.lead_department_id),
            "lead_leader" => crate::org::people::leaders_over(tx, self.t.lead_department_id),
            "principal_leader" => Ok(crate::org::people::principal_leader(tx)?.into_iter().collect()),
            _ => Ok(Vec::new()),
        }
    }
    fn title(&self) -> String {
        self.t.title.clone()
    }
    fn link(&self) -> String {
        format!("/tasks/{}", self.t.id)
    }
    /// Feedback records whether it met the deadline (and counts in the statistics); a
    /// returned task takes that back; a finished task is at 100%; a note joins the history.
    fn after_fire(&self, tx: &mut Tx<'_>, who: &Who, fired: &Fired, note: Option<&str>) -> AppResult<()> {
        let t = self.t;
        match fired.deadline {
            Kept::Finished { met } => {
                tx.execute(
                    "UPDATE tasks SET feedback_at = $1, met_deadline = $2 WHERE id = $3",
                    params![who.now, met, t.id],
                )?;
                super::stats::feedback(tx, t.lead_department_id, t.assignee_id, met, who.now - t.created_at, 1)?;
            }
            Kept::Started => {
                tx.execute("UPDATE tasks SET feedback_at = NULL, met_deadline = NULL WHERE id = $1", params![t.id])?;
                if let Some(at) = t.feedback_at {
                    let met = t.met_deadline.unwrap_or(false);
                    super::stats::feedback(tx, t.lead_department_id, t.assignee_id, met, at - t.created_at, -1)?;
                }
            }
            Kept::Unchanged => {}
        }
        if fired.is_final {
            tx.execute("UPDATE tasks SET progress = 100 WHERE id = $1", params![t.id])?;
        }
        if fired.to == DONE && !self.followers.is_empty() {
            let feedback = match super::research::summary(tx, t.id)? {
                Some(conclusions) => Some(conclusions),
                None => tx
                .query_opt(
                    "SELECT note FROM workflow_events WHERE kind = 'task' AND record_id = $1 AND transition = 'submit_feedback' \
                     ORDER BY id DESC LIMIT 1",
                    params![t.id],
                )?
                .map(|r| r.opt_text(0))
                .transpose()?
                .flatten(),
            }
            .unwrap_or_default();
            for follow in self.followers {
                follow(tx, who, t.id, &feedback)?;
            }
        }
        if let Some(n) = note {
            tx.execute(
                "INSERT INTO task_updates (task_id, kind, body, actor, at) VALUES ($1, $2, $3, $4, $5)",
                params![t.id, format!("transition:{}", fired.transition), n, who.actor.as_str(), who.now],
            )?;
        }
        Ok(())
    }
}

/// Fire a transition of the task process.
pub fn transition(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    transition: &str,
    note: Option<&str>,
    v: &View,
) -> AppResult<Fired> {
    let t = get(tx, user, id, v)?;
    let rel = relations(user, &t);
    let decides = v.process.transitions.iter().any(|x| x.id == transition && x.by.iter().any(|b| b == "leader"));
    if decides && user.id == t.assignee_id && t.assignee_id == t.leader_id {
        return Err(AppError::Refused { code: "self_approval" });
    }
    workflow::fire(
        tx,
        who,
        &TASK,
        &v.process,
        Firing { id, transition, relations: &rel, note, calendar: &v.calendar },
        &TaskSubject { t: &t, followers: &v.followers },
    )
}

/// The state a task is done in (its feedback accepted).
const DONE: &str = "done";

/// How a task stands, for the record it was made from (no visibility check: the caller
/// holds the link).
pub fn standing(tx: &mut Tx<'_>, id: i64, v: &View) -> AppResult<Option<crate::kernel::registry::TaskStanding>> {
    let t = match find(tx, id, v) {
        Ok(t) => t,
        Err(AppError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(crate::kernel::registry::TaskStanding {
        id: t.id,
        state: v.process.state_name(&t.state, Lang::Zh),
        state_en: v.process.state_name(&t.state, Lang::En),
        finished: v.process.is_final(&t.state),
        deadline: t.deadline,
        light: t.light,
        progress: t.progress,
    }))
}

/// A 批示 or 催办 on a task, by those its process file allows.
pub fn direct(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    giving: &Giving,
    v: &View,
) -> AppResult<Directive> {
    let t = get(tx, user, id, v)?;
    let rel = relations(user, &t);
    directives::give(
        tx,
        who,
        &super::TASK,
        &v.process,
        user,
        &rel,
        id,
        giving,
        &TaskSubject { t: &t, followers: &v.followers },
    )
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProgressInput {
    pub body: String,
    /// 0–100.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub progress: Option<i64>,
}

/// A progress report by the responsible person (or the lead department's head).
pub fn report_progress(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &ProgressInput,
    v: &View,
) -> AppResult<Update> {
    let t = get(tx, user, id, v)?;
    let rel = relations(user, &t);
    if !rel.contains(&"assignee") && !rel.contains(&"lead_head") {
        return Err(AppError::Forbidden);
    }
    if !v.process.runs_deadline(&t.state) || t.state == v.process.initial {
        return Err(AppError::conflict("illegal_transition"));
    }
    let body = validate::text(&input.body, "body", 4000)?;
    let progress = input.progress.unwrap_or(t.progress);
    if !(0..=100).contains(&progress) {
        return Err(AppError::invalid("bad_value", "progress"));
    }
    tx.execute("UPDATE tasks SET progress = $1, updated_at = $2 WHERE id = $3", params![progress, who.now, id])?;
    let uid = tx.insert(
        "INSERT INTO task_updates (task_id, kind, body, progress, actor, at) VALUES ($1, 'progress', $2, $3, $4, $5) RETURNING id",
        params![id, body.as_str(), progress, who.actor.as_str(), who.now],
    )?;
    audit::record(
        tx,
        who,
        Change::updated(
            "progress",
            "task",
            id,
            &serde_json::json!({ "progress": t.progress }),
            &serde_json::json!({ "progress": progress, "body": body }),
        ),
    )?;
    Ok(Update {
        id: uid,
        kind: "progress".into(),
        body,
        progress: Some(progress),
        actor: who.actor.clone(),
        actor_name: user.display_name.clone(),
        at: who.now,
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Update {
    pub id: i64,
    pub kind: String,
    pub body: String,
    pub progress: Option<i64>,
    pub actor: String,
    /// The person's name.
    pub actor_name: String,
    pub at: i64,
}

pub fn updates(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<Update>> {
    tx.query(
        concat!(
            "SELECT id, kind, body, progress, actor, ",
            crate::name_of!("actor"),
            " AS actor_name, at FROM task_updates WHERE task_id = $1 ORDER BY id"
        ),
        params![id],
    )?
    .iter()
    .map(|r| {
        Ok(Update {
            id: r.int("id")?,
            kind: r.text("kind")?,
            body: r.text("body")?,
            progress: r.opt_int("progress")?,
            actor: r.text("actor")?,
            actor_name: r.text("actor_name")?,
            at: r.int("at")?,
        })
    })
    .collect()
}

/// Whether `user` may add files to the task (its responsible person or lead head, while
/// it runs).
pub fn may_attach(user: &CurrentUser, t: &Task, process: &Process) -> bool {
    let rel = relations(user, t);
    (rel.contains(&"assignee") || rel.contains(&"lead_head")) && !process.is_final(&t.state)
}

/// A person's running tasks: how many, how many overdue, how many due soon.
pub fn my_counts(tx: &mut Tx<'_>, user: i64, v: &View) -> AppResult<(i64, i64, i64)> {
    let running = &v.process.timing.running;
    if running.is_empty() {
        return Ok((0, 0, 0));
    }
    let marks: Vec<String> = (0..running.len()).map(|i| format!("${}", i + 4)).collect();
    let sql = format!(
        "SELECT COUNT(*), SUM(CASE WHEN deadline < $2 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN deadline >= $2 AND deadline <= $3 THEN 1 ELSE 0 END) \
         FROM tasks WHERE assignee_id = $1 AND state IN ({})",
        marks.join(", ")
    );
    let mut args: Vec<Value> = vec![user.into(), v.today.to_string().into(), yellow_limit(v).into()];
    args.extend(running.iter().map(|s| Value::from(s.as_str())));
    let r = tx.query_one(&sql, &args)?;
    Ok((r.int(0)?, r.opt_int(1)?.unwrap_or(0), r.opt_int(2)?.unwrap_or(0)))
}

/// The tasks waiting for `user`, most urgent first: those they handle, those whose
/// feedback they decide, and (as the deciding leader or the lead department's head) those
/// past their deadline.
pub fn queue(
    tx: &mut Tx<'_>,
    user: &CurrentUser,
    v: &View,
    lang: crate::kernel::i18n::Lang,
) -> AppResult<Vec<WorkItem>> {
    let p = &v.process;
    let first = ListParams { per: Some(QUEUE_MAX), sort: Some("deadline".into()), ..Default::default() };
    let kind = crate::kernel::i18n::t(lang, "co-task").to_owned();
    let mut items: Vec<WorkItem> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |t: Task, ask: String, more: String, items: &mut Vec<WorkItem>| {
        if seen.insert(t.id) {
            items.push(WorkItem {
                ask,
                kind: kind.clone(),
                title: t.title,
                href: format!("/tasks/{}", t.id),
                light: t.light,
                deadline: Some(t.deadline),
                since: t.updated_at,
                more,
            });
        }
    };
    for (scope, relation) in [("mine", "assignee"), ("leading", "leader")] {
        let states = p.actionable(&[relation]).join(",");
        if states.is_empty() {
            continue;
        }
        let f = TaskFilter { scope: Some(scope.into()), state: Some(states), ..Default::default() };
        for t in list(tx, user, &f, &first, v)?.items {
            let (ask, more) = (p.asks(&t.state, &[relation], lang), format!("/tasks?scope={scope}&state={}", t.state));
            add(t, ask, more, &mut items);
        }
    }
    let extend = crate::kernel::i18n::t(lang, "co-decide-extension").to_owned();
    let sql = "SELECT x.task_id FROM task_extensions x JOIN tasks t ON t.id = x.task_id \
               JOIN matters m ON m.id = t.matter_id WHERE x.state = 'pending' AND m.leader_id = $1 ORDER BY x.id LIMIT 20";
    let asked: Vec<i64> = tx.query(sql, params![user.id])?.iter().map(|r| r.int(0)).collect::<Result<_, _>>()?;
    for t in by_ids(tx, &asked)?.iter().map(|r| from_row(r, &[], v)).collect::<AppResult<Vec<_>>>()? {
        let href = format!("/tasks/{}", t.id);
        add(t, extend.clone(), href, &mut items);
    }
    let overdue = crate::kernel::i18n::t(lang, "co-overdue-3").to_owned();
    let mut watched = vec!["leading"];
    if user.role == Role::DeptHead && user.department_id.is_some() {
        watched.push("department");
    }
    for scope in watched {
        let f = TaskFilter { scope: Some(scope.into()), light: Some("red".into()), ..Default::default() };
        for t in list(tx, user, &f, &first, v)?.items {
            add(t, overdue.clone(), format!("/tasks?scope={scope}&light=red"), &mut items);
        }
    }
    Ok(items)
}

/// At most this many records of one kind in one part of a work queue.
const QUEUE_MAX: i64 = 20;

/// People who can be made responsible: department staff with accounts, the first
/// `coordination.assignable_options` of them (the picker finds the rest by name).
pub fn assignable(tx: &mut Tx<'_>) -> AppResult<Vec<(String, String)>> {
    let cap = crate::kernel::settings::get(tx, &super::ASSIGNABLE_OPTIONS)?;
    tx.query(
        "SELECT u.id, u.display_name, d.name FROM users u JOIN departments d ON d.id = u.department_id \
         WHERE u.active = 1 AND u.role IN ('staff', 'division_head', 'dept_head') ORDER BY d.code, u.display_name LIMIT $1",
        params![cap],
    )?
    .iter()
    .map(|r| Ok((r.int(0)?.to_string(), format!("{} · {}", r.text(1)?, r.text(2)?))))
    .collect()
}
