use std::process::ExitCode;

use anyhow::{Context, bail};
use jiff::SignedDuration;
use tillit_app::oidc::{self, OidcSettings};
use tillit_app::{App, AppConfig, bootstrap};
use tillit_domain::Scope;
use tillit_domain::audit::AuditEvent;
use tillit_store::{Backend, Store};
use tillit_web::AppState;

use crate::{AuditCommand, Cli, Command, DbArgs, OidcArgs, UserCommand};

async fn open(db: &DbArgs) -> anyhow::Result<Store> {
    let store = match &db.database_url {
        Some(url) => Store::connect(url)
            .await
            .context("connecting to the database")?,
        None => Store::open_data_dir(&db.data)
            .await
            .with_context(|| format!("opening the database in {}", db.data.display()))?,
    };
    store.migrate().await.context("running migrations")?;
    tillit_app::classification::ensure_shipped_models(&store)
        .await
        .context("storing the shipped classification models")?;
    Ok(store)
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            addr,
            admin_password,
            organisation,
            secure_cookies,
            session_hours,
            oidc,
        } => {
            let oidc = oidc_settings(*oidc)?;
            let store = open(&cli.db).await?;
            if let Some(b) = bootstrap::bootstrap(&store, &organisation, admin_password).await? {
                match &b.generated_password {
                    Some(p) => println!(
                        "\nFirst start: created the administrator account.\n  username: {}\n  password: {p}\n\
                         Sign in and change the password under \"Mitt konto\". It is not shown again.\n",
                        b.username
                    ),
                    None => println!(
                        "\nFirst start: created the administrator account \"{}\" with the password from TILLIT_ADMIN_PASSWORD.\n",
                        b.username
                    ),
                }
            }
            let config = AppConfig {
                session_ttl: SignedDuration::from_hours(session_hours.clamp(1, 24 * 30)),
                oidc,
                ..AppConfig::default()
            };
            let app = App::new(store, config);
            tokio::spawn(app.clone().run_worker(std::time::Duration::from_secs(60)));
            let state = AppState {
                app,
                secure_cookies,
            };
            println!("Tillit is listening on http://{addr}");
            tillit_web::serve(state, addr).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            open(&cli.db).await?;
            println!("The database is up to date.");
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::List) => {
            let store = open(&cli.db).await?;
            for u in store.list_users(&Scope::system()).await? {
                let state = if !u.is_active { " (inactive)" } else { "" };
                println!("{}\t{}{}", u.username, u.display_name, state);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::ResetPassword { username }) => {
            let store = open(&cli.db).await?;
            let name = username.trim().to_lowercase();
            let Some(creds) = store.auth_find_by_username(&name).await? else {
                bail!("no account named {name:?}");
            };
            let password = tillit_app::secrets::random_password();
            let hash = tillit_app::secrets::hash_password_blocking(password.clone()).await?;
            let ev = AuditEvent::new(None, "system", "user.password_reset", "user", creds.user.id)
                .change(None::<&()>, Some(&serde_json::json!({"password": "reset"})));
            store
                .set_password(&Scope::system(), creds.user.id, &hash, None, &ev)
                .await?;
            println!("New password for {name}: {password}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify) => {
            let store = open(&cli.db).await?;
            match tillit_app::audit::verify(&store).await? {
                Ok(v) => {
                    println!(
                        "The audit log is intact: {} records, head {}.",
                        v.records, v.head_hash
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    println!("THE AUDIT LOG HAS BEEN TAMPERED WITH: {e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Backup { file } => {
            if file.exists() {
                bail!("{} exists already", file.display());
            }
            let store = open(&cli.db).await?;
            if store.backend() == Backend::Postgres {
                bail!(
                    "Tillit on PostgreSQL is backed up with PostgreSQL's own tools, e.g.\n  \
                     pg_dump --format=custom --file=tillit.dump \"$TILLIT_DATABASE_URL\"\n\
                     and restored with pg_restore --clean --dbname=\"$TILLIT_DATABASE_URL\" tillit.dump"
                );
            }
            store.backup_to(&file).await?;
            println!("Backup written to {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file, force } => {
            if cli.db.database_url.is_some() {
                bail!("restore PostgreSQL with pg_restore (see `tillit backup --help`)");
            }
            restore(&cli.db, &file, force).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Checks the backup (it opens, migrates forward, and its audit chain holds) before it
/// replaces the database, so a bad file never takes the place of a good one.
async fn restore(db: &DbArgs, file: &std::path::Path, force: bool) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    let target = db.data.join("tillit.db");
    if target.exists() && !force {
        bail!(
            "{} exists; stop the server and pass --force to replace it",
            target.display()
        );
    }
    std::fs::create_dir_all(&db.data)?;
    let staging = db.data.join("tillit.db.restoring");
    std::fs::copy(file, &staging).context("copying the backup")?;
    {
        let url = format!("sqlite://{}", staging.display());
        let store = Store::connect(&url)
            .await
            .context("the backup does not open")?;
        store.migrate().await.context("migrating the backup")?;
        if let Err(e) = tillit_app::audit::verify(&store).await? {
            store.close().await;
            let _ = std::fs::remove_file(&staging);
            bail!("the backup's audit log does not verify: {e}");
        }
        store.close().await;
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(db.data.join(format!("tillit.db{suffix}")));
        let _ = std::fs::remove_file(db.data.join(format!("tillit.db.restoring{suffix}")));
    }
    std::fs::rename(&staging, &target).context("putting the backup in place")?;
    println!("Restored {} into {}", file.display(), target.display());
    Ok(())
}

/// The OIDC settings, checked as far as possible without the network; `None` without an issuer.
fn oidc_settings(a: OidcArgs) -> anyhow::Result<Option<OidcSettings>> {
    let Some(issuer) = a.oidc_issuer.filter(|i| !i.trim().is_empty()) else {
        return Ok(None);
    };
    let (Some(id), Some(secret), Some(redirect)) =
        (a.oidc_client_id, a.oidc_client_secret, a.oidc_redirect_url)
    else {
        bail!(
            "TILLIT_OIDC_ISSUER needs TILLIT_OIDC_CLIENT_ID, TILLIT_OIDC_CLIENT_SECRET and TILLIT_OIDC_REDIRECT_URL too"
        );
    };
    let mut s = OidcSettings::new(&issuer, &id, &secret, &redirect);
    s.roles_claim = a.oidc_roles_claim.trim().to_owned();
    s.role_map = oidc::parse_role_map(&a.oidc_role_map).map_err(anyhow::Error::msg)?;
    if let Some(label) = a.oidc_label.filter(|l| !l.trim().is_empty()) {
        s.label = label.trim().to_owned();
    }
    s.validate().map_err(anyhow::Error::msg)?;
    if s.role_map.is_empty() {
        bail!(
            "TILLIT_OIDC_ROLE_MAP is empty: no organisation account could get a role, so none could sign in"
        );
    }
    tracing::info!(issuer = %s.issuer, mappings = s.role_map.len(), "OIDC sign-in enabled");
    Ok(Some(s))
}
