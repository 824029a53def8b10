//! SWIFT FIN (MT) messages: the blocks, the fields of block 4, and what
//! each field means in each message type read here.
//!
//! Block 4 is a sequence of fields, each starting on a line `:TAG:` where
//! `TAG` is two digits and an optional option letter (`20`, `50K`, `52A`);
//! the lines that follow, up to the next tag, continue it. The option letter
//! decides the form of a party field: `A` a BIC (an optional `/account`
//! line, then the BIC), `F` a structured party (lines `1/` name, `2/`
//! address, `3/` country and town, `4/` birth date, `6/` and `7/`
//! identifiers), `B` a location and `C` an account only (nothing to screen),
//! `D`, `K` or no letter name and address lines (the first may be an
//! account `/…`). Lines are at most 35 characters, so names are joined
//! across them (see [`super::join_cut`]).
//!
//! Field meanings follow the SWIFT Standards MT message reference guides
//! (category 1 for MT103, category 2 for MT202 and MT202 COV, category 7 for
//! MT700, MT707, MT710, MT720 and MT760).

use super::{is_bic, join_cut, Format, Message, MessageError, MessageRef, Party, Text};
use crate::trade::PartyRole;

/// The width of a FIN line of name and address, and of short narrative
/// (`4*35x`, `6*35x`).
const LINE: usize = 35;

/// The line width of a narrative field (`tag` with its option letter):
/// 65 for the long narratives of category 7 (`45A`, `46A`, `47A` and their
/// `B` forms, `49G`, `49H`, `45C`, `77U`, `77L` and `77C`: `100*65x` or
/// `150*65z`; `78`: `12*65x`), 50 for `79`/`79Z` (`35*50x`), 140 for the
/// one-line `44A`/`44B` (`1*140z`), [`LINE`] for the rest.
fn text_width(tag: &str) -> usize {
    match tag {
        "45A" | "45B" | "46A" | "46B" | "47A" | "47B" | "49G" | "49H" | "45C" | "77U" | "77L" | "77C" | "78" => 65,
        "79" | "79Z" => 50,
        "44A" | "44B" => 140,
        _ => LINE,
    }
}

/// One field of block 4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The tag with its option letter: `59`, `50K`.
    pub tag: String,
    /// The 1-based line of the input the field starts on.
    pub line: usize,
    /// Its lines, without the tag.
    pub lines: Vec<String>,
}

impl Field {
    /// The two digits of the tag.
    pub fn number(&self) -> &str {
        &self.tag[..2]
    }

    /// The option letter, if any.
    pub fn option(&self) -> Option<char> {
        self.tag[2..].chars().next()
    }
}

/// The message types read here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MtType {
    Mt700,
    Mt707,
    Mt710,
    Mt720,
    Mt760,
    Mt103,
    Mt202,
    Mt202Cov,
}

impl MtType {
    fn name(self) -> &'static str {
        match self {
            MtType::Mt700 => "MT700",
            MtType::Mt707 => "MT707",
            MtType::Mt710 => "MT710",
            MtType::Mt720 => "MT720",
            MtType::Mt760 => "MT760",
            MtType::Mt103 => "MT103",
            MtType::Mt202 => "MT202",
            MtType::Mt202Cov => "MT202 COV",
        }
    }
}

/// The blocks of a FIN message, as text.
#[derive(Debug, Default)]
struct Blocks<'a> {
    b1: Option<&'a str>,
    b2: Option<&'a str>,
    b3: Option<&'a str>,
    /// Block 4's text and the byte offset it starts at.
    b4: Option<(&'a str, usize)>,
}

fn line_at(input: &str, offset: usize) -> usize {
    input.as_bytes()[..offset.min(input.len())].iter().filter(|b| **b == b'\n').count() + 1
}

/// Splits `{n:…}` blocks; block 3 and 5 nest `{tag:value}` pairs, block 4
/// ends at `-}`.
fn blocks(input: &str) -> Result<Blocks<'_>, MessageError> {
    let mut out = Blocks::default();
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if bytes[i] != b'{' {
            return Err(MessageError::malformed(
                format!("line {}", line_at(input, i)),
                "text outside the blocks (a block starts with `{n:`)",
            ));
        }
        let Some(colon) = input[i..].find(':').map(|c| c + i) else {
            return Err(MessageError::malformed(format!("line {}", line_at(input, i)), "a block without `:`"));
        };
        let id = &input[i + 1..colon];
        let at = |what: &str| format!("block {id}, line {}: {what}", line_at(input, i));
        let seen = match id {
            "1" => out.b1.is_some(),
            "2" => out.b2.is_some(),
            "3" => out.b3.is_some(),
            "4" => out.b4.is_some(),
            _ => false,
        };
        if seen {
            return Err(MessageError::malformed(
                format!("block {id}, line {}", line_at(input, i)),
                "a second message starts here (one message per request; the command line reads files of several)",
            ));
        }
        match id {
            "1" | "2" => {
                let end = input[colon..].find('}').map(|e| e + colon).ok_or_else(|| {
                    MessageError::malformed(
                        format!("block {id}, line {}", line_at(input, i)),
                        "the block is not closed",
                    )
                })?;
                let v = &input[colon + 1..end];
                if id == "1" {
                    out.b1 = Some(v);
                } else {
                    out.b2 = Some(v);
                }
                i = end + 1;
            }
            "3" | "5" => {
                let mut depth = 0usize;
                let mut end = None;
                for (k, c) in input[i..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                end = Some(i + k);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let end = end.ok_or_else(|| {
                    MessageError::malformed(
                        format!("block {id}, line {}", line_at(input, i)),
                        "the block is not closed",
                    )
                })?;
                if id == "3" {
                    out.b3 = Some(&input[colon + 1..end]);
                }
                i = end + 1;
            }
            "4" => {
                let start = colon + 1;
                let end = input[start..].find("-}").map(|e| e + start).ok_or_else(|| {
                    MessageError::malformed(
                        format!("block 4, line {}", line_at(input, i)),
                        "block 4 does not end with `-}`",
                    )
                })?;
                out.b4 = Some((&input[start..end], start));
                i = end + 2;
            }
            _ => return Err(MessageError::malformed(at("unknown block"), format!("`{{{id}:` is not a FIN block"))),
        }
    }
    Ok(out)
}

/// Whether `line` starts a field: `:NN:` or `:NNa:`.
fn tag_of(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(':')?;
    let end = rest.find(':')?;
    let tag = &rest[..end];
    let b = tag.as_bytes();
    let ok = (b.len() == 2 || b.len() == 3)
        && b[0].is_ascii_digit()
        && b[1].is_ascii_digit()
        && (b.len() == 2 || b[2].is_ascii_uppercase());
    ok.then(|| (tag, &rest[end + 1..]))
}

/// The fields of block 4 (`text`, starting at byte `offset` of `input`).
///
/// # Errors
/// [`MessageError::Malformed`] for text before the first field, a control
/// character, or a field with nothing in it.
pub fn fields(input: &str, text: &str, offset: usize) -> Result<Vec<Field>, MessageError> {
    let first_line = line_at(input, offset);
    let mut fields: Vec<Field> = Vec::new();
    for (n, raw) in text.split('\n').enumerate() {
        let line_no = first_line + n;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(c) = line.chars().find(|c| c.is_control() && *c != '\t') {
            let at = match fields.last() {
                Some(f) => format!("block 4, field {}, line {line_no}", f.tag),
                None => format!("block 4, line {line_no}"),
            };
            return Err(MessageError::malformed(at, format!("control character U+{:04X}", c as u32)));
        }
        if let Some((tag, value)) = tag_of(line) {
            fields.push(Field { tag: tag.to_string(), line: line_no, lines: vec![value.to_string()] });
        } else if line.trim().is_empty() {
            continue;
        } else if line.trim() == "-" && fields.last().is_some() {
            // The end of a message exported without its blocks.
            break;
        } else if let Some(f) = fields.last_mut() {
            f.lines.push(line.to_string());
        } else {
            return Err(MessageError::malformed(
                format!("block 4, line {line_no}"),
                format!("text before the first field (a field starts with `:TAG:`): `{}`", clip(line)),
            ));
        }
    }
    for f in &mut fields {
        while f.lines.last().is_some_and(|l| l.trim().is_empty()) {
            f.lines.pop();
        }
        // 15A, 15B… are sequence markers, empty by definition.
        if f.lines.iter().all(|l| l.trim().is_empty()) && f.number() != "15" {
            return Err(MessageError::malformed(
                format!("block 4, field {}, line {}", f.tag, f.line),
                "the field is empty",
            ));
        }
    }
    if fields.is_empty() {
        return Err(MessageError::malformed(format!("block 4, line {first_line}"), "no fields"));
    }
    Ok(fields)
}

fn clip(s: &str) -> String {
    let mut c: String = s.chars().take(40).collect();
    if c.len() < s.len() {
        c.push('…');
    }
    c
}

/// The BIC of a 12-character logical terminal address (BIC8, terminal
/// letter, branch).
fn bic_of_lt(lt: &str) -> Option<String> {
    if lt.len() < 12 || !lt.is_char_boundary(8) || !lt.is_char_boundary(9) || !lt.is_char_boundary(12) {
        return None;
    }
    let bic = format!("{}{}", &lt[..8], &lt[9..12]);
    is_bic(&bic).then_some(bic)
}

/// Reads one FIN message.
///
/// # Errors
/// As [`super::parse`].
pub fn parse(input: &str) -> Result<Message, MessageError> {
    let trimmed = input.trim_start_matches('\u{feff}');
    let lead = input.len() - trimmed.len();
    let headed = trimmed.trim_start().starts_with('{');
    let (b, fields) = if headed {
        let b = blocks(input)?;
        let (text, offset) = b.b4.ok_or_else(|| MessageError::malformed("block 4", "the message has no block 4"))?;
        let f = fields(input, text, offset)?;
        (b, f)
    } else {
        (Blocks::default(), fields(input, &input[lead..], lead)?)
    };
    let mut reference = MessageRef { format: Some(Format::SwiftMt), ..MessageRef::default() };
    let mut declared: Option<String> = None;
    if let Some(b1) = b.b1 {
        if b1.len() < 15 || !b1.is_char_boundary(3) || !b1.is_char_boundary(15) {
            return Err(MessageError::malformed("block 1", "too short for an application identifier and address"));
        }
    }
    let lt1 = b.b1.and_then(|b1| b1.get(3..15)).and_then(bic_of_lt);
    // Where the sender and receiver are read from.
    let (mut sender_at, mut receiver_at) = ("block 1", "block 2");
    if let Some(b2) = b.b2 {
        let io = b2.chars().next();
        let ty = b2.get(1..4).filter(|t| t.bytes().all(|c| c.is_ascii_digit()));
        let Some(ty) = ty else {
            return Err(MessageError::malformed("block 2", "no message type (`I` or `O` and three digits)"));
        };
        declared = Some(ty.to_string());
        match io {
            Some('I') => {
                reference.sender = lt1;
                reference.receiver = b2.get(4..16).and_then(bic_of_lt);
            }
            Some('O') => {
                (sender_at, receiver_at) = ("block 2", "block 1");
                reference.receiver = lt1;
                reference.sender = b2.get(14..26).and_then(bic_of_lt);
            }
            _ => return Err(MessageError::malformed("block 2", "must start with `I` (input) or `O` (output)")),
        }
    } else {
        reference.sender = lt1;
    }
    let mut cov = false;
    if let Some(b3) = b.b3 {
        if let Some(u) = inner_tag(b3, "121") {
            reference.uetr = Some(u.to_string());
        }
        cov = inner_tag(b3, "119").is_some_and(|v| v == "COV");
    }
    let has = |n: &str| fields.iter().any(|f| f.number() == n);
    let ty = match declared.as_deref() {
        Some("700") => MtType::Mt700,
        Some("707") => MtType::Mt707,
        Some("710") => MtType::Mt710,
        Some("720") => MtType::Mt720,
        Some("760") => MtType::Mt760,
        Some("103") => MtType::Mt103,
        Some("202") if cov || (has("50") && has("59")) => MtType::Mt202Cov,
        Some("202") => MtType::Mt202,
        Some(other) => return Err(MessageError::Unsupported { found: format!("MT{other}") }),
        None => detect(&fields)?,
    };
    reference.kind = ty.name().to_string();
    let mut parties = Vec::new();
    for (bic, role, at) in
        [(&reference.sender, PartyRole::Sender, sender_at), (&reference.receiver, PartyRole::Receiver, receiver_at)]
    {
        if let Some(bic) = bic {
            parties.push(Party { bic: Some(bic.clone()), ..Party::new(role, at, true) });
        }
    }
    let mut texts = Vec::new();
    let mut seq_b = false;
    for f in &fields {
        if ty == MtType::Mt202Cov && f.number() == "50" {
            seq_b = true;
        }
        let at = if seq_b { format!("B/{}", f.tag) } else { f.tag.clone() };
        match meaning(ty, f.number(), seq_b) {
            Meaning::Reference => {
                if reference.reference.is_none() {
                    reference.reference = Some(f.lines.join(" ").trim().to_string());
                }
            }
            Meaning::Related => {
                if reference.related_reference.is_none() {
                    reference.related_reference = Some(f.lines.join(" ").trim().to_string());
                }
            }
            Meaning::Party(role, institution) => {
                if let Some(p) = party(f, role, at, institution)? {
                    parties.push(p);
                }
            }
            Meaning::Text => {
                let lines: Vec<&str> = f.lines.iter().map(String::as_str).collect();
                texts.push(Text { at, text: join_cut(&lines, text_width(&f.tag)) });
            }
            Meaning::Ignore => {}
        }
    }
    if reference.reference.is_none() {
        return Err(MessageError::malformed("block 4", "field 20 (the sender's reference) is missing"));
    }
    Ok(Message { reference, parties, texts })
}

/// `{tag:value}` inside block 3.
fn inner_tag<'a>(block: &'a str, tag: &str) -> Option<&'a str> {
    let key = format!("{{{tag}:");
    let start = block.find(&key)? + key.len();
    let end = block[start..].find('}')? + start;
    Some(block[start..end].trim())
}

/// The type of a message sent without its blocks, from its fields.
fn detect(fields: &[Field]) -> Result<MtType, MessageError> {
    let has = |n: &str| fields.iter().any(|f| f.number() == n);
    let has_tag = |t: &str| fields.iter().any(|f| f.tag == t);
    Ok(if has_tag("26E") {
        MtType::Mt707
    } else if has_tag("40A") {
        MtType::Mt700
    } else if has_tag("40B") {
        MtType::Mt710
    } else if has("77") || has_tag("22D") || has_tag("15A") {
        MtType::Mt760
    } else if has_tag("23B") || has_tag("71A") {
        MtType::Mt103
    } else if has("58") && has("50") && has("59") {
        MtType::Mt202Cov
    } else if has("58") {
        MtType::Mt202
    } else {
        return Err(MessageError::Unsupported {
            found: "a FIN message without block 2 whose fields match none of the types read here".into(),
        });
    })
}

enum Meaning {
    Reference,
    Related,
    /// A party: its role, and whether it is a financial institution.
    Party(PartyRole, bool),
    Text,
    Ignore,
}

/// What field `n` means in a message of type `ty` (`seq_b`: in sequence B
/// of an MT202 COV, the underlying customer credit transfer).
fn meaning(ty: MtType, n: &str, seq_b: bool) -> Meaning {
    use Meaning::{Ignore, Party as P, Reference, Related, Text as T};
    use MtType::*;
    use PartyRole as R;
    match (ty, n) {
        (_, "20") => Reference,
        (_, "21") if !seq_b => Related,
        (Mt700 | Mt707 | Mt710 | Mt720, _) => match n {
            "50" => P(if ty == Mt720 { R::FirstBeneficiary } else { R::Applicant }, false),
            "59" => P(if ty == Mt720 { R::SecondBeneficiary } else { R::Beneficiary }, false),
            "51" => P(R::ApplicantBank, true),
            "52" => P(R::IssuingBank, true),
            "41" => P(R::AvailableWith, true),
            "42" => P(R::Drawee, true),
            "53" => P(R::ReimbursingBank, true),
            "57" => P(R::AdviseThroughBank, true),
            "58" => P(R::RequestedConfirmationParty, true),
            // 44A place of taking in charge, 44B final destination, 44E port
            // of loading, 44F port of discharge; 45 goods, 46 documents, 47
            // additional conditions (A in the credit, B in an amendment); 71D
            // charges; 72Z and 78 instructions; 79Z narrative; 49G/49H
            // special payment conditions.
            "44" | "45" | "46" | "47" | "49" | "71" | "72" | "78" | "79" => T,
            _ => Ignore,
        },
        (Mt760, _) => match n {
            "50" => P(R::Applicant, false),
            "51" => P(R::Obligor, false),
            "52" => P(R::IssuingBank, true),
            "56" => P(R::AdvisingBank, true),
            "57" => P(R::AdviseThroughBank, true),
            "58" => P(R::ConfirmingBank, true),
            "59" => P(R::Beneficiary, false),
            // 45C underlying transaction, 77U/77L undertaking terms, 77C the
            // guarantee's text (before SR 2021), 72Z, 79Z.
            "45" | "77" | "72" | "79" | "44" | "71" => T,
            _ => Ignore,
        },
        (Mt103, _) | (Mt202Cov, _) if seq_b || ty == Mt103 => match n {
            "50" => P(R::OrderingCustomer, false),
            "59" => P(R::Beneficiary, false),
            "52" => P(R::OrderingInstitution, true),
            "53" => P(R::SendersCorrespondent, true),
            "54" => P(R::ReceiversCorrespondent, true),
            "55" => P(R::ThirdReimbursementInstitution, true),
            "56" => P(R::Intermediary, true),
            "57" => P(R::AccountWithInstitution, true),
            "70" | "72" | "77" => T,
            _ => Ignore,
        },
        (Mt202 | Mt202Cov, _) => match n {
            "52" => P(R::OrderingInstitution, true),
            "53" => P(R::SendersCorrespondent, true),
            "54" => P(R::ReceiversCorrespondent, true),
            "56" => P(R::Intermediary, true),
            "57" => P(R::AccountWithInstitution, true),
            "58" => P(R::BeneficiaryInstitution, true),
            "72" => T,
            _ => Ignore,
        },
        _ => Ignore,
    }
}

/// Reads a party field by its option letter; `None` when the option holds
/// nothing to screen (`B` location, `C` account, `ANY BANK`).
fn party(f: &Field, role: PartyRole, at: String, institution: bool) -> Result<Option<Party>, MessageError> {
    let here = |k: usize| format!("block 4, field {}, line {}", f.tag, f.line + k);
    let mut p = Party::new(role, at, institution);
    let mut lines: Vec<(usize, &str)> =
        f.lines.iter().enumerate().map(|(k, l)| (k, l.trim())).filter(|(_, l)| !l.is_empty()).collect();
    // An account or party identifier on the first line: `/…`, `//…`.
    if lines.first().is_some_and(|(_, l)| l.starts_with('/')) && f.option() != Some('F') {
        p.account = Some(lines[0].1.to_string());
        lines.remove(0);
    }
    match f.option() {
        Some('A') => {
            let Some(&(k, bic)) = lines.first() else {
                return Err(MessageError::malformed(here(0), "option A needs a BIC"));
            };
            if !is_bic(bic) {
                return Err(MessageError::malformed(here(k), format!("`{}` is not a BIC (option A)", clip(bic))));
            }
            p.bic = Some(bic.to_string());
        }
        Some('B') | Some('C') => return Ok(None),
        Some('F') => structured(f, &mut p)?,
        _ => {
            // 41a and 42a end with `BY PAYMENT`, `BY NEGOTIATION`…
            lines.retain(|(_, l)| !l.starts_with("BY "));
            let Some(&(_, first)) = lines.first() else { return Ok(None) };
            if first.starts_with("ANY BANK") {
                return Ok(None);
            }
            let texts: Vec<&str> = lines.iter().map(|(_, l)| *l).collect();
            let (name, address) = name_and_address(&texts);
            p.name = Some(name);
            if !address.is_empty() {
                p.address = Some(address.join(", "));
            }
        }
    }
    Ok(Some(p).filter(Party::is_screenable))
}

/// Legal forms and words that continue a name on the next line.
const CONTINUATIONS: &[&str] = &[
    "S.A.",
    "SA",
    "S.A",
    "SAB",
    "SAPI",
    "DE",
    "S",
    "S.",
    "SRL",
    "S.R.L.",
    "S.R.L",
    "LTD",
    "LTD.",
    "LIMITED",
    "LLC",
    "L.L.C.",
    "INC",
    "INC.",
    "CORP",
    "CORP.",
    "CORPORATION",
    "CO",
    "CO.",
    "COMPANY",
    "GMBH",
    "AG",
    "PLC",
    "B.V.",
    "BV",
    "N.V.",
    "NV",
    "SPA",
    "S.P.A.",
    "SAS",
    "S.A.S.",
    "SL",
    "S.L.",
    "Y",
    "AND",
    "&",
];
/// Words a name line may end on when the name goes on.
const OPEN_ENDS: &[&str] = &["DE", "DEL", "Y", "AND", "&", "OF", "THE", "LA", "LOS", "LAS", "E", "DI", "DA"];

/// Splits name-and-address lines: the name is the first line and the lines
/// that continue it (a full-width first line, a line ending on a connecting
/// word, or a next line starting with a legal form); the rest is address.
fn name_and_address<'a>(lines: &[&'a str]) -> (String, Vec<&'a str>) {
    let mut n = 1;
    while n < lines.len() {
        let prev = lines[n - 1];
        let next = lines[n];
        let full = prev.chars().count() >= LINE;
        let open = prev.split_whitespace().last().is_some_and(|w| OPEN_ENDS.iter().any(|o| o.eq_ignore_ascii_case(w)));
        let legal = next
            .split_whitespace()
            .next()
            .is_some_and(|w| CONTINUATIONS.iter().any(|c| c.eq_ignore_ascii_case(w.trim_end_matches(','))));
        if full || open || legal {
            n += 1;
        } else {
            break;
        }
    }
    (join_cut(&lines[..n], LINE), lines[n..].to_vec())
}

/// Option F: a party identifier line, then numbered lines.
fn structured(f: &Field, p: &mut Party) -> Result<(), MessageError> {
    let mut name: Vec<&str> = Vec::new();
    let mut address: Vec<String> = Vec::new();
    for (k, raw) in f.lines.iter().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let numbered = line.len() >= 2 && line.as_bytes()[0].is_ascii_digit() && line.as_bytes()[1] == b'/';
        if !numbered {
            if k == 0 {
                if line.starts_with('/') {
                    p.account = Some(line.to_string());
                } else {
                    // `CODE/CC/identifier`: a party identifier (NIDN, CUST…).
                    p.identifiers.push(line.split('/').skip(2).collect::<Vec<_>>().join("/"));
                    p.identifiers.retain(|i| !i.is_empty());
                }
                continue;
            }
            return Err(MessageError::malformed(
                format!("block 4, field {}, line {}", f.tag, f.line + k),
                format!("option F lines are numbered `1/` to `8/`: `{}`", clip(line)),
            ));
        }
        let value = line[2..].trim();
        match line.as_bytes()[0] {
            b'1' => name.push(value),
            b'2' => address.push(value.to_string()),
            b'3' => {
                let mut parts = value.splitn(2, '/');
                let cc = parts.next().unwrap_or("");
                if cc.len() == 2 && cc.bytes().all(|c| c.is_ascii_uppercase()) {
                    p.country = Some(cc.to_string());
                }
                if let Some(town) = parts.next() {
                    address.push(town.to_string());
                }
            }
            b'4' if value.len() == 8 && value.bytes().all(|c| c.is_ascii_digit()) => {
                p.dob = Some(format!("{}-{}-{}", &value[..4], &value[4..6], &value[6..]));
            }
            b'6' | b'7' => {
                // `CC/issuer/number` or `CC/number`: the number is last.
                if let Some(id) = value.rsplit('/').next().filter(|s| !s.is_empty()) {
                    p.identifiers.push(id.to_string());
                }
            }
            _ => {}
        }
    }
    if !name.is_empty() {
        p.name = Some(join_cut(&name, LINE - 2));
    }
    if !address.is_empty() {
        p.address = Some(address.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MT700: &str = "{1:F01BANKMXMMAXXX0000000000}{2:I700HAVIGB2LXXXXN}{3:{108:LC1}}{4:
:27:1/1
:40A:IRREVOCABLE
:20:LC-2026-0042
:31C:261101
:40E:UCP LATEST VERSION
:31D:270131MEXICO
:50:IMPORTADORA DEL NORTE SA DE CV
AV. CONSTITUCION 100
MONTERREY NL MEXICO
:59:/MX0012345
COMERCIALIZADORA DE PRODUCTOS QUIMI
COS DEL PACIFICO S.A. DE C.V.
CALLE 5 DE MAYO 10
CULIACAN SINALOA MEXICO
:32B:USD125000,
:41A:HAVIGB2LXXX
BY NEGOTIATION
:42C:AT SIGHT
:42D:ANY BANK
:44E:SHANGHAI
:44F:MANZANILLO
:45A:500 KG 4-ANPP PHARMACEUTICAL GRADE
:46A:+SIGNED COMMERCIAL INVOICE IN 3 COPIES
:47A:+SHIPMENT ON VESSEL ARTAVIL ONLY
:71D:ALL BANKING CHARGES OUTSIDE MEXICO
ARE FOR BENEFICIARY ACCOUNT
:49:WITHOUT
-}{5:{CHK:123456789ABC}}";

    #[test]
    fn an_mt700_by_field_meaning() {
        let m = parse(MT700).unwrap();
        assert_eq!(m.reference.kind, "MT700");
        assert_eq!(m.reference.reference.as_deref(), Some("LC-2026-0042"));
        assert_eq!(m.reference.sender.as_deref(), Some("BANKMXMMXXX"));
        assert_eq!(m.reference.receiver.as_deref(), Some("HAVIGB2LXXX"));
        let b = m.parties.iter().find(|p| p.role == PartyRole::Beneficiary).unwrap();
        assert_eq!(b.at, "59");
        assert_eq!(b.account.as_deref(), Some("/MX0012345"));
        assert_eq!(b.name.as_deref(), Some("COMERCIALIZADORA DE PRODUCTOS QUIMICOS DEL PACIFICO S.A. DE C.V."));
        assert_eq!(b.address.as_deref(), Some("CALLE 5 DE MAYO 10, CULIACAN SINALOA MEXICO"));
        let a = m.parties.iter().find(|p| p.role == PartyRole::Applicant).unwrap();
        assert_eq!(a.name.as_deref(), Some("IMPORTADORA DEL NORTE SA DE CV"));
        let w = m.parties.iter().find(|p| p.role == PartyRole::AvailableWith).unwrap();
        assert_eq!((w.at.as_str(), w.bic.as_deref()), ("41A", Some("HAVIGB2LXXX")));
        assert!(!m.parties.iter().any(|p| p.role == PartyRole::Drawee), "ANY BANK is no party");
        let tags: Vec<&str> = m.texts.iter().map(|t| t.at.as_str()).collect();
        assert_eq!(tags, ["44E", "44F", "45A", "46A", "47A", "71D", "49"]);
        assert_eq!(m.texts[5].text, "ALL BANKING CHARGES OUTSIDE MEXICO ARE FOR BENEFICIARY ACCOUNT");
    }

    #[test]
    fn long_narrative_lines_are_not_cut_words() {
        // 46A is `100*65x`: a line over 35 characters ends a word, and a
        // continuation line indented by a space starts one.
        let t = ":20:LC1\n:40A:IRREVOCABLE\n:50:ACME\n:59:BETA\n:45A:+20 UNITS INDUSTRIAL COMPRESSORS MODEL CR-450\nAS PER PROFORMA INVOICE\n:46A:+FULL SET OF CLEAN ON BOARD OCEAN BILLS OF LADING MADE OUT TO THE\n ORDER OF ISSUING BANK\n-";
        let m = parse(t).unwrap();
        let text = |at: &str| m.texts.iter().find(|x| x.at == at).map(|x| x.text.clone()).unwrap();
        assert_eq!(text("45A"), "+20 UNITS INDUSTRIAL COMPRESSORS MODEL CR-450 AS PER PROFORMA INVOICE");
        assert!(text("46A").ends_with("TO THE ORDER OF ISSUING BANK"), "{}", text("46A"));
    }

    #[test]
    fn without_blocks_the_type_comes_from_the_fields() {
        let body = MT700.split("{4:\n").nth(1).unwrap().split("-}").next().unwrap();
        let m = parse(body).unwrap();
        assert_eq!(m.reference.kind, "MT700");
        assert_eq!(m.parties.len(), 3, "no header, no sender or receiver");
    }

    #[test]
    fn structured_ordering_customer() {
        let t = "{1:F01BANKMXMMAXXX0000000000}{2:O1031200260101BANKUS33AXXX00000000002601011200N}{3:{121:8a562c67-ca16-48ba-b074-65581be6f001}}{4:
:20:PAY-77
:23B:CRED
:32A:260101USD1000,
:50F:/12345678
1/GUZMAN LOERA
1/JOAQUIN
2/CALLE 1
3/MX/CULIACAN
4/19570404
6/MX/RFC/GULJ570404XX1
:59F:/998877
1/ACME TRADING LTD
3/US/HOUSTON
:70:INVOICE 2291 AVOCADOS
:71A:SHA
-}";
        let m = parse(t).unwrap();
        assert_eq!(m.reference.kind, "MT103");
        assert_eq!(m.reference.sender.as_deref(), Some("BANKUS33XXX"));
        assert_eq!(m.reference.uetr.as_deref(), Some("8a562c67-ca16-48ba-b074-65581be6f001"));
        assert_eq!((m.parties[0].role, m.parties[0].at.as_str()), (PartyRole::Sender, "block 2"));
        assert_eq!(m.parties[1].role, PartyRole::Receiver);
        let o = &m.parties[2];
        assert_eq!((o.role, o.at.as_str()), (PartyRole::OrderingCustomer, "50F"));
        assert_eq!(o.name.as_deref(), Some("GUZMAN LOERA JOAQUIN"));
        assert_eq!(o.country.as_deref(), Some("MX"));
        assert_eq!(o.dob.as_deref(), Some("1957-04-04"));
        assert_eq!(o.identifiers, ["GULJ570404XX1"]);
        assert_eq!(m.parties[3].name.as_deref(), Some("ACME TRADING LTD"));
        assert_eq!(m.texts[0].at, "70");
    }

    #[test]
    fn cover_payments_have_a_sequence_b() {
        let t = ":20:COV1\n:21:PAY-77\n:32A:260101USD1000,\n:52A:BANKUS33\n:58A:HAVIGB2L\n:50K:/1\nACME\n:59:/2\nBETA LTD\n:70:GOODS\n-";
        let m = parse(t).unwrap();
        assert_eq!(m.reference.kind, "MT202 COV");
        let ats: Vec<(&str, PartyRole)> = m.parties.iter().map(|p| (p.at.as_str(), p.role)).collect();
        assert_eq!(
            ats,
            [
                ("52A", PartyRole::OrderingInstitution),
                ("58A", PartyRole::BeneficiaryInstitution),
                ("B/50K", PartyRole::OrderingCustomer),
                ("B/59", PartyRole::Beneficiary)
            ]
        );
    }

    #[test]
    fn malformed_messages_name_where() {
        let e = |t: &str| match parse(t) {
            Err(MessageError::Malformed { at, .. }) => at,
            other => panic!("{other:?}"),
        };
        assert_eq!(e("{1:F01BANKMXMMAXXX0000000000}{2:I700HAVIGB2LXXXXN}{4:\n:20:X\n:59:A"), "block 4, line 1");
        assert_eq!(
            e("{1:F01BANKMXMMAXXX0000000000}{4:\n:20:X\n:40A:IRREVOCABLE\n:52A:NOTABIC\n-}"),
            "block 4, field 52A, line 4"
        );
        assert_eq!(e("hello\n:20:X"), "block 4, line 1");
        assert_eq!(e(":20:X\n:59:\n:40A:IRREVOCABLE"), "block 4, field 59, line 2");
        assert_eq!(e(":59:A\n:40A:IRREVOCABLE"), "block 4");
        assert_eq!(e(":20:A\n:50F:/1\nJOHN\n:40A:X"), "block 4, field 50F, line 3");
    }

    #[test]
    fn other_types_are_unsupported() {
        let t = "{1:F01BANKMXMMAXXX0000000000}{2:I940HAVIGB2LXXXXN}{4:\n:20:X\n-}";
        assert_eq!(parse(t), Err(MessageError::Unsupported { found: "MT940".into() }));
        assert!(matches!(parse(":20:X\n:32A:1\n"), Err(MessageError::Unsupported { .. })));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_text_is_read_or_refused_without_panicking(s in "\\PC{0,300}") {
                let _ = parse(&s);
                let _ = crate::messages::parse(&s);
            }

            #[test]
            fn fin_shaped_text_is_read_or_refused_without_panicking(
                parts in proptest::collection::vec(
                    prop_oneof![
                        Just("{1:F01BANKMXMMAXXX0000000000}".to_string()),
                        Just("{2:I700HAVIGB2LXXXXN}".to_string()),
                        Just("{2:O1031200260101BANKUS33AXXX00000000002601011200N}".to_string()),
                        Just("{3:{119:COV}{121:x}}".to_string()),
                        Just("{4:\n".to_string()),
                        Just("\n-}".to_string()),
                        "\n:[0-9]{2}[A-Z]?:".prop_map(String::from),
                        "[A-Z0-9 /.,\\-]{0,40}".prop_map(String::from),
                        Just("\n".to_string()),
                    ],
                    0..40,
                )
            ) {
                let text = parts.concat();
                if let Ok(m) = parse(&text) {
                    prop_assert!(m.reference.reference.is_some());
                    prop_assert!(m.parties.iter().all(|p| p.is_screenable()));
                }
            }

            /// A name wrapped on word boundaries into full lines comes back
            /// whole: every letter, in order (a line that ends exactly at the
            /// full width is read as a word cut there, which the matcher
            /// reads either way).
            #[test]
            fn a_wrapped_beneficiary_name_comes_back_whole(words in proptest::collection::vec("[A-Z]{2,12}", 2..8)) {
                let name = words.join(" ");
                let mut lines: Vec<String> = vec![String::new()];
                for w in &words {
                    let last = lines.last_mut().unwrap();
                    if !last.is_empty() && last.len() + 1 + w.len() > LINE - 2 {
                        lines.push(w.clone());
                    } else {
                        if !last.is_empty() {
                            last.push(' ');
                        }
                        last.push_str(w);
                    }
                }
                // Continuation lines of a name start with a word the parser
                // cannot tell from an address, so name them as one field of
                // option F, where every line is marked `1/`.
                let field = lines.iter().map(|l| format!("1/{l}")).collect::<Vec<_>>().join("\n");
                let text = format!(":20:R\n:23B:CRED\n:50F:/1\n{field}\n:59:/2\nX\n");
                let m = parse(&text).unwrap();
                let got = m.parties[0].name.clone().unwrap_or_default();
                prop_assert_eq!(got.replace(' ', ""), name.replace(' ', ""));
                prop_assert!(got.split(' ').count() >= lines.len());
            }
        }
    }
}
