//! The Graph client in-process against a local server: body limits, fractional Retry-After,
//! the retry budget, 503 back-off, and paging.

use std::time::{Duration, Instant};

use entra_perms::graph::client::GraphClient;
use entra_perms::graph::error::{Call, GraphError};
use entra_perms::graph::retry::RetryPolicy;
use entra_perms::token::Token;
use serde_json::json;

use crate::support::fake_graph::{FakeGraph, Reply};

const CALL: Call = Call {
    advanced: false,
    what: "the test resource",
    needs: "Test.Read.All",
};

fn client(server: &FakeGraph) -> GraphClient {
    GraphClient::new(
        reqwest::Client::new(),
        url::Url::parse(&server.base).unwrap(),
        &Token::new("t"),
    )
    .unwrap()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn oversized_bodies_are_refused() {
    let server = FakeGraph::serve(|_, _| Reply::json(200, json!({"value": ["x".repeat(10_000)]})));
    let c = client(&server).with_max_body(1_000);
    let e = block_on(c.get::<serde_json::Value>(c.url("/v1.0/big", &[]), CALL)).unwrap_err();
    assert!(matches!(e, GraphError::Decode { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("larger than the 1000 bytes accepted"),
        "{e}"
    );
    let c = client(&server);
    assert!(block_on(c.get::<serde_json::Value>(c.url("/v1.0/big", &[]), CALL)).is_ok());
}

#[test]
fn fractional_retry_after_is_honoured() {
    let n = std::sync::atomic::AtomicUsize::new(0);
    let server = FakeGraph::serve(move |_, _| {
        if n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            let mut r = Reply::error(429, "TooManyRequests", "Please retry again later.");
            r.headers.push(("Retry-After".into(), "0.35".into()));
            r
        } else {
            Reply::json(200, json!({"ok": true}))
        }
    });
    let c = client(&server);
    let started = Instant::now();
    let v: serde_json::Value = block_on(c.get(c.url("/v1.0/x", &[]), CALL)).unwrap();
    assert_eq!(v["ok"], true);
    assert!(
        started.elapsed() >= Duration::from_millis(350),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(c.request_count(), 2);
}

#[test]
fn a_retry_after_beyond_the_budget_gives_up_at_once() {
    let server = FakeGraph::serve(|_, _| {
        let mut r = Reply::error(429, "TooManyRequests", "Please retry again later.");
        r.headers.push(("Retry-After".into(), "30".into()));
        r
    });
    let c = client(&server).with_retry(RetryPolicy {
        budget: Duration::from_secs(5),
        ..RetryPolicy::default()
    });
    let started = Instant::now();
    let e = block_on(c.get::<serde_json::Value>(c.url("/v1.0/x", &[]), CALL)).unwrap_err();
    assert!(
        matches!(e, GraphError::Throttled { attempts: 1, .. }),
        "{e}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn service_unavailable_backs_off_exponentially() {
    let server = FakeGraph::serve(|_, _| Reply::error(503, "ServiceUnavailable", "Try later."));
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
        budget: Duration::from_secs(10),
    };
    let c = client(&server).with_retry(policy);
    let started = Instant::now();
    let e = block_on(c.get::<serde_json::Value>(c.url("/v1.0/x", &[]), CALL)).unwrap_err();
    // Waits 100 ms then 200 ms, then the last answer is reported as it is.
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(c.request_count(), 3);
    assert!(
        e.to_string().contains("503") && e.to_string().contains("ServiceUnavailable"),
        "{e}"
    );
}

#[test]
fn pages_are_followed_in_order() {
    let server = FakeGraph::serve(|req, base| {
        let page: usize = req
            .target
            .rsplit("page=")
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let mut body = json!({"value": [page * 2, page * 2 + 1]});
        if page < 2 {
            body["@odata.nextLink"] = json!(format!("{base}/v1.0/items?page={}", page + 1));
        }
        Reply::json(200, body)
    });
    let c = client(&server);
    let items: Vec<u32> = block_on(c.get_all(c.url("/v1.0/items", &[]), CALL)).unwrap();
    assert_eq!(items, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn an_error_body_that_is_not_json_is_still_reported() {
    let server = FakeGraph::serve(|_, _| Reply {
        status: 502,
        headers: vec![],
        body: "<html>Bad gateway</html>".into(),
        delay: std::time::Duration::ZERO,
    });
    let c = client(&server);
    let e = block_on(c.get::<serde_json::Value>(c.url("/v1.0/x", &[]), CALL)).unwrap_err();
    assert!(
        e.to_string().contains("502") && e.to_string().contains("Bad gateway"),
        "{e}"
    );
}
