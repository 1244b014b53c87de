//! The fake Graph's front door and its route table: the sign-in endpoints, Graph's rules that
//! apply to every request (GET only, the bearer token, throttling, denials, alternate keys),
//! then the first route of [`ROUTES`] that answers. A request no route answers is recorded, and
//! the server fails the test when dropped.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{json, Value};

use super::{
    apps, decode, directory, skiptoken, skiptoken_offset, tenant_wide, FakeSp, FakeTenant, Reply,
    Seen, GRAPH_APP_ID,
};

/// One route: its name (for failure messages) and the handler, which answers `None` when the
/// request is not its.
pub(super) type Route = (&'static str, fn(&Ctx<'_>) -> Option<Reply>);

/// Every resource the fake serves, tried in order.
pub(super) const ROUTES: &[Route] = &[
    ("advanced-query rule", directory::advanced_query_rule),
    ("auditLogs/directoryAudits", directory::audit_log),
    ("organization", directory::organization),
    (
        "servicePrincipals/{Graph}/appRoleAssignedTo",
        tenant_wide::assigned_to,
    ),
    ("servicePrincipals (all)", tenant_wide::all_principals),
    (
        "oauth2PermissionGrants on Graph",
        tenant_wide::grants_on_graph,
    ),
    (
        "reports/servicePrincipalSignInActivities",
        tenant_wide::sign_ins,
    ),
    ("applications (all)", tenant_wide::applications),
    ("servicePrincipals/{tenant app}/owners", tenant_wide::owners),
    (
        "applications(appId={tenant app})/federatedIdentityCredentials",
        tenant_wide::federated,
    ),
    ("the Graph catalog", apps::catalog),
    ("servicePrincipals(appId=…)", apps::sp_by_app_id),
    ("servicePrincipals?$filter", apps::sp_by_name),
    ("servicePrincipals/{id}/…", apps::sp_by_id),
    ("oauth2PermissionGrants", apps::delegated_grants),
    ("applications(appId=…)/owners", apps::application_owners),
    (
        "applications(appId=…)/federatedIdentityCredentials",
        apps::federated_credentials,
    ),
    ("applications(appId=…)", apps::application),
    ("applications?$filter=appId eq", apps::application_by_filter),
    ("applications/{id}/…", apps::application_by_id),
    (
        "directory/administrativeUnits/{id}",
        directory::administrative_unit,
    ),
    ("roleManagement/directory/…", directory::role_assignments),
    ("users/{id}/transitiveMemberOf/…", directory::user_roles),
    ("users/{id}", directory::user),
];

/// What a route sees of one request.
pub(super) struct Ctx<'a> {
    pub(super) t: &'a FakeTenant,
    pub(super) catalog: &'a Value,
    pub(super) catalog_body: &'a str,
    pub(super) base: &'a str,
    /// The path, with an alternate-key navigation already rewritten to the object-id path.
    pub(super) path: &'a str,
    /// The raw query string.
    pub(super) query: &'a str,
    pub(super) params: HashMap<String, String>,
    pub(super) consistency_level: Option<&'a str>,
    /// The bearer token.
    pub(super) token: Option<&'a str>,
    /// The service principal whose grants `servicePrincipals(appId=…)/oauth2PermissionGrants`
    /// asked for.
    pub(super) grants_of: Option<String>,
}

impl Ctx<'_> {
    pub(super) fn param(&self, name: &str) -> String {
        self.params.get(name).cloned().unwrap_or_default()
    }

    pub(super) fn count(&self) -> bool {
        self.params.get("$count").is_some_and(|c| c == "true")
    }

    /// A page of `items` as Graph pages a collection: `$skiptoken` in `@odata.nextLink`,
    /// `@odata.count` when asked.
    /// An item as Graph answers under `$select`: only the properties named (and `id`, which
    /// Graph always returns, and what `$expand` adds); without `$select`, all of them.
    pub(super) fn selected(&self, item: &Value) -> Value {
        let (Some(select), Some(fields)) = (self.params.get("$select"), item.as_object()) else {
            return item.clone();
        };
        let expand = self.params.get("$expand").map(String::as_str).unwrap_or("");
        let wanted: Vec<&str> = select
            .split(',')
            .chain(expand.split(',').map(|e| e.split('(').next().unwrap_or(e)))
            .map(str::trim)
            .chain(["id"])
            .collect();
        Value::Object(
            fields
                .iter()
                .filter(|(k, _)| {
                    k.starts_with('@') || wanted.iter().any(|w| w.eq_ignore_ascii_case(k))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    pub(super) fn page(&self, items: Vec<Value>) -> Reply {
        self.page_of(items.len(), &|i| items[i].clone())
    }

    /// A page of a collection of `total` items, each made only when its page is asked for (a
    /// tenant of 100,000 assignments answers a page without building the rest).
    pub(super) fn page_of(&self, total: usize, item: &dyn Fn(usize) -> Value) -> Reply {
        let t = self.t;
        let skip: usize = self
            .params
            .get("$skiptoken")
            .and_then(|s| skiptoken_offset(s))
            .unwrap_or(0);
        let end = (skip + t.page_size).min(total);
        let page: Vec<Value> = (skip.min(total)..end)
            .map(|i| self.selected(&item(i)))
            .collect();
        let mut body = json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#collection",
            "value": page,
        });
        if self.count() {
            body["@odata.count"] = json!(total);
        }
        if end < total {
            let mut q: Vec<String> = self
                .query
                .split('&')
                .filter(|kv| !kv.is_empty() && !kv.contains("skiptoken="))
                .map(str::to_string)
                .collect();
            q.push(format!("$skiptoken={}", skiptoken(end)));
            let link_base = match (
                &t.foreign_next_link,
                self.path.ends_with("/appRoleAssignments"),
            ) {
                (Some(foreign), true) => foreign.as_str(),
                _ => self.base,
            };
            body["@odata.nextLink"] = json!(format!("{link_base}{}?{}", self.path, q.join("&")));
        }
        Reply::json(200, body)
    }

    pub(super) fn sp_json(sp: &FakeSp) -> Value {
        json!({"id": sp.id, "appId": sp.app_id, "displayName": sp.display_name,
               "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
               "servicePrincipalType": "Application", "accountEnabled": true,
               "passwordCredentials": [], "keyCredentials": []})
    }
}

/// The tenant behind the server, and what it remembers between requests.
pub(super) struct TenantHandler {
    pub(super) tenant: FakeTenant,
    pub(super) catalog: Value,
    /// The catalog, serialised once (it is about 330 KB).
    pub(super) catalog_body: String,
    pub(super) throttled: Mutex<Vec<String>>,
    /// Requests no route answered (`METHOD path`).
    pub(super) unrouted: Mutex<Vec<String>>,
}

impl TenantHandler {
    /// The Entra token endpoint and the CI systems' OIDC endpoints (the only non-GET routes).
    fn sign_in(&self, req: &Seen) -> Option<Reply> {
        let t = &self.tenant;
        // The Entra token endpoint, for sign-in benchmarks (AZURE_AUTHORITY_HOST pointed here):
        // the only POST served.
        if req.method == "POST" && req.target.ends_with("/oauth2/v2.0/token") {
            if t.refuse_assertions && req.body.contains("client_assertion=") {
                return Some(Reply::json(
                    400,
                    json!({"error": "invalid_client", "error_description":
                    "AADSTS70021: No matching federated identity record found for presented assertion.",
                    "error_codes": [70021]}),
                ));
            }
            // With a token per tenant, the tenant the path names is in it (`{token}-{tenant}`),
            // as Entra issues each tenant's token for that tenant.
            let token = match req.target.trim_start_matches('/').split('/').next() {
                Some(tenant) if t.token_per_tenant => format!("{}-{tenant}", t.token),
                _ => t.token.clone(),
            };
            return Some(Reply::json(
                200,
                json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                   "access_token": token}),
            ));
        }
        // A CI system's OIDC endpoints: GitHub Actions (GET, the job's request token) and Azure
        // Pipelines (POST, the build's access token).
        if req.method == "GET" && req.target.starts_with("/github-oidc") {
            return Some(
                if req.authorization.as_deref() == Some("Bearer gh-request-token")
                    && req.target.contains("audience=api://AzureADTokenExchange")
                {
                    Reply::json(
                        200,
                        json!({"count": 1, "value": format!("gh-oidc-jwt-{}", req.at.elapsed().as_nanos())}),
                    )
                } else {
                    Reply::json(401, json!({"message": "bad request token or audience"}))
                },
            );
        }
        if req.method == "POST" && req.target.starts_with("/pipelines-oidc") {
            return Some(
                if req.authorization.as_deref() == Some("Bearer ado-system-token")
                    && req.target.contains("serviceConnectionId=svc-conn-1")
                {
                    Reply::json(200, json!({"oidcToken": "ado-oidc-jwt"}))
                } else {
                    Reply::json(
                        401,
                        json!({"message": "bad system token or service connection"}),
                    )
                },
            );
        }
        None
    }

    /// Graph's throttling as the tenant asks for it: always, once per token, or once.
    fn throttle(&self, req: &Seen) -> Option<Reply> {
        let t = &self.tenant;
        let target = req.target.as_str();
        if t.throttle_always
            .iter()
            .any(|p| target.starts_with(p.as_str()))
        {
            let mut r = Reply::error(429, "TooManyRequests", "Please retry again later.");
            r.headers.push(("Retry-After".into(), "0.01".into()));
            return Some(r);
        }
        if let Some((prefix, after)) = &t.throttle_each_token {
            if target.starts_with(prefix.as_str()) {
                let token = req.authorization.clone().unwrap_or_default();
                let mut done = self.throttled.lock().unwrap();
                if !done.contains(&token) {
                    done.push(token);
                    let mut r = Reply::error(429, "TooManyRequests", "Please retry again later.");
                    r.headers.push(("Retry-After".into(), after.clone()));
                    return Some(r);
                }
            }
        }
        for (prefix, after) in &t.throttle_once {
            if target.starts_with(prefix.as_str()) {
                let mut done = self.throttled.lock().unwrap();
                if !done.contains(prefix) {
                    done.push(prefix.clone());
                    let mut r = Reply::error(429, "TooManyRequests", "Please retry again later.");
                    r.headers.push(("Retry-After".into(), after.clone()));
                    return Some(r);
                }
            }
        }
        None
    }

    /// Answer `req` after the tenant's latency: the whole answer takes that long, the work of
    /// making it included (as Graph's latency includes its own).
    pub(super) fn handle(&self, req: &Seen, base: &str) -> Reply {
        let started = std::time::Instant::now();
        let reply = self.answer(req, base);
        let latency = match self.tenant.token_latency {
            Some(token) if req.target.ends_with("/oauth2/v2.0/token") => token,
            _ => self.tenant.latency,
        };
        std::thread::sleep(latency.saturating_sub(started.elapsed()));
        reply
    }

    fn answer(&self, req: &Seen, base: &str) -> Reply {
        let t = &self.tenant;
        if let Some(reply) = self.sign_in(req) {
            return reply;
        }
        if req.method != "GET" {
            return Reply::error(
                405,
                "Request_BadRequest",
                "Only GET is served by this fake.",
            );
        }
        // A token is accepted when it starts with the tenant's (benchmarks give each tenant its
        // own token, the tenant's name appended).
        if !req
            .authorization
            .as_deref()
            .is_some_and(|a| a.starts_with(&format!("Bearer {}", t.token)))
        {
            return Reply::error(
                401,
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid.",
            );
        }
        let target = req.target.as_str();
        if let Some(reply) = self.throttle(req) {
            return reply;
        }
        if t.forbid.iter().any(|p| target.starts_with(p.as_str())) {
            return Reply::error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            );
        }
        let (path, _) = target.split_once('?').unwrap_or((target, ""));
        // A Graph (or proxy) that refuses every alternate key, wherever it stands.
        if t.refuse_alternate_key && path.contains("(appId=") {
            return Reply::error(
                400,
                "Request_UnsupportedQuery",
                "Unsupported query: alternate key navigation is not supported here.",
            );
        }
        // Alternate-key navigation (`servicePrincipals(appId='…')/…`): served like the object-id
        // path of the same service principal, unless this Graph refuses it.
        let mut grants_of: Option<String> = None;
        let rewritten: String;
        let path = match path
            .strip_prefix("/v1.0/servicePrincipals(appId='")
            .and_then(|r| r.split_once("')/"))
        {
            Some((app_id, tail)) if app_id == GRAPH_APP_ID => {
                let graph = self.catalog["id"].as_str().unwrap_or_default().to_string();
                rewritten = format!("/v1.0/servicePrincipals/{graph}/{tail}");
                rewritten.as_str()
            }
            Some((app_id, tail)) => {
                let Some(sp) = t.sps.iter().find(|s| s.app_id == app_id) else {
                    return Reply::not_found(app_id);
                };
                if tail == "oauth2PermissionGrants" {
                    grants_of = Some(sp.id.clone());
                    rewritten = "/v1.0/oauth2PermissionGrants".to_string();
                } else {
                    rewritten = format!("/v1.0/servicePrincipals/{}/{tail}", sp.id);
                }
                rewritten.as_str()
            }
            None => path,
        };
        let query = req.raw.split_once('?').map_or("", |(_, q)| q);
        let params: HashMap<String, String> = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| {
                (
                    decode(&format!("?{k}"))[1..].to_string(),
                    decode(&format!("?{v}"))[1..].to_string(),
                )
            })
            .collect();
        let ctx = Ctx {
            t,
            catalog: &self.catalog,
            catalog_body: &self.catalog_body,
            base,
            path,
            query,
            params,
            consistency_level: req.consistency_level.as_deref(),
            token: req
                .authorization
                .as_deref()
                .and_then(|a| a.strip_prefix("Bearer ")),
            grants_of,
        };
        if let Some(reply) = ROUTES.iter().find_map(|(_, route)| route(&ctx)) {
            return reply;
        }
        self.unrouted
            .lock()
            .unwrap()
            .push(format!("{} {}", req.method, req.target));
        Reply::error(
            400,
            "BadRequest",
            &format!("Unsupported by the fake: {path}"),
        )
    }
}
