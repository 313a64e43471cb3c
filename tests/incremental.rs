//! Incremental rebuilds equal clean builds: random edit sequences over a copy of the bundled
//! handbook, each edit followed by an incremental rebuild that must produce exactly the files
//! (and diagnostics) a clean `qunce::compile` of the same sources produces.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Site, human};
use qunce::incremental::Incremental;

/// A small deterministic generator (xorshift), so a failing sequence can be replayed by seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A copy of the bundled handbook (content/ and site.toml) in a temp folder.
fn bundled() -> Site {
    let site = Site::bare();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    site.write(
        "site.toml",
        &std::fs::read_to_string(repo.join("site.toml")).expect("site.toml"),
    );
    for entry in walkdir::WalkDir::new(repo.join("content")) {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(repo)
                .expect("rel")
                .to_string_lossy()
                .replace('\\', "/");
            site.write_bytes(&rel, &std::fs::read(entry.path()).expect("read"));
        }
    }
    site
}

/// The Markdown files of content/, relative to the root.
fn pages(site: &Site) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(site.path("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            e.path()
                .strip_prefix(site.root())
                .expect("rel")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

/// `text` (a page with front matter) with `paragraph` as its body's new first paragraph: the
/// summary other pages show.
fn with_first_paragraph(text: &str, paragraph: &str) -> String {
    let body_at = text.rfind("+++\n").map_or(0, |i| i + 4);
    format!("{}\n{paragraph}\n{}", &text[..body_at], &text[body_at..])
}

fn stem(rel: &str) -> String {
    Path::new(rel)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// How to undo a breaking edit: files to write back (None: remove).
type Repair = Vec<(String, Option<Vec<u8>>)>;

/// One random edit of the kinds writers make; returns the changed paths as the watcher would,
/// and for edits that break the site (a deleted or renamed page others link to, bad TOML) how
/// to repair it, which the next step does — so most builds succeed and are compared in full.
fn edit(site: &Site, rng: &mut Rng, step: usize) -> (Vec<String>, Repair) {
    let all = pages(site);
    let docs: Vec<&String> = all.iter().filter(|p| !p.ends_with("_index.md")).collect();
    let target = (*rng.pick(&docs)).clone();
    let other = stem(rng.pick(&docs).as_str());
    let text = std::fs::read_to_string(site.path(&target)).unwrap_or_default();
    let keep = |rel: &str| vec![(rel.to_string(), Some(text.clone().into_bytes()))];
    let choice = rng.below(17);
    let changed = match choice {
        // Append a paragraph linking another page (a new backlink there).
        0 => {
            site.write(&target, &format!("{text}\n见 [[{other}]] 第 {step} 条。\n"));
            vec![target]
        }
        // A change at the end of the body only.
        1 => {
            site.write(&target, &format!("{text}\n补充说明 {step}。\n"));
            vec![target]
        }
        // Retitle: every page showing this one changes.
        2 => {
            let new = text.replacen("title = \"", &format!("title = \"新{step}"), 1);
            site.write(&target, &new);
            vec![target]
        }
        // Reorder within the section.
        3 => {
            let kept: Vec<&str> = text
                .lines()
                .filter(|l| !l.starts_with("weight = "))
                .collect();
            let new =
                kept.join("\n")
                    .replacen("+++", &format!("+++\nweight = {}", rng.below(20)), 1);
            site.write(&target, &format!("{new}\n"));
            vec![target]
        }
        // Delete a page (links to it may break), restored next step.
        4 => {
            std::fs::remove_file(site.path(&target)).expect("remove");
            return (vec![target.clone()], keep(&target));
        }
        // A new ritual that takes part of the role graph.
        5 => {
            let rel = format!("content/rituals/新仪式{step}.md");
            let roles: Vec<String> = all
                .iter()
                .filter(|p| p.starts_with("content/roles/") && !p.ends_with("_index.md"))
                .map(|p| stem(p))
                .collect();
            site.write(
                &rel,
                &format!(
                    "+++\ntitle = \"新仪式{step}\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"{}\"]\nstage = \"growth\"\n+++\n\n第一段说明。\n\n## 流程\n\n1. 见 [[{other}]]。\n",
                    rng.pick(&roles)
                ),
            );
            vec![rel]
        }
        // Rename a file (its URL and every link by path change).
        6 => {
            let to = target.replace(".md", &format!("-{step}.md"));
            std::fs::rename(site.path(&target), site.path(&to)).expect("rename");
            let mut repair = keep(&target);
            repair.push((to.clone(), None));
            return (vec![target, to], repair);
        }
        // Change the first paragraph and drop the description: the summary other pages show.
        7 => {
            let text: String = text
                .lines()
                .filter(|l| !l.starts_with("description = "))
                .map(|l| format!("{l}\n"))
                .collect();
            site.write(
                &target,
                &with_first_paragraph(&text, &format!("摘要改为第 {step} 版。")),
            );
            vec![target]
        }
        // Break the front matter (an error build that must not replace the last good one).
        8 => {
            site.write(&target, &text.replacen("+++\n", "+++\ntitle = \n", 1));
            return (vec![target.clone()], keep(&target));
        }
        // A ritual takes on one more role (the role's reverse relations change).
        9 if target.starts_with("content/rituals/") && text.contains("roles = [") => {
            let role = all
                .iter()
                .filter(|p| p.starts_with("content/roles/") && !p.ends_with("_index.md"))
                .map(|p| stem(p))
                .nth(rng.below(5))
                .unwrap_or_default();
            site.write(
                &target,
                &text.replacen("roles = [", &format!("roles = [\"{role}\", "), 1),
            );
            vec![target]
        }
        // site.toml: a new description (every page's head changes).
        10 => {
            let cfg = std::fs::read_to_string(site.path("site.toml")).expect("site.toml");
            let cfg = match cfg.find("description = ") {
                Some(_) => cfg.replacen("description = \"", &format!("description = \"{step}"), 1),
                None => format!("description = \"版本 {step}\"\n{cfg}"),
            };
            site.write("site.toml", &cfg);
            vec!["site.toml".into()]
        }
        // A site template override: a sidebar of our own on every page.
        11 => {
            site.write(
                "templates/sidebar.html",
                &format!("<nav>第 {step} 版 {{{{ sections | length }}}}</nav>\n"),
            );
            vec!["templates/sidebar.html".into()]
        }
        // A new first paragraph, front matter untouched: the summary other pages show changes
        // when there is no description.
        12 => {
            // Pages without a description (edit 7 makes them) show their first paragraph.
            let plain: Vec<&&String> = docs
                .iter()
                .filter(|p| {
                    std::fs::read_to_string(site.path(p))
                        .is_ok_and(|t| !t.contains("description = "))
                })
                .collect();
            let (target, text) = if plain.is_empty() {
                (target, text)
            } else {
                let p = (**rng.pick(&plain)).clone();
                let t = std::fs::read_to_string(site.path(&p)).unwrap_or_default();
                (p, t)
            };
            site.write(
                &target,
                &with_first_paragraph(&text, &format!("新的开头第 {step} 段。")),
            );
            vec![target]
        }
        // A new heading and a link to it from another page (anchors across pages).
        13 => {
            let from = (*rng.pick(&docs)).clone();
            site.write(&target, &format!("{text}\n## 新节{step}\n\n内容。\n"));
            let from_text = std::fs::read_to_string(site.path(&from)).unwrap_or_default();
            let t = stem(&target);
            site.write(&from, &format!("{from_text}\n见 [[{t}#新节{step}]]。\n"));
            let mut changed = vec![target];
            if !changed.contains(&from) {
                changed.push(from);
            }
            changed
        }
        // Drop the body's links: backlinks go, pages may become orphans.
        14 => {
            let body_at = text.rfind("+++\n").map_or(0, |i| i + 4);
            let body = text[body_at..].replace("[[", "《").replace("]]", "》");
            site.write(&target, &format!("{}{body}", &text[..body_at]));
            vec![target]
        }
        // A broken link in the body (an error), repaired next step.
        15 => {
            site.write(&target, &format!("{text}\n见 [[不存在的页面{step}]]。\n"));
            return (vec![target.clone()], keep(&target));
        }
        // Remove the headings of a page others link to by anchor (those links break),
        // repaired next step.
        16 => {
            let (target, text) = match docs.iter().find(|p| p.ends_with("社群生命周期.md")) {
                Some(p) => {
                    let t = std::fs::read_to_string(site.path(p)).unwrap_or_default();
                    ((*p).clone(), t)
                }
                None => (target, text),
            };
            let keep = |rel: &str| vec![(rel.to_string(), Some(text.clone().into_bytes()))];
            let new: String = text
                .lines()
                .map(|l| match l.strip_prefix("## ") {
                    Some(h) => format!("{h}\n"),
                    None => format!("{l}\n"),
                })
                .collect();
            site.write(&target, &new);
            return (vec![target.clone()], keep(&target));
        }
        // Touch without change (editors save unchanged buffers).
        _ => vec![target],
    };
    (changed, Vec::new())
}

/// What a clean build produces: files by path (assets as their source path) and diagnostics.
fn clean(site: &Site) -> (bool, BTreeMap<String, Vec<u8>>, String) {
    let mut opts = site.opts();
    opts.output = None;
    match qunce::compile(&opts) {
        Err(o) => (false, BTreeMap::new(), human(&o.diagnostics)),
        Ok(c) => {
            let ok = !c.has_errors();
            let mut files: BTreeMap<String, Vec<u8>> =
                c.files.into_iter().map(|f| (f.path, f.bytes)).collect();
            for a in &c.site.content.assets {
                files
                    .entry(a.dest.clone())
                    .or_insert_with(|| a.source.to_string_lossy().into_owned().into_bytes());
            }
            (ok, files, human(&c.diagnostics))
        }
    }
}

/// Runs `steps` random edits; returns how many rebuilds took the body-edit fast path.
fn run_sequence(seed: u64, steps: usize) -> usize {
    run_sequence_in(bundled(), seed, steps)
}

/// The bundled handbook plus `n` plain pages (linking nowhere, so a change to one shows only in
/// the sidebar) in the rituals section, so it spans several sidebar blocks
/// (beyond the first 100 pages, which the global `sections` also lists)
/// and edits (new pages, reordering, deletions) move pages between blocks.
fn padded(n: usize) -> Site {
    let site = bundled();
    for k in 0..n {
        site.write(
            &format!("content/rituals/填充仪式{k:03}.md"),
            &format!(
                "+++\ntitle = \"填充仪式{k:03}\"\nkind = \"page\"\n+++\n\n第 {k} 个填充页。\n"
            ),
        );
    }
    site
}

/// [`run_sequence`] over `site`.
fn run_sequence_in(site: Site, seed: u64, steps: usize) -> usize {
    let mut inc = Incremental::new(site.opts());
    let cancel = || false;
    let first = inc.rebuild(&[], &cancel).expect("not cancelled");
    assert!(first.ok, "{}", human(&first.diagnostics));
    let mut rng = Rng(seed);
    let mut log = Vec::new();
    let mut repair: Repair = Vec::new();
    let mut fast = 0;
    for step in 0..steps {
        let changed = if repair.is_empty() {
            let (changed, r) = edit(&site, &mut rng, step);
            repair = r;
            changed
        } else {
            let mut changed = Vec::new();
            for (rel, bytes) in std::mem::take(&mut repair) {
                match bytes {
                    Some(b) => site.write_bytes(&rel, &b),
                    None => std::fs::remove_file(site.path(&rel)).expect("remove"),
                }
                changed.push(rel);
            }
            changed
        };
        log.push(changed.join(" "));
        let r = inc.rebuild(&changed, &cancel).expect("not cancelled");
        if r.timings.has("fast") {
            fast += 1;
        }
        let (ok, expected, diags) = clean(&site);
        let context = format!("seed {seed}, after edits:\n  {}", log.join("\n  "));
        assert_eq!(r.ok, ok, "{context}\n{diags}");
        assert_eq!(human(&r.diagnostics), diags, "{context}");
        if !ok {
            continue;
        }
        let mut got: BTreeMap<String, Vec<u8>> = r
            .files
            .iter()
            .map(|(k, v)| (k.clone(), v.to_vec()))
            .collect();
        for a in r.assets.iter() {
            got.entry(a.dest.clone())
                .or_insert_with(|| a.source.to_string_lossy().into_owned().into_bytes());
        }
        let missing: Vec<&String> = expected.keys().filter(|k| !got.contains_key(*k)).collect();
        let extra: Vec<&String> = got.keys().filter(|k| !expected.contains_key(*k)).collect();
        let differ: Vec<&String> = expected
            .iter()
            .filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v))
            .map(|(k, _)| k)
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty() && differ.is_empty(),
            "{context}\nmissing {missing:?}\nextra {extra:?}\ndiffer {differ:?}"
        );
    }
    fast
}

#[test]
fn random_edit_sequences_equal_clean_builds() {
    let mut fast = 0;
    for seed in [
        0x9e37_79b9_7f4a_7c15,
        0x2545_f491_4f6c_dd1d,
        0xdead_beef_cafe_f00d,
        0x0123_4567_89ab_cdef,
    ] {
        fast += run_sequence(seed, 30);
    }
    // Both paths must have been compared with clean builds, not just the general one.
    assert!(fast >= 20, "only {fast} rebuilds took the fast path");
}

#[test]
fn random_edit_sequences_over_sidebar_blocks_equal_clean_builds() {
    for seed in [0x51de_ba12_b10c_0001, 0x0ddb_a11c_0ffe_e002] {
        run_sequence_in(padded(130), seed, 20);
    }
}

#[test]
fn a_retitle_updates_the_sidebar_of_its_whole_block() {
    let site = padded(130);
    let mut inc = Incremental::new(site.opts());
    let cancel = || false;
    assert!(inc.rebuild(&[], &cancel).expect("not cancelled").ok);
    // A page beyond the 100 pages the global `sections` lists keeps its place but not its
    // title: its block's sidebar changes, on pages that show nothing else of it.
    let rel = "content/rituals/填充仪式120.md";
    let text = std::fs::read_to_string(site.path(rel)).expect("filler");
    site.write(
        rel,
        &text.replace("title = \"填充仪式120\"", "title = \"填充仪式120改\""),
    );
    let r = inc
        .rebuild(&[rel.to_string()], &cancel)
        .expect("not cancelled");
    let (ok, expected, diags) = clean(&site);
    assert!(r.ok && ok, "{diags}");
    let differ: Vec<&String> = expected
        .iter()
        .filter(|(k, v)| r.files.get(k.as_str()).is_some_and(|g| g[..] != v[..]))
        .map(|(k, _)| k)
        .collect();
    assert!(differ.is_empty(), "stale pages: {differ:?}");
    let shown = expected
        .values()
        .filter(|v| String::from_utf8_lossy(v).contains("填充仪式120改</a>"))
        .count();
    assert!(
        shown > 3,
        "the new title is in its block's sidebar ({shown} pages)"
    );
}

#[test]
fn a_body_edit_renders_one_page() {
    let site = bundled();
    let mut inc = Incremental::new(site.opts());
    let cancel = || false;
    let first = inc.rebuild(&[], &cancel).expect("first");
    assert!(first.ok);
    assert_eq!(first.rendered, first.pages);
    let rel = "content/rituals/破冰.md";
    let text = std::fs::read_to_string(site.path(rel)).expect("read");
    site.write(rel, &format!("{text}\n最后补一句。\n"));
    let r = inc.rebuild(&[rel.to_string()], &cancel).expect("second");
    assert!(r.ok, "{}", human(&r.diagnostics));
    assert_eq!(r.rendered, 1, "only 破冰 itself");
    assert!(r.timings.has("fast"), "a body edit takes the fast path");
    assert!(
        r.changed
            .contains(&"rituals/po-bing/index.html".to_string()),
        "{:?}",
        r.changed
    );
}

#[test]
fn a_retitle_renders_the_pages_that_show_the_title() {
    let site = bundled();
    let mut inc = Incremental::new(site.opts());
    let cancel = || false;
    let first = inc.rebuild(&[], &cancel).expect("first");
    let rel = "content/roles/夸夸官.md";
    let text = std::fs::read_to_string(site.path(rel)).expect("read");
    site.write(
        rel,
        &text.replacen(
            "title = \"夸夸官\"",
            "title = \"夸夸官\"\naliases = [\"点赞官\"]",
            1,
        ),
    );
    let r = inc.rebuild(&[rel.to_string()], &cancel).expect("second");
    assert!(r.ok, "{}", human(&r.diagnostics));
    assert!(
        r.rendered >= 1 && r.rendered < first.pages,
        "{} of {}",
        r.rendered,
        first.pages
    );
}

#[test]
fn a_raised_cancel_flag_abandons_the_rebuild() {
    let site = bundled();
    let mut inc = Incremental::new(site.opts());
    let first = inc.rebuild(&[], &|| false).expect("first");
    assert!(first.ok);
    let rel = "content/rituals/破冰.md";
    site.write(
        rel,
        "+++\ntitle = \"破冰\"\nkind = \"ritual\"\n+++\n\n新内容。\n",
    );
    assert!(inc.rebuild(&[rel.to_string()], &|| true).is_none());
    // The next rebuild still sees the edit.
    let r = inc.rebuild(&[], &|| false).expect("third");
    let page = r.files.get("rituals/po-bing/index.html").expect("page");
    assert!(String::from_utf8_lossy(page).contains("新内容"));
}
