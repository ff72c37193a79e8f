//! Enterprise-support policies (惠企政策): the document that issued each, its clauses, who
//! it applies to as data (rules on the registry's industry, size, district and age), what
//! is promised and by how many working days; and which policies apply to an enterprise,
//! asking only what its registry record does not settle.

use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Change, Who};
use crate::kernel::db::{Row, Tx, Where};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::validate;
use crate::kernel::web::list::{ListParams, Page, count_capped};
use crate::params;

/// The registry fields a rule may test, and how.
pub const FIELDS: [(&str, &[&str]); 4] = [
    ("industry", &["in", "not_in"]),
    ("size", &["in", "not_in"]),
    ("district", &["in", "not_in"]),
    ("registered_years", &["at_least", "at_most"]),
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[schema(as = PolicyClause)]
pub struct Clause {
    /// As the document numbers it: 第三条, 3, 3.1.
    pub number: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[schema(as = EligibilityRule)]
pub struct Rule {
    /// `industry`, `size`, `district` or `registered_years`.
    pub field: String,
    /// `in` / `not_in` (a list of values), `at_least` / `at_most` (one number of years).
    pub op: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Policy {
    pub id: i64,
    pub title: String,
    pub document_number: String,
    pub issuer_department_id: i64,
    pub issuer_name: String,
    pub responsible_department_id: i64,
    pub responsible_name: String,
    pub clauses: Vec<Clause>,
    pub rules: Vec<Rule>,
    pub promise: String,
    pub amount_fen: Option<i64>,
    pub delivery_days: i64,
    pub active: bool,
    pub applications: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "p.id, p.title, p.document_number, p.issuer_department_id, i.name AS issuer_name, \
    p.responsible_department_id, r.name AS responsible_name, p.clauses, p.rules, p.promise, p.amount_fen, \
    p.delivery_days, p.active, (SELECT COUNT(*) FROM policy_applications a WHERE a.policy_id = p.id) AS applications, \
    p.created_at, p.updated_at";
const FROM: &str = "policies p JOIN departments i ON i.id = p.issuer_department_id \
    JOIN departments r ON r.id = p.responsible_department_id";

fn from_row(r: &Row) -> AppResult<Policy> {
    let json = |c: &str| -> AppResult<String> { Ok(r.text(c)?) };
    Ok(Policy {
        id: r.int("id")?,
        title: r.text("title")?,
        document_number: r.text("document_number")?,
        issuer_department_id: r.int("issuer_department_id")?,
        issuer_name: r.text("issuer_name")?,
        responsible_department_id: r.int("responsible_department_id")?,
        responsible_name: r.text("responsible_name")?,
        clauses: serde_json::from_str(&json("clauses")?).map_err(|e| AppError::internal(e.to_string()))?,
        rules: serde_json::from_str(&json("rules")?).map_err(|e| AppError::internal(e.to_string()))?,
        promise: r.text("promise")?,
        amount_fen: r.opt_int("amount_fen")?,
        delivery_days: r.int("delivery_days")?,
        active: r.bool("active")?,
        applications: r.int("applications")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

pub fn find(tx: &mut Tx<'_>, id: i64) -> AppResult<Policy> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE p.id = $1");
    tx.query_opt(&sql, params![id])?.map(|r| from_row(&r)).transpose()?.ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PolicyFilter {
    pub department_id: Option<i64>,
}

/// Active policies (and, for government, withdrawn ones too), by words of the title,
/// promise or document number.
pub fn list(tx: &mut Tx<'_>, f: &PolicyFilter, p: &ListParams, government: bool) -> AppResult<Page<Policy>> {
    let mut w = Where::default();
    if !government {
        w.and_sql("p.active = 1");
    }
    if let Some(d) = f.department_id {
        w.and("p.responsible_department_id = ?", d);
    }
    if let Some(like) = p.like() {
        w.contains(&["p.title", "p.promise", "p.document_number"], like);
    }
    let total = count_capped(tx, &format!("FROM {FROM}{}", w.sql), &w.args)?;
    let order = p.order_by("p.id", &[("title", "p.title"), ("days", "p.delivery_days")]);
    let (limit, offset) = p.window();
    let (lm, o) = (w.push(limit), w.push(offset));
    let sql = format!("SELECT {COLUMNS} FROM {FROM}{}{order} LIMIT {lm} OFFSET {o}", w.sql);
    let items = tx.query(&sql, &w.args)?.iter().map(from_row).collect::<AppResult<_>>()?;
    Ok(Page { items, total, page: p.page(), per: p.per() })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = PolicyInput)]
pub struct PolicyInput {
    pub title: String,
    #[serde(default)]
    pub document_number: String,
    pub issuer_department_id: i64,
    pub responsible_department_id: i64,
    pub clauses: Vec<Clause>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    pub promise: String,
    /// Yuan, where money is promised.
    #[serde(default)]
    pub amount: Option<String>,
    pub delivery_days: i64,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Check rules as data: each names a registry field that exists, an operation that field
/// takes, and values.
pub fn check_rules(rules: &[Rule]) -> AppResult<()> {
    for r in rules {
        let Some((_, ops)) = FIELDS.iter().find(|(f, _)| *f == r.field) else {
            return Err(AppError::invalid_detail("unknown_rule_field", "rules", r.field.clone()));
        };
        if !ops.contains(&r.op.as_str()) {
            return Err(AppError::invalid_detail("bad_rule_op", "rules", r.op.clone()));
        }
        let numeric = r.field == "registered_years";
        let values_ok = if numeric {
            r.values.len() == 1 && r.values[0].trim().parse::<u32>().is_ok()
        } else {
            !r.values.is_empty() && r.values.iter().all(|v| !v.trim().is_empty() && v.chars().count() <= 40)
        };
        if !values_ok {
            return Err(AppError::invalid_detail("bad_rule_values", "rules", r.field.clone()));
        }
    }
    Ok(())
}

struct Checked {
    title: String,
    clauses: String,
    rules: String,
    promise: String,
    amount: Option<i64>,
}

fn check(tx: &mut Tx<'_>, input: &PolicyInput) -> AppResult<Checked> {
    let title = validate::text(&input.title, "title", 200)?;
    let promise = validate::text(&input.promise, "promise", 2000)?;
    if input.clauses.is_empty() || input.clauses.len() > 100 {
        return Err(AppError::invalid("no_clauses", "clauses"));
    }
    let mut clauses = Vec::new();
    for c in &input.clauses {
        let number = validate::text(&c.number, "clauses", 20)?;
        if clauses.iter().any(|k: &Clause| k.number == number) {
            return Err(AppError::invalid_detail("duplicate", "clauses", number));
        }
        clauses.push(Clause { number, text: validate::text(&c.text, "clauses", 4000)? });
    }
    check_rules(&input.rules)?;
    if !(1..=250).contains(&input.delivery_days) {
        return Err(AppError::invalid("bad_delivery_days", "delivery_days"));
    }
    for (d, field) in [
        (input.issuer_department_id, "issuer_department_id"),
        (input.responsible_department_id, "responsible_department_id"),
    ] {
        if tx.count("SELECT COUNT(*) FROM departments WHERE id = $1 AND active = 1", params![d])? == 0 {
            return Err(AppError::invalid("unknown_department", field));
        }
    }
    let amount = match input.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => Some(validate::yuan_to_fen(a, "amount")?),
        None => None,
    };
    Ok(Checked { title, clauses: to_json(&clauses)?, rules: to_json(&input.rules)?, promise, amount })
}

pub fn to_json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::internal(e.to_string()))
}

pub fn create(tx: &mut Tx<'_>, who: &Who, user_id: i64, input: &PolicyInput) -> AppResult<Policy> {
    let c = check(tx, input)?;
    let id = tx.insert(
        "INSERT INTO policies (title, document_number, issuer_department_id, responsible_department_id, clauses, rules, \
         promise, amount_fen, delivery_days, active, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        params![
            c.title,
            input.document_number.trim(),
            input.issuer_department_id,
            input.responsible_department_id,
            c.clauses,
            c.rules,
            c.promise,
            c.amount,
            input.delivery_days,
            i64::from(input.active),
            user_id,
            who.now
        ],
    )?;
    let p = find(tx, id)?;
    audit::record(tx, who, Change::created("policy", id, &p))?;
    Ok(p)
}

pub fn update(tx: &mut Tx<'_>, who: &Who, id: i64, input: &PolicyInput) -> AppResult<Policy> {
    let before = find(tx, id)?;
    let c = check(tx, input)?;
    tx.execute(
        "UPDATE policies SET title = $1, document_number = $2, issuer_department_id = $3, responsible_department_id = $4, \
         clauses = $5, rules = $6, promise = $7, amount_fen = $8, delivery_days = $9, active = $10, updated_at = $11 \
         WHERE id = $12",
        params![
            c.title,
            input.document_number.trim(),
            input.issuer_department_id,
            input.responsible_department_id,
            c.clauses,
            c.rules,
            c.promise,
            c.amount,
            input.delivery_days,
            i64::from(input.active),
            who.now,
            id
        ],
    )?;
    let after = find(tx, id)?;
    audit::record(tx, who, Change::updated("update", "policy", id, &before, &after))?;
    Ok(after)
}

/// What the registry says of an enterprise, for the rules: each field's value, or none
/// where the record leaves it empty.
pub struct Profile {
    pub enterprise_id: i64,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub district: Option<String>,
    pub registered_years: Option<i64>,
}

pub fn profile(tx: &mut Tx<'_>, enterprise: i64, today: chrono::NaiveDate) -> AppResult<Profile> {
    let e = crate::enterprises::registry::find(tx, enterprise)?;
    let some = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    let registered_years = e
        .registered_on
        .as_deref()
        .and_then(crate::kernel::clock::parse_date)
        .map(|d| i64::from(today.years_since(d).unwrap_or(0)));
    Ok(Profile {
        enterprise_id: e.id,
        industry: some(e.industry),
        size: some(e.size),
        district: some(e.district),
        registered_years,
    })
}

impl Profile {
    fn value(&self, field: &str, answers: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
        let known = match field {
            "industry" => self.industry.clone(),
            "size" => self.size.clone(),
            "district" => self.district.clone(),
            "registered_years" => self.registered_years.map(|y| y.to_string()),
            _ => None,
        };
        known.or_else(|| match answers.get(field) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PolicyFit)]
pub struct Fit {
    /// `applies`, `does_not_apply`, or `questions` (the registry leaves something to ask).
    pub verdict: String,
    /// The fields still to answer.
    pub questions: Vec<String>,
    /// The rules not met, in the rules' own terms.
    pub unmet: Vec<Rule>,
}

/// Whether `policy` applies to the enterprise of `profile`, given `answers` to the
/// questions its record leaves open.
pub fn fit(policy: &Policy, profile: &Profile, answers: &serde_json::Map<String, serde_json::Value>) -> Fit {
    let (mut questions, mut unmet) = (Vec::new(), Vec::new());
    for r in &policy.rules {
        let Some(value) = profile.value(&r.field, answers) else {
            if !questions.contains(&r.field) {
                questions.push(r.field.clone());
            }
            continue;
        };
        let number = value.parse::<i64>().ok();
        let bound = r.values.first().and_then(|v| v.trim().parse::<i64>().ok());
        let met = match r.op.as_str() {
            "in" => r.values.iter().any(|v| v.trim() == value),
            "not_in" => !r.values.iter().any(|v| v.trim() == value),
            "at_least" => number.zip(bound).is_some_and(|(n, b)| n >= b),
            "at_most" => number.zip(bound).is_some_and(|(n, b)| n <= b),
            _ => false,
        };
        if !met {
            unmet.push(r.clone());
        }
    }
    let verdict = if !unmet.is_empty() {
        "does_not_apply"
    } else if !questions.is_empty() {
        "questions"
    } else {
        "applies"
    };
    Fit { verdict: verdict.to_owned(), questions, unmet }
}
