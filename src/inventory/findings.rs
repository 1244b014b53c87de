//! The inventory's findings, Tier 0 first: a dormant Tier-0 app, a disabled app still holding
//! consent, more than one app matching a backup product, a Tier-0 app of another tenant with no
//! owner here, a Tier-0 app of this tenant with a client secret — each with what to do.

use super::{App, Finding, OwnerKind};
use crate::permission::{is_guid, PermissionType};

pub const DORMANT: &str = "tier0-dormant";
pub const DISABLED: &str = "disabled-with-consent";
pub const SEVERAL_PRODUCTS: &str = "several-backup-products";
pub const FOREIGN: &str = "tier0-foreign-no-owner";
pub const SECRET: &str = "tier0-client-secret";

/// The most revoke commands printed for one app.
const MAX_COMMANDS: usize = 20;

/// A Graph id safe in a shell word and a URL (GUIDs and base64url ids only).
fn safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The commands that remove the app's Tier-0 consent, or all of it: one per grant.
fn revoke(app: &App, graph_sp: Option<&str>, graph: &str, tier0_only: bool) -> Vec<String> {
    let mut out = Vec::new();
    for p in app
        .permissions
        .iter()
        .filter(|p| !tier0_only || p.tier == Some(0))
    {
        let Some(id) = p.grant_id.as_deref().filter(|i| safe_id(i)) else {
            continue;
        };
        let url = match (p.ptype, graph_sp) {
            (PermissionType::Application, Some(sp)) if is_guid(sp) => {
                format!("https://{graph}/v1.0/servicePrincipals/{sp}/appRoleAssignedTo/{id}")
            }
            (PermissionType::Delegated, _) => {
                format!("https://{graph}/v1.0/oauth2PermissionGrants/{id}")
            }
            _ => continue,
        };
        let line = format!(
            "az rest --method DELETE --url '{url}'   # {} ({})",
            p.permission, p.ptype
        );
        if !out.contains(&line) {
            out.push(line);
        }
    }
    out.truncate(MAX_COMMANDS);
    out
}

fn audit_command(app: &App) -> String {
    let matrix = app
        .backup_product
        .as_ref()
        .map(|p| format!(" --matrix {}", p.matrix))
        .unwrap_or_default();
    format!("entra-perms audit --app {}{matrix}", app.app_id)
}

/// Every finding, Tier 0 first; each app's codes are set on it.
pub fn all(
    apps: &mut [App],
    dormant_days: u32,
    now: &str,
    graph_sp: Option<&str>,
    graph: &str,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let products: Vec<usize> = (0..apps.len())
        .filter(|i| apps[*i].backup_product.is_some())
        .collect();
    // The one most recently used is the product in use; the others are probably trials.
    let in_use = products
        .iter()
        .copied()
        .max_by(|a, b| apps[*a].last_sign_in.cmp(&apps[*b].last_sign_in));
    for (i, slot) in apps.iter_mut().enumerate() {
        let app = &*slot;
        let tier0 = app.tier0_count > 0;
        let mut push = |code: &str, message: String, commands: Vec<String>| {
            out.push(Finding {
                code: code.to_string(),
                service_principal_id: app.service_principal_id.clone(),
                app: app.display_name.clone(),
                tier: app.highest_tier,
                message,
                commands,
            });
        };
        let mut codes = Vec::new();
        if tier0 && app.sign_in_known {
            let idle = match &app.last_sign_in {
                None => Some(None),
                Some(t) => crate::time::days_between(t, now)
                    .filter(|d| *d >= i64::from(dormant_days))
                    .map(Some),
            };
            if let Some(days) = idle {
                let since = match days {
                    Some(d) => format!("has not signed in for {d} days"),
                    None => "has no sign-in on record".to_string(),
                };
                push(
                    DORMANT,
                    format!(
                        "{} holds {} Tier-0 application permission{} and {since}: a dormant path to Global Administrator. Remove its consent if it is not used.",
                        app.display_name,
                        app.tier0_count,
                        if app.tier0_count == 1 { "" } else { "s" }
                    ),
                    revoke(app, graph_sp, graph, true),
                );
                codes.push(DORMANT);
            }
        }
        if app.enabled == Some(false) {
            push(
                DISABLED,
                format!(
                    "{} is disabled but still holds {} Microsoft Graph permission{}: consent that outlives its use.",
                    app.display_name,
                    app.permissions.len(),
                    if app.permissions.len() == 1 { "" } else { "s" }
                ),
                revoke(app, graph_sp, graph, false),
            );
            codes.push(DISABLED);
        }
        if products.len() > 1 && products.contains(&i) && Some(i) != in_use {
            let p = app
                .backup_product
                .as_ref()
                .map(|p| (p.product.clone(), p.percent))
                .unwrap_or_default();
            push(
                SEVERAL_PRODUCTS,
                format!(
                    "{} looks like {} ({}% of its list), and {} backup apps hold consent in this tenant: this one is probably a forgotten trial. Audit it, and remove its consent if it is not the product in use.",
                    app.display_name, p.0, p.1, products.len()
                ),
                std::iter::once(audit_command(app)).chain(revoke(app, graph_sp, graph, false)).collect(),
            );
            codes.push(SEVERAL_PRODUCTS);
        }
        if tier0
            && app.owner == OwnerKind::OtherTenant
            && app.owners.as_ref().is_some_and(Vec::is_empty)
        {
            push(
                FOREIGN,
                format!(
                    "{} belongs to another tenant ({}), holds Tier-0 rights here and has no owner in this tenant: no one here answers for it.",
                    app.display_name,
                    app.owner_tenant_id.as_deref().unwrap_or("unknown")
                ),
                revoke(app, graph_sp, graph, true),
            );
            codes.push(FOREIGN);
        }
        if tier0
            && app.owner == OwnerKind::ThisTenant
            && app.credentials.as_ref().is_some_and(|c| c.secrets > 0)
        {
            push(
                SECRET,
                format!(
                    "{} holds Tier-0 rights and signs in with a client secret: whoever reads the secret becomes it. Use a certificate or a federated credential, and remove the secret.",
                    app.display_name
                ),
                vec![format!("az ad app credential list --id {}", app.app_id)],
            );
            codes.push(SECRET);
        }
        slot.findings = codes.into_iter().map(str::to_string).collect();
    }
    out.sort_by_key(|f| f.tier.unwrap_or(9));
    out
}
