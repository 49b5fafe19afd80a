//! The byte encoding of a case, for fuzzers.
//!
//! A byte string that starts with [`FORMAT_VERSION`] decodes to a valid case
//! whatever follows (missing bytes read as zero, every value is reduced into
//! range), and every case encodes to bytes that decode back to the same
//! case, so a litmus file can seed a fuzzer and a fuzzer's crash can become
//! a litmus file. Bytes with another first byte are refused
//! ([`CodecError::Version`]): they were written by another version of the
//! format and would decode to a different case. Every entry point
//! (libFuzzer, AFL, replay, tests) calls [`decode`] on the raw bytes so that
//! a crash file means the same case everywhere.
//!
//! Every code in the format is an explicit, stable number declared with the
//! thing it encodes: operations ([`crate::op::OpKind`]), steps
//! ([`crate::step::StepId`]), toggles ([`crate::profile::Toggle`]), fault
//! kinds ([`FaultKind`]). Declaring a new one anywhere never renumbers the
//! others.
//!
//! Layout (each item one byte unless said otherwise):
//! ```text
//! version    FORMAT_VERSION
//! profile    bits 0-6: base profile (% profiles); bit 7: toggle lists follow:
//!              added: count % 16, then toggle codes; removed: the same
//! config     bits 0-2: frames-1; bits 3-5: wq buckets-1; bits 6-7: buffer heads per bdev page (1, 2, 4, 1)
//! fs         bits 0-1: filesystem (simple, xfs, ext4, gfs2); bit 2: blocks per file page - 1;
//!              bits 3-5: vm.page_lock_unfairness XOR 5 (0 bits: the default 5)
//! ntasks     % 5
//! per task   bits 0-1: cpu; bits 2-7: op count % 9; then the ops
//! op         operation code; then its arguments packed low bits first in
//!              declaration order, each in its kind's width (1 or 2 bytes)
//! setup      count % 9; then ops
//! slices     count % 201; per slice: context, run
//!              context % (tasks + bios): the declared tasks first, then io0..
//!              run 0: until it blocks; 1..=127: that many steps;
//!                  128+k: until the k-th (k = 1..=127) next step whose code follows
//! faults     count % 5; per fault: kind code % 4, then: io-error: bio; alloc-fail: nth;
//!              signal: task % tasks, u16 LE step; reclaim: frame, u16 LE step
//! names      optional: 0xA5, then per task: length % 9 and name characters
//! threads    optional, after names: 0x5A, then per task: the task whose mm it
//!              shares + 1, or 0x80 | (its fork parent + 1), or 0 (its own;
//!              so is any relation `case::relation_ok` refuses)
//! ```
//! A code no operation (or step) has stands for the one at that position
//! modulo their number, so random bytes still decode; the encoder only
//! writes real codes.

use arbitrary::{Arbitrary, Unstructured};

use crate::case::{Case, Fault, Op, OpKind, Run, Slice, TaskDef, DEFAULT_NAMES};
use crate::op::arg;
use crate::profile::{Profile, Toggle, Toggles, PROFILES};
use crate::step::StepId;
use crate::world::{
    Config, Fs, BIO_CTX0, MAX_BIOS, MAX_FRAMES, MAX_PAGE_LOCK_UNFAIRNESS, MAX_TASKS,
    PAGE_LOCK_UNFAIRNESS,
};

/// The version of the byte format: the first byte of every encoded case.
/// Bumped whenever the same bytes would decode to a different case.
pub const FORMAT_VERSION: u8 = 2;

/// Most operations per task (and in setup).
pub const MAX_OPS: usize = 8;
/// Most schedule slices.
pub const MAX_SLICES: usize = 200;
/// Most faults.
pub const MAX_FAULTS: usize = 4;
/// Most toggles in each of a profile's added and removed lists.
pub const MAX_TOGGLE_LIST: usize = 15;

const NAME_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
const NAMES_MAGIC: u8 = 0xA5;
const THREADS_MAGIC: u8 = 0x5A;

/// Why bytes could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// No bytes at all.
    #[error("empty input: no format version byte")]
    Empty,
    /// The first byte is not this format's version.
    #[error(
        "format version {found:#04x}, not {FORMAT_VERSION:#04x}: re-encode it from its \
         litmus file (`pagelife encode`)"
    )]
    Version {
        /// The first byte found.
        found: u8,
    },
}

/// The kinds of fault, with their stable codes in fuzzer bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FaultKind {
    /// [`Fault::IoError`].
    IoError = 0,
    /// [`Fault::AllocFail`].
    AllocFail = 1,
    /// [`Fault::Signal`].
    Signal = 2,
    /// [`Fault::Reclaim`].
    Reclaim = 3,
}

impl FaultKind {
    /// The kind of `f`.
    pub fn of(f: &Fault) -> FaultKind {
        match f {
            Fault::IoError { .. } => FaultKind::IoError,
            Fault::AllocFail { .. } => FaultKind::AllocFail,
            Fault::Signal { .. } => FaultKind::Signal,
            Fault::Reclaim { .. } => FaultKind::Reclaim,
        }
    }
}

struct Reader<'a, 'b> {
    u: &'b mut Unstructured<'a>,
}

impl Reader<'_, '_> {
    #[inline]
    fn byte(&mut self) -> u8 {
        u8::arbitrary(self.u).unwrap_or(0)
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }
}

fn decode_op(r: &mut Reader) -> Op {
    let b = r.byte();
    let kind = OpKind::from_code(b).unwrap_or(OpKind::ALL[b as usize % OpKind::ALL.len()]);
    let specs = kind.spec().args;
    let mut bytes = [0u8; 4];
    for x in bytes.iter_mut().take(arg::arg_bytes(specs)) {
        *x = r.byte();
    }
    Op::from_args(kind, &arg::unpack(specs, &bytes))
}

fn encode_op(op: Op, out: &mut Vec<u8>) {
    let op = op.clamped();
    let kind = op.kind();
    out.push(kind.code());
    arg::pack(kind.spec().args, &op.args(), out);
}

fn decode_ops(r: &mut Reader, n: usize) -> Vec<Op> {
    (0..n).map(|_| decode_op(r)).collect()
}

fn ctx_of(b: u8, ntasks: usize) -> u8 {
    let b = b % (ntasks + MAX_BIOS) as u8;
    if (b as usize) < ntasks {
        b
    } else {
        BIO_CTX0 + (b - ntasks as u8)
    }
}

fn ctx_byte(ctx: u8, ntasks: usize) -> u8 {
    if (ctx as usize) < MAX_TASKS {
        ctx
    } else {
        ctx.saturating_sub(BIO_CTX0) + ntasks as u8
    }
}

fn decode_toggles(r: &mut Reader) -> Toggles {
    let n = r.byte() % (MAX_TOGGLE_LIST as u8 + 1);
    (0..n).fold(Toggles::NONE, |t, _| match Toggle::from_code(r.byte()) {
        Some(x) => t.with(x),
        None => t,
    })
}

fn encode_toggles(t: Toggles, out: &mut Vec<u8>) {
    let list: Vec<Toggle> = t.iter().take(MAX_TOGGLE_LIST).collect();
    out.push(list.len() as u8);
    out.extend(list.iter().map(|t| t.code()));
}

fn decode_profile(r: &mut Reader) -> Profile {
    let pb = r.byte();
    let mut profile = Profile {
        base: (pb & 0x7f) % PROFILES.len() as u8,
        add: Toggles::NONE,
        remove: Toggles::NONE,
    };
    if pb & 0x80 != 0 {
        profile.add = decode_toggles(r);
        profile.remove = decode_toggles(r);
        profile = profile.normalized();
    }
    profile
}

fn decode_config(r: &mut Reader) -> Config {
    let cb = r.byte();
    let fb = r.byte();
    Config {
        frames: (cb & 7) + 1,
        wq_buckets: ((cb >> 3) & 7) + 1,
        bh_per_page: [1, 2, 4, 1][(cb >> 6) as usize],
        fs: Fs::ALL[(fb & 3) as usize],
        file_bpp: if fb & 3 == 0 { 1 } else { ((fb >> 2) & 1) + 1 },
        // Stored XOR the default, so older cases (bits 0) decode to 5.
        page_lock_unfairness: ((fb >> 3) & 7) ^ PAGE_LOCK_UNFAIRNESS,
    }
}

fn decode_slice(r: &mut Reader, ntasks: usize) -> Slice {
    let ctx = ctx_of(r.byte(), ntasks);
    let rb = r.byte();
    let run = match rb {
        0 => Run::Block,
        1..=127 => Run::Steps(rb),
        _ => {
            let b = r.byte();
            let id = StepId::from_code(b).unwrap_or(StepId::ALL[b as usize % StepId::ALL.len()]);
            Run::Until(id, (rb & 0x7f).max(1))
        }
    };
    Slice { ctx, run }
}

fn decode_fault(r: &mut Reader, ntasks: usize) -> Fault {
    match r.byte() % 4 {
        k if k == FaultKind::IoError as u8 => Fault::IoError {
            bio: r.byte() % MAX_BIOS as u8,
        },
        // A signal goes to a declared task (without tasks, the byte is an allocation failure).
        k if k == FaultKind::Signal as u8 && ntasks > 0 => Fault::Signal {
            task: r.byte() % ntasks as u8,
            at: r.u16(),
        },
        k if k == FaultKind::Reclaim as u8 => Fault::Reclaim {
            frame: r.byte() % MAX_FRAMES as u8,
            at: r.u16(),
        },
        _ => Fault::AllocFail { nth: r.byte() },
    }
}

fn decode_names(r: &mut Reader, tasks: &mut [TaskDef]) {
    if r.u.is_empty() || r.byte() != NAMES_MAGIC {
        return;
    }
    for t in tasks.iter_mut() {
        let n = (r.byte() % 9) as usize;
        let name: String = (0..n)
            .map(|_| NAME_CHARS[(r.byte() as usize) % NAME_CHARS.len()] as char)
            .collect();
        if !name.is_empty() {
            t.name = name;
        }
    }
}

fn decode_threads(r: &mut Reader, tasks: &mut [TaskDef]) {
    if r.u.is_empty() || r.byte() != THREADS_MAGIC {
        return;
    }
    for t in tasks.iter_mut() {
        let b = r.byte();
        let l = ((b & 0x7F) as usize).wrapping_sub(1);
        if l < MAX_TASKS {
            if b & 0x80 != 0 {
                t.fork = Some(l as u8);
            } else {
                t.thread = Some(l as u8);
            }
        }
    }
    crate::case::sanitize_relations(tasks);
}

/// A task's byte in the threads section.
fn relation_byte(t: &TaskDef) -> u8 {
    match (t.thread, t.fork) {
        (Some(l), _) => l + 1,
        (None, Some(p)) => 0x80 | (p + 1),
        (None, None) => 0,
    }
}

/// Whether any task is a thread or a child (the threads section is written).
fn has_relations(tasks: &[TaskDef]) -> bool {
    tasks.iter().any(|t| t.thread.is_some() || t.fork.is_some())
}

/// Decode a case from the bytes after the version byte (the [`Arbitrary`]
/// implementation: total).
fn decode_body(u: &mut Unstructured<'_>) -> Case {
    let mut r = Reader { u };
    let profile = decode_profile(&mut r);
    let config = decode_config(&mut r);
    let ntasks = (r.byte() % (MAX_TASKS as u8 + 1)) as usize;
    let mut tasks = Vec::with_capacity(ntasks);
    for name in DEFAULT_NAMES.iter().take(ntasks) {
        let b = r.byte();
        let nops = ((b >> 2) % (MAX_OPS as u8 + 1)) as usize;
        tasks.push(TaskDef {
            name: name.to_string(),
            cpu: b & 3,
            thread: None,
            fork: None,
            ops: decode_ops(&mut r, nops),
        });
    }
    let nsetup = (r.byte() % (MAX_OPS as u8 + 1)) as usize;
    let setup = decode_ops(&mut r, nsetup);
    let nslices = (r.byte() % (MAX_SLICES as u8 + 1)) as usize;
    let schedule = (0..nslices).map(|_| decode_slice(&mut r, ntasks)).collect();
    let nfaults = (r.byte() % (MAX_FAULTS as u8 + 1)) as usize;
    let faults = (0..nfaults).map(|_| decode_fault(&mut r, ntasks)).collect();
    decode_names(&mut r, &mut tasks);
    decode_threads(&mut r, &mut tasks);
    Case {
        profile,
        config,
        setup,
        tasks,
        schedule,
        faults,
    }
}

/// Decode bytes into a case: the first byte must be [`FORMAT_VERSION`];
/// any bytes after it decode.
pub fn decode(bytes: &[u8]) -> Result<Case, CodecError> {
    match bytes.first() {
        None => Err(CodecError::Empty),
        Some(&FORMAT_VERSION) => Ok(decode_body(&mut Unstructured::new(&bytes[1..]))),
        Some(&found) => Err(CodecError::Version { found }),
    }
}

/// Whether `name` survives the encoding (characters from the name alphabet, at most 8).
fn encodable_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 8 && name.bytes().all(|b| NAME_CHARS.contains(&b))
}

fn encode_profile(p: Profile, out: &mut Vec<u8>) {
    let p = p.normalized();
    if p.add == Toggles::NONE && p.remove == Toggles::NONE {
        out.push(p.base);
    } else {
        out.push(p.base | 0x80);
        encode_toggles(p.add, out);
        encode_toggles(p.remove, out);
    }
}

fn encode_config(c: &Config, out: &mut Vec<u8>) {
    let frames = c.frames.clamp(1, MAX_FRAMES as u8) - 1;
    let buckets = c.wq_buckets.clamp(1, 8) - 1;
    let bh = match c.bh_per_page {
        2 => 1u8,
        4 => 2,
        _ => 0,
    };
    out.push(frames | buckets << 3 | bh << 6);
    let fs = Fs::ALL.iter().position(|&f| f == c.fs).unwrap_or(0) as u8;
    let bpp = if fs == 0 {
        0
    } else {
        c.file_bpp.clamp(1, 2) - 1
    };
    let unfair = c.page_lock_unfairness.min(MAX_PAGE_LOCK_UNFAIRNESS) ^ PAGE_LOCK_UNFAIRNESS;
    out.push(fs | bpp << 2 | unfair << 3);
}

fn encode_slice(s: &Slice, ntasks: usize, out: &mut Vec<u8>) {
    out.push(ctx_byte(s.ctx, ntasks));
    match s.run {
        Run::Block => out.push(0),
        Run::Steps(n) => out.push(n.clamp(1, 127)),
        Run::Until(id, k) => {
            out.push(0x80 | k.clamp(1, 127));
            out.push(id.code());
        }
    }
}

fn encode_fault(f: &Fault, out: &mut Vec<u8>) {
    out.push(FaultKind::of(f) as u8);
    match *f {
        Fault::IoError { bio } => out.push(bio),
        Fault::AllocFail { nth } => out.push(nth),
        Fault::Signal { task, at } => {
            out.push(task);
            out.extend_from_slice(&at.to_le_bytes());
        }
        Fault::Reclaim { frame, at } => {
            out.push(frame);
            out.extend_from_slice(&at.to_le_bytes());
        }
    }
}

fn encode_names(tasks: &[TaskDef], out: &mut Vec<u8>) {
    let default_names = tasks
        .iter()
        .enumerate()
        .all(|(i, t)| t.name == DEFAULT_NAMES[i]);
    if default_names && !has_relations(tasks) {
        return;
    }
    out.push(NAMES_MAGIC);
    for (i, t) in tasks.iter().enumerate() {
        let name = if encodable_name(&t.name) {
            t.name.as_str()
        } else {
            DEFAULT_NAMES[i]
        };
        out.push(name.len() as u8);
        out.extend(
            name.bytes()
                .map(|b| NAME_CHARS.iter().position(|&c| c == b).unwrap_or(0) as u8),
        );
    }
}

/// Encode a case. Cases beyond the encoding's limits (too many tasks,
/// operations, slices, faults or toggles; names outside `[A-Za-z0-9_]{1,8}`)
/// are truncated to fit, so check with [`fits`] first when it matters.
pub fn encode(case: &Case) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.push(FORMAT_VERSION);
    encode_profile(case.profile, &mut out);
    encode_config(&case.config, &mut out);
    let tasks = &case.tasks[..case.tasks.len().min(MAX_TASKS)];
    out.push(tasks.len() as u8);
    for t in tasks {
        let ops = &t.ops[..t.ops.len().min(MAX_OPS)];
        out.push((t.cpu & 3) | (ops.len() as u8) << 2);
        for op in ops {
            encode_op(*op, &mut out);
        }
    }
    let setup = &case.setup[..case.setup.len().min(MAX_OPS)];
    out.push(setup.len() as u8);
    for op in setup {
        encode_op(*op, &mut out);
    }
    let sched = &case.schedule[..case.schedule.len().min(MAX_SLICES)];
    out.push(sched.len() as u8);
    for s in sched {
        encode_slice(s, tasks.len(), &mut out);
    }
    let faults = &case.faults[..case.faults.len().min(MAX_FAULTS)];
    out.push(faults.len() as u8);
    for f in faults {
        encode_fault(f, &mut out);
    }
    encode_names(tasks, &mut out);
    if has_relations(tasks) {
        out.push(THREADS_MAGIC);
        out.extend(tasks.iter().map(relation_byte));
    }
    out
}

/// Whether `case` is within the encoding's limits (so `decode(encode(case)) == case`).
pub fn fits(case: &Case) -> bool {
    decode(&encode(case)).is_ok_and(|c| c == *case)
}

impl<'a> Arbitrary<'a> for Case {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(decode_body(u))
    }

    fn arbitrary_take_rest(mut u: Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(decode_body(&mut u))
    }
}

/// Check the limits the decoder guarantees (used by tests).
pub fn within_limits(c: &Case) -> bool {
    c.tasks.len() <= MAX_TASKS
        && c.tasks.iter().all(|t| t.ops.len() <= MAX_OPS)
        && c.setup.len() <= MAX_OPS
        && c.schedule.len() <= MAX_SLICES
        && c.faults.len() <= MAX_FAULTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_toggle_survives_added_and_removed() {
        for &t in Toggle::ALL {
            for base in ["v5.0", "mainline"] {
                let mut c = Case {
                    profile: Profile::parse(&format!("{base}+{}", t.id())).unwrap(),
                    ..Case::default()
                };
                assert_eq!(decode(&encode(&c)).unwrap(), c, "+{}", t.id());
                c.profile = Profile::parse(&format!("{base}-{}", t.id())).unwrap();
                assert_eq!(decode(&encode(&c)).unwrap(), c, "-{}", t.id());
            }
        }
        // Codes are read as numbers, not as bits of a fixed-width field: an
        // unknown code is dropped, nothing else moves.
        let b = [FORMAT_VERSION, 0x80, 1, 200, 0];
        assert_eq!(decode(&b).unwrap().profile.add, Toggles::NONE);
    }

    #[test]
    fn wrong_version_is_refused() {
        assert_eq!(decode(&[]), Err(CodecError::Empty));
        assert_eq!(decode(&[7, 1, 2]), Err(CodecError::Version { found: 7 }));
        assert!(decode(&[FORMAT_VERSION]).is_ok());
    }
}
