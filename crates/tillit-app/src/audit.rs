//! Browsing and verifying the audit log.

use tillit_domain::audit::{AuditFilter, AuditRecord, ChainError, ChainVerifier};
use tillit_domain::{Permission, Scope};
use tillit_store::Store;

use crate::{App, AppError, Caller, Result};

pub const PAGE_MAX: i64 = 200;

impl App {
    pub async fn list_audit(
        &self,
        caller: &Caller,
        mut filter: AuditFilter,
    ) -> Result<Vec<AuditRecord>> {
        if !caller.can(Permission::ReadAudit) {
            return Err(AppError::Forbidden);
        }
        filter.limit = filter.limit.clamp(1, PAGE_MAX);
        Ok(self
            .store()
            .list_audit(&caller.scope(Permission::ReadAudit), &filter)
            .await?)
    }
}

/// The outcome of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub records: i64,
    pub head_hash: String,
}

/// Walks the whole chain in pages; `Err(ChainError)` tells where it breaks.
pub async fn verify(store: &Store) -> Result<Result<Verified, ChainError>> {
    let system = Scope::system();
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    let mut last_hash = tillit_domain::audit::GENESIS_HASH.to_owned();
    loop {
        let page = store.audit_chain_page(&system, after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        last_hash = last.hash.clone();
        for r in &page {
            if let Err(e) = verifier.push(r) {
                return Ok(Err(e));
            }
        }
    }
    let head = store.audit_head().await?;
    Ok(verifier.finish(head).map(|records| Verified {
        records,
        head_hash: last_hash,
    }))
}
