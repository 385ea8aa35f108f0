/* Unit tests of the CRC, encoder, decoder state machine and stream layer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ecgb.h"

static int failures;
#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) { fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); failures++; } \
    } while (0)

static ecgb_info info12(void)
{
    ecgb_info i;
    memset(&i, 0, sizeof i);
    i.sample_rate_mhz = 500000;
    i.gain_pv = 2500000;
    i.lead_mask = ECGB_LEAD_MASK_ALL;
    i.sample_format = ECGB_FORMAT_INT16;
    i.samples_per_frame = 10;
    i.device_id = 77;
    i.firmware_len = 3;
    memcpy(i.firmware, "abc", 3);
    return i;
}

static void test_crc(void)
{
    const uint8_t check[] = "123456789";
    CHECK(ecgb_crc16(ECGB_CRC16_INIT, check, 9) == 0x29B1);
    CHECK(ecgb_crc16(ECGB_CRC16_INIT, check, 0) == 0xFFFF);
    /* incremental == one shot */
    CHECK(ecgb_crc16(ecgb_crc16(ECGB_CRC16_INIT, check, 4), check + 4, 5) == 0x29B1);
}

static void test_info_validation(void)
{
    ecgb_info i = info12();
    uint8_t f[ECGB_MAX_FRAME];
    CHECK(ecgb_info_validate(&i) == ECGB_OK);
    CHECK(ecgb_data_payload_size(&i) == 10 + 10 * 12 * 2);
    i.lead_mask = 0x1001; CHECK(ecgb_info_validate(&i) == ECGB_E_FIELD); i = info12();
    i.lead_mask = 0; CHECK(ecgb_info_validate(&i) == ECGB_E_FIELD); i = info12();
    i.sample_format = 3; CHECK(ecgb_info_validate(&i) == ECGB_E_FIELD); i = info12();
    i.samples_per_frame = 0; CHECK(ecgb_info_validate(&i) == ECGB_E_FIELD); i = info12();
    i.sample_rate_mhz = 0; CHECK(ecgb_info_validate(&i) == ECGB_E_FIELD); i = info12();
    i.firmware[1] = '\n'; CHECK(ecgb_info_validate(&i) == ECGB_E_FIELD); i = info12();
    /* 12 leads × 255 samples × 3 bytes exceeds the payload cap */
    i.sample_format = ECGB_FORMAT_INT24; i.samples_per_frame = 255; CHECK(ecgb_info_validate(&i) == ECGB_E_FIELD);
    i = info12();
    CHECK(ecgb_encode_info(&i, f, 10) == ECGB_E_SPACE);
    CHECK(ecgb_encode_info(&i, f, sizeof f) == (int)(ECGB_OVERHEAD + ECGB_INFO_FIXED_SIZE + 3));
}

static void test_roundtrip(void)
{
    static uint8_t buf[ECGB_MAX_FRAME], stream[4096];
    ecgb_info in = info12(), out;
    ecgb_decoder d;
    ecgb_frame fr;
    ecgb_data data;
    int32_t v[120];
    size_t len = 0, i;
    int n;
    for (i = 0; i < 120; i++) v[i] = (int32_t)(i * 545) - 32768;
    v[119] = 32767;
    n = ecgb_encode_info(&in, stream, sizeof stream); CHECK(n > 0); len += (size_t)n;
    n = ecgb_encode_data(&in, 0xFFFFFFFFu, 123456u, 0x0802, v, stream + len, sizeof stream - len);
    CHECK(n == (int)(ECGB_OVERHEAD + 250)); len += (size_t)n;
    v[0] = 40000;
    CHECK(ecgb_encode_data(&in, 1, 1, 0, v, stream + len, sizeof stream - len) == ECGB_E_FIELD);
    v[0] = -32768;
    CHECK(ecgb_encode_data(&in, 1, 1, 0x1000, v, stream + len, sizeof stream - len) == ECGB_E_FIELD);

    ecgb_decoder_init(&d, buf, sizeof buf);
    CHECK(ecgb_decoder_write(&d, stream, len) == len);
    CHECK(ecgb_decoder_next(&d, &fr) == 1);
    CHECK(fr.type == ECGB_TYPE_INFO && fr.version == ECGB_VERSION);
    CHECK(ecgb_parse_info(fr.payload, fr.length, &out) == ECGB_OK);
    CHECK(out.sample_rate_mhz == 500000 && out.gain_pv == 2500000 && out.lead_mask == 0x0FFF && out.device_id == 77);
    CHECK(out.firmware_len == 3 && memcmp(out.firmware, "abc", 3) == 0);
    CHECK(ecgb_decoder_next(&d, &fr) == 1);
    CHECK(ecgb_parse_data(&out, fr.payload, fr.length, &data) == ECGB_OK);
    CHECK(data.seq == 0xFFFFFFFFu && data.timestamp_us == 123456u && data.lead_off == 0x0802);
    for (i = 0; i < 120; i++) CHECK(ecgb_data_sample(&data, i / 12, i % 12) == v[i]);
    CHECK(ecgb_decoder_next(&d, &fr) == 0);
    CHECK(d.counters.frames == 2 && d.counters.bytes_skipped == 0);
    /* wrong payload length for this INFO */
    CHECK(ecgb_parse_data(&out, fr.payload, 249, &data) == ECGB_E_LENGTH);
}

static void test_int24(void)
{
    static uint8_t f[ECGB_MAX_FRAME];
    ecgb_info in = info12();
    ecgb_data data;
    int32_t v[16] = {8388607, -8388608, -1, 0, 1, 65536, -65536, 4660, 8388607, -8388608, 2, 3, -4, 5, -6, 7};
    int n;
    size_t i;
    in.lead_mask = 0x0FC3; /* I, II, V1..V6 */
    in.sample_format = ECGB_FORMAT_INT24;
    in.samples_per_frame = 2;
    n = ecgb_encode_data(&in, 5, 6, 0, v, f, sizeof f);
    CHECK(n == (int)(ECGB_OVERHEAD + 10 + 48));
    CHECK(ecgb_parse_data(&in, f + ECGB_HEADER_SIZE, 58, &data) == ECGB_OK);
    for (i = 0; i < 16; i++) CHECK(ecgb_data_sample(&data, i / 8, i % 8) == v[i]);
    v[3] = 8388608;
    CHECK(ecgb_encode_data(&in, 5, 6, 0, v, f, sizeof f) == ECGB_E_FIELD);
}

/* A header announcing more than the cap is rejected at once: the decoder does not wait. */
static void test_length_cap(void)
{
    static uint8_t buf[ECGB_MAX_FRAME];
    uint8_t h[8] = {ECGB_SYNC0, ECGB_SYNC1, 1, 2, 0xFF, 0xFF, 0, 0};
    uint16_t crc = ecgb_crc16(ECGB_CRC16_INIT, h, 6);
    ecgb_decoder d;
    ecgb_frame fr;
    h[6] = (uint8_t)crc; h[7] = (uint8_t)(crc >> 8);
    ecgb_decoder_init(&d, buf, sizeof buf);
    ecgb_decoder_write(&d, h, 8);
    CHECK(ecgb_decoder_next(&d, &fr) == 0);
    CHECK(d.counters.header_errors == 1);
    CHECK(d.counters.bytes_skipped == 8); /* all of it: nothing left that could start a frame */
}

/* A header that passes its CRC but announces more bytes than its frame has: the valid frames behind it come out as
 * they arrive, before the announced bytes do (a slow stream would otherwise wait seconds for them). */
static void test_lying_length_not_waited_for(void)
{
    static uint8_t buf[ECGB_MAX_FRAME], s[1024];
    ecgb_info in = info12();
    ecgb_decoder d;
    ecgb_frame fr;
    int32_t v[120] = {0};
    uint8_t h[8] = {ECGB_SYNC0, ECGB_SYNC1, 1, 2, 0xF0, 0x0F, 0, 0}; /* DATA of 4080 bytes */
    uint16_t crc = ecgb_crc16(ECGB_CRC16_INIT, h, 6);
    size_t len = 0;
    int n, got = 0;
    h[6] = (uint8_t)crc; h[7] = (uint8_t)(crc >> 8);
    memcpy(s, h, 8); len = 8;
    n = ecgb_encode_data(&in, 1, 0, 0, v, s + len, sizeof s - len); CHECK(n > 0); len += (size_t)n;
    n = ecgb_encode_data(&in, 2, 0, 0, v, s + len, sizeof s - len); CHECK(n > 0); len += (size_t)n;
    ecgb_decoder_init(&d, buf, sizeof buf);
    ecgb_decoder_write(&d, s, len); /* no finish: more input may come */
    while (ecgb_decoder_next(&d, &fr) == 1) got++;
    CHECK(got == 2);
    CHECK(d.counters.crc_errors == 1 && d.counters.bytes_skipped == 8);
}

/* A truncated frame swallows the start of the next one; rescanning finds it anyway. */
static void test_resync_after_truncation(void)
{
    static uint8_t buf[ECGB_MAX_FRAME], s[2048];
    ecgb_info in = info12();
    ecgb_decoder d;
    ecgb_frame fr;
    ecgb_data data;
    int32_t v[120] = {0};
    size_t len = 0;
    int n, got = 0;
    n = ecgb_encode_data(&in, 1, 0, 0, v, s, sizeof s);
    len = (size_t)n - 50; /* cut frame 1 */
    n = ecgb_encode_data(&in, 2, 0, 0, v, s + len, sizeof s - len); len += (size_t)n;
    n = ecgb_encode_data(&in, 3, 0, 0, v, s + len, sizeof s - len); len += (size_t)n;
    ecgb_decoder_init(&d, buf, sizeof buf);
    ecgb_decoder_write(&d, s, len);
    ecgb_decoder_finish(&d);
    while (ecgb_decoder_next(&d, &fr)) {
        CHECK(ecgb_parse_data(&in, fr.payload, fr.length, &data) == ECGB_OK);
        CHECK(data.seq == (uint32_t)(2 + got));
        got++;
    }
    CHECK(got == 2);
    CHECK(d.counters.crc_errors == 1);
    CHECK(d.counters.bytes_skipped == 260 - 50);
}

static void test_stream_sequence(void)
{
    static uint8_t buf[ECGB_MAX_FRAME], f[ECGB_MAX_FRAME];
    ecgb_info in = info12();
    ecgb_stream st;
    ecgb_frame fr;
    ecgb_event ev[2];
    ecgb_decoder d;
    int32_t v[120] = {0};
    static const uint32_t seqs[] = {10, 11, 11, 14, 12, 100, 0xFFFFFF00u};
    static const int counts[] = {1, 1, 0, 2, 0, 2, 2};
    size_t k;
    ecgb_stream_init(&st);
    ecgb_decoder_init(&d, buf, sizeof buf);
    ecgb_decoder_write(&d, f, (size_t)ecgb_encode_data(&in, 1, 0, 0, v, f, sizeof f));
    CHECK(ecgb_decoder_next(&d, &fr) == 1);
    CHECK(ecgb_stream_accept(&st, &fr, ev) == 0 && st.counters.no_info == 1);
    ecgb_decoder_write(&d, f, (size_t)ecgb_encode_info(&in, f, sizeof f));
    CHECK(ecgb_decoder_next(&d, &fr) == 1);
    CHECK(ecgb_stream_accept(&st, &fr, ev) == 1 && ev[0].kind == ECGB_EV_INFO);
    for (k = 0; k < sizeof seqs / sizeof seqs[0]; k++) {
        int n;
        ecgb_decoder_write(&d, f, (size_t)ecgb_encode_data(&in, seqs[k], 0, 0, v, f, sizeof f));
        CHECK(ecgb_decoder_next(&d, &fr) == 1);
        n = ecgb_stream_accept(&st, &fr, ev);
        CHECK(n == counts[k]);
        if (k == 3) CHECK(ev[0].kind == ECGB_EV_GAP && ev[0].gap_from_seq == 12 && ev[0].gap_frames == 2 && ev[0].gap_samples == 20);
        if (k == 3) CHECK(ev[1].kind == ECGB_EV_DATA && ev[1].stream_sample == 40);
        if (k == 5) CHECK(ev[0].kind == ECGB_EV_GAP && ev[0].gap_frames == 85);
        if (k == 6) CHECK(ev[0].kind == ECGB_EV_RESTART && ev[1].kind == ECGB_EV_DATA);
    }
    CHECK(st.counters.duplicates == 2 && st.counters.gaps == 2 && st.counters.gap_frames == 87 && st.counters.restarts == 1);
}

int main(void)
{
    test_crc();
    test_info_validation();
    test_roundtrip();
    test_int24();
    test_length_cap();
    test_lying_length_not_waited_for();
    test_resync_after_truncation();
    test_stream_sequence();
    if (failures) { fprintf(stderr, "%d check(s) failed\n", failures); return 1; }
    printf("ok\n");
    return 0;
}
