//! One diagnostic type for every problem howtoreach finds, and its rendering.
//!
//! A diagnostic points into a source file by byte span (kept from the TOML
//! parser through `toml::Spanned`), and is rendered the way rustc and cargo
//! render theirs, by `annotate-snippets`: `file:line:col`, the source line with
//! a caret under the offending value, and a help line.

use std::fmt::{self, Write as _};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// A source file as read from disk, shared by every diagnostic that points into it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, as shown to the user.
    pub path: PathBuf,
    /// The text; empty once [released](SourceFile::release).
    pub text: Arc<str>,
    /// Where to read the text again, once released.
    released: Option<Arc<Released>>,
    /// The line number of the text's first line: 1, or more for an excerpt
    /// ([`SourceFile::excerpt`]).
    first_line: usize,
}

/// What identifies a released text when it is read again.
#[derive(Debug)]
struct Released {
    from: PathBuf,
    len: usize,
    hash: u64,
}

fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    // A fast hash with no keys (the same text always gives the same hash):
    // it tells an edit from the text read before, not a crafted collision,
    // and every provider file's text is hashed as it is released. (On a
    // 32-bit machine it has 32 bits; a collision would only show a changed
    // file's new lines under an old diagnostic.)
    let mut h = rustc_hash::FxHasher::default();
    text.hash(&mut h);
    h.finish()
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
            released: None,
            first_line: 1,
        }
    }

    /// The same file without its text in memory (`from` is where it was read).
    /// A build keeps thousands of provider files after loading them, but only
    /// the few a later diagnostic points into need their text: [`Diagnostic::at`]
    /// reads those again.
    pub fn release(&self, from: &Path) -> SourceFile {
        SourceFile {
            path: self.path.clone(),
            text: Arc::from(""),
            released: Some(Arc::new(Released {
                from: from.to_path_buf(),
                len: self.text.len(),
                hash: text_hash(&self.text),
            })),
            first_line: self.first_line,
        }
    }

    /// The file with its text: itself, or a released one read again. `None`
    /// when the file cannot be read or has changed since it was loaded.
    fn with_text(&self) -> Option<SourceFile> {
        let Some(released) = &self.released else {
            return Some(self.clone());
        };
        let text = std::fs::read_to_string(&released.from).ok()?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        (text.len() == released.len && text_hash(text) == released.hash)
            .then(|| SourceFile::new(self.path.clone(), text))
    }

    /// The whole lines of the text that `span` touches, as a file of their
    /// own (numbered as in the whole file), and the span inside them. A
    /// diagnostic keeps only these: thousands of warnings need not hold
    /// thousands of whole files.
    pub fn excerpt(&self, span: Range<usize>) -> (SourceFile, Range<usize>) {
        let text = &*self.text;
        let span = clamp_span(text, span);
        let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let end = text[span.end..]
            .find('\n')
            .map_or(text.len(), |i| span.end + i + 1);
        let file = SourceFile {
            path: self.path.clone(),
            text: Arc::from(&text[start..end]),
            released: None,
            first_line: self.first_line + line_breaks(&text[..start]),
        };
        (file, span.start - start..span.end - start)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = line_breaks(before) + self.first_line;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }
}

/// How many `\n` `text` holds, counted as bytes (which the compiler turns
/// into a vector loop; a search with `matches` stops at each one).
fn line_breaks(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One problem of the site.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// The file the problem is in, with the span of the offending value.
    pub location: Option<Box<(SourceFile, Range<usize>)>>,
    /// A file without a span (a missing file, a folder).
    pub path: Option<PathBuf>,
    /// The label under the caret.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
    /// A failure to read or write a file (exit status 2), not a problem of the site.
    pub io: bool,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            path: None,
            label: None,
            help: None,
            io: false,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Points the diagnostic at `span` in `file` (reading a released file again).
    pub fn at(mut self, file: &SourceFile, span: Range<usize>) -> Self {
        match file.with_text() {
            Some(file) => self.location = Some(Box::new(file.excerpt(span))),
            None => {
                self.message.push_str(
                    " (the file changed while howtoreach ran: run it again to see where)",
                );
                self.path = Some(file.path.clone());
            }
        }
        self
    }

    /// Points the diagnostic at an excerpt already cut ([`SourceFile::excerpt`]).
    pub fn at_excerpt(mut self, excerpt: &(SourceFile, Range<usize>)) -> Self {
        self.location = Some(Box::new(excerpt.clone()));
        self
    }

    /// Names a file or folder the problem is about, without a span.
    pub fn in_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Marks the diagnostic as an I/O failure.
    pub fn io(mut self) -> Self {
        self.io = true;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The file the diagnostic is about, if any.
    pub fn file(&self) -> Option<&Path> {
        match self.location.as_deref() {
            Some((file, _)) => Some(&file.path),
            None => self.path.as_deref(),
        }
    }

    /// The 1-based line and column the diagnostic points at, if it has a span.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        self.location
            .as_deref()
            .map(|(file, span)| file.line_col(span.start))
    }

    /// `file:line:col` (or just `file`) for sorting and short listings.
    pub fn position(&self) -> Option<String> {
        match self.location.as_deref() {
            Some((file, span)) => {
                let (line, col) = file.line_col(span.start);
                Some(format!("{}:{line}:{col}", file.path.display()))
            }
            None => self.path.as_ref().map(|p| p.display().to_string()),
        }
    }

    /// Renders the diagnostic like rustc does, with colours when `color` is set.
    pub fn render(&self, color: bool) -> String {
        if !color && let Some(text) = self.render_plain_one_line() {
            return text;
        }
        self.render_by_annotate_snippets(color)
    }

    /// The common shape, without colours, written directly: the bytes
    /// annotate-snippets writes (a test compares the two on generated
    /// diagnostics) at a twentieth of the cost, which shows at thousands of
    /// warnings. `None` for anything else: a span over more than one line,
    /// a source line with other than printable ASCII (tabs, wide or
    /// combining characters change the caret's column), a long line or a
    /// deeply indented one (which annotate-snippets cuts), a text with
    /// control characters (line breaks) or with characters annotate-snippets
    /// replaces (a zero-width joiner, the marks that change the direction of
    /// text).
    fn render_plain_one_line(&self) -> Option<String> {
        const LONGEST_LINE: usize = 100;
        const DEEPEST_INDENT: usize = 20;
        let (file, span) = self.location.as_deref()?;
        let text = &*file.text;
        let line = text.strip_suffix('\n').unwrap_or(text);
        let printable = |s: &str| {
            !s.chars().any(|c| {
                c.is_control()
                    || matches!(c, '\u{200d}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            })
        };
        let visible = |s: &str| !s.trim().is_empty() && printable(s);
        if line.len() > LONGEST_LINE
            || line.trim().is_empty()
            || line.len() - line.trim_start().len() > DEEPEST_INDENT
            || !line.bytes().all(|b| (b' '..=b'~').contains(&b))
            || span.start > span.end
            || span.end > line.len()
            || !visible(&self.message)
            || !self.label.as_deref().is_none_or(visible)
            || !self.help.as_deref().is_none_or(visible)
            || !printable(&file.path.to_string_lossy())
        {
            return None;
        }
        let number = file.first_line.to_string();
        let gutter = " ".repeat(number.len() + 1);
        let path = file.path.display();
        let column = span.start + 1;
        let carets = "^".repeat((span.end - span.start).max(1));
        let title = match self.severity {
            Severity::Error => "error: ",
            Severity::Warning => "warning: ",
        };
        let mut out = String::with_capacity(160 + 2 * line.len() + self.message.len());
        out.push_str(title);
        out.push_str(&self.message);
        out.push('\n');
        out.push_str(&gutter[1..]);
        // Writing to a String cannot fail.
        let _ = writeln!(out, "--> {path}:{number}:{column}");
        out.push_str(&gutter);
        out.push_str("|\n");
        out.push_str(&number);
        out.push_str(" | ");
        out.push_str(line);
        out.push('\n');
        out.push_str(&gutter);
        out.push_str("| ");
        out.push_str(&" ".repeat(span.start));
        out.push_str(&carets);
        if let Some(label) = &self.label {
            out.push(' ');
            out.push_str(label);
        }
        if let Some(help) = &self.help {
            out.push('\n');
            out.push_str(&gutter);
            out.push_str("|\nhelp: ");
            out.push_str(help);
        }
        Some(out)
    }

    fn render_by_annotate_snippets(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let path_display;
        let mut main = Group::with_title(level.primary_title(self.message.as_str()));
        if let Some((file, span)) = self.location.as_deref() {
            path_display = file.path.display().to_string();
            let span = clamp_span(&file.text, span.clone());
            let mut annotation = AnnotationKind::Primary.span(span);
            if let Some(label) = &self.label {
                annotation = annotation.label(label.as_str());
            }
            main = main.element(
                Snippet::source(&*file.text)
                    .line_start(file.first_line)
                    .path(path_display.as_str())
                    .annotation(annotation),
            );
        } else if let Some(path) = &self.path {
            path_display = path.display().to_string();
            main = main.element(annotate_snippets::Origin::path(path_display.as_str()));
        }
        let mut groups = vec![main];
        if let Some(help) = &self.help {
            groups.push(Group::with_title(
                Level::HELP.secondary_title(help.as_str()),
            ));
        }
        renderer.render(&groups).to_string()
    }
}

/// Keeps a span inside the text and on character boundaries, so rendering never panics.
fn clamp_span(text: &str, span: Range<usize>) -> Range<usize> {
    let start = floor_char_boundary(text, span.start.min(text.len()));
    let mut end = span.end.clamp(start, text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// Every problem found in one run.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.0.len() - self.errors()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Turns every warning into an error (`--strict`).
    pub fn make_strict(&mut self) {
        for d in &mut self.0 {
            d.severity = Severity::Error;
        }
    }

    /// Sorts by file, then position, so output is stable whatever order checks ran in.
    pub fn sort(&mut self) {
        fn key(d: &Diagnostic) -> (Option<&Path>, Option<(usize, usize)>) {
            (d.file(), d.line_col())
        }
        self.0.sort_by_cached_key(|d| {
            let (file, at) = key(d);
            (file.map(Path::to_path_buf), at)
        });
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_sort_by_line_whatever_their_columns() {
        let text = "aaaa = 1\nbb = 2\nc = 3\n";
        let file = SourceFile::new("f.toml", text);
        let at = |needle: &str| {
            let i = text.find(needle).expect("in text");
            i..i + needle.len()
        };
        // Columns in the opposite order of the lines (8, 6, 5).
        let mut diags = Diagnostics(vec![
            Diagnostic::warning("third").at(&file, at("3")),
            Diagnostic::warning("first").at(&file, at("1")),
            Diagnostic::warning("second").at(&file, at("2")),
        ]);
        diags.sort();
        let order: Vec<_> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["first", "second", "third"]);
    }

    #[test]
    fn a_released_file_is_read_again_and_only_its_lines_kept() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let full = dir.path().join("a.toml");
        let text = "name = \"A\"\nrole = \"B\"\nphone = \"12\"\nend = 1\n";
        std::fs::write(&full, text).expect("write");
        let released = SourceFile::new("data/providers/a.toml", text).release(&full);
        assert!(released.text.is_empty(), "nothing kept in memory");
        let span = text.find("\"12\"").expect("span");
        let d = Diagnostic::warning("bad phone").at(&released, span..span + 4);
        assert_eq!(d.position().as_deref(), Some("data/providers/a.toml:3:9"));
        let (file, _) = d.location.as_deref().expect("located");
        assert_eq!(&*file.text, "phone = \"12\"\n", "only the line shown");
        let shown = d.render(false);
        assert!(shown.contains("3 | phone = \"12\""), "{shown}");

        // Edited since it was loaded: no wrong line, and it says why.
        std::fs::write(&full, format!("# new\n{text}")).expect("write");
        let d = Diagnostic::warning("bad phone").at(&released, span..span + 4);
        assert!(d.location.is_none());
        assert_eq!(d.position().as_deref(), Some("data/providers/a.toml"));
        assert!(d.message.contains("changed"), "{}", d.message);
    }

    #[test]
    fn line_and_column_count_characters() {
        let file = SourceFile::new("a.toml", "x = 1\nname = \"Zoë\"\nphone = 2\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(6), (2, 1));
        let offset = file.text.find("phone").unwrap_or_default();
        assert_eq!(file.line_col(offset), (3, 1));
    }

    #[test]
    fn renders_file_line_column_caret_and_help() {
        let file = SourceFile::new("data/providers/a.toml", "name = \"A\"\nphone = \"12\"\n");
        let d = Diagnostic::error("invalid phone number")
            .at(&file, 19..23)
            .label("not a phone number")
            .help("write the number with its area code");
        let text = d.render(false);
        assert!(text.contains("data/providers/a.toml:2:9"), "{text}");
        assert!(text.contains("^^^^"), "{text}");
        assert!(text.contains("help: write the number"), "{text}");
    }

    /// A diagnostic of the shape the direct rendering writes.
    fn one_line(
        error: bool,
        path: &str,
        first_line: usize,
        text: &str,
        span: Range<usize>,
        texts: (&str, Option<&str>, Option<&str>),
    ) -> Diagnostic {
        let (message, label, help) = texts;
        let file = SourceFile {
            first_line,
            ..SourceFile::new(path, text)
        };
        let mut d = if error {
            Diagnostic::error(message)
        } else {
            Diagnostic::warning(message)
        };
        d.location = Some(Box::new((file, span)));
        d.label = label.map(str::to_string);
        d.help = help.map(str::to_string);
        d
    }

    #[test]
    fn the_common_shape_is_written_directly_as_annotate_snippets_would() {
        let d = one_line(
            false,
            "data/providers/a.toml",
            55,
            "value = \"+1 819 555 0191\"\n",
            8..25,
            (
                "the patients-only number (819) 555-0191 is also published as Zoë's line",
                Some("not private"),
                Some("check the number"),
            ),
        );
        let direct = d.render_plain_one_line().expect("written directly");
        assert_eq!(direct, d.render_by_annotate_snippets(false));
        assert_eq!(d.render(false), direct);
        assert_eq!(
            direct,
            "warning: the patients-only number (819) 555-0191 is also published as Zoë's line\n  \
             --> data/providers/a.toml:55:9\n   |\n55 | value = \"+1 819 555 0191\"\n   |         \
             ^^^^^^^^^^^^^^^^^ not private\n   |\nhelp: check the number"
        );
        // Colours, a tab, two lines: annotate-snippets writes those.
        assert!(d.render(true).contains('\u{1b}'));
        let tab = one_line(true, "a.toml", 1, "a =\t1\n", 4..5, ("m", None, None));
        assert!(tab.render_plain_one_line().is_none());
        let two = one_line(true, "a.toml", 1, "a = [\n1]\n", 4..8, ("m", None, None));
        assert!(two.render_plain_one_line().is_none());
        let lines = one_line(
            true,
            "a.toml",
            1,
            "a = 1\n",
            4..5,
            ("two\nlines", None, None),
        );
        assert!(lines.render_plain_one_line().is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn direct_rendering_is_annotate_snippets_rendering(
            error: bool,
            path in "[a-z][a-z0-9/._-]{0,30}",
            first_line in proptest::prop_oneof![1usize..12, 1usize..100_000],
            indent in proptest::prop_oneof![0usize..3, 0usize..40],
            line in "[ -~]{0,110}",
            newline: bool,
            from in 0usize..120,
            len in proptest::prop_oneof![0usize..3, 0usize..120],
            message in "[ -~]{1,50}|[ -~éü–]{1,50}|[a-z\u{200d}\u{202e}\u{2066}]{1,5}",
            label in proptest::option::of("[ -~é]{1,20}|[a-z\u{200d}\u{202a}]{1,5}"),
            help in proptest::option::of("[ -~é]{1,40}|[a-z\u{200d}\u{2069}]{1,5}"),
        ) {
            let line = format!("{}{line}", " ".repeat(indent));
            let start = from.min(line.len());
            let end = (start + len).min(line.len());
            let text = if newline { format!("{line}\n") } else { line.clone() };
            let d = one_line(error, &path, first_line, &text, start..end,
                (&message, label.as_deref(), help.as_deref()));
            if let Some(direct) = d.render_plain_one_line() {
                proptest::prop_assert_eq!(direct, d.render_by_annotate_snippets(false));
            }
        }
    }

    #[test]
    fn out_of_range_span_does_not_panic() {
        let file = SourceFile::new("a.toml", "é");
        let d = Diagnostic::error("x").at(&file, 1..99);
        assert!(d.render(false).contains("a.toml"));
    }
}
