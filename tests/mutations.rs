//! Robustness on stable Rust: every fixture, mutated many times at random (deterministically),
//! goes through check and fix. Nothing may panic; when the mutated input parses, the fixed
//! output parses and fixing it again changes nothing.

mod common;

use common::{all_rules, parses};
use flyte_migrate::{check_text, fix_text};

/// xorshift64*: a small deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Mutations per fixture (`FLYTE_MIGRATE_MUTATIONS` raises it for a longer search).
fn rounds() -> usize {
    std::env::var("FLYTE_MIGRATE_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    ":",
    ",",
    " ",
    "\n",
    "\n    ",
    "\t",
    "\r\n",
    "#",
    "\"",
    "'",
    "f\"{",
    "}",
    "@task",
    "@workflow",
    "map_task(",
    "current_context()",
    ".secrets.get(",
    ">>",
    "await ",
    "async def ",
    "lambda: ",
    "Resources(mem=",
    "flytekit",
    "import flytekit\n",
    "\u{feff}",
    "\u{e9}",
    "\x0c",
    "\0",
    "if __name__ == \"__main__\":\n    ",
    "conditional(\"x\")",
    "**",
    "pyflyte ",
    "pyflyte run ",
    " --remote",
    " --copy ",
    "=",
    "`",
    "\\\n",
    // An import list continued with a backslash: removing its last name must take the
    // backslash too.
    ", \\\n    ",
    "from flytekit import task, \\\n    workflow\n",
    "```\n",
    "\u{3000}",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(4) {
            0 => {
                let end = (at + rng.below(40)).min(bytes.len());
                bytes.drain(at..end);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(at..at, token.bytes());
            }
            2 => {
                // Duplicate a slice elsewhere.
                let end = (at + rng.below(80)).min(bytes.len());
                let slice = bytes[at..end].to_vec();
                let to = rng.below(bytes.len() + 1);
                bytes.splice(to..to, slice);
            }
            _ => {
                if at < bytes.len() {
                    bytes[at] = (rng.next() & 0x7f) as u8;
                }
            }
        }
    }
    // The tool reads text; invalid UTF-8 is rejected before checking (tested in the CLI tests).
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn mutated_fixtures_never_break_the_tool() {
    let seed = std::env::var("FLYTE_MIGRATE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15_u64);
    let mut rng = Rng(seed | 1);
    let mut files: Vec<_> = std::fs::read_dir("fixtures")
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("py"))
        .collect();
    files.sort();
    let settings = all_rules(true);
    let mut parsed_inputs = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("fixture");
        for round in 0..rounds() {
            let mutated = mutate(&text, &mut rng);
            let name = format!("{} mutation {round}", path.display());
            let _ = check_text(&mutated, &settings);
            let Ok(once) = fix_text(&mutated, &settings) else {
                continue;
            };
            if !parses(&mutated) {
                assert_eq!(
                    once.text, mutated,
                    "{name}: an unparsable input was changed"
                );
                continue;
            }
            parsed_inputs += 1;
            assert!(
                parses(&once.text),
                "{name}: the fixed output does not parse:\n{}",
                once.text
            );
            let twice = fix_text(&once.text, &settings).expect("fixes");
            if once.text != twice.text
                && let Ok(dir) = std::env::var("FLYTE_MIGRATE_DUMP")
            {
                let _ = std::fs::write(format!("{dir}/failing-input.py"), &mutated);
            }
            assert_eq!(
                once.text, twice.text,
                "{name}: fixing twice differs from once"
            );
        }
    }
    assert!(
        parsed_inputs > 100,
        "too few mutations parse: {parsed_inputs}"
    );
}

/// The same for `pyflyte` command lines in scripts, YAML, Markdown, Makefiles and Dockerfiles:
/// no panic, and fixing twice equals fixing once.
#[test]
fn mutated_command_files_never_break_the_tool() {
    let mut rng = Rng(std::env::var("FLYTE_MIGRATE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x51_7cc1_b727_220a_u64)
        | 1);
    let mut files: Vec<_> = ["fixtures", "fixtures/commands"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).expect("fixtures"))
        .map(|e| e.expect("entry").path())
        .filter(|p| flyte_migrate::commands::CommandFile::of(p).is_some())
        .collect();
    files.sort();
    assert!(files.len() >= 6, "command fixtures: {files:?}");
    let settings = all_rules(true);
    for path in &files {
        let text = std::fs::read_to_string(path).expect("fixture");
        for round in 0..rounds() {
            let mutated = mutate(&text, &mut rng);
            let name = format!("{} mutation {round}", path.display());
            let _ = flyte_migrate::check_file(&mutated, Some(path), &settings);
            let once = flyte_migrate::fix_file(&mutated, Some(path), &settings).expect("fixes");
            let twice = flyte_migrate::fix_file(&once.text, Some(path), &settings).expect("fixes");
            assert_eq!(
                once.text, twice.text,
                "{name}: fixing twice differs from once:\n{mutated}"
            );
        }
    }
}
