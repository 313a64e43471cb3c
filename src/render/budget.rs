//! The render budget. A theme comes with a cloned site, and a template can loop without end
//! (nested loops over `range`, components calling themselves): instead of hanging the build or
//! the dev server, a page's render stops once it has produced too many loop items or too many
//! bytes, with an error naming the template. Both limits are far above any real page: the
//! largest pages of the tests (50 MB of Markdown) stay well under them.

use std::cell::Cell;
use std::io::Write;

use tera::{Kwargs, State, TeraResult};

/// Items `range()` may produce over one render (Tera's own limit is per call, 100,000, so two
/// nested loops could still run ten billion times).
pub(super) const MAX_RANGE_ITEMS: u64 = 2_000_000;

/// Bytes one render may write.
pub(super) const MAX_OUTPUT: usize = 512 << 20;

thread_local! {
    /// Range items produced by the render running on this thread (Tera renders on its caller's
    /// thread, one render at a time).
    static SPENT: Cell<u64> = const { Cell::new(0) };
}

/// Starts a render's budget on this thread.
pub(super) fn start() {
    SPENT.with(|s| s.set(0));
}

/// `range(end=…, start=0, step_by=1)` as Tera defines it, counted against the budget.
pub(super) fn range(kwargs: Kwargs, _: &State) -> TeraResult<Vec<i64>> {
    let start = kwargs.get::<i64>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i64>("end")?;
    let step = kwargs.get::<i64>("step_by")?.unwrap_or(1);
    if step == 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `step_by` argument of 0",
        ));
    }
    if start > end && step > 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    let span = i128::from(end) - i128::from(start);
    let len = if (span > 0) == (step > 0) && span != 0 {
        let step = i128::from(step);
        ((span.abs() + step.abs() - 1) / step.abs()) as u64
    } else {
        0
    };
    let spent = SPENT.with(|s| s.get()).saturating_add(len);
    if len > 100_000 || spent > MAX_RANGE_ITEMS {
        return Err(tera::Error::message(format!(
            "render budget exceeded: loops over `range` would go past {MAX_RANGE_ITEMS} items on \
             one page (a loop that never ends?)"
        )));
    }
    SPENT.with(|s| s.set(spent));
    Ok((0..len as i64).map(|i| start + i * step).collect())
}

/// A page's output buffer that refuses to grow past [`MAX_OUTPUT`].
pub(super) struct Capped<'a>(pub &'a mut Vec<u8>);

/// What a [`Capped`] write fails with, so the caller can tell the budget from other errors.
pub(super) const OVER: &str = "qunce render budget: output limit";

impl Write for Capped<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_OUTPUT {
            return Err(std::io::Error::other(OVER));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    /// Tera writes a page in hundreds of small pieces through `write_all`; one check and one
    /// copy each, rather than the default's loop around [`Capped::write`].
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.write(buf).map(|_| ())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
