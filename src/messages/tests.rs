use super::template::{Seg, Template};
use super::*;

/// (section, id, part) -> placeholder names, for every template of a language.
fn shapes(lang: Lang) -> BTreeMap<(String, String, &'static str), Vec<String>> {
    let cat = catalogue(lang);
    let mut out = BTreeMap::new();
    for (code, entries) in &cat.codes {
        for e in entries {
            for (part, t) in [("message", &e.message), ("help", &e.help)] {
                if let Some(t) = t {
                    let holes = t.holes().into_iter().map(String::from).collect();
                    out.insert((code.clone(), e.id.clone(), part), holes);
                }
            }
        }
    }
    for (id, text) in &cat.terms {
        let holes = Template::parse(text)
            .holes()
            .into_iter()
            .map(String::from)
            .collect();
        out.insert((TERMS.into(), id.clone(), "term"), holes);
    }
    for (id, text) in &cat.cli {
        let holes = Template::parse(text)
            .holes()
            .into_iter()
            .map(String::from)
            .collect();
        out.insert((CLI.into(), id.clone(), "cli"), holes);
    }
    for id in cat.help.keys() {
        out.insert((HELP.into(), id.clone(), "help"), Vec::new());
    }
    out
}

#[test]
fn both_tables_have_the_same_keys_and_placeholders() {
    let en = shapes(Lang::En);
    let zh = shapes(Lang::ZhCn);
    let only_en: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    let only_zh: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(
        only_en.is_empty() && only_zh.is_empty(),
        "only in en.toml: {only_en:?}; only in zh-CN.toml: {only_zh:?}"
    );
    for (key, holes) in &en {
        assert_eq!(&zh[key], holes, "placeholders of {key:?} differ");
    }
    assert!(
        en.len() > 200,
        "the catalogue holds every message: {}",
        en.len()
    );
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x9FFF | 0xFF00..=0xFFEF)
}

#[test]
fn the_chinese_table_has_no_english_left() {
    let en = catalogue(Lang::En);
    let zh = catalogue(Lang::ZhCn);
    for (code, entries) in &zh.codes {
        for e in entries {
            let english = en.codes[code].iter().find(|x| x.id == e.id).unwrap();
            for (t, et) in [(&e.message, &english.message), (&e.help, &english.help)] {
                let (Some(t), Some(et)) = (t, et) else {
                    continue;
                };
                let fixed: String = t
                    .segs
                    .iter()
                    .filter_map(|s| match s {
                        Seg::Lit(l) => Some(l.as_str()),
                        Seg::Hole(_) => None,
                    })
                    .collect();
                assert_ne!(t, et, "{code}.{} is not translated", e.id);
                assert!(
                    fixed.chars().any(is_cjk),
                    "{code}.{} has no Chinese: {fixed}",
                    e.id
                );
            }
        }
    }
    for (id, text) in &zh.terms {
        let acronym = text.chars().all(|c| c.is_ascii_uppercase());
        assert!(acronym || text.chars().any(is_cjk), "term {id}: {text}");
    }
    for (id, text) in &zh.cli {
        assert!(text.chars().any(is_cjk), "cli {id}: {text}");
    }
    for (id, text) in &zh.help {
        // Examples are commands, the same in both languages.
        assert!(
            id.ends_with("example") || text.chars().any(is_cjk),
            "help {id}: {text}"
        );
    }
}

#[test]
fn templates_match_and_fill() {
    let t = Template::parse("the placeholder `{{{name}}}` is not declared");
    assert_eq!(
        t.matches("the placeholder `{群名}` is not declared"),
        Some(vec![("name".into(), "群名".into())])
    );
    let t = Template::parse("wrap it in `{% if ... %}` when {why}");
    assert_eq!(t.holes(), vec!["why"]);
    assert!(t.matches("wrap it in `{% if ... %}` when x").is_some());
    let t = Template::parse("write `{key}{sep} {value}`");
    let caps = t.matches("write `title = \"a b\"`").unwrap();
    assert_eq!(
        t.fill(|n| caps.iter().find(|c| c.0 == n).map(|c| c.1.clone())),
        "write `title = \"a b\"`"
    );
    assert_eq!(
        Template::parse("no page named `{target}`").matches("no page named x"),
        None
    );
    // Anchored at both ends.
    assert_eq!(
        Template::parse("nothing links to `{title}`").matches("nothing links to `a` here"),
        None
    );
}

#[test]
fn an_unknown_text_stays_english() {
    let text = "a message no template knows";
    assert_eq!(translate("broken-link", text, false, Lang::ZhCn), text);
    assert_eq!(translate("no-such-code", text, true, Lang::ZhCn), text);
    assert!(!is_catalogued("broken-link", text, false));
}

#[test]
fn english_is_returned_as_it_is() {
    let text = "no page named `班常`";
    assert_eq!(translate("broken-link", text, false, Lang::En), text);
}

#[test]
fn locale_and_requested_language() {
    assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Some(Lang::ZhCn));
    assert_eq!(Lang::from_locale("zh_TW"), Some(Lang::ZhCn));
    assert_eq!(Lang::from_locale("en_US.UTF-8"), Some(Lang::En));
    assert_eq!(Lang::from_locale("C"), Some(Lang::En));
    assert_eq!(Lang::from_locale(""), None);
    assert_eq!(Lang::parse("zh-CN"), Some(Lang::ZhCn));
    assert_eq!(Lang::parse("en"), Some(Lang::En));
    assert_eq!(Lang::parse("fr"), None);
    assert_eq!(requested(Some(Lang::En)), Some(Lang::En));
}

/// Every place in src/ that makes a diagnostic from a literal text (or a `format!` of one),
/// with the code it names when that is a literal too.
struct Site {
    at: String,
    code: Option<String>,
    help: bool,
    text: String,
}

/// The Rust string literal starting at `s[0] == '"'`: its value and the bytes it spans.
fn string_literal(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                '\'' => out.push('\''),
                '\n' => {
                    while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                        chars.next();
                    }
                }
                other => {
                    out.push('\\');
                    out.push(other);
                }
            },
            c => out.push(c),
        }
    }
    None
}

/// A stand-in for a value a `format!` puts in: no template's fixed text holds it.
const ANY: &str = "\u{E000}";

/// A format string's text with every `{…}` argument replaced by [`ANY`].
fn format_text(f: &str) -> String {
    let mut out = String::new();
    let mut rest = f;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("{{") {
            out.push('{');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("}}") {
            out.push('}');
            rest = r;
        } else if c == '{' {
            let end = rest.find('}').expect("a format argument is closed");
            out.push_str(ANY);
            rest = &rest[end + 1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The text of an argument starting at `s`: a literal, or `format!(literal, …)`; None for
/// anything computed.
fn argument_text(s: &str) -> Option<String> {
    let s = s.trim_start();
    if s.starts_with('"') {
        return string_literal(s).map(|(v, _)| v);
    }
    let f = s.strip_prefix("format!(")?.trim_start();
    string_literal(f).map(|(v, _)| format_text(&v))
}

/// The codes named by constants rather than literals at call sites.
fn code_constant(name: &str) -> Option<&'static str> {
    match name {
        "CODE" | "guard::CODE" => Some("output-dir"),
        "crate::typography::LINT" | "LINT" => Some("zh-typography"),
        _ => None,
    }
}

/// Where the argument starting at `s` ends: the first `,` or `)` outside brackets and strings.
fn argument_end(s: &str) -> usize {
    let mut depth = 0usize;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let (_, len) = string_literal(&s[i..]).expect("a closed string");
                for _ in 1..s[i..i + len].chars().count() {
                    chars.next();
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return i,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => return i,
            _ => {}
        }
    }
    s.len()
}

/// The `err(message, help)` calls of the scaffolding commands (`qunce init`, `new`, `theme
/// unpack`), whose errors are shown through the catalogue's `[scaffold]` section.
fn scaffold_sites(root: &Path) -> Vec<Site> {
    let text = std::fs::read_to_string(root.join("scaffold.rs")).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap();
    let mut sites = Vec::new();
    for (at, _) in text.match_indices("err(") {
        let before = text[..at].chars().next_back().unwrap_or(' ');
        if before.is_alphanumeric() || before == '_' || text[..at].ends_with("fn ") {
            continue;
        }
        let line = text[..at].lines().count();
        let args = &text[at + 4..];
        let end = argument_end(args);
        for (help, arg) in [(false, &args[..end]), (true, args[end + 1..].trim_start())] {
            if let Some(t) = argument_text(arg) {
                sites.push(Site {
                    at: format!("scaffold.rs:{line}"),
                    code: Some("scaffold".into()),
                    help,
                    text: t,
                });
            }
        }
    }
    sites
}

fn call_sites() -> Vec<Site> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sites = Vec::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") || path.starts_with(root.join("messages")) {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        if path.ends_with("scaffold.rs") {
            sites.extend(scaffold_sites(&root));
        }
        // Unit tests make diagnostics with made-up texts.
        let text = text.split("#[cfg(test)]").next().unwrap();
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        // A message handed back in a tuple with its fix, `Some((format!("`…"), fixed))`, is
        // made into a diagnostic by the caller (scheme typos): its code is not known here.
        for (at, _) in text.match_indices("format!(\"`") {
            let before = text[..at].trim_end();
            let tuple = before.strip_suffix('(').is_some_and(|b| {
                !b.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '!')
            });
            if tuple {
                sites.push(Site {
                    at: format!("{name}:{}", text[..at].lines().count()),
                    code: None,
                    help: false,
                    text: argument_text(&text[at..]).unwrap_or_default(),
                });
            }
        }
        // The calls in source order; a help belongs to the diagnostic made before it.
        let mut calls: Vec<(usize, &str)> =
            ["Diagnostic::error(", "Diagnostic::warning(", ".with_help("]
                .iter()
                .flat_map(|p| text.match_indices(p))
                .collect();
        calls.sort_unstable();
        let mut code: Option<String> = None;
        for (at, call) in calls {
            let line = text[..at].lines().count();
            let args = &text[at + call.len()..];
            if call == ".with_help(" {
                if let Some(t) = argument_text(args) {
                    sites.push(Site {
                        at: format!("{name}:{line}"),
                        code: code.clone(),
                        help: true,
                        text: t,
                    });
                }
                continue;
            }
            let args = args.trim_start();
            let (first, rest) = if args.starts_with('"') {
                let (v, end) = string_literal(args).unwrap();
                (Some(v), &args[end..])
            } else {
                let end = args.find(',').unwrap_or(args.len());
                (
                    code_constant(args[..end].trim()).map(String::from),
                    &args[end..],
                )
            };
            code = first;
            let rest = rest.trim_start().trim_start_matches(',');
            if let Some(t) = argument_text(rest) {
                sites.push(Site {
                    at: format!("{name}:{line}"),
                    code: code.clone(),
                    help: false,
                    text: t,
                });
            }
        }
    }
    sites
}

/// Whether a template of `code` with at least a few words of fixed text matches `text`.
fn specific_match(code: &str, text: &str, help: bool) -> bool {
    let part = if help { Part::Help } else { Part::Message };
    best_match(code, text, part).is_some_and(|m| {
        let entry = catalogue(Lang::En).codes[m.section]
            .iter()
            .find(|e| e.id == m.id)
            .unwrap();
        let t = if help { &entry.help } else { &entry.message };
        t.as_ref().is_some_and(|t| t.fixed_len() >= 12)
    })
}

/// (b): a diagnostic text written at a call site that the English table does not hold would be
/// shown untranslated; this fails first.
#[test]
fn every_literal_message_and_help_in_src_has_a_template() {
    let sites = call_sites();
    assert!(
        sites.len() > 150,
        "the scan finds the call sites: {}",
        sites.len()
    );
    let en = catalogue(Lang::En);
    let missing: Vec<String> = sites
        .iter()
        .filter(|s| match &s.code {
            Some(code) => !is_catalogued(code, &s.text, s.help),
            // Without its code, only a template with real text counts (not `{what}: {error}`).
            None => !en.codes.keys().any(|c| specific_match(c, &s.text, s.help)),
        })
        .map(|s| format!("{} [{:?}] {}", s.at, s.code, s.text.replace(ANY, "{…}")))
        .collect();
    assert!(
        missing.is_empty(),
        "no template for:\n{}",
        missing.join("\n")
    );
}

/// (c): one case of every code, its English text as qunce writes it and its Chinese text.
const CASES: &[(&str, bool, &str, &str)] = &[
    (
        "broken-link",
        false,
        "no page named `班常`",
        "没有名为 `班常` 的页面",
    ),
    (
        "broken-link",
        true,
        "did you mean [[班长]]?",
        "是不是想写 [[班长]]？",
    ),
    (
        "broken-link",
        false,
        "`roles` links to `班常` (no such page)",
        "字段 `roles` 链接到 `班常`（没有这个页面）",
    ),
    (
        "ambiguous-link",
        false,
        "`开营` matches 2 pages",
        "`开营` 对应 2 个页面",
    ),
    (
        "broken-anchor",
        false,
        "`班长` has no heading `#职责`",
        "`班长` 里没有标题 `#职责`",
    ),
    (
        "broken-anchor",
        true,
        "`班长` has no headings",
        "`班长` 里没有任何标题",
    ),
    (
        "wrong-kind",
        false,
        "`roles` must link to 角色, but `开营仪式` is a 仪式",
        "字段 `roles` 只能链接到角色，但 `开营仪式` 是仪式",
    ),
    (
        "duplicate-name",
        false,
        "`班长` names 2 pages: a.md and b.md",
        "`班长` 同时是 2 个页面的名字：a.md and b.md",
    ),
    (
        "orphan-page",
        false,
        "nothing links to `破冰`",
        "没有任何页面链接到 `破冰`",
    ),
    (
        "unused-role",
        false,
        "no ritual lists the role `值月生`",
        "没有哪个仪式列出角色 `值月生`",
    ),
    (
        "unlisted-role",
        false,
        "`组长` is linked here but not listed in `raci`",
        "这里链接了 `组长`，但 `raci` 里没有列出它",
    ),
    (
        "ritual-without-roles",
        true,
        "add `roles = [\"群主\", \"班长\"]` (who runs it) to the front matter",
        "在页面开头的设置（front matter）里加上 `roles = [\"群主\", \"班长\"]`（由谁来主持）",
    ),
    (
        "element-without-rituals",
        false,
        "no ritual belongs to the element `同好`",
        "没有哪个仪式属于要素 `同好`",
    ),
    (
        "unsafe-link",
        false,
        "`javascript:` links are dropped",
        "`javascript:` 链接已被去掉",
    ),
    (
        "scheme-typo",
        false,
        "`https:/x.cn` is missing the `//` after `https:`",
        "`https:/x.cn` 在 `https:` 后面少了 `//`",
    ),
    (
        "dead-output-link",
        false,
        "the link `/x/` leads nowhere in the output: it points outside the site",
        "链接 `/x/` 在生成的网站里无处可去：它指向网站之外",
    ),
    (
        "zh-typography",
        false,
        "Chinese typography: `开营:` reads better as `开营：`",
        "中文排版：`开营:` 改成 `开营：` 更好读",
    ),
    (
        "raw-html-too-deep",
        false,
        "raw HTML nested 300 levels deep is shown as text",
        "原始 HTML 嵌套了 300 层，会按文字显示",
    ),
    (
        "undeclared-placeholder",
        false,
        "the placeholder `{群名}` is not declared",
        "占位符 `{群名}` 没有声明",
    ),
    (
        "removed-html",
        false,
        "raw HTML `<script>` is removed",
        "原始 HTML 标签 `<script>` 已被去掉",
    ),
    (
        "shortcode",
        false,
        "`{{< ref \"a\" >}}` looks like a Hugo shortcode; it is printed as text",
        "`{{< ref \"a\" >}}` 看起来是 Hugo 的短代码（shortcode），会按原样显示为文字",
    ),
    (
        "footnote-without-definition",
        false,
        "the footnote `[^1]` has no definition; it is printed as text",
        "脚注 `[^1]` 没有定义，会按原样显示为文字",
    ),
    (
        "io",
        false,
        "cannot read content/a.md: permission denied",
        "无法读取 content/a.md：permission denied",
    ),
    (
        "invalid-utf8",
        false,
        "the file is not valid UTF-8",
        "文件不是有效的 UTF-8 编码",
    ),
    (
        "invalid-toml",
        false,
        "invalid TOML in front matter: expected `=`",
        "页面开头的设置（front matter）里 TOML 格式有误：expected `=`",
    ),
    (
        "invalid-yaml",
        true,
        "front matter between `---` lines is YAML: `key: value`, lists as `[a, b]` or `- a` lines",
        "`---` 之间的设置用 YAML 格式：`key: value`，列表写成 `[a, b]` 或一行一个 `- a`",
    ),
    (
        "placeholder-base-url",
        false,
        "base_url is still the placeholder `https://example.org`: sitemap.xml, robots.txt and feeds point there",
        "base_url 还是占位地址 `https://example.org`：sitemap.xml、robots.txt 和订阅源都会指向它",
    ),
    (
        "config",
        false,
        "`title` must be a string, found an integer",
        "`title` 应该是文字（字符串），这里是整数",
    ),
    (
        "config",
        false,
        "`output_dir = \"/tmp/x\"` is an absolute path; it must be a folder inside the site",
        "设置 `output_dir = \"/tmp/x\"` 是绝对路径；它必须是网站里面的文件夹",
    ),
    (
        "config",
        false,
        "`output_dir = \"content\"` is the site's content/ folder, which a build would replace",
        "设置 `output_dir = \"content\"` 是网站的 content/ 文件夹，构建时会被替换",
    ),
    (
        "unknown-key",
        false,
        "unknown front-matter key `titel` for kind `ritual`",
        "页面类型（kind）`ritual` 的页面开头设置（front matter）里没有字段 `titel`",
    ),
    (
        "unknown-lint",
        false,
        "unknown lint `orphan`",
        "未知的检查项 `orphan`",
    ),
    (
        "symlink",
        false,
        "symbolic links in content/ are not followed",
        "content/ 里的符号链接不会被跟随",
    ),
    (
        "special-file",
        false,
        "not a regular file; skipped",
        "不是普通文件，已跳过",
    ),
    (
        "url-collision",
        false,
        "`a.md` and `b.md` would both be written to /a/",
        "`a.md` 和 `b.md` 都会写到 /a/",
    ),
    (
        "unterminated-front-matter",
        false,
        "front matter opened with `+++` is never closed",
        "以 `+++` 开始的页面开头设置（front matter）没有结束",
    ),
    (
        "unknown-kind",
        false,
        "unknown kind `ritul`",
        "未知的页面类型（kind）`ritul`",
    ),
    (
        "unknown-enum-value",
        true,
        "did you mean `growth`? allowed values: launch, growth",
        "是不是想写 `growth`？可选值：launch, growth",
    ),
    (
        "missing-field",
        false,
        "missing required field `roles` for kind `ritual`",
        "页面类型（kind）`ritual` 缺少必填字段 `roles`",
    ),
    (
        "wrong-type",
        false,
        "`roles` must be a list of strings, found a string",
        "字段 `roles` 应该是文字列表，这里是文字（字符串）",
    ),
    (
        "wrong-type",
        true,
        "write it as a list: `roles = [\"班长\"]`",
        "写成列表：`roles = [\"班长\"]`",
    ),
    (
        "invalid-date",
        true,
        "write `date = 2026-01-05` (year-month-day)",
        "写成 `date = 2026-01-05`（年-月-日）",
    ),
    (
        "invalid-schedule",
        false,
        "`D+x` is not a schedule",
        "`D+x` 不是有效的日程",
    ),
    (
        "unknown-raci-part",
        false,
        "`leed` is not a part of `raci`",
        "`leed` 不是 `raci` 的一部分",
    ),
    (
        "redirect",
        false,
        "redirect target `/x/` is not a page of this site",
        "跳转目标 `/x/` 不是本网站的页面",
    ),
    (
        "redirect-collision",
        false,
        "redirect from `/a/` (an alias of content/b.md) collides with the page content/a.md",
        "从 `/a/`（content/b.md 的别名）的跳转与页面 content/a.md 冲突",
    ),
    (
        "unknown-feed-section",
        false,
        "[feeds] sections names `news`, which is no section",
        "[feeds] 的 sections 里写了 `news`，但没有这个章节",
    ),
    (
        "template",
        false,
        "template syntax error in `page.html`: unexpected `}`",
        "`page.html` 里模板语法错误：unexpected `}`",
    ),
    (
        "template",
        true,
        "while rendering content/a.md; check the theme's templates",
        "渲染 content/a.md 时出错；检查主题的模板",
    ),
    (
        "output-dir",
        false,
        "refusing to write the site into /s/content: it is the site's content/ folder",
        "不会把网站写进 /s/content：它是网站的 content/ 文件夹",
    ),
    (
        "serve",
        false,
        "cannot start the HTTP server: address in use",
        "无法启动 HTTP 服务：address in use",
    ),
    (
        "scheme-typo",
        false,
        "`htps:` looks like a typo of `https:`",
        "`htps:` 看起来是 `https:` 的笔误",
    ),
    (
        "scaffold",
        false,
        "`周会:复盘` cannot be a file name on Windows: `:` is not allowed in a file name",
        "`周会:复盘` 在 Windows 上不能用作文件名：文件名里不能有 `:`",
    ),
];

#[test]
fn every_code_has_a_tested_english_and_chinese_case() {
    for &(code, help, english, chinese) in CASES {
        assert!(
            is_catalogued(code, english, help),
            "{code}: no template for {english}"
        );
        assert_eq!(translate(code, english, help, Lang::En), english);
        assert_eq!(
            translate(code, english, help, Lang::ZhCn),
            chinese,
            "{code}"
        );
    }
    let tested: std::collections::BTreeSet<&str> = CASES.iter().map(|c| c.0).collect();
    let untested: Vec<&String> = catalogue(Lang::En)
        .codes
        .keys()
        .filter(|c| c.as_str() != COMMON && !tested.contains(c.as_str()))
        .collect();
    assert!(untested.is_empty(), "codes without a case: {untested:?}");
}

#[test]
fn command_line_lines() {
    assert_eq!(
        cli(
            Lang::En,
            "checked",
            &[("pages", &3), ("errors", &0), ("warnings", &1)]
        ),
        "checked 3 pages: 0 errors, 1 warnings"
    );
    assert_eq!(
        cli(
            Lang::ZhCn,
            "checked",
            &[("pages", &3), ("errors", &0), ("warnings", &1)]
        ),
        "已检查 3 个页面：0 个错误，1 个警告"
    );
}
