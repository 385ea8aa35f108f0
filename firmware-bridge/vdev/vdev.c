/* vdev — a virtual ECG device speaking the ecgb wire protocol (PROTOCOL.md).
 * Plays a synthetic ECG or a sample file, in real time or faster, over a pty, TCP or
 * stdout, with optional faults. `vdev --help` documents every option. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "vdev.h"

static const char usage[] =
    "usage: vdev [OUTPUT] [SOURCE] [STREAM] [PACING] [FAULTS]\n"
    "OUTPUT (one; default --stdout)\n"
    "  --stdout                 write frames to standard output\n"
    "  --pty                    create a pseudo-terminal, print its slave path on stdout, write there\n"
    "  --tcp-listen PORT        serve one client at a time on --bind (default 127.0.0.1);\n"
    "                           when a client leaves, wait for the next (the stream goes on)\n"
    "  --tcp-connect HOST:PORT  connect (retrying every 200 ms) and write there\n"
    "SOURCE (default --synth)\n"
    "  --synth                  built-in synthetic ECG (sum of Gaussians), --bpm N (default 72)\n"
    "  --raw FILE               int16 little-endian samples, interleaved: one int16 per lead of the\n"
    "                           mask, in lead order, per sample instant; values in LSB (see --gain-nv)\n"
    "  --csv FILE               one row per sample instant, one integer (LSB) per lead of the mask,\n"
    "                           comma-separated; '#' lines and a non-numeric first row are skipped\n"
    "  --loop                   restart the file at its end (default: stop)\n"
    "STREAM\n"
    "  --leads MASK|12|8|3|1    lead set: 12-bit mask (0x0FFF) or a preset: 12 (all), 8 (I,II,V1-V6),\n"
    "                           3 (I,II,III), 1 (I); default 12\n"
    "  --rate HZ                sample rate (default 500)     --spf N  samples per frame (default 10)\n"
    "  --format int16|int24     sample format (default int16) --gain-nv X  nV per LSB (default 2500)\n"
    "  --device-id N            device id (default 1)         --info-every N  INFO every N frames\n"
    "                                                         (default: about once per second)\n"
    "  --start-seq N            first sequence number         --clock-ppm P  device clock error\n"
    "PACING\n"
    "  --speed X                X times real time (default 1)   --max  no pacing at all\n"
    "  --frames N | --seconds S stop after N frames / S seconds of signal (default: run forever)\n"
    "  --parent-pid PID         exit (status 0, one line on stderr) within about a second of process\n"
    "                           PID ending: for a parent that may be killed without stopping vdev\n"
    "FAULTS (per DATA frame, reproducible with --seed N)\n"
    "  --drop P --corrupt P --duplicate P   probabilities in [0,1]\n"
    "  --stall MS@EVERY         pause MS milliseconds after every EVERY frames\n"
    "  --disconnect-after N     close the connection after every N frames (TCP: next client /\n"
    "                           reconnect; pty and stdout: exit)\n"
    "  --fault-log FILE         one line per fault: drop|corrupt|duplicate|stall|disconnect,SEQ\n";

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "vdev: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(2);
}

static double num(const char *opt, const char *v, double lo, double hi)
{
    char *end;
    double x;
    if (!v) die("missing value for", opt);
    x = strtod(v, &end);
    if (end == v || *end || x < lo || x > hi) {
        fprintf(stderr, "vdev: %s %s: expected a number in [%g, %g]\n", opt, v, lo, hi);
        exit(2);
    }
    return x;
}

static int out_fd = -1, listen_fd = -1;
static char connect_host[256], connect_port[16];
static pid_t parent_pid;    /* --parent-pid; 0: none */
static int parent_is_ppid;  /* it was our parent when we started */

/* 1 once the --parent-pid process has ended. When it was our parent, being handed to another one says so
 * even while it is a zombie nobody has reaped yet, and whatever process is given its pid later. */
static int parent_gone(void)
{
    if (parent_is_ppid && getppid() != parent_pid) return 1;
    return kill(parent_pid, 0) != 0 && errno == ESRCH;
}

static void exit_parent_gone(void)
{
    char msg[80];
    int n = snprintf(msg, sizeof msg, "vdev: parent process %ld has ended; exiting\n", (long)parent_pid);
    if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0) { /* nowhere left to say it */ }
    _exit(0); /* not exit(): the main thread may be inside stdio; the kernel closes the sockets */
}

/* A parent killed with SIGKILL cannot stop us, and the main thread may wait for ever (accept() for a client
 * that was the parent, a read of the parent's pipe, pacing): a thread looks once a second. */
static void *watch_parent(void *unused)
{
    (void)unused;
    for (;;) {
        sleep(1);
        if (parent_gone()) exit_parent_gone();
    }
    return NULL;
}

static int open_listener(const char *bind_addr, int port)
{
    struct sockaddr_in a;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("vdev: socket"); exit(1); }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, bind_addr, &a.sin_addr) != 1) die("not an IPv4 address", bind_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 1) != 0) { perror("vdev: bind/listen"); exit(1); }
    if (port == 0) { /* an ephemeral port: tell the caller which */
        socklen_t l = sizeof a;
        getsockname(fd, (struct sockaddr *)&a, &l);
    }
    printf("tcp %s:%d\n", bind_addr, ntohs(a.sin_port));
    fflush(stdout);
    return fd;
}

static int tcp_connect(void)
{
    struct addrinfo hints, *res = NULL, *r;
    int fd = -1;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    for (;;) {
        if (getaddrinfo(connect_host, connect_port, &hints, &res) == 0) {
            for (r = res; r; r = r->ai_next) {
                fd = socket(r->ai_family, r->ai_socktype, r->ai_protocol);
                if (fd >= 0 && connect(fd, r->ai_addr, r->ai_addrlen) == 0) break;
                if (fd >= 0) close(fd);
                fd = -1;
            }
            freeaddrinfo(res);
        }
        if (fd >= 0) return fd;
        usleep(200000);
    }
}

static void set_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* (Re)establishes the output connection for TCP modes. */
static void connect_output(void)
{
    if (listen_fd >= 0) {
        out_fd = accept(listen_fd, NULL, NULL);
        if (out_fd < 0) { perror("vdev: accept"); exit(1); }
        set_nodelay(out_fd);
    } else if (connect_host[0]) {
        out_fd = tcp_connect();
        set_nodelay(out_fd);
    }
}

/* Writes all bytes; returns 0, or -1 if the peer went away (TCP: the caller reconnects). */
static int write_all(const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(out_fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void send_or_reconnect(const uint8_t *p, size_t n, const uint8_t *info, size_t info_len)
{
    while (write_all(p, n) != 0) {
        if (listen_fd < 0 && !connect_host[0]) { perror("vdev: write"); exit(1); }
        close(out_fd);
        connect_output();
        if (write_all(info, info_len) != 0) continue; /* a new peer first learns who we are */
    }
}

static void sleep_until(double t)
{
    struct timespec ts;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
}

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    static uint8_t frame[ECGB_MAX_FRAME], info_frame[ECGB_MAX_FRAME];
    static int32_t samples[255 * 12];
    ecgb_info info;
    vdev_source src;
    vdev_faults faults;
    const char *bind_addr = "127.0.0.1", *mask_arg = "12";
    int mode_pty = 0, mode_max = 0, i, info_len, k;
    long tcp_port = -1, info_every = 0, frames_max = -1;
    double rate = 500, gain_nv = 2500, speed = 1, seconds = -1, clock_ppm = 0;
    uint64_t frame_no = 0, since_disconnect = 0;
    uint32_t seq = 0;
    double t0;

    memset(&info, 0, sizeof info);
    memset(&src, 0, sizeof src);
    memset(&faults, 0, sizeof faults);
    info.sample_format = ECGB_FORMAT_INT16;
    info.samples_per_frame = 10;
    info.device_id = 1;
    info.firmware_len = 15;
    memcpy(info.firmware, "ecgb-vdev 1.0.0", 15);
    src.kind = SRC_SYNTH;
    src.bpm = 72;
    src.noise_state = 0x2545F4914F6CDD1Dull;
    faults.rng = 1;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (strcmp(a, name) == 0)
#define TAKE (i++, v)
        if (OPT("--help") || OPT("-h")) { fputs(usage, stdout); return 0; }
        else if (OPT("--stdout")) {}
        else if (OPT("--pty")) mode_pty = 1;
        else if (OPT("--tcp-listen")) tcp_port = (long)num(a, TAKE, 0, 65535);
        else if (OPT("--bind")) { if (!v) die("missing value for", a); bind_addr = TAKE; }
        else if (OPT("--tcp-connect")) {
            const char *hp = TAKE, *colon;
            if (!hp || !(colon = strrchr(hp, ':')) || colon == hp || (size_t)(colon - hp) >= sizeof connect_host || strlen(colon + 1) >= sizeof connect_port)
                die("--tcp-connect wants HOST:PORT", hp);
            memcpy(connect_host, hp, (size_t)(colon - hp));
            strcpy(connect_port, colon + 1);
        }
        else if (OPT("--synth")) src.kind = SRC_SYNTH;
        else if (OPT("--raw") || OPT("--csv")) {
            src.kind = OPT("--raw") ? SRC_RAW : SRC_CSV;
            if (!v) die("missing file for", a);
            src.path = TAKE;
        }
        else if (OPT("--loop")) src.loop = 1;
        else if (OPT("--bpm")) src.bpm = num(a, TAKE, 20, 300);
        else if (OPT("--leads")) { if (!v) die("missing value for", a); mask_arg = TAKE; }
        else if (OPT("--rate")) rate = num(a, TAKE, 1, 100000);
        else if (OPT("--spf")) info.samples_per_frame = (uint8_t)num(a, TAKE, 1, 255);
        else if (OPT("--format")) {
            const char *f = TAKE;
            if (f && strcmp(f, "int16") == 0) info.sample_format = ECGB_FORMAT_INT16;
            else if (f && strcmp(f, "int24") == 0) info.sample_format = ECGB_FORMAT_INT24;
            else die("--format wants int16 or int24", f);
        }
        else if (OPT("--gain-nv")) gain_nv = num(a, TAKE, 0.001, 4294967.0);
        else if (OPT("--device-id")) info.device_id = (uint64_t)num(a, TAKE, 0, 9007199254740991.0);
        else if (OPT("--info-every")) info_every = (long)num(a, TAKE, 1, 1e9);
        else if (OPT("--start-seq")) seq = (uint32_t)num(a, TAKE, 0, 4294967295.0);
        else if (OPT("--clock-ppm")) clock_ppm = num(a, TAKE, -10000, 10000);
        else if (OPT("--speed")) speed = num(a, TAKE, 0.001, 1e6);
        else if (OPT("--max")) mode_max = 1;
        else if (OPT("--frames")) frames_max = (long)num(a, TAKE, 0, 1e15);
        else if (OPT("--seconds")) seconds = num(a, TAKE, 0, 1e9);
        else if (OPT("--parent-pid")) parent_pid = (pid_t)num(a, TAKE, 1, 2147483647.0);
        else if (OPT("--seed")) faults.rng = (uint64_t)num(a, TAKE, 0, 9007199254740991.0) * 2654435761u + 1u;
        else if (OPT("--drop")) faults.drop = num(a, TAKE, 0, 1);
        else if (OPT("--corrupt")) faults.corrupt = num(a, TAKE, 0, 1);
        else if (OPT("--duplicate")) faults.duplicate = num(a, TAKE, 0, 1);
        else if (OPT("--stall")) {
            const char *s = TAKE;
            char *end;
            if (!s) die("missing value for", a);
            faults.stall_ms = strtol(s, &end, 10);
            if (*end != '@' || faults.stall_ms < 0) die("--stall wants MS@EVERY", s);
            faults.stall_every = strtol(end + 1, &end, 10);
            if (*end || faults.stall_every <= 0) die("--stall wants MS@EVERY", s);
        }
        else if (OPT("--disconnect-after")) faults.disconnect_after = (long)num(a, TAKE, 1, 1e15);
        else if (OPT("--fault-log")) {
            if (!v) die("missing file for", a);
            faults.log = fopen(TAKE, "w");
            if (!faults.log) { perror("vdev: --fault-log"); return 1; }
        }
        else die("unknown option (see --help)", a);
    }

    if (strcmp(mask_arg, "12") == 0) info.lead_mask = 0x0FFF;
    else if (strcmp(mask_arg, "8") == 0) info.lead_mask = 0x0FC3;
    else if (strcmp(mask_arg, "3") == 0) info.lead_mask = 0x0007;
    else if (strcmp(mask_arg, "1") == 0) info.lead_mask = 0x0001;
    else info.lead_mask = (uint16_t)strtol(mask_arg, NULL, 0);
    info.sample_rate_mhz = (uint32_t)(rate * 1000.0 + 0.5);
    info.gain_pv = (uint32_t)(gain_nv * 1000.0 + 0.5);
    if (ecgb_info_validate(&info) != ECGB_OK)
        die("invalid stream settings (lead mask, DATA payload over 4080 bytes, or gain)", mask_arg);
    if (info_every == 0) info_every = (long)(rate / info.samples_per_frame + 0.5) > 0 ? (long)(rate / info.samples_per_frame + 0.5) : 1;

    src.leads = ecgb_lead_count(info.lead_mask);
    src.lead_mask = info.lead_mask;
    src.rate_hz = rate;
    src.lsb_mv = gain_nv * 1e-6;
    src.lsb_max = info.sample_format == ECGB_FORMAT_INT16 ? 32767 : 8388607;
    if (src.kind != SRC_SYNTH) {
        src.file = fopen(src.path, src.kind == SRC_RAW ? "rb" : "r");
        if (!src.file) { perror(src.path); return 1; }
        if (src.kind == SRC_RAW && info.sample_format != ECGB_FORMAT_INT16) die("--raw files hold int16 samples; use --format int16", src.path);
    }

    if (parent_pid > 0) {
        pthread_t watcher;
        parent_is_ppid = getppid() == parent_pid;
        /* a PID that names no process here (a typo, or one from another PID namespace, where getppid() is 0) is a
         * usage error, not a parent that has ended: exiting 0 would look like a clean stop */
        if (kill(parent_pid, 0) != 0 && errno == ESRCH) {
            fprintf(stderr, "vdev: --parent-pid %ld: no such process (from another PID namespace?)\n", (long)parent_pid);
            return 2;
        }
        if (pthread_create(&watcher, NULL, watch_parent, NULL) != 0) { perror("vdev: --parent-pid: pthread_create"); return 1; }
        pthread_detach(watcher);
    }
    signal(SIGPIPE, SIG_IGN);
    if (mode_pty) {
        int slave;
        struct termios t;
        const char *name;
        out_fd = posix_openpt(O_RDWR | O_NOCTTY);
        if (out_fd < 0 || grantpt(out_fd) != 0 || unlockpt(out_fd) != 0 || !(name = ptsname(out_fd))) {
            perror("vdev: posix_openpt");
            return 1;
        }
        /* Hold the slave open in raw mode: bytes written before a reader arrives must not be
         * cooked by the line discipline (CR->NL, echo), and the master must not see EIO. */
        slave = open(name, O_RDWR | O_NOCTTY);
        if (slave < 0 || tcgetattr(slave, &t) != 0) { perror(name); return 1; }
        cfmakeraw(&t);
        tcsetattr(slave, TCSANOW, &t);
        printf("%s\n", name);
        fflush(stdout);
    } else if (tcp_port >= 0) {
        listen_fd = open_listener(bind_addr, (int)tcp_port);
        connect_output();
    } else if (connect_host[0]) {
        connect_output();
    } else {
        out_fd = STDOUT_FILENO;
    }

    info_len = ecgb_encode_info(&info, info_frame, sizeof info_frame);
    send_or_reconnect(info_frame, (size_t)info_len, info_frame, (size_t)info_len);
    t0 = mono();
    for (;;) {
        int got, len;
        double signal_s = (double)frame_no * info.samples_per_frame / rate;
        uint32_t ts = (uint32_t)(uint64_t)(signal_s * 1e6 * (1.0 + clock_ppm * 1e-6));
        if (frames_max >= 0 && (long)frame_no >= frames_max) break;
        if (seconds >= 0 && signal_s >= seconds) break;
        got = vdev_source_read(&src, samples, info.samples_per_frame);
        if (got < 0) return 1;
        if (got < info.samples_per_frame) break; /* end of file: partial frames are not sent */
        if (!mode_max) sleep_until(t0 + signal_s / speed);
        if (frame_no > 0 && frame_no % (uint64_t)info_every == 0)
            send_or_reconnect(info_frame, (size_t)info_len, info_frame, (size_t)info_len);
        len = ecgb_encode_data(&info, seq, ts, 0, samples, frame, sizeof frame);
        if (len < 0) die("could not encode a frame (sample out of range?)", NULL);
        if (faults.drop > 0 && vdev_uniform(&faults.rng) < faults.drop) {
            if (faults.log) fprintf(faults.log, "drop,%lu\n", (unsigned long)seq);
        } else {
            int copies = 1;
            if (faults.corrupt > 0 && vdev_uniform(&faults.rng) < faults.corrupt) {
                vdev_corrupt(&faults, frame, (size_t)len);
                if (faults.log) fprintf(faults.log, "corrupt,%lu\n", (unsigned long)seq);
            } else if (faults.duplicate > 0 && vdev_uniform(&faults.rng) < faults.duplicate) {
                copies = 2;
                if (faults.log) fprintf(faults.log, "duplicate,%lu\n", (unsigned long)seq);
            }
            for (k = 0; k < copies; k++) send_or_reconnect(frame, (size_t)len, info_frame, (size_t)info_len);
        }
        seq++;
        frame_no++;
        since_disconnect++;
        if (faults.stall_every > 0 && frame_no % (uint64_t)faults.stall_every == 0) {
            if (faults.log) fprintf(faults.log, "stall,%lu,%ld\n", (unsigned long)seq, faults.stall_ms);
            usleep((useconds_t)faults.stall_ms * 1000u);
            t0 += (double)faults.stall_ms / 1000.0; /* a stall delays, it does not make the device hurry */
        }
        if (faults.disconnect_after > 0 && since_disconnect >= (uint64_t)faults.disconnect_after) {
            since_disconnect = 0;
            if (faults.log) { fprintf(faults.log, "disconnect,%lu\n", (unsigned long)seq); fflush(faults.log); }
            if (listen_fd < 0 && !connect_host[0]) return 0;
            if ((frames_max >= 0 && (long)frame_no >= frames_max) ||
                (seconds >= 0 && (double)frame_no * info.samples_per_frame / rate >= seconds))
                break; /* the run is over: do not wait for another client */
            close(out_fd);
            connect_output();
            send_or_reconnect(info_frame, (size_t)info_len, info_frame, (size_t)info_len);
        }
    }
    if (faults.log) fclose(faults.log);
    if (mode_pty) usleep(200000); /* let the reader drain the pty before it hangs up */
    return 0;
}
