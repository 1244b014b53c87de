//! The app itself: its service principal, grants, registration and owners, in one round by the
//! alternate key `appId` or in two; its credentials; the Graph permission catalog.

use anyhow::Result;
use serde::de::DeserializeOwned;

use super::calls::{CALL_APP, CALL_CATALOG, CALL_GRANTS, CALL_ROLES, CALL_SP};
use super::federated::{federated_credentials, Federated};
use super::owners::owners;
use super::resolve::{resolve_app, CatalogIndex};
use crate::cloud::GRAPH_APP_ID;
use crate::error::Error;
use crate::findings::Finding;
use crate::grants::{Credential, Owner};
use crate::graph::client::{odata_quote, GraphClient};
use crate::graph::error::{Call, GraphError};
use crate::graph::wire;
use std::sync::Arc;

pub(super) const SP_SELECT: &str =
    "id,appId,displayName,appOwnerOrganizationId,passwordCredentials,keyCredentials";

/// What is read about the app itself: its service principal, its grants, its registration and
/// its owners.
pub(super) struct AppReads {
    pub(super) sp: wire::ServicePrincipal,
    pub(super) assignments: Vec<wire::AppRoleAssignment>,
    pub(super) delegated: Vec<wire::OAuth2PermissionGrant>,
    pub(super) application: Option<wire::Application>,
    pub(super) owners: (Option<Vec<Owner>>, Vec<Finding>),
    /// The registration's federated identity credentials (`None`: no registration here).
    pub(super) federated: Option<Federated>,
}

pub(super) const APP_SELECT: &str =
    "id,appId,displayName,requiredResourceAccess,passwordCredentials,keyCredentials";

/// Whether Graph refused an alternate-key navigation in a way the two-round path avoids: a
/// malformed or unsupported request (400, 404, 405, 501), or a denial (403: listing a service
/// principal's delegated grants needs Directory.Read.All where the `$filter` form needs only
/// DelegatedPermissionGrant.Read.All).
pub(super) fn refused_navigation(e: &GraphError) -> bool {
    matches!(
        e.status().map(|s| s.as_u16()),
        Some(400 | 403 | 404 | 405 | 501)
    )
}

/// Whether Graph refused the alternate key itself (`…(appId='…')`) as a malformed or unsupported
/// request: the `$filter` form and object-id navigation read the same without it.
pub(super) fn refused_key(e: &GraphError) -> bool {
    matches!(e.status().map(|s| s.as_u16()), Some(400 | 405 | 501))
}

/// One object of `collection` by its appId: by the alternate key `collection(appId='…')`, and,
/// when Graph refuses that, by `collection?$filter=appId eq '…'`. `None`: there is none.
pub(super) async fn by_app_id<T: DeserializeOwned>(
    client: &GraphClient,
    collection: &str,
    app_id: &str,
    select: &str,
    call: Call,
) -> Result<Option<T>, GraphError> {
    let key = client.url(
        &format!("{collection}(appId={})", odata_quote(app_id)),
        &[("$select", select)],
    );
    match client.get_optional::<T>(key, call).await {
        Err(e) if refused_key(&e) => {
            tracing::info!(
                "Graph refused the alternate key on {collection} ({}): reading it by $filter",
                e.graph_words()
            );
            let filter = client.url(
                collection,
                &[
                    ("$filter", &format!("appId eq {}", odata_quote(app_id))),
                    ("$select", select),
                ],
            );
            Ok(client.get_all::<T>(filter, call).await?.into_iter().next())
        }
        other => other,
    }
}

/// Everything about the app in one round, addressing it by its appId (Graph's alternate key):
/// `servicePrincipals(appId='…')` and its navigations, `applications(appId='…')`. `None`: the id is
/// not an appId here, or Graph refused the key or a navigation — read it in two rounds instead.
pub(super) async fn app_by_app_id(client: &GraphClient, app_id: &str) -> Result<Option<AppReads>> {
    let key = format!("/v1.0/servicePrincipals(appId={})", odata_quote(app_id));
    let app_key = format!("/v1.0/applications(appId={})", odata_quote(app_id));
    let sp_url = client.url(&key, &[("$select", SP_SELECT)]);
    let roles_url = client.url(&format!("{key}/appRoleAssignments"), &[]);
    let grants_url = client.url(&format!("{key}/oauth2PermissionGrants"), &[]);
    let app_url = client.url(&app_key, &[("$select", APP_SELECT)]);
    let (sp, assignments, delegated, application, owners, federated) = tokio::join!(
        client.get_optional::<wire::ServicePrincipal>(sp_url, CALL_SP),
        client.get_all::<wire::AppRoleAssignment>(roles_url, CALL_ROLES),
        client.get_all::<wire::OAuth2PermissionGrant>(grants_url, CALL_GRANTS),
        client.get_optional::<wire::Application>(app_url, CALL_APP),
        owners(client, &key, Some(&app_key)),
        federated_credentials(client, &app_key),
    );
    let refused = |what: &str, e: &GraphError| {
        tracing::info!(
            "Graph refused addressing the app by appId ({what}: {}): reading it in two rounds",
            e.graph_words()
        );
        None
    };
    let sp = match sp {
        Ok(Some(sp)) => sp,
        Ok(None) => {
            tracing::info!(app = %app_id, "no service principal has this appId: trying it as an object id");
            return Ok(None);
        }
        Err(e) if refused_key(&e) => return Ok(refused("the service principal", &e)),
        Err(e) => return Err(e.into()),
    };
    let (assignments, delegated) = match (assignments, delegated) {
        (Ok(a), Ok(d)) => (a, d),
        (Err(e), _) | (_, Err(e)) if refused_navigation(&e) => {
            return Ok(refused("its grants", &e))
        }
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    let application = match application {
        Err(e) if refused_key(&e) => return Ok(refused("its registration", &e)),
        other => other?,
    };
    Ok(Some(AppReads {
        sp,
        assignments,
        delegated,
        federated: application.as_ref().map(|_| federated).transpose()?,
        application,
        owners: owners?,
    }))
}

/// The app read in two rounds, without the alternate key: its service principal (by appId,
/// object id or display name), then what hangs off its object id, then the owners and federated
/// credentials of its registration (by the registration's object id).
pub(super) async fn app_in_two_rounds(client: &GraphClient, app: &str) -> Result<AppReads> {
    let sp = resolve_app(client, app).await?;
    let sp_path = format!("/v1.0/servicePrincipals/{}", sp.id);
    let roles_url = client.url(&format!("{sp_path}/appRoleAssignments"), &[]);
    let grants_url = client.url(
        "/v1.0/oauth2PermissionGrants",
        &[("$filter", &format!("clientId eq {}", odata_quote(&sp.id)))],
    );
    let (assignments, delegated, application) = tokio::try_join!(
        async {
            client
                .get_all::<wire::AppRoleAssignment>(roles_url, CALL_ROLES)
                .await
                .map_err(anyhow::Error::from)
        },
        async {
            client
                .get_all::<wire::OAuth2PermissionGrant>(grants_url, CALL_GRANTS)
                .await
                .map_err(anyhow::Error::from)
        },
        async {
            by_app_id::<wire::Application>(
                client,
                "/v1.0/applications",
                &sp.app_id,
                APP_SELECT,
                CALL_APP,
            )
            .await
            .map_err(anyhow::Error::from)
        },
    )?;
    let app_path = application
        .as_ref()
        .and_then(|a| a.id.as_deref())
        .map(|id| format!("/v1.0/applications/{id}"));
    let (owners, federated) = tokio::join!(owners(client, &sp_path, app_path.as_deref()), async {
        match &app_path {
            Some(path) => federated_credentials(client, path).await.map(Some),
            None => Ok(None),
        }
    });
    Ok(AppReads {
        sp,
        assignments,
        delegated,
        application,
        owners: owners?,
        federated: federated?,
    })
}

pub(super) fn credentials_of(app: &wire::Application) -> Vec<Credential> {
    credentials(
        "application",
        &app.password_credentials,
        &app.key_credentials,
    )
}

/// The app's credentials, as the domain sees them (never a value).
pub(super) fn credentials(
    on: &str,
    secrets: &[wire::Credential],
    keys: &[wire::Credential],
) -> Vec<Credential> {
    let one = |kind: &str, c: &wire::Credential| Credential {
        on: on.to_string(),
        kind: kind.to_string(),
        key_id: c.key_id.clone(),
        display_name: c.display_name.clone(),
        end_date_time: c.end_date_time.clone(),
    };
    secrets
        .iter()
        .map(|c| one("secret", c))
        .chain(
            keys.iter()
                .filter(|k| {
                    k.usage
                        .as_deref()
                        .is_none_or(|u| u.eq_ignore_ascii_case("Verify"))
                })
                .map(|c| one("certificate", c)),
        )
        .collect()
}

/// With `--tenants`: the permission catalog read in the first tenant and shared by the rest —
/// Microsoft Graph's permissions are one app's, the same in every tenant of a cloud (a grant of
/// an id it lacks is still named from the matrix or Microsoft's data, with a note). Each tenant's
/// own Graph service principal is still read, by its id alone: 128 tenants in flight no longer
/// hold 128 copies of a half-megabyte answer.
#[derive(Debug, Default)]
pub struct SharedCatalog(tokio::sync::OnceCell<Arc<CatalogIndex>>);

/// This tenant's Microsoft Graph service principal id and its catalog: read whole, or with a
/// shared catalog, the id alone once another tenant has read the catalog.
pub(super) async fn catalog(
    client: &GraphClient,
    shared: Option<&SharedCatalog>,
) -> Result<(String, Arc<CatalogIndex>)> {
    let Some(shared) = shared else {
        let c = fetch_catalog(client).await?;
        return Ok((c.id.clone(), Arc::new(CatalogIndex::of(&c))));
    };
    if let Some(index) = shared.0.get() {
        return Ok((graph_id(client).await?, index.clone()));
    }
    let mut mine = None;
    let index = shared
        .0
        .get_or_try_init(|| async {
            let c = fetch_catalog(client).await?;
            mine = Some(c.id.clone());
            Ok::<_, anyhow::Error>(Arc::new(CatalogIndex::of(&c)))
        })
        .await?
        .clone();
    let id = match mine {
        Some(id) => id,
        None => graph_id(client).await?,
    };
    Ok((id, index))
}

/// This tenant's Microsoft Graph service principal, its id alone.
async fn graph_id(client: &GraphClient) -> Result<String> {
    Ok(read_graph_sp(client, "id").await?.id)
}

pub(super) async fn fetch_catalog(client: &GraphClient) -> Result<wire::ResourceCatalog> {
    read_graph_sp(
        client,
        "id,appId,displayName,appRoles,oauth2PermissionScopes",
    )
    .await
}

/// The Microsoft Graph service principal with `select`; none is no catalog (exit 3).
async fn read_graph_sp(client: &GraphClient, select: &str) -> Result<wire::ResourceCatalog> {
    by_app_id::<wire::ResourceCatalog>(
        client,
        "/v1.0/servicePrincipals",
        GRAPH_APP_ID,
        select,
        CALL_CATALOG,
    )
    .await?
    .ok_or_else(|| {
        anyhow::Error::from(Error::incomplete(
            "this tenant has no Microsoft Graph service principal (appId 00000003-0000-0000-c000-000000000000): its permission catalog cannot be read",
        ))
    })
}
