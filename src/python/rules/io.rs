//! Flyte 1 I/O types → `flyte.io`: FM410 `io-type`, FM411 `io-constructor`, FM412 `io-method`.
//!
//! `FlyteFile`, `FlyteDirectory` and `StructuredDataset` are `flyte.io.File`, `Dir` and
//! `DataFrame`. Their methods are async in Flyte 2, with `_sync` twins: a sync task uses the
//! twin, an async task awaits the method.

use ruff_python_ast::{
    Expr, ExprAttribute, ExprCall, ExprName, Stmt, StmtClassDef, StmtFunctionDef,
};
use ruff_text_size::{Ranged, TextRange};

use super::keyword_name;
use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::semantic::BindingKind;

/// A Flyte 2 I/O class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    DataFrame,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::File => "File",
            Kind::Dir => "Dir",
            Kind::DataFrame => "DataFrame",
        }
    }
}

/// flytekit I/O names → the Flyte 2 class, and whether the name carried a format that is lost.
const TYPES: &[(&str, Kind, bool)] = &[
    ("flytekit.FlyteFile", Kind::File, false),
    ("flytekit.FlyteDirectory", Kind::Dir, false),
    ("flytekit.StructuredDataset", Kind::DataFrame, false),
    // The old StructuredDataset: parquet files with typed columns.
    (SCHEMA, Kind::DataFrame, false),
    (
        "flytekit.types.directory.TFRecordsDirectory",
        Kind::Dir,
        true,
    ),
    ("flytekit.types.directory.TensorboardLogs", Kind::Dir, true),
    ("flytekit.types.file.CSVFile", Kind::File, true),
    ("flytekit.types.file.HTMLPage", Kind::File, true),
    ("flytekit.types.file.JPEGImageFile", Kind::File, true),
    ("flytekit.types.file.JSONLFile", Kind::File, true),
    ("flytekit.types.file.JoblibSerializedFile", Kind::File, true),
    ("flytekit.types.file.ONNXFile", Kind::File, true),
    ("flytekit.types.file.PDFFile", Kind::File, true),
    ("flytekit.types.file.PNGImageFile", Kind::File, true),
    ("flytekit.types.file.PythonNotebook", Kind::File, true),
    ("flytekit.types.file.PythonPickledFile", Kind::File, true),
    ("flytekit.types.file.SVGImageFile", Kind::File, true),
    ("flytekit.types.file.TFRecordFile", Kind::File, true),
];

/// flytekit's dataset format constants and their values (`structured_dataset.py`, 1.16.31).
const FORMATS: &[(&str, &str)] = &[
    (
        "flytekit.types.structured.structured_dataset.PARQUET",
        "parquet",
    ),
    ("flytekit.types.structured.structured_dataset.CSV", "csv"),
];

/// flytekit's `FlyteSchema`: the StructuredDataset of old, read and written through
/// `open()` (pandas by default), with its columns in the subscript (`FlyteSchema[kwtypes(...)]`).
const SCHEMA: &str = "flytekit.types.schema.FlyteSchema";

fn is_schema(checker: &Checker, expr: &Expr) -> bool {
    checker.resolves_to(expr, &[SCHEMA])
}

fn io_kind(checker: &Checker, expr: &Expr) -> Option<(Kind, bool)> {
    let qualified = checker.resolve(expr)?;
    TYPES
        .iter()
        .find(|(name, ..)| *name == &*qualified)
        .map(|(_, kind, format)| (*kind, *format))
}

/// FM410: a reference to a flytekit I/O type (an annotation, mostly).
pub fn reference(checker: &mut Checker, expr: &Expr) {
    if !checker.enabled(Rule::IoType) {
        return;
    }
    let parent = checker.parent_expr();
    // The whole dotted name only; calls (`FlyteFile(...)`, `FlyteFile[T](...)`) and class
    // attributes are FM411's.
    if matches!(parent, Some(Expr::Attribute(a)) if a.value.range() == expr.range())
        || matches!(parent, Some(Expr::Call(c)) if c.func.range() == expr.range())
        || matches!((parent, checker.ancestor_expr(1)), (Some(Expr::Subscript(s)), Some(Expr::Call(c)))
            if s.value.range() == expr.range() && c.func.range() == s.range)
    {
        return;
    }
    if let Some(format) = checker
        .resolve(expr)
        .and_then(|q| FORMATS.iter().find(|(name, _)| **name == *q))
        .map(|(_, format)| *format)
    {
        let literal = checker.quote(format);
        checker.report(
            Diagnostic::new(
                Rule::IoType,
                format!(
                    "`{}` is the format string {literal} in Flyte 2",
                    checker.text(expr.range())
                ),
                expr.range(),
            )
            .with_help(format!(
                "Replace with {literal} (the same value: `flyte.io.DataFrame` formats are strings)"
            ))
            .with_fix(Fix::safe_edits(vec![Edit::replace(expr.range(), literal)])),
        );
        return;
    }
    let Some((kind, format)) = io_kind(checker, expr) else {
        return;
    };
    if is_schema(checker, expr) {
        schema_reference(checker, expr);
        return;
    }
    // `FlyteFile[...]` carries a format: the whole subscript becomes the plain class.
    let (site, format) = match parent {
        Some(Expr::Subscript(sub)) if sub.value.range() == expr.range() => (sub.range, true),
        _ => (expr.range(), format),
    };
    let old = checker.text(site).to_string();
    let mut diagnostic = Diagnostic::new(
        Rule::IoType,
        format!("`{old}` is `flyte.io.{}` in Flyte 2", kind.name()),
        site,
    );
    let help = if format {
        format!(
            "Replace with `{}` (Flyte 2 files have no format: the format check is lost)",
            kind.name()
        )
    } else {
        format!("Replace with `{}` from `flyte.io`", kind.name())
    };
    diagnostic = diagnostic.with_help(help);
    if let Some((mut edits, name)) = checker.import_from("flyte.io", kind.name()) {
        edits.push(Edit::replace(site, name));
        let applicability = if format {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        diagnostic = diagnostic.with_fix(Fix::new(edits, applicability));
    }
    checker.report(diagnostic);
}

/// FM410: `FlyteSchema` is `DataFrame`; `FlyteSchema[columns]` is `Annotated[DataFrame, columns]`
/// (Flyte 2 reads the named columns only, as Flyte 1 did). Unsafe: the value's methods differ
/// (`open()` takes the frame type, there are no writers, a returned frame must be wrapped).
fn schema_reference(checker: &mut Checker, expr: &Expr) {
    let subscript = match checker.parent_expr() {
        Some(Expr::Subscript(sub)) if sub.value.range() == expr.range() => Some(sub),
        _ => None,
    };
    let site = subscript.map_or(expr.range(), |s| s.range);
    let old = checker.text(site).to_string();
    let diagnostic = Diagnostic::new(
        Rule::IoType,
        format!("`{old}` is `flyte.io.DataFrame` in Flyte 2"),
        site,
    );
    const METHODS: &str = "read it with `.open(pd.DataFrame).all_sync()`, return a frame as `DataFrame.wrap_df(df)`: Flyte 2 has no schema writers";
    let Some((mut edits, name)) = checker.import_from("flyte.io", "DataFrame") else {
        checker.report(diagnostic.with_help(format!(
            "Replace with `flyte.io.DataFrame` (`DataFrame` names something else here); {METHODS}"
        )));
        return;
    };
    let help = match subscript {
        None => {
            edits.push(Edit::replace(site, name.clone()));
            format!("Replace with `{name}`; {METHODS}")
        }
        Some(sub) => {
            // `FlyteSchema[cols, SchemaFormat.X]` carries a format Flyte 2 does not take.
            if matches!(&*sub.slice, Expr::Tuple(_)) {
                checker.report(diagnostic.with_help(format!(
                    "Rewrite by hand as `Annotated[DataFrame, {{\"column\": type}}]` (a schema \
                     format has no Flyte 2 equivalent); {METHODS}"
                )));
                return;
            }
            let Some((annotated_edits, annotated)) = checker.import_from("typing", "Annotated")
            else {
                checker.report(diagnostic.with_help(format!(
                    "Replace with `typing.Annotated[DataFrame, <columns>]`; {METHODS}"
                )));
                return;
            };
            edits.extend(annotated_edits);
            // Up to the columns only: a `kwtypes(...)` inside is FM104's to rewrite.
            edits.push(Edit::replace(
                TextRange::new(sub.range.start(), sub.slice.start()),
                format!("{annotated}[{name}, "),
            ));
            let columns = checker.text(sub.slice.range());
            format!(
                "Replace with `{annotated}[{name}, {columns}]` (the columns are kept); {METHODS}"
            )
        }
    };
    checker.report(
        diagnostic
            .with_help(help)
            .with_fix(Fix::new(edits, Applicability::Unsafe)),
    );
}

/// FM411: constructing a flytekit I/O value.
pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::IoConstructor) {
        return;
    }
    // `FlyteFile.new_remote_file(...)` and other class methods.
    if let Expr::Attribute(attr) = &*call.func
        && let Some((kind, _)) = io_kind(checker, &attr.value)
    {
        let advice = match attr.attr.id.as_str() {
            "listdir" => "List it with `d.list_files_sync()` (or `d.walk_sync()`)".to_string(),
            "new_remote_file" | "new" => {
                "Create one with `File.new_remote(file_name=...)` and write it with `open_sync(\"wb\")`".to_string()
            }
            "new_remote" => format!("Create one with `{}.new_remote(...)`", kind.name()),
            _ => format!(
                "Use `flyte.io.{}`'s constructors: `from_local_sync`/`from_local`, \
                 `from_existing_remote`, `new_remote`",
                kind.name()
            ),
        };
        checker.report(
            Diagnostic::new(
                Rule::IoConstructor,
                format!(
                    "`{}` has no Flyte 2 equivalent with the same behaviour",
                    checker.text(call.func.range())
                ),
                call.range(),
            )
            .with_help(advice),
        );
        return;
    }
    if checker.resolves_to(&call.func, &[HASH_METHOD]) {
        hash_method(checker, call);
        return;
    }
    let callee: &Expr = match &*call.func {
        Expr::Subscript(sub) => &sub.value,
        other => other,
    };
    let Some((kind, _)) = io_kind(checker, callee) else {
        return;
    };
    if is_schema(checker, callee) {
        checker.report(
            Diagnostic::new(
                Rule::IoConstructor,
                format!(
                    "`{}(...)` has no Flyte 2 equivalent: Flyte 2 has no schema writers",
                    checker.text(call.func.range())
                ),
                call.range(),
            )
            .with_help(
                "Return the frame itself as `DataFrame.wrap_df(df)` instead of writing it \
                 through `open().write(df)`; name stored data with \
                 `DataFrame.from_existing_remote(uri, format=\"parquet\")`",
            ),
        );
        return;
    }
    let diagnostic = Diagnostic::new(
        Rule::IoConstructor,
        format!(
            "`{}(...)` is built with a `flyte.io.{}` constructor in Flyte 2",
            checker.text(call.func.range()),
            kind.name()
        ),
        call.range(),
    );
    match constructor(checker, call, kind) {
        Ok((replacement, applicability, help)) => {
            let diagnostic = diagnostic.with_help(help);
            match checker.import_from("flyte.io", kind.name()) {
                Some((mut edits, name)) => {
                    let replacement = replacement.replacen(kind.name(), &name, 1);
                    edits.push(Edit::replace(call.range(), replacement));
                    checker.report(diagnostic.with_fix(Fix::new(edits, applicability)));
                }
                None => checker.report(diagnostic),
            }
        }
        Err(why) => checker.report(diagnostic.with_help(why)),
    }
}

/// flytekit's `HashMethod(fn)`: in `Annotated[T, HashMethod(fn)]`, `fn(value)` is the hash that
/// stands for the output in the cache keys of the tasks that read it.
pub const HASH_METHOD: &str = "flytekit.HashMethod";

/// The frame types whose Flyte 2 transformer reads a hash function from `Annotated[T, ...]`
/// (`DataFrameTransformerEngine`; files hash their bytes as they upload, by other means).
const HASHED_FRAMES: &[&str] = &[
    "pandas.DataFrame",
    "pyarrow.Table",
    "polars.DataFrame",
    "flyte.io.DataFrame",
    // Its other spellings resolve to this one (`known.rs`).
    "flytekit.StructuredDataset",
];

/// FM411: `Annotated[pd.DataFrame, HashMethod(fn)]` is `Annotated[pd.DataFrame,
/// HashFunction.from_fn(fn)]`: Flyte 2's frame transformer calls `fn` on the returned frame and
/// keeps the result as its hash, as flytekit did.
fn hash_method(checker: &mut Checker, call: &ExprCall) {
    let diagnostic = Diagnostic::new(
        Rule::IoConstructor,
        "`HashMethod(...)` is `flyte.io.HashFunction.from_fn(...)` in Flyte 2",
        call.range(),
    );
    let annotated = match (checker.parent_expr(), checker.ancestor_expr(1)) {
        (Some(Expr::Tuple(tuple)), Some(Expr::Subscript(sub)))
            if sub.slice.range() == tuple.range
                && tuple.elts.iter().skip(1).any(|e| e.range() == call.range()) =>
        {
            checker
                .resolves_to(
                    &sub.value,
                    &["typing.Annotated", "typing_extensions.Annotated"],
                )
                .then(|| tuple.elts.first())
                .flatten()
        }
        _ => None,
    };
    let Some(base) = annotated else {
        checker.report(diagnostic.with_help(
            "Use `flyte.io.HashFunction.from_fn(fn)` in `Annotated[<frame type>, ...]` by hand: \
             this one is not the metadata of an `Annotated[...]` type",
        ));
        return;
    };
    if !checker.resolves_to(base, HASHED_FRAMES) {
        checker.report(diagnostic.with_help(format!(
            "Flyte 2 reads a hash function from the annotation of a frame output only: drop it \
             from `{}` (the cache keys then use the value itself), or make the value a frame",
            checker.text(base.range())
        )));
        return;
    }
    let ([function], []) = (
        call.arguments.args.as_ref(),
        call.arguments.keywords.as_ref(),
    ) else {
        checker.report(diagnostic.with_help(
            "Use `flyte.io.HashFunction.from_fn(fn)` by hand: `HashMethod` takes one function",
        ));
        return;
    };
    let Some((mut edits, name)) = checker.import_from("flyte.io", "HashFunction") else {
        checker.report(diagnostic.with_help(
            "Use `flyte.io.HashFunction.from_fn(fn)` (`HashFunction` names something else here)",
        ));
        return;
    };
    edits.push(Edit::replace(
        call.range(),
        format!("{name}.from_fn({})", checker.text(function.range())),
    ));
    checker.report(
        diagnostic
            .with_help(format!(
                "Replace with `{name}.from_fn(...)`: Flyte 2 calls the function on the returned \
                 frame and keeps its result as the output's hash"
            ))
            .with_fix(Fix::safe_edits(edits)),
    );
}

/// FM411: a task with a `FlyteSchema` or `StructuredDataset` output that returns a frame.
/// flytekit wrapped a returned pandas (or arrow) frame itself; Flyte 2 rejects it ("Expected a
/// DataFrame instance"): the frame is wrapped with `DataFrame.wrap_df(...)`. Unsafe: it assumes
/// the value is a frame, not already a dataset.
pub fn returned(checker: &mut Checker, ret: &ruff_python_ast::StmtReturn) {
    if !checker.enabled(Rule::IoConstructor) || checker.in_lambda_or_generator() {
        return;
    }
    let Some(function) = checker.function() else {
        return;
    };
    // A flytekit `@task` gets the fixes. An `@env.task` (one already migrated, or a workflow
    // made a task, whose returns are task results) keeps only the report that has no fix, so
    // it is not lost once the decorator is rewritten.
    let flytekit_task = function.kind == Some(crate::checker::FlyteKind::Task);
    if !flytekit_task && (function.kind.is_some() || checker.task_function().is_none()) {
        return;
    }
    let def = function.def;
    let Some(returns) = &def.returns else {
        return;
    };
    let Some(value) = ret.value.as_deref() else {
        return;
    };
    let is_dataset = |annotation: &Expr| {
        let output = match underlying_type(checker, annotation) {
            Expr::Subscript(sub) => &*sub.value,
            other => other,
        };
        matches!(io_kind(checker, output), Some((Kind::DataFrame, _)))
            || checker.resolves_to(output, &["flyte.io.DataFrame"])
    };
    if is_dataset(returns) {
        if flytekit_task {
            wrap_returned(checker, value);
        }
        return;
    }
    // `-> Tuple[FlyteSchema, ...]` with `return a, b`: each dataset member.
    let Expr::Subscript(sub) = underlying_type(checker, returns) else {
        return;
    };
    if !checker.resolves_to(&sub.value, &["typing.Tuple", "builtins.tuple"])
        && !matches!(&*sub.value, Expr::Name(n) if n.id.as_str() == "tuple")
    {
        return;
    }
    let Expr::Tuple(members) = &*sub.slice else {
        return;
    };
    let datasets: Vec<bool> = members.elts.iter().map(is_dataset).collect();
    if !datasets.contains(&true) {
        return;
    }
    match value {
        Expr::Tuple(values) if values.elts.len() == datasets.len() => {
            if flytekit_task {
                for (value, dataset) in values.elts.iter().zip(datasets) {
                    if dataset {
                        wrap_returned(checker, value);
                    }
                }
            }
        }
        // The outputs of a task called here are datasets already.
        _ if returns_task_result(checker, value) => {}
        // `tuple(DataFrame.wrap_df(frame) for frame in ...)`: wrapped already.
        Expr::Call(call)
            if matches!(&*call.func, Expr::Name(f) if f.id.as_str() == "tuple"
                && checker.semantic.binding_of(f.range.start()).is_none())
                && matches!(call.arguments.args.first(), Some(Expr::Generator(g))
                    if matches!(&*g.elt, Expr::Call(inner) if builds_dataset(checker, inner))) => {}
        // Every output a dataset, returned as one sequence (`return train_test_split(x, y)`):
        // each of its frames is wrapped.
        _ if flytekit_task
            && datasets.iter().all(|d| *d)
            && matches!(value, Expr::Call(_) | Expr::Name(_) | Expr::Attribute(_))
            && let Some((mut edits, name)) = checker.import_from("flyte.io", "DataFrame") =>
        {
            let replacement = format!(
                "tuple({name}.wrap_df(frame) for frame in {})",
                checker.text(value.range())
            );
            edits.push(Edit::replace(value.range(), replacement.clone()));
            checker.report(
                Diagnostic::new(
                    Rule::IoConstructor,
                    "Returned frames are not `flyte.io.DataFrame`s in Flyte 2",
                    value.range(),
                )
                .with_help(format!(
                    "flytekit wrapped returned frames itself, Flyte 2 rejects them: return \
                     `{replacement}` (assumes each value is a frame, not already a dataset)"
                ))
                .with_fix(Fix::new(edits, Applicability::Unsafe)),
            );
        }
        _ => checker.report(
            Diagnostic::new(
                Rule::IoConstructor,
                "Returned frames are not `flyte.io.DataFrame`s in Flyte 2",
                value.range(),
            )
            .with_help(
                "flytekit wrapped returned frames itself, Flyte 2 rejects them: return each \
                 dataset output as `DataFrame.wrap_df(frame)`",
            ),
        ),
    }
}

/// Whether a value is the result of calling a task of this module (`t(...)`, or a name bound
/// to one).
fn returns_task_result(checker: &Checker, value: &Expr) -> bool {
    let call = match value {
        Expr::Call(call) => call,
        Expr::Name(name) => match checker.semantic.binding_of(name.range.start()) {
            Some(binding) => match &binding.kind {
                BindingKind::Assignment {
                    value: Expr::Call(call),
                    ..
                } => call,
                _ => return false,
            },
            None => return false,
        },
        _ => return false,
    };
    matches!(&*call.func, Expr::Name(f) if checker
        .module_function(f)
        .is_some_and(|def| checker.is_task_function(def)))
}

/// A value returned for a dataset output: wrapped when it is not a dataset already.
fn wrap_returned(checker: &mut Checker, value: &Expr) {
    match value {
        Expr::NoneLiteral(_) => return,
        // `StructuredDataset(...)`, `FlyteSchema(...)`: FM411's; `DataFrame.wrap_df(...)` is done.
        Expr::Call(call) if builds_dataset(checker, call) => return,
        Expr::Name(name) => {
            // A dataset input passed on is already one.
            if parameter_kind(checker, name).is_some() {
                return;
            }
            if let Some(binding) = checker.semantic.binding_of(name.range.start())
                && let BindingKind::Assignment {
                    value: Expr::Call(call),
                    ..
                } = &binding.kind
                && builds_dataset(checker, call)
            {
                if is_schema(checker, &call.func) && call.arguments.is_empty() {
                    // `out = FlyteSchema(); out.open().write(df); return out`
                    checker.report(
                        Diagnostic::new(
                            Rule::IoConstructor,
                            format!(
                                "`{}` is a Flyte 1 schema written in the task; Flyte 2 has no \
                                 schema writers",
                                name.id
                            ),
                            value.range(),
                        )
                        .with_help("Return the frame that was written, as `DataFrame.wrap_df(df)`"),
                    );
                }
                return;
            }
        }
        _ => {}
    }
    let text = checker.text(value.range()).to_string();
    let diagnostic = Diagnostic::new(
        Rule::IoConstructor,
        "A returned frame is not a `flyte.io.DataFrame` in Flyte 2",
        value.range(),
    );
    let Some((mut edits, name)) = checker.import_from("flyte.io", "DataFrame") else {
        checker.report(diagnostic.with_help(format!(
            "flytekit wrapped the frame itself, Flyte 2 does not: return \
             `flyte.io.DataFrame.wrap_df({text})`"
        )));
        return;
    };
    let replacement = format!("{name}.wrap_df({text})");
    edits.push(Edit::replace(value.range(), replacement.clone()));
    checker.report(
        diagnostic
            .with_help(format!(
                "flytekit wrapped the frame itself, Flyte 2 rejects it: return `{replacement}` \
                 (assumes the value is a frame, not already a dataset)"
            ))
            .with_fix(Fix::new(edits, Applicability::Unsafe)),
    );
}

/// Whether a call builds a dataset: a flytekit I/O constructor or class method, or a
/// `flyte.io.DataFrame` one (`DataFrame.wrap_df(df)`).
fn builds_dataset(checker: &Checker, call: &ExprCall) -> bool {
    let callee = match &*call.func {
        Expr::Attribute(a) => &*a.value,
        Expr::Subscript(s) => &*s.value,
        other => other,
    };
    io_kind(checker, callee).is_some()
        || io_kind(checker, &call.func).is_some()
        || checker.resolves_to(callee, &["flyte.io.DataFrame"])
}

/// The Flyte 2 expression that builds the value, its fix safety and the help line.
fn constructor(
    checker: &Checker,
    call: &ExprCall,
    kind: Kind,
) -> Result<(String, Applicability, String), String> {
    let text = |e: &Expr| checker.text(e.range()).to_string();
    let mut fields: Vec<(&str, &Expr)> = Vec::new();
    let positional: &[&str] = match kind {
        Kind::File | Kind::Dir => &["path"],
        Kind::DataFrame => &["dataframe", "uri"],
    };
    for (i, arg) in call.arguments.args.iter().enumerate() {
        let name = positional
            .get(i)
            .ok_or("Rewrite by hand: unexpected positional arguments")?;
        fields.push((name, arg));
    }
    for kw in &call.arguments.keywords {
        let name = keyword_name(kw).ok_or("Rewrite by hand: `**` arguments")?;
        fields.push((name, &kw.value));
    }
    let field = |n: &str| fields.iter().find(|(f, _)| *f == n).map(|(_, v)| *v);
    let unknown = fields.iter().find(|(f, _)| {
        !matches!(
            (kind, *f),
            (Kind::File | Kind::Dir, "path" | "remote_path")
                | (Kind::DataFrame, "dataframe" | "uri" | "file_format")
        )
    });
    if let Some((name, _)) = unknown {
        return Err(format!(
            "Rewrite by hand: `{name}=` has no Flyte 2 equivalent"
        ));
    }
    // A remote file is only named: that needs no run context.
    if let (Kind::File | Kind::Dir, Some(path)) = (kind, field("path"))
        && is_uri(super::module_constant(checker, path))
    {
        if field("remote_path").is_some() {
            return Err("Rewrite by hand: a remote path with a `remote_path`".to_string());
        }
        let replacement = format!("{}.from_existing_remote({})", kind.name(), text(path));
        let help = format!("Replace with `{replacement}`");
        return Ok((replacement, Applicability::Safe, help));
    }
    // In a task, or in a helper that only tasks call (it then runs in their run context, and
    // waits for their moves).
    let (is_async, waits_for) = match checker.task_function() {
        Some(task) => (task.def.is_async, None),
        None => match checker
            .function()
            .and_then(|f| helper_of_tasks(checker, f.def).map(|a| (f.def.is_async, a)))
        {
            Some((is_async, callers)) => (is_async, Some(callers)),
            None => {
                return Err(format!(
                    "Build it inside a task: `{}.from_local_sync(...)` needs a run context",
                    kind.name()
                ));
            }
        },
    };

    if is_async && checker.in_lambda_or_generator() {
        return Err(format!(
            "Rewrite by hand: in a lambda or generator expression `await {}.from_local(...)` is \
             not possible",
            kind.name()
        ));
    }
    let built = match kind {
        Kind::File | Kind::Dir => {
            let path = field("path").ok_or("Rewrite by hand: no `path`")?;
            if let Some(remote_path) = field("remote_path")
                && !is_str(checker, remote_path)
            {
                return Err(format!(
                    "Rewrite by hand: `remote_path={}` is not a path (`False` never uploaded in \
                     Flyte 1)",
                    text(remote_path)
                ));
            }
            let mut args = vec![text(path)];
            if let Some(remote_path) = field("remote_path") {
                args.push(format!("remote_destination={}", text(remote_path)));
            }
            let replacement = if is_async {
                await_expr(
                    checker,
                    format!("{}.from_local({})", kind.name(), args.join(", ")),
                )
            } else {
                format!("{}.from_local_sync({})", kind.name(), args.join(", "))
            };
            let help = format!(
                "Replace with `{replacement}` (it uploads now, where Flyte 1 uploaded when the \
                 task returned)"
            );
            Ok((replacement, Applicability::Unsafe, help))
        }
        Kind::DataFrame => {
            if let Some(df) = field("dataframe") {
                if let Some(uri) = field("uri") {
                    frame_destination(checker, uri, field("file_format"))?;
                    let replacement = format!("DataFrame.wrap_df({}, uri={})", text(df), text(uri));
                    let help = format!(
                        "Replace with `{replacement}`: Flyte 2 writes the frame there when the \
                         task returns, as parquet under the same `00000` name"
                    );
                    return Ok((replacement, Applicability::Safe, help));
                }
                let replacement = format!("DataFrame.wrap_df({})", text(df));
                let help = format!("Replace with `{replacement}`");
                Ok((replacement, Applicability::Safe, help))
            } else if let Some(uri) = field("uri") {
                let mut args = vec![text(uri)];
                if let Some(format) = field("file_format") {
                    args.push(format!("format={}", text(format)));
                }
                let replacement = format!("DataFrame.from_existing_remote({})", args.join(", "));
                let help = format!("Replace with `{replacement}`");
                Ok((replacement, Applicability::Safe, help))
            } else {
                Err("Rewrite by hand: no `dataframe` or `uri`".to_string())
            }
        }
    };
    // A helper's fix waits for the moves of the tasks that call it.
    built.map(|(text, applicability, help)| {
        (
            text,
            waits_for.map_or(applicability, |w| applicability.min(w)),
            help,
        )
    })
}

/// Blob stores (and local paths) where both SDKs' frame encoders write a frame given with a
/// `uri`, as `<uri>/00000` in parquet.
const FRAME_STORES: &[&str] = &["s3", "gs", "gcs", "abfs", "abfss", "az", "file"];

/// Whether a frame built with `uri` is written where Flyte 2 writes it, and why not: the
/// scheme of a literal (or module constant) URI picks the encoder.
fn frame_destination(checker: &Checker, uri: &Expr, format: Option<&Expr>) -> Result<(), String> {
    if let Some(format) = format
        && super::string_literal(super::module_constant(checker, format)) != Some("parquet")
    {
        return Err(
            "Rewrite by hand: a frame written in another format than parquet to a `uri`"
                .to_string(),
        );
    }
    let Some(leading) = leading_literal(super::module_constant(checker, uri)) else {
        return Err(
            "Rewrite by hand: the `uri` is not a literal, so which store it names is not known \
             (`DataFrame.wrap_df(df, uri=...)` writes to a blob store)"
                .to_string(),
        );
    };
    let scheme = leading.split_once("://").map(|(scheme, _)| scheme);
    match scheme {
        None => Ok(()),
        Some(scheme) if FRAME_STORES.contains(&scheme) => Ok(()),
        Some("bq") => Err(
            "Rewrite by hand: Flyte 2's BigQuery plugin only reads tables (`bq://`), it writes \
             none: load the frame with the BigQuery client in the task"
                .to_string(),
        ),
        Some("snowflake") => Err(
            "Rewrite by hand: `flyteplugins.snowflake`, once imported, writes a frame to a \
             `snowflake://` URI with `DataFrame.wrap_df(df, uri=...)`, but it reads the private \
             key from `SNOWFLAKE_PRIVATE_KEY`, not from Flyte 1's secret: declare the secret with \
             `as_env_var=\"SNOWFLAKE_PRIVATE_KEY\"` first"
                .to_string(),
        ),
        Some(other) => Err(format!(
            "Rewrite by hand: no Flyte 2 frame encoder is known for `{other}://`"
        )),
    }
}

/// Whether a path is a literal URI (`"s3://..."`, `f"gs://bucket/{name}"`).
fn is_uri(path: &Expr) -> bool {
    let has_scheme = |s: &str| {
        s.split_once("://").is_some_and(|(scheme, _)| {
            !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric())
        })
    };
    leading_literal(path).is_some_and(has_scheme)
}

/// The text a string literal holds, or the literal text an f-string starts with
/// (`"s3://bucket/"` of `f"s3://bucket/{name}"`).
fn leading_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str()),
        Expr::FString(f) => f.value.iter().next().and_then(|part| match part {
            ruff_python_ast::FStringPart::Literal(l) => Some(&*l.value),
            ruff_python_ast::FStringPart::FString(f) => {
                f.elements.iter().next().and_then(|e| match e {
                    ruff_python_ast::InterpolatedStringElement::Literal(l) => Some(&*l.value),
                    _ => None,
                })
            }
        }),
        _ => None,
    }
}

/// Whether `expr` is known to be a string: a literal, an f-string, a module constant bound once
/// to one, or a parameter annotated `str` that its function never rebinds. (A `remote_path` that
/// is a string is a destination in both SDKs, the empty string a random one in both; only `False`
/// meant "do not upload".)
fn is_str(checker: &Checker, expr: &Expr) -> bool {
    let expr = super::module_constant(checker, expr);
    if expr.is_string_literal_expr() || expr.is_f_string_expr() {
        return true;
    }
    let Expr::Name(name) = expr else {
        return false;
    };
    let Some(binding) = checker.semantic.binding_of(name.range.start()) else {
        return false;
    };
    let BindingKind::Parameter {
        annotation: Some(Expr::Name(annotation)),
    } = &binding.kind
    else {
        return false;
    };
    annotation.id == "str"
        && checker
            .semantic
            .binding_of(annotation.range.start())
            .is_none()
        && checker
            .semantic
            .bindings_in(binding.scope, binding.name)
            .count()
            == 1
}

/// `await <expr>`, parenthesized where the context binds tighter than `await`.
fn await_expr(checker: &Checker, expr: String) -> String {
    match checker.parent_expr() {
        Some(Expr::Attribute(_) | Expr::Subscript(_) | Expr::Call(_) | Expr::Await(_)) => {
            format!("(await {expr})")
        }
        _ => format!("await {expr}"),
    }
}

/// The I/O kind of a parameter, when `name` reads a parameter annotated with an I/O type
/// (flytekit's or already Flyte 2's).
fn parameter_kind(checker: &Checker, name: &ExprName) -> Option<Kind> {
    let binding = checker.semantic.binding_of(name.range.start())?;
    let BindingKind::Parameter {
        annotation: Some(annotation),
    } = &binding.kind
    else {
        return None;
    };
    annotation_kind(checker, annotation)
}

/// The I/O kind of what an expression reads, and its text: a parameter annotated with an I/O
/// type (`f`), or a field of a parameter whose class, defined in this module, annotates the
/// field with one (`config.notes` with `notes: FlyteFile` in a dataclass).
fn subject_kind<'a>(checker: &Checker<'a>, expr: &'a Expr) -> Option<(Kind, &'a str)> {
    match expr {
        Expr::Name(name) => parameter_kind(checker, name).map(|k| (k, name.id.as_str())),
        Expr::Attribute(attr) => {
            let Expr::Name(name) = &*attr.value else {
                return None;
            };
            let binding = checker.semantic.binding_of(name.range.start())?;
            let BindingKind::Parameter {
                annotation: Some(annotation),
            } = &binding.kind
            else {
                return None;
            };
            let Expr::Name(class_name) = underlying_type(checker, annotation) else {
                return None;
            };
            let class = checker.semantic.binding_of(class_name.range.start())?;
            if class.scope != 0 {
                return None;
            }
            let def = checker.module.iter().find_map(|stmt| match stmt {
                Stmt::ClassDef(def) if def.name.range == class.range => Some(def),
                _ => None,
            })?;
            let field = def.body.iter().find_map(|stmt| match stmt {
                Stmt::AnnAssign(assign)
                    if matches!(&*assign.target, Expr::Name(t) if t.id == attr.attr.id) =>
                {
                    Some(&assign.annotation)
                }
                _ => None,
            })?;
            annotation_kind(checker, field).map(|k| (k, checker.text(expr.range())))
        }
        _ => None,
    }
}

/// The I/O kind an annotation names (flytekit's or already Flyte 2's).
fn annotation_kind(checker: &Checker, annotation: &Expr) -> Option<Kind> {
    let annotation: &Expr = match underlying_type(checker, annotation) {
        Expr::Subscript(sub) => &sub.value,
        other => other,
    };
    if let Some((kind, _)) = io_kind(checker, annotation) {
        return Some(kind);
    }
    match &*checker.resolve(annotation)? {
        "flyte.io.File" => Some(Kind::File),
        "flyte.io.Dir" => Some(Kind::Dir),
        "flyte.io.DataFrame" => Some(Kind::DataFrame),
        _ => None,
    }
}

/// FM411: task inputs whose file or directory default is a string (`f: FlyteFile = "s3://..."`).
pub fn parameter_defaults(checker: &mut Checker, def: &StmtFunctionDef) {
    for p in def.parameters.iter() {
        if let (Some(annotation), Some(default)) = (p.annotation(), p.default()) {
            string_default(checker, annotation, default, false);
        }
    }
}

/// FM411: class fields whose file or directory default is a string.
pub fn field_defaults(checker: &mut Checker, class: &StmtClassDef) {
    let dataclass = class.decorator_list.iter().any(|d| {
        let callee = super::decorator_callee(&d.expression);
        checker.resolves_to(callee, &["dataclasses.dataclass"])
    });
    for stmt in &class.body {
        if let Stmt::AnnAssign(assign) = stmt
            && let Some(value) = &assign.value
        {
            string_default(checker, &assign.annotation, value, dataclass);
        }
    }
}

/// A default that is a string where a file or directory is expected: flytekit turned it into
/// one, Flyte 2 fails to serialize it (`'str' object has no attribute '_serialize'`).
fn string_default(checker: &mut Checker, annotation: &Expr, default: &Expr, dataclass: bool) {
    if !checker.enabled(Rule::IoConstructor) {
        return;
    }
    let Some(kind @ (Kind::File | Kind::Dir)) = annotation_kind(checker, annotation) else {
        return;
    };
    let value = super::module_constant(checker, default);
    if !value.is_string_literal_expr() && !value.is_f_string_expr() {
        return;
    }
    let text = checker.text(default.range());
    let remote = is_uri(value);
    let class = kind.name();
    let what = if kind == Kind::Dir {
        "directory"
    } else {
        "file"
    };
    let build = if remote {
        format!("{class}.from_existing_remote({text})")
    } else {
        format!("{class}(path={text})")
    };
    let mut diagnostic = Diagnostic::new(
        Rule::IoConstructor,
        format!("A string default is not a `flyte.io.{class}` in Flyte 2"),
        default.range(),
    );
    let Some((mut edits, name)) = checker.import_from("flyte.io", class) else {
        checker.report(diagnostic.with_help(format!(
            "Flyte 1 turned the string into a {what}, Flyte 2 does not: use `{build}`"
        )));
        return;
    };
    let build = build.replacen(class, &name, 1);
    let replacement = if dataclass {
        let Some((field_edits, field)) = checker.import_from("dataclasses", "field") else {
            checker.report(diagnostic.with_help(format!(
                "Flyte 1 turned the string into a {what}, Flyte 2 does not: use \
                 `field(default_factory=lambda: {build})` (a `{class}` is mutable, not a \
                 dataclass default)"
            )));
            return;
        };
        edits.extend(field_edits);
        format!("{field}(default_factory=lambda: {build})")
    } else {
        build
    };
    let (applicability, note) = if remote {
        (Applicability::Safe, String::new())
    } else {
        (
            Applicability::Unsafe,
            " (a local path is not uploaded: on a cluster it must exist where the task runs, \
             where Flyte 1 uploaded it)"
                .to_string(),
        )
    };
    diagnostic = diagnostic.with_help(format!(
        "Flyte 1 turned the string into a {what}, Flyte 2 does not: replace with `{replacement}`{note}"
    ));
    edits.push(Edit::replace(default.range(), replacement));
    checker.report(diagnostic.with_fix(Fix::new(edits, applicability)));
}

/// The type an annotation stands for, seen through `Annotated[T, ...]`, `Optional[T]`,
/// `Union[T, None]` and `T | None`: a method call on the parameter is a call on `T`.
fn underlying_type<'a>(checker: &Checker<'a>, annotation: &'a Expr) -> &'a Expr {
    let mut current = annotation;
    for _ in 0..8 {
        let next = match current {
            Expr::Subscript(sub) => {
                let elements: &[Expr] = match &*sub.slice {
                    Expr::Tuple(tuple) => &tuple.elts,
                    single => std::slice::from_ref(single),
                };
                match checker.resolve(&sub.value).as_deref() {
                    Some("typing.Annotated" | "typing_extensions.Annotated") => elements.first(),
                    Some("typing.Optional" | "typing_extensions.Optional") => elements.first(),
                    Some("typing.Union" | "typing_extensions.Union") => only_not_none(elements),
                    _ => None,
                }
            }
            // A module-level type alias (`Scores = FlyteSchema[kwtypes(...)]`).
            Expr::Name(name) => checker
                .semantic
                .binding_of(name.range.start())
                .filter(|b| b.scope == 0)
                .and_then(|b| match &b.kind {
                    BindingKind::Assignment { value, .. }
                        if matches!(value, Expr::Subscript(_) | Expr::Attribute(_)) =>
                    {
                        Some(*value)
                    }
                    _ => None,
                }),
            Expr::BinOp(op) if op.op == ruff_python_ast::Operator::BitOr => {
                match (
                    op.left.is_none_literal_expr(),
                    op.right.is_none_literal_expr(),
                ) {
                    (false, true) => Some(&*op.left),
                    (true, false) => Some(&*op.right),
                    _ => None,
                }
            }
            _ => None,
        };
        match next {
            Some(next) => current = next,
            None => break,
        }
    }
    current
}

/// The one member of a union that is not `None`.
fn only_not_none(members: &[Expr]) -> Option<&Expr> {
    let mut rest = members.iter().filter(|m| !m.is_none_literal_expr());
    let first = rest.next()?;
    rest.next().is_none().then_some(first)
}

/// Members of flytekit's I/O classes that Flyte 2's do not have (flytekit 1.16.31 and flyte
/// 2.12.1), with what to use instead (`{x}` is the value's name).
const V1_ONLY: &[(Kind, &str, &str)] = &[
    (
        Kind::Dir,
        "crawl",
        "Walk it with `{x}.walk_sync()` (`async for f in {x}.walk()` in an async task): it yields \
         `File`s, where `crawl()` yielded `(base, relative path)` pairs",
    ),
    (
        Kind::Dir,
        "listdir",
        "List it with `{x}.list_files_sync()` (`await {x}.list_files()`): `File`s of its top level",
    ),
    (
        Kind::Dir,
        "new_file",
        "Flyte 2 directories have no writers: write the files into a local directory and upload \
         it with `Dir.from_local_sync(path)`",
    ),
    (
        Kind::Dir,
        "new_dir",
        "Flyte 2 directories have no writers: write the files into a local directory and upload \
         it with `Dir.from_local_sync(path)`",
    ),
    (
        Kind::Dir,
        "remote_directory",
        "`{x}.path` is where the directory is stored in Flyte 2",
    ),
    (Kind::Dir, "sep", "Join the parts of a stored path with `/`"),
    (
        Kind::File,
        "remote_path",
        "`{x}.path` is where the file is stored in Flyte 2; a destination is given when it is \
         made (`File.from_local_sync(path, remote_destination=...)`)",
    ),
    (
        Kind::File,
        "remote_source",
        "`{x}.path` is where the file is stored in Flyte 2",
    ),
    (
        Kind::Dir,
        "remote_source",
        "`{x}.path` is where the directory is stored in Flyte 2",
    ),
    (
        Kind::File,
        "downloaded",
        "Flyte 2 files keep no download state: `{x}.download_sync()` returns the local path",
    ),
    (
        Kind::Dir,
        "downloaded",
        "Flyte 2 directories keep no download state: `{x}.download_sync()` returns the local \
         path",
    ),
    (
        Kind::File,
        "extension",
        "Flyte 2 files have no format extension: read it from `{x}.name`",
    ),
    (
        Kind::DataFrame,
        "dataframe",
        "Read the frame with `{x}.open(pd.DataFrame).all_sync()` (`await ....all()` in an async task)",
    ),
    (
        Kind::DataFrame,
        "file_format",
        "`{x}.format` is the stored format in Flyte 2",
    ),
];

/// FM412: methods of an I/O parameter that are async in Flyte 2, and reading a file parameter
/// as a path.
pub fn method(checker: &mut Checker, expr: &Expr, attr: &ExprAttribute) {
    if !checker.enabled(Rule::IoMethod) {
        return;
    }
    let Some(function) = checker.function() else {
        return;
    };
    let is_async = function.def.is_async;
    // The member's name first: most attributes are no Flyte 1 member, and what the value is
    // costs binding lookups.
    let member = attr.attr.id.as_str();
    if let Expr::Name(_) | Expr::Attribute(_) = &*attr.value
        && V1_ONLY.iter().any(|(_, m, _)| *m == member)
        && let Some((kind, name)) = subject_kind(checker, &attr.value)
        && let Some((_, _, advice)) = V1_ONLY.iter().find(|(k, m, _)| *k == kind && *m == member)
    {
        checker.report(
            Diagnostic::new(
                Rule::IoMethod,
                format!(
                    "`flyte.io.{}` has no `{}`: `{name}.{}` is Flyte 1's",
                    kind.name(),
                    attr.attr.id,
                    attr.attr.id
                ),
                attr.range,
            )
            .with_help(advice.replace("{x}", name)),
        );
        return;
    }
    // `x.download()`, `x.open(...)`, `df.open(T).all()`.
    let Some(Expr::Call(call)) = checker.parent_expr() else {
        return;
    };
    if call.func.range() != expr.range() {
        return;
    }
    let method = attr.attr.id.as_str();
    let subject = match &*attr.value {
        // `df.open(pd.DataFrame).all()`
        Expr::Call(open) => match &*open.func {
            Expr::Attribute(inner) if inner.attr.id.as_str() == "open" => {
                subject_kind(checker, &inner.value).filter(|(k, _)| *k == Kind::DataFrame)
            }
            _ => None,
        },
        other => subject_kind(checker, other),
    };
    let Some((kind, name)) = subject else {
        return;
    };
    if (kind, method) == (Kind::DataFrame, "iter") && matches!(&*attr.value, Expr::Call(_)) {
        // An async generator in Flyte 2, with no sync form.
        checker.report(
            Diagnostic::new(
                Rule::IoMethod,
                format!(
                    "`{}` is an async iterator on `flyte.io.DataFrame` in Flyte 2",
                    checker.text(call.range())
                ),
                call.range(),
            )
            .with_help(format!(
                "Iterate with `async for` in an `async` task, or read the whole frame with \
                 `{name}.open(...).all_sync()`"
            )),
        );
        return;
    }
    if (kind, method) == (Kind::DataFrame, "open")
        && call.arguments.is_empty()
        && matches!(&*attr.value, Expr::Name(_) | Expr::Attribute(_))
    {
        schema_open(checker, call, name);
        return;
    }
    let sync_twin = match (kind, method, &*attr.value) {
        (Kind::File | Kind::Dir, "download", Expr::Name(_) | Expr::Attribute(_)) => "download_sync",
        (Kind::File, "open", Expr::Name(_) | Expr::Attribute(_)) => "open_sync",
        (Kind::DataFrame, "all", Expr::Call(_)) => "all_sync",
        _ => return,
    };
    let call_range = call.range();
    if is_async && (checker.in_lambda_or_generator() || method == "open") {
        // `await` is not possible there; `f.open()` needs `async with`, a statement change.
        checker.report(
            Diagnostic::new(
                Rule::IoMethod,
                format!(
                    "`{}` is async on `flyte.io.{}` in Flyte 2",
                    checker.text(call_range),
                    kind.name()
                ),
                call_range,
            )
            .with_help(format!(
                "Await it by hand (`async with {name}.open(...)` for streams), or use the sync \
                 form `{sync_twin}`"
            )),
        );
        return;
    }
    let (site, replacement) = if is_async {
        if matches!(checker.ancestor_expr(1), Some(Expr::Await(_))) {
            return;
        }
        (call_range, await_in(checker, call_range))
    } else {
        (attr.attr.range, sync_twin.to_string())
    };
    let mut diagnostic = Diagnostic::new(
        Rule::IoMethod,
        format!(
            "`{}` is async on `flyte.io.{}` in Flyte 2",
            checker.text(call_range),
            kind.name()
        ),
        call_range,
    );
    diagnostic = diagnostic.with_help(if is_async {
        format!("Await it: `{replacement}`")
    } else {
        format!("Call `{name}...{sync_twin}(...)`, the sync form")
    });
    let applicability = if method == "open" {
        // A stream of `fsspec` in Flyte 1, of Flyte 2's own reader now.
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    checker.report(diagnostic.with_fix(Fix::new(
        vec![Edit::replace(site, replacement)],
        applicability,
    )));
}

/// FM412: `schema.open()` read pandas frames by default; `DataFrame.open` takes the type.
fn schema_open(checker: &mut Checker, call: &ExprCall, name: &str) {
    let diagnostic = Diagnostic::new(
        Rule::IoMethod,
        format!(
            "`{}` needs the frame type on `flyte.io.DataFrame` in Flyte 2",
            checker.text(call.range())
        ),
        call.range(),
    );
    // `import pandas as pd` at the top of the module: use its name.
    let alias = checker.module.iter().find_map(|stmt| match stmt {
        Stmt::Import(import) => import
            .names
            .iter()
            .find(|a| a.name.id.as_str() == "pandas")
            .map(|a| a.asname.as_ref().unwrap_or(&a.name).id.to_string()),
        _ => None,
    });
    let (mut edits, pandas) = match alias {
        Some(alias) => (Vec::new(), alias),
        None => match checker.import_module("pandas") {
            Some(edits) => (edits, "pandas".to_string()),
            None => {
                checker.report(diagnostic.with_help(format!(
                    "Pass the frame type: `{name}.open(pandas.DataFrame)` (flytekit read pandas \
                     by default)"
                )));
                return;
            }
        },
    };
    let close = call.arguments.end() - ruff_text_size::TextSize::from(1);
    edits.push(Edit::insert(close, format!("{pandas}.DataFrame")));
    checker.report(
        diagnostic
            .with_help(format!(
                "Pass the frame type: `{name}.open({pandas}.DataFrame)` (flytekit read pandas by \
                 default)"
            ))
            .with_fix(Fix::new(edits, Applicability::Safe)),
    );
}

fn await_in(checker: &Checker, range: TextRange) -> String {
    let text = checker.text(range);
    match checker.ancestor_expr(1) {
        Some(Expr::Attribute(_) | Expr::Subscript(_) | Expr::Call(_)) => format!("(await {text})"),
        _ => format!("await {text}"),
    }
}

/// FM412: `open(f)` / `os.fspath(f)` on a file parameter: Flyte 2 files are not paths.
pub fn path_use(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::IoMethod) {
        return;
    }
    let is_open = matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "open"
        && checker.semantic.binding_of(n.range.start()).is_none());
    if !is_open && !checker.resolves_to(&call.func, &["os.fspath"]) {
        return;
    }
    let Some(subject) = call.arguments.args.first() else {
        return;
    };
    let Some((kind @ (Kind::File | Kind::Dir), name)) = subject_kind(checker, subject) else {
        return;
    };
    let Some(function) = checker.function() else {
        return;
    };
    let no_fix = function.def.is_async && checker.in_lambda_or_generator();
    let download = if function.def.is_async {
        format!("(await {name}.download())")
    } else {
        format!("{name}.download_sync()")
    };
    let diagnostic = Diagnostic::new(
            Rule::IoMethod,
            format!(
                "`{name}` is not a path in Flyte 2: `flyte.io.{}` is not `os.PathLike`",
                kind.name()
            ),
            subject.range(),
        )
    .with_help(format!(
        "Download it and use the local path: `{download}` (Flyte 1 downloaded it when it was opened)"
    ));
    if no_fix {
        checker.report(diagnostic);
    } else {
        checker.report(diagnostic.with_fix(Fix::unsafe_edits(vec![Edit::replace(
            subject.range(),
            download,
        )])));
    }
}

/// For a module-level function that is not a task, when every read of its name in the module
/// is inside a task (it runs in their run context): the least applicability of those tasks'
/// moves (a Flyte 2 task's is safe; a task that cannot move makes it display-only). `None`
/// when it is read elsewhere, or not at all.
fn helper_of_tasks(
    checker: &Checker,
    def: &ruff_python_ast::StmtFunctionDef,
) -> Option<Applicability> {
    if !checker.module.iter().any(|s| s.range() == def.range) {
        return None;
    }
    let mut least: Option<Applicability> = None;
    for (at, binding) in checker.semantic.resolutions() {
        if binding.range != def.name.range {
            continue;
        }
        let Some(ruff_python_ast::Stmt::FunctionDef(caller)) =
            checker.module_statement(ruff_text_size::TextRange::empty(at))
        else {
            return None;
        };
        // A read in a decorator, default or annotation runs at import, outside any task.
        let in_body = caller
            .body
            .first()
            .zip(caller.body.last())
            .is_some_and(|(first, last)| first.start() <= at && at < last.end());
        if !in_body {
            return None;
        }
        let applicability = match checker.plan.functions.get(&caller.range.start()) {
            Some(plan) => plan.applicability(),
            None if crate::env::environment_of(checker, caller).is_some() => Applicability::Safe,
            None => return None,
        };
        least = Some(least.map_or(applicability, |a| a.min(applicability)));
    }
    least
}
