/* INFO/DATA payload layout, validation and the encoder. */
#include <string.h>
#include "ecgb_internal.h"

int ecgb_lead_count(uint16_t lead_mask)
{
    int n = 0;
    lead_mask &= ECGB_LEAD_MASK_ALL;
    while (lead_mask) { lead_mask &= (uint16_t)(lead_mask - 1u); n++; }
    return n;
}

int ecgb_bytes_per_sample(uint8_t sample_format)
{
    return sample_format == ECGB_FORMAT_INT16 ? 2 : sample_format == ECGB_FORMAT_INT24 ? 3 : 0;
}

int ecgb_info_validate(const ecgb_info *info)
{
    size_t i;
    if (!info) return ECGB_E_ARG;
    if (info->sample_rate_mhz == 0 || info->gain_pv == 0) return ECGB_E_FIELD;
    if (info->lead_mask == 0 || (info->lead_mask & ~ECGB_LEAD_MASK_ALL) != 0) return ECGB_E_FIELD;
    if (ecgb_bytes_per_sample(info->sample_format) == 0 || info->samples_per_frame == 0) return ECGB_E_FIELD;
    if (info->firmware_len > ECGB_FIRMWARE_MAX) return ECGB_E_FIELD;
    for (i = 0; i < info->firmware_len; i++) /* printable ASCII keeps logs and JSON safe */
        if ((unsigned char)info->firmware[i] < 0x20u || (unsigned char)info->firmware[i] > 0x7Eu) return ECGB_E_FIELD;
    if (ECGB_DATA_HEADER_SIZE + (size_t)info->samples_per_frame * (size_t)ecgb_lead_count(info->lead_mask) *
            (size_t)ecgb_bytes_per_sample(info->sample_format) > ECGB_MAX_PAYLOAD)
        return ECGB_E_FIELD;
    return ECGB_OK;
}

size_t ecgb_data_payload_size(const ecgb_info *info)
{
    if (ecgb_info_validate(info) != ECGB_OK) return 0;
    return ECGB_DATA_HEADER_SIZE + (size_t)info->samples_per_frame * (size_t)ecgb_lead_count(info->lead_mask) *
                                       (size_t)ecgb_bytes_per_sample(info->sample_format);
}

int ecgb_encode_frame(uint8_t type, uint8_t version, const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
    uint16_t crc;
    if (!out || (len > 0 && !payload) || len > ECGB_MAX_PAYLOAD) return ECGB_E_ARG;
    if (cap < len + ECGB_OVERHEAD) return ECGB_E_SPACE;
    out[0] = ECGB_SYNC0;
    out[1] = ECGB_SYNC1;
    out[2] = version;
    out[3] = type;
    ecgb_wr16(out + 4, (uint16_t)len);
    ecgb_wr16(out + 6, ecgb_crc16(ECGB_CRC16_INIT, out, 6));
    if (len > 0 && payload != out + ECGB_HEADER_SIZE) memmove(out + ECGB_HEADER_SIZE, payload, len);
    crc = ecgb_crc16(ECGB_CRC16_INIT, out, ECGB_HEADER_SIZE + len);
    ecgb_wr16(out + ECGB_HEADER_SIZE + len, crc);
    return (int)(len + ECGB_OVERHEAD);
}

int ecgb_encode_info(const ecgb_info *info, uint8_t *out, size_t cap)
{
    uint8_t *p;
    size_t len;
    int rc = ecgb_info_validate(info);
    if (rc != ECGB_OK) return rc;
    if (!out) return ECGB_E_ARG;
    len = ECGB_INFO_FIXED_SIZE + info->firmware_len;
    if (cap < len + ECGB_OVERHEAD) return ECGB_E_SPACE;
    p = out + ECGB_HEADER_SIZE; /* build the payload in place; ecgb_encode_frame skips the copy */
    ecgb_wr32(p + 0, info->sample_rate_mhz);
    ecgb_wr32(p + 4, info->gain_pv);
    ecgb_wr16(p + 8, info->lead_mask);
    p[10] = info->sample_format;
    p[11] = info->samples_per_frame;
    ecgb_wr64(p + 12, info->device_id);
    p[20] = info->firmware_len;
    if (info->firmware_len) memcpy(p + 21, info->firmware, info->firmware_len);
    return ecgb_encode_frame(ECGB_TYPE_INFO, ECGB_VERSION, p, len, out, cap);
}

int ecgb_encode_data(const ecgb_info *info, uint32_t seq, uint32_t timestamp_us, uint16_t lead_off,
                     const int32_t *samples, uint8_t *out, size_t cap)
{
    size_t len = ecgb_data_payload_size(info), n, i;
    uint8_t *p, *s;
    if (len == 0) return ECGB_E_FIELD;
    if (!samples || !out) return ECGB_E_ARG;
    if ((lead_off & ~ECGB_LEAD_MASK_ALL) != 0) return ECGB_E_FIELD;
    if (cap < len + ECGB_OVERHEAD) return ECGB_E_SPACE;
    p = out + ECGB_HEADER_SIZE;
    ecgb_wr32(p + 0, seq);
    ecgb_wr32(p + 4, timestamp_us);
    ecgb_wr16(p + 8, lead_off);
    s = p + ECGB_DATA_HEADER_SIZE;
    n = (size_t)info->samples_per_frame * (size_t)ecgb_lead_count(info->lead_mask);
    if (info->sample_format == ECGB_FORMAT_INT16) {
        for (i = 0; i < n; i++) {
            if (samples[i] < -32768 || samples[i] > 32767) return ECGB_E_FIELD;
            ecgb_wr16(s, (uint16_t)samples[i]);
            s += 2;
        }
    } else {
        for (i = 0; i < n; i++) {
            uint32_t u;
            if (samples[i] < -8388608 || samples[i] > 8388607) return ECGB_E_FIELD;
            u = (uint32_t)samples[i];
            s[0] = (uint8_t)u; s[1] = (uint8_t)(u >> 8); s[2] = (uint8_t)(u >> 16);
            s += 3;
        }
    }
    return ecgb_encode_frame(ECGB_TYPE_DATA, ECGB_VERSION, p, len, out, cap);
}

int ecgb_parse_info(const uint8_t *payload, size_t len, ecgb_info *info)
{
    if (!payload || !info) return ECGB_E_ARG;
    if (len < ECGB_INFO_FIXED_SIZE) return ECGB_E_LENGTH;
    memset(info, 0, sizeof *info);
    info->sample_rate_mhz = ecgb_rd32(payload + 0);
    info->gain_pv = ecgb_rd32(payload + 4);
    info->lead_mask = ecgb_rd16(payload + 8);
    info->sample_format = payload[10];
    info->samples_per_frame = payload[11];
    info->device_id = ecgb_rd64(payload + 12);
    info->firmware_len = payload[20];
    if (info->firmware_len > ECGB_FIRMWARE_MAX) return ECGB_E_FIELD;
    if (len != ECGB_INFO_FIXED_SIZE + (size_t)info->firmware_len) return ECGB_E_LENGTH;
    memcpy(info->firmware, payload + 21, info->firmware_len);
    return ecgb_info_validate(info);
}

int ecgb_parse_data(const ecgb_info *info, const uint8_t *payload, size_t len, ecgb_data *data)
{
    size_t want = ecgb_data_payload_size(info);
    if (!payload || !data || want == 0) return ECGB_E_ARG;
    if (len != want) return ECGB_E_LENGTH;
    data->seq = ecgb_rd32(payload + 0);
    data->timestamp_us = ecgb_rd32(payload + 4);
    data->lead_off = ecgb_rd16(payload + 8);
    if ((data->lead_off & ~ECGB_LEAD_MASK_ALL) != 0) return ECGB_E_FIELD;
    data->sample_format = info->sample_format;
    data->leads = (uint8_t)ecgb_lead_count(info->lead_mask);
    data->samples_per_frame = info->samples_per_frame;
    data->samples = payload + ECGB_DATA_HEADER_SIZE;
    return ECGB_OK;
}

int32_t ecgb_data_sample(const ecgb_data *data, size_t i, size_t p)
{
    size_t k = i * data->leads + p;
    if (data->sample_format == ECGB_FORMAT_INT16) {
        const uint8_t *s = data->samples + 2 * k;
        return (int32_t)ecgb_rd16(s) - (int32_t)((s[1] & 0x80u) ? 65536 : 0);
    } else {
        const uint8_t *s = data->samples + 3 * k;
        uint32_t u = (uint32_t)s[0] | ((uint32_t)s[1] << 8) | ((uint32_t)s[2] << 16);
        return (int32_t)(u ^ 0x800000u) - 0x800000; /* sign-extend 24 bits without UB */
    }
}
