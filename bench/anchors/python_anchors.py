"""Python anchors for bench/compare.sh: XlsxWriter (constant_memory), orjson NDJSON
and pyarrow's Parquet writer (pq.write_table, zstd).

Loads the benchmark rows (the plain CSV `wxcube-bench --anchor-csv` writes and
its .types sidecar) into memory untimed, converts them to Python values
(int, float, date, str, None), then times only the writing. Prints one JSON line.

    python3 python_anchors.py xlsxwriter rows.csv out.xlsx [--rows N]
    python3 python_anchors.py orjson rows.csv out.ndjson
    python3 python_anchors.py pyarrow rows.csv out.parquet

For pyarrow the rows are also turned into an Arrow table untimed (its in-memory
form); only pq.write_table is timed (build_seconds reports the conversion).
"""
import csv
import datetime
import json
import resource
import sys
import time


def load(path, limit=None):
    with open(path + ".types") as f:
        types = f.read().strip().split(",")
    conv = []
    for t in types:
        if t == "int":
            conv.append(int)
        elif t == "float":
            conv.append(float)
        elif t == "date":
            conv.append(lambda s: datetime.date.fromisoformat(s))
        else:
            conv.append(str)
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        for i, rec in enumerate(reader):
            if limit is not None and i >= limit:
                break
            rows.append([None if v == "" else conv[c](v) for c, v in enumerate(rec)])
    return header, types, rows


def xlsxwriter_write(header, types, rows, out):
    import xlsxwriter

    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = wb.add_worksheet("article_total")
    bold = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, header, bold)
    is_date = [t == "date" for t in types]
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if is_date[c]:
                ws.write_datetime(r, c, v, date_fmt)
            elif isinstance(v, str):
                ws.write_string(r, c, v)
            else:
                ws.write_number(r, c, v)
    wb.close()


def orjson_write(header, types, rows, out):
    import orjson

    is_date = [t == "date" for t in types]
    with open(out, "wb", buffering=1 << 20) as f:
        for row in rows:
            obj = {}
            for c, v in enumerate(row):
                obj[header[c]] = v.isoformat() if (is_date[c] and v is not None) else v
            f.write(orjson.dumps(obj))
            f.write(b"\n")


def arrow_table(header, types, rows):
    import pyarrow as pa

    arrow_types = {"int": pa.int64(), "float": pa.float64(), "date": pa.date32(), "bool": pa.bool_()}
    columns = [pa.array([r[c] for r in rows], type=arrow_types.get(t, pa.string())) for c, t in enumerate(types)]
    return pa.table(columns, names=header)


def main():
    kind, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
    limit = int(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == "--rows" else None
    header, types, rows = load(path, limit)
    extra = {}
    if kind == "pyarrow":
        import pyarrow.parquet as pq

        b0 = time.perf_counter()
        table = arrow_table(header, types, rows)
        extra["build_seconds"] = round(time.perf_counter() - b0, 4)
        count = len(rows)
        del rows

        def writer(*_):
            pq.write_table(table, out, compression="zstd")
        rows = [None] * count
    else:
        writer = {"xlsxwriter": xlsxwriter_write, "orjson": orjson_write}[kind]
    w0, c0 = time.perf_counter(), time.process_time()
    writer(header, types, rows, out)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"anchor": kind, "rows": len(rows), "wall_seconds": round(wall, 4),
                      "cpu_seconds": round(cpu, 4), "peak_rss_mib": round(rss, 1), **extra}))


if __name__ == "__main__":
    main()
