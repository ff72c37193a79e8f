//! Demo matters drawn from the article, with tasks in every state and every light.

use std::sync::Arc;

use super::matters::{self, MatterInput};
use super::tasks::{self, ProgressInput, TaskInput, View};
use super::{MATTER, TASK, extensions};
use crate::accounts::service as accounts;
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::Who;
use crate::kernel::calendar;
use crate::kernel::clock;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::registry::Demo;
use crate::kernel::workflow;

const DAY: i64 = 86_400_000;

fn user(tx: &mut Tx<'_>, username: &str) -> AppResult<CurrentUser> {
    Ok(accounts::find_by_username(tx, username)?.as_current())
}

fn who(u: &CurrentUser, now: i64) -> Who {
    Who::demo(u, now)
}

/// One task to create `days_ago` days before today, due `due_in` working days after
/// that, then moved through `steps` (transition, note) by its responsible person or the
/// deciding leader.
struct Plan<'a> {
    title: &'a str,
    kind: &'a str,
    assignee: &'a str,
    days_ago: i64,
    due_in: i64,
    steps: &'a [(&'a str, &'a str)],
    progress: Option<(&'a str, i64)>,
}

pub fn seed(tx: &mut Tx<'_>, demo: &Demo<'_>) -> AppResult<()> {
    let now = demo.now;
    let cal = Arc::new(calendar::load(tx)?);
    let parse =
        |spec: &workflow::Spec| workflow::parse(spec, spec.builtin).map_err(|e| AppError::internal(e.join("; ")));
    let (matter_process, task_process) = (Arc::new(parse(&MATTER)?), Arc::new(parse(&TASK)?));
    let mayor = user(tx, "leader")?;
    let head = user(tx, "depthead")?;

    let matters: [(&CurrentUser, MatterInput, Vec<Plan<'_>>); 3] = [
        (
            &mayor,
            MatterInput {
                title: "推动2019春季央企青岛行签约项目落地".into(),
                description:
                    "2019年4月10日春季央企青岛行签约项目18个、总投资235亿元，逐一明确责任部门，推动早落地、早投产。"
                        .into(),
                kickoff_date: Some("2019-04-10".into()),
                kickoff_attendees: "市发展改革委、市商务局、市工业和信息化局、各区（市）".into(),
                kickoff_decisions: "一个项目一个责任部门；每周报送进展；用地、能耗指标由市发展改革委牵头研究保障。"
                    .into(),
                ..Default::default()
            },
            vec![
                Plan {
                    title: "梳理18个签约项目清单并逐一明确责任部门",
                    kind: "execute",
                    assignee: "staff",
                    days_ago: 30,
                    due_in: 5,
                    steps: &[
                        ("accept", ""),
                        ("start", ""),
                        ("submit_feedback", "18个项目清单已报送，责任部门均已明确。"),
                        ("approve", ""),
                        ("archive", ""),
                    ],
                    progress: None,
                },
                Plan {
                    title: "研究签约项目用地与能耗指标保障方案",
                    kind: "research",
                    assignee: "staff",
                    days_ago: 20,
                    due_in: 8,
                    steps: &[("accept", ""), ("start", "")],
                    progress: Some(("已与自然资源和规划局对接用地指标，能耗指标测算中。", 40)),
                },
                Plan {
                    title: "建立签约项目落地推进台账",
                    kind: "execute",
                    assignee: "staff2",
                    days_ago: 10,
                    due_in: 9,
                    steps: &[("accept", ""), ("start", "")],
                    progress: Some(("台账框架已建立，已录入11个项目。", 60)),
                },
            ],
        ),
        (
            &mayor,
            MatterInput {
                title: "委托平台企业带动全市1900余家新一代信息技术企业转型升级".into(),
                description: "委托华为等平台企业，向符合条件的企业开放云服务和采购链，带动全市新一代信息技术企业升级。"
                    .into(),
                kickoff_date: Some("2019-05-20".into()),
                kickoff_attendees: "市工业和信息化局、市大数据发展管理局、平台企业代表".into(),
                kickoff_decisions: "工信局牵头制定方案；首批遴选200家企业。".into(),
                ..Default::default()
            },
            vec![
                Plan {
                    title: "制定企业上云与采购链开放方案",
                    kind: "execute",
                    assignee: "staff3",
                    days_ago: 12,
                    due_in: 10,
                    steps: &[("accept", ""), ("start", ""), ("submit_feedback", "方案已完成，附企业分级标准。")],
                    progress: None,
                },
                Plan {
                    title: "遴选首批200家合格企业名单",
                    kind: "execute",
                    assignee: "staff3",
                    days_ago: 2,
                    due_in: 20,
                    steps: &[],
                    progress: None,
                },
                Plan {
                    title: "研究平台企业激励政策",
                    kind: "research",
                    assignee: "staff3",
                    days_ago: 9,
                    due_in: 8,
                    steps: &[("accept", "")],
                    progress: None,
                },
            ],
        ),
        (
            &head,
            MatterInput {
                title: "跟踪全球（青岛）创投风投大会基金落地".into(),
                description: "2019年5月9日大会后，至7月底97家基金机构注册，私募基金规模709.2亿元；跟踪后续落地。"
                    .into(),
                kickoff_date: Some("2019-05-10".into()),
                kickoff_attendees: "市发展改革委、市地方金融监督管理局".into(),
                kickoff_decisions: "按月通报基金注册与投资情况。".into(),
                ..Default::default()
            },
            vec![
                Plan {
                    title: "按月汇总基金注册与投资情况",
                    kind: "execute",
                    assignee: "staff",
                    days_ago: 6,
                    due_in: 15,
                    steps: &[("accept", "")],
                    progress: None,
                },
                Plan {
                    title: "梳理基金落地的政策诉求",
                    kind: "research",
                    assignee: "divhead",
                    days_ago: 15,
                    due_in: 6,
                    steps: &[
                        ("accept", ""),
                        ("start", ""),
                        ("submit_report", "共梳理诉求23条，已分类转相关部门。"),
                        ("return_report", "请补充每条诉求的办理时限"),
                    ],
                    progress: None,
                },
            ],
        ),
    ];

    for (leader, input, plans) in matters {
        let opened_at = now - plans.iter().map(|p| p.days_ago).max().unwrap_or(0) * DAY - DAY;
        let m = matters::create(tx, &who(leader, opened_at), leader, &matter_process, &input)?;
        for plan in plans {
            let at = now - plan.days_ago * DAY;
            let view = View {
                process: task_process.clone(),
                calendar: cal.clone(),
                today: clock::local_date(at),
                followers: Vec::new(),
            };
            let assignee = user(tx, plan.assignee)?;
            let input = TaskInput {
                title: plan.title.into(),
                kind: plan.kind.into(),
                assignee_id: assignee.id,
                lead_department_id: assignee.department_id.unwrap_or_default(),
                working_days: Some(plan.due_in),
                ..Default::default()
            };
            let t = tasks::create(tx, &who(leader, at), leader, m.id, &input, &view)?;
            for (i, (step, note)) in plan.steps.iter().enumerate() {
                let step_at = at + (i as i64 + 1) * DAY / 2;
                let actor = if ["approve", "adopt", "return", "return_report", "archive"].contains(step) {
                    leader
                } else {
                    &assignee
                };
                let v = View { today: clock::local_date(step_at), ..view.clone() };
                if *step == "submit_report" {
                    let report = super::research::ReportInput {
                        background: "走访已注册基金 12 家，召开座谈会 2 次。".into(),
                        conclusions: (*note).into(),
                        recommendations: "建议由市地方金融监管局牵头建立基金落地服务专班。".into(),
                    };
                    super::research::write(tx, &who(actor, step_at), actor, t.id, &report, &v)?;
                }
                let note = (!note.is_empty()).then_some(*note);
                tasks::transition(tx, &who(actor, step_at), actor, t.id, step, note, &v)?;
            }
            if let Some((body, progress)) = plan.progress {
                let input = ProgressInput { body: body.into(), progress: Some(progress) };
                tasks::report_progress(tx, &who(&assignee, now - DAY), &assignee, t.id, &input, &view)?;
            }
            if plan.title.starts_with("建立签约项目") {
                let request = extensions::ExtensionRequest {
                    deadline: cal.add_working_days(clock::local_date(now), 10).to_string(),
                    reason: "部分项目仍在洽谈合同细节，需延后一周。".into(),
                };
                extensions::request(
                    tx,
                    &who(&assignee, now - DAY / 2),
                    &assignee,
                    t.id,
                    &request,
                    &View { today: clock::local_date(now), ..view },
                )?;
            }
        }
    }
    let scheduler = Who::system("scheduler", now);
    crate::kernel::workflow::deadlines::sweep(tx, &scheduler, &cal, &super::TASK)?;
    let env = demo.environment(tx)?;
    super::sweep(tx, &scheduler, &env)?;
    Ok(())
}
