//! A driver's long-term pin of a user buffer and the device's DMA through
//! it: `pin_user_pages_fast(FOLL_LONGTERM [| FOLL_WRITE])` as RDMA's
//! `ib_umem_get()`, io_uring's buffer registration or (with a plain
//! reference) `vmsplice()` take one; the device later reads or writes the
//! pinned page, and the driver unpins it (`unpin_user_pages_dirty_lock()`).
//!
//! The pin promises that the pinned page is the page the process sees:
//! what the device reads is what the process last stored there (once the
//! process has unmapped the page, what it held then), and what the device
//! writes is what the process's loads find. `pin-incoherent` checks the
//! first; `user-data-lost` the second. Each process holds at most one pin
//! ([`crate::world::PinnedPage`]); its exit releases it after
//! `exit_mmap()`, as closing the driver's file does.

use crate::exec::poll::Poll;
use crate::mm::gup::Gup;
use crate::mm::swap::folio_put_refs;
use crate::oracle::{OracleId, Payload};
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{pg, token, AnonPromise, PinnedPage, World, MAX_BLOCKS, MAX_INDEX, MAX_TASKS};

use super::gup::GUP_PIN_COUNTING_BIAS;

/// `pin_user_pages_fast()` of the running task's anonymous page `page`,
/// kept by the process until [`Unpin`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PinPage {
    page: u8,
    write: bool,
    gup: Option<Gup>,
}

impl PinPage {
    /// Pin anonymous page `page`; `write`: `FOLL_WRITE`.
    pub fn new(page: u8, write: bool) -> PinPage {
        PinPage {
            page: page % MAX_INDEX as u8,
            write,
            gup: None,
        }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let (id, g) = crate::nested!(self.gup, w, Gup::pin(self.page, self.write));
        if g.folio.is_none() {
            w.note(Event::Note("GUP failed: -EFAULT"));
            return Poll::Done(id);
        }
        let mm = &mut w.mms[w.mm_id(w.me) as usize % MAX_TASKS];
        mm.pin = PinnedPage {
            folio: g.folio,
            page: self.page,
            write: self.write,
            connected: true,
            held: AnonPromise::ZERO,
        };
        Poll::Done(id)
    }
}

/// The device's access through the running task's pin (a read, or for a
/// `FOLL_WRITE` pin a write of a new version), then the unpin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Unpin {
    accessed: bool,
}

impl Unpin {
    /// DMA through the pin, then unpin.
    pub fn new() -> Unpin {
        Unpin { accessed: false }
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let mm = w.mm_id(w.me) % MAX_TASKS as u8;
        let pin = w.mms[mm as usize].pin;
        if !self.accessed {
            self.accessed = true;
            if pin.write {
                device_write(w, mm, pin);
            } else {
                device_read(w, mm, pin);
            }
            return Poll::Ran(StepId::DevicePinnedAccess);
        }
        release_pin(w, mm);
        Poll::Done(StepId::UnpinUserPage)
    }
}

impl Default for Unpin {
    fn default() -> Self {
        Unpin::new()
    }
}

/// The device reads the pinned folio: it must hold what the process's page
/// promises (or held when unmapped).
fn device_read(w: &mut World, mm: u8, pin: PinnedPage) {
    let want = if pin.connected {
        w.mms[mm as usize].anon[pin.page as usize]
    } else {
        pin.held
    };
    if !w.check_ref(pin.folio) {
        return;
    }
    let data = w.frame(pin.folio).data;
    if want.kept(&data) {
        return;
    }
    let j = (0..MAX_BLOCKS)
        .find(|&j| data[j] != want.data[j])
        .unwrap_or(0);
    w.fire(
        OracleId::PinIncoherent,
        pin.folio.frame,
        Payload::Data {
            found: data[j],
            promised: want.data[j],
        },
    );
}

/// The device writes a new version of the page into the pinned folio: the
/// process's loads of the page are promised it while the page is mapped.
fn device_write(w: &mut World, mm: u8, pin: PinnedPage) {
    if !w.check_ref(pin.folio) {
        return;
    }
    let a = &mut w.mms[mm as usize].anon[pin.page as usize];
    let data = [token::anon(mm, pin.page, a.next); MAX_BLOCKS];
    a.next = a.next.wrapping_add(1).max(1);
    if pin.connected {
        *a = AnonPromise {
            data,
            next: a.next,
            ..AnonPromise::ZERO
        };
    } else {
        w.mms[mm as usize].pin.held.data = data;
    }
    w.frame_mut(pin.folio).data = data;
}

/// `unpin_user_pages_dirty_lock()` / `unpin_user_page()` of mm `mm`'s pin:
/// a written page dirtied, the pin's references dropped.
pub fn release_pin(w: &mut World, mm: u8) {
    let pin = w.mms[mm as usize % MAX_TASKS].pin;
    w.mms[mm as usize % MAX_TASKS].pin = PinnedPage::NONE;
    if pin.folio.is_none() || !w.check_ref(pin.folio) {
        return;
    }
    if pin.write {
        w.frame_mut(pin.folio).flags |= pg::DIRTY;
    }
    folio_put_refs(w, pin.folio, GUP_PIN_COUNTING_BIAS);
}

crate::impl_step!(PinPage, Unpin);
