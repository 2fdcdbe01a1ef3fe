#!/usr/bin/env python3
"""Reads wxcube's exports back with real readers and prints JSON for the Swift tests.

  export_reader.py csv PATH            rows as lists of strings (python csv; gzip if .gz)
  export_reader.py ndjson PATH         objects (python json; gzip if .gz)
  export_reader.py xlsx PATH           every sheet through openpyxl: values, types, formats, panes
  export_reader.py duckdb CSV NDJSON COL...   row counts and column sums via read_csv / read_json
  export_reader.py zip PATH            entry names and flags (python zipfile)
  export_reader.py parquet PATH [NDJSON]   schema, metadata, row groups, statistics (pyarrow);
                                       with NDJSON: whether the rows equal that file's, nulls included
  export_reader.py duckdb-parquet PARQUET CSV COL...   row counts and column sums via read_parquet / read_csv
"""
import csv
import datetime
import gzip
import io
import json
import re
import sys


def open_text(path):
    raw = gzip.open(path, "rb").read() if path.endswith(".gz") else open(path, "rb").read()
    bom = raw.startswith(b"\xef\xbb\xbf")
    return raw.decode("utf-8-sig"), bom


def read_csv(path):
    text, bom = open_text(path)
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    return {"rows": rows, "bom": bom, "crlf_records": text.count("\r\n")}


def read_ndjson(path):
    text, _ = open_text(path)
    if text and not text.endswith("\n"):
        raise SystemExit("last line has no newline")
    objects = []
    for line in text.split("\n")[:-1]:
        # object_pairs_hook keeps the key order for the test to check
        objects.append(json.loads(line, object_pairs_hook=lambda pairs: {"__keys__": [k for k, _ in pairs], **dict(pairs)}))
    return {"rows": objects}


OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_unescape(text):
    """Decodes _xHHHH_ as Excel and LibreOffice do; openpyxl leaves inline strings' escapes as they are."""
    return OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def cell_json(cell):
    v = cell.value
    if isinstance(v, str):
        v = ooxml_unescape(v)
    elif isinstance(v, float):
        v = repr(v)  # exact: the Swift side parses it with Double(String)
    elif isinstance(v, datetime.datetime):
        v = v.date().isoformat()
    elif isinstance(v, datetime.date):
        v = v.isoformat()
    return {"v": v, "t": type(cell.value).__name__, "f": cell.number_format, "b": bool(cell.font and cell.font.b)}


def read_xlsx(path):
    import openpyxl
    wb = openpyxl.load_workbook(path)  # not read_only: panes, filters and widths are needed
    sheets = []
    for ws in wb.worksheets:
        rows = [[cell_json(c) for c in row] for row in ws.iter_rows()]
        widths = {k: v.width for k, v in ws.column_dimensions.items() if v.customWidth}
        sheets.append({
            "name": ws.title,
            "freeze": ws.freeze_panes,
            "autofilter": ws.auto_filter.ref,
            "max_row": ws.max_row,
            "widths": widths,
            "rows": rows,
        })
    return {"sheets": sheets}


def read_duckdb(csv_path, ndjson_path, columns):
    import duckdb
    con = duckdb.connect()
    out = {}
    for name, source in (("csv", f"read_csv('{csv_path}', header=true)"),
                         ("ndjson", f"read_json('{ndjson_path}', format='newline_delimited')")):
        count = con.execute(f"select count(*) from {source}").fetchone()[0]
        sums = {}
        for col in columns:
            sums[col] = con.execute(f'select sum("{col}") from {source}').fetchone()[0]
        out[name] = {"count": count, "sums": sums}
    return out


def read_zip(path):
    import zipfile
    with zipfile.ZipFile(path) as z:
        bad = z.testzip()
        infos = [{"name": i.filename, "flag_bits": i.flag_bits, "compress_type": i.compress_type,
                  "file_size": i.file_size, "compress_size": i.compress_size} for i in z.infolist()]
    return {"entries": infos, "bad": bad}


def parquet_value(v):
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def stat_value(v):
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, float):
        return repr(v + 0.0)  # -0.0 and 0.0 are the same bound
    return v


def read_parquet(path, ndjson_path=None):
    import pyarrow.parquet as pq
    f = pq.ParquetFile(path)
    md = f.metadata
    schema = []
    for i in range(md.num_columns):
        c = f.schema.column(i)
        schema.append({"name": c.name, "physical": c.physical_type, "logical": str(c.logical_type),
                       "converted": c.converted_type, "max_def": c.max_definition_level})
    groups = []
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        cols = []
        for i in range(rg.num_columns):
            cc = rg.column(i)
            st = cc.statistics
            cols.append({
                "compression": cc.compression, "encodings": list(cc.encodings),
                "has_dictionary": cc.has_dictionary_page,
                "stats": None if st is None else {
                    "has_min_max": st.has_min_max, "null_count": st.null_count, "num_values": st.num_values,
                    "min": stat_value(st.min) if st.has_min_max else None,
                    "max": stat_value(st.max) if st.has_min_max else None},
            })
        groups.append({"rows": rg.num_rows, "columns": cols})
    table = f.read()
    kv = {k.decode(): v.decode() for k, v in (md.metadata or {}).items()}
    result = {"rows": md.num_rows, "row_groups": groups, "schema": schema, "metadata": kv,
              "created_by": md.created_by, "format_version": md.format_version,
              "arrow_types": [str(t) for t in table.schema.types]}
    pylist = table.to_pylist()
    # Expected statistics, computed here from the values pyarrow read (Python orders str by code point = UTF-8 bytes).
    expected = []
    start = 0
    for g in groups:
        part = pylist[start:start + g["rows"]]
        start += g["rows"]
        cols = []
        for c in schema:
            vals = [r[c["name"]] for r in part]
            present = [v for v in vals if v is not None and not (isinstance(v, float) and v != v)]
            cols.append({"null_count": sum(1 for v in vals if v is None),
                         "min": stat_value(min(present)) if present else None,
                         "max": stat_value(max(present)) if present else None})
        expected.append(cols)
    result["expected_stats"] = expected
    if ndjson_path is not None:
        text, _ = open_text(ndjson_path)
        nd = [json.loads(line) for line in text.split("\n")[:-1]]
        mine = [{k: parquet_value(v) for k, v in r.items()} for r in pylist]
        mismatches = [i for i, (a, b) in enumerate(zip(mine, nd)) if a != b or list(a.keys()) != list(b.keys())]
        result["ndjson_rows"] = len(nd)
        result["ndjson_mismatches"] = len(mismatches) + abs(len(mine) - len(nd))
        if mismatches:
            i = mismatches[0]
            result["first_mismatch"] = {"parquet": mine[i], "ndjson": nd[i]}
    else:
        result["values"] = [{k: parquet_value(v) for k, v in r.items()} for r in pylist]
    return result


def read_duckdb_parquet(parquet_path, csv_path, columns):
    import duckdb
    con = duckdb.connect()
    out = {}
    for name, source in (("parquet", f"read_parquet('{parquet_path}')"), ("csv", f"read_csv('{csv_path}', header=true)")):
        count = con.execute(f"select count(*) from {source}").fetchone()[0]
        sums = {}
        for col in columns:
            sums[col] = con.execute(f'select sum("{col}") from {source}').fetchone()[0]
        out[name] = {"count": count, "sums": sums}
    out["types"] = [[r[0], r[1]] for r in con.execute(f"describe select * from read_parquet('{parquet_path}')").fetchall()]
    return out


def main():
    kind, args = sys.argv[1], sys.argv[2:]
    if kind == "csv":
        result = read_csv(args[0])
    elif kind == "ndjson":
        result = read_ndjson(args[0])
    elif kind == "xlsx":
        result = read_xlsx(args[0])
    elif kind == "duckdb":
        result = read_duckdb(args[0], args[1], args[2:])
    elif kind == "zip":
        result = read_zip(args[0])
    elif kind == "parquet":
        result = read_parquet(args[0], args[1] if len(args) > 1 else None)
    elif kind == "duckdb-parquet":
        result = read_duckdb_parquet(args[0], args[1], args[2:])
    else:
        raise SystemExit(f"unknown kind {kind}")
    json.dump(result, sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
