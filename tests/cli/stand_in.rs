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
