"""Writes the small files of the hostile-input corpus (tests/hostile/manifest.json says
what each one must produce). Big inputs (100,000 columns, a 1 GB line, a 64 MB cell, a
query of 100,000 terms) are not files: the tests generate them from the manifest's
`generate` entries.

    pip install pyarrow==26.0.1 && python tests/hostile/make_hostile.py

Every file is deterministic, so running this again changes nothing.
"""

import bz2
import gzip
import io
import pathlib
import struct
import zipfile
import zlib

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).parent


def write(relative: str, data: bytes) -> None:
    path = ROOT / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def bgzf(data: bytes, lie_in: int) -> bytes:
    """BGZF as bgzip writes it, member `lie_in` stating a size 100 bytes too big."""
    out = bytearray()
    for n, start in enumerate(list(range(0, len(data), 0xFF00)) + [len(data)]):
        chunk = data[start : start + 0xFF00]
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        deflated = packer.compress(chunk) + packer.flush()
        size = 18 + len(deflated) + 8 + (100 if n == lie_in else 0)
        out += bytes([0x1F, 0x8B, 8, 4, 0, 0, 0, 0, 0, 0xFF]) + struct.pack("<H", 6)
        out += b"BC" + struct.pack("<HH", 2, size - 1) + deflated
        out += struct.pack("<II", zlib.crc32(chunk), len(chunk))
    return bytes(out)


def csv_files() -> None:
    # Rows with fewer and more fields than the header (rows 2 and 4).
    write("csv/ragged.csv", b"id,name,score\n1,a,1.5\n2,b\n3,c,3.5\n4,d,4.5,extra\n5,e,5.5\n")
    # A quote opened in row 3 and never closed.
    write("csv/unterminated_quote.csv", b"id,note\n1,fine\n2,also fine\n3,\"never closed\n4,x\n")
    # A quote inside an unquoted field, and text after a closing quote.
    write("csv/stray_quote.csv", b'id,note\n1,ab"c\n2,"quoted"tail\n3,plain\n')
    write("csv/bom_only.csv", b"\xef\xbb\xbf")
    write("csv/bom_header.csv", b"\xef\xbb\xbfid,name\n1,a\n2,b\n")
    write("csv/crlf.csv", b"id,name\r\n1,a\r\n2,b\r\n")
    write("csv/cr_only.csv", b"id,name\r1,a\r2,b\r")
    write("csv/mixed_line_breaks.csv", b"id,name\r\n1,a\n2,b\r\n3,c\n")
    # Latin-1 bytes: invalid UTF-8, replaced and reported.
    write("csv/latin1.csv", "id,city\n1,S\u00e3o Paulo\n2,M\u00fcnchen\n".encode("latin-1"))
    # UTF-16 with its byte-order mark: every other byte is NUL.
    write("csv/utf16.csv", "id,name\n1,a\n2,b\n".encode("utf-16"))
    write("csv/empty.csv", b"")
    write("csv/blank_lines.csv", b"\n\n  \n\r\n")
    write("csv/header_only.csv", b"id,name,score\n")
    write("csv/header_only_no_newline.csv", b"id,name,score")
    write("csv/duplicate_names.csv", b"a,a,b,A\n1,2,3,4\n")
    write("csv/empty_names.csv", b",x,\n1,2,3\n")
    # Integers past bigint, a float past double, NaN and infinities.
    write(
        "csv/number_overflow.csv",
        b"big,huge,special\n"
        b"99999999999999999999999,1e999,NaN\n"
        b"-99999999999999999999999,-1e999,Infinity\n"
        b"1,2.5,-Infinity\n",
    )
    # An int column that overflows bigint far into the file: widened, with a warning.
    rows = b"".join(b"%d,%d\n" % (i, i) for i in range(1, 3001))
    write("csv/late_overflow.csv", b"id,n\n" + rows + b"3001,92233720368547758070\n")
    write("csv/only_delimiters.csv", b",,,\n,,,\n,,,\n")
    # Quotes doubled many times over.
    write("csv/many_quotes.csv", b'a\n"' + b'""' * 40 + b'"\n')
    # Binary data with a .csv name: NUL bytes and no structure.
    noise = bytes((i * 7919 + 13) % 256 for i in range(4096))
    write("csv/binary_noise.csv", noise)
    # A PNG header: not text at all.
    write("csv/png_disguised.csv", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64))
    # Text with one NUL byte on its third line: the error names the line.
    write("csv/nul_line3.csv", b"id,name\n1,a\n2,b\x00c\n3,d\n")
    # A gzip header followed by zeros, with a .csv name: damaged compressed data.
    write("csv/gzip_disguised.csv", b"\x1f\x8b\x08\x00" + bytes(32))
    # The first half of a gzipped CSV: an interrupted download.
    rows = b"id,value\n" + b"".join(b"%d,%d\n" % (i, i * i) for i in range(5000))
    packed = gzip.compress(rows, mtime=0)
    write("csv/truncated.csv.gz", packed[: len(packed) // 2])
    # Binary noise compressed with bzip2: decompresses fine, but is not text.
    write("csv/binary_noise.csv.bz2", bz2.compress(bytes((i * 7919 + 13) % 256 for i in range(4096))))
    # Several bzip2 blocks (decoded in parallel), 16 bytes of the middle one zeroed: damaged
    # data, not taken for a false block boundary.
    rows = b"id,value\n" + b"".join(b"%d,%d\n" % (i, i * 7919 % 10007) for i in range(40000))
    packed = bytearray(bz2.compress(rows, compresslevel=1))
    middle = len(packed) // 2
    packed[middle : middle + 16] = bytes(16)
    write("csv/corrupt_block.csv.bz2", bytes(packed))
    # BGZF (members that state their size, decoded in parallel) whose third member states
    # 100 bytes more than it has: the file is still valid gzip, read serially from there.
    write("csv/bgzf_lying_size.csv.gz", bgzf(rows[: rows.index(b"\n20000,")], lie_in=2))
    # Only a bzip2 header (`BZh9` and the first block's magic).
    write("csv/bzip2_header_only.csv.bz2", b"BZh91AY&SY")
    # A row with far more fields than the header.
    write("csv/one_wide_row.csv", b"a,b\n1,2\n" + b",".join(b"x" for _ in range(5000)) + b"\n3,4\n")
    # Cells and names that are HTML and script: must stay text everywhere.
    write(
        "csv/html_payloads.csv",
        b'"<img src=x onerror=""window.__pwned=1;alert(1)"">",<b>bold</b>\n'
        b"\"<script>window.__pwned=2;alert(2)</script>\",\"<svg onload=alert(3)>\"\n"
        b"javascript:alert(4),\"<iframe src=javascript:alert(5)>\"\n",
    )


def parquet_bytes(table: pa.Table, **options) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, **options)
    return sink.getvalue()


def parquet_files() -> None:
    table = pa.table(
        {
            "id": pa.array(range(2000), pa.int64()),
            "name": pa.array([f"name-{i % 97}" for i in range(2000)]),
            "x": pa.array([i * 0.5 for i in range(2000)]),
        }
    )
    good = parquet_bytes(table, compression="snappy", row_group_size=1000, use_dictionary=False)
    write("parquet/truncated_half.parquet", good[: len(good) // 2])
    write("parquet/magic_only.parquet", b"PAR1PAR1")
    write("parquet/bad_head_magic.parquet", b"XXXX" + good[4:])
    # The footer's length field points before the start of the file.
    write("parquet/footer_length_too_big.parquet", good[:-8] + struct.pack("<I", 0x7FFFFFF0) + b"PAR1")
    # The footer's thrift bytes overwritten with noise.
    footer_len = struct.unpack("<I", good[-8:-4])[0]
    start = len(good) - 8 - footer_len
    noise = bytes((i * 31 + 7) % 256 for i in range(footer_len))
    write("parquet/footer_garbage.parquet", good[:start] + noise + good[-8:])
    # Bytes in the middle of the first column's compressed page flipped: snappy fails.
    corrupt = bytearray(good)
    for i in range(200, 260):
        corrupt[i] ^= 0x5A
    write("parquet/corrupt_page.parquet", bytes(corrupt))
    # A page header overwritten: the thrift decoder meets garbage.
    corrupt = bytearray(good)
    for i in range(4, 24):
        corrupt[i] = 0xFF
    write("parquet/corrupt_page_header.parquet", bytes(corrupt))
    # Types the engine has no column type for.
    nested = pa.table(
        {
            "id": pa.array([1, 2], pa.int32()),
            "tags": pa.array([["a", "b"], ["c"]], pa.list_(pa.string())),
        }
    )
    write("parquet/list_column.parquet", parquet_bytes(nested))
    structs = pa.table({"point": pa.array([{"x": 1, "y": 2}, {"x": 3, "y": 4}])})
    write("parquet/struct_column.parquet", parquet_bytes(structs))
    maps = pa.table({"m": pa.array([[("a", 1)], [("b", 2)]], pa.map_(pa.string(), pa.int64()))})
    write("parquet/map_column.parquet", parquet_bytes(maps))
    binary = pa.table({"blob": pa.array([b"\x00\x01", b"\xff"], pa.binary())})
    write("parquet/binary_column.parquet", parquet_bytes(binary))
    times = pa.table({"t": pa.array([1, 2], pa.time64("us"))})
    write("parquet/time_column.parquet", parquet_bytes(times))
    # No columns at all.
    write("parquet/no_columns.parquet", parquet_bytes(pa.table({})))
    # Column names that are HTML payloads.
    payload = pa.table({"<img src=x onerror=alert(1)>": pa.array(["<script>alert(2)</script>"])})
    write("parquet/html_names.parquet", parquet_bytes(payload))


def json_files() -> None:
    # Binary data named .json.
    write("json/binary.json", b'{"a": 1}\n' + bytes((i * 7919 + 13) % 256 for i in range(512)))
    # A multiLine array cut off in the middle (an interrupted download).
    write("json/unclosed_array.json", b'[\n  {"a": 1},\n  {"a": 2},\n  {"a": ')
    # Arrays nested 10,000 deep on one line: a malformed record, not a stack overflow.
    write("json/deep_nesting.jsonl", b'{"a": 1}\n{"a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}\n")
    # Names and values that are HTML and script: kept as text.
    write(
        "json/html_payloads.jsonl",
        b'{"<img src=x onerror=\\"window.__pwned=1\\">": "<script>window.__pwned=2</script>"}\n',
    )
    # Only blank lines.
    write("json/blank.jsonl", b"\n  \n\n")


def arrow_files() -> None:
    t = pa.table({"id": [1, 2, 3], "<b>name</b>": ["<script>window.__pwned=3</script>", "b", None]})
    sink = io.BytesIO()
    with pa.ipc.new_file(sink, t.schema) as writer:
        writer.write_table(t)
    good = sink.getvalue()
    write("arrow/html_names.arrow", good)
    write("arrow/truncated.arrow", good[: len(good) // 2])
    noise = bytes((i * 7919 + 13) % 256 for i in range(256))
    write("arrow/garbage.arrow", b"ARROW1\0\0" + noise + b"ARROW1")
    # A stream whose first message claims a 2 GB metadata block.
    write("arrow/huge_metadata.arrows", b"\xff\xff\xff\xff\xff\xff\xff\x7f" + bytes(64))


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """A zip archive of `entries`, deflated, with fixed timestamps (deterministic)."""
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return sink.getvalue()


def xlsx_bytes(sheet_data: str, dimension: str = "A1") -> bytes:
    """The smallest workbook Excel opens: one sheet of `sheet_data` (`<row>` elements,
    strings inline), declaring `dimension` as its used range."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return zip_bytes({
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ).encode(),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">'
            f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>'
        ).encode(),
    })


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def excel_files() -> None:
    html = (
        '<row r="1">' + text_cell("A1", "id") + text_cell("B1", "&lt;b&gt;name&lt;/b&gt;") + "</row>"
        '<row r="2"><c r="A2"><v>1</v></c>' + text_cell("B2", "&lt;script&gt;window.__pwned=4&lt;/script&gt;") + "</row>"
        '<row r="3"><c r="A3"><v>2</v></c>' + text_cell("B3", "b") + "</row>"
    )
    good = xlsx_bytes(html, "A1:B3")
    write("excel/html_names.xlsx", good)
    write("excel/truncated.xlsx", good[: len(good) // 2])
    # A zip whose workbook part is noise.
    noise = bytes((i * 7919 + 13) % 256 for i in range(256))
    write("excel/garbage_xml.xlsx", zip_bytes({"[Content_Types].xml": noise, "xl/workbook.xml": noise}))
    # A sheet declaring every cell Excel has (A1:XFD1048576) but holding four.
    small = '<row r="1">' + text_cell("A1", "k") + text_cell("B1", "v") + '</row><row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c></row>'
    write("excel/huge_dimension.xlsx", xlsx_bytes(small, "A1:XFD1048576"))
    # Two cells a whole sheet apart: 2 rows of 16,384 columns, nothing in between kept.
    far = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    write("excel/far_apart.xlsx", xlsx_bytes(far, "A1:XFD1048576"))
    # 20,000 cells on a diagonal over all 16,384 columns: 20,000 × 16,384 cells as a table.
    diagonal = "".join(f'<row r="{i + 1}"><c r="{col_name(i % 16384)}{i + 1}"><v>1</v></c></row>' for i in range(20000))
    write("excel/diagonal.xlsx", xlsx_bytes(diagonal))
    # A cell past Excel's last column.
    write("excel/past_last_column.xlsx", xlsx_bytes('<row r="1"><c r="XFE1"><v>1</v></c></row>'))
    write("excel/empty_sheet.xlsx", xlsx_bytes(""))
    write("excel/not_a_workbook.zip", zip_bytes({"notes.txt": b"id,name\n1,a\n"}))


def folder_files() -> None:
    """Zips of folders (what a user drops for a partitioned dataset) that cannot be one table."""
    ids = pa.table({"id": pa.array([1, 2], pa.int64()), "name": pa.array(["a", "b"])})
    text_ids = pa.table({"id": pa.array(["1", "2"]), "name": pa.array(["a", "b"])})
    part = lambda table: parquet_bytes(table, compression="none")  # noqa: E731
    # The same column with two types in two partitions.
    write("folder/mismatched_schema.zip", zip_bytes({"k=1/part-0.parquet": part(ids), "k=2/part-0.parquet": part(text_ids)}))
    # Partition folders that do not agree on their columns.
    write("folder/conflicting_layout.zip", zip_bytes({"a=1/part-0.parquet": part(ids), "b=2/part-0.parquet": part(ids)}))
    # A CSV file and a Parquet file in one folder.
    write("folder/mixed_formats.zip", zip_bytes({"k=1/part-0.csv": b"id,name\n1,a\n", "k=2/part-1.parquet": part(ids)}))
    # Only what Spark leaves beside its data: no data file.
    write("folder/no_data_files.zip", zip_bytes({"_SUCCESS": b"", "._SUCCESS.crc": b"crc"}))
    # A partition folder named like a column of the files.
    write("folder/partition_is_a_column.zip", zip_bytes({"id=1/part-0.parquet": part(ids)}))
    # A compressed CSV file of a folder cut in half (an interrupted copy).
    rows = b"id,name\n" + b"".join(b"%d,name-%d\n" % (i, i) for i in range(2000))
    packed = gzip.compress(rows, mtime=0)
    write(
        "folder/truncated_gzip_part.zip",
        zip_bytes({"k=1/part-0.csv.gz": gzip.compress(b"id,name\n1,a\n", mtime=0), "k=2/part-1.csv.gz": packed[: len(packed) // 2]}),
    )


def with_declared_sizes(archive: bytes, sizes: dict[str, int]) -> bytes:
    """`archive` with the uncompressed size its central directory declares for each of
    `sizes`' entries replaced: what a zip bomb or a damaged header looks like."""
    data = bytearray(archive)
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        name = data[at + 46 : at + 46 + name_length].decode()
        if name in sizes:
            struct.pack_into("<I", data, at + 24, sizes[name])
        at += 46
    return bytes(data)


def zip_bomb_files() -> None:
    """Zipped folders that would inflate past the engine's memory, and a broken zip."""
    rows = b"id,name\n" + b"".join(b"%d,name-%d\n" % (i, i) for i in range(2000))
    folder = zip_bytes({"bomb/k=1/part-0.csv": rows, "bomb/k=2/part-0.csv": rows})
    # Two files declaring 3.75 GB each once inflated (7.5 GB): refused before inflating.
    huge = 0xF0000000
    write("folder/zip_bomb.zip", with_declared_sizes(folder, {"bomb/k=1/part-0.csv": huge, "bomb/k=2/part-0.csv": huge}))
    # A file declaring 100 bytes that inflates to 27 KB: stopped as it passes 100 bytes.
    write("folder/lying_size.zip", with_declared_sizes(folder, {"bomb/k=2/part-0.csv": 100}))
    # The first half of a zipped folder: its directory (at the end) is gone.
    write("folder/truncated_zip.zip", folder[: len(folder) // 2])


def damaged_xls_files() -> None:
    """An old-format (BIFF8) workbook cut short and one with noise over its sheet."""
    legacy = (ROOT / "../fixtures/excel/legacy.xls").read_bytes()
    write("excel/truncated.xls", legacy[: len(legacy) // 2])
    noisy = bytearray(legacy)
    noisy[1024:3072] = bytes((i * 37 + 11) % 256 for i in range(2048))
    write("excel/noisy.xls", bytes(noisy))


def col_name(col: int) -> str:
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def training_files() -> None:
    rows = "".join(f"{i},{i * 2 % 7},{(i * 3) % 11},5\n" for i in range(1, 41))
    write("train/constant_label.csv", ("x1,x2,x3,y\n" + rows).encode())
    rows = "".join(f"{i},,{i % 5},{2 * i + 1}\n" for i in range(1, 41))
    write("train/null_feature.csv", ("x1,empty,x3,y\n" + rows).encode())
    # 6 rows, 10 features.
    header = ",".join(f"f{j}" for j in range(10)) + ",y\n"
    rows = "".join(",".join(str((i * 7 + j * 3) % 13) for j in range(10)) + f",{i}\n" for i in range(6))
    write("train/wide_few_rows.csv", (header + rows).encode())
    rows = "".join(f"{i},{i % 9},{3 * i}\n" for i in range(1, 41))
    write("train/nan_feature.csv", ("x1,x2,y\n" + rows + "41,NaN,123\n").encode())
    write("train/inf_feature.csv", ("x1,x2,y\n" + rows + "41,Infinity,123\n").encode())
    write("train/nan_label.csv", ("x1,x2,y\n" + rows + "41,1,NaN\n").encode())
    write("train/huge_values.csv", ("x1,x2,y\n" + rows + "41,1e300,1e300\n").encode())
    write("train/text_feature.csv", b"x1,word,y\n1,a,2\n2,b,4\n3,c,6\n4,d,8\n")


def sql_files() -> None:
    rows = "".join(f"{i},name-{i % 4},{i * 1.5},2024-01-{i % 28 + 1:02d}\n" for i in range(1, 101))
    write("sql/t.csv", ("id,name,score,day\n" + rows).encode())


if __name__ == "__main__":
    csv_files()
    parquet_files()
    json_files()
    arrow_files()
    excel_files()
    folder_files()
    zip_bomb_files()
    damaged_xls_files()
    training_files()
    sql_files()
