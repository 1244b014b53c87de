//! The fake Graph fails loudly: an expected request that never came, or a request it has no
//! route for, fails the test that started it.

use std::io::{Read, Write};

use crate::support::fake_graph::{FakeGraph, FakeTenant};

fn get(graph: &FakeGraph, path: &str) -> String {
    let addr = graph.base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer tok\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut head = [0u8; 12];
    s.read_exact(&mut head).unwrap();
    String::from_utf8_lossy(&head).into_owned()
}

#[test]
#[should_panic(expected = "expected requests never came")]
fn an_expected_request_that_never_came_fails_the_test() {
    let graph = FakeGraph::start(FakeTenant::empty("tok"));
    graph.expect("/v1.0/organization");
}

#[test]
#[should_panic(expected = "requests the fake Graph has no route for")]
fn a_request_no_route_answers_fails_the_test() {
    let graph = FakeGraph::start(FakeTenant::empty("tok"));
    assert!(get(&graph, "/v1.0/nothing/here").contains("400"));
}

#[test]
fn routed_and_expected_requests_pass() {
    let graph = FakeGraph::start(FakeTenant::empty("tok"));
    graph.expect("/v1.0/organization");
    assert!(get(&graph, "/v1.0/organization").contains("200"));
}

/// The fixtures copied from `../shared/reference/real-recordings/` are unchanged copies.
#[test]
fn the_real_recordings_are_copied_unchanged() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/real-recordings");
    if !shared.is_dir() {
        eprintln!("skipped: {} is not here", shared.display());
        return;
    }
    let ours = crate::support::fixture("graph/real");
    for entry in std::fs::read_dir(&ours).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path.file_name().unwrap();
            let theirs = std::fs::read(shared.join(name)).unwrap();
            assert!(std::fs::read(&path).unwrap() == theirs, "{name:?} differs");
        }
    }
}

/// The fake's audit log records have the shapes of the recorded ones: a delegated grant's
/// records target Microsoft Graph only, the client appears only in `ServicePrincipal.ObjectID`
/// and not on a first consent, "Consent to application" targets the client, and no property
/// the real records lack.
#[test]
fn the_fakes_audit_records_keep_the_recorded_shapes() {
    use crate::support::fake_graph::{delegated_records, graph_sp_id, SP_ID};
    use serde_json::Value;
    let text = std::fs::read_to_string(crate::support::fixture(
        "graph/real/live-2026-directoryAudits_consent.json",
    ))
    .unwrap();
    let recorded: Value = serde_json::from_str(&text).unwrap();
    let recorded = recorded["value"].as_array().unwrap();
    let props = |r: &Value| -> Vec<String> {
        r["targetResources"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| {
                t["modifiedProperties"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|p| p["displayName"].as_str().unwrap().to_string())
            .collect()
    };
    let shape = |r: &Value, client: &str, graph: &str| {
        let targets: Vec<&str> = r["targetResources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let id = t["id"].as_str().unwrap();
                if id == client {
                    "client"
                } else if id == graph {
                    "graph"
                } else {
                    "other"
                }
            })
            .collect();
        let names = props(r);
        (
            r["activityDisplayName"].as_str().unwrap().to_string(),
            targets,
            names.contains(&"ServicePrincipal.ObjectID".to_string()),
        )
    };
    // The recording: the client 4c43a528…, Microsoft Graph 911e3bbe… in that tenant.
    let real: Vec<_> = recorded
        .iter()
        .map(|r| {
            shape(
                r,
                "4c43a528-ba33-40b0-8821-c8643587f351",
                "911e3bbe-33bf-4a5c-89ff-f2a09363baaa",
            )
        })
        .collect();
    let mut fake: Vec<Value> = delegated_records(
        "2026-11-21T09:00:00Z",
        "a@b",
        "c2",
        "User.Read",
        "User.Read Mail.Read",
    );
    fake.extend(delegated_records(
        "2026-11-21T08:00:00Z",
        "a@b",
        "c1",
        "",
        "User.Read",
    ));
    let fake_shapes: Vec<_> = fake
        .iter()
        .map(|r| shape(r, SP_ID, &graph_sp_id()))
        .collect();
    for s in &fake_shapes {
        assert!(
            real.contains(s),
            "the fake writes {s:?}; the recording has {real:?}"
        );
    }
    for s in &real {
        assert!(
            fake_shapes.contains(s),
            "the recording has {s:?}; the fake never writes it"
        );
    }
    let real_props: std::collections::HashSet<String> = recorded.iter().flat_map(props).collect();
    for r in &fake {
        for p in props(r) {
            assert!(
                real_props.contains(&p),
                "the fake writes {p}, which no recorded record has"
            );
        }
    }
}
