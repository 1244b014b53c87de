//! `audit --tenants FILE`: the same app in every tenant listed, streamed. Each tenant's result is
//! written where it goes as it finishes — a JSON line, its own reports under `--report-dir`, a
//! spill on disk for the documents that need every tenant — and leaves memory; only a compact
//! row per tenant is kept, for the overviews (table, Markdown, HTML grid, outputs).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::audit::drift::Baseline;
use crate::config::{AuditConfig, ReportTarget};
use crate::error::Error;
use crate::exit::{Exit, Outcome};
use crate::graph::session::{Read, Session};
use crate::input::PartialFile;
use crate::matrix::Matrix;
use crate::multi::{MultiSummary, Spill, TenantResult};
use crate::report::anonymize::Placeholders;
use crate::report::safe::Safe;
use crate::report::view::{self, TenantView};
use crate::report::{self, Format, Rendered};
use crate::tenants::{self, Job};

/// What one run over many tenants is asked for.
pub(super) struct Many<'a> {
    pub config: &'a AuditConfig,
    pub read: Read<'a>,
    pub file: &'a Path,
    pub concurrency: usize,
    pub baseline: Option<&'a [(String, Baseline)]>,
    pub report_dir: Option<&'a Path>,
}

pub(super) fn run(many: &Many<'_>, out: &mut dyn Write, color: bool) -> Result<Outcome> {
    let config = many.config;
    let list = tenants::load(many.file)?;
    let dir = match many.report_dir {
        Some(dir) => Some(ReportDir::create(dir, &config.inputs())?),
        None => None,
    };
    let session = Session::connect(&config.connection)?;
    let job = Job {
        session: &session,
        read: many.read,
        opts: config.options,
        baseline: many.baseline,
    };
    let mut sinks = Sinks::open(config, many.read.matrix, list.len(), dir)?;
    let mut progress = crate::commands::progress::Progress::new(list.len());
    crate::graph::session::runtime()?.block_on(tenants::audit_each(
        &job,
        &list,
        many.concurrency,
        &mut |i, result| {
            progress.done(result.exit);
            sinks.tenant(i, result, out);
        },
    ));
    progress.finish();
    sinks.finish(config, out, color)
}

/// Where each tenant's result goes as it finishes.
struct Sinks<'a> {
    matrix: &'a Matrix,
    /// `--redact`: one set of placeholders across tenants.
    redact: Option<Placeholders>,
    /// JSON-lines reports: to a file (renamed into place at the end) or to standard output.
    lines: Vec<Option<PartialFile>>,
    spill: Option<Spill>,
    dir: Option<ReportDir>,
    /// Each tenant's row, made safe as it comes, when an overview is asked for.
    rows: Option<Vec<Option<Safe<TenantView>>>>,
    /// The objects the rows' coverage is of.
    objects: Vec<String>,
    summary: MultiSummary,
    worst: Exit,
    /// The first write that failed: the run's error, once every tenant is done.
    failure: Option<anyhow::Error>,
}

impl<'a> Sinks<'a> {
    fn open(
        config: &AuditConfig,
        matrix: &'a Matrix,
        tenants: usize,
        dir: Option<ReportDir>,
    ) -> Result<Sinks<'a>> {
        let mut lines = Vec::new();
        let mut whole = false;
        // The report folder's index is an overview.
        let mut overview = dir.is_some();
        for target in &config.reports {
            match target.format {
                Format::Jsonl => lines.push(match &target.path {
                    Some(path) => Some(PartialFile::create(path, &config.inputs())?),
                    None => None,
                }),
                // The documents of every tenant's full result.
                Format::Json | Format::Csv | Format::Junit | Format::Sarif => whole = true,
                // The page embeds each tenant's details unless their own pages are beside it.
                Format::Html => whole |= dir.is_none(),
                Format::Table | Format::Markdown | Format::Outputs => {}
            }
            overview |= matches!(
                target.format,
                Format::Html | Format::Table | Format::Markdown | Format::Outputs
            );
        }
        let spill = match whole {
            true => Some(Spill::create(tenants).map_err(|e| {
                Error::input(format!(
                    "cannot keep the tenants' results in the temporary folder {}: {e}",
                    std::env::temp_dir().display()
                ))
            })?),
            false => None,
        };
        Ok(Sinks {
            matrix,
            redact: config.redact.then(Placeholders::default),
            lines,
            spill,
            dir,
            rows: overview.then(|| (0..tenants).map(|_| None).collect()),
            objects: Vec::new(),
            summary: MultiSummary::default(),
            worst: Exit::Success,
            failure: None,
        })
    }

    /// One tenant finished: write it everywhere it goes, keep its row.
    fn tenant(&mut self, index: usize, mut result: TenantResult, out: &mut dyn Write) {
        self.summary.add(&result);
        self.worst = Exit::worst([self.worst, result.exit]);
        if self.failure.is_some() {
            return;
        }
        if let Err(e) = self.write(index, &mut result, out) {
            self.failure = Some(e);
        }
    }

    fn write(
        &mut self,
        index: usize,
        result: &mut TenantResult,
        out: &mut dyn Write,
    ) -> Result<()> {
        if let Some(p) = self.redact.as_mut() {
            crate::report::anonymize::tenant(result, p)?;
        }
        if !self.lines.is_empty() {
            // Each line as every report: any secret a server echoed into it redacted.
            let mut line = Vec::new();
            report::json::line(&*result, &mut line)?;
            let line = super::super::scrubbed(line);
            for sink in &mut self.lines {
                match sink {
                    Some(file) => file.write_all(&line)?,
                    None => out.write_all(&line)?,
                }
            }
        }
        if let Some(spill) = self.spill.as_mut() {
            spill.push_audit(index, result)?;
        }
        let page = match &self.dir {
            Some(dir) => dir.write(result, self.matrix)?,
            None => None,
        };
        if let Some(slot) = self.rows.as_mut().and_then(|rows| rows.get_mut(index)) {
            let (row, objects) = view::tenant(result, self.matrix, page);
            *slot = Some(Safe::new(&row)?);
            if self.objects.is_empty() {
                self.objects = objects;
            }
        }
        Ok(())
    }

    /// Every tenant done: the summary line, the overviews and documents, the exit.
    fn finish(self, config: &AuditConfig, out: &mut dyn Write, color: bool) -> Result<Outcome> {
        if let Some(e) = self.failure {
            return Err(e);
        }
        for sink in self.lines {
            match sink {
                Some(mut file) => {
                    report::json::summary_line(&self.summary, &mut file)?;
                    file.persist()?;
                }
                None => report::json::summary_line(&self.summary, out)?,
            }
        }
        let rows: Vec<Safe<TenantView>> = self
            .rows
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect();
        let summary = self.summary;
        let view = Safe::assemble(rows, Safe::new(&self.objects)?, |rows, objects| {
            view::tenants(rows, objects, &summary)
        });
        let mut rendered = Rendered::Many {
            view: Box::new(view),
            results: self
                .spill
                .map(|s| Box::new(s) as Box<dyn crate::multi::TenantResults>),
            pages: String::new(),
        };
        if let Some(dir) = &self.dir {
            dir.index(&rendered, self.matrix, config)?;
        }
        for target in config.reports.iter().filter(|t| t.format != Format::Jsonl) {
            if let (Some(dir), Rendered::Many { pages, .. }) = (&self.dir, &mut rendered) {
                // The overview's links lead from where it is written to the tenants' pages.
                *pages = dir.link_from(target)?;
            }
            {
                let color = color && target.path.is_none();
                crate::commands::write_streamed(
                    target.path.as_deref(),
                    &config.inputs(),
                    out,
                    |w| rendered.render(target.format, self.matrix, color, w),
                )?;
            }
        }
        Ok(Outcome::Worst(self.worst))
    }
}

/// `--report-dir DIR`: each tenant's own reports, and an overview linking to them.
struct ReportDir {
    dir: PathBuf,
    inputs: Vec<PathBuf>,
}

impl ReportDir {
    fn create(dir: &Path, inputs: &[&Path]) -> Result<ReportDir> {
        if dir.exists() && !dir.is_dir() {
            anyhow::bail!(Error::input(format!(
                "--report-dir {}: not a folder",
                dir.display()
            )));
        }
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::input(format!(
                "--report-dir {}: cannot create the folder: {e}",
                dir.display()
            ))
        })?;
        Ok(ReportDir {
            dir: dir.to_path_buf(),
            inputs: inputs.iter().map(|p| p.to_path_buf()).collect(),
        })
    }

    /// Write the tenant's audit JSON and page (or, when it could not be audited, its result as
    /// JSON); the page's file name, for the overview.
    fn write(&self, result: &mut TenantResult, matrix: &Matrix) -> Result<Option<String>> {
        let name = result.tenant.to_ascii_lowercase();
        let inputs: Vec<&Path> = self.inputs.iter().map(PathBuf::as_path).collect();
        let json = self.dir.join(format!("{name}.json"));
        let Some(report) = result.report.take() else {
            crate::commands::write_report(Some(&json), &inputs, &mut std::io::sink(), |w| {
                report::json::pretty(&*result, w)
            })?;
            return Ok(None);
        };
        let rendered = Rendered::one(report, None, matrix)?;
        for format in [Format::Json, Format::Html] {
            let path = self.dir.join(format!("{name}.{}", format.extension()));
            crate::commands::write_report(Some(&path), &inputs, &mut std::io::sink(), |w| {
                rendered.render(format, matrix, false, w)
            })?;
        }
        if let Rendered::One { report, .. } = rendered {
            result.report = Some(*report);
        }
        Ok(Some(format!("{name}.html")))
    }

    /// `DIR/index.html`: the overview, each row linked to its tenant's page beside it.
    fn index(&self, rendered: &Rendered, matrix: &Matrix, config: &AuditConfig) -> Result<()> {
        let path = self.dir.join("index.html");
        crate::commands::write_streamed(Some(&path), &config.inputs(), &mut std::io::sink(), |w| {
            rendered.render(Format::Html, matrix, false, w)
        })
    }

    /// The folder as a link from where `target` is written: relative to its folder when both can
    /// be resolved, else as given.
    fn link_from(&self, target: &ReportTarget) -> Result<String> {
        let given = || {
            let mut s = self.dir.to_string_lossy().replace('\\', "/");
            if !s.ends_with('/') {
                s.push('/');
            }
            s
        };
        let Some(path) = &target.path else {
            return Ok(given());
        };
        let from = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let (Ok(from), Ok(to)) = (from.canonicalize(), self.dir.canonicalize()) else {
            return Ok(given());
        };
        Ok(relative(&from, &to))
    }
}

/// `to` as a link from inside `from` (both absolute): `sub/`, `../other/` or `` for the same.
fn relative(from: &Path, to: &Path) -> String {
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut link = "../".repeat(a.len() - common);
    for part in &b[common..] {
        link.push_str(&part.as_os_str().to_string_lossy());
        link.push('/');
    }
    link
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_between_folders() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(relative(&p("/r/out"), &p("/r/out/tenants")), "tenants/");
        assert_eq!(relative(&p("/r/out"), &p("/r/out")), "");
        assert_eq!(relative(&p("/r/out/a"), &p("/r/reports")), "../../reports/");
    }
}
