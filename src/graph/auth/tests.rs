//! Tests of the sign-in: each method against a stand-in token endpoint, and the assertions.
//!
//! Test code only (compiled under `#[cfg(test)]`): each `unwrap()`/`expect()` here fails the test
//! it is in when a fixture breaks; none is reachable from the tool.

use super::*;
use aws_lc_rs::signature;
use azure_core::http::{headers::Headers, AsyncRawResponse, HttpClient, Request, StatusCode};
use base64::Engine;
use std::collections::HashMap;
use std::sync::Mutex;

const TEST_PEM: &str = include_str!("../../../tests/fixtures/auth/test-client.pem");
const TEST_THUMBPRINT_SHA1_HEX: &str =
    include_str!("../../../tests/fixtures/auth/test-client.sha1");

/// A token endpoint inside the test: answers token requests and records their forms.
#[derive(Debug, Default)]
struct FakeTokenEndpoint {
    seen: Mutex<Vec<(String, HashMap<String, String>)>>,
    refuse: bool,
    /// Refuse, echoing the whole form (secrets included) in the error.
    echo: bool,
}

#[async_trait::async_trait]
impl HttpClient for FakeTokenEndpoint {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let body = match request.body() {
            azure_core::http::Body::Bytes(b) => b.to_vec(),
            #[allow(unreachable_patterns)]
            _ => Vec::new(),
        };
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(&body).into_owned().collect();
        self.seen
            .lock()
            .unwrap()
            .push((request.url().to_string(), form));
        if request.url().host_str() == Some("169.254.169.254") {
            let json = r#"{"access_token":"managed-identity-token","expires_on":"4070908800","token_type":"Bearer","resource":"https://graph.microsoft.com"}"#;
            return Ok(AsyncRawResponse::from_bytes(
                StatusCode::Ok,
                Headers::new(),
                json.as_bytes().to_vec(),
            ));
        }
        if self.echo {
            let echoed = serde_json::json!({"error": "invalid_request",
                "error_description": format!("AADSTS900144: bad request: {}", String::from_utf8_lossy(&body))});
            return Ok(AsyncRawResponse::from_bytes(
                StatusCode::BadRequest,
                Headers::new(),
                echoed.to_string().into_bytes(),
            ));
        }
        let (status, json) = if self.refuse {
            (
                StatusCode::Unauthorized,
                r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}"#,
            )
        } else {
            (
                StatusCode::Ok,
                r#"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"fake-graph-token"}"#,
            )
        };
        Ok(AsyncRawResponse::from_bytes(
            status,
            Headers::new(),
            json.as_bytes().to_vec(),
        ))
    }
}

fn ctx(vars: &[(&str, &str)], endpoint: Arc<FakeTokenEndpoint>, cloud: Cloud) -> AuthContext {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let authority = authority_host(cloud, vars.get("AZURE_AUTHORITY_HOST").cloned()).unwrap();
    AuthContext {
        cloud,
        tenant: vars.get("AZURE_TENANT_ID").cloned(),
        transport: Transport::new(endpoint),
        http: reqwest::Client::new(),
        authority_host: authority,
        env: Arc::new(move |k| vars.get(k).cloned()),
        executor: None,
        refused: Arc::default(),
    }
}

const TENANT: &str = "65415bb1-9267-4313-bbf5-ae259732ee12";
const CLIENT: &str = "46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b";

#[tokio::test]
async fn client_secret_flow_posts_to_the_cloud_authority_with_the_graph_scope() {
    let ep = Arc::new(FakeTokenEndpoint::default());
    let c = ctx(
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_SECRET", "s3cret-value"),
        ],
        ep.clone(),
        Cloud::Usgov,
    );
    assert_eq!(resolve_auto(&c), AuthMethod::ClientSecret);
    let token = acquire(AuthMethod::Auto, &c).await.unwrap();
    assert_eq!(token.expose(), "fake-graph-token");
    let seen = ep.seen.lock().unwrap();
    assert_eq!(
        seen[0].0,
        format!("https://login.microsoftonline.us/{TENANT}/oauth2/v2.0/token")
    );
    assert_eq!(seen[0].1["scope"], "https://graph.microsoft.us/.default");
    assert_eq!(seen[0].1["grant_type"], "client_credentials");
    assert_eq!(seen[0].1["client_id"], CLIENT);
}

#[tokio::test]
async fn authority_host_variable_overrides_the_login_host() {
    let ep = Arc::new(FakeTokenEndpoint::default());
    let c = ctx(
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_SECRET", "s"),
            (
                "AZURE_AUTHORITY_HOST",
                "https://login.contoso-sovereign.example/",
            ),
        ],
        ep.clone(),
        Cloud::Global,
    );
    acquire(AuthMethod::ClientSecret, &c).await.unwrap();
    assert!(ep.seen.lock().unwrap()[0]
        .0
        .starts_with("https://login.contoso-sovereign.example/"));
    assert!(authority_host(Cloud::Global, Some("http://login.example".into())).is_err());
}

#[tokio::test]
async fn a_refused_token_is_a_clear_error_without_the_secret() {
    let ep = Arc::new(FakeTokenEndpoint {
        refuse: true,
        ..Default::default()
    });
    let c = ctx(
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_SECRET", "s3cret-value"),
        ],
        ep,
        Cloud::Global,
    );
    let e = acquire(AuthMethod::ClientSecret, &c).await.unwrap_err();
    let s = format!("{e:#}");
    assert!(
        s.contains("could not get a Microsoft Graph token with the client-secret sign-in"),
        "{s}"
    );
    assert!(s.contains("AADSTS7000215"), "{s}");
    assert!(!s.contains("s3cret-value"), "{s}");
}

#[tokio::test]
async fn a_token_endpoint_echoing_the_form_leaks_no_secret() {
    let ep = Arc::new(FakeTokenEndpoint {
        echo: true,
        ..Default::default()
    });
    let secret = "EchoedSecretValue-123";
    let c = ctx(
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_SECRET", secret),
        ],
        ep.clone(),
        Cloud::Global,
    );
    let e = acquire(AuthMethod::ClientSecret, &c).await.unwrap_err();
    let s = format!("{e:#}");
    assert!(s.contains("AADSTS900144"), "{s}");
    assert!(!s.contains(secret), "{s}");
    // The certificate's signed assertion is a secret too.
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("c.pem");
    std::fs::write(&pem, TEST_PEM).unwrap();
    let c = ctx(
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_CERTIFICATE_PATH", pem.to_str().unwrap()),
        ],
        ep.clone(),
        Cloud::Global,
    );
    let e = acquire(AuthMethod::ClientCertificate, &c)
        .await
        .unwrap_err();
    let s = format!("{e:#}");
    let sent = ep.seen.lock().unwrap().last().unwrap().1["client_assertion"].clone();
    assert!(s.contains("AADSTS900144"), "{s}");
    assert!(!s.contains(&sent), "{s}");
    assert!(!s.contains(sent.split('.').nth(2).unwrap()), "{s}");
}

#[tokio::test]
async fn missing_variables_are_named() {
    let ep = Arc::new(FakeTokenEndpoint::default());
    let c = ctx(&[("AZURE_TENANT_ID", TENANT)], ep.clone(), Cloud::Global);
    let e = acquire(AuthMethod::ClientSecret, &c).await.unwrap_err();
    assert!(format!("{e:#}").contains("AZURE_CLIENT_ID"), "{e}");
    let e = acquire(AuthMethod::AccessToken, &c).await.unwrap_err();
    assert!(format!("{e:#}").contains(ACCESS_TOKEN_ENV), "{e}");
    let c = ctx(
        &[("AZURE_CLIENT_ID", CLIENT), ("AZURE_CLIENT_SECRET", "x")],
        ep,
        Cloud::Global,
    );
    let e = acquire(AuthMethod::ClientSecret, &c).await.unwrap_err();
    assert!(format!("{e:#}").contains("needs a tenant"), "{e:#}");
}

#[tokio::test]
async fn workload_identity_sends_the_federated_token_as_assertion() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("federated-token");
    std::fs::write(&file, "oidc-federated-jwt").unwrap();
    let ep = Arc::new(FakeTokenEndpoint::default());
    let c = ctx(
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_FEDERATED_TOKEN_FILE", file.to_str().unwrap()),
        ],
        ep.clone(),
        Cloud::Global,
    );
    assert_eq!(resolve_auto(&c), AuthMethod::WorkloadIdentity);
    let t = acquire(AuthMethod::Auto, &c).await.unwrap();
    assert_eq!(t.expose(), "fake-graph-token");
    let seen = ep.seen.lock().unwrap();
    assert_eq!(seen[0].1["client_assertion"], "oidc-federated-jwt");
    assert_eq!(
        seen[0].1["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
}

#[tokio::test]
async fn client_certificate_sends_a_signed_rs256_assertion() {
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("cert.pem");
    std::fs::write(&pem, TEST_PEM).unwrap();
    let ep = Arc::new(FakeTokenEndpoint::default());
    let c = ctx(
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_CERTIFICATE_PATH", pem.to_str().unwrap()),
        ],
        ep.clone(),
        Cloud::China,
    );
    assert_eq!(resolve_auto(&c), AuthMethod::ClientCertificate);
    acquire(AuthMethod::Auto, &c).await.unwrap();
    let seen = ep.seen.lock().unwrap();
    let jwt = &seen[0].1["client_assertion"];
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let dec = |s: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap()
    };
    let header: serde_json::Value = serde_json::from_slice(&dec(parts[0])).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&dec(parts[1])).unwrap();
    assert_eq!(header["alg"], "RS256");
    let x5t_hex: String = dec(header["x5t"].as_str().unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(x5t_hex, TEST_THUMBPRINT_SHA1_HEX.trim());
    assert_eq!(
        claims["aud"],
        format!("https://login.chinacloudapi.cn/{TENANT}/oauth2/v2.0/token")
    );
    assert_eq!(claims["iss"], CLIENT);
    assert_eq!(claims["sub"], CLIENT);
    // The signature verifies with the certificate's public key.
    let assertion = CertificateAssertion::from_pem(TEST_PEM.as_bytes(), CLIENT, "a").unwrap();
    let key = signature::UnparsedPublicKey::new(
        &signature::RSA_PKCS1_2048_8192_SHA256,
        assertion.public_key(),
    );
    key.verify(
        format!("{}.{}", parts[0], parts[1]).as_bytes(),
        &dec(parts[2]),
    )
    .expect("signature verifies");
}

#[test]
fn certificate_file_problems_are_clear() {
    assert!(CertificateAssertion::from_pem(b"junk", CLIENT, "a")
        .unwrap_err()
        .to_string()
        .contains("no CERTIFICATE"));
    let cert_only: String = TEST_PEM
        .split("-----BEGIN PRIVATE KEY-----")
        .next()
        .unwrap()
        .to_string();
    assert!(
        CertificateAssertion::from_pem(cert_only.as_bytes(), CLIENT, "a")
            .unwrap_err()
            .to_string()
            .contains("PRIVATE KEY")
    );
    let e =
        CertificateAssertion::from_pem_file(Path::new("/no/cert.pem"), CLIENT, "a").unwrap_err();
    assert!(format!("{e:#}").contains("/no/cert.pem"));
}

#[tokio::test]
async fn managed_identity_asks_the_instance_metadata_service() {
    let ep = Arc::new(FakeTokenEndpoint::default());
    let c = ctx(&[("AZURE_CLIENT_ID", CLIENT)], ep.clone(), Cloud::Global);
    let t = acquire(AuthMethod::ManagedIdentity, &c).await.unwrap();
    assert_eq!(t.expose(), "managed-identity-token");
    let seen = ep.seen.lock().unwrap();
    let url = url::Url::parse(&seen[0].0).unwrap();
    assert_eq!(url.host_str(), Some("169.254.169.254"));
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(query["resource"], "https://graph.microsoft.com");
    assert_eq!(
        query["client_id"], CLIENT,
        "a user-assigned identity: {url}"
    );
}

/// A fake `az` that prints a token.
#[derive(Debug)]
struct FakeAz;

#[async_trait::async_trait]
impl Executor for FakeAz {
    async fn run(
        &self,
        _program: &std::ffi::OsStr,
        args: &[&std::ffi::OsStr],
    ) -> std::io::Result<std::process::Output> {
        use std::os::unix::process::ExitStatusExt;
        let cmd = args
            .iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            cmd.contains("--scope https://graph.microsoft.com/.default"),
            "{cmd}"
        );
        assert!(cmd.contains(&format!("--tenant {TENANT}")), "{cmd}");
        Ok(std::process::Output {
            status: std::process::ExitStatus::from_raw(0),
            stdout: br#"{"accessToken":"az-cli-token","expiresOn":"2099-01-01 00:00:00.000000","expires_on":4070908800,"tokenType":"Bearer"}"#.to_vec(),
            stderr: Vec::new(),
        })
    }
}

#[tokio::test]
async fn azure_cli_is_the_fallback_and_passes_the_tenant() {
    let mut c = ctx(
        &[("AZURE_TENANT_ID", TENANT)],
        Arc::default(),
        Cloud::Global,
    );
    assert_eq!(resolve_auto(&c), AuthMethod::AzureCli);
    c.executor = Some(Arc::new(FakeAz));
    let t = acquire(AuthMethod::Auto, &c).await.unwrap();
    assert_eq!(t.expose(), "az-cli-token");
}

#[test]
fn auto_picks_a_ci_sign_in_only_when_all_it_needs_is_set() {
    let pick = |vars: &[(&str, &str)]| resolve_auto(&ctx(vars, Arc::default(), Cloud::Global));
    let github = [
        ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://x"),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "t"),
        ("AZURE_CLIENT_ID", "c"),
    ];
    assert_eq!(pick(&github), AuthMethod::GithubActions);
    // azure/login users without AZURE_CLIENT_ID keep the Azure CLI.
    assert_eq!(pick(&github[..2]), AuthMethod::AzureCli);
    let pipelines = [
        ("SYSTEM_OIDCREQUESTURI", "https://x"),
        ("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "s"),
        ("SYSTEM_ACCESSTOKEN", "t"),
    ];
    assert_eq!(pick(&pipelines), AuthMethod::AzurePipelines);
    // Every pipeline job has SYSTEM_OIDCREQUESTURI; alone it is not a sign-in.
    assert_eq!(pick(&pipelines[..1]), AuthMethod::AzureCli);
    assert_eq!(pick(&pipelines[..2]), AuthMethod::AzureCli);
}

#[tokio::test]
async fn access_token_wins_in_auto() {
    let c = ctx(
        &[(ACCESS_TOKEN_ENV, " tok "), ("AZURE_CLIENT_SECRET", "x")],
        Arc::default(),
        Cloud::Global,
    );
    assert_eq!(resolve_auto(&c), AuthMethod::AccessToken);
    assert_eq!(acquire(AuthMethod::Auto, &c).await.unwrap().expose(), "tok");
    let c = ctx(
        &[(ACCESS_TOKEN_ENV, "Bearer tok2\n")],
        Arc::default(),
        Cloud::Global,
    );
    assert_eq!(
        acquire(AuthMethod::Auto, &c).await.unwrap().expose(),
        "tok2"
    );
}

/// An endpoint whose answer never ends (a chunk of 64 KiB, again and again, made as it is read).
#[derive(Debug)]
struct EndlessEndpoint;

#[async_trait::async_trait]
impl HttpClient for EndlessEndpoint {
    async fn execute_request(&self, _: &Request) -> azure_core::Result<AsyncRawResponse> {
        let chunk = azure_core::Bytes::from(vec![b'x'; 64 * 1024]);
        // 3 GiB in all, were it read to the end.
        let stream = futures::stream::iter((0..49_152).map(move |_| Ok(chunk.clone())));
        Ok(AsyncRawResponse::new(
            StatusCode::Ok,
            Headers::new(),
            Box::pin(stream),
        ))
    }
}

#[tokio::test]
async fn an_endless_sign_in_answer_is_refused_after_a_mebibyte() {
    let bounded = BoundedHttp {
        inner: Arc::new(EndlessEndpoint),
        limit: MAX_SIGN_IN_BYTES,
        refused: Arc::default(),
    };
    let request = Request::new(
        url::Url::parse("https://login.example/t/oauth2/v2.0/token").unwrap(),
        azure_core::http::Method::Post,
    );
    let e = bounded.execute_request(&request).await.unwrap_err();
    assert!(e.to_string().contains("larger than 1024 KiB"), "{e}");
}
