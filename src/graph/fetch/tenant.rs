//! The tenant read: that Graph answered for the tenant asked for, by id or verified domain.

use anyhow::{bail, Result};

use crate::findings::Finding;
use crate::graph::error::GraphError;
use crate::graph::wire;
use crate::permission::is_guid;

use super::calls::CALL_ORG;
use super::WrongTenant;

/// Which tenant Graph answered for, checked against the tenant asked for (a tenant id, or one of
/// its verified domains) and the token's own tenant. Without `/organization` (not permitted) the
/// token's tenant stands in, but only a tenant id can be checked against it.
pub(crate) fn tenant_read(
    org: Result<Vec<wire::Organization>, GraphError>,
    requested: Option<&str>,
    token: Option<&str>,
) -> Result<(Option<String>, Vec<Finding>)> {
    let requested = requested.map(str::trim).filter(|t| !t.is_empty());
    match org {
        Ok(list) => {
            let [org] = list.as_slice() else {
                bail!(WrongTenant(format!(
                    "Microsoft Graph answered {} organizations for GET /v1.0/organization, not one: \
                     cannot tell which tenant was read",
                    list.len()
                )));
            };
            if let Some(tid) = token.filter(|t| !t.eq_ignore_ascii_case(&org.id)) {
                bail!(WrongTenant(format!(
                    "Microsoft Graph answered for tenant {}, but the token was issued for tenant \
                     {tid}: check the Graph URL asked for and the proxy in between",
                    org.id
                )));
            }
            if let Some(req) = requested {
                let matches = if is_guid(req) {
                    req.eq_ignore_ascii_case(&org.id)
                } else {
                    org.verified_domains
                        .iter()
                        .filter_map(|d| d.name.as_deref())
                        .any(|d| d.eq_ignore_ascii_case(req))
                };
                if !matches {
                    bail!(WrongTenant(format!(
                        "the tenant read is {}, not {req} (it is neither that tenant's id nor one \
                         of its verified domains): get a token for {req}; no verdict is given for \
                         a tenant that was not read",
                        org.id
                    )));
                }
            }
            Ok((Some(org.id.to_ascii_lowercase()), Vec::new()))
        }
        Err(e) if e.is_denied() => {
            let status = e.status().map(|s| s.as_u16()).unwrap_or_default();
            let needs = CALL_ORG.needs.to_string();
            let from_token = |tid: &str| {
                Ok((
                    Some(tid.to_ascii_lowercase()),
                    vec![Finding::TenantFromToken {
                        status,
                        needs: needs.clone(),
                    }],
                ))
            };
            match (requested, token) {
                (Some(req), Some(tid)) if is_guid(req) && req.eq_ignore_ascii_case(tid) => {
                    from_token(tid)
                }
                (Some(req), _) => bail!(WrongTenant(format!(
                    "cannot confirm that the tenant read is {req}: the tenant's identity could \
                     not be read ({status}): grant the auditing identity {needs}, or give the \
                     tenant id"
                ))),
                (None, Some(tid)) => from_token(tid),
                (None, None) => Ok((None, vec![Finding::TenantUnknown { status, needs }])),
            }
        }
        Err(e) => Err(e.into()),
    }
}
