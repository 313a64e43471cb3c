//! Which text events of a Markdown body are prose the typography rules may change: not code
//! (but the text of template cards), not the text of autolinks, and only where the event is
//! the source text itself (no escapes or entities were decoded), so a fix maps back onto the
//! file byte for byte.
//!
//! The first pass over each body ([`super::scan`]) feeds its events through a [`Prose`] and
//! keeps the ranges, so the lint ([`crate::typography`]) does not parse every page a second
//! time; `qunce fmt`, which has no scan, feeds its own parse through the same tracker.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Tag, TagEnd};

/// Follows the nesting of code blocks and links through a body's events.
#[derive(Debug, Default)]
pub(crate) struct Prose {
    code_depth: usize,
    template: bool,
    link_depth: usize,
    autolink: usize,
}

impl Prose {
    /// Takes the next event of `body` (at `range`); true when it is prose text.
    pub(crate) fn is_prose(&mut self, event: &Event<'_>, range: &Range<usize>, body: &str) -> bool {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                self.template = matches!(kind, CodeBlockKind::Fenced(info)
                    if info.split_whitespace().next() == Some("template"));
                self.code_depth += 1;
            }
            Event::End(TagEnd::CodeBlock) => {
                self.code_depth = self.code_depth.saturating_sub(1);
                self.template = false;
            }
            Event::Start(Tag::Link { link_type, .. }) => {
                self.link_depth += 1;
                if matches!(link_type, LinkType::Autolink | LinkType::Email) {
                    self.autolink += 1;
                }
            }
            Event::End(TagEnd::Link) => {
                self.link_depth = self.link_depth.saturating_sub(1);
                if self.autolink > 0 && self.link_depth < self.autolink {
                    self.autolink -= 1;
                }
            }
            Event::Text(t) => {
                return (self.code_depth == 0 || self.template)
                    && self.autolink == 0
                    && body.get(range.clone()).is_some_and(|src| {
                        // Most text is borrowed from the body at its range: no bytes to compare.
                        (src.as_ptr() == t.as_ptr() && src.len() == t.len()) || src == &**t
                    });
            }
            _ => {}
        }
        false
    }
}
