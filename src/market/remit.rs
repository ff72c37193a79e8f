//! A market-allocation promotion division's remit (市场配置促进处): the questions it owns,
//! each classified as the article does — the market can do it (handed to an association
//! or platform), the market is immature (the government cultivates it), or the market
//! fails (the government acts) — with its reason; and the division's figures.

use serde::{Deserialize, Serialize};

use crate::kernel::access::CurrentUser;
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

/// 市场能干的交给市场, 培育市场, 市场失灵.
pub const CLASSES: [&str; 3] = ["to_market", "cultivate", "failure"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = MarketQuestion)]
pub struct Question {
    pub id: i64,
    pub division_id: i64,
    /// "department · division".
    pub division_name: String,
    pub title: String,
    pub detail: String,
    /// `to_market`, `cultivate` or `failure`.
    pub class: String,
    pub reason: String,
    pub association_id: Option<i64>,
    pub association_name: Option<String>,
    pub platform: String,
    pub created_by_name: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "q.id, q.division_id, dep.name || ' · ' || v.name AS division_name, q.title, q.detail, q.class, \
    q.reason, q.association_id, e.name AS association_name, q.platform, u.display_name AS created_by_name, \
    q.created_at, q.updated_at";
const FROM: &str = "market_questions q JOIN divisions v ON v.id = q.division_id \
    JOIN departments dep ON dep.id = v.department_id JOIN users u ON u.id = q.created_by \
    LEFT JOIN associations a ON a.id = q.association_id LEFT JOIN enterprises e ON e.id = a.enterprise_id";

fn from_row(r: &Row) -> AppResult<Question> {
    Ok(Question {
        id: r.int("id")?,
        division_id: r.int("division_id")?,
        division_name: r.text("division_name")?,
        title: r.text("title")?,
        detail: r.text("detail")?,
        class: r.text("class")?,
        reason: r.text("reason")?,
        association_id: r.opt_int("association_id")?,
        association_name: r.opt_text("association_name")?,
        platform: r.text("platform")?,
        created_by_name: r.text("created_by_name")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Question> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE q.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuestionFilter {
    pub division_id: Option<i64>,
    /// `to_market`, `cultivate` or `failure`.
    pub class: Option<String>,
}

pub fn list(tx: &mut Tx<'_>, f: &QuestionFilter, p: &ListParams) -> AppResult<Page<Question>> {
    let mut w = Where::default();
    if let Some(d) = f.division_id {
        w.and("q.division_id = ?", d);
    }
    if let Some(c) = f.class.as_deref().filter(|c| !c.is_empty()) {
        w.and("q.class = ?", c.to_owned());
    }
    if let Some(like) = p.like() {
        w.contains(&["q.title", "q.detail", "q.reason"], like);
    }
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by("q.id", &[("title", "q.title"), ("class", "q.class"), ("updated", "q.updated_at")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = MarketQuestionInput)]
pub struct QuestionInput {
    /// The caller's own division when not given.
    #[serde(default)]
    pub division_id: Option<i64>,
    pub title: String,
    #[serde(default)]
    pub detail: String,
    /// `to_market`, `cultivate` or `failure`.
    pub class: String,
    /// Why it is classed so.
    pub reason: String,
    /// For `to_market`: the association it is handed to…
    #[serde(default)]
    pub association_id: Option<i64>,
    /// …or the platform, in words.
    #[serde(default)]
    pub platform: String,
}

struct Checked {
    division: i64,
    title: String,
    detail: String,
    reason: String,
    association: Option<i64>,
    platform: String,
}

fn check(tx: &mut Tx<'_>, user: &CurrentUser, input: &QuestionInput) -> AppResult<Checked> {
    let division = input.division_id.or(user.division_id).ok_or(AppError::invalid("required", "division_id"))?;
    let row =
        tx.query_opt("SELECT kind, department_id FROM divisions WHERE id = $1 AND active = 1", params![division])?;
    let Some(row) = row.filter(|r| r.text(0).ok().as_deref() == Some("market_allocation")) else {
        return Err(AppError::invalid("not_market_allocation_division", "division_id"));
    };
    if user.department_id != Some(row.int(1)?) {
        return Err(AppError::invalid("not_your_department", "division_id"));
    }
    if !CLASSES.contains(&input.class.as_str()) {
        return Err(AppError::invalid("bad_market_class", "class"));
    }
    let title = validate::text(&input.title, "title", 200)?;
    let detail = validate::opt_text(Some(&input.detail), "detail", 4000)?.unwrap_or_default();
    let reason = validate::text(&input.reason, "reason", 2000)?;
    let platform = validate::opt_text(Some(&input.platform), "platform", 200)?.unwrap_or_default();
    let association = input.association_id.filter(|a| *a > 0);
    if input.class == "to_market" {
        if association.is_none() && platform.is_empty() {
            return Err(AppError::invalid("handed_to_required", "association_id"));
        }
        if let Some(a) = association {
            let active = tx.count("SELECT COUNT(*) FROM associations WHERE id = $1 AND active = 1", params![a])?;
            if active == 0 {
                return Err(AppError::invalid("recipient_inactive", "association_id"));
            }
        }
        Ok(Checked { division, title, detail, reason, association, platform })
    } else {
        Ok(Checked { division, title, detail, reason, association: None, platform: String::new() })
    }
}

/// Record a question in a division's remit with its class and reason.
pub fn create(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, input: &QuestionInput) -> AppResult<Question> {
    let c = check(tx, user, input)?;
    let id = tx.insert(
        "INSERT INTO market_questions (division_id, title, detail, class, reason, association_id, platform, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        params![
            c.division,
            c.title,
            c.detail,
            input.class.as_str(),
            c.reason,
            c.association,
            c.platform,
            user.id,
            who.now
        ],
    )?;
    let q = find(tx, id)?;
    audit::record(tx, who, Change::created("market_question", id, &q))?;
    Ok(q)
}

/// Reclassify or reword a question; the change and its reason stay in the audit trail.
pub fn update(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &QuestionInput) -> AppResult<Question> {
    let before = find(tx, id)?;
    let input = QuestionInput { division_id: Some(input.division_id.unwrap_or(before.division_id)), ..input.clone() };
    let c = check(tx, user, &input)?;
    tx.execute(
        "UPDATE market_questions SET division_id = $1, title = $2, detail = $3, class = $4, reason = $5, \
         association_id = $6, platform = $7, updated_at = $8 WHERE id = $9",
        params![c.division, c.title, c.detail, input.class.as_str(), c.reason, c.association, c.platform, who.now, id],
    )?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("classify", "market_question", id, &before, &after))?;
    Ok(after)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DivisionHandled)]
pub struct Handled {
    /// The kind of record (a process of the workflow kernel).
    pub kind: String,
    pub moves: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DivisionFigures)]
pub struct DivisionFigures {
    pub division_id: i64,
    pub division_name: String,
    pub to_market: i64,
    pub cultivate: i64,
    pub failure: i64,
    /// Associations it works with.
    pub associations: i64,
    /// Direct-line requests its people answered.
    pub requests_answered: i64,
    pub requests_on_time: i64,
    /// Records its people moved on the workflow kernel (ideas triaged among them), by kind.
    pub handled: Vec<Handled>,
}

/// One division's figures for questions recorded, requests answered and records moved
/// in `[from, to)`.
pub fn division_figures(tx: &mut Tx<'_>, division: i64, from: i64, to: i64) -> AppResult<DivisionFigures> {
    let name = tx
        .query_opt(
            "SELECT d.name || ' · ' || v.name FROM divisions v JOIN departments d ON d.id = v.department_id \
             WHERE v.id = $1 AND v.kind = 'market_allocation'",
            params![division],
        )?
        .ok_or(AppError::NotFound)?
        .text(0)?;
    let mut by_class = [0i64; 3];
    for r in tx.query(
        "SELECT class, COUNT(*) FROM market_questions WHERE division_id = $1 AND created_at >= $2 AND created_at < $3 \
         GROUP BY class",
        params![division, from, to],
    )? {
        if let Some(i) = CLASSES.iter().position(|c| r.text(0).ok().as_deref() == Some(c)) {
            by_class[i] = r.int(1)?;
        }
    }
    let associations =
        tx.count("SELECT COUNT(*) FROM associations WHERE division_id = $1 AND active = 1", params![division])?;
    let requests = tx
        .query_opt(
            "SELECT COUNT(*), SUM(CASE WHEN q.answered_on <= q.due_on THEN 1 ELSE 0 END) FROM line_requests q \
             JOIN users u ON u.id = q.responder_id WHERE u.division_id = $1 AND q.answered_at >= $2 AND q.answered_at < $3",
            params![division, from, to],
        )?
        .ok_or(AppError::NotFound)?;
    let handled = tx
        .query(
            "SELECT a.record_kind, COUNT(*) FROM audit_log a JOIN users u ON u.id = a.actor_id \
             WHERE u.division_id = $1 AND a.action LIKE 'transition:%' AND a.at >= $2 AND a.at < $3 \
             GROUP BY a.record_kind ORDER BY 2 DESC, 1",
            params![division, from, to],
        )?
        .iter()
        .map(|r| Ok(Handled { kind: r.text(0)?, moves: r.int(1)? }))
        .collect::<AppResult<_>>()?;
    Ok(DivisionFigures {
        division_id: division,
        division_name: name,
        to_market: by_class[0],
        cultivate: by_class[1],
        failure: by_class[2],
        associations,
        requests_answered: requests.int(0)?,
        requests_on_time: requests.opt_int(1)?.unwrap_or(0),
        handled,
    })
}
