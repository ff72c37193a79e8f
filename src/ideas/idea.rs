//! Ideas: what an enterprise proposes and the support it asks of government item by item,
//! saved as a draft, then submitted as numbered versions. After submission an idea is
//! changed only when the division asks for more. Who may see an idea, and which
//! relations a caller holds to it, is decided here and nowhere else.

use serde::{Deserialize, Serialize};

use crate::enterprises::registry as enterprises;
use crate::kernel::access::{CurrentUser, Role};
use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::i18n::Lang;
use crate::kernel::registry::WorkItem;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::kernel::workflow::{self, Deadlines, Fired, Firing, Light, Rules, Subject};
use crate::kernel::{clock, validate};
use crate::params;

/// The article's fields, and one for the rest.
pub const FIELDS: [&str; 5] = ["ocean", "manufacturing_ai", "fashion", "finance", "other"];
/// What an item asks of government.
pub const ITEM_KINDS: [&str; 7] = ["policy", "funding", "land", "talent", "finance", "service", "other"];
/// Transitions fired by hand; the others by the step that records what they need.
pub const BY_HAND: [&str; 4] = ["accept", "request_more", "decline", "withdraw"];
const MAX_ITEMS: usize = 30;

pub static DEADLINES: Deadlines = Deadlines {
    deadline: "deadline",
    reminded: "reminded_at",
    escalated: "escalated_at",
    only: "",
    title: "title",
    link: "/ideas/",
    recipients: deadline_recipients,
    noted: None,
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[schema(as = IdeaItem)]
pub struct Item {
    pub id: i64,
    /// `policy`, `funding`, `land`, `talent`, `finance`, `service` or `other`.
    pub kind: String,
    pub request: String,
    /// The amount asked, in fen, when it is money.
    pub amount_fen: Option<i64>,
    pub scope: String,
    pub department_id: i64,
    pub department_name: String,
    /// A business secret: never shown outside government, the enterprise and its evaluator.
    pub confidential: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Idea {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub field: String,
    pub industry: String,
    pub title: String,
    pub content: String,
    pub department_id: i64,
    pub department_name: String,
    pub state: String,
    /// The last submitted version (0 before the first submission).
    pub version: i64,
    /// The day more was asked by.
    pub more_due: Option<String>,
    /// The evaluator's deadline while it evaluates.
    pub deadline: Option<String>,
    pub light: Option<Light>,
    pub submitted_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ItemInput {
    pub kind: String,
    pub request: String,
    /// Yuan with at most two decimals, when money is asked.
    #[serde(default)]
    pub amount_yuan: Option<String>,
    #[serde(default)]
    pub scope: String,
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub department_id: i64,
    #[serde(default)]
    pub confidential: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct IdeaInput {
    /// `ocean`, `manufacturing_ai`, `fashion`, `finance` or `other`.
    pub field: String,
    pub industry: String,
    pub title: String,
    pub content: String,
    /// The department whose market-allocation promotion division handles it.
    #[serde(deserialize_with = "crate::kernel::web::de::id")]
    pub department_id: i64,
    #[serde(default)]
    pub items: Vec<ItemInput>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IdeaFilter {
    pub state: Option<String>,
    pub field: Option<String>,
    /// `waiting`: those waiting for the caller.
    pub scope: Option<String>,
}

const COLUMNS: &str = "i.id, i.enterprise_id, e.name AS enterprise_name, i.field, i.industry, i.title, i.content, \
    i.department_id, d.name AS department_name, i.state, i.version, i.more_due, i.deadline, i.submitted_at, \
    i.decided_at, i.created_at, i.updated_at";
const FROM: &str = "ideas i JOIN enterprises e ON e.id = i.enterprise_id JOIN departments d ON d.id = i.department_id";

fn from_row(r: &Row, rules: &Rules, today: chrono::NaiveDate) -> AppResult<Idea> {
    let state = r.text("state")?;
    let deadline = r.opt_text("deadline")?;
    let light = deadline.as_deref().and_then(|d| rules.process.light(&rules.calendar, &state, d, today));
    Ok(Idea {
        id: r.int("id")?,
        enterprise_id: r.int("enterprise_id")?,
        enterprise_name: r.text("enterprise_name")?,
        field: r.text("field")?,
        industry: r.text("industry")?,
        title: r.text("title")?,
        content: r.text("content")?,
        department_id: r.int("department_id")?,
        department_name: r.text("department_name")?,
        state,
        version: r.int("version")?,
        more_due: r.opt_text("more_due")?,
        deadline,
        light,
        submitted_at: r.opt_int("submitted_at")?,
        decided_at: r.opt_int("decided_at")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
        items: Vec::new(),
    })
}

pub fn items(tx: &mut Tx<'_>, idea: i64) -> AppResult<Vec<Item>> {
    tx.query(
        "SELECT t.id, t.kind, t.request, t.amount_fen, t.scope, t.department_id, d.name, t.confidential \
         FROM idea_items t JOIN departments d ON d.id = t.department_id WHERE t.idea_id = $1 ORDER BY t.position",
        params![idea],
    )?
    .iter()
    .map(|r| {
        Ok(Item {
            id: r.int(0)?,
            kind: r.text(1)?,
            request: r.text(2)?,
            amount_fen: r.opt_int(3)?,
            scope: r.text(4)?,
            department_id: r.int(5)?,
            department_name: r.text(6)?,
            confidential: r.bool(7)?,
        })
    })
    .collect()
}

/// An idea as stored, whoever asks: for the mechanism's own steps, after access is decided.
pub fn find(tx: &mut Tx<'_>, rules: &Rules, id: i64, now: i64) -> AppResult<Idea> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE i.id = $1");
    let row = tx.query_opt(&sql, params![id])?.ok_or(AppError::NotFound)?;
    let mut idea = from_row(&row, rules, clock::local_date(now))?;
    idea.items = items(tx, id)?;
    Ok(idea)
}

/// The registry record an organisation's account (an enterprise's, an evaluator's)
/// speaks for.
pub fn organisation_of(tx: &mut Tx<'_>, user: &CurrentUser) -> AppResult<Option<i64>> {
    if !matches!(user.role, Role::Enterprise | Role::Evaluator) {
        return Ok(None);
    }
    match enterprises::of_account(tx, user.id) {
        Ok(e) => Ok(Some(e.id)),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

pub use crate::org::divisions::market_division;

/// The institution whose commission on idea `id` is open.
fn open_evaluator(tx: &mut Tx<'_>, id: i64) -> AppResult<Option<i64>> {
    tx.query_opt("SELECT evaluator_id FROM idea_commissions WHERE idea_id = $1 AND state = 'open'", params![id])?
        .map(|r| r.int(0))
        .transpose()
        .map_err(Into::into)
}

/// The caller's relations to an idea.
pub fn relations(tx: &mut Tx<'_>, user: &CurrentUser, idea: &Idea) -> AppResult<Vec<&'static str>> {
    let mut r = Vec::new();
    let org = organisation_of(tx, user)?;
    match user.role {
        Role::Enterprise if org == Some(idea.enterprise_id) => r.push("enterprise"),
        Role::Evaluator if org.is_some() && open_evaluator(tx, idea.id)? == org => r.push("evaluator"),
        Role::DeptHead if user.department_id == Some(idea.department_id) => r.extend(["division", "division_head"]),
        Role::Staff | Role::DivisionHead if user.department_id == Some(idea.department_id) => {
            let division = market_division(tx, idea.department_id)?;
            if division.is_some() && user.division_id == division {
                r.push("division");
                if user.role == Role::DivisionHead {
                    r.push("division_head");
                }
            }
        }
        _ => {}
    }
    if user.role == Role::Leader {
        r.push("leader");
    }
    Ok(r)
}

/// The condition on `i` (ideas) that the caller may see them: the one place that decides.
fn visible(w: &mut Where, tx: &mut Tx<'_>, user: &CurrentUser) -> AppResult<()> {
    match user.role {
        Role::Leader => {}
        Role::Enterprise => {
            w.and("i.enterprise_id = ?", organisation_of(tx, user)?.unwrap_or(0));
        }
        Role::Evaluator => {
            let org = w.push(organisation_of(tx, user)?.unwrap_or(0));
            w.and_sql(&format!(
                "EXISTS (SELECT 1 FROM idea_commissions c WHERE c.idea_id = i.id AND c.evaluator_id = {org} \
                 AND c.state IN ('open', 'reported'))"
            ));
        }
        Role::Staff | Role::DivisionHead | Role::DeptHead => {
            let (d1, d2) = (w.push(user.department_id.unwrap_or(0)), w.push(user.department_id.unwrap_or(0)));
            w.and_sql(&format!(
                "i.state <> 'draft' AND (i.department_id = {d1} OR EXISTS (SELECT 1 FROM idea_items t \
                 WHERE t.idea_id = i.id AND t.department_id = {d2}))"
            ));
        }
        _ => {
            w.and_sql("1 = 0");
        }
    }
    Ok(())
}

/// Whether the caller may see idea `id`.
pub fn may_see(tx: &mut Tx<'_>, user: &CurrentUser, id: i64) -> AppResult<bool> {
    let mut w = Where::default();
    w.and("i.id = ?", id);
    visible(&mut w, tx, user)?;
    Ok(tx.query_opt(&format!("SELECT 1 FROM ideas i{}", w.sql), &w.args)?.is_some())
}

/// Idea `id` if the caller may see it (not found otherwise), with their relations to it.
pub fn get(
    tx: &mut Tx<'_>,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    now: i64,
) -> AppResult<(Idea, Vec<&'static str>)> {
    if !may_see(tx, user, id)? {
        return Err(AppError::NotFound);
    }
    let idea = find(tx, rules, id, now)?;
    let relations = relations(tx, user, &idea)?;
    Ok((idea, relations))
}

/// Record that the caller opened the idea (or its report): who, what and when, for the
/// division head. The enterprise opening its own idea is not recorded.
pub fn opened(tx: &mut Tx<'_>, user: &CurrentUser, id: i64, what: &str, now: i64) -> AppResult<()> {
    if user.role == Role::Enterprise {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO idea_opens (idea_id, what, user_id, at) VALUES ($1, $2, $3, $4)",
        params![id, what, user.id, now],
    )?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Opened {
    /// `idea` or `report`.
    pub what: String,
    pub name: String,
    pub role: String,
    pub at: i64,
}

/// Who opened idea `id` and its reports, latest first.
pub fn opens(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<Opened>> {
    tx.query(
        "SELECT o.what, u.display_name, u.role, o.at FROM idea_opens o JOIN users u ON u.id = o.user_id \
         WHERE o.idea_id = $1 ORDER BY o.id DESC LIMIT 200",
        params![id],
    )?
    .iter()
    .map(|r| Ok(Opened { what: r.text(0)?, name: r.text(1)?, role: r.text(2)?, at: r.int(3)? }))
    .collect()
}

struct Checked {
    field: String,
    industry: String,
    title: String,
    content: String,
    items: Vec<(ItemInput, Option<i64>)>,
}

fn check(tx: &mut Tx<'_>, input: &IdeaInput) -> AppResult<Checked> {
    if !FIELDS.contains(&input.field.as_str()) {
        return Err(AppError::invalid("bad_value", "field"));
    }
    department_exists(tx, input.department_id, "department_id")?;
    if input.items.len() > MAX_ITEMS {
        return Err(AppError::invalid("too_many", "items"));
    }
    let mut items = Vec::new();
    for item in &input.items {
        if !ITEM_KINDS.contains(&item.kind.as_str()) {
            return Err(AppError::invalid("bad_value", "items"));
        }
        let amount = match item.amount_yuan.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            Some(a) => Some(validate::yuan_to_fen(a, "items")?),
            None => None,
        };
        department_exists(tx, item.department_id, "items")?;
        let clean = ItemInput {
            kind: item.kind.clone(),
            request: validate::text(&item.request, "items", 1000)?,
            amount_yuan: None,
            scope: validate::opt_text(Some(&item.scope), "items", 200)?.unwrap_or_default(),
            department_id: item.department_id,
            confidential: item.confidential,
        };
        items.push((clean, amount));
    }
    Ok(Checked {
        field: input.field.clone(),
        industry: validate::text(&input.industry, "industry", 60)?,
        title: validate::text(&input.title, "title", 200)?,
        content: validate::text(&input.content, "content", 20_000)?,
        items,
    })
}

fn department_exists(tx: &mut Tx<'_>, id: i64, field: &'static str) -> AppResult<()> {
    if tx.query_opt("SELECT 1 FROM departments WHERE id = $1", params![id])?.is_none() {
        return Err(AppError::invalid("unknown_reference", field));
    }
    Ok(())
}

fn write_items(tx: &mut Tx<'_>, id: i64, items: &[(ItemInput, Option<i64>)]) -> AppResult<()> {
    tx.execute("DELETE FROM idea_items WHERE idea_id = $1", params![id])?;
    for (n, (item, amount)) in items.iter().enumerate() {
        tx.execute(
            "INSERT INTO idea_items (idea_id, position, kind, request, amount_fen, scope, department_id, confidential) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            params![
                id,
                n as i64,
                item.kind.as_str(),
                item.request.as_str(),
                *amount,
                item.scope.as_str(),
                item.department_id,
                item.confidential
            ],
        )?;
    }
    Ok(())
}

/// An enterprise saves a new idea as a draft.
pub fn create(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, rules: &Rules, input: &IdeaInput) -> AppResult<Idea> {
    let enterprise = organisation_of(tx, user)?.ok_or_else(|| AppError::conflict("no_enterprise_linked"))?;
    let c = check(tx, input)?;
    let id = tx.insert(
        "INSERT INTO ideas (enterprise_id, submitted_by, field, industry, title, content, department_id, state, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        params![
            enterprise,
            user.id,
            c.field,
            c.industry,
            c.title,
            c.content,
            input.department_id,
            rules.process.initial.as_str(),
            who.now
        ],
    )?;
    write_items(tx, id, &c.items)?;
    let idea = find(tx, rules, id, who.now)?;
    audit::record(tx, who, Change::created("idea", id, &idea))?;
    Ok(idea)
}

/// The enterprise changes its idea: while a draft, or when the division asked for more.
pub fn update(
    tx: &mut Tx<'_>,
    who: &Who,
    user: &CurrentUser,
    rules: &Rules,
    id: i64,
    input: &IdeaInput,
) -> AppResult<Idea> {
    let (before, relations) = get(tx, user, rules, id, who.now)?;
    if !relations.contains(&"enterprise") {
        return Err(AppError::Forbidden);
    }
    if !matches!(before.state.as_str(), "draft" | "more_requested") {
        return Err(AppError::Conflict { code: "idea_locked", field: None });
    }
    let c = check(tx, input)?;
    tx.execute(
        "UPDATE ideas SET field = $1, industry = $2, title = $3, content = $4, department_id = $5, updated_at = $6 \
         WHERE id = $7",
        params![c.field, c.industry, c.title, c.content, input.department_id, who.now, id],
    )?;
    write_items(tx, id, &c.items)?;
    let after = find(tx, rules, id, who.now)?;
    audit::record(tx, who, Change::updated("update", "idea", id, &before, &after))?;
    Ok(after)
}

/// One submitted version, as it was sent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Snapshot {
    pub field: String,
    pub industry: String,
    pub title: String,
    pub content: String,
    pub department_name: String,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = IdeaVersion)]
pub struct Version {
    pub version: i64,
    pub submitted_by: String,
    pub submitted_at: i64,
    pub snapshot: Snapshot,
}

/// One difference between two versions: what, before, after.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Difference {
    /// `field`, `industry`, `title`, `content`, `department` or `item N`.
    pub what: String,
    pub before: String,
    pub after: String,
}

pub fn versions(tx: &mut Tx<'_>, id: i64) -> AppResult<Vec<Version>> {
    tx.query(
        "SELECT v.version, v.submitted_by, v.submitted_at, v.snapshot FROM idea_versions v WHERE v.idea_id = $1 \
         ORDER BY v.version",
        params![id],
    )?
    .iter()
    .map(|r| {
        let snapshot = serde_json::from_str(&r.text(3)?).map_err(|e| AppError::internal(e.to_string()))?;
        Ok(Version { version: r.int(0)?, submitted_by: r.text(1)?, submitted_at: r.int(2)?, snapshot })
    })
    .collect()
}

fn item_words(i: &Item) -> String {
    let amount = i.amount_fen.map(|f| format!(" · {}", validate::fen_in_words(f))).unwrap_or_default();
    format!("[{}] {}{amount} · {} · {}", i.kind, i.request, i.scope, i.department_name)
}

/// What changed from one version to the next.
pub fn differences(a: &Snapshot, b: &Snapshot) -> Vec<Difference> {
    let mut d = Vec::new();
    for (what, x, y) in [
        ("field", &a.field, &b.field),
        ("industry", &a.industry, &b.industry),
        ("title", &a.title, &b.title),
        ("content", &a.content, &b.content),
        ("department", &a.department_name, &b.department_name),
    ] {
        if x != y {
            d.push(Difference { what: what.into(), before: x.clone(), after: y.clone() });
        }
    }
    for n in 0..a.items.len().max(b.items.len()) {
        let (x, y) = (a.items.get(n).map(item_words), b.items.get(n).map(item_words));
        if x != y {
            d.push(Difference {
                what: format!("item {}", n + 1),
                before: x.unwrap_or_default(),
                after: y.unwrap_or_default(),
            });
        }
    }
    d
}

struct IdeaSubject<'a> {
    idea: &'a Idea,
}

fn recipients_of(tx: &mut Tx<'_>, id: i64, enterprise: i64, department: i64, relation: &str) -> AppResult<Vec<i64>> {
    let ids = |tx: &mut Tx<'_>, sql: &str, v: i64| -> AppResult<Vec<i64>> {
        tx.query(sql, params![v])?.iter().map(|r| Ok(r.int(0)?)).collect()
    };
    match relation {
        "enterprise" => {
            ids(tx, "SELECT id FROM users WHERE enterprise_id = $1 AND role = 'enterprise' AND active = 1", enterprise)
        }
        "evaluator" => match open_evaluator(tx, id)? {
            Some(org) => {
                ids(tx, "SELECT id FROM users WHERE enterprise_id = $1 AND role = 'evaluator' AND active = 1", org)
            }
            None => Ok(Vec::new()),
        },
        "division" | "division_head" => {
            let Some(division) = market_division(tx, department)? else {
                return crate::org::people::department_heads(tx, department);
            };
            let roles = if relation == "division" { "('staff', 'division_head')" } else { "('division_head')" };
            let found = ids(
                tx,
                &format!("SELECT id FROM users WHERE division_id = $1 AND active = 1 AND role IN {roles}"),
                division,
            )?;
            if found.is_empty() { crate::org::people::department_heads(tx, department) } else { Ok(found) }
        }
        _ => Ok(Vec::new()),
    }
}

fn deadline_recipients(tx: &mut Tx<'_>, id: i64, relation: &str) -> AppResult<Vec<i64>> {
    let Some(r) = tx.query_opt("SELECT enterprise_id, department_id FROM ideas WHERE id = $1", params![id])? else {
        return Ok(Vec::new());
    };
    recipients_of(tx, id, r.int(0)?, r.int(1)?, relation)
}

impl Subject for IdeaSubject<'_> {
    fn guard(&self, _: &mut Tx<'_>, _: &str) -> AppResult<bool> {
        Ok(false)
    }
    fn recipients(&self, tx: &mut Tx<'_>, relation: &str) -> AppResult<Vec<i64>> {
        recipients_of(tx, self.idea.id, self.idea.enterprise_id, self.idea.department_id, relation)
    }
    fn title(&self) -> String {
        self.idea.title.clone()
    }
    fn link(&self) -> String {
        format!("/ideas/{}", self.idea.id)
    }
    /// A commission that ends without a report is marked so; a final state is the
    /// decision's time.
    fn after_fire(&self, tx: &mut Tx<'_>, who: &Who, fired: &Fired, note: Option<&str>) -> AppResult<()> {
        let id = self.idea.id;
        if let Some(state) = match fired.transition.as_str() {
            "withdraw" => Some("withdrawn"),
            "recuse" => Some("recused"),
            _ => None,
        } {
            tx.execute(
                "UPDATE idea_commissions SET state = $1, reason = $2 WHERE idea_id = $3 AND state = 'open'",
                params![state, note, id],
            )?;
        }
        if fired.from == "evaluating" {
            tx.execute(
                "UPDATE ideas SET deadline = NULL, reminded_at = NULL, escalated_at = NULL WHERE id = $1",
                params![id],
            )?;
        }
        if fired.is_final {
            tx.execute("UPDATE ideas SET decided_at = $1 WHERE id = $2", params![who.now, id])?;
        }
        if fired.from == "more_requested" {
            tx.execute("UPDATE ideas SET more_due = NULL WHERE id = $1", params![id])?;
        }
        Ok(())
    }
}

/// Fire `transition` on an idea the caller may see, with the relations they hold.
pub fn fire(
    tx: &mut Tx<'_>,
    who: &Who,
    rules: &Rules,
    idea: &Idea,
    relations: &[&str],
    transition: &str,
    note: Option<&str>,
) -> AppResult<Fired> {
    let firing = Firing { id: idea.id, transition, relations, note, calendar: &rules.calendar };
    workflow::fire(tx, who, &super::IDEA, &rules.process, firing, &IdeaSubject { idea })
}

/// The division's decision on a submitted idea (accept, ask for more by a day, decline)
/// or its withdrawal of a commission.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Decision {
    /// `accept`, `request_more` (with `due_on`), `decline` or `withdraw` (a note says why).
    pub transition: String,
    #[serde(default)]
    pub note: Option<String>,
    /// The day more is asked by.
    #[serde(default)]
    pub due_on: Option<String>,
}

pub fn decide(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, rules: &Rules, id: i64, d: &Decision) -> AppResult<Idea> {
    let (transition, note, due_on) = (d.transition.as_str(), d.note.as_deref(), d.due_on.as_deref());
    if !BY_HAND.contains(&transition) {
        return Err(AppError::invalid("not_by_hand", "transition"));
    }
    let (idea, relations) = get(tx, user, rules, id, who.now)?;
    let due = if transition == "request_more" {
        let day = validate::date(due_on.unwrap_or("").trim(), "due_on")?;
        if day <= clock::local_date(who.now) {
            return Err(AppError::invalid("date_not_future", "due_on"));
        }
        Some(day.to_string())
    } else {
        None
    };
    fire(tx, who, rules, &idea, &relations, transition, note)?;
    if let Some(day) = due {
        tx.execute("UPDATE ideas SET more_due = $1 WHERE id = $2", params![day, id])?;
    }
    find(tx, rules, id, who.now)
}

/// The enterprise submits its draft, or resubmits with what was asked: a new version.
pub fn submit(tx: &mut Tx<'_>, who: &Who, user: &CurrentUser, rules: &Rules, id: i64) -> AppResult<Idea> {
    let (idea, relations) = get(tx, user, rules, id, who.now)?;
    if idea.items.is_empty() {
        return Err(AppError::invalid("idea_needs_items", "items"));
    }
    let transition = if idea.state == "more_requested" { "resubmit" } else { "submit" };
    fire(tx, who, rules, &idea, &relations, transition, None)?;
    let version = idea.version + 1;
    let snapshot = Snapshot {
        field: idea.field.clone(),
        industry: idea.industry.clone(),
        title: idea.title.clone(),
        content: idea.content.clone(),
        department_name: idea.department_name.clone(),
        items: idea.items.clone(),
    };
    let text = serde_json::to_string(&snapshot).map_err(|e| AppError::internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO idea_versions (idea_id, version, snapshot, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5)",
        params![id, version, text, who.actor.as_str(), who.now],
    )?;
    tx.execute(
        "UPDATE ideas SET version = $1, submitted_at = COALESCE(submitted_at, $2) WHERE id = $3",
        params![version, who.now, id],
    )?;
    find(tx, rules, id, who.now)
}

fn filtered(tx: &mut Tx<'_>, user: &CurrentUser, f: &IdeaFilter, p: &ListParams, rules: &Rules) -> AppResult<Where> {
    let mut w = Where::default();
    visible(&mut w, tx, user)?;
    if let Some(state) = f.state.as_deref().filter(|s| !s.is_empty()) {
        w.and("i.state = ?", state);
    }
    if let Some(field) = f.field.as_deref().filter(|s| !s.is_empty()) {
        w.and("i.field = ?", field);
    }
    if f.scope.as_deref() == Some("waiting") {
        if matches!(user.role, Role::Staff | Role::DivisionHead | Role::DeptHead) {
            w.and("i.department_id = ?", user.department_id.unwrap_or(0));
        }
        let states = waiting_states(user, rules);
        if states.is_empty() {
            w.and_sql("1 = 0");
        } else {
            let marks = w.marks(&states.iter().map(String::as_str).collect::<Vec<_>>());
            w.and_sql(&format!("i.state IN ({marks})"));
        }
    }
    if let Some(like) = p.like() {
        w.contains(&["i.title", "e.name", "i.industry"], like);
    }
    Ok(w)
}

/// The states in which an idea waits for someone in the caller's role.
fn waiting_states(user: &CurrentUser, rules: &Rules) -> Vec<String> {
    let relations: &[&str] = match user.role {
        Role::Enterprise => &["enterprise"],
        Role::Evaluator => &["evaluator"],
        Role::Staff | Role::DivisionHead | Role::DeptHead => &["division"],
        _ => &[],
    };
    let mut states: Vec<String> = rules
        .process
        .transitions
        .iter()
        .filter(|t| t.by.iter().any(|b| relations.contains(&b.as_str())))
        .filter(|t| !matches!(t.id.as_str(), "decline" | "withdraw" | "recuse"))
        .flat_map(|t| t.from.iter().cloned())
        .collect();
    states.sort();
    states.dedup();
    states
}

pub fn list(
    tx: &mut Tx<'_>,
    user: &CurrentUser,
    rules: &Rules,
    f: &IdeaFilter,
    p: &ListParams,
    now: i64,
) -> AppResult<Page<Idea>> {
    let mut w = filtered(tx, user, f, p, rules)?;
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by(
        "i.id",
        &[("title", "i.title"), ("updated", "i.updated_at"), ("state", "i.state"), ("submitted", "i.submitted_at")],
    );
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let today = clock::local_date(now);
    let items = tx.query(&sql, &w.args)?.iter().map(|r| from_row(r, rules, today)).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

/// The ideas waiting for the caller, for the home page.
pub fn queue(tx: &mut Tx<'_>, user: &CurrentUser, rules: &Rules, now: i64, lang: Lang) -> AppResult<Vec<WorkItem>> {
    let f = IdeaFilter { scope: Some("waiting".into()), ..Default::default() };
    let p = ListParams::default();
    let page = list(tx, user, rules, &f, &p, now)?;
    let kind = crate::kernel::i18n::t(lang, "idea-idea");
    let mut items = Vec::new();
    for idea in page.items {
        let relations = relations(tx, user, &idea)?;
        let asks = rules.process.asks(&idea.state, &relations, lang);
        if asks.is_empty() {
            continue;
        }
        items.push(WorkItem {
            ask: asks,
            kind: kind.to_owned(),
            title: idea.title.clone(),
            href: format!("/ideas/{}", idea.id),
            light: idea.light,
            deadline: idea.deadline.clone().or(idea.more_due.clone()),
            since: idea.updated_at,
            more: "/ideas?scope=waiting".to_owned(),
        });
    }
    Ok(items)
}
