//! E-mail and SMS are handed to the gateway outside any transaction: a gateway that
//! hangs delays nothing else.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::Notify;
use zaizao::kernel::notify::{Delivery, Gateway, Note, Outgoing};

use crate::support::TestApp;

/// Holds every delivery until released.
struct HeldGateway {
    started: Arc<Notify>,
    release: Arc<Notify>,
}

impl Gateway for HeldGateway {
    fn deliver<'a>(&'a self, _: &'a Outgoing) -> Delivery<'a> {
        Box::pin(async move {
            self.started.notify_one();
            self.release.notified().await;
            Ok(())
        })
    }
}

/// Guards against a hang only; nothing here measures speed.
const HANG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_hanging_gateway_does_not_hold_up_other_writes() {
    let (started, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let gateway = HeldGateway { started: started.clone(), release: release.clone() };
    let app = TestApp::spawn_with(Some(Arc::new(gateway))).await;
    let reader = app.user("reader", "leader", None, None).await;
    app.user("admin", "system_admin", None, None).await;
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    let now = app.clock.now();
    app.db
        .write(move |tx| {
            tx.execute("UPDATE users SET email = 'reader@qingdao.gov.cn' WHERE id = $1", &[reader.into()])?;
            let who = zaizao::kernel::audit::Who::system("test", now);
            let note = Note {
                kind: "test",
                message: "note-deadline-reminder",
                params: vec![
                    ("process", "督办任务".into()),
                    ("title", "事项交办".into()),
                    ("deadline", "2026-12-01".into()),
                ],
                body: String::new(),
                link: "/".into(),
            };
            zaizao::kernel::notify::send(tx, &who, &[reader], &note)
        })
        .await
        .expect("note");

    let state = app.state.clone();
    let run =
        tokio::spawn(async move { zaizao::kernel::scheduler::run_once(&state, &zaizao::app::registry().sweeps).await });
    tokio::time::timeout(HANG, started.notified()).await.expect("the gateway was called");
    // The delivery is in progress; writes go on.
    let (status, _) = tokio::time::timeout(
        HANG,
        admin.post("/api/v1/departments", json!({ "code": "swj", "name": "市商务局", "kind": "city_department" })),
    )
    .await
    .expect("a write completes while the gateway hangs");
    assert_eq!(status, 201);
    release.notify_one();
    let done = tokio::time::timeout(HANG, run).await.expect("finishes").expect("join").expect("run");
    assert!(done >= 1);
    let sent = app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL", &[])?))
        .await
        .expect("count");
    assert_eq!(sent, 1);
}

/// A local SMTP sink on 127.0.0.1: speaks just enough SMTP to take messages, and keeps
/// each one's envelope recipient and data.
async fn smtp_sink() -> (u16, Arc<std::sync::Mutex<Vec<(String, String)>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let got = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = got.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let (mut to, mut data, mut in_data) = (String::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            kept.lock().expect("lock").push((to.clone(), std::mem::take(&mut data)));
                            let _ = write.write_all(b"250 kept\r\n").await;
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to = line[8..].trim().trim_matches(|c| c == '<' || c == '>').to_owned();
                        b"250 ok\r\n"
                    } else if upper == "DATA" {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if upper == "QUIT" {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = write.write_all(answer).await;
                }
            });
        }
    });
    (port, got)
}

/// A note for `user`, who has an e-mail address and a mobile number.
async fn note_for(app: &TestApp, user: i64) {
    let now = app.clock.now();
    app.db
        .write(move |tx| {
            tx.execute(
                "UPDATE users SET email = 'lin@qingdao.gov.cn', phone = '13800138000' WHERE id = $1",
                &[user.into()],
            )?;
            let who = zaizao::kernel::audit::Who::system("test", now);
            let note = Note {
                kind: "test",
                message: "note-deadline-reminder",
                params: vec![
                    ("process", "督办任务".into()),
                    ("title", "企业开办一窗通办".into()),
                    ("deadline", "2026-12-01".into()),
                ],
                body: "请按期反馈".into(),
                link: "/".into(),
            };
            zaizao::kernel::notify::send(tx, &who, &[user], &note)
        })
        .await
        .expect("note");
}

/// E-mail goes over SMTP to a local sink and SMS to a webhook gateway with the
/// configured JSON body, both marked sent.
#[tokio::test]
async fn email_reaches_an_smtp_server_and_sms_a_webhook_gateway() {
    let (port, mail) = smtp_sink().await;
    let hook = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let hook_port = hook.local_addr().expect("addr").port();
    let bodies = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let kept = bodies.clone();
    let router = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |body: String| {
            let kept = kept.clone();
            async move {
                kept.lock().expect("lock").push(body);
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(hook, router).await });
    let gateway = zaizao::kernel::gateways::from_config(&zaizao::kernel::gateways::DeliveryConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        mail_from: Some("再造平台 <noreply@qingdao.gov.cn>".into()),
        sms_webhook_url: Some(format!("http://127.0.0.1:{hook_port}/sms")),
        sms_webhook_template: Some(r#"{"to": "{address}", "text": "{subject}：{body}", "sign": "青岛市"}"#.into()),
    })
    .expect("gateway");
    let app = TestApp::spawn_with(Some(gateway)).await;
    let lin = app.user("lin", "leader", None, None).await;
    note_for(&app, lin).await;
    assert_eq!(app.run_scheduler().await, 2);
    let mail = mail.lock().expect("lock").clone();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].0, "lin@qingdao.gov.cn");
    assert!(mail[0].1.contains("Subject: =?utf-8?") && mail[0].1.contains("noreply@qingdao.gov.cn"), "{}", mail[0].1);
    let sms: serde_json::Value =
        serde_json::from_str(&bodies.lock().expect("lock")[0]).expect("the configured JSON body");
    assert_eq!(sms["to"], "13800138000");
    assert!(sms["text"].as_str().is_some_and(|t| t.contains("企业开办一窗通办") && t.ends_with("请按期反馈")), "{sms}");
    let sent = app
        .db
        .read(|tx| Ok(tx.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL", &[])?))
        .await
        .expect("count");
    assert_eq!(sent, 2);
}

/// A gateway that does not answer is tried again after 1, 2, 4 and 8 minutes, five
/// times in all; then the message is listed for administrators, who can retry it.
#[tokio::test]
async fn failed_deliveries_back_off_and_are_shown_to_administrators() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let gateway = zaizao::kernel::gateways::from_config(&zaizao::kernel::gateways::DeliveryConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        ..Default::default()
    })
    .expect("gateway");
    let app = TestApp::spawn_with(Some(gateway)).await;
    let lin = app.user("lin", "leader", None, None).await;
    app.user("admin", "system_admin", None, None).await;
    let admin = app.api(&app.token("admin", &["read", "write"]).await);
    note_for(&app, lin).await;
    let attempts = || async {
        app.db
            .read(|tx| Ok(tx.count("SELECT attempts FROM outbox WHERE channel = 'email'", &[])?))
            .await
            .expect("attempts")
    };
    app.run_scheduler().await;
    assert_eq!(attempts().await, 1);
    app.run_scheduler().await;
    assert_eq!(attempts().await, 1, "not again before the minute is up");
    for (wait, after) in [(60_000, 2), (120_000, 3), (240_000, 4), (480_000, 5), (3_600_000, 5)] {
        app.clock.advance_ms(wait);
        app.run_scheduler().await;
        assert_eq!(attempts().await, after, "after waiting {wait} ms");
    }
    let (s, failed) = admin.get("/api/v1/deliveries?state=failed").await;
    assert_eq!(s, 200);
    assert_eq!(failed[0]["address"], "l***@qingdao.gov.cn", "{failed}");
    assert!(failed[0]["last_error"].as_str().is_some_and(|e| e.contains("smtp")), "{failed}");
    let b = app.browser("admin").await;
    let (_, page) = b.text("/admin/deliveries").await;
    assert!(page.contains("发送失败") && page.contains("l***@qingdao.gov.cn") && page.contains("重新发送"), "{page}");
    let id = failed[0]["id"].as_i64().expect("id");
    let staff = app.api(&app.token("lin", &["read", "write"]).await);
    assert_eq!(staff.post(&format!("/api/v1/deliveries/{id}/retry"), json!({})).await.0, 403);
    assert_eq!(admin.post(&format!("/api/v1/deliveries/{id}/retry"), json!({})).await.0, 204);
    assert_eq!(attempts().await, 0);
    app.run_scheduler().await;
    assert_eq!(attempts().await, 1, "tried again at once");
    assert_eq!(admin.get("/api/v1/deliveries?state=nonsense").await.0, 422);
}
