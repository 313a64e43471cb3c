//! Natural order for titles and file names: runs of digits compare by their value, so
//! `第 2 期` comes before `第 10 期` and `issue-9.md` before `issue-10.md`, as a reader counts
//! rather than as bytes sort.

use std::cmp::Ordering;

/// Compares two strings in natural order. Digit runs compare by value (leading zeros do not
/// count, then the run with fewer of them first, so the order stays total); everything else
/// compares character by character.
pub(crate) fn cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (da, ra) = split_digits(a);
                let (db, rb) = split_digits(b);
                let (va, vb) = (trim_zeros(da), trim_zeros(db));
                // Same length of significant digits: byte order is numeric order.
                let by_value = va.len().cmp(&vb.len()).then_with(|| va.cmp(vb));
                let by_zeros = da.len().cmp(&db.len());
                match by_value.then(by_zeros) {
                    Ordering::Equal => (a, b) = (ra, rb),
                    other => return other,
                }
            }
            // Bytes of UTF-8 compare as their characters do, so a run of non-digits compares
            // byte by byte up to the next digit.
            (Some(x), Some(y)) => match x.cmp(y) {
                Ordering::Equal => (a, b) = (&a[1..], &b[1..]),
                other => return other,
            },
        }
    }
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    s.split_at(n)
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&c| c == b'0').count();
    &digits[zeros..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value() {
        let mut v = vec![
            "第 10 期",
            "第 2 期",
            "第 1 期",
            "issue-10",
            "issue-9",
            "a",
            "a1",
            "a01",
            "a001b",
            "b",
            "x99999999999999999999999",
            "x100000000000000000000000",
        ];
        v.sort_by(|a, b| cmp(a, b));
        assert_eq!(
            v,
            [
                "a",
                "a1",
                "a01",
                "a001b",
                "b",
                "issue-9",
                "issue-10",
                "x99999999999999999999999",
                "x100000000000000000000000",
                "第 1 期",
                "第 2 期",
                "第 10 期",
            ]
        );
        assert_eq!(cmp("开营", "开营"), Ordering::Equal);
        assert_eq!(cmp("开营2", "开营10"), Ordering::Less);
    }
}
