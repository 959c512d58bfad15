//! The store's contract, part 5: the inventory and information classification — models and
//! their version freeze, assets (scope, uniqueness, moves, all-or-nothing import), listing
//! with filters and paging, links, classifications and their action plans, coverage, and
//! merged units taking their assets along. On SQLite, and on PostgreSQL with
//! `TILLIT_TEST_PG_URL`.

#[macro_use]
mod common;

use common::*;
use jiff::civil::{Date, date};
use tillit_domain::asset::{
    Asset, AssetFilter, AssetKind, AssetLink, AssetPage, Coverage, Criticality, Hosting, Lifecycle,
    LinkKind,
};
use tillit_domain::audit::AuditEvent;
use tillit_domain::classification::{
    ActionItem, Answer, Answers, Aspect, AspectDecision, Classification, ClassificationStatus,
    Decisions, ItemStatus, Level, Model, ModelVersion, Question, Requirement, RequirementKind,
    Text,
};
use tillit_domain::{
    AssetId, ClassificationId, ModelId, Permission, Role, Scope, Unit, UnitId, User,
};
use tillit_store::{Store, StoreError};

// ---- builders ---------------------------------------------------------------------------

fn text(s: &str) -> Text {
    Text {
        sv: format!("{s} (sv)"),
        en: s.to_owned(),
    }
}

/// A small valid model: aspects K, R, T; levels 0–4; one question per aspect; four
/// requirements (K-1 from 1, K-3 from 3, R-2 from 2, T-2 from 2).
fn model(key: &str, version: u32) -> Model {
    let question = |id: &str, aspect: &str| Question {
        id: id.into(),
        aspect: aspect.into(),
        text: text(id),
        help: Some(text("Tänk på det värsta som kan hända")),
        answers: (0..=4)
            .map(|l| Answer {
                text: text(&format!("svar {l}")),
                level: l,
            })
            .collect(),
    };
    let requirement = |id: &str, aspect: &str, from_level: u8, kind| Requirement {
        id: id.into(),
        aspect: aspect.into(),
        from_level,
        kind,
        text: text(id),
        how: Some(text("Så här")),
        source: Some("NIS2 art. 21.2".into()),
    };
    let m = Model {
        key: key.into(),
        version,
        name: text(&format!("Modell {version}")),
        description: Some(text("En liten modell för testerna")),
        review_interval_months: 12,
        aspects: ["K", "R", "T"]
            .iter()
            .map(|c| Aspect {
                code: (*c).into(),
                name: text(c),
                description: text(c),
            })
            .collect(),
        levels: (0..=4)
            .map(|l| Level {
                level: l,
                name: text(&format!("nivå {l}")),
                description: text("beskrivning"),
            })
            .collect(),
        questions: vec![
            question("K1", "K"),
            question("R1", "R"),
            question("T1", "T"),
        ],
        requirements: vec![
            requirement("K-1", "K", 1, RequirementKind::State),
            requirement("K-3", "K", 3, RequirementKind::Procurement),
            requirement("R-2", "R", 2, RequirementKind::State),
            requirement("T-2", "T", 2, RequirementKind::State),
        ],
    };
    assert_eq!(m.validate(), Ok(()), "the test model is valid");
    m
}

fn model_ev(id: ModelId) -> AuditEvent {
    ev(
        "classification_model.import",
        "classification_model",
        id,
        None,
    )
}

/// Stores `model(key, version)` as the system and returns its id.
async fn mk_model(store: &Store, key: &str, version: u32) -> ModelId {
    let id = ModelId::new();
    store
        .insert_model(&sys(), id, &model(key, version), t0(), &model_ev(id))
        .await
        .unwrap_or_else(|e| panic!("insert model {key} v{version}: {e}"));
    id
}

fn new_asset(unit: UnitId, kind: AssetKind, name: &str) -> Asset {
    Asset {
        id: AssetId::new(),
        unit_id: unit,
        kind,
        name: name.to_owned(),
        description: String::new(),
        lifecycle: Lifecycle::InUse,
        hosting: Hosting::Unknown,
        nis2_covered: false,
        criticality: None,
        supplier: None,
        system_owner: None,
        object_leader: None,
        information_owner: None,
        created_at: t0(),
        updated_at: t0(),
    }
}

fn asset_ev(action: &str, a: &Asset) -> AuditEvent {
    ev(action, "asset", a.id, Some(a.unit_id))
}

async fn put_asset(store: &Store, scope: &Scope, a: &Asset) {
    store
        .create_asset(scope, a, &asset_ev("asset.create", a))
        .await
        .unwrap_or_else(|e| panic!("create asset {}: {e}", a.name));
}

/// Creates a system in `unit` as the system actor.
async fn mk_asset(store: &Store, unit: &Unit, kind: AssetKind, name: &str) -> Asset {
    let a = new_asset(unit.id, kind, name);
    put_asset(store, &sys(), &a).await;
    a
}

async fn total_assets(store: &Store) -> i64 {
    store
        .list_assets(&sys(), &AssetFilter::default())
        .await
        .expect("list_assets")
        .total
}

fn names(page: &AssetPage) -> Vec<&str> {
    page.rows.iter().map(|r| r.asset.name.as_str()).collect()
}

fn write(user: &User) -> Scope {
    as_user(user, Permission::Write)
}

fn read(user: &User) -> Scope {
    as_user(user, Permission::Read)
}

/// A fresh draft of `asset` against `model`, created `n` minutes after t0.
fn draft(asset: &Asset, model: ModelId, n: i64) -> Classification {
    Classification {
        id: ClassificationId::new(),
        asset_id: asset.id,
        unit_id: asset.unit_id,
        model_id: model,
        status: ClassificationStatus::Draft,
        answers: Answers::new(),
        decisions: Decisions::new(),
        participants: String::new(),
        performed_on: None,
        review_due: None,
        separate_analysis: false,
        created_at: t0() + mins(n),
        updated_at: t0() + mins(n),
    }
}

fn decisions(levels: &[(&str, u8)]) -> Decisions {
    levels
        .iter()
        .map(|(a, l)| {
            (
                (*a).to_owned(),
                AspectDecision {
                    level: *l,
                    justification: format!("{a} på nivå {l}"),
                },
            )
        })
        .collect()
}

/// `c` as completed with these levels and review date (separate analysis at level 4).
fn completed(c: &Classification, levels: &[(&str, u8)], review_due: Date) -> Classification {
    Classification {
        status: ClassificationStatus::Completed,
        answers: Answers::from([("K1".to_owned(), 2)]),
        decisions: decisions(levels),
        participants: "Anna (systemägare), Bo (informationssäkerhetssamordnare)".into(),
        performed_on: Some(date(2026, 1, 15)),
        review_due: Some(review_due),
        separate_analysis: levels.iter().any(|(_, l)| *l == 4),
        updated_at: c.updated_at + mins(30),
        ..c.clone()
    }
}

fn item(c: &Classification, requirement: &str, status: ItemStatus) -> ActionItem {
    ActionItem {
        classification_id: c.id,
        requirement_id: requirement.to_owned(),
        status,
        owner: None,
        due: None,
        comment: String::new(),
    }
}

fn cl_ev(action: &str, c: &Classification) -> AuditEvent {
    ev(action, "classification", c.id, Some(c.unit_id))
}

async fn start(store: &Store, scope: &Scope, c: &Classification) {
    store
        .create_classification(scope, c, &cl_ev("classification.create", c))
        .await
        .expect("create_classification");
}

async fn complete(store: &Store, scope: &Scope, c: &Classification, items: &[ActionItem]) {
    store
        .complete_classification(scope, c, items, &[cl_ev("classification.complete", c)])
        .await
        .expect("complete_classification");
}

/// Starts and completes a classification of `asset` as the system; `items` are the
/// requirement ids of its action plan with their status.
async fn classify(
    store: &Store,
    asset: &Asset,
    model: ModelId,
    n: i64,
    levels: &[(&str, u8)],
    review_due: Date,
    items: &[(&str, ItemStatus)],
) -> Classification {
    let d = draft(asset, model, n);
    start(store, &sys(), &d).await;
    let done = completed(&d, levels, review_due);
    let items: Vec<_> = items.iter().map(|(r, s)| item(&done, r, *s)).collect();
    complete(store, &sys(), &done, &items).await;
    done
}

async fn status_of(store: &Store, id: ClassificationId) -> ClassificationStatus {
    store
        .get_classification(&sys(), id)
        .await
        .unwrap()
        .expect("the classification")
        .status
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    assert!(
        matches!(r, Err(StoreError::Conflict(_))),
        "{what}: expected StoreError::Conflict, got {r:?}"
    );
}

// ---- classification models --------------------------------------------------------------

contract!(
    models_are_stored_by_the_system_and_root_admins_only,
    |store: Store| async move {
        // On a fresh installation the shipped models are stored before any unit exists.
        let v1 = ModelId::new();
        let seq = head_seq(&store).await;
        store
            .insert_model(&sys(), v1, &model("standard", 1), t0(), &model_ev(v1))
            .await
            .expect("the system stores a model in an empty database");
        assert_one_record(&store, seq, "classification_model.import").await;
        assert_eq!(
            store.get_model(v1).await.unwrap(),
            Some(ModelVersion {
                id: v1,
                model: model("standard", 1),
                imported_at: t0(),
            }),
            "the whole model reads back"
        );

        let t = tree(&store).await;
        let root_admin = mk_user(&store, "root-admin", Some((t.org.id, Role::Admin))).await;
        let admin_a = mk_user(&store, "admin-a", Some((t.a.id, Role::Admin))).await;
        let root_editor = mk_user(&store, "root-editor", Some((t.org.id, Role::Editor))).await;

        let own = ModelId::new();
        let seq = head_seq(&store).await;
        store
            .insert_model(
                &as_user(&root_admin, Permission::Administer),
                own,
                &model("egen", 1),
                t0() + mins(1),
                &model_ev(own),
            )
            .await
            .expect("an organisation admin imports a model");
        assert_one_record(&store, seq, "classification_model.import").await;

        // An admin of a sub-unit, or a root role without Administer, may not.
        let seq = head_seq(&store).await;
        for (who, scope) in [
            (
                "a sub-unit admin",
                as_user(&admin_a, Permission::Administer),
            ),
            (
                "a root editor",
                as_user(&root_editor, Permission::Administer),
            ),
        ] {
            let id = ModelId::new();
            assert_not_found(
                store
                    .insert_model(&scope, id, &model("annan", 1), t0(), &model_ev(id))
                    .await,
                who,
            );
            assert_eq!(
                store.get_model(id).await.unwrap(),
                None,
                "{who}: none stored"
            );
        }
        assert_eq!(head_seq(&store).await, seq, "refusals record nothing");

        // The same key and version again is a conflict; the stored one is untouched.
        let mut changed = model("standard", 1);
        changed.name = text("Omskriven");
        let again = ModelId::new();
        assert_conflict(
            store
                .insert_model(&sys(), again, &changed, t0(), &model_ev(again))
                .await,
            "the same key and version",
        );
        assert_eq!(head_seq(&store).await, seq, "nothing recorded");
        assert_eq!(store.get_model(again).await.unwrap(), None);
        assert_eq!(
            store.get_model(v1).await.unwrap().unwrap().model,
            model("standard", 1),
            "a stored version is never rewritten"
        );

        // Versions of each key, newest first.
        let v2 = mk_model(&store, "standard", 2).await;
        let listed: Vec<_> = store
            .list_models()
            .await
            .unwrap()
            .into_iter()
            .map(|m| (m.id, m.model.key, m.model.version))
            .collect();
        assert_eq!(
            listed,
            [
                (own, "egen".to_owned(), 1),
                (v2, "standard".to_owned(), 2),
                (v1, "standard".to_owned(), 1)
            ]
        );
        assert_eq!(store.get_model(ModelId::new()).await.unwrap(), None);
    }
);

contract!(
    a_classification_stays_frozen_to_its_model_version,
    |store: Store| async move {
        let t = tree(&store).await;
        let v1 = mk_model(&store, "standard", 1).await;
        let asset = mk_asset(&store, &t.a, AssetKind::System, "Procapita").await;
        let first = classify(
            &store,
            &asset,
            v1,
            0,
            &[("K", 3), ("R", 2), ("T", 1)],
            date(2027, 1, 15),
            &[("K-1", ItemStatus::Open), ("K-3", ItemStatus::Open)],
        )
        .await;

        // A new version changes names and the catalogue.
        let mut next = model("standard", 2);
        next.requirements.retain(|r| r.id != "K-3");
        next.name = text("Modell 2, omarbetad");
        let v2 = ModelId::new();
        store
            .insert_model(&sys(), v2, &next, t0() + mins(60), &model_ev(v2))
            .await
            .unwrap();

        let got = store
            .get_classification(&sys(), first.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, first, "the classification is unchanged");
        assert_eq!(got.model_id, v1, "and still points at version 1");
        assert_eq!(
            store.get_model(v1).await.unwrap().unwrap().model,
            model("standard", 1),
            "version 1 is kept as it was"
        );
        let items: Vec<_> = store
            .action_items(&sys(), first.id)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.requirement_id)
            .collect();
        assert_eq!(items, ["K-1", "K-3"], "its action plan keeps K-3");

        // A reclassification uses the new version; the old one keeps its own.
        let second = classify(
            &store,
            &asset,
            v2,
            90,
            &[("K", 3), ("R", 2), ("T", 1)],
            date(2027, 3, 1),
            &[("K-1", ItemStatus::Open)],
        )
        .await;
        let history: Vec<_> = store
            .classifications_of(&sys(), asset.id)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.model_id, c.status))
            .collect();
        assert_eq!(
            history,
            [
                (second.id, v2, ClassificationStatus::Completed),
                (first.id, v1, ClassificationStatus::Superseded)
            ]
        );
    }
);

// ---- assets ---------------------------------------------------------------------------

contract!(
    assets_are_created_and_read_in_scope,
    |store: Store| async move {
        let t = tree(&store).await;
        let editor = mk_user(&store, "editor-a", Some((t.a.id, Role::Editor))).await;
        let reader = mk_user(&store, "reader-a", Some((t.a.id, Role::Reader))).await;
        let reader_b = mk_user(&store, "reader-b", Some((t.b.id, Role::Reader))).await;

        let mut a = new_asset(t.a1.id, AssetKind::System, "Procapita");
        a.description = "Verksamhetssystem för socialtjänsten".into();
        a.lifecycle = Lifecycle::BeingRetired;
        a.hosting = Hosting::Saas;
        a.nis2_covered = true;
        a.criticality = Some(Criticality::High);
        a.supplier = Some("CGI".into());
        a.system_owner = Some("Anna".into());
        a.object_leader = Some("Bo".into());
        a.information_owner = Some("Cia".into());
        let seq = head_seq(&store).await;
        store
            .create_asset(&write(&editor), &a, &asset_ev("asset.create", &a))
            .await
            .expect("an editor on A creates an asset in A1");
        assert_one_record(&store, seq, "asset.create").await;
        assert_eq!(
            store.get_asset(&read(&reader), a.id).await.unwrap(),
            Some(a.clone()),
            "every field reads back"
        );
        assert_eq!(
            store.get_asset(&read(&reader_b), a.id).await.unwrap(),
            None,
            "another unit's reader does not see it"
        );
        assert_eq!(store.get_asset(&sys(), AssetId::new()).await.unwrap(), None);

        let seq = head_seq(&store).await;
        for (who, scope, unit) in [
            ("an editor in another unit", write(&editor), t.b.id),
            ("a reader writing", write(&reader), t.a.id),
            ("an editor in a missing unit", write(&editor), UnitId::new()),
            ("the system in a missing unit", sys(), UnitId::new()),
        ] {
            let b = new_asset(unit, AssetKind::System, "Lifecare");
            assert_not_found(
                store
                    .create_asset(&scope, &b, &asset_ev("asset.create", &b))
                    .await,
                who,
            );
            assert_eq!(store.get_asset(&sys(), b.id).await.unwrap(), None, "{who}");
        }
        assert_eq!(head_seq(&store).await, seq, "refusals record nothing");
    }
);

contract!(a_duplicate_asset_is_a_conflict, |store: Store| async move {
    let t = tree(&store).await;
    let first = mk_asset(&store, &t.a, AssetKind::System, "Procapita").await;

    let dup = new_asset(t.a.id, AssetKind::System, "PROCAPITA");
    let seq = head_seq(&store).await;
    assert_conflict(
        store
            .create_asset(&sys(), &dup, &asset_ev("asset.create", &dup))
            .await,
        "the same name in another case",
    );
    assert_eq!(head_seq(&store).await, seq, "nothing recorded");
    assert_eq!(store.get_asset(&sys(), dup.id).await.unwrap(), None);

    // Another kind, or another unit (even below), may use the name.
    let service = mk_asset(&store, &t.a, AssetKind::Service, "procapita").await;
    mk_asset(&store, &t.a1, AssetKind::System, "Procapita").await;
    mk_asset(&store, &t.b, AssetKind::System, "procapita").await;
    assert_eq!(total_assets(&store).await, 4);

    // Renaming onto a taken name is a conflict too.
    let mut renamed = new_asset(t.a.id, AssetKind::System, "Lifecare");
    put_asset(&store, &sys(), &renamed).await;
    renamed.name = "procapita".into();
    let seq = head_seq(&store).await;
    assert_conflict(
        store
            .update_asset(&sys(), &renamed, &asset_ev("asset.update", &renamed))
            .await,
        "a rename onto a taken name",
    );
    assert_eq!(head_seq(&store).await, seq, "nothing recorded");
    assert_eq!(
        store
            .get_asset(&sys(), renamed.id)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Lifecare"
    );
    assert_eq!(
        store.get_asset(&sys(), first.id).await.unwrap(),
        Some(first)
    );
    assert_eq!(
        store.get_asset(&sys(), service.id).await.unwrap(),
        Some(service)
    );
});

contract!(
    an_asset_is_updated_and_moved_with_its_classifications,
    |store: Store| async move {
        let t = tree(&store).await;
        let v1 = mk_model(&store, "standard", 1).await;
        let editor = mk_user(&store, "editor-a", Some((t.a.id, Role::Editor))).await;
        let reader_a1 = mk_user(&store, "reader-a1", Some((t.a1.id, Role::Reader))).await;
        let editor_b = mk_user(&store, "editor-b", Some((t.b.id, Role::Editor))).await;

        let asset = mk_asset(&store, &t.a, AssetKind::System, "Procapita").await;
        let done = classify(
            &store,
            &asset,
            v1,
            0,
            &[("K", 2), ("R", 1), ("T", 1)],
            date(2027, 1, 15),
            &[("K-1", ItemStatus::Open)],
        )
        .await;
        let later = draft(&asset, v1, 10);
        start(&store, &sys(), &later).await;
        assert_eq!(
            store.get_asset(&read(&reader_a1), asset.id).await.unwrap(),
            None,
            "A1's reader does not see A's asset"
        );
        assert!(
            store
                .classifications_of(&read(&reader_a1), asset.id)
                .await
                .unwrap()
                .is_empty()
        );

        let mut changed = asset.clone();
        changed.unit_id = t.a1.id;
        changed.name = "Procapita VoO".into();
        changed.description = "Vård och omsorg".into();
        changed.lifecycle = Lifecycle::BeingRetired;
        changed.hosting = Hosting::SharedIt;
        changed.nis2_covered = true;
        changed.criticality = Some(Criticality::Critical);
        changed.supplier = Some("CGI".into());
        changed.system_owner = Some("Anna".into());
        changed.object_leader = Some("Bo".into());
        changed.information_owner = Some("Cia".into());
        changed.updated_at = t0() + mins(120);
        let seq = head_seq(&store).await;
        store
            .update_asset(
                &write(&editor),
                &changed,
                &asset_ev("asset.update", &changed),
            )
            .await
            .expect("A's editor moves the asset to A1");
        assert_one_record(&store, seq, "asset.update").await;
        assert_eq!(
            store.get_asset(&sys(), asset.id).await.unwrap(),
            Some(changed.clone()),
            "every field changed"
        );

        // The classifications followed: A1's reader now sees the asset and its history.
        let scope = read(&reader_a1);
        assert_eq!(
            store.get_asset(&scope, asset.id).await.unwrap(),
            Some(changed.clone())
        );
        let history = store.classifications_of(&scope, asset.id).await.unwrap();
        assert_eq!(
            history
                .iter()
                .map(|c| (c.id, c.unit_id))
                .collect::<Vec<_>>(),
            [(later.id, t.a1.id), (done.id, t.a1.id)],
            "both classifications moved to A1"
        );
        assert_eq!(
            store
                .get_classification(&scope, done.id)
                .await
                .unwrap()
                .map(|c| c.unit_id),
            Some(t.a1.id)
        );
        assert_eq!(store.action_items(&scope, done.id).await.unwrap().len(), 1);

        // Out of scope: B's editor cannot touch it, and A's cannot move it to B.
        let seq = head_seq(&store).await;
        let mut to_b = changed.clone();
        to_b.unit_id = t.b.id;
        let mut renamed = changed.clone();
        renamed.name = "Kapat".into();
        let mut missing = changed.clone();
        missing.id = AssetId::new();
        for (who, scope, a) in [
            ("B's editor", write(&editor_b), &renamed),
            ("B's editor moving it to B", write(&editor_b), &to_b),
            ("A's editor moving it to B", write(&editor), &to_b),
            ("A1's reader", write(&reader_a1), &renamed),
            ("an unknown asset", sys(), &missing),
        ] {
            assert_not_found(
                store
                    .update_asset(&scope, a, &asset_ev("asset.update", a))
                    .await,
                who,
            );
        }
        assert_eq!(head_seq(&store).await, seq, "refusals record nothing");
        assert_eq!(
            store.get_asset(&sys(), asset.id).await.unwrap(),
            Some(changed)
        );
        assert_eq!(
            store.get_asset(&sys(), missing.id).await.unwrap(),
            None,
            "an update creates nothing"
        );
        assert!(
            store
                .classifications_of(&read(&editor_b), asset.id)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

// ---- import -----------------------------------------------------------------------------

contract!(an_import_is_all_or_nothing, |store: Store| async move {
    let t = tree(&store).await;
    let editor = mk_user(&store, "editor-a", Some((t.a.id, Role::Editor))).await;
    mk_asset(&store, &t.a, AssetKind::System, "Befintligt").await;
    let scope = write(&editor);

    let batch = |third: Asset| {
        vec![
            new_asset(t.a.id, AssetKind::System, "Procapita"),
            new_asset(t.a1.id, AssetKind::Service, "E-tjänst"),
            third,
        ]
    };
    let events = |assets: &[Asset]| -> Vec<AuditEvent> {
        assets.iter().map(|a| asset_ev("asset.create", a)).collect()
    };
    let bad_batches = [
        (
            "the third repeats the first in another case",
            batch(new_asset(t.a.id, AssetKind::System, "PROCAPITA")),
            true,
        ),
        (
            "the third repeats a stored asset",
            batch(new_asset(t.a.id, AssetKind::System, "befintligt")),
            true,
        ),
        (
            "the third lies outside the scope",
            batch(new_asset(t.b.id, AssetKind::System, "Treserva")),
            false,
        ),
        (
            "the third lies in a missing unit",
            batch(new_asset(UnitId::new(), AssetKind::System, "Treserva")),
            false,
        ),
    ];
    let count = total_assets(&store).await;
    let head = store.audit_head().await.unwrap();
    for (what, assets, conflict) in bad_batches {
        let r = store.import_assets(&scope, &assets, &events(&assets)).await;
        if conflict {
            assert_conflict(r, what);
        } else {
            assert_not_found(r, what);
        }
        assert_eq!(total_assets(&store).await, count, "{what}: nothing written");
        assert_eq!(
            store.audit_head().await.unwrap(),
            head,
            "{what}: nothing recorded"
        );
        for a in &assets {
            assert_eq!(store.get_asset(&sys(), a.id).await.unwrap(), None, "{what}");
        }
    }

    // A good batch writes every asset and one record per event passed.
    let good = batch(new_asset(t.a1.id, AssetKind::InformationSet, "Personakter"));
    let mut evs = events(&good);
    evs.push(ev("asset.import", "import", "register.xlsx", Some(t.a.id)));
    let seq = head_seq(&store).await;
    store
        .import_assets(&scope, &good, &evs)
        .await
        .expect("a good batch");
    assert_eq!(
        head_seq(&store).await,
        seq + 4,
        "one record per event passed"
    );
    assert_eq!(last_record(&store).await.action, "asset.import");
    assert_eq!(total_assets(&store).await, count + 3);
    for a in &good {
        assert_eq!(
            store
                .get_asset(&read(&editor), a.id)
                .await
                .unwrap()
                .as_ref(),
            Some(a),
            "{} reads back",
            a.name
        );
    }
    assert_eq!(verify_chain(&store).await.map(|_| ()), Ok(()));
});

// ---- listing ----------------------------------------------------------------------------

contract!(
    the_inventory_is_listed_in_scope_with_filters,
    |store: Store| async move {
        let t = tree(&store).await;
        let v1 = mk_model(&store, "standard", 1).await;
        let reader = mk_user(&store, "reader-a", Some((t.a.id, Role::Reader))).await;
        let scope = read(&reader);

        let mut procapita = new_asset(t.a.id, AssetKind::System, "Procapita");
        procapita.nis2_covered = true;
        let mut lifecare = new_asset(t.a.id, AssetKind::System, "lifecare");
        lifecare.lifecycle = Lifecycle::Planned;
        let treserva = new_asset(t.a.id, AssetKind::Service, "Treserva");
        let mut k100 = new_asset(t.a.id, AssetKind::InformationSet, "Kapacitet 100%");
        k100.lifecycle = Lifecycle::BeingRetired;
        let mut k1000 = new_asset(t.a.id, AssetKind::InformationSet, "Kapacitet 1000");
        k1000.lifecycle = Lifecycle::Retired;
        let under = new_asset(t.a.id, AssetKind::InformationSet, "Under_score");
        let filserver = new_asset(t.a.id, AssetKind::System, r"Filserver\fs01");
        let mut alfresco = new_asset(t.a1.id, AssetKind::System, "Alfresco");
        alfresco.nis2_covered = true;
        let others = [
            new_asset(t.b.id, AssetKind::System, "Procapita"),
            new_asset(t.b.id, AssetKind::System, "Bsystem"),
        ];
        for a in [
            &procapita, &lifecare, &treserva, &k100, &k1000, &under, &filserver, &alfresco,
        ]
        .into_iter()
        .chain(&others)
        {
            put_asset(&store, &sys(), a).await;
        }
        let lv = [("K", 1), ("R", 1), ("T", 1)];
        classify(&store, &procapita, v1, 0, &lv, date(2026, 3, 1), &[]).await;
        classify(&store, &treserva, v1, 1, &lv, date(2027, 1, 1), &[]).await;
        start(&store, &sys(), &draft(&lifecare, v1, 2)).await;
        classify(&store, &others[0], v1, 3, &lv, date(2020, 1, 1), &[]).await;

        let list = |filter: AssetFilter| {
            let store = store.clone();
            async move {
                store
                    .list_assets(&scope, &filter)
                    .await
                    .expect("list_assets")
            }
        };
        let all_a = [
            "Alfresco",
            r"Filserver\fs01",
            "Kapacitet 100%",
            "Kapacitet 1000",
            "lifecare",
            "Procapita",
            "Treserva",
            "Under_score",
        ];

        // Scope: A's reader sees A and A1, never B's assets, and the total counts in scope only.
        let page = list(AssetFilter::default()).await;
        assert_eq!(names(&page), all_a, "by name, case-insensitively");
        assert_eq!(page.total, 8);
        assert!(
            page.rows
                .iter()
                .all(|r| r.asset.unit_id == t.a.id || r.asset.unit_id == t.a1.id)
        );
        let everything = store
            .list_assets(&sys(), &AssetFilter::default())
            .await
            .unwrap();
        assert_eq!(everything.total, 10, "the system sees B's too");
        let outsider = mk_user(&store, "nobody", None).await;
        assert_eq!(
            store
                .list_assets(&read(&outsider), &AssetFilter::default())
                .await
                .unwrap(),
            AssetPage {
                rows: vec![],
                total: 0
            },
            "a user without roles sees nothing"
        );

        let cases: Vec<(&str, AssetFilter, Vec<&str>)> = vec![
            (
                "unit A1",
                AssetFilter {
                    unit_id: Some(t.a1.id),
                    ..Default::default()
                },
                vec!["Alfresco"],
            ),
            (
                "unit A with its subtree",
                AssetFilter {
                    unit_id: Some(t.a.id),
                    ..Default::default()
                },
                all_a.to_vec(),
            ),
            (
                "unit B, outside the scope",
                AssetFilter {
                    unit_id: Some(t.b.id),
                    ..Default::default()
                },
                vec![],
            ),
            (
                "the organisation's subtree, within the scope",
                AssetFilter {
                    unit_id: Some(t.org.id),
                    ..Default::default()
                },
                all_a.to_vec(),
            ),
            (
                "services",
                AssetFilter {
                    kind: Some(AssetKind::Service),
                    ..Default::default()
                },
                vec!["Treserva"],
            ),
            (
                "information sets",
                AssetFilter {
                    kind: Some(AssetKind::InformationSet),
                    ..Default::default()
                },
                vec!["Kapacitet 100%", "Kapacitet 1000", "Under_score"],
            ),
            (
                "planned",
                AssetFilter {
                    lifecycle: Some(Lifecycle::Planned),
                    ..Default::default()
                },
                vec!["lifecare"],
            ),
            (
                "retired",
                AssetFilter {
                    lifecycle: Some(Lifecycle::Retired),
                    ..Default::default()
                },
                vec!["Kapacitet 1000"],
            ),
            (
                "NIS2",
                AssetFilter {
                    nis2_covered: Some(true),
                    ..Default::default()
                },
                vec!["Alfresco", "Procapita"],
            ),
            (
                "not NIS2",
                AssetFilter {
                    nis2_covered: Some(false),
                    ..Default::default()
                },
                vec![
                    r"Filserver\fs01",
                    "Kapacitet 100%",
                    "Kapacitet 1000",
                    "lifecare",
                    "Treserva",
                    "Under_score",
                ],
            ),
            (
                "classified",
                AssetFilter {
                    classified: Some(true),
                    ..Default::default()
                },
                vec!["Procapita", "Treserva"],
            ),
            (
                "unclassified (a draft does not count)",
                AssetFilter {
                    classified: Some(false),
                    ..Default::default()
                },
                vec![
                    "Alfresco",
                    r"Filserver\fs01",
                    "Kapacitet 100%",
                    "Kapacitet 1000",
                    "lifecare",
                    "Under_score",
                ],
            ),
            (
                "overdue the day after the review date",
                AssetFilter {
                    overdue_on: Some(date(2026, 3, 2)),
                    ..Default::default()
                },
                vec!["Procapita"],
            ),
            (
                "not overdue on the review date itself",
                AssetFilter {
                    overdue_on: Some(date(2026, 3, 1)),
                    ..Default::default()
                },
                vec![],
            ),
            (
                "overdue later",
                AssetFilter {
                    overdue_on: Some(date(2027, 6, 1)),
                    ..Default::default()
                },
                vec!["Procapita", "Treserva"],
            ),
            (
                "search in another case",
                AssetFilter {
                    search: Some("PROCA".into()),
                    ..Default::default()
                },
                vec!["Procapita"],
            ),
            (
                "search trimmed",
                AssetFilter {
                    search: Some("  kapacitet  ".into()),
                    ..Default::default()
                },
                vec!["Kapacitet 100%", "Kapacitet 1000"],
            ),
            (
                "blank search is no search",
                AssetFilter {
                    search: Some("   ".into()),
                    ..Default::default()
                },
                all_a.to_vec(),
            ),
            (
                "% is no wildcard",
                AssetFilter {
                    search: Some("p%a".into()),
                    ..Default::default()
                },
                vec![],
            ),
            (
                "% is literal",
                AssetFilter {
                    search: Some("100%".into()),
                    ..Default::default()
                },
                vec!["Kapacitet 100%"],
            ),
            (
                "_ is no wildcard",
                AssetFilter {
                    search: Some("r_s".into()),
                    ..Default::default()
                },
                vec!["Under_score"],
            ),
            (
                "a backslash is literal",
                AssetFilter {
                    search: Some(r"r\f".into()),
                    ..Default::default()
                },
                vec![r"Filserver\fs01"],
            ),
            (
                "a lone backslash",
                AssetFilter {
                    search: Some(r"\".into()),
                    ..Default::default()
                },
                vec![r"Filserver\fs01"],
            ),
            (
                "filters combine",
                AssetFilter {
                    kind: Some(AssetKind::System),
                    classified: Some(false),
                    ..Default::default()
                },
                vec!["Alfresco", r"Filserver\fs01", "lifecare"],
            ),
        ];
        for (what, filter, want) in cases {
            let page = list(filter).await;
            assert_eq!(names(&page), want, "{what}");
            assert_eq!(page.total, want.len() as i64, "{what}: total");
        }
    }
);

contract!(the_inventory_is_paged_by_name, |store: Store| async move {
    let t = tree(&store).await;
    let reader = mk_user(&store, "reader-a", Some((t.a.id, Role::Reader))).await;
    // 520 in scope (in two units, names differing only by case between them), 5 outside.
    let mut assets: Vec<Asset> = (0..520)
        .map(|i| {
            let (unit, name) = if i % 2 == 0 {
                (t.a.id, format!("system {:03}", i / 2))
            } else {
                (t.a1.id, format!("SYSTEM {:03}", i / 2))
            };
            new_asset(unit, AssetKind::System, &name)
        })
        .collect();
    assets.extend((0..5).map(|i| new_asset(t.b.id, AssetKind::System, &format!("b {i}"))));
    store
        .import_assets(&sys(), &assets, &[])
        .await
        .expect("import 525 assets");
    let mut expected: Vec<(String, AssetId)> = assets[..520]
        .iter()
        .map(|a| (a.name.to_lowercase(), a.id))
        .collect();
    expected.sort();
    let expected: Vec<AssetId> = expected.into_iter().map(|(_, id)| id).collect();

    let page = |offset: i64, limit: i64| {
        let store = store.clone();
        let scope = read(&reader);
        async move {
            let p = store
                .list_assets(
                    &scope,
                    &AssetFilter {
                        offset,
                        limit,
                        ..Default::default()
                    },
                )
                .await
                .expect("list_assets");
            assert_eq!(p.total, 520, "the total counts every match");
            p.rows.iter().map(|r| r.asset.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(
        page(0, 0).await,
        expected[..50],
        "50 when no limit is given"
    );
    assert_eq!(
        page(0, -3).await,
        expected[..50],
        "50 for a nonsensical limit"
    );
    assert_eq!(page(0, 10_000).await, expected[..500], "at most 500");
    assert_eq!(page(0, 500).await, expected[..500]);
    assert_eq!(page(100, 7).await, expected[100..107], "offset and limit");
    assert_eq!(page(-5, 3).await, expected[..3], "a negative offset is 0");
    assert_eq!(page(510, 50).await, expected[510..], "the last page");
    assert!(page(520, 50).await.is_empty(), "past the end");

    // Pages in a row cover everything once, in order.
    let mut walked = Vec::new();
    for offset in (0..520).step_by(120) {
        walked.extend(page(offset, 120).await);
    }
    assert_eq!(walked, expected);

    // The total follows the filter, not the page.
    let p = store
        .list_assets(
            &read(&reader),
            &AssetFilter {
                unit_id: Some(t.a1.id),
                search: Some("system 1".into()),
                limit: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(p.rows.len(), 5);
    assert_eq!(p.total, 100, "SYSTEM 100–199 in A1");
});

contract!(
    the_list_shows_the_current_completed_classification,
    |store: Store| async move {
        let t = tree(&store).await;
        let v1 = mk_model(&store, "standard", 1).await;
        let a = mk_asset(&store, &t.a, AssetKind::System, "Alfa").await;
        let b = mk_asset(&store, &t.a, AssetKind::System, "Beta").await;
        let c = mk_asset(&store, &t.a, AssetKind::System, "Gamma").await;

        let first = classify(
            &store,
            &a,
            v1,
            0,
            &[("K", 2), ("R", 1), ("T", 3)],
            date(2027, 1, 15),
            &[],
        )
        .await;
        let top = classify(
            &store,
            &b,
            v1,
            1,
            &[("K", 4), ("R", 0), ("T", 2)],
            date(2026, 6, 1),
            &[],
        )
        .await;
        start(&store, &sys(), &draft(&c, v1, 2)).await;

        let summaries = |store: Store| async move {
            store
                .list_assets(&sys(), &AssetFilter::default())
                .await
                .unwrap()
                .rows
                .into_iter()
                .map(|r| {
                    r.classification
                        .map(|s| (s.id, s.levels, s.review_due, s.separate_analysis))
                })
                .collect::<Vec<_>>()
        };
        let levels = |pairs: &[(&str, u8)]| {
            pairs
                .iter()
                .map(|(a, l)| ((*a).to_owned(), *l))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        assert_eq!(
            summaries(store.clone()).await,
            [
                Some((
                    first.id,
                    levels(&[("K", 2), ("R", 1), ("T", 3)]),
                    Some(date(2027, 1, 15)),
                    false
                )),
                Some((
                    top.id,
                    levels(&[("K", 4), ("R", 0), ("T", 2)]),
                    Some(date(2026, 6, 1)),
                    true
                )),
                None,
            ],
            "levels from the decisions; nothing for a draft"
        );

        // A reclassification replaces the summary; a new draft leaves it be.
        let second = classify(
            &store,
            &a,
            v1,
            10,
            &[("K", 1), ("R", 1), ("T", 1)],
            date(2028, 1, 1),
            &[],
        )
        .await;
        start(&store, &sys(), &draft(&a, v1, 20)).await;
        let rows = summaries(store.clone()).await;
        assert_eq!(
            rows[0],
            Some((
                second.id,
                levels(&[("K", 1), ("R", 1), ("T", 1)]),
                Some(date(2028, 1, 1)),
                false
            )),
            "only the completed one, not the superseded one or the draft"
        );
        assert_eq!(rows.len(), 3, "one row per asset");
    }
);

// ---- links ------------------------------------------------------------------------------

contract!(assets_are_linked_and_unlinked, |store: Store| async move {
    let t = tree(&store).await;
    let editor = mk_user(&store, "editor-a", Some((t.a.id, Role::Editor))).await;
    let scope = write(&editor);
    let service = mk_asset(&store, &t.a, AssetKind::Service, "E-tjänst").await;
    let system = mk_asset(&store, &t.a1, AssetKind::System, "Procapita").await;
    let info = mk_asset(&store, &t.a, AssetKind::InformationSet, "Personakter").await;
    let runs_on = AssetLink {
        from: service.id,
        to: system.id,
        kind: LinkKind::RunsOn,
    };
    let processes = AssetLink {
        from: system.id,
        to: info.id,
        kind: LinkKind::Processes,
    };
    let link_ev = |l: &AssetLink, action: &str| ev(action, "asset", l.from, Some(t.a.id));

    for l in [&runs_on, &processes] {
        let seq = head_seq(&store).await;
        assert!(
            store
                .add_link(&scope, l, &link_ev(l, "asset.link"))
                .await
                .unwrap(),
            "a new link"
        );
        assert_one_record(&store, seq, "asset.link").await;
    }
    let seq = head_seq(&store).await;
    assert!(
        !store
            .add_link(&scope, &runs_on, &link_ev(&runs_on, "asset.link"))
            .await
            .unwrap(),
        "linking again changes nothing"
    );
    assert_eq!(head_seq(&store).await, seq, "and records nothing");

    let sorted = |mut v: Vec<AssetLink>| {
        v.sort_by_key(|l| (l.from, l.to));
        v
    };
    assert_eq!(
        sorted(store.links_of(&read(&editor), system.id).await.unwrap()),
        sorted(vec![runs_on, processes]),
        "both directions"
    );
    assert_eq!(
        store.links_of(&read(&editor), service.id).await.unwrap(),
        [runs_on]
    );
    assert_eq!(
        store.links_of(&read(&editor), info.id).await.unwrap(),
        [processes]
    );

    let seq = head_seq(&store).await;
    store
        .remove_link(&scope, &runs_on, &link_ev(&runs_on, "asset.unlink"))
        .await
        .expect("remove_link");
    assert_one_record(&store, seq, "asset.unlink").await;
    assert_eq!(
        store.links_of(&read(&editor), system.id).await.unwrap(),
        [processes]
    );
    let seq = head_seq(&store).await;
    assert_not_found(
        store
            .remove_link(&scope, &runs_on, &link_ev(&runs_on, "asset.unlink"))
            .await,
        "a missing link",
    );
    let other_kind = AssetLink {
        kind: LinkKind::RunsOn,
        ..processes
    };
    assert_not_found(
        store
            .remove_link(&scope, &other_kind, &link_ev(&other_kind, "asset.unlink"))
            .await,
        "the same assets, another kind",
    );
    let to_nothing = AssetLink {
        to: AssetId::new(),
        ..processes
    };
    assert_not_found(
        store
            .add_link(&scope, &to_nothing, &link_ev(&to_nothing, "asset.link"))
            .await,
        "a link to a missing asset",
    );
    assert_eq!(head_seq(&store).await, seq, "refusals record nothing");
});

contract!(links_keep_to_the_scope, |store: Store| async move {
    let t = tree(&store).await;
    let editor = mk_user(&store, "editor-a", Some((t.a.id, Role::Editor))).await;
    let scope = write(&editor);
    let service = mk_asset(&store, &t.a, AssetKind::Service, "E-tjänst").await;
    let own_system = mk_asset(&store, &t.a, AssetKind::System, "Procapita").await;
    let shared = mk_asset(&store, &t.b, AssetKind::System, "Plattform").await;
    let across = AssetLink {
        from: service.id,
        to: shared.id,
        kind: LinkKind::RunsOn,
    };
    let own = AssetLink {
        from: service.id,
        to: own_system.id,
        kind: LinkKind::RunsOn,
    };
    let link_ev = |l: &AssetLink| ev("asset.link", "asset", l.from, Some(t.a.id));

    // A's editor may not link to B's asset; the system may.
    let seq = head_seq(&store).await;
    assert_not_found(
        store.add_link(&scope, &across, &link_ev(&across)).await,
        "a link to an asset outside the scope",
    );
    let back = AssetLink {
        from: shared.id,
        to: service.id,
        kind: LinkKind::RunsOn,
    };
    assert_not_found(
        store.add_link(&scope, &back, &link_ev(&back)).await,
        "a link from an asset outside the scope",
    );
    assert_eq!(head_seq(&store).await, seq, "refusals record nothing");
    assert!(
        store
            .add_link(&sys(), &across, &link_ev(&across))
            .await
            .unwrap()
    );
    assert!(store.add_link(&scope, &own, &link_ev(&own)).await.unwrap());

    // A's editor sees only the link within the scope, and cannot remove the other.
    assert_eq!(
        store.links_of(&read(&editor), service.id).await.unwrap(),
        [own],
        "the link to B's asset is not shown"
    );
    assert!(
        store
            .links_of(&read(&editor), shared.id)
            .await
            .unwrap()
            .is_empty(),
        "nor B's asset's links"
    );
    let seq = head_seq(&store).await;
    assert_not_found(
        store.remove_link(&scope, &across, &link_ev(&across)).await,
        "removing a link to an asset outside the scope",
    );
    assert_eq!(head_seq(&store).await, seq);
    assert_eq!(
        store.links_of(&sys(), shared.id).await.unwrap(),
        [across],
        "the link is still there"
    );
    assert_eq!(store.links_of(&sys(), service.id).await.unwrap().len(), 2);
});

// ---- classifications --------------------------------------------------------------------

contract!(
    a_classification_starts_as_a_draft_and_only_drafts_change,
    |store: Store| async move {
        let t = tree(&store).await;
        let v1 = mk_model(&store, "standard", 1).await;
        let editor = mk_user(&store, "editor-a", Some((t.a.id, Role::Editor))).await;
        let reader_b = mk_user(&store, "reader-b", Some((t.b.id, Role::Reader))).await;
        let editor_b = mk_user(&store, "editor-b", Some((t.b.id, Role::Editor))).await;
        let scope = write(&editor);
        let asset = mk_asset(&store, &t.a1, AssetKind::System, "Procapita").await;
        let theirs = mk_asset(&store, &t.b, AssetKind::System, "Treserva").await;

        let c = draft(&asset, v1, 0);
        let seq = head_seq(&store).await;
        store
            .create_classification(&scope, &c, &cl_ev("classification.create", &c))
            .await
            .expect("a draft for an asset in scope");
        assert_one_record(&store, seq, "classification.create").await;
        assert_eq!(
            store
                .get_classification(&read(&editor), c.id)
                .await
                .unwrap(),
            Some(c.clone()),
            "reads back"
        );
        assert_eq!(
            store
                .get_classification(&read(&reader_b), c.id)
                .await
                .unwrap(),
            None,
            "not to another unit"
        );
        assert_eq!(
            store
                .get_classification(&sys(), ClassificationId::new())
                .await
                .unwrap(),
            None
        );

        let seq = head_seq(&store).await;
        let outside = draft(&theirs, v1, 1);
        let no_model = draft(&asset, ModelId::new(), 1);
        let no_asset = Classification {
            asset_id: AssetId::new(),
            ..draft(&asset, v1, 1)
        };
        for (what, x) in [
            ("an asset outside the scope", &outside),
            ("a missing model", &no_model),
            ("a missing asset", &no_asset),
        ] {
            assert_not_found(
                store
                    .create_classification(&scope, x, &cl_ev("classification.create", x))
                    .await,
                what,
            );
            assert_eq!(
                store.get_classification(&sys(), x.id).await.unwrap(),
                None,
                "{what}"
            );
        }
        assert_eq!(head_seq(&store).await, seq, "refusals record nothing");

        // Saving a draft changes its answers, decisions, participants and date.
        let saved = Classification {
            answers: Answers::from([("K1".to_owned(), 3), ("T1".to_owned(), 1)]),
            decisions: decisions(&[("K", 3)]),
            participants: "Anna".into(),
            performed_on: Some(date(2026, 2, 1)),
            updated_at: t0() + mins(5),
            ..c.clone()
        };
        let seq = head_seq(&store).await;
        store
            .save_draft(&scope, &saved, &cl_ev("classification.save", &saved))
            .await
            .expect("save_draft");
        assert_one_record(&store, seq, "classification.save").await;
        assert_eq!(
            store.get_classification(&sys(), c.id).await.unwrap(),
            Some(saved.clone())
        );

        let seq = head_seq(&store).await;
        let mut missing = saved.clone();
        missing.id = ClassificationId::new();
        for (who, s, x) in [
            ("B's editor", write(&editor_b), &saved),
            ("a reader", write(&reader_b), &saved),
            ("a missing draft", sys(), &missing),
        ] {
            assert_not_found(
                store
                    .save_draft(&s, x, &cl_ev("classification.save", x))
                    .await,
                who,
            );
        }
        assert_eq!(head_seq(&store).await, seq, "refusals record nothing");

        // Once completed, it no longer changes.
        let done = completed(&saved, &[("K", 3), ("R", 1), ("T", 1)], date(2027, 2, 1));
        complete(&store, &scope, &done, &[]).await;
        let seq = head_seq(&store).await;
        let mut late = done.clone();
        late.participants = "Någon annan".into();
        late.status = ClassificationStatus::Draft;
        assert_not_found(
            store
                .save_draft(&scope, &late, &cl_ev("classification.save", &late))
                .await,
            "saving a completed classification",
        );
        assert_eq!(head_seq(&store).await, seq);
        assert_eq!(
            store.get_classification(&sys(), c.id).await.unwrap(),
            Some(done)
        );
    }
);

contract!(
    completing_supersedes_the_previous_classification,
    |store: Store| async move {
        let t = tree(&store).await;
        let v1 = mk_model(&store, "standard", 1).await;
        let editor = mk_user(&store, "editor-a", Some((t.a.id, Role::Editor))).await;
        let editor_b = mk_user(&store, "editor-b", Some((t.b.id, Role::Editor))).await;
        let scope = write(&editor);
        let asset = mk_asset(&store, &t.a, AssetKind::System, "Procapita").await;

        let c1 = draft(&asset, v1, 0);
        start(&store, &scope, &c1).await;
        let done1 = completed(&c1, &[("K", 3), ("R", 2), ("T", 1)], date(2027, 1, 15));
        let plan1 = [
            item(&done1, "R-2", ItemStatus::Open),
            item(&done1, "K-1", ItemStatus::Open),
            item(&done1, "K-3", ItemStatus::Open),
        ];
        let seq = head_seq(&store).await;
        store
            .complete_classification(
                &scope,
                &done1,
                &plan1,
                &[cl_ev("classification.complete", &done1)],
            )
            .await
            .expect("complete");
        assert_one_record(&store, seq, "classification.complete").await;
        assert_eq!(
            store.get_classification(&sys(), c1.id).await.unwrap(),
            Some(done1.clone()),
            "completed with its levels, dates and flag"
        );
        let mut by_requirement = plan1.to_vec();
        by_requirement.sort_by(|a, b| a.requirement_id.cmp(&b.requirement_id));
        assert_eq!(
            store.action_items(&read(&editor), c1.id).await.unwrap(),
            by_requirement,
            "the action plan, by requirement"
        );

        // A second completion of the same draft, by anyone, is refused.
        let seq = head_seq(&store).await;
        for (who, s) in [("again", scope), ("B's editor", write(&editor_b))] {
            assert_not_found(
                store
                    .complete_classification(
                        &s,
                        &done1,
                        &[item(&done1, "T-2", ItemStatus::Open)],
                        &[cl_ev("classification.complete", &done1)],
                    )
                    .await,
                who,
            );
        }
        assert_eq!(head_seq(&store).await, seq, "refusals record nothing");
        assert_eq!(store.action_items(&sys(), c1.id).await.unwrap().len(), 3);

        // A reclassification supersedes the first one; its plan stays.
        let c2 = draft(&asset, v1, 10);
        start(&store, &scope, &c2).await;
        let b_draft = draft(&asset, v1, 15);
        assert_not_found(
            store
                .complete_classification(
                    &write(&editor_b),
                    &completed(&b_draft, &[("K", 1)], date(2027, 1, 1)),
                    &[],
                    &[],
                )
                .await,
            "B's editor completing a draft that does not exist",
        );
        let done2 = completed(&c2, &[("K", 4), ("R", 0), ("T", 0)], date(2027, 6, 1));
        complete(&store, &scope, &done2, &[]).await;
        assert_eq!(
            status_of(&store, c1.id).await,
            ClassificationStatus::Superseded
        );
        assert_eq!(
            status_of(&store, c2.id).await,
            ClassificationStatus::Completed
        );
        assert!(
            store
                .get_classification(&sys(), c2.id)
                .await
                .unwrap()
                .unwrap()
                .separate_analysis
        );
        assert!(store.action_items(&sys(), c2.id).await.unwrap().is_empty());
        assert_eq!(store.action_items(&sys(), c1.id).await.unwrap().len(), 3);

        // Newest first; scoped.
        let c3 = draft(&asset, v1, 20);
        start(&store, &scope, &c3).await;
        let history: Vec<_> = store
            .classifications_of(&read(&editor), asset.id)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.status))
            .collect();
        assert_eq!(
            history,
            [
                (c3.id, ClassificationStatus::Draft),
                (c2.id, ClassificationStatus::Completed),
                (c1.id, ClassificationStatus::Superseded)
            ]
        );
        assert!(
            store
                .classifications_of(&read(&editor_b), asset.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .get_classification(&read(&editor_b), c2.id)
                .await
                .unwrap(),
            None
        );

        // The database itself allows one completed classification per asset.
        let r = raw(
            &store,
            &format!(
                "UPDATE classifications SET status = 'completed' WHERE id = {}",
                uuid_literal(&store, c1.id.0)
            ),
        )
        .await;
        match r {
            Err(sqlx::Error::Database(db)) => {
                assert!(db.is_unique_violation(), "a unique violation: {db}")
            }
            other => panic!("a second completed classification: {other:?}"),
        }
        assert_eq!(
            status_of(&store, c1.id).await,
            ClassificationStatus::Superseded
        );
    }
);

/// A UUID as an SQL literal for `raw`.
fn uuid_literal(store: &Store, id: uuid::Uuid) -> String {
    match store.backend() {
        tillit_store::Backend::Sqlite => format!("X'{}'", id.simple()),
        tillit_store::Backend::Postgres => format!("'{id}'"),
    }
}

contract!(
    completing_touches_only_the_classification_s_own_asset,
    |store: Store| async move {
        let t = tree(&store).await;
        let v1 = mk_model(&store, "standard", 1).await;
        let editor = mk_user(&store, "editor-a", Some((t.a.id, Role::Editor))).await;
        let ours = mk_asset(&store, &t.a, AssetKind::System, "Procapita").await;
        let theirs = mk_asset(&store, &t.b, AssetKind::System, "Treserva").await;
        let lv = [("K", 1), ("R", 1), ("T", 1)];
        let their_c = classify(
            &store,
            &theirs,
            v1,
            0,
            &lv,
            date(2027, 1, 1),
            &[("K-1", ItemStatus::Open)],
        )
        .await;

        // A's editor completes A's draft, but names B's asset and B's classification.
        let c = draft(&ours, v1, 5);
        start(&store, &write(&editor), &c).await;
        let forged = Classification {
            asset_id: theirs.id,
            ..completed(&c, &lv, date(2027, 2, 1))
        };
        let stray = item(&their_c, "T-2", ItemStatus::Open);
        store
            .complete_classification(
                &write(&editor),
                &forged,
                &[stray],
                &[cl_ev("classification.complete", &forged)],
            )
            .await
            .expect("the draft in scope completes");
        assert_eq!(
            status_of(&store, their_c.id).await,
            ClassificationStatus::Completed,
            "B's classification is not superseded"
        );
        let got = store
            .get_classification(&sys(), c.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (got.status, got.asset_id),
            (ClassificationStatus::Completed, ours.id)
        );
        assert_eq!(
            store
                .action_items(&sys(), their_c.id)
                .await
                .unwrap()
                .into_iter()
                .map(|i| i.requirement_id)
                .collect::<Vec<_>>(),
            ["K-1"],
            "B's action plan is untouched"
        );
        assert_eq!(
            store
                .action_items(&sys(), c.id)
                .await
                .unwrap()
                .into_iter()
                .map(|i| i.requirement_id)
                .collect::<Vec<_>>(),
            ["T-2"],
            "the items belong to the classification completed"
        );
    }
);

// ---- action items -----------------------------------------------------------------------

contract!(
    action_items_are_marked_in_scope,
    |store: Store| async move {
        let t = tree(&store).await;
        let v1 = mk_model(&store, "standard", 1).await;
        let editor = mk_user(&store, "editor-a1", Some((t.a1.id, Role::Editor))).await;
        let reader = mk_user(&store, "reader-a1", Some((t.a1.id, Role::Reader))).await;
        let editor_b = mk_user(&store, "editor-b", Some((t.b.id, Role::Editor))).await;
        let asset = mk_asset(&store, &t.a1, AssetKind::System, "Procapita").await;
        let c = classify(
            &store,
            &asset,
            v1,
            0,
            &[("K", 3), ("R", 2), ("T", 1)],
            date(2027, 1, 15),
            &[
                ("K-1", ItemStatus::Open),
                ("K-3", ItemStatus::Open),
                ("R-2", ItemStatus::Open),
            ],
        )
        .await;

        assert_eq!(
            store
                .action_items(&read(&reader), c.id)
                .await
                .unwrap()
                .len(),
            3
        );
        assert!(
            store
                .action_items(&read(&editor_b), c.id)
                .await
                .unwrap()
                .is_empty(),
            "not to another unit"
        );
        assert!(
            store
                .action_items(&sys(), ClassificationId::new())
                .await
                .unwrap()
                .is_empty()
        );

        let marked = ActionItem {
            status: ItemStatus::NotApplicable,
            owner: Some("Anna".into()),
            due: Some(date(2026, 6, 30)),
            comment: "Systemet saknar externa användare".into(),
            ..item(&c, "K-3", ItemStatus::Open)
        };
        let item_ev = |i: &ActionItem| {
            ev(
                "action_item.update",
                "action_item",
                format!("{}/{}", i.classification_id, i.requirement_id),
                Some(t.a1.id),
            )
        };
        let seq = head_seq(&store).await;
        store
            .update_action_item(&write(&editor), &marked, t0() + mins(10), &item_ev(&marked))
            .await
            .expect("update_action_item");
        assert_one_record(&store, seq, "action_item.update").await;
        let items = store.action_items(&read(&reader), c.id).await.unwrap();
        assert_eq!(
            items,
            [
                item(&c, "K-1", ItemStatus::Open),
                marked.clone(),
                item(&c, "R-2", ItemStatus::Open)
            ],
            "status, owner, due date and comment changed; the others untouched"
        );

        // Back to plain values: cleared owner and date.
        let cleared = ActionItem {
            status: ItemStatus::Met,
            owner: None,
            due: None,
            comment: String::new(),
            ..marked.clone()
        };
        store
            .update_action_item(
                &write(&editor),
                &cleared,
                t0() + mins(11),
                &item_ev(&cleared),
            )
            .await
            .unwrap();
        assert_eq!(store.action_items(&sys(), c.id).await.unwrap()[1], cleared);

        let seq = head_seq(&store).await;
        let unknown_req = item(&c, "X-9", ItemStatus::Met);
        let unknown_c = ActionItem {
            classification_id: ClassificationId::new(),
            ..item(&c, "K-1", ItemStatus::Met)
        };
        let k1_met = item(&c, "K-1", ItemStatus::Met);
        for (who, s, i) in [
            ("an unknown requirement", write(&editor), &unknown_req),
            ("an unknown classification", sys(), &unknown_c),
            ("B's editor", write(&editor_b), &k1_met),
            ("a reader", write(&reader), &k1_met),
        ] {
            assert_not_found(
                store
                    .update_action_item(&s, i, t0() + mins(12), &item_ev(i))
                    .await,
                who,
            );
        }
        assert_eq!(head_seq(&store).await, seq, "refusals record nothing");
        assert_eq!(
            store.action_items(&sys(), c.id).await.unwrap()[0],
            item(&c, "K-1", ItemStatus::Open),
            "unchanged"
        );
    }
);

// ---- coverage ---------------------------------------------------------------------------

fn sorted_coverage(mut v: Vec<Coverage>) -> Vec<Coverage> {
    v.sort_by_key(|c| c.unit_id);
    v
}

fn cov(unit: &Unit, assets: i64, classified: i64, overdue: i64, open_items: i64) -> Coverage {
    Coverage {
        unit_id: unit.id,
        assets,
        classified,
        overdue,
        open_items,
    }
}

contract!(coverage_is_counted_per_unit, |store: Store| async move {
    use ItemStatus::*;
    let t = tree(&store).await;
    let v1 = mk_model(&store, "standard", 1).await;
    let reader_a = mk_user(&store, "reader-a", Some((t.a.id, Role::Reader))).await;
    let reader_b = mk_user(&store, "reader-b", Some((t.b.id, Role::Reader))).await;
    let today = date(2026, 6, 1);
    let lv = [("K", 3), ("R", 2), ("T", 2)];

    // A: overdue with two outstanding items of four; due today (not overdue) with one open;
    // a reclassified one whose superseded plan no longer counts; a draft only; a retired
    // asset that counts for nothing.
    let overdue = mk_asset(&store, &t.a, AssetKind::System, "Overdue").await;
    classify(
        &store,
        &overdue,
        v1,
        0,
        &lv,
        date(2026, 5, 31),
        &[
            ("K-1", Open),
            ("K-3", NotMet),
            ("R-2", Met),
            ("T-2", NotApplicable),
        ],
    )
    .await;
    let due_today = mk_asset(&store, &t.a, AssetKind::Service, "Today").await;
    classify(&store, &due_today, v1, 1, &lv, today, &[("K-1", Open)]).await;
    let reclassified = mk_asset(&store, &t.a, AssetKind::InformationSet, "Again").await;
    classify(
        &store,
        &reclassified,
        v1,
        2,
        &lv,
        date(2020, 1, 1),
        &[("K-1", Open), ("K-3", Open), ("R-2", NotMet)],
    )
    .await;
    classify(
        &store,
        &reclassified,
        v1,
        3,
        &lv,
        date(2028, 1, 1),
        &[("K-1", Met)],
    )
    .await;
    let drafted = mk_asset(&store, &t.a, AssetKind::System, "Drafted").await;
    let d = draft(&drafted, v1, 4);
    start(&store, &sys(), &d).await;
    let mut retired = new_asset(t.a.id, AssetKind::System, "Retired");
    retired.lifecycle = Lifecycle::Retired;
    put_asset(&store, &sys(), &retired).await;
    classify(
        &store,
        &retired,
        v1,
        5,
        &lv,
        date(2020, 1, 1),
        &[("K-1", Open)],
    )
    .await;
    // A1: one unclassified. B: one overdue without a plan. The organisation root holds none.
    mk_asset(&store, &t.a1, AssetKind::System, "Unclassified").await;
    let b_asset = mk_asset(&store, &t.b, AssetKind::System, "B").await;
    classify(&store, &b_asset, v1, 6, &lv, date(2026, 1, 1), &[]).await;

    let a_row = cov(&t.a, 4, 3, 1, 3);
    let a1_row = cov(&t.a1, 1, 0, 0, 0);
    let b_row = cov(&t.b, 1, 1, 1, 0);
    assert_eq!(
        sorted_coverage(store.coverage(&sys(), today).await.unwrap()),
        sorted_coverage(vec![a_row.clone(), a1_row.clone(), b_row.clone()]),
        "per unit holding assets"
    );
    assert_eq!(
        sorted_coverage(store.coverage(&read(&reader_a), today).await.unwrap()),
        sorted_coverage(vec![a_row, a1_row]),
        "A's reader sees A and A1"
    );
    assert_eq!(
        store.coverage(&read(&reader_b), today).await.unwrap(),
        [b_row],
        "B's reader sees B"
    );
    let overdue_later = store
        .coverage(&read(&reader_b), date(2020, 1, 1))
        .await
        .unwrap();
    assert_eq!(overdue_later[0].overdue, 0, "overdue depends on today");
});

// ---- merges -----------------------------------------------------------------------------

contract!(
    a_merged_unit_s_assets_and_classifications_move_to_the_target,
    |store: Store| async move {
        let t = tree(&store).await;
        let v1 = mk_model(&store, "standard", 1).await;
        let reader_b = mk_user(&store, "reader-b", Some((t.b.id, Role::Reader))).await;
        let scope = read(&reader_b);
        let asset = mk_asset(&store, &t.a, AssetKind::System, "Procapita").await;
        let sub_asset = mk_asset(&store, &t.a1, AssetKind::System, "Lifecare").await;
        let c = classify(
            &store,
            &asset,
            v1,
            0,
            &[("K", 2), ("R", 1), ("T", 1)],
            date(2027, 1, 1),
            &[("K-1", ItemStatus::Open)],
        )
        .await;
        let d = draft(&asset, v1, 5);
        start(&store, &sys(), &d).await;
        assert_eq!(store.get_asset(&scope, asset.id).await.unwrap(), None);

        store
            .merge_units(
                &sys(),
                &[t.a.id],
                t.b.id,
                t0() + mins(60),
                &[ev("unit.merge", "unit", t.a.id, Some(t.a.id))],
            )
            .await
            .expect("merge A into B");

        let got = store.get_asset(&scope, asset.id).await.unwrap();
        assert_eq!(
            got,
            Some(Asset {
                unit_id: t.b.id,
                ..asset.clone()
            }),
            "B's reader sees A's asset, now in B"
        );
        let page = store
            .list_assets(&scope, &AssetFilter::default())
            .await
            .unwrap();
        assert_eq!(
            names(&page),
            ["Lifecare", "Procapita"],
            "A1's asset too, below B now"
        );
        assert_eq!(
            page.rows[1].classification.as_ref().map(|s| s.id),
            Some(c.id)
        );
        let history = store.classifications_of(&scope, asset.id).await.unwrap();
        assert_eq!(
            history
                .iter()
                .map(|x| (x.id, x.unit_id))
                .collect::<Vec<_>>(),
            [(d.id, t.b.id), (c.id, t.b.id)],
            "the classifications moved with it"
        );
        assert_eq!(store.action_items(&scope, c.id).await.unwrap().len(), 1);
        assert_eq!(
            sorted_coverage(store.coverage(&scope, date(2026, 1, 1)).await.unwrap()),
            sorted_coverage(vec![cov(&t.b, 1, 1, 0, 1), cov(&t.a1, 1, 0, 0, 0)])
        );
        assert_eq!(
            store
                .get_asset(&scope, sub_asset.id)
                .await
                .unwrap()
                .map(|a| a.unit_id),
            Some(t.a1.id),
            "a sub-unit's asset stays in its sub-unit"
        );
    }
);

contract!(
    a_merge_with_clashing_asset_names_is_a_conflict,
    |store: Store| async move {
        let t = tree(&store).await;
        let a = mk_asset(&store, &t.a, AssetKind::System, "Office 365").await;
        mk_asset(&store, &t.b, AssetKind::System, "office 365").await;
        let seq = head_seq(&store).await;
        assert_conflict(
            store
                .merge_units(
                    &sys(),
                    &[t.a.id],
                    t.b.id,
                    t0() + mins(60),
                    &[ev("unit.merge", "unit", t.a.id, Some(t.a.id))],
                )
                .await,
            "two systems of the same name in the merged units",
        );
        assert_eq!(head_seq(&store).await, seq, "nothing recorded");
        assert_eq!(
            store.get_asset(&sys(), a.id).await.unwrap(),
            Some(a),
            "the asset stays in A"
        );
        assert_eq!(
            store
                .get_unit(&sys(), t.a.id)
                .await
                .unwrap()
                .unwrap()
                .closed_at,
            None,
            "A stays open"
        );
    }
);
