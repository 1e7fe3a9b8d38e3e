//! FM501 `image-spec`: `flytekit.ImageSpec(...)` → a `flyte.Image.from_debian_base(...)` chain.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use super::{keyword_name, quote, string_literal};
use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// `flytekitplugins-*` packages and their Flyte 2 packages.
const PLUGIN_PACKAGES: &[(&str, &str)] = &[
    ("flytekitplugins-bigquery", "flyteplugins-bigquery"),
    ("flytekitplugins-dask", "flyteplugins-dask"),
    ("flytekitplugins-dbt", "flyteplugins-dbt"),
    ("flytekitplugins-huggingface", "flyteplugins-huggingface"),
    ("flytekitplugins-kfpytorch", "flyteplugins-pytorch"),
    ("flytekitplugins-mlflow", "flyteplugins-mlflow"),
    ("flytekitplugins-omegaconf", "flyteplugins-omegaconf"),
    ("flytekitplugins-pandera", "flyteplugins-pandera"),
    ("flytekitplugins-papermill", "flyteplugins-papermill"),
    ("flytekitplugins-polars", "flyteplugins-polars"),
    ("flytekitplugins-ray", "flyteplugins-ray"),
    ("flytekitplugins-slurm", "flyteplugins-slurm"),
    ("flytekitplugins-snowflake", "flyteplugins-snowflake"),
    ("flytekitplugins-spark", "flyteplugins-spark"),
    ("flytekitplugins-wandb", "flyteplugins-wandb"),
];

/// `ImageSpec` fields with no Flyte 2 equivalent, and what to do instead.
const MANUAL_FIELDS: &[(&str, &str)] = &[
    (
        "base_image",
        "start from `flyte.Image.from_base(uri).clone(name=..., extendable=True, python_version=(3, 11))`",
    ),
    (
        "conda_packages",
        "Flyte 2 images have no conda layer: use `with_pixi_project` or pip packages",
    ),
    ("conda_channels", "Flyte 2 images have no conda layer"),
    (
        "cuda",
        "start from a CUDA base image with `flyte.Image.from_base(...)`",
    ),
    (
        "cudnn",
        "start from a CUDA base image with `flyte.Image.from_base(...)`",
    ),
    (
        "source_root",
        "code ships in the run's code bundle; use `with_source_folder(Path(...))` if the image needs it",
    ),
    ("entrypoint", "Flyte 2 images have no entrypoint setting"),
    ("tag_format", "Flyte 2 images have no tag format"),
    ("source_copy_mode", "use `flyte deploy --copy-style`"),
    (
        "python_exec",
        "Flyte 2 images have no Python executable setting",
    ),
    ("runtime_packages", "install them with `with_pip_packages`"),
    (
        "builder_options",
        "image builders are configured globally in Flyte 2",
    ),
    (
        "builder_config",
        "image builders are configured globally in Flyte 2",
    ),
    (
        "pip_secret_mounts",
        "build secrets are Flyte secrets: `with_pip_packages(..., secret_mounts=[flyte.Secret(...)])`",
    ),
    (
        "registry_config",
        "use `registry_secret=` after `flyte create secret --type image_pull`",
    ),
];

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::ImageSpec)
        || !checker.resolves_to(&call.func, &["flytekit.ImageSpec"])
    {
        return;
    }
    let diagnostic = Diagnostic::new(
        Rule::ImageSpec,
        "`flytekit.ImageSpec` is a `flyte.Image` chain in Flyte 2",
        call.range(),
    );
    let converted = convert(checker, call).and_then(|(replacement, mut notes, pathlib)| {
        if let Some(method) = method_without_equivalent(checker, call) {
            return Err(format!(
                "the image is used with `.{method}()`, which `flyte.Image` does not have: remove \
                 that use first (FM501 replaces an `if image.is_container():` around imports)"
            ));
        }
        if super::contains_comment(checker.text(call.range())) {
            notes.push("the comments inside the call are dropped: move them by hand".to_string());
        }
        Ok((replacement, notes, pathlib))
    });
    match converted {
        Ok((replacement, notes, pathlib)) => {
            let applicability = if notes.is_empty() {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            };
            let mut help = format!("Replace with `{replacement}`");
            if !notes.is_empty() {
                help.push_str(&format!(" ({})", notes.join("; ")));
            }
            let diagnostic = diagnostic.with_help(help);
            let pathlib = if pathlib {
                checker.import_module("pathlib")
            } else {
                Some(Vec::new())
            };
            match checker.import_module("flyte").zip(pathlib) {
                Some((import, pathlib)) => {
                    let mut edits = vec![Edit::replace(call.range(), replacement)];
                    edits.extend(import);
                    edits.extend(pathlib);
                    checker.report(diagnostic.with_fix(Fix::new(edits, applicability)));
                }
                None => checker.report(diagnostic),
            }
        }
        Err(why) => checker.report(diagnostic.with_help(format!(
            "Build the image with `flyte.Image.from_debian_base(python_version=(3, 11), ...)` and \
             its `with_*` layers by hand: {why}"
        ))),
    }
}

/// `ImageSpec` methods → their `flyte.Image` forms: (method, new method, how the argument is
/// passed). `None` has no equivalent.
const METHODS: &[(&str, Option<&str>, Arg)] = &[
    ("with_packages", Some("with_pip_packages"), Arg::Splat),
    ("with_apt_packages", Some("with_apt_packages"), Arg::Splat),
    ("with_commands", Some("with_commands"), Arg::List),
    ("with_copy", None, Arg::Splat),
    ("force_push", None, Arg::Splat),
    ("with_runtime_packages", None, Arg::Splat),
    ("is_container", None, Arg::Splat),
    ("exist", None, Arg::Splat),
];

#[derive(Clone, Copy)]
enum Arg {
    Splat,
    List,
}

/// FM501: `image.with_packages([...])` and other `ImageSpec` methods on an image variable.
pub fn method(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::ImageSpec) {
        return;
    }
    let Expr::Attribute(attr) = &*call.func else {
        return;
    };
    let Expr::Name(name) = &*attr.value else {
        return;
    };
    let Some(binding) = checker.semantic.binding_of(name.range.start()) else {
        return;
    };
    let crate::semantic::BindingKind::Assignment {
        value: Expr::Call(image),
        ..
    } = &binding.kind
    else {
        return;
    };
    if !checker.resolves_to(&image.func, &["flytekit.ImageSpec"]) && !is_flyte_image(checker, image)
    {
        return;
    }
    let method = attr.attr.id.as_str();
    let Some((_, new, arg)) = METHODS.iter().find(|(m, ..)| *m == method) else {
        return;
    };
    let diagnostic = Diagnostic::new(
        Rule::ImageSpec,
        format!("`ImageSpec.{method}` is not a `flyte.Image` method"),
        call.range(),
    );
    if method == "is_container"
        && let Some(edits) = import_guard(checker, call)
    {
        checker.report(
            diagnostic
                .with_help(
                    "Import the guarded modules in `try: ... except ImportError: pass`, as Flyte \
                     1's guard skipped them in a task container of another image (a module \
                     missing elsewhere no longer fails loading this one)",
                )
                .with_fix(Fix::unsafe_edits(edits)),
        );
        return;
    }
    let (Some(new), [value], []) = (new, &*call.arguments.args, &*call.arguments.keywords) else {
        checker.report(diagnostic.with_help(
            "Rewrite with `flyte.Image` layers (`with_pip_packages`, `with_apt_packages`, \
             `with_commands`, `with_source_file`) by hand; `flyte.Image` has no build or \
             container checks",
        ));
        return;
    };
    let argument = match arg {
        Arg::Splat => splat(checker, value),
        Arg::List => list(checker, value),
    };
    let replacement = format!("{}.{new}({argument})", name.id);
    // A method `flyte.Image` shares, already called the Flyte 2 way (`with_apt_packages("git")`
    // on a `flyte.Image`): nothing to change.
    if replacement == checker.text(call.range()) {
        return;
    }
    checker.report(
        diagnostic
            .with_help(format!("Replace with `{replacement}`"))
            .with_fix(Fix::safe_edits(vec![Edit::replace(
                call.range(),
                replacement,
            )])),
    );
}

/// `if image.is_container():` around imports only → `try:` those imports `except ImportError:
/// pass`, as edits. Flyte 1's guard is true except in a task's container built from another
/// image (`_F_IMG_ID` differs), where the imports are skipped; Flyte 2 has no such check, and
/// trying the imports keeps them wherever their modules are installed.
fn import_guard(checker: &Checker, call: &ExprCall) -> Option<Vec<Edit>> {
    use ruff_python_ast::Stmt;
    let Some(Stmt::If(guard)) = checker.current_stmt() else {
        return None;
    };
    if guard.test.range() != call.range()
        || !call.arguments.is_empty()
        || !guard.elif_else_clauses.is_empty()
        || guard.body.is_empty()
        || !guard
            .body
            .iter()
            .all(|s| matches!(s, Stmt::Import(_) | Stmt::ImportFrom(_)))
    {
        return None;
    }
    let source = checker.source();
    let line_start = |at: usize| source[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let start = usize::from(guard.start());
    let indent = &source[line_start(start)..start];
    // `if image.is_container():` then the imports, each on its own line.
    let after_test = source.get(usize::from(call.end())..)?;
    let colon = after_test.find(':')?;
    if !after_test[..colon].trim().is_empty() || !indent.trim().is_empty() {
        return None;
    }
    let first = usize::from(guard.body[0].start());
    let body_indent = &source[line_start(first)..first];
    if !body_indent.trim().is_empty() || body_indent.len() <= indent.len() {
        return None;
    }
    let last = usize::from(guard.body.last()?.end());
    let line_end = source[last..]
        .find(['\n', '\r'])
        .map_or(source.len(), |i| last + i);
    let nl = checker.line_ending.as_str();
    let header_end = call.end() + ruff_text_size::TextSize::try_from(colon + 1).ok()?;
    Some(vec![
        Edit::replace(
            ruff_text_size::TextRange::new(guard.start(), header_end),
            "try:",
        ),
        Edit::insert(
            ruff_text_size::TextSize::try_from(line_end).ok()?,
            format!("{nl}{indent}except ImportError:{nl}{body_indent}pass"),
        ),
    ])
}

/// A method without a `flyte.Image` equivalent called on the variable this `ImageSpec(...)` is
/// assigned to, if any.
fn method_without_equivalent(checker: &Checker, call: &ExprCall) -> Option<String> {
    use ruff_python_ast::visitor::{self, Visitor};
    let Some(ruff_python_ast::Stmt::Assign(assign)) = checker.current_stmt() else {
        return None;
    };
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return None;
    };
    if assign.value.range() != call.range() {
        return None;
    }
    struct Uses<'c, 'a> {
        checker: &'c Checker<'a>,
        target: ruff_text_size::TextRange,
        found: Option<String>,
    }
    impl<'b> Visitor<'b> for Uses<'_, '_> {
        fn visit_expr(&mut self, expr: &'b Expr) {
            if let Expr::Attribute(attr) = expr
                && let Expr::Name(name) = &*attr.value
                && self
                    .checker
                    .semantic
                    .binding_of(name.range.start())
                    .is_some_and(|b| b.range == self.target)
                && METHODS
                    .iter()
                    .any(|(m, new, _)| *m == attr.attr.id.as_str() && new.is_none())
            {
                self.found.get_or_insert_with(|| attr.attr.id.to_string());
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut uses = Uses {
        checker,
        target: target.range,
        found: None,
    };
    uses.visit_body(checker.module);
    uses.found
}

/// Whether FM501 rewrites an `ImageSpec(...)` call.
pub(crate) fn converts(checker: &Checker, call: &ExprCall) -> bool {
    convert(checker, call).is_ok() && method_without_equivalent(checker, call).is_none()
}

/// Whether FM501 rewrites an `ImageSpec(...)` call, now or in a later round of the fix: an
/// `ImageSpec` whose `base_image` is another module-level `ImageSpec` goes on from that one's
/// chain once it is a `flyte.Image`.
pub(crate) fn converts_eventually(checker: &Checker, call: &ExprCall) -> bool {
    convert_with(checker, call, 8).is_ok() && method_without_equivalent(checker, call).is_none()
}

/// The `flyte.Image` chain FM501 writes for an `ImageSpec(...)` call and what changes, when it
/// writes one that needs no import but `flyte`.
pub(crate) fn flyte_image(checker: &Checker, call: &ExprCall) -> Option<(String, Vec<String>)> {
    if !converts(checker, call) {
        return None;
    }
    let (text, notes, pathlib) = convert(checker, call).ok()?;
    (!pathlib).then_some((text, notes))
}

/// The `ImageSpec(...)` call an image value is, or derives from (`spec.with_packages(...)`),
/// through names bound once at module level.
pub(crate) fn image_spec<'a>(checker: &Checker<'a>, value: &'a Expr) -> Option<&'a ExprCall> {
    let mut current = value;
    for _ in 0..32 {
        current = match current {
            Expr::Name(_) => super::module_value(checker, current)?,
            Expr::Call(call) if checker.resolves_to(&call.func, &["flytekit.ImageSpec"]) => {
                return Some(call);
            }
            Expr::Call(call) => match &*call.func {
                Expr::Attribute(attr) => &attr.value,
                _ => return None,
            },
            _ => return None,
        };
    }
    None
}

/// Whether a call builds a `flyte.Image` (the chain FM501 writes).
pub(crate) fn is_flyte_image(checker: &Checker, call: &ExprCall) -> bool {
    let mut current: &Expr = &call.func;
    loop {
        match current {
            Expr::Attribute(attr) => {
                if checker.resolves_to(
                    current,
                    &["flyte.Image.from_debian_base", "flyte.Image.from_base"],
                ) {
                    return true;
                }
                current = &attr.value;
            }
            Expr::Call(inner) => current = &inner.func,
            _ => return false,
        }
    }
}

/// The file name a `requirements=` path ends with: a literal, or a path joined to a literal
/// (`Path(__file__).parent / "requirements.txt"`, `os.path.join(root, "requirements.txt")`,
/// `str(...)` of one), through names bound once at module level.
fn requirements_name<'a>(checker: &Checker<'a>, value: &'a Expr, depth: u8) -> Option<&'a str> {
    let value = super::module_value(checker, value).unwrap_or(value);
    if let Some(file) = string_literal(value) {
        return Some(file);
    }
    match value {
        Expr::BinOp(op) if op.op == ruff_python_ast::Operator::Div => string_literal(&op.right),
        Expr::Call(call) if call.arguments.keywords.is_empty() => {
            let last = call.arguments.args.last()?;
            if checker.resolves_to(&call.func, &["os.path.join"]) {
                string_literal(last)
            } else if matches!(&*call.func, Expr::Name(f) if f.id.as_str() == "str")
                && call.arguments.args.len() == 1
                && depth > 0
            {
                requirements_name(checker, last, depth - 1)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The name flytekit gives an `ImageSpec` without one.
const V1_DEFAULT_NAME: &str = "flytekit";

/// The `flyte.Image` expression for an `ImageSpec(...)` call, and what changes.
fn convert(checker: &Checker, call: &ExprCall) -> Result<(String, Vec<String>, bool), String> {
    convert_with(checker, call, 0)
}

/// [`convert`], where up to `pending` levels of base `ImageSpec`s bound to module-level names
/// count as converted (FM501 converts them first; the text is then of no use).
fn convert_with(
    checker: &Checker,
    call: &ExprCall,
    pending: u8,
) -> Result<(String, Vec<String>, bool), String> {
    if !call.arguments.args.is_empty() {
        return Err("it has positional arguments".to_string());
    }
    let text = |e: &Expr| checker.text(e.range()).to_string();
    let mut base: Vec<String> = Vec::new();
    let mut python_version = None;
    let mut pip: Vec<String> = Vec::new();
    let mut pip_options: Vec<String> = Vec::new();
    let mut requirements: Option<String> = None;
    let mut env: Option<String> = None;
    let mut commands: Option<String> = None;
    let mut apt: Option<String> = None;
    let mut notes = Vec::new();
    let mut base_image: Option<String> = None;
    // Another `ImageSpec` as the base, already a `flyte.Image`: its chain goes on.
    let mut base_spec_image: Option<String> = None;
    let mut sources: Vec<String> = Vec::new();
    // Whether a base `ImageSpec` written inline copies files.
    let mut copies = false;
    for kw in &call.arguments.keywords {
        let Some(name) = keyword_name(kw) else {
            return Err("it takes `**` arguments".to_string());
        };
        let value = &kw.value;
        match name {
            "name" | "registry" => base.push(format!("{name}={}", text(value))),
            "python_version" => {
                let version = string_literal(super::module_constant(checker, value))
                    .and_then(version_tuple)
                    .ok_or("`python_version` is not a literal `\"3.x\"`")?;
                python_version = Some(version);
            }
            "platform" => {
                let platforms = string_literal(super::module_constant(checker, value))
                    .ok_or("`platform` is not a literal")?;
                let items: Vec<String> = platforms.split(',').map(|p| quote(p.trim())).collect();
                base.push(format!("platform=({},)", items.join(", ")));
            }
            "packages" => pip = packages(checker, value, &mut notes)?,
            "pip_index" => pip_options.push(format!("index_url={}", text(value))),
            "pip_extra_index_url" => pip_options.push(format!("extra_index_urls={}", text(value))),
            "pip_extra_args" => pip_options.push(format!("extra_args={}", text(value))),
            "apt_packages" => apt = Some(splat(checker, value)),
            "requirements" => {
                let file = requirements_name(checker, value, 4)
                    .ok_or("`requirements` is not a literal path, nor a path joined to one")?;
                if !file.ends_with(".txt") {
                    return Err(format!(
                        "`with_requirements` takes only `.txt` files: use `with_uv_project` or \
                         `with_poetry_project` for `{file}`"
                    ));
                }
                requirements = Some(text(value));
            }
            "env" => env = Some(text(value)),
            "copy" => {
                sources = copy_layers(value)?;
                notes.push(
                    "a `copy` entry ending in `/` is taken for a folder, one with an extension \
                     for a file"
                        .to_string(),
                );
            }
            "commands" => commands = Some(list(checker, value)),
            // An `ImageSpec(...)` written inline as the base: its chain, then this one's layers.
            "base_image"
                if let Expr::Call(inner) = value
                    && checker.resolves_to(&inner.func, &["flytekit.ImageSpec"]) =>
            {
                let (chain, inner_notes, inner_copies) =
                    convert(checker, inner).map_err(|why| format!("its base image: {why}"))?;
                base_spec_image = Some(format!("({chain})"));
                notes.extend(inner_notes);
                copies |= inner_copies;
            }
            "base_image" if base_spec(checker, value).is_some() => {
                base_spec_image = base_spec(checker, value);
            }
            "base_image"
                if pending > 0
                    && value.is_name_expr()
                    && let Some(Expr::Call(inner)) = super::module_value(checker, value)
                    && checker.resolves_to(&inner.func, &["flytekit.ImageSpec"])
                    && convert_with(checker, inner, pending - 1).is_ok() =>
            {
                base_spec_image = Some(text(value));
            }
            "base_image" => {
                if !value.is_string_literal_expr() {
                    return Err(
                        "`base_image` is not an image URI, nor an image that FM501 made a \
                         `flyte.Image` (a base `ImageSpec` is converted first, then this one goes \
                         on from its chain)"
                            .to_string(),
                    );
                }
                base_image = Some(text(value));
                notes
                    .push("the base image must contain Python and the `flyte` package".to_string());
            }
            "builder" => notes.push(
                "the image builder is chosen globally in Flyte 2 (`flyte.init(image_builder=...)`)"
                    .to_string(),
            ),
            other => {
                let advice = MANUAL_FIELDS
                    .iter()
                    .find(|(field, _)| *field == other)
                    .map_or("it has no Flyte 2 equivalent", |(_, advice)| *advice);
                return Err(format!("`{other}`: {advice}"));
            }
        }
    }
    match python_version {
        Some(version) => base.insert(0, format!("python_version={version}")),
        // The base image's Python.
        None if base_spec_image.is_some() => {}
        None => notes.push(
            "without `python_version`, Flyte 2 uses the Python of the machine that builds the image"
                .to_string(),
        ),
    }
    let mut chain = match (base_spec_image, base_image) {
        // Its layers go on top of the base image's, under this image's name.
        (Some(spec), _) if base.is_empty() => spec,
        (Some(spec), _) => format!("{spec}.clone({})", base.join(", ")),
        // `from_base` images take no layers until cloned as extendable, and a cloned image
        // without a name takes none either ("Cannot add additional layer ... to an image
        // without name"): an unnamed one gets flytekit's default name.
        (None, Some(uri)) => {
            if !base.iter().any(|b| b.starts_with("name=")) {
                base.push(format!("name={}", quote(V1_DEFAULT_NAME)));
            }
            base.push("extendable=True".to_string());
            format!("flyte.Image.from_base({uri}).clone({})", base.join(", "))
        }
        (None, None) => format!("flyte.Image.from_debian_base({})", base.join(", ")),
    };
    // Layers in the order Flyte 1 builds them: apt, environment, pip, requirements, commands.
    // The pip options apply to both pip layers.
    if let Some(apt) = apt {
        chain.push_str(&format!(".with_apt_packages({apt})"));
    }
    if let Some(env) = env {
        chain.push_str(&format!(".with_env_vars({env})"));
    }
    if !pip.is_empty() {
        let mut args = pip;
        args.extend(pip_options.iter().cloned());
        chain.push_str(&format!(".with_pip_packages({})", args.join(", ")));
    }
    if let Some(file) = requirements {
        let mut args = vec![file];
        args.extend(pip_options.iter().cloned());
        chain.push_str(&format!(".with_requirements({})", args.join(", ")));
    }
    // Flyte 1 copies after the Python packages and before the commands.
    for layer in &sources {
        chain.push_str(layer);
    }
    if let Some(commands) = commands {
        chain.push_str(&format!(".with_commands({commands})"));
    }
    Ok((chain, notes, copies || !sources.is_empty()))
}

/// The base image of `base_image=<image>`, when it is an `ImageSpec` that FM501 already made a
/// `flyte.Image` chain (a module-level name bound once, or the chain written inline).
fn base_spec(checker: &Checker, value: &Expr) -> Option<String> {
    let image = match value {
        Expr::Call(call) => call,
        Expr::Name(_) => match super::module_value(checker, value)? {
            Expr::Call(call) => call,
            _ => return None,
        },
        _ => return None,
    };
    if !is_flyte_image(checker, image) {
        return None;
    }
    let text = checker.text(value.range());
    Some(if value.is_name_expr() {
        text.to_string()
    } else {
        format!("({text})")
    })
}

/// `copy=["a/b.txt", "data/"]` as source layers with Flyte 1's destinations: a folder `d` went
/// to `/root/d/`, a file `a/b.txt` to `/root/a/`.
fn copy_layers(value: &Expr) -> Result<Vec<String>, String> {
    let Expr::List(list) = value else {
        return Err("`copy` is not a literal list".to_string());
    };
    let mut layers = Vec::new();
    for item in &list.elts {
        let path = string_literal(item).ok_or("a `copy` entry is not a literal path")?;
        let trimmed = path.trim_end_matches('/');
        if trimmed.is_empty()
            || path.starts_with('/')
            || trimmed
                .split('/')
                .any(|part| part == ".." || part.is_empty())
            || path.contains(['"', '\\'])
        {
            return Err(format!(
                "`copy` entry `{path}` is not a plain relative path"
            ));
        }
        let (parent, name) = trimmed.rsplit_once('/').unwrap_or(("", trimmed));
        let root = |rest: &str| {
            if rest.is_empty() {
                "/root".to_string()
            } else {
                format!("/root/{rest}")
            }
        };
        if path.ends_with('/') {
            layers.push(format!(
                ".with_source_folder(pathlib.Path(\"{trimmed}\"), dst=\"{}\")",
                root(parent)
            ));
        } else if name.contains('.') && !name.starts_with('.') {
            layers.push(format!(
                ".with_source_file(pathlib.Path(\"{trimmed}\"), dst=\"{}\")",
                root(parent)
            ));
        } else {
            return Err(format!(
                "`copy` entry `{path}`: write a trailing `/` for a folder; a file needs an extension"
            ));
        }
    }
    Ok(layers)
}

/// `"3.11"` → `(3, 11)`.
fn version_tuple(version: &str) -> Option<String> {
    let mut parts = version.trim().split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next()?.parse().ok()?;
    Some(format!("({major}, {minor})"))
}

/// `packages=[...]` as `with_pip_packages` arguments: flytekit dropped, plugins renamed.
fn packages(
    checker: &Checker,
    value: &Expr,
    notes: &mut Vec<String>,
) -> Result<Vec<String>, String> {
    let Expr::List(list) = value else {
        notes.push(format!(
            "`{}` is installed as is: drop `flytekit` and rename `flytekitplugins-*` in it",
            checker.text(value.range())
        ));
        return Ok(vec![format!("*{}", checker.text(value.range()))]);
    };
    let mut out = Vec::new();
    for item in &list.elts {
        let Some(spec) = string_literal(item) else {
            out.push(checker.text(item.range()).to_string());
            continue;
        };
        let name = requirement_name(spec);
        if name == "flytekit" {
            continue;
        }
        if name.starts_with("flytekitplugins-") {
            match PLUGIN_PACKAGES.iter().find(|(old, _)| *old == name) {
                Some((_, new)) => {
                    notes.push(format!("`{name}` becomes `{new}` (a different package)"));
                    out.push(quote(new));
                }
                // Kept: the code that still uses the plugin needs it; it installs beside
                // `flyte` (with flytekit).
                None => {
                    notes.push(format!(
                        "`{name}` has no Flyte 2 package: it stays in the image, with flytekit, \
                         for the code that still uses it; drop it once nothing does"
                    ));
                    out.push(checker.text(item.range()).to_string());
                }
            }
            continue;
        }
        out.push(checker.text(item.range()).to_string());
    }
    Ok(out)
}

/// The project name of a requirement (`"pandas>=2"` → `pandas`).
fn requirement_name(spec: &str) -> String {
    spec.trim()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .replace('_', "-")
}

/// A list value as varargs: `["a", "b"]` → `"a", "b"`, a name → `*name`.
fn splat(checker: &Checker, value: &Expr) -> String {
    match value {
        Expr::List(list) => list
            .elts
            .iter()
            .map(|e| checker.text(e.range()))
            .collect::<Vec<_>>()
            .join(", "),
        Expr::StringLiteral(_) => checker.text(value.range()).to_string(),
        other => format!("*{}", checker.text(other.range())),
    }
}

/// A list value as a list: a single string becomes a one-item list.
fn list(checker: &Checker, value: &Expr) -> String {
    match value {
        Expr::StringLiteral(_) => format!("[{}]", checker.text(value.range())),
        Expr::List(_) => checker.text(value.range()).to_string(),
        other => format!("list({})", checker.text(other.range())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_requirements() {
        assert_eq!(version_tuple("3.11"), Some("(3, 11)".to_string()));
        assert_eq!(version_tuple("3.12.1"), Some("(3, 12)".to_string()));
        assert_eq!(version_tuple("3"), None);
        assert_eq!(requirement_name("flytekit==1.16.31"), "flytekit");
        assert_eq!(
            requirement_name("flytekitplugins_spark>=1"),
            "flytekitplugins-spark"
        );
        assert_eq!(requirement_name(" pandas[pyarrow]"), "pandas");
    }
}
