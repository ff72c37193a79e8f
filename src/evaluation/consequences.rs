//! Consequences of the scores, as configuration: the top divisions of a period go on the
//! commendation list (表彰奖励), the heads of the bottom ones are interviewed (约谈, on
//! record), and a division at the bottom K quarters in a row gets an adjustment proposal
//! (调整) for its department head to decide.

use serde::{Deserialize, Serialize};

use super::scores::{self, DivisionRank};
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::settings;
use crate::kernel::validate;
use crate::params;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Interview {
    pub id: i64,
    pub division_id: i64,
    pub head_name: String,
    pub period: String,
    pub held_on: String,
    pub interviewer: String,
    pub said: String,
    pub agreed: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AdjustmentProposal)]
pub struct Proposal {
    pub division: DivisionRank,
    /// The quarters it was at the bottom, oldest first.
    pub periods: Vec<String>,
    /// The department head's decision, once taken.
    pub decision: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Consequences {
    pub period: String,
    pub commended: Vec<DivisionRank>,
    pub to_interview: Vec<DivisionRank>,
    pub interviews: Vec<Interview>,
    pub proposals: Vec<Proposal>,
}

/// The quarter before `2019-Q1` is `2018-Q4`.
pub fn previous_quarter(q: &str) -> Option<String> {
    let (y, n) = q.split_once("-Q")?;
    let (y, n): (i32, u32) = (y.parse().ok()?, n.parse().ok()?);
    Some(if n == 1 { format!("{}-Q4", y - 1) } else { format!("{y}-Q{}", n - 1) })
}

fn bottom(ranking: &[DivisionRank], n: usize, top: usize) -> Vec<DivisionRank> {
    let room = ranking.len().saturating_sub(top);
    ranking.iter().rev().take(n.min(room)).cloned().collect()
}

fn interview_from(r: &Row) -> AppResult<Interview> {
    Ok(Interview {
        id: r.int(0)?,
        division_id: r.int(1)?,
        head_name: r.text(2)?,
        period: r.text(3)?,
        held_on: r.text(4)?,
        interviewer: r.text(5)?,
        said: r.text(6)?,
        agreed: r.text(7)?,
        recorded_by: r.text(8)?,
    })
}

pub fn for_period(tx: &mut Tx<'_>, period: &str, department: Option<i64>) -> AppResult<Consequences> {
    let top = settings::get(tx, &super::COMMEND_TOP)? as usize;
    let low = settings::get(tx, &super::INTERVIEW_BOTTOM)? as usize;
    let k = settings::get(tx, &super::ADJUST_AFTER)? as usize;
    let ranking = scores::ranked(tx, period, department)?;
    let commended: Vec<DivisionRank> = ranking.iter().take(top).cloned().collect();
    let to_interview = bottom(&ranking, low, commended.len());
    let interviews = tx
        .query(
            "SELECT id, division_id, head_name, period, held_on, interviewer, said, agreed, recorded_by FROM interviews \
             WHERE period = $1 ORDER BY id",
            params![period],
        )?
        .iter()
        .map(interview_from)
        .collect::<AppResult<Vec<_>>>()?
        .into_iter()
        .filter(|i| ranking.iter().any(|r| r.division_id == i.division_id))
        .collect();
    let mut proposals = Vec::new();
    if period.contains("-Q") {
        let mut quarters = vec![period.to_owned()];
        while quarters.len() < k {
            match quarters.last().and_then(|q| previous_quarter(q)) {
                Some(q) => quarters.push(q),
                None => break,
            }
        }
        quarters.reverse();
        for d in &to_interview {
            let mut every = true;
            for q in &quarters[..quarters.len() - 1] {
                let r = scores::ranked(tx, q, department)?;
                let t = r.len().min(top);
                if !bottom(&r, low, t).iter().any(|b| b.division_id == d.division_id) {
                    every = false;
                    break;
                }
            }
            if every && quarters.len() == k {
                let decision = tx
                    .query_opt(
                        "SELECT decision FROM adjustments WHERE division_id = $1 AND periods = $2 ORDER BY id DESC LIMIT 1",
                        params![d.division_id, quarters.join(",")],
                    )?
                    .map(|r| r.text(0))
                    .transpose()?;
                proposals.push(Proposal { division: d.clone(), periods: quarters.clone(), decision });
            }
        }
    }
    Ok(Consequences { period: period.to_owned(), commended, to_interview, interviews, proposals })
}

/// Department heads for their own divisions; leaders and administrators for any.
fn may_act(tx: &mut Tx<'_>, user: &CurrentUser, division: i64) -> AppResult<()> {
    let dept = tx
        .query_opt("SELECT department_id FROM divisions WHERE id = $1", params![division])?
        .ok_or_else(|| AppError::invalid("unknown_division", "division_id"))?
        .int(0)?;
    match user.role {
        Role::Leader => Ok(()),
        Role::DeptHead if user.department_id == Some(dept) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InterviewInput {
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub division_id: i64,
    pub period: String,
    /// YYYY-MM-DD.
    pub held_on: String,
    pub interviewer: String,
    /// What was said.
    pub said: String,
    /// The improvements agreed.
    pub agreed: String,
}

pub fn record_interview(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    input: &InterviewInput,
) -> AppResult<Interview> {
    may_act(tx, user, input.division_id)?;
    let period = scores::decision_period(&input.period)?;
    let held_on = validate::date(&input.held_on, "held_on")?.to_string();
    let interviewer = validate::text(&input.interviewer, "interviewer", 60)?;
    let said = validate::text(&input.said, "said", 4000)?;
    let agreed = validate::text(&input.agreed, "agreed", 4000)?;
    let head = tx
        .query_opt(
            "SELECT display_name FROM users WHERE role = 'division_head' AND division_id = $1 AND active = 1 ORDER BY id LIMIT 1",
            params![input.division_id],
        )?
        .map(|r| r.text(0))
        .transpose()?
        .unwrap_or_default();
    let id = tx.insert(
        "INSERT INTO interviews (division_id, head_name, period, held_on, interviewer, said, agreed, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        params![input.division_id, head, period, held_on, interviewer, said, agreed, who.actor.as_str(), who.now],
    )?;
    let r = tx.query_one(
        "SELECT id, division_id, head_name, period, held_on, interviewer, said, agreed, recorded_by FROM interviews WHERE id = $1",
        params![id],
    )?;
    let i = interview_from(&r)?;
    audit::record(tx, who, Change::created("interview", id, &i))?;
    Ok(i)
}

/// An interview on record with its unit, as the 约谈记录 lays it out.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InterviewRecord {
    #[serde(flatten)]
    pub interview: Interview,
    pub department_name: String,
    pub division_name: String,
}

/// An interview on record, for those who may record one for its division and for the
/// division's own head.
pub fn interview(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<InterviewRecord> {
    let r = tx
        .query_opt(
            "SELECT id, division_id, head_name, period, held_on, interviewer, said, agreed, recorded_by FROM interviews WHERE id = $1",
            params![id],
        )?
        .ok_or(AppError::NotFound)?;
    let interview = interview_from(&r)?;
    let own = user.role == Role::DivisionHead && user.division_id == Some(interview.division_id);
    if !own && may_act(tx, user, interview.division_id).is_err() {
        return Err(AppError::NotFound);
    }
    let names = tx.query_one(
        "SELECT d.name, v.name FROM divisions v JOIN departments d ON d.id = v.department_id WHERE v.id = $1",
        params![interview.division_id],
    )?;
    Ok(InterviewRecord { department_name: names.text(0)?, division_name: names.text(1)?, interview })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AdjustmentInput {
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub division_id: i64,
    /// The quarters of the proposal, comma-separated, as shown with it.
    pub periods: String,
    /// `adjust` (调整), `keep` (留任观察) or `no_action`.
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

pub fn decide_adjustment(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, input: &AdjustmentInput) -> AppResult<i64> {
    may_act(tx, user, input.division_id)?;
    if !["adjust", "keep", "no_action"].contains(&input.decision.as_str()) {
        return Err(AppError::invalid("bad_value", "decision"));
    }
    let periods: Vec<String> = input.periods.split(',').map(scores::decision_period).collect::<AppResult<_>>()?;
    let note = validate::opt_text(Some(&input.note), "note", 2000)?.unwrap_or_default();
    let last = periods.last().cloned().unwrap_or_default();
    let department = tx
        .query_opt("SELECT department_id FROM divisions WHERE id = $1", params![input.division_id])?
        .map(|r| r.int(0))
        .transpose()?;
    let mut proposed = false;
    for scope in [None, department] {
        proposed = proposed
            || for_period(tx, &last, scope)?
                .proposals
                .iter()
                .any(|p| p.division.division_id == input.division_id && p.periods == periods);
    }
    if !proposed {
        return Err(AppError::invalid("never_proposed", "division_id"));
    }
    let id = tx.insert(
        "INSERT INTO adjustments (division_id, periods, decision, note, decided_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![input.division_id, periods.join(","), input.decision.as_str(), note.as_str(), who.actor.as_str(), who.now],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "decide",
            kind: "adjustment",
            id: Some(id),
            before: None,
            after: Some(
                serde_json::json!({ "division_id": input.division_id, "periods": periods, "decision": input.decision, "note": note }),
            ),
        },
    )?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn quarters_count_back_over_the_year() {
        assert_eq!(super::previous_quarter("2019-Q1").as_deref(), Some("2018-Q4"));
        assert_eq!(super::previous_quarter("2019-Q3").as_deref(), Some("2019-Q2"));
        assert_eq!(super::previous_quarter("2019"), None);
    }
}
