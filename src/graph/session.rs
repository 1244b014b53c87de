//! One session with Microsoft Graph, built once for one tenant or many: the HTTP clients, the base
//! URL, where tokens come from, and the deadline of each tenant's read.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use url::Url;

use crate::cloud::Cloud;
use crate::grants::Grants;
use crate::matrix::Matrix;
use crate::token::Token;

use super::auth::{AuthContext, AuthMethod};
use super::client::GraphClient;
use super::fetch::{self, Target};

/// The async runtime Graph reads run on: one per command.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// How to reach a tenant, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The tenant asked for (else AZURE_TENANT_ID, read when signing in).
    pub tenant: Option<String>,
    pub cloud: Cloud,
    /// A Graph base URL other than the cloud's (already validated).
    pub graph_url: Option<Url>,
    pub auth: AuthMethod,
    /// One tenant's whole read, its sign-in included.
    pub timeout: Duration,
}

/// Gets a Microsoft Graph token for a tenant (`None`: the credential's own).
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync {
    async fn token(&self, tenant: Option<&str>) -> Result<Token>;
}

/// The production token source: the chosen sign-in method, pointed at each tenant in turn.
pub struct AuthTokens {
    pub method: AuthMethod,
    pub ctx: AuthContext,
}

#[async_trait::async_trait]
impl TokenSource for AuthTokens {
    async fn token(&self, tenant: Option<&str>) -> Result<Token> {
        let mut ctx = self.ctx.clone();
        if let Some(tenant) = tenant {
            ctx.tenant = Some(tenant.to_string());
        }
        super::auth::acquire(self.method, &ctx).await
    }
}

/// What to read in each tenant.
#[derive(Clone, Copy)]
pub struct Read<'a> {
    pub app: &'a str,
    pub service_account: Option<&'a str>,
    pub matrix: &'a Matrix,
    /// Read the directory audit log since this time (RFC 3339), for drift.
    pub audit_log_since: Option<&'a str>,
    /// With `--tenants`: the permission catalog read once and shared by every tenant.
    pub shared_catalog: Option<&'a super::fetch::SharedCatalog>,
}

/// A session with Microsoft Graph.
pub struct Session {
    pub http: reqwest::Client,
    /// The client to fall back to should `http` fail to connect (HTTP/2 refused).
    pub fallback: Option<reqwest::Client>,
    pub base: Url,
    pub tokens: Box<dyn TokenSource>,
    /// The tenant asked for (the connection's, else AZURE_TENANT_ID); `None`: the credential's own.
    pub tenant: Option<String>,
    pub cloud: Cloud,
    /// The deadline of each tenant's read, token request included.
    pub timeout: Duration,
}

impl Session {
    /// The clients and the credential for a connection: the Graph client (never proxied for a
    /// loopback base URL, HTTP/2 first over TLS), and the sign-in pointed at the tenant asked for.
    pub fn connect(conn: &Connection) -> Result<Session> {
        let base = super::base_url(conn.cloud, conn.graph_url.as_ref())?;
        let shared = super::http_client()?;
        let http = super::graph_http_client(&base, &shared)?;
        // Only an HTTP/2-only client (https) needs one.
        let fallback = (base.scheme() == "https").then(|| shared.clone());
        let ctx = AuthContext::from_env(conn.cloud, conn.tenant.clone(), shared)?;
        Ok(Session {
            http,
            fallback,
            base,
            tenant: ctx.tenant.clone(),
            tokens: Box::new(AuthTokens {
                method: conn.auth,
                ctx,
            }),
            cloud: conn.cloud,
            timeout: conn.timeout,
        })
    }

    /// Run `read` with a Graph client signed in for `tenant` (`None`: the credential's own),
    /// the token request included, all within the session's deadline; `read` also gets the
    /// token's own tenant.
    async fn signed_in<T, F>(&self, tenant: Option<&str>, read: F) -> Result<T>
    where
        F: AsyncFnOnce(&GraphClient, Option<String>) -> Result<T>,
    {
        let started = Instant::now();
        let work = async {
            let token = self.tokens.token(tenant).await?;
            let token_tenant = crate::token::tenant_of(&token, tenant)?;
            let mut client = GraphClient::new(self.http.clone(), self.base.clone(), &token)?
                .with_deadline(started + self.timeout, self.timeout);
            if let Some(fallback) = &self.fallback {
                client = client.with_fallback(fallback.clone());
            }
            read(&client, token_tenant).await
        };
        match tokio::time::timeout(self.timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(super::error::GraphError::SessionDeadline {
                secs: self.timeout.as_secs(),
            }
            .into()),
        }
    }

    /// Read what one tenant granted the app: a token, then Microsoft Graph, all within the
    /// deadline. `tenant` is the tenant asked for (`None`: the credential's own); the tenant read
    /// must be that one, or there is no verdict.
    pub async fn read_grants(&self, read: &Read<'_>, tenant: Option<&str>) -> Result<Grants> {
        self.signed_in(tenant, async |client, token_tenant| {
            let target = Target {
                app: read.app,
                service_account: read.service_account,
                cloud: self.cloud,
                requested_tenant: tenant,
                token_tenant,
                audit_log_since: read.audit_log_since.map(str::to_string),
                shared_catalog: read.shared_catalog,
            };
            fetch::fetch(client, read.matrix, &target).await
        })
        .await
    }

    /// Read the tenant-wide inventory of Microsoft Graph permissions, within the deadline.
    pub async fn read_inventory(&self, tenant: Option<&str>) -> Result<crate::inventory::Read> {
        self.signed_in(tenant, async |client, token_tenant| {
            let now = crate::grants::Grants::now();
            fetch::inventory::read(client, self.cloud, tenant, token_tenant, &now).await
        })
        .await
    }
}
