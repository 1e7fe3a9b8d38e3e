//! `pip install`, `uv pip install`, `uv add`, `poetry add`, `pipenv install` and `pdm add`
//! command lines in shell scripts, Makefiles, Dockerfiles and CI YAML, and in the shell code
//! blocks of Markdown: each requirement word that names flytekit or a plugin. The words come from
//! the command reader of the commands kind: shell words, the elements of exec-form arrays
//! (`RUN ["pip", "install", ...]`), and the shell words inside a quoted string that holds a command
//! line (`run: "pip install ..."`, `bash -c '...'`). A requirement that needs quotes inside a
//! quoted string gets the other quote character, so the string stays valid.

use ruff_text_size::{TextRange, TextSize};

use super::requirement::{Declared, Style, Target, constraint, diagnose_string};
use crate::commands::{ShellWord, exec_array, shell_commands, shell_commands_in};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::registry::Rule;
use crate::settings::RuleSet;

/// Options of the installers that take a value (the value is not a requirement).
const WITH_VALUE: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "--index",
    "--default-index",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--src",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--progress-bar",
    "--cache-dir",
    "--python",
    "-p",
    "--group",
    "-G",
    "--extra",
    "--optional",
    "--source",
    "--trusted-host",
    "--config-settings",
    "-C",
];

/// The requirements on the install command lines of `text`, diagnosed and filtered by the rules
/// and the lines' `# noqa` comments.
pub fn check(text: &str, rules: &RuleSet) -> Vec<Diagnostic> {
    check_in(text, rules, None)
}

/// `check`, of the lines that start in one of `within` (all lines when `None`).
pub fn check_in(
    text: &str,
    rules: &RuleSet,
    within: Option<&[std::ops::Range<usize>]>,
) -> Vec<Diagnostic> {
    if !super::worth_checking(text.as_bytes(), rules) {
        return Vec::new();
    }
    let mut diagnostics = Vec::new();
    let mut continued = false;
    for (start, line) in super::lines(text) {
        let was_continued = continued;
        continued = line.ends_with('\\');
        let indent = line.len() - line.trim_start().len();
        if was_continued || line[indent..].starts_with('#') {
            continue;
        }
        if within.is_some_and(|blocks| !blocks.iter().any(|b| b.contains(&start))) {
            continue;
        }
        // The logical line, with its continuations, must name flytekit.
        let mut end = start + line.len();
        let mut rest_continued = continued;
        while rest_continued && end < text.len() {
            let next_start = text[end..].find('\n').map_or(text.len(), |n| end + n + 1);
            let next_end = text[next_start..]
                .find('\n')
                .map_or(text.len(), |n| next_start + n);
            rest_continued = text[next_start..next_end]
                .trim_end_matches('\r')
                .ends_with('\\');
            end = next_end;
        }
        if memchr::memmem::find(&text.as_bytes()[start..end], b"flytekit").is_none() {
            continue;
        }
        // The shell commands of the line, and those of its exec-form arrays.
        let mut commands: Vec<(Vec<ShellWord>, Option<u8>)> = shell_commands(text, start + indent)
            .into_iter()
            .map(|words| (words, None))
            .collect();
        for open in memchr::memchr_iter(b'[', &text.as_bytes()[start..end]) {
            let rest = &text[start + open + 1..end];
            let first = start + open + 1 + (rest.len() - rest.trim_start().len());
            if let Some(words) = exec_array(text, first) {
                commands.push((words, None));
            }
        }
        // A quoted YAML scalar (`run: '...'`, `- "..."`), read by YAML's rules: a shell reader
        // would end a single-quoted one at its first `''`.
        let body = &text[start + indent..end];
        for (k, quote) in body.match_indices(['\'', '"']) {
            if body[..k].ends_with(": ") || body[..k].ends_with("- ") {
                let quote = quote.as_bytes()[0];
                let at = start + indent + k + 1;
                commands.extend(
                    shell_commands_in(text, at, Some(quote))
                        .into_iter()
                        .map(|words| (words, Some(quote))),
                );
            }
        }
        // A quoted word that holds a command line: `bash -c "pip install ..."`, a quoted YAML
        // scalar, an exec-form `["sh", "-c", "pip install ..."]`.
        let mut k = 0;
        while k < commands.len() {
            let mut inner = Vec::new();
            for word in commands[k].0.iter().filter(|w| w.quoted) {
                let s = &text[word.inner.clone()];
                if s.contains(char::is_whitespace) && s.contains("flytekit") {
                    let quote = word.inner.start.checked_sub(1).map(|i| text.as_bytes()[i]);
                    inner.extend(
                        shell_commands_in(text, word.inner.start, quote)
                            .into_iter()
                            .map(|words| (words, quote)),
                    );
                }
            }
            if commands[k].1.is_none() {
                commands.extend(inner);
            }
            k += 1;
        }
        for (words, enclosing) in &commands {
            let (found, poetry) = requirement_words(text, words);
            for word in found {
                let quote = if enclosing == &Some(b'"') {
                    b'\''
                } else {
                    b'"'
                };
                if poetry && let Some(diagnostic) = poetry_at(text, word, quote) {
                    diagnostics.push(diagnostic);
                    continue;
                }
                let style = if word.quoted {
                    Style::Pep440
                } else {
                    Style::ShellWord(quote)
                };
                diagnostics.extend(diagnose_string(
                    text,
                    word.inner.start,
                    word.inner.end,
                    Declared::Editable(style),
                ));
            }
        }
    }
    diagnostics.sort_by_key(|d| (d.range.start(), d.range.end(), d.rule));
    diagnostics.dedup_by_key(|d| (d.range, d.rule));
    super::keep(text, diagnostics, rules)
}

/// The words of one command that are requirements of an installer it runs.
/// With `poetry add`, whose words may be `NAME@CONSTRAINT`, the second value is `true`.
fn requirement_words<'w>(text: &str, words: &'w [ShellWord]) -> (Vec<&'w ShellWord>, bool) {
    let word = |i: usize| words.get(i).map_or("", |w| &text[w.inner.clone()]);
    let base = |i: usize| word(i).rsplit('/').next().unwrap_or("");
    let is_pip = |w: &str| {
        w == "pip"
            || w.strip_prefix("pip3")
                .is_some_and(|v| v.is_empty() || v.starts_with('.'))
    };
    let Some(first) = (0..words.len()).find_map(|k| {
        let b = base(k);
        if is_pip(b) && word(k + 1) == "install" {
            Some(k + 2)
        } else if b == "uv" && word(k + 1) == "pip" && word(k + 2) == "install" {
            Some(k + 3)
        } else if (matches!(b, "uv" | "poetry" | "pdm") && word(k + 1) == "add")
            || (b == "pipenv" && word(k + 1) == "install")
        {
            Some(k + 2)
        } else {
            None
        }
    }) else {
        return (Vec::new(), false);
    };
    let poetry = first >= 2 && base(first - 2) == "poetry";
    let mut found = Vec::new();
    let mut k = first;
    while k < words.len() {
        let w = word(k);
        if w.starts_with('-') {
            k += if WITH_VALUE.contains(&w) { 2 } else { 1 };
            continue;
        }
        found.push(&words[k]);
        k += 1;
    }
    (found, poetry)
}

/// A `poetry add` word `NAME@CONSTRAINT` (`flytekit@^1.13`, `flytekitplugins-ray@latest`) that
/// names flytekit or a plugin with a Flyte 2 package: the diagnostic, with the fix to
/// `flyte@^2.12.1` in Poetry's style. `None` for any other word.
fn poetry_at(text: &str, word: &ShellWord, quote: u8) -> Option<Diagnostic> {
    let s = &text[word.inner.clone()];
    let (name, spec) = s.split_once('@')?;
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    // Version characters only: `flytekit@git+https://...` is an install from a repository.
    let spec_ok = !spec.is_empty()
        && spec
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"^~=<>!.,* ".contains(&b));
    if !name_ok || !spec_ok {
        return None;
    }
    let target = Target::of(name)?;
    let new = target.name()?;
    let new_spec = if spec == "latest" {
        spec.to_string()
    } else {
        constraint(spec, Style::Poetry)
    };
    let rule = if target == Target::Flyte {
        Rule::FlytekitRequirement
    } else {
        Rule::FlytekitPluginRequirement
    };
    let mut replacement = format!("{new}@{new_spec}");
    if !word.quoted && new_spec.contains(['<', '>']) {
        // `<` and `>` would be redirections: the word is quoted.
        let quote = char::from(quote);
        replacement = format!("{quote}{replacement}{quote}");
    }
    let range = TextRange::new(
        TextSize::try_from(word.inner.start).ok()?,
        TextSize::try_from(word.inner.end).ok()?,
    );
    Some(
        Diagnostic::new(
            rule,
            format!("`{}` is `{new}` in Flyte 2", target.from()),
            range,
        )
        .with_help(format!("Depend on `{new}@{new_spec}`"))
        .with_fix(Fix::new(
            vec![Edit::replace(range, replacement)],
            Applicability::Safe,
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str) -> String {
        let diagnostics = check(text, &RuleSet::all());
        crate::fix::apply(text, diagnostics.iter().filter_map(|d| d.fix.as_ref()))
    }

    #[test]
    fn install_lines() {
        assert_eq!(
            fixed("RUN pip install --no-cache-dir flytekit==1.12.0 flytekitplugins-ray pandas\n"),
            "RUN pip install --no-cache-dir flyte==2.12.1 \"flyteplugins-ray>=2.12.1,<3\" pandas\n"
        );
        assert_eq!(
            fixed(
                "apt-get update && python -m pip install -r req.txt 'flytekit>=1.10' \\\n    flytekitplugins-spark==1.10.0 # deps\n"
            ),
            "apt-get update && python -m pip install -r req.txt 'flyte>=2.12.1,<3' \\\n    flyteplugins-spark==2.12.1 # deps\n"
        );
        assert_eq!(
            fixed("uv pip install --system flytekit\npoetry add \"flytekit>=1.10\"\n"),
            "uv pip install --system \"flyte>=2.12.1,<3\"\npoetry add \"flyte>=2.12.1,<3\"\n"
        );
    }

    #[test]
    fn exec_form_arrays() {
        assert_eq!(
            fixed("RUN [\"pip\", \"install\", \"flytekit==1.12.0\", \"flytekitplugins-ray\"]\n"),
            "RUN [\"pip\", \"install\", \"flyte==2.12.1\", \"flyteplugins-ray>=2.12.1,<3\"]\n"
        );
        assert_eq!(
            fixed("RUN [\"pip\", \"install\", \\\n     \"flytekit\"]\n"),
            "RUN [\"pip\", \"install\", \\\n     \"flyte>=2.12.1,<3\"]\n"
        );
        assert_eq!(
            fixed("RUN [\"sh\", \"-c\", \"pip install flytekit\"]\n"),
            "RUN [\"sh\", \"-c\", \"pip install 'flyte>=2.12.1,<3'\"]\n"
        );
    }

    #[test]
    fn quoted_command_lines() {
        // The inserted quotes are the other quote character, so the string stays valid YAML.
        assert_eq!(
            fixed("      - run: \"pip install flytekit\"\n"),
            "      - run: \"pip install 'flyte>=2.12.1,<3'\"\n"
        );
        assert_eq!(
            fixed("run: 'pip install flytekit \"flytekitplugins-ray>=1.10\"'\n"),
            "run: 'pip install \"flyte>=2.12.1,<3\" \"flyteplugins-ray>=2.12.1,<3\"'\n"
        );
        // Escaped quotes inside the quoted string are kept.
        assert_eq!(
            fixed("run: \"pip install \\\"flytekit>=1.10\\\"\"\n"),
            "run: \"pip install \\\"flyte>=2.12.1,<3\\\"\"\n"
        );
        assert_eq!(
            fixed("run: 'pip install ''flytekit>=1.10'''\n"),
            "run: 'pip install ''flyte>=2.12.1,<3'''\n"
        );
        assert_eq!(
            fixed("bash -c \"pip install flytekit==1.12.0 && pytest\"\n"),
            "bash -c \"pip install flyte==2.12.1 && pytest\"\n"
        );
    }

    #[test]
    fn poetry_add_constraints() {
        assert_eq!(
            fixed("poetry add flytekit@^1.13 flytekitplugins-ray@~1.13.0 pandas@^2\n"),
            "poetry add flyte@^2.12.1 flyteplugins-ray@~2.12.1 pandas@^2\n"
        );
        assert_eq!(
            fixed("poetry add \"flytekit@>=1.10,<2\" flytekitplugins-spark@latest\n"),
            "poetry add \"flyte@>=2.12.1,<3\" flyteplugins-spark@latest\n"
        );
        // A repository is not a constraint: reported, not rewritten.
        let text = "poetry add flytekit@git+https://github.com/flyteorg/flytekit.git\n";
        assert_eq!(fixed(text), text);
        assert!(!check(text, &RuleSet::all()).is_empty());
    }

    #[test]
    fn other_lines_are_left_alone() {
        for text in [
            "# pip install flytekit\n",
            "echo flytekit\n",
            "pip download flytekit\n",
            "pip install -r flytekit-requirements.txt\n",
        ] {
            assert!(check(text, &RuleSet::all()).is_empty(), "{text}");
        }
    }
}
