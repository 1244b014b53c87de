//! `entra-perms inventory`: every app of the tenant holding Microsoft Graph permissions, read
//! with a few paged collections (GET only), ranked Tier 0 first, in the report asked for; with
//! `--tenants`, every tenant listed (`tenants`).

mod tenants;

use std::io::Write;

use anyhow::Result;

use crate::cli::{InventoryArgs, InventoryFailOn, InventoryFormat};
use crate::config::Connection;
use crate::exit::Outcome;
use crate::graph::session::Session;
use crate::inventory::{self, FailOn, Inventory};
use crate::report::inventory as render;
use crate::report::safe::Safe;

pub fn run(args: &InventoryArgs, out: &mut dyn Write) -> Result<Outcome> {
    if let Some(path) = &args.output {
        crate::config::check_output_path(path, "--output").map_err(crate::error::Error::input)?;
    }
    if args.fail_on == InventoryFailOn::Tier0Gained && args.baseline.is_none() {
        anyhow::bail!(crate::error::Error::input(
            "--fail-on tier0-gained compares with an earlier inventory: give it with --baseline FILE (inventory --format json)"
        ));
    }
    let fail_on = match args.fail_on {
        InventoryFailOn::Tier0Dormant => FailOn::Tier0Dormant,
        InventoryFailOn::Tier0Foreign => FailOn::Tier0Foreign,
        InventoryFailOn::Tier0Gained => FailOn::Tier0Gained,
        InventoryFailOn::Never => FailOn::Never,
    };
    if let Some(file) = &args.tenants {
        return tenants::run(args, file, fail_on, out);
    }
    let baseline = match &args.baseline {
        Some(path) => Some(load_baseline(path)?),
        None => None,
    };
    let connection = Connection::try_from(&args.connection)?;
    let session = Session::connect(&connection)?;
    let read = crate::graph::session::runtime()?
        .block_on(session.read_inventory(session.tenant.as_deref()))?;
    let vendors = crate::matrix::embedded::all()?;
    let now = read.read_at.clone();
    if let (Some(b), Some(t)) = (&baseline, &read.tenant_id) {
        if b.tenant_id
            .as_deref()
            .is_some_and(|bt| !bt.eq_ignore_ascii_case(t))
        {
            anyhow::bail!(crate::error::Error::input(format!(
                "the baseline is the inventory of another tenant ({}, this one is {t}): give an earlier inventory of this tenant",
                b.tenant_id.as_deref().unwrap_or("")
            )));
        }
    }
    let mut inv = inventory::build(read, &vendors, args.dormant_days, &now, baseline.as_ref());
    if args.redact {
        redact_owners(&mut inv);
    }
    let passed = inventory::passes(&inv, fail_on);
    // The documents for people are made safe first; JSON and CSV escape for themselves (and a
    // tenant-wide safe copy is memory a JSON report does not need).
    let safe = match args.format {
        InventoryFormat::Json | InventoryFormat::Csv => None,
        _ => Some(Safe::new(&inv)?),
    };
    let inputs: Vec<&std::path::Path> = args.baseline.iter().map(|p| p.as_path()).collect();
    super::write_report(args.output.as_deref(), &inputs, out, |w| {
        match (args.format, &safe) {
            (InventoryFormat::Json, _) => render::json(&inv, w),
            (InventoryFormat::Csv, _) => render::csv(&inv, w),
            (InventoryFormat::Table, Some(safe)) => render::table(safe, w),
            (InventoryFormat::Markdown, Some(safe)) => render::markdown(safe, w),
            (InventoryFormat::Html, Some(safe)) => render::html(safe, &inv, w),
            _ => Err(std::io::Error::other("no safe document to render")),
        }
    })?;
    Ok(Outcome::of(passed))
}

/// The largest baseline inventory read.
const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// `--baseline FILE`: an earlier `inventory --format json`.
fn load_baseline(path: &std::path::Path) -> Result<Inventory> {
    let origin = path.display().to_string();
    let bytes = crate::input::read_bounded(path, MAX_BASELINE_BYTES, true).map_err(|e| {
        crate::error::Error::input(format!("cannot read the baseline {origin}: {e}"))
    })?;
    let inv: Inventory = serde_json::from_slice(&bytes).map_err(|e| {
        crate::error::Error::input(format!(
            "{origin}:{}:{}: not an inventory JSON (entra-perms inventory --format json): {e}",
            e.line(),
            e.column()
        ))
    })?;
    if inv.schema_version != 1 {
        anyhow::bail!(crate::error::Error::input(format!(
            "{origin}: inventory schemaVersion {} is not one this version reads (1)",
            inv.schema_version
        )));
    }
    Ok(inv)
}

/// People stay private: each owner becomes `owner-N` (the same owner the same number).
pub(super) fn redact_owners(inv: &mut Inventory) {
    let mut seen: Vec<String> = Vec::new();
    for app in &mut inv.apps {
        for owner in app.owners.iter_mut().flatten() {
            let n = match seen.iter().position(|s| s == owner) {
                Some(i) => i + 1,
                None => {
                    seen.push(owner.clone());
                    seen.len()
                }
            };
            *owner = format!("owner-{n}");
        }
    }
    for f in &mut inv.findings {
        for (i, name) in seen.iter().enumerate() {
            f.message = f
                .message
                .replace(name.as_str(), &format!("owner-{}", i + 1));
        }
    }
}
