//! Settings from `[tool.flyte-migrate]` in `pyproject.toml`, or from `flyte-migrate.toml`.
//!
//! The nearest file above the current directory wins (`flyte-migrate.toml` before
//! `pyproject.toml` in the same directory); `--config PATH` names one, `--isolated` ignores them.
//! The command line wins over the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::registry::{Rule, RuleSelector};

/// The options of the configuration file, spelled as in the file.
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    pub select: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Option<Vec<String>>,
    pub unsafe_fixes: Option<bool>,
    /// How migrated workflows are written: `"async"` (the default) or `"sync"`.
    pub style: Option<String>,
    /// In-house names that stand for flytekit ones: `"mycompany.flyte.task" = "flytekit.task"`.
    pub mappings: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    #[serde(rename = "flyte-migrate")]
    flyte_migrate: Option<toml::Value>,
}

/// A configuration file that was found and read.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: Option<PathBuf>,
    /// Paths in the file are relative to this directory.
    pub root: PathBuf,
    pub options: Options,
}

impl Config {
    /// No file: defaults everywhere.
    pub fn isolated(root: PathBuf) -> Self {
        Self {
            path: None,
            root,
            options: Options::default(),
        }
    }

    /// The nearest configuration file at or above `start`.
    pub fn discover(start: &Path) -> Result<Self, String> {
        for dir in start.ancestors() {
            for name in ["flyte-migrate.toml", "pyproject.toml"] {
                let candidate = dir.join(name);
                if candidate.is_file()
                    && let Some(config) = Self::load(&candidate)?
                {
                    return Ok(config);
                }
            }
        }
        Ok(Self::isolated(start.to_path_buf()))
    }

    /// Read one file; `None` for a `pyproject.toml` without a `[tool.flyte-migrate]` table.
    pub fn load(path: &Path) -> Result<Option<Self>, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: {}", path.display(), crate::discover::io_message(&e)))?;
        let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
        let options: Options = if is_pyproject {
            let pyproject: Pyproject = toml::from_str(&text)
                .map_err(|e| format!("{}: {}", path.display(), one_line(&e)))?;
            match pyproject.tool.and_then(|t| t.flyte_migrate) {
                Some(table) => Options::deserialize(table).map_err(|e| {
                    format!("{}: [tool.flyte-migrate]: {}", path.display(), one_line(&e))
                })?,
                None => return Ok(None),
            }
        } else {
            toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), one_line(&e)))?
        };
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let config = Self {
            path: Some(path.to_path_buf()),
            root,
            options,
        };
        // Check the selectors and patterns now, naming the key that is wrong.
        config.selectors("select", config.options.select.as_deref())?;
        config.selectors("extend-select", config.options.extend_select.as_deref())?;
        config.selectors("ignore", config.options.ignore.as_deref())?;
        config.per_file_ignores()?;
        config.excludes()?;
        for (name, target) in config.options.mappings.iter().flatten() {
            if !(target == "flytekit" || target.starts_with("flytekit.")) {
                return Err(format!(
                    "{}: `mappings`: `{name}` must map to a flytekit name, not `{target}`",
                    config.name()
                ));
            }
        }
        Ok(Some(config))
    }

    fn name(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "settings".to_string(), |p| p.display().to_string())
    }

    pub fn selectors(
        &self,
        key: &str,
        values: Option<&[String]>,
    ) -> Result<Vec<RuleSelector>, String> {
        values
            .unwrap_or_default()
            .iter()
            .map(|v| RuleSelector::parse(v).map_err(|e| format!("{}: `{key}`: {e}", self.name())))
            .collect()
    }

    /// `per-file-ignores`: a glob set and, for each glob, the selectors it turns off.
    pub fn per_file_ignores(&self) -> Result<Vec<(GlobSet, Vec<RuleSelector>)>, String> {
        let mut out = Vec::new();
        for (pattern, codes) in self.options.per_file_ignores.iter().flatten() {
            let glob = glob_set(std::slice::from_ref(pattern))
                .map_err(|e| format!("{}: `per-file-ignores`: {e}", self.name()))?;
            out.push((glob, self.selectors("per-file-ignores", Some(codes))?));
        }
        Ok(out)
    }

    /// `exclude` and `extend-exclude` as one glob set.
    pub fn excludes(&self) -> Result<GlobSet, String> {
        let patterns: Vec<String> = self
            .options
            .exclude
            .iter()
            .flatten()
            .chain(self.options.extend_exclude.iter().flatten())
            .cloned()
            .collect();
        glob_set(&patterns).map_err(|e| format!("{}: `exclude`: {e}", self.name()))
    }

    /// Whether a path matches a glob set, relative to the configuration's root, by its full path
    /// or by any of its components (so `exclude = ["generated"]` excludes every such directory).
    pub fn matches(&self, set: &GlobSet, path: &Path) -> bool {
        if set.is_empty() {
            return false;
        }
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        let relative = relative.strip_prefix(".").unwrap_or(relative);
        set.is_match(relative)
            || relative
                .components()
                .any(|c| set.is_match(Path::new(c.as_os_str())))
    }
}

fn glob_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| format!("bad pattern `{pattern}`: {e}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
}

fn one_line(error: &impl std::fmt::Display) -> String {
    error
        .to_string()
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with('|') && !l.chars().all(|c| c == '^' || c == ' ')
        })
        .collect::<Vec<_>>()
        .join(": ")
}

/// Every rule code, for `--show-settings`.
pub fn rule_codes(rules: impl Iterator<Item = Rule>) -> Vec<&'static str> {
    rules.map(Rule::code).collect()
}
