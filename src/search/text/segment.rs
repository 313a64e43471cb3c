//! Segmentation shared by every page of one build: Chinese runs go through jieba (search mode,
//! with the site's titles and aliases as a user dictionary so 开营仪式 or 夸夸官 stay whole),
//! characters jieba leaves on their own also get character bigrams so no text is unreachable,
//! and Latin words are lowercased and stemmed. The browser never segments with a dictionary of
//! its own: it matches queries against the index's vocabulary (see `search.js`), so index time
//! and query time cannot disagree.

use std::cell::RefCell;

use rust_stemmers::{Algorithm, Stemmer};

use super::dict::Dict;
pub(crate) use super::dict::NO_NODE;
use super::memo::{self, Memo};

/// One indexed token of a text. Every token borrows (from the text, or from the segmenter's
/// caches for the duration of the callback): most tokens repeat a term the page already has,
/// and need no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// A Chinese word or bigram, as it appears in the text, and its [`Segmenter::node`].
    Cjk(&'a str, u32),
    /// A Latin word or number: `term` is the lowercased stem, `surface` the lowercased word,
    /// `word` the word as written.
    Latin {
        term: &'a str,
        surface: &'a str,
        word: &'a str,
    },
}

impl Token<'_> {
    /// The term the index stores.
    #[cfg(test)]
    pub(crate) fn term(&self) -> &str {
        match self {
            Token::Cjk(t, _) => t,
            Token::Latin { term, .. } => term,
        }
    }
}

/// Where [`Segmenter::tokens`] puts a text's tokens. Any `FnMut(Token)` is one. The search
/// index's page accumulator is another: it remembers the Latin words its thread has met as
/// written, so a word's next occurrences (3.3 million words at 10,000 pages, 10,000 distinct)
/// skip lowercasing, stemming and the lookups they take.
pub(crate) trait Sink {
    fn token(&mut self, t: Token<'_>);

    /// A Latin word as written, before it becomes a [`Token::Latin`]: `true` when the sink has
    /// taken it as it is and wants no token for it.
    fn word(&mut self, _word: &str) -> bool {
        false
    }

    /// A Chinese token, `text[a..b]`, and its [`Segmenter::node`]: a [`Token::Cjk`] unless the
    /// sink reads it without the token (most tokens are Chinese; the search index's
    /// accumulator looks at the text only when the term is new to its page).
    #[inline(always)]
    fn cjk(&mut self, text: &str, a: usize, b: usize, node: u32) {
        self.token(Token::Cjk(&text[a..b], node));
    }
}

impl<F: FnMut(Token<'_>)> Sink for F {
    fn token(&mut self, t: Token<'_>) {
        self(t)
    }
}

#[cfg(test)]
use super::cjk::common_cjk;
pub(crate) use super::cjk::is_cjk;

/// A [`Sink`] taking the Chinese tokens [`Dict::cut_at`] finds in `text`.
struct ToSink<'a, S> {
    text: &'a str,
    out: &'a mut S,
}

impl<S: Sink> super::dict::Cuts for ToSink<'_, S> {
    #[inline(always)]
    fn cut(&mut self, a: usize, b: usize, node: u32) {
        self.out.cjk(self.text, a, b, node);
    }
}

/// The character starting at byte `i` of `text` (a character boundary).
fn char_at(text: &str, i: usize) -> char {
    text[i..].chars().next().unwrap_or('\0')
}

/// Which bytes are ASCII letters and digits: one load a byte in [`word_end`]'s loop over the
/// three million English words of 10,000 pages, where the range tests took five.
static ASCII_ALNUM: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

/// Where the Latin word (letters and digits, not Chinese) continuing at byte `i` ends.
fn word_end(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while i < bytes.len() {
        i += bytes[i..]
            .iter()
            .position(|&b| !ASCII_ALNUM[usize::from(b)])
            .unwrap_or(bytes.len() - i);
        let Some(&b) = bytes.get(i) else { break };
        if b < 0x80 {
            break;
        } else {
            let c = char_at(text, i);
            if is_cjk(c) || is_punctuation(c) || !c.is_alphanumeric() {
                break;
            }
            i += c.len_utf8();
        }
    }
    i
}

/// Chinese and general punctuation (，。、「」… and fullwidth forms like （）：), told apart
/// without the Unicode tables `char::is_alphanumeric` searches: they sit between every two
/// Chinese clauses. The ranges leave out the letters and numerals among the CJK symbols
/// (々 〇 〡 …), which are alphanumeric.
fn is_punctuation(c: char) -> bool {
    matches!(
        c as u32,
        0x2000..=0x206F
            | 0x3000..=0x3004
            | 0x3008..=0x3020
            | 0x3030
            | 0x303D..=0x303F
            | 0xFF01..=0xFF0F
            | 0xFF1A..=0xFF20
            | 0xFF3B..=0xFF40
            | 0xFF5B..=0xFF65
    )
}

/// The segmenter of one build. Loading jieba's dictionary is the expensive part, so it is built
/// once and shared (read-only) by the parallel per-page extraction.
pub(crate) struct Segmenter {
    dict: Dict,
    stemmer: Stemmer,
    /// A fingerprint of the words this segmenter adds to jieba's (see [`Segmenter::id`]).
    id: u64,
}

/// Distinct Latin words whose stem a thread remembers (a site has a few thousand).
const STEM_CACHE_ENTRIES: usize = 1 << 16;

thread_local! {
    /// A lowercased word → its stem, per thread so the parallel extraction never waits on a
    /// lock. The 10,000-page benchmark corpus has 3.3 million Latin words but 10,000 distinct
    /// ones. Stemming does not depend on the dictionary, so this outlives segmenters.
    static STEMS: memo::Cell<Box<str>> = RefCell::default();
}

const STEM_MEMO: Memo<Box<str>> = Memo {
    cell: &STEMS,
    max_entries: STEM_CACHE_ENTRIES,
};

/// jieba's own dictionary (MIT, from jieba-rs 0.11 `src/data/dict.txt`) cut to the 36,145 words
/// it counts at least 100 times, tags dropped:
/// `awk '$2>=100{print $1" "$2}' dict.txt`. Loading all 349,045 words costs about 210 ms per
/// build, five times the whole build of a small handbook; the cut dictionary loads in a fraction
/// of that. A rarer word is split into shorter words, and the bigrams of the characters it
/// leaves alone index it under the same strings, so it is still found.
pub(crate) const DICTIONARY: &str = include_str!("dict.txt");

/// Words a keeper of words numbers at most for [`Segmenter::word_key`].
pub(crate) const WORD_KEYS: u32 = 1 << 16;

/// How often a user-dictionary word is assumed to occur: high enough that jieba prefers it over
/// splitting it into common dictionary words.
const USER_WORD_FREQ: usize = 100_000;

impl Segmenter {
    /// A segmenter with jieba's default dictionary plus `user_words` (titles and aliases).
    pub(crate) fn new<'a>(user_words: impl IntoIterator<Item = &'a str>) -> Segmenter {
        // Only pure Chinese words help segmentation; mixed titles are split on non-CJK
        // characters anyway.
        let parts: Vec<&str> = user_words
            .into_iter()
            .flat_map(|w| w.split(|c: char| !is_cjk(c)))
            .filter(|part| part.chars().count() >= 2)
            .collect();
        let fixed_keys = std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default();
        let id = std::hash::BuildHasher::hash_one(&fixed_keys, &parts);
        let dict = Dict::new(
            DICTIONARY,
            parts.into_iter().map(|part| (part, USER_WORD_FREQ)),
        );
        Segmenter {
            dict,
            stemmer: Stemmer::create(Algorithm::English),
            id,
        }
    }

    /// A fingerprint of the words added to jieba's, which per-thread memories of dictionary
    /// results are kept for: a later build's segmenter with other words (the dev server makes
    /// one per build) never reads another dictionary's results. No process-wide counter.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Number of dictionary nodes: the [`Segmenter::node`] of a word or word start is below
    /// it, that of a two-character string off the trie at or above it.
    pub(crate) fn nodes(&self) -> usize {
        self.dict.nodes()
    }

    /// A Chinese string's id in this segmenter's dictionary, or [`NO_NODE`] when it is neither
    /// a word nor the start of one. Every [`Token::Cjk`] carries it, so the index can key a
    /// page's Chinese terms by a number instead of hashing and comparing their text; strings
    /// without one are keyed by their text, and no string can have both keys.
    #[cfg(test)]
    pub(crate) fn node(&self, word: &str) -> u32 {
        self.dict.node(word)
    }

    /// A key for the `word`th Latin word (below [`WORD_KEYS`]) that the `owner`th keeper of
    /// words has numbered, past every [`Segmenter::node`], or [`NO_NODE`] when the numbers run
    /// out. Like a node, it lets the index find a term's postings by a number rather than by
    /// hashing its text; unlike a node, two keepers give the same word different keys, so the
    /// index files a keyed term under its text as well.
    pub(crate) fn word_key(&self, owner: u32, word: u32) -> u32 {
        let key = self.dict.keys_end() + u64::from(owner) * WORD_KEYS as u64 + u64::from(word);
        u32::try_from(key)
            .ok()
            .filter(|&k| k != NO_NODE && word < WORD_KEYS)
            .unwrap_or(NO_NODE)
    }

    /// The [`super::bucket`] of the string whose [`Segmenter::node`] is `node`, a dictionary
    /// node (below [`Segmenter::nodes`]): kept per node, so a page's new Chinese terms need not
    /// decode their first characters again.
    pub(crate) fn bucket(&self, node: u32) -> u16 {
        self.dict.bucket(node)
    }

    /// Whether the dictionary has `word` (tests and diagnostics of the user dictionary).
    #[cfg(test)]
    pub(crate) fn knows(&self, word: &str) -> bool {
        self.dict.has(word)
    }

    /// Calls `out` for every token of `text`, in order (repeats included, for term counts).
    pub(crate) fn tokens(&self, text: &str, out: &mut impl Sink) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            // ASCII first, byte by byte: spaces, punctuation and English words are most of the
            // characters that are not Chinese, and need no decoding.
            if b < 0x80 {
                if b.is_ascii_alphanumeric() {
                    let end = word_end(text, i + 1);
                    self.latin_word(&text[i..end], out);
                    i = end;
                } else {
                    i += 1;
                }
                continue;
            }
            let c = char_at(text, i);
            if is_cjk(c) {
                i = self.cjk_run_at(text, i, out);
            } else if !is_punctuation(c) && c.is_alphanumeric() {
                let end = word_end(text, i + c.len_utf8());
                self.latin_word(&text[i..end], out);
                i = end;
            } else {
                i += c.len_utf8();
            }
        }
    }

    /// The terms of `text` in order, as strings (for tests and the golden-query tool).
    #[cfg(test)]
    pub(crate) fn terms(&self, text: &str) -> Vec<String> {
        let mut v = Vec::new();
        self.tokens(text, &mut |t: Token<'_>| v.push(t.term().to_string()));
        v
    }

    fn latin_word(&self, word: &str, out: &mut impl Sink) {
        if out.word(word) {
            return;
        }
        // Most words are short ASCII: lowercased on the stack, no allocation per word.
        let mut small = [0u8; 32];
        let owned;
        let surface: &str = if word.len() <= small.len() && word.is_ascii() {
            let s = &mut small[..word.len()];
            s.copy_from_slice(word.as_bytes());
            s.make_ascii_lowercase();
            std::str::from_utf8(s).unwrap_or_default()
        } else {
            owned = word.to_lowercase();
            &owned
        };
        if !surface.chars().all(|c| c.is_ascii_alphabetic()) {
            out.token(Token::Latin {
                term: surface,
                surface,
                word,
            });
            return;
        }
        if STEM_MEMO.get(surface, |term| {
            out.token(Token::Latin {
                term,
                surface,
                word,
            })
        }) {
            return;
        }
        let term = self.stemmer.stem(surface).into_owned();
        STEM_MEMO.put(surface, || term.as_str().into());
        out.token(Token::Latin {
            term: &term,
            surface,
            word,
        });
    }

    /// Words of the Chinese run of `text` starting at byte `start` (search mode: long words and
    /// the dictionary words inside them), plus bigrams around every character no word of two
    /// or more characters covers; returns where the run ends.
    ///
    /// Not cached: cutting a run is faster than finding it in a map of past runs (measured at
    /// 10,000 pages: 0.45 s to cut all 1.6 million runs with jieba-rs, 0.94 s with a per-thread
    /// cache of cuts).
    fn cjk_run_at(&self, text: &str, start: usize, out: &mut impl Sink) -> usize {
        self.dict.cut_at(text, start, &mut ToSink { text, out })
    }

    /// The tokens of `run`, all Chinese (tests).
    #[cfg(test)]
    fn cjk_run(&self, run: &str, out: &mut impl Sink) {
        assert_eq!(self.cjk_run_at(run, 0, out), run.len(), "{run}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens of a Chinese run as the index made them with jieba-rs (its `cut_for_search`
    /// without HMM, words of two or more characters, then bigrams around uncovered characters
    /// and inside longer words):
    /// the reference [`Dict::cut`] must equal.
    fn jieba_tokens<'a>(jieba: &jieba_rs::Jieba, run: &'a str) -> Vec<&'a str> {
        if run.chars().nth(1).is_none() {
            return vec![run];
        }
        let n = run.chars().count();
        let mut covered = vec![false; n];
        let mut inner = vec![false; n];
        let mut two = vec![false; n];
        let mut out = Vec::new();
        for t in jieba.cut_for_search(run, false) {
            if t.end - t.start >= 2 {
                covered[t.start..t.end].fill(true);
                if t.end - t.start == 2 {
                    two[t.start] = true;
                } else {
                    inner[t.start..t.end - 1].fill(true);
                }
                out.push(t.word);
            }
        }
        let at: Vec<usize> = run
            .char_indices()
            .map(|(i, _)| i)
            .chain([run.len()])
            .collect();
        for i in 0..n - 1 {
            if !covered[i] || !covered[i + 1] || (inner[i] && !two[i]) {
                out.push(&run[at[i]..at[i + 2]]);
            }
        }
        out
    }

    fn jieba_with(user: &[&str]) -> jieba_rs::Jieba {
        let mut j = jieba_rs::Jieba::empty();
        j.load_dict(&mut DICTIONARY.as_bytes()).unwrap();
        for w in user {
            for part in w.split(|c: char| !is_cjk(c)) {
                if part.chars().count() >= 2 {
                    j.add_word(part, Some(USER_WORD_FREQ), None);
                }
            }
        }
        j
    }

    /// Every Chinese run of `text`.
    fn runs(text: &str) -> Vec<&str> {
        text.split(|c: char| !is_cjk(c))
            .filter(|r| !r.is_empty())
            .collect()
    }

    #[test]
    fn common_cjk_is_cjk_and_covers_u4000_to_u9fff() {
        let mut covered = 0;
        for c in (0x80..=0xFFFF).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            if common_cjk(bytes, 0) {
                assert!(is_cjk(c), "{:X}", c as u32);
                covered += 1;
            } else {
                assert!(
                    !(0x4000..=0x9FFF).contains(&(c as u32))
                        || (0x4DC0..=0x4DFF).contains(&(c as u32)),
                    "{:X}",
                    c as u32
                );
            }
        }
        assert_eq!(covered, 0x6000 - 0x40);
    }

    #[test]
    fn cuts_equal_jieba_rs_on_the_handbook() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        let mut titles = Vec::new();
        for e in walkdir::WalkDir::new(root.join("content")) {
            let e = e.unwrap();
            if e.path().extension().is_some_and(|x| x == "md") {
                let t = std::fs::read_to_string(e.path()).unwrap();
                for line in t.lines().filter(|l| l.starts_with("title")) {
                    titles.push(
                        line.trim_start_matches("title = ")
                            .trim_matches('"')
                            .to_string(),
                    );
                }
                texts.push(t);
            }
        }
        // Runs of dictionary words strung together at random (a fixed seed): every boundary
        // the word graph can get wrong, from text that lives in this repository.
        let words: Vec<&str> = include_str!("dict.txt")
            .lines()
            .filter_map(|l| l.split(' ').next())
            .collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as usize) % n
        };
        for _ in 0..3000 {
            let mut run = String::new();
            for _ in 0..2 + next(10) {
                run.push_str(words[next(words.len())]);
            }
            texts.push(run);
        }
        // Unusual shapes: long runs, characters outside jieba's blocks, repeats.
        texts.push("开营仪式".repeat(40));
        texts.push("班长\u{2A6E0}值月生\u{2EBF0}夸夸官作业雨".into());
        let user: Vec<&str> = titles.iter().map(String::as_str).collect();
        for user in [&[][..], &user[..]] {
            let jieba = jieba_with(user);
            let seg = Segmenter::new(user.iter().copied());
            let mut compared = 0;
            for text in &texts {
                for run in runs(text) {
                    let mut ours = Vec::new();
                    seg.cjk_run(run, &mut |t: Token<'_>| {
                        if let Token::Cjk(w, node) = t {
                            assert_eq!(node, seg.node(w), "the node of {w}");
                            if (node as usize) < seg.nodes() {
                                assert_eq!(seg.bucket(node), super::super::bucket(w), "{w}");
                            }
                        }
                        ours.push(t.term().to_string())
                    });
                    assert_eq!(ours, jieba_tokens(&jieba, run), "{run}");
                    compared += 1;
                }
            }
            assert!(compared > 1000, "{compared} runs");
            for w in ["班长", "开营仪式", "T恤", "社群", "不存在的词"] {
                assert_eq!(seg.knows(w), jieba.has_word(w), "{w}");
            }
        }
    }

    #[test]
    fn user_words_stay_whole() {
        let s = Segmenter::new(["开营仪式", "值月生", "夸夸官"]);
        let t = s.terms("班长在开营仪式上介绍值月生和夸夸官");
        for w in ["开营仪式", "值月生", "夸夸官", "班长"] {
            assert!(t.contains(&w.to_string()), "{w} in {t:?}");
        }
        // Search mode also yields the dictionary words inside a long word.
        assert!(t.contains(&"仪式".to_string()), "{t:?}");
    }

    #[test]
    fn cached_cuts_equal_fresh_ones_and_stay_with_their_dictionary() {
        let text = "班长在开营仪式上介绍值月生，班长在开营仪式上介绍值月生";
        let plain = Segmenter::new([]);
        let first = plain.terms(text);
        // The second time the runs come from this thread's cache.
        assert_eq!(plain.terms(text), first);
        // Another dictionary cuts the same runs differently: no cut of `plain` may leak in.
        let user = Segmenter::new(["开营仪式", "值月生"]);
        let t = user.terms(text);
        assert!(t.contains(&"值月生".to_string()), "{t:?}");
        assert!(!first.contains(&"值月生".to_string()), "{first:?}");
        assert_eq!(plain.terms(text), first);
    }

    #[test]
    fn uncovered_characters_get_bigrams() {
        let s = Segmenter::new([]);
        // 由 is a single-character token: both pairs touching it are indexed.
        let t = s.terms("班长由往期");
        assert!(t.contains(&"长由".to_string()), "{t:?}");
        assert!(t.contains(&"由往".to_string()), "{t:?}");
        assert!(!t.contains(&"由".to_string()), "{t:?}");
    }

    #[test]
    fn pairs_inside_long_words_get_bigrams() {
        let s = Segmenter::new(["马斯克传"]);
        let t = s.terms("马斯克传");
        // 马斯克传 stays whole, and each pair inside it is reachable.
        for w in ["马斯克传", "马斯", "斯克", "克传"] {
            assert!(t.contains(&w.to_string()), "{w} in {t:?}");
        }
        // A pair that is a word of its own is not repeated as a bigram.
        let t = s.terms("开营仪式");
        assert_eq!(t.iter().filter(|w| *w == "仪式").count(), 1, "{t:?}");
        assert!(t.contains(&"营仪".to_string()), "{t:?}");
    }

    #[test]
    fn latin_words_are_lowercased_and_stemmed() {
        let s = Segmenter::new([]);
        assert_eq!(
            s.terms("Rituals running KOL 007"),
            ["ritual", "run", "kol", "007"]
        );
        // Twice: the second comes from the stem cache.
        for _ in 0..2 {
            let mut toks = Vec::new();
            s.tokens("Icebreakers", &mut |t: Token<'_>| {
                toks.push(format!("{t:?}"))
            });
            let want = Token::Latin {
                term: "icebreak",
                surface: "icebreakers",
                word: "Icebreakers",
            };
            assert_eq!(toks, [format!("{want:?}")]);
        }
    }

    #[test]
    fn punctuation_shortcut_agrees_with_unicode() {
        for c in (0x2000..=0x206F)
            .chain(0x3000..=0x303F)
            .chain(0xFF00..=0xFF65)
        {
            let Some(c) = char::from_u32(c) else { continue };
            if is_punctuation(c) {
                assert!(!c.is_alphanumeric(), "{c:?} is alphanumeric");
            }
        }
    }

    #[test]
    fn mixed_text_splits_at_script_changes() {
        let s = Segmenter::new([]);
        assert_eq!(
            s.terms("每班77人（Kickoff）"),
            ["每班", "77", "人", "kickoff"]
        );
    }
}
