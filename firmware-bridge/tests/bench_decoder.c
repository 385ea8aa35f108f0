/* Frames decoded per second on one core: a stream of 12-lead × 10-sample int16 frames,
 * decoded (framing + CRC + stream layer + every sample read) over and over.
 * Usage: bench_decoder [SECONDS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "ecgb.h"

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }

int main(int argc, char **argv)
{
    static uint8_t stream[1000 * 300], buf[ECGB_MAX_FRAME];
    ecgb_info in = {500000, 2500000, ECGB_LEAD_MASK_ALL, ECGB_FORMAT_INT16, 10, 1, 0, {0}};
    int32_t v[120];
    size_t len = 0, i;
    double seconds = argc > 1 ? atof(argv[1]) : 3.0, t0, t, c0, cpu;
    unsigned long long frames = 0, passes = 0;
    int64_t sum = 0;
    len += (size_t)ecgb_encode_info(&in, stream, sizeof stream);
    for (i = 0; i < 999; i++) {
        size_t k;
        for (k = 0; k < 120; k++) v[k] = (int32_t)((i * 131 + k * 17) % 4000) - 2000;
        len += (size_t)ecgb_encode_data(&in, (uint32_t)i, (uint32_t)(i * 20000), 0, v, stream + len, sizeof stream - len);
    }
    t0 = now();
    c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    do {
        ecgb_decoder d;
        ecgb_stream st;
        ecgb_frame fr;
        ecgb_event ev[2];
        size_t pos = 0;
        ecgb_decoder_init(&d, buf, sizeof buf);
        ecgb_stream_init(&st);
        while (pos < len) {
            pos += ecgb_decoder_write(&d, stream + pos, len - pos < 4096 ? len - pos : 4096);
            while (ecgb_decoder_next(&d, &fr)) {
                int n = ecgb_stream_accept(&st, &fr, ev), j;
                for (j = 0; j < n; j++)
                    if (ev[j].kind == ECGB_EV_DATA) {
                        size_t a, b;
                        for (a = 0; a < ev[j].data.samples_per_frame; a++)
                            for (b = 0; b < ev[j].data.leads; b++) sum += ecgb_data_sample(&ev[j].data, a, b);
                    }
            }
        }
        frames += st.counters.data_frames;
        passes++;
        t = now();
    } while (t - t0 < seconds);
    cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    /* per core = per CPU-second: on a shared machine the wall clock also counts time we were not running */
    printf("C decoder: %.0f frames per CPU-second (%.1f MB/s per core; wall-clock %.0f frames/s, %.0f%% of a core), "
           "12 leads x 10 samples int16, %lu-byte frames, %llu frames, checksum %lld\n",
           (double)frames / cpu, (double)len * (double)passes / cpu / 1e6, (double)frames / (t - t0), 100.0 * cpu / (t - t0),
           (unsigned long)(ECGB_OVERHEAD + 250), frames, (long long)sum);
    return 0;
}
