//! The classification workflow on a real database, both backends, with the shipped model.

use tillit_app::classification::{DraftInput, ItemUpdate, ensure_shipped_models};
use tillit_app::inventory::NewAsset;
use tillit_app::{App, AppConfig, AppError, Caller, bootstrap};
use tillit_domain::asset::{AssetFilter, AssetKind, Hosting, Lifecycle};
use tillit_domain::classification::{AspectDecision, ClassificationStatus, ItemStatus};
use tillit_domain::{AssetId, UnitId};
use tillit_store::testing::{TempDir, fresh_postgres, fresh_sqlite};

const PW: &str = "classification-admin-pw";

struct T {
    app: App,
    root: UnitId,
    admin: Caller,
    _dir: Option<TempDir>,
}

async fn setup(pg: bool) -> Option<T> {
    let (store, dir) = if pg {
        (fresh_postgres().await.unwrap()?.0, None)
    } else {
        let (s, d) = fresh_sqlite().await.unwrap();
        (s, Some(d))
    };
    ensure_shipped_models(&store).await.unwrap();
    ensure_shipped_models(&store)
        .await
        .expect("a second start stores nothing new");
    assert_eq!(store.list_models().await.unwrap().len(), 1);
    let root = bootstrap::bootstrap(&store, "Staden", Some(PW.into()))
        .await
        .unwrap()
        .unwrap()
        .organisation;
    let app = App::new(store, AppConfig::default());
    let s = app.login("admin", PW).await.unwrap();
    let admin = app.session_caller(&s.token).await.unwrap().unwrap();
    Some(T {
        app,
        root,
        admin,
        _dir: dir,
    })
}

macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let mut t = setup(false).await.unwrap();
                // Held here: the body's closure captures only the fields it uses, and would
                // drop (delete) the database folder under the open pool otherwise.
                let _dir = t._dir.take();
                ($body)(t).await;
            }
            #[tokio::test]
            async fn postgres() {
                match setup(true).await {
                    Some(t) => ($body)(t).await,
                    None => eprintln!("skipped: TILLIT_TEST_PG_URL is not set"),
                }
            }
        }
    };
}

impl T {
    async fn system(&self, name: &str) -> AssetId {
        let new = NewAsset {
            unit_id: self.root,
            kind: AssetKind::System,
            name: name.into(),
            description: String::new(),
            lifecycle: Lifecycle::InUse,
            hosting: Hosting::Saas,
            nis2_covered: false,
            criticality: None,
            supplier: Some("Leverantören AB".into()),
            system_owner: Some("Anna Systemägare".into()),
            object_leader: None,
            information_owner: None,
        };
        self.app.create_asset(&self.admin, new).await.unwrap().id
    }

    /// Decides every aspect of the model at `level`.
    fn all_at(&self, model: &tillit_domain::classification::Model, level: u8) -> DraftInput {
        DraftInput {
            decisions: model
                .aspects
                .iter()
                .map(|a| {
                    (
                        a.code.clone(),
                        AspectDecision {
                            level,
                            justification: "Bedömning i workshop".into(),
                        },
                    )
                })
                .collect(),
            participants: Some("Anna (systemägare), Bo (informationssäkerhetssamordnare)".into()),
            performed_on: Some(jiff::civil::date(2026, 3, 10)),
            ..Default::default()
        }
    }
}

both!(
    a_classification_runs_from_draft_to_action_plan,
    |t: T| async move {
        let asset = t.system("Procapita").await;
        let c = t
            .app
            .start_classification(&t.admin, asset, None)
            .await
            .unwrap();
        assert_eq!(c.status, ClassificationStatus::Draft);
        assert!(
            matches!(
                t.app.start_classification(&t.admin, asset, None).await,
                Err(AppError::Invalid(_))
            ),
            "one draft per asset"
        );
        let model = t.app.get_model(c.model_id).await.unwrap().model;

        // Answer the first confidentiality question with its most serious answer but one.
        let q = model.questions.iter().find(|q| q.aspect == "K").unwrap();
        let choice = q.answers.len() - 2;
        let proposed = q.answers[choice].level;
        let input = DraftInput {
            answers: [(q.id.clone(), choice)].into(),
            ..Default::default()
        };
        t.app
            .save_classification(&t.admin, c.id, input)
            .await
            .unwrap();
        let view = t.app.classification_view(&t.admin, c.id).await.unwrap();
        assert_eq!(view.proposals["K"].level, Some(proposed));

        // Departing from the proposal without a reason is refused; with one it is kept.
        let lower = proposed.saturating_sub(1);
        let mut bad = DraftInput::default();
        bad.decisions.insert(
            "K".into(),
            AspectDecision {
                level: lower,
                justification: String::new(),
            },
        );
        assert!(matches!(
            t.app.save_classification(&t.admin, c.id, bad).await,
            Err(AppError::Invalid(_))
        ));

        // Completing needs every aspect decided.
        assert!(matches!(
            t.app.complete_classification(&t.admin, c.id).await,
            Err(AppError::Invalid(_))
        ));
        let mut all = t.all_at(&model, 2);
        all.decisions.insert(
            "K".into(),
            AspectDecision {
                level: proposed,
                justification: String::new(),
            },
        );
        t.app
            .save_classification(&t.admin, c.id, all)
            .await
            .unwrap();
        let done = t.app.complete_classification(&t.admin, c.id).await.unwrap();
        let c2 = &done.classification;
        assert_eq!(c2.status, ClassificationStatus::Completed);
        assert_eq!(
            c2.review_due,
            Some(jiff::civil::date(2028, 3, 10)),
            "24 months in the shipped model"
        );

        // The action plan is exactly the requirements that follow from the levels.
        let expected: Vec<String> = model
            .requirements
            .iter()
            .filter(|r| c2.decisions[&r.aspect].level >= r.from_level)
            .map(|r| r.id.clone())
            .collect();
        let mut got: Vec<String> = done
            .items
            .iter()
            .map(|i| i.requirement_id.clone())
            .collect();
        got.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(got, want);
        assert!(!got.is_empty());
        assert!(done.items.iter().all(
            |i| i.status == ItemStatus::Open && i.owner.as_deref() == Some("Anna Systemägare")
        ));

        // A completed classification is locked.
        assert!(matches!(
            t.app
                .save_classification(&t.admin, c.id, DraftInput::default())
                .await,
            Err(AppError::Invalid(_))
        ));

        // Items are marked; "not applicable" needs a reason.
        let rid = got[0].clone();
        let na = ItemUpdate {
            status: ItemStatus::NotApplicable,
            owner: None,
            due: None,
            comment: " ".into(),
        };
        assert!(matches!(
            t.app.update_action_item(&t.admin, c.id, &rid, na).await,
            Err(AppError::Invalid(_))
        ));
        let met = ItemUpdate {
            status: ItemStatus::Met,
            owner: Some("Bo".into()),
            due: Some(jiff::civil::date(2026, 6, 1)),
            comment: "Infört".into(),
        };
        let item = t
            .app
            .update_action_item(&t.admin, c.id, &rid, met)
            .await
            .unwrap();
        assert_eq!(
            (item.status, item.owner.as_deref()),
            (ItemStatus::Met, Some("Bo"))
        );
        let missing = ItemUpdate {
            status: ItemStatus::Met,
            owner: None,
            due: None,
            comment: String::new(),
        };
        assert!(matches!(
            t.app
                .update_action_item(&t.admin, c.id, "NO-SUCH", missing)
                .await,
            Err(AppError::NotFound)
        ));

        // The inventory shows the classification; coverage counts it, with open items.
        let page = t
            .app
            .list_assets(&t.admin, &AssetFilter::default())
            .await
            .unwrap();
        let row = page.rows.iter().find(|r| r.asset.id == asset).unwrap();
        assert_eq!(row.classification.as_ref().unwrap().levels["K"], proposed);
        let cov = t
            .app
            .coverage(&t.admin, jiff::civil::date(2026, 4, 1))
            .await
            .unwrap();
        assert_eq!(cov.len(), 1);
        assert_eq!(
            (cov[0].assets, cov[0].classified, cov[0].overdue),
            (1, 1, 0)
        );
        assert_eq!(cov[0].open_items, (got.len() - 1) as i64);
        let later = t
            .app
            .coverage(&t.admin, jiff::civil::date(2028, 3, 11))
            .await
            .unwrap();
        assert_eq!(later[0].overdue, 1, "past the review date");

        // Reclassifying supersedes the old one.
        let again = t
            .app
            .start_classification(&t.admin, asset, None)
            .await
            .unwrap();
        t.app
            .save_classification(&t.admin, again.id, t.all_at(&model, 1))
            .await
            .unwrap();
        t.app
            .complete_classification(&t.admin, again.id)
            .await
            .unwrap();
        let history = t.app.classifications_of(&t.admin, asset).await.unwrap();
        let statuses: Vec<_> = history.iter().map(|c| c.status).collect();
        assert_eq!(
            statuses,
            [
                ClassificationStatus::Completed,
                ClassificationStatus::Superseded
            ]
        );
    }
);

both!(
    the_highest_level_flags_a_separate_analysis_instead_of_a_plan,
    |t: T| async move {
        let asset = t.system("Journalsystem").await;
        let c = t
            .app
            .start_classification(&t.admin, asset, None)
            .await
            .unwrap();
        let model = t.app.get_model(c.model_id).await.unwrap().model;
        let mut input = t.all_at(&model, 2);
        input.decisions.insert(
            "K".into(),
            AspectDecision {
                level: 4,
                justification: "Sekretess enligt OSL 25 kap.".into(),
            },
        );
        t.app
            .save_classification(&t.admin, c.id, input)
            .await
            .unwrap();
        let done = t.app.complete_classification(&t.admin, c.id).await.unwrap();
        assert!(done.classification.separate_analysis);
        assert!(done.items.is_empty());
        assert!(
            done.requirements.iter().any(|r| r.from_level == 4),
            "the requirements still show"
        );
    }
);

both!(
    a_classification_stays_on_its_model_version,
    |t: T| async move {
        let asset = t.system("Ekonomisystem").await;
        let c = t
            .app
            .start_classification(&t.admin, asset, None)
            .await
            .unwrap();
        let v1 = t.app.get_model(c.model_id).await.unwrap();
        // Version 2 rewrites every requirement's text and adds one at level 1.
        let mut m2 = v1.model.clone();
        m2.version = 2;
        for r in &mut m2.requirements {
            r.text.sv = format!("Ändrad: {}", r.text.sv);
        }
        let mut extra = m2.requirements[0].clone();
        extra.id = "NY-1-99".into();
        extra.from_level = 1;
        m2.requirements.push(extra);
        let yaml = serde_json::to_string(&m2).unwrap();
        let stored = t.app.import_model(&t.admin, &yaml).await.unwrap();
        assert_eq!(
            t.app.latest_model("tillit-standard").await.unwrap().id,
            stored.id
        );
        assert!(
            matches!(
                t.app.import_model(&t.admin, &yaml).await,
                Err(AppError::Invalid(_))
            ),
            "a version is stored once"
        );

        t.app
            .save_classification(&t.admin, c.id, t.all_at(&v1.model, 2))
            .await
            .unwrap();
        let done = t.app.complete_classification(&t.admin, c.id).await.unwrap();
        assert_eq!(done.model.id, v1.id);
        assert!(done.items.iter().all(|i| i.requirement_id != "NY-1-99"));
        assert!(
            done.requirements
                .iter()
                .all(|r| !r.text.sv.starts_with("Ändrad"))
        );
        // Stored v1 is untouched.
        assert_eq!(t.app.get_model(v1.id).await.unwrap().model, v1.model);
        // A new classification takes the newest version.
        let other = t.system("Lönesystem").await;
        assert_eq!(
            t.app
                .start_classification(&t.admin, other, None)
                .await
                .unwrap()
                .model_id,
            stored.id
        );
    }
);

both!(
    a_broken_model_file_is_refused_with_where_and_why,
    |t: T| async move {
        match t.app.import_model(&t.admin, "key: x\nversion: [").await {
            Err(AppError::Rejected { details, .. }) => {
                assert!(details[0].contains("line"), "{details:?}")
            }
            other => panic!("expected a rejection, got {other:?}"),
        }
        let mut m = t.app.latest_model("tillit-standard").await.unwrap().model;
        m.version = 7;
        m.questions[0].aspect = "X".into();
        m.requirements[0].from_level = 9;
        match t
            .app
            .import_model(&t.admin, &serde_json::to_string(&m).unwrap())
            .await
        {
            Err(AppError::Rejected { details, .. }) => {
                assert_eq!(details.len(), 2, "{details:?}");
                assert!(details[0].starts_with("questions[0]"));
            }
            other => panic!("expected a rejection, got {other:?}"),
        }
        assert_eq!(
            t.app.list_models().await.unwrap().len(),
            1,
            "nothing stored"
        );
    }
);

both!(
    a_system_inherits_the_classification_of_the_information_it_processes,
    |t: T| async move {
        use tillit_domain::asset::{AssetLink, LinkKind};
        let system = t.system("Ärendehanteringssystem").await;
        let new = NewAsset {
            unit_id: t.root,
            kind: AssetKind::InformationSet,
            name: "Personakter".into(),
            description: String::new(),
            lifecycle: Lifecycle::InUse,
            hosting: Hosting::Unknown,
            nis2_covered: false,
            criticality: None,
            supplier: None,
            system_owner: None,
            object_leader: None,
            information_owner: Some("Socialchefen".into()),
        };
        let info = t.app.create_asset(&t.admin, new).await.unwrap().id;
        assert!(
            t.app
                .effective_levels(&t.admin, system)
                .await
                .unwrap()
                .is_empty(),
            "nothing classified yet"
        );
        let wrong = AssetLink {
            from: info,
            to: system,
            kind: LinkKind::Processes,
        };
        assert!(matches!(
            t.app.link_assets(&t.admin, wrong).await,
            Err(AppError::Invalid(_))
        ));
        let link = AssetLink {
            from: system,
            to: info,
            kind: LinkKind::Processes,
        };
        assert!(t.app.link_assets(&t.admin, link).await.unwrap());
        assert!(
            !t.app.link_assets(&t.admin, link).await.unwrap(),
            "linking twice changes nothing"
        );

        let c = t
            .app
            .start_classification(&t.admin, info, None)
            .await
            .unwrap();
        let model = t.app.get_model(c.model_id).await.unwrap().model;
        let mut input = t.all_at(&model, 1);
        input.decisions.insert(
            "K".into(),
            AspectDecision {
                level: 3,
                justification: "Känsliga personuppgifter".into(),
            },
        );
        t.app
            .save_classification(&t.admin, c.id, input)
            .await
            .unwrap();
        t.app.complete_classification(&t.admin, c.id).await.unwrap();

        let eff = t.app.effective_levels(&t.admin, system).await.unwrap();
        assert_eq!(eff.get("K"), Some(&3));
        assert_eq!(eff.get("R"), Some(&1));
        // What is carried does not inherit from its carrier.
        assert_eq!(
            t.app
                .effective_levels(&t.admin, info)
                .await
                .unwrap()
                .get("K"),
            Some(&3)
        );
        t.app.unlink_assets(&t.admin, link).await.unwrap();
        assert!(
            t.app
                .effective_levels(&t.admin, system)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

both!(
    action_plans_are_listed_and_exported_for_follow_up,
    |t: T| async move {
        use tillit_app::import::{Format, Language};
        use tillit_domain::classification::ActionItemFilter;
        let asset = t.system("Skolplattform").await;
        let c = t
            .app
            .start_classification(&t.admin, asset, None)
            .await
            .unwrap();
        let model = t.app.get_model(c.model_id).await.unwrap().model;
        t.app
            .save_classification(&t.admin, c.id, t.all_at(&model, 2))
            .await
            .unwrap();
        let done = t.app.complete_classification(&t.admin, c.id).await.unwrap();
        let first = done.items[0].requirement_id.clone();
        let met = ItemUpdate {
            status: ItemStatus::Met,
            owner: Some("Bo".into()),
            due: None,
            comment: "Klart".into(),
        };
        t.app
            .update_action_item(&t.admin, c.id, &first, met)
            .await
            .unwrap();

        let all = t
            .app
            .list_action_items(&t.admin, &ActionItemFilter::default())
            .await
            .unwrap();
        assert_eq!(all.len(), done.items.len());
        assert!(
            all.iter()
                .all(|r| r.asset_name == "Skolplattform" && r.unit_id == t.root)
        );
        let todo = ActionItemFilter {
            outstanding: true,
            ..Default::default()
        };
        let outstanding = t.app.list_action_items(&t.admin, &todo).await.unwrap();
        assert_eq!(outstanding.len(), done.items.len() - 1);
        assert!(outstanding.iter().all(|r| r.item.requirement_id != first));

        let csv = t
            .app
            .export_action_plans(&t.admin, None, false, Format::Csv, Language::Sv)
            .await
            .unwrap();
        let text = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert!(lines[0].starts_with("Enhet;Tillgång;"), "{}", lines[0]);
        let row = lines.iter().find(|l| l.contains(&first)).unwrap();
        assert!(
            row.contains("Uppfyllt") && row.contains("Skolplattform"),
            "{row}"
        );
        let requirement = model.requirement(&first).unwrap();
        let start: String = requirement.text.sv.chars().take(30).collect();
        assert!(text.contains(&start), "the requirement's Swedish text");
        let en = t
            .app
            .export_action_plans(&t.admin, None, true, Format::Csv, Language::En)
            .await
            .unwrap();
        let en = String::from_utf8(en).unwrap();
        assert!(en.contains("Requirement text"));
        assert!(
            !en.contains(&format!(";{first};")),
            "the met item is not outstanding"
        );
        let xlsx = t
            .app
            .export_action_plans(&t.admin, None, false, Format::Xlsx, Language::Sv)
            .await
            .unwrap();
        assert_eq!(&xlsx[..2], b"PK", "an XLSX workbook");
    }
);
