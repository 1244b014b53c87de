//! The directory audit log: who changed the app's grants, and when.

use std::collections::HashSet;

use crate::grants::AuditEntry;
use crate::graph::wire;
use crate::permission::PermissionType;

/// A time as Graph's `$filter` takes it: RFC 3339 in UTC, to the second (baselines are checked to
/// carry one when read).
pub(super) fn graph_time(rfc3339: &str) -> String {
    crate::time::utc_seconds(rfc3339).unwrap_or_else(|| rfc3339.to_string())
}

/// What a record is about: an app role assignment, a delegated grant, or a consent.
enum Kind {
    Grant(PermissionType, &'static str),
    Consent,
}

fn kind(activity: &str) -> Option<Kind> {
    Some(match activity {
        "Add app role assignment to service principal"
        | "Remove app role assignment from service principal" => {
            Kind::Grant(PermissionType::Application, "AppRole.Value")
        }
        "Add delegated permission grant" | "Remove delegated permission grant" => {
            Kind::Grant(PermissionType::Delegated, "DelegatedPermissionGrant.Scope")
        }
        "Consent to application" => Kind::Consent,
        _ => return None,
    })
}

/// A modified property of any target, by name.
fn property<'a>(a: &'a wire::DirectoryAudit, name: &str) -> Option<&'a wire::ModifiedProperty> {
    a.target_resources
        .iter()
        .flat_map(|t| &t.modified_properties)
        .find(|p| p.display_name.as_deref() == Some(name))
}

/// Who initiated a record: the user's principal name (their id without one), or the app's name
/// and id. `initiatedBy.user.displayName` can be a Microsoft service ("Azure ESTS Service") while
/// the id and principal name are the person's: it is never used.
fn initiator(a: &wire::DirectoryAudit) -> String {
    let by = a.initiated_by.as_ref();
    let user = by
        .and_then(|i| i.user.as_ref())
        .and_then(|u| u.user_principal_name.clone().or(u.id.clone()));
    let app = by.and_then(|i| i.app.as_ref()).and_then(|p| {
        let id = p.app_id.clone().or(p.service_principal_id.clone());
        match (p.display_name.clone(), id) {
            (Some(name), Some(id)) => Some(format!("{name} ({id})")),
            (name, id) => name.or(id),
        }
    });
    user.or(app).unwrap_or_else(|| "unknown".to_string())
}

/// The app's changes among the records of the audit log, as Graph writes them: a delegated
/// grant's records target the resource (Microsoft Graph), with the client only in
/// `ServicePrincipal.ObjectID` — and on a first consent not at all, where the link is the
/// `correlationId` of the "Consent to application" record that targets the app. Values are
/// whole lists: what changed is new minus old (added) and old minus new (removed), whatever the
/// activity's name (an amendment writes a "Remove" that records a growth). Failed records,
/// other activities, other apps' records and duplicates (the reads overlap) are left out.
pub fn audit_entries(list: &[wire::DirectoryAudit], app_sp_id: &str) -> Vec<AuditEntry> {
    let is_app = |id: &str| id.trim_matches('"').eq_ignore_ascii_case(app_sp_id);
    let succeeded = |a: &wire::DirectoryAudit| {
        a.result
            .as_deref()
            .is_none_or(|r| r.eq_ignore_ascii_case("success"))
    };
    let targets_app = |a: &wire::DirectoryAudit| {
        a.target_resources
            .iter()
            .any(|t| t.id.as_deref().is_some_and(is_app))
    };
    let consents: HashSet<&str> = list
        .iter()
        .filter(|a| succeeded(a) && targets_app(a))
        .filter(|a| a.activity_display_name.as_deref() == Some("Consent to application"))
        .filter_map(|a| a.correlation_id.as_deref())
        .collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for a in list.iter().filter(|a| succeeded(a)) {
        if let Some(id) = a.id.as_deref() {
            if !seen.insert(id) {
                continue;
            }
        }
        let activity = a.activity_display_name.clone().unwrap_or_default();
        let Some(kind) = kind(&activity) else {
            continue;
        };
        let entry = |permissions: Vec<String>, ptype, added| AuditEntry {
            activity: activity.clone(),
            at: a.activity_date_time.clone().unwrap_or_default(),
            by: initiator(a),
            permissions,
            ptype,
            added,
            correlation_id: a.correlation_id.clone(),
        };
        let (ptype, name) = match kind {
            Kind::Consent => {
                if targets_app(a) {
                    out.push(entry(Vec::new(), None, true));
                }
                continue;
            }
            Kind::Grant(ptype, name) => (ptype, name),
        };
        let client = property(a, "ServicePrincipal.ObjectID").and_then(|p| {
            audit_values(p.new_value.as_deref().or(p.old_value.as_deref())?)
                .into_iter()
                .next()
        });
        let about_app = match client {
            Some(c) => is_app(&c),
            None => {
                targets_app(a)
                    || a.correlation_id
                        .as_deref()
                        .is_some_and(|c| consents.contains(c))
            }
        };
        if !about_app {
            continue;
        }
        let (old, new) = property(a, name)
            .map(|p| {
                (
                    audit_values(p.old_value.as_deref().unwrap_or("")),
                    audit_values(p.new_value.as_deref().unwrap_or("")),
                )
            })
            .unwrap_or_default();
        let lower = |l: &[String]| -> HashSet<String> {
            l.iter().map(|v| v.to_ascii_lowercase()).collect()
        };
        let (old_set, new_set) = (lower(&old), lower(&new));
        let added: Vec<String> = new
            .iter()
            .filter(|v| !old_set.contains(&v.to_ascii_lowercase()))
            .cloned()
            .collect();
        let removed: Vec<String> = old
            .iter()
            .filter(|v| !new_set.contains(&v.to_ascii_lowercase()))
            .cloned()
            .collect();
        if !added.is_empty() {
            out.push(entry(added, Some(ptype), true));
        }
        if !removed.is_empty() {
            out.push(entry(removed, Some(ptype), false));
        }
    }
    out.sort_by(|x, y| x.at.cmp(&y.at));
    out
}

/// The values of an audit log property: a JSON string (`"\"Mail.Read\""`), a JSON array of
/// strings, or plain text; scopes split on white space.
pub(super) fn audit_values(raw: &str) -> Vec<String> {
    let texts: Vec<String> = match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::String(s)) => vec![s],
        Ok(serde_json::Value::Array(a)) => a
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => vec![raw.to_string()],
    };
    texts
        .iter()
        .flat_map(|t| t.split_whitespace())
        .map(|s| s.trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: &str = "4c43a528-ba33-40b0-8821-c8643587f351";

    /// The real tenant's records (tests/fixtures/graph/real/live-2026-directoryAudits_consent.json):
    /// a first consent (User.Read) and an amendment adding User.ReadBasic.All.
    fn recorded() -> Vec<wire::DirectoryAudit> {
        let text = include_str!(
            "../../../tests/fixtures/graph/real/live-2026-directoryAudits_consent.json"
        );
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        serde_json::from_value(doc["value"].clone()).unwrap()
    }

    #[test]
    fn the_recorded_events_give_who_added_which_scope_and_nothing_else() {
        let e = audit_entries(&recorded(), CLIENT);
        let grants: Vec<&AuditEntry> = e.iter().filter(|x| x.ptype.is_some()).collect();
        // The first consent (through its correlation id) and the amendment's growth, twice
        // (its "Remove" record records the same growth as its "Add"): never a removal.
        assert!(grants.iter().all(|x| x.added), "{grants:?}");
        assert!(grants
            .iter()
            .all(|x| x.by == "adm-jsmith@raytakosharkygmail.onmicrosoft.com"));
        assert!(e.iter().all(|x| x.by != "Azure ESTS Service"));
        let first = grants
            .iter()
            .find(|x| x.at.starts_with("2026-09-13T01:07"))
            .unwrap();
        assert_eq!(first.permissions, vec!["User.Read"]);
        assert_eq!(
            first.correlation_id.as_deref(),
            Some("f869a98c-e040-48a1-9083-bf699a9e8a25")
        );
        let amended: Vec<_> = grants
            .iter()
            .filter(|x| x.at.starts_with("2026-09-13T01:22"))
            .collect();
        assert_eq!(amended.len(), 2, "{amended:?}");
        for x in amended {
            assert_eq!(
                x.permissions,
                vec!["User.ReadBasic.All"],
                "unchanged scopes are not attributed"
            );
            assert_eq!(x.ptype, Some(PermissionType::Delegated));
        }
        assert_eq!(
            e.iter().filter(|x| x.ptype.is_none()).count(),
            2,
            "the two consents"
        );
    }

    #[test]
    fn another_apps_records_are_not_this_apps() {
        assert!(audit_entries(&recorded(), "00000000-1111-2222-3333-444444444444").is_empty());
    }

    #[test]
    fn app_role_records_and_revocations_read_from_the_lists() {
        let list: Vec<wire::DirectoryAudit> = serde_json::from_value(serde_json::json!([
            {"id": "a", "activityDisplayName": "Add app role assignment to service principal",
             "activityDateTime": "2026-11-22T10:00:00Z", "result": "success",
             "initiatedBy": {"user": {"id": "u1", "displayName": "Azure ESTS Service", "userPrincipalName": "admin@contoso.com"}},
             "targetResources": [
                {"id": "graph", "modifiedProperties": [
                    {"displayName": "AppRole.Value", "oldValue": null, "newValue": "\"Mail.ReadWrite\""},
                    {"displayName": "ServicePrincipal.ObjectID", "oldValue": null, "newValue": format!("\"{CLIENT}\"")}]},
                {"id": CLIENT, "modifiedProperties": []}]},
            // The same record again (the two reads overlap).
            {"id": "a", "activityDisplayName": "Add app role assignment to service principal",
             "activityDateTime": "2026-11-22T10:00:00Z", "result": "success",
             "targetResources": [{"id": CLIENT}]},
            {"id": "b", "activityDisplayName": "Remove delegated permission grant",
             "activityDateTime": "2026-11-21T10:00:00Z", "result": "success",
             "initiatedBy": {"app": {"displayName": "Cleanup job", "appId": "5f1c4f1e-0000-4000-8000-000000000001"}},
             "targetResources": [{"id": "graph", "modifiedProperties": [
                {"displayName": "DelegatedPermissionGrant.Scope", "oldValue": "\" User.Read Mail.Read\"", "newValue": "\"\""},
                {"displayName": "ServicePrincipal.ObjectID", "oldValue": null, "newValue": format!("\"{CLIENT}\"")}]}]},
            // Another app's grant to Graph.
            {"id": "c", "activityDisplayName": "Add delegated permission grant",
             "activityDateTime": "2026-11-21T11:00:00Z", "result": "success",
             "targetResources": [{"id": "graph", "modifiedProperties": [
                {"displayName": "DelegatedPermissionGrant.Scope", "oldValue": null, "newValue": "\" Mail.Send\""},
                {"displayName": "ServicePrincipal.ObjectID", "oldValue": null, "newValue": "\"someone-else\""}]}]},
            {"activityDisplayName": "Update user", "activityDateTime": "2026-11-23T10:00:00Z"},
            {"activityDisplayName": "Consent to application", "activityDateTime": "2026-11-20T10:00:00Z",
             "result": "failure", "targetResources": [{"id": CLIENT}]}
        ]))
        .unwrap();
        let e = audit_entries(&list, CLIENT);
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(
            e[0].by,
            "Cleanup job (5f1c4f1e-0000-4000-8000-000000000001)"
        );
        assert!(!e[0].added);
        assert_eq!(e[0].permissions, vec!["User.Read", "Mail.Read"]);
        assert_eq!(e[1].permissions, vec!["Mail.ReadWrite"]);
        assert_eq!(e[1].ptype, Some(PermissionType::Application));
        assert_eq!(e[1].by, "admin@contoso.com");
    }
}
