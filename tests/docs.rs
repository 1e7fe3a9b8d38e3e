//! The examples in `rules/FMnnn.md` are run, so the documentation cannot drift from the code.

mod common;

use common::settings;
use flyte_migrate::registry::{FixAvailability, Rule};
use std::path::Path;

use flyte_migrate::{check_file, fix_file};

/// The module the examples live in: it names their environments.
const MODULE: &str = "pipeline.py";

/// The first fenced Python block after `marker`.
fn block_after<'a>(doc: &'a str, marker: &str) -> Option<&'a str> {
    let rest = &doc[doc.find(marker)? + marker.len()..];
    let start = rest.find("```python\n")? + "```python\n".len();
    let end = rest[start..].find("```")?;
    Some(&rest[start..start + end])
}

#[test]
fn examples_do_what_the_docs_say() {
    for &rule in Rule::ALL {
        let doc = rule.documentation();
        let before =
            block_after(doc, "## Example").unwrap_or_else(|| panic!("{rule}: no example block"));
        let after = block_after(doc, "Use instead:")
            .unwrap_or_else(|| panic!("{rule}: no `Use instead:` block"));
        let found = check_file(
            before,
            Some(Path::new(MODULE)),
            &settings(&[rule.code()], true),
        )
        .expect("checks");
        assert!(
            found.iter().any(|d| d.rule == rule),
            "{rule}: the example does not trigger the rule"
        );
        if rule.fix_availability() != FixAvailability::None {
            // A workflow's environment is shared with its tasks: their rule moves them.
            let mut selection = vec![rule.code(), "FM102"];
            if matches!(rule, Rule::WorkflowDecorator | Rule::DynamicDecorator) {
                selection.push(Rule::TaskDecorator.code());
            }
            let fixed = fix_file(before, Some(Path::new(MODULE)), &settings(&selection, true))
                .expect("fixes");
            assert_eq!(
                fixed.text, after,
                "{rule}: the fixed example differs from `Use instead:`"
            );
        }
        if rule != Rule::SyntaxError {
            assert!(
                ruff_python_parser::parse_module(after).is_ok(),
                "{rule}: `Use instead:` does not parse"
            );
        }
    }
}

#[test]
fn rule_command_prints_each_doc() {
    for &rule in Rule::ALL {
        assert!(
            rule.documentation()
                .starts_with(&format!("# {}: {}", rule.code(), rule.name()))
        );
    }
}
