//! Argument kinds of operations: how each is written in a litmus file, its
//! range, its width in fuzzer bytes. An operation's declaration
//! (`core/src/op/mod.rs`) names the kind of each of its arguments; the
//! parser, printer, codec and clamping come from here.

use crate::case::DEFAULT_NAMES as TASK_SLOTS;
use crate::world::{BDEV, MAX_FILES, MAX_FRAMES, MAX_INDEX, MAX_LBLK, MAX_TASKS};

/// What an argument is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// A file: `f0`..`f2`.
    File,
    /// A file or the block device: `f0`..`f2`, `bdev`.
    FileOrBdev,
    /// A page index of a file: `0`..`MAX_INDEX - 1`.
    Page,
    /// A size in pages: `0`..=`MAX_INDEX`.
    Size,
    /// A page count after a [`ArgKind::Page`] argument: `1`..=`MAX_INDEX - page`.
    Count,
    /// A physical frame: `frame0`..`frame7` (or the bare number).
    Frame,
    /// A block of the block device: `0`..`MAX_LBLK - 1`.
    DevBlock,
    /// A data unit of a file: `0`..`MAX_LBLK - 1`.
    Unit,
    /// A length in data units after a [`ArgKind::Unit`] argument:
    /// `1`..=`MAX_LBLK - unit`.
    Len,
    /// A user task by its slot: `A`..`D`, the first to fourth `task`
    /// section of a litmus file whatever its name.
    Task,
    /// One keyword of a fixed list (its index is the value).
    Choice(&'static [&'static str]),
    /// An optional keyword after the positional arguments (present: 1).
    Flag(&'static str),
}

/// One argument of an operation: its field name and kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArgSpec {
    /// The field name in [`crate::op::Op`].
    pub name: &'static str,
    /// Its kind.
    pub kind: ArgKind,
}

/// Most arguments an operation has.
pub const MAX_ARGS: usize = 4;

/// Argument values of one operation, in declaration order.
pub type Args = [u8; MAX_ARGS];

impl ArgKind {
    /// Whether the range depends on the argument before it.
    pub fn relative(self) -> bool {
        matches!(self, ArgKind::Count | ArgKind::Len)
    }

    /// The smallest value, and how many values there are (given the
    /// previous argument's value, for relative kinds).
    pub fn range(self, prev: u8) -> (u8, u8) {
        match self {
            ArgKind::File => (0, MAX_FILES as u8),
            ArgKind::FileOrBdev => (0, BDEV + 1),
            ArgKind::Page => (0, MAX_INDEX as u8),
            ArgKind::Size => (0, MAX_INDEX as u8 + 1),
            ArgKind::Count => (1, (MAX_INDEX as u8).saturating_sub(prev).max(1)),
            ArgKind::Frame => (0, MAX_FRAMES as u8),
            ArgKind::DevBlock | ArgKind::Unit => (0, MAX_LBLK as u8),
            ArgKind::Len => (1, (MAX_LBLK as u8).saturating_sub(prev).max(1)),
            ArgKind::Choice(c) => (0, c.len() as u8),
            ArgKind::Flag(_) => (0, 2),
            ArgKind::Task => (0, MAX_TASKS as u8),
        }
    }

    /// Bits the value takes in fuzzer bytes (enough for the widest range).
    pub const fn bits(self) -> u32 {
        match self {
            ArgKind::File
            | ArgKind::FileOrBdev
            | ArgKind::Page
            | ArgKind::Count
            | ArgKind::Task => 2,
            ArgKind::Size | ArgKind::Frame => 3,
            ArgKind::DevBlock | ArgKind::Unit | ArgKind::Len => 4,
            ArgKind::Choice(c) => {
                let mut b = 0;
                while (1usize << b) < c.len() {
                    b += 1;
                }
                b
            }
            ArgKind::Flag(_) => 1,
        }
    }

    /// `v` reduced into range.
    pub fn clamp(self, v: u8, prev: u8) -> u8 {
        let (min, n) = self.range(prev);
        if self.relative() {
            v.clamp(min, min + n - 1)
        } else {
            min + v.wrapping_sub(min) % n
        }
    }

    /// The value from `raw` bits of fuzzer bytes (any bits give a value in range).
    pub fn from_raw(self, raw: u8, prev: u8) -> u8 {
        let (min, n) = self.range(prev);
        min + raw % n
    }

    /// The bits that encode `v`.
    pub fn to_raw(self, v: u8, prev: u8) -> u8 {
        let (min, _) = self.range(prev);
        v.saturating_sub(min)
    }

    /// What a reader expects here, for error messages and usage lines.
    pub fn describe(self) -> String {
        match self {
            ArgKind::File => format!("a file (f0..f{})", MAX_FILES - 1),
            ArgKind::FileOrBdev => format!("a file (f0..f{}) or bdev", MAX_FILES - 1),
            ArgKind::Page => format!("a page index (0..{})", MAX_INDEX - 1),
            ArgKind::Size => format!("a size in pages (0..{MAX_INDEX})"),
            ArgKind::Count => format!("a page count (1..{MAX_INDEX})"),
            ArgKind::Frame => format!("a frame (frame0..frame{})", MAX_FRAMES - 1),
            ArgKind::DevBlock => format!("a block of the device (0..{})", MAX_LBLK - 1),
            ArgKind::Unit => format!("a first data unit (0..{})", MAX_LBLK - 1),
            ArgKind::Len => format!("a length in data units (1..{MAX_LBLK})"),
            ArgKind::Choice(c) => format!("`{}`", c.join("` or `")),
            ArgKind::Flag(f) => format!("`{f}`"),
            ArgKind::Task => format!(
                "a task slot ({}..{}: the first to last task section)",
                TASK_SLOTS[0],
                TASK_SLOTS[MAX_TASKS - 1]
            ),
        }
    }

    /// The placeholder in a usage line: `FILE`, `INDEX`, `none|all`, `[getblk]`.
    pub fn usage(self, name: &str) -> String {
        match self {
            ArgKind::Choice(c) => c.join("|"),
            ArgKind::Flag(f) => format!("[{f}]"),
            _ => name.to_ascii_uppercase(),
        }
    }

    /// Parse `text` as this kind's value (before range checks for numbers
    /// relative to the previous argument). `Err` carries what was expected.
    pub fn parse(self, text: &str, prev: u8) -> Result<u8, String> {
        let num = |t: &str| t.parse::<usize>().ok();
        let found = |what: String| format!("expected {what}, found `{text}`");
        let v = match self {
            ArgKind::File => text
                .strip_prefix('f')
                .and_then(num)
                .filter(|&n| n < MAX_FILES),
            ArgKind::FileOrBdev if text == "bdev" => Some(BDEV as usize),
            ArgKind::FileOrBdev => text
                .strip_prefix('f')
                .and_then(num)
                .filter(|&n| n < MAX_FILES),
            ArgKind::Frame => {
                num(text.strip_prefix("frame").unwrap_or(text)).filter(|&n| n < MAX_FRAMES)
            }
            ArgKind::Choice(c) => c.iter().position(|&k| k == text),
            ArgKind::Flag(f) => (text == f).then_some(1),
            ArgKind::Task => TASK_SLOTS.iter().position(|&k| k == text),
            _ => {
                let Some(n) = num(text) else {
                    return Err(found(self.describe()));
                };
                let (min, count) = self.range(prev);
                let max = min as usize + count as usize - 1;
                if n < min as usize || n > max {
                    return Err(format!(
                        "expected {} ({min}..{max} here), found {n}",
                        self.describe()
                    ));
                }
                Some(n)
            }
        };
        v.map(|n| n as u8).ok_or_else(|| found(self.describe()))
    }

    /// How the value is written in a litmus file (`None`: an absent flag).
    pub fn show(self, v: u8) -> Option<String> {
        Some(match self {
            ArgKind::File => format!("f{v}"),
            ArgKind::FileOrBdev => crate::case::file_name(v),
            ArgKind::Frame => format!("frame{v}"),
            ArgKind::Choice(c) => c.get(v as usize).copied().unwrap_or("?").to_string(),
            ArgKind::Flag(f) => return (v != 0).then(|| f.to_string()),
            ArgKind::Task => TASK_SLOTS
                .get(v as usize)
                .copied()
                .unwrap_or("?")
                .to_string(),
            _ => v.to_string(),
        })
    }
}

/// A field type an argument value converts to and from.
pub trait ArgValue: Copy {
    /// The value as an argument byte.
    fn to_arg(self) -> u8;
    /// The field from an argument byte.
    fn from_arg(v: u8) -> Self;
}

impl ArgValue for u8 {
    #[inline]
    fn to_arg(self) -> u8 {
        self
    }
    #[inline]
    fn from_arg(v: u8) -> u8 {
        v
    }
}

impl ArgValue for bool {
    #[inline]
    fn to_arg(self) -> u8 {
        self as u8
    }
    #[inline]
    fn from_arg(v: u8) -> bool {
        v != 0
    }
}

/// Clamp every argument of `specs` in place (relative kinds after the one
/// before them).
pub fn clamp_args(specs: &[ArgSpec], args: &mut Args) {
    let mut prev = 0;
    for (i, s) in specs.iter().enumerate() {
        args[i] = s.kind.clamp(args[i], prev);
        prev = args[i];
    }
}

/// Bytes the arguments of `specs` take in fuzzer input.
pub fn arg_bytes(specs: &[ArgSpec]) -> usize {
    let bits: u32 = specs.iter().map(|s| s.kind.bits()).sum();
    bits.div_ceil(8) as usize
}

/// Pack `args` into bytes, low bits first, in declaration order.
pub fn pack(specs: &[ArgSpec], args: &Args, out: &mut Vec<u8>) {
    let mut acc: u32 = 0;
    let mut shift = 0;
    let mut prev = 0;
    for (i, s) in specs.iter().enumerate() {
        acc |= (s.kind.to_raw(args[i], prev) as u32 & ((1 << s.kind.bits()) - 1)) << shift;
        shift += s.kind.bits();
        prev = args[i];
    }
    for k in 0..arg_bytes(specs) {
        out.push((acc >> (8 * k)) as u8);
    }
}

/// Unpack arguments from `bytes` (as [`pack`] wrote them; any bytes give
/// values in range).
pub fn unpack(specs: &[ArgSpec], bytes: &[u8]) -> Args {
    let mut acc: u32 = 0;
    for (k, &b) in bytes.iter().enumerate().take(4) {
        acc |= (b as u32) << (8 * k);
    }
    let mut args = [0; MAX_ARGS];
    let mut shift = 0;
    let mut prev = 0;
    for (i, s) in specs.iter().enumerate() {
        let raw = ((acc >> shift) & ((1 << s.kind.bits()) - 1)) as u8;
        args[i] = s.kind.from_raw(raw, prev);
        shift += s.kind.bits();
        prev = args[i];
    }
    args
}
