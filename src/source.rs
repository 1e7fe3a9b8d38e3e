//! A file's text as the user wrote it: BOM, line endings, and line/column lookup.

use ruff_source_file::{LineColumn, LineIndex};
use ruff_text_size::TextSize;

const BOM: &str = "\u{feff}";

/// Decoded source text. Offsets everywhere refer to `text`, which excludes the BOM.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub text: String,
    pub bom: bool,
}

impl SourceText {
    /// Decode bytes as UTF-8, remembering a leading BOM.
    pub fn decode(bytes: Vec<u8>) -> Result<Self, DecodeError> {
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            DecodeError { offset }
        })?;
        Ok(Self::from_string(text))
    }

    pub fn from_string(mut text: String) -> Self {
        let bom = text.starts_with(BOM);
        if bom {
            text.drain(..BOM.len());
        }
        Self { text, bom }
    }

    /// The bytes to write back: the BOM (if there was one) and the text.
    pub fn to_bytes(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 3);
        if self.bom {
            out.extend_from_slice(BOM.as_bytes());
        }
        out.extend_from_slice(text.as_bytes());
        out
    }
}

#[derive(Debug, Clone, Copy)]
pub struct DecodeError {
    pub offset: usize,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "not valid UTF-8 (invalid byte at offset {})",
            self.offset
        )
    }
}

/// The line ending a file uses; new lines written by fixes use the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    Lf,
    CrLf,
    Cr,
}

impl LineEnding {
    pub fn detect(text: &str) -> Self {
        let bytes = text.as_bytes();
        match memchr::memchr2(b'\n', b'\r', bytes) {
            Some(i) if bytes[i] == b'\r' => {
                if bytes.get(i + 1) == Some(&b'\n') {
                    LineEnding::CrLf
                } else {
                    LineEnding::Cr
                }
            }
            _ => LineEnding::Lf,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
            LineEnding::Cr => "\r",
        }
    }
}

/// Line and column lookups over one text.
pub struct Locator<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            index: LineIndex::from_source_text(text),
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// One-based line and (character) column.
    pub fn line_column(&self, offset: TextSize) -> LineColumn {
        self.index.line_column(offset, self.text)
    }

    pub fn line_start(&self, offset: TextSize) -> TextSize {
        let line = self.index.line_index(offset);
        self.index.line_start(line, self.text)
    }

    /// The end of the line holding `offset`, after its line break.
    pub fn full_line_end(&self, offset: TextSize) -> TextSize {
        let line = self.index.line_index(offset);
        self.index.line_end(line, self.text)
    }

    /// The one-based line number of `offset`.
    pub fn row(&self, offset: TextSize) -> usize {
        self.index.line_index(offset).get()
    }

    /// The whitespace before `offset` on its line, if only whitespace precedes it.
    pub fn indentation(&self, offset: TextSize) -> Option<&'a str> {
        let start = self.line_start(offset);
        let prefix = &self.text[usize::from(start)..usize::from(offset)];
        prefix
            .chars()
            .all(|c| c == ' ' || c == '\t' || c == '\x0c')
            .then_some(prefix)
    }
}
