//! `entra-perms inventory --tenants FILE`: the inventory of every tenant listed, a bounded number
//! at a time, each with its own token; each tenant's full inventory goes to a private temporary
//! file as it finishes (for the JSON and CSV of every tenant) and only its row — counts,
//! findings — stays for the overview.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::cli::{InventoryArgs, InventoryFormat};
use crate::config::Connection;
use crate::exit::{Exit, Outcome};
use crate::graph::session::Session;
use crate::inventory::tenants::{self as many, InventoryTenants, TenantInventory, TenantRow};
use crate::inventory::FailOn;
use crate::multi::{MultiSummary, Spill};
use crate::report::inventory_tenants as render;
use crate::report::safe::Safe;

pub(super) fn run(
    args: &InventoryArgs,
    file: &Path,
    fail_on: FailOn,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let list = crate::tenants::load(file)?;
    let connection = Connection::try_from(&args.connection)?;
    let session = Session::connect(&connection)?;
    let vendors = crate::matrix::embedded::all()?;
    let whole = matches!(args.format, InventoryFormat::Json | InventoryFormat::Csv);
    let mut spill: Option<Spill<TenantInventory>> = match whole {
        true => Some(Spill::create(list.len()).map_err(|e| {
            crate::error::Error::input(format!(
                "cannot keep the tenants' inventories in the temporary folder {}: {e}",
                std::env::temp_dir().display()
            ))
        })?),
        false => None,
    };
    let mut rows: Vec<Option<Safe<TenantRow>>> = (0..list.len()).map(|_| None).collect();
    let mut summary = MultiSummary::default();
    let mut worst = Exit::Success;
    let mut failure: Option<std::io::Error> = None;
    let (session, vendors) = (&session, &vendors);
    crate::graph::session::runtime()?.block_on(crate::tenants::each_tenant(
        &list,
        usize::from(args.concurrency),
        |tenant| async move {
            match session.read_inventory(Some(tenant)).await {
                Ok(read) => {
                    let now = read.read_at.clone();
                    let mut inv =
                        crate::inventory::build(read, vendors, args.dormant_days, &now, None);
                    if args.redact {
                        super::redact_owners(&mut inv);
                    }
                    TenantInventory {
                        tenant: tenant.to_string(),
                        exit: crate::exit::decide(&Ok(Outcome::of(crate::inventory::passes(
                            &inv, fail_on,
                        )))),
                        inventory: Some(inv),
                        error: None,
                    }
                }
                Err(e) => failed(crate::tenants::failed(tenant, e)),
            }
        },
        |tenant| {
            failed(crate::tenants::failed(
                tenant,
                anyhow::anyhow!("what Graph answered held a secret of this run that could not be removed: the inventory is withheld"),
            ))
        },
        &mut |i, t| {
            many::add(&mut summary, &t);
            worst = Exit::worst([worst, t.exit]);
            if failure.is_some() {
                return;
            }
            let kept = Safe::new(&TenantRow::of(&t)).and_then(|row| {
                if let Some(slot) = rows.get_mut(i) {
                    *slot = Some(row);
                }
                spill.as_mut().map_or(Ok(()), |s| s.push(i, &t))
            });
            if let Err(e) = kept {
                failure = Some(e);
            }
        },
    ));
    if let Some(e) = failure {
        return Err(e.into());
    }
    let rows: Vec<Safe<TenantRow>> = rows.into_iter().flatten().collect();
    let view = Safe::assemble(rows, Safe::new(&summary)?, |tenants, summary| {
        InventoryTenants { tenants, summary }
    });
    let inputs: Vec<&Path> = vec![file];
    super::super::write_streamed(args.output.as_deref(), &inputs, out, |w| {
        let kept = || {
            spill
                .as_ref()
                .ok_or_else(|| std::io::Error::other("no inventories were kept"))
        };
        match args.format {
            InventoryFormat::Table => {
                let mut log = crate::output::CiInert::new(w);
                render::table(&view, &mut log)?;
                log.finish()
            }
            InventoryFormat::Markdown => render::markdown(&view, w),
            InventoryFormat::Html => render::html(&view, w),
            InventoryFormat::Json => render::json(kept()?, &view.summary, w),
            InventoryFormat::Csv => render::csv(kept()?, w),
        }
    })?;
    Ok(Outcome::Worst(worst))
}

fn failed(f: crate::tenants::Failed) -> TenantInventory {
    TenantInventory {
        tenant: f.tenant,
        exit: f.exit,
        inventory: None,
        error: Some(f.error),
    }
}
