/* Stream layer: remembers the device description, turns sequence numbers into gap,
 * duplicate and restart decisions. Sequence arithmetic is modulo 2^32. */
#include <string.h>
#include "ecgb_internal.h"

void ecgb_stream_init(ecgb_stream *s)
{
    if (s) memset(s, 0, sizeof *s);
}

static int same_info(const ecgb_info *a, const ecgb_info *b)
{
    return a->sample_rate_mhz == b->sample_rate_mhz && a->gain_pv == b->gain_pv && a->lead_mask == b->lead_mask &&
           a->sample_format == b->sample_format && a->samples_per_frame == b->samples_per_frame &&
           a->device_id == b->device_id && a->firmware_len == b->firmware_len &&
           memcmp(a->firmware, b->firmware, a->firmware_len) == 0;
}

int ecgb_stream_accept(ecgb_stream *s, const ecgb_frame *frame, ecgb_event ev[2])
{
    int n = 0;
    if (!s || !frame || !ev) return 0;
    if (frame->version != ECGB_VERSION || (frame->type != ECGB_TYPE_INFO && frame->type != ECGB_TYPE_DATA)) {
        s->counters.unsupported++;
        return 0;
    }
    if (frame->type == ECGB_TYPE_INFO) {
        ecgb_info info;
        if (ecgb_parse_info(frame->payload, frame->length, &info) != ECGB_OK) { s->counters.malformed++; return 0; }
        s->counters.info_frames++;
        if (s->have_info && same_info(&s->info, &info)) return 0; /* periodic repeat */
        s->info = info;
        s->have_info = 1;
        s->have_seq = 0;
        s->stream_sample = 0;
        memset(&ev[0], 0, sizeof ev[0]);
        ev[0].kind = ECGB_EV_INFO;
        return 1;
    } else {
        ecgb_data data;
        if (!s->have_info) { s->counters.no_info++; return 0; }
        if (ecgb_parse_data(&s->info, frame->payload, frame->length, &data) != ECGB_OK) {
            s->counters.malformed++;
            return 0;
        }
        if (s->have_seq) {
            uint32_t ahead = data.seq - s->expected_seq;
            if (ahead >= 0x80000000u) { /* behind */
                uint32_t behind = s->expected_seq - data.seq;
                if (behind <= (uint32_t)ECGB_DUPLICATE_WINDOW) { s->counters.duplicates++; return 0; }
                s->counters.restarts++;
                memset(&ev[n], 0, sizeof ev[n]);
                ev[n++].kind = ECGB_EV_RESTART;
            } else if (ahead > 0) {
                s->counters.gaps++;
                s->counters.gap_frames += ahead;
                memset(&ev[n], 0, sizeof ev[n]);
                ev[n].kind = ECGB_EV_GAP;
                ev[n].gap_from_seq = s->expected_seq;
                ev[n].gap_frames = ahead;
                ev[n].gap_samples = (uint64_t)ahead * s->info.samples_per_frame;
                s->stream_sample += ev[n].gap_samples;
                n++;
            }
        }
        s->have_seq = 1;
        s->expected_seq = data.seq + 1u;
        memset(&ev[n], 0, sizeof ev[n]);
        ev[n].kind = ECGB_EV_DATA;
        ev[n].data = data;
        ev[n].stream_sample = s->stream_sample;
        s->stream_sample += s->info.samples_per_frame;
        s->counters.data_frames++;
        return n + 1;
    }
}
