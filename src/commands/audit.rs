//! `entra-perms audit`: the matrix against what the tenant granted the app — for one tenant (from
//! Graph, a snapshot or a token) or many (`--tenants`) — compared with a baseline, rendered in
//! every report asked for, with the verdict as the outcome.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::audit::drift::{self, Baseline, BaselineDoc};
use crate::audit::{self, Against};
use crate::config::ReportTarget;
use crate::config::{AuditConfig, GrantsSource};
use crate::error::Error;
use crate::exit::Outcome;
use crate::graph::session::{Read, Session};
use crate::matrix::{embedded, Matrix};
use crate::report::{self, Audited, Format};
use crate::tenants::{self, MultiReport};
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
    let (mut audited, outcome) = match &config.source {
        GrantsSource::Tenants {
            file,
            app,
            concurrency,
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
            let read = Read {
                app,
                service_account: config.service_account.as_deref(),
                matrix: &matrix,
                audit_log_since: since.as_deref(),
            };
            // JSON lines alone: each tenant written and dropped as it finishes.
            if let [target] = config.reports.as_slice() {
                if target.format == Format::Jsonl {
                    return stream_lines(config, &read, file, *concurrency, list, target, out);
                }
            }
            let multi = many(config, &read, file, *concurrency, list)?;
            let outcome = Outcome::Worst(multi.exit());
            (Audited::Many(multi), outcome)
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
            (Audited::One(Box::new((report, plan))), outcome)
        }
    };
    if config.redact {
        audited.redact_users()?;
    }
    let rendered = report::Rendered::new(audited, &matrix)?;
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

/// `audit --tenants FILE --format jsonl`: every tenant's result written as a line as it
/// finishes and then dropped, a summary line last; memory stays flat with the tenant count.
fn stream_lines(
    config: &AuditConfig,
    read: &Read<'_>,
    file: &Path,
    concurrency: usize,
    baseline: Option<&[(String, Baseline)]>,
    target: &ReportTarget,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let tenants = tenants::load(file)?;
    let session = Session::connect(&config.connection)?;
    let job = tenants::Job {
        session: &session,
        read: *read,
        opts: config.options,
        baseline,
    };
    // A file is written beside its target and renamed over it once complete.
    let mut file_out = match &target.path {
        Some(path) => Some(crate::input::PartialFile::create(path, &config.inputs())?),
        None => None,
    };
    let sink: &mut dyn Write = match file_out.as_mut() {
        Some(f) => f,
        None => out,
    };
    let mut placeholders = crate::report::anonymize::Placeholders::default();
    let mut progress = super::progress::Progress::new(tenants.len());
    let (mut passed, mut failed, mut errors) = (0usize, 0usize, 0usize);
    let mut worst = crate::exit::Exit::Success;
    let mut failure: Option<std::io::Error> = None;
    crate::graph::session::runtime()?.block_on(tenants::audit_each(
        &job,
        &tenants,
        concurrency,
        &mut |_, mut result| {
            match (&result.report, &result.error) {
                (Some(r), _) if r.passed => passed += 1,
                (Some(_), _) => failed += 1,
                _ => errors += 1,
            }
            worst = crate::exit::Exit::worst([worst, result.exit]);
            progress.done(result.exit != crate::exit::Exit::Success);
            if failure.is_some() {
                return;
            }
            if config.redact {
                if let Some(r) = result.report.as_mut() {
                    if let Err(e) = crate::report::anonymize::report(r, &mut placeholders) {
                        failure = Some(e);
                        return;
                    }
                }
            }
            // Each line as every report: any secret a server echoed into it redacted.
            let mut line = Vec::new();
            let written = crate::report::json::line(&result, &mut line)
                .and_then(|()| sink.write_all(&super::scrubbed(line)));
            if let Err(e) = written {
                failure = Some(e);
            }
        },
    ));
    progress.finish();
    if let Some(e) = failure {
        return Err(e.into());
    }
    let summary = crate::multi::MultiSummary {
        tenants: tenants.len(),
        passed,
        failed,
        errors,
    };
    crate::report::json::summary_line(&summary, sink)?;
    sink.flush()?;
    if let Some(f) = file_out {
        f.persist()?;
    }
    Ok(Outcome::Worst(worst))
}

/// `audit --tenants FILE`: the same app in many tenants, over one session.
fn many(
    config: &AuditConfig,
    read: &Read<'_>,
    file: &Path,
    concurrency: usize,
    baseline: Option<&[(String, Baseline)]>,
) -> Result<MultiReport> {
    let tenants = tenants::load(file)?;
    // One session for every tenant; each is named in turn.
    let session = Session::connect(&config.connection)?;
    let job = tenants::Job {
        session: &session,
        read: *read,
        opts: config.options,
        baseline,
    };
    let progress = std::sync::Mutex::new(super::progress::Progress::new(tenants.len()));
    let multi = crate::graph::session::runtime()?.block_on(tenants::audit_all(
        &job,
        &tenants,
        concurrency,
        &|r| {
            if let Ok(mut p) = progress.lock() {
                p.done(r.exit != crate::exit::Exit::Success);
            }
        },
    ));
    if let Ok(p) = progress.lock() {
        p.finish();
    }
    Ok(multi)
}
