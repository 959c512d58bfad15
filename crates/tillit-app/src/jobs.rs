//! The background worker: jobs live in the database, so any number of instances share them
//! and each job runs once. Modules add job kinds; the platform's own is housekeeping.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tillit_domain::job::{self, Job};

use crate::{App, Result};

pub const PURGE_SESSIONS: &str = "purge_sessions";

/// How long a claimed job is reserved for its worker before another may take it over.
const LEASE: SignedDuration = SignedDuration::from_mins(5);

impl App {
    /// Queues the periodic jobs due now. The unique key names the period, so instances that
    /// schedule at the same time queue each job once.
    pub async fn schedule_periodic(&self, now: Timestamp) -> Result<()> {
        let hour = now.as_second() / 3600;
        let key = format!("{PURGE_SESSIONS}:{hour}");
        self.store()
            .enqueue_job(PURGE_SESSIONS, "{}", Some(&key), now)
            .await?;
        Ok(())
    }

    /// Claims and runs due jobs until none is left; returns how many ran.
    pub async fn run_due_jobs(&self) -> Result<usize> {
        let mut ran = 0;
        loop {
            let now = Timestamp::now();
            let Some(job) = self
                .store()
                .claim_job(&self.config().instance_id, now, now + LEASE)
                .await?
            else {
                return Ok(ran);
            };
            match self.run_job(&job).await {
                Ok(()) => self.store().complete_job(job.id, Timestamp::now()).await?,
                Err(e) => {
                    tracing::warn!(job = %job.id, kind = %job.kind, error = %e, "job failed");
                    let now = Timestamp::now();
                    self.store()
                        .fail_job(
                            job.id,
                            &e.to_string(),
                            job::retry_at(job.attempts, now),
                            now,
                        )
                        .await?;
                }
            }
            ran += 1;
        }
    }

    async fn run_job(&self, job: &Job) -> Result<()> {
        match job.kind.as_str() {
            PURGE_SESSIONS => {
                let n = self
                    .store()
                    .purge_expired_sessions(Timestamp::now())
                    .await?;
                tracing::debug!(removed = n, "expired sessions removed");
                Ok(())
            }
            other => Err(crate::AppError::Internal(format!(
                "unknown job kind {other}"
            ))),
        }
    }

    /// The worker loop of `tillit serve`; runs until the task is dropped.
    pub async fn run_worker(self, every: Duration) {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = self.schedule_periodic(Timestamp::now()).await {
                tracing::warn!(error = %e, "scheduling jobs failed");
            }
            if let Err(e) = self.run_due_jobs().await {
                tracing::warn!(error = %e, "running jobs failed");
            }
        }
    }
}
