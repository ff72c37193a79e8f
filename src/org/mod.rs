//! Organisation (三定): departments and districts, their divisions (处室), posts with
//! staffing quotas (编制), people in posts, and city leaders' portfolios (分管).
//! Nothing is hard-deleted: records are deactivated, assignments end, and the audit
//! trail keeps every before and after.

pub mod api;
pub mod departments;
pub mod divisions;
pub mod pages;
pub mod people;
mod people_pages;

pub const DEPARTMENT_KINDS: [&str; 5] = ["city_department", "district", "party", "legislature", "other"];
pub const DIVISION_KINDS: [&str; 3] = ["general", "market_allocation", "office"];
