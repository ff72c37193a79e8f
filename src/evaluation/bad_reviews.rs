//! Bad reviews (差评): verified by the unit, rectified by a deadline with a call-back to
//! the rater — or appealed and reviewed by a supervisor outside the division. A voided
//! review stays on record; it only stops counting in the scores.

use serde::Deserialize;

use super::BAD_REVIEW;
use super::ratings::{COLUMNS, FROM, Rating, from_row};
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::Who;
use crate::kernel::db::{Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::registry::WorkItem;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::kernel::workflow::{self, Deadlines, Fired, Firing, Rules, Subject};
use crate::params;

/// Heads who answer for a member: the division's head and the department's heads.
pub fn unit_heads(tx: &mut Tx<'_>, department: i64, division: Option<i64>) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT id FROM users WHERE active = 1 AND ((role = 'dept_head' AND department_id = $1) \
         OR (role = 'division_head' AND division_id = $2))",
        params![department, division],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

/// The caller's relations to a rating: `unit` answers for the member, `reviewer` decides
/// appeals from outside the division.
pub fn relations(user: &CurrentUser, r: &Rating) -> Vec<&'static str> {
    let mut rel = Vec::new();
    let heads_division =
        user.role == Role::DivisionHead && user.division_id.is_some() && user.division_id == r.division_id;
    let heads_department = user.role == Role::DeptHead && user.department_id == Some(r.department_id);
    if heads_division || heads_department {
        rel.push("unit");
    }
    let outside = r.division_id.is_none() || user.division_id != r.division_id;
    if user.role == Role::Supervisor && outside {
        rel.push("reviewer");
    }
    rel
}

/// A rating the caller may see: the member themself (without the rater), the unit and
/// reviewers (with the rater), leaders and administrators.
pub fn get(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<Rating> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = $1");
    let row = tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?;
    let plain = from_row(&row, false)?;
    let rel = relations(user, &plain);
    if !rel.is_empty() {
        return from_row(&row, true);
    }
    if plain.staff_id == user.id || user.role == Role::Leader {
        return Ok(plain);
    }
    Err(AppError::NotFound)
}

/// The bad reviews waiting for `user`: to verify, rectify or call back for the unit's
/// heads, appeals to decide for the reviewers.
pub fn queue(tx: &mut Tx<'_>, user: &CurrentUser, rules: &Rules, now: i64, lang: Lang) -> AppResult<Vec<WorkItem>> {
    let (p, today) = (&rules.process, crate::kernel::clock::local_date(now));
    let mut w = Where::default();
    let mut any = Vec::new();
    let unit = match user.role {
        Role::DivisionHead => user.division_id.map(|d| ("r.division_id", d)),
        Role::DeptHead => user.department_id.map(|d| ("r.department_id", d)),
        _ => None,
    };
    if let Some((column, id)) = unit {
        let (states, unit) = (w.marks(&p.actionable(&["unit"])), w.push(id));
        any.push(format!("(r.state IN ({states}) AND {column} = {unit})"));
    }
    if user.role == Role::Supervisor {
        let (states, own) = (w.marks(&p.actionable(&["reviewer"])), w.push(user.division_id.unwrap_or(-1)));
        any.push(format!("(r.state IN ({states}) AND (r.division_id IS NULL OR r.division_id <> {own}))"));
    }
    if any.is_empty() {
        return Ok(Vec::new());
    }
    w.and_sql(&format!("r.bad = 1 AND ({})", any.join(" OR ")));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{} ORDER BY r.rectify_deadline, r.id LIMIT 50", w.sql);
    let kind = crate::kernel::i18n::t(lang, "ev-bad-review");
    let mut items = Vec::new();
    for row in tx.query(&sql, &w.args)? {
        let r = from_row(&row, false)?;
        let light = r.rectify_deadline.as_deref().and_then(|d| p.light(&rules.calendar, &r.state, d, today));
        items.push(WorkItem {
            ask: p.asks(&r.state, &relations(user, &r), lang),
            kind: kind.to_owned(),
            title: format!("{}：{}", r.staff_name, r.summary),
            href: format!("/evaluation/bad-reviews/{}", r.id),
            light,
            more: format!("/evaluation/bad-reviews?state={}", r.state),
            deadline: r.rectify_deadline,
            since: r.created_at,
        });
    }
    Ok(items)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BadReviewFilter {
    pub state: Option<String>,
}

/// Bad reviews the caller answers for or reviews.
pub fn list(tx: &mut Tx<'_>, user: &CurrentUser, f: &BadReviewFilter, p: &ListParams) -> AppResult<Page<Rating>> {
    let mut w = Where::default();
    w.and_sql("r.bad = 1");
    match user.role {
        Role::DivisionHead => {
            w.and("r.division_id = ?", user.division_id.unwrap_or(-1));
        }
        Role::DeptHead => {
            w.and("r.department_id = ?", user.department_id.unwrap_or(-1));
        }
        Role::Supervisor | Role::Leader => {}
        _ => {
            w.and("r.staff_id = ?", user.id);
        }
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        w.and("r.state = ?", s);
    }
    let total = count_capped(tx, &format!("FROM ratings r{}", w.sql), &w.args)?;
    let (limit, offset) = p.window();
    let (l, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{} ORDER BY r.id DESC LIMIT {l} OFFSET {o}", w.sql);
    let show = matches!(user.role, Role::DivisionHead | Role::DeptHead | Role::Supervisor);
    let items = tx.query(&sql, &w.args)?.iter().map(|r| from_row(r, show)).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

pub static DEADLINES: Deadlines = Deadlines {
    deadline: "rectify_deadline",
    reminded: "rectify_reminded_at",
    escalated: "rectify_escalated_at",
    only: "bad = 1",
    title: "(SELECT display_name FROM users WHERE users.id = ratings.staff_id)",
    link: "/evaluation/bad-reviews/",
    recipients,
    noted: None,
};

fn recipients(tx: &mut Tx<'_>, id: i64, relation: &str) -> AppResult<Vec<i64>> {
    let Some(r) = tx.query_opt("SELECT department_id, division_id FROM ratings WHERE id = $1", params![id])? else {
        return Ok(Vec::new());
    };
    match relation {
        "unit" => unit_heads(tx, r.int(0)?, r.opt_int(1)?),
        "reviewers" => supervisors(tx),
        _ => Ok(Vec::new()),
    }
}

fn supervisors(tx: &mut Tx<'_>) -> AppResult<Vec<i64>> {
    crate::accounts::service::active_with_role(tx, Role::Supervisor)
}

struct ReviewSubject<'a> {
    r: &'a Rating,
    /// The service's public address, for the call-back link sent to the rater.
    base: &'a str,
}

impl Subject for ReviewSubject<'_> {
    fn guard(&self, _: &mut Tx<'_>, _: &str) -> AppResult<bool> {
        Ok(false)
    }
    fn recipients(&self, tx: &mut Tx<'_>, relation: &str) -> AppResult<Vec<i64>> {
        match relation {
            "unit" => unit_heads(tx, self.r.department_id, self.r.division_id),
            "reviewers" => supervisors(tx),
            _ => Ok(Vec::new()),
        }
    }
    fn title(&self) -> String {
        format!("{}：{}", self.r.staff_name, self.r.summary)
    }
    fn link(&self) -> String {
        format!("/evaluation/bad-reviews/{}", self.r.id)
    }
    /// An upheld appeal stops the review counting in the scores; a reported fix asks the
    /// rater.
    fn after_fire(&self, tx: &mut Tx<'_>, who: &Who, fired: &Fired, note: Option<&str>) -> AppResult<()> {
        let r = self.r;
        if fired.to == CALLED_BACK {
            super::callbacks::send(tx, who, r.id, note.unwrap_or(""), self.base)?;
        }
        if fired.is_final && fired.to == BAD_REVIEW.required_states[1] && r.counted {
            tx.execute("UPDATE ratings SET counted = 0 WHERE id = $1", params![r.id])?;
            let dims = [r.attitude, r.style, r.efficiency, r.competence];
            super::scores::add(tx, r.created_at, r.staff_id, r.division_id, r.department_id, dims, -1)?;
        }
        Ok(())
    }
}

/// The state in which the rater is asked about the rectification.
const CALLED_BACK: &str = "called_back";

/// Move a bad review along its process (the kernel sets the rectification deadline on
/// entering rectification). `base` is the service's public address, for the call-back
/// link.
#[allow(clippy::too_many_arguments)]
pub fn transition(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    transition: &str,
    note: Option<&str>,
    base: &str,
) -> AppResult<Fired> {
    let r = get(tx, user, id)?;
    if !r.bad {
        return Err(AppError::NotFound);
    }
    let rel = relations(user, &r);
    workflow::fire(
        tx,
        who,
        &BAD_REVIEW,
        &rules.process,
        Firing { id, transition, relations: &rel, note, calendar: &rules.calendar },
        &ReviewSubject { r: &r, base },
    )
}

/// The rater's answer to a call-back, as the relation `rater`.
pub fn fire_as_rater(
    tx: &mut Tx<'_>,
    who: &Who,
    rules: &Rules,
    id: i64,
    transition: &str,
    note: &str,
) -> AppResult<Fired> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = $1");
    let row = tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?;
    let r = from_row(&row, false)?;
    workflow::fire(
        tx,
        who,
        &BAD_REVIEW,
        &rules.process,
        Firing { id, transition, relations: &["rater"], note: Some(note), calendar: &rules.calendar },
        &ReviewSubject { r: &r, base: "" },
    )
}
