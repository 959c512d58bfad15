//! `/assets/import`: importing a register from XLSX or CSV in three steps: upload the file,
//! check the preview (the columns as mapped, which can be changed, the first rows, and every
//! problem by row and column), then import. Stateless: the preview page carries the file in
//! a hidden base64 field, so the import posts it again. `/assets/export.xlsx|csv`: the
//! inventory as a file, with the same filters as the list.

use askama::Template;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use tillit_app::import::{
    ColumnMapping, Field, Format, ImportReport, Language, Table, bool_label, criticality_label,
    hosting_label, kind_label, lifecycle_label, read_table,
};
use tillit_app::{AppError, Caller};
use tillit_domain::UnitId;

use super::assets::{filter_from_query, writable};
use crate::AppState;
use crate::api::import::{IMPORT_MAX_BYTES, download};
use crate::ui::context::{Ctx, Layout, Signed, page, see_other};
use crate::ui::failure::UiError;
use crate::ui::form::{FormData, FormErrors};
use crate::ui::i18n::{I18n, Lang};
use crate::ui::tree::{Opt, tree, unit_options};

/// What a whole request to the import pages may be: the file in base64 and the form.
pub const UPLOAD_MAX_BYTES: usize = 16 * 1024 * 1024;
/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 20;

fn language(i: &I18n) -> Language {
    match i.lang() {
        Lang::Sv => Language::Sv,
        Lang::En => Language::En,
    }
}

/// The message key of a field's label.
fn field_key(f: Field) -> String {
    format!("import-field-{}", f.as_str().replace('_', "-"))
}

pub struct MapRow {
    pub id: String,
    pub name: String,
    pub label: String,
    pub options: Vec<Opt>,
}

pub struct ErrorRow {
    pub row: String,
    pub column: String,
    pub value: String,
    pub message: String,
}

pub struct PreviewRow {
    pub row: usize,
    pub name: String,
    pub kind: String,
    pub unit: String,
    pub lifecycle: String,
    pub hosting: String,
    pub nis2: String,
    pub criticality: String,
    pub supplier: String,
    pub system_owner: String,
}

pub struct Preview {
    pub file_name: String,
    pub data: String,
    pub mapping: Vec<MapRow>,
    pub total_rows: usize,
    pub ready: usize,
    pub errors: Vec<ErrorRow>,
    pub rows: Vec<PreviewRow>,
    pub can_import: bool,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    l: Layout,
    i: I18n,
    can_write: bool,
    units: Vec<Opt>,
    fe: FormErrors,
    preview: Option<Preview>,
}

/// The units the caller may import into, with "none" first.
async fn unit_choices(
    state: &AppState,
    caller: &Caller,
    i: &I18n,
    selected: &str,
) -> Result<Vec<Opt>, UiError> {
    let rows = tree(&state.app.list_units(caller, false).await?);
    let mut opts = vec![Opt {
        value: String::new(),
        label: i.t("import-unit-none"),
        selected: selected.is_empty(),
    }];
    opts.extend(unit_options(writable(&rows, caller), selected));
    Ok(opts)
}

async fn render(
    cx: &Ctx,
    caller: &Caller,
    state: &AppState,
    unit: &str,
    fe: FormErrors,
    preview: Option<Preview>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let i = cx.i();
    let units = unit_choices(state, caller, &i, unit).await?;
    page(
        status,
        &ImportPage {
            l: cx.layout(i.t("import-title")),
            can_write: units.len() > 1,
            units,
            fe,
            preview,
            i,
        },
    )
}

/// `GET /assets/import`
pub async fn show(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
) -> Result<Response, UiError> {
    render(
        &cx,
        &caller,
        &state,
        "",
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

/// The posted form: its fields, and the file (uploaded now, or carried in `data`).
struct Upload {
    form: FormData,
    file_name: String,
    bytes: Option<Vec<u8>>,
}

fn multipart_failure(e: MultipartError) -> UiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        UiError::new(StatusCode::PAYLOAD_TOO_LARGE, "error-import-file-too-large")
    } else {
        UiError::new(StatusCode::BAD_REQUEST, "error-bad-form")
    }
}

async fn read_upload(multipart: Result<Multipart, MultipartRejection>) -> Result<Upload, UiError> {
    let mut mp = multipart.map_err(|_| UiError::new(StatusCode::BAD_REQUEST, "error-bad-form"))?;
    let mut fields = Vec::new();
    let mut file_name = String::new();
    let mut bytes = None;
    while let Some(field) = mp.next_field().await.map_err(multipart_failure)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let given = field.file_name().unwrap_or_default().to_owned();
            let data = field.bytes().await.map_err(multipart_failure)?;
            if !data.is_empty() {
                file_name = given;
                bytes = Some(data.to_vec());
            }
        } else {
            let text = field.text().await.map_err(multipart_failure)?;
            fields.push((name, text));
        }
    }
    let form = FormData(fields);
    if bytes.is_none()
        && let Some(data) = form.opt("data")
    {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|_| UiError::new(StatusCode::BAD_REQUEST, "error-bad-form"))?;
        bytes = Some(decoded);
        file_name = form.get("file_name").to_owned();
    }
    if bytes.as_ref().is_some_and(|b| b.len() > IMPORT_MAX_BYTES) {
        return Err(UiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "error-import-file-too-large",
        ));
    }
    Ok(Upload {
        form,
        file_name,
        bytes,
    })
}

/// The table and mapping of an upload, or the upload form's error.
struct Checked {
    table: Table,
    mapping: ColumnMapping,
    bytes: Vec<u8>,
}

fn check_upload(up: &Upload, i: &I18n) -> Result<Result<Checked, FormErrors>, UiError> {
    let Some(bytes) = up.bytes.clone() else {
        return Ok(Err(FormErrors::new(
            "upload",
            "file",
            i.t("error-import-no-file"),
        )));
    };
    let table = match read_table(&bytes, Format::sniff(&bytes)) {
        Ok(t) => t,
        Err(e) => {
            let row = e.row().map(|r| r.to_string()).unwrap_or_default();
            return Ok(Err(FormErrors::new(
                "upload",
                "file",
                i.t1(e.code(), "row", row),
            )));
        }
    };
    let unit: Option<UnitId> = match up.form.opt("unit_id") {
        None => None,
        Some(_) => Some(up.form.parsed("unit_id")?),
    };
    let mut mapping = if up.form.has("mapped") {
        let mut m = ColumnMapping::default();
        for f in Field::ALL {
            if let Some(c) = up
                .form
                .opt(&format!("map_{}", f.as_str()))
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|c| *c < table.headers.len())
            {
                m.columns.insert(f, c);
            }
        }
        m
    } else {
        ColumnMapping::guess(&table.headers)
    };
    mapping.default_unit = unit;
    Ok(Ok(Checked {
        table,
        mapping,
        bytes,
    }))
}

/// A problem's message; the duplicate's names the other row.
fn error_message(i: &I18n, code: &str, other_row: Option<usize>) -> String {
    let other = other_row.map(|r| r.to_string()).unwrap_or_default();
    i.t1(code, "row", other)
}

fn preview_of(i: &I18n, up: &Upload, c: &Checked, report: &ImportReport) -> Preview {
    let lang = language(i);
    let header_label = |n: usize| {
        c.table
            .headers
            .get(n)
            .filter(|h| !h.is_empty())
            .cloned()
            .unwrap_or_else(|| i.t1("import-column-n", "n", n + 1))
    };
    let mapping = Field::ALL
        .iter()
        .map(|f| {
            let chosen = c.mapping.column(*f);
            let mut options = vec![Opt {
                value: String::new(),
                label: i.t("import-not-imported"),
                selected: chosen.is_none(),
            }];
            options.extend((0..c.table.headers.len()).map(|n| Opt {
                value: n.to_string(),
                label: header_label(n),
                selected: chosen == Some(n),
            }));
            MapRow {
                id: format!("map-{}", f.as_str().replace('_', "-")),
                name: format!("map_{}", f.as_str()),
                label: i.t(&field_key(*f)),
                options,
            }
        })
        .collect();
    let errors = report
        .errors
        .iter()
        .map(|e| ErrorRow {
            row: e.row.to_string(),
            column: e.column.clone().unwrap_or_default(),
            value: e.value.clone().unwrap_or_default(),
            message: error_message(i, &e.code, e.other_row),
        })
        .collect();
    let rows = report
        .rows
        .iter()
        .take(PREVIEW_ROWS)
        .map(|r| {
            let a = &r.asset;
            PreviewRow {
                row: r.row,
                name: a.name.clone(),
                kind: kind_label(a.kind, lang).to_owned(),
                unit: r.unit_name.clone(),
                lifecycle: lifecycle_label(a.lifecycle, lang).to_owned(),
                hosting: hosting_label(a.hosting, lang).to_owned(),
                nis2: bool_label(a.nis2_covered, lang).to_owned(),
                criticality: a
                    .criticality
                    .map(|x| criticality_label(x, lang).to_owned())
                    .unwrap_or_default(),
                supplier: a.supplier.clone().unwrap_or_default(),
                system_owner: a.system_owner.clone().unwrap_or_default(),
            }
        })
        .collect();
    Preview {
        file_name: up.file_name.clone(),
        data: base64::engine::general_purpose::STANDARD.encode(&c.bytes),
        mapping,
        total_rows: report.total_rows,
        ready: report.rows.len(),
        errors,
        rows,
        can_import: report.errors.is_empty() && !report.rows.is_empty(),
    }
}

/// Shows the preview of an upload (a dry run), or the upload form with its error.
async fn preview_page(
    s: &Signed,
    state: &AppState,
    up: Upload,
    status: StatusCode,
) -> Result<Response, UiError> {
    let i = s.cx.i();
    let unit = up.form.get("unit_id").to_owned();
    let checked = match check_upload(&up, &i)? {
        Ok(c) => c,
        Err(fe) => {
            return render(
                &s.cx,
                &s.caller,
                state,
                &unit,
                fe,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let report = state
        .app
        .import_assets(&s.caller, &checked.table, &checked.mapping, true)
        .await?;
    let preview = preview_of(&i, &up, &checked, &report);
    let status = if preview.errors.is_empty() {
        status
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        &s.cx,
        &s.caller,
        state,
        &unit,
        FormErrors::none(),
        Some(preview),
        status,
    )
    .await
}

/// `POST /assets/import/preview` (multipart): the file, or `data` with the file in base64;
/// `unit_id`; with `mapped`, the `map_{field}` columns instead of the guessed ones.
pub async fn preview(
    s: Signed,
    State(state): State<AppState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, UiError> {
    let up = read_upload(multipart).await?;
    preview_page(&s, &state, up, StatusCode::OK).await
}

/// `POST /assets/import` (multipart, as the preview): imports every row, then on to the
/// inventory; with any problem, nothing is stored and the preview shows why.
pub async fn import(
    s: Signed,
    State(state): State<AppState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, UiError> {
    let up = read_upload(multipart).await?;
    let i = s.cx.i();
    let Ok(checked) = check_upload(&up, &i)? else {
        return preview_page(&s, &state, up, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match state
        .app
        .import_assets(&s.caller, &checked.table, &checked.mapping, false)
        .await
    {
        Ok(_) => Ok(see_other("/assets?done=imported")),
        Err(AppError::Rejected { .. }) => {
            preview_page(&s, &state, up, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn export(
    cx: &Ctx,
    caller: &Caller,
    state: &AppState,
    query: Option<String>,
    format: Format,
) -> Result<Response, UiError> {
    let q = FormData::parse(query.unwrap_or_default().as_bytes());
    let (filter, _) = filter_from_query(&q);
    let lang = language(&cx.i());
    let bytes = state
        .app
        .export_assets(caller, &filter, format, lang)
        .await?;
    Ok(download(bytes, format, lang))
}

/// `GET /assets/export.xlsx` with the list's filters.
pub async fn export_xlsx(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, UiError> {
    export(&cx, &caller, &state, query, Format::Xlsx).await
}

/// `GET /assets/export.csv` with the list's filters.
pub async fn export_csv(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, UiError> {
    export(&cx, &caller, &state, query, Format::Csv).await
}

async fn export_action_plans(
    cx: &Ctx,
    caller: &Caller,
    state: &AppState,
    query: Option<String>,
    format: Format,
) -> Result<Response, UiError> {
    let q = FormData::parse(query.unwrap_or_default().as_bytes());
    let unit = q.opt("unit_id").and_then(|u| u.parse().ok());
    let lang = language(&cx.i());
    let bytes = state
        .app
        .export_action_plans(caller, unit, q.has("outstanding"), format, lang)
        .await?;
    let stem = match lang {
        Language::Sv => "handlingsplaner",
        Language::En => "action-plans",
    };
    Ok(crate::api::import::download_as(bytes, format, stem))
}

/// `GET /action-plans/export.xlsx`: every action-plan item in the caller's units.
pub async fn export_action_plans_xlsx(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, UiError> {
    export_action_plans(&cx, &caller, &state, query, Format::Xlsx).await
}

/// `GET /action-plans/export.csv`
pub async fn export_action_plans_csv(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, UiError> {
    export_action_plans(&cx, &caller, &state, query, Format::Csv).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_and_import_error_has_a_label_in_both_languages() {
        for lang in Lang::ALL {
            let i = lang.i18n();
            for f in Field::ALL {
                let key = field_key(f);
                assert_ne!(i.t(&key), key, "{key} in {lang:?}");
            }
            for code in [
                "error-import-required",
                "error-import-unknown-value",
                "error-import-unknown-unit",
                "error-import-unit-not-writable",
                "error-import-ambiguous-unit",
                "error-import-duplicate-in-file",
                "error-import-duplicate-existing",
                "error-import-no-name-column",
                "error-import-no-rows",
                "error-import-bad-mapping",
                "error-import-too-many-errors",
                "error-import-file-empty",
                "error-import-file-wrong-format",
                "error-import-file-unreadable",
                "error-import-file-encoding",
                "error-import-file-too-large",
                "error-import-file-write",
                "error-import-invalid",
                "error-import-no-file",
            ] {
                let m = error_message(&i, code, Some(4));
                assert!(!m.starts_with("error-"), "{code} in {lang:?}");
            }
            assert!(error_message(&i, "error-import-duplicate-in-file", Some(4)).contains('4'));
        }
    }
}
