//! The byte encoding of a case, for fuzzers.
//!
//! Any byte string decodes to a valid case (missing bytes read as zero, every
//! value is reduced into range), and every case encodes to bytes that decode
//! back to the same case, so a litmus file can seed a fuzzer and a fuzzer's
//! crash can become a litmus file. Decoding goes through
//! [`arbitrary::Unstructured`] one byte at a time, so `Case` is also
//! [`arbitrary::Arbitrary`]; every entry point (libFuzzer, AFL, replay, tests)
//! calls [`decode`] on the raw bytes so that a crash file means the same case
//! everywhere.
//!
//! Layout (each item one byte unless said otherwise):
//! ```text
//! profile    bit 7: custom toggles follow (u32 LE add, u32 LE remove); bits 0-6: base profile
//! config     bits 0-2: frames-1; bits 3-5: wq buckets-1; bits 6-7: buffer heads per bdev page (1, 2, 4, 1)
//! fs         bits 0-1: filesystem (simple, xfs, ext4, gfs2); bit 2: blocks per file page - 1
//! ntasks     % 5
//! per task   bits 0-1: cpu; bits 2-7: op count % 9; then per op: kind % 14, argument
//!              (pwrite has a second argument byte: length - 1)
//! setup      count % 9; then ops
//! slices     count % 201; per slice: context, run
//!              context % (tasks + bios): the declared tasks first, then io0..
//!              run 0: until it blocks; 1..=127: that many steps;
//!                  128+k: until the k-th (k = 1..=127) next step labelled with the following byte
//! faults     count % 5; per fault: kind % 4, then: io-error: bio; alloc-fail: nth;
//!              signal: task % tasks, u16 LE step; reclaim: frame, u16 LE step
//! names      optional: 0xA5, then per task: length % 9 and name characters
//! ```

use arbitrary::{Arbitrary, Unstructured};

use crate::case::{Case, FallocMode, Fault, Op, Run, Slice, TaskDef, DEFAULT_NAMES};
use crate::profile::{Profile, Toggles, PROFILES};
use crate::step::StepId;
use crate::world::{Config, Fs, BIO_CTX0, MAX_BIOS, MAX_FILES, MAX_FRAMES, MAX_INDEX, MAX_TASKS};

/// The version of the byte format (bumped whenever the same bytes would
/// decode to a different case).
pub const FORMAT_VERSION: u8 = 1;

/// Most operations per task (and in setup).
pub const MAX_OPS: usize = 8;
/// Most schedule slices.
pub const MAX_SLICES: usize = 200;
/// Most faults.
pub const MAX_FAULTS: usize = 4;

const NAME_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
const NAMES_MAGIC: u8 = 0xA5;
const OP_KINDS: u8 = 14;

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
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }
}

fn decode_op(r: &mut Reader) -> Op {
    let kind = r.byte() % OP_KINDS;
    let a = r.byte();
    let file = (a & 3) % MAX_FILES as u8;
    match kind {
        0 => Op::Write {
            file,
            index: (a >> 2) % MAX_INDEX as u8,
        },
        1 => Op::Read {
            file,
            index: (a >> 2) % MAX_INDEX as u8,
        },
        // Writeback and fsync take the block device too (file 3).
        2 => Op::Writeback {
            file: a & 3,
            all: (a >> 4) & 1 == 1,
        },
        3 => Op::Fsync { file: a & 3 },
        4 => Op::Sync,
        5 => Op::Truncate {
            file,
            size: (a >> 2) % (MAX_INDEX as u8 + 1),
        },
        6 => Op::Reclaim {
            frame: a % MAX_FRAMES as u8,
        },
        7 => Op::BhWrite {
            block: a & 15,
            getblk: a & 16 != 0,
            meta: a & 32 != 0,
            nonatomic: a & 64 != 0,
        },
        8 => Op::Migrate {
            frame: a % MAX_FRAMES as u8,
        },
        9 => Op::Pwrite {
            file,
            unit: (a >> 2) & 15,
            len: (r.byte() & 15) + 1,
        }
        .clamped(),
        10..=12 => Op::Falloc {
            file,
            mode: [FallocMode::Alloc, FallocMode::Punch, FallocMode::Zero][(kind - 10) as usize],
            index: (a >> 2) & 3,
            count: ((a >> 4) & 3) + 1,
        }
        .clamped(),
        _ => Op::Mkwrite {
            file,
            index: (a >> 2) % MAX_INDEX as u8,
        },
    }
}

fn encode_op(op: Op, out: &mut Vec<u8>) {
    let (k, a) = match op.clamped() {
        Op::Write { file, index } => (0, file | index << 2),
        Op::Read { file, index } => (1, file | index << 2),
        Op::Writeback { file, all } => (2, file | (all as u8) << 4),
        Op::Fsync { file } => (3, file),
        Op::Sync => (4, 0),
        Op::Truncate { file, size } => (5, file | size << 2),
        Op::Reclaim { frame } => (6, frame),
        Op::BhWrite {
            block,
            getblk,
            meta,
            nonatomic,
        } => (
            7,
            block | (getblk as u8) << 4 | (meta as u8) << 5 | (nonatomic as u8) << 6,
        ),
        Op::Migrate { frame } => (8, frame),
        Op::Pwrite { file, unit, len } => {
            out.extend([9, file | unit << 2, len - 1]);
            return;
        }
        Op::Falloc {
            file,
            mode,
            index,
            count,
        } => {
            let k = match mode {
                FallocMode::Alloc => 10,
                FallocMode::Punch => 11,
                FallocMode::Zero => 12,
            };
            (k, file | index << 2 | (count - 1) << 4)
        }
        Op::Mkwrite { file, index } => (13, file | index << 2),
    };
    out.push(k);
    out.push(a);
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

/// Decode a case from the reader (the [`Arbitrary`] implementation).
fn decode_from(u: &mut Unstructured<'_>) -> Case {
    let mut r = Reader { u };
    let pb = r.byte();
    let mut profile = Profile {
        base: (pb & 0x7f) % PROFILES.len() as u8,
        add: Toggles::NONE,
        remove: Toggles::NONE,
    };
    if pb & 0x80 != 0 {
        profile.add = Toggles(r.u32() as u64);
        profile.remove = Toggles(r.u32() as u64);
        profile = profile.normalized();
    }
    let cb = r.byte();
    let fb = r.byte();
    let config = Config {
        frames: (cb & 7) + 1,
        wq_buckets: ((cb >> 3) & 7) + 1,
        bh_per_page: [1, 2, 4, 1][(cb >> 6) as usize],
        fs: Fs::ALL[(fb & 3) as usize],
        file_bpp: if fb & 3 == 0 { 1 } else { ((fb >> 2) & 1) + 1 },
    };
    let ntasks = (r.byte() % (MAX_TASKS as u8 + 1)) as usize;
    let mut tasks = Vec::with_capacity(ntasks);
    for name in DEFAULT_NAMES.iter().take(ntasks) {
        let b = r.byte();
        let nops = ((b >> 2) % (MAX_OPS as u8 + 1)) as usize;
        tasks.push(TaskDef {
            name: name.to_string(),
            cpu: b & 3,
            ops: decode_ops(&mut r, nops),
        });
    }
    let nsetup = (r.byte() % (MAX_OPS as u8 + 1)) as usize;
    let setup = decode_ops(&mut r, nsetup);
    let nslices = (r.byte() % (MAX_SLICES as u8 + 1)) as usize;
    let mut schedule = Vec::with_capacity(nslices);
    for _ in 0..nslices {
        let ctx = ctx_of(r.byte(), ntasks);
        let rb = r.byte();
        let run = match rb {
            0 => Run::Block,
            1..=127 => Run::Steps(rb),
            _ => {
                let id = StepId::ALL[r.byte() as usize % StepId::ALL.len()];
                Run::Until(id, (rb & 0x7f).max(1))
            }
        };
        schedule.push(Slice { ctx, run });
    }
    let nfaults = (r.byte() % (MAX_FAULTS as u8 + 1)) as usize;
    let mut faults = Vec::with_capacity(nfaults);
    for _ in 0..nfaults {
        let f = match r.byte() % 4 {
            0 => Fault::IoError {
                bio: r.byte() % MAX_BIOS as u8,
            },
            1 => Fault::AllocFail { nth: r.byte() },
            // A signal goes to a declared task (without tasks, the byte is an allocation failure).
            2 if ntasks > 0 => Fault::Signal {
                task: r.byte() % ntasks as u8,
                at: r.u16(),
            },
            2 => Fault::AllocFail { nth: r.byte() },
            _ => Fault::Reclaim {
                frame: r.byte() % MAX_FRAMES as u8,
                at: r.u16(),
            },
        };
        faults.push(f);
    }
    if !r.u.is_empty() && r.byte() == NAMES_MAGIC {
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
    Case {
        profile,
        config,
        setup,
        tasks,
        schedule,
        faults,
    }
}

/// Decode any byte string into a case.
pub fn decode(bytes: &[u8]) -> Case {
    decode_from(&mut Unstructured::new(bytes))
}

/// Whether `name` survives the encoding (characters from the name alphabet, at most 8).
fn encodable_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 8 && name.bytes().all(|b| NAME_CHARS.contains(&b))
}

/// Encode a case. Cases beyond the encoding's limits (too many tasks,
/// operations, slices or faults; names outside `[A-Za-z0-9_]{1,8}`) are
/// truncated to fit, so always check with [`fits`] first when it matters.
pub fn encode(case: &Case) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    let p = case.profile.normalized();
    if p.add == Toggles::NONE && p.remove == Toggles::NONE {
        out.push(p.base);
    } else {
        out.push(p.base | 0x80);
        out.extend_from_slice(&(p.add.0 as u32).to_le_bytes());
        out.extend_from_slice(&(p.remove.0 as u32).to_le_bytes());
    }
    let frames = case.config.frames.clamp(1, MAX_FRAMES as u8) - 1;
    let buckets = case.config.wq_buckets.clamp(1, 8) - 1;
    let bh = match case.config.bh_per_page {
        2 => 1u8,
        4 => 2,
        _ => 0,
    };
    out.push(frames | buckets << 3 | bh << 6);
    let fs = Fs::ALL
        .iter()
        .position(|&f| f == case.config.fs)
        .unwrap_or(0) as u8;
    let bpp = if fs == 0 {
        0
    } else {
        case.config.file_bpp.clamp(1, 2) - 1
    };
    out.push(fs | bpp << 2);
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
        out.push(ctx_byte(s.ctx, tasks.len()));
        match s.run {
            Run::Block => out.push(0),
            Run::Steps(n) => out.push(n.clamp(1, 127)),
            Run::Until(id, k) => {
                out.push(0x80 | k.clamp(1, 127));
                out.push(id as u8);
            }
        }
    }
    let faults = &case.faults[..case.faults.len().min(MAX_FAULTS)];
    out.push(faults.len() as u8);
    for f in faults {
        match *f {
            Fault::IoError { bio } => out.extend_from_slice(&[0, bio]),
            Fault::AllocFail { nth } => out.extend_from_slice(&[1, nth]),
            Fault::Signal { task, at } => {
                out.extend_from_slice(&[2, task]);
                out.extend_from_slice(&at.to_le_bytes());
            }
            Fault::Reclaim { frame, at } => {
                out.extend_from_slice(&[3, frame]);
                out.extend_from_slice(&at.to_le_bytes());
            }
        }
    }
    let default_names = tasks
        .iter()
        .enumerate()
        .all(|(i, t)| t.name == DEFAULT_NAMES[i]);
    if !default_names {
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
    out
}

/// Whether `case` is within the encoding's limits (so `decode(encode(case)) == case`).
pub fn fits(case: &Case) -> bool {
    decode(&encode(case)) == *case
}

impl<'a> Arbitrary<'a> for Case {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(decode_from(u))
    }

    fn arbitrary_take_rest(mut u: Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(decode_from(&mut u))
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
