//! `audit --format junit`: JUnit XML that CI systems ingest. One test suite per purpose in scope,
//! one test case per protected object, a failure per object that purpose does not cover.

use std::io::Write;

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::audit_view::{req_name, status_words, verdict};
use crate::audit::{Coverage, Report};
use crate::matrix::Purpose;

/// A test case: the object, its coverage for the suite's purpose, and what is not satisfied.
type Case<'r> = (&'r str, Coverage, Vec<String>);

pub fn audit(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let suites: Vec<(Purpose, Vec<Case<'_>>)> = Purpose::ALL
        .iter()
        .map(|&p| {
            let cases = r
                .objects
                .iter()
                .filter_map(|o| {
                    let c = match p {
                        Purpose::Backup => o.purposes.backup,
                        Purpose::Restore => o.purposes.restore,
                    };
                    (c != Coverage::NotApplicable).then(|| {
                        let unmet = o
                            .requirements
                            .iter()
                            .filter(|q| q.purposes.contains(&p) && !q.status.is_ok())
                            .map(|q| {
                                format!("{}: {}", req_name(&q.permission, q.ptype), status_words(q))
                            })
                            .collect();
                        (o.object.as_str(), c, unmet)
                    })
                })
                .collect::<Vec<_>>();
            (p, cases)
        })
        .filter(|(_, cases)| !cases.is_empty())
        .collect();
    let count = |f: &dyn Fn(Coverage) -> bool| {
        suites
            .iter()
            .flat_map(|(_, c)| c)
            .filter(|(_, c, _)| f(*c))
            .count()
    };
    let tests = count(&|_| true).to_string();
    let failures = count(&|c| c.is_gap()).to_string();

    let mut w = Writer::new_with_indent(&mut *out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("testsuites")
        .with_attributes([
            ("name", "entra-perms audit"),
            ("tests", tests.as_str()),
            ("failures", failures.as_str()),
            ("errors", "0"),
        ])
        .write_inner_content(|w| {
            for (purpose, cases) in &suites {
                let tests = cases.len().to_string();
                let failures = cases.iter().filter(|c| c.1.is_gap()).count().to_string();
                let name = format!("entra-perms.{purpose}");
                w.create_element("testsuite")
                    .with_attributes([
                        ("name", name.as_str()),
                        ("tests", tests.as_str()),
                        ("failures", failures.as_str()),
                        ("errors", "0"),
                        ("skipped", "0"),
                    ])
                    .write_inner_content(|w| {
                        for (object, coverage, unmet) in cases {
                            let case = w
                                .create_element("testcase")
                                .with_attributes([("classname", name.as_str()), ("name", *object)]);
                            if !coverage.is_gap() {
                                case.write_empty()?;
                                continue;
                            }
                            case.write_inner_content(|w| {
                                let message = format!(
                                    "{object}: {purpose} is {} — {}",
                                    coverage.as_str(),
                                    unmet.join("; ")
                                );
                                w.create_element("failure")
                                    .with_attributes([
                                        ("message", message.as_str()),
                                        ("type", coverage.as_str()),
                                    ])
                                    .write_text_content(BytesText::new(&unmet.join("\n")))?;
                                Ok(())
                            })?;
                        }
                        Ok(())
                    })?;
            }
            w.create_element("system-out")
                .write_text_content(BytesText::new(&verdict(r)))?;
            Ok(())
        })?;
    writeln!(out)
}
