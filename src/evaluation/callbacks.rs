//! 回访 confirmed by the rater. Once the unit reports a bad review rectified, the rater
//! is asked whether they are satisfied with the rectification: in their inbox when they
//! rated from an account, or by a link and a one-time code sent to the phone or e-mail
//! the invitation went to. Their answer moves the review on (resolved, or back to
//! rectification); the rated unit cannot give it. A rater who cannot be reached is called
//! by a reviewer from outside the division, who records the answer.

use serde::{Deserialize, Serialize};

use super::bad_reviews;
use super::ratings::{Holder, Rater, check_holder, code_digest, one_time_code};
use crate::kernel::audit::Who;
use crate::kernel::crypto::{self, random_hex, secret_digest};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::{Lang, t_args};
use crate::kernel::notify::{self, Note};
use crate::kernel::workflow::{Fired, Rules};
use crate::params;

/// Days a call-back link stays open.
const OPEN_DAYS: i64 = 15;

/// Ask the rater of bad review `rating` about the rectification reported as `fix`;
/// whether anyone could be asked (if not, a reviewer calls).
pub fn send(tx: &mut Tx<'_>, who: &Who, rating: i64, fix: &str, base: &str) -> AppResult<bool> {
    let r = tx.query_one(
        "SELECT i.served_user_id, i.reply_channel, i.reply_address, u.display_name, i.summary \
         FROM ratings r JOIN interactions i ON i.id = r.interaction_id JOIN users u ON u.id = r.staff_id WHERE r.id = $1",
        params![rating],
    )?;
    let (served, channel, address) = (r.opt_int(0)?, r.text(1)?, crypto::open(&r.text(2)?)?);
    let (staff, summary) = (r.text(3)?, r.text(4)?);
    let channel: Option<&'static str> = match channel.as_str() {
        "email" => Some("email"),
        "sms" => Some("sms"),
        _ => None,
    };
    if served.is_none() && (channel.is_none() || address.is_empty()) {
        return Ok(false);
    }
    let token = random_hex(16)?;
    let token_hash = secret_digest(token.as_bytes());
    let code = if served.is_none() { Some(one_time_code()?) } else { None };
    let code_hash = code.as_deref().map(|c| code_digest(&token_hash, c)).unwrap_or_default();
    tx.execute(
        "INSERT INTO callbacks (rating_id, token_hash, code_hash, fix, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        params![rating, token_hash.as_str(), code_hash.as_str(), fix, who.now + OPEN_DAYS * 86_400_000, who.now],
    )?;
    let path = format!("/rate/callback/{token}");
    match (served, channel, &code) {
        (Some(user), _, _) => {
            notify::send(
                tx,
                who,
                &[user],
                &Note {
                    kind: "rating",
                    message: "ev-note-callback",
                    params: vec![("summary", summary.as_str().into())],
                    body: fix.to_owned(),
                    link: path,
                },
            )?;
        }
        (None, Some(channel), Some(code)) => {
            let link = format!("{}{path}", base.trim_end_matches('/'));
            let args = [
                ("name", staff.as_str()),
                ("summary", summary.as_str()),
                ("link", link.as_str()),
                ("code", code.as_str()),
            ];
            let subject = t_args(Lang::Zh, "ev-callback-subject", &args);
            let body = t_args(Lang::Zh, "ev-callback-body", &args);
            notify::send_direct(tx, who, channel, &address, &subject, &body)?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// What the rater is asked about.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Asked {
    pub staff_name: String,
    pub summary: String,
    /// The rectification the unit reported.
    pub fix: String,
    /// Whether the one-time code sent with the link is needed.
    pub needs_code: bool,
}

struct Open {
    id: i64,
    rating: i64,
    interaction: i64,
    staff: i64,
    division: Option<i64>,
    served: Option<i64>,
    code_hash: String,
    code_failures: i64,
    asked: Asked,
}

fn open(tx: &mut Tx<'_>, token: &str, now: i64) -> AppResult<Open> {
    let r = tx
        .query_opt(
            "SELECT c.id, c.rating_id, r.interaction_id, r.staff_id, r.division_id, i.served_user_id, c.code_hash, \
             c.code_failures, u.display_name, i.summary, c.fix, c.answered_at, c.expires_at, r.state \
             FROM callbacks c JOIN ratings r ON r.id = c.rating_id JOIN interactions i ON i.id = r.interaction_id \
             JOIN users u ON u.id = r.staff_id WHERE c.token_hash = $1",
            params![secret_digest(token.trim().as_bytes())],
        )?
        .ok_or_else(|| AppError::invalid("callback_unknown", "token"))?;
    if r.opt_int(11)?.is_some() || r.text(13)? != "called_back" {
        return Err(AppError::Conflict { code: "callback_answered", field: Some("token") });
    }
    if r.int(12)? <= now {
        return Err(AppError::Conflict { code: "invitation_expired", field: Some("token") });
    }
    let code_hash = r.text(6)?;
    Ok(Open {
        id: r.int(0)?,
        rating: r.int(1)?,
        interaction: r.int(2)?,
        staff: r.int(3)?,
        division: r.opt_int(4)?,
        served: r.opt_int(5)?,
        code_failures: r.int(7)?,
        asked: Asked {
            staff_name: r.text(8)?,
            summary: r.text(9)?,
            fix: r.text(10)?,
            needs_code: !code_hash.is_empty(),
        },
        code_hash,
    })
}

/// What the page behind a call-back link shows.
pub fn asked(tx: &mut Tx<'_>, token: &str, now: i64) -> AppResult<Asked> {
    Ok(open(tx, token, now)?.asked)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Answer {
    pub token: String,
    /// The one-time code sent with the link (not needed in the inbox).
    #[serde(default)]
    pub code: String,
    #[serde(deserialize_with = "crate::kernel::web::de::flag")]
    pub satisfied: bool,
    #[serde(default)]
    pub comment: String,
}

/// The rater's answer: the review is resolved or goes back to rectification. The outer
/// error changes nothing; the inner one is a refusal that is kept (an answer from the
/// rated division, or a wrong code counted against the link).
pub fn answer(
    tx: &mut Tx<'_>,
    who: &Who,
    rater: &Rater,
    input: &Answer,
    rules: &Rules,
) -> AppResult<Result<Fired, AppError>> {
    let o = open(tx, &input.token, who.now)?;
    let comment = crate::kernel::validate::opt_text(Some(&input.comment), "comment", 1000)?.unwrap_or_default();
    let holder = Holder {
        interaction: o.interaction,
        staff: o.staff,
        division: o.division,
        served: o.served,
        token: &input.token,
        code: &input.code,
        code_hash: &o.code_hash,
        code_failures: o.code_failures,
        counted_in: ("callbacks", o.id),
        audited_as: ("callback", o.id),
    };
    if let Some(refused) = check_holder(tx, who, rater, "", &holder)? {
        return Ok(Err(refused));
    }
    let spent = tx.execute(
        "UPDATE callbacks SET answered_at = $1, satisfied = $2, comment = $3 WHERE id = $4 AND answered_at IS NULL",
        params![who.now, i64::from(input.satisfied), comment.as_str(), o.id],
    )?;
    if spent != 1 {
        return Err(AppError::Conflict { code: "callback_answered", field: Some("token") });
    }
    let (transition, verdict) = if input.satisfied {
        ("rater_satisfied", "评价人认可整改")
    } else {
        ("rater_unsatisfied", "评价人不认可整改")
    };
    let note = if comment.is_empty() { verdict.to_owned() } else { format!("{verdict}：{comment}") };
    Ok(Ok(bad_reviews::fire_as_rater(tx, who, rules, o.rating, transition, &note)?))
}
