//! The shared kernel every mechanism stands on.

pub mod access;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod clock;
pub mod crypto;
pub mod db;
pub mod error;
pub mod gateways;
pub mod geo;
pub mod i18n;
pub mod images;
pub mod import;
pub mod names;
pub mod notify;
pub mod opendata;
pub mod period;
pub mod ratelimit;
pub mod registry;
pub mod scheduler;
pub mod search;
pub mod settings;
pub mod validate;
pub mod web;
pub mod workflow;
