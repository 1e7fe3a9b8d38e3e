//! The command line: arguments, running over files in parallel, printing, exit codes.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use rayon::prelude::*;

use crate::config::Config;
use crate::discover::{discover, io_message};
use crate::project::Project;
use crate::registry::{Rule, RuleSelector};
use crate::report::summary::{Progress, SummaryFormat};
use crate::report::{self, Counts, FileResult, OutputFormat, plural};
use crate::settings::{RuleSet, Settings, Style};
use crate::source::SourceText;
use crate::{CheckError, check_file_in, fix_file_in, worth_checking_in};

/// Stack for each worker: deeply nested sources recurse deeply.
const WORKER_STACK: usize = 256 * 1024 * 1024;

/// Move flytekit (Flyte 1) code to the flyte (Flyte 2) SDK.
#[derive(Debug, Parser)]
#[command(name = "flyte-migrate", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report every place that must change for Flyte 2.
    Check(CheckArgs),
    /// Apply fixes (safe ones; unsafe ones too with --unsafe-fixes).
    Fix(FixArgs),
    /// Print a rule's documentation, or list every rule.
    Rule(RuleArgs),
    /// Tabulate migration progress per directory: files, problems by area, fixable share.
    Summary(SummaryArgs),
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Files or directories to check (`-` reads standard input) [default: .]
    pub paths: Vec<PathBuf>,
    /// Output format for problems.
    #[arg(long, value_enum, default_value = "full")]
    pub output_format: OutputFormat,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Exit with 0 even when problems are found.
    #[arg(long)]
    pub exit_zero: bool,
    /// The name of the file read from standard input.
    #[arg(long)]
    pub stdin_filename: Option<PathBuf>,
    /// Print only problems, no summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the effective settings and exit.
    #[arg(long)]
    pub show_settings: bool,
}

/// Which rules run, and where the settings come from: shared by `check`, `fix` and `summary`.
#[derive(Debug, Clone, Args)]
pub struct SelectionArgs {
    /// Only these rules (codes or prefixes, comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = parse_selector)]
    pub select: Vec<RuleSelector>,
    /// Skip these rules (codes or prefixes, comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = parse_selector)]
    pub ignore: Vec<RuleSelector>,
    /// Count unsafe fixes as fixable (and apply them, with `fix`).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// How migrated workflows are written: `async` (awaited calls, independent ones started
    /// together; the default) or `sync` (calls in statement order).
    #[arg(long, value_name = "STYLE", value_parser = parse_style)]
    pub style: Option<Style>,
    /// Enable these rules on top of the selected ones (codes or prefixes, comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = parse_selector)]
    pub extend_select: Vec<RuleSelector>,
    /// Read settings from this file (`pyproject.toml` or `flyte-migrate.toml`).
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long)]
    pub isolated: bool,
    /// Apply `exclude` to files named on the command line too (for pre-commit).
    #[arg(long)]
    pub force_exclude: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Count the problems of each rule instead of listing them.
    #[arg(long)]
    pub statistics: bool,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub output_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Print a unified diff of the fixes and write nothing (exit 1 when there is one).
    #[arg(long)]
    pub diff: bool,
    /// Exit with 1 when anything was fixed, even if nothing remains (for pre-commit).
    #[arg(long)]
    pub exit_non_zero_on_fix: bool,
    /// List what was fixed in each file.
    #[arg(long)]
    pub show_fixes: bool,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// Files or directories to check [default: .]
    pub paths: Vec<PathBuf>,
    /// Table format: aligned text, or a Markdown table for a pull-request comment.
    #[arg(long, value_enum, default_value = "text")]
    pub format: SummaryFormat,
    #[command(flatten)]
    pub selection: SelectionArgs,
}

impl SummaryArgs {
    /// The options `check` would run with.
    fn common(&self) -> CommonArgs {
        CommonArgs {
            paths: self.paths.clone(),
            output_format: OutputFormat::Full,
            selection: self.selection.clone(),
            exit_zero: true,
            stdin_filename: None,
            quiet: true,
            show_settings: false,
        }
    }
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule code such as FM201.
    #[arg(required_unless_present = "all")]
    pub code: Option<String>,
    /// List every rule: code, name and fix availability.
    #[arg(long, conflicts_with = "code")]
    pub all: bool,
}

fn parse_style(s: &str) -> Result<Style, String> {
    Style::parse(s).ok_or_else(|| format!("expected `async` or `sync`, found `{s}`"))
}

fn parse_selector(s: &str) -> Result<RuleSelector, String> {
    RuleSelector::parse(s)
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success = 0,
    Failure = 1,
    Error = 2,
}

pub fn run(cli: Cli) -> ExitStatus {
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK)
        .build();
    let result = match pool {
        Ok(pool) => pool.install(|| dispatch(cli)),
        Err(_) => dispatch(cli),
    };
    result.unwrap_or_else(|error| {
        // Output closed early (`| head`) is not an error worth a message.
        if error.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("error: {error}");
        }
        ExitStatus::Error
    })
}

fn dispatch(cli: Cli) -> io::Result<ExitStatus> {
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Fix(args) => fix(&args),
        Command::Rule(args) => rule(&args),
        Command::Summary(args) => summary(&args),
    }
}

/// The settings of a run: the configuration file's, overridden by the command line.
struct RunSettings {
    config: Config,
    base: Settings,
    per_file_ignores: Vec<(globset::GlobSet, Vec<RuleSelector>)>,
    excludes: globset::GlobSet,
    select: Vec<RuleSelector>,
    ignore: Vec<RuleSelector>,
}

impl RunSettings {
    fn new(common: &CommonArgs) -> Result<Self, String> {
        let cwd = std::env::current_dir().map_err(|e| format!("current directory: {e}"))?;
        let config = if common.selection.isolated {
            Config::isolated(cwd)
        } else if let Some(path) = &common.selection.config {
            Config::load(path)?
                .ok_or_else(|| format!("{}: no [tool.flyte-migrate] table", path.display()))?
        } else {
            Config::discover(&cwd)?
        };
        let mut select = if common.selection.select.is_empty() {
            config.selectors("select", config.options.select.as_deref())?
        } else {
            common.selection.select.clone()
        };
        select.extend(config.selectors("extend-select", config.options.extend_select.as_deref())?);
        select.extend(common.selection.extend_select.iter().cloned());
        if select.is_empty() {
            select = vec![RuleSelector::parse("ALL")?];
        }
        let mut ignore = config.selectors("ignore", config.options.ignore.as_deref())?;
        ignore.extend(common.selection.ignore.iter().cloned());
        let mappings: Vec<(String, String)> = config
            .options
            .mappings
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let style = match (common.selection.style, config.options.style.as_deref()) {
            (Some(style), _) => style,
            (None, Some(name)) => Style::parse(name).ok_or_else(|| {
                format!("style: expected \"async\" or \"sync\", found \"{name}\"")
            })?,
            (None, None) => Style::default(),
        };
        let base = Settings {
            rules: RuleSet::from_selectors(&select, &ignore),
            unsafe_fixes: common.selection.unsafe_fixes
                || config.options.unsafe_fixes.unwrap_or(false),
            mappings: mappings.into(),
            style,
        };
        Ok(Self {
            per_file_ignores: config.per_file_ignores()?,
            excludes: config.excludes()?,
            config,
            base,
            select,
            ignore,
        })
    }

    /// The settings for one file: the base ones less its `per-file-ignores`.
    fn for_path(&self, path: Option<&Path>) -> Cow<'_, Settings> {
        let Some(path) = path else {
            return Cow::Borrowed(&self.base);
        };
        let extra: Vec<RuleSelector> = self
            .per_file_ignores
            .iter()
            .filter(|(set, _)| self.config.matches(set, path))
            .flat_map(|(_, selectors)| selectors.iter().cloned())
            .collect();
        if extra.is_empty() {
            return Cow::Borrowed(&self.base);
        }
        let mut ignore = self.ignore.clone();
        ignore.extend(extra);
        Cow::Owned(Settings {
            rules: RuleSet::from_selectors(&self.select, &ignore),
            unsafe_fixes: self.base.unsafe_fixes,
            mappings: self.base.mappings.clone(),
            style: self.base.style,
        })
    }

    fn excluded(&self, path: &Path) -> bool {
        self.config.matches(&self.excludes, path)
    }

    fn show(&self, out: &mut dyn Write) -> io::Result<()> {
        let source = self
            .config
            .path
            .as_ref()
            .map_or_else(|| "(none)".to_string(), |p| p.display().to_string());
        writeln!(out, "config file: {source}")?;
        let rules: Vec<&str> = self.base.rules.iter().map(Rule::code).collect();
        writeln!(out, "rules: {}", rules.join(", "))?;
        writeln!(out, "unsafe-fixes: {}", self.base.unsafe_fixes)?;
        writeln!(out, "style: {}", self.base.style.as_str())?;
        let options = &self.config.options;
        let list = |v: &Option<Vec<String>>| v.as_ref().map_or_else(String::new, |v| v.join(", "));
        writeln!(out, "exclude: {}", list(&options.exclude))?;
        writeln!(out, "extend-exclude: {}", list(&options.extend_exclude))?;
        for (name, target) in options.mappings.iter().flatten() {
            writeln!(out, "mappings: {name} = {target}")?;
        }
        for (pattern, codes) in options.per_file_ignores.iter().flatten() {
            writeln!(out, "per-file-ignores: {pattern} = {}", codes.join(", "))?;
        }
        Ok(())
    }
}

/// One input: a file on disk or standard input.
enum Input {
    File(PathBuf),
    Stdin(String),
}

impl Input {
    fn display(&self, stdin_name: Option<&Path>) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin(_) => {
                stdin_name.map_or_else(|| "-".to_string(), |p| p.display().to_string())
            }
        }
    }
}

/// The inputs named on the command line, and the paths that could not be walked.
/// A path that could not be read, with why.
type PathError = (String, String);

fn inputs(common: &CommonArgs, run: &RunSettings) -> io::Result<(Vec<Input>, Vec<PathError>)> {
    let paths = if common.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        common.paths.clone()
    };
    let mut inputs = Vec::new();
    let mut disk = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("reading standard input: {}", io_message(&e)),
                )
            })?;
            inputs.push(Input::Stdin(text));
        } else {
            disk.push(path);
        }
    }
    let excluded = |path: &Path| run.excluded(path);
    let (files, errors) = discover(&disk, &excluded, common.selection.force_exclude);
    inputs.extend(files.into_iter().map(Input::File));
    let errors = errors
        .into_iter()
        .map(|(p, e)| (p.display().to_string(), e))
        .collect();
    Ok((inputs, errors))
}

/// What processing one input gave.
struct Processed {
    result: FileResult,
    bom: bool,
    /// Whether fixing changed the text (`result.text` then holds the fixed text).
    changed: bool,
    fixed_counts: BTreeMap<Rule, usize>,
    warnings: Vec<String>,
    error: Option<String>,
    stdin: bool,
    /// The text as read, for diffs and to notice a file changed before it is written.
    original: String,
    /// What a first pass found besides the result.
    first_pass: Option<FirstPass>,
    /// The result's problems per rule and in all, for `--statistics` (the problems themselves
    /// are dropped where they were found).
    tallied: Option<(report::Statistics, Counts)>,
}

/// How an input is processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Check,
    Fix,
    /// A check before the index is built: it also gives what the index needs.
    FirstCheck,
}

/// What the first pass of a check gives besides the file's result: the project files its
/// imports name (the index reads them) and whether its check looked up another module of the
/// project (then its result waits for the index, and it is checked again).
struct FirstPass {
    targets: Vec<PathBuf>,
    consulted: bool,
}

fn read(
    input: &Input,
    settings: &Settings,
    project: &Project,
) -> Result<Option<SourceText>, String> {
    match input {
        Input::Stdin(text) => Ok(Some(SourceText::from_string(text.clone()))),
        Input::File(path) => {
            let bytes = std::fs::read(path).map_err(|e| io_message(&e))?;
            if !worth_checking_in(&bytes, Some(path), settings, Some(project)) {
                return Ok(None);
            }
            SourceText::decode(bytes)
                .map(Some)
                .map_err(|e| e.to_string())
        }
    }
}

impl Processed {
    /// Count the problems for `--statistics` and drop them and the text.
    fn tally(&mut self, unsafe_fixes: bool) {
        let mut statistics = report::Statistics::default();
        statistics.add(std::slice::from_ref(&self.result), unsafe_fixes);
        let counts = Counts::of(self.result.diagnostics.iter());
        self.tallied = Some((statistics, counts));
        self.result.diagnostics = Vec::new();
        self.result.text = String::new();
    }

    /// The fixed text, when fixing changed it.
    fn fixed(&self) -> Option<&str> {
        self.changed.then_some(self.result.text.as_str())
    }
}

fn process(
    input: &Input,
    name: String,
    stdin_name: Option<&Path>,
    settings: &Settings,
    pass: Pass,
    project: &Project,
) -> Option<Processed> {
    let mut processed = Processed {
        result: FileResult {
            path: name,
            ..FileResult::default()
        },
        bom: false,
        changed: false,
        fixed_counts: BTreeMap::new(),
        warnings: Vec::new(),
        error: None,
        stdin: matches!(input, Input::Stdin(_)),
        original: String::new(),
        first_pass: None,
        tallied: None,
    };
    let source = match read(input, settings, project) {
        Ok(Some(source)) => source,
        Ok(None) => return None,
        Err(error) => {
            processed.error = Some(error);
            return Some(processed);
        }
    };
    processed.bom = source.bom;
    let path = match input {
        Input::File(path) => Some(path.as_path()),
        Input::Stdin(_) => stdin_name,
    };
    if pass == Pass::Fix {
        match fix_file_in(&source.text, path, settings, Some(project)) {
            Ok(outcome) => {
                processed.fixed_counts = outcome.fixed;
                processed.warnings = outcome.warnings;
                processed.changed = outcome.text != source.text;
                processed.result.text = outcome.text;
                processed.result.diagnostics = outcome.remaining;
            }
            Err(error @ CheckError::TooDeep(_)) => processed.error = Some(error.to_string()),
        }
        processed.original = source.text;
    } else if pass == Pass::FirstCheck {
        let (result, first_pass) = check_first(&source.text, path, settings, project);
        match result {
            Ok(diagnostics) => processed.result.diagnostics = diagnostics,
            Err(error @ CheckError::TooDeep(_)) => processed.error = Some(error.to_string()),
        }
        processed.first_pass = Some(first_pass);
        processed.result.text = source.text;
    } else {
        match check_file_in(&source.text, path, settings, Some(project)) {
            Ok(diagnostics) => processed.result.diagnostics = diagnostics,
            Err(error @ CheckError::TooDeep(_)) => processed.error = Some(error.to_string()),
        }
        processed.result.text = source.text;
    }
    Some(processed)
}

/// Check a file's text with an index that may not hold the modules it imports yet: its result,
/// the project files its imports name ([`Project::given_targets`]) and whether the check
/// looked any of them up. A check that looked none up found what it finds with the whole index:
/// the index only answers for modules an import of the file names.
fn check_first(
    text: &str,
    path: Option<&Path>,
    settings: &Settings,
    project: &Project,
) -> (
    Result<Vec<crate::diagnostic::Diagnostic>, CheckError>,
    FirstPass,
) {
    let first_pass = |targets, consulted| FirstPass { targets, consulted };
    let Some(path) = path.filter(|p| {
        crate::commands::CommandFile::detect(p, text.as_bytes()).is_none()
            && crate::python::gate(text.as_bytes(), Some(p), settings, Some(project))
    }) else {
        let result = check_file_in(text, path, settings, Some(project));
        return (result, first_pass(Vec::new(), false));
    };
    let Ok(parsed) = crate::parse(text) else {
        // The syntax error, as `check_file_in` reports it; such a file imports nothing.
        let result = check_file_in(text, Some(path), settings, Some(project));
        return (result, first_pass(Vec::new(), false));
    };
    let context = project.context(path);
    let result = crate::check_parsed_in(&parsed, text, context.name(), settings, Some(&context));
    let targets = if crate::project::indexes(path) {
        project.given_targets(context.path(), text, &parsed.syntax().body)
    } else {
        Vec::new()
    };
    (result, first_pass(targets, context.consulted()))
}

/// Where absolute imports also resolve: below the directories named on the command line, the
/// configuration file's folder and the current directory.
fn import_roots(common: &CommonArgs, run: &RunSettings) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = common
        .paths
        .iter()
        .filter(|p| p.is_dir())
        .cloned()
        .collect();
    if run.config.path.is_some() {
        roots.push(run.config.root.clone());
    }
    if let Ok(cwd) = std::env::current_dir() {
        roots.push(cwd);
    }
    roots
}

/// The project index of the inputs (and, read-only, the project modules they import), built
/// once before any file is fixed.
fn index(common: &CommonArgs, run: &RunSettings, inputs: &[Input]) -> Project {
    let stdin_name = common.stdin_filename.as_deref();
    let files: Vec<crate::project::Input> = inputs
        .iter()
        .filter_map(|input| match input {
            Input::File(path) => Some(crate::project::Input { path, text: None }),
            Input::Stdin(text) => stdin_name.map(|path| crate::project::Input {
                path,
                text: Some(text),
            }),
        })
        .collect();
    let settings = |path: &Path| run.for_path(Some(path));
    Project::build(&files, &import_roots(common, run), &settings)
}

/// Check or fix inputs in parallel; results come back in input order.
fn process_inputs(
    common: &CommonArgs,
    run: &RunSettings,
    inputs: &[Input],
    pass: Pass,
    project: &Project,
) -> Vec<Processed> {
    inputs
        .par_iter()
        .filter_map(|input| process_one(common, run, input, pass, project))
        .collect()
}

/// [`process_inputs`], each result with its input's position (`base` for the first input).
/// With `tally` (whether unsafe fixes count as fixable), each result is tallied for
/// `--statistics` where it was found ([`Processed::tally`]).
fn process_indexed(
    common: &CommonArgs,
    run: &RunSettings,
    inputs: &[(usize, &Input)],
    pass: Pass,
    project: &Project,
    tally: Option<bool>,
) -> Vec<(usize, Processed)> {
    inputs
        .par_iter()
        .filter_map(|&(i, input)| {
            let mut processed = process_one(common, run, input, pass, project)?;
            if let Some(unsafe_fixes) = tally {
                processed.tally(unsafe_fixes);
            }
            Some((i, processed))
        })
        .collect()
}

/// Check or fix one input with its settings.
fn process_one(
    common: &CommonArgs,
    run: &RunSettings,
    input: &Input,
    pass: Pass,
    project: &Project,
) -> Option<Processed> {
    let stdin_name = common.stdin_filename.as_deref();
    let path = match input {
        Input::File(path) => Some(path.as_path()),
        Input::Stdin(_) => stdin_name,
    };
    let settings = run.for_path(path);
    process(
        input,
        input.display(stdin_name),
        stdin_name,
        &settings,
        pass,
        project,
    )
}

fn color_enabled() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Print per-file errors and warnings; the number of paths that could not be checked.
fn report_errors<'p>(
    processed: impl IntoIterator<Item = &'p Processed>,
    walk_errors: &[PathError],
) -> usize {
    let mut count = 0;
    for (path, error) in walk_errors {
        eprintln!("error: {path}: {error}");
        count += 1;
    }
    for p in processed {
        if let Some(error) = &p.error {
            eprintln!("error: {}: {error}", p.result.path);
            count += 1;
        }
        for warning in &p.warnings {
            eprintln!("warning: {}: {warning}", p.result.path);
        }
    }
    count
}

/// The run's settings, or the exit status after printing why there are none (or them).
fn run_settings(common: &CommonArgs) -> io::Result<Result<RunSettings, ExitStatus>> {
    match RunSettings::new(common) {
        Ok(run) if common.show_settings => {
            run.show(&mut io::stdout().lock())?;
            Ok(Err(ExitStatus::Success))
        }
        Ok(run) => Ok(Ok(run)),
        Err(error) => {
            eprintln!("error: {error}");
            Ok(Err(ExitStatus::Error))
        }
    }
}

fn check(args: &CheckArgs) -> io::Result<ExitStatus> {
    let (common, statistics) = (&args.common, args.statistics);
    let run = match run_settings(common)? {
        Ok(run) => run,
        Err(status) => return Ok(status),
    };
    let settings = run.base.clone();
    let (inputs, walk_errors) = inputs(common, &run)?;
    let mut errors = report_errors(&[], &walk_errors);
    let mut sink = Sink::new(args.output_file.as_deref())?;
    let color = sink.is_stdout() && color_enabled();
    // Text formats print chunk by chunk, and statistics tally chunk by chunk, so memory stays
    // bounded on large trees; documents (a JSON array, SARIF, ...) need every result first.
    let streaming = statistics || common.output_format.is_streamable();
    let chunk = if streaming { 128 } else { usize::MAX };
    let mut counts = Counts::default();
    let mut tally = report::Statistics::default();
    let mut kept: Vec<(usize, FileResult)> = Vec::new();
    let mut take = |processed: Vec<(usize, Processed)>, errors: &mut usize| -> io::Result<()> {
        *errors += report_errors(processed.iter().map(|(_, p)| p), &[]);
        let (mut order, mut results) = (Vec::new(), Vec::new());
        for (i, mut p) in processed {
            match p.tallied.take() {
                Some((statistics, found)) => {
                    tally.merge(statistics);
                    counts.add(found);
                }
                None => {
                    order.push(i);
                    results.push(p.result);
                }
            }
        }
        counts.add(Counts::of(
            results.iter().flat_map(|r| r.diagnostics.iter()),
        ));
        if statistics {
            tally.add(&results, settings.unsafe_fixes);
        } else if streaming {
            report::write(
                sink.out(),
                common.output_format,
                &results,
                settings.unsafe_fixes,
                color,
            )?;
        } else {
            kept.extend(order.into_iter().zip(results));
        }
        Ok(())
    };
    // Statistics and documents wait for no file: one pass checks every file before any
    // module is indexed, and only the files whose check looked up another module of the
    // project are checked again, with the index of the modules the first pass saw imported.
    // Text formats print in order as they go: the index comes first.
    let first_pass =
        (statistics || !streaming) && inputs.iter().all(|i| matches!(i, Input::File(_)));
    let mut project = if first_pass {
        Project::new(&import_roots(common, &run))
    } else {
        index(common, &run, &inputs)
    };
    let pass = if first_pass {
        Pass::FirstCheck
    } else {
        Pass::Check
    };
    let mut again: Vec<usize> = Vec::new();
    // The project files the imports name: of the files checked again, and of the others.
    let (mut targets, mut others): (Vec<PathBuf>, Vec<PathBuf>) = Default::default();
    // Statistics keep only counts of each file: all files go at once.
    let size = if statistics { usize::MAX } else { chunk };
    let tallying = statistics.then_some(settings.unsafe_fixes);
    let numbered: Vec<(usize, &Input)> = inputs.iter().enumerate().collect();
    for chunk in numbered.chunks(size) {
        let mut processed = process_indexed(common, &run, chunk, pass, &project, tallying);
        processed.retain_mut(|(i, p)| match p.first_pass.take() {
            Some(first) => {
                if first.consulted {
                    again.push(*i);
                    targets.extend(first.targets);
                } else {
                    others.extend(first.targets);
                }
                !first.consulted
            }
            None => true,
        });
        take(processed, &mut errors)?;
    }
    if !again.is_empty() {
        // Only what the files checked again import can answer their lookups; when an import
        // chain is deeper than the index reads, the index of everything the given files import
        // decides where it stops, as when it is built first.
        let settings = |path: &Path| run.for_path(Some(path));
        if !project.index_imports(targets.clone(), &Default::default(), &settings) {
            project = Project::new(&import_roots(common, &run));
            let all = targets.into_iter().chain(others);
            project.index_imports(all, &Default::default(), &settings);
        }
        let again: Vec<(usize, &Input)> = again.into_iter().map(|i| (i, &inputs[i])).collect();
        for chunk in again.chunks(size) {
            let processed = process_indexed(common, &run, chunk, Pass::Check, &project, tallying);
            take(processed, &mut errors)?;
        }
    }
    kept.sort_by_key(|(i, _)| *i);
    let kept: Vec<FileResult> = kept.into_iter().map(|(_, r)| r).collect();
    if statistics {
        tally.write(sink.out())?;
    } else if !streaming {
        report::write(
            sink.out(),
            common.output_format,
            &kept,
            settings.unsafe_fixes,
            color,
        )?;
    }
    if !common.quiet && (statistics || !common.output_format.is_machine_readable()) {
        writeln!(
            sink.out(),
            "{}",
            report::summary(counts, settings.unsafe_fixes, errors)
        )?;
    }
    sink.finish()?;
    Ok(exit_status(errors > 0, counts.total > 0, common.exit_zero))
}

fn exit_status(errors: bool, problems: bool, exit_zero: bool) -> ExitStatus {
    if errors {
        ExitStatus::Error
    } else if problems && !exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// Where the report goes: standard output, or a file written whole at the end.
enum Sink {
    /// Buffered: standard output is line-buffered, and a report can have many lines.
    Stdout(io::BufWriter<io::StdoutLock<'static>>),
    File(PathBuf, Vec<u8>),
}

impl Sink {
    fn new(path: Option<&Path>) -> io::Result<Self> {
        Ok(match path {
            Some(path) => Sink::File(path.to_path_buf(), Vec::new()),
            None => Sink::Stdout(io::BufWriter::with_capacity(1 << 16, io::stdout().lock())),
        })
    }

    fn is_stdout(&self) -> bool {
        matches!(self, Sink::Stdout(_))
    }

    fn out(&mut self) -> &mut dyn Write {
        match self {
            Sink::Stdout(out) => out,
            Sink::File(_, buffer) => buffer,
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Sink::Stdout(mut out) => out.flush(),
            Sink::File(path, buffer) => std::fs::write(&path, buffer).map_err(|e| {
                io::Error::new(e.kind(), format!("{}: {}", path.display(), io_message(&e)))
            }),
        }
    }
}

fn fix(args: &FixArgs) -> io::Result<ExitStatus> {
    let (common, diff, exit_non_zero_on_fix) = (&args.common, args.diff, args.exit_non_zero_on_fix);
    let run = match run_settings(common)? {
        Ok(run) => run,
        Err(status) => return Ok(status),
    };
    let settings = run.base.clone();
    let (inputs, walk_errors) = inputs(common, &run)?;
    let mut errors = report_errors(&[], &walk_errors);
    let stdin_fix = !diff && inputs.iter().any(|i| matches!(i, Input::Stdin(_)));
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut err = io::stderr().lock();
    let color = !stdin_fix && color_enabled();
    // Diffs and written files go chunk by chunk, so memory stays bounded on large trees; the
    // problems that remain follow each chunk in text formats, or come all at once in documents.
    let streaming = common.output_format.is_streamable();

    let mut files_changed = 0;
    let mut fixed_total = 0;
    let mut remaining = Counts::default();
    let mut kept: Vec<FileResult> = Vec::new();
    let mut processed_fixes: Vec<(String, Vec<(Rule, usize)>)> = Vec::new();
    let project = index(common, &run, &inputs);
    for inputs in inputs.chunks(512) {
        let processed = process_inputs(common, &run, inputs, Pass::Fix, &project);
        errors += report_errors(&processed, &[]);
        for p in &processed {
            let Some(fixed) = p.fixed() else {
                if p.stdin && !diff && p.error.is_none() {
                    // `fix -` always echoes the source, changed or not.
                    out.write_all(
                        &SourceText {
                            text: String::new(),
                            bom: p.bom,
                        }
                        .to_bytes(&p.result.text),
                    )?;
                }
                continue;
            };
            files_changed += 1;
            fixed_total += p.fixed_counts.values().sum::<usize>();
            if diff {
                // Myers with a deadline, as ruff does: a file with tens of thousands of changed
                // lines gets a coarser (still correct) diff instead of minutes of search.
                let unified = similar::TextDiff::configure()
                    .algorithm(similar::Algorithm::Myers)
                    .timeout(std::time::Duration::from_millis(500))
                    .diff_lines(p.original.as_str(), fixed);
                let unified = unified
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("a/{}", p.result.path),
                        &format!("b/{}", p.result.path),
                    )
                    .to_string();
                out.write_all(unified.as_bytes())?;
            } else if p.stdin {
                out.write_all(
                    &SourceText {
                        text: String::new(),
                        bom: p.bom,
                    }
                    .to_bytes(fixed),
                )?;
            } else if let Err(error) = write_atomically(Path::new(&p.result.path), p) {
                eprintln!("error: {}: {error}", p.result.path);
                errors += 1;
            }
        }
        if args.show_fixes {
            processed_fixes.extend(processed.iter().map(|p| {
                (
                    p.result.path.clone(),
                    p.fixed_counts.iter().map(|(r, n)| (*r, *n)).collect(),
                )
            }));
        }
        let results: Vec<FileResult> = processed.into_iter().map(|p| p.result).collect();
        remaining.add(Counts::of(
            results.iter().flat_map(|r| r.diagnostics.iter()),
        ));
        // Problems that remain go to stdout, unless stdout carries the fixed source or the diff.
        if !diff && streaming {
            let sink: &mut dyn Write = if stdin_fix { &mut err } else { &mut out };
            report::write(
                sink,
                common.output_format,
                &results,
                settings.unsafe_fixes,
                color,
            )?;
        } else if !diff {
            kept.extend(results);
        }
    }
    out.flush()?;
    let sink: &mut dyn Write = if stdin_fix || diff {
        &mut err
    } else {
        &mut out
    };
    if !diff && !streaming {
        report::write(
            sink,
            common.output_format,
            &kept,
            settings.unsafe_fixes,
            color,
        )?;
    }
    if args.show_fixes && !diff {
        for p in processed_fixes
            .iter()
            .filter(|(_, fixed)| !fixed.is_empty())
        {
            writeln!(sink, "Fixed in {}:", p.0)?;
            for (rule, count) in &p.1 {
                writeln!(sink, "  {count} × {} ({})", rule.code(), rule.name())?;
            }
        }
    }
    if !common.quiet && !common.output_format.is_machine_readable() {
        let verb = if diff { "Would fix" } else { "Fixed" };
        let mut line = format!(
            "{verb} {} in {}",
            plural(fixed_total, "problem"),
            plural(files_changed, "file")
        );
        if remaining.total > 0 {
            line.push_str(&format!("; {} remaining", remaining.total));
            if !settings.unsafe_fixes && remaining.unsafe_only > 0 {
                line.push_str(&format!(
                    " ({} fixable with --unsafe-fixes)",
                    remaining.unsafe_only
                ));
            }
        }
        if errors > 0 {
            line.push_str(&format!("; {} could not be fixed", plural(errors, "path")));
        }
        line.push('.');
        writeln!(sink, "{line}")?;
    }
    if diff {
        return Ok(if errors > 0 {
            ExitStatus::Error
        } else if files_changed > 0 && !common.exit_zero {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        });
    }
    if exit_non_zero_on_fix && fixed_total > 0 && errors == 0 {
        return Ok(ExitStatus::Failure);
    }
    Ok(exit_status(
        errors > 0,
        remaining.total > 0,
        common.exit_zero,
    ))
}

/// Write the fixed text beside the file and rename it over the original, keeping permissions,
/// BOM and line endings; refuse when the file changed since it was read.
fn write_atomically(path: &Path, p: &Processed) -> io::Result<()> {
    let Some(fixed) = p.fixed() else {
        return Ok(());
    };
    let metadata = std::fs::metadata(path)?;
    let now = std::fs::read(path)?;
    if SourceText::decode(now).map(|s| s.text).ok().as_deref() != Some(p.original.as_str()) {
        return Err(io::Error::other(
            "changed on disk while it was being fixed; not written",
        ));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".flyte-migrate-")
        .tempfile_in(dir)?;
    let bytes = SourceText {
        text: String::new(),
        bom: p.bom,
    }
    .to_bytes(fixed);
    temp.write_all(&bytes)?;
    temp.as_file().sync_all()?;
    std::fs::set_permissions(temp.path(), metadata.permissions())?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The directory a checked file is counted under, as the user sees it (`./a/b.py` is in `a`).
fn directory_of(path: &Path) -> String {
    let dir = path.parent().unwrap_or(Path::new(""));
    let dir = dir.strip_prefix(".").unwrap_or(dir);
    if dir.as_os_str().is_empty() {
        ".".to_string()
    } else {
        dir.display().to_string()
    }
}

fn summary(args: &SummaryArgs) -> io::Result<ExitStatus> {
    let common = args.common();
    if common.paths.iter().any(|p| p.as_os_str() == "-") {
        eprintln!("error: `summary` reads files, not standard input");
        return Ok(ExitStatus::Error);
    }
    let run = match run_settings(&common)? {
        Ok(run) => run,
        Err(status) => return Ok(status),
    };
    let unsafe_fixes = run.base.unsafe_fixes;
    let (inputs, walk_errors) = inputs(&common, &run)?;
    let mut errors = report_errors(&[], &walk_errors);
    let mut dirs: BTreeMap<String, Progress> = BTreeMap::new();
    let project = index(&common, &run, &inputs);
    for chunk in inputs.chunks(512) {
        // Python files that never mention flytekit are not processed: they count as checked
        // and clean.
        let processed = process_inputs(&common, &run, chunk, Pass::Check, &project);
        errors += report_errors(&processed, &[]);
        let mut processed: BTreeMap<String, Processed> = processed
            .into_iter()
            .map(|p| (p.result.path.clone(), p))
            .collect();
        for input in chunk {
            let Input::File(path) = input else { continue };
            let name = path.display().to_string();
            let diagnostics = match processed.remove(&name) {
                Some(p) if p.error.is_some() => continue,
                Some(p) => p.result.diagnostics,
                // Files the gate skipped count as clean only for kinds that say so.
                None if !crate::kind::FileKind::of(path)
                    .is_some_and(crate::kind::FileKind::counts_when_skipped) =>
                {
                    continue;
                }
                None => Vec::new(),
            };
            dirs.entry(directory_of(path))
                .or_default()
                .add_file(&diagnostics, unsafe_fixes);
        }
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    report::summary::write(&mut out, args.format, &dirs)?;
    out.flush()?;
    Ok(if errors > 0 {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    })
}

fn rule(args: &RuleArgs) -> io::Result<ExitStatus> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if args.all {
        for rule in Rule::ALL {
            writeln!(
                out,
                "{}  {:<28} fix: {:<9}  {}",
                rule.code(),
                rule.name(),
                rule.fix_availability().as_str(),
                rule.summary()
            )?;
        }
        return Ok(ExitStatus::Success);
    }
    let code = args.code.as_deref().unwrap_or_default();
    match Rule::from_code(code) {
        Some(rule) => {
            out.write_all(rule.documentation().as_bytes())?;
            Ok(ExitStatus::Success)
        }
        None => {
            eprintln!("error: unknown rule `{code}` (see `flyte-migrate rule --all`)");
            Ok(ExitStatus::Error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn processed(original: &str, fixed: &str) -> Processed {
        Processed {
            result: FileResult {
                text: fixed.to_string(),
                ..FileResult::default()
            },
            bom: false,
            changed: original != fixed,
            fixed_counts: BTreeMap::new(),
            warnings: Vec::new(),
            error: None,
            stdin: false,
            original: original.to_string(),
            first_pass: None,
            tallied: None,
        }
    }

    /// A file edited between read and write keeps the edit; the fix is refused, not merged.
    #[test]
    fn a_file_changed_since_it_was_read_is_not_written() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("pipeline.py");
        std::fs::write(&path, "x = 2\n")?;
        let error = write_atomically(&path, &processed("x = 1\n", "x = 3\n"))
            .expect_err("the file changed on disk");
        assert!(error.to_string().contains("changed on disk"), "{error}");
        assert_eq!(std::fs::read_to_string(&path)?, "x = 2\n");
        Ok(())
    }

    #[test]
    fn an_unchanged_file_is_written() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("pipeline.py");
        std::fs::write(&path, "x = 1\r\n")?;
        write_atomically(&path, &processed("x = 1\r\n", "x = 3\r\n"))?;
        assert_eq!(std::fs::read_to_string(&path)?, "x = 3\r\n");
        Ok(())
    }
}
