/* Example: pack ADS1298-style conversions into ecgb DATA frames.
 *
 * One ADS1298 read (RDATA/RDATAC) is 27 bytes: a 24-bit status word then 8 channels of
 * 24-bit two's complement, all MSB first. Status bits 23..20 are 1100b, bits 19..12 are
 * LOFF_STATP (IN8P..IN1P), bits 11..4 LOFF_STATN (IN8N..IN1N), bits 3..0 GPIO.
 * Channels map to leads CH1 -> I, CH2 -> II, CH3..CH8 -> V1..V6 (a common 12-lead wiring);
 * nothing is derived (III, aVR, aVL, aVF are the host's business). A channel is lead-off
 * when either of its electrodes is flagged.
 *
 * The packer itself (ads_packer_*) uses only <stdint.h>/<string.h> and the ecgb library.
 * main(): `--self-test` checks the packer; otherwise reads 27-byte records from stdin and
 * writes an INFO frame then DATA frames to stdout (timestamps from the sample count). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ecgb.h"

#define ADS_RECORD 27
#define ADS_CHANNELS 8
#define ADS_LEAD_MASK 0x0FC3u /* I, II, V1..V6 */
#define ADS_SPF 10

typedef struct {
    ecgb_info info;
    uint32_t seq;
    uint32_t first_ts;
    uint16_t lead_off;                     /* OR of the frame's samples */
    uint8_t n;                             /* samples collected */
    int32_t samples[ADS_SPF * ADS_CHANNELS]; /* sample-major, lead order = channel order */
} ads_packer;

static void ads_packer_init(ads_packer *p, uint64_t device_id)
{
    memset(p, 0, sizeof *p);
    p->info.sample_rate_mhz = 500000;
    p->info.gain_pv = 47684; /* VREF 2.4 V, PGA gain 6: 2 * 2.4 / 6 / 2^24 V = 47.684 nV */
    p->info.lead_mask = ADS_LEAD_MASK;
    p->info.sample_format = ECGB_FORMAT_INT24;
    p->info.samples_per_frame = ADS_SPF;
    p->info.device_id = device_id;
    p->info.firmware_len = 14;
    memcpy(p->info.firmware, "ads1298-pack 1", 14);
}

/* bit k of the result = lead-off of channel k, placed on the channel's lead */
static uint16_t ads_lead_off(uint32_t status)
{
    static const uint8_t lead_of_channel[ADS_CHANNELS] = {0, 1, 6, 7, 8, 9, 10, 11};
    uint32_t statp = (status >> 12) & 0xFFu, statn = (status >> 4) & 0xFFu, both = statp | statn;
    uint16_t off = 0;
    int k;
    for (k = 0; k < ADS_CHANNELS; k++)
        if (both & (1u << k)) off = (uint16_t)(off | (1u << lead_of_channel[k]));
    return off;
}

/* Adds one 27-byte record. When a frame is complete, writes it to out and returns its size;
 * 0 while collecting; negative on error (bad status header or small buffer). */
static int ads_packer_push(ads_packer *p, const uint8_t rec[ADS_RECORD], uint32_t timestamp_us, uint8_t *out, size_t cap)
{
    uint32_t status = ((uint32_t)rec[0] << 16) | ((uint32_t)rec[1] << 8) | rec[2];
    int k, rc;
    if ((status >> 20) != 0xCu) return ECGB_E_FIELD; /* not a status word: the SPI read is misaligned */
    if (p->n == 0) { p->first_ts = timestamp_us; p->lead_off = 0; }
    p->lead_off = (uint16_t)(p->lead_off | ads_lead_off(status));
    for (k = 0; k < ADS_CHANNELS; k++) {
        const uint8_t *c = rec + 3 + 3 * k;
        uint32_t u = ((uint32_t)c[0] << 16) | ((uint32_t)c[1] << 8) | c[2];
        p->samples[p->n * ADS_CHANNELS + k] = (int32_t)(u ^ 0x800000u) - 0x800000;
    }
    if (++p->n < ADS_SPF) return 0;
    p->n = 0;
    rc = ecgb_encode_data(&p->info, p->seq, p->first_ts, p->lead_off, p->samples, out, cap);
    if (rc > 0) p->seq++;
    return rc;
}

static void make_record(uint8_t rec[ADS_RECORD], uint32_t i, uint8_t statp, uint8_t statn)
{
    uint32_t status = 0xC00000u | ((uint32_t)statp << 12) | ((uint32_t)statn << 4);
    int k;
    rec[0] = (uint8_t)(status >> 16); rec[1] = (uint8_t)(status >> 8); rec[2] = (uint8_t)status;
    for (k = 0; k < ADS_CHANNELS; k++) {
        int32_t v = (int32_t)(i * 1000u) * (k + 1) - 4000000 * (k % 2);
        uint32_t u;
        if (i == 3 && k == 0) v = 8388607;
        if (i == 3 && k == 1) v = -8388608;
        u = (uint32_t)v & 0xFFFFFFu;
        rec[3 + 3 * k] = (uint8_t)(u >> 16); rec[4 + 3 * k] = (uint8_t)(u >> 8); rec[5 + 3 * k] = (uint8_t)u;
    }
}

static int self_test(void)
{
    static uint8_t out[ECGB_MAX_FRAME], dbuf[ECGB_MAX_FRAME];
    ads_packer p;
    ecgb_decoder d;
    ecgb_frame fr;
    ecgb_data data;
    uint8_t rec[ADS_RECORD];
    uint32_t i;
    int n = 0, failures = 0;
    size_t k;
    ads_packer_init(&p, 1298);
    for (i = 0; i < ADS_SPF && n == 0; i++) {
        make_record(rec, i, i == 5 ? 0x04 : 0, i == 6 ? 0x80 : 0); /* CH3 P-side, CH8 N-side off */
        n = ads_packer_push(&p, rec, 2000u * i, out, sizeof out);
    }
    if (n <= 0 || i != ADS_SPF) { fprintf(stderr, "packer produced no frame after %u records (%d)\n", i, n); return 1; }
    ecgb_decoder_init(&d, dbuf, sizeof dbuf);
    ecgb_decoder_write(&d, out, (size_t)n);
    if (!ecgb_decoder_next(&d, &fr) || ecgb_parse_data(&p.info, fr.payload, fr.length, &data) != ECGB_OK) {
        fprintf(stderr, "frame does not decode\n");
        return 1;
    }
    if (data.lead_off != ((1u << 6) | (1u << 11))) { fprintf(stderr, "lead-off %#x, want V1|V6\n", data.lead_off); failures++; }
    if (data.seq != 0 || data.timestamp_us != 0) { fprintf(stderr, "seq/timestamp wrong\n"); failures++; }
    for (i = 0; i < ADS_SPF; i++) {
        make_record(rec, i, 0, 0);
        for (k = 0; k < ADS_CHANNELS; k++) {
            const uint8_t *c = rec + 3 + 3 * k;
            uint32_t u = ((uint32_t)c[0] << 16) | ((uint32_t)c[1] << 8) | c[2];
            int32_t want = (int32_t)(u ^ 0x800000u) - 0x800000;
            if (ecgb_data_sample(&data, i, k) != want) {
                fprintf(stderr, "sample %u channel %lu: %ld, want %ld\n", i, (unsigned long)k,
                        (long)ecgb_data_sample(&data, i, k), (long)want);
                failures++;
            }
        }
    }
    rec[0] = 0x00; /* a misaligned read must be refused */
    if (ads_packer_push(&p, rec, 0, out, sizeof out) != ECGB_E_FIELD) { fprintf(stderr, "bad status accepted\n"); failures++; }
    if (!failures) printf("ok\n");
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    static uint8_t out[ECGB_MAX_FRAME];
    ads_packer p;
    uint8_t rec[ADS_RECORD];
    uint32_t sample = 0;
    int n;
    if (argc > 1 && strcmp(argv[1], "--self-test") == 0) return self_test();
    if (argc > 1) { fprintf(stderr, "usage: ads1298_pack [--self-test] < records > frames\n"); return 2; }
    ads_packer_init(&p, 1298);
    n = ecgb_encode_info(&p.info, out, sizeof out);
    fwrite(out, 1, (size_t)n, stdout);
    while (fread(rec, 1, ADS_RECORD, stdin) == ADS_RECORD) {
        n = ads_packer_push(&p, rec, sample * 2000u, out, sizeof out);
        if (n < 0) { fprintf(stderr, "record %lu: status word %02x%02x%02x lacks the 1100b header\n", (unsigned long)sample, rec[0], rec[1], rec[2]); return 1; }
        if (n > 0) fwrite(out, 1, (size_t)n, stdout);
        sample++;
    }
    return 0;
}
