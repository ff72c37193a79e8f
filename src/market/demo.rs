//! The demo city's mechanism 5: associations for the key industries (海洋, 智能家电,
//! 轨道交通, 时尚, 金融, and the software association the demo account speaks for), each
//! with its members and its market-allocation division; and two documents of the
//! development and reform commission dispatched to departments and associations alike,
//! with partial read receipts, an acknowledgement, feedback and one account overdue;
//! a government economic meeting at which the software association's head spoke and a
//! decision became a task; direct-line threads with requests answered on time, answered
//! late and open; and questions in the commission's market-allocation remit.

use super::associations::{self, AssociationInput, MembersInput};
use super::direct_line::{self, AnswerInput, AssignInput, JudgementInput, MessageInput, ThreadInput};
use super::documents::{self, DocumentInput, FeedbackInput, ReceiptInput};
use super::meetings::{self, AttendanceInput, DecisionInput, DecisionTaskInput, MeetingInput, SpeechInput};
use super::remit::{self, QuestionInput};
use crate::accounts::service::{self as accounts, NewUser};
use crate::enterprises::demo::code;
use crate::enterprises::registry::{self, AccountInput, EnterpriseInput};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::Who;
use crate::kernel::calendar;
use crate::kernel::clock;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::registry::Demo;
use crate::params;

const DAY: i64 = 86_400_000;

/// (name, account, head, industries, department of its division)
const ASSOCIATIONS: [(&str, &str, &str, &[&str], &str); 6] = [
    ("青岛市海洋产业协会", "assoc-ocean", "王海涛", &["海洋", "海洋生物医药"], "hyj"),
    ("青岛市智能家电行业协会", "assoc-appliance", "李家明", &["智能家电"], "gxj"),
    ("青岛市轨道交通产业协会", "assoc-rail", "陈铁军", &["轨道交通"], "gxj"),
    ("青岛市服装时尚产业商会", "assoc-fashion", "赵丽华", &["时尚", "纺织服装"], "swj"),
    ("青岛市金融业协会", "assoc-finance", "孙金融", &["金融"], "jrj"),
    ("青岛市软件行业协会", "association", "周软件", &["软件", "工业互联网"], "gxj"),
];

fn at(now: i64, days_ago: i64) -> Who {
    Who::system("demo", now - days_ago * DAY)
}

fn one(tx: &mut Tx<'_>, sql: &str, code: &str) -> AppResult<i64> {
    tx.query_opt(sql, params![code])?
        .map(|r| r.int(0))
        .transpose()?
        .ok_or_else(|| AppError::internal(format!("demo: nothing for {code}")))
}

fn staff_of(tx: &mut Tx<'_>, department: &str) -> AppResult<CurrentUser> {
    let id = one(
        tx,
        "SELECT u.id FROM users u JOIN departments d ON d.id = u.department_id WHERE d.code = $1 \
         AND u.role = 'staff' AND u.active = 1 ORDER BY u.id",
        department,
    )?;
    Ok(accounts::find(tx, id)?.as_current())
}

fn account(tx: &mut Tx<'_>, who: &Who, demo: &Demo<'_>, username: &str, name: &str) -> AppResult<CurrentUser> {
    if let Ok(u) = accounts::find_by_username(tx, username) {
        return Ok(u.as_current());
    }
    let input = NewUser {
        username: username.into(),
        display_name: name.into(),
        role: "association".into(),
        department_id: None,
        division_id: None,
        password: String::new(),
        email: None,
        phone: None,
    };
    Ok(accounts::create(tx, who, &input, demo.locked_hash)?.as_current())
}

pub fn seed(tx: &mut Tx<'_>, demo: &Demo<'_>) -> AppResult<()> {
    let who = at(demo.now, 60);
    let members: Vec<i64> = tx
        .query("SELECT id FROM enterprises WHERE merged_into IS NULL ORDER BY id LIMIT 60", &[])?
        .iter()
        .map(|r| Ok(r.int(0)?))
        .collect::<AppResult<_>>()?;
    let mut ids = Vec::new();
    let mut users = Vec::new();
    for (n, (name, username, head, industries, department)) in ASSOCIATIONS.iter().enumerate() {
        let record = registry::create(
            tx,
            &who,
            &EnterpriseInput {
                name: (*name).into(),
                uscc: code("370200", 9600 + n as u32),
                legal_representative: (*head).into(),
                industry: industries[0].into(),
                district: "市南区".into(),
                source: "manual".into(),
                ..Default::default()
            },
        )?;
        let user = account(tx, &who, demo, username, name)?;
        registry::link_account(tx, &who, record.id, &AccountInput { user_id: user.id })?;
        let division = one(
            tx,
            "SELECT v.id FROM divisions v JOIN departments d ON d.id = v.department_id \
             WHERE d.code = $1 AND v.kind = 'market_allocation' ORDER BY v.id",
            department,
        )
        .ok();
        let a = associations::create(
            tx,
            &who,
            &AssociationInput {
                enterprise_id: record.id,
                kind: if name.ends_with("商会") { "chamber" } else { "association" }.into(),
                industries: industries.iter().map(|i| (*i).to_owned()).collect(),
                division_id: division,
                head_name: (*head).into(),
                secretary_name: String::new(),
                phone: format!("0532-8{:07}", 1_000_001 + n * 1111),
                active: true,
            },
        )?;
        let chosen = members.iter().skip(n * 10).take(10).copied().collect();
        associations::set_members(tx, &who, a.id, &MembersInput { enterprise_ids: chosen })?;
        ids.push(a.id);
        users.push(user);
    }
    let departments: Vec<i64> = ["gxj", "swj", "hyj", "jrj"]
        .iter()
        .map(|c| one(tx, "SELECT id FROM departments WHERE code = $1", c))
        .collect::<AppResult<_>>()?;
    let issuer = staff_of(tx, "fgw")?;
    let cal = calendar::load(tx)?;
    let papers = [
        (12, "青发改〔{y}〕12号", "关于建立行业协会商会列席经济工作会议制度的通知"),
        (4, "青发改〔{y}〕15号", "关于征集产业链“链主”企业和配套企业名单的通知"),
    ];
    for (n, (days_ago, number, title)) in papers.iter().enumerate() {
        let when = at(demo.now, *days_ago);
        let day = clock::local_date(when.now);
        let input = DocumentInput {
            number: number.replace("{y}", &chrono::Datelike::year(&day).to_string()),
            title: (*title).into(),
            body: "各有关部门，各行业协会商会：\n为发挥行业协会商会在资源配置中的作用，现将有关事项通知如下。\n一、请各单位认真组织落实。\n二、请于阅读期限前签收并反馈意见。".into(),
            classification: "internal".into(),
            issued_on: day.to_string(),
            read_by: None,
            issuer_department_id: None,
            department_ids: departments.clone(),
            association_ids: ids.clone(),
        };
        let d = documents::dispatch(tx, &when, &issuer, &cal, &input)?;
        // The older document: most have read it, two have acknowledged, one gave feedback;
        // the newer: only the ocean association so far.
        let readers: &[usize] = if n == 0 { &[0, 1, 3, 5] } else { &[0] };
        for r in readers {
            documents::read(tx, &at(demo.now, days_ago - 1), &users[*r], d.id, &ReceiptInput::default())?;
        }
        if n == 0 {
            documents::acknowledge(tx, &at(demo.now, days_ago - 1), &users[0], d.id)?;
            let reader = staff_of(tx, "gxj")?;
            documents::acknowledge(tx, &at(demo.now, days_ago - 2), &reader, d.id)?;
            let text = "协会已组织会员企业学习，建议会议材料提前三个工作日送达。".to_owned();
            documents::feedback(tx, &at(demo.now, days_ago - 2), &users[0], d.id, &FeedbackInput { feedback: text })?;
        }
    }
    meeting(tx, demo, &ids, &cal)?;
    line(tx, demo, &cal)?;
    questions(tx, demo, &ids)
}

fn user(tx: &mut Tx<'_>, username: &str) -> AppResult<CurrentUser> {
    Ok(accounts::find_by_username(tx, username)?.as_current())
}

/// Ten days ago: the government's economic meeting, with the ocean and software
/// associations in 列席 seats; the software association's head spoke on the second item,
/// whose decision the mayor made a task of the industry and information bureau.
fn meeting(tx: &mut Tx<'_>, demo: &Demo<'_>, associations: &[i64], cal: &calendar::WorkCalendar) -> AppResult<()> {
    let convener = staff_of(tx, "fgw")?;
    let (leader, head) = (user(tx, "leader")?, user(tx, "depthead")?);
    let gxj = staff_of(tx, "gxj")?;
    let start = demo.now - 10 * DAY;
    let day = clock::local_date(start);
    let input = MeetingInput {
        kind: "government".into(),
        title: format!("{}年二季度市政府经济工作会议", chrono::Datelike::year(&day)),
        starts_at: format!("{day}T09:00"),
        place: "市政府第一会议室".into(),
        items: vec!["一季度全市经济运行情况".into(), "行业协会商会参与产业链招商".into()],
        member_ids: vec![leader.id, head.id, gxj.id],
        association_ids: vec![associations[0], associations[5]],
    };
    let m = meetings::convene(tx, &at(demo.now, 14), &convener, &input)?;
    let held = Who::system("demo", clock::start_of_day_ms(day) + 12 * 3_600_000);
    let d = meetings::detail(tx, &convener, m.id)?;
    let present: Vec<i64> = d.invitees.iter().filter(|i| i.user_id != gxj.id).map(|i| i.id).collect();
    let present = meetings::attendance(tx, &held, &convener, m.id, &AttendanceInput { present: present.clone() })?;
    let seat = |user: i64| present.iter().find(|i| i.user_id == user).map(|i| i.id).unwrap_or_default();
    let software = associations::accounts(tx, associations[5])?.first().copied().unwrap_or_default();
    let said = [
        (0, seat(head.id), "一季度全市主要指标稳中有进，工业投资增速回升，建议加快重点项目开工。"),
        (1, seat(software), "软件行业协会可牵头组织会员企业对接工业互联网平台招商，建议政府开放产业链配套需求清单。"),
    ];
    for (item, invitee, summary) in said {
        let item_id = d.items[item].id;
        meetings::speech(
            tx,
            &held,
            &convener,
            m.id,
            &SpeechInput { item_id, invitee_id: invitee, summary: summary.into() },
        )?;
    }
    let decided = meetings::decide(
        tx,
        &held,
        &convener,
        m.id,
        &DecisionInput {
            item_id: Some(d.items[1].id),
            text: "由市工业和信息化局会同软件行业协会编制工业互联网产业链配套需求清单，向会员企业发布。".into(),
        },
    )?;
    let env = demo.environment(tx)?;
    let port = demo.registry.tasks()?;
    let gxj_department = gxj.department_id.unwrap_or_default();
    let deadline = cal.add_working_days(clock::local_date(demo.now), 15).to_string();
    let task = DecisionTaskInput { assignee_id: gxj.id, department_id: gxj_department, deadline };
    meetings::make_task(tx, &held, &leader, decided.id, &task, (port, &env))?;
    Ok(())
}

/// The demo enterprise's direct line with the mayor: a request answered on time and
/// judged satisfied, one answered late, and one still open.
fn line(tx: &mut Tx<'_>, demo: &Demo<'_>, cal: &calendar::WorkCalendar) -> AppResult<()> {
    let Ok(enterprise) = user(tx, "enterprise") else { return Ok(()) };
    let (leader, head, responder) = (user(tx, "leader")?, user(tx, "depthead")?, user(tx, "staff")?);
    let thread = |subject: &str, body: &str| ThreadInput {
        leader_id: leader.id,
        subject: subject.into(),
        body: body.into(),
        request: true,
    };
    let requests: [(i64, Option<i64>, &str, &str, &str); 3] = [
        (
            20,
            Some(19),
            "工业互联网项目用能指标",
            "我公司工业互联网平台二期项目年内投产，需新增用能指标约3000吨标煤，恳请协调。",
            "已会同市发展改革委核定，二期项目用能指标纳入全市统筹，请于下周报送节能审查材料。",
        ),
        (
            14,
            Some(2),
            "链主企业配套目录",
            "希望将我公司列入产业链“链主”企业名单，并发布配套需求。",
            "已列入征集名单，配套需求目录将随青发改〔2019〕15号文件一并发布。",
        ),
        (1, None, "人才公寓配额", "新引进的研发团队40人，申请人才公寓配额。", ""),
    ];
    for (ago, answered_ago, subject, body, answer) in requests {
        let t = direct_line::start(tx, &at(demo.now, ago), &enterprise, cal, &thread(subject, body))?;
        let r = direct_line::requests(tx, &enterprise, t.id, demo.now)?.remove(0);
        direct_line::assign(tx, &at(demo.now, ago), &head, r.id, &AssignInput { responder_id: responder.id })?;
        let Some(answered_ago) = answered_ago else {
            let note = MessageInput {
                body: "已收到，正在与市住房城乡建设局对接，三个工作日内答复。".into(),
                request: false,
            };
            direct_line::post(tx, &at(demo.now, ago), &responder, cal, t.id, &note)?;
            continue;
        };
        let when = at(demo.now, answered_ago);
        direct_line::answer(tx, &when, &responder, cal, r.id, &AnswerInput { answer: answer.into() })?;
        if ago == 20 {
            let judged =
                JudgementInput { judgement: "satisfied".into(), note: "答复及时，问题已解决。".into() };
            direct_line::judge(tx, &at(demo.now, answered_ago - 1), &enterprise, cal, r.id, &judged)?;
        }
    }
    Ok(())
}

/// Questions in the development and reform commission's market-allocation remit, one of
/// each class.
fn questions(tx: &mut Tx<'_>, demo: &Demo<'_>, associations: &[i64]) -> AppResult<()> {
    let staff = user(tx, "staff")?;
    let rows: [(&str, &str, &str, Option<i64>, &str); 3] = [
        (
            "行业标准制定与会员企业培训",
            "to_market",
            "行业协会熟悉企业需求，已有成熟的培训和团体标准工作机制，由协会承接更贴近市场。",
            Some(associations[5]),
            "",
        ),
        (
            "海洋生物医药中试平台",
            "cultivate",
            "中试服务市场尚处起步阶段，社会资本不愿先行投入，需政府引导培育。",
            None,
            "",
        ),
        (
            "中小企业首贷融资增信",
            "failure",
            "信息不对称导致中小企业首贷难，市场自身难以解决，由政府性融资担保机构介入。",
            None,
            "",
        ),
    ];
    for (n, (title, class, reason, association_id, platform)) in rows.iter().enumerate() {
        let input = QuestionInput {
            division_id: staff.division_id,
            title: (*title).into(),
            detail: String::new(),
            class: (*class).into(),
            reason: (*reason).into(),
            association_id: *association_id,
            platform: (*platform).into(),
        };
        remit::create(tx, &at(demo.now, 30 - n as i64), &staff, &input)?;
    }
    Ok(())
}
