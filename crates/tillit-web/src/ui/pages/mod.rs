//! The pages, one module per menu entry, plus signing in and the language switch.

pub mod account;
pub mod assets;
pub mod audit;
pub mod classifications;
pub mod coverage;
pub mod import;
pub mod overview;
pub mod session;
pub mod units;
pub mod users;

use askama::Template;

use super::context::Layout;
use super::i18n::I18n;

/// A secret shown once (a generated password, a new API token), as the answer to the post
/// that made it: it is not kept anywhere to show after a redirect.
#[derive(Template)]
#[template(path = "secret.html")]
pub struct SecretPage {
    pub l: Layout,
    pub i: I18n,
    pub heading: String,
    pub intro: String,
    pub label: String,
    pub secret: String,
    pub next_href: String,
    pub next_label: String,
}

/// The confirmation after a redirect (`?done=renamed`): only known words are shown, each
/// from the message `done-{word}`.
pub fn done_message(here: &str, i: &I18n, known: &[&str]) -> Option<String> {
    let query = here.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| known.iter().find(|w| **w == v).copied())
        .map(|w| i.t(&format!("done-{w}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::Lang;

    #[test]
    fn only_known_confirmations_show() {
        let i = Lang::Sv.i18n();
        assert_eq!(
            done_message("/units/x?done=renamed", &i, &["renamed"]),
            Some(i.t("done-renamed"))
        );
        assert_eq!(
            done_message("/units/x?done=<script>", &i, &["renamed"]),
            None
        );
        assert_eq!(done_message("/units/x", &i, &["renamed"]), None);
    }
}
