//! `setup.py`: the string literals that are requirements (`install_requires`,
//! `extras_require`, or a list they name). The Python kind calls this on its parse of the file,
//! so the fix loop re-parses every result and `# noqa` comments work as in any Python file.

use ruff_python_ast::ModModule;
use ruff_python_ast::token::TokenKind;
use ruff_python_parser::Parsed;
use ruff_text_size::Ranged;

use super::requirement::{Declared, Style, diagnose_string};
use crate::diagnostic::Diagnostic;
use crate::settings::RuleSet;

/// Whether a module is a setup script.
pub fn is_setup_script(module: &str) -> bool {
    module == "setup" || module.ends_with(".setup")
}

/// The requirements on flytekit and its plugins that the string literals of a setup script
/// hold. A string whose whole text is a requirement is one; others are left alone.
pub fn check(
    parsed: &Parsed<ModModule>,
    text: &str,
    module: &str,
    rules: &RuleSet,
) -> Vec<Diagnostic> {
    if !is_setup_script(module) || !super::worth_checking(text.as_bytes(), rules) {
        return Vec::new();
    }
    let mut diagnostics = Vec::new();
    for token in parsed.tokens().iter() {
        if token.kind() != TokenKind::String {
            continue;
        }
        let range = token.range().to_std_range();
        let Some(raw) = text.get(range.clone()) else {
            continue;
        };
        let prefix = raw.find(['"', '\'']).unwrap_or(raw.len());
        if raw[..prefix].contains(['f', 'F', 'b', 'B', 't', 'T'])
            || raw[prefix..].starts_with("\"\"\"")
            || raw[prefix..].starts_with("'''")
            || raw.contains('\\')
            || raw.len() < prefix + 2
        {
            continue;
        }
        let (at, end) = (range.start + prefix + 1, range.end - 1);
        if let Some(d) = diagnose_string(text, at, end, Declared::Editable(Style::Pep440))
            && rules.contains(d.rule)
        {
            diagnostics.push(d);
        }
    }
    diagnostics
}
