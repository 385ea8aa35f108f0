/* Framing state machine: find sync, validate the header (CRC + length cap) before trusting
 * the length, then validate the whole frame. On any failure skip ONE byte and rescan, so a
 * valid frame that starts inside a damaged or truncated one is never lost. */
#include <string.h>
#include "ecgb_internal.h"

int ecgb_decoder_init(ecgb_decoder *d, uint8_t *buf, size_t cap)
{
    if (!d || !buf || cap < ECGB_MAX_FRAME) return ECGB_E_ARG;
    memset(d, 0, sizeof *d);
    d->buf = buf;
    d->cap = cap;
    return ECGB_OK;
}

static void compact(ecgb_decoder *d)
{
    if (d->start == 0) return;
    if (d->end > d->start) memmove(d->buf, d->buf + d->start, d->end - d->start);
    d->end -= d->start;
    d->start = 0;
}

size_t ecgb_decoder_write(ecgb_decoder *d, const uint8_t *data, size_t len)
{
    size_t room;
    if (!d || !data) return 0;
    compact(d);
    room = d->cap - d->end;
    if (len > room) len = room;
    memcpy(d->buf + d->end, data, len);
    d->end += len;
    d->finishing = 0;
    return len;
}

void ecgb_decoder_finish(ecgb_decoder *d)
{
    if (d) d->finishing = 1;
}

static void skip(ecgb_decoder *d, size_t n)
{
    d->start += n;
    d->counters.bytes_skipped += n;
}

int ecgb_decoder_next(ecgb_decoder *d, ecgb_frame *frame)
{
    if (!d || !frame) return 0;
    for (;;) {
        size_t avail = d->end - d->start, len, total;
        const uint8_t *p = d->buf + d->start;
        if (avail == 0) { d->start = d->end = 0; return 0; }
        if (p[0] != ECGB_SYNC0) {
            const uint8_t *q = (const uint8_t *)memchr(p, ECGB_SYNC0, avail);
            skip(d, q ? (size_t)(q - p) : avail);
            continue;
        }
        if (avail < 2) goto incomplete;
        if (p[1] != ECGB_SYNC1) { skip(d, 1); continue; }
        if (avail < ECGB_HEADER_SIZE) goto incomplete;
        len = ecgb_rd16(p + 4);
        if (len > ECGB_MAX_PAYLOAD || ecgb_crc16(ECGB_CRC16_INIT, p, 6) != ecgb_rd16(p + 6)) {
            d->counters.header_errors++;
            skip(d, 1);
            continue;
        }
        total = ECGB_HEADER_SIZE + len + ECGB_TRAILER_SIZE;
        if (avail < total) goto incomplete;
        if (ecgb_crc16(ECGB_CRC16_INIT, p, ECGB_HEADER_SIZE + len) != ecgb_rd16(p + ECGB_HEADER_SIZE + len)) {
            d->counters.crc_errors++;
            skip(d, 1);
            continue;
        }
        frame->version = p[2];
        frame->type = p[3];
        frame->length = (uint16_t)len;
        frame->payload = p + ECGB_HEADER_SIZE;
        d->start += total;
        d->counters.frames++;
        return 1;
    incomplete:
        if (d->finishing) { skip(d, 1); continue; }
        compact(d);
        return 0;
    }
}
