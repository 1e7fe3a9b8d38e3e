//! FM413 `deck`: flytekit decks are `flyte.report` tabs in Flyte 2.
//!
//! `Deck("Name", html)` → `flyte.report.get_tab("Name").log(html)`, the default deck →
//! `flyte.report.log(html)`, `deck.append(html)` → `tab.log(html)`, `Deck.publish()` →
//! `flyte.report.flush()`. A task shows its report with `@env.task(report=True)`, which
//! `enable_deck=True` becomes.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::BindingKind;

const DECK: &[&str] = &["flytekit.Deck"];

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::Deck) {
        return;
    }
    let replacement = if checker.resolves_to(&call.func, DECK) {
        deck_call(checker, call)
    } else if checker.resolves_to(&call.func, &["flytekit.Deck.publish"]) {
        Some(Ok("flyte.report.flush()".to_string()))
    } else if let Some(result) = append(checker, call) {
        Some(result)
    } else {
        return;
    };
    let Some(replacement) = replacement else {
        return;
    };
    let diagnostic = Diagnostic::new(
        Rule::Deck,
        "Flyte 1 decks are `flyte.report` tabs in Flyte 2",
        call.range(),
    );
    match replacement {
        Ok(text) => {
            let diagnostic = diagnostic.with_help(format!(
                "Replace with `{text}` (the task needs `report=True`)"
            ));
            match checker.import_module("flyte.report") {
                Some(mut edits) => {
                    edits.push(Edit::replace(call.range(), text));
                    checker.report(diagnostic.with_fix(Fix::safe_edits(edits)));
                }
                None => checker.report(diagnostic),
            }
        }
        Err(why) => checker.report(diagnostic.with_help(why)),
    }
}

/// `Deck(name[, html])`.
fn deck_call(checker: &Checker, call: &ExprCall) -> Option<Result<String, String>> {
    let mut name = call.arguments.args.first();
    let mut html = call.arguments.args.get(1);
    for kw in &call.arguments.keywords {
        match kw.arg.as_ref().map(|a| a.id.as_str()) {
            Some("name") => name = Some(&kw.value),
            Some("html") => html = Some(&kw.value),
            _ => {
                return Some(Err(
                    "Rewrite with `flyte.report.get_tab(name).log(html)` by hand: \
                     `auto_add_to_deck` and other options have no Flyte 2 equivalent"
                        .to_string(),
                ));
            }
        }
    }
    let name = name?;
    let default = super::string_literal(name) == Some("default");
    let text = |e: &Expr| checker.text(e.range()).to_string();
    Some(Ok(match (default, html) {
        (true, Some(html)) => format!("flyte.report.log({})", text(html)),
        (true, None) => "flyte.report.get_tab(\"main\")".to_string(),
        (false, Some(html)) => format!("flyte.report.get_tab({}).log({})", text(name), text(html)),
        (false, None) => format!("flyte.report.get_tab({})", text(name)),
    }))
}

/// `deck.append(html)` on a deck variable, and `current_context().default_deck.append(html)`.
fn append(checker: &Checker, call: &ExprCall) -> Option<Result<String, String>> {
    let Expr::Attribute(attr) = &*call.func else {
        return None;
    };
    if attr.attr.id.as_str() != "append" {
        return None;
    }
    let [html] = &*call.arguments.args else {
        return None;
    };
    let html = checker.text(html.range());
    match &*attr.value {
        // `current_context().default_deck.append(html)`
        Expr::Attribute(deck) if deck.attr.id.as_str() == "default_deck" => {
            let receiver = &*deck.value;
            let is_context = match receiver {
                Expr::Call(c) => checker.resolves_to(&c.func, &["flytekit.current_context"]),
                Expr::Name(n) => checker
                    .semantic
                    .binding_of(n.range.start())
                    .is_some_and(|b| {
                        matches!(&b.kind, BindingKind::Assignment { value: Expr::Call(c), .. }
                        if checker.resolves_to(&c.func, &["flytekit.current_context"]))
                    }),
                _ => false,
            };
            is_context.then(|| Ok(format!("flyte.report.log({html})")))
        }
        // `deck.append(html)` with `deck = Deck("name")`
        Expr::Name(name) => {
            let binding = checker.semantic.binding_of(name.range.start())?;
            let BindingKind::Assignment {
                value: Expr::Call(deck),
                ..
            } = &binding.kind
            else {
                return None;
            };
            checker
                .resolves_to(&deck.func, DECK)
                .then(|| Ok(format!("{}.log({html})", name.id)))
        }
        _ => None,
    }
}
