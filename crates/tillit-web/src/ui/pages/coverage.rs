//! `GET /coverage`: how far each unit has come with classifying its assets. Each row counts a
//! unit with the units below it (as the inventory's unit filter does), so every number links
//! to the inventory list it counts.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use tillit_domain::UnitId;
use tillit_domain::asset::{AssetFilter, Coverage};

use super::assets::filter_query;
use crate::AppState;
use crate::ui::context::{Layout, Signed, page};
use crate::ui::failure::UiError;
use crate::ui::format::today;
use crate::ui::i18n::I18n;
use crate::ui::tree::tree;

/// A number and the inventory list it counts.
pub struct Cell {
    pub value: i64,
    pub href: Option<String>,
}

pub struct CoverageRow {
    pub name: String,
    pub unit_href: Option<String>,
    pub indent: String,
    pub assets: Cell,
    pub classified: Cell,
    pub percent: String,
    pub unclassified: Cell,
    pub overdue: Cell,
    pub open_items: Cell,
}

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage {
    l: Layout,
    i: I18n,
    rows: Vec<CoverageRow>,
    total: CoverageRow,
}

#[derive(Default, Clone, Copy)]
struct Sums {
    assets: i64,
    classified: i64,
    overdue: i64,
    open_items: i64,
}

impl Sums {
    fn add(&mut self, c: &Coverage) {
        self.assets += c.assets;
        self.classified += c.classified;
        self.overdue += c.overdue;
        self.open_items += c.open_items;
    }
}

fn row(
    i: &I18n,
    name: String,
    unit: Option<UnitId>,
    depth: usize,
    s: Sums,
    today: jiff::civil::Date,
) -> CoverageRow {
    let href = |f: AssetFilter, n: i64| {
        (n > 0).then(|| {
            let q = filter_query(&AssetFilter { unit_id: unit, ..f }, None);
            if q.is_empty() {
                "/assets".to_owned()
            } else {
                format!("/assets?{q}")
            }
        })
    };
    let unclassified = s.assets - s.classified;
    CoverageRow {
        name,
        unit_href: unit.map(|u| format!("/units/{u}")),
        indent: format!("{:.2}rem", 0.5 + 1.5 * depth.min(12) as f32),
        assets: Cell {
            value: s.assets,
            href: href(AssetFilter::default(), s.assets),
        },
        classified: Cell {
            value: s.classified,
            href: href(
                AssetFilter {
                    classified: Some(true),
                    ..AssetFilter::default()
                },
                s.classified,
            ),
        },
        percent: if s.assets > 0 {
            i.t1(
                "percent",
                "value",
                (s.classified * 100 + s.assets / 2) / s.assets,
            )
        } else {
            "–".to_owned()
        },
        unclassified: Cell {
            value: unclassified,
            href: href(
                AssetFilter {
                    by_priority: true,
                    classified: Some(false),
                    ..AssetFilter::default()
                },
                unclassified,
            ),
        },
        overdue: Cell {
            value: s.overdue,
            href: href(
                AssetFilter {
                    overdue_on: Some(today),
                    ..AssetFilter::default()
                },
                s.overdue,
            ),
        },
        open_items: Cell {
            value: s.open_items,
            href: href(
                AssetFilter {
                    classified: Some(true),
                    ..AssetFilter::default()
                },
                s.open_items,
            ),
        },
    }
}

/// `GET /coverage`
pub async fn show(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
) -> Result<Response, UiError> {
    let i = cx.i();
    let today = today();
    let units = state.app.list_units(&caller, false).await?;
    let coverage = state.app.coverage(&caller, today).await?;
    let own: HashMap<UnitId, &Coverage> = coverage.iter().map(|c| (c.unit_id, c)).collect();
    let rows_tree = tree(&units);
    let mut total = Sums::default();
    for c in &coverage {
        total.add(c);
    }
    // A unit's subtree is the run of deeper rows after it.
    let rows = rows_tree
        .iter()
        .enumerate()
        .map(|(p, r)| {
            let mut s = Sums::default();
            for sub in std::iter::once(r)
                .chain(rows_tree[p + 1..].iter().take_while(|x| x.depth > r.depth))
            {
                if let Some(c) = own.get(&sub.unit.id) {
                    s.add(c);
                }
            }
            row(&i, r.unit.name.clone(), Some(r.unit.id), r.depth, s, today)
        })
        .collect();
    page(
        StatusCode::OK,
        &CoveragePage {
            l: cx.layout(i.t("coverage-title")),
            total: row(&i, i.t("coverage-total"), None, 0, total, today),
            rows,
            i,
        },
    )
}
