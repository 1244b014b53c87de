//! Who can become the app: its credentials, federated credentials, own directory roles and owners,
//! judged on the day the grants were read, with the commands that remove a credential.

use crate::findings::Finding;

use crate::grants::{AppSecurity, Credential, Grants};
use crate::permission::is_guid;

use super::report::{
    AppSecurityReport, CredentialReport, CredentialState, FederatedCredentialReport, OwnerReport,
    RoleReport,
};

/// Days before a credential's end that count as expiring.
pub const EXPIRING_DAYS: i64 = 30;

/// The app's credentials, federated credentials, own roles and owners judged as of the time the
/// grants were read.
pub fn app_security(sec: &AppSecurity, grants: &Grants) -> AppSecurityReport {
    let now = grants
        .read_at
        .as_deref()
        .and_then(|n| azure_core::time::parse_rfc3339(n).ok());
    let ids = Ids::of(sec, grants);
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
                key_id: c.key_id.clone(),
                remove: ids.remove_credential(c),
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
    let federated_credentials = sec
        .federated_credentials
        .as_ref()
        .map(|list| federated_reports(list, &ids, grants, &mut findings));
    let roles = sec
        .roles
        .as_ref()
        .map(|roles| role_reports(roles, &mut findings));
    AppSecurityReport {
        credentials,
        owners,
        federated_credentials,
        roles,
        findings: findings.iter().map(Finding::entry).collect(),
    }
}

/// Each federated credential, judged (who outside the admins can satisfy it).
fn federated_reports(
    list: &[crate::grants::FederatedCredential],
    ids: &Ids,
    grants: &Grants,
    findings: &mut Vec<Finding>,
) -> Vec<FederatedCredentialReport> {
    list.iter()
        .map(|c| {
            let judged = federated::judge(c, grants.tenant_id.as_deref());
            let open = !judged.is_empty();
            findings.extend(judged);
            FederatedCredentialReport {
                id: c.id.clone(),
                name: c.name.clone(),
                issuer: c.issuer.clone(),
                subject: c.subject.clone(),
                claims_matching_expression: c.claims_matching_expression.clone(),
                audiences: c.audiences.clone(),
                open,
                remove: ids.remove_federated(&c.id),
            }
        })
        .collect()
}

/// The app's own directory roles with their tier; a tenant-wide Tier-0 one is a finding (a role
/// scoped to an administrative unit is listed with its scope, never counted as tenant-wide).
fn role_reports(
    roles: &[crate::grants::DirectoryRole],
    findings: &mut Vec<Finding>,
) -> Vec<RoleReport> {
    let roles: Vec<RoleReport> = roles.iter().map(RoleReport::of).collect();
    for r in roles
        .iter()
        .filter(|r| r.tier == Some(0) && r.directory_scope_id.is_none())
    {
        findings.push(Finding::AppHoldsTier0Role {
            role: r.display_name.clone(),
            assignment: format!("{:?}", r.assignment).to_ascii_lowercase(),
        });
    }
    roles
}

/// The ids a removal command names, each kept only when it is a plain GUID: a tenant's text is
/// never put into a shell command.
struct Ids {
    app_id: Option<String>,
    sp_id: Option<String>,
    object_id: Option<String>,
}

impl Ids {
    fn of(sec: &AppSecurity, grants: &Grants) -> Ids {
        let guid = |s: Option<&String>| s.filter(|s| is_guid(s)).cloned();
        Ids {
            app_id: guid(grants.app.app_id.as_ref()),
            sp_id: guid(grants.app.service_principal_id.as_ref()),
            object_id: guid(sec.application_object_id.as_ref()),
        }
    }

    /// `az ad app credential delete …` and `Remove-MgApplicationPassword …` (or the service
    /// principal's, or the key's: removing a certificate by PowerShell needs a proof of
    /// possession, so the Azure CLI line comes first).
    fn remove_credential(&self, c: &Credential) -> Vec<String> {
        let Some(key) = c.key_id.as_ref().filter(|k| is_guid(k)) else {
            return Vec::new();
        };
        let cert = if c.kind == "certificate" {
            " --cert"
        } else {
            ""
        };
        let noun = if c.kind == "certificate" {
            "Key"
        } else {
            "Password"
        };
        let mut out = Vec::new();
        if c.on == "application" {
            if let Some(app) = &self.app_id {
                out.push(format!(
                    "az ad app credential delete --id {app} --key-id {key}{cert}"
                ));
            }
            if let Some(obj) = &self.object_id {
                out.push(format!(
                    "Remove-MgApplication{noun} -ApplicationId {obj} -KeyId {key}{}",
                    if noun == "Key" {
                        " -Proof <a JWT signed by a current key>"
                    } else {
                        ""
                    }
                ));
            }
        } else {
            if let Some(app) = &self.app_id {
                out.push(format!(
                    "az ad sp credential delete --id {app} --key-id {key}{cert}"
                ));
            }
            if let Some(sp) = &self.sp_id {
                out.push(format!(
                    "Remove-MgServicePrincipal{noun} -ServicePrincipalId {sp} -KeyId {key}{}",
                    if noun == "Key" {
                        " -Proof <a JWT signed by a current key>"
                    } else {
                        ""
                    }
                ));
            }
        }
        out
    }

    /// `az ad app federated-credential delete …` and its PowerShell twin.
    fn remove_federated(&self, id: &str) -> Vec<String> {
        if !is_guid(id) {
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Some(app) = &self.app_id {
            out.push(format!(
                "az ad app federated-credential delete --id {app} --federated-credential-id {id}"
            ));
        }
        if let Some(obj) = &self.object_id {
            out.push(format!(
                "Remove-MgApplicationFederatedIdentityCredential -ApplicationId {obj} -FederatedIdentityCredentialId {id}"
            ));
        }
        out
    }
}

mod federated {
    //! Which federated credentials people outside the admins can satisfy.

    use crate::findings::Finding;
    use crate::grants::FederatedCredential;

    const GITHUB: &str = "https://token.actions.githubusercontent.com";

    /// Whether tokens of `issuer` come from Entra ID, GitHub Actions, Azure DevOps, or a
    /// Kubernetes (AKS) cluster of this tenant.
    fn known_issuer(issuer: &str, tenant: Option<&str>) -> bool {
        let i = issuer.trim_end_matches('/').to_ascii_lowercase();
        let entra = [
            "https://login.microsoftonline.com/",
            "https://login.microsoftonline.us/",
            "https://login.chinacloudapi.cn/",
            "https://login.partner.microsoftonline.cn/",
            "https://sts.windows.net/",
        ];
        i == GITHUB
            || i.starts_with(&format!("{GITHUB}/"))
            || i.starts_with("https://vstoken.dev.azure.com/")
            || entra.iter().any(|e| i.starts_with(e))
            || (i.contains(".oic.prod-aks.azure.com/")
                && tenant.is_some_and(|t| i.contains(&format!("/{}/", t.to_ascii_lowercase()))))
    }

    /// The findings for one credential: a subject or expression anyone can satisfy, an issuer
    /// not known to be the tenant's.
    pub(super) fn judge(c: &FederatedCredential, tenant: Option<&str>) -> Vec<Finding> {
        let name = c.name.clone().unwrap_or_else(|| c.id.clone());
        let mut out = Vec::new();
        let issuer = c.issuer.as_deref().unwrap_or("");
        if !known_issuer(issuer, tenant) {
            out.push(Finding::FederatedCredentialIssuer {
                name: name.clone(),
                issuer: issuer.to_string(),
            });
        }
        let github = issuer.trim_end_matches('/').eq_ignore_ascii_case(GITHUB);
        if let Some(subject) = c.subject.as_deref() {
            let repo = subject
                .strip_prefix("repo:")
                .and_then(|r| r.split(':').next())
                .unwrap_or("the repository");
            let why = if github && subject.ends_with(":pull_request") {
                Some(format!(
                    "every workflow run for a pull request to {repo} gets such a token — anyone who can open a pull request there, before any review"
                ))
            } else if subject.contains('*') {
                Some("the subject holds a wildcard: whoever matches it".to_string())
            } else {
                None
            };
            if let Some(why) = why {
                out.push(Finding::FederatedCredentialOpen {
                    name: name.clone(),
                    subject: subject.to_string(),
                    why,
                });
            }
        }
        if let Some(expr) = c.claims_matching_expression.as_deref() {
            if expr.contains('*') || expr.contains("pull_request") {
                out.push(Finding::FederatedCredentialOpen {
                    name,
                    subject: expr.to_string(),
                    why: "a flexible expression with a wildcard: every subject it matches, including branches and pull requests anyone with write access can create".to_string(),
                });
            }
        }
        out
    }
}
