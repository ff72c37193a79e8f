//! The shared kernel every mechanism stands on.

pub mod access;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod crypto;
pub mod db;
pub mod error;
pub mod i18n;
pub mod ratelimit;
pub mod validate;
pub mod web;
