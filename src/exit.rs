//! The exit-code contract, and the one place that decides which code a run ends with.

use std::process::ExitCode;

use crate::error::{kind_of, Kind};

/// How `entra-perms` ends. The numbers are part of the interface contract (docs/exit-codes.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The audit ran and passed, or the command succeeded.
    Success = 0,
    /// The audit ran and found gaps (per `--fail-on`).
    Gaps = 1,
    /// Usage or input error: bad arguments, an invalid matrix or snapshot, an unknown query.
    Usage = 2,
    /// The audit could not be completed: authentication, network, Graph error, app not found.
    Incomplete = 3,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The exit with this number, if it is one of the contract's.
    pub fn from_code(code: u8) -> Option<Exit> {
        [Exit::Success, Exit::Gaps, Exit::Usage, Exit::Incomplete]
            .into_iter()
            .find(|e| e.code() == code)
    }

    /// The worst of several runs' codes (`--tenants`): could not complete (3) over input
    /// errors (2) over gaps (1) over success (0); success when there are none.
    pub fn worst(codes: impl IntoIterator<Item = Exit>) -> Exit {
        codes
            .into_iter()
            .max_by_key(|e| e.code())
            .unwrap_or(Exit::Success)
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

/// What a successful run found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report against (`matrix`, `explain`, a passing audit).
    Passed,
    /// The audit ran and the policy (`--fail-on`) says it failed.
    Failed,
    /// Several audits ran (`--tenants`) and the worst of them ended this way; their reports
    /// are written.
    Worst(Exit),
}

impl Outcome {
    /// The outcome of one audit that ran.
    pub fn of(passed: bool) -> Outcome {
        if passed {
            Outcome::Passed
        } else {
            Outcome::Failed
        }
    }
}

/// The exit code for a run's result: by the error's kind (`error::kind_of`), input errors are
/// exit 2 and every other error means the audit could not be completed (exit 3).
pub fn decide(result: &anyhow::Result<Outcome>) -> Exit {
    match result {
        Ok(Outcome::Passed) => Exit::Success,
        Ok(Outcome::Failed) => Exit::Gaps,
        Ok(Outcome::Worst(e)) => *e,
        Err(e) => match kind_of(e) {
            Kind::Input => Exit::Usage,
            Kind::Incomplete => Exit::Incomplete,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::anyhow;

    #[test]
    fn codes_match_the_contract() {
        assert_eq!(Exit::Success.code(), 0);
        assert_eq!(Exit::Gaps.code(), 1);
        assert_eq!(Exit::Usage.code(), 2);
        assert_eq!(Exit::Incomplete.code(), 3);
    }

    #[test]
    fn worst_prefers_incomplete_then_usage_then_gaps() {
        use Exit::*;
        assert_eq!(Exit::worst([]), Success);
        assert_eq!(Exit::worst([Success, Gaps, Success]), Gaps);
        assert_eq!(Exit::worst([Gaps, Usage]), Usage);
        assert_eq!(Exit::worst([Incomplete, Usage, Gaps]), Incomplete);
    }

    #[test]
    fn outcomes_and_errors_map_to_codes() {
        assert_eq!(decide(&Ok(Outcome::Passed)), Exit::Success);
        assert_eq!(decide(&Ok(Outcome::Failed)), Exit::Gaps);
        let input: anyhow::Error = crate::error::Error::input("bad").into();
        assert_eq!(decide(&Err(input.context("while reading"))), Exit::Usage);
        assert_eq!(decide(&Err(anyhow!("network down"))), Exit::Incomplete);
    }
}
