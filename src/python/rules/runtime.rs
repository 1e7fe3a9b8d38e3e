//! FM311 `workflow-runtime-code`: Python in a workflow body that is not a task call, and that
//! reads the clock, the environment, files or randomness.
//!
//! Flyte 1 ran a workflow body once, when the workflow was compiled, so such values were frozen
//! into the graph. As a Flyte 2 task the body runs at every run, and again on retries, which also
//! breaks the deterministic identities Flyte 2 gives child actions for recovery.

use ruff_python_ast::{ExprCall, ExprContext, ExprSubscript};
use ruff_text_size::Ranged;

use crate::checker::{Checker, FlyteKind};
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

/// Calls whose value depends on when or where they run: (qualified name prefix, what it reads).
const RUNTIME_CALLS: &[(&str, &str)] = &[
    ("datetime.datetime.now", "the clock"),
    ("datetime.datetime.utcnow", "the clock"),
    ("datetime.datetime.today", "the clock"),
    ("datetime.date.today", "the clock"),
    ("time.time", "the clock"),
    ("time.time_ns", "the clock"),
    ("time.monotonic", "the clock"),
    ("os.getenv", "the environment"),
    ("os.environ.get", "the environment"),
    ("os.getcwd", "the working directory"),
    ("os.listdir", "the file system"),
    ("random.", "randomness"),
    ("uuid.uuid1", "randomness"),
    ("uuid.uuid4", "randomness"),
    ("socket.gethostname", "the host"),
];

fn in_workflow(checker: &Checker) -> bool {
    checker.enabled(Rule::WorkflowRuntimeCode)
        && checker
            .function()
            .is_some_and(|f| f.kind == Some(FlyteKind::Workflow))
}

/// `os.environ["NAME"]` read in a workflow body.
pub fn subscript(checker: &mut Checker, subscript: &ExprSubscript) {
    if subscript.ctx != ExprContext::Load
        || !in_workflow(checker)
        || !checker.resolves_to(&subscript.value, &["os.environ"])
    {
        return;
    }
    report(checker, "the environment", subscript.range());
}

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !in_workflow(checker) {
        return;
    }
    let is_open = matches!(&*call.func, ruff_python_ast::Expr::Name(n)
        if n.id.as_str() == "open" && checker.semantic.binding_of(n.range.start()).is_none());
    let what = if is_open {
        Some("a file")
    } else {
        checker.resolve(&call.func).and_then(|q| {
            RUNTIME_CALLS
                .iter()
                .find(|(name, _)| match name.strip_suffix('.') {
                    Some(_) => q.starts_with(name),
                    None => &*q == *name,
                })
                .map(|(_, what)| *what)
        })
    };
    let Some(what) = what else {
        return;
    };
    report(checker, what, call.range());
}

fn report(checker: &mut Checker, what: &str, range: ruff_text_size::TextRange) {
    checker.report(
        Diagnostic::new(
            Rule::WorkflowRuntimeCode,
            format!(
                "This reads {what} in a workflow body: Flyte 1 read it once at registration, Flyte 2 at every run"
            ),
            range,
        )
        .with_help(
            "Pass the value in as an input (or read it inside a task) if it must not change \
             between runs and retries",
        ),
    );
}
