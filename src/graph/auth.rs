//! Authentication: choose a credential (`--auth`), get a Microsoft Graph token with it through
//! azure_identity, and the certificate client assertion (RS256, signed without openssl).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};
use aws_lc_rs::{digest, rand, signature};
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientMethodOptions, ClientOptions, Transport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, AzurePipelinesCredential,
    AzurePipelinesCredentialOptions, ClientAssertion, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    Executor, ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
    WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use base64::Engine;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::cloud::Cloud;
use crate::error::Error;
use crate::token::Token;

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
const MAX_SECRET_FILE_BYTES: u64 = 256 * 1024;

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
}

impl AuthContext {
    /// The context from the process environment.
    pub fn from_env(cloud: Cloud, tenant: Option<String>, http: reqwest::Client) -> Result<Self> {
        let env: EnvReader = Arc::new(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()));
        let authority_host = authority_host(cloud, env("AZURE_AUTHORITY_HOST"))?;
        Ok(AuthContext {
            cloud,
            tenant: tenant.or_else(|| env("AZURE_TENANT_ID")),
            transport: Transport::new(Arc::new(http.clone())),
            http,
            authority_host,
            env,
            executor: None,
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
    let method = match method {
        AuthMethod::Auto => resolve_auto(ctx),
        m => m,
    };
    let name = method_name(method);
    acquire_with(method, name, ctx)
        .await
        .with_context(|| SignInFailed { method: name })
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
        return Ok(Token::new(token));
    }
    let credential: Arc<dyn TokenCredential> = match method {
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
            // azure_identity reads the OIDC endpoint itself; say which variable is missing here.
            ctx.require("SYSTEM_OIDCREQUESTURI", name)?;
            crate::redact::register(&system_token);
            AzurePipelinesCredential::new(
                tenant,
                client_id,
                &connection,
                Secret::new(system_token),
                Some(AzurePipelinesCredentialOptions {
                    credential_options: ClientAssertionCredentialOptions {
                        client_options: ctx.client_options(),
                    },
                }),
            )?
        }
        AuthMethod::AzureCli => AzureCliCredential::new(Some(AzureCliCredentialOptions {
            tenant_id: ctx.tenant.clone(),
            executor: ctx.executor.clone(),
            ..Default::default()
        }))?,
        // Cannot happen: `Auto` was resolved to a concrete method and `AccessToken` returned above.
        AuthMethod::Auto | AuthMethod::AccessToken => unreachable!("resolved above"),
    };
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

/// Azure SDK messages run over several lines; keep them on one.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The largest answer of an OIDC token endpoint read.
const MAX_OIDC_BYTES: usize = 64 * 1024;

/// A GitHub Actions job's OIDC token, asked for afresh at each token request (it lives a few
/// minutes), with the audience Entra ID expects for federated credentials.
pub struct GitHubOidc {
    url: url::Url,
    bearer: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for GitHubOidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GitHubOidc(<redacted>)")
    }
}

impl GitHubOidc {
    pub fn new(url: &str, bearer: String, http: reqwest::Client) -> Result<Self> {
        let mut url = url::Url::parse(url.trim())
            .map_err(|e| Error::input(format!("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("audience", "api://AzureADTokenExchange");
        Ok(GitHubOidc { url, bearer, http })
    }

    async fn fetch(&self) -> Result<String> {
        #[derive(serde::Deserialize)]
        struct Answer {
            value: String,
        }
        let resp = self
            .http
            .get(self.url.clone())
            .bearer_auth(&self.bearer)
            .header("Accept", "application/json")
            .timeout(std::time::Duration::from_secs(30))
            .send()
            .await
            .map_err(|e| anyhow!("cannot reach the GitHub OIDC endpoint: {e}"))?;
        let status = resp.status();
        let mut body = Vec::new();
        let mut resp = resp;
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| anyhow!("cannot read the GitHub OIDC answer: {e}"))?
        {
            if body.len() + chunk.len() > MAX_OIDC_BYTES {
                bail!("the GitHub OIDC endpoint's answer is larger than 64 KiB");
            }
            body.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            bail!(
                "the GitHub OIDC endpoint answered {} (does the job have `permissions: id-token: write`?)",
                status.as_u16()
            );
        }
        let answer: Answer = serde_json::from_slice(&body)
            .map_err(|e| anyhow!("the GitHub OIDC endpoint's answer has no token: {e}"))?;
        crate::redact::register(&answer.value);
        Ok(answer.value)
    }
}

#[async_trait::async_trait]
impl ClientAssertion for GitHubOidc {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        self.fetch().await.map_err(|e| {
            azure_core::Error::with_message(
                azure_core::error::ErrorKind::Credential,
                crate::redact::redact(&e.to_string()),
            )
        })
    }
}

/// A client assertion signed with a certificate's RSA key (RS256, `x5t` = SHA-1 thumbprint),
/// as Entra ID expects for certificate credentials.
pub struct CertificateAssertion {
    client_id: String,
    audience: String,
    key: signature::RsaKeyPair,
    thumbprint: String,
}

impl std::fmt::Debug for CertificateAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAssertion")
            .field("client_id", &self.client_id)
            .field("thumbprint", &self.thumbprint)
            .finish_non_exhaustive()
    }
}

impl CertificateAssertion {
    /// Read a PEM file holding the certificate and its unencrypted RSA private key.
    pub fn from_pem_file(path: &Path, client_id: &str, audience: &str) -> Result<Self> {
        let pem = crate::input::read_bounded(path, MAX_SECRET_FILE_BYTES, false).map_err(|e| {
            Error::input(format!(
                "cannot read the certificate file {} (AZURE_CLIENT_CERTIFICATE_PATH): {e}",
                path.display()
            ))
        })?;
        Self::from_pem(&pem, client_id, audience)
            .with_context(|| format!("invalid certificate file {}", path.display()))
    }

    pub fn from_pem(pem: &[u8], client_id: &str, audience: &str) -> Result<Self> {
        let cert = CertificateDer::pem_slice_iter(pem)
            .next()
            .ok_or_else(|| anyhow!("no CERTIFICATE block in the PEM"))?
            .map_err(|e| anyhow!("the CERTIFICATE block cannot be read: {e:?}"))?;
        let key = match PrivateKeyDer::from_pem_slice(pem) {
            Ok(PrivateKeyDer::Pkcs8(k)) => signature::RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
            Ok(PrivateKeyDer::Pkcs1(k)) => signature::RsaKeyPair::from_der(k.secret_pkcs1_der()),
            Ok(_) => bail!(
                "the private key is not an RSA key (Entra ID certificate credentials use RSA)"
            ),
            Err(_) => bail!(
                "no unencrypted PRIVATE KEY block in the PEM (encrypted keys are not supported)"
            ),
        }
        .map_err(|e| anyhow!("the RSA private key cannot be used: {e}"))?;
        let sha1 = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, cert.as_ref());
        Ok(CertificateAssertion {
            client_id: client_id.to_string(),
            audience: audience.to_string(),
            key,
            thumbprint: b64url(sha1.as_ref()),
        })
    }

    /// A fresh signed assertion, valid for ten minutes.
    pub fn sign(&self) -> Result<String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let mut jti = [0u8; 16];
        rand::fill(&mut jti).map_err(|_| anyhow!("no randomness for the assertion id"))?;
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5t": self.thumbprint});
        let claims = serde_json::json!({
            "aud": self.audience,
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": jti.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "nbf": now,
            "iat": now,
            "exp": now + 600,
        });
        let signing_input = format!(
            "{}.{}",
            b64url(header.to_string().as_bytes()),
            b64url(claims.to_string().as_bytes())
        );
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &rand::SystemRandom::new(),
                signing_input.as_bytes(),
                &mut sig,
            )
            .map_err(|_| anyhow!("could not sign the client assertion"))?;
        let assertion = format!("{signing_input}.{}", b64url(&sig));
        crate::redact::register(&assertion);
        Ok(assertion)
    }

    #[cfg(test)]
    fn public_key(&self) -> Vec<u8> {
        use aws_lc_rs::signature::KeyPair;
        self.key.public_key().as_ref().to_vec()
    }
}

#[async_trait::async_trait]
impl ClientAssertion for CertificateAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        self.sign().map_err(|e| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, e.to_string())
        })
    }
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_core::http::{headers::Headers, AsyncRawResponse, HttpClient, Request, StatusCode};
    use std::collections::HashMap;
    use std::sync::Mutex;

    const TEST_PEM: &str = include_str!("../../tests/fixtures/auth/test-client.pem");
    const TEST_THUMBPRINT_SHA1_HEX: &str =
        include_str!("../../tests/fixtures/auth/test-client.sha1");

    /// A token endpoint inside the test: answers token requests and records their forms.
    #[derive(Debug, Default)]
    struct FakeTokenEndpoint {
        seen: Mutex<Vec<(String, HashMap<String, String>)>>,
        refuse: bool,
        /// Refuse, echoing the whole form (secrets included) in the error.
        echo: bool,
    }

    #[async_trait::async_trait]
    impl HttpClient for FakeTokenEndpoint {
        async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
            let body = match request.body() {
                azure_core::http::Body::Bytes(b) => b.to_vec(),
                #[allow(unreachable_patterns)]
                _ => Vec::new(),
            };
            let form: HashMap<String, String> =
                url::form_urlencoded::parse(&body).into_owned().collect();
            self.seen
                .lock()
                .unwrap()
                .push((request.url().to_string(), form));
            if request.url().host_str() == Some("169.254.169.254") {
                let json = r#"{"access_token":"managed-identity-token","expires_on":"4070908800","token_type":"Bearer","resource":"https://graph.microsoft.com"}"#;
                return Ok(AsyncRawResponse::from_bytes(
                    StatusCode::Ok,
                    Headers::new(),
                    json.as_bytes().to_vec(),
                ));
            }
            if self.echo {
                let echoed = serde_json::json!({"error": "invalid_request",
                    "error_description": format!("AADSTS900144: bad request: {}", String::from_utf8_lossy(&body))});
                return Ok(AsyncRawResponse::from_bytes(
                    StatusCode::BadRequest,
                    Headers::new(),
                    echoed.to_string().into_bytes(),
                ));
            }
            let (status, json) = if self.refuse {
                (
                    StatusCode::Unauthorized,
                    r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}"#,
                )
            } else {
                (
                    StatusCode::Ok,
                    r#"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"fake-graph-token"}"#,
                )
            };
            Ok(AsyncRawResponse::from_bytes(
                status,
                Headers::new(),
                json.as_bytes().to_vec(),
            ))
        }
    }

    fn ctx(vars: &[(&str, &str)], endpoint: Arc<FakeTokenEndpoint>, cloud: Cloud) -> AuthContext {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let authority = authority_host(cloud, vars.get("AZURE_AUTHORITY_HOST").cloned()).unwrap();
        AuthContext {
            cloud,
            tenant: vars.get("AZURE_TENANT_ID").cloned(),
            transport: Transport::new(endpoint),
            http: reqwest::Client::new(),
            authority_host: authority,
            env: Arc::new(move |k| vars.get(k).cloned()),
            executor: None,
        }
    }

    const TENANT: &str = "65415bb1-9267-4313-bbf5-ae259732ee12";
    const CLIENT: &str = "46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b";

    #[tokio::test]
    async fn client_secret_flow_posts_to_the_cloud_authority_with_the_graph_scope() {
        let ep = Arc::new(FakeTokenEndpoint::default());
        let c = ctx(
            &[
                ("AZURE_TENANT_ID", TENANT),
                ("AZURE_CLIENT_ID", CLIENT),
                ("AZURE_CLIENT_SECRET", "s3cret-value"),
            ],
            ep.clone(),
            Cloud::Usgov,
        );
        assert_eq!(resolve_auto(&c), AuthMethod::ClientSecret);
        let token = acquire(AuthMethod::Auto, &c).await.unwrap();
        assert_eq!(token.expose(), "fake-graph-token");
        let seen = ep.seen.lock().unwrap();
        assert_eq!(
            seen[0].0,
            format!("https://login.microsoftonline.us/{TENANT}/oauth2/v2.0/token")
        );
        assert_eq!(seen[0].1["scope"], "https://graph.microsoft.us/.default");
        assert_eq!(seen[0].1["grant_type"], "client_credentials");
        assert_eq!(seen[0].1["client_id"], CLIENT);
    }

    #[tokio::test]
    async fn authority_host_variable_overrides_the_login_host() {
        let ep = Arc::new(FakeTokenEndpoint::default());
        let c = ctx(
            &[
                ("AZURE_TENANT_ID", TENANT),
                ("AZURE_CLIENT_ID", CLIENT),
                ("AZURE_CLIENT_SECRET", "s"),
                (
                    "AZURE_AUTHORITY_HOST",
                    "https://login.contoso-sovereign.example/",
                ),
            ],
            ep.clone(),
            Cloud::Global,
        );
        acquire(AuthMethod::ClientSecret, &c).await.unwrap();
        assert!(ep.seen.lock().unwrap()[0]
            .0
            .starts_with("https://login.contoso-sovereign.example/"));
        assert!(authority_host(Cloud::Global, Some("http://login.example".into())).is_err());
    }

    #[tokio::test]
    async fn a_refused_token_is_a_clear_error_without_the_secret() {
        let ep = Arc::new(FakeTokenEndpoint {
            refuse: true,
            ..Default::default()
        });
        let c = ctx(
            &[
                ("AZURE_TENANT_ID", TENANT),
                ("AZURE_CLIENT_ID", CLIENT),
                ("AZURE_CLIENT_SECRET", "s3cret-value"),
            ],
            ep,
            Cloud::Global,
        );
        let e = acquire(AuthMethod::ClientSecret, &c).await.unwrap_err();
        let s = format!("{e:#}");
        assert!(
            s.contains("could not get a Microsoft Graph token with the client-secret sign-in"),
            "{s}"
        );
        assert!(s.contains("AADSTS7000215"), "{s}");
        assert!(!s.contains("s3cret-value"), "{s}");
    }

    #[tokio::test]
    async fn a_token_endpoint_echoing_the_form_leaks_no_secret() {
        let ep = Arc::new(FakeTokenEndpoint {
            echo: true,
            ..Default::default()
        });
        let secret = "EchoedSecretValue-123";
        let c = ctx(
            &[
                ("AZURE_TENANT_ID", TENANT),
                ("AZURE_CLIENT_ID", CLIENT),
                ("AZURE_CLIENT_SECRET", secret),
            ],
            ep.clone(),
            Cloud::Global,
        );
        let e = acquire(AuthMethod::ClientSecret, &c).await.unwrap_err();
        let s = format!("{e:#}");
        assert!(s.contains("AADSTS900144"), "{s}");
        assert!(!s.contains(secret), "{s}");
        // The certificate's signed assertion is a secret too.
        let dir = tempfile::tempdir().unwrap();
        let pem = dir.path().join("c.pem");
        std::fs::write(&pem, TEST_PEM).unwrap();
        let c = ctx(
            &[
                ("AZURE_TENANT_ID", TENANT),
                ("AZURE_CLIENT_ID", CLIENT),
                ("AZURE_CLIENT_CERTIFICATE_PATH", pem.to_str().unwrap()),
            ],
            ep.clone(),
            Cloud::Global,
        );
        let e = acquire(AuthMethod::ClientCertificate, &c)
            .await
            .unwrap_err();
        let s = format!("{e:#}");
        let sent = ep.seen.lock().unwrap().last().unwrap().1["client_assertion"].clone();
        assert!(s.contains("AADSTS900144"), "{s}");
        assert!(!s.contains(&sent), "{s}");
        assert!(!s.contains(sent.split('.').nth(2).unwrap()), "{s}");
    }

    #[tokio::test]
    async fn missing_variables_are_named() {
        let ep = Arc::new(FakeTokenEndpoint::default());
        let c = ctx(&[("AZURE_TENANT_ID", TENANT)], ep.clone(), Cloud::Global);
        let e = acquire(AuthMethod::ClientSecret, &c).await.unwrap_err();
        assert!(format!("{e:#}").contains("AZURE_CLIENT_ID"), "{e}");
        let e = acquire(AuthMethod::AccessToken, &c).await.unwrap_err();
        assert!(format!("{e:#}").contains(ACCESS_TOKEN_ENV), "{e}");
        let c = ctx(
            &[("AZURE_CLIENT_ID", CLIENT), ("AZURE_CLIENT_SECRET", "x")],
            ep,
            Cloud::Global,
        );
        let e = acquire(AuthMethod::ClientSecret, &c).await.unwrap_err();
        assert!(format!("{e:#}").contains("needs a tenant"), "{e:#}");
    }

    #[tokio::test]
    async fn workload_identity_sends_the_federated_token_as_assertion() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("federated-token");
        std::fs::write(&file, "oidc-federated-jwt").unwrap();
        let ep = Arc::new(FakeTokenEndpoint::default());
        let c = ctx(
            &[
                ("AZURE_TENANT_ID", TENANT),
                ("AZURE_CLIENT_ID", CLIENT),
                ("AZURE_FEDERATED_TOKEN_FILE", file.to_str().unwrap()),
            ],
            ep.clone(),
            Cloud::Global,
        );
        assert_eq!(resolve_auto(&c), AuthMethod::WorkloadIdentity);
        let t = acquire(AuthMethod::Auto, &c).await.unwrap();
        assert_eq!(t.expose(), "fake-graph-token");
        let seen = ep.seen.lock().unwrap();
        assert_eq!(seen[0].1["client_assertion"], "oidc-federated-jwt");
        assert_eq!(
            seen[0].1["client_assertion_type"],
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        );
    }

    #[tokio::test]
    async fn client_certificate_sends_a_signed_rs256_assertion() {
        let dir = tempfile::tempdir().unwrap();
        let pem = dir.path().join("cert.pem");
        std::fs::write(&pem, TEST_PEM).unwrap();
        let ep = Arc::new(FakeTokenEndpoint::default());
        let c = ctx(
            &[
                ("AZURE_TENANT_ID", TENANT),
                ("AZURE_CLIENT_ID", CLIENT),
                ("AZURE_CLIENT_CERTIFICATE_PATH", pem.to_str().unwrap()),
            ],
            ep.clone(),
            Cloud::China,
        );
        assert_eq!(resolve_auto(&c), AuthMethod::ClientCertificate);
        acquire(AuthMethod::Auto, &c).await.unwrap();
        let seen = ep.seen.lock().unwrap();
        let jwt = &seen[0].1["client_assertion"];
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let dec = |s: &str| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s)
                .unwrap()
        };
        let header: serde_json::Value = serde_json::from_slice(&dec(parts[0])).unwrap();
        let claims: serde_json::Value = serde_json::from_slice(&dec(parts[1])).unwrap();
        assert_eq!(header["alg"], "RS256");
        let x5t_hex: String = dec(header["x5t"].as_str().unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(x5t_hex, TEST_THUMBPRINT_SHA1_HEX.trim());
        assert_eq!(
            claims["aud"],
            format!("https://login.chinacloudapi.cn/{TENANT}/oauth2/v2.0/token")
        );
        assert_eq!(claims["iss"], CLIENT);
        assert_eq!(claims["sub"], CLIENT);
        // The signature verifies with the certificate's public key.
        let assertion = CertificateAssertion::from_pem(TEST_PEM.as_bytes(), CLIENT, "a").unwrap();
        let key = signature::UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            assertion.public_key(),
        );
        key.verify(
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            &dec(parts[2]),
        )
        .expect("signature verifies");
    }

    #[test]
    fn certificate_file_problems_are_clear() {
        assert!(CertificateAssertion::from_pem(b"junk", CLIENT, "a")
            .unwrap_err()
            .to_string()
            .contains("no CERTIFICATE"));
        let cert_only: String = TEST_PEM
            .split("-----BEGIN PRIVATE KEY-----")
            .next()
            .unwrap()
            .to_string();
        assert!(
            CertificateAssertion::from_pem(cert_only.as_bytes(), CLIENT, "a")
                .unwrap_err()
                .to_string()
                .contains("PRIVATE KEY")
        );
        let e = CertificateAssertion::from_pem_file(Path::new("/no/cert.pem"), CLIENT, "a")
            .unwrap_err();
        assert!(format!("{e:#}").contains("/no/cert.pem"));
    }

    #[tokio::test]
    async fn managed_identity_asks_the_instance_metadata_service() {
        let ep = Arc::new(FakeTokenEndpoint::default());
        let c = ctx(&[("AZURE_CLIENT_ID", CLIENT)], ep.clone(), Cloud::Global);
        let t = acquire(AuthMethod::ManagedIdentity, &c).await.unwrap();
        assert_eq!(t.expose(), "managed-identity-token");
        let seen = ep.seen.lock().unwrap();
        let url = url::Url::parse(&seen[0].0).unwrap();
        assert_eq!(url.host_str(), Some("169.254.169.254"));
        let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(query["resource"], "https://graph.microsoft.com");
        assert_eq!(
            query["client_id"], CLIENT,
            "a user-assigned identity: {url}"
        );
    }

    /// A fake `az` that prints a token.
    #[derive(Debug)]
    struct FakeAz;

    #[async_trait::async_trait]
    impl Executor for FakeAz {
        async fn run(
            &self,
            _program: &std::ffi::OsStr,
            args: &[&std::ffi::OsStr],
        ) -> std::io::Result<std::process::Output> {
            use std::os::unix::process::ExitStatusExt;
            let cmd = args
                .iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                cmd.contains("--scope https://graph.microsoft.com/.default"),
                "{cmd}"
            );
            assert!(cmd.contains(&format!("--tenant {TENANT}")), "{cmd}");
            Ok(std::process::Output {
                status: std::process::ExitStatus::from_raw(0),
                stdout: br#"{"accessToken":"az-cli-token","expiresOn":"2099-01-01 00:00:00.000000","expires_on":4070908800,"tokenType":"Bearer"}"#.to_vec(),
                stderr: Vec::new(),
            })
        }
    }

    #[tokio::test]
    async fn azure_cli_is_the_fallback_and_passes_the_tenant() {
        let mut c = ctx(
            &[("AZURE_TENANT_ID", TENANT)],
            Arc::default(),
            Cloud::Global,
        );
        assert_eq!(resolve_auto(&c), AuthMethod::AzureCli);
        c.executor = Some(Arc::new(FakeAz));
        let t = acquire(AuthMethod::Auto, &c).await.unwrap();
        assert_eq!(t.expose(), "az-cli-token");
    }

    #[test]
    fn auto_picks_a_ci_sign_in_only_when_all_it_needs_is_set() {
        let pick = |vars: &[(&str, &str)]| resolve_auto(&ctx(vars, Arc::default(), Cloud::Global));
        let github = [
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://x"),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "t"),
            ("AZURE_CLIENT_ID", "c"),
        ];
        assert_eq!(pick(&github), AuthMethod::GithubActions);
        // azure/login users without AZURE_CLIENT_ID keep the Azure CLI.
        assert_eq!(pick(&github[..2]), AuthMethod::AzureCli);
        let pipelines = [
            ("SYSTEM_OIDCREQUESTURI", "https://x"),
            ("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "s"),
            ("SYSTEM_ACCESSTOKEN", "t"),
        ];
        assert_eq!(pick(&pipelines), AuthMethod::AzurePipelines);
        // Every pipeline job has SYSTEM_OIDCREQUESTURI; alone it is not a sign-in.
        assert_eq!(pick(&pipelines[..1]), AuthMethod::AzureCli);
        assert_eq!(pick(&pipelines[..2]), AuthMethod::AzureCli);
    }

    #[tokio::test]
    async fn access_token_wins_in_auto() {
        let c = ctx(
            &[(ACCESS_TOKEN_ENV, " tok "), ("AZURE_CLIENT_SECRET", "x")],
            Arc::default(),
            Cloud::Global,
        );
        assert_eq!(resolve_auto(&c), AuthMethod::AccessToken);
        assert_eq!(acquire(AuthMethod::Auto, &c).await.unwrap().expose(), "tok");
        let c = ctx(
            &[(ACCESS_TOKEN_ENV, "Bearer tok2\n")],
            Arc::default(),
            Cloud::Global,
        );
        assert_eq!(
            acquire(AuthMethod::Auto, &c).await.unwrap().expose(),
            "tok2"
        );
    }
}
