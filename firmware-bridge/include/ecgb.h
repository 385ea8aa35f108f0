/*
 * ecgb — EcgStream firmware bridge, wire protocol v1 (see PROTOCOL.md).
 *
 * Device path: this header, <stdint.h> and <string.h> only. No allocation: every buffer is
 * provided by the caller. All multi-byte fields on the wire are little-endian.
 */
#ifndef ECGB_H
#define ECGB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- framing constants ------------------------------------------------------------------ */
#define ECGB_SYNC0 0xA5u
#define ECGB_SYNC1 0x5Au
#define ECGB_VERSION 1u
#define ECGB_HEADER_SIZE 8u      /* sync(2) version(1) type(1) length(2) header-crc(2) */
#define ECGB_TRAILER_SIZE 2u     /* frame CRC over header + payload */
#define ECGB_OVERHEAD (ECGB_HEADER_SIZE + ECGB_TRAILER_SIZE)
#define ECGB_MAX_PAYLOAD 4080u   /* a header announcing more is rejected before any wait; keeps CRC-16 at HD 4 */
#define ECGB_MAX_FRAME (ECGB_OVERHEAD + ECGB_MAX_PAYLOAD)

#define ECGB_TYPE_INFO 0x01u
#define ECGB_TYPE_DATA 0x02u

#define ECGB_FORMAT_INT16 1u
#define ECGB_FORMAT_INT24 2u

#define ECGB_INFO_FIXED_SIZE 21u /* INFO payload without the firmware id bytes */
#define ECGB_FIRMWARE_MAX 32u
#define ECGB_DATA_HEADER_SIZE 10u /* seq u32, timestamp u32, lead-off u16 */
#define ECGB_LEAD_MASK_ALL 0x0FFFu
#define ECGB_DUPLICATE_WINDOW 64  /* a sequence up to this far behind is a duplicate */

/* ---- CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0, check 0x29B1 -- */
uint16_t ecgb_crc16(uint16_t crc, const uint8_t *data, size_t len);
#define ECGB_CRC16_INIT 0xFFFFu

/* ---- device description (INFO frame) ----------------------------------------------------- */
typedef struct {
    uint32_t sample_rate_mhz;   /* samples per second × 1000 (130 Hz = 130000) */
    uint32_t gain_pv;           /* one LSB in picovolts (nV per LSB × 1000) */
    uint16_t lead_mask;         /* bit i = lead i of I,II,III,aVR,aVL,aVF,V1..V6 */
    uint8_t sample_format;      /* ECGB_FORMAT_INT16 or ECGB_FORMAT_INT24 */
    uint8_t samples_per_frame;  /* samples per lead in every DATA frame, >= 1 */
    uint64_t device_id;
    uint8_t firmware_len;       /* <= ECGB_FIRMWARE_MAX */
    char firmware[ECGB_FIRMWARE_MAX];
} ecgb_info;

/* Result codes. Negative values are errors. */
enum {
    ECGB_OK = 0,
    ECGB_E_ARG = -1,       /* null pointer or value out of range */
    ECGB_E_SPACE = -2,     /* output buffer too small */
    ECGB_E_LENGTH = -3,    /* payload length does not match its contents */
    ECGB_E_FIELD = -4      /* a field holds a value the protocol forbids */
};

int ecgb_lead_count(uint16_t lead_mask);
int ecgb_bytes_per_sample(uint8_t sample_format);
/* Validates an info block; ECGB_OK or an error code. */
int ecgb_info_validate(const ecgb_info *info);
/* DATA payload size for this info (0 if the info is invalid). */
size_t ecgb_data_payload_size(const ecgb_info *info);

/* ---- encoder ------------------------------------------------------------------------------ */
/* Each returns the number of bytes written to out, or a negative error code. */
int ecgb_encode_info(const ecgb_info *info, uint8_t *out, size_t cap);
/* samples: samples_per_frame × leads values, sample-major (all leads of sample 0, then 1…),
 * leads in lead order; each value must fit the sample format. */
int ecgb_encode_data(const ecgb_info *info, uint32_t seq, uint32_t timestamp_us, uint16_t lead_off,
                     const int32_t *samples, uint8_t *out, size_t cap);
/* Frames an arbitrary payload (used by the above and by tests of unknown frame types). */
int ecgb_encode_frame(uint8_t type, uint8_t version, const uint8_t *payload, size_t len, uint8_t *out,
                      size_t cap);

/* ---- decoder: framing + resynchronisation ------------------------------------------------ */
typedef struct {
    uint64_t frames;          /* frames with valid header and CRC (any type) */
    uint64_t header_errors;   /* sync seen, header CRC or length cap failed */
    uint64_t crc_errors;      /* header valid, frame CRC failed */
    uint64_t bytes_skipped;   /* bytes discarded while resynchronising */
} ecgb_decoder_counters;

typedef struct {
    uint8_t *buf;      /* caller's buffer, >= ECGB_MAX_FRAME bytes */
    size_t cap;
    size_t start;      /* first unconsumed byte */
    size_t end;        /* one past the last buffered byte */
    int finishing;     /* no more input will come: incomplete candidates are skipped */
    ecgb_decoder_counters counters;
} ecgb_decoder;

typedef struct {
    uint8_t version;
    uint8_t type;
    const uint8_t *payload; /* points into the decoder buffer; valid until the next call */
    uint16_t length;
} ecgb_frame;

int ecgb_decoder_init(ecgb_decoder *d, uint8_t *buf, size_t cap);
/* Copies as many input bytes as fit; returns how many were taken. Call ecgb_decoder_next
 * until it returns 0 before writing again. */
size_t ecgb_decoder_write(ecgb_decoder *d, const uint8_t *data, size_t len);
/* Declares the end of input: buffered bytes that cannot complete a frame are skipped. */
void ecgb_decoder_finish(ecgb_decoder *d);
/* 1: *frame holds the next valid frame. 0: more input is needed (or, after finish, none left). */
int ecgb_decoder_next(ecgb_decoder *d, ecgb_frame *frame);

/* ---- payload parsing ---------------------------------------------------------------------- */
typedef struct {
    uint32_t seq;
    uint32_t timestamp_us;
    uint16_t lead_off;
    uint8_t sample_format;
    uint8_t leads;
    uint16_t samples_per_frame;
    const uint8_t *samples; /* raw little-endian samples, sample-major */
} ecgb_data;

int ecgb_parse_info(const uint8_t *payload, size_t len, ecgb_info *info);
int ecgb_parse_data(const ecgb_info *info, const uint8_t *payload, size_t len, ecgb_data *data);
/* Sample value (LSB) at sample index i, lead plane p. No bounds check beyond the parse. */
int32_t ecgb_data_sample(const ecgb_data *data, size_t i, size_t p);

/* ---- stream: INFO tracking, sequence gaps, duplicates, restarts -------------------------- */
typedef enum {
    ECGB_EV_NONE = 0,
    ECGB_EV_INFO,      /* a new or changed device description (repeats are silent) */
    ECGB_EV_GAP,       /* frames missing before the frame that follows */
    ECGB_EV_RESTART,   /* sequence jumped backwards beyond the duplicate window */
    ECGB_EV_DATA       /* a data frame to deliver */
} ecgb_event_kind;

typedef struct {
    uint64_t data_frames;   /* delivered */
    uint64_t info_frames;   /* all INFO frames, repeats included */
    uint64_t duplicates;    /* dropped: sequence already seen */
    uint64_t gaps;          /* gap events */
    uint64_t gap_frames;    /* frames missing in all gaps */
    uint64_t restarts;
    uint64_t no_info;       /* DATA frames dropped because no INFO had arrived */
    uint64_t malformed;     /* valid CRC but a payload that breaks the protocol */
    uint64_t unsupported;   /* unknown version or frame type, skipped */
} ecgb_stream_counters;

typedef struct {
    ecgb_info info;
    int have_info;
    int have_seq;
    uint32_t expected_seq;
    uint64_t stream_sample;  /* index of the next sample, gaps included; 0 at each new INFO */
    ecgb_stream_counters counters;
} ecgb_stream;

typedef struct {
    ecgb_event_kind kind;
    uint32_t gap_from_seq;    /* GAP: first missing sequence number */
    uint32_t gap_frames;      /* GAP: frames missing */
    uint64_t gap_samples;     /* GAP: samples per lead missing */
    uint64_t stream_sample;   /* DATA: index of the frame's first sample */
    ecgb_data data;           /* DATA */
} ecgb_event;

void ecgb_stream_init(ecgb_stream *s);
/* Feeds one decoded frame. Returns the number of events written to ev (0, 1 or 2: a GAP or
 * RESTART precedes the DATA it concerns). */
int ecgb_stream_accept(ecgb_stream *s, const ecgb_frame *frame, ecgb_event ev[2]);

#ifdef __cplusplus
}
#endif
#endif /* ECGB_H */
