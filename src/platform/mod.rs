//! Pages and API for the shared services of the kernel: the inbox, the working-day
//! calendar, the process definitions, and full-text search.

pub mod calendar;
pub mod deliveries;
pub mod directives;
pub mod inbox;
pub mod opendata;
pub mod process_analytics;
pub mod processes;
pub mod search;
pub mod settings;

use utoipa_axum::router::OpenApiRouter;

use crate::kernel::web::AppState;

pub fn api_router() -> OpenApiRouter<AppState> {
    inbox::api_router()
        .merge(process_analytics::api_router())
        .merge(calendar::api_router())
        .merge(processes::api_router())
        .merge(search::api_router())
        .merge(settings::api_router())
        .merge(deliveries::api_router())
        .merge(directives::api_router())
}

pub fn page_router() -> axum::Router<AppState> {
    inbox::page_router()
        .merge(process_analytics::page_router())
        .merge(calendar::page_router())
        .merge(processes::page_router())
        .merge(search::page_router())
        .merge(settings::page_router())
        .merge(deliveries::page_router())
        .merge(directives::page_router())
        .merge(opendata::page_router())
}
