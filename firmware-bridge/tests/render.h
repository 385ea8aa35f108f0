/* Renders a decoded byte stream in the vectors' expected-file format (vectors/README.md).
 * Test-side helper: uses stdio, not part of the device library. */
#ifndef ECGB_RENDER_H
#define ECGB_RENDER_H
#include <stddef.h>
#include <stdint.h>

/* Decodes data[0..len) feeding it in chunks of `chunk` bytes, appends the rendering to out.
 * Returns the rendered length, or (size_t)-1 if out is too small. */
size_t ecgb_render(const uint8_t *data, size_t len, size_t chunk, const char *title, char *out, size_t cap);
#endif
