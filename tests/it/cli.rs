//! The `zaizao` command itself: audit verify, backup and restore, users and tokens, and
//! a clear failure when the port is taken.

use std::process::Command;

use crate::support::TestApp;

fn zaizao(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zaizao"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env("ZAIZAO_LOG", "warn")
        .output()
        .expect("run zaizao")
}

#[tokio::test]
async fn user_token_and_audit_commands_work_on_the_running_database() {
    let app = TestApp::spawn().await;
    let url = app.database_url.clone();
    let out = tokio::task::spawn_blocking(move || {
        let add = zaizao(&url, &["user", "add", "--username", "ops", "--role", "system_admin", "--name", "运维"]);
        let list = zaizao(&url, &["user", "list"]);
        let token = zaizao(&url, &["token", "create", "--user", "ops", "--scopes", "read"]);
        let bad_role = zaizao(&url, &["user", "add", "--username", "x", "--role", "king"]);
        let verify = zaizao(&url, &["audit", "verify"]);
        (add, list, token, bad_role, verify)
    })
    .await
    .expect("cli");
    let (add, list, token, bad_role, verify) = out;
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    assert!(String::from_utf8_lossy(&add.stdout).contains("password: "), "a generated password is printed");
    assert!(String::from_utf8_lossy(&list.stdout).contains("ops"));
    let secret = String::from_utf8_lossy(&token.stdout).lines().last().unwrap_or("").to_owned();
    assert!(secret.starts_with("zz_"));
    let (status, me) = app.api(&secret).get("/api/v1/me").await;
    assert_eq!((status, me["username"].as_str()), (200, Some("ops")));
    assert!(!bad_role.status.success());
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role"));
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));

    crate::support::drop_guards(&app).await;
    app.db
        .write(|tx| {
            tx.execute("UPDATE audit_log SET actor = 'someone else' WHERE id = (SELECT MIN(id) FROM audit_log)", &[])?;
            Ok(())
        })
        .await
        .expect("tamper");
    let url = app.database_url.clone();
    let verify = tokio::task::spawn_blocking(move || zaizao(&url, &["audit", "verify"])).await.expect("cli");
    assert_eq!(verify.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&verify.stdout).contains("BROKEN at entry"));
}

#[tokio::test]
async fn search_rebuild_builds_an_index_and_refuses_one_a_running_server_holds() {
    let app = TestApp::spawn().await;
    let (dept, _, _) = app.department("fgw", "internal").await;
    app.user("wang", "dept_head", Some(dept), None).await;
    let wang = app.api(&app.token("wang", &["read", "write"]).await);
    let (s, _) = wang.post("/api/v1/matters", serde_json::json!({ "title": "海洋牧场项目用海审批提速" })).await;
    assert_eq!(s, 201);
    let own = tempfile::tempdir().expect("tempdir");
    let (url, own_dir, server_dir) =
        (app.database_url.clone(), own.path().display().to_string(), app.dir.path().display().to_string());
    let (rebuilt, status, refused) = tokio::task::spawn_blocking(move || {
        (
            zaizao(&url, &["--data-dir", &own_dir, "search", "rebuild"]),
            zaizao(&url, &["--data-dir", &own_dir, "search", "status"]),
            zaizao(&url, &["--data-dir", &server_dir, "search", "rebuild"]),
        )
    })
    .await
    .expect("cli");
    assert!(rebuilt.status.success(), "{}", String::from_utf8_lossy(&rebuilt.stderr));
    assert!(String::from_utf8_lossy(&rebuilt.stdout).contains("search index rebuilt: 1 records"));
    assert!(String::from_utf8_lossy(&status.stdout).contains("documents 1"));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("in use by another zaizao process"));
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_a_working_database() {
    if crate::support::postgres_base().is_some() {
        // On PostgreSQL, backup and restore are pg_dump and pg_restore: covered by
        // backup_and_restore_on_postgres below.
        return;
    }
    let app = TestApp::spawn().await;
    app.department("fgw", "public").await;
    let dir = tempfile::tempdir().expect("dir");
    let backup = dir.path().join("backup.db");
    let restored = dir.path().join("restored.db");
    let (url, b, r) = (app.database_url.clone(), backup.clone(), restored.clone());
    let (made, again, live, back) = tokio::task::spawn_blocking(move || {
        let made = zaizao(&url, &["backup", b.to_str().unwrap_or("")]);
        let again = zaizao(&url, &["backup", b.to_str().unwrap_or("")]);
        let live = zaizao(&url, &["restore", b.to_str().unwrap_or("")]);
        let target = format!("sqlite://{}", r.display());
        let back = zaizao(&target, &["restore", b.to_str().unwrap_or("")]);
        (made, again, live, back)
    })
    .await
    .expect("cli");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    assert!(!again.status.success(), "an existing file is not overwritten");
    assert!(!live.status.success(), "the running server's database is not replaced");
    assert!(String::from_utf8_lossy(&live.stderr).contains("server is running"));
    assert!(back.status.success(), "{}", String::from_utf8_lossy(&back.stderr));
    let said = String::from_utf8_lossy(&back.stdout);
    assert!(said.contains("1 departments") && said.contains("audit trail intact"), "{said}");
    let db = zaizao::kernel::db::Db::open(restored.to_str().unwrap_or("")).expect("open");
    let n = tokio::task::spawn_blocking(move || {
        db.write_blocking(|tx| Ok(tx.count("SELECT COUNT(*) FROM departments", &[])?))
    })
    .await
    .expect("join")
    .expect("count");
    assert_eq!(n, 1);
}

#[tokio::test]
async fn backup_and_restore_on_postgres() {
    if crate::support::postgres_base().is_none() {
        return;
    }
    let app = TestApp::spawn().await;
    app.department("fgw", "public").await;
    // A second, idle database to restore into: no server runs on it.
    let idle = TestApp::spawn().await;
    let idle_url = idle.database_url.clone();
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("backup.dump");
    let (url, f) = (app.database_url.clone(), file.clone());
    let made =
        tokio::task::spawn_blocking(move || zaizao(&url, &["backup", f.to_str().unwrap_or("")])).await.expect("cli");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let (url, f) = (app.database_url.clone(), file.clone());
    let live =
        tokio::task::spawn_blocking(move || zaizao(&url, &["restore", f.to_str().unwrap_or("")])).await.expect("cli");
    assert!(!live.status.success(), "the running server's database is not replaced");
    assert!(String::from_utf8_lossy(&live.stderr).contains("server is running"));
    let mut idle = idle;
    idle.stop().await;
    let f = file.clone();
    let back = tokio::task::spawn_blocking(move || zaizao(&idle_url, &["restore", f.to_str().unwrap_or("")]))
        .await
        .expect("cli");
    assert!(back.status.success(), "{}", String::from_utf8_lossy(&back.stderr));
    let said = String::from_utf8_lossy(&back.stdout);
    assert!(said.contains("1 departments") && said.contains("audit trail intact"), "{said}");
}

#[tokio::test]
async fn serving_on_a_taken_port_fails_clearly() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("dir");
    let out = Command::new(env!("CARGO_BIN_EXE_zaizao"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(dir.path())
        .arg("serve")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is the port taken"));
    let out = Command::new(env!("CARGO_BIN_EXE_zaizao"))
        .args(["--database-url", "postgres://nobody@127.0.0.1:1/none", "serve"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open the database"));
}

/// `zaizao demo` writing to a pipe: no colour codes in its log, and its logins printed
/// last, after the address it listens on, not lost among request lines.
#[test]
fn the_demo_prints_its_address_then_its_logins_without_colours_in_a_pipe() {
    use std::io::{BufRead, Read};
    let dir = tempfile::tempdir().expect("dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_zaizao"))
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .arg("demo")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the demo");
    let mut lines = Vec::new();
    let stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    for line in stdout.lines() {
        let line = line.expect("line");
        let last = line.starts_with("open311_api_key");
        lines.push(line);
        if last {
            break;
        }
    }
    let _ = child.kill();
    let mut log = String::new();
    let _ = child.stderr.take().expect("stderr").read_to_string(&mut log);
    let _ = child.wait();
    assert!(lines.first().is_some_and(|l| l.starts_with("zaizao listening on http://127.0.0.1:")), "{lines:?}");
    assert!(lines.iter().any(|l| l == "leader leader leader-2019qd"), "{lines:?}");
    assert!(!log.contains('\u{1b}'), "no colour codes in a pipe: {log}");
}
