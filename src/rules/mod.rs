//! The rules, by area. Each function here is called by the checker for the nodes it cares about
//! and reports through [`Checker::report`](crate::checker::Checker::report).

pub mod cache;
pub mod context;
pub mod decorators;
pub mod images;
pub mod imports;
pub mod main_block;
pub mod map_task;
pub mod ordering;
pub mod resources;
pub mod secrets;

use ruff_python_ast::{Arguments, Expr, ExprCall, Keyword, Number};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::Edit;

/// The keyword argument `name` of a call.
pub fn keyword<'a>(arguments: &'a Arguments, name: &str) -> Option<&'a Keyword> {
    arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == name))
}

pub fn keyword_name(keyword: &Keyword) -> Option<&str> {
    keyword.arg.as_ref().map(|a| a.id.as_str())
}

/// The call a decorator makes, when it is called (`@task(...)`).
pub fn decorator_call(expr: &Expr) -> Option<&ExprCall> {
    match expr {
        Expr::Call(call) => Some(call),
        _ => None,
    }
}

/// The value of a plain string literal (no f-string, no implicit concatenation needed).
pub fn string_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str()),
        _ => None,
    }
}

pub fn int_literal(expr: &Expr) -> Option<u64> {
    match expr {
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => i.as_u64(),
            _ => None,
        },
        _ => None,
    }
}

pub fn bool_literal(expr: &Expr) -> Option<bool> {
    match expr {
        Expr::BooleanLiteral(b) => Some(b.value),
        _ => None,
    }
}

/// A count given as an int or a numeric string (`1`, `"1"`).
pub fn count_literal(expr: &Expr) -> Option<u64> {
    int_literal(expr).or_else(|| string_literal(expr).and_then(|s| s.trim().parse().ok()))
}

/// The arguments of a call, in source order, as ranges.
fn argument_ranges(arguments: &Arguments) -> Vec<TextRange> {
    let mut ranges: Vec<TextRange> = arguments
        .args
        .iter()
        .map(Ranged::range)
        .chain(arguments.keywords.iter().map(Ranged::range))
        .collect();
    ranges.sort_by_key(|r| r.start());
    ranges
}

/// Edits that remove the arguments at `remove` (ranges of positional or keyword arguments) from
/// a call, with their commas, leaving valid syntax whatever is removed.
pub fn remove_arguments(arguments: &Arguments, remove: &[TextRange]) -> Vec<Edit> {
    let all = argument_ranges(arguments);
    if all.iter().all(|r| remove.contains(r)) {
        let inner = TextRange::new(
            arguments.start() + TextSize::from(1),
            arguments.end() - TextSize::from(1),
        );
        return vec![Edit::delete(inner)];
    }
    remove_list_items(&all, |r| remove.contains(r))
}

/// Edits that remove some items of a comma-separated list (call arguments, imported names) with
/// their commas. At least one item must stay.
pub fn remove_list_items(items: &[TextRange], removed: impl Fn(&TextRange) -> bool) -> Vec<Edit> {
    let removed: Vec<bool> = items.iter().map(removed).collect();
    let mut edits = Vec::new();
    let mut i = 0;
    while i < items.len() {
        if !removed[i] {
            i += 1;
            continue;
        }
        let first = i;
        while i < items.len() && removed[i] {
            i += 1;
        }
        let last = i - 1;
        let range = if i < items.len() {
            TextRange::new(items[first].start(), items[i].start())
        } else if first > 0 {
            // The run ends the list: take the comma before it (a trailing comma stays).
            TextRange::new(items[first - 1].end(), items[last].end())
        } else {
            TextRange::new(items[first].start(), items[last].end())
        };
        edits.push(Edit::delete(range));
    }
    edits
}

/// Quote a string for Python source with double quotes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
