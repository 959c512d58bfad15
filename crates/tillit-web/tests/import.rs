//! Import and export over HTTP, both databases: the API (`POST /api/v1/assets/import`,
//! `GET /api/v1/assets/export`) and the pages (`/assets/import`, `/assets/export.*`), with
//! the 200-row register the browser test uses.

mod common;

use common::TestApp;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tillit_app::import::{Format, read_file};
use tillit_domain::{Role, UnitId};

const REGISTER: &[u8] = include_bytes!("../../../e2e/fixtures/register-200.csv");
const UNITS: [&str; 3] = [
    "Socialförvaltningen",
    "Utbildningsförvaltningen",
    "Stadsbyggnadskontoret",
];

async fn with_units(t: &TestApp) -> Vec<UnitId> {
    let admin = t.admin().await;
    let mut out = Vec::new();
    for name in UNITS {
        out.push(t.unit(&admin, name, t.organisation).await);
    }
    out
}

async fn post_file(t: &TestApp, token: &str, query: &str, body: Vec<u8>) -> reqwest::Response {
    t.client
        .post(format!("{}/api/v1/assets/import?{query}", t.base))
        .bearer_auth(token)
        .header(CONTENT_TYPE, "text/csv")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn total(t: &TestApp, token: &str) -> i64 {
    t.get_json(token, "/api/v1/assets?limit=1").await["total"]
        .as_i64()
        .unwrap()
}

on_both_databases!(
    the_api_imports_a_register_all_or_nothing,
    |t: TestApp| async move {
        with_units(&t).await;
        let token = t.token("admin", common::ADMIN_PASSWORD).await;

        let r = post_file(&t, &token, "dry_run=true&format=csv", REGISTER.to_vec()).await;
        assert_eq!(r.status(), StatusCode::OK);
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["total_rows"], 200);
        assert_eq!(report["rows"].as_array().unwrap().len(), 200);
        assert_eq!(report["errors"].as_array().unwrap().len(), 0);
        assert_eq!(report["imported"], 0);
        assert_eq!(total(&t, &token).await, 0, "a dry run writes nothing");

        // Without `dry_run`, nothing is written either; the format is told by the content.
        let r = post_file(&t, &token, "", REGISTER.to_vec()).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(total(&t, &token).await, 0);

        let r = post_file(&t, &token, "dry_run=false", REGISTER.to_vec()).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["imported"], 200);
        assert_eq!(total(&t, &token).await, 200);

        // Again: every row is a duplicate now, and the answer says where.
        let r = post_file(&t, &token, "dry_run=false", REGISTER.to_vec()).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.headers()[CONTENT_TYPE].to_str().unwrap(),
            "application/problem+json"
        );
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["code"], "error-import-invalid");
        let errors = p["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 200);
        assert_eq!(
            errors[0],
            "row 2, column \"Namn\": the unit already has an asset of this kind with this name \"Treserva IFO\""
        );
        assert_eq!(total(&t, &token).await, 200);

        // A bad row in an otherwise good file: nothing is written.
        let file = "Namn;Typ;Enhet\r\nNytt system;System;Socialförvaltningen\r\nLön;Servr;Socialförvaltningen\r\n";
        let r = post_file(&t, &token, "dry_run=false", file.into()).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let p: Value = r.json().await.unwrap();
        assert_eq!(
            p["errors"][0],
            "row 3, column \"Typ\": unknown value \"Servr\""
        );
        assert_eq!(total(&t, &token).await, 200);
    }
);

on_both_databases!(
    the_api_refuses_bad_files_and_mappings,
    |t: TestApp| async move {
        let units = with_units(&t).await;
        let token = t.token("admin", common::ADMIN_PASSWORD).await;

        let garbage: Vec<u8> = (0..3000u32).map(|i| (i * 7919 % 251) as u8).collect();
        for format in ["csv", "xlsx"] {
            let r = post_file(
                &t,
                &token,
                &format!("dry_run=false&format={format}"),
                garbage.clone(),
            )
            .await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{format}");
            let p: Value = r.json().await.unwrap();
            assert!(
                p["code"]
                    .as_str()
                    .unwrap()
                    .starts_with("error-import-file-"),
                "{p}"
            );
        }
        let r = post_file(&t, &token, "format=pdf", b"x".to_vec()).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);

        // Columns named in the query: a header, a number, or "-" to leave one out.
        let file = "System;Förvaltning;Ägare;Typ\r\nProcapita;Socialförvaltningen;Anna;Servr\r\n";
        let q = "col_name=System&col_unit=2&col_system_owner=%C3%84gare&col_kind=-";
        let r = post_file(&t, &token, q, file.into()).await;
        assert_eq!(r.status(), StatusCode::OK);
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["errors"].as_array().unwrap().len(), 0, "{report}");
        let asset = &report["rows"][0]["asset"];
        assert_eq!(asset["name"], "Procapita");
        assert_eq!(asset["kind"], "system");
        assert_eq!(asset["system_owner"], "Anna");
        assert_eq!(asset["unit_id"], units[0].to_string());
        let r = post_file(&t, &token, "col_name=Namn", file.into()).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json::<Value>().await.unwrap()["code"],
            "error-import-bad-mapping"
        );

        // A default unit for a file without one.
        let r = post_file(
            &t,
            &token,
            &format!("unit_id={}", units[1]),
            "Namn\r\nSkola24\r\n".into(),
        )
        .await;
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["rows"][0]["asset"]["unit_id"], units[1].to_string());

        // Too large a body.
        let big = vec![b'a'; 8 * 1024 * 1024 + 1];
        let r = post_file(&t, &token, "", big).await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);

        // Not signed in; and someone who may write nowhere.
        let r = t
            .client
            .post(format!("{}/api/v1/assets/import", t.base))
            .body(REGISTER.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let admin = t.admin().await;
        t.user(&admin, "lasare", units[0], Role::Reader).await;
        let reader = t.token("lasare", "lasare-password-123").await;
        let r = post_file(&t, &reader, "", REGISTER.to_vec()).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
);

on_both_databases!(
    the_api_exports_what_imports_again,
    |t: TestApp| async move {
        with_units(&t).await;
        let token = t.token("admin", common::ADMIN_PASSWORD).await;
        let r = post_file(&t, &token, "dry_run=false", REGISTER.to_vec()).await;
        assert_eq!(r.status(), StatusCode::CREATED);

        let r = t
            .call(
                &token,
                Method::GET,
                "/api/v1/assets/export?format=csv&lang=en&kind=service",
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
        let disposition = r.headers()[CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            disposition.starts_with("attachment; filename=\"assets-")
                && disposition.ends_with(".csv\""),
            "{disposition}"
        );
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBFName;Kind;Unit;"));
        let table = read_file(&bytes, Format::Csv).unwrap();
        assert_eq!(table.rows.len(), 65);
        assert!(table.rows.iter().all(|r| r[1] == "Service"));

        let r = t
            .call(&token, Method::GET, "/api/v1/assets/export", None)
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()[CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let xlsx = r.bytes().await.unwrap().to_vec();
        let table = read_file(&xlsx, Format::Xlsx).unwrap();
        assert_eq!(table.rows.len(), 200);
        assert_eq!(table.headers[0], "Namn");

        // Into another installation with units of the same names: every row imports.
        let other = common::spawn_app(common::Db::Sqlite).await.unwrap();
        with_units(&other).await;
        let other_token = other.token("admin", common::ADMIN_PASSWORD).await;
        let r = other
            .client
            .post(format!("{}/api/v1/assets/import?dry_run=false", other.base))
            .bearer_auth(&other_token)
            .body(xlsx)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.json::<Value>().await.unwrap()["imported"], 200);

        let r = t
            .call(
                &token,
                Method::GET,
                "/api/v1/assets/export?format=pdf",
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
);

#[test]
fn the_endpoints_are_in_the_openapi_document() {
    let doc = serde_json::to_value(tillit_web::api::openapi()).unwrap();
    let import = &doc["paths"]["/api/v1/assets/import"]["post"];
    assert!(import.is_object(), "import is documented");
    let params: Vec<&str> = import["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in [
        "dry_run",
        "format",
        "unit_id",
        "col_name",
        "col_system_owner",
    ] {
        assert!(params.contains(&p), "{p} in {params:?}");
    }
    assert!(import["responses"]["422"].is_object());
    let export = &doc["paths"]["/api/v1/assets/export"]["get"];
    let params: Vec<&str> = export["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in ["format", "lang", "unit_id", "kind", "search"] {
        assert!(params.contains(&p), "{p} in {params:?}");
    }
}

/// A multipart body of text fields and at most one file, as a browser sends it.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----tillit-test-boundary-7d3f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .into_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .into_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The value of a hidden input in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).expect("the hidden field") + marker.len();
    page[start..][..page[start..].find('"').unwrap()].to_owned()
}

on_both_databases!(
    a_register_imports_through_the_pages,
    |t: TestApp| async move {
        let units = with_units(&t).await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        let r = client
            .post(format!("{}/login", t.base))
            .header("origin", &t.base)
            .form(&[("username", "admin"), ("password", common::ADMIN_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let post = |path: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>| {
            let (ct, body) = multipart(fields, file);
            client
                .post(format!("{}{path}", t.base))
                .header("origin", &t.base)
                .header(CONTENT_TYPE, ct)
                .body(body)
                .send()
        };

        let r = client
            .get(format!("{}/assets/import", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        assert!(page.contains("enctype=\"multipart/form-data\""));
        assert!(page.contains("Socialförvaltningen"), "the unit choices");

        // A file that is not a register: the form again, with the problem.
        let r = post(
            "/assets/import/preview",
            &[("unit_id", "")],
            Some(("x.csv", b"\x00\x01\x02")),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("role=\"alert\""), "{page}");
        assert!(page.contains("aria-invalid=\"true\""));
        let r = post("/assets/import/preview", &[("unit_id", "")], None)
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // The preview: the mapping, the first rows, no problems.
        let r = post(
            "/assets/import/preview",
            &[("unit_id", "")],
            Some(("register-200.csv", REGISTER)),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        assert!(page.contains("Förhandsgranskning"));
        assert!(page.contains("Treserva IFO"));
        assert!(page.contains("Importera 200 tillgångar"));
        assert!(page.contains("id=\"map-system-owner\""));
        assert_eq!(page.matches("<tr>").count(), 21, "the header and 20 rows");
        let data = hidden(&page, "data");
        assert_eq!(
            t.app
                .list_assets(&t.admin().await, &Default::default())
                .await
                .unwrap()
                .total,
            0
        );

        // Leaving the kind out of the mapping makes every row a system: a system and a service
        // of the same name in a unit then clash, and the preview says which rows.
        let r = post(
            "/assets/import/preview",
            &[
                ("data", &data),
                ("file_name", "register-200.csv"),
                ("mapped", "1"),
                ("map_name", "0"),
                ("map_unit", "2"),
                ("unit_id", ""),
            ],
            None,
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("<option value=\"\" selected>(importeras inte)</option>"));
        assert!(page.contains("Samma enhet, typ och namn som rad"), "{page}");
        assert!(!page.contains("Importera 200 tillgångar"));

        // Import with the guessed mapping: on to the inventory.
        let r = post(
            "/assets/import",
            &[
                ("data", &data),
                ("file_name", "register-200.csv"),
                ("unit_id", ""),
            ],
            None,
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()[LOCATION], "/assets?done=imported");
        let admin = t.admin().await;
        assert_eq!(
            t.app
                .list_assets(&admin, &Default::default())
                .await
                .unwrap()
                .total,
            200
        );

        // The same file again: refused, nothing written, every problem listed in the page.
        let r = post(
            "/assets/import",
            &[
                ("data", &data),
                ("file_name", "register-200.csv"),
                ("unit_id", ""),
            ],
            None,
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("id=\"import-errors\""));
        assert!(page.contains("Enheten har redan en tillgång av den typen med det namnet."));
        assert!(!page.contains("Importera 200 tillgångar"));
        assert_eq!(
            t.app
                .list_assets(&admin, &Default::default())
                .await
                .unwrap()
                .total,
            200
        );

        // A default unit from the form.
        let r = post(
            "/assets/import",
            &[
                ("data", &base64_of(b"Namn\r\nNytt system\r\n")),
                ("unit_id", &units[2].to_string()),
            ],
            None,
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        // Exports with the list's filters, in the user's language.
        let r = client
            .get(format!(
                "{}/assets/export.csv?unit_id={}&kind=system",
                t.base, units[2]
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()[CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains("tillgangar-")
        );
        let table = read_file(&r.bytes().await.unwrap(), Format::Csv).unwrap();
        assert_eq!(table.headers[0], "Namn");
        assert_eq!(
            table.rows.len(),
            25,
            "24 systems of the register and the new one"
        );
        let r = client
            .get(format!("{}/assets/export.xlsx", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let table = read_file(&r.bytes().await.unwrap(), Format::Xlsx).unwrap();
        assert_eq!(table.rows.len(), 201);
    }
);

fn base64_of(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
