//! The search index `qunce build` writes (its files, terms, pinyin keys and postings) and the
//! offline build (relative links ending in `index.html`). What readers get from the index in a
//! browser is tested in `tests/browser_search.rs`.

mod common;

use std::collections::BTreeMap;

use common::*;
use qunce::search::format::decode_postings;
use qunce::search::{Weights, bucket};

/// The `(terms, surfaces)` script of the shard holding `term`, and the shard count.
fn shard_with(site: &Site, term: &str) -> String {
    let manifest = site.read("search/index.js");
    let n: u32 = manifest
        .split("\"n\":")
        .nth(1)
        .and_then(|r| r.split([',', '}']).next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no shard count in {manifest}"));
    let shard = u32::from(bucket(term)) / (1024 / n);
    site.read(&format!("search/s{shard}.js"))
}

/// The decoded postings of `term`, or None when the index lacks it.
fn postings(site: &Site, term: &str) -> Option<Vec<(u32, u8)>> {
    let shard = shard_with(site, term);
    let key = format!("{}:\"", serde_json::to_string(term).unwrap());
    let at = shard.find(&key)? + key.len();
    let end = shard[at..].find('"')? + at;
    Some(decode_postings(&shard[at..end]))
}

/// The page id of the page at a site-relative path, from the result cards.
fn doc_id(site: &Site, path: &str) -> u32 {
    let needle = format!("\"u\":\"{path}\"");
    (0..200)
        .find(|i| {
            site.exists(&format!("search/f/{i}.js"))
                && site.read(&format!("search/f/{i}.js")).contains(&needle)
        })
        .unwrap_or_else(|| panic!("no card for {path}")) as u32
}

#[test]
fn index_holds_titles_body_words_and_their_pages() {
    let site = handbook();
    site.build_ok();
    assert!(site.exists("search/index.js"));
    assert!(site.exists("search/index.html"), "the search page");
    let ban_zhang = doc_id(&site, "roles/ban-zhang/");
    let kai_ying = doc_id(&site, "rituals/kai-ying-yi-shi/");

    let p = postings(&site, "班长").expect("班长 is indexed");
    let mine = p
        .iter()
        .find(|(d, _)| *d == ban_zhang)
        .expect("on its own page");
    assert!(mine.1 >= Weights::TITLE, "title weight, got {}", mine.1);
    let other = p
        .iter()
        .find(|(d, _)| *d == kai_ying)
        .expect("in the ritual's body");
    assert!(other.1 < Weights::TITLE, "body weight, got {}", other.1);

    // A word inside running text (欢迎词 in 班长发布欢迎词), English alias stemmed.
    assert!(postings(&site, "欢迎词").is_some() || postings(&site, "欢迎").is_some());
    assert!(postings(&site, "monitor").is_some());
    assert_eq!(postings(&site, "量子"), None);

    let card = site.read(&format!("search/f/{kai_ying}.js"));
    assert!(
        card.starts_with(&format!("qunceSearch.frag({kai_ying},{{")),
        "{card}"
    );
    assert!(
        card.contains("[\"流程\",\"流程\",\"班长发布欢迎词。\"]"),
        "{card}"
    );
}

#[test]
fn titles_are_findable_by_pinyin_and_initials() {
    let site = handbook();
    site.build_ok();
    let ban_zhang = doc_id(&site, "roles/ban-zhang/");
    for key in ["banzhang", "bz"] {
        let p = postings(&site, key).unwrap_or_else(|| panic!("{key} is indexed"));
        assert_eq!(p.iter().map(|(d, _)| *d).collect::<Vec<_>>(), [ban_zhang]);
    }
    let kai_ying = doc_id(&site, "rituals/kai-ying-yi-shi/");
    assert_eq!(postings(&site, "kyys").unwrap()[0].0, kai_ying);
}

#[test]
fn normal_build_keeps_pretty_root_urls() {
    let site = handbook();
    site.build_ok();
    let html = site.read("rituals/kai-ying-yi-shi/index.html");
    assert!(attr_values(&html, "href").contains(&"/roles/ban-zhang/"));
    assert!(html.contains("data-root=\"/\""));
    assert!(!site.exists("previews.js"));
}

/// Every link of an offline page: relative, folders spelled out as `index.html`.
fn assert_offline_links(html: &str, page: &str) {
    for attr in ["href", "src", "action"] {
        for v in attr_values(html, attr) {
            let path = v.split(['?', '#']).next().unwrap_or("");
            let external = v.starts_with("https://") && !v.starts_with("https://example.org");
            assert!(
                external
                    || v.starts_with('#')
                    || v.starts_with("data:")
                    || !v.starts_with('/') && !v.contains("://") && !path.ends_with('/'),
                "{page}: {attr}=\"{v}\" is not a relative file link"
            );
        }
    }
}

#[test]
fn offline_build_links_are_relative_and_end_in_index_html() {
    let site = handbook();
    let out = site.build_with(|o| o.offline = true);
    assert_eq!(out.status, qunce::Status::Ok, "{}", human(&out.diagnostics));
    let html = site.read("rituals/kai-ying-yi-shi/index.html");
    let hrefs = attr_values(&html, "href");
    assert!(
        hrefs.contains(&"../../roles/ban-zhang/index.html"),
        "{hrefs:?}"
    );
    assert!(hrefs.contains(&"../../index.html"), "{hrefs:?}");
    assert!(html.contains("data-root=\"../../\""));
    assert!(html.contains("action=\"../../search/index.html\""));
    for page in site.output_files().iter().filter(|f| f.ends_with(".html")) {
        assert_offline_links(&site.read(page), page);
    }
    assert!(site.read("index.html").contains("data-root=\"./\""));
    assert!(
        site.read("previews.js")
            .contains("\"roles/ban-zhang/\":{\"k\":\"角色\"")
    );
}

#[test]
fn offline_from_site_toml_and_the_command_line() {
    let site = handbook();
    site.write("site.toml", &format!("{SITE_TOML}offline = true\n"));
    site.build_ok();
    assert!(site.read("index.html").contains("data-root=\"./\""));

    let site = handbook();
    site.run(&["build", "--offline"]).expect_code(0);
    assert!(
        site.read("roles/ban-zhang/index.html")
            .contains("data-root=\"../../\"")
    );
}

#[test]
fn offline_must_be_a_boolean() {
    let site = handbook();
    site.write("site.toml", &format!("{SITE_TOML}offline = \"yes\"\n"));
    let out = site.build();
    assert_eq!(out.status, qunce::Status::ConfigErrors);
    let d = one(&out, "config", "site.toml");
    assert_eq!(d.message, "`offline` must be true or false");
    assert_at(d, "site.toml", 4, 11);
}

#[test]
fn search_false_leaves_out_the_index_the_page_and_the_box() {
    let site = handbook();
    site.write("site.toml", &format!("{SITE_TOML}search = false\n"));
    site.build_ok();
    let files = site.output_files();
    assert!(
        !files.iter().any(|f| f.starts_with("search/")),
        "no index and no search page: {:?}",
        files
            .iter()
            .filter(|f| f.starts_with("search/"))
            .collect::<Vec<_>>()
    );
    let page = site.read("roles/ban-zhang/index.html");
    assert!(!page.contains("role=\"search\""), "no search box");
    assert!(!page.contains("search.js"), "no loader");
    assert!(page.contains("班长"), "the page itself is there");

    // The default keeps all three.
    let site = handbook();
    site.build_ok();
    let page = site.read("roles/ban-zhang/index.html");
    assert!(page.contains("role=\"search\"") && page.contains("search.js"));
    assert!(site.exists("search/index.html") && site.exists("search/index.js"));
}

#[test]
fn check_skips_the_index_and_build_makes_it() {
    let site = handbook();
    let opts = qunce::Options {
        root: site.root().to_path_buf(),
        ..Default::default()
    };
    let stages =
        |o: &qunce::Outcome| -> Vec<&str> { o.timings.stages.iter().map(|s| s.name).collect() };
    let checked = qunce::check(&opts);
    assert_eq!(checked.status, qunce::Status::Ok);
    assert!(
        !stages(&checked).contains(&"search"),
        "{:?}",
        stages(&checked)
    );
    assert!(
        stages(&checked).contains(&"render"),
        "check still renders templates"
    );
    let built = qunce::build(&opts);
    assert_eq!(built.status, qunce::Status::Ok);
    // A build makes the pages and the index side by side, as one stage.
    assert!(
        stages(&built).contains(&"render+search"),
        "{:?}",
        stages(&built)
    );
}

#[test]
fn search_must_be_a_boolean() {
    let site = handbook();
    site.write("site.toml", &format!("{SITE_TOML}search = \"no\"\n"));
    let out = site.build();
    assert_eq!(out.status, qunce::Status::ConfigErrors);
    let d = one(&out, "config", "site.toml");
    assert_eq!(d.message, "`search` must be true or false");
    assert_at(d, "site.toml", 4, 10);
}

/// The search files of a compile in memory, by path.
fn search_files(files: Vec<qunce::output::OutputFile>) -> BTreeMap<String, Vec<u8>> {
    files
        .into_iter()
        .filter(|f| f.path.starts_with("search/") && f.path.ends_with(".js"))
        .map(|f| (f.path, f.bytes))
        .collect()
}

// The sink's closure returns what every sink returns: `Result<(), Diagnostic>` (see lib.rs).
#[allow(clippy::result_large_err)]
#[test]
fn streamed_index_equals_the_in_memory_one_in_any_batch_size() {
    let site = handbook();
    let Ok(compiled) = qunce::compile(&site.opts()) else {
        panic!("the handbook compiles");
    };
    let want = search_files(qunce::search::build(&compiled.site));
    assert!(want.len() > 3, "shards, manifest and cards");
    for batch in [1, 7, qunce::search::BATCH] {
        let got = std::sync::Mutex::new(Vec::new());
        let n = qunce::search::build_streamed(&compiled.site, batch, &|f| {
            got.lock().unwrap().push(f);
            Ok(())
        })
        .expect("nothing to fail");
        let got = search_files(got.into_inner().unwrap());
        assert_eq!(n, got.len(), "batch {batch}");
        assert!(got == want, "batch {batch}: streamed files differ");
    }
    // And what `qunce build` writes is that.
    site.build_ok();
    let built: BTreeMap<String, Vec<u8>> = snapshot(&site.public())
        .into_iter()
        .filter(|(p, _)| p.starts_with("search/") && p.ends_with(".js"))
        .collect();
    assert!(built == want, "built search files differ");
}
