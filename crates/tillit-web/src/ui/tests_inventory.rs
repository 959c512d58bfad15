//! The inventory, classification and coverage pages end to end: forms and their redirects,
//! errors at the form, paging and filters, the action plan, drill-down, both languages, and
//! the mechanical accessibility checks of [`super::assert_accessible`].

use axum::http::StatusCode;
use tillit_app::classification::{SHIPPED_MODELS, parse_model};
use tillit_domain::classification::{Model, propose};

use super::{ADMIN_PASSWORD, Harness, assert_accessible, between};

fn model() -> Model {
    parse_model(SHIPPED_MODELS[0].1).expect("the shipped model")
}

/// Adds an asset through the form and returns its id.
async fn add(h: &Harness, unit: &str, kind: &str, name: &str, extra: &[(&str, &str)]) -> String {
    let mut fields = vec![("unit_id", unit), ("kind", kind), ("name", name)];
    fields.extend_from_slice(extra);
    let a = h.post("/assets", &fields).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let loc = a.location.unwrap();
    assert!(loc.ends_with("?done=created"), "{loc}");
    between(&loc, "/assets/", "?").unwrap().to_owned()
}

/// Starts a classification of the asset and returns the draft's id.
async fn start(h: &Harness, asset: &str) -> String {
    let a = h
        .post(&format!("/assets/{asset}/classifications"), &[])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let loc = a.location.unwrap();
    assert!(loc.ends_with("?done=started"), "{loc}");
    between(&loc, "/classifications/", "?").unwrap().to_owned()
}

/// Form fields answering every question with the answer of the lowest level.
fn lowest_answers(m: &Model) -> Vec<(String, String)> {
    m.questions
        .iter()
        .map(|q| {
            let (k, _) = q
                .answers
                .iter()
                .enumerate()
                .min_by_key(|(_, a)| a.level)
                .unwrap();
            (format!("answer-{}", q.id), k.to_string())
        })
        .collect()
}

fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn signed_in() -> (Harness, String) {
    let mut h = Harness::new().await;
    h.sign_in("admin", ADMIN_PASSWORD).await;
    let root = h.root_unit().await;
    (h, root)
}

#[tokio::test]
async fn strangers_are_sent_to_sign_in() {
    let h = Harness::new().await;
    for path in ["/assets", "/coverage", "/assets/x", "/classifications/x"] {
        assert_eq!(
            h.get(path).await.location.as_deref(),
            Some("/login"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_inventory_creates_filters_and_pages() {
    let (h, root) = signed_in().await;
    let a = h.get("/assets").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_accessible(&a.body);
    for text in [
        "<a href=\"/assets\" aria-current=\"page\">Inventarie</a>",
        ">Klassningsläge</a>",
        "Ny tillgång",
        "Objektledare (pm3)",
        "Informationsägare",
        "Omfattas av NIS2 (cybersäkerhetslagen)",
        "href=\"/assets/import\"",
        "href=\"/assets/export.xlsx\"",
        "href=\"/assets/export.csv\"",
        "Antal tillgångar: 0",
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }

    // A mistake comes back at the form, with what was typed.
    let a = h
        .post(
            "/assets",
            &[
                ("unit_id", &root),
                ("kind", "system"),
                ("name", " "),
                ("supplier", "Tieto"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_accessible(&a.body);
    assert!(
        a.body
            .contains("id=\"create-error\" class=\"alert error\" role=\"alert\"")
    );
    assert!(a.body.contains("Ange ett namn."));
    assert!(
        a.body
            .contains("aria-invalid=\"true\" aria-describedby=\"create-error\"")
    );
    assert!(a.body.contains("value=\"Tieto\""));

    let procapita = add(
        &h,
        &root,
        "system",
        "Procapita",
        &[
            ("nis2_covered", "true"),
            ("criticality", "high"),
            ("hosting", "saas"),
            ("system_owner", "Anna Andersson"),
        ],
    )
    .await;
    let a = h.get(&format!("/assets/{procapita}?done=created")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_accessible(&a.body);
    for text in [
        "<h1>Procapita</h1>",
        "role=\"status\">Har skapats.</p>",
        "Molntjänst (SaaS)",
        "Anna Andersson",
        "Starta klassning",
        "Tillgången är inte klassad.",
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }
    // The same name twice in a unit is refused at the form.
    let a = h
        .post(
            "/assets",
            &[
                ("unit_id", &root),
                ("kind", "system"),
                ("name", "Procapita"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("role=\"alert\""));

    for n in 0..55 {
        add(
            &h,
            &root,
            "information_set",
            &format!("Mängd {n:02}"),
            &[("lifecycle", if n < 5 { "planned" } else { "in_use" })],
        )
        .await;
    }
    let a = h.get("/assets").await;
    assert_accessible(&a.body);
    assert!(a.body.contains("Antal tillgångar: 56"));
    assert_eq!(a.body.matches("<tr>").count(), 51, "a header and 50 rows");
    assert!(a.body.contains("href=\"/assets?page=2\""));
    assert!(
        a.body
            .contains("aria-label=\"Sida 1\" aria-current=\"page\"")
    );
    let a = h.get("/assets?page=2").await;
    assert_eq!(a.body.matches("<tr>").count(), 7);
    assert!(a.body.contains(">Mängd 54</a>") && a.body.contains(">Procapita</a>"));
    assert!(!a.body.contains(">Mängd 00</a>"));
    assert!(a.body.contains("rel=\"prev\""));

    // Filters, kept in the paging and export links.
    let a = h.get("/assets?kind=system&lifecycle=&search=").await;
    assert!(a.body.contains("Antal tillgångar: 1") && a.body.contains(">Procapita</a>"));
    assert!(a.body.contains("href=\"/assets/export.csv?kind=system\""));
    let a = h.get("/assets?lifecycle=planned").await;
    assert!(a.body.contains("Antal tillgångar: 5"));
    let a = h.get("/assets?search=m%C3%A4ngd+1").await;
    assert!(a.body.contains("Antal tillgångar: 10"));
    let a = h.get("/assets?nis2_covered=true").await;
    assert!(a.body.contains("Antal tillgångar: 1"));
    let a = h
        .get(&format!("/assets?unit_id={root}&classified=true"))
        .await;
    assert!(a.body.contains("Antal tillgångar: 0"));

    // The priority view: NIS2 first, then criticality, then those in use.
    let a = h.get("/assets?by_priority=true").await;
    assert_accessible(&a.body);
    assert!(a.body.contains("Oklassade tillgångar i prioritetsordning"));
    assert!(a.body.contains("aria-current=\"page\">Prioritering</a>"));
    let first = a.body.find(">Procapita</a>").unwrap();
    let in_use = a.body.find(">Mängd 05</a>").unwrap();
    assert!(first < in_use && !a.body.contains(">Mängd 00</a>"));
    assert!(a.body.contains("<td class=\"num\">1</td>"));
    let a = h.get("/assets?by_priority=true&page=2").await;
    assert!(a.body.contains(">Mängd 00</a>") && a.body.contains("<td class=\"num\">51</td>"));

    // Edit: an empty supplier clears it, criticality can be taken away.
    let a = h
        .post(
            &format!("/assets/{procapita}"),
            &[
                ("name", "Procapita VoO"),
                ("unit_id", &root),
                ("description", "Verksamhetssystem för vård och omsorg"),
                ("lifecycle", "in_use"),
                ("hosting", "saas"),
                ("criticality", ""),
                ("supplier", ""),
                ("system_owner", "Bo Berg"),
                ("object_leader", ""),
                ("information_owner", ""),
            ],
        )
        .await;
    assert_eq!(
        a.location,
        Some(format!("/assets/{procapita}?done=saved")),
        "{}",
        a.body
    );
    let a = h.get(&format!("/assets/{procapita}")).await;
    assert!(a.body.contains("<h1>Procapita VoO</h1>") && a.body.contains("Bo Berg"));
    assert!(a.body.contains("Ej angiven"));
    let a = h
        .post(
            &format!("/assets/{procapita}"),
            &[
                ("name", ""),
                ("unit_id", &root),
                ("lifecycle", "in_use"),
                ("hosting", "saas"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("id=\"edit-error\""));
}

#[tokio::test]
async fn links_are_added_and_removed() {
    let (h, root) = signed_in().await;
    let system = add(&h, &root, "system", "Treserva", &[]).await;
    let service = add(&h, &root, "service", "E-tjänst ansökan", &[]).await;
    let info = add(&h, &root, "information_set", "Personakter", &[]).await;

    let a = h.get(&format!("/assets/{service}")).await;
    assert_accessible(&a.body);
    assert!(a.body.contains("Systemet tjänsten körs på"));
    let a = h
        .post(
            &format!("/assets/{service}/links"),
            &[("kind", "runs_on"), ("other", "")],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("Välj en tillgång att koppla."));
    assert!(a.body.contains("id=\"link-runs-on-error\""));
    let a = h
        .post(
            &format!("/assets/{service}/links"),
            &[("kind", "runs_on"), ("other", &system)],
        )
        .await;
    assert_eq!(a.location, Some(format!("/assets/{service}?done=linked")));
    let a = h
        .post(
            &format!("/assets/{system}/links"),
            &[("kind", "processes"), ("other", &info)],
        )
        .await;
    assert_eq!(a.location, Some(format!("/assets/{system}?done=linked")));

    let a = h.get(&format!("/assets/{system}")).await;
    assert_accessible(&a.body);
    for text in [
        "Behandlar",
        ">Personakter</a>",
        "Tjänst som körs här",
        ">E-tjänst ansökan</a>",
        "aria-label=\"Ta bort kopplingen Behandlar Personakter\"",
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }
    let a = h.get(&format!("/assets/{info}")).await;
    assert!(a.body.contains("Behandlas i") && a.body.contains(">Treserva</a>"));

    let a = h
        .post(
            &format!("/assets/{system}/links/remove"),
            &[("from", &system), ("to", &info), ("kind", "processes")],
        )
        .await;
    assert_eq!(a.location, Some(format!("/assets/{system}?done=unlinked")));
    let a = h.get(&format!("/assets/{system}")).await;
    assert!(!a.body.contains(">Personakter</a>"));
    // Personakter is offered again.
    assert!(
        a.body
            .contains(&format!("<option value=\"{info}\">Personakter</option>"))
    );
}

#[tokio::test]
async fn a_classification_is_drafted_completed_and_followed_up() {
    let (h, root) = signed_in().await;
    let m = model();
    let asset = add(
        &h,
        &root,
        "system",
        "Procapita",
        &[("system_owner", "Anna")],
    )
    .await;
    let id = start(&h, &asset).await;

    // A second draft of the same asset is refused at the button.
    let a = h
        .post(&format!("/assets/{asset}/classifications"), &[])
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("id=\"classify-error\""));
    assert!(
        a.body
            .contains("Tillgången har redan en påbörjad klassning.")
    );

    let a = h.get(&format!("/classifications/{id}?done=started")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_accessible(&a.body);
    let q = &m.questions[0];
    for text in [
        "<h1>Klassning av Procapita</h1>",
        "<legend>",
        "type=\"radio\"",
        &format!("name=\"answer-{}\"", q.id),
        q.text.sv.as_str(),
        "Ingen föreslagen nivå ännu",
        "Beslutad nivå för Konfidentialitet",
        "type=\"date\"",
        "Spara utkast",
        "Slutför klassning",
        "formaction=\"/classifications/",
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }
    if let Some(help) = &q.help {
        assert!(a.body.contains(help.sv.trim()));
    }

    // The lowest answers; K decided one level above what they propose.
    let answers = lowest_answers(&m);
    let proposals = propose(
        &m,
        &answers
            .iter()
            .map(|(k, v)| (k["answer-".len()..].to_owned(), v.parse().unwrap()))
            .collect(),
    );
    let proposed = |c: &str| proposals[c].level.unwrap();
    let k_level = (proposed("K") + 1).to_string();
    let mut fields = answers.clone();
    for a in &m.aspects {
        let level = if a.code == "K" {
            k_level.clone()
        } else {
            proposed(&a.code).to_string()
        };
        fields.push((format!("level-{}", a.code), level));
        fields.push((format!("justification-{}", a.code), String::new()));
    }
    let a = h
        .post(&format!("/classifications/{id}"), &refs(&fields))
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_accessible(&a.body);
    assert!(
        a.body
            .contains("id=\"draft-error\" class=\"alert error\" role=\"alert\"")
    );
    assert!(a.body.contains("Motivera varför nivån avviker"));
    assert!(a.body.contains(
        "aria-invalid=\"true\" aria-describedby=\"draft-error aspect0-justification-hint\""
    ));
    assert!(a.body.contains(" checked>"), "the answers stay");
    assert!(
        a.body
            .contains(&format!("Föreslagen nivå: {} – ", proposed("K")))
    );

    // With a justification it saves; completing without participants is refused.
    let k = fields
        .iter_mut()
        .find(|(k, _)| k == "justification-K")
        .unwrap();
    k.1 = "Uppgifterna sammanställs med andra register.".into();
    let a = h
        .post(&format!("/classifications/{id}"), &refs(&fields))
        .await;
    assert_eq!(
        a.location,
        Some(format!("/classifications/{id}?done=saved")),
        "{}",
        a.body
    );
    let a = h
        .post(&format!("/classifications/{id}/complete"), &[])
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("Ange vilka som deltog i klassningen."));
    assert!(a.body.contains(
        "aria-invalid=\"true\" aria-describedby=\"draft-error draft-participants-hint\""
    ));

    // Completing from the form saves what it posts first.
    fields.push((
        "participants".into(),
        "Anna (systemägare), Bo (informationsägare)".into(),
    ));
    fields.push(("performed_on".into(), "2026-03-02".into()));
    let a = h
        .post(&format!("/classifications/{id}/complete"), &refs(&fields))
        .await;
    assert_eq!(
        a.location,
        Some(format!("/classifications/{id}?done=completed")),
        "{}",
        a.body
    );

    let a = h
        .get(&format!("/classifications/{id}?done=completed"))
        .await;
    assert_accessible(&a.body);
    for text in [
        "Gällande",
        "2028-03-02",
        "Handlingsplan",
        "K-1-01",
        "ÄR-krav",
        "Avviker från förslaget",
        "Uppgifterna sammanställs med andra register.",
        "Anna (systemägare), Bo (informationsägare)",
        "Krav som följer av nivåerna",
        "value=\"Anna\"",
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }
    assert!(!a.body.contains("Spara utkast"), "read-only now");
    let a = h
        .post(&format!("/classifications/{id}"), &refs(&fields))
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("role=\"alert\"") && a.body.contains("Klassningen är slutförd"));
    let n_items = a.body.matches("/items/").count();
    assert!(n_items > 0);

    // The action plan: met, then not applicable without a reason.
    let a = h
        .post(
            &format!("/classifications/{id}/items/K-1-01"),
            &[
                ("status", "met"),
                ("owner", "Bo Berg"),
                ("due", "2026-06-30"),
                ("comment", "Behörighetsmatris godkänd"),
            ],
        )
        .await;
    assert_eq!(
        a.location,
        Some(format!("/classifications/{id}?done=item-saved"))
    );
    let a = h.get(&format!("/classifications/{id}")).await;
    assert!(
        a.body
            .contains("<option value=\"met\" selected>Uppfyllt</option>")
    );
    assert!(a.body.contains("value=\"2026-06-30\"") && a.body.contains("Bo Berg"));
    let a = h
        .post(
            &format!("/classifications/{id}/items/K-1-01"),
            &[
                ("status", "not_applicable"),
                ("owner", "Bo Berg"),
                ("comment", " "),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_accessible(&a.body);
    assert!(
        a.body
            .contains("id=\"item-error\" class=\"alert error\" role=\"alert\"")
    );
    assert!(
        a.body
            .contains("Motivera varför kravet inte är tillämpligt.")
    );
    assert!(
        a.body
            .contains("aria-invalid=\"true\" aria-describedby=\"item-error\"")
    );
    assert!(
        a.body
            .contains("<option value=\"not_applicable\" selected>Ej tillämpligt</option>"),
        "what was chosen stays"
    );
    let a = h
        .post(
            &format!("/classifications/{id}/items/NO-SUCH"),
            &[("status", "met")],
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);

    // The asset and the inventory show the levels, as numbers with their names.
    let a = h.get(&format!("/assets/{asset}")).await;
    assert_accessible(&a.body);
    assert!(a.body.contains(&format!("href=\"/classifications/{id}\"")));
    assert!(a.body.contains("2028-03-02"));
    let a = h.get("/assets").await;
    assert!(a.body.contains(&format!(
        "<span title=\"{}\">{k_level}</span>",
        m.levels[usize::from(proposed("K") + 1)].name.sv
    )));
    assert!(a.body.contains("<abbr title=\"Konfidentialitet\">K</abbr>"));
    // Due for review before a later day (the marker itself follows today).
    let a = h.get("/assets?overdue_on=2028-03-03").await;
    assert!(a.body.contains("Antal tillgångar: 1"));
    let a = h.get("/assets?overdue_on=2028-03-02").await;
    assert!(a.body.contains("Antal tillgångar: 0"));

    // The same pages in English.
    let a = h
        .post("/lang", &[("lang", "en"), ("next", "/assets")])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let a = h.get(&format!("/classifications/{id}")).await;
    assert_accessible(&a.body);
    for text in [
        "<h1>Classification of Procapita</h1>",
        "Action plan",
        "State (ÄR)",
        "Not applicable",
        "Review due",
        m.requirements[0].text.en.as_str(),
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }
    let a = h.get(&format!("/assets/{asset}")).await;
    assert!(a.body.contains("Information classification") && a.body.contains("Current"));
    let a = h.get("/assets").await;
    assert!(a.body.contains("<h1>Inventory</h1>") && a.body.contains("Number of assets: 1"));
    assert!(a.body.contains("<abbr title=\"Confidentiality\">K</abbr>"));
}

#[tokio::test]
async fn the_highest_level_asks_for_a_separate_analysis() {
    let (h, root) = signed_in().await;
    let m = model();
    let asset = add(
        &h,
        &root,
        "information_set",
        "Skyddade personuppgifter",
        &[],
    )
    .await;
    let id = start(&h, &asset).await;
    // K1's most serious answer proposes the highest level.
    let mut fields = lowest_answers(&m);
    let k1 = &m.questions.iter().find(|q| q.aspect == "K").unwrap();
    let top = k1
        .answers
        .iter()
        .enumerate()
        .max_by_key(|(_, a)| a.level)
        .unwrap();
    fields.retain(|(k, _)| k != &format!("answer-{}", k1.id));
    fields.push((format!("answer-{}", k1.id), top.0.to_string()));
    let answers = fields
        .iter()
        .map(|(k, v)| (k["answer-".len()..].to_owned(), v.parse().unwrap()))
        .collect();
    for (code, p) in propose(&m, &answers) {
        fields.push((format!("level-{code}"), p.level.unwrap().to_string()));
    }
    fields.push(("participants".into(), "Anna".into()));
    fields.push(("performed_on".into(), "2026-01-15".into()));
    let a = h
        .post(&format!("/classifications/{id}/complete"), &refs(&fields))
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let a = h.get(&format!("/classifications/{id}")).await;
    assert_accessible(&a.body);
    assert!(a.body.contains("Egen analys krävs"));
    assert!(a.body.contains("Ingen automatisk handlingsplan"));
    assert!(!a.body.contains("/items/"));
    assert!(a.body.contains("Krav som följer av nivåerna"));
}

#[tokio::test]
async fn coverage_counts_per_unit_and_drills_down() {
    let (h, root) = signed_in().await;
    let m = model();
    let a = h
        .post(
            "/units",
            &[
                ("name", "Kulturnämnden"),
                ("kind", "committee"),
                ("parent_id", &root),
            ],
        )
        .await;
    let kultur = between(&a.location.unwrap(), "/units/", "?")
        .unwrap()
        .to_owned();
    let bibliotek = add(&h, &kultur, "system", "Bibliotekssystem", &[]).await;
    add(&h, &kultur, "service", "Låna e-böcker", &[]).await;
    add(&h, &root, "system", "Diariet", &[]).await;
    add(
        &h,
        &root,
        "system",
        "Gamla lönesystemet",
        &[("lifecycle", "retired")],
    )
    .await;

    let id = start(&h, &bibliotek).await;
    let mut fields = lowest_answers(&m);
    let answers = fields
        .iter()
        .map(|(k, v)| (k["answer-".len()..].to_owned(), v.parse().unwrap()))
        .collect();
    for (code, p) in propose(&m, &answers) {
        // One level up everywhere, so the plan has items.
        fields.push((format!("level-{code}"), (p.level.unwrap() + 1).to_string()));
        fields.push((
            format!("justification-{code}"),
            "Känsligt i sammanställning".into(),
        ));
    }
    fields.push(("participants".into(), "Anna".into()));
    fields.push(("performed_on".into(), "2020-01-15".into()));
    let a = h
        .post(&format!("/classifications/{id}/complete"), &refs(&fields))
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let items = h
        .get(&format!("/classifications/{id}"))
        .await
        .body
        .matches("/items/")
        .count();
    assert!(items > 0);

    let a = h.get("/coverage").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_accessible(&a.body);
    assert!(
        a.body
            .contains("<a href=\"/coverage\" aria-current=\"page\">Klassningsläge</a>")
    );
    assert!(a.body.contains("<tfoot>") && a.body.contains("Totalt"));
    // Kulturnämnden: 2 assets, 1 classified (50 %), 1 overdue (done in 2020), open items.
    let row = between(&a.body, ">Kulturnämnden</a>", "</tr>").unwrap();
    let cells: Vec<&str> = row
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| c.split("</td>").next().unwrap())
        .collect();
    assert_eq!(
        cells[0],
        format!("<a href=\"/assets?unit_id={kultur}\">2</a>")
    );
    assert_eq!(
        cells[1],
        format!("<a href=\"/assets?unit_id={kultur}&#38;classified=true\">1</a>")
    );
    assert_eq!(cells[2], "50 %");
    assert_eq!(
        cells[3],
        format!("<a href=\"/assets?unit_id={kultur}&#38;by_priority=true\">1</a>")
    );
    assert!(cells[4].contains("overdue_on=") && cells[4].ends_with(">1</a>"));
    assert!(cells[5].ends_with(&format!(">{items}</a>")));
    // The organisation counts its subtree; the retired system is left out.
    let total = between(&a.body, "<tfoot>", "</tfoot>").unwrap();
    assert!(total.contains("<a href=\"/assets\">3</a>"), "{total}");
    assert!(total.contains("33 %"));

    // Drill-down: the link lists what the number counts.
    let a = h
        .get(&format!("/assets?unit_id={kultur}&classified=true"))
        .await;
    assert!(a.body.contains("Antal tillgångar: 1") && a.body.contains(">Bibliotekssystem</a>"));
    let overdue_href = between(cells[4], "href=\"", "\"")
        .unwrap()
        .replace("&#38;", "&");
    let a = h.get(&overdue_href).await;
    assert!(a.body.contains("Antal tillgångar: 1") && a.body.contains("Försenad"));

    let a = h
        .post("/lang", &[("lang", "en"), ("next", "/coverage")])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let a = h.get("/coverage").await;
    assert_accessible(&a.body);
    for text in [
        "Classification coverage",
        "Share classified",
        "50%",
        "Total",
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }
}
