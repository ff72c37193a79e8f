//! zaizao (再造): the seven mechanisms of Qingdao's 2019 process reengineering as one
//! service. `kernel` is the shared ground; each other module is one part of the product.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod accounts;
pub mod app;
pub mod audit_trail;
pub mod cli;
pub mod config;
pub mod coordination;
pub mod demo;
pub mod enterprises;
pub mod evaluation;
pub mod hearings;
pub mod home;
pub mod ideas;
pub mod investment;
pub mod kernel;
pub mod market;
pub mod org;
pub mod platform;
pub mod policies;
pub mod supervision;
