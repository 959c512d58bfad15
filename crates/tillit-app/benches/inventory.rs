//! Inventory at city scale: 50 units and 10 000 assets, a third of them classified. Measures
//! listing, filtering and paging as a signed-in organisation administrator sees them (through
//! the scope filter), classification coverage, and storing a 10 000-row import in one
//! transaction. Run: `cargo bench -p tillit-app --bench inventory` (SQLite), and with
//! `TILLIT_TEST_PG_URL` set for PostgreSQL too. Prints the median and 95th percentile.

use std::time::{Duration, Instant};

use jiff::Timestamp;
use tillit_app::classification::ensure_shipped_models;
use tillit_app::{bootstrap, secrets};
use tillit_domain::asset::{Asset, AssetFilter, AssetKind, Criticality, Hosting, Lifecycle};
use tillit_domain::audit::AuditEvent;
use tillit_domain::classification::{
    AspectDecision, Classification, ClassificationStatus, Decisions,
};
use tillit_domain::{
    Actor, AssetId, ClassificationId, Permission, Role, Scope, Unit, UnitId, UnitKind, User, UserId,
};
use tillit_store::Store;
use tillit_store::testing::{fresh_postgres, fresh_sqlite};

const UNITS: usize = 50;
const ASSETS: usize = 10_000;
const RUNS: usize = 40;

fn asset(i: usize, unit: UnitId, now: Timestamp) -> Asset {
    let kind = match i % 3 {
        0 => AssetKind::System,
        1 => AssetKind::Service,
        _ => AssetKind::InformationSet,
    };
    Asset {
        id: AssetId::new(),
        unit_id: unit,
        kind,
        name: format!(
            "Tillgång {i:05} {}",
            ["ekonomi", "skola", "omsorg", "bygglov", "HR"][i % 5]
        ),
        description: "Skapad för mätning".into(),
        lifecycle: if i.is_multiple_of(17) {
            Lifecycle::Retired
        } else {
            Lifecycle::InUse
        },
        hosting: Hosting::Saas,
        nis2_covered: i.is_multiple_of(11),
        criticality: [
            None,
            Some(Criticality::Low),
            Some(Criticality::High),
            Some(Criticality::Critical),
        ][i % 4],
        supplier: Some(format!("Leverantör {}", i % 40)),
        system_owner: Some(format!("Systemägare {}", i % 200)),
        object_leader: None,
        information_owner: None,
        created_at: now,
        updated_at: now,
    }
}

fn event(a: &Asset) -> AuditEvent {
    AuditEvent::new(None, "bench", "asset.create", "asset", a.id)
        .unit(Some(a.unit_id))
        .change(None::<&()>, Some(a))
}

struct Stats {
    median: Duration,
    p95: Duration,
}

async fn measure<F, Fut>(mut f: F) -> Stats
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await; // warm-up
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        f().await;
        times.push(t.elapsed());
    }
    times.sort();
    Stats {
        median: times[RUNS / 2],
        p95: times[RUNS * 95 / 100],
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn run(label: &str, store: Store) {
    ensure_shipped_models(&store).await.unwrap();
    let b = bootstrap::bootstrap(&store, "Benchstaden", Some("bench-admin-password".into()))
        .await
        .unwrap()
        .unwrap();
    let system = Scope::system();
    let now = Timestamp::now();
    let mut units = Vec::new();
    for i in 0..UNITS {
        let parent = if i < 10 {
            b.organisation
        } else {
            units[i % 10]
        };
        let u = Unit {
            id: UnitId::new(),
            parent_id: Some(parent),
            name: format!("Förvaltning {i:02}"),
            kind: UnitKind::Administration,
            merged_into: None,
            created_at: now,
            closed_at: None,
        };
        let ev = AuditEvent::new(None, "bench", "unit.create", "unit", u.id).unit(Some(u.id));
        store.create_unit(&system, &u, &ev).await.unwrap();
        units.push(u.id);
    }
    // The reader everything is measured as: an administrator of the organisation.
    let reader = User {
        id: UserId::new(),
        username: "bench".into(),
        display_name: "Bench".into(),
        email: None,
        locale: "sv".into(),
        is_active: true,
        oidc_subject: None,
        locked_until: None,
        created_at: now,
    };
    let hash = secrets::hash_password("bench-reader-password").unwrap();
    store
        .create_user(
            &system,
            &reader,
            Some(&hash),
            None,
            Some((b.organisation, Role::Admin)),
            &[],
        )
        .await
        .unwrap();
    let scope = Scope::new(Actor::User(reader.id), Permission::Read);

    // Import: 10 000 rows in one transaction, one audit record each.
    let assets: Vec<Asset> = (0..ASSETS)
        .map(|i| asset(i, units[i % UNITS], now))
        .collect();
    let events: Vec<AuditEvent> = assets.iter().map(event).collect();
    let t = Instant::now();
    store
        .import_assets(&system, &assets, &events)
        .await
        .unwrap();
    let import = t.elapsed();

    // A third classified, so lists join real classifications.
    let model = store.list_models().await.unwrap().remove(0);
    for (i, a) in assets.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let decisions: Decisions = model
            .model
            .aspects
            .iter()
            .map(|x| {
                (
                    x.code.clone(),
                    AspectDecision {
                        level: (i % 4) as u8,
                        justification: String::new(),
                    },
                )
            })
            .collect();
        let mut c = Classification {
            id: ClassificationId::new(),
            asset_id: a.id,
            unit_id: a.unit_id,
            model_id: model.id,
            status: ClassificationStatus::Draft,
            answers: Default::default(),
            decisions,
            participants: "Bench".into(),
            performed_on: Some(jiff::civil::date(2024 + (i % 3) as i16, 1, 1)),
            review_due: Some(jiff::civil::date(2026 + (i % 3) as i16, 1, 1)),
            separate_analysis: false,
            created_at: now,
            updated_at: now,
        };
        let ev = AuditEvent::new(
            None,
            "bench",
            "classification.start",
            "classification",
            c.id,
        );
        store.create_classification(&system, &c, &ev).await.unwrap();
        c.status = ClassificationStatus::Completed;
        store
            .complete_classification(&system, &c, &[], &[])
            .await
            .unwrap();
    }

    let today = jiff::civil::date(2026, 11, 23);
    let page = |f: AssetFilter| {
        let store = store.clone();
        async move {
            let p = store.list_assets(&scope, &f).await.unwrap();
            assert!(p.total > 0);
        }
    };
    let cases: Vec<(&str, AssetFilter)> = vec![
        (
            "first page, 50 rows, by name",
            AssetFilter {
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "page 100 (offset 4 950)",
            AssetFilter {
                limit: 50,
                offset: 4950,
                ..Default::default()
            },
        ),
        (
            "filter: systems, name contains",
            AssetFilter {
                kind: Some(AssetKind::System),
                search: Some("skola".into()),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "filter: one unit's subtree",
            AssetFilter {
                unit_id: Some(units[3]),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "filter: NIS2, classified",
            AssetFilter {
                nis2_covered: Some(true),
                classified: Some(true),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "unclassified by priority",
            AssetFilter {
                classified: Some(false),
                by_priority: true,
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "overdue for review",
            AssetFilter {
                overdue_on: Some(today),
                limit: 50,
                ..Default::default()
            },
        ),
    ];
    println!(
        "\n{label}: {UNITS} units, {ASSETS} assets, {} classified",
        ASSETS.div_ceil(3)
    );
    println!(
        "  {:<40} {:>12}",
        "import 10 000 rows (one transaction)",
        ms(import)
    );
    for (name, f) in cases {
        let s = measure(|| page(f.clone())).await;
        println!("  {:<40} {:>12} (p95 {})", name, ms(s.median), ms(s.p95));
    }
    let s = measure(|| {
        let store = store.clone();
        async move {
            assert!(!store.coverage(&scope, today).await.unwrap().is_empty());
        }
    })
    .await;
    println!(
        "  {:<40} {:>12} (p95 {})",
        "coverage per unit",
        ms(s.median),
        ms(s.p95)
    );
}

#[tokio::main]
async fn main() {
    let (sqlite, _dir) = fresh_sqlite().await.unwrap();
    run("SQLite", sqlite).await;
    if let Some((pg, _)) = fresh_postgres().await.unwrap() {
        run("PostgreSQL", pg).await;
    }
}
