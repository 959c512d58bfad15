//! The binary as an operator uses it: first start, backup while running, restore, audit
//! verification, and several `tillit serve` processes sharing one PostgreSQL database.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use tillit_store::Store;
use tillit_store::testing::{TempDir, fresh_postgres};

const BIN: &str = env!("CARGO_BIN_EXE_tillit");
const PASSWORD: &str = "cli-admin-password-123";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `tillit serve`, killed on drop.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tillit(data: &Path, db_url: Option<&str>) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--data")
        .arg(data)
        .env_remove("TILLIT_DATABASE_URL")
        .env("RUST_LOG", "warn");
    if let Some(url) = db_url {
        c.env("TILLIT_DATABASE_URL", url);
    }
    c
}

async fn serve(data: &Path, db_url: Option<&str>, admin_password: Option<&str>) -> Server {
    let port = free_port();
    let mut cmd = tillit(data, db_url);
    cmd.args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .env_remove("TILLIT_ADMIN_PASSWORD");
    if let Some(p) = admin_password {
        cmd.env("TILLIT_ADMIN_PASSWORD", p);
    }
    let server = Server {
        child: cmd.spawn().expect("start tillit serve"),
        base: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    loop {
        if let Ok(r) = reqwest::get(format!("{}/healthz", server.base)).await
            && r.status() == 200
        {
            return server;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "tillit serve did not come up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run tillit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Signs in through the sign-in form and returns the session cookie.
async fn sign_in(base: &str, username: &str, password: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(format!("{base}/login"))
        .header("origin", base)
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign-in should redirect");
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tillit_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

async fn me(base: &str, cookie: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{base}/api/v1/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn first_start_prints_a_one_time_password_that_signs_in() {
    let dir = TempDir::new();
    let mut server = serve(dir.path(), None, None).await;
    // The banner is printed before the server listens, so it is in the pipe by now.
    let _ = server.child.kill();
    let out = server.child.wait_with_output_or_empty();
    let password = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: ").map(str::to_owned))
        .unwrap_or_else(|| panic!("no password in the banner:\n{out}"));
    assert!(password.len() >= 20);
    drop(server);

    // The account exists with that password, and a second start creates nothing new.
    let server = serve(dir.path(), None, None).await;
    let cookie = sign_in(&server.base, "admin", &password).await;
    assert_eq!(me(&server.base, &cookie).await.status(), 200);
    let users = stdout(&run(tillit(dir.path(), None).args(["user", "list"])));
    assert_eq!(users.lines().count(), 1, "{users}");
}

trait WaitOutput {
    fn wait_with_output_or_empty(&mut self) -> String;
}

impl WaitOutput for Child {
    fn wait_with_output_or_empty(&mut self) -> String {
        use std::io::Read;
        let _ = self.wait();
        let mut s = String::new();
        if let Some(mut out) = self.stdout.take() {
            let _ = out.read_to_string(&mut s);
        }
        s
    }
}

#[tokio::test]
async fn backup_while_running_restores_into_a_new_folder() {
    let dir = TempDir::new();
    let server = serve(dir.path(), None, Some(PASSWORD)).await;
    let backup = dir.path().join("copy.db");
    let o = run(tillit(dir.path(), None).arg("backup").arg(&backup));
    assert!(
        o.status.success(),
        "backup failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    drop(server);

    let target = TempDir::new();
    let o = run(tillit(target.path(), None).arg("restore").arg(&backup));
    assert!(
        o.status.success(),
        "restore failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(tillit(target.path(), None).args(["audit", "verify"]));
    assert!(o.status.success(), "{}", stdout(&o));
    let server = serve(target.path(), None, None).await;
    let cookie = sign_in(&server.base, "admin", PASSWORD).await;
    assert_eq!(me(&server.base, &cookie).await.status(), 200);
    drop(server);

    // Restoring over an existing database needs --force; a file that is no database is refused
    // and leaves the database as it was.
    let o = run(tillit(target.path(), None).arg("restore").arg(&backup));
    assert!(!o.status.success());
    let junk = target.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let o = run(tillit(target.path(), None)
        .args(["restore", "--force"])
        .arg(&junk));
    assert!(!o.status.success());
    let o = run(tillit(target.path(), None).args(["audit", "verify"]));
    assert!(
        o.status.success(),
        "the database must survive a refused restore: {}",
        stdout(&o)
    );
}

#[tokio::test]
async fn audit_verify_finds_a_changed_record() {
    let dir = TempDir::new();
    drop(serve(dir.path(), None, Some(PASSWORD)).await);
    let o = run(tillit(dir.path(), None).args(["audit", "verify"]));
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("intact"));

    // An intruder with write access to the file, going around the append-only trigger.
    let store = Store::open_data_dir(dir.path()).await.unwrap();
    let Store::Sqlite(s) = &store else {
        unreachable!()
    };
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(s.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor_label = 'someone else' WHERE seq = 1")
        .execute(s.pool())
        .await
        .unwrap();
    store.close().await;

    let o = run(tillit(dir.path(), None).args(["audit", "verify"]));
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stdout(&o).contains("record 1"), "{}", stdout(&o));
}

#[tokio::test]
async fn two_instances_on_one_postgres_share_sessions() {
    let Some((store, url)) = fresh_postgres().await.unwrap() else {
        eprintln!("skipped: TILLIT_TEST_PG_URL is not set");
        return;
    };
    store.close().await;
    let data = TempDir::new();
    let one = serve(data.path(), Some(&url), Some(PASSWORD)).await;
    let two = serve(data.path(), Some(&url), Some(PASSWORD)).await;
    assert!(
        !data.path().join("tillit.db").exists(),
        "no SQLite file when on PostgreSQL"
    );

    let cookie = sign_in(&one.base, "admin", PASSWORD).await;
    let r = me(&two.base, &cookie).await;
    assert_eq!(
        r.status(),
        200,
        "a session made on one instance is valid on the other"
    );
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["user"]["username"], "admin");

    // Signing out on the second ends it on the first too.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/logout", two.base))
        .header("cookie", &cookie)
        .header("origin", &two.base)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "sign-out: {}", r.status());
    assert_eq!(me(&one.base, &cookie).await.status(), 401);

    // Both started on the same database; the account was created once.
    let o = run(tillit(data.path(), Some(&url)).args(["user", "list"]));
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
}
