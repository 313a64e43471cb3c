use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::extract::{SECTION_CHARS, first_chars, full_keys, heading_keys, phrase_keys, sections};
use super::format::Card;
use super::*;

/// A heading's section of a page: its anchor, its title and its text.
#[derive(Debug, Clone, Default)]
struct Section(String, String, String);

/// [`sections`] as it was before the scan recorded the text: a parse of its own.
fn parsed(body: &str, scan: &crate::markdown::Scan, description: Option<&str>) -> Vec<Section> {
    let mut out = vec![Section(
        String::new(),
        String::new(),
        description.map(|d| format!("{d} ")).unwrap_or_default(),
    )];
    let (mut heading_ix, mut in_heading, mut in_code) = (0, false, false);
    let mut in_template = false;
    let section = |heading_ix: &mut usize, out: &mut Vec<Section>| {
        let h = scan.headings.get(*heading_ix);
        *heading_ix += 1;
        out.push(Section(
            h.map(|h| h.id.clone()).unwrap_or_default(),
            h.map(|h| h.title.clone()).unwrap_or_default(),
            String::new(),
        ));
    };
    for event in Parser::new_ext(body, crate::markdown::options()) {
        match event {
            // A template block is a section of its own, and the heading it sits under
            // resumes after it.
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(info)))
                if crate::playbook::template::info(&info).is_some() =>
            {
                section(&mut heading_ix, &mut out);
                in_template = true;
            }
            Event::End(TagEnd::CodeBlock) if in_template => {
                section(&mut heading_ix, &mut out);
                in_template = false;
            }
            Event::Text(t) if in_template => {
                if let Some(s) = out.last_mut() {
                    s.2.push_str(&t);
                    if !s.2.ends_with(' ') && !s.2.is_empty() {
                        s.2.push(' ');
                    }
                }
            }
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                section(&mut heading_ix, &mut out);
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) | Event::Code(t) if !in_heading && !in_code => {
                if let Some(s) = out.last_mut() {
                    s.2.push_str(crate::markdown::strip_task_id(&t).0);
                }
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                if let Some(s) = out.last_mut()
                    && !s.2.ends_with(' ')
                    && !s.2.is_empty()
                {
                    s.2.push(' ');
                }
            }
            _ => {}
        }
    }
    for s in &mut out {
        let n = s.2.trim_end().len();
        s.2.truncate(n);
    }
    out
}

fn flat(sections: &[Section]) -> Vec<(String, String, String)> {
    sections
        .iter()
        .map(|Section(a, b, c)| (a.clone(), b.clone(), c.clone()))
        .collect()
}

#[test]
fn first_chars_cuts_where_char_indices_would() {
    let texts = [
        String::new(),
        "短".into(),
        "班长".repeat(400),
        "ab班长é😀".repeat(150),
        "x".repeat(64 * 9 + 3),
        format!("{}班", "y".repeat(SECTION_CHARS - 1)),
    ];
    for text in &texts {
        for max in [0, 1, 63, 64, 65, 599, SECTION_CHARS, 601, 2000] {
            let end = text
                .char_indices()
                .nth(max)
                .map_or(text.len(), |(at, _)| at);
            assert_eq!(first_chars(text, max), &text[..end], "{max} of {text}");
        }
    }
}

#[test]
fn cards_are_written_as_serde_json_writes_them() {
    let aliases = vec!["别名 \"引号\"".to_string(), "tab\there\\".to_string()];
    let none: Vec<String> = Vec::new();
    let cards = [
        Card {
            a: &aliases,
            h: vec![
                ("", "", "前言 \u{1} \u{1f} \u{7f} \n 换行 </script>"),
                ("id-1", "标题 \"q\"", "正文 😀 \\ \r"),
            ],
            k: "仪式",
            t: "开营仪式 \u{8}",
            u: "/rituals/kaiying/",
        },
        Card {
            a: &none,
            h: Vec::new(),
            k: "",
            t: "",
            u: "",
        },
    ];
    for card in &cards {
        let mut mine = Vec::new();
        card.write(&mut mine);
        assert_eq!(
            String::from_utf8(mine).unwrap(),
            serde_json::to_string(card).unwrap()
        );
    }
}

#[test]
fn sections_from_the_scan_equal_a_parse_of_their_own() {
    let mut bodies: Vec<String> = vec![
        "前言 \\*不是强调\\* &amp; &#x73ED; 班长\n第二行  \n硬换行\n\n# 标题 `code` {#t}\n\n正文".into(),
        "- [ ] 准备物料 {#prep}\n- [x] 发通知\n  续行\n\n| 角色 | 职责 |\n|---|---|\n| 班长 | 带队 |\n".into(),
        "```yaml\nritual: x\n```\n\n    缩进代码\n\n<div>原始 HTML</div>\n\n[[roles/班长|班长]] 和 [链接](x.md)\n".into(),
        "## 空\n\n## 两个\n文本\n> 引用 **粗体** ~~删除~~[^1]\n\n[^1]: 脚注\n".into(),
        "前言\n\n```template 欢迎词 announcement\n欢迎 {群名}\n第二行\n```\n\n之后\n\n## 流程\n\n```template\n末尾\n```\n".into(),
        String::new(),
    ];
    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    for entry in walkdir::WalkDir::new(content) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "md") {
            bodies.push(std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    assert!(bodies.len() > 20, "the handbook's pages were not found");
    for body in &bodies {
        let scan = crate::markdown::scan(body, 0);
        for description in [None, Some("描述")] {
            assert_eq!(
                sections(body, &scan, description)
                    .iter()
                    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
                    .collect::<Vec<_>>(),
                flat(&parsed(body, &scan, description)),
                "{body}"
            );
        }
    }
}

#[test]
fn the_fenced_cjk_classes_agree_with_the_shared_ones() {
    let mut buf = [0u8; 4];
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        assert_eq!(
            text::is_cjk(c),
            crate::text::is_cjk(c),
            "U+{:04X}",
            c as u32
        );
        let bytes = c.encode_utf8(&mut buf).as_bytes();
        assert_eq!(
            text::common_cjk(bytes, 0),
            crate::text::common_cjk(bytes, 0),
            "U+{:04X}",
            c as u32
        );
    }
}

#[test]
fn remembered_heading_keys_equal_fresh_ones_and_stay_with_their_segmenter() {
    let fresh = |seg: &Segmenter, title: &str| {
        let mut keys = Vec::new();
        let mut key = |k: &str| keys.push(k.to_string());
        full_keys(title, &mut key);
        phrase_keys(seg, title, false, &mut key);
        keys
    };
    let title = "早晚问候与打卡 Check-ins";
    let plain = Segmenter::new([]);
    let user = Segmenter::new(["晚问候"]);
    // The user word cuts the heading differently, so its keys differ: none may leak.
    assert_ne!(fresh(&plain, title), fresh(&user, title));
    for seg in [&plain, &user, &plain] {
        // The second time the keys come from this thread's memory.
        for _ in 0..2 {
            let mut got = Vec::new();
            heading_keys(seg, title, &mut |k| got.push(k.to_string()));
            assert_eq!(got, fresh(seg, title));
            assert!(got.contains(&"daka".to_string()), "{got:?}");
        }
    }
}

#[test]
fn segmenters_with_the_same_words_share_an_id_and_others_do_not() {
    let a = Segmenter::new(["早晚问候", "破冰"]);
    let b = Segmenter::new(["早晚问候", "破冰"]);
    let c = Segmenter::new(["早晚问候"]);
    assert_eq!(a.id(), b.id());
    assert_ne!(a.id(), c.id());
    assert_ne!(c.id(), Segmenter::new([]).id());
}
