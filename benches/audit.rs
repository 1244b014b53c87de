//! Benchmarks (not run by CI): `cargo bench --bench audit` measures, against an in-process fake
//! Microsoft Graph that adds a fixed latency to every response,
//! - a single-app audit: wall time as a multiple of the latency, and the number of requests;
//! - many tenants (`--tenants`): tenants per second at several concurrencies;
//! - the start-up cost of `entra-perms explain` (process start to exit);
//!
//! and writes the results to BENCHMARKS.md. `cargo bench --bench audit -- --quick` runs a shorter
//! set without writing the file. `cargo bench --bench audit -- --serve MS` only serves the
//! stand-in over TLS (HTTP/2 and HTTP/1.1) with MS of latency per answer, for
//! benches/az-compare.sh.

// Benchmarks and tests print their own progress and skips.
#![allow(clippy::disallowed_macros)]
// A broken fixture or stand-in stops the run loudly; the tool itself never unwraps (clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../tests/cli/support/fake_graph/mod.rs"]
mod fake_graph;

#[allow(dead_code)]
#[path = "../tests/cli/support/tls_front.rs"]
mod tls_front;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use entra_perms::audit::Options;
use entra_perms::cloud::Cloud;
use entra_perms::graph::client::GraphClient;
use entra_perms::graph::fetch::{self, Target};
use entra_perms::graph::session::{Read, Session};
use entra_perms::matrix::Matrix;
use entra_perms::tenants::{self, Job};
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

/// What one audit cost.
struct Single {
    wall: Duration,
    requests: usize,
    connections: usize,
    rounds: usize,
}

/// A single-app audit (`--app <appId>`, token given), cold: a new HTTP client each run, against a
/// stand-in whose connections each cost `setup` and whose answers each take `latency`.
fn single(latency: Duration, setup: Duration, runs: usize, service_account: bool) -> Single {
    let matrix = Matrix::embedded().expect("matrix");
    let rt = runtime();
    let mut times = Vec::new();
    let (mut requests, mut connections, mut rounds) = (0, 0, 0);
    for _ in 0..runs {
        let mut tenant = FakeTenant::everything(TOKEN);
        tenant.latency = latency;
        let graph = FakeGraph::start_with_setup(tenant, setup);
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
            shared_catalog: None,
        };
        let started = Instant::now();
        rt.block_on(fetch::fetch(&client, &matrix, &target))
            .expect("audit");
        times.push(started.elapsed());
        requests = client.request_count();
        connections = graph.connection_count();
        rounds = graph.rounds(latency / 2);
    }
    Single {
        wall: median(times),
        requests,
        connections,
        rounds,
    }
}

/// The real binary's peak resident memory for one audit against the stand-in, in MiB.
fn peak_memory_mib() -> f64 {
    let mut tenant = FakeTenant::everything(TOKEN);
    tenant.latency = Duration::from_millis(50);
    let graph = FakeGraph::start(tenant);
    let child = Command::new(env!("CARGO_BIN_EXE_entra-perms"))
        .env("ENTRA_PERMS_ACCESS_TOKEN", TOKEN)
        .args([
            "audit",
            "--app",
            APP_ID,
            "--graph-url",
            &graph.base,
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run entra-perms");
    peak_rss_mib(child).1
}

/// Wait for `child`, sampling its peak RSS (`VmHWM`) until it ends: (succeeded, peak MiB).
fn peak_rss_mib(mut child: std::process::Child) -> (bool, f64) {
    let status = format!("/proc/{}/status", child.id());
    let sampler = std::thread::spawn(move || {
        let mut peak = 0u64;
        while let Ok(text) = std::fs::read_to_string(&status) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
            if text.contains("State:\tZ") {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        peak
    });
    let ok = child.wait().expect("entra-perms ends").success();
    (ok, sampler.join().expect("sampler") as f64 / 1024.0)
}

/// `inventory` of a tenant of `apps` service principals each holding `roles` application
/// permissions on Graph, at `latency` per answer: wall time, requests and the binary's peak RSS.
fn inventory_scale(apps: usize, roles: usize, latency: Duration) -> (Duration, usize, f64) {
    use fake_graph::tenant_wide::TenantApp;
    // Most apps hold low-tier permissions; one in a hundred holds Tier-0 ones (their owners are
    // read too).
    let tiered = |tier: u8| -> Vec<String> {
        fake_graph::catalog()["appRoles"]
            .as_array()
            .expect("the catalog's app roles")
            .iter()
            .filter(|r| {
                r["value"]
                    .as_str()
                    .and_then(entra_perms::catalog::app_tier)
                    .map(|t| t.tier)
                    == Some(tier)
            })
            .filter_map(|r| r["id"].as_str().map(str::to_string))
            .take(roles)
            .collect()
    };
    let (low, tier0) = (tiered(2), tiered(0));
    let mut tenant = FakeTenant::empty(TOKEN);
    tenant.page_size = 999;
    tenant.latency = latency;
    tenant.tenant_apps = (0..apps)
        .map(|i| TenantApp {
            id: format!("{i:08x}-0000-4000-8000-{i:012x}"),
            app_id: format!("{i:08x}-1111-4000-8000-{i:012x}"),
            name: Some(format!("app {i}")),
            owner_org: format!("{:08x}-2222-4000-8000-000000000000", i % 50),
            enabled: i % 7 != 0,
            app_roles: (if i % 100 == 0 { &tier0 } else { &low })
                .iter()
                .map(|r| (r.clone(), "2025-04-02T10:00:00Z".to_string()))
                .collect(),
            sign_in: Some(Some("2026-01-15T10:00:00Z".to_string())),
            ..TenantApp::default()
        })
        .collect();
    let graph = FakeGraph::start(tenant);
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_entra-perms"))
        .env("ENTRA_PERMS_ACCESS_TOKEN", TOKEN)
        .args([
            "inventory",
            "--graph-url",
            &graph.base,
            "--format",
            "json",
            "--timeout",
            "600",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run entra-perms");
    let (ok, peak) = peak_rss_mib(child);
    assert!(ok, "the inventory ran");
    let wall = started.elapsed();
    (wall, graph.requests().len(), peak)
}

/// The inventory table's rows: (service principals, roles each) at `ms` per answer.
fn inventory_rows(scales: &[(usize, usize)], ms: u64) -> String {
    let mut out = String::new();
    for &(apps, roles) in scales {
        let latency = Duration::from_millis(ms);
        let (wall, requests, peak) = inventory_scale(apps, roles, latency);
        let pages = u32::try_from((apps * roles).div_ceil(999)).unwrap_or(u32::MAX);
        let chain = latency.max(Duration::from_millis(1)) * pages;
        let line = format!(
            "| {apps} | {} | {:.2} s | {:.2} s | {:.2} | {requests} | {peak:.1} MiB |\n",
            apps * roles,
            wall.as_secs_f64(),
            chain.as_secs_f64(),
            wall.as_secs_f64() / chain.as_secs_f64()
        );
        print!("{line}");
        out.push_str(&line);
    }
    out
}

/// The inventory section of BENCHMARKS.md.
fn inventory_section(quick: bool) -> String {
    let mut md = String::from("\n## A tenant-wide inventory (`inventory`)\n\n");
    md.push_str("The real binary against a tenant of service principals each holding application permissions on Graph, 50 ms per answer, pages of 999 (Graph's largest). The longest page chain is the app role assignments: ⌈assignments / 999⌉ pages, one after the other; the other collections are read beside it.\n\n");
    md.push_str("| service principals | app role assignments | wall time | longest chain (pages × 50 ms) | wall / chain | requests | peak RSS |\n|---|---|---|---|---|---|---|\n");
    let scales: &[(usize, usize)] = if quick {
        &[(1_000, 10)]
    } else {
        &[(1_000, 10), (10_000, 10)]
    };
    md.push_str(&inventory_rows(scales, 50));
    md.push_str("\nOne app in a hundred holds Tier-0 permissions, and their owners are read after the assignments\n(one more round). Each collection is streamed page by page and only what the report needs of each\nitem is kept; the JSON report itself (about 30 MB for 100,000 permissions) is most of the peak.\nThe stand-in's latency is the whole answer, its own work included. `cargo bench --bench audit --\n--inventory` measures this table alone.\n");
    md
}

/// Many tenants: wall time for `n` tenants at `concurrency`, and how many answers were 429.
fn many(latency: Duration, n: usize, concurrency: usize) -> (Duration, usize) {
    let list: Vec<String> = (0..n).map(|i| format!("tenant-{i:04}.example")).collect();
    let mut tenant = FakeTenant::everything(TOKEN);
    tenant.latency = latency;
    // One stand-in answers for every tenant: each name is one of its verified domains, so every
    // audit passes the check that the tenant read is the tenant asked for.
    tenant.domains.extend(list.iter().cloned());
    // Each tenant's first read of the catalog is throttled: one 429 per tenant, honoured.
    tenant.throttle_each_token = Some((
        "/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')".into(),
        "0.05".into(),
    ));
    let graph = FakeGraph::start(tenant);
    let matrix = Matrix::embedded().expect("matrix");
    let session = Session {
        http: entra_perms::graph::http_client().expect("http"),
        fallback: None,
        base: url::Url::parse(&graph.base).expect("url"),
        tokens: Box::new(TokenPerTenant),
        tenant: None,
        cloud: Cloud::Global,
        timeout: Duration::from_secs(600),
    };
    // As the command line reads many tenants: the catalog once, shared.
    let catalog = entra_perms::graph::fetch::SharedCatalog::default();
    let job = Job {
        session: &session,
        read: Read {
            app: APP_ID,
            service_account: None,
            matrix: &matrix,
            audit_log_since: None,
            shared_catalog: Some(&catalog),
        },
        opts: Options::default(),
        baseline: None,
    };
    let started = Instant::now();
    let report = runtime().block_on(tenants::audit_all(&job, &list, concurrency, &|_| {}));
    let elapsed = started.elapsed();
    let errors: Vec<&str> = report
        .tenants
        .iter()
        .filter_map(|t| t.error.as_deref())
        .take(3)
        .collect();
    assert_eq!(report.summary.passed, n, "every tenant audited: {errors:?}");
    let catalog_reads =
        graph.count("/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')");
    (elapsed, catalog_reads - n)
}

/// In this process (run as `--tenants-memory N MODE`): the stand-in, at 50 ms per answer and
/// 20 ms per token (each tenant signs in for a token of its own, through a TLS front as Entra and
/// Graph are reached), and the release binary auditing `n` tenants at concurrency 128 with
/// `--format jsonl`, `--format json` or `--report-dir` and the HTML overview (`report-dir`);
/// prints the binary's wall time and peak RSS.
fn tenants_memory_child(n: usize, mode: &str) {
    fake_graph::record_requests(false);
    let list: Vec<String> = (0..n).map(|i| format!("tenant-{i:05}.example")).collect();
    let mut tenant = FakeTenant::everything(TOKEN);
    tenant.latency = Duration::from_millis(50);
    tenant.token_latency = Some(Duration::from_millis(20));
    tenant.token_per_tenant = true;
    tenant.domains.extend(list.iter().cloned());
    let graph = FakeGraph::start(tenant);
    let front = tls_front::TlsFront::start(&graph.base);
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("tenants.txt");
    std::fs::write(&file, list.join("\n")).expect("the tenants file");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_entra-perms"));
    cmd.env_clear()
        .env("SSL_CERT_FILE", &front.ca_pem)
        .env("AZURE_AUTHORITY_HOST", &front.base)
        .env("AZURE_TENANT_ID", "tenant-00000.example")
        .env("AZURE_CLIENT_ID", "a0c1e2d3-1111-4222-8333-944455556666")
        .env("AZURE_CLIENT_SECRET", "bench-client-secret-value")
        .env("TMPDIR", dir.path())
        .args(["audit", "--auth", "client-secret", "--app", APP_ID])
        .args([
            "--graph-url",
            &front.base,
            "--concurrency",
            "128",
            "--tenants",
        ])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    match mode {
        "jsonl" => cmd.args(["--format", "jsonl"]),
        "json" => cmd.args(["--format", "json"]),
        _ => cmd
            .args(["--format", "html", "--output"])
            .arg(dir.path().join("overview.html"))
            .arg("--report-dir")
            .arg(dir.path().join("tenants")),
    };
    let started = Instant::now();
    let mut child = cmd.spawn().expect("run entra-perms");
    let mut stderr = child.stderr.take().expect("stderr");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).ok();
        text
    });
    let (ok, peak) = peak_rss_mib(child);
    let wall = started.elapsed();
    let errors = errors.join().expect("stderr read");
    assert!(
        ok,
        "every tenant passes: {}",
        errors.lines().last().unwrap_or("")
    );
    if mode == "report-dir" {
        let pages = std::fs::read_dir(dir.path().join("tenants"))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(
            pages,
            2 * n + 1,
            "every tenant's JSON and page, and the index"
        );
    }
    println!("{} {peak}", wall.as_secs_f64());
}

/// The child above, run fresh for each size (peak RSS is per process): (wall, peak MiB).
fn tenants_memory(n: usize, mode: &str) -> (f64, f64) {
    let out = Command::new(std::env::current_exe().expect("this benchmark"))
        .args(["--tenants-memory", &n.to_string(), mode])
        .output()
        .expect("run the child");
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    let mut parts = last
        .split_whitespace()
        .map(|p| p.parse::<f64>().unwrap_or(f64::NAN));
    (
        parts.next().unwrap_or(f64::NAN),
        parts.next().unwrap_or(f64::NAN),
    )
}

/// The many-tenants memory table of BENCHMARKS.md.
fn tenants_memory_section(quick: bool) -> String {
    let mut md = String::from("\n## Many tenants in constant memory (`audit --tenants`)\n\n");
    md.push_str("The release binary, concurrency 128, against the stand-in in the benchmark's process behind a TLS front: 50 ms per Graph answer, 20 ms per token; each tenant signs in for a token of its own (`--auth client-secret` against the stand-in's token endpoint). Peak RSS is the binary's alone. `jsonl` writes each tenant as a line as it finishes; `json` writes the multi-tenant document at the end from the results kept on disk; `report-dir` writes each tenant's JSON and page into the folder as it finishes, then the HTML overview and the index.\n\n");
    md.push_str(
        "| tenants | format | wall time | tenants / s | peak RSS |\n|---|---|---|---|---|\n",
    );
    let runs: &[(usize, &str)] = if quick {
        &[(1_000, "jsonl")]
    } else {
        &[
            (1_000, "jsonl"),
            (10_000, "jsonl"),
            (1_000, "json"),
            (10_000, "json"),
            (1_000, "report-dir"),
            (10_000, "report-dir"),
        ]
    };
    let mut peaks: Vec<(usize, &str, f64)> = Vec::new();
    for &(n, mode) in runs {
        let (wall, peak) = tenants_memory(n, mode);
        let line = format!(
            "| {n} | {mode} | {wall:.1} s | {:.0} | {peak:.1} MiB |\n",
            n as f64 / wall
        );
        print!("{line}");
        md.push_str(&line);
        peaks.push((n, mode, peak));
    }
    // How far the peak at 10,000 tenants is from the one at 1,000, mode by mode.
    let growth: Vec<String> = ["jsonl", "json", "report-dir"]
        .iter()
        .filter_map(|mode| {
            let at = |n: usize| peaks.iter().find(|p| p.0 == n && p.1 == *mode).map(|p| p.2);
            let (small, large) = (at(1_000)?, at(10_000)?);
            Some(format!("{mode} {:+.0}%", (large / small - 1.0) * 100.0))
        })
        .collect();
    if !growth.is_empty() {
        let top = peaks.iter().map(|p| p.2).fold(0.0, f64::max);
        md.push_str(&format!(
            "\nFrom 1,000 to 10,000 tenants the peak moves {}; the highest is {top:.1} MiB. What is \
             held is the working set of 128 tenants in flight and, for an overview, a compact row \
             per tenant. The permission catalog is read once a run, and each tenant's token is \
             forgotten once the tenant is done (before, every token stayed registered as a secret \
             and every redaction searched all of them: 10,000 tenants took 477 s). `report-dir` \
             writes two files a tenant and renders each page, on the two cores it shares with the \
             stand-in. `cargo bench --bench audit -- --tenants-table` measures this table alone.\n",
            growth.join(", ")
        ));
    }
    md
}

/// A token of its own for each tenant (the stand-in accepts any token that starts with TOKEN).
struct TokenPerTenant;

#[async_trait::async_trait]
impl entra_perms::graph::session::TokenSource for TokenPerTenant {
    async fn token(&self, tenant: Option<&str>) -> anyhow::Result<Token> {
        Ok(Token::new(format!("{TOKEN}-{}", tenant.unwrap_or("own"))))
    }
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

/// Serve the stand-in over TLS until killed; print how to reach it on one line.
fn serve(latency_ms: u64) {
    let mut tenant = FakeTenant::everything(TOKEN);
    tenant.latency = Duration::from_millis(latency_ms);
    let graph = FakeGraph::start(tenant);
    let front = tls_front::TlsFront::start(&graph.base);
    println!(
        "BASE={} CA={} TOKEN={TOKEN} APP={APP_ID} SP={} GRAPH={} TENANT={}",
        front.base,
        front.ca_pem.display(),
        fake_graph::SP_ID,
        fake_graph::GRAPH_APP_ID,
        fake_graph::TENANT_ID
    );
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// The side-by-side section benches/az-compare.sh wrote into BENCHMARKS.md, kept on a rerun.
fn az_section() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.find("\n## Side by side with the Azure CLI")
        .map(|i| text[i..].to_string())
        .unwrap_or_default()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        let ms = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(100);
        return serve(ms);
    }
    let quick = std::env::args().any(|a| a == "--quick");
    if let Some(i) = args.iter().position(|a| a == "--tenants-memory") {
        let n = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(1000);
        let mode = args.get(i + 2).map_or("jsonl", String::as_str);
        return tenants_memory_child(n, mode);
    }
    if args.iter().any(|a| a == "--tenants-table") {
        print!("{}", tenants_memory_section(false));
        return;
    }
    // Only the inventory table (printed, BENCHMARKS.md untouched): `-- --inventory`.
    if std::env::args().any(|a| a == "--inventory") {
        let ms = std::env::var("ENTRA_PERMS_BENCH_LATENCY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(50);
        print!("{}", inventory_rows(&[(1_000, 10), (10_000, 10)], ms));
        return;
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut md = String::new();
    md.push_str("# Benchmarks\n\n");
    md.push_str(
        "Measured by `cargo bench --bench audit` against an in-process fake Microsoft Graph ",
    );
    md.push_str(
        "(tests/cli/support/fake_graph/mod.rs) that adds a fixed latency to every response. ",
    );
    md.push_str("The token is not part of the measurement. CI does not run them.\n\n");
    md.push_str(&format!("Machine: {}.\n\n", machine()));

    md.push_str("## One app, one tenant\n\n");
    md.push_str(
        "`--app <appId>` with the token given, a new HTTP client each run (a cold audit). ",
    );
    md.push_str("A cold connection costs two round trips (TCP and TLS handshakes) before its first answer.\n\n");
    md.push_str("| latency per answer | connection setup | service account | wall time (median) | wall time / latency | requests | connections | rounds |\n|---|---|---|---|---|---|---|---|\n");
    let latency = Duration::from_millis(200);
    for (setup, sa) in [
        (Duration::ZERO, false),
        (Duration::ZERO, true),
        (latency * 2, false),
    ] {
        let r = single(latency, setup, if quick { 2 } else { 5 }, sa);
        let line = format!(
            "| {} ms | {} ms | {} | {:.0} ms | {:.2} | {} | {} | {} |\n",
            latency.as_millis(),
            setup.as_millis(),
            if sa { "yes" } else { "no" },
            ms(r.wall),
            r.wall.as_secs_f64() / latency.as_secs_f64(),
            r.requests,
            r.connections,
            r.rounds
        );
        print!("{line}");
        md.push_str(&line);
    }
    md.push_str("\nWith an application id the audit needs one round of requests after the token: the tenant, ");
    md.push_str(
        "the Graph permission catalog, the service principal and its grants (addressed by appId, ",
    );
    md.push_str(
        "Graph's alternate key), the app registration and the owners, all in flight together. A ",
    );
    md.push_str("service account adds a round (its roles need its object id). The stand-in speaks HTTP/1.1, ");
    md.push_str("so each request in flight has its own keep-alive connection; against Graph over https the client ");
    md.push_str("speaks HTTP/2 and the whole audit shares one connection (tests/cli/audit.rs checks this against a TLS front).\n\n");
    let peak = peak_memory_mib();
    let line =
        format!("Peak memory of one audit (the real binary, `--format json`): {peak:.1} MiB.\n\n");
    print!("{line}");
    md.push_str(&line);

    md.push_str("## Many tenants (`audit --tenants`)\n\n");
    md.push_str("Each tenant has its own token, and its first read of the permission catalog is answered 429 (`Retry-After: 0.05`), which is honoured.\n\n");
    md.push_str("| tenants | latency per answer | concurrency | wall time | tenants / s | 429 answers |\n|---|---|---|---|---|---|\n");
    let latency = Duration::from_millis(50);
    let runs: &[(usize, usize)] = if quick {
        &[(100, 8), (100, 32)]
    } else {
        &[(100, 1), (100, 8), (1000, 8), (1000, 32), (1000, 128)]
    };
    for &(n, c) in runs {
        let (wall, throttled) = many(latency, n, c);
        let line = format!(
            "| {n} | {} ms | {c} | {:.1} s | {:.1} | {throttled} |\n",
            latency.as_millis(),
            wall.as_secs_f64(),
            n as f64 / wall.as_secs_f64(),
        );
        print!("{line}");
        md.push_str(&line);
    }

    md.push_str(&inventory_section(quick));
    md.push_str(&tenants_memory_section(quick));
    md.push_str("\n## Start-up\n\n| command | process start to exit (median of 30) |\n|---|---|\n");
    let start = explain_startup(30);
    let line = format!(
        "| `entra-perms explain User.ReadWrite.All` | {:.1} ms |\n",
        ms(start)
    );
    print!("{line}");
    md.push_str(&line);

    if !quick {
        md.push_str(&az_section());
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
        std::fs::write(&path, md).expect("write BENCHMARKS.md");
        println!("wrote {}", path.display());
    }
}
