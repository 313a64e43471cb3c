//! What `qunce::build` writes: URLs, links, headings, relations, generated files, sanitizing,
//! checklists, drafts and ignored files, atomic output, and robustness on hostile input.

mod common;

use std::time::Duration;

use common::*;
use qunce::Status;

// ---------------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------------

#[test]
fn pretty_urls_from_chinese_file_names() {
    let site = handbook();
    site.build_ok();
    for path in [
        "index.html",
        "rituals/kai-ying-yi-shi/index.html",
        "roles/ban-zhang/index.html",
        "elements/tong-hao/index.html",
        "checklists/kai-ying-zhun-bei/index.html",
    ] {
        assert!(
            site.exists(path),
            "{path} missing; got {:?}",
            site.output_files()
        );
    }
    // No page is written under its source name.
    assert!(
        !site.output_files().iter().any(|f| f.contains("开营仪式")),
        "{:?}",
        site.output_files()
    );
}

#[test]
fn slug_override_changes_the_url_and_links_follow() {
    let site = handbook()
        .file(
            "content/rituals/破冰.md",
            "+++\ntitle = \"破冰\"\nkind = \"ritual\"\nslug = \"ice-breaker\"\nroles = [\"班长\"]\n+++\n",
        )
        .file(
            "content/guides/入门.md",
            "+++\ntitle = \"入门\"\n+++\n\n先看 [[破冰]]。\n",
        );
    site.build_ok();
    assert!(site.exists("rituals/ice-breaker/index.html"));
    assert!(!site.exists("rituals/po-bing/index.html"));
    let body = body_of(&site.read("guides/ru-men/index.html")).to_string();
    assert!(
        body.contains("<a class=\"internal\" href=\"/rituals/ice-breaker/\">破冰</a>"),
        "{body}"
    );
}

fn assert_all_site_urls_under(site: &Site, prefix: &str) {
    let mut checked = 0;
    for (file, bytes) in snapshot(&site.public()) {
        if !file.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).expect("utf-8 html");
        for attr in ["href", "src", "action"] {
            for v in attr_values(&html, attr) {
                if v.starts_with('/') && !v.starts_with("//") {
                    checked += 1;
                    assert!(
                        v.starts_with(prefix),
                        "{file}: {attr}=\"{v}\" does not start with {prefix}"
                    );
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} site-relative URLs found");
}

#[test]
fn sub_path_base_url_prefixes_every_link_and_asset() {
    let site = handbook().file(
        "content/guides/入门.md",
        "+++\ntitle = \"入门\"\n+++\n\n[[班长]] 和 [开营](../rituals/开营仪式.md)。\n",
    );
    site.build_with(|o| o.base_url = Some("https://example.org/handbook".into()));
    assert_all_site_urls_under(&site, "/handbook/");
    let html = site.read("guides/ru-men/index.html");
    let body = body_of(&html);
    assert!(
        body.contains("href=\"/handbook/roles/ban-zhang/\""),
        "{body}"
    );
    assert!(
        body.contains("href=\"/handbook/rituals/kai-ying-yi-shi/\""),
        "{body}"
    );
    assert!(
        html.contains("/handbook/style.css"),
        "stylesheet under the sub-path"
    );
    let sitemap = site.read("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.org/handbook/rituals/kai-ying-yi-shi/</loc>"),
        "{sitemap}"
    );
}

#[test]
fn sub_path_base_url_from_site_toml() {
    let site = handbook().file(
        "site.toml",
        "title = \"测试手册\"\nbase_url = \"https://example.org/handbook/\"\n",
    );
    site.build_ok();
    assert_all_site_urls_under(&site, "/handbook/");
}

// ---------------------------------------------------------------------------------------------
// Headings and table of contents
// ---------------------------------------------------------------------------------------------

#[test]
fn heading_ids_keep_chinese_are_unique_overridable_and_listed_in_the_toc() {
    let site = handbook().file(
        "content/guides/流程说明.md",
        "+++\ntitle = \"流程说明\"\n+++\n\n## 流程\n\n一。\n\n## 流程\n\n二。\n\n## 准备工作 {#custom}\n\n### 细节 Details\n\n三。\n",
    );
    site.build_ok();
    let html = site.read("guides/liu-cheng-shuo-ming/index.html");
    let body = body_of(&html);
    assert!(body.contains("<h2 id=\"流程\">"), "{body}");
    assert!(body.contains("<h2 id=\"custom\">"), "{body}");
    assert!(body.contains("<h3 id=\"细节-details\">"), "{body}");
    let ids: Vec<&str> = attr_values(body, "id");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "duplicate ids: {ids:?}");
    assert_eq!(
        ids.iter().filter(|i| i.starts_with("流程")).count(),
        2,
        "{ids:?}"
    );
    assert!(!body.contains("{#custom}"), "{body}");
    // The TOC lists every h2/h3 by id.
    let main = main_of(&html);
    let toc_start = main.find("class=\"toc").expect("a table of contents");
    let toc = &main[toc_start..];
    let toc = &toc[..toc
        .find("</details>")
        .or(toc.find("</nav>"))
        .unwrap_or(toc.len())];
    for id in &ids {
        assert!(
            toc.contains(&format!("href=\"#{id}\"")),
            "toc lacks #{id}: {toc}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------------------

#[test]
fn wiki_links_by_slug_path_title_and_alias_resolve_to_the_same_url() {
    let site = handbook().file(
        "content/guides/入门.md",
        "+++\ntitle = \"入门\"\n+++\n\n- [[班长]]\n- [[ban-zhang]]\n- [[roles/班长]]\n- [[monitor]]\n- [[roles/ban-zhang]]\n",
    );
    let o = site.build_ok();
    assert!(errors(&o).is_empty());
    let html = site.read("guides/ru-men/index.html");
    let body = body_of(&html);
    let hrefs: Vec<&str> = attr_values(body, "href")
        .into_iter()
        .filter(|h| !h.starts_with('#'))
        .collect();
    assert_eq!(hrefs, ["/roles/ban-zhang/"; 5], "{body}");
    // `[[x]]` shows the page's title.
    assert_eq!(
        body.matches("<a class=\"internal\" href=\"/roles/ban-zhang/\">班长</a>")
            .count(),
        5,
        "{body}"
    );
}

#[test]
fn wiki_link_text_and_heading_anchor() {
    let site = handbook().file(
        "content/guides/入门.md",
        "+++\ntitle = \"入门\"\n+++\n\n找 [[班长|我们的班长]]，看 [[班长#职责]] 和 [[班长#职责|职责清单]]。\n",
    );
    site.build_ok();
    let body = body_of(&site.read("guides/ru-men/index.html")).to_string();
    assert!(
        body.contains("<a class=\"internal\" href=\"/roles/ban-zhang/\">我们的班长</a>"),
        "{body}"
    );
    assert!(body.contains("href=\"/roles/ban-zhang/#职责\""), "{body}");
    assert!(body.contains(">职责清单</a>"), "{body}");
}

#[test]
fn markdown_links_to_md_files_are_resolved() {
    let site = handbook().file(
        "content/guides/入门.md",
        "+++\ntitle = \"入门\"\n+++\n\n读 [班长页](../roles/班长.md) 和 [职责](../roles/班长.md#职责)，以及 [站外](https://example.com/a.md)。\n",
    );
    site.build_ok();
    let body = body_of(&site.read("guides/ru-men/index.html")).to_string();
    assert!(
        body.contains("<a class=\"internal\" href=\"/roles/ban-zhang/\">班长页</a>"),
        "{body}"
    );
    assert!(body.contains("href=\"/roles/ban-zhang/#职责\""), "{body}");
    assert!(body.contains("href=\"https://example.com/a.md\""), "{body}");
    assert!(!body.contains(".md\">班长页"), "{body}");
}

#[test]
fn links_in_code_spans_and_blocks_are_never_resolved() {
    let site = handbook().file(
        "content/guides/语法.md",
        "+++\ntitle = \"语法\"\n+++\n\n写 `[[班长]]` 或 `[[不存在]]` 即可链接。\n\n```\n[[班长]]\n[[也不存在]]\n[x](../roles/班长.md)\n```\n\n    [[缩进代码]]\n",
    );
    let o = site.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    assert!(
        with_code(&o, "broken-link").is_empty(),
        "{}",
        human(&o.diagnostics)
    );
    let body = body_of(&site.read("guides/yu-fa/index.html")).to_string();
    assert!(!body.contains("<a "), "{body}");
    assert!(body.contains("<code>[[班长]]</code>"), "{body}");
    assert!(body.contains("[[也不存在]]"), "{body}");
    assert!(body.contains("[[缩进代码]]"), "{body}");
}

// ---------------------------------------------------------------------------------------------
// Backlinks and reverse relations
// ---------------------------------------------------------------------------------------------

#[test]
fn role_page_lists_the_rituals_it_takes_part_in() {
    let site = handbook();
    site.build_ok();
    let html = site.read("roles/ban-zhang/index.html");
    let main = main_of(&html);
    // The role's card, not only its backlinks, lists the ritual.
    let card_start = main.find("role-card").expect("role card");
    let card = &main[card_start..];
    let card = &card[..card.find("</section>").unwrap_or(card.len())];
    assert!(
        card.contains("href=\"/rituals/kai-ying-yi-shi/\""),
        "{card}"
    );
    assert!(card.contains("开营仪式"), "{card}");
}

#[test]
fn element_page_lists_its_rituals() {
    let site = handbook();
    site.build_ok();
    let html = site.read("elements/tong-hao/index.html");
    let main = main_of(&html);
    let article = &main[..main.find("class=\"backlinks\"").unwrap_or(main.len())];
    assert!(
        article.contains("href=\"/rituals/kai-ying-yi-shi/\""),
        "element page does not list its ritual outside backlinks:\n{main}"
    );
}

#[test]
fn ritual_page_lists_checklists_made_for_it() {
    // The ritual does not name the checklist; only the checklist's `for` points at the ritual.
    let site = handbook().file(
        "content/rituals/开营仪式.md",
        "+++\ntitle = \"开营仪式\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"班长\"]\nstage = \"intro\"\n+++\n\n## 流程\n",
    );
    site.build_ok();
    let html = site.read("rituals/kai-ying-yi-shi/index.html");
    let main = main_of(&html);
    let article = &main[..main.find("class=\"backlinks\"").unwrap_or(main.len())];
    assert!(
        article.contains("href=\"/checklists/kai-ying-zhun-bei/\""),
        "ritual page does not list its checklist outside backlinks:\n{main}"
    );
}

#[test]
fn backlinks_list_pages_linking_here() {
    let site = handbook().file(
        "content/guides/入门.md",
        "+++\ntitle = \"入门指南\"\n+++\n\n有事找 [[班长]]。\n",
    );
    site.build_ok();
    let html = site.read("roles/ban-zhang/index.html");
    let main = main_of(&html);
    let start = main.find("class=\"backlinks\"").expect("backlinks section");
    let back = &main[start..];
    let back = &back[..back.find("</aside>").unwrap_or(back.len())];
    assert!(back.contains("href=\"/guides/ru-men/\""), "{back}");
    assert!(back.contains("入门指南"), "{back}");
    // Link fields count as links too; on a role page the rituals it takes part in are in its
    // card, so the backlinks do not list them again.
    let ritual = site.read("checklists/kai-ying-zhun-bei/index.html");
    let ritual_main = main_of(&ritual);
    let from = ritual_main
        .find("class=\"backlinks\"")
        .expect("the checklist's backlinks");
    assert!(
        ritual_main[from..].contains("href=\"/rituals/kai-ying-yi-shi/\""),
        "{ritual_main}"
    );
    assert!(
        !back.contains("href=\"/rituals/kai-ying-yi-shi/\""),
        "{back}"
    );
    let card = &main[..start];
    assert!(
        card.contains("href=\"/rituals/kai-ying-yi-shi/\""),
        "{card}"
    );
}

// ---------------------------------------------------------------------------------------------
// Titles, drafts, ignored files, assets, static files
// ---------------------------------------------------------------------------------------------

#[test]
fn title_from_first_heading_or_file_name() {
    let site = handbook()
        .file("content/guides/无题.md", "# 新手上路\n\n正文。\n")
        .file("content/guides/随笔.md", "只有正文，没有标题。\n");
    site.build_ok();
    let html = site.read("guides/wu-ti/index.html");
    assert!(html.contains("<title>新手上路"), "{html}");
    assert!(main_of(&html).contains("<h1>新手上路</h1>"));
    let html = site.read("guides/sui-bi/index.html");
    assert!(html.contains("<title>随笔"), "{html}");
    assert!(main_of(&html).contains("<h1>随笔</h1>"));
}

#[test]
fn drafts_are_excluded_unless_requested() {
    let site = handbook().file(
        "content/guides/草稿.md",
        "+++\ntitle = \"草稿\"\ndraft = true\n+++\n\n还没写完。\n",
    );
    site.build_ok();
    assert!(!site.exists("guides/cao-gao/index.html"));
    assert!(!site.read("sitemap.xml").contains("cao-gao"));
    assert!(!site.read("index.html").contains("cao-gao"));

    let o = site.build_with(|o| o.drafts = true);
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    assert!(site.exists("guides/cao-gao/index.html"));
}

#[test]
fn hidden_underscore_and_editor_temp_files_are_ignored() {
    // Each would be an error (or a page, or a copied file) if it were read.
    let broken = "+++\ntitle = \"坏\n";
    let site = handbook()
        .file("content/guides/.hidden.md", broken)
        .file("content/guides/_private.md", broken)
        .file("content/guides/笔记.md~", broken)
        .file("content/guides/#笔记.md#", broken)
        .file("content/guides/.#笔记.md", broken)
        .file("content/guides/笔记.md.swp", broken)
        .file("content/guides/笔记.md.swx", broken)
        .file("content/guides/4913", broken)
        .file("content/_drafts/草稿.md", broken)
        .file("content/.git/config", broken)
        .file(
            "content/guides/笔记.md",
            "+++\ntitle = \"笔记\"\n+++\n\n[[班长]]\n",
        );
    let o = site.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    assert!(
        o.diagnostics
            .iter()
            .all(|d| !d.file.contains("笔记.md") || d.file == "content/guides/笔记.md"),
        "{}",
        human(&o.diagnostics)
    );
    let files = site.output_files();
    for bad in [
        "hidden", "private", "~", "#", ".swp", ".swx", "4913", "_drafts", ".git", "cao-gao",
    ] {
        assert!(
            !files.iter().any(|f| f.contains(bad)),
            "{bad:?} leaked into the output: {files:?}"
        );
    }
    assert!(site.exists("guides/bi-ji/index.html"));
}

#[test]
fn files_beside_a_page_are_copied_as_assets() {
    let png: &[u8] = b"\x89PNG\r\n\x1a\n fake image bytes \x00\x01\x02";
    let site = handbook()
        .bytes("content/rituals/photo.png", png)
        .file("content/rituals/files/agenda.txt", "议程\n")
        .file(
            "content/rituals/开营仪式.md",
            "+++\ntitle = \"开营仪式\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"班长\"]\nstage = \"intro\"\nchecklist = \"开营准备\"\n+++\n\n![合影](photo.png)\n\n[议程](files/agenda.txt)\n",
        );
    site.build_ok();
    assert_eq!(
        std::fs::read(site.public().join("rituals/photo.png")).expect("asset copied"),
        png
    );
    assert_eq!(site.read("rituals/files/agenda.txt"), "议程\n");
    let body = body_of(&site.read("rituals/kai-ying-yi-shi/index.html")).to_string();
    assert!(body.contains("src=\"/rituals/photo.png\""), "{body}");
    assert!(
        body.contains("href=\"/rituals/files/agenda.txt\""),
        "{body}"
    );
}

#[test]
fn static_folder_is_copied_to_the_output_root() {
    let site = handbook()
        .bytes("static/favicon.ico", b"\x00\x00\x01\x00icon")
        .file(
            "static/img/logo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        );
    site.build_ok();
    assert_eq!(
        std::fs::read(site.public().join("favicon.ico")).expect("favicon"),
        b"\x00\x00\x01\x00icon"
    );
    assert_eq!(
        site.read("img/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
    );
    // The embedded theme's own files are there too.
    assert!(site.exists("style.css"));
}

#[test]
fn sitemap_robots_and_404() {
    let site = handbook();
    site.build_ok();
    let sitemap = site.read("sitemap.xml");
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| &s[..s.find("</loc>").expect("closed loc")])
        .collect();
    assert!(locs.len() >= 5, "{sitemap}");
    for loc in &locs {
        assert!(
            loc.starts_with("https://example.org/"),
            "not absolute: {loc}"
        );
    }
    for url in [
        "https://example.org/",
        "https://example.org/rituals/kai-ying-yi-shi/",
        "https://example.org/roles/ban-zhang/",
    ] {
        assert!(locs.contains(&url), "{url} missing from {locs:?}");
    }
    let robots = site.read("robots.txt");
    assert!(robots.contains("User-agent"), "{robots}");
    assert!(
        robots.contains("Sitemap: https://example.org/sitemap.xml"),
        "{robots}"
    );
    let not_found = site.read("404.html");
    assert!(not_found.contains("<html"), "{not_found}");
}

// ---------------------------------------------------------------------------------------------
// Raw HTML
// ---------------------------------------------------------------------------------------------

const HOSTILE: &str = "+++\ntitle = \"嵌入\"\n+++\n\n<script>window.QUNCE_XSS = 1</script>\n\n<iframe src=\"https://evil.example/frame\"></iframe>\n\n<img src=\"https://img.example.net/x.png\" onerror=\"QUNCE_ONERROR()\">\n\n<a href=\"javascript:QUNCE_JS()\">点我</a> 和 [也点我](javascript:QUNCE_MD())\n\n<p onclick=\"QUNCE_CLICK()\">安全的段落</p>\n\n<div onmouseover=\"QUNCE_OVER()\"><b>粗体</b></div>\n\n[[班长]]\n";

#[test]
fn raw_html_is_sanitized_by_default() {
    let site = handbook().file("content/guides/嵌入.md", HOSTILE);
    let o = site.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let html = site.read("guides/qian-ru/index.html");
    let body = body_of(&html);
    assert!(!body.contains("<script"), "{body}");
    assert!(!html.contains("<iframe"), "{body}");
    assert!(!html.contains("onerror"), "{body}");
    assert!(!html.contains("onclick"), "{body}");
    assert!(!html.contains("onmouseover"), "{body}");
    assert!(!html.contains("javascript:"), "{body}");
    // Nothing of it anywhere in the output (previews, search data, …).
    for (file, bytes) in snapshot(&site.public()) {
        let text = String::from_utf8_lossy(&bytes);
        for marker in [
            "QUNCE_XSS",
            "evil.example",
            "QUNCE_ONERROR",
            "QUNCE_JS",
            "QUNCE_MD",
            "QUNCE_CLICK",
            "QUNCE_OVER",
        ] {
            assert!(!text.contains(marker), "{marker} found in {file}");
        }
    }
    // Harmless markup and qunce's own links survive.
    assert!(body.contains("安全的段落"), "{body}");
    assert!(body.contains("<b>粗体</b>"), "{body}");
    assert!(
        body.contains("<a class=\"internal\" href=\"/roles/ban-zhang/\">班长</a>"),
        "{body}"
    );
}

#[test]
fn raw_html_passes_through_when_allowed() {
    let site = handbook()
        .file(
            "site.toml",
            &format!("{SITE_TOML}\n[markdown]\nraw_html = \"allow\"\n"),
        )
        .file("content/guides/嵌入.md", HOSTILE);
    site.build_ok();
    let body = body_of(&site.read("guides/qian-ru/index.html")).to_string();
    assert!(
        body.contains("<script>window.QUNCE_XSS = 1</script>"),
        "{body}"
    );
    assert!(
        body.contains("<iframe src=\"https://evil.example/frame\"></iframe>"),
        "{body}"
    );
    assert!(body.contains("onclick=\"QUNCE_CLICK()\""), "{body}");
}

// ---------------------------------------------------------------------------------------------
// Checklists
// ---------------------------------------------------------------------------------------------

/// (data-task-id, text) of every task item.
fn tasks(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("data-task-id=\"") {
        rest = &rest[i + "data-task-id=\"".len()..];
        let id = rest[..rest.find('"').expect("closed attr")].to_string();
        let item = &rest[..rest.find("</li>").expect("closed item")];
        let input = item.find("<input").expect("checkbox");
        let after = &item[input..];
        let text = after[after.find('>').expect("input end") + 1..].trim();
        out.push((id, text.to_string()));
    }
    out
}

#[test]
fn task_items_have_stable_ids() {
    let site = handbook().file(
        "content/checklists/开营准备.md",
        "+++\ntitle = \"开营准备\"\nkind = \"checklist\"\nfor = [\"开营仪式\"]\n+++\n\n- [ ] 写好欢迎词 {#welcome}\n- [ ] 准备自我介绍模板\n- [x] 建群\n",
    );
    site.build_ok();
    let html = site.read("checklists/kai-ying-zhun-bei/index.html");
    let before = tasks(body_of(&html));
    assert_eq!(before.len(), 3, "{html}");
    assert_eq!(before[0], ("welcome".into(), "写好欢迎词".into()));
    assert!(!body_of(&html).contains("{#welcome}"));
    let mut ids: Vec<&str> = before.iter().map(|(i, _)| i.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "ids are unique: {before:?}");
    assert!(
        body_of(&html).contains("checked"),
        "the done item is ticked"
    );

    // Rebuilding gives the same ids; so does inserting and reordering items (ids are not
    // positions).
    site.build_ok();
    let html = site.read("checklists/kai-ying-zhun-bei/index.html");
    assert_eq!(tasks(body_of(&html)), before);
    site.write(
        "content/checklists/开营准备.md",
        "+++\ntitle = \"开营准备\"\nkind = \"checklist\"\nfor = [\"开营仪式\"]\n+++\n\n- [ ] 先拉个群\n- [x] 建群\n- [ ] 准备自我介绍模板\n- [ ] 写好欢迎词 {#welcome}\n",
    );
    site.build_ok();
    let after = tasks(body_of(
        &site.read("checklists/kai-ying-zhun-bei/index.html"),
    ));
    assert_eq!(after.len(), 4);
    for (id, text) in &before {
        assert!(
            after.iter().any(|(i, t)| i == id && t == text),
            "{text} changed id: before {before:?}, after {after:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Atomic output
// ---------------------------------------------------------------------------------------------

fn root_entries(site: &Site) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(site.root())
        .expect("site root")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn failed_build_leaves_the_previous_output_untouched() {
    let site = handbook();
    site.build_ok();
    let before = snapshot(&site.public());
    assert!(before.len() > 5);
    let entries = root_entries(&site);

    // Break a page: the library build fails and changes nothing.
    site.write(
        "content/roles/班长.md",
        "+++\ntitle = \"班长\"\nkind = \"role\"\n\n## 职责\n",
    );
    site.write(
        "content/guides/新页.md",
        "+++\ntitle = \"新页\"\n+++\n\n[[班长]]\n",
    );
    let o = site.build();
    assert_eq!(o.status, Status::ContentErrors);
    assert!(
        snapshot(&site.public()) == before,
        "public/ changed after a failed build"
    );
    assert_eq!(root_entries(&site), entries, "staging folders left behind");

    // The same through the binary: exit 1, nothing changed.
    site.run(&["build"]).expect_code(1);
    assert!(
        snapshot(&site.public()) == before,
        "public/ changed after a failed build"
    );
    assert_eq!(root_entries(&site), entries, "staging folders left behind");

    // Fixing it replaces the output as a whole.
    site.write(
        "content/roles/班长.md",
        "+++\ntitle = \"班长\"\nkind = \"role\"\n+++\n\n## 职责\n",
    );
    site.build_ok();
    assert!(site.exists("guides/xin-ye/index.html"));
    assert_eq!(root_entries(&site), entries);
}

// ---------------------------------------------------------------------------------------------
// Robustness: no panic, no hang
// ---------------------------------------------------------------------------------------------

/// Far above a normal run of any of these sites (a second or so in a debug build); only a hang
/// or a quadratic blow-up reaches it.
const HANG_GUARD: Duration = Duration::from_secs(20);

fn assert_no_crash(site: &Site, run: &Run) {
    assert!(
        matches!(run.code, Some(0 | 1)),
        "crashed (exit {:?}) on {}:\n{}",
        run.code,
        site.root().display(),
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

fn guarded_build(site: &Site, limit: Duration) -> Run {
    run_bin_guarded(
        &["--root", site.root().to_str().expect("utf-8"), "build"],
        limit,
    )
}

#[test]
fn empty_files_build() {
    let site = handbook()
        .file("content/guides/_index.md", "")
        .file("content/guides/空.md", "")
        .file("content/guides/空白.md", "\n\n   \n")
        .file("content/guides/只有头.md", "+++\n+++\n")
        .file("static/empty.txt", "")
        .file("content/rituals/empty.txt", "");
    let o = site.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    assert!(site.exists("guides/kong/index.html"));
    assert!(site.exists("empty.txt"));
    let run = guarded_build(&site, HANG_GUARD);
    assert_no_crash(&site, &run);
    assert_eq!(run.code, Some(0), "{}", run.stderr);

    // An empty site.toml and an empty content/ folder are a (tiny) site too.
    let empty = Site::bare().file("site.toml", "");
    std::fs::create_dir_all(empty.path("content")).expect("content/");
    let run = guarded_build(&empty, HANG_GUARD);
    assert_no_crash(&empty, &run);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn a_20_mb_page_builds() {
    // 20 MB with QUNCE_BIG_INPUTS=1 (.ci/run); 4 MB in a plain `cargo test`, where a busy
    // machine made the debug build of 20 MB outlast the hang guard.
    let mb: usize = if std::env::var_os("QUNCE_BIG_INPUTS").is_some() {
        20
    } else {
        4
    };
    let mut text = String::with_capacity((mb + 1) << 20);
    text.push_str("+++\ntitle = \"巨页\"\n+++\n\n");
    let mut n = 0;
    while text.len() < mb << 20 {
        n += 1;
        text.push_str(&format!(
            "## 第 {n} 节\n\n这是一段很长的中文段落，用来测试 **很大** 的页面，包括 `代码` 和 [[班长]] 链接。Some English words too.\n\n- [ ] 任务 {n}\n- 普通条目\n\n> 引用 {n}\n\n"
        ));
    }
    let site = handbook().file("content/guides/巨页.md", &text);
    drop(text);
    // About 6 s in a debug build; the limit is 80 s.
    let run = guarded_build(&site, 4 * HANG_GUARD);
    assert_no_crash(&site, &run);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let size = std::fs::metadata(site.public().join("guides/ju-ye/index.html"))
        .expect("page written")
        .len();
    assert!(size > (mb as u64) << 20, "{size}");
}

/// Builds a site holding one page with `body` through the binary, under the hang guard.
fn build_one_page(body: &str) -> (Site, Run) {
    let site = handbook().file("content/guides/深.md", &format!("# 深\n\n{body}"));
    let run = guarded_build(&site, HANG_GUARD);
    assert_no_crash(&site, &run);
    (site, run)
}

const DEPTH: usize = 100_000;

#[test]
fn deeply_nested_blockquotes_do_not_crash() {
    let (site, run) = build_one_page(&format!("{} 深处\n", ">".repeat(DEPTH)));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(site.exists("guides/shen/index.html"));
    let (_, run) = build_one_page(&format!("{}\n", "> ".repeat(DEPTH)));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn deeply_nested_lists_do_not_crash_or_hang() {
    let (site, run) = build_one_page(&format!("{}深处\n", "- ".repeat(DEPTH)));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(site.exists("guides/shen/index.html"));
}

#[test]
fn deeply_indented_lists_and_mixed_nesting_do_not_crash() {
    let indented: String = (0..2_000)
        .map(|i| format!("{}- 第 {i} 层\n", "  ".repeat(i)))
        .collect();
    let (_, run) = build_one_page(&indented);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let (_, run) = build_one_page(&format!("{}深处\n", "> 1. ".repeat(DEPTH / 4)));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn deeply_nested_raw_html_does_not_hang() {
    let (_, run) = build_one_page(&format!("{}x\n", "<div>".repeat(DEPTH)));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn symlink_loops_in_content_do_not_hang() {
    use std::os::unix::fs::symlink;
    let site = handbook();
    symlink(site.path("content"), site.path("content/loop")).expect("dir loop");
    symlink(site.path("content/roles"), site.path("content/roles/self")).expect("dir loop 2");
    symlink(site.path("content/b.md"), site.path("content/a.md")).expect("file loop a");
    symlink(site.path("content/a.md"), site.path("content/b.md")).expect("file loop b");
    let run = guarded_build(&site, HANG_GUARD);
    assert_no_crash(&site, &run);
    let o = site.check();
    assert_ne!(o.status, Status::ConfigErrors, "{}", human(&o.diagnostics));
}

/// A section split into chapters: a page's sidebar lists its own chapter's pages and only the
/// links of the other chapters, so no page grows with the number of chapters.
#[test]
fn sidebar_lists_only_the_current_chapters_pages() {
    let site = Site::new()
        .file("content/guides/_index.md", "+++\ntitle = \"指南\"\n+++\n")
        .file("content/guides/a/_index.md", "+++\ntitle = \"甲章\"\n+++\n")
        .file("content/guides/a/one.md", "+++\ntitle = \"甲一\"\n+++\n")
        .file("content/guides/b/_index.md", "+++\ntitle = \"乙章\"\n+++\n")
        .file("content/guides/b/two.md", "+++\ntitle = \"乙二\"\n+++\n");
    site.build_ok();
    let sidebar = |path: &str| {
        let html = site.read(path);
        let start = html.find("<nav id=\"sidebar\"").expect("sidebar");
        let end = start + html[start..].find("</nav>").expect("sidebar end");
        html[start..end].to_string()
    };
    let one = sidebar("guides/a/one/index.html");
    assert!(
        one.contains("href=\"/guides/a/one/\" aria-current=\"page\">甲一</a>"),
        "{one}"
    );
    assert!(one.contains("href=\"/guides/b/\">乙章</a>"), "{one}");
    assert!(!one.contains("乙二"), "{one}");
    let two = sidebar("guides/b/two/index.html");
    assert!(two.contains("乙二") && !two.contains("甲一"), "{two}");
    // The section's own page opens no chapter.
    let top = sidebar("guides/index.html");
    assert!(!top.contains("甲一") && !top.contains("乙二"), "{top}");
}
