//! Where grants come from: Microsoft Graph (through one session), a snapshot file, or a token's
//! own claims. Each returns the same `Grants`, and says which source it was.

use std::path::Path;

use anyhow::Result;

use crate::cloud::Cloud;
use crate::config::{Connection, GrantsSource};
use crate::error::Error;
use crate::grants::{Grants, Source};
use crate::graph::auth::ACCESS_TOKEN_ENV;
use crate::graph::session::{Read, Session};
use crate::matrix::Matrix;
use crate::snapshot::Snapshot;
use crate::{input, redact, token};

/// Read the grants from where the config says (not a tenants file: `commands::audit` fans out).
pub fn load(
    from: &GrantsSource,
    conn: &Connection,
    service_account: Option<&str>,
    matrix: &Matrix,
    audit_log_since: Option<&str>,
) -> Result<(Grants, Source)> {
    Ok(match from {
        GrantsSource::Graph { app } => {
            let read = Read {
                app,
                service_account,
                matrix,
                audit_log_since,
                shared_catalog: None,
            };
            (graph(conn, &read)?, Source::Graph)
        }
        GrantsSource::Snapshot(path) => (snapshot(path, service_account)?, Source::Snapshot),
        GrantsSource::Token(file) => (token(file.as_deref(), conn.cloud)?, Source::Token),
        GrantsSource::Tenants { .. } => anyhow::bail!("a tenants file is read tenant by tenant"),
    })
}

/// Read the app's grants from Microsoft Graph, in the tenant asked for (the connection's, else
/// AZURE_TENANT_ID, else the credential's own).
pub fn graph(conn: &Connection, read: &Read<'_>) -> Result<Grants> {
    let session = Session::connect(conn)?;
    crate::graph::session::runtime()?.block_on(session.read_grants(read, session.tenant.as_deref()))
}

/// The grants saved in a snapshot. A service account asked for now must be the snapshot's.
pub fn snapshot(path: &Path, service_account: Option<&str>) -> Result<Grants> {
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
                "the service account asked for ({sa}) is not the one recorded in the snapshot {}; take a new snapshot naming it as the service account",
                path.display()
            )));
        }
    }
    Ok(grants)
}

/// The grants a token carries, from a file (or `-` for standard input) or
/// ENTRA_PERMS_ACCESS_TOKEN.
pub fn token(file: Option<&Path>, cloud: Cloud) -> Result<Grants> {
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
            std::env::var(ACCESS_TOKEN_ENV).map_err(|_| {
                Error::input(format!(
                    "no token to audit: set {ACCESS_TOKEN_ENV} or give a token file"
                ))
            })?,
            ACCESS_TOKEN_ENV.to_string(),
        ),
    };
    let raw = token::check_raw(&raw, &origin)?;
    redact::register(raw);
    let claims = token::decode_claims(raw)
        .map_err(|e| Error::input(format!("cannot read the token in {origin}: {e}")))?;
    Ok(Grants::from_claims(&claims, cloud).map_err(|e| e.prefixed(&origin))?)
}
