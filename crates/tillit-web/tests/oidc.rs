//! Sign-in with an organisation account against a real OpenID Connect provider: panva's
//! `oidc-provider` (the certified Node.js implementation) on a loopback port, started from
//! `e2e/oidc-provider/provider.mjs`. The flow is driven like a browser would: Tillit → the
//! provider's login and consent pages → back to Tillit's callback → a session.
//!
//! Needs Node.js ≥ 20 and `npm ci` in e2e/oidc-provider (scripts/test does it; the tests do it
//! themselves when node_modules is missing). Without Node.js the tests fail, saying so.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::{Client, Method, Response};
use serde_json::{Value, json};
use tillit_app::AppConfig;
use tillit_app::oidc::{OidcSettings, parse_role_map};
use tillit_domain::audit::AuditFilter;
use tillit_domain::{Role, Scope};
use url::Url;

const CLIENT_ID: &str = "tillit-test";
const CLIENT_SECRET: &str = "a-client-secret-for-tests-only";
const ROLE_MAP: &str = "Tillit.Admin=root:admin,Tillit.Reader=root:reader";

// ---- the provider ----------------------------------------------------------------------------

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../e2e/oidc-provider")
}

/// Node.js is there and the provider's packages are installed (`npm ci` once if not).
fn ensure_node_project() {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let version = Command::new("node").arg("--version").output().unwrap_or_else(|e| {
        panic!("the OIDC tests need Node.js >= 20 on PATH to run the test provider, but `node` could not be started: {e}")
    });
    let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    assert!(
        major >= 20,
        "the OIDC tests need Node.js >= 20, found {version:?}"
    );
    let dir = provider_dir();
    if dir.join("node_modules/oidc-provider/package.json").exists() {
        return;
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("the OIDC tests need npm to install {}: {e}", dir.display()));
    assert!(
        out.status.success(),
        "`npm ci` in {} failed (run scripts/test, or npm ci there by hand):\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The running provider; stopped when dropped (and it exits by itself when its stdin closes,
/// should the test process die).
struct Provider {
    issuer: String,
    child: Child,
    http: Client,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Provider {
    async fn start(redirect_uri: &str) -> Provider {
        let redirect_uri = redirect_uri.to_owned();
        let (child, issuer) = tokio::task::spawn_blocking(move || {
            ensure_node_project();
            let mut child = Command::new("node")
                .arg("provider.mjs")
                .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
                .args(["--redirect-uri", &redirect_uri])
                .current_dir(provider_dir())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("starting node provider.mjs");
            let stdout = child.stdout.take().unwrap();
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(issuer) = line.strip_prefix("ISSUER ") {
                        let _ = tx.send(issuer.to_owned());
                    }
                }
            });
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok(issuer) => (child, issuer),
                Err(_) => {
                    let _ = child.kill();
                    panic!("the OIDC test provider (node provider.mjs) did not start within 30 s");
                }
            }
        })
        .await
        .unwrap();
        let p = Provider {
            issuer,
            child,
            http: Client::new(),
        };
        let discovery = format!("{}/.well-known/openid-configuration", p.issuer);
        for _ in 0..100 {
            if let Ok(r) = p.http.get(&discovery).send().await
                && r.status() == 200
            {
                return p;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the OIDC test provider serves no discovery document at {discovery}");
    }

    /// The claims the provider gives `login` from now on (besides `sub`, which is the login).
    async fn set_claims(&self, login: &str, claims: Value) {
        let r = self
            .http
            .put(format!("{}/test/accounts/{login}", self.issuer))
            .json(&claims)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "setting claims at the provider");
    }
}

// ---- Tillit with OIDC, and a browser ---------------------------------------------------------

struct Ctx {
    t: common::TestApp,
    provider: Provider,
}

async fn setup(db: common::Db) -> Option<Ctx> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect = format!(
        "http://{}/auth/oidc/callback",
        listener.local_addr().unwrap()
    );
    let provider = Provider::start(&redirect).await;
    let mut settings = OidcSettings::new(&provider.issuer, CLIENT_ID, CLIENT_SECRET, &redirect);
    settings.role_map = parse_role_map(ROLE_MAP).unwrap();
    settings.validate().unwrap();
    let config = AppConfig {
        oidc: Some(settings),
        ..AppConfig::default()
    };
    let t = common::spawn_with_config(db, listener, config).await?;
    Some(Ctx { t, provider })
}

macro_rules! oidc_test {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let cx = setup(common::Db::Sqlite).await.expect("sqlite app");
                ($body)(cx).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if std::env::var("TILLIT_TEST_PG_URL").is_err() {
                    eprintln!("skipped: TILLIT_TEST_PG_URL is not set");
                    return;
                }
                let cx = setup(common::Db::Postgres).await.expect("postgres app");
                ($body)(cx).await;
            }
        }
    };
}

/// A fresh browser: its own cookies, redirects followed by hand.
fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn attr(html: &str, after: &str) -> Option<String> {
    let start = html.find(after)? + after.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].replace("&amp;", "&"))
}

/// One character of the `state` parameter changed.
fn tamper_state(url: &str) -> String {
    let mut u = Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                let mut s: Vec<char> = v.chars().collect();
                s[0] = if s[0] == 'A' { 'B' } else { 'A' };
                s.into_iter().collect()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

/// Signs in as `login` at the provider, starting at Tillit's button, and returns Tillit's
/// answer at the callback.
async fn sign_in(cx: &Ctx, browser: &Client, login: &str, tamper: bool) -> Response {
    let callback = format!("{}/auth/oidc/callback", cx.t.base);
    let mut next = (
        Method::GET,
        format!("{}/auth/oidc/login", cx.t.base),
        None::<Vec<(&str, String)>>,
    );
    for _ in 0..20 {
        let (method, url, form) = next;
        if url.starts_with(&callback) {
            let url = if tamper { tamper_state(&url) } else { url };
            return browser.get(url).send().await.unwrap();
        }
        let mut req = browser.request(method, &url);
        if let Some(f) = &form {
            req = req.form(f);
        }
        let res = req.send().await.unwrap();
        if res.status().is_redirection() {
            let loc = res.headers()[LOCATION].to_str().unwrap();
            next = (
                Method::GET,
                Url::parse(&url).unwrap().join(loc).unwrap().to_string(),
                None,
            );
            continue;
        }
        let status = res.status();
        let html = res.text().await.unwrap();
        assert_eq!(status, 200, "GET {url}: {html}");
        let action = attr(&html, "action=\"").unwrap_or_else(|| panic!("no form at {url}: {html}"));
        let action = Url::parse(&url).unwrap().join(&action).unwrap().to_string();
        let form = if html.contains(r#"name="prompt" value="login""#) {
            vec![
                ("prompt", "login".to_owned()),
                ("login", login.to_owned()),
                ("password", "any password".to_owned()),
            ]
        } else if html.contains(r#"name="prompt" value="consent""#) {
            vec![("prompt", "consent".to_owned())]
        } else {
            panic!("an unexpected page at {url}: {html}");
        };
        next = (Method::POST, action, Some(form));
    }
    panic!("the sign-in never came back to Tillit");
}

async fn me(cx: &Ctx, browser: &Client) -> Response {
    browser
        .get(format!("{}/api/v1/me", cx.t.base))
        .send()
        .await
        .unwrap()
}

fn roles_of(me: &Value) -> Vec<(String, String)> {
    let mut r: Vec<_> = me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unit_id"].as_str().unwrap().to_owned(),
                r["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    r.sort();
    r
}

fn set_cookies(res: &Response) -> Vec<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

async fn problem_code(res: Response) -> String {
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(ct, "application/problem+json");
    let v: Value = res.json().await.unwrap();
    v["code"].as_str().unwrap_or_default().to_owned()
}

// ---- the tests -------------------------------------------------------------------------------

oidc_test!(
    signs_in_and_keeps_mapped_roles_in_step_with_the_claims,
    |cx: Ctx| async move {
        let org = cx.t.organisation.to_string();
        cx.provider
            .set_claims(
                "anna",
                json!({
                    "preferred_username": "Anna.Svensson@Teststaden.se",
                    "name": "Anna Svensson",
                    "email": "anna.svensson@teststaden.se",
                    "roles": ["Tillit.Admin", "Something.Unmapped"],
                }),
            )
            .await;

        // The button starts the flow: to the provider, with PKCE, state and nonce; the one-time
        // values are kept in an HttpOnly cookie for /auth/oidc only.
        let b = browser();
        let start = b
            .get(format!("{}/auth/oidc/login", cx.t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(start.status(), 303);
        let to = Url::parse(start.headers()[LOCATION].to_str().unwrap()).unwrap();
        assert!(
            to.as_str()
                .starts_with(&format!("{}/auth", cx.provider.issuer)),
            "{to}"
        );
        let q: std::collections::HashMap<_, _> = to.query_pairs().into_owned().collect();
        assert_eq!(q["client_id"], CLIENT_ID);
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["code_challenge_method"], "S256");
        assert!(q["scope"].split(' ').any(|s| s == "openid"));
        assert!(q.contains_key("state") && q.contains_key("nonce"));
        let cookie = set_cookies(&start).join("\n");
        assert!(
            cookie.contains("tillit_oidc=")
                && cookie.contains("HttpOnly")
                && cookie.contains("Path=/auth/oidc")
        );
        assert!(!cookie.contains(CLIENT_SECRET));

        // The whole flow: login and consent at the provider, back to Tillit, signed in.
        let b = browser();
        let res = sign_in(&cx, &b, "anna", false).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        assert_eq!(res.headers()[LOCATION], "/");
        let cookies = set_cookies(&res);
        assert!(
            cookies
                .iter()
                .any(|c| c.starts_with("tillit_session=") && c.contains("HttpOnly")),
            "{cookies:?}"
        );
        assert!(
            cookies
                .iter()
                .any(|c| c.starts_with("tillit_oidc=;") && c.contains("Max-Age=0")),
            "{cookies:?}"
        );
        let r = me(&cx, &b).await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["user"]["username"], "anna.svensson@teststaden.se");
        assert_eq!(v["user"]["display_name"], "Anna Svensson");
        assert_eq!(v["user"]["email"], "anna.svensson@teststaden.se");
        assert_eq!(v["user"]["oidc_subject"], "anna");
        assert_eq!(roles_of(&v), vec![(org.clone(), "admin".to_owned())]);
        let anna =
            cx.t.app
                .store()
                .auth_find_by_oidc(&cx.provider.issuer, "anna")
                .await
                .unwrap()
                .expect("the account is linked to the issuer and subject");
        assert!(
            cx.t.app
                .store()
                .auth_find_by_username(&anna.username)
                .await
                .unwrap()
                .unwrap()
                .password_hash
                .is_none(),
            "an OIDC account has no password"
        );

        // A role given by hand on a unit outside the role map's targets stays whatever the claims say.
        let admin = cx.t.admin().await;
        let unit =
            cx.t.unit(&admin, "Socialförvaltningen", cx.t.organisation)
                .await;
        cx.t.grant(&admin, anna.id, unit, Role::Editor).await;

        // Second sign-in: the provider now gives Reader instead of Admin.
        cx.provider
        .set_claims("anna", json!({"preferred_username": "Anna.Svensson@Teststaden.se", "roles": ["Tillit.Reader"]}))
        .await;
        let b = browser();
        let res = sign_in(&cx, &b, "anna", false).await;
        assert_eq!(res.status(), 303);
        let v: Value = me(&cx, &b).await.json().await.unwrap();
        assert_eq!(v["user"]["id"], anna.id.to_string(), "the same account");
        let mut want = vec![
            (org.clone(), "reader".to_owned()),
            (unit.to_string(), "editor".to_owned()),
        ];
        want.sort();
        assert_eq!(roles_of(&v), want);

        // Third: the roles claim is gone altogether; the mapped role goes, the hand-given one stays
        // (so the account still has a role and may sign in).
        cx.provider
            .set_claims(
                "anna",
                json!({"preferred_username": "Anna.Svensson@Teststaden.se"}),
            )
            .await;
        let b = browser();
        let res = sign_in(&cx, &b, "anna", false).await;
        assert_eq!(res.status(), 303);
        let v: Value = me(&cx, &b).await.json().await.unwrap();
        assert_eq!(roles_of(&v), vec![(unit.to_string(), "editor".to_owned())]);

        // Every change is in the audit log, by the system, with the reason.
        let log =
            cx.t.app
                .store()
                .list_audit(
                    &Scope::system(),
                    &AuditFilter {
                        limit: 500,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
        let count = |action: &str| {
            log.iter()
                .filter(|r| r.action == action && r.entity_id == anna.id.to_string())
                .count()
        };
        assert_eq!(count("auth.login_oidc"), 3);
        let by_claim = |action: &str| {
            log.iter()
                .filter(|r| {
                    r.action == action
                        && r.actor_label == "system"
                        && r.entity_id == anna.id.to_string()
                        && format!("{:?}{:?}", r.before, r.after).contains("oidc claim")
                })
                .count()
        };
        assert_eq!(by_claim("role.assign"), 2, "admin, then reader");
        assert_eq!(by_claim("role.revoke"), 2, "admin, then reader");
        assert!(
            log.iter()
                .all(|r| !format!("{:?}{:?}", r.before, r.after).contains(CLIENT_SECRET))
        );
    }
);

oidc_test!(
    a_tampered_or_missing_state_is_refused,
    |cx: Ctx| async move {
        cx.provider
            .set_claims("anna", json!({"roles": ["Tillit.Admin"]}))
            .await;
        let b = browser();
        let res = sign_in(&cx, &b, "anna", true).await;
        assert_eq!(res.status(), 400);
        assert!(
            !set_cookies(&res)
                .iter()
                .any(|c| c.starts_with("tillit_session="))
        );
        assert_eq!(problem_code(res).await, "error-oidc-state");
        assert_eq!(me(&cx, &b).await.status(), 401);

        // The callback without the cookie of a sign-in in progress (another browser).
        let res = browser()
            .get(format!(
                "{}/auth/oidc/callback?code=abc&state=def",
                cx.t.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);

        // The provider says no.
        let res = browser()
            .get(format!(
                "{}/auth/oidc/callback?error=access_denied&state=def",
                cx.t.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        assert_eq!(problem_code(res).await, "error-oidc-denied");
        assert!(
            cx.t.app
                .store()
                .auth_find_by_oidc(&cx.provider.issuer, "anna")
                .await
                .unwrap()
                .is_none()
        );
    }
);

oidc_test!(
    claims_that_map_to_no_role_are_refused,
    |cx: Ctx| async move {
        cx.provider
            .set_claims(
                "outsider",
                json!({"preferred_username": "outsider", "roles": ["Another.App.Role"]}),
            )
            .await;
        let b = browser();
        let res = sign_in(&cx, &b, "outsider", false).await;
        assert_eq!(res.status(), 403);
        assert!(
            !set_cookies(&res)
                .iter()
                .any(|c| c.starts_with("tillit_session="))
        );
        assert_eq!(problem_code(res).await, "error-oidc-no-role");
        assert_eq!(me(&cx, &b).await.status(), 401);
        assert!(
            cx.t.app
                .store()
                .auth_find_by_oidc(&cx.provider.issuer, "outsider")
                .await
                .unwrap()
                .is_none(),
            "no account is created without a role"
        );

        // An account whose mapped roles were all taken away is refused too, and a deactivated one.
        cx.provider
            .set_claims(
                "bo",
                json!({"preferred_username": "bo", "roles": ["Tillit.Reader"]}),
            )
            .await;
        assert_eq!(sign_in(&cx, &browser(), "bo", false).await.status(), 303);
        cx.provider
            .set_claims("bo", json!({"preferred_username": "bo", "roles": []}))
            .await;
        let res = sign_in(&cx, &browser(), "bo", false).await;
        assert_eq!(res.status(), 403);
        assert_eq!(problem_code(res).await, "error-oidc-no-role");
        let bo =
            cx.t.app
                .store()
                .auth_find_by_oidc(&cx.provider.issuer, "bo")
                .await
                .unwrap()
                .unwrap();
        assert!(cx.t.app.store().roles_of(bo.id).await.unwrap().is_empty());

        cx.provider
            .set_claims(
                "bo",
                json!({"preferred_username": "bo", "roles": ["Tillit.Reader"]}),
            )
            .await;
        let admin = cx.t.admin().await;
        cx.t.app
            .update_user(
                &admin,
                bo.id,
                tillit_app::users::UserUpdate {
                    is_active: Some(false),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let res = sign_in(&cx, &browser(), "bo", false).await;
        assert_eq!(res.status(), 403);
        assert_eq!(problem_code(res).await, "error-oidc-inactive");
    }
);

oidc_test!(a_local_username_is_never_taken_over, |cx: Ctx| async move {
    // A local account named like the organisation account: the OIDC account gets its own name.
    let admin = cx.t.admin().await;
    let local =
        cx.t.user(&admin, "bertil", cx.t.organisation, Role::Reader)
            .await;
    cx.provider
        .set_claims(
            "sub-bertil",
            json!({"preferred_username": "Bertil", "roles": ["Tillit.Admin"]}),
        )
        .await;
    let b = browser();
    assert_eq!(sign_in(&cx, &b, "sub-bertil", false).await.status(), 303);
    let v: Value = me(&cx, &b).await.json().await.unwrap();
    assert_eq!(v["user"]["username"], "bertil-oidc");
    assert_ne!(v["user"]["id"], local.to_string());
    let local_roles = cx.t.app.store().roles_of(local).await.unwrap();
    assert_eq!(local_roles.len(), 1);
    assert_eq!(local_roles[0].role, Role::Reader);
});

/// Without OIDC settings the routes answer 404 and the server needs no provider.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_settings_there_is_no_oidc() {
    let t = common::spawn_app(common::Db::Sqlite).await.unwrap();
    let r = t
        .client
        .get(format!("{}/auth/oidc/login", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let state = tillit_web::AppState {
        app: t.app.clone(),
        secure_cookies: false,
    };
    assert_eq!(tillit_web::oidc::oidc_enabled(&state), None);
}

/// An unreachable provider is a 502 at the button, not a crash, and nothing at start-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_provider_is_a_bad_gateway() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect = format!(
        "http://{}/auth/oidc/callback",
        listener.local_addr().unwrap()
    );
    // A port nobody listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let mut settings = OidcSettings::new(&issuer, CLIENT_ID, CLIENT_SECRET, &redirect);
    settings.label = "Logga in med Teststadens konto".into();
    let config = AppConfig {
        oidc: Some(settings),
        ..AppConfig::default()
    };
    let t = common::spawn_with_config(common::Db::Sqlite, listener, config)
        .await
        .unwrap();
    let r = t
        .client
        .get(format!("{}/auth/oidc/login", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    let state = tillit_web::AppState {
        app: t.app.clone(),
        secure_cookies: false,
    };
    assert_eq!(
        tillit_web::oidc::oidc_enabled(&state),
        Some("Logga in med Teststadens konto")
    );
}
