//! A real zaizao server on port 0 with its own fresh database (SQLite, or a new
//! PostgreSQL database when ZAIZAO_TEST_POSTGRES_URL is set), driven over HTTP.

use std::sync::Arc;

use reqwest::redirect::Policy;
use serde_json::{Value, json};
use zaizao::app::Application;
use zaizao::config::Config;
use zaizao::kernel::audit::Who;
use zaizao::kernel::clock::ManualClock;
use zaizao::kernel::db::Db;

/// 2019-04-10 09:00 China time, the day of the spring central-SOE event.
pub const START_MS: i64 = 1_554_858_000_000;
/// Public endpoints' limit in tests: the default, as a real server has.
const PUBLIC_RATE: u32 = 600;
pub const PASSWORD: &str = "correct-horse-2019";

pub struct TestApp {
    pub base: String,
    pub state: zaizao::kernel::web::AppState,
    pub db: Db,
    pub clock: Arc<ManualClock>,
    pub database_url: String,
    pg_database: Option<(String, String)>,
    /// The server's data folder (its search index).
    pub dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

pub fn postgres_base() -> Option<String> {
    std::env::var("ZAIZAO_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())
}

fn with_database(url: &str, db: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let scheme_end = head.find("://").map_or(0, |i| i + 3);
    let base = match head[scheme_end..].find('/') {
        Some(i) => &head[..scheme_end + i],
        None => head,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

fn admin_sql(url: String, sql: String) {
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connect to ZAIZAO_TEST_POSTGRES_URL");
        c.batch_execute(&sql).expect("admin SQL");
    })
    .join()
    .expect("admin thread");
}

/// A new, empty database: on PostgreSQL when the suite runs there, else a SQLite file in
/// `dir`. Answers its URL, and the PostgreSQL server and name to drop it by.
fn fresh_database(dir: &std::path::Path) -> (String, Option<(String, String)>) {
    match postgres_base() {
        Some(base) => {
            let name = format!("zaizao_test_{}", zaizao::kernel::crypto::random_hex(6).expect("random"));
            admin_sql(base.clone(), format!("CREATE DATABASE {name}"));
            (with_database(&base, &name), Some((base, name)))
        }
        None => (format!("sqlite://{}", dir.join("test.db").display()), None),
    }
}

/// An empty database no server has opened, dropped at the end (for tests that run the
/// `zaizao` command on a database of their own).
pub struct ScratchDatabase {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_database: Option<(String, String)>,
}

impl ScratchDatabase {
    pub fn new() -> ScratchDatabase {
        let dir = tempfile::tempdir().expect("tempdir");
        let (url, pg_database) = fresh_database(dir.path());
        ScratchDatabase { url, dir, pg_database }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        drop_database(self.pg_database.take());
    }
}

fn drop_database(pg_database: Option<(String, String)>) {
    if let Some((base, name)) = pg_database {
        std::thread::spawn(move || {
            if let Ok(mut c) = postgres::Client::connect(&base, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        });
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(None).await
    }

    /// A server that delivers e-mail and SMS through `gateway`.
    pub async fn spawn_with(gateway: Option<Arc<dyn zaizao::kernel::notify::Gateway>>) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let (database_url, pg_database) = fresh_database(dir.path());
        let config = Config {
            listen: "127.0.0.1:0".parse().expect("addr"),
            data_dir: dir.path().to_path_buf(),
            database_url: database_url.clone(),
            secure_cookies: false,
            log_format: "text".into(),
            scheduler_seconds: 0,
            public_rate_per_minute: PUBLIC_RATE,
            max_token_days: 90,
            public_base_url: "https://zaizao.example.gov.cn".into(),
            trusted_proxy: None,
            delivery: Default::default(),
            open311_contact: "青岛市督查督办 12345（测试）".into(),
            opendata_withhold: Vec::new(),
            crypto: Default::default(),
        };
        let clock = ManualClock::new(START_MS);
        let mut app = Application::build(&config, clock.clone()).await.expect("build app");
        if let Some(g) = gateway {
            app = app.with_gateway(g);
        }
        let addr = app.local_addr().expect("addr");
        let db = app.state().db.clone();
        let state = app.state().clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run(async {
            let _ = rx.await;
        }));
        TestApp {
            base: format!("http://{addr}"),
            state,
            db,
            clock,
            database_url,
            pg_database,
            dir,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    /// Stop serving and wait until the server has let go of its database (its data
    /// stays until the TestApp is dropped).
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server stopped cleanly");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Create an account directly, as `zaizao user add` does.
    pub async fn user(&self, username: &str, role: &str, department: Option<i64>, division: Option<i64>) -> i64 {
        let input = zaizao::accounts::service::NewUser {
            username: username.into(),
            display_name: format!("{username} 测试"),
            role: role.into(),
            department_id: department,
            division_id: division,
            password: PASSWORD.into(),
            email: None,
            phone: None,
        };
        let hash = zaizao::accounts::service::hash(PASSWORD.into()).await.expect("hash");
        let who = Who::system("test", START_MS);
        self.db
            .write(move |tx| zaizao::accounts::service::create(tx, &who, &input, &hash))
            .await
            .expect("create user")
            .id
    }

    /// A department with one division and one post, created directly.
    pub async fn department(&self, code: &str, visibility: &str) -> (i64, i64, i64) {
        let (code, vis) = (code.to_owned(), visibility.to_owned());
        let who = Who::system("test", START_MS);
        self.db
            .write(move |tx| {
                use zaizao::org::{departments, divisions};
                let d = departments::create(
                    tx,
                    &who,
                    &departments::DepartmentInput {
                        code: code.clone(),
                        name: format!("{code} 局"),
                        kind: "city_department".into(),
                        visibility: zaizao::kernel::access::Visibility::parse(&vis),
                        ..Default::default()
                    },
                )?;
                let v = divisions::create(
                    tx,
                    &who,
                    &divisions::DivisionInput {
                        department_id: d.id,
                        name: "市场配置促进处".into(),
                        kind: "market_allocation".into(),
                        ..Default::default()
                    },
                )?;
                let p = divisions::create_post(
                    tx,
                    &who,
                    &divisions::PostInput { division_id: v.id, title: "处长".into(), quota: 1, is_head: true },
                )?;
                Ok((d.id, v.id, p.id))
            })
            .await
            .expect("create department")
    }

    /// A bearer token for a user, through the API.
    pub async fn token(&self, username: &str, scopes: &[&str]) -> String {
        let res = reqwest::Client::new()
            .post(self.url("/api/v1/auth/tokens"))
            .json(&json!({ "username": username, "password": PASSWORD, "scopes": scopes }))
            .send()
            .await
            .expect("token request");
        assert_eq!(res.status(), 201, "token for {username}");
        res.json::<Value>().await.expect("json")["secret"].as_str().expect("secret").to_owned()
    }

    pub fn api(&self, token: &str) -> Api {
        Api { base: self.base.clone(), token: token.to_owned(), client: reqwest::Client::new() }
    }

    /// A browser with a cookie jar, signed in through the form.
    pub async fn browser(&self, username: &str) -> Browser {
        let b = Browser::new(&self.base);
        let res = b.sign_in(username, PASSWORD).await;
        assert_eq!(res.status(), 303, "sign-in of {username}");
        b
    }

    pub async fn count(&self, table: &'static str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        self.db.read(move |tx| Ok(tx.count(&sql, &[])?)).await.expect("count")
    }

    /// Build the demo city in this server's database, as `zaizao demo` does.
    pub async fn seed_demo(&self) {
        let hash = zaizao::accounts::service::hash(PASSWORD.into()).await.expect("hash");
        let now = self.clock.now();
        self.db
            .write(move |tx| {
                let who = zaizao::kernel::audit::Who::system("demo", now);
                zaizao::demo::seed(tx, &who, &vec![hash; 20])
            })
            .await
            .expect("seed");
    }

    /// Run the scheduler's sweeps once, at the clock's current time.
    pub async fn run_scheduler(&self) -> usize {
        zaizao::kernel::scheduler::run_once(&self.state, &zaizao::app::registry().sweeps).await.expect("scheduler")
    }

    pub async fn verify(&self) -> zaizao::kernel::audit::VerifyReport {
        self.db.read(zaizao::kernel::audit::verify).await.expect("verify")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        drop_database(self.pg_database.take());
    }
}

/// Disable the append-only triggers, as someone with direct database access could.
pub async fn drop_guards(app: &TestApp) {
    let pg = app.database_url.starts_with("postgres");
    app.db
        .write(move |tx| {
            if pg {
                tx.execute("DROP TRIGGER audit_log_no_change ON audit_log", &[])?;
            } else {
                tx.execute("DROP TRIGGER audit_log_no_update", &[])?;
                tx.execute("DROP TRIGGER audit_log_no_delete", &[])?;
            }
            Ok(())
        })
        .await
        .expect("drop triggers");
}

pub struct Api {
    pub base: String,
    pub token: String,
    pub client: reqwest::Client,
}

impl Api {
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.expect("get");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
    /// A GET whose answer is not JSON (an export), as text.
    pub async fn raw_get(&self, path: &str) -> String {
        let res = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.expect("get");
        res.text().await.expect("text")
    }
    pub async fn send(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let res = self
            .client
            .request(m, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("send");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("POST", path, body).await
    }
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("PUT", path, body).await
    }
    /// POST a file as the raw body.
    pub async fn post_bytes(&self, path: &str, body: Vec<u8>) -> (u16, Value) {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .body(body)
            .send()
            .await
            .expect("post");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        let client = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client");
        Browser { base: base.to_owned(), client }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("get")
    }

    pub async fn text(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.text().await.expect("text"))
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        self.sign_in_with_code(username, password, "").await
    }

    /// Sign in with the second factor's code as well.
    pub async fn sign_in_with_code(&self, username: &str, password: &str, code: &str) -> reqwest::Response {
        let page = self.get("/login").await.text().await.expect("login page");
        let csrf = hidden(&page, "_csrf");
        self.client
            .post(format!("{}/login", self.base))
            .form(&[("username", username), ("password", password), ("code", code), ("_csrf", &csrf), ("next", "/")])
            .send()
            .await
            .expect("sign in")
    }

    /// The session's CSRF token, read from a page's sign-out form.
    pub async fn csrf(&self) -> String {
        let page = self.get("/account").await.text().await.expect("page");
        hidden(&page, "_csrf")
    }

    /// Submit a form with the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("_csrf", &csrf));
        self.client.post(format!("{}{path}", self.base)).form(&all).send().await.expect("post")
    }
}

/// A documented path with sample values in place of its parameters other than ids
/// (`{id}` and `…_id` are left for the caller).
pub fn sample_path(template: &str, token: &str) -> String {
    template
        .replace("{token}", token)
        .replace("{date}", "2019-04-10")
        .replace("{year}", "2019")
        .replace("{kind}", "lead")
        .replace("{code}", "zh")
}

/// Every Rust file under `dir`.
pub fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// The value of the first hidden input named `name` in a page.
pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.split(&marker).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned()
}
