//! The rules, by area. Each function here is called by the checker for the nodes it cares about
//! and reports through [`Checker::report`](crate::checker::Checker::report).

pub mod actors;
pub mod apps;
pub mod cache;
pub mod callees;
pub mod cli_runner;
pub mod conditional;
pub mod constructs;
pub mod context;
pub mod dataclass_json;
pub mod decks;
pub mod decorators;
pub mod errors;
pub mod failure;
pub mod flyte2_api;
pub mod gates;
pub mod images;
pub mod imports;
pub mod internal_context;
pub mod io;
pub mod launch_plans;
pub mod main_block;
pub mod map_task;
pub mod nodes;
pub mod orchestration;
pub mod ordering;
pub mod overrides;
pub mod partials;
pub mod plugins;
pub mod promises;
pub mod reference;
pub mod remote;
pub mod resources;
pub mod runtime;
pub mod secrets;
pub mod shell;
pub mod task_objects;

use ruff_python_ast::{Arguments, Expr, ExprCall, ExprName, Keyword, Number, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::Edit;

/// `name = call` as a statement of the module itself, with `name` bound there once: that
/// statement and its target; otherwise why not.
pub(crate) fn module_assignment<'a>(
    checker: &crate::checker::Checker<'a>,
    call: &ExprCall,
) -> Result<(&'a Stmt, &'a ExprName), String> {
    let not_module = || "it is not assigned to a name at module level".to_string();
    let stmt = checker.current_stmt().ok_or_else(not_module)?;
    let Stmt::Assign(assign) = stmt else {
        return Err(not_module());
    };
    if checker.function().is_some()
        || assign.value.range() != call.range()
        || !checker.module.iter().any(|s| s.range() == stmt.range())
    {
        return Err(not_module());
    }
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return Err("it is not assigned to one name".to_string());
    };
    if checker.semantic.bindings_in(0, target.id.as_str()).count() != 1 {
        return Err(format!(
            "`{}` is bound more than once in the module",
            target.id
        ));
    }
    Ok((stmt, target))
}

/// The value of a module-level constant a name reads (`GPU = "1"` then `gpu=GPU`), when the
/// module binds the name exactly once to a literal; any other expression as it is.
pub fn module_constant<'a>(checker: &crate::checker::Checker<'a>, expr: &'a Expr) -> &'a Expr {
    match module_value(checker, expr) {
        Some(value) if value.is_literal_expr() || value.is_f_string_expr() => value,
        _ => expr,
    }
}

/// The value a name reads when the module binds it exactly once, by a plain assignment
/// (`INTERVAL = timedelta(hours=1)`); the caller checks that value is what it needs.
pub fn module_value<'a>(checker: &crate::checker::Checker<'a>, expr: &'a Expr) -> Option<&'a Expr> {
    let Expr::Name(name) = expr else {
        return None;
    };
    name_value(checker, name)
}

/// [`module_value`] of a name.
pub fn name_value<'a>(
    checker: &crate::checker::Checker<'a>,
    name: &ruff_python_ast::ExprName,
) -> Option<&'a Expr> {
    let binding = checker.semantic.binding_of(name.range.start())?;
    let crate::semantic::BindingKind::Assignment { value, .. } = &binding.kind else {
        return None;
    };
    let bindings = checker.semantic.bindings_in(0, binding.name).count();
    (binding.scope == 0 && bindings == 1).then_some(*value)
}

/// Python's keywords, which cannot be names.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Whether `s` can be a Python name (a variable, a keyword argument, a module).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && !KEYWORDS.contains(&s)
}

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

/// A decorator's callee: `f` of `@f` and of `@f(...)`.
pub fn decorator_callee(expr: &Expr) -> &Expr {
    match expr {
        Expr::Call(call) => &call.func,
        other => other,
    }
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
pub fn remove_arguments(source: &str, arguments: &Arguments, remove: &[TextRange]) -> Vec<Edit> {
    let all = argument_ranges(arguments);
    if all.iter().all(|r| remove.contains(r)) {
        let inner = TextRange::new(
            arguments.start() + TextSize::from(1),
            arguments.end() - TextSize::from(1),
        );
        return vec![Edit::delete(inner)];
    }
    remove_list_items(source, &all, |r| remove.contains(r))
}

/// Edits that remove some items of a comma-separated list (call arguments, imported names) with
/// their commas. At least one item must stay. Comments on the lines of kept items stay; an item
/// alone on its line goes with its line.
pub fn remove_list_items(
    source: &str,
    items: &[TextRange],
    removed: impl Fn(&TextRange) -> bool,
) -> Vec<Edit> {
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
        if i < items.len() {
            // Up to the next kept item: the run's items, commas and the comments between.
            edits.push(Edit::delete(TextRange::new(
                items[first].start(),
                items[i].start(),
            )));
            continue;
        }
        // The run ends the list.
        let end = items[last].end();
        match comma_after(source, end) {
            Some(comma_end) => {
                // A trailing comma: keep the previous item's comma (and its comment).
                edits.push(Edit::delete(whole_lines(
                    source,
                    items[first].start(),
                    comma_end,
                )));
            }
            None if first > 0 => {
                // No trailing comma: the previous item's comma goes.
                let prev_end = items[first - 1].end();
                match comma_after(source, prev_end) {
                    Some(comma_end) if comma_end <= items[first].start() => {
                        let comma = comma_end - TextSize::from(1);
                        let between =
                            &source[usize::from(comma_end)..usize::from(items[first].start())];
                        // After a line continuation (`a, \`) the backslash must go too, or
                        // it would join the previous item to the next statement.
                        let continued = between.trim_start_matches([' ', '\t']).starts_with('\\');
                        if between.contains(['\n', '\r']) && !continued {
                            // The run starts a line: the comma goes, the comment after it stays.
                            edits.push(Edit::delete(TextRange::new(comma, comma_end)));
                            edits.push(Edit::delete(whole_lines(
                                source,
                                items[first].start(),
                                end,
                            )));
                        } else {
                            edits.push(Edit::delete(TextRange::new(comma, end)));
                        }
                    }
                    _ => edits.push(Edit::delete(TextRange::new(prev_end, end))),
                }
            }
            None => edits.push(Edit::delete(TextRange::new(items[first].start(), end))),
        }
    }
    edits
}

/// The end of the comma that follows `at` after spaces, if one does.
fn comma_after(source: &str, at: TextSize) -> Option<TextSize> {
    let rest = source.get(usize::from(at)..)?;
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    rest[skipped..]
        .starts_with(',')
        .then(|| at + TextSize::try_from(skipped + 1).unwrap_or_default())
}

/// `start..end` widened to whole lines when only blanks precede it on its first line and only
/// blanks or a comment follow it on its last line.
fn whole_lines(source: &str, start: TextSize, end: TextSize) -> TextRange {
    let (s, e) = (usize::from(start), usize::from(end));
    let line_start = source[..s].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line_end = source[e..].find('\n').map_or(source.len(), |i| e + i + 1);
    let before = &source[line_start..s];
    let after = source[e..line_end].trim_start_matches([' ', '\t']);
    let alone = before.chars().all(|c| c == ' ' || c == '\t')
        && (after.trim().is_empty() || after.starts_with('#'));
    if alone && line_start > 0 {
        TextRange::new(
            TextSize::try_from(line_start).unwrap_or(start),
            TextSize::try_from(line_end).unwrap_or(end),
        )
    } else {
        TextRange::new(start, end)
    }
}

/// The text of `range` (`text`) with `edits`, which lie inside it, applied as a fix is.
pub fn text_with_edits(text: &str, range: TextRange, edits: Vec<Edit>) -> String {
    let base = range.start();
    let edits = edits
        .into_iter()
        .map(|e| Edit {
            range: e.range - base,
            ..e
        })
        .collect();
    crate::fix::apply(
        text,
        std::iter::once(&crate::diagnostic::Fix::safe_edits(edits)),
    )
}

/// Whether source text holds a comment (a `#` outside string literals): a fix that rewrites
/// such text whole would drop it.
pub fn contains_comment(text: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '#' => return true,
                '"' | '\'' => quote = Some(c),
                _ => {}
            },
        }
    }
    false
}

/// `callee(arg, ...)` on one line, or with each argument on a line of its own (indented by four
/// spaces, with a trailing comma) and the closing parenthesis on the last.
pub fn call_text(callee: &str, args: &[String], multiline: bool, nl: &str) -> String {
    if !multiline {
        return format!("{callee}({})", args.join(", "));
    }
    let mut text = format!("{callee}({nl}");
    for arg in args {
        text.push_str(&format!("    {arg},{nl}"));
    }
    text.push(')');
    text
}

/// Quote a string for Python source with double quotes.
pub fn quote(s: &str) -> String {
    quote_with(s, '"')
}

/// Quote a string for Python source with the quote character `q`.
pub fn quote_with(s: &str, q: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

/// `Annotated[T, call]` or `Annotated[T, other, call]`: the edit that removes `call` from the
/// annotation's metadata, leaving the type alone when it was the only one. `up` is how many
/// ancestors of the expression being visited lie below the tuple of the annotation (0 when
/// `call` is the expression visited, 1 when it is its parent).
pub(crate) fn drop_annotated_metadata(
    checker: &crate::checker::Checker,
    call: &ExprCall,
    up: usize,
) -> Option<Edit> {
    let (Some(Expr::Tuple(items)), Some(Expr::Subscript(annotated))) =
        (checker.ancestor_expr(up), checker.ancestor_expr(up + 1))
    else {
        return None;
    };
    if annotated.slice.range() != items.range
        || !checker.resolves_to(
            &annotated.value,
            &["typing.Annotated", "typing_extensions.Annotated"],
        )
    {
        return None;
    }
    let at = items.elts.iter().position(|e| e.range() == call.range())?;
    match items.elts.len() {
        2 if at == 1 => Some(Edit::replace(
            annotated.range,
            checker.text(items.elts[0].range()).to_string(),
        )),
        n if n > 2 && at > 0 => Some(Edit::delete(TextRange::new(
            items.elts[at - 1].range().end(),
            call.range().end(),
        ))),
        _ => None,
    }
}

/// A call's arguments bound to `params` by position and keyword; `None` when one is unknown,
/// bound twice, or spread (`*args`, `**kwargs`).
pub(crate) fn bind_arguments<'a>(
    call: &'a ExprCall,
    params: &[&str],
) -> Option<Vec<Option<&'a Expr>>> {
    let mut bound: Vec<Option<&Expr>> = vec![None; params.len()];
    if call.arguments.args.len() > params.len() {
        return None;
    }
    for (slot, arg) in bound.iter_mut().zip(call.arguments.args.iter()) {
        if arg.is_starred_expr() {
            return None;
        }
        *slot = Some(arg);
    }
    for kw in &call.arguments.keywords {
        let at = params.iter().position(|p| Some(*p) == keyword_name(kw))?;
        if bound[at].replace(&kw.value).is_some() {
            return None;
        }
    }
    Some(bound)
}

/// The text of `range` with the `edits` inside it applied (in order; one that starts before the
/// end of the last is left out).
pub(crate) fn render(source: &str, range: TextRange, edits: &[Edit]) -> String {
    let mut edits: Vec<&Edit> = edits
        .iter()
        .filter(|e| range.contains_range(e.range))
        .collect();
    edits.sort_by_key(|e| (e.range.start(), e.range.end(), e.order));
    let mut out = String::new();
    let mut last = usize::from(range.start());
    for edit in edits {
        let start = usize::from(edit.range.start());
        if start < last {
            continue;
        }
        out.push_str(&source[last..start]);
        out.push_str(&edit.content);
        last = usize::from(edit.range.end());
    }
    out.push_str(&source[last..usize::from(range.end())]);
    out
}

/// The arguments of a call of a dataclass whose fields are `fields` (in order), by field name:
/// positional ones named after their place; why not, for `*`/`**` arguments or too many
/// positional ones (`class` names the dataclass in the message).
pub(crate) fn dataclass_arguments<'a>(
    call: &'a ExprCall,
    fields: &[&'static str],
    class: &str,
) -> Result<Vec<(&'a str, &'a Expr)>, String> {
    let mut values: Vec<(&str, &Expr)> = Vec::new();
    if call.arguments.args.len() > fields.len() {
        return Err(format!(
            "it has more positional arguments than `{class}` takes"
        ));
    }
    for (field, arg) in fields.iter().zip(call.arguments.args.iter()) {
        if arg.is_starred_expr() {
            return Err("it takes `*` arguments".to_string());
        }
        values.push((field, arg));
    }
    for kw in &call.arguments.keywords {
        let Some(name) = keyword_name(kw) else {
            return Err("it takes `**` arguments".to_string());
        };
        values.push((name, &kw.value));
    }
    Ok(values)
}

/// The module-level `from ... import` bindings of a flytekit name (one of `qualified`, after
/// canonicalization) that something reads: the statement, the alias and the local name.
pub(crate) fn used_from_imports<'a>(
    checker: &crate::checker::Checker<'a>,
    qualified: &[&str],
) -> Vec<(&'a Stmt, &'a ruff_python_ast::Alias, &'a str)> {
    checker
        .semantic
        .bindings()
        .iter()
        .filter_map(|binding| match &binding.kind {
            crate::semantic::BindingKind::Import {
                qualified: q,
                stmt,
                alias,
            } if binding.scope == 0
                && binding.uses > 0
                && matches!(&**stmt, Stmt::ImportFrom(_))
                && qualified.contains(&&*crate::known::canonical(q)) =>
            {
                Some((*stmt, *alias, binding.name))
            }
            _ => None,
        })
        .collect()
}

/// The edits that replace an imported flytekit name by a definition of the module's own: the
/// alias goes from its import statement, the `modules` the definition uses are imported, and
/// `lines` go after the import block, two blank lines around them. `None` when the import is
/// not a statement of the module itself, or a module name is taken.
pub(crate) fn define_in_place_of_import(
    checker: &crate::checker::Checker,
    stmt: &Stmt,
    alias: &ruff_python_ast::Alias,
    modules: &[&str],
    lines: &[String],
) -> Option<Vec<Edit>> {
    if !checker.module.iter().any(|s| s.range() == stmt.range()) {
        return None;
    }
    let mut edits = checker
        .importer
        .remove_aliases(stmt, &[alias], checker.locator);
    edits.extend(define_after_imports(checker, modules, lines)?);
    Some(edits)
}

/// The edits that define `lines` (a function of the module's own) after the import block, two
/// blank lines around them, and import the `modules` they use. `None` when a module name is
/// taken.
pub(crate) fn define_after_imports(
    checker: &crate::checker::Checker,
    modules: &[&str],
    lines: &[String],
) -> Option<Vec<Edit>> {
    let mut edits = Vec::new();
    for module in modules {
        edits.extend(checker.import_module(module)?);
    }
    let nl = checker.line_ending.as_str();
    let mut text = format!("{nl}{nl}");
    for line in lines {
        text.push_str(line);
        text.push_str(nl);
    }
    // Two blank lines before what follows, counting those already there.
    let at = checker.importer.import_block_end();
    let blank = checker.source()[usize::from(at)..]
        .lines()
        .take_while(|l| l.trim().is_empty())
        .take(2)
        .count();
    for _ in blank..2 {
        text.push_str(nl);
    }
    // After an environment defined at the same point (its text ends where a blank line must
    // follow), before the blank lines added for the code below.
    edits.push(Edit::insert_ordered(at, text, u8::MAX - 1));
    Some(edits)
}
