//! Delivery of monitoring alerts to a webhook, signed, retried with
//! exponential backoff until the receiver accepts them.
//!
//! Every attempt is recorded in the store, so what was delivered, when, and
//! what failed survives restarts; an alert is due again once its backoff
//! has passed since its last attempt, whichever process made it.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::config::MonitoringSettings;
use crate::record::audit::export::format_time;
use crate::record::store::{now_millis, AlertFilter, DeliveryAttempt, Millis, Store, StoredAlert};

/// The header carrying `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "X-Cartelscreen-Signature";
/// How often the sender looks for due deliveries when nothing wakes it.
const POLL: Duration = Duration::from_secs(1);
/// Alerts considered per round.
const ROUND: usize = 200;

/// The signature header's value for `body`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length; new_from_slice cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// The JSON body POSTed for an alert.
pub fn body(a: &StoredAlert) -> Vec<u8> {
    let al = &a.alert;
    json!({
        "type": "monitoring_alert",
        "id": al.id,
        "created_at": format_time(al.created_at),
        "reference": al.reference,
        "entity_id": al.entity_id,
        "list": al.list,
        "caption": al.caption,
        "score": al.score,
        "decision": al.decision,
        "flags": al.flags,
        "change": al.change,
        "changed": al.changed,
        "from_lists": al.from_lists,
        "to_lists": al.to_lists,
    })
    .to_string()
    .into_bytes()
}

/// The wait after `attempts` failures: the initial delay doubled per
/// failure, capped.
pub fn backoff(attempts: u32, initial_millis: u64, max_secs: u64) -> Millis {
    let doubled = initial_millis.saturating_mul(1u64 << attempts.saturating_sub(1).min(30));
    doubled.min(max_secs.saturating_mul(1000)) as Millis
}

/// The running sender; dropping it stops the thread at its next wake.
pub struct WebhookSender {
    wake: mpsc::Sender<()>,
}

impl WebhookSender {
    /// Starts the sender if a webhook is configured.
    /// Every attempt is recorded in the audit trail (kind
    /// `webhook_attempt`) under `context`.
    pub fn spawn(
        store: Arc<dyn Store>,
        settings: &MonitoringSettings,
        context: crate::record::audit::AuditContext,
    ) -> Option<WebhookSender> {
        if settings.webhook_url.is_empty() {
            return None;
        }
        let (wake, rx) = mpsc::channel();
        let settings = settings.clone();
        std::thread::Builder::new()
            .name("webhook".into())
            .spawn(move || send_loop(store, settings, context, rx))
            .ok()?;
        Some(WebhookSender { wake })
    }

    /// Looks for due deliveries now (new alerts were raised).
    pub fn wake(&self) {
        let _ = self.wake.send(());
    }

    /// A callback that wakes the sender, for [`crate::record::monitor::Monitor`].
    pub fn waker(&self) -> Box<dyn Fn() + Send + Sync> {
        let tx = std::sync::Mutex::new(self.wake.clone());
        Box::new(move || {
            let _ = tx.lock().unwrap_or_else(|p| p.into_inner()).send(());
        })
    }
}

fn send_loop(
    store: Arc<dyn Store>,
    settings: MonitoringSettings,
    context: crate::record::audit::AuditContext,
    wake: mpsc::Receiver<()>,
) {
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(settings.webhook_timeout_secs)).build();
    loop {
        if let Err(e) = deliver_due(&*store, &settings, &agent, &context) {
            tracing::warn!(error = %e, "webhook: cannot read pending alerts");
        }
        match wake.recv_timeout(POLL) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Attempts every alert whose backoff has passed, recording each attempt
/// (and, in the audit trail, a `webhook_attempt` record); returns how many
/// were delivered.
///
/// # Errors
///
/// [`crate::record::store::StoreError`] when the store cannot be read or
/// written; the attempts recorded before stay.
pub fn deliver_due(
    store: &dyn Store,
    settings: &MonitoringSettings,
    agent: &ureq::Agent,
    context: &crate::record::audit::AuditContext,
) -> Result<usize, crate::record::store::StoreError> {
    let mut delivered = 0;
    let mut filter = AlertFilter { undelivered: true, limit: ROUND, ..AlertFilter::default() };
    loop {
        let page = store.alerts(&filter)?;
        let now = now_millis();
        for a in &page.alerts {
            let d = &a.delivery;
            let due = match d.last_attempt_at {
                None => true,
                Some(last) => now >= last + backoff(d.attempts, settings.retry_initial_millis, settings.retry_max_secs),
            };
            if !due {
                continue;
            }
            let attempt = post(agent, settings, a);
            if attempt.delivered {
                delivered += 1;
            } else {
                tracing::warn!(alert = %a.alert.id, attempts = d.attempts + 1, error = ?attempt.error, "webhook delivery failed; will retry");
            }
            store.record_delivery(&attempt)?;
            let origin = crate::record::audit::Origin::new(
                format!("webhook-{}", uuid::Uuid::now_v7().simple()),
                "system:webhook",
                "monitoring",
            );
            let subject = serde_json::json!({
                "alert_id": attempt.alert_id,
                "delivered": attempt.delivered,
                "status": attempt.status,
                "error": attempt.error,
            });
            store.append_audit(&[context.change(&origin, "webhook_attempt", Some(&a.alert.reference), subject)])?;
        }
        match page.next {
            Some(n) => filter.after = Some(n),
            None => return Ok(delivered),
        }
    }
}

fn post(agent: &ureq::Agent, settings: &MonitoringSettings, a: &StoredAlert) -> DeliveryAttempt {
    let payload = body(a);
    let signature = sign(settings.webhook_secret.as_bytes(), &payload);
    let result = agent
        .post(&settings.webhook_url)
        .set("Content-Type", "application/json")
        .set(SIGNATURE_HEADER, &signature)
        .set("X-Cartelscreen-Alert-Id", &a.alert.id)
        .send_bytes(&payload);
    let at = now_millis();
    let alert_id = a.alert.id.clone();
    match result {
        Ok(resp) => DeliveryAttempt { alert_id, at, delivered: true, status: Some(resp.status()), error: None },
        Err(ureq::Error::Status(code, _)) => DeliveryAttempt {
            alert_id,
            at,
            delivered: false,
            status: Some(code),
            error: Some(format!("the receiver answered {code}")),
        },
        Err(e) => DeliveryAttempt { alert_id, at, delivered: false, status: None, error: Some(e.to_string()) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(backoff(1, 1000, 3600), 1000);
        assert_eq!(backoff(2, 1000, 3600), 2000);
        assert_eq!(backoff(5, 1000, 3600), 16000);
        assert_eq!(backoff(40, 1000, 3600), 3_600_000);
    }
}
