//! "Did you mean": the close names among candidates, by edit distance, for help lines.

/// The closest candidates to `wanted` by edit distance, for "did you mean" help lines.
/// Linear in the number of candidates; callers that look up many misses against the same
/// names (every broken link of a site) prepare them once with [`Candidates`].
pub(crate) fn suggest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    Candidates::new(candidates)
        .suggest(wanted)
        .into_iter()
        .copied()
        .collect()
}

/// Names prepared for many [`suggest`] lookups: lowercased once, with their lengths, so that a
/// site with thousands of broken links does not lowercase and compare every name in full for
/// each of them (2,000 broken links on a 10,000-page site took 90 s before).
pub(crate) struct Candidates<T> {
    /// (name as given, lowercased, its characters), without duplicates.
    items: Vec<(T, String, Vec<char>)>,
}

impl<T: AsRef<str>> Candidates<T> {
    pub(crate) fn new(names: impl IntoIterator<Item = T>) -> Candidates<T> {
        let mut seen = std::collections::HashSet::new();
        let items = names
            .into_iter()
            .filter(|n| seen.insert(n.as_ref().to_string()))
            .map(|n| {
                let lower = n.as_ref().to_lowercase();
                let chars = lower.chars().collect();
                (n, lower, chars)
            })
            .collect();
        Candidates { items }
    }

    /// The (at most three) closest names to `wanted`, closest first.
    pub(crate) fn suggest(&self, wanted: &str) -> Vec<&T> {
        let wanted_lower = wanted.to_lowercase();
        let wanted_chars: Vec<char> = wanted_lower.chars().collect();
        let wanted_len = wanted_chars.len();
        let limit = (wanted_len / 3).max(1) + usize::from(wanted_len > 6);
        let mut rows = Default::default();
        let mut scored: Vec<(usize, &str, &T)> = self
            .items
            .iter()
            .filter_map(|(c, lower, chars)| {
                let len = chars.len();
                // A prefix or fragment counts only when it is most of the longer name: `开营`
                // for `开营仪式`, not `a` for every name holding an `a`.
                let (short, long) = (len.min(wanted_len), len.max(wanted_len));
                let fragment = short >= 2
                    && short * 2 >= long
                    && (lower.contains(&wanted_lower) || wanted_lower.contains(lower.as_str()));
                let d = if fragment {
                    // A prefix or fragment ("开营" for "开营仪式") is a likely intent.
                    len.abs_diff(wanted_len).min(limit)
                } else if len.abs_diff(wanted_len) > limit {
                    // The edit distance is at least the difference in length.
                    return None;
                } else {
                    bounded_distance(&wanted_chars, chars, limit, &mut rows)?
                };
                Some((d, c.as_ref(), c))
            })
            .collect();
        scored.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        scored.into_iter().take(3).map(|(_, _, c)| c).collect()
    }
}

/// [`levenshtein`] when it is at most `limit`, else None; stops as soon as the distance is
/// known to exceed the limit.
/// `rows` is scratch space, reused across calls.
pub(super) fn bounded_distance(
    a: &[char],
    b: &[char],
    limit: usize,
    rows: &mut [Vec<usize>; 3],
) -> Option<usize> {
    let w = b.len() + 1;
    // Three rows: the optimal-string-alignment step looks two rows back.
    for row in rows.iter_mut() {
        row.clear();
        row.resize(w, 0);
    }
    for (j, v) in rows[2].iter_mut().enumerate() {
        *v = j;
    }
    let mut prev_min = 0;
    for i in 1..=a.len() {
        rows.rotate_left(1);
        let [two_back, prev, cur] = &mut *rows;
        cur[0] = i;
        let mut row_min = i;
        for j in 1..w {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(two_back[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        // Every later row is at least the smaller minimum of the last two.
        if row_min > limit && prev_min > limit {
            return None;
        }
        prev_min = row_min;
    }
    let d = rows[2][w - 1];
    (d <= limit).then_some(d)
}

/// Edit distance over characters (not bytes), so one CJK typo counts as one edit; swapping two
/// neighbours (`titel` → `title`) counts as one edit too (optimal string alignment).
pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// Formats a "did you mean" help from suggestions, or nothing.
pub(crate) fn did_you_mean(suggestions: &[&str], wrap: impl Fn(&str) -> String) -> Option<String> {
    match suggestions {
        [] => None,
        [one] => Some(format!("did you mean {}?", wrap(one))),
        many => Some(format!(
            "did you mean one of {}?",
            many.iter().map(|s| wrap(s)).collect::<Vec<_>>().join(", ")
        )),
    }
}
