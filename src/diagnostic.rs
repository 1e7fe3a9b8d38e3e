//! Diagnostics and the fixes they carry.

use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::registry::Rule;

/// How safe a fix is to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// A suggestion that is shown, never applied.
    DisplayOnly,
    /// May change behaviour: applied only with `--unsafe-fixes`.
    Unsafe,
    /// Behaviour-preserving: applied by `fix`.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Replace the text in `range` with `content`. An empty range inserts, an empty content deletes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
    /// Among insertions at one offset, lower goes first (imports before what uses them).
    pub order: u8,
}

impl Edit {
    pub fn replace(range: TextRange, content: impl Into<String>) -> Self {
        Self {
            range,
            content: content.into(),
            order: 1,
        }
    }

    /// An insertion placed before (lower `order`) or after other insertions at the same offset.
    pub fn insert_ordered(at: TextSize, content: impl Into<String>, order: u8) -> Self {
        Self {
            range: TextRange::empty(at),
            content: content.into(),
            order,
        }
    }

    pub fn insert(at: TextSize, content: impl Into<String>) -> Self {
        Self::replace(TextRange::empty(at), content)
    }

    pub fn delete(range: TextRange) -> Self {
        Self::replace(range, String::new())
    }

    /// Two edits conflict when applying both would be ambiguous: their ranges share text, or one
    /// inserts strictly inside the other's range. Identical edits never conflict (they are one).
    pub fn conflicts_with(&self, other: &Edit) -> bool {
        if self == other {
            return false;
        }
        let (a, b) = (self.range, other.range);
        if a.is_empty() && b.is_empty() {
            return false;
        }
        if a.is_empty() {
            return b.start() < a.start() && a.start() < b.end();
        }
        if b.is_empty() {
            return a.start() < b.start() && b.start() < a.end();
        }
        a.start() < b.end() && b.start() < a.end()
    }
}

impl Ranged for Edit {
    fn range(&self) -> TextRange {
        self.range
    }
}

/// A set of edits applied together or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
    /// Chosen after every other fix of a round: a fix that rewrites a whole body waits for
    /// the fixes inside it.
    pub deferred: bool,
}

impl Fix {
    pub fn safe_edits(edits: Vec<Edit>) -> Self {
        Self::new(edits, Applicability::Safe)
    }

    pub fn unsafe_edits(edits: Vec<Edit>) -> Self {
        Self::new(edits, Applicability::Unsafe)
    }

    pub fn display_only_edits(edits: Vec<Edit>) -> Self {
        Self::new(edits, Applicability::DisplayOnly)
    }

    pub fn new(mut edits: Vec<Edit>, applicability: Applicability) -> Self {
        edits.sort_by_key(|e| (e.range.start(), e.range.end()));
        edits.dedup();
        Self {
            edits,
            applicability,
            deferred: false,
        }
    }

    /// Where the fix starts, for ordering fixes: the first edit that is not an import (an import
    /// is shared by many fixes and says nothing about where the change is).
    pub fn min_start(&self) -> TextSize {
        self.edits
            .iter()
            .filter(|e| e.order != 0)
            .chain(self.edits.iter())
            .map(|e| e.range.start())
            .next()
            .unwrap_or_default()
    }

    pub fn is_applied_with(&self, unsafe_fixes: bool) -> bool {
        match self.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => unsafe_fixes,
            Applicability::DisplayOnly => false,
        }
    }
}

/// One finding: a rule, where, what, and what the fix (if any) does.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: Rule,
    pub message: String,
    pub range: TextRange,
    /// What the fix does (shown as `help:`), or what to do by hand when there is no fix.
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(rule: Rule, message: impl Into<String>, range: TextRange) -> Self {
        Self {
            rule,
            message: message.into(),
            range,
            help: None,
            fix: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn set_fix(&mut self, fix: Option<Fix>) {
        self.fix = fix;
    }
}

impl Ranged for Diagnostic {
    fn range(&self) -> TextRange {
        self.range
    }
}
