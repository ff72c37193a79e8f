//! Support packages: 一业一策 bundles the evaluated ideas of one industry, 一企一策 those of
//! one enterprise. The department drafts the measures (each with its responsible
//! department and person, the resources and a deadline); the leader in charge approves,
//! which opens a matter the leader decides and hands each measure over as a task through
//! the kernel's task seam, so it has the same lights, reminders, 催办 and escalation as
//! any task. A measure is delivered when its task is done.

use serde::{Deserialize, Serialize};

use super::idea;
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::registry::{Environment, MatterRequest, TaskPort, TaskRequest, TaskStanding, WorkItem};
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::kernel::workflow::{self, Firing, Rules, Subject};
use crate::kernel::{clock, validate};
use crate::params;

pub const KINDS: [&str; 2] = ["industry", "enterprise"];
const MAX_MEASURES: usize = 50;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Measure {
    pub id: i64,
    pub content: String,
    pub resources: String,
    pub department_id: i64,
    pub department_name: String,
    pub assignee_id: i64,
    pub assignee_name: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
    /// Withheld from the public page.
    pub confidential: bool,
    pub task_id: Option<i64>,
    /// The day its task was done.
    pub delivered_on: Option<String>,
    /// How its task stands now.
    pub task: Option<TaskStanding>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PackageIdea {
    pub id: i64,
    pub title: String,
    pub enterprise_name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Package {
    pub id: i64,
    /// `industry` (一业一策) or `enterprise` (一企一策).
    pub kind: String,
    pub title: String,
    pub industry: String,
    pub summary: String,
    pub department_id: i64,
    pub department_name: String,
    pub leader_id: i64,
    pub leader_name: String,
    pub drafted_by_name: String,
    pub state: String,
    pub matter_id: Option<i64>,
    pub approved_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub ideas: Vec<PackageIdea>,
    pub measures: Vec<Measure>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MeasureInput {
    pub content: String,
    #[serde(default)]
    pub resources: String,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub department_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub assignee_id: Option<i64>,
    /// `YYYY-MM-DD`, after today.
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub confidential: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PackageInput {
    /// `industry` or `enterprise`.
    pub kind: String,
    pub title: String,
    pub industry: String,
    #[serde(default)]
    pub summary: String,
    /// The leader in charge, who approves.
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub leader_id: i64,
    /// Evaluated, feasible ideas: of one industry, or of one enterprise.
    pub idea_ids: Vec<i64>,
    pub measures: Vec<MeasureInput>,
}

const COLUMNS: &str = "p.id, p.kind, p.title, p.industry, p.summary, p.department_id, d.name AS department_name, \
    p.leader_id, l.display_name AS leader_name, u.display_name AS drafted_by_name, p.state, p.matter_id, p.approved_at, \
    p.created_at, p.updated_at";
const FROM: &str = "support_packages p JOIN departments d ON d.id = p.department_id \
    JOIN users l ON l.id = p.leader_id JOIN users u ON u.id = p.drafted_by";

fn from_row(r: &Row) -> AppResult<Package> {
    Ok(Package {
        id: r.int("id")?,
        kind: r.text("kind")?,
        title: r.text("title")?,
        industry: r.text("industry")?,
        summary: r.text("summary")?,
        department_id: r.int("department_id")?,
        department_name: r.text("department_name")?,
        leader_id: r.int("leader_id")?,
        leader_name: r.text("leader_name")?,
        drafted_by_name: r.text("drafted_by_name")?,
        state: r.text("state")?,
        matter_id: r.opt_int("matter_id")?,
        approved_at: r.opt_int("approved_at")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
        ideas: Vec::new(),
        measures: Vec::new(),
    })
}

/// Task standings come through the seam, when the caller passes it.
pub type Standing<'a> = Option<(&'a TaskPort, &'a Environment, i64)>;

fn find(tx: &mut Tx<'_>, id: i64, standing: Standing<'_>) -> AppResult<Package> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE p.id = $1");
    let mut p = tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)?;
    p.ideas = tx
        .query(
            "SELECT i.id, i.title, e.name FROM package_ideas x JOIN ideas i ON i.id = x.idea_id \
             JOIN enterprises e ON e.id = i.enterprise_id WHERE x.package_id = $1 ORDER BY i.id",
            params![id],
        )?
        .iter()
        .map(|r| Ok(PackageIdea { id: r.int(0)?, title: r.text(1)?, enterprise_name: r.text(2)? }))
        .collect::<AppResult<_>>()?;
    p.measures = measures(tx, id, standing)?;
    Ok(p)
}

fn measures(tx: &mut Tx<'_>, package: i64, standing: Standing<'_>) -> AppResult<Vec<Measure>> {
    let rows = tx.query(
        "SELECT m.id, m.content, m.resources, m.department_id, d.name, m.assignee_id, u.display_name, m.deadline, \
         m.confidential, m.task_id, m.delivered_on FROM package_measures m JOIN departments d ON d.id = m.department_id \
         JOIN users u ON u.id = m.assignee_id WHERE m.package_id = $1 ORDER BY m.position",
        params![package],
    )?;
    let mut out = Vec::new();
    for r in rows {
        let task_id = r.opt_int(9)?;
        let task = match (task_id, standing) {
            (Some(t), Some((port, env, now))) => (port.standing)(tx, t, env, now)?,
            _ => None,
        };
        out.push(Measure {
            id: r.int(0)?,
            content: r.text(1)?,
            resources: r.text(2)?,
            department_id: r.int(3)?,
            department_name: r.text(4)?,
            assignee_id: r.int(5)?,
            assignee_name: r.text(6)?,
            deadline: r.text(7)?,
            confidential: r.bool(8)?,
            task_id,
            delivered_on: r.opt_text(10)?,
            task,
        });
    }
    Ok(out)
}

/// The caller's relations to a package.
pub fn relations(tx: &mut Tx<'_>, user: &CurrentUser, p: &Package) -> AppResult<Vec<&'static str>> {
    let mut r = Vec::new();
    let drafts = match user.role {
        Role::DeptHead => user.department_id == Some(p.department_id),
        Role::Staff | Role::DivisionHead => {
            user.department_id == Some(p.department_id)
                && user.division_id.is_some()
                && user.division_id == idea::market_division(tx, p.department_id)?
        }
        _ => false,
    };
    if drafts {
        r.push("department");
    }
    if user.id == p.leader_id {
        r.push("leader");
    }
    Ok(r)
}

/// Government sees every package; an enterprise those with its ideas; an evaluator none.
fn visible(w: &mut Where, tx: &mut Tx<'_>, user: &CurrentUser) -> AppResult<()> {
    if user.role.is_government() {
        return Ok(());
    }
    if user.role == Role::Enterprise {
        let org = w.push(idea::organisation_of(tx, user)?.unwrap_or(0));
        w.and_sql(&format!(
            "EXISTS (SELECT 1 FROM package_ideas x JOIN ideas i ON i.id = x.idea_id WHERE x.package_id = p.id \
             AND i.enterprise_id = {org})"
        ));
        return Ok(());
    }
    w.and_sql("1 = 0");
    Ok(())
}

pub fn get(
    tx: &mut Tx<'_>,
    user: &CurrentUser,
    id: i64,
    standing: Standing<'_>,
) -> AppResult<(Package, Vec<&'static str>)> {
    let mut w = Where::default();
    w.and("p.id = ?", id);
    visible(&mut w, tx, user)?;
    if tx.query_opt(&format!("SELECT 1 FROM support_packages p{}", w.sql), &w.args)?.is_none() {
        return Err(AppError::NotFound);
    }
    let p = find(tx, id, standing)?;
    let r = relations(tx, user, &p)?;
    Ok((p, r))
}

struct Checked {
    title: String,
    industry: String,
    summary: String,
    measures: Vec<(String, String, i64, i64, String, bool)>,
}

fn check(tx: &mut Tx<'_>, input: &PackageInput, today: chrono::NaiveDate, own: Option<i64>) -> AppResult<Checked> {
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_value", "kind"));
    }
    let leader =
        tx.query_opt("SELECT 1 FROM users WHERE id = $1 AND role = 'leader' AND active = 1", params![input.leader_id])?;
    if leader.is_none() {
        return Err(AppError::invalid("not_a_leader", "leader_id"));
    }
    check_ideas(tx, input, own)?;
    if input.measures.is_empty() {
        return Err(AppError::invalid("package_needs_measures", "measures"));
    }
    if input.measures.len() > MAX_MEASURES {
        return Err(AppError::invalid("too_many", "measures"));
    }
    let mut measures = Vec::new();
    for m in &input.measures {
        let content = validate::text(&m.content, "measures", 1000)?;
        let (Some(department), Some(assignee)) = (m.department_id, m.assignee_id) else {
            return Err(AppError::invalid_detail("measure_needs_owner", "measures", content));
        };
        let staff = tx.query_opt(
            "SELECT 1 FROM users WHERE id = $1 AND department_id = $2 AND active = 1 \
             AND role IN ('staff', 'division_head', 'dept_head')",
            params![assignee, department],
        )?;
        if staff.is_none() {
            return Err(AppError::invalid_detail("not_of_department", "measures", content));
        }
        let deadline = match clock::parse_date(m.deadline.trim()) {
            Some(d) if d > today => d.to_string(),
            Some(_) => return Err(AppError::invalid_detail("date_not_future", "measures", content)),
            None => return Err(AppError::invalid_detail("measure_needs_deadline", "measures", content)),
        };
        let resources = validate::opt_text(Some(&m.resources), "measures", 1000)?.unwrap_or_default();
        measures.push((content, resources, department, assignee, deadline, m.confidential));
    }
    Ok(Checked {
        title: validate::text(&input.title, "title", 200)?,
        industry: validate::text(&input.industry, "industry", 60)?,
        summary: validate::opt_text(Some(&input.summary), "summary", 20_000)?.unwrap_or_default(),
        measures,
    })
}

/// The ideas must be evaluated as feasible, in no other package, and of one industry (一业
/// 一策) or one enterprise (一企一策).
fn check_ideas(tx: &mut Tx<'_>, input: &PackageInput, own: Option<i64>) -> AppResult<()> {
    if input.idea_ids.is_empty() || input.idea_ids.len() > 50 {
        return Err(AppError::invalid("package_needs_ideas", "idea_ids"));
    }
    let mut firsts: Option<(String, i64)> = None;
    for id in &input.idea_ids {
        let r = tx
            .query_opt(
                "SELECT i.state, i.field, i.enterprise_id, (SELECT c.feasibility FROM idea_commissions c \
                 WHERE c.idea_id = i.id AND c.state = 'reported' ORDER BY c.id DESC LIMIT 1), \
                 (SELECT x.package_id FROM package_ideas x WHERE x.idea_id = i.id) FROM ideas i WHERE i.id = $1",
                params![*id],
            )?
            .ok_or_else(|| AppError::invalid("unknown_reference", "idea_ids"))?;
        let (state, field, enterprise) = (r.text(0)?, r.text(1)?, r.int(2)?);
        let feasible = matches!(r.opt_text(3)?.as_deref(), Some("feasible" | "conditional"));
        if state != "evaluated" || !feasible {
            return Err(AppError::invalid("idea_not_feasible", "idea_ids"));
        }
        if r.opt_int(4)?.is_some_and(|p| Some(p) != own) {
            return Err(AppError::invalid("idea_in_another_package", "idea_ids"));
        }
        match &firsts {
            None => firsts = Some((field, enterprise)),
            Some((f, e)) => {
                if input.kind == "industry" && *f != field {
                    return Err(AppError::invalid("ideas_not_one_industry", "idea_ids"));
                }
                if input.kind == "enterprise" && *e != enterprise {
                    return Err(AppError::invalid("ideas_not_one_enterprise", "idea_ids"));
                }
            }
        }
    }
    Ok(())
}

fn write(tx: &mut Tx<'_>, id: i64, input: &PackageInput, c: &Checked) -> AppResult<()> {
    tx.execute("DELETE FROM package_ideas WHERE package_id = $1", params![id])?;
    for idea in &input.idea_ids {
        tx.execute("INSERT INTO package_ideas (package_id, idea_id) VALUES ($1, $2)", params![id, *idea])?;
    }
    tx.execute("DELETE FROM package_measures WHERE package_id = $1", params![id])?;
    for (n, (content, resources, department, assignee, deadline, confidential)) in c.measures.iter().enumerate() {
        tx.execute(
            "INSERT INTO package_measures (package_id, position, content, resources, department_id, assignee_id, \
             deadline, confidential) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            params![
                id,
                n as i64,
                content.as_str(),
                resources.as_str(),
                *department,
                *assignee,
                deadline.as_str(),
                *confidential
            ],
        )?;
    }
    Ok(())
}

/// The department drafts a package for ideas its division handled.
pub fn create(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    idea_rules: &Rules,
    input: &PackageInput,
) -> AppResult<Package> {
    let today = clock::local_date(who.now);
    for id in &input.idea_ids {
        let (_, relations) = idea::get(tx, user, idea_rules, *id, who.now)
            .map_err(|_| AppError::invalid("unknown_reference", "idea_ids"))?;
        if !relations.contains(&"division") {
            return Err(AppError::invalid("not_your_idea", "idea_ids"));
        }
    }
    let c = check(tx, input, today, None)?;
    let department = user.department_id.ok_or(AppError::Forbidden)?;
    let id = tx.insert(
        "INSERT INTO support_packages (kind, title, industry, summary, department_id, leader_id, drafted_by, state, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        params![
            input.kind.as_str(),
            c.title.as_str(),
            c.industry.as_str(),
            c.summary.as_str(),
            department,
            input.leader_id,
            user.id,
            rules.process.initial.as_str(),
            who.now
        ],
    )?;
    write(tx, id, input, &c)?;
    let p = find(tx, id, None)?;
    audit::record(tx, who, Change::created("support_package", id, &p))?;
    Ok(p)
}

/// The department changes its draft, or a package returned to it.
pub fn update(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &PackageInput) -> AppResult<Package> {
    let (before, relations) = get(tx, user, id, None)?;
    if !relations.contains(&"department") {
        return Err(AppError::Forbidden);
    }
    if !matches!(before.state.as_str(), "drafting" | "returned") {
        return Err(AppError::Conflict { code: "package_locked", field: None });
    }
    let c = check(tx, input, clock::local_date(who.now), Some(id))?;
    tx.execute(
        "UPDATE support_packages SET kind = $1, title = $2, industry = $3, summary = $4, leader_id = $5, updated_at = $6 \
         WHERE id = $7",
        params![input.kind.as_str(), c.title.as_str(), c.industry.as_str(), c.summary.as_str(), input.leader_id, who.now, id],
    )?;
    write(tx, id, input, &c)?;
    let after = find(tx, id, None)?;
    audit::record(tx, who, Change::updated("update", "support_package", id, &before, &after))?;
    Ok(after)
}

struct PackageSubject<'a> {
    p: &'a Package,
}

impl Subject for PackageSubject<'_> {
    fn guard(&self, _: &mut Tx<'_>, _: &str) -> AppResult<bool> {
        Ok(false)
    }
    fn recipients(&self, tx: &mut Tx<'_>, relation: &str) -> AppResult<Vec<i64>> {
        match relation {
            "leader" => Ok(vec![self.p.leader_id]),
            "department" => {
                let drafter = tx
                    .query_opt("SELECT drafted_by FROM support_packages WHERE id = $1", params![self.p.id])?
                    .map(|r| r.int(0))
                    .transpose()?;
                let mut to: Vec<i64> = drafter.into_iter().collect();
                to.extend(crate::org::people::department_heads(tx, self.p.department_id)?);
                Ok(to)
            }
            _ => Ok(Vec::new()),
        }
    }
    fn title(&self) -> String {
        self.p.title.clone()
    }
    fn link(&self) -> String {
        format!("/ideas/packages/{}", self.p.id)
    }
}

/// The environment of an approval: the task seam, the idea process.
pub struct Approval<'a> {
    pub port: &'a TaskPort,
    pub env: &'a Environment,
    pub idea_rules: &'a Rules,
}

/// Submit, return or approve a package. Approval opens a matter the leader decides,
/// hands each measure over as a task, and adopts the ideas.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = PackageStep)]
pub struct Step {
    /// `submit` (the department), `approve` or `return` (the leader; a note says why).
    pub transition: String,
    #[serde(default)]
    pub note: Option<String>,
}

pub fn transition(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    step: &Step,
    approval: &Approval<'_>,
) -> AppResult<Package> {
    let (transition, note) = (step.transition.as_str(), step.note.as_deref());
    let (p, relations) = get(tx, user, id, None)?;
    if transition == "submit" {
        let today = clock::local_date(who.now).to_string();
        if p.measures.iter().any(|m| m.deadline <= today) {
            return Err(AppError::invalid("date_not_future", "measures"));
        }
    }
    let firing = Firing { id, transition, relations: &relations, note, calendar: &rules.calendar };
    let fired = workflow::fire(tx, who, &super::PACKAGE, &rules.process, firing, &PackageSubject { p: &p })?;
    if fired.to == "approved" {
        hand_over(tx, who, user, &p, approval)?;
    }
    find(tx, id, None)
}

fn hand_over(tx: &mut Tx<'_>, who: &Who, leader: &CurrentUser, p: &Package, a: &Approval<'_>) -> AppResult<()> {
    let kind = if p.kind == "industry" { "一业一策" } else { "一企一策" };
    let request = MatterRequest { title: format!("{kind}：{}", p.title), description: p.summary.clone() };
    let matter = (a.port.open_matter)(tx, who, leader, &request, a.env)?;
    for m in &p.measures {
        let task = TaskRequest {
            matter_id: matter,
            title: format!("{kind}措施：{}", m.content.chars().take(60).collect::<String>()),
            description: format!("{}\n资源保障：{}\n政策包：{}", m.content, m.resources, p.title),
            assignee_id: m.assignee_id,
            lead_department_id: m.department_id,
            deadline: Some(m.deadline.clone()),
            working_days: None,
        };
        let created = (a.port.create)(tx, who, leader, &task, a.env)?;
        let task_id = created["id"].as_i64().ok_or_else(|| AppError::internal("the task port answered no id"))?;
        tx.execute("UPDATE package_measures SET task_id = $1 WHERE id = $2", params![task_id, m.id])?;
    }
    tx.execute(
        "UPDATE support_packages SET matter_id = $1, approved_at = $2 WHERE id = $3",
        params![matter, who.now, p.id],
    )?;
    for idea in &p.ideas {
        let found = idea::find(tx, a.idea_rules, idea.id, who.now)?;
        idea::fire(tx, who, a.idea_rules, &found, &["leader"], "adopt", Some(&p.title))?;
    }
    Ok(())
}

/// Told by the task seam that a task is done: the measure it delivers is delivered today.
pub fn task_done(tx: &mut Tx<'_>, who: &Who, task_id: i64, _feedback: &str) -> AppResult<()> {
    let today = clock::local_date(who.now).to_string();
    let Some(r) =
        tx.query_opt("SELECT id FROM package_measures WHERE task_id = $1 AND delivered_on IS NULL", params![task_id])?
    else {
        return Ok(());
    };
    let id = r.int(0)?;
    tx.execute("UPDATE package_measures SET delivered_on = $1 WHERE id = $2", params![today.as_str(), id])?;
    audit::record(
        tx,
        who,
        Change::updated(
            "delivered",
            "package_measure",
            id,
            &serde_json::json!({ "delivered_on": null }),
            &serde_json::json!({ "delivered_on": today, "task_id": task_id }),
        ),
    )?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PackageFilter {
    pub state: Option<String>,
    pub kind: Option<String>,
}

pub fn list(tx: &mut Tx<'_>, user: &CurrentUser, f: &PackageFilter, p: &ListParams) -> AppResult<Page<Package>> {
    let mut w = Where::default();
    visible(&mut w, tx, user)?;
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        w.and("p.state = ?", s);
    }
    if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
        w.and("p.kind = ?", k);
    }
    if let Some(like) = p.like() {
        w.contains(&["p.title", "p.industry"], like);
    }
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by("p.id", &[("title", "p.title"), ("updated", "p.updated_at"), ("state", "p.state")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// The packages waiting for the caller: to approve, or returned to their department.
pub fn queue(tx: &mut Tx<'_>, user: &CurrentUser, rules: &Rules, lang: Lang) -> AppResult<Vec<WorkItem>> {
    let rows = match user.role {
        Role::Leader => tx.query(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE p.state = 'submitted' AND p.leader_id = $1 ORDER BY p.id"),
            params![user.id],
        )?,
        Role::Staff | Role::DivisionHead | Role::DeptHead => tx.query(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE p.state = 'returned' AND p.department_id = $1 ORDER BY p.id"),
            params![user.department_id.unwrap_or(0)],
        )?,
        _ => Vec::new(),
    };
    let kind = crate::kernel::i18n::t(lang, "idea-package");
    let mut out = Vec::new();
    for r in rows.iter().take(20) {
        let p = from_row(r)?;
        let relations = relations(tx, user, &p)?;
        let asks = rules.process.asks(&p.state, &relations, lang);
        if asks.is_empty() {
            continue;
        }
        out.push(WorkItem {
            ask: asks,
            kind: kind.to_owned(),
            title: p.title.clone(),
            href: format!("/ideas/packages/{}", p.id),
            light: None,
            deadline: None,
            since: p.updated_at,
            more: "/ideas/packages".to_owned(),
        });
    }
    Ok(out)
}

/// A measure as the public sees it: delivered on time, late, under way or overdue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicMeasure {
    /// Withheld (null) when confidential.
    pub content: Option<String>,
    pub department_name: String,
    pub deadline: String,
    pub delivered_on: Option<String>,
    /// `on_time`, `late`, `under_way` or `overdue`.
    pub delivery: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicPackage {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub industry: String,
    pub department_name: String,
    /// `YYYY-MM-DD`.
    pub approved_on: String,
    pub measures: Vec<PublicMeasure>,
}

pub use crate::kernel::registry::delivery;

/// The approved packages and how their measures are delivered, without what is confidential.
pub fn public(tx: &mut Tx<'_>, now: i64) -> AppResult<Vec<PublicPackage>> {
    let today = clock::local_date(now).to_string();
    let sql =
        format!("SELECT {COLUMNS} FROM {FROM} WHERE p.state = 'approved' ORDER BY p.approved_at DESC, p.id LIMIT 200");
    let mut out = Vec::new();
    for r in tx.query(&sql, &[])? {
        let p = from_row(&r)?;
        let measures = measures(tx, p.id, None)?
            .into_iter()
            .map(|m| PublicMeasure {
                content: (!m.confidential).then_some(m.content),
                delivery: delivery(&m.deadline, m.delivered_on.as_deref(), &today).to_owned(),
                department_name: m.department_name,
                deadline: m.deadline,
                delivered_on: m.delivered_on,
            })
            .collect();
        out.push(PublicPackage {
            id: p.id,
            kind: p.kind,
            title: p.title,
            industry: p.industry,
            department_name: p.department_name,
            approved_on: p.approved_at.map(|t| clock::local_date(t).to_string()).unwrap_or_default(),
            measures,
        });
    }
    Ok(out)
}
