//! 通报: when the office publishes a lead's outcome, a numbered notice goes to the unit
//! that handled it and to the office of the channel the lead came from (人大, 政协, 纪委,
//! 政府督查, 媒体), into their inboxes; it has a page laid out as a 公文 for printing. The
//! originating office is also told when the unit feeds back.

use serde::Serialize;

use super::leads::Lead;
use crate::kernel::access::{self, CurrentUser};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note};
use crate::params;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notice {
    pub id: i64,
    /// 青督通〔2019〕1号.
    pub number: String,
    pub lead_id: i64,
    pub title: String,
    pub body: String,
    /// The departments it is addressed to (主送), by name.
    pub recipients: Vec<String>,
    pub issued_at: i64,
}

/// The department of the office of `channel`, if one is named.
fn channel_office(tx: &mut Tx<'_>, channel: &str) -> AppResult<Option<i64>> {
    let desk = super::sight::desk(channel);
    Ok(access::desk_holders(tx, &[desk.as_str()])?.into_iter().next().and_then(|(_, d)| d))
}

/// Everyone in the originating office (see [`origin_departments`]).
fn originating_office(tx: &mut Tx<'_>, l: &Lead) -> AppResult<Vec<i64>> {
    let mut users = Vec::new();
    for d in origin_departments(tx, l)? {
        users.extend(office_people(tx, d)?);
    }
    Ok(users)
}

/// Everyone in the office of `channel`, if one is named.
pub fn office_of_channel(tx: &mut Tx<'_>, channel: &str) -> AppResult<Vec<i64>> {
    match channel_office(tx, channel)? {
        Some(d) => office_people(tx, d),
        None => Ok(Vec::new()),
    }
}

fn office_people(tx: &mut Tx<'_>, department: i64) -> AppResult<Vec<i64>> {
    people_of(tx, department, &["staff", "division_head", "dept_head"])
}

/// The active accounts of `department` with one of `roles`.
fn people_of(tx: &mut Tx<'_>, department: i64, roles: &[&str]) -> AppResult<Vec<i64>> {
    let mut w = crate::kernel::db::Where::default();
    w.and("department_id = ?", department);
    w.and_sql("active = 1");
    let marks = w.marks(roles);
    w.and_sql(&format!("role IN ({marks})"));
    tx.query(&format!("SELECT id FROM users{}", w.sql), &w.args)?.iter().map(|r| Ok(r.int(0)?)).collect()
}

/// The departments of the office of the lead's channel, and of the discipline commission
/// for a lead sent to it.
fn origin_departments(tx: &mut Tx<'_>, l: &Lead) -> AppResult<Vec<i64>> {
    let mut departments: Vec<i64> = channel_office(tx, &l.channel)?.into_iter().collect();
    if l.to_discipline {
        departments.extend(channel_office(tx, "party")?);
    }
    Ok(departments)
}

/// Tell the originating office that the unit fed back.
pub fn fed_back(tx: &mut Tx<'_>, who: &Who, l: &Lead, note: &str) -> AppResult<()> {
    let to = originating_office(tx, l)?;
    notify::send(
        tx,
        who,
        &to,
        &Note {
            kind: "lead",
            message: "sv-note-fed-back-to-origin",
            params: vec![
                ("id", l.id.to_string().into()),
                ("short", l.description.chars().take(30).collect::<String>().into()),
            ],
            body: note.to_owned(),
            link: format!("/supervision/leads/{}", l.id),
        },
    )?;
    Ok(())
}

/// Issue the numbered notice of a lead's published outcome and send it.
pub fn issue(tx: &mut Tx<'_>, who: &Who, l: &Lead, outcome: &str) -> AppResult<Notice> {
    let year = crate::kernel::clock::local_date(who.now).format("%Y").to_string();
    let year_n: i64 = year.parse().unwrap_or(0);
    let seq = tx.insert(
        "INSERT INTO notice_numbers (year, last) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last = notice_numbers.last + 1 RETURNING last",
        params![year_n],
    )?;
    let number = format!("青督通〔{year}〕{seq}号");
    let short: String = l.description.chars().take(30).collect();
    let short = short.trim_end_matches(|c: char| "。，；！？.,;!? ".contains(c));
    let title = format!("关于“{short}”问题处理情况的通报");
    let id = tx.insert(
        "INSERT INTO notices (number, lead_id, title, body, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![number.as_str(), l.id, title.as_str(), outcome, who.actor_id, who.now],
    )?;
    let mut departments: Vec<i64> = l.unit_department_id.into_iter().collect();
    departments.extend(origin_departments(tx, l)?);
    departments.sort_unstable();
    departments.dedup();
    for d in &departments {
        tx.execute("INSERT INTO notice_recipients (notice_id, department_id) VALUES ($1, $2)", params![id, *d])?;
    }
    let mut to = originating_office(tx, l)?;
    if let Some(unit) = l.unit_department_id {
        to.extend(people_of(tx, unit, &["dept_head", "division_head"])?);
    }
    notify::send(
        tx,
        who,
        &to,
        &Note {
            kind: "lead",
            message: "sv-note-notice-issued",
            params: vec![("number", number.as_str().into()), ("title", title.as_str().into())],
            body: String::new(),
            link: format!("/supervision/notices/{id}"),
        },
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "issue",
            kind: "notice",
            id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "number": number, "lead_id": l.id, "recipients": departments })),
        },
    )?;
    get_unchecked(tx, id)
}

fn get_unchecked(tx: &mut Tx<'_>, id: i64) -> AppResult<Notice> {
    let r = tx
        .query_opt("SELECT id, number, lead_id, title, body, issued_at FROM notices WHERE id = $1", params![id])?
        .ok_or(AppError::NotFound)?;
    let recipients = tx
        .query(
            "SELECT d.name FROM notice_recipients n JOIN departments d ON d.id = n.department_id WHERE n.notice_id = $1 ORDER BY d.id",
            params![id],
        )?
        .iter()
        .map(|r| Ok(r.text(0)?))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Notice {
        id: r.int(0)?,
        number: r.text(1)?,
        lead_id: r.int(2)?,
        title: r.text(3)?,
        body: r.text(4)?,
        recipients,
        issued_at: r.int(5)?,
    })
}

/// A notice, for those who see its lead or belong to a department it is addressed to.
pub fn get(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<Notice> {
    let n = get_unchecked(tx, id)?;
    let addressed = match user.department_id {
        Some(d) => tx
            .query_opt("SELECT 1 FROM notice_recipients WHERE notice_id = $1 AND department_id = $2", params![id, d])?
            .is_some(),
        None => false,
    };
    let lead = super::leads::find(tx, n.lead_id)?;
    if addressed || super::sight::of(tx, user)?.sees(&lead.seen()) { Ok(n) } else { Err(AppError::NotFound) }
}
