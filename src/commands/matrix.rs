//! `entra-perms matrix`: the permission matrix, as a table, JSON, Markdown, or its TOML file.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::cli::MatrixFormat;
use crate::exit::Outcome;
use crate::matrix::Matrix;
use crate::report::matrix;

pub fn run(
    matrix: Option<&Path>,
    strict: bool,
    list: bool,
    format: MatrixFormat,
    out: &mut dyn Write,
) -> Result<Outcome> {
    if list {
        let all = crate::matrix::embedded::all()?;
        match format {
            MatrixFormat::Json => matrix::list_json(&all, out)?,
            MatrixFormat::Markdown => matrix::list_markdown(&all, out)?,
            _ => matrix::list_table(&all, out)?,
        }
        return Ok(Outcome::Passed);
    }
    let matrix = Matrix::load_checked(matrix, strict)?;
    match format {
        MatrixFormat::Table => matrix::table(&matrix, out)?,
        MatrixFormat::Json => matrix::json(&matrix, out)?,
        MatrixFormat::Markdown => matrix::markdown(&matrix, out)?,
        MatrixFormat::Toml => out.write_all(matrix.text.as_bytes())?,
    }
    Ok(Outcome::Passed)
}
