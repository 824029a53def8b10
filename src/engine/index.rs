//! The candidate index: from a query token to every listed name holding a
//! near token, without scanning the names.
//!
//! Each distinct listed token is stored once with its phonetic key and
//! weight. Near tokens (see [`crate::engine::similarity`]) are found through three
//! lookups that together cover the definition of nearness exactly:
//! deletion neighbourhoods (SymSpell: two strings within edit distance k
//! share a string obtained by at most k deletions from each), phonetic keys,
//! and a sorted vocabulary for prefixes.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

use crate::engine::model::{Entity, EntityKind};
use crate::engine::normalize::{normalize_name, NormalizedName};
use crate::engine::phonetic::phonetic_key;
use crate::engine::similarity::{
    deletions_for, has_inner_vowel, is_squeezed, skeleton, squeeze, token_similarity, undouble, Agreement,
    MIN_PHONETIC, MIN_PREFIX, MIN_SKELETON,
};
use crate::engine::weights::{idf_weight, prior_weight};

/// A distinct listed token.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// The normalised token: lower-case ASCII letters and digits.
    pub text: Box<str>,
    /// Its [`phonetic_key`].
    pub key: Box<str>,
    /// The lower of its prior ([`prior_weight`]) and its rarity among the
    /// indexed names ([`idf_weight`]): in [0.15, 1].
    pub weight: f32,
}

/// One name of one entity, tokenised: 32 bytes, so that reading a
/// candidate name costs one cache line. Its token ids are read with
/// [`NameIndex::tokens_of`].
#[derive(Debug, Clone, Copy)]
#[repr(C, align(32))]
pub struct NameEntry {
    /// Index of the entity in the slice the index was built from (the
    /// screener's [`crate::engine::Screener::entities`]).
    pub entity: u32,
    /// Position of the name in `Entity::names`.
    pub name: u16,
    /// How many tokens the name has.
    len: u16,
    /// Sum of the tokens' weights.
    pub total_weight: f32,
    /// The token ids when there are at most [`INLINE_TOKENS`]; otherwise
    /// `inline[0]` is where they start in the index's spilled tokens.
    inline: [u32; INLINE_TOKENS],
}

/// Names of at most this many tokens hold them in their [`NameEntry`].
pub const INLINE_TOKENS: usize = 5;

const _: () = assert!(std::mem::size_of::<NameEntry>() == 32);

/// A listed token near a query token.
#[derive(Debug, Clone, Copy)]
pub struct Near {
    /// Token id ([`NameIndex::token`]).
    pub token: u32,
    /// In [0.7, 1] ([`crate::engine::similarity::token_similarity`]).
    pub similarity: f32,
    /// How the tokens agree.
    pub how: Agreement,
}

/// Every indexed name, tokenised, and the lookups that find near tokens.
/// Built once per screener. Token ids are `u32` positions for
/// [`NameIndex::token`]; name ids are positions in [`NameIndex::names`].
#[derive(Debug, Default)]
pub struct NameIndex {
    tokens: Vec<TokenInfo>,
    token_ids: FxHashMap<Box<str>, u32>,
    /// Token ids sorted by text, for prefix ranges.
    sorted: Vec<u32>,
    /// Hash of a deletion variant → range of `delete_ids`.
    deletes: FxHashMap<u64, (u32, u32)>,
    /// Token ids, grouped by deletion variant.
    delete_ids: Vec<u32>,
    /// Consonant skeleton → tokens (transliterations that differ in vowels).
    skeletons: FxHashMap<Box<[u8]>, Vec<u32>>,
    phonetic: FxHashMap<Box<str>, Vec<u32>>,
    /// A token without its vowels after the first letter ([`squeeze`]) →
    /// the tokens that lose at least one vowel to it (`gzmn` → `guzman`).
    squeezed: FxHashMap<Box<str>, Vec<u32>>,
    /// A token with each run of one letter written once ([`undouble`]) →
    /// the tokens holding a doubled letter (`son` → `sson`, `esa` → `essa`).
    undoubled: FxHashMap<Box<str>, Vec<u32>>,
    /// Token id → names holding it (each name once).
    postings: Vec<Vec<u32>>,
    names: Vec<NameEntry>,
    /// Names by their anchor token ([`NameIndex::anchored`]): the names of
    /// token `t` are `anchor_names[anchor_start[t]..anchor_start[t + 1]]`.
    anchor_start: Vec<u32>,
    anchor_names: Vec<u32>,
    /// Tokens held by more names than this are frequent ([`NameIndex::is_frequent`]).
    frequent_above: usize,
    /// A pair of frequent tokens `(a, b)`, `a < b`, as `a << 32 | b` →
    /// range of `pair_names`: the names holding both.
    pairs: FxHashMap<u64, (u32, u32)>,
    pair_names: Vec<u32>,
    /// Token ids of names longer than [`INLINE_TOKENS`], one after another.
    spilled: Vec<u32>,
    /// For a frequent token, beside each of its postings: the most of that
    /// name's weight the token and the name's initials can cover, in
    /// 255ths rounded up ([`NameIndex::shares`]). Empty for other tokens.
    shares: Vec<Box<[u8]>>,
    /// Beside the same postings: the first letters of the name's other
    /// tokens ([`NameIndex::letters`]).
    letters: Vec<Box<[u32]>>,
}

/// A token held by more names than this is frequent: it finds names only
/// together with another query token, through the postings of token pairs
/// ([`NameIndex::pair_postings`]), or, when its query tokens may reach the
/// report threshold alone, among the names it covers enough
/// ([`NameIndex::shares`]). So the candidates of a query do not grow with
/// the number of names that share a common surname or business word.
/// Retrieval reads at most this many names per rare token.
pub const FREQUENT_POSTINGS: usize = 128;

/// A name's anchor is chosen among its first this many tokens: the longest
/// run of words the free-text scan reads as one name.
pub const ANCHOR_SPAN: usize = 6;

impl NameIndex {
    /// Indexes every name of every entity. `entities[i]` is entity `i`.
    pub fn build(entities: &[Entity]) -> NameIndex {
        NameIndex::build_with(entities, FREQUENT_POSTINGS)
    }

    /// [`NameIndex::build`] with tokens held by more than `frequent_above`
    /// names counted as frequent (tests use small values to exercise pair
    /// retrieval on small lists).
    pub fn build_with(entities: &[Entity], frequent_above: usize) -> NameIndex {
        let mut ix = NameIndex { frequent_above, ..NameIndex::default() };
        let mut df: Vec<usize> = Vec::new();
        for (ei, e) in entities.iter().enumerate() {
            let family = e.kind.family();
            let mut seen: Vec<Vec<u32>> = Vec::new();
            for (ni, name) in e.names.iter().enumerate() {
                let norm = normalize_name(&name.full, family);
                if norm.is_empty() || ni > u16::MAX as usize {
                    continue;
                }
                let ids: Vec<u32> = norm.tokens.iter().map(|t| ix.intern(t, &mut df)).collect();
                // Two spellings that normalise alike are one name for matching.
                if seen.contains(&ids) {
                    continue;
                }
                seen.push(ids.clone());
                let name_id = ix.names.len() as u32;
                let mut uniq = ids.clone();
                uniq.sort_unstable();
                uniq.dedup();
                for &t in &uniq {
                    ix.postings[t as usize].push(name_id);
                    df[t as usize] += 1;
                }
                let mut inline = [0u32; INLINE_TOKENS];
                if ids.len() <= INLINE_TOKENS {
                    inline[..ids.len()].copy_from_slice(&ids);
                } else {
                    inline[0] = ix.spilled.len() as u32;
                    ix.spilled.extend_from_slice(&ids);
                }
                let len = ids.len().min(u16::MAX as usize) as u16;
                ix.names.push(NameEntry { entity: ei as u32, name: ni as u16, len, total_weight: 0.0, inline });
            }
        }
        let n = ix.names.len();
        for (t, info) in ix.tokens.iter_mut().enumerate() {
            info.weight = prior_weight(&info.text).min(idf_weight(df[t], n));
        }
        for k in 0..ix.names.len() {
            let total = ix.tokens_of(&ix.names[k]).iter().map(|&t| ix.tokens[t as usize].weight).sum();
            ix.names[k].total_weight = total;
        }
        ix.build_anchors();
        ix.build_pairs();
        ix.build_shares();
        let mut sorted: Vec<u32> = (0..ix.tokens.len() as u32).collect();
        sorted.sort_unstable_by(|&a, &b| ix.tokens[a as usize].text.cmp(&ix.tokens[b as usize].text));
        ix.sorted = sorted;
        let mut deletes: Vec<(u64, u32)> = Vec::new();
        let mut scratch = Vec::new();
        for (t, info) in ix.tokens.iter().enumerate() {
            scratch.clear();
            deletion_hashes(info.text.as_bytes(), deletions_for(info.text.len()), &mut scratch);
            deletes.extend(scratch.iter().map(|&h| (h, t as u32)));
        }
        deletes.sort_unstable();
        deletes.dedup();
        let mut start = 0;
        while start < deletes.len() {
            let h = deletes[start].0;
            let mut end = start;
            while end < deletes.len() && deletes[end].0 == h {
                end += 1;
            }
            ix.deletes.insert(h, (start as u32, end as u32));
            start = end;
        }
        ix.delete_ids = deletes.into_iter().map(|(_, t)| t).collect();
        for (t, info) in ix.tokens.iter().enumerate() {
            if info.text.len() >= MIN_SKELETON {
                ix.skeletons.entry(skeleton(&info.text).into()).or_default().push(t as u32);
            }
        }
        for (t, info) in ix.tokens.iter().enumerate() {
            if has_inner_vowel(&info.text) && info.text.len() >= 2 {
                ix.squeezed.entry(squeeze(&info.text).into()).or_default().push(t as u32);
            }
        }
        for (t, info) in ix.tokens.iter().enumerate() {
            if let Some(u) = undouble(&info.text) {
                ix.undoubled.entry(u.into()).or_default().push(t as u32);
            }
        }
        for (t, info) in ix.tokens.iter().enumerate() {
            if info.text.len() >= MIN_PHONETIC {
                ix.phonetic.entry(info.key.clone()).or_default().push(t as u32);
            }
        }
        ix
    }

    /// Anchors each name on the rarest of its first [`ANCHOR_SPAN`] tokens
    /// (fewest names hold it; the first on ties), stored token by token.
    fn build_anchors(&mut self) {
        let anchor_of = |e: &NameEntry| {
            self.tokens_of(e).iter().take(ANCHOR_SPAN).copied().min_by_key(|&t| self.postings[t as usize].len())
        };
        let mut pairs: Vec<(u32, u32)> =
            self.names.iter().enumerate().filter_map(|(n, e)| anchor_of(e).map(|t| (t, n as u32))).collect();
        pairs.sort_unstable();
        self.anchor_start = Vec::with_capacity(self.tokens.len() + 1);
        let mut i = 0;
        for t in 0..self.tokens.len() as u32 {
            self.anchor_start.push(i as u32);
            while i < pairs.len() && pairs[i].0 == t {
                i += 1;
            }
        }
        self.anchor_start.push(i as u32);
        self.anchor_names = pairs.into_iter().map(|(_, n)| n).collect();
    }

    /// Fills the pair postings: for every name, every pair of its distinct
    /// frequent tokens. Two passes (count, then place) keep each pair's
    /// names ascending without sorting.
    fn build_pairs(&mut self) {
        let frequent = |t: &u32| self.postings[*t as usize].len() > self.frequent_above;
        let mut ranges: FxHashMap<u64, (u32, u32)> = FxHashMap::default();
        let mut buf: Vec<u32> = Vec::new();
        let each_pair = |e: &NameEntry, buf: &mut Vec<u32>, f: &mut dyn FnMut(u64)| {
            buf.clear();
            buf.extend(self.tokens_of(e).iter().copied().filter(frequent));
            buf.sort_unstable();
            buf.dedup();
            for (i, &a) in buf.iter().enumerate() {
                for &b in &buf[i + 1..] {
                    f(pair_key(a, b));
                }
            }
        };
        for e in &self.names {
            each_pair(e, &mut buf, &mut |k| ranges.entry(k).or_insert((0, 0)).1 += 1);
        }
        let mut start = 0u32;
        for r in ranges.values_mut() {
            let count = r.1;
            *r = (start, start);
            start += count;
        }
        let mut pair_names = vec![0u32; start as usize];
        for (n, e) in self.names.iter().enumerate() {
            each_pair(e, &mut buf, &mut |k| {
                if let Some(r) = ranges.get_mut(&k) {
                    pair_names[r.1 as usize] = n as u32;
                    r.1 += 1;
                }
            });
        }
        self.pairs = ranges;
        self.pair_names = pair_names;
    }

    fn build_shares(&mut self) {
        let mut shares: Vec<Box<[u8]>> = vec![Box::default(); self.tokens.len()];
        let mut letters: Vec<Box<[u32]>> = vec![Box::default(); self.tokens.len()];
        for t in 0..self.tokens.len() {
            if self.postings[t].len() <= self.frequent_above {
                continue;
            }
            let w = self.tokens[t].weight;
            let (share, first): (Vec<u8>, Vec<u32>) = self.postings[t]
                .iter()
                .map(|&n| {
                    let e = &self.names[n as usize];
                    let mut covered = 0.0;
                    let mut first = 0u32;
                    for &x in self.tokens_of(e) {
                        let text = &self.tokens[x as usize].text;
                        if x as usize == t {
                            covered += w;
                            continue;
                        }
                        first |= first_letter_bit(text);
                        if text.len() == 1 || crate::engine::score::initials_together(text) {
                            // An initial may meet a query token.
                            covered += self.tokens[x as usize].weight;
                        }
                    }
                    let share = if e.total_weight > 0.0 { covered / e.total_weight } else { 1.0 };
                    ((share * 255.0 + 0.01).ceil().clamp(0.0, 255.0) as u8, first)
                })
                .unzip();
            shares[t] = share.into();
            letters[t] = first.into();
        }
        self.shares = shares;
        self.letters = letters;
    }

    /// For a frequent token, one byte per name of [`NameIndex::postings`]:
    /// an upper bound, in 255ths, of how much of that name's weight the
    /// token (each time the name holds it) and the name's single letters
    /// make up. Empty for a token that is not frequent.
    pub fn shares(&self, token: u32) -> &[u8] {
        self.shares.get(token as usize).map(|b| &b[..]).unwrap_or_default()
    }

    /// For a frequent token, one mask per name of [`NameIndex::postings`]:
    /// the first letters ([`first_letter_bit`]) of that name's other
    /// tokens. Empty for a token that is not frequent.
    pub fn letters(&self, token: u32) -> &[u32] {
        self.letters.get(token as usize).map(|b| &b[..]).unwrap_or_default()
    }

    /// Whether more than [`FREQUENT_POSTINGS`] names hold `token`.
    /// False for an id beyond [`NameIndex::token_count`].
    pub fn is_frequent(&self, token: u32) -> bool {
        self.postings.get(token as usize).is_some_and(|p| p.len() > self.frequent_above)
    }

    /// Ids of the names holding both frequent tokens `a` and `b` (in
    /// either order), ascending, each once. Empty when either is not
    /// frequent ([`NameIndex::is_frequent`]) or no name holds both.
    pub fn pair_postings(&self, a: u32, b: u32) -> &[u32] {
        let k = if a < b { pair_key(a, b) } else { pair_key(b, a) };
        match self.pairs.get(&k) {
            Some(&(s, e)) => &self.pair_names[s as usize..e as usize],
            None => &[],
        }
    }

    /// Ids of the names anchored on `token`: those whose rarest token among
    /// their first [`ANCHOR_SPAN`] is this one. A text can hold a name's
    /// first [`ANCHOR_SPAN`] tokens only if it holds its anchor, so the
    /// free-text scan looks up names by anchor alone. Empty for an id
    /// beyond [`NameIndex::token_count`].
    pub fn anchored(&self, token: u32) -> &[u32] {
        let t = token as usize;
        match (self.anchor_start.get(t), self.anchor_start.get(t + 1)) {
            (Some(&a), Some(&b)) => &self.anchor_names[a as usize..b as usize],
            _ => &[],
        }
    }

    fn intern(&mut self, t: &str, df: &mut Vec<usize>) -> u32 {
        if let Some(&id) = self.token_ids.get(t) {
            return id;
        }
        let id = self.tokens.len() as u32;
        self.tokens.push(TokenInfo { text: t.into(), key: phonetic_key(t).into(), weight: 1.0 });
        self.token_ids.insert(t.into(), id);
        self.postings.push(Vec::new());
        df.push(0);
        id
    }

    /// Every indexed name, entity by entity. Names that normalise to
    /// nothing are left out, as are an entity's later names that normalise
    /// like an earlier one.
    pub fn names(&self) -> &[NameEntry] {
        &self.names
    }

    /// The ids of entity `entity`'s names (names are numbered entity by
    /// entity); empty when it has none.
    pub fn entity_names(&self, entity: u32) -> std::ops::Range<u32> {
        let first = self.names.partition_point(|n| n.entity < entity);
        let end = first + self.names[first..].partition_point(|n| n.entity == entity);
        first as u32..end as u32
    }

    /// The token ids of a name of this index, in name order, repeats kept.
    pub fn tokens_of<'a>(&'a self, entry: &'a NameEntry) -> &'a [u32] {
        let len = entry.len as usize;
        if len <= INLINE_TOKENS {
            &entry.inline[..len]
        } else {
            let start = entry.inline[0] as usize;
            &self.spilled[start..start + len]
        }
    }

    /// The token with this id. Panics on an id beyond
    /// [`NameIndex::token_count`].
    pub fn token(&self, id: u32) -> &TokenInfo {
        &self.tokens[id as usize]
    }

    /// The id of the listed token spelled exactly `text` (normalised);
    /// `None` when no indexed name holds it.
    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.token_ids.get(text).copied()
    }

    /// Ids of the names holding `token`, ascending, each once. Panics on an
    /// id beyond [`NameIndex::token_count`].
    pub fn postings(&self, token: u32) -> &[u32] {
        &self.postings[token as usize]
    }

    /// How many distinct tokens the names hold; token ids run from 0 to
    /// this, excluded.
    pub fn token_count(&self) -> usize {
        self.tokens.len()
    }

    /// The listed tokens that begin with `prefix` (itself included), or
    /// `None` when there are more than `max`.
    pub fn tokens_with_prefix(&self, prefix: &str, max: usize) -> Option<Vec<u32>> {
        let lo = self.sorted.partition_point(|&t| &*self.tokens[t as usize].text < prefix);
        let mut out = Vec::new();
        for &t in &self.sorted[lo..] {
            if !self.tokens[t as usize].text.starts_with(prefix) {
                break;
            }
            if out.len() == max {
                return None;
            }
            out.push(t);
        }
        Some(out)
    }

    /// Listed tokens of three letters or more that `q` begins with and
    /// that leave at least one letter after them: the possible first halves
    /// of two words written together (the second may differ by a typo, so
    /// `mariana` begins `maria ana`). Empty for tokens too short to be two
    /// words.
    pub fn leading_parts(&self, q: &str) -> Vec<u32> {
        if q.len() < crate::engine::score::MIN_JOINED {
            return Vec::new();
        }
        (3..q.len()).filter_map(|end| self.token_ids.get(&q[..end]).copied()).collect()
    }

    /// Every listed token near `q` (with phonetic key `q_key`), each once
    /// with its similarity, in no particular order. Appends to `out`.
    pub fn near_tokens(&self, q: &str, q_key: &str, out: &mut Vec<Near>) {
        SEEN.with(|cell| {
            let mut seen = cell.borrow_mut();
            if seen.marks.len() < self.tokens.len() {
                seen.marks.resize(self.tokens.len(), 0);
            }
            seen.epoch = seen.epoch.wrapping_add(1);
            if seen.epoch == 0 {
                seen.marks.iter_mut().for_each(|m| *m = 0);
                seen.epoch = 1;
            }
            let epoch = seen.epoch;
            let mut consider = |t: u32, out: &mut Vec<Near>| {
                let mark = &mut seen.marks[t as usize];
                if *mark == epoch {
                    return;
                }
                *mark = epoch;
                let info = &self.tokens[t as usize];
                if let Some((similarity, how)) = token_similarity(q, &info.text, q_key, &info.key) {
                    out.push(Near { token: t, similarity, how });
                }
            };
            if let Some(&t) = self.token_ids.get(q) {
                consider(t, out);
            }
            if q.len() < 2 {
                return;
            }
            // Edit-distance neighbours.
            let mut hashes = Vec::new();
            deletion_hashes(q.as_bytes(), deletions_for(q.len()), &mut hashes);
            for h in hashes {
                if let Some(&(a, b)) = self.deletes.get(&h) {
                    for &t in &self.delete_ids[a as usize..b as usize] {
                        consider(t, out);
                    }
                }
            }
            // The same given name in other languages.
            for eq in crate::engine::equivalents::equivalents_of(q) {
                if let Some(&t) = self.token_ids.get(eq) {
                    consider(t, out);
                }
            }
            // Phonetic neighbours and transliterations that differ in vowels.
            if q.len() >= MIN_PHONETIC {
                if let Some(ts) = self.phonetic.get(q_key) {
                    for &t in ts {
                        consider(t, out);
                    }
                }
            }
            if q.len() >= MIN_SKELETON {
                if let Some(ts) = self.skeletons.get(skeleton(q).as_slice()) {
                    for &t in ts {
                        consider(t, out);
                    }
                }
            }
            // The same letters with a doubled one more or less.
            let single = undouble(q);
            if let Some(u) = &single {
                if let Some(&t) = self.token_ids.get(u.as_str()) {
                    consider(t, out);
                }
            }
            if let Some(ts) = self.undoubled.get(single.as_deref().unwrap_or(q)) {
                for &t in ts {
                    consider(t, out);
                }
            }
            // Listed tokens that `q` is squeezed from (vowels dropped).
            if is_squeezed(q) {
                if let Some(ts) = self.squeezed.get(squeeze(q).as_str()) {
                    for &t in ts {
                        consider(t, out);
                    }
                }
            }
            // Listed tokens that `q` is a prefix of (a truncated query).
            if q.len() >= MIN_PREFIX {
                let lo = self.sorted.partition_point(|&t| &*self.tokens[t as usize].text < q);
                for &t in &self.sorted[lo..] {
                    if !self.tokens[t as usize].text.starts_with(q) {
                        break;
                    }
                    consider(t, out);
                }
            }
        })
    }
}

struct Seen {
    epoch: u32,
    marks: Vec<u32>,
}

thread_local! {
    static SEEN: std::cell::RefCell<Seen> = const { std::cell::RefCell::new(Seen { epoch: 0, marks: Vec::new() }) };
}

/// Hashes of every string obtained from `s` by deleting up to `k` bytes,
/// `s` itself included.
fn deletion_hashes(s: &[u8], k: usize, out: &mut Vec<u64>) {
    fn rec(s: &mut Vec<u8>, k: usize, from: usize, out: &mut Vec<u64>) {
        out.push(hash_bytes(s));
        if k == 0 {
            return;
        }
        for i in from..s.len() {
            let c = s.remove(i);
            rec(s, k - 1, i, out);
            s.insert(i, c);
        }
    }
    let mut buf = s.to_vec();
    rec(&mut buf, k, 0, out);
    out.sort_unstable();
    out.dedup();
}

/// A token's first character as one bit: `a`–`z` are bits 0–25, a digit
/// bit 26, anything else bit 31; 0 for an empty token.
pub fn first_letter_bit(token: &str) -> u32 {
    match token.as_bytes().first() {
        Some(&c @ b'a'..=b'z') => 1 << (c - b'a'),
        Some(b'0'..=b'9') => 1 << 26,
        Some(_) => 1 << 31,
        None => 0,
    }
}

fn pair_key(a: u32, b: u32) -> u64 {
    (a as u64) << 32 | b as u64
}

fn hash_bytes(s: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    s.hash(&mut h);
    h.finish()
}

/// Normalises a name the way the index does for an entity of `kind`.
pub fn normalize_for(kind: EntityKind, raw: &str) -> NormalizedName {
    normalize_name(raw, kind.family())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::NameRole;
    use crate::engine::similarity::token_similarity_plain;
    use proptest::prelude::*;

    fn entity(id: &str, kind: EntityKind, names: &[&str]) -> Entity {
        let mut e = Entity::new(id, "test", kind);
        for n in names {
            e.add_name(n, NameRole::Primary);
        }
        e
    }

    fn sample() -> Vec<Entity> {
        vec![
            entity("a", EntityKind::Person, &["OSEGUERA CERVANTES, Ruben", "EL MENCHO"]),
            entity("b", EntityKind::Person, &["GUZMAN LOERA, Joaquin"]),
            entity("c", EntityKind::Company, &["GRUPO IMPERGOZA, S.A. DE C.V."]),
            entity("d", EntityKind::Person, &["VAZQUEZ HERNANDEZ, Maria"]),
            entity("e", EntityKind::Organization, &["CARTEL DE JALISCO NUEVA GENERACION", "CJNG"]),
            entity("f", EntityKind::Person, &["SON MUN SAN", "ESSA YU", "SOON NAN"]),
        ]
    }

    #[test]
    fn finds_exact_typo_phonetic_and_prefix_neighbours() {
        let ix = NameIndex::build(&sample());
        let find = |q: &str| {
            let mut out = Vec::new();
            ix.near_tokens(q, &phonetic_key(q), &mut out);
            out.iter().map(|n| ix.token(n.token).text.to_string()).collect::<Vec<_>>()
        };
        assert!(find("oseguera").contains(&"oseguera".to_string()));
        assert!(find("osegeura").contains(&"oseguera".to_string()));
        assert!(find("basquez").contains(&"vazquez".to_string()));
        assert!(find("cervan").contains(&"cervantes".to_string()));
        assert!(find("impergozas").contains(&"impergoza".to_string()));
        assert!(find("zzzz").is_empty());
    }

    #[test]
    fn every_name_has_one_anchor_its_rarest_token() {
        let ix = NameIndex::build(&sample());
        let mut anchored: Vec<u32> = (0..ix.token_count() as u32).flat_map(|t| ix.anchored(t).to_vec()).collect();
        anchored.sort_unstable();
        assert_eq!(anchored, (0..ix.names().len() as u32).collect::<Vec<_>>());
        // `cartel de jalisco...`: every token is in one name, so the first.
        let cjng = ix.names().iter().position(|n| ix.token(ix.tokens_of(n)[0]).text.as_ref() == "cartel").unwrap();
        assert!(ix.anchored(ix.token_id("cartel").unwrap()).contains(&(cjng as u32)));
        assert!(ix.anchored(ix.token_count() as u32).is_empty());
    }

    #[test]
    fn legal_forms_and_duplicates_are_not_indexed() {
        let ix = NameIndex::build(&sample());
        assert!(ix.token_id("sa").is_none());
        assert!(ix.token_id("cv").is_none());
        assert!(ix.token_id("impergoza").is_some());
    }

    proptest! {
        // The index returns exactly the near tokens a scan of the vocabulary
        // finds: no loss of recall.
        #[test]
        fn index_equals_scan(q in "[a-z]{1,10}|[aesnouy]{1,5}") {
            let ents = sample();
            let ix = NameIndex::build(&ents);
            let mut got: Vec<u32> = Vec::new();
            let mut out = Vec::new();
            ix.near_tokens(&q, &phonetic_key(&q), &mut out);
            got.extend(out.iter().map(|n| n.token));
            got.sort_unstable();
            let mut want: Vec<u32> = (0..ix.token_count() as u32)
                .filter(|&t| token_similarity_plain(&q, &ix.token(t).text).is_some())
                .collect();
            want.sort_unstable();
            prop_assert_eq!(got, want);
        }
    }
}
