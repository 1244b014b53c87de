//! `entra-perms plan`: how to close each gap — the consent URL, Graph requests, az and PowerShell.

use std::io::Write;

use anyhow::Result;

use crate::audit;
use crate::config::{PlanConfig, PlanFormat};
use crate::exit::Outcome;
use crate::matrix::Matrix;
use crate::report;
use crate::report::safe::Safe;

pub fn run(config: &PlanConfig, out: &mut dyn Write) -> Result<Outcome> {
    let matrix = Matrix::load_checked(config.matrix.as_deref(), config.strict_matrix)?;
    let (grants, source) = crate::sources::load(
        &config.source,
        &config.connection,
        config.service_account.as_deref(),
        &matrix,
        None,
    )?;
    let report = audit::run(
        &matrix,
        &grants,
        source,
        &config.options,
        audit::Against::Nothing,
    )?;
    let plan = if config.just_in_time {
        crate::plan::plan_just_in_time(&matrix, &grants, &report, grants.cloud)
    } else {
        crate::plan::plan(&matrix, &grants, &report, grants.cloud)
    };
    super::write_report(
        config.output.as_deref(),
        &config.inputs(),
        out,
        |w| match config.format {
            PlanFormat::Json => report::plan::json(&plan, w),
            PlanFormat::Text => {
                let mut log = crate::output::CiInert::new(w);
                report::plan::text(&Safe::new(&plan)?, &mut log)?;
                log.finish()
            }
            PlanFormat::Markdown => report::plan::markdown(&Safe::new(&plan)?, w),
            PlanFormat::Html => report::plan::html(&Safe::new(&plan)?, w),
        },
    )?;
    Ok(Outcome::Passed)
}
