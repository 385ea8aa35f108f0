#include "vdev.h"

uint32_t vdev_rand(uint64_t *s)
{
    *s ^= *s >> 12; *s ^= *s << 25; *s ^= *s >> 27;
    return (uint32_t)((*s * 2685821657736338717ull) >> 32);
}

double vdev_uniform(uint64_t *s) { return (double)vdev_rand(s) / 4294967296.0; }

void vdev_corrupt(vdev_faults *f, uint8_t *frame, size_t len)
{
    size_t pos = vdev_rand(&f->rng) % (uint32_t)(len - 1);
    uint16_t burst = (uint16_t)(1u + vdev_rand(&f->rng) % 0xFFFFu);
    frame[pos] ^= (uint8_t)burst;
    frame[pos + 1] ^= (uint8_t)(burst >> 8);
}
