//! The view of who can become the app (credentials, federated credentials, the app's own
//! roles, owners, the commands that remove a credential) and the Tier-0 header.

use super::AppSecurityView;
use crate::audit::Report;

/// Who can become the app, for people.
pub(super) fn app_security_view(a: &crate::audit::AppSecurityReport) -> AppSecurityView {
    AppSecurityView {
        credentials: a
            .credentials
            .iter()
            .map(|c| {
                format!(
                    "{}{} on the {} · keyId {} · ends {} · {}",
                    c.kind,
                    c.display_name
                        .as_deref()
                        .map(|n| format!(" \"{n}\""))
                        .unwrap_or_default(),
                    if c.on == "application" {
                        "app registration"
                    } else {
                        "service principal"
                    },
                    c.key_id.as_deref().unwrap_or("not given"),
                    c.end_date_time.as_deref().unwrap_or("never"),
                    c.state.as_str()
                )
            })
            .collect(),
        federated: a.federated_credentials.as_ref().map(|list| {
            list.iter()
                .map(|c| {
                    format!(
                        "\"{}\" · id {} · issuer {} · {} {} · audiences {}{}",
                        c.name.as_deref().unwrap_or("no name"),
                        c.id,
                        c.issuer.as_deref().unwrap_or("none"),
                        if c.subject.is_some() {
                            "subject"
                        } else {
                            "expression"
                        },
                        c.subject
                            .as_deref()
                            .or(c.claims_matching_expression.as_deref())
                            .unwrap_or("none"),
                        if c.audiences.is_empty() {
                            "none".to_string()
                        } else {
                            c.audiences.join(", ")
                        },
                        if c.open {
                            " · OPEN to people outside the admins"
                        } else {
                            ""
                        }
                    )
                })
                .collect()
        }),
        roles: a
            .roles
            .as_ref()
            .map(|roles| roles.iter().map(|r| r.words()).collect()),
        commands: a
            .credentials
            .iter()
            .flat_map(|c| &c.remove)
            .chain(
                a.federated_credentials
                    .iter()
                    .flatten()
                    .flat_map(|c| &c.remove),
            )
            .cloned()
            .collect(),
        owners: a.owners.as_ref().map(|owners| {
            owners
                .iter()
                .map(|o| {
                    format!(
                        "{} ({}, owns the {}) · {}",
                        o.user_principal_name
                            .as_deref()
                            .or(o.display_name.as_deref())
                            .unwrap_or(&o.id),
                        o.kind,
                        o.of.join(" and "),
                        match o.administrator {
                            Some(true) => format!("administrator ({})", o.tier0_roles.join(", ")),
                            Some(false) => "not an administrator".to_string(),
                            None => "roles not read".to_string(),
                        }
                    )
                })
                .collect()
        }),
        findings: a.findings.iter().map(|f| f.message.clone()).collect(),
    }
}

/// The Tier-0 header: the app's Tier-0 application permissions and directory roles.
pub(super) fn tier0_line(r: &Report) -> Option<String> {
    let roles: Vec<String> = r
        .app_security
        .iter()
        .flat_map(|a| a.roles.iter().flatten())
        .filter(|x| x.tier == Some(0) && x.directory_scope_id.is_none())
        .map(|x| x.qualified(false))
        .collect();
    let perms = r.tier0_application.len();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let held = match (perms, roles.len()) {
        (0, 0) => return None,
        (p, 0) => format!("{p} Tier-0 application permission{}", plural(p)),
        (0, n) => format!(
            "the Tier-0 directory role{} {}",
            plural(n),
            roles.join(", ")
        ),
        (p, n) => format!(
            "{p} Tier-0 application permission{} and the Tier-0 directory role{} {}",
            plural(p),
            plural(n),
            roles.join(", ")
        ),
    };
    Some(format!(
        "Tier-0 identity: the app holds {held} (paths to Global Administrator); whoever can add a credential to it can take over the tenant."
    ))
}
