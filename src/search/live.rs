//! The search index kept between rebuilds of `qunce serve`. A full assembly serialises every
//! shard and every card (about a second at 10,000 pages); an edit to one page's body changes a
//! handful of its terms' scores. [`Live`] keeps the inverted [`Index`] and each page's
//! [`PageDoc`], and on an edit patches the postings of the terms whose score changed and
//! serialises only the shards, the card and the manifest whose bytes can have changed. Both
//! paths serialise from the same [`Index`], so they agree byte for byte (see the tests).

use super::index::{self, Index, SurfaceMap, TermMap};
use super::{PageDoc, format};
use crate::output::OutputFile;
use crate::site::Site;

/// An assembled index and the documents it was assembled from.
#[derive(Debug, Clone)]
pub(crate) struct Live {
    docs: Vec<PageDoc>,
    index: Index,
    /// The manifest's bytes, to tell whether an update changes it.
    manifest: Vec<u8>,
    /// The "did you mean" files ([`super::suggest::files`]), likewise.
    suggestions: Vec<OutputFile>,
    /// [`names_key`] of the site the suggestion files were made from: they are made of every
    /// page's title and aliases, and making them again on each edit was most of an edit's
    /// search time at 10,000 pages (10 of 12 ms).
    names_key: u64,
    /// How to go back to the index before the last change, until [`Live::commit`].
    undo: Option<Undo>,
}

/// The index before a change whose build may still fail.
#[derive(Debug, Clone)]
enum Undo {
    /// [`Live::update`] replaced these documents, this manifest and (when titles or aliases
    /// changed) these suggestion files and their [`names_key`].
    Patch(
        Vec<(usize, PageDoc)>,
        Vec<u8>,
        Option<(Vec<OutputFile>, u64)>,
    ),
    /// [`Live::install`] replaced this index (None: there was none).
    Replace(Option<Box<Live>>),
}

/// What decides an index's file paths: shard count and page count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Shape {
    /// Shards: `search/s<N>.js`.
    pub(crate) shards: usize,
    /// Pages, so cards: `search/f/<N>.js`.
    pub(crate) docs: usize,
}

impl Shape {
    /// Paths of an index of shape `self` that one of shape `now` does not have, so a rebuild
    /// can delete them.
    pub(crate) fn removed(self, now: Shape) -> Vec<String> {
        (now.shards..self.shards)
            .map(|s| format!("search/s{s}.js"))
            .chain((now.docs..self.docs).map(format::card_path))
            .collect()
    }
}

impl Live {
    /// Assembles `docs` (`docs[i]` is page `i` of `site`): the index and all its files, the same
    /// as [`index::assemble`].
    pub(crate) fn new(site: &Site, docs: Vec<PageDoc>) -> (Live, Vec<OutputFile>) {
        let index = Index::build(&docs);
        let mut live = Live {
            manifest: Vec::new(),
            suggestions: Vec::new(),
            names_key: names_key(site),
            index,
            docs,
            undo: None,
        };
        let files = live.all_files(site);
        (live, files)
    }

    /// Every file of the index (and the manifest remembered).
    fn all_files(&mut self, site: &Site) -> Vec<OutputFile> {
        use rayon::prelude::*;
        let mut files = self.index.shard_files();
        let manifest = index::manifest_file(site, &self.docs, self.index.shards);
        self.manifest.clone_from(&manifest.bytes);
        files.push(manifest);
        self.suggestions = super::suggest::files(site);
        files.extend(self.suggestions.iter().cloned());
        files.par_extend(
            self.docs
                .par_iter()
                .enumerate()
                .map(|(i, d)| index::card_file(i, d)),
        );
        files
    }

    /// The documents, by page.
    pub(crate) fn docs(&self) -> &[PageDoc] {
        &self.docs
    }

    /// The shape of the index's files.
    pub(crate) fn shape(&self) -> Shape {
        Shape {
            shards: self.index.shards,
            docs: self.docs.len(),
        }
    }

    /// Replaces the documents of the pages in `changes` (`(page, new document)`; same pages
    /// as before, so ids stand) and returns the files whose bytes changed: the shards holding a
    /// term or surface form whose postings changed, the changed pages' cards, and the manifest
    /// if it changed. When the total postings cross a shard-count threshold every shard is
    /// returned (and [`Shape::removed`] tells which went away).
    pub(crate) fn update(
        &mut self,
        site: &Site,
        changes: Vec<(usize, PageDoc)>,
    ) -> Vec<OutputFile> {
        let mut dirty: Vec<usize> = Vec::new();
        let mut cards: Vec<usize> = Vec::new();
        // A page listed twice counts once, as its last document: two changes that cancel out
        // would otherwise return a shard whose bytes did not change.
        let mut changes = changes;
        changes.reverse();
        changes.sort_by_key(|c| c.0);
        changes.dedup_by_key(|c| c.0);
        let mut replaced = Vec::with_capacity(changes.len());
        for (i, doc) in changes {
            let old = std::mem::replace(&mut self.docs[i], doc);
            let new = &self.docs[i];
            if old.fragment != new.fragment {
                cards.push(i);
            }
            patch(&mut self.index, i as u32, &old, new, &mut dirty);
            replaced.push((i, old));
        }
        let before = std::mem::take(&mut self.manifest);
        let key = names_key(site);
        let old_suggestions = (key != self.names_key).then(|| {
            let made = super::suggest::files(site);
            (
                std::mem::replace(&mut self.suggestions, made),
                std::mem::replace(&mut self.names_key, key),
            )
        });
        self.undo = Some(Undo::Patch(
            replaced,
            before.clone(),
            old_suggestions.clone(),
        ));
        let mut files = Vec::new();
        if index::shard_count(self.index.postings) != self.index.shards {
            self.index = Index::build(&self.docs);
            files = self.index.shard_files();
        } else {
            dirty.sort_unstable();
            dirty.dedup();
            files.extend(dirty.into_iter().map(|s| self.index.shard_file(s)));
        }
        cards.sort_unstable();
        cards.dedup();
        files.extend(
            cards
                .into_iter()
                .map(|i| index::card_file(i, &self.docs[i])),
        );
        let manifest = index::manifest_file(site, &self.docs, self.index.shards);
        if manifest.bytes != before {
            files.push(manifest.clone());
        }
        // Titles and aliases can change with any page: the suggestion files whose bytes
        // changed.
        if let Some((old, _)) = &old_suggestions {
            for f in &self.suggestions {
                if !old.iter().any(|o| o.path == f.path && o.bytes == f.bytes) {
                    files.push(f.clone());
                }
            }
        }
        self.manifest = manifest.bytes;
        files
    }

    /// Puts `new` (a full assembly) in `slot`, keeping what was there until [`Live::commit`] or
    /// [`Live::revert`].
    pub(crate) fn install(slot: &mut Option<Live>, mut new: Live) {
        new.undo = Some(Undo::Replace(slot.take().map(|mut old| {
            old.undo = None;
            Box::new(old)
        })));
        *slot = Some(new);
    }

    /// Undoes the last [`Live::update`] or [`Live::install`] in `slot`: the build that made it
    /// failed, and the next one starts from the last good build's index.
    pub(crate) fn revert(slot: &mut Option<Live>) {
        let Some(live) = slot.as_mut() else {
            return;
        };
        match live.undo.take() {
            None => {}
            Some(Undo::Replace(old)) => *slot = old.map(|b| *b),
            Some(Undo::Patch(replaced, manifest, suggestions)) => {
                if let Some((files, key)) = suggestions {
                    live.suggestions = files;
                    live.names_key = key;
                }
                let mut dirty = Vec::new();
                for (i, doc) in replaced {
                    let newer = std::mem::replace(&mut live.docs[i], doc);
                    patch(&mut live.index, i as u32, &newer, &live.docs[i], &mut dirty);
                }
                if index::shard_count(live.index.postings) != live.index.shards {
                    live.index = Index::build(&live.docs);
                }
                live.manifest = manifest;
            }
        }
    }

    /// Forgets how to undo the last change (its build succeeded).
    pub(crate) fn commit(&mut self) {
        self.undo = None;
    }
}

/// A digest of every page's title and aliases, what [`super::suggest::files`] reads of a site:
/// equal digests, equal suggestion files.
fn names_key(site: &Site) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in &site.content.pages {
        p.title.hash(&mut h);
        p.meta.aliases.hash(&mut h);
    }
    h.finish()
}

/// Moves page `id`'s postings and surface forms from `old` to `new`, noting the shards whose
/// content changed. Both term lists are sorted by (bucket, term), so one merge walk finds the
/// terms that went, came, or changed score.
fn patch(index: &mut Index, id: u32, old: &PageDoc, new: &PageDoc, dirty: &mut Vec<usize>) {
    use std::cmp::Ordering;
    let (mut a, mut b) = (old.terms().peekable(), new.terms().peekable());
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => (x.0, x.1).cmp(&(y.0, y.1)),
        };
        match order {
            Ordering::Less => {
                let Some((bucket, term, _)) = a.next() else {
                    break;
                };
                let s = index.shard_of(bucket);
                remove_posting(&mut index.terms[s], term, id);
                index.postings -= 1;
                dirty.push(s);
            }
            Ordering::Greater => {
                let Some((bucket, term, score)) = b.next() else {
                    break;
                };
                let s = index.shard_of(bucket);
                insert_posting(&mut index.terms[s], term, id, score);
                index.postings += 1;
                dirty.push(s);
            }
            Ordering::Equal => {
                let (Some(x), Some((bucket, term, score))) = (a.next(), b.next()) else {
                    break;
                };
                if x.2 != score {
                    let s = index.shard_of(bucket);
                    insert_posting(&mut index.terms[s], term, id, score);
                    dirty.push(s);
                }
            }
        }
    }
    // Surface forms: only whether some page has one shows in the shard.
    let (mut a, mut b) = (old.surfaces().peekable(), new.surfaces().peekable());
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => (x.0, x.1).cmp(&(y.0, y.1)),
        };
        match order {
            Ordering::Less => {
                let Some((bucket, surface, _)) = a.next() else {
                    break;
                };
                let s = index.shard_of(bucket);
                if remove_surface(&mut index.surfaces[s], surface) {
                    dirty.push(s);
                }
            }
            Ordering::Greater => {
                let Some((bucket, surface, stem)) = b.next() else {
                    break;
                };
                let s = index.shard_of(bucket);
                if !index.surfaces[s].contains_key(surface) {
                    dirty.push(s);
                }
                index::add_surface(&mut index.surfaces[s], surface, stem);
            }
            Ordering::Equal => {
                a.next();
                b.next();
            }
        }
    }
}

/// Sets page `id`'s posting for `term` (inserted in id order, or its score replaced).
fn insert_posting(map: &mut TermMap, term: &str, id: u32, score: u8) {
    match map.get_mut(term) {
        Some(list) => match list.binary_search_by_key(&id, |p| p.0) {
            Ok(k) => list[k].1 = score,
            Err(k) => list.insert(k, (id, score)),
        },
        None => {
            map.insert(term.into(), vec![(id, score)]);
        }
    }
}

/// Removes page `id`'s posting for `term`, and the term when no page has it any more.
fn remove_posting(map: &mut TermMap, term: &str, id: u32) {
    if let Some(list) = map.get_mut(term) {
        if let Ok(k) = list.binary_search_by_key(&id, |p| p.0) {
            list.remove(k);
        }
        if list.is_empty() {
            map.remove(term);
        }
    }
}

/// Counts one page fewer with `surface`; whether the surface went from the shard.
fn remove_surface(map: &mut SurfaceMap, surface: &str) -> bool {
    let gone = match map.get_mut(surface) {
        Some((_, n)) => {
            *n -= 1;
            *n == 0
        }
        None => false,
    };
    if gone {
        map.remove(surface);
    }
    gone
}

#[cfg(test)]
mod tests {
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
}
