//! End-to-end tests: the real binary, an isolated environment, and (for `audit`) a fake Graph
//! server on 127.0.0.1 started per test.

// Benchmarks and tests print their own progress and skips.
#![allow(clippy::disallowed_macros)]

mod support;

#[path = "cli/explain_and_matrix.rs"]
mod explain_and_matrix;

#[path = "cli/audit.rs"]
mod audit;

#[path = "cli/offline.rs"]
mod offline;

#[path = "cli/remediation.rs"]
mod remediation;

#[path = "cli/scale.rs"]
mod scale;

#[path = "cli/client.rs"]
mod client;

#[path = "cli/hostile.rs"]
mod hostile;

#[path = "cli/reports.rs"]
mod reports;

#[path = "cli/drift.rs"]
mod drift;

#[path = "cli/tiers.rs"]
mod tiers;

#[path = "cli/signin.rs"]
mod signin;

#[path = "cli/action.rs"]
mod action;

#[path = "cli/install.rs"]
mod install;

#[path = "cli/golden.rs"]
mod golden;
