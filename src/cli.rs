//! The `zaizao` command: serve, demo, migrate, user, token, audit, backup, restore.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::app::{self, Application};
use crate::config::{Config, GlobalOpts};
use crate::kernel::access::Role;
use crate::kernel::audit::{self, Who};
use crate::kernel::auth;
use crate::kernel::clock::{Clock, SystemClock};
use crate::kernel::db::{Db, migrate};
use crate::kernel::error::AppError;

#[derive(Debug, Parser)]
#[command(name = "zaizao", version, about = "再造 — government process reengineering: seven mechanisms, one service")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server. Creates no accounts: add the first administrator with `user add`.
    Serve,
    /// Create (or reuse) a database holding the demo city and serve it, printing one
    /// login per role. The accounts are for demonstration only.
    Demo {
        /// Throw away the existing demo database and build it again.
        #[arg(long)]
        reset: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The cryptography suite (--crypto): show it, or seal everything under the current key.
    #[command(subcommand)]
    Crypto(CryptoCommand),
    /// The full-text search index in <data_dir>/search.
    #[command(subcommand)]
    Search(SearchCommand),
    /// The entrepreneur satisfaction index, recomputed from the raw answers.
    #[command(subcommand)]
    Survey(SurveyCommand),
    /// Issue an Open311 api_key for a client (printed once).
    Open311Key {
        /// Who the key is for.
        #[arg(long)]
        name: String,
    },
    /// Write a consistent copy of the database while the server runs (SQLite: a file;
    /// PostgreSQL: pg_dump's custom format).
    Backup {
        /// Where to write the copy.
        file: PathBuf,
    },
    /// Replace the database with a backup. Refused while a server runs on it; checks
    /// the restored audit trail and prints what was restored.
    Restore {
        /// The backup to restore.
        file: PathBuf,
    },
    /// Print the API's OpenAPI document (as served at /api/openapi.json), for client
    /// generators and validators.
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. Prints a generated password unless --password is given.
    Add {
        #[arg(long)]
        username: String,
        /// Name shown in the UI [default: the username].
        #[arg(long)]
        name: Option<String>,
        /// system_admin, security_admin, audit_admin (三员分立: organisation, users and
        /// processes; security policy and roles; the audit trail), leader, dept_head,
        /// division_head, staff, enterprise, evaluator, law_firm, association, supervisor
        /// or public.
        #[arg(long)]
        role: String,
        /// Department code (required for dept_head, division_head and staff).
        #[arg(long)]
        department: Option<String>,
        /// Password (at least 10 characters); read from ZAIZAO_PASSWORD if set.
        #[arg(long, env = "ZAIZAO_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List accounts.
    List,
    /// Disable an account, ending its sessions and tokens.
    Disable { username: String },
    /// Clear a lock-out after failed sign-ins (also for a locked-out administrator).
    Unlock { username: String },
    /// Clear a person's second factor (a lost authenticator; also for an administrator).
    ResetSecondFactor { username: String },
    /// Everything kept about a person, as JSON, for their request under 个人信息保护法
    /// (written to FILE, or printed).
    ExportPersonalData {
        username: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Set a new password (and clear a lock-out). Prints a generated one unless given.
    SetPassword {
        username: String,
        #[arg(long, env = "ZAIZAO_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CryptoCommand {
    /// The suite this database runs under and the key its values are sealed with.
    Status,
    /// After putting a new key first in the key file (the old ones after it): seal every
    /// personal value again under the new key. The audit trail keeps the key it was
    /// written with, so retired keys stay in the file to read and verify it.
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it (shown once).
    Create {
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Comma-separated: read, write.
        #[arg(long, default_value = "read")]
        scopes: String,
        /// Days until it expires (at most the max_token_days setting).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// Revoke a token by its id.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Build the index again from the database. Stop the server first (or use the
    /// administrators' page, which rebuilds in the running server).
    Rebuild,
    /// Print the number of documents, size on disk and queue position.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// Print every figure the index page publishes for campaign N — per department and per
    /// district: rank, unit, sample, index and its 95% interval — from the raw answers.
    Index {
        #[arg(long)]
        campaign: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk every hash chain; exit non-zero and name the first bad entry if any was
    /// edited, removed or reordered.
    Verify,
}

pub fn main() -> ExitCode {
    crate::app::registry();
    let cli = Cli::parse();
    let config = match Config::resolve(&cli.global) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("zaizao: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config.log_format);
    if let Err(e) = crate::kernel::crypto::configure(&config.crypto) {
        eprintln!("zaizao: {e}");
        return ExitCode::from(2);
    }
    match run(cli.command, &config) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("zaizao: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ZAIZAO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a person at a terminal, not for a log file or a pipe.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if format == "json" {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

fn open(config: &Config) -> anyhow::Result<Db> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let db = Db::open(&config.database_url)
        .with_context(|| format!("cannot open the database {}", app::redact(&config.database_url)))?;
    migrate::run(&db, clock.now_ms(), &crate::app::registry().migrations).context("cannot apply migrations")?;
    Ok(db)
}

fn cli_who() -> Who {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    Who::system(&format!("cli:{user}"), SystemClock.now_ms())
}

fn app_err(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{}", crate::kernel::i18n::t(crate::kernel::i18n::Lang::En, e.code()))
        .context(e.detail().map(str::to_owned).unwrap_or_else(|| e.to_string()))
}

fn run(command: Command, config: &Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => {
            runtime()?.block_on(async {
                let clock: Arc<dyn Clock> = Arc::new(SystemClock);
                let app = Application::build(config, clock).await?;
                let addr = app.local_addr()?;
                tracing::info!(%addr, db = %app::redact(&config.database_url), "zaizao listening");
                println!("zaizao listening on http://{addr}");
                app.run(app::shutdown_signal()).await
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { reset } => {
            crate::demo::run(config, reset)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let db = Db::open(&config.database_url).context("cannot open the database")?;
            let n = migrate::run(&db, SystemClock.now_ms(), &crate::app::registry().migrations)?;
            println!("applied {n} migration(s)");
            Ok(ExitCode::SUCCESS)
        }
        Command::User(cmd) => user(cmd, &open(config)?),
        Command::Token(cmd) => token(cmd, &open(config)?, config.max_token_days),
        Command::Crypto(CryptoCommand::Status) => {
            let db = open(config)?;
            let key = db
                .write_blocking(|tx| {
                    Ok(tx
                        .query_opt("SELECT value FROM database_facts WHERE name = 'crypto_key'", &[])?
                        .map(|r| r.text(0))
                        .transpose()?)
                })
                .map_err(app_err)?;
            println!("crypto: {}", crate::kernel::crypto::mode().as_str());
            if let Some(key) = key {
                println!("values sealed under key: {key}");
                println!("current key: {}", crate::kernel::crypto::current_key_id().unwrap_or("-"));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Crypto(CryptoCommand::Rotate) => {
            if crate::kernel::crypto::mode() != crate::kernel::crypto::Mode::Gm {
                bail!("rotation is for the gm suite: start with --crypto gm and its keys");
            }
            let db = open(config)?;
            let personal = crate::app::registry().personal.clone();
            let n = db
                .write_blocking(|tx| crate::kernel::privacy::reseal_all(tx, &cli_who(), &personal))
                .map_err(app_err)?;
            println!("sealed {n} value(s) under key {}", crate::kernel::crypto::current_key_id().unwrap_or("-"));
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify) => {
            let db = open(config)?;
            let r = db.write_blocking(audit::verify).map_err(app_err)?;
            if r.ok {
                println!("audit trail intact: {} entries checked", r.entries_checked);
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "audit trail BROKEN at entry {}: {} ({} entries checked)",
                    r.first_bad_id.unwrap_or(0),
                    r.problem.unwrap_or_default(),
                    r.entries_checked
                );
                Ok(ExitCode::from(3))
            }
        }
        Command::Search(cmd) => search(cmd, config),
        Command::Survey(SurveyCommand::Index { campaign }) => {
            let db = open(config)?;
            let (c, raw) = db
                .write_blocking(move |tx| {
                    Ok((crate::policies::survey::find(tx, campaign)?, crate::policies::survey::raw(tx, campaign)?))
                })
                .map_err(app_err)?;
            println!("{} ({}), {} responses, minimum sample {}", c.title, c.period, raw.len(), c.min_sample);
            for by in ["department", "district"] {
                println!("\nby {by}\trank\tunit\tn\tindex\tlow\thigh");
                for r in crate::policies::survey::index(&c, &raw, by) {
                    let figure = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into());
                    let rank = r.rank.map(|k| k.to_string()).unwrap_or_else(|| "-".into());
                    println!(
                        "\t{rank}\t{}\t{}\t{}\t{}\t{}",
                        r.unit,
                        r.n,
                        figure(r.index),
                        figure(r.low),
                        figure(r.high)
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Open311Key { name } => {
            let db = open(config)?;
            let who = cli_who();
            let (id, key) =
                db.write_blocking(|tx| crate::supervision::open311::issue_key(tx, &who, &name)).map_err(app_err)?;
            println!("open311 key id {id} for {name}");
            println!("{key}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { file } => {
            backup(config, &file)?;
            println!("backup written to {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file } => {
            restore(config, &file)?;
            println!("restored from {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&app::openapi_document())?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn search(cmd: SearchCommand, config: &Config) -> anyhow::Result<ExitCode> {
    use crate::kernel::search::indexer;
    // The database is opened and closed outside the runtime: the PostgreSQL client runs
    // its own and must not be dropped inside another.
    let db = open(config)?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let result = rt.block_on(async {
        let db = &db;
        let search = crate::app::open_search(config, db).await?;
        match cmd {
            SearchCommand::Rebuild => {
                let started = std::time::Instant::now();
                let shown = std::cell::Cell::new(0);
                let n = indexer::rebuild(&search, db, &crate::app::registry().sources, |n| {
                    if n / 100_000 > shown.get() {
                        shown.set(n / 100_000);
                        eprintln!("{n} records indexed");
                    }
                })
                .await?;
                let status = search.status();
                tokio::task::spawn_blocking(move || search.close()).await??;
                println!(
                    "search index rebuilt: {n} records in {:.1} s, {:.1} MB in {}",
                    started.elapsed().as_secs_f64(),
                    status.size_bytes as f64 / 1_048_576.0,
                    status.folder
                );
            }
            SearchCommand::Status => {
                let st = search.status();
                println!("documents {}", st.documents);
                println!("segments {}", st.segments);
                println!("size_bytes {}", st.size_bytes);
                println!("queue_position {}", st.watermark);
                println!("folder {}", st.folder);
            }
        }
        Ok(ExitCode::SUCCESS)
    });
    drop(rt);
    drop(db);
    result
}

/// Four groups of four — capitals, small letters, digits, a mix — joined by "-", so a
/// generated password meets the password rules.
fn generated_password() -> anyhow::Result<String> {
    const GROUPS: [&[u8]; 4] = [
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"abcdefghijkmnpqrstuvwxyz",
        b"23456789",
        b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789",
    ];
    let random = crate::kernel::crypto::random_bytes(16).map_err(app_err)?;
    let group = |g: usize| -> String {
        random[g * 4..g * 4 + 4].iter().map(|b| GROUPS[g][usize::from(*b) % GROUPS[g].len()] as char).collect()
    };
    Ok((0..4).map(group).collect::<Vec<_>>().join("-"))
}

fn user(cmd: UserCommand, db: &Db) -> anyhow::Result<ExitCode> {
    use crate::accounts::service;
    let who = cli_who();
    match cmd {
        UserCommand::Add { username, name, role, department, password } => {
            if Role::parse(&role).is_none() {
                bail!("unknown role {role:?}; one of: {}", Role::ALL.map(|r| r.as_str()).join(", "));
            }
            let (password, generated) = match password {
                Some(p) => (p, false),
                None => (generated_password()?, true),
            };
            let department_id = match department {
                Some(code) => Some(
                    db.write_blocking(|tx| {
                        tx.query_opt("SELECT id FROM departments WHERE code = $1", crate::params![code.as_str()])?
                            .map(|r| r.int(0))
                            .transpose()
                            .map_err(AppError::from)
                    })
                    .map_err(app_err)?
                    .with_context(|| format!("no department with code {code:?}"))?,
                ),
                None => None,
            };
            let input = service::NewUser {
                display_name: name.unwrap_or_else(|| username.clone()),
                username,
                role,
                department_id,
                division_id: None,
                password,
                email: None,
                phone: None,
            };
            service::check_new(&input).map_err(app_err)?;
            let hash = crate::kernel::crypto::hash_password(&input.password).map_err(app_err)?;
            let u = db.write_blocking(|tx| service::create(tx, &who, &input, &hash)).map_err(app_err)?;
            println!("created user {} ({}) id {}", u.username, u.role.as_str(), u.id);
            if generated {
                println!("password: {}", input.password);
            }
        }
        UserCommand::List => {
            let page = db
                .write_blocking(|tx| {
                    service::list(
                        tx,
                        &service::UserFilter::default(),
                        &crate::kernel::web::list::ListParams { per: Some(200), ..Default::default() },
                    )
                })
                .map_err(app_err)?;
            println!("{:<6} {:<20} {:<14} {:<8} name", "id", "username", "role", "active");
            for u in page.items {
                println!("{:<6} {:<20} {:<14} {:<8} {}", u.id, u.username, u.role.as_str(), u.active, u.display_name);
            }
        }
        UserCommand::Disable { username } => {
            db.write_blocking(|tx| {
                let u = service::find_by_username(tx, &username)?;
                service::set_active(tx, &who, None, u.id, false)
            })
            .map_err(app_err)?;
            println!("disabled {username}");
        }
        UserCommand::Unlock { username } => {
            db.write_blocking(|tx| {
                let u = service::find_by_username(tx, &username)?;
                auth::unlock(tx, &who, u.id)
            })
            .map_err(app_err)?;
            println!("unlocked {username}");
        }
        UserCommand::ExportPersonalData { username, out } => {
            let personal = crate::app::registry().personal.clone();
            let data = db
                .write_blocking(|tx| {
                    let u = service::find_by_username(tx, &username)?;
                    crate::kernel::privacy::export_on_request(tx, &who, &personal, u.id)
                })
                .map_err(app_err)?;
            let text = serde_json::to_string_pretty(&data)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
                    println!("personal data of {username} written to {}", path.display());
                }
                None => println!("{text}"),
            }
        }
        UserCommand::ResetSecondFactor { username } => {
            db.write_blocking(|tx| {
                let u = service::find_by_username(tx, &username)?;
                crate::kernel::second_factor::reset(tx, &who, u.id)
            })
            .map_err(app_err)?;
            println!("second factor cleared for {username}");
        }
        UserCommand::SetPassword { username, password } => {
            let (password, generated) = match password {
                Some(p) => (p, false),
                None => (generated_password()?, true),
            };
            crate::kernel::validate::password(&password, &username).map_err(app_err)?;
            let hash = crate::kernel::crypto::hash_password(&password).map_err(app_err)?;
            db.write_blocking(|tx| {
                let u = service::find_by_username(tx, &username)?;
                service::check_history(tx, u.id, &password)?;
                service::set_password(tx, &who, u.id, &hash, None)
            })
            .map_err(app_err)?;
            println!("password set for {username}");
            if generated {
                println!("password: {password}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn token(cmd: TokenCommand, db: &Db, max_days: i64) -> anyhow::Result<ExitCode> {
    let who = cli_who();
    match cmd {
        TokenCommand::Create { user, name, scopes, days } => {
            let t = db
                .write_blocking(|tx| {
                    let u = crate::accounts::service::find_by_username(tx, &user)?;
                    auth::create_token(tx, &who, u.id, &name, std::slice::from_ref(&scopes), days, max_days)
                })
                .map_err(app_err)?;
            println!(
                "token id {} for {user} (scopes {}, expires {})",
                t.token.id,
                t.token.scopes.join(","),
                t.token.expires_at
            );
            println!("{}", t.secret);
        }
        TokenCommand::Revoke { id } => {
            db.write_blocking(|tx| {
                let t = auth::get_token(tx, id)?.ok_or(AppError::NotFound)?;
                let owner = crate::accounts::service::find(tx, t.user_id)?;
                let admin = crate::kernel::access::CurrentUser {
                    id: 0,
                    username: who.actor.clone(),
                    display_name: who.actor.clone(),
                    role: Role::SecurityAdmin,
                    department_id: owner.department_id,
                    division_id: None,
                };
                auth::revoke_token(tx, &who, &admin, id)
            })
            .map_err(app_err)?;
            println!("revoked token {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn backup(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    if file.exists() {
        bail!("{} already exists; choose a new file", file.display());
    }
    if config.is_postgres() {
        let status = std::process::Command::new("pg_dump")
            .args(["--format=custom", "--file"])
            .arg(file)
            .arg(&config.database_url)
            .status()
            .context("cannot run pg_dump (install the PostgreSQL client tools)")?;
        if !status.success() {
            bail!("pg_dump failed with {status}");
        }
        return Ok(());
    }
    let db = Db::open(&config.database_url).context("cannot open the database")?;
    db.sqlite_backup(file).context("backup failed")?;
    Ok(())
}

fn restore(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    if !file.exists() {
        bail!("{} does not exist", file.display());
    }
    let Some(_restoring) = crate::kernel::db::serving::take_exclusive(&config.database_url)? else {
        bail!("a zaizao server is running on this database; stop every server before restoring");
    };
    replace_database(config, file)?;
    let db = open(config)?;
    let (report, summary) = db
        .write_blocking(|tx| {
            let mut summary = Vec::new();
            for (what, table) in [("accounts", "users"), ("departments", "departments"), ("audit entries", "audit_log")]
            {
                summary.push(format!("{} {what}", tx.count(&format!("SELECT COUNT(*) FROM {table}"), &[])?));
            }
            let version = tx.count("SELECT MAX(version) FROM schema_migrations", &[])?;
            summary.push(format!("schema version {version}"));
            Ok((audit::verify(tx)?, summary))
        })
        .map_err(app_err)?;
    println!("restored: {}", summary.join(", "));
    if !report.ok {
        bail!(
            "the restored audit trail is BROKEN at entry {}: {}",
            report.first_bad_id.unwrap_or(0),
            report.problem.unwrap_or_default()
        );
    }
    println!("audit trail intact: {} entries checked", report.entries_checked);
    Ok(())
}

/// Put the backup in place of the configured database.
fn replace_database(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    if config.is_postgres() {
        let status = std::process::Command::new("pg_restore")
            .args(["--clean", "--if-exists", "--no-owner", "--dbname"])
            .arg(&config.database_url)
            .arg(file)
            .status()
            .context("cannot run pg_restore (install the PostgreSQL client tools)")?;
        if !status.success() {
            bail!("pg_restore failed with {status}");
        }
        return Ok(());
    }
    // Check that the backup is a zaizao database before replacing anything.
    let check = Db::open(&format!("sqlite://{}", file.display())).context("the backup is not a SQLite database")?;
    let ok = check
        .write_blocking(|tx| Ok(tx.count("SELECT COUNT(*) FROM schema_migrations", &[])?))
        .map_err(|_| anyhow::anyhow!("the backup is not a zaizao database"))?;
    drop(check);
    if ok == 0 {
        bail!("the backup is not a zaizao database");
    }
    let target = PathBuf::from(config.database_url.strip_prefix("sqlite://").unwrap_or(&config.database_url));
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = target.with_extension("restoring");
    std::fs::copy(file, &tmp).context("cannot copy the backup")?;
    for ext in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(target.with_extension(ext));
    }
    std::fs::rename(&tmp, &target).context("cannot move the restored database into place")?;
    Ok(())
}
