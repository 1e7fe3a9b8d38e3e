//! FM103 for flytekit's `subproc_execute`: a plain-Python helper that Flyte 2 does not ship.
//!
//! `from flytekit.extras.tasks.shell import subproc_execute` goes, and the module gets a helper
//! of the same name that does what flytekit's did: `subprocess.run` with the output captured as
//! text, a `RuntimeError` naming the command on a non-zero exit (also with `check=False`, which
//! flytekit ignored) or a missing executable, and a result with `returncode`, `output` and
//! `error`. Every call stays as it is.

use ruff_python_ast::Stmt;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

pub const SUBPROC_EXECUTE: &str = "flytekit.extras.tasks.shell.subproc_execute";

/// The class of the helper's result; a module that binds the name keeps flytekit's helper.
const RESULT: &str = "ProcessResult";

/// The helper, its name and the result class's name filled in, one line per entry.
const HELPER: &[&str] = &[
    "@dataclasses.dataclass",
    "class {result}:",
    "    returncode: int",
    "    output: str",
    "    error: str",
    "",
    "",
    "def {name}(command, **kwargs):",
    "    \"\"\"Run a command as flytekit's `subproc_execute` did: output captured as text, a",
    "    `RuntimeError` when it fails (whatever `check=` says) or cannot be found.\"\"\"",
    "    kwargs = {\"stdout\": subprocess.PIPE, \"stderr\": subprocess.PIPE, \"text\": True, \"check\": True, **kwargs}",
    "    try:",
    "        result = subprocess.run(command, **kwargs)",
    "        result.check_returncode()",
    "    except subprocess.CalledProcessError as e:",
    "        raise RuntimeError(f\"Command: {e.cmd}\\nFailed with return code {e.returncode}:\\n{e.stderr}\")",
    "    except FileNotFoundError as e:",
    "        raise RuntimeError(",
    "            f\"\"\"Process failed because the executable could not be found.",
    "            Did you specify a container image in the task definition if using",
    "            custom dependencies?\\n{e}\"\"\"",
    "        )",
    "    return {result}(returncode=result.returncode, output=result.stdout, error=result.stderr)",
];

/// Each module-level `from flytekit.extras.tasks.shell import subproc_execute` that is used.
pub fn subproc_execute(checker: &mut Checker) {
    if !checker.enabled(Rule::FlytekitConstruct) {
        return;
    }
    for (stmt, alias, name) in super::used_from_imports(checker, &[SUBPROC_EXECUTE]) {
        let diagnostic = Diagnostic::new(
            Rule::FlytekitConstruct,
            format!("`{SUBPROC_EXECUTE}` is not part of Flyte 2"),
            alias.range(),
        );
        let Some(edits) = helper(checker, stmt, alias, name) else {
            checker.report(diagnostic.with_help(
                "Run the command with `subprocess.run(command, capture_output=True, text=True)` \
                 and raise on a non-zero exit, by hand",
            ));
            continue;
        };
        checker.report(
            diagnostic
                .with_help(format!(
                    "Define `{name}` in the module, as flytekit's did it (`subprocess.run`, a \
                     `RuntimeError` when the command fails, a `{RESULT}` with `returncode`, \
                     `output` and `error`), and drop the import"
                ))
                .with_fix(Fix::safe_edits(edits)),
        );
    }
}

/// The edits that replace the import with the helper; `None` when the module binds the
/// helper's names otherwise, or does not import at the top of the module.
fn helper(
    checker: &Checker,
    stmt: &Stmt,
    alias: &ruff_python_ast::Alias,
    name: &str,
) -> Option<Vec<Edit>> {
    let semantic = checker.semantic;
    if semantic.bindings_in(0, name).count() != 1 || semantic.bindings_in(0, RESULT).count() != 0 {
        return None;
    }
    let lines: Vec<String> = HELPER
        .iter()
        .map(|line| line.replace("{name}", name).replace("{result}", RESULT))
        .collect();
    super::define_in_place_of_import(checker, stmt, alias, &["subprocess", "dataclasses"], &lines)
}
