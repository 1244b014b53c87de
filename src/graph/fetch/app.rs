//! The app itself: its service principal, grants, registration and owners, in one round by the
//! alternate key `appId` or in two; its credentials; the Graph permission catalog.

use anyhow::Result;

use super::calls::{CALL_APP, CALL_CATALOG, CALL_GRANTS, CALL_ROLES, CALL_SP};
use super::owners::owners;
use super::resolve::resolve_app;
use crate::cloud::GRAPH_APP_ID;
use crate::findings::Finding;
use crate::grants::{Credential, Owner};
use crate::graph::client::{odata_quote, GraphClient};
use crate::graph::error::GraphError;
use crate::graph::wire;

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

/// Everything about the app in one round, addressing it by its appId (Graph's alternate key):
/// `servicePrincipals(appId='…')` and its navigations, `applications(appId='…')`. `None`: the id is
/// not an appId here, or Graph refused a navigation — read it in two rounds instead.
pub(super) async fn app_by_app_id(client: &GraphClient, app_id: &str) -> Result<Option<AppReads>> {
    let key = format!("/v1.0/servicePrincipals(appId={})", odata_quote(app_id));
    let sp_url = client.url(&key, &[("$select", SP_SELECT)]);
    let roles_url = client.url(&format!("{key}/appRoleAssignments"), &[]);
    let grants_url = client.url(&format!("{key}/oauth2PermissionGrants"), &[]);
    let app_url = client.url(
        &format!("/v1.0/applications(appId={})", odata_quote(app_id)),
        &[("$select", APP_SELECT)],
    );
    let (sp, assignments, delegated, application, owners) = tokio::join!(
        client.get_optional::<wire::ServicePrincipal>(sp_url, CALL_SP),
        client.get_all::<wire::AppRoleAssignment>(roles_url, CALL_ROLES),
        client.get_all::<wire::OAuth2PermissionGrant>(grants_url, CALL_GRANTS),
        client.get_optional::<wire::Application>(app_url, CALL_APP),
        owners(client, &key, app_id),
    );
    let Some(sp) = sp? else {
        tracing::info!(app = %app_id, "no service principal has this appId: trying it as an object id");
        return Ok(None);
    };
    let (assignments, delegated) = match (assignments, delegated) {
        (Ok(a), Ok(d)) => (a, d),
        (Err(e), _) | (_, Err(e)) if refused_navigation(&e) => {
            tracing::info!(
                "Graph refused addressing the app by appId ({}): reading it in two rounds",
                e.graph_words()
            );
            return Ok(None);
        }
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    Ok(Some(AppReads {
        sp,
        assignments,
        delegated,
        application: application?,
        owners: owners?,
    }))
}

/// The app read in two rounds: its service principal (by appId, object id or display name), then
/// what hangs off its object id.
pub(super) async fn app_in_two_rounds(client: &GraphClient, app: &str) -> Result<AppReads> {
    let sp = resolve_app(client, app).await?;
    let sp_path = format!("/v1.0/servicePrincipals/{}", sp.id);
    let roles_url = client.url(&format!("{sp_path}/appRoleAssignments"), &[]);
    let grants_url = client.url(
        "/v1.0/oauth2PermissionGrants",
        &[("$filter", &format!("clientId eq {}", odata_quote(&sp.id)))],
    );
    let app_url = client.url(
        &format!("/v1.0/applications(appId={})", odata_quote(&sp.app_id)),
        &[("$select", APP_SELECT)],
    );
    let (assignments, delegated, application, owners) = tokio::try_join!(
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
            client
                .get_optional::<wire::Application>(app_url, CALL_APP)
                .await
                .map_err(anyhow::Error::from)
        },
        owners(client, &sp_path, &sp.app_id),
    )?;
    Ok(AppReads {
        sp,
        assignments,
        delegated,
        application,
        owners,
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

pub(super) async fn fetch_catalog(client: &GraphClient) -> Result<wire::ResourceCatalog> {
    let url = client.url(
        &format!(
            "/v1.0/servicePrincipals(appId={})",
            odata_quote(GRAPH_APP_ID)
        ),
        &[(
            "$select",
            "id,appId,displayName,appRoles,oauth2PermissionScopes",
        )],
    );
    Ok(client.get(url, CALL_CATALOG).await?)
}
