/*
 * Anchor for `xlsx/libxlsxwriter`: loads the benchmark rows (the plain CSV that
 * `wxcube-bench --anchor-csv` writes, plus its .types sidecar) into memory
 * untimed, then times writing them with libxlsxwriter in constant_memory mode:
 * numbers as numbers, dates as date cells, text as strings, null as no cell,
 * a bold header row. Prints one JSON line with the timed seconds.
 *
 *   cc -O2 -o xlsx_anchor xlsx_libxlsxwriter.c -lxlsxwriter
 *   ./xlsx_anchor rows.csv rows.csv.types out.xlsx
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <xlsxwriter.h>

enum kind { K_NULL, K_NUM, K_DATE, K_STR };
typedef struct { enum kind kind; double num; char *str; } cell_t;

static double now_wall(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double now_cpu(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
    char *buf = malloc(n + 1);
    if (!buf || fread(buf, 1, n, f) != (size_t)n) { fprintf(stderr, "read %s failed\n", path); exit(1); }
    buf[n] = 0; fclose(f); *len = n; return buf;
}

/* Parses one RFC 4180 field in place starting at *p; returns the unescaped string. */
static char *field(char **p, int *end_of_row) {
    char *s = *p, *out = s, *start = s;
    if (*s == '"') {
        s++;
        for (;;) {
            if (*s == '"' && s[1] == '"') { *out++ = '"'; s += 2; }
            else if (*s == '"') { s++; break; }
            else *out++ = *s++;
        }
    } else {
        while (*s && *s != ',' && *s != '\r' && *s != '\n') *out++ = *s++;
    }
    *end_of_row = (*s != ',');
    if (*s == ',') s++;
    else if (*s == '\r') s += 2;
    else if (*s == '\n') s++;
    *out = 0; *p = s;
    return start;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s rows.csv rows.csv.types out.xlsx\n", argv[0]); return 2; }
    size_t len, tlen;
    char *csv = slurp(argv[1], &len);
    char *types = slurp(argv[2], &tlen);
    int ncols = 1; for (char *t = types; *t && *t != '\n'; t++) if (*t == ',') ncols++;
    enum kind *coltype = calloc(ncols, sizeof *coltype);
    { char *t = types; for (int c = 0; c < ncols; c++) {
        if (!strncmp(t, "int", 3) || !strncmp(t, "float", 5)) coltype[c] = K_NUM;
        else if (!strncmp(t, "date", 4)) coltype[c] = K_DATE; else coltype[c] = K_STR;
        while (*t && *t != ',') t++;
        if (*t) t++;
    } }

    /* Load every row into memory (untimed). */
    char *p = csv; int eor;
    char **header = malloc(ncols * sizeof *header);
    for (int c = 0; c < ncols; c++) header[c] = field(&p, &eor);
    size_t cap = 1 << 16, nrows = 0;
    cell_t *cells = malloc(cap * ncols * sizeof *cells);
    while (*p) {
        if (nrows == cap) { cap *= 2; cells = realloc(cells, cap * ncols * sizeof *cells); }
        for (int c = 0; c < ncols; c++) {
            char *f = field(&p, &eor);
            cell_t *cell = &cells[nrows * ncols + c];
            if (!*f) { cell->kind = K_NULL; continue; }
            cell->kind = coltype[c];
            if (coltype[c] == K_NUM) cell->num = strtod(f, NULL);
            else if (coltype[c] == K_DATE) {
                int y, m, d; sscanf(f, "%d-%d-%d", &y, &m, &d);
                /* days since 1899-12-30 (Excel serial) via days-from-civil */
                y -= m <= 2; int era = (y >= 0 ? y : y - 399) / 400; unsigned yoe = (unsigned)(y - era * 400);
                unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
                unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
                cell->num = era * 146097 + (int)doe - 719468 + 25569;
            } else cell->str = f;
        }
        nrows++;
    }

    double w0 = now_wall(), c0 = now_cpu();
    lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(argv[3], &options);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "article_total");
    lxw_format *bold = workbook_add_format(wb); format_set_bold(bold);
    lxw_format *date = workbook_add_format(wb); format_set_num_format(date, "yyyy-mm-dd");
    for (int c = 0; c < ncols; c++) worksheet_write_string(ws, 0, c, header[c], bold);
    for (size_t r = 0; r < nrows; r++) {
        for (int c = 0; c < ncols; c++) {
            cell_t *cell = &cells[r * ncols + c];
            switch (cell->kind) {
            case K_NULL: break;
            case K_NUM: worksheet_write_number(ws, r + 1, c, cell->num, NULL); break;
            case K_DATE: worksheet_write_number(ws, r + 1, c, cell->num, date); break;
            case K_STR: worksheet_write_string(ws, r + 1, c, cell->str, NULL); break;
            }
        }
    }
    if (workbook_close(wb) != LXW_NO_ERROR) { fprintf(stderr, "workbook_close failed\n"); return 1; }
    double wall = now_wall() - w0, cpu = now_cpu() - c0;
    struct rusage ru; getrusage(RUSAGE_SELF, &ru);
    printf("{\"anchor\":\"libxlsxwriter\",\"rows\":%zu,\"wall_seconds\":%.4f,\"cpu_seconds\":%.4f,\"peak_rss_mib\":%.1f}\n",
           nrows, wall, cpu, ru.ru_maxrss / 1024.0);
    return 0;
}
