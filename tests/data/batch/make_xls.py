"""Writes proveedores.xls: a legacy Excel 97-2003 (BIFF8) workbook as older
ERP exports are, for the batch tests. Made-up rows beside listed names.

    python3 -m venv /tmp/xlwt && /tmp/xlwt/bin/pip install xlwt==1.3.0
    /tmp/xlwt/bin/python tests/data/batch/make_xls.py

Sheet "Proveedores": a title row, a blank row, the header, then rows with a
date of birth as a date cell (1966-07-17, the SDN date of birth of OSEGUERA
CERVANTES, Nemesio Ruben), a numeric key, accented Spanish text. Sheet
"Clientes": one listed cartel name.
"""
import datetime
import os

import xlwt

book = xlwt.Workbook(encoding="cp1252")
date = xlwt.easyxf(num_format_str="DD/MM/YYYY")
sheet = book.add_sheet("Proveedores")
sheet.write(0, 0, "Padrón de proveedores al 30/11/2026")
for i, h in enumerate(["Clave", "Razón social", "Fecha de nacimiento", "País"]):
    sheet.write(2, i, h)
rows = [
    (2001, "OSEGUERA CERVANTES, Ruben", datetime.date(1966, 7, 17), "México"),
    (2002, "Ferretería El Puerto de Mazatlán", None, "México"),
    (2003, "Cartel del Noreste", None, "MX"),
    (2004, "Martina Ibáñez Cuéllar", datetime.date(1990, 3, 5), "México"),
]
for r, (key, name, dob, country) in enumerate(rows, start=3):
    sheet.write(r, 0, key)
    sheet.write(r, 1, name)
    if dob:
        sheet.write(r, 2, dob, date)
    sheet.write(r, 3, country)
clients = book.add_sheet("Clientes")
clients.write(0, 0, "Nombre")
clients.write(1, 0, "Cártel del Golfo")
book.save(os.path.join(os.path.dirname(os.path.abspath(__file__)), "proveedores.xls"))
