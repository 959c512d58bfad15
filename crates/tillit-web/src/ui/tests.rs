//! The pages end to end against a throw-away SQLite database: sign-in, the forms and their
//! redirects, errors, languages, and a few mechanical accessibility checks on every page.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tillit_app::{App, AppConfig};
use tower::ServiceExt;

use crate::AppState;

#[path = "tests_inventory.rs"]
mod inventory;

const ADMIN_PASSWORD: &str = "ett långt lösenord";

struct Harness {
    router: Router,
    cookie: Option<String>,
    lang_cookie: Option<String>,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    set_cookie: Vec<String>,
    body: String,
}

impl Harness {
    async fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("tillit-ui-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = tillit_app::store::Store::open_data_dir(&dir).await.unwrap();
        store.migrate().await.unwrap();
        tillit_app::bootstrap::bootstrap(&store, "Staden", Some(ADMIN_PASSWORD.to_owned()))
            .await
            .unwrap();
        tillit_app::classification::ensure_shipped_models(&store)
            .await
            .unwrap();
        let state = AppState {
            app: App::new(store, AppConfig::default()),
            secure_cookies: false,
        };
        Harness {
            router: crate::router(state),
            cookie: None,
            lang_cookie: None,
            _dir: TempDir(dir),
        }
    }

    async fn send(&self, req: Request<Body>) -> Answer {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let set_cookie = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        Answer {
            status,
            location,
            set_cookie,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    fn request(&self, method: &str, uri: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "tillit.test");
        let cookies: Vec<String> = self
            .cookie
            .iter()
            .chain(self.lang_cookie.iter())
            .cloned()
            .collect();
        if !cookies.is_empty() {
            b = b.header(header::COOKIE, cookies.join("; "));
        }
        b
    }

    async fn get(&self, uri: &str) -> Answer {
        self.send(self.request("GET", uri).body(Body::empty()).unwrap())
            .await
    }

    async fn post(&self, uri: &str, fields: &[(&str, &str)]) -> Answer {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let req = self
            .request("POST", uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    async fn sign_in(&mut self, username: &str, password: &str) {
        let a = self
            .post("/login", &[("username", username), ("password", password)])
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        assert_eq!(a.location.as_deref(), Some("/"));
        let c = a
            .set_cookie
            .iter()
            .find(|c| c.starts_with("tillit_session="))
            .expect("a session cookie");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax"));
        self.cookie = Some(c.split(';').next().unwrap().to_owned());
    }

    /// The organisation's id, from the overview's role table.
    async fn root_unit(&self) -> String {
        let body = self.get("/").await.body;
        between(&body, "href=\"/units/", "\"")
            .expect("a unit link")
            .to_owned()
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

/// Mechanical checks every page must pass: one h1, a lang, the skip link, every visible
/// input labelled, every table captioned.
fn assert_accessible(html: &str) {
    assert!(html.starts_with("<!doctype html>"), "a whole page");
    assert_eq!(html.matches("<h1").count(), 1, "exactly one h1 in {html}");
    assert!(html.contains("<html lang=\"sv\">") || html.contains("<html lang=\"en\">"));
    assert!(html.contains("href=\"#main\"") && html.contains("<main id=\"main\""));
    for tag in html
        .split('<')
        .filter(|t| t.starts_with("input ") || t.starts_with("select "))
    {
        if tag.contains("type=\"hidden\"") || tag.contains(" hidden>") {
            continue;
        }
        let id =
            between(tag, "id=\"", "\"").unwrap_or_else(|| panic!("an input without id: {tag}"));
        assert!(
            html.contains(&format!("<label for=\"{id}\"")),
            "no label for #{id}"
        );
    }
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<caption>").count(),
        "tables have captions"
    );
    for piece in html.split("aria-describedby=\"").skip(1) {
        for id in piece[..piece.find('"').unwrap()].split_whitespace() {
            assert!(
                html.contains(&format!("id=\"{id}\"")),
                "aria-describedby points at a missing #{id}"
            );
        }
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing external"
    );
}

#[tokio::test]
async fn the_sign_in_page_speaks_swedish_by_default_and_english_on_request() {
    let h = Harness::new().await;
    let a = h.get("/login").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_accessible(&a.body);
    for text in [
        "Användarnamn",
        "Lösenord",
        "Logga in",
        "Hoppa till innehåll",
        ">English<",
        "lang=\"sv\"",
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }
    assert!(!a.body.contains("Huvudmeny"), "no menu before signing in");

    let req = h
        .request("GET", "/login")
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.8")
        .body(Body::empty())
        .unwrap();
    let a = h.send(req).await;
    for text in [
        "Username",
        "Password",
        "Sign in",
        "Skip to content",
        ">Svenska<",
        "lang=\"en\"",
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }
}

#[tokio::test]
async fn pages_send_strangers_to_the_sign_in_page() {
    let h = Harness::new().await;
    for path in [
        "/",
        "/units",
        "/users",
        "/audit",
        "/account",
        "/units/nonsense",
    ] {
        let a = h.get(path).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(a.location.as_deref(), Some("/login"), "{path}");
    }
    let a = h.post("/units", &[("name", "x")]).await;
    assert_eq!(a.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn wrong_credentials_are_told_in_an_alert() {
    let h = Harness::new().await;
    let a = h
        .post(
            "/login",
            &[("username", "admin"), ("password", "fel lösenord här")],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_accessible(&a.body);
    assert!(a.body.contains("role=\"alert\""));
    assert!(a.body.contains("Fel användarnamn eller lösenord."));
    assert!(a.body.contains("aria-describedby=\"login-error\""));
    assert!(a.body.contains("value=\"admin\""), "the username stays");
    assert!(a.set_cookie.is_empty());
}

#[tokio::test]
async fn signing_in_shows_the_overview_with_the_menu() {
    let mut h = Harness::new().await;
    h.sign_in("admin", ADMIN_PASSWORD).await;
    let a = h.get("/").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_accessible(&a.body);
    for text in [
        "aria-label=\"Huvudmeny\"",
        "<a href=\"/\" aria-current=\"page\">Översikt</a>",
        ">Organisation</a>",
        ">Användare</a>",
        ">Granskningslogg</a>",
        ">Mitt konto</a>",
        "Administratör",
        "Staden",
        "Logga ut",
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }
    assert_eq!(h.get("/login").await.location.as_deref(), Some("/"));

    let a = h.post("/logout", &[]).await;
    assert_eq!(a.location.as_deref(), Some("/login"));
    assert!(
        a.set_cookie
            .iter()
            .any(|c| c.starts_with("tillit_session=;") && c.contains("Max-Age=0"))
    );
    assert_eq!(
        h.get("/").await.location.as_deref(),
        Some("/login"),
        "the session ended"
    );
}

#[tokio::test]
async fn units_are_created_renamed_moved_and_merged() {
    let mut h = Harness::new().await;
    h.sign_in("admin", ADMIN_PASSWORD).await;
    let root = h.root_unit().await;

    let a = h.get("/units").await;
    assert_accessible(&a.body);
    for text in [
        "Namn",
        "Typ",
        "Överordnad enhet",
        "Skapa enhet",
        "Nämnd",
        "Förvaltning",
        "Bolag",
        "Enhet",
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }

    // A mistake comes back as the form with the error linked to the field.
    let a = h
        .post(
            "/units",
            &[("name", "  "), ("kind", "committee"), ("parent_id", &root)],
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

    let mut ids = Vec::new();
    for name in [
        "Kulturnämnden",
        "Östra förvaltningen",
        "Västra förvaltningen",
    ] {
        let a = h
            .post(
                "/units",
                &[("name", name), ("kind", "committee"), ("parent_id", &root)],
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        let loc = a.location.unwrap();
        assert!(loc.ends_with("?done=created"), "{loc}");
        ids.push(between(&loc, "/units/", "?").unwrap().to_owned());
    }
    let (kultur, ostra, vastra) = (&ids[0], &ids[1], &ids[2]);

    let a = h.get(&format!("/units/{kultur}?done=created")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_accessible(&a.body);
    assert!(a.body.contains("role=\"status\">Har skapats.</p>"));
    assert!(a.body.contains("<h1>Kulturnämnden</h1>"));

    let a = h
        .post(
            &format!("/units/{kultur}/rename"),
            &[("name", "Kultur- och fritidsnämnden")],
        )
        .await;
    assert_eq!(a.location, Some(format!("/units/{kultur}?done=renamed")));
    let a = h
        .post(&format!("/units/{ostra}/move"), &[("parent_id", kultur)])
        .await;
    assert_eq!(a.location, Some(format!("/units/{ostra}?done=moved")));
    let a = h
        .post(&format!("/units/{kultur}/move"), &[("parent_id", ostra)])
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.body
            .contains("En enhet kan inte flyttas in under sig själv.")
    );

    // Merging wants the confirmation ticked.
    let a = h
        .post(&format!("/units/{kultur}/merge"), &[("sources", vastra)])
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.body
            .contains("Bekräfta att de valda enheterna ska stängas.")
    );
    let a = h
        .post(
            &format!("/units/{kultur}/merge"),
            &[("sources", vastra), ("confirm", "1")],
        )
        .await;
    assert_eq!(a.location, Some(format!("/units/{kultur}?done=merged")));

    let a = h.get(&format!("/units/{kultur}")).await;
    assert_accessible(&a.body);
    assert!(a.body.contains("Sammanslagna enheter") && a.body.contains("Västra förvaltningen"));
    assert!(a.body.contains("Historik") && a.body.contains("Enhet sammanslagen"));
    assert!(a.body.contains("Enhet omdöpt"));

    let open = h.get("/units").await.body;
    assert!(
        !open.contains("Västra förvaltningen"),
        "closed units hidden by default"
    );
    let all = h.get("/units?closed=1").await.body;
    assert!(all.contains("Sammanslagen med Kultur- och fritidsnämnden"));

    let a = h.get(&format!("/units/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_accessible(&a.body);
    assert!(a.body.contains("Det du söker finns inte"));
    assert_eq!(
        h.get("/units/inte-ett-id").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn accounts_get_a_one_time_password_shown_once() {
    let mut h = Harness::new().await;
    h.sign_in("admin", ADMIN_PASSWORD).await;
    let root = h.root_unit().await;
    let a = h.get("/users").await;
    assert_accessible(&a.body);
    for text in [
        "Informationssäkerhetssamordnare",
        "Dataskyddsombud",
        "Redaktör/ägare",
        "Läsare",
        "Granskare",
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }

    let a = h
        .post(
            "/users",
            &[
                ("username", "Anna.S"),
                ("display_name", "Anna Svensson"),
                ("email", "inte-en-adress"),
                ("locale", "sv"),
                ("unit_id", &root),
                ("role", "reader"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("Ange en giltig e-postadress."));
    assert!(
        a.body.contains("value=\"Anna Svensson\""),
        "what was typed stays"
    );

    let a = h
        .post(
            "/users",
            &[
                ("username", "Anna.S"),
                ("display_name", "Anna Svensson"),
                ("email", "anna@stad.se"),
                ("locale", "en"),
                ("unit_id", &root),
                ("role", "reader"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_accessible(&a.body);
    let password = between(&a.body, "<dd><code>", "</code>")
        .unwrap()
        .to_owned();
    assert!(password.len() >= 12);
    let user_href = between(&a.body, "<a href=\"/users/", "\"")
        .unwrap()
        .to_owned();

    let a = h.get(&format!("/users/{user_href}")).await;
    assert_accessible(&a.body);
    assert!(a.body.contains("Anna Svensson") && a.body.contains("Läsare"));
    assert!(!a.body.contains(&password), "shown only once");

    let a = h
        .post(
            &format!("/users/{user_href}/roles"),
            &[("unit_id", &root), ("role", "auditor")],
        )
        .await;
    assert_eq!(
        a.location,
        Some(format!("/users/{user_href}?done=role-added"))
    );
    let a = h
        .post(
            &format!("/users/{user_href}/roles/remove"),
            &[("unit_id", &root), ("role", "reader")],
        )
        .await;
    assert_eq!(
        a.location,
        Some(format!("/users/{user_href}?done=role-removed"))
    );

    // The new account signs in, in its own language, and sees no admin menu.
    let mut anna = Harness {
        router: h.router.clone(),
        cookie: None,
        lang_cookie: None,
        _dir: TempDir(std::path::PathBuf::new()),
    };
    anna.sign_in("anna.s", &password).await;
    let a = anna.get("/").await;
    assert!(a.body.contains("lang=\"en\"") && a.body.contains(">Audit log</a>"));
    assert!(!a.body.contains(">Users</a>"));
    assert_eq!(anna.get("/users").await.status, StatusCode::FORBIDDEN);
    let a = anna.get("/audit").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_accessible(&a.body);
    assert!(a.body.contains("Role assigned"));
}

#[tokio::test]
async fn the_language_switch_returns_to_the_page_and_remembers() {
    let mut h = Harness::new().await;
    let req = h
        .request("POST", "/lang")
        .header(header::REFERER, "http://tillit.test/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("lang=en&next=%2Fx"))
        .unwrap();
    let a = h.send(req).await;
    assert_eq!(a.location.as_deref(), Some("/login"));
    let c = a
        .set_cookie
        .iter()
        .find(|c| c.starts_with("tillit_lang=en"))
        .expect("the cookie");
    h.lang_cookie = Some(c.split(';').next().unwrap().to_owned());
    assert!(h.get("/login").await.body.contains("Sign in"));

    // Signed in, the account's own setting decides, and the switch changes it.
    h.sign_in("admin", ADMIN_PASSWORD).await;
    assert!(
        h.get("/").await.body.contains("Översikt"),
        "the account says sv"
    );
    let a = h.post("/lang", &[("lang", "en"), ("next", "/units")]).await;
    assert_eq!(a.location.as_deref(), Some("/units"));
    h.lang_cookie = None;
    let a = h.get("/units").await;
    for text in [
        "Overview",
        "Main menu",
        "Create unit",
        "Parent unit",
        "Kind",
        "Committee",
        "Section",
    ] {
        assert!(a.body.contains(text), "{text} missing");
    }
}

#[tokio::test]
async fn the_account_page_makes_and_revokes_tokens() {
    let mut h = Harness::new().await;
    h.sign_in("admin", ADMIN_PASSWORD).await;
    let a = h.get("/account").await;
    assert_accessible(&a.body);
    let a = h
        .post(
            "/account/tokens",
            &[("name", "Rapporter"), ("valid_days", "0")],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.body
            .contains("aria-invalid=\"true\" aria-describedby=\"token-error token-days-hint\"")
    );
    let a = h
        .post(
            "/account/tokens",
            &[("name", "Rapporter"), ("valid_days", "30")],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let secret = between(&a.body, "<dd><code>", "</code>").unwrap();
    assert!(secret.starts_with("tillit_"));
    let a = h.get("/account").await;
    assert!(a.body.contains("Rapporter") && !a.body.contains(secret));
    let id = between(&a.body, "action=\"/account/tokens/", "/revoke\"")
        .unwrap()
        .to_owned();
    let a = h.post(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(a.location.as_deref(), Some("/account?done=token-revoked"));
    assert!(h.get("/account").await.body.contains("Återkallad"));

    let a = h
        .post(
            "/account/password",
            &[
                ("current_password", ADMIN_PASSWORD),
                ("password", "ett nytt långt lösen"),
                ("password_confirm", "något annat"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("De två nya lösenorden är inte lika."));
}

#[tokio::test]
async fn the_audit_log_pages_backwards() {
    let mut h = Harness::new().await;
    h.sign_in("admin", ADMIN_PASSWORD).await;
    let root = h.root_unit().await;
    for n in 0..55 {
        let a = h
            .post(
                "/units",
                &[
                    ("name", &format!("Enhet {n}")),
                    ("kind", "section"),
                    ("parent_id", &root),
                ],
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER);
    }
    let a = h.get("/audit").await;
    assert_accessible(&a.body);
    assert_eq!(
        a.body.matches("<tr>").count(),
        51,
        "a header row and a page of 50"
    );
    let older = between(&a.body, "<a href=\"/audit?before=", "\"")
        .expect("an older link")
        .to_owned();
    let a = h.get(&format!("/audit?before={older}")).await;
    assert!(a.body.contains("Nyaste händelserna"));
    assert!(a.body.contains("Konto skapat") && a.body.contains("Inloggning"));
    let a = h.get("/audit?entity_type=user").await;
    assert!(a.body.contains("Konto skapat") && !a.body.contains("Enhet skapad"));
}

#[tokio::test]
async fn assets_are_served_from_the_binary() {
    let h = Harness::new().await;
    let a = h.get("/static/htmx.min.js").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("htmx"));
    assert_eq!(h.get("/static/nope.js").await.status, StatusCode::NOT_FOUND);
    let req = h
        .request("GET", "/static/tillit.css")
        .body(Body::empty())
        .unwrap();
    let res = h.router.clone().oneshot(req).await.unwrap();
    let etag = res.headers().get(header::ETAG).unwrap().clone();
    let req = h
        .request("GET", "/static/tillit.css")
        .header(header::IF_NONE_MATCH, etag)
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(req).await.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn htmx_requests_for_fragments_get_fragments() {
    let mut h = Harness::new().await;
    h.sign_in("admin", ADMIN_PASSWORD).await;
    let req = h
        .request("GET", &format!("/units/{}", uuid::Uuid::now_v7()))
        .header("hx-request", "true")
        .body(Body::empty())
        .unwrap();
    let a = h.send(req).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(
        a.body
            .trim_start()
            .starts_with("<p class=\"alert error\" role=\"alert\">")
    );
}
