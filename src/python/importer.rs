//! Adds and removes imports on behalf of fixes, in one place.
//!
//! A fix that needs `import flyte` asks the importer for the edit; identical insertions from
//! several fixes are one edit, so the import is added once. Removal of flytekit imports that lost
//! their last use is the `unused-flytekit-import` rule, so it runs to the same fixpoint as the rest.

use ruff_python_ast::{Alias, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::Edit;
use crate::source::{LineEnding, Locator};

pub struct Importer<'a> {
    at: TextSize,
    /// The file ends inside the import block without a final line break.
    leading_break: bool,
    line_ending: LineEnding,
    body: &'a [Stmt],
}

impl<'a> Importer<'a> {
    pub fn new(body: &'a [Stmt], locator: &Locator, line_ending: LineEnding) -> Self {
        let mut stmts = body.iter().peekable();
        let mut anchor: Option<&Stmt> = None;
        if let Some(Stmt::Expr(first)) = stmts.peek()
            && first.value.is_string_literal_expr()
        {
            anchor = stmts.next();
        }
        for stmt in stmts {
            if matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) {
                anchor = Some(stmt);
            } else {
                break;
            }
        }
        let text_len = ruff_text_size::TextSize::of(locator.text());
        let (at, leading_break) = match anchor {
            Some(stmt) => {
                let end = locator.full_line_end(stmt.end());
                let ends_with_break = locator.text()[..usize::from(end)].ends_with(['\n', '\r']);
                (end, !ends_with_break && end == text_len)
            }
            None => match body.first() {
                Some(stmt) => (locator.line_start(stmt.start()), false),
                None => (text_len, false),
            },
        };
        Self {
            at,
            leading_break,
            line_ending,
            body,
        }
    }

    /// The edit that adds `import <module>` to the file's import block.
    pub fn add_import(&self, module: &str) -> Edit {
        let nl = self.line_ending.as_str();
        let content = if self.leading_break {
            format!("{nl}import {module}")
        } else {
            format!("import {module}{nl}")
        };
        Edit::insert_ordered(self.at, content, 0)
    }

    /// The edit that adds `from <module> import <name>` to the file's import block.
    pub fn add_from_import(&self, module: &str, name: &str) -> Edit {
        let nl = self.line_ending.as_str();
        let content = if self.leading_break {
            format!("{nl}from {module} import {name}")
        } else {
            format!("from {module} import {name}{nl}")
        };
        Edit::insert_ordered(self.at, content, 0)
    }

    /// Where new imports go: environments defined after the imports are inserted here too.
    pub fn import_block_end(&self) -> TextSize {
        self.at
    }

    /// The edit that removes `aliases` from the import statement `stmt`, or the whole
    /// statement when no alias would remain.
    pub fn remove_aliases(&self, stmt: &Stmt, aliases: &[&Alias], locator: &Locator) -> Vec<Edit> {
        let all: &[Alias] = match stmt {
            Stmt::Import(import) => &import.names,
            Stmt::ImportFrom(import) => &import.names,
            _ => return Vec::new(),
        };
        if all
            .iter()
            .all(|a| aliases.iter().any(|r| r.range() == a.range()))
        {
            return vec![self.delete_stmt(stmt, locator)];
        }
        let ranges: Vec<TextRange> = all.iter().map(Ranged::range).collect();
        crate::rules::remove_list_items(locator.text(), &ranges, |r| {
            aliases.iter().any(|a| a.range() == *r)
        })
    }

    /// Delete a simple statement: its whole lines when it stands alone on them, `pass` when it is
    /// the only statement of its block, or just its text when it shares a line.
    pub fn delete_stmt(&self, stmt: &Stmt, locator: &Locator) -> Edit {
        let alone_in_block = enclosing_body(self.body, stmt.range())
            .is_some_and(|b| b.len() == 1 && !std::ptr::eq(b.as_ptr(), self.body.as_ptr()));
        let line_start = locator.line_start(stmt.start());
        let line_end = locator.full_line_end(stmt.end());
        let before = &locator.text()[usize::from(line_start)..usize::from(stmt.start())];
        let after = &locator.text()[usize::from(stmt.end())..usize::from(line_end)];
        let own_lines = before.trim().is_empty() && {
            let rest = after.trim_start_matches([' ', '\t']);
            rest.is_empty() || rest.starts_with('#') || rest.starts_with(['\r', '\n'])
        };
        if alone_in_block {
            Edit::replace(stmt.range(), "pass")
        } else if own_lines {
            // At the top of the file, the blank lines that followed go too.
            let mut end = line_end;
            if line_start == TextSize::default() {
                while end < text_len(locator) {
                    let next = locator.full_line_end(end);
                    if !locator.text()[usize::from(end)..usize::from(next)]
                        .trim()
                        .is_empty()
                    {
                        break;
                    }
                    end = next;
                }
            }
            Edit::delete(TextRange::new(line_start, end))
        } else {
            Edit::replace(stmt.range(), "pass")
        }
    }
}

fn text_len(locator: &Locator) -> TextSize {
    TextSize::of(locator.text())
}

/// The statement list that directly holds the statement at `target`.
pub fn enclosing_body(body: &[Stmt], target: TextRange) -> Option<&[Stmt]> {
    for stmt in body {
        if stmt.range() == target {
            return Some(body);
        }
        if !stmt.range().contains_range(target) {
            continue;
        }
        for child in child_bodies(stmt) {
            if let Some(found) = enclosing_body(child, target) {
                return Some(found);
            }
        }
        return None;
    }
    None
}

/// The statement lists nested directly in a compound statement.
pub fn child_bodies(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::FunctionDef(s) => vec![&s.body],
        Stmt::ClassDef(s) => vec![&s.body],
        Stmt::For(s) => vec![&s.body, &s.orelse],
        Stmt::While(s) => vec![&s.body, &s.orelse],
        Stmt::If(s) => {
            let mut v: Vec<&[Stmt]> = vec![&s.body];
            v.extend(s.elif_else_clauses.iter().map(|c| &c.body[..]));
            v
        }
        Stmt::With(s) => vec![&s.body],
        Stmt::Match(s) => s.cases.iter().map(|c| &c.body[..]).collect(),
        Stmt::Try(s) => {
            let mut v: Vec<&[Stmt]> = vec![&s.body];
            for h in &s.handlers {
                let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                v.push(&h.body);
            }
            v.push(&s.orelse);
            v.push(&s.finalbody);
            v
        }
        _ => Vec::new(),
    }
}

/// Whether an expression is a plain string literal (a docstring).
pub fn is_docstring(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(e) if matches!(*e.value, Expr::StringLiteral(_)))
}
