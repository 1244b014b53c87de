//! Command-line interface: commands, flags, formats and environment variables (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::audit::{FailOn, Scope};
pub use crate::cloud::Cloud;
use crate::config::{
    AuditConfig, Connection, GrantsSource, PlanConfig, ReportTarget, SnapshotConfig,
};
use crate::error::Error;
pub use crate::graph::auth::AuthMethod;
use crate::report::Format;

/// Check that an Entra ID backup application has every Microsoft Graph permission it needs,
/// per protected object, for backup and for restore, and nothing it does not need.
#[derive(Debug, Parser)]
#[command(
    name = "entra-perms",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = "Exit codes: 0 passed or succeeded, 1 the audit found gaps (per --fail-on), \
                  2 usage or input error, 3 the audit could not be completed.\n\
                  Start offline: entra-perms explain User.ReadWrite.All"
)]
pub struct Cli {
    /// Log what the tool does to stderr (-v: each Graph request; -vv: more detail).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Colour the table's verdict and warnings: auto (a terminal, unless NO_COLOR is set;
    /// FORCE_COLOR or CLICOLOR_FORCE force it), always (CI logs that render ANSI), never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the whole permission matrix: every permission, what it protects and why.
    Matrix(MatrixArgs),
    /// Explain a permission (name or GUID) or a protected object: why it is needed, what it covers.
    #[command(
        after_help = EXPLAIN_EXAMPLES,
        override_usage = "entra-perms explain <QUERY | --path PATH> [OPTIONS]"
    )]
    Explain(ExplainArgs),
    /// Audit what the tenant has granted the backup app against the matrix.
    #[command(
        after_help = AUDIT_EXAMPLES,
        override_usage = "entra-perms audit <--app APP | --from SNAPSHOT | --token-claims> [OPTIONS]"
    )]
    Audit(Box<AuditArgs>),
    /// Save what the tenant has granted the backup app to a JSON file, to audit later offline.
    #[command(after_help = SNAPSHOT_EXAMPLES)]
    Snapshot(Box<SnapshotArgs>),
    /// Show how to close each gap: admin-consent URL, Graph requests, az and PowerShell commands.
    #[command(
        after_help = PLAN_EXAMPLES,
        override_usage = "entra-perms plan <--app APP | --from SNAPSHOT> [OPTIONS]"
    )]
    Plan(Box<PlanArgs>),
    /// Compare two matrix files: the requirements a newer one adds or drops.
    DiffMatrix(DiffMatrixArgs),
    /// Every app in the tenant holding Microsoft Graph permissions: tiers, owners, last sign-in,
    /// which backup product it looks like, and what to do, Tier 0 first.
    #[command(after_help = INVENTORY_EXAMPLES)]
    Inventory(Box<InventoryArgs>),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to stdout: the tool's, or one command's; or write them all.
    Man {
        /// The command whose page to print (e.g. `audit`).
        #[arg(value_name = "COMMAND", conflicts_with = "dir")]
        command: Option<String>,
        /// Write every page (entra-perms.1, entra-perms-audit.1, …) into this directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

const AUDIT_EXAMPLES: &str = "\
What to audit: one of --app (a tenant, read from Microsoft Graph), --from (a snapshot) or
--token-claims (the permissions a token carries).

Examples:
  az login && entra-perms audit --app 46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b
  entra-perms audit --from examples/wrong-types-and-excess.json --format markdown
  entra-perms audit --app \"$BACKUP_APP_ID\" --auth github-actions --report html=audit.html
  entra-perms audit --app \"$BACKUP_APP_ID\" --baseline last.json --fail-on new-gap";

const PLAN_EXAMPLES: &str = "\
Examples:
  entra-perms plan --app 46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b --format html -o plan.html
  entra-perms plan --from examples/all-granted.json --scope restore --just-in-time";

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  entra-perms explain User.ReadWrite.All
  entra-perms explain bitlocker
  entra-perms explain --path /oauth2PermissionGrants";

const INVENTORY_EXAMPLES: &str = "\
Examples:
  entra-perms inventory
  entra-perms inventory --format html --output inventory.html
  entra-perms inventory --fail-on tier0-dormant --dormant-days 60";

const SNAPSHOT_EXAMPLES: &str = "\
Examples:
  entra-perms snapshot --app 46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b -o before.json
  entra-perms snapshot --app \"$BACKUP_APP_ID\" --redact -o for-support.json";

#[derive(Debug, Args)]
pub struct MatrixSource {
    /// The permission matrix: an embedded one by name (keepit, the default; veeam-vbr13,
    /// veeam-data-cloud, cohesity-dataprotect, netwrix-identity-recovery, microsoft-entra-backup,
    /// druva; see `matrix --list`), `auto` (audit: the one the app's grants fit best), or a file.
    #[arg(long, value_name = "NAME|FILE", env = "ENTRA_PERMS_MATRIX")]
    pub matrix: Option<PathBuf>,
    /// Refuse (exit 2) a matrix with a row Microsoft's permission data does not know as written
    /// (by default a warning naming the row's line).
    #[arg(long)]
    pub strict_matrix: bool,
}

#[derive(Debug, Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    pub source: MatrixSource,
    /// List the embedded matrices: product, version, source, document date and rows.
    #[arg(long)]
    pub list: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MatrixFormat::Table)]
    pub format: MatrixFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    Table,
    Json,
    Markdown,
    /// The matrix file itself, to commit and name with --matrix (SARIF then points at its rows).
    Toml,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A permission name (any case), a permission GUID (app role or scope id), or a protected object.
    #[arg(
        value_name = "QUERY",
        required_unless_present = "path",
        conflicts_with = "path"
    )]
    pub query: Option<String>,
    /// Which permissions open this Microsoft Graph API path (e.g. /users/{id}/authentication/methods),
    /// least-privileged first.
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    #[command(flatten)]
    pub source: MatrixSource,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Table)]
    pub format: ExplainFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The backup application: its application (client) id, its service principal object id, or its
    /// exact display name.
    #[arg(
        long,
        value_name = "APP",
        required_unless_present_any = ["from", "token_claims"],
        conflicts_with_all = ["from", "token_claims"]
    )]
    pub app: Option<String>,

    /// Audit a snapshot file written by `entra-perms snapshot` instead of calling Graph.
    #[arg(long, value_name = "SNAPSHOT", conflicts_with = "token_claims")]
    pub from: Option<PathBuf>,

    /// Audit the permissions a token itself carries (`roles` for app-only tokens, `scp` for
    /// delegated ones), from ENTRA_PERMS_ACCESS_TOKEN or --token-file, without calling Graph.
    #[arg(long)]
    pub token_claims: bool,

    /// With --token-claims: read the token from FILE instead of ENTRA_PERMS_ACCESS_TOKEN.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// Audit the same app in every tenant listed in FILE (tenant ids or domains, one a line, `#`
    /// comments), with a token per tenant.
    #[arg(long, value_name = "FILE", requires = "app", conflicts_with = "tenant")]
    pub tenants: Option<PathBuf>,

    /// With --tenants: write each tenant's own reports into DIR as it finishes (DIR/<tenant>.json,
    /// DIR/<tenant>.html) and DIR/index.html, an overview linking to them; DIR is created if
    /// missing.
    #[arg(long, value_name = "DIR", requires = "tenants")]
    pub report_dir: Option<PathBuf>,

    /// With --tenants: how many tenants to audit at a time.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// The service account (UPN or object id) the delegated permissions act through: its own
    /// (Principal) consents count as granted.
    #[arg(long, value_name = "USER")]
    pub service_account: Option<String>,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Output format [default: table].
    #[arg(long, value_enum)]
    pub format: Option<AuditFormat>,

    /// Also write a report in FORMAT to PATH, from the same Graph read (repeatable), e.g.
    /// `--report html=audit.html --report json=audit.json`; PATH `-` is standard output.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report_target)]
    pub reports: Vec<ReportTarget>,

    /// Replace users' principal names and object ids with placeholders in every report (to send
    /// it outside the organisation).
    #[arg(long)]
    pub redact: bool,

    /// Compare with an earlier audit JSON (`--format json`) or snapshot of the same app and
    /// tenant (with --tenants: an earlier multi-tenant JSON): what became a gap, what was
    /// resolved, which grants were added or removed, and who did it (directory audit log).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub source: MatrixSource,
}

/// What the audit checks and when it fails.
#[derive(Debug, Args, Clone)]
pub struct PolicyArgs {
    /// Which requirements to check.
    #[arg(long, value_enum, default_value_t = Scope::All)]
    pub scope: Scope,

    /// Only exact grants count: a broader permission does not satisfy a narrower one.
    #[arg(long)]
    pub strict: bool,

    /// When the audit fails (exit 1): any uncovered object (gap), an uncovered backup (backup-gap),
    /// any gap or any unneeded permission (excess), a gap the --baseline did not have (new-gap), an
    /// unneeded grant the --baseline did not have (new-excess), an unneeded Tier-0 application
    /// permission (excess-tier0), or never.
    #[arg(long, value_enum, default_value_t = FailOn::Gap)]
    pub fail_on: FailOn,

    /// Count the rows a vendor marks optional (by default they are listed as granted or not,
    /// never a gap).
    #[arg(long)]
    pub include_optional: bool,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The backup application: its application (client) id, its service principal object id, or
    /// its exact display name.
    #[arg(long, value_name = "APP")]
    pub app: String,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// The service account (UPN or object id) the delegated permissions act through.
    #[arg(long, value_name = "USER")]
    pub service_account: Option<String>,

    /// Write the snapshot to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace users (the service account, owners, consenting users, the audit log's actors)
    /// with placeholders, to send the snapshot outside the organisation; it still audits alike.
    #[arg(long)]
    pub redact: bool,

    #[command(flatten)]
    pub source: MatrixSource,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The backup application: its application (client) id, its service principal object id, or
    /// its exact display name.
    #[arg(
        long,
        value_name = "APP",
        required_unless_present = "from",
        conflicts_with = "from"
    )]
    pub app: Option<String>,

    /// Plan from a snapshot file instead of calling Graph.
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// The service account (UPN or object id) the delegated permissions act through.
    #[arg(long, value_name = "USER")]
    pub service_account: Option<String>,

    /// Which requirements to plan for.
    #[arg(long, value_enum, default_value_t = Scope::All)]
    pub scope: Scope,

    /// Only exact grants count: also plan for requirements a broader permission satisfies.
    #[arg(long)]
    pub strict: bool,

    /// Also plan for the rows a vendor marks optional.
    #[arg(long)]
    pub include_optional: bool,

    /// Restore rights just in time: print the Tier-0 application permissions only restore needs
    /// as a grant block to run before a restore and a revoke block to run after it, instead of
    /// granting them for good (with --scope restore or all).
    #[arg(long)]
    pub just_in_time: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,

    /// Write the plan to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub source: MatrixSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    Markdown,
    /// One self-contained HTML page with copy buttons.
    Html,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Take the inventory of every tenant listed in FILE (tenant ids or domains, one a line, `#`
    /// comments), with a token per tenant: an overview, each tenant's findings Tier 0 first.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["tenant", "baseline"])]
    pub tenants: Option<PathBuf>,
    /// With --tenants: how many tenants to read at a time.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
    pub format: InventoryFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// A Tier-0 app without a sign-in for this many days is dormant.
    #[arg(long, value_name = "DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub dormant_days: u32,
    /// When the inventory fails (exit 1): a dormant Tier-0 app, a Tier-0 app of another tenant
    /// with no owner here, an app that gained Tier-0 rights since --baseline, or never.
    #[arg(long, value_enum, default_value_t = InventoryFailOn::Never)]
    pub fail_on: InventoryFailOn,
    /// Compare with an earlier inventory JSON (`inventory --format json`) of the same tenant: the
    /// apps that gained Tier-0 rights since.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Owners' names become placeholders (owner-1, …) in the report.
    #[arg(long)]
    pub redact: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    Table,
    Json,
    Csv,
    Markdown,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InventoryFailOn {
    Tier0Dormant,
    Tier0Foreign,
    Tier0Gained,
    Never,
}

#[derive(Debug, Args)]
pub struct DiffMatrixArgs {
    /// The matrix in use now.
    #[arg(value_name = "OLD.toml")]
    pub old: PathBuf,
    /// The newer matrix.
    #[arg(value_name = "NEW.toml")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Table)]
    pub format: ExplainFormat,
}

/// An audit's report format (the domain's `report::Format`).
pub type AuditFormat = Format;

/// How to reach the tenant.
#[derive(Debug, Args, Clone)]
pub struct ConnectionArgs {
    /// The tenant id or domain (default: the credential's tenant, or AZURE_TENANT_ID).
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,

    /// The Microsoft cloud: selects the login authority and the Graph host.
    #[arg(long, value_enum, default_value_t = Cloud::Global)]
    pub cloud: Cloud,

    /// Graph base URL without the version segment (http:// only for loopback hosts).
    #[arg(long, value_name = "URL", env = "ENTRA_PERMS_GRAPH_URL")]
    pub graph_url: Option<String>,

    /// How to authenticate.
    #[arg(long, value_enum, default_value_t = AuthMethod::Auto)]
    pub auth: AuthMethod,

    /// The most seconds one tenant's audit may take, sign-in, retries and paging included.
    #[arg(long, value_name = "SECONDS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
}

// The domain's choices, offered on the command line. The domain types own their spelling (JSON,
// reports); clap only learns their names and help here, so the core never imports the CLI.

impl TryFrom<&ConnectionArgs> for Connection {
    type Error = Error;

    /// The connection, checked before any I/O: a `--graph-url` that is no usable Graph base URL
    /// is an input error.
    fn try_from(c: &ConnectionArgs) -> Result<Connection, Error> {
        let graph_url = match c.graph_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                crate::graph::parse_base_url(raw)
                    .map_err(|e| Error::input(format!("--graph-url {e}")))?,
            ),
        };
        Ok(Connection {
            tenant: c.tenant.clone(),
            cloud: c.cloud,
            graph_url,
            auth: c.auth,
            timeout: std::time::Duration::from_secs(c.timeout),
        })
    }
}

mod settle;
mod values;
use settle::app_arg;
use values::parse_report_target;

impl AuditArgs {
    /// The audit these arguments ask for, checked: the rules clap cannot express, settled once.
    pub fn config(&self) -> Result<AuditConfig, Error> {
        if self.token_file.is_some() && !self.token_claims {
            return Err(Error::input(
                "--token-file is for --token-claims: audit a token with `audit --token-claims --token-file FILE`",
            ));
        }
        let source = match (&self.tenants, &self.app, &self.from) {
            (Some(file), Some(app), _) => GrantsSource::Tenants {
                file: file.clone(),
                app: app_arg(app)?,
                concurrency: usize::from(self.concurrency),
                report_dir: self.report_dir.clone(),
            },
            (Some(_), None, _) => return Err(Error::input("--tenants needs --app APP")),
            _ if self.token_claims => GrantsSource::Token(self.token_file.clone()),
            (None, _, Some(path)) => GrantsSource::Snapshot(path.clone()),
            (None, Some(app), None) => GrantsSource::Graph { app: app_arg(app)? },
            (None, None, None) => return Err(Error::input("give --app APP or --from SNAPSHOT")),
        };
        if let Some(path) = &self.output {
            crate::config::check_output_path(path, "--output").map_err(Error::input)?;
        }
        for r in &self.reports {
            if let Some(path) = &r.path {
                crate::config::check_output_path(path, "--report").map_err(Error::input)?;
            }
        }
        let to_stdout = self.reports.iter().find(|r| r.path.is_none());
        if let (Some(format), None, Some(r)) = (self.format, &self.output, to_stdout) {
            return Err(Error::input(format!(
                "two reports for standard output: --format {} and --report {}=-; give one of them a file (--output FILE, or --report FORMAT=PATH)",
                format.as_str(),
                r.format.as_str()
            )));
        }
        let mut reports = Vec::new();
        // A --report to stdout takes the place of the default table there.
        if self.output.is_some() || self.format.is_some() || to_stdout.is_none() {
            reports.push(ReportTarget {
                format: self.format.unwrap_or(Format::Table),
                path: self.output.clone(),
            });
        }
        reports.extend(self.reports.iter().cloned());
        crate::config::check_targets(&reports).map_err(Error::input)?;
        Ok(AuditConfig {
            source,
            matrix: self.source.matrix.clone(),
            strict_matrix: self.source.strict_matrix,
            connection: Connection::try_from(&self.connection)?,
            service_account: self.service_account.clone(),
            options: crate::audit::Options {
                scope: self.policy.scope,
                strict: self.policy.strict,
                fail_on: self.policy.fail_on,
                include_optional: self.policy.include_optional,
            },
            reports,
            redact: self.redact,
            baseline: self.baseline.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn audit_needs_an_app_or_a_snapshot() {
        assert!(Cli::try_parse_from(["entra-perms", "audit"]).is_err());
        assert!(Cli::try_parse_from(["entra-perms", "audit", "--app", "x"]).is_ok());
        assert!(Cli::try_parse_from(["entra-perms", "audit", "--from", "s.json"]).is_ok());
        assert!(
            Cli::try_parse_from(["entra-perms", "audit", "--app", "x", "--from", "s.json"])
                .is_err()
        );
        assert!(Cli::try_parse_from(["entra-perms", "audit", "--token-claims"]).is_ok());
        assert!(
            Cli::try_parse_from(["entra-perms", "audit", "--token-claims", "--app", "x"]).is_err()
        );
    }

    #[test]
    fn audit_arguments_become_one_checked_config() {
        let config = |args: &[&str]| {
            let Cli {
                command: Command::Audit(a),
                ..
            } = Cli::try_parse_from(args).unwrap()
            else {
                panic!("not an audit")
            };
            a.config()
        };
        let c = config(&[
            "entra-perms",
            "audit",
            "--from",
            "s.json",
            "--report",
            "html=a.html",
            "--report",
            "json=-",
        ])
        .unwrap();
        assert_eq!(c.reports.len(), 2, "{:?}", c.reports);
        assert_eq!(c.reports[0].format, Format::Html);
        assert_eq!(c.reports[1].path, None);
        assert_eq!(c.inputs(), vec![std::path::Path::new("s.json")]);
        let e = config(&[
            "entra-perms",
            "audit",
            "--from",
            "s.json",
            "--output",
            "json",
        ])
        .unwrap_err();
        assert!(e.message().contains("--format json"), "{e}");
        let e = config(&[
            "entra-perms",
            "audit",
            "--from",
            "s.json",
            "--format",
            "json",
            "--report",
            "markdown=-",
        ])
        .unwrap_err();
        assert!(
            e.message().contains("two reports for standard output"),
            "{e}"
        );
        assert!(
            Cli::try_parse_from(["entra-perms", "audit", "--from", "s", "--report", "pdf=x"])
                .is_err()
        );
        assert!(
            Cli::try_parse_from(["entra-perms", "audit", "--from", "s", "--report", "html"])
                .is_err()
        );
    }

    #[test]
    fn clouds_have_their_own_hosts() {
        assert_eq!(Cloud::Usgov.graph_host(), "graph.microsoft.us");
        assert_eq!(Cloud::UsgovDod.login_host(), "login.microsoftonline.us");
        assert_eq!(Cloud::China.graph_host(), "microsoftgraph.chinacloudapi.cn");
    }
}
