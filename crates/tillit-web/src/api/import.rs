//! Importing a register of assets from XLSX or CSV, and exporting the inventory to both.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tillit_app::import::{ColumnMapping, Field, Format, ImportReport, Language, read_file};
use tillit_domain::UnitId;
use tillit_domain::asset::AssetFilter;

use super::CommonErrors;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiJson, ApiQuery, Problem};

/// The largest file an import reads: a register of 10 000 rows is about 2–3 MB as CSV. The
/// import page carries the file in base64 (a third larger), within the router's 16 MiB.
pub const IMPORT_MAX_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Xlsx,
    Csv,
}

impl From<FileFormat> for Format {
    fn from(f: FileFormat) -> Self {
        match f {
            FileFormat::Xlsx => Format::Xlsx,
            FileFormat::Csv => Format::Csv,
        }
    }
}

fn yes() -> bool {
    true
}

/// How to read the file. Each `col_…` names the column of one field: its header (any case)
/// or its number (1 = the first column); `-` leaves the field out. Fields not given are
/// guessed from the headers (Swedish or English, e.g. `Namn`/`Name`, `Enhet`/`Unit`,
/// `Systemägare`/`System owner`).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Only check and preview; store nothing. True unless `false` is given.
    #[serde(default = "yes")]
    pub dry_run: bool,
    /// `xlsx` or `csv`; told by the content when left out.
    pub format: Option<FileFormat>,
    /// The unit of rows whose unit cell is empty (or of every row, with no unit column).
    pub unit_id: Option<UnitId>,
    pub col_name: Option<String>,
    pub col_kind: Option<String>,
    pub col_unit: Option<String>,
    pub col_description: Option<String>,
    pub col_lifecycle: Option<String>,
    pub col_hosting: Option<String>,
    pub col_nis2_covered: Option<String>,
    pub col_criticality: Option<String>,
    pub col_supplier: Option<String>,
    pub col_system_owner: Option<String>,
    pub col_object_leader: Option<String>,
    pub col_information_owner: Option<String>,
}

impl ImportQuery {
    fn column(&self, f: Field) -> Option<&str> {
        match f {
            Field::Name => self.col_name.as_deref(),
            Field::Kind => self.col_kind.as_deref(),
            Field::Unit => self.col_unit.as_deref(),
            Field::Description => self.col_description.as_deref(),
            Field::Lifecycle => self.col_lifecycle.as_deref(),
            Field::Hosting => self.col_hosting.as_deref(),
            Field::Nis2Covered => self.col_nis2_covered.as_deref(),
            Field::Criticality => self.col_criticality.as_deref(),
            Field::Supplier => self.col_supplier.as_deref(),
            Field::SystemOwner => self.col_system_owner.as_deref(),
            Field::ObjectLeader => self.col_object_leader.as_deref(),
            Field::InformationOwner => self.col_information_owner.as_deref(),
        }
    }
}

/// Reads a request body of at most `limit` bytes; more is 413.
pub async fn body_bytes(body: Body, limit: usize) -> Result<axum::body::Bytes, Response> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "error-import-file-too-large",
            Some(format!(
                "the file is larger than {} MiB",
                limit / 1024 / 1024
            )),
        )
        .into_response()
    })
}

/// Imports systems, services and information sets from an XLSX workbook (its first sheet) or
/// a CSV file (UTF-8 or Windows-1252, `;` or `,`), sent as the request body. The first row
/// with text is the header. A dry run (the default) returns what would be stored and every
/// problem by row and column; a real import stores every row in one transaction, or, when
/// any row has a problem, nothing (422 with every problem in `errors`).
#[utoipa::path(post, path = "/api/v1/assets/import", tag = "inventory", params(ImportQuery),
    request_body(description = "The file", content(
        ("text/csv"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("application/octet-stream"),
    )),
    responses(
        (status = 200, description = "Dry run: what would be stored, and every problem", body = ImportReport),
        (status = 201, description = "Stored, every row", body = ImportReport),
        (status = 413, description = "The file is too large", body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    ))]
pub async fn import_assets(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = match body_bytes(body, IMPORT_MAX_BYTES).await {
        Ok(b) => b,
        Err(res) => return Ok(res),
    };
    let format = q.format.map_or_else(|| Format::sniff(&bytes), Format::from);
    let table = read_file(&bytes, format)?;
    let mut mapping = ColumnMapping::guess(&table.headers);
    mapping.default_unit = q.unit_id;
    for f in Field::ALL {
        if let Some(spec) = q.column(f) {
            mapping.set_from(&table.headers, f, spec)?;
        }
    }
    let report = s
        .app
        .import_assets(&caller, &table, &mapping, q.dry_run)
        .await?;
    let status = if q.dry_run {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, ApiJson(report)).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `xlsx` (default) or `csv`.
    pub format: Option<FileFormat>,
    /// The language of headers and values: `sv` (default) or `en`.
    pub lang: Option<Language>,
}

/// A file's download headers: its type, an attachment name, and no caching.
pub fn download(bytes: Vec<u8>, format: Format, lang: Language) -> Response {
    let stem = match lang {
        Language::Sv => "tillgangar",
        Language::En => "assets",
    };
    download_as(bytes, format, stem)
}

/// A file's download headers, the file named `{stem}-{today}.{extension}`.
pub fn download_as(bytes: Vec<u8>, format: Format, stem: &str) -> Response {
    let name = format!(
        "{stem}-{}.{}",
        crate::ui::format::today(),
        format.extension()
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    (headers, bytes).into_response()
}

/// Every asset in the caller's units that matches the filter (its `offset` and `limit` are
/// ignored), with every field, the current classification's levels and review date. The
/// columns are the import's headers, so the file imports again.
#[utoipa::path(get, path = "/api/v1/assets/export", tag = "inventory",
    params(ExportQuery, AssetFilter),
    responses(
        (status = 200, description = "The file, as an attachment", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"),
        )),
        CommonErrors,
    ))]
pub async fn export_assets(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ExportQuery>,
    ApiQuery(filter): ApiQuery<AssetFilter>,
) -> Result<Response, ApiError> {
    let format = q.format.map_or(Format::Xlsx, Format::from);
    let lang = q.lang.unwrap_or_default();
    let bytes = s.app.export_assets(&caller, &filter, format, lang).await?;
    Ok(download(bytes, format, lang))
}
