//! A real `zaizao serve` process under write load, killed with SIGKILL and started
//! again: every write it acknowledged is still there, and the audit trail is intact.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::TestApp;

fn zaizao(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zaizao")).arg("--database-url").arg(url).args(args).output().expect("run zaizao")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port")
}

fn serve(url: &str, data: &std::path::Path, port: u16) -> Child {
    serve_with(url, data, port, "0")
}

fn serve_with(url: &str, data: &std::path::Path, port: u16, scheduler_seconds: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_zaizao"))
        .args([
            "--database-url",
            url,
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--scheduler-seconds",
            scheduler_seconds,
        ])
        .arg("--data-dir")
        .arg(data)
        .arg("serve")
        .env("ZAIZAO_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn zaizao serve")
}

async fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if reqwest::get(format!("{base}/readyz")).await.is_ok_and(|r| r.status() == 200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready");
}

#[tokio::test]
async fn writes_acknowledged_before_a_kill_9_survive_it() {
    // A fresh, migrated database (SQLite, or PostgreSQL when configured), then handed to
    // a server process of its own.
    let mut app = TestApp::spawn().await;
    app.stop().await;
    let url = app.database_url.clone();
    let (u, setup) = (
        url.clone(),
        tokio::task::spawn_blocking({
            let url = url.clone();
            move || {
                let add =
                    zaizao(&url, &["user", "add", "--username", "ops", "--role", "system_admin", "--name", "运维"]);
                assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
                zaizao(&url, &["token", "create", "--user", "ops", "--scopes", "read,write"])
            }
        }),
    );
    let token = String::from_utf8_lossy(&setup.await.expect("cli").stdout).lines().last().unwrap_or("").to_owned();
    assert!(token.starts_with("zz_"));
    let data = tempfile::tempdir().expect("dir");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = serve(&u, data.path(), port);
    wait_ready(&base).await;

    // Eight writers create departments until the process dies under them.
    let mut writers = Vec::new();
    for w in 0..8 {
        let (base, token) = (base.clone(), token.clone());
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
            let mut acknowledged = Vec::new();
            for i in 0..100_000 {
                let res = client
                    .post(format!("{base}/api/v1/departments"))
                    .bearer_auth(&token)
                    .json(&json!({ "code": format!("k{w}x{i}"), "name": format!("写入测试 {w}-{i}"), "kind": "city_department" }))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == 201 => {
                        if let Ok(v) = r.json::<Value>().await {
                            acknowledged.push(v["id"].as_i64().unwrap_or(0));
                        }
                    }
                    Ok(r) => panic!("unexpected {}", r.status()),
                    Err(_) => break,
                }
            }
            acknowledged
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.expect("writer"));
    }
    assert!(acknowledged.len() > 20, "the load ran: {} writes", acknowledged.len());

    let data = tempfile::tempdir().expect("dir");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = serve(&u, data.path(), port);
    wait_ready(&base).await;
    let client = reqwest::Client::new();
    for id in &acknowledged {
        let res = client.get(format!("{base}/api/v1/departments/{id}")).bearer_auth(&token).send().await.expect("get");
        assert_eq!(res.status(), 200, "acknowledged department {id} survived");
    }
    child.kill().expect("stop");
    let _ = child.wait();
    let verify = tokio::task::spawn_blocking(move || zaizao(&u, &["audit", "verify"])).await.expect("cli");
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
}

/// SIGTERM stops the server cleanly on both databases: it finishes, exits 0, and lets go
/// of the database (PostgreSQL's client used to abort the process as it was dropped).
#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let mut app = TestApp::spawn().await;
    app.stop().await;
    let data = tempfile::tempdir().expect("dir");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    // With the scheduler and the indexer running, as in production.
    let mut child = serve_with(&app.database_url, data.path(), port, "1");
    wait_ready(&base).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(reqwest::get(format!("{base}/healthz")).await.expect("get").status(), 200);
    let pid = child.id().to_string();
    let term = Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
    assert!(term.success());
    let status = tokio::task::spawn_blocking(move || child.wait()).await.expect("join").expect("wait");
    assert_eq!(status.code(), Some(0), "a clean exit, not {status:?}");
}
