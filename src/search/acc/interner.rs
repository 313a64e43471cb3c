//! The string table [`super::Acc`] keeps a page's terms in.

use std::hash::BuildHasher;

/// Strings numbered 0, 1, 2 … in the order they came, kept end to end in one buffer and found
/// through one open-addressing table: a page's strings cost a few allocations, not one each.
#[derive(Default)]
pub(super) struct Interner {
    pub(super) text: String,
    /// Each string's place in `text`, and its hash (0: not in the table, see
    /// [`Interner::push`]).
    pub(super) spans: Vec<(u32, u32, u32)>,
    /// String number + 1 by hash slot (0: empty); a power of two, at most half full.
    pub(super) slots: Vec<u32>,
    pub(super) hashed: usize,
}

impl Interner {
    /// Empties it for a page, keeping its buffers: sized for `strings` strings of `bytes` in
    /// all, or as a larger page left them (but not much larger, or clearing would cost more
    /// than allocating).
    pub(super) fn reset(&mut self, bytes: usize, strings: usize) {
        self.text.clear();
        self.text.reserve(bytes);
        self.spans.clear();
        let slots = (strings * 2).next_power_of_two();
        if self.slots.len() < slots || self.slots.len() > slots * 8 {
            self.slots = vec![0; slots];
        } else {
            self.slots.fill(0);
        }
        self.hashed = 0;
    }

    /// The hash the table files `s` under (never 0).
    pub(super) fn hash(s: &str) -> u32 {
        rustc_hash::FxBuildHasher.hash_one(s) as u32 | 1
    }

    /// Where `s` is or would go: `Ok(number)` or `Err((hash, empty slot))`.
    pub(super) fn lookup(&self, s: &str) -> Result<usize, (u32, usize)> {
        self.lookup_hashed(s, Interner::hash(s))
    }

    /// [`Interner::lookup`] of `s` whose [`Interner::hash`] is `hash`.
    pub(super) fn lookup_hashed(&self, s: &str, hash: u32) -> Result<usize, (u32, usize)> {
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            match self.slots[at] {
                0 => return Err((hash, at)),
                n => {
                    let (a, b, h) = self.spans[n as usize - 1];
                    // Bytes, not `str` slicing: no character boundaries to check.
                    if h == hash
                        && self
                            .text
                            .as_bytes()
                            .get(a as usize..b as usize)
                            .is_some_and(|t| same(t, s.as_bytes()))
                    {
                        return Ok(n as usize - 1);
                    }
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// The number of `s`, if it is in.
    pub(super) fn find(&self, s: &str) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        self.lookup(s).ok()
    }

    /// String number `n`.
    pub(super) fn get(&self, n: usize) -> &str {
        let (a, b, _) = self.spans[n];
        &self.text[a as usize..b as usize]
    }

    /// The number of `s`, and whether it is new.
    pub(super) fn intern(&mut self, s: &str) -> (usize, bool) {
        self.intern_hashed(s, Interner::hash(s))
    }

    /// [`Interner::intern`] of `s` whose [`Interner::hash`] is `hash`.
    pub(super) fn intern_hashed(&mut self, s: &str, hash: u32) -> (usize, bool) {
        if self.slots.is_empty() {
            self.slots = vec![0; 16];
        }
        let (hash, at) = match self.lookup_hashed(s, hash) {
            Ok(n) => return (n, false),
            Err(place) => place,
        };
        let n = self.push(s, hash);
        self.slots[at] = n as u32 + 1;
        self.hashed += 1;
        if self.hashed * 2 > self.slots.len() {
            self.grow();
        }
        (n, true)
    }

    /// Appends `s` as a new string; with `hash` 0 it is left out of the table, for a caller
    /// that finds it another way.
    pub(super) fn push(&mut self, s: &str, hash: u32) -> usize {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        self.spans.push((start, self.text.len() as u32, hash));
        self.spans.len() - 1
    }

    pub(super) fn grow(&mut self) {
        let mut slots = vec![0u32; self.slots.len() * 2];
        let mask = slots.len() - 1;
        for (n, &(_, _, hash)) in self.spans.iter().enumerate() {
            if hash == 0 {
                continue;
            }
            let mut at = hash as usize & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = n as u32 + 1;
        }
        self.slots = slots;
    }
}

/// Whether `a` and `b` are equal, for the short strings the table holds (words, bigrams):
/// compared as a few overlapping machine words where a call to `memcmp` was a third of a
/// lookup.
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default()))
    };
    let half = |s: &[u8], at: usize| {
        s.get(at..at + 4)
            .map(|w| u32::from_le_bytes(w.try_into().unwrap_or_default()))
    };
    match n {
        0..=3 => a == b,
        4..=8 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        9..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_is_byte_equality() {
        let words: Vec<String> = (0..40)
            .map(|n| "abcdefghijklmnopqrstuvwxyz0123456789".repeat(2)[..n].to_string())
            .collect();
        for a in &words {
            for b in &words {
                let mut c = b.clone().into_bytes();
                for i in 0..c.len() {
                    c[i] ^= 1;
                    assert_eq!(super::same(a.as_bytes(), &c), a.as_bytes() == c);
                    c[i] ^= 1;
                }
                assert_eq!(super::same(a.as_bytes(), b.as_bytes()), a == b);
            }
        }
    }
}
