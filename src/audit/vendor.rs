//! What a vendor's matrix adds to an audit: the rows it marks optional (listed as granted or
//! not, never a gap unless counted), the permissions it maps to no object, what of its page could
//! not be read, the roles it requires of a service account (per purpose; alternatives) and
//! assigns to the app, and — for `--matrix auto` — which embedded matrix the grants fit best.

use crate::findings::Finding;
use crate::grants::{Assignment, DirectoryRole, Grants};
use crate::matrix::{embedded, Matrix, MatrixError, Permission, Purpose, RoleRef};
use crate::permission::PermissionType;

use super::policy::Options;

/// The object a vendor's row names when the vendor maps the permission to none.
pub const WHOLE_APP: &str = "(whole app)";

/// Whether the app holds `row` as written (its name, with a type the row accepts).
fn holds(grants: &Grants, row: &Permission) -> bool {
    let app = row.ptype.accepts(PermissionType::Application)
        && grants
            .application
            .iter()
            .any(|g| g.permission.eq_ignore_ascii_case(&row.name));
    let delegated = row.ptype.accepts(PermissionType::Delegated)
        && grants
            .delegated
            .iter()
            .any(|g| g.permission.eq_ignore_ascii_case(&row.name));
    app || delegated
}

fn label(row: &Permission) -> String {
    format!("{} ({})", row.name, row.ptype)
}

/// Whether a role of the account is `wanted`, active and tenant-wide.
fn active(roles: &[DirectoryRole], wanted: &RoleRef) -> bool {
    roles
        .iter()
        .any(|r| r.assignment == Assignment::Active && r.tenant_wide() && wanted.matches(r))
}

/// The vendor's findings for this audit.
pub fn findings(matrix: &Matrix, grants: &Grants, opts: &Options) -> Vec<Finding> {
    let mut out = Vec::new();
    let in_scope = opts.purposes();
    let scoped = |row: &&Permission| row.purposes.iter().any(|p| in_scope.contains(p));
    if !opts.include_optional {
        let optional: Vec<&Permission> = matrix
            .permissions
            .iter()
            .filter(|r| r.optional && !r.impossible)
            .filter(scoped)
            .collect();
        if !optional.is_empty() {
            let (granted, not_granted): (Vec<&Permission>, Vec<&Permission>) =
                optional.into_iter().partition(|r| holds(grants, r));
            out.push(Finding::OptionalPermissions {
                granted: granted.into_iter().map(label).collect(),
                not_granted: not_granted.into_iter().map(label).collect(),
            });
        }
    }
    let vendor = matrix
        .info
        .as_ref()
        .map_or("The matrix", |i| i.vendor.as_str())
        .to_string();
    let unmapped = matrix
        .permissions
        .iter()
        .filter(|r| r.objects.iter().any(|o| o == WHOLE_APP))
        .count();
    if unmapped > 0 {
        out.push(Finding::VendorMapsNoObject {
            vendor: vendor.clone(),
            count: unmapped,
        });
    }
    if let Some(info) = matrix.info.as_ref().filter(|i| i.partial.is_some()) {
        out.push(Finding::MatrixPartial {
            vendor: vendor.clone(),
            unreadable: info.unreadable.clone(),
        });
    }
    out.extend(role_findings(matrix, grants, in_scope));
    if let Some(held) = grants.app_security.as_ref().and_then(|s| s.roles.as_ref()) {
        for expected in &matrix.app_roles {
            let role = expected.role.name.clone();
            let found = held.iter().find(|r| {
                r.assignment == Assignment::Active && r.tenant_wide() && expected.role.matches(r)
            });
            match found {
                None => out.push(Finding::AppRoleMissing {
                    role,
                    vendor: vendor.clone(),
                }),
                Some(r)
                    if crate::catalog::role_tier(&r.template_id).is_some_and(|t| t.tier == 0) =>
                {
                    out.push(Finding::AppRoleExpectedTier0 {
                        role,
                        vendor: vendor.clone(),
                    });
                }
                Some(_) => {}
            }
        }
    }
    out
}

/// The roles the matrix requires of the service account, per purpose in scope: met when the
/// account holds every role of one of the purpose's sets.
fn role_findings(matrix: &Matrix, grants: &Grants, in_scope: &[Purpose]) -> Vec<Finding> {
    let purposes: Vec<Purpose> = Purpose::ALL
        .into_iter()
        .filter(|p| in_scope.contains(p))
        .filter(|p| matrix.roles.iter().any(|s| s.purposes.contains(p)))
        .collect();
    if purposes.is_empty() {
        return Vec::new();
    }
    let Some(account) = &grants.service_account else {
        return vec![Finding::ServiceAccountRolesUnchecked {
            purposes: purposes.iter().map(|p| p.as_str().to_string()).collect(),
        }];
    };
    // Roles that could not be read are said by their own finding, never as missing.
    let Some(roles) = &account.roles else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for purpose in purposes {
        let sets: Vec<_> = matrix
            .roles
            .iter()
            .filter(|s| s.purposes.contains(&purpose))
            .collect();
        let missing_of = |set: &&crate::matrix::RoleSet| -> Vec<String> {
            set.roles
                .iter()
                .filter(|r| !active(roles, r))
                .map(|r| r.name.clone())
                .collect()
        };
        let closest = sets
            .iter()
            .map(missing_of)
            .min_by_key(Vec::len)
            .unwrap_or_default();
        if !closest.is_empty() {
            out.push(Finding::ServiceAccountRolesMissing {
                purpose: purpose.as_str().to_string(),
                missing: closest,
                alternatives: sets.len(),
            });
        }
    }
    out
}

/// How well `grants` fit `matrix`, 0–1: the Microsoft Graph permissions (name and type) the app
/// holds and the matrix requires, over those either has (rows Graph cannot grant, and optional
/// rows, left out of what the matrix requires; optional rows held count as in common).
pub fn fit(matrix: &Matrix, grants: &Grants) -> f64 {
    let held: Vec<(String, PermissionType)> = grants
        .application
        .iter()
        .map(|g| (g.permission.to_lowercase(), PermissionType::Application))
        .chain(
            grants
                .delegated
                .iter()
                .map(|g| (g.permission.to_lowercase(), PermissionType::Delegated)),
        )
        .filter(|(n, _)| {
            !super::OPENID_SCOPES
                .iter()
                .any(|s| s.eq_ignore_ascii_case(n))
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let rows: Vec<&Permission> = matrix
        .permissions
        .iter()
        .filter(|r| !r.impossible)
        .collect();
    let listed = |n: &str, t: PermissionType| {
        rows.iter()
            .any(|r| r.name.eq_ignore_ascii_case(n) && r.ptype.accepts(t))
    };
    let common = held.iter().filter(|(n, t)| listed(n, *t)).count();
    let required_not_held = rows
        .iter()
        .filter(|r| !r.optional && !holds(grants, r))
        .count();
    let union = held.len() + required_not_held;
    if union == 0 {
        return 0.0;
    }
    common as f64 / union as f64
}

/// `--matrix auto`: the embedded matrix the grants fit best, and the finding that says which,
/// how well, and the runner-up.
pub fn choose(grants: &Grants) -> Result<(Matrix, Finding), MatrixError> {
    let mut scored: Vec<(f64, Matrix)> = embedded::all()?
        .into_iter()
        .map(|m| (fit(&m, grants), m))
        .collect();
    // Best first; on a tie the order of the list (the default first).
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut it = scored.into_iter();
    let Some((best_fit, best)) = it.next() else {
        return Err(MatrixError {
            origin: embedded::AUTO.to_string(),
            position: None,
            message: "no embedded matrix to choose from".to_string(),
        });
    };
    let runner = it.next();
    let percent = |f: f64| (f * 100.0).round() as u32;
    let finding = Finding::MatrixChosen {
        name: best.name.clone().unwrap_or_default(),
        percent: percent(best_fit),
        runner_up: runner.as_ref().and_then(|(_, m)| m.name.clone()),
        runner_up_percent: runner.as_ref().map(|(f, _)| percent(*f)),
    };
    Ok((best, finding))
}
