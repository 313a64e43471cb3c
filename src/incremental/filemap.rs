//! The dev server's output set: every file of the site by path, held in memory.
//!
//! A rebuild that changes a handful of files must not pay for the thousands it keeps, and the
//! HTTP workers must go on reading the previous set while it runs. So the map is split into
//! shards behind `Arc`s: a snapshot is a clone of the shard pointers, and a change copies only
//! the shard it lands in (copy-on-write through `Arc::make_mut`).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Shards of a [`FileMap`]; at 20,000 files each holds about 80.
const SHARDS: usize = 256;

type Shard = HashMap<String, Arc<[u8]>>;

/// Output files by path below the output root (see the module documentation).
#[derive(Clone)]
pub struct FileMap {
    shards: Vec<Arc<Shard>>,
    len: usize,
}

impl Default for FileMap {
    fn default() -> Self {
        FileMap {
            shards: (0..SHARDS).map(|_| Arc::new(Shard::new())).collect(),
            len: 0,
        }
    }
}

fn shard_of(path: &str) -> usize {
    let mut h = rustc_hash::FxHasher::default();
    path.hash(&mut h);
    (h.finish() >> 56) as usize % SHARDS
}

impl FileMap {
    /// An empty set.
    pub fn new() -> FileMap {
        FileMap::default()
    }

    /// The bytes of `path`.
    pub fn get(&self, path: &str) -> Option<&Arc<[u8]>> {
        self.shards[shard_of(path)].get(path)
    }

    /// Whether `path` is in the set.
    pub fn contains_key(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// Adds or replaces `path`, returning the bytes it had.
    pub fn insert(&mut self, path: String, bytes: Arc<[u8]>) -> Option<Arc<[u8]>> {
        let old = Arc::make_mut(&mut self.shards[shard_of(&path)]).insert(path, bytes);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    /// Removes `path`, returning its bytes.
    pub fn remove(&mut self, path: &str) -> Option<Arc<[u8]>> {
        let shard = &mut self.shards[shard_of(path)];
        if !shard.contains_key(path) {
            return None;
        }
        let old = Arc::make_mut(shard).remove(path);
        self.len -= 1;
        old
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every file, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Arc<[u8]>)> {
        self.shards.iter().flat_map(|s| s.iter())
    }
}

impl FromIterator<(String, Arc<[u8]>)> for FileMap {
    fn from_iter<I: IntoIterator<Item = (String, Arc<[u8]>)>>(iter: I) -> FileMap {
        let mut m = FileMap::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_keeps_its_files_while_the_set_changes() {
        let mut m: FileMap = (0..1000)
            .map(|i| (format!("p{i}/index.html"), Arc::from(&b"old"[..])))
            .collect();
        let snapshot = m.clone();
        m.insert("p1/index.html".into(), Arc::from(&b"new"[..]));
        m.remove("p2/index.html");
        m.insert("new/index.html".into(), Arc::from(&b"x"[..]));
        assert_eq!(&**snapshot.get("p1/index.html").unwrap(), b"old");
        assert!(snapshot.contains_key("p2/index.html"));
        assert!(!snapshot.contains_key("new/index.html"));
        assert_eq!(&**m.get("p1/index.html").unwrap(), b"new");
        assert!(!m.contains_key("p2/index.html"));
        assert_eq!((snapshot.len(), m.len()), (1000, 1000));
        assert_eq!(m.iter().count(), 1000);
        assert_eq!(m.remove("p2/index.html"), None);
    }
}
