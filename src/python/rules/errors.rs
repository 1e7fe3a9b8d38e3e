//! FM207 `recoverable-exception`: `raise FlyteRecoverableException(...)` asked Flyte 1 to retry.
//!
//! flytekit retried a task only on a recoverable error (`FlyteRecoverableException`); Flyte 2
//! retries every user error except `flyte.errors.NonRecoverableError`. A plain exception is what
//! Flyte 2 retries, so the constructor becomes `RuntimeError(...)`.

use ruff_python_ast::ExprCall;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

pub const RECOVERABLE: &str = "flytekit.exceptions.user.FlyteRecoverableException";

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::RecoverableException)
        || !checker.resolves_to(&call.func, &[RECOVERABLE])
    {
        return;
    }
    let diagnostic = Diagnostic::new(
        Rule::RecoverableException,
        "`FlyteRecoverableException` does not exist in Flyte 2: every user error is retried",
        call.func.range(),
    );
    // `RuntimeError` is a builtin: usable unless the module binds the name.
    if checker
        .semantic
        .module_name_conflicts("RuntimeError", "builtins.RuntimeError")
    {
        checker.report(diagnostic.with_help(
            "Raise a plain exception: Flyte 2 retries it (within `retries=`) as Flyte 1 retried \
             a recoverable one",
        ));
        return;
    }
    checker.report(
        diagnostic
            .with_help(
                "Raise `RuntimeError(...)`: Flyte 2 retries it (within `retries=`) as Flyte 1 \
                 retried a recoverable error; the error's type name in the run changes",
            )
            .with_fix(Fix::unsafe_edits(vec![Edit::replace(
                call.func.range(),
                "RuntimeError",
            )])),
    );
}
