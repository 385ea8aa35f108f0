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

/* Whether a complete frame with a valid header and frame CRC starts after the first byte of p[0..avail). */
static int valid_frame_inside(const uint8_t *p, size_t avail)
{
    size_t at;
    for (at = 1; at + ECGB_HEADER_SIZE + ECGB_TRAILER_SIZE <= avail; at++) {
        const uint8_t *f = p + at;
        size_t len, body;
        if (f[0] != ECGB_SYNC0 || f[1] != ECGB_SYNC1) continue;
        len = ecgb_rd16(f + 4);
        body = ECGB_HEADER_SIZE + len;
        if (len > ECGB_MAX_PAYLOAD || at + body + ECGB_TRAILER_SIZE > avail) continue;
        if (ecgb_crc16(ECGB_CRC16_INIT, f, 6) != ecgb_rd16(f + 6)) continue;
        if (ecgb_crc16(ECGB_CRC16_INIT, f, body) == ecgb_rd16(f + body)) return 1;
    }
    return 0;
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
        if (avail < total) {
            /* A header can pass its CRC and still lie about the length: when a complete valid frame already starts
             * inside the bytes it announces, it is no frame's. Skip it now rather than hold a slow stream back until
             * those bytes arrive (the frame CRC would fail then), so chunked and whole decoding agree. */
            if (valid_frame_inside(p, avail)) {
                d->counters.crc_errors++;
                skip(d, 1);
                continue;
            }
            goto incomplete;
        }
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
