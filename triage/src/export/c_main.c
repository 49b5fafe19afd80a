
// ---- pagelife C runtime, part 2: rounds, the kernel log, the verdict ----
// (triage/src/export/c_main.c; the same in every exported program)

static int pl_kmsg = -1;

// The kernel log since the last call: BUG, WARNING, KASAN, hung tasks and
// the filesystems' own complaints count as confirmed.
static void pl_scan_kmsg(void)
{
    static const char *pat[] = {"BUG:", "WARNING:", "KASAN", "blocked for more than",
                                "Oops", "general protection", "kernel BUG",
                                "not cleared", "EXT4-fs error", "XFS: Assertion",
                                "Internal error", "withdraw", "Call Trace"};
    char rec[2048];
    if (pl_kmsg < 0)
        return;
    for (;;) {
        ssize_t n = read(pl_kmsg, rec, sizeof rec - 1);
        if (n < 0 && errno == EPIPE)
            continue; // overwritten records
        if (n <= 0)
            break;
        rec[n] = 0;
        char *msg = strchr(rec, ';');
        msg = msg ? msg + 1 : rec;
        char *nl = strchr(msg, '\n');
        if (nl)
            *nl = 0;
        for (size_t i = 0; i < sizeof pat / sizeof pat[0]; i++) {
            if (strstr(msg, pat[i])) {
                pl_evidence(&S->kernel, "KERNEL %s", msg);
                break;
            }
        }
    }
}

static int pl_open_files(void)
{
    for (int f = 0; f < PL_NFILES; f++) {
        unlinkat(pl_dirfd, pl_names[f], 0);
        pl_fd[f] = openat(pl_dirfd, pl_names[f], O_CREAT | O_RDWR | O_TRUNC, 0644);
        if (pl_fd[f] < 0) {
            pl_say("error: cannot create %s in the directory: %s", pl_names[f],
                   strerror(errno));
            return -1;
        }
        if (PL_JDATA) {
            static int jd;
            int fl = 0;
            if (ioctl(pl_fd[f], FS_IOC_GETFLAGS, &fl) == 0) {
                fl |= FS_JOURNAL_DATA_FL;
                if (ioctl(pl_fd[f], FS_IOC_SETFLAGS, &fl) != 0)
                    pl_once(&jd, "jdata: the model's gfs2 files are journaled data;"
                            " chattr +j failed here, plain files used");
            }
        }
    }
    return 0;
}

// The disk fill: records of file 'F' written, synced and deleted, so that
// blocks a new allocation gets hold recognisable old data.
static void pl_fill(long long mib)
{
    if (mib == 0)
        return;
    int fd = openat(pl_dirfd, "pl-fill", O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (fd < 0)
        return;
    size_t chunk = 1 << 20;
    char *buf = malloc(chunk);
    long long done = 0;
    if (buf) {
        for (; mib < 0 || done < mib; done++) {
            pl_make(buf, -1, 0, 0, (uint64_t)done * chunk, chunk);
            if (pwrite(fd, buf, chunk, (off_t)(done * (long long)chunk)) != (ssize_t)chunk)
                break;
        }
        free(buf);
    }
    fsync(fd);
    close(fd);
    unlinkat(pl_dirfd, "pl-fill", 0);
    sync();
    pl_say("fill: %lld MiB of marker data written and deleted", done);
}

struct pl_thread_arg {
    int i;
};

static void pl_run_task(int i)
{
    uint64_t rs = pl_rand_state(pl_round, (unsigned)i + 7);
    int armed = 0;
    if (pl_tasks[i].process) {
        // Its own mm: a mem-write of another task may open /proc/PID/mem
        // (Yama's ptrace_scope 1 allows only ancestors otherwise).
        pl_self = i;
        S->pid[i] = getpid();
        prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
    }
    pthread_barrier_wait(&S->start);
    if (pl_tasks[i].alloc_fail)
        armed = pl_alloc_fail_arm(&rs);
    pl_tasks[i].run(&rs);
    if (armed)
        pl_alloc_fail_disarm();
}

static void *pl_thread(void *p)
{
    pl_run_task(((struct pl_thread_arg *)p)->i);
    return NULL;
}

// Whether task i runs as a thread in another task's process (thread=).
static int pl_in_child(int i)
{
    int l = pl_tasks[i].leader;
    return l >= 0 && pl_tasks[l].process;
}

// A forked task's process: the task, and the tasks that are its threads
// (they share its mm), as threads of it.
static void pl_run_process(int i, int n)
{
    pthread_t th[PL_MAX_TASKS];
    struct pl_thread_arg arg[PL_MAX_TASKS];
    int started[PL_MAX_TASKS] = {0};
    for (int j = 0; j < n; j++) {
        arg[j].i = j;
        if (pl_tasks[j].leader == i)
            started[j] = pthread_create(&th[j], NULL, pl_thread, &arg[j]) == 0;
    }
    pl_run_task(i);
    for (int j = 0; j < n; j++)
        if (started[j])
            pthread_join(th[j], NULL);
}

// The final check of a round: what a user reads, from the page cache, then
// after fsync and (if allowed) drop_caches from the disk.
static void pl_final_check(void)
{
    size_t len = (size_t)PL_UNITS * G.unit;
    for (int f = 0; f < PL_NFILES; f++)
        pl_pread(f, 0, len, "final read");
    for (int f = 0; f < PL_NFILES; f++)
        fsync(pl_fd[f]);
    static int nd;
    if (pl_root_write("/proc/sys/vm/drop_caches", "3") == 0) {
        for (int f = 0; f < PL_NFILES; f++)
            pl_pread(f, 0, len, "after fsync+drop_caches");
    } else {
        pl_once(&nd, "drop_caches not allowed: the on-disk check after fsync is skipped");
    }
}

static int pl_one_round(void)
{
    memset(S->possible, 0, sizeof S->possible);
    memset(S->must, 0, sizeof S->must);
    memset(S->removable, 0, sizeof S->removable);
    S->stale = S->lost = S->misplaced = S->garbage = S->kernel = S->skipped = 0;
    S->first[0] = 0;
    memset(S->pid, 0, sizeof S->pid);
    memset(S->map, 0, sizeof S->map);
    memset(S->memw, 0, sizeof S->memw);
    if (pl_open_files() != 0)
        return -1;
    pl_init_shadow();
    pl_setup();
    int n = (int)(sizeof pl_tasks / sizeof pl_tasks[0]);
    static int barrier_ready;
    if (barrier_ready)
        pthread_barrier_destroy(&S->start);
    pthread_barrierattr_t ba;
    pthread_barrierattr_init(&ba);
    pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
    pthread_barrier_init(&S->start, &ba, (unsigned)n + 1);
    barrier_ready = 1;
    pid_t pid[PL_MAX_TASKS] = {0};
    pthread_t th[PL_MAX_TASKS];
    struct pl_thread_arg arg[PL_MAX_TASKS];
    for (int i = 0; i < n; i++) {
        if (!pl_tasks[i].process)
            continue;
        pid[i] = fork();
        if (pid[i] == 0) {
            pl_run_process(i, n);
            _exit(0);
        }
    }
    for (int i = 0; i < n; i++) {
        arg[i].i = i;
        if (!pl_tasks[i].process && !pl_in_child(i))
            pthread_create(&th[i], NULL, pl_thread, &arg[i]);
    }
    int io = 0;
    struct pl_holder hold = {.ufd = -1};
    for (size_t k = 0; k < sizeof pl_faults / sizeof pl_faults[0]; k++) {
        if (pl_faults[k].kind == 'i')
            io = pl_io_error_arm(1);
        if (pl_faults[k].kind == 'k' && pl_faults[k].file >= 0 && hold.ufd < 0 &&
            pl_privileged)
            pl_hold_start(&hold, pl_faults[k].file);
    }
    pthread_barrier_wait(&S->start);
    // Faults in the round: each after a random delay within the tasks' span.
    uint64_t rs = pl_rand_state(pl_round, 99);
    unsigned ops = 0;
    for (int i = 0; i < n; i++)
        ops += pl_tasks[i].nops;
    for (size_t k = 0; k < sizeof pl_faults / sizeof pl_faults[0]; k++) {
        const struct pl_fault *fl = &pl_faults[k];
        if (!fl->kind)
            continue;
        if (fl->kind == 'k' && hold.ufd >= 0 && pid[fl->task] > 0) {
            // Wait (up to 0.5 s) until the task sleeps uninterruptibly: in
            // its write, waiting for the inode lock the holder has.
            for (int i = 0; i < 500 && pl_proc_state(pid[fl->task]) != 'D'; i++)
                pl_sleep_us(1000);
            kill(pid[fl->task], SIGKILL);
            pl_sleep_us(5000);
            pl_hold_release(&hold);
            continue;
        }
        pl_sleep_us(pl_rand(&rs) % (pl_jitter_us * (ops + 1) + 1) / 2);
        if (fl->kind == 'k' && pid[fl->task] > 0)
            kill(pid[fl->task], SIGKILL);
        else if (fl->kind == 'r')
            pl_reclaim(fl->file, fl->page * G.pg, G.pg);
    }
    for (int i = 0; i < n; i++) {
        if (pl_tasks[i].process) {
            int st;
            if (pid[i] > 0)
                waitpid(pid[i], &st, 0);
        } else if (!pl_in_child(i)) {
            pthread_join(th[i], NULL);
        }
    }
    pl_hold_release(&hold);
    if (io)
        pl_io_error_arm(0);
    pl_final_check();
    pl_scan_kmsg();
    for (int f = 0; f < PL_NFILES; f++)
        close(pl_fd[f]);
    return S->stale + S->lost + S->misplaced + S->garbage + S->kernel > 0;
}

// --self-test: the checker on records made by hand, no kernel race needed.
static int pl_self_test(void)
{
    char rec[PL_REC];
    unsigned char buf[2 * PL_REC];
    int fails = 0;
    pl_round = 7;
    S->possible[0][0] = 1u << 2;
    // Its own record: fine; a zero slot: fine (nothing promised).
    pl_record((char *)buf, 0, 7, 2, 0);
    memset(buf + PL_REC, 0, PL_REC);
    fails += pl_check(0, 0, buf, sizeof buf, "self-test") != 0;
    // Another file's record: STALE.
    pl_record(rec, 1, 7, 2, 0);
    memcpy(buf, rec, PL_REC);
    int before = S->stale;
    pl_check(0, 0, buf, PL_REC, "self-test");
    fails += S->stale != before + 1;
    // An earlier round's (a deleted file's): STALE.
    pl_record(rec, 0, 6, 2, 0);
    memcpy(buf, rec, PL_REC);
    before = S->stale;
    pl_check(0, 0, buf, PL_REC, "self-test");
    fails += S->stale != before + 1;
    // Its own record of another offset: MISPLACED.
    pl_record(rec, 0, 7, 2, 64);
    memcpy(buf, rec, PL_REC);
    before = S->misplaced;
    pl_check(0, 0, buf, PL_REC, "self-test");
    fails += S->misplaced != before + 1;
    // Not a record: GARBAGE.
    memset(buf, 0xa5, PL_REC);
    before = S->garbage;
    pl_check(0, 0, buf, PL_REC, "self-test");
    fails += S->garbage != before + 1;
    // Zeros where a completed write promised data: LOST.
    S->must[0][0] = 1;
    memset(buf, 0, PL_REC);
    before = S->lost;
    pl_check(0, 0, buf, PL_REC, "self-test");
    fails += S->lost != before + 1;
    // A slot torn between two possible versions: fine.
    S->must[0][0] = 0;
    S->possible[0][0] = 1u << 2 | 1u << 3;
    pl_record((char *)buf, 0, 7, 2, 0);
    pl_record(rec, 0, 7, 3, 0);
    memcpy(buf + 16, rec + 16, 16);
    fails += pl_check(0, 0, buf, PL_REC, "self-test") != 0;
    pl_say("self-test: %s (%d failed)", fails ? "FAILED" : "ok", fails);
    return fails ? 2 : 0;
}

static void pl_usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s DIR [-r ROUNDS] [-t SECONDS] [-b BLOCKSIZE] [-j JITTER_US]\n"
            "          [-f FILL_MIB|all] [-s dontneed] [-n] [-v]\n"
            "  DIR  a directory on the filesystem under test (its files: pl-*)\n"
            "  -r   rounds (default 100); -t stop after this many seconds\n"
            "  -b   block size in bytes (default: the directory's statvfs f_bsize)\n"
            "  -j   random delay before each operation, 0..N us (default 200)\n"
            "  -f   MiB of marker data to write and delete first (default 8; all:\n"
            "       until the disk is full)\n"
            "  --self-test  check the checker on hand-made records and exit\n"
            "  -n   no root-only knobs (drop_caches, compaction, fault injection,\n"
            "       the inode-lock hold for a signal)\n"
            "  -s dontneed  the tasks' write sources are unmapped concurrently\n"
            "       (madvise(MADV_DONTNEED) on a shared memfd page in a thread)\n"
            "exit status: 0 clean, 1 confirmed, 2 usage or setup error\n",
            argv0);
}

static int pl_parse_num(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    long long rounds = 100, secs = 0, bs = 0, fill = 8;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long long v = 0;
        if (!strcmp(a, "--self-test")) {
            G.bs = 4096;
            G.unit = 2048;
            G.pg = 4096;
            S = mmap(NULL, sizeof *S, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                     -1, 0);
            if (S == MAP_FAILED)
                return 2;
            memset(S, 0, sizeof *S);
            return pl_self_test();
        } else if (!strcmp(a, "-n")) {
            pl_privileged = 0;
        } else if (!strcmp(a, "-v")) {
            pl_verbose = 1;
        } else if (!strcmp(a, "-s")) {
            if (i + 1 >= argc || strcmp(argv[i + 1], "dontneed")) {
                fprintf(stderr, "error: -s expects 'dontneed'\n");
                return 2;
            }
            i++;
            pl_src_dontneed = 1;
        } else if (a[0] == '-' && strchr("rtbjf", a[1]) && a[1] && !a[2]) {
            if (i + 1 >= argc) {
                fprintf(stderr, "error: %s needs a value\n", a);
                pl_usage(argv[0]);
                return 2;
            }
            const char *val = argv[++i];
            if (a[1] == 'f' && !strcmp(val, "all")) {
                fill = -1;
                continue;
            }
            if (pl_parse_num(val, &v) != 0) {
                fprintf(stderr, "error: %s expects a non-negative number, got '%s'\n", a,
                        val);
                return 2;
            }
            switch (a[1]) {
            case 'r': rounds = v; break;
            case 't': secs = v; break;
            case 'b': bs = v; break;
            case 'j': pl_jitter_us = (unsigned)v; break;
            case 'f': fill = v; break;
            }
        } else if (a[0] == '-') {
            fprintf(stderr, "error: unknown option '%s'\n", a);
            pl_usage(argv[0]);
            return 2;
        } else if (!dir) {
            dir = a;
        } else {
            fprintf(stderr, "error: expected one directory, got '%s' too\n", a);
            return 2;
        }
    }
    if (!dir) {
        pl_usage(argv[0]);
        return 2;
    }
    pl_dirfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (pl_dirfd < 0) {
        fprintf(stderr, "error: %s: not a directory we can open: %s\n", dir,
                strerror(errno));
        return 2;
    }
    if (!bs) {
        struct stat st;
        bs = fstat(pl_dirfd, &st) == 0 ? (long long)st.st_blksize : 4096;
    }
    if (bs < 64 || bs % PL_REC) {
        fprintf(stderr, "error: block size %lld: expected a multiple of %d\n", bs, PL_REC);
        return 2;
    }
    G.bs = (size_t)bs;
    if (PL_EXTENT) {
        G.pg = PL_BPP * G.bs;
        G.unit = G.bs / 2;
    } else {
        G.pg = (size_t)sysconf(_SC_PAGESIZE);
        G.unit = G.pg;
    }
    if (PL_EXTENT && G.pg != (size_t)sysconf(_SC_PAGESIZE))
        pl_say("note: the model's page is %d block(s) of %zu bytes = %zu bytes; this"
               " kernel's page is %ld", PL_BPP, G.bs, G.pg, sysconf(_SC_PAGESIZE));
    S = mmap(NULL, sizeof *S, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (S == MAP_FAILED) {
        fprintf(stderr, "error: mmap of the shared state failed\n");
        return 2;
    }
    memset(S, 0, sizeof *S);
    setvbuf(stdout, NULL, _IONBF, 0);
    pl_kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
    if (pl_kmsg >= 0)
        lseek(pl_kmsg, 0, SEEK_END);
    else
        pl_say("note: /dev/kmsg not readable: the kernel log is not checked");
    pl_say("pagelife C reproducer: %s on %s, block %zu, unit %zu, model page %zu", PL_CASE,
           dir, G.bs, G.unit, G.pg);
    if (pl_src_dontneed)
        pl_say("note: -s dontneed: write sources are unmapped while the writes run");
    pl_fill(fill);
    double t0 = pl_now();
    long long done = 0, confirmed = 0, skipped = 0;
    int tot[5] = {0};
    for (long long r = 1; r <= rounds; r++) {
        if (secs && pl_now() - t0 >= (double)secs)
            break;
        pl_round = (unsigned)r;
        int v = pl_one_round();
        if (v < 0)
            return 2;
        done++;
        skipped += S->skipped > 0;
        tot[0] += S->stale;
        tot[1] += S->lost;
        tot[2] += S->misplaced;
        tot[3] += S->garbage;
        tot[4] += S->kernel;
        if (v) {
            confirmed++;
            pl_say("round %lld: CONFIRMED %s", r, S->first);
        } else {
            pl_say("round %lld: clean%s", r, S->skipped ? " (a fault was skipped)" : "");
        }
    }
    for (int f = 0; f < PL_NFILES; f++)
        unlinkat(pl_dirfd, pl_names[f], 0);
    double dt = pl_now() - t0;
    pl_say("summary: %lld rounds in %.1f s, %lld confirmed, %lld with a skipped fault",
           done, dt, confirmed, skipped);
    pl_say("  evidence: stale %d, lost %d, misplaced %d, garbage %d, kernel log %d",
           tot[0], tot[1], tot[2], tot[3], tot[4]);
    pl_say("pagelife-result rounds=%lld confirmed=%lld s=%.1f", done, confirmed, dt);
    return confirmed ? 1 : 0;
}
