//! jieba's segmentation of a run of Chinese characters, written for the search index's inner
//! loop: the same dictionary, the same most probable route through the word graph and the same
//! search mode (the two- and three-character dictionary words inside a longer word) as jieba-rs's
//! `cut_for_search` without HMM, so the index does not change, but over a run that is already
//! pure Chinese, with buffers kept per thread and no allocation per run. jieba-rs spent most of
//! its time outside the dictionary walk (splitting by character class again, building a token
//! vector per call); the unit tests compare the two on the handbook's text.

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use super::cjk::{common_cjk, is_cjk};

/// No node, no word.
const NONE: u32 = u32::MAX;

/// The node of a string that is no path of a dictionary's trie (see [`Dict::node`]).
pub(crate) const NO_NODE: u32 = NONE;

/// First and last character of the table that maps common Chinese characters to ids.
const BMP_FIRST: u32 = 0x3400;
const BMP_LAST: u32 = 0x9FFF;

/// A word dictionary as a trie over dense character ids.
pub(crate) struct Dict {
    /// Character id + 1 of each character in `BMP_FIRST..=BMP_LAST` (0: in no word).
    bmp: Vec<u16>,
    /// The same for the other characters (compatibility ideographs, extension planes).
    other: FxHashMap<char, u16>,
    /// Child of the root per character id (`NONE`: no word starts with it).
    root: Vec<u32>,
    /// `node << 16 | character id` → child node.
    children: FxHashMap<u64, u32>,
    /// Per node, bit `id % 64` of each child's character id: most steps of the walk fail, and
    /// this fails them without hashing.
    child_bits: Vec<u64>,
    /// `ln(frequency)` of each node that is a word, NaN for the others.
    log_freq: Vec<f64>,
    /// Per node, what the route's walk reads of it, side by side (one cache line, not two):
    /// `ln(frequency) - ln(total)` (NaN for a node that is no word: it then loses every
    /// comparison, as a skipped node would) and `child_bits`. Made by [`Dict::seal`]; the
    /// subtraction is the one jieba makes at each step, done once, so the sums are the same.
    walk: Vec<(f64, u64)>,
    /// Frequencies of the words by node, to replace a frequency the way jieba does.
    freq: Vec<usize>,
    /// The search [`super::bucket`] of each node's string (that of its first two characters).
    buckets: Vec<u16>,
    /// Words with a character jieba never puts into a block it segments (Latin letters, as in
    /// T恤): they can never match, but their frequencies count in the total, as in jieba.
    outside: FxHashMap<Box<str>, usize>,
    /// Sum of all word frequencies.
    total: usize,
    /// Its logarithm, which every route subtracts (kept, not recomputed per run).
    log_total: f64,
}

/// Per-thread buffers of [`Dict::cut_at`].
#[derive(Default)]
struct Scratch {
    /// Character ids of the run (0: unknown).
    ids: Vec<u16>,
    /// Byte offset in the text of each character, and the run's end last; empty when every
    /// character of the run has three bytes (nearly every run), whose offsets need no table.
    at: Vec<usize>,
    /// Best route from each character: (log probability, end, node).
    route: Vec<(f64, u32, u32)>,
    /// Per character `i`: the trie node of characters `i..i + 2` (`NONE`: none), found on the
    /// way to the route; search mode and the bigrams read it instead of walking again.
    second: Vec<u32>,
    /// The tokens of the run being cut, as character ranges, with their nodes.
    out: Vec<(u32, u32, u32)>,
    /// Per character `i`: [`COVERED`] when a token of two or more characters covers it,
    /// [`INNER`] when one of three or more covers it and the next, [`TWO`] when a token of two
    /// characters starts at it.
    cover: Vec<u8>,
}

/// Where [`Dict::cut_at`] puts a run's tokens: each one's byte range in the text and its
/// [`Dict::node`]. A trait, not only closures, so that a sink can have its method inlined into
/// the loop over the tokens (a call per token was a sixth of the cost of taking it).
pub(crate) trait Cuts {
    fn cut(&mut self, a: usize, b: usize, node: u32);
}

impl<F: FnMut(usize, usize, u32)> Cuts for F {
    fn cut(&mut self, a: usize, b: usize, node: u32) {
        self(a, b, node)
    }
}

/// Bits of [`Scratch::cover`].
const COVERED: u8 = 1;
const INNER: u8 = 2;
const TWO: u8 = 4;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Characters jieba-rs puts into a block it segments with the dictionary (its `is_cjk`); the
/// index's Chinese runs also take the unassigned code points between its extension ranges, and
/// split there as jieba would.
fn in_jieba_block(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2B73F}'
        | '\u{2B740}'..='\u{2B81F}'
        | '\u{2B820}'..='\u{2CEAF}'
        | '\u{2CEB0}'..='\u{2EBEF}'
        | '\u{2F800}'..='\u{2FA1F}'
    )
}

impl Dict {
    /// A dictionary of `word frequency` lines (jieba's format; a missing frequency is 0), then
    /// each of `more` `(word, freq)` added or its frequency replaced, in order (jieba's
    /// `add_word`).
    pub(crate) fn new<'a>(text: &str, more: impl IntoIterator<Item = (&'a str, usize)>) -> Dict {
        let mut d = Dict {
            bmp: vec![0; (BMP_LAST - BMP_FIRST + 1) as usize],
            other: FxHashMap::default(),
            root: Vec::new(),
            children: FxHashMap::default(),
            child_bits: Vec::new(),
            log_freq: Vec::new(),
            walk: Vec::new(),
            freq: Vec::new(),
            buckets: Vec::new(),
            outside: FxHashMap::default(),
            total: 0,
            log_total: 0.0,
        };
        for line in text.lines() {
            let mut parts = line.split_whitespace();
            if let Some(word) = parts.next() {
                let freq = parts.next().and_then(|f| f.parse().ok()).unwrap_or(0);
                d.add_word(word, freq);
            }
        }
        for (word, freq) in more {
            d.add_word(word, freq);
        }
        d.seal();
        d
    }

    /// Takes the logarithm of the total and makes [`Dict::walk`]: after the last word is added.
    fn seal(&mut self) {
        self.log_total = (self.total as f64).ln();
        let log_total = self.log_total;
        self.walk = (self.log_freq.iter().zip(&self.child_bits))
            .map(|(&log_freq, &bits)| (log_freq - log_total, bits))
            .collect();
    }

    /// Adds `word` with `freq`, or replaces its frequency, before [`Dict::seal`].
    fn add_word(&mut self, word: &str, freq: usize) {
        if word.is_empty() {
            return;
        }
        if !word.chars().all(in_jieba_block) {
            let old = self.outside.insert(word.into(), freq).unwrap_or(0);
            self.total = self.total + freq - old;
            return;
        }
        let mut node = NONE;
        let mut two = 0;
        for (depth, (at, c)) in word.char_indices().enumerate() {
            let id = self.id_or_new(c);
            node = self.child_or_new(node, id);
            // A string's bucket is that of its first two characters.
            if depth < 2 {
                two = super::bucket(&word[..at + c.len_utf8()]);
            }
            self.buckets[node as usize] = two;
        }
        let n = node as usize;
        if self.log_freq[n].is_nan() {
            self.total += freq;
        } else {
            self.total = self.total + freq - self.freq[n];
        }
        self.freq[n] = freq;
        self.log_freq[n] = (freq as f64).ln();
    }

    /// Whether `word` is in the dictionary.
    #[cfg(test)]
    pub(crate) fn has(&self, word: &str) -> bool {
        if self.outside.contains_key(word) {
            return true;
        }
        let mut node = NONE;
        for c in word.chars() {
            match self.step(node, self.id(c)) {
                NONE => return false,
                next => node = next,
            }
        }
        node != NONE && !self.log_freq[node as usize].is_nan()
    }

    /// The search [`super::bucket`] of the string of trie node `node`.
    pub(crate) fn bucket(&self, node: u32) -> u16 {
        self.buckets[node as usize]
    }

    /// Number of trie nodes: every node id is below it.
    pub(crate) fn nodes(&self) -> usize {
        self.log_freq.len()
    }

    /// The trie node `word` leads to (a word or the start of one); for two characters the
    /// trie has no path for, their `Dict::pair` key; else [`NO_NODE`]. A string's node is its
    /// id for as long as the dictionary lives: the search index keys a page's terms by it
    /// instead of hashing their text.
    #[cfg(test)]
    pub(crate) fn node(&self, word: &str) -> u32 {
        let mut node = NONE;
        for c in word.chars() {
            match self.step(node, self.id(c)) {
                NONE => {
                    let mut all = word.chars();
                    return match (all.next(), all.next(), all.next()) {
                        (Some(a), Some(b), None) => self.pair(self.id(a), self.id(b)),
                        _ => NONE,
                    };
                }
                next => node = next,
            }
        }
        node
    }

    /// The key of the two characters `a`, `b` (ids) when the trie has no path for them: past
    /// every node, one per pair, so the bigrams around characters no word covers (two in five
    /// Chinese tokens) are keyed by a number like words are. [`NO_NODE`] for unknown characters.
    fn pair(&self, a: u16, b: u16) -> u32 {
        if a == 0 || b == 0 {
            return NONE;
        }
        let key = self.nodes() as u64 + u64::from(a) * (self.root.len() as u64 + 1) + u64::from(b);
        u32::try_from(key)
            .ok()
            .filter(|&k| k != NONE)
            .unwrap_or(NONE)
    }

    /// The first key past every [`Dict::pair`] key: numbers from there on are free for keys
    /// of other terms (see `Segmenter::word_key`).
    pub(crate) fn keys_end(&self) -> u64 {
        let chars = self.root.len() as u64 + 1;
        self.nodes() as u64 + chars * chars
    }

    fn id(&self, c: char) -> u16 {
        let u = c as u32;
        if (BMP_FIRST..=BMP_LAST).contains(&u) {
            self.bmp[(u - BMP_FIRST) as usize]
        } else {
            self.other.get(&c).copied().unwrap_or(0)
        }
    }

    fn id_or_new(&mut self, c: char) -> u16 {
        let id = self.id(c);
        if id != 0 {
            return id;
        }
        self.root.push(NONE);
        let id = self.root.len() as u16;
        let u = c as u32;
        if (BMP_FIRST..=BMP_LAST).contains(&u) {
            self.bmp[(u - BMP_FIRST) as usize] = id;
        } else {
            self.other.insert(c, id);
        }
        id
    }

    /// The child of `node` (`NONE`: the root) by character id `id` (0: unknown), also while
    /// words are being added.
    fn step(&self, node: u32, id: u16) -> u32 {
        if id == 0 {
            NONE
        } else if node == NONE {
            self.root[usize::from(id) - 1]
        } else if self.child_bits[node as usize] >> (id % 64) & 1 == 0 {
            NONE
        } else {
            self.child_by_key(node, id)
        }
    }

    /// The child of `node` by `id` from the child map.
    #[inline(always)]
    fn child_by_key(&self, node: u32, id: u16) -> u32 {
        self.children
            .get(&(u64::from(node) << 16 | u64::from(id)))
            .copied()
            .unwrap_or(NONE)
    }

    fn child_or_new(&mut self, node: u32, id: u16) -> u32 {
        let next = self.step(node, id);
        if next != NONE {
            return next;
        }
        let new = self.log_freq.len() as u32;
        self.log_freq.push(f64::NAN);
        self.freq.push(0);
        self.buckets.push(0);
        self.child_bits.push(0);
        if node == NONE {
            self.root[usize::from(id) - 1] = new;
        } else {
            self.child_bits[node as usize] |= 1 << (id % 64);
            self.children
                .insert(u64::from(node) << 16 | u64::from(id), new);
        }
        new
    }

    /// Cuts the run of Chinese characters ([`is_cjk`]) of `text` that starts at byte `start`
    /// (a Chinese character), and returns where it ends. Calls `out` with the byte range (in
    /// `text`) and [`Dict::node`] of every token of the run: a run of one character is its own
    /// token; a longer one's are those of two or more characters, in jieba's search-mode order,
    /// then the bigrams around each character no such token covers. Finding the run's end and
    /// reading its characters' ids is one pass.
    pub(crate) fn cut_at(&self, text: &str, start: usize, out: &mut impl Cuts) -> usize {
        SCRATCH.with(|cell| {
            // Should `out` ever segment again, that inner call gets buffers of its own.
            let mut fresh;
            let mut held = cell.try_borrow_mut().ok();
            let s: &mut Scratch = match held.as_deref_mut() {
                Some(s) => s,
                None => {
                    fresh = Scratch::default();
                    &mut fresh
                }
            };
            let (end, split) = self.read_run(text, start, s);
            if s.ids.len() == 1 {
                let node = match s.ids[0] {
                    0 => NONE,
                    id => self.root[usize::from(id) - 1],
                };
                out.cut(start, end, node);
                return end;
            }
            self.cut_into(&text[start..end], split, s);
            let (at, threes) = (&s.at, s.at.is_empty());
            let at = |k: u32| {
                if threes {
                    start + 3 * k as usize
                } else {
                    at[k as usize]
                }
            };
            for &(a, b, node) in &s.out {
                out.cut(at(a), at(b), node);
            }
            end
        })
    }

    /// Reads the ids (and offsets, see [`Scratch::at`]) of the run of Chinese characters of
    /// `text` from `start` into `s`; returns its end, and whether a character of it is outside
    /// jieba's blocks.
    fn read_run(&self, text: &str, start: usize, s: &mut Scratch) -> (usize, bool) {
        s.ids.clear();
        s.at.clear();
        let bytes = text.as_bytes();
        let mut split = false;
        let mut threes = true;
        let mut i = start;
        // Three bytes from E4 to E9 (U+4000–U+9FFF): nearly every character of a run, all in
        // jieba's blocks, its id read from the table without decoding through `chars`, in a
        // loop of their own while no other character has come (no offsets to keep).
        while let Some(&[b, b1, b2]) = bytes.get(i..i + 3) {
            if !((0xE5..=0xE9).contains(&b) || (b == 0xE4 && b1 != 0xB7)) {
                break;
            }
            let u = u32::from(b & 0x0F) << 12 | u32::from(b1 & 0x3F) << 6 | u32::from(b2 & 0x3F);
            s.ids.push(self.bmp[(u - BMP_FIRST) as usize]);
            i += 3;
        }
        while let Some(&b) = bytes.get(i) {
            if b < 0x80 {
                break;
            }
            // As above, after a character of another kind.
            if common_cjk(bytes, i) {
                let u = u32::from(b & 0x0F) << 12
                    | u32::from(bytes[i + 1] & 0x3F) << 6
                    | u32::from(bytes[i + 2] & 0x3F);
                if !threes {
                    s.at.push(i);
                }
                s.ids.push(self.bmp[(u - BMP_FIRST) as usize]);
                i += 3;
                continue;
            }
            let c = text[i..].chars().next().unwrap_or_default();
            if !is_cjk(c) {
                break;
            }
            if threes {
                threes = false;
                s.at.extend((0..s.ids.len()).map(|k| start + 3 * k));
            }
            s.at.push(i);
            s.ids.push(self.id(c));
            split |= !in_jieba_block(c);
            i += c.len_utf8();
        }
        if !threes {
            s.at.push(i);
        }
        (i, split)
    }

    /// Fills `s.out` with the tokens of `run` (its ids read into `s`; `split` when a character
    /// of it is outside jieba's blocks) as character ranges.
    fn cut_into(&self, run: &str, split: bool, s: &mut Scratch) {
        let n = s.ids.len();
        s.out.clear();
        // Grown, never cleared: the route's walk writes each character's entries of a block
        // before reading them (three fills per run were a tenth of the cut). Only characters
        // between blocks, in no walk, need their `cover` and `second` set here.
        if s.route.len() <= n {
            s.cover.resize(n, 0);
            s.second.resize(n, NONE);
            s.route.resize(n + 1, (0.0, 0, NONE));
        }
        if !split {
            self.cut_block(s, 0, n);
        } else {
            s.cover[..n].fill(0);
            s.second[..n].fill(NONE);
            let mut start = 0;
            for (k, c) in run.chars().enumerate() {
                if !in_jieba_block(c) {
                    self.cut_block(s, start, k);
                    start = k + 1;
                }
            }
            self.cut_block(s, start, n);
        }
        // Bigrams around characters no token of two or more covers, so a query that crosses
        // an unknown character still finds the text; and the pairs inside longer tokens that
        // are no token of their own, so a word found inside a longer one (马斯克 in 马斯克传,
        // 神经网络 in 卷积神经网络) reaches the page through its bigrams. A pair that leaves
        // a block has a character without id, and so no key.
        for i in 0..n.saturating_sub(1) {
            let (here, next) = (s.cover[i], s.cover[i + 1]);
            let around = here & next & COVERED == 0;
            let inner = here & INNER != 0 && here & TWO == 0;
            if around || inner {
                let node = match s.second[i] {
                    NONE => self.pair(s.ids[i], s.ids[i + 1]),
                    node => node,
                };
                s.out.push((i as u32, i as u32 + 2, node));
            }
        }
    }

    /// Appends the search-mode tokens of two or more characters of characters `lo..hi`, one
    /// jieba block, and marks what they cover.
    fn cut_block(&self, s: &mut Scratch, lo: usize, hi: usize) {
        if hi <= lo + 1 {
            return;
        }
        // The most probable route, from the end, exactly as jieba computes it (the same
        // operations in the same order, so the same ties): the words starting at each
        // character are walked as they are weighed, ends ascending, so no word graph is kept.
        let log1 = 0.0f64 - self.log_total;
        let walk = &self.walk;
        // Indexed from the block's start (`lo`) here, so that most bounds are known.
        let ids = &s.ids[lo..hi];
        let route = &mut s.route[lo..=hi];
        let second = &mut s.second[lo..hi];
        let cover = &mut s.cover[lo..hi];
        route[hi - lo] = (0.0, hi as u32, NONE);
        for i in (0..hi - lo).rev() {
            // No word yet while the end is 0 (a word ends past its start).
            let mut best = (f64::NEG_INFINITY, 0u32, NONE);
            // The first step is the root's table, the rest the child map.
            let mut node = match ids[i] {
                0 => NONE,
                id => self.root[usize::from(id) - 1],
            };
            let mut end = i + 1;
            second[i] = NONE;
            cover[i] = 0;
            while node != NONE {
                let (log_p, bits) = walk[node as usize];
                // `ln(freq) - ln(total)` plus the rest of the route, jieba's sum; NaN (no
                // word) fails both comparisons.
                let prob = log_p + route[end].0;
                if prob > best.0 || (prob == best.0 && end as u32 > best.1) {
                    best = (prob, end as u32, node);
                }
                let Some(&id) = ids.get(end) else { break };
                // Most steps fail, and the child bits fail them without hashing.
                node = if bits >> (id % 64) & 1 == 0 {
                    NONE
                } else {
                    self.child_by_key(node, id)
                };
                end += 1;
                if end == i + 2 {
                    second[i] = node;
                }
            }
            route[i] = if best.1 == 0 {
                (log1 + route[i + 1].0, (lo + i) as u32 + 1, NONE)
            } else {
                (best.0, lo as u32 + best.1, best.2)
            };
        }
        // Search mode: each word of the route, preceded by the dictionary words of two and
        // three characters inside it when it is longer.
        let word = |node: u32| node != NONE && !self.log_freq[node as usize].is_nan();
        let mut x = lo;
        while x < hi {
            let (_, y, node) = s.route[x];
            let y = y as usize;
            let len = y - x;
            if len > 2 {
                for i in x..y - 1 {
                    if word(s.second[i]) {
                        s.out.push((i as u32, i as u32 + 2, s.second[i]));
                        s.cover[i] |= TWO;
                    }
                }
            }
            if len > 3 {
                for i in x..y - 2 {
                    let three = match s.second[i] {
                        NONE => NONE,
                        two => self.step(two, s.ids[i + 2]),
                    };
                    if word(three) {
                        s.out.push((i as u32, i as u32 + 3, three));
                    }
                }
            }
            if len >= 2 {
                s.out.push((x as u32, y as u32, node));
                // A word inside this one covers nothing more than it does, bar the pairs
                // marked above.
                for c in &mut s.cover[x..y] {
                    *c |= COVERED;
                }
                if len == 2 {
                    s.cover[x] |= TWO;
                } else {
                    for c in &mut s.cover[x..y - 1] {
                        *c |= INNER;
                    }
                }
            }
            x = y;
        }
    }
}
