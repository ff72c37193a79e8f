//! The demo city's mechanism 2: the platforms the article names (Huawei entrusted with the
//! city's new-generation IT enterprises), its eight events with the meetings and contacts
//! of the first, and the projects they brought: 2019春季央企青岛行's 18 projects worth
//! 235亿元, the 97 funds registered after the venture-capital conference (709.2亿元), and
//! projects of the other events in every stage, some stalled.

use chrono::{Duration, NaiveDate};

use super::events::{self, ContactInput, EventInput, MeetingInput};
use super::platforms::{self, CohortInput, CohortMemberInput, PlatformInput, Qualification};
use super::projects::{self, ProjectInput};
use crate::enterprises::registry::Named;
use crate::kernel::access::CurrentUser;
use crate::kernel::audit::Who;
use crate::kernel::clock;
use crate::kernel::db::Tx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::registry::Demo;
use crate::kernel::workflow::Rules;
use crate::params;

fn user(tx: &mut Tx<'_>, name: &str) -> AppResult<CurrentUser> {
    Ok(crate::accounts::service::find_by_username(tx, name)?.as_current())
}

fn enterprise_id(tx: &mut Tx<'_>, name: &str) -> AppResult<Option<i64>> {
    Ok(tx
        .query_opt("SELECT id FROM enterprises WHERE name = $1 AND merged_into IS NULL", params![name])?
        .map(|r| r.int(0))
        .transpose()?)
}

fn day(s: &str) -> AppResult<NaiveDate> {
    clock::parse_date(s).ok_or_else(|| AppError::internal(format!("demo date {s}")))
}

/// A seeded project began negotiating on an article's day (which may lie ahead of a clock
/// set earlier, as in the tests).
fn began(tx: &mut Tx<'_>, id: i64, on: &str) -> AppResult<()> {
    tx.execute("UPDATE projects SET negotiating_on = $1 WHERE id = $2", params![on, id])?;
    Ok(())
}

/// Put a seeded project in the stage it reached in 2019, with the days it reached each.
fn reached(tx: &mut Tx<'_>, id: i64, state: &str, dates: [Option<&str>; 3]) -> AppResult<()> {
    tx.execute(
        "UPDATE projects SET state = $1, signed_on = $2, landed_on = $3, producing_on = $4 WHERE id = $5",
        params![state, dates[0], dates[1], dates[2], id],
    )?;
    Ok(())
}

const SOE_PROJECTS: [(&str, &str, &str, i64); 18] = [
    ("中国中车股份有限公司", "轨道交通装备产业园", "城阳区", 32),
    ("中国船舶集团有限公司", "海洋装备研发制造基地", "黄岛区", 25),
    ("中国石油化工集团有限公司", "炼化一体化升级项目", "黄岛区", 20),
    ("国家电网有限公司", "综合能源服务示范区", "即墨区", 18),
    ("中国建筑集团有限公司", "城市更新片区开发", "李沧区", 16),
    ("中国航天科工集团有限公司", "商业航天产业园", "崂山区", 15),
    ("中国电子科技集团有限公司", "海洋电子信息产业基地", "崂山区", 14),
    ("中国交通建设集团有限公司", "港航物流枢纽", "黄岛区", 13),
    ("中国华能集团有限公司", "海上风电项目", "莱西市", 12),
    ("中国远洋海运集团有限公司", "国际航运服务中心", "市北区", 11),
    ("中国通用技术（集团）控股有限责任公司", "高端医疗器械基地", "胶州市", 10),
    ("中国中化控股有限责任公司", "新材料研发中心", "黄岛区", 10),
    ("中国电信集团有限公司", "数据中心二期", "即墨区", 9),
    ("中国铁建股份有限公司", "地铁装备维保基地", "城阳区", 8),
    ("中国国新控股有限责任公司", "国有资本运营平台", "市南区", 8),
    ("中国诚通控股集团有限公司", "供应链金融中心", "市南区", 6),
    ("中国能源建设集团有限公司", "氢能示范项目", "平度市", 5),
    ("中国节能环保集团有限公司", "固废综合利用项目", "平度市", 3),
];

const FUND_WORDS: [&str; 12] =
    ["海创", "蓝海", "琴岛", "金石", "鼎晖", "启明", "红杉", "深创", "青银", "国信", "崂山", "财富"];

pub fn seed(tx: &mut Tx<'_>, demo: &Demo<'_>) -> AppResult<()> {
    let who = Who::system("demo", demo.now);
    let rules = Rules::shipped(tx, &super::PROJECT)?;
    let today = clock::local_date(demo.now);
    let commerce = user(tx, "staff2")?;
    let market = user(tx, "staff")?;
    let (swj, fgw) = (commerce.department_id.unwrap_or_default(), market.department_id.unwrap_or_default());
    let leader = user(tx, "leader")?;

    let named_platforms: [(&str, &str, &str, &str, Option<&str>); 6] = [
        ("华为", "enterprise", "云计算、供应链与产业生态", "新一代信息技术", Some("华为技术有限公司")),
        ("海尔卡奥斯工业互联网平台", "enterprise", "工业互联网、智能制造解决方案", "高端装备", Some("海尔集团公司")),
        ("启迪控股", "enterprise", "科技园区、孵化器与创投基金", "科技服务", Some("启迪控股股份有限公司")),
        ("商汤科技", "enterprise", "人工智能算法与算力", "人工智能", Some("北京市商汤科技开发有限公司")),
        ("正和岛", "intermediary", "企业家社群与年会", "企业服务", Some("北京正和岛信息科技有限公司")),
        ("创业黑马", "intermediary", "创业者服务与产业加速", "企业服务", Some("北京创业黑马科技有限公司")),
    ];
    let mut platform_ids = Vec::new();
    for (name, kind, aggregates, sectors, enterprise) in named_platforms {
        let enterprise_id = match enterprise {
            Some(e) => enterprise_id(tx, e)?,
            None => None,
        };
        let input = PlatformInput {
            name: name.into(),
            kind: kind.into(),
            aggregates: aggregates.into(),
            sectors: sectors.into(),
            department_id: swj,
            enterprise_id,
        };
        platform_ids.push(platforms::create(tx, &who, &leader, &input)?.id);
    }
    for (name, kind, aggregates) in [
        ("全球（青岛）创投风投大会", "conference", "创投、风投机构与基金"),
        ("中国国际消费电子博览会", "exhibition", "消费电子品牌与采购商"),
        ("青岛·中国财富论坛", "forum", "金融机构与财富管理"),
    ] {
        let input = PlatformInput {
            name: name.into(),
            kind: kind.into(),
            aggregates: aggregates.into(),
            sectors: "现代金融".into(),
            department_id: fgw,
            enterprise_id: None,
        };
        platform_ids.push(platforms::create(tx, &who, &leader, &input)?.id);
    }
    let (huawei, qidi, sensetime, zhenghedao, heima, vc_conference) =
        (platform_ids[0], platform_ids[2], platform_ids[3], platform_ids[4], platform_ids[5], platform_ids[6]);

    // Huawei entrusted with upgrading the city's new-generation IT enterprises.
    let cohort = platforms::entrust(
        tx,
        &who,
        &leader,
        huawei,
        &CohortInput {
            name: "新一代信息技术企业赋能升级".into(),
            opened: "华为云资源、鲲鹏生态适配、采购供应链".into(),
            entrusted_on: "2019-03-15".into(),
            target: 1900,
        },
    )?;
    let it: Vec<i64> = tx
        .query(
            "SELECT id FROM enterprises WHERE industry = '新一代信息技术' AND merged_into IS NULL \
             AND name LIKE '青岛%' ORDER BY id",
            &[],
        )?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    for (i, e) in it.iter().enumerate() {
        let joined = day("2019-03-20")? + Duration::days(i as i64 % 40);
        let member = CohortMemberInput {
            enterprise: Named { enterprise_id: Some(*e), ..Named::default() },
            joined_on: joined.to_string(),
        };
        platforms::add_member(tx, &who, &leader, cohort.id, &member)?;
        if i % 3 == 0 {
            let q = Qualification { qualified_on: (joined + Duration::days(60)).to_string() };
            platforms::qualify(tx, &who, &leader, cohort.id, *e, &q)?;
        }
    }

    let event_list: [(&str, &str, &str, &str, &[i64]); 8] = [
        ("2019春季央企青岛行", "2019-04-10", "青岛国际会议中心", "市委、市政府；国务院国资委", &[]),
        (
            "全球（青岛）创投风投大会",
            "2019-05-09",
            "青岛国际会展中心",
            "市政府、中国证券投资基金业协会",
            &[vc_conference, qidi],
        ),
        ("博鳌亚洲论坛全球健康论坛大会", "2019-06-10", "青岛国际会议中心", "博鳌亚洲论坛、市政府", &[]),
        ("深圳\"招商引资、招才引智\"推介会", "2019-03-28", "深圳", "市政府", &[huawei]),
        ("2019正和岛创变者年会", "2019-01-12", "青岛", "正和岛", &[zhenghedao]),
        ("全国科技装备业商会助力青岛行", "2019-05-22", "青岛", "全国工商联科技装备业商会", &[]),
        ("创意青岛大会", "2019-06-20", "青岛", "市委宣传部、市文化和旅游局", &[heima]),
        ("2019青岛·中国财富论坛", "2019-07-26", "青岛国际会议中心", "市政府、中国金融四十人论坛", &[platform_ids[8]]),
    ];
    let mut event_ids = Vec::new();
    for (name, held_on, place, organisers, with) in event_list {
        let input = EventInput {
            name: name.into(),
            held_on: held_on.into(),
            place: place.into(),
            organisers: organisers.into(),
            summary: String::new(),
            department_id: swj,
            platform_ids: with.to_vec(),
        };
        event_ids.push(events::create(tx, &who, &leader, &input)?.id);
    }
    let soe_event = event_ids[0];
    for (timing, held_on, title) in [
        ("before", "2019-04-02", "会前对接：与国务院国资委梳理来青央企名单和合作意向"),
        ("before", "2019-04-08", "会前对接：逐个项目确定签约主体和责任部门"),
        ("after", "2019-04-19", "会后对接：签约项目逐一明确责任部门，推动早落地、早投产"),
    ] {
        let m =
            MeetingInput { timing: timing.into(), held_on: held_on.into(), title: title.into(), notes: String::new() };
        events::add_meeting(tx, &who, &leader, soe_event, &m)?;
    }

    // 2019春季央企青岛行: 18 projects signed on the day, 235亿元 in all.
    for (i, (enterprise, title, district, yi)) in SOE_PROJECTS.iter().enumerate() {
        let staff = if i % 3 == 2 { &market } else { &commerce };
        let input = ProjectInput {
            title: format!("{enterprise}{title}"),
            enterprise: Named { enterprise_name: (*enterprise).into(), ..Named::default() },
            event_id: Some(soe_event),
            platform_id: None,
            sector: ["高端装备", "海洋经济", "新材料", "现代物流"][i % 4].into(),
            district: (*district).into(),
            amount_yuan: serde_json::Value::String(format!("{}", yi * 100_000_000)),
            department_id: staff.department_id.unwrap_or_default(),
            responsible_id: staff.id,
            negotiating_on: String::new(),
        };
        let p = projects::create(tx, &who, &leader, &rules, &input)?;
        began(tx, p.id, "2019-03-01")?;
        let contact = ContactInput {
            enterprise: Named { enterprise_id: Some(p.enterprise_id), ..Named::default() },
            responsible_id: staff.id,
            next_step: "已签约，按月调度落地进度".into(),
        };
        let c = events::add_contact(tx, &who, &leader, soe_event, &contact)?;
        events::follow_up(
            tx,
            &who,
            &leader,
            c.id,
            &events::FollowUp { next_step: c.next_step, status: "project".into() },
        )?;
        match i % 3 {
            0 => reached(tx, p.id, "producing", [Some("2019-04-10"), Some("2019-06-18"), Some("2019-11-28")])?,
            1 => reached(tx, p.id, "landed", [Some("2019-04-10"), Some("2019-07-02"), None])?,
            _ => reached(tx, p.id, "signed", [Some("2019-04-10"), None, None])?,
        }
    }
    for (name, step) in [
        ("中国华电集团有限公司", "约定5月赴华电总部洽谈海上风电"),
        ("中国宝武钢铁集团有限公司", "等待对方确认合作主体"),
    ] {
        let contact = ContactInput {
            enterprise: Named { enterprise_name: name.into(), ..Named::default() },
            responsible_id: commerce.id,
            next_step: step.into(),
        };
        events::add_contact(tx, &who, &leader, soe_event, &contact)?;
    }

    // 全球（青岛）创投风投大会: 97 fund institutions registered by the end of July,
    // 709.2亿元 of fund scale (in 万元 so the total is exact).
    let total_wan: i64 = 7_092_000;
    let mut so_far = 0;
    for i in 0..97i64 {
        let wan = if i == 96 { total_wan - so_far } else { 20_000 + (i * 7_919) % 90_000 };
        so_far += wan;
        let word = FUND_WORDS[i as usize % FUND_WORDS.len()];
        let second = FUND_WORDS[(i as usize / FUND_WORDS.len() + i as usize + 1) % FUND_WORDS.len()];
        let input = ProjectInput {
            title: format!("{word}{second}基金注册落户"),
            enterprise: Named {
                enterprise_name: format!("青岛{word}{second}股权投资基金合伙企业（有限合伙）{}号", i + 1),
                ..Named::default()
            },
            event_id: Some(event_ids[1]),
            platform_id: Some(vc_conference),
            sector: "现代金融".into(),
            district: ["市南区", "崂山区", "黄岛区"][i as usize % 3].into(),
            amount_yuan: serde_json::Value::String(format!("{}", wan * 10_000)),
            department_id: fgw,
            responsible_id: market.id,
            negotiating_on: String::new(),
        };
        let p = projects::create(tx, &who, &leader, &rules, &input)?;
        began(tx, p.id, "2019-05-09")?;
        let registered = day("2019-05-20")? + Duration::days(i % 70);
        reached(tx, p.id, "landed", [Some("2019-05-09"), Some(&registered.to_string()), None])?;
    }

    // The other events and the platforms: projects in every stage, some stalling.
    let sources: [(usize, Option<i64>, &str); 6] = [
        (2, None, "医养健康"),
        (3, Some(huawei), "新一代信息技术"),
        (4, Some(zhenghedao), "企业服务"),
        (5, None, "高端装备"),
        (6, Some(heima), "文化旅游"),
        (7, Some(sensetime), "人工智能"),
    ];
    let local: Vec<(i64, String)> = tx
        .query(
            "SELECT id, district FROM enterprises WHERE name LIKE '青岛%' AND merged_into IS NULL ORDER BY id LIMIT 60",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.int(0)?, r.text(1)?)))
        .collect::<AppResult<_>>()?;
    for (n, (enterprise, district)) in local.iter().enumerate() {
        let (event, platform, sector) = sources[n % sources.len()];
        let staff = if n % 2 == 0 { &commerce } else { &market };
        let input = ProjectInput {
            title: format!("{sector}项目（{}）", n + 1),
            enterprise: Named { enterprise_id: Some(*enterprise), ..Named::default() },
            event_id: Some(event_ids[event]),
            platform_id: platform,
            sector: sector.into(),
            district: if district.is_empty() { "市南区".into() } else { district.clone() },
            amount_yuan: serde_json::Value::String(format!("{}", (3_000 + (n as i64 * 1_733) % 50_000) * 10_000)),
            department_id: staff.department_id.unwrap_or_default(),
            responsible_id: staff.id,
            negotiating_on: String::new(),
        };
        let p = projects::create(tx, &who, &leader, &rules, &input)?;
        began(tx, p.id, "2019-07-01")?;
        // A fifth still negotiating, a fifth signed, landed and in production each, the
        // rest dropped; those still running are due soon, due now or past due.
        match n % 5 {
            0 => {}
            1 => reached(tx, p.id, "signed", [Some("2019-08-15"), None, None])?,
            2 => reached(tx, p.id, "landed", [Some("2019-08-01"), Some("2019-10-12"), None])?,
            3 => reached(tx, p.id, "producing", [Some("2019-07-20"), Some("2019-09-01"), Some("2019-12-05")])?,
            _ => {
                tx.execute("UPDATE projects SET state = 'dropped', deadline = NULL WHERE id = $1", params![p.id])?;
            }
        }
        let due = match n % 3 {
            0 => today - Duration::days(3 + n as i64 % 10),
            1 => rules.calendar.add_working_days(today, 2),
            _ => rules.calendar.add_working_days(today, 15),
        };
        tx.execute(
            "UPDATE projects SET deadline = $1 WHERE id = $2 AND state IN ('negotiating', 'signed', 'landed')",
            params![due.to_string(), p.id],
        )?;
    }
    Ok(())
}
