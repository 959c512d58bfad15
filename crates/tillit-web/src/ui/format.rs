//! Showing times (Swedish local time) and audit payloads.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::Value;

fn stockholm() -> TimeZone {
    static TZ: std::sync::OnceLock<TimeZone> = std::sync::OnceLock::new();
    TZ.get_or_init(|| TimeZone::get("Europe/Stockholm").unwrap_or(TimeZone::UTC))
        .clone()
}

/// Today's date in Europe/Stockholm, the day the users live in.
pub fn today() -> jiff::civil::Date {
    Timestamp::now().to_zoned_datetime(stockholm()).date()
}

/// `2026-03-29 14:05` in Europe/Stockholm.
pub fn local_time(ts: Timestamp) -> String {
    ts.to_zoned_datetime(stockholm())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// For `<time datetime>`: the instant with its offset, e.g. `2026-03-29T14:05:00+02:00`.
pub fn machine_time(ts: Timestamp) -> String {
    ts.to_zoned_datetime(stockholm())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// A change as `before → after` in compact JSON. When both sides are objects only the keys
/// that differ are shown, so a rename reads `{"name":"A"}` → `{"name":"B"}`.
pub fn change(before: Option<&str>, after: Option<&str>) -> (String, String) {
    let parse = |s: Option<&str>| s.and_then(|s| serde_json::from_str::<Value>(s).ok());
    match (parse(before), parse(after)) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let keys: Vec<&String> = b
                .keys()
                .chain(a.keys().filter(|k| !b.contains_key(*k)))
                .filter(|k| b.get(*k) != a.get(*k))
                .collect();
            if keys.is_empty() {
                return (Value::Object(b).to_string(), Value::Object(a).to_string());
            }
            let pick = |m: &serde_json::Map<String, Value>| {
                let sub: serde_json::Map<String, Value> = keys
                    .iter()
                    .filter_map(|k| m.get(*k).map(|v| ((*k).clone(), v.clone())))
                    .collect();
                Value::Object(sub).to_string()
            };
            (pick(&b), pick(&a))
        }
        // One side only (created, removed): the empty fields say nothing.
        (b, a) => {
            let show = |v: Option<Value>| match v {
                Some(Value::Object(m)) => {
                    Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect()).to_string()
                }
                Some(v) => v.to_string(),
                None => String::new(),
            };
            (show(b), show(a))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_swedish_local_time() {
        // Winter: UTC+1; summer: UTC+2.
        let winter: Timestamp = "2026-01-15T12:00:00Z".parse().unwrap();
        let summer: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
        assert_eq!(local_time(winter), "2026-01-15 13:00");
        assert_eq!(local_time(summer), "2026-07-01 14:00");
        assert_eq!(machine_time(summer), "2026-07-01T14:00:00+02:00");
    }

    #[test]
    fn changes_show_only_what_differs() {
        let (b, a) = change(
            Some(r#"{"id":"1","name":"A","kind":"section"}"#),
            Some(r#"{"id":"1","name":"B","kind":"section"}"#),
        );
        assert_eq!(
            (b.as_str(), a.as_str()),
            (r#"{"name":"A"}"#, r#"{"name":"B"}"#)
        );
        let (b, a) = change(None, Some(r#"{ "x": 1, "closed_at": null }"#));
        assert_eq!((b.as_str(), a.as_str()), ("", r#"{"x":1}"#));
        let (b, a) = change(Some(r#"{"a":1}"#), Some(r#"{"a":1,"b":2}"#));
        assert_eq!((b.as_str(), a.as_str()), ("{}", r#"{"b":2}"#));
    }
}
