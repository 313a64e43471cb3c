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
mod tests;
