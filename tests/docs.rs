//! The examples in `rules/FMnnn.md` are run, so the documentation cannot drift from the code.

mod common;

use common::settings;
use flyte_migrate::registry::{FixAvailability, Rule};
use std::path::Path;

use flyte_migrate::{check_file, fix_file};

/// The module the examples live in: it names their environments.
const MODULE: &str = "pipeline.py";

/// The first fenced block of `language` after `marker`.
fn block_after<'a>(doc: &'a str, marker: &str, language: &str) -> Option<&'a str> {
    let rest = &doc[doc.find(marker)? + marker.len()..];
    let fence = format!("```{language}\n");
    let start = rest.find(&fence)? + fence.len();
    let end = rest[start..].find("```")?;
    Some(&rest[start..start + end])
}

#[test]
fn examples_do_what_the_docs_say() {
    for &rule in Rule::ALL {
        let doc = rule.documentation();
        // Command-line rules document shell; manifest rules, a requirements file; the rest,
        // Python.
        let command = rule.code().starts_with("FM7");
        let manifest = rule.code().starts_with("FM8");
        let (language, file) = if command {
            ("sh", "run.sh")
        } else if manifest {
            ("text", "requirements.txt")
        } else {
            ("python", MODULE)
        };
        let before = block_after(doc, "## Example", language)
            .unwrap_or_else(|| panic!("{rule}: no example block"));
        let after = block_after(doc, "Use instead:", language)
            .unwrap_or_else(|| panic!("{rule}: no `Use instead:` block"));
        let found = check_file(
            before,
            Some(Path::new(file)),
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
            // FM103 moves a module-level plugin config in the round FM204 moves its task.
            if matches!(
                rule,
                Rule::WorkflowDecorator | Rule::DynamicDecorator | Rule::FlytekitConstruct
            ) {
                selection.push(Rule::TaskDecorator.code());
            }
            // FM623 waits for its callers: the workflow and its task move first.
            if rule == Rule::TaskObject {
                selection.extend([Rule::TaskDecorator.code(), Rule::WorkflowDecorator.code()]);
            }
            let fixed = fix_file(before, Some(Path::new(file)), &settings(&selection, true))
                .expect("fixes");
            assert_eq!(
                fixed.text, after,
                "{rule}: the fixed example differs from `Use instead:`"
            );
        }
        if rule != Rule::SyntaxError && !command && !manifest {
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
