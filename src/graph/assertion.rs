//! Client assertions signed or fetched by the tool itself: a GitHub Actions job's OIDC token, and
//! the certificate assertion (RS256, signed with aws-lc-rs, no openssl).

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};
use aws_lc_rs::{digest, rand, signature};
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use base64::Engine;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::Error;
use crate::graph::auth::MAX_SECRET_FILE_BYTES;

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
        let request = self
            .http
            .get(self.url.clone())
            .bearer_auth(&self.bearer)
            .header("Accept", "application/json");
        oidc_token(
            request,
            "the GitHub OIDC endpoint",
            "does the job have `permissions: id-token: write`?",
            "value",
        )
        .await
    }
}

#[async_trait::async_trait]
impl ClientAssertion for GitHubOidc {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        self.fetch().await.map_err(credential_error)
    }
}

/// Read a sign-in answer whole, at most `limit` bytes: a larger one is an error, not a memory
/// blow-up.
pub(crate) async fn read_limited(
    mut resp: reqwest::Response,
    limit: usize,
    what: &str,
) -> Result<Vec<u8>> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        bail!("{what} sent an answer larger than {} KiB", limit / 1024);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| anyhow!("cannot read the answer of {what}: {e}"))?
    {
        if body.len() + chunk.len() > limit {
            bail!("{what} sent an answer larger than {} KiB", limit / 1024);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Ask a CI system's OIDC endpoint for the job's token: one bounded answer, a status that says
/// what to check (`hint`), the token in the answer's `field`, registered as a secret.
async fn oidc_token(
    request: reqwest::RequestBuilder,
    what: &str,
    hint: &str,
    field: &str,
) -> Result<String> {
    let resp = request
        .timeout(std::time::Duration::from_secs(30))
        .send()
        .await
        .map_err(|e| anyhow!("cannot reach {what}: {e}"))?;
    let status = resp.status();
    let body = read_limited(resp, MAX_OIDC_BYTES, what).await?;
    if !status.is_success() {
        bail!("{what} answered {} ({hint})", status.as_u16());
    }
    let answer: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| anyhow!("{what}'s answer is not JSON: {e}"))?;
    let token = answer
        .get(field)
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| anyhow!("{what}'s answer has no `{field}`"))?;
    crate::redact::register(token);
    Ok(token.to_string())
}

/// A sign-in error as azure_identity takes it, its text redacted.
fn credential_error(e: anyhow::Error) -> azure_core::Error {
    azure_core::Error::with_message(
        azure_core::error::ErrorKind::Credential,
        crate::redact::redact(&e.to_string()),
    )
}

/// An Azure Pipelines service connection's OIDC token, asked for afresh at each token request
/// (as `AzurePipelinesCredential` does, but read here so that it is registered as a secret and
/// its answer is bounded).
pub struct PipelinesOidc {
    url: url::Url,
    system_token: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for PipelinesOidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PipelinesOidc(<redacted>)")
    }
}

impl PipelinesOidc {
    pub fn new(
        url: &str,
        service_connection: &str,
        system_token: String,
        http: reqwest::Client,
    ) -> Result<Self> {
        let mut url = url::Url::parse(url.trim())
            .map_err(|e| Error::input(format!("SYSTEM_OIDCREQUESTURI is not a URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("api-version", "7.1")
            .append_pair("serviceConnectionId", service_connection);
        Ok(PipelinesOidc {
            url,
            system_token,
            http,
        })
    }

    async fn fetch(&self) -> Result<String> {
        let request = self
            .http
            .post(self.url.clone())
            .bearer_auth(&self.system_token)
            .header("Content-Type", "application/json");
        oidc_token(
            request,
            "the Azure Pipelines OIDC endpoint",
            "is SYSTEM_ACCESSTOKEN mapped into the step's environment, and the service connection one with workload identity federation?",
            "oidcToken",
        )
        .await
    }
}

#[async_trait::async_trait]
impl ClientAssertion for PipelinesOidc {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        self.fetch().await.map_err(credential_error)
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
    pub(crate) fn public_key(&self) -> Vec<u8> {
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
