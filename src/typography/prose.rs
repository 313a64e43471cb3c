//! Which text events of a Markdown body are prose the typography rules may change: not code
//! (but the text of template cards), not the text of autolinks, and only where the event is
//! the source text itself (no escapes or entities were decoded), so a fix maps back onto the
//! file byte for byte.
//!
//! The first pass over each body ([`crate::markdown::scan`]) feeds its events through a
//! [`Prose`] and keeps the ranges, so the lint does not parse every page a second time; `qunce
//! fmt`, which has no scan, feeds its own parse through the same tracker.

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

#[cfg(test)]
mod tests {
    use super::super::{page_fixes, page_fixes_in};

    /// The lint reads the prose ranges the scan recorded; `qunce fmt` parses the body itself.
    /// Both must find the same fixes, whatever the body holds.
    #[test]
    fn recorded_prose_gives_the_fixes_of_a_parse() {
        let bodies = [
            "用微信群管理100人,先发公告.\n\n# 第1期开营\n\n班长(群主指定)在D0发\"欢迎词\"!!\n",
            "用 `a,b中文` 写100人\n\n```\n中文abc,中文\n```\n\n```template 欢迎词\n欢迎加入本群,请改{群名}\n```\n",
            "访问 <https://example.org/中文abc> 即可,或[链接2号](https://example.org/a,b中文)\n",
            "实体&amp;中文abc和转义\\*中文abc*，还有 **加粗A组** 与 [[页面|维基3号]]\n",
            "- [ ] 任务1号 {#a}\n- 列表项B组\n\n| 表头A | 表B头 |\n|---|---|\n| 中文1 | x中文 |\n",
            "见脚注[^1]\n\n[^1]：出处A版\n\n> [!NOTE]\n> 提示2则,好!!\n",
            "<div>中文abc</div>\n\n正文<span>中文1</span>结束。。\n",
        ];
        for body in bodies {
            for front in ["", "+++\ntitle = \"标题1号\"\n+++\n"] {
                let source = format!("{front}{body}");
                let start = front.len();
                let scan = crate::markdown::scan(&source[start..], start);
                let prose = scan.prose.expect("a short body's prose is recorded");
                let parsed = page_fixes(&source, start);
                assert!(!parsed.is_empty(), "{source}");
                assert_eq!(page_fixes_in(&source, start, &prose), parsed, "{source}");
            }
        }
    }
}
