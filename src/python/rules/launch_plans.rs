//! FM601 `launch-plan`: `LaunchPlan.get_or_create(wf, ...)` is a `flyte.Trigger` on the
//! workflow's task in Flyte 2: `@env.task(triggers=flyte.Trigger(...))`.

use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::{keyword_name, quote, string_literal};
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

const CREATORS: &[&str] = &[
    "flytekit.LaunchPlan.get_or_create",
    "flytekit.LaunchPlan.create",
];

/// Cron aliases flytekit accepts, as five-field expressions.
const CRON_ALIASES: &[(&[&str], &str)] = &[
    (&["@hourly", "hourly", "hours"], "0 * * * *"),
    (&["@daily", "daily", "days"], "0 0 * * *"),
    (&["@weekly", "weekly", "weeks"], "0 0 * * 0"),
    (&["@monthly", "monthly", "months"], "0 0 1 * *"),
    (
        &["@yearly", "yearly", "years", "@annually", "annually"],
        "0 0 1 1 *",
    ),
];

pub fn statement(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(Rule::LaunchPlan) {
        return;
    }
    let (call, target) = match stmt {
        Stmt::Assign(assign) => match (&*assign.value, assign.targets.as_slice()) {
            (Expr::Call(call), [Expr::Name(name)]) => (call, Some(name)),
            _ => return,
        },
        Stmt::Expr(expr) => match &*expr.value {
            Expr::Call(call) => (call, None),
            _ => return,
        },
        _ => return,
    };
    let Some(creator) = checker.resolve(&call.func) else {
        return;
    };
    if !CREATORS.contains(&&*creator) {
        return;
    }
    let diagnostic = Diagnostic::new(
        Rule::LaunchPlan,
        "Launch plans are triggers in Flyte 2, declared on the task",
        call.range(),
    );
    let create = creator.ends_with(".create");
    match trigger(checker, call, create) {
        Err(why) => checker.report(diagnostic.with_help(format!(
            "Declare `@env.task(triggers=flyte.Trigger(name=..., automation=flyte.Cron(...), \
             inputs={{...}}, auto_activate=False))` on the workflow's task by hand: {why}"
        ))),
        Ok(plan) => {
            let still_used = target.is_some_and(|t| {
                checker
                    .semantic
                    .bindings()
                    .iter()
                    .any(|b| b.range == t.range && b.uses > 0)
            });
            let help = match &plan.trigger {
                None => "Remove it: every deployed Flyte 2 task can be run".to_string(),
                Some(trigger) => format!(
                    "Declare `triggers={trigger}` on `@env.task` of `{}` and remove the launch plan",
                    plan.workflow.name.id
                ),
            };
            let mut help = help;
            if !plan.notes.is_empty() {
                help.push_str(&format!(" ({})", plan.notes.join("; ")));
            }
            let diagnostic = diagnostic.with_help(help);
            if still_used {
                checker.report(diagnostic.with_help(
                    "The launch plan object is used elsewhere: replace those uses first \
                     (`flyte.remote.Task.get(...)` or a direct call), then declare the trigger",
                ));
                return;
            }
            let Some(mut edits) = decorator_edits(checker, plan.workflow, plan.trigger.as_deref())
            else {
                // The workflow is still flytekit's: its move to an environment (FM301) comes first.
                checker.report(diagnostic);
                return;
            };
            edits.push(checker.importer.delete_stmt(stmt, checker.locator));
            if let Some(trigger) = &plan.trigger {
                let module = if trigger.contains("flyte.notify.") {
                    "flyte.notify"
                } else {
                    "flyte"
                };
                match checker.import_module(module) {
                    Some(import) => edits.extend(import),
                    None => {
                        checker.report(diagnostic);
                        return;
                    }
                }
            }
            checker.report(diagnostic.with_fix(Fix::unsafe_edits(edits)));
        }
    }
}

struct Plan<'a> {
    workflow: &'a StmtFunctionDef,
    /// `flyte.Trigger(...)`, or `None` for a default launch plan (nothing to declare).
    trigger: Option<String>,
    notes: Vec<String>,
}

fn trigger<'a>(checker: &Checker<'a>, call: &ExprCall, create: bool) -> Result<Plan<'a>, String> {
    let text = |e: &Expr| checker.text(e.range()).to_string();
    let positional: &[&str] = if create {
        &["name", "workflow"]
    } else {
        &[
            "workflow",
            "name",
            "default_inputs",
            "fixed_inputs",
            "schedule",
        ]
    };
    let mut fields: Vec<(&str, &Expr)> = Vec::new();
    for (i, arg) in call.arguments.args.iter().enumerate() {
        fields.push((
            positional.get(i).ok_or("unexpected positional arguments")?,
            arg,
        ));
    }
    for kw in &call.arguments.keywords {
        fields.push((keyword_name(kw).ok_or("`**` arguments")?, &kw.value));
    }
    let field = |n: &str| fields.iter().find(|(f, _)| *f == n).map(|(_, v)| *v);
    let workflow = field("workflow").ok_or("no workflow")?;
    let workflow =
        module_function(checker, workflow).ok_or("the workflow is not defined in this module")?;
    let mut notes = Vec::new();
    let mut args = Vec::new();
    let name = field("name");
    let mut inputs: Vec<String> = Vec::new();
    let mut automation = None;
    for (key, value) in &fields {
        match *key {
            "workflow" | "name" => {}
            "schedule" => automation = Some(schedule(checker, value, &mut inputs)?),
            "default_inputs" => inputs.extend(dict_items(checker, value)?),
            "fixed_inputs" => {
                inputs.extend(dict_items(checker, value)?);
                notes.push(
                    "fixed inputs become ordinary trigger inputs, which a run can override"
                        .to_string(),
                );
            }
            "auto_activate" => args.push(format!("auto_activate={}", text(value))),
            "labels" | "annotations" => {
                args.push(format!("{key}={}", unwrap_mapping(checker, value)))
            }
            "overwrite_cache" => args.push(format!("overwrite_cache={}", text(value))),
            "notifications" => {
                args.push(format!("notifications={}", notifications(checker, value)?));
                notes.push(
                    "notifications are Flyte 2 emails, with its own subject and body".to_string(),
                );
            }
            "max_parallelism" => {
                args.push(format!("max_action_concurrency={}", text(value)));
                notes.push("`max_action_concurrency` must be 0 or at least 2".to_string());
            }
            other => return Err(format!("`{other}=` has no automatic Flyte 2 equivalent")),
        }
    }
    let is_default = name.is_none() && automation.is_none() && inputs.is_empty() && args.is_empty();
    if is_default {
        return Ok(Plan {
            workflow,
            trigger: None,
            notes,
        });
    }
    let name = name.ok_or("a trigger needs a name")?;
    if !args.iter().any(|a| a.starts_with("auto_activate=")) {
        // Flyte 1 launch plans start inactive; Flyte 2 triggers start active.
        args.push("auto_activate=False".to_string());
    }
    let mut all = vec![format!("name={}", text(name))];
    if let Some(automation) = automation {
        all.push(format!("automation={automation}"));
    }
    if !inputs.is_empty() {
        all.push(format!("inputs={{{}}}", inputs.join(", ")));
    }
    all.extend(args);
    Ok(Plan {
        workflow,
        trigger: Some(format!("flyte.Trigger({})", all.join(", "))),
        notes,
    })
}

/// Flyte 1's notifications as a tuple of `flyte.notify.Email(...)`: `Email`, `Slack` and
/// `PagerDuty` all mail their `recipients_email` (Slack and PagerDuty take mail addresses).
fn notifications(checker: &Checker, value: &Expr) -> Result<String, String> {
    let items: Vec<&Expr> = match value {
        Expr::List(list) => list.elts.iter().collect(),
        Expr::Tuple(tuple) => tuple.elts.iter().collect(),
        call @ Expr::Call(_) => vec![call],
        _ => return Err("`notifications=` is not a list of notifications".to_string()),
    };
    let mut out = Vec::new();
    for item in items {
        let Expr::Call(call) = item else {
            return Err(
                "a notification is not an `Email(...)`, `Slack(...)` or `PagerDuty(...)` call"
                    .to_string(),
            );
        };
        if !checker.resolves_to(
            &call.func,
            &["flytekit.Email", "flytekit.Slack", "flytekit.PagerDuty"],
        ) {
            return Err(
                "a notification is not an `Email(...)`, `Slack(...)` or `PagerDuty(...)` call"
                    .to_string(),
            );
        }
        let mut phases = call.arguments.args.first();
        let mut recipients = call.arguments.args.get(1);
        if call.arguments.args.len() > 2 {
            return Err("a notification with more than two positional arguments".to_string());
        }
        for kw in &call.arguments.keywords {
            match keyword_name(kw) {
                Some("phases") => phases = Some(&kw.value),
                Some("recipients_email") => recipients = Some(&kw.value),
                _ => {
                    return Err(
                        "a notification argument other than `phases=` and `recipients_email=`"
                            .to_string(),
                    );
                }
            }
        }
        let (Some(phases), Some(recipients)) = (
            phases.and_then(literal_items),
            recipients.and_then(literal_items),
        ) else {
            return Err("a notification's phases or recipients are not a literal list".to_string());
        };
        let mut on_phase = Vec::new();
        for phase in phases {
            let resolved = checker.resolve(phase);
            let name = resolved
                .as_deref()
                .and_then(|q| {
                    // FM101 may have renamed the phase already.
                    q.strip_prefix("flytekit.WorkflowExecutionPhase.")
                        .or_else(|| q.strip_prefix("flyte.models.ActionPhase."))
                })
                .filter(|p| ["SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"].contains(p))
                .ok_or("a notification phase other than SUCCEEDED, FAILED, ABORTED or TIMED_OUT")?;
            on_phase.push(format!("flyte.models.ActionPhase.{name}"));
        }
        let recipients: Vec<&str> = recipients.iter().map(|r| checker.text(r.range())).collect();
        if on_phase.is_empty() || recipients.is_empty() {
            return Err("a notification without phases or recipients".to_string());
        }
        out.push(format!(
            "flyte.notify.Email(on_phase={}, recipients={})",
            tuple(&on_phase),
            tuple(&recipients)
        ));
    }
    Ok(tuple(&out))
}

/// The elements of a list or tuple literal.
fn literal_items(e: &Expr) -> Option<Vec<&Expr>> {
    match e {
        Expr::List(list) => Some(list.elts.iter().collect()),
        Expr::Tuple(tuple) => Some(tuple.elts.iter().collect()),
        _ => None,
    }
}

/// A Python tuple of the texts.
fn tuple<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [one] => format!("({},)", one.as_ref()),
        _ => format!(
            "({})",
            items
                .iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `CronSchedule(...)` / `FixedRate(...)` as a trigger automation.
fn schedule(checker: &Checker, value: &Expr, inputs: &mut Vec<String>) -> Result<String, String> {
    let Expr::Call(call) = value else {
        return Err(
            "the schedule is not a `CronSchedule(...)` or `FixedRate(...)` call".to_string(),
        );
    };
    let kind = checker.resolve(&call.func).ok_or("unknown schedule")?;
    let mut kickoff = None;
    let result = match &*kind {
        "flytekit.CronSchedule" => {
            if !call.arguments.args.is_empty() {
                return Err("a positional cron expression is AWS-style (six fields): convert it to five fields by hand".to_string());
            }
            let mut expression = None;
            for kw in &call.arguments.keywords {
                match keyword_name(kw) {
                    Some("schedule") => expression = Some(string_literal(super::module_constant(checker, &kw.value)).ok_or("the cron expression is not a literal")?),
                    Some("kickoff_time_input_arg") => kickoff = Some(&kw.value),
                    Some("cron_expression") => return Err("`cron_expression=` is AWS-style (six fields): convert it to five fields by hand".to_string()),
                    _ => return Err("`offset=` and other schedule options have no Flyte 2 equivalent".to_string()),
                }
            }
            let expression = expression.ok_or("no cron expression")?;
            let expression = CRON_ALIASES
                .iter()
                .find(|(names, _)| names.contains(&expression))
                .map_or(expression, |(_, cron)| *cron);
            format!("flyte.Cron({})", quote(expression))
        }
        "flytekit.FixedRate" => {
            let mut minutes = None;
            for (i, arg) in call.arguments.args.iter().enumerate() {
                if i == 0 {
                    minutes = Some(timedelta_minutes(checker, arg)?);
                }
            }
            for kw in &call.arguments.keywords {
                match keyword_name(kw) {
                    Some("duration") => minutes = Some(timedelta_minutes(checker, &kw.value)?),
                    Some("kickoff_time_input_arg") => kickoff = Some(&kw.value),
                    _ => return Err("unknown `FixedRate` option".to_string()),
                }
            }
            format!(
                "flyte.FixedRate(interval_minutes={})",
                minutes.ok_or("no duration")?
            )
        }
        _ => {
            return Err(
                "the schedule is not a `CronSchedule(...)` or `FixedRate(...)` call".to_string(),
            );
        }
    };
    if let Some(kickoff) = kickoff {
        inputs.push(format!(
            "{}: flyte.TriggerTime",
            checker.text(kickoff.range())
        ));
    }
    Ok(result)
}

/// A literal `timedelta(...)` in whole minutes, also through a module-level constant.
fn timedelta_minutes(checker: &Checker, value: &Expr) -> Result<u64, String> {
    // A module-level constant holding one (`INTERVAL = timedelta(hours=1)`) counts.
    let value = super::module_value(checker, value).unwrap_or(value);
    let Expr::Call(call) = value else {
        return Err("the duration is not a literal `timedelta(...)`".to_string());
    };
    if !checker.resolves_to(&call.func, &["datetime.timedelta"]) || !call.arguments.args.is_empty()
    {
        return Err("the duration is not a `timedelta(...)` with keyword arguments".to_string());
    }
    let mut seconds: u64 = 0;
    for kw in &call.arguments.keywords {
        let n =
            super::int_literal(&kw.value).ok_or("the duration is not made of integer literals")?;
        let unit = match keyword_name(kw) {
            Some("weeks") => 7 * 24 * 3600,
            Some("days") => 24 * 3600,
            Some("hours") => 3600,
            Some("minutes") => 60,
            Some("seconds") => 1,
            _ => return Err("unsupported `timedelta` field".to_string()),
        };
        seconds = seconds.saturating_add(n.saturating_mul(unit));
    }
    if seconds == 0 || !seconds.is_multiple_of(60) {
        return Err("`flyte.FixedRate` takes whole minutes".to_string());
    }
    Ok(seconds / 60)
}

/// The items of a literal dict, as `key: value` texts.
fn dict_items(checker: &Checker, value: &Expr) -> Result<Vec<String>, String> {
    let Expr::Dict(dict) = value else {
        return Err("inputs are not a literal dict".to_string());
    };
    dict.items
        .iter()
        .map(|item| match &item.key {
            Some(key) => Ok(format!(
                "{}: {}",
                checker.text(key.range()),
                checker.text(item.value.range())
            )),
            None => Err("inputs use `**`".to_string()),
        })
        .collect()
}

/// `Labels({...})` / `Annotations({...})` → the dict; anything else as written.
fn unwrap_mapping(checker: &Checker, value: &Expr) -> String {
    if let Expr::Call(call) = value
        && checker.resolves_to(&call.func, &["flytekit.Labels", "flytekit.Annotations"])
        && let [inner] = &*call.arguments.args
    {
        return checker.text(inner.range()).to_string();
    }
    checker.text(value.range()).to_string()
}

/// The module-level function a name reads.
fn module_function<'a>(checker: &Checker<'a>, expr: &Expr) -> Option<&'a StmtFunctionDef> {
    let Expr::Name(name) = expr else {
        return None;
    };
    checker.module_function(name)
}

/// Edits adding `triggers=` to the function's `@env.task` decorator; `None` while the function
/// is not a Flyte 2 task yet.
fn decorator_edits(
    checker: &Checker,
    def: &StmtFunctionDef,
    trigger: Option<&str>,
) -> Option<Vec<Edit>> {
    crate::env::environment_of(checker, def)?;
    let Some(trigger) = trigger else {
        return Some(Vec::new());
    };
    let decorator = def.decorator_list.iter().find(|d| {
        let callee = match &d.expression {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        matches!(callee, Expr::Attribute(a) if a.attr.id.as_str() == "task")
    })?;
    // Every edit replaces a range two launch plans of one task would both touch, so their
    // fixes conflict and apply one per round, each seeing the other's trigger.
    Some(match &decorator.expression {
        Expr::Call(call) => match super::keyword(&call.arguments, "triggers") {
            Some(existing) => match &existing.value {
                Expr::Tuple(tuple) if !tuple.elts.is_empty() => {
                    let items: Vec<&str> =
                        tuple.elts.iter().map(|e| checker.text(e.range())).collect();
                    vec![Edit::replace(
                        tuple.range,
                        format!("({}, {trigger})", items.join(", ")),
                    )]
                }
                other => vec![Edit::replace(
                    other.range(),
                    format!("({}, {trigger})", checker.text(other.range())),
                )],
            },
            None => {
                let inner = TextRange::new(
                    call.arguments.start() + TextSize::from(1),
                    call.arguments.end() - TextSize::from(1),
                );
                let existing = checker.text(inner).trim().trim_end_matches(',');
                let arguments = if existing.is_empty() {
                    format!("(triggers={trigger})")
                } else {
                    format!("({existing}, triggers={trigger})")
                };
                vec![Edit::replace(call.arguments.range(), arguments)]
            }
        },
        other => vec![Edit::replace(
            other.range(),
            format!("{}(triggers={trigger})", checker.text(other.range())),
        )],
    })
}
