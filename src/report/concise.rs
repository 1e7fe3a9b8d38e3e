use std::io::{self, Write};

use super::{FileResult, fix_mark, location};
use crate::source::Locator;

pub fn write(out: &mut dyn Write, files: &[FileResult], unsafe_fixes: bool) -> io::Result<()> {
    for file in files {
        let locator = Locator::new(&file.text);
        for d in &file.diagnostics {
            let (row, col) = location(&locator, d.range.start());
            let mark = fix_mark(d, unsafe_fixes);
            writeln!(
                out,
                "{}:{row}:{col}: {}{mark} {}",
                file.path,
                d.rule.code(),
                d.message
            )?;
        }
    }
    Ok(())
}
