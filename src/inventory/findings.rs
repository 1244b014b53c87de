//! The inventory's findings, Tier 0 first: a dormant Tier-0 app, a disabled app still holding
//! consent, more than one app matching a backup product, a Tier-0 app of another tenant with no
//! owner here, a Tier-0 app of this tenant with a client secret or trusting identities outside
//! it (federated credentials) — each with what to do.

use super::{App, Finding, OwnerKind};
use crate::permission::{is_guid, PermissionType};

pub const DORMANT: &str = "tier0-dormant";
pub const DISABLED: &str = "disabled-with-consent";
pub const SEVERAL_PRODUCTS: &str = "several-backup-products";
pub const FOREIGN: &str = "tier0-foreign-no-owner";
pub const SECRET: &str = "tier0-client-secret";
pub const FEDERATED: &str = "tier0-federated";
pub const GAINED: &str = "tier0-gained";

/// What the findings are judged against.
pub struct Context<'a> {
    pub dormant_days: u32,
    pub now: &'a str,
    /// Graph's service principal in this tenant (for the revoke commands).
    pub graph_sp: Option<&'a str>,
    pub graph: &'a str,
    /// `--baseline`: the Tier-0 application permissions each app held then, by appId.
    pub before: Option<&'a std::collections::BTreeMap<String, Vec<String>>>,
}

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
pub fn all(apps: &mut [App], cx: &Context<'_>) -> Vec<Finding> {
    let Context {
        dormant_days,
        now,
        graph_sp,
        graph,
        before,
    } = *cx;
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
        if let Some(message) = dormant(app, dormant_days, now).filter(|_| tier0) {
            push(DORMANT, message, revoke(app, graph_sp, graph, true));
            codes.push(DORMANT);
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
                is_guid(&app.app_id)
                    .then(|| format!("az ad app credential list --id {}", app.app_id))
                    .into_iter()
                    .collect(),
            );
            codes.push(SECRET);
        }
        if let Some((message, commands)) = before.filter(|_| tier0).and_then(|b| gained(app, b, cx))
        {
            push(GAINED, message, commands);
            codes.push(GAINED);
        }
        if let Some((message, commands)) = federated(app).filter(|_| tier0) {
            push(FEDERATED, message, commands);
            codes.push(FEDERATED);
        }
        slot.findings = codes.into_iter().map(str::to_string).collect();
    }
    out.sort_by_key(|f| f.tier.unwrap_or(9));
    out
}

/// The Tier-0 application permissions `app` holds that it did not hold at the baseline.
fn gained(
    app: &App,
    before: &std::collections::BTreeMap<String, Vec<String>>,
    cx: &Context<'_>,
) -> Option<(String, Vec<String>)> {
    let held = before.get(&app.app_id.to_ascii_lowercase());
    let gained: Vec<&str> = app
        .permissions
        .iter()
        .filter(|p| p.tier == Some(0) && p.ptype == PermissionType::Application)
        .filter(|p| !held.is_some_and(|h| h.contains(&p.permission.to_ascii_lowercase())))
        .map(|p| p.permission.as_str())
        .collect();
    if gained.is_empty() {
        return None;
    }
    let them = if gained.len() == 1 { "it" } else { "them" };
    Some((
        format!(
            "{} gained Tier-0 rights since the baseline{}: {}. Find who granted {them} (the directory audit log, \"Add app role assignment to service principal\") and remove {them} if no one meant to.",
            app.display_name,
            if held.is_none() { " (a new app)" } else { "" },
            gained.join(", "),
        ),
        revoke(app, cx.graph_sp, cx.graph, true),
    ))
}

/// Who outside the tenant `app`'s registration trusts (its federated credentials), if anyone.
fn federated(app: &App) -> Option<(String, Vec<String>)> {
    let n = app.federated_credentials.len();
    if n == 0 {
        return None;
    }
    let who: Vec<String> = app
        .federated_credentials
        .iter()
        .take(3)
        .map(|c| {
            format!(
                "{} → {}",
                c.issuer.as_deref().unwrap_or("?"),
                c.subject
                    .as_deref()
                    .or(c.claims_matching_expression.as_deref())
                    .unwrap_or("?")
            )
        })
        .collect();
    Some((
        format!(
            "{} holds Tier-0 rights and trusts {n} identit{} outside this tenant ({}{}): whoever can run that workload signs in as it, with no secret. Keep each subject to the one workflow that needs it.",
            app.display_name,
            if n == 1 { "y" } else { "ies" },
            who.join("; "),
            if n > 3 { "; …" } else { "" }
        ),
        // A command only for an id of Graph's shape (it is pasted into a shell).
        is_guid(&app.app_id)
            .then(|| format!("az ad app federated-credential list --id {}", app.app_id))
            .into_iter()
            .collect(),
    ))
}

/// Why `app` is dormant: no sign-in for `days` or more, or none on record (when the sign-ins
/// were read).
fn dormant(app: &App, days: u32, now: &str) -> Option<String> {
    if !app.sign_in_known {
        return None;
    }
    let since = match &app.last_sign_in {
        None => "has no sign-in on record".to_string(),
        Some(t) => {
            let idle = crate::time::days_between(t, now).filter(|d| *d >= i64::from(days))?;
            format!("has not signed in for {idle} days")
        }
    };
    Some(format!(
        "{} holds {} Tier-0 application permission{} and {since}: a dormant path to Global Administrator. Remove its consent if it is not used.",
        app.display_name,
        app.tier0_count,
        if app.tier0_count == 1 { "" } else { "s" }
    ))
}
