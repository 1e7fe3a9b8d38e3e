//! Arbitrary bytes through `check` and `fix`, as Python and as a shell script: no panic; a
//! source that parsed still parses after fixing; an unparsable one is left as it is; fixing
//! twice equals fixing once; and what `fix` reports as remaining is what `check` reports.

#![no_main]

use std::path::Path;

use flyte_migrate::registry::Rule;
use flyte_migrate::settings::{RuleSet, Settings};
use flyte_migrate::{check_file, fix_file};
use libfuzzer_sys::fuzz_target;

fn settings() -> Settings {
    Settings {
        rules: RuleSet::all(),
        unsafe_fixes: true,
        ..Settings::default()
    }
}

fn parses(text: &str) -> bool {
    !text.contains('\0') && ruff_python_parser::parse_module(text).is_ok()
}

fn codes(ds: &[flyte_migrate::diagnostic::Diagnostic]) -> Vec<(Rule, u32, u32)> {
    ds.iter()
        .map(|d| (d.rule, d.range.start().into(), d.range.end().into()))
        .collect()
}

fn one(text: &str, path: &Path, python: bool) {
    let settings = settings();
    let _ = check_file(text, Some(path), &settings);
    let Ok(once) = fix_file(text, Some(path), &settings) else {
        return;
    };
    if python {
        if parses(text) {
            assert!(
                parses(&once.text),
                "fixed output does not parse:\n{}",
                once.text
            );
        } else {
            assert_eq!(once.text, text, "an unparsable input was changed");
        }
    }
    let twice = fix_file(&once.text, Some(path), &settings).expect("fixes");
    assert_eq!(
        once.text, twice.text,
        "fixing twice differs from fixing once"
    );
    let checked = check_file(&once.text, Some(path), &settings).expect("checks");
    assert_eq!(
        codes(&once.remaining),
        codes(&checked),
        "remaining differs from check"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    one(text, Path::new("module.py"), true);
    // Most mutations lose the word the gate looks for: try them with it too.
    if !text.contains("flytekit") {
        one(
            &format!("import flytekit\n{text}"),
            Path::new("module.py"),
            true,
        );
    }
    one(text, Path::new("run.sh"), false);
});
