//! FM414 `dataclass-json`: `@dataclass_json` and the JSON mixins that flytekit needed on
//! dataclasses. Flyte 2 serializes plain dataclasses (and Pydantic models) as they are.

use ruff_python_ast::{Expr, StmtClassDef};
use ruff_text_size::{Ranged, TextRange};

use super::remove_arguments;
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::BindingKind;

const DECORATORS: &[&str] = &[
    "dataclasses_json.dataclass_json",
    "dataclasses_json.api.dataclass_json",
];

const MIXINS: &[&str] = &[
    "dataclasses_json.DataClassJsonMixin",
    "dataclasses_json.api.DataClassJsonMixin",
    "mashumaro.mixins.json.DataClassJSONMixin",
    "mashumaro.DataClassJSONMixin",
];

const WHY_UNSAFE: &str = "code that calls `to_json()`/`from_json()` on the class (here or in another module) needs them back";

pub fn class(checker: &mut Checker, class: &StmtClassDef) {
    if !checker.enabled(Rule::DataclassJson) {
        return;
    }
    for decorator in &class.decorator_list {
        let expr = &decorator.expression;
        let callee = super::decorator_callee(expr);
        if !checker.resolves_to(callee, DECORATORS) {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            Rule::DataclassJson,
            format!(
                "`@dataclass_json` on `{}` is not needed in Flyte 2: dataclasses serialize as they are",
                class.name.id
            ),
            decorator.range(),
        )
        .with_help(format!("Remove the decorator (unsafe: {WHY_UNSAFE})"));
        if let Some(edit) = own_lines(checker, decorator.range()) {
            let mut edits = vec![edit];
            edits.extend(unused_import(checker, callee));
            diagnostic = diagnostic.with_fix(Fix::unsafe_edits(edits));
        }
        checker.report(diagnostic);
    }
    let Some(arguments) = &class.arguments else {
        return;
    };
    for base in &arguments.args {
        if !checker.resolves_to(base, MIXINS) {
            continue;
        }
        let mut edits = if arguments.args.len() + arguments.keywords.len() == 1 {
            vec![Edit::delete(arguments.range())]
        } else {
            remove_arguments(checker.source(), arguments, &[base.range()])
        };
        edits.extend(unused_import(checker, base));
        checker.report(
            Diagnostic::new(
                Rule::DataclassJson,
                format!(
                    "`{}` on `{}` is not needed in Flyte 2: dataclasses serialize as they are",
                    checker.text(base.range()),
                    class.name.id
                ),
                base.range(),
            )
            .with_help(format!("Remove the base class (unsafe: {WHY_UNSAFE})"))
            .with_fix(Fix::unsafe_edits(edits)),
        );
    }
}

/// The lines of a decorator that is alone on them, with their line break.
pub(super) fn own_lines(checker: &Checker, range: TextRange) -> Option<Edit> {
    let source = checker.source();
    let start = checker.locator.line_start(range.start());
    let end = checker.locator.full_line_end(range.end());
    let before = source.get(usize::from(start)..usize::from(range.start()))?;
    let after = source.get(usize::from(range.end())..usize::from(end))?;
    // The decorator's range may start at its `@` or after it.
    let before = before.trim_end();
    let before = before.strip_suffix('@').unwrap_or(before);
    (before.trim().is_empty() && after.trim().is_empty())
        .then(|| Edit::delete(TextRange::new(start, end)))
}

/// The import of the name `expr` reads, when this is its only use.
fn unused_import(checker: &Checker, expr: &Expr) -> Vec<Edit> {
    let Expr::Name(name) = expr else {
        return Vec::new();
    };
    let Some(binding) = checker.semantic.binding_of(name.range.start()) else {
        return Vec::new();
    };
    match &binding.kind {
        BindingKind::Import { stmt, alias, .. } if binding.uses == 1 => checker
            .importer
            .remove_aliases(stmt, &[*alias], checker.locator),
        _ => Vec::new(),
    }
}
