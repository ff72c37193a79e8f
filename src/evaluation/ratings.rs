//! Service interactions, their one-time rating invitations, and the ratings themselves.

use serde::{Deserialize, Serialize};

use super::scores;
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::crypto::{random_hex, sha256_hex};
use crate::kernel::db::{Row, Tx};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note};
use crate::kernel::validate;
use crate::params;

pub const KINDS: [&str; 4] = ["counter", "enquiry", "task", "lead"];
/// Days an invitation stays valid.
pub const INVITATION_DAYS: i64 = 30;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InteractionInput {
    /// `counter` (窗口服务), `enquiry` (咨询), `task` or `lead`.
    pub kind: String,
    /// What was done for whom, shown to the person rating it.
    pub summary: String,
    /// Name of the person or enterprise served (optional).
    #[serde(default)]
    pub served_name: String,
    /// The record the service belongs to, for `task` or `lead`.
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub ref_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub interaction_id: i64,
    /// The secret token, shown once; the link is `/rate/{token}`.
    pub token: String,
    pub link: String,
    pub expires_at: i64,
}

/// Log a service given by `user` and issue its one-time rating invitation.
pub fn invite(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, input: &InteractionInput) -> AppResult<Invitation> {
    if !matches!(user.role, Role::Staff | Role::DivisionHead | Role::DeptHead) {
        return Err(AppError::Forbidden);
    }
    let department = user.department_id.ok_or(AppError::Forbidden)?;
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("bad_value", "kind"));
    }
    let summary = validate::text(&input.summary, "summary", 500)?;
    let served = validate::opt_text(Some(&input.served_name), "served_name", 100)?.unwrap_or_default();
    let ref_kind = match input.kind.as_str() {
        "task" | "lead" => {
            let id = input.ref_id.ok_or_else(|| AppError::invalid("required", "ref_id"))?;
            if input.kind == "task" {
                let owner = tx.query_opt("SELECT assignee_id FROM tasks WHERE id = $1", params![id])?;
                if owner.map(|r| r.int(0)).transpose()? != Some(user.id) {
                    return Err(AppError::invalid("not_your_service", "ref_id"));
                }
            }
            Some(input.kind.clone())
        }
        _ => None,
    };
    let id = tx.insert(
        "INSERT INTO interactions (staff_id, division_id, department_id, kind, ref_kind, ref_id, summary, served_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        params![user.id, user.division_id, department, input.kind.as_str(), ref_kind, input.ref_id, summary, served, who.now],
    )?;
    let token = random_hex(16)?;
    let expires_at = who.now + INVITATION_DAYS * 86_400_000;
    tx.execute(
        "INSERT INTO invitations (interaction_id, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4)",
        params![id, sha256_hex(token.as_bytes()), expires_at, who.now],
    )?;
    audit::record(
        tx,
        who,
        Change {
            action: "invite",
            kind: "interaction",
            id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "kind": input.kind })),
        },
    )?;
    Ok(Invitation { interaction_id: id, link: format!("/rate/{token}"), token, expires_at })
}

/// What the person served sees before rating.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invited {
    pub staff_name: String,
    pub department_name: String,
    pub division_name: Option<String>,
    pub summary: String,
    pub expires_at: i64,
}

struct Open {
    invitation: i64,
    interaction: i64,
    staff: i64,
    division: Option<i64>,
    department: i64,
    shown: Invited,
}

fn open(tx: &mut Tx<'_>, token: &str, now: i64) -> AppResult<Open> {
    let r = tx
        .query_opt(
            "SELECT v.id, i.id, i.staff_id, i.division_id, i.department_id, u.display_name, d.name, dv.name, i.summary, \
             v.expires_at, v.used_at FROM invitations v JOIN interactions i ON i.id = v.interaction_id \
             JOIN users u ON u.id = i.staff_id JOIN departments d ON d.id = i.department_id \
             LEFT JOIN divisions dv ON dv.id = i.division_id WHERE v.token_hash = $1",
            params![sha256_hex(token.as_bytes())],
        )?
        .ok_or_else(|| AppError::invalid("invitation_unknown", "token"))?;
    if r.opt_int(10)?.is_some() {
        return Err(AppError::Conflict { code: "invitation_used", field: Some("token") });
    }
    if r.int(9)? <= now {
        return Err(AppError::Conflict { code: "invitation_expired", field: Some("token") });
    }
    Ok(Open {
        invitation: r.int(0)?,
        interaction: r.int(1)?,
        staff: r.int(2)?,
        division: r.opt_int(3)?,
        department: r.int(4)?,
        shown: Invited {
            staff_name: r.text(5)?,
            department_name: r.text(6)?,
            division_name: r.opt_text(7)?,
            summary: r.text(8)?,
            expires_at: r.int(9)?,
        },
    })
}

pub fn invited(tx: &mut Tx<'_>, token: &str, now: i64) -> AppResult<Invited> {
    Ok(open(tx, token, now)?.shown)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RatingInput {
    /// The invitation's token.
    pub token: String,
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

/// Record the rating of one interaction; the invitation is spent.
pub fn rate(tx: &mut Tx<'_>, who: &Who, rater: Option<&CurrentUser>, input: &RatingInput) -> AppResult<Rated> {
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
    if let Some(u) = rater {
        let same_division = o.division.is_some() && u.division_id == o.division;
        if u.id == o.staff || same_division {
            return Err(AppError::invalid("self_rating", "token"));
        }
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
            comment.as_str(), rater_name, rater_contact, rater.map(|u| u.id), bad, state, who.now
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
    Ok(Rated { id, bad_review: bad })
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
        rater_name: if show_rater { Some(r.text("rater_name")?) } else { None },
        rater_contact: if show_rater { Some(r.text("rater_contact")?) } else { None },
        created_at: r.int("created_at")?,
    })
}

/// A member's own ratings, newest first (raters are not shown).
pub fn of_staff(tx: &mut Tx<'_>, staff: i64, limit: i64) -> AppResult<Vec<Rating>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE r.staff_id = $1 ORDER BY r.id DESC LIMIT $2");
    tx.query(&sql, params![staff, limit.clamp(1, 500)])?.iter().map(|r| from_row(r, false)).collect()
}
