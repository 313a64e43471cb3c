use std::collections::HashMap;
use std::sync::OnceLock;

use super::*;
use crate::search::{assemble, bucket};

/// The bundled handbook, for its kinds and build id (the documents are made up).
fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let opts = crate::Options {
            root: env!("CARGO_MANIFEST_DIR").into(),
            ..Default::default()
        };
        match crate::compile(&opts) {
            Ok(c) => c.site,
            Err(_) => panic!("the bundled handbook compiles"),
        }
    })
}

/// xorshift: deterministic, and no crate for it.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn doc(rng: &mut Rng, site: &Site) -> PageDoc {
    // Few enough words that pages share terms, many enough postings that edits cross
    // shard-count thresholds (4,096 postings per doubling at first).
    let n = rng.below(400);
    let mut terms: Vec<(u16, String, u8)> = Vec::new();
    for _ in 0..n {
        let t = match rng.below(3) {
            0 => format!("w{}", rng.below(400)),
            1 => format!(
                "班{}",
                char::from_u32(0x4E00 + rng.below(300) as u32).unwrap()
            ),
            _ => format!("\"q{}\\", rng.below(20)),
        };
        if !terms.iter().any(|x| x.1 == t) {
            terms.push((bucket(&t), t, rng.below(64) as u8));
        }
    }
    terms.sort_unstable();
    let mut d = PageDoc::with_terms(terms.iter().map(|(b, t, s)| (*b, t.as_str(), *s)));
    let mut surfaces: Vec<(u16, String, String)> = Vec::new();
    for _ in 0..rng.below(6) {
        let s = format!("run{}", rng.below(12));
        if !surfaces.iter().any(|x| x.1 == s) {
            let stem = s.trim_end_matches(char::is_numeric).to_string();
            surfaces.push((bucket(&s), s, stem));
        }
    }
    surfaces.sort_unstable();
    let kinds = &site.config.kinds;
    for (b, s, stem) in &surfaces {
        d.push_surface(*b, s, stem);
    }
    d.kind = kinds[rng.below(kinds.len())].name.clone();
    d.fragment = format!("{{\"t\":{}}}", rng.below(3)).into_bytes();
    d
}

/// Compares two outputs naming the paths that differ (not pages of bytes).
fn same(got: &HashMap<String, Vec<u8>>, want: &HashMap<String, Vec<u8>>, step: usize) {
    let mut bad: Vec<&String> = want
        .keys()
        .chain(got.keys())
        .filter(|p| got.get(*p) != want.get(*p))
        .collect();
    bad.sort();
    bad.dedup();
    assert!(bad.is_empty(), "step {step}: {bad:?} differ");
}

fn as_map(files: Vec<OutputFile>) -> HashMap<String, Vec<u8>> {
    files.into_iter().map(|f| (f.path, f.bytes)).collect()
}

#[test]
fn patched_index_equals_a_full_assembly_byte_for_byte() {
    let site = site();
    let mut shard_counts = std::collections::BTreeSet::new();
    for seed in 1..4u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let pages = 30 + rng.below(30);
        let docs: Vec<PageDoc> = (0..pages).map(|_| doc(&mut rng, site)).collect();
        let (live, files) = Live::new(site, docs.clone());
        let mut out = as_map(files);
        assert_eq!(out, as_map(assemble(site, &docs)));
        let mut slot = Some(live);
        for step in 0..150 {
            let live = slot.as_mut().unwrap();
            let shape = live.shape();
            shard_counts.insert(shape.shards);
            let before = out.clone();
            let mut changes = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let i = rng.below(pages);
                let mut d = live.docs()[i].clone();
                match rng.below(5) {
                    // A body edit: a few scores move, a term comes or goes.
                    0 => {
                        for t in d.terms.iter_mut() {
                            if rng.below(10) == 0 {
                                t.score = rng.below(64) as u8;
                            }
                        }
                        if !d.terms.is_empty() && rng.below(2) == 0 {
                            d.terms.remove(rng.below(d.terms.len()));
                        }
                    }
                    1 => d.fragment.push(b'x'),
                    // The same document again.
                    2 => {}
                    // A page emptied, or rewritten: big swings in the postings total.
                    3 => d.terms.clear(),
                    _ => d = doc(&mut rng, site),
                }
                changes.push((i, d));
            }
            let files = live.update(site, changes);
            let reshaped = live.shape() != shape;
            for f in files {
                assert!(
                    reshaped || out.get(&f.path) != Some(&f.bytes),
                    "step {step}: {} returned but unchanged",
                    f.path
                );
                out.insert(f.path, f.bytes);
            }
            for p in shape.removed(live.shape()) {
                out.remove(&p);
            }
            same(&out, &as_map(assemble(site, live.docs())), step);
            if rng.below(5) == 0 {
                Live::revert(&mut slot);
                out = before;
                let live = slot.as_ref().unwrap();
                same(&out, &as_map(assemble(site, live.docs())), step);
                // The reverted index patches on as if the failed change never happened.
            } else {
                slot.as_mut().unwrap().commit();
            }
        }
    }
    assert!(
        shard_counts.len() > 1,
        "edits crossed a shard-count threshold"
    );
}

#[test]
fn suggestion_files_follow_titles_and_aliases_only() {
    let site = site();
    let mut rng = Rng(11);
    let docs: Vec<PageDoc> = (0..site.content.pages.len())
        .map(|_| doc(&mut rng, site))
        .collect();
    let mut slot = Some(Live::new(site, docs).0);
    let names = |files: &[OutputFile]| -> Vec<String> {
        files
            .iter()
            .filter(|f| {
                crate::search::suggest::files(site)
                    .iter()
                    .any(|s| s.path == f.path)
            })
            .map(|f| f.path.clone())
            .collect()
    };
    // A body edit: titles and aliases stand, so no suggestion file is returned.
    let live = slot.as_mut().unwrap();
    let files = live.update(site, vec![(1, doc(&mut rng, site))]);
    assert_eq!(names(&files), Vec::<String>::new());
    live.commit();
    // A retitled page: the names file of the new title's length comes back, as a full
    // assembly of the retitled site makes it.
    let mut retitled = site.clone();
    retitled.content.pages[1].title = "新的页面标题".into();
    let live = slot.as_mut().unwrap();
    let same_doc = live.docs()[1].clone();
    let files = live.update(&retitled, vec![(1, same_doc)]);
    let want = crate::search::suggest::files(&retitled);
    let six = want
        .iter()
        .find(|f| f.path == format::names_path(6))
        .unwrap();
    let got = files.iter().find(|f| f.path == six.path);
    assert_eq!(got.map(|f| &f.bytes), Some(&six.bytes));
    // Reverted, the old suggestion files and key are back: the original site's next edit
    // returns none again.
    Live::revert(&mut slot);
    let live = slot.as_mut().unwrap();
    let files = live.update(site, vec![(2, doc(&mut rng, site))]);
    assert_eq!(names(&files), Vec::<String>::new());
}

#[test]
fn install_and_revert_restore_the_previous_index() {
    let site = site();
    let mut rng = Rng(7);
    let a: Vec<PageDoc> = (0..20).map(|_| doc(&mut rng, site)).collect();
    let b: Vec<PageDoc> = (0..25).map(|_| doc(&mut rng, site)).collect();
    let mut slot = None;
    Live::install(&mut slot, Live::new(site, a.clone()).0);
    Live::revert(&mut slot);
    assert!(slot.is_none());
    Live::install(&mut slot, Live::new(site, a.clone()).0);
    slot.as_mut().unwrap().commit();
    Live::install(&mut slot, Live::new(site, b).0);
    assert_eq!(slot.as_ref().unwrap().shape().docs, 25);
    Live::revert(&mut slot);
    let live = slot.as_mut().unwrap();
    assert_eq!(live.docs(), &a[..]);
    // And it still patches correctly after coming back.
    let mut out = as_map(assemble(site, &a));
    let shape = live.shape();
    for f in live.update(site, vec![(3, doc(&mut rng, site))]) {
        out.insert(f.path, f.bytes);
    }
    for p in shape.removed(live.shape()) {
        out.remove(&p);
    }
    same(&out, &as_map(assemble(site, live.docs())), 0);
}
