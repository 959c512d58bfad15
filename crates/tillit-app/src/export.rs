//! Exporting the inventory to XLSX and CSV: every field of every asset in the caller's scope
//! that matches a filter, under the headers an import recognises (so an exported file
//! imports again), followed by read-only columns: the current classification's levels and
//! review date, the id and the times.

use tillit_domain::Permission;
use tillit_domain::asset::{AssetFilter, AssetRow};

use crate::classification::DEFAULT_MODEL_KEY;
use crate::import::{
    Field, Format, Language, Table, bool_label, criticality_label, hosting_label, kind_label,
    lifecycle_label,
};
use crate::{App, AppError, Caller, Result};

/// Rows read from the store at a time.
pub const EXPORT_PAGE: i64 = 500;

/// The aspect codes in the usual order: those of the standard model first, then any others.
fn aspect_order(model: &[(String, String)], rows: &[AssetRow]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = model.to_vec();
    let mut others: Vec<String> = rows
        .iter()
        .filter_map(|r| r.classification.as_ref())
        .flat_map(|c| c.levels.keys().cloned())
        .filter(|code| !out.iter().any(|(c, _)| c == code))
        .collect();
    others.sort();
    others.dedup();
    out.extend(others.into_iter().map(|c| (c.clone(), c)));
    out
}

fn local_time(t: jiff::Timestamp) -> String {
    t.in_tz("Europe/Stockholm")
        .map(|z| z.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| t.to_string())
}

impl App {
    /// The assets in scope matching `filter` (its page is ignored: all of them) as a table.
    pub async fn export_table(
        &self,
        caller: &Caller,
        filter: &AssetFilter,
        lang: Language,
    ) -> Result<Table> {
        let scope = caller.scope(Permission::Read);
        let unit_names: std::collections::HashMap<_, _> = self
            .store()
            .list_units(&scope, true)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let mut all = Vec::new();
        let mut page_filter = AssetFilter {
            offset: 0,
            limit: EXPORT_PAGE,
            ..filter.clone()
        };
        loop {
            let page = self.store().list_assets(&scope, &page_filter).await?;
            let n = page.rows.len() as i64;
            all.extend(page.rows);
            page_filter.offset += n;
            if n < EXPORT_PAGE || page_filter.offset >= page.total {
                break;
            }
        }

        let code = match lang {
            Language::Sv => "sv",
            Language::En => "en",
        };
        let model_aspects: Vec<(String, String)> = self
            .store()
            .list_models()
            .await?
            .into_iter()
            .find(|m| m.model.key == DEFAULT_MODEL_KEY)
            .map(|m| {
                m.model
                    .aspects
                    .iter()
                    .map(|a| (a.code.clone(), format!("{} ({})", a.name.get(code), a.code)))
                    .collect()
            })
            .unwrap_or_default();
        let aspects = aspect_order(&model_aspects, &all);

        let mut headers: Vec<String> = Field::ALL
            .iter()
            .map(|f| f.header(lang).to_owned())
            .collect();
        headers.extend(aspects.iter().map(|(_, h)| h.clone()));
        let (review, created, updated) = match lang {
            Language::Sv => ("Nästa omklassning", "Skapad", "Ändrad"),
            Language::En => ("Review due", "Created", "Updated"),
        };
        headers.extend([review, "Id", created, updated].map(str::to_owned));

        let rows = all
            .iter()
            .map(|r| {
                let a = &r.asset;
                let opt = |v: &Option<String>| v.clone().unwrap_or_default();
                let mut row: Vec<String> = Field::ALL
                    .iter()
                    .map(|f| match f {
                        Field::Name => a.name.clone(),
                        Field::Kind => kind_label(a.kind, lang).to_owned(),
                        Field::Unit => unit_names
                            .get(&a.unit_id)
                            .cloned()
                            .unwrap_or_else(|| a.unit_id.to_string()),
                        Field::Description => a.description.clone(),
                        Field::Lifecycle => lifecycle_label(a.lifecycle, lang).to_owned(),
                        Field::Hosting => hosting_label(a.hosting, lang).to_owned(),
                        Field::Nis2Covered => bool_label(a.nis2_covered, lang).to_owned(),
                        Field::Criticality => a
                            .criticality
                            .map(|c| criticality_label(c, lang).to_owned())
                            .unwrap_or_default(),
                        Field::Supplier => opt(&a.supplier),
                        Field::SystemOwner => opt(&a.system_owner),
                        Field::ObjectLeader => opt(&a.object_leader),
                        Field::InformationOwner => opt(&a.information_owner),
                    })
                    .collect();
                let c = r.classification.as_ref();
                row.extend(aspects.iter().map(|(code, _)| {
                    c.and_then(|c| c.levels.get(code))
                        .map(u8::to_string)
                        .unwrap_or_default()
                }));
                row.push(
                    c.and_then(|c| c.review_due)
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                );
                row.push(a.id.to_string());
                row.push(local_time(a.created_at));
                row.push(local_time(a.updated_at));
                row
            })
            .collect();
        Ok(Table::new(headers, rows))
    }

    /// The assets in scope matching `filter`, as an XLSX workbook or a CSV file.
    pub async fn export_assets(
        &self,
        caller: &Caller,
        filter: &AssetFilter,
        format: Format,
        lang: Language,
    ) -> Result<Vec<u8>> {
        let table = self.export_table(caller, filter, lang).await?;
        match format {
            Format::Xlsx => {
                let sheet = match lang {
                    Language::Sv => "Tillgångar",
                    Language::En => "Assets",
                };
                tillit_reports::write_xlsx(sheet, &table.headers, &table.rows)
                    .map_err(|e| AppError::Internal(e.to_string()))
            }
            Format::Csv => Ok(tillit_reports::write_csv(&table.headers, &table.rows)),
        }
    }
}
