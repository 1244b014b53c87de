//! End-to-end tests: the real binary, an isolated environment, and (for `audit`) a fake Graph
//! server on 127.0.0.1 started per test.

// Benchmarks and tests print their own progress and skips.
#![allow(clippy::disallowed_macros)]
// A broken fixture or stand-in stops the run loudly; the tool itself never unwraps (clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod support;

mod action;
mod architecture;
mod audit;
mod client;
mod docs;
mod drift;
mod examples;
mod explain_and_matrix;
mod golden;
mod hostile;
mod html_screens;
mod install;
mod inventory;
mod just_in_time;
mod least_privilege;
mod msp;
mod offline;
mod real_graph;
mod recipes;
mod remediation;
mod reports;
mod scale;
mod signin;
mod stand_in;
mod tiers;
mod vendors;
