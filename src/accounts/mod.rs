//! Accounts and roles, sign-in pages, the user's own account page and API tokens.

pub mod api;
pub mod pages;
pub mod service;
mod sign_in;
