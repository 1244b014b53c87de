//! The app's owners, and whether each holds a Tier-0 role.

use anyhow::Result;

use super::calls::{CALL_OWNERS, CALL_OWNER_ROLES};
use super::roles::unreadable;
use crate::findings::Finding;
use crate::grants::Owner;
use crate::graph::client::{odata_quote, GraphClient};
use crate::graph::error::GraphError;
use crate::graph::wire;

/// The most owners whose roles are read.
pub(super) const MAX_OWNERS: usize = 20;

/// The owners of the app registration and of the service principal, and the Tier-0 roles of each
/// user among them. Unreadable: a finding, never a failed audit.
pub(super) async fn owners(
    client: &GraphClient,
    sp_path: &str,
    app_id: &str,
) -> Result<(Option<Vec<Owner>>, Vec<Finding>)> {
    let select = [("$select", "id,displayName,userPrincipalName")];
    let app_url = client.url(
        &format!("/v1.0/applications(appId={})/owners", odata_quote(app_id)),
        &select,
    );
    let sp_url = client.url(&format!("{sp_path}/owners"), &select);
    let (of_app, of_sp) = tokio::join!(
        client.get_all::<wire::Owner>(app_url, CALL_OWNERS),
        client.get_all::<wire::Owner>(sp_url, CALL_OWNERS),
    );
    let mut findings = Vec::new();
    let mut list: Vec<Owner> = Vec::new();
    let mut add = |found: Vec<wire::Owner>, of: &str| {
        for o in found {
            match list.iter_mut().find(|x| x.id.eq_ignore_ascii_case(&o.id)) {
                Some(x) => x.of.push(of.to_string()),
                None => list.push(Owner {
                    kind: match o.odata_type.as_deref() {
                        Some("#microsoft.graph.user") => "user".into(),
                        Some("#microsoft.graph.servicePrincipal") => "servicePrincipal".into(),
                        Some(other) => other.trim_start_matches("#microsoft.graph.").to_string(),
                        None => "unknown".into(),
                    },
                    id: o.id,
                    display_name: o.display_name,
                    user_principal_name: o.user_principal_name,
                    of: vec![of.to_string()],
                    tier0_roles: None,
                }),
            }
        }
    };
    let mut read_any = false;
    for (result, of) in [(of_app, "application"), (of_sp, "servicePrincipal")] {
        match result {
            Ok(found) => {
                read_any = true;
                add(found, of);
            }
            // The registration lives in the publisher's tenant: no owners here, not an error.
            Err(e) if of == "application" && e.status() == Some(reqwest::StatusCode::NOT_FOUND) => {
                read_any = true;
            }
            Err(e) => findings.push(unreadable(e, "The owners of the app")?),
        }
    }
    if !read_any {
        return Ok((None, findings));
    }
    let users: Vec<String> = list
        .iter()
        .filter(|o| o.kind == "user")
        .take(MAX_OWNERS)
        .map(|o| o.id.clone())
        .collect();
    let roles =
        futures::future::join_all(users.iter().map(|id| owner_tier0_roles(client, id))).await;
    for (id, roles) in users.iter().zip(roles) {
        match roles {
            Ok(r) => {
                if let Some(o) = list.iter_mut().find(|o| &o.id == id) {
                    o.tier0_roles = Some(r);
                }
            }
            Err(e) => {
                let f = unreadable(e, "The directory roles of the app's owners")?;
                if !findings.contains(&f) {
                    findings.push(f);
                }
            }
        }
    }
    Ok((Some(list), findings))
}

/// The Tier-0 roles a user holds, directly or through groups.
pub(super) async fn owner_tier0_roles(
    client: &GraphClient,
    user_id: &str,
) -> Result<Vec<String>, GraphError> {
    let mut url = client.url(
        "/v1.0/users",
        &[
            ("$select", "id,displayName,roleTemplateId"),
            ("$count", "true"),
        ],
    );
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.extend([
            user_id,
            "transitiveMemberOf",
            "microsoft.graph.directoryRole",
        ]);
    }
    let roles = client
        .get_all::<wire::DirectoryRole>(url, CALL_OWNER_ROLES)
        .await?;
    let mut names: Vec<String> = roles
        .into_iter()
        .filter(|r| {
            r.role_template_id
                .as_deref()
                .and_then(crate::catalog::role_tier)
                .is_some_and(|t| t.tier == 0)
        })
        .map(|r| r.display_name.or(r.role_template_id).unwrap_or_default())
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}
