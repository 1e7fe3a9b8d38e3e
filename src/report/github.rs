//! GitHub Actions workflow commands: one `::error` annotation per problem.

use std::io::{self, Write};

use super::{FileResult, location};
use crate::source::Locator;

pub fn write(out: &mut dyn Write, files: &[FileResult]) -> io::Result<()> {
    for file in files {
        let locator = Locator::new(&file.text);
        for d in &file.diagnostics {
            let (row, col) = location(&locator, d.range.start());
            let (end_row, end_col) = location(&locator, d.range.end());
            writeln!(
                out,
                "::error title=flyte-migrate ({code}),file={file},line={row},col={col},endLine={end_row},endColumn={end_col}::{path}:{row}:{col}: {code} {message}",
                code = d.rule.code(),
                file = escape_property(&file.path),
                path = escape_data(&file.path),
                message = escape_data(&d.message),
            )?;
        }
    }
    Ok(())
}

/// Escaping of a command's message, as the runner expects.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a command's property values.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
