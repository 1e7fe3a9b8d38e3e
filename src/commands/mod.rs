//! `pyflyte` command lines in shell scripts, Makefiles, Dockerfiles, YAML and Markdown: the
//! Flyte 1 CLI becomes the `flyte` CLI (FM701–FM703).
//!
//! These files are not parsed as a whole. A command starts at the word `pyflyte` (in Markdown:
//! inside a fenced code block, or at the start of an inline code span) and runs to the end of
//! its shell command: a newline that is not escaped, `;`, `&`, `|`, `)`, a backtick, a comment,
//! or the quote that encloses it. An exec-form array (`["pyflyte", "run", ...]`, as in a
//! Dockerfile `CMD` or a YAML `command:`) is read element by element.
//!
//! Fixes are edits of single words (`pyflyte` → `flyte`, `--wait` → `--follow`, an inserted
//! `--local`), so everything else on the line survives byte for byte. A command with a part that
//! has no Flyte 2 equivalent gets no fix: a half-translated command would fail.

use std::path::Path;

use ruff_text_size::{TextRange, TextSize};

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::fix::FixOutcome;
use crate::registry::Rule;
use crate::settings::RuleSet;

/// The kinds of non-Python files that can hold `pyflyte` command lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandFile {
    Shell,
    Makefile,
    Dockerfile,
    Yaml,
    Markdown,
}

impl CommandFile {
    /// The kind of file at `path`, or `None` for Python and everything else.
    pub fn of(path: &Path) -> Option<CommandFile> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e);
        match ext {
            Some("sh" | "bash" | "zsh") => return Some(CommandFile::Shell),
            Some("mk" | "mak") => return Some(CommandFile::Makefile),
            Some("yml" | "yaml") => return Some(CommandFile::Yaml),
            Some("md" | "markdown") => return Some(CommandFile::Markdown),
            Some("dockerfile" | "containerfile") => return Some(CommandFile::Dockerfile),
            _ => {}
        }
        if matches!(
            lower.as_str(),
            ".bashrc"
                | ".bash_profile"
                | ".bash_login"
                | ".profile"
                | ".zshrc"
                | ".zprofile"
                | ".envrc"
        ) {
            Some(CommandFile::Shell)
        } else if matches!(lower.as_str(), "makefile" | "gnumakefile") {
            Some(CommandFile::Makefile)
        } else if lower == "dockerfile"
            || lower == "containerfile"
            || lower.starts_with("dockerfile.")
        {
            Some(CommandFile::Dockerfile)
        } else {
            None
        }
    }
}

impl CommandFile {
    /// The kind of file at `path`, also by content: a file without an extension whose first
    /// line is a shell shebang (`#!/bin/bash`, `#!/usr/bin/env sh`) is a shell script.
    pub fn detect(path: &Path, bytes: &[u8]) -> Option<CommandFile> {
        if let Some(kind) = CommandFile::of(path) {
            return Some(kind);
        }
        if path.extension().is_some() {
            return None;
        }
        let first = bytes.split(|b| *b == b'\n').next()?;
        let shebang = first.strip_prefix(b"#!")?;
        let shebang = String::from_utf8_lossy(shebang);
        let interpreter = shebang
            .split_whitespace()
            .map(|w| w.rsplit('/').next().unwrap_or(w))
            .find(|w| *w != "env")?;
        matches!(interpreter, "sh" | "bash" | "zsh" | "dash" | "ksh").then_some(CommandFile::Shell)
    }
}

/// The cheap gate for command files.
pub fn mentions_pyflyte(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"pyflyte").is_some()
}

/// The gate: a command rule is enabled and the bytes mention `pyflyte`, or (outside Markdown)
/// a manifest rule is and they mention `flytekit`, for `pip install` lines.
pub fn worth_checking(
    bytes: &[u8],
    kind: CommandFile,
    settings: &crate::settings::Settings,
) -> bool {
    (enabled(&settings.rules) && mentions_pyflyte(bytes))
        || (crate::manifest::worth_checking(bytes, &settings.rules)
            && (kind != CommandFile::Markdown || install_line_names_flytekit(bytes)))
}

/// Whether a line of a shell code block names `flytekit` and has the word `install` or `add`
/// too. Lines are looked at first, so Markdown that only mentions flytekit in prose costs a byte
/// search; the blocks are found only when such a line exists.
fn install_line_names_flytekit(bytes: &[u8]) -> bool {
    let candidates: Vec<usize> = memchr::memmem::find_iter(bytes, b"flytekit")
        .filter_map(|at| {
            let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |n| n + 1);
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n);
            let line = &bytes[start..end];
            (memchr::memmem::find(line, b"install").is_some()
                || memchr::memmem::find(line, b" add ").is_some())
            .then_some(start)
        })
        .collect();
    if candidates.is_empty() {
        return false;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let blocks = shell_blocks(text);
    candidates
        .iter()
        .any(|at| blocks.iter().any(|b| b.contains(at)))
}

/// Whether any of the command rules is enabled.
pub fn enabled(rules: &RuleSet) -> bool {
    [
        Rule::PyflyteRun,
        Rule::PyflyteRegister,
        Rule::PyflyteCommand,
    ]
    .into_iter()
    .any(|r| rules.contains(r))
}

/// Every `pyflyte` command line in `text`, diagnosed, and the dependencies that its
/// `pip install` lines name (in Markdown: those of its shell code blocks). Sorted by position.
pub fn check(text: &str, kind: CommandFile, rules: &RuleSet) -> Vec<Diagnostic> {
    let mut diagnostics = check_with(text, kind, rules, true);
    if kind == CommandFile::Markdown {
        if install_line_names_flytekit(text.as_bytes()) {
            let blocks = shell_blocks(text);
            diagnostics.extend(crate::manifest::check_install_commands_in(
                text,
                rules,
                Some(&blocks),
            ));
        }
    } else {
        diagnostics.extend(crate::manifest::check_install_commands(text, rules));
    }
    diagnostics.sort_by_key(|d| (d.range.start(), d.rule));
    diagnostics
}

/// `check`, with or without the `# noqa` comments of the lines (Python files apply their own).
pub fn check_with(
    text: &str,
    kind: CommandFile,
    rules: &RuleSet,
    suppressions: bool,
) -> Vec<Diagnostic> {
    if !enabled(rules) || !mentions_pyflyte(text.as_bytes()) {
        return Vec::new();
    }
    let mut diagnostics = Vec::new();
    for (start, position) in command_starts(text, kind) {
        let diagnostic = if position == Position::Assigned {
            let range = text_range(start..start + "pyflyte".len());
            Some(
                Diagnostic::new(
                    Rule::PyflyteCommand,
                    "A variable holds the Flyte 1 CLI `pyflyte`",
                    range,
                )
                .with_help(
                    "Set it to `flyte`, and translate each command that uses the variable by hand (`run` needs `--local` unless it had `--remote`)",
                ),
            )
        } else {
            Command::read(text, start).and_then(|command| diagnose(text, &command))
        };
        let Some(diagnostic) = diagnostic else {
            continue;
        };
        if rules.contains(diagnostic.rule)
            && !(suppressions && crate::noqa::line_suppresses(text, start, diagnostic.rule))
        {
            diagnostics.push(diagnostic);
        }
    }
    diagnostics
}

/// Apply the command fixes (one per command: they never overlap, and their result needs no
/// parse to be valid) and report what remains.
pub fn fix(text: &str, kind: CommandFile, settings: &crate::settings::Settings) -> FixOutcome {
    let diagnose = |(): &(), text: &str| Ok(check(text, kind, &settings.rules));
    crate::fix::fix_loop(text, settings, |_| Ok(()), diagnose).unwrap_or_else(|_| FixOutcome {
        text: text.to_string(),
        remaining: check(text, kind, &settings.rules),
        ..FixOutcome::default()
    })
}

/// A word of a shell command line, as the command reader splits it.
#[derive(Debug, Clone)]
pub struct ShellWord {
    /// The text between its quotes (the whole word when unquoted).
    pub inner: std::ops::Range<usize>,
    pub quoted: bool,
}

/// The words of each shell command from `start` to the end of its line (with its escaped
/// newlines), for other kinds that read command lines (`pip install ...`). Commands are
/// separated by `;`, `&&`, `||` and `|`.
pub fn shell_commands(text: &str, start: usize) -> Vec<Vec<ShellWord>> {
    shell_commands_in(text, start, None)
}

/// `shell_commands` inside a quoted string (`bash -c "..."`, a quoted YAML scalar, an element of
/// an exec-form array) that `enclosing` ends.
pub fn shell_commands_in(text: &str, start: usize, enclosing: Option<u8>) -> Vec<Vec<ShellWord>> {
    let bytes = text.as_bytes();
    let mut commands = Vec::new();
    let mut i = start;
    loop {
        let command = Command::read_shell_in(text, i, enclosing, true);
        let end = command.words.last().map_or(i, |w| w.range.end);
        commands.push(
            command
                .words
                .into_iter()
                .map(|w| ShellWord {
                    inner: w.inner,
                    quoted: w.quote.is_some(),
                })
                .collect(),
        );
        let mut j = end;
        while bytes.get(j).is_some_and(|b| *b == b' ' || *b == b'\t') {
            j += 1;
        }
        let separator = |b: &u8| matches!(b, b';' | b'&' | b'|' | b')' | b'`');
        if !bytes.get(j).is_some_and(separator) {
            break;
        }
        while bytes.get(j).is_some_and(separator) {
            j += 1;
        }
        i = j;
    }
    commands
}

/// The elements of the exec-form array (`["pip", "install", ...]`, as in a Dockerfile `RUN`)
/// whose first element's opening quote is at `at`; `None` if no well-formed array starts there.
pub fn exec_array(text: &str, at: usize) -> Option<Vec<ShellWord>> {
    let quote = *text.as_bytes().get(at)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let command = Command::read_array(text, at, quote)?;
    Some(
        command
            .words
            .into_iter()
            .map(|w| ShellWord {
                inner: w.inner,
                quoted: true,
            })
            .collect(),
    )
}

/// The contents of the Markdown fenced code blocks that hold shell commands: those tagged
/// `bash`, `sh`, `shell`, `zsh`, `console`, `shell-session`, `dockerfile`, or not tagged.
pub fn shell_blocks(text: &str) -> Vec<std::ops::Range<usize>> {
    fenced_blocks_tagged(text)
        .into_iter()
        .filter(|(_, tag)| {
            let tag = tag.trim_start_matches(['{', '.']).to_ascii_lowercase();
            let tag = tag.split([' ', ',', '}']).next().unwrap_or_default();
            matches!(
                tag,
                "" | "bash"
                    | "sh"
                    | "shell"
                    | "zsh"
                    | "console"
                    | "shell-session"
                    | "shellsession"
                    | "sh-session"
                    | "dockerfile"
                    | "docker"
            )
        })
        .map(|(range, _)| range)
        .collect()
}

/// How the word `pyflyte` is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// It starts a command.
    Command,
    /// A variable is set to it (`PYFLYTE ?= pyflyte`): the commands are elsewhere.
    Assigned,
}

/// Where the word `pyflyte` starts a command, or is assigned to a variable.
fn command_starts(text: &str, kind: CommandFile) -> Vec<(usize, Position)> {
    let bytes = text.as_bytes();
    let fences = if kind == CommandFile::Markdown {
        fenced_blocks(text)
    } else {
        Vec::new()
    };
    memchr::memmem::find_iter(bytes, b"pyflyte")
        .filter_map(|at| {
            let after = bytes.get(at + 7).copied();
            let ends_word =
                after.is_none_or(|b| b.is_ascii_whitespace() || b"\"'`;&|)".contains(&b));
            if !ends_word || commented(text, at) {
                return None;
            }
            if kind == CommandFile::Markdown {
                // The blocks are sorted and disjoint: the one that could hold `at`.
                let i = fences.partition_point(|r| r.end <= at);
                let fenced = fences.get(i).is_some_and(|r| r.contains(&at));
                let inline = at > 0 && bytes[at - 1] == b'`';
                if !fenced && !inline {
                    return None;
                }
            }
            let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
            position(&text[line_start..at]).map(|p| (at, p))
        })
        .collect()
}

/// Whether what precedes `pyflyte` on its line puts it where a command starts.
fn position(prefix: &str) -> Option<Position> {
    // A path to the executable: `.venv/bin/pyflyte`.
    let boundary = prefix
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || "\"'`;&|(){}=[".contains(c))
        .map(|(i, c)| i + c.len_utf8());
    let prefix = match boundary {
        Some(i) if prefix[i..].ends_with('/') => &prefix[..i],
        None if prefix.ends_with('/') => "",
        _ => prefix,
    };
    if prefix.trim_end().ends_with('=') {
        return Some(Position::Assigned);
    }
    // Right after an opening quote or backtick: a command in a string, or an exec-form array.
    if prefix.ends_with(['"', '\'', '`']) {
        return Some(Position::Command);
    }
    let trimmed = prefix.trim_end();
    if trimmed.is_empty()
        || trimmed.ends_with([';', '&', '|', '(', '{', '@', ':', '$'])
        || trimmed == "-"
        || trimmed.ends_with("\t-")
    {
        return Some(Position::Command);
    }
    let mut words = trimmed.rsplit(|c: char| c.is_whitespace());
    let last = words.next().unwrap_or_default();
    let runner = words.next().unwrap_or_default();
    let command_words = [
        "then",
        "do",
        "else",
        "exec",
        "time",
        "sudo",
        "nohup",
        "env",
        "xargs",
        "RUN",
        "CMD",
        "ENTRYPOINT",
        "!",
        "-",
        "$",
        ">",
        "%",
    ];
    // `uv run pyflyte ...`: a tool that runs the command in its environment.
    let runs = last == "run" && ["uv", "poetry", "pdm", "hatch", "pipenv", "rye"].contains(&runner);
    // `VAR=value pyflyte ...`: an environment for the command.
    let assignment = last.contains('=') && !last.starts_with('-') && !last.starts_with('=');
    (command_words.contains(&last) || runs || assignment).then_some(Position::Command)
}

/// Whether `at` is inside a `#` comment: a `#` at the start of a word earlier on its line,
/// outside quotes.
fn commented(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let mut quote = None;
    let mut prev = b' ';
    for &b in &text.as_bytes()[line_start..at] {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'#' && prev.is_ascii_whitespace() => return true,
            None => {}
        }
        prev = b;
    }
    false
}

/// The byte ranges of Markdown fenced code blocks (their contents).
fn fenced_blocks(text: &str) -> Vec<std::ops::Range<usize>> {
    fenced_blocks_tagged(text)
        .into_iter()
        .map(|(range, _)| range)
        .collect()
}

/// The byte ranges of Markdown fenced code blocks (their contents), with their info strings.
fn fenced_blocks_tagged(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut blocks = Vec::new();
    // (fence char, length, contents start, info string)
    let mut open: Option<(u8, usize, usize, &str)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        let fence_char = rest.bytes().next().filter(|b| *b == b'`' || *b == b'~');
        let fence_len = fence_char.map_or(0, |c| rest.bytes().take_while(|b| *b == c).count());
        match (open, fence_char) {
            (None, Some(c)) if indent < 4 && fence_len >= 3 => {
                open = Some((c, fence_len, offset + line.len(), rest[fence_len..].trim()));
            }
            (Some((c, len, start, tag)), Some(f))
                if f == c && fence_len >= len && rest[fence_len..].trim().is_empty() =>
            {
                blocks.push((start..offset, tag));
                open = None;
            }
            _ => {}
        }
        offset += line.len();
    }
    if let Some((_, _, start, tag)) = open {
        blocks.push((start..text.len(), tag));
    }
    blocks
}

/// One word of a command.
#[derive(Debug, Clone)]
struct Word {
    /// The whole word, with its quotes.
    range: std::ops::Range<usize>,
    /// The text between the quotes (the whole word when unquoted).
    inner: std::ops::Range<usize>,
    /// The quote character, for a quoted word.
    quote: Option<u8>,
    /// A Python expression in an argument list (one argument whose value is known at run time).
    dynamic: bool,
    /// A Python `*args` element, which may stand for any number of arguments.
    splat: bool,
}

/// A command line: its words, the first being `pyflyte`.
#[derive(Debug)]
struct Command {
    words: Vec<Word>,
    /// An exec-form array: words are separated by `, `.
    array: bool,
}

impl Command {
    fn read(text: &str, start: usize) -> Option<Command> {
        let bytes = text.as_bytes();
        let before = start.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(start + 7).copied();
        match (before, after) {
            (Some(q @ (b'"' | b'\'')), Some(a)) if a == q => Self::read_array(text, start - 1, q),
            (Some(q @ (b'"' | b'\'')), _) => Some(Self::read_shell(text, start, Some(q))),
            (Some(b'`'), _) => Some(Self::read_shell(text, start, Some(b'`'))),
            _ => Some(Self::read_shell(text, start, None)),
        }
    }

    /// Shell words from `start` to the end of the command; `enclosing` ends it too.
    fn read_shell(text: &str, start: usize, enclosing: Option<u8>) -> Command {
        Self::read_shell_in(text, start, enclosing, false)
    }

    /// `read_shell`; with `nested`, a word quoted with the other quote character inside the
    /// enclosing quotes is a quoted word.
    fn read_shell_in(text: &str, start: usize, enclosing: Option<u8>, nested: bool) -> Command {
        let bytes = text.as_bytes();
        let mut words = Vec::new();
        let mut i = start;
        loop {
            // Blanks and escaped newlines separate words.
            while i < bytes.len() {
                match bytes[i] {
                    b' ' | b'\t' | b'\x0b' | b'\x0c' => i += 1,
                    b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
                    b'\\'
                        if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') =>
                    {
                        i += 3;
                    }
                    _ => break,
                }
            }
            let Some(&b) = bytes.get(i) else { break };
            // Inside a quoted string, an escaped quote (`\"` in a double-quoted one, `''` in a
            // single-quoted YAML scalar) quotes a word up to the next one.
            let escape = match enclosing {
                Some(b'"') if nested && b == b'\\' && bytes.get(i + 1) == Some(&b'"') => {
                    Some("\\\"")
                }
                Some(b'\'') if nested && b == b'\'' && bytes.get(i + 1) == Some(&b'\'') => {
                    Some("''")
                }
                _ => None,
            };
            if let Some(escape) = escape {
                let inner_start = i + 2;
                let line_end = text[inner_start..]
                    .find('\n')
                    .map_or(text.len(), |n| inner_start + n);
                let Some(close) = text[inner_start..line_end].find(escape) else {
                    break;
                };
                let inner_end = inner_start + close;
                words.push(Word {
                    range: i..inner_end + 2,
                    inner: inner_start..inner_end,
                    quote: Some(b),
                    dynamic: false,
                    splat: false,
                });
                i = inner_end + 2;
                continue;
            }
            if Some(b) == enclosing
                || matches!(b, b'\n' | b'\r' | b';' | b'&' | b'|' | b')' | b'`' | b'#')
            {
                break;
            }
            let word_start = i;
            if (b == b'"' || b == b'\'')
                && (enclosing.is_none() || (nested && Some(b) != enclosing))
            {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b {
                    if b == b'"' && bytes[j] == b'\\' {
                        j += 1;
                    }
                    if bytes.get(j) == Some(&b'\n') {
                        break;
                    }
                    j += 1;
                }
                if bytes.get(j) != Some(&b) {
                    // An unterminated quote: the word keeps its quote, which makes it opaque, so
                    // the command is not rewritten.
                    words.push(Word {
                        range: word_start..j.min(bytes.len()),
                        inner: word_start..j.min(bytes.len()),
                        quote: None,
                        dynamic: false,
                        splat: false,
                    });
                    break;
                }
                words.push(Word {
                    range: word_start..j + 1,
                    inner: word_start + 1..j,
                    quote: Some(b),
                    dynamic: false,
                    splat: false,
                });
                i = j + 1;
                continue;
            }
            while i < bytes.len() {
                let c = bytes[i];
                if c.is_ascii_whitespace()
                    || Some(c) == enclosing
                    || matches!(c, b';' | b'&' | b'|' | b')' | b'`')
                {
                    break;
                }
                i += 1;
            }
            if i == word_start {
                // A byte that neither separates nor makes a word: the command ends here.
                break;
            }
            words.push(Word {
                range: word_start..i,
                inner: word_start..i,
                quote: None,
                dynamic: false,
                splat: false,
            });
        }
        Command {
            words,
            array: false,
        }
    }

    /// `"pyflyte", "run", ...]`: quoted elements separated by commas.
    fn read_array(text: &str, start: usize, quote: u8) -> Option<Command> {
        let bytes = text.as_bytes();
        let mut words = Vec::new();
        let mut i = start;
        while bytes.get(i) == Some(&quote) {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != quote && bytes[j] != b'\n' {
                if bytes[j] == b'\\' {
                    j += 1;
                }
                j += 1;
            }
            if bytes.get(j) != Some(&quote) {
                return None;
            }
            words.push(Word {
                range: i..j + 1,
                inner: i + 1..j,
                quote: Some(quote),
                dynamic: false,
                splat: false,
            });
            i = j + 1;
            while i < bytes.len()
                && (bytes[i].is_ascii_whitespace()
                    || (bytes[i] == b'\\' && matches!(bytes.get(i + 1), Some(b'\n' | b'\r'))))
            {
                i += 1;
            }
            if bytes.get(i) != Some(&b',') {
                break;
            }
            i += 1;
            while i < bytes.len()
                && (bytes[i].is_ascii_whitespace()
                    || (bytes[i] == b'\\' && matches!(bytes.get(i + 1), Some(b'\n' | b'\r'))))
            {
                i += 1;
            }
        }
        Some(Command { words, array: true })
    }
}

/// What one `pyflyte` option becomes.
#[derive(Debug, Clone, Copy)]
enum Flag {
    /// Kept as it is (it takes a value when `true`).
    Same(bool),
    /// Renamed (it takes a value when `true`).
    Rename(&'static str, bool),
    /// Renamed, and only with `--unsafe-fixes` (it takes a value when `true`).
    RenameUnsafe(&'static str, bool, &'static str),
    /// Dropped.
    Drop,
    /// Becomes an option with a fixed value.
    WithValue(&'static str, &'static str),
    /// `--copy VALUE`.
    Copy,
    /// No equivalent: the text says what to do (it takes a value when `true`).
    Manual(bool, &'static str),
}

/// `pyflyte run` options (flytekit 1.16.31) and their `flyte run` (2.12.1) equivalents.
fn run_flag(name: &str) -> Option<Flag> {
    use Flag::*;
    Some(match name {
        "-p" | "--project" | "-d" | "--domain" | "--service-account" | "--name" | "-e"
        | "--env" => Same(true),
        "--envvars" => Rename("--env", true),
        "-i" | "--image" => Rename("--image", true),
        "--wait" | "--wait-execution" => Rename("--follow", false),
        "--labels" | "--label" => Rename("--label", true),
        "--raw-output-data-prefix" | "--raw-data-prefix" => Rename("--raw-data-path", true),
        "-r" | "--remote" => Drop,
        "--copy-all" => WithValue("--copy-style", "all"),
        "--copy" => Copy,
        "--non-fast" => Manual(
            false,
            "`--non-fast` is `--copy-style none`, which `flyte run` accepts only with `--version VERSION`",
        ),
        "--max-parallelism" => RenameUnsafe(
            "--max-action-concurrency",
            true,
            "`--max-action-concurrency` caps concurrent actions, not workflow nodes",
        ),
        "--overwrite-cache" => Manual(
            false,
            "`--overwrite-cache` has no `flyte run` flag: run with `flyte.with_runcontext(overwrite_cache=True).run(...)` in Python",
        ),
        "--annotations" | "--annotation" => Manual(
            true,
            "`--annotations` has no `flyte run` flag: pass `flyte.with_runcontext(annotations={...})` in Python",
        ),
        "--interruptible" => Manual(
            false,
            "`--interruptible` has no `flyte run` flag: set `interruptible=True` on the TaskEnvironment or `flyte.with_runcontext(interruptible=True)`",
        ),
        "--tags" | "--tag" => Manual(
            true,
            "`--tags` has no `flyte run` equivalent: use `--label KEY=VALUE`",
        ),
        "--cluster-pool" | "--execution-cluster-label" | "--ecl" => Manual(
            true,
            "cluster pools and execution cluster labels are `--queue NAME` in `flyte run`",
        ),
        "--resource-requests" | "--resource-limits" => Manual(
            true,
            "resource overrides have no `flyte run` flag: set `resources=` on the TaskEnvironment or use `task.override(resources=...)`",
        ),
        "--dump-snippet" | "--disable-notifications" => Manual(
            false,
            "this option has no `flyte run` equivalent: remove it",
        ),
        "--poll-interval" | "--limit" | "--destination-dir" => {
            Manual(true, "this option has no `flyte run` equivalent: remove it")
        }
        _ => return None,
    })
}

/// The `pyflyte` options before the subcommand.
fn global_flag(name: &str) -> Option<Flag> {
    use Flag::*;
    Some(match name {
        "-c" | "--config" => Same(true),
        // A count in both CLIs: `-vv` is `-v -v`.
        "--verbose" => Same(false),
        _ if name.len() > 1 && name[1..].bytes().all(|b| b == b'v') && name.starts_with('-') => {
            Same(false)
        }
        "--help" | "--version" => Same(false),
        "-k" | "--pkgs" => Manual(
            true,
            "`--pkgs` has no `flyte` equivalent: name the Python file of the task instead",
        ),
        _ => return None,
    })
}

/// The word's option name and, for `--name=value`, where the value starts.
fn split_option(text: &str, word: &Word) -> (std::ops::Range<usize>, Option<usize>) {
    let inner = &text[word.inner.clone()];
    match inner.find('=') {
        Some(eq) if inner.starts_with("--") => (
            word.inner.start..word.inner.start + eq,
            Some(word.inner.start + eq + 1),
        ),
        _ => (word.inner.clone(), None),
    }
}

/// Whether the word is too dynamic to rewrite (`$VAR`, globs, escapes).
fn opaque(text: &str, word: &Word) -> bool {
    word.dynamic
        || word.splat
        || text[word.inner.clone()]
            .bytes()
            .any(|b| matches!(b, b'$' | b'\\' | b'*' | b'"' | b'\'' | b'{'))
}

/// The edits a translation makes, and what blocks one.
struct Translation<'a> {
    text: &'a str,
    command: &'a Command,
    edits: Vec<Edit>,
    manual: Vec<String>,
    unsafe_reasons: Vec<&'static str>,
    /// Whether `--remote` was dropped.
    remote: bool,
}

impl<'a> Translation<'a> {
    fn new(text: &'a str, command: &'a Command) -> Self {
        Self {
            text,
            command,
            edits: Vec::new(),
            manual: Vec::new(),
            unsafe_reasons: Vec::new(),
            remote: false,
        }
    }

    fn replace(&mut self, range: std::ops::Range<usize>, content: &str) {
        self.edits.push(Edit::replace(text_range(range), content));
    }

    /// Insert words after word `i`.
    fn insert_after(&mut self, i: usize, new: &[&str]) {
        let Some(word) = self.command.words.get(i) else {
            return;
        };
        let mut content = String::new();
        for w in new {
            if self.command.array {
                let q = word.quote.map_or('"', char::from);
                content.push_str(&format!(", {q}{w}{q}"));
            } else {
                content.push(' ');
                content.push_str(w);
            }
        }
        self.edits
            .push(Edit::insert(offset(word.range.end), content));
    }

    /// Delete word `i` with the separator after it, so the next word takes its place; when a
    /// line break follows it, with the separator before it, so line continuations stay.
    fn delete(&mut self, i: usize) {
        let words = &self.command.words;
        let Some(word) = words.get(i) else { return };
        let prev = i.checked_sub(1).and_then(|p| words.get(p));
        let range = match (words.get(i + 1), prev) {
            (Some(next), Some(prev))
                if self.text[word.range.end..next.range.start].contains('\n') =>
            {
                prev.range.end..word.range.end
            }
            (Some(next), _) => word.range.start..next.range.start,
            (None, Some(prev)) => prev.range.end..word.range.end,
            (None, None) => return,
        };
        self.edits.push(Edit::delete(text_range(range)));
    }

    /// Translate the options from word `i` on, until the first positional word; returns the
    /// index of that word. `table` says what each option becomes.
    fn options(&mut self, mut i: usize, table: fn(&str) -> Option<Flag>, command: &str) -> usize {
        let words = &self.command.words;
        while let Some(word) = words.get(i) {
            let inner = &self.text[word.inner.clone()];
            if !inner.starts_with('-') || inner == "-" {
                return i;
            }
            if opaque(self.text, word) {
                self.manual.push(format!(
                    "`{inner}` is not a literal option; translate it by hand"
                ));
                return words.len();
            }
            let (name_range, inline_value) = split_option(self.text, word);
            let name = &self.text[name_range.clone()];
            let Some(flag) = table(name) else {
                self.manual.push(format!(
                    "`{command}` has no option `{name}` that flyte-migrate knows; translate it by hand"
                ));
                return words.len();
            };
            let takes_value = match flag {
                Flag::Same(v) | Flag::Rename(_, v) | Flag::RenameUnsafe(_, v, _) => v,
                Flag::Manual(v, _) => v,
                Flag::Copy => true,
                Flag::Drop | Flag::WithValue(..) => false,
            };
            let value_word = (takes_value && inline_value.is_none()).then_some(i + 1);
            match flag {
                Flag::Same(_) => {}
                Flag::Rename(new, _) => {
                    if name != new {
                        self.replace(name_range, new);
                    }
                }
                Flag::RenameUnsafe(new, _, why) => {
                    self.replace(name_range, new);
                    self.unsafe_reasons.push(why);
                }
                Flag::Drop => {
                    self.delete(i);
                    self.remote = true;
                }
                Flag::WithValue(new, value) => {
                    self.replace(name_range, new);
                    self.insert_after(i, &[value]);
                }
                Flag::Copy => {
                    let value_range = match (inline_value, value_word.and_then(|v| words.get(v))) {
                        (Some(at), _) => at..word.inner.end,
                        (None, Some(v)) if !opaque(self.text, v) => v.inner.clone(),
                        _ => {
                            self.manual.push(
                                "`--copy` needs a literal value; translate it by hand".into(),
                            );
                            return words.len();
                        }
                    };
                    let new_value = match &self.text[value_range.clone()] {
                        "all" => "all",
                        "auto" => "loaded_modules",
                        _ => {
                            self.manual.push(
                                "`--copy none` is `--copy-style none`, which `flyte run` accepts only with `--version VERSION`"
                                    .into(),
                            );
                            return words.len();
                        }
                    };
                    self.replace(name_range, "--copy-style");
                    if new_value != "all" {
                        self.replace(value_range, new_value);
                    }
                }
                Flag::Manual(_, what) => self.manual.push(what.to_string()),
            }
            i += 1 + usize::from(value_word.is_some());
        }
        i
    }
}

fn offset(n: usize) -> TextSize {
    TextSize::try_from(n).unwrap_or_default()
}

fn text_range(range: std::ops::Range<usize>) -> TextRange {
    TextRange::new(offset(range.start), offset(range.end))
}

/// The diagnostic for one command, or `None` when it is not a `pyflyte` invocation after all.
fn diagnose(text: &str, command: &Command) -> Option<Diagnostic> {
    let first = command.words.first()?;
    if &text[first.inner.clone()] != "pyflyte" {
        return None;
    }
    let mut t = Translation::new(text, command);
    t.replace(first.inner.clone(), "flyte");
    let (rule, message, help, range) = t.translate();
    Some(t.diagnostic(rule, message, help, range))
}

impl Translation<'_> {
    /// Translate the words after `pyflyte`: the rule, message, help and the range reported.
    fn translate(&mut self) -> (Rule, String, String, TextRange) {
        let t = self;
        let text = t.text;
        let command = t.command;
        let Some(first) = command.words.first() else {
            return (
                Rule::PyflyteCommand,
                "The Flyte 1 CLI `pyflyte` is `flyte` in Flyte 2".to_string(),
                "Replace `pyflyte` with `flyte`".to_string(),
                TextRange::default(),
            );
        };
        let sub_index = t.options(1, global_flag, "pyflyte");
        let sub_word = command.words.get(sub_index);
        let subcommand = sub_word.map(|w| &text[w.inner.clone()]);
        let end = sub_word.map_or(first.range.end, |w| w.range.end);
        let range = text_range(first.range.start..end);
        let shown = match subcommand {
            Some(sub) => format!("pyflyte {sub}"),
            None => "pyflyte".to_string(),
        };

        let (rule, message, help) = match subcommand {
            Some("run") => {
                let script = t.options(sub_index + 1, run_flag, "pyflyte run");
                // A Python expression there is the file when a literal task name follows it; else
                // it may be an option (`--remote`) as well.
                let entity_follows = command.words.get(script + 1).is_some_and(|next| {
                    let next_text = &text[next.inner.clone()];
                    !opaque(text, next)
                        && !next_text.starts_with('-')
                        && !next_text.ends_with(".py")
                });
                if let Some(word) = command.words.get(script)
                    && t.manual.is_empty()
                    && (word.splat
                        || (word.dynamic && !entity_follows)
                        || (!word.dynamic && opaque(text, word)))
                {
                    t.manual.push(format!(
                    "`{}` is built at run time and may hold options such as `--remote`; translate the command by hand",
                    &text[word.inner.clone()]
                ));
                }
                let remote = t.remote;
                if !remote {
                    t.insert_after(sub_index, &["--local"]);
                }
                let message = if remote {
                    "`pyflyte run --remote` is `flyte run` in Flyte 2".to_string()
                } else {
                    "`pyflyte run` (local by default) is `flyte run --local` in Flyte 2".to_string()
                };
                let help = if remote {
                    "Replace with `flyte run`; the entity is the task's Python name"
                } else {
                    "Replace with `flyte run --local`; the entity is the task's Python name"
                };
                (Rule::PyflyteRun, message, help.to_string())
            }
            Some(sub @ ("register" | "package" | "serialize")) => {
                t.manual.push(if sub == "register" {
                "Use `flyte deploy -p PROJECT -d DOMAIN [--version VERSION] FILE.py ENV` (or `--all --recursive DIR`): it deploys a TaskEnvironment and its `depends_on` closure; launch plans are now triggers, activated by `Trigger(auto_activate=True)`".to_string()
            } else {
                "Flyte 2 builds no package: `flyte deploy --dry-run FILE.py ENV` shows what a deploy would do".to_string()
            });
                (
                    Rule::PyflyteRegister,
                    format!("`{shown}` is `flyte deploy` in Flyte 2, with other arguments"),
                    String::new(),
                )
            }
            Some(sub) => {
                let hint = match sub {
                    "build" => Some(
                        "Use `flyte build FILE.py ENV`, naming the TaskEnvironment variable, not the workflow",
                    ),
                    "launchplan" => Some(
                        "Launch plans are triggers: `flyte update trigger NAME TASK --activate` (or `--deactivate`)",
                    ),
                    "fetch" => Some("Use `flyte get io RUN_NAME` for a run's inputs and outputs"),
                    "execution" => Some("Use `flyte get run`, `flyte rerun` or `flyte abort run`"),
                    "get" => Some("Use `flyte get` (`project`, `run`, `task`, `logs`, ...)"),
                    "backfill" => Some(
                        "Flyte 2 has no backfill: start the runs with `flyte run` for each date",
                    ),
                    "local-cache" => {
                        Some("Use `flyte delete local-cache` to clear the local cache")
                    }
                    "init" => Some(
                        "Flyte 2 has no project templates: see `flyte create config` and the Flyte 2 examples",
                    ),
                    "info" | "metrics" | "serve" => {
                        Some("Flyte 2 has no such command: see `flyte --help`")
                    }
                    _ => None,
                };
                match hint {
                    Some(hint) => t.manual.push(hint.to_string()),
                    None => t.manual.push(format!(
                        "`pyflyte {sub}` is not a command flyte-migrate knows; see `flyte --help`"
                    )),
                }
                (
                    Rule::PyflyteCommand,
                    format!("`{shown}` has no one-to-one `flyte` equivalent"),
                    String::new(),
                )
            }
            None => {
                if command.words.len() == 1 {
                    // Its arguments, if any, are elsewhere (YAML list items, a variable's users).
                    t.manual.push(
                    "Replace `pyflyte` with `flyte` and translate its arguments by hand (`run` needs `--local` unless it had `--remote`)"
                        .to_string(),
                );
                }
                (
                    Rule::PyflyteCommand,
                    "The Flyte 1 CLI `pyflyte` is `flyte` in Flyte 2".to_string(),
                    "Replace `pyflyte` with `flyte`".to_string(),
                )
            }
        };
        (rule, message, help, range)
    }

    /// The diagnostic of a translated command, with its fix when nothing is left to do by hand.
    fn diagnostic(self, rule: Rule, message: String, help: String, range: TextRange) -> Diagnostic {
        let t = self;
        let mut diagnostic = Diagnostic::new(rule, message, range);
        if t.manual.is_empty() {
            let applicability = if t.unsafe_reasons.is_empty() {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            };
            let help = if t.unsafe_reasons.is_empty() {
                help
            } else {
                format!("{help} (unsafe: {})", t.unsafe_reasons.join("; "))
            };
            diagnostic = diagnostic
                .with_help(help)
                .with_fix(Fix::new(t.edits, applicability));
        } else {
            diagnostic = diagnostic.with_help(t.manual.join("; "));
        }
        diagnostic
    }
}

/// One element of a Python argument list handed to `pyflyte`'s click entry point.
pub struct Argument {
    pub range: TextRange,
    /// For a plain string literal: the range of its text and its quote character.
    pub literal: Option<(TextRange, u8)>,
    /// A `*args` element.
    pub splat: bool,
}

/// Translate the arguments of a Python call of `pyflyte`'s entry point (`program` is the range of
/// the entry point itself, which the caller replaces) the way a `pyflyte` command line is
/// translated: the diagnostic says what the command is in Flyte 2, and carries the edits of the
/// arguments when every part has a Flyte 2 equivalent.
pub fn translate_arguments(text: &str, program: TextRange, arguments: &[Argument]) -> Diagnostic {
    let span = |r: TextRange| usize::from(r.start())..usize::from(r.end());
    let mut words = vec![Word {
        range: span(program),
        inner: span(program),
        quote: None,
        dynamic: true,
        splat: false,
    }];
    words.extend(arguments.iter().map(|a| match a.literal {
        Some((inner, quote)) => Word {
            range: span(a.range),
            inner: span(inner),
            quote: Some(quote),
            dynamic: false,
            splat: false,
        },
        None => Word {
            range: span(a.range),
            inner: span(a.range),
            quote: None,
            dynamic: true,
            splat: a.splat,
        },
    }));
    let command = Command { words, array: true };
    let mut t = Translation::new(text, &command);
    let (rule, message, help, range) = t.translate();
    t.diagnostic(rule, message, help, range)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str, kind: CommandFile) -> String {
        let diagnostics = check(text, kind, &RuleSet::all());
        let fixes = diagnostics.iter().filter_map(|d| d.fix.as_ref());
        crate::fix::apply(text, fixes)
    }

    #[test]
    fn run_becomes_local_run() {
        assert_eq!(
            fixed("pyflyte run wf.py wf --x 1\n", CommandFile::Shell),
            "flyte run --local wf.py wf --x 1\n"
        );
    }

    #[test]
    fn remote_run_becomes_run() {
        assert_eq!(
            fixed(
                "pyflyte -c cfg.yaml run --remote -p p -d development --wait wf.py wf\n",
                CommandFile::Shell
            ),
            "flyte -c cfg.yaml run -p p -d development --follow wf.py wf\n"
        );
    }

    #[test]
    fn flags_are_renamed() {
        assert_eq!(
            fixed(
                "pyflyte run --remote --copy auto -i img=uri --envvars A=1 --labels k=v --raw-output-data-prefix=s3://b wf.py wf\n",
                CommandFile::Shell
            ),
            "flyte run --copy-style loaded_modules --image img=uri --env A=1 --label k=v --raw-data-path=s3://b wf.py wf\n"
        );
        assert_eq!(
            fixed("pyflyte run --copy-all wf.py wf\n", CommandFile::Shell),
            "flyte run --local --copy-style all wf.py wf\n"
        );
    }

    #[test]
    fn verbosity_is_a_count() {
        assert_eq!(
            fixed("pyflyte -vv run --remote wf.py wf\n", CommandFile::Shell),
            "flyte -vv run wf.py wf\n"
        );
        assert_eq!(
            fixed("pyflyte --verbose run wf.py wf\n", CommandFile::Shell),
            "flyte --verbose run --local wf.py wf\n"
        );
    }

    #[test]
    fn exec_form_arrays() {
        assert_eq!(
            fixed(
                "CMD [\"pyflyte\", \"run\", \"--remote\", \"wf.py\", \"wf\"]\n",
                CommandFile::Dockerfile
            ),
            "CMD [\"flyte\", \"run\", \"wf.py\", \"wf\"]\n"
        );
        assert_eq!(
            fixed(
                "cmd: ['pyflyte', 'run', 'wf.py', 'wf']\n",
                CommandFile::Yaml
            ),
            "cmd: ['flyte', 'run', '--local', 'wf.py', 'wf']\n"
        );
    }

    #[test]
    fn commands_end_where_the_shell_says() {
        assert_eq!(
            fixed(
                "pyflyte run \\\n  --remote wf.py wf && pyflyte run x.py y; echo done # pyflyte run\n",
                CommandFile::Shell
            ),
            "flyte run \\\n  wf.py wf && flyte run --local x.py y; echo done # pyflyte run\n"
        );
        assert_eq!(
            fixed(
                "run: \"pyflyte run --remote wf.py wf\"\n",
                CommandFile::Yaml
            ),
            "run: \"flyte run wf.py wf\"\n"
        );
    }

    #[test]
    fn manual_parts_block_the_fix() {
        let diagnostics = check(
            "pyflyte run --overwrite-cache wf.py wf\n",
            CommandFile::Shell,
            &RuleSet::all(),
        );
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].fix.is_none());
        assert!(
            diagnostics[0]
                .help
                .as_deref()
                .is_some_and(|h| h.contains("with_runcontext(overwrite_cache=True)"))
        );
    }

    #[test]
    fn markdown_only_in_code() {
        let text = "Run pyflyte run wf.py wf to start.\n\n```bash\npyflyte run wf.py wf\n```\n\nOr `pyflyte run --remote wf.py wf`.\n";
        assert_eq!(
            fixed(text, CommandFile::Markdown),
            "Run pyflyte run wf.py wf to start.\n\n```bash\nflyte run --local wf.py wf\n```\n\nOr `flyte run wf.py wf`.\n"
        );
    }

    #[test]
    fn markdown_install_lines_only_in_shell_blocks() {
        let text = "Use flytekit: pip install flytekit.\n\n```sh\n$ pip install flytekit\n```\n\n```python\nrun(\"pip install flytekit\")\n```\n";
        assert_eq!(
            fixed(text, CommandFile::Markdown),
            "Use flytekit: pip install flytekit.\n\n```sh\n$ pip install \"flyte>=2.12.1,<3\"\n```\n\n```python\nrun(\"pip install flytekit\")\n```\n"
        );
        // Prose that names flytekit without an install line is not read.
        let settings = crate::settings::Settings::default();
        assert!(!worth_checking(
            b"Built with flytekit.\n\n```bash\nmake\n```\n",
            CommandFile::Markdown,
            &settings
        ));
        assert!(!worth_checking(
            b"Run pip install flytekit.\n\n```python\nimport flytekit  # pip install flytekit\n```\n",
            CommandFile::Markdown,
            &settings
        ));
        assert!(worth_checking(
            b"```bash\npip install flytekit\n```\n",
            CommandFile::Markdown,
            &settings
        ));
    }

    #[test]
    fn words_that_only_contain_pyflyte_are_not_commands() {
        for text in [
            "pyflyte-execute --inputs x\n",
            "pip install pyflyte_tools\n",
            "echo mypyflyte run\n",
            "# pyflyte run wf.py wf\n",
        ] {
            assert!(
                check(text, CommandFile::Shell, &RuleSet::all()).is_empty(),
                "{text}"
            );
        }
    }

    #[test]
    fn file_kinds() {
        for (name, kind) in [
            ("run.sh", Some(CommandFile::Shell)),
            ("Makefile", Some(CommandFile::Makefile)),
            ("rules.mk", Some(CommandFile::Makefile)),
            ("Dockerfile", Some(CommandFile::Dockerfile)),
            ("Dockerfile.gpu", Some(CommandFile::Dockerfile)),
            ("app.Dockerfile", Some(CommandFile::Dockerfile)),
            (".github/workflows/ci.yml", Some(CommandFile::Yaml)),
            ("README.md", Some(CommandFile::Markdown)),
            ("wf.py", None),
            ("notes.txt", None),
        ] {
            assert_eq!(CommandFile::of(Path::new(name)), kind, "{name}");
        }
    }

    #[test]
    fn shell_scripts_without_extension() {
        let detect = |name: &str, text: &str| CommandFile::detect(Path::new(name), text.as_bytes());
        assert_eq!(
            detect("deploy", "#!/bin/bash\npyflyte run x.py y\n"),
            Some(CommandFile::Shell)
        );
        assert_eq!(
            detect("deploy", "#!/usr/bin/env sh\n"),
            Some(CommandFile::Shell)
        );
        assert_eq!(detect("tool", "#!/usr/bin/env python3\n"), None);
        assert_eq!(detect("wf.py", "#!/bin/bash\n"), None);
        assert_eq!(detect("notes", "pyflyte run\n"), None);
    }

    #[test]
    fn noqa_suppresses() {
        assert!(
            check(
                "pyflyte run wf.py wf  # noqa: FM701\n",
                CommandFile::Shell,
                &RuleSet::all()
            )
            .is_empty()
        );
    }
}
