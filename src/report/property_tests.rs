//! A property test over every format: any text the tenant controls — control characters, bidi
//! overrides, backquotes, `::` and `##[`, Markdown links and images, HTML, formulas — put into
//! the app's, a credential's, an owner's and a federated credential's names and a delegated scope,
//! leaves every report inert for its destination, and the JSON keeps it exactly.
//!
//! Test code only (compiled under `#[cfg(test)]`): each `unwrap()`/`expect()` here fails the test
//! it is in when a fixture breaks; none is reachable from the tool.

use proptest::prelude::*;

use super::{Format, Rendered};
use crate::audit::{self, Against, Options};
use crate::grants::{Credential, FederatedCredential, Owner, Source};
use crate::matrix::Matrix;
use crate::snapshot::Snapshot;

fn hostile() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "\u{1b}[2J",
        "\u{1b}]52;c;aGk=\u{7}",
        "\u{7}",
        "\r\n",
        "\n::error::x",
        "::warning::w",
        "##[stop-commands]",
        "##vso[task.complete]",
        "`",
        "```",
        "[ok](https://evil.example)",
        "![i](https://evil.example/i.png)",
        "<img src=x onerror=alert(1)>",
        "</script>",
        "@all",
        "#1",
        "\u{202e}",
        "\u{2066}",
        "\u{2028}",
        "\u{fffe}",
        "\u{0}",
        "\u{9b}31m",
        "=HYPERLINK(\"x\")",
        "+1",
        "-1",
        "|",
        "\"",
        "'",
        "&amp;",
        "www.evil.example",
        "é",
        " ",
        "Backup",
    ]);
    prop::collection::vec(pieces, 1..8).prop_map(|v| v.concat())
}

/// Whether a character may not reach a document for people raw.
fn raw_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{fffe}' | '\u{ffff}')
}

/// Lines a CI runner would read as a command.
fn commands(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.trim_start().starts_with("::") || l.contains("##[") || l.contains("##vso["))
        .collect()
}

fn render(text: &str, many: bool) -> (Rendered, crate::plan::Plan, Matrix) {
    let matrix = Matrix::embedded().unwrap();
    let mut grants = Snapshot::parse(
        include_str!("../../examples/wrong-types-and-excess.json"),
        "example",
    )
    .unwrap()
    .grants;
    grants.app.display_name = Some(text.to_string());
    if let Some(d) = grants.delegated.first_mut() {
        // A scope string is tenant text too (the plan's PATCH quotes it).
        d.permission = format!(
            "User.Read{}",
            text.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        );
    }
    let sec = grants.app_security.get_or_insert_with(Default::default);
    sec.registration_here = true;
    sec.credentials.push(Credential {
        on: "application".into(),
        kind: "secret".into(),
        display_name: Some(text.to_string()),
        key_id: Some("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0".into()),
        ..Default::default()
    });
    sec.owners = Some(vec![Owner {
        id: "8a3c2b1d-4e5f-4a6b-8c7d-9e0f1a2b3c4d".into(),
        kind: text.to_string(),
        display_name: Some(text.to_string()),
        user_principal_name: Some(format!("{text}@contoso.example")),
        of: vec!["application".into()],
        tier0_roles: Some(Vec::new()),
    }]);
    sec.federated_credentials = Some(vec![FederatedCredential {
        id: "1b2c3d4e-0000-4000-8000-000000000001".into(),
        name: Some(text.to_string()),
        issuer: Some(text.to_string()),
        subject: Some(format!("repo:{text}:pull_request")),
        claims_matching_expression: None,
        audiences: vec![text.to_string()],
    }]);
    let report = audit::run(
        &matrix,
        &grants,
        Source::Snapshot,
        &Options::default(),
        Against::Nothing,
    )
    .unwrap();
    let plan = crate::plan::plan(&matrix, &grants, &report, grants.cloud);
    if many {
        let t = |report, error| crate::multi::TenantResult {
            tenant: "contoso.example".into(),
            exit: crate::exit::Exit::Gaps,
            report,
            error,
        };
        let m = crate::multi::MultiReport::new(vec![
            t(Some(report), None),
            t(None, Some(format!("could not read: {text}"))),
        ]);
        return (Rendered::many(m, &matrix).unwrap(), plan, matrix);
    }
    let rendered = Rendered::one(report, Some(&plan), &matrix).unwrap();
    (rendered, plan, matrix)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn tenant_text_is_inert_in_every_format(text in hostile(), many in proptest::bool::ANY) {
        let (rendered, plan, matrix) = render(&text, many);
        let mut out = std::collections::HashMap::new();
        for format in Format::ALL {
            let mut buf = Vec::new();
            rendered.render(format, &matrix, false, &mut buf).unwrap();
            out.insert(format.as_str(), String::from_utf8(buf).unwrap());
        }
        let safe_plan = super::safe::Safe::new(&plan).unwrap();
        let mut buf = Vec::new();
        super::plan::text(&safe_plan, &mut crate::output::CiInert::new(&mut buf)).unwrap();
        out.insert("plan text", String::from_utf8(buf).unwrap());
        for (name, f) in [("plan markdown", super::plan::markdown as fn(&_, &mut dyn std::io::Write) -> _), ("plan html", super::plan::html)] {
            let mut buf = Vec::new();
            f(&safe_plan, &mut buf).unwrap();
            out.insert(name, String::from_utf8(buf).unwrap());
        }
        for (name, doc) in &out {
            // JSON-based formats escape controls themselves (and must keep the text exactly).
            if matches!(*name, "json" | "sarif") {
                let v: serde_json::Value = serde_json::from_str(doc).unwrap();
                prop_assert!(!doc.chars().any(|c| c.is_control() && c != '\n'), "{name}");
                if *name == "json" {
                    let app = if many { &v["tenants"][0]["report"]["app"] } else { &v["app"] };
                    prop_assert_eq!(app["displayName"].as_str(), Some(text.as_str()));
                }
                continue;
            }
            // CSV ends its records with CRLF (RFC 4180); no other CR may appear.
            let doc = if *name == "csv" { doc.replace("\r\n", "\n") } else { doc.clone() };
            let bad: Vec<char> = doc.chars().filter(|c| raw_unsafe(*c)).collect();
            prop_assert!(bad.is_empty(), "{name}: raw {bad:?}");
        }
        for name in ["table", "plan text"] {
            prop_assert!(commands(&out[name]).is_empty(), "{name}: {:?}", commands(&out[name]));
        }
        let mut options = comrak::Options::default();
        options.extension.table = true;
        options.extension.autolink = true;
        options.extension.strikethrough = true;
        for name in ["markdown", "plan markdown"] {
            let html = comrak::markdown_to_html(&out[name], &options);
            // Our own links (the admin-consent URL) stay; none goes where the tenant says.
            // (A user principal name may show as a mailto link to itself: not a tenant's target.)
            let targets: Vec<&str> = ["href=\"", "src=\""]
                .iter()
                .flat_map(|attr| html.split(attr).skip(1))
                .filter_map(|rest| rest.split('"').next())
                .filter(|t| !t.starts_with("mailto:"))
                .collect();
            prop_assert!(!html.contains("<img"), "{name}: {html}");
            prop_assert!(targets.iter().all(|t| !t.contains("evil")), "{name}: {targets:?}");
        }
        for name in ["html", "plan html"] {
            prop_assert!(!out[name].contains("<img src=x"), "{name}");
            let lower = out[name].to_ascii_lowercase();
            prop_assert_eq!(lower.matches("<script").count(), lower.matches("</script").count(), "{}: a script ended early", name);
        }
        let mut cells = ::csv::ReaderBuilder::new().has_headers(false).from_reader(out["csv"].as_bytes());
        for record in cells.records() {
            for cell in record.unwrap().iter() {
                prop_assert!(!cell.starts_with(['=', '+', '@']), "csv formula: {cell}");
            }
        }
    }
}
