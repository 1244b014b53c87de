//! The app registration's federated identity credentials: who outside the tenant can sign in as
//! the app without a secret.

use anyhow::Result;

use super::calls::CALL_FEDERATED;
use super::roles::unreadable;
use crate::findings::Finding;
use crate::grants::FederatedCredential;
use crate::graph::client::GraphClient;
use crate::graph::wire;

/// The credentials read (`None`: Graph would not give them), and why not.
pub(super) type Federated = (Option<Vec<FederatedCredential>>, Vec<Finding>);

/// `GET {app_path}/federatedIdentityCredentials` (Application.Read.All). Unreadable: a finding,
/// never a failed audit.
pub(super) async fn federated_credentials(
    client: &GraphClient,
    app_path: &str,
) -> Result<Federated> {
    let url = client.url(&format!("{app_path}/federatedIdentityCredentials"), &[]);
    match client
        .get_all::<wire::FederatedIdentityCredential>(url, CALL_FEDERATED)
        .await
    {
        Ok(list) => Ok((Some(list.into_iter().map(credential).collect()), Vec::new())),
        Err(e) => Ok((
            None,
            vec![unreadable(e, "The app's federated identity credentials")?],
        )),
    }
}

/// A federated identity credential as the domain keeps it.
pub(super) fn credential(c: wire::FederatedIdentityCredential) -> FederatedCredential {
    FederatedCredential {
        id: c.id,
        name: c.name,
        issuer: c.issuer,
        subject: c.subject,
        claims_matching_expression: c.claims_matching_expression.and_then(|e| e.value),
        audiences: c.audiences,
    }
}
