/* Decodes every shared vector and compares, line by line, with its committed expected file.
 * Each stream is fed whole, byte by byte and in odd-sized chunks: the result must not depend
 * on how the bytes arrive. Writes nothing. Usage: test_vectors VECTORS_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render.h"

static const char *cases[] = {"basic_12lead_int16", "ads1298_int24", "single_lead_130hz", "faults", "changes"};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = (char *)malloc((size_t)n + 1);
    if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "read %s failed\n", path); exit(1); }
    fclose(f);
    p[n] = 0;
    *len = (size_t)n;
    return p;
}

static int compare(const char *name, const char *got, const char *want)
{
    int line = 1;
    const char *g = got, *w = want;
    /* the title line is the generator's; compare from the second line */
    g = strchr(g, '\n'); w = strchr(w, '\n');
    if (!g || !w) { fprintf(stderr, "%s: missing title line\n", name); return 1; }
    g++; w++; line++;
    while (*g || *w) {
        const char *ge = strchr(g, '\n'), *we = strchr(w, '\n');
        size_t gl = ge ? (size_t)(ge - g) : strlen(g), wl = we ? (size_t)(we - w) : strlen(w);
        if (gl != wl || memcmp(g, w, gl) != 0) {
            fprintf(stderr, "%s: line %d differs\n  expected: %.*s\n  decoded:  %.*s\n", name, line,
                    (int)(wl > 200 ? 200 : wl), w, (int)(gl > 200 ? 200 : gl), g);
            return 1;
        }
        g += gl + (ge ? 1 : 0);
        w += wl + (we ? 1 : 0);
        line++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const size_t chunks[] = {1u << 20, 1, 7, 333};
    size_t c, k, cap = 16u << 20;
    char *out = (char *)malloc(cap);
    int failures = 0;
    if (argc != 2 || !out) { fprintf(stderr, "usage: test_vectors VECTORS_DIR\n"); return 2; }
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char path[1024];
        size_t blen, elen;
        char *binv, *exp;
        snprintf(path, sizeof path, "%s/%s.bin", argv[1], cases[c]);
        binv = slurp(path, &blen);
        snprintf(path, sizeof path, "%s/%s.expected.csv", argv[1], cases[c]);
        exp = slurp(path, &elen);
        for (k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
            size_t n = ecgb_render((const unsigned char *)binv, blen, chunks[k], cases[c], out, cap);
            if (n == (size_t)-1) { fprintf(stderr, "%s: render overflow\n", cases[c]); return 1; }
            if (compare(cases[c], out, exp)) { fprintf(stderr, "  (chunk size %lu)\n", (unsigned long)chunks[k]); failures++; break; }
        }
        if (k == sizeof chunks / sizeof chunks[0]) printf("ok %s (%lu bytes)\n", cases[c], (unsigned long)blen);
        free(binv);
        free(exp);
    }
    free(out);
    return failures ? 1 : 0;
}
