//! FM203 `cache-to-flyte-cache`: v1 cache settings → `flyte.Cache`.
//!
//! `cache_version` maps to `version_override` with `behavior="auto"`, never `"override"`: the
//! local controller never reads the cache with `"override"`.

use ruff_python_ast::{Arguments, Expr, ExprCall};
use ruff_text_size::{Ranged, TextRange};

use super::{bool_literal, keyword, remove_arguments};
use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// v1 deprecated `@task` keyword → `flyte.Cache` field.
const TASK_KEYWORDS: &[(&str, &str)] = &[
    ("cache_version", "version_override"),
    ("cache_serialize", "serialize"),
    ("cache_ignore_input_vars", "ignored_inputs"),
];

/// `flytekit.Cache` field (in positional order) → `flyte.Cache` field.
const CACHE_FIELDS: &[(&str, &str)] = &[
    ("version", "version_override"),
    ("serialize", "serialize"),
    ("ignored_inputs", "ignored_inputs"),
    ("salt", "salt"),
    ("policies", ""),
];

/// What the cache keywords of a call need in Flyte 2: where to report, what, and the fix.
pub struct CacheRewrite {
    pub range: TextRange,
    pub message: &'static str,
    pub help: String,
    pub fix: Option<Fix>,
    /// The fix's parts, for a rewrite of the whole call: the keywords it removes, the new
    /// `cache=` value (which may need `import flyte`), and whether it keeps the behaviour.
    pub removed: Vec<TextRange>,
    pub value: Option<Edit>,
    pub safe: bool,
}

impl CacheRewrite {
    /// A report without a fix: the cache settings are written by hand.
    fn by_hand(range: TextRange, message: &'static str, help: String) -> Self {
        CacheRewrite {
            range,
            message,
            help,
            fix: None,
            removed: Vec::new(),
            value: None,
            safe: false,
        }
    }
}

/// The cache keywords of a `@task(...)` or `@dynamic(...)` decorator.
pub fn decorator(checker: &mut Checker, decorator: &ExprCall) {
    if !checker.enabled(Rule::CacheToFlyteCache) {
        return;
    }
    if let Some(rewrite) = rewrite(checker, &decorator.arguments) {
        let mut diagnostic =
            Diagnostic::new(Rule::CacheToFlyteCache, rewrite.message, rewrite.range)
                .with_help(rewrite.help);
        diagnostic.set_fix(rewrite.fix);
        checker.report(diagnostic);
    }
}

/// The Flyte 2 form of the cache keywords of a call (`cache=True`, `cache_version=`, ...), which
/// a flytekit decorator and a Flyte 2 `@env.task(...)` or `TaskEnvironment(...)` that kept them
/// share; `None` when they need no change.
pub fn rewrite(checker: &Checker, args: &Arguments) -> Option<CacheRewrite> {
    let deprecated: Vec<(&str, &Expr, TextRange)> = TASK_KEYWORDS
        .iter()
        .filter_map(|(old, new)| keyword(args, old).map(|k| (*new, &k.value, k.range)))
        .collect();
    let remove: Vec<TextRange> = deprecated.iter().map(|(_, _, r)| *r).collect();
    let Some(cache) = keyword(args, "cache") else {
        // Without `cache=True` the settings did nothing in Flyte 1; Flyte 2 rejects them.
        let &first = remove.first()?;
        return Some(CacheRewrite {
            range: first,
            message: "Cache settings without `cache=True` have no effect, and Flyte 2 has no such keywords",
            help: "Remove them (the task was not cached)".to_string(),
            fix: Some(Fix::safe_edits(remove_arguments(
                checker.source(),
                args,
                &remove,
            ))),
            removed: remove,
            value: None,
            safe: true,
        });
    };
    let version = deprecated.iter().any(|(f, _, _)| *f == "version_override");
    let (replacement, applicability, message, help) = match bool_literal(&cache.value) {
        Some(false) => (
            "\"disable\"".to_string(),
            Applicability::Safe,
            "`cache=False` is `cache=\"disable\"` in Flyte 2 (a bool is rejected)",
            "Replace with `cache=\"disable\"`".to_string(),
        ),
        Some(true) => {
            if deprecated.is_empty() {
                (
                    "\"auto\"".to_string(),
                    Applicability::Unsafe,
                    "`cache=True` is rejected by Flyte 2; `\"auto\"` versions the cache by the function's body",
                    "Replace with `cache=\"auto\"` (the cache version now follows the function body)".to_string(),
                )
            } else {
                merged(checker, "\"auto\"", &deprecated, version)
            }
        }
        // A `Cache(...)` (FM203 rewrites the call) or a value this rule cannot read.
        None if is_cache_object(checker, &cache.value) => {
            return (!deprecated.is_empty()).then(|| {
                CacheRewrite::by_hand(
                    cache.range,
                    "Cache settings are one `flyte.Cache` in Flyte 2",
                    "Write `cache=flyte.Cache(behavior=\"auto\", version_override=...)` by hand"
                        .to_string(),
                )
            });
        }
        // A flag (`cache=CACHE_ENABLED`): Flyte 2 takes no bool, so the flag picks the behavior.
        // With `cache_version=` and the like, flytekit took only a bool (a `Cache` raised).
        None => {
            let flag = checker.text(cache.value.range());
            let flag = match &cache.value {
                Expr::Name(_) | Expr::Attribute(_) | Expr::Call(_) | Expr::Subscript(_) => {
                    flag.to_string()
                }
                _ => format!("({flag})"),
            };
            let behavior = format!("\"auto\" if {flag} else \"disable\"");
            if deprecated.is_empty() {
                // Alone, the value may be a `Cache` of another module: only a visible bool.
                if cache.value.is_string_literal_expr() {
                    return None;
                }
                if !is_bool(checker, &cache.value) {
                    return Some(CacheRewrite::by_hand(
                        cache.range,
                        "`cache=` takes no bool in Flyte 2, and this value may be one",
                        format!(
                            "Write `cache={behavior}` when it is a bool, \
                             `cache=flyte.Cache(behavior=\"auto\", ...)` when it is a flytekit `Cache`"
                        ),
                    ));
                }
                (
                    behavior.clone(),
                    Applicability::Unsafe,
                    "A bool as `cache=` is rejected by Flyte 2, which takes `\"auto\"` or `\"disable\"`",
                    format!(
                        "Replace with `cache={behavior}` (the cache version now follows the \
                         function body)"
                    ),
                )
            } else {
                merged(checker, &behavior, &deprecated, version)
            }
        }
    };
    let value = Edit::replace(cache.value.range(), replacement.clone());
    let mut edits = vec![value.clone()];
    edits.extend(remove_arguments(checker.source(), args, &remove));
    let mut fix = Some(());
    if replacement.starts_with("flyte.") {
        match checker.import_module("flyte") {
            Some(import) => edits.extend(import),
            None => fix = None,
        }
    }
    Some(CacheRewrite {
        range: cache.range,
        message,
        help,
        fix: fix.map(|()| Fix::new(edits, applicability)),
        removed: remove,
        value: Some(value),
        safe: applicability == Applicability::Safe,
    })
}

/// `flyte.Cache(behavior=..., <the deprecated keywords>)`, how safe it is, the message and the
/// help: safe with a version, which it keeps; unsafe without one (the function body versions it).
fn merged(
    checker: &Checker,
    behavior: &str,
    deprecated: &[(&str, &Expr, TextRange)],
    version: bool,
) -> (String, Applicability, &'static str, String) {
    let mut fields = vec![format!("behavior={behavior}")];
    for (field, value, _) in deprecated {
        fields.push(format!("{field}={}", checker.text(value.range())));
    }
    let expr = format!("flyte.Cache({})", fields.join(", "));
    let (applicability, help) = if version {
        (Applicability::Safe, format!("Replace with `cache={expr}`"))
    } else {
        (
            Applicability::Unsafe,
            format!(
                "Replace with `cache={expr}` (the cache version now follows the function body)"
            ),
        )
    };
    (
        expr,
        applicability,
        "Cache settings are one `flyte.Cache` in Flyte 2",
        help,
    )
}

/// Whether a `cache=` value is (or may be) a cache object rather than a flag: a `Cache(...)` call
/// of either SDK, a name bound at module level to one, or a name this module does not bind to a
/// plain value (a parameter, an import from flytekit).
fn is_cache_object(checker: &Checker, value: &Expr) -> bool {
    const CACHES: &[&str] = &["flytekit.Cache", "flyte.Cache"];
    let value = super::module_value(checker, value).unwrap_or(value);
    match value {
        Expr::Call(call) => checker.resolves_to(&call.func, CACHES),
        Expr::Name(_) | Expr::Attribute(_) => checker
            .resolve(value)
            .is_some_and(|q| q.starts_with("flytekit") || q.starts_with("flyte.")),
        _ => false,
    }
}

/// Whether a value is a bool by its form: a comparison, `not ...`, `bool(...)`, a bool literal,
/// or a module-level name bound once to one of those.
fn is_bool(checker: &Checker, value: &Expr) -> bool {
    let value = super::module_value(checker, value).unwrap_or(value);
    match value {
        Expr::Compare(_) | Expr::BooleanLiteral(_) => true,
        Expr::UnaryOp(op) => op.op == ruff_python_ast::UnaryOp::Not,
        // Operands that are themselves bools by their form (no names: two names bound to each
        // other would never end).
        Expr::BoolOp(op) => op.values.iter().all(|v| {
            matches!(v, Expr::Compare(_) | Expr::BooleanLiteral(_))
                || matches!(v, Expr::UnaryOp(u) if u.op == ruff_python_ast::UnaryOp::Not)
        }),
        Expr::Call(call) => {
            matches!(&*call.func, Expr::Name(f) if f.id.as_str() == "bool")
                && checker
                    .semantic
                    .binding_of(call.func.range().start())
                    .is_none()
        }
        _ => false,
    }
}

/// `flytekit.Cache(version=..., ...)` → `flyte.Cache(behavior="auto", version_override=..., ...)`.
pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::CacheToFlyteCache)
        || !checker.resolves_to(&call.func, &["flytekit.Cache"])
    {
        return;
    }
    let mut diagnostic = Diagnostic::new(
        Rule::CacheToFlyteCache,
        "`flytekit.Cache` is `flyte.Cache` in Flyte 2, with a `behavior`",
        call.range(),
    );
    let mut fields = vec!["behavior=\"auto\"".to_string()];
    let mut has_version = false;
    let positional = call
        .arguments
        .args
        .iter()
        .enumerate()
        .map(|(i, arg)| (CACHE_FIELDS.get(i).map(|(old, _)| *old), arg));
    let keywords = call
        .arguments
        .keywords
        .iter()
        .map(|k| (k.arg.as_ref().map(|a| a.id.as_str()), &k.value));
    for (name, value) in positional.chain(keywords) {
        let Some((old, new)) = name.and_then(|n| CACHE_FIELDS.iter().find(|(old, _)| *old == n))
        else {
            checker.report(diagnostic.with_help(
                "Rewrite by hand as `flyte.Cache(behavior=\"auto\", version_override=...)`",
            ));
            return;
        };
        if *old == "policies" {
            checker.report(diagnostic.with_help(
                "Cache policies get different version parameters in Flyte 2: port them to \
                 `flyte.Cache(behavior=\"auto\", policies=[...])` by hand",
            ));
            return;
        }
        has_version |= *old == "version";
        fields.push(format!("{new}={}", checker.text(value.range())));
    }
    let replacement = format!("flyte.Cache({})", fields.join(", "));
    let (applicability, help) = if has_version {
        (Applicability::Safe, format!("Replace with `{replacement}`"))
    } else {
        (
            Applicability::Unsafe,
            format!(
                "Replace with `{replacement}` (without a version, Flyte 2 versions the cache by the function body)"
            ),
        )
    };
    diagnostic = diagnostic.with_help(help);
    if let Some(import) = checker.import_module("flyte") {
        let mut edits = vec![Edit::replace(call.range(), replacement)];
        edits.extend(import);
        diagnostic = diagnostic.with_fix(Fix::new(edits, applicability));
    }
    checker.report(diagnostic);
}
