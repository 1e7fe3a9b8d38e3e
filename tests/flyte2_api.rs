//! Flyte 1 arguments on Flyte 2 APIs, through the whole fix loop: when one decorator needs both
//! the environment rewrite (FM204) and the cache rewrite (FM203), the result is the same
//! whichever applies first (FM204 rewrites the cache settings with the decorator), and a
//! decorator already on `@env.task` that kept Flyte 1 cache keywords is rewritten by FM206.

mod common;

use std::path::Path;

use common::{all_rules, settings};
use flyte_migrate::registry::Rule;
use flyte_migrate::{check_file, fix_file};

const PROGRAM: &str = "fixtures/equivalence/cached_light_profile.py";
const DECORATOR: &str =
    "@score_env.task(cache=flyte.Cache(behavior=\"auto\", version_override=\"1.0\"))\n";

fn program() -> String {
    std::fs::read_to_string(PROGRAM).expect("the program is readable")
}

/// Fix `text` with all rules and `--unsafe-fixes`, and check that nothing is left to report.
fn fix_all(text: &str) -> String {
    let path = Path::new(PROGRAM);
    let outcome = fix_file(text, Some(path), &all_rules(true)).expect("fixes");
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let left = check_file(&outcome.text, Some(path), &all_rules(true)).expect("checks");
    assert!(left.is_empty(), "left: {left:?}\n{}", outcome.text);
    outcome.text
}

#[test]
fn environment_and_cache_rewrites_of_one_decorator_end_right() {
    let fixed = fix_all(&program());
    assert!(fixed.contains(DECORATOR), "{fixed}");
    assert!(!fixed.contains("cache_version"), "{fixed}");
    assert!(!fixed.contains("cache=True"), "{fixed}");
}

#[test]
fn either_rewrite_first_gives_the_same_result() {
    let path = Path::new(PROGRAM);
    let whole = fix_all(&program());
    for first in [&["FM201", "FM203"][..], &["FM201", "FM204", "FM301"][..]] {
        let partial = fix_file(&program(), Some(path), &settings(first, true)).expect("fixes");
        assert_ne!(partial.text, program(), "{first:?} fixed nothing");
        assert_eq!(fix_all(&partial.text), whole, "{first:?} first");
    }
}

#[test]
fn flyte1_cache_keywords_left_on_env_task_are_rewritten() {
    let half = program().replace(
        "@task(cache=True, cache_version=\"1.0\", requests=LIGHT)",
        "@score_env.task(cache=True, cache_version=\"1.0\")",
    );
    let half = half.replace(
        "LIGHT = Resources(cpu=\"1\", mem=\"1Gi\")\n",
        "LIGHT = Resources(cpu=\"1\", mem=\"1Gi\")\n\
         score_env = flyte.TaskEnvironment(name=\"cached_light_profile-score\", resources=flyte.Resources(cpu=\"1\", memory=\"1Gi\"))\n",
    );
    let half = half.replace(
        "from typing import List\n",
        "from typing import List\n\nimport flyte\n",
    );
    let found = check_file(&half, Some(Path::new(PROGRAM)), &all_rules(true)).expect("checks");
    assert!(
        found.iter().any(|d| d.rule == Rule::Flyte1Argument),
        "{found:?}"
    );
    let fixed = fix_all(&half);
    assert!(fixed.contains(DECORATOR), "{fixed}");
}

/// Files that import only `flyte` are checked now: a `flyte.Image` method called as Flyte 2
/// takes it is no `ImageSpec` method to rewrite (its fix would rewrite it into itself forever).
#[test]
fn flyte_image_layers_on_a_flyte_image_are_left_alone() {
    let text = "import flyte\n\nbase = flyte.Image.from_debian_base().with_apt_packages(\"git\")\n\
                curl = base.with_apt_packages(\"curl\")\n";
    let found = check_file(text, Some(Path::new("images.py")), &all_rules(true)).expect("checks");
    assert!(found.is_empty(), "{found:?}");
    let outcome = fix_file(text, Some(Path::new("images.py")), &all_rules(true)).expect("fixes");
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    assert_eq!(outcome.text, text);
}
