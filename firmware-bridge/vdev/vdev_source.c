/* Sample sources: a synthetic ECG (sum of Gaussians per beat, lead-specific amplitudes,
 * small noise and baseline wander: enough for a demo, not a physiology model), or a file of
 * samples in LSB units: raw int16 little-endian interleaved, or CSV (one row per sample). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "vdev.h"

/* P, Q, R, S, T: centre and width in fractions of the RR interval, amplitude in mV (lead II) */
static const double wave_c[5] = {0.16, 0.27, 0.30, 0.33, 0.58};
static const double wave_w[5] = {0.025, 0.010, 0.011, 0.010, 0.050};
static const double wave_a[5] = {0.15, -0.12, 1.2, -0.25, 0.30};
/* per lead (I..V6): scale of P/T, of Q/R, of S */
static const double lead_pt[12] = {0.6, 1.0, 0.4, -0.8, 0.1, 0.7, 0.3, 0.5, 0.7, 0.9, 0.8, 0.6};
static const double lead_r[12] = {0.6, 1.0, 0.4, -0.8, 0.1, 0.7, 0.2, 0.4, 0.8, 1.3, 1.2, 0.9};
static const double lead_s[12] = {0.5, 1.0, 0.6, 0.4, 0.4, 0.8, 3.5, 3.0, 2.0, 1.2, 0.6, 0.3};

static double gauss_noise(uint64_t *st)
{
    double u1 = (vdev_rand(st) + 1.0) / 4294967297.0, u2 = vdev_rand(st) / 4294967296.0;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static int synth(vdev_source *s, int32_t *out, int spf)
{
    int i, lead, p;
    double rr = 60.0 / s->bpm;
    for (i = 0; i < spf; i++, s->n++) {
        double t = (double)s->n / s->rate_hz, ph = fmod(t, rr) / rr;
        double wander = 0.05 * sin(6.283185307179586 * 0.25 * t);
        for (lead = 0, p = 0; lead < 12; lead++) {
            double v = wander, g;
            int k;
            if (!(s->lead_mask & (1u << lead))) continue;
            for (k = 0; k < 5; k++) {
                double d = (ph - wave_c[k]) / wave_w[k];
                double scale = (k == 0 || k == 4) ? lead_pt[lead] : (k == 3 ? lead_s[lead] : lead_r[lead]);
                v += scale * wave_a[k] * exp(-0.5 * d * d);
            }
            v += 0.01 * gauss_noise(&s->noise_state);
            g = floor(v / s->lsb_mv + 0.5);
            if (g > s->lsb_max) g = s->lsb_max;
            if (g < -s->lsb_max - 1) g = -s->lsb_max - 1;
            out[i * s->leads + p++] = (int32_t)g;
        }
    }
    return spf;
}

static int raw(vdev_source *s, int32_t *out, int spf)
{
    unsigned char b[2 * 12];
    int i, p;
    for (i = 0; i < spf; i++) {
        size_t want = (size_t)(2 * s->leads), got = fread(b, 1, want, s->file);
        if (got == 0 && s->loop && s->n > 0) { rewind(s->file); got = fread(b, 1, want, s->file); }
        if (got != want) {
            if (got != 0) fprintf(stderr, "vdev: %s: truncated record at byte %llu (%lu of %lu bytes)\n", s->path,
                                  (unsigned long long)(s->n * want), (unsigned long)got, (unsigned long)want);
            return got != 0 ? -1 : i;
        }
        for (p = 0; p < s->leads; p++) {
            unsigned u = (unsigned)b[2 * p] | ((unsigned)b[2 * p + 1] << 8);
            out[i * s->leads + p] = (int32_t)u - (u & 0x8000u ? 65536 : 0);
        }
        s->n++;
    }
    return spf;
}

static int csv(vdev_source *s, int32_t *out, int spf)
{
    char line[1024];
    int i = 0, p;
    while (i < spf) {
        char *c, *end;
        if (!fgets(line, sizeof line, s->file)) {
            if (s->loop && s->n > 0) { rewind(s->file); s->line = 0; continue; }
            return i;
        }
        s->line++;
        c = line;
        while (*c == ' ' || *c == '\t') c++;
        if (*c == '#' || *c == '\n' || *c == '\r' || *c == 0) continue;
        if (!(*c == '-' || *c == '+' || (*c >= '0' && *c <= '9'))) {
            if (s->line == 1) continue; /* a header row */
            fprintf(stderr, "vdev: %s:%llu: expected %d integers, found \"%.40s\"\n", s->path,
                    (unsigned long long)s->line, s->leads, c);
            return -1;
        }
        for (p = 0; p < s->leads; p++) {
            long v = strtol(c, &end, 10);
            if (end == c || v > s->lsb_max || v < -(long)s->lsb_max - 1) {
                fprintf(stderr, "vdev: %s:%llu: column %d: not an integer within the sample format\n", s->path,
                        (unsigned long long)s->line, p + 1);
                return -1;
            }
            out[i * s->leads + p] = (int32_t)v;
            c = end;
            while (*c == ' ' || *c == '\t') c++;
            if (p + 1 < s->leads) {
                if (*c != ',') {
                    fprintf(stderr, "vdev: %s:%llu: %d columns, expected %d (one per lead in the mask)\n", s->path,
                            (unsigned long long)s->line, p + 1, s->leads);
                    return -1;
                }
                c++;
            }
        }
        s->n++;
        i++;
    }
    return i;
}

int vdev_source_read(vdev_source *s, int32_t *out, int spf)
{
    switch (s->kind) {
    case SRC_RAW: return raw(s, out, spf);
    case SRC_CSV: return csv(s, out, spf);
    default: return synth(s, out, spf);
    }
}
