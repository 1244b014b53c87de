//! Test support: the binary under an isolated environment, and fixture helpers.

#![allow(dead_code)]

pub(crate) mod browser;
pub(crate) mod fake_graph;
pub(crate) mod flood;
pub(crate) mod release;
pub(crate) mod runner;
pub(crate) mod tls_front;

use std::path::PathBuf;

use assert_cmd::Command;
use base64::Engine;

/// The binary with an environment cleared of anything that could reach a real tenant.
pub(crate) fn entra_perms() -> Command {
    let mut cmd = Command::cargo_bin("entra-perms").expect("binary builds");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .env("HOME", std::env::temp_dir());
    cmd
}

/// A shipped example (`examples/NAME`).
pub(crate) fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

pub(crate) fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// Run and return (exit code, stdout, stderr).
pub(crate) fn run(mut cmd: impl std::borrow::BorrowMut<Command>) -> (i32, String, String) {
    let out = cmd.borrow_mut().output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub(crate) fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}):\n{s}"))
}

/// An unsigned JWT with these claims, as Graph tokens look (the fake Graph only compares it).
pub(crate) fn jwt(claims: serde_json::Value) -> String {
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.{}",
        b64(br#"{"typ":"JWT","alg":"RS256","x5t":"test"}"#),
        b64(claims.to_string().as_bytes()),
        b64(b"not-a-real-signature")
    )
}

/// A token the fake Graph accepts, issued for `fake_graph::TENANT_ID`.
pub(crate) fn graph_token() -> String {
    graph_token_for("graph.microsoft.com")
}

/// The same, for the Microsoft Graph of another cloud (its host as the audience).
pub(crate) fn graph_token_for(graph_host: &str) -> String {
    jwt(serde_json::json!({
        "aud": format!("https://{graph_host}"),
        "iss": format!("https://sts.windows.net/{}/", fake_graph::TENANT_ID),
        "tid": fake_graph::TENANT_ID,
        "appid": "a0c1e2d3-1111-4222-8333-944455556666",
        "roles": ["Application.Read.All", "Directory.Read.All"],
        "secret_marker": "TOKEN-MUST-NOT-LEAK"
    }))
}

/// `entra-perms audit --app … --format json` against a fake Graph, with the token in the
/// environment.
pub(crate) fn audit_against(graph: &fake_graph::FakeGraph, extra: &[&str]) -> Command {
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", graph_token())
        .args([
            "audit",
            "--app",
            fake_graph::APP_ID,
            "--graph-url",
            &graph.base,
        ])
        .args(extra);
    cmd
}

/// The findings of an audit JSON (or of one tenant's report) with this stable code.
pub(crate) fn findings<'a>(doc: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    doc["findings"]
        .as_array()
        .map(|all| all.iter().filter(|f| f["code"] == code).collect())
        .unwrap_or_default()
}
