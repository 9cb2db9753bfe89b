#!/usr/bin/env python3
"""Checks how a mandat workbook prints, from the PDF LibreOffice made of it.

usage: check_print.py REPORT.xlsx REPORT.pdf TMPDIR [SUMMARY_SHEET]

- Pages per sheet, told apart by the footer every sheet carries ("SHEET ... P / N"): every
  sheet prints, in the workbook's order; the summary sheet on exactly one page; every other
  sheet on at most max(3, ceil(rows / 25) + charts) pages, where rows are its table's data
  rows (a landscape A4 page holds 27 to 29 of them below the repeated heading rows).
- Charts whole: for each chart, some page shows its title and, lower on the same page, the
  title of its bottom axis, both inside the page's margins and both drawn (dark pixels where
  pdftotext places their words on the page rendered by pdftoppm): a chart cut across two
  pages has its ends on different pages. The pixels matter because LibreOffice also writes
  the text of a chart that starts on the next page into the page before it, clipped away.
Prints one line per sheet (pages, budget, rows) and exits 1 on the first failure.
"""
import html
import math
import re
import subprocess
import sys
import zipfile

ROWS_PER_PAGE = 25
MIN_BUDGET = 3
MARGIN_PT = 0.75 * 72  # top and bottom margins (mandat's workbook writer sets them)
SLACK_PT = 6.0


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def workbook(path):
    """Sheet names in order, each sheet's last row, and the charts (title, bottom axis title,
    sheet)."""
    z = zipfile.ZipFile(path)
    wb = z.read("xl/workbook.xml").decode()
    names = [html.unescape(n) for n in re.findall(r'<sheet name="([^"]*)"', wb)]
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'Id="(rId\d+)" [^>]*Target="([^"]*)"', rels))
    ids = re.findall(r'<sheet name="[^"]*" sheetId="\d+" r:id="(rId\d+)"', wb)
    last_row, charts = {}, []
    for name, rid in zip(names, ids):
        sheet_path = "xl/" + targets[rid]
        xml = z.read(sheet_path).decode()
        rows = [int(r) for r in re.findall(r'<row r="(\d+)"', xml)]
        last_row[name] = max(rows) if rows else 0
        rel_path = sheet_path.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rel_path not in z.namelist():
            continue
        drawing = re.search(r'Target="\.\./drawings/(drawing\d+\.xml)"', z.read(rel_path).decode())
        if not drawing:
            continue
        drels = z.read("xl/drawings/_rels/" + drawing.group(1) + ".rels").decode()
        for chart in re.findall(r'Target="\.\./charts/(chart\d+\.xml)"', drels):
            charts.append(chart_titles(z.read("xl/charts/" + chart).decode(), name, chart))
    return names, last_row, charts


def title_text(xml):
    m = re.search(r"<c:title>(.*?)</c:title>", xml, re.S)
    return html.unescape("".join(re.findall(r"<a:t>([^<]*)</a:t>", m.group(1)))) if m else None


def chart_titles(xml, sheet, name):
    title = title_text(xml[: xml.find("<c:plotArea>")])
    horizontal = '<c:barDir val="bar"/>' not in xml  # columns and lines: categories below
    axis = re.search(r"<c:catAx>.*?</c:catAx>" if horizontal else r"<c:valAx>.*?</c:valAx>", xml,
                     re.S)
    return {"sheet": sheet, "chart": name, "title": title,
            "axis": title_text(axis.group(0)) if axis else None}


def pdf_pages(pdf):
    """Per page: its height and its words, each (yMin, yMax, text, xMin, xMax), in reading
    order."""
    bbox = subprocess.run(["pdftotext", "-bbox", pdf, "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = []
    for m in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S):
        words = [(float(y0), float(y1), html.unescape(w), float(x0), float(x1))
                 for x0, y0, x1, y1, w in
                 re.findall(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" '
                            r'yMax="([\d.-]+)">([^<]*)</word>', m.group(3))]
        pages.append({"height": float(m.group(2)), "words": words})
    return pages


def footer_sheet(page):
    """The sheet a page's footer names: the words on the line of the page number ("P / N",
    the lowest such on the page), left of it. Words of other lines (a clipped chart's text
    near the footer) have other baselines."""
    words = page["words"]
    best = None
    for i in range(len(words) - 2):
        a, slash, b = words[i], words[i + 1], words[i + 2]
        if a[2].isdigit() and slash[2] == "/" and b[2].isdigit() and a[0] == slash[0] == b[0]:
            if best is None or a[0] > best[0]:
                best = a
    if best is None:
        return None
    line = sorted((w for w in words if abs(w[0] - best[0]) < 0.01 and w[3] < best[3]),
                  key=lambda w: w[3])
    return " ".join(w[2] for w in line)


DPI = 50


def render_gray(pdf, page, tmp):
    """Page (1-based) as (width, height, bytes) of an 8-bit grey image at DPI."""
    out = "%s/page%d" % (tmp, page)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-singlefile", "-f", str(page), "-l",
                    str(page), pdf, out], check=True)
    data = open(out + ".pgm", "rb").read()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():]


def drawn(image, box):
    """Whether anything dark is drawn in box (x0, y0, x1, y1 in points)."""
    w, h, pixels = image
    k = DPI / 72.0
    x0, y0 = max(0, int(box[0] * k)), max(0, int(box[1] * k))
    x1, y1 = min(w, int(math.ceil(box[2] * k))), min(h, int(math.ceil(box[3] * k)))
    return any(pixels[y * w + x] < 128 for y in range(y0, y1) for x in range(x0, x1))


def phrase_boxes(words, phrase):
    """The box (x0, y0, x1, y1) of each place the phrase's words follow each other."""
    want = phrase.split()
    found = []
    for i in range(len(words) - len(want) + 1):
        if all(words[i + j][2] == want[j] for j in range(len(want))):
            run = words[i:i + len(want)]
            found.append((min(w[3] for w in run), min(w[0] for w in run),
                          max(w[4] for w in run), max(w[1] for w in run)))
    return found


def main():
    xlsx, pdf, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
    summary = sys.argv[4] if len(sys.argv) > 4 else None
    names, last_row, charts = workbook(xlsx)
    pages = pdf_pages(pdf)
    sheet_of = []
    for k, p in enumerate(pages):
        owner = footer_sheet(p)
        if owner not in names:
            fail("page %d has no footer naming one of the sheets (found %r)" % (k + 1, owner))
        sheet_of.append(owner)
    order = [s for k, s in enumerate(sheet_of) if k == 0 or sheet_of[k - 1] != s]
    if order != names:
        fail("sheets print in the order %s, not the workbook's %s" % (order, names))
    total = 0
    for name in names:
        n = sheet_of.count(name)
        nch = sum(1 for c in charts if c["sheet"] == name)
        rows = max(0, last_row[name] - 3)
        if name == summary:
            budget = 1
        else:
            budget = max(MIN_BUDGET, math.ceil(rows / ROWS_PER_PAGE) + nch)
        print("%-22s %3d pages (budget %3d; %4d rows, %d chart%s)" % (
            name, n, budget, rows, nch, "" if nch == 1 else "s"))
        if n > budget:
            fail("sheet %s prints on %d pages, more than its budget of %d" % (name, n, budget))
        total += n
    print("%-22s %3d pages" % ("all", total))
    for c in charts:
        if not c["title"] or not c["axis"]:
            fail("%s (%s) has no title or no bottom axis title" % (c["chart"], c["sheet"]))
        whole = False
        for k, p in enumerate(pages):
            if sheet_of[k] != c["sheet"]:
                continue
            top, bottom = MARGIN_PT - SLACK_PT, p["height"] - MARGIN_PT + SLACK_PT
            titles = [t for t in phrase_boxes(p["words"], c["title"]) if t[1] >= top]
            if not titles:
                continue
            below = [a for a in phrase_boxes(p["words"], c["axis"]) if a[1] > titles[0][3]]
            if not below:
                continue
            axis = max(below, key=lambda a: a[3])  # the chart's own, not a column label's
            if axis[3] > bottom:
                continue
            image = render_gray(pdf, k + 1, tmp)
            if drawn(image, titles[0]) and drawn(image, axis):
                whole = True
                print("chart '%s' whole on page %d" % (c["title"], k + 1))
                break
        if not whole:
            fail("chart '%s' (%s) is not whole on any page of sheet %s" % (
                c["title"], c["chart"], c["sheet"]))


if __name__ == "__main__":
    main()
