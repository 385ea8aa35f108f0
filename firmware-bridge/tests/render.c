#include "render.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ecgb.h"

typedef struct { char *p; size_t len, cap; int overflow; } sink;

static void emit(sink *s, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (s->overflow) return;
    va_start(ap, fmt);
    n = vsnprintf(s->p + s->len, s->cap - s->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= s->cap - s->len) { s->overflow = 1; return; }
    s->len += (size_t)n;
}

static void drain(ecgb_decoder *d, ecgb_stream *st, sink *s)
{
    ecgb_frame f;
    ecgb_event ev[2];
    while (ecgb_decoder_next(d, &f)) {
        int n = ecgb_stream_accept(st, &f, ev), k;
        for (k = 0; k < n; k++) {
            const ecgb_info *in = &st->info;
            size_t i, p;
            switch (ev[k].kind) {
            case ECGB_EV_INFO:
                emit(s, "info,%lu,%lu,%u,%u,%u,%llu,%.*s\n", (unsigned long)in->sample_rate_mhz,
                     (unsigned long)in->gain_pv, in->lead_mask, in->sample_format, in->samples_per_frame,
                     (unsigned long long)in->device_id, (int)in->firmware_len, in->firmware);
                break;
            case ECGB_EV_GAP:
                emit(s, "gap,%lu,%lu,%llu\n", (unsigned long)ev[k].gap_from_seq, (unsigned long)ev[k].gap_frames,
                     (unsigned long long)ev[k].gap_samples);
                break;
            case ECGB_EV_RESTART:
                emit(s, "restart,%lu\n", (unsigned long)ev[k + 1].data.seq);
                break;
            case ECGB_EV_DATA:
                emit(s, "frame,%lu,%lu,%u,%llu", (unsigned long)ev[k].data.seq, (unsigned long)ev[k].data.timestamp_us,
                     ev[k].data.lead_off, (unsigned long long)ev[k].stream_sample);
                for (i = 0; i < ev[k].data.samples_per_frame; i++)
                    for (p = 0; p < ev[k].data.leads; p++) emit(s, ",%ld", (long)ecgb_data_sample(&ev[k].data, i, p));
                emit(s, "\n");
                break;
            default:
                break;
            }
        }
    }
}

size_t ecgb_render(const uint8_t *data, size_t len, size_t chunk, const char *title, char *out, size_t cap)
{
    static uint8_t buf[ECGB_MAX_FRAME];
    ecgb_decoder d;
    ecgb_stream st;
    sink s;
    size_t pos = 0;
    s.p = out; s.len = 0; s.cap = cap; s.overflow = 0;
    ecgb_decoder_init(&d, buf, sizeof buf);
    ecgb_stream_init(&st);
    emit(&s, "# %s\n", title);
    while (pos < len) {
        size_t want = len - pos < chunk ? len - pos : chunk;
        pos += ecgb_decoder_write(&d, data + pos, want);
        drain(&d, &st, &s);
    }
    ecgb_decoder_finish(&d);
    drain(&d, &st, &s);
    emit(&s, "end,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n", (unsigned long long)st.counters.data_frames,
         (unsigned long long)st.counters.duplicates, (unsigned long long)st.counters.gaps,
         (unsigned long long)st.counters.gap_frames, (unsigned long long)st.counters.restarts,
         (unsigned long long)st.counters.unsupported, (unsigned long long)st.counters.no_info,
         (unsigned long long)d.counters.bytes_skipped);
    return s.overflow ? (size_t)-1 : s.len;
}
