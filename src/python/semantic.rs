//! Which local names are bound to which imported objects.
//!
//! One pass over the module records every scope, every binding and every name that is read;
//! then each read is resolved to the binding Python would use. Rules then ask "is this expression
//! `flytekit.Resources`?" through [`SemanticModel::resolve`], never by spelling.

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    self as ast, Alias, Comprehension, ExceptHandler, Expr, ExprContext, Parameters, Pattern, Stmt,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::known;

pub type ScopeId = usize;
pub type BindingId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class,
    Function,
    /// Comprehensions: their own names, but they run where they stand.
    Comprehension,
}

#[derive(Debug)]
struct Scope<'a> {
    kind: ScopeKind,
    parent: Option<ScopeId>,
    bindings: HashMap<&'a str, Vec<BindingId>>,
    globals: Vec<&'a str>,
}

#[derive(Debug, Clone)]
pub enum BindingKind<'a> {
    /// `import a.b` (binds `a`), `import a.b as c`, `from a import b as c`: the module path or
    /// object the name stands for.
    Import {
        qualified: String,
        stmt: &'a Stmt,
        alias: &'a Alias,
    },
    /// `name = value` (or `name: T = value`) with a single name target.
    Assignment { value: &'a Expr, stmt: &'a Stmt },
    /// A function parameter, with its annotation.
    Parameter { annotation: Option<&'a Expr> },
    /// Anything else: parameters, loop targets, `def`, `class`, `with ... as`, …
    Other,
}

#[derive(Debug, Clone)]
pub struct Binding<'a> {
    pub name: &'a str,
    pub range: TextRange,
    pub scope: ScopeId,
    pub kind: BindingKind<'a>,
    pub uses: u32,
}

#[derive(Debug)]
struct Load<'a> {
    name: &'a str,
    at: TextSize,
    scope: ScopeId,
    /// Inside a function body: runs after the whole module executed.
    deferred: bool,
}

/// The result of the binding pass over one module.
pub struct SemanticModel<'a> {
    scopes: Vec<Scope<'a>>,
    bindings: Vec<Binding<'a>>,
    /// Name-load offset → the binding it reads.
    resolved: HashMap<TextSize, BindingId>,
    /// Scope of every function, lambda, class and comprehension, by (start, kind tag).
    node_scopes: HashMap<(TextSize, u8), ScopeId>,
    string_ranges: Vec<TextRange>,
    source: &'a str,
    /// In-house names that stand for flytekit ones.
    mappings: &'a [(String, String)],
}

impl<'a> SemanticModel<'a> {
    pub fn build(body: &'a [Stmt], source: &'a str, mappings: &'a [(String, String)]) -> Self {
        Self::build_with(body, source, mappings, &[])
    }

    /// [`SemanticModel::build`], where the names `reexports` gives (by the range of their
    /// `from` import's name) are imports of those flytekit names: another module of the project
    /// imported them from flytekit (`from .common import task`, `common.py` importing `task`
    /// from flytekit).
    pub fn build_with(
        body: &'a [Stmt],
        source: &'a str,
        mappings: &'a [(String, String)],
        reexports: &'a [(TextRange, String)],
    ) -> Self {
        let mut builder = Builder {
            reexports,
            depth: 0,
            in_annotation: 0,
            scopes: vec![Scope {
                kind: ScopeKind::Module,
                parent: None,
                bindings: HashMap::default(),
                globals: Vec::new(),
            }],
            bindings: Vec::new(),
            loads: Vec::new(),
            stack: vec![0],
            node_scopes: HashMap::default(),
            string_ranges: Vec::new(),
        };
        builder.visit_body(body);
        let Builder {
            scopes,
            mut bindings,
            loads,
            node_scopes,
            string_ranges,
            ..
        } = builder;
        let mut model = SemanticModel {
            scopes,
            bindings: Vec::new(),
            resolved: HashMap::with_capacity_and_hasher(loads.len(), Default::default()),
            node_scopes,
            string_ranges,
            source,
            mappings,
        };
        for load in &loads {
            if let Some(id) = model.lookup(&bindings, load) {
                bindings[id].uses += 1;
                model.resolved.insert(load.at, id);
            }
        }
        model.bindings = bindings;
        model
    }

    fn lookup(&self, bindings: &[Binding<'a>], load: &Load<'a>) -> Option<BindingId> {
        let mut scope_id = load.scope;
        let mut origin = true;
        loop {
            let scope = &self.scopes[scope_id];
            let skip = scope.kind == ScopeKind::Class && !origin;
            if scope.globals.contains(&load.name) && scope.kind != ScopeKind::Module {
                scope_id = 0;
                origin = false;
                continue;
            }
            if !skip && let Some(ids) = scope.bindings.get(load.name) {
                let before = ids
                    .iter()
                    .rev()
                    .copied()
                    .find(|&id| bindings[id].range.start() <= load.at);
                match scope.kind {
                    ScopeKind::Function | ScopeKind::Comprehension => {
                        return before.or_else(|| ids.first().copied());
                    }
                    ScopeKind::Class => {
                        if before.is_some() {
                            return before;
                        }
                    }
                    ScopeKind::Module => {
                        return if load.deferred {
                            ids.last().copied()
                        } else {
                            before
                        };
                    }
                }
            }
            scope_id = scope.parent?;
            origin = false;
        }
    }

    /// The binding a name read at `name_start` resolves to.
    pub fn binding_of(&self, name_start: TextSize) -> Option<&Binding<'a>> {
        self.resolved.get(&name_start).map(|&id| &self.bindings[id])
    }

    /// Every name read that resolves to a binding: where the name starts, and the binding.
    pub fn resolutions(&self) -> impl Iterator<Item = (TextSize, &Binding<'a>)> {
        self.resolved
            .iter()
            .map(|(&at, &id)| (at, &self.bindings[id]))
    }

    pub fn bindings(&self) -> &[Binding<'a>] {
        &self.bindings
    }

    /// Every binding of `name` in `scope` itself, in source order.
    pub fn bindings_in(&self, scope: ScopeId, name: &str) -> impl Iterator<Item = &Binding<'a>> {
        self.scopes
            .get(scope)
            .and_then(|s| s.bindings.get(name))
            .into_iter()
            .flatten()
            .map(|&id| &self.bindings[id])
    }

    pub fn scope_kind(&self, scope: ScopeId) -> ScopeKind {
        self.scopes[scope].kind
    }

    /// The scope a function, lambda, class or comprehension node opens.
    pub fn scope_of_node(&self, start: TextSize, tag: u8) -> Option<ScopeId> {
        self.node_scopes.get(&(start, tag)).copied()
    }

    /// The canonical qualified name an expression stands for, through imports and attribute
    /// access (`fk.Resources` → `flytekit.Resources`, `flytekit.core.task.task` → `flytekit.task`).
    pub fn resolve(&self, expr: &Expr) -> Option<String> {
        self.resolve_within(expr, 0)
    }

    /// Aliases (`R = flytekit.Resources`) are followed this many times at most.
    const MAX_ALIASES: usize = 8;

    fn resolve_within(&self, expr: &Expr, aliases: usize) -> Option<String> {
        let mut segments: Vec<&str> = Vec::new();
        let mut current = expr;
        loop {
            match current {
                Expr::Attribute(attr) => {
                    segments.push(attr.attr.id.as_str());
                    current = &attr.value;
                }
                Expr::Name(name) => {
                    let binding = self.binding_of(name.range.start())?;
                    let mut out = match &binding.kind {
                        BindingKind::Import { qualified, .. } => qualified.clone(),
                        BindingKind::Assignment { value, .. }
                            if aliases < Self::MAX_ALIASES
                                && matches!(**value, Expr::Name(_) | Expr::Attribute(_)) =>
                        {
                            self.resolve_within(value, aliases + 1)?
                        }
                        _ => return None,
                    };
                    for segment in segments.iter().rev() {
                        out.push('.');
                        out.push_str(segment);
                    }
                    // The name as written is most often canonical already: keep its string.
                    let renamed = match known::canonical(&out) {
                        std::borrow::Cow::Borrowed(name) if std::ptr::eq(name, out.as_str()) => {
                            None
                        }
                        name => Some(name.into_owned()),
                    };
                    return Some(self.mapped(renamed.unwrap_or(out)));
                }
                _ => return None,
            }
        }
    }

    /// A qualified name through the in-house mappings (`mycompany.flyte.task` → `flytekit.task`).
    fn mapped(&self, qualified: String) -> String {
        for (name, target) in self.mappings {
            if qualified == *name {
                return known::canonical(target).into_owned();
            }
            if let Some(rest) = qualified.strip_prefix(name.as_str())
                && rest.starts_with('.')
            {
                return known::canonical(&format!("{target}{rest}")).into_owned();
            }
        }
        qualified
    }

    /// Whether `expr` resolves to one of `names` (canonical qualified names).
    pub fn resolves_to(&self, expr: &Expr, names: &[&str]) -> bool {
        self.resolve(expr)
            .is_some_and(|q| names.iter().any(|n| *n == q))
    }

    /// Whether a module-level name is bound to anything but the module `module` itself
    /// (`import os` and `import os.path` both bind `os` to the module `os`).
    pub fn module_name_conflicts(&self, name: &str, module: &str) -> bool {
        self.scopes[0].bindings.get(name).is_some_and(|ids| {
            ids.iter().any(|&id| match &self.bindings[id].kind {
                BindingKind::Import { qualified, .. } => qualified != module,
                _ => true,
            })
        })
    }

    /// A module-level import before `before` that binds the name `module` to that module
    /// (an import further down would run after code that needs it).
    pub fn has_module_import(&self, module: &str, before: TextSize) -> bool {
        let Some((head, _)) = module.split_once('.') else {
            return self.has_import(module, module, before);
        };
        // `import flyte.notify` binds `flyte`: look for the statement's own module name.
        self.scopes[0].bindings.get(head).is_some_and(|ids| {
            ids.iter().any(|&id| {
                let binding = &self.bindings[id];
                binding.range.start() < before
                    && matches!(&binding.kind, BindingKind::Import { alias, stmt, .. }
                        if matches!(stmt, Stmt::Import(_))
                            && alias.asname.is_none()
                            && alias.name.id.as_str() == module)
            })
        })
    }

    /// A module-level import before `before` that binds `name` to `qualified`.
    pub fn has_import(&self, name: &str, qualified: &str, before: TextSize) -> bool {
        self.scopes[0].bindings.get(name).is_some_and(|ids| {
            ids.iter().any(|&id| {
                let binding = &self.bindings[id];
                binding.range.start() < before
                    && matches!(&binding.kind, BindingKind::Import { qualified: q, .. } if q == qualified)
            })
        })
    }

    /// Whether `name` appears as a word inside a string in an annotation or in `__all__`
    /// (`x: "FlyteFile"`, `__all__ = ["task"]`): such names are used.
    pub fn name_in_strings(&self, name: &str) -> bool {
        self.string_ranges.iter().any(|range| {
            let text = &self.source[usize::from(range.start())..usize::from(range.end())];
            contains_word(text, name)
        })
    }
}

fn contains_word(haystack: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    haystack.match_indices(word).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

pub const TAG_FUNCTION: u8 = 0;
pub const TAG_CLASS: u8 = 1;
pub const TAG_LAMBDA: u8 = 2;
pub const TAG_COMPREHENSION: u8 = 3;

struct Builder<'a> {
    /// `from` import names that are flytekit's, by range (sorted).
    reexports: &'a [(TextRange, String)],
    depth: usize,
    /// Inside an annotation (or `__all__`), where strings name things.
    in_annotation: usize,
    scopes: Vec<Scope<'a>>,
    bindings: Vec<Binding<'a>>,
    loads: Vec<Load<'a>>,
    stack: Vec<ScopeId>,
    node_scopes: HashMap<(TextSize, u8), ScopeId>,
    string_ranges: Vec<TextRange>,
}

impl<'a> Builder<'a> {
    fn current(&self) -> ScopeId {
        self.stack.last().copied().unwrap_or(0)
    }

    fn bind(&mut self, name: &'a str, range: TextRange, kind: BindingKind<'a>) {
        let scope = self.current();
        let id = self.bindings.len();
        self.bindings.push(Binding {
            name,
            range,
            scope,
            kind,
            uses: 0,
        });
        self.scopes[scope]
            .bindings
            .entry(name)
            .or_default()
            .push(id);
    }

    fn push_scope(&mut self, kind: ScopeKind, start: TextSize, tag: u8) {
        let id = self.scopes.len();
        self.scopes.push(Scope {
            kind,
            parent: Some(self.current()),
            bindings: HashMap::default(),
            globals: Vec::new(),
        });
        self.node_scopes.insert((start, tag), id);
        self.stack.push(id);
    }

    fn pop_scope(&mut self) {
        self.stack.pop();
    }

    fn deferred(&self) -> bool {
        self.stack
            .iter()
            .any(|&s| self.scopes[s].kind == ScopeKind::Function)
    }

    fn visit_parameter_defaults(&mut self, parameters: &'a Parameters) {
        for p in parameters.iter() {
            if let Some(default) = p.default() {
                self.visit_expr(default);
            }
            if let Some(annotation) = p.annotation() {
                self.visit_annotation(annotation);
            }
        }
    }

    fn bind_parameters(&mut self, parameters: &'a Parameters) {
        for p in parameters.iter() {
            let name = p.name();
            self.bind(
                name.id.as_str(),
                name.range,
                BindingKind::Parameter {
                    annotation: p.annotation(),
                },
            );
        }
    }

    fn visit_comprehensions(&mut self, generators: &'a [Comprehension]) {
        for generator in generators {
            self.visit_expr(&generator.iter);
            self.visit_expr(&generator.target);
            for cond in &generator.ifs {
                self.visit_expr(cond);
            }
        }
    }
}

impl<'a> Visitor<'a> for Builder<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        // Past the checker's limit the file is not checked; stop before the stack runs out.
        if self.depth > crate::checker::MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.visit_stmt_inner(stmt);
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.depth > crate::checker::MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.visit_expr_inner(expr);
        self.depth -= 1;
    }

    fn visit_annotation(&mut self, expr: &'a Expr) {
        self.in_annotation += 1;
        self.visit_expr(expr);
        self.in_annotation -= 1;
    }

    fn visit_except_handler(&mut self, handler: &'a ExceptHandler) {
        let ExceptHandler::ExceptHandler(h) = handler;
        if let Some(t) = &h.type_ {
            self.visit_expr(t);
        }
        if let Some(name) = &h.name {
            self.bind(name.id.as_str(), name.range, BindingKind::Other);
        }
        self.visit_body(&h.body);
    }

    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        match pattern {
            Pattern::MatchAs(p) => {
                if let Some(name) = &p.name {
                    self.bind(name.id.as_str(), name.range, BindingKind::Other);
                }
            }
            Pattern::MatchStar(p) => {
                if let Some(name) = &p.name {
                    self.bind(name.id.as_str(), name.range, BindingKind::Other);
                }
            }
            Pattern::MatchMapping(p) => {
                if let Some(name) = &p.rest {
                    self.bind(name.id.as_str(), name.range, BindingKind::Other);
                }
            }
            _ => {}
        }
        visitor::walk_pattern(self, pattern);
    }
}

impl SemanticModel<'_> {
    /// Whether `scope` itself binds `name`.
    pub fn scope_binds(&self, scope: ScopeId, name: &str) -> bool {
        self.scopes
            .get(scope)
            .is_some_and(|s| s.bindings.contains_key(name))
    }
}

impl<'a> Builder<'a> {
    fn visit_stmt_inner(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_decorator(decorator);
                }
                self.visit_parameter_defaults(&def.parameters);
                if let Some(returns) = &def.returns {
                    self.visit_annotation(returns);
                }
                self.bind(def.name.id.as_str(), def.name.range, BindingKind::Other);
                self.push_scope(ScopeKind::Function, def.range.start(), TAG_FUNCTION);
                self.bind_parameters(&def.parameters);
                self.visit_body(&def.body);
                self.pop_scope();
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                self.bind(class.name.id.as_str(), class.name.range, BindingKind::Other);
                self.push_scope(ScopeKind::Class, class.range.start(), TAG_CLASS);
                self.visit_body(&class.body);
                self.pop_scope();
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let full = alias.name.id.as_str();
                    let (bound, qualified) = match &alias.asname {
                        Some(asname) => (asname.id.as_str(), full.to_string()),
                        None => {
                            let head = full.split('.').next().unwrap_or(full);
                            (head, head.to_string())
                        }
                    };
                    self.bind(
                        bound,
                        alias.range,
                        BindingKind::Import {
                            qualified,
                            stmt,
                            alias,
                        },
                    );
                }
            }
            Stmt::ImportFrom(import) => {
                let module = import.module.as_ref().map(|m| m.id.as_str()).unwrap_or("");
                for alias in &import.names {
                    let name = alias.name.id.as_str();
                    if name == "*" {
                        continue;
                    }
                    let bound = alias.asname.as_ref().map_or(name, |a| a.id.as_str());
                    let reexport = self
                        .reexports
                        .binary_search_by_key(&alias.range.start(), |(r, _)| r.start())
                        .ok()
                        .and_then(|i| self.reexports.get(i))
                        .filter(|(r, _)| *r == alias.range);
                    let kind = if let Some((_, qualified)) = reexport {
                        BindingKind::Import {
                            qualified: qualified.clone(),
                            stmt,
                            alias,
                        }
                    } else if import.level == 0 {
                        BindingKind::Import {
                            qualified: format!("{module}.{name}"),
                            stmt,
                            alias,
                        }
                    } else {
                        BindingKind::Other
                    };
                    self.bind(bound, alias.range, kind);
                }
            }
            Stmt::Global(global) => {
                let scope = self.current();
                for name in &global.names {
                    self.scopes[scope].globals.push(name.id.as_str());
                }
            }
            Stmt::Assign(assign) if matches!(assign.targets.as_slice(), [Expr::Name(n)] if n.id.as_str() == "__all__") =>
            {
                // Names exported by `__all__` are used.
                self.in_annotation += 1;
                self.visit_expr(&assign.value);
                self.in_annotation -= 1;
                for target in &assign.targets {
                    self.visit_expr(target);
                }
            }
            Stmt::Assign(assign) => {
                self.visit_expr(&assign.value);
                for target in &assign.targets {
                    match target {
                        Expr::Name(name) if assign.targets.len() == 1 => self.bind(
                            name.id.as_str(),
                            name.range,
                            BindingKind::Assignment {
                                value: &assign.value,
                                stmt,
                            },
                        ),
                        _ => self.visit_expr(target),
                    }
                }
            }
            Stmt::AnnAssign(assign) => {
                self.visit_annotation(&assign.annotation);
                if let Some(value) = &assign.value {
                    self.visit_expr(value);
                }
                match (&*assign.target, &assign.value) {
                    (Expr::Name(name), Some(value)) => self.bind(
                        name.id.as_str(),
                        name.range,
                        BindingKind::Assignment { value, stmt },
                    ),
                    (target, _) => self.visit_expr(target),
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr_inner(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(name) => match name.ctx {
                // `del name` reads the binding it removes: it is a use.
                ExprContext::Load | ExprContext::Del => {
                    let scope = self.current();
                    let deferred = self.deferred();
                    self.loads.push(Load {
                        name: name.id.as_str(),
                        at: name.range.start(),
                        scope,
                        deferred,
                    });
                }
                ExprContext::Store => self.bind(name.id.as_str(), name.range, BindingKind::Other),
                ExprContext::Invalid => {}
            },
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    self.visit_parameter_defaults(parameters);
                }
                self.push_scope(ScopeKind::Function, lambda.range.start(), TAG_LAMBDA);
                if let Some(parameters) = &lambda.parameters {
                    self.bind_parameters(parameters);
                }
                self.visit_expr(&lambda.body);
                self.pop_scope();
            }
            Expr::ListComp(ast::ExprListComp {
                elt,
                generators,
                range,
                ..
            })
            | Expr::SetComp(ast::ExprSetComp {
                elt,
                generators,
                range,
                ..
            })
            | Expr::Generator(ast::ExprGenerator {
                elt,
                generators,
                range,
                ..
            }) => {
                self.push_scope(ScopeKind::Comprehension, range.start(), TAG_COMPREHENSION);
                self.visit_comprehensions(generators);
                self.visit_expr(elt);
                self.pop_scope();
            }
            Expr::DictComp(comp) => {
                self.push_scope(
                    ScopeKind::Comprehension,
                    comp.range.start(),
                    TAG_COMPREHENSION,
                );
                self.visit_comprehensions(&comp.generators);
                if let Some(key) = &comp.key {
                    self.visit_expr(key);
                }
                self.visit_expr(&comp.value);
                self.pop_scope();
            }
            Expr::StringLiteral(s) if self.in_annotation > 0 => self.string_ranges.push(s.range()),
            _ => visitor::walk_expr(self, expr),
        }
    }
}
