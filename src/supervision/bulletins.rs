//! The weekly 通报 of overdue leads (a kernel bulletin series), one per channel so that
//! each goes to that channel's own office — 人大, 政协, 纪委, 政府督查, 媒体 — as well as
//! to the units named and the supervision office, and no channel's office reads
//! another's leads. A lead sent to the discipline commission is named only in the
//! discipline channel's notice.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use crate::kernel::access::Action;
use crate::kernel::audit::Who;
use crate::kernel::calendar::WorkCalendar;
use crate::kernel::clock;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::web::bulletin::{self, Words};
use crate::kernel::web::layout::{self, Section};
use crate::kernel::web::{AppState, Ctx};
use crate::kernel::workflow::bulletins::{self, Item, Series};
use crate::params;

pub static SERIES: Series =
    Series {
        key: "overdue-leads", prefix: "青督线报", message: "sv-note-bulletin", page: "/supervision/bulletins/"
    };

/// Issue this week's notices, one per channel with overdue leads (a scheduler sweep).
pub fn sweep(tx: &mut Tx<'_>, who: &Who, env: &crate::kernel::registry::Environment) -> AppResult<usize> {
    let cal: &WorkCalendar = &env.calendar;
    let Some(week) = bulletins::due_week(who.now, cal) else { return Ok(0) };
    let today = clock::local_date(who.now);
    let rows = tx.query(
        "SELECT l.id, substr(l.description, 1, 40), d.name, l.deadline, l.unit_department_id, \
         CASE WHEN l.to_discipline = 1 THEN 'party' ELSE l.channel END AS office \
         FROM leads l JOIN departments d ON d.id = l.unit_department_id \
         WHERE l.state IN ('transferred', 'rework') AND l.deadline < $1 AND l.primary_id IS NULL \
         ORDER BY office, d.code, l.deadline, l.id LIMIT 2000",
        params![today.to_string()],
    )?;
    let mut issued = 0;
    for channel in super::CHANNELS {
        let key = format!("{week}/{channel}");
        let mine: Vec<_> = rows.iter().filter(|r| r.text(5).is_ok_and(|c| c == channel)).collect();
        if mine.is_empty()
            || tx
                .query_opt(
                    "SELECT 1 FROM bulletins WHERE series = $1 AND week = $2",
                    params![SERIES.key, key.as_str()],
                )?
                .is_some()
        {
            continue;
        }
        let mut to = super::leads::office_users(tx)?;
        to.extend(super::notices::office_of_channel(tx, channel)?);
        let mut items = Vec::with_capacity(mine.len());
        for r in mine {
            let deadline = r.text(3)?;
            items.push(Item {
                record_id: r.int(0)?,
                title: r.text(1)?,
                unit: r.text(2)?,
                person: String::new(),
                working_days_overdue: bulletins::working_days_overdue(cal, &deadline, today),
                deadline,
            });
            to.extend(super::leads::unit_heads(tx, r.int(4)?)?);
        }
        issued += usize::from(bulletins::issue(tx, who, &SERIES, &key, &items, &to)?.is_some());
    }
    Ok(issued)
}

/// A notice, for the supervision office and the people it went to.
pub async fn page(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let b = s
        .look(&ctx, Action::ViewLeads, move |tx, u| {
            let u = u.ok_or(AppError::Unauthenticated)?;
            let b = bulletins::get(tx, &SERIES, id)?;
            if super::leads::is_office(u) || bulletins::was_sent_to(tx, id, u.id)? {
                Ok(b)
            } else {
                Err(AppError::NotFound)
            }
        })
        .await?;
    let words = Words {
        issuer: "sv-bulletin-issuer",
        title: "sv-bulletin-title",
        lead: "sv-bulletin-lead",
        record: "sv-lead",
        unit: "sv-unit",
        person: None,
        ask: "sv-bulletin-ask",
    };
    let body = bulletin::document(&ctx, &b, &words, "/supervision/leads/", "/supervision/figures");
    Ok(layout::page(&ctx, &b.number, Section::Of("supervision"), body).into_response())
}
