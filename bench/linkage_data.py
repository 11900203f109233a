"""Deterministic labelled linkage set: OST students, college applicants and the true links.

The students are what schools send (upper case, legal names, accents kept or not, OEN mostly
present); the applicants are what people type (mixed case, preferred names, accents dropped,
typing slips, one part of a double surname, a changed surname, a mistyped OEN or birth date),
plus applicants who are not among the students (siblings, other schools, mature and
international applicants). Rates aim at what an Ontario application service sees.
"""

import datetime as dt
import itertools
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from matching.schema import APPLICANTS_SCHEMA, STUDENTS_SCHEMA

TRUTH_SCHEMA: dict[str, pl.DataType] = {
    "student_key": pl.Int64(),
    "true_application_number": pl.String(),
    "true_international": pl.Boolean(),
}

APPLICANTS_PER_STUDENT = 5 / 3  # 150,000 students, 250,000 applicants
STUDENTS_PER_SCHOOL = 160


# --- name pools ------------------------------------------------------------------------------


class Pool:
    """Names drawn with Zipf-like weights: the first names of the list are the most common."""

    def __init__(self, names: str | Sequence[str], exponent: float = 0.75) -> None:
        self.names = names.split() if isinstance(names, str) else list(names)
        weights = [1 / (rank + 1) ** exponent for rank in range(len(self.names))]
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cumulative)[0].replace("_", " ")


# Anglo surnames get a long tail from compounds (ASHFORD, BLACKWOOD), as real ones have.
_ANGLO_SURNAMES = Pool(
    "SMITH BROWN WILSON TAYLOR CAMPBELL ANDERSON JONES MACDONALD JOHNSON WILLIAMS THOMPSON WHITE "
    "MARTIN CLARK LEWIS WALKER YOUNG KING WRIGHT SCOTT GREEN BAKER HALL MURPHY KELLY O'NEIL "
    "O'BRIEN O'CONNOR SULLIVAN MACKENZIE MCLEAN STEWART ROBINSON MITCHELL MOORE ROSS FRASER REID "
    "GRAHAM HILL WOOD MILLER DAVIS EVANS MORRISON HUGHES COOK MORGAN BELL MURRAY COOPER WARD "
    "HENDERSON PATERSON HAMILTON WATSON GRANT KENNEDY FERGUSON HUNTER PARKER ADAMS BAILEY PRICE "
    "RICHARDSON COLLINS BENNETT GORDON SHAW ELLIS FOSTER POWELL RUSSELL LAWSON MARSHALL BOYD "
    "DOUGLAS MCDONALD MACLEOD CAMERON CHAMBERS FLEMING DUNCAN BURNS FISHER WALSH RYAN O'SULLIVAN "
    "CARTER PHILLIPS TURNER JAMES EDWARDS GRIFFIN BARNES HAYES MYERS FORD",
    0.7,
)
_ANGLO_HEADS = "ASH BLACK BRAD CALD CHAT CRAN DAL DRAY FAIR FAR GLAD HART HAX HOL KIRK LANG LOCK "
_ANGLO_HEADS += "MARS MID NEW NOR PEM RAD RAVEN SHER STAN THORN WEST WHIT WIN WOOL YARD"
_ANGLO_TAILS = "BY BURN COTT FIELD FORD HAM HURST LEY LOW MORE STEAD STONE TON WELL WOOD WORTH"
_ANGLO_TAIL_POOL = Pool(
    [head + tail for head in _ANGLO_HEADS.split() for tail in _ANGLO_TAILS.split()], 0.2
)


@dataclass(frozen=True)
class Culture:
    """How names of one origin look on a school record."""

    key: str
    male: Pool
    female: Pool
    surnames: Pool
    middle_rate: float = 0.6
    double_surname_rate: float = 0.0  # legal surname of two names (GARCIA LOPEZ)
    hyphen_rate: float = 0.0  # of those, written with a hyphen
    compound_first_rate: float = 0.0  # JEAN-FRANCOIS
    english_alias_rate: float = 0.0  # an English given name as the legal middle name
    surname_tail: Pool | None = None
    middle_from_surnames: bool = False  # Filipino: the mother's maiden name as middle name


CULTURES: dict[str, Culture] = {
    "anglo": Culture(
        "anglo",
        Pool(
            "LIAM NOAH ETHAN LUCAS BENJAMIN WILLIAM JACOB OWEN ALEXANDER MATTHEW JAMES LOGAN "
            "NATHAN RYAN DYLAN JOSHUA DANIEL MICHAEL CONNOR EVAN SAMUEL JACK TYLER CHRISTOPHER "
            "NICHOLAS ANDREW THOMAS JOSEPH AIDEN CARTER HUNTER LANDON GAVIN COLE BRANDON JUSTIN "
            "ROBERT JONATHAN ZACHARY AUSTIN KYLE ISAAC ELIJAH OLIVER HENRY CALEB MASON SEBASTIAN "
            "CAMERON GABRIEL LEVI PARKER CHASE SPENCER JORDAN EDWARD MITCHELL BRADY TRISTAN "
            "NOLAN ADAM SETH GRAHAM GRANT MARCUS DEREK TREVOR SHANE BRETT COLTON PRESTON "
            "JULIAN FINN MILES DECLAN RILEY EMMETT THEODORE FREDERICK RICHARD TIMOTHY PATRICK "
            "STEVEN KENNETH GREGORY CHARLES DOMINIC ANTHONY JEFFREY"
        ),
        Pool(
            "EMMA OLIVIA AVA SOPHIA EMILY ABIGAIL ISABELLA CHARLOTTE HANNAH MADISON CHLOE GRACE "
            "ELLA SARAH LAUREN MEGAN JESSICA ELIZABETH KATHERINE VICTORIA ALEXANDRA SAMANTHA "
            "RACHEL REBECCA NATALIE AMELIA EVELYN MACKENZIE BROOKLYN AVERY PAIGE KAYLA BRIANNA "
            "HAILEY JENNIFER STEPHANIE DANIELLE NICOLE CHRISTINA AMBER JASMINE MORGAN TAYLOR "
            "SYDNEY JORDAN ALYSSA KAITLYN RILEY LEAH ZOE CLAIRE ABBY ISABEL MARGARET CAROLINE "
            "GABRIELLE JACQUELINE KIMBERLY AUDREY NORA LUCY HEATHER AMANDA MOLLY SHELBY "
            "MIKAYLA MALLORY TESSA PAYTON KENDRA SIERRA ASHLEY BAILEY MIRANDA MELISSA"
        ),
        _ANGLO_SURNAMES,
        middle_rate=0.8,
        double_surname_rate=0.04,
        hyphen_rate=0.9,
        surname_tail=_ANGLO_TAIL_POOL,
    ),
    "french": Culture(
        "french",
        Pool(
            "GABRIEL SAMUEL WILLIAM OLIVIER FÉLIX THOMAS ALEXANDRE ÉMILE MAXIME ANTOINE NATHAN "
            "LOUIS JÉRÉMY NICOLAS MATHIEU PHILIPPE GUILLAUME SÉBASTIEN FRÉDÉRIC BENOÎT RÉMI "
            "CÉDRIC JÉRÔME ÉTIENNE MARC-ANDRÉ VINCENT HUGO LÉO RAPHAËL XAVIER DAVID SIMON "
            "ZACHARY TRISTAN CHARLES JACOB ÉRIC DOMINIC MARTIN LUC"
        ),
        Pool(
            "LÉA ÉMILIE CHLOÉ ZOÉ JULIETTE SARAH CAMILLE NOÉMIE FLORENCE ROSALIE GABRIELLE "
            "CATHERINE ISABELLE GENEVIÈVE STÉPHANIE VÉRONIQUE MÉLANIE JOSÉE AMÉLIE AUDREY "
            "CHARLOTTE ÉLODIE MAUDE OCÉANE ANAÏS CLARA LAURENCE MAÉLIE JULIE VALÉRIE "
            "SOPHIE ALEXANDRA ÉLISABETH MARIANNE ANNIE JASMINE ÉMY CORALIE"
        ),
        Pool(
            "TREMBLAY GAGNON ROY CÔTÉ BOUCHARD GAUTHIER MORIN LAVOIE FORTIN GAGNÉ OUELLET "
            "PELLETIER BÉLANGER LÉVESQUE BERGERON LEBLANC PAQUETTE GIRARD SIMARD BOUCHER CARON "
            "BEAULIEU CLOUTIER DUBÉ POIRIER FOURNIER LAPOINTE LECLERC LEFEBVRE POULIN THIBAULT "
            "ST-PIERRE DESJARDINS BÉRUBÉ CHÉNIER LALONDE SÉGUIN CHARBONNEAU GÉLINAS LAFRAMBOISE "
            "LÉGER BRUNET VILLENEUVE DESROCHERS LACROIX PROULX CHARRON MÉNARD THÉRIAULT "
            "BEAUCHAMP DAOUST LAMARCHE D'AMOUR DE GRANDPRÉ LEDUC RACINE SAVARD"
        ),
        middle_rate=0.5,
        double_surname_rate=0.08,
        hyphen_rate=1.0,
        compound_first_rate=0.22,
    ),
    "south_asian": Culture(
        "south_asian",
        Pool(
            "ARJUN HARPREET GURPREET JASPREET NAVDEEP MANPREET ARYAN RAHUL ROHAN KARAN ISHAAN "
            "AARAV VIHAAN SIDDHARTH ADITYA ABHISHEK KRISHNA RAJVEER JASKARAN SUKHDEEP AMRIT "
            "GURSHAN HARJOT PARAM TANVIR DEV NIKHIL VARUN PRANAV YASH THANUSHAN KAJAN ARSHDEEP "
            "HARSHIL KABIR ANSH MUHAMMAD HAMZA AYAAN ZAIN FAIZAN USMAN BILAL SAAD"
        ),
        Pool(
            "SIMRAN HARPREET JASPREET MANPREET NAVNEET PRIYA ANANYA ISHITA KIRAN AVNEET "
            "GURLEEN JASLEEN HARLEEN PRIYANKA DIVYA SNEHA POOJA RIYA SIMRANJEET NAVJOT TANVI "
            "AANYA DIYA ANIKA KEERTHANA THARSHIKA SHREYA MEHAK SANA AYESHA ZARA FATIMA HIBA "
            "ALISHA NIMRAT RAVNEET SUKHMANI KOMAL"
        ),
        Pool(
            "SINGH KAUR PATEL SHARMA GILL SANDHU DHILLON GREWAL SIDHU BRAR SHAH GUPTA KUMAR "
            "MEHTA DESAI REDDY JOSHI MALHOTRA CHOPRA VERMA BAJWA CHEEMA MANN SAINI VIRK RANDHAWA "
            "AHMED KHAN SIDDIQUI QURESHI MALIK CHAUDHRY SIVAKUMAR THEVARAJAH RAJARATNAM "
            "KANAGARATNAM SRISKANDARAJAH BALASUBRAMANIAM NAIR PILLAI IYER RAO BHATT TRIVEDI"
        ),
        middle_rate=0.3,
    ),
    "chinese": Culture(
        "chinese",
        Pool(
            "KEVIN JASON ERIC JUSTIN DANIEL RYAN ANDY BRIAN TONY DAVID JEFFREY ALEX ZIHAN "
            "HAOYU YUXUAN JUNJIE ZHIHAO WEI JIAHAO YICHEN HAORAN MINGHAO ZEYU SHUYANG BOYANG "
            "TIANYI KAI JUN HAO"
        ),
        Pool(
            "JESSICA VIVIAN CINDY ANGELA GRACE TIFFANY JENNY AMY IRIS CHLOE EMILY XINYI JIAHUI "
            "YUTONG ZIQI SIYU YIXUAN MENGYAO RUOXI XIAOTONG YUQING WENJING SHIYU HUI LING MEI"
        ),
        Pool(
            "LI WANG ZHANG LIU CHEN YANG HUANG ZHAO WU ZHOU XU SUN MA ZHU HU LIN GUO HE GAO LUO "
            "WONG CHAN LEUNG LAM CHEUNG NG HO LAU CHOW TANG YU LEE TSE MAK KWAN FUNG LIANG SONG"
        ),
        middle_rate=0.15,
        english_alias_rate=0.35,
    ),
    "arab": Culture(
        "arab",
        Pool(
            "MOHAMMED AHMED ALI OMAR YOUSSEF IBRAHIM HASSAN HUSSEIN KHALID MUSTAFA ABDULLAH "
            "ADAM YASSIN KARIM TAREK SAMI RAMI ZAKARIA HAMZA AMIR ILYAS BILAL ABDIRAHMAN "
            "MOHAMED ABDI FARHAN OSMAN JAMAL NASSER WALID"
        ),
        Pool(
            "FATIMA AISHA MARIAM ZAINAB NOOR LAYLA SARA HANA YASMIN AMINA RANIA LINA SALMA "
            "HIBA MALAK JANA REEM DANA NOUR HAWA IKRAN HODAN SAMIRA LEILA NADIA RUQAYYA"
        ),
        Pool(
            "ALI HASSAN HUSSEIN AHMED MOHAMED IBRAHIM ABDI FARAH KHALIL HADDAD KHOURY SALEH "
            "AL-HASSAN EL-AMIN ABDULLAH OMAR YUSUF MOHAMUD WARSAME NASSER HAMDAN MANSOUR "
            "SAAB NAJJAR ISSA AZIZ RAHMAN HASHEMI AL-SAYED ABOU-HAMAD EL-KHOURY BAKR"
        ),
        middle_rate=0.35,
    ),
    "italian": Culture(
        "italian",
        Pool(
            "MARCO LUCA ALESSANDRO MATTEO GIUSEPPE GIOVANNI ANTONIO FRANCESCO LORENZO "
            "VINCENZO DOMENICO SALVATORE NICOLA DANIELE STEFANO PAOLO ANTHONY MICHAEL JOSEPH "
            "DANIEL NICHOLAS"
        ),
        Pool(
            "GIULIA FRANCESCA CHIARA ALESSIA SOFIA MARTINA ELENA SARA VALENTINA GABRIELLA "
            "ISABELLA NICOLE ANGELA MARIA JESSICA VANESSA NATALIA"
        ),
        Pool(
            "ROSSI RUSSO ESPOSITO BIANCHI ROMANO COLOMBO RICCI MARINO DE_LUCA DI_STEFANO "
            "D'AMICO LOMBARDI DESANTIS GRECO BRUNO GALLO CONTI COSTA FONTANA CARUSO MANCINI "
            "RIZZO DI_NARDO DE_ANGELIS DI_PIETRO LO_RUSSO PANETTA SPADAFORA"
        ),
        middle_rate=0.55,
    ),
    "portuguese": Culture(
        "portuguese",
        Pool(
            "JOÃO JOSÉ MIGUEL TIAGO RAFAEL DIOGO GONÇALO DANIEL RICARDO PEDRO LUCAS "
            "MANUEL ANDRÉ BRUNO NELSON"
        ),
        Pool(
            "ANA INÊS BEATRIZ MARIANA SOFIA CAROLINA JÉSSICA DANIELA CATARINA VANESSA SARA MELISSA"
        ),
        Pool(
            "SILVA SANTOS FERREIRA PEREIRA OLIVEIRA COSTA RODRIGUES MARTINS SOUSA MEDEIROS "
            "PACHECO DE_SOUSA DA_COSTA CORREIA MENDES TAVARES CABRAL REGO ALMEIDA FURTADO"
        ),
        middle_rate=0.5,
        double_surname_rate=0.25,
    ),
    "hispanic": Culture(
        "hispanic",
        Pool(
            "ALEJANDRO MATEO SANTIAGO DIEGO SEBASTIÁN JOSÉ_LUIS JUAN_PABLO CARLOS ANDRÉS "
            "DANIEL JAVIER FERNANDO LUIS MIGUEL_ÁNGEL GABRIEL EMILIANO"
        ),
        Pool(
            "SOFÍA VALENTINA CAMILA MARÍA_JOSÉ DANIELA ISABELLA GABRIELA ANA_LUCÍA "
            "MARIANA XIMENA LUCÍA NATALIA PAULA ANDREA FERNANDA"
        ),
        Pool(
            "GARCÍA RODRÍGUEZ MARTÍNEZ HERNÁNDEZ LÓPEZ GONZÁLEZ PÉREZ SÁNCHEZ RAMÍREZ TORRES "
            "FLORES RIVERA GÓMEZ DÍAZ CRUZ MORALES REYES GUTIÉRREZ ORTIZ CASTILLO VARGAS ROJAS "
            "MENDOZA CASTRO"
        ),
        middle_rate=0.2,
        double_surname_rate=0.6,
        hyphen_rate=0.15,
    ),
    "filipino": Culture(
        "filipino",
        Pool(
            "JOHN_PAUL MARK_ANTHONY ANGELO JOSHUA CHRISTIAN JAMES RAFAEL MIGUEL CARLO "
            "KENNETH JUSTIN NATHANIEL ADRIAN"
        ),
        Pool(
            "KYLA JASMINE NICOLE ANGELICA PRINCESS MARIE CHRISTINE ANGEL JOANNA BEA "
            "PATRICIA KRISTINE ERICA"
        ),
        Pool(
            "SANTOS REYES CRUZ BAUTISTA OCAMPO GARCIA MENDOZA DELA_CRUZ TORRES VILLANUEVA "
            "RAMOS AQUINO CASTILLO DE_GUZMAN FERNANDEZ MANALO PASCUAL SORIANO NAVARRO"
        ),
        middle_rate=0.7,
        middle_from_surnames=True,
    ),
    "east_asian": Culture(
        "east_asian",
        Pool("MINH DUC TUAN HUY KHANG BAO JI-HOON MIN-JUN SEO-JUN HYUN-WOO JAE TAEHYUN DANIEL"),
        Pool("LINH ANH THAO HUONG NGOC VY JI-WOO SEO-YEON MIN-JI HA-EUN YUNA SOO-AH"),
        Pool("NGUYEN TRAN LE PHAM HOANG PHAN VU DANG BUI DO KIM LEE PARK CHOI JUNG KANG CHO YOON"),
        middle_rate=0.4,
        english_alias_rate=0.2,
    ),
    "caribbean_african": Culture(
        "caribbean_african",
        Pool(
            "JAYDEN MALIK ISAIAH ANDRE JAMAL DESHAWN TYRONE MARCUS CHIDI EMEKA KWAME "
            "OLUWASEUN TUNDE DAVID SAMUEL JOSHUA DANIEL ELIJAH"
        ),
        Pool(
            "AALIYAH JADA NIA IMANI TIANA SHANICE CHIAMAKA NGOZI ADAEZE ABENA FUNMILAYO "
            "TEMI GRACE FAITH ESTHER PRECIOUS"
        ),
        Pool(
            "WILLIAMS BROWN CAMPBELL THOMPSON GRANT CLARKE RICHARDS OKAFOR ADEYEMI OKONKWO "
            "MENSAH BOATENG OWUSU ADEBAYO NWOSU BANKOLE FRANCIS JOSEPH ALEXANDER"
        ),
        middle_rate=0.6,
    ),
    "east_european": Culture(
        "east_european",
        Pool("ALEKSANDR DMITRI IVAN MAKSYM ANDRIY JAKUB PIOTR NIKOLAI MIKHAIL PAVEL ARTEM"),
        Pool("ANASTASIA SOFIYA KATERYNA OLENA NATALIA ZUZANNA AGNIESZKA DARIA VIKTORIA MILA"),
        Pool(
            "KOWALSKI NOWAK KOVALENKO SHEVCHENKO BONDARENKO WISNIEWSKI PETROV IVANOV "
            "MELNYK KRAWCZYK POPOV SMIRNOV HORVAT NOVAK PAPADOPOULOS GEORGIOU"
        ),
        middle_rate=0.3,
    ),
}

# Ontario secondary-school population, roughly (GTA and the rest of the province together).
CULTURE_SHARES = {
    "anglo": 0.36, "french": 0.09, "south_asian": 0.14, "chinese": 0.09, "arab": 0.07,
    "italian": 0.04, "portuguese": 0.04, "hispanic": 0.04, "filipino": 0.04, "east_asian": 0.03,
    "caribbean_african": 0.04, "east_european": 0.02,
}  # fmt: skip

INTERNATIONAL_CULTURES = {
    "south_asian": 0.4, "chinese": 0.2, "arab": 0.08, "hispanic": 0.08, "filipino": 0.08,
    "east_asian": 0.08, "caribbean_african": 0.08,
}  # fmt: skip

# Preferred names applicants type instead of their legal first name.
PREFERRED: dict[str, tuple[str, ...]] = {
    "ROBERT": ("Rob", "Bob", "Robbie"), "WILLIAM": ("Will", "Bill", "Liam"),
    "MICHAEL": ("Mike", "Mikey"), "CHRISTOPHER": ("Chris",), "MATTHEW": ("Matt",),
    "NICHOLAS": ("Nick", "Nico"), "ALEXANDER": ("Alex", "Xander"), "JONATHAN": ("Jon", "Johnny"),
    "DANIEL": ("Dan", "Danny"), "BENJAMIN": ("Ben", "Benji"), "SAMUEL": ("Sam", "Sammy"),
    "JOSHUA": ("Josh",), "JACOB": ("Jake",), "NATHAN": ("Nate",), "ZACHARY": ("Zach", "Zack"),
    "ANTHONY": ("Tony", "Ant"), "ANDREW": ("Andy", "Drew"), "THOMAS": ("Tom", "Tommy"),
    "JAMES": ("Jim", "Jamie", "Jimmy"), "JOSEPH": ("Joe", "Joey"), "EDWARD": ("Ed", "Eddie", "Ted"),
    "TIMOTHY": ("Tim", "Timmy"), "PATRICK": ("Pat",), "RICHARD": ("Rick", "Rich", "Richie"),
    "STEVEN": ("Steve",), "GREGORY": ("Greg",), "JEFFREY": ("Jeff",), "KENNETH": ("Ken", "Kenny"),
    "CHARLES": ("Charlie", "Chuck"), "HENRY": ("Harry", "Hank"), "THEODORE": ("Theo", "Teddy"),
    "FREDERICK": ("Fred", "Freddie"), "CAMERON": ("Cam",), "MITCHELL": ("Mitch",),
    "DOMINIC": ("Dom",), "SEBASTIAN": ("Seb", "Bastian"), "OLIVER": ("Ollie",),
    "GABRIEL": ("Gabe",), "ELIJAH": ("Eli",), "SPENCER": ("Spence",), "EMMETT": ("Em",),
    "KATHERINE": ("Kate", "Katie", "Kat"), "ELIZABETH": ("Liz", "Beth", "Lizzie", "Eliza"),
    "JENNIFER": ("Jen", "Jenny"), "JESSICA": ("Jess", "Jessie"), "REBECCA": ("Becca", "Becky"),
    "MARGARET": ("Maggie", "Meg"), "VICTORIA": ("Tori", "Vicky"), "ABIGAIL": ("Abby",),
    "OLIVIA": ("Liv", "Livvy"), "ISABELLA": ("Bella", "Izzy"),
    "ALEXANDRA": ("Alex", "Lexi", "Sasha"),
    "SAMANTHA": ("Sam", "Sammy"), "MADISON": ("Maddie", "Maddy"), "MACKENZIE": ("Kenzie",),
    "GABRIELLE": ("Gabby", "Gab"), "NATALIE": ("Nat",), "STEPHANIE": ("Steph",),
    "DANIELLE": ("Dani",),
    "CHRISTINA": ("Chris", "Tina"), "KIMBERLY": ("Kim",), "EMILY": ("Em", "Emmy"),
    "CHARLOTTE": ("Charlie", "Lottie"), "AMELIA": ("Millie",), "EVELYN": ("Evie",),
    "JACQUELINE": ("Jackie",), "NICOLE": ("Nikki",), "SOPHIA": ("Sophie",), "CAROLINE": ("Carrie",),
    "BRIANNA": ("Bri",), "ALYSSA": ("Aly",), "KAITLYN": ("Katie", "Kait"), "AMANDA": ("Mandy",),
    "JEAN-FRANÇOIS": ("JF", "François"), "JEAN-PHILIPPE": ("JP", "Jean-Phil", "Philippe"),
    "MARIE-ÈVE": ("Ève",), "MARIE-PIER": ("MP",), "ALEXANDRE": ("Alex",), "CATHERINE": ("Cathy",),
    "FRÉDÉRIC": ("Fred",), "SÉBASTIEN": ("Seb",), "MAXIME": ("Max",), "NICOLAS": ("Nico", "Nick"),
    "MATHIEU": ("Matt",), "GENEVIÈVE": ("Gen",), "VÉRONIQUE": ("Véro",), "ISABELLE": ("Isa",),
    "ÉLISABETH": ("Élise",), "GIUSEPPE": ("Joe", "Pino"), "GIOVANNI": ("Gianni",),
    "ALESSANDRO": ("Alex",), "FRANCESCA": ("Fran", "Frankie"), "VINCENZO": ("Vince", "Enzo"),
    "SALVATORE": ("Sal",), "DOMENICO": ("Dom",), "ANTONIO": ("Tony",), "MATTEO": ("Matt",),
    "MANUEL": ("Manny",), "ALEJANDRO": ("Alex",), "SANTIAGO": ("Santi",), "JOSÉ LUIS": ("José",),
    "MARÍA JOSÉ": ("María",), "JUAN PABLO": ("Juan",), "MIGUEL ÁNGEL": ("Miguel",),
    "MOHAMMED": ("Mohamed", "Muhammad", "Mo"), "MOHAMED": ("Mohammed", "Mo"),
    "MUHAMMAD": ("Mohammad", "Mohammed"), "AHMED": ("Ahmad",), "YOUSSEF": ("Yousef", "Yusuf"),
    "FATIMA": ("Fatimah",), "AISHA": ("Ayesha",), "HUSSEIN": ("Hussain",), "MUSTAFA": ("Mostafa",),
    "JASPREET": ("Jas",), "NAVDEEP": ("Nav",), "SIDDHARTH": ("Sid",), "ADITYA": ("Adi",),
    "ABHISHEK": ("Abhi",), "KRISHNA": ("Krish",), "SIMRANJEET": ("Simran",), "RAJVEER": ("Raj",),
    "PRIYANKA": ("Priya",), "JASKARAN": ("Jas",), "JOHN PAUL": ("JP", "John"),
    "MARK ANTHONY": ("Mark",), "ALEKSANDR": ("Alex", "Sasha"), "DMITRI": ("Dima",),
    "ANASTASIA": ("Ana", "Stacy"), "KATERYNA": ("Kate",), "VIKTORIA": ("Vika",),
}  # fmt: skip

ENGLISH_ALIASES = Pool(
    "KEVIN JASON ERIC DAVID ANDY TONY JENNY AMY GRACE ALAN HELEN IVY LUCY MAX OSCAR SUNNY "
    "VICTOR WINNIE JACK LEO ANNA CINDY PETER FRANK"
)
_KEYBOARD = "qwertyuiop asdfghjkl zxcvbnm"


# --- records ---------------------------------------------------------------------------------


@dataclass
class Person:
    """A real person: legal names, birth date, OEN."""

    culture: str
    gender: str
    first: str
    middle: str | None
    surname: str
    birth_date: dt.date
    oen: str
    alias_in_middle: bool = False


@dataclass
class Builder:
    """Accumulates the rows of the three frames."""

    rng: random.Random
    students: list[dict[str, object]] = field(default_factory=list)
    applicants: list[dict[str, object]] = field(default_factory=list)
    truth: list[dict[str, object]] = field(default_factory=list)
    oens: set[str] = field(default_factory=set)
    numbers: Sequence[int] = ()


@dataclass(frozen=True)
class LinkageSet:
    """Students, applicants, and the true application of each student."""

    students: pl.DataFrame
    applicants: pl.DataFrame
    truth: pl.DataFrame


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def typed_case(text: str) -> str:
    """Title case as people type it: Jean-François, O'Neil, De Luca, Mackenzie."""
    return "".join(part.capitalize() for part in _split_keep(text))


def _split_keep(text: str) -> list[str]:
    parts, current = [], ""
    for char in text:
        current += char
        if char in " -'":
            parts.append(current)
            current = ""
    return [*parts, current]


def luhn_oen(rng: random.Random, taken: set[str]) -> str:
    """A nine-digit OEN whose last digit is a Luhn check digit, unique in `taken`."""
    while True:
        body = [rng.randrange(10) for _ in range(8)]
        body[0] = rng.randrange(1, 10)
        total = sum(
            d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(body[::-1])
        )
        oen = "".join(map(str, body)) + str((10 - total % 10) % 10)
        if oen not in taken:
            taken.add(oen)
            return oen


def cohort_birth_date(rng: random.Random) -> dt.date:
    """Grade 11 and 12 students, some older: mostly born in 2007 and 2008."""
    year = rng.choices([2007, 2008, 2006, 2005, 2004], weights=[62, 22, 11, 3, 2])[0]
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def _neighbours() -> dict[str, str]:
    """Letters next to each letter on a QWERTY keyboard row."""
    near: dict[str, str] = {}
    for row in _KEYBOARD.split():
        for i, char in enumerate(row):
            near[char] = row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    return near


_NEAR = _neighbours()


def typo(rng: random.Random, text: str) -> str:
    """One typing slip: a neighbouring key, a dropped or doubled letter, or two letters swapped."""
    letters = [i for i, c in enumerate(text) if c.isalpha() and c.lower() in _NEAR]
    if len(letters) < 3:
        return text
    # The first letter is mistyped less often than the others.
    i = rng.choices(letters, weights=[0.3] + [1.0] * (len(letters) - 1))[0]
    char, kind = text[i], rng.random()
    if kind < 0.35:
        near = rng.choice(_NEAR[char.lower()])
        return text[:i] + (near.upper() if char.isupper() else near) + text[i + 1 :]
    if kind < 0.6:
        return text[:i] + text[i + 1 :]
    if kind < 0.8:
        return text[:i] + char + text[i:]
    if i + 1 < len(text) and text[i + 1].isalpha() and text[i + 1] != char:
        return text[:i] + text[i + 1] + char + text[i + 2 :]
    return text[:i] + text[i + 1 :]


FRENCH_COMPOUNDS = {
    "M": Pool(
        "JEAN-FRANÇOIS JEAN-PHILIPPE MARC-ANTOINE PIERRE-LUC JEAN-SÉBASTIEN MARC-OLIVIER "
        "PIERRE-OLIVIER JEAN-MICHEL JEAN-CHRISTOPHE LOUIS-PHILIPPE"
    ),
    "F": Pool(
        "MARIE-ÈVE MARIE-PIER ANNE-SOPHIE MARIE-CLAUDE MARIE-SOLEIL ANNE-MARIE MARIE-JOSÉE "
        "MARIE-CHRISTINE ÈVE-MARIE"
    ),
}


@dataclass(frozen=True)
class School:
    """A sending school and how its student information system writes names."""

    mident: str
    culture_boost: str
    keeps_accents: bool
    upper_case: bool


# --- people ----------------------------------------------------------------------------------


def _pick_culture(rng: random.Random, shares: dict[str, float], boost: str | None = None) -> str:
    names = list(shares)
    weights = [shares[n] * (4.0 if n == boost else 1.0) for n in names]
    return rng.choices(names, weights=weights)[0]


def _surname(rng: random.Random, culture: Culture) -> str:
    tail = culture.surname_tail
    base = tail.pick(rng) if tail and rng.random() < 0.35 else culture.surnames.pick(rng)
    if rng.random() < culture.double_surname_rate:
        other = culture.surnames.pick(rng)
        if other != base:
            return base + ("-" if rng.random() < culture.hyphen_rate else " ") + other
    return base


def _given(rng: random.Random, culture: Culture, gender: str, avoid: str = "") -> str:
    pool = culture.male if gender == "M" else culture.female
    for _ in range(20):
        if culture.compound_first_rate and rng.random() < culture.compound_first_rate:
            name = FRENCH_COMPOUNDS[gender].pick(rng)
        else:
            name = pool.pick(rng)
        if name != avoid:
            return name
    return name


def _middle(
    rng: random.Random, culture: Culture, gender: str, first: str
) -> tuple[str | None, bool]:
    """The legal middle name, and whether it is an English name used day to day."""
    if culture.english_alias_rate and rng.random() < culture.english_alias_rate:
        return ENGLISH_ALIASES.pick(rng), True
    if rng.random() >= culture.middle_rate:
        return None, False
    if culture.middle_from_surnames:
        return culture.surnames.pick(rng), False
    middle = _given(rng, CULTURES["anglo"] if culture.key == "chinese" else culture, gender, first)
    return middle, False


def new_person(
    rng: random.Random,
    culture_key: str,
    oens: set[str],
    surname: str | None = None,
    birth_date: dt.date | None = None,
    avoid_first: str = "",
) -> Person:
    culture = CULTURES[culture_key]
    gender = rng.choice("MF")
    first = _given(rng, culture, gender, avoid_first)
    middle, alias = _middle(rng, culture, gender, first)
    return Person(
        culture=culture_key,
        gender=gender,
        first=first,
        middle=middle,
        surname=surname or _surname(rng, culture),
        birth_date=birth_date or cohort_birth_date(rng),
        oen=luhn_oen(rng, oens),
        alias_in_middle=alias,
    )


def similar_twin(rng: random.Random, twin: Person, oens: set[str]) -> Person:
    """A twin: same surname, birth date and school; some parents pick look-alike names."""
    other = new_person(rng, twin.culture, oens, twin.surname, twin.birth_date, twin.first)
    if rng.random() < 0.15:
        culture = CULTURES[twin.culture]
        pool = culture.male if other.gender == "M" else culture.female
        alike = [n for n in pool.names if n[:2] == twin.first[:2] and n != twin.first]
        if alike:
            other.first = rng.choice(alike).replace("_", " ")
    return other


# --- how names are written -------------------------------------------------------------------


def school_name(rng: random.Random, school: School, name: str | None) -> str | None:
    """A name as a school's information system sends it."""
    if name is None:
        return None
    text = name if school.keeps_accents else strip_accents(name)
    text = text if school.upper_case else typed_case(text)
    if rng.random() < 0.01:
        text = text.replace(" ", "  ").replace("-", " - ") + " "
    return text


def typed(name: str | None, drops_accents: bool, case: str) -> str | None:
    """A name as an applicant types it."""
    if name is None:
        return None
    text = strip_accents(name) if drops_accents else name
    if case == "lower":
        return text.lower()
    return text.upper() if case == "upper" else typed_case(text)


def _one_part(rng: random.Random, surname: str) -> str:
    parts = surname.replace("-", " ").split()
    return parts[0] if rng.random() < 0.65 else parts[-1]


def applicant_given_names(rng: random.Random, person: Person) -> tuple[str, str | None]:
    """First and middle name as typed on the application (before accents and case)."""
    first, middle = person.first, person.middle if rng.random() < 0.5 else None
    draw = rng.random()
    if person.alias_in_middle and draw < 0.55:
        return person.middle or first, person.first if rng.random() < 0.4 else None
    if first in PREFERRED and draw < 0.12:
        return rng.choice(PREFERRED[first]), middle
    if person.middle and draw < 0.03:
        return person.middle, person.first if rng.random() < 0.5 else None
    if ("-" in first or " " in first) and draw < 0.3:
        parts = first.replace("-", " ").split()
        if rng.random() < 0.25:
            return parts[0], " ".join(parts[1:])
        return (parts[0] if rng.random() < 0.7 else parts[-1]), middle
    if person.culture in ("chinese", "east_asian") and draw < 0.04:
        return ENGLISH_ALIASES.pick(rng), middle
    return first, middle


SURNAME_PARTICLES = {"AL", "EL", "ST", "DE", "DA", "DI", "LO", "DELA", "D'AMOUR"}


def _particle_form(rng: random.Random, surname: str) -> str:
    """AL-HASSAN as Hassan, ST-PIERRE as Saint-Pierre, DE LUCA as DeLuca or De-Luca."""
    head, tail = surname.replace("-", " ").split(" ", 1)
    if head in ("AL", "EL") and rng.random() < 0.5:
        return tail
    if head == "ST":
        return "SAINT-" + tail
    return head + rng.choice(["", "-"]) + tail


def applicant_surnames(rng: random.Random, person: Person) -> tuple[str, str | None]:
    """Last name and previous last name as typed on the application."""
    surname, draw = person.surname, rng.random()
    parts = surname.replace("-", " ").split()
    particle = len(parts) == 2 and parts[0] in SURNAME_PARTICLES
    double = len(parts) == 2 and not particle
    if draw < 0.005:
        new = _surname(rng, CULTURES[person.culture])
        return new, surname if rng.random() < 0.8 else None
    if double and draw < 0.4:
        return _one_part(rng, surname), None
    if particle and draw < 0.3:
        return _particle_form(rng, surname), None
    if " " in surname and draw < 0.3:
        return surname.replace(" ", "" if rng.random() < 0.5 else "-"), None
    return surname, None


def applicant_oen(rng: random.Random, person: Person, oens: set[str]) -> str | None:
    """Declared by most applicants; a few mistype it or give another number."""
    if rng.random() >= 0.88:
        return None
    draw, oen = rng.random(), person.oen
    if draw < 0.0175:
        i = rng.randrange(9)
        return oen[:i] + str((int(oen[i]) + rng.randrange(1, 10)) % 10) + oen[i + 1 :]
    if draw < 0.0225:
        i = rng.randrange(8)
        return oen[:i] + oen[i + 1] + oen[i] + oen[i + 2 :]
    if draw < 0.025:
        return luhn_oen(rng, oens)
    return oen


def applicant_birth_date(rng: random.Random, born: dt.date) -> dt.date:
    """Mostly right; a few swap day and month or mistype one digit."""
    draw = rng.random()
    if draw < 0.006 and born.day <= 12 and born.day != born.month:
        return born.replace(month=born.day, day=born.month)
    if draw < 0.012:
        text = born.strftime("%Y%m%d")
        for _ in range(10):
            i = rng.choice([3, 4, 5, 6, 7])
            candidate = text[:i] + str(rng.randrange(10)) + text[i + 1 :]
            try:
                slipped = dt.datetime.strptime(candidate, "%Y%m%d").date()
            except ValueError:
                continue
            if slipped != born:
                return slipped
    return born


def applicant_schools(rng: random.Random, school: str, all_schools: Sequence[str]) -> list[str]:
    """The schools the applicant listed: usually their own, sometimes another one too, or none."""
    draw = rng.random()
    if draw < 0.03:
        return []
    if draw < 0.05:
        return [rng.choice(all_schools)]
    return [school, rng.choice(all_schools)] if draw < 0.17 else [school]


# --- rows ------------------------------------------------------------------------------------


def add_student(builder: Builder, person: Person, school: School) -> int:
    rng, key = builder.rng, len(builder.students) + 1
    builder.students.append(
        {
            "student_key": key,
            "mident": school.mident,
            "student_number": f"{rng.randrange(10**8, 10**9)}",
            "oen": person.oen if rng.random() >= 0.02 else None,
            "surname": school_name(rng, school, person.surname),
            "first_name": school_name(rng, school, person.first),
            "middle_name": school_name(rng, school, person.middle),
            "birth_date": person.birth_date,
            "gender": person.gender,
        }
    )
    return key


OWN_OEN = "own"  # the applicant declares their own OEN, as most do (see applicant_oen)


def add_applicant(
    builder: Builder,
    person: Person,
    schools: list[str],
    international: bool = False,
    oen: str | None = OWN_OEN,
) -> str:
    """An application typed by `person`; returns its application number."""
    rng = builder.rng
    first, middle = applicant_given_names(rng, person)
    last, previous = applicant_surnames(rng, person)
    if rng.random() < 0.02:
        first = typo(rng, first)
    if rng.random() < 0.015:
        last = typo(rng, last)
    drops, case = rng.random() < 0.45, rng.choices(["title", "lower", "upper"], [85, 5, 10])[0]
    number = str(builder.numbers[len(builder.applicants)])
    builder.applicants.append(
        {
            "application_number": number,
            "first_name": typed(first, drops, case),
            "middle_name": typed(middle, drops, case),
            "last_name": typed(last, drops, case),
            "previous_last_name": typed(previous, drops, case),
            "birth_date": applicant_birth_date(rng, person.birth_date),
            "oen": applicant_oen(rng, person, builder.oens) if oen is OWN_OEN else oen,
            "gender": person.gender if rng.random() < 0.97 else rng.choice([None, "X"]),
            "school_midents": schools,
            "international": international,
        }
    )
    return number


def add_enrolled(builder: Builder, person: Person, school: School, midents: Sequence[str]) -> None:
    """A student, and (three times in four) the application they made."""
    rng = builder.rng
    key = add_student(builder, person, school)
    international = rng.random() < 0.03
    number = None
    if rng.random() < 0.75:
        listed = applicant_schools(rng, school.mident, midents)
        number = add_applicant(builder, person, listed, international)
    builder.truth.append(
        {"student_key": key, "true_application_number": number, "true_international": international}
    )


def add_family(builder: Builder, school: School, midents: Sequence[str], room: int) -> None:
    """One student, twins, or two siblings in one school; maybe an older sibling applicant."""
    rng = builder.rng
    person = new_person(rng, _pick_culture(rng, CULTURE_SHARES, school.culture_boost), builder.oens)
    add_enrolled(builder, person, school, midents)
    draw = rng.random()
    if room >= 2 and draw < 0.008:
        add_enrolled(builder, similar_twin(rng, person, builder.oens), school, midents)
    elif room >= 2 and draw < 0.038:
        younger = new_person(rng, person.culture, builder.oens, person.surname, None, person.first)
        add_enrolled(builder, younger, school, midents)
    if rng.random() < 0.1:
        add_sibling_applicant(builder, person, school)


def add_sibling_applicant(builder: Builder, person: Person, school: School) -> None:
    """A brother or sister who applies too: same surname, another birth date and first name."""
    rng = builder.rng
    years = rng.choice([-4, -3, -2, -1, 1, 2])
    born = dt.date(person.birth_date.year + years, 1, 1) + dt.timedelta(days=rng.randrange(365))
    sibling = new_person(rng, person.culture, builder.oens, person.surname, born, person.first)
    oen = person.oen if rng.random() < 0.02 else OWN_OEN  # typed the sibling's OEN by mistake
    listed = [school.mident] if rng.random() < 0.6 else []
    add_applicant(builder, sibling, listed, oen=oen)


def add_distractor(
    builder: Builder, other_schools: Sequence[str], student_dates: list[dt.date]
) -> None:
    """An applicant who is none of the students: other schools, mature, or international."""
    rng, draw = builder.rng, builder.rng.random()
    if draw < 0.12:
        culture = _pick_culture(rng, INTERNATIONAL_CULTURES)
        person = new_person(rng, culture, builder.oens)
        person.birth_date = dt.date(rng.randrange(2003, 2009), 1, 1) + dt.timedelta(
            rng.randrange(365)
        )
        add_applicant(builder, person, [], international=True, oen=None)
        return
    person = new_person(rng, _pick_culture(rng, CULTURE_SHARES), builder.oens)
    if draw < 0.27:
        person.birth_date = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randrange(30 * 365))
    elif draw < 0.32:
        person.birth_date = rng.choice(student_dates)
    schools = [rng.choice(other_schools)] if rng.random() < 0.9 else []
    add_applicant(builder, person, schools)


def _schools(rng: random.Random, count: int) -> list[School]:
    midents = rng.sample(range(100_000, 1_000_000), count)
    schools = []
    for mident in midents:
        boost = _pick_culture(rng, CULTURE_SHARES)
        french = boost == "french" and rng.random() < 0.6
        schools.append(
            School(
                f"{mident:06d}", boost, rng.random() < (0.85 if french else 0.4), rng.random() < 0.9
            )
        )
    return schools


def _frames(builder: Builder) -> LinkageSet:
    rng = builder.rng
    applicants = builder.applicants[:]
    rng.shuffle(applicants)
    return LinkageSet(
        students=pl.DataFrame(builder.students, schema=STUDENTS_SCHEMA, orient="row"),
        applicants=pl.DataFrame(applicants, schema=APPLICANTS_SCHEMA, orient="row"),
        truth=pl.DataFrame(builder.truth, schema=TRUTH_SCHEMA, orient="row"),
    )


def generate_linkage_set(n_students: int, seed: int = 7) -> LinkageSet:
    """`n_students` students, about 5/3 as many applicants, and the truth (seeded)."""
    rng = random.Random(seed)
    target = round(n_students * APPLICANTS_PER_STUDENT)
    builder = Builder(rng, numbers=rng.sample(range(100_000_000, 1_000_000_000), target + 10))
    schools = _schools(rng, max(1, -(-n_students // STUDENTS_PER_SCHOOL)))
    midents = [s.mident for s in schools]
    other_schools = [f"{m:06d}" for m in rng.sample(range(100_000, 1_000_000), len(schools) * 4)]
    while len(builder.students) < n_students:
        add_family(builder, rng.choice(schools), midents, n_students - len(builder.students))
    dates = [s["birth_date"] for s in builder.students]
    while len(builder.applicants) < target:
        add_distractor(builder, other_schools, dates)  # type: ignore[arg-type]
    return _frames(builder)
