//! The demo city's mechanism 3: ideas in the article's industries (海洋, 高端制造业+人工智能,
//! 时尚, 金融) in every stage; two evaluator institutions, one tied to two enterprises
//! (a shared legal representative, a shared shareholder); and a 一业一策 package for the
//! ocean industry bundling two ideas, approved a month ago, whose measures are under way
//! as tasks, one of them overdue.

use super::commissions::{self, CommissionInput, ItemOpinion, ReportInput};
use super::idea::{self, IdeaInput, ItemInput};
use super::packages::{self, Approval, MeasureInput, PackageInput};
use crate::accounts::service::{self as accounts, NewUser};
use crate::enterprises::demo::code;
use crate::enterprises::registry::{self, AccountInput, EnterpriseInput};
use crate::enterprises::ties::{self, ShareholdersInput};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::Who;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::registry::Demo;
use crate::kernel::workflow::Rules;
use crate::params;

const DAY: i64 = 86_400_000;

fn at(now: i64, days_ago: i64) -> Who {
    Who::system("demo", now - days_ago * DAY)
}

fn user(tx: &mut Tx<'_>, name: &str) -> AppResult<CurrentUser> {
    Ok(accounts::find_by_username(tx, name)?.as_current())
}

fn department(tx: &mut Tx<'_>, code: &str) -> AppResult<i64> {
    tx.query_opt("SELECT id FROM departments WHERE code = $1", params![code])?
        .map(|r| r.int(0))
        .transpose()?
        .ok_or_else(|| AppError::internal(format!("demo department {code}")))
}

fn staff_of(tx: &mut Tx<'_>, code: &str) -> AppResult<i64> {
    let d = department(tx, code)?;
    tx.query_opt(
        "SELECT id FROM users WHERE department_id = $1 AND role = 'staff' AND active = 1 ORDER BY id",
        params![d],
    )?
    .map(|r| r.int(0))
    .transpose()?
    .ok_or_else(|| AppError::internal(format!("demo staff of {code}")))
}

/// An organisation in the registry, with its account (a demo account by username, or a
/// new one nobody signs in as).
fn organisation(
    tx: &mut Tx<'_>,
    who: &Who,
    demo: &Demo<'_>,
    (name, n, legal, industry): (&str, u32, &str, &str),
    account: (&str, &str),
) -> AppResult<(i64, CurrentUser)> {
    let e = registry::create(
        tx,
        who,
        &EnterpriseInput {
            name: name.into(),
            uscc: code("370212", 9000 + n),
            legal_representative: legal.into(),
            industry: industry.into(),
            size: "medium".into(),
            district: "崂山区".into(),
            source: "manual".into(),
            ..Default::default()
        },
    )?;
    let (username, role) = account;
    let existing = accounts::find_by_username(tx, username).ok();
    let u = match existing {
        Some(u) => u,
        None => {
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
    registry::link_account(tx, who, e.id, &AccountInput { user_id: u.id })?;
    Ok((e.id, u.as_current()))
}

fn item(kind: &str, request: &str, amount: &str, scope: &str, department: i64, confidential: bool) -> ItemInput {
    ItemInput {
        kind: kind.into(),
        request: request.into(),
        amount_yuan: Some(amount.into()),
        scope: scope.into(),
        department_id: department,
        confidential,
    }
}

struct Seed {
    rules: Rules,
    now: i64,
    evaluator: CurrentUser,
}

/// Who handles idea `id` in the demo: a clerk of its responsible department acting as
/// the department's head (the demo city has a head's account only in the 发改委).
fn handler_of(tx: &mut Tx<'_>, id: i64) -> AppResult<CurrentUser> {
    let department = tx.query_one("SELECT department_id FROM ideas WHERE id = $1", params![id])?.int(0)?;
    let code = tx.query_one("SELECT code FROM departments WHERE id = $1", params![department])?.text(0)?;
    let clerk_id = staff_of(tx, &code)?;
    let clerk = accounts::find(tx, clerk_id)?.as_current();
    Ok(CurrentUser { role: crate::kernel::access::Role::DeptHead, department_id: Some(department), ..clerk })
}

impl Seed {
    fn idea(&self, tx: &mut Tx<'_>, by: &CurrentUser, days_ago: i64, input: IdeaInput) -> AppResult<i64> {
        Ok(idea::create(tx, &at(self.now, days_ago), by, &self.rules, &input)?.id)
    }
    fn submit(&self, tx: &mut Tx<'_>, by: &CurrentUser, id: i64, days_ago: i64) -> AppResult<()> {
        idea::submit(tx, &at(self.now, days_ago), by, &self.rules, id).map(|_| ())
    }
    fn decide(
        &self,
        tx: &mut Tx<'_>,
        id: i64,
        days_ago: i64,
        t: &str,
        note: Option<&str>,
        due: Option<&str>,
    ) -> AppResult<()> {
        let d = idea::Decision { transition: t.into(), note: note.map(Into::into), due_on: due.map(Into::into) };
        let handler = handler_of(tx, id)?;
        idea::decide(tx, &at(self.now, days_ago), &handler, &self.rules, id, &d).map(|_| ())
    }
    fn commission(&self, tx: &mut Tx<'_>, id: i64, evaluator: i64, days_ago: i64) -> AppResult<()> {
        let input = CommissionInput { evaluator_id: evaluator, working_days: 10 };
        let lang = crate::kernel::i18n::Lang::Zh;
        let handler = handler_of(tx, id)?;
        commissions::commission(tx, &at(self.now, days_ago), &handler, &self.rules, id, &input, lang).map(|_| ())
    }
    fn report(&self, tx: &mut Tx<'_>, id: i64, days_ago: i64, feasibility: &str, scores: [i64; 5]) -> AppResult<()> {
        let idea = idea::find(tx, &self.rules, id, self.now)?;
        let criteria = commissions::current_criteria(tx)?.criteria;
        let input = ReportInput {
            feasibility: feasibility.into(),
            scores: criteria.iter().zip(scores).map(|(c, s)| (c.id.clone(), s)).collect(),
            reasoning: "该创意契合我市海洋经济发展规划，产业链上下游配套较完整，具备集聚条件。\n建议以园区为载体，统筹用地、资金和人才政策。".into(),
            conditions: if feasibility == "conditional" { "须先完成海域使用论证，并落实环境影响评价。".into() } else { String::new() },
            item_opinions: idea
                .items
                .iter()
                .enumerate()
                .map(|(n, i)| ItemOpinion {
                    item_id: i.id,
                    opinion: if n == 0 { "support" } else { "partly" }.into(),
                    comment: if n == 0 { String::new() } else { "建议按实际投资进度分期兑现".into() },
                })
                .collect(),
        };
        commissions::report(tx, &at(self.now, days_ago), &self.evaluator, &self.rules, id, &input).map(|_| ())
    }
}

pub fn seed(tx: &mut Tx<'_>, demo: &Demo<'_>) -> AppResult<()> {
    let now = demo.now;
    let who = at(now, 60);
    let (fgw, hyj, swj, jrj, czj, gxj) = (
        department(tx, "fgw")?,
        department(tx, "hyj")?,
        department(tx, "swj")?,
        department(tx, "jrj")?,
        department(tx, "czj")?,
        department(tx, "gxj")?,
    );
    let (gzw, zjj) = (department(tx, "gzw")?, department(tx, "zjj")?);
    let (haili, haili_user) =
        organisation(tx, &who, demo, ("青岛海联智造有限公司", 1, "孙立新", "高端装备"), ("enterprise", "enterprise"))?;
    let (institute, evaluator) =
        organisation(tx, &who, demo, ("青岛经济研究院", 2, "何振华", "咨询服务"), ("evaluator", "evaluator"))?;
    let (consult, _) = organisation(
        tx,
        &who,
        demo,
        ("青岛蓝海产业咨询有限公司", 3, "周海川", "咨询服务"),
        ("evaluator2", "evaluator"),
    )?;
    let (ocean1, ocean1_user) = organisation(
        tx,
        &who,
        demo,
        ("青岛蓝谷海洋生物科技有限公司", 4, "李振华", "海洋生物"),
        ("ent-ocean1", "enterprise"),
    )?;
    let (_, ocean2_user) = organisation(
        tx,
        &who,
        demo,
        ("青岛深蓝海洋装备有限公司", 5, "王德胜", "海洋装备"),
        ("ent-ocean2", "enterprise"),
    )?;
    let (_, robot_user) =
        organisation(tx, &who, demo, ("青岛海川机器人有限公司", 6, "周海川", "智能制造"), ("ent-robot", "enterprise"))?;
    let (_, fashion_user) = organisation(
        tx,
        &who,
        demo,
        ("青岛即墨时尚服饰产业有限公司", 7, "刘雪梅", "纺织服装"),
        ("ent-fashion", "enterprise"),
    )?;
    let (_, finance_user) = organisation(
        tx,
        &who,
        demo,
        ("青岛财富管理服务有限公司", 8, "高宏伟", "金融服务"),
        ("ent-finance", "enterprise"),
    )?;
    // The consultancy shares a holder with the ocean company, and a legal representative
    // with the robot maker: it cannot evaluate either.
    ties::set_shareholders(tx, &who, consult, &ShareholdersInput { names: vec!["青岛海川投资有限公司".into()] })?;
    ties::set_shareholders(
        tx,
        &who,
        ocean1,
        &ShareholdersInput { names: vec!["青岛海川投资有限公司".into(), "李振华".into()] },
    )?;
    ties::set_shareholders(
        tx,
        &who,
        haili,
        &ShareholdersInput { names: vec!["孙立新".into(), "青岛国信投资".into()] },
    )?;

    let s = Seed { rules: Rules::shipped(tx, &super::IDEA)?, now, evaluator };

    // Two ocean ideas, evaluated, bundled into one 一业一策 approved a month ago.
    let o1 = s.idea(tx, &ocean1_user, 45, IdeaInput {
        field: "ocean".into(),
        industry: "海洋生物医药".into(),
        title: "蓝谷海洋生物医药产业集聚区".into(),
        content: "依托蓝谷海洋科研资源，引进海洋药物、海洋功能食品企业20家，建设中试基地和公共检测平台，三年形成百亿级海洋生物医药集群。".into(),
        department_id: hyj,
        items: vec![
            item("land", "中试基地用地 80 亩", "", "蓝谷核心区", hyj, false),
            item("funding", "公共检测平台建设补助", "30000000", "设备购置", czj, false),
            item("talent", "海洋药物领军人才团队引进支持", "", "5个团队", hyj, true),
        ],
    })?;
    let o2 = s.idea(
        tx,
        &ocean2_user,
        44,
        IdeaInput {
            field: "ocean".into(),
            industry: "深远海养殖装备".into(),
            title: "深远海智能养殖装备制造集群".into(),
            content: "以深远海养殖工船为龙头，带动船舶配套、智能网箱和水产加工企业集聚，打造国家深远海绿色养殖试验区。"
                .into(),
            department_id: hyj,
            items: vec![
                item("policy", "深远海养殖海域使用审批绿色通道", "", "黄海冷水团海域", hyj, false),
                item("finance", "装备融资租赁贴息", "12000000", "首批3艘工船", jrj, false),
            ],
        },
    )?;
    for (id, by) in [(o1, &ocean1_user), (o2, &ocean2_user)] {
        s.submit(tx, by, id, 43)?;
        s.decide(tx, id, 42, "accept", None, None)?;
        s.commission(tx, id, institute, 41)?;
    }
    s.report(tx, o1, 33, "feasible", [88, 85, 80, 75, 82])?;
    s.report(tx, o2, 32, "conditional", [80, 82, 86, 70, 68])?;
    let package_rules = Rules::shipped(tx, &super::PACKAGE)?;
    let day = |days_from_now: i64| crate::kernel::clock::local_date(now + days_from_now * DAY).to_string();
    let measures = vec![
        MeasureInput {
            content: "划定蓝谷海洋生物医药中试基地用地并完成供地".into(),
            resources: "新增建设用地指标 80 亩".into(),
            department_id: Some(department(tx, "zrzy")?),
            assignee_id: Some(staff_of(tx, "zrzy")?),
            deadline: day(-5),
            confidential: false,
        },
        MeasureInput {
            content: "设立海洋生物医药公共检测平台专项补助".into(),
            resources: "市级财政专项 3000 万元".into(),
            department_id: Some(czj),
            assignee_id: Some(staff_of(tx, "czj")?),
            deadline: day(30),
            confidential: false,
        },
        MeasureInput {
            content: "引进海洋药物领军人才团队，一事一议给予支持".into(),
            resources: "人才专项经费".into(),
            department_id: Some(department(tx, "rsj")?),
            assignee_id: Some(staff_of(tx, "rsj")?),
            deadline: day(60),
            confidential: true,
        },
        MeasureInput {
            content: "开通深远海养殖海域使用审批绿色通道".into(),
            resources: "海域使用论证经费".into(),
            department_id: Some(hyj),
            assignee_id: Some(staff_of(tx, "hyj")?),
            deadline: day(20),
            confidential: false,
        },
    ];
    let package_input = PackageInput {
        kind: "industry".into(),
        title: "海洋生物医药与深远海养殖一业一策".into(),
        industry: "海洋".into(),
        summary: "对蓝谷海洋生物医药产业集聚区、深远海智能养殖装备制造集群两项企业创意，经第三方综合论证可行，制定本一业一策。".into(),
        leader_id: user(tx, "leader")?.id,
        idea_ids: vec![o1, o2],
        measures,
    };
    let drafter = handler_of(tx, o1)?;
    let p = packages::create(tx, &at(now, 30), &drafter, &package_rules, &s.rules, &package_input)?;
    let env = demo.environment(tx)?;
    let port = demo.registry.tasks()?;
    let approval = Approval { port, env: &env, idea_rules: &s.rules };
    let leader = user(tx, "leader")?;
    let step = |t: &str| packages::Step { transition: t.into(), note: None };
    packages::transition(tx, &at(now, 30), &drafter, &package_rules, p.id, &step("submit"), &approval)?;
    packages::transition(tx, &at(now, 29), &leader, &package_rules, p.id, &step("approve"), &approval)?;

    // The demo enterprise's idea: asked for more, revised (two versions), and now with the
    // demo evaluator.
    let h1 = s.idea(
        tx,
        &haili_user,
        20,
        IdeaInput {
            field: "manufacturing_ai".into(),
            industry: "工业互联网".into(),
            title: "工业互联网平台+AI质检产业集群".into(),
            content: "以我公司工业互联网平台为基础，联合上下游30家企业建设AI视觉质检共享中心。".into(),
            department_id: fgw,
            items: vec![item("funding", "共享中心建设补助", "5000000", "设备与算力", gxj, false)],
        },
    )?;
    s.submit(tx, &haili_user, h1, 19)?;
    s.decide(tx, h1, 18, "request_more", Some("请补充参与企业名单和算力需求测算。"), Some(&day(-12)))?;
    let revised = IdeaInput {
        field: "manufacturing_ai".into(),
        industry: "工业互联网".into(),
        title: "工业互联网平台+AI质检产业集群".into(),
        content: "以我公司工业互联网平台为基础，联合上下游36家企业（名单见附件）建设AI视觉质检共享中心，\n测算算力需求 200P，首期投资 1.2 亿元。".into(),
        department_id: fgw,
        items: vec![
            item("funding", "共享中心建设补助", "8000000", "设备与算力", gxj, false),
            item("service", "协调算力中心优惠电价", "", "首期三年", fgw, true),
        ],
    };
    idea::update(tx, &at(now, 16), &haili_user, &s.rules, h1, &revised)?;
    s.submit(tx, &haili_user, h1, 16)?;
    s.decide(tx, h1, 15, "accept", None, None)?;
    s.commission(tx, h1, institute, 3)?;
    s.idea(
        tx,
        &haili_user,
        1,
        IdeaInput {
            field: "manufacturing_ai".into(),
            industry: "智能装备".into(),
            title: "协作机器人应用场景开放".into(),
            content: "建议在市属国企工厂开放协作机器人应用场景。".into(),
            department_id: fgw,
            items: vec![item("policy", "开放应用场景清单", "", "市属国企", gzw, false)],
        },
    )?;

    // Waiting for a commission: the consultancy is tied to the robot maker.
    let r1 = s.idea(
        tx,
        &robot_user,
        6,
        IdeaInput {
            field: "manufacturing_ai".into(),
            industry: "机器人".into(),
            title: "工业机器人整机及核心零部件产业链招引".into(),
            content: "围绕减速器、伺服电机、控制器三大核心零部件，招引配套企业15家。".into(),
            department_id: fgw,
            items: vec![item("land", "产业园标准厂房租金减免", "2400000", "两年", fgw, false)],
        },
    )?;
    s.submit(tx, &robot_user, r1, 5)?;
    s.decide(tx, r1, 4, "accept", None, None)?;

    // Fashion: one waiting for triage, one declined.
    let f1 = s.idea(
        tx,
        &fashion_user,
        3,
        IdeaInput {
            field: "fashion".into(),
            industry: "纺织服装".into(),
            title: "即墨国际时尚产业园与服装品牌孵化".into(),
            content: "建设时尚设计中心和直播电商基地，孵化本土服装品牌50个。".into(),
            department_id: swj,
            items: vec![
                item("service", "举办青岛国际时装周", "", "每年一届", swj, false),
                item("funding", "品牌孵化奖励", "10000000", "三年", czj, false),
            ],
        },
    )?;
    s.submit(tx, &fashion_user, f1, 2)?;
    let f2 = s.idea(
        tx,
        &fashion_user,
        25,
        IdeaInput {
            field: "fashion".into(),
            industry: "纺织服装".into(),
            title: "服装批发市场整体搬迁补偿".into(),
            content: "请政府对市场整体搬迁给予补偿。".into(),
            department_id: swj,
            items: vec![item("funding", "搬迁补偿", "50000000", "整体搬迁", czj, false)],
        },
    )?;
    s.submit(tx, &fashion_user, f2, 24)?;
    s.decide(
        tx,
        f2,
        22,
        "decline",
        Some("该诉求属于个案补偿，不属于资源集聚和产业集群培育，建议通过市场化方式解决。"),
        None,
    )?;

    // Finance: more asked for, due next week.
    let n1 = s.idea(
        tx,
        &finance_user,
        9,
        IdeaInput {
            field: "finance".into(),
            industry: "财富管理".into(),
            title: "财富管理机构集聚与人才公寓配套".into(),
            content: "在财富管理金融综合改革试验区集聚私募、信托机构100家。".into(),
            department_id: jrj,
            items: vec![item("talent", "金融人才公寓 200 套", "", "市南区", zjj, false)],
        },
    )?;
    s.submit(tx, &finance_user, n1, 8)?;
    s.decide(tx, n1, 7, "request_more", Some("请补充拟集聚机构的意向清单。"), Some(&day(5)))?;
    Ok(())
}
