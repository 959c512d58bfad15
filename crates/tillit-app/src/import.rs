//! Importing an existing register of systems, services and information sets from XLSX or
//! CSV: the columns are mapped to Tillit's fields (guessed from the headers, in Swedish or
//! English), every row is checked, and either every row is stored, in one transaction, or
//! none is. A dry run shows what would be stored and every problem, by row and column.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tillit_domain::asset::{Asset, AssetFilter, AssetKind, Criticality, Hosting, Lifecycle};
use tillit_domain::{AssetId, DomainError, Permission, Unit, UnitId};
pub use tillit_reports::{Format, Table, TableError, read_table};

use crate::{App, AppError, Caller, Result};

/// The language of the headers and values of an exported file.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Sv,
    En,
}

impl Language {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sv" => Some(Language::Sv),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// The fields of an asset a file can fill in.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Kind,
    Unit,
    Description,
    Lifecycle,
    Hosting,
    Nis2Covered,
    Criticality,
    Supplier,
    SystemOwner,
    ObjectLeader,
    InformationOwner,
}

impl Field {
    /// In the order of an exported file's columns.
    pub const ALL: [Field; 12] = [
        Field::Name,
        Field::Kind,
        Field::Unit,
        Field::Description,
        Field::Lifecycle,
        Field::Hosting,
        Field::Nis2Covered,
        Field::Criticality,
        Field::Supplier,
        Field::SystemOwner,
        Field::ObjectLeader,
        Field::InformationOwner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Kind => "kind",
            Field::Unit => "unit",
            Field::Description => "description",
            Field::Lifecycle => "lifecycle",
            Field::Hosting => "hosting",
            Field::Nis2Covered => "nis2_covered",
            Field::Criticality => "criticality",
            Field::Supplier => "supplier",
            Field::SystemOwner => "system_owner",
            Field::ObjectLeader => "object_leader",
            Field::InformationOwner => "information_owner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The column header an export writes, and the first one an import recognises.
    pub fn header(self, lang: Language) -> &'static str {
        let (sv, en) = match self {
            Field::Name => ("Namn", "Name"),
            Field::Kind => ("Typ", "Kind"),
            Field::Unit => ("Enhet", "Unit"),
            Field::Description => ("Beskrivning", "Description"),
            Field::Lifecycle => ("Livscykel", "Lifecycle"),
            Field::Hosting => ("Driftform", "Hosting"),
            Field::Nis2Covered => ("NIS2", "NIS2"),
            Field::Criticality => ("Kritikalitet", "Criticality"),
            Field::Supplier => ("Leverantör", "Supplier"),
            Field::SystemOwner => ("Systemägare", "System owner"),
            Field::ObjectLeader => ("Objektledare", "Object leader"),
            Field::InformationOwner => ("Informationsägare", "Information owner"),
        };
        match lang {
            Language::Sv => sv,
            Language::En => en,
        }
    }

    /// Other headers registers use for the field (compared after [`normalise`]).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Name => &[
                "systemnamn",
                "system name",
                "benämning",
                "tillgång",
                "asset",
                "system",
                "namn på system",
            ],
            Field::Kind => &["type", "tillgångstyp", "asset type", "typ av tillgång"],
            Field::Unit => &[
                "förvaltning",
                "organisationsenhet",
                "organisation",
                "ansvarig enhet",
                "unit id",
                "enhets-id",
                "verksamhet",
                "nämnd",
            ],
            Field::Description => &["syfte", "purpose", "beskrivning av systemet"],
            Field::Lifecycle => &["status", "livscykelstatus", "state", "livscykelfas"],
            Field::Hosting => &["drift", "driftmiljö", "driftsform", "drift form"],
            Field::Nis2Covered => &[
                "nis 2",
                "omfattas av nis2",
                "nis2-omfattad",
                "cybersäkerhetslagen",
                "omfattas av cybersäkerhetslagen",
            ],
            Field::Criticality => &["verksamhetskritikalitet", "business criticality"],
            Field::Supplier => &["vendor", "leverantor", "systemleverantör"],
            Field::SystemOwner => &["systemagare"],
            Field::ObjectLeader => &["objektledare (pm3)", "object leader (pm3)"],
            Field::InformationOwner => &["informationsagare"],
        }
    }
}

/// Which column of the file fills which field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ColumnMapping {
    /// The column (0-based, in the file's order) of each field; fields left out are not read
    /// (the name is required; the kind is a system when left out).
    #[serde(default)]
    pub columns: BTreeMap<Field, usize>,
    /// The unit of rows whose unit cell is empty, or of every row when no column names units.
    #[serde(default)]
    pub default_unit: Option<UnitId>,
}

/// Lower case, single spaces, no `*` or `:` marking required fields, `_` as a space.
fn normalise(s: &str) -> String {
    s.trim()
        .trim_end_matches([':', '*'])
        .replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl ColumnMapping {
    /// The mapping guessed from the headers: each field takes the first column whose header
    /// is the field's header in Swedish or English, its code, or a usual synonym.
    pub fn guess(headers: &[String]) -> Self {
        let normalised: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let mut columns = BTreeMap::new();
        let mut taken = HashSet::new();
        for field in Field::ALL {
            let names: Vec<String> = [
                field.header(Language::Sv),
                field.header(Language::En),
                field.as_str(),
            ]
            .into_iter()
            .chain(field.aliases().iter().copied())
            .map(normalise)
            .collect();
            // The field's own headers win over synonyms, wherever they stand.
            let found = names.iter().find_map(|n| {
                normalised
                    .iter()
                    .enumerate()
                    .find(|(i, h)| *h == n && !taken.contains(i))
                    .map(|(i, _)| i)
            });
            if let Some(i) = found {
                taken.insert(i);
                columns.insert(field, i);
            }
        }
        Self {
            columns,
            default_unit: None,
        }
    }

    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns.get(&field).copied()
    }

    /// Sets or clears a field's column from what a person wrote: a header (any case), a
    /// 1-based column number, or `-` / nothing for "do not import".
    pub fn set_from(
        &mut self,
        headers: &[String],
        field: Field,
        spec: &str,
    ) -> Result<(), AppError> {
        let spec = spec.trim();
        if spec.is_empty() || spec == "-" {
            self.columns.remove(&field);
            return Ok(());
        }
        let wanted = normalise(spec);
        let column = headers
            .iter()
            .position(|h| normalise(h) == wanted)
            .or_else(|| {
                spec.parse::<usize>()
                    .ok()
                    .filter(|n| (1..=headers.len()).contains(n))
                    .map(|n| n - 1)
            });
        match column {
            Some(c) => {
                self.columns.insert(field, c);
                Ok(())
            }
            None => Err(AppError::Rejected {
                code: "error-import-bad-mapping",
                details: vec![format!(
                    "{}: no column \"{}\" in the file",
                    field.as_str(),
                    truncate(spec)
                )],
            }),
        }
    }
}

/// One problem in an imported file, where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportError {
    /// The row as the spreadsheet numbers it (the header is row 1).
    pub row: usize,
    /// The column's header, when the problem is in one cell.
    pub column: Option<String>,
    /// A stable key for the problem, e.g. `error-import-unknown-value`.
    pub code: String,
    /// The offending value, shortened.
    pub value: Option<String>,
    /// The other row, for a duplicate within the file.
    pub other_row: Option<usize>,
}

impl ImportError {
    /// The problem in English, e.g. `row 7, column "Typ": unknown value "Servr"`.
    pub fn to_english(&self) -> String {
        let place = match &self.column {
            Some(c) => format!("row {}, column \"{c}\"", self.row),
            None => format!("row {}", self.row),
        };
        let what = match self.code.as_str() {
            "error-import-required" => "a value is required".to_owned(),
            "error-import-unknown-value" => "unknown value".to_owned(),
            "error-import-unknown-unit" => "unknown unit".to_owned(),
            "error-import-unit-not-writable" => "you may not add to this unit".to_owned(),
            "error-import-ambiguous-unit" => {
                "several units have this name; give the unit's id".to_owned()
            }
            "error-import-duplicate-in-file" => match self.other_row {
                Some(r) => format!("the same unit, kind and name as row {r}"),
                None => "the same unit, kind and name as another row".to_owned(),
            },
            "error-import-duplicate-existing" => {
                "the unit already has an asset of this kind with this name".to_owned()
            }
            "error-import-no-name-column" => "no column is mapped to the name".to_owned(),
            "error-import-no-rows" => "the file has no rows below the header".to_owned(),
            "error-import-bad-mapping" => "a mapped column is not in the file".to_owned(),
            "error-import-too-many-errors" => "too many problems; the rest are left out".to_owned(),
            "error-name-too-long" | "error-text-too-long" => "the text is too long".to_owned(),
            "error-name-control" => "the text holds control characters".to_owned(),
            "error-name-empty" => "a value is required".to_owned(),
            other => other.to_owned(),
        };
        match &self.value {
            Some(v) => format!("{place}: {what} \"{v}\""),
            None => format!("{place}: {what}"),
        }
    }
}

/// A row that would be, or was, stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportRow {
    pub row: usize,
    pub unit_name: String,
    pub asset: Asset,
}

/// What an import found, and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// The file's headers, in order (the mapping's column numbers point into this).
    pub headers: Vec<String>,
    /// The mapping used.
    pub mapping: ColumnMapping,
    /// Rows with any data (blank rows are skipped).
    pub total_rows: usize,
    /// The rows without problems, as they would be (dry run) or were stored.
    pub rows: Vec<ImportRow>,
    /// How many assets were stored: 0 on a dry run.
    pub imported: usize,
    /// Every problem (up to [`MAX_REPORTED_ERRORS`]), by row.
    pub errors: Vec<ImportError>,
}

/// Problems listed in one report; a file with more has a last one saying so.
pub const MAX_REPORTED_ERRORS: usize = 1000;
const VALUE_SHOWN_CHARS: usize = 60;

/// Reads an uploaded file; a file that cannot be read is refused with what is wrong.
pub fn read_file(bytes: &[u8], format: Format) -> Result<Table> {
    tillit_reports::read_table(bytes, format).map_err(|e| AppError::Rejected {
        code: e.code(),
        details: vec![e.to_string()],
    })
}

fn truncate(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(VALUE_SHOWN_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// The value of a field from the words registers use, in Swedish or English, or its code.
fn lookup<T: Copy>(value: &str, words: &[(&str, T)], code: fn(&str) -> Option<T>) -> Option<T> {
    let v = normalise(value);
    words
        .iter()
        .find(|(w, _)| *w == v)
        .map(|(_, t)| *t)
        .or_else(|| code(&v.replace(' ', "_")))
}

const KIND_WORDS: &[(&str, AssetKind)] = &[
    ("system", AssetKind::System),
    ("it-system", AssetKind::System),
    ("tjänst", AssetKind::Service),
    ("tjanst", AssetKind::Service),
    ("e-tjänst", AssetKind::Service),
    ("service", AssetKind::Service),
    ("informationsmängd", AssetKind::InformationSet),
    ("informationsmangd", AssetKind::InformationSet),
    ("information set", AssetKind::InformationSet),
    ("informationstillgång", AssetKind::InformationSet),
    ("information asset", AssetKind::InformationSet),
];

const LIFECYCLE_WORDS: &[(&str, Lifecycle)] = &[
    ("planerad", Lifecycle::Planned),
    ("planerat", Lifecycle::Planned),
    ("under införande", Lifecycle::Planned),
    ("planned", Lifecycle::Planned),
    ("i drift", Lifecycle::InUse),
    ("i bruk", Lifecycle::InUse),
    ("aktiv", Lifecycle::InUse),
    ("används", Lifecycle::InUse),
    ("in use", Lifecycle::InUse),
    ("active", Lifecycle::InUse),
    ("in production", Lifecycle::InUse),
    ("under avveckling", Lifecycle::BeingRetired),
    ("avvecklas", Lifecycle::BeingRetired),
    ("being retired", Lifecycle::BeingRetired),
    ("retiring", Lifecycle::BeingRetired),
    ("avvecklad", Lifecycle::Retired),
    ("avvecklat", Lifecycle::Retired),
    ("ur drift", Lifecycle::Retired),
    ("retired", Lifecycle::Retired),
    ("decommissioned", Lifecycle::Retired),
];

const HOSTING_WORDS: &[(&str, Hosting)] = &[
    ("egen drift", Hosting::OnPremises),
    ("lokal drift", Hosting::OnPremises),
    ("lokalt", Hosting::OnPremises),
    ("on premises", Hosting::OnPremises),
    ("on-premises", Hosting::OnPremises),
    ("on-prem", Hosting::OnPremises),
    ("gemensam it", Hosting::SharedIt),
    ("kommungemensam it", Hosting::SharedIt),
    ("it-avdelningen", Hosting::SharedIt),
    ("shared it", Hosting::SharedIt),
    ("shared municipal it", Hosting::SharedIt),
    ("saas", Hosting::Saas),
    ("molntjänst (saas)", Hosting::Saas),
    ("molntjänst", Hosting::Saas),
    ("software as a service", Hosting::Saas),
    ("moln", Hosting::Cloud),
    ("molnplattform", Hosting::Cloud),
    ("publikt moln", Hosting::Cloud),
    ("cloud", Hosting::Cloud),
    ("public cloud", Hosting::Cloud),
    ("cloud platform", Hosting::Cloud),
    ("annan", Hosting::Other),
    ("annat", Hosting::Other),
    ("övrigt", Hosting::Other),
    ("other", Hosting::Other),
    ("okänd", Hosting::Unknown),
    ("okänt", Hosting::Unknown),
    ("vet ej", Hosting::Unknown),
    ("unknown", Hosting::Unknown),
];

const CRITICALITY_WORDS: &[(&str, Criticality)] = &[
    ("låg", Criticality::Low),
    ("low", Criticality::Low),
    ("medel", Criticality::Medium),
    ("måttlig", Criticality::Medium),
    ("mellan", Criticality::Medium),
    ("medium", Criticality::Medium),
    ("moderate", Criticality::Medium),
    ("hög", Criticality::High),
    ("high", Criticality::High),
    ("kritisk", Criticality::Critical),
    ("mycket hög", Criticality::Critical),
    ("verksamhetskritisk", Criticality::Critical),
    ("critical", Criticality::Critical),
    ("very high", Criticality::Critical),
];

const BOOL_WORDS: &[(&str, bool)] = &[
    ("ja", true),
    ("j", true),
    ("yes", true),
    ("y", true),
    ("1", true),
    ("x", true),
    ("true", true),
    ("sant", true),
    ("omfattas", true),
    ("nej", false),
    ("n", false),
    ("no", false),
    ("0", false),
    ("false", false),
    ("falskt", false),
    ("omfattas ej", false),
    ("omfattas inte", false),
];

/// What registers write for "nothing stated".
const NOTHING_WORDS: &[&str] = &["-", "–", "ej angiven", "ej angivet", "not stated", "n/a"];

/// The value of an optional cell: none when empty, the offending text when unknown.
fn choose<T: Copy>(
    cell: Option<&str>,
    words: &[(&str, T)],
    code: fn(&str) -> Option<T>,
) -> Result<Option<T>, String> {
    match cell {
        Some(v) if !v.is_empty() && !NOTHING_WORDS.contains(&normalise(v).as_str()) => {
            lookup(v, words, code).map(Some).ok_or_else(|| v.to_owned())
        }
        _ => Ok(None),
    }
}

/// The words an export writes for the values, which an import reads back.
pub fn kind_label(k: AssetKind, lang: Language) -> &'static str {
    match (k, lang) {
        (AssetKind::System, _) => "System",
        (AssetKind::Service, Language::Sv) => "Tjänst",
        (AssetKind::Service, Language::En) => "Service",
        (AssetKind::InformationSet, Language::Sv) => "Informationsmängd",
        (AssetKind::InformationSet, Language::En) => "Information set",
    }
}

pub fn lifecycle_label(l: Lifecycle, lang: Language) -> &'static str {
    match (l, lang) {
        (Lifecycle::Planned, Language::Sv) => "Planerad",
        (Lifecycle::Planned, Language::En) => "Planned",
        (Lifecycle::InUse, Language::Sv) => "I drift",
        (Lifecycle::InUse, Language::En) => "In use",
        (Lifecycle::BeingRetired, Language::Sv) => "Under avveckling",
        (Lifecycle::BeingRetired, Language::En) => "Being retired",
        (Lifecycle::Retired, Language::Sv) => "Avvecklad",
        (Lifecycle::Retired, Language::En) => "Retired",
    }
}

pub fn hosting_label(h: Hosting, lang: Language) -> &'static str {
    match (h, lang) {
        (Hosting::OnPremises, Language::Sv) => "Egen drift",
        (Hosting::OnPremises, Language::En) => "On premises",
        (Hosting::SharedIt, Language::Sv) => "Gemensam IT",
        (Hosting::SharedIt, Language::En) => "Shared IT",
        (Hosting::Saas, _) => "SaaS",
        (Hosting::Cloud, Language::Sv) => "Moln",
        (Hosting::Cloud, Language::En) => "Cloud",
        (Hosting::Other, Language::Sv) => "Annan",
        (Hosting::Other, Language::En) => "Other",
        (Hosting::Unknown, Language::Sv) => "Okänd",
        (Hosting::Unknown, Language::En) => "Unknown",
    }
}

pub fn criticality_label(c: Criticality, lang: Language) -> &'static str {
    match (c, lang) {
        (Criticality::Low, Language::Sv) => "Låg",
        (Criticality::Low, Language::En) => "Low",
        (Criticality::Medium, Language::Sv) => "Medel",
        (Criticality::Medium, Language::En) => "Medium",
        (Criticality::High, Language::Sv) => "Hög",
        (Criticality::High, Language::En) => "High",
        (Criticality::Critical, Language::Sv) => "Kritisk",
        (Criticality::Critical, Language::En) => "Critical",
    }
}

pub fn bool_label(b: bool, lang: Language) -> &'static str {
    match (b, lang) {
        (true, Language::Sv) => "Ja",
        (false, Language::Sv) => "Nej",
        (true, Language::En) => "Yes",
        (false, Language::En) => "No",
    }
}

/// The units a caller may import into, found by id or by name (any case).
struct Units {
    writable: HashMap<UnitId, Unit>,
    readable: HashSet<UnitId>,
    writable_by_name: HashMap<String, Vec<UnitId>>,
    readable_names: HashSet<String>,
}

enum UnitLookup {
    Found(UnitId),
    NotWritable,
    Unknown,
    Ambiguous,
}

impl Units {
    fn find(&self, value: &str) -> UnitLookup {
        if let Ok(id) = value.trim().parse::<UnitId>() {
            return if self.writable.contains_key(&id) {
                UnitLookup::Found(id)
            } else if self.readable.contains(&id) {
                UnitLookup::NotWritable
            } else {
                UnitLookup::Unknown
            };
        }
        let key = normalise(value);
        match self.writable_by_name.get(&key).map(Vec::as_slice) {
            Some([id]) => UnitLookup::Found(*id),
            Some([_, _, ..]) => UnitLookup::Ambiguous,
            _ if self.readable_names.contains(&key) => UnitLookup::NotWritable,
            _ => UnitLookup::Unknown,
        }
    }

    fn name(&self, id: UnitId) -> String {
        self.writable
            .get(&id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }
}

/// The key the store keeps unique: the same unit, kind and name in any case.
fn duplicate_key(a: &Asset) -> (UnitId, AssetKind, String) {
    (a.unit_id, a.kind, a.name.to_lowercase())
}

/// The rows of a table checked against the mapping, without the store: the assets, and the
/// problems of each row.
struct Parsed {
    rows: Vec<ImportRow>,
    errors: Vec<ImportError>,
    total_rows: usize,
}

fn parse_rows(table: &Table, mapping: &ColumnMapping, units: &Units, now: Timestamp) -> Parsed {
    let mut errors = Vec::new();
    let header_of = |c: usize| {
        table
            .headers
            .get(c)
            .filter(|h| !h.is_empty())
            .cloned()
            .unwrap_or_else(|| format!("#{}", c + 1))
    };
    let file_error = |code: &str| ImportError {
        row: table.header_row,
        column: None,
        code: code.to_owned(),
        value: None,
        other_row: None,
    };
    let width = table.headers.len();
    if let Some((f, _)) = mapping.columns.iter().find(|(_, c)| **c >= width) {
        let mut e = file_error("error-import-bad-mapping");
        e.value = Some(f.as_str().to_owned());
        errors.push(e);
    }
    if mapping.column(Field::Name).is_none() {
        errors.push(file_error("error-import-no-name-column"));
    }
    if !errors.is_empty() {
        return Parsed {
            rows: Vec::new(),
            errors,
            total_rows: 0,
        };
    }
    let mut rows = Vec::new();
    let mut total_rows = 0;
    for (index, cells) in table.rows.iter().enumerate() {
        if Table::is_blank(cells) {
            continue;
        }
        total_rows += 1;
        let row = table.row_number(index);
        let mut found: Vec<ImportError> = Vec::new();
        let problem = |found: &mut Vec<ImportError>, field: Field, code: &str, value: &str| {
            found.push(ImportError {
                row,
                column: mapping.column(field).map(header_of),
                code: code.to_owned(),
                value: (!value.trim().is_empty()).then(|| truncate(value)),
                other_row: None,
            });
        };
        let cell = |field: Field| -> Option<&str> {
            mapping
                .column(field)
                .map(|c| cells.get(c).map_or("", |s| s.trim()))
        };
        let text = |field: Field| cell(field).filter(|v| !v.is_empty()).map(str::to_owned);
        let unknown = "error-import-unknown-value";

        let unit = match cell(Field::Unit).filter(|v| !v.is_empty()) {
            Some(v) => {
                let code = match units.find(v) {
                    UnitLookup::Found(id) => Ok(id),
                    UnitLookup::NotWritable => Err("error-import-unit-not-writable"),
                    UnitLookup::Unknown => Err("error-import-unknown-unit"),
                    UnitLookup::Ambiguous => Err("error-import-ambiguous-unit"),
                };
                code.map_err(|c| problem(&mut found, Field::Unit, c, v))
                    .ok()
            }
            None if mapping.default_unit.is_some() => mapping.default_unit,
            None => {
                problem(&mut found, Field::Unit, "error-import-required", "");
                None
            }
        };
        let kind =
            match cell(Field::Kind).map(|v| (v, choose(Some(v), KIND_WORDS, AssetKind::parse))) {
                None => Some(AssetKind::System),
                Some((_, Ok(Some(k)))) => Some(k),
                Some((_, Ok(None))) => {
                    problem(&mut found, Field::Kind, "error-import-required", "");
                    None
                }
                Some((v, Err(_))) => {
                    problem(&mut found, Field::Kind, unknown, v);
                    None
                }
            };
        let name = text(Field::Name);
        if name.is_none() {
            problem(&mut found, Field::Name, "error-import-required", "");
        }
        let lifecycle = choose(cell(Field::Lifecycle), LIFECYCLE_WORDS, Lifecycle::parse)
            .unwrap_or_else(|v| {
                problem(&mut found, Field::Lifecycle, unknown, &v);
                None
            });
        let hosting =
            choose(cell(Field::Hosting), HOSTING_WORDS, Hosting::parse).unwrap_or_else(|v| {
                problem(&mut found, Field::Hosting, unknown, &v);
                None
            });
        let criticality = choose(
            cell(Field::Criticality),
            CRITICALITY_WORDS,
            Criticality::parse,
        )
        .unwrap_or_else(|v| {
            problem(&mut found, Field::Criticality, unknown, &v);
            None
        });
        let nis2 = choose(cell(Field::Nis2Covered), BOOL_WORDS, |_| None).unwrap_or_else(|v| {
            problem(&mut found, Field::Nis2Covered, unknown, &v);
            None
        });
        let (Some(unit_id), Some(kind), Some(name), true) = (unit, kind, name, found.is_empty())
        else {
            errors.append(&mut found);
            continue;
        };
        let asset = Asset {
            id: AssetId::new(),
            unit_id,
            kind,
            name,
            description: text(Field::Description).unwrap_or_default(),
            lifecycle: lifecycle.unwrap_or(Lifecycle::InUse),
            hosting: hosting.unwrap_or(Hosting::Unknown),
            nis2_covered: nis2.unwrap_or(false),
            criticality,
            supplier: text(Field::Supplier),
            system_owner: text(Field::SystemOwner),
            object_leader: text(Field::ObjectLeader),
            information_owner: text(Field::InformationOwner),
            created_at: now,
            updated_at: now,
        };
        match asset.validated() {
            Ok(asset) => rows.push(ImportRow {
                row,
                unit_name: units.name(asset.unit_id),
                asset,
            }),
            Err(DomainError::Invalid { field, code }) => {
                let field = match field {
                    "description" => Field::Description,
                    "supplier" => Field::Supplier,
                    "system_owner" => Field::SystemOwner,
                    "object_leader" => Field::ObjectLeader,
                    "information_owner" => Field::InformationOwner,
                    _ => Field::Name,
                };
                problem(&mut errors, field, code, cell(field).unwrap_or_default());
            }
        }
    }
    if total_rows == 0 {
        errors.push(file_error("error-import-no-rows"));
    }

    // The same unit, kind and name twice in the file: both rows are told.
    let mut first_at: HashMap<(UnitId, AssetKind, String), usize> = HashMap::new();
    let mut told_first = HashSet::new();
    for r in &rows {
        let key = duplicate_key(&r.asset);
        match first_at.get(&key) {
            None => {
                first_at.insert(key, r.row);
            }
            Some(&first) => {
                let column = mapping.column(Field::Name).map(header_of);
                if told_first.insert(first) {
                    errors.push(ImportError {
                        row: first,
                        column: column.clone(),
                        code: "error-import-duplicate-in-file".into(),
                        value: Some(truncate(&r.asset.name)),
                        other_row: Some(r.row),
                    });
                }
                errors.push(ImportError {
                    row: r.row,
                    column,
                    code: "error-import-duplicate-in-file".into(),
                    value: Some(truncate(&r.asset.name)),
                    other_row: Some(first),
                });
            }
        }
    }
    Parsed {
        rows,
        errors,
        total_rows,
    }
}

impl App {
    /// Checks a table of assets against the mapping and the caller's units and inventory;
    /// stores every row in one transaction unless `dry_run` or any row has a problem, in which
    /// case nothing is stored (and a real run is refused with every problem).
    pub async fn import_assets(
        &self,
        caller: &Caller,
        table: &Table,
        mapping: &ColumnMapping,
        dry_run: bool,
    ) -> Result<ImportReport> {
        let store = self.store();
        let write = caller.scope(Permission::Write);
        let writable_units = store.list_units(&write, false).await?;
        if writable_units.is_empty() {
            return Err(AppError::Forbidden);
        }
        let readable_units = store
            .list_units(&caller.scope(Permission::Read), true)
            .await?;
        let mut units = Units {
            writable: HashMap::new(),
            readable: readable_units.iter().map(|u| u.id).collect(),
            writable_by_name: HashMap::new(),
            readable_names: readable_units.iter().map(|u| normalise(&u.name)).collect(),
        };
        for u in writable_units {
            units
                .writable_by_name
                .entry(normalise(&u.name))
                .or_default()
                .push(u.id);
            units.writable.insert(u.id, u);
        }
        if let Some(d) = mapping.default_unit
            && !units.writable.contains_key(&d)
        {
            return Err(if units.readable.contains(&d) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }

        let now = Timestamp::now();
        let Parsed {
            mut rows,
            mut errors,
            total_rows,
        } = parse_rows(table, mapping, &units, now);

        // Against the inventory: what the units already hold.
        let mut existing = HashSet::new();
        let wanted: HashSet<UnitId> = rows.iter().map(|r| r.asset.unit_id).collect();
        for unit in &wanted {
            let mut filter = AssetFilter {
                unit_id: Some(*unit),
                limit: 500,
                ..AssetFilter::default()
            };
            loop {
                let page = store.list_assets(&write, &filter).await?;
                let n = page.rows.len() as i64;
                for r in page.rows {
                    if wanted.contains(&r.asset.unit_id) {
                        existing.insert(duplicate_key(&r.asset));
                    }
                }
                filter.offset += n;
                if n < filter.limit || filter.offset >= page.total {
                    break;
                }
            }
        }
        let name_column = mapping
            .column(Field::Name)
            .and_then(|c| table.headers.get(c).cloned());
        for r in &rows {
            if existing.contains(&duplicate_key(&r.asset)) {
                errors.push(ImportError {
                    row: r.row,
                    column: name_column.clone(),
                    code: "error-import-duplicate-existing".into(),
                    value: Some(truncate(&r.asset.name)),
                    other_row: None,
                });
            }
        }
        errors.sort_by_key(|e| (e.row, e.column.clone()));
        if errors.len() > MAX_REPORTED_ERRORS {
            let last_row = errors[MAX_REPORTED_ERRORS - 1].row;
            errors.truncate(MAX_REPORTED_ERRORS - 1);
            errors.push(ImportError {
                row: last_row,
                column: None,
                code: "error-import-too-many-errors".into(),
                value: None,
                other_row: None,
            });
        }
        // A row with a problem is not shown as ready.
        let bad_rows: HashSet<usize> = errors.iter().map(|e| e.row).collect();
        rows.retain(|r| !bad_rows.contains(&r.row));

        let mut report = ImportReport {
            dry_run,
            headers: table.headers.clone(),
            mapping: mapping.clone(),
            total_rows,
            rows,
            imported: 0,
            errors,
        };
        if dry_run {
            return Ok(report);
        }
        if !report.errors.is_empty() {
            return Err(AppError::Rejected {
                code: "error-import-invalid",
                details: report.errors.iter().map(ImportError::to_english).collect(),
            });
        }
        let assets: Vec<Asset> = report.rows.iter().map(|r| r.asset.clone()).collect();
        let events: Vec<_> = assets
            .iter()
            .map(|a| {
                caller
                    .event("asset.import", "asset", a.id)
                    .unit(Some(a.unit_id))
                    .change(None::<&()>, Some(a))
            })
            .collect();
        store
            .import_assets(&write, &assets, &events)
            .await
            .map_err(|e| match AppError::from(e) {
                // Added by someone else since the check.
                AppError::Conflict(_) => AppError::Rejected {
                    code: "error-import-invalid",
                    details: vec![
                        "an asset with the same unit, kind and name was added meanwhile; \
                         nothing was saved"
                            .into(),
                    ],
                },
                other => other,
            })?;
        report.imported = assets.len();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn headers_are_guessed_in_both_languages() {
        let m = ColumnMapping::guess(&h(&[
            "Namn",
            "Enhet",
            "Typ",
            "Systemägare",
            "Objektledare",
            "Informationsägare",
            "Leverantör",
            "Driftform",
            "NIS2",
            "Kritikalitet",
            "Status",
            "Beskrivning",
            "Övrigt",
        ]));
        assert_eq!(m.column(Field::Name), Some(0));
        assert_eq!(m.column(Field::Unit), Some(1));
        assert_eq!(m.column(Field::Kind), Some(2));
        assert_eq!(m.column(Field::SystemOwner), Some(3));
        assert_eq!(m.column(Field::ObjectLeader), Some(4));
        assert_eq!(m.column(Field::InformationOwner), Some(5));
        assert_eq!(m.column(Field::Supplier), Some(6));
        assert_eq!(m.column(Field::Hosting), Some(7));
        assert_eq!(m.column(Field::Nis2Covered), Some(8));
        assert_eq!(m.column(Field::Criticality), Some(9));
        assert_eq!(m.column(Field::Lifecycle), Some(10));
        assert_eq!(m.column(Field::Description), Some(11));
        assert_eq!(m.columns.len(), 12);

        let m = ColumnMapping::guess(&h(&[
            "System",
            "UNIT",
            "kind",
            "System owner*",
            "Supplier",
            "Hosting",
            "nis2_covered",
            "Name",
        ]));
        // "Name" is the field's own header and wins over the synonym "System".
        assert_eq!(m.column(Field::Name), Some(7));
        assert_eq!(m.column(Field::Unit), Some(1));
        assert_eq!(m.column(Field::Kind), Some(2));
        assert_eq!(m.column(Field::SystemOwner), Some(3));
        assert_eq!(m.column(Field::Nis2Covered), Some(6));
        assert_eq!(m.column(Field::Lifecycle), None);

        // Every export header is recognised in both languages.
        for lang in [Language::Sv, Language::En] {
            let headers: Vec<String> = Field::ALL
                .iter()
                .map(|f| f.header(lang).to_owned())
                .collect();
            let m = ColumnMapping::guess(&headers);
            for (i, f) in Field::ALL.iter().enumerate() {
                assert_eq!(m.column(*f), Some(i), "{f:?} in {lang:?}");
            }
        }
    }

    #[test]
    fn a_mapping_is_changed_by_header_or_number() {
        let headers = h(&["Namn", "Ansvarig", "Typ"]);
        let mut m = ColumnMapping::guess(&headers);
        m.set_from(&headers, Field::SystemOwner, "ansvarig")
            .unwrap();
        assert_eq!(m.column(Field::SystemOwner), Some(1));
        m.set_from(&headers, Field::Supplier, "3").unwrap();
        assert_eq!(m.column(Field::Supplier), Some(2));
        m.set_from(&headers, Field::Kind, "-").unwrap();
        assert_eq!(m.column(Field::Kind), None);
        assert!(m.set_from(&headers, Field::Unit, "Enhet").is_err());
        assert!(m.set_from(&headers, Field::Unit, "4").is_err());
    }

    #[test]
    fn values_are_read_in_both_languages_and_as_codes() {
        assert_eq!(
            lookup("Tjänst", KIND_WORDS, AssetKind::parse),
            Some(AssetKind::Service)
        );
        assert_eq!(
            lookup(" information_set ", KIND_WORDS, AssetKind::parse),
            Some(AssetKind::InformationSet)
        );
        assert_eq!(
            lookup("Information set", KIND_WORDS, AssetKind::parse),
            Some(AssetKind::InformationSet)
        );
        assert_eq!(lookup("Servr", KIND_WORDS, AssetKind::parse), None);
        assert_eq!(
            lookup("being_retired", LIFECYCLE_WORDS, Lifecycle::parse),
            Some(Lifecycle::BeingRetired)
        );
        assert_eq!(
            lookup("I DRIFT", LIFECYCLE_WORDS, Lifecycle::parse),
            Some(Lifecycle::InUse)
        );
        assert_eq!(
            lookup("shared_it", HOSTING_WORDS, Hosting::parse),
            Some(Hosting::SharedIt)
        );
        for (yes, v) in [("Ja", true), ("x", true), ("1", true), ("No", false)] {
            assert_eq!(lookup(yes, BOOL_WORDS, |_| None), Some(v));
        }
        // What an export writes reads back.
        for lang in [Language::Sv, Language::En] {
            for k in AssetKind::ALL {
                assert_eq!(
                    lookup(kind_label(*k, lang), KIND_WORDS, AssetKind::parse),
                    Some(*k)
                );
            }
            for l in Lifecycle::ALL {
                assert_eq!(
                    lookup(lifecycle_label(*l, lang), LIFECYCLE_WORDS, Lifecycle::parse),
                    Some(*l)
                );
            }
            for x in Hosting::ALL {
                assert_eq!(
                    lookup(hosting_label(*x, lang), HOSTING_WORDS, Hosting::parse),
                    Some(*x)
                );
            }
            for c in Criticality::ALL {
                assert_eq!(
                    lookup(
                        criticality_label(*c, lang),
                        CRITICALITY_WORDS,
                        Criticality::parse
                    ),
                    Some(*c)
                );
            }
            for b in [true, false] {
                assert_eq!(lookup(bool_label(b, lang), BOOL_WORDS, |_| None), Some(b));
            }
        }
    }

    #[test]
    fn errors_read_in_english() {
        let e = ImportError {
            row: 7,
            column: Some("Typ".into()),
            code: "error-import-unknown-value".into(),
            value: Some("Servr".into()),
            other_row: None,
        };
        assert_eq!(
            e.to_english(),
            "row 7, column \"Typ\": unknown value \"Servr\""
        );
        assert_eq!(
            truncate(&"å".repeat(100)).chars().count(),
            VALUE_SHOWN_CHARS + 1
        );
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn units() -> Units {
        let unit = Unit {
            id: UnitId::new(),
            parent_id: None,
            name: "Socialförvaltningen".into(),
            kind: tillit_domain::UnitKind::Administration,
            merged_into: None,
            created_at: Timestamp::UNIX_EPOCH,
            closed_at: None,
        };
        Units {
            readable: HashSet::from([unit.id]),
            writable_by_name: HashMap::from([(normalise(&unit.name), vec![unit.id])]),
            readable_names: HashSet::from([normalise(&unit.name)]),
            writable: HashMap::from([(unit.id, unit)]),
        }
    }

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("Socialförvaltningen".to_owned()),
            Just("Tjänst".to_owned()),
            Just("Ja".to_owned()),
            Just("I drift".to_owned()),
            "[ -~åäöÅÄÖ\\n]{0,20}",
            "\\PC{0,300}",
        ]
    }

    proptest! {
        /// Whatever the cells and headers, checking a table answers with rows and problems
        /// (no panic), every problem names a row of the file, and only rows without a
        /// problem are ready.
        #[test]
        fn any_table_is_checked_without_panicking(
            headers in proptest::collection::vec(
                prop_oneof![
                    Just("Namn".to_owned()), Just("Typ".to_owned()), Just("Enhet".to_owned()),
                    Just("NIS2".to_owned()), Just("Kritikalitet".to_owned()),
                    Just("Beskrivning".to_owned()), "[a-zåäö ]{0,12}",
                ],
                0..8,
            ),
            rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..10), 0..20),
            header_row in 1usize..4,
        ) {
            let table = Table { headers, rows, header_row };
            let mapping = ColumnMapping::guess(&table.headers);
            let parsed = parse_rows(&table, &mapping, &units(), Timestamp::UNIX_EPOCH);
            let last = table.row_number(table.rows.len());
            for e in &parsed.errors {
                prop_assert!(e.row >= table.header_row && e.row <= last, "{e:?}");
                let _ = e.to_english();
            }
            for r in &parsed.rows {
                prop_assert!(!r.asset.name.is_empty());
            }
        }
    }
}
