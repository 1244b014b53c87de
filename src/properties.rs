//! Property tests: no input makes a loader or decoder panic, and the audit's coverage behaves
//! (granting more never lowers it; `--strict` never covers more).
//!
//! Test code only (compiled under `#[cfg(test)]`): each `unwrap()`/`expect()` here fails the test
//! it is in when a fixture breaks; none is reachable from the tool.

use proptest::prelude::*;

use crate::audit::{diff, Coverage, Options, Report};
use crate::audit::{FailOn, Scope};
use crate::cloud::Cloud;
use crate::grants::{
    AppIdentity, AppRoleGrant, Consent, DelegatedGrant, Grants, Requested, ServiceAccount, Source,
};
use crate::matrix::{Matrix, EMBEDDED};
use crate::permission::PermissionType;
use crate::snapshot::Snapshot;

const SA: &str = "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e";
const EXAMPLE: &str = include_str!("../examples/wrong-types-and-excess.json");

/// One possible grant: (permission index, kind). Kinds: 0 app role, 1 admin-consent delegated,
/// 2 delegated for the service account, 3 delegated for another user, 4 requested as app,
/// 5 requested as delegated.
type GrantSpec = (usize, u8);

fn names() -> Vec<String> {
    let m = Matrix::embedded().expect("embedded matrix");
    let mut n: Vec<String> = m.permission_names().iter().map(|s| s.to_string()).collect();
    n.extend(["Directory.Read.All", "Mail.ReadWrite", "openid"].map(String::from));
    n
}

fn build(specs: &[GrantSpec]) -> Grants {
    let names = names();
    let mut g = Grants::new(Cloud::Global, AppIdentity::default());
    g.service_account = Some(ServiceAccount {
        id: SA.into(),
        user_principal_name: None,
        roles: None,
        findings: Vec::new(),
        role_notes: Vec::new(),
    });
    let mut requested = Vec::new();
    for &(i, kind) in specs {
        let permission = names[i % names.len()].clone();
        let delegated = |consent, principal: Option<&str>| DelegatedGrant {
            permission: permission.clone(),
            consent,
            principal_id: principal.map(str::to_string),
            grant_id: None,
        };
        match kind % 6 {
            0 => g.application.push(AppRoleGrant {
                permission,
                app_role_id: None,
                assignment_id: None,
                created: None,
            }),
            1 => g.delegated.push(delegated(Consent::AllPrincipals, None)),
            2 => g.delegated.push(delegated(Consent::Principal, Some(SA))),
            3 => g
                .delegated
                .push(delegated(Consent::Principal, Some("other-user"))),
            4 => requested.push(Requested {
                permission,
                ptype: PermissionType::Application,
            }),
            _ => requested.push(Requested {
                permission,
                ptype: PermissionType::Delegated,
            }),
        }
    }
    g.requested = Some(requested);
    g
}

/// The char boundary at or before `i`.
fn boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn rank(c: Coverage) -> u8 {
    match c {
        Coverage::Missing => 0,
        Coverage::Partial => 1,
        Coverage::Covered => 2,
        Coverage::NotApplicable => 3,
    }
}

fn audit(g: &Grants, strict: bool, scope: Scope) -> Report {
    let m = Matrix::embedded().expect("embedded matrix");
    diff(
        &m,
        g,
        Source::Graph,
        &Options {
            scope,
            strict,
            fail_on: FailOn::Gap,
            include_optional: false,
        },
    )
}

fn specs() -> impl Strategy<Value = Vec<GrantSpec>> {
    prop::collection::vec((0usize..40, 0u8..6), 0..40)
}

fn scope() -> impl Strategy<Value = Scope> {
    prop_oneof![Just(Scope::All), Just(Scope::Backup), Just(Scope::Restore)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn granting_more_never_lowers_coverage(base in specs(), more in specs(), strict: bool, scope in scope()) {
        let before = audit(&build(&base), strict, scope);
        let all: Vec<GrantSpec> = base.iter().chain(more.iter()).copied().collect();
        let after = audit(&build(&all), strict, scope);
        for (b, a) in before.objects.iter().zip(&after.objects) {
            prop_assert_eq!(&b.object, &a.object);
            prop_assert!(rank(a.status) >= rank(b.status), "{}: {:?} -> {:?}", b.object, b.status, a.status);
            prop_assert!(rank(a.purposes.backup) >= rank(b.purposes.backup));
            prop_assert!(rank(a.purposes.restore) >= rank(b.purposes.restore));
        }
        prop_assert!(after.passed || !before.passed);
    }

    #[test]
    fn covered_under_strict_is_covered_without_it(specs in specs(), scope in scope()) {
        let g = build(&specs);
        let strict = audit(&g, true, scope);
        let lenient = audit(&g, false, scope);
        for (s, l) in strict.objects.iter().zip(&lenient.objects) {
            if s.status == Coverage::Covered {
                prop_assert_eq!(l.status, Coverage::Covered, "{}", s.object);
            }
            prop_assert!(rank(l.status) >= rank(s.status));
        }
        prop_assert!(lenient.passed || !strict.passed);
        prop_assert!(strict.objects.iter().flat_map(|o| &o.requirements).all(|r| r.via.is_none()));
    }

    #[test]
    fn the_matrix_loader_never_panics(text in ".{0,400}") {
        let _ = Matrix::parse(&text, "fuzz.toml");
    }

    #[test]
    fn the_matrix_loader_never_panics_on_a_damaged_matrix(cut in 0usize..10_000, at in 0usize..10_000, junk in "[\\[\\]\"=a-z0-9 \n.,{}#-]{0,12}") {
        let mut text = EMBEDDED.to_string();
        text.truncate(boundary(&text, cut));
        let at = boundary(&text, at);
        text.insert_str(at, &junk);
        let _ = Matrix::parse(&text, "fuzz.toml");
    }

    #[test]
    fn the_snapshot_loader_never_panics(text in ".{0,400}") {
        let _ = Snapshot::parse(&text, "fuzz.json");
    }

    #[test]
    fn the_snapshot_loader_never_panics_on_a_damaged_snapshot(at in 0usize..20_000, len in 0usize..50, junk in "[\\[\\]\"{}:,a-z0-9 ]{0,8}") {
        let mut text = EXAMPLE.to_string();
        let at = boundary(&text, at);
        let end = boundary(&text, at + len);
        text.replace_range(at..end, &junk);
        let _ = Snapshot::parse(&text, "fuzz.json");
    }

    #[test]
    fn the_token_decoder_never_panics(text in ".{0,300}", payload in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = crate::token::decode_claims(&text);
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&payload);
        let _ = crate::token::decode_claims(&format!("eyJhbGciOiJub25lIn0.{b64}.sig"));
    }

    #[test]
    fn graph_response_decoding_never_panics(body in prop::collection::vec(any::<u8>(), 0..400), text in ".{0,200}") {
        use crate::graph::wire::*;
        for bytes in [body.as_slice(), text.as_bytes()] {
            let _ = serde_json::from_slice::<Page<AppRoleAssignment>>(bytes);
            let _ = serde_json::from_slice::<Page<OAuth2PermissionGrant>>(bytes);
            let _ = serde_json::from_slice::<Page<RoleAssignment>>(bytes);
            let _ = serde_json::from_slice::<ResourceCatalog>(bytes);
            let _ = serde_json::from_slice::<ServicePrincipal>(bytes);
            let _ = serde_json::from_slice::<Application>(bytes);
            let _ = serde_json::from_slice::<ErrorEnvelope>(bytes);
        }
    }

    #[test]
    fn tenants_files_never_panic(text in ".{0,300}") {
        let _ = crate::tenants::parse(&text, "t.txt");
    }
}
