//! Exporting the inventory to XLSX and CSV: every field of every asset in the caller's scope
//! that matches a filter, under the headers an import recognises (so an exported file
//! imports again), followed by read-only columns: the current classification's levels and
//! review date, the id and the times.

use std::collections::HashMap;

use tillit_domain::asset::{AssetFilter, AssetRow};
use tillit_domain::classification::{
    ActionItemFilter, ActionItemRow, ItemStatus, Model, RequirementKind,
};
use tillit_domain::{ModelId, Permission, UnitId};

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

/// The columns of an action-plan export, in the export's language.
fn action_plan_headers(lang: Language) -> Vec<String> {
    let sv = [
        "Enhet",
        "Tillgång",
        "Klassad",
        "Omklassas senast",
        "Krav",
        "Kravtext",
        "Kravtyp",
        "Status",
        "Ansvarig",
        "Klart senast",
        "Kommentar",
    ];
    let en = [
        "Unit",
        "Asset",
        "Classified",
        "Review due",
        "Requirement",
        "Requirement text",
        "Requirement kind",
        "Status",
        "Owner",
        "Due",
        "Comment",
    ];
    let names = match lang {
        Language::Sv => sv,
        Language::En => en,
    };
    names.iter().map(|s| (*s).to_owned()).collect()
}

fn item_status_text(status: ItemStatus, lang: Language) -> &'static str {
    match (status, lang) {
        (ItemStatus::Open, Language::Sv) => "Öppen",
        (ItemStatus::Met, Language::Sv) => "Uppfyllt",
        (ItemStatus::NotMet, Language::Sv) => "Ej uppfyllt",
        (ItemStatus::NotApplicable, Language::Sv) => "Ej tillämpligt",
        (ItemStatus::Open, Language::En) => "Open",
        (ItemStatus::Met, Language::En) => "Met",
        (ItemStatus::NotMet, Language::En) => "Not met",
        (ItemStatus::NotApplicable, Language::En) => "Not applicable",
    }
}

impl App {
    /// Action-plan items of the completed classifications the caller may read.
    pub async fn list_action_items(
        &self,
        caller: &Caller,
        filter: &ActionItemFilter,
    ) -> Result<Vec<ActionItemRow>> {
        Ok(self
            .store()
            .list_action_items(&caller.scope(Permission::Read), filter)
            .await?)
    }

    /// Every action-plan item in scope (of a unit's subtree, or all), with the requirement's
    /// text from the model version its classification is frozen to, as XLSX or CSV.
    pub async fn export_action_plans(
        &self,
        caller: &Caller,
        unit: Option<UnitId>,
        outstanding: bool,
        format: Format,
        lang: Language,
    ) -> Result<Vec<u8>> {
        let units: HashMap<UnitId, String> = self
            .list_units(caller, true)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let mut models: HashMap<ModelId, Model> = HashMap::new();
        let mut rows = Vec::new();
        let mut filter = ActionItemFilter {
            unit_id: unit,
            outstanding,
            offset: 0,
            limit: 1000,
        };
        loop {
            let page = self.list_action_items(caller, &filter).await?;
            let n = page.len();
            for r in page {
                if let std::collections::hash_map::Entry::Vacant(e) = models.entry(r.model_id) {
                    e.insert(self.get_model(r.model_id).await?.model);
                }
                let requirement = models[&r.model_id].requirement(&r.item.requirement_id);
                let code = match lang {
                    Language::Sv => "sv",
                    Language::En => "en",
                };
                rows.push(vec![
                    units.get(&r.unit_id).cloned().unwrap_or_default(),
                    r.asset_name,
                    r.performed_on.map(|d| d.to_string()).unwrap_or_default(),
                    r.review_due.map(|d| d.to_string()).unwrap_or_default(),
                    r.item.requirement_id.clone(),
                    requirement
                        .map(|q| q.text.get(code).to_owned())
                        .unwrap_or_default(),
                    requirement
                        .map(|q| match q.kind {
                            RequirementKind::State => "ÄR",
                            RequirementKind::Procurement => "SKA",
                        })
                        .unwrap_or_default()
                        .to_owned(),
                    item_status_text(r.item.status, lang).to_owned(),
                    r.item.owner.unwrap_or_default(),
                    r.item.due.map(|d| d.to_string()).unwrap_or_default(),
                    r.item.comment,
                ]);
            }
            if n < 1000 {
                break;
            }
            filter.offset += 1000;
        }
        let headers = action_plan_headers(lang);
        match format {
            Format::Xlsx => {
                let sheet = match lang {
                    Language::Sv => "Handlingsplaner",
                    Language::En => "Action plans",
                };
                tillit_reports::write_xlsx(sheet, &headers, &rows)
                    .map_err(|e| AppError::Internal(e.to_string()))
            }
            Format::Csv => Ok(tillit_reports::write_csv(&headers, &rows)),
        }
    }
}
