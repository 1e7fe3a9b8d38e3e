//! The project index: what each module of the project is called and which of its top-level
//! names are tasks, and in which environment each task lives after migration.
//!
//! A cheap first pass over the Python files being checked, plus (read-only) the project modules
//! they import, transitively. For each module it records its dotted name and, for each
//! top-level flytekit function, the environment variable the environment planner
//! ([`crate::env::plan`]) gives it and whether the fix that moves it applies; for each function
//! already decorated `@X.task` of a `flyte.TaskEnvironment` `X`, that `X`; and its top-level
//! imports (re-exports are followed). The per-file pass asks the index two things: the module's
//! name (environment names derive from it) and, for a task imported from another module, the
//! environment to list in `depends_on`.
//!
//! A check that waits for no file's result (`--statistics`, the document formats) needs no
//! first pass: it checks every file with an index of no module, collecting the imports the
//! first pass would read ([`Project::given_targets`]), then indexes them
//! ([`Project::index_imports`]) and checks again only the files whose check looked up another
//! module of the project ([`ModuleContext::consulted`]). Whether an import names a project file
//! does not depend on the index, so the other files' results are final.
//!
//! **Names.** A module's dotted name is its path below the topmost directory of its chain of
//! regular packages (directories with an `__init__.py`): `team_a/tasks.py` next to
//! `team_a/__init__.py` is `team_a.tasks`, wherever the command was started and whatever paths
//! it was given, so a file fixed alone (a pre-commit hook) is named as it is when its directory
//! is fixed. A file with no `__init__.py` beside it has no package context and is named by its
//! stem (a namespace-package module or a script): a name can only depend on the file itself.
//!
//! **Imports** resolve as Python would find the project's modules: relative ones from the
//! importing file's directory; absolute ones below, in order, the importing module's package
//! root (its own directory when it has no package), the directory above the nearest enclosing
//! directory named like the import's first part (a namespace package importing itself), the
//! nearest directory above it holding `pyproject.toml`, `setup.py` or `setup.cfg` (and its
//! `src/`), then the extra roots the command line gives (the directories named on it, the
//! configuration file's folder and the current directory). Namespace packages (directories
//! without `__init__.py`) resolve too. The other modules are only read, never written.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::checker::{Checker, FlyteKind};
use crate::diagnostic::Applicability;
use crate::importer::Importer;
use crate::registry::Rule;
use crate::semantic::{BindingKind, SemanticModel};
use crate::settings::Settings;
use crate::source::{LineEnding, Locator};

/// How many rounds of imported modules the index reads beyond the given files.
const MAX_IMPORT_DEPTH: usize = 6;
/// How many re-exports a lookup follows.
const MAX_REEXPORTS: usize = 8;

/// What a top-level name of a module is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbol {
    /// A flytekit function: the environment variable it gets, with the applicability of the
    /// fix that moves it (`None` when it stays on Flyte 1, with why).
    Flytekit {
        kind: FlyteKind,
        env_var: String,
        applicability: Option<Applicability>,
        why_not: Option<String>,
    },
    /// A Flyte 2 task: `@X.task` of the module's `flyte.TaskEnvironment` `X`, with the
    /// applicability of the fix `X` is one only after (`None`: it already is; an actor: FM624's).
    Flyte2 {
        env_var: String,
        applicability: Option<Applicability>,
    },
    /// A `flyte.TaskEnvironment` variable.
    Environment,
    /// A name imported from elsewhere (a re-export).
    Import(ImportRef),
    /// `name = ImageSpec(...)` (or a chain from one), bound once: whether FM501 makes it a
    /// `flyte.Image` (a `TaskEnvironment` of another module that reads it rejects it otherwise).
    Image { converts: bool },
    /// `name = functools.partial(<flytekit decorator>, kw=...)`: the decorator's qualified
    /// name and the keywords as written; every name they read is a module-level assignment of
    /// the module, bound once (so another module can import it).
    Partial {
        decorator: String,
        keywords: Vec<(String, String)>,
        names: Vec<String>,
        /// The names the keywords read that the module imports from flytekit or as the
        /// module `flyte` (`Resources` of `from flytekit import Resources`, `flyte` of
        /// `import flyte`), with the module they come from (`None`: the name is the module).
        imports: Vec<(String, Option<String>)>,
    },
}

/// One import: `from <level dots><module> import <name>`, or `import <module>` (no name).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportRef {
    pub level: u32,
    pub module: String,
    pub name: Option<String>,
}

impl ImportRef {
    /// The module as the import statement spells it (`.tasks`, `team_a.tasks`).
    pub fn spelling(&self) -> String {
        format!("{}{}", ".".repeat(self.level as usize), self.module)
    }
}

/// One module of the index.
#[derive(Debug)]
pub struct Module {
    /// The dotted name, `None` without package context (then the stem names it).
    pub dotted: Option<String>,
    pub path: PathBuf,
    /// What could be read, or why nothing could.
    pub symbols: Result<HashMap<String, Symbol>, String>,
    /// Its top-level imports.
    imports: Vec<ImportRef>,
    /// Names of other modules each of its tasks and workflows reads, by function.
    references: HashMap<String, Vec<Reference>>,
}

impl Module {
    /// Index one module's text (what the project index records for it).
    pub fn index(path: &Path, text: &str, settings: &Settings) -> Module {
        index_module(path, text, settings, None)
    }

    /// The name environments derive from: the dotted name, or the stem.
    pub fn name(&self) -> String {
        self.dotted
            .clone()
            .unwrap_or_else(|| crate::module_name(Some(&self.path)))
    }
}

/// The index of a project's modules, by canonical path.
#[derive(Debug, Default)]
pub struct Project {
    modules: HashMap<PathBuf, Module>,
    /// Extra roots for absolute imports (command-line directories, config folder, cwd).
    roots: Vec<PathBuf>,
    /// The import roots of each directory holding a module, once computed.
    roots_by_dir: std::sync::Mutex<HashMap<OsString, std::sync::Arc<Vec<PathBuf>>>>,
    /// The names of the modules and packages directly in each root, once read (most imports
    /// name no project module: one look at the root rules them out).
    names_in_root: std::sync::Mutex<HashMap<OsString, std::sync::Arc<HashSet<String>>>>,
    /// Each directory's canonical form and package (`package_of`), once computed: every file
    /// checked asks for its own.
    dirs: std::sync::Mutex<HashMap<OsString, std::sync::Arc<Dir>>>,
    /// The nearest directory holding a project file, by directory, once looked for.
    project_dirs: std::sync::Mutex<HashMap<OsString, Option<PathBuf>>>,
    /// The file each import resolves to, by importing directory, level and module.
    resolved: std::sync::Mutex<HashMap<(OsString, u32, String), Option<PathBuf>>>,
    /// Whether each project file read for the gate reaches flytekit ([`Project::reaches_flytekit`]).
    reaching: std::sync::Mutex<HashMap<PathBuf, bool>>,
}

/// What a directory holding checked files is.
#[derive(Debug)]
struct Dir {
    canonical: PathBuf,
    package: Option<(String, PathBuf)>,
}

/// A file to index: its path and, when it is not to be read from disk (standard input), its
/// text.
pub struct Input<'a> {
    pub path: &'a Path,
    pub text: Option<&'a str>,
}

/// What a name used in a function body refers to in another module of the project.
#[derive(Debug)]
pub enum Lookup<'p> {
    /// Not a project module, or not a function that flytekit or flyte knows.
    Nothing,
    /// The module exists but could not be read or parsed.
    Unknown { path: &'p Path, why: &'p str },
    /// A module-level `ImageSpec` of a module ([`Symbol::Image`]).
    Image { converts: bool },
    /// A task (or workflow) of a module.
    Task {
        module: &'p Module,
        name: String,
        symbol: &'p Symbol,
        /// Where the task's name is among the reference's attributes; `None` when the head
        /// name itself is the task (`from .tasks import t`).
        position: Option<usize>,
    },
}

/// The canonical form of a path, to identify files (the path itself when it does not exist).
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Whether the index reads a given file for its imports: a Python module (`.py`), not a
/// command file.
pub fn indexes(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py")
        && crate::commands::CommandFile::detect(path, b"").is_none()
}

/// The dotted name of a Python file from its chain of regular packages, and the directory the
/// chain starts in; `None` when the file has no `__init__.py` beside it (or a directory of the
/// chain is not a Python identifier).
pub fn dotted_name(path: &Path) -> Option<(String, PathBuf)> {
    let path = canonical(path);
    in_package(&path, package_of(path.parent()?))
}

/// The dotted name of the canonical `path` in the package chain of its directory.
fn in_package(path: &Path, package: Option<(String, PathBuf)>) -> Option<(String, PathBuf)> {
    let (package, root) = package?;
    let stem = path.file_stem()?.to_str()?;
    if stem == "__init__" {
        Some((package, root))
    } else if crate::rules::is_identifier(stem) {
        Some((format!("{package}.{stem}"), root))
    } else {
        None
    }
}

/// The dotted name of the regular package that is the canonical directory `dir`, and the
/// directory its chain starts in; `None` without `__init__.py` (or when a directory of the
/// chain is not a Python identifier).
fn package_of(dir: &Path) -> Option<(String, PathBuf)> {
    if !dir.join("__init__.py").is_file() {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    let mut package = dir;
    let root = loop {
        parts.push(package.file_name()?.to_str()?);
        let parent = package.parent()?;
        if !parent.join("__init__.py").is_file() {
            break parent;
        }
        package = parent;
    };
    if !parts.iter().all(|p| crate::rules::is_identifier(p)) {
        return None;
    }
    parts.reverse();
    Some((parts.join("."), root.to_path_buf()))
}

/// The environment name for a module: each dotted part as Flyte 2 spells names
/// (`^[a-z0-9]+([_-][a-z0-9]+)*$`), joined by `-` (`team_a.workflows` → `team_a-workflows`).
pub fn environment_name(module: &str) -> String {
    module
        .split('.')
        .map(crate::env::sanitize)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Whether `dir` holds `pyproject.toml`, `setup.py` or `setup.cfg`.
fn has_project_file(dir: &Path) -> bool {
    ["pyproject.toml", "setup.py", "setup.cfg"]
        .iter()
        .any(|f| dir.join(f).is_file())
}

/// `base/a/b.py` or `base/a/b/__init__.py` for `a.b`.
fn module_file(base: &Path, module: &str) -> Option<PathBuf> {
    let mut dir = base.to_path_buf();
    let parts: Vec<&str> = module.split('.').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        let init = dir.join("__init__.py");
        return init.is_file().then_some(init);
    }
    for part in &parts[..parts.len() - 1] {
        dir.push(part);
    }
    let last = parts[parts.len() - 1];
    let file = dir.join(format!("{last}.py"));
    if file.is_file() {
        return Some(file);
    }
    let init = dir.join(last).join("__init__.py");
    init.is_file().then_some(init)
}

impl Project {
    /// Index `inputs` and, read-only, the project modules they import. `settings` gives each
    /// file's settings (which rules run decides which functions move); `roots` are the extra
    /// roots for absolute imports.
    pub fn build<'s>(
        inputs: &[Input],
        roots: &[PathBuf],
        settings: &(dyn Fn(&Path) -> std::borrow::Cow<'s, Settings> + Sync),
    ) -> Project {
        let mut project = Project::new(roots);
        // The given files are only parsed for their imports: a module enters the index when
        // another imports it (its own name needs no index).
        let given: Vec<(PathBuf, Option<&str>, Vec<PathBuf>)> = inputs
            .par_iter()
            .filter(|input| indexes(input.path))
            .filter_map(|input| {
                let owned;
                let text = match input.text {
                    Some(text) => text,
                    None => {
                        let bytes = std::fs::read(input.path).ok()?;
                        if !crate::python_worth_checking(&bytes, &settings(input.path))
                            && !project.reaches_flytekit(input.path, &bytes)
                        {
                            return None;
                        }
                        owned = crate::source::SourceText::decode(bytes).ok()?.text;
                        &owned
                    }
                };
                let path = canonical(input.path);
                if !project.may_import_project(&path, text) {
                    return Some((path, input.text, Vec::new()));
                }
                let parsed = crate::parse(text).ok()?;
                let targets = project.targets_of(&path, &parsed.syntax().body);
                Some((path, input.text, targets))
            })
            .collect();
        // Standard input stands for its file.
        let texts: HashMap<PathBuf, &str> = given
            .iter()
            .filter_map(|(path, text, _)| text.map(|t| (path.clone(), t)))
            .collect();
        let targets = given.into_iter().flat_map(|(_, _, targets)| targets);
        project.index_imports(targets, &texts, settings);
        project
    }

    /// An index with no modules yet; `roots` are the extra roots for absolute imports.
    pub fn new(roots: &[PathBuf]) -> Project {
        Project {
            modules: HashMap::default(),
            roots: roots.iter().map(|r| canonical(r)).collect(),
            roots_by_dir: std::sync::Mutex::default(),
            names_in_root: std::sync::Mutex::default(),
            dirs: std::sync::Mutex::default(),
            project_dirs: std::sync::Mutex::default(),
            resolved: std::sync::Mutex::default(),
            reaching: std::sync::Mutex::default(),
        }
    }

    /// The gate's second look, for a Python file whose bytes never mention flytekit: whether
    /// one of its import lines names a project module that does, directly or through the
    /// modules it imports (`from .common import task`, `common.py` importing `task` from
    /// flytekit). Such a file may use flytekit's names, so it is checked.
    pub fn reaches_flytekit(&self, path: &Path, bytes: &[u8]) -> bool {
        if !indexes(path) {
            return false;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            return false;
        };
        if !text.contains("import") {
            return false;
        }
        self.imports_reach(&canonical(path), text, 0)
    }

    fn known_reach(&self, path: &Path) -> Option<bool> {
        self.reaching
            .lock()
            .ok()
            .and_then(|cache| cache.get(path).copied())
    }

    fn remember_reach(&self, path: &Path, reaches: bool) {
        if let Ok(mut cache) = self.reaching.lock() {
            cache.insert(path.to_path_buf(), reaches);
        }
    }

    /// Whether an import line of `text` (the module at `path`) names a project module that
    /// reaches flytekit.
    fn imports_reach(&self, path: &Path, text: &str, depth: usize) -> bool {
        if depth > MAX_REEXPORTS || !self.may_import_project(path, text) {
            return false;
        }
        import_lines(text)
            .into_iter()
            .any(|(level, module, names)| {
                let Some(target) = self.resolve_module(path, level, module) else {
                    return false;
                };
                // `from . import common`: the names may be submodules of the package.
                let submodules = names.into_iter().filter_map(|name| {
                    target
                        .file_name()
                        .is_some_and(|f| f == "__init__.py")
                        .then(|| target.parent().and_then(|d| module_file(d, name)))
                        .flatten()
                        .map(|p| canonical(&p))
                });
                std::iter::once(target.clone())
                    .chain(submodules)
                    .any(|module| module != path && self.module_reaches(&module, depth + 1))
            })
    }

    /// Whether the project file at `path` mentions flytekit or imports a module that does.
    fn module_reaches(&self, path: &Path, depth: usize) -> bool {
        if let Some(known) = self.known_reach(path) {
            return known;
        }
        // Not yet known: `false` while it is looked at (an import cycle ends there).
        self.remember_reach(path, false);
        let reaches = std::fs::read(path).is_ok_and(|bytes| {
            crate::python::mentions_flytekit(&bytes)
                || std::str::from_utf8(&bytes)
                    .is_ok_and(|text| self.imports_reach(path, text, depth))
        });
        self.remember_reach(path, reaches);
        reaches
    }

    /// The project files a given file's imports name, as [`Project::build`] finds them: none
    /// when no line of `text` may import a project module. `path` is canonical.
    pub fn given_targets(&self, path: &Path, text: &str, body: &[Stmt]) -> Vec<PathBuf> {
        if self.may_import_project(path, text) {
            self.targets_of(path, body)
        } else {
            Vec::new()
        }
    }

    fn targets_of(&self, path: &Path, body: &[Stmt]) -> Vec<PathBuf> {
        imports_of(body)
            .iter()
            .flat_map(|import| self.import_targets(path, import))
            .collect()
    }

    /// Index, read-only, the modules `targets` names (the files the given files import) and
    /// those they import, transitively. `texts` stand for files (standard input). Whether
    /// every module they reach was indexed: `false` when an import chain was deeper than the
    /// index reads.
    pub fn index_imports<'s>(
        &mut self,
        targets: impl IntoIterator<Item = PathBuf>,
        texts: &HashMap<PathBuf, &str>,
        settings: &(dyn Fn(&Path) -> std::borrow::Cow<'s, Settings> + Sync),
    ) -> bool {
        // Each module is indexed with the project files its imports name (resolved in parallel).
        let with_targets = |project: &Project, module: Module| {
            let targets: Vec<PathBuf> = module
                .imports
                .iter()
                .flat_map(|import| project.import_targets(&module.path, import))
                .collect();
            (module, targets)
        };
        let mut wave: Vec<(Module, Vec<PathBuf>)> = Vec::new();
        let mut first: Vec<PathBuf> = Vec::new();
        let mut queued: HashSet<PathBuf> = HashSet::default();
        for target in targets {
            if queued.insert(target.clone()) {
                first.push(target);
            }
        }
        let read = |path: &PathBuf, reexports_from: Option<&Project>| -> Module {
            if let Some(text) = texts.get(path) {
                return index_module(path, text, &settings(path), reexports_from);
            }
            match std::fs::read(path) {
                Ok(bytes) => match crate::source::SourceText::decode(bytes) {
                    Ok(source) => index_module(path, &source.text, &settings(path), reexports_from),
                    Err(e) => unreadable(path, e.to_string()),
                },
                Err(e) => unreadable(path, crate::discover::io_message(&e)),
            }
        };
        if !first.is_empty() {
            let project = &*self;
            wave = first
                .par_iter()
                .map(|path| with_targets(project, read(path, None)))
                .collect();
        }
        let mut complete = false;
        for _ in 0..=MAX_IMPORT_DEPTH {
            let mut next: Vec<PathBuf> = Vec::new();
            let mut queued: HashSet<PathBuf> = HashSet::default();
            for (module, targets) in wave {
                self.modules.entry(module.path.clone()).or_insert(module);
                for target in targets {
                    if queued.insert(target.clone()) {
                        next.push(target);
                    }
                }
            }
            next.retain(|p| !self.modules.contains_key(p));
            if next.is_empty() {
                complete = true;
                break;
            }
            let project = &*self;
            wave = next
                .par_iter()
                .map(|path| with_targets(project, read(path, None)))
                .collect();
        }
        // A module is indexed before the modules it imports, so its flytekit names taken
        // through them (`from .sdk import task`) are known only now: those modules are indexed
        // again with them, or their tasks would not be tasks to the modules that call them.
        let project = &*self;
        let again: Vec<Module> = self
            .modules
            .values()
            .filter(|module| project.imports_flytekit_through_project(module))
            .map(|module| module.path.clone())
            .collect::<Vec<_>>()
            .par_iter()
            .map(|path| read(path, Some(project)))
            .collect();
        for module in again {
            self.modules.insert(module.path.clone(), module);
        }
        complete
    }

    /// Whether a module imports a name that another module of the project imported from
    /// flytekit.
    fn imports_flytekit_through_project(&self, module: &Module) -> bool {
        let Ok(symbols) = &module.symbols else {
            return false;
        };
        symbols.values().any(|symbol| {
            let Symbol::Import(import) = symbol else {
                return false;
            };
            let Some(name) = import.name.as_deref() else {
                return false;
            };
            if import.level == 0 && is_flytekit_module(&import.module) {
                return false;
            }
            self.resolve_module(&module.path, import.level, &import.module)
                .is_some_and(|target| {
                    target != module.path && self.flytekit_in(&target, name, 0).is_some()
                })
        })
    }

    /// The indexed module of a file.
    pub fn module(&self, path: &Path) -> Option<&Module> {
        self.modules.get(&canonical(path))
    }

    /// The modules of the index.
    pub fn modules(&self) -> impl Iterator<Item = &Module> {
        self.modules.values()
    }

    /// The context for checking the file at `path`.
    pub fn context(&self, path: &Path) -> ModuleContext<'_> {
        // `canonical` and `dotted_name`, with what belongs to the directory computed once.
        let dir = path.parent().map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        });
        let plain = || std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_symlink());
        let (path, package) = match (dir, path.file_name()) {
            (Some(dir), Some(file)) if plain() => {
                let dir = self.dir(dir);
                (dir.canonical.join(file), dir.package.clone())
            }
            _ => {
                let path = canonical(path);
                let package = path.parent().and_then(package_of);
                (path, package)
            }
        };
        let name = match self.modules.get(&path) {
            Some(module) => module.name(),
            None => in_package(&path, package)
                .map(|(d, _)| d)
                .unwrap_or_else(|| crate::module_name(Some(&path))),
        };
        ModuleContext {
            project: self,
            path,
            name,
            consulted: std::cell::Cell::new(false),
        }
    }

    /// The nearest directory above `dir` (or `dir`) holding a project file, with what each
    /// directory holds looked at once.
    fn project_dir(&self, dir: &Path) -> Option<PathBuf> {
        let mut seen: Vec<&Path> = Vec::new();
        let mut found = None;
        for d in dir.ancestors() {
            let known = self
                .project_dirs
                .lock()
                .ok()
                .and_then(|cache| cache.get(d.as_os_str()).cloned());
            if let Some(known) = known {
                found = known;
                break;
            }
            seen.push(d);
            if has_project_file(d) {
                found = Some(d.to_path_buf());
                break;
            }
        }
        if let Ok(mut cache) = self.project_dirs.lock() {
            for d in seen {
                cache.insert(d.as_os_str().to_owned(), found.clone());
            }
        }
        found
    }

    /// A directory's canonical form and package, computed once.
    fn dir(&self, dir: &Path) -> std::sync::Arc<Dir> {
        let known = self
            .dirs
            .lock()
            .ok()
            .and_then(|cache| cache.get(dir.as_os_str()).cloned());
        known.unwrap_or_else(|| {
            let canonical = canonical(dir);
            let package = package_of(&canonical);
            let found = std::sync::Arc::new(Dir { canonical, package });
            if let Ok(mut cache) = self.dirs.lock() {
                cache.insert(dir.as_os_str().to_owned(), found.clone());
            }
            found
        })
    }

    /// The file a module import names, seen from the file `from` (it depends on the file's
    /// directory only: computed once for each).
    fn resolve_module(&self, from: &Path, level: u32, module: &str) -> Option<PathBuf> {
        let key = (
            from.parent()
                .map(Path::as_os_str)
                .unwrap_or_default()
                .to_owned(),
            level,
            module.to_string(),
        );
        if let Some(known) = self
            .resolved
            .lock()
            .ok()
            .and_then(|cache| cache.get(&key).cloned())
        {
            return known;
        }
        let found = self.resolve_module_uncached(from, level, module);
        if let Ok(mut cache) = self.resolved.lock() {
            cache.insert(key, found.clone());
        }
        found
    }

    fn resolve_module_uncached(&self, from: &Path, level: u32, module: &str) -> Option<PathBuf> {
        if level > 0 {
            let mut base = from.parent()?;
            for _ in 1..level {
                base = base.parent()?;
            }
            return module_file(base, module).map(|p| canonical(&p));
        }
        if module.is_empty() {
            return None;
        }
        let dir = from.parent()?;
        let roots = self.roots_of(dir);
        let (own, rest) = roots.split_first()?;
        // A module of a namespace package importing its own package (`team_a/workflows.py`
        // without `__init__.py`, `from team_a.tasks import t`): the directory above it.
        let first = module.split('.').next().unwrap_or(module);
        let namespace = dir
            .ancestors()
            .find(|d| d.file_name().is_some_and(|n| n == first))
            .and_then(Path::parent);
        std::iter::once(own.as_path())
            .chain(namespace)
            .chain(rest.iter().map(PathBuf::as_path))
            .filter(|root| self.root_has(root, first))
            .find_map(|root| module_file(root, module))
            .map(|p| canonical(&p))
    }

    /// Whether a line of `text` may import a module of the project: a relative import, or one
    /// whose first part is in one of the file's import roots. A cheap look at the lines, so
    /// that files importing only libraries are not parsed twice.
    fn may_import_project(&self, path: &Path, text: &str) -> bool {
        let Some(dir) = path.parent() else {
            return false;
        };
        // What the roots and the enclosing directories are called, read at the first import.
        let names = std::cell::OnceCell::new();
        let names = || {
            names.get_or_init(|| {
                let roots = self.roots_of(dir);
                let in_roots: Vec<_> = roots.iter().map(|root| self.names_in(root)).collect();
                let enclosing: Vec<&std::ffi::OsStr> =
                    dir.ancestors().filter_map(Path::file_name).collect();
                (in_roots, enclosing)
            })
        };
        let found = |first: &str| {
            if first.is_empty() {
                return false;
            }
            let (in_roots, enclosing) = names();
            in_roots.iter().any(|names| names.contains(first))
                || enclosing.iter().any(|n| *n == first)
        };
        fn head(s: &str) -> &str {
            let s = s.trim_start();
            let end = s
                .char_indices()
                .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
                .map_or(s.len(), |(i, _)| i);
            &s[..end]
        }
        import_line_texts(text).any(|line| {
            if let Some(rest) = line.strip_prefix("from") {
                let rest = rest.trim_start_matches([' ', '\t', '\\']);
                rest.starts_with('.') || found(head(rest))
            } else if let Some(rest) = line.strip_prefix("import") {
                rest.starts_with([' ', '\t', '\\'])
                    && rest
                        .split('#')
                        .next()
                        .unwrap_or_default()
                        .split([',', ';'])
                        .any(|item| found(head(item)))
            } else {
                false
            }
        })
    }

    /// Whether `root` holds a module or package named `name` (`name.py` or `name/`).
    fn root_has(&self, root: &Path, name: &str) -> bool {
        self.names_in(root).contains(name)
    }

    /// The names of the modules and packages in `root`, read once.
    fn names_in(&self, root: &Path) -> std::sync::Arc<HashSet<String>> {
        let known = self
            .names_in_root
            .lock()
            .ok()
            .and_then(|cache| cache.get(root.as_os_str()).cloned());
        known.unwrap_or_else(|| {
            let names: HashSet<String> = std::fs::read_dir(root)
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|entry| {
                    let file = entry.file_name().into_string().ok()?;
                    Some(
                        file.strip_suffix(".py")
                            .map_or(file.clone(), str::to_string),
                    )
                })
                .collect();
            let names = std::sync::Arc::new(names);
            if let Ok(mut cache) = self.names_in_root.lock() {
                cache.insert(root.as_os_str().to_owned(), names.clone());
            }
            names
        })
    }

    /// The roots absolute imports of the modules in `dir` resolve from (see the module
    /// documentation), computed once per directory.
    fn roots_of(&self, dir: &Path) -> std::sync::Arc<Vec<PathBuf>> {
        if let Some(known) = self
            .roots_by_dir
            .lock()
            .ok()
            .and_then(|cache| cache.get(dir.as_os_str()).cloned())
        {
            return known;
        }
        let mut roots: Vec<PathBuf> = Vec::new();
        // `dotted_name(dir/__init__.py)`, from what is known of the directory unless the
        // `__init__.py` is a link (to another package).
        let init = dir.join("__init__.py");
        let package = if std::fs::symlink_metadata(&init).is_ok_and(|m| m.is_symlink()) {
            dotted_name(&init)
        } else {
            self.dir(dir).package.clone()
        };
        roots.push(package.map_or_else(|| dir.to_path_buf(), |(_, r)| r));
        if let Some(project) = self.project_dir(dir) {
            roots.push(project.to_path_buf());
            roots.push(project.join("src"));
        }
        roots.extend(self.roots.iter().cloned());
        roots.dedup();
        let roots = std::sync::Arc::new(roots);
        if let Ok(mut cache) = self.roots_by_dir.lock() {
            cache.insert(dir.as_os_str().to_owned(), roots.clone());
        }
        roots
    }

    /// The project files an import may read: the module, and for `from m import n` the
    /// submodule `m.n` when there is one.
    fn import_targets(&self, from: &Path, import: &ImportRef) -> Vec<PathBuf> {
        let mut targets = Vec::new();
        if let Some(module) = self.resolve_module(from, import.level, &import.module) {
            if let Some(name) = &import.name
                && module.file_name().is_some_and(|n| n == "__init__.py")
                && let Some(sub) = module.parent().and_then(|d| module_file(d, name))
            {
                targets.push(canonical(&sub));
            }
            targets.push(module);
        }
        targets
    }

    /// The flytekit name `name` of the module at `path` stands for, when the module imports it
    /// from flytekit, directly or through other modules of the project.
    fn flytekit_in(&self, path: &Path, name: &str, depth: usize) -> Option<String> {
        let symbols = self.modules.get(path)?.symbols.as_ref().ok()?;
        let Symbol::Import(import) = symbols.get(name)? else {
            return None;
        };
        if import.level == 0 && is_flytekit_module(&import.module) {
            return Some(match &import.name {
                Some(inner) => format!("{}.{inner}", import.module),
                None => import.module.clone(),
            });
        }
        if depth >= MAX_REEXPORTS {
            return None;
        }
        let inner = import.name.as_deref()?;
        let target = self.resolve_module(path, import.level, &import.module)?;
        (target != path)
            .then(|| self.flytekit_in(&target, inner, depth + 1))
            .flatten()
    }

    /// What `name` of the module `module` is, following re-exports and submodules;
    /// `attrs` are attributes read after it (`tk.t` is module `tk`, attribute `t`).
    fn lookup_in<'p>(
        &'p self,
        module_path: &Path,
        name: Option<&str>,
        attrs: &[&str],
        at: Option<usize>,
        depth: usize,
    ) -> Lookup<'p> {
        let Some(module) = self.modules.get(module_path) else {
            return Lookup::Nothing;
        };
        let mut name = name.map(str::to_string);
        let mut attrs = attrs;
        let mut position = at;
        if name.is_none() {
            // The module itself: the next attribute names something in it.
            let Some((first, rest)) = attrs.split_first() else {
                return Lookup::Nothing;
            };
            name = Some((*first).to_string());
            attrs = rest;
            position = Some(at.map_or(0, |p| p + 1));
        }

        let Some(name) = name else {
            return Lookup::Nothing;
        };
        let symbols = match &module.symbols {
            Ok(symbols) => symbols,
            Err(why) => {
                return Lookup::Unknown {
                    path: &module.path,
                    why,
                };
            }
        };
        match symbols.get(&name) {
            Some(Symbol::Import(import)) if depth < MAX_REEXPORTS => {
                match self.resolve_module(&module.path, import.level, &import.module) {
                    Some(target) => {
                        let submodule = import.name.as_ref().and_then(|n| {
                            target
                                .file_name()
                                .is_some_and(|f| f == "__init__.py")
                                .then(|| target.parent().and_then(|d| module_file(d, n)))
                                .flatten()
                                .map(|p| canonical(&p))
                        });
                        let own = import.name.as_deref().and_then(|n| {
                            self.modules
                                .get(&target)
                                .and_then(|m| m.symbols.as_ref().ok())
                                .and_then(|s| s.get(n))
                        });
                        match (own, submodule) {
                            (None, Some(sub)) => {
                                self.lookup_in(&sub, None, attrs, position, depth + 1)
                            }
                            (_, _) if import.name.is_none() => {
                                self.lookup_in(&target, None, attrs, position, depth + 1)
                            }
                            _ => self.lookup_in(
                                &target,
                                import.name.as_deref(),
                                attrs,
                                position,
                                depth + 1,
                            ),
                        }
                    }
                    None => Lookup::Nothing,
                }
            }
            Some(Symbol::Image { converts }) if attrs.is_empty() => Lookup::Image {
                converts: *converts,
            },
            Some(symbol @ (Symbol::Flytekit { .. } | Symbol::Flyte2 { .. })) => Lookup::Task {
                module,
                name,
                symbol,
                position,
            },
            Some(_) => Lookup::Nothing,
            None => {
                // A submodule of a package: `from team_a import tasks`.
                if module.path.file_name().is_some_and(|f| f == "__init__.py")
                    && let Some(sub) = module.path.parent().and_then(|d| module_file(d, &name))
                {
                    return self.lookup_in(&canonical(&sub), None, attrs, position, depth + 1);
                }
                Lookup::Nothing
            }
        }
    }
}

fn unreadable(path: &Path, why: String) -> Module {
    Module {
        dotted: dotted_name(path).map(|(d, _)| d),
        path: canonical(path),
        symbols: Err(why),
        imports: Vec::new(),
        references: HashMap::default(),
    }
}

/// The index entry of one module: the environment planner run on its text.
/// With `project`, the module's `from` imports of flytekit names through other modules of the
/// project are flytekit's names (its re-exports, [`ModuleContext::flytekit_reexports`]).
fn index_module(path: &Path, text: &str, settings: &Settings, project: Option<&Project>) -> Module {
    let dotted = dotted_name(path).map(|(d, _)| d);
    let path = canonical(path);
    let parsed = match crate::parse(text) {
        Ok(parsed) => parsed,
        Err(syntax) => {
            return Module {
                dotted,
                path,
                symbols: Err(syntax.message),
                imports: Vec::new(),
                references: HashMap::default(),
            };
        }
    };
    let body = &parsed.syntax().body;
    let locator = Locator::new(text);
    let line_ending = LineEnding::detect(text);
    let reexports = project.map_or_else(Vec::new, |p| p.context(&path).flytekit_reexports(body));
    let semantic = SemanticModel::build_with(body, text, &settings.mappings, &reexports);
    let importer = Importer::new(body, &locator, line_ending);
    let module_name = dotted
        .clone()
        .unwrap_or_else(|| crate::module_name(Some(&path)));
    let mut checker = Checker::new(
        &locator,
        line_ending,
        &semantic,
        &importer,
        body,
        &module_name,
        settings,
    );
    let mut symbols: HashMap<String, Symbol> = HashMap::default();
    let imports = imports_of(body);
    for stmt in top_level(body) {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    if let Some(asname) = &alias.asname {
                        let import = ImportRef {
                            level: 0,
                            module: alias.name.id.to_string(),
                            name: None,
                        };
                        symbols.insert(asname.id.to_string(), Symbol::Import(import));
                    }
                }
            }
            Stmt::ImportFrom(from) => {
                let module = from.module.as_ref().map(|m| m.id.to_string());
                for alias in &from.names {
                    if alias.name.id.as_str() == "*" {
                        continue;
                    }
                    let import = ImportRef {
                        level: from.level,
                        module: module.clone().unwrap_or_default(),
                        name: Some(alias.name.id.to_string()),
                    };
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    symbols.insert(bound.id.to_string(), Symbol::Import(import));
                }
            }
            Stmt::Assign(assign) => {
                if let (Expr::Call(call), [Expr::Name(target)]) =
                    (&*assign.value, assign.targets.as_slice())
                    && checker.resolves_to(&call.func, &["flyte.TaskEnvironment"])
                {
                    symbols.insert(target.id.to_string(), Symbol::Environment);
                } else if let (Expr::Call(call), [Expr::Name(target)]) =
                    (&*assign.value, assign.targets.as_slice())
                    && let Some(partial) = crate::rules::partials::importable(&checker, call)
                    && semantic.bindings_in(0, target.id.as_str()).count() == 1
                {
                    symbols.insert(target.id.to_string(), partial);
                } else if let [Expr::Name(target)] = assign.targets.as_slice()
                    && semantic.bindings_in(0, target.id.as_str()).count() == 1
                    && let Some(image) = crate::rules::images::image_spec(&checker, &assign.value)
                {
                    let converts = crate::rules::images::converts_eventually(&checker, image);
                    symbols.insert(target.id.to_string(), Symbol::Image { converts });
                }
            }
            _ => {}
        }
    }
    let plan = crate::env::plan(&checker);
    // A decorator whose diagnostic is suppressed (`# noqa: FM204`) gets no fix: it stays.
    let suppressions = crate::noqa::Suppressions::parse(&parsed, &locator);
    let decorators: Vec<crate::diagnostic::Diagnostic> = body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(def) => Some(def),
            _ => None,
        })
        .filter_map(|def| {
            let rule = checker.flyte_kind(def)?.decorator_rule();
            let decorator = def.decorator_list.iter().find(|d| {
                let callee = crate::rules::decorator_callee(&d.expression);
                checker.resolve(callee).is_some_and(|q| {
                    matches!(
                        &*q,
                        "flytekit.task"
                            | "flytekit.workflow"
                            | "flytekit.dynamic"
                            | "flytekit.eager"
                    )
                })
            })?;
            Some(crate::diagnostic::Diagnostic::new(
                rule,
                def.name.id.to_string(),
                decorator.expression.range(),
            ))
        })
        .collect();
    let kept: Vec<crate::diagnostic::Diagnostic> = if decorators.is_empty() {
        Vec::new()
    } else {
        suppressions.apply(decorators.clone(), &locator, &settings.rules)
    };
    let suppressed = |name: &str| {
        decorators.iter().any(|d| d.message == name)
            && !kept
                .iter()
                .any(|d| d.message == name && d.rule != Rule::UnusedSuppression)
    };
    let mut references: HashMap<String, Vec<Reference>> = HashMap::default();
    for stmt in body {
        let Stmt::FunctionDef(def) = stmt else {
            continue;
        };
        let name = def.name.id.to_string();
        if checker.flyte_kind(def).is_some() || crate::env::environment_of(&checker, def).is_some()
        {
            let found = self::references(&checker, def);
            if !found.is_empty() {
                references.insert(name.clone(), found);
            }
        }
        if let Some(kind) = checker.flyte_kind(def) {
            let rule = kind.decorator_rule();
            let Some(function) = plan.functions.get(&def.range.start()) else {
                continue;
            };
            let enabled = settings.rules.contains(rule) && !suppressed(&name);
            let applicability = function
                .fix
                .as_ref()
                .filter(|_| enabled)
                .map(|f| f.applicability);
            let why_not = match (&function.why_not, enabled) {
                (Some(why), _) => Some(why.clone()),
                (None, false) => Some(format!("{} is not selected or suppressed", rule.code())),
                (None, true) => None,
            };
            symbols.insert(
                name,
                Symbol::Flytekit {
                    kind,
                    env_var: function.env_var.clone(),
                    applicability,
                    why_not,
                },
            );
        } else if let Some(env_var) = crate::env::environment_of(&checker, def) {
            let applicability = crate::rules::actors::pending(&checker, &env_var);
            symbols.insert(
                name,
                Symbol::Flyte2 {
                    env_var,
                    applicability,
                },
            );
        } else {
            symbols.remove(&name);
        }
    }
    checker.plan = crate::env::ModulePlan::default();
    Module {
        dotted,
        path,
        symbols: Ok(symbols),
        imports,
        references,
    }
}

/// The module-level imports of a module.
fn imports_of(body: &[Stmt]) -> Vec<ImportRef> {
    let mut imports = Vec::new();
    for stmt in top_level(body) {
        match stmt {
            Stmt::Import(import) => imports.extend(import.names.iter().map(|alias| ImportRef {
                level: 0,
                module: alias.name.id.to_string(),
                name: None,
            })),
            Stmt::ImportFrom(from) => {
                let module = from.module.as_ref().map_or("", |m| m.id.as_str());
                imports.extend(
                    from.names
                        .iter()
                        .filter(|alias| alias.name.id.as_str() != "*")
                        .map(|alias| ImportRef {
                            level: from.level,
                            module: module.to_string(),
                            name: Some(alias.name.id.to_string()),
                        }),
                );
            }
            _ => {}
        }
    }
    imports
}

/// The lines of a module's text that start with `from` or `import` after white space, from
/// the word on, found by searching for the words (most lines import nothing; a `\r` before a
/// `\n` never changes what a line imports).
fn import_line_texts(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let line_at = move |at: usize| {
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        let indent = text.get(start..at)?;
        indent
            .trim_start()
            .is_empty()
            .then(|| text.get(at..end))
            .flatten()
    };
    memchr::memmem::find_iter(bytes, b"from")
        .chain(memchr::memmem::find_iter(bytes, b"import"))
        .filter_map(line_at)
}

/// The import lines of a module's text, read without parsing: `(level, module, names)` of
/// each `from <dots><module> import <names>` and `(0, module, [])` of each module of an
/// `import a, b.c` line. Names on the lines after a `(` are not read.
fn import_lines(text: &str) -> Vec<(u32, &str, Vec<&str>)> {
    fn word(s: &str) -> &str {
        let end = s
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '.'))
            .map_or(s.len(), |(i, _)| i);
        &s[..end]
    }
    let mut found = Vec::new();
    for line in import_line_texts(text) {
        let line = line.split('#').next().unwrap_or_default();
        if let Some(rest) = line.strip_prefix("from")
            && rest.starts_with([' ', '\t'])
        {
            let rest = rest.trim_start();
            let dots = rest.len() - rest.trim_start_matches('.').len();
            let rest = rest[dots..].trim_start();
            let module = word(rest);
            let Some((_, names)) = rest[module.len()..].split_once("import") else {
                continue;
            };
            let names = names
                .trim_start_matches([' ', '\t', '('])
                .split(',')
                .map(|n| word(n.trim_start_matches([' ', '\t', '('])))
                .filter(|n| !n.is_empty() && !n.contains('.'))
                .collect();
            let Ok(level) = u32::try_from(dots) else {
                continue;
            };
            found.push((level, module, names));
        } else if let Some(rest) = line.strip_prefix("import")
            && rest.starts_with([' ', '\t'])
        {
            for item in rest.split([',', ';']) {
                let module = word(item.trim_start());
                if !module.is_empty() {
                    found.push((0, module, Vec::new()));
                }
            }
        }
    }
    found
}

/// Whether a module is flytekit's or a flytekit plugin's.
fn is_flytekit_module(module: &str) -> bool {
    ["flytekit", "flytekitplugins"].iter().any(|sdk| {
        module
            .strip_prefix(sdk)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// Module-level statements, including those inside top-level `if`/`try` blocks.
/// The name of a `from` import among the statements [`top_level`] gives whose range is `range`
/// (only the statement holding the range can hold it: found by position).
fn top_level_alias(
    body: &[Stmt],
    range: ruff_text_size::TextRange,
) -> Option<(&Stmt, &ruff_python_ast::Alias)> {
    let stmt = body.get(body.partition_point(|s| s.end() <= range.start()))?;
    if !stmt.range().contains_range(range) {
        return None;
    }
    match stmt {
        Stmt::If(_) | Stmt::Try(_) => crate::importer::child_bodies(stmt)
            .into_iter()
            .find_map(|child| top_level_alias(child, range)),
        Stmt::ImportFrom(from) => from
            .names
            .iter()
            .find(|a| a.range == range)
            .map(|a| (stmt, a)),
        _ => None,
    }
}

fn top_level(body: &[Stmt]) -> Vec<&Stmt> {
    let mut out = Vec::new();
    for stmt in body {
        match stmt {
            Stmt::If(_) | Stmt::Try(_) => {
                for child in crate::importer::child_bodies(stmt) {
                    out.extend(top_level(child));
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The project seen from one module being checked.
#[derive(Debug, Clone)]
pub struct ModuleContext<'p> {
    project: &'p Project,
    /// The canonical path of the module.
    path: PathBuf,
    name: String,
    /// Whether a lookup read the index: an import of this module named a project module.
    /// Until then what the module's check found cannot depend on which modules are indexed.
    consulted: std::cell::Cell<bool>,
}

/// A name of another module that a function body reads.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The import the head name comes from.
    pub import: ImportRef,
    /// The head name, and where it is read.
    pub head: String,
    pub head_at: ruff_text_size::TextSize,
    /// Attributes read after the head name.
    pub attrs: Vec<String>,
    /// How many of `attrs` belong to the imported module's path (`import a.b` + `a.b.t`: 1).
    pub skip: usize,
    /// The text of the whole reference, for messages.
    pub text: String,
}

impl Reference {
    /// The text of the head and the first `n` attributes (`tk`, `team_a.tasks`).
    pub fn prefix(&self, n: usize) -> String {
        let mut s = self.head.clone();
        for a in self.attrs.iter().take(n) {
            s.push('.');
            s.push_str(a);
        }
        s
    }
}

impl<'p> ModuleContext<'p> {
    /// The module's name (dotted, or the stem).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The canonical path of the module.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a lookup so far named another module of the project (and so read the index).
    pub fn consulted(&self) -> bool {
        self.consulted.get()
    }

    /// Whether the tasks of `module` call, directly or through other modules, tasks of this
    /// module: then importing its environment here would close an import cycle.
    pub fn reached_from(&self, module: &Module) -> bool {
        let mut seen: HashSet<PathBuf> = HashSet::default();
        let mut stack: Vec<&Module> = vec![module];
        while let Some(current) = stack.pop() {
            if !seen.insert(current.path.clone()) || seen.len() > 64 {
                continue;
            }
            let context = ModuleContext {
                project: self.project,
                path: current.path.clone(),
                name: String::new(),
                consulted: std::cell::Cell::new(true),
            };
            for reference in current.references.values().flatten() {
                if let Lookup::Task { module, .. } = context.lookup(reference) {
                    if module.path == self.path {
                        return true;
                    }
                    stack.push(module);
                }
            }
        }
        false
    }

    /// Why the function `name` of `module`, which its own module's plan moves, stays on
    /// Flyte 1 when that module is fixed with the project: a task it calls in yet another
    /// module stays, cannot be read, or closes an import cycle.
    pub fn blocked_in(&self, module: &Module, name: &str, depth: usize) -> Option<String> {
        let context = ModuleContext {
            project: self.project,
            path: module.path.clone(),
            name: module.name(),
            consulted: std::cell::Cell::new(true),
        };
        for reference in module.references.get(name).into_iter().flatten() {
            match context.lookup(reference) {
                Lookup::Nothing | Lookup::Image { .. } => {}
                Lookup::Unknown { path, .. } => {
                    return Some(format!(
                        "it calls a task of `{}`, which cannot be read",
                        path.display()
                    ));
                }
                Lookup::Task {
                    module: target,
                    name: called,
                    symbol,
                    ..
                } => match symbol {
                    Symbol::Flytekit {
                        applicability: None,
                        ..
                    } => {
                        return Some(format!(
                            "it calls `{called}` of `{}`, which stays a Flyte 1 function",
                            target.name()
                        ));
                    }
                    Symbol::Flytekit { .. } => {
                        if context.reached_from(target) {
                            return Some(format!(
                                "its module and `{}` call each other's tasks",
                                target.name()
                            ));
                        }
                        if depth < MAX_REEXPORTS
                            && let Some(why) = context.blocked_in(target, &called, depth + 1)
                        {
                            return Some(why);
                        }
                    }
                    _ => {}
                },
            }
        }
        None
    }

    /// Whether `import` names the module `module` (where a task is defined).
    pub fn defines(&self, import: &ImportRef, module: &Module) -> bool {
        let resolved = self
            .project
            .resolve_module(&self.path, import.level, &import.module);
        if resolved.as_ref().is_some_and(|p| *p != self.path) {
            self.consulted.set(true);
        }
        resolved.is_some_and(|p| p == module.path)
    }

    /// The names of this module's `from` imports that another module of the project imported
    /// from flytekit (or a flytekit plugin), by the range of the imported name, sorted:
    /// `from .common import task` where `common.py` has `from flytekit import task`. They are
    /// flytekit's names here too.
    pub fn flytekit_reexports(&self, body: &[Stmt]) -> Vec<(ruff_text_size::TextRange, String)> {
        let mut found = Vec::new();
        for stmt in top_level(body) {
            let Stmt::ImportFrom(from) = stmt else {
                continue;
            };
            let module = from.module.as_ref().map_or("", |m| m.id.as_str());
            if from.level == 0 && is_flytekit_module(module) {
                continue;
            }
            let Some(path) = self.project.resolve_module(&self.path, from.level, module) else {
                continue;
            };
            if path == self.path {
                continue;
            }
            self.consulted.set(true);
            for alias in &from.names {
                if let Some(qualified) = self.project.flytekit_in(&path, alias.name.as_str(), 0) {
                    found.push((alias.range, qualified));
                }
            }
        }
        found.sort_by_key(|(r, _)| r.start());
        found
    }

    /// Whether a reference's import names a module of the project (a file the index can read).
    pub fn in_project(&self, reference: &Reference) -> bool {
        self.project
            .resolve_module(&self.path, reference.import.level, &reference.import.module)
            .is_some()
    }

    /// What a name imported with `from <module> import <name>` is in that module of the
    /// project (one hop: not through re-exports).
    pub fn imported_symbol(&self, import: &ImportRef) -> Option<&'p Symbol> {
        let name = import.name.as_ref()?;
        let path = self
            .project
            .resolve_module(&self.path, import.level, &import.module)?;
        if path == self.path {
            return None;
        }
        self.consulted.set(true);
        self.project
            .modules
            .get(&path)?
            .symbols
            .as_ref()
            .ok()?
            .get(name)
    }

    /// What a reference found in this module stands for.
    pub fn lookup(&self, reference: &Reference) -> Lookup<'p> {
        let attrs: Vec<&str> = reference.attrs.iter().map(String::as_str).collect();
        let import = &reference.import;
        let Some(module) = self
            .project
            .resolve_module(&self.path, import.level, &import.module)
        else {
            return Lookup::Nothing;
        };
        if module == self.path {
            return Lookup::Nothing;
        }
        self.consulted.set(true);
        match &import.name {
            Some(name) => {
                // `from team_a import tasks`: a submodule unless the package defines the name.
                let defined = self
                    .project
                    .modules
                    .get(&module)
                    .and_then(|m| m.symbols.as_ref().ok())
                    .is_some_and(|s| s.contains_key(name));
                if !defined
                    && module.file_name().is_some_and(|f| f == "__init__.py")
                    && let Some(sub) = module.parent().and_then(|d| module_file(d, name))
                {
                    return self
                        .project
                        .lookup_in(&canonical(&sub), None, &attrs, None, 0);
                }
                self.project.lookup_in(&module, Some(name), &attrs, None, 0)
            }
            None => {
                let skip = reference.skip.min(attrs.len());
                let at = skip.checked_sub(1);
                self.project.lookup_in(&module, None, &attrs[skip..], at, 0)
            }
        }
    }
}

/// The names of other modules a function's body reads: names bound by a module-level import,
/// with the attributes read after them.
pub fn references(checker: &Checker, def: &StmtFunctionDef) -> Vec<Reference> {
    struct Finder<'c, 'a> {
        checker: &'c Checker<'a>,
        found: Vec<Reference>,
        seen: HashSet<String>,
    }
    impl<'a> Visitor<'a> for Finder<'_, 'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            let mut current = expr;
            while let Expr::Attribute(attr) = current {
                current = &attr.value;
            }
            let Expr::Name(head) = current else {
                visitor::walk_expr(self, expr);
                return;
            };
            // Most names are locals, parameters or builtins: no module-level import.
            if !self
                .checker
                .semantic
                .binding_of(head.range.start())
                .is_some_and(|b| {
                    b.scope == 0
                        && matches!(b.kind, BindingKind::Import { .. } | BindingKind::Other)
                })
            {
                return;
            }
            let (_, attrs) = attribute_chain(expr);
            let text = self.checker.text(expr.range());
            if !self.seen.contains(text)
                && let Some(reference) = reference(self.checker, head, &attrs, expr)
            {
                self.seen.insert(text.to_string());
                self.found.push(reference);
            }
        }
    }
    let mut finder = Finder {
        checker,
        found: Vec::new(),
        seen: HashSet::default(),
    };
    finder.visit_body(&def.body);
    finder.found
}

/// What a name read at module level (`image`, `images.gpu`) stands for in another module of the
/// project, when it is imported.
pub fn value_reference(checker: &Checker, expr: &Expr) -> Option<Reference> {
    let (Expr::Name(head), attrs) = attribute_chain(expr) else {
        return None;
    };
    reference(checker, head, &attrs, expr)
}

/// The head of an attribute chain and the names read after it (`a.b.c`: `a`, `["b", "c"]`).
fn attribute_chain(expr: &Expr) -> (&Expr, Vec<&str>) {
    let mut attrs = Vec::new();
    let mut current = expr;
    while let Expr::Attribute(attr) = current {
        attrs.push(attr.attr.id.as_str());
        current = &attr.value;
    }
    attrs.reverse();
    (current, attrs)
}

fn reference(
    checker: &Checker,
    head: &ruff_python_ast::ExprName,
    attrs: &[&str],
    expr: &Expr,
) -> Option<Reference> {
    let binding = checker.semantic.binding_of(head.range.start())?;
    if binding.scope != 0 {
        return None;
    }
    // The import statement that made the binding (relative imports bind `Other`).
    let (stmt, alias) = match &binding.kind {
        BindingKind::Import { stmt, alias, .. } => (*stmt, *alias),
        BindingKind::Other => top_level_alias(checker.module, binding.range)?,
        _ => return None,
    };
    let text = checker.text(expr.range()).to_string();
    let attrs: Vec<String> = attrs.iter().map(|a| a.to_string()).collect();
    match stmt {
        Stmt::ImportFrom(from) => Some(Reference {
            import: ImportRef {
                level: from.level,
                module: from
                    .module
                    .as_ref()
                    .map(|m| m.id.to_string())
                    .unwrap_or_default(),
                name: Some(alias.name.id.to_string()),
            },
            head: head.id.to_string(),
            head_at: head.range.start(),
            attrs,
            skip: 0,
            text,
        }),
        Stmt::Import(_) => {
            let full = alias.name.id.as_str();
            // `import a.b.c` binds `a`; `a.b.c.t` reads `t` of module `a.b.c` (the longest
            // imported prefix); `import a.b as x` binds `x` to `a.b`.
            let (module, skip) = if alias.asname.is_some() {
                (full.to_string(), 0)
            } else {
                let parts: Vec<&str> = full.split('.').collect();
                let mut n = 0;
                while n + 1 < parts.len()
                    && attrs.get(n).map(String::as_str) == parts.get(n + 1).copied()
                {
                    n += 1;
                }
                (parts[..=n].join("."), n)
            };
            if attrs.len() <= skip {
                return None;
            }
            Some(Reference {
                import: ImportRef {
                    level: 0,
                    module,
                    name: None,
                },
                head: head.id.to_string(),
                head_at: head.range.start(),
                attrs,
                skip,
                text,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_package_chain() {
        let temp = tempfile::tempdir().expect("temp dir");
        let root = temp.path();
        for dir in ["src/team_a/sub", "scripts", "ns/inner"] {
            std::fs::create_dir_all(root.join(dir)).expect("creates");
        }
        for file in [
            "src/team_a/__init__.py",
            "src/team_a/sub/__init__.py",
            "ns/inner/__init__.py",
        ] {
            std::fs::write(root.join(file), "").expect("writes");
        }
        let name = |p: &str| dotted_name(&root.join(p)).map(|(d, _)| d);
        assert_eq!(name("src/team_a/tasks.py").as_deref(), Some("team_a.tasks"));
        assert_eq!(
            name("src/team_a/sub/wf.py").as_deref(),
            Some("team_a.sub.wf")
        );
        assert_eq!(name("src/team_a/__init__.py").as_deref(), Some("team_a"));
        // A regular package inside a namespace directory starts the chain.
        assert_eq!(name("ns/inner/mod.py").as_deref(), Some("inner.mod"));
        // No `__init__.py` beside it: no package context.
        assert_eq!(name("scripts/run.py"), None);
        assert_eq!(name("ns/top.py"), None);
    }

    #[test]
    fn environment_names_follow_flyte_2_rules() {
        assert_eq!(environment_name("team_a.workflows"), "team_a-workflows");
        assert_eq!(environment_name("Team_A.__init__"), "team_a-init");
        assert_eq!(environment_name("pipeline"), "pipeline");
        assert_eq!(environment_name("_private._x"), "private-x");
        let flyte = |s: &str| {
            !s.is_empty()
                && s.split(['_', '-']).all(|p| {
                    !p.is_empty()
                        && p.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                })
        };
        for module in ["a.b.c", "A1.__main__", "x__y.z_", "team-a.wf"] {
            assert!(flyte(&environment_name(module)), "{module}");
        }
    }

    #[test]
    fn imports_resolve_relative_absolute_and_through_namespaces() {
        let temp = tempfile::tempdir().expect("temp dir");
        let root = temp.path();
        std::fs::create_dir_all(root.join("pkg/sub")).expect("creates");
        std::fs::create_dir_all(root.join("ns_team")).expect("creates");
        for file in [
            "pkg/__init__.py",
            "pkg/sub/__init__.py",
            "pkg/tasks.py",
            "ns_team/tasks.py",
        ] {
            std::fs::write(root.join(file), "").expect("writes");
        }
        let project = Project::default();
        let from = canonical(&root.join("pkg/sub/wf.py"));
        let tasks = canonical(&root.join("pkg/tasks.py"));
        assert_eq!(
            project.resolve_module(&from, 2, "tasks"),
            Some(tasks.clone())
        );
        assert_eq!(project.resolve_module(&from, 0, "pkg.tasks"), Some(tasks));
        assert_eq!(
            project.resolve_module(&from, 1, ""),
            Some(canonical(&root.join("pkg/sub/__init__.py")))
        );
        assert_eq!(project.resolve_module(&from, 0, "numpy"), None);
        let ns = canonical(&root.join("ns_team/wf.py"));
        assert_eq!(
            project.resolve_module(&ns, 0, "ns_team.tasks"),
            Some(canonical(&root.join("ns_team/tasks.py")))
        );
        assert_eq!(
            project.resolve_module(&ns, 0, "tasks"),
            Some(canonical(&root.join("ns_team/tasks.py")))
        );
    }
}
