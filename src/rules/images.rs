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
    (
        "copy",
        "use `with_source_file(Path(...))` / `with_source_folder(Path(...))`",
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
    match convert(checker, call) {
        Ok((replacement, notes)) => {
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
            match checker.import_module("flyte") {
                Some(import) => {
                    let mut edits = vec![Edit::replace(call.range(), replacement)];
                    edits.extend(import);
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

/// The `flyte.Image` expression for an `ImageSpec(...)` call, and what changes.
fn convert(checker: &Checker, call: &ExprCall) -> Result<(String, Vec<String>), String> {
    if !call.arguments.args.is_empty() {
        return Err("it has positional arguments".to_string());
    }
    let text = |e: &Expr| checker.text(e.range()).to_string();
    let mut base: Vec<String> = Vec::new();
    let mut python_version = None;
    let mut pip: Vec<String> = Vec::new();
    let mut pip_options: Vec<String> = Vec::new();
    let mut layers: Vec<String> = Vec::new();
    let mut apt: Option<String> = None;
    let mut notes = Vec::new();
    for kw in &call.arguments.keywords {
        let Some(name) = keyword_name(kw) else {
            return Err("it takes `**` arguments".to_string());
        };
        let value = &kw.value;
        match name {
            "name" | "registry" => base.push(format!("{name}={}", text(value))),
            "python_version" => {
                let version = string_literal(value)
                    .and_then(version_tuple)
                    .ok_or("`python_version` is not a literal `\"3.x\"`")?;
                python_version = Some(version);
            }
            "platform" => {
                let platforms = string_literal(value).ok_or("`platform` is not a literal")?;
                let items: Vec<String> = platforms.split(',').map(|p| quote(p.trim())).collect();
                base.push(format!("platform=({},)", items.join(", ")));
            }
            "packages" => pip = packages(checker, value, &mut notes)?,
            "pip_index" => pip_options.push(format!("index_url={}", text(value))),
            "pip_extra_index_url" => pip_options.push(format!("extra_index_urls={}", text(value))),
            "pip_extra_args" => pip_options.push(format!("extra_args={}", text(value))),
            "apt_packages" => apt = Some(splat(checker, value)),
            "requirements" => {
                let file = string_literal(value).ok_or("`requirements` is not a literal path")?;
                if !file.ends_with(".txt") {
                    return Err(format!(
                        "`with_requirements` takes only `.txt` files: use `with_uv_project` or \
                         `with_poetry_project` for `{file}`"
                    ));
                }
                layers.push(format!("with_requirements({})", text(value)));
            }
            "env" => layers.push(format!("with_env_vars({})", text(value))),
            "commands" => layers.push(format!("with_commands({})", list(checker, value))),
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
        None => notes.push(
            "without `python_version`, Flyte 2 uses the Python of the machine that builds the image"
                .to_string(),
        ),
    }
    let mut chain = format!("flyte.Image.from_debian_base({})", base.join(", "));
    if let Some(apt) = apt {
        chain.push_str(&format!(".with_apt_packages({apt})"));
    }
    if !pip.is_empty() {
        pip.extend(pip_options);
        chain.push_str(&format!(".with_pip_packages({})", pip.join(", ")));
    } else if !pip_options.is_empty() {
        return Err("pip options are given without packages".to_string());
    }
    for layer in layers {
        chain.push('.');
        chain.push_str(&layer);
    }
    Ok((chain, notes))
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
                None => return Err(format!("`{name}` has no Flyte 2 package")),
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
