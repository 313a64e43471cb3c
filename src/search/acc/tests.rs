use std::collections::BTreeMap;

use super::*;

/// Terms and scores of `fields` (text, field, weight) the slow way: every token through
/// a plain closure, keyed by its text.
fn plain(seg: &Segmenter, fields: &[(&str, usize, u8)]) -> BTreeMap<String, [u8; 3]> {
    let mut out: BTreeMap<String, [u8; 3]> = BTreeMap::new();
    for &(text, field, weight) in fields {
        seg.tokens(text, &mut |t: Token<'_>| {
            let slot = &mut out.entry(t.term().to_string()).or_default()[field];
            *slot = match field {
                0 => (*slot).max(weight),
                _ => slot.saturating_add(weight),
            };
        });
    }
    out
}

#[test]
fn a_streamed_build_lists_a_word_form_once_per_thread() {
    let seg = Segmenter::new([]);
    let forms = |build: Option<&StreamedBuild>| {
        let mut acc = Acc::new(&seg, build);
        acc.add(&seg, "Rituals ran", 2, 1);
        let (text, _, surfaces) = acc.finish(build.is_none());
        let at = |(a, b): (u32, u32)| text[a as usize..b as usize].to_string();
        surfaces.iter().map(|s| at(s.surface)).collect::<Vec<_>>()
    };
    let (one, two) = (StreamedBuild::new(), StreamedBuild::new());
    assert_eq!(forms(Some(&one)), ["rituals"]);
    assert!(forms(Some(&one)).is_empty(), "listed twice in one build");
    assert_eq!(forms(Some(&two)), ["rituals"], "a new build lists it again");
    assert_eq!(
        forms(Some(&one)),
        ["rituals"],
        "so does going back to the first"
    );
    assert_eq!(forms(None), ["rituals"]);
    assert_eq!(
        forms(None),
        ["rituals"],
        "a page of its own lists all its forms"
    );
}

#[test]
fn pair_keys_sharing_a_slot_keep_their_own_terms() {
    let seg = Segmenter::new([]);
    let first = seg.nodes() as u32;
    let keys: Vec<u32> = (first..)
        .filter(|&k| pair_slot(k) == pair_slot(first))
        .take(3)
        .collect();
    let texts = ["甲乙", "丙丁", "戊己"];
    // Twice on one thread: the second page must not find the first one's slots.
    for _ in 0..2 {
        let mut acc = Acc::new(&seg, None);
        for (n, (&key, text)) in keys.iter().zip(texts).enumerate() {
            assert_eq!(acc.pair_term(text, key), n, "{text} is new on this page");
        }
        for (n, (&key, text)) in keys.iter().zip(texts).enumerate().rev() {
            assert_eq!(acc.pair_term(text, key), n, "{text} is found again");
        }
        assert_eq!(acc.scores.len(), 3);
        let terms: Vec<&str> = (0..3).map(|k| acc.terms.get(k)).collect();
        assert_eq!(terms, texts);
    }
}

#[test]
fn node_and_word_shortcuts_score_like_plain_tokens() {
    let seg = Segmenter::new(["开营仪式", "值月生"]);
    let body = "开营仪式 Rituals ritual RITUALS running run 班长由往期，班长由往期 \
                值月生和值月生 Icebreaker icebreakers T恤 7 7 kickoff 𠀀𠀁 开营仪式";
    let fields = [
        ("开营仪式 Ritual", 0, Weights::TITLE),
        ("班长 Running", 1, Weights::META),
        (body, 2, 1),
        (body, 2, 1),
    ];
    // Twice on one thread: the second page must not see the first one's stamps.
    for _ in 0..2 {
        let mut acc = Acc::new(&seg, None);
        for &(text, field, weight) in &fields {
            acc.add(&seg, text, field, weight);
        }
        let got: BTreeMap<String, [u8; 3]> = acc
            .scores
            .iter()
            .zip(&acc.terms.spans)
            .map(|(&(_, s, _), &(a, b, _))| (acc.terms.text[a as usize..b as usize].into(), s))
            .collect();
        assert_eq!(got.len(), acc.scores.len(), "a term was entered twice");
        assert_eq!(got, plain(&seg, &fields));
        // The same word the plain way too (as a heading's would come): listed once.
        seg.tokens("Rituals", &mut |t: Token<'_>| {
            acc.term_of(&seg, t);
        });
        let (text, terms, surfaces) = acc.finish(true);
        assert!(terms.windows(2).all(|w| w[0].bucket <= w[1].bucket));
        let at = |(a, b): (u32, u32)| &text[a as usize..b as usize];
        let words: Vec<(&str, &str)> = surfaces
            .iter()
            .map(|s| (at(s.surface), at(s.stem)))
            .collect();
        assert!(words.contains(&("rituals", "ritual")), "{words:?}");
        assert!(
            words.windows(2).all(|w| w[0].0 != w[1].0),
            "a word listed twice: {words:?}"
        );
    }
}

/// Keepers of words are numbered by the build they work for, not by the process: each build
/// numbers its own from 1, and a keeper returning to a build gets a number it has not given.
#[test]
fn a_streamed_build_numbers_its_keepers_itself() {
    let seg = Segmenter::new([]);
    let owner = |build: &StreamedBuild| {
        let acc = Acc::new(&seg, Some(build));
        let owner = acc.known.owner;
        acc.finish(false);
        owner
    };
    let (one, two) = (StreamedBuild::new(), StreamedBuild::new());
    assert_eq!(owner(&one), 1);
    assert_eq!(owner(&one), 1, "the same keeper while the build stays");
    assert_eq!(owner(&two), 1, "another build numbers from 1");
    assert_eq!(
        owner(&one),
        2,
        "back to the first: a number it has not given"
    );
}
