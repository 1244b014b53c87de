//! The values flags take: clouds, formats, scopes, policies and sign-in methods, each with the
//! help line `--help` shows, and `--report FORMAT=PATH`.

use std::path::PathBuf;

use clap::ValueEnum;

use super::{AuthMethod, Cloud, FailOn, Scope};
use crate::config::ReportTarget;
use crate::report::Format;

fn possible(name: &'static str, help: &'static str) -> clap::builder::PossibleValue {
    clap::builder::PossibleValue::new(name).help(help)
}

impl ValueEnum for Cloud {
    fn value_variants<'a>() -> &'a [Self] {
        &[Cloud::Global, Cloud::Usgov, Cloud::UsgovDod, Cloud::China]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let help = match self {
            Format::Table => "A table for people, with a one-line verdict",
            Format::Json => "The audit JSON (schemaVersion 1)",
            Format::Markdown => {
                "A summary and the gaps in GitHub Markdown (job summaries, pull-request comments)"
            }
            Format::Junit => "JUnit XML: a test suite per purpose, a test case per object",
            Format::Html => "One self-contained HTML page (no request leaves it), to forward",
            Format::Csv => {
                "CSV (RFC 4180, UTF-8 with a byte-order mark): one row per object and requirement"
            }
            Format::Sarif => {
                "SARIF 2.1.0 for code scanning: a result per unmet requirement and unneeded grant"
            }
            Format::Jsonl => {
                "JSON lines: with --tenants one line per tenant as it finishes, then a summary"
            }
            Format::Outputs => {
                "key=value lines (passed, verdict, counts) for CI outputs such as $GITHUB_OUTPUT"
            }
        };
        Some(possible(self.as_str(), help))
    }
}

/// `FORMAT=PATH` of `--report`.
pub(super) fn parse_report_target(s: &str) -> Result<ReportTarget, String> {
    let (format, path) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not FORMAT=PATH (e.g. html=audit.html)"))?;
    let format = Format::from_name(format.trim()).ok_or_else(|| {
        format!(
            "`{format}` is not a format; one of: {}",
            Format::ALL.map(Format::as_str).join(", ")
        )
    })?;
    let path = path.trim();
    if path.is_empty() {
        return Err(format!("`{s}` has no PATH"));
    }
    Ok(ReportTarget {
        format,
        path: (path != "-").then(|| PathBuf::from(path)),
    })
}

impl ValueEnum for Scope {
    fn value_variants<'a>() -> &'a [Self] {
        &[Scope::All, Scope::Backup, Scope::Restore]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

impl ValueEnum for FailOn {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            FailOn::Gap,
            FailOn::BackupGap,
            FailOn::Excess,
            FailOn::NewGap,
            FailOn::NewExcess,
            FailOn::ExcessTier0,
            FailOn::Never,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

impl ValueEnum for AuthMethod {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            AuthMethod::Auto,
            AuthMethod::AzureCli,
            AuthMethod::ClientSecret,
            AuthMethod::ClientCertificate,
            AuthMethod::WorkloadIdentity,
            AuthMethod::ManagedIdentity,
            AuthMethod::AccessToken,
            AuthMethod::GithubActions,
            AuthMethod::AzurePipelines,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let help = match self {
            AuthMethod::Auto => "The access token in ENTRA_PERMS_ACCESS_TOKEN if set, else client secret, certificate or workload identity when their variables are set, else the Azure CLI",
            AuthMethod::AzureCli => "The signed-in Azure CLI account (`az login`)",
            AuthMethod::ClientSecret => "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET",
            AuthMethod::ClientCertificate => "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH (PEM with the private key)",
            AuthMethod::WorkloadIdentity => "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE (OIDC federation)",
            AuthMethod::ManagedIdentity => "The managed identity of the Azure host (AZURE_CLIENT_ID for a user-assigned one)",
            AuthMethod::AccessToken => "The bearer token in ENTRA_PERMS_ACCESS_TOKEN",
            AuthMethod::GithubActions => "A GitHub Actions job's OIDC token (id-token: write) for AZURE_CLIENT_ID in AZURE_TENANT_ID; no Azure CLI needed",
            AuthMethod::AzurePipelines => "An Azure Pipelines service connection's OIDC token (SYSTEM_OIDCREQUESTURI, SYSTEM_ACCESSTOKEN, AZURESUBSCRIPTION_*); no Azure CLI needed",
        };
        Some(possible(crate::graph::auth::method_name(*self), help))
    }
}
