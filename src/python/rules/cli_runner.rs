//! FM620 `pyflyte-cli-runner`: `CliRunner().invoke(pyflyte.main, [...])` runs the Flyte 1 CLI
//! in-process; in Flyte 2 the CLI's click group is `flyte.cli.main`.
//!
//! The argument list is translated word by word by the same code that translates `pyflyte`
//! command lines in shell scripts (`crate::commands`), so the two never disagree.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::Checker;
use crate::commands::{self, Argument};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// What names `pyflyte`'s click entry point.
pub const PYFLYTE_MAIN: &str = "flytekit.clis.sdk_in_container.pyflyte.main";

/// The click entry point of an `invoke(...)` call of `pyflyte.main`.
pub fn invoked_cli<'a>(checker: &Checker, call: &'a ExprCall) -> Option<&'a Expr> {
    let Expr::Attribute(attribute) = &*call.func else {
        return None;
    };
    if attribute.attr.id.as_str() != "invoke" {
        return None;
    }
    let cli = call.arguments.find_argument_value("cli", 0)?;
    checker.resolves_to(cli, &[PYFLYTE_MAIN]).then_some(cli)
}

/// Whether `expr` is the entry point an `invoke(...)` call passes: this rule reports it.
pub fn is_invoked(checker: &Checker, expr: &Expr) -> bool {
    matches!(checker.parent_expr(), Some(Expr::Call(call))
        if invoked_cli(checker, call).is_some_and(|cli| cli.range() == expr.range()))
}

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::PyflyteCliRunner) {
        return;
    }
    let Some(cli) = invoked_cli(checker, call).map(Ranged::range) else {
        return;
    };
    let args = call.arguments.find_argument_value("args", 1);
    let elements = match args {
        Some(Expr::List(list)) => Some(&list.elts),
        _ => None,
    };
    let Some(elements) = elements else {
        checker.report(
            Diagnostic::new(
                Rule::PyflyteCliRunner,
                "`pyflyte.main` is the Flyte 1 CLI: Flyte 2's is `flyte.cli.main`",
                cli,
            )
            .with_help(
                "Invoke `flyte.cli.main` and translate the arguments by hand (`flyte run --local` unless it was `--remote`); the arguments are not a list literal",
            ),
        );
        return;
    };
    let arguments: Vec<Argument> = elements
        .iter()
        .map(|e| Argument {
            range: e.range(),
            literal: plain_string(checker, e),
            splat: e.is_starred_expr(),
        })
        .collect();
    let translated = commands::translate_arguments(checker.source(), cli, &arguments);
    let message = format!(
        "`pyflyte.main` is the Flyte 1 CLI; {}",
        translated
            .message
            .replacen("The Flyte 1 CLI", "the Flyte 1 CLI", 1)
    );
    let mut diagnostic = Diagnostic::new(Rule::PyflyteCliRunner, message, cli);
    let help = translated.help.clone().unwrap_or_default();
    let fix = translated.fix.and_then(|fix| {
        let mut edits = checker.import_module("flyte.cli")?;
        edits.push(Edit::replace(cli, "flyte.cli.main"));
        edits.extend(fix.edits);
        Some(Fix::new(edits, Applicability::Unsafe))
    });
    match fix {
        Some(fix) => {
            diagnostic = diagnostic
                .with_help(match help.strip_prefix("Replace with ") {
                    Some(rest) => format!("Invoke `flyte.cli.main` with the arguments of {rest}"),
                    None => format!("Invoke `flyte.cli.main`; {help}"),
                })
                .with_fix(fix);
        }
        None if !help.is_empty() => diagnostic = diagnostic.with_help(help),
        None => {}
    }
    checker.report(diagnostic);
}

/// The text range and quote of a string literal whose source text is its value.
fn plain_string(checker: &Checker, expr: &Expr) -> Option<(TextRange, u8)> {
    let Expr::StringLiteral(s) = expr else {
        return None;
    };
    if s.value.is_implicit_concatenated() {
        return None;
    }
    let raw = checker.text(s.range);
    let quote = *raw.as_bytes().first()?;
    if !matches!(quote, b'"' | b'\'') || raw.len() < 2 || raw.starts_with("\"\"\"") {
        return None;
    }
    let one = TextSize::from(1);
    let inner = TextRange::new(s.range.start() + one, s.range.end() - one);
    (checker.text(inner) == s.value.to_str()).then_some((inner, quote))
}
