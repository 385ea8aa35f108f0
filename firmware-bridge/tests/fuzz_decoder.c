/* Deterministic fuzz loop for the decoder + stream layer, run under ASan/UBSan.
 * Inputs: pure random bytes, and the shared vectors mutated (bit flips, byte overwrites with
 * protocol-significant values, insertions, deletions, splices), fed in random chunk sizes.
 * Checks the accounting invariant: every input byte is either in a valid frame or skipped.
 * Usage: fuzz_decoder N [VECTORS_DIR] [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ecgb.h"

static uint64_t s = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
    return (uint32_t)((s * 2685821657736338717ull) >> 32);
}

#define MAXIN (64u * 1024u)
static uint8_t *corpus[8];
static size_t corpus_len[8], ncorpus;

static void load(const char *dir, const char *name)
{
    char path[1024];
    FILE *f;
    long n;
    snprintf(path, sizeof path, "%s/%s.bin", dir, name);
    f = fopen(path, "rb");
    if (!f) return;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n > (long)MAXIN) n = (long)MAXIN;
    corpus[ncorpus] = (uint8_t *)malloc((size_t)n);
    if (corpus[ncorpus] && fread(corpus[ncorpus], 1, (size_t)n, f) == (size_t)n) corpus_len[ncorpus++] = (size_t)n;
    fclose(f);
}

static size_t make_input(uint8_t *in)
{
    size_t len, k, m;
    if (ncorpus == 0 || rnd() % 4 == 0) {
        len = rnd() % 2048;
        for (k = 0; k < len; k++) {
            uint32_t r = rnd();
            in[k] = (uint8_t)(r % 5 == 0 ? (r & 256 ? ECGB_SYNC0 : ECGB_SYNC1) : r >> 8);
        }
        return len;
    }
    m = rnd() % ncorpus;
    len = corpus_len[m];
    {
        size_t off = len > 4096 ? rnd() % (uint32_t)(len - 4096) : 0; /* a window keeps runs fast */
        if (len - off > 4096) len = 4096; else len -= off;
        memcpy(in, corpus[m] + off, len);
    }
    for (k = 1 + rnd() % 8; k > 0 && len > 0; k--) {
        size_t pos = rnd() % (uint32_t)len;
        switch (rnd() % 6) {
        case 0: in[pos] ^= (uint8_t)(1u << (rnd() % 8)); break;
        case 1: { static const uint8_t v[] = {0, 0xFF, 0x7F, 0x80, ECGB_SYNC0, ECGB_SYNC1, 1, 2, 0x10}; in[pos] = v[rnd() % 9]; break; }
        case 2: if (len < MAXIN - 16) { size_t n = 1 + rnd() % 16; memmove(in + pos + n, in + pos, len - pos); for (m = 0; m < n; m++) in[pos + m] = (uint8_t)rnd(); len += n; } break;
        case 3: { size_t n = 1 + rnd() % 64; if (n > len - pos) n = len - pos; memmove(in + pos, in + pos + n, len - pos - n); len -= n; break; }
        case 4: { size_t src = rnd() % (uint32_t)len, n = 1 + rnd() % 300; if (n > len - pos) n = len - pos; if (n > len - src) n = len - src; memmove(in + pos, in + src, n); break; }
        default: in[pos] = (uint8_t)rnd(); break;
        }
    }
    return len;
}

int main(int argc, char **argv)
{
    static uint8_t in[MAXIN + 64], buf[ECGB_MAX_FRAME];
    static const char *names[] = {"basic_12lead_int16", "ads1298_int24", "single_lead_130hz", "faults", "changes"};
    unsigned long n, i, frames = 0;
    size_t k;
    if (argc < 2) { fprintf(stderr, "usage: fuzz_decoder N [VECTORS_DIR] [SEED]\n"); return 2; }
    n = strtoul(argv[1], NULL, 10);
    if (argc >= 3) for (k = 0; k < 5; k++) load(argv[2], names[k]);
    if (argc >= 4) s ^= strtoull(argv[3], NULL, 10);
    for (i = 0; i < n; i++) {
        ecgb_decoder d;
        ecgb_stream st;
        ecgb_frame fr;
        ecgb_event ev[2];
        size_t len = make_input(in), pos = 0, framed = 0;
        ecgb_decoder_init(&d, buf, sizeof buf);
        ecgb_stream_init(&st);
        for (;;) {
            size_t chunk = 1 + rnd() % 512;
            if (pos < len) pos += ecgb_decoder_write(&d, in + pos, chunk < len - pos ? chunk : len - pos);
            else ecgb_decoder_finish(&d);
            while (ecgb_decoder_next(&d, &fr)) {
                int e = ecgb_stream_accept(&st, &fr, ev), j;
                framed += ECGB_OVERHEAD + fr.length;
                for (j = 0; j < e; j++) /* touch every sample so the sanitizers see each read */
                    if (ev[j].kind == ECGB_EV_DATA) {
                        size_t a, b;
                        volatile int32_t sink = 0;
                        for (a = 0; a < ev[j].data.samples_per_frame; a++)
                            for (b = 0; b < ev[j].data.leads; b++) sink += ecgb_data_sample(&ev[j].data, a, b);
                        (void)sink;
                    }
            }
            if (d.finishing) break;
        }
        frames += d.counters.frames;
        if (framed + d.counters.bytes_skipped != len) {
            fprintf(stderr, "input %lu: %lu bytes in frames + %lu skipped != %lu\n", i, (unsigned long)framed,
                    (unsigned long)d.counters.bytes_skipped, (unsigned long)len);
            return 1;
        }
    }
    printf("fuzz_decoder: %lu inputs, %lu valid frames found, no failures\n", n, frames);
    return 0;
}
