//! `--format sarif`: SARIF 2.1.0 for code scanning. One rule per kind of finding (missing,
//! wrong-type, requested-not-granted, principal-consent-only, excess); one result per unsatisfied
//! requirement, located at its row of the matrix file, and per grant not needed; tenant, app and
//! permission in each result's properties.

use std::io::Write;

use serde_json::{json, Value};

use crate::audit::{policy, Report, Status};
use crate::matrix::{Matrix, EMBEDDED_NAME};
use crate::multi::TenantResults;

/// The rules: (id, name, level, short description, help).
const RULES: [(&str, &str, &str, &str, &str); 5] = [
    (
        "missing",
        "PermissionMissing",
        "error",
        "A permission the backup needs is not granted.",
        "Grant the permission with admin consent (`entra-perms plan` prints the exact requests), then audit again.",
    ),
    (
        "wrong-type",
        "PermissionGrantedAsWrongType",
        "error",
        "A permission is granted, but only as the other type (application instead of delegated, or the reverse).",
        "Grant it as the type the matrix requires; the grant of the other type does not serve the backup.",
    ),
    (
        "requested-not-granted",
        "PermissionRequestedNotConsented",
        "error",
        "The app registration requests a permission that nobody consented to (stale consent).",
        "An administrator grants admin consent for the app (the consent URL is in `entra-perms plan`).",
    ),
    (
        "principal-consent-only",
        "PermissionConsentedOnlyForUsers",
        "error",
        "A delegated permission is consented only for individual users, none of them the service account.",
        "Grant admin consent for all users, or audit with --service-account if one of those users is the backup's service account.",
    ),
    (
        "excess",
        "PermissionNotNeeded",
        "warning",
        "A Microsoft Graph permission is granted that no backup or restore requirement needs.",
        "Remove the grant unless another use of the app needs it (`entra-perms plan` prints the request).",
    ),
];

fn rule_index(id: &str) -> usize {
    RULES.iter().position(|r| r.0 == id).unwrap_or(0)
}

/// The matrix file as SARIF names it, when it is a file of the user's (`--matrix FILE`, as given,
/// relative to where the audit runs — the repository root in a code-scanning job). The embedded
/// matrix is in no repository: its results carry logical locations only.
fn artifact(matrix: &Matrix) -> Option<String> {
    (matrix.origin != EMBEDDED_NAME).then(|| matrix.origin.replace('\\', "/"))
}

/// Where a result is: its row of the user's matrix file, when there is one, and always its
/// logical place (`Object/Permission (Type)`).
fn locations(uri: Option<&str>, line: Option<usize>, place: &str, name: &str) -> Value {
    let logical = json!([{"name": name, "fullyQualifiedName": place, "kind": "resource"}]);
    match (uri, line) {
        (Some(uri), Some(line)) => json!([{
            "physicalLocation": {
                "artifactLocation": {"uri": uri, "index": 0},
                "region": {"startLine": line.max(1)}
            },
            "logicalLocations": logical
        }]),
        _ => json!([{"logicalLocations": logical}]),
    }
}

fn results(r: &Report, tenant: &str, matrix: &Matrix, out: &mut Vec<Value>) {
    let uri = artifact(matrix);
    let app = r
        .app
        .display_name
        .clone()
        .or_else(|| r.app.app_id.clone())
        .unwrap_or_default();
    for g in &r.missing {
        let rule = match g.status {
            Status::WrongType => "wrong-type",
            Status::RequestedNotGranted => "requested-not-granted",
            Status::PrincipalConsentOnly => "principal-consent-only",
            _ => "missing",
        };
        let line = matrix
            .permissions
            .iter()
            .find(|p| p.ptype == g.ptype && p.name.eq_ignore_ascii_case(&g.permission))
            .map(|p| p.line);
        let name = format!("{} ({})", g.permission, g.ptype);
        let place = format!("{}/{name}", g.objects.first().map_or("", String::as_str));
        let state = r.changes.as_ref().map(|c| {
            let new = c
                .new_gaps
                .iter()
                .any(|n| n.ptype == g.ptype && n.permission.eq_ignore_ascii_case(&g.permission));
            if new {
                "new"
            } else {
                "unchanged"
            }
        });
        // `error` exactly for what fails the run under --fail-on; the rest is a warning.
        let level = if policy::gap_fails(r, r.fail_on, &g.permission, g.ptype, &g.purposes) {
            "error"
        } else {
            "warning"
        };
        let mut result = json!({
            "ruleId": rule,
            "ruleIndex": rule_index(rule),
            "level": level,
            "message": {"text": format!(
                "{} ({}) is {} for {}: needed for {} of {}.",
                g.permission, g.ptype, g.status.as_str(), app,
                super::layout::join(&g.purposes, " and "), g.objects.join(", ")
            )},
            "locations": locations(uri.as_deref(), line, &place, &name),
            "partialFingerprints": {"entraPerms/v1": format!("{tenant}|{}|{}|{}|{rule}",
                r.app.app_id.as_deref().unwrap_or(""), g.permission, g.ptype)},
            "properties": {
                "tenant": tenant, "app": app, "appId": r.app.app_id,
                "permission": g.permission, "type": g.ptype.to_string(),
                "status": g.status.as_str(), "objects": g.objects, "purposes": g.purposes,
            }
        });
        if let Some(state) = state {
            result["baselineState"] = json!(state);
        }
        out.push(result);
    }
    for e in &r.excess {
        let state = r.changes.as_ref().map(|c| {
            let new = c
                .grants_added
                .iter()
                .any(|a| a.ptype == e.ptype && a.permission.eq_ignore_ascii_case(&e.permission));
            if new {
                "new"
            } else {
                "unchanged"
            }
        });
        let level = if policy::excess_fails(r, r.fail_on, e) {
            "error"
        } else {
            "warning"
        };
        let mut result = json!({
            "ruleId": "excess",
            "ruleIndex": rule_index("excess"),
            "level": level,
            "message": {"text": format!(
                "{} ({}) is granted to {} but no backup or restore requirement needs it.",
                e.permission, e.ptype, app
            )},
            "locations": locations(None, None, &format!("Microsoft Graph/{} ({})", e.permission, e.ptype), &format!("{} ({})", e.permission, e.ptype)),
            "partialFingerprints": {"entraPerms/v1": format!("{tenant}|{}|{}|{}|excess",
                r.app.app_id.as_deref().unwrap_or(""), e.permission, e.ptype)},
            "properties": {
                "tenant": tenant, "app": app, "appId": r.app.app_id,
                "permission": e.permission, "type": e.ptype.to_string(),
            }
        });
        if let Some(state) = state {
            result["baselineState"] = json!(state);
        }
        out.push(result);
    }
}

fn document(matrix: &Matrix, results: Value, successful: bool) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, name, level, short, help)| {
            json!({
                "id": id, "name": name,
                "shortDescription": {"text": short},
                "fullDescription": {"text": short},
                "help": {"text": help},
                "defaultConfiguration": {"level": level},
                "properties": {"tags": ["security", "entra-id", "least-privilege"]}
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": env!("CARGO_PKG_NAME"),
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/entra-perms/entra-perms",
                "rules": rules
            }},
            "artifacts": artifact(matrix)
                .map(|uri| json!([{"location": {"uri": uri}}]))
                .unwrap_or_else(|| json!([])),
            "invocations": [{"executionSuccessful": successful}],
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    })
}

fn write(out: &mut dyn Write, doc: &Value) -> std::io::Result<()> {
    super::json::pretty(doc, out)
}

/// One audit.
pub fn audit(r: &Report, matrix: &Matrix, out: &mut dyn Write) -> std::io::Result<()> {
    let mut list = Vec::new();
    results(r, r.tenant_id.as_deref().unwrap_or(""), matrix, &mut list);
    write(out, &document(matrix, Value::Array(list), true))
}

/// Every tenant's results in one run; a tenant that could not be audited makes the run
/// unsuccessful, with its error as a tool notification.
pub fn tenants(m: &dyn TenantResults, matrix: &Matrix, out: &mut dyn Write) -> std::io::Result<()> {
    // The tenants that could not be audited first (they open the run, as notifications), then
    // every tenant's results written as they are read back.
    let mut errors = Vec::new();
    m.each(&mut |t| {
        if t.report.is_none() {
            errors.push(json!({
                "level": "error",
                "message": {"text": format!("{}: could not be audited: {}", t.tenant,
                    t.error.as_deref().unwrap_or("unknown error"))},
            }));
        }
        Ok(())
    })?;
    let hole = super::json::Hole::new();
    let mut doc = document(matrix, Value::String(hole.0.clone()), errors.is_empty());
    if !errors.is_empty() {
        doc["runs"][0]["invocations"][0]["toolExecutionNotifications"] = Value::Array(errors);
    }
    super::json::pretty_with_array(&doc, &hole, out, &mut |items| {
        m.each(&mut |t| {
            let mut list = Vec::new();
            if let Some(r) = &t.report {
                results(r, &t.tenant, matrix, &mut list);
            }
            list.iter().try_for_each(|v| items.item(v))
        })
    })
}
