// The Case 1 race (seed 003, the "Devious" sequence) written against a
// std-like API, so the same code runs under loom and under shuttle: the
// `sync` and `thread` modules are chosen by the caller's `use`.
//
// A page has flags (PG_writeback, PG_waiters), an owner generation (what
// pagelife calls an incarnation) and a refcount. A hashed waitqueue is a
// Mutex<Vec<waiter>> plus a Condvar. Four threads:
//   A  ends the page's first writeback: clears PG_writeback, then (later)
//      wakes waiters if PG_waiters was set — holding no reference, as v5.8 did;
//   T  truncates: waits for PG_writeback clear, frees the page (gen 1 → free);
//   N  reuses it (gen 2), starts a new writeback, then ends it later (C2);
//   W  waits on PG_writeback of gen 2 and, once woken, asserts it is clear
//      (the BUG_ON in write_cache_pages).
// Under v5.8's rule a woken waiter does not re-test, so the stale wakeup
// from A can return W while gen 2's writeback is still running.

macro_rules! case1_model {
    ($krate:ident) => {
        use $krate::sync::atomic::{AtomicBool, AtomicU32, Ordering::SeqCst};
        use $krate::sync::{Arc, Condvar, Mutex};
        use $krate::thread;

        const WB: u32 = 1;
        const WAITERS: u32 = 2;

        struct Page {
            flags: AtomicU32,
            gen: AtomicU32,
            /// The hashed waitqueue: (generation the waiter saw, its woken flag).
            q: Mutex<Vec<(u32, Arc<AtomicBool>)>>,
            cv: Condvar,
        }

        fn wake(p: &Page) {
            let mut q = p.q.lock().unwrap();
            // v5.8 wake_page_function(): wake every waiter of this page, no bit test.
            for (_, w) in q.drain(..) {
                w.store(true, SeqCst);
            }
            p.flags.fetch_and(!WAITERS, SeqCst);
            p.cv.notify_all();
        }

        fn end_writeback(p: &Page) {
            p.flags.fetch_and(!WB, SeqCst); // test_clear_page_writeback()
            thread::yield_now(); // the window before wake_up_page()
            if p.flags.load(SeqCst) & WAITERS != 0 {
                wake(p);
            }
        }

        /// Returns whether the BUG_ON would fire.
        pub fn run() {
            let p = Arc::new(Page {
                flags: AtomicU32::new(WB),
                gen: AtomicU32::new(1),
                q: Mutex::new(Vec::new()),
                cv: Condvar::new(),
            });
            let started = Arc::new(AtomicBool::new(false));
            let a = {
                let p = p.clone();
                thread::spawn(move || end_writeback(&p))
            };
            let tn = {
                let (p, started) = (p.clone(), started.clone());
                thread::spawn(move || {
                    // T: truncate waits for writeback to end, then frees the page.
                    while p.flags.load(SeqCst) & WB != 0 {
                        thread::yield_now();
                    }
                    p.gen.store(0, SeqCst);
                    // N: the page is reused and a new writeback starts.
                    p.gen.store(2, SeqCst);
                    p.flags.fetch_or(WB, SeqCst);
                    started.store(true, SeqCst);
                    // C2: that writeback ends, later.
                    thread::yield_now();
                    end_writeback(&p);
                })
            };
            let w = {
                let (p, started) = (p.clone(), started.clone());
                thread::spawn(move || {
                    while !started.load(SeqCst) {
                        thread::yield_now();
                    }
                    // wait_on_page_writeback() on gen 2.
                    let woken = Arc::new(AtomicBool::new(false));
                    {
                        let mut q = p.q.lock().unwrap();
                        p.flags.fetch_or(WAITERS, SeqCst);
                        if p.flags.load(SeqCst) & WB == 0 {
                            return;
                        }
                        q.push((p.gen.load(SeqCst), woken.clone()));
                        while !woken.load(SeqCst) {
                            q = p.cv.wait(q).unwrap();
                        }
                    }
                    // BUG_ON(PageWriteback(page)) in write_cache_pages().
                    assert!(
                        p.flags.load(SeqCst) & WB == 0,
                        "BUG_ON(PageWriteback): woken while PG_writeback is set"
                    );
                })
            };
            a.join().unwrap();
            tn.join().unwrap();
            w.join().unwrap();
        }
    };
}

pub mod loom_case1 {
    case1_model!(loom);
}

pub mod shuttle_case1 {
    case1_model!(shuttle);
}

// The Case 2 race (seed 002; the CPU1/CPU2 table of ebdf4de5642f's
// changelog), v5.0's buffer_migrate_page_norefs(): the migration checks that
// no buffer head has a reference under private_lock and drops the lock
// before it moves the page; __find_get_block() takes private_lock, takes a
// buffer reference (not a page reference: the freeze still succeeds) and
// writes through b_data.
//   M  migrates block 0's page: check b_count under private_lock (busy →
//      retry once, then -EAGAIN), unlock, set_bh_page → new page, copy,
//      free the old page;
//   L  __find_get_block() + a metadata update: get_bh under private_lock,
//      read b_data, write through it, mark dirty, brelse.
// Failure: the update lands in the freed old page (use after free), or is
// missing from the page that stays (lost update).
macro_rules! case2_model {
    ($krate:ident) => {
        use $krate::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering::SeqCst};
        use $krate::sync::{Arc, Mutex};
        use $krate::thread;

        struct Bdev {
            private_lock: Mutex<()>,
            b_count: AtomicU32,
            /// Which page b_data points into.
            b_page: AtomicUsize,
            data: [AtomicU32; 2],
            freed: [AtomicBool; 2],
        }

        pub fn run() {
            let d = Arc::new(Bdev {
                private_lock: Mutex::new(()),
                b_count: AtomicU32::new(0),
                b_page: AtomicUsize::new(0),
                data: [AtomicU32::new(0), AtomicU32::new(0)],
                freed: [AtomicBool::new(false), AtomicBool::new(false)],
            });
            let m = {
                let d = d.clone();
                thread::spawn(move || {
                    let mut tries = 0;
                    loop {
                        // v5.0: spin_lock(private_lock); scan b_count; spin_unlock.
                        let busy = {
                            let _g = d.private_lock.lock().unwrap();
                            d.b_count.load(SeqCst) != 0
                        };
                        if !busy {
                            break;
                        }
                        tries += 1;
                        if tries == 2 {
                            return; // -EAGAIN
                        }
                    }
                    // migrate_page_move_mapping(): the freeze succeeds, a bh ref is not a page ref.
                    d.b_page.store(1, SeqCst); // set_bh_page()
                    d.data[1].store(d.data[0].load(SeqCst), SeqCst); // migrate_page_copy()
                    d.freed[0].store(true, SeqCst); // putback: the old page is freed
                })
            };
            let l = {
                let d = d.clone();
                thread::spawn(move || {
                    let page = {
                        let _g = d.private_lock.lock().unwrap();
                        d.b_count.fetch_add(1, SeqCst); // get_bh()
                        d.b_page.load(SeqCst) // bh->b_data
                    };
                    assert!(
                        !d.freed[page].load(SeqCst),
                        "use after free: b_data points into a freed page"
                    );
                    d.data[page].store(1, SeqCst); // the metadata update through b_data
                    d.b_count.fetch_sub(1, SeqCst); // mark_buffer_dirty(); brelse()
                })
            };
            m.join().unwrap();
            l.join().unwrap();
            let page = d.b_page.load(SeqCst);
            assert_eq!(
                d.data[page].load(SeqCst),
                1,
                "lost update: the page that stays lacks the write"
            );
        }
    };
}

pub mod loom_case2 {
    case2_model!(loom);
}

pub mod shuttle_case2 {
    case2_model!(shuttle);
}
