//! The heart of the migration: building `flyte.TaskEnvironment`s for a module.
//!
//! Every `@task`, `@dynamic`, `@eager` and `@workflow` of a module is collected with its
//! settings. Environment-level settings (image, resources, secrets, environment variables) decide
//! which environment a function belongs to: functions with identical settings share one, so no
//! task gains or loses a setting. Each function's fix rewrites its decorator to `@<env>.task` and
//! inserts the definitions of its environment and of every environment that one depends on, so a
//! fix applied alone always leaves defined names. Fixes of one environment share its
//! applicability: either all of its functions move, or none do.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Decorator, Expr, ExprCall, ExprName, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::{Checker, FlyteKind};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::rules::resources::{accelerator_type, gpu_value, v2_gpu, v2_string};
use crate::rules::{bool_literal, count_literal, keyword_name, quote, remove_arguments};
use crate::semantic::BindingKind;

/// What the rewrite of one function gives.
#[derive(Debug, Clone)]
pub struct FunctionPlan {
    /// The fix, when the function can move; `None` with `why_not` otherwise.
    pub fix: Option<Fix>,
    pub why_not: Option<String>,
    /// The environment variable the function's decorator will use.
    pub env_var: String,
    /// What changes in behaviour (why the fix is unsafe), for the help line.
    pub notes: Vec<String>,
}

impl FunctionPlan {
    /// The applicability of the move: display-only when the function cannot move.
    pub fn applicability(&self) -> Applicability {
        self.fix
            .as_ref()
            .map_or(Applicability::DisplayOnly, |fix| fix.applicability)
    }
}

/// The rewrite of every flytekit function of a module, by the function's start offset.
#[derive(Debug, Default)]
pub struct ModulePlan {
    pub functions: HashMap<TextSize, FunctionPlan>,
}

/// One flytekit-decorated function and what its decorator says.
struct Collected<'a> {
    def: &'a StmtFunctionDef,
    decorator: &'a Decorator,
    call: Option<&'a ExprCall>,
    kind: FlyteKind,
    /// Environment-level settings as `flyte.TaskEnvironment` keywords → source text.
    settings: BTreeMap<&'static str, String>,
    /// Names the settings read (they must be defined before the environment).
    names: Vec<TextSize>,
    /// Decorator arguments that leave the decorator.
    removed: Vec<TextRange>,
    /// Edits inside the decorator (keyword renames).
    edits: Vec<Edit>,
    notes: Vec<String>,
    blocker: Option<String>,
    /// Modules the environment settings use (a plugin's `flyteplugins` module).
    imports: Vec<&'static str>,
}

/// One environment to create.
struct Environment {
    var: String,
    name: String,
    settings: BTreeMap<&'static str, String>,
    members: Vec<usize>,
    /// Other new environments (indices) and existing environment variables it depends on.
    depends_new: Vec<usize>,
    depends_existing: Vec<String>,
    /// Existing environments defined after the first function, with where their definition
    /// ends: added there with `add_dependency`.
    depends_late: Vec<(String, TextSize)>,
    /// Existing environments whose functions call this one's: they get `add_dependency`.
    dependents_existing: Vec<String>,
    /// Environments of other modules of the project whose tasks its functions call.
    external: Vec<External>,
    /// Members that call a task of another module whose environment cannot be listed, with why.
    external_blockers: Vec<(usize, String)>,
}

/// An environment of another module, as this module refers to it.
#[derive(Clone)]
struct External {
    /// The module file and variable of the environment (one environment, however reached).
    target: (std::path::PathBuf, String),
    /// The expression `depends_on` lists (`team_a_tasks_env`, `tk.env`).
    reference: String,
    /// `from <module> import <name> as <alias>`, when the reference needs an import.
    import: Option<(String, String)>,
    /// The applicability of the fix that moves the task there (`None`: already Flyte 2).
    applicability: Option<Applicability>,
    /// The end of the existing import the reference reads, when the definition must follow it.
    after: Option<TextSize>,
}

pub fn plan(checker: &Checker) -> ModulePlan {
    let mut collected: Vec<Collected> = checker
        .module
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(def) => collect(checker, def),
            _ => None,
        })
        .collect();
    if collected.is_empty() {
        return ModulePlan::default();
    }
    hold_shared_values(checker, &mut collected);
    // Functions with the same settings share an environment. When that makes two environments
    // call each other (a workflow calling a `@dynamic` with resources that calls plain tasks),
    // orchestrators get environments of their own, which breaks the cycle.
    let mut envs = environments(checker, &collected, false);
    let mut order = topological_order(&envs);
    if order.is_none() {
        envs = environments(checker, &collected, true);
        order = topological_order(&envs);
    }
    let Some(order) = order else {
        return finish(
            checker,
            &collected,
            &envs,
            &[],
            &vec![None; envs.len()],
            Some(
                "its environment and another call each other's tasks: define both environments \
                 and use `env.add_dependency(...)` by hand",
            ),
        );
    };

    // Each definition goes after the imports, every name its settings use and the environments
    // it depends on, and before its first function.
    let mut at: Vec<Option<TextSize>> = vec![None; envs.len()];
    for &e in &order {
        let first = envs[e]
            .members
            .iter()
            .map(|&m| collected[m].def.range.start())
            .min()
            .unwrap_or_default();
        // An existing environment defined after the first function is added to the
        // dependencies where it is defined: `env.add_dependency(late_env)` below it.
        let (late, early): (Vec<String>, Vec<String>) =
            std::mem::take(&mut envs[e].depends_existing)
                .into_iter()
                .partition(|var| {
                    module_definition_end(checker, var).is_some_and(|end| end > first)
                });
        envs[e].depends_existing = early;
        envs[e].depends_late = late
            .into_iter()
            .filter_map(|var| module_definition_end(checker, &var).map(|end| (var, end)))
            .collect();
        let env = &envs[e];
        let mut position = checker.importer.import_block_end();
        for var in &env.depends_existing {
            if let Some(end) = module_definition_end(checker, var) {
                position = position.max(end);
            }
        }
        for end in env.external.iter().filter_map(|x| x.after) {
            position = position.max(end);
        }
        for &m in &env.members {
            for &name in &collected[m].names {
                if let Some(end) = definition_end(checker, name) {
                    position = position.max(end);
                }
            }
        }
        let mut placeable = true;
        for &d in &env.depends_new {
            match at[d] {
                Some(p) => position = position.max(p),
                None => placeable = false,
            }
        }
        if placeable && position <= first {
            at[e] = Some(position);
        }
    }
    // Definitions read best together: all at the latest position when every environment can
    // go there.
    if at.iter().all(Option::is_some) {
        let common = at.iter().flatten().max().copied().unwrap_or_default();
        let first_function = collected
            .iter()
            .map(|c| c.def.range.start())
            .min()
            .unwrap_or_default();
        if common <= first_function {
            at.iter_mut().for_each(|a| *a = Some(common));
        }
    }
    finish(checker, &collected, &envs, &order, &at, None)
}

/// A module-level value in flytekit's classes (`image = ImageSpec(...)`, `GPU = Resources(...)`)
/// becomes Flyte 2's only once no function that stays on flytekit reads it (the checker holds
/// its fix until then). So a function whose environment would read it cannot move while
/// another reader stays: it would get a flytekit value (a `TaskEnvironment` rejects an
/// `ImageSpec`). Blocks such functions, to a fixpoint (a blocked function holds the values it
/// reads in turn).
fn hold_shared_values(checker: &Checker, collected: &mut [Collected]) {
    // Whether each module-level value read names flytekit, by its statement: asked once.
    let mut flytekit: HashMap<TextSize, bool> = HashMap::default();
    // (read position, reading function, defining statement) of each read of a module-level
    // value in flytekit's classes inside a collected function.
    let reads: Vec<(TextSize, usize, TextSize)> = checker
        .semantic
        .resolutions()
        .filter(|(_, b)| b.scope == 0 && !matches!(b.kind, BindingKind::Import { .. }))
        .filter_map(|(at, binding)| {
            let defining = checker.module_statement(binding.range)?;
            let value = match defining {
                Stmt::Assign(assign) => &*assign.value,
                Stmt::AnnAssign(assign) => assign.value.as_deref()?,
                _ => return None,
            };
            let names = *flytekit
                .entry(defining.start())
                .or_insert_with(|| flytekit_name(checker, value, 0, &[]).is_some());
            let Some(Stmt::FunctionDef(def)) = checker.module_statement(TextRange::empty(at))
            else {
                return None;
            };
            let function = collected.iter().position(|c| c.def.range == def.range)?;
            names.then_some((at, function, defining.start()))
        })
        .collect();
    loop {
        let held: HashSet<TextSize> = reads
            .iter()
            .filter(|(_, f, _)| collected[*f].blocker.is_some())
            .map(|(_, _, d)| *d)
            .collect();
        let mut changed = false;
        for (at, f, defining) in &reads {
            let c = &mut collected[*f];
            if c.blocker.is_some() || !held.contains(defining) || !c.names.contains(at) {
                continue;
            }
            changed = true;
            let binding = checker.semantic.binding_of(*at);
            let name = binding.map_or("a value", |b| b.name);
            // An image of its own: FM501's `flyte.Image` of the same `ImageSpec`.
            if c.settings.get("image").is_some_and(|image| image == name)
                && let Some(BindingKind::Assignment {
                    value: spec @ Expr::Call(call),
                    ..
                }) = binding.map(|b| &b.kind)
                && checker.resolves_to(&call.func, &["flytekit.ImageSpec"])
                && let Some((image, notes)) = crate::rules::images::flyte_image(checker, call)
            {
                c.settings.insert("image", image);
                c.names.retain(|n| n != at);
                c.names.extend(names_in(spec));
                c.notes.retain(|n| !n.contains("(FM501)"));
                c.notes.push(format!(
                    "the environment gets its own `flyte.Image` of `{name}`, which stays an \
                     `ImageSpec` for the functions still on flytekit"
                ));
                c.notes.extend(notes);
                continue;
            }
            c.blocker = Some(format!(
                "its settings read `{name}`, which a function that stays on flytekit reads \
                 too: it keeps its Flyte 1 form until that function moves"
            ));
        }
        if !changed {
            return;
        }
    }
}

/// What [`search_value`] makes of one node of a value.
enum Probe<T> {
    /// The answer.
    Found(T),
    /// Nothing under this node.
    Skip,
    /// Look under it (and, for a name, in its module-level values).
    Walk,
}

/// The first answer `probe` gives for the nodes of a value, also in the module-level values of
/// the names it reads, `depth` levels deep (every binding of a name bound more than once).
fn search_value<'a, T>(
    checker: &Checker<'a>,
    value: &'a Expr,
    depth: u8,
    probe: &dyn Fn(&'a Expr) -> Probe<T>,
) -> Option<T> {
    struct Search<'c, 'a, 'p, T> {
        checker: &'c Checker<'a>,
        depth: u8,
        probe: &'p dyn Fn(&'a Expr) -> Probe<T>,
        found: Option<T>,
    }
    impl<'a, T> Visitor<'a> for Search<'_, 'a, '_, T> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found.is_some() {
                return;
            }
            match (self.probe)(expr) {
                Probe::Found(answer) => self.found = Some(answer),
                Probe::Skip => {}
                Probe::Walk => match expr {
                    Expr::Name(name) if self.depth > 0 => {
                        self.found = module_values(self.checker, name).find_map(|bound| {
                            search_value(self.checker, bound, self.depth - 1, self.probe)
                        });
                    }
                    _ => visitor::walk_expr(self, expr),
                },
            }
        }
    }
    let mut search = Search {
        checker,
        depth,
        probe,
        found: None,
    };
    search.visit_expr(value);
    search.found
}

/// The first name of flytekit, its plugins or union that a value reads, but those of `allowed`
/// (which a rule renames to Flyte 2's), `depth` levels deep in module-level values.
fn flytekit_name<'a>(
    checker: &Checker<'a>,
    value: &'a Expr,
    depth: u8,
    allowed: &[&str],
) -> Option<String> {
    search_value(checker, value, depth, &|expr| {
        if !matches!(expr, Expr::Name(_) | Expr::Attribute(_)) {
            return Probe::Walk;
        }
        match checker.resolve(expr) {
            Some(q) if crate::checker::is_flytekit_name(&q) => {
                if allowed.contains(&q.as_ref()) {
                    Probe::Skip
                } else {
                    Probe::Found(q.to_string())
                }
            }
            _ => Probe::Walk,
        }
    })
}

/// The environments for the collected functions, with their dependencies.
fn environments(
    checker: &Checker,
    collected: &[Collected],
    split_orchestrators: bool,
) -> Vec<Environment> {
    // Group by settings, in order of first appearance.
    let mut keys: Vec<String> = Vec::new();
    let mut group_of_key: HashMap<String, usize> = HashMap::default();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, c) in collected.iter().enumerate() {
        let mut key = c
            .settings
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(";");
        if split_orchestrators && c.kind != FlyteKind::Task {
            key.insert_str(0, "orchestrator;");
        }
        // The same text may read different bindings of a name bound again further down
        // (`config = ...` before each task): those are different settings.
        for &at in &c.names {
            if let Some(binding) = checker.semantic.binding_of(at)
                && binding.scope == 0
                && checker.semantic.bindings_in(0, binding.name).count() > 1
            {
                key.push_str(&format!(
                    ";{}@{}",
                    binding.name,
                    u32::from(binding.range.start())
                ));
            }
        }
        match group_of_key.get(&key) {
            Some(&g) => groups[g].push(i),
            None => {
                group_of_key.insert(key.clone(), groups.len());
                keys.push(key);
                groups.push(vec![i]);
            }
        }
    }
    // The module's main environment: the one without settings, else the first, unless an
    // earlier round defined `env` already (then each is named after its first function).
    let main = (!checker.semantic.scope_binds(0, "env"))
        .then(|| keys.iter().position(String::is_empty).unwrap_or(0));
    let module = crate::project::environment_name(checker.module_name);
    let module = if module.is_empty() {
        "main".to_string()
    } else {
        module
    };
    let mut taken: HashSet<String> = HashSet::default();
    let mut taken_names: HashSet<String> =
        existing_environment_names(checker).into_iter().collect();
    let mut envs: Vec<Environment> = groups
        .iter()
        .enumerate()
        .map(|(g, members)| {
            let first = &collected[members[0]];
            let (var, name) = if Some(g) == main {
                ("env".to_string(), module.clone())
            } else {
                let base = sanitize(first.def.name.id.as_str());
                (
                    format!("{}_env", first.def.name.id),
                    format!("{module}-{base}"),
                )
            };
            let var = free_name(checker, &var, &taken);
            taken.insert(var.clone());
            let name = unique(&name, &taken_names);
            taken_names.insert(name.clone());
            Environment {
                var,
                name,
                settings: first.settings.clone(),
                members: members.clone(),
                depends_new: Vec::new(),
                depends_existing: Vec::new(),
                depends_late: Vec::new(),
                dependents_existing: Vec::new(),
                external: Vec::new(),
                external_blockers: Vec::new(),
            }
        })
        .collect();

    // Which environment each function (new or already migrated) lives in.
    let mut env_of_function: HashMap<&str, Target> = HashMap::default();
    for (e, env) in envs.iter().enumerate() {
        for &m in &env.members {
            env_of_function.insert(collected[m].def.name.id.as_str(), Target::New(e));
        }
    }
    for (name, var) in existing_environment_functions(checker) {
        env_of_function.entry(name).or_insert(Target::Existing(var));
    }
    // Flyte 2 functions of the module (an earlier round moved them) that call functions moving
    // now: their environments must depend on the new ones.
    for stmt in checker.module {
        let Stmt::FunctionDef(def) = stmt else {
            continue;
        };
        let Some(var) = environment_of(checker, def) else {
            continue;
        };
        for name in referenced_functions(checker, def) {
            if let Some(Target::New(e)) = env_of_function.get(name)
                && !envs[*e].dependents_existing.contains(&var)
            {
                envs[*e].dependents_existing.push(var.clone());
            }
        }
    }
    for (e, env) in envs.iter_mut().enumerate() {
        let mut new = Vec::new();
        let mut existing = Vec::new();
        for &m in &env.members {
            for name in referenced_functions(checker, collected[m].def) {
                match env_of_function.get(name) {
                    Some(Target::New(d)) if *d != e && !new.contains(d) => new.push(*d),
                    Some(Target::Existing(var)) if !existing.contains(var) => {
                        existing.push(var.clone())
                    }
                    _ => {}
                }
            }
        }
        new.sort_unstable();
        existing.sort();
        env.depends_new = new;
        env.depends_existing = existing;
    }
    if let Some(project) = checker.project {
        let mut aliases: Vec<(String, String, String)> = Vec::new();
        for env in &mut envs {
            for &m in &env.members {
                for reference in crate::project::references(checker, collected[m].def) {
                    match external(checker, project, &reference, &mut taken, &mut aliases) {
                        Ok(Some(dependency)) => {
                            if !env.external.iter().any(|x| x.target == dependency.target) {
                                env.external.push(dependency);
                            }
                        }
                        Ok(None) => {}
                        Err(why) => env.external_blockers.push((m, why)),
                    }
                }
            }
        }
    }
    envs
}

/// The environment of the task a reference to another module reads: `Ok(None)` when it is no
/// task, `Err` with why when its environment cannot be listed.
fn external(
    checker: &Checker,
    project: &crate::project::ModuleContext,
    reference: &crate::project::Reference,
    taken: &mut HashSet<String>,
    aliases: &mut Vec<(String, String, String)>,
) -> Result<Option<External>, String> {
    use crate::project::{Lookup, Symbol};
    // Imported in a `try:` with a fallback (`from .tasks import t`, or else `from tasks import
    // t`): which spelling works depends on how the module is run, so the environment must be
    // imported the same way, in each branch.
    for alternative in fallback_imports(checker, reference) {
        if let Lookup::Task { module, name, .. } = project.lookup(&alternative) {
            return Err(format!(
                "it calls `{name}` of `{}`, imported in a `try:` with a fallback: import its \
                 environment the same way, in each branch, and list it in `depends_on` by hand",
                module.name()
            ));
        }
    }
    let (module, name, symbol, position) = match project.lookup(reference) {
        Lookup::Nothing | Lookup::Image { .. } => return Ok(None),
        Lookup::Unknown { path, why } => {
            return Err(format!(
                "it calls `{}`, from `{}`, which cannot be read ({why}): its environment is unknown; list it in `depends_on` by hand",
                reference.text,
                path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into()
                ),
            ));
        }
        Lookup::Task {
            module,
            name,
            symbol,
            position,
        } => (module, name, symbol, position),
    };
    let (env_var, applicability) = match symbol {
        Symbol::Flyte2 {
            env_var,
            applicability,
        } => (env_var.clone(), *applicability),
        Symbol::Flytekit {
            env_var,
            applicability: Some(applicability),
            ..
        } => (env_var.clone(), Some(*applicability)),
        Symbol::Flytekit { why_not, .. } => {
            return Err(format!(
                "it calls `{name}` of `{}`, which stays a Flyte 1 function{}",
                module.name(),
                why_not
                    .as_ref()
                    .map_or_else(String::new, |w| format!(" ({w})"))
            ));
        }
        _ => return Ok(None),
    };
    if let Some(why) = matches!(symbol, Symbol::Flytekit { .. })
        .then(|| project.blocked_in(module, &name, 0))
        .flatten()
    {
        return Err(format!(
            "it calls `{name}` of `{}`, which stays a Flyte 1 function ({why})",
            module.name()
        ));
    }
    if project.reached_from(module) {
        return Err(format!(
            "it calls `{name}` of `{}`, whose tasks call this module's: importing each other's \
             environments would be an import cycle; define the environments in one module and \
             list them in `depends_on` by hand",
            module.name()
        ));
    }
    // Read as an attribute of the module (`tk.t`): the environment is `tk.env`.
    if let Some(position) = position {
        return Ok(Some(External {
            target: (module.path.clone(), env_var.clone()),
            reference: format!("{}.{env_var}", reference.prefix(position)),
            import: None,
            applicability,
            after: checker
                .semantic
                .binding_of(reference.head_at)
                .and_then(|b| statement_end(checker, b.range)),
        }));
    }
    // Imported by name: import the environment from where the task is defined, as the module
    // imports the task when it imports it from there, else by its dotted name.
    let spelling = if project.defines(&reference.import, module) {
        reference.import.spelling()
    } else {
        match &module.dotted {
            Some(dotted) => dotted.clone(),
            None => {
                return Err(format!(
                    "it calls `{name}`, re-exported from `{}`, a module without package context: import its environment `{env_var}` and list it in `depends_on` by hand",
                    module.name()
                ));
            }
        }
    };
    if let Some((_, _, alias)) = aliases
        .iter()
        .find(|(m, v, _)| *m == spelling && *v == env_var)
    {
        return Ok(Some(External {
            target: (module.path.clone(), env_var.clone()),
            reference: alias.clone(),
            import: Some((spelling, format!("{env_var} as {alias}"))),
            applicability,
            after: None,
        }));
    }
    if let Some((alias, end)) = existing_import_alias(checker, &spelling, &env_var) {
        return Ok(Some(External {
            target: (module.path.clone(), env_var.clone()),
            reference: alias,
            import: None,
            applicability,
            after: Some(end),
        }));
    }
    let base = format!("{}_{env_var}", module.name().replace('.', "_"));
    let alias = free_name(checker, &base, taken);
    taken.insert(alias.clone());
    aliases.push((spelling.clone(), env_var.clone(), alias.clone()));
    Ok(Some(External {
        target: (module.path.clone(), env_var.clone()),
        import: Some((spelling, format!("{env_var} as {alias}"))),
        reference: alias,
        applicability,
        after: None,
    }))
}

/// The reference read through each `from ... import` of its head name in the module-level
/// `try:` statement that binds it, when one does.
fn fallback_imports(
    checker: &Checker,
    reference: &crate::project::Reference,
) -> Vec<crate::project::Reference> {
    let Some(binding) = checker.semantic.binding_of(reference.head_at) else {
        return Vec::new();
    };
    let Some(Stmt::Try(try_stmt)) = checker.module_statement(binding.range) else {
        return Vec::new();
    };
    let branches = try_stmt
        .body
        .iter()
        .chain(try_stmt.handlers.iter().flat_map(|h| match h {
            ruff_python_ast::ExceptHandler::ExceptHandler(h) => h.body.iter(),
        }))
        .chain(try_stmt.orelse.iter());
    let mut out = Vec::new();
    for stmt in branches {
        let Stmt::ImportFrom(from) = stmt else {
            continue;
        };
        for alias in &from.names {
            let bound = alias.asname.as_ref().unwrap_or(&alias.name);
            if bound.id.as_str() == reference.head {
                let mut alternative = reference.clone();
                alternative.import = crate::project::ImportRef {
                    level: from.level,
                    module: from
                        .module
                        .as_ref()
                        .map_or_else(String::new, |m| m.id.to_string()),
                    name: Some(alias.name.id.to_string()),
                };
                out.push(alternative);
            }
        }
    }
    out
}

/// Where the module-level statement holding `range` ends (its whole line).
fn statement_end(checker: &Checker, range: TextRange) -> Option<TextSize> {
    checker
        .module_statement(range)
        .map(|s| checker.locator.full_line_end(s.end()))
}

/// The local name of an existing module-level `from <spelling> import <name> [as <alias>]`,
/// with where that import ends.
fn existing_import_alias(
    checker: &Checker,
    spelling: &str,
    name: &str,
) -> Option<(String, TextSize)> {
    checker.module.iter().find_map(|stmt| match stmt {
        Stmt::ImportFrom(from) => {
            let module = from.module.as_ref().map_or("", |m| m.id.as_str());
            let spelled = format!("{}{module}", ".".repeat(from.level as usize));
            (spelled == spelling)
                .then(|| {
                    from.names
                        .iter()
                        .find(|a| a.name.id.as_str() == name)
                        .map(|a| {
                            (
                                a.asname.as_ref().unwrap_or(&a.name).id.to_string(),
                                checker.locator.full_line_end(stmt.end()),
                            )
                        })
                })
                .flatten()
        }
        _ => None,
    })
}

enum Target {
    New(usize),
    Existing(String),
}

fn finish(
    checker: &Checker,
    collected: &[Collected],
    envs: &[Environment],
    order: &[usize],
    at: &[Option<TextSize>],
    module_blocker: Option<&str>,
) -> ModulePlan {
    let mut plan = ModulePlan::default();
    let import = checker.import_module("flyte");
    let nl = checker.line_ending.as_str();
    // An environment none of whose functions can move is not defined: its settings are what
    // keeps them on flytekit (an `ImageSpec` a `TaskEnvironment` rejects, ...), and the
    // environments of the functions that call them do not depend on it.
    let dead: Vec<bool> = envs
        .iter()
        .map(|env| {
            !env.members.is_empty() && env.members.iter().all(|&m| collected[m].blocker.is_some())
        })
        .collect();
    let mut definitions: Vec<String> = (0..envs.len())
        .map(|e| definition(checker, envs, e, &dead))
        .collect();
    // An existing environment that calls into a new one depends on it: right below the new
    // definition when the existing one is defined above it, else below the existing one.
    let mut dependents: Vec<Vec<(TextSize, String)>> = vec![Vec::new(); envs.len()];
    for (e, env) in envs.iter().enumerate() {
        for var in &env.dependents_existing {
            let line = format!("{var}.add_dependency({}){nl}", env.var);
            match (
                module_definition_end(checker, var),
                at.get(e).copied().flatten(),
            ) {
                (Some(end), Some(at)) if end > at => dependents[e].push((end, line)),
                (Some(_), _) => definitions[e].push_str(&line),
                (None, _) => {}
            }
        }
    }
    // Each environment's place in the definition order.
    let mut rank = vec![0usize; envs.len()];
    for (r, &o) in order.iter().enumerate() {
        if let Some(slot) = rank.get_mut(o) {
            *slot = r;
        }
    }
    for (e, env) in envs.iter().enumerate() {
        let closure = dependency_closure(envs, e);
        // Functions that cannot move stay behind (each is reported with why); the others of
        // the closure move together, with one applicability.
        let movers: Vec<usize> = closure
            .iter()
            .flat_map(|&d| envs[d].members.iter().copied())
            .filter(|&m| collected[m].blocker.is_none())
            .collect();
        let externals: Vec<&External> = closure
            .iter()
            .flat_map(|&d| envs[d].external.iter())
            .collect();
        // A task of another module that moves only with unsafe fixes makes this move unsafe
        // too: either both move or neither does.
        let unsafe_movers = movers
            .iter()
            .any(|&m| !collected[m].notes.is_empty() || collected[m].kind != FlyteKind::Task)
            || externals
                .iter()
                .any(|x| x.applicability.is_some_and(|a| a != Applicability::Safe))
            // An environment of the module that is one only after an unsafe fix (an actor).
            || closure.iter().any(|&d| {
                envs[d]
                    .depends_existing
                    .iter()
                    .chain(&envs[d].dependents_existing)
                    .any(|var| crate::rules::actors::pending(checker, var).is_some())
            });
        let applicability = if unsafe_movers {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        let unplaced = closure.iter().any(|&d| !dead[d] && at[d].is_none());
        // The modules the closure's definitions use besides `flyte`.
        let mut modules: Vec<&str> = closure
            .iter()
            .flat_map(|&d| envs[d].members.iter())
            .flat_map(|&m| collected[m].imports.iter().copied())
            .collect();
        modules.sort_unstable();
        modules.dedup();
        let mut plugin_imports: Vec<Edit> = externals
            .iter()
            .filter_map(|x| x.import.as_ref())
            .map(|(module, name)| checker.importer.add_from_import(module, name))
            .collect();
        let mut plugin_blocker = None;
        for module in modules {
            match checker.import_module(module) {
                Some(edits) => plugin_imports.extend(edits),
                None => {
                    plugin_blocker = Some(format!(
                        "`{}` is bound to something else in this module",
                        module.split('.').next().unwrap_or(module)
                    ))
                }
            }
        }
        for &m in &env.members {
            let c = &collected[m];
            let mut function = FunctionPlan {
                fix: None,
                why_not: None,
                env_var: env.var.clone(),
                notes: c.notes.clone(),
            };
            let why_not = c
                .blocker
                .clone()
                .or_else(|| {
                    env.external_blockers
                        .iter()
                        .find(|(b, _)| *b == m)
                        .map(|(_, why)| why.clone())
                })
                .or_else(|| module_blocker.map(str::to_string))
                .or_else(|| plugin_blocker.clone())
                .or_else(|| {
                    import
                        .is_none()
                        .then(|| "`flyte` is bound to something else in this module".to_string())
                })
                .or_else(|| {
                    unplaced.then(|| {
                        "its environment's settings use a name defined after its first task: \
                         move that definition up"
                            .to_string()
                    })
                });
            if let Some(why_not) = why_not {
                function.why_not = Some(why_not);
            } else if let Some(import) = &import {
                // The function moves with every definition its environment needs; the other
                // functions' fixes carry the same definitions, which apply once.
                let mut edits = import.clone();
                edits.extend(plugin_imports.clone());
                edits.extend(decorator_edits(checker.source(), c, &env.var));
                for &d in closure.iter().filter(|&&d| !dead[d]) {
                    let order = u8::try_from(rank[d] + 2).unwrap_or(u8::MAX);
                    for (end, line) in &dependents[d] {
                        edits.push(Edit::insert_ordered(*end, line.clone(), order));
                    }
                    for (late, end) in &envs[d].depends_late {
                        edits.push(Edit::insert_ordered(
                            *end,
                            format!("{}.add_dependency({late}){nl}", envs[d].var),
                            order,
                        ));
                    }
                    if let Some(at) = at[d] {
                        edits.push(Edit::insert_ordered(at, definitions[d].clone(), order));
                        // Code right below the definitions gets its blank lines.
                        if !followed_by_blank_line(checker.source(), at) {
                            let nl = checker.line_ending.as_str();
                            edits.push(Edit::insert_ordered(at, format!("{nl}{nl}"), u8::MAX));
                        }
                    }
                }
                function.fix = Some(Fix::new(edits, applicability));
            }
            plan.functions.insert(c.def.range.start(), function);
        }
    }
    plan
}

/// The edits that turn the flytekit decorator into `@<env>.task(...)`.
fn decorator_edits(source: &str, c: &Collected, var: &str) -> Vec<Edit> {
    let new = format!("{var}.task");
    match c.call {
        Some(call) => {
            let total = call.arguments.args.len() + call.arguments.keywords.len();
            if c.removed.len() == total {
                vec![Edit::replace(c.decorator.expression.range(), new)]
            } else {
                let mut edits = vec![Edit::replace(call.func.range(), new)];
                edits.extend(remove_arguments(source, &call.arguments, &c.removed));
                edits.extend(c.edits.iter().cloned());
                edits
            }
        }
        None => vec![Edit::replace(c.decorator.expression.range(), new)],
    }
}

fn followed_by_blank_line(source: &str, at: TextSize) -> bool {
    let rest = &source[usize::from(at).min(source.len())..];
    rest.is_empty() || rest.starts_with('\n') || rest.starts_with("\r\n") || rest.starts_with('\r')
}

/// `name = flyte.TaskEnvironment(...)` for environment `e`, with its line break.
fn definition(checker: &Checker, envs: &[Environment], e: usize, dead: &[bool]) -> String {
    let env = &envs[e];
    let nl = checker.line_ending.as_str();
    let mut args = vec![format!("name={}", quote(&env.name))];
    for (key, value) in &env.settings {
        args.push(format!("{key}={value}"));
    }
    let mut depends: Vec<String> = env
        .depends_new
        .iter()
        .filter(|&&d| !dead[d])
        .map(|&d| envs[d].var.clone())
        .collect();
    depends.extend(env.depends_existing.iter().cloned());
    depends.extend(env.external.iter().map(|x| x.reference.clone()));
    if !depends.is_empty() {
        args.push(format!("depends_on=[{}]", depends.join(", ")));
    }
    let one_line = format!(
        "{} = {}",
        env.var,
        crate::rules::call_text("flyte.TaskEnvironment", &args, false, nl)
    );
    let text = if one_line.len() <= 88 {
        one_line
    } else {
        format!(
            "{} = {}",
            env.var,
            crate::rules::call_text("flyte.TaskEnvironment", &args, true, nl)
        )
    };
    format!("{nl}{text}{nl}")
}

/// Environments `e` needs defined before it: itself and its dependencies, transitively.
fn dependency_closure(envs: &[Environment], e: usize) -> Vec<usize> {
    let mut closure = vec![e];
    let mut seen: HashSet<usize> = HashSet::default();
    seen.insert(e);
    let mut i = 0;
    while i < closure.len() {
        for &d in &envs[closure[i]].depends_new {
            if seen.insert(d) {
                closure.push(d);
            }
        }
        i += 1;
    }
    closure.sort_unstable();
    closure
}

fn topological_order(envs: &[Environment]) -> Option<Vec<usize>> {
    let mut order = Vec::with_capacity(envs.len());
    let mut state = vec![0u8; envs.len()];
    fn visit(e: usize, envs: &[Environment], state: &mut [u8], order: &mut Vec<usize>) -> bool {
        match state[e] {
            1 => return false,
            2 => return true,
            _ => {}
        }
        state[e] = 1;
        for &d in &envs[e].depends_new {
            if !visit(d, envs, state, order) {
                return false;
            }
        }
        state[e] = 2;
        order.push(e);
        true
    }
    for e in 0..envs.len() {
        if !visit(e, envs, &mut state, &mut order) {
            return None;
        }
    }
    Some(order)
}

/// A Flyte 2 environment name: `^[a-z0-9]+([_-][a-z0-9]+)*$`.
pub fn sanitize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending = false;
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            if pending && !out.is_empty() {
                out.push('_');
            }
            pending = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending = true;
        }
    }
    out
}

/// `base`, or `base_2`, … : a module-level name nothing else uses.
fn free_name(checker: &Checker, base: &str, taken: &HashSet<String>) -> String {
    let used = |n: &str| checker.semantic.scope_binds(0, n) || taken.contains(n);
    if !used(base) {
        return base.to_string();
    }
    (2..)
        .map(|i| format!("{base}_{i}"))
        .find(|n| !used(n))
        .unwrap_or_else(|| base.to_string())
}

/// `name`, or `name-2`, …: not among `taken`.
fn unique(name: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(name) {
        return name.to_string();
    }
    (2..)
        .map(|i| format!("{name}-{i}"))
        .find(|n| !taken.contains(n.as_str()))
        .unwrap_or_else(|| name.to_string())
}

/// The `name=` of every `flyte.TaskEnvironment(...)` the module already defines.
fn existing_environment_names(checker: &Checker) -> Vec<String> {
    checker
        .module
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::Assign(assign) => match &*assign.value {
                Expr::Call(call)
                    if checker.resolves_to(&call.func, &["flyte.TaskEnvironment"])
                        || crate::rules::actors::converts(checker, call) =>
                {
                    call.arguments
                        .keywords
                        .iter()
                        .find(|k| keyword_name(k) == Some("name"))
                        .map(|k| &k.value)
                        .or_else(|| call.arguments.args.first())
                        .and_then(crate::rules::string_literal)
                        .map(str::to_string)
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Functions already decorated with `@X.task` where `X = flyte.TaskEnvironment(...)`.
fn existing_environment_functions<'a>(checker: &Checker<'a>) -> Vec<(&'a str, String)> {
    checker
        .module
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(def) => {
                environment_of(checker, def).map(|env| (def.name.id.as_str(), env))
            }
            _ => None,
        })
        .collect()
}

/// The environment variable of a function decorated with `@X.task`, when `X` is a
/// `flyte.TaskEnvironment` of this module.
pub fn environment_of(checker: &Checker, def: &StmtFunctionDef) -> Option<String> {
    def.decorator_list
        .iter()
        .find_map(|decorator| decorator_environment(checker, decorator))
        .map(|env| env.id.to_string())
}

/// The environment of a decorator `@X.task` (or `@X.task(...)`), when `X` is a module-level
/// `flyte.TaskEnvironment`.
pub fn decorator_environment<'a>(
    checker: &Checker,
    decorator: &'a Decorator,
) -> Option<&'a ExprName> {
    match crate::rules::decorator_callee(&decorator.expression) {
        Expr::Attribute(attr) if attr.attr.id.as_str() == "task" => match &*attr.value {
            Expr::Name(env) if checker.is_task_environment(env) => Some(env),
            _ => None,
        },
        _ => None,
    }
}

/// Module-level functions a function's body refers to by name.
fn referenced_functions<'a>(checker: &Checker<'a>, def: &'a StmtFunctionDef) -> Vec<&'a str> {
    struct Names<'a, 'c> {
        checker: &'c Checker<'a>,
        found: Vec<&'a str>,
    }
    impl<'a> Visitor<'a> for Names<'a, '_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(name) = expr
                && let Some(binding) = self.checker.semantic.binding_of(name.range.start())
                && binding.scope == 0
                && !self.found.contains(&name.id.as_str())
            {
                self.found.push(name.id.as_str());
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut names = Names {
        checker,
        found: Vec::new(),
    };
    names.visit_body(&def.body);
    names.found
}

/// Where the module-level statement that binds the name read at `at` ends.
fn definition_end(checker: &Checker, at: TextSize) -> Option<TextSize> {
    let binding = checker.semantic.binding_of(at)?;
    if binding.scope != 0 {
        return None;
    }
    let stmt = checker.module_statement(binding.range)?;
    // An import below the import block (a mid-module `from x import Y  # noqa: E402`) binds
    // the name there; flytekit's names are rewritten into Flyte 2's, which need no such import.
    if matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) {
        let flytekit = matches!(&binding.kind, BindingKind::Import { qualified, .. }
            if qualified.starts_with("flytekit"));
        let end = checker.locator.full_line_end(stmt.end());
        return (!flytekit && end > checker.importer.import_block_end()).then_some(end);
    }
    Some(checker.locator.full_line_end(stmt.end()))
}

/// Where the last module-level assignment of `name` ends.
fn module_definition_end(checker: &Checker, name: &str) -> Option<TextSize> {
    checker
        .module
        .iter()
        .filter(|stmt| match stmt {
            Stmt::Assign(assign) => assign
                .targets
                .iter()
                .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name)),
            _ => false,
        })
        .map(|stmt| checker.locator.full_line_end(stmt.end()))
        .max()
}

/// What the `flytekit` decorator of `def` says, split into environment and task settings.
fn collect<'a>(checker: &Checker<'a>, def: &'a StmtFunctionDef) -> Option<Collected<'a>> {
    let kind = checker.flyte_kind(def)?;
    let decorator = def.decorator_list.iter().find(|d| {
        let callee = crate::rules::decorator_callee(&d.expression);
        checker.resolves_to(
            callee,
            &[
                "flytekit.task",
                "flytekit.workflow",
                "flytekit.dynamic",
                "flytekit.eager",
            ],
        )
    })?;
    let call = match &decorator.expression {
        Expr::Call(call) => Some(call),
        _ => None,
    };
    let mut c = Collected {
        def,
        decorator,
        call,
        kind,
        settings: BTreeMap::new(),
        names: Vec::new(),
        removed: Vec::new(),
        edits: Vec::new(),
        notes: Vec::new(),
        blocker: None,
        imports: Vec::new(),
    };
    // A move suppressed on the decorator's line does not happen: the function stays.
    if checker.suppressed(decorator.range().start(), kind.decorator_rule()) {
        c.blocker = Some(format!(
            "its {} is suppressed",
            kind.decorator_rule().code()
        ));
        return Some(c);
    }
    // In the async style, FM301/FM302 say how the calls run (orchestration.rs).
    let sync = checker.style == crate::settings::Style::Sync;
    if kind == FlyteKind::Workflow {
        c.notes.push(if sync {
            "the workflow body now runs as Python at run time and its calls run one after another"
                .to_string()
        } else {
            "the workflow body now runs as Python at run time".to_string()
        });
    }
    if sync && kind == FlyteKind::Dynamic || kind == FlyteKind::Eager {
        c.notes
            .push("child tasks of a sync task run one after another".to_string());
    }
    if def.decorator_list.len() > 1 {
        c.notes
            .push("other decorators now wrap a Flyte 2 task".to_string());
        if let Err(why) =
            crate::rules::constructs::other_decorators_convert(checker, def, decorator)
        {
            c.blocker = Some(why);
            return Some(c);
        }
    }
    let Some(call) = call else {
        return Some(c);
    };
    if !call.arguments.args.is_empty() {
        c.blocker = Some("the decorator has positional arguments".to_string());
        return Some(c);
    }
    let mut resources = ResourceSettings::default();
    let mut cache_done = false;
    for kw in &call.arguments.keywords {
        let Some(name) = keyword_name(kw) else {
            c.blocker = Some("the decorator takes `**` arguments".to_string());
            continue;
        };
        let value = &kw.value;
        let text = checker.text(value.range()).to_string();
        match (kind, name) {
            (_, "container_image") => {
                if value.is_string_literal_expr() {
                    c.notes
                        .push("the image must now contain the `flyte` package".to_string());
                }
                match image_spec_move(checker, value) {
                    Ok(note) => c.notes.extend(note),
                    Err(why) => c.blocker = Some(why),
                }
                c.settings.insert("image", text);
                c.names.extend(names_in(value));
                c.removed.push(kw.range);
            }
            (_, "environment") => {
                c.settings.insert("env_vars", text);
                c.names.extend(names_in(value));
                c.removed.push(kw.range);
            }
            (_, "secret_requests") => {
                // The environment takes `flyte.Secret`s: one that FM406 cannot write keeps the
                // task where it is.
                if unconverted_secret(checker, value, 8) {
                    c.blocker = Some(
                        "a `Secret` of `secret_requests=` has no automatic `flyte.Secret` form \
                         (FM406 says why), and a `TaskEnvironment` takes only Flyte 2's"
                            .to_string(),
                    );
                }
                c.settings.insert("secrets", text);
                c.names.extend(names_in(value));
                c.removed.push(kw.range);
            }
            (_, "requests" | "limits" | "resources" | "accelerator" | "shared_memory") => {
                resources.add(checker, name, value);
                c.removed.push(kw.range);
            }
            // The pod plugin's config is a pod template of the environment.
            (_, "task_config")
                if let Some(template) = crate::rules::plugins::pod_template(checker, value) =>
            {
                match template {
                    Ok((text, notes)) => {
                        c.settings.insert("pod_template", text);
                        c.names.extend(names_in(value));
                        c.removed.push(kw.range);
                        c.notes.push(
                            "the `Pod` config is the environment's `pod_template=`".to_string(),
                        );
                        c.notes.extend(notes);
                    }
                    Err(why) => c.blocker = Some(why),
                }
                if ["pod_template", "pod_template_name"]
                    .iter()
                    .any(|k| crate::rules::keyword(&call.arguments, k).is_some())
                {
                    c.blocker = Some(
                        "`task_config=Pod(...)` comes with a pod template: merge them by hand"
                            .to_string(),
                    );
                }
            }
            // A backend Flyte 2 does not have: the task runs in a pod of its environment.
            (_, "task_config")
                if let Some(backend) = crate::rules::plugins::elsewhere(checker, value) =>
            {
                c.notes.push(format!(
                    "the task runs in a Kubernetes pod of its environment, with its resources, not \
                     on {backend}: Flyte 2 has no {backend} plugin"
                ));
                c.removed.push(kw.range);
            }
            (_, "task_config") => match crate::rules::plugins::plugin_config(checker, value) {
                Ok(config) => {
                    c.settings.insert("plugin_config", config.text);
                    c.names.extend(names_in(value));
                    c.removed.push(kw.range);
                    c.notes.extend(config.notes);
                    c.imports.extend(config.modules);
                }
                Err(why) => c.blocker = Some(why),
            },
            // The cache settings are rewritten with the decorator, as FM203 would: a task that
            // moved keeping `cache=True` or `cache_version=` would not import.
            (_, "cache" | "cache_version" | "cache_serialize" | "cache_ignore_input_vars") => {
                if !cache_done {
                    cache_done = true;
                    if let Some(cache) = crate::rules::cache::rewrite(checker, &call.arguments) {
                        if cache.fix.is_none() {
                            c.blocker = Some(format!("{}: {}", cache.message, cache.help));
                        }
                        c.removed.extend(cache.removed);
                        c.edits.extend(cache.value);
                        if !cache.safe {
                            c.notes.push(
                                "the cache version now follows the function body".to_string(),
                            );
                        }
                    }
                }
            }
            (_, "retries") => c.notes.push(
                "Flyte 2 retries every user error (not only recoverable ones), without Flyte 1's \
                 cap"
                .to_string(),
            ),
            (_, "timeout") => {}
            // `flytekit.PodTemplate` is `flyte.PodTemplate`, with the same fields; any other
            // flytekit value (a plugin's pod template) has no Flyte 2 form.
            (_, "pod_template") => {
                if let Some(name) = flytekit_name(checker, value, 8, &["flytekit.PodTemplate"]) {
                    c.blocker = Some(format!(
                        "`pod_template=` reads `{name}`, which a Flyte 2 pod template cannot \
                         hold: write the `flyte.PodTemplate` by hand"
                    ));
                }
            }
            (_, "interruptible") if kind != FlyteKind::Workflow => {}
            (_, "pod_template_name") => {
                if let Some(arg) = &kw.arg {
                    c.edits.push(Edit::replace(arg.range, "pod_template"));
                }
            }
            (_, "enable_deck") => match bool_literal(value) {
                Some(true) => {
                    if let Some(arg) = &kw.arg {
                        c.edits.push(Edit::replace(arg.range, "report"));
                    }
                }
                Some(false) => c.removed.push(kw.range),
                None => c.blocker = Some("`enable_deck=` is not a literal".to_string()),
            },
            (_, "disable_deck") => match bool_literal(value) {
                Some(false) => {
                    if let Some(arg) = &kw.arg {
                        c.edits.push(Edit::replace(arg.range, "report"));
                    }
                    c.edits.push(Edit::replace(value.range(), "True"));
                }
                Some(true) => c.removed.push(kw.range),
                None => c.blocker = Some("`disable_deck=` is not a literal".to_string()),
            },
            (_, "pickle_untyped" | "execution_mode") => c.removed.push(kw.range),
            (_, "deck_fields") => {
                c.notes
                    .push("Flyte 2 reports do not render deck fields".to_string());
                c.removed.push(kw.range);
            }
            (_, "deprecated") => {
                c.notes
                    .push("Flyte 2 has no deprecation message for tasks".to_string());
                c.removed.push(kw.range);
            }
            (_, "docs") => match documentation(checker, value) {
                Ok((replacement, note)) => {
                    c.edits.push(Edit::replace(value.range(), replacement));
                    c.notes.extend(note);
                }
                Err(why) => c.blocker = Some(why),
            },
            (FlyteKind::Workflow, "interruptible") => {
                c.notes.push(
                    "`interruptible` no longer passes from a workflow to its tasks".to_string(),
                );
                c.removed.push(kw.range);
            }
            (FlyteKind::Workflow, "failure_policy") => match checker.resolve(value).as_deref() {
                // Flyte 1's default is what a Flyte 2 task does: the first failure raises.
                Some("flytekit.WorkflowFailurePolicy.FAIL_IMMEDIATELY") => c.removed.push(kw.range),
                Some("flytekit.WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE") => {
                    c.notes.push(
                        "Flyte 2 fails the task at the first failed call, where \
                         `failure_policy=` let the calls that did not depend on it run to the end \
                         (a local flytekit run stopped at the first failure too)"
                            .to_string(),
                    );
                    c.removed.push(kw.range);
                }
                _ => {
                    c.blocker = Some(
                        "`failure_policy=` is not a `WorkflowFailurePolicy` member".to_string(),
                    )
                }
            },
            (FlyteKind::Workflow, "on_failure") => {
                match crate::rules::failure::handler(checker, c.def, value) {
                    Ok(_) => {
                        c.notes.push(
                            "the body runs in `try:`, and `except Exception` calls the \
                             `on_failure=` handler with the inputs, then raises again (the error \
                             it is given has Flyte 2's message and no failed node)"
                                .to_string(),
                        );
                        c.removed.push(kw.range);
                    }
                    Err(why) => {
                        let handler = checker.text(value.range());
                        c.blocker = Some(format!(
                            "Flyte 2 has no failure handler, and the body cannot call \
                             `{handler}(...)` in an `except` here: {why}"
                        ));
                    }
                }
            }
            (_, other) => {
                c.blocker = Some(format!(
                    "`{other}=` needs a hand migration (see the rule's documentation)"
                ));
            }
        }
    }
    if let Some(merged) = resources.finish(checker) {
        c.settings.insert("resources", merged);
    }
    c.notes.append(&mut resources.notes);
    c.names.append(&mut resources.names);
    if let Some(blocker) = resources.blocker.take() {
        c.blocker.get_or_insert(blocker);
    }
    Some(c)
}

/// `docs=Documentation(short_description=...)` → `flyte.Documentation(description=...)`.
fn documentation(checker: &Checker, value: &Expr) -> Result<(String, Option<String>), String> {
    let Expr::Call(call) = value else {
        return Err("`docs=` is not a `Documentation(...)` call".to_string());
    };
    if !checker.resolves_to(&call.func, &["flytekit.Documentation"]) {
        return Err("`docs=` is not a `Documentation(...)` call".to_string());
    }
    let mut short = call.arguments.args.first();
    let mut dropped = call.arguments.args.len() > 1;
    for kw in &call.arguments.keywords {
        match keyword_name(kw) {
            Some("short_description") => short = Some(&kw.value),
            _ => dropped = true,
        }
    }
    let description = short.map_or_else(
        || "None".to_string(),
        |e| checker.text(e.range()).to_string(),
    );
    let note = dropped.then(|| {
        "`flyte.Documentation` keeps only the short description (the docstring is the long one)"
            .to_string()
    });
    Ok((
        format!("flyte.Documentation(description={description})"),
        note,
    ))
}

/// What moving a task whose image is `value` takes when that image is (or may be) an
/// `ImageSpec`, which a `TaskEnvironment` rejects (a `TypeError` at import): FM501's unsafe fix,
/// in this module or in the project module it comes from, as a note; or why it cannot move (an
/// `ImageSpec` FM501 does not convert). An image from outside the project may be one too.
fn image_spec_move(checker: &Checker, value: &Expr) -> Result<Option<String>, String> {
    let name = checker.text(value.range());
    if let Some(image) = crate::rules::images::image_spec(checker, value) {
        return if crate::rules::images::converts_eventually(checker, image) {
            Ok(Some(
                "the `ImageSpec` becomes a `flyte.Image` (FM501)".to_string(),
            ))
        } else {
            Err(
                "its `ImageSpec` has no automatic `flyte.Image` form (FM501 says why), and a \
                 `TaskEnvironment` rejects an `ImageSpec`"
                    .to_string(),
            )
        };
    }
    let (Some(project), Some(reference)) = (
        checker.project,
        crate::project::value_reference(checker, value),
    ) else {
        return Ok(None);
    };
    if !project.in_project(&reference) {
        return Ok(Some(format!(
            "`{name}` comes from outside the project: it must be a `flyte.Image` or an image URI"
        )));
    }
    match project.lookup(&reference) {
        crate::project::Lookup::Image { converts: true } => Ok(Some(format!(
            "the `ImageSpec` `{name}` of another module becomes a `flyte.Image` there (FM501)"
        ))),
        crate::project::Lookup::Image { converts: false } => Err(format!(
            "its image `{name}` is an `ImageSpec` of another module with no automatic \
             `flyte.Image` form (FM501 says why there), and a `TaskEnvironment` rejects an \
             `ImageSpec`"
        )),
        _ => Ok(None),
    }
}

/// Whether a `flytekit.Secret(...)` call that FM406 does not rewrite is in a value, or in the
/// module-level values of the names it reads (`depth` levels deep).
fn unconverted_secret<'a>(checker: &Checker<'a>, value: &'a Expr, depth: u8) -> bool {
    search_value(checker, value, depth, &|expr| match expr {
        Expr::Call(call)
            if checker.resolves_to(&call.func, &["flytekit.Secret"])
                && !crate::rules::secrets::converts(checker, call) =>
        {
            Probe::Found(())
        }
        _ => Probe::Walk,
    })
    .is_some()
}

/// The values a name read is bound to at module level, every one of them when the name is bound
/// more than once.
fn module_values<'a>(checker: &Checker<'a>, name: &'a ExprName) -> impl Iterator<Item = &'a Expr> {
    let module_level = checker
        .semantic
        .binding_of(name.range.start())
        .is_some_and(|b| b.scope == 0);
    checker
        .semantic
        .bindings_in(0, name.id.as_str())
        .filter(move |_| module_level)
        .filter_map(|b| match &b.kind {
            BindingKind::Assignment { value, .. } => Some(*value),
            _ => None,
        })
}

/// The names an expression reads.
fn names_in(expr: &Expr) -> Vec<TextSize> {
    struct Names(Vec<TextSize>);
    impl<'a> Visitor<'a> for Names {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(name) = expr {
                self.0.push(name.range.start());
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut names = Names(Vec::new());
    names.visit_expr(expr);
    names.0
}

/// Requests, limits and the other resource settings of one decorator, merged.
#[derive(Default)]
pub struct ResourceSettings<'a> {
    /// What changes in behaviour.
    pub notes: Vec<String>,
    /// Why the settings cannot be merged, if they cannot.
    pub blocker: Option<String>,
    /// Names the values read.
    pub names: Vec<TextSize>,
    /// v2 field → (request text, limit text).
    fields: BTreeMap<&'static str, (Option<String>, Option<String>)>,
    accelerator: Option<&'a Expr>,
    /// Every GPU count given, as an integer when it is one (a name bound once at module level
    /// to a literal is that literal).
    gpu_counts: Vec<Option<u64>>,
    shm: Option<String>,
    /// A whole `Resources` value that is not a literal call (a variable).
    opaque: Vec<(String, String, &'a Expr)>,
    /// Write cpu and memory as `(request, limit)` pairs whenever a limit is given, so that the
    /// serialized requests and limits are Flyte 1's (for plugin pods the backend does not adjust).
    pub exact: bool,
}

/// The GPU count of a merged `gpu` value: the value itself when it is an integer, else the count
/// every `gpu=` gave when they agree (each a literal, or a name bound to one).
fn gpu_count(value: &str, counts: &[Option<u64>]) -> Option<u64> {
    value.trim_matches('"').parse().ok().or(match counts {
        [Some(n), rest @ ..] if rest.iter().all(|c| *c == Some(*n)) => Some(*n),
        _ => None,
    })
}

/// Field order of `flyte.Resources`.
const FIELD_ORDER: &[&str] = &["cpu", "memory", "gpu", "disk", "shm"];

impl<'a> ResourceSettings<'a> {
    /// Add one `requests=`/`limits=`/`resources=`/`accelerator=`/`shared_memory=` setting.
    pub fn add(&mut self, checker: &Checker, name: &str, value: &'a Expr) {
        match name {
            "accelerator" => self.accelerator = Some(value),
            "shared_memory" => match value {
                Expr::BooleanLiteral(b) if b.value => {
                    self.shm = Some("\"auto\"".to_string());
                    self.notes.push(
                        "`shm=\"auto\"` is the node's maximum, not the task's memory".to_string(),
                    );
                }
                Expr::BooleanLiteral(_) | Expr::NoneLiteral(_) => {}
                other => self.shm = Some(checker.text(other.range()).to_string()),
            },
            _ => {
                let Expr::Call(call) = value else {
                    self.opaque.push((
                        name.to_string(),
                        checker.text(value.range()).to_string(),
                        value,
                    ));
                    self.names.extend(names_in(value));
                    return;
                };
                if !checker.resolves_to(&call.func, &["flytekit.Resources", "flyte.Resources"]) {
                    self.blocker = Some(format!("`{name}=` is not a `Resources(...)` call"));
                    return;
                }
                self.names.extend(names_in(value));
                let positional = ["cpu", "memory", "gpu", "disk"];
                let fields = call
                    .arguments
                    .args
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (positional.get(i).copied(), a))
                    .chain(call.arguments.keywords.iter().filter_map(|k| {
                        let field = match keyword_name(k) {
                            Some(crate::rules::resources::NO_EFFECT_FIELD) => return None,
                            Some("mem" | "memory") => Some("memory"),
                            Some("ephemeral_storage" | "disk") => Some("disk"),
                            Some("cpu") => Some("cpu"),
                            Some("gpu") => Some("gpu"),
                            Some("shm") => Some("shm"),
                            _ => None,
                        };
                        Some((field, &k.value))
                    }));
                for (field, value) in fields {
                    let Some(field) = field else {
                        self.blocker =
                            Some("a `Resources` field has no Flyte 2 equivalent".to_string());
                        continue;
                    };
                    if field == "gpu" {
                        let counts = match value {
                            Expr::Tuple(t) => t.elts.iter().collect(),
                            Expr::List(l) => l.elts.iter().collect(),
                            other => vec![other],
                        };
                        self.gpu_counts.extend(counts.into_iter().map(|c| {
                            crate::rules::count_literal(crate::rules::module_constant(checker, c))
                        }));
                    }
                    let entry = self.fields.entry(field).or_default();
                    match name {
                        "requests" => {
                            entry.0 = Some(v2_value(checker, field, value, &mut self.blocker))
                        }
                        "limits" => {
                            entry.1 = Some(v2_value(checker, field, value, &mut self.blocker))
                        }
                        _ => match value {
                            // `resources=` takes (request, limit) pairs, or one value for both.
                            Expr::Tuple(t) if t.elts.len() == 2 => {
                                entry.0 =
                                    Some(v2_value(checker, field, &t.elts[0], &mut self.blocker));
                                entry.1 =
                                    Some(v2_value(checker, field, &t.elts[1], &mut self.blocker));
                            }
                            Expr::List(l) if l.elts.len() == 2 => {
                                entry.0 =
                                    Some(v2_value(checker, field, &l.elts[0], &mut self.blocker));
                                entry.1 =
                                    Some(v2_value(checker, field, &l.elts[1], &mut self.blocker));
                            }
                            other => {
                                let v = v2_value(checker, field, other, &mut self.blocker);
                                entry.0 = Some(v.clone());
                                entry.1 = Some(v);
                            }
                        },
                    }
                }
            }
        }
    }

    /// The merged `flyte.Resources(...)` (or the variable that holds one), if any.
    pub fn finish(&mut self, checker: &Checker<'a>) -> Option<String> {
        // `requests=same, limits=same` is `resources=same`: one value is its own limit, as an
        // equal literal request and limit are written.
        if !self.exact
            && let [(first, a, _), (second, b, _)] = self.opaque.as_slice()
            && a == b
            && matches!(
                (first.as_str(), second.as_str()),
                ("requests", "limits") | ("limits", "requests")
            )
        {
            self.opaque.retain(|(kind, _, _)| kind == "requests");
        }
        // Values that cannot be kept as one variable (`requests=small, limits=large`, or a
        // variable whose GPU count an `accelerator=` types) are read through: a name bound once
        // at module level to a `Resources(...)` call is that call.
        if self.opaque.len() > 1
            || (!self.opaque.is_empty() && (!self.fields.is_empty() || self.accelerator.is_some()))
        {
            for (kind, text, value) in std::mem::take(&mut self.opaque) {
                match crate::rules::module_value(checker, value) {
                    Some(call @ Expr::Call(c))
                        if checker
                            .resolves_to(&c.func, &["flytekit.Resources", "flyte.Resources"]) =>
                    {
                        // The merged value copies the call: the name itself is not read.
                        let read = names_in(value);
                        self.names.retain(|n| !read.contains(n));
                        self.add(checker, &kind, call);
                    }
                    _ => self.opaque.push((kind, text, value)),
                }
            }
        }
        let mut fields: Vec<(&str, String)> = Vec::new();
        for &field in FIELD_ORDER {
            let Some((request, limit)) = self.fields.get(field) else {
                continue;
            };
            let paired = self.exact && (field == "cpu" || field == "memory");
            let value = match (request, limit) {
                (Some(r), Some(l)) if paired => format!("({r}, {l})"),
                (None, Some(l)) if paired => {
                    self.notes.push(format!(
                        "the `{field}` limit {l} is also its request, as Kubernetes makes it"
                    ));
                    format!("({l}, {l})")
                }
                (Some(r), Some(l)) if r == l => r.clone(),
                (Some(r), Some(l)) if field == "cpu" || field == "memory" => format!("({r}, {l})"),
                (Some(r), Some(l)) => {
                    self.notes.push(format!(
                        "Flyte 2 has one `{field}` value: the request {r} is kept, the limit {l} is not"
                    ));
                    r.clone()
                }
                (Some(r), None) => r.clone(),
                (None, Some(l)) => {
                    self.notes
                        .push(format!("the `{field}` limit {l} becomes a request"));
                    l.clone()
                }
                (None, None) => continue,
            };
            fields.push((field, value));
        }
        if let Some(accelerator) = self.accelerator {
            match accelerator_type(checker, accelerator) {
                Some(gpu) => match fields.iter_mut().find(|(f, _)| *f == "gpu") {
                    // Already typed (`"T4:1"`), as FM202 writes it.
                    Some((_, value)) if value.contains(':') => {}
                    Some((_, value)) => match gpu_count(value, &self.gpu_counts) {
                        Some(0) => {}
                        Some(n) => *value = gpu_value(&gpu, n),
                        None => {
                            self.blocker = Some(
                                "the GPU count with `accelerator=` is not a literal".to_string(),
                            )
                        }
                    },
                    None => {
                        self.blocker = Some(
                            "`accelerator=` comes without a GPU count: write \
                             `gpu=\"<type>:<count>\"` by hand"
                                .to_string(),
                        )
                    }
                },
                None => {
                    self.blocker = Some(
                        "the accelerator has no Flyte 2 GPU type: pick one by hand".to_string(),
                    )
                }
            }
        }
        if let Some(shm) = self.shm.take() {
            fields.retain(|(f, _)| *f != "shm");
            fields.push(("shm", shm));
        }
        match (fields.is_empty(), self.opaque.as_slice()) {
            (true, []) => None,
            (false, []) => {
                let args: Vec<String> = fields.iter().map(|(f, v)| format!("{f}={v}")).collect();
                Some(format!("flyte.Resources({})", args.join(", ")))
            }
            (true, [(kind, text, _)]) => {
                let text = text.clone();
                if kind == "limits" {
                    self.notes.push("the limits become requests".to_string());
                }
                Some(text)
            }
            _ => {
                self.blocker = Some(
                    "requests and limits given as variables cannot be merged automatically: \
                     write one `flyte.Resources(cpu=(request, limit), memory=(request, limit))`"
                        .to_string(),
                );
                None
            }
        }
    }
}

/// A `Resources` value as `flyte.Resources` takes it.
fn v2_value(checker: &Checker, field: &str, value: &Expr, blocker: &mut Option<String>) -> String {
    let text = checker.text(value.range()).to_string();
    match (field, value) {
        ("memory" | "disk" | "shm", Expr::NumberLiteral(_)) => quote(&text),
        ("gpu", Expr::StringLiteral(s)) if !s.value.to_str().contains(':') => {
            match count_literal(value) {
                Some(n) => n.to_string(),
                None => {
                    *blocker = Some(format!("`gpu={text}` is not a count"));
                    text
                }
            }
        }
        ("cpu" | "memory", Expr::List(l)) if l.elts.len() == 2 => {
            let a = v2_value(checker, field, &l.elts[0], blocker);
            let b = v2_value(checker, field, &l.elts[1], blocker);
            format!("({a}, {b})")
        }
        ("gpu", value) if !value.is_literal_expr() && !value.is_list_expr() => {
            match v2_gpu(checker, value) {
                Ok(v2) => v2.unwrap_or(text),
                Err(why) => {
                    *blocker = Some(why);
                    text
                }
            }
        }
        ("memory" | "disk" | "shm", value)
            if !value.is_literal_expr() && !value.is_list_expr() && !value.is_tuple_expr() =>
        {
            match v2_string(checker, field, value) {
                Ok(v2) => v2.unwrap_or(text),
                Err(why) => {
                    *blocker = Some(why);
                    text
                }
            }
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn names_match_flyte_2() {
        assert_eq!(sanitize("my_pipeline"), "my_pipeline");
        assert_eq!(sanitize("My-Pipeline v2"), "my_pipeline_v2");
        assert_eq!(sanitize("__init__"), "init");
        assert_eq!(sanitize("01 train"), "01_train");
        assert_eq!(sanitize("---"), "");
    }
}
