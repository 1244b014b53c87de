//! `entra-perms explain QUERY`: why a permission is needed, what it protects and what it opens, or
//! what a protected object needs; `explain --path PATH`: which permissions open an API path.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::cli::ExplainFormat;
use crate::error::Error;
use crate::exit::Outcome;
use crate::matrix::Matrix;
use crate::report::explain;

pub fn run(
    query: Option<&str>,
    api_path: Option<&str>,
    matrix: Option<&Path>,
    format: ExplainFormat,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let matrix = Matrix::load(matrix)?;
    let explanation = match (query, api_path) {
        (_, Some(p)) => crate::explain::explain_path(p).map_err(|_| {
            Error::input(format!(
                "no Microsoft Graph permission opens `{p}` in Microsoft's permission data (write the path as Graph's reference does, e.g. /users/{{id}}/authentication/methods)"
            ))
        })?,
        (Some(q), None) => crate::explain::explain(&matrix, q).map_err(Error::from)?,
        (None, None) => return Err(Error::input("give a QUERY or --path PATH").into()),
    };
    match format {
        ExplainFormat::Table => explain::text(&explanation, out)?,
        ExplainFormat::Json => explain::json(&explanation, out)?,
    }
    Ok(Outcome::Passed)
}
