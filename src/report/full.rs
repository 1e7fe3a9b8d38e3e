use std::io::{self, Write};

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::termcolor::{Ansi, NoColor};
use codespan_reporting::term::{self, Config};

use rayon::prelude::*;

use super::{FileResult, help_line};

pub fn write(
    out: &mut dyn Write,
    files: &[FileResult],
    _unsafe_fixes: bool,
    color: bool,
) -> io::Result<()> {
    // Rendering snippets is the costly part of a report: files render in parallel, and are
    // written in order.
    let rendered: Vec<io::Result<Vec<u8>>> = files
        .par_iter()
        .filter(|f| !f.diagnostics.is_empty())
        .map(|file| {
            let mut buffer = Vec::new();
            render(&mut buffer, file, color)?;
            Ok(buffer)
        })
        .collect();
    for buffer in rendered {
        out.write_all(&buffer?)?;
    }
    Ok(())
}

fn render(out: &mut Vec<u8>, file: &FileResult, color: bool) -> io::Result<()> {
    let config = Config::default();
    let source = SimpleFile::new(file.path.as_str(), file.text.as_str());
    for d in &file.diagnostics {
        let start = usize::from(d.range.start()).min(file.text.len());
        let end = usize::from(d.range.end()).clamp(start, file.text.len());
        let mut report = Report::new(Severity::Error)
            .with_code(d.rule.code())
            .with_message(&d.message)
            .with_labels(vec![Label::primary((), start..end)]);
        if let Some(help) = help_line(d) {
            report = report.with_notes(vec![format!("help: {help}")]);
        }
        let result = if color {
            term::emit(&mut Ansi::new(&mut *out), &config, &source, &report)
        } else {
            term::emit(&mut NoColor::new(&mut *out), &config, &source, &report)
        };
        result.map_err(|e| io::Error::other(e.to_string()))?;
    }
    Ok(())
}
