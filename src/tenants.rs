//! `audit --tenants FILE`: the same app audited in many tenants, a bounded number at a time, each
//! with its own token and its own throttling; one tenant's failure never stops the others. The
//! network side; what it produces is the plain data of `crate::multi`.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Result;
use futures::stream::{self, StreamExt};

use crate::audit::drift::Baseline;
use crate::audit::{self, Report};
use crate::error::Error;
use crate::exit::{self, Outcome};
use crate::grants::Source;
use crate::graph::session::{Read, Session};
pub use crate::multi::{MultiReport, MultiSummary, TenantResult};

/// The largest tenants file accepted.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The most tenants one run audits: a managed service provider's largest estates, in constant
/// memory with `--format jsonl`; more is a second run.
pub const MAX_TENANTS: usize = 10_000;

/// Parse a tenants file: one tenant id or domain a line, `#` starts a comment.
pub fn parse(text: &str, origin: &str) -> Result<Vec<String>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut tenants: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let entry = line.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        // A tenant id (a GUID) or a domain (with a dot); its name is also its file's under the
        // report folder: it starts with a letter or digit (never `index`, never `..`).
        let valid = entry.len() <= 253
            && (crate::permission::is_guid(entry) || entry.contains('.'))
            && entry.starts_with(|c: char| c.is_ascii_alphanumeric())
            && entry
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !valid {
            return Err(Error::input(format!(
                "{origin}:{}:1: `{}` is not a tenant id or domain",
                i + 1,
                entry.chars().take(80).collect::<String>()
            )));
        }
        if seen.insert(entry.to_ascii_lowercase()) {
            if tenants.len() == MAX_TENANTS {
                return Err(Error::input(format!(
                    "{origin}:{}:1: more than {MAX_TENANTS} tenants (the most one run audits): split the file and run once per part",
                    i + 1
                )));
            }
            tenants.push(entry.to_string());
        }
    }
    if tenants.is_empty() {
        return Err(Error::input(format!("{origin}: no tenant listed")));
    }
    Ok(tenants)
}

/// Read and parse a tenants file.
pub fn load(path: &Path) -> Result<Vec<String>, Error> {
    let origin = path.display().to_string();
    let bytes = crate::input::read_bounded(path, MAX_FILE_BYTES, true).map_err(|e| match e {
        crate::input::ReadError::TooLarge(limit) => {
            Error::input(format!("the tenants file {origin} is larger than {limit}"))
        }
        e => Error::input(format!("cannot read the tenants file {origin}: {e}")),
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::input(format!("the tenants file {origin} is not UTF-8 text")))?;
    parse(&text, &origin)
}

/// How to audit each tenant: one session for all of them, the same read in each.
pub struct Job<'a> {
    pub session: &'a Session,
    pub read: Read<'a>,
    pub opts: audit::Options,
    /// `--baseline`: each tenant's earlier audit, by tenant as listed.
    pub baseline: Option<&'a [(String, Baseline)]>,
}

/// Audit every tenant, `concurrency` at a time; `done` is called as each finishes. Results keep
/// the file's order.
pub async fn audit_all(
    job: &Job<'_>,
    tenants: &[String],
    concurrency: usize,
    done: &(dyn Fn(&TenantResult) + Sync),
) -> MultiReport {
    let mut results: Vec<(usize, TenantResult)> = Vec::with_capacity(tenants.len());
    audit_each(job, tenants, concurrency, &mut |i, r| {
        done(&r);
        results.push((i, r));
    })
    .await;
    results.sort_by_key(|(i, _)| *i);
    MultiReport::new(results.into_iter().map(|(_, r)| r).collect())
}

/// Audit every tenant, `concurrency` at a time, handing each result (with its place in the file)
/// to `sink` as it finishes, in completion order: a sink that writes and drops it keeps memory
/// flat however many tenants there are.
pub async fn audit_each(
    job: &Job<'_>,
    tenants: &[String],
    concurrency: usize,
    sink: &mut dyn FnMut(usize, TenantResult),
) {
    each_tenant(
        tenants,
        concurrency,
        |tenant| async move {
            match audit_one(job, tenant).await {
                Ok(report) => TenantResult {
                    tenant: tenant.to_string(),
                    exit: exit::decide(&Ok(Outcome::of(report.passed))),
                    report: Some(report),
                    error: None,
                },
                Err(e) => failed(tenant, e).into(),
            }
        },
        |tenant| failed(tenant, anyhow::anyhow!(WITHHELD)).into(),
        sink,
    )
    .await;
}

/// Why a result was withheld.
const WITHHELD: &str =
    "what Graph answered held a secret of this run that could not be removed: the report is withheld";

/// A tenant that could not be read: its exit code and its error (secrets redacted).
pub struct Failed {
    pub tenant: String,
    pub exit: exit::Exit,
    pub error: String,
}

/// `e`, for `tenant`: the code it alone would exit with, and its words with secrets redacted.
pub fn failed(tenant: &str, e: anyhow::Error) -> Failed {
    Failed {
        tenant: tenant.to_string(),
        error: crate::redact::redact(&format!("{e:#}")),
        exit: exit::decide(&Err::<Outcome, _>(e)),
    }
}

impl From<Failed> for TenantResult {
    fn from(f: Failed) -> TenantResult {
        TenantResult {
            tenant: f.tenant,
            exit: f.exit,
            report: None,
            error: Some(f.error),
        }
    }
}

/// Run `work` for every tenant, `concurrency` at a time, each in a scope whose tokens are
/// forgotten when its result is made; the result, scrubbed of any secret of this run (or, when
/// that cannot be done, `withheld`'s in its place), goes to `sink` with its place in the file.
pub async fn each_tenant<'t, T, F, Fut>(
    tenants: &'t [String],
    concurrency: usize,
    work: F,
    withheld: impl Fn(&str) -> T,
    sink: &mut dyn FnMut(usize, T),
) where
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: Fn(&'t str) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let (work, withheld) = (&work, &withheld);
    stream::iter(tenants.iter().enumerate())
        .map(|(i, tenant)| {
            // The tenant's token is forgotten once its result is made, and nothing of it may
            // leave unscrubbed: thousands of tenants hold only the tokens in flight.
            crate::redact::scoped(async move {
                let result = work(tenant).await;
                let result = crate::redact::scrubbed(result).unwrap_or_else(|| withheld(tenant));
                (i, result)
            })
        })
        .buffer_unordered(concurrency.max(1))
        .for_each(|(i, r)| {
            sink(i, r);
            futures::future::ready(())
        })
        .await;
}

async fn audit_one(job: &Job<'_>, tenant: &str) -> Result<Report> {
    let grants = job.session.read_grants(&job.read, Some(tenant)).await?;
    let against = match job.baseline {
        None => audit::Against::Nothing,
        Some(list) => match audit::drift::of_tenant(list, tenant) {
            Some(baseline) => audit::Against::Baseline {
                baseline,
                origin: "(the baseline)",
            },
            None => audit::Against::NewTenant(tenant),
        },
    };
    Ok(audit::run(
        job.read.matrix,
        &grants,
        Source::Graph,
        &job.opts,
        against,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants_file_lines_comments_and_duplicates() {
        let t = parse(
            "# customers\n65415bb1-9267-4313-bbf5-ae259732ee12\n\ncontoso.onmicrosoft.com  # Contoso\nCONTOSO.onmicrosoft.com\n",
            "t.txt",
        )
        .unwrap();
        assert_eq!(
            t,
            vec![
                "65415bb1-9267-4313-bbf5-ae259732ee12",
                "contoso.onmicrosoft.com"
            ]
        );
    }

    #[test]
    fn a_bom_is_accepted_and_a_long_file_parses_in_linear_time() {
        let t = parse("\u{feff}contoso.example\n", "t.txt").unwrap();
        assert_eq!(t, vec!["contoso.example"]);
        let big: String = (0..MAX_TENANTS)
            .map(|i| format!("tenant{i}.example\n"))
            .collect();
        let started = std::time::Instant::now();
        assert_eq!(parse(&big, "t.txt").unwrap().len(), MAX_TENANTS);
        let over = format!("{big}one-more.example\n");
        let e = parse(&over, "t.txt").unwrap_err().to_string();
        assert!(e.contains("more than 10000 tenants"), "{e}");
        // Quadratic de-duplication took minutes here; linear takes milliseconds.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn bad_lines_are_located() {
        let e = parse("ok.example\nnot a tenant\n", "t.txt").unwrap_err();
        assert!(e.to_string().starts_with("t.txt:2:1:"), "{e}");
        for bad in ["..", ".hidden.example", "-x.example", "index", "contoso"] {
            assert!(parse(bad, "t.txt").is_err(), "{bad}");
        }
        assert!(parse("# nothing\n\n", "t.txt")
            .unwrap_err()
            .to_string()
            .contains("no tenant"));
    }
}
