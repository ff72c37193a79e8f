//! Who may do what: every permission decision of the service is made here, from the
//! caller's role and department and the record's visibility and owning department.

use serde::{Deserialize, Serialize};

use super::audit::Who;
use super::db::{Tx, Where};
use super::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
    Leader,
    DeptHead,
    DivisionHead,
    Staff,
    Enterprise,
    Evaluator,
    LawFirm,
    Association,
    Supervisor,
    Public,
}

impl Role {
    pub const ALL: [Role; 13] = [
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
        Role::Leader,
        Role::DeptHead,
        Role::DivisionHead,
        Role::Staff,
        Role::Enterprise,
        Role::Evaluator,
        Role::LawFirm,
        Role::Association,
        Role::Supervisor,
        Role::Public,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
            Role::Leader => "leader",
            Role::DeptHead => "dept_head",
            Role::DivisionHead => "division_head",
            Role::Staff => "staff",
            Role::Enterprise => "enterprise",
            Role::Evaluator => "evaluator",
            Role::LawFirm => "law_firm",
            Role::Association => "association",
            Role::Supervisor => "supervisor",
            Role::Public => "public",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// i18n key of the role's name.
    pub fn label_key(self) -> String {
        format!("role-{}", self.as_str())
    }

    /// Inside government: sees internal records.
    pub fn is_government(self) -> bool {
        matches!(self, Role::Leader | Role::DeptHead | Role::DivisionHead | Role::Staff | Role::Supervisor)
    }

    /// One of the three administrators (三员分立): each keeps the system, its security
    /// or its audit trail, and none reads business records.
    pub fn is_administrator(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin)
    }

    /// Roles whose account must name a department.
    pub fn needs_department(self) -> bool {
        matches!(self, Role::DeptHead | Role::DivisionHead | Role::Staff)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Public,
    Internal,
    Confidential,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [Visibility::Public, Visibility::Internal, Visibility::Confidential];
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Internal => "internal",
            Visibility::Confidential => "confidential",
        }
    }
    pub fn parse(s: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The signed-in user, as resolved for this request.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub division_id: Option<i64>,
}

/// Who holds a permission, by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Every signed-in user.
    Anyone,
    /// Users inside government (they see internal records).
    Government,
    /// Exactly these roles.
    Roles(&'static [Role]),
}

impl Rule {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Rule::Anyone => true,
            Rule::Government => role.is_government(),
            Rule::Roles(roles) => roles.contains(&role),
        }
    }
}

/// What a caller wants to do, independent of any one record: a named permission and
/// the roles that hold it. The foundation's are below; each mechanism declares its own
/// beside its code (`impl Action { pub const ViewLeads: Action = … }`), so this module
/// keeps only roles, visibility and department scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    pub name: &'static str,
    pub rule: Rule,
}

/// Government and the system administrator.
const GOVERNMENT_AND_SYSTEM: Rule =
    Rule::Roles(&[Role::Leader, Role::DeptHead, Role::DivisionHead, Role::Staff, Role::Supervisor, Role::SystemAdmin]);

/// Government and the system and security administrators, who keep accounts and
/// settings.
const GOVERNMENT_AND_KEEPERS: Rule = Rule::Roles(&[
    Role::Leader,
    Role::DeptHead,
    Role::DivisionHead,
    Role::Staff,
    Role::Supervisor,
    Role::SystemAdmin,
    Role::SecurityAdmin,
]);

#[allow(non_upper_case_globals)]
impl Action {
    pub const fn new(name: &'static str, rule: Rule) -> Action {
        Action { name, rule }
    }
    /// See the organisation: departments, divisions, posts.
    pub const ViewOrg: Action = Action::new("view_org", Rule::Anyone);
    /// See people and their posts.
    pub const ViewPeople: Action = Action::new("view_people", GOVERNMENT_AND_KEEPERS);
    /// Create, edit, move and deactivate organisation records.
    pub const ManageOrg: Action = Action::new("manage_org", Rule::Roles(&[Role::SystemAdmin]));
    /// See the accounts list and an account's page.
    pub const ViewUsers: Action = Action::new("view_users", Rule::Roles(&[Role::SystemAdmin, Role::SecurityAdmin]));
    /// Create accounts with a business role, edit, deactivate and reset their passwords.
    pub const ManageUsers: Action = Action::new("manage_users", Rule::Roles(&[Role::SystemAdmin]));
    /// Change an account's role (the administrators' roles among them) and clear lock-outs.
    pub const ManageRoles: Action = Action::new("manage_roles", Rule::Roles(&[Role::SecurityAdmin]));
    /// Read the audit trail and run its check.
    pub const ViewAudit: Action = Action::new("view_audit", Rule::Roles(&[Role::AuditAdmin, Role::Supervisor]));
    /// Own API tokens and password.
    pub const ManageOwnAccount: Action = Action::new("manage_own_account", Rule::Anyone);
    /// Add the next year's holiday notice.
    pub const ManageCalendar: Action = Action::new("manage_calendar", Rule::Roles(&[Role::SystemAdmin]));
    /// Read the process definitions and their diagrams.
    pub const ViewProcesses: Action = Action::new("view_processes", GOVERNMENT_AND_SYSTEM);
    /// Replace a process definition.
    pub const ManageProcesses: Action = Action::new("manage_processes", Rule::Roles(&[Role::SystemAdmin]));
    /// Read the mechanisms' settings.
    pub const ViewSettings: Action = Action::new("view_settings", GOVERNMENT_AND_KEEPERS);
    /// Change a setting: the security administrator those under `security.`, the system
    /// administrator the rest ([`may_set`]).
    pub const ManageSettings: Action =
        Action::new("manage_settings", Rule::Roles(&[Role::SystemAdmin, Role::SecurityAdmin]));
    /// See the outbox of e-mails and SMS (addresses included) and send a failed one again.
    pub const ManageDeliveries: Action = Action::new("manage_deliveries", Rule::Roles(&[Role::SystemAdmin]));
    /// Own notifications.
    pub const ReadInbox: Action = Action::new("read_inbox", Rule::Anyone);
    /// Full-text search (results limited by [`search_keys`]).
    pub const Search: Action = Action::new("search", Rule::Government);
    /// The search index's status and rebuild.
    pub const ManageSearch: Action = Action::new("manage_search", Rule::Roles(&[Role::SystemAdmin]));
    /// See the enterprise registry: government staff, and the system administrator, who
    /// keeps it as reference data beside the organisation.
    pub const ViewEnterprises: Action = Action::new("view_enterprises", GOVERNMENT_AND_SYSTEM);
    /// Record enterprises, correct them, and merge or unmerge duplicates.
    pub const ManageEnterprises: Action = Action::new("manage_enterprises", GOVERNMENT_AND_SYSTEM);
    /// An enterprise's account reads and corrects its own record.
    pub const CorrectOwnEnterprise: Action = Action::new("correct_own_enterprise", Rule::Roles(&[Role::Enterprise]));
}

pub fn allows(user: &CurrentUser, action: Action) -> bool {
    action.rule.allows(user.role)
}

/// Whether `actor` may create, edit, disable or reset the password of an account holding
/// `role`: the system administrator keeps the business accounts; administrators' own
/// accounts are kept on the host (`zaizao user`), so no administrator can lock another out.
pub fn require_account_duty(actor: &CurrentUser, role: Role) -> Result<(), AppError> {
    if actor.role == Role::SystemAdmin && !role.is_administrator() {
        Ok(())
    } else {
        Err(AppError::Refused { code: "not_your_duty" })
    }
}

/// The settings that are the security administrator's duty: passwords, lock-out and
/// sessions.
pub const SECURITY_SETTINGS_PREFIX: &str = "security.";

/// Whether `user` may change the setting `key`: the security policy is the security
/// administrator's, every other setting the system administrator's.
pub fn may_set(user: &CurrentUser, key: &str) -> bool {
    let duty = if key.starts_with(SECURITY_SETTINGS_PREFIX) { Role::SecurityAdmin } else { Role::SystemAdmin };
    user.role == duty
}

/// Require the duty of setting `key` (see [`may_set`]).
pub fn require_setting(user: Option<&CurrentUser>, key: &str) -> Result<(), AppError> {
    let user = require(user, Action::ManageSettings)?;
    if may_set(user, key) { Ok(()) } else { Err(AppError::Refused { code: "not_your_duty" }) }
}

/// Whether `user` (or an anonymous caller) may see a record with this visibility and
/// owning department.
pub fn can_see(user: Option<&CurrentUser>, visibility: Visibility, owner_department: Option<i64>) -> bool {
    match visibility {
        Visibility::Public => true,
        Visibility::Internal => user.is_some_and(|u| u.role.is_government()),
        Visibility::Confidential => user.is_some_and(|u| {
            u.role == Role::Leader
                || (u.role.is_government() && owner_department.is_some() && u.department_id == owner_department)
        }),
    }
}

/// Whether `user` keeps the organisation (departments, divisions, posts, people): the
/// system administrator sees all of its records, whatever their visibility.
fn keeps_org(user: Option<&CurrentUser>) -> bool {
    user.is_some_and(|u| allows(u, Action::ManageOrg))
}

/// [`can_see`] for the organisation's own records ([`keeps_org`]).
pub fn can_see_org(user: Option<&CurrentUser>, visibility: Visibility, owner_department: Option<i64>) -> bool {
    keeps_org(user) || can_see(user, visibility, owner_department)
}

/// [`require_visible`] for the organisation's own records ([`keeps_org`]).
pub fn require_visible_org(
    user: Option<&CurrentUser>,
    visibility: Visibility,
    owner_department: Option<i64>,
) -> Result<(), AppError> {
    if keeps_org(user) { Ok(()) } else { require_visible(user, visibility, owner_department) }
}

/// [`restrict_visible`] for the organisation's own records ([`keeps_org`]).
pub fn restrict_visible_org(user: Option<&CurrentUser>, w: &mut Where, vis_col: &str, dept_col: &str) {
    if !keeps_org(user) {
        restrict_visible(user, w, vis_col, dept_col);
    }
}

/// Restrict a list query to the records `user` may see.
pub fn restrict_visible(user: Option<&CurrentUser>, w: &mut Where, vis_col: &str, dept_col: &str) {
    match user {
        Some(u) if u.role == Role::Leader => {}
        Some(u) if u.role.is_government() => match u.department_id {
            Some(d) => {
                w.and(&format!("({vis_col} IN ('public', 'internal') OR {dept_col} = ?)"), d);
            }
            None => {
                w.and_sql(&format!("{vis_col} IN ('public', 'internal')"));
            }
        },
        _ => {
            w.and_sql(&format!("{vis_col} = 'public'"));
        }
    }
}

/// Like [`restrict_visible`], but records the caller is involved in (`involved`, a
/// condition in which `?1` is the caller's id) are always visible.
pub fn restrict_visible_or_involved(user: &CurrentUser, w: &mut Where, vis_col: &str, dept_col: &str, involved: &str) {
    if user.role == Role::Leader {
        return;
    }
    let dept = user.department_id.unwrap_or(-1);
    let levels = if user.role.is_government() { "'public', 'internal'" } else { "'public'" };
    let cond = format!("({vis_col} IN ({levels}) OR ({dept_col} = ?2 AND ?3 = 1) OR {involved})");
    w.and_args(&cond, vec![user.id.into(), dept.into(), i64::from(user.role.is_government()).into()]);
}

/// Check that a caller may see one record, or is involved in it.
pub fn require_visible_or_involved(
    user: Option<&CurrentUser>,
    visibility: Visibility,
    owner_department: Option<i64>,
    involved: bool,
) -> Result<(), AppError> {
    if involved { Ok(()) } else { require_visible(user, visibility, owner_department) }
}

/// The access keys a search runs with: a document is found only when it carries one of
/// them. The keys mirror
/// [`restrict_visible_or_involved`] for records with a visibility, the office rule
/// (supervision office, the responsible unit, leaders) and the desks the caller's
/// department holds ([`desks_of`]).
pub fn search_keys(user: &CurrentUser, desks: &[String]) -> Option<Vec<String>> {
    let mut keys = vec![format!("user:{}", user.id)];
    if user.role.is_government() {
        keys.push("gov".into());
        if let Some(d) = user.department_id {
            keys.push(format!("dept:{d}"));
        }
        keys.extend(desks.iter().map(|d| format!("desk:{d}")));
    }
    match user.role {
        Role::Supervisor => keys.push("office".into()),
        Role::Leader => keys.push("leader".into()),
        _ => {}
    }
    Some(keys)
}

/// The desks `department` holds (see the `department_desks` table).
pub fn desks_of(tx: &mut Tx<'_>, department: Option<i64>) -> AppResult<Vec<String>> {
    let Some(d) = department else { return Ok(Vec::new()) };
    tx.query("SELECT desk FROM department_desks WHERE department_id = $1 ORDER BY desk", crate::params![d])?
        .iter()
        .map(|r| Ok(r.text(0)?))
        .collect()
}

/// The department holding each of `desks`, where one does.
pub fn desk_holders(tx: &mut Tx<'_>, desks: &[&str]) -> AppResult<Vec<(String, Option<i64>)>> {
    let mut out = Vec::new();
    for &desk in desks {
        let holder =
            tx.query_opt("SELECT department_id FROM department_desks WHERE desk = $1", crate::params![desk])?;
        out.push((desk.to_owned(), holder.map(|r| r.int(0)).transpose()?));
    }
    Ok(out)
}

/// Give `desk` to `department`, or take it away with `None`.
pub fn set_desk(tx: &mut Tx<'_>, who: &Who, desk: &str, department: Option<i64>) -> AppResult<()> {
    let before = tx
        .query_opt("SELECT department_id FROM department_desks WHERE desk = $1", crate::params![desk])?
        .map(|r| r.int(0))
        .transpose()?;
    tx.execute("DELETE FROM department_desks WHERE desk = $1", crate::params![desk])?;
    if let Some(d) = department {
        tx.query_opt("SELECT id FROM departments WHERE id = $1 AND active = 1", crate::params![d])?
            .ok_or_else(|| AppError::invalid("unknown_department", "department_id"))?;
        tx.execute(
            "INSERT INTO department_desks (desk, department_id, updated_by, updated_at) VALUES ($1, $2, $3, $4)",
            crate::params![desk, d, who.actor.as_str(), who.now],
        )?;
    }
    crate::kernel::audit::record(
        tx,
        who,
        crate::kernel::audit::Change {
            action: "set_desk",
            kind: "department_desk",
            id: department,
            before: Some(serde_json::json!({ "desk": desk, "department_id": before })),
            after: Some(serde_json::json!({ "desk": desk, "department_id": department })),
        },
    )
}

/// Access keys of a record with a visibility, an owning department and the people
/// involved in it (see [`search_keys`]).
pub fn record_search_keys(visibility: Visibility, owner_department: Option<i64>, involved: &[i64]) -> Vec<String> {
    let mut keys: Vec<String> = involved.iter().map(|u| format!("user:{u}")).collect();
    keys.push("leader".into());
    if visibility != Visibility::Confidential {
        keys.push("gov".into());
    }
    if let Some(d) = owner_department {
        keys.push(format!("dept:{d}"));
    }
    keys
}

/// Access keys of a record handled by an office (a role's desk, e.g. the supervision
/// office) and the department responsible for it.
pub fn office_search_keys(unit_department: Option<i64>) -> Vec<String> {
    let mut keys = vec!["office".to_string(), "leader".to_string()];
    if let Some(d) = unit_department {
        keys.push(format!("dept:{d}"));
    }
    keys
}

/// Require a signed-in user allowed to do `action`.
pub fn require(user: Option<&CurrentUser>, action: Action) -> Result<&CurrentUser, AppError> {
    let user = user.ok_or(AppError::Unauthenticated)?;
    if allows(user, action) { Ok(user) } else { Err(AppError::Forbidden) }
}

/// Check that a caller may see one record; existence of a hidden record is not revealed.
pub fn require_visible(
    user: Option<&CurrentUser>,
    visibility: Visibility,
    owner_department: Option<i64>,
) -> Result<(), AppError> {
    if can_see(user, visibility, owner_department) { Ok(()) } else { Err(AppError::NotFound) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, dept: Option<i64>) -> CurrentUser {
        CurrentUser {
            id: 1,
            username: "u".into(),
            display_name: "u".into(),
            role,
            department_id: dept,
            division_id: None,
        }
    }

    #[test]
    fn confidential_records_stay_in_their_department() {
        let own = user(Role::Staff, Some(7));
        let other = user(Role::Staff, Some(8));
        assert!(can_see(Some(&own), Visibility::Confidential, Some(7)));
        assert!(!can_see(Some(&other), Visibility::Confidential, Some(7)));
        assert!(can_see(Some(&user(Role::Leader, None)), Visibility::Confidential, Some(7)));
        assert!(!can_see(Some(&user(Role::Enterprise, Some(7))), Visibility::Confidential, Some(7)));
    }

    #[test]
    fn outsiders_see_only_public() {
        let ent = user(Role::Enterprise, None);
        assert!(can_see(Some(&ent), Visibility::Public, None));
        assert!(!can_see(Some(&ent), Visibility::Internal, None));
        assert!(!can_see(None, Visibility::Internal, None));
    }

    #[test]
    fn search_keys_match_what_lists_show() {
        let staff = user(Role::Staff, Some(7));
        let keys = search_keys(&staff, &[]).expect("restricted");
        let finds = |record: Vec<String>| record.iter().any(|k| keys.contains(k));
        assert!(finds(record_search_keys(Visibility::Internal, Some(8), &[])));
        assert!(!finds(record_search_keys(Visibility::Confidential, Some(8), &[2])));
        assert!(finds(record_search_keys(Visibility::Confidential, Some(7), &[])));
        assert!(finds(record_search_keys(Visibility::Confidential, Some(8), &[1])), "involved");
        assert!(!finds(office_search_keys(Some(8))), "another unit's lead");
        assert!(finds(office_search_keys(Some(7))));
        let office = search_keys(&user(Role::Supervisor, None), &[]).expect("restricted");
        assert!(office_search_keys(None).iter().any(|k| office.contains(k)));
        let leader = search_keys(&user(Role::Leader, None), &[]).expect("restricted");
        assert!(record_search_keys(Visibility::Confidential, Some(8), &[]).iter().any(|k| leader.contains(k)));
        let admin = search_keys(&user(Role::SystemAdmin, None), &[]).expect("restricted");
        assert!(!record_search_keys(Visibility::Public, Some(8), &[]).iter().any(|k| admin.contains(k)));
        let congress = search_keys(&staff, &["channel:congress".to_owned()]).expect("restricted");
        assert!(congress.contains(&"desk:channel:congress".to_owned()));
    }

    #[test]
    fn each_administrator_holds_only_their_duty() {
        for role in Role::ALL {
            let u = user(role, Some(1));
            assert_eq!(allows(&u, Action::ManageOrg), role == Role::SystemAdmin);
            assert_eq!(allows(&u, Action::ManageUsers), role == Role::SystemAdmin);
            assert_eq!(allows(&u, Action::ManageRoles), role == Role::SecurityAdmin);
            assert_eq!(allows(&u, Action::ViewAudit), matches!(role, Role::AuditAdmin | Role::Supervisor));
            assert_eq!(may_set(&u, "security.idle_minutes"), role == Role::SecurityAdmin);
            assert_eq!(may_set(&u, "evaluation.assessment_weight"), role == Role::SystemAdmin);
            if role.is_administrator() {
                assert!(!allows(&u, Action::Search));
                assert!(!can_see(Some(&u), Visibility::Internal, Some(1)));
            }
        }
    }
}
