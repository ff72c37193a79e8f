//! The demo city's mechanism 5: associations for the key industries (海洋, 智能家电,
//! 轨道交通, 时尚, 金融, and the software association the demo account speaks for), each
//! with its members and its market-allocation division; and two documents of the
//! development and reform commission dispatched to departments and associations alike,
//! with partial read receipts, an acknowledgement, feedback and one account overdue.

use super::associations::{self, AssociationInput, MembersInput};
use super::documents::{self, DocumentInput, FeedbackInput, ReceiptInput};
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
    Ok(())
}
