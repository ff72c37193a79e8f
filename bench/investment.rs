//! Mechanism 2's data at a city's scale: enterprises gathered into the registry and the
//! projects brought by platforms and events, bulk-inserted.

use zaizao::kernel::db::Tx;
use zaizao::kernel::error::AppError;
use zaizao::kernel::validate::uscc_check_char;

use crate::city::{bulk, q};

const SECTORS: [&str; 6] = ["新一代信息技术", "高端装备", "海洋经济", "现代金融", "医养健康", "新材料"];
const DISTRICTS: [&str; 6] = ["市南区", "市北区", "崂山区", "黄岛区", "城阳区", "即墨区"];
const STATES: [&str; 5] = ["negotiating", "signed", "landed", "producing", "dropped"];

/// `enterprises` records (a seventh without a credit code) and `projects` projects over
/// them, each at one of eight events and one of six platforms, owned by department 1.
pub fn generate(tx: &mut Tx<'_>, enterprises: i64, projects: i64, now: i64) -> Result<i64, AppError> {
    let mut records = bulk(
        tx,
        "INSERT INTO enterprises (uscc, name, name_key, contact_name, contact_phone, industry, size, district, address, \
         source, created_at, updated_at)",
        (1..=enterprises).map(|i| {
            let first = format!("91370200{:09}", 100_000_000 + i);
            let code = match uscc_check_char(&first) {
                Some(c) if i % 7 != 0 => q(&format!("{first}{c}")),
                _ => "NULL".to_owned(),
            };
            let name = format!("青岛基准{i:06}科技有限公司");
            format!(
                "({code}, {}, {}, '联系人{i}', '1390000{:04}', {}, 'small', {}, '青岛市', 'import', {}, {})",
                q(&name),
                q(&format!("青岛基准{i:06}科技")),
                i % 10_000,
                q(SECTORS[i as usize % SECTORS.len()]),
                q(DISTRICTS[i as usize % DISTRICTS.len()]),
                now - i * 1_000,
                now - i * 1_000,
            )
        }),
    )?;
    records += bulk(
        tx,
        "INSERT INTO platforms (name, kind, aggregates, sectors, department_id, created_at, updated_at)",
        (1..=6).map(|i| format!("('基准平台{i}', 'enterprise', '', '', 1, {now}, {now})")),
    )?;
    records += bulk(
        tx,
        "INSERT INTO events (name, held_on, place, organisers, summary, department_id, created_at, updated_at)",
        (1..=8).map(|i| format!("('基准招商活动{i}', '2019-0{i}-10', '青岛', '', '', 1, {now}, {now})")),
    )?;
    records += bulk(
        tx,
        "INSERT INTO projects (title, enterprise_id, event_id, platform_id, sector, district, amount_fen, state, \
         negotiating_on, signed_on, department_id, responsible_id, deadline, created_by, created_at, updated_at)",
        (1..=projects).map(|i| {
            let state = STATES[i as usize % STATES.len()];
            let signed = if state == "negotiating" { "NULL" } else { "'2019-05-01'" };
            format!(
                "('基准项目{i}', {}, {}, {}, {}, {}, {}, '{state}', '2019-04-01', {signed}, 1, 2, '2019-06-01', 'bench', {}, {})",
                i % enterprises + 1,
                i % 8 + 1,
                i % 6 + 1,
                q(SECTORS[i as usize % SECTORS.len()]),
                q(DISTRICTS[i as usize % DISTRICTS.len()]),
                (i % 1_000 + 1) * 100_000_000,
                now - i * 3_000,
                now - i * 3_000,
            )
        }),
    )?;
    Ok(records)
}
