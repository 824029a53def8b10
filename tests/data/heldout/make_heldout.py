#!/usr/bin/env python3
"""Independent held-out test-set generator for a name-screening engine.

Reads the OFAC SDN CSV set (sdn.csv, alt.csv), takes the Mexican narcotics
population (programs SDNTK / SDNT / ILLICIT-DRUGS with "Mexico" in the remarks)
and writes labelled screening cases:

    name,type,country,dob,identifier,expected,class

Positives carry ``expected = ofac-<ent_num>`` (several ids joined by ``|`` when
the source name or the variant is listed under more than one entry); negatives
have an empty ``expected`` and must not alert.

Standard library only; deterministic for a given ``--seed``.

    python3 make_heldout.py --sdn ../shared/data/ofac/current -o heldout.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import io
import os
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

DEFAULT_SEED = 20261129

# --------------------------------------------------------------------------
# targets per class
# --------------------------------------------------------------------------
POSITIVE_TARGET = 340
TARGETS = {
    "vowels_dropped": POSITIVE_TARGET,
    "reordered": POSITIVE_TARGET,
    "truncated": POSITIVE_TARGET,
    "initials": POSITIVE_TARGET,
    "ocr": POSITIVE_TARGET,
    "phonetic": POSITIVE_TARGET,
    "token_dropped": POSITIVE_TARGET,
    "typo": POSITIVE_TARGET,
    "business_abbrev": POSITIVE_TARGET,
    "extra_generic_word": POSITIVE_TARGET,
    "labelled_identifier": POSITIVE_TARGET,
    "with_dob": POSITIVE_TARGET,
    "near_miss": 600,
    "mexican_person": 900,
    "mexican_company": 1500,
}
NEGATIVE_KINDS = ("near_miss", "mexican_person", "mexican_company")

# probability that the `type` column is left empty on a case
EMPTY_TYPE_P = 0.10

# --------------------------------------------------------------------------
# word lists
# --------------------------------------------------------------------------
STOP = {"DE", "DEL", "LA", "LAS", "LOS", "EL", "Y", "E", "AND", "&", "THE", "OF", "EN", "A"}
PARTICLES = {"DE", "DEL", "LA", "LAS", "LOS", "Y", "DA", "DI", "VAN", "VON", "SAN", "SANTA"}
SUFFIXES = {"JR", "JR.", "SR", "SR.", "II", "III"}

# tokens (dots removed, upper case) that can belong to a legal form
LEGAL_TOKENS = {
    "SA", "DE", "CV", "S", "RL", "SAPI", "SPR", "RI", "PR", "SC", "SRL", "A", "EN", "P",
    "AC", "LTD", "LLC", "INC", "CO", "SAB", "SOCIEDAD", "ANONIMA", "ANOMINA", "CAPITAL",
    "VARIABLE", "CIVIL", "ASOCIACION", "PRODUCCION", "RURAL", "RESPONSABILIDAD",
    "LIMITADA", "ILIMITADA", "LIMITED", "LIABILITY", "COMPANY", "CORP", "CORPORATION",
}
# a legal form must contain one of these
LEGAL_ANCHORS = {
    "SA", "S", "SAPI", "SPR", "SC", "SRL", "AC", "LTD", "LLC", "INC", "CO", "SOCIEDAD",
    "ASOCIACION", "SAB", "LIMITED", "CORP", "CORPORATION",
}

GENERIC_BUSINESS = {
    "GRUPO", "GROUP", "COMERCIALIZADORA", "COMERCIAL", "SERVICIOS", "SERVICIO", "DISTRIBUIDORA",
    "CONSTRUCTORA", "INMOBILIARIA", "INMOBILIARIO", "INMOVILIARIA", "IMPORTADORA", "EXPORTADORA",
    "TRANSPORTES", "TRANSPORTE", "AUTOTRANSPORTES", "OPERADORA", "CORPORATIVO", "CORPORATIVA",
    "COMPANIA", "INTERNACIONAL", "PROMOTORA", "ADMINISTRADORA", "DESARROLLOS", "DESARROLLO",
    "CONSULTORES", "CONSULTORIA", "RESTAURANTE", "RESTAURANTES", "BAR", "FARMACIA", "FARMACIAS",
    "GASOLINERA", "CLUB", "DEPORTIVO", "AGRICOLA", "AGRICULTURA", "GANADERA", "GANADERAS",
    "INDUSTRIAL", "INDUSTRIAS", "PRODUCTOS", "CASA", "CAMBIO", "HOTEL", "TRADING", "HOLDING",
    "LOGISTICS", "TELECOM", "INVERSIONES", "EMPRESARIAL", "ESTACION", "ESTACIONES", "EQUIPOS",
    "CENTRO", "TIENDA", "BOUTIQUE", "AUTO", "MINERA", "ORGANICO", "VERDE", "RESIDENCIAL",
    "CONSTRUCCIONES", "SISTEMAS", "EDIFICACIONES", "PARQUE", "ARRENDADORA", "CONTROLADORA",
    "MEXICO", "MEXICANA", "MEXICANO", "NORTE", "SUR", "ORIENTE", "PONIENTE", "CENTRAL",
    "NACIONAL", "GLOBAL", "MEDICAL", "TOURS", "CAPITAL", "REFACCIONES", "ACEROS", "MAQUINARIA",
}
PLACES_UPPER = {
    "SINALOA", "CULIACAN", "JALISCO", "GUADALAJARA", "TIJUANA", "BAJA", "CALIFORNIA", "SONORA",
    "MICHOACAN", "CHIHUAHUA", "DURANGO", "COLIMA", "NAYARIT", "ZACATECAS", "TAMAULIPAS",
    "MONTERREY", "LEON", "PUEBLA", "OAXACA", "GUERRERO", "MAZATLAN", "HERMOSILLO", "ENSENADA",
    "MEXICALI", "NOGALES", "CANCUN", "ACAPULCO", "MORELIA", "VERACRUZ", "QUERETARO", "LAREDO",
    "REYNOSA", "MATAMOROS", "JUAREZ", "TEPIC", "ZAPOPAN", "SAYULA", "AUTLAN", "HUMAYA",
    "OCCIDENTE", "PACIFICO", "GOLFO", "BAJIO", "SURESTE", "NOROESTE", "NORESTE",
}

# ERP-style abbreviations of company words (normalised upper key -> choices)
BUSINESS_ABBREV = {
    "GRUPO": ["GPO", "GPO."],
    "HERMANOS": ["HNOS", "HNOS."],
    "COMPANIA": ["CIA", "CIA."],
    "COMERCIALIZADORA": ["COMERC.", "COMERC", "COMER."],
    "DISTRIBUIDORA": ["DISTR.", "DISTR", "DIST."],
    "SERVICIOS": ["SERVS.", "SERVS", "SERV."],
    "INMOBILIARIA": ["INMOB.", "INMOB"],
    "INMOVILIARIA": ["INMOV.", "INMOB."],
    "CONSTRUCTORA": ["CONST.", "CONST"],
    "IMPORTADORA": ["IMPORT.", "IMPORT"],
    "EXPORTADORA": ["EXPORT.", "EXPORT"],
    "INTERNACIONAL": ["INTL", "INT'L", "INTL."],
    "CORPORATION": ["CORP", "CORP."],
    "CORPORATIVO": ["CORP", "CORP."],
    "MANUFACTURING": ["MFG", "MFG."],
    "GROUP": ["GRP", "GRP."],
    # a few more of the same kind, common in Mexican ERP exports
    "INMOBILIARIO": ["INMOB.", "INMOB"],
    "TRANSPORTES": ["TRANSP.", "TRANSP"],
    "AGRICOLA": ["AGRIC.", "AGRIC"],
    "INDUSTRIAL": ["IND.", "INDL."],
    "INDUSTRIAS": ["IND.", "INDS."],
    "PRODUCTOS": ["PROD.", "PRODS."],
}

# legal forms cut short / shortened as in exports (normalised form -> choices)
LEGAL_SHORT = {
    "SA DE CV": ["S.A. DE C.", "SA DE", "S.A. DE", "SA DE C", "S.A. DE C"],
    "SA": ["S."],
    "S DE RL DE CV": ["S. DE R.L.", "S DE RL", "S. DE R.L. DE C.", "S DE RL DE", "S. DE R."],
    "S DE RL": ["S. DE R.", "S DE R", "S. DE"],
    "SRL DE CV": ["S.R.L.", "SRL DE", "S.R.L. DE C."],
    "SAPI DE CV": ["S.A.P.I.", "SAPI DE", "S.A.P.I. DE C."],
    "SPR DE RL": ["S.P.R.", "SPR DE", "S.P.R. DE R."],
    "SPR DE RL DE CV": ["S.P.R. DE R.L.", "SPR DE RL", "S.P.R. DE R.L. DE C."],
    "SPR DE RI": ["S.P.R.", "SPR DE", "S.P.R. DE R."],
    "S DE PR DE RL": ["S. DE P.R.", "S DE PR DE", "S. DE P.R. DE R."],
    "S DE PR DE RL DE CV": ["S. DE P.R. DE R.L.", "S DE PR DE RL", "S. DE P.R."],
    "SC DE RL DE CV": ["S.C. DE R.L.", "SC DE RL", "S.C. DE R.L. DE C."],
    "SOCIEDAD ANONIMA DE CAPITAL VARIABLE": ["SOCIEDAD ANONIMA DE CAP", "SOC. ANONIMA DE C.V.", "SOC ANON DE CAP VAR", "SOCIEDAD ANONIMA DE"],
    "SOCIEDAD ANOMINA DE CAPITAL VARIABLE": ["SOCIEDAD ANOMINA DE CAP", "SOC. ANOMINA DE C.V.", "SOCIEDAD ANOMINA"],
    "SOCIEDAD CIVIL": ["SOC. CIVIL", "SOC CIVIL", "SOCIEDAD CIV"],
    "ASOCIACION CIVIL": ["ASOC. CIVIL", "ASOC CIVIL", "ASOCIACION CIV"],
    "SOCIEDAD DE PRODUCCION RURAL DE RESPONSABILIDAD ILIMITADA": ["SOC. DE PROD. RURAL DE RESP. ILIM.", "SOCIEDAD DE PRODUCCION RURAL DE RESP", "SOC DE PROD RURAL"],
    "SOCIEDAD DE PRODUCCION RURAL DE RESPONSABILIDAD LIMITADA": ["SOC. DE PROD. RURAL DE RESP. LTDA.", "SOCIEDAD DE PRODUCCION RURAL DE RESP", "SOC DE PROD RURAL"],
    "LIMITED LIABILITY COMPANY": ["Limited Liability Comp", "Ltd Liability Co", "LIMITED LIABILITY CO"],
    "LLC": ["L.L.C"],
    "SC": ["S."],
    "AC": ["A."],
    "CO": ["C."],
}

GENERIC_EXTRA_WORDS = ["GROUP", "TRADING", "TELECOM", "LOGISTICS", "HOLDING", "COMERCIAL", "SERVICIOS"]

# OFAC writes Ñ as N; words that carry an Ñ in Spanish (used by the phonetic kind)
N_TILDE_WORDS = {
    "MUNOZ": "MUÑOZ", "NUNEZ": "NUÑEZ", "IBANEZ": "IBAÑEZ", "PENA": "PEÑA", "ORDONEZ": "ORDOÑEZ",
    "CANEDO": "CAÑEDO", "PATINO": "PATIÑO", "BRISENO": "BRISEÑO", "ACUNA": "ACUÑA", "YANEZ": "YAÑEZ",
    "CASTANEDA": "CASTAÑEDA", "MONTANO": "MONTAÑO", "ZUNIGA": "ZUÑIGA", "NINO": "NIÑO",
    "MUNIZ": "MUÑIZ", "CARRENO": "CARREÑO", "VILLASENOR": "VILLASEÑOR", "PENALOZA": "PEÑALOZA",
    "OCANA": "OCAÑA", "BANUELOS": "BAÑUELOS", "CABANAS": "CABAÑAS", "TREVINO": "TREVIÑO",
    "ARMENTA": "ARMENTA", "LUNA": "LUNA", "MANANTIALES": "MAÑANTIALES", "DISENO": "DISEÑO",
    "MONTANA": "MONTAÑA", "COMPANIA": "COMPAÑIA", "ESPANA": "ESPAÑA", "PINA": "PIÑA",
    "CANO": "CAÑO", "MAGANA": "MAGAÑA", "MENDANA": "MENDAÑA", "SALDANA": "SALDAÑA",
    "BOLANOS": "BOLAÑOS", "TOLEDANO": "TOLEDANO", "OSUNA": "OSUÑA",
}
# keep only genuine changes
N_TILDE_WORDS = {k: v for k, v in N_TILDE_WORDS.items() if k != v.replace("Ñ", "N") or "Ñ" in v}
for _k in ("ARMENTA", "LUNA", "TOLEDANO", "CANO", "OSUNA", "MANANTIALES"):
    N_TILDE_WORDS.pop(_k, None)  # not Ñ words (or dubious); listed above only to be explicit

# ~150 common Mexican given names (single; compounds are built from them)
MX_GIVEN = [
    "José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Francisco", "Antonio", "Alejandro",
    "Pedro", "Manuel", "Jorge", "Ricardo", "Fernando", "Roberto", "Javier", "Eduardo", "Sergio",
    "Raúl", "Arturo", "Daniel", "Alberto", "Héctor", "Rafael", "Mario", "Enrique", "Martín",
    "Óscar", "Víctor", "Gerardo", "Ramón", "Alfredo", "Armando", "Guillermo", "Rubén", "Ángel",
    "Salvador", "Ignacio", "Gabriel", "Andrés", "Pablo", "Diego", "David", "Hugo", "Adrián",
    "Raymundo", "Rodolfo", "Gustavo", "Octavio", "Ernesto", "Israel", "Joaquín", "Marco",
    "Agustín", "Rogelio", "Felipe", "Tomás", "Emilio", "Ismael", "Abel", "Benjamín", "Cristian",
    "Edgar", "Efraín", "Esteban", "Fabián", "Federico", "Gilberto", "Gonzalo", "Humberto",
    "Iván", "Jaime", "Julio", "Leonardo", "Lorenzo", "Marcos", "Mauricio", "Moisés", "Nicolás",
    "Noé", "Omar", "Orlando", "Patricio", "Ramiro", "Reynaldo", "Rigoberto", "Santiago", "Saúl",
    "Teodoro", "Ulises", "Valentín", "Vicente", "Xavier", "Zacarías", "Bernardo", "Heriberto",
    "María", "Guadalupe", "Ana", "Rosa", "Laura", "Patricia", "Verónica", "Gabriela", "Adriana",
    "Claudia", "Leticia", "Margarita", "Alejandra", "Silvia", "Elizabeth", "Teresa", "Martha",
    "Carmen", "Yolanda", "Araceli", "Beatriz", "Diana", "Norma", "Sandra", "Mónica", "Lucía",
    "Isabel", "Elena", "Fernanda", "Daniela", "Mariana", "Sofía", "Valeria", "Ximena", "Paola",
    "Karla", "Lorena", "Rocío", "Esperanza", "Dolores", "Angélica", "Brenda", "Cecilia",
    "Erika", "Graciela", "Irma", "Josefina", "Liliana", "Miriam", "Nancy", "Ofelia", "Pilar",
    "Susana", "Viridiana", "Yesenia", "Alma", "Blanca", "Cristina", "Estela", "Gloria",
]
MX_GIVEN_M = MX_GIVEN[:MX_GIVEN.index("María")]
MX_GIVEN_F = MX_GIVEN[MX_GIVEN.index("María"):]
MX_GIVEN_COMPOUND = [
    "José Luis", "Juan Carlos", "José Antonio", "Juan Manuel", "Miguel Ángel", "Luis Alberto",
    "Jesús Manuel", "José Manuel", "Juan José", "Luis Fernando", "José Alfredo", "Carlos Alberto",
    "Jorge Luis", "Víctor Manuel", "Juan Pablo", "José Guadalupe", "María Guadalupe",
    "María del Carmen", "Ana María", "María Elena", "Rosa María", "María Fernanda",
    "María de Jesús", "María Teresa", "Ana Laura", "Martha Patricia", "María de los Ángeles",
]
# ~200 common Mexican surnames
MX_SURNAMES = [
    "Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez", "Sánchez",
    "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres",
    "Díaz", "Gutiérrez", "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero",
    "Álvarez", "Méndez", "Chávez", "Rivera", "Juárez", "Ramos", "Domínguez", "Herrera", "Medina",
    "Castro", "Vargas", "Guzmán", "Velázquez", "Muñoz", "Rojas", "Contreras", "Salazar", "Luna",
    "Ortega", "Santiago", "Guerrero", "Bautista", "Estrada", "Cortés", "Soto", "Alvarado",
    "Espinoza", "Lara", "Ávila", "Ríos", "Cervantes", "Silva", "Delgado", "Vega", "Márquez",
    "Sandoval", "Fernández", "León", "Carrillo", "Mejía", "Solís", "Núñez", "Rosas", "Valdez",
    "Ibarra", "Campos", "Santos", "Camacho", "Navarro", "Peña", "Maldonado", "Rosales",
    "Acosta", "Miranda", "Trejo", "Valencia", "Nava", "Pacheco", "Robles", "Molina", "Rangel",
    "Fuentes", "Huerta", "Padilla", "Espinosa", "Cabrera", "Ayala", "Salinas", "Cárdenas",
    "Orozco", "Valenzuela", "Zamora", "Ochoa", "Benítez", "Ponce", "Villegas", "Serrano",
    "Galván", "Sosa", "Cuevas", "Aguirre", "Barrera", "Cano", "Osorio", "Duarte", "Villa",
    "Arellano", "Bravo", "Calderón", "Escobar", "Escobedo", "Figueroa", "Galindo", "Gallegos",
    "Garza", "Lozano", "Macías", "Montes", "Mora", "Olvera", "Palacios", "Quintero", "Rubio",
    "Suárez", "Tapia", "Toledo", "Urbina", "Vera", "Zavala", "Zúñiga", "Arias", "Avendaño",
    "Barajas", "Becerra", "Beltrán", "Blanco", "Bustamante", "Cázares", "Ceballos", "Cisneros",
    "Corona", "Córdova", "Cuéllar", "De la Cruz", "Escamilla", "Esquivel", "Farías", "Gallardo",
    "Gil", "Granados", "Guerra", "Hidalgo", "Ibáñez", "Lira", "Lugo", "Magaña", "Manzano",
    "Marín", "Meza", "Montoya", "Muñiz", "Nieto", "Olivares", "Oropeza", "Pineda", "Quiroz",
    "Rocha", "Sáenz", "Salas", "Solano", "Tovar", "Trujillo", "Uribe", "Valle", "Vallejo",
    "Velasco", "Villanueva", "Zepeda", "Almaraz", "Arriaga", "Bernal", "Cantú", "Carrasco",
    "Cortez", "Dávila", "Del Ángel", "Enríquez", "Franco", "Godínez", "Islas", "Jaramillo",
    "Leyva", "Mata", "Mireles", "Neri", "Ocampo", "Pantoja", "Patiño", "Quezada", "Reséndiz",
    "Sierra", "Tamayo", "Varela", "Yáñez", "Zaragoza", "Alcántara", "Armenta", "Baca",
]
MX_PLACES = [
    "Querétaro", "Jalisco", "Sinaloa", "Sonora", "Chihuahua", "Durango", "Puebla", "Oaxaca",
    "Veracruz", "Yucatán", "Tabasco", "Chiapas", "Hidalgo", "Morelos", "Nayarit", "Colima",
    "Zacatecas", "Guanajuato", "Aguascalientes", "Coahuila", "Tamaulipas", "Campeche",
    "Monterrey", "Guadalajara", "Toluca", "Saltillo", "Torreón", "Mérida", "Cancún", "Tijuana",
    "Mexicali", "Ensenada", "Hermosillo", "Mazatlán", "Culiacán", "Los Mochis", "Tepic",
    "Morelia", "Uruapan", "Celaya", "Irapuato", "León", "Pachuca", "Cuernavaca", "Acapulco",
    "Tampico", "Reynosa", "Matamoros", "Nuevo Laredo", "Ciudad Juárez", "Zapopan", "Tlaquepaque",
    "Tlalnepantla", "Ecatepec", "Xalapa", "Orizaba", "Córdoba", "Villahermosa", "Tuxtla",
    "Oriente", "Occidente", "Bajío", "Golfo", "Pacífico", "Sureste", "Noroeste", "Centro",
    "Anáhuac", "Chapala", "Tequila", "Valle de Bravo", "San Miguel", "Santa Fe", "Las Lomas",
]
MX_REGIONS = {"Oriente", "Occidente", "Bajío", "Golfo", "Pacífico", "Sureste", "Noroeste", "Centro"}
MX_SECTORS = [
    "Transportes", "Comercializadora", "Servicios", "Distribuidora", "Constructora",
    "Inmobiliaria", "Abarrotes", "Farmacia", "Ferretería", "Autotransportes", "Agrícola",
    "Grupo", "Materiales", "Refaccionaria", "Talleres", "Productos", "Alimentos", "Lácteos",
    "Carnes", "Papelería", "Muebles", "Textiles", "Consultores", "Despacho", "Clínica",
    "Laboratorios", "Hotel", "Restaurante", "Panificadora", "Tortillería", "Purificadora",
    "Importadora", "Exportadora", "Desarrollos", "Industrias", "Maquinaria", "Fletes",
    "Logística", "Seguridad Privada", "Agroindustrias", "Acabados", "Aceros", "Plásticos",
    "Empaques", "Mudanzas", "Gasolinera", "Viajes", "Operadora", "Arrendadora", "Estética",
]
MX_LEGAL = [
    ("S.A. de C.V.", 0.45), ("S. de R.L. de C.V.", 0.22), ("S.A.P.I. de C.V.", 0.08),
    ("S.C.", 0.07), ("SA DE CV", 0.08), ("S DE RL DE CV", 0.04), ("S.A.", 0.03),
    ("S. de P.R. de R.L.", 0.03),
]
# real Spanish words used as distinctive words (company near-misses, invented company names)
SPANISH_WORDS = [
    "SOL", "MAR", "LUZ", "PAZ", "RIO", "ORO", "FE", "CIMA", "ROCA", "ALBA", "BRISA", "PALMA",
    "NUBE", "LAGO", "OLIVO", "ROBLE", "CEDRO", "PINO", "ARCO", "FARO", "PUENTE", "TORRE",
    "AURORA", "CASCADA", "DIAMANTE", "ESTRELLA", "FENIX", "GALAXIA", "HORIZONTE", "JARDIN",
    "LAGUNA", "MONTANA", "OASIS", "PIRAMIDE", "PRADERA", "SENDERO", "TIERRA", "VALLE", "VIENTO",
    "AGUILA", "HALCON", "CONDOR", "JAGUAR", "PUMA", "LOBO", "VENADO", "CIERVO", "DELFIN",
    "GAVIOTA", "COLIBRI", "PALOMA", "GOLONDRINA", "MARIPOSA", "LUCERO", "CAMINO", "RUMBO",
    "DESTINO", "ALIANZA", "PROGRESO", "VICTORIA", "TRIUNFO", "ESPERANZA", "CONFIANZA",
    "ARMONIA", "EQUILIBRIO", "ENERGIA", "IMPULSO", "EXITO", "FUTURO", "ORIGEN", "RAIZ",
    "SEMILLA", "COSECHA", "MANANTIAL", "ARROYO", "COLINA", "MESETA", "CANADA", "BAHIA",
    "ISLA", "COSTA", "PLAYA", "ARENA", "PIEDRA", "CANTERA", "MARMOL", "CRISTAL", "ESMERALDA",
    "RUBI", "ZAFIRO", "PERLA", "CORAL", "AMBAR", "PLATA", "BRONCE", "HIERRO", "COBRE",
    "TRIGO", "MAIZ", "AGAVE", "NOPAL", "MAGUEY", "CACTUS", "NARANJO", "LIMONERO", "MANZANO",
    "GIRASOL", "AZUCENA", "GARDENIA", "MARGARITA", "VIOLETA", "TULIPAN", "ORQUIDEA", "LIRIO",
    "AMANECER", "ATARDECER", "PRIMAVERA", "VERANO", "OTONO", "INVIERNO", "CENIT", "ORIENTE",
    "MERIDIANO", "PARALELO", "BRUJULA", "ANCLA", "VELERO", "TIMON", "MIRADOR", "PORTAL",
    "ALAMEDA", "GLORIETA", "PLAZUELA", "HACIENDA", "RANCHO", "ESTANCIA", "ALDEA", "VILLA",
    "FORTALEZA", "CASTILLO", "CORONA", "EMBLEMA", "ESTANDARTE", "BANDERA", "ESCUDO",
    "RELAMPAGO", "TRUENO", "CENTELLA", "CHISPA", "LLAMA", "FLAMA", "ANTORCHA", "LINTERNA",
    "SOLSTICIO", "ECLIPSE", "COMETA", "PLANETA", "LUNAR", "SOLAR", "BOREAL", "AUSTRAL",
    "TERRAZA", "BALCON", "PATIO", "MOLINO", "NORIA", "ACUEDUCTO", "CAUCE", "RIBERA",
    "ORILLA", "ESTUARIO", "ATOLON", "ARRECIFE", "VOLCAN", "CRATER", "CUMBRE", "LADERA",
    "PRADO", "SABANA", "SELVA", "BOSQUE", "ALAMO", "SAUCE", "ENCINO", "NOGAL", "CIPRES",
    "MEZQUITE", "HUIZACHE", "CAOBA", "EBANO", "BAMBU", "TAMARINDO", "GUAYABO", "MANGO",
]
PLACEHOLDER_NAMES = [
    "Cliente Sin Nombre", "Contraparte Pendiente", "Proveedor No Identificado",
    "Beneficiario Desconocido", "Titular Por Confirmar", "Registro Incompleto",
    "Cuenta Sin Titular", "Ordenante No Capturado", "Tercero Sin Datos", "Remitente Anonimo",
    "Unknown Customer", "Name Not Provided", "Cliente Generico", "Razon Social Pendiente",
]

QWERTY_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]

# identifiers that are used by the labelled_identifier kind (label regex -> kind)
ID_LABELS = [
    (r"R\.F\.C\.(?:\s*#)?", "rfc"),
    (r"RFC", "rfc"),
    (r"C\.U\.R\.P\.(?:\s*#)?", "curp"),
    (r"CURP", "curp"),
    (r"C\.U\.I\.P\.", "cuip"),
    (r"Passport", "passport"),
    (r"Cedula No\.", "cedula"),
    (r"I\.F\.E\.", "ife"),
    (r"Electoral Registry No\.", "electoral"),
    (r"Credencial electoral", "credencial"),
    (r"Cartilla de Servicio Militar Nacional", "cartilla"),
    (r"National ID No\.", "national_id"),
    (r"Tax ID No\.", "tax_id"),
    (r"IMO", "imo"),
    (r"SWIFT/BIC", "swift"),
]
ID_FORMATS = {
    "rfc": ["R.F.C. {fmt}", "RFC {compact}", "RFC: {fmt}", "R.F.C.: {compact}", "rfc {compact_lower}", "RFC {fmt}"],
    "curp": ["C.U.R.P. {compact}", "CURP: {compact}", "CURP {compact}", "curp {compact_lower}", "C.U.R.P.: {compact}"],
    "cuip": ["C.U.I.P. {compact}", "CUIP {compact}", "CUIP: {compact}"],
    "passport": ["Passport No. {raw}", "Passport {raw}", "Pasaporte {raw}", "PASSPORT #{raw}", "Pasaporte No. {raw}"],
    "cedula": ["Cedula No. {raw}", "Cédula {raw}", "CEDULA NO. {raw}", "Cedula: {raw}"],
    "ife": ["I.F.E. {raw}", "IFE {raw}", "IFE: {raw}", "INE {raw}"],
    "electoral": ["Electoral Registry No. {raw}", "Clave de elector {raw}", "CLAVE ELECTOR: {raw}", "INE clave {raw}"],
    "credencial": ["Credencial electoral {raw}", "Credencial para votar {raw}", "INE {raw}"],
    "cartilla": ["Cartilla de Servicio Militar Nacional {raw}", "Cartilla Militar {raw}", "Cartilla SMN {raw}"],
    "national_id": ["National ID No. {raw}", "National ID {raw}", "NATIONAL ID: {raw}"],
    "tax_id": ["Tax ID No. {raw}", "Tax ID {raw}", "TAX ID: {raw}"],
    "imo": ["IMO {raw}", "IMO No. {raw}", "IMO: {raw}"],
    "swift": ["SWIFT/BIC {raw}", "SWIFT {raw}", "BIC: {raw}"],
}

MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}


# --------------------------------------------------------------------------
# normalisation helpers
# --------------------------------------------------------------------------
def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def norm(s: str) -> str:
    """lowercase, no accents, no punctuation, single spaces"""
    s = strip_accents(s).lower().replace(".", "").replace("'", "")
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return " ".join(s.split())


def ukey(tok: str) -> str:
    """upper-case key of a token: no accents, no dots/commas/quotes"""
    return re.sub(r"[.,'\"]", "", strip_accents(tok).upper())


def phon(tok: str) -> str:
    """a crude Spanish phonetic key of one (normalised) token"""
    t = norm(tok).replace(" ", "")
    t = t.replace("ñ", "n")
    t = re.sub(r"^h", "", t)
    t = re.sub(r"(?<=[^c])h", "", t)
    t = t.replace("qu", "k").replace("ll", "y").replace("ch", "x")
    t = re.sub(r"c(?=[ei])", "s", t)
    t = re.sub(r"g(?=[ei])", "j", t)
    t = t.replace("c", "k").replace("z", "s").replace("v", "b").replace("w", "u")
    t = t.replace("x", "j").replace("gu", "g")
    t = re.sub(r"y(?=[^aeiou]|$)", "i", t)
    t = re.sub(r"(.)\1+", r"\1", t)
    return t


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def similar_token(a: str, b: str) -> bool:
    """True when two tokens could be read as the same word (spelling variants)"""
    na, nb = norm(a).replace(" ", ""), norm(b).replace(" ", "")
    if na == nb or phon(na) == phon(nb):
        return True
    d = levenshtein(na, nb)
    return d <= 1 or (d <= 2 and min(len(na), len(nb)) >= 6)


def recase(new: str, template: str) -> str:
    if template.isupper():
        return new.upper()
    if template[:1].isupper():
        return new[:1].upper() + new[1:].lower()
    return new.lower()


# --------------------------------------------------------------------------
# reading the OFAC files
# --------------------------------------------------------------------------
def read_ofac_csv(path: str) -> list[list[str]]:
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    text = text.replace("\x1a", "")
    rows = []
    for r in csv.reader(io.StringIO(text)):
        if not r or not r[0].strip():
            continue
        rows.append([("" if c.strip() == "-0-" else c.strip()) for c in r])
    return rows


@dataclass
class Person:
    given: list  # list of units, each a list of words
    surn: list   # list of units, each a list of words
    suffix: str = ""


@dataclass
class Entity:
    core: list   # words
    legal: str   # legal form text as listed ('' when none)
    comma: bool  # a comma separated core and legal form


@dataclass
class Entry:
    ent: str
    sdn_type: str          # 'person' | 'company' | 'organization'
    primary: str
    aliases: list          # strong aliases (aka)
    remarks: str
    dobs: list = field(default_factory=list)  # ISO dates
    ids: list = field(default_factory=list)   # (kind, label, raw)


def group_units(words: list[str]) -> list[list[str]]:
    """attach particles (DE, DEL, LA ...) to the following word"""
    units, pending = [], []
    for w in words:
        if ukey(w) in PARTICLES:
            pending.append(w)
            continue
        units.append(pending + [w])
        pending = []
    if pending:
        if units:
            units[-1].extend(pending)
        else:
            units.append(pending)
    return units


def parse_person(name: str) -> Person | None:
    name = name.replace('"', "").strip()
    if "," not in name:
        words = name.split()
        if len(words) < 2:
            return None
        return Person(group_units(words[:-2] or words[:1]), group_units(words[-2:] if len(words) > 2 else words[1:]))
    parts = [p.strip() for p in name.split(",")]
    suffix = ""
    keep = []
    for p in parts:
        if ukey(p) in {ukey(s) for s in SUFFIXES}:
            suffix = p
        else:
            keep.append(p)
    if len(keep) < 2:
        return None
    sur_words, given_words = keep[0].split(), " ".join(keep[1:]).split()
    clean_sur = []
    for w in sur_words:
        if ukey(w) in {ukey(s) for s in SUFFIXES}:
            suffix = w
        else:
            clean_sur.append(w)
    clean_given = []
    for w in given_words:
        if ukey(w) in {ukey(s) for s in SUFFIXES}:
            suffix = suffix or w
        else:
            clean_given.append(w)
    if not clean_sur or not clean_given:
        return None
    return Person(group_units(clean_given), group_units(clean_sur), suffix)


def parse_entity(name: str) -> Entity:
    name = name.replace('"', "").strip()
    name = re.sub(r"(?<![A-Za-z])'|'(?![A-Za-z])", "", name)  # quotes around a name part
    words = name.split()
    i = len(words)
    while i > 1 and ukey(words[i - 1]) in LEGAL_TOKENS and not words[i - 2].endswith(",") and not words[i - 1].endswith(","):
        i -= 1
    if i > 1 and words[i - 2].endswith(",") and ukey(words[i - 1]) in LEGAL_TOKENS and not words[i - 1].endswith(","):
        i -= 1  # the legal form starts right after the comma
    # a legal form does not start with DE / EN / A / Y
    while i < len(words) and ukey(words[i]) in {"DE", "EN", "Y"}:
        i += 1
    legal_words = words[i:]
    is_aenp = " ".join(ukey(w) for w in legal_words) == "A EN P"  # asociacion en participacion
    if not legal_words or not (is_aenp or any(ukey(w) in LEGAL_ANCHORS for w in legal_words)) or i == 0:
        core = [w.rstrip(",") for w in words]
        return Entity([w for w in core if w], "", False)
    core_words = words[:i]
    comma = core_words[-1].endswith(",")
    core = [w.rstrip(",") for w in core_words]
    return Entity([w for w in core if w], " ".join(legal_words), comma)


def iso_dobs(remarks: str) -> list[str]:
    out = []
    for d, m, y in re.findall(r"DOB (\d{1,2}) ([A-Z][a-z]{2}) (\d{4})(?=;|\.|$| )", remarks):
        if m in MONTHS:
            try:
                out.append(_dt.date(int(y), MONTHS[m], int(d)).isoformat())
            except ValueError:
                pass
    return out


def parse_ids(remarks: str) -> list[tuple[str, str, str]]:
    out = []
    for item in remarks.split(";"):
        item = item.strip().rstrip(".")
        item = re.sub(r"^alt\.\s+", "", item)
        for lab_re, kind in ID_LABELS:
            m = re.match(r"(" + lab_re + r")\s*:?\s*(.+)$", item)
            if not m:
                continue
            val = m.group(2)
            val = re.split(r"\s*\(|\s+issued|\s+expires", val)[0].strip()
            val = val.lstrip("#").strip()
            if not re.search(r"\d", val) or len(re.sub(r"[^A-Za-z0-9]", "", val)) < 5:
                break
            out.append((kind, m.group(1), val))
            break
    return out


def entity_kind(name: str, remarks: str) -> str:
    e = parse_entity(name)
    core = " " + norm(" ".join(e.core)) + " "
    legal = norm(e.legal)
    if re.search(r" (cartel|organizacion|organization|club|asociacion|fundacion|foundation) ", core):
        return "organization"
    if legal in {"ac", "a c", "asociacion civil", "sc", "s c", "sociedad civil"}:
        return "organization"
    return "company"


def load(sdn_dir: str):
    sdn = read_ofac_csv(os.path.join(sdn_dir, "sdn.csv"))
    alt = read_ofac_csv(os.path.join(sdn_dir, "alt.csv"))
    alts_by_ent = defaultdict(list)
    for r in alt:
        if len(r) >= 4:
            alts_by_ent[r[0]].append((r[2].lower(), r[3]))
    all_names = []  # (ent, name, is_person) for every listed name in the file set
    population = []
    remarks_by_ent = {}
    for r in sdn:
        if len(r) < 12:
            r = r + [""] * (12 - len(r))
        ent, name, typ, prog, remarks = r[0], r[1], r[2].lower(), r[3], r[11]
        remarks_by_ent[ent] = remarks
        is_person = typ == "individual"
        all_names.append((ent, name, is_person))
        for at, an in alts_by_ent.get(ent, []):
            all_names.append((ent, an, is_person))
        if not re.search(r"SDNTK|SDNT|ILLICIT-DRUGS", prog) or "Mexico" not in remarks:
            continue
        if typ not in ("individual", ""):
            continue
        sdn_type = "person" if is_person else entity_kind(name, remarks)
        akas = []
        for at, an in alts_by_ent.get(ent, []):
            if at != "aka":
                continue
            an = an.strip()
            if len(norm(an)) < 5 or len([w for w in norm(an).split() if w.isalpha()]) < 2:
                continue  # single-token / acronym aliases are too weak for name variants
            if is_person and parse_person(an) is None:
                continue
            akas.append(an)
        e = Entry(ent, sdn_type, name, akas, remarks, iso_dobs(remarks), parse_ids(remarks))
        population.append(e)
    return population, all_names, remarks_by_ent


# --------------------------------------------------------------------------
# the listed-name index: exact names and token-set containment
# --------------------------------------------------------------------------
def core_tokens(name: str) -> list[str]:
    toks = norm(name).split()
    out = [t for t in toks if t.upper() not in STOP and t.upper() not in LEGAL_TOKENS]
    return out or toks


class ListedIndex:
    def __init__(self, all_names):
        self.exact = defaultdict(set)   # normalised name (and its core without legal form) -> ents
        self.full = defaultdict(set)    # normalised name exactly as listed -> ents
        self.sorted = defaultdict(set)  # sorted tokens -> ents
        self.sets = []                  # (frozenset tokens, frozenset phonetic tokens, ent)
        self.by_tok = defaultdict(list)
        self.by_ptok = defaultdict(list)
        for ent, name, is_person in all_names:
            n = norm(name)
            if not n:
                continue
            self.exact[n].add(ent)
            self.full[n].add(ent)
            self.exact[" ".join(core_tokens(name))].add(ent)
            self.sorted[" ".join(sorted(n.split()))].add(ent)
            self.sorted[" ".join(sorted(core_tokens(name)))].add(ent)
            toks = frozenset(core_tokens(name))
            ptoks = frozenset(phon(t) for t in toks)
            idx = len(self.sets)
            self.sets.append((toks, ptoks, ent))
            for t in toks:
                self.by_tok[t].append(idx)
            for t in ptoks:
                self.by_ptok[t].append(idx)

    def ids_equal(self, name: str) -> set:
        n = norm(name)
        out = set(self.exact.get(n, ())) | set(self.exact.get(" ".join(core_tokens(name)), ()))
        out |= self.sorted.get(" ".join(sorted(n.split())), set())
        out |= self.sorted.get(" ".join(sorted(core_tokens(name))), set())
        return out

    def conflicts(self, name: str) -> bool:
        """True if `name` is (or contains, or is contained in) a listed name,
        also after a crude phonetic normalisation of the tokens"""
        if self.ids_equal(name):
            return True
        toks = frozenset(core_tokens(name))
        ptoks = frozenset(phon(t) for t in toks)
        cand = set()
        for t in toks:
            cand.update(self.by_tok.get(t, ()))
        for t in ptoks:
            cand.update(self.by_ptok.get(t, ()))
        for idx in cand:
            ltoks, lptoks, _ = self.sets[idx]
            for a, b in ((ltoks, toks), (lptoks, ptoks)):
                if a == b:
                    return True
                if len(a) >= 2 and a <= b:
                    return True
                if len(b) >= 2 and b <= a:
                    return True
        return False


# --------------------------------------------------------------------------
# rendering: names as token lists with roles
# --------------------------------------------------------------------------
# roles: given, surname, particle, core, stop, legal, punct, suffix, extra
NAME_ROLES = ("given", "surname", "core")


def toks_person(p: Person, order: str, units_override=None) -> list[list[str]]:
    """order: listed (SUR SUR, Given), natural (Given SUR SUR), surfirst (SUR SUR Given)"""
    def unit_tokens(unit, role):
        return [[w, "particle" if (ukey(w) in PARTICLES and len(unit) > 1) else role] for w in unit]
    out = []
    if units_override is not None:
        for unit, role in units_override:
            out += unit_tokens(unit, role)
        return out
    g = [t for u in p.given for t in unit_tokens(u, "given")]
    s = [t for u in p.surn for t in unit_tokens(u, "surname")]
    suf = [[p.suffix, "suffix"]] if p.suffix else []
    if order == "listed":
        return s + suf + [[",", "punct"]] + g
    if order == "surfirst":
        return s + suf + g
    return g + s + suf


def toks_entity(e: Entity, legal: str | None = None, comma: bool | None = None) -> list[list[str]]:
    out = [[w, "stop" if ukey(w) in STOP else "core"] for w in e.core]
    legal = e.legal if legal is None else legal
    comma = e.comma if comma is None else comma
    if legal:
        if comma:
            out.append([",", "punct"])
        out += [[w, "legal"] for w in legal.split()]
    return out


def apply_case(tokens, style: str):
    out = []
    first = True
    for w, role in tokens:
        if role == "punct" or style == "orig":
            out.append([w, role])
        elif style == "upper":
            out.append([w.upper(), role])
        elif style == "lower":
            out.append([w.lower(), role])
        else:  # title
            if role == "legal":
                w2 = w.lower() if ukey(w) in {"DE", "EN", "Y"} else w
            elif role in ("stop", "particle") and not first:
                w2 = w.lower()
            else:
                w2 = "-".join(x[:1].upper() + x[1:].lower() for x in w.split("-"))
            out.append([w2, role])
        if role != "punct":
            first = False
    return out


def render(tokens) -> str:
    s = ""
    for w, role in tokens:
        if role == "punct":
            s += w
        else:
            s += (" " if s else "") + w
    return s


def legal_plain(legal: str) -> str:
    """S.A. DE C.V. -> SA DE CV"""
    return " ".join(w.replace(".", "") for w in legal.split())


def pick_case(rng, person: bool) -> str:
    r = rng.random()
    if person:
        return "orig" if r < 0.35 else ("upper" if r < 0.70 else "title")
    return "upper" if r < 0.65 else "title"


def base_tokens(rng, src_parsed, person: bool, allow_natural=True, legal_variation=True):
    """listed-like rendering (before case) with the usual harmless variation"""
    if person:
        order = "natural" if (allow_natural and rng.random() < 0.5) else "listed"
        return toks_person(src_parsed, order)
    e = src_parsed
    legal, comma = e.legal, e.comma
    if legal and legal_variation:
        if rng.random() < 0.25:
            legal = legal_plain(legal)
        if rng.random() < 0.3:
            comma = not comma
    return toks_entity(e, legal, comma)


def name_positions(tokens, roles=NAME_ROLES, min_len=1):
    return [i for i, (w, r) in enumerate(tokens) if r in roles and len(w) >= min_len and re.search(r"[A-Za-zÀ-ÿ]", w)]


# --------------------------------------------------------------------------
# character-level edits
# --------------------------------------------------------------------------
def _neighbours():
    pos = {}
    for r, row in enumerate(QWERTY_ROWS):
        for c, ch in enumerate(row):
            pos[ch] = (r, c + 0.5 * r)
    nb = {}
    for a, (ra, ca) in pos.items():
        nb[a] = [b for b, (rb, cb) in pos.items() if a != b and abs(ra - rb) <= 1 and abs(ca - cb) <= 1.0]
    return nb


NEIGHBOURS = _neighbours()


def keyboard_typo(rng, word: str) -> str | None:
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    if len(letters) < 4:
        return None
    # the first letter is typed wrongly less often
    weights = [0.3 if i == letters[0] else 1.0 for i in letters]
    i = rng.choices(letters, weights)[0]
    ch = word[i]
    low = strip_accents(ch).lower()
    op = rng.choice(["sub", "sub", "del", "ins", "trans"])
    if op == "sub" and low in NEIGHBOURS:
        new = rng.choice(NEIGHBOURS[low])
        new = new.upper() if ch.isupper() else new
        out = word[:i] + new + word[i + 1:]
    elif op == "del":
        out = word[:i] + word[i + 1:]
    elif op == "ins" and low in NEIGHBOURS:
        new = rng.choice(NEIGHBOURS[low] + [low])
        new = new.upper() if ch.isupper() else new
        out = word[:i + 1] + new + word[i + 1:] if rng.random() < 0.5 else word[:i] + new + word[i:]
    else:
        j = i + 1 if i + 1 < len(word) and word[i + 1].isalpha() else i - 1
        if j < 0 or word[j] == word[i]:
            return None
        a, b = min(i, j), max(i, j)
        out = word[:a] + word[b] + word[a] + word[b + 1:]
    return out if out != word else None


OCR_RULES = [
    ("I", ["1", "l"]), ("l", ["1", "I"]), ("1", ["l", "I"]),
    ("O", ["0"]), ("o", ["0"]), ("0", ["O"]),
    ("S", ["5"]), ("s", ["5"]), ("5", ["S"]),
    ("B", ["8"]), ("8", ["B"]),
    ("rn", ["m"]), ("RN", ["M"]), ("m", ["rn"]), ("M", ["RN"]),
    ("cl", ["d"]), ("CL", ["D"]), ("d", ["cl"]), ("D", ["CL"]),
    ("vv", ["w"]), ("VV", ["W"]), ("w", ["vv"]), ("W", ["VV"]),
]


def ocr_once(rng, word: str) -> str | None:
    opts = []
    for src, dsts in OCR_RULES:
        start = 0
        while True:
            k = word.find(src, start)
            if k < 0:
                break
            for d in dsts:
                opts.append((k, src, d))
            start = k + 1
    if not opts:
        return None
    k, src, d = rng.choice(opts)
    return word[:k] + d + word[k + len(src):]


VOWELS = set("aeiouáéíóúü")


def phonetic_options(word: str) -> list[str]:
    """all single Spanish/English spelling variants of a word"""
    key = ukey(word)
    w = word.lower()
    out = []

    def sub(i, j, rep):
        out.append(w[:i] + rep + w[j:])

    for m in re.finditer(r"z", w):
        sub(m.start(), m.end(), "s")
    for m in re.finditer(r"s", w):
        if m.start() > 0:
            sub(m.start(), m.end(), "z")
    for m in re.finditer(r"c(?=[ei])", w):
        sub(m.start(), m.end(), "s")
    for m in re.finditer(r"(?<!s)s(?=[ei])", w):
        sub(m.start(), m.end(), "c")
    for m in re.finditer(r"v", w):
        sub(m.start(), m.end(), "b")
    for m in re.finditer(r"b", w):
        sub(m.start(), m.end(), "v")
    for m in re.finditer(r"(?<=[aeiou])y(?=[aeiou])", w):
        sub(m.start(), m.end(), "ll")
    for m in re.finditer(r"y(?![aeiou])", w):
        sub(m.start(), m.end(), "i")
    for m in re.finditer(r"ll", w):
        sub(m.start(), m.end(), "y")
    for m in re.finditer(r"(?<=[aeiou])i$", w):
        sub(m.start(), m.end(), "y")
    if w.startswith("h") and len(w) > 3:
        sub(0, 1, "")
    if w[:1] in "aeiou" and len(w) > 3:
        out.append("h" + w)
    for m in re.finditer(r"qu(?=[ei])", w):
        sub(m.start(), m.end(), "k")
    for m in re.finditer(r"k", w):
        nxt = w[m.end():m.end() + 1]
        sub(m.start(), m.end(), "qu" if nxt in ("e", "i") else "c")
    for m in re.finditer(r"x", w):
        if m.start() > 0 or len(w) > 3:
            sub(m.start(), m.end(), "j")
    for m in re.finditer(r"j", w):
        sub(m.start(), m.end(), "x")
    for m in re.finditer(r"gu(?=[ei])", w):
        sub(m.start(), m.end(), "gü")
    for m in re.finditer(r"gü", w):
        sub(m.start(), m.end(), "gu")
    for m in re.finditer(r"ñ", w):
        sub(m.start(), m.end(), "n")
        sub(m.start(), m.end(), "ny")
    if key in N_TILDE_WORDS:
        t = N_TILDE_WORDS[key].lower()
        out.append(t)
        out.append(t.replace("ñ", "ny"))
    for m in re.finditer(r"(rr|ll|ss|nn|tt|cc|ff|mm|pp)", w):
        sub(m.start(), m.end(), m.group(1)[0])
    for m in re.finditer(r"(?<=[aeiou])([rlsnt])(?=[aeiou])", w):
        if w[m.start() - 1:m.start()] != m.group(1):
            sub(m.start(), m.end(), m.group(1) * 2)
    res = []
    for o in out:
        if o != w and len(o) >= 2 and o not in res:
            res.append(o)
    return res


def vowel_drop(word: str) -> str:
    if len(word) < 3:
        return word
    return word[0] + "".join(c for c in word[1:] if c.lower() not in VOWELS)


# --------------------------------------------------------------------------
# the case record
# --------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    type: str
    cls: str
    expected: str = ""
    country: str = ""
    dob: str = ""
    identifier: str = ""


class Generator:
    def __init__(self, population, all_names, remarks_by_ent, seed):
        self.pop = population
        self.index = ListedIndex(all_names)
        self.remarks_by_ent = remarks_by_ent
        self.seed = seed
        self.persons = [e for e in population if e.sdn_type == "person"]
        self.entities = [e for e in population if e.sdn_type != "person"]
        # document frequency of tokens over all listed names (distinctive word detection)
        self.df = Counter()
        for _, n, _ in all_names:
            for t in set(norm(n).split()):
                self.df[t] += 1
        # identifier index over all remarks: compact value -> ents
        self.id_index = defaultdict(set)
        for ent, rem in remarks_by_ent.items():
            for kind, lab, raw in parse_ids(rem):
                self.id_index[re.sub(r"[^A-Z0-9]", "", raw.upper())].add(ent)

    # ---- helpers --------------------------------------------------------
    def rng_for(self, kind: str) -> random.Random:
        return random.Random(f"{self.seed}:{kind}")

    def expected(self, entry: Entry, src_name: str, variant: str) -> str:
        ids = {entry.ent} | self.index.ids_equal(src_name) | self.index.ids_equal(variant)
        return "|".join("ofac-" + i for i in sorted(ids, key=lambda x: int(x) if x.isdigit() else 0))

    def type_col(self, rng, t: str) -> str:
        return "" if rng.random() < EMPTY_TYPE_P else t

    def pick_name(self, rng, entry: Entry, primary_p=0.7) -> str:
        if entry.aliases and rng.random() > primary_p:
            return rng.choice(entry.aliases)
        return entry.primary

    def parsed(self, entry: Entry, name: str):
        if entry.sdn_type == "person":
            return parse_person(name)
        return parse_entity(name)

    def run_kind(self, kind, pool, fn, target, primary_p=0.7, max_passes=8):
        rng = self.rng_for(kind)
        pool = list(pool)
        rng.shuffle(pool)
        seen = set()
        cases = []
        for _ in range(max_passes):
            progress = False
            for entry in pool:
                if len(cases) >= target:
                    return cases
                name = self.pick_name(rng, entry, primary_p)
                p = self.parsed(entry, name)
                if p is None:
                    continue
                res = fn(rng, entry, name, p)
                if res is None:
                    continue
                key = norm(res.name) + "|" + res.identifier + "|" + res.dob
                if key in seen or not res.name.strip():
                    continue
                seen.add(key)
                res.cls = kind
                cases.append(res)
                progress = True
            if not progress:
                break
        return cases

    def positive(self, rng, entry, src_name, variant, **kw) -> Case | None:
        if norm(variant) == norm(src_name) and not kw.get("allow_same"):
            return None
        kw.pop("allow_same", None)
        if entry.ent in self.index.full.get(norm(variant), ()):
            return None  # the "variant" is just another listed spelling of the same entry
        return Case(name=variant, type=self.type_col(rng, entry.sdn_type), cls="",
                    expected=self.expected(entry, src_name, variant), **kw)

    # ---- 1 vowels_dropped -----------------------------------------------
    def k_vowels_dropped(self, rng, entry, name, p):
        person = entry.sdn_type == "person"
        toks = base_tokens(rng, p, person)
        if not person and rng.random() < 0.6:
            # squeezed fields rarely keep the dots of the legal form
            toks = [[w.replace(".", ""), r] if r == "legal" else [w, r] for w, r in toks]
        toks = apply_case(toks, pick_case(rng, person))
        elig = name_positions(toks, min_len=3)
        if len(elig) < 2:
            return None
        changed = 0
        for i in elig:
            if rng.random() < 0.85:
                nw = vowel_drop(toks[i][0])
                if nw != toks[i][0]:
                    toks[i][0] = nw
                    changed += 1
        for i in name_positions(toks, roles=("stop", "particle"), min_len=3):
            if rng.random() < 0.5:
                toks[i][0] = vowel_drop(toks[i][0])
        if changed < max(2, (len(elig) + 1) // 2):
            # "most tokens": fall back to squeezing every name token
            for i in elig:
                toks[i][0] = vowel_drop(toks[i][0])
        return self.positive(rng, entry, name, render(toks))

    # ---- 2 reordered ----------------------------------------------------
    def k_reordered(self, rng, entry, name, p):
        if entry.sdn_type == "person":
            units = [(u, "given") for u in p.given] + [(u, "surname") for u in p.surn]
            r = rng.random()
            if r < 0.3:
                toks = toks_person(p, "natural")
            elif r < 0.65 or len(units) < 3:
                toks = toks_person(p, "surfirst")
            else:
                listed_order = [(u, "surname") for u in p.surn] + [(u, "given") for u in p.given]
                natural_order = [(u, "given") for u in p.given] + [(u, "surname") for u in p.surn]
                perm = None
                for _ in range(20):
                    cand = units[:]
                    rng.shuffle(cand)
                    if cand != listed_order and cand != natural_order:
                        perm = cand
                        break
                if perm is None:
                    return None
                toks = toks_person(p, "", units_override=perm)
            toks = apply_case(toks, pick_case(rng, True))
            return self.positive(rng, entry, name, render(toks), allow_same=False)
        e = p
        content = [i for i, w in enumerate(e.core) if ukey(w) not in STOP]
        if e.legal and (rng.random() < 0.55 or len(content) < 2):
            legal = e.legal if rng.random() < 0.6 else legal_plain(e.legal)
            toks = [[w, "legal"] for w in legal.split()] + [[w, "core"] for w in e.core]
        elif len(content) >= 2:
            i, j = sorted(rng.sample(content, 2))
            core = e.core[:]
            core[i], core[j] = core[j], core[i]
            if core == e.core:
                return None
            toks = toks_entity(Entity(core, e.legal, e.comma))
        else:
            return None
        toks = apply_case(toks, pick_case(rng, False))
        v = render(toks)
        # token swap changes the order; compare on ordered tokens, not on normalised text equality
        if norm(v) == norm(name):
            return None
        return Case(name=v, type=self.type_col(rng, entry.sdn_type), cls="",
                    expected=self.expected(entry, name, v))

    # ---- 3 truncated ----------------------------------------------------
    def k_truncated(self, rng, entry, name, p):
        person = entry.sdn_type == "person"
        toks = base_tokens(rng, p, person, legal_variation=False)
        toks = apply_case(toks, pick_case(rng, person))
        full = render(toks)
        if len(full) <= 21:
            return None
        # character spans of tokens in the rendered string
        spans, pos = [], 0
        for w, role in toks:
            if role != "punct" and pos > 0:
                pos += 1
            spans.append((pos, pos + len(w), w, role))
            pos += len(w)
        options = []
        for L in range(20, min(35, len(full) - 1) + 1):
            full_toks = [(w, r) for a, b, w, r in spans if b <= L]
            names = [(w, r) for w, r in full_toks if r in NAME_ROLES and len(w) >= 2]
            if len(names) < 2:
                continue
            if person and not any(r == "surname" for _, r in names):
                continue
            if not person and all(ukey(w) in GENERIC_BUSINESS or ukey(w) in PLACES_UPPER for w, _ in names):
                continue
            cut = full[:L].rstrip(" ,")
            if 20 <= len(cut) < len(full.rstrip(" .,")):
                options.append(cut)
        if not options:
            return None
        return self.positive(rng, entry, name, rng.choice(options))

    # ---- 4 initials -----------------------------------------------------
    def k_initials(self, rng, entry, name, p):
        dot = rng.random() < 0.6
        if entry.sdn_type == "person":
            given = [list(u) for u in p.given]
            idx = 0 if (len(given) == 1 or rng.random() < 0.7) else rng.randrange(1, len(given))
            unit = given[idx]
            w = unit[-1]
            if len(ukey(w)) < 2:
                return None
            given[idx] = [w[0] + ("." if dot else "")]
            q = Person(given, p.surn, p.suffix)
            order = "natural" if rng.random() < 0.6 else "listed"
            toks = apply_case(toks_person(q, order), pick_case(rng, True))
            return self.positive(rng, entry, name, render(toks))
        e = p
        content = [w for w in e.core if ukey(w) not in STOP]
        if len(content) < 2 or ukey(e.core[0]) in STOP or len(ukey(e.core[0])) < 2:
            return None
        core = [e.core[0][0] + ("." if dot else "")] + e.core[1:]
        legal = e.legal
        if legal and rng.random() < 0.5:
            legal = legal_plain(legal)
        toks = apply_case(toks_entity(Entity(core, legal, e.comma and rng.random() < 0.5)), pick_case(rng, False))
        return self.positive(rng, entry, name, render(toks))

    # ---- 5 ocr ----------------------------------------------------------
    def k_ocr(self, rng, entry, name, p):
        person = entry.sdn_type == "person"
        toks = apply_case(base_tokens(rng, p, person), pick_case(rng, person))
        elig = name_positions(toks, min_len=3)
        if not elig:
            return None
        n_edits = 1 if rng.random() < 0.6 else 2
        done = 0
        for _ in range(12):
            if done >= n_edits:
                break
            i = rng.choice(elig)
            nw = ocr_once(rng, toks[i][0])
            if nw is None:
                continue
            toks[i][0] = nw
            done += 1
        if not done:
            return None
        return self.positive(rng, entry, name, render(toks))

    # ---- 6 phonetic -----------------------------------------------------
    def k_phonetic(self, rng, entry, name, p):
        person = entry.sdn_type == "person"
        toks = apply_case(base_tokens(rng, p, person), pick_case(rng, person))
        elig = [i for i in name_positions(toks, min_len=3) if phonetic_options(toks[i][0])]
        if not elig:
            return None
        n_edits = 1 if rng.random() < 0.7 else 2
        for i in rng.sample(elig, min(n_edits, len(elig))):
            opts = phonetic_options(toks[i][0])
            toks[i][0] = recase(rng.choice(opts), toks[i][0])
        return self.positive(rng, entry, name, render(toks))

    # ---- 7 token_dropped ------------------------------------------------
    def k_token_dropped(self, rng, entry, name, p):
        if entry.sdn_type == "person":
            choices = []
            if len(p.given) >= 2:
                choices += [("given", i) for i in range(1, len(p.given))]
            if len(p.surn) >= 2:
                choices.append(("surn", len(p.surn) - 1))
            if not choices:
                return None
            which, i = rng.choice(choices)
            given, surn = list(p.given), list(p.surn)
            if which == "given":
                del given[i]
            else:
                del surn[i]
            if sum(len(u) for u in given) + sum(len(u) for u in surn) < 2:
                return None
            q = Person(given, surn, p.suffix)
            order = "natural" if rng.random() < 0.5 else "listed"
            toks = apply_case(toks_person(q, order), pick_case(rng, True))
            return self.positive(rng, entry, name, render(toks))
        e = p
        content = [i for i, w in enumerate(e.core) if ukey(w) not in STOP]
        if len(content) < 3:
            return None
        # keep the most distinctive (rarest listed) word; drop one of the others
        rarest = min(content, key=lambda k: (self.df[norm(e.core[k])], -len(e.core[k])))
        i = rng.choice([k for k in content if k != rarest])
        core = e.core[:]
        drop = {i}
        # a stop word left dangling before the dropped word (or at the end) goes with it
        if i - 1 >= 0 and ukey(core[i - 1]) in STOP and (i + 1 >= len(core) or ukey(core[i + 1]) in STOP):
            drop.add(i - 1)
        if i == 0:
            k = 1
            while k < len(core) and ukey(core[k]) in STOP:
                drop.add(k)
                k += 1
        core = [w for k, w in enumerate(core) if k not in drop]
        while core and ukey(core[-1]) in STOP:
            core.pop()
        remaining = [w for w in core if ukey(w) not in STOP]
        if len(remaining) < 2:
            return None
        if all(ukey(w) in GENERIC_BUSINESS or ukey(w) in PLACES_UPPER for w in remaining):
            return None
        legal = e.legal if rng.random() < 0.7 else legal_plain(e.legal)
        toks = apply_case(toks_entity(Entity(core, legal, e.comma)), pick_case(rng, False))
        return self.positive(rng, entry, name, render(toks))

    # ---- 8 typo ---------------------------------------------------------
    def k_typo(self, rng, entry, name, p, n_edits=None):
        person = entry.sdn_type == "person"
        toks = apply_case(base_tokens(rng, p, person), pick_case(rng, person))
        elig = name_positions(toks, min_len=4)
        if not elig:
            return None
        if n_edits is None:
            n_edits = 1 if rng.random() < 0.6 else 2
        done = 0
        for _ in range(10):
            if done >= n_edits:
                break
            i = rng.choice(elig)
            nw = keyboard_typo(rng, toks[i][0])
            if nw is None:
                continue
            toks[i][0] = nw
            done += 1
        if not done:
            return None
        return self.positive(rng, entry, name, render(toks))

    # ---- 9 business_abbrev ----------------------------------------------
    def k_business_abbrev(self, rng, entry, name, p):
        e = p
        core = e.core[:]
        n_abbr = 0
        for i, w in enumerate(core):
            k = ukey(w)
            if k in BUSINESS_ABBREV and rng.random() < 0.85:
                core[i] = rng.choice(BUSINESS_ABBREV[k])
                n_abbr += 1
        legal, comma = e.legal, e.comma
        lkey = " ".join(ukey(w) for w in legal.split()) if legal else ""
        can_cut = lkey in LEGAL_SHORT
        if can_cut and (n_abbr == 0 or rng.random() < 0.6):
            legal = rng.choice(LEGAL_SHORT[lkey])
            n_abbr += 1
        elif legal and rng.random() < 0.4:
            legal = legal_plain(legal)
        if n_abbr == 0:
            return None
        if rng.random() < 0.5:
            comma = False
        toks = apply_case(toks_entity(Entity(core, legal, comma)), "upper" if rng.random() < 0.7 else "title")
        return self.positive(rng, entry, name, render(toks))

    # ---- 10 extra_generic_word ------------------------------------------
    def k_extra_generic_word(self, rng, entry, name, p):
        e = p
        present = {ukey(w) for w in e.core}
        words = [w for w in GENERIC_EXTRA_WORDS if w not in present and not (w == "SERVICIOS" and "SERVICIO" in present)]
        if not words or not [w for w in e.core if ukey(w) not in STOP]:
            return None
        w = rng.choice(words)
        core = e.core[:]
        if w in ("COMERCIAL", "SERVICIOS") and rng.random() < 0.6:
            core = [w] + core
        elif rng.random() < 0.15:
            core = [w] + core
        else:
            core = core + [w]
        legal = e.legal
        if legal and rng.random() < 0.3:
            legal = legal_plain(legal)
        toks = apply_case(toks_entity(Entity(core, legal, e.comma)), pick_case(rng, False))
        return self.positive(rng, entry, name, render(toks))

    # ---- 11 labelled_identifier -----------------------------------------
    def labelled_identifier_cases(self, target):
        kind = "labelled_identifier"
        rng = self.rng_for(kind)
        items = []
        for e in self.pop:
            for idkind, lab, raw in e.ids:
                items.append((e, idkind, lab, raw))
        rng.shuffle(items)
        # one case per (entry, identifier) first, then a second format while short
        cases, seen = [], set()
        for rnd in range(3):
            for e, idkind, lab, raw in items:
                if len(cases) >= target:
                    break
                compact = re.sub(r"[^A-Za-z0-9]", "", raw).upper()
                fmts = ID_FORMATS[idkind]
                fmt = fmts[0] if rnd == 0 and rng.random() < 0.35 else rng.choice(fmts)
                if idkind == "rfc":
                    m = re.match(r"^([A-Z&]{3,4})(\d{6})([A-Z0-9]{0,3})$", compact)
                    dashed = "-".join(x for x in m.groups() if x) if m else raw
                    listed_style = lab.replace("#", "").strip() + " " + raw
                    ident = fmt.format(fmt=dashed, compact=compact, compact_lower=compact.lower(), raw=raw)
                    if rnd == 0 and rng.random() < 0.25:
                        ident = listed_style
                else:
                    ident = fmt.format(raw=raw, compact=compact, compact_lower=compact.lower())
                key = (e.ent, compact, ident)
                if key in seen:
                    continue
                seen.add(key)
                ents = set(self.id_index.get(compact, set())) | {e.ent}
                placeholder = None
                for _ in range(10):
                    cand = f"{rng.choice(PLACEHOLDER_NAMES)} {rng.randint(1, 9999)}"
                    if not self.index.conflicts(cand):
                        placeholder = cand
                        break
                if placeholder is None:
                    continue
                cases.append(Case(name=placeholder, type=e.sdn_type, cls=kind, identifier=ident,
                                  expected="|".join("ofac-" + i for i in sorted(ents, key=int))))
        return cases

    # ---- 12 with_dob ----------------------------------------------------
    def k_with_dob(self, rng, entry, name, p):
        if not entry.dobs:
            return None
        name = entry.primary
        p = parse_person(name)
        if p is None:
            return None
        c = self.k_typo(rng, entry, name, p, n_edits=1)
        if c is None:
            return None
        c.dob = entry.dobs[0] if (len(entry.dobs) == 1 or rng.random() < 0.8) else rng.choice(entry.dobs[1:])
        return c

    # ---- 13 near_miss (negative) ----------------------------------------
    def _other_surname(self, rng, avoid_units):
        avoid = [" ".join(u) for u in avoid_units]
        for _ in range(50):
            s = rng.choice(MX_SURNAMES)
            if not any(similar_token(s, a) or any(similar_token(s, w) for w in a.split()) for a in avoid):
                return s.split()
        return None

    @staticmethod
    def gender(entry: Entry, first_given: str) -> str:
        m = re.search(r"Gender (Male|Female)", entry.remarks)
        if m:
            return m.group(1)[0]
        g = ukey(first_given)
        if g in {ukey(x) for x in MX_GIVEN_F} or (g.endswith("A") and g not in {"LUCA", "BAUTISTA", "ANDREA"}):
            return "F"
        return "M"

    def _other_given(self, rng, avoid_units, gender="M"):
        avoid = [w for u in avoid_units for w in u]
        pool = MX_GIVEN_F if gender == "F" else MX_GIVEN_M
        for _ in range(50):
            g = rng.choice(pool)
            if not any(similar_token(g, a) for a in avoid):
                return [g]
        return None

    def k_near_miss(self, rng, entry, name, p):
        if entry.sdn_type == "person":
            given = [list(u) for u in p.given]
            surn = [list(u) for u in p.surn]
            mode = "surname" if rng.random() < 0.65 else "given+surname"
            i = rng.randrange(len(surn))
            ns = self._other_surname(rng, p.surn + p.given)
            if ns is None:
                return None
            surn[i] = ns
            if mode == "given+surname":
                ng = self._other_given(rng, p.given + p.surn, self.gender(entry, p.given[0][-1]))
                if ng is None:
                    return None
                given[0] = ng
            q = Person(given, surn, "")
            order = "natural" if rng.random() < 0.6 else "listed"
            toks = apply_case(toks_person(q, order), "upper" if rng.random() < 0.5 else "title")
            if rng.random() < 0.5:
                toks = [[strip_accents(w), r] for w, r in toks]
            v = render(toks)
        else:
            e = p
            content = [(i, w) for i, w in enumerate(e.core) if ukey(w) not in STOP]
            distinct = [(i, w) for i, w in content
                        if ukey(w) not in GENERIC_BUSINESS and ukey(w) not in PLACES_UPPER
                        and ukey(w).isalpha() and len(ukey(w)) >= 3]
            if len(distinct) != 1 or len(content) < 1:
                return None
            i, w = distinct[0]
            L = len(ukey(w))
            choices = [s for s in SPANISH_WORDS if abs(len(s) - L) <= 2 and not similar_token(s, w)
                       and s not in {ukey(x) for x in e.core}]
            if not choices:
                return None
            core = e.core[:]
            core[i] = rng.choice(choices)
            legal = e.legal if rng.random() < 0.7 else legal_plain(e.legal)
            toks = apply_case(toks_entity(Entity(core, legal, e.comma)), pick_case(rng, False))
            v = render(toks)
        if self.index.conflicts(v):
            return None
        return Case(name=v, type=self.type_col(rng, entry.sdn_type), cls="")

    # ---- 14 mexican_person (negative) -----------------------------------
    def mexican_person_cases(self, target):
        kind = "mexican_person"
        rng = self.rng_for(kind)
        cases, seen = [], set()
        attempts = 0
        while len(cases) < target and attempts < target * 50:
            attempts += 1
            if rng.random() < 0.25:
                given = rng.choice(MX_GIVEN_COMPOUND)
            else:
                pool = MX_GIVEN_M if rng.random() < 0.55 else MX_GIVEN_F
                given = " ".join(rng.sample(pool, 2)) if rng.random() < 0.2 else rng.choice(pool)
            s1, s2 = rng.sample(MX_SURNAMES, 2)
            if rng.random() < 0.7:
                name = f"{given} {s1} {s2}"
            else:
                name = f"{s1} {s2}, {given}"
            r = rng.random()
            if r < 0.4:
                name = name.upper()
            elif r < 0.5:
                name = name.lower()
            if rng.random() < 0.5:
                name = strip_accents(name)
            k = norm(name)
            if k in seen or self.index.conflicts(name):
                continue
            seen.add(k)
            dob = ""
            if rng.random() < 0.5:
                d0 = _dt.date(1945, 1, 1).toordinal()
                d1 = _dt.date(2003, 12, 31).toordinal()
                dob = _dt.date.fromordinal(rng.randint(d0, d1)).isoformat()
            cases.append(Case(name=name, type=self.type_col(rng, "person"), cls=kind, dob=dob))
        return cases

    # ---- 15 mexican_company (negative) ----------------------------------
    def invented_word(self, rng):
        cons = "bcdfglmnprstvz"
        syl = ["a", "e", "i", "o", "u"]
        w = "".join(rng.choice(cons) + rng.choice(syl) for _ in range(rng.randint(2, 3)))
        if rng.random() < 0.35:
            w += rng.choice(["sa", "mex", "tec", "com", "plus", "nova", "x"])
        return w.capitalize()

    @staticmethod
    def place_phrase(rng, prep: str) -> str:
        """'de Sonora', 'del Bajío', 'Sonora' ..."""
        place = rng.choice(MX_PLACES)
        if not prep:
            return place
        if place in MX_REGIONS:
            return "del " + place
        return "de " + place

    def mexican_company_cases(self, target):
        kind = "mexican_company"
        rng = self.rng_for(kind)
        cases, seen = [], set()
        attempts = 0
        legal_forms, legal_w = zip(*MX_LEGAL)
        while len(cases) < target and attempts < target * 50:
            attempts += 1
            sector = rng.choice(MX_SECTORS)
            r = rng.random()
            if r < 0.40:
                mid = rng.choice(MX_SURNAMES)
                if rng.random() < 0.15:
                    mid += " " + rng.choice(MX_SURNAMES)
                elif rng.random() < 0.1:
                    mid += " Hermanos"
            elif r < 0.62:
                mid = self.place_phrase(rng, rng.choice(["de", ""]))
            elif r < 0.82:
                mid = self.invented_word(rng)
            else:
                mid = rng.choice(SPANISH_WORDS).capitalize()
                if rng.random() < 0.3:
                    mid = rng.choice(["El ", "La ", "Los "]) + mid
            if rng.random() < 0.15 and not mid.startswith("de"):
                mid += " " + self.place_phrase(rng, "de")
            legal = rng.choices(legal_forms, legal_w)[0]
            sep = ", " if rng.random() < 0.55 else " "
            name = f"{sector} {mid}{sep}{legal}"
            rc = rng.random()
            if rc < 0.55:
                name = name.upper()
            if rng.random() < 0.5:
                name = strip_accents(name)
            k = norm(name)
            if k in seen or self.index.conflicts(name):
                continue
            seen.add(k)
            t = "organization" if legal == "S.C." and rng.random() < 0.3 else "company"
            cases.append(Case(name=name, type=self.type_col(rng, t), cls=kind))
        return cases

    # ---- all ------------------------------------------------------------
    def generate(self):
        out = {}
        persons, entities, everyone = self.persons, self.entities, self.pop
        out["vowels_dropped"] = self.run_kind("vowels_dropped", everyone, self.k_vowels_dropped, TARGETS["vowels_dropped"])
        out["reordered"] = self.run_kind("reordered", everyone, self.k_reordered, TARGETS["reordered"])
        out["truncated"] = self.run_kind("truncated", everyone, self.k_truncated, TARGETS["truncated"])
        out["initials"] = self.run_kind("initials", everyone, self.k_initials, TARGETS["initials"])
        out["ocr"] = self.run_kind("ocr", everyone, self.k_ocr, TARGETS["ocr"])
        out["phonetic"] = self.run_kind("phonetic", everyone, self.k_phonetic, TARGETS["phonetic"])
        out["token_dropped"] = self.run_kind("token_dropped", everyone, self.k_token_dropped, TARGETS["token_dropped"])
        out["typo"] = self.run_kind("typo", everyone, self.k_typo, TARGETS["typo"])
        # entries with abbreviable words count three times, so that word abbreviations
        # (not only cut legal forms) make up a good part of the class
        abbreviable = [e for e in entities
                       if any(ukey(w) in BUSINESS_ABBREV for n in [e.primary] + e.aliases for w in parse_entity(n).core)]
        out["business_abbrev"] = self.run_kind("business_abbrev", entities + abbreviable * 2,
                                               self.k_business_abbrev, TARGETS["business_abbrev"])
        out["extra_generic_word"] = self.run_kind("extra_generic_word", entities, self.k_extra_generic_word, TARGETS["extra_generic_word"])
        out["labelled_identifier"] = self.labelled_identifier_cases(TARGETS["labelled_identifier"])
        out["with_dob"] = self.run_kind("with_dob", [e for e in persons if e.dobs], self.k_with_dob, TARGETS["with_dob"], primary_p=1.0)
        out["near_miss"] = self.run_kind("near_miss", everyone, self.k_near_miss, TARGETS["near_miss"], max_passes=12)
        out["mexican_person"] = self.mexican_person_cases(TARGETS["mexican_person"])
        out["mexican_company"] = self.mexican_company_cases(TARGETS["mexican_company"])
        return out


# --------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sdn", required=True, help="directory holding sdn.csv and alt.csv")
    ap.add_argument("-o", "--output", required=True, help="CSV file to write")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    ap.add_argument("--examples", type=int, default=3, help="examples per class printed to stdout")
    args = ap.parse_args(argv)

    population, all_names, remarks = load(args.sdn)
    n_pers = sum(e.sdn_type == "person" for e in population)
    n_alias = sum(len(e.aliases) for e in population)
    print(f"population: {len(population)} entries ({n_pers} persons, {len(population) - n_pers} entities), "
          f"{n_alias} strong aliases; {len(all_names)} listed names in the whole file set")

    gen = Generator(population, all_names, remarks, args.seed)
    by_kind = gen.generate()

    with open(args.output, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name", "type", "country", "dob", "identifier", "expected", "class"])
        for kind, cases in by_kind.items():
            for c in cases:
                w.writerow([c.name, c.type, c.country, c.dob, c.identifier, c.expected, kind])

    pos = sum(len(v) for k, v in by_kind.items() if k not in NEGATIVE_KINDS)
    neg = sum(len(v) for k, v in by_kind.items() if k in NEGATIVE_KINDS)
    print(f"wrote {args.output}: {pos + neg} cases ({pos} positives, {neg} negatives), seed {args.seed}")
    for kind, cases in by_kind.items():
        print(f"\n{kind}: {len(cases)}")
        ex_rng = random.Random(f"{args.seed}:examples:{kind}")
        for c in ex_rng.sample(cases, min(args.examples, len(cases))):
            extra = "".join(f" {k}={v}" for k, v in (("dob", c.dob), ("identifier", c.identifier)) if v)
            print(f"  {c.name!r} type={c.type or '-'}{extra} expected={c.expected or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
