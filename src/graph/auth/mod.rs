//! Authentication: choose a credential (`--auth`), get a Microsoft Graph token with it through
//! azure_identity, and the certificate client assertion (RS256, signed without openssl).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientOptions, Transport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    Executor, ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
    WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};

use crate::cloud::Cloud;
use crate::error::Error;
use crate::token::Token;

use super::assertion::{CertificateAssertion, GitHubOidc, PipelinesOidc};

/// How to get a Microsoft Graph token (`--auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// The access token in ENTRA_PERMS_ACCESS_TOKEN if set, else client secret, certificate or
    /// workload identity when their variables are set, else the Azure CLI.
    Auto,
    /// The signed-in Azure CLI account (`az login`).
    AzureCli,
    /// AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET.
    ClientSecret,
    /// AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH (PEM with the private key).
    ClientCertificate,
    /// AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE (OIDC federation).
    WorkloadIdentity,
    /// The managed identity of the Azure host (AZURE_CLIENT_ID for a user-assigned one).
    ManagedIdentity,
    /// The bearer token in ENTRA_PERMS_ACCESS_TOKEN.
    AccessToken,
    /// A GitHub Actions job's OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, with
    /// `permissions: id-token: write`) exchanged for AZURE_CLIENT_ID in AZURE_TENANT_ID.
    GithubActions,
    /// An Azure Pipelines service connection's OIDC token (SYSTEM_OIDCREQUESTURI,
    /// SYSTEM_ACCESSTOKEN, AZURESUBSCRIPTION_SERVICE_CONNECTION_ID and its client and tenant).
    AzurePipelines,
}

/// The environment variable holding a bearer token for `--auth access-token`.
pub const ACCESS_TOKEN_ENV: &str = "ENTRA_PERMS_ACCESS_TOKEN";

/// The largest certificate or federated token file read.
pub(crate) const MAX_SECRET_FILE_BYTES: u64 = 256 * 1024;

/// Reads an environment variable (injectable for tests).
pub type EnvReader = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// What a credential needs from the environment and the command line.
#[derive(Clone)]
pub struct AuthContext {
    pub cloud: Cloud,
    /// `--tenant`, else AZURE_TENANT_ID.
    pub tenant: Option<String>,
    /// The HTTP transport for token requests (the same proxy and CA settings as Graph).
    pub transport: Transport,
    /// The same client, for requests of our own (the GitHub OIDC token).
    pub http: reqwest::Client,
    /// The login authority (AZURE_AUTHORITY_HOST, else the cloud's).
    pub authority_host: String,
    /// Reads an environment variable (injectable for tests).
    pub env: EnvReader,
    /// Runs `az` (injectable for tests).
    pub executor: Option<Arc<dyn Executor>>,
    /// Why the transport refused a sign-in answer, when it did: the Azure SDK reports only that
    /// its request failed, so the reason is kept here for the error.
    pub refused: Arc<std::sync::Mutex<Option<String>>>,
}

impl AuthContext {
    /// The context from the process environment.
    pub fn from_env(cloud: Cloud, tenant: Option<String>, http: reqwest::Client) -> Result<Self> {
        let env: EnvReader = Arc::new(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()));
        let authority_host = authority_host(cloud, env("AZURE_AUTHORITY_HOST"))?;
        let refused = Arc::new(std::sync::Mutex::new(None));
        Ok(AuthContext {
            cloud,
            tenant: tenant.or_else(|| env("AZURE_TENANT_ID")),
            transport: Transport::new(Arc::new(BoundedHttp {
                inner: Arc::new(http.clone()),
                limit: MAX_SIGN_IN_BYTES,
                refused: refused.clone(),
            })),
            http,
            authority_host,
            env,
            executor: None,
            refused,
        })
    }

    fn var(&self, key: &str) -> Option<String> {
        (self.env)(key)
    }

    fn require(&self, key: &str, method: &str) -> Result<String> {
        Ok(self.var(key).ok_or_else(|| {
            Error::input(format!(
                "the {method} sign-in needs the environment variable {key}"
            ))
        })?)
    }

    /// The first of `keys` that is set.
    fn require_any(&self, keys: &[&str], method: &str) -> Result<String> {
        Ok(keys.iter().find_map(|k| self.var(k)).ok_or_else(|| {
            Error::input(format!(
                "the {method} sign-in needs the environment variable {}",
                keys.join(" or ")
            ))
        })?)
    }

    fn tenant_for(&self, method: &str) -> Result<String> {
        Ok(self.tenant.clone().ok_or_else(|| {
            Error::input(format!(
                "the {method} sign-in needs a tenant: name the tenant, or set AZURE_TENANT_ID"
            ))
        })?)
    }

    fn client_options(&self) -> ClientOptions {
        let mut cloud = CustomConfiguration::default();
        cloud.authority_host = self.authority_host.clone();
        ClientOptions {
            transport: Some(self.transport.clone()),
            cloud: Some(Arc::new(CloudConfiguration::from(cloud))),
            ..Default::default()
        }
    }

    /// The OAuth scope of Microsoft Graph in this cloud.
    pub fn scope(&self) -> String {
        format!("https://{}/.default", self.cloud.graph_host())
    }
}

/// The login authority: AZURE_AUTHORITY_HOST (https only) or the cloud's.
pub fn authority_host(cloud: Cloud, env_value: Option<String>) -> Result<String> {
    match env_value {
        None => Ok(format!("https://{}", cloud.login_host())),
        Some(v) => {
            let url = url::Url::parse(v.trim()).map_err(|e| {
                Error::input(format!("AZURE_AUTHORITY_HOST `{v}` is not a URL: {e}"))
            })?;
            if url.scheme() != "https" {
                return Err(
                    Error::input(format!("AZURE_AUTHORITY_HOST `{v}` must use https")).into(),
                );
            }
            Ok(url.as_str().trim_end_matches('/').to_string())
        }
    }
}

/// The concrete method `auto` picks, from the variables that are set. The CI sign-ins are picked
/// only when all they need is there: a job that signed in with `azure/login` or inside AzureCLI@2
/// without SYSTEM_ACCESSTOKEN keeps using the Azure CLI.
pub fn resolve_auto(ctx: &AuthContext) -> AuthMethod {
    let all = |names: &[&str]| names.iter().all(|n| ctx.var(n).is_some());
    if ctx.var(ACCESS_TOKEN_ENV).is_some() {
        AuthMethod::AccessToken
    } else if ctx.var("AZURE_CLIENT_SECRET").is_some() {
        AuthMethod::ClientSecret
    } else if ctx.var("AZURE_CLIENT_CERTIFICATE_PATH").is_some() {
        AuthMethod::ClientCertificate
    } else if ctx.var("AZURE_FEDERATED_TOKEN_FILE").is_some() {
        AuthMethod::WorkloadIdentity
    } else if all(&[
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "AZURE_CLIENT_ID",
    ]) {
        AuthMethod::GithubActions
    } else if all(&[
        "SYSTEM_OIDCREQUESTURI",
        "SYSTEM_ACCESSTOKEN",
        "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
    ]) {
        AuthMethod::AzurePipelines
    } else {
        AuthMethod::AzureCli
    }
}

pub fn method_name(m: AuthMethod) -> &'static str {
    match m {
        AuthMethod::Auto => "auto",
        AuthMethod::AzureCli => "azure-cli",
        AuthMethod::ClientSecret => "client-secret",
        AuthMethod::ClientCertificate => "client-certificate",
        AuthMethod::WorkloadIdentity => "workload-identity",
        AuthMethod::ManagedIdentity => "managed-identity",
        AuthMethod::AccessToken => "access-token",
        AuthMethod::GithubActions => "github-actions",
        AuthMethod::AzurePipelines => "azure-pipelines",
    }
}

/// Get a Microsoft Graph token with the chosen method.
pub async fn acquire(method: AuthMethod, ctx: &AuthContext) -> Result<Token> {
    let auto = method == AuthMethod::Auto;
    let method = match method {
        AuthMethod::Auto => resolve_auto(ctx),
        m => m,
    };
    let name = method_name(method);
    let result = acquire_with(method, name, ctx).await;
    // `auto` fell through to the Azure CLI and that failed too: say what each way in lacked.
    if let (true, AuthMethod::AzureCli, Err(e)) = (auto, method, &result) {
        tracing::info!("the Azure CLI sign-in: {e:#}");
        return Err(anyhow::anyhow!(auto_tried(ctx, &format!("{e:#}"))))
            .context(SignInFailed { method: "auto" });
    }
    // The transport's own reason, which the SDK's error does not carry.
    let refused = ctx.refused.lock().ok().and_then(|mut r| r.take());
    match (result, refused) {
        (Err(_), Some(reason)) => {
            Err(anyhow::anyhow!(reason)).context(SignInFailed { method: name })
        }
        (result, _) => result.with_context(|| SignInFailed { method: name }),
    }
}

/// What `--auth auto` tried, in order, and what each lacked — one clause each — ending with why
/// the Azure CLI, its last resort, did not give a token (the SDK's own words under `-v`).
fn auto_tried(ctx: &AuthContext, cli_error: &str) -> String {
    let set = |n: &str| ctx.var(n).is_some();
    let lacks = |names: &[&str]| -> String {
        let (missing, present): (Vec<&str>, Vec<&str>) = names.iter().partition(|n| !set(n));
        let mut s = format!("{} not set", missing.join(", "));
        if !present.is_empty() {
            s.push_str(&format!(
                " ({} {})",
                present.join(" and "),
                if present.len() == 1 { "is" } else { "are" }
            ));
        }
        s
    };
    let cli = if cli_error.contains("not found on PATH") || cli_error.contains("No such file") {
        "`az` is not on PATH: install the Azure CLI and run `az login`, or set one of the above"
            .to_string()
    } else if cli_error.contains("az login") {
        "not signed in: run `az login`".to_string()
    } else {
        format!("it failed: {}", one_line(cli_error))
    };
    [
        format!("access token: {}", lacks(&[ACCESS_TOKEN_ENV])),
        format!(
            "client secret: {}",
            lacks(&["AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_CLIENT_ID"])
        ),
        format!(
            "client certificate: {}",
            lacks(&[
                "AZURE_CLIENT_CERTIFICATE_PATH",
                "AZURE_TENANT_ID",
                "AZURE_CLIENT_ID"
            ])
        ),
        format!(
            "workload identity: {}",
            lacks(&[
                "AZURE_FEDERATED_TOKEN_FILE",
                "AZURE_TENANT_ID",
                "AZURE_CLIENT_ID"
            ])
        ),
        format!(
            "GitHub Actions: {}",
            lacks(&[
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                "AZURE_CLIENT_ID"
            ])
        ),
        format!(
            "Azure Pipelines: {}",
            lacks(&[
                "SYSTEM_OIDCREQUESTURI",
                "SYSTEM_ACCESSTOKEN",
                "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"
            ])
        ),
        format!("Azure CLI: {cli}"),
    ]
    .iter()
    .enumerate()
    .map(|(i, s)| format!("{}. {s}", i + 1))
    .collect::<Vec<_>>()
    .join("; ")
}

/// A sign-in that did not give a token, naming the method tried: the outermost context of every
/// sign-in error, so that the command line can say which of its settings chose it.
#[derive(Debug, thiserror::Error)]
#[error("could not get a Microsoft Graph token with the {method} sign-in")]
pub struct SignInFailed {
    pub method: &'static str,
}

async fn acquire_with(method: AuthMethod, name: &'static str, ctx: &AuthContext) -> Result<Token> {
    tracing::info!(method = %name, "authenticating");
    if method == AuthMethod::AccessToken {
        let raw = ctx.require(ACCESS_TOKEN_ENV, name)?;
        let token = crate::token::check_raw(&raw, ACCESS_TOKEN_ENV)?;
        // A JWT is checked from its claims before any request: expired, not yet valid, or for
        // another API is said so (an opaque token is Graph's to judge).
        if let Ok(claims) = crate::token::decode_claims(token) {
            let now = azure_core::time::OffsetDateTime::now_utc().unix_timestamp();
            crate::token::check_times(&claims, now)?;
            crate::token::check_for_graph(&claims, ctx.cloud)?;
        }
        return Ok(Token::new(token));
    }
    let credential = credential(method, name, ctx)?;
    let scope = ctx.scope();
    let token = credential
        .get_token(&[scope.as_str()], None)
        .await
        .map_err(|e| {
            let mut message = crate::redact::redact(&one_line(&e.to_string()));
            // Only Entra ID refusing the assertion (an AADSTS code) points at the federated
            // credential; a failure to get the assertion says what to check itself.
            let federated = matches!(
                method,
                AuthMethod::WorkloadIdentity
                    | AuthMethod::GithubActions
                    | AuthMethod::AzurePipelines
            );
            if federated && message.contains("AADSTS") {
                message.push_str(
                    ". Check the federated credential on the app registration AZURE_CLIENT_ID: its \
                     issuer, subject (repository and branch, or service connection) and audience \
                     (api://AzureADTokenExchange) must match this job",
                );
            }
            anyhow!("{message}")
        })?;
    Ok(Token::new(token.token.secret()))
}

/// The azure_identity credential of a sign-in method, from the environment it needs.
fn credential(
    method: AuthMethod,
    name: &'static str,
    ctx: &AuthContext,
) -> Result<Arc<dyn TokenCredential>> {
    Ok(match method {
        AuthMethod::ClientSecret => {
            let tenant = ctx.tenant_for(name)?;
            let client_id = ctx.require("AZURE_CLIENT_ID", name)?;
            let secret = ctx.require("AZURE_CLIENT_SECRET", name)?;
            crate::redact::register(&secret);
            ClientSecretCredential::new(
                &tenant,
                client_id,
                Secret::new(secret),
                Some(ClientSecretCredentialOptions {
                    client_options: ctx.client_options(),
                }),
            )?
        }
        AuthMethod::ClientCertificate => {
            let tenant = ctx.tenant_for(name)?;
            let client_id = ctx.require("AZURE_CLIENT_ID", name)?;
            let path = PathBuf::from(ctx.require("AZURE_CLIENT_CERTIFICATE_PATH", name)?);
            let audience = format!("{}/{tenant}/oauth2/v2.0/token", ctx.authority_host);
            let assertion = CertificateAssertion::from_pem_file(&path, &client_id, &audience)?;
            ClientAssertionCredential::new(
                tenant,
                client_id,
                assertion,
                Some(ClientAssertionCredentialOptions {
                    client_options: ctx.client_options(),
                }),
            )?
        }
        AuthMethod::WorkloadIdentity => {
            let tenant = ctx.tenant_for(name)?;
            let client_id = ctx.require("AZURE_CLIENT_ID", name)?;
            let file = ctx.require("AZURE_FEDERATED_TOKEN_FILE", name)?;
            // Read once here, bounded, so that a FIFO or a huge file is refused before the SDK
            // reads it, and so that the token is known as a secret.
            let federated =
                crate::input::read_bounded(Path::new(&file), MAX_SECRET_FILE_BYTES, false)
                    .map_err(|e| {
                        Error::input(format!(
                    "cannot read the federated token file {file} (AZURE_FEDERATED_TOKEN_FILE): {e}"
                ))
                    })?;
            crate::redact::register(&String::from_utf8_lossy(&federated));
            WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                credential_options: ClientAssertionCredentialOptions {
                    client_options: ctx.client_options(),
                },
                client_id: Some(client_id),
                tenant_id: Some(tenant),
                token_file_path: Some(PathBuf::from(file)),
            }))?
        }
        AuthMethod::ManagedIdentity => {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: ctx.var("AZURE_CLIENT_ID").map(UserAssignedId::ClientId),
                client_options: ClientOptions {
                    transport: Some(ctx.transport.clone()),
                    ..Default::default()
                },
            }))?
        }
        AuthMethod::GithubActions => {
            let tenant = ctx.tenant_for(name)?;
            let client_id = ctx.require("AZURE_CLIENT_ID", name)?;
            let url = ctx.require("ACTIONS_ID_TOKEN_REQUEST_URL", name)?;
            let bearer = ctx.require("ACTIONS_ID_TOKEN_REQUEST_TOKEN", name)?;
            crate::redact::register(&bearer);
            let assertion = GitHubOidc::new(&url, bearer, ctx.http.clone())?;
            ClientAssertionCredential::new(
                tenant,
                client_id,
                assertion,
                Some(ClientAssertionCredentialOptions {
                    client_options: ctx.client_options(),
                }),
            )?
        }
        AuthMethod::AzurePipelines => {
            // What the AzureCLI@2 and AzurePowerShell@5 tasks set, or the Azure SDK's names.
            let tenant = match &ctx.tenant {
                Some(t) => t.clone(),
                None => ctx.require_any(&["AZURESUBSCRIPTION_TENANT_ID"], name)?,
            };
            let client_id =
                ctx.require_any(&["AZURE_CLIENT_ID", "AZURESUBSCRIPTION_CLIENT_ID"], name)?;
            let connection = ctx.require("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", name)?;
            let system_token = ctx.require("SYSTEM_ACCESSTOKEN", name)?;
            let url = ctx.require("SYSTEM_OIDCREQUESTURI", name)?;
            crate::redact::register(&system_token);
            let assertion = PipelinesOidc::new(&url, &connection, system_token, ctx.http.clone())?;
            ClientAssertionCredential::new(
                tenant,
                client_id,
                assertion,
                Some(ClientAssertionCredentialOptions {
                    client_options: ctx.client_options(),
                }),
            )?
        }
        AuthMethod::AzureCli => AzureCliCredential::new(Some(AzureCliCredentialOptions {
            tenant_id: ctx.tenant.clone(),
            executor: ctx.executor.clone(),
            ..Default::default()
        }))?,
        // `Auto` is resolved to a concrete method and an access token needs no credential.
        AuthMethod::Auto | AuthMethod::AccessToken => {
            anyhow::bail!("the {name} sign-in has no credential of its own")
        }
    })
}

/// The largest answer of a token endpoint or the managed-identity endpoint read (a token answer
/// is a few KiB).
pub(crate) const MAX_SIGN_IN_BYTES: usize = 1024 * 1024;

/// The transport of every sign-in request: the shared client, with each answer read through a
/// size limit, as Graph's are — a hostile endpoint's endless body is an error, not a memory
/// blow-up.
#[derive(Debug)]
struct BoundedHttp {
    inner: Arc<dyn azure_core::http::HttpClient>,
    limit: usize,
    /// Where the reason of a refusal is left for the error.
    refused: Arc<std::sync::Mutex<Option<String>>>,
}

#[async_trait::async_trait]
impl azure_core::http::HttpClient for BoundedHttp {
    async fn execute_request(
        &self,
        request: &azure_core::http::Request,
    ) -> azure_core::Result<azure_core::http::AsyncRawResponse> {
        use futures::StreamExt;
        let (status, headers, mut body) = self.inner.execute_request(request).await?.deconstruct();
        let mut buf: Vec<u8> = Vec::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            if buf.len() + chunk.len() > self.limit {
                let reason = format!(
                    "the sign-in endpoint {} sent an answer larger than {} KiB: refused",
                    request.url().host_str().unwrap_or("?"),
                    self.limit / 1024
                );
                if let Ok(mut slot) = self.refused.lock() {
                    *slot = Some(reason.clone());
                }
                return Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::DataConversion,
                    reason,
                ));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(azure_core::http::AsyncRawResponse::from_bytes(
            status, headers, buf,
        ))
    }
}

/// Azure SDK messages run over several lines; keep them on one.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
