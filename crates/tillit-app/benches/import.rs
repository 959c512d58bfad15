//! Importing a 10 000-row register through the whole use case: reading the file (CSV and
//! XLSX), the dry run that checks every row, the real import in one transaction, and the
//! export back to XLSX. Run: `cargo bench -p tillit-app --bench import` (SQLite), with
//! `TILLIT_TEST_PG_URL` set for PostgreSQL too.

// The register the import tests use; the bench needs only part of it.
#[path = "../tests/fixtures/register.rs"]
#[allow(dead_code)]
mod register;

use std::time::Instant;

use tillit_app::import::{ColumnMapping, Format, Language, read_file};
use tillit_app::units::NewUnit;
use tillit_app::{App, AppConfig, bootstrap};
use tillit_domain::UnitKind;
use tillit_domain::asset::AssetFilter;
use tillit_store::Store;
use tillit_store::testing::{fresh_postgres, fresh_sqlite};

const PW: &str = "import-bench-password";

async fn run(label: &str, store: Store) {
    tillit_app::classification::ensure_shipped_models(&store)
        .await
        .unwrap();
    let root = bootstrap::bootstrap(&store, "Staden", Some(PW.into()))
        .await
        .unwrap()
        .unwrap()
        .organisation;
    let app = App::new(store, AppConfig::default());
    let s = app.login("admin", PW).await.unwrap();
    let admin = app.session_caller(&s.token).await.unwrap().unwrap();
    for name in register::UNITS {
        let unit = NewUnit {
            name: name.into(),
            kind: UnitKind::Administration,
            parent_id: root,
        };
        app.create_unit(&admin, unit).await.unwrap();
    }
    let base = register::rows();
    let rows: Vec<Vec<String>> = (0..10_000)
        .map(|n| {
            let mut r = base[n % base.len()].clone();
            r[0] = format!("{} {:03}", r[0], n / base.len());
            r
        })
        .collect();
    let headers: Vec<String> = register::HEADERS.iter().map(|h| (*h).to_owned()).collect();
    let csv = tillit_reports::write_csv(&headers, &rows);
    let xlsx = tillit_reports::write_xlsx("Register", &headers, &rows).unwrap();

    let at = Instant::now();
    let table = read_file(&csv, Format::Csv).unwrap();
    let read_csv = at.elapsed();
    let at = Instant::now();
    read_file(&xlsx, Format::Xlsx).unwrap();
    let read_xlsx = at.elapsed();
    let mapping = ColumnMapping::guess(&table.headers);
    let at = Instant::now();
    let dry = app
        .import_assets(&admin, &table, &mapping, true)
        .await
        .unwrap();
    let checked = at.elapsed();
    assert!(dry.errors.is_empty());
    let at = Instant::now();
    let done = app
        .import_assets(&admin, &table, &mapping, false)
        .await
        .unwrap();
    let stored = at.elapsed();
    assert_eq!(done.imported, 10_000);
    let at = Instant::now();
    let out = app
        .export_assets(&admin, &AssetFilter::default(), Format::Xlsx, Language::Sv)
        .await
        .unwrap();
    let exported = at.elapsed();
    let ms = |d: std::time::Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!(
        "\n{label}: a 10 000-row register (CSV {} bytes, XLSX {} bytes)",
        csv.len(),
        xlsx.len()
    );
    println!("  read CSV                 {:>10}", ms(read_csv));
    println!("  read XLSX                {:>10}", ms(read_xlsx));
    println!("  dry run (check all rows) {:>10}", ms(checked));
    println!("  import (one transaction) {:>10}", ms(stored));
    println!(
        "  export to XLSX           {:>10} ({} bytes)",
        ms(exported),
        out.len()
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
