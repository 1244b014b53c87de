//! `audit --tenants FILE`: the same app audited in many tenants, a bounded number at a time, each
//! with its own token and its own throttling; one tenant's failure never stops the others.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use futures::stream::{self, StreamExt};
use serde::Serialize;
use url::Url;

use crate::audit::{self, Report};
use crate::exit::{self, Exit, InputError, Outcome};
use crate::grants::Source;
use crate::graph::client::GraphClient;
use crate::graph::fetch::{self, Target};
use crate::matrix::Matrix;
use crate::token::Token;

/// The largest tenants file accepted.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Parse a tenants file: one tenant id or domain a line, `#` starts a comment.
pub fn parse(text: &str, origin: &str) -> Result<Vec<String>, InputError> {
    let mut tenants: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let entry = line.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        let valid = entry.len() <= 253
            && entry
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !valid {
            return Err(InputError(format!(
                "{origin}:{}:1: `{}` is not a tenant id or domain",
                i + 1,
                entry.chars().take(80).collect::<String>()
            )));
        }
        if !tenants.iter().any(|t| t.eq_ignore_ascii_case(entry)) {
            tenants.push(entry.to_string());
        }
    }
    if tenants.is_empty() {
        return Err(InputError(format!("{origin}: no tenant listed")));
    }
    Ok(tenants)
}

/// Read and parse a tenants file.
pub fn load(path: &Path) -> Result<Vec<String>, InputError> {
    let origin = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| InputError(format!("cannot read the tenants file {origin}: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(InputError(format!(
            "the tenants file {origin} is larger than {} MiB",
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| InputError(format!("cannot read the tenants file {origin}: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| InputError(format!("the tenants file {origin} is not UTF-8 text")))?;
    parse(&text, &origin)
}

/// Gets a Microsoft Graph token for one tenant.
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync {
    async fn token(&self, tenant: &str) -> Result<Token>;
}

/// What happened in one tenant.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantResult {
    pub tenant: String,
    /// The exit code this tenant alone would give.
    pub exit_code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Everything `--tenants` found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiReport {
    pub schema_version: u32,
    pub tenants: Vec<TenantResult>,
    pub summary: MultiSummary,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiSummary {
    pub tenants: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
}

impl MultiReport {
    pub fn new(tenants: Vec<TenantResult>) -> MultiReport {
        let count = |f: &dyn Fn(&TenantResult) -> bool| tenants.iter().filter(|t| f(t)).count();
        let summary = MultiSummary {
            tenants: tenants.len(),
            passed: count(&|t| t.report.as_ref().is_some_and(|r| r.passed)),
            failed: count(&|t| t.report.as_ref().is_some_and(|r| !r.passed)),
            errors: count(&|t| t.error.is_some()),
        };
        MultiReport {
            schema_version: 1,
            tenants,
            summary,
        }
    }

    /// The worst exit code of all tenants.
    pub fn exit(&self) -> Exit {
        match self.tenants.iter().map(|t| t.exit_code).max().unwrap_or(0) {
            0 => Exit::Success,
            1 => Exit::Gaps,
            2 => Exit::Usage,
            _ => Exit::Incomplete,
        }
    }
}

/// How to audit each tenant.
pub struct Job<'a> {
    pub http: reqwest::Client,
    pub base: Url,
    pub tokens: &'a dyn TokenSource,
    pub app: &'a str,
    pub service_account: Option<&'a str>,
    pub cloud: crate::cli::Cloud,
    pub matrix: &'a Matrix,
    pub opts: audit::Options,
}

/// Audit every tenant, `concurrency` at a time; `done` is called as each finishes. Results keep
/// the file's order.
pub async fn audit_all(
    job: &Job<'_>,
    tenants: &[String],
    concurrency: usize,
    done: &(dyn Fn(&TenantResult) + Sync),
) -> MultiReport {
    let results: Vec<(usize, TenantResult)> = stream::iter(tenants.iter().enumerate())
        .map(|(i, tenant)| async move {
            let result = match audit_one(job, tenant).await {
                Ok(report) => TenantResult {
                    tenant: tenant.clone(),
                    exit_code: if report.passed { 0 } else { 1 },
                    report: Some(report),
                    error: None,
                },
                Err(e) => {
                    let error = format!("{e:#}");
                    TenantResult {
                        tenant: tenant.clone(),
                        exit_code: exit::decide(&Err::<Outcome, _>(e)).code(),
                        report: None,
                        error: Some(error),
                    }
                }
            };
            done(&result);
            (i, result)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut results = results;
    results.sort_by_key(|(i, _)| *i);
    MultiReport::new(results.into_iter().map(|(_, r)| r).collect())
}

async fn audit_one(job: &Job<'_>, tenant: &str) -> Result<Report> {
    let token = job.tokens.token(tenant).await?;
    let tenant_id = crate::token::tenant_of(&token, Some(tenant))?;
    let client = GraphClient::new(job.http.clone(), job.base.clone(), &token)?;
    let target = Target {
        app: job.app,
        service_account: job.service_account,
        cloud: job.cloud,
        tenant_id: tenant_id.or_else(|| Some(tenant.to_string())),
    };
    let grants = fetch::fetch(&client, job.matrix, &target).await?;
    Ok(audit::diff(job.matrix, &grants, Source::Graph, &job.opts))
}

/// The production token source: the chosen `--auth` method, pointed at each tenant in turn.
pub struct AuthTokens {
    pub method: crate::cli::AuthMethod,
    pub ctx: crate::graph::auth::AuthContext,
}

#[async_trait::async_trait]
impl TokenSource for AuthTokens {
    async fn token(&self, tenant: &str) -> Result<Token> {
        let mut ctx = self.ctx.clone();
        ctx.tenant = Some(tenant.to_string());
        crate::graph::auth::acquire(self.method, &ctx).await
    }
}

/// A token source that always gives the same token (tests and benchmarks).
pub struct StaticToken(pub Arc<Token>);

#[async_trait::async_trait]
impl TokenSource for StaticToken {
    async fn token(&self, _tenant: &str) -> Result<Token> {
        Ok((*self.0).clone())
    }
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
    fn bad_lines_are_located() {
        let e = parse("ok.example\nnot a tenant\n", "t.txt").unwrap_err();
        assert!(e.to_string().starts_with("t.txt:2:1:"), "{e}");
        assert!(parse("# nothing\n\n", "t.txt")
            .unwrap_err()
            .to_string()
            .contains("no tenant"));
    }

    #[test]
    fn exit_is_the_worst() {
        let r = |code| TenantResult {
            tenant: "t".into(),
            exit_code: code,
            report: None,
            error: None,
        };
        assert_eq!(MultiReport::new(vec![r(0), r(1)]).exit(), Exit::Gaps);
        assert_eq!(
            MultiReport::new(vec![r(3), r(1), r(0)]).exit(),
            Exit::Incomplete
        );
        assert_eq!(MultiReport::new(vec![r(0)]).exit(), Exit::Success);
    }
}
