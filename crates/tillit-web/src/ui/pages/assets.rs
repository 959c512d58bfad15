//! `/assets`: the inventory (systems, services, information sets) with filters, paging, the
//! priority order of unclassified assets and the form for a new asset; `/assets/{id}`: one
//! asset with its edit form, its links and its classifications.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use tillit_app::classification::DEFAULT_MODEL_KEY;
use tillit_app::inventory::{AssetUpdate, NewAsset};
use tillit_app::{AppError, Caller};
use tillit_domain::asset::{
    Asset, AssetFilter, AssetKind, AssetLink, Criticality, Hosting, Levels, Lifecycle, LinkKind,
};
use tillit_domain::classification::{ClassificationStatus, Model};
use tillit_domain::{AssetId, Permission, UnitId};

use super::done_message;
use crate::AppState;
use crate::ui::context::{Ctx, Layout, Signed, page, see_other};
use crate::ui::failure::UiError;
use crate::ui::form::{FormData, FormErrors, redirect_or_redisplay};
use crate::ui::format::{local_time, today};
use crate::ui::i18n::I18n;
use crate::ui::tree::{Opt, TreeRow, tree, unit_options};

/// Rows per page of the inventory.
pub const PAGE_SIZE: i64 = 50;
/// The most candidates offered in a link form's select.
const CANDIDATES: i64 = 500;

// ---- shared by the inventory, classification and coverage pages ---------------------------

/// The message key of a code, e.g. (`lifecycle`, `in_use`) → `lifecycle-in-use`.
pub fn code_key(prefix: &str, code: &str) -> String {
    format!("{prefix}-{}", code.replace('_', "-"))
}

pub fn kind_label(i: &I18n, k: AssetKind) -> String {
    i.t(&code_key("asset-kind", k.as_str()))
}

pub fn yes_no(i: &I18n, b: bool) -> String {
    i.t(if b { "yes" } else { "no" })
}

/// `<option>`s for every value of a code list, labelled from `{prefix}-{code}`.
fn code_options(i: &I18n, prefix: &str, codes: &[&str], selected: &str) -> Vec<Opt> {
    codes
        .iter()
        .map(|c| Opt {
            value: (*c).to_owned(),
            label: i.t(&code_key(prefix, c)),
            selected: *c == selected,
        })
        .collect()
}

fn with_blank(label: String, selected: bool, rest: Vec<Opt>) -> Vec<Opt> {
    std::iter::once(Opt {
        value: String::new(),
        label,
        selected,
    })
    .chain(rest)
    .collect()
}

fn kinds() -> Vec<&'static str> {
    AssetKind::ALL.iter().map(|k| k.as_str()).collect()
}
fn lifecycles() -> Vec<&'static str> {
    Lifecycle::ALL.iter().map(|k| k.as_str()).collect()
}
fn hostings() -> Vec<&'static str> {
    Hosting::ALL.iter().map(|k| k.as_str()).collect()
}
fn criticalities() -> Vec<&'static str> {
    Criticality::ALL.iter().map(|k| k.as_str()).collect()
}

/// The units where the caller may change records (a role granting Write applies to the
/// whole subtree), in tree order.
pub fn writable<'a>(rows: &'a [TreeRow], caller: &Caller) -> Vec<&'a TreeRow> {
    let mut out = Vec::new();
    let mut inside_from: Option<usize> = None;
    for r in rows {
        if inside_from.is_some_and(|d| r.depth <= d) {
            inside_from = None;
        }
        let grants = caller
            .roles
            .iter()
            .any(|ra| ra.unit_id == r.unit.id && ra.role.grants(Permission::Write));
        if inside_from.is_none() && grants {
            inside_from = Some(r.depth);
        }
        if inside_from.is_some() {
            out.push(r);
        }
    }
    out
}

/// One aspect's level as a table cell: the number, with the level's name for screen readers
/// and in a tooltip (never told by colour alone).
pub struct LevelCell {
    pub value: String,
    pub name: String,
}

/// The column heads and level names of the current standard model.
pub struct Scale {
    pub aspects: Vec<(String, String)>,
    pub levels: HashMap<u8, String>,
}

impl Scale {
    pub fn of(model: Option<&Model>, lang: &str) -> Self {
        match model {
            Some(m) => Scale {
                aspects: m
                    .aspects
                    .iter()
                    .map(|a| (a.code.clone(), a.name.get(lang).to_owned()))
                    .collect(),
                levels: m
                    .levels
                    .iter()
                    .map(|l| (l.level, l.name.get(lang).to_owned()))
                    .collect(),
            },
            None => Scale {
                aspects: Vec::new(),
                levels: HashMap::new(),
            },
        }
    }

    pub fn level_name(&self, level: u8) -> String {
        self.levels.get(&level).cloned().unwrap_or_default()
    }

    /// `3 – Allvarlig`
    pub fn level_label(&self, level: u8) -> String {
        match self.levels.get(&level) {
            Some(n) => format!("{level} – {n}"),
            None => level.to_string(),
        }
    }

    pub fn cells(&self, i: &I18n, levels: Option<&Levels>) -> Vec<LevelCell> {
        self.aspects
            .iter()
            .map(|(code, _)| match levels.and_then(|l| l.get(code)) {
                Some(l) => LevelCell {
                    value: l.to_string(),
                    name: self.level_name(*l),
                },
                None => LevelCell {
                    value: "–".to_owned(),
                    name: i.t("level-none"),
                },
            })
            .collect()
    }
}

pub async fn scale(state: &AppState, lang: &str) -> Scale {
    let model = state.app.latest_model(DEFAULT_MODEL_KEY).await.ok();
    Scale::of(model.as_ref().map(|m| &m.model), lang)
}

fn parse_asset_id(s: &str) -> Result<AssetId, UiError> {
    s.parse().map_err(|_| AppError::NotFound.into())
}

// ---- the list ------------------------------------------------------------------------------

/// The inventory filter from a query string. The names are those of [`AssetFilter`] (and of
/// `GET /api/v1/assets`); empty and malformed values are left out, and `page` counts from 1.
pub fn filter_from_query(q: &FormData) -> (AssetFilter, i64) {
    let bool_of = |name: &str| match q.opt(name) {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let by_priority = bool_of("by_priority") == Some(true);
    let page = q
        .opt("page")
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        .min(1_000_000);
    let filter = AssetFilter {
        unit_id: q.opt("unit_id").and_then(|u| u.parse().ok()),
        kind: q.opt("kind").and_then(AssetKind::parse),
        lifecycle: q.opt("lifecycle").and_then(Lifecycle::parse),
        nis2_covered: bool_of("nis2_covered"),
        // The priority order is of what is still to be classified.
        classified: if by_priority {
            Some(false)
        } else {
            bool_of("classified")
        },
        overdue_on: if by_priority {
            None
        } else {
            q.opt("overdue_on").and_then(|d| d.parse().ok())
        },
        search: q.opt("search").map(str::to_owned),
        by_priority,
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    (filter, page)
}

/// The query string of a filter (without `?`), only the fields that are set, in the names
/// [`filter_from_query`] reads; `page` when given.
pub fn filter_query(f: &AssetFilter, page: Option<i64>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    if let Some(u) = f.unit_id {
        s.append_pair("unit_id", &u.to_string());
    }
    if let Some(k) = f.kind {
        s.append_pair("kind", k.as_str());
    }
    if let Some(l) = f.lifecycle {
        s.append_pair("lifecycle", l.as_str());
    }
    if let Some(b) = f.nis2_covered {
        s.append_pair("nis2_covered", &b.to_string());
    }
    if let Some(b) = f.classified.filter(|_| !f.by_priority) {
        s.append_pair("classified", &b.to_string());
    }
    if let Some(d) = f.overdue_on {
        s.append_pair("overdue_on", &d.to_string());
    }
    if let Some(t) = &f.search {
        s.append_pair("search", t);
    }
    if f.by_priority {
        s.append_pair("by_priority", "true");
    }
    if let Some(p) = page.filter(|p| *p > 1) {
        s.append_pair("page", &p.to_string());
    }
    s.finish()
}

fn with_query(path: &str, q: &str) -> String {
    if q.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{q}")
    }
}

pub struct ListRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub unit: String,
    pub lifecycle: String,
    pub nis2: bool,
    pub criticality: String,
    pub levels: Vec<LevelCell>,
    pub classification_href: Option<String>,
    pub review: Option<String>,
    pub overdue: bool,
    pub separate_analysis: bool,
    /// The place in the priority order (priority view only).
    pub rank: i64,
}

pub struct PageLink {
    /// `None` for a gap (…).
    pub href: Option<String>,
    pub number: i64,
    pub current: bool,
}

/// Page numbers to show: the first, the last and two either side of the current one.
fn page_window(current: i64, last: i64) -> Vec<Option<i64>> {
    let mut out = Vec::new();
    let mut prev = 0;
    for p in 1..=last {
        if p == 1 || p == last || (p - current).abs() <= 2 {
            if p - prev > 1 {
                out.push(None);
            }
            out.push(Some(p));
            prev = p;
        }
    }
    out
}

#[derive(Template)]
#[template(path = "assets.html")]
struct AssetsPage {
    l: Layout,
    i: I18n,
    done: Option<String>,
    by_priority: bool,
    all_href: String,
    priority_href: String,
    // filters
    f_units: Vec<Opt>,
    f_kinds: Vec<Opt>,
    f_lifecycles: Vec<Opt>,
    f_nis2: Vec<Opt>,
    f_classified: Vec<Opt>,
    f_overdue: bool,
    f_search: String,
    today: String,
    // the table
    aspects: Vec<(String, String)>,
    rows: Vec<ListRow>,
    total_text: String,
    pages: Vec<PageLink>,
    prev_href: Option<String>,
    next_href: Option<String>,
    export_query: String,
    can_create: bool,
    // the create form
    c_units: Vec<Opt>,
    c_kinds: Vec<Opt>,
    c_lifecycles: Vec<Opt>,
    c_hostings: Vec<Opt>,
    c_criticalities: Vec<Opt>,
    fe: FormErrors,
    v: FormData,
}

async fn list_page(
    cx: &Ctx,
    caller: &Caller,
    state: &AppState,
    q: &FormData,
    fe: FormErrors,
    v: FormData,
    status: StatusCode,
) -> Result<Response, UiError> {
    let i = cx.i();
    let lang = cx.lang.code();
    let app = &state.app;
    let today = today();
    let (filter, page_no) = filter_from_query(q);
    let result = app.list_assets(caller, &filter).await?;
    let units = app.list_units(caller, true).await?;
    let names: HashMap<UnitId, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let rows_tree = tree(&units);
    let scale = scale(state, lang).await;

    let rows: Vec<ListRow> = result
        .rows
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let a = &r.asset;
            let c = r.classification.as_ref();
            let review_due = c.and_then(|c| c.review_due);
            ListRow {
                id: a.id.to_string(),
                name: a.name.clone(),
                kind: kind_label(&i, a.kind),
                unit: names.get(&a.unit_id).cloned().unwrap_or_default(),
                lifecycle: i.t(&code_key("lifecycle", a.lifecycle.as_str())),
                nis2: a.nis2_covered,
                criticality: a
                    .criticality
                    .map(|c| i.t(&code_key("criticality", c.as_str())))
                    .unwrap_or_else(|| i.t("criticality-none")),
                levels: scale.cells(&i, c.map(|c| &c.levels)),
                classification_href: c.map(|c| format!("/classifications/{}", c.id)),
                review: review_due.map(|d| d.to_string()),
                overdue: review_due.is_some_and(|d| d < today),
                separate_analysis: c.is_some_and(|c| c.separate_analysis),
                rank: filter.offset + n as i64 + 1,
            }
        })
        .collect();

    let last = ((result.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let href = |p: i64| with_query("/assets", &filter_query(&filter, Some(p)));
    let pages = if last > 1 {
        page_window(page_no, last)
            .into_iter()
            .map(|p| match p {
                Some(p) => PageLink {
                    href: Some(href(p)),
                    number: p,
                    current: p == page_no,
                },
                None => PageLink {
                    href: None,
                    number: 0,
                    current: false,
                },
            })
            .collect()
    } else {
        Vec::new()
    };
    let prev_href = (page_no > 1).then(|| href((page_no - 1).min(last)));
    let next_href = (page_no < last).then(|| href(page_no + 1));

    // The filter form.
    let sel_unit = filter.unit_id.map(|u| u.to_string()).unwrap_or_default();
    let f_units = with_blank(
        i.t("filter-all-units"),
        filter.unit_id.is_none(),
        unit_options(&rows_tree, &sel_unit),
    );
    let f_kinds = with_blank(
        i.t("filter-all"),
        filter.kind.is_none(),
        code_options(
            &i,
            "asset-kind",
            &kinds(),
            filter.kind.map(|k| k.as_str()).unwrap_or(""),
        ),
    );
    let f_lifecycles = with_blank(
        i.t("filter-all"),
        filter.lifecycle.is_none(),
        code_options(
            &i,
            "lifecycle",
            &lifecycles(),
            filter.lifecycle.map(|k| k.as_str()).unwrap_or(""),
        ),
    );
    let yes_no_opts = |sel: Option<bool>| {
        let s = sel.map(|b| b.to_string()).unwrap_or_default();
        vec![
            Opt {
                value: String::new(),
                label: i.t("filter-all"),
                selected: sel.is_none(),
            },
            Opt {
                value: "true".into(),
                label: i.t("yes"),
                selected: s == "true",
            },
            Opt {
                value: "false".into(),
                label: i.t("no"),
                selected: s == "false",
            },
        ]
    };

    // The create form: the units the caller may add to.
    let writable_rows = writable(&rows_tree, caller);
    let c_unit = v
        .opt("unit_id")
        .map(str::to_owned)
        .unwrap_or_else(|| sel_unit.clone());
    let c_units = unit_options(writable_rows.iter().copied(), &c_unit);
    let c_kinds = code_options(
        &i,
        "asset-kind",
        &kinds(),
        v.opt("kind").unwrap_or("system"),
    );
    let c_lifecycles = code_options(
        &i,
        "lifecycle",
        &lifecycles(),
        v.opt("lifecycle").unwrap_or("in_use"),
    );
    let c_hostings = code_options(
        &i,
        "hosting",
        &hostings(),
        v.opt("hosting").unwrap_or("unknown"),
    );
    let c_criticalities = with_blank(
        i.t("criticality-none"),
        v.opt("criticality").is_none(),
        code_options(
            &i,
            "criticality",
            &criticalities(),
            v.opt("criticality").unwrap_or(""),
        ),
    );

    let mut all_filter = filter.clone();
    all_filter.by_priority = false;
    all_filter.classified = None;
    let mut prio_filter = filter.clone();
    prio_filter.by_priority = true;
    prio_filter.overdue_on = None;
    let mut export_filter = filter.clone();
    export_filter.offset = 0;

    page(
        status,
        &AssetsPage {
            l: cx.layout(i.t("assets-title")),
            done: done_message(&cx.here, &i, &["created", "imported"]),
            by_priority: filter.by_priority,
            all_href: with_query("/assets", &filter_query(&all_filter, None)),
            priority_href: with_query("/assets", &filter_query(&prio_filter, None)),
            f_units,
            f_kinds,
            f_lifecycles,
            f_nis2: yes_no_opts(filter.nis2_covered),
            f_classified: yes_no_opts(filter.classified),
            f_overdue: filter.overdue_on.is_some(),
            f_search: filter.search.clone().unwrap_or_default(),
            today: today.to_string(),
            aspects: scale.aspects,
            rows,
            total_text: i.t1("assets-total", "count", result.total),
            pages,
            prev_href,
            next_href,
            export_query: filter_query(&export_filter, None),
            can_create: !c_units.is_empty(),
            c_units,
            c_kinds,
            c_lifecycles,
            c_hostings,
            c_criticalities,
            fe,
            v,
            i,
        },
    )
}

/// `GET /assets[?unit_id&kind&lifecycle&nis2_covered&classified&overdue_on&search&by_priority&page]`
pub async fn list(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, UiError> {
    let q = FormData::parse(query.unwrap_or_default().as_bytes());
    list_page(
        &cx,
        &caller,
        &state,
        &q,
        FormErrors::none(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

/// An optional code field: empty is `None`, a value we do not know is a malformed form.
fn opt_code<T>(
    form: &FormData,
    name: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, UiError> {
    match form.opt(name) {
        None => Ok(None),
        Some(s) => parse(s)
            .map(Some)
            .ok_or_else(|| UiError::new(StatusCode::BAD_REQUEST, "error-bad-form")),
    }
}

fn text_field(form: &FormData, name: &str) -> Option<String> {
    form.opt(name).map(str::to_owned)
}

/// `POST /assets`
pub async fn create(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    form: FormData,
) -> Result<Response, UiError> {
    let i = cx.i();
    let lifecycle = opt_code(&form, "lifecycle", Lifecycle::parse)?.unwrap_or(Lifecycle::InUse);
    let hosting = opt_code(&form, "hosting", Hosting::parse)?.unwrap_or(Hosting::Unknown);
    let criticality = opt_code(&form, "criticality", Criticality::parse)?;
    let kind = AssetKind::parse(form.get("kind"));
    let unit: Option<UnitId> = form.get("unit_id").parse().ok();
    let result = match (unit, kind) {
        (None, _) => Err(AppError::invalid("unit_id", "error-unit-required")),
        (_, None) => Err(AppError::invalid("kind", "error-kind-required")),
        (Some(unit_id), Some(kind)) => {
            let new = NewAsset {
                unit_id,
                kind,
                name: form.get("name").to_owned(),
                description: form.get("description").to_owned(),
                lifecycle,
                hosting,
                nis2_covered: form.has("nis2_covered"),
                criticality,
                supplier: text_field(&form, "supplier"),
                system_owner: text_field(&form, "system_owner"),
                object_leader: text_field(&form, "object_leader"),
                information_owner: text_field(&form, "information_owner"),
            };
            state.app.create_asset(&caller, new).await
        }
    };
    match result {
        Ok(a) => Ok(see_other(&format!("/assets/{}?done=created", a.id))),
        Err(e) => {
            let fe = FormErrors::from_app("create", e, i)?;
            list_page(
                &cx,
                &caller,
                &state,
                &FormData::default(),
                fe,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

// ---- one asset -----------------------------------------------------------------------------

pub struct LinkRow {
    pub relation: String,
    pub other_id: String,
    pub other_name: String,
    pub other_kind: String,
    pub from: String,
    pub to: String,
    pub kind: &'static str,
    pub remove_label: String,
}

/// A form adding one kind of link from this asset's side.
pub struct LinkForm {
    pub dom_id: &'static str,
    pub kind: &'static str,
    pub heading: String,
    pub label: String,
    pub options: Vec<Opt>,
}

pub struct ClassificationRow {
    pub id: String,
    pub status: String,
    pub date: String,
    pub levels: Vec<LevelCell>,
    pub review: Option<String>,
    pub overdue: bool,
}

pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "asset.html")]
struct AssetDetailPage {
    l: Layout,
    i: I18n,
    done: Option<String>,
    id: String,
    asset: Asset,
    kind: String,
    unit_id: String,
    unit_name: String,
    facts: Vec<Fact>,
    can_write: bool,
    e_units: Vec<Opt>,
    e_lifecycles: Vec<Opt>,
    e_hostings: Vec<Opt>,
    e_criticalities: Vec<Opt>,
    e_nis2: bool,
    e: EditValues,
    links: Vec<LinkRow>,
    link_forms: Vec<LinkForm>,
    aspects: Vec<(String, String)>,
    current: Option<ClassificationRow>,
    current_levels: Vec<Fact>,
    classifications: Vec<ClassificationRow>,
    draft_href: Option<String>,
    fe: FormErrors,
}

/// The edit form's text fields: what was typed after a failed post, else what is stored.
pub struct EditValues {
    pub name: String,
    pub description: String,
    pub supplier: String,
    pub system_owner: String,
    pub object_leader: String,
    pub information_owner: String,
}

/// The link forms an asset of `kind` offers, as (relation, whether this asset is the `from`
/// side, the kind of the other side).
fn link_shapes(kind: AssetKind) -> Vec<(LinkKind, bool, AssetKind)> {
    match kind {
        AssetKind::Service => vec![(LinkKind::RunsOn, true, AssetKind::System)],
        AssetKind::System => vec![
            (LinkKind::Processes, true, AssetKind::InformationSet),
            (LinkKind::RunsOn, false, AssetKind::Service),
        ],
        AssetKind::InformationSet => vec![(LinkKind::Processes, false, AssetKind::System)],
    }
}

/// How a link reads from this asset's side, e.g. "Körs på" for a service's system.
fn relation_key(kind: LinkKind, this_is_from: bool) -> &'static str {
    match (kind, this_is_from) {
        (LinkKind::RunsOn, true) => "link-runs-on",
        (LinkKind::RunsOn, false) => "link-carries-service",
        (LinkKind::Processes, true) => "link-processes",
        (LinkKind::Processes, false) => "link-processed-by",
    }
}

async fn detail_page(
    cx: &Ctx,
    caller: &Caller,
    state: &AppState,
    id: AssetId,
    fe: FormErrors,
    v: FormData,
    status: StatusCode,
) -> Result<Response, UiError> {
    let i = cx.i();
    let lang = cx.lang.code();
    let app = &state.app;
    let today = today();
    // In scope, or NotFound before anything else is read.
    let asset = app.get_asset(caller, id).await?;
    let units = app.list_units(caller, true).await?;
    let names: HashMap<UnitId, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let rows_tree = tree(&units);
    let writable_rows = writable(&rows_tree, caller);
    let writable_ids: HashSet<UnitId> = writable_rows.iter().map(|r| r.unit.id).collect();
    let can_write = writable_ids.contains(&asset.unit_id);
    let scale = scale(state, lang).await;

    let none = || "–".to_owned();
    let opt_text = |o: &Option<String>| o.clone().unwrap_or_else(none);
    let facts = vec![
        Fact {
            label: i.t("asset-lifecycle"),
            value: i.t(&code_key("lifecycle", asset.lifecycle.as_str())),
        },
        Fact {
            label: i.t("asset-hosting"),
            value: i.t(&code_key("hosting", asset.hosting.as_str())),
        },
        Fact {
            label: i.t("asset-nis2"),
            value: yes_no(&i, asset.nis2_covered),
        },
        Fact {
            label: i.t("asset-criticality"),
            value: asset
                .criticality
                .map(|c| i.t(&code_key("criticality", c.as_str())))
                .unwrap_or_else(|| i.t("criticality-none")),
        },
        Fact {
            label: i.t("asset-supplier"),
            value: opt_text(&asset.supplier),
        },
        Fact {
            label: i.t("asset-system-owner"),
            value: opt_text(&asset.system_owner),
        },
        Fact {
            label: i.t("asset-object-leader"),
            value: opt_text(&asset.object_leader),
        },
        Fact {
            label: i.t("asset-information-owner"),
            value: opt_text(&asset.information_owner),
        },
        Fact {
            label: i.t("asset-updated"),
            value: local_time(asset.updated_at),
        },
    ];

    // Links, with the other side's name (a handful per asset).
    let links = app.asset_links(caller, id).await?;
    let mut link_rows = Vec::new();
    let mut linked: HashSet<AssetId> = HashSet::new();
    for l in &links {
        let this_is_from = l.from == id;
        let other = if this_is_from { l.to } else { l.from };
        linked.insert(other);
        let Ok(o) = app.get_asset(caller, other).await else {
            continue;
        };
        let relation = i.t(relation_key(l.kind, this_is_from));
        link_rows.push(LinkRow {
            remove_label: i.ta(
                "link-remove-label",
                &[("relation", &relation), ("name", &o.name)],
            ),
            relation,
            other_id: other.to_string(),
            other_name: o.name,
            other_kind: kind_label(&i, o.kind),
            from: l.from.to_string(),
            to: l.to.to_string(),
            kind: l.kind.as_str(),
        });
    }
    link_rows.sort_by(|a, b| {
        (&a.relation, a.other_name.to_lowercase()).cmp(&(&b.relation, b.other_name.to_lowercase()))
    });

    let mut link_forms = Vec::new();
    if can_write {
        for (kind, this_is_from, other_kind) in link_shapes(asset.kind) {
            let filter = AssetFilter {
                kind: Some(other_kind),
                limit: CANDIDATES,
                ..AssetFilter::default()
            };
            let selected = if v.get("kind") == kind.as_str() {
                v.get("other").to_owned()
            } else {
                String::new()
            };
            let options: Vec<Opt> = app
                .list_assets(caller, &filter)
                .await?
                .rows
                .into_iter()
                .map(|r| r.asset)
                .filter(|a| {
                    a.id != id && !linked.contains(&a.id) && writable_ids.contains(&a.unit_id)
                })
                .map(|a| Opt {
                    selected: a.id.to_string() == selected,
                    value: a.id.to_string(),
                    label: match names.get(&a.unit_id) {
                        Some(u) if a.unit_id != asset.unit_id => format!("{} ({u})", a.name),
                        _ => a.name,
                    },
                })
                .collect();
            link_forms.push(LinkForm {
                dom_id: link_form_id(kind, this_is_from),
                kind: kind.as_str(),
                heading: i.t(&format!("{}-heading", relation_key(kind, this_is_from))),
                label: kind_label(&i, other_kind),
                options,
            });
        }
    }

    // Classifications, newest first.
    let mut cls = app.classifications_of(caller, id).await?;
    cls.sort_by_key(|c| std::cmp::Reverse(c.created_at));
    let draft_href = cls
        .iter()
        .find(|c| c.status == ClassificationStatus::Draft)
        .map(|c| format!("/classifications/{}", c.id));
    let row_of = |c: &tillit_domain::classification::Classification| {
        let levels = tillit_domain::classification::levels_of(&c.decisions);
        ClassificationRow {
            id: c.id.to_string(),
            status: i.t(&code_key("classification-status", c.status.as_str())),
            date: c
                .performed_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| local_time(c.created_at)),
            levels: scale.cells(&i, Some(&levels)),
            review: c.review_due.map(|d| d.to_string()),
            overdue: c.status == ClassificationStatus::Completed
                && c.review_due.is_some_and(|d| d < today),
        }
    };
    let current = cls
        .iter()
        .find(|c| c.status == ClassificationStatus::Completed)
        .map(row_of);
    let classifications = cls.iter().map(row_of).collect();
    let current_levels = current
        .as_ref()
        .map(|c| {
            scale
                .aspects
                .iter()
                .zip(&c.levels)
                .map(|((_, name), cell)| Fact {
                    label: name.clone(),
                    value: if cell.name.is_empty() {
                        cell.value.clone()
                    } else {
                        format!("{} – {}", cell.value, cell.name)
                    },
                })
                .collect()
        })
        .unwrap_or_default();

    // The edit form: typed values after a failed post, else the stored ones.
    let posted = !v.0.is_empty();
    let pick = |name: &str, stored: &str| -> String {
        if posted {
            v.get(name).to_owned()
        } else {
            stored.to_owned()
        }
    };
    let e_unit = pick("unit_id", &asset.unit_id.to_string());
    let mut e_units = unit_options(writable_rows.iter().copied(), &e_unit);
    if !e_units.iter().any(|o| o.value == asset.unit_id.to_string()) {
        // Its own unit stays choosable even when only its subtree is writable.
        e_units.insert(
            0,
            Opt {
                value: asset.unit_id.to_string(),
                label: names.get(&asset.unit_id).cloned().unwrap_or_default(),
                selected: e_unit == asset.unit_id.to_string(),
            },
        );
    }
    let e_lifecycles = code_options(
        &i,
        "lifecycle",
        &lifecycles(),
        &pick("lifecycle", asset.lifecycle.as_str()),
    );
    let e_hostings = code_options(
        &i,
        "hosting",
        &hostings(),
        &pick("hosting", asset.hosting.as_str()),
    );
    let crit = pick(
        "criticality",
        asset.criticality.map(|c| c.as_str()).unwrap_or(""),
    );
    let e_criticalities = with_blank(
        i.t("criticality-none"),
        crit.is_empty(),
        code_options(&i, "criticality", &criticalities(), &crit),
    );
    let e_nis2 = if posted {
        v.has("nis2_covered")
    } else {
        asset.nis2_covered
    };
    let text = |name: &str, stored: &Option<String>| pick(name, stored.as_deref().unwrap_or(""));
    let e = EditValues {
        name: pick("name", &asset.name),
        description: pick("description", &asset.description),
        supplier: text("supplier", &asset.supplier),
        system_owner: text("system_owner", &asset.system_owner),
        object_leader: text("object_leader", &asset.object_leader),
        information_owner: text("information_owner", &asset.information_owner),
    };

    page(
        status,
        &AssetDetailPage {
            l: cx.layout(asset.name.clone()),
            done: done_message(&cx.here, &i, &["created", "saved", "linked", "unlinked"]),
            id: id.to_string(),
            kind: kind_label(&i, asset.kind),
            unit_id: asset.unit_id.to_string(),
            unit_name: names.get(&asset.unit_id).cloned().unwrap_or_default(),
            asset,
            facts,
            can_write,
            e_units,
            e_lifecycles,
            e_hostings,
            e_criticalities,
            e_nis2,
            e,
            links: link_rows,
            link_forms,
            aspects: scale.aspects,
            current,
            current_levels,
            classifications,
            draft_href,
            fe,
            i,
        },
    )
}

/// `GET /assets/{id}`
pub async fn detail(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse_asset_id(&id)?;
    detail_page(
        &cx,
        &caller,
        &state,
        id,
        FormErrors::none(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

/// After a form on the asset page: on to the page saying what was done, or back to the
/// form with the error.
async fn after<T>(
    s: &Signed,
    state: &AppState,
    id: AssetId,
    form_name: &'static str,
    done: &str,
    form: FormData,
    result: Result<T, AppError>,
) -> Result<Response, UiError> {
    let done_url = format!("/assets/{id}?done={done}");
    redirect_or_redisplay(result, &done_url, form_name, form, s.cx.i(), |fe, form| {
        detail_page(
            &s.cx,
            &s.caller,
            state,
            id,
            fe,
            form,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    })
    .await
}

/// `POST /assets/{id}`: every field of the edit form (an empty text clears it).
pub async fn update(
    s: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_asset_id(&id)?;
    let criticality = opt_code(&form, "criticality", Criticality::parse)?;
    let upd = AssetUpdate {
        unit_id: Some(form.parsed("unit_id")?),
        name: Some(form.get("name").to_owned()),
        description: Some(form.get("description").to_owned()),
        lifecycle: Some(
            opt_code(&form, "lifecycle", Lifecycle::parse)?
                .ok_or_else(|| UiError::new(StatusCode::BAD_REQUEST, "error-bad-form"))?,
        ),
        hosting: Some(
            opt_code(&form, "hosting", Hosting::parse)?
                .ok_or_else(|| UiError::new(StatusCode::BAD_REQUEST, "error-bad-form"))?,
        ),
        nis2_covered: Some(form.has("nis2_covered")),
        clear_criticality: criticality.is_none(),
        criticality,
        supplier: Some(form.get("supplier").to_owned()),
        system_owner: Some(form.get("system_owner").to_owned()),
        object_leader: Some(form.get("object_leader").to_owned()),
        information_owner: Some(form.get("information_owner").to_owned()),
    };
    let result = state.app.update_asset(&s.caller, id, upd).await;
    after(&s, &state, id, "edit", "saved", form, result).await
}

/// Whether an asset of kind `this` is the `from` side of a `kind` link; `None` when such an
/// asset takes no part in that kind of link.
fn this_is_from(kind: LinkKind, this: AssetKind) -> Option<bool> {
    match (kind, this) {
        (LinkKind::RunsOn, AssetKind::Service) | (LinkKind::Processes, AssetKind::System) => {
            Some(true)
        }
        (LinkKind::RunsOn, AssetKind::System)
        | (LinkKind::Processes, AssetKind::InformationSet) => Some(false),
        _ => None,
    }
}

/// The link a form on asset `this` describes: `kind` and the `other` asset, the direction
/// following from this asset's kind.
fn link_of(this: &Asset, kind: LinkKind, other: AssetId) -> Result<AssetLink, AppError> {
    match this_is_from(kind, this.kind) {
        Some(true) => Ok(AssetLink {
            from: this.id,
            to: other,
            kind,
        }),
        Some(false) => Ok(AssetLink {
            from: other,
            to: this.id,
            kind,
        }),
        None => Err(AppError::invalid("kind", "error-link-kinds")),
    }
}

/// The DOM id and form name of a link form.
fn link_form_id(kind: LinkKind, this_is_from: bool) -> &'static str {
    match (kind, this_is_from) {
        (LinkKind::RunsOn, true) => "link-runs-on",
        (LinkKind::RunsOn, false) => "link-carries",
        (LinkKind::Processes, true) => "link-processes",
        (LinkKind::Processes, false) => "link-processed-by",
    }
}

/// `POST /assets/{id}/links`: `kind` (runs_on, processes) and `other` (an asset id).
pub async fn add_link(
    s: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_asset_id(&id)?;
    let this = state.app.get_asset(&s.caller, id).await?;
    let kind = LinkKind::parse(form.get("kind"))
        .ok_or_else(|| UiError::new(StatusCode::BAD_REQUEST, "error-bad-form"))?;
    let result = match form.get("other").parse::<AssetId>() {
        Err(_) => Err(AppError::invalid("other", "error-link-target-required")),
        Ok(other) => match link_of(&this, kind, other) {
            Ok(link) => state.app.link_assets(&s.caller, link).await,
            Err(e) => Err(e),
        },
    };
    let form_name = link_form_id(kind, this_is_from(kind, this.kind).unwrap_or(true));
    after(&s, &state, id, form_name, "linked", form, result).await
}

/// `POST /assets/{id}/links/remove`: `from`, `to` and `kind` of a link of this asset.
pub async fn remove_link(
    s: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_asset_id(&id)?;
    let link = AssetLink {
        from: form.parsed("from")?,
        to: form.parsed("to")?,
        kind: LinkKind::parse(form.get("kind"))
            .ok_or_else(|| UiError::new(StatusCode::BAD_REQUEST, "error-bad-form"))?,
    };
    if link.from != id && link.to != id {
        return Err(UiError::new(StatusCode::BAD_REQUEST, "error-bad-form"));
    }
    // The asset in scope first, so a foreign id is 404 whichever side it is on.
    state.app.get_asset(&s.caller, id).await?;
    let result = state.app.unlink_assets(&s.caller, link).await;
    after(&s, &state, id, "links", "unlinked", form, result).await
}

/// `POST /assets/{id}/classifications`: starts a classification and opens the draft.
pub async fn classify(
    s: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_asset_id(&id)?;
    match state.app.start_classification(&s.caller, id, None).await {
        Ok(c) => Ok(see_other(&format!(
            "/classifications/{}?done=started",
            c.id
        ))),
        Err(e) => after::<()>(&s, &state, id, "classify", "", form, Err(e)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_reads_back_what_it_writes() {
        let unit = UnitId::new();
        let q = FormData::parse(
            format!(
                "unit_id={unit}&kind=system&lifecycle=&nis2_covered=true&classified=false\
                 &overdue_on=2026-05-01&search=Pro+capita&page=3&junk=1"
            )
            .as_bytes(),
        );
        let (f, page) = filter_from_query(&q);
        assert_eq!(page, 3);
        assert_eq!(f.offset, 100);
        assert_eq!(f.limit, PAGE_SIZE);
        assert_eq!(f.kind, Some(AssetKind::System));
        assert_eq!(f.lifecycle, None);
        assert_eq!(f.search.as_deref(), Some("Pro capita"));
        let s = filter_query(&f, Some(page));
        assert_eq!(
            s,
            format!(
                "unit_id={unit}&kind=system&nis2_covered=true&classified=false\
                 &overdue_on=2026-05-01&search=Pro+capita&page=3"
            )
        );
        let (again, _) = filter_from_query(&FormData::parse(s.as_bytes()));
        assert_eq!(filter_query(&again, Some(3)), s);

        // The priority view is of unclassified assets, whatever else the query says.
        let (p, page) =
            filter_from_query(&FormData::parse(b"by_priority=true&classified=true&page=0"));
        assert_eq!((p.classified, p.by_priority, page), (Some(false), true, 1));
        assert_eq!(filter_query(&p, Some(1)), "by_priority=true");
    }

    #[test]
    fn page_links_show_the_ends_and_the_neighbourhood() {
        assert_eq!(page_window(1, 1), vec![Some(1)]);
        assert_eq!(
            page_window(6, 20),
            vec![
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(20)
            ]
        );
        assert_eq!(page_window(2, 4), vec![Some(1), Some(2), Some(3), Some(4)]);
    }

    #[test]
    fn links_run_from_the_supporting_side() {
        let mut a = Asset {
            id: AssetId::new(),
            unit_id: UnitId::new(),
            kind: AssetKind::System,
            name: "Procapita".into(),
            description: String::new(),
            lifecycle: Lifecycle::InUse,
            hosting: Hosting::Unknown,
            nis2_covered: false,
            criticality: None,
            supplier: None,
            system_owner: None,
            object_leader: None,
            information_owner: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        };
        let other = AssetId::new();
        let l = link_of(&a, LinkKind::Processes, other).unwrap();
        assert_eq!((l.from, l.to), (a.id, other));
        let l = link_of(&a, LinkKind::RunsOn, other).unwrap();
        assert_eq!((l.from, l.to), (other, a.id));
        a.kind = AssetKind::InformationSet;
        assert!(link_of(&a, LinkKind::RunsOn, other).is_err());
    }

    #[test]
    fn every_code_has_a_label_in_both_languages() {
        for lang in crate::ui::i18n::Lang::ALL {
            let i = lang.i18n();
            let mut keys: Vec<String> = Vec::new();
            keys.extend(kinds().iter().map(|c| code_key("asset-kind", c)));
            keys.extend(lifecycles().iter().map(|c| code_key("lifecycle", c)));
            keys.extend(hostings().iter().map(|c| code_key("hosting", c)));
            keys.extend(criticalities().iter().map(|c| code_key("criticality", c)));
            for s in ["draft", "completed", "superseded"] {
                keys.push(code_key("classification-status", s));
            }
            for (k, from) in [
                (LinkKind::RunsOn, true),
                (LinkKind::RunsOn, false),
                (LinkKind::Processes, true),
                (LinkKind::Processes, false),
            ] {
                keys.push(relation_key(k, from).to_owned());
                keys.push(format!("{}-heading", relation_key(k, from)));
            }
            for w in ["created", "saved", "linked", "unlinked"] {
                keys.push(format!("done-{w}"));
            }
            for k in keys {
                assert!(i.try_t(&k).is_some(), "{} lacks {k}", lang.code());
            }
        }
    }
}
