//! What writers coming from Hugo, Zola or GitHub expect of the Markdown: highlighted code,
//! autolinks, GitHub alerts, video embeds, a title taken from the first heading (shown once),
//! natural order of numbered titles, and YAML front matter.

mod common;

use common::*;
use qunce::Status;
use qunce::diagnostics::Severity;

fn page_body(site: &Site, path: &str) -> String {
    body_of(&site.read(path)).to_string()
}

/// Fails unless the only diagnostics are `orphan-page` warnings (the small sites here do not
/// link their pages to each other) and the fixture's placeholder address.
fn assert_clean(o: &qunce::Outcome) {
    let others: Vec<_> = besides_placeholder(o)
        .into_iter()
        .filter(|d| d.code != "orphan-page")
        .collect();
    assert!(others.is_empty(), "{}", human(&others));
}

// ---------------------------------------------------------------------------------------------
// Highlighting
// ---------------------------------------------------------------------------------------------

#[test]
fn code_blocks_are_highlighted_with_classes_and_unknown_languages_stay_plain() {
    let md = "+++\ntitle = \"代码\"\n+++\n\n```rust\nfn main() { let s = \"hi\"; }\n```\n\n```klingon\nqapla' <b>\n```\n\n```\nplain & simple\n```\n\n    indented <code>\n";
    let site = Site::new().file("content/代码.md", md);
    let o = site.build_ok();
    assert_clean(&o);
    let body = page_body(&site, "dai-ma/index.html");
    assert!(
        body.contains("<pre class=\"hl\"><code class=\"language-rust\"><span class=\"hl-source hl-rust\"><span class=\"hl-meta hl-function hl-rust\"><span class=\"hl-meta hl-function hl-rust\"><span class=\"hl-storage hl-type hl-function hl-rust\">fn</span> </span>"),
        "{body}"
    );
    assert!(
        body.contains("<span class=\"hl-string hl-quoted hl-double hl-rust\"><span class=\"hl-punctuation hl-definition hl-string hl-begin hl-rust\">&quot;</span>hi<span class=\"hl-punctuation hl-definition hl-string hl-end hl-rust\">&quot;</span></span>"),
        "{body}"
    );
    assert!(!body.contains("style="), "no inline styles: {body}");
    assert!(
        body.contains("<pre><code class=\"language-klingon\">qapla&#39; &lt;b&gt;\n</code></pre>"),
        "{body}"
    );
    assert!(
        body.contains("<pre><code>plain &amp; simple\n</code></pre>"),
        "{body}"
    );
    assert!(
        body.contains("<pre><code>indented &lt;code&gt;\n</code></pre>"),
        "{body}"
    );
    // No script does the highlighting, and the theme colours the classes in both modes.
    let html = site.read("dai-ma/index.html");
    assert!(
        !html.contains("highlight.js") && !html.contains("prism"),
        "{html}"
    );
    let css = site.read("style.css");
    assert!(css.contains(".hl .hl-keyword"), "light colours");
    assert!(
        css.contains(":root[data-theme=dark]{--hl-c:"),
        "dark colours"
    );
}

/// `site.toml` snippets are highlighted (syntect's default set has no TOML), with the keys in
/// the colour of YAML keys; `text` blocks stay plain.
#[test]
fn toml_blocks_are_highlighted_and_text_blocks_stay_plain() {
    let md = "+++\ntitle = \"配置\"\n+++\n\n```toml\n[playbook]\ncohort_days = 21 # 天\n```\n\n```text\na = 1\n```\n";
    let site = Site::new().file("content/配置.md", md);
    let o = site.build_ok();
    assert_clean(&o);
    let body = page_body(&site, "pei-zhi/index.html");
    assert!(
        body.contains(concat!(
            r#"<pre class="hl"><code class="language-toml"><span class="hl-source hl-toml">"#,
            r#"<span class="hl-meta hl-tag hl-table hl-toml"><span class="hl-punctuation hl-definition hl-table hl-begin hl-toml">[</span>"#,
            r#"<span class="hl-entity hl-name hl-table hl-toml">playbook</span>"#,
            r#"<span class="hl-punctuation hl-definition hl-table hl-end hl-toml">]</span></span>"#,
            "\n",
            r#"<span class="hl-entity hl-name hl-tag hl-toml">cohort_days</span> "#,
            r#"<span class="hl-punctuation hl-separator hl-key-value hl-toml">=</span> "#,
            r#"<span class="hl-constant hl-numeric hl-toml">21</span> "#,
            r#"<span class="hl-comment hl-line hl-number-sign hl-toml"><span class="hl-punctuation hl-definition hl-comment hl-line hl-number-sign hl-toml">#</span> 天"#,
        )),
        "{body}"
    );
    assert!(
        body.contains("<pre><code class=\"language-text\">a = 1\n</code></pre>"),
        "{body}"
    );
    let css = site.read("style.css");
    assert!(
        css.contains(".hl .hl-entity.hl-name.hl-tag.hl-toml"),
        "key colour"
    );
}

#[test]
fn template_blocks_are_left_to_the_playbook_renderer() {
    let md = "+++\ntitle = \"模板\"\n+++\n\n```template 欢迎词 announcement\n欢迎 {群名} 的新朋友\n```\n";
    let site = Site::new().file("content/模板.md", md);
    site.build_ok();
    let body = page_body(&site, "mo-ban/index.html");
    assert!(!body.contains("class=\"hl\""), "{body}");
    assert!(!body.contains("hl-"), "{body}");
}

// ---------------------------------------------------------------------------------------------
// Autolinks
// ---------------------------------------------------------------------------------------------

#[test]
fn bare_urls_become_links_but_not_in_code_or_links() {
    let md = "+++\ntitle = \"链接\"\n+++\n\n报名见 https://signup.example/sign_up_form?id=1，或 www.qunce.dev。联系 team@example.org\n\n`https://in.code/` 与 [已有](https://link.example/) 与 <https://angle.example/> 与 <a href=\"https://raw.example/\">https://raw.example/</a>\n\n```\nhttps://in.block/\n```\n\n裸域名 example.com 与 ftp://files.example/ 不变。\n";
    let site = Site::new().file("content/链接.md", md);
    let o = site.build_ok();
    assert_clean(&o);
    let body = page_body(&site, "lian-jie/index.html");
    assert!(
        body.contains("<p>报名见 <a href=\"https://signup.example/sign_up_form?id=1\">https://signup.example/sign_up_form?id=1</a>，或 <a href=\"http://www.qunce.dev\">www.qunce.dev</a>。联系 <a href=\"mailto:team@example.org\">team@example.org</a></p>"),
        "{body}"
    );
    assert!(
        body.contains("<p><code>https://in.code/</code> 与 <a href=\"https://link.example/\">已有</a> 与 <a href=\"https://angle.example/\">https://angle.example/</a> 与 <a href=\"https://raw.example/\">https://raw.example/</a></p>"),
        "{body}"
    );
    assert!(
        body.contains("<pre><code>https://in.block/\n</code></pre>"),
        "{body}"
    );
    assert!(
        body.contains("<p>裸域名 example.com 与 ftp://files.example/ 不变。</p>"),
        "{body}"
    );
}

// ---------------------------------------------------------------------------------------------
// GitHub alerts
// ---------------------------------------------------------------------------------------------

const ALERTS: &str = "+++\ntitle = \"提醒\"\n+++\n\n> [!NOTE]\n> 记得 **签到**。\n\n> [!TIP]\n> 提前一天发预告。\n\n> [!IMPORTANT]\n> 要点。\n\n> [!WARNING]\n> 别刷屏。\n\n> [!CAUTION]\n> 不要泄露手机号。\n\n> 普通引用\n";

#[test]
fn github_alerts_render_as_callouts_with_chinese_titles() {
    let site = Site::new().file("content/提醒.md", ALERTS);
    site.build_ok();
    let body = page_body(&site, "ti-xing/index.html");
    for (class, title, text) in [
        ("note", "注意", "<p>记得 <strong>签到</strong>。</p>"),
        ("tip", "提示", "<p>提前一天发预告。</p>"),
        ("important", "重要", "<p>要点。</p>"),
        ("warning", "警告", "<p>别刷屏。</p>"),
        ("caution", "当心", "<p>不要泄露手机号。</p>"),
    ] {
        let want = format!(
            "<div class=\"callout callout-{class}\">\n<p class=\"callout-title\">{title}</p>\n{text}\n</div>"
        );
        assert!(body.contains(&want), "{want}\n{body}");
    }
    assert!(
        body.contains("<blockquote>\n<p>普通引用</p>\n</blockquote>"),
        "{body}"
    );
    let css = site.read("style.css");
    assert!(
        css.contains(".callout-warning{--c:var(--co-warning);}"),
        "styled"
    );
}

#[test]
fn github_alert_titles_follow_the_language_and_ui_overrides() {
    let site = Site::new()
        .file(
            "site.toml",
            "title = \"T\"\nbase_url = \"https://example.org\"\nlanguage = \"en\"\n[ui]\nalert_tip = \"Pro tip\"\n",
        )
        .file("content/alerts.md", ALERTS);
    site.build_ok();
    let body = page_body(&site, "alerts/index.html");
    for title in ["Note", "Pro tip", "Important", "Warning", "Caution"] {
        assert!(
            body.contains(&format!("<p class=\"callout-title\">{title}</p>")),
            "{title}: {body}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Video embeds
// ---------------------------------------------------------------------------------------------

const EMBEDS: &str = "+++\ntitle = \"视频\"\n+++\n\n开营回顾：\n\n<iframe src=\"//player.bilibili.com/player.html?bvid=BV1xx411c7mD&amp;page=1\" scrolling=\"no\" border=\"0\" frameborder=\"no\" framespacing=\"0\" allowfullscreen=\"true\" onload=\"alert(1)\"></iframe>\n\n<iframe\n  title=\"YouTube\"\n  src=\"https://www.youtube-nocookie.com/embed/abc\"></iframe>\n\n行内 <iframe src=\"https://evil.example/x\"></iframe> 结束。\n";

#[test]
fn iframes_of_embed_hosts_are_kept_sandboxed_and_others_removed_with_a_warning() {
    let site = Site::new().file("content/视频.md", EMBEDS);
    let o = site.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let body = page_body(&site, "shi-pin/index.html");
    assert!(
        body.contains("<iframe class=\"embed\" src=\"https://player.bilibili.com/player.html?bvid=BV1xx411c7mD&amp;page=1\" sandbox=\"allow-scripts allow-same-origin allow-presentation\" loading=\"lazy\" referrerpolicy=\"strict-origin-when-cross-origin\" allowfullscreen></iframe>"),
        "{body}"
    );
    assert!(
        body.contains("<iframe class=\"embed\" src=\"https://www.youtube-nocookie.com/embed/abc\" title=\"YouTube\" sandbox=\"allow-scripts allow-same-origin allow-presentation\" loading=\"lazy\" referrerpolicy=\"strict-origin-when-cross-origin\" allowfullscreen></iframe>"),
        "{body}"
    );
    assert_eq!(body.matches("<iframe").count(), 2, "{body}");
    assert!(!body.contains("evil.example"), "{body}");
    assert!(!body.contains("onload"), "{body}");
    assert!(body.contains("<p>行内  结束。</p>"), "{body}");
    let d = one(&o, "removed-html", "content/视频.md");
    assert_eq!(d.severity, Severity::Warning);
    let (line, col) = pos(EMBEDS, "<iframe src=\"https://evil");
    assert_at(d, "content/视频.md", line, col);
    assert_eq!(
        d.message,
        "`<iframe>` from `evil.example` removed: not an embed host"
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "if you trust it, add \"evil.example\" to `embed_hosts` under [markdown] in site.toml"
        )
    );
    assert_eq!(
        warnings(&o)
            .iter()
            .filter(|d| d.code != "orphan-page" && d.code != "placeholder-base-url")
            .count(),
        1
    );
}

#[test]
fn embed_hosts_are_configurable_and_checked() {
    let toml = "title = \"T\"\nbase_url = \"https://example.org\"\n[markdown]\nembed_hosts = [\"evil.example\"]\n";
    let site = Site::new()
        .file("site.toml", toml)
        .file("content/视频.md", EMBEDS);
    let o = site.build();
    let body = page_body(&site, "shi-pin/index.html");
    assert!(
        body.contains("<iframe class=\"embed\" src=\"https://evil.example/x\" sandbox="),
        "{body}"
    );
    assert_eq!(body.matches("<iframe").count(), 1, "{body}");
    let removed = with_code(&o, "removed-html");
    assert_eq!(removed.len(), 2, "{}", human(&o.diagnostics));
    assert_eq!(removed[0].line, pos(EMBEDS, "<iframe src=\"//player").0);
    assert_eq!(removed[1].line, pos(EMBEDS, "<iframe\n").0);

    let bad = "title = \"T\"\n[markdown]\nembed_hosts = [\"https://v.qq.com/\", 3]\n";
    let site = Site::new().file("site.toml", bad);
    let o = site.check();
    assert_eq!(o.status, Status::ConfigErrors, "{}", human(&o.diagnostics));
    let errs = errors(&o);
    assert_eq!(errs.len(), 2, "{}", human(&o.diagnostics));
    assert_at(errs[0], "site.toml", 3, 16);
    assert_eq!(
        errs[0].message,
        "`embed_hosts` entries are host names, found `https://v.qq.com/`"
    );
    assert_at(errs[1], "site.toml", 3, 37);
    assert_eq!(
        errs[1].message,
        "`embed_hosts` entries are host names, found an integer"
    );
    assert_help(errs[0], "\"player.bilibili.com\"");
}

#[test]
fn raw_html_allow_keeps_iframes_as_written() {
    let toml =
        "title = \"T\"\nbase_url = \"https://example.org\"\n[markdown]\nraw_html = \"allow\"\n";
    let site = Site::new()
        .file("site.toml", toml)
        .file("content/视频.md", EMBEDS);
    let o = site.build_ok();
    assert_clean(&o);
    let body = page_body(&site, "shi-pin/index.html");
    assert!(
        body.contains("行内 <iframe src=\"https://evil.example/x\"></iframe> 结束。"),
        "{body}"
    );
}

// ---------------------------------------------------------------------------------------------
// Title from the first heading
// ---------------------------------------------------------------------------------------------

#[test]
fn a_page_without_front_matter_takes_its_title_from_its_heading_once() {
    let site = Site::new()
        .file(
            "content/周会.md",
            "# 每周 **例会**\n\n第一段。\n\n## 议程\n\n# 第二个一级标题\n",
        )
        .file(
            "content/有标题.md",
            "+++\ntitle = \"前置标题\"\n+++\n\n# 正文标题\n\n内容。\n",
        );
    let o = site.build_ok();
    assert_clean(&o);
    let html = site.read("zhou-hui/index.html");
    assert!(html.contains("<title>每周 例会"), "{html}");
    assert!(html.contains("<h1>每周 例会</h1>"), "{html}");
    let body = body_of(&html);
    assert!(!body.contains("例会</strong>"), "shown once: {body}");
    assert!(body.contains("<p>第一段。</p>"), "{body}");
    assert!(body.contains("<h2 id=\"议程\">"), "{body}");
    assert!(body.contains("<h1 id=\"第二个一级标题\">"), "{body}");
    // A title from front matter leaves the body's heading alone.
    let body = page_body(&site, "you-biao-ti/index.html");
    assert!(body.contains("<h1 id=\"正文标题\">正文标题"), "{body}");
}

// ---------------------------------------------------------------------------------------------
// Natural order
// ---------------------------------------------------------------------------------------------

#[test]
fn equal_weights_sort_titles_and_file_names_naturally() {
    let ritual = |t: &str| {
        format!("+++\ntitle = \"{t}\"\nkind = \"ritual\"\nroles = [\"班长\"]\n+++\n\n正文。\n")
    };
    let site = handbook()
        .file("content/rituals/a.md", &ritual("第 10 期复盘"))
        .file("content/rituals/b.md", &ritual("第 2 期复盘"))
        .file("content/rituals/c.md", &ritual("第 1 期复盘"))
        .file("content/issues/_index.md", "+++\ntitle = \"期刊\"\n+++\n")
        .file("content/issues/issue-10.md", "正文十。\n")
        .file("content/issues/issue-9.md", "正文九。\n")
        .file("content/issues/issue-1.md", "正文一。\n");
    site.build();
    let order = |html: &str, names: &[&str]| -> Vec<usize> {
        names
            .iter()
            .map(|n| html.find(n).unwrap_or_else(|| panic!("{n} missing")))
            .collect()
    };
    let sorted = |v: Vec<usize>| v.windows(2).all(|w| w[0] < w[1]);
    let section = main_of(&site.read("rituals/index.html")).to_string();
    assert!(
        sorted(order(
            &section,
            &["第 1 期复盘", "第 2 期复盘", "第 10 期复盘"]
        )),
        "{section}"
    );
    let matrix = main_of(&site.read("matrix/index.html")).to_string();
    assert!(
        sorted(order(
            &matrix,
            &["第 1 期复盘", "第 2 期复盘", "第 10 期复盘"]
        )),
        "{matrix}"
    );
    let issues = site.read("issues/index.html");
    assert!(
        sorted(order(
            main_of(&issues),
            &[">issue-1<", ">issue-9<", ">issue-10<"]
        )),
        "{issues}"
    );
    // The sidebar of a page in the section lists them in the same order.
    let page = site.read("issues/issue-9/index.html");
    let sidebar = &page[..page.find("<main").expect("main")];
    assert!(
        sorted(order(sidebar, &["issue-1<", "issue-9<", "issue-10<"])),
        "{sidebar}"
    );
}

// ---------------------------------------------------------------------------------------------
// YAML front matter
// ---------------------------------------------------------------------------------------------

const RITUAL_TOML: &str = "+++\ntitle = \"破冰\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"班长\"]\nstage = \"intro\"\nweight = 2\ntags = [\"仪式感\", \"新人\"]\naliases = [\"icebreak\"]\ndate = 2026-01-31\n+++\n\n## 流程\n\n见 [[班长]]。\n";

const RITUAL_YAML: &str = "---\n# 从 Hugo 搬来\ntitle: 破冰\nkind: ritual\nelement: \"同好\"\nroles:\n  - 班长\nstage: intro\nweight: 2\ntags: [仪式感, 新人]\naliases: ['icebreak']\ndate: 2026-01-31\ndraft:\n---\n\n## 流程\n\n见 [[班长]]。\n";

#[test]
fn yaml_front_matter_builds_the_same_page_as_toml() {
    let toml = handbook().file("content/rituals/破冰.md", RITUAL_TOML);
    let yaml = handbook().file("content/rituals/破冰.md", RITUAL_YAML);
    let (a, b) = (toml.build_ok(), yaml.build_ok());
    let brief = |o: &qunce::Outcome| {
        o.diagnostics
            .iter()
            .map(|d| (d.code, d.file.clone(), d.line, d.column, d.message.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(brief(&a), brief(&b));
    let out = |s: &Site| {
        snapshot(&s.public())
            .into_iter()
            .filter(|(f, _)| f.ends_with(".html") || f.ends_with(".json") || f.ends_with(".xml"))
            .collect::<Vec<_>>()
    };
    let (a, b) = (out(&toml), out(&yaml));
    assert!(a.len() > 10);
    for ((fa, ba), (fb, bb)) in a.iter().zip(&b) {
        assert_eq!(fa, fb);
        assert!(ba == bb, "{fa} differs");
    }
    // The wiki-link alias, tags and the relation to the role all came through.
    assert!(main_of(&toml.read("roles/ban-zhang/index.html")).contains("破冰"));
    assert!(
        yaml.exists("tags/xin-ren/index.html"),
        "{:?}",
        yaml.output_files()
    );
}

#[test]
fn yaml_front_matter_errors_are_at_their_line_like_toml() {
    let text = "---\ntitle: 破冰\nkind: ritual\nweight: \"2\"\nstage: grow\nroles: 班长\ncolour: red\n---\n\n正文\n";
    let site = handbook().file("content/rituals/破冰.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors, "{}", human(&o.diagnostics));
    let file = "content/rituals/破冰.md";
    let wrong: Vec<_> = with_code(&o, "wrong-type");
    assert_eq!(wrong.len(), 2, "{}", human(&o.diagnostics));
    let (l, c) = pos(text, "\"2\"");
    assert_at(wrong[0], file, l, c);
    assert_eq!(
        wrong[0].message,
        "`weight` must be an integer, found a string"
    );
    assert_eq!(wrong[0].help.as_deref(), Some("write `weight: 2`"));
    let (l, c) = pos(text, "班长");
    assert_at(wrong[1], file, l, c);
    assert_eq!(
        wrong[1].message,
        "`roles` must be a list or a table of roles, found a string"
    );
    let d = one(&o, "unknown-enum-value", file);
    let (l, c) = pos(text, "grow");
    assert_at(d, file, l, c);
    let d = one(&o, "unknown-key", file);
    let (l, c) = pos(text, "colour");
    assert_at(d, file, l, c);
    assert_eq!(d.severity, Severity::Warning);
}

#[test]
fn invalid_yaml_is_located_and_unclosed_yaml_is_an_error() {
    let text = "---\ntitle: 破冰\ntags: [a, b\nkind: ritual\n---\n\n正文\n";
    let site = Site::new().file("content/坏.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors, "{}", human(&o.diagnostics));
    let d = one(&o, "invalid-yaml", "content/坏.md");
    assert!(
        d.message.starts_with("invalid YAML in front matter: "),
        "{}",
        d.message
    );
    assert_eq!(d.line, 4, "{}", human(&o.diagnostics));
    assert_help(d, "`key: value`");

    let site = Site::new().file("content/未闭合.md", "---\ntitle: 未闭合\n\n正文\n");
    let o = site.check();
    let d = one(&o, "unterminated-front-matter", "content/未闭合.md");
    assert_at(d, "content/未闭合.md", 1, 1);
    assert_eq!(d.message, "front matter opened with `---` is never closed");

    // A thematic break at the top of a page without front matter stays one.
    let site = Site::new().file("content/线.md", "---\n\n正文\n\n---\n");
    let o = site.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    assert!(page_body(&site, "xian/index.html").contains("<hr />\n<p>正文</p>"));
}

#[test]
fn an_allowed_iframe_keeps_nothing_but_its_address_and_title() {
    let md = "+++\ntitle = \"坏视频\"\n+++\n\n<iframe src=\"https://www.youtube.com/embed/x?a=1&quot;onload=&quot;alert(1)\" srcdoc=\"<script>alert(2)</script>\" title=\"<b>t</b>\" allow=\"camera\"></iframe>\n\n<span data-qunce-embed=\"7\"></span><span data-qunce-embed=\"0\"></span>\n";
    let site = Site::new().file("content/坏视频.md", md);
    let o = site.build_ok();
    assert_clean(&o);
    let body = page_body(&site, "huai-shi-pin/index.html");
    let frame = "<iframe class=\"embed\" src=\"https://www.youtube.com/embed/x?a=1&amp;quot;onload=&amp;quot;alert(1)\" title=\"&lt;b&gt;t&lt;/b&gt;\" sandbox=\"allow-scripts allow-same-origin allow-presentation\" loading=\"lazy\" referrerpolicy=\"strict-origin-when-cross-origin\" allowfullscreen></iframe>";
    assert!(body.contains(frame), "{body}");
    // A mark typed by the writer only repeats an allowed embed, or is nothing.
    assert_eq!(body.matches(frame).count(), 2, "{body}");
    assert!(
        !body.contains("srcdoc") && !body.contains("camera"),
        "{body}"
    );
    assert!(!body.contains("data-qunce-embed"), "{body}");
}
