//! Finding the app and the service account, and resolving grants by the tenant's catalog.

use std::collections::HashMap;

use anyhow::{bail, Result};

use crate::cloud::GRAPH_APP_ID;
use crate::findings::Finding;
use crate::grants::{
    AppRoleGrant, CatalogId, Consent, DelegatedGrant, Grants, OtherGrant, Requested,
    ServiceAccount, UnresolvedGrant,
};
use crate::graph::client::{odata_quote, GraphClient};
use crate::graph::wire;
use crate::matrix::Matrix;
use crate::permission::{is_guid, PermissionType};

use super::app::{by_app_id, SP_SELECT};
use super::calls::{CALL_SP, CALL_USER};
use super::*;

/// Find the service principal by appId, object id, or exact display name.
pub(super) async fn resolve_app(client: &GraphClient, app: &str) -> Result<wire::ServicePrincipal> {
    if is_guid(app) {
        let by_object_id = client.url(
            &format!("/v1.0/servicePrincipals/{app}"),
            &[("$select", SP_SELECT)],
        );
        let (a, o) = tokio::try_join!(
            by_app_id::<wire::ServicePrincipal>(
                client,
                "/v1.0/servicePrincipals",
                app,
                SP_SELECT,
                CALL_SP
            ),
            client.get_optional::<wire::ServicePrincipal>(by_object_id, CALL_SP),
        )?;
        return a.or(o).ok_or_else(|| {
            AppNotFound(format!(
                "no service principal with the appId or object id {app} in this tenant: the app has \
                 not been consented here yet (an administrator must consent to it first), or \
                 the tenant or cloud asked for is another"
            ))
            .into()
        });
    }
    let url = client.url(
        "/v1.0/servicePrincipals",
        &[
            ("$filter", &format!("displayName eq {}", odata_quote(app))),
            ("$select", SP_SELECT),
        ],
    );
    let mut found = client
        .get_all::<wire::ServicePrincipal>(url, CALL_SP)
        .await?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(AppNotFound(format!(
            "no service principal named `{app}` in this tenant (the name must match exactly; \
             or name the app by its application id)"
        ))
        .into()),
        _ => Err(AppNotFound(format!(
            "{} service principals are named `{app}`; name the app by one of their application ids: {}",
            found.len(),
            found
                .iter()
                .map(|s| format!("{} (object id {})", s.app_id, s.id))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into()),
    }
}

pub(super) async fn resolve_user(client: &GraphClient, user: &str) -> Result<ServiceAccount> {
    let mut url = client.url("/v1.0/users", &[("$select", "id,userPrincipalName")]);
    url.path_segments_mut()
        .map_err(|_| anyhow::anyhow!("the Graph URL cannot take a path"))?
        .push(user.trim());
    match client.get_optional::<wire::User>(url, CALL_USER).await? {
        // What Graph (or a proxy) answered must be the user asked for, or their consent would be
        // lent to someone else.
        Some(u)
            if !(u.id.eq_ignore_ascii_case(user.trim())
                || u.user_principal_name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(user.trim()))) =>
        {
            bail!(WrongObject(format!(
                "Microsoft Graph answered the request for the service account `{}` with another user ({}, object id {}): no verdict",
                user.trim(),
                u.user_principal_name.as_deref().unwrap_or("no user principal name"),
                u.id
            )))
        }
        Some(u) => Ok(ServiceAccount {
            id: u.id,
            user_principal_name: u.user_principal_name,
            roles: None,
            findings: Vec::new(),
            role_notes: Vec::new(),
        }),
        None => bail!(AppNotFound(format!(
            "the service account `{user}` does not exist in this tenant (give its user principal name or object id)"
        ))),
    }
}

/// A Graph permission catalog by id: each app role's and each delegated scope's name. Built once
/// per tenant, or once per run with `--tenants` (see [`super::app::SharedCatalog`]).
#[derive(Debug, Default)]
pub(super) struct CatalogIndex {
    roles: HashMap<String, String>,
    scopes: HashMap<String, String>,
}

impl CatalogIndex {
    pub(super) fn of(catalog: &wire::ResourceCatalog) -> CatalogIndex {
        let index = |entries: &[wire::CatalogEntry]| {
            entries
                .iter()
                .filter_map(|e| {
                    e.value
                        .as_ref()
                        .map(|v| (e.id.to_ascii_lowercase(), v.trim().to_string()))
                })
                .collect()
        };
        CatalogIndex {
            roles: index(&catalog.app_roles),
            scopes: index(&catalog.oauth2_permission_scopes),
        }
    }
}

/// Turns Graph ids into permission names: by id **and** type through the tenant's catalog, then
/// through the matrix's ids for permissions the catalog does not know.
pub(super) struct Resolver<'a> {
    graph_sp_id: String,
    /// The audited app's service principal: only its own assignments and grants count.
    app_sp_id: String,
    index: &'a CatalogIndex,
    matrix: &'a Matrix,
    pub(super) findings: Vec<Finding>,
}

impl<'a> Resolver<'a> {
    /// `graph_sp_id`: this tenant's Microsoft Graph service principal.
    pub(super) fn new(
        graph_sp_id: &str,
        index: &'a CatalogIndex,
        matrix: &'a Matrix,
        app_sp_id: &str,
    ) -> Self {
        Resolver {
            graph_sp_id: graph_sp_id.to_ascii_lowercase(),
            app_sp_id: app_sp_id.to_ascii_lowercase(),
            index,
            matrix,
            findings: Vec::new(),
        }
    }

    pub(super) fn name(&mut self, id: &str, t: PermissionType) -> Option<String> {
        let id = id.to_ascii_lowercase();
        let from_catalog = match t {
            PermissionType::Application => self.index.roles.get(&id),
            _ => self.index.scopes.get(&id),
        };
        if let Some(name) = from_catalog {
            return Some(name.clone());
        }
        // Else the matrix's id, else Microsoft's permission data (the embedded catalog): a grant
        // the tenant's catalog does not list is still named when either knows the id.
        let from_matrix = self
            .matrix
            .by_id(&id)
            .into_iter()
            .find(|(_, mt)| *mt == t)
            .map(|(n, _)| n.to_string())
            .or_else(|| {
                crate::catalog::by_id(&id)
                    .into_iter()
                    .find(|p| p.ptype == t)
                    .map(|p| p.permission.to_string())
            })?;
        let finding = Finding::CatalogLacksPermission {
            id: id.clone(),
            ptype: t,
            permission: from_matrix.clone(),
        };
        if !self.findings.contains(&finding) {
            self.findings.push(finding);
        }
        Some(from_matrix)
    }

    /// The tenant's ids of the matrix's permissions, where its catalog lists them.
    pub(super) fn catalog_ids(&self) -> Vec<CatalogId> {
        let mut out = Vec::new();
        for name in self.matrix.permission_names() {
            for (t, index) in [
                (PermissionType::Application, &self.index.roles),
                (PermissionType::Delegated, &self.index.scopes),
            ] {
                if let Some((id, _)) = index.iter().find(|(_, v)| v.eq_ignore_ascii_case(name)) {
                    out.push(CatalogId {
                        permission: name.to_string(),
                        ptype: t,
                        id: id.clone(),
                    });
                }
            }
        }
        out.sort();
        out
    }

    pub(super) fn is_graph(&self, resource_id: &str) -> bool {
        resource_id.eq_ignore_ascii_case(&self.graph_sp_id)
    }

    /// Whether an item names the audited app (a `principalId` or `clientId`).
    pub(super) fn is_app(&self, id: Option<&str>) -> bool {
        id.is_some_and(|id| id.eq_ignore_ascii_case(&self.app_sp_id))
    }

    /// Items Graph returned for another principal: never the app's grants (a Graph or proxy that
    /// ignores the filter must not lend this app another app's consent).
    pub(super) fn foreign_note(&mut self, count: usize, what: &str) {
        if count > 0 {
            self.findings.push(Finding::ForeignItemsIgnored {
                count,
                collection: what.to_string(),
            });
        }
    }

    pub(super) fn app_roles(
        &mut self,
        assignments: &[wire::AppRoleAssignment],
        grants: &mut Grants,
    ) {
        let (assignments, foreign): (Vec<_>, Vec<_>) = assignments
            .iter()
            .partition(|a| self.is_app(a.principal_id.as_deref()));
        self.foreign_note(foreign.len(), "app role assignments");
        for a in assignments {
            if !self.is_graph(&a.resource_id) {
                grants.other_resources.push(OtherGrant {
                    resource: a
                        .resource_display_name
                        .clone()
                        .unwrap_or_else(|| a.resource_id.clone()),
                    resource_id: a.resource_id.clone(),
                    permission: if a.app_role_id == "00000000-0000-0000-0000-000000000000" {
                        "(default access)".to_string()
                    } else {
                        a.app_role_id.clone()
                    },
                    ptype: PermissionType::Application,
                });
                continue;
            }
            match self.name(&a.app_role_id, PermissionType::Application) {
                Some(permission) => grants.application.push(AppRoleGrant {
                    permission,
                    app_role_id: Some(a.app_role_id.to_ascii_lowercase()),
                    assignment_id: a.id.clone(),
                    created: a.created_date_time.clone(),
                }),
                None => grants.unresolved.push(UnresolvedGrant {
                    id: a.app_role_id.to_ascii_lowercase(),
                    ptype: PermissionType::Application,
                }),
            }
        }
        grants.other_resources.sort();
        grants.other_resources.dedup();
    }

    pub(super) fn delegated(&mut self, list: &[wire::OAuth2PermissionGrant], grants: &mut Grants) {
        let (list, foreign): (Vec<_>, Vec<_>) = list
            .iter()
            .partition(|g| self.is_app(g.client_id.as_deref()));
        self.foreign_note(foreign.len(), "delegated permission grants");
        for g in list {
            let consent = match g.consent_type.as_deref() {
                Some(c) if c.eq_ignore_ascii_case("AllPrincipals") => Consent::AllPrincipals,
                _ => Consent::Principal,
            };
            let scopes = g.scope.as_deref().unwrap_or("").split_whitespace();
            if !self.is_graph(&g.resource_id) {
                for s in scopes {
                    grants.other_resources.push(OtherGrant {
                        resource: g.resource_id.clone(),
                        resource_id: g.resource_id.clone(),
                        permission: s.to_string(),
                        ptype: PermissionType::Delegated,
                    });
                }
                continue;
            }
            for s in scopes {
                let grant = DelegatedGrant {
                    permission: s.to_string(),
                    consent,
                    principal_id: match consent {
                        Consent::Principal => g.principal_id.clone(),
                        Consent::AllPrincipals => None,
                    },
                    grant_id: g.id.clone(),
                };
                if !grants.delegated.contains(&grant) {
                    grants.delegated.push(grant);
                }
            }
        }
        grants.other_resources.sort();
        grants.other_resources.dedup();
    }

    pub(super) fn requested(&mut self, app: &wire::Application, grants: &mut Grants) {
        let mut requested = Vec::new();
        for rra in app
            .required_resource_access
            .iter()
            .filter(|r| r.resource_app_id.eq_ignore_ascii_case(GRAPH_APP_ID))
        {
            for ra in &rra.resource_access {
                let t = if ra.kind.eq_ignore_ascii_case("Role") {
                    PermissionType::Application
                } else {
                    PermissionType::Delegated
                };
                if let Some(permission) = self.name(&ra.id, t) {
                    requested.push(Requested {
                        permission,
                        ptype: t,
                    });
                }
            }
        }
        requested.sort();
        requested.dedup();
        grants.requested = Some(requested);
    }
}
