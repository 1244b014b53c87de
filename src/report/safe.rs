//! Text from the tenant, made safe before a renderer for people lays it out: every string that
//! came from Graph or a snapshot (names, ids, notes, errors) has its control characters escaped,
//! so a display name cannot drive the terminal or break a Markdown or XML document. The JSON
//! keeps the true values (JSON escapes them itself).

use crate::audit::Report;
use crate::multi::MultiReport;
use crate::plan::Plan;
use crate::text::escape_controls as esc;

fn opt(s: &mut Option<String>) {
    if let Some(v) = s {
        *v = esc(v);
    }
}

fn all(list: &mut [String]) {
    for s in list {
        *s = esc(s);
    }
}

/// The report with every tenant-supplied string escaped.
pub fn report(r: &Report) -> Report {
    let mut r = r.clone();
    opt(&mut r.tenant_id);
    opt(&mut r.app.app_id);
    opt(&mut r.app.service_principal_id);
    opt(&mut r.app.display_name);
    for o in &mut r.objects {
        for q in &mut o.requirements {
            q.permission = esc(&q.permission);
            opt(&mut q.via);
            opt(&mut q.granted_on);
        }
    }
    for g in &mut r.missing {
        g.permission = esc(&g.permission);
    }
    for e in &mut r.excess {
        e.permission = esc(&e.permission);
    }
    for o in &mut r.other_resources {
        o.resource = esc(&o.resource);
        o.resource_id = esc(&o.resource_id);
        o.permission = esc(&o.permission);
    }
    for u in &mut r.unresolved {
        u.id = esc(&u.id);
    }
    if let Some(sa) = &mut r.service_account {
        sa.id = esc(&sa.id);
        opt(&mut sa.user_principal_name);
        for role in sa.roles.iter_mut().flatten() {
            role.display_name = esc(&role.display_name);
            role.template_id = esc(&role.template_id);
        }
        all(&mut sa.notes);
    }
    all(&mut r.notes);
    for f in &mut r.findings {
        f.message = esc(&f.message);
    }
    if let Some(a) = &mut r.app_security {
        for c in &mut a.credentials {
            opt(&mut c.display_name);
            opt(&mut c.end_date_time);
        }
        for o in a.owners.iter_mut().flatten() {
            o.id = esc(&o.id);
            opt(&mut o.display_name);
            opt(&mut o.user_principal_name);
            all(&mut o.tier0_roles);
        }
        for f in &mut a.findings {
            f.message = esc(&f.message);
        }
    }
    r
}

/// Every tenant's report and error escaped.
pub fn multi(m: &MultiReport) -> MultiReport {
    let mut m = m.clone();
    for t in &mut m.tenants {
        t.tenant = esc(&t.tenant);
        opt(&mut t.error);
        if let Some(r) = &t.report {
            t.report = Some(report(r));
        }
    }
    m
}

/// The plan's names and notes escaped (its commands quote their values for the shell).
pub fn plan(p: &Plan) -> Plan {
    let mut p = p.clone();
    opt(&mut p.tenant_id);
    opt(&mut p.app.display_name);
    all(&mut p.notes);
    for r in &mut p.remove {
        r.permission = esc(&r.permission);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{diff, Options};
    use crate::grants::{AppIdentity, Grants, Source};
    use crate::matrix::Matrix;

    #[test]
    fn names_from_the_tenant_lose_their_control_characters() {
        let m = Matrix::embedded().unwrap();
        let mut g = Grants::new(
            crate::cloud::Cloud::Global,
            AppIdentity {
                display_name: Some("Backup\u{1b}[2J\u{7}\nFAKE: PASS".into()),
                ..Default::default()
            },
        );
        g.notes.push("note\u{1b}]0;title\u{7}".into());
        let r = diff(&m, &g, Source::Snapshot, &Options::default());
        let safe = report(&r);
        let text = format!("{:?}{:?}", safe.app.display_name, safe.notes);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert_eq!(
            safe.app.display_name.as_deref(),
            Some("Backup\\e[2J\\u{7}\\nFAKE: PASS")
        );
        // The report itself keeps the true value, for the JSON.
        assert!(r.app.display_name.unwrap().contains('\u{1b}'));
    }
}
