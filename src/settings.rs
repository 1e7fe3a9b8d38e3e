//! Which rules run and which fixes apply.

use std::sync::Arc;

use crate::registry::{Rule, RuleSelector};

/// A set of enabled rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    enabled: Vec<bool>,
}

impl RuleSet {
    pub fn all() -> Self {
        Self {
            enabled: vec![true; Rule::ALL.len()],
        }
    }

    /// Start from `select` (all rules when empty), then remove `ignore`; when a rule matches both,
    /// the more specific selector wins, as in ruff.
    pub fn from_selectors(select: &[RuleSelector], ignore: &[RuleSelector]) -> Self {
        let enabled = Rule::ALL
            .iter()
            .map(|&rule| {
                let selected = if select.is_empty() {
                    Some(0)
                } else {
                    select
                        .iter()
                        .filter(|s| s.matches(rule))
                        .map(RuleSelector::specificity)
                        .max()
                };
                let ignored = ignore
                    .iter()
                    .filter(|s| s.matches(rule))
                    .map(RuleSelector::specificity)
                    .max();
                match (selected, ignored) {
                    (Some(s), Some(i)) => s > i,
                    (Some(_), None) => true,
                    _ => false,
                }
            })
            .collect();
        Self { enabled }
    }

    pub fn contains(&self, rule: Rule) -> bool {
        Rule::ALL
            .iter()
            .position(|&r| r == rule)
            .and_then(|i| self.enabled.get(i).copied())
            .unwrap_or(false)
    }

    pub fn iter(&self) -> impl Iterator<Item = Rule> + '_ {
        Rule::ALL
            .iter()
            .zip(&self.enabled)
            .filter(|(_, on)| **on)
            .map(|(r, _)| *r)
    }
}

/// How orchestrating tasks (migrated workflows and dynamic workflows) are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Style {
    /// `async def`, with task calls awaited and independent calls started together.
    #[default]
    Async,
    /// Plain `def`, with calls in statement order.
    Sync,
}

impl Style {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "async" => Some(Style::Async),
            "sync" => Some(Style::Sync),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Style::Async => "async",
            Style::Sync => "sync",
        }
    }
}

/// Everything that changes what checking and fixing a source does.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rules: RuleSet,
    pub unsafe_fixes: bool,
    /// Extra names that stand for flytekit ones (in-house wrappers): (name, flytekit name).
    pub mappings: Arc<[(String, String)]>,
    /// How migrated orchestrators are written.
    pub style: Style,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            rules: RuleSet::all(),
            unsafe_fixes: false,
            mappings: Arc::from(Vec::new()),
            style: Style::default(),
        }
    }
}
