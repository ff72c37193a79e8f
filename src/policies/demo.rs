//! The demo city's mechanism 6: three policies with eligibility rules; five law firms under
//! contract (the `lawfirm` account speaks for 山东琴岛律师事务所); applications by the demo
//! enterprise and four others; cases of all five services; and notices in every state —
//! open, escalated to the leader in charge, referred to supervision as a lead, delivered,
//! and explained with its legal basis.

use super::applications::{self, ApplyInput};
use super::firms::{self, CaseInput, CloseInput, ContractInput, FirmInput};
use super::notices::{self, NoticeInput, ResponseInput};
use super::policy::{self, Clause, PolicyInput, Rule};
use super::survey;
use crate::accounts::service::{self as accounts, NewUser};
use crate::enterprises::demo::code;
use crate::enterprises::registry::{self, AccountInput, EnterpriseInput};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::Who;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::registry::Demo;
use crate::params;

const DAY: i64 = 86_400_000;

fn at(now: i64, days_ago: i64) -> Who {
    Who::system("demo", now - days_ago * DAY)
}

fn department(tx: &mut Tx<'_>, code: &str) -> AppResult<i64> {
    tx.query_opt("SELECT id FROM departments WHERE code = $1", params![code])?
        .ok_or_else(|| AppError::internal(format!("demo: no department {code}")))?
        .int(0)
        .map_err(Into::into)
}

/// The account `username` (made, locked, when the demo has none), linked to `record`.
fn account(
    tx: &mut Tx<'_>,
    who: &Who,
    demo: &Demo<'_>,
    username: &str,
    name: &str,
    role: &str,
    record: i64,
) -> AppResult<CurrentUser> {
    let u = match accounts::find_by_username(tx, username) {
        Ok(u) => u,
        Err(_) => {
            let input = NewUser {
                username: username.into(),
                display_name: name.into(),
                role: role.into(),
                department_id: None,
                division_id: None,
                password: String::new(),
                email: None,
                phone: None,
            };
            accounts::create(tx, who, &input, demo.locked_hash)?
        }
    };
    registry::link_account(tx, who, record, &AccountInput { user_id: u.id })?;
    Ok(u.as_current())
}

fn staff(tx: &mut Tx<'_>, department: i64) -> AppResult<CurrentUser> {
    let id = tx
        .query_opt(
            "SELECT id FROM users WHERE department_id = $1 AND role IN ('staff', 'dept_head') AND active = 1 ORDER BY role DESC, id",
            params![department],
        )?
        .ok_or_else(|| AppError::internal("demo: a department without staff"))?
        .int(0)?;
    Ok(accounts::find(tx, id)?.as_current())
}

pub fn seed(tx: &mut Tx<'_>, demo: &Demo<'_>) -> AppResult<()> {
    let now = demo.now;
    let who = at(now, 40);
    let (gxj, hyj) = (department(tx, "gxj")?, department(tx, "hyj")?);
    let clause = |number: &str, text: &str| Clause { number: number.into(), text: text.into() };
    let rule = |field: &str, op: &str, values: &[&str]| Rule {
        field: field.into(),
        op: op.into(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    };
    let policies = [
        PolicyInput {
            title: "首台（套）重大技术装备奖励".into(),
            document_number: "青政发〔2019〕6号".into(),
            issuer_department_id: gxj,
            responsible_department_id: gxj,
            clauses: vec![
                clause("第五条", "对首次认定的首台（套）重大技术装备，按销售价格的30%给予奖励，最高100万元。"),
                clause("第六条", "奖励资金自申请之日起20个工作日内拨付。"),
            ],
            rules: vec![
                rule("industry", "in", &["高端装备", "新一代信息技术"]),
                rule("registered_years", "at_least", &["2"]),
            ],
            promise: "销售价格的30%，最高100万元".into(),
            amount: Some("1000000".into()),
            delivery_days: 20,
            active: true,
        },
        PolicyInput {
            title: "海洋中小企业研发费用补助".into(),
            document_number: "青海发〔2019〕3号".into(),
            issuer_department_id: hyj,
            responsible_department_id: hyj,
            clauses: vec![clause("第三条", "对研发投入较上年增长的海洋中小企业，按增量的10%给予补助。")],
            rules: vec![rule("industry", "in", &["海洋经济"]), rule("size", "in", &["small", "micro"])],
            promise: "研发费用增量的10%".into(),
            amount: None,
            delivery_days: 10,
            active: true,
        },
        PolicyInput {
            title: "中小企业上云用云补贴".into(),
            document_number: "青工信发〔2019〕11号".into(),
            issuer_department_id: gxj,
            responsible_department_id: gxj,
            clauses: vec![clause("第四条", "企业购买云服务的，按实际支出的30%给予补贴，每家最高10万元。")],
            rules: Vec::new(),
            promise: "云服务支出的30%，最高10万元".into(),
            amount: Some("100000".into()),
            delivery_days: 15,
            active: true,
        },
    ];
    let keeper = staff(tx, gxj)?;
    let mut ids = Vec::new();
    for p in &policies {
        ids.push(policy::create(tx, &who, keeper.id, p)?.id);
    }

    let firm_names = [
        ("山东琴岛律师事务所", "lawfirm", &["王志刚", "李静"][..]),
        ("北京大成（青岛）律师事务所", "firm-dacheng", &["陈明", "赵雪"][..]),
        ("山东德衡律师事务所", "firm-deheng", &["孙晓东"][..]),
        ("上海锦天城（青岛）律师事务所", "firm-jintiancheng", &["周宁", "吴涛"][..]),
        ("山东文康律师事务所", "firm-wenkang", &["郑海"][..]),
    ];
    let mut firm_users = Vec::new();
    for (n, (name, username, lawyers)) in firm_names.iter().enumerate() {
        let record = registry::create(
            tx,
            &who,
            &EnterpriseInput {
                name: (*name).into(),
                uscc: code("370202", 9700 + n as u32),
                legal_representative: lawyers[0].into(),
                industry: "法律服务".into(),
                district: "市南区".into(),
                source: "manual".into(),
                ..Default::default()
            },
        )?;
        let user = account(tx, &who, demo, username, name, "law_firm", record.id)?;
        let lawyers = lawyers.iter().map(|l| (*l).to_owned()).collect();
        let f = firms::create(tx, &who, &FirmInput { enterprise_id: record.id, lawyers })?;
        let contract = ContractInput {
            scope: "惠企政策宣传解读、适用咨询、实施监督、效果评价和权益维护".into(),
            districts: vec!["市南区".into(), "市北区".into(), "崂山区".into()],
            starts_on: "2019-01-01".into(),
            ends_on: "2019-12-31".into(),
            budget: "200000".into(),
        };
        firms::add_contract(tx, &who, f.id, &contract)?;
        firm_users.push(user);
    }
    let firm = firm_users[0].clone();

    // Applications: the demo enterprise for the equipment award, four others for the
    // cloud subsidy, which applies to every enterprise.
    let mut applicants = Vec::new();
    if let Ok(e) = accounts::find_by_username(tx, "enterprise") {
        applicants.push(e.as_current());
    }
    let others: Vec<(i64, String)> = tx
        .query(
            "SELECT id, name FROM enterprises WHERE industry = '海洋经济' AND merged_into IS NULL ORDER BY id LIMIT 4",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.int(0)?, r.text(1)?)))
        .collect::<AppResult<_>>()?;
    for (n, (record, name)) in others.iter().enumerate() {
        applicants.push(account(tx, &who, demo, &format!("ent-policy{}", n + 1), name, "enterprise", *record)?);
    }
    let cal = crate::kernel::calendar::load(tx)?;
    let mut apps = Vec::new();
    for (n, user) in applicants.iter().enumerate() {
        let (policy, answers) = if n == 0 {
            (ids[0], serde_json::json!({ "registered_years": "6", "size": "medium" }))
        } else {
            (ids[2], serde_json::json!({}))
        };
        let input = ApplyInput { answers: answers.as_object().cloned().unwrap_or_default() };
        let a = applications::apply(tx, &at(now, 32 - n as i64), user, &cal, policy, &input)?;
        let enterprise = a.enterprise_id;
        // The firm advises each applicant: five services, one of each kind.
        let kind = firms::SERVICES[n % firms::SERVICES.len()];
        let case = CaseInput {
            kind: kind.into(),
            request: format!("{}：{}", a.policy_title, "请律师协助"),
            policy_id: Some(policy),
            enterprise_id: Some(enterprise),
        };
        let c = firms::open_case(tx, &at(now, 31 - n as i64), &firm, &case)?;
        if n % 2 == 0 {
            let closing =
                CloseInput { minutes: 60 + 30 * n as i64, outcome: "已出具法律意见并告知企业".into() };
            firms::close_case(tx, &at(now, 29 - n as i64), &firm, c.id, &closing)?;
        }
        apps.push(a);
    }
    if let Some(e) = applicants.first() {
        let ask = CaseInput {
            kind: "rights".into(),
            request: "首台（套）奖励逾期未拨付，请求律师协助维权".into(),
            ..Default::default()
        };
        firms::open_case(tx, &at(now, 3), e, &ask)?;
    }

    // Notices in every state.
    let notice = |application: i64| NoticeInput {
        application_id: application,
        clause: String::new(),
        facts: "企业已按要求提交全部材料，申请已超过承诺的兑现期限，政策仍未兑现。".into(),
    };
    let env = demo.environment(tx)?;
    let plan: [(usize, i64); 5] = [(0, 30), (1, 20), (2, 14), (3, 10), (4, 3)];
    let mut filed = Vec::new();
    for (app, ago) in plan {
        let Some(a) = apps.get(app) else { continue };
        let p = policy::find(tx, a.policy_id)?;
        let input = NoticeInput { clause: p.clauses[0].number.clone(), ..notice(a.id) };
        filed.push((notices::file(tx, &at(now, ago), &firm, &cal, &input)?, a.department_id));
        if ago == 30 {
            notices::escalate(tx, &at(now, 20), &env)?;
        }
    }
    let answer = |outcome: &str, response: &str, basis: &str| ResponseInput {
        outcome: outcome.into(),
        response: response.into(),
        legal_basis: basis.into(),
        late: false,
    };
    if let Some((n, department)) = filed.get(1) {
        let clerk = staff(tx, *department)?;
        notices::respond(tx, &at(now, 18), &clerk, n.id, &answer("delivered", "补贴已核发到企业账户。", ""))?;
    }
    if let Some((n, department)) = filed.get(3) {
        let clerk = staff(tx, *department)?;
        let basis = "《青岛市中小企业上云用云补贴实施细则》第八条：须提供云服务发票和付款凭证";
        notices::respond(
            tx,
            &at(now, 9),
            &clerk,
            n.id,
            &answer("explained", "企业尚未提交云服务发票，补齐后五个工作日内拨付。", basis),
        )?;
    }
    notices::escalate(tx, &at(now, 2), &env)?;
    satisfaction(tx, &at(now, 25), keeper.id)
}

/// The 2019 survey's shape: nine areas, 32 indicators, a third of the sample from the
/// above-scale list and two thirds from enterprises served at approval halls; 3,663
/// simulated responses rating the economic departments, written in batches, this year; a
/// smaller campaign last year, answered a little lower, gives the index its trend.
fn satisfaction(tx: &mut Tx<'_>, who: &Who, keeper: i64) -> AppResult<()> {
    // This year's and last year's, so the index stands beside the demo's service ratings.
    let this_year = crate::kernel::period::Period::at(crate::kernel::period::Kind::Year, who.now);
    let last_year = this_year.previous();
    let sample = |year: &crate::kernel::period::Period, responses, lift, seed| Sample {
        title: format!("{}年企业家政务服务满意度评价", year.key()),
        period: year.key(),
        responses,
        lift,
        seed,
    };
    campaign(tx, who, keeper, &sample(&last_year, 1800, -0.2, 2018))?;
    campaign(tx, who, keeper, &sample(&this_year, 3663, 0.0, 2019))
}

struct Sample {
    title: String,
    period: String,
    responses: usize,
    /// Added to every department's level of service.
    lift: f64,
    seed: u64,
}

fn campaign(tx: &mut Tx<'_>, who: &Who, keeper: i64, sample: &Sample) -> AppResult<()> {
    let areas = [
        ("政策制定", 4),
        ("政策落实", 4),
        ("审批服务", 4),
        ("办事效率", 4),
        ("服务态度", 3),
        ("公开透明", 3),
        ("要素保障", 3),
        ("监管执法", 4),
        ("廉洁自律", 3),
    ];
    let mut n = 0;
    let input = survey::CampaignInput {
        title: sample.title.clone(),
        period: sample.period.clone(),
        frame: format!(
            "从全市规模以上企业名录抽取三分之一，从在各级审批大厅办理过业务的企业中抽取三分之二；共回收有效答卷{}份。",
            sample.responses
        ),
        min_sample: 30,
        areas: areas
            .iter()
            .enumerate()
            .map(|(a, (name, count))| survey::Area {
                code: format!("A{}", a + 1),
                name: (*name).into(),
                weight: 1.0 / areas.len() as f64,
                questions: (0..*count)
                    .map(|q| {
                        n += 1;
                        survey::Question {
                            code: format!("Q{n:02}"),
                            text: format!("{name}：指标{}", q + 1),
                            weight: 1.0 / *count as f64,
                        }
                    })
                    .collect(),
            })
            .collect(),
    };
    let c = survey::create(tx, who, keeper, &input)?;
    let codes: Vec<String> = c.areas.iter().flat_map(|a| a.questions.iter().map(|q| q.code.clone())).collect();
    let departments: Vec<i64> = tx
        .query(
            "SELECT DISTINCT d.id FROM departments d JOIN divisions v ON v.department_id = d.id \
             WHERE v.kind = 'market_allocation' ORDER BY d.id",
            &[],
        )?
        .iter()
        .map(|r| Ok(r.int(0)?))
        .collect::<AppResult<_>>()?;
    let enterprises: Vec<(i64, String)> = tx
        .query(
            "SELECT id, district FROM enterprises WHERE merged_into IS NULL AND district <> '' ORDER BY id LIMIT 300",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.int(0)?, r.text(1)?)))
        .collect::<AppResult<_>>()?;
    if departments.is_empty() || enterprises.is_empty() {
        return Ok(());
    }
    // A small generator of its own, so the demo is the same every time.
    let mut state: u64 = sample.seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut rows = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while rows.len() < sample.responses {
        let d = departments[(next() % departments.len() as u64) as usize];
        let (e, district) = &enterprises[(next() % enterprises.len() as u64) as usize];
        if !seen.insert((d, *e)) {
            continue;
        }
        // Each department has its own level of service, around which answers scatter.
        let level = 3.2 + (d % 7) as f64 * 0.2 + sample.lift;
        let answers: std::collections::BTreeMap<String, i64> = codes
            .iter()
            .map(|q| {
                let noise = (next() % 1000) as f64 / 1000.0 * 2.0 - 1.0;
                (q.clone(), (level + noise).round().clamp(1.0, 5.0) as i64)
            })
            .collect();
        let stratum = if rows.len() % 3 == 0 { "above_scale" } else { "approval_hall" };
        rows.push((*e, d, district.clone(), stratum, policy::to_json(&answers)?));
    }
    for (batch, chunk) in rows.chunks(200).enumerate() {
        let mut sql = String::from(
            "INSERT INTO survey_invitations (campaign_id, enterprise_id, department_id, district, stratum, token_hash, \
             answers, answered_at, created_at) VALUES ",
        );
        let mut args: Vec<crate::kernel::db::Value> = Vec::new();
        for (i, (e, d, district, stratum, answers)) in chunk.iter().enumerate() {
            let k = args.len();
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                k + 1,
                k + 2,
                k + 3,
                k + 4,
                k + 5,
                k + 6,
                k + 7,
                k + 8,
                k + 9
            ));
            let token = crate::kernel::crypto::secret_digest(format!("demo-survey-{}-{batch}-{i}", c.id).as_bytes());
            args.extend([
                c.id.into(),
                (*e).into(),
                (*d).into(),
                district.clone().into(),
                (*stratum).into(),
                token.into(),
                answers.clone().into(),
                who.now.into(),
                who.now.into(),
            ]);
        }
        tx.execute(&sql, &args)?;
    }
    crate::kernel::audit::record(
        tx,
        who,
        crate::kernel::audit::Change {
            action: "import",
            kind: "survey_campaign",
            id: Some(c.id),
            before: None,
            after: Some(serde_json::json!({ "responses": rows.len() })),
        },
    )
}
