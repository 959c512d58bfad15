//! Sign-in through an OpenID Connect provider (Entra ID and others): the authorization-code
//! flow with PKCE, state and nonce, and accounts and roles kept in step with the provider's
//! claims.
//!
//! The provider's metadata is discovered at the first sign-in, not at start-up (so Tillit
//! starts without a network), and kept for an hour. The one-time values of a sign-in in
//! progress (state, nonce, PKCE verifier) travel in a cookie signed with a key derived from
//! the client secret, so any instance can finish a sign-in another one started.
//!
//! Roles: the role map says which claim value grants which role on which unit. At every
//! sign-in the account gets the mapped roles its claims carry and loses the mapped roles they
//! no longer carry; roles on (unit, role) pairs outside the map's targets are never touched,
//! so roles granted by hand stay.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthType, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError,
    Scope as OAuthScope, StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tillit_domain::audit::AuditEvent;
use tillit_domain::user::{self, User};
use tillit_domain::{Role, RoleAssignment, Scope, UnitId, UserId};

use crate::auth::NewSession;
use crate::{App, AppError};

/// The cookie carrying a sign-in in progress.
pub const PENDING_COOKIE: &str = "tillit_oidc";
/// How long a sign-in may take at the provider.
pub const PENDING_TTL_SECS: i64 = 600;
/// How long discovered provider metadata (and its signing keys) is kept.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// Metadata younger than this is not fetched again when a signature does not verify.
const METADATA_MIN_AGE_FOR_REFRESH: Duration = Duration::from_secs(30);
const HTTP_TIMEOUT: Duration = Duration::from_secs(15);

/// Where a role-map entry grants its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MapUnit {
    /// The organisation's root unit.
    Root,
    Unit(UnitId),
}

/// `claim value = unit : role`, e.g. `Tillit.Admin=root:admin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleMapping {
    pub claim_value: String,
    pub unit: MapUnit,
    pub role: Role,
}

/// Parses `Tillit.Admin=root:admin,Tillit.Reader=0190…:reader` (unit `root` or a unit id; a
/// role by its API name: admin, security_coordinator, data_protection_officer, editor,
/// reader, auditor).
pub fn parse_role_map(s: &str) -> Result<Vec<RoleMapping>, String> {
    let mut out = Vec::new();
    for entry in s.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (claim, target) = entry
            .rsplit_once('=')
            .ok_or_else(|| format!("role map entry {entry:?}: expected claimvalue=unit:role"))?;
        let (unit, role) = target
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("role map entry {entry:?}: expected unit:role after '='"))?;
        let claim = claim.trim();
        if claim.is_empty() {
            return Err(format!(
                "role map entry {entry:?}: the claim value is empty"
            ));
        }
        let unit = match unit.trim() {
            "root" => MapUnit::Root,
            u => MapUnit::Unit(u.parse().map_err(|_| {
                format!("role map entry {entry:?}: {u:?} is neither \"root\" nor a unit id")
            })?),
        };
        let role = Role::parse(role.trim()).ok_or_else(|| {
            let names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
            format!(
                "role map entry {entry:?}: unknown role {role:?} (one of {})",
                names.join(", ")
            )
        })?;
        out.push(RoleMapping {
            claim_value: claim.to_owned(),
            unit,
            role,
        });
    }
    Ok(out)
}

/// How Tillit signs in through an OIDC provider.
#[derive(Clone)]
pub struct OidcSettings {
    /// The issuer, exactly as the provider names itself, e.g.
    /// `https://login.microsoftonline.com/<tenant>/v2.0`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Tillit's callback, e.g. `https://tillit.stad.se/auth/oidc/callback`.
    pub redirect_url: String,
    /// The ID token claim holding the roles or groups (an array of strings); `roles` in Entra ID.
    pub roles_claim: String,
    pub role_map: Vec<RoleMapping>,
    /// The sign-in button's text.
    pub label: String,
    /// Requested besides `openid`.
    pub scopes: Vec<String>,
}

impl fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("redirect_url", &self.redirect_url)
            .field("roles_claim", &self.roles_claim)
            .field("role_map", &self.role_map)
            .field("label", &self.label)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl OidcSettings {
    pub const DEFAULT_LABEL: &'static str = "Logga in med organisationskonto";

    pub fn new(issuer: &str, client_id: &str, client_secret: &str, redirect_url: &str) -> Self {
        Self {
            issuer: issuer.trim().to_owned(),
            client_id: client_id.trim().to_owned(),
            client_secret: client_secret.to_owned(),
            redirect_url: redirect_url.trim().to_owned(),
            roles_claim: "roles".to_owned(),
            role_map: Vec::new(),
            label: Self::DEFAULT_LABEL.to_owned(),
            scopes: vec!["profile".to_owned(), "email".to_owned()],
        }
    }

    /// Checks what can be checked without the network; for start-up.
    pub fn validate(&self) -> Result<(), String> {
        IssuerUrl::new(self.issuer.clone())
            .map_err(|e| format!("OIDC issuer {:?}: {e}", self.issuer))?;
        let r = RedirectUrl::new(self.redirect_url.clone())
            .map_err(|e| format!("OIDC redirect URL {:?}: {e}", self.redirect_url))?;
        if !r.url().path().ends_with("/auth/oidc/callback") {
            return Err(format!(
                "OIDC redirect URL {:?} must end in /auth/oidc/callback",
                self.redirect_url
            ));
        }
        if self.client_id.is_empty() {
            return Err("OIDC client id is empty".into());
        }
        if self.client_secret.is_empty() {
            return Err("OIDC client secret is empty".into());
        }
        if self.roles_claim.trim().is_empty() {
            return Err("OIDC roles claim is empty".into());
        }
        Ok(())
    }
}

/// Who the provider says signed in, from the verified ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcIdentity {
    pub subject: String,
    /// `preferred_username`, else `email`, else `sub`.
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// The roles claim's values.
    pub roles: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("sign-in with an organisation account is not configured")]
    NotConfigured,
    /// Discovery, the token request or the key set failed on the provider's side or on the way.
    #[error("the identity provider could not be used: {0}")]
    Provider(String),
    /// No sign-in in progress, it expired, or the state does not match.
    #[error("the sign-in request is missing, expired or does not match; start again")]
    State,
    /// The provider said no (the user cancelled, or the code was refused).
    #[error("the identity provider refused the sign-in: {0}")]
    Denied(String),
    /// The ID token did not verify (signature, issuer, audience, nonce, expiry) or lacks claims.
    #[error("the sign-in could not be verified: {0}")]
    Verification(String),
    #[error("the account is deactivated in Tillit")]
    Inactive,
    #[error("no role in Tillit: the organisation account carries no claim that maps to a role")]
    NoRole,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<tillit_store::StoreError> for OidcError {
    fn from(e: tillit_store::StoreError) -> Self {
        OidcError::App(e.into())
    }
}

impl OidcError {
    /// A stable code for messages and problem documents.
    pub fn code(&self) -> &'static str {
        match self {
            OidcError::NotConfigured => "error-oidc-not-configured",
            OidcError::Provider(_) => "error-oidc-provider",
            OidcError::State => "error-oidc-state",
            OidcError::Denied(_) => "error-oidc-denied",
            OidcError::Verification(_) => "error-oidc-verification",
            OidcError::Inactive => "error-oidc-inactive",
            OidcError::NoRole => "error-oidc-no-role",
            OidcError::App(_) => "internal",
        }
    }
}

// ---- the provider protocol ------------------------------------------------------------------

/// Every claim beyond the standard ones, so the roles claim can have any name.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    pub other: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for ExtraClaims {}

type TillitIdTokenFields = IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type TillitTokenResponse = StandardTokenResponse<TillitIdTokenFields, CoreTokenType>;
type TillitClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TillitTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

struct Discovered {
    metadata: CoreProviderMetadata,
    at: Instant,
}

/// The discovered provider metadata and the HTTP client, shared by the app's clones.
#[derive(Default)]
pub(crate) struct OidcRuntime {
    discovered: RwLock<Option<Arc<Discovered>>>,
    http: std::sync::OnceLock<openidconnect::reqwest::Client>,
}

impl fmt::Debug for OidcRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRuntime").finish_non_exhaustive()
    }
}

impl OidcRuntime {
    fn http(&self) -> Result<&openidconnect::reqwest::Client, OidcError> {
        if let Some(c) = self.http.get() {
            return Ok(c);
        }
        // No redirects: the token request must not be sent on to another host.
        let client = openidconnect::reqwest::Client::builder()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| OidcError::Provider(format!("HTTP client: {e}")))?;
        Ok(self.http.get_or_init(|| client))
    }

    fn cached(&self) -> Option<Arc<Discovered>> {
        let guard = self.discovered.read().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .filter(|d| d.at.elapsed() < METADATA_TTL)
            .cloned()
    }

    async fn discover(&self, settings: &OidcSettings) -> Result<Arc<Discovered>, OidcError> {
        let issuer = IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| OidcError::Provider(e.to_string()))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, self.http()?)
            .await
            .map_err(|e| {
                OidcError::Provider(format!(
                    "discovery at {}: {}",
                    settings.issuer,
                    error_chain(&e)
                ))
            })?;
        let d = Arc::new(Discovered {
            metadata,
            at: Instant::now(),
        });
        *self.discovered.write().unwrap_or_else(|e| e.into_inner()) = Some(d.clone());
        tracing::info!(issuer = %settings.issuer, "OIDC provider metadata discovered");
        Ok(d)
    }

    async fn metadata(&self, settings: &OidcSettings) -> Result<Arc<Discovered>, OidcError> {
        match self.cached() {
            Some(d) => Ok(d),
            None => self.discover(settings).await,
        }
    }
}

fn client_for(
    settings: &OidcSettings,
    metadata: &CoreProviderMetadata,
) -> Result<TillitClient, OidcError> {
    let redirect = RedirectUrl::new(settings.redirect_url.clone())
        .map_err(|e| OidcError::Provider(e.to_string()))?;
    // client_secret_basic unless the provider only takes client_secret_post.
    let auth_type = match metadata.token_endpoint_auth_methods_supported() {
        Some(m)
            if !m.contains(&CoreClientAuthMethod::ClientSecretBasic)
                && m.contains(&CoreClientAuthMethod::ClientSecretPost) =>
        {
            AuthType::RequestBody
        }
        _ => AuthType::BasicAuth,
    };
    Ok(TillitClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(settings.client_id.clone()),
        Some(ClientSecret::new(settings.client_secret.clone())),
    )
    .set_redirect_uri(redirect)
    .set_auth_type(auth_type))
}

/// A sign-in in progress: its one-time values, kept in the browser in a signed cookie.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Unix seconds.
    pub expires: i64,
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

type HmacSha256 = Hmac<Sha256>;

fn cookie_mac(secret: &str) -> HmacSha256 {
    let mut m =
        <HmacSha256 as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    m.update(b"tillit-oidc-pending-v1\n");
    m
}

fn url_safe(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl PendingLogin {
    /// The cookie value: `state.nonce.verifier.expires.mac`, every part URL-safe.
    pub fn encode(&self, secret: &str) -> String {
        let body = format!(
            "{}.{}.{}.{}",
            self.state, self.nonce, self.pkce_verifier, self.expires
        );
        let mut m = cookie_mac(secret);
        m.update(body.as_bytes());
        format!("{body}.{}", hex::encode(m.finalize().into_bytes()))
    }

    /// The sign-in in progress, if the cookie is intact and not expired.
    pub fn decode(value: &str, secret: &str, now: Timestamp) -> Option<Self> {
        let (body, mac) = value.rsplit_once('.')?;
        let mut m = cookie_mac(secret);
        m.update(body.as_bytes());
        m.verify_slice(&hex::decode(mac).ok()?).ok()?;
        let mut parts = body.split('.');
        let (state, nonce, verifier, expires) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || ![state, nonce, verifier].iter().all(|p| url_safe(p)) {
            return None;
        }
        let expires: i64 = expires.parse().ok()?;
        if expires <= now.as_second() {
            return None;
        }
        Some(Self {
            state: state.to_owned(),
            nonce: nonce.to_owned(),
            pkce_verifier: verifier.to_owned(),
            expires,
        })
    }
}

/// Where to send the browser, and what to remember until it comes back.
#[derive(Debug, Clone)]
pub struct OidcStart {
    pub authorize_url: String,
    pub pending: PendingLogin,
    /// The `tillit_oidc` cookie's value.
    pub cookie_value: String,
}

fn roles_from_claim(value: Option<&serde_json::Value>) -> Vec<String> {
    match value {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str())
            .map(str::to_owned)
            .collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn token_error<RE: std::error::Error + 'static>(
    e: RequestTokenError<RE, StandardErrorResponse<CoreErrorResponseType>>,
) -> OidcError {
    match e {
        RequestTokenError::ServerResponse(r) => {
            OidcError::Denied(format!("token endpoint answered {}", r.error().as_ref()))
        }
        RequestTokenError::Request(inner) => {
            OidcError::Provider(format!("token request: {}", error_chain(&inner)))
        }
        RequestTokenError::Parse(inner, _) => {
            OidcError::Provider(format!("token response: {inner}"))
        }
        RequestTokenError::Other(s) => OidcError::Provider(format!("token request: {s}")),
    }
}

impl App {
    fn oidc_settings(&self) -> Result<&OidcSettings, OidcError> {
        self.config().oidc.as_ref().ok_or(OidcError::NotConfigured)
    }

    /// Starts a sign-in: the provider's authorization URL and the cookie to set meanwhile.
    pub async fn oidc_begin(&self) -> Result<OidcStart, OidcError> {
        let settings = self.oidc_settings()?;
        let discovered = self.oidc_runtime().metadata(settings).await?;
        let client = client_for(settings, &discovered.metadata)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scopes(settings.scopes.iter().cloned().map(OAuthScope::new))
            .set_pkce_challenge(challenge)
            .url();
        let pending = PendingLogin {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            expires: Timestamp::now().as_second() + PENDING_TTL_SECS,
        };
        Ok(OidcStart {
            authorize_url: url.to_string(),
            cookie_value: pending.encode(&settings.client_secret),
            pending,
        })
    }

    /// Finishes a sign-in when the browser comes back: checks the state against the cookie
    /// (and the `iss` parameter, RFC 9207, when the provider sends one), exchanges the code,
    /// verifies the ID token and signs the account in.
    pub async fn oidc_complete(
        &self,
        cookie_value: Option<&str>,
        state: &str,
        code: &str,
        iss: Option<&str>,
    ) -> Result<NewSession, OidcError> {
        let settings = self.oidc_settings()?;
        let pending = cookie_value
            .and_then(|v| PendingLogin::decode(v, &settings.client_secret, Timestamp::now()))
            .ok_or(OidcError::State)?;
        if !constant_time_eq(pending.state.as_bytes(), state.as_bytes()) {
            return Err(OidcError::State);
        }
        if iss.is_some_and(|i| i != settings.issuer) {
            return Err(OidcError::Verification(
                "the response comes from another issuer".into(),
            ));
        }
        if code.is_empty() {
            return Err(OidcError::Denied("no authorization code".into()));
        }
        let runtime = self.oidc_runtime();
        let mut discovered = runtime.metadata(settings).await?;
        let client = client_for(settings, &discovered.metadata)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Provider(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(runtime.http()?)
            .await
            .map_err(token_error)?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::Verification("the token response has no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let identity = loop {
            let client = client_for(settings, &discovered.metadata)?;
            match id_token.claims(&client.id_token_verifier(), &nonce) {
                Ok(claims) => {
                    let subject = claims.subject().as_str().to_owned();
                    let email = claims.email().map(|e| e.as_str().to_owned());
                    let username = claims
                        .preferred_username()
                        .map(|u| u.as_str().to_owned())
                        .or_else(|| email.clone())
                        .unwrap_or_else(|| subject.clone());
                    break OidcIdentity {
                        display_name: claims
                            .name()
                            .and_then(|n| n.get(None))
                            .map(|n| n.as_str().to_owned()),
                        roles: roles_from_claim(
                            claims.additional_claims().other.get(&settings.roles_claim),
                        ),
                        subject,
                        username,
                        email,
                    };
                }
                // The provider may have rotated its keys since they were fetched: once more
                // with fresh ones.
                Err(openidconnect::ClaimsVerificationError::SignatureVerification(_))
                    if discovered.at.elapsed() > METADATA_MIN_AGE_FOR_REFRESH =>
                {
                    discovered = runtime.discover(settings).await?;
                }
                Err(e) => return Err(OidcError::Verification(e.to_string())),
            }
        };
        self.oidc_sign_in(&settings.issuer, identity).await
    }

    /// Signs in the account of `(issuer, subject)`, creating it at the first sign-in, and
    /// brings its mapped roles in step with the claims.
    pub async fn oidc_sign_in(
        &self,
        issuer: &str,
        identity: OidcIdentity,
    ) -> Result<NewSession, OidcError> {
        let settings = self.oidc_settings()?;
        let store = self.store();
        let map = self.resolve_role_map(settings).await?;
        // In the role map's order, so the first is a new account's first role.
        let mut wanted: Vec<(UnitId, Role)> = Vec::new();
        for &(claim, unit, role) in &map {
            if identity.roles.iter().any(|r| r == claim) && !wanted.contains(&(unit, role)) {
                wanted.push((unit, role));
            }
        }
        // Every (unit, role) pair the map can grant: the only ones sign-in ever revokes.
        let managed: HashSet<(UnitId, Role)> = map.iter().map(|&(_, u, r)| (u, r)).collect();
        let existing = store.auth_find_by_oidc(issuer, &identity.subject).await?;
        let user = match existing {
            Some(u) => {
                if !u.is_active {
                    let ev = AuditEvent::new(
                        Some(u.id),
                        u.username.clone(),
                        "auth.login_oidc_refused",
                        "user",
                        u.id,
                    )
                    .change(
                        None::<&()>,
                        Some(&serde_json::json!({"reason": "inactive"})),
                    );
                    store.append_audit(&ev).await?;
                    return Err(OidcError::Inactive);
                }
                self.oidc_update_profile(u, &identity).await?
            }
            None => {
                let Some(&(first_unit, first_role)) = wanted.first() else {
                    let ev = AuditEvent::new(
                        None,
                        truncate(&identity.username),
                        "auth.login_oidc_refused",
                        "user",
                        "-",
                    )
                    .change(
                        None::<&()>,
                        Some(&serde_json::json!({"reason": "no role", "issuer": issuer})),
                    );
                    store.append_audit(&ev).await?;
                    return Err(OidcError::NoRole);
                };
                self.oidc_create_account(issuer, &identity, first_unit, first_role)
                    .await?
            }
        };
        self.oidc_sync_roles(&user, &wanted, &managed).await?;
        if store.roles_of(user.id).await?.is_empty() {
            let ev = AuditEvent::new(
                Some(user.id),
                user.username.clone(),
                "auth.login_oidc_refused",
                "user",
                user.id,
            )
            .change(None::<&()>, Some(&serde_json::json!({"reason": "no role"})));
            store.append_audit(&ev).await?;
            return Err(OidcError::NoRole);
        }
        let ev = AuditEvent::new(
            Some(user.id),
            user.username.clone(),
            "auth.login_oidc",
            "user",
            user.id,
        );
        Ok(self.open_session(user, &ev).await?)
    }

    /// The role map with its units looked up (once per sign-in); entries whose unit does not
    /// exist or is closed are left out.
    async fn resolve_role_map<'a>(
        &self,
        settings: &'a OidcSettings,
    ) -> Result<Vec<(&'a str, UnitId, Role)>, OidcError> {
        let units = self.store().list_units(&Scope::system(), false).await?;
        let mut out = Vec::new();
        for m in &settings.role_map {
            let unit = match m.unit {
                MapUnit::Root => units.iter().find(|u| u.parent_id.is_none()),
                MapUnit::Unit(id) => units.iter().find(|u| u.id == id && u.closed_at.is_none()),
            };
            match unit {
                Some(u) => out.push((m.claim_value.as_str(), u.id, m.role)),
                None => tracing::warn!(
                    claim = %m.claim_value,
                    "OIDC role map: the unit does not exist or is closed"
                ),
            }
        }
        Ok(out)
    }

    async fn oidc_create_account(
        &self,
        issuer: &str,
        identity: &OidcIdentity,
        unit: UnitId,
        role: Role,
    ) -> Result<User, OidcError> {
        let base = derive_username(&identity.username);
        for attempt in 0..10 {
            let username = match attempt {
                0 => base.clone(),
                1 => format!("{base}-oidc"),
                n => format!("{base}-oidc{n}"),
            };
            if self
                .store()
                .auth_find_by_username(&username)
                .await?
                .is_some()
            {
                continue;
            }
            let u = User {
                id: UserId::new(),
                display_name: identity
                    .display_name
                    .as_deref()
                    .and_then(|n| user::validate_display_name(n).ok())
                    .unwrap_or_else(|| username.clone()),
                username,
                email: clean_email(identity.email.as_deref()),
                locale: "sv".to_owned(),
                is_active: true,
                oidc_subject: Some(identity.subject.clone()),
                locked_until: None,
                created_at: Timestamp::now(),
            };
            let ra = RoleAssignment {
                user_id: u.id,
                unit_id: unit,
                role,
            };
            let events = [
                AuditEvent::new(None, "system", "user.create", "user", u.id)
                    .unit(Some(unit))
                    .change(None::<&()>, Some(&serde_json::json!({"user": &u, "issuer": issuer, "reason": "oidc sign-in"}))),
                role_event("role.assign", &ra),
            ];
            match self
                .store()
                .create_user(
                    &Scope::system(),
                    &u,
                    None,
                    Some(issuer),
                    Some((unit, role)),
                    &events,
                )
                .await
            {
                Ok(()) => {
                    tracing::info!(username = %u.username, "OIDC: account created at first sign-in");
                    return Ok(u);
                }
                Err(tillit_store::StoreError::Conflict(_)) => {
                    // Another sign-in of the same person won the race, or the name was taken meanwhile.
                    if let Some(u) = self
                        .store()
                        .auth_find_by_oidc(issuer, &identity.subject)
                        .await?
                    {
                        return Ok(u);
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict("no free username for the OIDC account".into()).into())
    }

    /// Keeps display name and e-mail as the provider says.
    async fn oidc_update_profile(
        &self,
        before: User,
        identity: &OidcIdentity,
    ) -> Result<User, OidcError> {
        let mut after = before.clone();
        if let Some(n) = identity
            .display_name
            .as_deref()
            .and_then(|n| user::validate_display_name(n).ok())
        {
            after.display_name = n;
        }
        if let Some(e) = clean_email(identity.email.as_deref()) {
            after.email = Some(e);
        }
        if after == before {
            return Ok(before);
        }
        let ev = AuditEvent::new(None, "system", "user.update", "user", before.id)
            .change(Some(&before), Some(&after));
        self.store()
            .update_user(&Scope::system(), &after, &ev)
            .await?;
        Ok(after)
    }

    async fn oidc_sync_roles(
        &self,
        user: &User,
        wanted: &[(UnitId, Role)],
        managed: &HashSet<(UnitId, Role)>,
    ) -> Result<(), OidcError> {
        let held: HashSet<(UnitId, Role)> = self
            .store()
            .roles_of(user.id)
            .await?
            .into_iter()
            .map(|r| (r.unit_id, r.role))
            .collect();
        for &(unit, role) in wanted.iter().filter(|p| !held.contains(p)) {
            let ra = RoleAssignment {
                user_id: user.id,
                unit_id: unit,
                role,
            };
            self.store()
                .assign_role(
                    &Scope::system(),
                    &ra,
                    Timestamp::now(),
                    &role_event("role.assign", &ra),
                )
                .await?;
        }
        for &(unit, role) in held.intersection(managed).filter(|p| !wanted.contains(p)) {
            let ra = RoleAssignment {
                user_id: user.id,
                unit_id: unit,
                role,
            };
            match self
                .store()
                .revoke_role(&Scope::system(), &ra, &role_event("role.revoke", &ra))
                .await
            {
                Ok(()) | Err(tillit_store::StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    pub(crate) fn oidc_runtime(&self) -> &OidcRuntime {
        &self.inner.oidc
    }
}

/// An error and its causes on one line (reqwest's own message says little).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let msg = s.to_string();
        if !out.contains(&msg) {
            out.push_str(": ");
            out.push_str(&msg);
        }
        source = s.source();
    }
    out
}

fn role_event(action: &str, ra: &RoleAssignment) -> AuditEvent {
    let v = serde_json::json!({"user_id": ra.user_id, "unit_id": ra.unit_id, "role": ra.role, "reason": "oidc claim"});
    let ev = AuditEvent::new(None, "system", action, "role_assignment", ra.user_id)
        .unit(Some(ra.unit_id));
    if action == "role.revoke" {
        ev.change(Some(&v), None::<&()>)
    } else {
        ev.change(None::<&()>, Some(&v))
    }
}

/// A valid Tillit username from what the provider calls the person.
fn derive_username(name: &str) -> String {
    let folded: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@') {
                c
            } else {
                '-'
            }
        })
        .take(90)
        .collect();
    user::validate_username(&folded).unwrap_or_else(|_| "oidc-user".to_owned())
}

fn clean_email(email: Option<&str>) -> Option<String> {
    let e = email?.trim();
    (e.contains('@') && e.len() <= 254 && !e.chars().any(char::is_whitespace)).then(|| e.to_owned())
}

fn truncate(s: &str) -> String {
    s.chars().take(100).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_role_map() {
        let id = UnitId::new();
        let m = parse_role_map(&format!(
            " Tillit.Admin=root:admin, Grupp=A=B={id}:reader ,"
        ))
        .unwrap();
        assert_eq!(
            m,
            vec![
                RoleMapping {
                    claim_value: "Tillit.Admin".into(),
                    unit: MapUnit::Root,
                    role: Role::Admin
                },
                RoleMapping {
                    claim_value: "Grupp=A=B".into(),
                    unit: MapUnit::Unit(id),
                    role: Role::Reader
                },
            ]
        );
        assert!(parse_role_map("").unwrap().is_empty());
        assert!(parse_role_map("x").is_err());
        assert!(parse_role_map("x=root").is_err());
        assert!(parse_role_map("x=root:boss").is_err());
        assert!(parse_role_map("x=nowhere:admin").is_err());
        assert!(parse_role_map("=root:admin").is_err());
    }

    #[test]
    fn pending_cookies_must_be_intact_and_fresh() {
        let now = Timestamp::now();
        let p = PendingLogin {
            state: "st-ate_1".into(),
            nonce: "nonce".into(),
            pkce_verifier: "verifier".into(),
            expires: now.as_second() + 60,
        };
        let v = p.encode("secret");
        assert_eq!(PendingLogin::decode(&v, "secret", now), Some(p.clone()));
        assert_eq!(PendingLogin::decode(&v, "other secret", now), None);
        assert_eq!(
            PendingLogin::decode(&v.replace("st-ate_1", "st-ate_2"), "secret", now),
            None
        );
        let later = Timestamp::from_second(now.as_second() + 61).unwrap();
        assert_eq!(PendingLogin::decode(&v, "secret", later), None);
        assert_eq!(PendingLogin::decode("garbage", "secret", now), None);
    }

    #[test]
    fn usernames_are_derived_from_claims() {
        assert_eq!(
            derive_username("Anna.Svensson@Stad.se"),
            "anna.svensson@stad.se"
        );
        assert_eq!(derive_username("Anna Svensson"), "anna-svensson");
        assert_eq!(derive_username("   "), "oidc-user");
    }

    #[test]
    fn roles_claim_may_be_a_list_or_a_string() {
        let v = serde_json::json!(["a", 1, "b"]);
        assert_eq!(roles_from_claim(Some(&v)), vec!["a", "b"]);
        assert_eq!(roles_from_claim(Some(&serde_json::json!("a"))), vec!["a"]);
        assert!(roles_from_claim(None).is_empty());
    }

    #[test]
    fn settings_hide_the_secret() {
        let s = OidcSettings::new(
            "https://login.example/t/v2.0",
            "id",
            "hunter2",
            "https://t.example/auth/oidc/callback",
        );
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(s.validate().is_ok());
        let bad = OidcSettings::new(
            "not a url",
            "id",
            "s",
            "https://t.example/auth/oidc/callback",
        );
        assert!(bad.validate().is_err());
    }
}
