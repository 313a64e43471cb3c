//! Diagnostics: every problem qunce finds is a value with a file, a line, a column, a message
//! and (where we can guess) a help line, collected across the whole run and printed together
//! like a compiler does. Nothing in the pipeline prints or exits on its own.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::messages::{self, Lang};

mod suggest;
pub(crate) use suggest::{Candidates, did_you_mean, levenshtein, suggest};

/// How bad a problem is: errors fail `build` and `check`, warnings only fail
/// `check --deny-warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The site cannot be published as it is: `build` and `check` fail.
    Error,
    /// Worth fixing but publishable; a lint the site can allow or deny.
    Warning,
}

/// One problem, located in a source file (relative to the site root) when it has a place.
///
/// Positions are 1-based. `column` counts Unicode characters (so a CJK glyph is one column);
/// `column_utf16` counts UTF-16 code units, what LSP editors and JavaScript use (a character
/// outside the Basic Multilingual Plane is two). `line` is 0 for a problem of a whole file
/// (printed as `null` in JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether the problem fails the build; a site's `[lints]` may change it for warnings.
    pub severity: Severity,
    /// A stable machine-readable name (`broken-link`, `unknown-kind`, …) for editors and tests;
    /// for warnings it is the lint name `[lints]` and `allow` take (see `crate::lints`).
    pub code: &'static str,
    /// Path relative to the site root, with `/` separators; empty for site-wide problems.
    pub file: String,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based, counted in characters (not bytes), so CJK text points at the right glyph.
    pub column: usize,
    /// The same column counted in UTF-16 code units.
    pub(crate) column_utf16: usize,
    /// Where the offending text ends (exclusive), when known: line, column, UTF-16 column.
    pub(crate) end: Option<(usize, usize, usize)>,
    /// What is wrong, in one sentence (English; translated when rendered in another language).
    pub message: String,
    /// How to fix it, when qunce can tell: the `help:` line.
    pub help: Option<String>,
    /// Other places that take part in the problem (the files of an ambiguous link's targets).
    pub candidates: Vec<String>,
    /// Edits that fix the problem as the help line says, for editors to apply.
    pub fixes: Vec<Fix>,
    /// The text of the offending line, shown under the location.
    pub source_line: Option<String>,
}

/// A machine-applicable fix: replace the text between two positions of the diagnostic's file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fix {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) column_utf16: usize,
    pub(crate) end_line: usize,
    pub(crate) end_column: usize,
    pub(crate) end_column_utf16: usize,
    /// The text that replaces that range.
    pub replacement: String,
}

impl Diagnostic {
    /// An error without a location yet; chain [`Diagnostic::at`] to place it.
    pub(crate) fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: String::new(),
            line: 0,
            column: 0,
            column_utf16: 0,
            end: None,
            message: message.into(),
            help: None,
            candidates: Vec::new(),
            fixes: Vec::new(),
            source_line: None,
        }
    }

    /// A warning without a location yet.
    pub(crate) fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Places the diagnostic at a byte offset of `source`, the full text of `file`.
    pub(crate) fn at(mut self, file: &SourceFile<'_>, offset: usize) -> Self {
        let (line, column, text) = file.position(offset);
        self.file = file.name.to_string();
        self.line = line;
        self.column = column;
        self.column_utf16 = utf16_column(text, column);
        self.source_line = (text.len() <= MAX_EXCERPT).then(|| text.to_string());
        self
    }

    /// Places the diagnostic on the bytes `start..end` of `file`.
    pub(crate) fn at_span(self, file: &SourceFile<'_>, start: usize, end: usize) -> Self {
        let mut d = self.at(file, start);
        let (line, column, text) = file.position(end.max(start));
        d.end = Some((line, column, utf16_column(text, column)));
        d
    }

    /// Adds an edit replacing `start..end` of `file` with `replacement`.
    pub(crate) fn with_fix(
        mut self,
        file: &SourceFile<'_>,
        start: usize,
        end: usize,
        replacement: impl Into<String>,
    ) -> Self {
        let (line, column, text) = file.position(start);
        let column_utf16 = utf16_column(text, column);
        let (end_line, end_column, end_text) = file.position(end.max(start));
        self.fixes.push(Fix {
            line,
            column,
            column_utf16,
            end_line,
            end_column,
            end_column_utf16: utf16_column(end_text, end_column),
            replacement: replacement.into(),
        });
        self
    }

    /// Names other files that take part in the problem.
    pub(crate) fn with_candidates(mut self, files: Vec<String>) -> Self {
        self.candidates = files;
        self
    }

    /// Names a file without a position (a whole-file problem).
    pub(crate) fn in_file(mut self, file: &str) -> Self {
        self.file = file.to_string();
        self
    }

    /// Places the diagnostic at an explicit line and column (used for template errors, whose
    /// positions come from Tera).
    pub(crate) fn at_line(
        mut self,
        file: &str,
        line: usize,
        column: usize,
        text: Option<String>,
    ) -> Self {
        self.file = file.to_string();
        self.line = line;
        self.column = column;
        self.column_utf16 = text.as_deref().map_or(column, |t| utf16_column(t, column));
        self.source_line = text;
        self
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this problem fails the build (the others are warnings).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The UTF-16 column of character column `column` (1-based) of `line`.
fn utf16_column(line: &str, column: usize) -> usize {
    let before: usize = line
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf16)
        .sum();
    // Past the end of the line (a position at its newline) counts on in characters.
    let counted = line.chars().count().min(column.saturating_sub(1));
    before + column.saturating_sub(1) - counted + 1
}

impl serde::Serialize for Diagnostic {
    /// The JSON form of `--format json` and the dev server's overlay: the fields above, with
    /// `line`/`column` null for a whole-file problem and the end of the span flattened.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let placed = self.line > 0;
        let end = self.end.filter(|_| placed);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("severity", &self.severity)?;
        m.serialize_entry("code", self.code)?;
        m.serialize_entry("file", &self.file)?;
        m.serialize_entry("line", &placed.then_some(self.line))?;
        m.serialize_entry("column", &placed.then_some(self.column))?;
        m.serialize_entry("column_utf16", &placed.then_some(self.column_utf16))?;
        m.serialize_entry("end_line", &end.map(|e| e.0))?;
        m.serialize_entry("end_column", &end.map(|e| e.1))?;
        m.serialize_entry("end_column_utf16", &end.map(|e| e.2))?;
        m.serialize_entry("message", &self.message)?;
        m.serialize_entry("help", &self.help)?;
        m.serialize_entry("candidates", &self.candidates)?;
        m.serialize_entry("fixes", &self.fixes)?;
        m.end()
    }
}

/// A source text paired with its display name, so byte offsets can be turned into
/// `line:column` without every stage re-counting newlines by hand.
///
/// Line starts are indexed on the first lookup and the last position is remembered, so a file
/// with thousands of problems (100,000 broken links on one page) is located in linear time,
/// not by rescanning the text from the start for each one.
pub(crate) struct SourceFile<'a> {
    pub(crate) name: &'a str,
    pub(crate) text: &'a str,
    lines: std::cell::OnceCell<Vec<usize>>,
    /// The last (byte offset, column) found, to count columns on from it along a long line.
    last: std::cell::Cell<(usize, usize)>,
}

/// Source lines longer than this are not copied into diagnostics: the excerpt would be useless
/// and, for a machine-made one-line file, huge.
const MAX_EXCERPT: usize = 1000;

impl<'a> SourceFile<'a> {
    pub(crate) fn new(name: &'a str, text: &'a str) -> Self {
        SourceFile {
            name,
            text,
            lines: std::cell::OnceCell::new(),
            last: std::cell::Cell::new((0, 1)),
        }
    }

    /// 1-based line, 1-based character column and the line's text for a byte offset.
    /// Offsets past the end clamp to the end; offsets inside a UTF-8 sequence clamp back.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize, &'a str) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        // The line holding `offset`: the last start at or before it.
        let line = starts.partition_point(|&s| s <= offset);
        let line_start = starts[line - 1];
        let (last_offset, last_column) = self.last.get();
        let column = if last_offset >= line_start && last_offset <= offset {
            last_column + self.text[last_offset..offset].chars().count()
        } else {
            self.text[line_start..offset].chars().count() + 1
        };
        self.last.set((offset, column));
        let line_end = starts.get(line).map_or(self.text.len(), |&next| next - 1);
        let text = self.text[line_start..line_end].trim_end_matches('\r');
        (line, column, text)
    }
}

/// Sorts diagnostics the way a reader scans them: by file, then line, then column; site-wide
/// problems (no file) first.
pub(crate) fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.severity, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.severity, &b.message))
    });
}

/// How diagnostics are printed: for people or for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `file:line:col: message` with the source line and a help line, for a terminal.
    Human {
        /// Whether to use ANSI colours (a terminal that is not redirected).
        color: bool,
    },
    /// One JSON object per line, for editors and CI.
    Json,
}

/// Renders all diagnostics plus a summary line, in English. Returns the text so callers (the
/// CLI, the dev server's overlay, tests) decide where it goes.
pub fn render(diags: &[Diagnostic], format: Format) -> String {
    render_in(diags, format, Lang::En)
}

/// [`render`] in `lang`: messages, help lines, labels and the summary line translated through
/// the message catalogue ([`crate::messages`]); JSON keeps its keys and codes.
pub fn render_in(diags: &[Diagnostic], format: Format, lang: Lang) -> String {
    let mut out = String::new();
    match format {
        Format::Json => {
            for d in diags {
                let d = localize(d, lang);
                out.push_str(&serde_json::to_string(&d).unwrap_or_default());
                out.push('\n');
            }
        }
        Format::Human { color } => {
            for d in diags {
                render_one(&mut out, &localize(d, lang), color, lang);
            }
            let (errors, warnings) = count(diags);
            if errors + warnings > 0 {
                let _ = writeln!(out, "{}", summary(errors, warnings, lang));
            }
        }
    }
    out
}

/// `d` with its message and help in `lang` (unchanged in English, or where the catalogue has
/// no template for the text).
pub(crate) fn localize(d: &Diagnostic, lang: Lang) -> Diagnostic {
    let mut d = d.clone();
    if lang != Lang::En {
        d.message = messages::translate(d.code, &d.message, false, lang);
        d.help = d.help.map(|h| messages::translate(d.code, &h, true, lang));
    }
    d
}

/// Counts errors and warnings.
pub fn count(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

/// "3 errors" / "1 warning" in `lang`.
pub fn counted(n: usize, warnings: bool, lang: Lang) -> String {
    let id = match (warnings, n == 1) {
        (false, true) => "error-count-one",
        (false, false) => "error-count",
        (true, true) => "warning-count-one",
        (true, false) => "warning-count",
    };
    messages::cli(lang, id, &[("n", &n)])
}

fn summary(errors: usize, warnings: usize, lang: Lang) -> String {
    let counts = match (errors, warnings) {
        (0, w) => counted(w, true, lang),
        (e, 0) => counted(e, false, lang),
        (e, w) => messages::cli(
            lang,
            "and",
            &[
                ("first", &counted(e, false, lang)),
                ("second", &counted(w, true, lang)),
            ],
        ),
    };
    messages::cli(lang, "emitted", &[("counts", &counts)])
}

fn render_one(out: &mut String, d: &Diagnostic, color: bool, lang: Lang) {
    let (label, code) = match d.severity {
        Severity::Error => (messages::cli(lang, "error", &[]), "\x1b[1;31m"),
        Severity::Warning => (messages::cli(lang, "warning", &[]), "\x1b[1;33m"),
    };
    // Chinese text takes full-width colons.
    let colon = if lang == Lang::En { ": " } else { "：" };
    let (bold, blue, reset) = if color {
        ("\x1b[1m", "\x1b[1;34m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let code = if color { code } else { "" };
    let _ = writeln!(
        out,
        "{code}{label}[{}]{reset}{bold}{colon}{}{reset}",
        d.code,
        terminal_safe(&d.message)
    );
    if !d.file.is_empty() {
        let file = terminal_safe(&d.file);
        if d.line > 0 {
            let _ = writeln!(out, "  {blue}-->{reset} {file}:{}:{}", d.line, d.column);
        } else {
            let _ = writeln!(out, "  {blue}-->{reset} {file}");
        }
    }
    if let Some(text) = &d.source_line {
        let num = d.line.to_string();
        let pad = " ".repeat(num.len());
        let _ = writeln!(out, "{pad} {blue}|{reset}");
        let text = text.strip_suffix('\r').unwrap_or(text);
        let _ = writeln!(out, "{blue}{num} |{reset} {}", terminal_safe(text));
        if d.column > 0 {
            // CJK glyphs take two terminal cells; count them so the caret lands under the glyph,
            // and an escaped control character takes the cells of its escape.
            let width: usize = text
                .chars()
                .take(d.column - 1)
                .map(|c| match escaped(c) {
                    Some(e) => e.len(),
                    None if is_wide(c) => 2,
                    None => 1,
                })
                .sum();
            let _ = writeln!(
                out,
                "{pad} {blue}|{reset} {}{code}^{reset}",
                " ".repeat(width)
            );
        }
    }
    if let Some(help) = &d.help {
        let label = messages::cli(lang, "help", &[]);
        let (colon, space) = if lang == Lang::En {
            (":", " ")
        } else {
            ("：", "")
        };
        let _ = writeln!(
            out,
            "  {bold}= {label}{colon}{reset}{space}{}",
            terminal_safe(help)
        );
    }
    out.push('\n');
}

/// The escape a character is shown as on a terminal, if it must not reach one raw: control
/// characters (an escape sequence can retitle the window, write the clipboard or clear the
/// screen; a carriage return can overwrite the line) and the bidirectional overrides that make
/// text read in another order than it runs. Tabs and line breaks pass (messages of template
/// errors run over several lines).
fn escaped(c: char) -> Option<String> {
    let control = (c.is_control() && !matches!(c, '\t' | '\n'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    control.then(|| c.escape_unicode().to_string())
}

/// `s` with every character of `escaped` written as its escape (`\u{1b}`); diagnostics quote
/// content, which a stranger may have written.
pub(crate) fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| escaped(c).is_some()) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match escaped(c) {
            Some(e) => out.push_str(&e),
            None => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Displays a path relative to `root` with forward slashes, the form every diagnostic uses.
pub(crate) fn display_path(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    rel.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let src = SourceFile::new("a.md", "+++\ntitle = \"开营\"\n+++\n班长 [[x]]\n");
        let off = src.text.find("[[").unwrap();
        let (line, col, text) = src.position(off);
        assert_eq!((line, col, text), (4, 4, "班长 [[x]]"));
    }

    #[test]
    fn suggestions_prefer_close_names() {
        for (a, b) in [
            ("titel", "title"),
            ("班常", "班长"),
            ("开营", "开营仪式"),
            ("abc", "xyz"),
            ("", "ab"),
        ] {
            let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let full = levenshtein(a, b);
            let mut rows = Default::default();
            for limit in [0, 1, 5] {
                assert_eq!(
                    suggest::bounded_distance(&ca, &cb, limit, &mut rows),
                    Some(full).filter(|&d| d <= limit),
                    "{a} {b} {limit}"
                );
            }
        }
        let got = suggest("ritul", ["ritual", "role", "element"]);
        assert_eq!(got, vec!["ritual"]);
        assert_eq!(suggest("班常", ["班长", "群主"]), vec!["班长"]);
        assert!(suggest("zzzzzz", ["ritual"]).is_empty());
    }

    #[test]
    fn human_output_has_location_caret_and_summary() {
        let src = SourceFile::new("content/a.md", "abc\n班长 [[x]]\n");
        let d = Diagnostic::error("broken-link", "no page")
            .at(&src, src.text.find("[[").unwrap())
            .with_help("did you mean [[y]]?");
        let out = render(&[d], Format::Human { color: false });
        assert!(
            out.contains("error[broken-link]: no page\n  --> content/a.md:2:4\n"),
            "{out}"
        );
        assert!(out.contains("2 | 班长 [[x]]\n  |      ^"), "{out}");
        assert!(out.contains("= help: did you mean [[y]]?"));
        assert!(out.ends_with("1 error emitted\n"));
    }
}
