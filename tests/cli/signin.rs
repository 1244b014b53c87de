//! Native CI sign-in against loopback stand-ins over TLS: the GitHub Actions job's OIDC token
//! and the Azure Pipelines service connection's, each exchanged at the token endpoint as the
//! client assertion; a refused assertion and missing variables.

use crate::support::fake_graph::{FakeGraph, FakeTenant, Reply, APP_ID, TENANT_ID};
use crate::support::tls_front::TlsFront;
use crate::support::{entra_perms, graph_token, json, run};

const AUDITOR: &str = "a0c1e2d3-1111-4222-8333-944455556666";

fn setup(refuse: bool) -> (FakeGraph, TlsFront) {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.refuse_assertions = refuse;
    let graph = FakeGraph::start(tenant);
    let front = TlsFront::start(&graph.base);
    (graph, front)
}

fn github(front: &TlsFront, auth: &str) -> assert_cmd::Command {
    let mut cmd = entra_perms();
    cmd.env("SSL_CERT_FILE", &front.ca_pem)
        .env("AZURE_AUTHORITY_HOST", &front.base)
        .env("AZURE_TENANT_ID", TENANT_ID)
        .env("AZURE_CLIENT_ID", AUDITOR)
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}/github-oidc?api-version=2.0", front.base),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token")
        .args([
            "-v",
            "audit",
            "--auth",
            auth,
            "--app",
            APP_ID,
            "--graph-url",
            &front.base,
        ])
        .args(["--format", "json"]);
    cmd
}

fn pipelines(front: &TlsFront, auth: &str) -> assert_cmd::Command {
    let mut cmd = entra_perms();
    cmd.env("SSL_CERT_FILE", &front.ca_pem)
        .env("AZURE_AUTHORITY_HOST", &front.base)
        .env("AZURESUBSCRIPTION_TENANT_ID", TENANT_ID)
        .env("AZURESUBSCRIPTION_CLIENT_ID", AUDITOR)
        .env("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "svc-conn-1")
        .env("SYSTEM_ACCESSTOKEN", "ado-system-token")
        .env(
            "SYSTEM_OIDCREQUESTURI",
            format!("{}/pipelines-oidc", front.base),
        )
        .args([
            "-v",
            "audit",
            "--auth",
            auth,
            "--app",
            APP_ID,
            "--graph-url",
            &front.base,
        ])
        .args(["--format", "json"]);
    cmd
}

/// The form of the token request the token endpoint received.
fn token_form(graph: &FakeGraph) -> String {
    graph
        .requests()
        .into_iter()
        .find(|r| r.target.ends_with("/oauth2/v2.0/token"))
        .expect("a token request")
        .body
}

#[test]
fn github_actions_exchanges_the_jobs_oidc_token() {
    for auth in ["github-actions", "auto"] {
        let (graph, front) = setup(false);
        let (code, out, err) = run(github(&front, auth));
        assert_eq!(code, 0, "{auth}: {err}");
        assert_eq!(json(&out)["passed"], true);
        assert!(err.contains("method=github-actions"), "{err}");
        let oidc = graph
            .requests()
            .into_iter()
            .find(|r| r.target.starts_with("/github-oidc"))
            .expect("the job's OIDC token was asked for");
        assert!(
            oidc.target.contains("audience=api://AzureADTokenExchange"),
            "{}",
            oidc.target
        );
        let form = token_form(&graph);
        assert!(form.contains("client_assertion=gh-oidc-jwt-"), "{form}");
        assert!(
            form.contains("client_id=a0c1e2d3-1111-4222-8333-944455556666"),
            "{form}"
        );
        assert!(
            form.contains("urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"),
            "{form}"
        );
        assert!(!err.contains("gh-request-token") && !out.contains("gh-request-token"));
    }
}

#[test]
fn azure_pipelines_exchanges_the_service_connections_oidc_token() {
    for auth in ["azure-pipelines", "auto"] {
        let (graph, front) = setup(false);
        let (code, out, err) = run(pipelines(&front, auth));
        assert_eq!(code, 0, "{auth}: {err}");
        assert_eq!(json(&out)["passed"], true);
        assert!(err.contains("method=azure-pipelines"), "{err}");
        let oidc = graph
            .requests()
            .into_iter()
            .find(|r| r.target.starts_with("/pipelines-oidc"))
            .expect("the service connection's OIDC token was asked for");
        assert_eq!(oidc.method, "POST");
        assert!(
            oidc.target.contains("serviceConnectionId=svc-conn-1"),
            "{}",
            oidc.target
        );
        assert!(token_form(&graph).contains("client_assertion=ado-oidc-jwt"));
        assert!(!err.contains("ado-system-token"));
    }
}

#[test]
fn a_refused_assertion_names_the_federated_credential() {
    let (_graph, front) = setup(true);
    for mut cmd in [
        github(&front, "github-actions"),
        pipelines(&front, "azure-pipelines"),
    ] {
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, 3, "{err}");
        assert!(out.is_empty());
        assert!(err.contains("AADSTS70021"), "{err}");
        assert!(err.contains("Check the federated credential"), "{err}");
    }
}

#[test]
fn an_oidc_endpoint_that_refuses_says_so_not_the_federated_credential() {
    let (graph, front) = setup(false);
    let mut cmd = github(&front, "github-actions");
    cmd.env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "a-stale-request-token");
    let (code, out, err) = run(cmd);
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("the GitHub OIDC endpoint answered 401 (does the job have `permissions: id-token: write`?)"),
        "{err}"
    );
    assert!(!err.contains("Check the federated credential"), "{err}");
    assert!(!err.contains("a-stale-request-token"), "{err}");
    // Entra ID was never asked.
    assert!(!graph
        .requests()
        .iter()
        .any(|r| r.target.ends_with("/oauth2/v2.0/token")));
}

#[test]
fn missing_variables_are_named_with_exit_2() {
    let (_graph, front) = setup(false);
    let mut cmd = github(&front, "github-actions");
    cmd.env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    let (code, _, err) = run(cmd);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ACTIONS_ID_TOKEN_REQUEST_TOKEN"), "{err}");
    let mut cmd = pipelines(&front, "azure-pipelines");
    cmd.env_remove("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID");
    let (code, _, err) = run(cmd);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"),
        "{err}"
    );
}

/// A token endpoint that answers 400 with the request it received echoed back raw, decoded, and
/// in JSON (as misbehaving endpoints and proxies do).
fn echoing_token_endpoint() -> (FakeGraph, TlsFront) {
    let graph = FakeGraph::start_with(FakeTenant::everything(&graph_token()), |req, _| {
        if req.method == "POST" && req.target.ends_with("/oauth2/v2.0/token") {
            let decoded: Vec<(String, String)> = url::form_urlencoded::parse(req.body.as_bytes())
                .into_owned()
                .collect();
            return Some(Reply::json(
                400,
                serde_json::json!({"error": "invalid_client", "error_description":
                    format!("AADSTS7000215: bad request {} decoded {:?} json {}",
                        req.body, decoded, serde_json::to_string(&decoded).unwrap()),
                    "error_codes": [7000215]}),
            ));
        }
        None
    });
    let front = TlsFront::start(&graph.base);
    (graph, front)
}

/// Every encoding of `secret` a server could echo: none may be in `text`.
fn leaks(text: &str, secret: &str) -> Vec<String> {
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let json = serde_json::to_string(secret).unwrap();
    [secret.to_string(), form, json.trim_matches('"').to_string()]
        .into_iter()
        .filter(|e| text.contains(e.as_str()))
        .collect()
}

#[test]
fn a_client_secret_echoed_by_the_token_endpoint_never_leaks() {
    let (graph, front) = echoing_token_endpoint();
    let secret = "Zq8~Secret.Value_with-+/=chars";
    let mut cmd = entra_perms();
    cmd.env("SSL_CERT_FILE", &front.ca_pem)
        .env("AZURE_AUTHORITY_HOST", &front.base)
        .env("AZURE_TENANT_ID", TENANT_ID)
        .env("AZURE_CLIENT_ID", AUDITOR)
        .env("AZURE_CLIENT_SECRET", secret)
        .args(["-vv", "audit", "--auth", "client-secret", "--app", APP_ID])
        .args(["--graph-url", &front.base]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 3, "{err}");
    assert!(token_form(&graph).contains("client_secret=Zq8%7ESecret"));
    assert!(err.contains("AADSTS7000215"), "{err}");
    let text = format!("{out}{err}");
    assert!(
        leaks(&text, secret).is_empty(),
        "{:?}\n{err}",
        leaks(&text, secret)
    );
}

#[test]
fn the_azure_pipelines_oidc_token_echoed_never_leaks() {
    let (graph, front) = echoing_token_endpoint();
    let (code, out, err) = run(&mut pipelines(&front, "azure-pipelines"));
    assert_eq!(code, 3, "{err}");
    assert!(token_form(&graph).contains("client_assertion=ado-oidc-jwt"));
    let text = format!("{out}{err}");
    assert!(leaks(&text, "ado-oidc-jwt").is_empty(), "{err}");
    assert!(leaks(&text, "ado-system-token").is_empty(), "{err}");
}

/// The peak resident memory of a child process, watched until it exits (Linux: `VmHWM`).
#[cfg(target_os = "linux")]
fn run_watching_memory(mut cmd: std::process::Command) -> (i32, String, u64) {
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    let started = std::time::Instant::now();
    let code = loop {
        if let Ok(text) = std::fs::read_to_string(&status) {
            if let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s.code().unwrap_or(-1);
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "no end"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    (code, err, peak_kib * 1024)
}

/// A 3 GB answer from each sign-in endpoint the tool talks to (the token endpoint, GitHub's
/// and Azure Pipelines' OIDC endpoints): a clear error, and the tool's memory stays under
/// 100 MB. (The managed-identity endpoint is the fixed IMDS address; its answers go through the
/// same bounded transport as the token endpoint's, tested in `graph/auth/tests.rs`.)
#[cfg(target_os = "linux")]
#[test]
fn a_3_gb_sign_in_answer_is_a_clear_error_in_bounded_memory() {
    let flood = crate::support::flood::Flood::start(3_000_000_000);
    #[allow(deprecated)]
    let bin = assert_cmd::cargo::cargo_bin("entra-perms");
    let base = |auth: &str| {
        let mut cmd = std::process::Command::new(&bin);
        cmd.env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", "/nonexistent")
            .env("SSL_CERT_FILE", &flood.ca_pem)
            .env("AZURE_AUTHORITY_HOST", &flood.base)
            .env("AZURE_TENANT_ID", TENANT_ID)
            .env("AZURE_CLIENT_ID", AUDITOR)
            .args([
                "audit",
                "--auth",
                auth,
                "--app",
                APP_ID,
                "--graph-url",
                &flood.base,
            ]);
        cmd
    };
    let mut secret = base("client-secret");
    secret.env("AZURE_CLIENT_SECRET", "Zq8~not.a_real-secret");
    let mut github = base("github-actions");
    github
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}/github-oidc?api-version=2.0", flood.base),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token");
    let mut pipelines = base("azure-pipelines");
    pipelines
        .env("AZURESUBSCRIPTION_TENANT_ID", TENANT_ID)
        .env("AZURESUBSCRIPTION_CLIENT_ID", AUDITOR)
        .env("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "svc-conn-1")
        .env("SYSTEM_ACCESSTOKEN", "ado-system-token")
        .env(
            "SYSTEM_OIDCREQUESTURI",
            format!("{}/pipelines-oidc", flood.base),
        );
    for (what, cmd) in [
        ("token endpoint", secret),
        ("GitHub OIDC", github),
        ("Azure Pipelines OIDC", pipelines),
    ] {
        let (code, err, peak) = run_watching_memory(cmd);
        eprintln!("{what}: peak resident memory {} MiB", peak / 1024 / 1024);
        assert_eq!(code, 3, "{what}: {err}");
        assert!(err.contains("larger than"), "{what}: a clear error: {err}");
        assert!(!err.contains("not.a_real-secret"), "{what}: {err}");
        assert!(
            peak < 100 * 1024 * 1024,
            "{what}: peak memory {} MB",
            peak / 1024 / 1024
        );
    }
}

/// An access token is checked from its claims before any request: expired, or for another API,
/// is exit 3 saying which — and Graph is never asked.
#[test]
fn an_expired_or_foreign_access_token_is_refused_before_any_request() {
    let graph = FakeGraph::start(FakeTenant::everything(&crate::support::graph_token()));
    for (claims, says) in [
        (
            serde_json::json!({"aud": "https://graph.microsoft.com", "tid": TENANT_ID, "exp": 1_700_000_000}),
            "the access token expired at 2023-11-14T22:13:20Z",
        ),
        (
            serde_json::json!({"aud": "https://management.azure.com/", "tid": TENANT_ID}),
            "the audience `https://management.azure.com/`",
        ),
    ] {
        let mut cmd = entra_perms();
        cmd.env("ENTRA_PERMS_ACCESS_TOKEN", crate::support::jwt(claims))
            .args([
                "audit",
                "--auth",
                "access-token",
                "--app",
                APP_ID,
                "--graph-url",
                &graph.base,
            ]);
        let (code, _, err) = run(cmd);
        assert_eq!(code, 3, "{err}");
        assert!(err.contains(says), "{err}");
    }
    assert!(
        graph.requests().is_empty(),
        "Graph was asked: {:?}",
        graph.requests()
    );
}
