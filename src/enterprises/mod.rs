//! The enterprise registry (企业库), part of the foundation: every enterprise and
//! entrepreneur the city deals with, one record per enterprise keyed by its unified
//! social credit code, shared by the mechanisms that gather contacts (2), take ideas (3),
//! seat associations' members (5) and hear policy applicants (6).

pub mod api;
pub mod demo;
mod import;
mod pages;
pub mod registry;
pub mod ties;

/// The registry's pages.
pub fn router() -> axum::Router<crate::kernel::web::AppState> {
    pages::router().merge(import::router())
}
