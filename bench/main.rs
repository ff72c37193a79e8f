//! `zaizao-bench`: a realistic city's load on zaizao, side by side with the fastest this
//! machine can do with our stack, in one run. See the README's Speed section.
//!
//! The driver (this process) generates the city through bulk inserts, starts the real
//! server as a child process (this binary in `--role server`), drives it over HTTP on
//! loopback with concurrent keep-alive clients, then does the same against the ceiling
//! server (`--role ceiling`).

mod ceiling;
mod city;
mod investment;
mod leads;
mod load;

use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use serde::Serialize;

#[derive(Parser, Debug)]
#[command(name = "zaizao-bench", about = "Load benchmark of zaizao against the ceiling of its own stack")]
struct Args {
    /// Small data and short runs (well under a minute); what CI runs.
    #[arg(long)]
    quick: bool,
    /// Run on this PostgreSQL database (it is emptied first) instead of a fresh SQLite file.
    #[arg(long)]
    database_url: Option<String>,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// Concurrent connections.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    #[arg(long, hide = true, default_value = "driver")]
    role: String,
    #[arg(long, hide = true, default_value_t = 0)]
    port: u16,
    /// The server's data folder (its search index).
    #[arg(long, hide = true)]
    data_dir: Option<std::path::PathBuf>,
}

#[derive(Serialize)]
struct Row {
    scenario: String,
    backend: String,
    requests: u64,
    throughput_rps: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    ceiling_rps: Option<f64>,
    fraction_of_ceiling: Option<f64>,
    target: String,
    pass: Option<bool>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.role.as_str() {
        "server" => serve(&args),
        "ceiling" => ceiling::serve(args.database_url.as_deref().unwrap_or(""), args.port),
        _ => drive(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zaizao-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The real zaizao server, in its own process.
fn serve(args: &Args) -> anyhow::Result<()> {
    let config = zaizao::config::Config {
        listen: format!("127.0.0.1:{}", args.port).parse()?,
        data_dir: args.data_dir.clone().unwrap_or_else(std::env::temp_dir),
        database_url: args.database_url.clone().unwrap_or_default(),
        secure_cookies: false,
        log_format: "text".into(),
        scheduler_seconds: 0,
        public_rate_per_minute: PUBLIC_RATE,
        max_token_days: 366,
        public_base_url: "http://127.0.0.1".into(),
        trusted_proxy: None,
        delivery: Default::default(),
        open311_contact: zaizao::config::DEFAULT_OPEN311_CONTACT.into(),
        opendata_withhold: Vec::new(),
        crypto: Default::default(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let clock: Arc<dyn zaizao::kernel::clock::Clock> = Arc::new(zaizao::kernel::clock::SystemClock);
        let app = zaizao::app::Application::build(&config, clock).await?;
        app.run(std::future::pending()).await
    })
}

/// The bench is one client address sending thousands of public requests a second.
const PUBLIC_RATE: u32 = u32::MAX;

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn spawn(role: &str, url: &str, port: u16, data_dir: &std::path::Path) -> anyhow::Result<Child> {
    Ok(Command::new(std::env::current_exe()?)
        .args(["--role", role, "--database-url", url, "--port", &port.to_string()])
        .arg("--data-dir")
        .arg(data_dir)
        .env("ZAIZAO_LOG", "error")
        .stdout(Stdio::null())
        .spawn()?)
}

async fn wait_ready(port: u16, path: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            if s.write_all(req.as_bytes()).await.is_ok() {
                let mut buf = Vec::new();
                let _ = s.read_to_end(&mut buf).await;
                if buf.starts_with(b"HTTP/1.1 200") {
                    return Ok(started.elapsed());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    anyhow::bail!("server on port {port} did not become ready")
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

struct Killer(Child);
impl Drop for Killer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn drive(args: &Args) -> anyhow::Result<()> {
    let scale = if args.quick {
        city::Scale {
            departments: 20,
            staff: 200,
            tasks: 2_000,
            ratings: 10_000,
            invitations: 5_000,
            leads: 20_000,
            enterprises: 5_000,
            projects: 1_000,
        }
    } else {
        city::Scale {
            departments: 300,
            staff: 5_000,
            tasks: 100_000,
            ratings: 1_000_000,
            invitations: 100_000,
            leads: 1_000_000,
            enterprises: 200_000,
            projects: 50_000,
        }
    };
    let seconds = if args.quick { 2 } else { 10 };
    let dir = tempfile_dir()?;
    let (url, ceiling_url, backend) = match &args.database_url {
        Some(u) => (u.clone(), u.clone(), "postgres"),
        None => (
            format!("sqlite://{}", dir.join("bench.db").display()),
            format!("sqlite://{}", dir.join("ceiling.db").display()),
            "sqlite",
        ),
    };
    let db = zaizao::kernel::db::Db::open(&url)?;
    if backend == "postgres" {
        db.write_blocking(|tx| {
            tx.execute("DROP SCHEMA public CASCADE", &[])?;
            tx.execute("CREATE SCHEMA public", &[])?;
            Ok(())
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let now = chrono::Utc::now().timestamp_millis();
    zaizao::kernel::db::migrate::run(&db, now, &zaizao::app::registry().migrations)?;
    let hash = zaizao::kernel::crypto::hash_password("bench-password-2019").map_err(|e| anyhow::anyhow!("{e}"))?;
    let t0 = Instant::now();
    let city = city::generate(&db, &scale, now, &hash).map_err(|e| anyhow::anyhow!("{e}"))?;
    // Give the query planner the statistics a live database would have.
    db.analyze().map_err(|e| anyhow::anyhow!("{e}"))?;
    let generation = t0.elapsed();
    eprintln!("generated {} records in {:.1} s", city.records, generation.as_secs_f64());

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (indexed, index_build, index_mb) = rt.block_on(build_index(&db, &dir))?;
    drop(db);
    eprintln!("indexed {indexed} records in {:.1} s ({index_mb:.0} MB)", index_build.as_secs_f64());
    rt.block_on(async {
        let port = free_port()?;
        let server = Killer(spawn("server", &url, port, &dir)?);
        let startup = wait_ready(port, "/readyz").await?;
        let pid = server.0.id();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let idle_rss = rss_mb(pid);
        let duration = Duration::from_secs(seconds);
        let c = args.connections;
        let mut rows = Vec::new();

        let ceiling_port = free_port()?;
        let ceiling = Killer(spawn("ceiling", &ceiling_url, ceiling_port, &dir)?);
        wait_ready(ceiling_port, "/noop").await?;
        let noop = load::run(ceiling_port, c, duration, u64::MAX, |_| load::Request {
            method: "GET",
            path: "/noop".into(),
            token: None,
            body: None,
        })
        .await;
        let write_ceiling = load::run(ceiling_port, c, duration, u64::MAX, |_| load::Request {
            method: "POST",
            path: "/write".into(),
            token: None,
            body: Some("{}".into()),
        })
        .await;
        drop(ceiling);

        let assigned = Arc::new(city.assigned);
        let pool = assigned.len() as u64;
        let a = assigned.clone();
        let write = load::run(port, c, duration, pool, move |i| {
            let (id, token) = &a[i as usize];
            load::Request {
                method: "POST",
                path: format!("/api/v1/tasks/{id}/transitions"),
                token: Some(token.clone()),
                body: Some("{\"transition\":\"accept\"}".into()),
            }
        })
        .await;
        let leader = city.leader_token.clone();
        let staff = Arc::new(city.staff_tokens);
        let read = |path: fn(u64) -> String, token: String| {
            move |i: u64| load::Request { method: "GET", path: path(i), token: Some(token.clone()), body: None }
        };
        let list = load::run(
            port,
            c,
            duration,
            u64::MAX,
            read(|i| format!("/api/v1/tasks?scope=all&per=50&page={}", i % 10 + 1), leader.clone()),
        )
        .await;
        let st = staff.clone();
        let mine = load::run(port, c, duration, u64::MAX, move |i| load::Request {
            method: "GET",
            path: "/api/v1/tasks?scope=mine&per=20".into(),
            token: Some(st[i as usize % st.len()].clone()),
            body: None,
        })
        .await;
        let matters = load::run(
            port,
            c,
            duration,
            u64::MAX,
            read(|i| format!("/api/v1/matters?per=50&page={}", i % 20 + 1), leader.clone()),
        )
        .await;
        let dashboard =
            load::run(port, c, duration, u64::MAX, read(|_| "/api/v1/coordination/figures".into(), leader.clone()))
                .await;
        let st = staff.clone();
        let export = load::run(port, c.min(4), duration, u64::MAX, move |i| load::Request {
            method: "GET",
            path: "/tasks?scope=department&format=csv".into(),
            token: Some(st[i as usize % st.len()].clone()),
            body: None,
        })
        .await;
        let invitations = Arc::new(city.invitations);
        let pool = invitations.len() as u64;
        let inv = invitations.clone();
        let rating = load::run(port, c, duration, pool, move |i| load::Request {
            method: "POST",
            path: "/api/v1/ratings".into(),
            token: None,
            body: Some(format!(
                "{{\"token\":\"{}\",\"attitude\":5,\"style\":4,\"efficiency\":5,\"competence\":4}}",
                inv[i as usize]
            )),
        })
        .await;
        let divisions = city.divisions;
        let quarter = zaizao::evaluation::scores::periods(now)[1].clone();
        let lt = leader.clone();
        let board = load::run(port, c, duration, u64::MAX, move |i| load::Request {
            method: "GET",
            path: format!("/api/v1/evaluation/scoreboard?division_id={}&period={quarter}", i as i64 % divisions + 1),
            token: Some(lt.clone()),
            body: None,
        })
        .await;
        let key = city.open311_key.clone();
        let filing = load::run(port, c, duration, u64::MAX, move |i| load::Request {
            method: "POST",
            path: "/open311/v2/requests.json".into(),
            token: None,
            body: Some(leads::open311_form(&key, i)),
        })
        .await;
        let office = city.office_token.clone();
        let search = load::run(port, c, duration, u64::MAX, move |i| load::Request {
            method: "GET",
            path: format!(
                "/api/v1/search?q={}",
                zaizao::kernel::web::list::url_encode(leads::QUERIES[i as usize % leads::QUERIES.len()])
            ),
            token: Some(office.clone()),
            body: None,
        })
        .await;
        let catalogue = load::run(port, c, duration, u64::MAX, |i| load::Request {
            method: "GET",
            path: format!(
                "/opendata/api/3/action/package_search?q={}&rows=10",
                zaizao::kernel::web::list::url_encode(["企业", "项目", "招商", "enterprises"][i as usize % 4])
            ),
            token: None,
            body: None,
        })
        .await;
        let enterprises = scale.enterprises;
        let open_page = load::run(port, c, duration, u64::MAX, move |i| load::Request {
            method: "GET",
            path: format!("/opendata/datasets/enterprises.json?limit=100&since={}", now - (i as i64 * 7_919 % enterprises) * 1_000),
            token: None,
            body: None,
        })
        .await;
        // A leader's analysis of the lead procedure over the last month of leads.
        let (lt, month) = (leader.clone(), zaizao::kernel::period::Period::at(zaizao::kernel::period::Kind::Month, now).key());
        let analysis = load::run(port, c, duration, u64::MAX, move |_| load::Request {
            method: "GET",
            path: format!("/api/v1/process-analytics/lead?period={month}"),
            token: Some(lt.clone()),
            body: None,
        })
        .await;
        let before_export = rss_mb(pid);
        let full_export = load::run(port, 1, Duration::from_secs(600), 3, |_| load::Request {
            method: "GET",
            path: "/opendata/datasets/enterprises.csv".into(),
            token: None,
            body: None,
        })
        .await;
        let after_export = rss_mb(pid);
        let loaded_rss = rss_mb(pid);
        drop(server);

        let mut row = |name: &str, o: &load::Outcome, ceiling: &load::Outcome, target: &str, pass: Option<bool>| {
            rows.push(Row {
                scenario: name.into(),
                backend: backend.into(),
                requests: o.requests,
                throughput_rps: o.rps(),
                p50_ms: o.percentile_ms(0.50),
                p95_ms: o.percentile_ms(0.95),
                p99_ms: o.percentile_ms(0.99),
                ceiling_rps: Some(ceiling.rps()),
                fraction_of_ceiling: Some(o.rps() / ceiling.rps().max(1.0)),
                target: target.into(),
                pass,
            });
            if o.errors > 0 {
                eprintln!("{name}: {} requests failed", o.errors);
            }
        };
        row("ceiling: no-op handler", &noop, &noop, "—", None);
        row("ceiling: insert + hash-chained audit", &write_ceiling, &write_ceiling, "—", None);
        let write_pass = write.rps() >= 0.5 * write_ceiling.rps();
        row("task transition (accept)", &write, &write_ceiling, "≥ 50% of insert+audit ceiling", Some(write_pass));
        row("paginated list (all tasks, 50/page)", &list, &noop, "p95 < 20 ms", Some(list.percentile_ms(0.95) < 20.0));
        row("my tasks", &mine, &noop, "p95 < 20 ms", Some(mine.percentile_ms(0.95) < 20.0));
        row("matter board", &matters, &noop, "p95 < 20 ms", Some(matters.percentile_ms(0.95) < 20.0));
        let rating_pass = rating.rps() >= 0.5 * write_ceiling.rps();
        row(
            "submitting a rating (public)",
            &rating,
            &write_ceiling,
            "≥ 50% of insert+audit ceiling",
            Some(rating_pass),
        );
        row("division scoreboard", &board, &noop, "p95 < 20 ms", Some(board.percentile_ms(0.95) < 20.0));
        let filing_pass = filing.rps() >= 0.5 * write_ceiling.rps();
        row(
            "filing a lead (Open311 POST)",
            &filing,
            &write_ceiling,
            "≥ 50% of insert+audit ceiling",
            Some(filing_pass),
        );
        let search_label = format!("Chinese search ({} leads)", scale.leads);
        row(&search_label, &search, &noop, "p95 < 50 ms", Some(search.percentile_ms(0.95) < 50.0));
        row(
            "dashboard (figures per department)",
            &dashboard,
            &noop,
            "p95 < 20 ms",
            Some(dashboard.percentile_ms(0.95) < 20.0),
        );
        row("export (a department's tasks, CSV)", &export, &noop, "—", None);
        let catalogue_label = format!("CKAN package_search ({} enterprises, {} projects)", scale.enterprises, scale.projects);
        row(&catalogue_label, &catalogue, &noop, "p95 < 50 ms", Some(catalogue.percentile_ms(0.95) < 50.0));
        row(
            "open data sync page (enterprises, 100 since a time)",
            &open_page,
            &noop,
            "p95 < 50 ms",
            Some(open_page.percentile_ms(0.95) < 50.0),
        );
        let analysis_label = format!("process analytics, leads of a month ({} leads in all)", scale.leads);
        row(&analysis_label, &analysis, &noop, "p95 < 200 ms", Some(analysis.percentile_ms(0.95) < 200.0));
        let export_label = format!("full CSV of the enterprises dataset ({} records, streamed)", scale.enterprises);
        row(&export_label, &full_export, &noop, "—", None);

        let size_mb = match backend {
            "sqlite" => {
                ["bench.db", "bench.db-wal"]
                    .iter()
                    .map(|f| std::fs::metadata(dir.join(f)).map_or(0, |m| m.len()))
                    .sum::<u64>() as f64
                    / 1e6
            }
            _ => 0.0,
        };
        println!(
            "## zaizao-bench ({backend}, {} mode, {c} connections, {seconds} s per scenario)\n",
            if args.quick { "quick" } else { "full" }
        );
        println!(
            "| scenario | requests | req/s | p50 ms | p95 ms | p99 ms | ceiling req/s | of ceiling | target | pass |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
        for r in &rows {
            println!(
                "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.0} | {:.0}% | {} | {} |",
                r.scenario,
                r.requests,
                r.throughput_rps,
                r.p50_ms,
                r.p95_ms,
                r.p99_ms,
                r.ceiling_rps.unwrap_or(0.0),
                r.fraction_of_ceiling.unwrap_or(0.0) * 100.0,
                r.target,
                r.pass.map_or("—", |p| if p { "pass" } else { "MISS" })
            );
        }
        println!();
        println!(
            "Streaming the full enterprises CSV three times moved the server's RSS from {before_export:.0} to {after_export:.0} MB."
        );
        let startup_pass = startup < Duration::from_secs(2);
        let rss_pass = loaded_rss < 300.0;
        println!();
        println!("| measure | value | target | pass |");
        println!("|---|---:|---|---|");
        println!("| generated records | {} in {:.1} s | — | — |", city.records, generation.as_secs_f64());
        println!(
            "| start-up on the full data set | {:.0} ms | < 2 s | {} |",
            startup.as_secs_f64() * 1000.0,
            if startup_pass { "pass" } else { "MISS" }
        );
        println!(
            "| server RSS idle / after load | {idle_rss:.0} / {loaded_rss:.0} MB | < 300 MB | {} |",
            if rss_pass { "pass" } else { "MISS" }
        );
        if size_mb > 0.0 {
            println!(
                "| database on disk | {size_mb:.0} MB ({:.0} MB per million records) | — | — |",
                size_mb / city.records as f64 * 1e6
            );
        }
        println!(
            "| search index | {indexed} records in {:.1} s, {index_mb:.0} MB ({:.0} MB per million records) | — | — |",
            index_build.as_secs_f64(),
            index_mb / indexed.max(1) as f64 * 1e6
        );
        if let Some(out) = &args.out {
            let doc = serde_json::json!({
                "rows": rows,
                "startup_ms": startup.as_secs_f64() * 1000.0,
                "rss_idle_mb": idle_rss,
                "rss_loaded_mb": loaded_rss,
                "records": city.records,
                "database_mb": size_mb,
                "index_records": indexed,
                "index_build_s": index_build.as_secs_f64(),
                "index_mb": index_mb,
            });
            std::fs::write(out, serde_json::to_string_pretty(&doc)?)?;
        }
        anyhow::Ok(())
    })?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Build the server's search index from the generated data, as `zaizao search rebuild`
/// does; returns the records indexed, the time taken and the size on disk.
async fn build_index(db: &zaizao::kernel::db::Db, dir: &std::path::Path) -> anyhow::Result<(u64, Duration, f64)> {
    let config = zaizao::config::Config {
        listen: "127.0.0.1:0".parse()?,
        data_dir: dir.to_owned(),
        database_url: String::new(),
        secure_cookies: false,
        log_format: "text".into(),
        scheduler_seconds: 0,
        public_rate_per_minute: PUBLIC_RATE,
        max_token_days: 366,
        public_base_url: "http://127.0.0.1".into(),
        trusted_proxy: None,
        delivery: Default::default(),
        open311_contact: zaizao::config::DEFAULT_OPEN311_CONTACT.into(),
        opendata_withhold: Vec::new(),
        crypto: Default::default(),
    };
    let started = Instant::now();
    let search = zaizao::app::open_search(&config, db).await?;
    let n = zaizao::kernel::search::indexer::rebuild(&search, db, &zaizao::app::registry().sources, |_| {}).await?;
    let index_dir = search.dir().to_owned();
    tokio::task::spawn_blocking(move || search.close()).await??;
    let took = started.elapsed();
    let bytes: u64 = std::fs::read_dir(index_dir)?.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum();
    Ok((n, took, bytes as f64 / 1e6))
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("zaizao-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
