//! Robustness on real code: `fix --unsafe-fixes` over a corpus of real Flyte 1 repositories
//! (`../shared/corpus` beside the checkout, or `$FLYTE_MIGRATE_CORPUS`) must not panic, must not
//! report a fix of its own as a bug, must leave every file that parsed still parsing, must leave
//! no dependency declaration naming flytekit without a diagnostic, and a second `fix` must change
//! nothing. Without the corpus the test says it skipped and passes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("FLYTE_MIGRATE_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    dir.is_dir().then_some(dir)
}

/// Copy a tree, files made writable (the corpus may be read-only).
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            fs::write(&target, fs::read(entry.path())?)?;
        }
    }
    Ok(())
}

/// Every file's bytes, by path relative to the root.
fn snapshot(root: &Path) -> io::Result<BTreeMap<PathBuf, Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) -> io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                walk(root, &path, out)?;
            } else {
                let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                out.insert(rel, fs::read(&path)?);
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out)?;
    Ok(out)
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flyte-migrate"))
        .current_dir(dir)
        .arg(args[0])
        .arg("--isolated")
        .args(&args[1..])
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// The files `check` reports a syntax error in.
fn unparsable(dir: &Path) -> BTreeSet<String> {
    let output = run(
        dir,
        &[
            "check",
            "--select",
            "FM901",
            "--output-format",
            "concise",
            "--exit-zero",
            ".",
        ],
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.contains("FM901"))
        .filter_map(|l| l.split(':').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn fixing_the_corpus_twice_is_clean_and_settles() -> io::Result<()> {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: no corpus at ../shared/corpus (set FLYTE_MIGRATE_CORPUS to run this)");
        return Ok(());
    };
    let work = tempfile::tempdir()?;
    let root = work.path().join("corpus");
    copy_tree(&corpus, &root)?;
    let broken_before = unparsable(&root);

    let first = run(&root, &["fix", "--unsafe-fixes", "."]);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_ne!(first.status.code(), Some(101), "fix panicked:\n{stderr}");
    let bugs: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("bug in flyte-migrate") || l.contains("panicked"))
        .collect();
    assert!(bugs.is_empty(), "fix reported bugs:\n{}", bugs.join("\n"));

    let broken_after = unparsable(&root);
    let newly_broken: Vec<&String> = broken_after.difference(&broken_before).collect();
    assert!(
        newly_broken.is_empty(),
        "files that parsed no longer parse: {newly_broken:?}"
    );

    let fixed = snapshot(&root)?;
    let silent = silent_dependencies(&root, &fixed);
    assert!(
        silent.is_empty(),
        "after fix, dependency declarations name flytekit without a diagnostic:\n{}",
        silent.join("\n")
    );
    let second = run(&root, &["fix", "--unsafe-fixes", "."]);
    assert_ne!(second.status.code(), Some(101), "second fix panicked");
    let refixed = snapshot(&root)?;
    let changed: Vec<&PathBuf> = refixed
        .iter()
        .filter(|(path, bytes)| fixed.get(*path) != Some(*bytes))
        .map(|(path, _)| path)
        .collect();
    assert!(
        changed.is_empty(),
        "a second fix changed {changed:?}:\n{}",
        String::from_utf8_lossy(&second.stderr)
    );
    eprintln!(
        "corpus: {} files, {} unparsable as given; fixed once, no dependency on flytekit left without a diagnostic, the second fix changed nothing",
        fixed.len(),
        broken_before.len()
    );
    Ok(())
}

/// The lines of dependency declarations that still name flytekit (or a flytekit plugin) but carry
/// no diagnostic: manifests, `setup.py` requirement strings, and install command lines of scripts,
/// Makefiles, Dockerfiles and YAML. A lock file needs one diagnostic, on any line.
fn silent_dependencies(root: &Path, files: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<String> {
    use flyte_migrate::kind::FileKind;
    use flyte_migrate::manifest::ManifestFile;
    let output = run(
        root,
        &["check", "--output-format", "concise", "--exit-zero", "."],
    );
    let reported: BTreeSet<(String, usize)> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| {
            let mut parts = l.splitn(3, ':');
            let path = parts.next()?.trim_start_matches("./").to_string();
            let row = parts.next()?.parse().ok()?;
            Some((path, row))
        })
        .collect();
    let installs = [
        "pip install",
        "pip3 install",
        "uv add",
        "poetry add",
        "pipenv install",
    ];
    let mut silent = Vec::new();
    for (rel, bytes) in files {
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        let kind = FileKind::of(rel);
        let name = rel.display().to_string();
        let setup = rel.file_name().is_some_and(|n| n == "setup.py");
        if kind == Some(FileKind::Manifest(ManifestFile::Lock)) {
            if text.contains("flytekit") && !reported.iter().any(|(p, _)| *p == name) {
                silent.push(format!("{name}: a lock file naming flytekit"));
            }
            continue;
        }
        let counted = |line: &str| match kind {
            Some(FileKind::Manifest(_)) => !line.trim_start().starts_with('#'),
            Some(FileKind::Commands(_)) if !name.ends_with(".md") => {
                installs.iter().any(|i| line.contains(i))
            }
            _ if setup => ["\"flytekit", "'flytekit"].iter().any(|q| {
                line.match_indices(q).any(|(i, _)| {
                    let rest = &line[i + q.len()..];
                    let rest = rest.strip_prefix("plugins-").map_or(rest, |r| {
                        r.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '-')
                    });
                    rest.starts_with(['"', '\'', '[', '<', '>', '=', '!', '~', ';', ' '])
                })
            }),
            _ => false,
        };
        for (i, line) in text.lines().enumerate() {
            if line.contains("flytekit")
                && counted(line)
                && !reported.contains(&(name.clone(), i + 1))
            {
                silent.push(format!("{name}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    silent
}
