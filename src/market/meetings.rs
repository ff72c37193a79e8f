//! Party and government economic meetings (经济工作会议): an agenda, invitations and
//! attendance, 列席 seats for association heads with the same right to speak as
//! department heads, minutes of who spoke on which item, and decisions that become tasks
//! of mechanism 1a through the kernel's task seam.

use serde::{Deserialize, Serialize};

use super::associations;
use crate::kernel::access::{self, CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note, Param};
use crate::kernel::registry::{Environment, MatterRequest, TaskPort, TaskRequest};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

pub const KINDS: [&str; 2] = ["party", "government"];
pub const SEATS: [&str; 2] = ["member", "observer"];
const MAX_ITEMS: usize = 30;
const MAX_INVITEES: usize = 300;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = EconomicMeeting)]
pub struct Meeting {
    pub id: i64,
    /// `party` (党委) or `government` (政府).
    pub kind: String,
    pub title: String,
    pub starts_at: i64,
    pub place: String,
    pub convener_id: i64,
    pub convener_name: String,
    /// `planned`, or `held` once the attendance is recorded.
    pub state: String,
    pub matter_id: Option<i64>,
    pub invited: i64,
    pub attended: i64,
    pub created_at: i64,
}

const COLUMNS: &str = "m.id, m.kind, m.title, m.starts_at, m.place, m.convener_id, u.display_name AS convener_name, \
    m.state, m.matter_id, \
    (SELECT COUNT(*) FROM meeting_invitees i WHERE i.meeting_id = m.id) AS invited, \
    (SELECT COUNT(*) FROM meeting_invitees i WHERE i.meeting_id = m.id AND i.attended = 1) AS attended, m.created_at";
const FROM: &str = "economic_meetings m JOIN users u ON u.id = m.convener_id";

fn from_row(r: &Row) -> AppResult<Meeting> {
    Ok(Meeting {
        id: r.int("id")?,
        kind: r.text("kind")?,
        title: r.text("title")?,
        starts_at: r.int("starts_at")?,
        place: r.text("place")?,
        convener_id: r.int("convener_id")?,
        convener_name: r.text("convener_name")?,
        state: r.text("state")?,
        matter_id: r.opt_int("matter_id")?,
        invited: r.int("invited")?,
        attended: r.int("attended")?,
        created_at: r.int("created_at")?,
    })
}

fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Meeting> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE m.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

/// Government people see every meeting; an association's accounts only those their
/// association is invited to.
fn may_see(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<bool> {
    if user.role.is_government() {
        return Ok(true);
    }
    if user.role != Role::Association {
        return Ok(false);
    }
    let Some(a) = associations::of_account(tx, user)? else { return Ok(false) };
    Ok(tx.count(
        "SELECT COUNT(*) FROM meeting_invitees WHERE meeting_id = $1 AND (association_id = $2 OR user_id = $3)",
        params![id, a, user.id],
    )? > 0)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingFilter {
    /// `party` or `government`.
    pub kind: Option<String>,
}

pub fn list(tx: &mut Tx<'_>, user: &CurrentUser, f: &MeetingFilter, p: &ListParams) -> AppResult<Page<Meeting>> {
    let mut w = Where::default();
    if !user.role.is_government() {
        let a = associations::of_account(tx, user)?.unwrap_or(0);
        w.and_args(
            "EXISTS (SELECT 1 FROM meeting_invitees i WHERE i.meeting_id = m.id AND (i.association_id = ?1 OR i.user_id = ?2))",
            vec![a.into(), user.id.into()],
        );
    }
    if let Some(k) = f.kind.as_deref().filter(|k| !k.is_empty()) {
        w.and("m.kind = ?", k.to_owned());
    }
    if let Some(like) = p.like() {
        w.contains(&["m.title", "m.place"], like);
    }
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by("m.starts_at", &[("starts", "m.starts_at"), ("title", "m.title")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// The meetings not yet held that `user` is invited to, soonest first.
pub fn upcoming_for(tx: &mut Tx<'_>, user: &CurrentUser, now: i64) -> AppResult<Vec<Meeting>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE m.state = 'planned' AND m.starts_at >= $1 \
         AND EXISTS (SELECT 1 FROM meeting_invitees i WHERE i.meeting_id = m.id AND i.user_id = $2) \
         ORDER BY m.starts_at LIMIT 10"
    );
    tx.query(&sql, params![now - 86_400_000, user.id])?.iter().map(from_row).collect()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = MeetingInput)]
pub struct MeetingInput {
    /// `party` or `government`.
    pub kind: String,
    pub title: String,
    /// Local time, `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    #[serde(default)]
    pub place: String,
    /// The agenda, one item per entry, in order.
    pub items: Vec<String>,
    /// Government people invited to attend (出席).
    #[serde(default)]
    pub member_ids: Vec<i64>,
    /// Associations whose head is given a 列席 seat.
    #[serde(default)]
    pub association_ids: Vec<i64>,
}

/// Convene a meeting: its agenda, and invitations to the people and associations named,
/// each told in their inbox.
pub fn convene(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, input: &MeetingInput) -> AppResult<Meeting> {
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_meeting_kind", "kind"));
    }
    let title = validate::text(&input.title, "title", 200)?;
    let starts_at = validate::local_time(&input.starts_at, "starts_at")?;
    let place = validate::opt_text(Some(&input.place), "place", 200)?.unwrap_or_default();
    let items: Vec<String> =
        input.items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()).map(str::to_owned).collect();
    if items.is_empty() {
        return Err(AppError::invalid("no_agenda", "items"));
    }
    if items.len() > MAX_ITEMS || items.iter().any(|i| i.chars().count() > 200) {
        return Err(AppError::invalid("too_many", "items"));
    }
    if input.member_ids.len() + input.association_ids.len() > MAX_INVITEES {
        return Err(AppError::invalid("too_many", "member_ids"));
    }
    let mut members = input.member_ids.clone();
    members.sort_unstable();
    members.dedup();
    for m in &members {
        let ok = tx.count(
            "SELECT COUNT(*) FROM users WHERE id = $1 AND active = 1 AND role IN ('leader', 'dept_head', 'division_head', 'staff')",
            params![*m],
        )?;
        if ok == 0 {
            return Err(AppError::invalid("not_a_member", "member_ids"));
        }
    }
    let mut heads = Vec::new();
    for a in &input.association_ids {
        let assoc =
            associations::find(tx, *a).map_err(|_| AppError::invalid("unknown_recipient", "association_ids"))?;
        if !assoc.active {
            return Err(AppError::invalid("recipient_inactive", "association_ids"));
        }
        let head = associations::accounts(tx, *a)?
            .first()
            .copied()
            .ok_or_else(|| AppError::invalid("association_without_account", "association_ids"))?;
        if !members.contains(&head) && !heads.iter().any(|(h, _)| *h == head) {
            heads.push((head, *a));
        }
    }
    let id = tx.insert(
        "INSERT INTO economic_meetings (kind, title, starts_at, place, convener_id, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'planned', $6, $6) RETURNING id",
        params![input.kind.as_str(), title, starts_at, place, user.id, who.now],
    )?;
    for (seq, item) in items.iter().enumerate() {
        tx.execute(
            "INSERT INTO meeting_items (meeting_id, seq, title) VALUES ($1, $2, $3)",
            params![id, seq as i64 + 1, item.as_str()],
        )?;
    }
    for m in &members {
        tx.execute(
            "INSERT INTO meeting_invitees (meeting_id, user_id, seat, invited_at) VALUES ($1, $2, 'member', $3)",
            params![id, *m, who.now],
        )?;
    }
    for (head, a) in &heads {
        tx.execute(
            "INSERT INTO meeting_invitees (meeting_id, user_id, association_id, seat, invited_at) \
             VALUES ($1, $2, $3, 'observer', $4)",
            params![id, *head, *a, who.now],
        )?;
    }
    let m = find(tx, id)?;
    audit::record(tx, who, Change::created("economic_meeting", id, &m))?;
    let told: Vec<i64> = members.iter().copied().chain(heads.iter().map(|(h, _)| *h)).collect();
    notify::send(
        tx,
        who,
        &told,
        &Note {
            kind: "meeting",
            message: "mk-note-invited",
            params: vec![("title", Param::from(m.title.clone()))],
            body: String::new(),
            link: format!("/meetings/{id}"),
        },
    )?;
    Ok(m)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = MeetingAgendaItem)]
pub struct AgendaItem {
    pub id: i64,
    pub seq: i64,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = MeetingInvitee)]
pub struct Invitee {
    pub id: i64,
    pub user_id: i64,
    /// The person: an association's head by name.
    pub name: String,
    /// The department, or the association a 列席 head speaks for.
    pub unit: String,
    pub association_id: Option<i64>,
    /// `member` (出席) or `observer` (列席).
    pub seat: String,
    /// Unknown until the attendance is recorded.
    pub attended: Option<bool>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = MeetingSpeech)]
pub struct Speech {
    pub id: i64,
    pub item_id: i64,
    pub invitee_id: i64,
    pub speaker: String,
    pub unit: String,
    pub seat: String,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = MeetingDecision)]
pub struct Decision {
    pub id: i64,
    pub item_id: Option<i64>,
    pub text: String,
    pub task_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = MeetingDetail)]
pub struct Detail {
    #[serde(flatten)]
    pub meeting: Meeting,
    pub items: Vec<AgendaItem>,
    pub invitees: Vec<Invitee>,
    pub speeches: Vec<Speech>,
    pub decisions: Vec<Decision>,
}

pub fn detail(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<Detail> {
    let meeting = find(tx, id)?;
    if !may_see(tx, user, id)? {
        return Err(AppError::NotFound);
    }
    let items = tx
        .query("SELECT id, seq, title FROM meeting_items WHERE meeting_id = $1 ORDER BY seq", params![id])?
        .iter()
        .map(|r| Ok(AgendaItem { id: r.int(0)?, seq: r.int(1)?, title: r.text(2)? }))
        .collect::<AppResult<_>>()?;
    let invitees = invitees(tx, id)?;
    let speeches = tx
        .query(
            "SELECT id, item_id, invitee_id, summary FROM meeting_speeches WHERE meeting_id = $1 ORDER BY id",
            params![id],
        )?
        .iter()
        .map(|r| {
            let invitee_id = r.int(2)?;
            let who = invitees.iter().find(|i| i.id == invitee_id).ok_or(AppError::NotFound)?;
            Ok(Speech {
                id: r.int(0)?,
                item_id: r.int(1)?,
                invitee_id,
                speaker: who.name.clone(),
                unit: who.unit.clone(),
                seat: who.seat.clone(),
                summary: r.text(3)?,
            })
        })
        .collect::<AppResult<_>>()?;
    let decisions = tx
        .query(
            "SELECT id, item_id, text, task_id FROM meeting_decisions WHERE meeting_id = $1 ORDER BY id",
            params![id],
        )?
        .iter()
        .map(|r| Ok(Decision { id: r.int(0)?, item_id: r.opt_int(1)?, text: r.text(2)?, task_id: r.opt_int(3)? }))
        .collect::<AppResult<_>>()?;
    Ok(Detail { meeting, items, invitees, speeches, decisions })
}

fn invitees(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<Invitee>> {
    tx.query(
        "SELECT i.id, i.user_id, COALESCE(a.head_name, u.display_name), COALESCE(e.name, dep.name, ''), i.association_id, \
         i.seat, i.attended \
         FROM meeting_invitees i JOIN users u ON u.id = i.user_id LEFT JOIN departments dep ON dep.id = u.department_id \
         LEFT JOIN associations a ON a.id = i.association_id LEFT JOIN enterprises e ON e.id = a.enterprise_id \
         WHERE i.meeting_id = $1 ORDER BY i.seat, i.id",
        params![id],
    )?
    .iter()
    .map(|r| {
        Ok(Invitee {
            id: r.int(0)?,
            user_id: r.int(1)?,
            name: r.text(2)?,
            unit: r.text(3)?,
            association_id: r.opt_int(4)?,
            seat: r.text(5)?,
            attended: r.opt_int(6)?.map(|a| a == 1),
        })
    })
    .collect()
}

/// Only the convener, or an administrator, keeps a meeting's record.
fn keeps(user: &CurrentUser, m: &Meeting) -> AppResult<()> {
    if m.convener_id == user.id { Ok(()) } else { Err(AppError::Forbidden) }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = AttendanceInput)]
pub struct AttendanceInput {
    /// The invitations (ids) of those present; every other invitee is recorded absent.
    pub present: Vec<i64>,
}

/// Record who attended; the meeting is then held.
pub fn attendance(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    id: i64,
    input: &AttendanceInput,
) -> AppResult<Vec<Invitee>> {
    let m = find(tx, id)?;
    keeps(user, &m)?;
    if m.starts_at > who.now {
        return Err(AppError::Conflict { code: "meeting_not_started", field: None });
    }
    let before = invitees(tx, id)?;
    if input.present.iter().any(|p| !before.iter().any(|i| i.id == *p)) {
        return Err(AppError::invalid("not_invited", "present"));
    }
    for i in &before {
        tx.execute(
            "UPDATE meeting_invitees SET attended = $1 WHERE id = $2",
            params![i64::from(input.present.contains(&i.id)), i.id],
        )?;
    }
    tx.execute("UPDATE economic_meetings SET state = 'held', updated_at = $1 WHERE id = $2", params![who.now, id])?;
    let after = invitees(tx, id)?;
    audit::record(tx, who, Change::updated("attendance", "economic_meeting", id, &before, &after))?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = SpeechInput)]
pub struct SpeechInput {
    pub item_id: i64,
    /// The speaker's invitation.
    pub invitee_id: i64,
    pub summary: String,
}

/// Minute a speech: only someone who attended speaks, on an item of this meeting's
/// agenda. A 列席 association head speaks as a department head does.
pub fn speech(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &SpeechInput) -> AppResult<Speech> {
    let m = find(tx, id)?;
    keeps(user, &m)?;
    let summary = validate::text(&input.summary, "summary", 2000)?;
    let item =
        tx.count("SELECT COUNT(*) FROM meeting_items WHERE id = $1 AND meeting_id = $2", params![input.item_id, id])?;
    if item == 0 {
        return Err(AppError::invalid("not_on_agenda", "item_id"));
    }
    let speaker = invitees(tx, id)?.into_iter().find(|i| i.id == input.invitee_id);
    let Some(speaker) = speaker.filter(|s| s.attended == Some(true)) else {
        return Err(AppError::invalid("speaker_not_attending", "invitee_id"));
    };
    let sid = tx.insert(
        "INSERT INTO meeting_speeches (meeting_id, item_id, invitee_id, summary, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![id, input.item_id, speaker.id, summary.as_str(), user.id, who.now],
    )?;
    let s = Speech {
        id: sid,
        item_id: input.item_id,
        invitee_id: speaker.id,
        speaker: speaker.name,
        unit: speaker.unit,
        seat: speaker.seat,
        summary,
    };
    audit::record(tx, who, Change::created("meeting_speech", sid, &s))?;
    Ok(s)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = DecisionInput)]
pub struct DecisionInput {
    #[serde(default)]
    pub item_id: Option<i64>,
    pub text: String,
}

pub fn decide(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, id: i64, input: &DecisionInput) -> AppResult<Decision> {
    let m = find(tx, id)?;
    keeps(user, &m)?;
    let text = validate::text(&input.text, "text", 2000)?;
    if let Some(item) = input.item_id {
        let on = tx.count("SELECT COUNT(*) FROM meeting_items WHERE id = $1 AND meeting_id = $2", params![item, id])?;
        if on == 0 {
            return Err(AppError::invalid("not_on_agenda", "item_id"));
        }
    }
    let did = tx.insert(
        "INSERT INTO meeting_decisions (meeting_id, item_id, text, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id",
        params![id, input.item_id, text.as_str(), user.id, who.now],
    )?;
    let d = Decision { id: did, item_id: input.item_id, text, task_id: None };
    audit::record(tx, who, Change::created("meeting_decision", did, &d))?;
    Ok(d)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = DecisionTaskInput)]
pub struct DecisionTaskInput {
    pub assignee_id: i64,
    pub department_id: i64,
    /// YYYY-MM-DD.
    pub deadline: String,
}

/// Make a decision a task with an owner and a deadline, under the meeting's matter
/// (opened by the caller with the first). Only those who may open matters do this.
pub fn make_task(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    decision_id: i64,
    input: &DecisionTaskInput,
    (port, env): (&TaskPort, &Environment),
) -> AppResult<Decision> {
    if !access::allows(user, port.decides) {
        return Err(AppError::Forbidden);
    }
    let row = tx
        .query_opt(
            "SELECT meeting_id, item_id, text, task_id FROM meeting_decisions WHERE id = $1",
            params![decision_id],
        )?
        .ok_or(AppError::NotFound)?;
    // One decision becomes one task, and one meeting opens one matter, however many of its
    // decisions are made tasks at once: the meeting's row is held until this commits.
    let lock = format!("SELECT id FROM economic_meetings WHERE id = $1{}", tx.dialect().for_update());
    tx.query_opt(&lock, params![row.int(0)?])?;
    let taken =
        tx.count("SELECT COUNT(*) FROM meeting_decisions WHERE id = $1 AND task_id IS NOT NULL", params![decision_id])?;
    if taken > 0 {
        return Err(AppError::conflict("already_a_task"));
    }
    let m = find(tx, row.int(0)?)?;
    let text = row.text(2)?;
    let matter = match m.matter_id {
        Some(matter) => matter,
        None => {
            let request = MatterRequest { title: format!("{}议定事项", m.title), description: m.title.clone() };
            let matter = (port.open_matter)(tx, who, user, &request, env)?;
            tx.execute("UPDATE economic_meetings SET matter_id = $1 WHERE id = $2", params![matter, m.id])?;
            matter
        }
    };
    let request = TaskRequest {
        matter_id: matter,
        title: text.chars().take(60).collect(),
        description: format!("{}\n{}", m.title, text),
        assignee_id: input.assignee_id,
        lead_department_id: input.department_id,
        deadline: Some(input.deadline.clone()),
        working_days: None,
    };
    let created = (port.create)(tx, who, user, &request, env)?;
    let task_id = created["id"].as_i64().ok_or_else(|| AppError::internal("the task port answered no id"))?;
    tx.execute("UPDATE meeting_decisions SET task_id = $1 WHERE id = $2", params![task_id, decision_id])?;
    let d = Decision { id: decision_id, item_id: row.opt_int(1)?, text, task_id: Some(task_id) };
    audit::record(tx, who, Change::updated("make_task", "meeting_decision", decision_id, &None::<i64>, &d.task_id))?;
    Ok(d)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = MeetingFigures)]
pub struct Figures {
    pub association: String,
    pub invited: i64,
    pub attended: i64,
    /// Meetings at which its head spoke.
    pub spoke_at: i64,
    pub speeches: i64,
}

/// How often each association was invited, attended and spoke, at meetings starting in
/// `[from, to)`.
pub fn figures(tx: &mut Tx<'_>, from: i64, to: i64) -> AppResult<Vec<Figures>> {
    tx.query(
        "SELECT e.name, COUNT(*), SUM(CASE WHEN i.attended = 1 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN sp.n > 0 THEN 1 ELSE 0 END), CAST(COALESCE(SUM(sp.n), 0) AS BIGINT) \
         FROM meeting_invitees i JOIN economic_meetings m ON m.id = i.meeting_id \
         LEFT JOIN (SELECT invitee_id, COUNT(*) AS n FROM meeting_speeches GROUP BY invitee_id) sp ON sp.invitee_id = i.id \
         JOIN associations a ON a.id = i.association_id JOIN enterprises e ON e.id = a.enterprise_id \
         WHERE m.starts_at >= $1 AND m.starts_at < $2 GROUP BY a.id, e.name ORDER BY 4 DESC, 1",
        params![from, to],
    )?
    .iter()
    .map(|r| {
        Ok(Figures {
            association: r.text(0)?,
            invited: r.int(1)?,
            attended: r.int(2)?,
            spoke_at: r.int(3)?,
            speeches: r.int(4)?,
        })
    })
    .collect()
}
