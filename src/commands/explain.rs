//! `entra-perms explain QUERY`: why a permission is needed and what it protects, or what a
//! protected object needs.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::cli::ExplainFormat;
use crate::error::Error;
use crate::exit::Outcome;
use crate::matrix::Matrix;
use crate::report::explain;

pub fn run(
    query: &str,
    matrix: Option<&Path>,
    format: ExplainFormat,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let matrix = Matrix::load(matrix)?;
    let explanation = crate::explain::explain(&matrix, query).map_err(Error::from)?;
    match format {
        ExplainFormat::Table => explain::text(&explanation, out)?,
        ExplainFormat::Json => explain::json(&explanation, out)?,
    }
    Ok(Outcome::Passed)
}
