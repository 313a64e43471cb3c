//! The `schedule` field type: when a ritual happens in a cohort. Days are counted from the
//! opening day D0; the cohort's last day (结营日) is D`cohort_days`.

/// Day of week, Monday first (the run sheet assumes D0 is a Monday until the reader gives a
/// start date).
pub(crate) const WEEKDAYS_EN: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WEEKDAYS_ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

/// The accepted forms, as the error's help line lists them.
pub(crate) const FORMS: &str = "D-7, D0, D1-D3, 每天/daily, 每周三/weekly:wed, 每两周/biweekly, 每月/monthly, 结营日/end, 结营+3/end+3, 结营-2/end-2";

/// A parsed `schedule` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Schedule {
    /// `D-7`, `D0`, `D1-D3`: days relative to the opening day (`from == to` for one day).
    Days { from: i32, to: i32 },
    /// `每天` / `daily`.
    Daily,
    /// `每周三` / `weekly:wed`: weekday 0 = Monday.
    Weekly(u8),
    /// `每两周` / `biweekly`: every fourteenth day after the opening.
    Biweekly,
    /// `每月` / `monthly`: every thirtieth day after the opening.
    Monthly,
    /// `结营日` / `end` (offset 0), `结营+3` / `end+3`, `结营-2` / `end-2`.
    End(i32),
}

impl Schedule {
    /// Parses a written schedule; `None` for anything that is not one of [`FORMS`].
    pub(crate) fn parse(s: &str) -> Option<Schedule> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        match lower.as_str() {
            "每天" | "daily" => return Some(Schedule::Daily),
            "每两周" | "biweekly" => return Some(Schedule::Biweekly),
            "每月" | "monthly" => return Some(Schedule::Monthly),
            "结营日" | "结营" | "end" => return Some(Schedule::End(0)),
            _ => {}
        }
        if let Some(day) = lower.strip_prefix("weekly:") {
            return WEEKDAYS_EN
                .iter()
                .position(|d| *d == day)
                .map(|i| Schedule::Weekly(i as u8));
        }
        if let Some(day) = s.strip_prefix("每周") {
            let day = day.strip_prefix('星').unwrap_or(day);
            let day = if day == "天" { "日" } else { day };
            return WEEKDAYS_ZH
                .iter()
                .position(|d| *d == day)
                .map(|i| Schedule::Weekly(i as u8));
        }
        for prefix in ["结营", "end"] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                return signed(rest).map(Schedule::End);
            }
        }
        let rest = lower.strip_prefix('d')?;
        // `D1-D3` (or `D1-3`); a leading minus is the sign of the first day, not a range.
        let split = rest
            .char_indices()
            .skip(1)
            .find(|&(_, c)| c == '-' || c == '~' || c == '–')
            .map(|(i, c)| (i, c.len_utf8()));
        match split {
            Some((i, len)) => {
                let from = day_number(&rest[..i])?;
                let second = &rest[i + len..];
                let to = day_number(second.strip_prefix('d').unwrap_or(second))?;
                (from <= to).then_some(Schedule::Days { from, to })
            }
            None => day_number(rest).map(|d| Schedule::Days { from: d, to: d }),
        }
    }

    /// The days it falls on in a cohort of `cohort_days` days (D0 to D`cohort_days`), sorted.
    /// Recurring forms fall inside the cohort only; `start_weekday` is the weekday of D0
    /// (0 = Monday).
    pub(crate) fn days(&self, cohort_days: i32, start_weekday: u8) -> Vec<i32> {
        let end = cohort_days;
        match *self {
            Schedule::Days { from, to } => (from..=to).collect(),
            Schedule::Daily => (1..=end).collect(),
            Schedule::Weekly(wd) => {
                let first = (i32::from(wd) - i32::from(start_weekday)).rem_euclid(7);
                (first..=end).step_by(7).collect()
            }
            Schedule::Biweekly => (14..=end).step_by(14).collect(),
            Schedule::Monthly => (30..=end).step_by(30).collect(),
            Schedule::End(off) => vec![end + off],
        }
    }

    /// Whether it repeats through the cohort rather than falling on given days.
    pub(crate) fn is_recurring(&self) -> bool {
        matches!(
            self,
            Schedule::Daily | Schedule::Weekly(_) | Schedule::Biweekly | Schedule::Monthly
        )
    }

    /// The order of rituals by schedule: the first day it falls on (with D0 a Monday and the
    /// cohort `cohort_days` long, recurring ones as if it never ended), then one-off before
    /// recurring.
    pub(crate) fn sort_key(&self, cohort_days: i32) -> (i32, bool) {
        let first = match *self {
            Schedule::Days { from, .. } => from,
            Schedule::Daily => 1,
            Schedule::Weekly(wd) => i32::from(wd),
            Schedule::Biweekly => 14,
            Schedule::Monthly => 30,
            Schedule::End(off) => cohort_days + off,
        };
        (first, self.is_recurring())
    }

    /// The canonical written form (`D1-D3`, `weekly:wed`, `end+3`): what the theme's scripts
    /// read back.
    pub(crate) fn code(&self) -> String {
        match *self {
            Schedule::Days { from, to } if from == to => format!("D{from}"),
            Schedule::Days { from, to } => format!("D{from}-D{to}"),
            Schedule::Daily => "daily".into(),
            Schedule::Weekly(wd) => format!("weekly:{}", WEEKDAYS_EN[usize::from(wd) % 7]),
            Schedule::Biweekly => "biweekly".into(),
            Schedule::Monthly => "monthly".into(),
            Schedule::End(0) => "end".into(),
            Schedule::End(off) => format!("end{off:+}"),
        }
    }

    /// How a reader sees it, in the site's language.
    pub(crate) fn label(&self, zh: bool) -> String {
        let d = |n: i32| format!("D{n}");
        match *self {
            Schedule::Days { from, to } if from == to => d(from),
            Schedule::Days { from, to } => format!("{}–{}", d(from), d(to)),
            Schedule::Daily if zh => "每天".into(),
            Schedule::Daily => "Daily".into(),
            Schedule::Weekly(wd) if zh => format!("每周{}", WEEKDAYS_ZH[usize::from(wd) % 7]),
            Schedule::Weekly(wd) => {
                let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
                format!("Weekly, {}", names[usize::from(wd) % 7])
            }
            Schedule::Biweekly if zh => "每两周".into(),
            Schedule::Biweekly => "Every two weeks".into(),
            Schedule::Monthly if zh => "每月".into(),
            Schedule::Monthly => "Monthly".into(),
            Schedule::End(0) if zh => "结营日".into(),
            Schedule::End(0) => "Closing day".into(),
            Schedule::End(off) if zh => format!("结营{off:+}天"),
            Schedule::End(off) => format!("Closing day {off:+}"),
        }
    }
}

/// `+3`, `-2`, `3`; empty is not a number.
fn signed(s: &str) -> Option<i32> {
    let s = s.trim();
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() || digits == "-" {
        return None;
    }
    digits.parse().ok().filter(|n: &i32| n.abs() <= 3650)
}

fn day_number(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.starts_with('+') {
        return None;
    }
    signed(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses_and_prints_back() {
        let cases = [
            ("D-7", "D-7"),
            ("D0", "D0"),
            ("d3", "D3"),
            ("D1-D3", "D1-D3"),
            ("D1-3", "D1-D3"),
            ("D-3-D-1", "D-3-D-1"),
            ("每天", "daily"),
            ("daily", "daily"),
            ("每周三", "weekly:wed"),
            ("每周日", "weekly:sun"),
            ("weekly:wed", "weekly:wed"),
            ("每两周", "biweekly"),
            ("biweekly", "biweekly"),
            ("每月", "monthly"),
            ("monthly", "monthly"),
            ("结营日", "end"),
            ("end", "end"),
            ("结营+3", "end+3"),
            ("end+3", "end+3"),
            ("结营-2", "end-2"),
            ("end-2", "end-2"),
        ];
        for (written, code) in cases {
            let s = Schedule::parse(written).unwrap_or_else(|| panic!("{written}"));
            assert_eq!(s.code(), code, "{written}");
            assert_eq!(Schedule::parse(&s.code()), Some(s));
        }
        for bad in [
            "",
            "D",
            "D+3",
            "D3-D1",
            "每周",
            "weekly:xyz",
            "结营+",
            "明天",
            "D1-",
            "end*2",
        ] {
            assert_eq!(Schedule::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_in_a_cohort() {
        assert_eq!(Schedule::parse("D1-D3").unwrap().days(21, 0), [1, 2, 3]);
        assert_eq!(Schedule::Weekly(2).days(21, 0), [2, 9, 16]);
        // A cohort opening on a Thursday: the first Wednesday is D6.
        assert_eq!(Schedule::Weekly(2).days(21, 3), [6, 13, 20]);
        assert_eq!(Schedule::Biweekly.days(30, 0), [14, 28]);
        assert_eq!(Schedule::End(3).days(21, 0), [24]);
        assert_eq!(Schedule::Daily.days(3, 0), [1, 2, 3]);
        assert!(Schedule::Monthly.days(21, 0).is_empty());
    }
}
