//! JUnit XML: a test suite per file, a failing test case per problem.

use std::io::{self, Write};

use super::{FileResult, location};
use crate::source::Locator;

pub fn write(out: &mut dyn Write, files: &[FileResult]) -> io::Result<()> {
    let total: usize = files.iter().map(|f| f.diagnostics.len()).sum();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="flyte-migrate" tests="{total}" failures="{total}" errors="0">"#
    )?;
    for file in files.iter().filter(|f| !f.diagnostics.is_empty()) {
        let locator = Locator::new(&file.text);
        let n = file.diagnostics.len();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{n}" failures="{n}" errors="0">"#,
            escape(&file.path)
        )?;
        for d in &file.diagnostics {
            let (row, col) = location(&locator, d.range.start());
            writeln!(
                out,
                r#"    <testcase name="{code}" classname="{path}" line="{row}" column="{col}">"#,
                code = d.rule.code(),
                path = escape(&file.path),
            )?;
            writeln!(
                out,
                r#"      <failure message="{message}">{path}:{row}:{col}: {code} {message}</failure>"#,
                message = escape(&d.message),
                path = escape(&file.path),
                code = d.rule.code(),
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}
