//! The audit log: append-only and hash-chained. Each record's hash covers its own fields and
//! the previous record's hash, so changing or deleting a row breaks the chain from there on.
//! The newest hash (the head) is also kept apart, so cutting rows off the end shows too.

use crate::{UnitId, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The hash before the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const MASK: &str = "***";

/// What the app asks to record; the store gives it a sequence number, time and hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub actor_id: Option<UserId>,
    /// Who acted, as shown to people: the username, or `system`.
    pub actor_label: String,
    /// A stable dotted name, e.g. `unit.create`, `user.login_failed`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The unit the record belongs to, which decides who may read it.
    pub unit_id: Option<UnitId>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl AuditEvent {
    pub fn new(
        actor_id: Option<UserId>,
        actor_label: impl Into<String>,
        action: impl Into<String>,
        entity_type: impl Into<String>,
        entity_id: impl ToString,
    ) -> Self {
        Self {
            actor_id,
            actor_label: actor_label.into(),
            action: action.into(),
            entity_type: entity_type.into(),
            entity_id: entity_id.to_string(),
            unit_id: None,
            before: None,
            after: None,
        }
    }

    pub fn unit(mut self, unit_id: Option<UnitId>) -> Self {
        self.unit_id = unit_id;
        self
    }

    /// Before and after are masked here, so no caller can forget to.
    pub fn change<B: Serialize, A: Serialize>(
        mut self,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Self {
        self.before = before.map(|b| mask_secrets(serde_json::to_value(b).unwrap_or(Value::Null)));
        self.after = after.map(|a| mask_secrets(serde_json::to_value(a).unwrap_or(Value::Null)));
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub seq: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub actor_id: Option<UserId>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub unit_id: Option<UnitId>,
    /// JSON text, exactly as hashed.
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// A filter for browsing the audit log, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub unit_id: Option<UnitId>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Only records older than this sequence number (keyset paging).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// Turns an event's payload into the text that is stored and hashed.
pub fn payload_text(value: &Option<Value>) -> Option<String> {
    value.as_ref().map(Value::to_string)
}

/// The hash of a record: SHA-256 over the previous hash and a canonical JSON array of the
/// record's fields (fixed order, time in microseconds, so both databases agree).
pub fn record_hash(r: &AuditRecord) -> String {
    let canonical = serde_json::json!([
        r.seq,
        r.at.as_microsecond(),
        r.actor_id.map(|u| u.to_string()),
        r.actor_label,
        r.action,
        r.entity_type,
        r.entity_id,
        r.unit_id.map(|u| u.to_string()),
        r.before,
        r.after,
    ]);
    let mut h = Sha256::new();
    h.update(r.prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// Builds the next record of the chain.
pub fn seal(event: &AuditEvent, seq: i64, at: Timestamp, prev_hash: &str) -> AuditRecord {
    let mut r = AuditRecord {
        seq,
        // Truncated to what both databases store.
        at: Timestamp::from_microsecond(at.as_microsecond()).unwrap_or(at),
        actor_id: event.actor_id,
        actor_label: event.actor_label.clone(),
        action: event.action.clone(),
        entity_type: event.entity_type.clone(),
        entity_id: event.entity_id.clone(),
        unit_id: event.unit_id,
        before: payload_text(&event.before),
        after: payload_text(&event.after),
        prev_hash: prev_hash.to_owned(),
        hash: String::new(),
    };
    r.hash = record_hash(&r);
    r
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("record {seq}: expected sequence number {expected} (a record is missing)")]
    Gap { seq: i64, expected: i64 },
    #[error("record {seq}: does not link to the record before it")]
    BrokenLink { seq: i64 },
    #[error("record {seq}: its content does not match its hash (it was changed)")]
    Altered { seq: i64 },
    #[error(
        "the chain ends at record {last} with hash {found}, but the head says {head_seq} / {head_hash}"
    )]
    HeadMismatch {
        last: i64,
        found: String,
        head_seq: i64,
        head_hash: String,
    },
}

/// Walks the chain incrementally, so a large log can be verified in pages.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainError> {
        if r.seq != self.expected_seq {
            return Err(ChainError::Gap {
                seq: r.seq,
                expected: self.expected_seq,
            });
        }
        if r.prev_hash != self.prev_hash {
            return Err(ChainError::BrokenLink { seq: r.seq });
        }
        if record_hash(r) != r.hash {
            return Err(ChainError::Altered { seq: r.seq });
        }
        self.expected_seq += 1;
        self.prev_hash = r.hash.clone();
        Ok(())
    }

    /// Checks the end of the chain against the separately kept head; returns how many
    /// records were verified.
    pub fn finish(self, head: Option<(i64, String)>) -> Result<i64, ChainError> {
        let last = self.expected_seq - 1;
        let (head_seq, head_hash) = head.unwrap_or((0, GENESIS_HASH.to_owned()));
        if head_seq != last || head_hash != self.prev_hash {
            return Err(ChainError::HeadMismatch {
                last,
                found: self.prev_hash,
                head_seq,
                head_hash,
            });
        }
        Ok(last)
    }
}

fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "password",
        "secret",
        "token",
        "hash",
        "credential",
        "private_key",
        "api_key",
    ]
    .iter()
    .any(|s| k.contains(s))
}

/// Replaces the values of secret-looking keys, at any depth, so they never reach the log.
pub fn mask_secrets(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    if is_secret_key(&k) && !v.is_null() {
                        (k, Value::String(MASK.to_owned()))
                    } else {
                        (k, mask_secrets(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(mask_secrets).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let ev = AuditEvent::new(None, "system", "unit.create", "unit", seq).change(
                    None::<&Value>,
                    Some(&json!({"name": format!("Enhet {seq}")})),
                );
                let r = seal(
                    &ev,
                    seq,
                    Timestamp::from_second(1_700_000_000 + seq).unwrap(),
                    &prev,
                );
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn verify(records: &[AuditRecord], head: Option<(i64, String)>) -> Result<i64, ChainError> {
        let mut v = ChainVerifier::default();
        for r in records {
            v.push(r)?;
        }
        v.finish(head)
    }

    fn head(records: &[AuditRecord]) -> Option<(i64, String)> {
        records.last().map(|r| (r.seq, r.hash.clone()))
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, head(&c)), Ok(5));
        assert_eq!(verify(&[], None), Ok(0));
    }

    #[test]
    fn a_changed_field_is_found() {
        let mut c = chain(5);
        let h = head(&c);
        c[2].after = Some(json!({"name": "Ändrad"}).to_string());
        assert_eq!(verify(&c, h), Err(ChainError::Altered { seq: 3 }));
    }

    #[test]
    fn a_rehashed_record_breaks_the_next_link() {
        let mut c = chain(5);
        let h = head(&c);
        c[2].actor_label = "mallory".into();
        c[2].hash = record_hash(&c[2]);
        assert_eq!(verify(&c, h), Err(ChainError::BrokenLink { seq: 4 }));
    }

    #[test]
    fn a_deleted_record_is_found() {
        let mut c = chain(5);
        let h = head(&c);
        c.remove(1);
        assert_eq!(
            verify(&c, h),
            Err(ChainError::Gap {
                seq: 3,
                expected: 2
            })
        );
    }

    #[test]
    fn a_cut_tail_is_found_by_the_head() {
        let mut c = chain(5);
        let h = head(&c);
        c.pop();
        assert!(matches!(
            verify(&c, h),
            Err(ChainError::HeadMismatch { last: 4, .. })
        ));
    }

    #[test]
    fn secrets_are_masked_at_any_depth() {
        let v = mask_secrets(json!({
            "username": "anna",
            "password_hash": "$argon2id$...",
            "nested": [{"client_secret": "s3cret", "name": "x"}],
            "token": null
        }));
        assert_eq!(v["username"], "anna");
        assert_eq!(v["password_hash"], "***");
        assert_eq!(v["nested"][0]["client_secret"], "***");
        assert_eq!(v["nested"][0]["name"], "x");
        assert_eq!(v["token"], Value::Null);
    }
}
