#!/usr/bin/env python3
"""Reads wxcube's exports back with real readers and prints JSON for the Swift tests.

  export_reader.py csv PATH            rows as lists of strings (python csv; gzip if .gz)
  export_reader.py ndjson PATH         objects (python json; gzip if .gz)
  export_reader.py xlsx PATH           every sheet through openpyxl: values, types, formats, panes
  export_reader.py duckdb CSV NDJSON COL...   row counts and column sums via read_csv / read_json
  export_reader.py zip PATH            entry names and flags (python zipfile)
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
    else:
        raise SystemExit(f"unknown kind {kind}")
    json.dump(result, sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
