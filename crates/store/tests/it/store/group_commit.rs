//! Writes that arrive together share one commit, and each is still its own: a refused one
//! leaves nothing, a panicking one leaves nothing, the others are all there once committed,
//! and a write returns only after its group's commit.

use std::sync::{Arc, Barrier, mpsc};
use std::time::{Duration, Instant};

use store::{Error, Store};

use super::{database_file, now};

/// Waits until `count` writers wait for the connection.
fn until_waiting(store: &Store, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while store.writers_waiting() < count {
        assert!(Instant::now() < deadline, "the writers never lined up");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn writes_that_wait_together_are_committed_together_and_each_stays_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&database_file(&dir)).unwrap());
    let before = store.commits();
    // A read holds the connection while eight writes line up behind it.
    let (release, released) = mpsc::channel::<()>();
    let (holding, held) = mpsc::channel::<()>();
    let reader = {
        let store = store.clone();
        std::thread::spawn(move || {
            store
                .read(|_| {
                    holding.send(()).unwrap();
                    released.recv().unwrap();
                    Ok::<_, Error>(())
                })
                .unwrap();
        })
    };
    held.recv().unwrap();
    let writers: Vec<_> = (0..8)
        .map(|n| {
            let store = store.clone();
            std::thread::spawn(move || {
                store.write(|w| {
                    w.set_setting(&format!("key-{n}"), "written", now())?;
                    if n % 4 == 3 {
                        // Refused after it wrote: nothing of it may stay.
                        return Err(Error::Corrupt(format!("write {n} refused")));
                    }
                    Ok(())
                })
            })
        })
        .collect();
    until_waiting(&store, 8);
    release.send(()).unwrap();
    reader.join().unwrap();
    let outcomes: Vec<_> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    for (n, outcome) in outcomes.iter().enumerate() {
        assert_eq!(outcome.is_ok(), n % 4 != 3, "write {n}: {outcome:?}");
    }
    let commits = store.commits() - before;
    assert!(
        (1..=2).contains(&commits),
        "six writes that waited together took {commits} commits"
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
    let start = Arc::new(Barrier::new(3));
    let spawn = |n: usize, panics: bool| {
        let (store, start) = (store.clone(), start.clone());
        std::thread::spawn(move || {
            start.wait();
            store.write(|w| {
                w.set_setting(&format!("key-{n}"), "written", now())?;
                assert!(!panics, "write {n} fails midway");
                Ok::<_, Error>(())
            })
        })
    };
    let good = spawn(0, false);
    let bad = spawn(1, true);
    start.wait();
    assert!(good.join().unwrap().is_ok());
    assert!(bad.join().is_err(), "the second write panicked");
    // The store goes on: the next write works and the panicking one left nothing.
    store
        .write(|w| w.set_setting("after", "written", now()))
        .unwrap();
    let read = |key: &str| store.read(|r| r.setting(key)).unwrap();
    assert!(read("key-0").is_some());
    assert!(read("key-1").is_none());
    assert!(read("after").is_some());
}
