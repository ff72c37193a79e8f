//! A generated city at realistic scale, written through bulk inserts (not HTTP):
//! departments with divisions, staff with API tokens, matters and their tasks in every
//! state.

use zaizao::kernel::crypto::sha256_hex;
use zaizao::kernel::db::{Db, Tx};
use zaizao::kernel::error::AppError;

pub struct Scale {
    pub departments: i64,
    pub staff: i64,
    pub tasks: i64,
    pub ratings: i64,
    /// Invitations left unused, for the rating scenario.
    pub invitations: i64,
    pub leads: i64,
    pub enterprises: i64,
    pub projects: i64,
}

pub struct City {
    /// The leader's token: sees everything.
    pub leader_token: String,
    /// Task ids still `assigned`, with their responsible person's token.
    pub assigned: Vec<(i64, String)>,
    pub staff_tokens: Vec<String>,
    /// Tokens of unused rating invitations.
    pub invitations: Vec<String>,
    pub divisions: i64,
    pub records: i64,
    /// The supervision office's token (finds every lead).
    pub office_token: String,
    /// An Open311 api_key.
    pub open311_key: String,
}

pub fn invitation_token(i: i64) -> String {
    format!("bench-invitation-{i:08}")
}

/// A staff member's department and division (three divisions per department).
fn placement(staff: i64, departments: i64) -> (i64, i64) {
    let dept = (staff - 1) % departments + 1;
    (dept, (dept - 1) * 3 + staff % 3 + 1)
}

pub fn token_for(user: i64) -> String {
    format!("zz_bench_{user:08}")
}

pub fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Insert rows in batches of multi-row VALUES.
pub fn bulk(tx: &mut Tx<'_>, head: &str, rows: impl Iterator<Item = String>) -> Result<i64, AppError> {
    let mut batch = Vec::with_capacity(500);
    let mut n = 0;
    for row in rows {
        batch.push(row);
        if batch.len() == 500 {
            tx.execute(&format!("{head} VALUES {}", batch.join(",")), &[])?;
            n += batch.len() as i64;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        tx.execute(&format!("{head} VALUES {}", batch.join(",")), &[])?;
        n += batch.len() as i64;
    }
    Ok(n)
}

pub fn generate(db: &Db, scale: &Scale, now: i64, password_hash: &str) -> Result<City, AppError> {
    let today = zaizao::kernel::clock::local_date(now);
    let day = |offset: i64| (today + chrono::Duration::days(offset)).to_string();
    let (d, s, t) = (scale.departments, scale.staff, scale.tasks);
    db.write_blocking(|tx| {
        let mut records = 0;
        records += bulk(
            tx,
            "INSERT INTO departments (code, name, name_en, kind, is_economic, visibility, created_at, updated_at)",
            (1..=d).map(|i| format!("({}, {}, '', 'city_department', {}, 'public', {now}, {now})", q(&format!("b{i:04}")), q(&format!("基准局{i:04}")), i64::from(i <= 17))),
        )?;
        records += bulk(
            tx,
            "INSERT INTO divisions (department_id, name, kind, visibility, created_at, updated_at)",
            (1..=d).flat_map(|dep| {
                ["办公室", "市场配置促进处", "综合业务处"].into_iter().map(move |n| format!("({dep}, {}, 'general', 'public', {now}, {now})", q(n)))
            }),
        )?;
        // User 1 is the leader; users 2..=s+1 are staff spread over the departments.
        records += bulk(
            tx,
            "INSERT INTO users (username, display_name, role, department_id, division_id, password_hash, created_at, updated_at)",
            std::iter::once(format!("('bench-leader', '基准市长', 'leader', NULL, NULL, {}, {now}, {now})", q(password_hash))).chain((1..=s).map(|i| {
                let (dept, div) = placement(i, d);
                format!("({}, {}, 'staff', {dept}, {div}, {}, {now}, {now})", q(&format!("bench{i:05}")), q(&format!("工作人员{i:05}")), q(password_hash))
            })).chain(std::iter::once(format!("('bench-office', '基准监督办', 'supervisor', NULL, NULL, {}, {now}, {now})", q(password_hash)))),
        )?;
        let office = s + 2;
        records += bulk(
            tx,
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, scopes, created_at, expires_at)",
            (1..=office).map(|u| format!("({u}, 'bench', {}, 'zz_bench', 'read,write', {now}, {})", q(&sha256_hex(token_for(u).as_bytes())), now + 365 * 86_400_000)),
        )?;
        let matters = (t / 20).max(1);
        records += bulk(
            tx,
            "INSERT INTO matters (title, description, leader_id, opened_by, visibility, state, created_at, updated_at)",
            (1..=matters).map(|i| format!("({}, '', 1, 1, 'internal', 'open', {now}, {now})", q(&format!("基准重大事项{i:05}")))),
        )?;
        let mut assigned = Vec::new();
        let states = ["assigned", "assigned", "assigned", "assigned", "assigned", "assigned", "accepted", "in_progress", "feedback_submitted", "done"];
        records += bulk(
            tx,
            "INSERT INTO tasks (matter_id, title, description, kind, assignee_id, lead_department_id, deadline, state, progress, created_at, updated_at, feedback_at, met_deadline)",
            (1..=t).map(|i| {
                let staff = (i - 1) % s + 1;
                let user = staff + 1;
                let dept = (staff - 1) % d + 1;
                let state = states[(i % 10) as usize];
                let fed = matches!(state, "feedback_submitted" | "done");
                if state == "assigned" {
                    assigned.push((i, token_for(user)));
                }
                format!(
                    "({}, {}, '', 'execute', {user}, {dept}, '{}', '{state}', 0, {}, {now}, {}, {})",
                    (i - 1) % matters + 1,
                    q(&format!("基准任务{i:06}")),
                    day(i % 90 - 30),
                    now - (i % 60) * 86_400_000,
                    if fed { (now - (i % 30) * 86_400_000).to_string() } else { "NULL".into() },
                    if fed { (i64::from(i % 3 != 0)).to_string() } else { "NULL".into() },
                )
            }),
        )?;
        records += ratings(tx, scale, now)?;
        // On PostgreSQL the figures trigger would rewrite the same few rows a million times
        // in this one transaction; load without it and count once, as a restore would.
        let postgres = tx.dialect() == zaizao::kernel::db::Dialect::Postgres;
        if postgres {
            tx.execute("ALTER TABLE leads DISABLE TRIGGER leads_figures_insert", &[])?;
        }
        records += crate::leads::generate(tx, scale.leads, d, now)?;
        records += crate::leads::events(tx)?;
        if postgres {
            tx.execute("ALTER TABLE leads ENABLE TRIGGER leads_figures_insert", &[])?;
            zaizao::supervision::figures::recount(tx)?;
        }
        records += crate::investment::generate(tx, scale.enterprises, scale.projects, now)?;
        let (_, open311_key) = zaizao::supervision::open311::issue_key(tx, &zaizao::kernel::audit::Who::system("bench", now), "bench")?;
        zaizao::coordination::stats::rebuild(tx)?;
        let running = ["assigned".to_owned(), "accepted".to_owned(), "in_progress".to_owned()];
        zaizao::coordination::stats::refresh_overdue(tx, &today.to_string(), &running)?;
        Ok(City {
            leader_token: token_for(1),
            assigned,
            staff_tokens: (2..=s + 1).map(token_for).collect(),
            invitations: (1..=scale.invitations).map(|i| invitation_token(scale.ratings + i)).collect(),
            divisions: d * 3,
            records,
            office_token: token_for(office),
            open311_key,
        })
    })
}

/// Interactions, their ratings over the last year with scores kept per member and
/// period, and unused invitations.
fn ratings(tx: &mut Tx<'_>, scale: &Scale, now: i64) -> Result<i64, AppError> {
    let (s, d) = (scale.staff, scale.departments);
    let total = scale.ratings + scale.invitations;
    let mut records = bulk(
        tx,
        "INSERT INTO interactions (staff_id, division_id, department_id, kind, summary, created_at)",
        (1..=total).map(|i| {
            let staff = (i - 1) % s + 1;
            let (dept, div) = placement(staff, d);
            format!("({}, {div}, {dept}, 'counter', '窗口服务', {})", staff + 1, now - (i % 365) * 86_400_000)
        }),
    )?;
    let mut seed = 20_190_410u64;
    let mut level = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        match (seed >> 33) % 100 {
            0..=54 => 5,
            55..=86 => 4,
            87..=97 => 3,
            _ => 2,
        }
    };
    let mut scores: std::collections::HashMap<(String, i64), [i64; 7]> = std::collections::HashMap::new();
    let mut rows = Vec::with_capacity(500);
    for i in 1..=scale.ratings {
        let staff = (i - 1) % s + 1;
        let (dept, div) = placement(staff, d);
        let at = now - (i % 365) * 86_400_000;
        let l = [level(), level(), level(), level()];
        let bad = l.iter().any(|v| *v <= 2);
        rows.push(format!(
            "({i}, {}, {div}, {dept}, {}, {}, {}, {}, {}, '{}', {at}, {at})",
            staff + 1,
            l[0],
            l[1],
            l[2],
            l[3],
            i64::from(bad),
            if bad { "submitted" } else { "none" }
        ));
        for period in zaizao::evaluation::scores::periods(at) {
            let e = scores.entry((period, staff + 1)).or_insert([0, 0, 0, 0, 0, div, dept]);
            e[0] += 1;
            for k in 0..4 {
                e[k + 1] += l[k];
            }
        }
        if rows.len() == 500 {
            records += flush_ratings(tx, &mut rows)?;
        }
    }
    records += flush_ratings(tx, &mut rows)?;
    bulk(
        tx,
        "INSERT INTO rating_scores (period, staff_id, division_id, department_id, n, attitude, style, efficiency, competence)",
        scores.iter().map(|((p, u), v)| {
            format!("('{p}', {u}, {}, {}, {}, {}, {}, {}, {})", v[5], v[6], v[0], v[1], v[2], v[3], v[4])
        }),
    )?;
    records += bulk(
        tx,
        "INSERT INTO invitations (interaction_id, token_hash, expires_at, created_at)",
        (scale.ratings + 1..=total).map(|i| {
            format!("({i}, '{}', {}, {now})", sha256_hex(invitation_token(i).as_bytes()), now + 30 * 86_400_000)
        }),
    )?;
    Ok(records)
}

fn flush_ratings(tx: &mut Tx<'_>, rows: &mut Vec<String>) -> Result<i64, AppError> {
    if rows.is_empty() {
        return Ok(0);
    }
    tx.execute(
        &format!(
            "INSERT INTO ratings (interaction_id, staff_id, division_id, department_id, attitude, style, efficiency, competence, \
             bad, state, created_at, updated_at) VALUES {}",
            rows.join(",")
        ),
        &[],
    )?;
    let n = rows.len() as i64;
    rows.clear();
    Ok(n)
}
