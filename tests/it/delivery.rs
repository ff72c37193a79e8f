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
    app.user("admin", "admin", None, None).await;
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
