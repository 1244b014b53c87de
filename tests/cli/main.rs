//! End-to-end tests: the real binary, an isolated environment, and (for `audit`) a fake Graph
//! server on 127.0.0.1 started per test.

// Benchmarks and tests print their own progress and skips.
#![allow(clippy::disallowed_macros)]
mod support;

mod explain_and_matrix;
mod audit;
mod offline;
mod remediation;
mod scale;
mod client;
mod hostile;
mod reports;
mod drift;
mod tiers;
mod signin;
mod action;
mod install;
mod golden;
