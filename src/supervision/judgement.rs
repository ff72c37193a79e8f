//! The reporter's judgement of a lead's outcome (满意度): given once, by tracking token,
//! after the outcome is published. A dissatisfied reporter's comment goes to the
//! supervision office.

use serde::Deserialize;

use super::leads::{self, PublicLead, opt_plain};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::notify::{self, Note};
use crate::kernel::workflow::Process;
use crate::params;

/// The judgements, by code (named by `sv-judgement-<code>`); the first two count as
/// satisfied.
pub const JUDGEMENTS: [&str; 3] = ["satisfied", "basically_satisfied", "dissatisfied"];

pub fn counts_as_satisfied(judgement: &str) -> bool {
    judgement == "satisfied" || judgement == "basically_satisfied"
}

/// The handling lead has a published outcome.
pub fn resolved(state: &str) -> bool {
    state == "notified" || state == "closed"
}

pub fn name(code: &str, lang: crate::kernel::i18n::Lang) -> String {
    crate::kernel::i18n::lookup(lang, &format!("sv-judgement-{code}")).unwrap_or(code).to_owned()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct JudgementInput {
    /// satisfied, basically_satisfied or dissatisfied.
    pub judgement: String,
    /// Why, in the reporter's words (at most 500 characters).
    #[serde(default)]
    pub comment: String,
}

pub fn judge(
    tx: &mut Tx<'_>,
    who: &Who,
    process: &Process,
    token: &str,
    input: &JudgementInput,
) -> AppResult<PublicLead> {
    if !JUDGEMENTS.contains(&input.judgement.as_str()) {
        return Err(AppError::invalid("bad_value", "judgement"));
    }
    let comment = opt_plain(&input.comment, "comment", 500)?;
    let lead = leads::by_token(tx, token)?;
    if lead.judgement.is_some() {
        return Err(AppError::Conflict { code: "already_judged", field: Some("judgement") });
    }
    let handler = match lead.primary_id {
        Some(p) => leads::find(tx, p)?,
        None => lead.clone(),
    };
    if !resolved(&handler.state) {
        return Err(AppError::Conflict { code: "not_resolved", field: Some("judgement") });
    }
    let changed = tx.execute(
        "UPDATE leads SET reporter_judgement = $1, judgement_comment = $2, judged_at = $3 \
         WHERE id = $4 AND reporter_judgement IS NULL",
        params![input.judgement.as_str(), comment.as_str(), who.now, lead.id],
    )?;
    if changed == 0 {
        return Err(AppError::Conflict { code: "already_judged", field: Some("judgement") });
    }
    audit::record(
        tx,
        who,
        Change::updated(
            "judge",
            "lead",
            lead.id,
            &serde_json::json!({ "judgement": null }),
            &serde_json::json!({ "judgement": input.judgement, "comment": comment }),
        ),
    )?;
    if input.judgement == "dissatisfied" {
        let office = leads::office_users(tx)?;
        notify::send(
            tx,
            who,
            &office,
            &Note {
                kind: "lead_dissatisfied",
                message: "sv-note-dissatisfied",
                params: vec![("id", lead.id.to_string().into())],
                body: comment,
                link: format!("/supervision/leads/{}", handler.id),
            },
        )?;
    }
    let lead = leads::find(tx, lead.id)?;
    leads::public_view(tx, &lead, process)
}
