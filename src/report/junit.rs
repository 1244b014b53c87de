//! `audit --format junit`: JUnit XML that CI systems ingest. One test suite per purpose in scope,
//! one test case per protected object, and — when the policy gates on grants not needed — a suite
//! of those grants. A case fails exactly when `--fail-on` makes it fail the run (the policy's own
//! `gap_fails` / `excess_fails`), so `failures="0"` exactly when the exit code is 0; a gap the
//! policy does not gate on is shown as skipped, with why. With `--tenants`, the suites of every
//! tenant, and an error case per tenant that could not be audited.

use std::io::Write;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::safe::Safe;
use super::view::{req_name, status_words, verdict};
use crate::audit::{policy, Coverage, FailOn, Report};
use crate::matrix::Purpose;
use crate::multi::{TenantResult, TenantResults};

/// One test case.
struct Case {
    name: String,
    /// `None`: passed. `Some((type, message, text))`: failed.
    failure: Option<(&'static str, String, String)>,
    /// The case could not run (a tenant that could not be audited).
    error: bool,
    /// Shown but not gated by the policy: why.
    skipped: Option<String>,
}

struct Suite {
    name: String,
    cases: Vec<Case>,
}

/// The suites of one report, named `<prefix>.<purpose>`.
fn suites(r: &Report, prefix: &str) -> Vec<Suite> {
    Purpose::ALL
        .iter()
        .map(|&p| Suite {
            name: format!("{prefix}.{p}"),
            cases: r
                .objects
                .iter()
                .filter_map(|o| {
                    let c = match p {
                        Purpose::Backup => o.purposes.backup,
                        Purpose::Restore => o.purposes.restore,
                    };
                    if c == Coverage::NotApplicable {
                        return None;
                    }
                    let unmet: Vec<String> = o
                        .requirements
                        .iter()
                        .filter(|q| q.purposes.contains(&p) && !q.status.is_ok())
                        .map(|q| {
                            let new = if q.change == Some(crate::audit::Change::NewGap) {
                                "NEW since the baseline: "
                            } else {
                                ""
                            };
                            format!(
                                "{new}{}: {}",
                                req_name(&q.permission, q.ptype),
                                status_words(q)
                            )
                        })
                        .collect();
                    let gating = o.requirements.iter().any(|q| {
                        q.purposes.contains(&p)
                            && !q.status.is_ok()
                            && policy::gap_fails(r, r.fail_on, &q.permission, q.ptype, &[p])
                    });
                    let words =
                        format!("{}: {p} is {} — {}", o.object, c.as_str(), unmet.join("; "));
                    Some(Case {
                        name: o.object.clone(),
                        failure: (c.is_gap() && gating)
                            .then(|| (c.as_str(), words.clone(), unmet.join("\n"))),
                        error: false,
                        skipped: (c.is_gap() && !gating).then(|| {
                            format!("not gated by --fail-on {}: {words}", r.fail_on.as_str())
                        }),
                    })
                })
                .collect(),
        })
        .filter(|s| !s.cases.is_empty())
        .chain(excess_suite(r, prefix))
        .collect()
}

/// Under a policy that gates on grants not needed: one case per such grant.
fn excess_suite(r: &Report, prefix: &str) -> Option<Suite> {
    if !matches!(
        r.fail_on,
        FailOn::Excess | FailOn::ExcessTier0 | FailOn::NewExcess
    ) {
        return None;
    }
    let cases = r
        .excess
        .iter()
        .map(|e| {
            let name = req_name(&e.permission, e.ptype);
            let tier = e.tier.map(|t| format!(" (Tier {t})")).unwrap_or_default();
            Case {
                failure: policy::excess_fails(r, r.fail_on, e).then(|| {
                    (
                        "not-needed",
                        format!(
                            "{name}{tier} is granted but no backup or restore requirement needs it"
                        ),
                        format!(
                            "--fail-on {}: remove the grant (entra-perms plan prints how)",
                            r.fail_on.as_str()
                        ),
                    )
                }),
                name,
                error: false,
                skipped: None,
            }
        })
        .collect();
    Some(Suite {
        name: format!("{prefix}.not-needed"),
        cases,
    })
}

/// The cases, failures and errors of `suites`.
fn totals<'a>(suites: impl IntoIterator<Item = &'a Suite>) -> [usize; 3] {
    let mut t = [0; 3];
    for c in suites.into_iter().flat_map(|s| &s.cases) {
        t[0] += 1;
        t[1] += usize::from(c.failure.is_some() && !c.error);
        t[2] += usize::from(c.error);
    }
    t
}

/// The document: `testsuites` with the run's totals, the suites `fill` writes, the summary.
fn write(
    totals: [usize; 3],
    summary: &str,
    out: &mut dyn Write,
    fill: &mut dyn FnMut(&mut Writer<&mut dyn Write>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let [tests, failures, errors] = totals.map(|n| n.to_string());
    let mut w = Writer::new_with_indent(&mut *out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(BytesStart::new("testsuites").with_attributes(
        [
            ("name", "entra-perms audit"),
            ("tests", tests.as_str()),
            ("failures", failures.as_str()),
            ("errors", errors.as_str()),
        ],
    )))?;
    fill(&mut w)?;
    w.create_element("system-out")
        .write_text_content(BytesText::new(summary))?;
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    writeln!(w.into_inner())
}

/// One test suite and its cases.
fn write_suite(w: &mut Writer<&mut dyn Write>, suite: &Suite) -> std::io::Result<()> {
    let count = |f: &dyn Fn(&Case) -> bool| suite.cases.iter().filter(|c| f(c)).count().to_string();
    let tests = suite.cases.len().to_string();
    let failures = count(&|c| c.failure.is_some() && !c.error);
    let errors = count(&|c| c.error);
    let skipped = count(&|c| c.skipped.is_some());
    w.create_element("testsuite")
        .with_attributes([
            ("name", suite.name.as_str()),
            ("tests", tests.as_str()),
            ("failures", failures.as_str()),
            ("errors", errors.as_str()),
            ("skipped", skipped.as_str()),
        ])
        .write_inner_content(|w| {
            for case in &suite.cases {
                let el = w.create_element("testcase").with_attributes([
                    ("classname", suite.name.as_str()),
                    ("name", case.name.as_str()),
                ]);
                if let Some(why) = &case.skipped {
                    el.write_inner_content(|w| {
                        w.create_element("skipped")
                            .with_attribute(("message", why.as_str()))
                            .write_empty()?;
                        Ok(())
                    })?;
                    continue;
                }
                let Some((kind, message, text)) = &case.failure else {
                    el.write_empty()?;
                    continue;
                };
                el.write_inner_content(|w| {
                    w.create_element(if case.error { "error" } else { "failure" })
                        .with_attributes([("message", message.as_str()), ("type", *kind)])
                        .write_text_content(BytesText::new(text))?;
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// Write every suite of `suites`.
fn write_all(suites: &[Suite], summary: &str, out: &mut dyn Write) -> std::io::Result<()> {
    write(totals(suites), summary, out, &mut |w| {
        suites.iter().try_for_each(|s| write_suite(w, s))
    })
}

pub fn audit(r: &Safe<Report>, out: &mut dyn Write) -> std::io::Result<()> {
    write_all(&suites(r, "entra-perms"), &verdict(r), out)
}

pub fn tenants(m: &dyn TenantResults, out: &mut dyn Write) -> std::io::Result<()> {
    // Each tenant's suites, made safe and laid out one tenant at a time: once to count, once to
    // write (the totals open the document).
    let each = &mut |f: &mut dyn FnMut(&[Suite]) -> std::io::Result<()>| {
        m.each(&mut |t| {
            let t = Safe::new(t)?;
            f(&tenant_suites(&t))
        })
    };
    let mut all = [0usize; 3];
    each(&mut |suites| {
        let t = totals(suites);
        (0..3).for_each(|i| all[i] += t[i]);
        Ok(())
    })?;
    let s = m.summary();
    let summary = format!(
        "{} tenants: {} passed, {} failed, {} could not be audited",
        s.tenants, s.passed, s.failed, s.errors
    );
    write(all, &summary, out, &mut |w| {
        each(&mut |suites| suites.iter().try_for_each(|s| write_suite(w, s)))
    })
}

/// One tenant's suites, or its error case.
fn tenant_suites(t: &TenantResult) -> Vec<Suite> {
    let prefix = format!("entra-perms.{}", t.tenant);
    match (&t.report, &t.error) {
        (Some(r), _) => suites(r, &prefix),
        (None, error) => {
            let error = error.clone().unwrap_or_default();
            vec![Suite {
                name: prefix,
                cases: vec![Case {
                    name: "audit".into(),
                    failure: Some(("could-not-audit", error.clone(), error)),
                    error: true,
                    skipped: None,
                }],
            }]
        }
    }
}
