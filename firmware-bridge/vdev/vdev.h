/* Virtual device: shared declarations (host program, not device code). */
#ifndef VDEV_H
#define VDEV_H
#include <stdint.h>
#include <stdio.h>
#include "ecgb.h"

typedef enum { SRC_SYNTH, SRC_RAW, SRC_CSV } vdev_source_kind;

typedef struct {
    vdev_source_kind kind;
    FILE *file;           /* raw/csv input */
    const char *path;
    int loop;             /* rewind at end of file */
    int leads;            /* number of leads in the mask */
    uint16_t lead_mask;
    double rate_hz;
    double lsb_mv;        /* one LSB in mV (from the gain) */
    int32_t lsb_max;      /* clamp for the sample format */
    double bpm;
    uint64_t n;           /* samples produced */
    uint64_t noise_state;
    uint64_t line;        /* csv line number, for error messages */
} vdev_source;

/* Fills spf samples × leads (sample-major). Returns samples produced (< spf only at the end
 * of a non-looping file; the caller stops), or -1 after printing an error. */
int vdev_source_read(vdev_source *s, int32_t *out, int spf);

typedef struct {
    double drop, corrupt, duplicate; /* probabilities per DATA frame */
    long stall_ms, stall_every;      /* sleep stall_ms after every stall_every frames */
    long disconnect_after;           /* close the connection after this many frames (0: never) */
    uint64_t rng;
    FILE *log;                       /* one line per fault: kind,seq[,extra] */
} vdev_faults;

uint32_t vdev_rand(uint64_t *state);
double vdev_uniform(uint64_t *state);
/* Flips a burst of 1..16 bits inside frame[0..len): CRC-16 detects every such burst. */
void vdev_corrupt(vdev_faults *f, uint8_t *frame, size_t len);
#endif
