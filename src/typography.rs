//! Chinese typography: the `zh-typography` lint and the fixes `qunce fmt` applies.
//!
//! Half-width punctuation next to Chinese, straight quotes around Chinese text and Chinese
//! glued to Latin letters or digits make a handbook read like a machine draft. The rules of
//! 中文文案排版指北 for spacing and full-width punctuation come from the `autocorrect` crate;
//! three it leaves out (full-width parentheses and quotes around Chinese, repeated
//! punctuation) and the footnote definition written with a full-width colon are added here.
//!
//! Only prose is touched: titles and descriptions in front matter, and the text of the
//! Markdown body (headings, paragraphs, lists, tables, template cards). Code spans, code
//! blocks, raw HTML, link targets, bare URLs and front-matter keys are never changed. Each
//! fix replaces one text range of the source file and nothing else, so front matter keeps its
//! formatting and `fmt` run twice changes nothing the second time.

use pulldown_cmark::Parser;

use crate::markdown::Prose;

/// The lint's name, as `[lints]` and `allow = [...]` spell it.
pub(crate) const LINT: &str = "zh-typography";

/// Whether a build checks the site's typography: a Chinese site whose site.toml does not turn
/// the lint off. A site that allows it everywhere pays neither the check nor its rules' warm-up
/// ([`warm`]); a page's own `allow` still needs the check, since other pages may not.
pub(crate) fn checks(config: &crate::config::Config) -> bool {
    config.language == crate::config::Language::ZhCn
        && config.lints.set.get(LINT) != Some(&crate::lints::Level::Allow)
}

/// One change to a source file: the bytes `start..end` become `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// Byte offset in the whole file where the changed text starts.
    pub(crate) start: usize,
    /// Byte offset where it ends (exclusive).
    pub(crate) end: usize,
    /// The text as written.
    pub(crate) before: String,
    /// The text as it should read.
    pub(crate) after: String,
}

impl Fix {
    /// `Fix::before` for a terminal: control characters escaped, never sent raw.
    pub fn shown_before(&self) -> String {
        shown(&self.before)
    }

    /// `Fix::after` for a terminal.
    pub fn shown_after(&self) -> String {
        shown(&self.after)
    }
}

fn shown(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let esc: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            esc
        })
        .collect()
}

/// Every typography fix for one page, in file order. `body_start` is where the Markdown body
/// starts (after the front matter).
pub(crate) fn page_fixes(source: &str, body_start: usize) -> Vec<Fix> {
    let body_start = body_start.min(source.len());
    let mut fixes = Vec::new();
    front_matter_fixes(&source[..body_start], &mut fixes);
    body_fixes(&source[body_start..], body_start, &mut fixes);
    fixes.sort_by_key(|f| f.start);
    fixes
}

/// Applies `fixes` (in file order, not overlapping) to `source`.
pub(crate) fn apply(source: &str, fixes: &[Fix]) -> String {
    let mut out = String::with_capacity(source.len() + fixes.len() * 4);
    let mut at = 0;
    for f in fixes {
        if f.start < at {
            continue;
        }
        out.push_str(&source[at..f.start]);
        out.push_str(&f.after);
        at = f.end;
    }
    out.push_str(&source[at..]);
    out
}

/// `title` and `description` values in TOML (`key = "…"`) or YAML (`key: …`) front matter.
fn front_matter_fixes(header: &str, fixes: &mut Vec<Fix>) {
    let mut line_start = 0;
    for line in header.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        for key in ["title", "description"] {
            let Some(rest) = trimmed.strip_prefix(key) else {
                continue;
            };
            let after_key = rest.trim_start();
            let value = if let Some(v) = after_key.strip_prefix('=') {
                v.trim_start()
            } else if let Some(v) = after_key.strip_prefix(':') {
                v.trim_start()
            } else {
                continue;
            };
            let value_at = line_start + indent + (trimmed.len() - value.len());
            let value = value.trim_end_matches(['\n', '\r']);
            // A basic string without escapes (anything else is left alone: rewriting it
            // safely would need the TOML writer's quoting rules).
            let (inner, inner_at) = match value.strip_prefix('"') {
                Some(v) => match v.find('"') {
                    Some(end) if !v[..end].contains('\\') => (&v[..end], value_at + 1),
                    _ => continue,
                },
                None if value.starts_with('\'') => match value[1..].find('\'') {
                    Some(end) => (&value[1..1 + end], value_at + 1),
                    None => continue,
                },
                // YAML plain scalar.
                None if !value.is_empty() && !value.starts_with(['[', '{', '|', '>']) => {
                    (value.trim_end(), value_at)
                }
                None => continue,
            };
            // Quotes inside a quoted value would end it: only the other rules apply there.
            text_fixes(inner, inner_at, false, fixes);
        }
        line_start += line.len();
    }
}

/// The prose of a Markdown body, parsed here (`qunce fmt`, which has no scan).
fn body_fixes(body: &str, offset: usize, fixes: &mut Vec<Fix>) {
    footnote_fixes(body, offset, fixes);
    // Most pages are clean: one pass over the bytes spares them the Markdown parse.
    if !needs_look(body) {
        return;
    }
    let mut prose = Prose::default();
    for (event, range) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
        if prose.is_prose(&event, &range, body) {
            text_fixes(&body[range.clone()], offset + range.start, true, fixes);
        }
    }
}

/// Every typography fix for one page whose body's prose ranges the first pass recorded
/// ([`crate::markdown::Scan::prose`], byte ranges of the body): the same fixes as
/// [`page_fixes`], without parsing the body again.
pub(crate) fn page_fixes_in(source: &str, body_start: usize, prose: &[(u32, u32)]) -> Vec<Fix> {
    let body_start = body_start.min(source.len());
    let mut fixes = Vec::new();
    front_matter_fixes(&source[..body_start], &mut fixes);
    let body = &source[body_start..];
    footnote_fixes(body, body_start, &mut fixes);
    for &(start, end) in prose {
        let start = start as usize;
        if let Some(text) = body.get(start..end as usize) {
            text_fixes(text, body_start + start, true, &mut fixes);
        }
    }
    fixes.sort_by_key(|f| f.start);
    fixes
}

/// `[^1]：` at the start of a line is a footnote definition with a full-width colon, which
/// Markdown does not recognise: the reference then shows as text.
fn footnote_fixes(body: &str, offset: usize, fixes: &mut Vec<Fix>) {
    // Found by their `[^`, not line by line: most bodies have none.
    for at in memchr::memmem::find_iter(body.as_bytes(), b"[^") {
        if at > 0 && body.as_bytes()[at - 1] != b'\n' {
            continue;
        }
        let line_end =
            memchr::memchr(b'\n', &body.as_bytes()[at..]).map_or(body.len(), |e| at + e + 1);
        let line = &body[at..line_end];
        if let Some(rest) = line.strip_prefix("[^")
            && let Some(close) = rest.find("]：")
            && !rest[..close].contains([']', ' '])
        {
            let start = offset + at + 2 + close + 1;
            let spaced = rest[close + 1 + "：".len()..].starts_with([' ', '\n', '\r']);
            fixes.push(Fix {
                start,
                end: start + "：".len(),
                before: "：".into(),
                after: if spaced { ":" } else { ": " }.into(),
            });
        }
    }
}

/// Fixes within one run of prose starting at `at` in the file.
fn text_fixes(text: &str, at: usize, quotes: bool, fixes: &mut Vec<Fix>) {
    if !needs_look(text) {
        return;
    }
    let fixed = fix_text(text, quotes);
    if fixed == text {
        return;
    }
    // Report the smallest changed range, so the message and the fix show what changed.
    let prefix = common_prefix(text, &fixed);
    let suffix = common_suffix(&text[prefix..], &fixed[prefix..]);
    let (start, end) = widen(text, prefix, text.len() - suffix);
    let fixed_end = fixed.len() - (text.len() - end);
    fixes.push(Fix {
        start: at + start,
        end: at + end,
        before: text[start..end].to_string(),
        after: fixed[start..fixed_end].to_string(),
    });
}

/// The whole rule set on one run of text.
pub(crate) fn fix_text(text: &str, quotes: bool) -> String {
    // Parentheses and repeats first: autocorrect would space `中文(注)` as Latin text and
    // leaves `好!!` half-width.
    let mut s = autocorrect::format(&repeated_punctuation(&parentheses(text))).to_string();
    if quotes {
        s = straight_quotes(&s);
    }
    repeated_punctuation(&s)
}

/// The cheap test that spares most text the regular expressions: Chinese next to an ASCII
/// letter, digit, punctuation mark or straight quote, or a doubled full-width mark.
fn needs_look(text: &str) -> bool {
    crate::text::census(text).mixed
}

/// Chinese characters (the unified ideographs and their extensions A–F).
fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// `(…)` whose content or neighbour is Chinese becomes `（…）`.
fn parentheses(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let mut open: Vec<usize> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '(' => open.push(i),
            ')' => {
                if let Some(o) = open.pop() {
                    let inside = chars[o + 1..i].iter().any(|&c| is_han(c));
                    let before = o.checked_sub(1).is_some_and(|b| is_han(chars[b]));
                    let after = chars.get(i + 1).is_some_and(|&c| is_han(c));
                    if inside && (before || after || o == 0) {
                        out[o] = '（';
                        out[i] = '）';
                    }
                }
            }
            _ => {}
        }
    }
    let mut s: String = out.into_iter().collect();
    // autocorrect spaced `中文 (English)`: no space belongs around full-width brackets.
    for (from, to) in [(" （", "（"), ("） ", "）")] {
        s = s.replace(from, to);
    }
    s
}

/// Straight double quotes around text with Chinese become “…”, in pairs.
fn straight_quotes(text: &str) -> String {
    if !text.matches('"').count().is_multiple_of(2) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut parts = text.split('"');
    out.push_str(parts.next().unwrap_or_default());
    while let (Some(inner), Some(rest)) = (parts.next(), parts.next()) {
        if inner.chars().any(is_han) {
            out.push('“');
            out.push_str(inner.trim());
            out.push('”');
        } else {
            out.push('"');
            out.push_str(inner);
            out.push('"');
        }
        out.push_str(rest);
    }
    out
}

/// `！！`, `？？`, `。。`, `，，`, `；；`, `：：` become one mark, and so do `!!` and `??` after a
/// Chinese character (`……` and `——` are marks of their own, and `...` is English, so they
/// stay).
fn repeated_punctuation(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    // Whether the run of marks `prev` belongs to follows a Chinese character.
    let mut run_after_han = false;
    for c in text.chars() {
        if prev == Some(c)
            && ("！？。，；：".contains(c) || (run_after_han && (c == '!' || c == '?')))
        {
            continue;
        }
        run_after_han = prev.is_some_and(is_han);
        out.push(c);
        prev = Some(c);
    }
    out
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i)
}

fn common_suffix(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum()
}

/// Widens `start..end` by one character each side where it can, so the message shows the
/// characters around an inserted space (`中文abc` → `中文 abc`, not `` → ` `).
fn widen(text: &str, start: usize, end: usize) -> (usize, usize) {
    let end = end.max(start);
    let s = text[..start]
        .char_indices()
        .last()
        .map_or(start, |(i, _)| i);
    let e = text[end..]
        .chars()
        .next()
        .map_or(end, |c| end + c.len_utf8());
    (s, e)
}

/// What `qunce fmt` did (or, with `--check`, would do) to one file.
#[derive(Debug)]
pub struct FileFixes {
    /// The file, relative to the site root (as diagnostics print it).
    pub file: String,
    /// Each fix with the line and column (1-based, in characters) where it starts.
    pub fixes: Vec<(usize, usize, Fix)>,
}

/// `qunce fmt`: the typography fixes of every page under content/ (drafts included), written
/// in place when `write` is set (`fmt --check` only reports them). A file is rewritten only
/// when its text on disk is exactly what was checked (a file qunce repairs on reading, e.g. one
/// with NUL characters, is reported and left alone), and only the reported ranges change.
pub fn fmt_site(
    root: &std::path::Path,
    write: bool,
) -> Result<Vec<FileFixes>, Vec<crate::Diagnostic>> {
    use rayon::prelude::*;
    let (config, _) = crate::config::load(root)?;
    let (content, _) = crate::content::load(&config, crate::content::LoadOptions { drafts: true });
    let results: Vec<Result<Option<FileFixes>, crate::Diagnostic>> = content
        .pages
        .par_iter()
        .filter(|p| !p.file.is_empty() && p.file.ends_with(".md"))
        .map(|p| {
            let fixes = page_fixes(&p.source, p.body_start);
            if fixes.is_empty() {
                return Ok(None);
            }
            let path = config.root.join(&p.file);
            let io = |e: std::io::Error| {
                crate::Diagnostic::error("io", format!("cannot fix {}: {e}", p.file))
                    .with_help("check that the file is writable, then run `qunce fmt` again")
            };
            let disk = std::fs::read(&path).map_err(io)?;
            let bom = if disk.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
            if disk[bom..] != *p.source.as_bytes() {
                return Err(crate::Diagnostic::error(
                    crate::typography::LINT,
                    format!("{} changed while it was read, or holds characters qunce repairs on reading; not fixed", p.file),
                )
                .with_help("save the file as plain UTF-8 and run `qunce fmt` again"));
            }
            if write {
                let mut fixed = disk[..bom].to_vec();
                fixed.extend_from_slice(apply(&p.source, &fixes).as_bytes());
                std::fs::write(&path, fixed).map_err(io)?;
            }
            let src = p.src();
            let fixes = fixes
                .into_iter()
                .map(|f| {
                    let (line, col, _) = src.position(f.start);
                    (line, col, f)
                })
                .collect();
            Ok(Some(FileFixes {
                file: p.file.clone(),
                fixes,
            }))
        })
        .collect();
    let mut done = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(Some(f)) => done.push(f),
            Ok(None) => {}
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    done.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(done)
}

/// Compiles autocorrect's rules (its regular expressions, tens of milliseconds) so that the
/// first page's typography check does not: the build calls it on a thread of its own while the
/// pages load, and the scan threads find the rules made instead of waiting for them.
pub(crate) fn warm() {
    autocorrect::format("中文a");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(body: &str) -> String {
        apply(body, &page_fixes(body, 0))
    }

    #[test]
    fn only_a_chinese_site_that_keeps_the_lint_is_checked() {
        use crate::lints::Level;
        let mut config = crate::config::Config::defaults(std::path::Path::new("."));
        assert!(checks(&config));
        for (level, checked) in [
            (Level::Warn, true),
            (Level::Deny, true),
            (Level::Allow, false),
        ] {
            config.lints.set.insert(LINT.to_string(), level);
            assert_eq!(checks(&config), checked, "{level:?}");
        }
        config.lints.set.clear();
        config.language = crate::config::Language::En;
        assert!(!checks(&config));
    }

    #[test]
    fn each_rule_once() {
        assert_eq!(fixed("用微信群管理100人\n"), "用微信群管理 100 人\n");
        assert_eq!(fixed("开营前,先发群公告.\n"), "开营前，先发群公告。\n");
        assert_eq!(fixed("值月生(轮值)负责\n"), "值月生（轮值）负责\n");
        assert_eq!(fixed("他说\"欢迎新人\"就好\n"), "他说“欢迎新人”就好\n");
        assert_eq!(fixed("太好了！！\n"), "太好了！\n");
        assert_eq!(fixed("大家好!!\n"), "大家好！\n");
        assert_eq!(fixed("Wait... OK!!\n"), "Wait... OK!!\n");
        assert_eq!(
            fixed("见脚注[^1]\n\n[^1]：出处\n"),
            "见脚注[^1]\n\n[^1]: 出处\n"
        );
    }

    #[test]
    fn code_urls_and_ellipses_stay() {
        for body in [
            "用 `a,b中文` 写\n",
            "```\n中文abc,中文\n```\n",
            "访问 <https://example.org/中文abc> 即可\n",
            "省略……破折——号\n",
            "[链接](https://example.org/a,b中文)\n",
        ] {
            assert_eq!(fixed(body), body, "{body}");
        }
    }

    #[test]
    fn template_cards_are_prose() {
        assert_eq!(
            fixed("```template 欢迎词\n欢迎加入本群,请先改群昵称{群名}\n```\n"),
            "```template 欢迎词\n欢迎加入本群，请先改群昵称{群名}\n```\n"
        );
    }

    #[test]
    fn front_matter_values_not_keys() {
        let src = "+++\ntitle = \"入群仪式7件套\"\ndescription='新人入群(第一天)'\nkind = \"ritual\"\n+++\n正文\n";
        let body_start = src.find("正文").unwrap();
        let out = apply(src, &page_fixes(src, body_start));
        assert_eq!(
            out,
            "+++\ntitle = \"入群仪式 7 件套\"\ndescription='新人入群（第一天）'\nkind = \"ritual\"\n+++\n正文\n"
        );
    }

    #[test]
    fn fixing_twice_changes_nothing_more() {
        let src = "# 第1期开营\n\n班长(群主指定)在D0发\"欢迎词\",大家好!!\n\n[^2]：见上\n";
        let once = fixed(src);
        assert_ne!(once, src);
        assert_eq!(fixed(&once), once);
    }

    #[test]
    fn a_fix_names_the_smallest_range() {
        let f = page_fixes("社群有100人。\n", 0);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].before.as_str(), f[0].after.as_str()),
            ("有100人", "有 100 人")
        );
    }

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
