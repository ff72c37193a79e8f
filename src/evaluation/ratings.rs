//! Service interactions, their one-time rating invitations, and the ratings themselves.

use serde::{Deserialize, Serialize};

use super::scores;
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::crypto::{self, random_hex, secret_digest};
use crate::kernel::db::{Row, Tx};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note};
use crate::kernel::settings;
use crate::kernel::validate;
use crate::params;

pub const KINDS: [&str; 4] = ["counter", "enquiry", "task", "lead"];
/// Wrong one-time codes an invitation takes before it is locked.
pub const CODE_TRIES: i64 = 5;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InteractionInput {
    /// `counter` (窗口服务), `enquiry` (咨询), `task` or `lead`.
    pub kind: String,
    /// What was done for whom, shown to the person rating it.
    pub summary: String,
    /// Name of the person or enterprise served (optional).
    #[serde(default)]
    pub served_name: String,
    /// The served person's mobile number or e-mail address, for `counter` and `enquiry`:
    /// the invitation and its one-time code are sent there, never shown to the member.
    #[serde(default)]
    pub served_contact: String,
    /// The record the service belongs to, for `task` (one the member handled, rated by
    /// the leader who assigned it) or `lead` (one the member's unit fed back, rated by the
    /// reporter at the contact they gave).
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub ref_id: Option<i64>,
}

/// What the member who logged a service learns: that the invitation went out, and
/// where to, masked. The link and code reach only the person served.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub interaction_id: i64,
    /// `sms`, `email` or `inbox`.
    pub channel: String,
    /// 138****8000, l***@example.cn, or the name of the account invited.
    pub sent_to: String,
    pub expires_at: i64,
}

/// An invitation with what only the person served receives; kept inside the server
/// (the demo seed rates with it).
pub struct Issued {
    pub invitation: Invitation,
    pub token: String,
    pub code: Option<String>,
}

/// Who the service was for: an account (invited in its inbox) or a contact (sent the
/// link and a one-time code).
enum Served {
    Account { id: i64, name: String },
    Contact { channel: &'static str, address: String },
}

impl Served {
    fn key(&self) -> String {
        match self {
            Served::Account { id, .. } => format!("user:{id}"),
            Served::Contact { address, .. } => format!("contact:{}", secret_digest(address.as_bytes())),
        }
    }
}

/// Log a service given by `user` and send its one-time rating invitation to the person
/// served. The member never holds a usable link.
pub fn invite(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    input: &InteractionInput,
    base: &str,
) -> AppResult<Issued> {
    if !matches!(user.role, Role::Staff | Role::DivisionHead | Role::DeptHead) {
        return Err(AppError::Forbidden);
    }
    let department = user.department_id.ok_or(AppError::Forbidden)?;
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_value", "kind"));
    }
    let summary = validate::text(&input.summary, "summary", 500)?;
    let served_name = validate::opt_text(Some(&input.served_name), "served_name", 100)?.unwrap_or_default();
    let (ref_kind, served) = match input.kind.as_str() {
        "task" => (Some("task"), served_by_task(tx, user, input.ref_id)?),
        "lead" => (Some("lead"), served_by_lead(tx, department, input.ref_id)?),
        _ => (None, contact(&input.served_contact, "served_contact")?),
    };
    if let Served::Contact { address, .. } = &served {
        let division = colleagues(tx, user.id, user.division_id)?;
        if reaches_any(tx, &division, address)? {
            return Err(AppError::invalid("served_is_colleague", "served_contact"));
        }
    }
    let served_key = served.key();
    if ref_kind.is_some()
        && tx
            .query_opt(
                "SELECT 1 FROM interactions WHERE ref_kind = $1 AND ref_id = $2 AND served_key = $3",
                params![ref_kind, input.ref_id, served_key.as_str()],
            )?
            .is_some()
    {
        return Err(AppError::Conflict { code: "already_invited", field: Some("ref_id") });
    }
    let limit = settings::get(tx, &super::INVITATIONS_PER_DAY)?;
    let day = crate::kernel::clock::local_date(who.now).to_string();
    let counted = tx.execute(
        "INSERT INTO invitation_quota (staff_id, day, issued) VALUES ($1, $2, 1) \
         ON CONFLICT (staff_id, day) DO UPDATE SET issued = invitation_quota.issued + 1 WHERE invitation_quota.issued < $3",
        params![user.id, day.as_str(), limit],
    )?;
    if counted == 0 {
        return Err(AppError::Conflict { code: "invitation_quota", field: Some("kind") });
    }
    let served_user = match &served {
        Served::Account { id, .. } => Some(*id),
        Served::Contact { .. } => None,
    };
    let (reply_channel, reply_address) = match &served {
        Served::Contact { channel, address } => (*channel, address.as_str()),
        Served::Account { .. } => ("", ""),
    };
    let id = tx.insert(
        "INSERT INTO interactions (staff_id, division_id, department_id, kind, ref_kind, ref_id, summary, served_name, \
         served_key, served_user_id, created_at, reply_channel, reply_address) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        params![
            user.id,
            user.division_id,
            department,
            input.kind.as_str(),
            ref_kind,
            input.ref_id,
            summary.as_str(),
            served_name,
            served_key.as_str(),
            served_user,
            who.now,
            reply_channel,
            crypto::seal(reply_address)?
        ],
    )?;
    let token = random_hex(16)?;
    let code = match served {
        Served::Contact { .. } => Some(one_time_code()?),
        Served::Account { .. } => None,
    };
    let token_hash = secret_digest(token.as_bytes());
    let code_hash = code.as_deref().map(|c| code_digest(&token_hash, c)).unwrap_or_default();
    let expires_at = who.now + settings::get(tx, &super::INVITATION_DAYS)? * 86_400_000;
    let (channel, sent_to) = match &served {
        Served::Account { name, .. } => ("inbox", name.clone()),
        Served::Contact { channel, address } => (*channel, crate::kernel::validate::mask_contact(address)),
    };
    tx.execute(
        "INSERT INTO invitations (interaction_id, token_hash, expires_at, created_at, code_hash, sent_to) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        params![id, token_hash.as_str(), expires_at, who.now, code_hash.as_str(), sent_to.as_str()],
    )?;
    let unit = tx.query_one("SELECT name FROM departments WHERE id = $1", params![department])?.text(0)?;
    let link = format!("{}/rate/{token}", base.trim_end_matches('/'));
    match (&served, &code) {
        (Served::Account { id: served_id, .. }, _) => {
            notify::send(
                tx,
                who,
                &[*served_id],
                &Note {
                    kind: "rating",
                    message: "ev-note-rate-this-service",
                    params: vec![("name", user.display_name.as_str().into()), ("summary", summary.as_str().into())],
                    body: String::new(),
                    link: format!("/rate/{token}"),
                },
            )?;
        }
        (Served::Contact { channel, address }, Some(code)) => {
            let args = [
                ("unit", unit.as_str()),
                ("name", user.display_name.as_str()),
                ("summary", summary.as_str()),
                ("link", link.as_str()),
                ("code", code.as_str()),
            ];
            let subject = crate::kernel::i18n::t_args(crate::kernel::i18n::Lang::Zh, "ev-invitation-subject", &args);
            let body = crate::kernel::i18n::t_args(crate::kernel::i18n::Lang::Zh, "ev-invitation-body", &args);
            notify::send_direct(tx, who, channel, address, &subject, &body)?;
        }
        (Served::Contact { .. }, None) => {}
    }
    audit::record(
        tx,
        who,
        Change {
            action: "invite",
            kind: "interaction",
            id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "kind": input.kind, "channel": channel, "sent_to": sent_to })),
        },
    )?;
    Ok(Issued {
        invitation: Invitation { interaction_id: id, channel: channel.to_owned(), sent_to, expires_at },
        token,
        code,
    })
}

/// Six random digits, sent with a link to the person it is for.
pub fn one_time_code() -> AppResult<String> {
    Ok(format!("{:06}", u32::from_str_radix(&random_hex(4)?, 16).unwrap_or(0) % 1_000_000))
}

pub fn code_digest(token_hash: &str, code: &str) -> String {
    secret_digest(format!("{token_hash}:{}", code.trim()).as_bytes())
}

fn contact(typed: &str, field: &'static str) -> AppResult<Served> {
    if typed.trim().is_empty() {
        return Err(AppError::invalid("required", field));
    }
    let (channel, address) = notify::address_of(typed).ok_or_else(|| AppError::invalid("bad_contact", field))?;
    Ok(Served::Contact { channel, address })
}

/// The member and everyone in their division.
fn colleagues(tx: &mut Tx<'_>, staff: i64, division: Option<i64>) -> AppResult<Vec<i64>> {
    tx.query(
        "SELECT id FROM users WHERE id = $1 OR (division_id IS NOT NULL AND division_id = $2)",
        params![staff, division],
    )?
    .iter()
    .map(|r| Ok(r.int(0)?))
    .collect()
}

/// Whether `address` (checked) is the phone or e-mail of one of `people`.
fn reaches_any(tx: &mut Tx<'_>, people: &[i64], address: &str) -> AppResult<bool> {
    let ids = crate::kernel::db::id_list(people);
    for r in tx.query(&format!("SELECT email, phone FROM users WHERE id IN ({ids})"), &[])?.iter() {
        for known in [crypto::open_opt(r.opt_text(0)?)?, crypto::open_opt(r.opt_text(1)?)?].into_iter().flatten() {
            if notify::address_of(&known).is_some_and(|(_, a)| a == address) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// A task the member handled to the end is rated by the leader who assigned it.
fn served_by_task(tx: &mut Tx<'_>, user: &CurrentUser, task: Option<i64>) -> AppResult<Served> {
    let id = task.ok_or_else(|| AppError::invalid("required", "ref_id"))?;
    let r = tx
        .query_opt(
            "SELECT t.assignee_id, t.state, m.leader_id, u.display_name FROM tasks t JOIN matters m ON m.id = t.matter_id \
             JOIN users u ON u.id = m.leader_id WHERE t.id = $1",
            params![id],
        )?
        .ok_or_else(|| AppError::invalid("no_such_service", "ref_id"))?;
    if r.opt_int(0)? != Some(user.id) {
        return Err(AppError::invalid("not_your_service", "ref_id"));
    }
    if !matches!(r.text(1)?.as_str(), "feedback_submitted" | "done") {
        return Err(AppError::invalid("service_not_finished", "ref_id"));
    }
    Ok(Served::Account { id: r.int(2)?, name: r.text(3)? })
}

/// A lead the member's unit fed back is rated by its reporter, at the contact they gave.
fn served_by_lead(tx: &mut Tx<'_>, department: i64, lead: Option<i64>) -> AppResult<Served> {
    let id = lead.ok_or_else(|| AppError::invalid("required", "ref_id"))?;
    let r = tx
        .query_opt(
            "SELECT unit_department_id, first_feedback_at, reporter_contact FROM leads WHERE id = $1",
            params![id],
        )?
        .ok_or_else(|| AppError::invalid("no_such_service", "ref_id"))?;
    if r.opt_int(0)? != Some(department) {
        return Err(AppError::invalid("not_your_service", "ref_id"));
    }
    if r.opt_int(1)?.is_none() {
        return Err(AppError::invalid("service_not_finished", "ref_id"));
    }
    // Open311 keeps "e-mail phone" together; the whole, or the first that reaches someone.
    let reporter = crypto::open(&r.text(2)?)?;
    std::iter::once(reporter.as_str())
        .chain(reporter.split_whitespace())
        .find_map(notify::address_of)
        .map(|(channel, address)| Served::Contact { channel, address })
        .ok_or_else(|| AppError::invalid("served_has_no_contact", "ref_id"))
}

/// What the person served sees before rating.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invited {
    pub staff_name: String,
    pub department_name: String,
    pub division_name: Option<String>,
    pub summary: String,
    pub expires_at: i64,
    /// Whether the rating asks for the one-time code sent with the link.
    pub needs_code: bool,
}

struct Open {
    invitation: i64,
    interaction: i64,
    staff: i64,
    division: Option<i64>,
    department: i64,
    served_user: Option<i64>,
    code_hash: String,
    code_failures: i64,
    shown: Invited,
}

fn open(tx: &mut Tx<'_>, token: &str, now: i64) -> AppResult<Open> {
    let r = tx
        .query_opt(
            "SELECT v.id, i.id, i.staff_id, i.division_id, i.department_id, u.display_name, d.name, dv.name, i.summary, \
             v.expires_at, v.used_at, i.served_user_id, v.code_hash, v.code_failures \
             FROM invitations v JOIN interactions i ON i.id = v.interaction_id \
             JOIN users u ON u.id = i.staff_id JOIN departments d ON d.id = i.department_id \
             LEFT JOIN divisions dv ON dv.id = i.division_id WHERE v.token_hash = $1",
            params![secret_digest(token.as_bytes())],
        )?
        .ok_or_else(|| AppError::invalid("invitation_unknown", "token"))?;
    if r.opt_int(10)?.is_some() {
        return Err(AppError::Conflict { code: "invitation_used", field: Some("token") });
    }
    if r.int(9)? <= now {
        return Err(AppError::Conflict { code: "invitation_expired", field: Some("token") });
    }
    let code_hash = r.text(12)?;
    Ok(Open {
        invitation: r.int(0)?,
        interaction: r.int(1)?,
        staff: r.int(2)?,
        division: r.opt_int(3)?,
        department: r.int(4)?,
        served_user: r.opt_int(11)?,
        code_failures: r.int(13)?,
        shown: Invited {
            staff_name: r.text(5)?,
            department_name: r.text(6)?,
            division_name: r.opt_text(7)?,
            summary: r.text(8)?,
            expires_at: r.int(9)?,
            needs_code: !code_hash.is_empty(),
        },
        code_hash,
    })
}

pub fn invited(tx: &mut Tx<'_>, token: &str, now: i64) -> AppResult<Invited> {
    Ok(open(tx, token, now)?.shown)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RatingInput {
    /// The invitation's token.
    pub token: String,
    /// The one-time code sent with the link, when the invitation went to a phone or an
    /// e-mail address.
    #[serde(default)]
    pub code: String,
    /// 服务态度, 1–5.
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub attitude: i64,
    /// 工作作风, 1–5.
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub style: i64,
    /// 办事效率, 1–5.
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub efficiency: i64,
    /// 业务能力, 1–5.
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub competence: i64,
    #[serde(default)]
    pub comment: String,
    /// Who rated, for the call-back after a bad review; shown only to those who call back.
    #[serde(default)]
    pub rater_name: String,
    #[serde(default)]
    pub rater_contact: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Rated {
    pub id: i64,
    /// True when a level is 不满意 or 非常不满意: the unit verifies it.
    pub bad_review: bool,
}

/// Where a rating comes from: the signed-in account and the browser's device cookie.
#[derive(Debug, Clone, Default)]
pub struct Rater {
    pub user: Option<CurrentUser>,
    pub device: Option<String>,
}

/// Why a rating was taken to come from the member rated (or their division).
fn from_the_rated(
    tx: &mut Tx<'_>,
    staff: i64,
    division: Option<i64>,
    rater: &Rater,
    typed_contact: &str,
) -> AppResult<Option<&'static str>> {
    let colleagues = colleagues(tx, staff, division)?;
    if rater.user.as_ref().is_some_and(|u| colleagues.contains(&u.id)) {
        return Ok(Some("own_session"));
    }
    if let Some(device) = rater.device.as_deref()
        && crate::kernel::auth::device_users(tx, device)?.iter().any(|u| colleagues.contains(u))
    {
        return Ok(Some("own_device"));
    }
    if let Some((_, address)) = notify::address_of(typed_contact)
        && reaches_any(tx, &colleagues, &address)?
    {
        return Ok(Some("own_contact"));
    }
    Ok(None)
}

/// Who holds a one-time link to the person served (a rating invitation, a call-back),
/// as the link's row knows them.
pub struct Holder<'a> {
    pub interaction: i64,
    /// The member rated, and their division.
    pub staff: i64,
    pub division: Option<i64>,
    /// The account served, where the link went to an inbox.
    pub served: Option<i64>,
    pub token: &'a str,
    pub code: &'a str,
    /// The digest of the code sent with the link ("" when none was sent).
    pub code_hash: &'a str,
    pub code_failures: i64,
    /// Where a wrong code is counted: the link's table and row.
    pub counted_in: (&'static str, i64),
    /// The record a refusal's audit entry names.
    pub audited_as: (&'static str, i64),
}

/// Check the holder of a one-time link: an attempt from the member rated or their
/// division is refused and counted, an account-bound link answers only to that account,
/// and the code sent with the link must match (wrong codes counted, five lock it). The
/// outer error changes nothing; the inner one is a refusal to keep.
pub fn check_holder(
    tx: &mut Tx<'_>,
    who: &Who,
    rater: &Rater,
    typed_contact: &str,
    h: &Holder<'_>,
) -> AppResult<Option<AppError>> {
    if let Some(reason) = from_the_rated(tx, h.staff, h.division, rater, typed_contact)? {
        let id = tx.insert(
            "INSERT INTO rating_refusals (interaction_id, staff_id, division_id, reason, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            params![h.interaction, h.staff, h.division, reason, who.now],
        )?;
        audit::record(
            tx,
            who,
            Change {
                action: "refuse_rating",
                kind: h.audited_as.0,
                id: Some(h.audited_as.1),
                before: None,
                after: Some(serde_json::json!({ "reason": reason, "refusal": id })),
            },
        )?;
        return Ok(Some(AppError::invalid("self_rating", "token")));
    }
    if let Some(served) = h.served
        && rater.user.as_ref().map(|u| u.id) != Some(served)
    {
        return Err(AppError::invalid("not_the_person_served", "token"));
    }
    if !h.code_hash.is_empty() {
        if h.code_failures >= CODE_TRIES {
            return Err(AppError::Conflict { code: "invitation_locked", field: Some("code") });
        }
        let token_hash = secret_digest(h.token.trim().as_bytes());
        if !crate::kernel::crypto::same_secret(&code_digest(&token_hash, h.code), h.code_hash) {
            let (table, row) = h.counted_in;
            tx.execute(&format!("UPDATE {table} SET code_failures = code_failures + 1 WHERE id = $1"), params![row])?;
            return Ok(Some(AppError::invalid("wrong_code", "code")));
        }
    }
    Ok(None)
}

/// Record the rating of one interaction; the invitation is spent. The outer error
/// changes nothing; the inner one is a refusal that is kept (an attempt from the member
/// rated, or a wrong code counted against the invitation).
pub fn rate(tx: &mut Tx<'_>, who: &Who, rater: &Rater, input: &RatingInput) -> AppResult<Result<Rated, AppError>> {
    let o = open(tx, input.token.trim(), who.now)?;
    let levels = [
        ("attitude", input.attitude),
        ("style", input.style),
        ("efficiency", input.efficiency),
        ("competence", input.competence),
    ];
    for (field, level) in levels {
        if !(1..=5).contains(&level) {
            return Err(AppError::invalid("bad_level", field));
        }
    }
    let holder = Holder {
        interaction: o.interaction,
        staff: o.staff,
        division: o.division,
        served: o.served_user,
        token: &input.token,
        code: &input.code,
        code_hash: &o.code_hash,
        code_failures: o.code_failures,
        counted_in: ("invitations", o.invitation),
        audited_as: ("interaction", o.interaction),
    };
    if let Some(refused) = check_holder(tx, who, rater, &input.rater_contact, &holder)? {
        return Ok(Err(refused));
    }
    let comment = validate::opt_text(Some(&input.comment), "comment", 1000)?.unwrap_or_default();
    let rater_name = validate::opt_text(Some(&input.rater_name), "rater_name", 100)?.unwrap_or_default();
    let rater_contact = validate::opt_text(Some(&input.rater_contact), "rater_contact", 100)?.unwrap_or_default();
    let bad = levels.iter().any(|(_, l)| *l <= 2);
    let state = if bad { super::BAD_REVIEW.required_states[0] } else { "none" };
    let used = tx.execute(
        "UPDATE invitations SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
        params![who.now, o.invitation],
    )?;
    if used != 1 {
        return Err(AppError::Conflict { code: "invitation_used", field: Some("token") });
    }
    let id = tx.insert(
        "INSERT INTO ratings (interaction_id, staff_id, division_id, department_id, attitude, style, efficiency, competence, \
         comment, rater_name, rater_contact, rater_user_id, bad, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id",
        params![
            o.interaction, o.staff, o.division, o.department, input.attitude, input.style, input.efficiency, input.competence,
            comment.as_str(), crypto::seal(&rater_name)?, crypto::seal(&rater_contact)?, rater.user.as_ref().map(|u| u.id), bad, state, who.now
        ],
    )?;
    scores::add(
        tx,
        who.now,
        o.staff,
        o.division,
        o.department,
        [input.attitude, input.style, input.efficiency, input.competence],
        1,
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "rate",
            kind: "rating",
            id: Some(id),
            before: None,
            after: Some(
                serde_json::json!({ "staff_id": o.staff, "levels": [input.attitude, input.style, input.efficiency, input.competence], "bad": bad }),
            ),
        },
    )?;
    let mut to = vec![o.staff];
    if bad {
        to.extend(super::bad_reviews::unit_heads(tx, o.department, o.division)?);
    }
    let total = input.attitude + input.style + input.efficiency + input.competence;
    notify::send(
        tx,
        who,
        &to,
        &Note {
            kind: "rating",
            message: if bad { "ev-note-bad-rating" } else { "ev-note-rating" },
            params: vec![("total", total.to_string().into()), ("summary", o.shown.summary.as_str().into())],
            body: comment,
            link: if bad { format!("/evaluation/bad-reviews/{id}") } else { "/evaluation/mine".into() },
        },
    )?;
    Ok(Ok(Rated { id, bad_review: bad }))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Rating {
    pub id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub division_id: Option<i64>,
    pub department_id: i64,
    pub summary: String,
    pub attitude: i64,
    pub style: i64,
    pub efficiency: i64,
    pub competence: i64,
    pub total: i64,
    pub comment: String,
    pub bad: bool,
    /// The bad-review state, or `none`.
    pub state: String,
    /// Counted in the scores (false once an appeal was upheld).
    pub counted: bool,
    pub rectify_deadline: Option<String>,
    /// Shown only to those who call the rater back.
    pub rater_name: Option<String>,
    pub rater_contact: Option<String>,
    pub created_at: i64,
}

pub const COLUMNS: &str = "r.id, r.staff_id, u.display_name AS staff_name, r.division_id, r.department_id, i.summary, \
    r.attitude, r.style, r.efficiency, r.competence, r.comment, r.bad, r.state, r.counted, \
    r.rectify_deadline, r.rater_name, r.rater_contact, r.created_at";
pub const FROM: &str = "ratings r JOIN interactions i ON i.id = r.interaction_id JOIN users u ON u.id = r.staff_id";

/// A rating; the rater's identity only when `show_rater`.
pub fn from_row(r: &Row, show_rater: bool) -> AppResult<Rating> {
    let (a, s, e, c) = (r.int("attitude")?, r.int("style")?, r.int("efficiency")?, r.int("competence")?);
    Ok(Rating {
        id: r.int("id")?,
        staff_id: r.int("staff_id")?,
        staff_name: r.text("staff_name")?,
        division_id: r.opt_int("division_id")?,
        department_id: r.int("department_id")?,
        summary: r.text("summary")?,
        attitude: a,
        style: s,
        efficiency: e,
        competence: c,
        total: a + s + e + c,
        comment: r.text("comment")?,
        bad: r.bool("bad")?,
        state: r.text("state")?,
        counted: r.bool("counted")?,
        rectify_deadline: r.opt_text("rectify_deadline")?,
        rater_name: if show_rater { Some(crypto::open(&r.text("rater_name")?)?) } else { None },
        rater_contact: if show_rater { Some(crypto::open(&r.text("rater_contact")?)?) } else { None },
        created_at: r.int("created_at")?,
    })
}

/// A member's own ratings, newest first (raters are not shown).
pub fn of_staff(tx: &mut Tx<'_>, staff: i64, limit: i64) -> AppResult<Vec<Rating>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE r.staff_id = $1 ORDER BY r.id DESC LIMIT $2");
    tx.query(&sql, params![staff, limit.clamp(1, 500)])?.iter().map(|r| from_row(r, false)).collect()
}
