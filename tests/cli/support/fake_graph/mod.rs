//! A fake Microsoft Graph for one test (`routes.rs`: the front door and the route table;
//! `apps.rs` and `directory.rs`: the resources): a small HTTP/1.1 server on 127.0.0.1 that serves a
//! described tenant with Graph's shapes and rules (the recorded real Graph service principal as
//! the permission catalog, opaque `$skiptoken` paging through `@odata.nextLink`, `$count` with
//! `@odata.count`, the advanced-query rule for OData casts on transitive relationships, scope
//! strings with a leading space, null `principalId` on AllPrincipals grants, error envelopes,
//! 429 with Retry-After), records every request it receives, and can be told to misbehave.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

mod apps;
mod directory;
mod routes;
pub(crate) mod tenant_wide;

use routes::TenantHandler;

pub(crate) const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
pub(crate) const APP_ID: &str = "46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b";
pub(crate) const SP_ID: &str = "00063ffc-54e9-405d-b8f3-56124728e051";
pub(crate) const APP_NAME: &str = "Contoso Entra Backup";
pub(crate) const TENANT_ID: &str = "65415bb1-9267-4313-bbf5-ae259732ee12";
pub(crate) const SERVICE_ACCOUNT_ID: &str = "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e";
pub(crate) const SERVICE_ACCOUNT_UPN: &str = "backup-svc@contoso.onmicrosoft.com";
pub(crate) const OTHER_USER_ID: &str = "9d4b8a1c-0c5e-4e1f-9d7a-3b6f2a1e4c55";
pub(crate) const TENANT_DOMAIN: &str = "contoso.onmicrosoft.com";
/// The backup app's service principal addressed by its appId (Graph's alternate key), as the
/// one-round audit reads it.
pub(crate) const SP_KEY: &str =
    "/v1.0/servicePrincipals(appId='46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b')";
/// Its app role assignments and delegated grants, by alternate key.
pub(crate) const ASSIGNMENTS_PATH: &str =
    "/v1.0/servicePrincipals(appId='46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b')/appRoleAssignments";
pub(crate) const GRANTS_PATH: &str =
    "/v1.0/servicePrincipals(appId='46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b')/oauth2PermissionGrants";

/// The real tenant's Microsoft Graph service principal (recorded by the Azure CLI's tests).
pub(crate) fn catalog() -> Value {
    let text = std::fs::read_to_string(super::fixture("graph/graph-service-principal.json"))
        .expect("catalog fixture");
    serde_json::from_str(&text).expect("catalog fixture is JSON")
}

/// One request the server received.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub method: String,
    /// Path and query, percent-decoded.
    pub target: String,
    /// Path and query as sent.
    pub raw: String,
    pub authorization: Option<String>,
    pub user_agent: Option<String>,
    /// The `ConsistencyLevel` header.
    pub consistency_level: Option<String>,
    /// When the request arrived.
    pub at: std::time::Instant,
    /// The body (token requests carry a form).
    pub body: String,
}

/// A response to send.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Wait this long before answering (a Graph that hangs).
    pub delay: Duration,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: vec![(
                "request-id".into(),
                "6f0c0a9e-1c1b-4d8e-9a57-2b2f7c1e4a10".into(),
            )],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub(crate) fn error(status: u16, code: &str, message: &str) -> Reply {
        Reply::json(
            status,
            json!({"error": {"code": code, "message": message, "innerError": {
                "date": "2026-11-26T06:00:00", "request-id": "799ac1b2-b3e0-46c9-877e-6eeb72508938",
                "client-request-id": "799ac1b2-b3e0-46c9-877e-6eeb72508938"}}}),
        )
    }

    pub(crate) fn not_found(what: &str) -> Reply {
        Reply::error(
            404,
            "Request_ResourceNotFound",
            &format!("Resource '{what}' does not exist or one of its queried reference-property objects are not present."),
        )
    }
}

/// A service principal in the fake tenant.
#[derive(Debug, Clone)]
pub(crate) struct FakeSp {
    pub id: String,
    pub app_id: String,
    pub display_name: String,
}

/// The tenant the fake Graph serves.
#[derive(Debug, Clone)]
pub(crate) struct FakeTenant {
    pub token: String,
    pub sps: Vec<FakeSp>,
    /// Application permissions of the backup app (by name; ids from the catalog, else given).
    pub app_roles: Vec<(String, String)>,
    /// App role assignments to other resources: (resource display name, resource id, role id).
    pub other_app_roles: Vec<(String, String, String)>,
    /// Delegated grants: (consentType, principalId, scope string).
    pub delegated: Vec<(String, Option<String>, String)>,
    /// `requiredResourceAccess` of Graph: (id, "Role" | "Scope"); `None`: no app object here.
    pub requested: Option<Vec<(String, String)>>,
    pub users: Vec<(String, String)>,
    /// Directory roles of users: (user id, role template id, display name, eligible?).
    pub roles: Vec<(String, String, String, bool)>,
    /// Directory roles held through a role-assignable group: (user id, template id, name).
    pub group_roles: Vec<(String, String, String)>,
    pub page_size: usize,
    /// Paths (prefix match) answered once with 429 and this Retry-After before succeeding.
    pub throttle_once: Vec<(String, String)>,
    /// Paths (prefix match) always answered with 429.
    pub throttle_always: Vec<String>,
    /// Paths (prefix match) answered 429 (with this Retry-After) the first time each distinct
    /// token asks: with a token per tenant, one throttled answer each.
    pub throttle_each_token: Option<(String, String)>,
    /// Paths (prefix match) answered with 403 Authorization_RequestDenied.
    pub forbid: Vec<String>,
    /// The apps of the tenant-wide reads (`inventory`).
    pub tenant_apps: Vec<tenant_wide::TenantApp>,
    /// A base URL the first page of app role assignments points its nextLink at.
    pub foreign_next_link: Option<String>,
    /// Extra latency added to every response.
    pub latency: Duration,
    /// The token endpoint's own latency (else `latency`).
    pub token_latency: Option<Duration>,
    /// The token endpoint issues each tenant a token of its own (`{token}-{tenant}`).
    pub token_per_tenant: bool,
    /// Ignore `$filter` on the delegated grants and return every app's (a misbehaving proxy).
    pub ignore_filters: bool,
    /// Other apps' items mixed into the app role assignments: (principal id, app role id).
    pub foreign_app_roles: Vec<(String, String)>,
    /// Other apps' delegated grants: (client id, consentType, scope).
    pub foreign_delegated: Vec<(String, String, String)>,
    /// The tenant's verified domains (`GET /organization`).
    pub domains: Vec<String>,
    /// The tenant id `GET /organization` answers with.
    pub tenant_id: String,
    /// Answer 400 to alternate-key navigations (`servicePrincipals(appId='…')/…`).
    pub refuse_alternate_key: bool,
    /// The token endpoint refuses client assertions (no matching federated credential).
    pub refuse_assertions: bool,
    /// The app registration's `passwordCredentials` and `keyCredentials` (Graph's shapes).
    pub app_secrets: Vec<Value>,
    pub app_certificates: Vec<Value>,
    /// Owners of the app registration: (object id, UPN or name, is a service principal).
    pub owners: Vec<(String, String, bool)>,
    /// Directory audit log entries (Graph's directoryAudit shape), filtered by the request's
    /// `activityDateTime ge …` and `targetResources/any(t:t/id eq '…')`.
    pub audit_log: Vec<Value>,
    /// The app registration's federated identity credentials (Graph's shape).
    pub federated: Vec<Value>,
    /// Role assignments scoped below the tenant: (principal id, template id, name, scope id).
    pub scoped_roles: Vec<(String, String, String, String)>,
    /// Administrative units: (id, display name).
    pub admin_units: Vec<(String, String)>,
    /// The auditing identity may not read role objects: `directoryRole`s come back with their
    /// id only (no `roleTemplateId`, no `displayName`), as Graph answers such a reader.
    pub role_objects_unreadable: bool,
    /// The auditing identity reads apps but not users (Application.Read.All alone): owners come
    /// back with their id and type only, as in Microsoft's example response.
    pub owners_unnamed: bool,
}

impl FakeTenant {
    /// A tenant where the backup app exists with no grants at all.
    pub(crate) fn empty(token: &str) -> FakeTenant {
        FakeTenant {
            token: token.to_string(),
            sps: vec![FakeSp {
                id: SP_ID.into(),
                app_id: APP_ID.into(),
                display_name: APP_NAME.into(),
            }],
            app_roles: Vec::new(),
            other_app_roles: Vec::new(),
            delegated: Vec::new(),
            requested: None,
            users: vec![
                (SERVICE_ACCOUNT_ID.into(), SERVICE_ACCOUNT_UPN.into()),
                (OTHER_USER_ID.into(), "alex@contoso.onmicrosoft.com".into()),
            ],
            roles: Vec::new(),
            group_roles: Vec::new(),
            page_size: 100,
            throttle_once: Vec::new(),
            throttle_always: Vec::new(),
            throttle_each_token: None,
            forbid: Vec::new(),
            tenant_apps: Vec::new(),
            foreign_next_link: None,
            latency: Duration::ZERO,
            token_latency: None,
            token_per_tenant: false,
            ignore_filters: false,
            foreign_app_roles: Vec::new(),
            foreign_delegated: Vec::new(),
            domains: vec![TENANT_DOMAIN.into(), "contoso.example".into()],
            tenant_id: TENANT_ID.into(),
            audit_log: Vec::new(),
            refuse_alternate_key: false,
            refuse_assertions: false,
            app_secrets: Vec::new(),
            app_certificates: Vec::new(),
            owners: Vec::new(),
            federated: Vec::new(),
            scoped_roles: Vec::new(),
            admin_units: Vec::new(),
            role_objects_unreadable: false,
            owners_unnamed: false,
        }
    }

    /// A tenant where every requirement of the embedded matrix is granted exactly (the Any row
    /// as an application permission), with admin consent for the delegated ones.
    pub(crate) fn everything(token: &str) -> FakeTenant {
        let mut t = FakeTenant::empty(token);
        for name in [
            "AdministrativeUnit.ReadWrite.All",
            "Application.ReadWrite.All",
            "AuditLog.Read.All",
            "DeviceLocalCredential.Read.All",
            "DeviceManagementConfiguration.ReadWrite.All",
            "Directory.ReadWrite.All",
            "Group.ReadWrite.All",
            "Policy.Read.All",
            "Policy.ReadWrite.AuthenticationMethod",
            "Policy.ReadWrite.ConditionalAccess",
            "RoleManagement.ReadWrite.Directory",
            "User.ReadWrite.All",
            "UserAuthenticationMethod.ReadWrite.All",
        ] {
            t.grant_app(name);
        }
        t.delegated.push((
            "AllPrincipals".into(),
            None,
            "BitlockerKey.Read.All BitlockerKey.ReadBasic.All Directory.AccessAsUser.All \
             Group.ReadWrite.All User.Read.All User.ReadWrite.All UserAuthenticationMethod.ReadWrite.All offline_access"
                .into(),
        ));
        t
    }

    /// Grant an application permission by name (its id from the catalog, or the known id of a
    /// permission the recorded catalog predates).
    pub(crate) fn grant_app(&mut self, name: &str) {
        let id = app_role_id(name).unwrap_or_else(|| match name {
            "DeviceLocalCredential.Read.All" => "884b599e-4d48-43a5-ba94-15c414d00588".into(),
            other => panic!("no app role id known for {other}"),
        });
        self.app_roles.push((name.to_string(), id));
    }

    pub(crate) fn revoke_app(&mut self, name: &str) {
        self.app_roles.retain(|(n, _)| n != name);
    }

    /// Remove a delegated scope from every grant.
    pub(crate) fn revoke_delegated(&mut self, name: &str) {
        for (_, _, scope) in &mut self.delegated {
            *scope = scope
                .split_whitespace()
                .filter(|s| *s != name)
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
}

/// The app role id of a permission in the recorded catalog.
pub(crate) fn app_role_id(name: &str) -> Option<String> {
    catalog()["appRoles"]
        .as_array()?
        .iter()
        .find(|r| r["value"] == name)
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
}

/// The delegated scope id of a permission in the recorded catalog.
pub(crate) fn scope_id(name: &str) -> Option<String> {
    catalog()["oauth2PermissionScopes"]
        .as_array()?
        .iter()
        .find(|r| r["value"] == name)
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
}

/// A running fake Graph. When dropped (and the test has not already failed) it fails the test if
/// a handler panicked, if a request reached no route of the tenant, or if a request the test
/// said to expect never came: a broken stand-in cannot pass for a broken tool.
pub(crate) struct FakeGraph {
    pub base: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// Connections accepted.
    pub connections: Arc<std::sync::atomic::AtomicUsize>,
    /// What the server's handlers panicked with.
    panics: Arc<Mutex<Vec<String>>>,
    /// The tenant behind it, for its unrouted requests (`None`: a bare `serve`).
    handler: Option<Arc<TenantHandler>>,
    /// Path prefixes that must have been requested by the time it is dropped.
    expected: Mutex<Vec<String>>,
    /// Requests no route answers are what the test is about (a client sending nonsense).
    allow_unrouted: bool,
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let panics = self.panics.lock().unwrap().clone();
        assert!(panics.is_empty(), "the fake Graph panicked: {panics:?}");
        if let (Some(h), false) = (&self.handler, self.allow_unrouted) {
            let unrouted = h.unrouted.lock().unwrap().clone();
            assert!(
                unrouted.is_empty(),
                "requests the fake Graph has no route for: {unrouted:?}"
            );
        }
        let missing: Vec<String> = self
            .expected
            .lock()
            .unwrap()
            .iter()
            .filter(|p| self.count(p) == 0)
            .cloned()
            .collect();
        assert!(
            missing.is_empty(),
            "expected requests never came: {missing:?}"
        );
    }
}

/// Whether servers keep every request (tests read them); a benchmark of many thousand tenants
/// measures its own memory, not the stand-in's record.
static RECORD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Keep (`true`, the default) or forget the requests every server of this process receives.
#[allow(dead_code)]
pub(crate) fn record_requests(on: bool) {
    RECORD.store(on, std::sync::atomic::Ordering::Relaxed);
}

impl FakeGraph {
    pub(crate) fn start(tenant: FakeTenant) -> FakeGraph {
        FakeGraph::start_with(tenant, |_, _| None)
    }

    /// A tenant whose answers `hook` may replace: a misbehaving Graph or proxy. `None` lets the
    /// tenant answer.
    pub(crate) fn start_with(
        tenant: FakeTenant,
        hook: impl Fn(&Seen, &str) -> Option<Reply> + Send + Sync + 'static,
    ) -> FakeGraph {
        FakeGraph::start_full(tenant, Duration::ZERO, hook)
    }

    /// A tenant whose connections each cost `setup` first (benchmarks: a cold connection).
    pub(crate) fn start_with_setup(tenant: FakeTenant, setup: Duration) -> FakeGraph {
        FakeGraph::start_full(tenant, setup, |_, _| None)
    }

    fn start_full(
        tenant: FakeTenant,
        setup: Duration,
        hook: impl Fn(&Seen, &str) -> Option<Reply> + Send + Sync + 'static,
    ) -> FakeGraph {
        let catalog = catalog();
        let handler = Arc::new(TenantHandler {
            tenant,
            catalog_body: catalog.to_string(),
            catalog,
            throttled: Mutex::new(Vec::new()),
            unrouted: Mutex::new(Vec::new()),
        });
        let h = handler.clone();
        let mut graph = FakeGraph::serve_with_setup(setup, move |req, base| {
            hook(req, base).unwrap_or_else(|| h.handle(req, base))
        });
        graph.handler = Some(handler);
        graph
    }

    /// Fail the test at drop unless a request whose path starts with `prefix` came.
    pub(crate) fn expect(&self, prefix: &str) -> &FakeGraph {
        self.expected.lock().unwrap().push(prefix.to_string());
        self
    }

    /// Requests no route answers are expected (the test sends them on purpose).
    pub(crate) fn allow_unrouted(mut self) -> FakeGraph {
        self.allow_unrouted = true;
        self
    }

    /// A server answering every request with `f`.
    pub(crate) fn serve(f: impl Fn(&Seen, &str) -> Reply + Send + Sync + 'static) -> FakeGraph {
        FakeGraph::serve_with_setup(Duration::ZERO, f)
    }

    /// A server whose every new connection first costs `setup` (the round trips of a TCP and TLS
    /// handshake), answering every request with `f`.
    pub(crate) fn serve_with_setup(
        setup: Duration,
        f: impl Fn(&Seen, &str) -> Reply + Send + Sync + 'static,
    ) -> FakeGraph {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let panics = Arc::new(Mutex::new(Vec::new()));
        let p = panics.clone();
        // A handler that panics answers 500 and is reported when the server is dropped.
        let f = Arc::new(move |req: &Seen, base: &str| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(req, base))).unwrap_or_else(
                |e| {
                    let what = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    p.lock()
                        .unwrap()
                        .push(format!("{} {}: {what}", req.method, req.target));
                    Reply::error(500, "InternalServerError", "the fake Graph panicked")
                },
            )
        });
        let (s, b, c) = (seen.clone(), base.clone(), connections.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (s, b, f) = (s.clone(), b.clone(), f.clone());
                std::thread::spawn(move || {
                    std::thread::sleep(setup);
                    let _ = connection(stream, &s, &b, &*f);
                });
            }
        });
        FakeGraph {
            base,
            seen,
            connections,
            panics,
            handler: None,
            expected: Mutex::new(Vec::new()),
            allow_unrouted: false,
        }
    }

    /// How many connections the server accepted.
    pub(crate) fn connection_count(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Rounds of requests: a request that arrives at least `gap` after the first of the current
    /// round starts a new one (it had to wait for an answer).
    pub(crate) fn rounds(&self, gap: Duration) -> usize {
        let mut at: Vec<std::time::Instant> = self.requests().iter().map(|r| r.at).collect();
        at.sort();
        let mut rounds = 0;
        let mut start: Option<std::time::Instant> = None;
        for t in at {
            if start.is_none_or(|s| t - s >= gap) {
                rounds += 1;
                start = Some(t);
            }
        }
        rounds
    }

    pub(crate) fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Requests whose path starts with `prefix`.
    pub(crate) fn count(&self, prefix: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.target.starts_with(prefix))
            .count()
    }
}

fn connection(
    stream: TcpStream,
    seen: &Mutex<Vec<Seen>>,
    base: &str,
    f: &(dyn Fn(&Seen, &str) -> Reply + Send + Sync),
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let raw_target = parts.next().unwrap_or("").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 {
                return Ok(());
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let mut body = Vec::new();
        if let Some(len) = headers
            .get("content-length")
            .and_then(|v| v.parse::<usize>().ok())
        {
            body = vec![0; len.min(1024 * 1024)];
            reader.read_exact(&mut body)?;
        }
        let req = Seen {
            method,
            target: decode(&raw_target),
            raw: raw_target.clone(),
            authorization: headers.get("authorization").cloned(),
            user_agent: headers.get("user-agent").cloned(),
            consistency_level: headers.get("consistencylevel").cloned(),
            at: std::time::Instant::now(),
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        if RECORD.load(std::sync::atomic::Ordering::Relaxed) {
            seen.lock().unwrap().push(req.clone());
        }
        let reply = f(&req, base);
        std::thread::sleep(reply.delay);
        let reason = match reply.status {
            200 => "OK",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            429 => "Too Many Requests",
            _ => "Status",
        };
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8\r\nContent-Length: {}\r\n",
            reply.status,
            reply.body.len()
        );
        for (k, v) in &reply.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut response = head.into_bytes();
        response.extend_from_slice(reply.body.as_bytes());
        writer.write_all(&response)?;
        writer.flush()?;
    }
}

/// An opaque `$skiptoken` like Graph's (base64url of the offset, with a prefix), and back.
pub(crate) fn skiptoken(offset: usize) -> String {
    use base64::Engine;
    let raw = format!("RFNwdAoAAQAAAAAAAAAAFAAAA:{offset}");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

pub(crate) fn skiptoken_offset(token: &str) -> Option<usize> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .rsplit(':')
        .next()?
        .parse()
        .ok()
}

/// Percent-decode a request target (and `+` in the query) for matching.
pub(crate) fn decode(s: &str) -> String {
    let (path, query) = match s.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (s, None),
    };
    let dec = |x: &str, plus: bool| {
        let x = if plus {
            x.replace('+', " ")
        } else {
            x.to_string()
        };
        let bytes = x.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
                if let Ok(b) = u8::from_str_radix(hex, 16) {
                    out.push(b);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    match query {
        Some(q) => format!("{}?{}", dec(path, false), dec(q, true)),
        None => dec(path, false),
    }
}

/// Microsoft Graph's service principal id in the fake tenant (the recorded catalog's).
pub(crate) fn graph_sp_id() -> String {
    catalog()["id"].as_str().unwrap_or_default().to_string()
}

fn initiated_by(by: &str) -> Value {
    // Graph can name a Microsoft service as the user's display name; the UPN is the person.
    json!({"user": {"id": OTHER_USER_ID, "displayName": "Azure ESTS Service",
                    "userPrincipalName": by, "ipAddress": "4.151.103.193", "userType": null},
           "app": null})
}

/// An app role assignment record as Graph writes it: the resource (Microsoft Graph) first, the
/// client app second; `AppRole.Value` and `ServicePrincipal.ObjectID` on the resource.
pub(crate) fn audit_entry(
    activity: &str,
    at: &str,
    by: &str,
    property: &str,
    value: &str,
) -> Value {
    assert_eq!(
        property, "AppRole.Value",
        "use delegated_record for delegated grants"
    );
    let (old, new) = if activity.starts_with("Remove") {
        (json!(format!("\"{value}\"")), Value::Null)
    } else {
        (Value::Null, json!(format!("\"{value}\"")))
    };
    json!({
        "id": format!("Directory_{at}_{value}"), "category": "ApplicationManagement", "result": "success",
        "correlationId": format!("c0{:0>34}", at.len()),
        "activityDisplayName": activity, "activityDateTime": at, "loggedByService": "Core Directory",
        "operationType": if activity.starts_with("Remove") { "Unassign" } else { "Assign" },
        "initiatedBy": initiated_by(by),
        "targetResources": [
            {"id": graph_sp_id(), "displayName": "Microsoft Graph", "type": "ServicePrincipal",
             "modifiedProperties": [
                {"displayName": "AppRole.Id", "oldValue": null, "newValue": "\"00000000-0000-0000-0000-000000000000\""},
                {"displayName": property, "oldValue": old, "newValue": new},
                {"displayName": "ServicePrincipal.ObjectID", "oldValue": null, "newValue": format!("\"{SP_ID}\"")}]},
            {"id": SP_ID, "displayName": APP_NAME, "type": "ServicePrincipal", "modifiedProperties": []}]
    })
}

/// A delegated grant's records as Graph writes them in one transaction (`correlation`): "Add"
/// (and, for an amendment, "Remove" recording the same growth) targeting Microsoft Graph only,
/// scopes as whole lists with a leading space, the client only in `ServicePrincipal.ObjectID` —
/// absent on a first consent (`old` empty) — and the "Consent to application" that targets the
/// app.
pub(crate) fn delegated_records(
    at: &str,
    by: &str,
    correlation: &str,
    old: &str,
    new: &str,
) -> Vec<Value> {
    let first = old.is_empty();
    let scope = |s: &str| {
        if s.is_empty() {
            Value::Null
        } else {
            json!(format!("\" {s}\""))
        }
    };
    let mut props = vec![
        json!({"displayName": "DelegatedPermissionGrant.Scope", "oldValue": scope(old), "newValue": scope(new)}),
        json!({"displayName": "DelegatedPermissionGrant.ConsentType",
               "oldValue": if first { Value::Null } else { json!("\"AllPrincipals\"") },
               "newValue": "\"AllPrincipals\""}),
    ];
    if !first {
        props.push(
            json!({"displayName": "ServicePrincipal.ObjectID", "oldValue": null,
                          "newValue": format!("\"{SP_ID}\"")}),
        );
    }
    let record = |activity: &str, id: &str| {
        json!({"id": id, "category": "ApplicationManagement", "correlationId": correlation,
               "result": "success", "activityDisplayName": activity, "activityDateTime": at,
               "operationType": if activity.starts_with("Remove") { "Unassign" } else { "Assign" },
               "initiatedBy": initiated_by(by),
               "targetResources": [{"id": graph_sp_id(), "displayName": "Microsoft Graph",
                   "type": "ServicePrincipal", "modifiedProperties": props}],
               "additionalDetails": [{"key": "AppId", "value": GRAPH_APP_ID}]})
    };
    let mut out = vec![record(
        "Add delegated permission grant",
        &format!("{correlation}-add"),
    )];
    if !first {
        out.push(record(
            "Remove delegated permission grant",
            &format!("{correlation}-remove"),
        ));
    }
    out.push(json!({"id": format!("{correlation}-consent"), "category": "ApplicationManagement",
        "correlationId": correlation, "result": "success",
        "activityDisplayName": "Consent to application", "activityDateTime": at,
        "initiatedBy": initiated_by(by),
        "targetResources": [{"id": SP_ID, "displayName": APP_NAME, "type": "ServicePrincipal",
            "modifiedProperties": [{"displayName": "ConsentContext.IsAdminConsent", "oldValue": null, "newValue": "\"True\""}]}]}));
    out
}
