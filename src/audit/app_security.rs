//! Who can become the app: its credentials and owners judged on the day the grants were read.

use crate::findings::Finding;

use super::report::{AppSecurityReport, CredentialReport, CredentialState, OwnerReport};

/// Days before a credential's end that count as expiring.
pub const EXPIRING_DAYS: i64 = 30;

/// The app's credentials and owners judged as of `now` (RFC 3339, the time the grants were read).
pub fn app_security(sec: &crate::grants::AppSecurity, now: Option<&str>) -> AppSecurityReport {
    let now = now.and_then(|n| azure_core::time::parse_rfc3339(n).ok());
    let mut findings = Vec::new();
    let credentials: Vec<CredentialReport> = sec
        .credentials
        .iter()
        .map(|c| {
            let end = c
                .end_date_time
                .as_deref()
                .and_then(|e| azure_core::time::parse_rfc3339(e).ok());
            let state = match (end, now) {
                (Some(end), Some(now)) => {
                    let days = (end - now).whole_days();
                    if end <= now {
                        findings.push(Finding::CredentialExpired {
                            on: c.on.clone(),
                            kind: c.kind.clone(),
                            name: c.display_name.clone(),
                            end: c.end_date_time.clone().unwrap_or_default(),
                        });
                        CredentialState::Expired
                    } else if days < EXPIRING_DAYS {
                        findings.push(Finding::CredentialExpiring {
                            on: c.on.clone(),
                            kind: c.kind.clone(),
                            name: c.display_name.clone(),
                            end: c.end_date_time.clone().unwrap_or_default(),
                            days,
                        });
                        CredentialState::Expiring
                    } else {
                        CredentialState::Valid
                    }
                }
                _ => CredentialState::Unknown,
            };
            CredentialReport {
                on: c.on.clone(),
                kind: c.kind.clone(),
                display_name: c.display_name.clone(),
                end_date_time: c.end_date_time.clone(),
                state,
            }
        })
        .collect();
    let secrets = credentials
        .iter()
        .filter(|c| c.kind == "secret" && c.state != CredentialState::Expired)
        .count();
    if secrets > 0 {
        findings.push(Finding::ClientSecrets { count: secrets });
    }
    let owners = sec.owners.as_ref().map(|owners| {
        owners
            .iter()
            .map(|o| {
                let name = o
                    .user_principal_name
                    .clone()
                    .or(o.display_name.clone())
                    .unwrap_or_else(|| o.id.clone());
                let administrator = o.tier0_roles.as_ref().map(|r| !r.is_empty());
                if o.kind == "servicePrincipal" {
                    findings.push(Finding::OwnerIsApp { owner: name });
                } else if administrator == Some(false) {
                    findings.push(Finding::OwnerNotAdministrator { owner: name });
                }
                OwnerReport {
                    id: o.id.clone(),
                    kind: o.kind.clone(),
                    display_name: o.display_name.clone(),
                    user_principal_name: o.user_principal_name.clone(),
                    of: o.of.clone(),
                    administrator,
                    tier0_roles: o.tier0_roles.clone().unwrap_or_default(),
                }
            })
            .collect()
    });
    if !sec.registration_here {
        findings.push(Finding::CredentialsElsewhere);
    }
    AppSecurityReport {
        credentials,
        owners,
        findings: findings.iter().map(Finding::entry).collect(),
    }
}
