/* Writes the shared test vectors: for each case a byte stream NAME.bin and NAME.expected.csv,
 * the decoded result a conforming decoder must produce (format: vectors/README.md).
 * The expectations come from how each stream was BUILT (which frames were dropped, corrupted,
 * duplicated), never from running a decoder, so a decoder bug cannot hide in them.
 * Deterministic: the same program writes the same bytes. Usage: make_vectors OUTDIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ecgb.h"

#define MAX_BIN (1u << 20)
#define MAX_TXT (8u << 20)

static uint8_t bin[MAX_BIN];
static size_t bin_len;
static char txt[MAX_TXT];
static size_t txt_len;
static uint64_t rng_state;

static uint32_t rnd(void) /* xorshift64*: portable and reproducible */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static void out(const char *fmt, ...);
#include <stdarg.h>
static void out(const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(txt + txt_len, MAX_TXT - txt_len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= MAX_TXT - txt_len) { fprintf(stderr, "expected text overflow\n"); exit(2); }
    txt_len += (size_t)n;
}

/* what the builder knows about the stream so far */
static struct {
    ecgb_info info;
    uint64_t stream_sample;
    uint32_t pending_gap_from, pending_gap;
    int have_seq;
    uint64_t delivered, duplicates, gaps, gap_frames, restarts, unsupported, no_info, skipped;
} st;

static void put(const uint8_t *p, size_t n)
{
    if (bin_len + n > MAX_BIN) { fprintf(stderr, "vector too large\n"); exit(2); }
    memcpy(bin + bin_len, p, n);
    bin_len += n;
}

static void begin(uint64_t seed, const char *title)
{
    memset(&st, 0, sizeof st);
    bin_len = txt_len = 0;
    rng_state = seed;
    out("# %s\n", title);
}

static void info_frame(const ecgb_info *info, int changed)
{
    uint8_t f[ECGB_MAX_FRAME];
    int n = ecgb_encode_info(info, f, sizeof f);
    if (n < 0) { fprintf(stderr, "bad info %d\n", n); exit(2); }
    put(f, (size_t)n);
    if (changed) {
        st.info = *info;
        st.stream_sample = 0;
        st.have_seq = 0;
        st.pending_gap = 0;
        out("info,%lu,%lu,%u,%u,%u,%llu,%.*s\n", (unsigned long)info->sample_rate_mhz, (unsigned long)info->gain_pv,
            info->lead_mask, info->sample_format, info->samples_per_frame, (unsigned long long)info->device_id,
            (int)info->firmware_len, info->firmware);
    }
}

/* sample values: a mix of smooth waves and the format's extremes */
static void make_samples(uint32_t seq, int32_t *v, size_t n)
{
    int32_t lim = st.info.sample_format == ECGB_FORMAT_INT16 ? 32767 : 8388607;
    size_t i;
    for (i = 0; i < n; i++) {
        uint32_t r = rnd();
        if (r % 17 == 0) v[i] = (r & 32) ? lim : -lim - 1;
        else v[i] = (int32_t)(r % (uint32_t)(2 * lim + 1)) - lim;
    }
    (void)seq;
}

static size_t encode_data(uint32_t seq, uint32_t ts, uint16_t off, uint8_t *f, int32_t *v)
{
    size_t n = (size_t)st.info.samples_per_frame * (size_t)ecgb_lead_count(st.info.lead_mask);
    int len;
    make_samples(seq, v, n);
    len = ecgb_encode_data(&st.info, seq, ts, off, v, f, ECGB_MAX_FRAME);
    if (len < 0) { fprintf(stderr, "encode failed %d\n", len); exit(2); }
    return (size_t)len;
}

static void deliver(uint32_t seq, uint32_t ts, uint16_t off)
{
    uint8_t f[ECGB_MAX_FRAME];
    int32_t v[4096];
    size_t len = encode_data(seq, ts, off, f, v), n, i;
    put(f, len);
    if (st.pending_gap) {
        out("gap,%lu,%lu,%llu\n", (unsigned long)st.pending_gap_from, (unsigned long)st.pending_gap,
            (unsigned long long)st.pending_gap * st.info.samples_per_frame);
        st.gaps++;
        st.gap_frames += st.pending_gap;
        st.stream_sample += (uint64_t)st.pending_gap * st.info.samples_per_frame;
        st.pending_gap = 0;
    }
    out("frame,%lu,%lu,%u,%llu", (unsigned long)seq, (unsigned long)ts, off, (unsigned long long)st.stream_sample);
    n = (size_t)st.info.samples_per_frame * (size_t)ecgb_lead_count(st.info.lead_mask);
    for (i = 0; i < n; i++) out(",%ld", (long)v[i]);
    out("\n");
    st.stream_sample += st.info.samples_per_frame;
    st.delivered++;
    st.have_seq = 1;
}

static void missing(uint32_t seq) /* a frame the decoder never sees intact */
{
    if (st.pending_gap == 0) st.pending_gap_from = seq;
    st.pending_gap++;
}

static void duplicate(uint32_t seq, uint32_t ts, uint16_t off)
{
    uint8_t f[ECGB_MAX_FRAME];
    int32_t v[4096];
    put(f, encode_data(seq, ts, off, f, v));
    st.duplicates++;
}

/* Corrupts a frame with a burst of at most 16 bits (CRC-16 detects every such burst) or
 * truncates it; every byte of it must then be skipped by the decoder. */
static void corrupt(uint32_t seq, uint32_t ts, uint16_t off)
{
    uint8_t f[ECGB_MAX_FRAME];
    int32_t v[4096];
    size_t len = encode_data(seq, ts, off, f, v);
    if (rnd() % 3 == 0) {
        len = 1 + rnd() % (uint32_t)(len - 1);
    } else {
        size_t pos = rnd() % (uint32_t)(len - 1);
        uint16_t burst = (uint16_t)(1u + rnd() % 0xFFFFu);
        f[pos] ^= (uint8_t)burst;
        f[pos + 1] ^= (uint8_t)(burst >> 8);
    }
    put(f, len);
    st.skipped += len;
    missing(seq);
}

static void garbage(size_t n, int with_sync)
{
    size_t i;
    uint8_t b;
    for (i = 0; i < n; i++) {
        b = (uint8_t)rnd();
        if (with_sync && i + 1 < n && rnd() % 4 == 0) { b = ECGB_SYNC0; put(&b, 1); b = ECGB_SYNC1; i++; }
        put(&b, 1);
    }
    st.skipped += n;
}

static void finish(const char *dir, const char *name)
{
    char path[1024];
    FILE *fp;
    if (st.pending_gap) { fprintf(stderr, "%s: stream ends inside a gap\n", name); exit(2); }
    out("end,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n", (unsigned long long)st.delivered,
        (unsigned long long)st.duplicates, (unsigned long long)st.gaps, (unsigned long long)st.gap_frames,
        (unsigned long long)st.restarts, (unsigned long long)st.unsupported, (unsigned long long)st.no_info,
        (unsigned long long)st.skipped);
    snprintf(path, sizeof path, "%s/%s.bin", dir, name);
    fp = fopen(path, "wb");
    if (!fp || fwrite(bin, 1, bin_len, fp) != bin_len || fclose(fp) != 0) { perror(path); exit(1); }
    snprintf(path, sizeof path, "%s/%s.expected.csv", dir, name);
    fp = fopen(path, "wb");
    if (!fp || fwrite(txt, 1, txt_len, fp) != txt_len || fclose(fp) != 0) { perror(path); exit(1); }
    printf("%s: %lu bytes, %llu frames\n", name, (unsigned long)bin_len, (unsigned long long)st.delivered);
}

static ecgb_info mk_info(uint32_t rate_mhz, uint32_t gain_pv, uint16_t mask, uint8_t fmt, uint8_t spf,
                         uint64_t id, const char *fw)
{
    ecgb_info i;
    memset(&i, 0, sizeof i);
    i.sample_rate_mhz = rate_mhz;
    i.gain_pv = gain_pv;
    i.lead_mask = mask;
    i.sample_format = fmt;
    i.samples_per_frame = spf;
    i.device_id = id;
    i.firmware_len = (uint8_t)strlen(fw);
    memcpy(i.firmware, fw, i.firmware_len);
    return i;
}

int main(int argc, char **argv)
{
    const char *dir;
    uint32_t k, seq, ts;
    ecgb_info info;
    if (argc != 2) { fprintf(stderr, "usage: make_vectors OUTDIR\n"); return 2; }
    dir = argv[1];

    /* 1. clean 12-lead int16 stream; timestamps wrap past 2^32 µs; INFO repeated mid-stream */
    begin(1, "12 leads, int16, 500 Hz, 10 samples per frame; timestamp wraps; INFO repeated");
    info = mk_info(500000, 2500000, ECGB_LEAD_MASK_ALL, ECGB_FORMAT_INT16, 10, 0x0123456789ABCDEFull, "ecgb-vdev 1.0.0");
    info_frame(&info, 1);
    for (k = 0, seq = 1000, ts = 0xFFFE7960u; k < 25; k++, seq++, ts += 20000u) {
        if (k == 12) info_frame(&info, 0);
        deliver(seq, ts, (uint16_t)(k == 7 ? 0x0801 : 0));
    }
    finish(dir, "basic_12lead_int16");

    /* 2. ADS1298-style: 8 measured leads (I, II, V1..V6), int24, gain 6 */
    begin(2, "8 leads I,II,V1-V6 (mask 0x0FC3), int24 full scale, 500 Hz, 5 samples per frame");
    info = mk_info(500000, 47684, 0x0FC3, ECGB_FORMAT_INT24, 5, 1298, "ads1298-pack 1");
    info_frame(&info, 1);
    for (k = 0, seq = 0, ts = 5000000u; k < 40; k++, seq++, ts += 10000u) deliver(seq, ts, (uint16_t)(k % 9 == 4 ? 0x0040 : 0));
    finish(dir, "ads1298_int24");

    /* 3. one lead at 130 Hz (chest-strap rate); the sequence number wraps through 2^32 */
    begin(3, "lead I only, int16, 130 Hz, 13 samples per frame; sequence wraps 0xFFFFFFF0 -> 0x0E");
    info = mk_info(130000, 1000000, 0x0001, ECGB_FORMAT_INT16, 13, 10, "strap 0.3");
    info_frame(&info, 1);
    for (k = 0, seq = 0xFFFFFFF0u, ts = 0; k < 30; k++, seq++, ts += 100000u) deliver(seq, ts, 0);
    finish(dir, "single_lead_130hz");

    /* 4. faults: garbage, data before INFO, ~1% corrupted, ~1% dropped, duplicates,
     *    truncations, false sync bytes, an unknown frame type, a final truncated frame */
    begin(4, "3 leads int16 with faults: garbage, corrupt, truncated, dropped, duplicated frames");
    info = mk_info(500000, 2500000, 0x0007, ECGB_FORMAT_INT16, 10, 7, "ecgb-vdev 1.0.0");
    garbage(37, 1);
    {
        /* a valid DATA frame before any INFO: must be dropped (no description yet) */
        uint8_t f[ECGB_MAX_FRAME];
        int32_t v[120];
        memset(v, 0, sizeof v);
        put(f, (size_t)ecgb_encode_data(&info, 99, 0, 0, v, f, sizeof f));
        st.no_info++;
    }
    info_frame(&info, 1);
    for (k = 0, seq = 0xFFFFFF00u, ts = 1000u; k < 1200; k++, seq++, ts += 20000u) {
        uint32_t r = rnd() % 1000;
        uint16_t off = (uint16_t)((k / 50) % 5 == 3 ? 0x0004 : 0);
        if (k == 0 || k == 1199) { deliver(seq, ts, off); continue; }
        if (k >= 600 && k < 603) { missing(seq); continue; }           /* a burst of 3 lost frames */
        if (k == 800 || k == 801) { corrupt(seq, ts, off); continue; } /* two damaged in a row */
        if (r < 10) corrupt(seq, ts, off);
        else if (r < 20) missing(seq);
        else if (r < 25) {
            deliver(seq, ts, off);
            duplicate(seq, ts, off);
        } else if (r < 28 && k > 3) {
            deliver(seq, ts, off);
            duplicate(seq - 2u, ts - 40000u, off); /* a late copy from the past */
        } else if (r < 31) {
            garbage(1 + rnd() % 40, 1);
            deliver(seq, ts, off);
        } else if (r < 32) {
            uint8_t f[64], p[5] = {1, 2, 3, 4, 5};
            put(f, (size_t)ecgb_encode_frame(0x7E, ECGB_VERSION, p, sizeof p, f, sizeof f));
            st.unsupported++;
            deliver(seq, ts, off);
        } else if (r < 33) {
            info_frame(&info, 0);
            deliver(seq, ts, off);
        } else
            deliver(seq, ts, off);
    }
    {
        /* trailing partial frame: only a decoder told that input ended skips it */
        uint8_t f[ECGB_MAX_FRAME];
        int32_t v[120];
        size_t len = encode_data(seq, ts, 0, f, v);
        put(f, len / 2);
        st.skipped += len / 2;
    }
    finish(dir, "faults");

    /* 5. a device that restarts (sequence back to 0) and then changes its configuration */
    begin(5, "restart (sequence jumps back) and INFO change (spf 10 -> 25, 3 leads)");
    info = mk_info(500000, 2500000, 0x0003, ECGB_FORMAT_INT16, 10, 42, "fw-a");
    info_frame(&info, 1);
    for (k = 0, seq = 5000, ts = 0; k < 10; k++, seq++, ts += 20000u) deliver(seq, ts, 0);
    out("restart,0\n");
    st.restarts++;
    for (k = 0, seq = 0, ts = 0; k < 10; k++, seq++, ts += 20000u) deliver(seq, ts, 0);
    info = mk_info(250000, 1000000, 0x0007, ECGB_FORMAT_INT16, 25, 42, "fw-b");
    info_frame(&info, 1);
    for (k = 0, seq = 77; k < 10; k++, seq++, ts += 100000u) deliver(seq, ts, 0);
    finish(dir, "changes");
    return 0;
}
