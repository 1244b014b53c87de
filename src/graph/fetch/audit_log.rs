//! The directory audit log: who changed the app's grants, and when.

use crate::grants::AuditEntry;
use crate::graph::wire;
use crate::permission::PermissionType;

/// A time as Graph's `$filter` takes it: RFC 3339 in UTC, to the second (baselines are checked to
/// carry one when read).
pub(super) fn graph_time(rfc3339: &str) -> String {
    crate::time::utc_seconds(rfc3339).unwrap_or_else(|| rfc3339.to_string())
}

/// The audit log's entries about grants, as the domain sees them: activity, when, who, which
/// permissions, added or removed. Entries that failed, and other activities, are left out.
pub fn audit_entries(list: &[wire::DirectoryAudit]) -> Vec<AuditEntry> {
    let mut out = Vec::new();
    for a in list {
        if a.result
            .as_deref()
            .is_some_and(|r| !r.eq_ignore_ascii_case("success"))
        {
            continue;
        }
        let activity = a.activity_display_name.clone().unwrap_or_default();
        let (ptype, property, added) = match activity.as_str() {
            "Add app role assignment to service principal" => {
                (Some(PermissionType::Application), "AppRole.Value", true)
            }
            "Remove app role assignment from service principal" => {
                (Some(PermissionType::Application), "AppRole.Value", false)
            }
            "Add delegated permission grant" => (
                Some(PermissionType::Delegated),
                "DelegatedPermissionGrant.Scope",
                true,
            ),
            "Remove delegated permission grant" => (
                Some(PermissionType::Delegated),
                "DelegatedPermissionGrant.Scope",
                false,
            ),
            "Consent to application" => (None, "", true),
            _ => continue,
        };
        let by = a
            .initiated_by
            .as_ref()
            .and_then(|i| {
                i.user
                    .as_ref()
                    .and_then(|u| u.user_principal_name.clone().or(u.display_name.clone()))
                    .or_else(|| {
                        i.app
                            .as_ref()
                            .and_then(|p| p.display_name.clone().or(p.app_id.clone()))
                    })
            })
            .unwrap_or_else(|| "unknown".to_string());
        let permissions: Vec<String> = a
            .target_resources
            .iter()
            .flat_map(|t| &t.modified_properties)
            .filter(|p| !property.is_empty() && p.display_name.as_deref() == Some(property))
            .flat_map(|p| {
                let raw = if added { &p.new_value } else { &p.old_value };
                audit_values(raw.as_deref().unwrap_or(""))
            })
            .collect();
        out.push(AuditEntry {
            activity,
            at: a.activity_date_time.clone().unwrap_or_default(),
            by,
            permissions,
            ptype,
            added,
        });
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

    #[test]
    pub(super) fn audit_log_entries_name_who_changed_which_permission() {
        let list: Vec<wire::DirectoryAudit> = serde_json::from_value(serde_json::json!([
            {"activityDisplayName": "Add app role assignment to service principal",
             "activityDateTime": "2026-11-22T10:00:00Z", "result": "success",
             "initiatedBy": {"user": {"userPrincipalName": "admin@contoso.com"}},
             "targetResources": [{"id": "sp", "modifiedProperties": [
                {"displayName": "AppRole.Id", "newValue": "\"e2a3a72e\""},
                {"displayName": "AppRole.Value", "oldValue": null, "newValue": "\"Mail.ReadWrite\""}]}]},
            {"activityDisplayName": "Remove delegated permission grant",
             "activityDateTime": "2026-11-21T10:00:00Z", "result": "success",
             "initiatedBy": {"app": {"displayName": "Cleanup job"}},
             "targetResources": [{"id": "sp", "modifiedProperties": [
                {"displayName": "DelegatedPermissionGrant.Scope", "oldValue": "\" User.Read Mail.Read\"", "newValue": "\"\""}]}]},
            {"activityDisplayName": "Update user", "activityDateTime": "2026-11-23T10:00:00Z"},
            {"activityDisplayName": "Consent to application", "activityDateTime": "2026-11-20T10:00:00Z",
             "result": "failure"}
        ]))
        .unwrap();
        let e = audit_entries(&list);
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].by, "Cleanup job");
        assert!(!e[0].added);
        assert_eq!(e[0].permissions, vec!["User.Read", "Mail.Read"]);
        assert_eq!(e[1].permissions, vec!["Mail.ReadWrite"]);
        assert_eq!(e[1].ptype, Some(PermissionType::Application));
        assert_eq!(e[1].by, "admin@contoso.com");
    }
}
