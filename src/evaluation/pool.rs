//! The unfit-staff pool (不胜任工作人员池): a division head returns (退人) a member with
//! reasons and evidence; the department head approves or refuses; a pooled member gets a
//! training plan — study (学习提升) or practical training in an enterprise (到企业体悟实训)
//! — with assessments, and leaves by reassignment to a division, or stays on an extended
//! plan. The member sees their record and can respond to it; the history is kept.

use serde::{Deserialize, Serialize};

use super::POOL_CASE;
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, id_list};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::workflow::{self, Fired, Firing, Rules, Subject};
use crate::params;

pub const PLAN_KINDS: [&str; 2] = ["study", "practice"];
pub const RESULTS: [&str; 3] = ["pass", "improving", "fail"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PoolCase {
    pub id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub division_id: i64,
    pub division_name: String,
    pub department_id: i64,
    pub proposed_by: i64,
    pub reasons: String,
    pub evidence: String,
    pub state: String,
    /// `study` (学习提升) or `practice` (到企业体悟实训).
    pub plan_kind: Option<String>,
    pub host_enterprise: String,
    pub mentor: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// The member's own response.
    pub response: String,
    pub reassigned_division_id: Option<i64>,
    pub assessments: Vec<Assessment>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    pub id: i64,
    pub assessed_on: String,
    pub assessor: String,
    /// `pass`, `improving` or `fail`.
    pub result: String,
    pub note: String,
}

const COLUMNS: &str = "c.id, c.staff_id, u.display_name AS staff_name, c.division_id, v.name AS division_name, \
    c.department_id, c.proposed_by, c.reasons, c.evidence, c.state, c.plan_kind, c.host_enterprise, \
    c.mentor, c.start_date, c.end_date, c.response, c.reassigned_division_id, c.created_at";
const FROM: &str = "pool_cases c JOIN users u ON u.id = c.staff_id JOIN divisions v ON v.id = c.division_id";

/// Assessments of some cases, in one query: (case, assessment).
fn assessments(tx: &mut Tx<'_>, ids: &[i64]) -> AppResult<Vec<(i64, Assessment)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids);
    let sql = format!(
        "SELECT case_id, id, assessed_on, assessor, result, note FROM pool_assessments WHERE case_id IN ({}) ORDER BY id",
        list
    );
    tx.query(&sql, &[])?
        .iter()
        .map(|a| {
            let x = Assessment {
                id: a.int(1)?,
                assessed_on: a.text(2)?,
                assessor: a.text(3)?,
                result: a.text(4)?,
                note: a.text(5)?,
            };
            Ok((a.int(0)?, x))
        })
        .collect()
}

fn from_row(r: &Row, all: &[(i64, Assessment)]) -> AppResult<PoolCase> {
    let id = r.int("id")?;
    let assessments = all.iter().filter(|(c, _)| *c == id).map(|(_, a)| a.clone()).collect();
    Ok(PoolCase {
        id,
        staff_id: r.int("staff_id")?,
        staff_name: r.text("staff_name")?,
        division_id: r.int("division_id")?,
        division_name: r.text("division_name")?,
        department_id: r.int("department_id")?,
        proposed_by: r.int("proposed_by")?,
        reasons: r.text("reasons")?,
        evidence: r.text("evidence")?,
        state: r.text("state")?,
        plan_kind: r.opt_text("plan_kind")?,
        host_enterprise: r.text("host_enterprise")?,
        mentor: r.text("mentor")?,
        start_date: r.opt_text("start_date")?,
        end_date: r.opt_text("end_date")?,
        response: r.text("response")?,
        reassigned_division_id: r.opt_int("reassigned_division_id")?,
        assessments,
        created_at: r.int("created_at")?,
    })
}

/// The caller's relations to a case.
pub fn relations(user: &CurrentUser, c: &PoolCase) -> Vec<&'static str> {
    let mut r = Vec::new();
    if user.role == Role::DivisionHead && user.division_id == Some(c.division_id) {
        r.push("proposer");
    }
    if user.role == Role::DeptHead && user.department_id == Some(c.department_id) {
        r.push("approver");
    }
    if user.id == c.staff_id {
        r.push("member");
    }
    r
}

pub fn get(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<PoolCase> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE c.id = $1");
    let row = tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?;
    let found = assessments(tx, &[id])?;
    let c = from_row(&row, &found)?;
    if relations(user, &c).is_empty() && user.role != Role::Leader {
        return Err(AppError::NotFound);
    }
    Ok(c)
}

/// Cases the caller may see: their division's, their department's, their own.
pub fn list(tx: &mut Tx<'_>, user: &CurrentUser) -> AppResult<Vec<PoolCase>> {
    let (cond, arg) = match user.role {
        Role::Leader => ("1 = $1", 1),
        Role::DeptHead => ("c.department_id = $1", user.department_id.unwrap_or(-1)),
        Role::DivisionHead => ("c.division_id = $1", user.division_id.unwrap_or(-1)),
        _ => ("c.staff_id = $1", user.id),
    };
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {cond} ORDER BY c.id DESC LIMIT 500");
    let rows = tx.query(&sql, params![arg])?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.int(0).ok()).collect();
    let found = assessments(tx, &ids)?;
    rows.iter().map(|r| from_row(r, &found)).collect()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ReturnProposal)]
pub struct Proposal {
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub staff_id: i64,
    pub reasons: String,
    #[serde(default)]
    pub evidence: String,
}

/// A division head returns a member of their division.
pub fn propose(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, input: &Proposal) -> AppResult<PoolCase> {
    if user.role != Role::DivisionHead {
        return Err(AppError::Forbidden);
    }
    let division = user.division_id.ok_or(AppError::Forbidden)?;
    tx.lock_row("users", input.staff_id)?;
    let member = tx
        .query_opt(
            "SELECT division_id, department_id FROM users WHERE id = $1 AND active = 1",
            params![input.staff_id],
        )?
        .ok_or_else(|| AppError::invalid("unknown_user", "staff_id"))?;
    if member.opt_int(0)? != Some(division) || input.staff_id == user.id {
        return Err(AppError::invalid("not_your_member", "staff_id"));
    }
    let open = tx.count(
        "SELECT COUNT(*) FROM pool_cases WHERE staff_id = $1 AND state NOT IN ('rejected', 'reassigned')",
        params![input.staff_id],
    )?;
    if open > 0 {
        return Err(AppError::Conflict { code: "already_in_pool", field: Some("staff_id") });
    }
    let reasons = validate::text(&input.reasons, "reasons", 4000)?;
    let evidence = validate::opt_text(Some(&input.evidence), "evidence", 4000)?.unwrap_or_default();
    let id = tx.insert(
        "INSERT INTO pool_cases (staff_id, division_id, department_id, proposed_by, reasons, evidence, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        params![input.staff_id, division, member.int(1)?, user.id, reasons, evidence, POOL_CASE.required_states[0], who.now],
    )?;
    let c = get(tx, user, id)?;
    audit::record(tx, who, Change::created("pool_case", id, &c))?;
    let heads = super::bad_reviews::unit_heads(tx, c.department_id, None)?;
    crate::kernel::notify::send(
        tx,
        who,
        &heads.into_iter().chain([c.staff_id]).collect::<Vec<_>>(),
        &crate::kernel::notify::Note {
            kind: "pool_case",
            message: "ev-note-pool-case",
            params: vec![("staff", c.staff_name.as_str().into()), ("division", c.division_name.as_str().into())],
            body: c.reasons.clone(),
            link: format!("/evaluation/pool/{id}"),
        },
    )?;
    Ok(c)
}

struct CaseSubject<'a> {
    c: &'a PoolCase,
    /// For a reassignment: the division (and its department) the member moves to, and
    /// the post (三定) they take there.
    target: Option<(i64, i64, Option<i64>)>,
}

/// The member's entry in the organisation (三定), if their account has one.
fn person_of(tx: &mut Tx<'_>, staff: i64) -> AppResult<Option<i64>> {
    Ok(tx.query_opt("SELECT id FROM people WHERE user_id = $1", params![staff])?.map(|r| r.int(0)).transpose()?)
}

impl Subject for CaseSubject<'_> {
    fn guard(&self, _: &mut Tx<'_>, _: &str) -> AppResult<bool> {
        Ok(false)
    }
    fn recipients(&self, _: &mut Tx<'_>, relation: &str) -> AppResult<Vec<i64>> {
        Ok(match relation {
            "member" => vec![self.c.staff_id],
            "proposer" => vec![self.c.proposed_by],
            _ => Vec::new(),
        })
    }
    fn title(&self) -> String {
        self.c.staff_name.clone()
    }
    fn link(&self) -> String {
        format!("/evaluation/pool/{}", self.c.id)
    }
    /// Entering the pool, the member leaves their post (三定); a reassignment moves the
    /// member's account to the chosen division and puts them in the chosen post there.
    fn after_fire(&self, tx: &mut Tx<'_>, who: &Who, fired: &Fired, _: Option<&str>) -> AppResult<()> {
        if fired.transition == "approve"
            && let Some(person) = person_of(tx, self.c.staff_id)?
        {
            let open: Vec<i64> = tx
                .query("SELECT id FROM assignments WHERE person_id = $1 AND end_date IS NULL", params![person])?
                .iter()
                .map(|r| r.int(0))
                .collect::<Result<_, _>>()?;
            for a in open {
                crate::org::people::end_assignment(tx, who, a, &crate::org::people::EndInput::default())?;
            }
        }
        let Some((division, department, post)) = self.target else { return Ok(()) };
        let (id, staff) = (self.c.id, self.c.staff_id);
        if let Some(post_id) = post {
            let person = person_of(tx, staff)?.ok_or_else(|| AppError::invalid("no_person_record", "post_id"))?;
            let input = crate::org::people::AssignInput { post_id, start_date: None };
            crate::org::people::assign(tx, who, person, &input)?;
        }
        tx.execute("UPDATE pool_cases SET reassigned_division_id = $1 WHERE id = $2", params![division, id])?;
        let before = crate::accounts::service::find(tx, staff)?;
        tx.execute(
            "UPDATE users SET division_id = $1, department_id = $2, updated_at = $3 WHERE id = $4",
            params![division, department, who.now, staff],
        )?;
        let after = crate::accounts::service::find(tx, staff)?;
        audit::record(tx, who, Change::updated("reassign", "user", staff, &before, &after))
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Step {
    /// approve, reject, extend or reassign.
    pub transition: String,
    #[serde(default)]
    pub note: Option<String>,
    /// For `reassign`: the division the member moves to…
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub division_id: Option<i64>,
    /// …or the post (三定) they take, which names the division.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub post_id: Option<i64>,
}

/// Approve, refuse, extend, or reassign (which moves the member's account to the chosen
/// division).
pub fn transition(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    step: &Step,
) -> AppResult<Fired> {
    let c = get(tx, user, id)?;
    let rel = relations(user, &c);
    let target = if step.transition == "reassign" {
        let d = match step.post_id {
            Some(p) => tx
                .query_opt("SELECT division_id FROM posts WHERE id = $1 AND active = 1", params![p])?
                .ok_or_else(|| AppError::invalid("unknown_post", "post_id"))?
                .int(0)?,
            None => step.division_id.ok_or_else(|| AppError::invalid("required", "post_id"))?,
        };
        let dept = tx
            .query_opt("SELECT department_id FROM divisions WHERE id = $1 AND active = 1", params![d])?
            .ok_or_else(|| AppError::invalid("unknown_division", "division_id"))?
            .int(0)?;
        Some((d, dept, step.post_id))
    } else {
        None
    };
    let note = step.note.as_deref();
    let firing = Firing { id, transition: &step.transition, relations: &rel, note, calendar: &rules.calendar };
    workflow::fire(tx, who, &POOL_CASE, &rules.process, firing, &CaseSubject { c: &c, target })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Plan {
    /// `study` or `practice`.
    pub plan_kind: String,
    /// The host enterprise, for practical training.
    #[serde(default)]
    pub host_enterprise: String,
    #[serde(default)]
    pub mentor: String,
    pub start_date: String,
    pub end_date: String,
}

/// Set the training plan of a pooled member (the department head).
pub fn set_plan(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, plan: &Plan) -> AppResult<PoolCase> {
    let before = get(tx, user, id)?;
    if !relations(user, &before).contains(&"approver") {
        return Err(AppError::Forbidden);
    }
    if before.state != "training" {
        return Err(AppError::conflict("illegal_transition"));
    }
    if !PLAN_KINDS.contains(&plan.plan_kind.as_str()) {
        return Err(AppError::invalid("bad_value", "plan_kind"));
    }
    let host = validate::opt_text(Some(&plan.host_enterprise), "host_enterprise", 100)?.unwrap_or_default();
    if plan.plan_kind == "practice" && host.is_empty() {
        return Err(AppError::invalid("required", "host_enterprise"));
    }
    let mentor = validate::opt_text(Some(&plan.mentor), "mentor", 60)?.unwrap_or_default();
    let start = validate::date(&plan.start_date, "start_date")?;
    let end = validate::date(&plan.end_date, "end_date")?;
    if end < start {
        return Err(AppError::invalid("end_before_start", "end_date"));
    }
    tx.execute(
        "UPDATE pool_cases SET plan_kind = $1, host_enterprise = $2, mentor = $3, start_date = $4, end_date = $5, updated_at = $6 WHERE id = $7",
        params![plan.plan_kind.as_str(), host, mentor, start.to_string(), end.to_string(), who.now, id],
    )?;
    let after = get(tx, user, id)?;
    audit::record(tx, who, Change::updated("plan", "pool_case", id, &before, &after))?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AssessmentInput {
    pub assessed_on: String,
    /// `pass`, `improving` or `fail`.
    pub result: String,
    pub note: String,
}

/// Record a periodic assessment during training (the department or division head).
pub fn assess(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &AssessmentInput,
) -> AppResult<Assessment> {
    let c = get(tx, user, id)?;
    let rel = relations(user, &c);
    if !rel.contains(&"approver") && !rel.contains(&"proposer") {
        return Err(AppError::Forbidden);
    }
    if c.state != "training" {
        return Err(AppError::conflict("illegal_transition"));
    }
    if !RESULTS.contains(&input.result.as_str()) {
        return Err(AppError::invalid("bad_value", "result"));
    }
    let on = validate::date(&input.assessed_on, "assessed_on")?.to_string();
    let note = validate::text(&input.note, "note", 2000)?;
    let aid = tx.insert(
        "INSERT INTO pool_assessments (case_id, assessed_on, assessor, result, note, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![id, on.as_str(), who.actor.as_str(), input.result.as_str(), note.as_str(), who.now],
    )?;
    let a = Assessment { id: aid, assessed_on: on, assessor: who.actor.clone(), result: input.result.clone(), note };
    audit::record(tx, who, Change::created("pool_assessment", aid, &a))?;
    Ok(a)
}

/// The member's response to their record.
pub fn respond(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, text: &str) -> AppResult<PoolCase> {
    let before = get(tx, user, id)?;
    if before.staff_id != user.id {
        return Err(AppError::Forbidden);
    }
    let text = validate::text(text, "response", 4000)?;
    tx.execute("UPDATE pool_cases SET response = $1, updated_at = $2 WHERE id = $3", params![text, who.now, id])?;
    let after = get(tx, user, id)?;
    audit::record(tx, who, Change::updated("respond", "pool_case", id, &before, &after))?;
    Ok(after)
}
