//! FM404 for flytekit's internal context, `FlyteContextManager.current_context()` (and
//! `FlyteContext.current_context()`): what tasks read from it has a Flyte 2 form.
//!
//! - `.user_space_params` is the object `flytekit.current_context()` returns: the fix writes
//!   that call, and the `current_context()` rules take it from there (secrets, execution id, ...).
//! - `.file_access` methods are `flyte.storage` and `flyte.io` calls: random local paths and
//!   directories, random remote paths under the run's raw data prefix, downloads and uploads.

use ruff_python_ast::{Expr, ExprAttribute, ExprCall};
use ruff_text_size::Ranged;

use super::bind_arguments as bind;
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::BindingKind;

/// The internal context's constructors.
pub const INTERNAL: &[&str] = &[
    "flytekit.FlyteContextManager.current_context",
    "flytekit.FlyteContext.current_context",
];

/// Whether `expr` is the internal context: the call itself, or a name bound once to it.
fn is_internal(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::Call(call) => call.arguments.is_empty() && checker.resolves_to(&call.func, INTERNAL),
        Expr::Name(name) => checker
            .semantic
            .binding_of(name.range.start())
            .is_some_and(|b| {
                matches!(&b.kind, BindingKind::Assignment { value: Expr::Call(call), .. }
                    if call.arguments.is_empty() && checker.resolves_to(&call.func, INTERNAL))
            }),
        _ => false,
    }
}

/// Whether a reference to `FlyteContextManager.current_context` is read by a use this module
/// rewrites (FM103 leaves it alone then): `.user_space_params`, or a `.file_access` method.
pub fn handles(checker: &Checker, expr: &Expr) -> bool {
    let (Some(Expr::Call(call)), Some(Expr::Attribute(attr))) =
        (checker.ancestor_expr(0), checker.ancestor_expr(1))
    else {
        return false;
    };
    if call.func.range() != expr.range() || attr.value.range() != call.range() {
        return false;
    }
    match attr.attr.id.as_str() {
        "user_space_params" => true,
        "file_access" => matches!(
            (checker.ancestor_expr(2), checker.ancestor_expr(3)),
            (Some(Expr::Attribute(method)), Some(Expr::Call(outer)))
                if outer.func.range() == method.range
                    && file_access(checker, method.attr.id.as_str(), outer).is_some()
        ),
        _ => false,
    }
}

pub fn attribute(checker: &mut Checker, expr: &Expr, attr: &ExprAttribute) {
    if !checker.enabled(Rule::CurrentContextAttribute) || !is_internal(checker, &attr.value) {
        return;
    }
    match attr.attr.id.as_str() {
        "user_space_params" => user_space_params(checker, expr),
        "file_access" => {
            let (Some(Expr::Attribute(method)), Some(Expr::Call(call))) =
                (checker.parent_expr(), checker.ancestor_expr(1))
            else {
                return;
            };
            if call.func.range() != method.range {
                return;
            }
            let diagnostic = Diagnostic::new(
                Rule::CurrentContextAttribute,
                format!(
                    "flytekit's `file_access.{}` does not exist in Flyte 2",
                    method.attr.id
                ),
                call.range(),
            );
            match file_access(checker, method.attr.id.as_str(), call) {
                Some((text, module, note)) => {
                    let diagnostic =
                        diagnostic.with_help(format!("Replace with `{text}` ({note})"));
                    match checker.import_module(module) {
                        Some(mut edits) => {
                            edits.push(Edit::replace(call.range(), text));
                            checker.report(diagnostic.with_fix(Fix::unsafe_edits(edits)));
                        }
                        None => checker.report(diagnostic),
                    }
                }
                None => checker.report(diagnostic.with_help(
                    "Use `flyte.storage` (`get_random_local_path`, `get_random_local_directory`, \
                     `get`, `put`) or `flyte.io.File`/`Dir` (`from_existing_remote(...)\
                     .download_sync(...)`, `from_local_sync(...)`)",
                )),
            }
        }
        _ => {}
    }
}

/// `FlyteContextManager.current_context().user_space_params` → `current_context()`.
fn user_space_params(checker: &mut Checker, expr: &Expr) {
    let diagnostic = Diagnostic::new(
        Rule::CurrentContextAttribute,
        "`FlyteContextManager.current_context().user_space_params` is `current_context()`",
        expr.range(),
    )
    .with_help(
        "Replace with `flytekit.current_context()`, the same object, which the other fixes then \
         move to `flyte.ctx()` and `os.environ`",
    );
    match checker.import_from("flytekit", "current_context") {
        Some((mut edits, name)) => {
            edits.push(Edit::replace(expr.range(), format!("{name}()")));
            checker.report(diagnostic.with_fix(Fix::safe_edits(edits)));
        }
        None => checker.report(diagnostic),
    }
}

/// A `file_access` method call as Flyte 2 writes it, the module it needs and what changes;
/// `None` for a method or arguments with no form here.
fn file_access(
    checker: &Checker,
    method: &str,
    call: &ExprCall,
) -> Option<(String, &'static str, &'static str)> {
    let args = bind(
        call,
        match method {
            "get_random_local_path" | "get_random_remote_path" => &["file_path_or_file_name"][..],
            "get_random_local_directory" | "get_random_remote_directory" => &[],
            "get_data" => &["remote_path", "local_path", "is_multipart"],
            "download" | "download_directory" => &["remote_path", "local_path"],
            "put_data" => &["local_path", "remote_path", "is_multipart"],
            "upload" => &["file_path", "to_path"],
            "upload_directory" => &["local_path", "remote_path"],
            _ => return None,
        },
    )?;
    let text = |e: Option<&Expr>| e.map(|e| checker.text(e.range()).to_string());
    // `is_multipart=` must be a literal: it picks the Flyte 2 class.
    let multipart = |e: Option<&Expr>| match e {
        None => Some(false),
        Some(Expr::BooleanLiteral(b)) => Some(b.value),
        Some(_) => None,
    };
    Some(match method {
        "get_random_local_path" => (
            match text(args[0]) {
                Some(name) => format!("str(flyte.storage.get_random_local_path({name}))"),
                None => "str(flyte.storage.get_random_local_path())".to_string(),
            },
            "flyte.storage",
            "a fresh local path; Flyte 2 creates its parent folder",
        ),
        "get_random_local_directory" => (
            "str(flyte.storage.get_random_local_directory())".to_string(),
            "flyte.storage",
            "a fresh local directory",
        ),
        "get_random_remote_path" | "get_random_remote_directory" => (
            match text(args.first().copied().flatten()) {
                Some(name) => format!("flyte.ctx().raw_data_path.get_random_remote_path({name})"),
                None => "flyte.ctx().raw_data_path.get_random_remote_path()".to_string(),
            },
            "flyte",
            "a fresh path under the run's raw data prefix, in a task only; a file name is \
             joined as given, where flytekit kept its last part",
        ),
        "get_data" | "download" | "download_directory" => {
            let (remote, local) = (text(args[0])?, text(args[1])?);
            let directory =
                method == "download_directory" || multipart(args.get(2).copied().flatten())?;
            let class = if directory { "Dir" } else { "File" };
            (
                format!("flyte.io.{class}.from_existing_remote({remote}).download_sync({local})"),
                "flyte.io",
                "downloaded by `flyte.io`, which returns the local path",
            )
        }
        "put_data" | "upload" | "upload_directory" => {
            let (local, remote) = (text(args[0])?, text(args[1])?);
            let directory =
                method == "upload_directory" || multipart(args.get(2).copied().flatten())?;
            let class = if directory { "Dir" } else { "File" };
            // Where it was stored, when the value is read (an expression statement drops it).
            let statement = matches!(checker.current_stmt(),
                Some(ruff_python_ast::Stmt::Expr(stmt)) if stmt.value.range() == call.range());
            let path = if statement { "" } else { ".path" };
            (
                format!(
                    "flyte.io.{class}.from_local_sync({local}, remote_destination={remote}){path}"
                ),
                "flyte.io",
                "uploaded by `flyte.io`, which returns where it stored it",
            )
        }
        _ => return None,
    })
}
