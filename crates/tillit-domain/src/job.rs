//! Background jobs, kept in the database so several instances share one queue.

use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

/// A claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: Uuid,
    pub kind: String,
    pub payload: String,
    /// Claims so far, this one included.
    pub attempts: i64,
}

pub const MAX_ATTEMPTS: i64 = 5;

/// When a failed job runs again: 1, 4, 9, 16 minutes after; none after the last attempt.
pub fn retry_at(attempts: i64, now: Timestamp) -> Option<Timestamp> {
    (attempts < MAX_ATTEMPTS).then(|| now + SignedDuration::from_mins(attempts * attempts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_stop() {
        let now = Timestamp::UNIX_EPOCH;
        assert_eq!(retry_at(1, now), Some(now + SignedDuration::from_mins(1)));
        assert_eq!(retry_at(3, now), Some(now + SignedDuration::from_mins(9)));
        assert_eq!(retry_at(MAX_ATTEMPTS, now), None);
    }
}
