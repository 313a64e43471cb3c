//! Old URLs that keep working after a rename: `aliases` entries starting with `/` and the
//! `[redirects]` table of site.toml become redirect pages (meta refresh + canonical link, no
//! script), and a redirect that would replace a real page is an error naming both.

mod common;

use common::*;
use qunce::Status;

const ROLE: &str = "+++\ntitle = \"班长\"\nkind = \"role\"\naliases = [\"monitor\", \"/roles/monitor/\", \"/旧/班长.html\"]\nresponsibilities = [\"主持开营\"]\n+++\n\n## 职责\n\n每天提醒大家。\n";

fn with_old_urls() -> Site {
    handbook().file("content/roles/班长.md", ROLE).file(
        "content/_index.md",
        "+++\ntitle = \"首页\"\n+++\n\n从 [[同好]] 开始，问 [[monitor]]。\n",
    )
}

#[test]
fn slash_aliases_become_redirect_pages_and_wiki_aliases_keep_working() {
    let site = with_old_urls();
    let o = site.build_ok();
    let rest = besides_placeholder(&o);
    assert!(rest.is_empty(), "{}", human(&rest));
    assert_eq!(
        site.read("roles/monitor/index.html"),
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>班长</title>\n\
         <link rel=\"canonical\" href=\"https://example.org/roles/ban-zhang/\">\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url=../../roles/ban-zhang/\">\n</head>\n\
         <body>\n<p>本页已移至 <a href=\"../../roles/ban-zhang/\">班长</a></p>\n</body>\n</html>\n"
    );
    // A file name as old URL, in Chinese: the file is written under its decoded name.
    let old = site.read("旧/班长.html");
    assert!(
        old.contains("<meta http-equiv=\"refresh\" content=\"0; url=../roles/ban-zhang/\">"),
        "{old}"
    );
    // The plain alias still resolves as a wiki link.
    let home = body_of(&site.read("index.html")).to_string();
    assert!(
        home.contains("<a class=\"internal\" href=\"/roles/ban-zhang/\">班长</a>"),
        "{home}"
    );
    // Redirects are not pages: not in the sitemap.
    assert!(!site.read("sitemap.xml").contains("monitor"));
}

#[test]
fn redirects_are_relative_under_a_sub_path_and_offline() {
    let site = with_old_urls();
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org/handbook\"\n",
    );
    site.build_ok();
    let page = site.read("roles/monitor/index.html");
    assert!(
        page.contains(
            "<link rel=\"canonical\" href=\"https://example.org/handbook/roles/ban-zhang/\">"
        ),
        "{page}"
    );
    assert!(page.contains("url=../../roles/ban-zhang/\""), "{page}");
    site.build_with(|o| o.offline = true);
    let page = site.read("roles/monitor/index.html");
    assert!(
        page.contains("content=\"0; url=../../roles/ban-zhang/index.html\""),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"../../roles/ban-zhang/index.html\">"),
        "{page}"
    );
}

#[test]
fn a_redirects_table_moves_whole_sections() {
    let toml = format!(
        "{SITE_TOML}[redirects]\n\"/old-rituals/\" = \"/rituals/\"\n\"/guide.html\" = \"/roles/ban-zhang/\"\n"
    );
    let site = handbook().file("site.toml", &toml);
    let o = site.build_ok();
    let rest = besides_placeholder(&o);
    assert!(rest.is_empty(), "{}", human(&rest));
    let section = site.read("old-rituals/index.html");
    assert!(section.contains("url=../rituals/\""), "{section}");
    let page = site.read("old-rituals/kai-ying-yi-shi/index.html");
    assert!(
        page.contains("url=../../rituals/kai-ying-yi-shi/\""),
        "{page}"
    );
    assert!(page.contains("<title>开营仪式</title>"), "{page}");
    let guide = site.read("guide.html");
    assert!(guide.contains("url=roles/ban-zhang/\""), "{guide}");
    let redirects: Vec<String> = site
        .output_files()
        .into_iter()
        .filter(|f| f.starts_with("old-rituals/"))
        .collect();
    assert_eq!(
        redirects,
        [
            "old-rituals/index.html",
            "old-rituals/kai-ying-yi-shi/index.html"
        ]
    );
}

#[test]
fn a_redirect_onto_a_real_page_is_an_error_naming_both() {
    let role = ROLE.replace("\"/roles/monitor/\"", "\"/rituals/kai-ying-yi-shi/\"");
    let site = with_old_urls().file("content/roles/班长.md", &role);
    let o = site.build();
    assert_eq!(o.status, Status::ContentErrors, "{}", human(&o.diagnostics));
    let d = one(&o, "redirect-collision", "content/roles/班长.md");
    let (line, col) = pos(&role, "/rituals/kai-ying-yi-shi/");
    assert_at(d, "content/roles/班长.md", line, col);
    assert_eq!(
        d.message,
        "redirect from `/rituals/kai-ying-yi-shi/` (an alias of content/roles/班长.md) collides with the page content/rituals/开营仪式.md"
    );
    assert_help(d, "remove the redirect");
    // Nothing is written.
    assert!(!site.exists("index.html"));
}

#[test]
fn redirects_table_errors_point_at_site_toml() {
    let toml = format!(
        "{SITE_TOML}[redirects]\n\"/matrix/\" = \"/rituals/\"\n\"/x/\" = \"/ritual/\"\n\"/roles/monitor/\" = \"/rituals/\"\nbad = \"/rituals/\"\n"
    );
    let site = with_old_urls().file("site.toml", &toml);
    let o = site.check();
    assert_eq!(o.status, Status::ConfigErrors, "{}", human(&o.diagnostics));
    let errs = errors(&o);
    assert_eq!(errs.len(), 1, "{}", human(&o.diagnostics));
    let (l, c) = pos(&toml, "bad");
    assert_at(errs[0], "site.toml", l, c);
    assert_eq!(
        errs[0].message,
        "`bad` in [redirects] is not a path of this site"
    );

    let toml = toml.replace("bad = \"/rituals/\"\n", "");
    site.write("site.toml", &toml);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors, "{}", human(&o.diagnostics));
    let errs = errors(&o);
    let summary: Vec<(usize, &str)> = errs.iter().map(|d| (d.line, d.message.as_str())).collect();
    let line = |n: &str| pos(&toml, n).0;
    assert_eq!(
        summary,
        [
            (
                line("\"/matrix/\""),
                "redirect from `/matrix/` ([redirects] in site.toml:5) collides with the generated file /matrix/index.html"
            ),
            (
                line("\"/x/\""),
                "redirect target `/ritual/` is not a page of this site"
            ),
            (
                line("\"/roles/monitor/\""),
                "`/roles/monitor/` redirects both to content/roles/班长.md (an alias of content/roles/班长.md) and to content/rituals/_index.md ([redirects] in site.toml:7)"
            ),
        ],
        "{}",
        human(&o.diagnostics)
    );
    assert_eq!(errs[1].help.as_deref(), Some("did you mean \"/rituals/\"?"));
    assert!(errs.iter().all(|d| d.file == "site.toml"));
}
