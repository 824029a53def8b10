//! Sign-in sessions of the web workspace: an API key is exchanged once for a
//! random session token held in an `HttpOnly`, `SameSite=Strict` cookie, so
//! the key never sits in the browser. A session ends when unused for
//! `ui.session_idle_secs`, `ui.session_max_secs` after sign-in, or on
//! sign-out. Each carries its own CSRF token, which every form posts back.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;

use crate::config::{Scope, UiSettings};
use crate::http::apikey;

/// The cookie holding the session token.
pub const SESSION_COOKIE: &str = "cs_session";
/// The cookie holding the sign-in form's CSRF token (double submit: no
/// session exists yet).
pub const SIGNIN_COOKIE: &str = "cs_signin";

/// One signed-in analyst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The API key's id (`anonymous@<address>` with keys off).
    pub key_id: String,
    /// What the key may do, as on the API.
    pub scopes: Vec<Scope>,
    /// Posted back by every form of this session; 64 hex digits.
    pub csrf: String,
    started: Instant,
    last_seen: Instant,
}

impl Session {
    /// Whether the session's key has `scope`.
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// The sessions of this process, by the SHA-256 of their token (a memory
/// dump does not hand out live tokens).
#[derive(Debug)]
pub struct Sessions {
    by_hash: Mutex<HashMap<String, Session>>,
    idle: Duration,
    max: Duration,
    cap: usize,
}

/// 32 random bytes as 64 hex digits.
///
/// # Errors
/// When the operating system's random source fails.
pub fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares two tokens in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Sessions {
    pub fn new(settings: &UiSettings) -> Sessions {
        Sessions {
            by_hash: Mutex::new(HashMap::new()),
            idle: Duration::from_secs(settings.session_idle_secs),
            max: Duration::from_secs(settings.session_max_secs),
            cap: settings.max_sessions,
        }
    }

    /// Starts a session for `key_id` with `scopes`; returns its token. Ends
    /// expired sessions, and the oldest when `ui.max_sessions` are open.
    ///
    /// # Errors
    /// When no random token can be made.
    pub fn start(&self, key_id: &str, scopes: &[Scope]) -> Result<(String, Session), getrandom::Error> {
        self.start_at(key_id, scopes, Instant::now())
    }

    fn start_at(&self, key_id: &str, scopes: &[Scope], now: Instant) -> Result<(String, Session), getrandom::Error> {
        let token = random_token()?;
        let session = Session {
            key_id: key_id.to_string(),
            scopes: scopes.to_vec(),
            csrf: random_token()?,
            started: now,
            last_seen: now,
        };
        let mut map = self.by_hash.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, s| self.live(s, now));
        while map.len() >= self.cap {
            let Some(oldest) = map.iter().min_by_key(|(_, s)| s.started).map(|(k, _)| k.clone()) else { break };
            map.remove(&oldest);
        }
        map.insert(apikey::hash(&token), session.clone());
        Ok((token, session))
    }

    fn live(&self, s: &Session, now: Instant) -> bool {
        now.duration_since(s.last_seen) < self.idle && now.duration_since(s.started) < self.max
    }

    /// The live session of `token`, marked as used now; `None` when unknown
    /// or expired (an expired one is ended).
    pub fn find(&self, token: &str) -> Option<Session> {
        self.find_at(token, Instant::now())
    }

    fn find_at(&self, token: &str, now: Instant) -> Option<Session> {
        let key = apikey::hash(token);
        let mut map = self.by_hash.lock().unwrap_or_else(|p| p.into_inner());
        let live = self.live(map.get(&key)?, now);
        if !live {
            map.remove(&key);
            return None;
        }
        let s = map.get_mut(&key)?;
        s.last_seen = now;
        Some(s.clone())
    }

    /// Ends the session of `token`, if any.
    pub fn end(&self, token: &str) {
        self.by_hash.lock().unwrap_or_else(|p| p.into_inner()).remove(&apikey::hash(token));
    }

    /// Open sessions (expired ones not yet swept included).
    pub fn len(&self) -> usize {
        self.by_hash.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(idle: u64, max: u64, cap: usize) -> UiSettings {
        let mut s = crate::config::Settings::defaults().ui;
        s.session_idle_secs = idle;
        s.session_max_secs = max;
        s.max_sessions = cap;
        s
    }

    #[test]
    fn a_session_lives_while_used_and_ends_idle_or_old() {
        let sessions = Sessions::new(&settings(10, 25, 100));
        let t0 = Instant::now();
        let (token, s) = sessions.start_at("desk", &[Scope::Screen], t0).unwrap();
        assert_eq!(token.len(), 64);
        assert_ne!(token, s.csrf);
        assert!(sessions.find_at(&token, t0 + Duration::from_secs(9)).is_some());
        assert!(sessions.find_at(&token, t0 + Duration::from_secs(18)).is_some(), "use renews the idle time");
        assert!(sessions.find_at(&token, t0 + Duration::from_secs(26)).is_none(), "absolute expiry");
        assert!(sessions.is_empty(), "an expired session is ended");

        let (token, _) = sessions.start_at("desk", &[Scope::Screen], t0).unwrap();
        assert!(sessions.find_at(&token, t0 + Duration::from_secs(11)).is_none(), "idle expiry");
        assert!(sessions.find_at("not-a-token", t0).is_none());
    }

    #[test]
    fn sign_out_ends_the_session_and_the_cap_ends_the_oldest() {
        let sessions = Sessions::new(&settings(100, 100, 2));
        let t0 = Instant::now();
        let (a, _) = sessions.start_at("a", &[], t0).unwrap();
        let (b, _) = sessions.start_at("b", &[], t0 + Duration::from_secs(1)).unwrap();
        let (c, _) = sessions.start_at("c", &[], t0 + Duration::from_secs(2)).unwrap();
        assert!(sessions.find_at(&a, t0 + Duration::from_secs(3)).is_none());
        assert!(sessions.find_at(&b, t0 + Duration::from_secs(3)).is_some());
        sessions.end(&c);
        assert!(sessions.find_at(&c, t0 + Duration::from_secs(3)).is_none());
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "ab"));
        assert!(!same_token("", ""));
    }
}
