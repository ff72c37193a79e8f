//! Pages and API for the shared services of the kernel: the inbox, the working-day
//! calendar, and the process definitions.

pub mod calendar;
pub mod inbox;
pub mod processes;

use utoipa_axum::router::OpenApiRouter;

use crate::kernel::web::AppState;

pub fn api_router() -> OpenApiRouter<AppState> {
    inbox::api_router().merge(calendar::api_router()).merge(processes::api_router())
}

pub fn page_router() -> axum::Router<AppState> {
    inbox::page_router().merge(calendar::page_router()).merge(processes::page_router())
}
