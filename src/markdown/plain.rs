//! A page body's plain text as the search index reads it, recorded by the first pass
//! ([`super::scan`]) so the search stage does not parse every body a third time (that parse was
//! a seventh of extracting a page). The text is kept as byte ranges of the body, not copied:
//! a page's record weighs a few hundred bytes while the site is built.

/// One step of a body's plain text, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A heading starts: a new section, the next of [`super::Scan::headings`].
    Heading,
    /// Text outside headings and code blocks: `body[start..end]`.
    Text(u32, u32),
    /// The same, for text the parser had to rewrite (escapes, entities): [`PlainText::owned`].
    Owned(u32),
    /// A line or block ends: a space, unless the section's text is empty or already ends in
    /// one.
    Break,
}

/// A body's plain text by section (see [`Piece`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PlainText {
    pub(crate) pieces: Vec<Piece>,
    /// Text that is not a slice of the body.
    pub(crate) owned: Vec<String>,
}

impl PlainText {
    /// Records `text`, a slice of `body` when the parser borrowed it from there.
    pub(crate) fn push_text(&mut self, body: &str, text: &str) {
        if text.is_empty() {
            return;
        }
        let start = (text.as_ptr() as usize).wrapping_sub(body.as_ptr() as usize);
        // A slice of `body` starts inside it and ends by its end; anything else is a copy.
        if start < body.len() && body.len() - start >= text.len() && start <= u32::MAX as usize {
            let end = start + text.len();
            self.pieces.push(Piece::Text(start as u32, end as u32));
        } else {
            self.pieces.push(Piece::Owned(self.owned.len() as u32));
            self.owned.push(text.to_string());
        }
    }

    /// The text in order, with the body it was recorded from.
    pub(crate) fn steps<'a>(&'a self, body: &'a str) -> impl Iterator<Item = Step<'a>> {
        self.pieces.iter().map(move |p| match *p {
            Piece::Heading => Step::Heading,
            Piece::Text(a, b) => Step::Text(&body[a as usize..b as usize]),
            Piece::Owned(k) => Step::Text(&self.owned[k as usize]),
            Piece::Break => Step::Break,
        })
    }
}

/// A [`Piece`] read back: see [`PlainText::steps`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    Heading,
    Text(&'a str),
    Break,
}

/// The text of one line of inline Markdown, markup dropped (`**ISOOC** 手册` → `ISOOC 手册`):
/// a title taken from a heading reads as the heading does.
pub(crate) fn inline_text(line: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    let mut out = String::new();
    for ev in Parser::new_ext(line, super::options()) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}
