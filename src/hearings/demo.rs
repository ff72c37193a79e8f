//! The demo city's mechanism 4: seven of the 2019 offensives with their plans; 海洋攻势
//! defended in public on 2019-04-14 (questions from an entrepreneur, an expert and a
//! district head, one citizen's question asked beforehand and one rejected), revised and
//! adopted, its commitments in every state (on time, late, overdue, under way), and its
//! first annual inquiry with the panel's vote; 国际时尚城 defended next, still scheduled.

use super::plans::{self, Goal, PlanInput, VersionInput};
use super::questions::{self, AnswerInput, CommitmentInput, Moderation, QuestionInput};
use super::sessions::{self, HearingInput, Person};
use crate::accounts::service::{self as accounts, NewUser};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::Who;
use crate::kernel::clock;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::registry::Demo;
use crate::kernel::workflow::Rules;
use crate::params;

const DAY: i64 = 86_400_000;

/// (title, departments, first paragraph's target)
const OFFENSIVES: [(&str, &[&str], &str); 7] = [
    ("海洋攻势作战方案", &["hyj", "fgw", "kjj"], "到2019年底，全市海洋生产总值增长15%"),
    ("国际航运贸易金融创新中心攻势作战方案", &["jtj", "swj", "jrj"], "集装箱吞吐量突破2100万标箱"),
    ("高端制造业+人工智能攻势作战方案", &["gxj", "kjj", "fgw"], "规模以上工业增加值增长7%"),
    ("国际时尚城攻势作战方案", &["wlj", "swj"], "举办国际时装周等时尚活动20场以上"),
    ("交通基础设施攻势作战方案", &["jtj", "zrzy"], "完成交通基础设施投资500亿元"),
    ("城市品质改善提升攻势作战方案", &["zjj", "zrzy"], "完成老旧小区改造300万平方米"),
    ("高效青岛攻势作战方案", &["spj", "dsj"], "政务服务事项90%以上实现网上办理"),
];

fn at(ms: i64) -> Who {
    Who::system("demo", ms)
}

/// 2019-MM-DD HH:00 in China, in ms.
fn day(date: &str, hour: i64) -> AppResult<i64> {
    let d = clock::parse_date(date).ok_or_else(|| AppError::internal(format!("demo date {date}")))?;
    Ok(clock::start_of_day_ms(d) + hour * 3_600_000)
}

fn department(tx: &mut Tx<'_>, code: &str) -> AppResult<i64> {
    tx.query_opt("SELECT id FROM departments WHERE code = $1", params![code])?
        .map(|r| r.int(0))
        .transpose()?
        .ok_or_else(|| AppError::internal(format!("demo department {code}")))
}

fn staff_of(tx: &mut Tx<'_>, department: i64) -> AppResult<CurrentUser> {
    let id = tx
        .query_opt(
            "SELECT id FROM users WHERE department_id = $1 AND role = 'staff' AND active = 1 ORDER BY id",
            params![department],
        )?
        .map(|r| r.int(0))
        .transpose()?
        .ok_or_else(|| AppError::internal("demo staff"))?;
    Ok(accounts::find(tx, id)?.as_current())
}

/// A demo person nobody signs in as (or the demo account of that name).
fn person(
    tx: &mut Tx<'_>,
    who: &Who,
    demo: &Demo<'_>,
    (username, name, role, dept): (&str, &str, &str, Option<i64>),
) -> AppResult<CurrentUser> {
    if let Ok(u) = accounts::find_by_username(tx, username) {
        return Ok(u.as_current());
    }
    let input = NewUser {
        username: username.into(),
        display_name: name.into(),
        role: role.into(),
        department_id: dept,
        division_id: None,
        password: String::new(),
        email: None,
        phone: None,
    };
    Ok(accounts::create(tx, who, &input, demo.locked_hash)?.as_current())
}

fn seat(role: &str, u: &CurrentUser, affiliation: &str) -> Person {
    Person { role: role.into(), user_id: Some(u.id), name: String::new(), affiliation: affiliation.into() }
}

fn hearing_step(t: &str) -> sessions::Step {
    sessions::Step { transition: t.into(), note: None }
}

fn local(ms: i64) -> String {
    clock::to_local(ms).format("%Y-%m-%dT%H:%M").to_string()
}

pub fn seed(tx: &mut Tx<'_>, demo: &Demo<'_>) -> AppResult<()> {
    let now = demo.now;
    let setup = at(day("2019-03-01", 9)?.min(now));
    let rules = Rules::shipped(tx, &super::PLAN)?;
    let hearing_rules = Rules::shipped(tx, &super::HEARING)?;
    let mayor = accounts::find_by_username(tx, "leader")?.as_current();
    let hyj = department(tx, "hyj")?;
    let laoshan = department(tx, "laoshan")?;
    let secretary = person(tx, &setup, demo, ("secretary", "赵书记（市委书记）", "leader", None))?;
    let hyj_head = person(tx, &setup, demo, ("hyj-head", "李局长（市海洋发展局）", "dept_head", Some(hyj)))?;
    let fgw_head = accounts::find_by_username(tx, "depthead")?.as_current();
    let district = person(tx, &setup, demo, ("laoshan-head", "孙区长（崂山区）", "dept_head", Some(laoshan)))?;
    let expert = person(tx, &setup, demo, ("expert", "王教授（中国海洋大学）", "public", None))?;
    let entrepreneur = person(tx, &setup, demo, ("ent-ocean1", "青岛蓝谷海洋生物科技有限公司", "enterprise", None))?;
    let citizen = accounts::find_by_username(tx, "citizen")?.as_current();
    let deputy = accounts::find_by_username(tx, "supervisor")?.as_current();
    let member = person(tx, &setup, demo, ("cppcc-wu", "吴委员（市政协）", "supervisor", None))?;
    let deputy2 = person(tx, &setup, demo, ("npc-chen", "陈代表（市人大）", "supervisor", None))?;

    let mut plan_ids = Vec::new();
    for (title, codes, target) in OFFENSIVES {
        let mut departments = Vec::new();
        for c in codes {
            departments.push(department(tx, c)?);
        }
        let body = format!(
            "一、总体目标：{target}。\n二、主要任务：聚焦重点领域，项目化、清单化推进。\n三、责任分工：牵头部门按月调度，每季度报告进展。\n四、保障措施：强化要素保障和督查考核。"
        );
        let input = PlanInput {
            kind: "offensive".into(),
            title: title.into(),
            summary: format!("{title}，由{}牵头推进。", mayor.display_name),
            leader_id: mayor.id,
            owner_department_id: None,
            department_ids: departments,
            goals: vec![Goal { goal: "总体目标".into(), target: target.into() }],
            body,
        };
        plan_ids.push(plans::create(tx, &setup, &mayor, &rules, &input)?.id);
    }
    let ocean = plan_ids[0];

    // 海洋攻势: scheduled, asked beforehand, defended on 2019-04-14.
    let people = vec![
        seat("chair", &secretary, "市委书记"),
        seat("team", &mayor, "牵头市领导"),
        seat("team", &hyj_head, "市海洋发展局"),
        seat("team", &fgw_head, "市发展改革委"),
        seat("participant", &entrepreneur, "海洋生物企业"),
        seat("participant", &expert, "中国海洋大学"),
        seat("participant", &district, "崂山区"),
    ];
    let start = day("2019-04-14", 9)?;
    let input = HearingInput {
        plan_id: ocean,
        kind: "hearing".into(),
        title: "海洋攻势作战方案公开答辩会".into(),
        starts_at: local(start),
        ends_at: local(start + 3 * 3_600_000),
        venue: "市行政中心第一会议室".into(),
        live_url: "https://live.qingdao.gov.cn/2019/haiyang".into(),
        year: None,
        report: String::new(),
        people,
    };
    let base = "";
    let h = sessions::create(tx, &at(day("2019-04-08", 9)?), &mayor, &hearing_rules, &input, base)?;
    let ask = |tx: &mut Tx<'_>, by: &CurrentUser, when: i64, text: &str, anchor: Option<i64>, kind: &str| {
        let q = QuestionInput { question: text.into(), anchor, asker_kind: Some(kind.into()), anonymous: false };
        questions::ask(tx, &at(when), by, h.id, &q)
    };
    let before = day("2019-04-11", 10)?;
    let from_citizen = ask(tx, &citizen, before, "海洋生产总值增长15%的目标如何分解到各区市？", Some(1), "public")?;
    let off_topic = ask(tx, &citizen, before + 60_000, "我家小区门口修路什么时候结束？", None, "public")?;
    let moderate = |tx: &mut Tx<'_>, id: i64, decision: &str, reason: &str| {
        let m = Moderation { decision: decision.into(), reason: reason.into() };
        questions::moderate(tx, &at(day("2019-04-12", 9)?), &secretary, id, &m)
    };
    moderate(tx, from_citizen.id, "accept", "")?;
    moderate(tx, off_topic.id, "reject", "与本次答辩的方案无关，已转12345热线办理。")?;
    let fire_hearing = |tx: &mut Tx<'_>, when: i64, t: &str| {
        sessions::transition(tx, &at(when), &secretary, &hearing_rules, h.id, &hearing_step(t), base)
    };
    fire_hearing(tx, start, "open")?;
    let q1 = ask(
        tx,
        &entrepreneur,
        start + 20 * 60_000,
        "深远海养殖和海洋生物医药项目用海审批周期长，能否开通绿色通道？",
        Some(2),
        "entrepreneur",
    )?;
    let q2 = ask(
        tx,
        &expert,
        start + 40 * 60_000,
        "海洋科技创新高地的量化指标是什么？科研成果本地转化率怎么考核？",
        Some(2),
        "expert",
    )?;
    let q3 = ask(
        tx,
        &district,
        start + 60 * 60_000,
        "崂山区海洋产业园配套用地指标紧张，市级层面能否统筹？",
        Some(3),
        "district",
    )?;

    let env = demo.environment(tx)?;
    let port = demo.registry.tasks()?;
    let hyj_staff = staff_of(tx, hyj)?;
    let kjj = department(tx, "kjj")?;
    let kjj_staff = staff_of(tx, kjj)?;
    let zrzy = department(tx, "zrzy")?;
    let zrzy_staff = staff_of(tx, zrzy)?;
    let ahead = clock::local_date(now + 60 * DAY).to_string();
    let commit = |content: &str, department: i64, who: &CurrentUser, deadline: &str| CommitmentInput {
        content: content.into(),
        department_id: department,
        assignee_id: who.id,
        deadline: deadline.into(),
    };
    let answers = [
        (
            &q1,
            &hyj_head,
            "市海洋发展局将会同自然资源部门开通用海审批绿色通道，审批时限压缩一半。",
            vec![
                commit("开通深远海养殖用海审批绿色通道", hyj, &hyj_staff, "2019-06-30"),
                commit("出台海洋生物医药项目用海审批服务指南", hyj, &hyj_staff, "2019-09-30"),
            ],
        ),
        (
            &q2,
            &mayor,
            "到2019年底新增国家级海洋科技创新平台5个，科研成果本地转化率纳入各区市考核。",
            vec![commit("建立海洋科研成果本地转化考核办法", kjj, &kjj_staff, "2019-12-31")],
        ),
        (
            &q3,
            &fgw_head,
            "市级统筹新增建设用地指标，优先保障海洋产业园重点项目。",
            vec![commit("统筹保障崂山区海洋产业园用地指标", zrzy, &zrzy_staff, &ahead)],
        ),
        (&from_citizen, &hyj_head, "目标已按区市分解，随方案附件一并公开。", Vec::new()),
    ];
    let mut tasks = Vec::new();
    for (n, (q, by, text, commitments)) in answers.into_iter().enumerate() {
        let input = AnswerInput { answer: text.into(), commitments };
        let when = start + (90 + n as i64 * 10) * 60_000;
        let answered = questions::answer(tx, &at(when), by, q.id, &input, (port, &env))?;
        tasks.extend(answered.commitments.iter().filter_map(|c| c.task_id.map(|t| (t, c.assignee_id))));
    }
    fire_hearing(tx, start + 3 * 3_600_000, "close")?;
    fire_hearing(tx, day("2019-04-15", 9)?, "publish")?;

    let plan_fire =
        |tx: &mut Tx<'_>, when: i64, t: &str| plans::transition(tx, &at(when), &mayor, &rules, ocean, t, None);
    plan_fire(tx, day("2019-04-15", 10)?, "defend")?;
    let revised = VersionInput {
        body: "一、总体目标：到2019年底，全市海洋生产总值增长15%以上，目标按区市分解。\n二、主要任务：聚焦重点领域，项目化、清单化推进；开通用海审批绿色通道。\n三、责任分工：牵头部门按月调度，每季度报告进展。\n四、保障措施：强化要素保障和督查考核，科研成果本地转化纳入考核。".into(),
        note: "吸收答辩会意见修改".into(),
    };
    plans::add_version(tx, &at(day("2019-04-18", 9)?), &hyj_head, ocean, &revised)?;
    plan_fire(tx, day("2019-04-18", 10)?, "revise")?;
    plan_fire(tx, day("2019-04-20", 9)?, "adopt")?;

    // The commitments: the first on time, the second late; the third overdue or under way
    // by the clock; the fourth ahead.
    let step =
        |tx: &mut Tx<'_>, task: i64, by: &CurrentUser, when: &str, t: &str, note: Option<&str>| -> AppResult<()> {
            (port.fire)(tx, &at(day(when, 10)?), by, task, t, note, &env)
        };
    for (n, (task, assignee)) in tasks.iter().enumerate() {
        let assignee = accounts::find(tx, *assignee)?.as_current();
        step(tx, *task, &assignee, "2019-04-16", "accept", None)?;
        let done = match n {
            0 => Some("2019-06-20"),
            1 => Some("2019-10-15"),
            _ => None,
        };
        if let Some(d) = done.filter(|d| day(d, 10).is_ok_and(|t| t <= now)) {
            step(tx, *task, &assignee, d, "submit_feedback", Some("已按承诺完成，材料已报送。"))?;
            step(tx, *task, &mayor, d, "approve", None)?;
        }
    }

    // The first annual inquiry, in January 2020.
    let january = day("2020-01-10", 9)?;
    let inquiry = HearingInput {
        plan_id: ocean,
        kind: "inquiry".into(),
        title: "海洋攻势2019年度公开质询".into(),
        starts_at: local(january),
        ends_at: local(january + 2 * 3_600_000),
        venue: "市人民会堂".into(),
        live_url: String::new(),
        year: Some(2019),
        report: "2019年，海洋攻势各项承诺事项有序推进：用海审批绿色通道如期开通，审批服务指南延期出台，科研成果转化考核办法仍在制定。".into(),
        people: vec![
            seat("chair", &secretary, "市委书记"),
            seat("team", &mayor, "牵头市领导"),
            seat("team", &hyj_head, "市海洋发展局"),
            seat("panel", &deputy, "市人大代表"),
            seat("panel", &deputy2, "市人大代表"),
            seat("panel", &member, "市政协委员"),
        ],
    };
    let q = sessions::create(tx, &at(day("2020-01-02", 9)?), &mayor, &hearing_rules, &inquiry, base)?;
    let fire_inquiry = |tx: &mut Tx<'_>, when: i64, t: &str| {
        sessions::transition(tx, &at(when), &secretary, &hearing_rules, q.id, &hearing_step(t), base)
    };
    fire_inquiry(tx, january, "open")?;
    let asked = questions::ask(
        tx,
        &at(january + 30 * 60_000),
        &deputy,
        q.id,
        &QuestionInput {
            question: "审批服务指南为何延期？".into(),
            anchor: None,
            asker_kind: Some("panel".into()),
            anonymous: false,
        },
    )?;
    questions::answer(
        tx,
        &at(january + 45 * 60_000),
        &hyj_head,
        asked.id,
        &AnswerInput {
            answer: "因上位法调整延期两周出台，已向质询团书面说明。".into(), commitments: Vec::new()
        },
        (port, &env),
    )?;
    for (by, vote) in [(&deputy, "satisfied"), (&deputy2, "fairly_satisfied"), (&member, "dissatisfied")] {
        questions::vote(tx, &at(january + 100 * 60_000), by, q.id, vote)?;
    }
    fire_inquiry(tx, january + 2 * 3_600_000, "close")?;
    fire_inquiry(tx, day("2020-01-11", 9)?, "publish")?;

    // 国际时尚城: its hearing is scheduled.
    let fashion = plan_ids[3];
    let when = day("2019-04-20", 9)?.max(now + 7 * DAY);
    let wlj = department(tx, "wlj")?;
    let wlj_head = person(tx, &setup, demo, ("wlj-head", "高局长（市文化和旅游局）", "dept_head", Some(wlj)))?;
    let scheduled = HearingInput {
        plan_id: fashion,
        kind: "hearing".into(),
        title: "国际时尚城攻势作战方案公开答辩会".into(),
        starts_at: local(when),
        ends_at: local(when + 3 * 3_600_000),
        venue: "青岛国际会议中心".into(),
        live_url: "https://live.qingdao.gov.cn/2019/shishang".into(),
        year: None,
        report: String::new(),
        people: vec![
            seat("chair", &secretary, "市委书记"),
            seat("team", &mayor, "牵头市领导"),
            seat("team", &wlj_head, "市文化和旅游局"),
            seat("participant", &expert, "专家"),
        ],
    };
    sessions::create(tx, &at(now - DAY), &mayor, &hearing_rules, &scheduled, base)?;
    Ok(())
}
