//! FM201 `resources-fields` and FM202 `accelerator-to-gpu`.

use ruff_python_ast::{Expr, ExprCall, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange};

use super::{count_literal, keyword, keyword_name, quote, remove_arguments};
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// v1 `Resources` keyword → v2 keyword.
const FIELD_RENAMES: &[(&str, &str)] = &[("mem", "memory"), ("ephemeral_storage", "disk")];
/// v2 keywords whose values must be strings (or, for `memory`, a pair of strings).
const STRING_FIELDS: &[&str] = &["mem", "memory", "ephemeral_storage", "disk"];
const KNOWN_FIELDS: &[&str] = &["cpu", "mem", "gpu", "ephemeral_storage"];
/// The persistent `storage` request of older flytekit releases: the backend never applied it
/// (flytekit's own docs said so, and later releases removed the field), so dropping it keeps
/// what ran.
pub const NO_EFFECT_FIELD: &str = "storage";

/// FM201: `flytekit.Resources(...)` → `flyte.Resources(...)` with v2 field names and types.
pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::ResourcesFields)
        || !checker.resolves_to(&call.func, &["flytekit.Resources"])
    {
        return;
    }
    let mut edits = vec![Edit::replace(call.func.range(), "flyte.Resources")];
    let mut changes: Vec<String> = Vec::new();
    let mut manual: Vec<String> = Vec::new();

    // Positional order is the same in both SDKs (cpu, memory, gpu, disk); only types change.
    for (index, arg) in call.arguments.args.iter().enumerate() {
        let field = ["cpu", "mem", "gpu", "ephemeral_storage"]
            .get(index)
            .copied();
        match field {
            Some(field) => value_edits(checker, field, arg, &mut edits, &mut changes, &mut manual),
            None => manual.push("extra positional arguments".to_string()),
        }
    }
    let mut dropped: Vec<TextRange> = Vec::new();
    for kw in &call.arguments.keywords {
        let Some(name) = keyword_name(kw) else {
            manual.push("`**` arguments whose fields cannot be renamed".to_string());
            continue;
        };
        if name == NO_EFFECT_FIELD {
            dropped.push(kw.range());
            continue;
        }
        if !KNOWN_FIELDS.contains(&name) {
            manual.push(format!("unknown field `{name}`"));
            continue;
        }
        if let Some((_, new)) = FIELD_RENAMES.iter().find(|(old, _)| *old == name)
            && let Some(arg) = &kw.arg
        {
            edits.push(Edit::replace(arg.range, *new));
            changes.push(format!("`{name}` is `{new}`"));
        }
        value_edits(
            checker,
            name,
            &kw.value,
            &mut edits,
            &mut changes,
            &mut manual,
        );
    }

    if !dropped.is_empty() {
        edits.extend(remove_arguments(
            checker.source(),
            &call.arguments,
            &dropped,
        ));
        changes.push(
            "`storage` had no effect in Flyte 1 (flytekit no longer takes it) and is dropped"
                .to_string(),
        );
    }
    let detail = if changes.is_empty() {
        String::new()
    } else {
        format!(": {}", changes.join(", "))
    };
    let mut diagnostic = Diagnostic::new(
        Rule::ResourcesFields,
        format!("`flytekit.Resources` is `flyte.Resources` in Flyte 2{detail}"),
        call.range(),
    );
    if manual.is_empty() {
        diagnostic = diagnostic.with_help("Replace with `flyte.Resources` and its field names");
        if let Some(import) = checker.import_module("flyte") {
            edits.extend(import);
            diagnostic = diagnostic.with_fix(Fix::safe_edits(edits));
        }
    } else {
        diagnostic = diagnostic.with_help(format!(
            "Rewrite by hand as `flyte.Resources(cpu=, memory=, gpu=, disk=, shm=)`: {}",
            manual.join("; ")
        ));
    }
    checker.report(diagnostic);
}

/// Edits that make one field's value acceptable to `flyte.Resources`.
pub fn value_edits(
    checker: &Checker,
    field: &str,
    value: &Expr,
    edits: &mut Vec<Edit>,
    changes: &mut Vec<String>,
    manual: &mut Vec<String>,
) {
    let source_of = |e: &Expr| checker.text(e.range()).to_string();
    match field {
        f if STRING_FIELDS.contains(&f) => match value {
            Expr::NumberLiteral(_) => {
                edits.push(Edit::replace(value.range(), quote(&source_of(value))));
                changes.push(format!("`{f}` must be a string"));
            }
            Expr::List(list) if f == "mem" || f == "memory" => {
                let items: Vec<String> = list
                    .elts
                    .iter()
                    .map(|e| match e {
                        Expr::NumberLiteral(_) => quote(&source_of(e)),
                        _ => source_of(e),
                    })
                    .collect();
                if items.len() == 2 {
                    edits.push(Edit::replace(
                        value.range(),
                        format!("({})", items.join(", ")),
                    ));
                    changes.push(format!("a `{f}` range is a `(request, limit)` tuple"));
                } else {
                    manual.push(format!("`{f}` range must have two values"));
                }
            }
            Expr::Tuple(tuple) if f == "mem" || f == "memory" => {
                for e in &tuple.elts {
                    if matches!(e, Expr::NumberLiteral(_)) {
                        edits.push(Edit::replace(e.range(), quote(&source_of(e))));
                    }
                }
            }
            Expr::List(_) | Expr::Tuple(_) => {
                manual.push(format!("`{f}` cannot be a range in Flyte 2"));
            }
            other => match v2_string(checker, f, other) {
                Ok(Some(v2)) => {
                    edits.push(Edit::replace(other.range(), v2));
                    changes.push(format!("`{f}` must be a string"));
                }
                Ok(None) => {}
                Err(why) => manual.push(why),
            },
        },
        "gpu" => match value {
            Expr::StringLiteral(s) if s.value.to_str().contains(':') => {
                // Already a typed `"T4:1"`-style request, as FM202 writes it.
            }
            Expr::StringLiteral(_) => match count_literal(value) {
                Some(n) => {
                    edits.push(Edit::replace(value.range(), n.to_string()));
                    changes.push("a GPU count is an `int`".to_string());
                }
                None => manual.push(format!(
                    "`gpu={}` is not a count; Flyte 2 takes an int or a `\"T4:1\"`-style string",
                    source_of(value)
                )),
            },
            Expr::List(_) | Expr::Tuple(_) => {
                manual.push("`gpu` cannot be a range in Flyte 2".to_string());
            }
            Expr::NumberLiteral(_) => {}
            other => match v2_gpu(checker, other) {
                Ok(Some(v2)) => {
                    edits.push(Edit::replace(other.range(), v2));
                    changes.push("a GPU count is an `int`".to_string());
                }
                Ok(None) => {}
                Err(why) => manual.push(why),
            },
        },
        "cpu" => {
            if let Expr::List(list) = value {
                if list.elts.len() == 2 {
                    let items: Vec<String> = list.elts.iter().map(source_of).collect();
                    edits.push(Edit::replace(
                        value.range(),
                        format!("({})", items.join(", ")),
                    ));
                    changes.push("a `cpu` range is a `(request, limit)` tuple".to_string());
                } else {
                    manual.push("`cpu` range must have two values".to_string());
                }
            }
        }
        _ => {}
    }
}

/// What a resource value is known to hold, read through module-level constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    Int,
    /// A string that is a number (`"1"`).
    Count,
    /// A typed GPU request (`"T4:1"`).
    Typed,
    /// Another string.
    Str,
    Unknown,
}

/// What `expr` holds: literals, `int(...)`/`str(...)`, and names the module binds only to such
/// values (`gpu = "0"` in one branch of an `if`, `gpu = "1"` in the other).
fn held(checker: &Checker, expr: &Expr, depth: usize) -> Held {
    if depth > 4 {
        return Held::Unknown;
    }
    let builtin = |func: &Expr, name: &str| {
        matches!(func, Expr::Name(n) if n.id.as_str() == name
            && checker.semantic.binding_of(n.range.start()).is_none())
    };
    match expr {
        Expr::NumberLiteral(n) if matches!(n.value, ruff_python_ast::Number::Int(_)) => Held::Int,
        Expr::StringLiteral(s) if s.value.to_str().contains(':') => Held::Typed,
        Expr::StringLiteral(_) if count_literal(expr).is_some() => Held::Count,
        Expr::StringLiteral(_) | Expr::FString(_) => Held::Str,
        Expr::Call(call) if builtin(&call.func, "int") => Held::Int,
        // Environment variables are strings.
        Expr::Call(call) if checker.resolves_to(&call.func, &["os.getenv", "os.environ.get"]) => {
            match call.arguments.args.get(1) {
                Some(default) if held(checker, default, depth + 1) == Held::Unknown => {
                    Held::Unknown
                }
                _ => Held::Str,
            }
        }
        Expr::Subscript(sub) if checker.resolves_to(&sub.value, &["os.environ"]) => Held::Str,
        Expr::Call(call) if builtin(&call.func, "str") => match call.arguments.args.first() {
            Some(arg) if held(checker, arg, depth + 1) == Held::Int => Held::Count,
            _ => Held::Str,
        },
        Expr::Name(name) => {
            let Some(binding) = checker.semantic.binding_of(name.range.start()) else {
                return Held::Unknown;
            };
            if binding.scope != 0 {
                return Held::Unknown;
            }
            let mut all = Vec::new();
            for b in checker.semantic.bindings_in(0, binding.name) {
                match &b.kind {
                    crate::semantic::BindingKind::Assignment { value, .. } => {
                        all.push(held(checker, value, depth + 1));
                    }
                    _ => return Held::Unknown,
                }
            }
            if all.iter().all(|h| *h == Held::Int) {
                Held::Int
            } else if all.iter().all(|h| matches!(h, Held::Int | Held::Count)) {
                Held::Count
            } else if all.iter().all(|h| *h == Held::Typed) {
                Held::Typed
            } else if all
                .iter()
                .all(|h| matches!(h, Held::Count | Held::Typed | Held::Str))
            {
                Held::Str
            } else {
                Held::Unknown
            }
        }
        _ => Held::Unknown,
    }
}

/// A `gpu=` value that is not a literal, as `flyte.Resources` takes it: `Some(new text)` when it
/// must change (a string count is passed through `int(...)`), `None` when it is fine, and why
/// when it is not known to be a count (Flyte 2 rejects `gpu="1"`).
pub fn v2_gpu(checker: &Checker, value: &Expr) -> Result<Option<String>, String> {
    let text = checker.text(value.range());
    match held(checker, value, 0) {
        Held::Int | Held::Typed => Ok(None),
        Held::Count => Ok(Some(format!("int({text})"))),
        Held::Str | Held::Unknown => Err(format!(
            "`gpu={text}` is not known to be a count, and `flyte.Resources` takes an `int` (or \
             a `\"T4:1\"`-style string), not `\"1\"`: give the count as an `int`"
        )),
    }
}

/// A `memory=`/`disk=`/`shm=` value that is not a literal, as `flyte.Resources` takes it (a
/// string): an int is passed through `str(...)`.
pub fn v2_string(checker: &Checker, field: &str, value: &Expr) -> Result<Option<String>, String> {
    let text = checker.text(value.range());
    match held(checker, value, 0) {
        Held::Count | Held::Typed | Held::Str => Ok(None),
        Held::Int => Ok(Some(format!("str({text})"))),
        Held::Unknown => Err(format!(
            "`{field}={text}` is not known to be a string, which `flyte.Resources` requires: \
             give it as a string (`\"4Gi\"`)"
        )),
    }
}

/// flytekit accelerator constants → Flyte 2 GPU type names.
const ACCELERATORS: &[(&str, &str)] = &[
    ("flytekit.extras.accelerators.A100", "A100"),
    ("flytekit.extras.accelerators.A100_80GB", "A100_80G"),
    ("flytekit.extras.accelerators.A10G", "A10G"),
    ("flytekit.extras.accelerators.H100", "H100"),
    ("flytekit.extras.accelerators.H200", "H200"),
    ("flytekit.extras.accelerators.L4", "L4"),
    ("flytekit.extras.accelerators.L40S", "L40s"),
    ("flytekit.extras.accelerators.RTX_PRO_6000", "RTX_PRO_6000"),
    ("flytekit.extras.accelerators.T4", "T4"),
    ("flytekit.extras.accelerators.V100", "V100"),
];

/// The largest count a `"TYPE:n"` literal allows for each type.
fn max_count(gpu_type: &str) -> u64 {
    if gpu_type == "RTX_PRO_6000" { 2 } else { 8 }
}

/// FM202: `@task(accelerator=T4, requests=Resources(gpu=1))` → `gpu="T4:1"`.
pub fn accelerator(checker: &mut Checker, _def: &StmtFunctionDef, decorator: &ExprCall) {
    let Some(kw) = keyword(&decorator.arguments, "accelerator") else {
        return;
    };
    let mut diagnostic = Diagnostic::new(
        Rule::AcceleratorToGpu,
        "`accelerator=` is part of `Resources(gpu=...)` in Flyte 2",
        kw.range,
    );
    let Some(gpu_type) = accelerator_type(checker, &kw.value) else {
        checker.report(diagnostic.with_help(
            "Flyte 2 has no GPU type for this accelerator: pick one of `flyte.GPU`'s device \
             names by hand, e.g. `flyte.Resources(gpu=\"A100:1\")`",
        ));
        return;
    };
    // Every Resources call of the decorator that asks for GPUs gets the typed form.
    let mut counts: Vec<(TextRange, u64)> = Vec::new();
    let mut unknown_count = false;
    for name in ["requests", "limits", "resources"] {
        let Some(Expr::Call(resources)) = keyword(&decorator.arguments, name).map(|k| &k.value)
        else {
            continue;
        };
        if !checker.resolves_to(&resources.func, &["flytekit.Resources", "flyte.Resources"]) {
            continue;
        }
        let gpu = keyword(&resources.arguments, "gpu")
            .map(|k| &k.value)
            .or_else(|| resources.arguments.args.get(2));
        if let Some(gpu) = gpu {
            match count_literal(super::module_constant(checker, gpu)) {
                Some(n) => counts.push((gpu.range(), n)),
                None => unknown_count = true,
            }
        }
    }
    let distinct: Vec<u64> = {
        let mut v: Vec<u64> = counts.iter().map(|(_, n)| *n).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let help_manual =
        |why: &str| format!("{why}; write `gpu=\"{}:<count>\"` by hand", gpu_type.name);
    if unknown_count || counts.is_empty() || distinct.len() != 1 {
        let why = if counts.is_empty() && !unknown_count {
            "No GPU count is requested with this accelerator"
        } else if distinct.len() > 1 {
            "The GPU request and limit differ and Flyte 2 has one GPU count"
        } else {
            "The GPU count is not a literal"
        };
        checker.report(diagnostic.with_help(help_manual(why)));
        return;
    }
    let count = distinct[0];
    if count == 0 {
        // No GPU is requested: the accelerator never applied.
        diagnostic = diagnostic
            .with_help("Remove `accelerator=`: the task requests no GPU")
            .with_fix(Fix::safe_edits(remove_arguments(
                checker.source(),
                &decorator.arguments,
                &[kw.range],
            )));
        checker.report(diagnostic);
        return;
    }
    let replacement = gpu_value(&gpu_type, count);
    let needs_flyte = replacement.starts_with("flyte.");
    let mut edits = remove_arguments(checker.source(), &decorator.arguments, &[kw.range]);
    edits.extend(
        counts
            .iter()
            .map(|(range, _)| Edit::replace(*range, replacement.clone())),
    );
    if needs_flyte {
        match checker.import_module("flyte") {
            Some(import) => edits.extend(import),
            None => {
                checker.report(
                    diagnostic.with_help(help_manual("`flyte` is bound to something else here")),
                );
                return;
            }
        }
    }
    diagnostic = diagnostic
        .with_help(format!(
            "Remove `accelerator=` and request `gpu={replacement}`"
        ))
        .with_fix(Fix::safe_edits(edits));
    checker.report(diagnostic);
}

/// A flytekit accelerator as a Flyte 2 GPU type, with its partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuType {
    pub name: &'static str,
    pub partition: Option<String>,
}

/// The Flyte 2 GPU type of an `accelerator=` value, when it has one.
pub fn accelerator_type(checker: &Checker, accelerator: &Expr) -> Option<GpuType> {
    let qualified = checker.resolve(accelerator)?.to_string();
    let (device, partition) = match split_partition(&qualified) {
        Some((base, partition)) => (base.to_string(), Some(partition)),
        None => (qualified, None),
    };
    ACCELERATORS
        .iter()
        .find(|(name, _)| *name == device)
        .map(|(_, v2)| GpuType {
            name: v2,
            partition,
        })
}

/// The `gpu=` value for `count` GPUs of a type.
pub fn gpu_value(gpu: &GpuType, count: u64) -> String {
    match &gpu.partition {
        Some(partition) => format!(
            "flyte.GPU({}, {count}, partition={})",
            quote(gpu.name),
            quote(partition)
        ),
        None if count >= 1 && count <= max_count(gpu.name) => {
            quote(&format!("{}:{count}", gpu.name))
        }
        None => format!(
            "flyte.Device(quantity={count}, device_class=\"GPU\", device={})",
            quote(gpu.name)
        ),
    }
}

/// `flytekit.extras.accelerators.A100.partition_1g_5gb` → (`...A100`, `1g.5gb`).
fn split_partition(qualified: &str) -> Option<(&str, String)> {
    let (base, last) = qualified.rsplit_once('.')?;
    let partition = last.strip_prefix("partition_")?;
    Some((base, partition.replace('_', ".")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::string_literal;

    #[test]
    fn partitions_use_dotted_names() {
        assert_eq!(
            split_partition("flytekit.extras.accelerators.A100.partition_1g_5gb"),
            Some(("flytekit.extras.accelerators.A100", "1g.5gb".to_string()))
        );
        assert_eq!(split_partition("flytekit.extras.accelerators.T4"), None);
    }

    #[test]
    fn string_literals_are_counts() {
        let parsed = ruff_python_parser::parse_expression("\"2\"").expect("parses");
        assert_eq!(count_literal(parsed.expr()), Some(2));
        assert_eq!(string_literal(parsed.expr()), Some("2"));
    }
}
