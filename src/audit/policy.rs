//! The audit's policy: which requirements are checked (`Scope`, `--strict`), when a run fails
//! (`FailOn`), and the one function that decides whether it passed.

use serde::{Deserialize, Serialize};

use crate::matrix::Purpose;

use super::report::Report;

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
}

impl Default for Options {
    fn default() -> Options {
        Options {
            scope: Scope::All,
            strict: false,
            fail_on: FailOn::Gap,
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

/// Whether the audit passed under `fail_on`: the one place the verdict is decided, from the
/// report alone (its coverage, its excess and, against a baseline, what changed).
pub fn verdict(report: &Report, fail_on: FailOn) -> bool {
    let any_gap = report.objects.iter().any(|o| o.status.is_gap());
    let excess = &report.excess;
    match fail_on {
        FailOn::Gap => !any_gap,
        FailOn::BackupGap => !report.objects.iter().any(|o| o.purposes.backup.is_gap()),
        FailOn::Excess => !any_gap && excess.is_empty(),
        // Without a baseline every gap or excess grant is new.
        FailOn::NewGap => match &report.changes {
            Some(changes) => changes.new_gaps.is_empty(),
            None => !any_gap,
        },
        FailOn::NewExcess => match &report.changes {
            Some(changes) => !changes.grants_added.iter().any(|g| {
                excess
                    .iter()
                    .any(|e| e.ptype == g.ptype && e.permission.eq_ignore_ascii_case(&g.permission))
            }),
            None => excess.is_empty(),
        },
        FailOn::ExcessTier0 => !excess.iter().any(|e| e.tier == Some(0)),
        FailOn::Never => true,
    }
}
