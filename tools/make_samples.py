"""Build the two synthetic sample score workbooks in ``data/samples/``.

Why this exists: mytool must be demonstrated and tested on workbooks that look like what a district
office really receives (title rows, two-level headers, reference rows, numbers stored as text,
"—" for a missing item, unit names spelt several ways), but the real reports cannot be shipped.
This script makes two such workbooks from invented numbers, deterministically (fixed seeds, fixed
workbook timestamps, fixed zip entry times), so re-running it gives byte-identical files.

    python tools/make_samples.py

Scores are built top-down: each unit gets a target composite and a few weak categories; item scores
are drawn around that, then the category, current-state and composite scores are derived with
half-up rounding as published tables do. The properties the samples promise (which six units are
at the bottom, everyone else at 75 or above) are asserted before anything is saved.
"""

from __future__ import annotations

import io
import random
import tomllib
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import python_calamine
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

ROOT = Path(__file__).resolve().parents[1]
PROFILE_PATH = ROOT / "data" / "profile.toml"
OUT_DIR = ROOT / "data" / "samples"

CENT = Decimal("0.01")
CURRENT_SHARE = Decimal("0.8")  # composite = 0.8 * current-state + 0.2 * progress
PROGRESS_SHARE = Decimal("0.2")
FLAG_FLOOR = 75.0  # every unit outside the bottom six must stay at or above this
ITEM_RANGE = (60.0, 96.0)
SUBURB_PEERS = 100  # fictional other suburban units the city ranks ours against
NO_SITE_UNIT = "中山街道"  # a unit with no building sites: its 工地 items are missing
SITE_CATEGORY = "工地"
MISSING_ITEM = "—"
MISSING_CATEGORY = "/"
UNIT_NOTE = "单位：分"
REFERENCE_DISTRICT = "全区平均"
REFERENCE_SUBURB = "郊区平均"
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


# --------------------------------------------------------------------------- profile


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    short: str


@dataclass(frozen=True)
class Category:
    name: str
    weight: float
    items: tuple[str, ...]


@dataclass(frozen=True)
class Grade:
    name: str
    min: float
    color: str


@dataclass(frozen=True)
class Profile:
    units: tuple[Unit, ...]
    categories: tuple[Category, ...]
    grades: tuple[Grade, ...]

    def unit_names(self) -> list[str]:
        return [unit.name for unit in self.units]

    def category(self, name: str) -> Category:
        return next(c for c in self.categories if c.name == name)

    def grade(self, score: float) -> Grade:
        return next(g for g in self.grades if score >= g.min)


def load_profile(path: Path = PROFILE_PATH) -> Profile:
    """Read units, categories and grade bands from the district profile TOML."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    units = tuple(Unit(u["name"], u["kind"], u["short"]) for u in data["units"])
    categories = tuple(
        Category(c["name"], float(c["weight"]), tuple(c["items"])) for c in data["categories"]
    )
    grades = tuple(
        Grade(g["name"], float(g["min"]), g["color"])
        for g in sorted(data["grades"], key=lambda g: -g["min"])
    )
    return Profile(units=units, categories=categories, grades=grades)


# --------------------------------------------------------------------------- arithmetic


def round_half_up(value: float | Decimal) -> float:
    """Round to two decimals, half-up on the decimal value (Excel's ROUND), never round()."""
    decimal = value if isinstance(value, Decimal) else Decimal(repr(value))
    return float(decimal.quantize(CENT, rounding=ROUND_HALF_UP))


def mean2(values: Iterable[float]) -> float:
    """Plain mean of two-decimal values, rounded half-up."""
    decimals = [Decimal(repr(v)) for v in values]
    return round_half_up(sum(decimals) / len(decimals))


def weighted_mean2(pairs: Iterable[tuple[float, float]]) -> float:
    """Weighted mean of (value, weight) pairs, weights renormalised over the pairs given."""
    decimals = [(Decimal(repr(v)), Decimal(repr(w))) for v, w in pairs]
    total = sum(w for _, w in decimals)
    return round_half_up(sum(v * w for v, w in decimals) / total)


def blend_composite(current: float, progress: float) -> float:
    """The published composite: 0.8 * current-state + 0.2 * progress, rounded half-up."""
    return round_half_up(
        CURRENT_SHARE * Decimal(repr(current)) + PROGRESS_SHARE * Decimal(repr(progress))
    )


# --------------------------------------------------------------------------- period design


@dataclass(frozen=True)
class PeriodSpec:
    """What one half-year's sample should look like; names are checked against the profile."""

    key: str
    label: str  # "2023年下半年度"
    seed: int
    targets: dict[str, float]  # unit -> intended composite
    weak: dict[str, tuple[str, ...]]  # unit -> clearly weak categories
    mild: dict[str, tuple[str, ...]]  # unit -> slightly weak categories
    bottom_six: frozenset[str]
    point_dates: tuple[date, date]
    stamp: datetime  # workbook created/modified


SPEC_2023H2 = PeriodSpec(
    key="2023H2",
    label="2023年下半年度",
    seed=2023_12_31,
    targets={
        "岳阳街道": 74.62,
        "永丰街道": 82.35,
        "方松街道": 84.91,
        "中山街道": 81.68,
        "广富林街道": 86.24,
        "九里亭街道": 79.47,
        "泗泾镇": 80.83,
        "佘山镇": 85.57,
        "车墩镇": 74.18,
        "新桥镇": 73.56,
        "洞泾镇": 78.64,
        "九亭镇": 71.83,
        "泖港镇": 77.92,
        "石湖荡镇": 72.71,
        "新浜镇": 77.26,
        "叶榭镇": 75.41,
        "小昆山镇": 78.12,
    },
    weak={
        "九亭镇": ("居住区", "工地"),
        "石湖荡镇": ("城市道路", "城市水域"),
        "新桥镇": ("工地", "公共场所"),
        "车墩镇": ("城市绿化", "工地"),
        "叶榭镇": ("公共设施", "城市道路"),
        "岳阳街道": ("居住区", "建(构)筑物"),
    },
    mild={
        "九里亭街道": ("车容车貌",),
        "新浜镇": ("城市水域",),
        "泖港镇": ("公共场所",),
        "洞泾镇": ("标识标牌与广告设施",),
    },
    bottom_six=frozenset({"九亭镇", "石湖荡镇", "新桥镇", "车墩镇", "叶榭镇", "岳阳街道"}),
    point_dates=(date(2023, 11, 1), date(2023, 12, 31)),
    stamp=datetime(2024, 1, 15, 9, 0, 0),
)

SPEC_2024H1 = PeriodSpec(
    key="2024H1",
    label="2024年上半年度",
    seed=2024_06_30,
    targets={
        "岳阳街道": 75.94,
        "永丰街道": 83.12,
        "方松街道": 85.36,
        "中山街道": 82.05,
        "广富林街道": 86.71,
        "九里亭街道": 80.26,
        "泗泾镇": 81.47,
        "佘山镇": 86.02,
        "车墩镇": 78.35,
        "新桥镇": 75.48,
        "洞泾镇": 79.13,
        "九亭镇": 73.27,
        "泖港镇": 76.58,
        "石湖荡镇": 74.66,
        "新浜镇": 76.12,
        "叶榭镇": 78.96,
        "小昆山镇": 79.58,
    },
    weak={
        "九亭镇": ("居住区", "城市道路"),
        "石湖荡镇": ("城市道路", "城市绿化"),
        "新桥镇": ("工地", "居住区"),
        "岳阳街道": ("居住区", "服务规范"),
        "新浜镇": ("城市水域", "车容车貌"),
        "泖港镇": ("公共场所", "城市绿化"),
    },
    mild={
        "车墩镇": ("城市绿化",),
        "叶榭镇": ("公共设施",),
        "小昆山镇": ("工地",),
    },
    bottom_six=frozenset({"九亭镇", "石湖荡镇", "新桥镇", "岳阳街道", "新浜镇", "泖港镇"}),
    point_dates=(date(2024, 5, 1), date(2024, 6, 30)),
    stamp=datetime(2024, 7, 15, 9, 0, 0),
)


def check_spec_names(spec: PeriodSpec, profile: Profile) -> None:
    """Fail loudly if the design names a unit or category the profile does not know."""
    units = set(profile.unit_names())
    categories = {c.name for c in profile.categories}
    assert set(spec.targets) == units, f"{spec.key}: targets must cover exactly the 17 units"
    assert spec.bottom_six <= units, f"{spec.key}: unknown unit in bottom six"
    for table in (spec.weak, spec.mild):
        assert set(table) <= units, f"{spec.key}: unknown unit in {table}"
        for names in table.values():
            assert set(names) <= categories, f"{spec.key}: unknown category in {names}"


# --------------------------------------------------------------------------- score generation


@dataclass(frozen=True)
class UnitScores:
    unit: str
    items: dict[str, float | None]  # item -> score, None where the unit has no such item
    categories: dict[str, float | None]
    current: float  # 现状感知评价
    progress: float  # 进步感知评价
    composite: float  # 综合满意度


def category_offset(spec: PeriodSpec, unit: str, category: str, rng: random.Random) -> float:
    """How far a category sits from the unit's general level."""
    if category in spec.weak.get(unit, ()):
        return -rng.uniform(6.0, 8.0)
    if category in spec.mild.get(unit, ()):
        return -rng.uniform(2.5, 3.5)
    return rng.gauss(0.6, 1.1)


def relative_items(
    spec: PeriodSpec, profile: Profile, unit: str, rng: random.Random
) -> dict[str, float | None]:
    """Item scores relative to the unit's level (level added later), None where absent."""
    relative: dict[str, float | None] = {}
    for category in profile.categories:
        offset = category_offset(spec, unit, category.name, rng)
        absent = unit == NO_SITE_UNIT and category.name == SITE_CATEGORY
        for item in category.items:
            relative[item] = None if absent else offset + rng.gauss(0.0, 1.4)
    return relative


def category_scores(profile: Profile, items: dict[str, float | None]) -> dict[str, float | None]:
    """Each category's plain mean of its present items; None when none is present."""
    scores: dict[str, float | None] = {}
    for category in profile.categories:
        present = [items[i] for i in category.items if items[i] is not None]
        scores[category.name] = mean2(present) if present else None
    return scores


def current_state(profile: Profile, categories: dict[str, float | None]) -> float:
    """Weighted mean of the categories present, weights renormalised over them."""
    pairs = [
        (score, profile.category(name).weight)
        for name, score in categories.items()
        if score is not None
    ]
    return weighted_mean2(pairs)


def unrounded_current(profile: Profile, relative: dict[str, float | None]) -> float:
    """The current-state level the relative items imply, before any rounding."""
    pairs = []
    for category in profile.categories:
        present = [relative[i] for i in category.items if relative[i] is not None]
        if present:
            pairs.append((sum(present) / len(present), category.weight))
    return sum(v * w for v, w in pairs) / sum(w for _, w in pairs)


def make_unit_scores(
    spec: PeriodSpec, profile: Profile, unit: str, rng: random.Random
) -> UnitScores:
    """Draw one unit's items so that its composite lands on (about) the design target."""
    relative = relative_items(spec, profile, unit, rng)
    progress_gap = rng.uniform(-1.5, 3.0)  # progress perception minus current state
    level = spec.targets[unit] - 0.2 * progress_gap - unrounded_current(profile, relative)
    items = {k: None if v is None else round_half_up(level + v) for k, v in relative.items()}
    categories = category_scores(profile, items)
    current = current_state(profile, categories)
    progress = round_half_up(current + progress_gap)
    return UnitScores(
        unit, items, categories, current, progress, blend_composite(current, progress)
    )


def make_period(spec: PeriodSpec, profile: Profile) -> list[UnitScores]:
    """All units' scores for one period, in profile order."""
    check_spec_names(spec, profile)
    rng = random.Random(spec.seed)
    return [make_unit_scores(spec, profile, unit, rng) for unit in profile.unit_names()]


def check_period(spec: PeriodSpec, scores: Sequence[UnitScores]) -> None:
    """Assert the properties the samples promise; raise before anything is written."""
    ordered = sorted(scores, key=lambda s: s.composite)
    bottom = {s.unit for s in ordered[:6]}
    assert bottom == spec.bottom_six, f"{spec.key}: bottom six is {sorted(bottom)}"
    assert ordered[5].composite < ordered[6].composite, f"{spec.key}: tie at the boundary"
    assert any(s.composite < FLAG_FLOOR for s in ordered[:6]), f"{spec.key}: no 一般 unit"
    for s in ordered[6:]:
        assert s.composite >= FLAG_FLOOR, f"{spec.key}: {s.unit} {s.composite} < {FLAG_FLOOR}"
    low, high = ITEM_RANGE
    for s in scores:
        for item, value in s.items.items():
            assert value is None or low <= value <= high, f"{spec.key}: {s.unit} {item} {value}"


def suburb_peer_scores(seed: int) -> list[float]:
    """Composites of the fictional other suburban units the city ranks ours against."""
    rng = random.Random(seed)
    return [round_half_up(min(92.0, max(68.0, rng.gauss(80.5, 3.8)))) for _ in range(SUBURB_PEERS)]


def competition_rank(score: float, field: Sequence[float]) -> int:
    """1 + how many scores in the field are strictly higher (ties share a rank)."""
    return 1 + sum(1 for other in field if other > score)


# --------------------------------------------------------------------------- problem points


ITEM_PROBLEMS: dict[str, tuple[str, ...]] = {
    "立面整洁完好": ("沿街建筑外立面墙皮脱落", "临街商铺外墙污渍明显，空调外机支架锈蚀"),
    "违法搭建治理": ("居民楼底层违法搭建彩钢板棚", "沿街商铺私自加建雨棚"),
    "屋顶及附属设施": ("屋顶废弃广告架未拆除", "屋顶堆放杂物，太阳能支架锈蚀"),
    "外立面晾晒与堆物": ("沿街阳台晾晒衣物影响观瞻", "建筑外窗台堆放杂物"),
    "小区环境卫生": ("小区垃圾厢房周边堆放装修垃圾", "楼道内堆放废旧家具、纸板"),
    "垃圾分类投放": ("垃圾厢房混投，湿垃圾桶内混有塑料袋", "定时投放点过时后仍有垃圾落地"),
    "车辆停放秩序": ("小区消防通道停放私家车", "非机动车在楼道口无序停放、飞线充电"),
    "小区绿化养护": ("小区绿地被居民毁绿种菜", "小区绿化带枯枝未清理"),
    "乱张贴与小广告": ("单元门口张贴开锁、疏通下水道小广告", "小区宣传栏过期告示未清除"),
    "道路保洁": ("道路两侧落叶、烟蒂未及时清扫", "人行道有积水和泥浆"),
    "路面平整完好": ("路面坑洼破损，雨后积水", "人行道板松动、缺损"),
    "人行道通行秩序": ("人行道上共享单车堆积占道", "机动车占用人行道停放"),
    "沿街跨门经营": ("生鲜水果店跨门摆放货架", "烧烤快餐店门前占道经营", "汽修店占道洗车修车"),
    "公共厕所": ("公厕内异味明显，洗手台无洗手液", "公厕指示牌缺失，开放时间未公示"),
    "垃圾箱(桶)设置": ("道路废物箱满溢未及时清运", "废物箱破损、桶身脏污"),
    "道路照明与景观灯光": ("路灯不亮，夜间照明不足", "景观灯带部分损坏"),
    "绿地养护": ("公共绿地黄土裸露", "绿化带杂草丛生，枯死苗木未补种"),
    "行道树管理": ("行道树枯枝未修剪，树穴内垃圾堆积", "行道树倾斜未扶正"),
    "公园环境": ("公园内健身器材破损", "公园景观水池水体浑浊、有漂浮物"),
    "户外广告设置": ("户外广告牌破损、画面褪色", "违规设置落地灯箱广告"),
    "店招店牌": ("店招破损、字体缺失", "店招店牌设置杂乱，不符合规范"),
    "道路标识标牌": ("道路指示牌被树枝遮挡", "路名牌污损"),
    "集市(菜场)环境": ("菜场周边摊贩占道经营，地面污水横流", "菜场水产区地面湿滑、异味重"),
    "交通集散地环境": ("地铁站出入口非机动车乱停放", "公交候车亭广告破损"),
    "校园周边环境": ("学校门口放学时段流动摊贩聚集", "校园周边人行道停放车辆"),
    "医院周边环境": ("医院门口黑车揽客、车辆乱停", "医院周边人行道堆放杂物"),
    "河道水面保洁": ("河道水面漂浮生活垃圾和水草", "河道内有废弃泡沫箱"),
    "河岸环境": ("河岸护栏破损", "河岸边堆放建筑垃圾"),
    "工地围挡与文明施工": ("工地围挡破损、公益广告褪色", "工地围挡外堆放建材占用人行道"),
    "渣土运输与扬尘控制": (
        "工地出入口未冲洗车辆，路面有泥浆",
        "渣土车未密闭运输，沿途撒漏",
        "工地裸土未覆盖，扬尘明显",
    ),
    "车辆外观整洁": ("渣土车车身污损、号牌不清", "出租车车身脏污"),
    "非机动车停放": ("共享单车在路口集中堆放", "非机动车停放点超量停放"),
    "环卫作业规范": ("环卫作业时未湿扫，扬尘明显", "保洁员将垃圾扫入绿化带"),
    "执法管理服务": ("跨门经营多次劝导未整改", "夜间占道烧烤无人管理"),
    "投诉处置效率": ("市民投诉垃圾清运不及时，处置超期", "12345工单回复后现场未整改"),
}

ROADS = ("人民路", "中山路", "荣乐路", "沪松公路", "松汇路", "北松公路", "嘉松南路", "新松江路")
RIVERS = ("通波塘", "洞泾港", "沈泾塘", "油墩港", "张泾河", "大涨泾")
ESTATES = ("新村", "花园", "一村", "二村", "新苑", "佳园")
SIDES = ("东侧", "西侧", "南侧", "北侧", "对面", "门口")


@dataclass(frozen=True)
class ProblemPoint:
    unit: str
    category: str
    item: str
    location: str
    description: str
    found: date


def point_location(unit: Unit, category: str, rng: random.Random) -> str:
    """A plausible (invented) address for a problem point in the unit."""
    road = rng.choice(ROADS)
    number = rng.randrange(8, 1200)
    if category == "居住区":
        return f"{unit.short}{rng.choice(ESTATES)}{rng.randrange(1, 40)}号楼"
    if category == "城市水域":
        return f"{rng.choice(RIVERS)}（{road}段）"
    if category == SITE_CATEGORY:
        return f"{road}{number}号在建工地"
    return f"{road}{number}号{rng.choice(SIDES)}"


def random_day(bounds: tuple[date, date], rng: random.Random) -> date:
    first, last = bounds
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def pick_category(spec: PeriodSpec, profile: Profile, unit: str, rng: random.Random) -> Category:
    """Mostly one of the unit's weak categories; otherwise any category the unit has."""
    weak = spec.weak.get(unit, ()) + spec.mild.get(unit, ())
    if weak and rng.random() < 0.75:
        return profile.category(rng.choice(weak))
    present = [
        c for c in profile.categories if not (unit == NO_SITE_UNIT and c.name == SITE_CATEGORY)
    ]
    return rng.choice(present)


def make_points(
    spec: PeriodSpec, profile: Profile, count: int, bottom_share: float
) -> list[ProblemPoint]:
    """The pollster's problem-point list, mostly for the bottom units, grouped by unit."""
    rng = random.Random(spec.seed + 1)
    units = {u.name: u for u in profile.units}
    bottom = sorted(spec.bottom_six, key=profile.unit_names().index)
    others = [n for n in profile.unit_names() if n not in spec.bottom_six]
    seen: set[tuple[str, str]] = set()
    points: list[ProblemPoint] = []
    while len(points) < count:
        unit = rng.choice(bottom) if rng.random() < bottom_share else rng.choice(others)
        category = pick_category(spec, profile, unit, rng)
        item = rng.choice(category.items)
        description = rng.choice(ITEM_PROBLEMS[item])
        if (unit, description) in seen:
            continue
        seen.add((unit, description))
        location = point_location(units[unit], category.name, rng)
        found = random_day(spec.point_dates, rng)
        points.append(ProblemPoint(unit, category.name, item, location, description, found))
    order = profile.unit_names().index
    return sorted(points, key=lambda p: (order(p.unit), p.found))


CITIZEN_CASES: tuple[tuple[str, str, str], ...] = (
    ("九亭镇", "居住区", "小区垃圾厢房旁长期堆放装修垃圾，夏天异味大，希望物业定期清运。"),
    ("九亭镇", "工地", "涞寅路附近工地渣土车夜间进出，路面全是泥浆，建议加强冲洗和巡查。"),
    ("九亭镇", "居住区", "小区内电动自行车在楼道充电，存在安全隐患，希望增设充电棚。"),
    ("石湖荡镇", "城市道路", "镇区主干道路面坑洼多，下雨积水严重，希望尽快修补。"),
    ("石湖荡镇", "城市水域", "河道里水草和垃圾较多，建议增加保洁频次。"),
    ("新桥镇", "工地", "工地围挡破旧，外侧堆放建材占用人行道，行人只能走机动车道。"),
    ("新桥镇", "公共场所", "菜场门口早上摊贩占道严重，地面污水横流。"),
    ("车墩镇", "城市绿化", "路边绿化带里杂草比人高，好久没人修剪了。"),
    ("车墩镇", "工地", "工地扬尘大，附近小区窗台每天都是灰。"),
    ("叶榭镇", "公共设施", "公园旁公厕经常锁门，开放时间也没有公示。"),
    ("叶榭镇", "城市道路", "沿街水果店把货架摆到人行道上，推婴儿车过不去。"),
    ("岳阳街道", "居住区", "老旧小区楼道堆物多年无人清理，希望居委会牵头整治。"),
    ("岳阳街道", "建(构)筑物", "沿街老房子外墙脱落，担心砸到行人。"),
    ("泖港镇", "公共场所", "学校门口放学时流动摊贩聚集，交通拥堵。"),
    ("新浜镇", "城市水域", "河岸边有人堆放建筑垃圾，希望执法部门处理。"),
)


# --------------------------------------------------------------------------- styling


THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
REFERENCE_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
SCORE_FORMAT = "0.00"


def write_title(ws: Worksheet, text: str, width: int, row: int = 1) -> None:
    """A bold title merged across the table width."""
    ws.cell(row=row, column=1, value=text).font = Font(bold=True, size=14)
    ws.cell(row=row, column=1).alignment = CENTER
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 28


def write_note(ws: Worksheet, row: int, column: int) -> None:
    """The "单位：分" note above a score table."""
    cell = ws.cell(row=row, column=column, value=UNIT_NOTE)
    cell.alignment = Alignment(horizontal="right" if column > 1 else "left")


def write_footnote(ws: Worksheet, text: str, row: int, width: int) -> None:
    ws.cell(row=row, column=1, value=text).font = Font(italic=True, size=9)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def style_header(ws: Worksheet, rows: Iterable[int], width: int) -> None:
    for row in rows:
        for column in range(1, width + 1):
            cell = ws.cell(row=row, column=column)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = CENTER
            cell.border = BORDER


def style_body(ws: Worksheet, rows: Iterable[int], width: int) -> None:
    """Borders everywhere; two-decimal format on numbers; text cells centred."""
    for row in rows:
        for column in range(1, width + 1):
            cell = ws.cell(row=row, column=column)
            cell.border = BORDER
            if isinstance(cell.value, float):
                cell.number_format = SCORE_FORMAT
                cell.alignment = Alignment(horizontal="right")
            elif column > 1 or isinstance(cell.value, int):
                cell.alignment = Alignment(horizontal="center")


def shade_row(ws: Worksheet, row: int, width: int) -> None:
    for column in range(1, width + 1):
        ws.cell(row=row, column=column).fill = REFERENCE_FILL


def set_widths(ws: Worksheet, widths: dict[int, float], default: float) -> None:
    for column in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(column)].width = widths.get(column, default)


def write_rows(ws: Worksheet, start: int, rows: Sequence[Sequence[object]]) -> int:
    """Write rows from `start`; return the row after the last one written."""
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            ws.cell(row=start + offset, column=column, value=value)
    return start + len(rows)


def write_two_level_header(
    ws: Worksheet, row: int, leading: Sequence[str], groups: Sequence[tuple[str, Sequence[str]]]
) -> int:
    """Leading columns merged over two rows, then each group merged over its sub-columns.

    Returns the table width.
    """
    for column, name in enumerate(leading, start=1):
        ws.cell(row=row, column=column, value=name)
        ws.merge_cells(start_row=row, start_column=column, end_row=row + 1, end_column=column)
    column = len(leading) + 1
    for name, subs in groups:
        ws.cell(row=row, column=column, value=name)
        ws.merge_cells(
            start_row=row, start_column=column, end_row=row, end_column=column + len(subs) - 1
        )
        for offset, sub in enumerate(subs):
            ws.cell(row=row + 1, column=column + offset, value=sub)
        column += len(subs)
    width = column - 1
    style_header(ws, (row, row + 1), width)
    return width


def fill_grade(ws: Worksheet, row: int, column: int, grade: Grade) -> None:
    ws.cell(row=row, column=column).fill = PatternFill("solid", fgColor=grade.color)


# --------------------------------------------------------------------------- cell quirks


def as_text(value: float) -> str:
    """A score stored as text, as pasted from another system."""
    return f"{value:.2f}"


def as_full_width(value: float) -> str:
    """A score typed with a Chinese IME in full-width mode."""
    return as_text(value).translate(FULL_WIDTH)


def full_width_parens(name: str) -> str:
    return name.replace("(", "（").replace(")", "）")


def item_cell(
    value: float | None, unit: str, item: str, quirks: dict[tuple[str, str], str]
) -> object:
    """An item score as the sheet stores it: number, text, full-width text or "—"."""
    if value is None:
        return MISSING_ITEM
    style = quirks.get((unit, item))
    if style == "text":
        return as_text(value)
    if style == "full-width":
        return as_full_width(value)
    return value


def district_means(scores: Sequence[UnitScores], key: str, name: str) -> float:
    """Plain mean over units of one item or category score (absent ones skipped)."""
    values = [getattr(s, key)[name] for s in scores]
    return mean2([v for v in values if v is not None])


# --------------------------------------------------------------------------- 2023H2 workbook


SHEET_OVERALL = "综合评价"
SHEET_CATEGORIES = "大类得分"
SHEET_ITEMS = "小项得分"
SHEET_POINTS = "点位问题"
SHEET_CASES = "市民反映建议案例"

# 2023H2 spellings: header variants (大类得分), unit-name variants per sheet,
# scores stored as text (小项得分).
CATEGORY_HEADERS_2023 = {
    "建(构)筑物": "建（构）筑物",
    "居住区": "居住区环境",
    "城市道路": "城市道路环境",
}
CATEGORY_SHEET_UNITS = {"九亭镇": "九亭镇（含九亭经济城）", "新桥镇": "新桥"}
ITEM_SHEET_UNITS = {"九亭镇": " 九亭镇 ", "岳阳街道": "岳阳", "叶榭镇": "叶榭"}
ITEM_QUIRKS_2023 = {
    ("方松街道", "道路保洁"): "text",
    ("新桥镇", "工地围挡与文明施工"): "text",
    ("泗泾镇", "公园环境"): "text",
    ("石湖荡镇", "河道水面保洁"): "full-width",
}


def sheet_title(spec: PeriodSpec, subject: str) -> str:
    return f"{spec.label}松江区市容环境质量社会公众满意度测评{subject}（合成示例数据，非官方发布）"


def write_overall_sheet(
    ws: Worksheet, spec: PeriodSpec, profile: Profile, scores: Sequence[UnitScores]
) -> None:
    """综合评价: composite, current, progress, suburb rank and grade; profile order."""
    headers = ["序号", "街镇", "综合满意度", "现状感知评价", "进步感知评价", "郊区排名", "等级"]
    width = len(headers)
    write_title(ws, sheet_title(spec, "结果"), width)
    write_note(ws, 2, 1)
    write_rows(ws, 3, [headers])
    style_header(ws, [3], width)
    peers = suburb_peer_scores(spec.seed + 2)
    field = peers + [s.composite for s in scores]
    rows = [
        [
            number,
            s.unit,
            s.composite,
            s.current,
            s.progress,
            competition_rank(s.composite, field),
            profile.grade(s.composite).name,
        ]
        for number, s in enumerate(scores, start=1)
    ]
    rows.append(
        [
            None,
            REFERENCE_DISTRICT,
            mean2([s.composite for s in scores]),
            mean2([s.current for s in scores]),
            mean2([s.progress for s in scores]),
            None,
            None,
        ]
    )
    rows.append([None, REFERENCE_SUBURB, mean2(field), None, None, None, None])
    end = write_rows(ws, 4, rows)
    style_body(ws, range(4, end), width)
    for offset, s in enumerate(scores):
        fill_grade(ws, 4 + offset, width, profile.grade(s.composite))
    shade_row(ws, end - 2, width)
    shade_row(ws, end - 1, width)
    footnote = "注：本表为合成示例数据，仅用于演示 mytool；排名按综合满意度从高到低。"
    write_footnote(ws, footnote, end, width)
    set_widths(ws, {1: 6, 2: 14}, 13)
    ws.freeze_panes = "C4"


def write_category_sheet(
    ws: Worksheet, spec: PeriodSpec, profile: Profile, scores: Sequence[UnitScores]
) -> None:
    """大类得分: one column per category; 全区平均 sits between the streets and the towns."""
    names = [c.name for c in profile.categories]
    headers = ["街镇", *(CATEGORY_HEADERS_2023.get(n, n) for n in names)]
    width = len(headers)
    write_title(ws, sheet_title(spec, "大类得分"), width)
    write_note(ws, 2, width)
    write_rows(ws, 3, [headers])
    style_header(ws, [3], width)

    def row_for(s: UnitScores) -> list[object]:
        values = [MISSING_CATEGORY if s.categories[n] is None else s.categories[n] for n in names]
        return [CATEGORY_SHEET_UNITS.get(s.unit, s.unit), *values]

    kinds = {u.name: u.kind for u in profile.units}
    streets = [row_for(s) for s in scores if kinds[s.unit] == "街道"]
    towns = [row_for(s) for s in scores if kinds[s.unit] != "街道"]
    average = [REFERENCE_DISTRICT, *(district_means(scores, "categories", n) for n in names)]
    end = write_rows(ws, 4, [*streets, average, *towns])
    style_body(ws, range(4, end), width)
    shade_row(ws, 4 + len(streets), width)
    set_widths(ws, {1: 24}, 12)
    ws.freeze_panes = "B4"


def write_item_sheet(
    ws: Worksheet, spec: PeriodSpec, profile: Profile, scores: Sequence[UnitScores]
) -> None:
    """小项得分: two-level header, units ordered by composite (the pollster's order)."""
    groups = [(c.name, [full_width_parens(i) for i in c.items]) for c in profile.categories]
    items = [i for c in profile.categories for i in c.items]
    width = 1 + len(items)
    write_title(ws, sheet_title(spec, "小项得分"), width)
    write_note(ws, 2, 1)
    write_two_level_header(ws, 3, ["街镇"], groups)
    ordered = sorted(scores, key=lambda s: -s.composite)
    rows: list[list[object]] = [
        [
            ITEM_SHEET_UNITS.get(s.unit, s.unit),
            *(item_cell(s.items[i], s.unit, i, ITEM_QUIRKS_2023) for i in items),
        ]
        for s in ordered
    ]
    rows.append([REFERENCE_DISTRICT, *(district_means(scores, "items", i) for i in items)])
    end = write_rows(ws, 5, rows)
    style_body(ws, range(5, end), width)
    shade_row(ws, end - 1, width)
    set_widths(ws, {1: 14}, 11)
    ws.freeze_panes = "B5"


def write_points_sheet(
    ws: Worksheet, spec: PeriodSpec, subject: str, points: Sequence[ProblemPoint]
) -> None:
    """点位问题: the pollster's problem list with real dates."""
    headers = ["序号", "街镇", "大类", "小项", "点位地址", "问题描述", "发现日期"]
    width = len(headers)
    write_title(ws, f"{spec.label}松江区市容环境测评{subject}（合成示例数据）", width)
    write_rows(ws, 2, [headers])
    style_header(ws, [2], width)
    rows = [
        [n, p.unit, p.category, p.item, p.location, p.description, p.found]
        for n, p in enumerate(points, start=1)
    ]
    end = write_rows(ws, 3, rows)
    style_body(ws, range(3, end), width)
    for row in range(3, end):
        ws.cell(row=row, column=7).number_format = "yyyy-mm-dd"
        for column in (5, 6):
            ws.cell(row=row, column=column).alignment = LEFT
    set_widths(ws, {1: 6, 2: 12, 3: 18, 4: 20, 5: 28, 6: 40, 7: 12}, 12)
    ws.freeze_panes = "C3"


def write_cases_sheet(ws: Worksheet, spec: PeriodSpec) -> None:
    """市民反映建议案例: citizen feedback cases."""
    headers = ["序号", "街镇", "大类", "反映内容"]
    width = len(headers)
    write_title(ws, f"{spec.label}市民反映建议案例（合成示例数据）", width)
    write_rows(ws, 2, [headers])
    style_header(ws, [2], width)
    rows = [[n, *case] for n, case in enumerate(CITIZEN_CASES, start=1)]
    end = write_rows(ws, 3, rows)
    style_body(ws, range(3, end), width)
    for row in range(3, end):
        ws.cell(row=row, column=4).alignment = LEFT
    set_widths(ws, {1: 6, 2: 12, 3: 14, 4: 70}, 12)
    ws.freeze_panes = "A3"


def build_2023h2(
    spec: PeriodSpec, profile: Profile, scores: Sequence[UnitScores], points: Sequence[ProblemPoint]
) -> Workbook:
    wb = Workbook()
    write_overall_sheet(wb.active, spec, profile, scores)
    wb.active.title = SHEET_OVERALL
    write_category_sheet(wb.create_sheet(SHEET_CATEGORIES), spec, profile, scores)
    write_item_sheet(wb.create_sheet(SHEET_ITEMS), spec, profile, scores)
    write_points_sheet(wb.create_sheet(SHEET_POINTS), spec, "点位问题清单", points)
    write_cases_sheet(wb.create_sheet(SHEET_CASES), spec)
    return wb


# --------------------------------------------------------------------------- 2024H1 workbook


SHEET_RESULT = "测评结果"
SUBTOTAL = "小计"
RESULT_SHEET_UNITS = {"石湖荡镇": "石湖荡"}
ITEM_QUIRKS_2024 = {("永丰街道", "小区绿化养护"): "text"}


def result_columns(profile: Profile) -> list[tuple[str, str | None]]:
    """(category, item) per score column after 综合得分; item None is the category's 小计."""
    columns: list[tuple[str, str | None]] = []
    for category in profile.categories:
        columns.extend((category.name, item) for item in category.items)
        columns.append((category.name, None))
    return columns


def result_row(s: UnitScores, columns: Sequence[tuple[str, str | None]]) -> list[object]:
    values: list[object] = [RESULT_SHEET_UNITS.get(s.unit, s.unit), s.composite]
    for category, item in columns:
        if item is None:
            score = s.categories[category]
            values.append(MISSING_CATEGORY if score is None else score)
        else:
            values.append(item_cell(s.items[item], s.unit, item, ITEM_QUIRKS_2024))
    return values


def average_row(scores: Sequence[UnitScores], columns: Sequence[tuple[str, str | None]]) -> list:
    values: list[object] = [REFERENCE_DISTRICT, mean2([s.composite for s in scores])]
    for category, item in columns:
        if item is None:
            values.append(district_means(scores, "categories", category))
        else:
            values.append(district_means(scores, "items", item))
    return values


def build_2024h1(
    spec: PeriodSpec, profile: Profile, scores: Sequence[UnitScores], points: Sequence[ProblemPoint]
) -> Workbook:
    """One wide sheet: 街镇名称 | 综合得分 | per category its items then 小计; plus 点位问题."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_RESULT
    columns = result_columns(profile)
    groups = [
        (full_width_parens(c.name) if "(" in c.name else c.name, [*c.items, SUBTOTAL])
        for c in profile.categories
    ]
    title = f"{spec.label}松江区市容环境质量社会公众满意度测评结果（合成示例数据）"
    width = 2 + len(columns)
    write_title(ws, title, width)
    write_note(ws, 2, width)
    write_two_level_header(ws, 3, ["街镇名称", "综合得分"], groups)
    rows = [result_row(s, columns) for s in scores]
    rows.append(average_row(scores, columns))
    peers = suburb_peer_scores(spec.seed + 2) + [s.composite for s in scores]
    rows.append([REFERENCE_SUBURB, mean2(peers)])
    end = write_rows(ws, 5, rows)
    style_body(ws, range(5, end), width)
    for row in (end - 2, end - 1):
        shade_row(ws, row, width)
    for row in range(5, end):
        for column, (_, item) in enumerate(columns, start=3):
            if item is None:
                ws.cell(row=row, column=column).font = Font(bold=True)
    footnote = "注：本表为合成示例数据，仅用于演示 mytool；“—”表示该街镇无此测评点位。"
    write_footnote(ws, footnote, end + 1, width)
    set_widths(ws, {1: 14, 2: 10}, 10)
    ws.freeze_panes = "C5"
    write_points_sheet(wb.create_sheet(SHEET_POINTS), spec, "点位问题清单", points)
    return wb


# --------------------------------------------------------------------------- saving


def save_deterministic(wb: Workbook, path: Path, stamp: datetime) -> None:
    """Save with fixed document properties and fixed zip entry times (byte-stable output)."""
    wb.properties.creator = "mytool tools/make_samples.py"
    wb.properties.lastModifiedBy = "mytool tools/make_samples.py"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook would overwrite `modified` with the clock.
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    zip_time = stamp.timetuple()[:6]
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=zip_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))


# --------------------------------------------------------------------------- verification


def read_sheet(path: Path, name: str) -> list[list[object]]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def row_by_label(rows: Sequence[Sequence[object]], column: int, label: str) -> Sequence[object]:
    return next(r for r in rows if len(r) > column and r[column] == label)


def verify_2023h2(path: Path, profile: Profile, scores: Sequence[UnitScores]) -> None:
    """Read the workbook back and check that values sit where the layout says."""
    overall = read_sheet(path, SHEET_OVERALL)
    assert "合成示例数据" in str(overall[0][0]) and overall[1][0] == UNIT_NOTE
    assert overall[2][:3] == ["序号", "街镇", "综合满意度"]
    for s in scores:
        row = row_by_label(overall, 1, s.unit)
        assert row[2:5] == [s.composite, s.current, s.progress], row
        assert row[6] == profile.grade(s.composite).name
    assert overall[3 + len(scores)][1] == REFERENCE_DISTRICT
    assert str(overall[5 + len(scores)][0]).startswith("注：")

    categories = read_sheet(path, SHEET_CATEGORIES)
    assert categories[2][2] == "居住区环境" and categories[3 + 6][0] == REFERENCE_DISTRICT
    site = 1 + [c.name for c in profile.categories].index(SITE_CATEGORY)
    assert row_by_label(categories, 0, NO_SITE_UNIT)[site] == MISSING_CATEGORY
    assert row_by_label(categories, 0, "九亭镇（含九亭经济城）")[2] == next(
        s.categories["居住区"] for s in scores if s.unit == "九亭镇"
    )

    items = read_sheet(path, SHEET_ITEMS)
    assert items[2][0] == "街镇" and items[3][0] == "" and items[3][1] == "立面整洁完好"
    texts = [v for r in items[4:] for v in r[1:] if isinstance(v, str)]
    assert texts.count(MISSING_ITEM) == 2, texts
    assert any("．" in v for v in texts) and " 九亭镇 " in [r[0] for r in items]
    assert len(read_sheet(path, SHEET_POINTS)) >= 40


def verify_2024h1(path: Path, profile: Profile, scores: Sequence[UnitScores]) -> None:
    result = read_sheet(path, SHEET_RESULT)
    assert "合成示例数据" in str(result[0][0]) and result[1][-1] == UNIT_NOTE
    assert result[2][:2] == ["街镇名称", "综合得分"] and result[3][2:4] == [
        "立面整洁完好",
        "违法搭建治理",
    ]
    subtotal = result[3].index(SUBTOTAL)
    for s in scores:
        row = row_by_label(result, 0, RESULT_SHEET_UNITS.get(s.unit, s.unit))
        assert row[1] == s.composite and row[subtotal] == s.categories[profile.categories[0].name]
    assert result[4 + len(scores)][0] == REFERENCE_DISTRICT
    assert result[5 + len(scores)][0] == REFERENCE_SUBURB
    points = read_sheet(path, SHEET_POINTS)
    assert all(isinstance(r[6], date) for r in points[2:]), points[2]


def print_summary(spec: PeriodSpec, profile: Profile, scores: Sequence[UnitScores]) -> None:
    ordered = sorted(scores, key=lambda s: -s.composite)
    print(f"{spec.key}: units by composite (high to low)")
    for rank, s in enumerate(ordered, start=1):
        print(f"  {rank:>2} {s.unit:<6} {s.composite:6.2f} {profile.grade(s.composite).name}")
    bottom = ", ".join(f"{s.unit} {s.composite:.2f}" for s in ordered[-6:][::-1])
    print(f"  bottom six: {bottom}")


# --------------------------------------------------------------------------- main


def main() -> None:
    profile = load_profile()
    OUT_DIR.mkdir(parents=True, exist_ok=True)

    scores_h2 = make_period(SPEC_2023H2, profile)
    check_period(SPEC_2023H2, scores_h2)
    points_h2 = make_points(SPEC_2023H2, profile, count=40, bottom_share=0.8)
    path_h2 = OUT_DIR / "songjiang-2023H2.xlsx"
    save_deterministic(
        build_2023h2(SPEC_2023H2, profile, scores_h2, points_h2), path_h2, SPEC_2023H2.stamp
    )
    verify_2023h2(path_h2, profile, scores_h2)

    scores_h1 = make_period(SPEC_2024H1, profile)
    check_period(SPEC_2024H1, scores_h1)
    points_h1 = make_points(SPEC_2024H1, profile, count=30, bottom_share=0.75)
    path_h1 = OUT_DIR / "songjiang-2024H1.xlsx"
    save_deterministic(
        build_2024h1(SPEC_2024H1, profile, scores_h1, points_h1), path_h1, SPEC_2024H1.stamp
    )
    verify_2024h1(path_h1, profile, scores_h1)

    print_summary(SPEC_2023H2, profile, scores_h2)
    print_summary(SPEC_2024H1, profile, scores_h1)
    print(f"wrote {path_h2.relative_to(ROOT)} and {path_h1.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
