//! The app's owners, named where the auditing identity can read users, and whether each holds
//! a Tier-0 role.

use anyhow::Result;

use super::calls::{CALL_OWNERS, CALL_OWNER_NAMES, CALL_OWNER_ROLES, CALL_ROLES_ACTIVE};
use super::roles::{identified, unreadable};
use crate::findings::Finding;
use crate::grants::Owner;
use crate::graph::client::GraphClient;
use crate::graph::error::GraphError;
use crate::graph::wire;

/// The most owners whose roles are read.
pub(super) const MAX_OWNERS: usize = 20;

/// The owners of the app registration and of the service principal, and the Tier-0 roles of each
/// user among them. Unreadable: a finding, never a failed audit.
pub(super) async fn owners(
    client: &GraphClient,
    sp_path: &str,
    app_path: Option<&str>,
) -> Result<(Option<Vec<Owner>>, Vec<Finding>)> {
    let select = [("$select", "id,displayName,userPrincipalName")];
    let sp_url = client.url(&format!("{sp_path}/owners"), &select);
    let (of_app, of_sp) = tokio::join!(
        async {
            match app_path {
                Some(path) => {
                    let url = client.url(&format!("{path}/owners"), &select);
                    client.get_all::<wire::Owner>(url, CALL_OWNERS).await
                }
                // No registration here: none of its owners to read.
                None => Ok(Vec::new()),
            }
        },
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
    findings.extend(name_owners(client, &mut list).await?);
    let users: Vec<String> = list
        .iter()
        .filter(|o| o.kind == "user")
        .take(MAX_OWNERS)
        .map(|o| o.id.clone())
        .collect();
    let roles =
        futures::future::join_all(users.iter().map(|id| owner_tier0_roles(client, id))).await;
    let mut unidentified = 0;
    for (id, roles) in users.iter().zip(roles) {
        match roles {
            Ok((tier0, unknown)) => {
                // Roles Graph would not identify leave "not an administrator" unknown.
                let known = !tier0.is_empty() || unknown == 0;
                unidentified += unknown;
                if let Some(o) = list.iter_mut().find(|o| &o.id == id) {
                    o.tier0_roles = known.then_some(tier0);
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
    if unidentified > 0 {
        findings.push(Finding::RolesUnidentified {
            what: "The directory roles of the app's owners".into(),
            count: unidentified,
            needs: CALL_ROLES_ACTIVE.needs.to_string(),
        });
    }
    Ok((Some(list), findings))
}

/// Owners come back without names to an identity that may read the app but not users
/// (Application.Read.All alone): each user owner is looked up by id (User.ReadBasic.All), and
/// those that stay unnamed are said so.
async fn name_owners(client: &GraphClient, list: &mut [Owner]) -> Result<Vec<Finding>> {
    let unnamed: Vec<String> = list
        .iter()
        .filter(|o| o.kind == "user" && o.display_name.is_none() && o.user_principal_name.is_none())
        .take(MAX_OWNERS)
        .map(|o| o.id.clone())
        .collect();
    let found = futures::future::join_all(unnamed.iter().map(|id| {
        let mut url = client.url(
            "/v1.0/users",
            &[("$select", "id,displayName,userPrincipalName")],
        );
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.push(id);
        }
        client.get_optional::<wire::Owner>(url, CALL_OWNER_NAMES)
    }))
    .await;
    let mut still = 0;
    let mut refusal = None;
    for (id, user) in unnamed.iter().zip(found) {
        match user {
            Ok(Some(u)) if u.id.eq_ignore_ascii_case(id) => {
                if let Some(o) = list.iter_mut().find(|o| &o.id == id) {
                    o.display_name = u.display_name;
                    o.user_principal_name = u.user_principal_name;
                }
            }
            Ok(_) => still += 1,
            Err(e) => {
                still += 1;
                if refusal.is_none() {
                    refusal = Some(unreadable(e, "The names of the app's owners")?);
                }
            }
        }
    }
    Ok(match (still, refusal) {
        (0, _) => Vec::new(),
        (count, Some(Finding::RolesUnreadable { needs: Some(_), .. })) => {
            vec![Finding::OwnersUnnamed {
                count,
                needs: CALL_OWNER_NAMES.needs.to_string(),
            }]
        }
        (_, Some(other)) => vec![other],
        (count, None) => vec![Finding::OwnersUnnamed {
            count,
            needs: CALL_OWNER_NAMES.needs.to_string(),
        }],
    })
}

/// The Tier-0 roles a user holds, directly or through groups, and how many roles Graph returned
/// without saying which they are.
pub(super) async fn owner_tier0_roles(
    client: &GraphClient,
    user_id: &str,
) -> Result<(Vec<String>, usize), GraphError> {
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
    let (roles, unidentified) = identified(roles);
    let mut names: Vec<String> = roles
        .into_iter()
        .filter(|(_, t)| crate::catalog::role_tier(t).is_some_and(|t| t.tier == 0))
        .map(|(name, _)| name)
        .collect();
    names.sort();
    names.dedup();
    Ok((names, unidentified))
}
