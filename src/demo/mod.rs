//! The demo city: an organisation like the article's Qingdao — the 17 economic
//! departments each with a market-allocation promotion division (市场配置促进处), other
//! departments, districts, city leaders with portfolios — and one account per role.

use std::sync::Arc;

use anyhow::Context;

use crate::accounts::service::{self as accounts, NewUser};
use crate::app::{self, Application};
use crate::config::Config;
use crate::kernel::access::{Role, Visibility};
use crate::kernel::audit::Who;
use crate::kernel::clock::{Clock, SystemClock};
use crate::kernel::crypto::hash_password;
use crate::kernel::db::{Db, Tx, migrate};
use crate::kernel::error::AppResult;
use crate::kernel::registry::Demo;
use crate::org::departments::{self, DepartmentInput};
use crate::org::divisions::{self, DivisionInput, PostInput};
use crate::org::people::{self, AssignInput, PersonInput, PortfolioInput};

/// (code, name, English name)
const ECONOMIC: [(&str, &str, &str); 17] = [
    ("fgw", "市发展和改革委员会", "Development and Reform Commission"),
    ("gxj", "市工业和信息化局", "Industry and Information Technology Bureau"),
    ("kjj", "市科学技术局", "Science and Technology Bureau"),
    ("czj", "市财政局", "Finance Bureau"),
    ("rsj", "市人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    ("zrzy", "市自然资源和规划局", "Natural Resources and Planning Bureau"),
    ("zjj", "市住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    ("jtj", "市交通运输局", "Transport Bureau"),
    ("nyj", "市农业农村局", "Agriculture and Rural Affairs Bureau"),
    ("hyj", "市海洋发展局", "Ocean Development Bureau"),
    ("swj", "市商务局", "Commerce Bureau"),
    ("wlj", "市文化和旅游局", "Culture and Tourism Bureau"),
    ("gzw", "市国有资产监督管理委员会", "State-owned Assets Supervision Commission"),
    ("scjg", "市市场监督管理局", "Market Regulation Bureau"),
    ("jrj", "市地方金融监督管理局", "Local Financial Supervision Bureau"),
    ("dsj", "市大数据发展管理局", "Big Data Development Bureau"),
    ("myj", "市民营经济发展局", "Private Economy Development Bureau"),
];

const OTHER: [(&str, &str, &str, &str); 8] = [
    ("zfb", "市政府办公厅", "General Office of the City Government", "city_department"),
    ("spj", "市行政审批服务局", "Administrative Approval Service Bureau", "city_department"),
    ("sfj", "市司法局", "Justice Bureau", "city_department"),
    ("mzj", "市民政局", "Civil Affairs Bureau", "city_department"),
    ("zzb", "市委组织部", "Organisation Department of the City Party Committee", "party"),
    ("jw", "市纪委监委", "Discipline Inspection and Supervision Commission", "party"),
    ("rd", "市人大常委会", "Standing Committee of the People's Congress", "legislature"),
    ("zx", "市政协", "City Committee of the CPPCC", "legislature"),
];

const DISTRICTS: [(&str, &str, &str); 10] = [
    ("shinan", "市南区", "Shinan District"),
    ("shibei", "市北区", "Shibei District"),
    ("licang", "李沧区", "Licang District"),
    ("laoshan", "崂山区", "Laoshan District"),
    ("xihaian", "西海岸新区", "West Coast New Area"),
    ("chengyang", "城阳区", "Chengyang District"),
    ("jimo", "即墨区", "Jimo District"),
    ("jiaozhou", "胶州市", "Jiaozhou"),
    ("pingdu", "平度市", "Pingdu"),
    ("laixi", "莱西市", "Laixi"),
];

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗",
];
const GIVEN: [&str; 24] = [
    "建国", "海燕", "志强", "丽娜", "晓东", "文博", "春梅", "国栋", "子涵", "明轩", "雪梅", "立新", "红霞", "俊杰",
    "静怡", "宏伟", "欣然", "振华", "秀英", "浩然", "佳琪", "德胜", "玉兰", "嘉怡",
];

/// One demo account: role, username, display name, department code, division name.
struct Account {
    role: Role,
    username: &'static str,
    name: &'static str,
    department: Option<&'static str>,
    division: Option<&'static str>,
}

const ACCOUNTS: [Account; 15] = [
    Account { role: Role::SystemAdmin, username: "admin", name: "系统管理员", department: None, division: None },
    Account {
        role: Role::SecurityAdmin, username: "secadmin", name: "安全管理员", department: None, division: None
    },
    Account {
        role: Role::AuditAdmin, username: "auditadmin", name: "审计管理员", department: None, division: None
    },
    Account { role: Role::Leader, username: "leader", name: "周市长", department: None, division: None },
    Account {
        role: Role::DeptHead,
        username: "depthead",
        name: "陈主任（市发展改革委）",
        department: Some("fgw"),
        division: None,
    },
    Account {
        role: Role::DivisionHead,
        username: "divhead",
        name: "林处长（市场配置促进处）",
        department: Some("fgw"),
        division: Some("市场配置促进处"),
    },
    Account {
        role: Role::Staff,
        username: "staff",
        name: "王海燕",
        department: Some("fgw"),
        division: Some("市场配置促进处"),
    },
    Account {
        role: Role::Staff,
        username: "staff2",
        name: "刘晓东",
        department: Some("swj"),
        division: Some("市场配置促进处"),
    },
    Account {
        role: Role::Staff,
        username: "staff3",
        name: "赵文博",
        department: Some("gxj"),
        division: Some("市场配置促进处"),
    },
    Account {
        role: Role::Enterprise,
        username: "enterprise",
        name: "青岛海联智造有限公司",
        department: None,
        division: None,
    },
    Account {
        role: Role::Evaluator,
        username: "evaluator",
        name: "青岛经济研究院（第三方）",
        department: None,
        division: None,
    },
    Account {
        role: Role::LawFirm, username: "lawfirm", name: "山东琴岛律师事务所", department: None, division: None
    },
    Account {
        role: Role::Association,
        username: "association",
        name: "青岛市软件行业协会",
        department: None,
        division: None,
    },
    Account {
        role: Role::Supervisor, username: "supervisor", name: "刘海燕", department: Some("rd"), division: None
    },
    Account { role: Role::Public, username: "citizen", name: "市民张先生", department: None, division: None },
];

pub fn demo_password(username: &str) -> String {
    format!("{username}-2019qd")
}

/// Build the demo city in an empty database.
/// `password_hashes` holds one hash per demo account, then one of a password nobody
/// knows, for the accounts of everyone else in a post.
pub fn seed(tx: &mut Tx<'_>, who: &Who, password_hashes: &[String]) -> AppResult<()> {
    seed_organisation(tx, who, password_hashes)?;
    crate::enterprises::demo::seed(tx, who)?;
    let locked_hash =
        password_hashes.get(ACCOUNTS.len()).ok_or_else(|| crate::kernel::error::AppError::internal("missing hash"))?;
    let registry = app::registry();
    let demo = Demo { now: who.now, locked_hash, registry };
    for m in &registry.mechanisms {
        if let Some(seed) = m.demo {
            seed(tx, &demo)?;
        }
    }
    Ok(())
}

fn seed_organisation(tx: &mut Tx<'_>, who: &Who, password_hashes: &[String]) -> AppResult<()> {
    let mut name_seq = 0usize;
    let mut next_name = || {
        let n = name_seq;
        name_seq += 1;
        format!("{}{}", SURNAMES[n % SURNAMES.len()], GIVEN[(n / SURNAMES.len() + n * 7) % GIVEN.len()])
    };
    let mut dept_ids = std::collections::HashMap::new();
    let mut add_unit =
        |tx: &mut Tx<'_>, code: &str, name: &str, en: &str, kind: &str, economic: bool| -> AppResult<i64> {
            let d = departments::create(
                tx,
                who,
                &DepartmentInput {
                    code: code.into(),
                    name: name.into(),
                    name_en: en.into(),
                    kind: kind.into(),
                    is_economic: economic,
                    parent_id: None,
                    visibility: Some(Visibility::Public),
                },
            )?;
            dept_ids.insert(code.to_owned(), d.id);
            Ok(d.id)
        };
    let mut units = Vec::new();
    for (code, name, en) in ECONOMIC {
        units.push((add_unit(tx, code, name, en, "city_department", true)?, true, false));
    }
    for (code, name, en, kind) in OTHER {
        units.push((add_unit(tx, code, name, en, kind, false)?, false, false));
    }
    for (code, name, en) in DISTRICTS {
        units.push((add_unit(tx, code, name, en, "district", false)?, false, true));
    }
    let mut people_by_division = Vec::new();
    for (dept, economic, district) in units {
        let mut divs: Vec<(&str, &str, &str)> = vec![("办公室", "General Office", "office")];
        if economic {
            divs.push(("市场配置促进处", "Market Allocation Promotion Division", "market_allocation"));
            divs.push(("政策法规处", "Policy and Regulation Division", "general"));
        } else if district {
            divs.push(("营商环境办公室", "Business Environment Office", "general"));
        } else {
            divs.push(("综合业务处", "Operations Division", "general"));
        }
        for (name, en, kind) in divs {
            let v = divisions::create(
                tx,
                who,
                &DivisionInput {
                    department_id: dept,
                    name: name.into(),
                    name_en: en.into(),
                    kind: kind.into(),
                    visibility: None,
                },
            )?;
            let head = divisions::create_post(
                tx,
                who,
                &PostInput { division_id: v.id, title: "处长".into(), quota: 1, is_head: true },
            )?;
            let deputy = divisions::create_post(
                tx,
                who,
                &PostInput { division_id: v.id, title: "副处长".into(), quota: 2, is_head: false },
            )?;
            let clerk = divisions::create_post(
                tx,
                who,
                &PostInput { division_id: v.id, title: "一级主任科员".into(), quota: 4, is_head: false },
            )?;
            let mut ids = Vec::new();
            for post in [head.id, deputy.id, clerk.id, clerk.id] {
                let p = people::create(tx, who, &PersonInput { name: next_name(), ..Default::default() })?;
                people::assign(tx, who, p.id, &AssignInput { post_id: post, start_date: Some("2019-01-02".into()) })?;
                ids.push(p.id);
            }
            people_by_division.push((dept, name, ids));
        }
    }
    let leaders: [(&str, &str, &[&str]); 4] = [
        ("周明远", "市长", &["fgw", "czj", "zfb"]),
        ("郑立群", "常务副市长", &["gzw", "jrj", "rsj", "spj"]),
        ("孙海涛", "副市长", &["gxj", "kjj", "dsj", "myj", "swj"]),
        ("韩晓光", "副市长", &["zrzy", "zjj", "jtj", "nyj", "hyj", "wlj", "scjg"]),
    ];
    let mut leader_ids = Vec::new();
    for (name, title, portfolio) in leaders {
        let p = people::create(
            tx,
            who,
            &PersonInput { name: name.into(), leader_title: Some(title.into()), ..Default::default() },
        )?;
        for code in portfolio {
            let department_id = dept_ids.get(*code).copied().unwrap_or_default();
            people::add_portfolio(
                tx,
                who,
                p.id,
                &PortfolioInput { department_id, start_date: Some("2019-01-15".into()) },
            )?;
        }
        leader_ids.push(p.id);
    }
    for (account, hash) in ACCOUNTS.iter().zip(password_hashes) {
        let department_id = account.department.and_then(|c| dept_ids.get(c).copied());
        let division_id = match (department_id, account.division) {
            (Some(d), Some(name)) => tx
                .query_opt("SELECT id FROM divisions WHERE department_id = $1 AND name = $2", crate::params![d, name])?
                .map(|r| r.int(0))
                .transpose()?,
            _ => None,
        };
        let u = accounts::create(
            tx,
            who,
            &NewUser {
                username: account.username.into(),
                display_name: account.name.into(),
                role: account.role.as_str().into(),
                department_id,
                division_id,
                password: String::new(),
                email: None,
                phone: None,
            },
            hash,
        )?;
        // Link the accounts of government people to their person records.
        let person = match account.role {
            Role::Leader => leader_ids.first().copied(),
            Role::DivisionHead | Role::Staff => people_by_division
                .iter()
                .find(|(d, n, _)| Some(*d) == department_id && Some(*n) == account.division)
                .and_then(|(_, _, ids)| ids.get(if account.role == Role::DivisionHead { 0 } else { 2 }).copied()),
            _ => None,
        };
        if let Some(pid) = person {
            let p = people::find(tx, pid)?;
            people::update(
                tx,
                who,
                pid,
                &PersonInput {
                    name: p.name,
                    leader_title: p.leader_title,
                    user_id: Some(u.id),
                    visibility: Some(p.visibility),
                },
            )?;
        }
    }
    Ok(())
}

fn reset_database(config: &Config) -> anyhow::Result<()> {
    if config.is_postgres() {
        let db = Db::open(&config.database_url).context("cannot open the database")?;
        db.write_blocking(|tx| {
            tx.execute("DROP SCHEMA public CASCADE", &[])?;
            tx.execute("CREATE SCHEMA public", &[])?;
            Ok(())
        })
        .map_err(|e| anyhow::anyhow!("cannot reset the database: {e}"))?;
    } else {
        let path = config.database_url.strip_prefix("sqlite://").unwrap_or(&config.database_url);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
    Ok(())
}

pub fn run(config: &Config, reset: bool) -> anyhow::Result<()> {
    if reset {
        reset_database(config)?;
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let db = Db::open(&config.database_url)
        .with_context(|| format!("cannot open the database {}", app::redact(&config.database_url)))?;
    migrate::run(&db, clock.now_ms(), &crate::app::registry().migrations).context("cannot apply migrations")?;
    let empty = db
        .write_blocking(|tx| Ok(tx.count("SELECT COUNT(*) FROM users", &[])? == 0))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if empty {
        eprintln!("building the demo city…");
        let unknown = crate::kernel::crypto::random_hex(24).map_err(|e| anyhow::anyhow!("{e}"))?;
        let hashes = ACCOUNTS
            .iter()
            .map(|a| demo_password(a.username))
            .chain(std::iter::once(unknown))
            .map(|p| hash_password(&p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let who = Who::system("demo", clock.now_ms());
        db.write_blocking(|tx| seed(tx, &who, &hashes))
            .map_err(|e| anyhow::anyhow!("cannot build the demo city: {e}"))?;
    } else {
        eprintln!("reusing the existing demo database (run `zaizao demo --reset` to build it again)");
    }
    let who = Who::system("demo", clock.now_ms());
    let (_, open311_key) = db
        .write_blocking(|tx| crate::supervision::open311::issue_key(tx, &who, "demo client"))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let app = Application::with_db(config, clock, db).await?;
        let addr = app.local_addr()?;
        println!("zaizao listening on http://{addr}");
        println!("zaizao demo city — these accounts are for demonstration only; never use them for real work.");
        for a in &ACCOUNTS {
            println!("{} {} {}", a.role.as_str(), a.username, demo_password(a.username));
        }
        println!("open311_api_key {open311_key}");
        app.run(app::shutdown_signal()).await
    })
}
