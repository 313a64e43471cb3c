//! The parser's events of a body, recorded by the first pass ([`super::scan`]) so the second
//! ([`super::render`]) replays them instead of parsing the body again (that parse was a quarter
//! of rendering the bodies). Text is kept as byte ranges of the body, not copied: an event weighs
//! 16 bytes, a page's tape a few kilobytes.
//!
//! A tape replays only onto the body it was recorded from (the same length and hash); given
//! another (a stale scan), it declines and the caller parses.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd};

/// A string of an event: `len` bytes at `at` of the body, or (with [`OWNED`] set in `at`) of
/// the tape's own text (what the parser rewrote: escapes, entities).
#[derive(Debug, Clone, Copy)]
struct Str {
    at: u32,
    len: u32,
}

/// The bit of [`Str::at`] that says the text is the tape's, not the body's.
const OWNED: u32 = 1 << 31;

/// One event, in 16 bytes. What is rare (headings with classes or attributes, math,
/// definition lists, metadata blocks) is kept whole in [`Tape::other`].
#[derive(Debug, Clone, Copy)]
enum Ev {
    /// A start tag without data: see [`bare`].
    Open(Bare),
    End(TagEnd),
    Heading(HeadingLevel, Option<Str>),
    BlockQuote(Option<pulldown_cmark::BlockQuoteKind>),
    Fenced(Str),
    Indented,
    List(Option<u64>),
    FootnoteDefinition(Str),
    /// Alignments in [`Tape::tables`].
    Table(u32),
    /// Destination, title and id in [`Tape::links`].
    Link(LinkType, u32),
    Image(LinkType, u32),
    Text(Str),
    Code(Str),
    Html(Str),
    InlineHtml(Str),
    FootnoteReference(Str),
    SoftBreak,
    HardBreak,
    Rule,
    TaskListMarker(bool),
    /// An event kept whole in [`Tape::other`].
    Other(u32),
}

/// The start tags that carry nothing.
#[derive(Debug, Clone, Copy)]
enum Bare {
    Paragraph,
    HtmlBlock,
    Item,
    TableHead,
    TableRow,
    TableCell,
    Emphasis,
    Strong,
    Strikethrough,
}

/// A body's events (see the module's documentation).
#[derive(Debug, Clone, Default)]
pub(crate) struct Tape {
    events: Vec<Ev>,
    /// The text of [`Str`]s the parser did not borrow from the body.
    text: String,
    links: Vec<[Str; 3]>,
    tables: Vec<Vec<pulldown_cmark::Alignment>>,
    other: Vec<Event<'static>>,
    /// The length and a hash of the body recorded, checked before a replay: the dev server
    /// keeps scans across edits, and a stale tape must never replay onto an edited body.
    body_len: usize,
    body_hash: u64,
}

/// The hash a tape knows its body by: a few hundred nanoseconds for a page, against the parse
/// a replay saves.
fn body_hash(body: &str) -> u64 {
    use std::hash::BuildHasher as _;
    rustc_hash::FxBuildHasher.hash_one(body)
}

impl Tape {
    /// An empty tape for `body`, or None when the body is too long for its offsets.
    pub(crate) fn new(body: &str) -> Option<Tape> {
        (body.len() < OWNED as usize).then(|| Tape {
            // About one event for every 60 bytes of a typical page.
            events: Vec::with_capacity(body.len() / 56 + 8),
            body_len: body.len(),
            body_hash: body_hash(body),
            ..Tape::default()
        })
    }

    /// Gives back the room reserved for events that did not come: a site's tapes are kept
    /// until its pages are written.
    pub(crate) fn finish(&mut self) {
        self.events.shrink_to_fit();
        self.links.shrink_to_fit();
    }

    /// Records the next event of `body`.
    pub(crate) fn push(&mut self, event: &Event<'_>, body: &str) {
        let ev = match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => Ev::Open(Bare::Paragraph),
                Tag::HtmlBlock => Ev::Open(Bare::HtmlBlock),
                Tag::Item => Ev::Open(Bare::Item),
                Tag::TableHead => Ev::Open(Bare::TableHead),
                Tag::TableRow => Ev::Open(Bare::TableRow),
                Tag::TableCell => Ev::Open(Bare::TableCell),
                Tag::Emphasis => Ev::Open(Bare::Emphasis),
                Tag::Strong => Ev::Open(Bare::Strong),
                Tag::Strikethrough => Ev::Open(Bare::Strikethrough),
                Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                } if classes.is_empty() && attrs.is_empty() => {
                    Ev::Heading(*level, id.as_ref().map(|id| self.str(id, body)))
                }
                Tag::BlockQuote(kind) => Ev::BlockQuote(*kind),
                Tag::CodeBlock(CodeBlockKind::Fenced(info)) => Ev::Fenced(self.str(info, body)),
                Tag::CodeBlock(CodeBlockKind::Indented) => Ev::Indented,
                Tag::List(start) => Ev::List(*start),
                Tag::FootnoteDefinition(label) => Ev::FootnoteDefinition(self.str(label, body)),
                Tag::Table(alignments) => {
                    self.tables.push(alignments.clone());
                    Ev::Table(self.tables.len() as u32 - 1)
                }
                Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                } => Ev::Link(*link_type, self.link(dest_url, title, id, body)),
                Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                } => Ev::Image(*link_type, self.link(dest_url, title, id, body)),
                _ => self.other(event),
            },
            Event::End(end) => Ev::End(*end),
            Event::Text(t) => Ev::Text(self.str(t, body)),
            Event::Code(t) => Ev::Code(self.str(t, body)),
            Event::Html(t) => Ev::Html(self.str(t, body)),
            Event::InlineHtml(t) => Ev::InlineHtml(self.str(t, body)),
            Event::FootnoteReference(t) => Ev::FootnoteReference(self.str(t, body)),
            Event::SoftBreak => Ev::SoftBreak,
            Event::HardBreak => Ev::HardBreak,
            Event::Rule => Ev::Rule,
            Event::TaskListMarker(done) => Ev::TaskListMarker(*done),
            _ => self.other(event),
        };
        self.events.push(ev);
    }

    /// The events recorded, read back onto `body`; None if the tape was not recorded from it
    /// (its length or its hash differs).
    pub(crate) fn replay<'a>(&'a self, body: &'a str) -> Option<Vec<Event<'a>>> {
        if body.len() != self.body_len || body_hash(body) != self.body_hash {
            return None;
        }
        let text = |s: Str| -> Option<CowStr<'a>> {
            let (from, at) = if s.at & OWNED == 0 {
                (body, s.at)
            } else {
                (self.text.as_str(), s.at & !OWNED)
            };
            let at = at as usize;
            from.get(at..at + s.len as usize).map(CowStr::Borrowed)
        };
        // A link's or an image's destination, title and id.
        let link = |k: u32| -> Option<[CowStr<'a>; 3]> {
            let [dest_url, title, id] = *self.links.get(k as usize)?;
            Some([text(dest_url)?, text(title)?, text(id)?])
        };
        let mut out = Vec::with_capacity(self.events.len());
        for ev in &self.events {
            out.push(match *ev {
                Ev::Open(bare) => Event::Start(match bare {
                    Bare::Paragraph => Tag::Paragraph,
                    Bare::HtmlBlock => Tag::HtmlBlock,
                    Bare::Item => Tag::Item,
                    Bare::TableHead => Tag::TableHead,
                    Bare::TableRow => Tag::TableRow,
                    Bare::TableCell => Tag::TableCell,
                    Bare::Emphasis => Tag::Emphasis,
                    Bare::Strong => Tag::Strong,
                    Bare::Strikethrough => Tag::Strikethrough,
                }),
                Ev::End(end) => Event::End(end),
                Ev::Heading(level, id) => Event::Start(Tag::Heading {
                    level,
                    id: match id {
                        Some(id) => Some(text(id)?),
                        None => None,
                    },
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }),
                Ev::BlockQuote(kind) => Event::Start(Tag::BlockQuote(kind)),
                Ev::Fenced(info) => {
                    Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(text(info)?)))
                }
                Ev::Indented => Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)),
                Ev::List(start) => Event::Start(Tag::List(start)),
                Ev::FootnoteDefinition(label) => {
                    Event::Start(Tag::FootnoteDefinition(text(label)?))
                }
                Ev::Table(k) => Event::Start(Tag::Table(self.tables.get(k as usize)?.clone())),
                Ev::Link(link_type, k) => {
                    let [dest_url, title, id] = link(k)?;
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                }
                Ev::Image(link_type, k) => {
                    let [dest_url, title, id] = link(k)?;
                    Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                }
                Ev::Text(t) => Event::Text(text(t)?),
                Ev::Code(t) => Event::Code(text(t)?),
                Ev::Html(t) => Event::Html(text(t)?),
                Ev::InlineHtml(t) => Event::InlineHtml(text(t)?),
                Ev::FootnoteReference(t) => Event::FootnoteReference(text(t)?),
                Ev::SoftBreak => Event::SoftBreak,
                Ev::HardBreak => Event::HardBreak,
                Ev::Rule => Event::Rule,
                Ev::TaskListMarker(done) => Event::TaskListMarker(done),
                Ev::Other(k) => self.other.get(k as usize)?.clone(),
            });
        }
        Some(out)
    }

    /// `s` as a range of `body` when the parser borrowed it from there, else copied.
    fn str(&mut self, s: &str, body: &str) -> Str {
        let at = (s.as_ptr() as usize).wrapping_sub(body.as_ptr() as usize);
        // A slice of `body` starts inside it and ends by its end (a tape's body is shorter
        // than `OWNED`, so `at` fits).
        if at <= body.len() && body.len() - at >= s.len() {
            return Str {
                at: at as u32,
                len: s.len() as u32,
            };
        }
        let at = self.text.len();
        self.text.push_str(s);
        match u32::try_from(at) {
            Ok(at) if at < OWNED => Str {
                at: at | OWNED,
                len: s.len() as u32,
            },
            // More rewritten text than the body holds: unreachable, but then the replay of
            // this string fails and the caller parses.
            _ => Str {
                at: u32::MAX,
                len: u32::MAX,
            },
        }
    }

    fn link(&mut self, dest_url: &str, title: &str, id: &str, body: &str) -> u32 {
        let link = [
            self.str(dest_url, body),
            self.str(title, body),
            self.str(id, body),
        ];
        self.links.push(link);
        self.links.len() as u32 - 1
    }

    fn other(&mut self, event: &Event<'_>) -> Ev {
        self.other.push(event.clone().into_static());
        Ev::Other(self.other.len() as u32 - 1)
    }
}
