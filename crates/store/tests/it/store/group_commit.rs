//! Writes that arrive together share one commit, and each is still its own: a refused one
//! leaves nothing, a panicking one leaves nothing, the others are all there once committed,
//! and a write returns only after its group's commit. Reads see only what is committed and
//! do not wait for writes.

use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use store::{Error, Store};

use super::{database_file, now};

/// A write that holds the store's writing connection, having set `held` in its
/// transaction, so that other writes line up behind it.
struct Held {
    release: mpsc::Sender<()>,
    writer: std::thread::JoinHandle<()>,
}

impl Held {
    fn connection(store: &Arc<Store>) -> Self {
        let (release, released) = mpsc::channel::<()>();
        let (holding, held) = mpsc::channel::<()>();
        let store = store.clone();
        let writer = std::thread::spawn(move || {
            store
                .write(|w| {
                    w.set_setting("held", "written", now())?;
                    holding.send(()).unwrap();
                    released.recv().unwrap();
                    Ok::<_, Error>(())
                })
                .unwrap();
        });
        held.recv().unwrap();
        Self { release, writer }
    }

    /// Lets the connection go once `count` writers wait for it.
    fn release_once_waiting(self, store: &Store, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while store.writers_waiting() < count {
            assert!(Instant::now() < deadline, "the writers never lined up");
            std::thread::sleep(Duration::from_millis(5));
        }
        self.release.send(()).unwrap();
        self.writer.join().unwrap();
    }
}

#[test]
fn a_read_neither_waits_for_a_write_nor_sees_it_before_its_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&database_file(&dir)).unwrap());
    let held = Held::connection(&store);
    // Were reads queued behind the write, this one would never return while it is held.
    let during = store.read(|r| r.setting("held")).unwrap();
    assert_eq!(during, None, "a read saw a write that is not committed");
    held.release_once_waiting(&store, 0);
    let after = store.read(|r| r.setting("held")).unwrap();
    assert_eq!(after.as_deref(), Some("written"));
}

#[test]
fn writes_that_wait_together_are_committed_together_and_each_stays_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&database_file(&dir)).unwrap());
    let before = store.commits();
    // A write holds the connection while eight writes line up behind it.
    let held = Held::connection(&store);
    let path = database_file(&dir);
    let writers: Vec<_> = (0..8)
        .map(|n| {
            let (store, path) = (store.clone(), path.clone());
            std::thread::spawn(move || {
                let written = store.write(|w| {
                    w.set_setting(&format!("key-{n}"), "written", now())?;
                    if n % 4 == 3 {
                        // Refused after it wrote: nothing of it may stay.
                        return Err(Error::Corrupt(format!("write {n} refused")));
                    }
                    Ok(())
                });
                // Acknowledged means committed: another connection sees it at once.
                let seen: Option<String> = rusqlite::Connection::open(&path)
                    .unwrap()
                    .query_row(
                        "SELECT value FROM settings WHERE key = ?1",
                        [format!("key-{n}")],
                        |row| row.get(0),
                    )
                    .ok();
                (written, seen)
            })
        })
        .collect();
    held.release_once_waiting(&store, 8);
    let outcomes: Vec<_> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    for (n, (outcome, seen)) in outcomes.iter().enumerate() {
        assert_eq!(outcome.is_ok(), n % 4 != 3, "write {n}: {outcome:?}");
        assert_eq!(
            seen.is_some(),
            outcome.is_ok(),
            "write {n} was answered before its commit"
        );
    }
    let commits = store.commits() - before;
    assert!(
        (1..=2).contains(&commits),
        "writes that waited together took {commits} commits"
    );
    drop(store);

    // What was acknowledged is on disk, what was refused is not.
    let reopened = Store::open(&database_file(&dir)).unwrap();
    for n in 0..8 {
        let value = reopened.read(|r| r.setting(&format!("key-{n}"))).unwrap();
        assert_eq!(value.is_some(), n % 4 != 3, "key-{n}: {value:?}");
    }
}

#[test]
fn a_write_that_panics_in_a_group_leaves_nothing_and_the_group_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&database_file(&dir)).unwrap());
    let before = store.commits();
    // A write holds the connection while the others line up: they join one group.
    let held = Held::connection(&store);
    let spawn = |n: usize, panics: bool| {
        let store = store.clone();
        std::thread::spawn(move || {
            store.write(|w| {
                w.set_setting(&format!("key-{n}"), "written", now())?;
                assert!(!panics, "write {n} fails midway");
                Ok::<_, Error>(())
            })
        })
    };
    let writers: Vec<_> = (0..4).map(|n| spawn(n, n == 2)).collect();
    held.release_once_waiting(&store, 4);
    for (n, writer) in writers.into_iter().enumerate() {
        let joined = writer.join();
        if n == 2 {
            assert!(joined.is_err(), "write 2 panicked");
        } else {
            assert!(joined.unwrap().is_ok(), "write {n}");
        }
    }
    assert!(store.commits() - before <= 2, "the writes were not grouped");
    // The store goes on: the next write works and the panicking one left nothing.
    store
        .write(|w| w.set_setting("after", "written", now()))
        .unwrap();
    let read = |key: &str| store.read(|r| r.setting(key)).unwrap();
    for n in [0, 1, 3] {
        assert!(read(&format!("key-{n}")).is_some(), "key-{n}");
    }
    assert!(read("key-2").is_none());
    assert!(read("after").is_some());
}
