//! Reading a baseline (`--baseline FILE`): an audit JSON, a multi-tenant audit JSON or a
//! snapshot, validated as an input (whose state it is, when, every requirement's status) and
//! read into typed documents that keep only what the comparison needs — never a whole JSON tree —
//! with a cap on each list, so a large or hostile file is refused before it fills memory.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;

use super::drift::{from_report, key, Baseline, BaselineDoc};
use crate::audit::{self, BaselineInfo, GrantEntry, Options};
use crate::error::Error;
use crate::grants::Source;
use crate::matrix::Matrix;
use crate::permission::PermissionType;
use crate::snapshot::Snapshot;

/// The most grants one audit of a baseline may list (an app holds tens; a thousand is a lot).
pub(super) const MAX_GRANTS: usize = 20_000;
/// The most protected objects, and requirements of one object, an audit may list.
pub(super) const MAX_OBJECTS: usize = 1_000;
/// The most tenants a multi-tenant baseline may list (as the tenants file).
pub(super) const MAX_TENANTS: usize = 10_000;

/// A list read element by element that refuses its `N+1`th element: memory stays bounded by
/// `N`, whatever the file holds.
struct Capped<T, const N: usize>(Vec<T>);

impl<'de, T: Deserialize<'de>, const N: usize> Deserialize<'de> for Capped<T, N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Cap<T, const N: usize>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for Cap<T, N> {
            type Value = Capped<T, N>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a list of at most {N} items")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element()? {
                    if out.len() == N {
                        return Err(de::Error::custom(format!(
                            "more than {N} items in one list: not a baseline this tool wrote"
                        )));
                    }
                    out.push(item);
                }
                Ok(Capped(out))
            }
        }
        d.deserialize_seq(Cap::<T, N>(PhantomData))
    }
}

/// What kind of document it is (every other field skipped without being kept).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    snapshot_version: Option<IgnoredAny>,
    schema_version: Option<u64>,
    tenants: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuditDoc {
    tenant_id: Option<String>,
    app: Option<AppIds>,
    read_at: Option<String>,
    objects: Option<Capped<ObjectDoc, MAX_OBJECTS>>,
    grants: Option<Capped<GrantEntry, MAX_GRANTS>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppIds {
    app_id: Option<String>,
    service_principal_id: Option<String>,
}

#[derive(Deserialize)]
struct ObjectDoc {
    requirements: Option<Capped<RequirementDoc, MAX_OBJECTS>>,
}

#[derive(Deserialize)]
struct RequirementDoc {
    permission: Option<String>,
    #[serde(rename = "type")]
    ptype: Option<String>,
    status: Option<String>,
}

#[derive(Deserialize)]
struct MultiDoc {
    tenants: Capped<TenantDoc, MAX_TENANTS>,
}

#[derive(Deserialize)]
struct TenantDoc {
    tenant: Option<String>,
    report: Option<AuditDoc>,
}

/// Read a baseline: an audit JSON, a multi-tenant audit JSON or a snapshot. A snapshot is audited
/// with today's matrix and options, so that a change of matrix is not mistaken for drift.
pub fn parse(
    text: &str,
    origin: &str,
    matrix: &Matrix,
    options: &Options,
) -> Result<BaselineDoc, Error> {
    let bad = |msg: String| Error::input(format!("invalid baseline {origin}: {msg}"));
    let json = |e: serde_json::Error| {
        bad(format!(
            "line {} column {}: {}",
            e.line(),
            e.column(),
            if e.is_syntax() || e.is_eof() {
                "not valid JSON".to_string()
            } else {
                let m = e.to_string();
                m.rfind(" at line ")
                    .map_or(m.clone(), |i| m[..i].to_string())
            }
        ))
    };
    let probe: Probe = serde_json::from_str(text).map_err(json)?;
    if probe.snapshot_version.is_some() {
        let snapshot = Snapshot::parse(text, origin)?;
        let report = audit::diff(matrix, &snapshot.grants, Source::Snapshot, options);
        return Ok(BaselineDoc::One(Box::new(from_report(
            &report,
            "snapshot",
            Some(snapshot.taken_at),
        ))));
    }
    if probe.schema_version != Some(1) {
        return Err(bad(
            "it is neither an entra-perms audit JSON (schemaVersion 1) nor a snapshot".into(),
        ));
    }
    if probe.tenants.is_some() {
        let doc: MultiDoc = serde_json::from_str(text).map_err(json)?;
        let mut list = Vec::new();
        for (i, t) in doc.tenants.0.into_iter().enumerate() {
            let name = t
                .tenant
                .ok_or_else(|| bad(format!("tenants[{i}] has no `tenant`")))?;
            if let Some(r) = t.report {
                let b = from_audit_doc(r, &bad)?;
                needs_grants(&b, options, &bad)?;
                list.push((name, b));
            }
        }
        return Ok(BaselineDoc::Many(list));
    }
    let doc: AuditDoc = serde_json::from_str(text).map_err(json)?;
    let one = from_audit_doc(doc, &bad)?;
    needs_grants(&one, options, &bad)?;
    Ok(BaselineDoc::One(Box::new(one)))
}

/// A baseline from an audit JSON (`--format json`): whose state it is (tenant, app), when it
/// was read, and every requirement's status — refused when any of these is missing, so that an
/// empty or anonymous file can never pass for "nothing changed".
fn from_audit_doc(v: AuditDoc, bad: &dyn Fn(String) -> Error) -> Result<Baseline, Error> {
    let objects = v
        .objects
        .ok_or_else(|| bad("it has no `objects` (is it an entra-perms audit JSON?)".into()))?;
    let tenant_id = v.tenant_id.ok_or_else(|| {
        bad("it names no tenant (`tenantId`): a baseline must say whose state it records".into())
    })?;
    let (app_id, service_principal_id) = v
        .app
        .map(|a| (a.app_id, a.service_principal_id))
        .unwrap_or_default();
    if app_id.is_none() && service_principal_id.is_none() {
        return Err(bad(
            "it names no app (`app.appId` or `app.servicePrincipalId`)".into(),
        ));
    }
    let read_at = v
        .read_at
        .ok_or_else(|| bad("it has no `readAt`: when its state was read is unknown".into()))?;
    let taken_at = crate::time::utc_seconds(&read_at)
        .ok_or_else(|| bad(format!("`readAt` `{read_at}` is not an RFC 3339 time")))?;
    let ptype = |t: &str| -> Result<PermissionType, Error> {
        match t {
            "Application" => Ok(PermissionType::Application),
            "Delegated" => Ok(PermissionType::Delegated),
            "Any" => Ok(PermissionType::Any),
            other => Err(bad(format!("`{other}` is not a permission type"))),
        }
    };
    let mut satisfied = HashMap::new();
    for (i, o) in objects.0.into_iter().enumerate() {
        for (j, q) in o
            .requirements
            .map(|r| r.0)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let missing = |f: &str| bad(format!("objects[{i}].requirements[{j}] has no `{f}`"));
            let status = q.status.ok_or_else(|| missing("status"))?;
            let permission = q.permission.ok_or_else(|| missing("permission"))?;
            let t = q.ptype.ok_or_else(|| missing("type"))?;
            satisfied.insert(
                key(&permission, ptype(&t)?),
                matches!(status.as_str(), "granted" | "implied"),
            );
        }
    }
    if satisfied.is_empty() {
        return Err(bad(
            "it lists no requirements: nothing could be compared with it".into(),
        ));
    }
    Ok(Baseline {
        info: BaselineInfo {
            taken_at: Some(taken_at),
            source: "audit".into(),
            tenant_id: Some(tenant_id),
            app_id,
        },
        service_principal_id,
        satisfied,
        grants: v.grants.map(|g| g.0),
    })
}

/// `--fail-on new-excess` compares grants: a baseline that records none cannot say which are new.
fn needs_grants(
    b: &Baseline,
    options: &Options,
    bad: &dyn Fn(String) -> Error,
) -> Result<(), Error> {
    if options.fail_on == crate::audit::FailOn::NewExcess && b.grants.is_none() {
        return Err(bad(
            "it records no grants, so new excess grants cannot be told from old ones: take a new baseline with this version".into(),
        ));
    }
    Ok(())
}
