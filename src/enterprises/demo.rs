//! The demo city's enterprise registry: the platforms and companies the article names,
//! a few hundred local enterprises with valid credit codes, and contacts gathered twice
//! (once with a code, once without) waiting to be merged.

use super::registry::{self, EnterpriseInput};
use crate::kernel::audit::Who;
use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
use crate::kernel::validate::uscc_check_char;

/// A valid credit code for a made-up enterprise: 91 (a company, registered with the
/// market regulator), the division code, a made-up organisation code, its check character.
pub fn code(division: &str, n: u32) -> String {
    let first = format!("91{division}{:09}", 300_000_000 + n * 7919 % 600_000_000);
    let check = uscc_check_char(&first).unwrap_or('0');
    format!("{first}{check}")
}

const DISTRICTS: [(&str, &str); 10] = [
    ("市南区", "370202"),
    ("市北区", "370203"),
    ("李沧区", "370213"),
    ("崂山区", "370212"),
    ("黄岛区", "370211"),
    ("城阳区", "370214"),
    ("即墨区", "370215"),
    ("胶州市", "370281"),
    ("平度市", "370283"),
    ("莱西市", "370285"),
];

const INDUSTRIES: [(&str, &str); 8] = [
    ("新一代信息技术", "软件科技"),
    ("高端装备", "智能装备"),
    ("海洋经济", "海洋生物"),
    ("现代物流", "供应链管理"),
    ("新材料", "新材料科技"),
    ("医养健康", "医疗器械"),
    ("现代金融", "股权投资管理"),
    ("文化旅游", "文化传媒"),
];

const WORDS: [&str; 20] = [
    "海纳", "蓝谷", "琴岛", "鲁信", "瑞源", "德鑫", "明泰", "华青", "远航", "众合", "金桥", "博创", "汇通", "启航",
    "东岳", "海川", "盛世", "新港", "恒达", "中科",
];

pub fn seed(tx: &mut Tx<'_>, who: &Who) -> AppResult<()> {
    let named = [
        ("华为技术有限公司", "91440300708461136T", "新一代信息技术", "large", "深圳市龙岗区", "platform"),
        ("海尔集团公司", "91370200163562681G", "高端装备", "large", "崂山区", "platform"),
        ("启迪控股股份有限公司", &code("110108", 1)[..], "科技服务", "large", "北京市海淀区", "platform"),
        ("北京市商汤科技开发有限公司", &code("110108", 2)[..], "人工智能", "large", "北京市海淀区", "platform"),
        ("北京正和岛信息科技有限公司", &code("110105", 3)[..], "企业服务", "medium", "北京市朝阳区", "platform"),
        ("北京创业黑马科技有限公司", &code("110105", 4)[..], "企业服务", "medium", "北京市朝阳区", "platform"),
    ];
    for (name, uscc, industry, size, district, _) in named {
        registry::create(
            tx,
            who,
            &EnterpriseInput {
                name: name.into(),
                uscc: uscc.into(),
                industry: industry.into(),
                size: size.into(),
                district: district.into(),
                source: "referral".into(),
                ..Default::default()
            },
        )?;
    }
    let sizes = ["small", "small", "medium", "micro", "small", "large"];
    for n in 0..300u32 {
        let (district, division) = DISTRICTS[n as usize % DISTRICTS.len()];
        let (industry, trade) = INDUSTRIES[n as usize / 3 % INDUSTRIES.len()];
        let word = WORDS[n as usize % WORDS.len()];
        // Never the first word again: the offset runs 1–19.
        let second = WORDS[(n as usize + n as usize / WORDS.len() % (WORDS.len() - 1) + 1) % WORDS.len()];
        let name = format!("青岛{word}{second}{trade}有限公司");
        // Every seventh contact came from an event sheet without its code.
        let uscc = if n % 7 == 3 { String::new() } else { code(division, n + 10) };
        let input = EnterpriseInput {
            name,
            uscc,
            industry: industry.into(),
            size: sizes[n as usize % sizes.len()].into(),
            district: district.into(),
            contact_phone: format!("1390532{:04}", n),
            registered_on: format!("{}-{:02}-{:02}", 2000 + n % 19, n % 12 + 1, n % 27 + 1),
            source: ["event", "visit", "referral", "import"][n as usize % 4].into(),
            ..Default::default()
        };
        registry::gather(tx, who, &input)?;
    }
    // The same enterprises, met again at events, without their codes.
    for (name, phone) in
        [("华为技术 有限公司", "0532-80999999"), ("海尔集团公司", "0532-88938888"), ("北京创业黑马科技有限公司", "")]
    {
        registry::create(
            tx,
            who,
            &EnterpriseInput {
                name: name.into(),
                contact_phone: phone.into(),
                source: "event".into(),
                ..Default::default()
            },
        )?;
    }
    Ok(())
}
