//! The store's contract, part 4: the job queue (unique keys, due dates, leases, retries,
//! concurrent claims), backups, and the store's own life cycle.

#[macro_use]
mod common;

use std::collections::HashSet;

use common::*;
use tillit_domain::job::Job;
use tillit_store::{Backend, Store, StoreError};

async fn claim(store: &Store, worker: &str, at_mins: i64) -> Option<Job> {
    store
        .claim_job(worker, t0() + mins(at_mins), t0() + mins(at_mins + 5))
        .await
        .expect("claim_job")
}

// ---- jobs -------------------------------------------------------------------------------

contract!(a_unique_key_queues_a_job_once, |store: Store| async move {
    assert!(
        store
            .enqueue_job("report", "{}", Some("daily:2026-01-15"), t0())
            .await
            .unwrap()
    );
    assert!(
        !store
            .enqueue_job("report", "{\"again\":1}", Some("daily:2026-01-15"), t0())
            .await
            .unwrap(),
        "the same key again is not new"
    );
    assert!(
        store
            .enqueue_job("report", "{}", Some("daily:2026-01-16"), t0())
            .await
            .unwrap()
    );
    assert!(
        store.enqueue_job("mail", "a", None, t0()).await.unwrap(),
        "no key: always new"
    );
    assert!(store.enqueue_job("mail", "a", None, t0()).await.unwrap());
    let mut claimed = Vec::new();
    while let Some(job) = claim(&store, "w", 0).await {
        claimed.push((job.kind, job.payload));
    }
    assert_eq!(claimed.len(), 4, "four jobs were queued: {claimed:?}");
    assert!(
        claimed.contains(&("report".into(), "{}".into()))
            && !claimed.iter().any(|(_, p)| p.contains("again")),
        "the first payload of a key is kept: {claimed:?}"
    );
});

contract!(
    jobs_are_claimed_when_due_and_leased,
    |store: Store| async move {
        store.enqueue_job("first", "p1", None, t0()).await.unwrap();
        store
            .enqueue_job("later", "p2", None, t0() + mins(10))
            .await
            .unwrap();
        assert_eq!(
            claim(&store, "w", -1).await,
            None,
            "nothing is due before its run_at"
        );

        let job = claim(&store, "w1", 0).await.expect("the due job");
        assert_eq!(
            (job.kind.as_str(), job.payload.as_str(), job.attempts),
            ("first", "p1", 1)
        );
        assert_eq!(
            claim(&store, "w2", 0).await,
            None,
            "leased, and the other is not due"
        );
        assert_eq!(
            claim(&store, "w2", 4).await,
            None,
            "still leased (until +5)"
        );

        // The worker died: after the lease, the job is claimed again.
        let again = claim(&store, "w2", 6)
            .await
            .expect("claimed again after the lease");
        assert_eq!(
            (again.id, again.attempts),
            (job.id, 2),
            "the same job, second attempt"
        );
        store.complete_job(again.id, t0() + mins(7)).await.unwrap();
        assert_eq!(
            claim(&store, "w3", 9).await,
            None,
            "a completed job is not claimed"
        );

        let later = claim(&store, "w1", 10).await.expect("due at +10");
        assert_eq!(later.kind, "later");
        store
            .fail_job(
                later.id,
                "smtp down",
                Some(t0() + mins(20)),
                t0() + mins(11),
            )
            .await
            .unwrap();
        assert_eq!(claim(&store, "w1", 19).await, None, "rescheduled to +20");
        let retry = claim(&store, "w1", 20).await.expect("retried at +20");
        assert_eq!((retry.id, retry.attempts), (later.id, 2));
        store
            .fail_job(retry.id, "smtp still down", None, t0() + mins(21))
            .await
            .unwrap();
        assert_eq!(
            claim(&store, "w1", 60 * 24).await,
            None,
            "a job failed for good never runs again"
        );
        assert_eq!(
            claim(&store, "w1", 60 * 24 * 365).await,
            None,
            "not even much later"
        );
    }
);

contract!(
    two_workers_never_claim_the_same_job,
    |store: Store| async move {
        let mut queued = HashSet::new();
        for i in 0..20 {
            store
                .enqueue_job("work", &i.to_string(), None, t0())
                .await
                .unwrap();
            queued.insert(i.to_string());
        }
        let worker = |name: &'static str| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(job) = store
                    .claim_job(name, t0(), t0() + mins(60))
                    .await
                    .expect("claim under contention")
                {
                    mine.push(job.payload.clone());
                    tokio::task::yield_now().await;
                    store.complete_job(job.id, t0()).await.expect("complete");
                }
                mine
            })
        };
        let (a, b) = (worker("a"), worker("b"));
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        let mut all: Vec<_> = a.iter().chain(b.iter()).cloned().collect();
        all.sort();
        let total = all.len();
        all.dedup();
        assert_eq!(
            total,
            all.len(),
            "no job was claimed twice (a: {a:?}, b: {b:?})"
        );
        assert_eq!(
            all.into_iter().collect::<HashSet<_>>(),
            queued,
            "every job was claimed"
        );
    }
);

// ---- backup -----------------------------------------------------------------------------

contract!(
    a_backup_opens_as_a_store_with_the_same_data,
    |store: Store| async move {
        let t = tree(&store).await;
        let dir = tillit_store::testing::TempDir::new();
        let path = dir.path().join("backup.db");
        match store.backend() {
            Backend::Sqlite => {
                store.backup_to(&path).await.expect("backup_to");
                // Changes after the backup are not in it.
                mk_unit(&store, &sys(), "After", Some(t.org.id)).await;
                let copy = Store::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .expect("the backup opens");
                copy.migrate().await.expect("and is up to date");
                assert_eq!(
                    copy.list_units(&sys(), true).await.unwrap(),
                    vec![t.a.clone(), t.a1.clone(), t.b.clone(), t.org.clone()],
                    "the same units"
                );
                assert_eq!(
                    verify_chain(&copy).await,
                    Ok(4),
                    "with its audit chain intact"
                );
                copy.close().await;
            }
            Backend::Postgres => {
                let r = store.backup_to(&path).await;
                assert!(
                    matches!(r, Err(StoreError::Unsupported(_))),
                    "PostgreSQL: pg_dump: {r:?}"
                );
                assert!(!path.exists(), "no file written");
            }
        }
    }
);

// ---- the store itself -------------------------------------------------------------------

contract!(
    the_store_pings_migrates_again_and_closes,
    |store: Store| async move {
        store.ping().await.expect("ping");
        let expected = match &store {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        };
        assert_eq!(store.backend(), expected);
        tree(&store).await;
        store.migrate().await.expect("migrating twice is a no-op");
        assert_eq!(
            store.list_units(&sys(), true).await.unwrap().len(),
            4,
            "data kept"
        );
        assert_eq!(head_seq(&store).await, 4);
        store.close().await;
        assert!(store.ping().await.is_err(), "a closed store refuses work");
    }
);

#[tokio::test]
async fn connect_picks_the_backend_by_url() {
    let dir = tillit_store::testing::TempDir::new();
    let store = Store::open_data_dir(&dir.path().join("data"))
        .await
        .expect("open_data_dir");
    assert_eq!(store.backend(), Backend::Sqlite);
    store.migrate().await.unwrap();
    assert!(
        dir.path().join("data").join("tillit.db").exists(),
        "tillit.db in the data folder"
    );
    store.close().await;
    let reopened = Store::connect(&format!(
        "sqlite://{}",
        dir.path().join("data/tillit.db").display()
    ))
    .await
    .unwrap();
    reopened.ping().await.unwrap();
    reopened.close().await;
    let r = Store::connect("mysql://localhost/x").await;
    assert!(
        matches!(r, Err(StoreError::Database(_))),
        "an unknown scheme: {r:?}"
    );
    if let Some(url) = tillit_store::testing::pg_url() {
        let pg = Store::connect(&url).await.expect("connect to PostgreSQL");
        assert_eq!(pg.backend(), Backend::Postgres);
        pg.close().await;
    }
}
