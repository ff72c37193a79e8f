//! Which leads a person sees: the one place it is decided, for lists, a lead's page and
//! search. The supervision office sees every lead; a unit the leads transferred to it;
//! each channel's office (the department holding the desk `channel:<code>`) the leads of
//! its channel, and the discipline commission (the party channel's office) also every
//! lead transferred to it; leaders every lead that is not confidential. Channels' offices
//! do not see each other's leads, and a lead sent to the discipline commission is seen by
//! it, the office and the unit only.

use crate::kernel::access::{self, CurrentUser, Visibility};
use crate::kernel::db::{Tx, Where};
use crate::kernel::error::AppResult;

/// The channels that have an office of their own (the public files for itself).
pub const OFFICE_CHANNELS: [&str; 5] = ["party", "congress", "cppcc", "government", "media"];

/// The desk of a channel's office.
pub fn desk(channel: &str) -> String {
    format!("channel:{channel}")
}

/// What one person may see of the leads.
#[derive(Debug, Clone, Default)]
pub struct Sight {
    office: bool,
    leader: bool,
    unit: Option<i64>,
    channels: Vec<String>,
}

/// The parts of a lead that decide who sees it.
pub struct Seen<'a> {
    pub channel: &'a str,
    pub unit: Option<i64>,
    pub to_discipline: bool,
    pub visibility: Visibility,
}

pub fn of(tx: &mut Tx<'_>, user: &CurrentUser) -> AppResult<Sight> {
    let government = user.role.is_government();
    let desks = if government { access::desks_of(tx, user.department_id)? } else { Vec::new() };
    Ok(Sight {
        office: super::leads::is_office(user),
        leader: user.role == access::Role::Leader,
        unit: user.department_id.filter(|_| government),
        channels: desks.iter().filter_map(|d| d.strip_prefix("channel:")).map(str::to_owned).collect(),
    })
}

impl Sight {
    /// How much of the reporter of `l` (a lead this person sees) they may know: the
    /// supervision office all of it; on a protected lead the discipline commission (the
    /// party channel's office) all of it and everyone else nothing; otherwise the name
    /// and a masked contact.
    pub fn reporter(&self, l: &super::leads::Lead) -> super::leads::ReporterSight {
        use super::leads::ReporterSight;
        let commission = self.channels.iter().any(|c| c == "party");
        match (self.office, l.protects_reporter()) {
            (true, _) => ReporterSight::Full,
            (false, true) if commission => ReporterSight::Full,
            (false, true) => ReporterSight::Withheld,
            (false, false) => ReporterSight::Masked,
        }
    }

    pub fn sees(&self, l: &Seen<'_>) -> bool {
        self.office
            || (self.unit.is_some() && l.unit == self.unit)
            || (self.leader && l.visibility != Visibility::Confidential)
            || self.channels.iter().any(|c| {
                if c == "party" { l.channel == "party" || l.to_discipline } else { l.channel == c && !l.to_discipline }
            })
    }

    /// Restrict a query over `leads l` to what [`Sight::sees`].
    pub fn restrict(&self, w: &mut Where) {
        if self.office {
            return;
        }
        let mut any = Vec::new();
        if let Some(d) = self.unit {
            any.push(format!("l.unit_department_id = {}", w.push(d)));
        }
        if self.leader {
            any.push("l.visibility <> 'confidential'".to_owned());
        }
        for c in &self.channels {
            let code = w.push(c.clone());
            any.push(if c == "party" {
                format!("(l.channel = {code} OR l.to_discipline = 1)")
            } else {
                format!("(l.channel = {code} AND l.to_discipline = 0)")
            });
        }
        if any.is_empty() {
            w.and_sql("1 = 0");
        } else {
            w.and_sql(&format!("({})", any.join(" OR ")));
        }
    }

    /// Whether this person may register a lead of `channel`: the office any, a channel's
    /// office its own; the public files through public intake.
    pub fn may_file(&self, channel: &str) -> bool {
        self.office || self.channels.iter().any(|c| c == channel)
    }
}

/// The search keys of a lead (see [`access::search_keys`]), matching [`Sight::sees`].
pub fn search_keys(l: &Seen<'_>) -> Vec<String> {
    let mut keys = vec!["office".to_owned()];
    if let Some(d) = l.unit {
        keys.push(format!("dept:{d}"));
    }
    if l.visibility != Visibility::Confidential {
        keys.push("leader".to_owned());
    }
    if l.to_discipline {
        keys.push(format!("desk:{}", desk("party")));
    } else {
        keys.push(format!("desk:{}", desk(l.channel)));
    }
    if l.channel == "party" {
        keys.push(format!("desk:{}", desk("party")));
    }
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sight(office: bool, leader: bool, unit: Option<i64>, channels: &[&str]) -> Sight {
        Sight { office, leader, unit, channels: channels.iter().map(|c| (*c).to_owned()).collect() }
    }

    #[test]
    fn each_channels_office_sees_its_own_and_the_commission_what_is_sent_to_it() {
        let lead = |channel, to_discipline, visibility| Seen { channel, unit: Some(9), to_discipline, visibility };
        let congress = sight(false, false, Some(3), &["congress"]);
        let commission = sight(false, false, Some(4), &["party"]);
        let leader = sight(false, true, None, &[]);
        let cases = [
            (lead("congress", false, Visibility::Internal), [true, false, true]),
            (lead("cppcc", false, Visibility::Internal), [false, false, true]),
            (lead("congress", true, Visibility::Confidential), [false, true, false]),
            (lead("party", false, Visibility::Confidential), [false, true, false]),
        ];
        for (l, [c, d, s]) in cases {
            assert_eq!(congress.sees(&l), c, "人大 {}", l.channel);
            assert_eq!(commission.sees(&l), d, "纪委 {}", l.channel);
            assert_eq!(leader.sees(&l), s, "leader {}", l.channel);
            assert!(sight(true, false, None, &[]).sees(&l) && sight(false, false, Some(9), &[]).sees(&l));
            // Search finds what the page shows.
            let found = |who: &[String]| search_keys(&l).iter().any(|k| who.contains(k));
            assert_eq!(found(&["desk:channel:congress".to_owned()]), c);
            assert_eq!(found(&["desk:channel:party".to_owned()]), d);
            assert_eq!(found(&["leader".to_owned()]), s);
        }
        assert!(congress.may_file("congress") && !congress.may_file("cppcc") && !congress.may_file("party"));
    }
}
