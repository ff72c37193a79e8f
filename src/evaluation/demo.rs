//! Demo ratings: every member of every division rated over the last four quarters,
//! with bad reviews in every state of their process.

use super::bad_reviews;
use super::ratings::{self, InteractionInput, RatingInput};
use crate::accounts::service::{self as accounts, NewUser};
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::Who;
use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
use crate::kernel::registry::Demo;
use crate::kernel::workflow::Rules;
use crate::org::people::{self, PersonInput};

const DAY: i64 = 86_400_000;

const SERVICES: [&str; 6] = [
    "企业开办登记咨询",
    "项目备案材料审核",
    "惠企政策兑现申报指导",
    "用地预审意见答复",
    "招商项目对接协调",
    "市场主体变更登记",
];

/// A small deterministic sequence, so every demo city is the same.
struct Dice(u64);

impl Dice {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
    /// Mostly satisfied, sometimes fairly, rarely dissatisfied.
    fn level(&mut self) -> i64 {
        match self.next(100) {
            0..=54 => 5,
            55..=86 => 4,
            87..=96 => 3,
            97..=98 => 2,
            _ => 1,
        }
    }
}

fn current(tx: &mut Tx<'_>, id: i64) -> AppResult<CurrentUser> {
    Ok(accounts::find(tx, id)?.as_current())
}

fn who(id: Option<i64>, name: &str, now: i64) -> Who {
    Who { actor_id: id, actor: name.to_owned(), ip: "demo".into(), request_id: "demo".into(), now }
}

/// Give every person in a post an account (no one knows its password) so they can be
/// rated, then rate them.
pub fn seed(tx: &mut Tx<'_>, demo: &Demo<'_>) -> AppResult<()> {
    let (now, locked_hash) = (demo.now, demo.locked_hash);
    let system = Who::system("demo", now - 400 * DAY);
    let staff = tx.query(
        "SELECT pe.id, pe.name, p.is_head, v.id, v.department_id FROM people pe \
         JOIN assignments a ON a.person_id = pe.id AND a.end_date IS NULL JOIN posts p ON p.id = a.post_id \
         JOIN divisions v ON v.id = p.division_id WHERE pe.user_id IS NULL AND pe.leader_title IS NULL ORDER BY pe.id",
        &[],
    )?;
    for r in &staff {
        let (person, name, head, division, department) = (r.int(0)?, r.text(1)?, r.bool(2)?, r.int(3)?, r.int(4)?);
        let input = NewUser {
            username: format!("p{person:04}"),
            display_name: name.clone(),
            role: if head { "division_head" } else { "staff" }.into(),
            department_id: Some(department),
            division_id: Some(division),
            password: String::new(),
            email: None,
            phone: None,
        };
        let u = accounts::create(tx, &system, &input, locked_hash)?;
        let p = people::find(tx, person)?;
        let link =
            PersonInput { name: p.name, leader_title: None, user_id: Some(u.id), visibility: Some(p.visibility) };
        people::update(tx, &system, person, &link)?;
    }

    let rated: Vec<i64> = tx
        .query("SELECT id FROM users WHERE role IN ('staff', 'division_head') AND division_id IS NOT NULL AND active = 1 ORDER BY id", &[])?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    let mut dice = Dice(20_190_410);
    let mut bad = Vec::new();
    let mut served = 0u32;
    for quarter in 0..4i64 {
        let base = now - (3 - quarter) * 91 * DAY - 80 * DAY;
        for &id in &rated {
            let member = current(tx, id)?;
            for k in 0..(2 + dice.next(3) as i64) {
                let at = base + (dice.next(75) as i64) * DAY + k * 3_600_000;
                let service = SERVICES[dice.next(SERVICES.len() as u64) as usize];
                let kind = if dice.next(2) == 0 { "counter" } else { "enquiry" };
                served += 1;
                let inv = ratings::invite(
                    tx,
                    &who(Some(id), &member.username, at),
                    &member,
                    &InteractionInput {
                        kind: kind.into(),
                        summary: service.into(),
                        served_name: String::new(),
                        served_contact: format!("139{served:08}"),
                        ref_id: None,
                    },
                    "http://127.0.0.1:8080",
                )?;
                let levels = [dice.level(), dice.level(), dice.level(), dice.level()];
                let input = RatingInput {
                    token: inv.token,
                    code: inv.code.unwrap_or_default(),
                    attitude: levels[0],
                    style: levels[1],
                    efficiency: levels[2],
                    competence: levels[3],
                    comment: if levels.iter().any(|l| *l <= 2) {
                        "等了很久才有人答复，材料也被退回两次。".into()
                    } else {
                        String::new()
                    },
                    rater_name: "企业经办人".into(),
                    rater_contact: "0532-8000 0000".into(),
                };
                let rated = ratings::rate(tx, &who(None, "anonymous", at + 3_600_000), &Default::default(), &input)??;
                if rated.bad_review {
                    bad.push((rated.id, member.clone(), at));
                }
            }
        }
    }
    // The history's invitations were delivered long ago.
    tx.execute("UPDATE outbox SET sent_at = created_at WHERE notification_id IS NULL AND sent_at IS NULL", &[])?;
    move_bad_reviews(tx, now, &bad)?;
    seed_pool(tx, now)
}

/// Two members of the development and reform commission in the pool: one return
/// awaiting the department head, one in practical training with an assessment.
fn seed_pool(tx: &mut Tx<'_>, now: i64) -> AppResult<()> {
    use super::pool::{self, AssessmentInput, Plan, Proposal, Step};
    let spec = &super::POOL_CASE;
    let rules = Rules::shipped(tx, spec)?;
    let director = accounts::find_by_username(tx, "depthead")?;
    let director = current(tx, director.id)?;
    let heads: Vec<i64> = tx
        .query(
            "SELECT u.id FROM users u JOIN divisions v ON v.id = u.division_id JOIN departments d ON d.id = v.department_id \
             WHERE d.code = 'fgw' AND u.role = 'division_head' ORDER BY v.kind DESC, u.id",
            &[],
        )?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    for (n, head) in heads.into_iter().take(2).enumerate() {
        let head = current(tx, head)?;
        let member = tx
            .query_opt(
                "SELECT id FROM users WHERE division_id = $1 AND role = 'staff' AND username LIKE 'p%' ORDER BY id LIMIT 1",
                crate::params![head.division_id.unwrap_or(-1)],
            )?
            .map(|r| r.int(0))
            .transpose()?;
        let Some(member) = member else { continue };
        let at = now - (40 - 20 * n as i64) * DAY;
        let reasons = if n == 0 {
            "连续两个季度服务评价处于末位，约谈后仍未改进。"
        } else {
            "政策答复多次出错，经约谈仍不能胜任本岗位。"
        };
        let proposal =
            Proposal { staff_id: member, reasons: reasons.into(), evidence: "评价得分与约谈记录".into() };
        let case = pool::propose(tx, &who(Some(head.id), &head.username, at), &head, &proposal)?;
        if n == 0 {
            let w = who(Some(director.id), &director.username, at + 2 * DAY);
            let step = Step {
                transition: "approve".into(),
                note: Some("同意入池，安排到企业体悟实训。".into()),
                division_id: None,
                post_id: None,
            };
            pool::transition(tx, &w, &director, &rules, case.id, &step)?;
            let start = crate::kernel::clock::local_date(at + 5 * DAY);
            let plan = Plan {
                plan_kind: "practice".into(),
                host_enterprise: "青岛海联智造有限公司".into(),
                mentor: "赵建国（生产运营部）".into(),
                start_date: start.to_string(),
                end_date: (start + chrono::Duration::days(90)).to_string(),
            };
            pool::set_plan(tx, &w, &director, case.id, &plan)?;
            let check = AssessmentInput {
                assessed_on: crate::kernel::clock::local_date(at + 30 * DAY).to_string(),
                result: "improving".into(),
                note: "能主动了解企业诉求，服务意识明显提高。".into(),
            };
            pool::assess(tx, &who(Some(head.id), &head.username, at + 30 * DAY), &head, case.id, &check)?;
        }
    }
    Ok(())
}

/// Walk the bad reviews through the process so every state is shown.
fn move_bad_reviews(tx: &mut Tx<'_>, now: i64, bad: &[(i64, CurrentUser, i64)]) -> AppResult<()> {
    let spec = &super::BAD_REVIEW;
    let rules = Rules::shipped(tx, spec)?;
    let supervisor = tx
        .query_opt("SELECT id FROM users WHERE role = 'supervisor' ORDER BY id LIMIT 1", &[])?
        .map(|r| r.int(0))
        .transpose()?;
    let plans: [&[(&str, &str)]; 6] = [
        &[],
        &[("found", "经核实，答复确有延误，属实。")],
        &[("found", "属实。"), ("report_fix", "已重新办理并电话回访评价人。")],
        &[("found", "属实。"), ("report_fix", "已整改。"), ("rater_satisfied", "评价人认可整改结果。")],
        &[("appeal", "当日该企业材料不全，已一次性告知，申请复核。")],
        &[("appeal", "系误评：评价人所述事项不属本处室职责。"), ("uphold_appeal", "经复核，申诉成立，撤销差评。")],
    ];
    for (i, (id, member, at)) in bad.iter().enumerate() {
        let heads = bad_reviews::unit_heads(tx, member.department_id.unwrap_or(-1), member.division_id)?;
        let Some(head) = heads.first().copied() else { continue };
        let head = current(tx, head)?;
        for (step, (transition, note)) in plans[i % plans.len()].iter().enumerate() {
            let actor = if matches!(*transition, "uphold_appeal" | "rater_satisfied") {
                match supervisor {
                    Some(s) => current(tx, s)?,
                    None => continue,
                }
            } else {
                head.clone()
            };
            let at = (at + (step as i64 + 1) * 2 * DAY).min(now);
            bad_reviews::transition(
                tx,
                &who(Some(actor.id), &actor.username, at),
                &actor,
                &rules,
                *id,
                transition,
                Some(note),
                "",
            )?;
        }
    }
    Ok(())
}
