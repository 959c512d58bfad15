//! The store's contract, part 3: the audit log — appending, the hash chain, scoped browsing
//! with filters and keyset paging, and tamper evidence (the acceptance test: the
//! append-only trigger refuses changes, and a change made around it is found by the chain).

#[macro_use]
mod common;

use common::*;
use serde_json::json;
use tillit_domain::audit::{AuditEvent, AuditFilter, AuditRecord, ChainError, record_hash};
use tillit_domain::{Permission, Role, Scope};
use tillit_store::{Backend, Store};

fn filter(limit: i64) -> AuditFilter {
    AuditFilter {
        limit,
        ..Default::default()
    }
}

fn seqs(recs: &[AuditRecord]) -> Vec<i64> {
    recs.iter().map(|r| r.seq).collect()
}

contract!(
    appended_records_chain_and_read_back,
    |store: Store| async move {
        assert_eq!(
            store.audit_head().await.unwrap(),
            None,
            "a new database has no head"
        );
        assert_eq!(verify_chain(&store).await, Ok(0), "an empty chain verifies");
        let t = tree(&store).await;
        let admin = mk_user(&store, "admin", Some((t.org.id, Role::Admin))).await;
        let (seq, hash) = store
            .audit_head()
            .await
            .unwrap()
            .expect("a head after writes");
        assert_eq!(seq, 5, "four units and a user, one record each");

        let event = AuditEvent::new(
            Some(admin.id),
            "admin",
            "settings.update",
            "settings",
            "smtp",
        )
        .unit(None)
        .change(
            Some(&json!({"host": "a", "password": "old-secret"})),
            Some(&json!({"host": "b", "password": "new-secret"})),
        );
        let rec = store.append_audit(&event).await.expect("append_audit");
        assert_eq!(rec.seq, seq + 1, "the next sequence number");
        assert_eq!(rec.prev_hash, hash, "linked to the previous head");
        assert_eq!(rec.hash, record_hash(&rec), "sealed over its own fields");
        assert_eq!(
            store.audit_head().await.unwrap(),
            Some((rec.seq, rec.hash.clone())),
            "new head"
        );
        assert_eq!(
            (
                rec.actor_id,
                rec.actor_label.as_str(),
                rec.action.as_str(),
                rec.entity_id.as_str()
            ),
            (Some(admin.id), "admin", "settings.update", "smtp")
        );
        let after = rec.after.clone().expect("after");
        assert!(
            !after.contains("new-secret") && after.contains("***"),
            "secrets masked: {after}"
        );

        // Read back exactly as sealed, on both the chain page and the browsing list.
        let page = store.audit_chain_page(&sys(), seq, 10).await.unwrap();
        assert_eq!(
            page,
            vec![rec.clone()],
            "the chain page returns the record unchanged"
        );
        let listed = store.list_audit(&sys(), &filter(1)).await.unwrap();
        assert_eq!(listed, vec![rec.clone()], "list_audit too");
        assert_eq!(
            seqs(&store.audit_chain_page(&sys(), 2, 3).await.unwrap()),
            [3, 4, 5],
            "paged in order"
        );
        assert_eq!(
            verify_chain(&store).await,
            Ok(6),
            "the whole chain verifies"
        );
    }
);

contract!(
    every_kind_of_write_keeps_the_chain_valid,
    |store: Store| async move {
        let t = tree(&store).await;
        let bo = mk_user(&store, "bo", Some((t.a.id, Role::Editor))).await;
        let s = sys();
        store
            .rename_unit(
                &s,
                t.a1.id,
                "A1b",
                &ev("unit.rename", "unit", t.a1.id, Some(t.a1.id)),
            )
            .await
            .unwrap();
        store
            .move_unit(
                &s,
                t.a1.id,
                t.b.id,
                &ev("unit.move", "unit", t.a1.id, Some(t.a1.id)),
            )
            .await
            .unwrap();
        assign(&store, &s, &ra(&bo, &t.b, Role::Reader)).await;
        store
            .revoke_role(
                &s,
                &ra(&bo, &t.b, Role::Reader),
                &ev("role.revoke", "role", bo.id, Some(t.b.id)),
            )
            .await
            .unwrap();
        store
            .auth_record_failure(bo.id, t0(), &ev("user.login_failed", "user", bo.id, None))
            .await
            .unwrap();
        store
            .auth_record_success(
                bo.id,
                "s",
                t0(),
                t0() + mins(5),
                &ev("user.login", "user", bo.id, None),
            )
            .await
            .unwrap();
        store
            .end_session("s", &ev("user.logout", "user", bo.id, None))
            .await
            .unwrap();
        store
            .set_password(
                &s,
                bo.id,
                "$h",
                None,
                &ev("user.set_password", "user", bo.id, None),
            )
            .await
            .unwrap();
        store
            .update_user(&s, &bo, &ev("user.update", "user", bo.id, None))
            .await
            .unwrap();
        store
            .merge_units(
                &s,
                &[t.a.id],
                t.b.id,
                t0(),
                &[ev("unit.merge", "unit", t.a.id, Some(t.a.id))],
            )
            .await
            .unwrap();
        let n = head_seq(&store).await;
        assert_eq!(n, 4 + 1 + 10, "one record per write");
        assert_eq!(
            verify_chain(&store).await,
            Ok(n),
            "the chain verifies end to end"
        );
        let actions: Vec<_> = store
            .audit_chain_page(&sys(), 5, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.action)
            .collect();
        assert_eq!(
            actions,
            [
                "unit.rename",
                "unit.move",
                "role.assign",
                "role.revoke",
                "user.login_failed",
                "user.login",
                "user.logout",
                "user.set_password",
                "user.update",
                "unit.merge"
            ],
            "in the order written"
        );
    }
);

contract!(the_chain_is_the_systems_alone, |store: Store| async move {
    let t = tree(&store).await;
    let admin = mk_user(&store, "admin", Some((t.org.id, Role::Admin))).await;
    for p in [Permission::Administer, Permission::ReadAudit] {
        assert_not_found(
            store.audit_chain_page(&as_user(&admin, p), 0, 1000).await,
            "a user reading the whole chain",
        );
    }
    assert_eq!(
        store.audit_chain_page(&sys(), 0, 1000).await.unwrap().len(),
        5
    );
});

contract!(
    browsing_the_audit_log_is_scoped,
    |store: Store| async move {
        let t = tree(&store).await; // records 1..=4: org, A, B, A1
        store
            .append_audit(&ev("settings.update", "settings", "smtp", None))
            .await
            .unwrap();
        let aud_a = mk_user(&store, "aud-a", Some((t.a.id, Role::Auditor))).await;
        let coord_a = mk_user(&store, "coord-a", Some((t.a.id, Role::SecurityCoordinator))).await;
        let reader_a = mk_user(&store, "reader-a", Some((t.a.id, Role::Reader))).await;
        let root_admin = mk_user(&store, "root-admin", Some((t.org.id, Role::Admin))).await;
        let root_aud = mk_user(&store, "root-aud", Some((t.org.id, Role::Auditor))).await;
        let all = filter(500);

        let units_seen = |scope: Scope| {
            let store = store.clone();
            async move {
                let recs = store.list_audit(&scope, &all_filter()).await.unwrap();
                recs.into_iter().map(|r| r.unit_id).collect::<Vec<_>>()
            }
        };
        for (who, user) in [("auditor", &aud_a), ("coordinator", &coord_a)] {
            let seen = units_seen(as_user(user, Permission::ReadAudit)).await;
            assert!(seen.contains(&Some(t.a.id)), "{who} of A sees A's records");
            assert!(
                seen.contains(&Some(t.a1.id)),
                "{who} of A sees A1's records"
            );
            assert!(!seen.contains(&Some(t.b.id)), "{who} of A does not see B's");
            assert!(!seen.contains(&Some(t.org.id)), "nor the root's");
            assert!(
                !seen.contains(&None),
                "{who} of A does not see unit-less records"
            );
        }
        assert!(
            store
                .list_audit(&as_user(&reader_a, Permission::ReadAudit), &all)
                .await
                .unwrap()
                .is_empty(),
            "a Reader has no ReadAudit"
        );
        assert!(
            store
                .list_audit(&as_user(&aud_a, Permission::Write), &all)
                .await
                .unwrap()
                .is_empty(),
            "the scope's permission counts, not the role alone"
        );
        for user in [&root_admin, &root_aud] {
            let seen = units_seen(as_user(user, Permission::ReadAudit)).await;
            assert!(
                seen.contains(&None),
                "{}: the organisation sees unit-less records",
                user.username
            );
            assert!(seen.contains(&Some(t.b.id)) && seen.contains(&Some(t.a1.id)));
        }
        let everything = store.list_audit(&sys(), &all).await.unwrap();
        assert_eq!(
            everything.len() as i64,
            head_seq(&store).await,
            "the system sees every record"
        );
        assert!(
            everything.windows(2).all(|w| w[0].seq > w[1].seq),
            "newest first: {:?}",
            seqs(&everything)
        );
    }
);

fn all_filter() -> AuditFilter {
    filter(500)
}

contract!(audit_filters_and_keyset_paging, |store: Store| async move {
    let t = tree(&store).await; // 1..=4
    for i in 0..6 {
        let unit = if i % 2 == 0 { t.a.id } else { t.b.id };
        store
            .append_audit(&ev(
                "system.update",
                "system",
                format!("sys-{}", i % 3),
                Some(unit),
            ))
            .await
            .unwrap();
    } // 5..=10: sys-0@A, sys-1@B, sys-2@A, sys-0@B, sys-1@A, sys-2@B
    let s = sys();

    let by_type = AuditFilter {
        entity_type: Some("unit".into()),
        ..filter(100)
    };
    assert_eq!(
        seqs(&store.list_audit(&s, &by_type).await.unwrap()),
        [4, 3, 2, 1],
        "entity_type"
    );
    let by_entity = AuditFilter {
        entity_type: Some("system".into()),
        entity_id: Some("sys-0".into()),
        ..filter(100)
    };
    assert_eq!(
        seqs(&store.list_audit(&s, &by_entity).await.unwrap()),
        [8, 5],
        "entity_id"
    );
    let by_unit = AuditFilter {
        unit_id: Some(t.a.id),
        ..filter(100)
    };
    assert_eq!(
        seqs(&store.list_audit(&s, &by_unit).await.unwrap()),
        [9, 7, 5, 2],
        "the unit's own records (not its sub-units')"
    );
    let combined = AuditFilter {
        unit_id: Some(t.b.id),
        entity_type: Some("system".into()),
        ..filter(100)
    };
    assert_eq!(
        seqs(&store.list_audit(&s, &combined).await.unwrap()),
        [10, 8, 6]
    );
    let none = AuditFilter {
        entity_id: Some("nothing".into()),
        ..filter(100)
    };
    assert!(store.list_audit(&s, &none).await.unwrap().is_empty());

    // Keyset paging: pages of 3, newest first, each starting below the last one seen.
    let mut pages = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .list_audit(
                &s,
                &AuditFilter {
                    before_seq: before,
                    ..filter(3)
                },
            )
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3, "a page holds at most the limit");
        before = page.last().map(|r| r.seq);
        pages.push(seqs(&page));
    }
    assert_eq!(
        pages,
        vec![vec![10, 9, 8], vec![7, 6, 5], vec![4, 3, 2], vec![1]]
    );
    let paged_filter = AuditFilter {
        before_seq: Some(9),
        ..by_unit.clone()
    };
    assert_eq!(
        seqs(&store.list_audit(&s, &paged_filter).await.unwrap()),
        [7, 5, 2],
        "with a filter"
    );
    assert_eq!(
        store.list_audit(&s, &filter(0)).await.unwrap().len(),
        1,
        "a limit below one is raised to one"
    );
});

// ---- tamper evidence (acceptance) -------------------------------------------------------

/// Six records to tamper with: four units, a user, a setting.
async fn chain_of_six(store: &Store) {
    let t = tree(store).await;
    mk_user(store, "bo", Some((t.a.id, Role::Editor))).await;
    store
        .append_audit(&ev("settings.update", "settings", "smtp", None))
        .await
        .unwrap();
    assert_eq!(
        verify_chain(store).await,
        Ok(6),
        "the untouched chain verifies"
    );
}

/// What an attacker with database access does first: take the append-only guard away.
async fn disable_guard(store: &Store) {
    let stmts: &[&str] = match store.backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
        ],
        Backend::Postgres => &["ALTER TABLE audit_log DISABLE TRIGGER USER"],
    };
    for s in stmts {
        raw(store, s).await.unwrap_or_else(|e| panic!("{s}: {e}"));
    }
}

contract!(
    tamper_the_append_only_trigger_refuses_changes,
    |store: Store| async move {
        chain_of_six(&store).await;
        for stmt in [
            "UPDATE audit_log SET actor_label = 'x' WHERE seq = 3",
            "UPDATE audit_log SET actor_label = 'x'",
            "DELETE FROM audit_log WHERE seq = 3",
            "DELETE FROM audit_log WHERE seq = 6",
            "DELETE FROM audit_log",
        ] {
            let err = raw(&store, stmt).await.expect_err(stmt);
            assert!(
                err.to_string().contains("append-only"),
                "{stmt}: refused by the trigger: {err}"
            );
        }
        if store.backend() == Backend::Postgres {
            let err = raw(&store, "TRUNCATE audit_log")
                .await
                .expect_err("TRUNCATE");
            assert!(
                err.to_string().contains("append-only"),
                "TRUNCATE refused: {err}"
            );
        }
        assert_eq!(verify_chain(&store).await, Ok(6), "nothing changed");
        assert_eq!(
            store.audit_chain_page(&sys(), 2, 1).await.unwrap()[0].actor_label,
            "system"
        );
        // Appending still works.
        store.append_audit(&ev("x.y", "x", 1, None)).await.unwrap();
        assert_eq!(verify_chain(&store).await, Ok(7));
    }
);

contract!(tamper_a_changed_field_is_found, |store: Store| async move {
    chain_of_six(&store).await;
    disable_guard(&store).await;
    assert_eq!(
        raw(
            &store,
            "UPDATE audit_log SET actor_label = 'x' WHERE seq = 3"
        )
        .await
        .unwrap(),
        1
    );
    assert_eq!(
        verify_chain(&store).await,
        Err(ChainError::Altered { seq: 3 }),
        "actor changed"
    );
    raw(
        &store,
        "UPDATE audit_log SET actor_label = 'system' WHERE seq = 3",
    )
    .await
    .unwrap();
    assert_eq!(
        verify_chain(&store).await,
        Ok(6),
        "restored, the chain holds again"
    );

    raw(
        &store,
        "UPDATE audit_log SET after = '{\"name\":\"forged\"}' WHERE seq = 5",
    )
    .await
    .unwrap();
    assert_eq!(
        verify_chain(&store).await,
        Err(ChainError::Altered { seq: 5 }),
        "payload changed"
    );

    // Re-sealing the changed record does not help: the next one no longer links to it.
    let mut forged = store
        .audit_chain_page(&sys(), 4, 1)
        .await
        .unwrap()
        .remove(0);
    forged.hash = record_hash(&forged);
    raw(
        &store,
        &format!(
            "UPDATE audit_log SET hash = '{}' WHERE seq = 5",
            forged.hash
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        verify_chain(&store).await,
        Err(ChainError::BrokenLink { seq: 6 }),
        "re-sealed"
    );
});

contract!(
    tamper_a_deleted_middle_row_is_a_gap,
    |store: Store| async move {
        chain_of_six(&store).await;
        disable_guard(&store).await;
        assert_eq!(
            raw(&store, "DELETE FROM audit_log WHERE seq = 3")
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            verify_chain(&store).await,
            Err(ChainError::Gap {
                seq: 4,
                expected: 3
            }),
            "a missing record is a gap"
        );
    }
);

contract!(
    tamper_a_deleted_last_row_is_a_head_mismatch,
    |store: Store| async move {
        chain_of_six(&store).await;
        disable_guard(&store).await;
        let head = store.audit_head().await.unwrap().unwrap();
        assert_eq!(
            raw(&store, "DELETE FROM audit_log WHERE seq = 6")
                .await
                .unwrap(),
            1
        );
        match verify_chain(&store).await {
            Err(ChainError::HeadMismatch {
                last,
                head_seq,
                head_hash,
                ..
            }) => {
                assert_eq!(
                    (last, head_seq, head_hash),
                    (5, head.0, head.1),
                    "the cut tail is found"
                );
            }
            other => panic!("deleting the last record: expected HeadMismatch, got {other:?}"),
        }
    }
);
