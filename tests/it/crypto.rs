//! The 商用密码 suite (`--crypto gm`) end to end, through the `zaizao` command and a
//! server it runs: secrets stored as SM3 digests, personal information sealed with SM4,
//! the audit chain linked by HMAC-SM3, key rotation, and a database refused by the other
//! suite or without its key.

use std::process::{Command, Output};

use serde_json::Value;

use crate::support::ScratchDatabase;

const KEY: &str = "6a8f3c1d9e2b47a0c5d8e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6";
const NEW_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";

fn zaizao(url: &str, keys: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zaizao"));
    c.arg("--database-url").arg(url).args(args).env("ZAIZAO_LOG", "warn").env_remove("ZAIZAO_CRYPTO");
    match keys {
        Some(k) => c.arg("--crypto").arg("gm").env("ZAIZAO_CRYPTO_KEY", k),
        None => c.env_remove("ZAIZAO_CRYPTO_KEY"),
    };
    c.output().expect("run zaizao")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking")
}

/// The stored text of one column of every row.
async fn stored(url: &str, sql: &'static str) -> Vec<String> {
    let url = url.to_owned();
    blocking(move || {
        let db = zaizao::kernel::db::Db::open(&url).expect("open");
        db.write_blocking(|tx| Ok(tx.query(sql, &[])?.iter().filter_map(|r| r.opt_text(0).ok().flatten()).collect()))
            .expect("query")
    })
    .await
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn serve(url: &str, dir: &std::path::Path) -> (Server, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let child = Command::new(env!("CARGO_BIN_EXE_zaizao"))
        .args(["--database-url", url, "--crypto", "gm", "--scheduler-seconds", "0", "serve"])
        .arg("--data-dir")
        .arg(dir)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .env("ZAIZAO_CRYPTO_KEY", KEY)
        .env("ZAIZAO_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    let base = format!("http://127.0.0.1:{port}");
    let server = Server(child);
    for _ in 0..300 {
        if reqwest::get(format!("{base}/readyz")).await.is_ok_and(|r| r.status() == 200) {
            return (server, base);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the gm server did not start");
}

#[tokio::test]
async fn the_gm_suite_seals_personal_information_links_the_audit_trail_by_hmac_sm3_and_rotates_its_key() {
    let scratch = ScratchDatabase::new();
    let url = scratch.url.clone();
    let u = url.clone();
    let (add, key311) = blocking(move || {
        let add =
            zaizao(&u, Some(KEY), &["user", "add", "--username", "ops", "--role", "system_admin", "--name", "运维"]);
        let key = zaizao(&u, Some(KEY), &["open311-key", "--name", "12345 热线"]);
        (add, key)
    })
    .await;
    assert!(add.status.success(), "{}", text(&add));
    let api_key = String::from_utf8_lossy(&key311.stdout).lines().last().unwrap_or("").to_owned();
    assert!(api_key.starts_with("o311_"), "{}", text(&key311));
    let u = url.clone();
    let token =
        blocking(move || zaizao(&u, Some(KEY), &["token", "create", "--user", "ops", "--scopes", "read,write"])).await;
    let token = String::from_utf8_lossy(&token.stdout).lines().last().unwrap_or("").to_owned();
    assert!(token.starts_with("zz_"));

    let (server, base) = serve(&url, scratch.dir.path()).await;
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{base}/open311/v2/requests.json"))
        .form(&[
            ("api_key", api_key.as_str()),
            ("service_code", "APPROVAL"),
            ("lat", "36.0671"),
            ("long", "120.3826"),
            ("description", "企业开办材料被窗口退回三次"),
            ("last_name", "林"),
            ("first_name", "晓雯"),
            ("phone", "13912345678"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status().as_u16(), 201, "{}", res.text().await.unwrap_or_default());
    let created = client
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"username": "liqing", "display_name": "李青", "role": "leader",
            "email": "liqing@qingdao.gov.cn", "phone": "13800001111", "password": "Qd-Zaizao-7391"}))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status().as_u16(), 201);
    let user: Value = created.json().await.expect("json");
    let shown: Value = client
        .get(format!("{base}/api/v1/users/{}", user["id"]))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(shown["phone"], "13800001111", "an administrator reads the contact in full");
    drop(server);

    // At rest: sealed under the key, the token an SM3 digest, the trail's copies sealed.
    let contacts = stored(&url, "SELECT reporter_contact FROM leads").await;
    let phones = stored(&url, "SELECT phone FROM users WHERE phone IS NOT NULL").await;
    let after = stored(&url, "SELECT after_json FROM audit_log WHERE after_json IS NOT NULL").await;
    let key_id = zaizao::kernel::crypto::sm3_hex(&hex::decode(KEY).expect("hex"))[..8].to_owned();
    for v in contacts.iter().chain(&phones).chain(&after) {
        assert!(v.starts_with(&format!("sm4:{key_id}:")), "sealed under the key: {v}");
        assert!(!v.contains("1391234") && !v.contains("1380000"), "{v}");
    }
    assert_eq!((contacts.len(), phones.len()), (1, 1));
    let digests = stored(&url, "SELECT token_hash FROM api_tokens").await;
    assert!(digests.contains(&zaizao::kernel::crypto::sm3_hex(token.as_bytes())), "tokens are kept as SM3 digests");
    assert_eq!(stored(&url, "SELECT value FROM database_facts WHERE name = 'crypto'").await, ["gm"]);

    // The chain verifies under the key; a standard server, or another key, is refused.
    let u = url.clone();
    let (verify, standard, wrong_key) = blocking(move || {
        (
            zaizao(&u, Some(KEY), &["audit", "verify"]),
            zaizao(&u, None, &["audit", "verify"]),
            zaizao(&u, Some(NEW_KEY), &["audit", "verify"]),
        )
    })
    .await;
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(!standard.status.success());
    assert!(text(&standard).contains("written with --crypto gm"), "{}", text(&standard));
    assert!(!wrong_key.status.success());
    assert!(text(&wrong_key).contains("not among the configured keys"), "{}", text(&wrong_key));

    // Rotation: the new key first, the old kept to read the trail.
    let both = format!("{NEW_KEY},{KEY}");
    let u = url.clone();
    let (rotate, verify, export) = blocking(move || {
        (
            zaizao(&u, Some(&both), &["crypto", "rotate"]),
            zaizao(&u, Some(&both), &["audit", "verify"]),
            zaizao(&u, Some(&both), &["user", "export-personal-data", "liqing"]),
        )
    })
    .await;
    assert!(rotate.status.success(), "{}", text(&rotate));
    assert!(text(&rotate).contains("sealed 4 value(s)"), "{}", text(&rotate));
    assert!(verify.status.success(), "{}", text(&verify));
    let new_id = zaizao::kernel::crypto::sm3_hex(&hex::decode(NEW_KEY).expect("hex"))[..8].to_owned();
    let contacts = stored(&url, "SELECT reporter_contact FROM leads").await;
    assert!(contacts[0].starts_with(&format!("sm4:{new_id}:")), "{contacts:?}");
    let data: Value = serde_json::from_slice(&export.stdout).expect("export json");
    assert_eq!(data["personal_information"]["account_contact"][0]["phone"], "13800001111", "{data}");
    assert_eq!(data["account"]["name"], "李青");
}

#[tokio::test]
async fn a_database_written_under_the_standard_suite_is_refused_by_the_gm_suite() {
    let scratch = ScratchDatabase::new();
    let url = scratch.url.clone();
    let (made, gm, bad) = blocking(move || {
        (
            zaizao(&url, None, &["user", "add", "--username", "ops", "--role", "system_admin"]),
            zaizao(&url, Some(KEY), &["audit", "verify"]),
            zaizao(&url, Some("abcd"), &["audit", "verify"]),
        )
    })
    .await;
    assert!(made.status.success(), "{}", text(&made));
    assert!(!gm.status.success());
    assert!(
        text(&gm).contains("written with --crypto standard and cannot be opened with --crypto gm"),
        "{}",
        text(&gm)
    );
    assert_eq!(bad.status.code(), Some(2), "a malformed key is refused before anything opens");
    assert!(text(&bad).contains("32 bytes"), "{}", text(&bad));
}
