//! Which records of a process an analysis covers: the period, the department and channel
//! asked for, and only what the caller may see. Each mechanism declares, per process kind,
//! where its records keep a department, a channel and a visibility, and how its records are
//! linked to other kinds' (a lead handed over as a task, a task of a matter) for the
//! object-centric log.

use crate::kernel::access::{self, CurrentUser};
use crate::kernel::db::Where;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::{self, Lang};

/// What the kernel knows of one process kind's records beyond the workflow columns. The
/// SQL expressions are on the record, aliased `r`; "" where the kind has none.
#[derive(Debug)]
pub struct Facets {
    pub kind: &'static str,
    /// The id of the department responsible for the record.
    pub department: &'static str,
    /// The channel the record came in by, one of `channels`.
    pub channel: &'static str,
    pub channels: &'static [&'static str],
    /// Message id prefix naming a channel (`<prefix><code>`).
    pub channel_names: &'static str,
    /// `public`, `internal` or `confidential`; "" when every record is internal.
    pub visibility: &'static str,
    pub links: &'static [Link],
}

/// Records of this kind linked to records of kind `to`.
#[derive(Debug)]
pub struct Link {
    pub to: &'static str,
    /// How the object-centric log names the link.
    pub qualifier: &'static str,
    /// SQL selecting `source` (this kind's record id) and `target` (the other's).
    pub sql: &'static str,
}

impl Facets {
    /// A kind whose records have a responsible department (an expression on `r`) and no
    /// channel, visibility or links.
    pub const fn by_department(kind: &'static str, department: &'static str) -> Facets {
        Facets { kind, department, channel: "", channels: &[], channel_names: "", visibility: "", links: &[] }
    }

    /// A channel's name in `lang`.
    pub fn channel_name(&self, lang: Lang, code: &str) -> String {
        i18n::lookup(lang, &format!("{}{code}", self.channel_names)).unwrap_or(code).to_owned()
    }
}

/// The records an analysis covers, beyond the period.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub facets: Option<&'static Facets>,
    pub department: Option<i64>,
    pub channel: Option<String>,
    /// Whose sight bounds the records; `None` for the system's own work.
    pub caller: Option<CurrentUser>,
}

impl Scope {
    /// The scope `caller` asked for on kind `facets`, refusing a filter the kind cannot take.
    pub fn asked(
        facets: Option<&'static Facets>,
        department: Option<i64>,
        channel: Option<String>,
        caller: Option<CurrentUser>,
    ) -> AppResult<Scope> {
        let has = |pick: fn(&Facets) -> &'static str| facets.is_some_and(|f| !pick(f).is_empty());
        if department.is_some() && !has(|f| f.department) {
            return Err(AppError::invalid("pa_not_filterable", "department"));
        }
        if let Some(c) = &channel
            && !facets.is_some_and(|f| !f.channel.is_empty() && f.channels.contains(&c.as_str()))
        {
            return Err(AppError::invalid("pa_not_filterable", "channel"));
        }
        Ok(Scope { facets, department, channel, caller })
    }

    /// The same records' sight for another kind (links to records of `facets`).
    pub fn for_kind(&self, facets: Option<&'static Facets>) -> Scope {
        Scope { facets, department: None, channel: None, caller: self.caller.clone() }
    }

    /// Add the scope's conditions on the record `r` to `w`.
    pub fn restrict(&self, w: &mut Where) {
        let Some(f) = self.facets else { return };
        if let (Some(d), false) = (self.department, f.department.is_empty()) {
            w.and(&format!("{} = ?", f.department), d);
        }
        if let (Some(c), false) = (&self.channel, f.channel.is_empty()) {
            w.and(&format!("{} = ?", f.channel), c.clone());
        }
        if let (Some(user), false) = (&self.caller, f.visibility.is_empty()) {
            let owner = if f.department.is_empty() { "NULL" } else { f.department };
            access::restrict_visible(Some(user), w, f.visibility, owner);
        }
    }
}
