//! `entra-perms audit`: the matrix against what the tenant granted the app — for one tenant (from
//! Graph, a snapshot or a token) or many (`--tenants`, streamed in `tenants`) — compared with a
//! baseline, rendered in every report asked for, with the verdict as the outcome.

mod tenants;

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::audit::drift::{self, BaselineDoc};
use crate::audit::{self, Against};
use crate::config::{AuditConfig, GrantsSource};
use crate::error::Error;
use crate::exit::Outcome;
use crate::graph::session::Read;
use crate::matrix::{embedded, Matrix};
use crate::report;
use crate::{input, plan};

/// The largest baseline file read.
const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

pub fn run(config: &AuditConfig, out: &mut dyn Write, color: bool) -> Result<Outcome> {
    // `--matrix auto`: read with the default matrix, then audit against the one that fits.
    let auto = config.matrix.as_deref().and_then(Path::to_str) == Some(embedded::AUTO);
    let mut matrix = if auto {
        Matrix::embedded()?
    } else {
        Matrix::load_checked(config.matrix.as_deref(), config.strict_matrix)?
    };
    let mut baseline = match &config.baseline {
        Some(path) => Some(load_baseline(path, &matrix, &config.options)?),
        None => None,
    };
    let since = baseline.as_ref().and_then(BaselineDoc::since);
    let (mut report, plan, outcome) = match &config.source {
        GrantsSource::Tenants {
            file,
            app,
            concurrency,
            report_dir,
        } => {
            if auto {
                anyhow::bail!(Error::input(
                    "--matrix auto chooses per app and tenant: with --tenants, name the matrix (see `entra-perms matrix --list`)"
                ));
            }
            let list = match &baseline {
                None => None,
                Some(BaselineDoc::Many(list)) => Some(list.as_slice()),
                Some(BaselineDoc::One(_)) => anyhow::bail!(Error::input(
                    "--tenants compares tenant by tenant: give --baseline an earlier multi-tenant JSON (audit --tenants … --format json)"
                )),
            };
            let catalog = crate::graph::fetch::SharedCatalog::default();
            let read = Read {
                app,
                service_account: config.service_account.as_deref(),
                matrix: &matrix,
                audit_log_since: since.as_deref(),
                shared_catalog: Some(&catalog),
            };
            let many = tenants::Many {
                config,
                read,
                file,
                concurrency: *concurrency,
                baseline: list,
                report_dir: report_dir.as_deref(),
            };
            return tenants::run(&many, out, color);
        }
        source => {
            let (mut grants, from) = crate::sources::load(
                source,
                &config.connection,
                config.service_account.as_deref(),
                &matrix,
                since.as_deref(),
            )?;
            if auto {
                let (chosen, why) = crate::audit::vendor::choose(&grants)?;
                grants.findings.push(why);
                matrix = chosen;
                if let Some(path) = &config.baseline {
                    baseline = Some(load_baseline(path, &matrix, &config.options)?);
                }
            }
            let origin = config
                .baseline
                .as_deref()
                .unwrap_or(Path::new(""))
                .display()
                .to_string();
            let against = match &baseline {
                None => Against::Nothing,
                Some(BaselineDoc::One(b)) => Against::Baseline {
                    baseline: b,
                    origin: &origin,
                },
                Some(BaselineDoc::Many(_)) => anyhow::bail!(Error::input(
                    "the baseline is a multi-tenant audit: use it with --tenants, or give the JSON of this one audit"
                )),
            };
            let report = audit::run(&matrix, &grants, from, &config.options, against)?;
            let plan = plan::plan(&matrix, &grants, &report, grants.cloud);
            let outcome = Outcome::of(report.passed);
            (report, plan, outcome)
        }
    };
    if config.redact {
        report::anonymize::report(&mut report, &mut report::anonymize::Placeholders::default())?;
    }
    let rendered = report::Rendered::one(report, Some(&plan), &matrix)?;
    for target in &config.reports {
        let color = color && target.path.is_none();
        super::write_report(target.path.as_deref(), &config.inputs(), out, |w| {
            rendered.render(target.format, &matrix, color, w)
        })?;
    }
    Ok(outcome)
}

/// Read `--baseline FILE` (an audit JSON, a multi-tenant audit JSON or a snapshot).
fn load_baseline(path: &Path, matrix: &Matrix, options: &audit::Options) -> Result<BaselineDoc> {
    let origin = path.display().to_string();
    let bytes = input::read_bounded(path, MAX_BASELINE_BYTES, true)
        .map_err(|e| Error::input(format!("cannot read the baseline {origin}: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::input(format!("the baseline {origin} is not UTF-8 text")))?;
    Ok(drift::parse(&text, &origin, matrix, options)?)
}
