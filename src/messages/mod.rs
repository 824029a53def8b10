//! Trade-finance and payment messages as banks hold them, read by field
//! meaning into parties and free texts to screen.
//!
//! Two formats, told apart from the content ([`parse`]):
//!
//! - SWIFT FIN (MT) text ([`mt`]), with or without the `{1:…}{2:…}{3:…}{4:…-}`
//!   blocks: documentary credits MT700, MT707, MT710, MT720, the guarantee
//!   MT760, the customer transfer MT103 and the bank transfer MT202 (with its
//!   cover form MT202 COV). Field meanings and option letters follow the
//!   SWIFT Standards MT category 1, 2 and 7 message reference guides.
//! - ISO 20022 XML ([`mx`]), with or without the business application header
//!   (`head.001`): `pacs.008` (FI to FI customer credit transfer) and
//!   `pacs.009` (FI credit transfer, with the underlying customer credit
//!   transfer of its COV form).
//!
//! These are parsers of outside input: they never panic, and a message they
//! cannot read is a [`MessageError`] naming the block, field or line.
//! Nothing here screens; [`crate::trade`] screens what they return.

pub mod mt;
pub mod mx;

use serde::Serialize;
use utoipa::ToSchema;

use crate::trade::PartyRole;

/// The message types read, as [`MessageError::Unsupported`] names them.
pub const SUPPORTED: &str =
    "MT700, MT707, MT710, MT720, MT760, MT103, MT202, MT202 COV, pacs.008, pacs.009 (and pacs.009 COV)";

/// The longest message read, in bytes (SWIFT FIN caps block 4 at 10,000
/// characters; ISO 20022 messages are larger): 1 MiB.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// Why a message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The text is not a well-formed message: `at` names the block, field
    /// and line (`block 4, field 59, line 12`, or `line 3` of the XML).
    #[error("malformed message at {at}: {reason}")]
    Malformed { at: String, reason: String },
    /// A well-formed message of a type not read here (`found` is its type,
    /// `MT940`, `camt.053.001.08`, or a description of what was seen).
    #[error("unsupported message type {found}; supported: {SUPPORTED}")]
    Unsupported { found: String },
}

impl MessageError {
    pub(crate) fn malformed(at: impl Into<String>, reason: impl Into<String>) -> MessageError {
        MessageError::Malformed { at: at.into(), reason: reason.into() }
    }
}

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// SWIFT FIN (MT) text.
    SwiftMt,
    /// ISO 20022 XML.
    Iso20022,
}

/// A message's own identification, as the answer echoes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct MessageRef {
    /// `MT700`, `MT202 COV`, `pacs.008.001.08`, `pacs.009.001.08 COV`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `swift_mt` or `iso20022`.
    #[schema(value_type = String)]
    pub format: Option<Format>,
    /// Field 20 (sender's reference, documentary credit number, undertaking
    /// number) or the group header's `MsgId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Field 21 (related reference) when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_reference: Option<String>,
    /// `PmtId/EndToEndId` of the (first) transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_to_end_id: Option<String>,
    /// `PmtId/InstrId` of the (first) transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instruction_id: Option<String>,
    /// `PmtId/TxId` of the (first) transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// The UETR: block 3 field 121, or `PmtId/UETR`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uetr: Option<String>,
    /// The sender's BIC (block 1 or 2, or the header's `Fr`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    /// The receiver's BIC (block 2, or the header's `To`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receiver: Option<String>,
}

/// A party named in a message, as its field gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    /// What it does in the message.
    pub role: PartyRole,
    /// Where: the field tag with its option letter (`59`, `50K`, `52A`,
    /// `B/59F` in sequence B of an MT202 COV) or the ISO 20022 element path
    /// (`CdtTrfTxInf/Cdtr`).
    pub at: String,
    /// The name, joined across continuation lines.
    pub name: Option<String>,
    /// Address lines, joined with `, `.
    pub address: Option<String>,
    /// ISO 3166 code given by a structured field (`3/MX/…`, `Ctry`).
    pub country: Option<String>,
    /// The BIC (option `A`, `BICFI`, `AnyBIC`), screened as an identifier.
    pub bic: Option<String>,
    /// The account or party identifier line (`/…`), not screened.
    pub account: Option<String>,
    /// Other identifiers (50F/59F lines 6 and 7, LEI, `Othr/Id`).
    pub identifiers: Vec<String>,
    /// Birth date (50F line 4, `BirthDt`), `YYYY-MM-DD`.
    pub dob: Option<String>,
    /// True for a financial institution (screened as a company).
    pub institution: bool,
}

impl Party {
    pub(crate) fn new(role: PartyRole, at: impl Into<String>, institution: bool) -> Party {
        Party { role, at: at.into(), institution, ..Party::default() }
    }

    /// Whether there is anything to screen: a name or a BIC.
    pub fn is_screenable(&self) -> bool {
        self.name.as_deref().is_some_and(|n| n.chars().any(char::is_alphanumeric)) || self.bic.is_some()
    }
}

/// A free-text field: goods, documents, conditions, instructions,
/// remittance information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The field tag (`45A`, `70`) or element path (`CdtTrfTxInf/RmtInf/Ustrd`).
    pub at: String,
    /// The text, lines joined with a space where a line ends a word and
    /// with nothing where it cuts one.
    pub text: String,
}

/// A message read by field meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Its identification.
    pub reference: MessageRef,
    /// Every party found, in message order.
    pub parties: Vec<Party>,
    /// Every free-text field, in message order.
    pub texts: Vec<Text>,
}

/// Reads one message, telling ISO 20022 XML (first non-blank character
/// `<`) from SWIFT FIN text (anything else).
///
/// # Errors
/// [`MessageError::Malformed`] for a message that cannot be read (with the
/// block, field or line), [`MessageError::Unsupported`] for a type not in
/// [`SUPPORTED`].
pub fn parse(input: &str) -> Result<Message, MessageError> {
    if input.len() > MAX_MESSAGE_BYTES {
        return Err(MessageError::malformed("the message", format!("longer than {MAX_MESSAGE_BYTES} bytes")));
    }
    let body = input.trim_start_matches('\u{feff}').trim_start();
    if body.is_empty() {
        return Err(MessageError::malformed("line 1", "the message is empty"));
    }
    if body.starts_with('<') {
        mx::parse(input)
    } else {
        mt::parse(input)
    }
}

/// Cuts a file of exported messages into messages, each with the line it
/// starts on (1-based): XML messages start at each `<?xml` declaration (or
/// the file is one message); FIN messages are separated by a line holding
/// only `$` (the RJE export format), or each starts at `{1:`, or, without
/// headers, each ends on a line holding only `-`.
pub fn split(input: &str) -> Vec<(usize, &str)> {
    let body = input.trim_start_matches('\u{feff}');
    let trimmed = body.trim_start();
    if trimmed.is_empty() {
        return Vec::new();
    }
    let line_of = |offset: usize| body[..offset].matches('\n').count() + 1;
    let mut cuts: Vec<usize> = Vec::new();
    if trimmed.starts_with('<') {
        cuts.extend(body.match_indices("<?xml").map(|(i, _)| i));
    } else if body.lines().any(|l| l.trim() == "$") {
        let mut offset = 0;
        cuts.push(0);
        for line in body.split_inclusive('\n') {
            offset += line.len();
            if line.trim() == "$" {
                cuts.push(offset);
            }
        }
        // The `$` lines themselves are dropped below as blank pieces.
        let mut pieces = Vec::new();
        for w in 0..cuts.len() {
            let start = cuts[w];
            let end = cuts.get(w + 1).copied().unwrap_or(body.len());
            let piece = &body[start..end];
            let piece = piece.trim_end().strip_suffix('$').unwrap_or(piece.trim_end());
            if !piece.trim().is_empty() {
                pieces.push((line_of(start + leading_blank(piece)), piece));
            }
        }
        return pieces;
    } else if body.contains("{1:") {
        cuts.extend(body.match_indices("{1:").map(|(i, _)| i));
    } else {
        let mut offset = 0;
        cuts.push(0);
        for line in body.split_inclusive('\n') {
            offset += line.len();
            if line.trim() == "-" {
                cuts.push(offset);
            }
        }
    }
    if cuts.first() != Some(&0) {
        cuts.insert(0, 0);
    }
    let mut pieces = Vec::new();
    for w in 0..cuts.len() {
        let (start, end) = (cuts[w], cuts.get(w + 1).copied().unwrap_or(body.len()));
        let piece = &body[start..end];
        if !piece.trim().is_empty() {
            pieces.push((line_of(start + leading_blank(piece)), piece));
        }
    }
    pieces
}

fn leading_blank(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// Whether `s` is a BIC: 4 letters (institution), 2 letters (country), 2
/// letters or digits (location), optionally 3 more (branch).
pub fn is_bic(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && b[6..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Joins the lines of a name cut at a fixed width: a full-width line
/// (`width` characters) ending in a letter or digit, followed by a line
/// that begins with one (no leading space), was cut inside a word and is
/// joined without a space; other lines with one.
pub(crate) fn join_cut(lines: &[&str], width: usize) -> String {
    let mut out = String::new();
    let mut prev_full = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if i > 0 && !out.is_empty() {
            let cut = prev_full
                && out.chars().last().is_some_and(char::is_alphanumeric)
                && line.chars().next().is_some_and(char::is_alphanumeric);
            if !cut {
                out.push(' ');
            }
        }
        out.push_str(t);
        prev_full = line.trim_end().chars().count() >= width;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bics() {
        assert!(is_bic("HAVIGB2L"));
        assert!(is_bic("HAVIGB2LXXX"));
        assert!(!is_bic("HAVIGB2"));
        assert!(!is_bic("havigb2l"));
        assert!(!is_bic("1AVIGB2L"));
    }

    #[test]
    fn cut_words_are_joined() {
        let a = "COMERCIALIZADORA DE PRODUCTOS QUIMI";
        assert_eq!(a.len(), 35);
        assert_eq!(join_cut(&[a, "COS DEL PACIFICO"], 35), "COMERCIALIZADORA DE PRODUCTOS QUIMICOS DEL PACIFICO");
        assert_eq!(join_cut(&["ACME", "TRADING"], 35), "ACME TRADING");
        // A continuation line that begins with a space starts a new word.
        assert_eq!(join_cut(&[a, " COS"], 35), "COMERCIALIZADORA DE PRODUCTOS QUIMI COS");
    }

    #[test]
    fn files_split_into_messages() {
        let t = "{1:F01AAAABBCCXXXX0000000000}{4:\n:20:A\n-}\n{1:F01AAAABBCCXXXX0000000000}{4:\n:20:B\n-}\n";
        let p = split(t);
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].0, 4);
        let t = ":20:A\n:59:X\n-\n:20:B\n:59:Y\n-\n";
        assert_eq!(split(t).len(), 2);
        let t = "{1:F01AAAABBCCXXXX0000000000}{4:\n:20:A\n-}\n$\n{1:F01AAAABBCCXXXX0000000000}{4:\n:20:B\n-}$";
        let p = split(t);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[1].1.starts_with("{1:"), "{p:?}");
        assert!(split("  \n").is_empty());
    }
}
