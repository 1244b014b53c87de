//! `entra-perms inventory`: every app of the tenant holding Microsoft Graph permissions, read
//! with a few paged collections (GET only), ranked Tier 0 first, in the report asked for.

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
    let connection = Connection::try_from(&args.connection)?;
    let session = Session::connect(&connection)?;
    let read = crate::graph::session::runtime()?
        .block_on(session.read_inventory(session.tenant.as_deref()))?;
    let vendors = crate::matrix::embedded::all()?;
    let now = read.read_at.clone();
    let mut inv = inventory::build(read, &vendors, args.dormant_days, &now);
    if args.redact {
        redact_owners(&mut inv);
    }
    let fail_on = match args.fail_on {
        InventoryFailOn::Tier0Dormant => FailOn::Tier0Dormant,
        InventoryFailOn::Tier0Foreign => FailOn::Tier0Foreign,
        InventoryFailOn::Never => FailOn::Never,
    };
    let passed = inventory::passes(&inv, fail_on);
    // The documents for people are made safe first; JSON and CSV escape for themselves (and a
    // tenant-wide safe copy is memory a JSON report does not need).
    let safe = match args.format {
        InventoryFormat::Json | InventoryFormat::Csv => None,
        _ => Some(Safe::new(&inv)?),
    };
    super::write_report(args.output.as_deref(), &[], out, |w| {
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

/// People stay private: each owner becomes `owner-N` (the same owner the same number).
fn redact_owners(inv: &mut Inventory) {
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
