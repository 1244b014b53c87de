//! Benchmarks (not run by CI): `cargo bench --bench audit` measures, against an in-process fake
//! Microsoft Graph that adds a fixed latency to every response,
//! - a single-app audit: wall time as a multiple of the latency, and the number of requests;
//! - many tenants (`--tenants`): tenants per second at several concurrencies;
//! - the start-up cost of `entra-perms explain` (process start to exit);
//!
//! and writes the results to BENCHMARKS.md. `cargo bench --bench audit -- --quick` runs a shorter
//! set without writing the file.

// Benchmarks and tests print their own progress and skips.
#![allow(clippy::disallowed_macros)]

#[allow(dead_code)]
#[path = "../tests/support/fake_graph.rs"]
mod fake_graph;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use entra_perms::audit::Options;
use entra_perms::graph::client::GraphClient;
use entra_perms::graph::fetch::{self, Target};
use entra_perms::graph::Cloud;
use entra_perms::matrix::Matrix;
use entra_perms::tenants::{self, Job, StaticToken};
use entra_perms::token::Token;
use fake_graph::{FakeGraph, FakeTenant, APP_ID, SERVICE_ACCOUNT_UPN};

/// Where fake_graph finds its fixtures.
fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

const TOKEN: &str = "bench-token";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A single-app audit: (median wall time, requests per audit).
fn single(latency: Duration, runs: usize, service_account: bool) -> (Duration, usize) {
    let mut tenant = FakeTenant::everything(TOKEN);
    tenant.latency = latency;
    let graph = FakeGraph::start(tenant);
    let matrix = Matrix::embedded().expect("matrix");
    let rt = runtime();
    let mut times = Vec::new();
    let mut requests = 0;
    for _ in 0..runs {
        // A new client each run: a cold audit, connections included.
        let client = GraphClient::new(
            entra_perms::graph::http_client().expect("http"),
            url::Url::parse(&graph.base).expect("url"),
            &Token::new(TOKEN),
        )
        .expect("client");
        let target = Target {
            app: APP_ID,
            service_account: service_account.then_some(SERVICE_ACCOUNT_UPN),
            cloud: Cloud::Global,
            requested_tenant: None,
            token_tenant: None,
            audit_log_since: None,
        };
        let started = Instant::now();
        rt.block_on(fetch::fetch(&client, &matrix, &target))
            .expect("audit");
        times.push(started.elapsed());
        requests = client.request_count();
    }
    (median(times), requests)
}

/// Many tenants: wall time for `n` tenants at `concurrency`.
fn many(latency: Duration, n: usize, concurrency: usize) -> Duration {
    let list: Vec<String> = (0..n).map(|i| format!("tenant-{i:04}.example")).collect();
    let mut tenant = FakeTenant::everything(TOKEN);
    tenant.latency = latency;
    // One stand-in answers for every tenant: each name is one of its verified domains, so every
    // audit passes the check that the tenant read is the tenant asked for.
    tenant.domains.extend(list.iter().cloned());
    let graph = FakeGraph::start(tenant);
    let matrix = Matrix::embedded().expect("matrix");
    let tokens = StaticToken(Arc::new(Token::new(TOKEN)));
    let job = Job {
        http: entra_perms::graph::http_client().expect("http"),
        base: url::Url::parse(&graph.base).expect("url"),
        tokens: &tokens,
        app: APP_ID,
        service_account: None,
        cloud: Cloud::Global,
        matrix: &matrix,
        opts: Options::default(),
        timeout: Duration::from_secs(600),
        audit_log_since: None,
        baseline: None,
    };
    let started = Instant::now();
    let report = runtime().block_on(tenants::audit_all(&job, &list, concurrency, &|_| {}));
    let elapsed = started.elapsed();
    assert_eq!(report.summary.passed, n, "every tenant audited");
    elapsed
}

/// Process start to exit of `entra-perms explain`.
fn explain_startup(runs: usize) -> Duration {
    let exe = env!("CARGO_BIN_EXE_entra-perms");
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let out = Command::new(exe)
            .args(["explain", "User.ReadWrite.All"])
            .output()
            .expect("run entra-perms");
        times.push(started.elapsed());
        assert!(out.status.success());
    }
    median(times)
}

fn machine() -> String {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let mem_kb: u64 = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let os = read("/etc/os-release")
        .lines()
        .find(|l| l.starts_with("PRETTY_NAME="))
        .map(|l| {
            l.trim_start_matches("PRETTY_NAME=")
                .trim_matches('"')
                .to_string()
        })
        .unwrap_or_else(|| std::env::consts::OS.into());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!(
        "{cpu}, {} cores, {} GiB RAM, {os}, {rustc}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        mem_kb / 1024 / 1024
    )
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut md = String::new();
    md.push_str("# Benchmarks\n\n");
    md.push_str(
        "Measured by `cargo bench --bench audit` against an in-process fake Microsoft Graph ",
    );
    md.push_str("(tests/support/fake_graph.rs) that adds a fixed latency to every response. ");
    md.push_str("The token is not part of the measurement. CI does not run them.\n\n");
    md.push_str(&format!("Machine: {}.\n\n", machine()));

    md.push_str("## One app, one tenant\n\n");
    md.push_str("| latency per response | service account | wall time (median) | wall time / latency | requests |\n|---|---|---|---|---|\n");
    let latency = Duration::from_millis(200);
    for sa in [false, true] {
        let (wall, requests) = single(latency, if quick { 2 } else { 5 }, sa);
        let line = format!(
            "| {} ms | {} | {:.0} ms | {:.2} | {requests} |\n",
            latency.as_millis(),
            if sa { "yes" } else { "no" },
            ms(wall),
            wall.as_secs_f64() / latency.as_secs_f64()
        );
        print!("{line}");
        md.push_str(&line);
    }
    md.push_str("\nThe audit needs two dependent rounds of requests after the token: the service principal, ");
    md.push_str(
        "the Graph permission catalog (and the service account) together; then the app role ",
    );
    md.push_str("assignments, the delegated grants, the app registration (and the account's roles) together.\n\n");

    md.push_str("## Many tenants (`audit --tenants`)\n\n");
    md.push_str("| tenants | latency per response | concurrency | wall time | tenants / s | speed-up over concurrency 1 |\n|---|---|---|---|---|---|\n");
    let latency = Duration::from_millis(50);
    let sizes: &[usize] = if quick { &[100] } else { &[100, 1000] };
    for &n in sizes {
        let mut base = None;
        for c in [1, 8, 32] {
            let wall = many(latency, n, c);
            let base_wall = *base.get_or_insert(wall);
            let line = format!(
                "| {n} | {} ms | {c} | {:.1} s | {:.1} | {:.1}× |\n",
                latency.as_millis(),
                wall.as_secs_f64(),
                n as f64 / wall.as_secs_f64(),
                base_wall.as_secs_f64() / wall.as_secs_f64()
            );
            print!("{line}");
            md.push_str(&line);
        }
    }

    md.push_str("\n## Start-up\n\n| command | process start to exit (median of 30) |\n|---|---|\n");
    let start = explain_startup(30);
    let line = format!(
        "| `entra-perms explain User.ReadWrite.All` | {:.1} ms |\n",
        ms(start)
    );
    print!("{line}");
    md.push_str(&line);

    if !quick {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
        std::fs::write(&path, md).expect("write BENCHMARKS.md");
        println!("wrote {}", path.display());
    }
}
