//! Black-box tests: the real server over HTTP, on SQLite, and on PostgreSQL when
//! ZAIZAO_TEST_POSTGRES_URL is set. One test binary for the whole suite.

mod access;
mod architecture;
mod audit;
mod auth;
mod bad_input;
mod chrome;
mod cli;
mod coordination;
mod crypto;
mod delivery;
mod demo;
mod durability;
mod duties;
mod enterprises;
mod evaluation;
mod hearings;
mod ideas;
mod investment;
mod journeys;
mod market;
mod meetings_and_direct_line;
mod openapi;
mod org;
mod policies;
mod privacy;
mod process_analytics;
mod public_leaks;
mod search;
mod security;
mod shell;
mod supervision;
mod support;
mod translations;
