//! entra-perms: audit the Microsoft Graph permissions of an Entra ID backup application against a
//! permission matrix, per protected object, for backup and restore.
//!
//! `run` is the whole program behind the thin binary: it returns what the run found
//! ([`exit::Outcome`]) or why it could not complete (an error); `exit::decide` picks the exit code.

pub mod audit;
pub mod catalog;
pub mod cli;
pub mod cloud;
pub mod config;

pub mod error;
pub mod exit;
pub mod explain;
pub mod findings;
pub mod grants;
pub mod graph;
pub mod input;
pub mod matrix;
pub mod matrix_diff;
pub mod multi;
pub mod permission;
pub mod plan;
#[cfg(test)]
mod properties;
pub mod redact;
pub mod report;
pub mod snapshot;
pub mod tenants;
pub mod text;
pub mod token;

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::error::Error;
use audit::drift;
use cli::{AuditArgs, Cli, Command, ExplainFormat, MatrixFormat, PlanArgs, PlanFormat};
use config::{AuditConfig, Connection, GrantsSource};
use exit::Outcome;
use grants::{Grants, Source};
use matrix::Matrix;
use report::Audited;
use snapshot::Snapshot;

/// Run one command, writing its report to stdout.
pub fn run(cli: Cli) -> Result<Outcome> {
    init_logging(cli.verbose);
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && !no_color();
    let mut out = stdout.lock();
    let outcome = run_to(cli, &mut out, color)?;
    out.flush()?;
    Ok(outcome)
}

/// NO_COLOR (https://no-color.org): set and not empty means no colour anywhere.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Diagnostics go to stderr: warnings always, each Graph request with -v, more with -vv.
fn init_logging(verbose: u8) {
    use tracing_subscriber::prelude::*;
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        _ => tracing::Level::DEBUG,
    };
    let ansi = std::io::stderr().is_terminal() && !no_color();
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(|| redact::RedactingWriter(std::io::stderr()))
        .with_ansi(ansi)
        .with_target(false)
        .without_time()
        .with_filter(tracing_subscriber::filter::filter_fn(move |m| {
            m.target().starts_with("entra_perms") && *m.level() <= level
        }));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Run one command, writing its report to `out` (with colour if `color`).
pub fn run_to(cli: Cli, out: &mut dyn Write, color: bool) -> Result<Outcome> {
    match cli.command {
        Command::Matrix(args) => {
            let matrix = Matrix::load(args.source.matrix.as_deref())?;
            match args.format {
                MatrixFormat::Table => report::matrix_view::table(&matrix, out)?,
                MatrixFormat::Json => report::matrix_view::json(&matrix, out)?,
                MatrixFormat::Markdown => report::matrix_view::markdown(&matrix, out)?,
            }
            Ok(Outcome::Passed)
        }
        Command::Explain(args) => {
            let matrix = Matrix::load(args.source.matrix.as_deref())?;
            let explanation = explain::explain(&matrix, &args.query).map_err(error::Error::from)?;
            match args.format {
                ExplainFormat::Table => report::explain_view::text(&explanation, out)?,
                ExplainFormat::Json => report::explain_view::json(&explanation, out)?,
            }
            Ok(Outcome::Passed)
        }
        Command::Audit(args) => run_audit(*args, out, color),
        Command::Plan(args) => run_plan(*args, out),
        Command::DiffMatrix(args) => {
            let old = Matrix::load(Some(&args.old))?;
            let new = Matrix::load(Some(&args.new))?;
            let d = matrix_diff::diff(&old, &new);
            match args.format {
                ExplainFormat::Table => report::matrix_view::diff_text(&d, out)?,
                ExplainFormat::Json => report::matrix_view::diff_json(&d, out)?,
            }
            Ok(Outcome::Passed)
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "entra-perms", out);
            Ok(Outcome::Passed)
        }
        Command::Man => {
            use clap::CommandFactory;
            clap_mangen::Man::new(Cli::command()).render(out)?;
            Ok(Outcome::Passed)
        }
        Command::Snapshot(args) => {
            let matrix = Matrix::load(args.source.matrix.as_deref())?;
            // The audit log's last 30 days (its longest retention) ride along, so that an offline
            // audit against a baseline can say who changed what.
            let month_ago =
                azure_core::time::OffsetDateTime::now_utc() - azure_core::time::Duration::days(30);
            let grants = live_grants(
                &Connection::from(&args.connection),
                &args.app,
                args.service_account.as_deref(),
                &matrix,
                Some(azure_core::time::to_rfc3339(&month_ago)),
            )?;
            // An unreadable audit log is worth a warning here, not a note in every later audit.
            let mut grants = grants;
            grants.findings.retain(|f| {
                let unreadable = matches!(f, findings::Finding::AuditLogUnreadable { .. });
                if unreadable {
                    tracing::warn!("{} The snapshot records no change history.", f.message());
                }
                !unreadable
            });
            let doc = Snapshot::now(grants).to_json()?;
            let inputs: Vec<&Path> = args.source.matrix.as_deref().into_iter().collect();
            write_report(args.output.as_deref(), &inputs, out, |w| {
                w.write_all(doc.as_bytes())
            })?;
            Ok(Outcome::Passed)
        }
    }
}

fn run_audit(args: AuditArgs, out: &mut dyn Write, color: bool) -> Result<Outcome> {
    let config = args.config()?;
    let matrix = Matrix::load(config.matrix.as_deref())?;
    let baseline = match &config.baseline {
        Some(path) => Some(load_baseline(path, &matrix, &config.options)?),
        None => None,
    };
    let since = baseline.as_ref().and_then(drift::BaselineDoc::since);
    let (mut audited, outcome) = match &config.source {
        GrantsSource::Tenants {
            file,
            app,
            concurrency,
        } => {
            let list = match &baseline {
                None => None,
                Some(drift::BaselineDoc::Many(list)) => Some(list.as_slice()),
                Some(drift::BaselineDoc::One(_)) => anyhow::bail!(Error::input(
                    "--tenants compares tenant by tenant: give --baseline an earlier multi-tenant JSON (audit --tenants … --format json)"
                )),
            };
            let multi = audit_tenants(&config, &matrix, file, app, *concurrency, since, list)?;
            let outcome = match multi.exit() {
                exit::Exit::Success => Outcome::Passed,
                exit::Exit::Gaps => Outcome::Failed,
                worst => Outcome::Worst(worst),
            };
            (Audited::Many(multi), outcome)
        }
        source => {
            let (grants, from) = load_grants(
                source,
                &config.connection,
                config.service_account.as_deref(),
                &matrix,
                since,
            )?;
            let origin = config
                .baseline
                .as_deref()
                .unwrap_or(Path::new(""))
                .display()
                .to_string();
            let against = match &baseline {
                None => audit::Against::Nothing,
                Some(drift::BaselineDoc::One(b)) => audit::Against::Baseline {
                    baseline: b,
                    origin: &origin,
                },
                Some(drift::BaselineDoc::Many(_)) => anyhow::bail!(error::Error::input(
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
        audited.redact_users();
    }
    let rendered = report::Rendered::new(audited, &matrix);
    for target in &config.reports {
        let color = color && target.path.is_none();
        write_report(target.path.as_deref(), &config.inputs(), out, |w| {
            rendered.render(target.format, &matrix, color, w)
        })?;
    }
    Ok(outcome)
}

/// The largest baseline file read.
const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// Read `--baseline FILE` (an audit JSON, a multi-tenant audit JSON or a snapshot).
fn load_baseline(
    path: &Path,
    matrix: &Matrix,
    options: &audit::Options,
) -> Result<drift::BaselineDoc> {
    let origin = path.display().to_string();
    let bytes = input::read_bounded(path, MAX_BASELINE_BYTES, true)
        .map_err(|e| Error::input(format!("cannot read the baseline {origin}: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::input(format!("the baseline {origin} is not UTF-8 text")))?;
    Ok(drift::parse(&text, &origin, matrix, options)?)
}

/// `audit --tenants FILE`: the same app in many tenants.
fn audit_tenants(
    config: &AuditConfig,
    matrix: &Matrix,
    file: &Path,
    app: &str,
    concurrency: usize,
    audit_log_since: Option<String>,
    baseline: Option<&[(String, drift::Baseline)]>,
) -> Result<tenants::MultiReport> {
    let tenants = tenants::load(file)?;
    let conn = &config.connection;
    let (graph_http, base, tokens) = connect(conn, None)?;
    let job = tenants::Job {
        http: graph_http.http,
        fallback_http: graph_http.fallback,
        base,
        tokens: &tokens,
        app,
        service_account: config.service_account.as_deref(),
        cloud: conn.cloud,
        matrix,
        opts: config.options,
        timeout: conn.timeout,
        audit_log_since,
        baseline,
    };
    let progress = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(tenants.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} tenants  {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let multi = runtime.block_on(tenants::audit_all(&job, &tenants, concurrency, &|_| {
        progress.inc(1)
    }));
    progress.finish_and_clear();
    Ok(multi)
}

/// The HTTP clients and the token source for a connection: the Graph client (never proxied for
/// a loopback `--graph-url`), its base URL, and the credential pointed at `tenant` (`None`: the
/// one asked for on the command line or in AZURE_TENANT_ID).
fn connect(
    conn: &Connection,
    tenant: Option<String>,
) -> Result<(Graph, url::Url, tenants::AuthTokens)> {
    let base = graph::base_url(conn.cloud, conn.graph_url.as_deref())?;
    let http = graph::http_client()?;
    let graph_http = graph::graph_http_client(&base, &http)?;
    let graph = Graph {
        http: graph_http,
        // Only an HTTP/2-only client (https) needs one.
        fallback: (base.scheme() == "https").then(|| http.clone()),
    };
    let ctx = graph::auth::AuthContext::from_env(conn.cloud, tenant, http)?;
    Ok((
        graph,
        base,
        tenants::AuthTokens {
            method: conn.auth,
            ctx,
        },
    ))
}

/// The clients for Graph: HTTP/2 first, the shared client as the fallback.
struct Graph {
    http: reqwest::Client,
    fallback: Option<reqwest::Client>,
}

fn run_plan(args: PlanArgs, out: &mut dyn Write) -> Result<Outcome> {
    let matrix = Matrix::load(args.source.matrix.as_deref())?;
    let source = match (&args.app, &args.from) {
        (_, Some(path)) => GrantsSource::Snapshot(path.clone()),
        (Some(app), None) => GrantsSource::Graph { app: app.clone() },
        (None, None) => anyhow::bail!(Error::input("give --app APP or --from SNAPSHOT")),
    };
    let (grants, source) = load_grants(
        &source,
        &Connection::from(&args.connection),
        args.service_account.as_deref(),
        &matrix,
        None,
    )?;
    let opts = audit::Options {
        scope: args.scope,
        strict: args.strict,
        fail_on: cli::FailOn::Gap,
    };
    let report = audit::diff(&matrix, &grants, source, &opts);
    let plan = plan::plan(&matrix, &grants, &report, grants.cloud);
    let inputs: Vec<&Path> = [args.source.matrix.as_deref(), args.from.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    write_report(args.output.as_deref(), &inputs, out, |w| {
        match args.format {
            PlanFormat::Text => report::plan_view::text(&plan, w),
            PlanFormat::Json => report::plan_view::json(&plan, w),
            PlanFormat::Markdown => report::plan_view::markdown(&plan, w),
            PlanFormat::Html => report::html::plan(&plan, w),
        }
    })?;
    Ok(Outcome::Passed)
}

/// Read the grants from where the config says (not `--tenants`: see `audit_tenants`).
fn load_grants(
    from: &GrantsSource,
    conn: &Connection,
    service_account: Option<&str>,
    matrix: &Matrix,
    audit_log_since: Option<String>,
) -> Result<(Grants, Source)> {
    Ok(match from {
        GrantsSource::Graph { app } => (
            live_grants(conn, app, service_account, matrix, audit_log_since)?,
            Source::Graph,
        ),
        GrantsSource::Snapshot(path) => (snapshot_grants(path, service_account)?, Source::Snapshot),
        GrantsSource::Token(file) => (token_grants(file.as_deref(), conn.cloud)?, Source::Token),
        GrantsSource::Tenants { .. } => anyhow::bail!("a tenants file is read by audit_tenants"),
    })
}

/// The grants a token carries, from `--token-file` (or `-` for standard input) or
/// ENTRA_PERMS_ACCESS_TOKEN.
fn token_grants(file: Option<&Path>, cloud: cloud::Cloud) -> Result<Grants> {
    let (raw, origin) = match file {
        Some(path) => {
            let bytes =
                input::read_bounded(path, token::MAX_TOKEN_BYTES as u64, true).map_err(|e| {
                    Error::input(format!(
                        "cannot read the token file {}: {e}",
                        path.display()
                    ))
                })?;
            (
                String::from_utf8_lossy(&bytes).into_owned(),
                path.display().to_string(),
            )
        }
        None => (
            std::env::var(graph::auth::ACCESS_TOKEN_ENV).map_err(|_| {
                Error::input(format!(
                    "--token-claims needs a token: set {} or pass --token-file FILE",
                    graph::auth::ACCESS_TOKEN_ENV
                ))
            })?,
            graph::auth::ACCESS_TOKEN_ENV.to_string(),
        ),
    };
    let raw = token::check_raw(&raw, &origin)?;
    redact::register(raw);
    let claims = token::decode_claims(raw)
        .map_err(|e| Error::input(format!("cannot read the token in {origin}: {e}")))?;
    Ok(Grants::from_claims(&claims, cloud).map_err(|e| Error::input(format!("{origin}: {e}")))?)
}

/// The grants saved in a snapshot. A `--service-account` given now must match the snapshot's.
fn snapshot_grants(path: &Path, service_account: Option<&str>) -> Result<Grants> {
    let grants = Snapshot::load(path)?.grants;
    if let Some(sa) = service_account {
        let matches = grants.service_account.as_ref().is_some_and(|s| {
            s.id.eq_ignore_ascii_case(sa)
                || s.user_principal_name
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(sa))
        });
        if !matches {
            anyhow::bail!(Error::input(format!(
                "--service-account {sa} is not the service account recorded in the snapshot {}; take a new snapshot with --service-account {sa}",
                path.display()
            )));
        }
    }
    Ok(grants)
}

/// Read the app's grants from Microsoft Graph, in the tenant asked for (`--tenant`, else
/// AZURE_TENANT_ID, else the credential's own).
fn live_grants(
    conn: &Connection,
    app: &str,
    service_account: Option<&str>,
    matrix: &Matrix,
    audit_log_since: Option<String>,
) -> Result<Grants> {
    let (graph_http, base, tokens) = connect(conn, conn.tenant.clone())?;
    let requested = tokens.ctx.tenant.clone();
    let job = tenants::Job {
        http: graph_http.http,
        fallback_http: graph_http.fallback,
        base,
        tokens: &tokens,
        app,
        service_account,
        cloud: conn.cloud,
        matrix,
        opts: audit::Options::default(),
        timeout: conn.timeout,
        audit_log_since,
        baseline: None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(tenants::read_grants(&job, requested.as_deref()))
}

/// Write a report to `--output FILE`, or to `out`. The report is rendered whole first, with any
/// secret a server echoed into it redacted. A file is written beside its target and renamed over
/// it, so a failed run leaves no half-written report; a target that is one of the run's inputs
/// is refused (exit 2).
fn write_report(
    path: Option<&Path>,
    inputs: &[&Path],
    out: &mut dyn Write,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let mut buf = Vec::new();
    render(&mut buf).context("cannot render the report")?;
    let text = String::from_utf8_lossy(&buf);
    let doc = if redact::contains_secret(&text) {
        redact::redact(&text).into_bytes()
    } else {
        buf
    };
    match path {
        None => Ok(out.write_all(&doc)?),
        Some(path) => Ok(input::write_atomically(path, inputs, &doc)?),
    }
}
