//! ruff's JSON format, field for field, so tools that read ruff's output read ours.

use std::io::{self, Write};

use serde::Serialize;

use super::{FileResult, location};
use crate::source::Locator;

#[derive(Serialize)]
struct Location {
    row: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonEdit {
    content: String,
    location: Location,
    end_location: Location,
}

#[derive(Serialize)]
struct JsonFix {
    applicability: &'static str,
    message: Option<String>,
    edits: Vec<JsonEdit>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    cell: Option<usize>,
    code: &'static str,
    message: &'a str,
    filename: &'a str,
    location: Location,
    end_location: Location,
    fix: Option<JsonFix>,
    noqa_row: usize,
    url: Option<String>,
}

pub fn write(out: &mut dyn Write, files: &[FileResult]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &messages(files)).map_err(super::json_error)?;
    writeln!(out)
}

/// One JSON object per line.
pub fn write_lines(out: &mut dyn Write, files: &[FileResult]) -> io::Result<()> {
    for message in messages(files) {
        serde_json::to_writer(&mut *out, &message).map_err(super::json_error)?;
        writeln!(out)?;
    }
    Ok(())
}

fn messages(files: &[FileResult]) -> Vec<JsonDiagnostic<'_>> {
    let mut all = Vec::new();
    for file in files {
        let locator = Locator::new(&file.text);
        let loc = |offset| {
            let (row, column) = location(&locator, offset);
            Location { row, column }
        };
        for d in &file.diagnostics {
            let fix = d.fix.as_ref().map(|fix| JsonFix {
                applicability: fix.applicability.as_str(),
                message: d.help.clone(),
                edits: fix
                    .edits
                    .iter()
                    .map(|e| JsonEdit {
                        content: e.content.clone(),
                        location: loc(e.range.start()),
                        end_location: loc(e.range.end()),
                    })
                    .collect(),
            });
            all.push(JsonDiagnostic {
                cell: None,
                code: d.rule.code(),
                message: &d.message,
                filename: &file.path,
                location: loc(d.range.start()),
                end_location: loc(d.range.end()),
                fix,
                noqa_row: locator.row(d.range.start()),
                url: None,
            });
        }
    }
    all
}
