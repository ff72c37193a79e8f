//! Photos a reporter attaches to a lead. Where the photo was taken is removed unless the
//! reporter keeps it; a photo is shown to the public (and to Open311 clients as
//! `media_url`) exactly when its lead is.

use std::collections::HashMap;

use crate::kernel::access;
use crate::kernel::attachments::{self, Attachment};
use crate::kernel::audit::Who;
use crate::kernel::db::{Tx, id_list};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::images;

/// The attachments' owner kind for a lead's photos.
const OWNER: &str = "lead_photo";

/// Attach a photo to lead `lead`, without its location unless `keep_location`.
pub fn attach(tx: &mut Tx<'_>, who: &Who, lead: i64, name: &str, bytes: &[u8], keep_location: bool) -> AppResult<i64> {
    if !images::is_photo(bytes) {
        return Err(AppError::invalid("photo_type", "photo"));
    }
    let kept = if keep_location {
        bytes.to_vec()
    } else {
        images::without_exif(bytes).ok_or_else(|| AppError::invalid("photo_type", "photo"))?
    };
    Ok(attachments::store(tx, who, OWNER, lead, name, &kept)?.id)
}

/// The first photo of each of `leads` that has one, by lead.
pub fn first_of(tx: &mut Tx<'_>, leads: &[i64]) -> AppResult<HashMap<i64, i64>> {
    if leads.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT owner_id, MIN(id) AS photo FROM attachments WHERE owner_kind = '{OWNER}' AND owner_id IN ({}) GROUP BY owner_id",
        id_list(leads)
    );
    tx.query(&sql, &[])?.iter().map(|r| Ok((r.int("owner_id")?, r.int("photo")?))).collect()
}

/// A photo as anyone may see it: only a lead's photo, and only while the lead itself is
/// public.
pub fn public(tx: &mut Tx<'_>, id: i64) -> AppResult<(Attachment, Vec<u8>)> {
    let a = attachments::find(tx, id)?;
    if a.owner_kind != OWNER {
        return Err(AppError::NotFound);
    }
    let lead = super::leads::find(tx, a.owner_id)?;
    access::require_visible(None, lead.visibility, lead.unit_department_id)?;
    let bytes = attachments::content(tx, id)?;
    Ok((a, bytes))
}
