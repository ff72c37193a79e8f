//! Demo leads from every channel, at every step of the one procedure, with a duplicate
//! linked to the lead that handles it.

use super::judgement::{self, JudgementInput};
use super::leads::{self, LeadInput, Step};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::Who;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::registry::Demo;
use crate::kernel::workflow::Rules;

/// Names the demo's callers gave.
const CALLERS: [&str; 4] = ["张先生", "王女士", "刘先生", "陈女士"];

const DAY: i64 = 86_400_000;

/// A demo report: channel, category, text, place, coordinates, and how far it goes.
type Report = (&'static str, &'static str, &'static str, &'static str, Option<(f64, f64)>, usize);

fn user(tx: &mut Tx<'_>, name: &str) -> AppResult<CurrentUser> {
    Ok(crate::accounts::service::find_by_username(tx, name)?.as_current())
}

pub fn seed(tx: &mut Tx<'_>, demo: &Demo<'_>) -> AppResult<()> {
    let now = demo.now;
    let spec = &super::LEAD;
    let rules = Rules::shipped(tx, spec)?;
    let process = &rules.process;
    let office = user(tx, "supervisor")?;
    let unit = user(tx, "depthead")?;
    let fgw = unit.department_id.unwrap_or_default();
    let jw = tx.query_one("SELECT id FROM departments WHERE code = 'jw'", &[])?.int(0)?;
    // Each channel's office: the commission for party discipline, the people's congress and
    // CPPCC standing bodies, and the general office's inspection section for the government.
    for (channel, code) in [("party", "jw"), ("congress", "rd"), ("cppcc", "zx"), ("government", "zfb")] {
        let d = tx.query_one("SELECT id FROM departments WHERE code = $1", crate::params![code])?.int(0)?;
        crate::kernel::access::set_desk(tx, &Who::system("demo", now), &super::sight::desk(channel), Some(d))?;
    }
    let reports: [Report; 9] = [
        (
            "public",
            "APPROVAL",
            "企业开办材料被窗口退回三次，每次要求不一样。",
            "市南区香港中路政务服务大厅",
            Some((36.0671, 120.3826)),
            0,
        ),
        ("media", "STYLE", "《青岛日报》曝光：项目审批涉及多个部门互相推诿。", "市行政审批服务局", None, 2),
        (
            "congress",
            "PROJECT",
            "人大代表调研发现：春季签约项目中有3个尚未开工。",
            "西海岸新区",
            Some((35.9600, 120.1900)),
            3,
        ),
        ("cppcc", "POLICY", "政协委员反映：中小企业研发补贴申报后半年未兑现。", "崂山区", None, 4),
        ("government", "POLICY", "督查发现：稳岗补贴发放进度滞后。", "市人力资源和社会保障局", None, 5),
        ("party", "STYLE", "群众反映某单位工作人员借审批之机吃拿卡要。", "李沧区", None, 1),
        (
            "public",
            "APPROVAL",
            "政务服务大厅企业开办窗口材料反复退回。",
            "香港中路政务服务大厅",
            Some((36.0673, 120.3829)),
            0,
        ),
        (
            "public",
            "ENVIRONMENT",
            "山东路路口井盖缺失，夜间很危险。",
            "市北区山东路与延吉路路口",
            Some((36.0860, 120.3800)),
            7,
        ),
        ("government", "PROJECT", "督查发现：重点项目用地手续办理缓慢。", "平度市", None, 6),
    ];
    let plans: [&[(&str, &str)]; 8] = [
        &[],
        &[("transfer", "")],
        &[("transfer", ""), ("dispute", "该事项不属本单位职责。")],
        &[("transfer", ""), ("feed_back", "已组织项目单位对接，2个项目本月开工。")],
        &[("transfer", ""), ("feed_back", "已发放。"), ("reject_feedback", "反馈过于简单，请列明发放明细。")],
        &[("transfer", ""), ("feed_back", "已发放完毕，共1.2万家企业。"), ("verify", "经抽查属实。")],
        &[
            ("transfer", ""),
            ("feed_back", "已查实并处理。"),
            ("verify", "属实。"),
            ("notify", "已对相关责任人严肃处理，并在全市通报。"),
        ],
        &[
            ("transfer", ""),
            ("feed_back", "井盖已补齐。"),
            ("verify", "现场核实已整改。"),
            ("notify", "井盖已于当日补齐。"),
            ("close", ""),
        ],
    ];
    let mut first = None;
    for (i, (channel, category, text, address, at, plan)) in reports.iter().enumerate() {
        let t0 = now - (30 - i as i64 * 3) * DAY;
        let input = LeadInput {
            channel: (*channel).into(),
            category: (*category).into(),
            description: (*text).into(),
            address: (*address).into(),
            lat: at.map(|p| p.0),
            lon: at.map(|p| p.1),
            // Citizens who call or write in leave a name and a number; staff-filed leads do not.
            reporter_name: if *channel == "public" { CALLERS[i % CALLERS.len()].into() } else { String::new() },
            reporter_contact: if *channel == "public" { format!("1390532{:04}", 1000 + i * 37) } else { String::new() },
            reporter_confidential: false,
        };
        let filed = leads::file(
            tx,
            &Who::system("public", t0),
            process,
            &input,
            if *channel == "public" { "web" } else { "staff" },
            None,
        )?;
        if i == 0 {
            first = Some(filed.id);
        }
        if i == 6 {
            if let Some(primary) = first {
                let w = Who::demo(&office, t0);
                leads::link(tx, &w, &office, filed.id, primary)?;
            }
            continue;
        }
        for (k, (transition, note)) in plans[*plan].iter().enumerate() {
            let actor = if ["dispute", "feed_back"].contains(transition) { &unit } else { &office };
            let w = Who::demo(actor, t0 + (k as i64 + 1) * DAY);
            let unit_id = if *channel == "party" { jw } else { fgw };
            let step = Step {
                transition: (*transition).into(),
                note: (!note.is_empty()).then(|| (*note).to_owned()),
                unit_department_id: Some(unit_id),
                to_discipline: *channel == "party",
            };
            // The party-channel lead goes to the discipline commission, which has no demo
            // account; the office carries it on there.
            let actor = if unit_id == jw { &office } else { actor };
            let w = Who { actor_id: Some(actor.id), actor: actor.username.clone(), ..w };
            match leads::transition(tx, &w, actor, &rules, filed.id, &step) {
                Ok(_) | Err(AppError::Forbidden) => {}
                Err(e) => return Err(e),
            }
        }
        // Reporters of published outcomes judge them (the satisfaction rate).
        if let (Some(token), true) = (&filed.token, *plan >= 6) {
            let judgement = if *channel == "party" { "basically_satisfied" } else { "satisfied" };
            let input = JudgementInput { judgement: judgement.into(), comment: String::new() };
            judgement::judge(tx, &Who::system("public", t0 + 8 * DAY), process, token, &input)?;
        }
    }
    exposure_and_teams(tx, now, &office, &unit, fgw, &rules)?;
    year_before(tx, now, &office, &unit, fgw, &rules)?;
    congress_finding_as_task(tx, demo)
}

/// Leads of the year before, and how many.
const HISTORY: i64 = 64;
const HISTORY_TEXTS: [&str; 4] = [
    "督查发现：惠企政策兑现进度滞后，第{}批申报企业尚未拿到资金。",
    "人大代表反映：第{}号重点项目前期手续办理时间过长。",
    "政协委员反映：第{}批小微企业贷款贴息审核反复退回材料。",
    "媒体报道：第{}期营商环境暗访发现窗口推诿扯皮。",
];

/// A year of leads handled from transfer to closing, with a redesign of the procedure
/// half a year ago (the unit feeds back within 10 working days and the office verifies
/// the next day): units fed back in one to two weeks before it, often sent back for
/// rework, and in under a week after it, seldom sent back. Process analytics compares
/// the two halves.
fn year_before(
    tx: &mut Tx<'_>,
    now: i64,
    office: &CurrentUser,
    unit: &CurrentUser,
    fgw: i64,
    rules: &Rules,
) -> AppResult<()> {
    const HOUR: i64 = 3_600_000;
    let redesign = now - 180 * DAY;
    for i in 0..HISTORY {
        let created = now - 355 * DAY + i * (320 * DAY / HISTORY);
        let after = created >= redesign;
        let n = i as usize;
        let input = LeadInput {
            channel: ["government", "congress", "cppcc", "media"][n % 4].into(),
            category: ["POLICY", "PROJECT", "APPROVAL", "STYLE"][n % 4].into(),
            description: HISTORY_TEXTS[n % 4].replace("{}", &(i + 1).to_string()),
            address: ["市南区", "市北区", "李沧区", "崂山区", "黄岛区"][n % 5].into(),
            lat: None,
            lon: None,
            reporter_name: String::new(),
            reporter_contact: String::new(),
            reporter_confidential: false,
        };
        let filed = leads::file(tx, &Who::system("public", created), &rules.process, &input, "staff", None)?;
        let (fed_back_days, rework) = if after { (3 + (i * 5) % 6, i % 8 == 0) } else { (8 + (i * 7) % 9, i % 3 == 0) };
        let mut at = created + 4 * HOUR;
        let mut plan: Vec<(&str, i64, &str)> =
            vec![("transfer", 0, ""), ("feed_back", fed_back_days * DAY, "已整改并反馈。")];
        if rework {
            plan.push(("reject_feedback", DAY, "反馈缺少整改明细，请补充。"));
            plan.push(("feed_back", 3 * DAY, "已补充整改明细。"));
        }
        plan.extend([("verify", DAY, "经核实已整改。"), ("notify", DAY, "已在全市通报整改情况。"), ("close", DAY, "")]);
        for (transition, wait, note) in plan {
            at += wait;
            let actor = if transition == "feed_back" { unit } else { office };
            let w = Who::demo(actor, at);
            let step = Step {
                transition: transition.into(),
                note: (!note.is_empty()).then(|| note.to_owned()),
                unit_department_id: Some(fgw),
                to_discipline: false,
            };
            leads::transition(tx, &w, actor, rules, filed.id, &step)?;
        }
    }
    let admin = user(tx, "admin")?;
    let who = Who::demo(&admin, redesign);
    crate::kernel::analytics::versions::record(tx, &who, super::LEAD.kind, super::LEAD.builtin)
}

/// The people's-congress finding about signed projects not yet started becomes a task of
/// the leader's matter on landing those projects.
fn congress_finding_as_task(tx: &mut Tx<'_>, demo: &Demo<'_>) -> AppResult<()> {
    use super::to_task::{self, LeadTaskInput};
    let (now, registry) = (demo.now, demo.registry);
    let Ok(port) = registry.tasks() else { return Ok(()) };
    let leader = user(tx, "leader")?;
    let staff = user(tx, "staff")?;
    let Some(matter) = (port.open_matters)(tx, &leader)?.into_iter().next() else { return Ok(()) };
    let lead = tx.query_one("SELECT id FROM leads WHERE channel = 'congress' ORDER BY id LIMIT 1", &[])?.int(0)?;
    let env = demo.environment(tx)?;
    let input = LeadTaskInput {
        matter_id: matter.0.parse().map_err(|_| AppError::internal("matter id"))?,
        assignee_id: staff.id,
        lead_department_id: staff.department_id.unwrap_or_default(),
        deadline: None,
        working_days: Some(10),
    };
    let who = Who::demo(&leader, now);
    to_task::assign_as_task(tx, &who, &leader, lead, &input, (port, &env))?;
    Ok(())
}

/// An exposure from 青岛日报 with its published response, and two work teams with visits
/// and inquiries.
fn exposure_and_teams(
    tx: &mut Tx<'_>,
    now: i64,
    office: &CurrentUser,
    unit: &CurrentUser,
    fgw: i64,
    rules: &Rules,
) -> AppResult<()> {
    use super::exposures::{self, ExposureInput, Problem};
    use super::teams::{self, ActivityInput, TeamInput};
    let at = |days: i64, u: &CurrentUser| Who::demo(u, now - days * DAY);
    let input = ExposureInput {
        outlet: "青岛日报".into(),
        column_name: "问政追踪".into(),
        published_on: crate::kernel::clock::local_date(now - 6 * DAY).to_string(),
        link: String::new(),
        title: "签约项目落地为何卡在“最后一公里”".into(),
        problems: vec![Problem {
            description: "签约项目用地预审材料在两个部门间来回退补。".into(),
            unit_department_id: fgw,
            category: "PROJECT".into(),
        }],
    };
    let e = exposures::expose(tx, &at(6, office), office, rules, &input)?;
    if let Some(p) = e.problems.first() {
        let step = Step {
            transition: "feed_back".into(),
            note: Some("已建立联审机制，用地预审材料一次告知、一次办结，当日已整改。".into()),
            unit_department_id: None,
            to_discipline: false,
        };
        leads::transition(tx, &at(6, unit), unit, rules, p.lead_id, &step)?;
    }
    let teams = [
        (
            "市人大常委会营商环境工作小分队",
            "congress",
            "惠企政策兑现与企业开办便利度",
            "王建国、刘海燕、陈志强",
            "visit",
            "市行政审批服务局",
            "企业开办一窗通办",
            ["开办时限未达到承诺的1个工作日", "线上办理入口分散"],
        ),
        (
            "市政协双招双引工作小分队",
            "cppcc",
            "央企签约项目落地",
            "李文博、赵春梅",
            "inquiry",
            "市发展和改革委员会",
            "签约项目推进质询",
            ["3个签约项目尚未开工", "项目用地指标保障方案未出台"],
        ),
    ];
    for (name, body, topic, members, kind, place, subject, findings) in teams {
        let t = teams::create_team(
            tx,
            &at(20, office),
            office,
            &TeamInput { name: name.into(), body: body.into(), topic: topic.into(), members: members.into() },
        )?;
        let a = ActivityInput {
            kind: kind.into(),
            held_on: crate::kernel::clock::local_date(now - 10 * DAY).to_string(),
            place: place.into(),
            subject: subject.into(),
            findings: findings.iter().map(|f| (*f).to_owned()).collect(),
            category: if body == "congress" { "APPROVAL".into() } else { "PROJECT".into() },
            ..Default::default()
        };
        teams::record_activity(tx, &at(10, office), office, &rules.process, t.id, &a)?;
    }
    Ok(())
}
