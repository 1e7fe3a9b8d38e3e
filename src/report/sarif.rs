//! SARIF 2.1.0, for code-scanning uploads.

use std::io::{self, Write};

use serde_json::json;

use super::{FileResult, location};
use crate::registry::Rule;
use crate::source::Locator;

pub fn write(out: &mut dyn Write, files: &[FileResult]) -> io::Result<()> {
    let rules: Vec<serde_json::Value> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code(),
                "name": rule.name(),
                "shortDescription": { "text": rule.summary() },
                "fullDescription": { "text": rule.documentation() },
                "help": { "text": rule.documentation(), "markdown": rule.documentation() },
                "properties": { "fix": rule.fix_availability().as_str() },
            })
        })
        .collect();
    let mut results = Vec::new();
    for file in files {
        let locator = Locator::new(&file.text);
        for d in &file.diagnostics {
            let (row, col) = location(&locator, d.range.start());
            let (end_row, end_col) = location(&locator, d.range.end());
            let index = Rule::ALL.iter().position(|r| *r == d.rule).unwrap_or(0);
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str(". ");
                message.push_str(help);
            }
            results.push(json!({
                "ruleId": d.rule.code(),
                "ruleIndex": index,
                "level": "error",
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": file.path.replace('\\', "/") },
                        "region": {
                            "startLine": row,
                            "startColumn": col,
                            "endLine": end_row,
                            "endColumn": end_col,
                        }
                    }
                }],
            }));
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "flyte-migrate",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            // Columns count characters (code points), not SARIF's default UTF-16 code units.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log).map_err(super::json_error)?;
    writeln!(out)
}
