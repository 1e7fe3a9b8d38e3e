//! FM413 `deck`: flytekit decks are `flyte.report` tabs in Flyte 2.
//!
//! `Deck("Name", html)` → `flyte.report.get_tab("Name").log(html)`, the default deck →
//! `flyte.report.log(html)`, `deck.append(html)` → `tab.log(html)`, `Deck.publish()` →
//! `flyte.report.flush()`. A task shows its report with `@env.task(report=True)`, which
//! `enable_deck=True` becomes.
//!
//! Flyte 2 has no renderers: a renderer whose `to_html` is one call of a public library
//! (`MarkdownRenderer().to_html(text)` is `MarkdownIt().render(text)`) becomes that call, and
//! a renderer in an output's `Annotated[...]` (an automatic deck of the output) goes.

use ruff_python_ast::{Expr, ExprCall, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::bind_arguments as bind;
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::BindingKind;

const DECK: &[&str] = &["flytekit.Deck"];

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::Deck) {
        return;
    }
    if renderer(checker, call) {
        return;
    }
    let replacement = if checker.resolves_to(&call.func, DECK) {
        deck_call(checker, call)
    } else if checker.resolves_to(&call.func, &["flytekit.Deck.publish"]) {
        Some(Ok((call.range(), "flyte.report.flush()".to_string())))
    } else if let Some(result) = append(checker, call) {
        Some(result.map(|text| (call.range(), text)))
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
        Ok((range, text)) => {
            let diagnostic = diagnostic.with_help(format!(
                "Replace with `{}` (the task needs `report=True`)",
                text.lines().map(str::trim).collect::<Vec<_>>().join("; ")
            ));
            match checker.import_module("flyte.report") {
                Some(mut edits) => {
                    edits.push(Edit::replace(range, text));
                    checker.report(diagnostic.with_fix(Fix::safe_edits(edits)));
                }
                None => checker.report(diagnostic),
            }
        }
        Err(why) => checker.report(diagnostic.with_help(why)),
    }
}

/// Whether an expression is `current_context()`, called there or kept in a name.
fn is_context(checker: &Checker, receiver: &Expr) -> bool {
    match receiver {
        Expr::Call(c) => checker.resolves_to(&c.func, &["flytekit.current_context"]),
        Expr::Name(n) => checker
            .semantic
            .binding_of(n.range.start())
            .is_some_and(|b| {
                matches!(&b.kind, BindingKind::Assignment { value: Expr::Call(c), .. }
                if checker.resolves_to(&c.func, &["flytekit.current_context"]))
            }),
        _ => false,
    }
}

/// `Deck(name[, html])`: the range to replace and its replacement. A deck made with content and
/// kept (`deck = Deck("n", html)`) is two statements, the tab then its `log`, which returns
/// nothing.
fn deck_call(checker: &Checker, call: &ExprCall) -> Option<Result<(TextRange, String), String>> {
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
    let tab = if default {
        "flyte.report.get_tab(\"main\")".to_string()
    } else {
        format!("flyte.report.get_tab({})", text(name))
    };
    let Some(html) = html else {
        return Some(Ok((call.range(), tab)));
    };
    let logged = if default {
        format!("flyte.report.log({})", text(html))
    } else {
        format!("{tab}.log({})", text(html))
    };
    Some(match checker.current_stmt() {
        Some(Stmt::Expr(stmt)) if stmt.value.range() == call.range() => Ok((call.range(), logged)),
        Some(stmt @ Stmt::Assign(assign))
            if assign.value.range() == call.range()
                && let [Expr::Name(target)] = assign.targets.as_slice()
                && let Some(indent) = checker.locator.indentation(stmt.start()) =>
        {
            Ok((
                stmt.range(),
                format!(
                    "{target} = {tab}{}{indent}{target}.log({})",
                    checker.line_ending.as_str(),
                    text(html),
                    target = target.id
                ),
            ))
        }
        _ => Err(format!(
            "The deck is used as a value: `{tab}` is the tab, and its `.log(html)` returns \
             nothing: write the two by hand"
        )),
    })
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
            is_context(checker, &deck.value).then(|| Ok(format!("flyte.report.log({html})")))
        }
        // `deck.append(html)` with `deck = Deck("name")`, `deck = current_context().default_deck`
        // or what they become, `deck = flyte.report.get_tab(...)`
        Expr::Name(name) => {
            let binding = checker.semantic.binding_of(name.range.start())?;
            let BindingKind::Assignment { value, .. } = &binding.kind else {
                return None;
            };
            let deck = match value {
                Expr::Call(deck) => {
                    checker.resolves_to(&deck.func, DECK)
                        || checker.resolves_to(&deck.func, &["flyte.report.get_tab"])
                }
                Expr::Attribute(deck) => {
                    deck.attr.id.as_str() == "default_deck" && is_context(checker, &deck.value)
                }
                _ => false,
            };
            deck.then(|| Ok(format!("{}.log({html})", name.id)))
        }
        _ => None,
    }
}

/// What a flytekit renderer's `to_html` is in Flyte 2 code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Renderer {
    /// flytekit's `MarkdownRenderer`: `MarkdownIt().render(text)` (markdown-it-py, which
    /// `flyte` installs).
    MarkdownIt,
    /// `flytekitplugins.deck`'s `MarkdownRenderer`: `markdown.markdown(text)`.
    Markdown,
    /// `TopFrameRenderer(max_rows=10, max_cols=100)`: `df.to_html(max_rows=..., max_cols=...)`.
    TopFrame,
    /// `BoxRenderer(column_name)`: `plotly.express.box(df, y=column_name).to_html()`.
    Box,
    /// `FrameProfilingRenderer(title=...)`: `ydata_profiling.ProfileReport(df, title=...)
    /// .to_html()`.
    FrameProfiling,
    /// `TableRenderer()`: `df.to_html(classes="table-class", index=False)`, without the style
    /// sheet it came with.
    Table,
    /// A renderer with no one-call form (source code, images, Gantt charts, ...).
    Other,
}

/// The renderer a qualified name is, when it is one of flytekit's.
fn renderer_of(qualified: &str) -> Option<Renderer> {
    let (flytekit, name) = if let Some(name) = qualified
        .strip_prefix("flytekit.deck.renderer.")
        .or_else(|| qualified.strip_prefix("flytekit.deck."))
    {
        (true, name)
    } else {
        let name = qualified
            .strip_prefix("flytekitplugins.deck.renderer.")
            .or_else(|| qualified.strip_prefix("flytekitplugins.deck."))?;
        (false, name)
    };
    if !name.ends_with("Renderer") || name.contains('.') {
        return None;
    }
    Some(match (flytekit, name) {
        (true, "MarkdownRenderer") => Renderer::MarkdownIt,
        (false, "MarkdownRenderer") => Renderer::Markdown,
        (_, "TopFrameRenderer") => Renderer::TopFrame,
        (false, "BoxRenderer") => Renderer::Box,
        (false, "FrameProfilingRenderer") => Renderer::FrameProfiling,
        (false, "TableRenderer") => Renderer::Table,
        _ => Renderer::Other,
    })
}

/// Whether a qualified name is a flytekit renderer, which this rule reports where it is made.
pub fn is_renderer(qualified: &str) -> bool {
    renderer_of(qualified).is_some()
}

const NO_RENDERER: &str = "Flyte 2 has no deck renderers: render the HTML yourself and write it with `flyte.report.log(html)` in an `@env.task(report=True)`";

/// A renderer made in a call (`MarkdownRenderer()`), or its `to_html` called on it at once
/// (`MarkdownRenderer().to_html(text)`); false when `call` is neither.
fn renderer(checker: &mut Checker, call: &ExprCall) -> bool {
    // `Renderer(...).to_html(...)`: the whole expression.
    if let Expr::Attribute(attr) = &*call.func
        && attr.attr.id.as_str() == "to_html"
        && let Expr::Call(made) = &*attr.value
        && let Some(kind) = checker.resolve(&made.func).as_deref().and_then(renderer_of)
    {
        let diagnostic = Diagnostic::new(Rule::Deck, "Flyte 2 has no deck renderers", call.range());
        match inline(checker, kind, made, call) {
            Some((text, safe, mut edits)) => {
                let help = if safe {
                    format!("Replace with `{text}`, the HTML the renderer returned")
                } else {
                    format!(
                        "Replace with `{text}`: the table no longer carries the renderer's style \
                         sheet (nor its width)"
                    )
                };
                edits.push(Edit::replace(call.range(), text));
                let fix = if safe {
                    Fix::safe_edits(edits)
                } else {
                    Fix::unsafe_edits(edits)
                };
                checker.report(diagnostic.with_help(help).with_fix(fix));
            }
            None => checker.report(diagnostic.with_help(NO_RENDERER)),
        }
        return true;
    }
    if !checker.resolve(&call.func).is_some_and(|q| is_renderer(&q)) {
        return false;
    }
    // Made for the `to_html` call around it: reported there.
    if let (Some(Expr::Attribute(attr)), Some(Expr::Call(outer))) =
        (checker.ancestor_expr(0), checker.ancestor_expr(1))
        && attr.attr.id.as_str() == "to_html"
        && attr.value.range() == call.range()
        && outer.func.range() == attr.range
    {
        return true;
    }
    let diagnostic = Diagnostic::new(Rule::Deck, "Flyte 2 has no deck renderers", call.range());
    match super::drop_annotated_metadata(checker, call, 0) {
        // `Annotated[pd.DataFrame, TopFrameRenderer(10)]`: the output's automatic deck.
        Some(edit) => checker.report(
            diagnostic
                .with_help(
                    "Remove the renderer from the annotation: Flyte 2 renders no deck of a \
                     task's output (write one with `flyte.report.log(html)` in the task)",
                )
                .with_fix(Fix::unsafe_edits(vec![edit])),
        ),
        None => checker.report(diagnostic.with_help(NO_RENDERER)),
    }
    true
}

/// The expression that computes what `to_html` returned, whether it is the same HTML, and the
/// imports it needs; `None` when the arguments are not the renderer's.
fn inline(
    checker: &Checker,
    kind: Renderer,
    made: &ExprCall,
    to_html: &ExprCall,
) -> Option<(String, bool, Vec<Edit>)> {
    let text = |e: &Expr| checker.text(e.range()).to_string();
    // A frame's method is called on it: parenthesized unless it is a name, an attribute, a
    // call or a subscript.
    let receiver = |e: &Expr| match e {
        Expr::Name(_) | Expr::Attribute(_) | Expr::Call(_) | Expr::Subscript(_) => text(e),
        _ => format!("({})", text(e)),
    };
    let written = |e: Option<&Expr>, default: &str| e.map_or_else(|| default.to_string(), text);
    Some(match kind {
        Renderer::MarkdownIt => {
            bind(made, &[])?;
            let [text_arg] = bind(to_html, &["text"])?[..] else {
                return None;
            };
            let (edits, name) = checker.import_from("markdown_it", "MarkdownIt")?;
            (format!("{name}().render({})", text(text_arg?)), true, edits)
        }
        Renderer::Markdown => {
            bind(made, &[])?;
            let [text_arg] = bind(to_html, &["text"])?[..] else {
                return None;
            };
            let edits = checker.import_module("markdown")?;
            (
                format!("markdown.markdown({})", text(text_arg?)),
                true,
                edits,
            )
        }
        Renderer::TopFrame => {
            let [rows, cols] = bind(made, &["max_rows", "max_cols"])?[..] else {
                return None;
            };
            let [df] = bind(to_html, &["df"])?[..] else {
                return None;
            };
            (
                format!(
                    "{}.to_html(max_rows={}, max_cols={})",
                    receiver(df?),
                    written(rows, "10"),
                    written(cols, "100")
                ),
                true,
                Vec::new(),
            )
        }
        Renderer::Box => {
            let [column] = bind(made, &["column_name"])?[..] else {
                return None;
            };
            let [df] = bind(to_html, &["df"])?[..] else {
                return None;
            };
            let edits = checker.import_module("plotly.express")?;
            (
                format!(
                    "plotly.express.box({}, y={}).to_html()",
                    text(df?),
                    text(column?)
                ),
                true,
                edits,
            )
        }
        Renderer::FrameProfiling => {
            let [title] = bind(made, &["title"])?[..] else {
                return None;
            };
            let [df] = bind(to_html, &["df"])?[..] else {
                return None;
            };
            let edits = checker.import_module("ydata_profiling")?;
            (
                format!(
                    "ydata_profiling.ProfileReport({}, title={}).to_html()",
                    text(df?),
                    written(title, "\"Pandas Profiling Report\"")
                ),
                true,
                edits,
            )
        }
        Renderer::Table => {
            bind(made, &[])?;
            let [df, labels, _width] = bind(to_html, &["df", "header_labels", "table_width"])?[..]
            else {
                return None;
            };
            // Header labels rename the columns first: written by hand.
            if labels.is_some_and(|l| !l.is_none_literal_expr()) {
                return None;
            }
            (
                format!(
                    "{}.to_html(classes=\"table-class\", index=False)",
                    receiver(df?)
                ),
                false,
                Vec::new(),
            )
        }
        Renderer::Other => return None,
    })
}
