//! FM307 `promise-attribute`: `r.o0` or `r.field` on the result of a task with several outputs.
//!
//! In Flyte 1 the result is a promise whose outputs are attributes; in Flyte 2 a task called
//! from a task returns a plain tuple, so `r.field` raises `AttributeError`: index it instead.

use ruff_python_ast::{Expr, ExprAttribute, ExprContext, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::BindingKind;

pub fn attribute(checker: &mut Checker, expr: &Expr, attr: &ExprAttribute) {
    if !checker.enabled(Rule::PromiseAttribute) || attr.ctx != ExprContext::Load {
        return;
    }
    // `r.field` with `r = task(...)`, or `task(...).field`.
    let (subject, call) = match &*attr.value {
        Expr::Name(name) => {
            let Some(binding) = checker.semantic.binding_of(name.range.start()) else {
                return;
            };
            let BindingKind::Assignment {
                value: Expr::Call(call),
                ..
            } = &binding.kind
            else {
                return;
            };
            (name.id.to_string(), call)
        }
        Expr::Call(call) => (checker.text(call.range()).to_string(), call),
        _ => return,
    };
    let Some(def) = called_task(checker, &call.func) else {
        return;
    };
    let Some(fields) = output_fields(checker, def) else {
        return;
    };
    let field = attr.attr.id.as_str();
    let index = fields.iter().position(|f| f == field).or_else(|| {
        field
            .strip_prefix('o')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n < fields.len())
    });
    let Some(index) = index else {
        return;
    };
    let replacement = format!("{subject}[{index}]");
    checker.report(
        Diagnostic::new(
            Rule::PromiseAttribute,
            format!(
                "`{subject}.{field}` reads an output of `{}`, which is a plain tuple in Flyte 2",
                def.name.id
            ),
            expr.range(),
        )
        .with_help(format!("Replace with `{replacement}`"))
        .with_fix(Fix::unsafe_edits(vec![Edit::replace(
            expr.range(),
            replacement,
        )])),
    );
}

/// The module-level task a call's callee names (flytekit or already migrated), seeing through
/// `t(...).with_overrides(...)` and `t.override(...)(...)`.
fn called_task<'a>(checker: &Checker<'a>, func: &Expr) -> Option<&'a StmtFunctionDef> {
    let name = match func {
        Expr::Name(name) => name,
        // `t(...).with_overrides(...)`: the callee is `<call>.with_overrides`.
        Expr::Attribute(attr) if attr.attr.id.as_str() == "with_overrides" => match &*attr.value {
            Expr::Call(inner) => return called_task(checker, &inner.func),
            _ => return None,
        },
        // `t.override(...)(...)`: the callee is `t.override(...)`.
        Expr::Call(inner) => match &*inner.func {
            Expr::Attribute(attr) if attr.attr.id.as_str() == "override" => {
                return called_task(checker, &attr.value);
            }
            _ => return None,
        },
        _ => return None,
    };
    checker
        .module_function(name)
        .filter(|def| checker.is_task_function(def))
}

/// The output names of a task with several outputs: a NamedTuple's fields, or `o0`, `o1`, …
fn output_fields(checker: &Checker, def: &StmtFunctionDef) -> Option<Vec<String>> {
    let returns = def.returns.as_deref()?;
    match returns {
        Expr::Subscript(sub) => {
            let is_tuple = match &*sub.value {
                Expr::Name(n) => matches!(n.id.as_str(), "Tuple" | "tuple"),
                Expr::Attribute(a) => a.attr.id.as_str() == "Tuple",
                _ => false,
            };
            let Expr::Tuple(items) = &*sub.slice else {
                return None;
            };
            is_tuple.then(|| (0..items.elts.len()).map(|i| format!("o{i}")).collect())
        }
        Expr::Name(name) => named_tuple_fields(checker, name.id.as_str()),
        _ => None,
    }
}

/// The fields of a module-level NamedTuple named `name`.
pub fn named_tuple_fields(checker: &Checker, name: &str) -> Option<Vec<String>> {
    let is_named_tuple =
        |e: &Expr| checker.resolves_to(e, &["typing.NamedTuple", "typing_extensions.NamedTuple"]);
    for stmt in checker.module {
        match stmt {
            Stmt::ClassDef(class) if class.name.id.as_str() == name => {
                let bases = class.arguments.as_ref()?;
                if !bases.args.iter().any(is_named_tuple) {
                    return None;
                }
                return Some(
                    class
                        .body
                        .iter()
                        .filter_map(|s| match s {
                            Stmt::AnnAssign(a) => match &*a.target {
                                Expr::Name(n) => Some(n.id.to_string()),
                                _ => None,
                            },
                            _ => None,
                        })
                        .collect(),
                );
            }
            Stmt::Assign(assign) if matches!(assign.targets.as_slice(), [Expr::Name(n)] if n.id.as_str() == name) =>
            {
                let Expr::Call(call) = &*assign.value else {
                    return None;
                };
                if !is_named_tuple(&call.func) {
                    return None;
                }
                if let Some(Expr::List(list)) = call.arguments.args.get(1) {
                    return list
                        .elts
                        .iter()
                        .map(|e| match e {
                            Expr::Tuple(t) => t
                                .elts
                                .first()
                                .and_then(super::string_literal)
                                .map(str::to_string),
                            _ => None,
                        })
                        .collect();
                }
                return Some(
                    call.arguments
                        .keywords
                        .iter()
                        .filter_map(|k| super::keyword_name(k).map(str::to_string))
                        .collect(),
                );
            }
            _ => {}
        }
    }
    None
}
