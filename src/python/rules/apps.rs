//! FM625 `app-environment`: union's `App(...)` is a `flyte.app.AppEnvironment` in Flyte 2.
//!
//! A union app is a long-running server (a dashboard, an API, a model server) that Flyte 1's
//! Union SDK deployed with `union deploy apps`. Flyte 2 declares the same thing as an
//! environment, `flyte.app.AppEnvironment(...)`, deployed with `flyte deploy`: the image,
//! resources, secrets and environment variables use the environment's keywords, and the replica
//! settings go into one `flyte.app.Scaling(...)`.

use ruff_python_ast::{Expr, ExprCall, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::string_literal;
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

/// union's app class.
pub const APP: &[&str] = &["union.app.App", "union.app._models.App"];

/// The fields of union's `App` dataclass, in order (positional arguments).
const FIELDS: &[&str] = &[
    "name",
    "container_image",
    "port",
    "limits",
    "requests",
    "secrets",
    "args",
    "command",
    "min_replicas",
    "max_replicas",
    "scaledown_after",
    "scaling_metric",
    "include",
    "inputs",
    "env",
    "cluster_pool",
    "accelerator",
    "requires_auth",
    "type",
    "description",
    "framework_app",
    "dependencies",
    "config",
    "subdomain",
    "custom_domain",
    "links",
    "shared_memory",
    "request_timeout",
];

/// Fields with no Flyte 2 keyword here, and what to do instead.
const BY_HAND: &[(&str, &str)] = &[
    (
        "inputs",
        "app inputs are `parameters=[flyte.app.Parameter(...)]` in Flyte 2, with other fields",
    ),
    (
        "framework_app",
        "a framework app is served by a function decorated with `@app_env.server` in Flyte 2",
    ),
    (
        "config",
        "an app config object has no Flyte 2 form: set its fields on the environment",
    ),
];

pub fn call(checker: &mut Checker, call: &ExprCall) {
    if !checker.enabled(Rule::AppEnvironment) || !checker.resolves_to(&call.func, APP) {
        return;
    }
    let diagnostic = Diagnostic::new(
        Rule::AppEnvironment,
        "A union `App` is a `flyte.app.AppEnvironment` in Flyte 2",
        call.range(),
    );
    let rewritten = super::module_assignment(checker, call)
        .and_then(|(stmt, _)| used_as_app(checker, stmt))
        .and_then(|()| rewrite(checker, call))
        .and_then(|text| match checker.import_module("flyte.app") {
            Some(mut imports) => {
                // `flyte.Resources` and `flyte.app` both need `flyte` bound to the package.
                imports.extend(checker.import_module("flyte").unwrap_or_default());
                Ok((text, imports))
            }
            None => Err("the name `flyte` is taken in this module".to_string()),
        });
    let diagnostic = match rewritten {
        Ok((text, mut edits)) => {
            edits.push(Edit::replace(call.range(), text));
            diagnostic
                .with_help(
                    "Replace with `flyte.app.AppEnvironment(...)`: `container_image` is `image`, \
                     `requests`/`limits` one `resources`, `env` `env_vars`, the replica settings \
                     one `scaling=flyte.app.Scaling(...)`; deploy it with `flyte deploy`",
                )
                .with_fix(Fix::unsafe_edits(edits))
        }
        Err(why) => diagnostic.with_help(format!(
            "Write `flyte.app.AppEnvironment(name=..., image=..., port=..., resources=..., \
             scaling=flyte.app.Scaling(replicas=(min, max)))` by hand: {why}"
        )),
    };
    checker.report(diagnostic);
}

/// Whether the app's name is read only as another app's dependency (what an
/// `AppEnvironment`'s `depends_on` reads too).
fn used_as_app(checker: &Checker, stmt: &Stmt) -> Result<(), String> {
    let Stmt::Assign(assign) = stmt else {
        return Ok(());
    };
    let [Expr::Name(target)] = assign.targets.as_slice() else {
        return Ok(());
    };
    let dependencies: Vec<TextRange> = checker
        .module
        .iter()
        .filter_map(|s| match s {
            Stmt::Assign(a) => match &*a.value {
                Expr::Call(c) if checker.resolves_to(&c.func, APP) => {
                    super::keyword(&c.arguments, "dependencies").map(|k| k.value.range())
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    for (at, binding) in checker.semantic.resolutions() {
        if binding.range == target.range && !dependencies.iter().any(|d| d.contains(at)) {
            return Err(format!(
                "`{}` is used other than as another app's dependency: an `AppEnvironment` has \
                 other attributes",
                target.id
            ));
        }
    }
    Ok(())
}

/// `flyte.app.AppEnvironment(...)` for an `App(...)` call, or why there is none.
fn rewrite(checker: &Checker, call: &ExprCall) -> Result<String, String> {
    let values = super::dataclass_arguments(call, FIELDS, "App")?;
    let text = |e: &Expr| checker.text(e.range()).to_string();

    let mut args = Vec::new();
    // union asks for each of `requests` and `limits` what the other gives when it is absent,
    // and Flyte 2 makes a lone value a request only: cpu and memory are written as pairs.
    let mut resources = crate::env::ResourceSettings::default();
    resources.exact = true;
    let requests = values
        .iter()
        .find(|(f, _)| *f == "requests")
        .map(|(_, v)| *v);
    let limits = values.iter().find(|(f, _)| *f == "limits").map(|(_, v)| *v);
    match (requests, limits) {
        (Some(only), None) | (None, Some(only)) => {
            resources.add(checker, "requests", only);
            resources.add(checker, "limits", only);
        }
        (Some(requests), Some(limits)) => {
            resources.add(checker, "requests", requests);
            resources.add(checker, "limits", limits);
        }
        (None, None) => {}
    }
    let mut replicas: (Option<String>, Option<String>) = (None, None);
    let mut scaling = Vec::new();
    let mut domain = Vec::new();
    for (field, value) in &values {
        match *field {
            "name" => {
                match string_literal(super::module_constant(checker, value)) {
                    Some(name) if is_app_name(name) => {}
                    Some(name) => {
                        return Err(format!(
                            "Flyte 2 app names are lower-case letters, digits and `-`: rename \
                             `{name}`"
                        ));
                    }
                    None => return Err("its `name=` is not a string".to_string()),
                }
                args.push(format!("name={}", text(value)));
            }
            "container_image" => args.push(format!("image={}", image(checker, value)?)),
            "port" => match value {
                Expr::NumberLiteral(_) | Expr::Name(_) => {
                    args.push(format!("port={}", text(value)))
                }
                _ => return Err("its `port=` is not a number".to_string()),
            },
            "requests" | "limits" => {}
            "accelerator" | "shared_memory" => resources.add(checker, field, value),
            "secrets" => args.push(format!("secrets={}", text(value))),
            "args" | "command" | "include" | "cluster_pool" | "requires_auth" | "type"
            | "description" => args.push(format!("{field}={}", text(value))),
            "env" => args.push(format!("env_vars={}", text(value))),
            "dependencies" => args.push(format!("depends_on={}", text(value))),
            "min_replicas" => replicas.0 = Some(text(value)),
            "max_replicas" => replicas.1 = Some(text(value)),
            "scaledown_after" => scaling.push(format!("scaledown_after={}", text(value))),
            "scaling_metric" => scaling.push(format!("metric={}", metric(checker, value)?)),
            "subdomain" | "custom_domain" => domain.push(format!("{field}={}", text(value))),
            "links" => args.push(format!("links={}", links(checker, value)?)),
            "request_timeout" => args.push(format!(
                "timeouts=flyte.app.Timeouts(request={})",
                text(value)
            )),
            other => {
                let advice = BY_HAND
                    .iter()
                    .find(|(f, _)| *f == other)
                    .map_or("it is not an `App` field", |(_, advice)| advice);
                return Err(format!("`{other}=`: {advice}"));
            }
        }
    }
    if !values.iter().any(|(f, _)| *f == "container_image") {
        return Err("it has no `container_image=`".to_string());
    }
    if let Some(mut merged) = resources.finish(checker) {
        // union gives an app 10Gi of ephemeral storage (20Gi when it has limits only).
        if merged.starts_with("flyte.Resources(") && !merged.contains("disk=") {
            let disk = if requests.is_some() { "10Gi" } else { "20Gi" };
            merged.insert_str(merged.len() - 1, &format!(", disk=\"{disk}\""));
        }
        args.push(format!("resources={merged}"));
    }
    if let Some(blocker) = resources.blocker.take() {
        return Err(blocker);
    }
    // union's defaults, 0 and 1, are Flyte 2's `(0, 1)`.
    if replicas != (None, None) {
        let min = replicas.0.unwrap_or_else(|| "0".to_string());
        let max = replicas.1.unwrap_or_else(|| "1".to_string());
        scaling.insert(0, format!("replicas=({min}, {max})"));
    }
    if !scaling.is_empty() {
        args.push(format!("scaling=flyte.app.Scaling({})", scaling.join(", ")));
    }
    if !domain.is_empty() {
        args.push(format!("domain=flyte.app.Domain({})", domain.join(", ")));
    }
    Ok(super::call_text(
        "flyte.app.AppEnvironment",
        &args,
        checker.text(call.range()).contains(['\n', '\r']),
        checker.line_ending.as_str(),
    ))
}

/// The image: a URI, or an `ImageSpec` FM501 rewrites (by name or inline; its own fix makes it
/// a `flyte.Image`).
fn image(checker: &Checker, value: &Expr) -> Result<String, String> {
    let text = checker.text(value.range()).to_string();
    match super::module_value(checker, value).unwrap_or(value) {
        Expr::StringLiteral(_) => Ok(text),
        Expr::Call(image)
            if checker.resolves_to(&image.func, &["flytekit.ImageSpec"])
                && super::images::converts(checker, image) =>
        {
            Ok(text)
        }
        Expr::Call(image) if super::images::is_flyte_image(checker, image) => Ok(text),
        _ => Err(
            "its `container_image=` is not an image URI, or an `ImageSpec` FM501 rewrites"
                .to_string(),
        ),
    }
}

/// `ScalingMetric.Concurrency(n)` / `ScalingMetric.RequestRate(n)` → `flyte.app.Scaling...`.
fn metric(checker: &Checker, value: &Expr) -> Result<String, String> {
    if let Expr::Call(call) = value
        && let Some(qualified) = checker.resolve(&call.func)
        && let Some(kind) = qualified
            .strip_prefix("union.app.ScalingMetric.")
            .or_else(|| qualified.strip_prefix("union.app._models.ScalingMetric."))
        && matches!(kind, "Concurrency" | "RequestRate")
    {
        let arguments = checker.text(call.arguments.range());
        return Ok(format!("flyte.app.Scaling.{kind}{arguments}"));
    }
    Err("its `scaling_metric=` is not a `ScalingMetric.Concurrency(...)` or `.RequestRate(...)` call".to_string())
}

/// `[Link(path=..., title=..., is_relative=...), ...]` → the same `flyte.app.Link`s.
fn links(checker: &Checker, value: &Expr) -> Result<String, String> {
    let Expr::List(list) = value else {
        return Err("its `links=` is not a literal list".to_string());
    };
    let mut items = Vec::new();
    for item in &list.elts {
        match item {
            Expr::Call(link)
                if checker
                    .resolves_to(&link.func, &["union.app.Link", "union.app._models.Link"]) =>
            {
                items.push(format!(
                    "flyte.app.Link{}",
                    checker.text(link.arguments.range())
                ));
            }
            _ => return Err("a link is not a `Link(...)` call".to_string()),
        }
    }
    Ok(format!("[{}]", items.join(", ")))
}

/// Flyte 2's rule for app names: lower-case letters, digits and `-`, starting and ending with a
/// letter or digit (dotted parts each so).
fn is_app_name(name: &str) -> bool {
    name.split('.').all(|part| {
        let bytes = part.as_bytes();
        !bytes.is_empty()
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            && bytes.first() != Some(&b'-')
            && bytes.last() != Some(&b'-')
    })
}
