//! Assembling the service: open and migrate the database, build the router, bind the
//! listener. `Application::build` exposes the bound port, so tests start the real
//! service on port 0 with a fresh database.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::config::Config;
use crate::kernel::clock::Clock;
use crate::kernel::db::{Db, migrate};
use crate::kernel::i18n::{self, Translations};
use crate::kernel::ratelimit::RateLimiter;
use crate::kernel::registry::{Mechanism, Registry};
use crate::kernel::scheduler;
use crate::kernel::search::{Search, indexer};
use crate::kernel::web::{self, AppState, Settings, assets};
use crate::kernel::workflow::Registry as Processes;

pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "zaizao API", description = "再造 — government process reengineering. \
        Authenticate with `Authorization: Bearer <token>`; get a token from POST /api/v1/auth/tokens. \
        Errors are `{\"error\": {\"code\", \"message\", \"field\", \"request_id\"}}`; send \
        `Accept-Language: en` for English messages."),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The mechanisms this service runs: each is one folder, listed here once.
pub static MECHANISMS: [&Mechanism; 8] = [
    &crate::coordination::MECHANISM,
    &crate::evaluation::MECHANISM,
    &crate::investment::MECHANISM,
    &crate::ideas::MECHANISM,
    &crate::hearings::MECHANISM,
    &crate::market::MECHANISM,
    &crate::policies::MECHANISM,
    &crate::supervision::MECHANISM,
];

/// The foundation's messages (the mechanisms bring their own).
pub const FOUNDATION_TRANSLATIONS: [Translations; 4] = [
    Translations { folder: "org", zh: include_str!("org/i18n/zh-CN.ftl"), en: include_str!("org/i18n/en.ftl") },
    Translations {
        folder: "enterprises",
        zh: include_str!("enterprises/i18n/zh-CN.ftl"),
        en: include_str!("enterprises/i18n/en.ftl"),
    },
    Translations {
        folder: "accounts",
        zh: include_str!("accounts/i18n/zh-CN.ftl"),
        en: include_str!("accounts/i18n/en.ftl"),
    },
    Translations {
        folder: "platform",
        zh: include_str!("platform/i18n/zh-CN.ftl"),
        en: include_str!("platform/i18n/en.ftl"),
    },
];

/// Every folder's messages beside the kernel's.
pub fn translations() -> Vec<Translations> {
    FOUNDATION_TRANSLATIONS.iter().copied().chain(MECHANISMS.iter().map(|m| m.translations)).collect()
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    for problem in i18n::install(&translations()) {
        tracing::error!(%problem, "translations");
    }
    Registry::new(
        &MECHANISMS,
        &[indexer::prune_queue, crate::kernel::notify::send_digests, crate::kernel::privacy::sweep],
    )
});

/// The mechanisms and what the kernel gathers from them: processes, sweeps (with the
/// kernel's own upkeep last), search sources.
pub fn registry() -> &'static Registry {
    &REGISTRY
}

/// Every API route, with its OpenAPI description.
pub fn api() -> OpenApiRouter<AppState> {
    let mut api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::accounts::api::router())
        .merge(crate::org::api::router())
        .merge(crate::enterprises::api::router())
        .merge(crate::audit_trail::api_router());
    for m in &registry().mechanisms {
        api = api.merge((m.api)());
    }
    api.merge(crate::platform::api_router())
}

/// The OpenAPI document as served: generated from the routes, completed with what every
/// operation shares.
pub fn openapi_document() -> serde_json::Value {
    let (_, openapi) = api().split_for_parts();
    described(&openapi)
}

fn described(openapi: &utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut doc = serde_json::to_value(openapi).unwrap_or_default();
    web::openapi::complete(&mut doc);
    doc
}

pub fn router(state: AppState) -> Router {
    let (api, openapi) = api().split_for_parts();
    let openapi = Arc::new(described(&openapi));
    let pages = Router::new()
        .merge(api)
        .route("/api/openapi.json", get(move || std::future::ready(axum::Json(openapi.as_ref().clone()))))
        .route("/api/docs", get(assets::api_docs))
        .route("/static/{*path}", get(assets::serve))
        .route("/healthz", get(web::healthz))
        .route("/readyz", get(web::readyz))
        .merge(crate::home::router())
        .merge(crate::accounts::pages::router())
        .merge(crate::org::pages::router())
        .merge(crate::enterprises::router())
        .merge(crate::audit_trail::page_router())
        .merge(crate::platform::page_router());
    let pages = registry().mechanisms.iter().fold(pages, |r, m| r.merge((m.pages)()));
    pages
        .fallback(web::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(web::edge))
        .with_state(state)
}

/// Open the database (on a blocking thread: the PostgreSQL client is synchronous) and
/// apply migrations.
pub async fn open_database(url: &str, clock: &Arc<dyn Clock>) -> anyhow::Result<Db> {
    let url = url.to_owned();
    let now = clock.now_ms();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Db> {
        let db = Db::open(&url).with_context(|| format!("cannot open the database {}", redact(&url)))?;
        migrate::run(&db, now, &registry().migrations).context("cannot apply migrations")?;
        Ok(db)
    })
    .await
    .context("start-up task failed")?
}

/// The search index of this server, in `<data_dir>/search`.
pub async fn open_search(config: &Config, db: &Db) -> anyhow::Result<Arc<Search>> {
    let database_id =
        db.read(Search::database_id).await.map_err(|e| anyhow::anyhow!("cannot read search_state: {e}"))?;
    let dir = config.data_dir.join("search");
    tokio::task::spawn_blocking(move || Search::open(&dir, &database_id).map(Arc::new))
        .await
        .context("start-up task failed")?
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub struct Application {
    listener: tokio::net::TcpListener,
    state: AppState,
    scheduler_seconds: u64,
    /// Keeps `zaizao restore` away while this server runs.
    serving: crate::kernel::db::serving::DbLock,
}

impl Application {
    pub async fn build(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Application> {
        registry();
        let db = open_database(&config.database_url, &clock).await?;
        Self::with_db(config, clock, db).await
    }

    pub async fn with_db(config: &Config, clock: Arc<dyn Clock>, db: Db) -> anyhow::Result<Application> {
        for kept in &config.opendata_withhold {
            let known = kept.split_once('.').is_some_and(|(d, f)| {
                registry().dataset(d).is_some_and(|d| d.fields.iter().skip(1).any(|x| x.name == f))
            });
            if !known {
                anyhow::bail!(
                    "opendata_withhold names {kept:?}, which is not a published dataset's field (dataset.field)"
                );
            }
        }
        let url = config.database_url.clone();
        let serving = tokio::task::spawn_blocking(move || crate::kernel::db::serving::hold_as_server(&url))
            .await
            .context("start-up task failed")??;
        let (calendar, overrides) = db
            .read(|tx| {
                let overrides = tx
                    .query("SELECT kind, definition FROM process_overrides", &[])?
                    .iter()
                    .map(|r| Ok((r.text(0)?, r.text(1)?)))
                    .collect::<Result<Vec<_>, crate::kernel::db::DbError>>()?;
                Ok((crate::kernel::calendar::load(tx)?, overrides))
            })
            .await
            .map_err(|e| anyhow::anyhow!("cannot read the calendar and processes: {e}"))?;
        let processes = Processes::load(registry().processes.clone(), &overrides).map_err(|e| anyhow::anyhow!(e))?;
        let search = open_search(config, &db).await?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {} (is the port taken?)", config.listen))?;
        let state = AppState {
            db,
            clock,
            limiter: Arc::new(RateLimiter::default()),
            settings: Arc::new(Settings {
                secure_cookies: config.secure_cookies,
                login_rate_per_minute: 20,
                public_rate_per_minute: config.public_rate_per_minute,
                max_token_days: config.max_token_days,
                public_base_url: config.public_base_url.clone(),
                trusted_proxy: config.trusted_proxy,
                open311_contact: config.open311_contact.clone(),
                opendata_withhold: config.opendata_withhold.clone(),
            }),
            calendar: Arc::new(std::sync::RwLock::new(Arc::new(calendar))),
            processes: Arc::new(processes),
            search: search.clone(),
            registry: registry(),
            gateway: crate::kernel::gateways::from_config(&config.delivery)?,
        };
        indexer::spawn(search, state.db.clone(), &registry().sources);
        Ok(Application { listener, state, scheduler_seconds: config.scheduler_seconds, serving })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Deliver e-mail and SMS through the city's own gateway instead of the log.
    pub fn with_gateway(mut self, gateway: Arc<dyn crate::kernel::notify::Gateway>) -> Application {
        self.state.gateway = gateway;
        self
    }

    /// Serve until `shutdown` resolves, then finish in-flight requests.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        if self.scheduler_seconds > 0 {
            let every = std::time::Duration::from_secs(self.scheduler_seconds);
            scheduler::spawn(self.state.clone(), &registry().sweeps, every);
        }
        let app = router(self.state);
        let served = axum::serve(self.listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
            .context("server error");
        // Released on a blocking thread: on PostgreSQL it ends a synchronous session.
        let serving = self.serving;
        let _ = tokio::task::spawn_blocking(move || drop(serving)).await;
        served
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down; finishing requests in flight");
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
