//! The audit's policy: which requirements are checked (`Scope`, `--strict`), when a run fails
//! (`FailOn`), and the one function that decides whether it passed.

use serde::{Deserialize, Serialize};

use crate::matrix::Purpose;

use crate::permission::PermissionType;

use super::report::{Excess, Report};

/// Which requirements an audit checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    All,
    Backup,
    Restore,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Backup => "backup",
            Scope::Restore => "restore",
        }
    }

    /// Whether a requirement serving `purposes` is in scope.
    pub fn includes(self, purposes: &[Purpose]) -> bool {
        match self {
            Scope::All => true,
            Scope::Backup => purposes.contains(&Purpose::Backup),
            Scope::Restore => purposes.contains(&Purpose::Restore),
        }
    }
}

/// When an audit fails (exit 1). Serialised as the audit JSON's `failOn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Any object in scope not covered.
    Gap,
    /// Any object whose backup is not covered.
    BackupGap,
    /// Any gap, or any granted permission not needed.
    Excess,
    /// A requirement satisfied in the baseline and not now (`--baseline`; without one, any gap).
    NewGap,
    /// A grant not needed that the baseline did not have (`--baseline`; without one, any excess).
    NewExcess,
    /// A Tier-0 application permission not needed (a path to Global Administrator).
    ExcessTier0,
    /// Report only.
    Never,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Gap => "gap",
            FailOn::BackupGap => "backup-gap",
            FailOn::Excess => "excess",
            FailOn::NewGap => "new-gap",
            FailOn::NewExcess => "new-excess",
            FailOn::ExcessTier0 => "excess-tier0",
            FailOn::Never => "never",
        }
    }
}

/// What the audit checks and when it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub scope: Scope,
    pub strict: bool,
    pub fail_on: FailOn,
    /// Count the rows a vendor marks optional.
    pub include_optional: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            scope: Scope::All,
            strict: false,
            fail_on: FailOn::Gap,
            include_optional: false,
        }
    }
}

impl Options {
    pub(crate) fn purposes(&self) -> &'static [Purpose] {
        match self.scope {
            Scope::All => &[Purpose::Backup, Purpose::Restore],
            Scope::Backup => &[Purpose::Backup],
            Scope::Restore => &[Purpose::Restore],
        }
    }
}

/// Whether an unmet requirement (`permission`, `ptype`, needed for `purposes`) fails the run
/// under `fail_on`. JUnit, SARIF and the verdict all ask this one question.
pub fn gap_fails(
    report: &Report,
    fail_on: FailOn,
    permission: &str,
    ptype: PermissionType,
    purposes: &[Purpose],
) -> bool {
    match fail_on {
        FailOn::Gap | FailOn::Excess => true,
        FailOn::BackupGap => purposes.contains(&Purpose::Backup),
        // Without a baseline every gap is new.
        FailOn::NewGap => report.changes.as_ref().is_none_or(|c| {
            c.new_gaps
                .iter()
                .any(|g| g.ptype == ptype && g.permission.eq_ignore_ascii_case(permission))
        }),
        FailOn::NewExcess | FailOn::ExcessTier0 | FailOn::Never => false,
    }
}

/// Whether a grant not needed fails the run under `fail_on`.
pub fn excess_fails(report: &Report, fail_on: FailOn, e: &Excess) -> bool {
    match fail_on {
        FailOn::Excess => true,
        FailOn::ExcessTier0 => e.tier == Some(0),
        // Without a baseline every excess grant is new.
        FailOn::NewExcess => report.changes.as_ref().is_none_or(|c| {
            c.grants_added
                .iter()
                .any(|g| g.ptype == e.ptype && g.permission.eq_ignore_ascii_case(&e.permission))
        }),
        FailOn::Gap | FailOn::BackupGap | FailOn::NewGap | FailOn::Never => false,
    }
}

/// Whether the audit passed under `fail_on`: the one place the verdict is decided — no unmet
/// requirement and no grant not needed that the policy gates on ([`gap_fails`], [`excess_fails`]).
pub fn verdict(report: &Report, fail_on: FailOn) -> bool {
    let failing_gap = report
        .objects
        .iter()
        .flat_map(|o| &o.requirements)
        .filter(|q| !q.status.is_ok())
        .any(|q| gap_fails(report, fail_on, &q.permission, q.ptype, &q.purposes));
    let failing_excess = report
        .excess
        .iter()
        .any(|e| excess_fails(report, fail_on, e));
    !failing_gap && !failing_excess
}
