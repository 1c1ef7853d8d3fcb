"""Builds the demo data set: a hardware wholesaler in Poznań, its catalog and three partners.

Everything but the dates comes from one `random.Random(seed)`, so a seed always gives the same
catalog; dates are relative to today. Rows go in as bulk Core inserts with ids assigned here,
which keeps 100,000 products to seconds rather than the minutes the ORM unit of work takes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import click
import flask_migrate
import sqlalchemy as sa
from stdnum import ean, iban

from portal.accounts.models import Address, Company, Invoicing, Role, User
from portal.accounts.passwords import hash_password
from portal.accounts.taxids import parse_tax_id
from portal.catalog.models import (
    Category,
    ContractPrice,
    PriceList,
    PriceListTier,
    Product,
    ProductAssociation,
    ProductPhoto,
    Unit,
)
from portal.catalog.photos import StoredImage, photo_dir, store_image
from portal.core.db import Base, db, utcnow
from portal.core.money import round_money
from portal.demo.cli import DEMO_PASSWORD
from portal.demo.images import SHAPES, Colour, product_picture
from portal.seller.models import SellerSettings
from portal.stock.models import StockLevel, Warehouse

Row = dict[str, Any]

CHUNK = 5_000
"""Products per committed batch, and rows per INSERT statement."""

VAT_23, VAT_8, VAT_5 = 1, 2, 3
"""Ids of the default VAT rates that migration 0003 creates."""

MAIN_WAREHOUSE_ID = 1
EAN_PREFIX = "59012"
"""GS1 Poland (590) and a made-up company number; seven digits of product id follow."""

BRANDS = ("Hurtex", "Stalpol", "Technimet", "Fixon", "Normet", "ProDom", "Budmax", "Elbud")
GENERIC_SENTENCES = (
    "Wysyłka z magazynu w Poznaniu w 24 godziny.",
    "Cena hurtowa przy zamówieniu pełnych opakowań zbiorczych.",
    "Karta techniczna dostępna na życzenie.",
    "Produkt objęty gwarancją producenta.",
)


@dataclass(frozen=True)
class Leaf:
    """A subcategory and the vocabulary its product names are built from."""

    name: str
    prefix: str
    kinds: tuple[str, ...]
    sizes: tuple[str, ...]
    extras: tuple[str, ...]
    prices: tuple[int, ...]
    """The net list prices to pick from, in grosze."""
    unit: Unit
    packs: tuple[Decimal, ...]
    vat_rate_id: int
    weight: int
    """Relative share of the catalog."""


@dataclass(frozen=True)
class Branch:
    name: str
    colour: Colour
    sentences: tuple[str, ...]
    leaves: tuple[Leaf, ...]


def _price_ladder(top: int = 299_900) -> list[int]:
    """List prices in grosze from 0.49 up, about 4 % apart and ending in 9 like price tags."""
    ladder: list[int] = []
    cents = 49
    while cents <= top:
        ladder.append(cents)
        grain = 10 if cents < 10_000 else 100 if cents < 100_000 else 1_000
        cents = (cents * 104 // 100) // grain * grain + grain - 1
    return ladder


PRICE_LADDER = _price_ladder()


def _cents(zloty: str) -> int:
    return int(Decimal(zloty) * 100)


def _leaf(
    name: str,
    prefix: str,
    kinds: str,
    sizes: str,
    extras: str,
    price: str,
    *,
    unit: Unit = Unit.PIECE,
    packs: str = "1",
    vat: int = VAT_23,
    weight: int = 4,
) -> Leaf:
    """Lists are '|'-separated and the price range is 'low-high' in złoty, to keep the
    vocabulary one screen per branch."""
    low, high = (_cents(bound) for bound in price.split("-"))
    return Leaf(
        name=name,
        prefix=prefix,
        kinds=tuple(kinds.split("|")),
        sizes=tuple(sizes.split("|")),
        extras=tuple(extras.split("|")),
        prices=tuple(p for p in PRICE_LADDER if low <= p <= high),
        unit=unit,
        packs=tuple(Decimal(pack) for pack in packs.split("|")),
        vat_rate_id=vat,
        weight=weight,
    )


CATALOG: tuple[Branch, ...] = (
    Branch(
        "Okucia meblowe",
        (176, 96, 48),
        (
            "Do mebli kuchennych, biurowych i łazienkowych.",
            "Montaż bez specjalistycznych narzędzi.",
            "Stal odporna na korozję, przebadana na 50 000 cykli.",
        ),
        (
            _leaf("Zawiasy", "ZAW", "Zawias puszkowy|Zawias nakładany|Zawias wpuszczany|Zawias kątowy|Zawias do drzwi szklanych", "26 mm|35 mm|40 mm|110°|165°", "z cichym domykiem|bez sprężyny|z prowadnikiem|nikiel|ocynk|czarny mat", "2.49-49", packs="1|10|50"),  # noqa: E501
            _leaf("Uchwyty", "UCH", "Uchwyt meblowy|Uchwyt krawędziowy|Uchwyt relingowy|Uchwyt wpuszczany|Uchwyt łukowy", "rozstaw 96 mm|rozstaw 128 mm|rozstaw 160 mm|rozstaw 192 mm|rozstaw 320 mm", "chrom|stal szczotkowana|czarny mat|złoty|aluminium|mosiądz antyczny", "3.99-89", packs="1|10"),  # noqa: E501
            _leaf("Prowadnice szufladowe", "PRO", "Prowadnica kulkowa|Prowadnica rolkowa|Prowadnica pełnego wysuwu|Prowadnica z cichym domykiem|Prowadnica push-to-open", "250 mm|300 mm|350 mm|400 mm|450 mm|500 mm|550 mm", "nośność 25 kg|nośność 35 kg|nośność 45 kg|ocynk|czarna", "9.90-129"),  # noqa: E501
            _leaf("Nóżki meblowe", "NOZ", "Nóżka meblowa|Nóżka regulowana|Nóżka stożkowa|Stopka meblowa|Kółko meblowe", "40 mm|60 mm|100 mm|150 mm|710 mm", "chrom|czarny mat|biały|buk|dąb|stal", "1.99-69", packs="1|5"),  # noqa: E501
            _leaf("Zamki meblowe", "ZAM", "Zamek meblowy|Zamek baskwilowy|Zamek szufladowy|Zamek do szafek|Zamek krzywkowy", "16 mm|19 mm|22 mm|25 mm", "z 2 kluczami|master key|nikiel|mosiądz|z wkładką wymienną", "6.49-59", packs="1|10"),  # noqa: E501
            _leaf("Złącza meblowe", "ZLM", "Konfirmat|Złącze mimośrodowe|Kołek meblowy|Wspornik półki|Kątownik meblowy|Złącze blatów", "5x50 mm|7x50 mm|7x70 mm|8x35 mm|15 mm|40x40 mm", "ocynk|nikiel|biały|czarny|z kołkiem|stal", "0.49-19.90", packs="10|25|50"),  # noqa: E501
        ),
    ),
    Branch(
        "Mocowania",
        (90, 100, 115),
        (
            "Do drewna, betonu i murów z cegły.",
            "Trwała powłoka chroni przed korozją.",
            "Wymiary zgodne z normą DIN.",
        ),
        (
            _leaf("Wkręty i śruby", "WKR", "Wkręt do drewna|Wkręt do płyt g-k|Wkręt samowiercący|Śruba zamkowa|Śruba sześciokątna|Wkręt ciesielski", "3,5x25 mm|4x40 mm|5x60 mm|6x80 mm|8x120 mm|M8x60|M10x80|M12x100", "ocynk biały|ocynk żółty|stal nierdzewna A2|czarny fosfat|łeb stożkowy TX|łeb talerzowy", "0.49-4.90", packs="25|50", weight=6),  # noqa: E501
            _leaf("Gwoździe", "GWO", "Gwoździe budowlane|Gwoździe papowe|Gwoździe stolarskie|Gwoździe ocynkowane|Gwoździe pierścieniowe", "2,0x40 mm|2,5x50 mm|3,1x80 mm|3,4x90 mm|4,0x100 mm|5,0x150 mm", "jasne|ocynk ogniowy|z łbem płaskim|bez łba|luzem", "8.90-34.90", unit=Unit.KILOGRAM, packs="0.5"),  # noqa: E501
            _leaf("Kołki rozporowe", "KOL", "Kołek rozporowy|Kołek szybkiego montażu|Kołek do betonu komórkowego|Kołek ramowy|Kołek do płyt g-k", "6x30 mm|8x40 mm|8x60 mm|10x80 mm|10x100 mm|12x120 mm", "nylonowy|z wkrętem|z kołnierzem|z kołnierzem stożkowym|ocynk", "0.49-3.90", packs="25|50"),  # noqa: E501
            _leaf("Kotwy", "KOT", "Kotwa stalowa|Kotwa opaskowa|Kotwa wbijana|Kotwa sufitowa|Kotwa do betonu", "M6x50|M8x75|M10x90|M12x110|M16x125", "ocynk|stal nierdzewna A4|z podkładką|z nakrętką|ocynk ogniowy", "1.29-14.90", packs="1|10|25"),  # noqa: E501
            _leaf("Nakrętki i podkładki", "NAK", "Nakrętka sześciokątna|Nakrętka samokontrująca|Nakrętka kołpakowa|Podkładka płaska|Podkładka sprężysta|Podkładka poszerzana", "M4|M5|M6|M8|M10|M12|M16", "ocynk|stal nierdzewna A2|klasa 8|DIN 934|DIN 125", "0.49-1.90", packs="50"),  # noqa: E501
            _leaf("Nity", "NIT", "Nit zrywalny|Nitonakrętka|Nit aluminiowy|Nit stalowy|Nitonakrętka z kołnierzem", "3,2x8 mm|4x10 mm|4,8x12 mm|M5|M6|M8", "z łbem płaskim|z łbem wpuszczanym|aluminium/stal|stal nierdzewna|czarny", "0.49-2.90", packs="50"),  # noqa: E501
        ),
    ),
    Branch(
        "Elektronarzędzia",
        (30, 120, 180),
        (
            "Gwarancja producenta 24 miesiące.",
            "Ergonomiczny uchwyt ogranicza drgania.",
            "Do pracy profesjonalnej i w warsztacie.",
        ),
        (
            _leaf("Wiertarki", "WIE", "Wiertarka udarowa|Wiertarka stołowa|Wiertarka z mieszadłem|Wiertarka kątowa", "500 W|650 W|750 W|850 W|1100 W", "z walizką|uchwyt 13 mm|z regulacją obrotów|z ogranicznikiem głębokości", "149-899", weight=3),  # noqa: E501
            _leaf("Wkrętarki", "WKA", "Wkrętarka akumulatorowa|Wiertarko-wkrętarka|Zakrętarka udarowa|Wkrętarka do płyt g-k", "12 V|18 V|20 V|36 V", "2x 2,0 Ah|2x 4,0 Ah|bez akumulatora|w walizce|bezszczotkowa", "199-1499", weight=3),  # noqa: E501
            _leaf("Szlifierki", "SZL", "Szlifierka kątowa|Szlifierka oscylacyjna|Szlifierka mimośrodowa|Szlifierka taśmowa|Szlifierka do ścian", "115 mm|125 mm|150 mm|230 mm", "710 W|900 W|1400 W|2200 W|z regulacją obrotów|z odciągiem pyłu", "129-1899", weight=3),  # noqa: E501
            _leaf("Pilarki", "PIL", "Pilarka tarczowa|Wyrzynarka|Pilarka szablasta|Ukośnica|Pilarka stołowa", "165 mm|190 mm|216 mm|254 mm", "1200 W|1500 W|1800 W|z prowadnicą|z laserem|w walizce", "179-2999", weight=3),  # noqa: E501
            _leaf("Młoty i młotowiertarki", "MLO", "Młotowiertarka SDS-plus|Młot udarowy SDS-max|Młot wyburzeniowy|Młotowiertarka akumulatorowa", "2 J|3 J|5 J|8 J|15 J", "800 W|1100 W|1500 W|z walizką|z uchwytem wymiennym", "299-2999", weight=2),  # noqa: E501
            _leaf("Akcesoria do elektronarzędzi", "AKC", "Tarcza do cięcia metalu|Tarcza diamentowa|Wiertło do betonu|Wiertło do metalu HSS|Zestaw bitów|Krążek ścierny na rzep|Brzeszczot do wyrzynarki", "125 mm|230 mm|6 mm|8 mm|10 mm|P80|P120", "do stali|do kamienia|do drewna|SDS-plus|tytanowane|zestaw 5 szt.", "2.49-149", packs="1|5|10|25", weight=5),  # noqa: E501
        ),
    ),
    Branch(
        "Elektryka",
        (210, 160, 20),
        (
            "Spełnia wymagania norm PN-EN.",
            "Do instalacji domowych i przemysłowych.",
            "Montaż powinna wykonać osoba z uprawnieniami SEP.",
        ),
        (
            _leaf("Przewody", "PRZ", "Przewód YDY|Przewód YDYp|Przewód OMY|Przewód H07RN-F|Przewód LgY|Przewód głośnikowy", "3x1,5 mm²|3x2,5 mm²|5x2,5 mm²|2x0,75 mm²|5x4 mm²|1x6 mm²", "450/750 V|300/500 V|biały|czarny|szary|na bębnie", "1.19-24.90", unit=Unit.METRE, packs="1"),  # noqa: E501
            _leaf("Gniazda i łączniki", "GNI", "Gniazdo podwójne|Gniazdo pojedyncze z uziemieniem|Łącznik jednobiegunowy|Łącznik schodowy|Łącznik świecznikowy|Gniazdo hermetyczne IP44", "podtynkowe|natynkowe|16 A|10 A|z ramką", "białe|czarne|kremowe|srebrne|antracyt", "6.99-49", packs="1|10"),  # noqa: E501
            _leaf("Oświetlenie", "OSW", "Żarówka LED|Oprawa hermetyczna LED|Naświetlacz LED|Panel LED|Taśma LED|Plafon LED", "E27 9 W|E14 5 W|GU10 6 W|20 W|50 W|36 W 60x60", "barwa ciepła|barwa neutralna|barwa zimna|IP65|z czujnikiem ruchu", "4.99-249", packs="1|10"),  # noqa: E501
            _leaf("Aparatura modułowa", "APM", "Wyłącznik nadprądowy|Wyłącznik różnicowoprądowy|Rozłącznik izolacyjny|Ogranicznik przepięć|Stycznik modułowy", "1P|2P|3P|4P", "B16|C20|30 mA|40 A|63 A|6 kA|10 kA", "12.90-349"),  # noqa: E501
            _leaf("Przedłużacze", "PRD", "Przedłużacz|Przedłużacz bębnowy|Listwa zasilająca|Przedłużacz ogrodowy|Przedłużacz warsztatowy", "3 m|5 m|10 m|25 m|50 m", "3 gniazda|4 gniazda|z wyłącznikiem|IP44|z bezpiecznikiem", "14.90-299"),  # noqa: E501
            _leaf("Puszki i osprzęt", "PUS", "Puszka podtynkowa|Puszka natynkowa|Korytko kablowe|Opaska zaciskowa|Złączka instalacyjna|Uchwyt kablowy", "fi 60 mm|fi 80 mm|20 mm|40x25 mm|3x2,5 mm²|200 mm", "szara|biała|hermetyczna|głęboka|samogasnąca", "0.49-19.90", packs="10|25|50"),  # noqa: E501
        ),
    ),
    Branch(
        "Hydraulika",
        (30, 140, 130),
        (
            "Do instalacji wody zimnej i ciepłej.",
            "Atest PZH do kontaktu z wodą pitną.",
            "Standardowe przyłącza ułatwiają montaż.",
        ),
        (
            _leaf("Rury i kształtki", "RUR", "Rura PP|Kolano PP|Trójnik PP|Mufa PP|Rura kanalizacyjna PVC|Redukcja PP", "16 mm|20 mm|25 mm|32 mm|40 mm|110 mm", "PN16|PN20|stabi|90°|45°|szara", "0.99-39.90", packs="1|10|25"),  # noqa: E501
            _leaf("Rury PEX i wielowarstwowe", "PEX", "Rura PEX-AL-PEX|Rura PE-RT|Rura PEX w otulinie|Rura miedziana|Rura do ogrzewania podłogowego", "16x2,0 mm|20x2,0 mm|26x3,0 mm|15 mm|18 mm|22 mm", "w kręgu 200 m|w kręgu 100 m|z barierą antydyfuzyjną|w otulinie czerwonej|w otulinie niebieskiej", "2.99-39.90", unit=Unit.METRE, packs="1"),  # noqa: E501
            _leaf("Zawory", "ZAR", "Zawór kulowy|Zawór zwrotny|Zawór termostatyczny|Zawór antyskażeniowy|Zawór spustowy|Zawór grzejnikowy", '1/2"|3/4"|1"|5/4"|2"', "z motylkiem|z dźwignią|mosiężny|niklowany|kątowy|prosty", "9.90-249"),  # noqa: E501
            _leaf("Baterie", "BAT", "Bateria umywalkowa|Bateria zlewozmywakowa|Bateria wannowa|Bateria prysznicowa|Bateria termostatyczna|Bateria sztorcowa", "stojąca|ścienna|z wyciąganą wylewką|z wylewką 20 cm|z zestawem natryskowym", "chrom|czarny mat|stal szczotkowana|złoty|biały", "89-1299", weight=3),  # noqa: E501
            _leaf("Uszczelnienia", "USZ", "Taśma teflonowa|Pakuły lniane|Pasta uszczelniająca|Uszczelka gumowa|Klej do PVC|Nić uszczelniająca", '12 m|50 g|100 g|250 ml|1/2"|3/4"', "do wody|do gazu|DVGW|zestaw 10 szt.", "1.49-39.90", packs="1|10"),  # noqa: E501
            _leaf("Syfony i odpływy", "SYF", "Syfon umywalkowy|Syfon zlewozmywakowy|Odpływ liniowy|Kratka ściekowa|Syfon wannowy|Korek klik-klak", "fi 32|fi 40|fi 50|60 cm|80 cm|10x10 cm", "chrom|biały|z rewizją|stal nierdzewna|z przelewem", "9.90-499"),  # noqa: E501
        ),
    ),
    Branch(
        "Farby i chemia",
        (180, 50, 90),
        (
            "Do wnętrz i na zewnątrz.",
            "Niska zawartość LZO.",
            "Przechowywać w temperaturze powyżej 5 °C.",
        ),
        (
            _leaf("Farby ścienne", "FSC", "Farba lateksowa|Farba akrylowa|Farba ceramiczna|Farba gruntująca|Farba do sufitów", "1 l|2,5 l|5 l|10 l", "biała|biała mat|szara perłowa|beżowa|plamoodporna", "19.90-349"),  # noqa: E501
            _leaf("Emalie i lakiery", "EMA", "Emalia akrylowa|Emalia ftalowa|Lakier do drewna|Lakierobejca|Olej do drewna|Farba do metalu", "0,2 l|0,75 l|0,9 l|2,5 l|5 l", "połysk|satyna|mat|bezbarwny|orzech|antracyt", "14.90-249"),  # noqa: E501
            _leaf("Kleje i silikony", "KLE", "Silikon sanitarny|Klej montażowy|Pianka montażowa|Akryl malarski|Klej do glazury|Uszczelniacz dekarski", "280 ml|300 ml|310 ml|750 ml|5 kg|25 kg", "biały|bezbarwny|szary|pistoletowa|wężykowa|zimowa", "8.90-89", packs="1|10|25"),  # noqa: E501
            _leaf("Rozpuszczalniki", "ROZ", "Rozcieńczalnik uniwersalny|Benzyna ekstrakcyjna|Aceton techniczny|Zmywacz do farb|Spirytus techniczny", "0,5 l|1 l|5 l|10 l", "w puszce|w butelce|w kanistrze|bezzapachowy", "7.90-119", weight=2),  # noqa: E501
            _leaf("Gładzie i zaprawy", "GLA", "Gładź szpachlowa|Gips szpachlowy|Zaprawa klejowa|Fuga cementowa|Tynk gipsowy|Masa samopoziomująca", "1 kg|2 kg|5 kg|20 kg|25 kg", "biała|szara|elastyczna|mrozoodporna|do wnętrz", "9.90-89"),  # noqa: E501
            _leaf("Akcesoria malarskie", "AKM", "Wałek malarski|Pędzel płaski|Taśma malarska|Folia malarska|Kuweta malarska|Szpachla nierdzewna", "18 cm|25 cm|50 mm|70 mm|48 mm x 50 m|4x5 m", "mikrofaza|welur|poliamid|z rączką|zestaw", "2.49-49", packs="1|10"),  # noqa: E501
        ),
    ),
    Branch(
        "Ogród",
        (70, 150, 60),
        (
            "Odporne na promieniowanie UV i mróz.",
            "Do ogrodów przydomowych i terenów zieleni.",
            "Lekka i wytrzymała konstrukcja.",
        ),
        (
            _leaf("Węże ogrodowe", "WEZ", "Wąż ogrodowy|Wąż zbrojony|Wąż tekstylny|Wąż do zraszania|Wąż techniczny", '1/2"|3/4"|5/8"|1"', "4-warstwowy|6-warstwowy|odporny na UV|zielony|czarny|żółty", "1.99-14.90", unit=Unit.METRE, packs="1"),  # noqa: E501
            _leaf("Narzędzia ogrodowe", "NOG", "Szpadel|Grabie|Sekator|Nożyce do żywopłotu|Motyka|Łopata", "z trzonkiem 120 cm|kute|krótkie|teleskopowe|ergonomiczne", "stal hartowana|z trzonkiem jesionowym|z rękojeścią z włókna szklanego|lekkie", "19.90-249"),  # noqa: E501
            _leaf("Nawadnianie", "NAW", "Zraszacz obrotowy|Zraszacz pulsacyjny|Szybkozłączka|Pistolet zraszający|Przyłącze kranowe|Linia kroplująca", '1/2"|3/4"|10 m|wielofunkcyjny|8 funkcji', "z regulacją|z zaworem stop|plastik|mosiądz|z timerem", "3.49-189", packs="1|10"),  # noqa: E501
            _leaf("Nawozy i podłoża", "NAZ", "Nawóz uniwersalny|Nawóz do trawnika|Nawóz do iglaków|Ziemia uniwersalna|Kora sosnowa|Torf odkwaszony", "1 kg|3 kg|5 kg|10 kg|20 l|50 l|80 l", "granulowany|długo działający|wieloskładnikowy|bez chloru|ekologiczny", "9.90-89", vat=VAT_8),  # noqa: E501
            _leaf("Donice i osłonki", "DON", "Donica|Osłonka|Skrzynka balkonowa|Podstawka pod donicę|Doniczka", "fi 20 cm|fi 30 cm|fi 40 cm|60 cm|80 cm", "antracyt|terakota|biała|szara|rattan", "4.90-199", packs="1|5|10"),  # noqa: E501
            _leaf("Kosiarki i podkaszarki", "KOS", "Kosiarka elektryczna|Kosiarka spalinowa|Podkaszarka elektryczna|Kosa spalinowa|Kosiarka akumulatorowa|Wertykulator", "32 cm|38 cm|42 cm|46 cm|51 cm", "1200 W|1800 W|z koszem 45 l|z napędem|z mulczowaniem|36 V", "249-2999", weight=2),  # noqa: E501
        ),
    ),
    Branch(
        "BHP",
        (220, 110, 30),
        (
            "Zgodne z normami EN.",
            "Certyfikat CE.",
            "Wygodne przy całodziennej pracy.",
        ),
        (
            _leaf("Rękawice", "REK", "Rękawice robocze|Rękawice powlekane nitrylem|Rękawice skórzane|Rękawice antyprzecięciowe|Rękawice ocieplane", "rozmiar 7|rozmiar 8|rozmiar 9|rozmiar 10|rozmiar 11", "szare|czarne|niebieskie|klasa 5|wzmacniane", "0.99-49", packs="1|10|50"),  # noqa: E501
            _leaf("Odzież robocza", "ODZ", "Spodnie robocze|Bluza robocza|Kamizelka ostrzegawcza|Kurtka softshell|Ogrodniczki robocze|Koszulka polo", "S|M|L|XL|XXL|3XL", "szare|granatowe|czarne|odblaskowe|ze wzmocnieniami", "9.90-299"),  # noqa: E501
            _leaf("Obuwie robocze", "OBU", "Trzewiki robocze S3|Półbuty robocze S1P|Kalosze PCV|Sandały robocze S1|Buty zimowe S3", "rozmiar 39|rozmiar 40|rozmiar 41|rozmiar 42|rozmiar 43|rozmiar 44|rozmiar 45|rozmiar 46", "z podnoskiem|antypoślizgowe|ocieplane|czarne|brązowe", "49-399"),  # noqa: E501
            _leaf("Ochrona głowy i oczu", "OCH", "Kask ochronny|Okulary ochronne|Gogle ochronne|Przyłbica spawalnicza|Nauszniki przeciwhałasowe|Półmaska FFP2", "regulowany|uniwersalny|SNR 27 dB|SNR 32 dB|z zaworem", "biały|żółty|niebieski|bezbarwny|przyciemniany|z wentylacją", "2.99-249", packs="1|10|25"),  # noqa: E501
            _leaf("Apteczki i oznakowanie", "APT", "Apteczka zakładowa|Znak ewakuacyjny|Taśma ostrzegawcza|Instrukcja stanowiskowa|Tablica informacyjna|Pachołek drogowy", "DIN 13157|A4|A3|100 m|50 cm|75 cm", "fotoluminescencyjny|PCV|biało-czerwony|żółto-czarny|z uchwytem", "3.99-199"),  # noqa: E501
            _leaf("Poradniki BHP", "POR", "Poradnik BHP w magazynie|Książka kontroli obiektu|Poradnik pierwszej pomocy|Przepisy BHP w budownictwie|Podręcznik operatora wózka", "wydanie 2025|wydanie 2026|oprawa miękka|oprawa twarda", "z indeksem|z przykładami|z wzorami dokumentów", "19.90-149", vat=VAT_5, weight=1),  # noqa: E501
        ),
    ),
    Branch(
        "Opakowania",
        (140, 110, 70),
        (
            "Do wysyłek kurierskich i magazynowania.",
            "Z materiałów nadających się do recyklingu.",
            "Sprzedawane w opakowaniach zbiorczych.",
        ),
        (
            _leaf("Kartony", "KAR", "Karton klapowy|Karton fasonowy|Pudło archiwizacyjne|Karton wysyłkowy", "200x150x100 mm|300x200x200 mm|400x300x300 mm|600x400x400 mm|A4", "3-warstwowy|5-warstwowy|szary|biały|z nadrukiem", "0.49-9.90", packs="25|50"),  # noqa: E501
            _leaf("Taśmy pakowe", "TAS", "Taśma pakowa|Taśma dwustronna|Taśma papierowa|Taśma z nadrukiem|Taśma cicha", "48 mm x 66 m|48 mm x 132 m|50 mm x 50 m|19 mm x 33 m", "akrylowa|hot-melt|kauczukowa|przezroczysta|brązowa", "2.49-19.90", packs="1|10|25"),  # noqa: E501
            _leaf("Folie", "FOL", "Folia stretch|Folia bąbelkowa|Folia ochronna|Folia kubełkowa|Folia termokurczliwa", "50 cm x 300 m|100 cm x 50 m|23 mikrony|17 mikronów|150 cm x 100 m", "przezroczysta|czarna|LDPE|z recyklatu|wzmocniona", "1.99-89"),  # noqa: E501
            _leaf("Worki i torby", "WOR", "Worek na śmieci|Worek budowlany|Worek strunowy|Torba papierowa|Worek big bag", "35 l|60 l|120 l|160 l|10x15 cm|1 t", "czarne|niebieskie|LDPE|mocne|z uszami", "0.49-49", packs="10|25|50"),  # noqa: E501
            _leaf("Wypełniacze", "WYP", "Chipsy styropianowe|Papier wypełniający|Poduszki powietrzne|Pianka polietylenowa|Narożnik ochronny", "50 l|150 l|250 l|2 mm|5 mm|35x35 mm", "białe|szare|z recyklatu|kraft", "0.49-79", packs="1|25"),  # noqa: E501
            _leaf("Sznurki, linki i łańcuchy", "SZN", "Sznurek jutowy|Sznurek polipropylenowy|Taśma spinająca PP|Linka stalowa|Łańcuch ocynkowany", "2 mm|4 mm|6 mm|12 mm|16 mm", "naturalny|biały|czarny|ocynk|w oplocie PVC", "0.49-19.90", unit=Unit.METRE, packs="1"),  # noqa: E501
        ),
    ),
)


# ---------------------------------------------------------------------------------------
# Entry points


def database_is_empty() -> bool:
    """No users and no products: a fresh database (its default rows do not count)."""
    has_users = db.session.scalar(sa.select(User.id).limit(1)) is not None
    has_products = db.session.scalar(sa.select(Product.id).limit(1)) is not None
    return not has_users and not has_products


def reset_database() -> None:
    """Drops every table and migrates again, which recreates the defaults of migration 0003."""
    db.session.remove()
    flask_migrate.downgrade(revision="base")
    flask_migrate.upgrade()
    db.session.remove()


def load_demo(*, products: int, seed: int) -> None:
    """The seller, warehouses, categories, `products` products and the demo partners."""
    rng = random.Random(seed)
    now = utcnow()
    _update_seller()
    waw_id = _add_warehouses()
    leaf_ids = _add_categories()
    hurt_a, hurt_b = _add_price_lists()
    db.session.commit()

    photos = _store_photos(leaf_ids)
    plan = _CatalogPlan.make(rng, products, leaf_ids)
    _add_products(rng, plan, photos, now=now, waw_id=waw_id, price_lists=(hurt_a, hurt_b))
    _add_associations(rng, plan)
    companies = _add_partners(now=now, price_list_id=hurt_a)
    _add_contract_prices(rng, plan, company_id=companies["acme"])
    _sync_sequences()
    db.session.commit()


# ---------------------------------------------------------------------------------------
# Helpers


def _table(model: type[Base]) -> sa.Table:
    return Base.metadata.tables[model.__tablename__]


def _next_id(model: type[Base]) -> int:
    table = _table(model)
    return (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def _insert(model: type[Base], rows: Sequence[Row]) -> None:
    table = _table(model)
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(table), list(rows[start : start + CHUNK]))


def _ids_from(start: int) -> Iterator[int]:
    current = start
    while True:
        yield current
        current += 1


def _update_seller() -> None:
    values = {
        "name": "Hurtownia Demo Sp. z o.o.",
        "tax_id": parse_tax_id("779-301-54-24").number,
        "street": "ul. Składowa 12",
        "postal_code": "61-888",
        "city": "Poznań",
        "country": "PL",
        "email": "biuro@hurtownia-demo.example",
        "phone": "+48 61 555 01 00",
        "return_recipient": "Hurtownia Demo Sp. z o.o. – Dział reklamacji",
        "return_street": "ul. Gdyńska 31",
        "return_postal_code": "61-016",
        "return_city": "Poznań",
        "return_country": "PL",
        "bank_name": "mBank S.A.",
        "bank_account": iban.validate("PL11 1140 2004 0000 3002 1234 5678"),
    }
    table = _table(SellerSettings)
    updated = db.session.execute(sa.update(table).where(table.c.id == 1).values(**values))
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        db.session.execute(sa.insert(table).values(id=1, **values))


def _add_warehouses() -> int:
    """Renames the main warehouse and adds Warsaw; returns the Warsaw warehouse's id."""
    table = _table(Warehouse)
    main = {"code": "MAIN", "name": "Magazyn główny Poznań", "is_main": True}
    updated = db.session.execute(
        sa.update(table).where(table.c.id == MAIN_WAREHOUSE_ID).values(**main)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        db.session.execute(sa.insert(table).values(id=MAIN_WAREHOUSE_ID, **main))
    waw_id = _next_id(Warehouse)
    _insert(Warehouse, [{"id": waw_id, "code": "WAW", "name": "Magazyn Warszawa", "is_main": False}])
    return waw_id


def _slug(text: str) -> str:
    ascii_text = text.lower().translate(str.maketrans("ąćęłńóśźż", "acelnoszz"))
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_text).split()
    return "-".join(words)


def _add_categories() -> list[int]:
    """The two-level tree; returns the ids of the leaves in CATALOG order."""
    ids = _ids_from(_next_id(Category))
    rows: list[Row] = []
    leaf_ids: list[int] = []
    for position, branch in enumerate(CATALOG):
        branch_id = next(ids)
        branch_slug = _slug(branch.name)
        rows.append(_category(branch_id, None, branch_slug, branch.name, position, f"/{branch_id}/"))
        for leaf_position, leaf in enumerate(branch.leaves):
            leaf_id = next(ids)
            path = f"/{branch_id}/{leaf_id}/"
            slug = f"{branch_slug}-{_slug(leaf.name)}"
            rows.append(_category(leaf_id, branch_id, slug, leaf.name, leaf_position, path))
            leaf_ids.append(leaf_id)
    _insert(Category, rows)
    return leaf_ids


def _category(
    category_id: int, parent_id: int | None, slug: str, name: str, position: int, path: str
) -> Row:
    return {
        "id": category_id,
        "parent_id": parent_id,
        "slug": slug,
        "name": name,
        "position": position,
        "path": path,
    }


def _add_price_lists() -> tuple[int, int]:
    first = _next_id(PriceList)
    _insert(PriceList, [{"id": first, "name": "Hurt A"}, {"id": first + 1, "name": "Hurt B"}])
    return first, first + 1


def _leaves() -> list[tuple[Branch, Leaf]]:
    return [(branch, leaf) for branch in CATALOG for leaf in branch.leaves]


def _store_photos(leaf_ids: list[int]) -> dict[int, list[StoredImage]]:
    """SHAPES pictures per leaf, each written once (the store is content-addressed)."""
    folder = photo_dir()
    photos: dict[int, list[StoredImage]] = {}
    for leaf_id, (branch, leaf) in zip(leaf_ids, _leaves(), strict=True):
        photos[leaf_id] = [
            store_image(product_picture(leaf.prefix, branch.colour, shape), folder)
            for shape in range(SHAPES)
        ]
    return photos


# ---------------------------------------------------------------------------------------
# Products


@dataclass
class _CatalogPlan:
    """Which leaf each product goes to, decided before any row is written, so that the
    associations can point at products of the same leaf that come later."""

    first_id: int
    leaves: list[tuple[int, Branch, Leaf]]
    """(category id, branch, leaf) per product, in id order."""
    members: dict[int, list[int]]
    """Product ids per leaf category id."""
    list_prices: list[Decimal]
    """Filled in as the products are made, in id order."""

    @classmethod
    def make(cls, rng: random.Random, count: int, leaf_ids: list[int]) -> _CatalogPlan:
        choices = [(leaf_id, branch, leaf) for leaf_id, (branch, leaf) in zip(leaf_ids, _leaves())]
        weights = [leaf.weight for _, _, leaf in choices]
        picked = rng.choices(choices, weights, k=max(count, 0))
        first_id = _next_id(Product)
        members: dict[int, list[int]] = {leaf_id: [] for leaf_id in leaf_ids}
        for offset, (leaf_id, _, _) in enumerate(picked):
            members[leaf_id].append(first_id + offset)
        return cls(first_id, picked, members, [])


@dataclass
class _Ids:
    """The next free id of the tables that get rows per product."""

    photo: int
    tier: int


def _add_products(
    rng: random.Random,
    plan: _CatalogPlan,
    photos: dict[int, list[StoredImage]],
    *,
    now: datetime,
    waw_id: int,
    price_lists: tuple[int, int],
) -> None:
    """Products with their photos, stock and price-list tiers, committed per CHUNK."""
    ids = _Ids(photo=_next_id(ProductPhoto), tier=_next_id(PriceListTier))
    sku_numbers: dict[str, int] = {}
    count = len(plan.leaves)
    with click.progressbar(range(0, count, CHUNK), label="Products") as chunks:
        for start in chunks:
            product_rows: list[Row] = []
            photo_rows: list[Row] = []
            stock_rows: list[Row] = []
            tier_rows: list[Row] = []
            for index in range(start, min(start + CHUNK, count)):
                product_id = plan.first_id + index
                leaf_id, branch, leaf = plan.leaves[index]
                number = sku_numbers[leaf.prefix] = sku_numbers.get(leaf.prefix, 0) + 1
                product = _product(rng, product_id, leaf_id, branch, leaf, number, now)
                plan.list_prices.append(product["list_price"])
                product_rows.append(product)
                photo_rows += _photos(rng, ids, product, photos[leaf_id])
                stock_rows += _stock(rng, product, waw_id)
                tier_rows += _tiers(rng, ids, product, price_lists)
            _insert(Product, product_rows)
            _insert(ProductPhoto, photo_rows)
            _insert(StockLevel, stock_rows)
            _insert(PriceListTier, tier_rows)
            db.session.commit()


def _product(
    rng: random.Random,
    product_id: int,
    leaf_id: int,
    branch: Branch,
    leaf: Leaf,
    number: int,
    now: datetime,
) -> Row:
    name = " ".join(
        (rng.choice(leaf.kinds), rng.choice(leaf.sizes), rng.choice(leaf.extras), rng.choice(BRANDS))
    )
    sentences = rng.sample(branch.sentences, rng.randint(1, 2))
    if rng.random() < 0.5:
        sentences.append(rng.choice(GENERIC_SENTENCES))
    pack = rng.choice(leaf.packs)
    if leaf.unit is Unit.METRE:
        min_order = Decimal(5)
    elif leaf.unit is Unit.KILOGRAM:
        min_order = pack
    else:
        min_order = pack * rng.choice((1, 1, 1, 2))
    roll = rng.random()
    vat_rate_id = leaf.vat_rate_id
    if vat_rate_id == VAT_23 and roll < 0.03:
        vat_rate_id = VAT_8  # a few items at the reduced rate, e.g. construction services sets
    body = f"{EAN_PREFIX}{product_id:07d}"
    return {
        "id": product_id,
        "sku": f"{leaf.prefix}-{number:06d}",
        "ean": body + ean.calc_check_digit(body),
        "name": name,
        "description": " ".join(sentences),
        "unit": leaf.unit,
        "pack_size": pack,
        "min_order_quantity": min_order,
        "vat_rate_id": vat_rate_id,
        "list_price": Decimal(rng.choice(leaf.prices)).scaleb(-2),
        "category_id": leaf_id,
        "min_stock": Decimal(rng.choice((10, 20, 50, 100))) if rng.random() < 0.25 else Decimal(0),
        "active": rng.random() < 0.98,
        "created_at": now - timedelta(seconds=rng.randrange(2 * 365 * 24 * 3600)),
    }


def _photos(
    rng: random.Random, ids: _Ids, product: Row, pictures: list[StoredImage]
) -> list[Row]:
    count = rng.choices((1, 2, 3), (5, 3, 2))[0]
    rows = []
    for position, picture in enumerate(rng.sample(pictures, count)):
        rows.append(
            {
                "id": ids.photo,
                "product_id": product["id"],
                "position": position,
                "image_key": picture.key,
                "width": picture.width,
                "height": picture.height,
                "alt": product["name"],
            }
        )
        ids.photo += 1
    return rows


def _quantity(rng: random.Random, unit: Unit, low: int, high: int) -> Decimal:
    """A stock quantity: whole pieces; kg weighed to the gram; metres cut to 10 cm."""
    if unit is Unit.KILOGRAM:
        return Decimal(rng.randint(low * 1000, high * 1000)).scaleb(-3)
    if unit is Unit.METRE:
        return Decimal(rng.randint(low * 10, high * 10)).scaleb(-1)
    return Decimal(rng.randint(low, high))


def _stock(rng: random.Random, product: Row, waw_id: int) -> list[Row]:
    unit: Unit = product["unit"]
    roll = rng.random()
    if roll < 0.08:
        on_hand = Decimal(0)
    elif roll < 0.18:
        on_hand = Decimal(rng.randint(1, 9))
    else:
        on_hand = _quantity(rng, unit, 20, 800)
    rows = [_stock_row(rng, product["id"], MAIN_WAREHOUSE_ID, on_hand)]
    if rng.random() < 0.3:
        rows.append(_stock_row(rng, product["id"], waw_id, _quantity(rng, unit, 0, 300)))
    return rows


def _stock_row(rng: random.Random, product_id: int, warehouse_id: int, on_hand: Decimal) -> Row:
    # Reserved is kept whole and within a tenth of what is on hand (reserved <= on_hand).
    reserved = Decimal(rng.randint(0, int(on_hand) // 10)) if rng.random() < 0.4 else Decimal(0)
    return {
        "product_id": product_id,
        "warehouse_id": warehouse_id,
        "on_hand": on_hand,
        "reserved": reserved,
    }


TIER_PERMILLE = {0: (920, 880, 840), 1: (940, 900, 860)}
"""Hurt A and Hurt B: per mille of the list price at 1, 10 and 50 (packs)."""


def _tiers(
    rng: random.Random, ids: _Ids, product: Row, price_lists: tuple[int, int]
) -> list[Row]:
    rows: list[Row] = []
    step = max(product["pack_size"], Decimal(1))
    minimums = (Decimal(1), 10 * step, 50 * step)
    for which, price_list_id in enumerate(price_lists):
        if rng.random() >= 0.3:
            continue
        for minimum, permille in zip(minimums, TIER_PERMILLE[which], strict=True):
            # Up to half a point either way; tiers stay 4 points apart, so prices still fall.
            factor = Decimal(permille + rng.randint(-5, 5)) / 1000
            rows.append(
                {
                    "id": ids.tier,
                    "price_list_id": price_list_id,
                    "product_id": product["id"],
                    "min_quantity": minimum,
                    "price": round_money(product["list_price"] * factor),
                }
            )
            ids.tier += 1
    return rows


def _add_associations(rng: random.Random, plan: _CatalogPlan) -> None:
    """2-4 'customers also take' products per product, from its own leaf."""
    rows: list[Row] = []
    for index, (leaf_id, _, _) in enumerate(plan.leaves):
        product_id = plan.first_id + index
        others = plan.members[leaf_id]
        wanted = min(rng.randint(2, 4), len(others) - 1)
        if wanted <= 0:
            continue
        picked = [other for other in rng.sample(others, wanted + 1) if other != product_id]
        for position, associated_id in enumerate(picked[:wanted]):
            rows.append(
                {"product_id": product_id, "associated_id": associated_id, "position": position}
            )
        if len(rows) >= CHUNK:
            _insert(ProductAssociation, rows)
            rows = []
    _insert(ProductAssociation, rows)


# ---------------------------------------------------------------------------------------
# Partners and people


def _add_partners(*, now: datetime, price_list_id: int) -> dict[str, int]:
    """The three companies, their addresses and the seven demo users; returns company ids."""
    first = _next_id(Company)
    ids = {"acme": first, "globex": first + 1, "kowalski": first + 2}
    common = {"warehouse_id": MAIN_WAREHOUSE_ID, "active": True, "sales_rep_id": None}
    acme_nip = parse_tax_id("525-100-45-64")
    globex_vat = parse_tax_id("DE136695976")
    companies: list[Row] = [
        {
            **common,
            "id": ids["acme"],
            "name": "Acme Sp. z o.o.",
            "tax_id": acme_nip.number,
            "tax_country": acme_nip.country,
            "email": "biuro@acme.example",
            "phone": "+48 22 555 01 10",
            "street": "ul. Prosta 51",
            "postal_code": "00-838",
            "city": "Warszawa",
            "country": "PL",
            "payment_terms_days": 14,
            "credit_limit": Decimal("150000.00"),
            "default_discount": Decimal("5.00"),
            "price_list_id": price_list_id,
            "invoicing": Invoicing.PER_DELIVERY,
            "created_at": now - timedelta(days=640),
        },
        {
            **common,
            "id": ids["globex"],
            "name": "Globex GmbH",
            "tax_id": globex_vat.number,
            "tax_country": globex_vat.country,
            "email": "einkauf@globex.example",
            "phone": "+49 30 555 02 20",
            "street": "Friedrichstraße 68",
            "postal_code": "10117",
            "city": "Berlin",
            "country": "DE",
            "payment_terms_days": 30,
            "credit_limit": Decimal("80000.00"),
            "default_discount": Decimal("8.00"),
            "price_list_id": None,
            "invoicing": Invoicing.MONTHLY,
            "created_at": now - timedelta(days=410),
        },
        {
            **common,
            "id": ids["kowalski"],
            "name": "Kowalski Hurt-Detal Jan Kowalski",
            "tax_id": None,
            "tax_country": None,
            "email": "sklep@kowalski.example",
            "phone": "+48 12 555 03 30",
            "street": "ul. Wielicka 28",
            "postal_code": "30-552",
            "city": "Kraków",
            "country": "PL",
            "payment_terms_days": 0,
            "credit_limit": Decimal("0.00"),
            "default_discount": Decimal("0.00"),
            "price_list_id": None,
            "invoicing": Invoicing.PER_DELIVERY,
            "created_at": now - timedelta(days=180),
        },
    ]
    _insert(Company, companies)
    _add_addresses(ids, now=now)
    rep_id = _add_users(ids, now=now)
    companies_table = _table(Company)
    db.session.execute(
        sa.update(companies_table)
        .where(companies_table.c.id.in_(ids.values()))
        .values(sales_rep_id=rep_id)
    )
    return ids


def _add_addresses(company_ids: dict[str, int], *, now: datetime) -> None:
    addresses = [
        ("acme", "Magazyn Okęcie", "Acme Sp. z o.o. – magazyn", "ul. Sasanki 6", "02-230", "Warszawa", "PL", True),  # noqa: E501
        ("acme", "Biuro", "Acme Sp. z o.o.", "ul. Prosta 51", "00-838", "Warszawa", "PL", False),  # noqa: E501
        ("globex", "Lager Spandau", "Globex GmbH – Wareneingang", "Am Juliusturm 14", "13599", "Berlin", "DE", True),  # noqa: E501
        ("globex", "Niederlassung Leipzig", "Globex GmbH", "Torgauer Straße 231", "04347", "Leipzig", "DE", False),  # noqa: E501
        ("kowalski", "Sklep", "Kowalski Hurt-Detal", "ul. Wielicka 28", "30-552", "Kraków", "PL", True),  # noqa: E501
    ]
    first = _next_id(Address)
    rows = [
        {
            "id": first + offset,
            "company_id": company_ids[company],
            "label": label,
            "recipient": recipient,
            "street": street,
            "postal_code": postal_code,
            "city": city,
            "country": country,
            "phone": None,
            "is_default": is_default,
            "archived": False,
            "created_at": now - timedelta(days=170),
        }
        for offset, (company, label, recipient, street, postal_code, city, country, is_default)
        in enumerate(addresses)
    ]
    _insert(Address, rows)


def _add_users(company_ids: dict[str, int], *, now: datetime) -> int:
    """The demo logins of DEMO_LOGINS; returns the sales rep's id."""
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow on purpose: hash once
    people: list[tuple[str, str, Role, str | None, str, Decimal | None]] = [
        ("admin@demo.example", "Anna Administratorka", Role.ADMIN, None, "en", None),
        ("staff@demo.example", "Piotr Magazynier", Role.STAFF, None, "en", None),
        ("rep@demo.example", "Robert Handlowiec", Role.SALES_REP, None, "en", None),
        ("owner@acme.example", "Olga Właścicielka", Role.PARTNER_ADMIN, "acme", "pl", None),
        ("buyer@acme.example", "Bartek Zakupowy", Role.BUYER, "acme", "pl", Decimal("50000.00")),
        ("buyer@globex.example", "Greta Einkauf", Role.BUYER, "globex", "de", None),
        ("buyer@kowalski.example", "Jan Kowalski", Role.BUYER, "kowalski", "pl", None),
    ]
    first = _next_id(User)
    rows = [
        {
            "id": first + offset,
            "email": email.lower(),
            "name": name,
            "password_hash": password_hash,
            "role": role,
            "company_id": company_ids[company] if company else None,
            "language": language,
            "phone": None,
            "active": True,
            "order_limit": None,
            "monthly_limit": monthly_limit,
            "session_version": 1,
            "last_login_at": None,
            "created_at": now - timedelta(days=170 - offset),
        }
        for offset, (email, name, role, company, language, monthly_limit) in enumerate(people)
    ]
    _insert(User, rows)
    return next(row["id"] for row in rows if row["role"] is Role.SALES_REP)


def _add_contract_prices(rng: random.Random, plan: _CatalogPlan, *, company_id: int) -> None:
    """Acme's negotiated prices: about 40 products at about 80 % of the list price."""
    count = len(plan.list_prices)
    picked = sorted(rng.sample(range(count), min(40, count)))
    rows = [
        {
            "company_id": company_id,
            "product_id": plan.first_id + index,
            "price": round_money(plan.list_prices[index] * Decimal(rng.randint(78, 82)) / 100),
        }
        for index in picked
    ]
    _insert(ContractPrice, rows)


def _sync_sequences() -> None:
    """PostgreSQL: move each serial sequence past the ids given explicitly above."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (
        Warehouse,
        Category,
        PriceList,
        Product,
        ProductPhoto,
        PriceListTier,
        Company,
        Address,
        User,
    ):
        table = _table(model)
        db.session.execute(
            sa.select(
                sa.func.setval(
                    sa.func.pg_get_serial_sequence(table.name, "id"),
                    sa.select(sa.func.max(table.c.id)).scalar_subquery(),
                )
            )
        )
