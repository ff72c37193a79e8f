//! The mechanism's figures: plans by stage, questions per hearing and the share answered,
//! commitments delivered on time per plan, and each offensive's inquiry satisfaction over
//! the years.

use serde::Serialize;

use crate::kernel::db::{Tx, Where};
use crate::kernel::error::AppResult;
use crate::kernel::period::Period;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HearingQuestions {
    pub hearing_id: i64,
    pub title: String,
    pub questions: i64,
    pub answered: i64,
    /// Answered of asked (pending and rejected ones left out), in percent.
    pub answered_share: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanDelivery {
    pub plan_id: i64,
    pub title: String,
    #[serde(flatten)]
    pub delivery: super::questions::Delivery,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Satisfaction {
    pub plan_id: i64,
    pub title: String,
    pub year: i64,
    pub satisfaction: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = HearingFigures)]
pub struct Figures {
    pub period: String,
    pub plans_by_stage: Vec<Count>,
    pub hearings: Vec<HearingQuestions>,
    pub delivery: Vec<PlanDelivery>,
    pub satisfaction: Vec<Satisfaction>,
}

pub fn figures(tx: &mut Tx<'_>, period: Option<&Period>, plan: Option<i64>, now: i64) -> AppResult<Figures> {
    let mut w = Where::default();
    if let Some(p) = plan {
        w.and("p.id = ?", p);
    }
    let plans_by_stage = tx
        .query(&format!("SELECT p.state, COUNT(*) FROM plans p{} GROUP BY p.state ORDER BY p.state", w.sql), &w.args)?
        .iter()
        .map(|r| Ok(Count { key: r.text(0)?, count: r.int(1)? }))
        .collect::<AppResult<_>>()?;
    let mut w = Where::default();
    w.and_sql("h.state <> 'cancelled'");
    if let Some(p) = period {
        let (from, to) = p.bounds_ms();
        let (a, b) = (w.push(from), w.push(to));
        w.and_sql(&format!("h.starts_at >= {a} AND h.starts_at < {b}"));
    }
    if let Some(p) = plan {
        w.and("h.plan_id = ?", p);
    }
    let hearings = tx
        .query(
            &format!(
                "SELECT h.id, h.title, \
                 (SELECT COUNT(*) FROM hearing_questions q WHERE q.hearing_id = h.id AND q.state IN ('open', 'answered')), \
                 (SELECT COUNT(*) FROM hearing_questions q WHERE q.hearing_id = h.id AND q.state = 'answered') \
                 FROM hearings h{} ORDER BY h.starts_at",
                w.sql
            ),
            &w.args,
        )?
        .iter()
        .map(|r| {
            let (questions, answered) = (r.int(2)?, r.int(3)?);
            Ok(HearingQuestions {
                hearing_id: r.int(0)?,
                title: r.text(1)?,
                questions,
                answered,
                answered_share: (questions > 0)
                    .then(|| (answered as f64 * 1000.0 / questions as f64).round() / 10.0),
            })
        })
        .collect::<AppResult<_>>()?;
    let mut w = Where::default();
    if let Some(p) = plan {
        w.and("p.id = ?", p);
    }
    let ids = tx.query(&format!("SELECT p.id, p.title FROM plans p{} ORDER BY p.id", w.sql), &w.args)?;
    let mut delivery = Vec::new();
    for r in ids {
        let d = super::questions::delivery(tx, r.int(0)?, now)?;
        if d.commitments > 0 {
            delivery.push(PlanDelivery { plan_id: r.int(0)?, title: r.text(1)?, delivery: d });
        }
    }
    let mut satisfaction = Vec::new();
    let inquiries = tx.query(
        "SELECT h.id, h.plan_id, p.title, h.year FROM hearings h JOIN plans p ON p.id = h.plan_id \
         WHERE h.kind = 'inquiry' AND h.state IN ('closed', 'published') ORDER BY p.id, h.year",
        &[],
    )?;
    for r in inquiries {
        if plan.is_some_and(|p| Some(p) != r.int(1).ok()) {
            continue;
        }
        let v = super::questions::votes(tx, r.int(0)?)?;
        satisfaction.push(Satisfaction {
            plan_id: r.int(1)?,
            title: r.text(2)?,
            year: r.opt_int(3)?.unwrap_or(0),
            satisfaction: v.satisfaction,
        });
    }
    Ok(Figures {
        period: period.map(Period::key).unwrap_or_default(),
        plans_by_stage,
        hearings,
        delivery,
        satisfaction,
    })
}
