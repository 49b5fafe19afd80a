// ---- pagelife C runtime, part 1: geometry, markers, shadow, operations ----
// (triage/src/export/c_head.c; the same in every exported program)

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef FS_JOURNAL_DATA_FL
#define FS_JOURNAL_DATA_FL 0x00004000
#endif

// A record: 32 bytes of text at every 32-byte-aligned file offset a write
// covers: "PL f<file> r<round> v<op> o<offset>\n". Stale data of another
// file, of an earlier round (a deleted file) or of the disk fill shows as a
// record naming them; data at the wrong place as a wrong offset.
#define PL_REC 32

// Helpers a given case may not use.
#define PL_HELPER static __attribute__((unused))

struct pl_geo {
    size_t bs;   // filesystem block size (run time)
    size_t pg;   // the model's page: PL_BPP blocks (the system page on "simple")
    size_t unit; // the model's data unit: half a block ("simple": a page)
};

static struct pl_geo G;
static int pl_dirfd = -1;
static int pl_fd[PL_NFILES];
static const char *pl_names[PL_NFILES] = {"pl-f0", "pl-f1", "pl-f2"};
static unsigned pl_round;
static int pl_privileged = 1; // may use root-only knobs (-n clears it)
static unsigned pl_jitter_us = 200;
static int pl_verbose;
static int pl_src_dontneed; // -s dontneed: write sources unmapped concurrently

struct pl_shared {
    pthread_barrier_t start;
    uint32_t possible[PL_NFILES][PL_UNITS]; // op versions that may be there
    unsigned char must[PL_NFILES][PL_UNITS]; // a completed write promised it
    unsigned char removable[PL_NFILES][PL_UNITS]; // a task may remove it
    unsigned char origin[PL_NFILES][PL_UNITS]; // FICLONEd from file origin-1
    uint32_t opossible[PL_NFILES][PL_UNITS];   // the origin's versions there
    int stale, lost, misplaced, garbage, kernel, skipped;
    char first[160]; // this round's first piece of evidence
    pid_t pid[PL_MAX_TASKS];                  // each task's process
    uint64_t map[PL_MAX_TASKS][PL_NFILES];    // where it mapped each file
    unsigned char memw[PL_MAX_TASKS][PL_NFILES]; // a mem-write hit its copy
};
static struct pl_shared *S;

// Output through write(2): tasks may be forked processes.
// Write b[0..n) (one message, no newline) wrapped at 79 columns on spaces,
// continuation lines indented by four.
static void pl_write_wrapped(const char *b, size_t n)
{
    char out[1200];
    size_t o = 0, col = 0, i = 0;
    while (i < n && o < sizeof out - 8) {
        size_t w = i;
        while (w < n && b[w] != ' ')
            w++;
        size_t len = w - i;
        if (col > 4 && col + len > 79) {
            while (o > 0 && out[o - 1] == ' ')
                o--;
            out[o++] = '\n';
            memcpy(out + o, "    ", 4);
            o += 4;
            col = 4;
        }
        for (size_t k = 0; k < len && o < sizeof out - 8; k++)
            out[o++] = b[i + k];
        col += len;
        i = w;
        while (i < n && b[i] == ' ' && o < sizeof out - 8) {
            if (col + 1 <= 79)
                out[o++] = ' ';
            col++;
            i++;
        }
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o++] = '\n';
    ssize_t r = write(1, out, o);
    (void)r;
}

static void pl_say(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void pl_say(const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof b - 1)
        n = (int)sizeof b - 1;
    while (n > 0 && b[n - 1] == '\n')
        n--;
    pl_write_wrapped(b, (size_t)n);
}

// A message said once per run (skipped operations and faults).
static void pl_once(int *flag, const char *what)
{
    if (!__atomic_exchange_n(flag, 1, __ATOMIC_RELAXED))
        pl_say("note: %s", what);
}

static void pl_evidence(int *counter, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void pl_evidence(int *counter, const char *fmt, ...)
{
    char b[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    int n = __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
    if (n <= 3)
        pl_say("  round %u: %s", pl_round, b);
    if (S->first[0] == 0)
        snprintf(S->first, sizeof S->first, "%s", b);
}

static uint64_t pl_rand_state(unsigned a, unsigned b)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL * (a + 1) ^ (uint64_t)b * 0xbf58476d1ce4e5b9ULL;
    return x ? x : 1;
}

static unsigned pl_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (unsigned)(*s >> 32);
}

static void pl_sleep_us(unsigned us)
{
    if (!us)
        return;
    struct timespec t = {us / 1000000, (long)(us % 1000000) * 1000};
    nanosleep(&t, NULL);
}

static void pl_jitter(uint64_t *s)
{
    if (pl_jitter_us)
        pl_sleep_us(pl_rand(s) % (pl_jitter_us + 1));
}

static double pl_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

// The "file" of the records a /proc/PID/mem write puts into a private copy.
#define PL_MEMW (-2)

static char pl_file_char(int file)
{
    return file == PL_MEMW ? 'M' : file < 0 ? 'F' : (char)('0' + file);
}

static void pl_record(char *rec, int file, unsigned round, unsigned ver, uint64_t off)
{
    char t[PL_REC + 8];
    snprintf(t, sizeof t, "PL f%c r%06u v%03u o%011llu\n", pl_file_char(file),
             round % 1000000u, ver % 1000u, (unsigned long long)(off % 100000000000ULL));
    memcpy(rec, t, PL_REC);
}

// Fill buf with the records of (file, round, ver) for file bytes off..off+len.
static void pl_make(char *buf, int file, unsigned round, unsigned ver, uint64_t off, size_t len)
{
    char rec[PL_REC];
    uint64_t a = off - off % PL_REC;
    for (size_t i = 0; i < len;) {
        uint64_t p = off + i;
        uint64_t slot = p - p % PL_REC;
        if (slot != a || i == 0) {
            a = slot;
            pl_record(rec, file, round, ver, slot);
        }
        size_t k = (size_t)(p - slot);
        size_t n = PL_REC - k;
        if (n > len - i)
            n = len - i;
        memcpy(buf + i, rec + k, n);
        i += n;
    }
}

static long pl_unit_of(uint64_t pos)
{
    uint64_t u = pos / G.unit;
    return u < PL_UNITS ? (long)u : -1;
}

// Whether every nonzero byte of a record slot is that byte of one of the
// records that may be there (a read racing two writes, or a write and a
// truncate, may see a slot torn between them; another file's, another
// round's or another offset's record differs from all of them).
static int pl_slot_ok(int file, const unsigned char *b, size_t k0, size_t n, uint64_t slot)
{
    long u = pl_unit_of(slot);
    uint32_t vers = u >= 0 ? S->possible[file][u] : 0xfffffffeu;
    char rec[64][PL_REC];
    unsigned nv = 0;
    for (unsigned v = 1; v < 32; v++)
        if (vers >> v & 1)
            pl_record(rec[nv++], file, pl_round, v, slot);
    // A unit cloned from another file may hold that file's records.
    int of = u >= 0 ? (int)S->origin[file][u] - 1 : -1;
    for (unsigned v = 1; of >= 0 && v < 32; v++)
        if (S->opossible[file][u] >> v & 1)
            pl_record(rec[nv++], of, pl_round, v, slot);
    for (size_t i = 0; i < n; i++) {
        if (b[i] == 0)
            continue;
        unsigned v = 0;
        while (v < nv && b[i] != (unsigned char)rec[v][k0 + i])
            v++;
        if (v == nv)
            return 0;
    }
    return 1;
}

static const char *pl_whose(char fc)
{
    switch (fc) {
    case 'F':
        return "the deleted disk-fill file";
    case 'M':
        return "a /proc/PID/mem write into a private mapping";
    case '0':
        return "f0";
    case '1':
        return "f1";
    case '2':
        return "f2";
    default:
        return "an unknown file";
    }
}

// Check bytes a user read from file at off: every record slot is zeros, or
// a record this file may hold there in this round.
static int pl_check(int file, uint64_t off, const unsigned char *buf, size_t len,
                    const char *where)
{
    int bad = 0;
    for (size_t i = 0; i < len;) {
        uint64_t p = off + i;
        uint64_t slot = p - p % PL_REC;
        size_t k0 = (size_t)(p - slot);
        size_t n = PL_REC - k0;
        if (n > len - i)
            n = len - i;
        const unsigned char *b = buf + i;
        int zero = 1;
        for (size_t j = 0; j < n; j++)
            zero &= b[j] == 0;
        long u = pl_unit_of(slot);
        if (zero) {
            if (u >= 0 && S->must[file][u]) {
                pl_evidence(&S->lost, "LOST f%d @%" PRIu64 " (%s): zeros where a completed"
                            " write put data", file, slot, where);
                bad = 1;
            }
        } else if (!pl_slot_ok(file, b, k0, n, slot)) {
            char t[PL_REC + 1];
            unsigned rr = 0, vv = 0;
            unsigned long long oo = 0;
            char fc = 0;
            memcpy(t, b, n);
            t[n] = 0;
            if (k0 == 0 && n == PL_REC &&
                sscanf(t, "PL f%c r%u v%u o%llu", &fc, &rr, &vv, &oo) == 4) {
                if (fc != pl_file_char(file) || rr != pl_round % 1000000u) {
                    pl_evidence(&S->stale, "STALE f%d @%" PRIu64 " (%s): data of %s,"
                                " round %u, its offset %llu", file, slot, where,
                                pl_whose(fc), rr, oo);
                } else if (oo != slot) {
                    pl_evidence(&S->misplaced, "MISPLACED f%d @%" PRIu64 " (%s): its own"
                                " data of offset %llu", file, slot, where, oo);
                } else {
                    pl_evidence(&S->misplaced, "UNEXPECTED f%d @%" PRIu64 " (%s): op v%u"
                                " did not write here", file, slot, where, vv);
                }
            } else {
                char hex[3 * 12 + 1];
                for (size_t j = 0; j < 12 && j < n; j++)
                    snprintf(hex + 3 * j, 4, "%02x ", b[j]);
                pl_evidence(&S->garbage, "GARBAGE f%d @%" PRIu64 " (%s): %.36s", file,
                            slot, where, hex);
            }
            bad = 1;
        }
        i += n;
    }
    return bad;
}

// The shadow after a completed write of file bytes off..off+n by op ver.
static void pl_promise(int file, uint64_t off, size_t n, unsigned ver, int setup)
{
    for (uint64_t u = (off + G.unit - 1) / G.unit; (u + 1) * G.unit <= off + n; u++) {
        if (u >= PL_UNITS)
            break;
        if (setup)
            S->possible[file][u] |= 1u << ver;
        if (!S->removable[file][u])
            S->must[file][u] = 1;
        S->origin[file][u] = 0;
    }
}

// The shadow after a remove (truncate, punch, zero-range) in setup.
// unlink(2) of file f. The reproducer's processes keep their descriptors
// open, so the kernel evicts the inode at their last close (their exit),
// where the model's tasks close a file after their last use of it.
PL_HELPER void pl_unlink(int f)
{
    if (unlinkat(pl_dirfd, pl_names[f], 0) != 0)
        pl_say("note: unlink of %s: %s", pl_names[f], strerror(errno));
}

PL_HELPER void pl_forget(int file, uint64_t from, uint64_t to, uint32_t keep)
{
    for (uint64_t u = from / G.unit; u < PL_UNITS && u * G.unit < to; u++) {
        S->must[file][u] = 0;
        S->possible[file][u] &= keep;
        if (!keep)
            S->origin[file][u] = 0;
    }
}

// ioctl(FICLONE): dst shares src's blocks up to src's size; its units
// there may hold src's records (or those src was cloned from) and no
// longer its own.
PL_HELPER void pl_reflink(int src, int dst)
{
    struct stat st;
    if (ioctl(pl_fd[dst], FICLONE, pl_fd[src]) != 0 || fstat(pl_fd[src], &st) != 0) {
        pl_say("note: FICLONE of %s onto %s: %s", pl_names[src], pl_names[dst],
               strerror(errno));
        return;
    }
    for (uint64_t u = 0; u < PL_UNITS && u * G.unit < (uint64_t)st.st_size; u++) {
        int o = S->origin[src][u];
        S->origin[dst][u] = o ? (unsigned char)o : (unsigned char)(src + 1);
        S->opossible[dst][u] = o ? S->opossible[src][u] : S->possible[src][u];
        S->possible[dst][u] = 0;
        S->must[dst][u] = S->must[src][u];
    }
}

// ---- operations: one helper per kind of syscall the model's ops map to ----

static int pl_nospc;

// -s dontneed: the source of each write is a shared memfd mapping that
// another thread unmaps (madvise(MADV_DONTNEED)) while the write runs, so
// that a copy with page faults disabled can fault after the fault-in
// (what reclaim or migration of the source page does in real life).
struct pl_unmapper {
    char *p;
    size_t len;
    int stop;
};

static void *pl_unmap_loop(void *a)
{
    struct pl_unmapper *u = a;
    while (!__atomic_load_n(&u->stop, __ATOMIC_RELAXED))
        madvise(u->p, u->len, MADV_DONTNEED);
    return NULL;
}

PL_HELPER void pl_pwrite(int file, uint64_t off, size_t len, unsigned ver, int setup)
{
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    size_t mlen = (len + ps - 1) / ps * ps;
    int mfd = -1;
    char *buf = NULL;
    struct pl_unmapper u = {0};
    pthread_t th;
    int unmapping = 0;
    if (pl_src_dontneed && !setup) {
        mfd = (int)syscall(SYS_memfd_create, "pl-src", 0);
        if (mfd >= 0 && ftruncate(mfd, (off_t)mlen) == 0) {
            buf = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
            if (buf == MAP_FAILED)
                buf = NULL;
        }
    }
    if (!buf) {
        buf = malloc(len);
        if (!buf)
            return;
    }
    pl_make(buf, file, pl_round, ver, off, len);
    if (mfd >= 0 && buf) {
        u.p = buf;
        u.len = mlen;
        unmapping = pthread_create(&th, NULL, pl_unmap_loop, &u) == 0;
    }
    ssize_t n = pwrite(pl_fd[file], buf, len, (off_t)off);
    int err = errno;
    if (unmapping) {
        __atomic_store_n(&u.stop, 1, __ATOMIC_RELAXED);
        pthread_join(th, NULL);
    }
    if (n > 0)
        pl_promise(file, off, (size_t)n, ver, setup);
    else if (n < 0 && err == ENOSPC)
        pl_once(&pl_nospc, "pwrite: ENOSPC (the disk fill left too little room)");
    if (pl_verbose)
        pl_say("pwrite f%d %" PRIu64 "+%zu v%u -> %zd", file, off, len, ver, n);
    if (mfd >= 0) {
        if (u.p)
            munmap(buf, mlen);
        else
            free(buf);
        close(mfd);
    } else {
        free(buf);
    }
}

PL_HELPER void pl_pread(int file, uint64_t off, size_t len, const char *where)
{
    unsigned char *buf = calloc(1, len);
    if (!buf)
        return;
    ssize_t n = pread(pl_fd[file], buf, len, (off_t)off);
    if (n < 0)
        n = 0;
    memset(buf + n, 0, len - (size_t)n);
    pl_check(file, off, buf, len, where);
    free(buf);
}

PL_HELPER void pl_writeback(int file, int all)
{
    if (file < 0) {
        syncfs(pl_dirfd); // the block device's (metadata) writeback
        return;
    }
    unsigned fl = SYNC_FILE_RANGE_WRITE;
    if (all)
        fl |= SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WAIT_AFTER;
    sync_file_range(pl_fd[file], 0, 0, fl);
}

PL_HELPER void pl_fsync(int file)
{
    if (file < 0)
        syncfs(pl_dirfd);
    else
        fsync(pl_fd[file]);
}

PL_HELPER void pl_truncate(int file, uint64_t size, int setup, uint32_t keep)
{
    if (ftruncate(pl_fd[file], (off_t)size) == 0 && setup)
        pl_forget(file, size, (uint64_t)PL_UNITS * G.unit, keep);
}

static int pl_falloc_unsupported;

PL_HELPER void pl_fallocate(int file, int mode, uint64_t off, uint64_t len, int setup,
                         uint32_t keep)
{
    if (fallocate(pl_fd[file], mode, (off_t)off, (off_t)len) != 0) {
        if (errno == EOPNOTSUPP)
            pl_once(&pl_falloc_unsupported, "fallocate: this mode is not supported"
                    " here (EOPNOTSUPP); skipped");
        return;
    }
    if (setup && mode != 0)
        pl_forget(file, off, off + len, keep);
}

PL_HELPER int pl_root_write(const char *path, const char *val)
{
    if (!pl_privileged)
        return -1;
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, val, strlen(val));
    close(fd);
    return n == (ssize_t)strlen(val) ? 0 : -1;
}

static int pl_beyond_eof;

// A write fault on a shared mapping: mmap, the store, munmap.
PL_HELPER void pl_mkwrite(int file, uint64_t off, size_t len, unsigned ver)
{
    struct stat st;
    if (fstat(pl_fd[file], &st) != 0 || (uint64_t)st.st_size < off + len) {
        pl_once(&pl_beyond_eof, "mkwrite: the page is past EOF (the store would"
                " SIGBUS); skipped");
        return;
    }
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    uint64_t moff = off - off % ps;
    size_t mlen = (size_t)(off + len - moff);
    char *m = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_SHARED, pl_fd[file], (off_t)moff);
    if (m == MAP_FAILED)
        return;
    pl_make(m + (off - moff), file, pl_round, ver, off, len);
    pl_promise(file, off, len, ver, 0);
    munmap(m, mlen);
}

// User mappings: a task that maps a file runs as its own process (its own
// page tables, as the model's tasks have). A load or store past EOF is
// SIGBUS in the kernel; the handler turns it into a skipped access.
static char *pl_map[PL_NFILES];
static char pl_map_private[PL_NFILES], pl_map_ro[PL_NFILES];
static int pl_self = -1; // the task this process runs (set before its ops)
static sigjmp_buf pl_bus_jmp;
static volatile sig_atomic_t pl_bus_armed;
static int pl_sigbus;

static void pl_on_bus(int sig)
{
    if (pl_bus_armed)
        siglongjmp(pl_bus_jmp, 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

static size_t pl_map_len(void)
{
    return (size_t)PL_UNITS * G.unit;
}

// A read-only mapping (PROT_READ): stores to it are skipped, as the model
// skips them (SIGSEGV). A store to a writable private mapping goes to the
// task's private copy: the file must not see it.
PL_HELPER void pl_mmap(int file, int private, int ro)
{
    if (pl_map[file])
        return;
    struct sigaction sa = {.sa_handler = pl_on_bus};
    sigaction(SIGBUS, &sa, NULL);
    int prot = ro ? PROT_READ : PROT_READ | PROT_WRITE;
    int flags = private ? MAP_PRIVATE : MAP_SHARED;
    void *m = mmap(NULL, pl_map_len(), prot, flags, pl_fd[file], 0);
    pl_map[file] = m == MAP_FAILED ? NULL : m;
    pl_map_private[file] = (char)private;
    pl_map_ro[file] = (char)ro;
    if (pl_self >= 0) {
        S->map[pl_self][file] = pl_map[file] ? (uint64_t)(uintptr_t)pl_map[file] : 0;
        S->memw[pl_self][file] = 0;
    }
}

// memcpy() that survives SIGBUS (the page is past EOF): 0 if it did not.
static int pl_copy_mapped(void *dst, const void *src, size_t len)
{
    pl_bus_armed = 1;
    if (sigsetjmp(pl_bus_jmp, 1) != 0) {
        pl_bus_armed = 0;
        pl_once(&pl_sigbus, "a load or store past EOF: SIGBUS, skipped");
        return 0;
    }
    memcpy(dst, src, len);
    pl_bus_armed = 0;
    return 1;
}

PL_HELPER void pl_load(int file, uint64_t off, size_t len)
{
    unsigned char *buf = malloc(len);
    // A private copy a mem-write filled holds its records: not the file's.
    int copy = pl_self >= 0 && pl_map_private[file] && S->memw[pl_self][file];
    if (pl_map[file] && buf && pl_copy_mapped(buf, pl_map[file] + off, len) && !copy)
        pl_check(file, off, buf, len, "load");
    free(buf);
}

// write(2) to /proc/PID/mem of task `task` at its private mapping of
// `file`: records of their own ('M'), which must never reach the file.
// Skipped when the task has not mapped the file within ~1 ms (the model:
// -EFAULT).
PL_HELPER void pl_mem_write(int task, int file, uint64_t off, size_t len)
{
    static int denied;
    // The target's mmap() may not have run yet: wait for it up to ~1 ms.
    for (int i = 0; i < 100 && !S->map[task][file]; i++)
        pl_sleep_us(10);
    uint64_t addr = S->map[task][file];
    if (!addr || S->pid[task] <= 0)
        return;
    char path[64], *buf = malloc(len);
    snprintf(path, sizeof path, "/proc/%d/mem", (int)S->pid[task]);
    int fd = open(path, O_RDWR);
    if (fd < 0 && (errno == EACCES || errno == EPERM)) {
        pl_once(&denied, "mem-write: /proc/PID/mem cannot be opened here (ptrace"
                " permission): skipped");
    } else if (fd >= 0 && buf) {
        // The target may have exited or unmapped meanwhile (ENOENT, EIO):
        // nothing written, as the model's -EFAULT.
        S->memw[task][file] = 1;
        pl_make(buf, PL_MEMW, pl_round, 0, off, len);
        if (pwrite(fd, buf, len, (off_t)(addr + off)) < 0 && errno != EIO)
            pl_once(&denied, "mem-write: the write to /proc/PID/mem failed: skipped");
    }
    if (fd >= 0)
        close(fd);
    free(buf);
}

PL_HELPER void pl_store(int file, uint64_t off, size_t len, unsigned ver)
{
    char *buf = malloc(len);
    if (pl_map[file] && !pl_map_ro[file] && buf && pl_map_private[file]) {
        // Into the private copy: records the file must never see.
        pl_make(buf, PL_MEMW, pl_round, 0, off, len);
        if (pl_copy_mapped(pl_map[file] + off, buf, len) && pl_self >= 0)
            S->memw[pl_self][file] = 1;
    } else if (pl_map[file] && !pl_map_ro[file] && buf) {
        pl_make(buf, file, pl_round, ver, off, len);
        if (pl_copy_mapped(pl_map[file] + off, buf, len))
            pl_promise(file, off, len, ver, 0);
    }
    free(buf);
}

PL_HELPER void pl_munmap(int file)
{
    if (pl_map[file])
        munmap(pl_map[file], pl_map_len());
    pl_map[file] = NULL;
}

PL_HELPER void pl_dontneed(int file, uint64_t off, size_t len)
{
    // madvise() wants a page-aligned start: the system pages over the range.
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    uint64_t moff = off - off % ps;
    if (pl_map[file])
        madvise(pl_map[file] + moff, (size_t)(off + len - moff), MADV_DONTNEED);
}

// madvise(MADV_PAGEOUT) of our own mapping's pages (v5.4 and later;
// EINVAL before, which the run ignores as the model skips the call).
PL_HELPER void pl_pageout(int file, uint64_t off, size_t len)
{
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    uint64_t moff = off - off % ps;
    if (pl_map[file])
        madvise(pl_map[file] + moff, (size_t)(off + len - moff), MADV_PAGEOUT);
}

PL_HELPER void pl_exit_mmap(void)
{
    for (int f = 0; f < PL_NFILES; f++)
        pl_munmap(f);
}

// Anonymous memory (the model's per-task buffers, PL_ANON pages of G.pg):
// what each page promises a load, kept as a copy, as the model's
// AnonPromise; after MADV_FREE zeroes are allowed until the next write.
#define PL_ANON 4
static unsigned char *pl_anon, *pl_anon_want;
static unsigned char pl_anon_may_zero[PL_ANON];
static unsigned pl_anon_ver;

static int pl_anon_init(void)
{
    if (!pl_anon) {
        void *m = mmap(NULL, PL_ANON * G.pg, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        pl_anon = m == MAP_FAILED ? NULL : m;
        pl_anon_want = calloc(PL_ANON, G.pg);
    }
    return pl_anon && pl_anon_want;
}

PL_HELPER void pl_anon_store(int page)
{
    if (!pl_anon_init())
        return;
    unsigned char *p = pl_anon + (size_t)page * G.pg;
    char tag[64];
    int n = snprintf(tag, sizeof tag, "PL anon%d r%u v%u pid%d ", page, pl_round,
                     ++pl_anon_ver, (int)getpid());
    for (size_t i = 0; i < G.pg; i++)
        p[i] = (unsigned char)tag[i % (size_t)n];
    memcpy(pl_anon_want + (size_t)page * G.pg, p, G.pg);
    pl_anon_may_zero[page] = 0;
}

PL_HELPER void pl_anon_load(int page)
{
    if (!pl_anon_init())
        return;
    const unsigned char *p = pl_anon + (size_t)page * G.pg;
    if (memcmp(p, pl_anon_want + (size_t)page * G.pg, G.pg) == 0)
        return;
    int zero = 1;
    for (size_t i = 0; i < G.pg; i++)
        zero &= p[i] == 0;
    if (!(zero && pl_anon_may_zero[page]))
        pl_evidence(&S->lost, "LOST anon page %d: %s where the last write or"
                    " O_DIRECT read put other data", page, zero ? "zeros" : "other data");
}

PL_HELPER void pl_anon_madvise(int page, int free)
{
    if (!pl_anon_init())
        return;
    madvise(pl_anon + (size_t)page * G.pg, G.pg, free ? MADV_FREE : MADV_DONTNEED);
    if (free) {
        pl_anon_may_zero[page] = 1;
    } else {
        memset(pl_anon_want + (size_t)page * G.pg, 0, G.pg);
        pl_anon_may_zero[page] = 0;
    }
}

PL_HELPER void pl_anon_pageout(int page)
{
    if (pl_anon_init())
        madvise(pl_anon + (size_t)page * G.pg, G.pg, MADV_PAGEOUT);
}

static int pl_open_direct(int file, int flags)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", pl_fd[file]);
    return open(path, flags | O_DIRECT);
}

// The buffer filled with the page's new version, then pwrite(O_DIRECT).
PL_HELPER void pl_dio_write(int file, uint64_t off, int page, unsigned ver)
{
    if (!pl_anon_init())
        return;
    int fd = pl_open_direct(file, O_WRONLY);
    if (fd < 0)
        return;
    unsigned char *p = pl_anon + (size_t)page * G.pg;
    pl_make((char *)p, file, pl_round, ver, off, G.pg);
    memcpy(pl_anon_want + (size_t)page * G.pg, p, G.pg);
    pl_anon_may_zero[page] = 0;
    if (pwrite(fd, p, G.pg, (off_t)off) == (ssize_t)G.pg)
        pl_promise(file, off, G.pg, ver, 0);
    close(fd);
}

// pread(O_DIRECT) of a file's page into an anonymous page, through a second
// descriptor of the file opened with O_DIRECT.
PL_HELPER void pl_dio_read(int file, uint64_t off, int page)
{
    if (!pl_anon_init())
        return;
    int fd = pl_open_direct(file, O_RDONLY);
    if (fd < 0)
        return;
    unsigned char *p = pl_anon + (size_t)page * G.pg;
    if (pread(fd, p, G.pg, (off_t)off) == (ssize_t)G.pg) {
        memcpy(pl_anon_want + (size_t)page * G.pg, p, G.pg);
        pl_anon_may_zero[page] = 0;
    }
    close(fd);
}

// Reclaim of a file's page: fadvise(DONTNEED) drops it if clean (and starts
// writeback if dirty), MADV_PAGEOUT reclaims it from a mapping of our own.
// file < 0: the page is not a file's (block device): drop_caches, if allowed.
static int pl_no_drop;

PL_HELPER void pl_reclaim(int file, uint64_t off, size_t len)
{
    if (file < 0) {
        if (pl_root_write("/proc/sys/vm/drop_caches", "1") != 0) {
            pl_once(&pl_no_drop, "reclaim: drop_caches not allowed; fadvise on the files");
            for (int f = 0; f < PL_NFILES; f++)
                posix_fadvise(pl_fd[f], 0, 0, POSIX_FADV_DONTNEED);
        }
        return;
    }
    posix_fadvise(pl_fd[file], (off_t)off, (off_t)len, POSIX_FADV_DONTNEED);
    struct stat st;
    if (fstat(pl_fd[file], &st) != 0 || (uint64_t)st.st_size < off + len)
        return;
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    uint64_t moff = off - off % ps;
    size_t mlen = (size_t)(off + len - moff);
    volatile char *m = mmap(NULL, mlen, PROT_READ, MAP_SHARED, pl_fd[file], (off_t)moff);
    if (m == MAP_FAILED)
        return;
    madvise((void *)m, mlen, MADV_PAGEOUT);
    munmap((void *)m, mlen);
}

// Migration: move_pages(2) to another NUMA node when there is one, else
// compaction (/proc/sys/vm/compact_memory), else nothing.
static int pl_no_migrate;

PL_HELPER void pl_migrate(int file, uint64_t off, size_t len)
{
    (void)len;
    if (file >= 0 && access("/sys/devices/system/node/node1", F_OK) == 0) {
        size_t ps = (size_t)sysconf(_SC_PAGESIZE);
        uint64_t moff = off - off % ps;
        volatile char *m = mmap(NULL, ps, PROT_READ, MAP_SHARED, pl_fd[file], (off_t)moff);
        if (m != MAP_FAILED) {
            char c = m[0];
            (void)c;
            void *pages[1] = {(void *)m};
            int node[1] = {1}, status[1] = {0};
            syscall(SYS_move_pages, 0, 1UL, pages, node, status, 2 /* MPOL_MF_MOVE */);
            munmap((void *)m, ps);
            return;
        }
    }
    if (pl_root_write("/proc/sys/vm/compact_memory", "1") != 0)
        pl_once(&pl_no_migrate, "migrate: one NUMA node and compaction not allowed;"
                " skipped");
}

// A metadata buffer user (the model's bh-write): no syscall writes a given
// metadata block; a file create, write, fsync and unlink dirties bitmap,
// inode and directory blocks, which is the nearest a user gets.
PL_HELPER void pl_bh_write(unsigned block)
{
    char name[32];
    snprintf(name, sizeof name, "pl-meta-%u", block);
    int fd = openat(pl_dirfd, name, O_CREAT | O_RDWR | O_TRUNC, 0600);
    if (fd < 0)
        return;
    ssize_t w = write(fd, "m", 1);
    (void)w;
    fsync(fd);
    close(fd);
    unlinkat(pl_dirfd, name, 0);
    fsync(pl_dirfd);
}

// ---- faults ----

static int pl_fi_missing;

// Allocation failure: the kernel's fault injection (fail_page_alloc,
// failslab) for the calling thread, when this kernel has it.
PL_HELPER int pl_alloc_fail_arm(uint64_t *rs)
{
    const char *base[2] = {"/sys/kernel/debug/fail_page_alloc", "/sys/kernel/debug/failslab"};
    int armed = 0;
    char p[128], iv[16];
    snprintf(iv, sizeof iv, "%u", 1 + pl_rand(rs) % 4);
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/probability", base[i]);
        if (access(p, F_OK) != 0)
            continue;
        const char *kv[][2] = {{"task-filter", "Y"}, {"probability", "100"},
                               {"interval", iv},     {"times", "1"},
                               {"verbose", "1"},     {"ignore-gfp-wait", "N"}};
        for (size_t k = 0; k < sizeof kv / sizeof kv[0]; k++) {
            snprintf(p, sizeof p, "%s/%s", base[i], kv[k][0]);
            pl_root_write(p, kv[k][1]);
        }
        armed = 1;
    }
    if (!armed) {
        pl_once(&pl_fi_missing, "alloc-fail: no fail_page_alloc/failslab in debugfs"
                " (CONFIG_FAULT_INJECTION); the fault is skipped");
        __atomic_add_fetch(&S->skipped, 1, __ATOMIC_RELAXED);
        return 0;
    }
    return pl_root_write("/proc/thread-self/make-it-fail", "1") == 0;
}

PL_HELPER void pl_alloc_fail_disarm(void)
{
    pl_root_write("/proc/thread-self/make-it-fail", "0");
}

// I/O error: fail_make_request on the directory's block device.
static char pl_dev_fail[96];
static int pl_io_missing;

PL_HELPER int pl_io_error_arm(int on)
{
    if (!pl_dev_fail[0]) {
        struct stat st;
        if (fstat(pl_dirfd, &st) == 0)
            snprintf(pl_dev_fail, sizeof pl_dev_fail, "/sys/dev/block/%u:%u/make-it-fail",
                     major(st.st_dev), minor(st.st_dev));
    }
    if (access("/sys/kernel/debug/fail_make_request/probability", F_OK) != 0 ||
        access(pl_dev_fail, F_OK) != 0) {
        if (on) {
            pl_once(&pl_io_missing, "io-error: no fail_make_request for this device"
                    " (CONFIG_FAIL_MAKE_REQUEST); the fault is skipped");
            __atomic_add_fetch(&S->skipped, 1, __ATOMIC_RELAXED);
        }
        return 0;
    }
    if (on) {
        pl_root_write("/sys/kernel/debug/fail_make_request/probability", "100");
        pl_root_write("/sys/kernel/debug/fail_make_request/interval", "1");
        pl_root_write("/sys/kernel/debug/fail_make_request/times", "1");
        pl_root_write("/sys/kernel/debug/fail_make_request/task-filter", "N");
    }
    return pl_root_write(pl_dev_fail, on ? "1" : "0") == 0;
}

// A fatal signal while the task is blocked in its write: another thread
// holds the file's inode lock (i_rwsem) with a write whose source is a
// userfaultfd page nobody resolves until the signal was sent. The holder
// writes one byte past the model's range of the file.
struct pl_holder {
    int ufd;
    char *page;
    int file;
    pthread_t th;
};

static void *pl_hold_write(void *a)
{
    struct pl_holder *h = a;
    ssize_t n = pwrite(pl_fd[h->file], h->page, 1,
                       (off_t)((uint64_t)PL_UNITS * G.unit + 16 * G.bs));
    (void)n;
    return NULL;
}

static int pl_no_uffd;

static int pl_hold_start(struct pl_holder *h, int file)
{
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    memset(h, 0, sizeof *h);
    h->ufd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
    if (h->ufd < 0) {
        pl_once(&pl_no_uffd, "signal: no userfaultfd here; the SIGKILL comes at a"
                " random time instead of while the task waits for the inode lock");
        return -1;
    }
    struct uffdio_api api = {.api = UFFD_API, .features = 0};
    h->page = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct uffdio_register reg = {.range = {.start = (uintptr_t)h->page, .len = ps},
                                  .mode = UFFDIO_REGISTER_MODE_MISSING};
    if (h->page == MAP_FAILED || ioctl(h->ufd, UFFDIO_API, &api) != 0 ||
        ioctl(h->ufd, UFFDIO_REGISTER, &reg) != 0) {
        close(h->ufd);
        h->ufd = -1;
        return -1;
    }
    h->file = file;
    if (pthread_create(&h->th, NULL, pl_hold_write, h) != 0) {
        close(h->ufd);
        h->ufd = -1;
        return -1;
    }
    pl_sleep_us(20000); // the holder now sleeps in its fault-in, i_rwsem held
    return 0;
}

static void pl_hold_release(struct pl_holder *h)
{
    if (h->ufd < 0)
        return;
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    struct uffdio_zeropage zp = {.range = {.start = (uintptr_t)h->page, .len = ps}};
    ioctl(h->ufd, UFFDIO_ZEROPAGE, &zp);
    pthread_join(h->th, NULL);
    munmap(h->page, ps);
    close(h->ufd);
    h->ufd = -1;
}

static char pl_proc_state(pid_t pid)
{
    char p[64], b[256];
    snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
    int fd = open(p, O_RDONLY);
    if (fd < 0)
        return '?';
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    if (n <= 0)
        return '?';
    b[n] = 0;
    char *r = strrchr(b, ')');
    return r && r[1] && r[2] ? r[2] : '?';
}

// ---- the case's tables (filled in below by the exporter) ----

struct pl_task {
    const char *name;
    void (*run)(uint64_t *rs);
    int process;    // its own process: a fatal signal is delivered to it, or it maps a file
    int alloc_fail; // the model's failing allocation is its
    unsigned nops;
    int leader;     // a thread of this task's process (thread=), or -1
};

struct pl_fault {
    char kind;    // 'k' SIGKILL to a task, 'r' reclaim, 'i' I/O error
    int task;     // for 'k'
    int file;      // for 'r' (-1: not a file's page); for 'k': the file of the
                   // task's first write (-1: none), whose inode lock is held
    uint64_t page; // for 'r': the model page
};

