"""The demo's words: the catalog tree and the vocabulary its product names are built from.

Kept apart from the builder, which draws from these lists; changing a list changes the catalog
a seed gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.catalog.models import Unit
from portal.demo.images import Colour

VAT_23, VAT_8, VAT_5 = 1, 2, 3
"""Ids of the default VAT rates that migration 0003 creates."""

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
    price: str,
    *,
    kinds: str,
    sizes: str,
    extras: str,
    unit: Unit = Unit.PIECE,
    packs: str = "1",
    vat: int = VAT_23,
    weight: int = 4,
) -> Leaf:
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


# The vocabulary: lists are '|'-separated and prices 'low-high' in złoty, one leaf per
# paragraph; kept out of the formatter, which would spread each leaf over a dozen lines.
# fmt: off
CATALOG: tuple[Branch, ...] = (
    Branch("Okucia meblowe", (176, 96, 48), (
        "Do mebli kuchennych, biurowych i łazienkowych.",
        "Montaż bez specjalistycznych narzędzi.",
        "Stal odporna na korozję, przebadana na 50 000 cykli.",
    ), (
        _leaf("Zawiasy", "ZAW", "2.49-49", packs="1|10|50",
            kinds="Zawias puszkowy|Zawias nakładany|Zawias wpuszczany|Zawias kątowy",
            sizes="26 mm|35 mm|40 mm|110°|165°",
            extras="z cichym domykiem|bez sprężyny|z prowadnikiem|nikiel|ocynk|czarny mat"),
        _leaf("Uchwyty", "UCH", "3.99-89", packs="1|10",
            kinds="Uchwyt meblowy|Uchwyt krawędziowy|Uchwyt relingowy|Uchwyt łukowy",
            sizes="rozstaw 96 mm|rozstaw 128 mm|rozstaw 160 mm|rozstaw 192 mm|rozstaw 320 mm",
            extras="chrom|stal szczotkowana|czarny mat|złoty|aluminium|mosiądz antyczny"),
        _leaf("Prowadnice szufladowe", "PRO", "9.90-129",
            kinds="Prowadnica kulkowa|Prowadnica rolkowa|Prowadnica pełnego wysuwu",
            sizes="250 mm|300 mm|350 mm|400 mm|450 mm|500 mm|550 mm",
            extras="z cichym domykiem|push-to-open|nośność 35 kg|nośność 45 kg|ocynk|czarna"),
        _leaf("Nóżki meblowe", "NOZ", "1.99-69", packs="1|5",
            kinds="Nóżka meblowa|Nóżka regulowana|Nóżka stożkowa|Stopka meblowa|Kółko meblowe",
            sizes="40 mm|60 mm|100 mm|150 mm|710 mm",
            extras="chrom|czarny mat|biały|buk|dąb|stal"),
        _leaf("Zamki meblowe", "ZAM", "6.49-59", packs="1|10",
            kinds="Zamek meblowy|Zamek baskwilowy|Zamek szufladowy|Zamek krzywkowy",
            sizes="16 mm|19 mm|22 mm|25 mm",
            extras="z 2 kluczami|master key|nikiel|mosiądz|z wkładką wymienną"),
        _leaf("Złącza meblowe", "ZLM", "0.49-19.90", packs="10|25|50",
            kinds="Konfirmat|Złącze mimośrodowe|Kołek meblowy|Wspornik półki|Kątownik meblowy",
            sizes="5x50 mm|7x50 mm|7x70 mm|8x35 mm|15 mm|40x40 mm",
            extras="ocynk|nikiel|biały|czarny|z kołkiem|stal"),
    )),
    Branch("Mocowania", (90, 100, 115), (
        "Do drewna, betonu i murów z cegły.",
        "Trwała powłoka chroni przed korozją.",
        "Wymiary zgodne z normą DIN.",
    ), (
        _leaf("Wkręty i śruby", "WKR", "0.49-4.90", packs="25|50", weight=6,
            kinds="Wkręt do drewna|Wkręt do płyt g-k|Wkręt samowiercący|Śruba zamkowa",
            sizes="3,5x25 mm|4x40 mm|5x60 mm|6x80 mm|8x120 mm|M8x60|M10x80|M12x100",
            extras="ocynk biały|ocynk żółty|stal nierdzewna A2|czarny fosfat|łeb TX"),
        _leaf("Gwoździe", "GWO", "8.90-34.90", unit=Unit.KILOGRAM, packs="0.5",
            kinds="Gwoździe budowlane|Gwoździe papowe|Gwoździe stolarskie|Gwoździe pierścieniowe",
            sizes="2,0x40 mm|2,5x50 mm|3,1x80 mm|3,4x90 mm|4,0x100 mm|5,0x150 mm",
            extras="jasne|ocynk ogniowy|z łbem płaskim|bez łba|luzem"),
        _leaf("Kołki rozporowe", "KOL", "0.49-3.90", packs="25|50",
            kinds="Kołek rozporowy|Kołek szybkiego montażu|Kołek ramowy|Kołek do płyt g-k",
            sizes="6x30 mm|8x40 mm|8x60 mm|10x80 mm|10x100 mm|12x120 mm",
            extras="nylonowy|z wkrętem|z kołnierzem|z kołnierzem stożkowym|ocynk"),
        _leaf("Kotwy", "KOT", "1.29-14.90", packs="1|10|25",
            kinds="Kotwa stalowa|Kotwa opaskowa|Kotwa wbijana|Kotwa sufitowa|Kotwa do betonu",
            sizes="M6x50|M8x75|M10x90|M12x110|M16x125",
            extras="ocynk|stal nierdzewna A4|z podkładką|z nakrętką|ocynk ogniowy"),
        _leaf("Nakrętki i podkładki", "NAK", "0.49-1.90", packs="50",
            kinds="Nakrętka sześciokątna|Nakrętka samokontrująca|Podkładka płaska|Podkładka",
            sizes="M4|M5|M6|M8|M10|M12|M16",
            extras="ocynk|stal nierdzewna A2|klasa 8|DIN 934|DIN 125"),
        _leaf("Nity", "NIT", "0.49-2.90", packs="50",
            kinds="Nit zrywalny|Nitonakrętka|Nit aluminiowy|Nit stalowy|Nitonakrętka z kołnierzem",
            sizes="3,2x8 mm|4x10 mm|4,8x12 mm|M5|M6|M8",
            extras="z łbem płaskim|z łbem wpuszczanym|aluminium/stal|stal nierdzewna|czarny"),
    )),
    Branch("Elektronarzędzia", (30, 120, 180), (
        "Gwarancja producenta 24 miesiące.",
        "Ergonomiczny uchwyt ogranicza drgania.",
        "Do pracy profesjonalnej i w warsztacie.",
    ), (
        _leaf("Wiertarki", "WIE", "149-899", weight=3,
            kinds="Wiertarka udarowa|Wiertarka stołowa|Wiertarka z mieszadłem|Wiertarka kątowa",
            sizes="500 W|650 W|750 W|850 W|1100 W",
            extras="z walizką|uchwyt 13 mm|z regulacją obrotów|z ogranicznikiem głębokości"),
        _leaf("Wkrętarki", "WKA", "199-1499", weight=3,
            kinds="Wkrętarka akumulatorowa|Wiertarko-wkrętarka|Zakrętarka udarowa",
            sizes="12 V|18 V|20 V|36 V",
            extras="2x 2,0 Ah|2x 4,0 Ah|bez akumulatora|w walizce|bezszczotkowa"),
        _leaf("Szlifierki", "SZL", "129-1899", weight=3,
            kinds="Szlifierka kątowa|Szlifierka oscylacyjna|Szlifierka mimośrodowa",
            sizes="115 mm|125 mm|150 mm|230 mm",
            extras="710 W|900 W|1400 W|2200 W|z regulacją obrotów|z odciągiem pyłu"),
        _leaf("Pilarki", "PIL", "179-2999", weight=3,
            kinds="Pilarka tarczowa|Wyrzynarka|Pilarka szablasta|Ukośnica|Pilarka stołowa",
            sizes="165 mm|190 mm|216 mm|254 mm",
            extras="1200 W|1500 W|1800 W|z prowadnicą|z laserem|w walizce"),
        _leaf("Młoty i młotowiertarki", "MLO", "299-2999", weight=2,
            kinds="Młotowiertarka SDS-plus|Młot udarowy SDS-max|Młot wyburzeniowy",
            sizes="2 J|3 J|5 J|8 J|15 J",
            extras="800 W|1100 W|1500 W|z walizką|z uchwytem wymiennym"),
        _leaf("Akcesoria do elektronarzędzi", "AKC", "2.49-149", packs="1|5|10|25", weight=5,
            kinds="Tarcza do cięcia metalu|Tarcza diamentowa|Wiertło do betonu|Zestaw bitów",
            sizes="125 mm|230 mm|6 mm|8 mm|10 mm|P80|P120",
            extras="do stali|do kamienia|do drewna|SDS-plus|tytanowane|zestaw 5 szt."),
    )),
    Branch("Elektryka", (210, 160, 20), (
        "Spełnia wymagania norm PN-EN.",
        "Do instalacji domowych i przemysłowych.",
        "Montaż powinna wykonać osoba z uprawnieniami SEP.",
    ), (
        _leaf("Przewody", "PRZ", "1.19-24.90", unit=Unit.METRE,
            kinds="Przewód YDY|Przewód YDYp|Przewód OMY|Przewód H07RN-F|Przewód LgY",
            sizes="3x1,5 mm²|3x2,5 mm²|5x2,5 mm²|2x0,75 mm²|5x4 mm²|1x6 mm²",
            extras="450/750 V|300/500 V|biały|czarny|szary|na bębnie"),
        _leaf("Gniazda i łączniki", "GNI", "6.99-49", packs="1|10",
            kinds="Gniazdo podwójne|Gniazdo z uziemieniem|Łącznik jednobiegunowy|Łącznik schodowy",
            sizes="podtynkowe|natynkowe|16 A|10 A|z ramką|IP44",
            extras="białe|czarne|kremowe|srebrne|antracyt"),
        _leaf("Oświetlenie", "OSW", "4.99-249", packs="1|10",
            kinds="Żarówka LED|Oprawa hermetyczna LED|Naświetlacz LED|Panel LED|Plafon LED",
            sizes="E27 9 W|E14 5 W|GU10 6 W|20 W|50 W|36 W 60x60",
            extras="barwa ciepła|barwa neutralna|barwa zimna|IP65|z czujnikiem ruchu"),
        _leaf("Aparatura modułowa", "APM", "12.90-349",
            kinds="Wyłącznik nadprądowy|Wyłącznik różnicowoprądowy|Rozłącznik izolacyjny",
            sizes="1P|2P|3P|4P",
            extras="B16|C20|30 mA|40 A|63 A|6 kA|10 kA"),
        _leaf("Przedłużacze", "PRD", "14.90-299",
            kinds="Przedłużacz|Przedłużacz bębnowy|Listwa zasilająca|Przedłużacz warsztatowy",
            sizes="3 m|5 m|10 m|25 m|50 m",
            extras="3 gniazda|4 gniazda|z wyłącznikiem|IP44|z bezpiecznikiem"),
        _leaf("Puszki i osprzęt", "PUS", "0.49-19.90", packs="10|25|50",
            kinds="Puszka podtynkowa|Puszka natynkowa|Korytko kablowe|Opaska zaciskowa",
            sizes="fi 60 mm|fi 80 mm|20 mm|40x25 mm|200 mm",
            extras="szara|biała|hermetyczna|głęboka|samogasnąca"),
    )),
    Branch("Hydraulika", (30, 140, 130), (
        "Do instalacji wody zimnej i ciepłej.",
        "Atest PZH do kontaktu z wodą pitną.",
        "Standardowe przyłącza ułatwiają montaż.",
    ), (
        _leaf("Rury i kształtki", "RUR", "0.99-39.90", packs="1|10|25",
            kinds="Rura PP|Kolano PP|Trójnik PP|Mufa PP|Redukcja PP|Rura kanalizacyjna PVC",
            sizes="16 mm|20 mm|25 mm|32 mm|40 mm|110 mm",
            extras="PN16|PN20|stabi|90°|45°|szara"),
        _leaf("Rury PEX i wielowarstwowe", "PEX", "2.99-39.90", unit=Unit.METRE,
            kinds="Rura PEX-AL-PEX|Rura PE-RT|Rura PEX w otulinie|Rura miedziana",
            sizes="16x2,0 mm|20x2,0 mm|26x3,0 mm|15 mm|18 mm|22 mm",
            extras="w kręgu 200 m|w kręgu 100 m|z barierą antydyfuzyjną|w otulinie"),
        _leaf("Zawory", "ZAR", "9.90-249",
            kinds="Zawór kulowy|Zawór zwrotny|Zawór termostatyczny|Zawór grzejnikowy",
            sizes='1/2"|3/4"|1"|5/4"|2"',
            extras="z motylkiem|z dźwignią|mosiężny|niklowany|kątowy|prosty"),
        _leaf("Baterie", "BAT", "89-1299", weight=3,
            kinds="Bateria umywalkowa|Bateria zlewozmywakowa|Bateria wannowa|Bateria prysznicowa",
            sizes="stojąca|ścienna|z wyciąganą wylewką|termostatyczna|z zestawem natryskowym",
            extras="chrom|czarny mat|stal szczotkowana|złoty|biały"),
        _leaf("Uszczelnienia", "USZ", "1.49-39.90", packs="1|10",
            kinds="Taśma teflonowa|Pakuły lniane|Pasta uszczelniająca|Nić uszczelniająca",
            sizes='12 m|50 g|100 g|250 ml|1/2"|3/4"',
            extras="do wody|do gazu|DVGW|zestaw 10 szt."),
        _leaf("Syfony i odpływy", "SYF", "9.90-499",
            kinds="Syfon umywalkowy|Syfon zlewozmywakowy|Odpływ liniowy|Kratka ściekowa",
            sizes="fi 32|fi 40|fi 50|60 cm|80 cm|10x10 cm",
            extras="chrom|biały|z rewizją|stal nierdzewna|z przelewem"),
    )),
    Branch("Farby i chemia", (180, 50, 90), (
        "Do wnętrz i na zewnątrz.",
        "Niska zawartość LZO.",
        "Przechowywać w temperaturze powyżej 5 °C.",
    ), (
        _leaf("Farby ścienne", "FSC", "19.90-349",
            kinds="Farba lateksowa|Farba akrylowa|Farba ceramiczna|Farba do sufitów",
            sizes="1 l|2,5 l|5 l|10 l",
            extras="biała|biała mat|szara perłowa|beżowa|plamoodporna"),
        _leaf("Emalie i lakiery", "EMA", "14.90-249",
            kinds="Emalia akrylowa|Emalia ftalowa|Lakier do drewna|Lakierobejca|Olej do drewna",
            sizes="0,2 l|0,75 l|0,9 l|2,5 l|5 l",
            extras="połysk|satyna|mat|bezbarwny|orzech|antracyt"),
        _leaf("Kleje i silikony", "KLE", "8.90-89", packs="1|10|25",
            kinds="Silikon sanitarny|Klej montażowy|Pianka montażowa|Akryl malarski",
            sizes="280 ml|300 ml|310 ml|750 ml",
            extras="biały|bezbarwny|szary|pistoletowy|wężykowy|zimowy"),
        _leaf("Rozpuszczalniki", "ROZ", "7.90-119", weight=2,
            kinds="Rozcieńczalnik uniwersalny|Benzyna ekstrakcyjna|Aceton techniczny",
            sizes="0,5 l|1 l|5 l|10 l",
            extras="w puszce|w butelce|w kanistrze|bezzapachowy"),
        _leaf("Gładzie i zaprawy", "GLA", "9.90-89",
            kinds="Gładź szpachlowa|Gips szpachlowy|Zaprawa klejowa|Fuga cementowa",
            sizes="1 kg|2 kg|5 kg|20 kg|25 kg",
            extras="biała|szara|elastyczna|mrozoodporna|do wnętrz"),
        _leaf("Akcesoria malarskie", "AKM", "2.49-49", packs="1|10",
            kinds="Wałek malarski|Pędzel płaski|Taśma malarska|Kuweta malarska|Szpachla",
            sizes="18 cm|25 cm|50 mm|70 mm|48 mm x 50 m",
            extras="mikrofaza|welur|poliamid|z rączką|zestaw"),
    )),
    Branch("Ogród", (70, 150, 60), (
        "Odporne na promieniowanie UV i mróz.",
        "Do ogrodów przydomowych i terenów zieleni.",
        "Lekka i wytrzymała konstrukcja.",
    ), (
        _leaf("Węże ogrodowe", "WEZ", "1.99-14.90", unit=Unit.METRE,
            kinds="Wąż ogrodowy|Wąż zbrojony|Wąż tekstylny|Wąż do zraszania|Wąż techniczny",
            sizes='1/2"|3/4"|5/8"|1"',
            extras="4-warstwowy|6-warstwowy|odporny na UV|zielony|czarny|żółty"),
        _leaf("Narzędzia ogrodowe", "NOG", "19.90-249",
            kinds="Szpadel|Grabie|Sekator|Nożyce do żywopłotu|Motyka|Łopata",
            sizes="z trzonkiem 120 cm|kute|krótkie|teleskopowe|ergonomiczne",
            extras="stal hartowana|trzonek jesionowy|rękojeść z włókna szklanego|lekkie"),
        _leaf("Nawadnianie", "NAW", "3.49-189", packs="1|10",
            kinds="Zraszacz obrotowy|Zraszacz pulsacyjny|Szybkozłączka|Pistolet zraszający",
            sizes='1/2"|3/4"|wielofunkcyjny|8 funkcji',
            extras="z regulacją|z zaworem stop|plastik|mosiądz|z timerem"),
        _leaf("Nawozy i podłoża", "NAZ", "9.90-89", vat=VAT_8, weight=8,
            kinds="Nawóz uniwersalny|Nawóz do trawnika|Nawóz do iglaków|Ziemia uniwersalna",
            sizes="1 kg|3 kg|5 kg|10 kg|20 l|50 l|80 l",
            extras="granulowany|długo działający|wieloskładnikowy|bez chloru|ekologiczny"),
        _leaf("Donice i osłonki", "DON", "4.90-199", packs="1|5|10",
            kinds="Donica|Osłonka|Skrzynka balkonowa|Podstawka pod donicę|Doniczka",
            sizes="fi 20 cm|fi 30 cm|fi 40 cm|60 cm|80 cm",
            extras="antracyt|terakota|biała|szara|rattan"),
        _leaf("Kosiarki i podkaszarki", "KOS", "249-2999", weight=2,
            kinds="Kosiarka elektryczna|Kosiarka spalinowa|Kosiarka akumulatorowa|Wertykulator",
            sizes="32 cm|38 cm|42 cm|46 cm|51 cm",
            extras="1200 W|1800 W|z koszem 45 l|z napędem|z mulczowaniem|36 V"),
    )),
    Branch("BHP", (220, 110, 30), (
        "Zgodne z normami EN.",
        "Certyfikat CE.",
        "Wygodne przy całodziennej pracy.",
    ), (
        _leaf("Rękawice", "REK", "0.99-49", packs="1|10|50",
            kinds="Rękawice robocze|Rękawice powlekane nitrylem|Rękawice skórzane",
            sizes="rozmiar 7|rozmiar 8|rozmiar 9|rozmiar 10|rozmiar 11",
            extras="szare|czarne|niebieskie|antyprzecięciowe|ocieplane"),
        _leaf("Odzież robocza", "ODZ", "9.90-299",
            kinds="Spodnie robocze|Bluza robocza|Kamizelka ostrzegawcza|Kurtka softshell",
            sizes="S|M|L|XL|XXL|3XL",
            extras="szare|granatowe|czarne|odblaskowe|ze wzmocnieniami"),
        _leaf("Obuwie robocze", "OBU", "49-399",
            kinds="Trzewiki robocze S3|Półbuty robocze S1P|Kalosze PCV|Sandały robocze S1",
            sizes="rozmiar 39|rozmiar 40|rozmiar 41|rozmiar 42|rozmiar 43|rozmiar 44|rozmiar 45",
            extras="z podnoskiem|antypoślizgowe|ocieplane|czarne|brązowe"),
        _leaf("Ochrona głowy i oczu", "OCH", "2.99-249", packs="1|10|25",
            kinds="Kask ochronny|Okulary ochronne|Gogle ochronne|Nauszniki przeciwhałasowe",
            sizes="regulowany|uniwersalny|SNR 27 dB|SNR 32 dB",
            extras="biały|żółty|niebieski|bezbarwny|przyciemniany|z wentylacją"),
        _leaf("Apteczki i oznakowanie", "APT", "3.99-199",
            kinds="Apteczka zakładowa|Znak ewakuacyjny|Taśma ostrzegawcza|Tablica informacyjna",
            sizes="DIN 13157|A4|A3|100 m|50 cm",
            extras="fotoluminescencyjny|PCV|biało-czerwony|żółto-czarny|z uchwytem"),
        _leaf("Poradniki BHP", "POR", "19.90-149", vat=VAT_5, weight=1,
            kinds="Poradnik BHP w magazynie|Poradnik pierwszej pomocy|Przepisy BHP na budowie",
            sizes="wydanie 2025|wydanie 2026|oprawa miękka|oprawa twarda",
            extras="z indeksem|z przykładami|z wzorami dokumentów"),
    )),
    Branch("Opakowania", (140, 110, 70), (
        "Do wysyłek kurierskich i magazynowania.",
        "Z materiałów nadających się do recyklingu.",
        "Sprzedawane w opakowaniach zbiorczych.",
    ), (
        _leaf("Kartony", "KAR", "0.49-9.90", packs="25|50",
            kinds="Karton klapowy|Karton fasonowy|Pudło archiwizacyjne|Karton wysyłkowy",
            sizes="200x150x100 mm|300x200x200 mm|400x300x300 mm|600x400x400 mm|A4",
            extras="3-warstwowy|5-warstwowy|szary|biały|z nadrukiem"),
        _leaf("Taśmy pakowe", "TAS", "2.49-19.90", packs="1|10|25",
            kinds="Taśma pakowa|Taśma dwustronna|Taśma papierowa|Taśma z nadrukiem",
            sizes="48 mm x 66 m|48 mm x 132 m|50 mm x 50 m|19 mm x 33 m",
            extras="akrylowa|hot-melt|kauczukowa|przezroczysta|brązowa"),
        _leaf("Folie", "FOL", "1.99-89",
            kinds="Folia stretch|Folia bąbelkowa|Folia ochronna|Folia termokurczliwa",
            sizes="50 cm x 300 m|100 cm x 50 m|23 mikrony|17 mikronów|150 cm x 100 m",
            extras="przezroczysta|czarna|LDPE|z recyklatu|wzmocniona"),
        _leaf("Worki i torby", "WOR", "0.49-49", packs="10|25|50",
            kinds="Worek na śmieci|Worek budowlany|Worek strunowy|Torba papierowa",
            sizes="35 l|60 l|120 l|160 l|10x15 cm",
            extras="czarne|niebieskie|LDPE|mocne|z uszami"),
        _leaf("Wypełniacze", "WYP", "0.49-79", packs="1|25",
            kinds="Chipsy styropianowe|Papier wypełniający|Poduszki powietrzne|Narożnik ochronny",
            sizes="50 l|150 l|250 l|35x35 mm",
            extras="białe|szare|z recyklatu|kraft"),
        _leaf("Sznurki, linki i łańcuchy", "SZN", "0.49-19.90", unit=Unit.METRE,
            kinds="Sznurek jutowy|Sznurek polipropylenowy|Linka stalowa|Łańcuch ocynkowany",
            sizes="2 mm|4 mm|6 mm|12 mm|16 mm",
            extras="naturalny|biały|czarny|ocynk|w oplocie PVC"),
    )),
)
# fmt: on


# ---------------------------------------------------------------------------------------
# The order history: what the partners' people and the sales office write on orders

CHECKOUT_NOTES: dict[str, tuple[str, ...]] = {
    "pl": (
        "Proszę o telefon 30 minut przed dostawą.",
        "Towar potrzebny na poniedziałek rano.",
        "Proszę dołączyć karty techniczne produktów.",
        "Można dostarczyć w dwóch paczkach.",
        "Dostawa od 8:00 do 15:00, wjazd od podwórza.",
    ),
    "de": (
        "Bitte Anlieferung an Rampe 3, Mo–Fr 7–15 Uhr.",
        "Teillieferungen sind in Ordnung.",
        "Bitte vorher telefonisch avisieren.",
    ),
}
CANCEL_REASONS: dict[str, tuple[str, ...]] = {
    "pl": (
        "Zamówione podwójnie.",
        "Inwestycja przesunięta na kolejny miesiąc.",
        "Pomyłka w ilościach – złożę nowe zamówienie.",
    ),
    "de": (
        "Versehentlich doppelt bestellt.",
        "Projekt verschoben.",
        "Falsche Menge – wir bestellen neu.",
    ),
}
REJECTION_REASON = (
    "Budżet działu na ten miesiąc jest wyczerpany – proszę podzielić zamówienie "
    "na dwie dostawy w przyszłym miesiącu."
)
PHONE_ORDER_NOTE = "Zamówienie telefoniczne, rabat 3 % uzgodniony z handlowcem."
HOLD_FOR_PREPAYMENT = "Wstrzymane do zaksięgowania przedpłaty."
HOLD_FOR_ADDRESS = "Waiting for the customer to confirm the delivery address in Leipzig."
LIST_NAMES: dict[str, tuple[str, str]] = {
    "acme": ("Cotygodniowe uzupełnienie", "Podstawy warsztatu"),
    "globex": ("Wöchentlicher Nachschub", "Werkstatt-Grundausstattung"),
    "kowalski": ("Stały asortyment sklepu", "Podstawy warsztatu"),
}

Thread = tuple[tuple[str, str, bool], ...]
"""An order's messages: (who writes: buyer, staff or rep; the text; internal to the seller)."""

THREADS: dict[str, Thread] = {
    "acme_shipped": (
        (
            "buyer",
            "Czy dostawa dotrze przed piątkiem? Ekipa montażowa zaczyna w poniedziałek.",
            False,
        ),
        ("staff", "Tak – paczka wyjechała dziś, kurier dostarczy ją jutro do 12:00.", False),
    ),
    "globex_shipped": (
        ("buyer", "Bitte liefern Sie an Rampe 3, Anlieferung Mo–Fr 7–15 Uhr.", False),
        ("staff", "Thank you – noted for the courier: ramp 3, Monday to Friday 7–15.", False),
    ),
    "kowalski_hold": (
        ("staff", "Czekamy na przelew – po zaksięgowaniu wysyłamy tego samego dnia.", False),
        ("buyer", "Przelew wyszedł dziś rano, potwierdzenie wysłałem mailem.", False),
        ("rep", "Klient dzwonił, przelew z jego banku dochodzi zwykle po 1 dniu.", True),
    ),
}
