//! ISO 20022 payment messages: `pacs.008` (FI to FI customer credit
//! transfer) and `pacs.009` (financial institution credit transfer, and its
//! COV form carrying the underlying customer credit transfer), with or
//! without the business application header (`head.001`, `AppHdr`), alone
//! or inside any envelope element.
//!
//! The XML is read with `quick-xml` into a small tree (namespaces dropped,
//! at most [`MAX_DEPTH`] levels), then the parties are taken by element:
//! `Dbtr`, `Cdtr`, `UltmtDbtr`, `UltmtCdtr`, `InitgPty` (name `Nm`, postal
//! address `PstlAdr`, identifiers `Id/OrgId` `AnyBIC`/`LEI`/`Othr/Id`, and
//! `Id/PrvtId` birth date and `Othr/Id`), the agents `DbtrAgt`, `CdtrAgt`,
//! `IntrmyAgt1`–`3`, `InstgAgt`, `InstdAgt`, `PrvsInstgAgt1`–`3` (their
//! `FinInstnId`: `BICFI`, `LEI`, `Nm`, `PstlAdr`), and the free text of
//! `RmtInf/Ustrd`, `RmtInf/Strd` (every text inside) and `Purp/Prtry`.
//! Element names follow the ISO 20022 message definitions of the
//! `pacs.008.001.08` and `pacs.009.001.08` schemas (the versions CBPR+ uses).

use quick_xml::events::Event;
use quick_xml::Reader;

use super::{is_bic, Format, Message, MessageError, MessageRef, Party, Text};
use crate::trade::PartyRole;

/// The deepest nesting read.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Default)]
struct Node {
    tag: String,
    text: String,
    children: Vec<Node>,
    /// The `xmlns` of the element, if it declares one.
    ns: Option<String>,
}

impl Node {
    fn child(&self, tag: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.tag == tag)
    }

    fn all<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.tag == tag)
    }

    /// The node at a `/`-separated path below this one.
    fn at(&self, path: &str) -> Option<&Node> {
        path.split('/').try_fold(self, |n, t| n.child(t))
    }

    /// The collapsed text at `path`, if not blank.
    fn text_at(&self, path: &str) -> Option<String> {
        self.at(path).map(|n| collapse(&n.text)).filter(|s| !s.is_empty())
    }

    /// The first node named `tag` anywhere below (breadth first).
    fn find(&self, tag: &str) -> Option<&Node> {
        let mut queue: std::collections::VecDeque<&Node> = self.children.iter().collect();
        while let Some(n) = queue.pop_front() {
            if n.tag == tag {
                return Some(n);
            }
            queue.extend(n.children.iter());
        }
        None
    }

    /// Every text below, in document order.
    fn texts<'a>(&'a self, out: &mut Vec<&'a str>) {
        if !self.text.trim().is_empty() {
            out.push(self.text.trim());
        }
        for c in &self.children {
            c.texts(out);
        }
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn line_at(bytes: &[u8], pos: u64) -> usize {
    let end = (pos as usize).min(bytes.len());
    bytes[..end].iter().filter(|b| **b == b'\n').count() + 1
}

fn tree(input: &str) -> Result<Node, MessageError> {
    let bytes = input.as_bytes();
    let mut reader = Reader::from_str(input);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let at = |r: &Reader<&[u8]>| format!("line {}", line_at(bytes, r.buffer_position()));
    loop {
        let event =
            reader.read_event().map_err(|e| MessageError::malformed(at(&reader), format!("malformed XML: {e}")))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(MessageError::malformed(at(&reader), "content after the root element"));
            }
            Event::Start(ref s) | Event::Empty(ref s) => {
                let empty = matches!(event, Event::Empty(_));
                if stack.len() >= MAX_DEPTH {
                    return Err(MessageError::malformed(at(&reader), format!("nested deeper than {MAX_DEPTH} levels")));
                }
                let tag = String::from_utf8_lossy(s.local_name().as_ref()).into_owned();
                let mut ns = None;
                for a in s.attributes() {
                    let a = a.map_err(|e| MessageError::malformed(at(&reader), format!("malformed attribute: {e}")))?;
                    let key = a.key.as_ref();
                    if key == b"xmlns" || key.starts_with(b"xmlns:") {
                        let v = a
                            .unescape_value()
                            .map_err(|e| MessageError::malformed(at(&reader), format!("malformed attribute: {e}")))?;
                        if v.contains("iso:20022") || ns.is_none() {
                            ns = Some(v.into_owned());
                        }
                    }
                }
                let node = Node { tag, ns, ..Node::default() };
                if empty {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => root = Some(node),
                    }
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack.pop().ok_or_else(|| MessageError::malformed(at(&reader), "unexpected end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::Text(t) => {
                let s =
                    t.unescape().map_err(|e| MessageError::malformed(at(&reader), format!("malformed text: {e}")))?;
                match stack.last_mut() {
                    Some(node) => node.text.push_str(&s),
                    None if s.trim().is_empty() || s.trim() == "\u{feff}" => {}
                    None => return Err(MessageError::malformed(at(&reader), "text outside the root element")),
                }
            }
            Event::CData(d) => {
                let node =
                    stack.last_mut().ok_or_else(|| MessageError::malformed(at(&reader), "CDATA outside the root"))?;
                node.text.push_str(&String::from_utf8_lossy(&d));
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(MessageError::malformed(
            format!("line {}", line_at(bytes, bytes.len() as u64)),
            format!("the document ends inside <{}>", open.tag),
        ));
    }
    root.ok_or_else(|| MessageError::malformed("line 1", "no root element"))
}

/// The message definition of a namespace `urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08`.
fn definition(ns: &str) -> Option<&str> {
    ns.rsplit(':').next().filter(|d| d.contains('.'))
}

/// Reads one ISO 20022 message.
///
/// # Errors
/// As [`super::parse`].
pub fn parse(input: &str) -> Result<Message, MessageError> {
    let root = tree(input)?;
    let head = if root.tag == "AppHdr" { Some(&root) } else { root.find("AppHdr") };
    let doc = if root.tag == "Document" { Some(&root) } else { root.find("Document") };
    let Some(doc) = doc else {
        let found = head.and_then(|h| h.text_at("MsgDefIdr")).unwrap_or_else(|| format!("<{}>", root.tag));
        return Err(MessageError::Unsupported { found: format!("{found} (no <Document>)") });
    };
    let Some(body) = doc.children.first() else {
        return Err(MessageError::malformed("Document", "the <Document> is empty"));
    };
    let declared = doc.ns.as_deref().and_then(definition).map(str::to_string);
    let family = match body.tag.as_str() {
        "FIToFICstmrCdtTrf" => "pacs.008",
        "FICdtTrf" => "pacs.009",
        other => {
            return Err(MessageError::Unsupported { found: declared.unwrap_or_else(|| format!("<Document><{other}>")) })
        }
    };
    if let Some(d) = &declared {
        if !d.starts_with(family) {
            return Err(MessageError::malformed(
                "Document",
                format!("the namespace names {d} but the message is a {family} (<{}>)", body.tag),
            ));
        }
    }
    let txs: Vec<&Node> = body.all("CdtTrfTxInf").collect();
    if txs.is_empty() {
        return Err(MessageError::malformed(body.tag.to_string(), "no <CdtTrfTxInf>"));
    }
    let cov = family == "pacs.009" && txs.iter().any(|t| t.child("UndrlygCstmrCdtTrf").is_some());
    let mut kind = declared.unwrap_or_else(|| family.to_string());
    if cov {
        kind.push_str(" COV");
    }
    let mut reference = MessageRef {
        kind,
        format: Some(Format::Iso20022),
        reference: body.text_at("GrpHdr/MsgId"),
        ..MessageRef::default()
    };
    if reference.reference.is_none() {
        return Err(MessageError::malformed(format!("{}/GrpHdr", body.tag), "no <MsgId>"));
    }
    if let Some(h) = head {
        reference.sender = h.text_at("Fr/FIId/FinInstnId/BICFI");
        reference.receiver = h.text_at("To/FIId/FinInstnId/BICFI");
    }
    let first = txs[0];
    reference.end_to_end_id = first.text_at("PmtId/EndToEndId");
    reference.instruction_id = first.text_at("PmtId/InstrId");
    reference.transaction_id = first.text_at("PmtId/TxId");
    reference.uetr = first.text_at("PmtId/UETR");
    let mut parties = Vec::new();
    for (bic, role, at) in
        [(&reference.sender, PartyRole::Sender, "AppHdr/Fr"), (&reference.receiver, PartyRole::Receiver, "AppHdr/To")]
    {
        if let Some(bic) = bic {
            let bic = check_bic(bic.clone(), &format!("{at}/FIId/FinInstnId/BICFI"))?;
            parties.push(Party { bic: Some(bic), ..Party::new(role, at, true) });
        }
    }
    let mut texts = Vec::new();
    // Agents of the group header (pacs.008 may put them there).
    agents(body.child("GrpHdr"), "GrpHdr", &mut parties)?;
    for (i, tx) in txs.iter().enumerate() {
        let base = if txs.len() == 1 { "CdtTrfTxInf".to_string() } else { format!("CdtTrfTxInf[{}]", i + 1) };
        let institutions = family == "pacs.009";
        transaction(tx, &base, institutions, &mut parties, &mut texts)?;
        if let Some(u) = tx.child("UndrlygCstmrCdtTrf") {
            transaction(u, &format!("{base}/UndrlygCstmrCdtTrf"), false, &mut parties, &mut texts)?;
        }
    }
    Ok(Message { reference, parties, texts })
}

const AGENTS: &[(&str, PartyRole)] = &[
    ("InstgAgt", PartyRole::InstructingAgent),
    ("InstdAgt", PartyRole::InstructedAgent),
    ("PrvsInstgAgt1", PartyRole::PreviousInstructingAgent),
    ("PrvsInstgAgt2", PartyRole::PreviousInstructingAgent),
    ("PrvsInstgAgt3", PartyRole::PreviousInstructingAgent),
    ("IntrmyAgt1", PartyRole::IntermediaryAgent),
    ("IntrmyAgt2", PartyRole::IntermediaryAgent),
    ("IntrmyAgt3", PartyRole::IntermediaryAgent),
    ("DbtrAgt", PartyRole::DebtorAgent),
    ("CdtrAgt", PartyRole::CreditorAgent),
];

fn agents(node: Option<&Node>, base: &str, out: &mut Vec<Party>) -> Result<(), MessageError> {
    let Some(node) = node else { return Ok(()) };
    for (tag, role) in AGENTS {
        if let Some(a) = node.child(tag) {
            out.extend(institution(a, *role, format!("{base}/{tag}"))?);
        }
    }
    Ok(())
}

/// A transaction's parties (customers, or institutions in a pacs.009) and
/// texts.
fn transaction(
    tx: &Node,
    base: &str,
    institutions: bool,
    parties: &mut Vec<Party>,
    texts: &mut Vec<Text>,
) -> Result<(), MessageError> {
    for (tag, role) in [
        ("InitgPty", PartyRole::InitiatingParty),
        ("UltmtDbtr", PartyRole::UltimateDebtor),
        ("Dbtr", PartyRole::Debtor),
        ("Cdtr", PartyRole::Creditor),
        ("UltmtCdtr", PartyRole::UltimateCreditor),
    ] {
        let Some(n) = tx.child(tag) else { continue };
        let at = format!("{base}/{tag}");
        let p = if institutions || n.child("FinInstnId").is_some() {
            institution(n, role, at)?
        } else {
            customer(n, role, at)?
        };
        parties.extend(p);
    }
    agents(Some(tx), base, parties)?;
    if let Some(r) = tx.child("RmtInf") {
        for u in r.all("Ustrd") {
            let t = collapse(&u.text);
            if !t.is_empty() {
                texts.push(Text { at: format!("{base}/RmtInf/Ustrd"), text: t });
            }
        }
        for s in r.all("Strd") {
            let mut all = Vec::new();
            s.texts(&mut all);
            if !all.is_empty() {
                texts.push(Text { at: format!("{base}/RmtInf/Strd"), text: collapse(&all.join(" ")) });
            }
        }
    }
    if let Some(p) = tx.text_at("Purp/Prtry") {
        texts.push(Text { at: format!("{base}/Purp/Prtry"), text: p });
    }
    for i in tx.all("InstrForNxtAgt").chain(tx.all("InstrForCdtrAgt")) {
        if let Some(t) = i.text_at("InstrInf") {
            texts.push(Text { at: format!("{base}/{}/InstrInf", i.tag), text: t });
        }
    }
    Ok(())
}

fn address(n: &Node) -> (Option<String>, Option<String>) {
    let Some(a) = n.child("PstlAdr") else { return (None, None) };
    let mut parts: Vec<String> = Vec::new();
    for t in [
        "Dept",
        "SubDept",
        "StrtNm",
        "BldgNb",
        "BldgNm",
        "Flr",
        "PstBx",
        "Room",
        "PstCd",
        "TwnNm",
        "TwnLctnNm",
        "DstrctNm",
        "CtrySubDvsn",
    ] {
        if let Some(v) = a.text_at(t) {
            parts.push(v);
        }
    }
    for l in a.all("AdrLine") {
        let v = collapse(&l.text);
        if !v.is_empty() {
            parts.push(v);
        }
    }
    let country = a.text_at("Ctry");
    (Some(parts.join(", ")).filter(|s| !s.is_empty()), country)
}

fn check_bic(bic: String, at: &str) -> Result<String, MessageError> {
    if is_bic(&bic) {
        Ok(bic)
    } else {
        Err(MessageError::malformed(at, format!("`{bic}` is not a BIC")))
    }
}

/// An agent: `FinInstnId` with `BICFI`, `LEI`, `Nm`, `PstlAdr`.
fn institution(n: &Node, role: PartyRole, at: String) -> Result<Option<Party>, MessageError> {
    let f = n.child("FinInstnId").unwrap_or(n);
    let mut p = Party::new(role, at.clone(), true);
    if let Some(b) = f.text_at("BICFI") {
        p.bic = Some(check_bic(b, &format!("{at}/FinInstnId/BICFI"))?);
    }
    p.name = f.text_at("Nm");
    (p.address, p.country) = address(f);
    if let Some(l) = f.text_at("LEI") {
        p.identifiers.push(l);
    }
    Ok(Some(p).filter(Party::is_screenable))
}

/// A customer: `Nm`, `PstlAdr`, `Id`, `CtryOfRes`.
fn customer(n: &Node, role: PartyRole, at: String) -> Result<Option<Party>, MessageError> {
    let mut p = Party::new(role, at.clone(), false);
    p.name = n.text_at("Nm");
    (p.address, p.country) = address(n);
    if p.country.is_none() {
        p.country = n.text_at("CtryOfRes");
    }
    if let Some(org) = n.at("Id/OrgId") {
        if let Some(b) = org.text_at("AnyBIC") {
            p.bic = Some(check_bic(b, &format!("{at}/Id/OrgId/AnyBIC"))?);
        }
        if let Some(l) = org.text_at("LEI") {
            p.identifiers.push(l);
        }
        p.identifiers.extend(org.all("Othr").filter_map(|o| o.text_at("Id")));
    }
    if let Some(prv) = n.at("Id/PrvtId") {
        p.dob = prv.text_at("DtAndPlcOfBirth/BirthDt");
        p.identifiers.extend(prv.all("Othr").filter_map(|o| o.text_at("Id")));
    }
    Ok(Some(p).filter(Party::is_screenable))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACS008: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<BizMsgEnvlp>
<AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">
  <Fr><FIId><FinInstnId><BICFI>BANKUS33XXX</BICFI></FinInstnId></FIId></Fr>
  <To><FIId><FinInstnId><BICFI>BANKMXMMXXX</BICFI></FinInstnId></FIId></To>
  <BizMsgIdr>B-1</BizMsgIdr><MsgDefIdr>pacs.008.001.08</MsgDefIdr>
</AppHdr>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
<FIToFICstmrCdtTrf>
  <GrpHdr><MsgId>MSG-1</MsgId><NbOfTxs>1</NbOfTxs></GrpHdr>
  <CdtTrfTxInf>
    <PmtId><InstrId>I-1</InstrId><EndToEndId>E2E-1</EndToEndId><UETR>eb6305c9-1f7f-49de-aed0-16487c27b42d</UETR></PmtId>
    <Dbtr><Nm>ACME &amp; SONS LTD</Nm><PstlAdr><TwnNm>Houston</TwnNm><Ctry>US</Ctry></PstlAdr></Dbtr>
    <DbtrAgt><FinInstnId><BICFI>BANKUS33</BICFI></FinInstnId></DbtrAgt>
    <CdtrAgt><FinInstnId><BICFI>HAVIGB2LXXX</BICFI></FinInstnId></CdtrAgt>
    <Cdtr><Nm>Grupo Ejemplo SA de CV</Nm><PstlAdr><AdrLine>Av. Reforma 1</AdrLine><AdrLine>Ciudad de Mexico</AdrLine><Ctry>MX</Ctry></PstlAdr></Cdtr>
    <RmtInf><Ustrd>INVOICE 77 AVOCADOS</Ustrd></RmtInf>
  </CdtTrfTxInf>
</FIToFICstmrCdtTrf>
</Document>
</BizMsgEnvlp>"#;

    #[test]
    fn a_pacs008_with_its_header() {
        let m = parse(PACS008).unwrap();
        assert_eq!(m.reference.kind, "pacs.008.001.08");
        assert_eq!(m.reference.reference.as_deref(), Some("MSG-1"));
        assert_eq!(m.reference.end_to_end_id.as_deref(), Some("E2E-1"));
        assert_eq!(m.reference.sender.as_deref(), Some("BANKUS33XXX"));
        let roles: Vec<(&str, PartyRole)> = m.parties.iter().map(|p| (p.at.as_str(), p.role)).collect();
        assert_eq!(
            roles,
            [
                ("AppHdr/Fr", PartyRole::Sender),
                ("AppHdr/To", PartyRole::Receiver),
                ("CdtTrfTxInf/Dbtr", PartyRole::Debtor),
                ("CdtTrfTxInf/Cdtr", PartyRole::Creditor),
                ("CdtTrfTxInf/DbtrAgt", PartyRole::DebtorAgent),
                ("CdtTrfTxInf/CdtrAgt", PartyRole::CreditorAgent),
            ]
        );
        assert_eq!(m.parties[2].name.as_deref(), Some("ACME & SONS LTD"));
        assert_eq!(m.parties[3].address.as_deref(), Some("Av. Reforma 1, Ciudad de Mexico"));
        assert_eq!(m.parties[3].country.as_deref(), Some("MX"));
        assert_eq!(m.texts[0].at, "CdtTrfTxInf/RmtInf/Ustrd");
    }

    #[test]
    fn without_the_header_and_bad_ones() {
        let doc = PACS008.split("</AppHdr>").nth(1).unwrap().replace("</BizMsgEnvlp>", "");
        let m = parse(&doc).unwrap();
        assert_eq!(m.reference.sender, None);
        assert_eq!(m.parties.len(), 4);
        assert!(matches!(parse("<Document><FIToFICstmrCdtTrf>"), Err(MessageError::Malformed { .. })));
        let camt = r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt/></Document>"#;
        assert_eq!(parse(camt), Err(MessageError::Unsupported { found: "camt.053.001.08".into() }));
        let bad = doc.replace("HAVIGB2LXXX", "NOT-A-BIC");
        match parse(&bad) {
            Err(MessageError::Malformed { at, .. }) => assert_eq!(at, "CdtTrfTxInf/CdtrAgt/FinInstnId/BICFI"),
            other => panic!("{other:?}"),
        }
    }
}
