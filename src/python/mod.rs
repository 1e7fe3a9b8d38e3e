//! Python source, the first kind of file: parsed, modelled (which names are flytekit's) and
//! checked by the rules in one walk; fixed by the shared fix loop, re-parsing each round.

pub mod checker;
pub mod env;
pub mod importer;
pub mod known;
pub mod project;
pub mod rules;
pub mod semantic;

use std::path::Path;

use ruff_python_ast::ModModule;
use ruff_python_parser::Parsed;
use ruff_text_size::TextRange;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::fix::FixOutcome;
use crate::importer::Importer;
use crate::registry::Rule;
use crate::semantic::SemanticModel;
use crate::settings::{self, Settings};
use crate::source::{LineEnding, Locator};
use crate::{CheckError, Project, commands, noqa};

/// Whether a walked file is Python source.
pub fn is_python(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("py" | "pyi")
    )
}

/// The cheap gate: a file whose bytes never mention `flytekit` cannot use Flyte 1.
pub fn mentions_flytekit(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"flytekit").is_some()
}

/// The gate with in-house wrappers: a file may also reach flytekit through a mapped module.
pub fn may_use_flytekit(bytes: &[u8], settings: &Settings) -> bool {
    mentions_flytekit(bytes)
        || known::mentions_union(bytes)
        || settings.mappings.iter().any(|(name, _)| {
            let module = name.rsplit_once('.').map_or(name.as_str(), |(m, _)| m);
            memchr::memmem::find(bytes, module.as_bytes()).is_some()
        })
}

/// The gate for Python: flytekit (or a mapped module), an import of `flyte` (whose calls may
/// still carry Flyte 1 arguments), or a `pyflyte` command in a string.
pub fn worth_checking(bytes: &[u8], settings: &Settings) -> bool {
    may_use_flytekit(bytes, settings)
        || known::mentions_flyte(bytes)
        || (commands::enabled(&settings.rules) && commands::mentions_pyflyte(bytes))
}

/// The gate with the project: a file whose bytes never mention flytekit may still use its
/// names through a project module it imports ([`Project::reaches_flytekit`]).
pub fn gate(
    bytes: &[u8],
    path: Option<&Path>,
    settings: &Settings,
    project: Option<&Project>,
) -> bool {
    worth_checking(bytes, settings)
        || project
            .zip(path)
            .is_some_and(|(project, path)| project.reaches_flytekit(path, bytes))
}

/// Check one Python file's text as a module of `project`: the index names the module and gives
/// the environments of tasks it imports from other modules.
pub fn check(
    text: &str,
    path: Option<&Path>,
    settings: &Settings,
    project: Option<&Project>,
) -> Result<Vec<Diagnostic>, CheckError> {
    if !gate(text.as_bytes(), path, settings, project) {
        return Ok(Vec::new());
    }
    match parse(text) {
        Ok(parsed) => {
            let context = project.zip(path).map(|(p, path)| p.context(path));
            let module = context
                .as_ref()
                .map_or_else(|| module_name(path), |c| c.name().to_string());
            check_parsed_in(&parsed, text, &module, settings, context.as_ref())
        }
        Err(diagnostic) => Ok(if settings.rules.contains(Rule::SyntaxError) {
            vec![diagnostic]
        } else {
            Vec::new()
        }),
    }
}

/// Fix one Python file's text as a module of `project` (see [`check`]).
pub fn fix(
    text: &str,
    path: Option<&Path>,
    settings: &Settings,
    project: Option<&Project>,
) -> Result<FixOutcome, CheckError> {
    // The same gate as `check`, before and after: a file that never (or no longer) mentions
    // flytekit has nothing to report.
    if !gate(text.as_bytes(), path, settings, project) {
        return Ok(FixOutcome {
            text: text.to_string(),
            ..FixOutcome::default()
        });
    }
    let context = project.zip(path).map(|(p, path)| p.context(path));
    let module = context
        .as_ref()
        .map_or_else(|| module_name(path), |c| c.name().to_string());
    let mut outcome = crate::fix::fix_loop(text, settings, parse, |parsed, text| {
        check_parsed_in(parsed, text, &module, settings, context.as_ref())
    })?;
    if !gate(outcome.text.as_bytes(), path, settings, project) {
        outcome.remaining.clear();
    }
    Ok(outcome)
}

/// The module's name: the file's stem, or its package's name for `__init__.py`.
pub fn module_name(path: Option<&Path>) -> String {
    let Some(path) = path else {
        return String::new();
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if stem == "__init__" {
        path.parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string()
    } else {
        stem.to_string()
    }
}

/// `pyflyte` command lines in the module's string literals (`subprocess.run("pyflyte run ...")`,
/// `["pyflyte", "run", ...]`): the command-line rules, on the strings only.
fn commands_in_strings(
    parsed: &Parsed<ModModule>,
    text: &str,
    rules: &settings::RuleSet,
) -> Vec<Diagnostic> {
    use ruff_python_ast::token::TokenKind;
    use ruff_text_size::Ranged;
    if !commands::enabled(rules) || !commands::mentions_pyflyte(text.as_bytes()) {
        return Vec::new();
    }
    let strings: Vec<TextRange> = parsed
        .tokens()
        .iter()
        .filter(|t| {
            matches!(
                t.kind(),
                TokenKind::String | TokenKind::FStringMiddle | TokenKind::TStringMiddle
            )
        })
        .map(Ranged::range)
        .collect();
    // The literal holding an offset (tokens are sorted and disjoint).
    let holding = |at: ruff_text_size::TextSize| {
        let i = strings.partition_point(|s| s.end() <= at);
        strings.get(i).filter(|s| s.contains(at))
    };
    // A range is in the strings when each of its bytes is in a string literal or between the
    // literals of a list (`"--remote", `); an insertion, when it touches a literal.
    let in_strings = |r: TextRange| {
        if r.is_empty() {
            // At a literal's end (an insertion after its closing quote) or inside one.
            let i = strings.partition_point(|s| s.end() < r.start());
            return strings.get(i).is_some_and(|s| s.contains_range(r));
        }
        let mut at = r.start();
        while at < r.end() {
            if let Some(s) = holding(at) {
                at = s.end();
                continue;
            }
            let byte = text
                .as_bytes()
                .get(usize::from(at))
                .copied()
                .unwrap_or(b'x');
            if !(byte == b',' || byte.is_ascii_whitespace()) {
                return false;
            }
            at += ruff_text_size::TextSize::from(1);
        }
        true
    };
    commands::check_with(text, commands::CommandFile::Shell, rules, false)
        .into_iter()
        .filter(|d| {
            holding(d.range.start()).is_some()
                && d.fix
                    .as_ref()
                    .is_none_or(|f| f.edits.iter().all(|e| in_strings(e.range)))
        })
        .collect()
}

/// Parse a module, or return the syntax error as a diagnostic.
pub fn parse(text: &str) -> Result<Parsed<ModModule>, Diagnostic> {
    // CPython refuses source with NUL bytes anywhere, even in a string literal.
    if let Some(at) = memchr::memchr(0, text.as_bytes()) {
        let at = ruff_text_size::TextSize::try_from(at).unwrap_or_default();
        return Err(Diagnostic::new(
            Rule::SyntaxError,
            "SyntaxError: source code cannot contain null bytes",
            TextRange::new(at, at + ruff_text_size::TextSize::from(1)),
        )
        .with_help("Remove the null byte; the file was not checked further"));
    }
    ruff_python_parser::parse_module(text).map_err(|error| {
        Diagnostic::new(
            Rule::SyntaxError,
            format!("SyntaxError: {}", error.error),
            error.location,
        )
        .with_help("Fix the syntax error; the file was not checked further")
    })
}

/// Run the rules over a parsed module.
pub fn check_parsed(
    parsed: &Parsed<ModModule>,
    text: &str,
    module: &str,
    settings: &Settings,
) -> Result<Vec<Diagnostic>, CheckError> {
    check_parsed_in(parsed, text, module, settings, None)
}

/// Run the rules over a parsed module of a project.
pub fn check_parsed_in(
    parsed: &Parsed<ModModule>,
    text: &str,
    module: &str,
    settings: &Settings,
    project: Option<&project::ModuleContext>,
) -> Result<Vec<Diagnostic>, CheckError> {
    let body = &parsed.syntax().body;
    let locator = Locator::new(text);
    let line_ending = LineEnding::detect(text);
    let reexports = project.map_or_else(Vec::new, |p| p.flytekit_reexports(body));
    let semantic = SemanticModel::build_with(body, text, &settings.mappings, &reexports);
    let importer = Importer::new(body, &locator, line_ending);
    let suppressions = noqa::Suppressions::parse(parsed, &locator);
    let mut checker = Checker::new(
        &locator,
        line_ending,
        &semantic,
        &importer,
        body,
        module,
        settings,
    );
    checker.project = project;
    checker.suppressions = Some(&suppressions);
    let (diagnostics, too_deep) = checker.run();
    if let Some(range) = too_deep {
        return Err(CheckError::TooDeep(range));
    }
    let mut diagnostics = diagnostics;
    diagnostics.extend(commands_in_strings(parsed, text, &settings.rules));
    diagnostics.extend(crate::manifest::check_setup_script(
        parsed,
        text,
        module,
        &settings.rules,
    ));
    let mut diagnostics = suppressions.apply(diagnostics, &locator, &settings.rules);
    diagnostics.sort_by(|a, b| {
        (a.range.start(), a.rule, a.range.end()).cmp(&(b.range.start(), b.rule, b.range.end()))
    });
    Ok(diagnostics)
}
