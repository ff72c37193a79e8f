//! Supervision leads at scale for the Open311 and search scenarios: realistic Chinese
//! reports composed from Qingdao places, problems and circumstances, spread over the six
//! channels, the categories, the units and every state.

use zaizao::kernel::crypto::sha256_hex;
use zaizao::kernel::db::Tx;
use zaizao::kernel::error::AppError;

use crate::city::{bulk, q};

const DISTRICTS: [&str; 10] =
    ["市南区", "市北区", "李沧区", "崂山区", "城阳区", "黄岛区", "即墨区", "胶州市", "平度市", "莱西市"];
const ROADS: [&str; 16] = [
    "香港中路",
    "山东路",
    "延吉路",
    "辽宁路",
    "台东三路",
    "海尔路",
    "长江路",
    "重庆路",
    "福州路",
    "南京路",
    "黑龙江路",
    "银川路",
    "东海西路",
    "滨海大道",
    "春阳路",
    "仙山路",
];
/// (category, problem)
const PROBLEMS: [(&str, &str); 20] = [
    ("ENVIRONMENT", "道路积水严重"),
    ("ENVIRONMENT", "井盖缺失存在安全隐患"),
    ("ENVIRONMENT", "夜间施工噪声扰民"),
    ("ENVIRONMENT", "餐馆油烟污染"),
    ("ENVIRONMENT", "生活垃圾清运不及时"),
    ("ENVIRONMENT", "路灯长期不亮"),
    ("ENVIRONMENT", "施工扬尘没有覆盖"),
    ("ENVIRONMENT", "占道经营影响通行"),
    ("APPROVAL", "企业开办材料被窗口反复退回"),
    ("APPROVAL", "施工许可审批超过承诺时限"),
    ("APPROVAL", "不动产登记需要多次跑腿"),
    ("APPROVAL", "网上办事系统经常无法提交"),
    ("POLICY", "稳岗补贴迟迟没有发放"),
    ("POLICY", "研发费用补助申报后未兑现"),
    ("POLICY", "人才公寓配租政策落实不到位"),
    ("POLICY", "减税降费政策执行打折扣"),
    ("STYLE", "工作人员推诿扯皮态度生硬"),
    ("STYLE", "部门之间相互踢皮球"),
    ("PROJECT", "签约项目迟迟没有开工"),
    ("PROJECT", "重点项目用地手续办理缓慢"),
];
const DETAILS: [&str; 12] = [
    "已经反映多次没有结果",
    "影响周边居民正常出行",
    "企业生产经营受到影响",
    "希望有关部门尽快处理",
    "雨天和夜间尤其严重",
    "涉及多个部门需要协调",
    "附近学校师生意见很大",
    "商户营业额明显下降",
    "老人和孩子经过很危险",
    "已经持续一个多月",
    "相关承诺至今没有兑现",
    "请求领导督促落实",
];
const CHANNELS: [&str; 6] = ["party", "congress", "cppcc", "government", "public", "media"];
const STATES: [&str; 10] = [
    "closed",
    "closed",
    "closed",
    "closed",
    "notified",
    "verified",
    "fed_back",
    "transferred",
    "transferred",
    "registered",
];

/// Queries people type, for the search scenario.
pub const QUERIES: [&str; 16] = [
    "道路积水",
    "井盖",
    "噪声扰民",
    "油烟",
    "垃圾清运",
    "稳岗补贴",
    "研发费用补助",
    "人才公寓",
    "企业开办 退回",
    "施工许可",
    "推诿扯皮",
    "项目 开工",
    "用地手续",
    "香港中路 积水",
    "崂山区 路灯",
    "审批 时限",
];

/// The generator's own pseudo-random sequence, so every run builds the same city.
struct Draw(u64);
impl Draw {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

pub fn generate(tx: &mut Tx<'_>, count: i64, departments: i64, now: i64) -> Result<i64, AppError> {
    let mut draw = Draw(20_191_226);
    let day = 86_400_000;
    let rows = (1..=count).map(move |i| {
        let (district, road) = (DISTRICTS[draw.next(DISTRICTS.len())], ROADS[draw.next(ROADS.len())]);
        let (category, problem) = PROBLEMS[draw.next(PROBLEMS.len())];
        let detail = DETAILS[draw.next(DETAILS.len())];
        let state = STATES[draw.next(STATES.len())];
        let at = now - (count - i) * 30_000 - 3 * day;
        let unit = if state == "registered" { "NULL".to_owned() } else { ((i - 1) % departments + 1).to_string() };
        let deadline = if state == "registered" {
            "NULL".to_owned()
        } else {
            q(&zaizao::kernel::clock::local_date(at + 14 * day).to_string())
        };
        let lat = 35.9 + draw.next(5000) as f64 / 10_000.0;
        let lon = 120.0 + draw.next(6000) as f64 / 10_000.0;
        format!(
            "('{}', '{category}', {}, {}, {lat:.5}, {lon:.5}, '{}', '{}', 'internal', '{state}', {unit}, {deadline}, {at}, {at})",
            CHANNELS[(i % 6) as usize],
            q(&format!("{district}{road}{problem}，{detail}。")),
            q(&format!("{district}{road}")),
            sha256_hex(format!("bench-lead-{i}").as_bytes()),
            if i % 3 == 0 { "open311" } else { "web" },
        )
    });
    bulk(
        tx,
        "INSERT INTO leads (channel, category_code, description, address, lat, lon, token_hash, source, visibility, state, \
         unit_department_id, deadline, created_at, updated_at)",
        rows,
    )
}

/// One Open311 service request as a form body, different each time (a repeat would be
/// stored once and answered without a write).
pub fn open311_form(api_key: &str, i: u64) -> String {
    let (category, problem) = PROBLEMS[i as usize % PROBLEMS.len()];
    let road = ROADS[i as usize % ROADS.len()];
    let description = format!("{road}{problem}，编号{i}的市民来电反映");
    format!(
        "api_key={api_key}&service_code={category}&lat=36.0{:04}&long=120.3{:04}&address_string={}&description={}",
        i % 10_000,
        (i * 7) % 10_000,
        zaizao::kernel::web::list::url_encode(road),
        zaizao::kernel::web::list::url_encode(&description)
    )
}

/// The steps the generated leads took to reach their states, as the workflow kernel
/// records them (one step after another, one to 72 hours apart): what process analytics
/// folds.
pub fn events(tx: &mut Tx<'_>) -> Result<i64, AppError> {
    const PAST_TRANSFER: &str = "'transferred', 'disputed', 'fed_back', 'rework', 'verified', 'notified', 'closed'";
    let steps: [(&str, &str, &str, &str); 7] = [
        ("transfer", "registered", "transferred", PAST_TRANSFER),
        ("dispute", "transferred", "disputed", "'disputed'"),
        ("feed_back", "transferred", "fed_back", "'fed_back', 'rework', 'verified', 'notified', 'closed'"),
        ("reject_feedback", "fed_back", "rework", "'rework'"),
        ("verify", "fed_back", "verified", "'verified', 'notified', 'closed'"),
        ("notify", "verified", "notified", "'notified', 'closed'"),
        ("close", "notified", "closed", "'closed'"),
    ];
    let mut n = 0;
    for (k, (transition, from, to, states)) in steps.iter().enumerate() {
        n += tx.execute(
            &format!(
                "INSERT INTO workflow_events (kind, record_id, transition, from_state, to_state, actor_id, actor, note, at) \
                 SELECT 'lead', id, '{transition}', '{from}', '{to}', NULL, 'bench', NULL, \
                 created_at + {} * (id % 72 + 1) * 3600000 FROM leads WHERE state IN ({states})",
                k + 1
            ),
            &[],
        )? as i64;
    }
    Ok(n)
}
