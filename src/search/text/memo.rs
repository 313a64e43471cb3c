//! A bounded per-thread memory of a pure function of a string, for the search stage's parallel
//! extraction: each thread keeps its own, so no lookup waits on a lock, and the bound keeps a
//! site of unusual text from growing it without end (past it, values are computed every time).

use std::cell::RefCell;
use std::thread::LocalKey;

use rustc_hash::FxHashMap;

/// The per-thread map a [`Memo`] reads and fills.
pub(crate) type Cell<V> = RefCell<FxHashMap<Box<str>, V>>;

/// A `thread_local!` [`Cell`] and its bound.
pub(crate) struct Memo<V: 'static> {
    pub(crate) cell: &'static LocalKey<Cell<V>>,
    pub(crate) max_entries: usize,
}

impl<V: 'static> Memo<V> {
    /// Calls `use_value` with the remembered value of `key` and returns true, or returns false
    /// when this thread has none. Only a shared borrow: should `use_value` reach this memo
    /// again, that call still reads it.
    pub(crate) fn get(&self, key: &str, use_value: impl FnOnce(&V)) -> bool {
        self.cell.with(|m| {
            let Ok(m) = m.try_borrow() else {
                return false;
            };
            match m.get(key) {
                Some(v) => {
                    use_value(v);
                    true
                }
                None => false,
            }
        })
    }

    /// Remembers `value` for `key` on this thread, unless the bound is reached (or the map is
    /// being read further up the stack).
    pub(crate) fn put(&self, key: &str, value: impl FnOnce() -> V) {
        self.cell.with(|m| {
            if let Ok(mut m) = m.try_borrow_mut()
                && m.len() < self.max_entries
            {
                m.insert(key.into(), value());
            }
        });
    }
}
