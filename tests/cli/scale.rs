//! Many tenants, and robustness: a table of bad inputs, each with a clear error and its exit code.

use crate::support::fake_graph::{FakeGraph, FakeTenant, APP_ID, TENANT_ID};
use crate::support::{audit_against, entra_perms, graph_token, json, jwt, run};

const OTHER_TENANT: &str = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";

fn tenants_audit(
    graph: &FakeGraph,
    file: &std::path::Path,
    extra: &[&str],
) -> (i32, String, String) {
    let mut cmd = audit_against(graph, &["--tenants"]);
    cmd.arg(file).args(extra);
    run(&mut cmd)
}

#[test]
fn many_tenants_each_reported_and_one_failure_does_not_stop_the_others() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.revoke_app("AuditLog.Read.All");
    let graph = FakeGraph::start(tenant);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tenants.txt");
    std::fs::write(
        &file,
        format!("# customers\n{TENANT_ID}\n{OTHER_TENANT}   # token is not for this one\n\ncontoso.onmicrosoft.com\n"),
    )
    .unwrap();

    let (code, out, err) =
        tenants_audit(&graph, &file, &["--format", "json", "--concurrency", "2"]);
    assert_eq!(code, 3, "the worst of 1, 3 and 1: {err}");
    let doc = json(&out);
    let tenants = doc["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 3);
    assert_eq!(tenants[0]["tenant"], TENANT_ID);
    assert_eq!(tenants[0]["exitCode"], 1);
    assert_eq!(tenants[0]["report"]["summary"]["covered"], 17);
    assert_eq!(tenants[1]["tenant"], OTHER_TENANT);
    assert_eq!(tenants[1]["exitCode"], 3);
    assert!(
        tenants[1]["error"]
            .as_str()
            .unwrap()
            .contains("is for tenant"),
        "{}",
        tenants[1]
    );
    assert!(tenants[1].get("report").is_none());
    assert_eq!(tenants[2]["tenant"], "contoso.onmicrosoft.com");
    assert_eq!(tenants[2]["exitCode"], 1);
    assert_eq!(
        doc["summary"],
        serde_json::json!({"tenants": 3, "passed": 0, "failed": 2, "errors": 1})
    );

    let (code, out, _) = tenants_audit(&graph, &file, &[]);
    assert_eq!(code, 3);
    assert!(
        out.contains("3 tenants: 0 passed, 2 failed, 1 could not be audited"),
        "{out}"
    );
    assert!(out.contains("AuditLog.Read.All"), "{out}");

    let (_, out, _) = tenants_audit(&graph, &file, &["--format", "junit"]);
    assert!(
        out.contains(
            "<testsuites name=\"entra-perms audit\" tests=\"59\" failures=\"2\" errors=\"1\">"
        ),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "name=\"entra-perms.{OTHER_TENANT}\" tests=\"1\" failures=\"0\" errors=\"1\""
        )),
        "{out}"
    );
    let (_, out, _) = tenants_audit(&graph, &file, &["--format", "markdown"]);
    assert!(
        out.starts_with("## entra-perms audit of 3 tenants"),
        "{out}"
    );
}

#[test]
fn all_tenants_passing_exits_0() {
    let graph = FakeGraph::start(FakeTenant::everything(&graph_token()));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tenants.txt");
    // The tenant by id and by two of its verified domains.
    std::fs::write(
        &file,
        format!("{TENANT_ID}\ncontoso.onmicrosoft.com\nCONTOSO.example\n"),
    )
    .unwrap();
    let (code, out, _) = tenants_audit(&graph, &file, &["--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let doc = json(&out);
    assert_eq!(doc["summary"]["passed"], 3);
    for t in doc["tenants"].as_array().unwrap() {
        // The tenant that was read, never just the string asked for.
        assert_eq!(t["report"]["tenantId"], TENANT_ID, "{t}");
    }
}

#[test]
fn a_tenant_the_token_cannot_read_is_an_error_never_a_pass() {
    // One access token, for TENANT_ID: another tenant given by domain must not be "audited"
    // in the token's own tenant and reported PASS.
    let graph = FakeGraph::start(FakeTenant::everything(&graph_token()));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tenants.txt");
    std::fs::write(&file, format!("{TENANT_ID}\nfabrikam.onmicrosoft.com\n")).unwrap();
    let (code, out, _) = tenants_audit(&graph, &file, &["--format", "json"]);
    assert_eq!(code, 3, "{out}");
    let doc = json(&out);
    assert_eq!(doc["summary"]["passed"], 1);
    assert_eq!(doc["summary"]["errors"], 1);
    let fabrikam = &doc["tenants"][1];
    assert_eq!(fabrikam["tenant"], "fabrikam.onmicrosoft.com");
    assert_eq!(fabrikam["exitCode"], 3);
    assert!(fabrikam["report"].is_null(), "no verdict: {fabrikam}");
    let error = fabrikam["error"].as_str().unwrap();
    assert!(
        error.contains(&format!(
            "the tenant read is {TENANT_ID}, not fabrikam.onmicrosoft.com"
        )),
        "{error}"
    );
    let (_, table, _) = tenants_audit(&graph, &file, &["--format", "table"]);
    let line = table.lines().find(|l| l.contains("fabrikam")).unwrap();
    assert!(!line.contains("PASS"), "{table}");

    // A token that is not a JWT says nothing of its tenant: Graph's answer decides.
    let opaque = "opaque-token-value-1234";
    let graph = FakeGraph::start(FakeTenant::everything(opaque));
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", opaque)
        .args([
            "audit",
            "--app",
            APP_ID,
            "--graph-url",
            &graph.base,
            "--tenants",
        ])
        .arg(&file)
        .args(["--format", "json"]);
    let (code, out, _) = run(cmd);
    assert_eq!(code, 3, "{out}");
    let doc = json(&out);
    assert_eq!(doc["tenants"][0]["exitCode"], 0, "{out}");
    assert_eq!(doc["tenants"][1]["exitCode"], 3, "{out}");
    assert_eq!(graph.count("/v1.0/organization"), 2);
}

#[test]
fn a_token_for_another_tenant_is_refused() {
    let graph = FakeGraph::start(FakeTenant::everything(&graph_token()));
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", graph_token()).args([
        "audit",
        "--app",
        APP_ID,
        "--graph-url",
        &graph.base,
        "--tenant",
        OTHER_TENANT,
    ]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 3);
    assert!(out.is_empty());
    assert!(
        err.contains(&format!(
            "the access token is for tenant {TENANT_ID}, not {OTHER_TENANT}"
        )),
        "{err}"
    );
    assert!(
        graph.requests().is_empty(),
        "no request with a token for the wrong tenant"
    );
}

/// Every bad input: what it is, the command, the expected exit code and a phrase of the error.
#[test]
// A table of cases: longer with each case, clearer as one list.
#[allow(clippy::too_many_lines)]
fn bad_inputs_get_clear_errors_and_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let big = {
        let p = dir.path().join("big.bin");
        let chunk = vec![b'x'; 1024 * 1024];
        let mut f = std::fs::File::create(&p).unwrap();
        for _ in 0..50 {
            std::io::Write::write_all(&mut f, &chunk).unwrap();
        }
        p.display().to_string()
    };
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let nested_json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let nested_toml = format!("x = {}{}", "[".repeat(100_000), "]".repeat(100_000));
    let huge_token = jwt(serde_json::json!({"roles": ["x".repeat(1024 * 1024)]}));

    let empty = file("empty", b"");
    let garbage = file("garbage", &garbage);
    let non_utf8 = file("latin1", b"name = \"caf\xe9\"\n");
    let nested_json = file("nested.json", nested_json.as_bytes());
    let nested_toml = file("nested.toml", nested_toml.as_bytes());
    let token_file = file("token", huge_token.as_bytes());
    let short_guid = "62a82d76-70ea-41e2-9197-37058180";
    let bad_guid_matrix = file(
        "guid.toml",
        format!("[[permission]]\nname = \"A.B\"\ntype = \"Application\"\napi_versions = [\"v1.0\"]\nobjects = [\"X\"]\npurposes = [\"backup\"]\ndescription = \"d\"\napplication_id = \"{short_guid}\"\n").as_bytes(),
    );

    let cases: Vec<(&str, Vec<&str>, i32, &str)> = vec![
        (
            "empty matrix",
            vec!["matrix", "--matrix", &empty],
            2,
            "no [[permission]] tables",
        ),
        (
            "binary matrix",
            vec!["matrix", "--matrix", &garbage],
            2,
            "not UTF-8",
        ),
        (
            "50 MB matrix",
            vec!["matrix", "--matrix", &big],
            2,
            "larger than",
        ),
        (
            "non-UTF-8 matrix",
            vec!["matrix", "--matrix", &non_utf8],
            2,
            "not UTF-8",
        ),
        (
            "deeply nested matrix",
            vec!["matrix", "--matrix", &nested_toml],
            2,
            "invalid matrix",
        ),
        (
            "GUID of the wrong length",
            vec!["matrix", "--matrix", &bad_guid_matrix],
            2,
            "is not a GUID",
        ),
        (
            "empty snapshot",
            vec!["audit", "--from", &empty],
            2,
            "not valid JSON",
        ),
        (
            "binary snapshot",
            vec!["audit", "--from", &garbage],
            2,
            "not UTF-8",
        ),
        (
            "50 MB snapshot",
            vec!["audit", "--from", &big],
            2,
            "larger than",
        ),
        (
            "deeply nested snapshot",
            vec!["audit", "--from", &nested_json],
            2,
            "recursion limit",
        ),
        (
            "1 MB token",
            vec!["audit", "--token-claims", "--token-file", &token_file],
            2,
            "larger than 64 KiB",
        ),
        (
            "binary token",
            vec!["audit", "--token-claims", "--token-file", &garbage],
            2,
            "holds a character a token cannot have",
        ),
        (
            "empty tenants file",
            vec!["audit", "--app", APP_ID, "--tenants", &empty],
            2,
            "no tenant",
        ),
        (
            "binary tenants file",
            vec!["audit", "--app", APP_ID, "--tenants", &garbage],
            2,
            "not UTF-8",
        ),
        (
            "short GUID to explain",
            vec!["explain", short_guid],
            2,
            "neither a Microsoft Graph permission",
        ),
        (
            "unknown flag",
            vec!["audit", "--colour"],
            2,
            "unexpected argument",
        ),
        (
            "concurrency 0",
            vec![
                "audit",
                "--app",
                APP_ID,
                "--tenants",
                &empty,
                "--concurrency",
                "0",
            ],
            2,
            "0 is not in 1..=256",
        ),
    ];
    for (what, args, code, phrase) in cases {
        let (c, out, err) = run(entra_perms().args(&args));
        assert_eq!(c, code, "{what}: {err}");
        assert!(
            err.contains(phrase),
            "{what}: expected `{phrase}` in: {}",
            &err[..err.len().min(400)]
        );
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(!err.contains("RUST_BACKTRACE"), "{what}: {err}");
        if code == 2 {
            assert!(out.is_empty(), "{what}: {out}");
        }
    }
}

#[test]
fn hostile_files_are_refused_at_once_with_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let sparse = dir.path().join("huge.json");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len(2 * 1024 * 1024 * 1024)
        .unwrap();
    let (fifo, sparse) = (fifo.to_str().unwrap(), sparse.to_str().unwrap());
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "snapshot FIFO",
            vec!["audit", "--from", fifo],
            "not a regular file",
        ),
        (
            "matrix /dev/zero",
            vec!["matrix", "--matrix", "/dev/zero"],
            "not a regular file",
        ),
        (
            "matrix /dev/urandom",
            vec!["explain", "User.Read.All", "--matrix", "/dev/urandom"],
            "not a regular file",
        ),
        (
            "token /dev/zero",
            vec!["audit", "--token-claims", "--token-file", "/dev/zero"],
            "not a regular file",
        ),
        (
            "tenants FIFO",
            vec!["audit", "--app", APP_ID, "--tenants", fifo],
            "not a regular file",
        ),
        (
            "2 GB snapshot",
            vec!["audit", "--from", sparse],
            "larger than 16 MiB",
        ),
        (
            "2 GB matrix",
            vec!["matrix", "--matrix", sparse],
            "larger than 1 MiB",
        ),
    ];
    for (what, args, phrase) in cases {
        let started = std::time::Instant::now();
        let (code, out, err) = run(entra_perms().args(&args));
        assert_eq!(code, 2, "{what}: {err}");
        assert!(err.contains(phrase), "{what}: {err}");
        assert!(out.is_empty(), "{what}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{what} took {:?}",
            started.elapsed()
        );
    }

    // Standard input given as `-` is read, and bounded too.
    let snapshot = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/all-granted.json"),
    )
    .unwrap();
    let (code, out, err) = run(entra_perms()
        .args(["audit", "--from", "-", "--format", "json"])
        .write_stdin(snapshot));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["passed"], true);
}

#[test]
fn the_token_in_the_environment_obeys_the_token_file_rules() {
    let graph = FakeGraph::start(FakeTenant::everything(&graph_token()));
    for (token, phrase) in [
        ("a".repeat(70 * 1024), "larger than 64 KiB".to_string()),
        (
            "abc def".to_string(),
            "character a token cannot have".to_string(),
        ),
    ] {
        let mut cmd = entra_perms();
        cmd.env("ENTRA_PERMS_ACCESS_TOKEN", &token).args([
            "audit",
            "--app",
            APP_ID,
            "--graph-url",
            &graph.base,
        ]);
        let (code, _, err) = run(cmd);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(&phrase), "{err}");
    }
    assert_eq!(
        graph.requests().len(),
        0,
        "nothing may be sent with a bad token"
    );
}

#[test]
fn an_output_never_destroys_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("s.json");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/stale-consent.json"),
        &snapshot,
    )
    .unwrap();
    let before = std::fs::read(&snapshot).unwrap();
    let link = dir.path().join("report.json");
    std::os::unix::fs::symlink(&snapshot, &link).unwrap();
    for output in [&snapshot, &link] {
        let (code, out, err) = run(entra_perms()
            .args(["audit", "--from"])
            .arg(&snapshot)
            .arg("--output")
            .arg(output));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("is the input file"), "{err}");
        assert!(out.is_empty());
        assert_eq!(
            std::fs::read(&snapshot).unwrap(),
            before,
            "the input is unchanged"
        );
    }
    // A report that cannot be written is exit 2, and leaves nothing behind.
    let (code, _, err) = run(entra_perms()
        .args(["audit", "--from"])
        .arg(&snapshot)
        .arg("--output")
        .arg(dir.path().join("no/such/folder/r.json")));
    assert_eq!(code, 2, "{err}");
    // A good one replaces the target whole.
    let target = dir.path().join("r.json");
    std::fs::write(&target, "old").unwrap();
    let (code, _, _) = run(entra_perms()
        .args(["audit", "--from"])
        .arg(&snapshot)
        .args(["--format", "json", "--output"])
        .arg(&target));
    assert_eq!(code, 1);
    assert_eq!(
        json(&std::fs::read_to_string(&target).unwrap())["schemaVersion"],
        1
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn outputs_never_overwrite_a_file_the_run_reads_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("client.pem");
    std::fs::write(&key, "-----BEGIN PRIVATE KEY-----\nprecious\n").unwrap();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/all-granted.json");
    let mut cmd = entra_perms();
    cmd.env("AZURE_CLIENT_CERTIFICATE_PATH", &key)
        .args(["audit", "--from", example, "--format", "json", "--output"])
        .arg(&key);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is the input file"), "{err}");
    assert!(std::fs::read_to_string(&key).unwrap().contains("precious"));
    // Two reports that are one file, however spelled.
    let a = dir.path().join("a.json");
    let mut cmd = entra_perms();
    cmd.current_dir(dir.path()).args([
        "audit",
        "--from",
        example,
        "--report",
        "json=a.json",
        "--report",
        "html=./a.json",
    ]);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 2, "{err}");
    assert!(!a.exists());
    // Two reports for standard output.
    let mut cmd = entra_perms();
    cmd.args([
        "audit",
        "--from",
        example,
        "--format",
        "json",
        "--report",
        "markdown=-",
    ]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("two reports for standard output"), "{err}");
}
