//! GitLab Code Quality reports.

use std::io::{self, Write};

use serde::Serialize;

use super::{FileResult, location};
use crate::source::Locator;

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

pub fn write(out: &mut dyn Write, files: &[FileResult]) -> io::Result<()> {
    let mut issues = Vec::new();
    for file in files {
        let locator = Locator::new(&file.text);
        for (i, d) in file.diagnostics.iter().enumerate() {
            let (begin, _) = location(&locator, d.range.start());
            let (end, _) = location(&locator, d.range.end());
            // Stable across runs and line moves: path, code, message and the occurrence's index
            // among identical ones.
            let same_before = file.diagnostics[..i]
                .iter()
                .filter(|o| o.rule == d.rule && o.message == d.message)
                .count();
            let key = format!(
                "{}\0{}\0{}\0{same_before}",
                file.path,
                d.rule.code(),
                d.message
            );
            issues.push(Issue {
                description: format!("{} {}", d.rule.code(), d.message),
                check_name: d.rule.code(),
                fingerprint: format!("{:016x}", fnv1a(key.as_bytes())),
                severity: "major",
                location: Location {
                    path: &file.path,
                    lines: Lines { begin, end },
                },
            });
        }
    }
    serde_json::to_writer_pretty(&mut *out, &issues).map_err(super::json_error)?;
    writeln!(out)
}

/// FNV-1a, 64 bits: a fingerprint that stays the same across runs and builds.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
