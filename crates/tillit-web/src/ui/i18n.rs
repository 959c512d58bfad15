//! Translations (Fluent files under `locales/`, compiled in) and choosing the language:
//! the signed-in user's own setting, else the `tillit_lang` cookie, else the browser's
//! Accept-Language, else Swedish.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

use crate::auth::{LANG_COOKIE, cookie};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "sv",
        // No Unicode isolation marks around arguments: they end up in HTML attributes.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Sv, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == s)
    }

    /// The other language, offered by the switch in the header.
    pub fn other(self) -> Self {
        match self {
            Lang::Sv => Lang::En,
            Lang::En => Lang::Sv,
        }
    }

    fn id(self) -> LanguageIdentifier {
        self.code().parse().expect("valid language tag")
    }

    /// The best of ours in an `Accept-Language` header, by quality (ties keep their order).
    pub fn from_accept_language(value: &str) -> Option<Self> {
        let mut prefs: Vec<(f32, &str)> = value
            .split(',')
            .filter_map(|item| {
                let mut parts = item.split(';');
                let tag = parts.next()?.trim();
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (!tag.is_empty() && q > 0.0).then_some((q, tag))
            })
            .collect();
        prefs.sort_by(|a, b| b.0.total_cmp(&a.0));
        prefs.into_iter().find_map(|(_, tag)| {
            let primary = tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
            match primary.as_str() {
                // Norwegian and Danish readers get on better with Swedish than English.
                "sv" | "nb" | "nn" | "no" | "da" => Some(Lang::Sv),
                "en" => Some(Lang::En),
                "*" => Some(Lang::Sv),
                _ => None,
            }
        })
    }

    /// The language for a request: the user's own setting, the cookie, the browser, Swedish.
    pub fn resolve(user_locale: Option<&str>, headers: &HeaderMap) -> Self {
        user_locale
            .and_then(Lang::parse)
            .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::parse))
            .or_else(|| {
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or_default()
    }

    pub fn i18n(self) -> I18n {
        I18n(self)
    }
}

/// Looks up messages in one language; templates call `i.t(…)` with a message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct I18n(pub Lang);

impl I18n {
    pub fn lang(&self) -> Lang {
        self.0
    }

    /// The message, or the key itself when missing (a test keeps that from happening).
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(&self.0.id(), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The message if there is one: for labels of open-ended codes (audit actions).
    pub fn try_t(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(&self.0.id(), key)
    }

    /// The message with arguments.
    pub fn ta(&self, key: &str, args: &[(&'static str, &str)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.to_string())))
            .collect();
        LOCALES
            .try_lookup_with_args(&self.0.id(), key, &args)
            .unwrap_or_else(|| key.to_owned())
    }

    /// One argument, the common case in templates.
    pub fn t1(&self, key: &str, name: &'static str, value: impl std::fmt::Display) -> String {
        self.ta(key, &[(name, &value.to_string())])
    }

    /// The message for an error code: domain codes are keys already (`error-name-empty`),
    /// the HTTP-level ones (`not-found`) get the prefix.
    pub fn error(&self, code: &str) -> String {
        if code.starts_with("error-") {
            self.t(code)
        } else {
            self.t(&format!("error-{code}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn accept_language_picks_the_best_we_have() {
        assert_eq!(
            Lang::from_accept_language("en-GB,en;q=0.9,sv;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("sv-SE,sv;q=0.9,en;q=0.8"),
            Some(Lang::Sv)
        );
        assert_eq!(
            Lang::from_accept_language("de-DE, en;q=0.5, sv;q=0.7"),
            Some(Lang::Sv)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(
            Lang::from_accept_language("en;q=0, sv;q=0.1"),
            Some(Lang::Sv)
        );
        assert_eq!(Lang::from_accept_language("EN-us"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language(""), None);
        assert_eq!(Lang::from_accept_language("*"), Some(Lang::Sv));
    }

    #[test]
    fn the_user_setting_wins_then_cookie_then_browser_then_swedish() {
        let h = headers(&[("cookie", "tillit_lang=en"), ("accept-language", "sv")]);
        assert_eq!(Lang::resolve(Some("sv"), &h), Lang::Sv);
        assert_eq!(Lang::resolve(None, &h), Lang::En);
        let h = headers(&[("cookie", "tillit_lang=xx"), ("accept-language", "en-US")]);
        assert_eq!(Lang::resolve(None, &h), Lang::En);
        assert_eq!(Lang::resolve(Some("de"), &h), Lang::En);
        assert_eq!(Lang::resolve(None, &HeaderMap::new()), Lang::Sv);
        assert_eq!(
            Lang::resolve(None, &headers(&[("accept-language", "fi")])),
            Lang::Sv
        );
    }

    #[test]
    fn every_ftl_file_of_a_language_is_loaded() {
        // `nav-assets` lives in inventory.ftl, not main.ftl.
        assert_eq!(Lang::Sv.i18n().t("nav-assets"), "Inventarie");
        assert_eq!(Lang::En.i18n().t("nav-assets"), "Inventory");
    }

    #[test]
    fn messages_are_looked_up_with_arguments() {
        assert_eq!(Lang::Sv.i18n().t("nav-overview"), "Översikt");
        assert_eq!(Lang::En.i18n().t("nav-overview"), "Overview");
        assert_eq!(Lang::Sv.i18n().t("no-such-key"), "no-such-key");
        let g = Lang::En.i18n().t1("overview-greeting", "name", "Anna");
        assert!(g.contains("Anna"), "{g}");
        assert_eq!(
            Lang::En.i18n().error("not-found"),
            Lang::En.i18n().t("error-not-found")
        );
    }

    fn crate_dir() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    /// The message keys defined in a language's .ftl files (messages, not attributes or
    /// terms). Every .ftl file in the language's folder is loaded, so every one is read; a key
    /// defined twice would shadow another and fails here.
    fn ftl_keys(lang: &str) -> BTreeSet<String> {
        let mut files = Vec::new();
        files_under(
            &crate_dir().join(format!("locales/{lang}")),
            "ftl",
            &mut files,
        );
        assert!(
            files.iter().any(|f| f.ends_with("main.ftl")),
            "the .ftl files of {lang}"
        );
        let mut keys = BTreeSet::new();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("the .ftl file");
            for key in text
                .lines()
                .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
                .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
            {
                assert!(keys.insert(key.clone()), "{key} is defined twice in {lang}");
            }
        }
        keys
    }

    fn files_under(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                files_under(&p, ext, out);
            } else if p.extension().is_some_and(|e| e == ext) {
                out.push(p);
            }
        }
    }

    /// Every `"prefix…"` string literal in the files.
    fn quoted_with_prefix(files: &[std::path::PathBuf], prefix: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for f in files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            let mut rest = text.as_str();
            let needle = format!("\"{prefix}");
            while let Some(i) = rest.find(&needle) {
                let tail = &rest[i + 1..];
                let end = tail
                    .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
                    .unwrap_or(tail.len());
                if tail[end..].starts_with('"') && end > prefix.len() {
                    found.insert(tail[..end].to_owned());
                }
                rest = &tail[end..];
            }
        }
        found
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let sv = ftl_keys("sv");
        let en = ftl_keys("en");
        assert!(sv.len() > 50, "suspiciously few keys: {}", sv.len());
        let only_sv: Vec<_> = sv.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&sv).collect();
        assert!(only_sv.is_empty(), "missing in en: {only_sv:?}");
        assert!(only_en.is_empty(), "missing in sv: {only_en:?}");
    }

    #[test]
    fn every_error_code_is_translated() {
        let root = crate_dir().join("../..");
        let mut files = Vec::new();
        for dir in [
            "crates/tillit-domain/src",
            "crates/tillit-app/src",
            "crates/tillit-web/src",
        ] {
            files_under(&root.join(dir), "rs", &mut files);
        }
        let codes = quoted_with_prefix(&files, "error-");
        assert!(
            codes.contains("error-name-empty"),
            "the scan found {codes:?}"
        );
        // And the HTTP-level codes of `status_and_code`.
        let codes: BTreeSet<String> = codes
            .into_iter()
            .chain(
                [
                    "unauthenticated",
                    "forbidden",
                    "not-found",
                    "conflict",
                    "internal",
                ]
                .map(|c| format!("error-{c}")),
            )
            .collect();
        for lang in ["sv", "en"] {
            let keys = ftl_keys(lang);
            let missing: Vec<_> = codes.iter().filter(|c| !keys.contains(*c)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
        }
    }

    #[test]
    fn every_key_the_views_use_exists() {
        let mut files = Vec::new();
        files_under(&crate_dir().join("templates"), "html", &mut files);
        files_under(&crate_dir().join("src/ui"), "rs", &mut files);
        let mut used = BTreeSet::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            for call in [
                "i.t(\"",
                "i.t1(\"",
                "i.ta(\"",
                ").t(\"",
                ").t1(\"",
                "i.error(\"",
            ] {
                for piece in text.split(call).skip(1) {
                    if let Some(end) = piece.find('"') {
                        let key = &piece[..end];
                        if call == "i.error(\"" && !key.starts_with("error-") {
                            used.insert(format!("error-{key}"));
                        } else {
                            used.insert(key.to_owned());
                        }
                    }
                }
            }
        }
        used.remove("no-such-key");
        assert!(used.len() > 50, "the scan found only {used:?}");
        for lang in ["sv", "en"] {
            let keys = ftl_keys(lang);
            let missing: Vec<_> = used.iter().filter(|k| !keys.contains(*k)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
        }
    }
}
