//! What each Graph read is, and what the auditing identity needs for it: from its page in
//! Microsoft Graph's API reference, the least-privileged permission, then the broader ones.

use crate::graph::error::Call;

// What each read needs, from its page in Microsoft Graph's API reference: the least-privileged
// permission (the same name for application and delegated access unless said otherwise), then
// the broader ones that also allow it. The table of docs/auditing-identity.md
// lists the same.
pub(super) const CALL_ORG: Call = Call {
    what: "the tenant's identity (organization: id and verified domains)",
    needs: "Organization.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
pub(super) const CALL_SP: Call = Call {
    what: "the app's service principal",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
pub(super) const CALL_CATALOG: Call = Call {
    what: "the Microsoft Graph service principal (the permission catalog)",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
pub(super) const CALL_ROLES: Call = Call {
    what: "the app role assignments (application permissions)",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
pub(super) const CALL_GRANTS: Call = Call {
    what: "the delegated permission grants (oauth2PermissionGrants)",
    needs: "Directory.Read.All (least privileged in Microsoft's permission data; its API page also documents DelegatedPermissionGrant.Read.All)",
    advanced: false,
};
pub(super) const CALL_APP: Call = Call {
    what: "the app registration (requested permissions)",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
pub(super) const CALL_USER: Call = Call {
    what: "the service account",
    needs: "User.ReadBasic.All (or User.Read.All)",
    advanced: false,
};
pub(super) const CALL_ROLES_ACTIVE: Call = Call {
    what: "the service account's directory role assignments",
    needs: "RoleManagement.Read.Directory",
    advanced: false,
};
pub(super) const CALL_ROLES_TRANSITIVE: Call = Call {
    what: "the service account's directory roles held through groups",
    needs: "User.Read.All (or GroupMember.Read.All, Directory.Read.All)",
    advanced: true,
};
pub(super) const CALL_AUDIT_LOG: Call = Call {
    what: "the directory audit log (who changed the app's grants)",
    needs: "AuditLog.Read.All and Directory.Read.All",
    advanced: false,
};
pub(super) const CALL_OWNERS: Call = Call {
    what: "the owners of the app and its service principal",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
pub(super) const CALL_OWNER_ROLES: Call = Call {
    what: "the directory roles of the app's owners",
    needs: "User.Read.All (or Directory.Read.All)",
    advanced: true,
};
pub(super) const CALL_ROLES_ELIGIBLE: Call = Call {
    what: "the service account's PIM-eligible directory roles",
    needs: "RoleEligibilitySchedule.Read.Directory (and Microsoft Entra ID P2)",
    advanced: false,
};
pub(super) const CALL_FEDERATED: Call = Call {
    what: "the app registration's federated identity credentials",
    needs: "Application.Read.All",
    advanced: false,
};
pub(super) const CALL_APP_ROLES: Call = Call {
    what: "the directory roles assigned to the app's service principal",
    needs: "RoleManagement.Read.Directory",
    advanced: false,
};
pub(super) const CALL_APP_ROLES_ELIGIBLE: Call = Call {
    what: "the directory roles the app's service principal is eligible for",
    needs: "RoleEligibilitySchedule.Read.Directory (and Microsoft Entra ID P2)",
    advanced: false,
};
pub(super) const CALL_SCOPE: Call = Call {
    what: "the administrative unit a role is scoped to",
    needs: "AdministrativeUnit.Read.All",
    advanced: false,
};
pub(super) const CALL_OWNER_NAMES: Call = Call {
    what: "the names of the app's owners",
    needs: "User.ReadBasic.All",
    advanced: false,
};
